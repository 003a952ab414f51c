//! The subcommands, one module each; `main.rs` parses arguments and maps their results to
//! exit codes.

pub mod check;

/// What a command tells `main` about how it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done, nothing wrong: exit 0.
    Success,
    /// Done, and it found problems (or a threshold was not met): exit 1.
    Problems,
}

/// Bad input or usage: exit 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Whether to colour terminal output: only on a terminal, and never with `NO_COLOR` set.
pub fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

//! The subcommands, one module each; `main.rs` parses arguments and maps their results to
//! exit codes.

pub mod assess;
pub mod check;
pub mod schema;
pub mod test;

use std::path::Path;

use crate::diag;
use crate::pack::{self, Pack};

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
    /// Bad input files; the text holds the rendered diagnostics.
    #[error("{0}")]
    Input(String),
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

/// Loads a pack for a command that needs a valid one: its problems are bad input.
pub fn load_pack(dir: &Path, color: bool) -> Result<Pack, CliError> {
    let loaded = pack::load_for_assessment(dir).map_err(|e| CliError::Usage(e.to_string()))?;
    match loaded.pack {
        Some(p) => Ok(p),
        None => Err(CliError::Input(format!(
            "{}the pack `{}` is not valid; run `kaohe check {}`\n",
            diag::render_human(&loaded.sources, &loaded.diagnostics, color),
            diag::display_path(dir),
            diag::display_path(dir)
        ))),
    }
}

/// Writes `text` to `path` whole or not at all: a temporary file beside it, then a rename.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let fail = |source| CliError::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    tmp.write_all(text.as_bytes()).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

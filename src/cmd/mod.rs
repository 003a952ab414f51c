//! The subcommands, one module each: its arguments (`Args`, a `clap::Args`) and its `run`,
//! which returns the output to write. `main.rs` parses the arguments, dispatches, writes the
//! output and maps results and errors to exit codes.

pub mod assess;
pub mod check;
pub mod compare;
pub mod followup;
pub mod rectify;
mod round;
pub mod schema;
pub mod template;
pub mod test;

use std::path::Path;

use crate::diag;
use crate::pack::{self, Pack};

/// What a command tells `main` about how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done, nothing wrong: exit 0.
    Success,
    /// Done, and it found problems: exit 1.
    Problems,
    /// Done, and a threshold was not met: exit 1, with one line per reason on stderr.
    Unmet(Vec<String>),
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

/// Writes the output to `path` (see [`crate::source::write`]): a file is replaced whole or
/// not at all; `/dev/stdout`, `/dev/null` or a FIFO is written in place.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    crate::source::write(path, bytes).map_err(|source| CliError::Write {
        path: path.display().to_string(),
        source,
    })
}

/// The columns a text report is laid out for: `COLUMNS`, else the terminal's width when
/// stdout is one, else [`crate::report::DEFAULT_WIDTH`].
pub fn terminal_width() -> usize {
    use std::io::IsTerminal;
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0);
    columns
        .or_else(|| {
            std::io::stdout()
                .is_terminal()
                .then(stdout_columns)
                .flatten()
        })
        .unwrap_or(crate::report::DEFAULT_WIDTH)
}

#[cfg(unix)]
fn stdout_columns() -> Option<usize> {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes a `winsize` into the pointer it is given, which points to
    // one that lives for the call.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(unix))]
fn stdout_columns() -> Option<usize> {
    None
}

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

/// The limits on what is read and rendered (see [`crate::limits`]), options of every
/// command. Their defaults are [`crate::limits::Limits::default`]'s (a test holds them equal).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Limits")]
pub struct LimitArgs {
    /// The largest file read (bytes, or with K, M or G)
    #[arg(long, global = true, value_name = "SIZE", default_value = "16M", value_parser = size)]
    pub max_file_size: u64,
    /// The deepest a YAML or JSON file may nest (at most 128)
    #[arg(long, global = true, value_name = "N", default_value = "64", value_parser = depth)]
    pub max_depth: u64,
    /// The most nodes a YAML file may have, counting those its aliases repeat
    #[arg(long, global = true, value_name = "N", default_value = "2097152", value_parser = count)]
    pub max_yaml_nodes: u64,
    /// The most nodes a YAML file's aliases (`*name`) may repeat, all uses together
    #[arg(long, global = true, value_name = "N", default_value = "100000", value_parser = count)]
    pub max_aliases: u64,
    /// The most rows one register may have
    #[arg(long, global = true, value_name = "N", default_value = "1000000", value_parser = count)]
    pub max_rows: u64,
    /// The most cells a workbook's sheets may span together (rows × columns of each)
    #[arg(long, global = true, value_name = "N", default_value = "10000000", value_parser = count)]
    pub max_cells: u64,
    /// The most sheets a workbook may have
    #[arg(long, global = true, value_name = "N", default_value = "256", value_parser = count)]
    pub max_sheets: u64,
    /// The most a workbook may inflate to, all its parts together
    #[arg(long, global = true, value_name = "SIZE", default_value = "256M", value_parser = size)]
    pub max_inflated: u64,
    /// The most instructions one rectification template may run
    #[arg(long, global = true, value_name = "N", default_value = "20000", value_parser = count)]
    pub template_fuel: u64,
    /// The most text one rectification template may write
    #[arg(long, global = true, value_name = "SIZE", default_value = "1M", value_parser = size)]
    pub max_template_output: u64,
}

fn size(text: &str) -> Result<u64, String> {
    crate::limits::parse_size(text)
}

fn count(text: &str) -> Result<u64, String> {
    crate::limits::parse_count(text)
}

fn depth(text: &str) -> Result<u64, String> {
    let n = crate::limits::parse_count(text)?;
    if n > crate::limits::MAX_DEPTH as u64 {
        return Err(format!(
            "at most {} levels: deeper documents would exhaust the stack of the readers",
            crate::limits::MAX_DEPTH
        ));
    }
    Ok(n)
}

impl LimitArgs {
    /// The limits these options give.
    pub fn limits(&self) -> crate::limits::Limits {
        let n = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        crate::limits::Limits {
            file_size: self.max_file_size,
            depth: n(self.max_depth),
            yaml_nodes: n(self.max_yaml_nodes),
            aliases: n(self.max_aliases),
            rows: n(self.max_rows),
            cells: self.max_cells,
            sheets: n(self.max_sheets),
            inflated: self.max_inflated,
            template_fuel: self.template_fuel,
            template_output: n(self.max_template_output),
        }
    }
}

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

/// The lines that report rectification templates that could not be rendered, each at the
/// item's `rectify` in the pack's files (the pack is read again for the positions: this is
/// the error path), else at the pack.
pub fn render_error_lines(pack_dir: &Path, errors: &[crate::assess::RenderError]) -> String {
    let loaded = pack::load_for_assessment(pack_dir).ok();
    let place = |item: &str| -> Option<String> {
        let loaded = loaded.as_ref()?;
        let pack = loaded.pack.as_ref()?;
        let index = pack.items.iter().position(|i| i.id == item)?;
        let origin = loaded.provenance.items.get(index)?.field("rectify");
        let pos = loaded
            .sources
            .locate(origin.file, &origin.pointer, diag::Target::Value)?;
        let file = &loaded.sources.file(origin.file).path;
        Some(format!("{file}:{}:{}", pos.line, pos.col))
    };
    errors
        .iter()
        .map(|e| {
            let at = place(&e.item).unwrap_or_else(|| diag::display_path(pack_dir));
            format!("error: {at}: {e}\n")
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[derive(Parser)]
    struct WithLimits {
        #[command(flatten)]
        limits: super::LimitArgs,
    }

    #[test]
    fn the_options_default_to_the_default_limits() {
        let parsed = WithLimits::try_parse_from(["kaohe"]).expect("no options parse");
        assert_eq!(parsed.limits.limits(), crate::limits::Limits::default());
    }

    #[test]
    fn the_options_set_the_limits() {
        let parsed = WithLimits::try_parse_from([
            "kaohe",
            "--max-file-size",
            "64M",
            "--max-rows",
            "5_000_000",
        ])
        .expect("options parse");
        let limits = parsed.limits.limits();
        assert_eq!(limits.file_size, 64 << 20);
        assert_eq!(limits.rows, 5_000_000);
        assert!(WithLimits::try_parse_from(["kaohe", "--max-depth", "0"]).is_err());
    }
}

//! `kaohe template PACK`: the fill-in template of the pack's data dictionary, a workbook or
//! a commented YAML submission.

use std::path::PathBuf;

use super::{CliError, Outcome, load_pack};
use crate::{diag, report, submission};

/// Write a fill-in template of a pack's data dictionary (a workbook, or YAML).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pack directory.
    pub pack: PathBuf,
    /// Output format. `xlsx` is a workbook and needs `-o`.
    #[arg(long, value_enum, default_value = "xlsx")]
    pub format: Format,
    /// Fill the workbook in with this submission's values (YAML, JSON or a workbook): last
    /// year's data for a bureau to update, or a YAML submission turned into a workbook.
    #[arg(long, value_name = "SUBMISSION")]
    pub from: Option<PathBuf>,
    /// Write the template to PATH instead of stdout (a file is replaced whole or not at all).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// Formats of `kaohe template`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A workbook: instructions, 基本信息, 事实, one sheet per register, 佐证材料, 科室, 自评分.
    Xlsx,
    /// A commented YAML submission.
    Yaml,
}

/// The template's bytes; `main` writes them.
pub fn run(args: &Args, color: bool) -> Result<(Outcome, Vec<u8>), CliError> {
    if args.format == Format::Xlsx && args.output.is_none() {
        return Err(CliError::Usage(
            "`--format xlsx` writes a workbook; name the file with `-o PATH`".into(),
        ));
    }
    if args.format == Format::Yaml && args.from.is_some() {
        return Err(CliError::Usage(
            "`--from` fills in a workbook (`--format xlsx`); a YAML submission is already one"
                .into(),
        ));
    }
    let pack = load_pack(&args.pack, color)?;
    let bytes = match args.format {
        Format::Yaml => report::template::yaml(&pack).into_bytes(),
        Format::Xlsx => {
            let fill = match &args.from {
                Some(path) => Some(submission::load(&pack, path).map_err(|e| {
                    CliError::Input(diag::render_human(&e.sources, &e.diagnostics, color))
                })?),
                None => None,
            };
            report::template::xlsx(&pack, fill.as_ref()).map_err(CliError::Usage)?
        }
    };
    Ok((Outcome::Success, bytes))
}

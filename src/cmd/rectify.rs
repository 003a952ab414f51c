//! `kaohe rectify`: the rectification list (整改清单) of one bureau, from its assessment's
//! JSON or from the pack and its submission directly.

use std::path::PathBuf;

use super::{CliError, Outcome, load_pack};
use crate::assess::{self, Options};
use crate::rectify::{self, List};
use crate::{diag, report, review, submission, waiver};

/// Write a bureau's rectification list (整改清单).
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "kaohe rectify [OPTIONS] <PACK> <SUBMISSION>\n       kaohe rectify [OPTIONS] <ASSESSMENT.json>"
)]
pub struct Args {
    /// The pack directory and the bureau's submission; or the JSON of its assessment
    /// (`kaohe assess --format json`).
    #[arg(required = true, num_args = 1..=2, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Output format. `xlsx` is a workbook and needs `-o`.
    #[arg(long, value_enum, default_value = "md")]
    pub format: Format,
    /// A waivers file (豁免), with a pack and submission.
    #[arg(long)]
    pub waivers: Option<PathBuf>,
    /// A reviews file (评审, 复核), with a pack and submission.
    #[arg(long)]
    pub reviews: Option<PathBuf>,
    /// Write the list to PATH instead of stdout (a file is replaced whole or not at all).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// Output formats of `kaohe rectify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Markdown table.
    Md,
    /// CSV, UTF-8 with a byte-order mark, for Excel.
    Csv,
    /// An XLSX workbook: the list with a 完成情况 drop-down, and the scoring sheet.
    Xlsx,
    /// JSON (`schemas/rectify.schema.json`).
    Json,
}

/// Builds the list and renders it; `main` writes the bytes.
pub fn run(args: &Args, color: bool) -> Result<(Outcome, Vec<u8>), CliError> {
    if args.format == Format::Xlsx && args.output.is_none() {
        return Err(CliError::Usage(
            "`--format xlsx` writes a workbook; name the file with `-o PATH`".into(),
        ));
    }
    let list = match args.inputs.as_slice() {
        [json] => {
            if args.waivers.is_some() || args.reviews.is_some() {
                return Err(CliError::Usage(
                    "`--waivers` and `--reviews` go with a pack and a submission; an assessment's JSON already applied them".into(),
                ));
            }
            from_json_file(json)?
        }
        [pack, sub] => from_submission(
            pack,
            sub,
            args.waivers.as_deref(),
            args.reviews.as_deref(),
            color,
        )?,
        _ => {
            return Err(CliError::Usage(
                "give a pack and a submission, or an assessment's JSON".into(),
            ));
        }
    };
    let bytes = match args.format {
        Format::Md => report::rectify::markdown(&list).into_bytes(),
        Format::Csv => report::rectify::csv(&list).map_err(CliError::Usage)?,
        Format::Xlsx => report::rectify::xlsx(&list).map_err(CliError::Usage)?,
        Format::Json => {
            let mut text =
                serde_json::to_string_pretty(&list).map_err(|e| CliError::Usage(e.to_string()))?;
            text.push('\n');
            text.into_bytes()
        }
    };
    Ok((Outcome::Success, bytes))
}

/// The list of an assessment's JSON file.
pub fn from_json_file(path: &std::path::Path) -> Result<List, CliError> {
    let shown = diag::display_path(path);
    let text = crate::source::read_submitted(path).map_err(|e| {
        CliError::Input(format!(
            "error: {shown}: {}\n",
            e.describe("the assessment")
        ))
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        CliError::Input(format!(
            "error: {shown}:{}:{}: not JSON: {message}\n",
            e.line(),
            diag::char_column(&text, e.line(), e.column())
        ))
    })?;
    rectify::from_json(&value).map_err(|e| CliError::Input(format!("error: {shown}: {e}\n")))
}

/// The list of a submission, assessed with the pack (and waivers and reviews, if given).
pub fn from_submission(
    pack_dir: &std::path::Path,
    sub: &std::path::Path,
    waivers: Option<&std::path::Path>,
    reviews: Option<&std::path::Path>,
    color: bool,
) -> Result<List, CliError> {
    let pack = load_pack(pack_dir, color)?;
    let render = |e: crate::entries::EntriesError| {
        CliError::Input(diag::render_human(&e.sources, &e.diagnostics, color))
    };
    let waivers = match waivers {
        Some(path) => waiver::load(&pack, path).map_err(render)?,
        None => Vec::new(),
    };
    let reviews = match reviews {
        Some(path) => review::load(&pack, path).map_err(render)?,
        None => Vec::new(),
    };
    let submission = submission::load(&pack, sub)
        .map_err(|e| CliError::Input(diag::render_human(&e.sources, &e.diagnostics, color)))?;
    let digest = assess::pack_digest(&pack);
    let a = assess::assess(
        &pack,
        &digest,
        &submission,
        &waivers,
        &reviews,
        Options::default(),
    );
    if !a.render_errors.is_empty() {
        return Err(CliError::Input(super::render_error_lines(
            pack_dir,
            &a.render_errors,
        )));
    }
    rectify::from_assessment(&a).map_err(|e| CliError::Usage(e.to_string()))
}

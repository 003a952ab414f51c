//! `kaohe followup`: last cycle's rectification list (or ledger) against this cycle's
//! assessment of the same bureau; the result is the ledger (整改台账).

use std::path::{Path, PathBuf};

use super::{CliError, Outcome};
use crate::followup::{self, Ledger};
use crate::rectify::List;
use crate::{diag, filled, report};

/// Follow up last cycle's rectification list (整改跟踪, 整改台账).
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "kaohe followup [OPTIONS] <PREVIOUS> <PACK> <SUBMISSION>\n       kaohe followup [OPTIONS] <PREVIOUS> <ASSESSMENT.json>"
)]
pub struct Args {
    /// Last cycle's list (its JSON, or its XLSX as the bureau filled it in), or last cycle's
    /// follow-up (its JSON ledger).
    #[arg(value_name = "PREVIOUS")]
    pub previous: PathBuf,
    /// This cycle: the pack directory and the bureau's submission, or the JSON of its
    /// assessment.
    #[arg(required = true, num_args = 1..=2, value_name = "CURRENT")]
    pub current: Vec<PathBuf>,
    /// With a ledger as PREVIOUS: the list of the ledger's year as the bureau filled it in
    /// (XLSX or JSON), for what it reported on each task.
    #[arg(long, value_name = "LIST")]
    pub filled: Option<PathBuf>,
    /// Output format. `xlsx` is the ledger workbook and needs `-o`.
    #[arg(long, value_enum, default_value = "md")]
    pub format: Format,
    /// A waivers file (豁免), with a pack and submission.
    #[arg(long)]
    pub waivers: Option<PathBuf>,
    /// A reviews file (评审, 复核), with a pack and submission.
    #[arg(long)]
    pub reviews: Option<PathBuf>,
    /// Write the follow-up to PATH instead of stdout (a file is replaced whole or not at all).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// Output formats of `kaohe followup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Markdown: a section per status.
    Md,
    /// The ledger (整改台账) as an XLSX workbook: one row per task, a status per cycle.
    Xlsx,
    /// The ledger as JSON (`schemas/followup.schema.json`); it can be the PREVIOUS of the
    /// next cycle's follow-up.
    Json,
}

/// What PREVIOUS turned out to be.
enum Previous {
    List(List),
    Ledger(Ledger),
}

/// Follows up and renders; `main` writes the bytes.
pub fn run(args: &Args, color: bool) -> Result<(Outcome, Vec<u8>), CliError> {
    if args.format == Format::Xlsx && args.output.is_none() {
        return Err(CliError::Usage(
            "`--format xlsx` writes a workbook; name the file with `-o PATH`".into(),
        ));
    }
    let previous = &args.previous;
    let current = match args.current.as_slice() {
        [json] => {
            if args.waivers.is_some() || args.reviews.is_some() {
                return Err(CliError::Usage(
                    "`--waivers` and `--reviews` go with a pack and a submission; an assessment's JSON already applied them".into(),
                ));
            }
            super::rectify::from_json_file(json)?
        }
        [pack, sub] => super::rectify::from_submission(
            pack,
            sub,
            args.waivers.as_deref(),
            args.reviews.as_deref(),
            color,
        )?,
        _ => {
            return Err(CliError::Usage(
                "give last cycle's list or ledger, then a pack and a submission or an assessment's JSON".into(),
            ));
        }
    };
    let shown = diag::display_path(previous);
    let located = |e: followup::FollowupError| CliError::Input(format!("error: {shown}: {e}\n"));
    let base = read_base(previous, args.filled.as_deref())?;
    let ledger = followup::follow_up(&base, &current).map_err(located)?;
    let bytes = match args.format {
        Format::Md => report::followup::markdown(&ledger).into_bytes(),
        Format::Xlsx => report::followup::xlsx(&ledger).map_err(CliError::Usage)?,
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&ledger)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            text.push('\n');
            text.into_bytes()
        }
    };
    Ok((Outcome::Success, bytes))
}

/// Last cycle as a ledger: a ledger as it is, or a list as a ledger of its year; with
/// `filled`, a ledger gets what the bureau reported on the list of its year.
pub fn read_base(previous: &Path, filled: Option<&Path>) -> Result<Ledger, CliError> {
    let mut base = match read_previous(previous)? {
        Previous::List(l) => {
            if filled.is_some() {
                return Err(CliError::Usage(
                    "a filled-in list goes with a ledger as PREVIOUS; a list is read as filled in"
                        .into(),
                ));
            }
            followup::from_list(&l)
        }
        Previous::Ledger(l) => l,
    };
    if let Some(path) = filled {
        let filled_shown = diag::display_path(path);
        match read_previous(path)? {
            Previous::List(l) => {
                let unknown = followup::unknown_tasks(&base, &l);
                let same = l.year == base.year && l.bureau.name == base.bureau.name;
                if same && !unknown.is_empty() {
                    return Err(CliError::Input(unknown_task_errors(
                        path,
                        &filled_shown,
                        &unknown,
                        base.year,
                    )));
                }
                followup::apply_filled(&mut base, &l)
                    .map_err(|e| CliError::Input(format!("error: {filled_shown}: {e}\n")))?
            }
            Previous::Ledger(_) => {
                return Err(CliError::Input(format!(
                    "error: {filled_shown}: a filled-in list is a list, not a ledger\n"
                )));
            }
        }
    }
    Ok(base)
}

/// One located line per task of a filled-in list that the ledger does not hold open.
fn unknown_task_errors(path: &Path, shown: &str, unknown: &[String], year: i64) -> String {
    let places = crate::source::read_bytes(path)
        .map(|bytes| filled::task_places(&bytes, shown))
        .unwrap_or_default();
    unknown
        .iter()
        .map(|id| {
            let place = places
                .iter()
                .find(|(i, _)| i == id)
                .map_or(shown, |(_, p)| p.as_str());
            format!("error: {place}: task `{id}` is not an open task of the ledger of {year}\n")
        })
        .collect()
}

fn read_previous(path: &Path) -> Result<Previous, CliError> {
    let shown = diag::display_path(path);
    let cannot = |e: String| CliError::Input(format!("error: {shown}: {e}\n"));
    // Through the source layer: a regular file only, at most its size limit.
    let bytes = crate::source::read_bytes(path).map_err(|e| cannot(e.describe("it")))?;
    // An XLSX workbook is a zip archive.
    if bytes.starts_with(b"PK") {
        return filled::read(&bytes, &shown)
            .map(Previous::List)
            .map_err(|e| {
                CliError::Input(
                    e.0.iter()
                        .map(|p| format!("error: {p}\n"))
                        .collect::<String>(),
                )
            });
    }
    let text = String::from_utf8(bytes).map_err(|_| cannot("not UTF-8 text".into()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        CliError::Input(format!(
            "error: {shown}:{}:{}: not JSON: {message}\n",
            e.line(),
            diag::char_column(&text, e.line(), e.column())
        ))
    })?;
    let schema = value
        .get("schema")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    if schema == followup::SCHEMA {
        serde_json::from_value(value)
            .map(Previous::Ledger)
            .map_err(|e| cannot(format!("not a follow-up ledger: {e}")))
    } else if schema == crate::rectify::SCHEMA {
        serde_json::from_value(value)
            .map(Previous::List)
            .map_err(|e| cannot(format!("not a rectification list: {e}")))
    } else if schema.starts_with("kaohe.assessment/") {
        crate::rectify::from_json(&value)
            .map(Previous::List)
            .map_err(|e| cannot(e.to_string()))
    } else {
        Err(cannot(format!(
            "not a rectification list, follow-up ledger or assessment (its `schema` is `{schema}`)"
        )))
    }
}

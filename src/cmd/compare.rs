//! `kaohe compare OLD_PACK NEW_PACK SUBMISSION...`: what a pack revision changes.

use std::path::{Path, PathBuf};

use super::{CliError, Outcome, load_pack};
use crate::assess::{self, Assessment, Options};
use crate::compare::{self, Pair};
use crate::pack::Pack;
use crate::{diag, report, submission, waiver};

/// Score the same submissions under two packs and show, per bureau, the score and grade
/// under each and the items whose verdicts moved; overall, which bureaus change grade and
/// because of which items.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pack in force (or last year's).
    pub old: PathBuf,
    /// The revised pack (or this year's).
    pub new: PathBuf,
    /// Submission files (YAML or JSON), one bureau each; a folder stands for every `*.yaml`
    /// and `*.json` directly inside it, in name order.
    #[arg(required = true, value_name = "SUBMISSION")]
    pub submissions: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// A waivers file (豁免), applied under both packs: it must name items both packs have.
    #[arg(long)]
    pub waivers: Option<PathBuf>,
    /// Write the output to PATH instead of stdout (a file is replaced whole or not at all).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// Output formats of `kaohe compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A terminal summary: grade changes, the items behind them, each bureau's changes.
    Text,
    /// The same as Markdown.
    Md,
    /// The comparison as JSON (`schemas/compare.schema.json`).
    Json,
}

/// Compares; every submission is loaded under both packs before anything is rendered, and
/// any that cannot be is bad input (exit 2). `color` is for the diagnostics.
pub fn run(args: &Args, color: bool) -> Result<(Outcome, String), CliError> {
    let old = load_pack(&args.old, color)?;
    let new = load_pack(&args.new, color)?;
    let files = submission_files(&args.submissions)?;
    let waivers = |pack: &Pack| match &args.waivers {
        Some(path) => waiver::load(pack, path)
            .map_err(|e| diag::render_human(&e.sources, &e.diagnostics, color)),
        None => Ok(Vec::new()),
    };
    let mut problems = String::new();
    let (old_waivers, new_waivers) = match (waivers(&old), waivers(&new)) {
        (Ok(o), Ok(n)) => (o, n),
        (o, n) => {
            problems.push_str(&under_both(&args.new, o.err(), n.err()));
            (Vec::new(), Vec::new())
        }
    };
    let mut loaded = Vec::with_capacity(files.len());
    for path in &files {
        let render = |pack: &Pack| {
            submission::load(pack, path)
                .map_err(|e| diag::render_human(&e.sources, &e.diagnostics, color))
        };
        match (render(&old), render(&new)) {
            (Ok(o), Ok(n)) => loaded.push((path, o, n)),
            (o, n) => problems.push_str(&under_both(&args.new, o.err(), n.err())),
        }
    }
    if !problems.is_empty() {
        return Err(CliError::Input(problems));
    }
    let (old_digest, new_digest) = (assess::pack_digest(&old), assess::pack_digest(&new));
    let options = Options::default();
    let assessed: Vec<(String, Assessment, Assessment)> = loaded
        .iter()
        .map(|(path, o, n)| {
            (
                diag::display_path(path),
                assess::assess(&old, &old_digest, o, &old_waivers, &[], options),
                assess::assess(&new, &new_digest, n, &new_waivers, &[], options),
            )
        })
        .collect();
    let pairs: Vec<Pair> = assessed
        .iter()
        .map(|(file, o, n)| Pair {
            file: file.clone(),
            old: o,
            new: n,
        })
        .collect();
    let comparison = compare::compare(&old, &new, &pairs);
    let text = match args.format {
        Format::Text => report::compare::text(&comparison, super::terminal_width()),
        Format::Md => report::compare::markdown(&comparison),
        Format::Json => report::compare::json(&comparison),
    };
    Ok((Outcome::Success, text))
}

/// The diagnostics of a file read under both packs: once when both packs find the same
/// problems, else each pack's, those under the new pack marked as such.
fn under_both(new_pack: &Path, old: Option<String>, new: Option<String>) -> String {
    match (old, new) {
        (Some(o), Some(n)) if o == n => o,
        (o, n) => {
            let mut out = o.unwrap_or_default();
            if let Some(n) = n {
                out.push_str(&n);
                out.push_str(&format!(
                    "note: the problems above are found under the new pack `{}`\n",
                    diag::display_path(new_pack)
                ));
            }
            out
        }
    }
}

/// The submission files: each file as given, each folder's `*.yaml` and `*.json` files (not
/// its sub-folders) in name order.
fn submission_files(given: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in given {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|e| {
            CliError::Usage(format!(
                "cannot read the folder `{}`: {e}",
                diag::display_path(path)
            ))
        })?;
        let mut inside: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                !p.is_dir()
                    && p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                        x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("json")
                    })
            })
            .collect();
        if inside.is_empty() {
            return Err(CliError::Usage(format!(
                "the folder `{}` holds no submission (`*.yaml` or `*.json`)",
                diag::display_path(path)
            )));
        }
        inside.sort();
        files.extend(inside);
    }
    Ok(files)
}

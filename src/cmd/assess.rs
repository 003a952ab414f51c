//! `kaohe assess PACK SUBMISSION...`: score submissions and write the gap report.

use std::path::PathBuf;

use super::{CliError, Outcome, load_pack};
use crate::assess::{self, Assessment, Options};
use crate::diag::{self, did_you_mean};
use crate::{report, review, submission, waiver};

/// Score submissions against a pack and print the gap report.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pack directory.
    pub pack: PathBuf,
    /// Submissions, one bureau each: YAML, JSON or a filled-in workbook (`kaohe template`);
    /// with `-o DIR/` (a round), a directory stands for the submissions directly inside it.
    #[arg(required = true)]
    pub submissions: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// A waivers file (豁免): items or rows exempted until a date.
    #[arg(long)]
    pub waivers: Option<PathBuf>,
    /// A reviews file (评审): reviewers' points for the items the pack scores by review,
    /// with reasons. One bureau's: it needs a single submission.
    #[arg(long)]
    pub reviews: Option<PathBuf>,
    /// Print how this item's verdict and points were computed, row by row, instead of
    /// the report. Text only: it cannot be combined with `--format md` or `json` (the JSON
    /// report gives each item's explanation under `explain`).
    #[arg(long, value_name = "ITEM")]
    pub explain: Option<String>,
    /// Add the scoring sheet (评分表) to the text or Markdown report: every item with its
    /// points, status, measured value and points awarded, by section with subtotals.
    #[arg(long)]
    pub sheet: bool,
    /// Exit 1 when a score is below SCORE (from 0 to the pack's total plus its bonus cap);
    /// each bureau below it is named on stderr.
    #[arg(long, value_name = "SCORE")]
    pub fail_under: Option<f64>,
    /// Exit 1 when a veto item failed, or its data is missing (待核实: nobody can certify it);
    /// each such bureau is named on stderr.
    #[arg(long)]
    pub fail_on_veto: bool,
    /// Exit 1 when a submission is incomplete: a fact or register that the pack's data
    /// dictionary marks required is absent; each such bureau is named on stderr with what
    /// it lacks. Without it, absent data is missing data and the report lists it (缺报清单).
    #[arg(long)]
    pub require_complete: bool,
    /// Last cycle's rectification list (JSON, or the XLSX the bureau filled in) or ledger
    /// (`kaohe followup --format json`): the pack's `scoring.followup` deductions for
    /// false claims (虚报整改) and repeats (屡查屡犯) are taken from the score. One bureau's:
    /// it needs a single submission.
    #[arg(long, value_name = "LIST_OR_LEDGER")]
    pub previous: Option<PathBuf>,
    /// With a ledger as `--previous`: the list of the ledger's year as the bureau filled it
    /// in (XLSX or JSON).
    #[arg(long, value_name = "LIST", requires = "previous")]
    pub previous_filled: Option<PathBuf>,
    /// Write the output to PATH instead of stdout (a file is replaced whole or not at all).
    /// A directory (one that exists, or a path ending in `/`) runs a round: each bureau's
    /// report (md, json) and rectification list (xlsx) under `PATH/bureaus/`, and the
    /// round's summary (`summary.md`, `.json`, `.csv`, `.xlsx`, `.html`) in `PATH`.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// In a round: how many bureaus are assessed at once (default: one per core). The
    /// outputs are the same bytes whatever the number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// In a round: stop at the first submission that cannot be assessed, exit 2 and write
    /// nothing. Without it, such a submission is reported, skipped and listed in the summary.
    #[arg(long)]
    pub strict: bool,
    /// In a round: the files written for each bureau under `PATH/bureaus/`, comma-separated:
    /// `md` (the gap report), `json` (the assessment), `xlsx` (the rectification list).
    /// Default: all three. The summary is always written.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "FILES")]
    pub per_bureau: Option<Vec<BureauFile>>,
}

/// A file a round writes for each bureau.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BureauFile {
    Md,
    Json,
    Xlsx,
}

impl Args {
    /// The directory of a round, when `-o` names one: an existing directory, or a path
    /// ending in `/`.
    pub fn round_dir(&self) -> Option<&std::path::Path> {
        let out = self.output.as_deref()?;
        let text = out.as_os_str().to_string_lossy();
        (out.is_dir() || text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR))
            .then_some(out)
    }
}

/// Output formats of `kaohe assess`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A terminal summary: score, grade, vetoes, sections, gaps.
    Text,
    /// The gap report as Markdown.
    Md,
    /// The assessment as JSON (`schemas/assessment.schema.json`).
    Json,
}

/// Assesses every submission; all are loaded and validated before anything is rendered.
/// The report goes to stdout or `args.output`; `main` writes it. `color` is for the
/// diagnostics of bad input.
pub fn run(args: &Args, color: bool) -> Result<(Outcome, String), CliError> {
    if let Some(dir) = args.round_dir() {
        return super::round::run(args, dir, color).map(|o| (o, String::new()));
    }
    if args.jobs.is_some() || args.strict || args.per_bureau.is_some() {
        return Err(CliError::Usage(
            "`--jobs`, `--strict` and `--per-bureau` are for a round: name a directory with \
             `-o DIR/`"
                .into(),
        ));
    }
    if args.explain.is_some() && args.format != Format::Text {
        let format = match args.format {
            Format::Md => "md",
            _ => "json",
        };
        return Err(CliError::Usage(format!(
            "`--explain` prints text and cannot be combined with `--format {format}` \
             (the JSON report gives each item's explanation under `explain`)"
        )));
    }
    let pack = load_pack(&args.pack, color)?;
    if let Some(min) = args.fail_under {
        let max = pack.scoring.total + pack.scoring.bonus_cap.unwrap_or(0.0);
        if !min.is_finite() || min < 0.0 || min > max {
            return Err(CliError::Usage(format!(
                "`--fail-under` is a score from 0 to {} (the pack's total and bonus cap), \
                 not `{min}`",
                fmt_score(max)
            )));
        }
    }
    let waivers = match &args.waivers {
        Some(path) => waiver::load(&pack, path)
            .map_err(|e| CliError::Input(diag::render_human(&e.sources, &e.diagnostics, color)))?,
        None => Vec::new(),
    };
    if args.reviews.is_some() && args.submissions.len() > 1 {
        return Err(CliError::Usage(format!(
            "`--reviews` gives one bureau's reviews and takes one submission, not {}",
            args.submissions.len()
        )));
    }
    if args.previous.is_some() && args.submissions.len() > 1 {
        return Err(CliError::Usage(format!(
            "`--previous` gives one bureau's list and takes one submission, not {}",
            args.submissions.len()
        )));
    }
    let previous = match &args.previous {
        Some(path) => {
            if pack.scoring.followup.is_none() {
                return Err(CliError::Usage(format!(
                    "the pack `{}` sets no `scoring.followup`: `--previous` would cost nothing",
                    diag::display_path(&args.pack)
                )));
            }
            Some((
                path,
                super::followup::read_base(path, args.previous_filled.as_deref())?,
            ))
        }
        None => None,
    };
    let reviews = match &args.reviews {
        Some(path) => review::load(&pack, path)
            .map_err(|e| CliError::Input(diag::render_human(&e.sources, &e.diagnostics, color)))?,
        None => Vec::new(),
    };
    if let Some(id) = args.explain.as_deref()
        && pack.item(id).is_none()
    {
        // Item ids are matched exactly; one that differs only in case is the likeliest meant.
        let same_but_case = pack
            .items
            .iter()
            .map(|i| i.id.as_str())
            .find(|i| i.eq_ignore_ascii_case(id));
        let hint = same_but_case
            .or_else(|| did_you_mean(id, pack.items.iter().map(|i| i.id.as_str())))
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(CliError::Usage(format!(
            "the pack has no item `{id}`{hint}"
        )));
    }
    let digest = assess::pack_digest(&pack);
    let options = Options {
        explain_rows: args.explain.is_some(),
    };
    // Each submission is read, assessed and its report rendered on every core; only the
    // rendered report and the lines for `--fail-*` are kept, and everything is written when
    // every submission has been read (nothing is written when one cannot be).
    let many = args.submissions.len() > 1;
    let width = super::terminal_width();
    let previous = previous.as_ref();
    let one = |path: &PathBuf| -> Result<Report, Failure> {
        let s = submission::load(&pack, path).map_err(|e| {
            Failure::Unreadable(diag::render_human(&e.sources, &e.diagnostics, color))
        })?;
        let mut a = assess::assess(&pack, &digest, &s, &waivers, &reviews, options);
        drop(s);
        if let Some((previous_path, ledger)) = previous {
            crate::followup::apply(&mut a, &pack, ledger).map_err(|e| {
                Failure::Other(CliError::Input(format!(
                    "error: {}: {e}\n",
                    diag::display_path(previous_path)
                )))
            })?;
        }
        if !a.render_errors.is_empty() {
            return Err(Failure::Other(CliError::Input(super::render_error_lines(
                &args.pack,
                &a.render_errors,
            ))));
        }
        let unmet = unmet(args, &a, path);
        let mut text = match args.explain.as_deref() {
            Some(id) => report::explain(&a, id, width),
            None => Some(render(&a, args.format, width, args.sheet, many).map_err(Failure::Other)?),
        };
        // Kept until every report is made: no more than its length.
        if let Some(t) = &mut text {
            t.shrink_to_fit();
        }
        Ok((text, unmet))
    };
    let results: Vec<Result<Report, Failure>> = {
        use rayon::prelude::*;
        args.submissions.par_iter().map(one).collect()
    };
    // Every unreadable submission is reported; otherwise the first other error.
    let mut unreadable = String::new();
    let mut other = None;
    let mut reports = Vec::with_capacity(results.len());
    let mut unmet_lines = Vec::new();
    for result in results {
        match result {
            Ok((text, unmet)) => {
                reports.extend(text);
                unmet_lines.extend(unmet);
            }
            Err(Failure::Unreadable(e)) => unreadable.push_str(&e),
            Err(Failure::Other(e)) => {
                other.get_or_insert(e);
            }
        }
    }
    if !unreadable.is_empty() {
        return Err(CliError::Input(unreadable));
    }
    if let Some(e) = other {
        return Err(e);
    }
    let outcome = if unmet_lines.is_empty() {
        Outcome::Success
    } else {
        Outcome::Unmet(unmet_lines)
    };
    let text = match (args.explain.is_some(), args.format) {
        (true, _) | (false, Format::Text) => join(reports, "", "\n", ""),
        (false, Format::Json) if many => join(reports, "[\n", ",\n", "\n]\n"),
        (false, Format::Json) => join(reports, "", "", ""),
        (false, Format::Md) => join(reports, "", "\n---\n\n", ""),
    };
    Ok((outcome, text))
}

/// The reports as one text, each freed as soon as it is copied.
fn join(reports: Vec<String>, head: &str, separator: &str, tail: &str) -> String {
    let length = head.len()
        + tail.len()
        + reports.iter().map(String::len).sum::<usize>()
        + separator.len() * reports.len().saturating_sub(1);
    let mut out = String::with_capacity(length);
    out.push_str(head);
    for (i, report) in reports.into_iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(&report);
    }
    out.push_str(tail);
    out
}

/// A bureau's rendered report (none when `--explain` has nothing to show for it) and the
/// lines of `--fail-*` it fails.
type Report = (Option<String>, Vec<String>);

/// Why a submission gave no report.
enum Failure {
    /// It cannot be read: its diagnostics.
    Unreadable(String),
    Other(CliError),
}

/// What a bureau fails of `--fail-under`, `--fail-on-veto` and `--require-complete`.
fn unmet(args: &Args, a: &Assessment, path: &std::path::Path) -> Vec<String> {
    let mut unmet = Vec::new();
    let bureau = format!(
        "{}: bureau `{}`",
        diag::display_path(path),
        a.submission.bureau.name
    );
    if let Some(min) = args.fail_under
        && a.score.score + 1e-9 < min
    {
        unmet.push(format!(
            "{bureau}: score {} is below `--fail-under {}`",
            fmt_score(a.score.score),
            fmt_score(min)
        ));
    }
    let named = |ids: &[String]| {
        ids.iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if args.fail_on_veto && a.score.vetoed {
        unmet.push(format!(
            "{bureau}: vetoed by {} (`--fail-on-veto`)",
            named(&a.score.vetoes)
        ));
    }
    if args.fail_on_veto && !a.score.vetoes_unverified.is_empty() {
        unmet.push(format!(
            "{bureau}: veto {} cannot be judged, its data is missing (`--fail-on-veto`)",
            named(&a.score.vetoes_unverified)
        ));
    }
    if args.require_complete && a.is_incomplete() {
        let absent: Vec<String> = a
            .incomplete
            .iter()
            .filter(|x| x.required)
            .map(|x| {
                let kind = match x.kind {
                    crate::assess::AbsentKind::Fact => "fact",
                    crate::assess::AbsentKind::Register => "register",
                };
                format!("{kind} `{}`", x.name)
            })
            .collect();
        unmet.push(format!(
            "{bureau}: incomplete, required {} not given (`--require-complete`)",
            absent.join(", ")
        ));
    }
    unmet
}

/// A score as the reports round it (2 decimals), without trailing zeros.
pub(super) fn fmt_score(x: f64) -> String {
    let rounded = (x * 100.0).round() / 100.0;
    format!("{rounded}")
}

/// One bureau's report. In a JSON array of several (`many`), the report is indented as an
/// element of the array.
fn render(
    a: &Assessment,
    format: Format,
    width: usize,
    sheet: bool,
    many: bool,
) -> Result<String, CliError> {
    Ok(match format {
        Format::Json if many => {
            let one = serde_json::to_string_pretty(a).unwrap_or_default();
            let mut out = String::with_capacity(one.len() + one.len() / 8);
            for (i, line) in one.lines().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str("  ");
                out.push_str(line);
            }
            out
        }
        Format::Json => report::json(a),
        Format::Text => {
            let mut text = report::text_in(a, width);
            if sheet {
                text.push_str(&report::sheet_text(a, width));
            }
            text
        }
        Format::Md => if sheet {
            report::markdown_with_sheet(a)
        } else {
            report::markdown(a)
        }
        .map_err(|e| {
            CliError::Input(format!(
                "error: the Markdown report cannot be written: {e}\n"
            ))
        })?,
    })
}

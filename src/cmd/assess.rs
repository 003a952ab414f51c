//! `kaohe assess PACK SUBMISSION...`: score submissions and write the gap report.

use std::path::{Path, PathBuf};

use super::{CliError, Outcome, load_pack};
use crate::assess::{self, Assessment, Options};
use crate::diag::{self, did_you_mean};
use crate::{report, submission, waiver};

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

/// What `kaohe assess` was asked to do.
pub struct Request<'a> {
    pub pack: &'a Path,
    pub submissions: &'a [PathBuf],
    pub format: Format,
    pub waivers: Option<&'a Path>,
    pub explain: Option<&'a str>,
    pub fail_under: Option<f64>,
    pub fail_on_veto: bool,
    pub color: bool,
}

/// Assesses every submission; all are loaded and validated before anything is rendered.
pub fn run(req: &Request) -> Result<(Outcome, String), CliError> {
    let pack = load_pack(req.pack, req.color)?;
    let waivers = match req.waivers {
        Some(path) => waiver::load(&pack, path).map_err(|e| {
            CliError::Input(diag::render_human(&e.sources, &e.diagnostics, req.color))
        })?,
        None => Vec::new(),
    };
    if let Some(id) = req.explain
        && pack.item(id).is_none()
    {
        let hint = did_you_mean(id, pack.items.iter().map(|i| i.id.as_str()))
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(CliError::Usage(format!(
            "the pack has no item `{id}`{hint}"
        )));
    }
    let mut loaded = Vec::with_capacity(req.submissions.len());
    let mut problems = String::new();
    for path in req.submissions {
        match submission::load(&pack, path) {
            Ok(s) => loaded.push(s),
            Err(e) => problems.push_str(&diag::render_human(&e.sources, &e.diagnostics, req.color)),
        }
    }
    if !problems.is_empty() {
        return Err(CliError::Input(problems));
    }
    let digest = assess::pack_digest(&pack);
    let options = Options {
        explain_rows: req.explain.is_some(),
    };
    let assessments: Vec<Assessment> = loaded
        .iter()
        .map(|s| assess::assess(&pack, &digest, s, &waivers, options))
        .collect();
    let outcome = if assessments.iter().any(|a| {
        req.fail_under.is_some_and(|min| a.score.score + 1e-9 < min)
            || (req.fail_on_veto && a.score.vetoed)
    }) {
        Outcome::Problems
    } else {
        Outcome::Success
    };
    let text = match req.explain {
        Some(id) => assessments
            .iter()
            .filter_map(|a| {
                report::explain(a, id).map(|t| format!("{}\n{t}", a.submission.bureau.name))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        None => render(&assessments, req.format),
    };
    Ok((outcome, text))
}

fn render(assessments: &[Assessment], format: Format) -> String {
    match (format, assessments) {
        (Format::Json, [one]) => report::json(one),
        (Format::Json, many) => {
            let mut out = serde_json::to_string_pretty(many).unwrap_or_default();
            out.push('\n');
            out
        }
        (Format::Text, many) => many.iter().map(report::text).collect::<Vec<_>>().join("\n"),
        (Format::Md, many) => many
            .iter()
            .map(report::markdown)
            .collect::<Vec<_>>()
            .join("\n---\n\n"),
    }
}

//! Rendering an assessment: text (terminal), Markdown and JSON. Renderers only format what
//! the assessment holds; they compute no verdicts.

mod markdown;
mod text;

pub use markdown::markdown;
pub use text::{explain, text};

use crate::assess::{Assessment, ItemOutcome};

/// The assessment as pretty JSON (stable key order, trailing newline).
pub fn json(assessment: &Assessment) -> String {
    let mut out = serde_json::to_string_pretty(assessment).unwrap_or_default();
    out.push('\n');
    out
}

/// Items that lost points or could not be scored, the heaviest loss first (ties by pack
/// order), then failed vetoes.
pub fn gaps(assessment: &Assessment) -> Vec<&ItemOutcome> {
    let mut gaps: Vec<(usize, &ItemOutcome)> = assessment
        .items
        .iter()
        .enumerate()
        .filter(|(_, o)| o.status.is_gap() || (o.kind == crate::pack::ItemKind::Veto && o.status == crate::score::Status::Fail))
        .collect();
    gaps.sort_by(|(ia, a), (ib, b)| {
        let veto = |o: &ItemOutcome| o.kind == crate::pack::ItemKind::Veto;
        veto(b)
            .cmp(&veto(a))
            .then(b.deducted.total_cmp(&a.deducted))
            .then(ia.cmp(ib))
    });
    gaps.into_iter().map(|(_, o)| o).collect()
}

//! The scoring sheet (评分表): every item with its points, status, measured value and the
//! points it earned, grouped by section with section subtotals.

use serde::Serialize;

use crate::assess::{Assessment, ItemOutcome};
use crate::num::show;
use crate::pack::ItemKind;
use crate::score::Status;

#[derive(Debug, Clone, Serialize)]
pub struct SheetSection {
    pub title: String,
    /// 1 for a top-level section, 2 for one inside it, ...
    pub level: usize,
    pub points: String,
    pub rows: Vec<SheetRow>,
    /// `计分基数10，得分9，扣分1`.
    pub subtotal: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SheetRow {
    pub id: String,
    pub title: String,
    /// `3`, `加分上限2`, `否决项`.
    pub points: String,
    pub status: &'static str,
    pub measured: String,
    /// `2.5`, `不计分`, `+1`, `否决`.
    pub awarded: String,
}

/// The sheet's sections, in pack order (each parent before its children, its subtotal
/// covering theirs).
pub fn sheet(a: &Assessment) -> Vec<SheetSection> {
    a.sections
        .iter()
        .map(|s| SheetSection {
            title: s.title.clone(),
            level: s.level,
            points: show(s.points),
            rows: a
                .items
                .iter()
                .filter(|o| o.section == s.id)
                .map(row)
                .collect(),
            subtotal: format!(
                "计分基数{}，得分{}，扣分{}{}",
                show(s.available),
                show(s.awarded),
                show(s.deducted),
                // A parent's subtotal covers the sections below it, listed after it.
                if a.sections.iter().any(|c| c.parent.as_ref() == Some(&s.id)) {
                    "（含下级指标）"
                } else {
                    ""
                }
            ),
        })
        .collect()
}

/// The line under the sheet: how the score follows from the sections.
pub fn sheet_total(a: &Assessment) -> String {
    let s = &a.score;
    let mut out = format!(
        "合计：计分基数{}，得分{}",
        show(s.available),
        show(s.awarded)
    );
    if (s.available - s.total).abs() > 1e-9 {
        out.push_str(&format!("，折算基础分{}", show(s.base)));
    }
    out.push_str(&format!("，加分{}", show(s.bonus)));
    if let Some(d) = s.self_deduction {
        out.push_str(&format!("，自评多报扣分{}", show(d)));
    }
    out.push_str(&format!("，核定分{}，等次{}", show(s.score), s.grade));
    out
}

fn row(o: &ItemOutcome) -> SheetRow {
    let points = match o.kind {
        ItemKind::Veto => "否决项".to_string(),
        ItemKind::Bonus => format!("加分上限{}", show(o.points)),
        ItemKind::Standard => show(o.points),
    };
    let awarded = match (o.kind, o.status) {
        (ItemKind::Veto, Status::Fail) => "否决".to_string(),
        (ItemKind::Veto, Status::MissingData) => "待核实".to_string(),
        (ItemKind::Veto, _) => "未触发".to_string(),
        (ItemKind::Bonus, _) if o.awarded > 0.0 => format!("+{}", show(o.awarded)),
        (ItemKind::Bonus, _) => "0".to_string(),
        (ItemKind::Standard, _) if o.available <= 0.0 => "不计分".to_string(),
        (ItemKind::Standard, _) => show(o.awarded),
    };
    SheetRow {
        id: o.id.clone(),
        title: o.title.clone(),
        points,
        status: super::status_label(o.status),
        // A reviewed item's "measured" is what its reviewers gave.
        // A re-checked item's adds its re-check score, which its points follow.
        measured: match (&o.review, &o.measured, &o.recheck) {
            (Some(r), _, _) => super::steps::review(r),
            (None, Some(q), Some(r)) => {
                format!(
                    "{}；{}",
                    super::sourced(q, o.source),
                    super::steps::recheck_score(r)
                )
            }
            (None, Some(q), None) => super::sourced(q, o.source),
            (None, None, Some(r)) => super::steps::recheck_score(r),
            (None, None, None) => "—".to_string(),
        },
        awarded,
    }
}

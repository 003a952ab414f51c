//! The scores side by side (自评分 | 核定分 | 复核分 | 得分), the re-checked items (复核项) and
//! the self-assessment's credibility (自评可信度), in words.

use serde::Serialize;

use crate::assess::{Assessment, SelfAssessment};
use crate::num::show;
use crate::score::Status;

/// One row of the side-by-side table: each cell as written.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreRow {
    pub id: String,
    pub title: String,
    /// 自评分, or `—` when the item has none.
    pub self_score: String,
    /// 核定分, or `待评` for a reviewed item nobody has scored.
    pub assessed: String,
    /// 复核分 with its reviewers, `3（专家甲 3、专家乙 3.5、专家丙 2.5，取平均）`, or `—`.
    pub recheck: String,
    /// 得分: the final score.
    pub awarded: String,
}

/// The side-by-side table: which columns it has, a row per item that counts (in section
/// order) and the totals (合计).
#[derive(Debug, Clone, Serialize)]
pub struct ScoreTable {
    /// The submission gives self-scores: the 自评分 column is shown.
    pub with_self: bool,
    /// Some item has a re-check score: the 复核分 column is shown.
    pub with_recheck: bool,
    pub rows: Vec<ScoreRow>,
    pub total: ScoreRow,
}

impl ScoreTable {
    /// The column headers, in order.
    pub fn header(&self) -> Vec<&'static str> {
        let mut h = vec!["编号", "考核内容"];
        if self.with_self {
            h.push("自评分");
        }
        h.push("核定分");
        if self.with_recheck {
            h.push("复核分");
        }
        h.push("得分");
        h
    }

    /// A row's cells under [`header`](Self::header).
    pub fn cells<'r>(&self, r: &'r ScoreRow) -> Vec<&'r str> {
        let mut c = vec![r.id.as_str(), r.title.as_str()];
        if self.with_self {
            c.push(&r.self_score);
        }
        c.push(&r.assessed);
        if self.with_recheck {
            c.push(&r.recheck);
        }
        c.push(&r.awarded);
        c
    }
}

const NONE: &str = "—";

/// The side-by-side table, when some item has a re-check score (re-checked or reviewed):
/// without one, 核定分 and 得分 are the same and the self-score check (自评分核对) lists
/// where the self-scores differ.
pub fn score_table(a: &Assessment) -> Option<ScoreTable> {
    let with_self = a.self_assessment.is_some();
    let with_recheck = a.columns.recheck_total.is_some();
    if !with_recheck {
        return None;
    }
    let rows = super::in_section_order(a)
        .filter(|o| o.counts())
        .map(|o| ScoreRow {
            id: o.id.clone(),
            title: o.title.clone(),
            self_score: o.self_score.map_or(NONE.into(), show),
            assessed: if o.status == Status::Pending {
                super::status_label(Status::Pending).into()
            } else {
                show(o.assessed)
            },
            recheck: match (&o.recheck, &o.review) {
                (Some(r), _) => super::steps::reviewers(r.combined, &r.scores, r.combine),
                (None, Some(r)) if !r.scores.is_empty() => {
                    super::steps::reviewers(r.combined, &r.scores, r.combine)
                }
                _ => NONE.into(),
            },
            awarded: show(o.awarded),
        })
        .collect();
    let c = &a.columns;
    let total = ScoreRow {
        id: "合计".into(),
        title: format!("{}项", c.items),
        self_score: c.self_total.map_or(NONE.into(), show),
        assessed: show(c.assessed_total),
        recheck: c
            .recheck_total
            .map_or(NONE.into(), |t| format!("{}（{}项）", show(t), c.rechecked)),
        awarded: show(c.final_total),
    };
    Some(ScoreTable {
        with_self,
        with_recheck,
        rows,
        total,
    })
}

/// A re-checked item in a report: what its reviewers gave and what it kept, and each
/// reviewer's reason.
#[derive(Debug, Clone, Serialize)]
pub struct Rechecked {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub reasons: Vec<String>,
}

/// The items re-checked by reviewers (复核项), in pack order.
pub fn rechecked(a: &Assessment) -> Vec<Rechecked> {
    a.items
        .iter()
        .filter_map(|o| {
            let r = o.recheck.as_ref()?;
            Some(Rechecked {
                id: o.id.clone(),
                title: o.title.clone(),
                summary: super::steps::recheck(r),
                reasons: super::steps::recheck_reasons(r),
            })
        })
        .collect()
}

/// The credibility line: `自评可信度：4项中3项自评分与得分一致（75%），自评多报4.5分`.
pub fn credibility(sa: &SelfAssessment) -> Option<String> {
    let share = sa.credibility?;
    let tolerance = if sa.tolerance > 0.0 {
        format!("（相差不超过{}分视为一致）", show(sa.tolerance))
    } else {
        String::new()
    };
    let over = if sa.overstated > 0.0 {
        format!("，自评多报{}分", show(sa.overstated))
    } else {
        "，无自评多报".into()
    };
    Some(format!(
        "自评可信度：{}项中{}项自评分与得分一致{tolerance}（{}）{over}",
        sa.compared,
        sa.matched,
        crate::num::percent(share)
    ))
}

/// The deduction's arithmetic: `自评多报4.5分，按每分扣0.5分，扣2.25分`, with the cap or the
/// floor of 0 when either stopped it.
pub fn self_deduction(sa: &SelfAssessment) -> Option<String> {
    let d = sa.deduction.as_ref()?;
    let mut text = format!(
        "自评多报{}分，按每分扣{}分",
        show(sa.overstated),
        show(d.per_point)
    );
    if let Some(cap) = d.cap
        && d.raw > cap + 1e-9
    {
        text.push_str(&format!("计{}分，超过上限{}分", show(d.raw), show(cap)));
    }
    let capped = d.cap.map_or(d.raw, |c| d.raw.min(c));
    if d.deducted + 1e-9 < capped {
        text.push_str("，扣至0分为止");
    }
    text.push_str(&format!("，扣{}分", show(d.deducted)));
    Some(text)
}

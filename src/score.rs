//! Scoring: an item's points from its check result and deduction style, and the grade from
//! the pack's bands. Plain arithmetic over plain data.

use serde::{Deserialize, Serialize};

use crate::checks::{CheckResult, CheckVerdict};
use crate::num;
use crate::pack::{
    Award, AwardStyle, Deduct, DeductStyle, Item, ItemKind, MissingDataPolicy, NotApplicablePolicy,
    Scoring,
};

/// An item's status in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Partial,
    Fail,
    NotApplicable,
    MissingData,
    Waived,
}

impl Status {
    /// The Chinese label used in reports.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "达标",
            Status::Partial => "部分达标",
            Status::Fail => "未达标",
            Status::NotApplicable => "不适用",
            Status::MissingData => "缺数据",
            Status::Waived => "豁免",
        }
    }

    fn is_gap(self) -> bool {
        matches!(self, Status::Partial | Status::Fail | Status::MissingData)
    }
}

/// An item's points.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemScore {
    pub status: Status,
    /// Points that count in the denominator (0 for an excluded item; for bonus items the most
    /// it can add).
    pub available: f64,
    pub awarded: f64,
    pub deducted: f64,
    /// Whether a veto item failed.
    pub vetoed: bool,
    /// Whether the item goes on the gap list (问题清单) and gets a rectification task: a
    /// standard item that lost points or could not be scored, a veto item that fired or could
    /// not be judged. Bonus, waived and not-applicable items never are.
    pub gap: bool,
    /// The arithmetic, in words.
    pub explain: Vec<String>,
}

/// How an item that does not count (not applicable, waived, missing data under the
/// `not_applicable` policy) is scored.
fn excluded(item: &Item, status: Status, scoring: &Scoring, why: &str) -> ItemScore {
    let award =
        scoring.not_applicable == NotApplicablePolicy::Award && item.kind == ItemKind::Standard;
    let (available, awarded) = if award {
        (item.points, item.points)
    } else {
        (0.0, 0.0)
    };
    let explain = if award {
        format!("{why}：按规则包计满分{}分", num::show(item.points))
    } else if item.kind == ItemKind::Standard {
        format!("{why}：{}分不计入总分基数", num::show(item.points))
    } else {
        format!("{why}：不计分")
    };
    ItemScore {
        status,
        available,
        awarded,
        deducted: 0.0,
        vetoed: false,
        gap: false,
        explain: vec![explain],
    }
}

/// Scores an item whose check produced `result` (the item applies and is not waived).
pub fn score_item(item: &Item, result: &CheckResult, scoring: &Scoring) -> ItemScore {
    match result.verdict {
        CheckVerdict::NotApplicable => {
            return excluded(item, Status::NotApplicable, scoring, "不适用");
        }
        CheckVerdict::MissingData if scoring.missing_data == MissingDataPolicy::NotApplicable => {
            return excluded(
                item,
                Status::MissingData,
                scoring,
                "缺数据（按规则包视同不适用）",
            );
        }
        _ => {}
    }
    match item.kind {
        ItemKind::Veto => veto(result),
        ItemKind::Bonus => bonus(item, result),
        ItemKind::Standard => standard(item, result),
    }
}

fn veto(result: &CheckResult) -> ItemScore {
    let (status, vetoed, line) = match result.verdict {
        CheckVerdict::Pass => (Status::Pass, false, "未触发一票否决"),
        CheckVerdict::MissingData => (
            Status::MissingData,
            false,
            "缺数据：无法判定是否触发一票否决",
        ),
        _ => (Status::Fail, true, "触发一票否决"),
    };
    ItemScore {
        status,
        available: 0.0,
        awarded: 0.0,
        deducted: 0.0,
        vetoed,
        gap: status != Status::Pass,
        explain: vec![line.into()],
    }
}

fn bonus(item: &Item, result: &CheckResult) -> ItemScore {
    let points = item.points;
    let (awarded, line) = match (result.verdict, item.award) {
        (CheckVerdict::Pass, Some(Award::PerUnit { per_unit })) => {
            let raw = result.counted * per_unit;
            let awarded = raw.min(points);
            (
                awarded,
                format!(
                    "加分：{} × {} = {}，本项最多{}分 → 加{}分",
                    num::show(result.counted),
                    num::show(per_unit),
                    num::show(raw),
                    num::show(points),
                    num::show(awarded)
                ),
            )
        }
        (CheckVerdict::Pass, None | Some(Award::Style(AwardStyle::All))) => {
            (points, format!("加分：达标加{}分", num::show(points)))
        }
        _ => (0.0, "加分：未达标，不加分".into()),
    };
    let awarded = num::round2(awarded);
    ItemScore {
        status: if awarded > 0.0 {
            Status::Pass
        } else {
            Status::Fail
        },
        available: points,
        awarded,
        deducted: 0.0,
        vetoed: false,
        gap: false,
        explain: vec![line],
    }
}

fn standard(item: &Item, result: &CheckResult) -> ItemScore {
    let points = item.points;
    if result.verdict == CheckVerdict::Pass {
        return ItemScore {
            status: Status::Pass,
            available: points,
            awarded: points,
            deducted: 0.0,
            vetoed: false,
            gap: false,
            explain: vec![format!("达标：得{}分", num::show(points))],
        };
    }
    let missing = result.verdict == CheckVerdict::MissingData;
    // Sub-parts score on their own (各得N分): a part whose data is missing earns nothing, the
    // others keep their points.
    let additive = item.deduct == Deduct::Style(DeductStyle::Additive) && !result.parts.is_empty();
    let (awarded, line) = if missing && !additive {
        (
            0.0,
            format!("缺数据：按未完成计，得0分（扣{}分）", num::show(points)),
        )
    } else {
        match item.deduct {
            Deduct::Style(DeductStyle::All) => (
                0.0,
                format!("全有或全无：未达标，得0分（扣{}分）", num::show(points)),
            ),
            Deduct::Style(DeductStyle::Proportional) => {
                let share = result.share.unwrap_or(0.0).clamp(0.0, 1.0);
                let awarded = points * share;
                (
                    awarded,
                    format!(
                        "按比例：{} × {} = {}分",
                        num::show(points),
                        num::percent(share),
                        num::show(awarded)
                    ),
                )
            }
            Deduct::Style(DeductStyle::Additive) => {
                let mut earned = 0.0;
                let mut terms = Vec::new();
                for part in &result.parts {
                    let p = part.points.unwrap_or(0.0);
                    let got = if matches!(
                        part.verdict,
                        CheckVerdict::Pass | CheckVerdict::NotApplicable
                    ) {
                        p
                    } else {
                        0.0
                    };
                    earned += got;
                    let note = if part.verdict == CheckVerdict::MissingData {
                        "（缺数据）"
                    } else {
                        ""
                    };
                    terms.push(format!("{}{note} {}分", part.label, num::show(got)));
                }
                (
                    earned,
                    format!("分项计分：{} = {}分", terms.join(" + "), num::show(earned)),
                )
            }
            Deduct::PerUnit { per_unit, cap } => {
                let raw = result.units * per_unit;
                let limit = cap.unwrap_or(points).min(points);
                let deducted = raw.min(limit);
                let cap_text = match cap {
                    Some(c) if c < points => format!("，累计扣分上限{}分", num::show(c)),
                    _ => "，扣完为止".into(),
                };
                (
                    points - deducted,
                    format!(
                        "每项扣{}分：{} × {} = {}{cap_text} → 扣{}分，得{}分",
                        num::show(per_unit),
                        num::show(result.units),
                        num::show(per_unit),
                        num::show(raw),
                        num::show(deducted),
                        num::show(points - deducted)
                    ),
                )
            }
        }
    };
    let awarded = num::round2(awarded.clamp(0.0, points));
    let status = if missing {
        Status::MissingData
    } else if awarded > 0.0 {
        Status::Partial
    } else {
        Status::Fail
    };
    ItemScore {
        status,
        available: points,
        awarded,
        deducted: num::round2(points - awarded),
        vetoed: false,
        gap: status.is_gap(),
        explain: vec![line],
    }
}

/// The grade band a score falls in (the last band when none matches).
pub fn grade(scoring: &Scoring, score: f64) -> String {
    scoring
        .grades
        .iter()
        .find(|g| score + 1e-9 >= g.min)
        .or(scoring.grades.last())
        .map(|g| g.name.clone())
        .unwrap_or_default()
}

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
    /// A reviewed item no reviewer has scored yet (待评): 0 points, in the denominator.
    Pending,
}

impl Status {
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
    /// The arithmetic.
    pub explain: Vec<ScoreStep>,
}

/// How an item's points follow from its check, typed; `report::steps` writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum ScoreStep {
    /// The item does not count: full points (`not_applicable: award`) or none, outside the
    /// denominator.
    Excluded {
        why: Exclusion,
        points: f64,
        award: bool,
        standard: bool,
    },
    VetoNotFired,
    /// A veto item whose data is missing: nobody can say whether it fired.
    VetoUnknown,
    VetoFired,
    /// A bonus per counted unit, up to the item's points.
    BonusPerUnit {
        counted: f64,
        per_unit: f64,
        raw: f64,
        points: f64,
        awarded: f64,
    },
    BonusAll {
        points: f64,
    },
    BonusNone,
    Passed {
        points: f64,
    },
    /// Missing data scored as not done.
    MissingData {
        points: f64,
    },
    AllOrNothing {
        points: f64,
    },
    Proportional {
        points: f64,
        share: f64,
        awarded: f64,
    },
    Additive {
        parts: Vec<AdditivePart>,
        earned: f64,
    },
    PerUnit {
        per_unit: f64,
        units: f64,
        raw: f64,
        cap: Option<f64>,
        points: f64,
        deducted: f64,
    },
    /// Graded bands: the measured value, the band it reached (none: below them all) and the
    /// points.
    Bands(BandStep),
    /// Points given by reviewers, combined (none: pending, 0 points).
    Review(ReviewStep),
    /// A re-check (复核) of the computed score by reviewers, and the score the item keeps.
    Recheck(RecheckStep),
    /// A deduction schedule: each clause's deduction, their sum and what the item lost (at
    /// most its points, 扣完为止).
    Schedule {
        clauses: Vec<ClauseStep>,
        sum: f64,
        points: f64,
        deducted: f64,
    },
}

/// Graded bands: the measured value, the band it reached (none: below them all) and the
/// points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandStep {
    #[serde(serialize_with = "crate::report::with_text::quantity_always")]
    pub measured: crate::checks::Quantity,
    pub reached: Option<crate::pack::Band>,
    /// The lowest band, which a value below them all misses.
    pub lowest: Option<crate::pack::Band>,
    pub points: f64,
    pub awarded: f64,
}

/// A reviewed item's points: each reviewer's, how they combine and the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewStep {
    /// What the reviewer must look at and state (the pack's `asks`).
    pub asks: String,
    pub combine: crate::pack::Combine,
    /// Each reviewer's points, in the reviews file's order.
    pub scores: Vec<crate::review::Review>,
    /// The combined points (rounded to 2 decimals); 0 while pending.
    pub combined: f64,
    pub points: f64,
}

/// Scores a reviewed item from the reviews given for it (in the reviews file's order): their
/// points combined as the pack says, rounded to 2 decimals. With none it is pending (待评):
/// it earns 0 and stays in the denominator, so a review never lowers the score.
/// A counted item that earned `awarded` of its `points`, with the step that says how.
fn earned(status: Status, points: f64, awarded: f64, step: ScoreStep) -> ItemScore {
    ItemScore {
        status,
        available: points,
        awarded,
        deducted: num::round2(points - awarded),
        vetoed: false,
        gap: status.is_gap(),
        explain: vec![step],
    }
}

/// 达标 with all the points, 部分达标 with some, 未达标 with none.
fn by_points(points: f64, awarded: f64) -> Status {
    if awarded + 1e-9 >= points {
        Status::Pass
    } else if awarded > 0.0 {
        Status::Partial
    } else {
        Status::Fail
    }
}

pub fn score_review(
    item: &Item,
    review: &crate::pack::Review,
    given: &[crate::review::Review],
) -> ItemScore {
    let points = item.points;
    let combined = if given.is_empty() {
        0.0
    } else {
        let raw: Vec<f64> = given.iter().map(|r| r.points).collect();
        num::round2(review.combine.apply(&raw).clamp(0.0, points))
    };
    let status = if given.is_empty() {
        Status::Pending
    } else {
        by_points(points, combined)
    };
    let step = ScoreStep::Review(ReviewStep {
        asks: review.asks.clone(),
        combine: review.combine,
        scores: given.to_vec(),
        combined,
        points,
    });
    earned(status, points, combined, step)
}

/// A re-check (复核) of an item scored by its check: each reviewer's points, how they
/// combine, the computed score (核定分) and which of the two the item keeps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecheckStep {
    pub combine: crate::pack::Combine,
    /// Each reviewer's points, in the reviews file's order (never empty).
    pub scores: Vec<crate::review::Review>,
    /// The combined points (rounded to 2 decimals): the re-check score (复核分).
    pub combined: f64,
    /// The score the check gave (核定分).
    pub computed: f64,
    #[serde(rename = "final")]
    pub final_score: crate::pack::FinalScore,
    /// The item's score.
    pub awarded: f64,
    pub points: f64,
}

/// Applies a re-check (复核) to the score `computed` of a counted standard item: the
/// reviewers' points (`given`, not empty) combine as `rule` says, rounded to 2 decimals, and
/// the item keeps the score `rule.final` chooses. A kept computed score keeps its status;
/// a re-check score gets the status its points earn.
pub fn recheck(
    item: &Item,
    computed: ItemScore,
    rule: &crate::pack::RecheckRule,
    given: &[crate::review::Review],
) -> ItemScore {
    let points = item.points;
    let raw: Vec<f64> = given.iter().map(|r| r.points).collect();
    let combined = num::round2(rule.combine.apply(&raw).clamp(0.0, points));
    let awarded = num::round2(rule.final_score.choose(computed.awarded, combined));
    let status = if (awarded - computed.awarded).abs() < 1e-9 {
        computed.status
    } else {
        by_points(points, awarded)
    };
    let mut explain = computed.explain;
    explain.push(ScoreStep::Recheck(RecheckStep {
        combine: rule.combine,
        scores: given.to_vec(),
        combined,
        computed: computed.awarded,
        final_score: rule.final_score,
        awarded,
        points,
    }));
    ItemScore {
        status,
        available: computed.available,
        awarded,
        deducted: num::round2(points - awarded),
        vetoed: false,
        gap: status.is_gap(),
        explain,
    }
}

/// The deduction for overstated self-scores (自评多报): `per_point` for every point
/// `overstated`, at most `cap`, and never more than `before` (the score it is taken from),
/// rounded to 2 decimals. It falls as final scores rise, so a higher item score never lowers
/// the total.
pub fn self_deduction(per_point: f64, cap: Option<f64>, overstated: f64, before: f64) -> f64 {
    let raw = per_point * overstated.max(0.0);
    let capped = cap.map_or(raw, |c| raw.min(c));
    num::round2(capped.min(before.max(0.0)))
}

/// One clause of a deduction schedule and what it deducted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseStep {
    pub label: String,
    /// Occurrences counted (0 when the clause's check holds).
    pub occurrences: f64,
    pub per: f64,
    /// The clause's own cap, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    /// What it deducted: occurrences × per, at most its cap (or the item's points); its
    /// whole limit when its data is missing.
    pub deducted: f64,
    /// Its data is missing: it deducts its limit, so supplying the data never lowers points.
    pub missing: bool,
    /// Whether occurrences × per went over the cap.
    pub capped: bool,
    /// What the clause's check measured and how far it fell short.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::report::with_text::quantity"
    )]
    pub measured: Option<crate::checks::Quantity>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::report::with_text::shortfall"
    )]
    pub shortfall: Option<crate::checks::Shortfall>,
}

/// Why an item does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    NotApplicable,
    /// Missing data, counted as not applicable by the pack's `missing_data` policy.
    MissingData,
}

/// A part of an additive item and what it earned.
#[derive(Debug, Clone, PartialEq)]
pub struct AdditivePart {
    pub label: crate::checks::PartName,
    pub missing: bool,
    pub earned: f64,
}

/// How an item that does not count (not applicable, waived, missing data under the
/// `not_applicable` policy) is scored.
fn excluded(item: &Item, status: Status, scoring: &Scoring, why: Exclusion) -> ItemScore {
    let award =
        scoring.not_applicable == NotApplicablePolicy::Award && item.kind == ItemKind::Standard;
    let (available, awarded) = if award {
        (item.points, item.points)
    } else {
        (0.0, 0.0)
    };
    let explain = ScoreStep::Excluded {
        why,
        points: item.points,
        award,
        standard: item.kind == ItemKind::Standard,
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
/// Whether scoring `item` with a check that came out `verdict` counts units: a per-unit
/// deduction or a schedule on a failing check, a per-unit award.
pub fn counts_units(item: &Item, verdict: CheckVerdict) -> bool {
    match item.kind {
        ItemKind::Bonus => matches!(item.award, Some(Award::PerUnit { .. })),
        ItemKind::Standard => {
            verdict == CheckVerdict::Fail
                && matches!(
                    item.deduct,
                    Deduct::PerUnit { .. } | Deduct::Schedule { .. }
                )
        }
        ItemKind::Veto => false,
    }
}

pub fn score_item(item: &Item, result: &CheckResult, scoring: &Scoring) -> ItemScore {
    match result.verdict {
        CheckVerdict::NotApplicable => {
            return excluded(
                item,
                Status::NotApplicable,
                scoring,
                Exclusion::NotApplicable,
            );
        }
        CheckVerdict::MissingData if scoring.missing_data == MissingDataPolicy::NotApplicable => {
            return excluded(item, Status::MissingData, scoring, Exclusion::MissingData);
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
        CheckVerdict::Pass => (Status::Pass, false, ScoreStep::VetoNotFired),
        CheckVerdict::MissingData => (Status::MissingData, false, ScoreStep::VetoUnknown),
        _ => (Status::Fail, true, ScoreStep::VetoFired),
    };
    ItemScore {
        status,
        available: 0.0,
        awarded: 0.0,
        deducted: 0.0,
        vetoed,
        gap: status != Status::Pass,
        explain: vec![line],
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
                ScoreStep::BonusPerUnit {
                    counted: result.counted,
                    per_unit,
                    raw,
                    points,
                    awarded,
                },
            )
        }
        (CheckVerdict::Pass, None | Some(Award::Style(AwardStyle::All))) => {
            (points, ScoreStep::BonusAll { points })
        }
        _ => (0.0, ScoreStep::BonusNone),
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
    if let Deduct::Schedule { schedule } = &item.deduct {
        return scheduled(points, schedule, result);
    }
    if let Deduct::Bands { bands } = &item.deduct
        && let Some(measured) = &result.measured
        && result.verdict != CheckVerdict::MissingData
    {
        return banded(points, bands, measured);
    }
    if result.verdict == CheckVerdict::Pass {
        return ItemScore {
            status: Status::Pass,
            available: points,
            awarded: points,
            deducted: 0.0,
            vetoed: false,
            gap: false,
            explain: vec![ScoreStep::Passed { points }],
        };
    }
    // Sub-parts score on their own (各得N分): a part whose data is missing earns nothing, the
    // others keep their points.
    let additive = item.deduct.is(DeductStyle::Additive) && !result.parts.is_empty();
    // `per_unit` over the parts of `all`: a part whose data is missing is a failing unit, so
    // the item scores per unit (and says `missing_data`) rather than 0, and supplying the
    // data never lowers its points.
    let per_part = matches!(item.deduct, Deduct::PerUnit { .. }) && !result.parts.is_empty();
    let missing = result.verdict == CheckVerdict::MissingData
        || (per_part
            && result
                .parts
                .iter()
                .any(|p| p.verdict == CheckVerdict::MissingData));
    let (awarded, line) = if missing && !additive && !per_part {
        (0.0, ScoreStep::MissingData { points })
    } else {
        match item.deduct {
            Deduct::Style(DeductStyle::All) | Deduct::Schedule { .. } | Deduct::Bands { .. } => {
                (0.0, ScoreStep::AllOrNothing { points })
            }
            Deduct::Style(DeductStyle::Proportional) => {
                let share = result.share.unwrap_or(0.0).clamp(0.0, 1.0);
                let awarded = points * share;
                (
                    awarded,
                    ScoreStep::Proportional {
                        points,
                        share,
                        awarded,
                    },
                )
            }
            Deduct::Style(DeductStyle::Additive) => {
                let mut earned = 0.0;
                let mut parts = Vec::new();
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
                    parts.push(AdditivePart {
                        label: part.label.clone(),
                        missing: part.verdict == CheckVerdict::MissingData,
                        earned: got,
                    });
                }
                (earned, ScoreStep::Additive { parts, earned })
            }
            Deduct::PerUnit { per_unit, cap } => {
                let raw = result.units * per_unit;
                let limit = cap.unwrap_or(points).min(points);
                let deducted = raw.min(limit);
                (
                    points - deducted,
                    ScoreStep::PerUnit {
                        per_unit,
                        units: result.units,
                        raw,
                        cap,
                        points,
                        deducted,
                    },
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
    earned(status, points, awarded, line)
}

/// Scores graded bands: the points of the first band `measured` reaches, 0 below them all.
fn banded(
    points: f64,
    bands: &[crate::pack::Band],
    measured: &crate::checks::Quantity,
) -> ItemScore {
    let reached = bands.iter().find(|b| b.reached_by(measured)).copied();
    let awarded = num::round2(reached.map_or(0.0, |b| b.points).clamp(0.0, points));
    let step = ScoreStep::Bands(BandStep {
        measured: measured.clone(),
        reached,
        lowest: bands.last().copied(),
        points,
        awarded,
    });
    earned(by_points(points, awarded), points, awarded, step)
}

/// Scores a deduction schedule: each clause deducts `occurrences × per`, at most its cap (or
/// the item's points); a clause whose data is missing deducts its whole limit. The item loses
/// the sum, at most its points (扣完为止).
fn scheduled(points: f64, schedule: &[crate::pack::Clause], result: &CheckResult) -> ItemScore {
    let mut clauses = Vec::new();
    let mut sum = 0.0;
    let mut missing = false;
    for (clause, part) in schedule.iter().zip(&result.parts) {
        let limit = clause.limit(points);
        // A failing part whose occurrences stated figures leave uncounted is missing them.
        let uncounted = part.verdict == CheckVerdict::Fail
            && part.units_unknown
            && clause.check.kind.spec().counts_units();
        let is_missing = part.verdict == CheckVerdict::MissingData || uncounted;
        let occurrences = match part.verdict {
            _ if uncounted => 0.0,
            CheckVerdict::Fail if clause.check.kind.spec().counts_units() => part.units.max(1.0),
            CheckVerdict::Fail => 1.0,
            _ => 0.0,
        };
        let raw = occurrences * clause.per;
        let deducted = if is_missing { limit } else { raw.min(limit) };
        missing |= is_missing;
        sum += deducted;
        clauses.push(ClauseStep {
            label: clause.label.clone(),
            occurrences,
            per: clause.per,
            cap: clause.cap,
            deducted: num::round2(deducted),
            missing: is_missing,
            capped: !is_missing && raw > limit + 1e-9,
            measured: part.measured.clone(),
            shortfall: part.shortfall.clone(),
        });
    }
    let deducted = num::round2(sum.min(points));
    let awarded = num::round2((points - deducted).max(0.0));
    let status = if missing {
        Status::MissingData
    } else {
        by_points(points, awarded)
    };
    let step = ScoreStep::Schedule {
        clauses,
        sum: num::round2(sum),
        points,
        deducted,
    };
    earned(status, points, awarded, step)
}

/// The points an item's scoring can give, whatever the data: what a self-score (自评分) is
/// held to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Possible {
    /// Only these values: 0 or the points (all or nothing), or the sums of the parts' points
    /// (`additive`).
    Values { values: Vec<f64> },
    /// `points`, `points − step`, `points − 2 × step`, ... down to `lowest` (`per_unit`, where
    /// the cap or 0 stops the deduction); and 0 when `or_zero` (missing data scores 0 under
    /// `missing_data: fail`, whatever the cap).
    Steps {
        points: f64,
        step: f64,
        lowest: f64,
        or_zero: bool,
    },
    /// Any value from 0 to `max` (`proportional`, bonus items).
    Range { max: f64 },
    /// A veto item carries no points: no self-score but 0.
    Veto,
}

/// Above this many additive parts, their sums are not listed: any value up to the points is
/// taken as possible.
const MAX_LISTED_PARTS: usize = 12;

impl Possible {
    /// Whether `score` is one of the possible points (to the 0.01 points are rounded to).
    pub fn admits(&self, score: f64) -> bool {
        const TOL: f64 = 0.005;
        match self {
            Possible::Values { values } => values.iter().any(|v| (v - score).abs() < TOL),
            Possible::Range { max } => score > -TOL && score < max + TOL,
            Possible::Veto => score.abs() < TOL,
            Possible::Steps {
                points,
                step,
                lowest,
                or_zero,
            } => {
                if *or_zero && score.abs() < TOL {
                    return true;
                }
                if score > points + TOL || score < lowest - TOL {
                    return false;
                }
                if (score - lowest).abs() < TOL {
                    return true;
                }
                let k = ((points - score) / step).round();
                (num::round2(points - k * step) - score).abs() < TOL
            }
        }
    }
}

/// The points `item`'s scoring can give under `scoring` (see [`Possible`]).
pub fn possible(item: &Item, scoring: &Scoring) -> Possible {
    let points = item.points;
    match item.kind {
        ItemKind::Veto => return Possible::Veto,
        ItemKind::Bonus => return Possible::Range { max: points },
        ItemKind::Standard => {}
    }
    if item.review.is_some() {
        return Possible::Range { max: points };
    }
    match &item.deduct {
        // Clauses of different amounts add up to many values: any value is taken as possible.
        Deduct::Schedule { .. } => Possible::Range { max: points },
        Deduct::Bands { bands } => {
            let mut values = vec![0.0];
            for b in bands {
                let v = num::round2(b.points.clamp(0.0, points));
                if !values.iter().any(|w| (w - v).abs() < 0.005) {
                    values.push(v);
                }
            }
            values.sort_by(f64::total_cmp);
            Possible::Values { values }
        }
        Deduct::Style(DeductStyle::All) => Possible::Values {
            values: if points > 0.0 {
                vec![0.0, points]
            } else {
                vec![0.0]
            },
        },
        Deduct::Style(DeductStyle::Proportional) => Possible::Range { max: points },
        Deduct::Style(DeductStyle::Additive) => {
            let parts: Vec<f64> = match &item.check.kind {
                crate::checks::Kind::All(all) => all.0.iter().filter_map(|c| c.points).collect(),
                _ => Vec::new(),
            };
            if parts.is_empty() || parts.len() > MAX_LISTED_PARTS {
                return Possible::Range { max: points };
            }
            let mut values = vec![0.0];
            for p in parts {
                let more: Vec<f64> = values.iter().map(|v| num::round2(v + p)).collect();
                for v in more {
                    if !values.iter().any(|w| (w - v).abs() < 0.005) {
                        values.push(v);
                    }
                }
            }
            values.retain(|v| *v <= points + 0.005);
            values.sort_by(f64::total_cmp);
            Possible::Values { values }
        }
        &Deduct::PerUnit { per_unit, cap } => {
            let limit = cap.unwrap_or(points).min(points);
            if per_unit <= 0.0 {
                return Possible::Values {
                    values: vec![points],
                };
            }
            Possible::Steps {
                points,
                step: per_unit,
                lowest: num::round2(points - limit),
                or_zero: scoring.missing_data == MissingDataPolicy::Fail,
            }
        }
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

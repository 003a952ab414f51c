//! The assessment: every item evaluated and scored, sections and totals summed, vetoes and
//! the grade decided. `assess` is a pure function of the pack, the submission and the waivers.

use std::collections::HashSet;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::checks::stated::{Reconciled, Source};
use crate::checks::{
    self as check, CheckResult, CheckVerdict, Context, FailingRow, Miss, PartResult, Quantity,
    Requirement, Shortfall, Step,
};
use crate::num;
use crate::pack::{Item, ItemKind, Pack};
use crate::review::Review;
use crate::score::{self, ItemScore, Status};
use crate::submission::{Bureau, Submission};
use crate::waiver::Waiver;

/// The version of the assessment JSON (`schemas/assessment.schema.json`).
pub const SCHEMA_VERSION: &str = "kaohe.assessment/4";

#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub schema: &'static str,
    pub pack: PackRef,
    pub submission: SubmissionRef,
    pub score: Totals,
    /// What the submission does not give (缺报清单): every fact and register that the data
    /// dictionary marks required and is absent, then every other one that an item or an
    /// eligibility gate needed. Each with its words under `text`.
    #[serde(serialize_with = "crate::report::with_text::absent")]
    pub incomplete: Vec<Absent>,
    pub sections: Vec<SectionScore>,
    pub items: Vec<ItemOutcome>,
    /// The totals of 自评分, 核定分, 复核分 and 得分 over the items that count.
    pub columns: ScoreColumns,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_assessment: Option<SelfAssessment>,
    /// The deductions for last cycle's rectification list (整改跟踪扣分), when the assessment
    /// was given it and the pack sets `scoring.followup`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followup: Option<crate::followup::Penalty>,
    /// The eligibility gates (申报条件) and whether all are met; `None` when the pack has no
    /// gates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligibility: Option<Eligibility>,
    /// The waivers applied (those not expired by the assessment date), in their order.
    pub waivers: Vec<Waiver>,
    /// Written as their words, one string each.
    #[serde(serialize_with = "crate::report::with_text::warnings")]
    pub warnings: Vec<Warning>,
    /// Rectification templates that could not be rendered (over their budget): the
    /// assessment is not to be handed out.
    #[serde(skip)]
    pub render_errors: Vec<RenderError>,
}

/// An item whose rectification template could not be rendered, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderError {
    pub item: String,
    pub message: String,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "item `{}`: its rectification template cannot be rendered: {}",
            self.item, self.message
        )
    }
}

/// The eligibility gates (申报条件), judged before scoring. The scores are computed whatever
/// they say.
#[derive(Debug, Clone, Serialize)]
pub struct Eligibility {
    /// Every gate is met: none failed and none lacks the data to prove it.
    pub eligible: bool,
    /// In the pack's order (a base's gates first), each with its words under `text`.
    #[serde(serialize_with = "crate::report::with_text::gates")]
    pub gates: Vec<GateOutcome>,
}

/// One gate, judged.
#[derive(Debug, Clone, Serialize)]
pub struct GateOutcome {
    pub label: String,
    pub state: GateState,
    #[serde(flatten)]
    pub test: GateTest,
}

/// How a gate came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GateState {
    Met,
    /// Its check failed or the self-assessment total is below the minimum.
    NotMet,
    /// Its data is missing: it cannot be proven (the self-scores are absent).
    Unproven,
}

/// What a gate tested, with what was found.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GateTest {
    /// A check, with what it measured, required, found short and missed.
    Check {
        #[serde(
            skip_serializing_if = "Option::is_none",
            serialize_with = "crate::report::with_text::quantity"
        )]
        measured: Option<Quantity>,
        #[serde(
            skip_serializing_if = "Option::is_none",
            serialize_with = "crate::report::with_text::requirement"
        )]
        required: Option<Requirement>,
        #[serde(
            skip_serializing_if = "Option::is_none",
            serialize_with = "crate::report::with_text::shortfall"
        )]
        shortfall: Option<Shortfall>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        failing: Vec<FailingRow>,
        /// Conditions that do not hold, each described.
        #[serde(
            skip_serializing_if = "Vec::is_empty",
            serialize_with = "crate::report::with_text::misses"
        )]
        unmet: Vec<Miss>,
        #[serde(
            skip_serializing_if = "Vec::is_empty",
            serialize_with = "crate::report::with_text::misses"
        )]
        missing: Vec<Miss>,
    },
    /// The sum of the submission's self-scores against a minimum; `self_total` is `None`
    /// when the submission gives no self-scores.
    SelfScore { min: f64, self_total: Option<f64> },
}

/// A fact or register the submission does not give.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Absent {
    pub kind: AbsentKind,
    pub name: String,
    pub label: String,
    /// Whether the data dictionary marks it required: without it the assessment is
    /// incomplete (`kaohe assess --require-complete`).
    pub required: bool,
    /// The items whose data is missing for want of it, in section order (pack order within
    /// a section).
    pub items: Vec<String>,
    /// The eligibility gates that cannot be proven for want of it, by label.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AbsentKind {
    Fact,
    Register,
}

impl Assessment {
    /// Whether a fact or register the dictionary marks required is absent.
    pub fn is_incomplete(&self) -> bool {
        self.incomplete.iter().any(|a| a.required)
    }
}

/// What the report warns about.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// A waiver that ran out before the assessment date: not applied.
    WaiverExpired {
        item: String,
        expires_on: jiff::civil::Date,
        assessed_on: jiff::civil::Date,
    },
    /// A waiver applied without checking its expiry: the submission gives no assessment
    /// date to check it against.
    WaiverExpiryUnchecked {
        item: String,
        expires_on: jiff::civil::Date,
    },
    /// A row waiver names rows that the submission does not have.
    WaivedRowsUnknown { item: String, rows: Vec<String> },
    /// A row waiver of an item whose check reads no rows: it exempts nothing.
    WaivedRowsWithoutRows { item: String, rows: Vec<String> },
    /// Reviews of an item that was not scored by them (not applicable, waived, or whether it
    /// applies is unknown): they do not count.
    ReviewsNotCounted {
        item: String,
        reviews: usize,
        status: Status,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct PackRef {
    pub id: String,
    pub title: String,
    pub version: String,
    /// `sha256:` of the pack's files (its own and its bases'), in reading order.
    pub digest: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionRef {
    pub bureau: Bureau,
    pub year: i32,
    /// `null` when the submission gives no assessment date.
    pub assessed_on: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// Full marks (`scoring.total`).
    pub total: f64,
    /// Points of the standard items that count (not applicable ones may leave).
    pub available: f64,
    /// Points the standard items earned.
    pub awarded: f64,
    /// `awarded` scaled to `total` when items left the denominator.
    pub base: f64,
    /// Bonus points after the pack's cap.
    pub bonus: f64,
    /// Bonus points before the cap.
    pub bonus_uncapped: f64,
    /// `base + bonus`, less `self_deduction` and `followup_deduction`: the score.
    pub score: f64,
    /// What overstated self-scores cost the score (自评多报扣分), when the pack deducts for
    /// them and the submission gives self-scores; see `self_assessment.deduction`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_deduction: Option<f64>,
    /// What last cycle's rectification list cost the score (整改跟踪扣分); see `followup`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followup_deduction: Option<f64>,
    /// The grade the score alone earns.
    pub grade_by_score: String,
    /// The grade: the veto grade when a veto item failed, else `grade_by_score`.
    pub grade: String,
    pub vetoed: bool,
    /// Ids of the veto items that failed.
    pub vetoes: Vec<String>,
    /// Ids of the veto items whose data is missing (待核实): not fired, but not certified
    /// either.
    pub vetoes_unverified: Vec<String>,
    /// Reviewed items no reviewer has scored yet (待评): they earn 0 and stay in `available`.
    pub pending_items: usize,
    /// Their points.
    pub pending_points: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionScore {
    pub id: String,
    pub title: String,
    /// 1 for a top-level section (一级指标), 2 for one inside it, ...
    pub level: usize,
    /// The section this one is written in; absent at the top level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub points: f64,
    /// The subtotals below count the section's own standard items and those of every
    /// section inside it.
    pub available: f64,
    pub awarded: f64,
    pub deducted: f64,
    pub gaps: usize,
}

/// Every section's subtotals, in the pack's order (each parent before its children): the
/// sums over the standard items of the section and of every section inside it. A section's
/// `available` leaves out its not-applicable items as the total's does; bonus and veto items
/// count in no section.
fn section_scores(pack: &Pack, items: &[ItemOutcome]) -> Vec<SectionScore> {
    let index: IndexMap<&str, usize> = pack
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    // Unrounded sums of each section's own items first, then each child's added to its
    // parent, children last to first: a child comes after its parent, so its sums are whole
    // when they are added.
    let mut sums = vec![(0.0, 0.0, 0usize); pack.sections.len()];
    for o in items.iter().filter(|o| o.kind == ItemKind::Standard) {
        if let Some(&i) = index.get(o.section.as_str()) {
            sums[i].0 += o.available;
            sums[i].1 += o.awarded;
            sums[i].2 += usize::from(o.gap);
        }
    }
    for (i, s) in pack.sections.iter().enumerate().rev() {
        if let Some(&p) = s.parent.as_deref().and_then(|p| index.get(p))
            && p < i
        {
            let (available, awarded, gaps) = sums[i];
            sums[p].0 += available;
            sums[p].1 += awarded;
            sums[p].2 += gaps;
        }
    }
    pack.sections
        .iter()
        .zip(sums)
        .map(|(s, (available, awarded, gaps))| SectionScore {
            id: s.id.clone(),
            title: s.title.clone(),
            level: s.level,
            parent: s.parent.clone(),
            points: s.points,
            available: num::round2(available),
            awarded: num::round2(awarded),
            deducted: num::round2(available - awarded),
            gaps,
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemOutcome {
    pub id: String,
    pub title: String,
    pub section: String,
    pub kind: ItemKind,
    /// Written with its words beside it, under `status_label`.
    #[serde(flatten, serialize_with = "crate::report::with_text::status")]
    pub status: Status,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::report::with_text::quantity"
    )]
    pub measured: Option<Quantity>,
    /// Where the measured value came from: the register's rows (据台账核算) or the stated
    /// figures (据填报数).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::report::with_text::source"
    )]
    pub source: Option<Source>,
    /// Stated figures that disagree with the rows (数据不一致, 疑似虚报), each with its
    /// words under `text`.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "crate::report::with_text::reconciled"
    )]
    pub reconciled: Vec<Reconciled>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::report::with_text::requirement"
    )]
    pub required: Option<Requirement>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::report::with_text::shortfall"
    )]
    pub shortfall: Option<Shortfall>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failing: Vec<FailingRow>,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "crate::report::with_text::misses"
    )]
    pub missing: Vec<Miss>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartResult>,
    /// A deduction schedule's clauses and what each deducted, each with its words under
    /// `text`.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "crate::report::with_text::clauses"
    )]
    pub schedule: Vec<score::ClauseStep>,
    /// Graded bands: the band reached, with its words under `text`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::report::with_text::band"
    )]
    pub band: Option<score::BandStep>,
    /// A reviewed item: each reviewer's points and reason, how they combine and the result
    /// (no scores: pending, 待评).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::report::with_text::review"
    )]
    pub review: Option<score::ReviewStep>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waived_rows: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waiver>,
    /// A re-check (复核) by reviewers of an item scored by its check: each reviewer's points,
    /// how they combine (复核分), the computed score and the score the item keeps, with its
    /// words under `text`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::report::with_text::recheck"
    )]
    pub recheck: Option<score::RecheckStep>,
    pub points: f64,
    pub available: f64,
    /// The score the item's check gave (核定分; for a reviewed item, its reviewers'), before
    /// any re-check.
    pub assessed: f64,
    /// The item's final score (得分): what totals, grade and gaps use.
    pub awarded: f64,
    pub deducted: f64,
    /// Whether the item is on the gap list, as scoring decided (or its veto clause fired or
    /// cannot be judged).
    pub gap: bool,
    /// The item's veto clause and how it came out, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub veto_clause: Option<VetoClauseOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rectification: Option<Rectification>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub basis: Vec<String>,
    /// How the verdict and the points were reached.
    #[serde(serialize_with = "crate::report::steps::serialize")]
    pub explain: Vec<Step>,
}

/// A veto clause of a standard item, judged.
#[derive(Debug, Clone, Serialize)]
pub struct VetoClauseOutcome {
    pub label: String,
    pub state: VetoState,
}

/// How a red line came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VetoState {
    /// It held: the veto did not fire.
    Clear,
    /// It did not hold: the veto fires.
    Fired,
    /// Its data is missing: nobody can say (待核实).
    Unverified,
}

/// One row of the rectification list (整改清单).
#[derive(Debug, Clone, Serialize)]
pub struct Rectification {
    pub problem: String,
    pub measure: String,
    /// 责任单位: the bureau's name for the department, when its submission renames it
    /// (`departments`), else the pack's.
    pub owner: String,
    /// The pack's name for the department, when the submission renames it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack_owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// Days from the assessment date, when the submission gives none: the deadline is
    /// undetermined (整改时限未定) rather than invented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Whether the rectification list splits the task by row or by clause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per: Option<crate::pack::RectifyPer>,
}

/// 自评分, 核定分, 复核分 and 得分 summed over the items that count (standard and bonus items
/// that are neither not applicable nor waived), each where present.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreColumns {
    /// How many items count.
    pub items: usize,
    /// The sum of their self-scores; `None` when the submission gives none.
    pub self_total: Option<f64>,
    /// The sum of their computed scores (核定分).
    pub assessed_total: f64,
    /// The sum of their re-check scores (复核分: re-checked and reviewed items); `None` when
    /// no item has one.
    pub recheck_total: Option<f64>,
    /// How many items have a re-check score.
    pub rechecked: usize,
    /// The sum of their final scores (得分), before any rescaling to the total.
    pub final_total: f64,
}

/// 自评分 against the final scores, item by item, over the items that count (not the veto,
/// not-applicable or waived ones), and the self-assessment's credibility (自评可信度).
#[derive(Debug, Clone, Serialize)]
pub struct SelfAssessment {
    /// The sum of the self-scores of those items.
    pub self_total: f64,
    /// The sum of their computed points (before any rescaling to the total).
    pub assessed_total: f64,
    pub differences: Vec<ScoreDifference>,
    /// Items with a computed score but no self-score.
    pub not_self_scored: Vec<String>,
    /// Items that do not count (not applicable, waived) but carry a self-score.
    pub self_scored_not_counted: Vec<String>,
    /// Self-scores that the item's scoring cannot give (自评分不可能): more than its points,
    /// between the only values it gives, or any but 0 on a veto item.
    pub impossible: Vec<ImpossibleSelfScore>,
    /// A self-score within this many points of the final score matches (`scoring.
    /// self_assessment.tolerance`; 0 unless the pack says).
    pub tolerance: f64,
    /// Counted items that carry a self-score.
    pub compared: usize,
    /// Those whose self-score matches the final score.
    pub matched: usize,
    /// `matched / compared` (自评可信度), rounded to 4 decimals; `None` when none compared.
    pub credibility: Option<f64>,
    /// Points self-scored above the final scores (自评多报): the sum over the compared items
    /// of `max(0, self − final)`.
    pub overstated: f64,
    /// The deduction the pack takes for them, when it says `deduct_per_point`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deduction: Option<SelfDeduction>,
}

/// The deduction for overstated self-scores: `overstated × per_point`, at most `cap`, never
/// more than the score it is taken from.
#[derive(Debug, Clone, Serialize)]
pub struct SelfDeduction {
    pub per_point: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    /// `overstated × per_point`, before the cap.
    pub raw: f64,
    /// What the score loses.
    pub deducted: f64,
}

/// A self-score the item's scoring cannot give.
#[derive(Debug, Clone, Serialize)]
pub struct ImpossibleSelfScore {
    pub item: String,
    pub title: String,
    pub self_score: f64,
    /// What the item's scoring can give, with its words under `text`.
    #[serde(serialize_with = "crate::report::with_text::possible")]
    pub possible: score::Possible,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreDifference {
    pub item: String,
    pub title: String,
    pub self_score: f64,
    pub assessed: f64,
    pub difference: f64,
}

/// Options that change what is recorded, not what is decided.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Record every row's verdict in `explain` (for `--explain`).
    pub explain_rows: bool,
}

/// The content digest of a pack's files.
pub fn pack_digest(pack: &Pack) -> String {
    let mut hasher = Sha256::new();
    for path in &pack.files {
        let name = path
            .strip_prefix(&pack.dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        hasher.update(name.as_bytes());
        hasher.update([0]);
        if let Ok(bytes) = crate::source::read_bytes(path) {
            hasher.update(&bytes);
        }
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Assesses a submission. `digest` identifies the pack's content (see [`pack_digest`]).
pub fn assess(
    pack: &Pack,
    digest: &str,
    submission: &Submission,
    waivers: &[Waiver],
    reviews: &[Review],
    options: Options,
) -> Assessment {
    let mut warnings = Vec::new();
    let active: Vec<&Waiver> = waivers
        .iter()
        .filter(|w| {
            let Some(assessed_on) = submission.assessed_on else {
                warnings.push(Warning::WaiverExpiryUnchecked {
                    item: w.item.clone(),
                    expires_on: w.expires_on,
                });
                return true;
            };
            let live = w.expires_on >= assessed_on;
            if !live {
                warnings.push(Warning::WaiverExpired {
                    item: w.item.clone(),
                    expires_on: w.expires_on,
                    assessed_on,
                });
            }
            live
        })
        .collect();
    for w in &active {
        warnings.extend(row_waiver_warning(pack, submission, w));
    }
    let mut render_errors = Vec::new();
    let items: Vec<ItemOutcome> = pack
        .items
        .iter()
        .map(|item| {
            outcome(
                pack,
                submission,
                item,
                &active,
                reviews,
                options,
                &mut render_errors,
            )
        })
        .collect();

    for o in items
        .iter()
        .filter(|o| o.review.is_none() && o.recheck.is_none())
    {
        let given = reviews.iter().filter(|r| r.item == o.id).count();
        if given > 0 {
            warnings.push(Warning::ReviewsNotCounted {
                item: o.id.clone(),
                reviews: given,
                status: o.status,
            });
        }
    }
    let sections = section_scores(pack, &items);

    let standard = items.iter().filter(|o| o.kind == ItemKind::Standard);
    let (available, awarded) =
        standard.fold((0.0, 0.0), |(a, w), o| (a + o.available, w + o.awarded));
    let total = pack.scoring.total;
    let base = if available > 0.0 {
        awarded * total / available
    } else {
        0.0
    };
    let bonus_uncapped: f64 = items
        .iter()
        .filter(|o| o.kind == ItemKind::Bonus)
        .map(|o| o.awarded)
        .sum();
    let bonus = match pack.scoring.bonus_cap {
        Some(cap) => bonus_uncapped.min(cap),
        None => bonus_uncapped,
    };
    let before_deduction = num::round2(base + bonus);
    let self_assessment = self_assessment(pack, &items, submission, before_deduction);
    let self_deduction = self_assessment
        .as_ref()
        .and_then(|sa| sa.deduction.as_ref())
        .map(|d| d.deducted);
    let score_value = num::round2(before_deduction - self_deduction.unwrap_or(0.0));
    let clause = |o: &ItemOutcome, state| o.veto_clause.as_ref().is_some_and(|c| c.state == state);
    let vetoes: Vec<String> = items
        .iter()
        .filter(|o| {
            (o.kind == ItemKind::Veto && o.status == Status::Fail) || clause(o, VetoState::Fired)
        })
        .map(|o| o.id.clone())
        .collect();
    let vetoes_unverified: Vec<String> = items
        .iter()
        .filter(|o| {
            (o.kind == ItemKind::Veto && o.status == Status::MissingData)
                || clause(o, VetoState::Unverified)
        })
        .map(|o| o.id.clone())
        .collect();
    let pending = items.iter().filter(|o| o.status == Status::Pending);
    let (pending_items, pending_points) = pending.fold((0, 0.0), |(n, p), o| (n + 1, p + o.points));
    let grade_by_score = score::grade(&pack.scoring, score_value);
    let vetoed = !vetoes.is_empty();
    let grade = match (&pack.scoring.veto, vetoed) {
        (Some(v), true) => v.grade.clone(),
        _ => grade_by_score.clone(),
    };
    let columns = columns(&items, submission);
    let eligibility = eligibility(pack, submission, options);
    let incomplete = incomplete(pack, submission, &items, eligibility.as_ref());

    Assessment {
        schema: SCHEMA_VERSION,
        pack: PackRef {
            id: pack.meta.id.clone(),
            title: pack.meta.title.clone(),
            version: pack.meta.version.clone(),
            digest: digest.to_string(),
        },
        submission: SubmissionRef {
            bureau: submission.bureau.clone(),
            year: submission.year,
            assessed_on: submission.assessed_on.map(|d| d.to_string()),
        },
        score: Totals {
            total,
            available: num::round2(available),
            awarded: num::round2(awarded),
            base: num::round2(base),
            bonus: num::round2(bonus),
            bonus_uncapped: num::round2(bonus_uncapped),
            score: score_value,
            self_deduction,
            followup_deduction: None,
            grade_by_score,
            grade,
            vetoed,
            vetoes,
            vetoes_unverified,
            pending_items,
            pending_points: num::round2(pending_points),
        },
        incomplete,
        sections,
        items,
        columns,
        self_assessment,
        followup: None,
        eligibility,
        waivers: active.into_iter().cloned().collect(),
        warnings,
        render_errors,
    }
}

/// The 缺报清单: absent facts and registers, required ones first, each group in dictionary
/// order (facts before registers), with the items that needed them and the gates they leave
/// unproven.
fn incomplete(
    pack: &Pack,
    submission: &Submission,
    items: &[ItemOutcome],
    eligibility: Option<&Eligibility>,
) -> Vec<Absent> {
    fn labels<'m>(m: &'m Miss, out: &mut Vec<(AbsentKind, &'m str)>) {
        match m {
            Miss::NoValue { label } => out.push((AbsentKind::Fact, label)),
            Miss::NoRegister { label } => out.push((AbsentKind::Register, label)),
            Miss::InPart { miss, .. } => labels(miss, out),
            _ => {}
        }
    }
    // Items not met for want of data: missing data, or short because a part's data is
    // missing; an item that passed without a part's data (an `any` met by another part) did
    // not need it.
    // In section order (pack order within a section), as reports list items.
    let section = |o: &ItemOutcome| pack.sections.iter().position(|s| s.id == o.section);
    let mut in_order: Vec<&ItemOutcome> = items.iter().collect();
    in_order.sort_by_key(|o| section(o));
    let needed: Vec<(&str, Vec<(AbsentKind, &str)>)> = in_order
        .into_iter()
        .filter(|o| {
            o.status == Status::MissingData
                || (o.kind != ItemKind::Bonus && o.status != Status::Pass && !o.missing.is_empty())
        })
        .map(|o| {
            let mut out = Vec::new();
            for m in &o.missing {
                labels(m, &mut out);
            }
            (o.id.as_str(), out)
        })
        .collect();
    let items_needing = |kind: AbsentKind, label: &str| -> Vec<String> {
        needed
            .iter()
            .filter(|(_, ls)| ls.iter().any(|(k, l)| *k == kind && *l == label))
            .map(|(id, _)| (*id).to_string())
            .collect()
    };
    let unproven: Vec<(&str, Vec<(AbsentKind, &str)>)> = eligibility
        .map(|e| e.gates.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|g| g.state == GateState::Unproven)
        .filter_map(|g| match &g.test {
            GateTest::Check { missing, .. } => {
                let mut out = Vec::new();
                for m in missing {
                    labels(m, &mut out);
                }
                Some((g.label.as_str(), out))
            }
            GateTest::SelfScore { .. } => None,
        })
        .collect();
    let gates_needing = |kind: AbsentKind, label: &str| -> Vec<String> {
        unproven
            .iter()
            .filter(|(_, ls)| ls.iter().any(|(k, l)| *k == kind && *l == label))
            .map(|(g, _)| (*g).to_string())
            .collect()
    };
    let mut all = Vec::new();
    for (i, (name, field)) in pack.data.facts.iter().enumerate() {
        if submission.facts.get(i).is_some_and(Option::is_some) {
            continue;
        }
        all.push(Absent {
            kind: AbsentKind::Fact,
            name: name.clone(),
            label: field.label.clone(),
            required: field.required,
            items: items_needing(AbsentKind::Fact, &field.label),
            gates: gates_needing(AbsentKind::Fact, &field.label),
        });
    }
    for (i, (name, register)) in pack.data.registers.iter().enumerate() {
        if submission.registers.get(i).is_some_and(Option::is_some) {
            continue;
        }
        // A register stated in figures instead of rows is reported, not absent; the items
        // that need its rows still list it.
        let stated = pack.data.facts.iter().enumerate().any(|(j, (_, f))| {
            f.states.as_deref() == Some(name.as_str())
                && submission.facts.get(j).is_some_and(Option::is_some)
        });
        all.push(Absent {
            kind: AbsentKind::Register,
            name: name.clone(),
            label: register.label.clone(),
            required: register.required && !stated,
            items: items_needing(AbsentKind::Register, &register.label),
            gates: gates_needing(AbsentKind::Register, &register.label),
        });
    }
    all.retain(|a| a.required || !a.items.is_empty() || !a.gates.is_empty());
    // A stable sort: required ones first, each group keeping dictionary order.
    all.sort_by_key(|a| !a.required);
    all
}

/// A row waiver whose rows the item's check cannot exempt: its check reads no rows, or the
/// submission has no such rows in the registers it reads.
fn row_waiver_warning(pack: &Pack, submission: &Submission, w: &Waiver) -> Option<Warning> {
    if w.rows.is_empty() {
        return None;
    }
    let item = pack.item(&w.item)?;
    let registers = item.check.kind.spec().registers();
    if registers.is_empty() {
        return Some(Warning::WaivedRowsWithoutRows {
            item: w.item.clone(),
            rows: w.rows.clone(),
        });
    }
    let mut keys: HashSet<String> = HashSet::new();
    for name in registers {
        let Some((index, _, register)) = pack.data.registers.get_full(name) else {
            continue;
        };
        let Some(Some(table)) = submission.registers.get(index) else {
            continue;
        };
        let key = register.columns.get_index_of(&register.key).unwrap_or(0);
        keys.extend((0..table.rows.len()).map(|r| table.key(r, key)));
    }
    let unknown: Vec<String> = w
        .rows
        .iter()
        .filter(|r| !keys.contains(*r))
        .cloned()
        .collect();
    (!unknown.is_empty()).then(|| Warning::WaivedRowsUnknown {
        item: w.item.clone(),
        rows: unknown,
    })
}

fn outcome(
    pack: &Pack,
    submission: &Submission,
    item: &Item,
    waivers: &[&Waiver],
    reviews: &[Review],
    options: Options,
    render_errors: &mut Vec<RenderError>,
) -> ItemOutcome {
    let item_waiver = waivers
        .iter()
        .find(|w| w.item == item.id && w.rows.is_empty())
        .copied();
    let waived_rows: HashSet<String> = waivers
        .iter()
        .filter(|w| w.item == item.id)
        .flat_map(|w| w.rows.iter().cloned())
        .collect();
    let ctx = Context {
        pack,
        submission,
        waived_rows: &waived_rows,
        explain_rows: options.explain_rows,
    };
    let mut explain = Vec::new();
    // Whether the item applies reads only facts: judged once, for its check and its veto
    // clause.
    let (applies, why) = check::applies(&ctx, item.applies_if.as_ref());
    let (result, scored) = if let Some(w) = item_waiver {
        let result = CheckResult::with_verdict(CheckVerdict::NotApplicable);
        explain.push(Step::Waiver {
            reason: w.reason.clone(),
            approved_by: w.approved_by.clone(),
            expires_on: w.expires_on,
        });
        (result, score_waived(item, pack))
    } else {
        match (applies, why) {
            (Some(false), why) => {
                explain.push(Step::DoesNotApply { conditions: why });
                let result = CheckResult::with_verdict(CheckVerdict::NotApplicable);
                let s = score::score_item(item, &result, &pack.scoring);
                (result, s)
            }
            (None, missing) => {
                explain.push(Step::ApplicabilityUnknown {
                    missing: missing.clone(),
                });
                let mut result = CheckResult::with_verdict(CheckVerdict::MissingData);
                result.missing = missing;
                let s = score::score_item(item, &result, &pack.scoring);
                (result, s)
            }
            (Some(true), _) if item.review.is_some() => {
                let given: Vec<Review> = reviews
                    .iter()
                    .filter(|r| r.item == item.id)
                    .cloned()
                    .collect();
                let result = CheckResult::with_verdict(CheckVerdict::Pass);
                let s = match &item.review {
                    Some(review) => score::score_review(item, review, &given),
                    None => score::score_item(item, &result, &pack.scoring),
                };
                (result, s)
            }
            (Some(true), _) => {
                let mut result = check::evaluate(&ctx, &item.check);
                // A stated rate without its numbers cannot say how many units a per-unit
                // deduction or award counts: that number is missing, not invented.
                if score::counts_units(item, result.verdict)
                    && let Some(what) = result.units_unknown.take()
                {
                    result.verdict = CheckVerdict::MissingData;
                    result.explain.push(Step::Missing { what: what.clone() });
                    result.missing.push(what);
                }
                let s = score::score_item(item, &result, &pack.scoring);
                (result, s)
            }
        }
    };
    let assessed = scored.awarded;
    let scored = rechecked(pack, item, scored, reviews);
    explain.extend(result.explain.iter().cloned());
    let schedule = scored
        .explain
        .iter()
        .find_map(|s| match s {
            score::ScoreStep::Schedule { clauses, .. } => Some(clauses.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let band = scored.explain.iter().find_map(|s| match s {
        score::ScoreStep::Bands(b) => Some(b.clone()),
        _ => None,
    });
    let review = scored.explain.iter().find_map(|s| match s {
        score::ScoreStep::Review(r) => Some(r.clone()),
        _ => None,
    });
    let recheck = scored.explain.iter().find_map(|s| match s {
        score::ScoreStep::Recheck(r) => Some(r.clone()),
        _ => None,
    });
    explain.extend(scored.explain.iter().cloned().map(Step::Scored));
    // A red line is judged wherever the item applies, whatever waivers say: a veto cannot be
    // waived.
    let veto_clause = item.veto_clause.as_ref().map(|clause| {
        let unwaived = HashSet::new();
        let ctx = Context {
            pack,
            submission,
            waived_rows: &unwaived,
            explain_rows: options.explain_rows,
        };
        let state = match applies {
            Some(false) => VetoState::Clear,
            None => VetoState::Unverified,
            Some(true) => match check::evaluate(&ctx, &clause.check).verdict {
                CheckVerdict::Fail => VetoState::Fired,
                CheckVerdict::MissingData => VetoState::Unverified,
                CheckVerdict::Pass | CheckVerdict::NotApplicable => VetoState::Clear,
            },
        };
        VetoClauseOutcome {
            label: clause.label.clone(),
            state,
        }
    });
    let clause_gap = veto_clause
        .as_ref()
        .is_some_and(|c| c.state != VetoState::Clear);
    let rectification = if scored.gap {
        rectification(pack, submission, item, &result, &scored).unwrap_or_else(|e| {
            render_errors.push(RenderError {
                item: item.id.clone(),
                message: e.message,
            });
            None
        })
    } else {
        None
    };
    ItemOutcome {
        id: item.id.clone(),
        title: item.title.clone(),
        section: item.section.clone(),
        kind: item.kind,
        status: scored.status,
        measured: result.measured,
        source: result.source,
        reconciled: result.reconciled,
        required: result.required,
        shortfall: result.shortfall,
        failing: result.failing,
        missing: result.missing,
        parts: result.parts,
        schedule,
        band,
        review,
        waived_rows: result.waived_rows,
        waiver: item_waiver.cloned(),
        recheck,
        points: item.points,
        available: num::round2(scored.available),
        assessed,
        awarded: scored.awarded,
        deducted: scored.deducted,
        gap: scored.gap || clause_gap,
        veto_clause,
        self_score: submission.self_scores.get(&item.id).copied(),
        rectification,
        basis: item.basis.clone(),
        explain,
    }
}

/// A counted standard item scored by its check, re-checked (复核) when reviewers scored it:
/// the item's `recheck`, else the pack's `scoring.recheck`, says how. Items that do not
/// count (not applicable, waived, missing data counted as not applicable) are not
/// re-checked: their reviews are warned about.
fn rechecked(pack: &Pack, item: &Item, scored: ItemScore, reviews: &[Review]) -> ItemScore {
    let counts = item.kind == ItemKind::Standard
        && item.review.is_none()
        && scored.available > 0.0
        && !matches!(scored.status, Status::NotApplicable | Status::Waived)
        && !scored
            .explain
            .iter()
            .any(|s| matches!(s, score::ScoreStep::Excluded { .. }));
    let given: Vec<Review> = reviews
        .iter()
        .filter(|r| r.item == item.id)
        .cloned()
        .collect();
    if !counts || given.is_empty() {
        return scored;
    }
    score::recheck(item, scored, &pack.scoring.recheck.for_item(item), &given)
}

fn score_waived(item: &Item, pack: &Pack) -> ItemScore {
    let mut s = score::score_item(
        item,
        &CheckResult::with_verdict(CheckVerdict::NotApplicable),
        &pack.scoring,
    );
    s.status = Status::Waived;
    s
}

/// The rendered rectification task of an item that is not met.
fn rectification(
    pack: &Pack,
    submission: &Submission,
    item: &Item,
    result: &CheckResult,
    scored: &ItemScore,
) -> Result<Option<Rectification>, crate::pack::template::TemplateError> {
    let Some(r) = item.rectify.as_ref() else {
        return Ok(None);
    };
    let mut vars: IndexMap<String, Json> = IndexMap::new();
    vars.insert("item_id".into(), item.id.clone().into());
    vars.insert("title".into(), item.title.clone().into());
    vars.insert("points".into(), num::show(item.points).into());
    vars.insert("awarded".into(), num::show(scored.awarded).into());
    vars.insert("deducted".into(), num::show(scored.deducted).into());
    vars.insert(
        "status".into(),
        crate::report::status_label(scored.status).into(),
    );
    for name in item.check.kind.spec().variables() {
        let value = result
            .var(name)
            .map_or(Json::String(String::new()), crate::report::template_value);
        vars.insert((*name).to_string(), value);
    }
    let recheck = scored.explain.iter().find_map(|s| match s {
        score::ScoreStep::Recheck(r) => Some(r),
        _ => None,
    });
    // For missing data the task is to supply it, not the substantive measure.
    let (problem, measure) =
        if result.verdict == CheckVerdict::MissingData && !result.missing.is_empty() {
            (
                format!("{}：{}", item.title, crate::report::misses(&result.missing)),
                crate::report::supply(&result.missing),
            )
        } else if let Some(rc) = recheck.filter(|_| result.verdict == CheckVerdict::Pass) {
            // The check was met and a re-check found otherwise: the problem is the re-check's,
            // which the check's template cannot say.
            (
                format!("{}：{}", item.title, crate::report::steps::recheck(rc)),
                r.measure.clone(),
            )
        } else {
            (
                crate::pack::template::render(&r.problem, &vars)?,
                r.measure.clone(),
            )
        };
    let deadline = match (&r.due, r.within_days, submission.assessed_on) {
        (Some(d), _, _) => Some(d.clone()),
        (None, Some(days), Some(on)) => on
            .checked_add(jiff::Span::new().days(i64::from(days)))
            .ok()
            .map(|d| d.to_string()),
        _ => None,
    };
    // Days counted from an assessment date the submission does not give: no date is made up.
    let within_days = match (&r.due, r.within_days, submission.assessed_on) {
        (None, Some(days), None) => Some(days),
        _ => None,
    };
    let evidence = item
        .evidence
        .iter()
        .map(|e| {
            pack.data
                .evidence
                .get(e)
                .map(|k| k.label.clone())
                .unwrap_or_else(|| e.clone())
        })
        .collect();
    let department = submission.departments.get(&r.owner);
    let unit = department
        .and_then(|d| d.unit.clone())
        .filter(|u| *u != r.owner);
    Ok(Some(Rectification {
        problem,
        measure,
        owner: unit.clone().unwrap_or_else(|| r.owner.clone()),
        pack_owner: unit.map(|_| r.owner.clone()),
        responsible: department.and_then(|d| d.person.clone()),
        deadline,
        within_days,
        target: r.target.clone(),
        evidence,
        per: r.per,
    }))
}

/// The gates judged in the pack's order; `None` when the pack has none. Waivers do not
/// apply: a gate is a condition of the submission, not of an item.
fn eligibility(pack: &Pack, submission: &Submission, options: Options) -> Option<Eligibility> {
    if pack.gates.is_empty() {
        return None;
    }
    let unwaived = HashSet::new();
    let ctx = Context {
        pack,
        submission,
        waived_rows: &unwaived,
        explain_rows: options.explain_rows,
    };
    let gates: Vec<GateOutcome> = pack
        .gates
        .iter()
        .map(|gate| {
            let (state, test) = match (&gate.self_score, &gate.check) {
                (Some(rule), _) => {
                    let self_total = (!submission.self_scores.is_empty())
                        .then(|| num::round2(submission.self_scores.values().sum()));
                    let state = match self_total {
                        None => GateState::Unproven,
                        Some(t) if t + 1e-9 >= rule.min => GateState::Met,
                        Some(_) => GateState::NotMet,
                    };
                    (
                        state,
                        GateTest::SelfScore {
                            min: rule.min,
                            self_total,
                        },
                    )
                }
                (None, check) => {
                    let result = match check {
                        Some(c) => check::evaluate(&ctx, c),
                        None => CheckResult::with_verdict(CheckVerdict::Pass),
                    };
                    let state = match result.verdict {
                        CheckVerdict::Pass | CheckVerdict::NotApplicable => GateState::Met,
                        CheckVerdict::Fail => GateState::NotMet,
                        CheckVerdict::MissingData => GateState::Unproven,
                    };
                    let unmet = result
                        .vars
                        .iter()
                        .filter_map(|(_, m)| match m {
                            check::Measure::Conditions(c) => Some(c.0.iter().cloned()),
                            _ => None,
                        })
                        .flatten()
                        .collect();
                    (
                        state,
                        GateTest::Check {
                            unmet,
                            measured: result.measured,
                            required: result.required,
                            shortfall: result.shortfall,
                            failing: result.failing,
                            missing: result.missing,
                        },
                    )
                }
            };
            GateOutcome {
                label: gate.label.clone(),
                state,
                test,
            }
        })
        .collect();
    Some(Eligibility {
        eligible: gates.iter().all(|g| g.state == GateState::Met),
        gates,
    })
}

/// Items are listed in section order (pack order within a section), as reports list them
/// everywhere else.
fn self_assessment(
    pack: &Pack,
    items: &[ItemOutcome],
    submission: &Submission,
    before_deduction: f64,
) -> Option<SelfAssessment> {
    if submission.self_scores.is_empty() {
        return None;
    }
    let impossible = pack
        .items
        .iter()
        .zip(items)
        .filter_map(|(item, o)| {
            let s = o.self_score?;
            let possible = score::possible(item, &pack.scoring);
            (!possible.admits(s)).then(|| ImpossibleSelfScore {
                item: o.id.clone(),
                title: o.title.clone(),
                self_score: s,
                possible,
            })
        })
        .collect();
    let section = |o: &ItemOutcome| pack.sections.iter().position(|s| s.id == o.section);
    let mut items: Vec<&ItemOutcome> = items.iter().collect();
    items.sort_by_key(|o| section(o));
    let mut self_total = 0.0;
    let mut assessed_total = 0.0;
    let mut differences = Vec::new();
    let mut not_self_scored = Vec::new();
    // Items that do not count (not applicable, waived) have no computed score to set a
    // self-score against.
    let counted = |o: &&&ItemOutcome| {
        o.kind != ItemKind::Veto && !matches!(o.status, Status::NotApplicable | Status::Waived)
    };
    let self_scored_not_counted = items
        .iter()
        .filter(|o| {
            !counted(o) && o.kind != ItemKind::Veto && o.self_score.is_some_and(|s| s > 0.0)
        })
        .map(|o| o.id.clone())
        .collect();
    let rule = pack.scoring.self_assessment.unwrap_or_default();
    let (mut compared, mut matched, mut overstated) = (0, 0, 0.0);
    for o in items.iter().filter(counted) {
        let o = *o;
        assessed_total += o.awarded;
        match o.self_score {
            Some(s) => {
                self_total += s;
                compared += 1;
                // Scores are rounded to 0.01: half of that is no difference.
                if (s - o.awarded).abs() <= rule.tolerance + 0.005 {
                    matched += 1;
                }
                overstated += (s - o.awarded).max(0.0);
                if (s - o.awarded).abs() > 0.005 {
                    differences.push(ScoreDifference {
                        item: o.id.clone(),
                        title: o.title.clone(),
                        self_score: s,
                        assessed: o.awarded,
                        difference: num::round2(s - o.awarded),
                    });
                }
            }
            None => not_self_scored.push(o.id.clone()),
        }
    }
    let overstated = num::round2(overstated);
    let deduction = rule.deduct_per_point.map(|per_point| SelfDeduction {
        per_point,
        cap: rule.cap,
        raw: num::round2(per_point * overstated),
        deducted: score::self_deduction(per_point, rule.cap, overstated, before_deduction),
    });
    Some(SelfAssessment {
        self_total: num::round2(self_total),
        assessed_total: num::round2(assessed_total),
        differences,
        not_self_scored,
        self_scored_not_counted,
        impossible,
        tolerance: rule.tolerance,
        compared,
        matched,
        credibility: (compared > 0)
            .then(|| (matched as f64 / compared as f64 * 10_000.0).round() / 10_000.0),
        overstated,
        deduction,
    })
}

impl ItemOutcome {
    /// The item's re-check score (复核分): its re-check's, or a reviewed item's reviewers'
    /// once any has scored it.
    pub fn recheck_score(&self) -> Option<f64> {
        match (&self.recheck, &self.review) {
            (Some(r), _) => Some(r.combined),
            (None, Some(r)) if !r.scores.is_empty() => Some(r.combined),
            _ => None,
        }
    }

    /// Whether the item counts in the side-by-side totals and the self-score comparison: a
    /// standard or bonus item that is neither not applicable nor waived.
    pub fn counts(&self) -> bool {
        self.kind != ItemKind::Veto
            && !matches!(self.status, Status::NotApplicable | Status::Waived)
    }
}

/// 自评分, 核定分, 复核分 and 得分 summed over the items that count.
fn columns(items: &[ItemOutcome], submission: &Submission) -> ScoreColumns {
    let counted: Vec<&ItemOutcome> = items.iter().filter(|o| o.counts()).collect();
    let sum = |f: &dyn Fn(&ItemOutcome) -> Option<f64>| -> (usize, f64) {
        counted
            .iter()
            .filter_map(|o| f(o))
            .fold((0, 0.0), |(n, t), x| (n + 1, t + x))
    };
    let (_, self_total) = sum(&|o| o.self_score);
    let (rechecked, recheck_total) = sum(&|o| o.recheck_score());
    let (_, assessed_total) = sum(&|o| Some(o.assessed));
    let (_, final_total) = sum(&|o| Some(o.awarded));
    ScoreColumns {
        items: counted.len(),
        self_total: (!submission.self_scores.is_empty()).then(|| num::round2(self_total)),
        assessed_total: num::round2(assessed_total),
        recheck_total: (rechecked > 0).then(|| num::round2(recheck_total)),
        rechecked,
        final_total: num::round2(final_total),
    }
}

//! The rule-pack model: what `pack.yaml` and `items/*.yaml` say, as plain data.
//!
//! These types are read only after a file has passed `schemas/rule-pack.schema.json`, so
//! their serde derives describe the same format the schema does (`tests/schema.rs` checks that
//! both name the same keys, and that the model reads every file the schema accepts).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

pub use crate::checks::deadline::Due;
pub use crate::checks::predicate::{Condition, Literal, Operand, Ops, Predicate};
pub use crate::checks::{Check, Kind};

/// `pack.yaml`.
#[derive(Debug, Clone, Deserialize)]
pub struct PackFile {
    pub pack: PackMeta,
    pub scoring: Option<Scoring>,
    #[serde(default)]
    pub sections: Vec<Section>,
    pub data: Option<DataDict>,
    #[serde(default)]
    pub sets: IndexMap<String, ValueSet>,
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// Eligibility gates (申报条件), checked before scoring; an overlay's come after its
    /// base's.
    #[serde(default)]
    pub gates: Vec<Gate>,
}

/// An eligibility gate (申报条件): a condition the submission must meet to be eligible at
/// all, whatever its score. Either a check or the self-assessment total.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Gate {
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<Check>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_score: Option<SelfScoreGate>,
}

/// A gate on the sum of the submission's self-scores (自评分).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SelfScoreGate {
    pub min: f64,
}

/// A file under `items/`.
#[derive(Debug, Clone, Deserialize)]
pub struct ItemsFile {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PackMeta {
    pub id: String,
    pub title: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Scoring {
    pub total: f64,
    pub grades: Vec<GradeBand>,
    #[serde(default)]
    pub bonus_cap: Option<f64>,
    #[serde(default)]
    pub veto: Option<VetoRule>,
    #[serde(default)]
    pub missing_data: MissingDataPolicy,
    #[serde(default)]
    pub not_applicable: NotApplicablePolicy,
    /// How stated figures are reconciled with the rows they summarise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconcile: Option<Reconcile>,
    /// How reviewers' re-check (复核) of an item scored by its check counts.
    #[serde(default)]
    pub recheck: RecheckRule,
    /// How self-scores (自评分) are held against the final scores: the tolerance within which
    /// they match and, optionally, a deduction for overstating them (自评可信度).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_assessment: Option<SelfAssessmentRule>,
    /// Deductions for how last cycle's rectification list was followed up (整改跟踪扣分),
    /// applied when an assessment is given the previous list or ledger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followup: Option<FollowupRule>,
}

/// `followup: {false_claim: {per_task: 1, cap: 5}, repeat: {per_task: 0.5, cap: 3}}`: each
/// task reported 已整改 that still fails (虚报整改), and each task closed before that fails
/// again (屡查屡犯, 反复出现), costs `per_task` of the total, at most `cap`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize)]
pub struct FollowupRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub false_claim: Option<PerTask>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<PerTask>,
}

/// A deduction per task, at most `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
pub struct PerTask {
    pub per_task: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
}

/// `reconcile: {tolerance: 1%}`: a stated figure within the tolerance of what the rows give
/// agrees with them. A rate is compared in percentage points, a number relative to the
/// rows' number.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reconcile {
    pub tolerance: Percent,
}

/// How a re-check (复核) of an item scored by its check counts: several reviewers' points
/// combine as `combine`, and `final` says which of the computed score (核定分) and the
/// re-check score (复核分) is the item's score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct RecheckRule {
    #[serde(default, rename = "final")]
    pub final_score: FinalScore,
    #[serde(default)]
    pub combine: Combine,
}

/// Which score an item re-checked by reviewers keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalScore {
    /// The re-check score replaces the computed one (以复核分为准).
    #[default]
    Recheck,
    /// The lower of the two (就低).
    Lower,
    /// The higher of the two (就高).
    Higher,
}

impl FinalScore {
    /// The item's score from its computed score and its re-check score; monotone in both.
    pub fn choose(self, computed: f64, recheck: f64) -> f64 {
        match self {
            FinalScore::Recheck => recheck,
            FinalScore::Lower => computed.min(recheck),
            FinalScore::Higher => computed.max(recheck),
        }
    }
}

/// Self-assessment credibility (自评可信度): a self-score matches when it is within
/// `tolerance` of the item's final score; with `deduct_per_point`, every point self-scored
/// above the final scores (自评多报) costs that much of the total, at most `cap`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize)]
pub struct SelfAssessmentRule {
    #[serde(default)]
    pub tolerance: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deduct_per_point: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GradeBand {
    pub name: String,
    pub min: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct VetoRule {
    pub grade: String,
}

/// How an item whose data is missing counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingDataPolicy {
    /// Scored 0 (未提供佐证按未完成计).
    #[default]
    Fail,
    /// Counted like a not-applicable item.
    NotApplicable,
}

/// How a not-applicable item counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotApplicablePolicy {
    /// The item leaves the denominator; the score is rescaled to the total.
    #[default]
    Exclude,
    /// The item earns its full points.
    Award,
}

/// A section (板块, 一级指标) of the table; a section may hold sub-sections (二级、三级指标),
/// written as its own `sections` list.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub points: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Sub-sections as written. A loaded [`crate::pack::Pack`] holds every section in one
    /// list, parents before their children, so this is empty there: see `parent`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// The id of the section this one is written in; `None` at the top level. Set by loading.
    #[serde(skip)]
    pub parent: Option<String>,
    /// How deep the section is written: 1 at the top level (一级), 2 inside one (二级), ...
    /// Set by loading.
    #[serde(skip, default = "top_level")]
    pub level: usize,
}

/// The deepest sections may nest (一级 to 四级指标): deeper tables are not seen in practice,
/// and Markdown headings run out below.
pub const MAX_SECTION_LEVEL: usize = 4;

fn top_level() -> usize {
    1
}

/// The data dictionary: everything a submission provides.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct DataDict {
    #[serde(default)]
    pub facts: IndexMap<String, Field>,
    #[serde(default)]
    pub registers: IndexMap<String, Register>,
    #[serde(default)]
    pub evidence: IndexMap<String, EvidenceKind>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Field {
    #[serde(rename = "type")]
    pub ty: FieldType,
    pub label: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<PercentForm>,
    /// An `integer` or `number` that may be negative (counts and amounts never are).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub signed: bool,
    /// A fact that states a figure of this register (its total, how many meet a
    /// requirement, a rate): items may score from it when the register's rows are absent,
    /// and reconcile it with the rows when both are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub states: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Boolean,
    Integer,
    Number,
    Percent,
    Date,
    String,
    Enum,
    List,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Boolean => "boolean",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Percent => "percent",
            FieldType::Date => "date",
            FieldType::String => "string",
            FieldType::Enum => "enum",
            FieldType::List => "list",
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Integer | FieldType::Number | FieldType::Percent
        )
    }
}

/// The spellings a percent value may take in a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PercentForm {
    /// `95%`
    Percent,
    /// `0.95`
    Fraction,
    /// `95`
    Whole,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Register {
    pub label: String,
    /// What one row counts as in words (`所`, `件`, `人`); reports say `项` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub key: String,
    pub columns: IndexMap<String, Field>,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EvidenceKind {
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ValueSet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    #[default]
    Standard,
    Bonus,
    Veto,
}

/// One assessment item.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub section: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub basis: Vec<String>,
    #[serde(default)]
    pub points: f64,
    #[serde(default)]
    pub kind: ItemKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_if: Option<Predicate>,
    /// A schedule item writes none: its clauses' checks are its check (see
    /// [`Item::schedule_check`]).
    #[serde(default = "no_check")]
    pub check: Check,
    #[serde(default)]
    pub deduct: Deduct,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub award: Option<Award>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectify: Option<Rectify>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Points given by reviewers (酌情扣分, 实地核查, 专家评分) rather than by a check: such an
    /// item has no `check`; its points come from a reviews file (`kaohe assess --reviews`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// A red line inside a scored item: when its check fails, the veto fires as a veto item's
    /// would, and the item keeps its own points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub veto_clause: Option<VetoClause>,
    /// How a re-check (复核) of this item counts, where it differs from the pack's
    /// `scoring.recheck`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recheck: Option<ItemRecheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An item's own re-check rule: each setting given replaces the pack's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ItemRecheck {
    #[serde(default, rename = "final", skip_serializing_if = "Option::is_none")]
    pub final_score: Option<FinalScore>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combine: Option<Combine>,
}

impl RecheckRule {
    /// The rule for `item`: its own settings over the pack's.
    pub fn for_item(self, item: &Item) -> RecheckRule {
        let own = item.recheck.unwrap_or_default();
        RecheckRule {
            final_score: own.final_score.unwrap_or(self.final_score),
            combine: own.combine.unwrap_or(self.combine),
        }
    }
}

/// How a reviewed item is scored: what a reviewer must state, the least points a reviewer may
/// give (the item's `points` are the most) and how several reviewers' points combine.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Review {
    /// What the reviewer looks at and must state (`实地查看学校安全台账…`).
    pub asks: String,
    /// The least points a reviewer may give; 0 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default)]
    pub combine: Combine,
}

impl Review {
    /// The least points a reviewer may give.
    pub fn least(&self) -> f64 {
        self.min.unwrap_or(0.0)
    }
}

/// How several reviewers' points combine into the item's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// The mean of all reviewers' points.
    #[default]
    Mean,
    /// The median (the mean of the middle two for an even count).
    Median,
    /// The mean without the highest and the lowest (去掉一个最高分和一个最低分); the plain
    /// mean with fewer than three reviewers.
    TrimmedMean,
}

impl Combine {
    /// Combines `points` (not empty), unrounded.
    pub fn apply(self, points: &[f64]) -> f64 {
        let mut v = points.to_vec();
        v.sort_by(f64::total_cmp);
        let mean = |v: &[f64]| {
            if v.is_empty() {
                0.0
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        };
        match self {
            Combine::Mean => mean(&v),
            Combine::Median => {
                let n = v.len();
                if n == 0 {
                    0.0
                } else if n % 2 == 1 {
                    v[n / 2]
                } else {
                    (v[n / 2 - 1] + v[n / 2]) / 2.0
                }
            }
            Combine::TrimmedMean if v.len() >= 3 => mean(&v[1..v.len() - 1]),
            Combine::TrimmedMean => mean(&v),
        }
    }
}

/// A veto clause of a standard item: what must hold, with the wording of the red line.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct VetoClause {
    /// The red line, as the table states it (`发生重大安全责任事故的，一票否决`).
    pub label: String,
    pub check: Check,
}

/// A percentage written `95%` in a pack; held as a fraction (0.95).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percent(pub f64);

impl Percent {
    /// Parses `95%` or `99.5%`.
    pub fn parse(text: &str) -> Option<Percent> {
        crate::text::percent(text).map(Percent)
    }
}

impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pct = self.0 * 100.0;
        let rounded = (pct * 100.0).round() / 100.0;
        write!(f, "{rounded}%")
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Percent::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a percentage")))
    }
}

impl Serialize for Percent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// How a standard item loses points.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Deduct {
    Style(DeductStyle),
    PerUnit {
        per_unit: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cap: Option<f64>,
    },
    /// Several deduction clauses sharing the item's points (扣完为止): each counts its own
    /// occurrences with its own check, at `per` points each, up to its own `cap`. The clauses'
    /// checks are the item's check: a schedule item writes no `check` of its own.
    Schedule {
        schedule: Vec<Clause>,
    },
    /// Graded bands over the check's measured share or count (90%以上得3分、80%–90%得2分): the
    /// item earns the points of the first band the measured value reaches, 0 below them all.
    Bands {
        bands: Vec<Band>,
    },
}

/// One graded band: from `min` (a percent for `coverage` and `ratio`, a number for `count`),
/// `points`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
pub struct Band {
    pub min: Threshold,
    pub points: f64,
}

impl Band {
    /// Whether a measured value reaches this band.
    pub fn reached_by(&self, measured: &crate::checks::Quantity) -> bool {
        use crate::checks::Quantity;
        const EPS: f64 = 1e-9;
        match (self.min, measured) {
            (Threshold::Percent(p), Quantity::Share { value }) => value + EPS >= p.0,
            (Threshold::Count(n), Quantity::Count { value }) => {
                *value >= i64::try_from(n).unwrap_or(i64::MAX)
            }
            _ => false,
        }
    }
}

impl Deduct {
    /// Whether this is the given style.
    pub fn is(&self, style: DeductStyle) -> bool {
        matches!(self, Deduct::Style(s) if *s == style)
    }

    /// The clauses of a schedule; empty for every other style.
    pub fn clauses(&self) -> &[Clause] {
        match self {
            Deduct::Schedule { schedule } => schedule,
            _ => &[],
        }
    }
}

/// One clause of a deduction schedule: "集体学法每少一次扣0.5分，累计不超过2分".
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Clause {
    /// What the clause deducts for, in Chinese (`集体学法每少一次`).
    pub label: String,
    /// Points per occurrence.
    pub per: f64,
    /// Most points the clause deducts (累计不超过); the item's points when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    /// What counts occurrences: the units a counting check gives (a count's shortfall,
    /// failing rows, missing documents), or 1 when any other check fails.
    pub check: Check,
}

impl Clause {
    /// The most this clause can deduct from an item of `points`.
    pub fn limit(&self, points: f64) -> f64 {
        self.cap.unwrap_or(points).min(points)
    }
}

impl Item {
    /// Gives a schedule item its check: `all` of its clauses' checks, each labelled with its
    /// clause's label. Other items keep theirs.
    pub fn schedule_check(&mut self) {
        if let Deduct::Schedule { schedule } = &self.deduct {
            let parts = schedule
                .iter()
                .map(|c| Check {
                    label: Some(c.label.clone()),
                    points: None,
                    kind: c.check.kind.clone(),
                })
                .collect();
            self.check = Check {
                label: None,
                points: None,
                kind: crate::checks::Kind::All(crate::checks::all::All(parts)),
            };
        }
    }
}

fn no_check() -> Check {
    Check {
        label: None,
        points: None,
        kind: crate::checks::Kind::All(crate::checks::all::All(Vec::new())),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeductStyle {
    /// 全部达标得满分，否则不得分.
    All,
    /// Points scale with the measured share of the requirement.
    Proportional,
    /// Sub-parts of an `all` check score their own points (各得N分).
    Additive,
}

impl Default for Deduct {
    fn default() -> Self {
        Deduct::Style(DeductStyle::All)
    }
}

/// How a bonus item earns points.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Award {
    Style(AwardStyle),
    PerUnit { per_unit: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardStyle {
    All,
}

/// The rectification task written when an item is not met.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Rectify {
    pub problem: String,
    pub measure: String,
    pub owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Split the item's rectification task: one per failing row (school, decision) or one
    /// per schedule clause that deducted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<RectifyPer>,
}

/// How an item's rectification task is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RectifyPer {
    Row,
    Clause,
}

/// One change an overlay makes to its base.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Override {
    pub item: Option<String>,
    pub section: Option<String>,
    pub set: Option<String>,
    #[serde(default)]
    pub disable: bool,
    pub title: Option<String>,
    pub points: Option<f64>,
    pub applies_if: Option<Predicate>,
    pub check: Option<Check>,
    pub min: Option<Threshold>,
    pub max: Option<u64>,
    pub deduct: Option<Deduct>,
    pub award: Option<Award>,
    pub rectify: Option<Rectify>,
    pub evidence: Option<Vec<String>>,
    pub basis: Option<Vec<String>>,
    pub members: Option<Vec<String>>,
}

/// A new threshold given by an override: a percent (coverage, ratio) or a count.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Threshold {
    Count(u64),
    Percent(Percent),
}

/// A file under `tests/`: the pack's own test cases.
#[derive(Debug, Clone, Deserialize)]
pub struct TestFile {
    pub cases: Vec<TestCase>,
}

/// A test case: a submission (a path or inline, read with the case) and what must come out.
#[derive(Debug, Clone, Deserialize)]
pub struct TestCase {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// A path relative to the test file, or a submission written inline.
    pub submission: serde_json::Value,
    /// A path relative to the test file, or a list of waivers written inline.
    #[serde(default)]
    pub waivers: Option<serde_json::Value>,
    /// A path relative to the test file, or a list of reviews written inline.
    #[serde(default)]
    pub reviews: Option<serde_json::Value>,
    #[serde(default)]
    pub expect: Expect,
}

/// What a test case must produce; what it does not name is not checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Expect {
    #[serde(default)]
    pub items: IndexMap<String, ItemExpect>,
    /// Section id (at any level) -> the points its subtotal earns.
    #[serde(default)]
    pub sections: IndexMap<String, f64>,
    pub total: Option<f64>,
    pub grade: Option<String>,
    pub vetoes: Option<Vec<String>>,
    /// Whether every eligibility gate is met (a pack without gates: always).
    pub eligible: Option<bool>,
}

/// An item's expected status and points.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemExpect {
    pub status: Option<crate::score::Status>,
    pub points: Option<f64>,
}

//! Check kinds: one module each, holding the kind's pack syntax, its validation, its
//! evaluation, the template variables it provides, the threshold an overlay may override and
//! the changes the mutation test makes. Evaluation reads only the pack and the submission,
//! never files, and never fails: missing data and empty registers are outcomes.

pub mod all;
pub mod any;
pub mod compare;
pub mod count;
pub mod coverage;
pub mod deadline;
pub mod each;
pub mod evidence;
pub mod fact;
pub mod not;
pub mod predicate;
pub mod ratio;
pub mod stated;

use std::collections::HashSet;

use indexmap::IndexMap;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::pack::validate::Validator;
use crate::pack::{Field, Origin, Pack, Percent, Predicate, Threshold};
use crate::submission::{Submission, Table, Value};
use predicate::{Compiled, Scope, Verdict};
pub use predicate::{Described, Miss, Test};

/// A check node: one kind, plus a label and points when it is a scored part of `all`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Check {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    #[serde(flatten)]
    pub kind: Kind,
}

impl Check {
    /// Every pair of facts in this check and its parts where the first is a part of the
    /// second and so cannot exceed it: a `ratio`'s numerator and denominator (unless it
    /// says `may_exceed`), a stated number meeting a requirement and the stated total.
    pub fn parts_of_wholes<'a>(&'a self, out: &mut Vec<(&'a str, &'a str)>) {
        let stated = |s: &'a Option<stated::Stated>| {
            s.as_ref()
                .and_then(|s| Some((s.met.as_deref()?, s.total.as_deref()?)))
        };
        match &self.kind {
            Kind::Ratio(r) if !r.may_exceed => out.push((&r.numerator, &r.denominator)),
            Kind::Coverage(c) => out.extend(stated(&c.stated)),
            Kind::Each(e) => out.extend(stated(&e.stated)),
            Kind::All(all::All(parts)) | Kind::Any(any::Any(parts)) => {
                for part in parts {
                    part.parts_of_wholes(out);
                }
            }
            Kind::Not(not::Not(inner)) => inner.parts_of_wholes(out),
            _ => {}
        }
    }
}

/// Declares the check kinds: each is a module with a type implementing [`Spec`], selected in
/// a pack by its key. Adding a kind is a new module and one line here.
macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident($ty:ty) = $name:literal,)*) => {
        /// A check's kind, by the key that selects it.
        #[derive(Debug, Clone, Deserialize, Serialize)]
        pub enum Kind {
            $($(#[$doc])* #[serde(rename = $name)] $variant($ty),)*
        }

        impl Kind {
            /// The keys that select a kind.
            pub const NAMES: &'static [&'static str] = &[$($name,)*];

            /// The key that selects this kind.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Kind::$variant(_) => $name,)*
                }
            }

            /// What this kind can do.
            pub fn spec(&self) -> &dyn Spec {
                match self {
                    $(Kind::$variant(k) => k,)*
                }
            }

            /// What this kind can do, for changing it.
            pub fn spec_mut(&mut self) -> &mut dyn Spec {
                match self {
                    $(Kind::$variant(k) => k,)*
                }
            }
        }
    };
}

kinds! {
    /// Conditions on the submission's facts.
    Fact(fact::Fact) = "fact",
    /// The share of a register's rows meeting a requirement.
    Coverage(coverage::Coverage) = "coverage",
    /// Every row of a register meets a requirement.
    Each(each::Each) = "each",
    /// A number of rows, or an integer fact, within bounds.
    Count(count::Count) = "count",
    /// A fact divided by a fact, at least a share.
    Ratio(ratio::Ratio) = "ratio",
    /// A date fact, or a date column of every row, by a due date.
    Deadline(deadline::Deadline) = "deadline",
    /// Supporting documents listed in the submission.
    Evidence(evidence::Evidence) = "evidence",
    /// A fact against another fact or a value, with an optional factor.
    Compare(compare::Compare) = "compare",
    /// Every part holds.
    All(all::All) = "all",
    /// Some part holds.
    Any(any::Any) = "any",
    /// The inner check does not hold.
    Not(not::Not) = "not",
}

/// What every check kind provides. Implemented once per kind, in the kind's module.
pub trait Spec {
    /// Reports what `kaohe check` finds wrong with the check at `at` (the kind's key).
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin);

    /// Evaluates the check over a submission.
    fn evaluate(&self, ctx: &Context) -> CheckResult;

    /// The template variables its results provide, beyond [`COMMON_VARIABLES`].
    fn variables(&self) -> &'static [&'static str];

    /// Whether it counts units (failing rows, missing documents, a count's shortfall,
    /// failing parts) that a `per_unit` deduction or award can use.
    fn counts_units(&self) -> bool {
        false
    }

    /// The registers whose rows it reads (and a row waiver can exempt).
    fn registers(&self) -> Vec<&str> {
        Vec::new()
    }

    /// Whether it measures a share of its requirement, for a `proportional` deduction.
    fn measures_share(&self) -> bool {
        false
    }

    /// The minimum an overlay's `min` sets.
    fn threshold(&self) -> Option<Threshold> {
        None
    }

    /// Sets the minimum an overlay's `min` gives; false when it does not fit this kind.
    fn set_threshold(&mut self, _min: Threshold) -> bool {
        false
    }

    /// Sets the maximum an overlay's `max` gives; false when it does not fit this kind.
    fn set_max(&mut self, _max: u64) -> bool {
        false
    }

    /// Every one-number change of this check that a pack's tests should notice, each with a
    /// description: thresholds and bounds moved both ways.
    fn mutants(&self) -> Vec<(String, Kind)> {
        Vec::new()
    }
}

/// Template variables every item provides.
pub const COMMON_VARIABLES: &[&str] = &[
    "item_id", "title", "points", "awarded", "deducted", "status",
];

/// The variables a kind's results give templates, declared once as a struct: its fields are
/// the names `kaohe check` accepts in a template, and evaluation can set no other.
pub trait Variables {
    const NAMES: &'static [&'static str];
    fn values(self) -> Vec<(&'static str, Measure)>;
}

/// Declares a struct of template variables and its [`Variables`] implementation.
#[macro_export]
macro_rules! variables {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $($(#[$fm])* pub $field: $ty,)*
        }

        impl $crate::checks::Variables for $name {
            const NAMES: &'static [&'static str] = &[$(stringify!($field),)*];
            fn values(self) -> Vec<(&'static str, $crate::checks::Measure)> {
                vec![$((stringify!($field), $crate::checks::Measure::from(self.$field)),)*]
            }
        }
    };
}

/// A measured value, typed: only the render layer turns it into words.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    Count(i64),
    Number(f64),
    /// A share: 0.95 is 95%.
    Share(Share),
    Date(Date),
    /// Row keys or document labels: a list.
    Names(Vec<String>),
    /// Parts of `all`, `any` or `not`.
    Parts(Vec<PartName>),
    /// Conditions that do not hold, each described.
    Conditions(Conditions),
    /// Not given (a count with no maximum).
    None,
}

/// A share of a whole: 0.95 is 95%.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share(pub f64);

/// A part of `all`, `any` or `not`: its label, or its position (from 1) when it has none.
#[derive(Debug, Clone, PartialEq)]
pub enum PartName {
    Label(String),
    Position(usize),
}

impl From<Vec<PartName>> for Measure {
    fn from(parts: Vec<PartName>) -> Self {
        Measure::Parts(parts)
    }
}

/// Conditions that do not hold, or lack a value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Conditions(pub Vec<Miss>);

impl From<usize> for Measure {
    fn from(n: usize) -> Self {
        Measure::Count(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<i64> for Measure {
    fn from(n: i64) -> Self {
        Measure::Count(n)
    }
}

impl From<Option<i64>> for Measure {
    fn from(n: Option<i64>) -> Self {
        n.map_or(Measure::None, Measure::Count)
    }
}

impl From<f64> for Measure {
    fn from(x: f64) -> Self {
        Measure::Number(x)
    }
}

impl From<Option<f64>> for Measure {
    fn from(x: Option<f64>) -> Self {
        x.map_or(Measure::None, Measure::Number)
    }
}

impl From<Share> for Measure {
    fn from(s: Share) -> Self {
        Measure::Share(s)
    }
}

impl From<Percent> for Measure {
    fn from(p: Percent) -> Self {
        Measure::Share(Share(p.0))
    }
}

impl From<Date> for Measure {
    fn from(d: Date) -> Self {
        Measure::Date(d)
    }
}

impl From<Option<Date>> for Measure {
    fn from(d: Option<Date>) -> Self {
        d.map_or(Measure::None, Measure::Date)
    }
}

impl From<Vec<String>> for Measure {
    fn from(names: Vec<String>) -> Self {
        Measure::Names(names)
    }
}

impl From<Conditions> for Measure {
    fn from(c: Conditions) -> Self {
        Measure::Conditions(c)
    }
}

/// A measured quantity, typed; the render layer writes it (`33.33%`, `3/5`, `2024-03-01`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Quantity {
    /// A share of a whole: 0.95 is 95%.
    Share {
        value: f64,
    },
    Count {
        value: i64,
    },
    Number {
        value: f64,
    },
    Date {
        value: Date,
    },
    /// Rows that meet the requirement, of the rows in scope.
    Rows {
        met: usize,
        of: usize,
    },
    /// Parts of an `all` or `any` that hold, of its parts.
    Parts {
        met: usize,
        of: usize,
    },
    /// Documents given, of those required.
    Documents {
        given: usize,
        of: usize,
    },
    /// Periods (quarters, months, semesters) that meet the requirement, of those counted.
    Periods {
        met: usize,
        of: usize,
        period: PeriodKind,
    },
}

/// The periods a `count` groups rows by: `per: {period: quarter, date: held_on}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Quarter,
    Month,
    /// Chinese school semesters: spring is February to July of the assessment year, autumn is
    /// August of the assessment year to January of the next.
    Semester,
}

/// One period of an assessment year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodName {
    /// 1 to 4.
    Quarter(u8),
    /// 1 to 12.
    Month(u8),
    Spring,
    Autumn,
}

/// How many rows fall in a period, and how far that lies outside the bounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodCount {
    pub period: PeriodName,
    pub count: i64,
    /// Below `min` by this much (0 when it is not).
    pub short: i64,
    /// Above `max` by this much (0 when it is not).
    pub over: i64,
}

/// What a check requires, typed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Requirement {
    /// A comparison with a bound: `≥80%`, `≤5`.
    Bound {
        op: Comparison,
        value: Quantity,
    },
    /// Between two bounds, both included.
    Between {
        min: Quantity,
        max: Quantity,
    },
    /// Every row in scope meets the row requirement.
    EveryRow,
    AllParts,
    AnyPart,
    /// The named part does not hold.
    NotPart {
        label: PartName,
    },
    /// Documents, by label.
    Documents {
        labels: Vec<String>,
    },
    /// Conditions on facts.
    Conditions {
        #[serde(serialize_with = "crate::report::with_text::conditions")]
        conditions: Vec<Described>,
    },
    /// Every period meets the bound.
    EachPeriod {
        period: PeriodKind,
        bound: Box<Requirement>,
    },
    /// A date within due dates (either may be open).
    Due {
        #[serde(skip_serializing_if = "Option::is_none")]
        after: Option<Date>,
        #[serde(skip_serializing_if = "Option::is_none")]
        before: Option<Date>,
    },
}

/// How a measured value relates to a bound.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    Gt,
    #[default]
    Gte,
    Lt,
    Lte,
    Equals,
}

impl Comparison {
    /// Whether `left` relates to `right` so (to a tolerance of [`EPS`]).
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Comparison::Gt => left > right + EPS,
            Comparison::Gte => left + EPS >= right,
            Comparison::Lt => left + EPS < right,
            Comparison::Lte => left <= right + EPS,
            Comparison::Equals => (left - right).abs() <= EPS,
        }
    }
}

/// How far a check falls short, typed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shortfall {
    /// Rows that would have to meet the requirement to reach the minimum share; `unit` is
    /// the register's (`所`), when it has one.
    RowsShort {
        rows: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// Rows that do not meet the requirement.
    RowsFailing {
        rows: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// Rows late, or with no date.
    RowsLate {
        rows: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// A count below its minimum by this much; `unit` is the register's when rows are
    /// counted.
    Fewer {
        by: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// A count above its maximum by this much.
    More {
        by: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// A value short of its bound by this much.
    Amount { value: Quantity },
    /// A date after its due date.
    Late { date: Date, due: Date, days: i64 },
    /// A date before its earliest date.
    Early { date: Date, due: Date },
    /// Documents not given, by label.
    Documents { labels: Vec<String> },
    /// Parts that do not hold.
    Parts { labels: Vec<PartName> },
    /// Periods whose count lies outside the bounds; `unit` is the register's.
    Periods {
        periods: Vec<PeriodCount>,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
}

/// One step of how a verdict was reached, typed; `report::steps` writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The rows of a register in scope.
    Scope {
        register: String,
        /// The register's unit (`所`), when it has one.
        unit: Option<String>,
        total: usize,
        /// The `where` conditions.
        filter: Vec<Described>,
        included: usize,
        /// Rows left out because a `where` column has no value (rather than a value that
        /// does not match): the column's label and how many rows, in the order first met.
        unfilled: Vec<(String, usize)>,
    },
    /// Rows a waiver exempts, by key.
    Waived { keys: Vec<String> },
    /// What each row (or the facts) must meet.
    Requires { conditions: Vec<Described> },
    /// What a labelled column or fact must meet.
    RequiresOf {
        label: String,
        requirement: Requirement,
    },
    /// One row: met when it misses nothing.
    Row { key: String, misses: Vec<Miss> },
    /// A condition on the facts that does not hold or has no value.
    Unmet { condition: Miss },
    /// Every condition holds.
    AllMet,
    /// Data the check needs and the submission does not give.
    Missing { what: Miss },
    /// No row is in scope.
    NoRows,
    /// The figures the submission states, scored from in place of the rows: each fact's
    /// label and value.
    Stated { figures: Vec<(String, Quantity)> },
    /// Rows kept for a date window: those whose date (column `label`) falls from `from` to
    /// `to`; `outside` have a date outside it, `undated` none.
    Window {
        label: String,
        from: Date,
        to: Date,
        kept: usize,
        outside: usize,
        undated: usize,
        /// The register's unit (`次`), when it has one.
        unit: Option<String>,
    },
    /// Rows counted per period, each period against the bound.
    Periods {
        period: PeriodKind,
        counts: Vec<PeriodCount>,
        requirement: Option<Requirement>,
        unit: Option<String>,
    },
    /// A ratio's denominator is zero.
    ZeroDenominator { label: String },
    /// A measured value against the requirement.
    Judged {
        subject: Subject,
        value: Quantity,
        requirement: Option<Requirement>,
        met: bool,
    },
    /// A document, given or not.
    Document { label: String, given: bool },
    /// A part of `all` or `any`, with how it came out.
    Part {
        label: PartName,
        points: Option<f64>,
        verdict: CheckVerdict,
        steps: Vec<Step>,
    },
    /// The part `not` negates.
    Negated { label: PartName, steps: Vec<Step> },
    /// The item's `applies_if` does not hold.
    DoesNotApply { conditions: Vec<Miss> },
    /// The facts `applies_if` reads are missing.
    ApplicabilityUnknown { missing: Vec<Miss> },
    /// A waiver exempts the item.
    Waiver {
        reason: String,
        approved_by: String,
        expires_on: Date,
    },
    /// How the item's points follow.
    Scored(crate::score::ScoreStep),
}

/// What a [`Step::Judged`] measured.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// The share of rows meeting the requirement.
    Coverage { passed: usize, total: usize },
    /// Rows that meet the requirement, of those in scope (`unit`: the register's).
    RowsMet { unit: Option<String> },
    /// Rows on time, of those in scope.
    RowsOnTime { unit: Option<String> },
    /// A number of rows or an integer fact.
    Count,
    /// A rate the submission states.
    StatedRate,
    /// A fact divided by a fact.
    Ratio {
        numerator: String,
        denominator: String,
        num: f64,
        den: f64,
    },
    /// A labelled date.
    DateOf { label: String },
    /// A labelled fact against another value (labelled when it is a fact), times a factor.
    Compared {
        label: String,
        other_label: Option<String>,
        other: Quantity,
        factor: Option<f64>,
    },
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckVerdict {
    Pass,
    Fail,
    NotApplicable,
    MissingData,
}

/// A row that does not meet a check, with what it misses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailingRow {
    pub key: String,
    #[serde(serialize_with = "crate::report::with_text::misses")]
    pub misses: Vec<Miss>,
}

/// A part of an `all`/`any`/`not` check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartResult {
    pub label: PartName,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    pub verdict: CheckVerdict,
    /// The part's counted units (a count's shortfall, failing rows, missing documents), for
    /// a deduction schedule's clauses.
    #[serde(skip)]
    pub units: f64,
    /// What the part measured and how far it fell short, for a schedule clause's wording.
    #[serde(skip)]
    pub measured: Option<Quantity>,
    #[serde(skip)]
    pub shortfall: Option<Shortfall>,
    /// Whether stated figures leave the part's units unknown (a stated rate without the
    /// numbers): a schedule clause cannot count its occurrences.
    #[serde(skip)]
    pub units_unknown: bool,
    /// Where the part's measured value came from.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::report::with_text::source"
    )]
    pub source: Option<stated::Source>,
}

/// Everything a check measured: the verdict and what the score and the report need.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub verdict: CheckVerdict,
    pub measured: Option<Quantity>,
    pub required: Option<Requirement>,
    pub shortfall: Option<Shortfall>,
    /// Failing units, for `per_unit` deductions: rows, missing documents, a count's shortfall.
    pub units: f64,
    /// Counted units, for `per_unit` bonus awards: rows counted or meeting the requirement.
    pub counted: f64,
    /// Measured share of the requirement (0..=1), for `proportional` deductions.
    pub share: Option<f64>,
    pub failing: Vec<FailingRow>,
    pub missing: Vec<Miss>,
    pub parts: Vec<PartResult>,
    /// Rows the item's waivers exempted.
    pub waived_rows: Vec<String>,
    /// The measured values its template variables hold.
    pub vars: Vec<(&'static str, Measure)>,
    /// How the verdict was reached, step by step.
    pub explain: Vec<Step>,
    /// Where the measured value came from: the rows, or the stated figures.
    pub source: Option<stated::Source>,
    /// Stated figures that disagree with what the rows give.
    pub reconciled: Vec<stated::Reconciled>,
    /// When the units a `per_unit` deduction counts are unknown (a stated rate without the
    /// numbers): what would give them.
    pub units_unknown: Option<Miss>,
}

impl CheckResult {
    /// A result with only a verdict (an item that does not apply, or is waived).
    pub fn with_verdict(verdict: CheckVerdict) -> Self {
        CheckResult {
            verdict,
            measured: None,
            required: None,
            shortfall: None,
            units: 0.0,
            counted: 0.0,
            share: None,
            failing: Vec::new(),
            missing: Vec::new(),
            parts: Vec::new(),
            waived_rows: Vec::new(),
            vars: Vec::new(),
            explain: Vec::new(),
            source: None,
            reconciled: Vec::new(),
            units_unknown: None,
        }
    }

    /// Sets the template variables a kind provides.
    pub fn set_vars(&mut self, vars: impl Variables) {
        self.vars = vars.values();
    }

    /// A template variable's measured value.
    pub fn var(&self, name: &str) -> Option<&Measure> {
        self.vars.iter().find(|(n, _)| *n == name).map(|(_, m)| m)
    }

    pub(crate) fn missing(what: Miss) -> Self {
        Self::missing_all([what])
    }

    /// A result of missing data: each of `whats` is not given.
    pub(crate) fn missing_all(whats: impl IntoIterator<Item = Miss>) -> Self {
        let mut r = CheckResult::with_verdict(CheckVerdict::MissingData);
        for what in whats {
            r.explain.push(Step::Missing { what: what.clone() });
            r.missing.push(what);
        }
        r
    }
}

/// What an evaluation may read.
pub struct Context<'a> {
    pub pack: &'a Pack,
    pub submission: &'a Submission,
    /// Row keys exempted by waivers for the item being evaluated.
    pub waived_rows: &'a HashSet<String>,
    /// Whether to record every row in `explain`.
    pub explain_rows: bool,
}

pub(crate) const EPS: f64 = 1e-9;

/// Evaluates a check.
pub fn evaluate(ctx: &Context, check: &Check) -> CheckResult {
    check.kind.spec().evaluate(ctx)
}

/// Whether an item applies: `Some(true)` when its condition holds (or it has none),
/// `Some(false)` when it does not, `None` when the facts it reads are missing.
pub fn applies(ctx: &Context, predicate: Option<&Predicate>) -> (Option<bool>, Vec<Miss>) {
    let Some(p) = predicate else {
        return (Some(true), Vec::new());
    };
    let (failed, missing) = fact_misses(ctx, p).1;
    if !failed.is_empty() {
        (Some(false), failed)
    } else if !missing.is_empty() {
        (None, missing)
    } else {
        (Some(true), Vec::new())
    }
}

/// A predicate over the facts, compiled, and what it finds: (conditions that fail,
/// conditions whose fact is missing).
pub(crate) fn fact_misses(ctx: &Context, p: &Predicate) -> (Compiled, (Vec<Miss>, Vec<Miss>)) {
    let compiled = Compiled::new(
        p,
        &Scope::Facts(&ctx.pack.data),
        &ctx.pack.sets,
        ctx.submission.year,
    );
    let mut failed = Vec::new();
    let mut missing = Vec::new();
    for verdict in compiled.misses(&ctx.submission.facts) {
        match verdict {
            Verdict::Fails(m) => failed.push(m),
            Verdict::Missing(m) => missing.push(m),
            Verdict::Holds => {}
        }
    }
    (compiled, (failed, missing))
}

/// A register's table, its key column, and the rows in scope.
pub(crate) struct Scoped<'a> {
    pub table: &'a Table,
    pub key: usize,
    pub rows: Vec<usize>,
    pub columns: &'a IndexMap<String, Field>,
    /// What a row counts as (`所`), when the register says.
    pub unit: Option<String>,
}

/// The rows of register `name` within `filter`, less the waived ones; `None` when the
/// submission has no such register.
pub(crate) fn scope<'a>(
    ctx: &Context<'a>,
    name: &str,
    filter: Option<&Predicate>,
    r: &mut CheckResult,
) -> Option<Scoped<'a>> {
    let (index, _, register) = ctx.pack.data.registers.get_full(name)?;
    let table = ctx
        .submission
        .registers
        .get(index)
        .and_then(Option::as_ref)?;
    let key = register.columns.get_index_of(&register.key).unwrap_or(0);
    let compiled = filter.map(|p| {
        Compiled::new(
            p,
            &Scope::Columns(&register.columns),
            &ctx.pack.sets,
            ctx.submission.year,
        )
    });
    let mut rows = Vec::with_capacity(table.rows.len());
    let mut unfilled: Vec<(String, usize)> = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        if let Some(c) = &compiled
            && !c.holds(row)
        {
            // Counted as unfilled only when no condition of the range fails outright.
            if let Some(label) = c.only_missing(row) {
                match unfilled.iter_mut().find(|(l, _)| l == label) {
                    Some((_, n)) => *n += 1,
                    None => unfilled.push((label.to_string(), 1)),
                }
            }
            continue;
        }
        if !ctx.waived_rows.is_empty() {
            let k = table.key(i, key);
            if ctx.waived_rows.contains(&k) {
                r.waived_rows.push(k);
                continue;
            }
        }
        rows.push(i);
    }
    r.explain.push(Step::Scope {
        register: register.label.clone(),
        unit: register.unit.clone(),
        total: table.rows.len(),
        filter: compiled.map(|c| c.describe_each()).unwrap_or_default(),
        included: rows.len(),
        unfilled,
    });
    if !r.waived_rows.is_empty() {
        r.explain.push(Step::Waived {
            keys: r.waived_rows.clone(),
        });
    }
    Some(Scoped {
        table,
        key,
        rows,
        columns: &register.columns,
        unit: register.unit.clone(),
    })
}

/// The unit of register `name` (`所`), when it has one.
pub(crate) fn unit(ctx: &Context, name: &str) -> Option<String> {
    ctx.pack
        .data
        .registers
        .get(name)
        .and_then(|r| r.unit.clone())
}

/// The result of a check whose register the submission does not give.
pub(crate) fn register_missing(ctx: &Context, name: &str) -> CheckResult {
    let label = ctx
        .pack
        .data
        .registers
        .get(name)
        .map(|r| r.label.as_str())
        .unwrap_or(name);
    CheckResult::missing(Miss::NoRegister {
        label: label.to_string(),
    })
}

/// Rows in scope checked against `require`: the number that pass; failing rows go to `r`.
pub(crate) fn check_rows(
    ctx: &Context,
    s: &Scoped,
    require: &Predicate,
    r: &mut CheckResult,
) -> usize {
    let compiled = Compiled::new(
        require,
        &Scope::Columns(s.columns),
        &ctx.pack.sets,
        ctx.submission.year,
    );
    r.explain.push(Step::Requires {
        conditions: compiled.describe_each(),
    });
    let mut passed = 0;
    for &i in &s.rows {
        let row = &s.table.rows[i];
        let misses = compiled.misses(row);
        if misses.is_empty() {
            passed += 1;
            if ctx.explain_rows {
                r.explain.push(Step::Row {
                    key: s.table.key(i, s.key),
                    misses: Vec::new(),
                });
            }
        } else {
            let misses: Vec<Miss> = misses
                .into_iter()
                .filter_map(|v| match v {
                    Verdict::Fails(m) | Verdict::Missing(m) => Some(m),
                    Verdict::Holds => None,
                })
                .collect();
            let key = s.table.key(i, s.key);
            if ctx.explain_rows {
                r.explain.push(Step::Row {
                    key: key.clone(),
                    misses: misses.clone(),
                });
            }
            r.failing.push(FailingRow { key, misses });
        }
    }
    passed
}

/// The keys of the failing rows.
pub(crate) fn failed_keys(r: &CheckResult) -> Vec<String> {
    r.failing.iter().map(|f| f.key.clone()).collect()
}

/// The numeric value of a fact, or what is missing.
pub(crate) fn fact_number(ctx: &Context, name: &str) -> Result<f64, Miss> {
    let Some((i, _, field)) = ctx.pack.data.facts.get_full(name) else {
        return Err(Miss::NoValue {
            label: name.to_string(),
        });
    };
    ctx.submission
        .facts
        .get(i)
        .and_then(Option::as_ref)
        .and_then(Value::as_f64)
        .ok_or_else(|| Miss::NoValue {
            label: field.label.clone(),
        })
}

/// A fact's label (its name when the dictionary has none).
pub(crate) fn fact_label(ctx: &Context, name: &str) -> String {
    ctx.pack
        .data
        .facts
        .get(name)
        .map(|f| f.label.clone())
        .unwrap_or_else(|| name.to_string())
}

/// Sets a minimum share from an overlay's `min`; false when the `min` is a count.
pub(crate) fn set_share(min: &mut Percent, to: Threshold) -> bool {
    match to {
        Threshold::Percent(p) => {
            *min = p;
            true
        }
        Threshold::Count(_) => false,
    }
}

/// Reports what a check over rows names: its register, and the columns of `where` and
/// `require`.
pub(crate) fn validate_rows<'a>(
    v: &mut Validator<'a>,
    of: &'a str,
    filter: Option<&'a Predicate>,
    require: &'a Predicate,
    at: &Origin,
) {
    if v.register(of, &at.join("of")) {
        if let Some(w) = filter {
            v.predicate(
                w,
                crate::pack::validate::Fields::Register(of),
                &at.join("where"),
            );
        }
        v.predicate(
            require,
            crate::pack::validate::Fields::Register(of),
            &at.join("require"),
        );
    }
}

/// The mutants of a check's `where` and `require` bounds, as `(label, where, require)`.
pub(crate) fn rows_mutants(
    filter: Option<&Predicate>,
    require: &Predicate,
) -> Vec<(String, Option<Predicate>, Predicate)> {
    let mut out = Vec::new();
    for (label, p) in predicate::mutants(require) {
        out.push((format!("require {label}"), filter.cloned(), p));
    }
    for (label, p) in filter.into_iter().flat_map(predicate::mutants) {
        out.push((format!("where {label}"), Some(p), require.clone()));
    }
    out
}

/// A minimum share moved 10 points down and up (where that stays within 0%–100%).
pub(crate) fn share_mutants(min: Percent) -> Vec<(String, Percent)> {
    [min.0 - 0.1, min.0 + 0.1]
        .into_iter()
        .filter(|new| (-1e-9..=1.0 + 1e-9).contains(new))
        .map(|new| (format!("min {min} → {}", Percent(new)), Percent(new)))
        .collect()
}

//! Stated figures (填报数): facts that state what a register's rows would give — how many
//! rows are in scope, how many meet the requirement, the rate, a count — as annual reports
//! state them ("全区参与学校36所……参与率72.04%"). A check with `stated` scores from its
//! register's rows when they are given, else from the stated figures; when both are given,
//! the stated figures are reconciled with the rows (数据不一致, 疑似虚报).
//!
//! ```yaml
//! coverage:
//!   of: schools
//!   require: {legal_vp_count: {gte: 1}}
//!   min: 100%
//!   stated: {total: schools_total, met: schools_with_legal_vp, rate: legal_vp_rate}
//! ```

use serde::{Deserialize, Serialize};

use super::{
    CheckResult, CheckVerdict, Context, EPS, Miss, Quantity, Requirement, Step, check_rows,
    fact_number, register_missing, scope, unit,
};
use crate::diag::{Code, Target};
use crate::pack::validate::Validator;
use crate::pack::{FieldType, Origin, Predicate};

/// `stated: {total, met, rate}` (coverage, each), `{count}` (count) or `{rate}` (ratio): the
/// facts that state the check's figures.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Stated {
    /// The number of rows in scope (学校数).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
    /// The number of rows meeting the requirement (已配备的学校数).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met: Option<String>,
    /// The rate (配备率).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<String>,
    /// The number of rows counted (检查次数).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<String>,
}

/// One figure a check can state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    Total,
    Met,
    Rate,
    Count,
}

impl Figure {
    fn key(self) -> &'static str {
        match self {
            Figure::Total => "total",
            Figure::Met => "met",
            Figure::Rate => "rate",
            Figure::Count => "count",
        }
    }

    fn ty(self) -> FieldType {
        match self {
            Figure::Rate => FieldType::Percent,
            _ => FieldType::Integer,
        }
    }
}

impl Stated {
    fn named(&self) -> Vec<(Figure, &str)> {
        [
            (Figure::Total, &self.total),
            (Figure::Met, &self.met),
            (Figure::Rate, &self.rate),
            (Figure::Count, &self.count),
        ]
        .into_iter()
        .filter_map(|(f, name)| name.as_deref().map(|n| (f, n)))
        .collect()
    }

    /// Reports what `kaohe check` finds wrong: figures the kind cannot use, facts that are not
    /// in the dictionary, of the wrong type, or not figures of `register`; and a set of
    /// figures that can never give a value.
    pub(crate) fn validate(
        &self,
        v: &mut Validator,
        register: Option<&str>,
        allowed: &[Figure],
        at: &Origin,
    ) {
        let named = self.named();
        for (figure, name) in &named {
            let at = at.join(figure.key());
            if !allowed.contains(figure) {
                let keys: Vec<String> = allowed.iter().map(|f| format!("`{}`", f.key())).collect();
                v.error(
                    Code::StatedFigure,
                    &at,
                    Target::Key,
                    format!(
                        "this check cannot use a stated `{}`; it takes {}",
                        figure.key(),
                        keys.join(", ")
                    ),
                );
                continue;
            }
            let Some(field) = v.fact(name, &at) else {
                continue;
            };
            if field.ty != figure.ty() {
                v.error(
                    Code::TypeMismatch,
                    &at,
                    Target::Value,
                    format!(
                        "`{name}` is {}, but a stated `{}` is {}",
                        crate::pack::validate::a_type(field.ty),
                        figure.key(),
                        crate::pack::validate::a_type(figure.ty())
                    ),
                );
            }
            if let Some(register) = register
                && field.states.as_deref() != Some(register)
            {
                let d = v.error(
                    Code::StatedFigure,
                    &at,
                    Target::Value,
                    format!("fact `{name}` is not a stated figure of register `{register}`"),
                );
                Validator::help(
                    d,
                    format!("add `states: {register}` to `{name}` in the data dictionary"),
                );
            }
        }
        if named.is_empty() {
            v.error(
                Code::StatedFigure,
                at,
                Target::Key,
                "`stated` names no figure",
            );
        } else if allowed.contains(&Figure::Met)
            && self.rate.is_none()
            && (self.met.is_none() || self.total.is_none())
        {
            v.error(
                Code::StatedFigure,
                at,
                Target::Key,
                "a rate needs a stated `rate`, or both `met` and `total`",
            );
        }
    }
}

/// Where a measured value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Computed from a register's rows (据台账核算).
    Register,
    /// The figures the submission states (据填报数).
    Stated,
    /// Parts from each.
    Mixed,
}

impl Source {
    /// The source of a combination of parts: theirs when they agree.
    pub fn combine(sources: impl IntoIterator<Item = Source>) -> Option<Source> {
        let mut out = None;
        for s in sources {
            out = match out {
                None => Some(s),
                Some(o) if o == s => Some(o),
                Some(_) => Some(Source::Mixed),
            };
        }
        out
    }
}

/// How a stated figure disagrees with what the rows (or the other stated figures) give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// 数据不一致: they differ.
    Inconsistent,
    /// 疑似虚报: the stated figure is the better one.
    Overstated,
}

/// A stated figure set against what the rows give.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciled {
    pub figure: Figure,
    /// The stating fact's label.
    pub label: String,
    pub stated: Quantity,
    /// What the rows give (or, with no rows, the other stated figures).
    pub computed: Quantity,
    /// Whether `computed` comes from the rows or from the other stated figures.
    pub against: Source,
    pub finding: Finding,
}

/// The figures a submission states for a rate: each read, none invented.
pub(crate) struct ShareFigures {
    pub total: Option<usize>,
    pub met: Option<usize>,
    pub rate: f64,
}

/// What a check's stated figures give when its rows are absent.
pub(crate) enum FromStated {
    /// A rate, with what could be read.
    Share(ShareFigures),
    /// A stated total of zero: nothing to assess.
    Nothing,
    /// Neither the rows nor enough stated figures: what is missing.
    Missing(Vec<Miss>),
}

fn fact(ctx: &Context, name: Option<&String>) -> Option<Result<f64, Miss>> {
    name.map(|n| fact_number(ctx, n))
}

fn count_of(x: f64) -> usize {
    if x <= 0.0 { 0 } else { x.round() as usize }
}

fn label(ctx: &Context, name: &str) -> String {
    super::fact_label(ctx, name)
}

/// Whether `stated` lies off `computed` by more than the pack's tolerance: a rate in
/// percentage points, a number relative to the computed one.
fn differs(ctx: &Context, figure: Figure, stated: f64, computed: f64) -> bool {
    let tolerance = ctx
        .pack
        .scoring
        .reconcile
        .map_or(0.0, |r| r.tolerance.0.max(0.0));
    let allowed = match figure {
        Figure::Rate => tolerance,
        _ => tolerance * computed.abs(),
    };
    (stated - computed).abs() > allowed + EPS
}

/// The finding, if any, on a stated figure against the computed one: higher is better for
/// what meets the requirement, the rate and a count; a total that differs is inconsistent.
fn finding(ctx: &Context, figure: Figure, stated: f64, computed: f64) -> Option<Finding> {
    if !differs(ctx, figure, stated, computed) {
        return None;
    }
    Some(match figure {
        Figure::Total => Finding::Inconsistent,
        _ if stated > computed => Finding::Overstated,
        _ => Finding::Inconsistent,
    })
}

fn quantity(figure: Figure, x: f64) -> Quantity {
    match figure {
        Figure::Rate => Quantity::Share { value: x },
        _ => Quantity::Count {
            value: x.round() as i64,
        },
    }
}

/// Records a finding on `figure` in `r`, if its stated value differs from `computed`.
fn reconcile_one(
    ctx: &Context,
    r: &mut CheckResult,
    figure: Figure,
    name: &str,
    stated: f64,
    computed: f64,
    against: Source,
) {
    if let Some(finding) = finding(ctx, figure, stated, computed) {
        r.reconciled.push(Reconciled {
            figure,
            label: label(ctx, name),
            stated: quantity(figure, stated),
            computed: quantity(figure, computed),
            against,
            finding,
        });
    }
}

/// Sets the stated rate figures beside what the rows give (`total` rows in scope, `met` of
/// them meeting the requirement), recording every disagreement in `r`.
pub(crate) fn reconcile_share(
    ctx: &Context,
    stated: Option<&Stated>,
    total: usize,
    met: usize,
    r: &mut CheckResult,
) {
    let Some(stated) = stated else { return };
    let rate = if total == 0 {
        None
    } else {
        Some(met as f64 / total as f64)
    };
    for (figure, name) in stated.named() {
        let Ok(value) = fact_number(ctx, name) else {
            continue;
        };
        let computed = match figure {
            Figure::Total => Some(total as f64),
            Figure::Met => Some(met as f64),
            Figure::Rate => rate,
            Figure::Count => None,
        };
        if let Some(computed) = computed {
            reconcile_one(ctx, r, figure, name, value, computed, Source::Register);
        }
    }
}

/// Sets a stated count beside the rows counted.
pub(crate) fn reconcile_count(
    ctx: &Context,
    stated: Option<&Stated>,
    rows: i64,
    r: &mut CheckResult,
) {
    let Some(name) = stated.and_then(|s| s.count.as_deref()) else {
        return;
    };
    if let Ok(value) = fact_number(ctx, name) {
        reconcile_one(
            ctx,
            r,
            Figure::Count,
            name,
            value,
            rows as f64,
            Source::Register,
        );
    }
}

/// Sets a stated rate beside the rate its numerator and denominator give.
pub(crate) fn reconcile_rate(
    ctx: &Context,
    stated: Option<&Stated>,
    rate: f64,
    r: &mut CheckResult,
) {
    let Some(name) = stated.and_then(|s| s.rate.as_deref()) else {
        return;
    };
    if let Ok(value) = fact_number(ctx, name) {
        reconcile_one(ctx, r, Figure::Rate, name, value, rate, Source::Stated);
    }
}

/// The stated count, when the check has one and the submission gives it.
pub(crate) fn count(ctx: &Context, stated: Option<&Stated>) -> Option<Result<i64, Miss>> {
    let name = stated?.count.as_deref()?;
    Some(fact_number(ctx, name).map(|x| x.round() as i64))
}

/// The stated rate of a ratio, when the check has one.
pub(crate) fn rate(ctx: &Context, stated: Option<&Stated>) -> Option<Result<f64, Miss>> {
    fact(ctx, stated?.rate.as_ref())
}

/// What the stated figures of a rate give: the rate (stated, or met over total), the
/// numbers where stated; findings where the stated rate and met over total disagree.
pub(crate) fn share(ctx: &Context, stated: &Stated, r: &mut CheckResult) -> FromStated {
    let total = fact(ctx, stated.total.as_ref());
    let met = fact(ctx, stated.met.as_ref());
    let rate = fact(ctx, stated.rate.as_ref());
    let given = |x: &Option<Result<f64, Miss>>| x.as_ref().and_then(|v| v.as_ref().ok()).copied();
    let (t, m, q) = (given(&total), given(&met), given(&rate));
    if t.is_some_and(|t| t.abs() < EPS) {
        return FromStated::Nothing;
    }
    let from_counts = match (m, t) {
        (Some(m), Some(t)) => Some(m / t),
        _ => None,
    };
    let Some(value) = q.or(from_counts) else {
        let mut missing = Vec::new();
        for x in [rate, met, total].into_iter().flatten() {
            if let Err(m) = x {
                missing.push(m);
            }
        }
        return FromStated::Missing(missing);
    };
    let mut figures = Vec::new();
    for (figure, name, v) in [
        (Figure::Total, &stated.total, t),
        (Figure::Met, &stated.met, m),
        (Figure::Rate, &stated.rate, q),
    ] {
        if let (Some(name), Some(v)) = (name, v) {
            figures.push((label(ctx, name), quantity(figure, v)));
        }
    }
    r.explain.push(Step::Stated { figures });
    if let (Some(q), Some(c), Some(name)) = (q, from_counts, stated.rate.as_deref()) {
        reconcile_one(ctx, r, Figure::Rate, name, q, c, Source::Stated);
    }
    let total = t.map(count_of);
    let met = m.map(count_of).or_else(|| t.map(|t| count_of(value * t)));
    FromStated::Share(ShareFigures {
        total,
        met,
        rate: value,
    })
}

/// What would give the units a per-unit deduction counts when stated figures leave them
/// unknown: the stated number meeting the requirement (or the total), else the number of
/// rows that do not meet it.
pub(crate) fn units_miss(ctx: &Context, stated: &Stated, register: &str) -> Miss {
    let label = match stated.met.as_ref().or(stated.total.as_ref()) {
        Some(name) => label(ctx, name),
        None => {
            let register = ctx
                .pack
                .data
                .registers
                .get(register)
                .map_or(register, |r| r.label.as_str());
            format!("不符合要求的{register}数")
        }
    };
    Miss::NoValue { label }
}

/// The result of a check whose rows are absent and whose stated figures are too: the
/// register is what is missing (the completeness list names it once); the explanation also
/// names the figures that could have stood in for it.
pub(crate) fn missing(ctx: &Context, register: &str, misses: Vec<Miss>) -> CheckResult {
    let mut r = super::register_missing(ctx, register);
    for m in misses {
        r.explain.push(Step::Missing { what: m });
    }
    r
}

/// A result for a stated total of zero: nothing to assess.
pub(crate) fn nothing(required: Option<super::Requirement>) -> CheckResult {
    let mut r = CheckResult::with_verdict(CheckVerdict::NotApplicable);
    r.required = required;
    r.source = Some(Source::Stated);
    r.explain.push(Step::NoRows);
    r
}

/// A share of register `of`'s rows (within `filter`) meeting `require` — `coverage` and
/// `each` — judged by `judge` from the rows when the submission gives them (reconciling any
/// stated figures with them), else from the stated figures; `judge` takes the rows in scope
/// and those meeting the requirement (either unknown when only a rate is stated), the rate
/// and the register's unit.
pub(crate) fn rows_or_figures(
    ctx: &Context,
    of: &str,
    filter: Option<&Predicate>,
    require: &Predicate,
    stated: Option<&Stated>,
    required: Requirement,
    judge: impl FnOnce(CheckResult, Option<usize>, Option<usize>, f64, Option<String>) -> CheckResult,
) -> CheckResult {
    let mut r = CheckResult::with_verdict(CheckVerdict::Pass);
    let Some(s) = scope(ctx, of, filter, &mut r) else {
        let Some(st) = stated else {
            return register_missing(ctx, of);
        };
        let mut r = CheckResult::with_verdict(CheckVerdict::Pass);
        return match share(ctx, st, &mut r) {
            FromStated::Share(f) => {
                r.source = Some(Source::Stated);
                if f.total.is_none() || f.met.is_none() {
                    r.units_unknown = Some(units_miss(ctx, st, of));
                }
                judge(r, f.total, f.met, f.rate, unit(ctx, of))
            }
            FromStated::Nothing => nothing(Some(required)),
            FromStated::Missing(m) => missing(ctx, of, m),
        };
    };
    r.source = Some(Source::Register);
    let total = s.rows.len();
    if total == 0 {
        reconcile_share(ctx, stated, 0, 0, &mut r);
        r.required = Some(required);
        r.verdict = CheckVerdict::NotApplicable;
        r.explain.push(Step::NoRows);
        return r;
    }
    let passed = check_rows(ctx, &s, require, &mut r);
    reconcile_share(ctx, stated, total, passed, &mut r);
    let rate = passed as f64 / total as f64;
    let unit = s.unit.clone();
    judge(r, Some(total), Some(passed), rate, unit)
}

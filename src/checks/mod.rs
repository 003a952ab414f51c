//! Evaluating checks over a submission. Evaluation reads only the pack and the submission,
//! never files, and never fails: missing data and empty registers are outcomes.

pub mod predicate;

use std::collections::HashSet;

use indexmap::IndexMap;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::Value as Json;

use crate::num;
use crate::pack::{Check, CheckKind, Count, Coverage, Deadline, Due, Each, Pack, Predicate, Ratio};
use crate::submission::{Submission, Table, Value};
use predicate::{Compiled, Scope, Verdict};

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
    pub misses: Vec<String>,
}

/// A part of an `all`/`any`/`not` check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartResult {
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    pub verdict: CheckVerdict,
}

/// Everything a check measured: the verdict and what the score and the report need.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub verdict: CheckVerdict,
    pub measured: Option<String>,
    pub required: Option<String>,
    pub shortfall: Option<String>,
    /// Failing units, for `per_unit` deductions: rows, missing documents, a count's shortfall.
    pub units: f64,
    /// Counted units, for `per_unit` bonus awards: rows counted or meeting the requirement.
    pub counted: f64,
    /// Measured share of the requirement (0..=1), for `proportional` deductions.
    pub share: Option<f64>,
    pub failing: Vec<FailingRow>,
    pub missing: Vec<String>,
    pub parts: Vec<PartResult>,
    /// Rows the item's waivers exempted.
    pub waived_rows: Vec<String>,
    /// Template variables this check provides.
    pub vars: IndexMap<String, Json>,
    /// How the verdict was reached, step by step (filled when asked for).
    pub explain: Vec<String>,
}

impl CheckResult {
    fn new(verdict: CheckVerdict) -> Self {
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
            vars: IndexMap::new(),
            explain: Vec::new(),
        }
    }

    /// A result with only a verdict (an item that does not apply, or is waived).
    pub fn with_verdict(verdict: CheckVerdict) -> Self {
        CheckResult::new(verdict)
    }

    fn var(&mut self, name: &str, value: impl Into<Json>) {
        self.vars.insert(name.to_string(), value.into());
    }

    fn missing(what: String) -> Self {
        let mut r = CheckResult::new(CheckVerdict::MissingData);
        r.explain.push(format!("缺数据：{what}"));
        r.missing.push(what);
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

const EPS: f64 = 1e-9;

/// Whether an item applies: `Some(true)` when its condition holds (or it has none),
/// `Some(false)` when it does not, `None` when the facts it reads are missing.
pub fn applies(ctx: &Context, predicate: Option<&Predicate>) -> (Option<bool>, Vec<String>) {
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
fn fact_misses(ctx: &Context, p: &Predicate) -> (Compiled, (Vec<String>, Vec<String>)) {
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

/// Evaluates a check.
pub fn evaluate(ctx: &Context, check: &Check) -> CheckResult {
    match check.kind() {
        Some(CheckKind::Fact(p)) => fact(ctx, p),
        Some(CheckKind::Coverage(c)) => coverage(ctx, c),
        Some(CheckKind::Each(e)) => each(ctx, e),
        Some(CheckKind::Count(c)) => count(ctx, c),
        Some(CheckKind::Ratio(r)) => ratio(ctx, r),
        Some(CheckKind::Deadline(d)) => deadline(ctx, d),
        Some(CheckKind::Evidence(names)) => evidence(ctx, names),
        Some(CheckKind::All(parts)) => combine(ctx, parts, Combine::All),
        Some(CheckKind::Any(parts)) => combine(ctx, parts, Combine::Any),
        Some(CheckKind::Not(inner)) => not(ctx, inner),
        None => CheckResult::new(CheckVerdict::NotApplicable),
    }
}

fn fact(ctx: &Context, p: &Predicate) -> CheckResult {
    let (compiled, (failed, missing)) = fact_misses(ctx, p);
    let mut r = if !failed.is_empty() {
        CheckResult::new(CheckVerdict::Fail)
    } else if !missing.is_empty() {
        CheckResult::new(CheckVerdict::MissingData)
    } else {
        CheckResult::new(CheckVerdict::Pass)
    };
    r.required = Some(compiled.describe());
    r.units = failed.len() as f64;
    r.explain.push(format!("要求：{}", compiled.describe()));
    for m in failed.iter().chain(missing.iter()) {
        r.explain.push(format!("✗ {m}"));
    }
    if failed.is_empty() && missing.is_empty() {
        r.explain.push("✓ 全部满足".into());
    }
    r.var("failed_conditions", failed.join("；"));
    r.missing = missing;
    r
}

/// A register's table, its key column, and the rows in scope.
struct Scoped<'a> {
    table: &'a Table,
    key: usize,
    rows: Vec<usize>,
    columns: &'a IndexMap<String, crate::pack::Field>,
}

fn scope<'a>(
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
    for (i, row) in table.rows.iter().enumerate() {
        if compiled.as_ref().is_some_and(|c| !c.holds(row)) {
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
    let scope_text = match &compiled {
        Some(c) if !c.is_empty() => format!("（范围：{}）", c.describe()),
        _ => String::new(),
    };
    r.explain.push(format!(
        "{}：共{}行{}，纳入{}行",
        register.label,
        table.rows.len(),
        scope_text,
        rows.len()
    ));
    if !r.waived_rows.is_empty() {
        r.explain
            .push(format!("豁免：{}", r.waived_rows.join("、")));
    }
    Some(Scoped {
        table,
        key,
        rows,
        columns: &register.columns,
    })
}

fn register_missing(ctx: &Context, name: &str) -> CheckResult {
    let label = ctx
        .pack
        .data
        .registers
        .get(name)
        .map(|r| r.label.as_str())
        .unwrap_or(name);
    CheckResult::missing(format!("未报送{label}"))
}

/// Rows in scope checked against `require`: (passed count, failing rows).
fn check_rows(ctx: &Context, s: &Scoped, require: &Predicate, r: &mut CheckResult) -> usize {
    let compiled = Compiled::new(
        require,
        &Scope::Columns(s.columns),
        &ctx.pack.sets,
        ctx.submission.year,
    );
    r.explain.push(format!("要求：{}", compiled.describe()));
    let mut passed = 0;
    for &i in &s.rows {
        let row = &s.table.rows[i];
        let misses = compiled.misses(row);
        if misses.is_empty() {
            passed += 1;
            if ctx.explain_rows {
                r.explain.push(format!("  ✓ {}", s.table.key(i, s.key)));
            }
        } else {
            let misses: Vec<String> = misses
                .into_iter()
                .map(|v| match v {
                    Verdict::Fails(m) | Verdict::Missing(m) => m,
                    Verdict::Holds => String::new(),
                })
                .collect();
            let key = s.table.key(i, s.key);
            if ctx.explain_rows {
                r.explain.push(format!("  ✗ {key}：{}", misses.join("；")));
            }
            r.failing.push(FailingRow { key, misses });
        }
    }
    passed
}

fn failed_keys(r: &CheckResult) -> String {
    r.failing
        .iter()
        .map(|f| f.key.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

fn coverage(ctx: &Context, c: &Coverage) -> CheckResult {
    let mut r = CheckResult::new(CheckVerdict::Pass);
    let Some(s) = scope(ctx, &c.of, c.r#where.as_ref(), &mut r) else {
        return register_missing(ctx, &c.of);
    };
    let total = s.rows.len();
    r.required = Some(format!("≥{}", c.min));
    r.var("min", c.min.to_string());
    r.var("total", total);
    if total == 0 {
        r.verdict = CheckVerdict::NotApplicable;
        r.explain.push("没有纳入范围的行：不适用".into());
        return r;
    }
    let passed = check_rows(ctx, &s, &c.require, &mut r);
    let failed = total - passed;
    let rate = passed as f64 / total as f64;
    let needed = (c.min.0 * total as f64 - EPS).ceil().max(0.0) as usize;
    let shortfall = needed.saturating_sub(passed);
    r.measured = Some(num::percent(rate));
    r.counted = passed as f64;
    r.units = shortfall as f64;
    r.share = Some(if c.min.0 <= 0.0 {
        1.0
    } else {
        (rate / c.min.0).min(1.0)
    });
    r.verdict = if rate + EPS >= c.min.0 {
        CheckVerdict::Pass
    } else {
        CheckVerdict::Fail
    };
    if shortfall > 0 {
        r.shortfall = Some(format!("差{shortfall}行"));
    }
    r.explain.push(format!(
        "覆盖率 = {passed}/{total} = {}，要求 ≥{} → {}",
        num::percent(rate),
        c.min,
        if r.verdict == CheckVerdict::Pass {
            "达标"
        } else {
            "未达标"
        }
    ));
    r.var("passed", passed);
    r.var("failed", failed);
    r.var("rate", num::percent(rate));
    r.var("shortfall", shortfall);
    r.var("failed_keys", failed_keys(&r));
    r
}

fn each(ctx: &Context, e: &Each) -> CheckResult {
    let mut r = CheckResult::new(CheckVerdict::Pass);
    let Some(s) = scope(ctx, &e.of, e.r#where.as_ref(), &mut r) else {
        return register_missing(ctx, &e.of);
    };
    let total = s.rows.len();
    r.required = Some("逐条满足".into());
    r.var("total", total);
    if total == 0 {
        r.verdict = CheckVerdict::NotApplicable;
        r.explain.push("没有纳入范围的行：不适用".into());
        return r;
    }
    let passed = check_rows(ctx, &s, &e.require, &mut r);
    let failed = total - passed;
    r.measured = Some(format!("{passed}/{total}"));
    r.counted = passed as f64;
    r.units = failed as f64;
    r.share = Some(passed as f64 / total as f64);
    r.verdict = if failed == 0 {
        CheckVerdict::Pass
    } else {
        CheckVerdict::Fail
    };
    if failed > 0 {
        r.shortfall = Some(format!("{failed}行不符合"));
    }
    r.explain.push(format!(
        "{passed}/{total}行满足 → {}",
        if failed == 0 { "达标" } else { "未达标" }
    ));
    r.var("passed", passed);
    r.var("failed", failed);
    r.var("failed_keys", failed_keys(&r));
    r
}

fn count(ctx: &Context, c: &Count) -> CheckResult {
    let mut r = CheckResult::new(CheckVerdict::Pass);
    let value: i64 = if let Some(of) = &c.of {
        let Some(s) = scope(ctx, of, c.r#where.as_ref(), &mut r) else {
            return register_missing(ctx, of);
        };
        s.rows.len() as i64
    } else if let Some(fact) = &c.fact {
        let Some((i, _, field)) = ctx.pack.data.facts.get_full(fact) else {
            return CheckResult::new(CheckVerdict::NotApplicable);
        };
        match ctx.submission.facts.get(i).and_then(Option::as_ref) {
            Some(Value::Int(n)) => *n,
            _ => return CheckResult::missing(format!("{}未填写", field.label)),
        }
    } else {
        return CheckResult::new(CheckVerdict::NotApplicable);
    };
    let min = c.min.map(|m| m as i64);
    let max = c.max.map(|m| m as i64);
    let below = min.map(|m| (m - value).max(0)).unwrap_or(0);
    let above = max.map(|m| (value - m).max(0)).unwrap_or(0);
    r.required = Some(match (min, max) {
        (Some(a), Some(b)) => format!("{a}～{b}"),
        (Some(a), None) => format!("≥{a}"),
        (None, Some(b)) => format!("≤{b}"),
        (None, None) => String::new(),
    });
    r.measured = Some(value.to_string());
    r.counted = value.max(0) as f64;
    r.units = (below + above) as f64;
    r.share = min.map(|m| {
        if m <= 0 {
            1.0
        } else {
            (value as f64 / m as f64).clamp(0.0, 1.0)
        }
    });
    r.verdict = if below == 0 && above == 0 {
        CheckVerdict::Pass
    } else {
        CheckVerdict::Fail
    };
    if below > 0 {
        r.shortfall = Some(format!("少{below}"));
    } else if above > 0 {
        r.shortfall = Some(format!("多{above}"));
    }
    r.explain.push(format!(
        "计数 = {value}，要求 {} → {}",
        r.required.clone().unwrap_or_default(),
        if r.verdict == CheckVerdict::Pass {
            "达标"
        } else {
            "未达标"
        }
    ));
    r.var("count", value);
    r.var("min", min.map(Json::from).unwrap_or(Json::Null));
    r.var("max", max.map(Json::from).unwrap_or(Json::Null));
    r.var("shortfall", below + above);
    r
}

fn fact_number(ctx: &Context, name: &str) -> Result<f64, String> {
    let Some((i, _, field)) = ctx.pack.data.facts.get_full(name) else {
        return Err(name.to_string());
    };
    ctx.submission
        .facts
        .get(i)
        .and_then(Option::as_ref)
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("{}未填写", field.label))
}

fn ratio(ctx: &Context, q: &Ratio) -> CheckResult {
    let (num_v, den_v) = match (
        fact_number(ctx, &q.numerator),
        fact_number(ctx, &q.denominator),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            let mut r = CheckResult::new(CheckVerdict::MissingData);
            for m in [a.err(), b.err()].into_iter().flatten() {
                r.explain.push(format!("缺数据：{m}"));
                r.missing.push(m);
            }
            return r;
        }
    };
    let label = |name: &str| {
        ctx.pack
            .data
            .facts
            .get(name)
            .map(|f| f.label.clone())
            .unwrap_or_default()
    };
    let mut r = CheckResult::new(CheckVerdict::Pass);
    r.required = Some(format!("≥{}", q.min));
    r.var("numerator", num::show(num_v));
    r.var("denominator", num::show(den_v));
    r.var("min", q.min.to_string());
    if den_v.abs() < EPS {
        r.verdict = CheckVerdict::NotApplicable;
        r.explain
            .push(format!("{} = 0：分母为零，不适用", label(&q.denominator)));
        return r;
    }
    let rate = num_v / den_v;
    r.measured = Some(num::percent(rate));
    r.share = Some(if q.min.0 <= 0.0 {
        1.0
    } else {
        (rate / q.min.0).clamp(0.0, 1.0)
    });
    r.verdict = if rate + EPS >= q.min.0 {
        CheckVerdict::Pass
    } else {
        CheckVerdict::Fail
    };
    let short = (q.min.0 - rate).max(0.0);
    if short > EPS {
        r.shortfall = Some(format!("差{}", num::percent(short)));
    }
    r.explain.push(format!(
        "{} / {} = {} / {} = {}，要求 ≥{} → {}",
        label(&q.numerator),
        label(&q.denominator),
        num::show(num_v),
        num::show(den_v),
        num::percent(rate),
        q.min,
        if r.verdict == CheckVerdict::Pass {
            "达标"
        } else {
            "未达标"
        }
    ));
    r.var("rate", num::percent(rate));
    r.var("shortfall", num::percent(short));
    r
}

/// The date a `Due` names for an assessment year (a day past the month's end is its last day).
pub fn due_date(due: &Due, year: i32) -> Option<Date> {
    match due {
        Due::Fixed(text) => Date::strptime("%Y-%m-%d", text).ok(),
        Due::InYear {
            month,
            day,
            year_offset,
        } => {
            let y = i16::try_from(year + year_offset).ok()?;
            let first = Date::new(y, *month as i8, 1).ok()?;
            let day = (*day as i8).min(first.days_in_month());
            Date::new(y, *month as i8, day).ok()
        }
    }
}

fn deadline(ctx: &Context, d: &Deadline) -> CheckResult {
    let year = ctx.submission.year;
    let before = d.on_or_before.as_ref().and_then(|x| due_date(x, year));
    let after = d.on_or_after.as_ref().and_then(|x| due_date(x, year));
    let required = match (after, before) {
        (Some(a), Some(b)) => format!("{a}～{b}"),
        (None, Some(b)) => format!("不晚于{b}"),
        (Some(a), None) => format!("不早于{a}"),
        (None, None) => String::new(),
    };
    let judge = |date: Date| -> Option<String> {
        if let Some(b) = before
            && date > b
        {
            let late = (date - b).get_days();
            return Some(format!("{date}晚于{b}（逾期{late}天）"));
        }
        if let Some(a) = after
            && date < a
        {
            return Some(format!("{date}早于{a}"));
        }
        None
    };
    let mut r = CheckResult::new(CheckVerdict::Pass);
    r.required = Some(required.clone());
    r.var(
        "due",
        before.or(after).map(|d| d.to_string()).unwrap_or_default(),
    );
    match &d.of {
        None => {
            let Some((i, _, field)) = ctx.pack.data.facts.get_full(&d.field) else {
                return CheckResult::new(CheckVerdict::NotApplicable);
            };
            let Some(Value::Date(date)) = ctx.submission.facts.get(i).and_then(Option::as_ref)
            else {
                let mut m = CheckResult::missing(format!("{}未填写", field.label));
                m.required = Some(required);
                return m;
            };
            r.measured = Some(date.to_string());
            let problem = judge(*date);
            let days_late = before.map(|b| (*date - b).get_days().max(0)).unwrap_or(0);
            r.var("date", date.to_string());
            r.var("days_late", days_late);
            r.explain.push(format!(
                "{}：{date}，要求{required} → {}",
                field.label,
                if problem.is_none() {
                    "达标"
                } else {
                    "未达标"
                }
            ));
            if let Some(p) = problem {
                r.verdict = CheckVerdict::Fail;
                r.units = 1.0;
                r.shortfall = Some(p);
            }
            r
        }
        Some(of) => {
            let Some(s) = scope(ctx, of, d.r#where.as_ref(), &mut r) else {
                return register_missing(ctx, of);
            };
            let Some(col) = s.columns.get_index_of(&d.field) else {
                return CheckResult::new(CheckVerdict::NotApplicable);
            };
            let label = s
                .columns
                .get(&d.field)
                .map(|f| f.label.clone())
                .unwrap_or_default();
            let total = s.rows.len();
            r.var("total", total);
            if total == 0 {
                r.verdict = CheckVerdict::NotApplicable;
                r.explain.push("没有纳入范围的行：不适用".into());
                return r;
            }
            r.explain.push(format!("要求：{label}{required}"));
            for &i in &s.rows {
                let key = s.table.key(i, s.key);
                let problem = match &s.table.rows[i][col] {
                    Some(Value::Date(date)) => judge(*date).map(|p| format!("{label}{p}")),
                    _ => Some(format!("{label}未填写")),
                };
                match problem {
                    None => {
                        if ctx.explain_rows {
                            r.explain.push(format!("  ✓ {key}"));
                        }
                    }
                    Some(p) => {
                        if ctx.explain_rows {
                            r.explain.push(format!("  ✗ {key}：{p}"));
                        }
                        r.failing.push(FailingRow {
                            key,
                            misses: vec![p],
                        });
                    }
                }
            }
            let failed = r.failing.len();
            let passed = total - failed;
            r.measured = Some(format!("{passed}/{total}"));
            r.units = failed as f64;
            r.counted = passed as f64;
            r.share = Some(passed as f64 / total as f64);
            if failed > 0 {
                r.verdict = CheckVerdict::Fail;
                r.shortfall = Some(format!("{failed}行逾期或未填写"));
            }
            r.explain.push(format!(
                "{passed}/{total}行按时 → {}",
                if failed == 0 { "达标" } else { "未达标" }
            ));
            r.var("failed", failed);
            r.var("failed_keys", failed_keys(&r));
            r
        }
    }
}

fn evidence(ctx: &Context, names: &[String]) -> CheckResult {
    let label = |n: &str| {
        ctx.pack
            .data
            .evidence
            .get(n)
            .map(|e| e.label.clone())
            .unwrap_or_else(|| n.to_string())
    };
    let missing: Vec<String> = names
        .iter()
        .filter(|n| {
            ctx.submission
                .evidence
                .get(*n)
                .is_none_or(|docs| docs.is_empty())
        })
        .map(|n| label(n))
        .collect();
    let required: Vec<String> = names.iter().map(|n| label(n)).collect();
    let mut r = CheckResult::new(if missing.is_empty() {
        CheckVerdict::Pass
    } else {
        CheckVerdict::Fail
    });
    r.required = Some(required.join("、"));
    r.measured = Some(format!("{}/{}", names.len() - missing.len(), names.len()));
    r.units = missing.len() as f64;
    r.counted = (names.len() - missing.len()) as f64;
    r.share = Some((names.len() - missing.len()) as f64 / names.len().max(1) as f64);
    for n in names {
        let ok = ctx
            .submission
            .evidence
            .get(n)
            .is_some_and(|d| !d.is_empty());
        r.explain
            .push(format!("{} {}", if ok { "✓" } else { "✗" }, label(n)));
    }
    if !missing.is_empty() {
        r.shortfall = Some(format!("缺{}", missing.join("、")));
    }
    r.var("required", required.join("、"));
    r.var("missing", missing.join("、"));
    r
}

#[derive(Clone, Copy, PartialEq)]
enum Combine {
    All,
    Any,
}

fn part_label(check: &Check, i: usize) -> String {
    check
        .label
        .clone()
        .unwrap_or_else(|| format!("第{}项", i + 1))
}

fn combine(ctx: &Context, parts: &[Check], how: Combine) -> CheckResult {
    let results: Vec<CheckResult> = parts.iter().map(|p| evaluate(ctx, p)).collect();
    let has = |v: CheckVerdict| results.iter().any(|r| r.verdict == v);
    let all_not_applicable = results
        .iter()
        .all(|r| r.verdict == CheckVerdict::NotApplicable);
    let verdict = match how {
        Combine::All if has(CheckVerdict::Fail) => CheckVerdict::Fail,
        Combine::Any if has(CheckVerdict::Pass) => CheckVerdict::Pass,
        _ if has(CheckVerdict::MissingData) => CheckVerdict::MissingData,
        _ if all_not_applicable => CheckVerdict::NotApplicable,
        Combine::All => CheckVerdict::Pass,
        Combine::Any => CheckVerdict::Fail,
    };
    let mut r = CheckResult::new(verdict);
    let mut failed_parts = Vec::new();
    let mut labels = Vec::new();
    for (i, (part, result)) in parts.iter().zip(results).enumerate() {
        let label = part_label(part, i);
        labels.push(label.clone());
        let mark = match result.verdict {
            CheckVerdict::Pass => "✓",
            CheckVerdict::Fail => "✗",
            CheckVerdict::NotApplicable => "—",
            CheckVerdict::MissingData => "?",
        };
        let points = part
            .points
            .map(|p| format!("（{}分）", num::show(p)))
            .unwrap_or_default();
        r.explain.push(format!("{mark} {label}{points}"));
        r.explain
            .extend(result.explain.iter().map(|l| format!("    {l}")));
        if result.verdict == CheckVerdict::Fail {
            failed_parts.push(label.clone());
            r.units += 1.0;
            for f in &result.failing {
                r.failing.push(FailingRow {
                    key: f.key.clone(),
                    misses: f.misses.iter().map(|m| format!("{label}：{m}")).collect(),
                });
            }
        }
        if result.verdict == CheckVerdict::Pass {
            r.counted += 1.0;
        }
        r.missing.extend(result.missing);
        r.waived_rows.extend(result.waived_rows);
        r.parts.push(PartResult {
            label,
            points: part.points,
            verdict: result.verdict,
        });
    }
    let mut seen = std::collections::HashSet::new();
    r.missing.retain(|m| seen.insert(m.clone()));
    r.measured = Some(format!("{}/{}项满足", r.counted, parts.len()));
    r.required = Some(match how {
        Combine::All => "全部满足".into(),
        Combine::Any => "任一满足".into(),
    });
    r.share = Some(r.counted / parts.len().max(1) as f64);
    if !failed_parts.is_empty() {
        r.shortfall = Some(format!("未满足：{}", failed_parts.join("、")));
    }
    r.var("parts", labels.join("、"));
    r.var("failed_parts", failed_parts.join("、"));
    r
}

fn not(ctx: &Context, inner: &Check) -> CheckResult {
    let result = evaluate(ctx, inner);
    let verdict = match result.verdict {
        CheckVerdict::Pass => CheckVerdict::Fail,
        CheckVerdict::Fail => CheckVerdict::Pass,
        other => other,
    };
    let mut r = CheckResult::new(verdict);
    let label = part_label(inner, 0);
    r.explain.push(format!("不应满足：{label}"));
    r.explain
        .extend(result.explain.iter().map(|l| format!("    {l}")));
    r.missing = result.missing;
    r.units = if verdict == CheckVerdict::Fail {
        1.0
    } else {
        0.0
    };
    r.required = Some(format!("不满足{label}"));
    r.var("parts", label.clone());
    r.var(
        "failed_parts",
        if verdict == CheckVerdict::Fail {
            label
        } else {
            String::new()
        },
    );
    r
}

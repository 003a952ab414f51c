//! `count: {of | fact, where, min, max, per, within}`: the number of rows (within `where`), or
//! an integer fact, lies within bounds. With `per`, the rows are grouped by the quarter, month
//! or semester their date falls in, within the assessment year, and each period must meet the
//! bounds; with `within: {years: N}`, only rows dated in the assessment year and the N-1 years
//! before it count.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::stated::{self, Figure, Source, Stated};
use super::{
    CheckResult, CheckVerdict, Comparison, Context, Kind, Miss, PeriodCount, PeriodKind,
    PeriodName, Quantity, Requirement, Scoped, Shortfall, Spec, Step, Subject, predicate,
    register_missing, scope, unit,
};
use crate::diag::{Code, Target};
use crate::pack::validate::{Fields, Validator};
use crate::pack::{FieldType, Origin, Predicate, Threshold};
use crate::submission::Value;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Count {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#where: Option<Predicate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<Per>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Within>,
    /// The fact that states the count, counted from when the rows are absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated: Option<Stated>,
}

/// `per: {period: quarter, date: held_on}`: each period of the assessment year is counted.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Per {
    pub period: PeriodKind,
    pub date: String,
}

/// `within: {years: 2, date: held_on}`: rows dated in the assessment year or the year before.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Within {
    pub years: u32,
    pub date: String,
}

/// The periods of assessment year `year`, each with its first and last day.
pub fn periods(kind: PeriodKind, year: i16) -> Vec<(PeriodName, Date, Date)> {
    let first = |y: i16, m: i8| Date::new(y, m, 1).ok();
    let last = |y: i16, m: i8| first(y, m).map(|d| d.last_of_month());
    let span = |name, (y0, m0), (y1, m1)| Some((name, first(y0, m0)?, last(y1, m1)?));
    let out: Vec<Option<(PeriodName, Date, Date)>> = match kind {
        PeriodKind::Quarter => (1..=4u8)
            .map(|q| {
                let m = (q as i8 - 1) * 3 + 1;
                span(PeriodName::Quarter(q), (year, m), (year, m + 2))
            })
            .collect(),
        PeriodKind::Month => (1..=12u8)
            .map(|m| span(PeriodName::Month(m), (year, m as i8), (year, m as i8)))
            .collect(),
        PeriodKind::Semester => vec![
            span(PeriodName::Spring, (year, 2), (year, 7)),
            span(PeriodName::Autumn, (year, 8), (year.saturating_add(1), 1)),
        ],
    };
    out.into_iter().flatten().collect()
}

crate::variables! {
    /// What a `count` check gives its template.
    pub struct Vars {
        count: i64,
        min: Option<i64>,
        max: Option<i64>,
        /// How far the count lies outside its bounds.
        shortfall: i64,
    }
}

crate::variables! {
    /// What a `count` with `per` gives its template.
    pub struct PeriodVars {
        /// Rows dated within the assessment year's periods.
        count: i64,
        min: Option<i64>,
        max: Option<i64>,
        /// The total by which the periods lie outside their bounds.
        shortfall: i64,
        /// Periods that meet the bounds, and all the periods.
        periods_met: i64,
        periods: i64,
    }
}

/// The dates in column `name` of the rows in scope, and how many rows have none.
fn dates(s: &Scoped, name: &str) -> (Vec<Date>, usize) {
    let Some(col) = s.columns.get_index_of(name) else {
        return (Vec::new(), s.rows.len());
    };
    let mut out = Vec::with_capacity(s.rows.len());
    for &i in &s.rows {
        if let Some(Some(Value::Date(d))) = s.table.rows[i].get(col) {
            out.push(*d);
        }
    }
    let undated = s.rows.len() - out.len();
    (out, undated)
}

fn column_label(s: &Scoped, name: &str) -> String {
    s.columns
        .get(name)
        .map_or_else(|| name.to_string(), |f| f.label.clone())
}

impl Count {
    /// The bound as a requirement.
    fn requirement(&self) -> Option<Requirement> {
        let count = |value: u64| Quantity::Count {
            value: i64::try_from(value).unwrap_or(i64::MAX),
        };
        match (self.min, self.max) {
            (Some(a), Some(b)) => Some(Requirement::Between {
                min: count(a),
                max: count(b),
            }),
            (Some(a), None) => Some(Requirement::Bound {
                op: Comparison::Gte,
                value: count(a),
            }),
            (None, Some(b)) => Some(Requirement::Bound {
                op: Comparison::Lte,
                value: count(b),
            }),
            (None, None) => None,
        }
    }

    /// A count from the stated figure, when the rows are absent.
    fn stated_count(&self, ctx: &Context, of: &str) -> CheckResult {
        match stated::count(ctx, self.stated.as_ref()) {
            Some(Ok(value)) => {
                let mut r = CheckResult::with_verdict(CheckVerdict::Pass);
                r.source = Some(Source::Stated);
                let label = self
                    .stated
                    .as_ref()
                    .and_then(|s| s.count.as_deref())
                    .map(|n| super::fact_label(ctx, n))
                    .unwrap_or_default();
                r.explain.push(Step::Stated {
                    figures: vec![(label, Quantity::Count { value })],
                });
                self.judge(r, value, unit(ctx, of))
            }
            Some(Err(miss)) => stated::missing(ctx, of, vec![miss]),
            None => register_missing(ctx, of),
        }
    }

    /// Judges a count against the bounds.
    fn judge(&self, mut r: CheckResult, value: i64, unit: Option<String>) -> CheckResult {
        let min = self.min.map(|m| i64::try_from(m).unwrap_or(i64::MAX));
        let max = self.max.map(|m| i64::try_from(m).unwrap_or(i64::MAX));
        let below = min.map(|m| m.saturating_sub(value).max(0)).unwrap_or(0);
        let above = max.map(|m| value.saturating_sub(m).max(0)).unwrap_or(0);
        let count = |value| Quantity::Count { value };
        let required = self.requirement();
        r.measured = Some(count(value));
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
            r.shortfall = Some(Shortfall::Fewer { by: below, unit });
        } else if above > 0 {
            r.shortfall = Some(Shortfall::More { by: above, unit });
        }
        r.explain.push(Step::Judged {
            subject: Subject::Count,
            value: count(value),
            requirement: required.clone(),
            met: r.verdict == CheckVerdict::Pass,
        });
        r.required = required;
        r.set_vars(Vars {
            count: value,
            min,
            max,
            shortfall: below + above,
        });
        r
    }

    /// Each period of the assessment year against the bounds.
    fn per_period(&self, ctx: &Context, per: &Per, s: &Scoped, mut r: CheckResult) -> CheckResult {
        let year = i16::try_from(ctx.submission.year).unwrap_or(i16::MAX);
        let (dated, undated) = dates(s, &per.date);
        let spans = periods(per.period, year);
        let min = self.min.map(|m| i64::try_from(m).unwrap_or(i64::MAX));
        let max = self.max.map(|m| i64::try_from(m).unwrap_or(i64::MAX));
        let mut counts = Vec::with_capacity(spans.len());
        let mut kept = 0;
        for (name, from, to) in &spans {
            let n = dated.iter().filter(|d| (from..=to).contains(d)).count();
            kept += n;
            let count = i64::try_from(n).unwrap_or(i64::MAX);
            counts.push(PeriodCount {
                period: *name,
                count,
                short: min.map_or(0, |m| m.saturating_sub(count).max(0)),
                over: max.map_or(0, |m| count.saturating_sub(m).max(0)),
            });
        }
        if let (Some((_, from, _)), Some((_, _, to))) = (spans.first(), spans.last()) {
            r.explain.push(Step::Window {
                label: column_label(s, &per.date),
                from: *from,
                to: *to,
                kept,
                outside: dated.len() - kept,
                undated,
                unit: s.unit.clone(),
            });
        }
        let requirement = self.requirement();
        r.explain.push(Step::Periods {
            period: per.period,
            counts: counts.clone(),
            requirement: requirement.clone(),
            unit: s.unit.clone(),
        });
        let met = counts
            .iter()
            .filter(|c| c.short == 0 && c.over == 0)
            .count();
        let off: i64 = counts.iter().map(|c| c.short + c.over).sum();
        r.measured = Some(Quantity::Periods {
            met,
            of: counts.len(),
            period: per.period,
        });
        r.required = requirement.map(|b| Requirement::EachPeriod {
            period: per.period,
            bound: Box::new(b),
        });
        r.counted = kept as f64;
        r.units = off as f64;
        r.share = min.map(|m| {
            if m <= 0 || counts.is_empty() {
                1.0
            } else {
                let got: i64 = counts.iter().map(|c| c.count.min(m)).sum();
                (got as f64 / (m as f64 * counts.len() as f64)).clamp(0.0, 1.0)
            }
        });
        r.verdict = if off == 0 {
            CheckVerdict::Pass
        } else {
            CheckVerdict::Fail
        };
        if off > 0 {
            r.shortfall = Some(Shortfall::Periods {
                periods: counts
                    .iter()
                    .filter(|c| c.short > 0 || c.over > 0)
                    .cloned()
                    .collect(),
                unit: s.unit.clone(),
            });
        }
        r.set_vars(PeriodVars {
            count: i64::try_from(kept).unwrap_or(i64::MAX),
            min,
            max,
            shortfall: off,
            periods_met: i64::try_from(met).unwrap_or(i64::MAX),
            periods: i64::try_from(counts.len()).unwrap_or(i64::MAX),
        });
        r
    }
}

impl Spec for Count {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        match (&self.of, &self.fact) {
            (Some(of), None) => {
                if v.register(of, &at.join("of"))
                    && let Some(w) = &self.r#where
                {
                    v.predicate(w, Fields::Register(of), &at.join("where"));
                }
                let dates = [
                    self.per
                        .as_ref()
                        .map(|p| (&p.date, at.join("per").join("date"))),
                    self.within
                        .as_ref()
                        .map(|w| (&w.date, at.join("within").join("date"))),
                ];
                for (date, date_at) in dates.into_iter().flatten() {
                    if let Some(field) =
                        v.lookup(Fields::Register(of), date, &date_at, Target::Value)
                        && field.ty != FieldType::Date
                    {
                        let message = format!(
                            "`{date}` is {}, but `count` groups rows by a date column",
                            crate::pack::validate::a_type(field.ty)
                        );
                        v.error(Code::TypeMismatch, &date_at, Target::Value, message);
                    }
                }
            }
            (None, Some(fact)) => {
                if let Some(field) = v.fact(fact, &at.join("fact"))
                    && field.ty != FieldType::Integer
                {
                    let message = format!(
                        "`count` needs an integer fact, but `{fact}` is {}",
                        crate::pack::validate::a_type(field.ty)
                    );
                    v.error(Code::TypeMismatch, &at.join("fact"), Target::Value, message);
                }
                for (key, given) in [
                    ("where", self.r#where.is_some()),
                    ("per", self.per.is_some()),
                    ("within", self.within.is_some()),
                ] {
                    if given {
                        let message = format!("`{key}` selects rows; a counted fact has none");
                        v.error(Code::MisplacedKey, &at.join(key), Target::Key, message);
                    }
                }
            }
            (Some(_), Some(_)) => {
                v.error(
                    Code::BadCheck,
                    &at.join("fact"),
                    Target::Key,
                    "`count` reads rows (`of`) or a fact (`fact`), not both",
                );
            }
            (None, None) => {
                v.error(
                    Code::BadCheck,
                    at,
                    Target::Key,
                    "`count` names nothing to count",
                )
                .help = Some("give `of: REGISTER` or `fact: FACT`".into());
            }
        }
        match (self.min, self.max) {
            (None, None) => {
                v.error(
                    Code::BadCheck,
                    at,
                    Target::Key,
                    "`count` has no `min` or `max`",
                )
                .help = Some("say how many are required, e.g. `min: 2`".into());
            }
            (Some(min), Some(max)) if min > max => {
                let message = format!("`min` ({min}) is more than `max` ({max})");
                v.error(Code::BadCheck, &at.join("min"), Target::Value, message);
            }
            _ => {}
        }
        if let Some(stated) = &self.stated {
            let at = at.join("stated");
            if self.of.is_none() {
                v.error(
                    Code::StatedFigure,
                    &at,
                    Target::Key,
                    "`stated` gives a register's figures; this count reads no register",
                );
            } else if self.per.is_some() {
                v.error(
                    Code::StatedFigure,
                    &at,
                    Target::Key,
                    "a count `per` period needs the rows' dates; a stated count has none",
                );
            } else {
                stated.validate(v, self.of.as_deref(), &[Figure::Count], &at);
            }
        }
        if self.per.is_some() && self.within.is_some() {
            v.error(
                Code::BadCheck,
                &at.join("within"),
                Target::Key,
                "`per` counts periods of the assessment year; it takes no `within`",
            );
        }
        if let Some(w) = &self.within
            && w.years == 0
        {
            v.error(
                Code::BadCheck,
                &at.join("within").join("years"),
                Target::Value,
                "`within` needs at least 1 year",
            );
        }
    }

    fn registers(&self) -> Vec<&str> {
        self.of.as_deref().into_iter().collect()
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        let mut r = CheckResult::with_verdict(CheckVerdict::Pass);
        let mut unit = None;
        let value: i64 = if let Some(of) = &self.of {
            let Some(s) = scope(ctx, of, self.r#where.as_ref(), &mut r) else {
                return self.stated_count(ctx, of);
            };
            r.source = Some(Source::Register);
            unit = s.unit.clone();
            if let Some(per) = &self.per {
                return self.per_period(ctx, per, &s, r);
            }
            let mut rows = s.rows.len();
            if let Some(w) = &self.within {
                let year = i16::try_from(ctx.submission.year).unwrap_or(i16::MAX);
                let back = i16::try_from(w.years.saturating_sub(1)).unwrap_or(i16::MAX);
                let from = Date::new(year.saturating_sub(back).max(1), 1, 1).unwrap_or(Date::MIN);
                let to = Date::new(year, 12, 31).unwrap_or(Date::MAX);
                let (dated, undated) = dates(&s, &w.date);
                let kept = dated.iter().filter(|d| (from..=to).contains(*d)).count();
                r.explain.push(Step::Window {
                    label: column_label(&s, &w.date),
                    from,
                    to,
                    kept,
                    outside: dated.len() - kept,
                    undated,
                    unit: s.unit.clone(),
                });
                rows = kept;
            }
            let rows = i64::try_from(rows).unwrap_or(i64::MAX);
            stated::reconcile_count(ctx, self.stated.as_ref(), rows, &mut r);
            rows
        } else if let Some(fact) = &self.fact {
            let Some((i, _, field)) = ctx.pack.data.facts.get_full(fact) else {
                return CheckResult::with_verdict(CheckVerdict::NotApplicable);
            };
            r.source = Some(Source::Stated);
            match ctx.submission.facts.get(i).and_then(Option::as_ref) {
                Some(Value::Int(n)) => *n,
                _ => {
                    return CheckResult::missing(Miss::NoValue {
                        label: field.label.clone(),
                    });
                }
            }
        } else {
            return CheckResult::with_verdict(CheckVerdict::NotApplicable);
        };
        self.judge(r, value, unit)
    }

    fn variables(&self) -> &'static [&'static str] {
        if self.per.is_some() {
            return <PeriodVars as super::Variables>::NAMES;
        }
        <Vars as super::Variables>::NAMES
    }

    fn counts_units(&self) -> bool {
        true
    }

    fn measures_share(&self) -> bool {
        self.min.is_some()
    }

    fn threshold(&self) -> Option<Threshold> {
        self.min.map(Threshold::Count)
    }

    fn set_threshold(&mut self, min: Threshold) -> bool {
        match min {
            Threshold::Count(n) => {
                self.min = Some(n);
                true
            }
            Threshold::Percent(_) => false,
        }
    }

    fn set_max(&mut self, max: u64) -> bool {
        self.max = Some(max);
        true
    }

    fn mutants(&self) -> Vec<(String, Kind)> {
        let mut out = Vec::new();
        let steps = |n: u64| [n.checked_sub(1), n.checked_add(1)].into_iter().flatten();
        if let Some(min) = self.min {
            for new in steps(min) {
                let mut c = self.clone();
                c.min = Some(new);
                out.push((format!("min {min} → {new}"), Kind::Count(c)));
            }
        }
        if let Some(max) = self.max {
            for new in steps(max) {
                let mut c = self.clone();
                c.max = Some(new);
                out.push((format!("max {max} → {new}"), Kind::Count(c)));
            }
        }
        if let Some(w) = &self.within {
            for new in steps(u64::from(w.years)).filter(|n| *n >= 1) {
                let mut c = self.clone();
                let Ok(years) = u32::try_from(new) else {
                    continue;
                };
                if let Some(cw) = &mut c.within {
                    cw.years = years;
                }
                out.push((format!("within {} years → {new}", w.years), Kind::Count(c)));
            }
        }
        for (label, p) in self.r#where.iter().flat_map(predicate::mutants) {
            let mut c = self.clone();
            c.r#where = Some(p);
            out.push((format!("where {label}"), Kind::Count(c)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("date")
    }

    #[test]
    fn periods_cover_the_year_and_semesters_run_february_to_january() {
        let q = periods(PeriodKind::Quarter, 2024);
        assert_eq!(q.len(), 4);
        assert_eq!((q[0].1, q[0].2), (d("2024-01-01"), d("2024-03-31")));
        assert_eq!((q[3].1, q[3].2), (d("2024-10-01"), d("2024-12-31")));
        let m = periods(PeriodKind::Month, 2024);
        assert_eq!(m.len(), 12);
        // 2024 is a leap year.
        assert_eq!((m[1].0, m[1].2), (PeriodName::Month(2), d("2024-02-29")));
        let s = periods(PeriodKind::Semester, 2024);
        assert_eq!(
            s,
            [
                (PeriodName::Spring, d("2024-02-01"), d("2024-07-31")),
                (PeriodName::Autumn, d("2024-08-01"), d("2025-01-31")),
            ]
        );
    }

    #[test]
    fn a_window_mutant_moves_its_years_and_stays_at_least_one() {
        let c = Count {
            of: Some("reviews".into()),
            min: Some(1),
            within: Some(Within {
                years: 1,
                date: "done_on".into(),
            }),
            ..Count::default()
        };
        let labels: Vec<String> = c.mutants().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["min 1 → 0", "min 1 → 2", "within 1 years → 2"]);
    }
}

//! `deadline: {field, of, where, on_or_before, on_or_after}`: a date fact, or a date column of
//! every row (within `where`), falls within its due dates.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{
    CheckResult, CheckVerdict, Context, FailingRow, Kind, Miss, Quantity, Requirement, Shortfall,
    Spec, Step, Subject, failed_keys, predicate, register_missing, scope,
};
use crate::diag::{Code, Target};
use crate::pack::validate::{Fields, Validator, a_type};
use crate::pack::{FieldType, Origin, Predicate};
use crate::submission::Value;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Deadline {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#where: Option<Predicate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_or_before: Option<Due>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_or_after: Option<Due>,
}

/// A due date: fixed, or a month and day relative to the assessment year.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Due {
    Fixed(String),
    InYear {
        month: u8,
        day: u8,
        #[serde(default)]
        year_offset: i32,
    },
}

/// The date a `Due` names for an assessment year (a day past the month's end is its last day).
pub fn due_date(due: &Due, year: i32) -> Option<Date> {
    match due {
        Due::Fixed(text) => crate::text::parse_date(text),
        Due::InYear {
            month,
            day,
            year_offset,
        } => {
            let y = i16::try_from(year.checked_add(*year_offset)?).ok()?;
            let month = i8::try_from(*month).ok()?;
            let first = Date::new(y, month, 1).ok()?;
            let day = i8::try_from(*day).ok()?.min(first.days_in_month());
            Date::new(y, month, day).ok()
        }
    }
}

crate::variables! {
    /// What a `deadline` on a date fact gives its template.
    pub struct FactVars {
        date: Date,
        due: Option<Date>,
        days_late: i64,
    }
}

crate::variables! {
    /// What a `deadline` on a register's date column gives its template.
    pub struct RowVars {
        due: Option<Date>,
        total: usize,
        failed: usize,
        failed_keys: Vec<String>,
    }
}

impl Spec for Deadline {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        let field = match &self.of {
            Some(of) => {
                if !v.register(of, &at.join("of")) {
                    return;
                }
                if let Some(w) = &self.r#where {
                    v.predicate(w, Fields::Register(of), &at.join("where"));
                }
                v.lookup(
                    Fields::Register(of),
                    &self.field,
                    &at.join("field"),
                    Target::Value,
                )
            }
            None => v.fact(&self.field, &at.join("field")),
        };
        if let Some(field) = field
            && field.ty != FieldType::Date
        {
            let message = format!(
                "`{}` is {}, but a deadline needs a date",
                self.field,
                a_type(field.ty)
            );
            v.error(
                Code::TypeMismatch,
                &at.join("field"),
                Target::Value,
                message,
            );
        }
        if self.on_or_before.is_none() && self.on_or_after.is_none() {
            v.error(
                Code::BadCheck,
                at,
                Target::Key,
                "the deadline gives no `on_or_before` or `on_or_after`",
            )
            .help = Some("e.g. `on_or_before: {month: 3, day: 1, year_offset: 1}`".into());
        }
        for (key, due) in [
            ("on_or_before", &self.on_or_before),
            ("on_or_after", &self.on_or_after),
        ] {
            match due {
                Some(Due::Fixed(text)) if crate::text::parse_date(text).is_none() => {
                    v.error(
                        Code::InvalidDate,
                        &at.join(key),
                        Target::Value,
                        format!("`{text}` is not a date that exists"),
                    );
                }
                Some(Due::InYear { month, day, .. })
                    if Date::new(2024, *month as i8, *day as i8).is_err() =>
                {
                    let message = format!("month {month} has no day {day}");
                    v.error(
                        Code::InvalidDate,
                        &at.join(key).join("day"),
                        Target::Value,
                        message,
                    );
                }
                _ => {}
            }
        }
    }

    fn registers(&self) -> Vec<&str> {
        self.of.as_deref().into_iter().collect()
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        let year = ctx.submission.year;
        let before = self.on_or_before.as_ref().and_then(|x| due_date(x, year));
        let after = self.on_or_after.as_ref().and_then(|x| due_date(x, year));
        let requirement = Requirement::Due { after, before };
        let judge = |date: Date| -> Option<Shortfall> {
            if let Some(due) = before
                && date > due
            {
                let days = i64::from((date - due).get_days());
                return Some(Shortfall::Late { date, due, days });
            }
            if let Some(due) = after
                && date < due
            {
                return Some(Shortfall::Early { date, due });
            }
            None
        };
        let due = before.or(after);
        let mut r = CheckResult::with_verdict(CheckVerdict::Pass);
        r.required = Some(requirement.clone());
        let Some(of) = &self.of else {
            let Some((i, _, field)) = ctx.pack.data.facts.get_full(&self.field) else {
                return CheckResult::with_verdict(CheckVerdict::NotApplicable);
            };
            let Some(Value::Date(date)) = ctx.submission.facts.get(i).and_then(Option::as_ref)
            else {
                let mut m = CheckResult::missing(Miss::NoValue {
                    label: field.label.clone(),
                });
                m.required = Some(requirement);
                return m;
            };
            r.measured = Some(Quantity::Date { value: *date });
            r.source = Some(super::stated::Source::Stated);
            let problem = judge(*date);
            let days_late = before.map(|b| (*date - b).get_days().max(0)).unwrap_or(0);
            let verdict = if problem.is_none() {
                CheckVerdict::Pass
            } else {
                CheckVerdict::Fail
            };
            r.explain.push(Step::Judged {
                subject: Subject::DateOf {
                    label: field.label.clone(),
                },
                value: Quantity::Date { value: *date },
                requirement: Some(requirement.clone()),
                met: verdict == CheckVerdict::Pass,
            });
            if let Some(p) = problem {
                r.verdict = CheckVerdict::Fail;
                r.units = 1.0;
                r.shortfall = Some(p);
            }
            r.set_vars(FactVars {
                date: *date,
                due,
                days_late: i64::from(days_late),
            });
            return r;
        };
        let Some(s) = scope(ctx, of, self.r#where.as_ref(), &mut r) else {
            return register_missing(ctx, of);
        };
        let Some(col) = s.columns.get_index_of(&self.field) else {
            return CheckResult::with_verdict(CheckVerdict::NotApplicable);
        };
        let label = s
            .columns
            .get(&self.field)
            .map(|f| f.label.clone())
            .unwrap_or_default();
        let total = s.rows.len();
        if total == 0 {
            r.verdict = CheckVerdict::NotApplicable;
            r.explain.push(Step::NoRows);
            return r;
        }
        r.explain.push(Step::RequiresOf {
            label: label.clone(),
            requirement: requirement.clone(),
        });
        for &i in &s.rows {
            let key = s.table.key(i, s.key);
            let problem = match &s.table.rows[i][col] {
                Some(Value::Date(date)) => judge(*date).map(|shortfall| Miss::Date {
                    label: label.clone(),
                    shortfall,
                }),
                _ => Some(Miss::NoValue {
                    label: label.clone(),
                }),
            };
            match problem {
                None => {
                    if ctx.explain_rows {
                        r.explain.push(Step::Row {
                            key,
                            misses: Vec::new(),
                        });
                    }
                }
                Some(p) => {
                    if ctx.explain_rows {
                        r.explain.push(Step::Row {
                            key: key.clone(),
                            misses: vec![p.clone()],
                        });
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
        r.source = Some(super::stated::Source::Register);
        r.measured = Some(Quantity::Rows {
            met: passed,
            of: total,
        });
        r.units = failed as f64;
        r.counted = passed as f64;
        r.share = Some(passed as f64 / total as f64);
        if failed > 0 {
            r.verdict = CheckVerdict::Fail;
            r.shortfall = Some(Shortfall::RowsLate {
                rows: failed,
                unit: s.unit.clone(),
            });
        }
        r.explain.push(Step::Judged {
            subject: Subject::RowsOnTime {
                unit: s.unit.clone(),
            },
            value: Quantity::Rows {
                met: passed,
                of: total,
            },
            requirement: None,
            met: failed == 0,
        });
        let failed_keys = failed_keys(&r);
        r.set_vars(RowVars {
            due,
            total,
            failed,
            failed_keys,
        });
        r
    }

    fn variables(&self) -> &'static [&'static str] {
        if self.of.is_some() {
            <RowVars as super::Variables>::NAMES
        } else {
            <FactVars as super::Variables>::NAMES
        }
    }

    fn counts_units(&self) -> bool {
        self.of.is_some()
    }

    fn mutants(&self) -> Vec<(String, Kind)> {
        let mut out = Vec::new();
        for (key, due) in [
            ("on_or_before", &self.on_or_before),
            ("on_or_after", &self.on_or_after),
        ] {
            for (label, moved) in due.iter().flat_map(due_mutants) {
                let mut c = self.clone();
                if key == "on_or_before" {
                    c.on_or_before = Some(moved);
                } else {
                    c.on_or_after = Some(moved);
                }
                out.push((format!("{key} {label}"), Kind::Deadline(c)));
            }
        }
        for (label, p) in self.r#where.iter().flat_map(predicate::mutants) {
            let mut c = self.clone();
            c.r#where = Some(p);
            out.push((format!("where {label}"), Kind::Deadline(c)));
        }
        out
    }
}

/// A due date a month earlier and a month later.
fn due_mutants(due: &Due) -> Vec<(String, Due)> {
    let mut out = Vec::new();
    match due {
        Due::InYear {
            month,
            day,
            year_offset,
        } => {
            for shift in [-1, 1] {
                let (m, y) = shift_month(*month, *year_offset, shift);
                let moved = Due::InYear {
                    month: m,
                    day: *day,
                    year_offset: y,
                };
                out.push((format!("month {month} → {m}"), moved));
            }
        }
        Due::Fixed(text) => {
            if let Some(date) = crate::text::parse_date(text) {
                for months in [-1, 1] {
                    if let Ok(new) = date.checked_add(jiff::Span::new().months(months)) {
                        out.push((format!("{text} → {new}"), Due::Fixed(new.to_string())));
                    }
                }
            }
        }
    }
    out
}

/// A month of the assessment year (with its year offset) moved by one month either way.
pub(crate) fn shift_month(month: u8, year_offset: i32, shift: i32) -> (u8, i32) {
    match i32::from(month) + shift {
        m if m < 1 => (12, year_offset - 1),
        m if m > 12 => (1, year_offset + 1),
        m => (m as u8, year_offset),
    }
}

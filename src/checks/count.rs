//! `count: {of | fact, where, min, max}`: the number of rows (within `where`), or an integer
//! fact, lies within bounds.

use serde::{Deserialize, Serialize};

use super::{
    CheckResult, CheckVerdict, Comparison, Context, Kind, Miss, Quantity, Requirement, Shortfall,
    Spec, Step, Subject, predicate, register_missing, scope,
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

impl Spec for Count {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        match (&self.of, &self.fact) {
            (Some(of), None) => {
                if v.register(of, &at.join("of"))
                    && let Some(w) = &self.r#where
                {
                    v.predicate(w, Fields::Register(of), &at.join("where"));
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
                if self.r#where.is_some() {
                    v.error(
                        Code::MisplacedKey,
                        &at.join("where"),
                        Target::Key,
                        "`where` selects rows; a counted fact has none",
                    );
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
    }

    fn registers(&self) -> Vec<&str> {
        self.of.as_deref().into_iter().collect()
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        let mut r = CheckResult::with_verdict(CheckVerdict::Pass);
        let mut unit = None;
        let value: i64 = if let Some(of) = &self.of {
            let Some(s) = scope(ctx, of, self.r#where.as_ref(), &mut r) else {
                return register_missing(ctx, of);
            };
            unit = s.unit.clone();
            i64::try_from(s.rows.len()).unwrap_or(i64::MAX)
        } else if let Some(fact) = &self.fact {
            let Some((i, _, field)) = ctx.pack.data.facts.get_full(fact) else {
                return CheckResult::with_verdict(CheckVerdict::NotApplicable);
            };
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
        let min = self.min.map(|m| i64::try_from(m).unwrap_or(i64::MAX));
        let max = self.max.map(|m| i64::try_from(m).unwrap_or(i64::MAX));
        let below = min.map(|m| m.saturating_sub(value).max(0)).unwrap_or(0);
        let above = max.map(|m| value.saturating_sub(m).max(0)).unwrap_or(0);
        let count = |value| Quantity::Count { value };
        let required = match (min, max) {
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
        };
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

    fn variables(&self) -> &'static [&'static str] {
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
        for (label, p) in self.r#where.iter().flat_map(predicate::mutants) {
            let mut c = self.clone();
            c.r#where = Some(p);
            out.push((format!("where {label}"), Kind::Count(c)));
        }
        out
    }
}

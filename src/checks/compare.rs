//! `compare: {fact, op, to | value, factor}`: a numeric fact against another fact or a value,
//! the other side multiplied by `factor` (this year's budget at least last year's:
//! `{fact: budget, op: gte, to: budget_last_year}`; growth of at least 5%: `factor: 1.05`).

use serde::{Deserialize, Serialize};

use super::{
    CheckResult, CheckVerdict, Comparison, Context, Kind, Quantity, Requirement, Shortfall, Spec,
    Step, Subject, fact_label, fact_number,
};
use crate::diag::{Code, Target};
use crate::num;
use crate::pack::validate::{Validator, a_type};
use crate::pack::{FieldType, Origin};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Compare {
    /// The fact compared.
    pub fact: String,
    #[serde(default)]
    pub op: Comparison,
    /// The fact it is compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Or the value it is compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// What the other side is multiplied by (1 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
}

crate::variables! {
    /// What a `compare` check gives its template.
    pub struct Vars {
        /// The fact's value.
        value: f64,
        /// The other side: the other fact's value or the given value.
        other: f64,
        factor: f64,
        /// The other side times the factor: what the fact is compared with.
        target: f64,
        /// How far the fact lies on the wrong side of the target (0 when it holds).
        shortfall: f64,
    }
}

impl Spec for Compare {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        let numeric = |v: &mut Validator<'a>, name: &str, key: &str| {
            let field = v.fact(name, &at.join(key))?;
            if !field.ty.is_numeric() {
                let message = format!(
                    "`{name}` is {}, but `compare` needs a number",
                    a_type(field.ty)
                );
                v.error(Code::TypeMismatch, &at.join(key), Target::Value, message);
                return None;
            }
            Some(field.ty)
        };
        let left = numeric(v, &self.fact, "fact");
        match (&self.to, self.value) {
            (Some(to), None) => {
                let right = numeric(v, to, "to");
                if let (Some(l), Some(r)) = (left, right)
                    && (l == FieldType::Percent) != (r == FieldType::Percent)
                {
                    let message = format!(
                        "`{}` is {} and `{to}` is {}: a percentage is compared with a percentage",
                        self.fact,
                        a_type(l),
                        a_type(r)
                    );
                    v.error(Code::TypeMismatch, &at.join("to"), Target::Value, message);
                }
            }
            (None, Some(_)) => {}
            (Some(_), Some(_)) => {
                v.error(
                    Code::BadCheck,
                    &at.join("value"),
                    Target::Key,
                    "`compare` takes another fact (`to`) or a value (`value`), not both",
                );
            }
            (None, None) => {
                v.error(
                    Code::BadCheck,
                    at,
                    Target::Key,
                    "`compare` names nothing to compare with",
                )
                .help = Some("give `to: FACT` or `value: N`".into());
            }
        }
        if let Some(f) = self.factor
            && !(f.is_finite() && f > 0.0)
        {
            let message = format!("the factor `{f}` is not a positive number");
            v.error(Code::OutOfRange, &at.join("factor"), Target::Value, message);
        }
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        let left = fact_number(ctx, &self.fact);
        let right = match (&self.to, self.value) {
            (Some(to), _) => fact_number(ctx, to),
            (None, Some(v)) => Ok(v),
            (None, None) => return CheckResult::with_verdict(CheckVerdict::NotApplicable),
        };
        let (value, other) = match (left, right) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => return CheckResult::missing_all([a.err(), b.err()].into_iter().flatten()),
        };
        let percent = ctx
            .pack
            .data
            .facts
            .get(&self.fact)
            .is_some_and(|f| f.ty == FieldType::Percent);
        let factor = self.factor.unwrap_or(1.0);
        let target = other * factor;
        let holds = self.op.holds(value, target);
        let shortfall = if holds { 0.0 } else { (target - value).abs() };
        let mut r = CheckResult::with_verdict(if holds {
            CheckVerdict::Pass
        } else {
            CheckVerdict::Fail
        });
        let quantity = |value| {
            if percent {
                Quantity::Share { value }
            } else {
                Quantity::Number { value }
            }
        };
        r.measured = Some(quantity(value));
        r.source = Some(super::stated::Source::Stated);
        let requirement = Requirement::Bound {
            op: self.op,
            value: quantity(target),
        };
        r.required = Some(requirement);
        if !holds {
            r.shortfall = Some(Shortfall::Amount {
                value: quantity(shortfall),
            });
        }
        r.explain.push(Step::Judged {
            subject: Subject::Compared {
                label: fact_label(ctx, &self.fact),
                other_label: self.to.as_ref().map(|to| fact_label(ctx, to)),
                other: quantity(other),
                factor: self.factor,
            },
            value: quantity(value),
            requirement: r.required.clone(),
            met: holds,
        });
        r.set_vars(Vars {
            value,
            other,
            factor,
            target,
            shortfall,
        });
        r
    }

    fn variables(&self) -> &'static [&'static str] {
        <Vars as super::Variables>::NAMES
    }

    fn mutants(&self) -> Vec<(String, Kind)> {
        let mut out = Vec::new();
        if let Some(f) = self.factor {
            for new in [f - 0.05, f + 0.05] {
                if new > 0.0 {
                    let mut c = self.clone();
                    c.factor = Some(num::round2(new));
                    out.push((format!("factor {f} → {}", num::show(new)), Kind::Compare(c)));
                }
            }
        }
        if let Some(v) = self.value {
            // Whole numbers (a head count) move by one, others by a tenth.
            let step = if v.fract() == 0.0 {
                1.0
            } else {
                v.abs() / 10.0
            };
            for new in [v - step, v + step] {
                let mut c = self.clone();
                c.value = Some(new);
                out.push((format!("value {v} → {new}"), Kind::Compare(c)));
            }
        }
        out
    }
}

//! `each: {of, where, require}`: every row (within `where`) meets `require`; failing rows are
//! listed with what they miss.

use serde::{Deserialize, Serialize};

use super::stated::{self, Figure, Stated};
use super::{
    CheckResult, CheckVerdict, Context, EPS, Kind, Quantity, Requirement, Shortfall, Spec, Step,
    Subject, failed_keys,
};
use crate::pack::validate::Validator;
use crate::pack::{Origin, Predicate};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Each {
    pub of: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#where: Option<Predicate>,
    pub require: Predicate,
    /// The facts that state the figures, scored from when the rows are absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated: Option<Stated>,
}

crate::variables! {
    /// What an `each` check gives its template; counts a stated rate leaves unknown are
    /// empty.
    pub struct Vars {
        total: Option<i64>,
        passed: Option<i64>,
        failed: Option<i64>,
        failed_keys: Vec<String>,
    }
}

fn int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Judges `passed` of `total` rows (or, when a stated rate leaves them unknown, the rate).
fn judge(
    mut r: CheckResult,
    total: Option<usize>,
    passed: Option<usize>,
    rate: f64,
    unit: Option<String>,
) -> CheckResult {
    r.required = Some(Requirement::EveryRow);
    let ok = match (total, passed) {
        (Some(t), Some(p)) => p >= t,
        _ => rate + EPS >= 1.0,
    };
    let failed = match (total, passed) {
        (Some(t), Some(p)) => Some(t.saturating_sub(p)),
        _ if ok => Some(0),
        _ => None,
    };
    let value = match (total, passed) {
        (Some(of), Some(met)) => Quantity::Rows { met, of },
        _ => Quantity::Share { value: rate },
    };
    r.measured = Some(value.clone());
    r.counted = passed.unwrap_or(0) as f64;
    r.units = failed.unwrap_or(0) as f64;
    r.share = Some(rate.clamp(0.0, 1.0));
    r.verdict = if ok {
        CheckVerdict::Pass
    } else {
        CheckVerdict::Fail
    };
    match failed {
        Some(rows) if rows > 0 => {
            r.shortfall = Some(Shortfall::RowsFailing {
                rows,
                unit: unit.clone(),
            });
        }
        Some(_) => {}
        None => {
            r.shortfall = Some(Shortfall::Amount {
                value: Quantity::Share {
                    value: (1.0 - rate).max(0.0),
                },
            });
        }
    }
    let subject = match (total, passed) {
        (Some(_), Some(_)) => Subject::RowsMet { unit },
        _ => Subject::StatedRate,
    };
    r.explain.push(Step::Judged {
        subject,
        value,
        requirement: None,
        met: ok,
    });
    let failed_keys = failed_keys(&r);
    r.set_vars(Vars {
        total: total.map(int),
        passed: passed.map(int),
        failed: failed.map(int),
        failed_keys,
    });
    r
}

impl Spec for Each {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        super::validate_rows(v, &self.of, self.r#where.as_ref(), &self.require, at);
        if let Some(stated) = &self.stated {
            stated.validate(
                v,
                Some(&self.of),
                &[Figure::Total, Figure::Met, Figure::Rate],
                &at.join("stated"),
            );
        }
    }

    fn registers(&self) -> Vec<&str> {
        vec![self.of.as_str()]
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        stated::rows_or_figures(
            ctx,
            &self.of,
            self.r#where.as_ref(),
            &self.require,
            self.stated.as_ref(),
            Requirement::EveryRow,
            judge,
        )
    }

    fn variables(&self) -> &'static [&'static str] {
        <Vars as super::Variables>::NAMES
    }

    fn counts_units(&self) -> bool {
        true
    }

    fn mutants(&self) -> Vec<(String, Kind)> {
        let mut out = Vec::new();
        for (label, filter, require) in super::rows_mutants(self.r#where.as_ref(), &self.require) {
            let mut c = self.clone();
            c.r#where = filter;
            c.require = require;
            out.push((label, Kind::Each(c)));
        }
        out
    }
}

//! `each: {of, where, require}`: every row (within `where`) meets `require`; failing rows are
//! listed with what they miss.

use serde::{Deserialize, Serialize};

use super::{
    CheckResult, CheckVerdict, Context, Kind, Quantity, Requirement, Shortfall, Spec, Step,
    Subject, check_rows, failed_keys, register_missing, scope,
};
use crate::pack::validate::Validator;
use crate::pack::{Origin, Predicate};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Each {
    pub of: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#where: Option<Predicate>,
    pub require: Predicate,
}

crate::variables! {
    /// What an `each` check gives its template.
    pub struct Vars {
        total: usize,
        passed: usize,
        failed: usize,
        failed_keys: Vec<String>,
    }
}

impl Spec for Each {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        super::validate_rows(v, &self.of, self.r#where.as_ref(), &self.require, at);
    }

    fn registers(&self) -> Vec<&str> {
        vec![self.of.as_str()]
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        let mut r = CheckResult::with_verdict(CheckVerdict::Pass);
        let Some(s) = scope(ctx, &self.of, self.r#where.as_ref(), &mut r) else {
            return register_missing(ctx, &self.of);
        };
        let total = s.rows.len();
        r.required = Some(Requirement::EveryRow);
        if total == 0 {
            r.verdict = CheckVerdict::NotApplicable;
            r.explain.push(Step::NoRows);
            return r;
        }
        let passed = check_rows(ctx, &s, &self.require, &mut r);
        let failed = total - passed;
        r.measured = Some(Quantity::Rows {
            met: passed,
            of: total,
        });
        r.counted = passed as f64;
        r.units = failed as f64;
        r.share = Some(passed as f64 / total as f64);
        r.verdict = if failed == 0 {
            CheckVerdict::Pass
        } else {
            CheckVerdict::Fail
        };
        if failed > 0 {
            r.shortfall = Some(Shortfall::RowsFailing {
                rows: failed,
                unit: s.unit.clone(),
            });
        }
        r.explain.push(Step::Judged {
            subject: Subject::RowsMet {
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
        r.set_vars(Vars {
            total,
            passed,
            failed,
            failed_keys,
        });
        r
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

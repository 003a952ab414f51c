//! `coverage: {of, where, require, min}`: the share of a register's rows (within `where`)
//! meeting `require` is at least `min`.

use serde::{Deserialize, Serialize};

use super::{
    CheckResult, CheckVerdict, Comparison, Context, EPS, Kind, Quantity, Requirement, Share,
    Shortfall, Spec, Step, Subject, check_rows, failed_keys, register_missing, scope,
    share_mutants,
};
use crate::pack::validate::Validator;
use crate::pack::{Origin, Percent, Predicate, Threshold};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Coverage {
    pub of: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#where: Option<Predicate>,
    pub require: Predicate,
    pub min: Percent,
}

crate::variables! {
    /// What a `coverage` check gives its template.
    pub struct Vars {
        total: usize,
        passed: usize,
        failed: usize,
        rate: Share,
        min: Percent,
        /// Rows short of the minimum.
        shortfall: usize,
        failed_keys: Vec<String>,
    }
}

impl Spec for Coverage {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        super::validate_rows(v, &self.of, self.r#where.as_ref(), &self.require, at);
        if !v.min_overridden {
            v.percent(self.min, &at.join("min"));
        }
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
        r.required = Some(Requirement::Bound {
            op: Comparison::Gte,
            value: Quantity::Share { value: self.min.0 },
        });
        if total == 0 {
            r.verdict = CheckVerdict::NotApplicable;
            r.explain.push(Step::NoRows);
            return r;
        }
        let passed = check_rows(ctx, &s, &self.require, &mut r);
        let failed = total - passed;
        let rate = passed as f64 / total as f64;
        let needed = (self.min.0 * total as f64 - EPS).ceil().max(0.0) as usize;
        let shortfall = needed.saturating_sub(passed);
        r.measured = Some(Quantity::Share { value: rate });
        r.counted = passed as f64;
        r.units = shortfall as f64;
        r.share = Some(if self.min.0 <= 0.0 {
            1.0
        } else {
            (rate / self.min.0).min(1.0)
        });
        r.verdict = if rate + EPS >= self.min.0 {
            CheckVerdict::Pass
        } else {
            CheckVerdict::Fail
        };
        if shortfall > 0 {
            r.shortfall = Some(Shortfall::RowsShort {
                rows: shortfall,
                unit: s.unit.clone(),
            });
        }
        r.explain.push(Step::Judged {
            subject: Subject::Coverage { passed, total },
            value: Quantity::Share { value: rate },
            requirement: r.required.clone(),
            met: r.verdict == CheckVerdict::Pass,
        });
        let failed_keys = failed_keys(&r);
        r.set_vars(Vars {
            total,
            passed,
            failed,
            rate: Share(rate),
            min: self.min,
            shortfall,
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

    fn measures_share(&self) -> bool {
        true
    }

    fn threshold(&self) -> Option<Threshold> {
        Some(Threshold::Percent(self.min))
    }

    fn set_threshold(&mut self, min: Threshold) -> bool {
        super::set_share(&mut self.min, min)
    }

    fn mutants(&self) -> Vec<(String, Kind)> {
        let mut out = Vec::new();
        for (label, min) in share_mutants(self.min) {
            let mut c = self.clone();
            c.min = min;
            out.push((label, Kind::Coverage(c)));
        }
        for (label, filter, require) in super::rows_mutants(self.r#where.as_ref(), &self.require) {
            let mut c = self.clone();
            c.r#where = filter;
            c.require = require;
            out.push((label, Kind::Coverage(c)));
        }
        out
    }
}

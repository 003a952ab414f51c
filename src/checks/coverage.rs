//! `coverage: {of, where, require, min}`: the share of a register's rows (within `where`)
//! meeting `require` is at least `min`.

use serde::{Deserialize, Serialize};

use super::stated::{self, Figure, Stated};
use super::{
    CheckResult, CheckVerdict, Comparison, Context, EPS, Kind, Quantity, Requirement, Share,
    Shortfall, Spec, Step, Subject, failed_keys, share_mutants,
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
    /// The facts that state the figures, scored from when the rows are absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated: Option<Stated>,
}

crate::variables! {
    /// What a `coverage` check gives its template; counts a stated rate leaves unknown are
    /// empty.
    pub struct Vars {
        total: Option<i64>,
        passed: Option<i64>,
        failed: Option<i64>,
        rate: Share,
        min: Percent,
        /// Rows short of the minimum.
        shortfall: Option<i64>,
        failed_keys: Vec<String>,
    }
}

fn int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Coverage {
    fn requirement(&self) -> Requirement {
        Requirement::Bound {
            op: Comparison::Gte,
            value: Quantity::Share { value: self.min.0 },
        }
    }

    /// Judges a rate: `passed` of `total` rows, either of which a stated rate may leave
    /// unknown.
    fn judge(
        &self,
        mut r: CheckResult,
        total: Option<usize>,
        passed: Option<usize>,
        rate: f64,
        unit: Option<String>,
    ) -> CheckResult {
        r.required = Some(self.requirement());
        let shortfall = match (total, passed) {
            (Some(total), Some(passed)) => {
                let needed = (self.min.0 * total as f64 - EPS).ceil().max(0.0) as usize;
                Some(needed.saturating_sub(passed))
            }
            _ if rate + EPS >= self.min.0 => Some(0),
            _ => None,
        };
        r.measured = Some(Quantity::Share { value: rate });
        r.counted = passed.unwrap_or(0) as f64;
        r.units = shortfall.unwrap_or(0) as f64;
        r.share = Some(if self.min.0 <= 0.0 {
            1.0
        } else {
            (rate / self.min.0).clamp(0.0, 1.0)
        });
        r.verdict = if rate + EPS >= self.min.0 {
            CheckVerdict::Pass
        } else {
            CheckVerdict::Fail
        };
        match shortfall {
            Some(rows) if rows > 0 => {
                r.shortfall = Some(Shortfall::RowsShort {
                    rows,
                    unit: unit.clone(),
                });
            }
            Some(_) => {}
            None => {
                let short = (self.min.0 - rate).max(0.0);
                r.shortfall = Some(Shortfall::Amount {
                    value: Quantity::Share { value: short },
                });
            }
        }
        let subject = match (total, passed) {
            (Some(total), Some(passed)) => Subject::Coverage { passed, total },
            _ => Subject::StatedRate,
        };
        r.explain.push(Step::Judged {
            subject,
            value: Quantity::Share { value: rate },
            requirement: r.required.clone(),
            met: r.verdict == CheckVerdict::Pass,
        });
        let failed_keys = failed_keys(&r);
        r.set_vars(Vars {
            total: total.map(int),
            passed: passed.map(int),
            failed: total.zip(passed).map(|(t, p)| int(t.saturating_sub(p))),
            rate: Share(rate),
            min: self.min,
            shortfall: shortfall.map(int),
            failed_keys,
        });
        r
    }
}

impl Spec for Coverage {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        super::validate_rows(v, &self.of, self.r#where.as_ref(), &self.require, at);
        if !v.min_overridden {
            v.percent(self.min, &at.join("min"));
        }
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
            self.requirement(),
            |r, total, passed, rate, unit| self.judge(r, total, passed, rate, unit),
        )
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

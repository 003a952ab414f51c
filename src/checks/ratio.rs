//! `ratio: {numerator, denominator, min}`: a fact divided by a fact is at least `min`; a zero
//! denominator is not applicable.

use serde::{Deserialize, Serialize};

use super::{
    CheckResult, CheckVerdict, Comparison, Context, EPS, Kind, Quantity, Requirement, Share,
    Shortfall, Spec, Step, Subject, fact_label, fact_number, share_mutants,
};
use crate::pack::validate::Validator;
use crate::pack::{Origin, Percent, Threshold};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Ratio {
    pub numerator: String,
    pub denominator: String,
    pub min: Percent,
    /// Whether the numerator may exceed the denominator; otherwise a submission whose
    /// numerator does is refused as impossible data.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub may_exceed: bool,
}

crate::variables! {
    /// What a `ratio` check gives its template.
    pub struct Vars {
        numerator: f64,
        denominator: f64,
        rate: Share,
        min: Percent,
        /// How far the rate lies below the minimum.
        shortfall: Share,
    }
}

impl Spec for Ratio {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        v.numeric_fact(&self.numerator, &at.join("numerator"));
        v.numeric_fact(&self.denominator, &at.join("denominator"));
        if !v.min_overridden {
            v.percent(self.min, &at.join("min"));
        }
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        let denominator = fact_number(ctx, &self.denominator);
        let required = Requirement::Bound {
            op: Comparison::Gte,
            value: Quantity::Share { value: self.min.0 },
        };
        // A stated zero denominator (no cases at all) makes the ratio not applicable, whether
        // or not the numerator is given: a bureau with no cases need not report zero handled.
        if denominator.as_ref().is_ok_and(|d| d.abs() < EPS) {
            let mut r = CheckResult::with_verdict(CheckVerdict::NotApplicable);
            r.required = Some(required);
            r.explain.push(Step::ZeroDenominator {
                label: fact_label(ctx, &self.denominator),
            });
            return r;
        }
        let (num_v, den_v) = match (fact_number(ctx, &self.numerator), denominator) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => return CheckResult::missing_all([a.err(), b.err()].into_iter().flatten()),
        };
        let mut r = CheckResult::with_verdict(CheckVerdict::Pass);
        r.required = Some(required);
        let rate = num_v / den_v;
        r.measured = Some(Quantity::Share { value: rate });
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
        let short = (self.min.0 - rate).max(0.0);
        if short > EPS {
            r.shortfall = Some(Shortfall::Amount {
                value: Quantity::Share { value: short },
            });
        }
        r.explain.push(Step::Judged {
            subject: Subject::Ratio {
                numerator: fact_label(ctx, &self.numerator),
                denominator: fact_label(ctx, &self.denominator),
                num: num_v,
                den: den_v,
            },
            value: Quantity::Share { value: rate },
            requirement: r.required.clone(),
            met: r.verdict == CheckVerdict::Pass,
        });
        r.set_vars(Vars {
            numerator: num_v,
            denominator: den_v,
            rate: Share(rate),
            min: self.min,
            shortfall: Share(short),
        });
        r
    }

    fn variables(&self) -> &'static [&'static str] {
        <Vars as super::Variables>::NAMES
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
        share_mutants(self.min)
            .into_iter()
            .map(|(label, min)| {
                let mut c = self.clone();
                c.min = min;
                (label, Kind::Ratio(c))
            })
            .collect()
    }
}

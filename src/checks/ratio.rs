//! `ratio: {numerator, denominator, min}`: a fact divided by a fact is at least `min`; a zero
//! denominator is not applicable.

use serde::{Deserialize, Serialize};

use super::stated::{self, Figure, Source, Stated};
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
    /// The fact that states the rate itself (按时办结率100%), scored from when the numerator
    /// is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated: Option<Stated>,
}

crate::variables! {
    /// What a `ratio` check gives its template.
    pub struct Vars {
        numerator: Option<f64>,
        denominator: Option<f64>,
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
        // A numerator that may exceed its denominator (经费逐年增长) may be required to.
        if !(v.min_overridden || self.may_exceed && self.min.0 > 1.0) {
            v.percent(self.min, &at.join("min"));
        }
        if let Some(stated) = &self.stated {
            stated.validate(v, None, &[Figure::Rate], &at.join("stated"));
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
            r.source = Some(Source::Stated);
            r.required = Some(required);
            r.explain.push(Step::ZeroDenominator {
                label: fact_label(ctx, &self.denominator),
            });
            return r;
        }
        let mut r = CheckResult::with_verdict(CheckVerdict::Pass);
        r.source = Some(Source::Stated);
        let (num_v, den_v) = match (fact_number(ctx, &self.numerator), denominator) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                return match stated::rate(ctx, self.stated.as_ref()) {
                    Some(Ok(rate)) => {
                        let mut figures = Vec::new();
                        if let Ok(d) = &b {
                            figures.push((
                                fact_label(ctx, &self.denominator),
                                Quantity::Number { value: *d },
                            ));
                        }
                        let label = self
                            .stated
                            .as_ref()
                            .and_then(|s| s.rate.as_deref())
                            .map(|n| fact_label(ctx, n))
                            .unwrap_or_default();
                        figures.push((label, Quantity::Share { value: rate }));
                        r.explain.push(Step::Stated { figures });
                        let mut r = self.judge(r, required, rate, Subject::StatedRate);
                        r.set_vars(Vars {
                            numerator: a.ok(),
                            denominator: b.ok(),
                            rate: Share(rate),
                            min: self.min,
                            shortfall: Share((self.min.0 - rate).max(0.0)),
                        });
                        r
                    }
                    // The numbers are what is missing; the explanation also names the rate
                    // that could have stood in for them.
                    Some(Err(c)) => {
                        let mut r =
                            CheckResult::missing_all([a.err(), b.err()].into_iter().flatten());
                        r.explain.push(Step::Missing { what: c });
                        r
                    }
                    None => CheckResult::missing_all([a.err(), b.err()].into_iter().flatten()),
                };
            }
        };
        let rate = num_v / den_v;
        stated::reconcile_rate(ctx, self.stated.as_ref(), rate, &mut r);
        let subject = Subject::Ratio {
            numerator: fact_label(ctx, &self.numerator),
            denominator: fact_label(ctx, &self.denominator),
            num: num_v,
            den: den_v,
        };
        let mut r = self.judge(r, required, rate, subject);
        r.set_vars(Vars {
            numerator: Some(num_v),
            denominator: Some(den_v),
            rate: Share(rate),
            min: self.min,
            shortfall: Share((self.min.0 - rate).max(0.0)),
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

impl Ratio {
    /// Judges a rate against the minimum.
    fn judge(
        &self,
        mut r: CheckResult,
        required: Requirement,
        rate: f64,
        subject: Subject,
    ) -> CheckResult {
        r.required = Some(required);
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
            subject,
            value: Quantity::Share { value: rate },
            requirement: r.required.clone(),
            met: r.verdict == CheckVerdict::Pass,
        });
        r.set_vars(Vars {
            numerator: None,
            denominator: None,
            rate: Share(rate),
            min: self.min,
            shortfall: Share(short),
        });
        r
    }
}

//! `fact: {field: condition, ...}`: conditions on the submission's facts all hold.

use serde::{Deserialize, Serialize};

use super::{
    CheckResult, CheckVerdict, Conditions, Context, Kind, Requirement, Spec, Step, fact_misses,
    predicate,
};
use crate::pack::validate::{Fields, Validator};
use crate::pack::{Origin, Predicate};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Fact(pub Predicate);

crate::variables! {
    /// What a `fact` check gives its template.
    pub struct Vars {
        /// The conditions that do not hold.
        failed_conditions: Conditions,
    }
}

impl Spec for Fact {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        v.predicate(&self.0, Fields::Facts, at);
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        let (compiled, (failed, missing)) = fact_misses(ctx, &self.0);
        let mut r = CheckResult::with_verdict(if !failed.is_empty() {
            CheckVerdict::Fail
        } else if !missing.is_empty() {
            CheckVerdict::MissingData
        } else {
            CheckVerdict::Pass
        });
        r.required = Some(Requirement::Conditions {
            conditions: compiled.describe_each(),
        });
        r.units = failed.len() as f64;
        r.explain.push(Step::Requires {
            conditions: compiled.describe_each(),
        });
        for m in failed.iter().chain(missing.iter()) {
            r.explain.push(Step::Unmet {
                condition: m.clone(),
            });
        }
        if failed.is_empty() && missing.is_empty() {
            r.explain.push(Step::AllMet);
        }
        r.set_vars(Vars {
            failed_conditions: Conditions(failed),
        });
        r.missing = missing;
        r
    }

    fn variables(&self) -> &'static [&'static str] {
        <Vars as super::Variables>::NAMES
    }

    fn mutants(&self) -> Vec<(String, Kind)> {
        predicate::mutants(&self.0)
            .into_iter()
            .map(|(label, p)| (label, Kind::Fact(Fact(p))))
            .collect()
    }
}

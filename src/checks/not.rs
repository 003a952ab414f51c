//! `not: {...}`: the inner check does not hold.

use serde::{Deserialize, Serialize};

use super::all::{Vars, part_label};
use super::{Check, CheckResult, CheckVerdict, Context, Kind, Requirement, Spec, Step};
use crate::pack::Origin;
use crate::pack::validate::Validator;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Not(pub Box<Check>);

impl Spec for Not {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        v.check(&self.0, at, false);
    }

    fn registers(&self) -> Vec<&str> {
        self.0.kind.spec().registers()
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        let result = super::evaluate(ctx, &self.0);
        let verdict = match result.verdict {
            CheckVerdict::Pass => CheckVerdict::Fail,
            CheckVerdict::Fail => CheckVerdict::Pass,
            other => other,
        };
        let mut r = CheckResult::with_verdict(verdict);
        let label = part_label(&self.0, 0);
        r.explain.push(Step::Negated {
            label: label.clone(),
            steps: result.explain,
        });
        r.missing = result.missing;
        r.source = result.source;
        r.reconciled = result.reconciled;
        r.units = if verdict == CheckVerdict::Fail {
            1.0
        } else {
            0.0
        };
        r.required = Some(Requirement::NotPart {
            label: label.clone(),
        });
        let failed_parts = if verdict == CheckVerdict::Fail {
            vec![label.clone()]
        } else {
            Vec::new()
        };
        r.set_vars(Vars {
            parts: vec![label],
            failed_parts,
        });
        r
    }

    fn variables(&self) -> &'static [&'static str] {
        <Vars as super::Variables>::NAMES
    }

    fn mutants(&self) -> Vec<(String, Kind)> {
        self.0
            .kind
            .spec()
            .mutants()
            .into_iter()
            .map(|(label, kind)| {
                let mut inner = (*self.0).clone();
                inner.kind = kind;
                (
                    format!("{} {label}", self.0.kind.name()),
                    Kind::Not(Not(Box::new(inner))),
                )
            })
            .collect()
    }
}

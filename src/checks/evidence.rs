//! `evidence: [name, ...]`: the submission lists supporting documents of each name.

use serde::{Deserialize, Serialize};

use super::{CheckResult, CheckVerdict, Context, Quantity, Requirement, Shortfall, Spec, Step};
use crate::pack::Origin;
use crate::pack::validate::Validator;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Evidence(pub Vec<String>);

crate::variables! {
    /// What an `evidence` check gives its template.
    pub struct Vars {
        /// The documents required, by label.
        required: Vec<String>,
        /// The documents not given, by label.
        missing: Vec<String>,
    }
}

impl Spec for Evidence {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        for (i, name) in self.0.iter().enumerate() {
            v.evidence_name(name, &at.join(i));
        }
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        let names = &self.0;
        let label = |n: &str| {
            ctx.pack
                .data
                .evidence
                .get(n)
                .map(|e| e.label.clone())
                .unwrap_or_else(|| n.to_string())
        };
        let given = |n: &str| {
            ctx.submission
                .evidence
                .get(n)
                .is_some_and(|docs| !docs.is_empty())
        };
        let missing: Vec<String> = names
            .iter()
            .filter(|n| !given(n))
            .map(|n| label(n))
            .collect();
        let required: Vec<String> = names.iter().map(|n| label(n)).collect();
        let mut r = CheckResult::with_verdict(if missing.is_empty() {
            CheckVerdict::Pass
        } else {
            CheckVerdict::Fail
        });
        r.required = Some(Requirement::Documents {
            labels: required.clone(),
        });
        r.measured = Some(Quantity::Documents {
            given: names.len() - missing.len(),
            of: names.len(),
        });
        r.units = missing.len() as f64;
        r.counted = (names.len() - missing.len()) as f64;
        r.share = Some((names.len() - missing.len()) as f64 / names.len().max(1) as f64);
        for n in names {
            r.explain.push(Step::Document {
                label: label(n),
                given: given(n),
            });
        }
        if !missing.is_empty() {
            r.shortfall = Some(Shortfall::Documents {
                labels: missing.clone(),
            });
        }
        r.set_vars(Vars { required, missing });
        r
    }

    fn variables(&self) -> &'static [&'static str] {
        <Vars as super::Variables>::NAMES
    }

    fn counts_units(&self) -> bool {
        true
    }
}

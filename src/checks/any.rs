//! `any: [...]`: at least one part holds.

use serde::{Deserialize, Serialize};

use super::all::{Combine, Vars, combine, part_mutants, parts_registers};
use super::{Check, CheckResult, Context, Kind, Spec};
use crate::pack::Origin;
use crate::pack::validate::Validator;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Any(pub Vec<Check>);

impl Spec for Any {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        for (i, part) in self.0.iter().enumerate() {
            v.check(part, &at.join(i), false);
        }
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        combine(ctx, &self.0, Combine::Any)
    }

    fn registers(&self) -> Vec<&str> {
        parts_registers(&self.0)
    }

    fn variables(&self) -> &'static [&'static str] {
        <Vars as super::Variables>::NAMES
    }

    fn mutants(&self) -> Vec<(String, Kind)> {
        part_mutants(&self.0)
            .into_iter()
            .map(|(label, parts)| (label, Kind::Any(Any(parts))))
            .collect()
    }
}

//! `each: {of, where, require}`: every row (within `where`) meets `require`; failing rows are
//! listed with what they miss.

use serde::{Deserialize, Serialize};

use super::{
    CheckResult, CheckVerdict, Context, Kind, Spec, check_rows, failed_keys, met, predicate,
    register_missing, scope,
};
use crate::pack::validate::{Scope, Validator};
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
        if v.register(&self.of, &at.join("of")) {
            if let Some(w) = &self.r#where {
                v.predicate(w, Scope::Register(&self.of), &at.join("where"));
            }
            v.predicate(
                &self.require,
                Scope::Register(&self.of),
                &at.join("require"),
            );
        }
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        let mut r = CheckResult::with_verdict(CheckVerdict::Pass);
        let Some(s) = scope(ctx, &self.of, self.r#where.as_ref(), &mut r) else {
            return register_missing(ctx, &self.of);
        };
        let total = s.rows.len();
        r.required = Some("逐条满足".into());
        if total == 0 {
            r.verdict = CheckVerdict::NotApplicable;
            r.explain.push("没有纳入范围的行：不适用".into());
            return r;
        }
        let passed = check_rows(ctx, &s, &self.require, &mut r);
        let failed = total - passed;
        r.measured = Some(format!("{passed}/{total}"));
        r.counted = passed as f64;
        r.units = failed as f64;
        r.share = Some(passed as f64 / total as f64);
        r.verdict = if failed == 0 {
            CheckVerdict::Pass
        } else {
            CheckVerdict::Fail
        };
        if failed > 0 {
            r.shortfall = Some(format!("{failed}行不符合"));
        }
        r.explain
            .push(format!("{passed}/{total}行满足 → {}", met(r.verdict)));
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
        for (label, p) in predicate::mutants(&self.require) {
            let mut c = self.clone();
            c.require = p;
            out.push((format!("require {label}"), Kind::Each(c)));
        }
        for (label, p) in self.r#where.iter().flat_map(predicate::mutants) {
            let mut c = self.clone();
            c.r#where = Some(p);
            out.push((format!("where {label}"), Kind::Each(c)));
        }
        out
    }
}

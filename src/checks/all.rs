//! `all: [...]`: every part holds. Parts may carry a `label` and, with `deduct: additive`,
//! their own `points` (各得N分).

use serde::{Deserialize, Serialize};

use super::{
    Check, CheckResult, CheckVerdict, Context, FailingRow, Kind, Miss, PartName, PartResult,
    Quantity, Requirement, Shortfall, Spec, Step,
};
use crate::num;
use crate::pack::Origin;
use crate::pack::validate::Validator;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(transparent)]
pub struct All(pub Vec<Check>);

crate::variables! {
    /// What an `all`, `any` or `not` check gives its template.
    pub struct Vars {
        /// Every part.
        parts: Vec<PartName>,
        /// The parts that do not hold.
        failed_parts: Vec<PartName>,
    }
}

impl Spec for All {
    fn validate<'a>(&'a self, v: &mut Validator<'a>, at: &Origin) {
        for (i, part) in self.0.iter().enumerate() {
            v.check(part, &at.join(i), true);
        }
    }

    fn evaluate(&self, ctx: &Context) -> CheckResult {
        combine(ctx, &self.0, Combine::All)
    }

    fn registers(&self) -> Vec<&str> {
        parts_registers(&self.0)
    }

    fn variables(&self) -> &'static [&'static str] {
        <Vars as super::Variables>::NAMES
    }

    fn counts_units(&self) -> bool {
        true
    }

    fn mutants(&self) -> Vec<(String, Kind)> {
        let mut out: Vec<(String, Kind)> = part_mutants(&self.0)
            .into_iter()
            .map(|(label, parts)| (label, Kind::All(All(parts))))
            .collect();
        // Points moved from one scored part to the next keep the item's total.
        for i in 1..self.0.len() {
            let (Some(a), Some(b)) = (self.0[i - 1].points, self.0[i].points) else {
                continue;
            };
            for (from, to) in [(i - 1, i), (i, i - 1)] {
                let giver = if from == i { b } else { a };
                let step = giver.min(1.0);
                if step <= 0.0 {
                    continue;
                }
                let mut parts = self.0.clone();
                parts[from].points = Some(num::round2(giver - step));
                parts[to].points = parts[to].points.map(|p| num::round2(p + step));
                out.push((
                    format!(
                        "part {} points → part {} ({})",
                        from + 1,
                        to + 1,
                        num::show(step)
                    ),
                    Kind::All(All(parts)),
                ));
            }
        }
        out
    }
}

/// The registers the parts read, each once.
pub(crate) fn parts_registers(parts: &[Check]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for part in parts {
        for r in part.kind.spec().registers() {
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// Each part's mutants, with the other parts unchanged.
pub(crate) fn part_mutants(parts: &[Check]) -> Vec<(String, Vec<Check>)> {
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        for (label, kind) in part.kind.spec().mutants() {
            let mut changed = parts.to_vec();
            changed[i].kind = kind;
            out.push((format!("[{}] {} {label}", i + 1, part.kind.name()), changed));
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Combine {
    All,
    Any,
}

/// A part's label: its own, or its position.
pub(crate) fn part_label(check: &Check, i: usize) -> PartName {
    match &check.label {
        Some(label) => PartName::Label(label.clone()),
        None => PartName::Position(i + 1),
    }
}

/// The parts evaluated and combined as `all` or `any` does.
pub(crate) fn combine(ctx: &Context, parts: &[Check], how: Combine) -> CheckResult {
    let results: Vec<CheckResult> = parts.iter().map(|p| super::evaluate(ctx, p)).collect();
    let has = |v: CheckVerdict| results.iter().any(|r| r.verdict == v);
    let all_not_applicable = results
        .iter()
        .all(|r| r.verdict == CheckVerdict::NotApplicable);
    let verdict = match how {
        Combine::All if has(CheckVerdict::Fail) => CheckVerdict::Fail,
        Combine::Any if has(CheckVerdict::Pass) => CheckVerdict::Pass,
        _ if has(CheckVerdict::MissingData) => CheckVerdict::MissingData,
        _ if all_not_applicable => CheckVerdict::NotApplicable,
        Combine::All => CheckVerdict::Pass,
        Combine::Any => CheckVerdict::Fail,
    };
    let mut r = CheckResult::with_verdict(verdict);
    r.source = super::stated::Source::combine(results.iter().filter_map(|r| r.source));
    for result in &results {
        r.reconciled.extend(result.reconciled.iter().cloned());
    }
    let mut failed_parts = Vec::new();
    let mut labels = Vec::new();
    for (i, (part, result)) in parts.iter().zip(results).enumerate() {
        let label = part_label(part, i);
        labels.push(label.clone());
        r.explain.push(Step::Part {
            label: label.clone(),
            points: part.points,
            verdict: result.verdict,
            steps: result.explain,
        });
        if result.verdict == CheckVerdict::Fail {
            failed_parts.push(label.clone());
            r.units += 1.0;
            for f in &result.failing {
                r.failing.push(FailingRow {
                    key: f.key.clone(),
                    misses: f
                        .misses
                        .iter()
                        .map(|m| Miss::InPart {
                            part: label.clone(),
                            miss: Box::new(m.clone()),
                        })
                        .collect(),
                });
            }
        }
        // A part of `all` whose data is missing is a failing unit for `per_unit`: it cannot
        // count for more than a part that fails (the item stays `missing_data`).
        if how == Combine::All && result.verdict == CheckVerdict::MissingData {
            r.units += 1.0;
        }
        if result.verdict == CheckVerdict::Pass {
            r.counted += 1.0;
        }
        r.missing.extend(result.missing);
        r.waived_rows.extend(result.waived_rows);
        r.parts.push(PartResult {
            label,
            points: part.points,
            verdict: result.verdict,
            units: result.units,
            measured: result.measured.clone(),
            shortfall: result.shortfall.clone(),
            source: result.source,
            units_unknown: result.units_unknown.is_some(),
        });
    }
    let mut seen: Vec<Miss> = Vec::with_capacity(r.missing.len());
    r.missing.retain(|m| {
        let new = !seen.contains(m);
        if new {
            seen.push(m.clone());
        }
        new
    });
    r.measured = Some(Quantity::Parts {
        met: r.counted as usize,
        of: parts.len(),
    });
    r.required = Some(match how {
        Combine::All => Requirement::AllParts,
        Combine::Any => Requirement::AnyPart,
    });
    r.share = Some(r.counted / parts.len().max(1) as f64);
    if !failed_parts.is_empty() {
        r.shortfall = Some(Shortfall::Parts {
            labels: failed_parts.clone(),
        });
    }
    r.set_vars(Vars {
        parts: labels,
        failed_parts,
    });
    r
}

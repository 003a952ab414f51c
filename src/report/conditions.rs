//! Conditions and what a row misses, in words: `配备法治副校长应为是（实际：否）`.

use crate::checks::{Described, Miss, Test};
use crate::num;
use crate::pack::FieldType;
use crate::submission::Value;

/// A value as a report writes it for a field of this type (`95%` for a percentage).
fn show(ty: FieldType, v: &Value) -> String {
    match (ty, v) {
        (FieldType::Percent, Value::Number(x)) => num::percent(*x),
        _ => v.to_string(),
    }
}

/// `学段应为小学、初中之一`, `法治课课时应不少于8`.
pub fn condition(d: &Described) -> String {
    let one = |v: &Value| show(d.ty, v);
    let list = |vs: &[Value]| vs.iter().map(one).collect::<Vec<_>>().join("、");
    let l = &d.label;
    match &d.test {
        Test::Equals(v) => format!("{l}应为{}", one(v)),
        Test::Ne(v) => format!("{l}不应为{}", one(v)),
        Test::In(vs) => format!("{l}应为{}之一", list(vs)),
        Test::NotIn(vs) => format!("{l}不应为{}", list(vs)),
        Test::Gt(v) => format!("{l}应大于{}", one(v)),
        Test::Gte(v) => format!("{l}应不少于{}", one(v)),
        Test::Lt(v) => format!("{l}应小于{}", one(v)),
        Test::Lte(v) => format!("{l}应不超过{}", one(v)),
        Test::Exists(true) => format!("{l}应填写"),
        Test::Exists(false) => format!("{l}应不填写"),
        Test::Contains(t) => format!("{l}应包含{t}"),
        Test::ContainsAll(ts) => format!("{l}应包含{}", ts.join("、")),
    }
}

/// Conditions joined: `学段应为小学之一；配备法治副校长应为是`.
pub fn conditions(ds: &[Described]) -> String {
    ds.iter().map(condition).collect::<Vec<_>>().join("；")
}

/// `配备法治副校长应为是（实际：否）`, `学段未填写`, `未报送学校台账`.
pub fn miss(m: &Miss) -> String {
    match m {
        Miss::Unmet { cond, actual: None } => condition(cond),
        Miss::Unmet {
            cond,
            actual: Some(v),
        } => format!("{}（实际：{}）", condition(cond), show(cond.ty, v)),
        Miss::Lacks { label, lacking } => format!("{label}缺少{}", lacking.join("、")),
        Miss::NoValue { label } => format!("{label}未填写"),
        Miss::NoRegister { label } => format!("未报送{label}"),
        Miss::Date { label, shortfall } => format!("{label}{}", super::shortfall(shortfall)),
        Miss::InPart { part, miss: inner } => format!("{}：{}", super::part(part), miss(inner)),
    }
}

/// The rectification of missing data: `补报学校台账、法治副校长人数`.
pub fn supply(ms: &[Miss]) -> String {
    fn what(m: &Miss) -> String {
        match m {
            Miss::NoRegister { label } if label.ends_with("台账") => label.clone(),
            Miss::NoRegister { label } => format!("{label}台账"),
            Miss::NoValue { label } | Miss::Lacks { label, .. } | Miss::Date { label, .. } => {
                label.clone()
            }
            Miss::Unmet { cond, .. } => cond.label.clone(),
            Miss::InPart { miss, .. } => what(miss),
        }
    }
    let mut labels: Vec<String> = Vec::new();
    for m in ms {
        let label = what(m);
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    format!("补报{}", labels.join("、"))
}

/// Misses joined: `a；b`.
pub fn misses(ms: &[Miss]) -> String {
    ms.iter().map(miss).collect::<Vec<_>>().join("；")
}

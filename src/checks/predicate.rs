//! Conditions compiled against the dictionary: field names resolved to slots once, literals
//! converted to the field's type once, then evaluated row after row.

use crate::pack::{Condition, DataDict, Field, FieldType, Literal, Operand, Percent, Predicate};
use crate::submission::Value;

/// A predicate ready to run over rows (or the facts) of one scope.
#[derive(Debug, Clone)]
pub struct Compiled {
    conds: Vec<Cond>,
}

#[derive(Debug, Clone)]
struct Cond {
    slot: usize,
    label: String,
    ty: FieldType,
    op: Op,
}

#[derive(Debug, Clone)]
enum Op {
    Equals(Value),
    Ne(Value),
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Gt(Value),
    Gte(Value),
    Lt(Value),
    Lte(Value),
    Exists(bool),
    Contains(String),
    ContainsAll(Vec<String>),
}

/// How a condition came out on one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Holds,
    /// It does not hold; the text says what was required and what was there.
    Fails(String),
    /// The value is not given.
    Missing(String),
}

/// Which columns (or facts) a predicate reads.
pub enum Scope<'a> {
    Facts(&'a DataDict),
    Columns(&'a indexmap::IndexMap<String, Field>),
}

impl Scope<'_> {
    fn field(&self, name: &str) -> Option<(usize, &Field)> {
        let map = match self {
            Scope::Facts(d) => &d.facts,
            Scope::Columns(c) => c,
        };
        map.get_full(name).map(|(i, _, f)| (i, f))
    }
}

impl Compiled {
    /// Compiles a predicate. `kaohe check` has already verified every name and type, so a
    /// name that does not resolve only drops its condition.
    pub fn new(
        predicate: &Predicate,
        scope: &Scope,
        sets: &indexmap::IndexMap<String, crate::pack::ValueSet>,
        year: i32,
    ) -> Compiled {
        let mut conds = Vec::new();
        for (name, cond) in predicate {
            let Some((slot, field)) = scope.field(name) else {
                continue;
            };
            let mk = |op| Cond {
                slot,
                label: field.label.clone(),
                ty: field.ty,
                op,
            };
            let one = |lit: &Literal| literal(field, lit);
            let many = |operand: &Operand| -> Vec<Value> {
                match operand {
                    Operand::One(l) => one(l).into_iter().collect(),
                    Operand::List(ls) => ls.iter().filter_map(one).collect(),
                    Operand::Set { set } => sets
                        .get(set)
                        .map(|s| s.members.iter().map(|m| Value::Text(m.clone())).collect())
                        .unwrap_or_default(),
                    Operand::InYear { .. } => Vec::new(),
                }
            };
            let single = |operand: &Operand| -> Option<Value> {
                match operand {
                    Operand::One(l) => one(l),
                    Operand::InYear {
                        month,
                        day,
                        year_offset,
                    } => {
                        let due = super::deadline::Due::InYear {
                            month: *month,
                            day: *day,
                            year_offset: *year_offset,
                        };
                        super::deadline::due_date(&due, year).map(Value::Date)
                    }
                    _ => None,
                }
            };
            match cond {
                Condition::Equals(lit) => conds.extend(one(lit).map(|v| mk(Op::Equals(v)))),
                Condition::OneOf(list) => {
                    conds.push(mk(Op::In(list.iter().filter_map(one).collect())))
                }
                Condition::Ops(ops) => {
                    if let Some(o) = &ops.equals {
                        conds.extend(single(o).map(|v| mk(Op::Equals(v))));
                    }
                    if let Some(o) = &ops.ne {
                        conds.extend(single(o).map(|v| mk(Op::Ne(v))));
                    }
                    if let Some(o) = &ops.r#in {
                        conds.push(mk(Op::In(many(o))));
                    }
                    if let Some(o) = &ops.not_in {
                        conds.push(mk(Op::NotIn(many(o))));
                    }
                    if let Some(o) = &ops.gt {
                        conds.extend(single(o).map(|v| mk(Op::Gt(v))));
                    }
                    if let Some(o) = &ops.gte {
                        conds.extend(single(o).map(|v| mk(Op::Gte(v))));
                    }
                    if let Some(o) = &ops.lt {
                        conds.extend(single(o).map(|v| mk(Op::Lt(v))));
                    }
                    if let Some(o) = &ops.lte {
                        conds.extend(single(o).map(|v| mk(Op::Lte(v))));
                    }
                    if let Some(e) = ops.exists {
                        conds.push(mk(Op::Exists(e)));
                    }
                    if let Some(o) = &ops.contains {
                        let values = many(o);
                        for v in values {
                            if let Value::Text(t) = v {
                                conds.push(mk(Op::Contains(t)));
                            }
                        }
                    }
                    if let Some(o) = &ops.contains_all {
                        let values = many(o)
                            .into_iter()
                            .filter_map(|v| match v {
                                Value::Text(t) => Some(t),
                                _ => None,
                            })
                            .collect();
                        conds.push(mk(Op::ContainsAll(values)));
                    }
                }
            }
        }
        Compiled { conds }
    }

    /// Whether every condition holds; a missing value makes a condition fail.
    pub fn holds(&self, row: &[Option<Value>]) -> bool {
        self.conds.iter().all(|c| c.eval(row) == Verdict::Holds)
    }

    /// Every condition's verdict that is not `Holds`.
    pub fn misses(&self, row: &[Option<Value>]) -> Vec<Verdict> {
        self.conds
            .iter()
            .map(|c| c.eval(row))
            .filter(|v| *v != Verdict::Holds)
            .collect()
    }

    /// A readable form of the whole predicate: `学段 属于 小学、初中；配备法治副校长 = 是`.
    pub fn describe(&self) -> String {
        self.describe_each().join("；")
    }

    /// Each condition in a readable form.
    pub fn describe_each(&self) -> Vec<String> {
        self.conds.iter().map(Cond::describe).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.conds.is_empty()
    }
}

fn literal(field: &Field, lit: &Literal) -> Option<Value> {
    Some(match (field.ty, lit) {
        (FieldType::Boolean, Literal::Bool(b)) => Value::Bool(*b),
        (FieldType::Integer, Literal::Int(i)) => Value::Int(*i),
        (FieldType::Number, Literal::Int(i)) => Value::Number(*i as f64),
        (FieldType::Number, Literal::Float(x)) => Value::Number(*x),
        (FieldType::Percent, Literal::Str(s)) => Value::Number(Percent::parse(s)?.0),
        (FieldType::Percent, Literal::Int(i)) => {
            Value::Number(*i as f64 / if *i > 1 { 100.0 } else { 1.0 })
        }
        (FieldType::Percent, Literal::Float(x)) => {
            Value::Number(if *x > 1.0 { x / 100.0 } else { *x })
        }
        (FieldType::Date, Literal::Str(s)) => Value::Date(crate::text::parse_date(s)?),
        (FieldType::String | FieldType::Enum | FieldType::List, Literal::Str(s)) => {
            Value::Text(s.clone())
        }
        _ => return None,
    })
}

fn cmp(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => a == b,
    }
}

fn show(ty: FieldType, v: &Value) -> String {
    match (ty, v) {
        (FieldType::Percent, Value::Number(x)) => crate::num::percent(*x),
        _ => v.to_string(),
    }
}

impl Cond {
    fn eval(&self, row: &[Option<Value>]) -> Verdict {
        let value = row.get(self.slot).and_then(Option::as_ref);
        if let Op::Exists(want) = &self.op {
            return if value.is_some() == *want {
                Verdict::Holds
            } else {
                Verdict::Fails(self.describe())
            };
        }
        let Some(value) = value else {
            return Verdict::Missing(format!("{}未填写", self.label));
        };
        let holds = match &self.op {
            Op::Equals(v) => same(value, v),
            Op::Ne(v) => !same(value, v),
            Op::In(vs) => vs.iter().any(|v| same(value, v)),
            Op::NotIn(vs) => !vs.iter().any(|v| same(value, v)),
            Op::Gt(v) => cmp(value, v).is_some_and(|o| o.is_gt()),
            Op::Gte(v) => cmp(value, v).is_some_and(|o| o.is_ge()),
            Op::Lt(v) => cmp(value, v).is_some_and(|o| o.is_lt()),
            Op::Lte(v) => cmp(value, v).is_some_and(|o| o.is_le()),
            Op::Exists(_) => true,
            Op::Contains(t) => matches!(value, Value::List(items) if items.contains(t)),
            Op::ContainsAll(ts) => match value {
                Value::List(items) => ts.iter().all(|t| items.contains(t)),
                _ => false,
            },
        };
        if holds {
            return Verdict::Holds;
        }
        let actual = show(self.ty, value);
        let detail = match (&self.op, value) {
            (Op::ContainsAll(ts), Value::List(items)) => {
                let lacking: Vec<&str> = ts
                    .iter()
                    .filter(|t| !items.contains(t))
                    .map(String::as_str)
                    .collect();
                format!("{}缺少{}", self.label, lacking.join("、"))
            }
            _ => format!("{}（实际：{actual}）", self.describe()),
        };
        Verdict::Fails(detail)
    }

    fn describe(&self) -> String {
        let list = |vs: &[Value]| {
            vs.iter()
                .map(|v| show(self.ty, v))
                .collect::<Vec<_>>()
                .join("、")
        };
        let l = &self.label;
        match &self.op {
            Op::Equals(v) => format!("{l}应为{}", show(self.ty, v)),
            Op::Ne(v) => format!("{l}不应为{}", show(self.ty, v)),
            Op::In(vs) => format!("{l}应为{}之一", list(vs)),
            Op::NotIn(vs) => format!("{l}不应为{}", list(vs)),
            Op::Gt(v) => format!("{l}应大于{}", show(self.ty, v)),
            Op::Gte(v) => format!("{l}应不少于{}", show(self.ty, v)),
            Op::Lt(v) => format!("{l}应小于{}", show(self.ty, v)),
            Op::Lte(v) => format!("{l}应不超过{}", show(self.ty, v)),
            Op::Exists(true) => format!("{l}应填写"),
            Op::Exists(false) => format!("{l}应不填写"),
            Op::Contains(t) => format!("{l}应包含{t}"),
            Op::ContainsAll(ts) => format!("{l}应包含{}", ts.join("、")),
        }
    }
}

/// Every bound of a predicate moved one step down and up, each as (description, predicate):
/// integers by 1, other numbers by a tenth, percentages by 10 points, dates by a month.
pub fn mutants(predicate: &Predicate) -> Vec<(String, Predicate)> {
    let mut out = Vec::new();
    for (field, cond) in predicate {
        let Condition::Ops(ops) = cond else { continue };
        for (op, operand) in ops.given() {
            if !matches!(op, "gt" | "gte" | "lt" | "lte") {
                continue;
            }
            let Some(operand) = operand else { continue };
            for (from, to, moved) in operand_steps(operand) {
                let mut changed = predicate.clone();
                if let Some(Condition::Ops(ops)) = changed.get_mut(field) {
                    ops.set(op, moved);
                }
                out.push((format!("{field} {op} {from} → {to}"), changed));
            }
        }
    }
    out
}

/// An operand moved one step down and up: (old text, new text, new operand).
fn operand_steps(operand: &Operand) -> Vec<(String, String, Operand)> {
    let mut out = Vec::new();
    match operand {
        Operand::One(Literal::Int(v)) => {
            for new in [v.saturating_sub(1), v.saturating_add(1)] {
                out.push((
                    v.to_string(),
                    new.to_string(),
                    Operand::One(Literal::Int(new)),
                ));
            }
        }
        Operand::One(Literal::Float(x)) => {
            let step = if *x == 0.0 { 0.1 } else { x.abs() / 10.0 };
            for new in [x - step, x + step] {
                out.push((
                    x.to_string(),
                    new.to_string(),
                    Operand::One(Literal::Float(new)),
                ));
            }
        }
        Operand::One(Literal::Str(s)) => {
            if let Some(p) = Percent::parse(s) {
                for new in [p.0 - 0.1, p.0 + 0.1] {
                    let text = Percent(new).to_string();
                    out.push((s.clone(), text.clone(), Operand::One(Literal::Str(text))));
                }
            } else if let Some(date) = crate::text::parse_date(s) {
                for months in [-1, 1] {
                    if let Ok(new) = date.checked_add(jiff::Span::new().months(months)) {
                        let text = new.to_string();
                        out.push((s.clone(), text.clone(), Operand::One(Literal::Str(text))));
                    }
                }
            }
        }
        Operand::InYear {
            month,
            day,
            year_offset,
        } => {
            for shift in [-1, 1] {
                let (m, y) = super::deadline::shift_month(*month, *year_offset, shift);
                out.push((
                    format!("month {month}"),
                    format!("month {m}"),
                    Operand::InYear {
                        month: m,
                        day: *day,
                        year_offset: y,
                    },
                ));
            }
        }
        _ => {}
    }
    out
}

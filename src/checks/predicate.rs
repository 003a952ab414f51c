//! Conditions (`where`, `require`, `applies_if`, `fact`): how a pack writes them, the
//! operators and the field types each applies to, their validation, their compilation against
//! the dictionary (field names resolved to slots once, literals converted to the field's type
//! once), their evaluation row after row, and the bounds the mutation test moves.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::diag::{Code, Target, did_you_mean};
use crate::pack::validate::{Fields, Validator, a_type};
use crate::pack::{DataDict, Field, FieldType, Origin, Percent};
use crate::submission::Value;

/// Field name -> condition; every condition must hold.
pub type Predicate = IndexMap<String, Condition>;

/// A condition on one field.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Condition {
    /// `{stage: [小学, 初中]}`: one of.
    OneOf(Vec<Literal>),
    /// `{legal_vp: true}`: equals.
    Equals(Literal),
    /// `{hours: {gte: 8}}`.
    Ops(Box<Ops>),
}

/// The right-hand side of an operator.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Operand {
    Set {
        set: String,
    },
    /// A date in the assessment year: `{month: 1, day: 1}` (plus `year_offset`).
    InYear {
        month: u8,
        day: u8,
        #[serde(default)]
        year_offset: i32,
    },
    List(Vec<Literal>),
    One(Literal),
}

/// A scalar written in a pack.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Literal {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl std::fmt::Display for Literal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => write!(f, "{x}"),
            Literal::Str(s) => f.write_str(s),
        }
    }
}

/// What an operator takes: one value, a list (or a set), or a flag (`exists: true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    One,
    Many,
    Flag,
}

/// An operand as written: a value, a list or a set; `exists` takes a flag instead.
pub trait Written {
    fn operand(&self) -> Option<&Operand>;
}

impl Written for Operand {
    fn operand(&self) -> Option<&Operand> {
        Some(self)
    }
}

impl Written for bool {
    fn operand(&self) -> Option<&Operand> {
        None
    }
}

/// Declares every operator once: the field of [`Ops`] a pack writes it in, its key, what it
/// takes, and the field types it applies to.
macro_rules! operators {
    ($($(#[$doc:meta])* $variant:ident $field:ident = $name:literal: $operand:ty, $arity:ident, $applies:expr;)*) => {
        /// Operators of a condition; all given ones must hold.
        #[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
        pub struct Ops {
            $($(#[$doc])*
            #[serde(default, rename = $name, skip_serializing_if = "Option::is_none")]
            pub $field: Option<$operand>,)*
        }

        /// An operator of a condition.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Operator {
            $($variant,)*
        }

        impl Operator {
            /// The key a pack writes it with.
            pub fn name(self) -> &'static str {
                match self {
                    $(Operator::$variant => $name,)*
                }
            }

            /// What it takes.
            pub fn arity(self) -> Arity {
                match self {
                    $(Operator::$variant => Arity::$arity,)*
                }
            }

            /// Whether it applies to a field of this type.
            pub fn applies_to(self, ty: FieldType) -> bool {
                let applies: fn(FieldType) -> bool = match self {
                    $(Operator::$variant => $applies,)*
                };
                applies(ty)
            }
        }

        impl Ops {
            /// The operators given, in declaration order, with their operands (`exists` has
            /// none).
            pub fn given(&self) -> Vec<(Operator, Option<&Operand>)> {
                let mut out = Vec::new();
                $(if let Some(o) = &self.$field {
                    out.push((Operator::$variant, Written::operand(o)));
                })*
                out
            }
        }
    };
}

operators! {
    Equals equals = "equals": Operand, One, |ty| ty != FieldType::List;
    Ne ne = "ne": Operand, One, |ty| ty != FieldType::List;
    In r#in = "in": Operand, Many, |ty| !matches!(ty, FieldType::List | FieldType::Boolean);
    NotIn not_in = "not_in": Operand, Many, |ty| !matches!(ty, FieldType::List | FieldType::Boolean);
    Gt gt = "gt": Operand, One, |ty| ty.is_numeric() || ty == FieldType::Date;
    Gte gte = "gte": Operand, One, |ty| ty.is_numeric() || ty == FieldType::Date;
    Lt lt = "lt": Operand, One, |ty| ty.is_numeric() || ty == FieldType::Date;
    Lte lte = "lte": Operand, One, |ty| ty.is_numeric() || ty == FieldType::Date;
    Exists exists = "exists": bool, Flag, |_| true;
    Contains contains = "contains": Operand, One, |ty| ty == FieldType::List;
    ContainsAll contains_all = "contains_all": Operand, Many, |ty| ty == FieldType::List;
}

impl Ops {
    /// Sets a comparison operator's operand (`gt`, `gte`, `lt`, `lte`; others are ignored).
    pub fn set(&mut self, op: Operator, operand: Operand) {
        let slot = match op {
            Operator::Gt => &mut self.gt,
            Operator::Gte => &mut self.gte,
            Operator::Lt => &mut self.lt,
            Operator::Lte => &mut self.lte,
            _ => return,
        };
        *slot = Some(operand);
    }
}

impl<'a> Validator<'a> {
    pub(crate) fn predicate(&mut self, p: &'a Predicate, scope: Fields<'a>, at: &Origin) {
        for (name, cond) in p {
            let cond_at = at.join(name);
            let Some(field) = self.lookup(scope, name, &cond_at, Target::Key) else {
                continue;
            };
            match cond {
                Condition::Equals(lit) => self.equals_literal(name, field, lit, &cond_at),
                Condition::OneOf(list) => {
                    if !self.op_allowed(name, field, Operator::In, &cond_at, true) {
                        continue;
                    }
                    for (i, lit) in list.iter().enumerate() {
                        self.literal(name, field, lit, &cond_at.join(i));
                    }
                }
                Condition::Ops(ops) => {
                    for (op, operand) in ops.given() {
                        let op_at = cond_at.join(op.name());
                        if !self.op_allowed(name, field, op, &op_at, false) {
                            continue;
                        }
                        if let Some(operand) = operand {
                            self.operand(name, field, op, operand, &op_at);
                        }
                    }
                }
            }
        }
    }

    /// Whether operator `op` applies to a field of this type (reporting it when not).
    /// `one_of` marks a list written as the condition itself (`{stage: [小学, 初中]}`).
    fn op_allowed(
        &mut self,
        name: &str,
        field: &Field,
        op: Operator,
        at: &Origin,
        one_of: bool,
    ) -> bool {
        let ok = op.applies_to(field.ty);
        if !ok {
            let what = if one_of {
                "a list of values (one of)".to_string()
            } else {
                format!("`{}`", op.name())
            };
            let message = format!(
                "{what} does not apply to `{name}`, {} field",
                a_type(field.ty)
            );
            let target = if one_of { Target::Value } else { Target::Key };
            let d = self.error(Code::TypeMismatch, at, target, message);
            let help = match field.ty {
                FieldType::List => "a list field takes `contains`, `contains_all` or `exists`",
                FieldType::Boolean => {
                    "a boolean field takes `true` or `false` (or `equals`, `ne`, `exists`)"
                }
                FieldType::Enum | FieldType::String => {
                    "this field takes a value, a list of values (one of), `equals`, `ne`, `in`, `not_in` or `exists`"
                }
                _ => {
                    "this field takes a value, comparisons (`gt`, `gte`, `lt`, `lte`), `in`, `not_in` or `exists`"
                }
            };
            Self::help(d, help);
        }
        ok
    }

    fn equals_literal(&mut self, name: &str, field: &Field, lit: &Literal, at: &Origin) {
        if field.ty == FieldType::List {
            let message =
                format!("`{name}` is a list; compare it with `contains` or `contains_all`");
            self.error(Code::TypeMismatch, at, Target::Value, message);
            return;
        }
        self.literal(name, field, lit, at);
    }

    fn operand(&mut self, name: &str, field: &Field, op: Operator, operand: &Operand, at: &Origin) {
        let many = op.arity() == Arity::Many;
        match operand {
            Operand::One(lit) if !many => self.literal(name, field, lit, at),
            Operand::InYear { month, day, .. } if !many => {
                if field.ty != FieldType::Date {
                    let message = format!(
                        "`{name}` is {}, but it is compared with a date in the assessment year",
                        a_type(field.ty)
                    );
                    self.error(Code::TypeMismatch, at, Target::Value, message);
                } else if jiff::civil::Date::new(2024, *month as i8, *day as i8).is_err() {
                    let message = format!("month {month} has no day {day}");
                    self.error(Code::InvalidDate, &at.join("day"), Target::Value, message);
                }
            }
            Operand::List(list) if many => {
                for (i, lit) in list.iter().enumerate() {
                    self.literal(name, field, lit, &at.join(i));
                }
            }
            Operand::Set { set } if many => {
                let Some(values) = self.pack.sets.get(set) else {
                    let pack = self.pack;
                    let d = self.error(
                        Code::UnknownSet,
                        &at.join("set"),
                        Target::Value,
                        format!("set `{set}` is not defined under `sets`"),
                    );
                    Self::suggest(d, set, pack.sets.keys().map(String::as_str));
                    return;
                };
                for (j, member) in values.members.iter().enumerate() {
                    if !field.values.is_empty() && !field.values.contains(member) {
                        let member_at = match self.prov.sets.get(set) {
                            Some(o) => o.join("members").join(j),
                            None => at.clone(),
                        };
                        let message =
                            format!("set `{set}` has `{member}`, which is not a value of `{name}`");
                        let used = self.loc(at, Target::Value);
                        let d = self.error(Code::UnknownValue, &member_at, Target::Value, message);
                        d.related.push(crate::diag::Related {
                            location: used,
                            message: format!("the set is compared with `{name}` here"),
                        });
                        match did_you_mean(member, field.values.iter().map(String::as_str)) {
                            Some(v) => Self::help(d, format!("did you mean `{v}`?")),
                            None => Self::help(
                                d,
                                format!("`{name}` takes: {}", field.values.join(", ")),
                            ),
                        }
                    }
                }
            }
            _ if many => {
                let d = self.error(
                    Code::TypeMismatch,
                    at,
                    Target::Value,
                    format!("`{}` takes a list of values", op.name()),
                );
                Self::help(d, "write `[a, b]` or `{set: NAME}`");
            }
            _ => {
                self.error(
                    Code::TypeMismatch,
                    at,
                    Target::Value,
                    format!("`{}` takes one value, not a list", op.name()),
                );
            }
        }
    }

    /// A literal compared with a field: of its type, and among its values for enums.
    fn literal(&mut self, name: &str, field: &Field, lit: &Literal, at: &Origin) {
        let ok = match (field.ty, lit) {
            (FieldType::Boolean, Literal::Bool(_)) => true,
            (FieldType::Integer, Literal::Int(_)) => true,
            (FieldType::Number, Literal::Int(_) | Literal::Float(_)) => true,
            (FieldType::Percent, Literal::Str(s)) => Percent::parse(s).is_some(),
            (FieldType::Percent, Literal::Int(_) | Literal::Float(_)) => true,
            (FieldType::Date, Literal::Str(s)) => {
                if crate::text::parse_date(s).is_none() {
                    self.error(
                        Code::InvalidDate,
                        at,
                        Target::Value,
                        format!("`{s}` is not a date `YYYY-MM-DD` that exists"),
                    );
                    return;
                }
                true
            }
            (FieldType::String, Literal::Str(_)) => true,
            (FieldType::Enum | FieldType::List, Literal::Str(s)) => {
                if !field.values.contains(s) {
                    let message = format!("`{s}` is not a value of `{name}`");
                    let d = self.error(Code::UnknownValue, at, Target::Value, message);
                    match did_you_mean(s, field.values.iter().map(String::as_str)) {
                        Some(v) => Self::help(d, format!("did you mean `{v}`?")),
                        None => {
                            Self::help(d, format!("`{name}` takes: {}", field.values.join(", ")))
                        }
                    }
                    return;
                }
                true
            }
            _ => false,
        };
        if !ok {
            let found = match lit {
                Literal::Bool(b) => format!("boolean `{b}`"),
                Literal::Int(i) => format!("integer `{i}`"),
                Literal::Float(x) => format!("number `{x}`"),
                Literal::Str(s) => format!("string `{s}`"),
            };
            let message = format!(
                "`{name}` is {} field, but it is compared with {found}",
                a_type(field.ty)
            );
            self.error(Code::TypeMismatch, at, Target::Value, message);
        }
    }
}

/// A predicate ready to run over rows (or the facts) of one scope.
#[derive(Debug, Clone)]
pub struct Compiled {
    conds: Vec<Cond>,
}

#[derive(Debug, Clone)]
struct Cond {
    slot: usize,
    described: Described,
}

/// A compiled condition as a report describes it: the field's label and type, and the test.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    pub label: String,
    pub ty: FieldType,
    pub test: Test,
}

/// What a compiled condition tests, with its operands in the field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
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
    /// It does not hold.
    Fails(Miss),
    /// The value is not given.
    Missing(Miss),
}

/// What a row (or the facts, or an item) misses, typed; the report layer writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Miss {
    /// A condition does not hold; the value there, when it has one.
    Unmet {
        cond: Described,
        actual: Option<Value>,
    },
    /// A list lacks values a condition requires.
    Lacks { label: String, lacking: Vec<String> },
    /// A field (fact or column) has no value.
    NoValue { label: String },
    /// A register the submission does not give.
    NoRegister { label: String },
    /// A date off its due date.
    Date {
        label: String,
        shortfall: super::Shortfall,
    },
    /// What a part of `all` or `any` misses.
    InPart {
        part: super::PartName,
        miss: Box<Miss>,
    },
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
            let mk = |test| Cond {
                slot,
                described: Described {
                    label: field.label.clone(),
                    ty: field.ty,
                    test,
                },
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
                Condition::Equals(lit) => conds.extend(one(lit).map(|v| mk(Test::Equals(v)))),
                Condition::OneOf(list) => {
                    conds.push(mk(Test::In(list.iter().filter_map(one).collect())))
                }
                Condition::Ops(ops) => {
                    for (op, operand) in ops.given() {
                        let compiled = match (op, operand) {
                            (Operator::Exists, _) => Some(Test::Exists(ops.exists.unwrap_or(true))),
                            (_, None) => None,
                            (Operator::Equals, Some(o)) => single(o).map(Test::Equals),
                            (Operator::Ne, Some(o)) => single(o).map(Test::Ne),
                            (Operator::In, Some(o)) => Some(Test::In(many(o))),
                            (Operator::NotIn, Some(o)) => Some(Test::NotIn(many(o))),
                            (Operator::Gt, Some(o)) => single(o).map(Test::Gt),
                            (Operator::Gte, Some(o)) => single(o).map(Test::Gte),
                            (Operator::Lt, Some(o)) => single(o).map(Test::Lt),
                            (Operator::Lte, Some(o)) => single(o).map(Test::Lte),
                            (Operator::Contains, Some(o)) => {
                                for v in many(o) {
                                    if let Value::Text(t) = v {
                                        conds.push(mk(Test::Contains(t)));
                                    }
                                }
                                None
                            }
                            (Operator::ContainsAll, Some(o)) => Some(Test::ContainsAll(
                                many(o)
                                    .into_iter()
                                    .filter_map(|v| match v {
                                        Value::Text(t) => Some(t),
                                        _ => None,
                                    })
                                    .collect(),
                            )),
                        };
                        conds.extend(compiled.map(mk));
                    }
                }
            }
        }
        Compiled { conds }
    }

    /// Whether every condition holds; a missing value makes a condition fail.
    pub fn holds(&self, row: &[Option<Value>]) -> bool {
        self.conds.iter().all(|c| c.check(row) == Judged::Holds)
    }

    /// When the row fails the predicate only for want of values (no condition fails
    /// outright): the label of the first value it lacks.
    pub fn only_missing(&self, row: &[Option<Value>]) -> Option<&str> {
        let mut first = None;
        for c in &self.conds {
            match c.check(row) {
                Judged::Holds => {}
                Judged::Fails => return None,
                Judged::Missing => {
                    first.get_or_insert(c.described.label.as_str());
                }
            }
        }
        first
    }

    /// Every condition's verdict that is not `Holds`.
    pub fn misses(&self, row: &[Option<Value>]) -> Vec<Verdict> {
        self.conds
            .iter()
            .map(|c| c.eval(row))
            .filter(|v| *v != Verdict::Holds)
            .collect()
    }

    /// Each condition, for a report to describe.
    pub fn describe_each(&self) -> Vec<Described> {
        self.conds.iter().map(|c| c.described.clone()).collect()
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
        // A bare number in a pack reads as a submission with both bare forms would.
        (FieldType::Percent, Literal::Int(i)) => {
            Value::Number(crate::text::bare_percent(*i as f64, true, true).ok()?)
        }
        (FieldType::Percent, Literal::Float(x)) => {
            Value::Number(crate::text::bare_percent(*x, true, true).ok()?)
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

impl Cond {
    /// Whether the condition holds of a row, fails, or cannot be judged for want of its
    /// value; nothing is built.
    fn check(&self, row: &[Option<Value>]) -> Judged {
        let d = &self.described;
        let value = row.get(self.slot).and_then(Option::as_ref);
        if let Test::Exists(want) = &d.test {
            return if value.is_some() == *want {
                Judged::Holds
            } else {
                Judged::Fails
            };
        }
        let Some(value) = value else {
            return Judged::Missing;
        };
        let holds = match &d.test {
            Test::Equals(v) => same(value, v),
            Test::Ne(v) => !same(value, v),
            Test::In(vs) => vs.iter().any(|v| same(value, v)),
            Test::NotIn(vs) => !vs.iter().any(|v| same(value, v)),
            Test::Gt(v) => cmp(value, v).is_some_and(|o| o.is_gt()),
            Test::Gte(v) => cmp(value, v).is_some_and(|o| o.is_ge()),
            Test::Lt(v) => cmp(value, v).is_some_and(|o| o.is_lt()),
            Test::Lte(v) => cmp(value, v).is_some_and(|o| o.is_le()),
            Test::Exists(_) => true,
            Test::Contains(t) => matches!(value, Value::List(items) if items.contains(t)),
            Test::ContainsAll(ts) => match value {
                Value::List(items) => ts.iter().all(|t| items.contains(t)),
                _ => false,
            },
        };
        if holds { Judged::Holds } else { Judged::Fails }
    }

    fn eval(&self, row: &[Option<Value>]) -> Verdict {
        let d = &self.described;
        let value = row.get(self.slot).and_then(Option::as_ref);
        match self.check(row) {
            Judged::Holds => Verdict::Holds,
            Judged::Missing => Verdict::Missing(Miss::NoValue {
                label: d.label.clone(),
            }),
            Judged::Fails => Verdict::Fails(match (&d.test, value) {
                (Test::Exists(_), _) => Miss::Unmet {
                    cond: d.clone(),
                    actual: None,
                },
                (Test::ContainsAll(ts), Some(Value::List(items))) => Miss::Lacks {
                    label: d.label.clone(),
                    lacking: ts.iter().filter(|t| !items.contains(t)).cloned().collect(),
                },
                _ => Miss::Unmet {
                    cond: d.clone(),
                    actual: value.cloned(),
                },
            }),
        }
    }
}

/// A condition's verdict on a row, without the description of a miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Judged {
    Holds,
    Fails,
    Missing,
}

/// Every bound of a predicate moved one step down and up, each as (description, predicate):
/// integers by 1, other numbers by a tenth, percentages by 10 points, dates by a month.
pub fn mutants(predicate: &Predicate) -> Vec<(String, Predicate)> {
    let mut out = Vec::new();
    for (field, cond) in predicate {
        let Condition::Ops(ops) = cond else { continue };
        for (op, operand) in ops.given() {
            if !matches!(
                op,
                Operator::Gt | Operator::Gte | Operator::Lt | Operator::Lte
            ) {
                continue;
            }
            let Some(operand) = operand else { continue };
            for (from, to, moved) in operand_steps(operand) {
                let mut changed = predicate.clone();
                if let Some(Condition::Ops(ops)) = changed.get_mut(field) {
                    ops.set(op, moved);
                }
                out.push((format!("{field} {} {from} → {to}", op.name()), changed));
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

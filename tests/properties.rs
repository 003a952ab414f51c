//! Property tests of the scoring invariants, over submissions made from a compliant one by
//! breaking a random subset of its values (a boolean flipped, a count or numerator lowered, a
//! denominator raised, a date moved, members taken out of a list, an enum changed, a value,
//! document or register deleted) and copying random rows:
//!
//! 1. every item's points lie in [0, its points], and a `per_unit` deduction stays within its
//!    `cap` (when the item has data, or is scored over the parts of `all`: otherwise missing
//!    data scores 0);
//! 2. the base, bonus and score (and each section's subtotal) are what the item outcomes add
//!    up to, to 0.01;
//! 3. restoring one broken value to its compliant value never lowers an item's points or the
//!    score, and never adds a veto. Restorations that move rows in or out of a check's scope
//!    are left out, and restoring a fact an `applies_if` reads is held to the items' points
//!    only (see [`Reads::cell_restorable`] and [`Reads::fact_restorable`] for why);
//! 4. the same submission gives the same JSON bytes.
//!
//! A schedule item's clauses each deduct within their cap, and the item loses their sum, at
//! most its points; a banded item earns the points of the first band its measured value
//! reaches, or 0 (invariant 1).
//!
//! Six packs: `tests/engine/schedule` (deduction schedules) with its tests' `compliant.yaml`;
//! `tests/engine/pack` (every check kind but `compare`, every deduction style) with
//! `tests/engine/subs/compliant.yaml`; `tests/engine/per-unit-all` (items scored `per_unit`
//! over an `all` check, where a part whose data is missing counts as a failing unit) with its
//! tests' `compliant.yaml`; `tests/periods` (counts per quarter and semester, and in a window)
//! and `tests/stated` (stated figures beside registers), each with its tests'
//! `fixtures/compliant.yaml`; and the shipped `rules/edu-rule-of-law` with
//! `fixtures/compliant/submission.yaml`, its `schools.csv` read in as inline rows. 128 cases
//! per property, 96 on the shipped pack. Rows and the numbers of a ratio replace stated
//! figures, so restoring a register or a ratio's numbers where the check has stated figures
//! is held to bounds and totals only.
//!
//! Runs are reproducible: a fixed seed and no persistence file, so every run tries the same
//! cases, and a failure prints its shrunk input as the broken values by JSON pointer.
//! `PROPTEST_RNG_SEED=<n>` and `PROPTEST_CASES=<n>` explore beyond them.

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use kaohe::assess::{Assessment, Options, assess, pack_digest};
use kaohe::checks::{Check, Kind};
use kaohe::pack::{Condition, Deduct, FieldType, ItemKind, Literal, Pack, PercentForm};
use kaohe::score::Status;
use proptest::option::weighted;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{RngSeed, TestCaseError};
use serde_json::{Map, Value, json};

/// The seed every run starts from.
const SEED: u64 = 0x6b61_6f68_6520;

/// A fixed number of cases from a fixed seed, unless `PROPTEST_CASES` or `PROPTEST_RNG_SEED`
/// says otherwise; no persistence file.
fn config(cases: u32) -> ProptestConfig {
    let env = ProptestConfig::default();
    let set = |name: &str| std::env::var_os(name).is_some();
    ProptestConfig {
        cases: if set("PROPTEST_CASES") {
            env.cases
        } else {
            cases
        },
        rng_seed: if set("PROPTEST_RNG_SEED") {
            env.rng_seed
        } else {
            RngSeed::Fixed(SEED)
        },
        failure_persistence: None,
        // Enough to take every irrelevant broken value out of a failing case.
        max_shrink_iters: 20_000,
        ..env
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A pack, its compliant submission as JSON, and the values a case may break.
struct Target {
    pack: Pack,
    digest: String,
    compliant: Value,
    /// Registers last: a deleted register takes its broken cells with it.
    slots: Vec<Slot>,
    /// By slot: `None` when restoring it may lower a score, else whether it must not lower
    /// the score as well as every item's points (see [`Reads::fact_restorable`]).
    restorable: Vec<Option<bool>>,
    /// By item (those that read one): the restorable slots it reads.
    focus: Vec<Vec<usize>>,
    /// Registers whose rows a case may copy: name, compliant rows, key column.
    tables: Vec<(String, usize, String)>,
}

fn engine() -> &'static Target {
    static T: OnceLock<Target> = OnceLock::new();
    T.get_or_init(|| Target::load("tests/engine/pack", "tests/engine/subs/compliant.yaml"))
}

fn per_unit_all() -> &'static Target {
    static T: OnceLock<Target> = OnceLock::new();
    T.get_or_init(|| {
        Target::load(
            "tests/engine/per-unit-all",
            "tests/engine/per-unit-all/tests/fixtures/compliant.yaml",
        )
    })
}

fn schedule() -> &'static Target {
    static T: OnceLock<Target> = OnceLock::new();
    T.get_or_init(|| {
        Target::load(
            "tests/engine/schedule",
            "tests/engine/schedule/tests/fixtures/compliant.yaml",
        )
    })
}

fn periods() -> &'static Target {
    static T: OnceLock<Target> = OnceLock::new();
    T.get_or_init(|| {
        Target::load(
            "tests/periods",
            "tests/periods/tests/fixtures/compliant.yaml",
        )
    })
}

fn stated() -> &'static Target {
    static T: OnceLock<Target> = OnceLock::new();
    T.get_or_init(|| Target::load("tests/stated", "tests/stated/tests/fixtures/compliant.yaml"))
}

fn shipped() -> &'static Target {
    static T: OnceLock<Target> = OnceLock::new();
    T.get_or_init(|| {
        Target::load(
            "rules/edu-rule-of-law",
            "fixtures/compliant/submission.yaml",
        )
    })
}

/// Where a value sits in a submission.
#[derive(Debug, Clone, PartialEq)]
enum Place {
    Fact(String),
    Cell {
        register: String,
        row: usize,
        column: String,
    },
    Evidence(String),
    Register(String),
}

/// Any row of a column, in what a check reads.
const ANY_ROW: usize = usize::MAX;

impl Place {
    /// Whether this place, as a check reads it, takes in `slot`.
    fn covers(&self, slot: &Place) -> bool {
        match (self, slot) {
            (
                Place::Cell {
                    register: r,
                    column: c,
                    ..
                },
                Place::Cell {
                    register, column, ..
                },
            ) => r == register && c == column,
            _ => self == slot,
        }
    }

    fn pointer(&self) -> String {
        match self {
            Place::Fact(f) => format!("/facts/{f}"),
            Place::Cell {
                register,
                row,
                column,
            } => format!("/registers/{register}/{row}/{column}"),
            Place::Evidence(e) => format!("/evidence/{e}"),
            Place::Register(r) => format!("/registers/{r}"),
        }
    }
}

/// How a value is made worse.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Worse {
    /// A boolean set to the opposite of its compliant value.
    Flip,
    /// A number lowered: counts, ratio numerators, percentages.
    Lower,
    /// A number raised: ratio denominators.
    Raise,
    /// A date moved 1 to 400 days, earlier or later.
    Shift,
    /// Members taken out of a list.
    Drop,
    /// Another of the field's values, or deleted: enums. A restoration breaks it by deleting
    /// it only: another value is not worse in general (a school's 学段, a 示范校 level).
    Replace,
    /// Deleted and nothing else: text, documents, registers.
    Delete,
}

/// One value of the compliant submission that a case may break.
struct Slot {
    place: Place,
    compliant: Value,
    ty: Option<FieldType>,
    accept: Vec<PercentForm>,
    /// An enum's values.
    values: Vec<String>,
    worse: Worse,
    /// Whether the submission stays valid without it: every fact and register may be left
    /// out (missing data); a column, unless the dictionary marks it required.
    deletable: bool,
}

impl Slot {
    /// The broken value `seed` picks; `None` deletes the value.
    fn broken(&self, seed: u32) -> Option<Value> {
        if self.deletable && (self.worse == Worse::Delete || seed.is_multiple_of(4)) {
            return None;
        }
        let s = u64::from(seed / 4);
        let v = &self.compliant;
        let changed = match (self.worse, self.ty) {
            (Worse::Flip, _) => v.as_bool().map(|b| json!(!b)),
            (Worse::Lower, Some(FieldType::Integer)) => {
                v.as_u64().filter(|&n| n > 0).map(|n| json!(s % n))
            }
            (Worse::Raise, Some(FieldType::Integer)) => {
                v.as_u64().map(|n| json!(n + 1 + s % (n + 3)))
            }
            (Worse::Lower, Some(FieldType::Percent)) => percent(v)
                .filter(|&x| x > 0.0)
                .map(|x| self.percent_value(x * (s % 100) as f64 / 100.0)),
            (Worse::Raise, Some(FieldType::Percent)) => {
                percent(v).map(|x| self.percent_value(x + (1 + s % 100) as f64 / 100.0))
            }
            (Worse::Lower, _) => v
                .as_f64()
                .filter(|&x| x > 0.0)
                .map(|x| json!(x * (s % 100) as f64 / 100.0)),
            (Worse::Raise, _) => v.as_f64().map(|x| json!(x + 1.0 + (s % 100) as f64)),
            (Worse::Shift, _) => v.as_str().and_then(|d| {
                let date: jiff::civil::Date = d.parse().ok()?;
                let days = 1 + (s / 2 % 400) as i64;
                let days = if s % 2 == 0 { days } else { -days };
                Some(json!(
                    date.checked_add(jiff::Span::new().days(days))
                        .ok()?
                        .to_string()
                ))
            }),
            (Worse::Drop, _) => v.as_array().filter(|l| !l.is_empty()).map(|list| {
                let mut kept: Vec<Value> = list
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| (s >> (i % 60)) & 1 == 1)
                    .map(|(_, m)| m.clone())
                    .collect();
                if kept.len() == list.len() {
                    kept.remove((s % list.len() as u64) as usize);
                }
                Value::Array(kept)
            }),
            (Worse::Replace, _) => {
                let others: Vec<&String> = self
                    .values
                    .iter()
                    .filter(|x| v.as_str() != Some(x))
                    .collect();
                (!others.is_empty()).then(|| json!(others[(s % others.len() as u64) as usize]))
            }
            (Worse::Delete, _) => None,
        };
        match changed {
            Some(c) => Some(c),
            // Nothing lower than 0, no members to take out: delete it where that is valid.
            None if self.deletable => None,
            None => Some(v.clone()),
        }
    }

    /// A share written in a form the field accepts.
    fn percent_value(&self, x: f64) -> Value {
        let x = (x * 1000.0).round() / 1000.0;
        if self.accept.is_empty() || self.accept.contains(&PercentForm::Percent) {
            json!(format!("{}%", (x * 1000.0).round() / 10.0))
        } else if self.accept.contains(&PercentForm::Fraction) {
            json!(x)
        } else {
            json!((x * 1000.0).round() / 10.0)
        }
    }
}

/// A percent value as a fraction: `95%`, `0.95` or `95`.
fn percent(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => Some(s.trim().strip_suffix('%')?.trim().parse::<f64>().ok()? / 100.0),
        Value::Number(n) => {
            let x = n.as_f64()?;
            Some(if x > 1.0 { x / 100.0 } else { x })
        }
        _ => None,
    }
}

/// What the pack's checks read, for deciding which restorations must not lower a score.
#[derive(Default)]
struct Reads {
    /// Facts an `applies_if` reads.
    applies_if: HashSet<String>,
    numerators: HashSet<String>,
    denominators: HashSet<String>,
    /// Facts read where a better value need not score better: under a `not`, or by `compare`.
    facts_unsafe: HashSet<String>,
    evidence_unsafe: HashSet<String>,
    /// (register, column): decides which rows a requirement covers (the `where` of
    /// `coverage`, `each` and a register `deadline`), or is read under a `not`.
    scope: HashSet<(String, String)>,
    /// The `where` of a register `count`, and whether counting more rows is worse (under a
    /// `not`, or a `max` with no `min`).
    counts: Vec<(String, kaohe::pack::Predicate, bool)>,
    /// Registers a check may score from stated figures instead of rows.
    stated: HashSet<String>,
}

impl Reads {
    fn of(pack: &Pack) -> Reads {
        let mut r = Reads::default();
        for item in &pack.items {
            if let Some(p) = &item.applies_if {
                r.applies_if.extend(p.keys().cloned());
            }
            r.check(&item.check, false);
        }
        r
    }

    /// A stated total is a denominator; the register's rows replace the stated figures, so
    /// restoring a deleted register may score less than the figures did.
    fn stated_of(&mut self, of: &str, stated: Option<&kaohe::checks::stated::Stated>) {
        let Some(stated) = stated else { return };
        self.stated.insert(of.to_string());
        self.denominators.extend(stated.total.iter().cloned());
    }

    fn scope_of(&mut self, of: &str, p: Option<&kaohe::pack::Predicate>) {
        for column in p.into_iter().flat_map(|p| p.keys()) {
            self.scope.insert((of.to_string(), column.clone()));
        }
    }

    fn check(&mut self, check: &Check, negated: bool) {
        match &check.kind {
            Kind::Fact(f) => {
                if negated {
                    self.facts_unsafe.extend(f.0.keys().cloned());
                }
            }
            Kind::Coverage(c) => {
                self.scope_of(&c.of, c.r#where.as_ref());
                if negated {
                    self.scope_of(&c.of, Some(&c.require));
                }
                self.stated_of(&c.of, c.stated.as_ref());
            }
            Kind::Each(c) => {
                self.scope_of(&c.of, c.r#where.as_ref());
                if negated {
                    self.scope_of(&c.of, Some(&c.require));
                }
                self.stated_of(&c.of, c.stated.as_ref());
            }
            Kind::Count(c) => match (&c.of, &c.fact) {
                (Some(of), _) => {
                    self.stated_of(of, c.stated.as_ref());
                    if let Some(w) = &c.r#where {
                        if c.min.is_some() && c.max.is_some() {
                            // Within bounds: more rows may be better or worse.
                            self.scope_of(of, Some(w));
                        } else {
                            let worse = negated != (c.max.is_some() && c.min.is_none());
                            self.counts.push((of.clone(), w.clone(), worse));
                        }
                    }
                }
                (None, Some(fact)) => {
                    if negated {
                        self.facts_unsafe.insert(fact.clone());
                    }
                }
                (None, None) => {}
            },
            Kind::Ratio(x) => {
                self.numerators.insert(x.numerator.clone());
                self.denominators.insert(x.denominator.clone());
                // Numerator and denominator replace a stated rate: restoring either may score
                // less than the rate did.
                if negated || x.stated.is_some() {
                    self.facts_unsafe.insert(x.numerator.clone());
                    self.facts_unsafe.insert(x.denominator.clone());
                }
            }
            Kind::Deadline(d) => match &d.of {
                Some(of) => {
                    self.scope_of(of, d.r#where.as_ref());
                    if negated {
                        self.scope.insert((of.clone(), d.field.clone()));
                    }
                }
                None => {
                    if negated {
                        self.facts_unsafe.insert(d.field.clone());
                    }
                }
            },
            Kind::Evidence(e) => {
                if negated {
                    self.evidence_unsafe.extend(e.0.iter().cloned());
                }
            }
            Kind::Compare(c) => {
                // Neither pack compares facts; which side is better depends on `op`, so
                // comparisons are left out of the restorations.
                self.facts_unsafe.insert(c.fact.clone());
                self.facts_unsafe.extend(c.to.iter().cloned());
            }
            Kind::All(parts) => {
                for p in &parts.0 {
                    self.check(p, negated);
                }
            }
            Kind::Any(parts) => {
                for p in &parts.0 {
                    self.check(p, negated);
                }
            }
            Kind::Not(inner) => self.check(&inner.0, !negated),
        }
    }

    /// Whether restoring a fact to its compliant value must not lower an item's points
    /// (`Some`), and the score too (`Some(true)`).
    ///
    /// Not a ratio denominator whose compliant value is 0 (restoring it makes the ratio not
    /// applicable), nor a fact that is a numerator in one ratio and a denominator in another.
    ///
    /// A fact an `applies_if` reads keeps every item's points from falling, but not the
    /// score: restoring it can make an item apply that did not, which puts its points back in
    /// the denominator (`not_applicable: exclude`), and when the item earns less than the
    /// average share the score legitimately falls (ENF-03 when `lawsuits_total` goes from 0
    /// back to 2 with an unexecuted judgment: 100 → 98). So the score is compared only for
    /// restorations of facts no `applies_if` reads.
    fn fact_restorable(&self, name: &str, compliant: &Value) -> Option<bool> {
        let denominator = self.denominators.contains(name);
        let safe = !self.facts_unsafe.contains(name)
            && !(denominator
                && (self.numerators.contains(name) || compliant.as_f64() == Some(0.0)));
        safe.then(|| !self.applies_if.contains(name))
    }

    /// Whether restoring a cell to its compliant value must not lower a score.
    ///
    /// Not a column that decides which rows a requirement covers: restoring it brings a row
    /// into a check's scope (or takes it out), which is not an improvement of that row (a
    /// document filed after all is then checked for legality in DOC-02; a decision marked
    /// 不需要 again needs its reason in DEC-02). In a count's `where`, only a cell whose
    /// compliant value can only move the count the better way: a row counted towards a
    /// minimum, or not counted where counting is worse (NOT-01 counts schools *without* a
    /// legal vice-principal, so restoring the kindergarten's `legal_vp: false` adds a row it
    /// forbids).
    fn cell_restorable(&self, register: &str, column: &str, slot: &Slot) -> bool {
        if self
            .scope
            .contains(&(register.to_string(), column.to_string()))
        {
            return false;
        }
        self.counts
            .iter()
            .filter(|(of, _, _)| of == register)
            .filter_map(|(_, w, worse)| w.get(column).map(|c| (c, *worse)))
            .all(|(condition, worse)| {
                let holds = literal_holds(condition, &slot.compliant);
                if worse {
                    holds == Some(false)
                } else {
                    // A deleted value never meets a literal condition.
                    holds == Some(true)
                        || (matches!(slot.worse, Worse::Delete | Worse::Replace) && holds.is_some())
                }
            })
    }
}

/// Whether a value meets a condition written as a literal or a list of literals; `None` for
/// operators.
fn literal_holds(condition: &Condition, v: &Value) -> Option<bool> {
    let equal = |l: &Literal| match (l, v) {
        (Literal::Bool(a), Value::Bool(b)) => a == b,
        (Literal::Int(a), _) => v.as_f64() == Some(*a as f64),
        (Literal::Float(a), _) => v.as_f64() == Some(*a),
        (Literal::Str(a), Value::String(b)) => a == b,
        _ => false,
    };
    match condition {
        Condition::Equals(l) => Some(equal(l)),
        Condition::OneOf(ls) => Some(ls.iter().any(equal)),
        Condition::Ops(_) => None,
    }
}

/// Every value a check reads, cells as [`ANY_ROW`] of their column.
fn touches(check: &Check, out: &mut Vec<Place>) {
    let fact = |f: &str| Place::Fact(f.to_string());
    let stated = |s: Option<&kaohe::checks::stated::Stated>| -> Vec<Place> {
        s.into_iter()
            .flat_map(|s| [&s.total, &s.met, &s.rate, &s.count])
            .flatten()
            .map(|f| fact(f))
            .collect()
    };
    let cells = |of: &str, p: Option<&kaohe::pack::Predicate>| -> Vec<Place> {
        let mut v = vec![Place::Register(of.to_string())];
        v.extend(p.into_iter().flat_map(|p| p.keys()).map(|c| Place::Cell {
            register: of.to_string(),
            row: ANY_ROW,
            column: c.clone(),
        }));
        v
    };
    match &check.kind {
        Kind::Fact(f) => out.extend(f.0.keys().map(|k| fact(k))),
        Kind::Coverage(c) => {
            out.extend(cells(&c.of, c.r#where.as_ref()));
            out.extend(cells(&c.of, Some(&c.require)));
            out.extend(stated(c.stated.as_ref()));
        }
        Kind::Each(c) => {
            out.extend(cells(&c.of, c.r#where.as_ref()));
            out.extend(cells(&c.of, Some(&c.require)));
            out.extend(stated(c.stated.as_ref()));
        }
        Kind::Count(c) => {
            if let Some(of) = &c.of {
                out.extend(cells(of, c.r#where.as_ref()));
            }
            out.extend(c.fact.iter().map(|f| fact(f)));
            out.extend(stated(c.stated.as_ref()));
        }
        Kind::Ratio(x) => {
            out.extend([fact(&x.numerator), fact(&x.denominator)]);
            out.extend(stated(x.stated.as_ref()));
        }
        Kind::Deadline(d) => match &d.of {
            Some(of) => {
                out.extend(cells(of, d.r#where.as_ref()));
                out.push(Place::Cell {
                    register: of.clone(),
                    row: ANY_ROW,
                    column: d.field.clone(),
                });
            }
            None => out.push(fact(&d.field)),
        },
        Kind::Evidence(e) => out.extend(e.0.iter().map(|n| Place::Evidence(n.clone()))),
        Kind::Compare(c) => {
            out.push(fact(&c.fact));
            out.extend(c.to.iter().map(|f| fact(f)));
        }
        Kind::All(parts) => parts.0.iter().for_each(|p| touches(p, out)),
        Kind::Any(parts) => parts.0.iter().for_each(|p| touches(p, out)),
        Kind::Not(inner) => touches(&inner.0, out),
    }
}

fn worse_for(ty: FieldType, denominator: bool) -> Worse {
    match ty {
        FieldType::Boolean => Worse::Flip,
        FieldType::Integer | FieldType::Number | FieldType::Percent if denominator => Worse::Raise,
        FieldType::Integer | FieldType::Number | FieldType::Percent => Worse::Lower,
        FieldType::Date => Worse::Shift,
        FieldType::List => Worse::Drop,
        FieldType::Enum => Worse::Replace,
        FieldType::String => Worse::Delete,
    }
}

/// A submitted value as it is written in JSON.
fn to_json(field: &kaohe::pack::Field, v: &kaohe::submission::Value) -> Value {
    use kaohe::submission::Value as V;
    match v {
        V::Bool(b) => json!(b),
        V::Int(i) => json!(i),
        V::Number(x) if field.ty == FieldType::Percent => json!(format!("{}%", x * 100.0)),
        V::Number(x) => json!(x),
        V::Date(d) => json!(d.to_string()),
        V::Text(s) => json!(s),
        V::List(items) => json!(items),
    }
}

impl Target {
    fn load(pack_dir: &str, submission: &str) -> Target {
        let pack = kaohe::pack::load(&root().join(pack_dir))
            .expect("pack directory")
            .pack
            .expect("the pack is valid");
        let digest = pack_digest(&pack);
        let path = root().join(submission);
        let text = std::fs::read_to_string(&path).expect("submission");
        let mut compliant = kaohe::yaml::parse(&text).expect("parses").to_json();
        // CSV registers become inline rows, read by kaohe itself.
        let loaded = kaohe::submission::load(&pack, &path).unwrap_or_else(|e| {
            panic!(
                "{}",
                kaohe::diag::render_human(&e.sources, &e.diagnostics, false)
            )
        });
        for (i, (name, register)) in pack.data.registers.iter().enumerate() {
            let Some(Value::String(_)) = compliant["registers"].get(name) else {
                continue;
            };
            let table = loaded.registers[i].as_ref().expect("CSV register read");
            let rows: Vec<Value> = table
                .rows
                .iter()
                .map(|row| {
                    let mut obj = Map::new();
                    for ((column, field), cell) in register.columns.iter().zip(row) {
                        if let Some(v) = cell {
                            obj.insert(column.clone(), to_json(field, v));
                        }
                    }
                    Value::Object(obj)
                })
                .collect();
            compliant["registers"][name] = Value::Array(rows);
        }

        let reads = Reads::of(&pack);
        let mut slots = Vec::new();
        let mut restorable = Vec::new();
        let facts = compliant["facts"].as_object().cloned().unwrap_or_default();
        for (name, field) in &pack.data.facts {
            let Some(v) = facts.get(name) else { continue };
            let slot = Slot {
                place: Place::Fact(name.clone()),
                compliant: v.clone(),
                ty: Some(field.ty),
                accept: field.accept.clone(),
                values: field.values.clone(),
                worse: worse_for(field.ty, reads.denominators.contains(name)),
                // Any fact may be left out, a required one too: it is missing data.
                deletable: true,
            };
            if slot.worse == Worse::Delete && !slot.deletable {
                continue;
            }
            restorable.push(
                reads
                    .fact_restorable(name, v)
                    .filter(|_| slot.worse != Worse::Replace || slot.deletable),
            );
            slots.push(slot);
        }
        for (name, register) in &pack.data.registers {
            let Some(rows) = compliant["registers"].get(name).and_then(Value::as_array) else {
                continue;
            };
            for (row, cells) in rows.iter().enumerate() {
                for (column, field) in &register.columns {
                    if *column == register.key {
                        continue;
                    }
                    let Some(v) = cells.get(column) else { continue };
                    let slot = Slot {
                        place: Place::Cell {
                            register: name.clone(),
                            row,
                            column: column.clone(),
                        },
                        compliant: v.clone(),
                        ty: Some(field.ty),
                        accept: field.accept.clone(),
                        values: field.values.clone(),
                        worse: worse_for(field.ty, false),
                        deletable: !field.required,
                    };
                    if slot.worse == Worse::Delete && !slot.deletable {
                        continue;
                    }
                    restorable.push(
                        (reads.cell_restorable(name, column, &slot)
                            && (slot.worse != Worse::Replace || slot.deletable))
                            .then_some(true),
                    );
                    slots.push(slot);
                }
            }
        }
        let evidence = compliant["evidence"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for name in pack.data.evidence.keys() {
            let Some(v) = evidence.get(name) else {
                continue;
            };
            restorable.push((!reads.evidence_unsafe.contains(name)).then_some(true));
            slots.push(Slot {
                place: Place::Evidence(name.clone()),
                compliant: v.clone(),
                ty: None,
                accept: Vec::new(),
                values: Vec::new(),
                worse: Worse::Delete,
                deletable: true,
            });
        }
        // A register restored brings its items from missing data (0 points) to whatever its
        // rows earn, or to not applicable, which leaves the denominator: never lower.
        for name in pack.data.registers.keys() {
            if compliant["registers"].get(name).is_none() {
                continue;
            }
            restorable.push((!reads.stated.contains(name)).then_some(true));
            slots.push(Slot {
                place: Place::Register(name.clone()),
                compliant: Value::Null,
                ty: None,
                accept: Vec::new(),
                values: Vec::new(),
                worse: Worse::Delete,
                deletable: true,
            });
        }
        let tables = pack
            .data
            .registers
            .iter()
            .filter_map(|(name, register)| {
                let rows = compliant["registers"].get(name)?.as_array()?.len();
                (rows > 0).then(|| (name.clone(), rows, register.key.clone()))
            })
            .collect();
        let focus = pack
            .items
            .iter()
            .map(|item| {
                let mut read = Vec::new();
                if let Some(p) = &item.applies_if {
                    read.extend(p.keys().map(|f| Place::Fact(f.clone())));
                }
                touches(&item.check, &mut read);
                (0..slots.len())
                    .filter(|&i| {
                        restorable[i].is_some() && read.iter().any(|p| p.covers(&slots[i].place))
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|read| !read.is_empty())
            .collect();
        Target {
            pack,
            digest,
            compliant,
            slots,
            restorable,
            focus,
            tables,
        }
    }

    /// The compliant submission with the slots in `broken` (index, seed) broken, then rows
    /// copied (register, row; each copy as broken as its row, under a new key).
    fn submission(&self, broken: &[(usize, u32)], copies: &[(Index, Index)]) -> Value {
        let mut sub = self.compliant.clone();
        let mut order: Vec<&(usize, u32)> = broken.iter().collect();
        order.sort_by_key(|(i, _)| *i);
        for &&(i, seed) in &order {
            let slot = &self.slots[i];
            let value = slot.broken(seed);
            let (parent, key) = match &slot.place {
                Place::Fact(f) => (sub.pointer_mut("/facts"), f.as_str()),
                Place::Cell {
                    register,
                    row,
                    column,
                } => (
                    sub.pointer_mut(&format!("/registers/{register}/{row}")),
                    column.as_str(),
                ),
                Place::Evidence(e) => (sub.pointer_mut("/evidence"), e.as_str()),
                Place::Register(r) => (sub.pointer_mut("/registers"), r.as_str()),
            };
            let Some(Value::Object(parent)) = parent else {
                continue; // a cell of a register deleted before it
            };
            match value {
                Some(v) => {
                    parent.insert(key.to_string(), v);
                }
                None => {
                    parent.shift_remove(key);
                }
            }
        }
        for (n, (table, row)) in copies.iter().enumerate() {
            let (name, rows, key) = &self.tables[table.index(self.tables.len())];
            let Some(Value::Array(list)) = sub.pointer_mut(&format!("/registers/{name}")) else {
                continue; // deleted
            };
            let mut copy = list[row.index(*rows)].clone();
            let Some(Value::String(k)) = copy.get(key) else {
                continue;
            };
            copy[key] = json!(format!("{k}·{n}"));
            list.push(copy);
        }
        sub
    }

    /// The broken values, one a line: `/facts/meetings: 4 → 1`.
    fn describe(&self, broken: &[(usize, u32)], copies: &[(Index, Index)]) -> String {
        let mut lines: Vec<(usize, String)> = broken
            .iter()
            .map(|&(i, seed)| {
                let slot = &self.slots[i];
                let to = slot
                    .broken(seed)
                    .map_or_else(|| "(deleted)".to_string(), |v| v.to_string());
                let from = match &slot.place {
                    Place::Register(_) => "(rows)".to_string(),
                    _ => slot.compliant.to_string(),
                };
                (i, format!("  {}: {from} → {to}", slot.place.pointer()))
            })
            .collect();
        lines.sort();
        let mut lines: Vec<String> = lines.into_iter().map(|(_, l)| l).collect();
        for (table, row) in copies {
            let (name, rows, _) = &self.tables[table.index(self.tables.len())];
            lines.push(format!("  copied: /registers/{name}/{}", row.index(*rows)));
        }
        lines.join("\n")
    }

    /// Writes a submission as JSON and reads it back.
    fn read(&self, sub: &Value) -> kaohe::submission::Submission {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("submission.json");
        std::fs::write(&path, serde_json::to_string(sub).expect("json")).expect("write");
        match kaohe::submission::load(&self.pack, &path) {
            Ok(s) => s,
            Err(e) => panic!(
                "a broken submission must stay valid:\n{}",
                kaohe::diag::render_human(&e.sources, &e.diagnostics, false)
            ),
        }
    }

    fn assess(&self, sub: &Value) -> Assessment {
        let submission = self.read(sub);
        assess(
            &self.pack,
            &self.digest,
            &submission,
            &[],
            &[],
            Options::default(),
        )
    }
}

/// Invariants 1 and 2 on one assessment.
fn check_bounds_and_totals(t: &Target, a: &Assessment) -> Result<(), TestCaseError> {
    const TOL: f64 = 1e-9;
    let two_decimals = |x: f64| ((x * 100.0).round() - x * 100.0).abs() < 1e-6;
    prop_assert_eq!(a.items.len(), t.pack.items.len());
    for (item, o) in t.pack.items.iter().zip(&a.items) {
        prop_assert_eq!(&item.id, &o.id);
        let id = &o.id;
        prop_assert!(
            -TOL <= o.awarded && o.awarded <= item.points + TOL,
            "{id}: {} points of {} ({:?})",
            o.awarded,
            item.points,
            o.explain
        );
        prop_assert!(two_decimals(o.awarded), "{id}: {} not rounded", o.awarded);
        match item.kind {
            ItemKind::Standard => {
                prop_assert!(
                    o.available == 0.0 || o.available == item.points,
                    "{id}: available {} of {}",
                    o.available,
                    item.points
                );
                prop_assert!(o.awarded <= o.available + TOL, "{id}: {o:?}");
                prop_assert!(
                    (o.awarded + o.deducted - o.available).abs() < 0.005,
                    "{id}: awarded {} + deducted {} ≠ available {}",
                    o.awarded,
                    o.deducted,
                    o.available
                );
                // Missing data scores 0 whatever the cap (README: "Missing data scores 0
                // unless the pack says `missing_data: not_applicable`"), so the cap binds
                // the other verdicts only, and items over the parts of `all`, whose missing
                // parts count as failing units.
                if let Deduct::PerUnit { cap: Some(cap), .. } = item.deduct
                    && (o.status != Status::MissingData || !o.parts.is_empty())
                {
                    prop_assert!(
                        o.deducted <= cap + TOL,
                        "{id}: deducted {} over the cap {cap} ({:?})",
                        o.deducted,
                        o.explain
                    );
                }
                // A schedule: each clause within its cap (or the item's points), the item
                // losing their sum, at most its points.
                if let Deduct::Schedule { schedule } = &item.deduct
                    && o.available > 0.0
                {
                    prop_assert_eq!(o.schedule.len(), schedule.len(), "{}", id);
                    let mut sum = 0.0;
                    for (clause, step) in schedule.iter().zip(&o.schedule) {
                        let limit = clause.limit(item.points);
                        prop_assert!(
                            step.deducted <= limit + TOL,
                            "{id}: clause `{}` deducted {} over its cap {limit}",
                            clause.label,
                            step.deducted
                        );
                        sum += step.deducted;
                    }
                    prop_assert!(
                        (o.deducted - sum.min(item.points)).abs() < 0.01 + TOL,
                        "{id}: deducted {} but its clauses give {sum} ({:?})",
                        o.deducted,
                        o.explain
                    );
                }
                // Graded bands: 0 or one band's points, that band reached by the measured value
                // and no band above it.
                if let Deduct::Bands { bands } = &item.deduct
                    && o.available > 0.0
                {
                    match &o.band {
                        Some(b) => {
                            let first = bands.iter().find(|band| band.reached_by(&b.measured));
                            let want = first.map_or(0.0, |band| band.points);
                            prop_assert!(
                                (o.awarded - want).abs() < 0.005,
                                "{id}: {} points, but the first band reached gives {want}",
                                o.awarded
                            );
                        }
                        None => prop_assert_eq!(o.awarded, 0.0, "{}", id),
                    }
                }
            }
            ItemKind::Bonus => {
                prop_assert_eq!(o.available, item.points, "{}", id);
                prop_assert_eq!(o.deducted, 0.0, "{}", id);
            }
            ItemKind::Veto => {
                prop_assert_eq!(o.awarded, 0.0, "{}", id);
            }
        }
    }

    let s = &a.score;
    let close = |x: f64, y: f64| (x - y).abs() <= 0.01 + TOL;
    let standard = a.items.iter().filter(|o| o.kind == ItemKind::Standard);
    let available: f64 = standard.clone().map(|o| o.available).sum();
    let awarded: f64 = standard.map(|o| o.awarded).sum();
    let total = t.pack.scoring.total;
    let base = if available > 0.0 {
        awarded * total / available
    } else {
        0.0
    };
    let bonus_uncapped: f64 = a
        .items
        .iter()
        .filter(|o| o.kind == ItemKind::Bonus)
        .map(|o| o.awarded)
        .sum();
    let bonus = t
        .pack
        .scoring
        .bonus_cap
        .map_or(bonus_uncapped, |cap| bonus_uncapped.min(cap));
    let recomputed = [
        ("available", s.available, available),
        ("awarded", s.awarded, awarded),
        ("base", s.base, base),
        ("bonus_uncapped", s.bonus_uncapped, bonus_uncapped),
        ("bonus", s.bonus, bonus),
        ("score", s.score, base + bonus),
    ];
    for (name, got, want) in recomputed {
        prop_assert!(close(got, want), "score.{name} = {got}, items give {want}");
    }
    prop_assert!(two_decimals(s.score), "score {} not rounded", s.score);
    prop_assert!(
        -TOL <= s.base && s.base <= total + TOL,
        "base {} of {total}",
        s.base
    );
    for section in &a.sections {
        let of = a.items.iter().filter(|o| {
            t.pack.section_within(&o.section, &section.id) && o.kind == ItemKind::Standard
        });
        let available: f64 = of.clone().map(|o| o.available).sum();
        let awarded: f64 = of.map(|o| o.awarded).sum();
        prop_assert!(
            close(section.available, available) && close(section.awarded, awarded),
            "section {}: {}/{} but its items give {awarded}/{available}",
            section.id,
            section.awarded,
            section.available
        );
    }
    let vetoes: Vec<&String> = a
        .items
        .iter()
        .filter(|o| o.kind == ItemKind::Veto && o.status == Status::Fail)
        .map(|o| &o.id)
        .collect();
    prop_assert_eq!(s.vetoes.iter().collect::<Vec<_>>(), vetoes);
    Ok(())
}

/// Invariant 3: nothing in `after` (one value restored) scores less than in `before`; the
/// score is compared when `score` says so.
fn check_not_lower(
    before: &Assessment,
    after: &Assessment,
    score: bool,
) -> Result<(), TestCaseError> {
    const TOL: f64 = 1e-9;
    for (b, a) in before.items.iter().zip(&after.items) {
        prop_assert!(
            a.awarded + TOL >= b.awarded,
            "{}: {} ({:?}) → {} ({:?})\nbefore: {:?}\nafter: {:?}",
            b.id,
            b.awarded,
            b.status,
            a.awarded,
            a.status,
            b.explain,
            a.explain
        );
    }
    prop_assert!(
        !score || after.score.score + TOL >= before.score.score,
        "score {} → {}",
        before.score.score,
        after.score.score
    );
    for v in &after.score.vetoes {
        prop_assert!(before.score.vetoes.contains(v), "new veto {v}");
    }
    Ok(())
}

/// Broken values: each slot broken or not, at one of three densities (a few, some, many).
fn breakage(slots: usize) -> impl Strategy<Value = Vec<Option<u32>>> {
    prop_oneof![
        prop::collection::vec(weighted(0.02, any::<u32>()), slots),
        prop::collection::vec(weighted(0.1, any::<u32>()), slots),
        prop::collection::vec(weighted(0.4, any::<u32>()), slots),
    ]
}

/// Rows copied (register, row), so that deductions per row reach their caps and 0.
fn copies() -> impl Strategy<Value = Vec<(Index, Index)>> {
    prop::collection::vec((any::<Index>(), any::<Index>()), 0..12)
}

fn indexed(broken: &[Option<u32>]) -> Vec<(usize, u32)> {
    broken
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i, s)))
        .collect()
}

fn with_input<T>(
    r: Result<T, TestCaseError>,
    input: impl FnOnce() -> String,
) -> Result<T, TestCaseError> {
    r.map_err(|e| match e {
        TestCaseError::Fail(why) => TestCaseError::fail(format!("{why}\n{}", input())),
        other => other,
    })
}

/// Invariants 1, 2 and 4 on a broken submission.
fn bounds_totals_and_bytes(
    t: &Target,
    broken: &[Option<u32>],
    copies: &[(Index, Index)],
) -> Result<(), TestCaseError> {
    let broken = indexed(broken);
    let sub = t.submission(&broken, copies);
    let input = || format!("broken values:\n{}", t.describe(&broken, copies));
    let a = t.assess(&sub);
    with_input(check_bounds_and_totals(t, &a), input)?;
    let again = t.assess(&sub);
    with_input(
        {
            prop_assert!(
                kaohe::report::json(&a) == kaohe::report::json(&again),
                "two assessments of one submission differ"
            );
            Ok(())
        },
        input,
    )
}

/// At most this many values broken elsewhere are restored in a case, besides its item's.
const RESTORED_ELSEWHERE: usize = 4;

/// A stable order of slots for a case: removing one keeps the others' order, so a failing
/// restoration stays chosen while its case shrinks.
fn rank(slot: usize, seed: u32) -> u64 {
    (slot as u64 ^ u64::from(seed)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Invariant 3. On top of the `broken` background, one item's values are broken: the one
/// `pick` names, and those whose bit is set in `bits`. Each of them, and a few of the values
/// broken elsewhere, is then restored on its own, and nothing may score less.
fn restoring(
    t: &Target,
    broken: &[Option<u32>],
    copies: &[(Index, Index)],
    (item, pick, bits, seed): (Index, Index, u64, u32),
) -> Result<(), TestCaseError> {
    let focus = &t.focus[item.index(t.focus.len())];
    let forced = focus[pick.index(focus.len())];
    let mut focused: Vec<(usize, u32)> = focus
        .iter()
        .enumerate()
        .filter(|&(j, &i)| i == forced || (bits >> (j % 64)) & 1 == 1)
        .map(|(_, &i)| {
            let seed = seed.rotate_left(i as u32 % 32) ^ i as u32;
            // An enum is broken by deleting it (seeds divisible by 4 delete): another of its
            // values is not worse.
            let seed = if t.slots[i].worse == Worse::Replace {
                seed & !3
            } else {
                seed
            };
            (i, seed)
        })
        .collect();
    let mut before: Vec<(usize, u32)> = indexed(broken)
        .into_iter()
        .filter(|(i, _)| !focused.iter().any(|(f, _)| f == i))
        .collect();
    // Keep the registers of the item's cells, or restoring a cell would change nothing.
    before.retain(|&(i, _)| {
        !focused.iter().any(|&(f, _)| match &t.slots[f].place {
            Place::Cell { register, .. } => t.slots[i].place == Place::Register(register.clone()),
            _ => false,
        })
    });
    let deleted: Vec<Place> = before
        .iter()
        .map(|&(i, _)| t.slots[i].place.clone())
        .filter(|p| matches!(p, Place::Register(_)))
        .collect();
    let mut elsewhere: Vec<usize> = before
        .iter()
        .filter(|&&(i, seed)| {
            let slot = &t.slots[i];
            t.restorable[i].is_some()
                && !(slot.worse == Worse::Replace && slot.broken(seed).is_some())
                && !matches!(&slot.place, Place::Cell { register, .. }
                    if deleted.contains(&Place::Register(register.clone())))
        })
        .map(|&(i, _)| i)
        .collect();
    elsewhere.sort_by_key(|&i| rank(i, seed));
    elsewhere.truncate(RESTORED_ELSEWHERE);
    let restored: Vec<usize> = focused.iter().map(|&(i, _)| i).chain(elsewhere).collect();
    before.append(&mut focused);

    let a_before = t.assess(&t.submission(&before, copies));
    let input = |restored: Option<usize>| {
        let restored = restored.map_or_else(String::new, |i| {
            format!("\nrestored: {}", t.slots[i].place.pointer())
        });
        format!("broken values:\n{}{restored}", t.describe(&before, copies))
    };
    with_input(check_bounds_and_totals(t, &a_before), || input(None))?;
    for slot in restored {
        let after: Vec<(usize, u32)> = before.iter().copied().filter(|&(i, _)| i != slot).collect();
        let a_after = t.assess(&t.submission(&after, copies));
        let score = t.restorable[slot] == Some(true);
        with_input(check_bounds_and_totals(t, &a_after), || input(Some(slot)))?;
        with_input(check_not_lower(&a_before, &a_after, score), || {
            input(Some(slot))
        })?;
    }
    Ok(())
}

#[test]
fn the_compliant_submissions_pass_every_item() {
    for t in [
        engine(),
        per_unit_all(),
        schedule(),
        periods(),
        stated(),
        shipped(),
    ] {
        let a = t.assess(&t.compliant);
        for o in &a.items {
            if o.kind == ItemKind::Standard {
                assert_eq!(o.status, Status::Pass, "{}: {:?}", o.id, o.explain);
            }
        }
        assert_eq!(a.score.score, t.pack.scoring.total);
        let restorable = t.restorable.iter().filter(|r| r.is_some()).count();
        assert!(
            restorable * 2 > t.slots.len(),
            "{}: {restorable} of {} slots restorable",
            t.pack.meta.id,
            t.slots.len()
        );
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn engine_pack_scores_stay_in_bounds_add_up_and_repeat(
        broken in breakage(engine().slots.len()),
        copies in copies(),
    ) {
        bounds_totals_and_bytes(engine(), &broken, &copies)?;
    }

    #[test]
    fn engine_pack_restoring_a_value_never_lowers_a_score(
        broken in breakage(engine().slots.len()),
        copies in copies(),
        focus in any::<(Index, Index, u64, u32)>(),
    ) {
        restoring(engine(), &broken, &copies, focus)?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn schedule_pack_scores_stay_in_bounds_add_up_and_repeat(
        broken in breakage(schedule().slots.len()),
        copies in copies(),
    ) {
        bounds_totals_and_bytes(schedule(), &broken, &copies)?;
    }

    #[test]
    fn schedule_pack_restoring_a_value_never_lowers_a_score(
        broken in breakage(schedule().slots.len()),
        copies in copies(),
        focus in any::<(Index, Index, u64, u32)>(),
    ) {
        restoring(schedule(), &broken, &copies, focus)?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn per_unit_all_pack_scores_stay_in_bounds_add_up_and_repeat(
        broken in breakage(per_unit_all().slots.len()),
        copies in copies(),
    ) {
        bounds_totals_and_bytes(per_unit_all(), &broken, &copies)?;
    }

    #[test]
    fn per_unit_all_pack_restoring_a_value_never_lowers_a_score(
        broken in breakage(per_unit_all().slots.len()),
        copies in copies(),
        focus in any::<(Index, Index, u64, u32)>(),
    ) {
        restoring(per_unit_all(), &broken, &copies, focus)?;
    }
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn shipped_pack_scores_stay_in_bounds_add_up_and_repeat(
        broken in breakage(shipped().slots.len()),
        copies in copies(),
    ) {
        bounds_totals_and_bytes(shipped(), &broken, &copies)?;
    }

    #[test]
    fn shipped_pack_restoring_a_value_never_lowers_a_score(
        broken in breakage(shipped().slots.len()),
        copies in copies(),
        focus in any::<(Index, Index, u64, u32)>(),
    ) {
        restoring(shipped(), &broken, &copies, focus)?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn periods_pack_scores_stay_in_bounds_add_up_and_repeat(
        broken in breakage(periods().slots.len()),
        copies in copies(),
    ) {
        bounds_totals_and_bytes(periods(), &broken, &copies)?;
    }

    #[test]
    fn periods_pack_restoring_a_value_never_lowers_a_score(
        broken in breakage(periods().slots.len()),
        copies in copies(),
        focus in any::<(Index, Index, u64, u32)>(),
    ) {
        restoring(periods(), &broken, &copies, focus)?;
    }

    #[test]
    fn stated_pack_scores_stay_in_bounds_add_up_and_repeat(
        broken in breakage(stated().slots.len()),
        copies in copies(),
    ) {
        bounds_totals_and_bytes(stated(), &broken, &copies)?;
    }

    #[test]
    fn stated_pack_restoring_a_value_never_lowers_a_score(
        broken in breakage(stated().slots.len()),
        copies in copies(),
        focus in any::<(Index, Index, u64, u32)>(),
    ) {
        restoring(stated(), &broken, &copies, focus)?;
    }
}

/// Re-checks and the deduction for overstated self-scores keep scoring monotone, over
/// `tests/credibility` with any final rule (`recheck`, `lower`, `higher`), deduction rate and
/// cap, self-scores and re-check points: meeting one more check never lowers the score, nor
/// does a reviewer giving more on a re-check; the deduction depends on self − final, which
/// only shrinks as a final score rises. The score is never negative and is base + bonus less
/// the deduction, to 0.01; every item stays within [0, its points].
mod credibility {
    use super::*;
    use kaohe::pack::{FinalScore, SelfAssessmentRule};
    use kaohe::review::Review;

    const POINTS: [f64; 4] = [4.0, 6.0, 5.0, 5.0];
    const IDS: [&str; 4] = ["CR-01", "CR-02", "CR-03", "CR-04"];

    fn pack() -> &'static Pack {
        static PACK: OnceLock<Pack> = OnceLock::new();
        PACK.get_or_init(|| {
            kaohe::pack::load(&root().join("tests/credibility"))
                .expect("pack directory")
                .pack
                .expect("valid")
        })
    }

    fn submission(
        facts: [bool; 3],
        self_scores: &[Option<u8>; 4],
    ) -> kaohe::submission::Submission {
        let mut scores = Map::new();
        for (i, s) in self_scores.iter().enumerate() {
            if let Some(h) = s {
                scores.insert(IDS[i].into(), json!(f64::from(*h) / 2.0));
            }
        }
        let sub = json!({
            "bureau": {"name": "可信度测试区教育局"},
            "year": 2024,
            "facts": {
                "plan_adopted": facts[0],
                "training_held": facts[1],
                "ledger_kept": facts[2],
            },
            "self_scores": scores,
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("submission.json");
        std::fs::write(&path, sub.to_string()).expect("write");
        kaohe::submission::load(pack(), &path).expect("a valid submission")
    }

    fn review(item: usize, reviewer: &str, halves: u8) -> Review {
        Review {
            item: IDS[item].into(),
            points: f64::from(halves) / 2.0,
            reason: "复核".into(),
            reviewer: reviewer.into(),
            date: jiff::civil::date(2025, 2, 20),
        }
    }

    fn run(p: &Pack, sub: &kaohe::submission::Submission, reviews: &[Review]) -> Assessment {
        assess(p, "sha256:test", sub, &[], reviews, Options::default())
    }

    fn check_totals(a: &Assessment) -> Result<(), TestCaseError> {
        for o in &a.items {
            prop_assert!(
                o.awarded >= 0.0 && o.awarded <= o.points + 1e-9,
                "{}: {}",
                o.id,
                o.awarded
            );
        }
        let s = &a.score;
        prop_assert!(s.score >= 0.0, "negative score {}", s.score);
        let expected = s.base + s.bonus - s.self_deduction.unwrap_or(0.0);
        prop_assert!(
            (s.score - expected).abs() < 0.011,
            "{} ≠ {expected}",
            s.score
        );
        Ok(())
    }

    fn finals() -> impl Strategy<Value = FinalScore> {
        prop_oneof![
            Just(FinalScore::Recheck),
            Just(FinalScore::Lower),
            Just(FinalScore::Higher)
        ]
    }

    /// Half points from 0 to each item's points.
    fn self_scores() -> impl Strategy<Value = [Option<u8>; 4]> {
        (
            weighted(0.8, 0u8..=8),
            weighted(0.8, 0u8..=12),
            weighted(0.8, 0u8..=10),
            weighted(0.8, 0u8..=10),
        )
            .prop_map(|(a, b, c, d)| [a, b, c, d])
    }

    proptest! {
        #![proptest_config(config(96))]

        #[test]
        fn more_compliance_or_a_better_recheck_never_scores_less(
            final_score in finals(),
            per_quarter in weighted(0.8, 1u8..=12),
            cap in weighted(0.5, 1u8..=10),
            facts in proptest::array::uniform3(any::<bool>()),
            raise in 0usize..3,
            self_scores in self_scores(),
            // Re-checks of CR-01..CR-03 and reviews of CR-04, in half points (clamped to
            // each item's points).
            rechecks in proptest::collection::vec((0usize..4, 0u8..=12), 0..5),
            up in 0usize..5,
        ) {
            let mut p = pack().clone();
            p.scoring.recheck.final_score = final_score;
            p.scoring.self_assessment = Some(SelfAssessmentRule {
                tolerance: 0.0,
                deduct_per_point: per_quarter.map(|q| f64::from(q) / 4.0),
                cap: cap.map(f64::from),
            });
            let reviewers = ["专家甲", "专家乙", "专家丙", "专家丁", "专家戊"];
            let reviews: Vec<Review> = rechecks
                .iter()
                .enumerate()
                .map(|(i, (item, h))| {
                    let most = (POINTS[*item] * 2.0) as u8;
                    review(*item, reviewers[i], (*h).min(most))
                })
                .collect();
            let sub = submission(facts, &self_scores);
            let before = run(&p, &sub, &reviews);
            check_totals(&before)?;

            // One more check met.
            if !facts[raise] {
                let mut more = facts;
                more[raise] = true;
                let after = run(&p, &submission(more, &self_scores), &reviews);
                check_totals(&after)?;
                prop_assert!(
                    after.score.score + 1e-9 >= before.score.score,
                    "meeting {} lowered {} to {}",
                    IDS[raise], before.score.score, after.score.score
                );
            }
            // A reviewer gives half a point more.
            if let Some(r) = reviews.get(up % reviews.len().max(1)) {
                let item = IDS.iter().position(|id| *id == r.item).unwrap_or(0);
                if r.points + 0.5 <= POINTS[item] {
                    let mut better = reviews.clone();
                    better[up % reviews.len()].points += 0.5;
                    let after = run(&p, &sub, &better);
                    check_totals(&after)?;
                    prop_assert!(
                        after.score.score + 1e-9 >= before.score.score,
                        "a better review of {} lowered {} to {}",
                        r.item, before.score.score, after.score.score
                    );
                }
            }
        }
    }

    #[test]
    fn a_higher_final_score_never_lowers_the_total_after_the_deduction() {
        // score::self_deduction over a grid: raising `before` by d (a final score up by d,
        // here unscaled) lowers `overstated` by at most d; the total never falls.
        for per in [0.25, 0.5, 1.0, 2.0, 3.0] {
            for cap in [None, Some(1.0), Some(5.0)] {
                for over10 in 0..=40 {
                    for before10 in 0..=40 {
                        let over = f64::from(over10) / 10.0;
                        let before = f64::from(before10) / 10.0;
                        let d = kaohe::score::self_deduction(per, cap, over, before);
                        let total = before - d;
                        assert!(total >= -1e-9, "negative: {per} {cap:?} {over} {before}");
                        let raised_by = 0.5_f64.min(over);
                        let d2 = kaohe::score::self_deduction(
                            per,
                            cap,
                            over - raised_by,
                            before + raised_by,
                        );
                        assert!(
                            before + raised_by - d2 + 1e-9 >= total,
                            "{per} {cap:?} {over} {before}: {total} → {}",
                            before + raised_by - d2
                        );
                    }
                }
            }
        }
    }
}

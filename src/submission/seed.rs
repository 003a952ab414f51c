//! Reading a submission document (YAML or JSON) straight into dictionary-indexed values: a
//! `DeserializeSeed` driven by the pack's data dictionary, never a generic JSON value.
//!
//! Data problems (a wrong type, an unknown field) do not stop reading: each is recorded with
//! the JSON pointer of the offending value, and reading goes on so that one run reports all.
//! Only a syntax error stops it.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::Table;
use super::value::{Raw, convert};
use crate::diag::did_you_mean;
use crate::pack::{DataDict, Field, Register};

/// A data problem found while reading, at a JSON pointer into the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub pointer: String,
    /// Whether the problem is the key of the entry at `pointer` (unknown or duplicate keys).
    pub at_key: bool,
    pub message: String,
    pub help: Option<String>,
    /// The diagnostic's code, when it is not `invalid-value`.
    pub code: Option<crate::diag::Code>,
}

/// How a register was given: rows inline, or a CSV file to read next.
#[derive(Debug, Clone, PartialEq)]
pub enum RegisterInput {
    Rows(Table),
    Csv(String, Encoding),
}

/// The encoding of a CSV register: detected (UTF-8 when the file is, else GB18030), or
/// declared with `{file: schools.csv, encoding: gbk}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Detect,
    Utf8,
    /// GBK or GB18030 (its superset): what Excel on Chinese Windows writes.
    Gb18030,
}

impl Encoding {
    /// The names `encoding:` takes.
    pub const NAMES: [&str; 6] = ["utf-8", "utf8", "gbk", "gb18030", "gb2312", "cp936"];

    /// The encoding a name says, in lower or upper case (as the submission schema lists).
    fn named(name: &str) -> Option<Encoding> {
        if name != name.to_ascii_lowercase() && name != name.to_ascii_uppercase() {
            return None;
        }
        match name.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "gbk" | "gb18030" | "gb2312" | "cp936" => Some(Encoding::Gb18030),
            _ => None,
        }
    }
}

/// A submission document as read, before CSV registers and cross-checks.
#[derive(Debug, Default)]
pub struct Document {
    pub bureau: IndexMap<String, Raw>,
    pub year: Option<Raw>,
    pub assessed_on: Option<Raw>,
    pub facts: Vec<Option<super::Value>>,
    pub registers: Vec<Option<RegisterInput>>,
    pub evidence: IndexMap<String, Vec<String>>,
    pub departments: IndexMap<String, super::Department>,
    pub self_scores: IndexMap<String, f64>,
    /// Keys present at the top level (for "missing required key" checks).
    pub keys: HashSet<String>,
}

pub struct DocumentSeed<'a> {
    pub dict: &'a DataDict,
    pub problems: &'a RefCell<Vec<Problem>>,
}

const TOP_KEYS: [&str; 8] = [
    "bureau",
    "year",
    "assessed_on",
    "facts",
    "registers",
    "evidence",
    "departments",
    "self_scores",
];

fn escape(segment: &str) -> String {
    crate::text::pointer_segment(segment)
}

impl DocumentSeed<'_> {
    fn problem(&self, pointer: String, at_key: bool, message: String, help: Option<String>) {
        self.problems.borrow_mut().push(Problem {
            pointer,
            at_key,
            message,
            help,
            code: None,
        });
    }

    fn unknown_key(&self, pointer: String, what: &str, name: &str, known: &[&str]) {
        let help =
            did_you_mean(name, known.iter().copied()).map(|s| format!("did you mean `{s}`?"));
        self.problem(pointer, true, format!("unknown {what} `{name}`"), help);
    }
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = Document;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Document, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_> {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a submission: a mapping with `bureau`, `year`, `facts`, `registers`, ...")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut doc = Document {
            facts: vec![None; self.dict.facts.len()],
            registers: vec![None; self.dict.registers.len()],
            ..Document::default()
        };
        while let Some(key) = map.next_key::<String>()? {
            if !doc.keys.insert(key.clone()) {
                self.problem(
                    format!("/{}", escape(&key)),
                    true,
                    format!("duplicate key `{key}`"),
                    None,
                );
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            match key.as_str() {
                "bureau" => {
                    doc.bureau = map.next_value_seed(RawMapSeed {
                        seed: &self,
                        pointer: "/bureau",
                    })?
                }
                "year" => doc.year = Some(map.next_value_seed(RawSeed)?),
                "assessed_on" => doc.assessed_on = Some(map.next_value_seed(RawSeed)?),
                "facts" => map.next_value_seed(FactsSeed {
                    seed: &self,
                    facts: &mut doc.facts,
                })?,
                "registers" => map.next_value_seed(RegistersSeed {
                    seed: &self,
                    registers: &mut doc.registers,
                })?,
                "evidence" => {
                    doc.evidence = map.next_value_seed(EvidenceSeed { seed: &self })?;
                }
                "departments" => {
                    doc.departments = map.next_value_seed(DepartmentsSeed { seed: &self })?;
                }
                "self_scores" => {
                    let raw = map.next_value_seed(RawMapSeed {
                        seed: &self,
                        pointer: "/self_scores",
                    })?;
                    for (item, value) in raw {
                        match value {
                            Raw::Int(i) => {
                                doc.self_scores.insert(item, i as f64);
                            }
                            Raw::Float(x) => {
                                doc.self_scores.insert(item, x);
                            }
                            other => self.problem(
                                format!("/self_scores/{}", escape(&item)),
                                false,
                                format!("expected a score, found {}", other.describe()),
                                None,
                            ),
                        }
                    }
                }
                other => {
                    self.unknown_key(format!("/{}", escape(other)), "key", other, &TOP_KEYS);
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(doc)
    }
}

/// Any value, as a [`Raw`]; nested collections are consumed, not kept.
pub struct RawSeed;

impl<'de> DeserializeSeed<'de> for RawSeed {
    type Value = Raw;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(i64::try_from(v)
            .map(Raw::Int)
            .unwrap_or(Raw::Float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(RawSeed)? {
            items.push(match item {
                Raw::Str(s) => Some(s),
                _ => None,
            });
        }
        Ok(Raw::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Raw::Map)
    }
}

/// A mapping of names to raw values (bureau, departments, self-scores).
struct RawMapSeed<'s, 'a> {
    seed: &'s DocumentSeed<'a>,
    pointer: &'static str,
}

impl<'de> DeserializeSeed<'de> for RawMapSeed<'_, '_> {
    type Value = IndexMap<String, Raw>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RawMapSeed<'_, '_> {
    type Value = IndexMap<String, Raw>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = IndexMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(RawSeed)?;
            if out.contains_key(&key) {
                self.seed.problem(
                    format!("{}/{}", self.pointer, escape(&key)),
                    true,
                    format!("duplicate key `{key}`"),
                    None,
                );
                continue;
            }
            out.insert(key, value);
        }
        Ok(out)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(IndexMap::new())
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(IndexMap::new())
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        self.not_a_map()
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        self.not_a_map()
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        self.not_a_map()
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        self.not_a_map()
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        self.not_a_map()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.not_a_map()
    }
}

impl RawMapSeed<'_, '_> {
    fn not_a_map<T: Default, E>(&self) -> Result<T, E> {
        self.seed.problem(
            self.pointer.to_string(),
            false,
            format!(
                "`{}` must be a mapping of names to values",
                self.pointer.trim_start_matches('/')
            ),
            None,
        );
        Ok(T::default())
    }
}

/// Visitor methods for a section that must be a mapping: anything else is recorded as a
/// problem at `$pointer` (and skipped), so reading goes on; an empty value is an empty section.
macro_rules! mapping_only {
    ($pointer:expr, $what:expr) => {
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(self.not_a_mapping($pointer, $what))
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(self.not_a_mapping($pointer, $what))
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(self.not_a_mapping($pointer, $what))
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(self.not_a_mapping($pointer, $what))
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(self.not_a_mapping($pointer, $what))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(self.not_a_mapping($pointer, $what))
        }
    };
}

/// `facts:` — each value converted by its dictionary field.
struct FactsSeed<'s, 'a> {
    seed: &'s DocumentSeed<'a>,
    facts: &'s mut Vec<Option<super::Value>>,
}

impl<'de> DeserializeSeed<'de> for FactsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl FactsSeed<'_, '_> {
    fn not_a_mapping(&self, pointer: &str, what: &str) {
        self.seed.problem(
            pointer.into(),
            false,
            format!("`{what}` must be a mapping of names to values"),
            None,
        );
    }
}

impl<'de> Visitor<'de> for FactsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of fact names to values")
    }
    mapping_only!("/facts", "facts");
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let dict = &self.seed.dict.facts;
        let mut seen = vec![false; dict.len()];
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("/facts/{}", escape(&key));
            let Some((index, _, field)) = dict.get_full(&key) else {
                let known: Vec<&str> = dict.keys().map(String::as_str).collect();
                self.seed.unknown_key(pointer, "fact", &key, &known);
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if std::mem::replace(&mut seen[index], true) {
                self.seed
                    .problem(pointer, true, format!("duplicate fact `{key}`"), None);
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let raw = map.next_value_seed(RawSeed)?;
            match convert(field, raw) {
                Ok(value) => self.facts[index] = value,
                Err(e) => {
                    let pointer = match e.element {
                        Some(i) => format!("{pointer}/{i}"),
                        None => pointer,
                    };
                    self.seed.problem(pointer, false, e.message, e.help)
                }
            }
        }
        Ok(())
    }
}

/// `registers:` — each register inline rows or a CSV path.
struct RegistersSeed<'s, 'a> {
    seed: &'s DocumentSeed<'a>,
    registers: &'s mut Vec<Option<RegisterInput>>,
}

impl<'de> DeserializeSeed<'de> for RegistersSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl RegistersSeed<'_, '_> {
    fn not_a_mapping(&self, pointer: &str, what: &str) {
        self.seed.problem(
            pointer.into(),
            false,
            format!("`{what}` must be a mapping of register names to rows or CSV paths"),
            None,
        );
    }
}

impl<'de> Visitor<'de> for RegistersSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of register names to rows or CSV paths")
    }
    mapping_only!("/registers", "registers");
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let dict = &self.seed.dict.registers;
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("/registers/{}", escape(&key));
            let Some((index, _, register)) = dict.get_full(&key) else {
                let known: Vec<&str> = dict.keys().map(String::as_str).collect();
                self.seed.unknown_key(pointer, "register", &key, &known);
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if self.registers[index].is_some() {
                self.seed
                    .problem(pointer, true, format!("duplicate register `{key}`"), None);
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let input = map.next_value_seed(RegisterSeed {
                seed: self.seed,
                register,
                pointer: &pointer,
            })?;
            self.registers[index] = input;
        }
        Ok(())
    }
}

struct RegisterSeed<'s, 'a> {
    seed: &'s DocumentSeed<'a>,
    register: &'a Register,
    pointer: &'s str,
}

impl<'de> DeserializeSeed<'de> for RegisterSeed<'_, '_> {
    type Value = Option<RegisterInput>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RegisterSeed<'_, '_> {
    type Value = Option<RegisterInput>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of rows or the path of a CSV file")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(RegisterInput::Csv(v.to_string(), Encoding::Detect)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut table = Table::default();
        let mut index = 0;
        let max_rows = crate::limits::get().rows;
        while index < max_rows {
            match seq.next_element_seed(RowSeed {
                seed: self.seed,
                register: self.register,
                pointer: self.pointer,
                index,
            })? {
                Some(row) => table.rows.push(row),
                None => return Ok(Some(RegisterInput::Rows(table))),
            }
            index += 1;
        }
        if seq.next_element::<IgnoredAny>()?.is_some() {
            self.seed.problem(
                format!("{}/{index}", self.pointer),
                false,
                format!(
                    "the register has more rows than kaohe reads {}",
                    crate::limits::Limit::Rows.hint()
                ),
                None,
            );
            while seq.next_element::<IgnoredAny>()?.is_some() {}
        }
        Ok(Some(RegisterInput::Rows(table)))
    }
    /// `{file: schools.csv, encoding: gbk}`: a CSV file in a declared encoding.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut file, mut encoding, mut ok) = (None, Encoding::Detect, true);
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("{}/{}", self.pointer, escape(&key));
            let raw = map.next_value_seed(RawSeed)?;
            match (key.as_str(), raw) {
                ("file", Raw::Str(s)) => file = Some(s),
                ("encoding", Raw::Str(s)) => match Encoding::named(&s) {
                    Some(e) => encoding = e,
                    None => {
                        ok = false;
                        self.seed.problem(
                            pointer,
                            false,
                            format!("unknown encoding `{s}`"),
                            Some(format!("write one of {}", Encoding::NAMES.join(", "))),
                        );
                    }
                },
                ("file" | "encoding", other) => {
                    ok = false;
                    self.seed.problem(
                        pointer,
                        false,
                        format!("expected text for `{key}`, found {}", other.describe()),
                        None,
                    );
                }
                _ => {
                    ok = false;
                    self.seed
                        .unknown_key(pointer, "key", &key, &["file", "encoding"]);
                }
            }
        }
        match file {
            Some(f) if ok => Ok(Some(RegisterInput::Csv(f, encoding))),
            Some(_) => Ok(None),
            None => {
                if ok {
                    self.seed.problem(
                        self.pointer.to_string(),
                        false,
                        "a CSV register given as a mapping names its `file`".into(),
                        None,
                    );
                }
                Ok(None)
            }
        }
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        self.wrong()
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        self.wrong()
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        self.wrong()
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        self.wrong()
    }
}

impl RegisterSeed<'_, '_> {
    fn wrong<E>(&self) -> Result<Option<RegisterInput>, E> {
        self.seed.problem(
            self.pointer.to_string(),
            false,
            format!(
                "register {} must be a list of rows or the path of a CSV file",
                self.register.label
            ),
            None,
        );
        Ok(None)
    }
}

/// A row's key, looked up among the register's columns without being copied: the
/// column's index, or the key itself when no column has that name. Rows usually list their
/// columns in the dictionary's order, so the column after the previous key is tried first,
/// before the hash lookup.
struct ColumnKey<'a>(&'a IndexMap<String, Field>, usize);

impl<'de> DeserializeSeed<'de> for ColumnKey<'_> {
    type Value = Result<usize, String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for ColumnKey<'_> {
    type Value = Result<usize, String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a column name")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        if let Some((name, _)) = self.0.get_index(self.1)
            && name == key
        {
            return Ok(Ok(self.1));
        }
        Ok(self.0.get_index_of(key).ok_or_else(|| key.to_string()))
    }
}

struct RowSeed<'s, 'a> {
    seed: &'s DocumentSeed<'a>,
    register: &'a Register,
    pointer: &'s str,
    index: usize,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_, '_> {
    type Value = Vec<Option<super::Value>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_, '_> {
    type Value = Vec<Option<super::Value>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a row: a mapping of column names to values")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let columns = &self.register.columns;
        let mut row: Vec<Option<super::Value>> = vec![None; columns.len()];
        let mut seen = vec![false; columns.len()];
        let mut next = 0;
        while let Some(key) = map.next_key_seed(ColumnKey(columns, next))? {
            let (index, field) = match key {
                Ok(index) => match columns.get_index(index) {
                    Some((_, field)) => {
                        next = index + 1;
                        (index, field)
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    }
                },
                Err(key) => {
                    let pointer = format!("{}/{}/{}", self.pointer, self.index, escape(&key));
                    let known: Vec<&str> = columns.keys().map(String::as_str).collect();
                    self.seed.unknown_key(pointer, "column", &key, &known);
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let key = columns.get_index(index).map_or("", |(k, _)| k.as_str());
            if std::mem::replace(&mut seen[index], true) {
                let pointer = format!("{}/{}/{}", self.pointer, self.index, escape(key));
                self.seed
                    .problem(pointer, true, format!("duplicate column `{key}`"), None);
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let raw = map.next_value_seed(RawSeed)?;
            match convert(field, raw) {
                Ok(value) => row[index] = value,
                Err(e) => {
                    let pointer = format!("{}/{}/{}", self.pointer, self.index, escape(key));
                    let pointer = match e.element {
                        Some(i) => format!("{pointer}/{i}"),
                        None => pointer,
                    };
                    self.seed.problem(pointer, false, e.message, e.help);
                }
            }
        }
        Ok(row)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.not_a_row())
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(self.not_a_row())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(self.not_a_row())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(self.not_a_row())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(self.not_a_row())
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(self.not_a_row())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(self.not_a_row())
    }
}

impl RowSeed<'_, '_> {
    fn not_a_row(&self) -> Vec<Option<super::Value>> {
        self.seed.problem(
            format!("{}/{}", self.pointer, self.index),
            false,
            "a row must be a mapping of column names to values".into(),
            None,
        );
        vec![None; self.register.columns.len()]
    }
}

/// `departments:` — each department the person in charge, or a mapping with the bureau's
/// `unit` name for it and/or its `person`.
struct DepartmentsSeed<'s, 'a> {
    seed: &'s DocumentSeed<'a>,
}

impl<'de> DeserializeSeed<'de> for DepartmentsSeed<'_, '_> {
    type Value = IndexMap<String, super::Department>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl DepartmentsSeed<'_, '_> {
    fn not_a_mapping(&self, pointer: &str, what: &str) -> IndexMap<String, super::Department> {
        self.seed.problem(
            pointer.into(),
            false,
            format!("`{what}` must be a mapping of departments to the person in charge"),
            None,
        );
        IndexMap::new()
    }
}

impl<'de> Visitor<'de> for DepartmentsSeed<'_, '_> {
    type Value = IndexMap<String, super::Department>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of departments to the person in charge")
    }
    mapping_only!("/departments", "departments");
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = IndexMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("/departments/{}", escape(&key));
            let dept = map.next_value_seed(DepartmentSeed {
                seed: self.seed,
                pointer: &pointer,
            })?;
            if out.contains_key(&key) {
                self.seed
                    .problem(pointer, true, format!("duplicate key `{key}`"), None);
                continue;
            }
            if let Some(dept) = dept {
                out.insert(key, dept);
            }
        }
        Ok(out)
    }
}

/// One department: the person in charge, or `{unit: 法规科, person: 王芳}`.
struct DepartmentSeed<'s, 'a, 'p> {
    seed: &'s DocumentSeed<'a>,
    pointer: &'p str,
}

impl<'de> DeserializeSeed<'de> for DepartmentSeed<'_, '_, '_> {
    type Value = Option<super::Department>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl DepartmentSeed<'_, '_, '_> {
    fn wrong(&self, found: &str) -> Option<super::Department> {
        self.seed.problem(
            self.pointer.into(),
            false,
            format!(
                "expected the name of the person in charge, or a mapping with `unit` and/or `person`, found {found}"
            ),
            None,
        );
        None
    }
}

impl<'de> Visitor<'de> for DepartmentSeed<'_, '_, '_> {
    type Value = Option<super::Department>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a person's name, or a mapping with `unit` and `person`")
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Some(super::Department {
            unit: None,
            person: Some(s.to_string()),
        }))
    }
    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(Some(super::Department {
            unit: None,
            person: Some(s),
        }))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(self.wrong("nothing"))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(self.wrong("nothing"))
    }
    fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
        Ok(self.wrong(&Raw::Bool(b).describe()))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Self::Value, E> {
        Ok(self.wrong(&Raw::Int(i).describe()))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Self::Value, E> {
        Ok(self.wrong(&format!("integer `{u}`")))
    }
    fn visit_f64<E>(self, x: f64) -> Result<Self::Value, E> {
        Ok(self.wrong(&Raw::Float(x).describe()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.wrong("a list"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut dept = super::Department::default();
        let mut ok = true;
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("{}/{}", self.pointer, escape(&key));
            let slot = match key.as_str() {
                "unit" => &mut dept.unit,
                "person" => &mut dept.person,
                _ => {
                    self.seed
                        .unknown_key(pointer, "department key", &key, &["unit", "person"]);
                    map.next_value::<IgnoredAny>()?;
                    ok = false;
                    continue;
                }
            };
            match map.next_value_seed(RawSeed)? {
                Raw::Str(s) if !s.trim().is_empty() => *slot = Some(s),
                other => {
                    let found = match &other {
                        Raw::Str(_) => "an empty name".to_string(),
                        o => o.describe(),
                    };
                    self.seed.problem(
                        pointer,
                        false,
                        format!("expected a name, found {found}"),
                        None,
                    );
                    ok = false;
                }
            }
        }
        if ok && dept.unit.is_none() && dept.person.is_none() {
            self.seed.problem(
                self.pointer.into(),
                false,
                "a department's mapping names its `unit`, its `person` or both".into(),
                None,
            );
            ok = false;
        }
        Ok(ok.then_some(dept))
    }
}

/// `evidence:` — each name with one document or a list.
struct EvidenceSeed<'s, 'a> {
    seed: &'s DocumentSeed<'a>,
}

impl<'de> DeserializeSeed<'de> for EvidenceSeed<'_, '_> {
    type Value = IndexMap<String, Vec<String>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl EvidenceSeed<'_, '_> {
    fn not_a_mapping(&self, pointer: &str, what: &str) -> IndexMap<String, Vec<String>> {
        self.seed.problem(
            pointer.into(),
            false,
            format!("`{what}` must be a mapping of document names to references"),
            None,
        );
        IndexMap::new()
    }
}

impl<'de> Visitor<'de> for EvidenceSeed<'_, '_> {
    type Value = IndexMap<String, Vec<String>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of evidence names to documents")
    }
    mapping_only!("/evidence", "evidence");
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let dict = &self.seed.dict.evidence;
        let mut out = IndexMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("/evidence/{}", escape(&key));
            if !dict.contains_key(&key) {
                let known: Vec<&str> = dict.keys().map(String::as_str).collect();
                self.seed
                    .unknown_key(pointer, "evidence document", &key, &known);
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let docs = match map.next_value_seed(RawSeed)? {
                Raw::Str(s) => vec![s],
                Raw::List(items) if items.iter().all(Option::is_some) => {
                    items.into_iter().flatten().collect()
                }
                Raw::Null => Vec::new(),
                other => {
                    self.seed.problem(
                        pointer,
                        false,
                        format!(
                            "expected a document reference or a list of them, found {}",
                            other.describe()
                        ),
                        None,
                    );
                    continue;
                }
            };
            if out.insert(key.clone(), docs).is_some() {
                self.seed
                    .problem(pointer, true, format!("duplicate evidence `{key}`"), None);
            }
        }
        Ok(out)
    }
}

//! `schemas/rule-pack.schema.json` is a valid JSON Schema 2020-12 document, and it accepts
//! every file of the shipped and the good test packs through its own top-level dispatch
//! (`pack` / `cases` / `items`), as an editor's language server applies it. The schema and the
//! model (`kaohe::pack::model`) agree: they name the same keys, and every file of every pack in
//! the repository that the schema accepts, the model reads.

use std::path::{Path, PathBuf};

use kaohe::checks::compare::Compare;
use kaohe::checks::count::Count;
use kaohe::checks::coverage::Coverage;
use kaohe::checks::deadline::Deadline;
use kaohe::checks::each::Each;
use kaohe::checks::ratio::Ratio;
use kaohe::checks::{Check, Kind};
use kaohe::pack::{
    Band, Clause, DataDict, EvidenceKind, Field, Gate, GradeBand, Item, ItemsFile, Ops, Override,
    PackFile, PackMeta, Rectify, Register, Scoring, Section, SelfScoreGate, ValueSet, VetoRule,
};
use kaohe::pack::{Expect, TestCase, TestFile};
use serde::de::{self, DeserializeOwned, Visitor};

mod corpus;

fn schema() -> serde_json::Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/rule-pack.schema.json"),
    )
    .expect("schema file");
    serde_json::from_str(&text).expect("schema is JSON")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("entry").path();
        // A pack test's fixtures are submissions, not pack files.
        if path.ends_with("fixtures") {
            continue;
        }
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

#[test]
fn schema_is_valid_2020_12() {
    let schema = schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::meta::validate(&schema).expect("valid against the 2020-12 meta-schema");
}

#[test]
fn schema_accepts_every_file_of_valid_packs() {
    let validator = jsonschema::validator_for(&schema()).expect("schema compiles");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    yaml_files(&root.join("rules"), &mut files);
    yaml_files(&root.join("tests/packs/good"), &mut files);
    yaml_files(&root.join("tests/packs/base"), &mut files);
    yaml_files(&root.join("tests/compare"), &mut files);
    yaml_files(&root.join("tests/veto-clause"), &mut files);
    yaml_files(&root.join("tests/gates"), &mut files);
    yaml_files(&root.join("tests/nested"), &mut files);
    yaml_files(&root.join("tests/nested-city"), &mut files);
    yaml_files(&root.join("tests/periods"), &mut files);
    yaml_files(&root.join("tests/engine/schedule"), &mut files);
    assert!(!files.is_empty());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let node = kaohe::yaml::parse(&text).expect("parses");
        let errors: Vec<String> = validator
            .iter_errors(&node.to_json())
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

#[test]
fn schema_rejects_an_unknown_key_through_the_dispatch() {
    let validator = jsonschema::validator_for(&schema()).expect("schema compiles");
    let items = serde_json::json!({"items": [{"id": "A-1", "title": "t", "section": "s", "check": {"fact": {"x": true}}, "pionts": 1}]});
    assert!(!validator.is_valid(&items));
    let pack =
        serde_json::json!({"pack": {"id": "p", "title": "t", "version": "1.0.0"}, "scorng": {}});
    assert!(!validator.is_valid(&pack));
}

/// The schema applied to one kind of file, as `kaohe check` applies it: `packFile`,
/// `itemsFile` or `testFile`.
fn validator_for_def(def: &str) -> jsonschema::Validator {
    let mut schema = schema();
    let root = schema.as_object_mut().expect("an object");
    for keyword in ["if", "then", "else", "type"] {
        root.remove(keyword);
    }
    root.insert("$ref".into(), format!("#/$defs/{def}").into());
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// A deserializer that only records the field names a derived `Deserialize` asks for.
struct FieldNames<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> de::Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(de::Error::custom("fields recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The keys a model struct reads, sorted.
fn model_keys<T: DeserializeOwned>() -> Vec<String> {
    let mut fields = None;
    let _ = T::deserialize(FieldNames(&mut fields));
    let mut keys: Vec<String> = fields
        .expect("a struct")
        .iter()
        .map(|f| f.to_string())
        .collect();
    keys.sort();
    keys
}

/// The keys a check node reads: its label and points, and one key per kind.
fn check_keys() -> Vec<String> {
    let mut keys: Vec<String> = ["label", "points"]
        .into_iter()
        .chain(Kind::NAMES.iter().copied())
        .map(String::from)
        .collect();
    keys.sort();
    keys
}

/// The keys the schema object at `pointer` allows, sorted.
fn schema_keys(schema: &serde_json::Value, pointer: &str) -> Vec<String> {
    let object = schema
        .pointer(pointer)
        .expect("the pointer names a subschema");
    let mut keys: Vec<String> = object["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{pointer} has properties"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

/// Every object of the schema that the model reads into a struct lists the same keys as the
/// struct: the schema allows no key that the model would drop, and the model reads no key
/// that the schema rejects.
#[test]
fn schema_and_model_name_the_same_keys() {
    let schema = schema();
    let pairs: Vec<(&str, Vec<String>)> = vec![
        ("/$defs/packFile", model_keys::<PackFile>()),
        ("/$defs/itemsFile", model_keys::<ItemsFile>()),
        ("/$defs/packMeta", model_keys::<PackMeta>()),
        ("/$defs/gate", model_keys::<Gate>()),
        (
            "/$defs/gate/properties/self_score",
            model_keys::<SelfScoreGate>(),
        ),
        ("/$defs/scoring", model_keys::<Scoring>()),
        (
            "/$defs/scoring/properties/grades/items",
            model_keys::<GradeBand>(),
        ),
        ("/$defs/scoring/properties/veto", model_keys::<VetoRule>()),
        ("/$defs/section", model_keys::<Section>()),
        ("/$defs/data", model_keys::<DataDict>()),
        ("/$defs/evidenceKind", model_keys::<EvidenceKind>()),
        ("/$defs/field", model_keys::<Field>()),
        ("/$defs/register", model_keys::<Register>()),
        ("/$defs/set", model_keys::<ValueSet>()),
        ("/$defs/item", model_keys::<Item>()),
        ("/$defs/check", check_keys()),
        ("/$defs/coverage", model_keys::<Coverage>()),
        ("/$defs/each", model_keys::<Each>()),
        ("/$defs/count", model_keys::<Count>()),
        ("/$defs/compare", model_keys::<Compare>()),
        ("/$defs/ratio", model_keys::<Ratio>()),
        ("/$defs/deadline", model_keys::<Deadline>()),
        ("/$defs/operators", model_keys::<Ops>()),
        ("/$defs/rectify", model_keys::<Rectify>()),
        ("/$defs/clause", model_keys::<Clause>()),
        ("/$defs/band", model_keys::<Band>()),
        ("/$defs/override", model_keys::<Override>()),
        ("/$defs/testCase", model_keys::<TestCase>()),
        (
            "/$defs/item/properties/review",
            model_keys::<kaohe::pack::Review>(),
        ),
        (
            "/$defs/item/properties/veto_clause",
            model_keys::<kaohe::pack::VetoClause>(),
        ),
        ("/$defs/testCase/properties/expect", model_keys::<Expect>()),
    ];
    for (pointer, model) in pairs {
        assert_eq!(schema_keys(&schema, pointer), model, "{pointer}");
    }
}

/// The schema's "exactly one kind" rule on a check node lists the model's kinds, in order, and
/// sits where kaohe looks for it to explain its errors.
#[test]
fn schema_check_kinds_are_the_model_kinds() {
    let schema = schema();
    let branches = schema
        .pointer(kaohe::pack::schema::CHECK_KIND_KEYWORD)
        .and_then(serde_json::Value::as_array)
        .expect("the check-kind rule is a oneOf");
    let kinds: Vec<&str> = branches
        .iter()
        .map(|branch| {
            let object = branch.as_object().expect("a branch is an object");
            assert_eq!(object.len(), 1, "a branch only requires a key: {branch}");
            match object["required"].as_array().map(Vec::as_slice) {
                Some([kind]) => kind.as_str().expect("a key"),
                _ => panic!("a branch requires one key: {branch}"),
            }
        })
        .collect();
    assert_eq!(kinds, Kind::NAMES);
}

/// Every check node under `check` whose written keys the model does not read back (a second
/// kind the model would drop), with its JSON pointer.
fn dropped_keys(at: String, written: &serde_json::Value, check: &Check, out: &mut Vec<String>) {
    let read = serde_json::to_value(check).expect("a check serialises");
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    };
    if keys(written) != keys(&read) {
        out.push(format!(
            "{at}: written {:?}, the model reads {:?}",
            keys(written),
            keys(&read)
        ));
    }
    let parts = match &check.kind {
        Kind::All(all) => all.0.iter().collect::<Vec<_>>(),
        Kind::Any(any) => any.0.iter().collect(),
        Kind::Not(not) => vec![not.0.as_ref()],
        _ => Vec::new(),
    };
    let key = check.kind.name();
    for (i, part) in parts.into_iter().enumerate() {
        let (pointer, node) = match &check.kind {
            Kind::Not(_) => (format!("{at}/not"), written.get("not")),
            _ => (
                format!("{at}/{key}/{i}"),
                written.get(key).and_then(|l| l.get(i)),
            ),
        };
        if let Some(node) = node {
            dropped_keys(pointer, node, part, out);
        }
    }
}

/// Reads a document that the schema accepted into the model; returns what is wrong, if anything.
fn model_problem(def: &str, json: serde_json::Value) -> Option<String> {
    let mut dropped = Vec::new();
    let read = match def {
        "packFile" => serde_json::from_value::<PackFile>(json.clone()).map(|file| {
            for (i, o) in file.overrides.iter().enumerate() {
                let at = format!("/overrides/{i}/check");
                if let (Some(check), Some(node)) = (&o.check, json.pointer(&at)) {
                    dropped_keys(at, node, check, &mut dropped);
                }
            }
            for (i, g) in file.gates.iter().enumerate() {
                let at = format!("/gates/{i}/check");
                if let (Some(check), Some(node)) = (&g.check, json.pointer(&at)) {
                    dropped_keys(at, node, check, &mut dropped);
                }
            }
        }),
        "itemsFile" => serde_json::from_value::<ItemsFile>(json.clone()).map(|file| {
            for (i, item) in file.items.iter().enumerate() {
                let at = format!("/items/{i}/check");
                if let Some(node) = json.pointer(&at) {
                    dropped_keys(at, node, &item.check, &mut dropped);
                }
            }
        }),
        _ => serde_json::from_value::<TestFile>(json).map(|_| ()),
    };
    if let Err(e) = read {
        return Some(format!("the model cannot read it: {e}"));
    }
    dropped.into_iter().next()
}

/// Every pack directory of the repository: the shipped packs, the test packs, the engine's
/// packs and every case of the broken-pack corpus, written out under `tmp`.
fn every_pack(tmp: &Path) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut packs = Vec::new();
    for dir in ["rules", "tests/packs/good"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("readable") {
            packs.push(entry.expect("entry").path());
        }
    }
    for dir in [
        "tests/packs/base",
        "tests/engine/pack",
        "tests/engine/failing",
        "tests/gates",
        "tests/nested",
        "tests/nested-city",
    ] {
        packs.push(root.join(dir));
    }
    for name in corpus::case_names() {
        packs.push(corpus::materialise(&name, tmp));
    }
    packs
}

/// Every YAML file of every pack in the repository (including the broken ones) that the
/// schema accepts, the model reads, with exactly one kind in each check: what the schema lets
/// through never fails later for want of a model. Valid packs pass both.
#[test]
fn every_file_the_schema_accepts_the_model_reads() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let validators: Vec<(&str, jsonschema::Validator)> = ["packFile", "itemsFile", "testFile"]
        .into_iter()
        .map(|def| (def, validator_for_def(def)))
        .collect();
    let (mut accepted, mut rejected) = (0, 0);
    let mut problems = Vec::new();
    for pack in every_pack(tmp.path()) {
        let valid = !pack.starts_with(tmp.path());
        let mut files = Vec::new();
        yaml_files(&pack, &mut files);
        for file in files {
            let def = if file.file_name().is_some_and(|n| n == "pack.yaml") {
                "packFile"
            } else if file
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|n| n == "tests")
            {
                "testFile"
            } else {
                "itemsFile"
            };
            // Files that are not UTF-8, not YAML or empty never reach the schema.
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let Ok(node) = kaohe::yaml::parse(&text) else {
                continue;
            };
            let json = node.to_json();
            if json.is_null() {
                continue;
            }
            let validator = &validators.iter().find(|(d, _)| *d == def).expect("known").1;
            let problem = if validator.is_valid(&json) {
                accepted += 1;
                model_problem(def, json)
            } else {
                rejected += 1;
                valid.then(|| "the schema rejects a file of a valid pack".to_string())
            };
            if let Some(problem) = problem {
                problems.push(format!("{}: {problem}", file.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        accepted > 100 && rejected > 20,
        "{accepted} accepted, {rejected} rejected"
    );
}

//! `schemas/rule-pack.schema.json` is a valid JSON Schema 2020-12 document, and it accepts
//! every file of the shipped and the good test packs through its own top-level dispatch
//! (`pack` / `cases` / `items`), as an editor's language server applies it.

use std::path::{Path, PathBuf};

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

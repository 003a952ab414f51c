//! `kaohe schema PACK` and `kaohe assess` agree on what a submission is: every good and bad
//! submission of the repository, and the cases below, is accepted by both or refused by both,
//! except where only kaohe can tell (the content of CSV files, and the checks listed in
//! `KAOHE_ONLY`).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const PACK: &str = "rules/edu-rule-of-law";

/// What a JSON Schema cannot say, with the case or fixture that shows it.
const KAOHE_ONLY: [(&str, &str); 3] = [
    ("fixtures/bad/duplicate-key.yaml", "two rows with one key"),
    (
        "ratio-above-whole",
        "a ratio's numerator above its denominator",
    ),
    ("assessed-long-before", "an assessment date before the year"),
];

/// Cases both must accept: a submission needs only the bureau and the year.
const ACCEPTED: [&str; 11] = [
    "department-renamed",
    "department-unit-only",
    "department-person-mapping",
    "no-assessed-on",
    "null-assessed-on",
    "absent-required-fact",
    "absent-veto-fact",
    "bureau-and-year-only",
    "null-sections",
    "null-required-register",
    "empty-required-register",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn kaohe() -> Command {
    let mut cmd = Command::cargo_bin("kaohe").expect("binary builds");
    cmd.current_dir(root()).env("NO_COLOR", "1");
    cmd
}

fn validator() -> jsonschema::Validator {
    let out = kaohe().args(["schema", PACK]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
    jsonschema::meta::validate(&schema).expect("valid 2020-12");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

/// Whether kaohe accepts the submission (exit 0) or refuses it as bad input (exit 2).
fn kaohe_accepts(path: &Path) -> bool {
    let out = kaohe()
        .arg("assess")
        .arg(PACK)
        .arg(path)
        .output()
        .expect("runs");
    match out.status.code() {
        Some(0) => true,
        Some(2) => false,
        other => panic!("{}: exit {other:?}", path.display()),
    }
}

/// The submission as a JSON value, as an editor's language server would see it; `None` when
/// it does not parse (a schema accepts nothing then).
fn instance(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).ok()
    } else {
        kaohe::yaml::parse(&text).ok().map(|n| n.to_json())
    }
}

fn names_csv(doc: &Value) -> bool {
    doc["registers"]
        .as_object()
        .is_some_and(|r| r.values().any(Value::is_string))
}

/// A valid submission, and variants of it: (name, text replaced, replacement).
fn cases(dir: &Path) -> Vec<(String, PathBuf)> {
    let base = std::fs::read_to_string(root().join("fixtures/bad/bad-date.yaml"))
        .expect("fixture")
        .replace("2024-02-30", "2024-02-28");
    let variants: &[(&str, &str, &str)] = &[
        ("valid", "", ""),
        ("null-row-key", "- {name: 东湖县第一小学,", "- {name: null,"),
        (
            "blank-row-key",
            "- {name: 东湖县第一小学,",
            "- {name: \" \",",
        ),
        (
            "null-required-fact",
            "leading_group_established: true",
            "leading_group_established: null",
        ),
        (
            "percent-above-100",
            "service_satisfaction: 97.5%",
            "service_satisfaction: 150%",
        ),
        (
            "percent-with-space",
            "service_satisfaction: 97.5%",
            "service_satisfaction: \"95 %\"",
        ),
        (
            "percent-with-sign",
            "service_satisfaction: 97.5%",
            "service_satisfaction: \"+95%\"",
        ),
        (
            "percent-bare-whole",
            "service_satisfaction: 97.5%",
            "service_satisfaction: 97.5",
        ),
        (
            "blank-optional-values",
            "rule_of_law_meetings: 3",
            "rule_of_law_meetings: \"\"\n  annual_report_published_on: \" \"",
        ),
        (
            "blank-required-fact",
            "leading_group_established: true",
            "leading_group_established: \"\"",
        ),
        ("year-as-float", "year: 2023", "year: 2023.0"),
        ("year-fraction", "year: 2023", "year: 2023.5"),
        (
            "self-score-negative",
            "departments:",
            "self_scores: {LVP-01: -1}\ndepartments:",
        ),
        (
            "self-score-unknown-item",
            "departments:",
            "self_scores: {LVP-99: 1}\ndepartments:",
        ),
        (
            "self-score",
            "departments:",
            "self_scores: {LVP-01: 3.5}\ndepartments:",
        ),
        ("bureau-blank-name", "name: 东湖县教育局", "name: \" \""),
        ("bureau-number-name", "name: 东湖县教育局", "name: 123"),
        (
            "evidence-null",
            "duty_list: 2023年度第一责任人职责清单.pdf",
            "duty_list: null",
        ),
        (
            "date-unpadded",
            "annual_report_submitted_on: 2024-02-28",
            "annual_report_submitted_on: 2024-2-28",
        ),
        (
            "date-nonexistent",
            "annual_report_submitted_on: 2024-02-28",
            "annual_report_submitted_on: 2023-02-29",
        ),
        (
            "count-negative",
            "rule_of_law_meetings: 3",
            "rule_of_law_meetings: -3",
        ),
        (
            "count-huge",
            "rule_of_law_meetings: 3",
            "rule_of_law_meetings: 99999999999999999999",
        ),
        (
            "count-as-float",
            "rule_of_law_meetings: 3",
            "rule_of_law_meetings: 3.0",
        ),
        (
            "ratio-above-whole",
            "rule_of_law_meetings: 3",
            "rule_of_law_meetings: 3\n  hearings_requiring_head: 4\n  head_appearances: 5",
        ),
        (
            "assessed-long-before",
            "assessed_on: 2024-03-20",
            "assessed_on: 2019-03-20",
        ),
        ("missing-facts", "facts:", "facts_:"),
        // A department: its person, or a mapping with the bureau's unit name and/or person.
        (
            "department-renamed",
            "政策法规科: 汪洋}",
            "政策法规科: {unit: 法规科, person: 汪洋}}",
        ),
        (
            "department-unit-only",
            "政策法规科: 汪洋}",
            "政策法规科: {unit: 法规科}}",
        ),
        (
            "department-person-mapping",
            "政策法规科: 汪洋}",
            "政策法规科: {person: 汪洋}}",
        ),
        (
            "department-empty-mapping",
            "政策法规科: 汪洋}",
            "政策法规科: {}}",
        ),
        (
            "department-blank-unit",
            "政策法规科: 汪洋}",
            "政策法规科: {unit: \" \"}}",
        ),
        (
            "department-unknown-key",
            "政策法规科: 汪洋}",
            "政策法规科: {name: 汪洋}}",
        ),
        ("department-number", "政策法规科: 汪洋}", "政策法规科: 7}"),
        // Only the bureau and the year are needed: what else is absent is missing data.
        ("no-assessed-on", "assessed_on: 2024-03-20\n", ""),
        (
            "null-assessed-on",
            "assessed_on: 2024-03-20",
            "assessed_on: null",
        ),
        (
            "absent-required-fact",
            "  leading_group_established: true\n",
            "",
        ),
        (
            "absent-veto-fact",
            "  leader_interfered_in_cases: false\n",
            "",
        ),
    ];
    // Whole submissions.
    let whole: &[(&str, &str)] = &[
        (
            "bureau-and-year-only",
            "bureau: {name: 东湖县教育局}\nyear: 2023\n",
        ),
        (
            "null-sections",
            "bureau: {name: 东湖县教育局}\nyear: 2023\nfacts:\nregisters:\n",
        ),
        (
            "null-required-register",
            "bureau: {name: 东湖县教育局}\nyear: 2023\nregisters: {schools: null}\n",
        ),
        (
            "empty-required-register",
            "bureau: {name: 东湖县教育局}\nyear: 2023\nregisters: {schools: []}\n",
        ),
        ("no-year", "bureau: {name: 东湖县教育局}\n"),
        ("no-bureau", "year: 2023\n"),
    ];
    let whole = whole.iter().map(|(name, text)| {
        let path = dir.join(format!("{name}.yaml"));
        std::fs::write(&path, text).expect("write case");
        (name.to_string(), path)
    });
    variants
        .iter()
        .map(|(name, from, to)| {
            assert!(base.contains(from), "{name}: `{from}` is not in the base");
            let text = if from.is_empty() {
                base.clone()
            } else {
                base.replacen(from, to, 1)
            };
            let path = dir.join(format!("{name}.yaml"));
            std::fs::write(&path, text).expect("write case");
            (name.to_string(), path)
        })
        .chain(whole)
        .collect()
}

fn fixtures() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for dir in ["fixtures", "fixtures/bad", "fixtures/seeds"] {
        for entry in std::fs::read_dir(root().join(dir)).expect(dir) {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            let file = if path.is_dir() {
                path.join("submission.yaml")
            } else if dir != "fixtures" && (name.ends_with(".yaml") || name.ends_with(".json")) {
                path.clone()
            } else {
                continue;
            };
            if file.is_file() {
                out.push((format!("{dir}/{name}"), file));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_submission_schema_agrees_with_kaohe() {
    let validator = validator();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut all = fixtures();
    assert!(all.len() >= 20, "{all:?}");
    all.extend(cases(dir.path()));
    let mut disagreements = Vec::new();
    for (name, path) in &all {
        let kaohe = kaohe_accepts(path);
        let doc = instance(path);
        let schema = doc.as_ref().is_some_and(|d| validator.is_valid(d));
        let csv = doc.as_ref().is_some_and(names_csv);
        let kaohe_only = KAOHE_ONLY.iter().any(|(n, _)| n == name);
        if ACCEPTED.contains(&name.as_str()) && !(kaohe && schema) {
            disagreements.push(format!("{name}: must be accepted by both"));
        }
        let agree = match (schema, kaohe) {
            (a, b) if a == b => !kaohe_only,
            // Only kaohe reads CSV files, and checks what a schema cannot say.
            (true, false) => csv || kaohe_only,
            _ => false,
        };
        if !agree {
            let errors: Vec<String> = doc
                .iter()
                .flat_map(|d| {
                    validator
                        .iter_errors(d)
                        .map(|e| format!("{e} at {}", e.instance_path()))
                        .collect::<Vec<_>>()
                })
                .collect();
            disagreements.push(format!(
                "{name}: schema {}, kaohe {} {errors:?}",
                if schema { "accepts" } else { "refuses" },
                if kaohe { "accepts" } else { "refuses" },
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// Only the bureau and the year are required; a fact or register the pack marks required
/// says so to the editor (必报) without making anyone invent a value.
#[test]
fn only_bureau_and_year_are_required() {
    let out = kaohe().args(["schema", PACK]).output().expect("runs");
    let schema: Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
    assert_eq!(schema["required"], serde_json::json!(["bureau", "year"]));
    let props = &schema["properties"];
    assert!(props["facts"].get("required").is_none());
    assert!(props["registers"].get("required").is_none());
    let fact = &props["facts"]["properties"]["leading_group_established"];
    assert!(
        fact["description"]
            .as_str()
            .is_some_and(|d| d.contains("必报")),
        "{fact}"
    );
    let register = &props["registers"]["properties"]["schools"];
    assert!(
        register["description"]
            .as_str()
            .is_some_and(|d| d.contains("必报")),
        "{register}"
    );
}

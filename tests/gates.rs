//! Eligibility gates (申报条件, `tests/gates`): 自评分不低于90分 (the sum of the self-scores),
//! 近两年无重大安全责任事故 (a fact) and 年内应急演练不少于2次 (a count), judged before scoring.
//! A gate that fails or cannot be proven makes the submission ineligible, with the reasons;
//! the scores are computed as usual.

mod example;

use std::path::Path;

use assert_cmd::Command;
use kaohe::assess::{Assessment, GateState, GateTest, Options, assess};
use kaohe::pack::Pack;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn pack() -> Pack {
    example::pack("tests/gates")
}

const SUBMITTED: &str = "bureau: {name: 安全测试区教育局}\nyear: 2024\nassessed_on: 2025-03-01\n";

fn submission_file(dir: &Path, rest: &str) -> std::path::PathBuf {
    let path = dir.join("submission.yaml");
    std::fs::write(&path, format!("{SUBMITTED}{rest}")).expect("write");
    path
}

fn run(rest: &str) -> Assessment {
    example::assess_text(&pack(), &format!("{SUBMITTED}{rest}"), &[])
}

const GOOD_FACTS: &str = "facts: {emergency_plan: true, drills: 3, major_accident: false}\n";
const FULL_SELF: &str = "self_scores: {SAFE-01: 60, SAFE-02: 40}\n";

fn states(a: &Assessment) -> Vec<GateState> {
    let e = a.eligibility.as_ref().expect("the pack has gates");
    e.gates.iter().map(|g| g.state).collect()
}

/// The header's eligibility line, laid out wide enough not to be broken.
fn line(a: &Assessment) -> String {
    kaohe::report::text_in(a, 400)
        .lines()
        .find(|l| l.starts_with("申报条件："))
        .expect("the eligibility line")
        .to_string()
}

#[test]
fn every_gate_met_is_eligible() {
    let a = run(&format!("{GOOD_FACTS}{FULL_SELF}"));
    let e = a.eligibility.as_ref().expect("gates");
    assert!(e.eligible);
    assert_eq!(states(&a), [GateState::Met; 3]);
    assert_eq!(line(&a), "申报条件：具备");
}

#[test]
fn an_accident_fails_its_gate_with_the_reason_and_the_scores_stay() {
    let a = run(&format!(
        "facts: {{emergency_plan: true, drills: 3, major_accident: true}}\n{FULL_SELF}"
    ));
    let e = a.eligibility.as_ref().expect("gates");
    assert!(!e.eligible);
    assert_eq!(
        states(&a),
        [GateState::Met, GateState::NotMet, GateState::Met]
    );
    // Plan 60 + drills 40: the gate does not touch the score or the grade.
    assert_eq!((a.score.score, a.score.grade.as_str()), (100.0, "优秀"));
    assert_eq!(
        line(&a),
        "申报条件：不具备（近两年无重大安全责任事故：近两年发生重大安全责任事故应为否（实际：是））"
    );
    let text = kaohe::report::text(&a);
    assert!(text.contains("核定分：100 / 100   等次：优秀"), "{text}");
}

#[test]
fn a_count_gate_short_says_by_how_much() {
    let a = run(&format!(
        "facts: {{emergency_plan: true, drills: 1, major_accident: false}}\n{FULL_SELF}"
    ));
    assert_eq!(
        states(&a),
        [GateState::Met, GateState::Met, GateState::NotMet]
    );
    // Plan 60; one drill of two: SAFE-02 earns 0.
    assert_eq!(a.score.score, 60.0);
    assert_eq!(
        line(&a),
        "申报条件：不具备（年内应急演练不少于2次：实际1，要求≥2（少1））"
    );
}

#[test]
fn a_missing_fact_leaves_its_gate_unproven() {
    let a = run(&format!(
        "facts: {{emergency_plan: true, drills: 3}}\n{FULL_SELF}"
    ));
    let e = a.eligibility.as_ref().expect("gates");
    assert!(!e.eligible, "a gate that cannot be proven is not met");
    assert_eq!(
        states(&a),
        [GateState::Met, GateState::Unproven, GateState::Met]
    );
    match &e.gates[1].test {
        GateTest::Check { missing, .. } => assert_eq!(missing.len(), 1),
        other => panic!("a check gate: {other:?}"),
    }
    assert_eq!(a.score.score, 100.0);
    assert_eq!(
        line(&a),
        "申报条件：不具备（近两年无重大安全责任事故：无法证明，缺数据：近两年发生重大安全责任事故未填写）"
    );
}

#[test]
fn self_score_gate_met_at_the_minimum() {
    // 60 + 30 = 90: not lower than 90.
    let a = run(&format!(
        "{GOOD_FACTS}self_scores: {{SAFE-01: 60, SAFE-02: 30}}\n"
    ));
    let e = a.eligibility.as_ref().expect("gates");
    assert!(e.eligible);
    match &e.gates[0].test {
        GateTest::SelfScore { min, self_total } => {
            assert_eq!((*min, *self_total), (90.0, Some(90.0)));
        }
        other => panic!("a self-score gate: {other:?}"),
    }
}

#[test]
fn self_score_gate_unmet_below_the_minimum() {
    // 60 + 29.5 = 89.5 < 90.
    let a = run(&format!(
        "{GOOD_FACTS}self_scores: {{SAFE-01: 60, SAFE-02: 29.5}}\n"
    ));
    assert_eq!(
        states(&a),
        [GateState::NotMet, GateState::Met, GateState::Met]
    );
    assert_eq!(
        line(&a),
        "申报条件：不具备（自评分不低于90分：自评分合计89.5，要求不低于90）"
    );
    assert_eq!(a.score.score, 100.0, "the scores are still computed");
}

#[test]
fn self_score_gate_unproven_without_self_scores() {
    let a = run(GOOD_FACTS);
    assert_eq!(
        states(&a),
        [GateState::Unproven, GateState::Met, GateState::Met]
    );
    match &a.eligibility.as_ref().expect("gates").gates[0].test {
        GateTest::SelfScore { self_total, .. } => assert_eq!(*self_total, None),
        other => panic!("a self-score gate: {other:?}"),
    }
    assert_eq!(
        line(&a),
        "申报条件：不具备（自评分不低于90分：无法证明，未报自评分）"
    );
}

#[test]
fn a_pack_without_gates_has_no_eligibility() {
    let pack = kaohe::pack::load(&root().join("tests/veto-clause"))
        .expect("pack directory")
        .pack
        .expect("valid");
    assert!(pack.gates.is_empty());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = submission_file(
        dir.path(),
        "facts: {emergency_plan: true, drills: 2, major_accident: false}\n",
    );
    let submission = kaohe::submission::load(&pack, &path).expect("valid submission");
    let a = assess(&pack, "", &submission, &[], &[], Options::default());
    assert!(a.eligibility.is_none());
    assert!(!kaohe::report::text(&a).contains("申报条件"));
    let json: serde_json::Value = serde_json::from_str(&kaohe::report::json(&a)).expect("JSON");
    assert!(json.get("eligibility").is_none());
}

#[test]
fn the_markdown_and_json_reports_give_the_gates() {
    let a = run(&format!(
        "facts: {{emergency_plan: true, drills: 3, major_accident: true}}\n{FULL_SELF}"
    ));
    let md = kaohe::report::markdown(&a).expect("renders");
    assert!(
        md.contains("| 申报条件 | 不具备（近两年无重大安全责任事故："),
        "{md}"
    );
    let json: serde_json::Value = serde_json::from_str(&kaohe::report::json(&a)).expect("JSON");
    let e = &json["eligibility"];
    assert_eq!(e["eligible"], false);
    assert_eq!(e["gates"][1]["state"], "not_met");
    assert_eq!(e["gates"][1]["kind"], "check");
    assert_eq!(
        e["gates"][1]["text"],
        "未满足：近两年发生重大安全责任事故应为否（实际：是）"
    );
    assert_eq!(e["gates"][0]["kind"], "self_score");
    assert_eq!(e["gates"][0]["self_total"], 100.0);
    // The JSON follows the checked-in schema.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/assessment.schema.json")).expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    for sub in [
        format!("{GOOD_FACTS}{FULL_SELF}"),
        "facts: {emergency_plan: true, drills: 1}\n".to_string(),
    ] {
        let json: serde_json::Value =
            serde_json::from_str(&kaohe::report::json(&run(&sub))).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn the_pack_tests_pass() {
    Command::cargo_bin("kaohe")
        .expect("binary")
        .arg("test")
        .arg(root().join("tests/gates"))
        .assert()
        .success();
}

/// An overlay's gates come after its base's.
#[test]
fn an_overlay_adds_its_gates_after_the_base() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path().join("gates");
    std::fs::create_dir_all(base.join("items")).expect("dir");
    for file in ["pack.yaml", "items/safety.yaml"] {
        std::fs::copy(root().join("tests/gates").join(file), base.join(file)).expect("copy");
    }
    let overlay = dir.path().join("overlay");
    std::fs::create_dir_all(&overlay).expect("dir");
    std::fs::write(
        overlay.join("pack.yaml"),
        "pack: {id: overlay, title: 地方版, version: 0.1.0, extends: ../gates}\n\
         gates:\n  - {label: 制定应急预案, check: {fact: {emergency_plan: true}}}\n",
    )
    .expect("write");
    let loaded = kaohe::pack::load(&overlay).expect("pack directory");
    let pack = loaded.pack.expect("valid");
    let labels: Vec<&str> = pack.gates.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "自评分不低于90分",
            "近两年无重大安全责任事故",
            "年内应急演练不少于2次",
            "制定应急预案"
        ]
    );
}

/// A fact that only a gate needs is on the 缺报清单, with the gate it leaves unproven.
#[test]
fn a_fact_a_gate_needs_is_on_the_incomplete_list() {
    let a = run(&format!(
        "facts: {{emergency_plan: true, drills: 3}}\n{FULL_SELF}"
    ));
    let absent: Vec<String> = a.incomplete.iter().map(kaohe::report::absent).collect();
    assert_eq!(
        absent,
        ["近两年发生重大安全责任事故：申报条件「近两年无重大安全责任事故」无法证明"]
    );
    let json: serde_json::Value = serde_json::from_str(&kaohe::report::json(&a)).expect("JSON");
    assert_eq!(
        json["incomplete"][0]["gates"],
        serde_json::json!(["近两年无重大安全责任事故"])
    );
}

/// A pack test expecting the wrong eligibility fails as `pack/case/eligible`, with the
/// eligibility line as the reason.
#[test]
fn a_wrong_eligibility_expectation_fails_its_pack_test() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = dir.path().join("gates");
    std::fs::create_dir_all(pack.join("items")).expect("dir");
    std::fs::create_dir_all(pack.join("tests")).expect("dir");
    for file in ["pack.yaml", "items/safety.yaml"] {
        std::fs::copy(root().join("tests/gates").join(file), pack.join(file)).expect("copy");
    }
    std::fs::write(
        pack.join("tests/wrong.yaml"),
        "cases:\n  - name: accident\n    submission:\n      bureau: {name: 安全测试区教育局}\n      \
         year: 2024\n      facts: {emergency_plan: true, drills: 3, major_accident: true}\n      \
         self_scores: {SAFE-01: 60, SAFE-02: 40}\n    expect: {eligible: true}\n",
    )
    .expect("write");
    let out = Command::cargo_bin("kaohe")
        .expect("binary")
        .arg("test")
        .arg(&pack)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).expect("UTF-8");
    assert!(out.contains("gates-example/accident/eligible"), "{out}");
    assert!(
        out.contains("申报条件：不具备（近两年无重大安全责任事故"),
        "{out}"
    );
}

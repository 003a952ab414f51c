//! A veto clause on a standard item (`tests/veto-clause`: SAFE-01, 4 points for an emergency
//! plan and two drills, vetoed by a major accident): the item keeps its points, the veto fires
//! when the clause fails, is 待核实 when its data is missing, and no waiver lifts it.

mod example;

use std::path::Path;

use assert_cmd::Command;
use kaohe::assess::{Assessment, VetoState};
use kaohe::pack::Pack;
use kaohe::score::Status;
use kaohe::waiver::Waiver;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn pack() -> Pack {
    example::pack("tests/veto-clause")
}

fn run(facts: &str, waivers: &[Waiver]) -> Assessment {
    let text = format!(
        "bureau: {{name: 安全测试区教育局}}\nyear: 2024\nassessed_on: 2025-03-01\nfacts: {facts}\n"
    );
    example::assess_text(&pack(), &text, waivers)
}

#[test]
fn an_accident_fires_the_veto_and_the_points_stay() {
    let a = run(
        "{emergency_plan: true, drills: 2, major_accident: true}",
        &[],
    );
    let o = &a.items[0];
    // Plan 2 + drills 2 = 4: the clause does not take the item's points.
    assert_eq!((o.status, o.awarded), (Status::Pass, 4.0));
    assert_eq!(
        o.veto_clause.as_ref().map(|c| c.state),
        Some(VetoState::Fired)
    );
    assert!(o.gap, "a fired clause puts the item on the gap list");
    assert_eq!(a.score.vetoes, ["SAFE-01"]);
    assert_eq!((a.score.score, a.score.grade.as_str()), (4.0, "不合格"));
    let text = kaohe::report::text(&a);
    assert!(text.contains("一票否决：触发 SAFE-01"), "{text}");
    assert!(
        text.contains("一票否决条款：发生重大安全责任事故的，一票否决（触发）"),
        "{text}"
    );
    let md = kaohe::report::markdown(&a).expect("markdown");
    assert!(md.contains("一票否决条款："), "{md}");
}

#[test]
fn no_accident_is_clear() {
    let a = run(
        "{emergency_plan: true, drills: 3, major_accident: false}",
        &[],
    );
    assert_eq!(
        a.items[0].veto_clause.as_ref().map(|c| c.state),
        Some(VetoState::Clear)
    );
    assert!(!a.items[0].gap && a.score.vetoes.is_empty());
    assert_eq!(a.score.grade, "合格");
}

#[test]
fn an_unreported_accident_fact_is_unverified() {
    let a = run("{emergency_plan: true, drills: 3}", &[]);
    assert_eq!(
        a.items[0].veto_clause.as_ref().map(|c| c.state),
        Some(VetoState::Unverified)
    );
    assert!(a.score.vetoes.is_empty());
    assert_eq!(a.score.vetoes_unverified, ["SAFE-01"]);
    assert!(a.items[0].gap);
}

#[test]
fn a_waiver_of_the_item_does_not_lift_its_veto() {
    let waiver = Waiver {
        item: "SAFE-01".into(),
        rows: Vec::new(),
        reason: "学校撤并".into(),
        approved_by: "市教育局".into(),
        expires_on: "2099-12-31".parse().expect("date"),
    };
    let a = run(
        "{emergency_plan: true, drills: 3, major_accident: true}",
        &[waiver],
    );
    assert_eq!(a.items[0].status, Status::Waived);
    assert_eq!(a.score.vetoes, ["SAFE-01"]);
}

#[test]
fn the_pack_checks_and_its_tests_pass() {
    for command in ["check", "test"] {
        Command::cargo_bin("kaohe")
            .expect("binary")
            .current_dir(root())
            .args([command, "tests/veto-clause"])
            .assert()
            .success();
    }
}

/// `kaohe check` on a copy of the pack with its items file (and, optionally, its scoring)
/// replaced.
fn check(items: &str, without_veto: bool) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = dir.path().join("pack");
    std::fs::create_dir_all(pack.join("items")).expect("dirs");
    let mut text =
        std::fs::read_to_string(root().join("tests/veto-clause/pack.yaml")).expect("pack.yaml");
    if without_veto {
        text = text.replace("  veto: {grade: 不合格}\n", "");
    }
    std::fs::write(pack.join("pack.yaml"), text).expect("write");
    std::fs::write(pack.join("items/safety.yaml"), items).expect("write");
    let out = Command::cargo_bin("kaohe")
        .expect("binary")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["check", "pack"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn check_reports_a_misplaced_or_broken_veto_clause() {
    let out = check(
        "items:
  - id: SAFE-01
    title: t
    section: safety
    points: 4
    check: {fact: {emergency_plan: true}}
    veto_clause: {label: 事故, check: {fact: {major_acident: false}}}
",
        true,
    );
    assert!(
        out.contains("has a veto clause but the pack's scoring has no `veto`"),
        "{out}"
    );
    assert!(out.contains("did you mean `major_accident`?"), "{out}");
    let out = check(
        "items:
  - id: SAFE-01
    title: t
    section: safety
    points: 4
    check: {fact: {emergency_plan: true}}
  - id: VETO-01
    title: v
    section: safety
    kind: veto
    check: {fact: {major_accident: false}}
    veto_clause: {label: 事故, check: {fact: {major_accident: false}}}
",
        false,
    );
    assert!(
        out.contains("`veto_clause` belongs to a standard item, not a veto item"),
        "{out}"
    );
}

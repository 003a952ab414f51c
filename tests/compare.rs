//! The `compare` check, worked by hand over `tests/compare` (6 points: CMP-01 budget ≥ last
//! year's, 2; CMP-02 budget ≥ last year's × 1.05, 2; CMP-03 staff ≥ 3, 1; CMP-04 pass rate ≥
//! last year's, 1), and the mistakes `kaohe check` finds in one.

mod example;

use std::path::Path;

use assert_cmd::Command;
use kaohe::assess::Assessment;
use kaohe::checks::Quantity;
use kaohe::pack::Pack;
use kaohe::report;
use kaohe::score::Status;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn pack() -> Pack {
    example::pack("tests/compare")
}

fn run(facts: &str) -> Assessment {
    let text = format!(
        "bureau: {{name: 比较测试区教育局}}\nyear: 2024\nassessed_on: 2025-03-01\nfacts: {facts}\n"
    );
    example::assess_text(&pack(), &text, &[])
}

/// What the report writes for an item: measured, required, shortfall.
fn words(o: &kaohe::assess::ItemOutcome) -> [String; 3] {
    [
        o.measured
            .as_ref()
            .map(report::quantity)
            .unwrap_or_default(),
        o.required
            .as_ref()
            .map(report::requirement)
            .unwrap_or_default(),
        o.shortfall
            .as_ref()
            .map(report::shortfall)
            .unwrap_or_default(),
    ]
}

fn item<'a>(a: &'a Assessment, id: &str) -> &'a kaohe::assess::ItemOutcome {
    a.items.iter().find(|o| o.id == id).expect("item exists")
}

#[test]
fn growth_short_of_the_factor_fails_with_the_figures() {
    let a = run(
        "{budget: 20.6, budget_last_year: 20, legal_staff: 2, pass_rate: 94%, pass_rate_last_year: 95%}",
    );
    // 20.6 ≥ 20: not less than last year.
    assert_eq!(item(&a, "CMP-01").status, Status::Pass);
    assert_eq!(item(&a, "CMP-01").awarded, 2.0);
    // 20.6 < 20 × 1.05 = 21, short by 0.4.
    let growth = item(&a, "CMP-02");
    assert_eq!(growth.status, Status::Fail);
    assert_eq!(growth.awarded, 0.0);
    assert_eq!(growth.measured, Some(Quantity::Number { value: 20.6 }));
    assert_eq!(words(growth), ["20.6", "≥21", "差0.4"]);
    let problem = &growth
        .rectification
        .as_ref()
        .expect("a gap has a task")
        .problem;
    assert_eq!(
        problem,
        "普法经费20.6万元，未达到上年20万元的1.05倍（21万元）"
    );
    // 2 < 3 staff.
    assert_eq!(item(&a, "CMP-03").status, Status::Fail);
    // 94% < 95%, shown as percentages.
    let rate = item(&a, "CMP-04");
    assert_eq!(rate.status, Status::Fail);
    assert_eq!(rate.measured, Some(Quantity::Share { value: 0.94 }));
    assert_eq!(words(rate), ["94%", "≥95%", "差1个百分点"]);
    // 2 of 6 points.
    assert_eq!(a.score.score, 2.0);
}

#[test]
fn a_budget_cut_fails_both_budget_items() {
    let a = run("{budget: 18, budget_last_year: 20, legal_staff: 3}");
    let cut = item(&a, "CMP-01");
    assert_eq!(cut.status, Status::Fail);
    assert_eq!(
        cut.rectification.as_ref().expect("task").problem,
        "普法经费18万元，低于上年的20万元，差2万元"
    );
    assert_eq!(item(&a, "CMP-02").status, Status::Fail);
    assert_eq!(item(&a, "CMP-03").status, Status::Pass);
    // The pass rates are not reported: missing data, never a pass.
    assert_eq!(item(&a, "CMP-04").status, Status::MissingData);
}

#[test]
fn equal_meets_at_least_and_exact_growth_meets_the_factor() {
    let a = run(
        "{budget: 21, budget_last_year: 20, legal_staff: 3, pass_rate: 95%, pass_rate_last_year: 95%}",
    );
    for id in ["CMP-01", "CMP-02", "CMP-03", "CMP-04"] {
        assert_eq!(item(&a, id).status, Status::Pass, "{id}");
    }
    assert_eq!(a.score.score, 6.0);
}

#[test]
fn the_other_side_missing_is_missing_data() {
    let a = run("{budget: 22}");
    let o = item(&a, "CMP-01");
    assert_eq!(o.status, Status::MissingData);
    assert_eq!(
        o.missing,
        [kaohe::checks::Miss::NoValue {
            label: "上年度普法经费（万元）".into()
        }]
    );
    assert_eq!(report::misses(&o.missing), "上年度普法经费（万元）未填写");
}

#[test]
fn the_pack_checks_and_its_tests_pass() {
    let mut cmd = Command::cargo_bin("kaohe").expect("binary");
    cmd.current_dir(root()).args(["check", "tests/compare"]);
    cmd.assert().success();
    let mut cmd = Command::cargo_bin("kaohe").expect("binary");
    cmd.current_dir(root()).args(["test", "tests/compare"]);
    cmd.assert().success();
}

/// Copies the compare pack with its items file replaced and returns what `kaohe check` says.
fn check_items(items: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = dir.path().join("pack");
    std::fs::create_dir_all(pack.join("items")).expect("dirs");
    std::fs::copy(
        root().join("tests/compare/pack.yaml"),
        pack.join("pack.yaml"),
    )
    .expect("copy");
    std::fs::write(pack.join("items/funding.yaml"), items).expect("write");
    let output = Command::cargo_bin("kaohe")
        .expect("binary")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["check", "pack"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "the pack is rejected");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn check_reports_every_mistake_in_a_compare() {
    let out = check_items(
        "items:
  - {id: A-01, title: a, section: funding, points: 1, check: {compare: {fact: region, value: 3}}}
  - {id: A-02, title: b, section: funding, points: 1, check: {compare: {fact: budget, to: budget_last_year, value: 3}}}
  - {id: A-03, title: c, section: funding, points: 1, check: {compare: {fact: budget}}}
  - {id: A-04, title: d, section: funding, points: 1, check: {compare: {fact: budget, to: pass_rate}}}
  - {id: A-05, title: e, section: funding, points: 1, check: {compare: {fact: budget, to: budget_lastyear}}}
  - {id: A-06, title: f, section: funding, points: 1, check: {compare: {fact: budget, value: 1}}}
  - id: A-07
    title: g
    section: funding
    points: 0
    check: {compare: {fact: budget, value: 1}}
    rectify: {problem: '{{budget}}', measure: m, owner: o}
",
    );
    for expected in [
        "items/funding.yaml:2:79: `region` is a string",
        "`region` is a string, but `compare` needs a number",
        "`compare` takes another fact (`to`) or a value (`value`), not both",
        "`compare` names nothing to compare with",
        "`budget` is a number and `pass_rate` is a percent",
        "did you mean `budget_last_year`?",
        "a `compare` check provides no variable `budget`",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
    }
}

#[test]
fn a_factor_must_be_positive() {
    let out = check_items(
        "items:
  - {id: A-01, title: a, section: funding, points: 6, check: {compare: {fact: budget, value: 1, factor: 0}}}
",
    );
    assert!(out.contains("items/funding.yaml:2:"), "{out}");
    assert!(out.contains("`0` must be greater than `0`"), "{out}");
}

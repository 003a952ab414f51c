//! Counts per period and within a window (`tests/periods`): STU-01 needs a session each
//! quarter of the assessment year, STU-02 two 全员 trainings each semester (spring February to
//! July, autumn August to the next January), STU-03 a review in the assessment year or the one
//! before (近两年). Each case is worked by hand.

mod example;

use std::path::Path;

use assert_cmd::Command;
use kaohe::assess::{Assessment, ItemOutcome};
use kaohe::checks::{PeriodName, Shortfall};
use kaohe::pack::Pack;
use kaohe::score::Status;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn pack() -> Pack {
    example::pack("tests/periods")
}

/// Assesses a 2024 submission with these registers (YAML flow mappings).
fn run(registers: &str) -> Assessment {
    let text = format!(
        "bureau: {{name: 期间测试区教育局}}\nyear: 2024\nassessed_on: 2025-03-01\nregisters: {registers}\n"
    );
    example::assess_text(&pack(), &text, &[])
}

fn item<'a>(a: &'a Assessment, id: &str) -> &'a ItemOutcome {
    a.items.iter().find(|o| o.id == id).expect("item")
}

/// The periods a shortfall names: (period, count, short).
fn short_periods(o: &ItemOutcome) -> Vec<(PeriodName, i64, i64)> {
    match &o.shortfall {
        Some(Shortfall::Periods { periods, .. }) => periods
            .iter()
            .map(|p| (p.period, p.count, p.short))
            .collect(),
        other => panic!("not a periods shortfall: {other:?}"),
    }
}

#[test]
fn a_quarter_with_none_is_short_by_one() {
    // Q1 2, Q2 1, Q3 0, Q4 1: only the third quarter falls short, by 1 → 1 unit, 4 − 1 = 3.
    let a = run(
        "{sessions: [{id: S1, held_on: 2024-01-15}, {id: S2, held_on: 2024-03-31}, \
         {id: S3, held_on: 2024-04-01}, {id: S4, held_on: 2024-10-01}]}",
    );
    let o = item(&a, "STU-01");
    assert_eq!((o.status, o.awarded), (Status::Partial, 3.0));
    assert_eq!(short_periods(o), [(PeriodName::Quarter(3), 0, 1)]);
    assert_eq!(
        kaohe::report::shortfall(o.shortfall.as_ref().expect("shortfall")),
        "第3季度0次，少1次"
    );
}

#[test]
fn no_sessions_at_all_lose_every_quarter() {
    // Four quarters each short by 1: 4 units, capped at the item's 4 points.
    let a = run("{sessions: []}");
    let o = item(&a, "STU-01");
    assert_eq!((o.status, o.awarded), (Status::Fail, 0.0));
    assert_eq!(short_periods(o).len(), 4);
}

#[test]
fn a_semester_short_names_the_semester() {
    // Spring (Feb–Jul 2024): T1, T2 → 2, met. Autumn (Aug 2024–Jan 2025): T3, T4 → 2 of which
    // T4 is 骨干 and out of `where` → 1, short 1. T0 (January 2024) belongs to the autumn
    // semester of 2023 and is not counted.
    let a = run("{trainings: [{id: T0, kind: 全员, held_on: 2024-01-20}, \
         {id: T1, kind: 全员, held_on: 2024-02-26}, {id: T2, kind: 全员, held_on: 2024-07-05}, \
         {id: T3, kind: 全员, held_on: 2025-01-10}, {id: T4, kind: 骨干, held_on: 2024-09-10}]}");
    let o = item(&a, "STU-02");
    assert_eq!((o.status, o.awarded), (Status::Partial, 3.0));
    assert_eq!(short_periods(o), [(PeriodName::Autumn, 1, 1)]);
}

#[test]
fn rows_outside_the_year_are_ignored() {
    // One session in each quarter of 2023 and of 2025, none in 2024: all four 2024 quarters
    // are short.
    let a = run(
        "{sessions: [{id: A, held_on: 2023-02-01}, {id: B, held_on: 2023-05-01}, \
         {id: C, held_on: 2023-08-01}, {id: D, held_on: 2023-11-01}, \
         {id: E, held_on: 2025-01-02}, {id: F, held_on: 2023-12-31}]}",
    );
    let o = item(&a, "STU-01");
    assert_eq!((o.status, o.awarded), (Status::Fail, 0.0));
    assert_eq!(
        short_periods(o),
        [
            (PeriodName::Quarter(1), 0, 1),
            (PeriodName::Quarter(2), 0, 1),
            (PeriodName::Quarter(3), 0, 1),
            (PeriodName::Quarter(4), 0, 1),
        ]
    );
}

#[test]
fn the_two_year_window_counts_this_year_and_last() {
    // 2023-01-01 is the first day of the window (2023–2024); 2022-12-31 is outside it.
    let inside = run("{reviews: [{id: R1, done_on: 2023-01-01}]}");
    assert_eq!(item(&inside, "STU-03").status, Status::Pass);
    let before = run("{reviews: [{id: R1, done_on: 2022-12-31}]}");
    assert_eq!(item(&before, "STU-03").status, Status::Fail);
    // A row dated after the assessment year is not within it either.
    let after = run("{reviews: [{id: R1, done_on: 2025-01-01}]}");
    assert_eq!(item(&after, "STU-03").status, Status::Fail);
}

#[test]
fn the_pack_checks_and_its_tests_pass() {
    for command in ["check", "test"] {
        Command::cargo_bin("kaohe")
            .expect("binary")
            .current_dir(root())
            .args([command, "tests/periods"])
            .assert()
            .success();
    }
}

/// `kaohe check` on a copy of the pack with its items file replaced: (exit code, output).
fn check(items: &str) -> (i32, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = dir.path().join("pack");
    std::fs::create_dir_all(pack.join("items")).expect("dirs");
    std::fs::copy(
        root().join("tests/periods/pack.yaml"),
        pack.join("pack.yaml"),
    )
    .expect("copy");
    std::fs::write(pack.join("items/study.yaml"), items).expect("write");
    let out = Command::cargo_bin("kaohe")
        .expect("binary")
        .arg("check")
        .arg(&pack)
        .output()
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn item_with(count: &str) -> String {
    format!(
        "items:\n  - id: STU-01\n    title: 学法\n    section: study\n    points: 10\n    check:\n      count: {count}\n"
    )
}

#[test]
fn check_reports_a_period_date_column_that_is_missing_or_not_a_date() {
    let (code, out) = check(&item_with(
        "{of: sessions, per: {period: quarter, date: held}, min: 1}",
    ));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("register `sessions` has no column `held`"),
        "{out}"
    );
    let (code, out) = check(&item_with(
        "{of: sessions, within: {years: 2, date: id}, min: 1}",
    ));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("`id` is a string, but `count`"), "{out}");
}

/// A submission short in a quarter, a semester and the window: every short period reported.
const SHORT: &str = "{sessions: [{id: S1, held_on: 2024-01-15}, {id: S2, held_on: 2023-08-01}], \
     trainings: [{id: T1, kind: 全员, held_on: 2024-03-01}], \
     reviews: [{id: R1, done_on: 2022-11-30}]}";

#[test]
fn json_with_periods_matches_the_checked_in_schema() {
    let text =
        std::fs::read_to_string(root().join("schemas/assessment.schema.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compiles");
    let json = kaohe::report::json(&run(SHORT));
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(json.contains("\"kind\": \"periods\""), "{json}");
}

#[test]
fn explain_lists_each_period_and_the_rows_left_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("submission.yaml");
    std::fs::write(
        &path,
        format!(
            "bureau: {{name: 期间测试区教育局}}\nyear: 2024\nassessed_on: 2025-03-01\nregisters: {SHORT}\n"
        ),
    )
    .expect("write");
    let explain = |id: &str| {
        let out = Command::cargo_bin("kaohe")
            .expect("binary")
            .current_dir(root())
            .args(["assess", "tests/periods"])
            .arg(&path)
            .args(["--explain", id])
            .output()
            .expect("runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = explain("STU-01");
    for line in [
        "按学习日期计2024-01-01至2024-12-31：纳入1次，1次不在此期间",
        "每季度要求 ≥1：",
        "  ✓ 第1季度1次",
        "  ✗ 第2季度0次，少1次",
    ] {
        assert!(out.lines().any(|l| l == line), "no `{line}` in:\n{out}");
    }
    let out = explain("STU-02");
    for line in ["  ✗ 春季学期1次，少1次", "  ✗ 秋季学期0次，少2次"] {
        assert!(out.lines().any(|l| l == line), "no `{line}` in:\n{out}");
    }
    let out = explain("STU-03");
    assert!(
        out.contains("按清理日期计2023-01-01至2024-12-31：纳入0次，1次不在此期间"),
        "{out}"
    );
}

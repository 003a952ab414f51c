//! `kaohe test` run as a pack author's CI runs it.

use assert_cmd::Command;

mod corpus;

fn kaohe() -> Command {
    let mut cmd = Command::cargo_bin("kaohe").expect("binary builds");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    cmd
}

fn run(args: &[&str], code: i32) -> String {
    let out = kaohe().args(args).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn passing_pack_exits_0() {
    let out = run(&["test", "tests/engine/pack"], 0);
    assert_eq!(
        out,
        "engine-demo: ok: 3 cases, 15 expectations, 0 wrong, 0 errors\n"
    );
}

/// A deduction schedule: each clause deducts per occurrence up to its own cap, the item stops
/// at 0, and a clause whose data is missing deducts its whole cap (the arithmetic is in the
/// pack's `tests/cases.yaml`).
#[test]
fn schedule_clauses_share_the_item_points() {
    let out = run(&["test", "tests/engine/schedule"], 0);
    assert!(
        out.contains("13 cases, 54 expectations, 0 wrong, 0 errors"),
        "{out}"
    );
}

/// Each mismatch names the pack, case and item, what was expected, what the engine got, and
/// how the engine reached it.
/// A part of an `all` whose data is missing counts as a failing unit of `per_unit`: the
/// item scores per unit and says 缺数据.
#[test]
fn per_unit_over_all_counts_missing_parts_as_failing_units() {
    let out = run(&["test", "tests/engine/per-unit-all"], 0);
    assert!(out.contains("0 wrong, 0 errors"), "{out}");
}

/// Each mismatch names the pack, case and item, what was expected, what the engine got, and
/// how the engine reached it.
#[test]
fn mismatches_are_named_with_the_engine_reasoning() {
    let out = run(&["test", "tests/engine/failing", "tests/engine/pack"], 1);
    insta::assert_snapshot!("failing_human", out);
}

#[test]
fn junit_names_are_pack_case_item() {
    let out = run(
        &[
            "test",
            "--format",
            "junit",
            "tests/engine/failing",
            "tests/engine/pack",
        ],
        1,
    );
    insta::assert_snapshot!("failing_junit", out);
    let names: Vec<&str> = out
        .match_indices("name=\"")
        .map(|(i, _)| &out[i + 6..])
        .filter_map(|rest| rest.split('"').next())
        .filter(|name| name.matches('/').count() == 2)
        .collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(names.len(), unique.len(), "test names are unique");
    assert_eq!(names.len(), 20);
}

#[test]
fn shipped_packs_pass_their_tests() {
    let packs: Vec<String> =
        std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
            .expect("rules/")
            .map(|e| format!("rules/{}", e.expect("entry").file_name().to_string_lossy()))
            .collect();
    let args: Vec<&str> = std::iter::once("test")
        .chain(packs.iter().map(String::as_str))
        .collect();
    run(&args, 0);
}

#[test]
fn an_invalid_pack_fails_its_tests() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    corpus::materialise("dangling-section", tmp.path());
    let out = kaohe()
        .current_dir(tmp.path())
        .args(["test", "dangling-section"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("names section `schols`"), "{text}");
    assert!(text.contains("the pack is not valid"), "{text}");
}

#[test]
fn a_missing_pack_is_a_usage_error() {
    kaohe().args(["test", "no/such/pack"]).assert().code(2);
}

/// A copy of `tests/engine/pack` whose `compliant` case names a submission with a bad year.
fn pack_with_invalid_submission() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engine/pack");
    copy_dir(&from, &tmp.path().join("pack"));
    let fixture = tmp.path().join("pack/tests/fixtures/compliant.yaml");
    let text = std::fs::read_to_string(&fixture).expect("fixture");
    let broken: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("year:") {
                "year: twenty".to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&fixture, broken.join("\n") + "\n").expect("write fixture");
    tmp
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// A case whose submission is invalid is named, then its problems are shown as `kaohe assess`
/// shows them: not indented, without blank lines inside.
#[test]
fn an_invalid_submission_is_shown_as_assess_shows_it() {
    let tmp = pack_with_invalid_submission();
    let out = kaohe()
        .current_dir(tmp.path())
        .args(["test", "pack"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let assess = kaohe()
        .current_dir(tmp.path())
        .args(["assess", "pack", "pack/tests/fixtures/compliant.yaml"])
        .output()
        .expect("runs");
    assert_eq!(assess.status.code(), Some(2));
    let shown = String::from_utf8(assess.stderr).expect("utf-8");
    assert!(shown.contains("`year` must be a year"), "{shown}");
    assert!(
        text.contains(shown.trim_end()),
        "kaohe test shows:\n{text}\nkaohe assess shows:\n{shown}"
    );
    assert!(
        text.contains(
            "ERROR engine-demo/compliant: the submission `fixtures/compliant.yaml` is not valid\n"
        ),
        "{text}"
    );
    assert!(!text.contains("\n\n\n"), "{text}");
}

/// JUnit names an invalid pack's suite by its id and gives its problems in the error text.
#[test]
fn junit_shows_an_invalid_packs_problems() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    corpus::materialise("dangling-section", tmp.path());
    let out = kaohe()
        .current_dir(tmp.path())
        .args(["test", "--format", "junit", "dangling-section"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains(r#"<testsuite name="base""#), "{text}");
    assert!(
        text.contains(r#"<testcase classname="base" name="base">"#),
        "{text}"
    );
    assert!(
        text.contains(r#"<error message="the pack is not valid; run `kaohe check`">"#),
        "{text}"
    );
    assert!(text.contains("names section `schols`"), "{text}");
}

/// The engine pack copied to a temporary directory, with `case` appended to its test cases.
fn engine_pack_with_case(case: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("tests/engine/pack"), &tmp.path().join("pack"));
    let cases = tmp.path().join("pack/tests/cases.yaml");
    let mut text = std::fs::read_to_string(&cases).expect("cases");
    text.push_str(case);
    std::fs::write(&cases, text).expect("write cases");
    tmp
}

#[test]
fn an_inline_waiver_of_a_veto_item_is_refused() {
    let tmp = engine_pack_with_case(
        "  - name: waived-veto
    submission: fixtures/compliant.yaml
    waivers:
      - {item: VETO-01, reason: 干部已调离, approved_by: 市教育局, expires_on: 2099-12-31}
    expect:
      vetoes: []
",
    );
    let out = kaohe()
        .current_dir(tmp.path())
        .args(["test", "pack"])
        .output()
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("`VETO-01` is a veto item, which cannot be waived"),
        "{text}"
    );
}

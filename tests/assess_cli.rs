//! `kaohe assess` and `kaohe schema` run as a user runs them: the real binary.

use std::path::Path;

use assert_cmd::Command;
use predicates::str::contains;

mod corpus;

fn kaohe() -> Command {
    let mut cmd = Command::cargo_bin("kaohe").expect("binary builds");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    cmd
}

const PACK: &str = "tests/engine/pack";

fn stdout_of(args: &[&str]) -> String {
    let out = kaohe().args(args).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn stderr_of_failure(args: &[&str]) -> String {
    let out = kaohe().args(args).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty(), "nothing on stdout for bad input");
    String::from_utf8(out.stderr).expect("utf-8")
}

#[test]
fn text_report_of_a_compliant_submission() {
    let text = stdout_of(&["assess", PACK, "tests/engine/subs/compliant.yaml"]);
    insta::assert_snapshot!("engine_compliant_text", text);
}

#[test]
fn registers_read_from_csv() {
    // with-csv.yaml reads schools from a CSV (BOM, Chinese headers, a quoted key, an empty
    // cell): 二小 has no VP (COV-01 −0.5); 一中's hours are empty (COV-02: 2/3 = 66.67% of
    // 80% → 2 × 0.8333 = 1.67); cases = 0 takes RAT-01 (2) out of the denominator:
    // (18 − 0.5 − 0.33) × 20 / 18 = 19.08, plus 1 province-level school = 1 bonus → 20.08.
    let text = stdout_of(&["assess", PACK, "tests/engine/subs/with-csv.yaml"]);
    insta::assert_snapshot!("engine_csv_text", text);
}

#[test]
fn json_and_markdown_reports() {
    let args = [
        "assess",
        PACK,
        "tests/engine/subs/with-csv.yaml",
        "--waivers",
        "tests/engine/waivers.yaml",
    ];
    let json = stdout_of(&[&args[..], &["--format", "json"]].concat());
    insta::assert_snapshot!("engine_csv_json", json);
    let md = stdout_of(&[&args[..], &["--format", "md"]].concat());
    insta::assert_snapshot!("engine_csv_md", md);
}

#[test]
fn output_is_deterministic() {
    let args = [
        "assess",
        PACK,
        "tests/engine/subs/with-csv.yaml",
        "--format",
        "json",
    ];
    assert_eq!(stdout_of(&args), stdout_of(&args));
}

#[test]
fn explain_shows_the_computation_row_by_row() {
    let text = stdout_of(&[
        "assess",
        PACK,
        "tests/engine/subs/with-csv.yaml",
        "--explain",
        "COV-02",
    ]);
    insta::assert_snapshot!("engine_explain_cov02", text);
    let err = stderr_of_failure(&[
        "assess",
        PACK,
        "tests/engine/subs/with-csv.yaml",
        "--explain",
        "COV-2",
    ]);
    assert!(
        err.contains("the pack has no item `COV-2`; did you mean `COV-02`?"),
        "{err}"
    );
}

/// The explanation ends with the item's status, which a check line's `→ 未达标` (about the
/// check's requirement) does not contradict.
#[test]
fn explain_ends_with_the_items_status() {
    let text = stdout_of(&[
        "assess",
        PACK,
        "tests/engine/subs/with-csv.yaml",
        "--explain",
        "COV-02",
    ]);
    assert!(text.contains("状态：部分达标"), "{text}");
    assert_eq!(
        text.lines().last(),
        Some("结论：部分达标，得1.67分"),
        "{text}"
    );
}

#[test]
fn explain_suggests_an_id_that_differs_in_case() {
    let err = stderr_of_failure(&[
        "assess",
        PACK,
        "tests/engine/subs/with-csv.yaml",
        "--explain",
        "cov-02",
    ]);
    assert!(
        err.contains("the pack has no item `cov-02`; did you mean `COV-02`?"),
        "{err}"
    );
}

#[test]
fn explain_is_text_only() {
    for format in ["json", "md"] {
        let err = stderr_of_failure(&[
            "assess",
            PACK,
            "tests/engine/subs/with-csv.yaml",
            "--explain",
            "COV-02",
            "--format",
            format,
        ]);
        assert!(
            err.contains(&format!("cannot be combined with `--format {format}`")),
            "{err}"
        );
    }
}

/// Rows left out of the range because a `where` column is empty are counted apart from rows
/// whose value does not match.
#[test]
fn explain_counts_rows_left_out_for_an_empty_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sub = dir.path().join("unfilled.yaml");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engine/subs/compliant.yaml"),
    )
    .expect("fixture");
    std::fs::write(
        &sub,
        text.replace("{name: 一小, stage: 小学, ", "{name: 一小, "),
    )
    .expect("write");
    let out = stdout_of(&[
        "assess",
        PACK,
        sub.to_str().expect("utf-8 path"),
        "--explain",
        "COV-01",
    ]);
    assert!(
        out.lines()
            .any(|l| l.starts_with("学校：共4所") && l.ends_with("，纳入2所（1所学段未填写）")),
        "{out}"
    );
}

#[test]
fn fail_under_and_fail_on_veto_set_exit_code_1() {
    let sub = "tests/engine/subs/compliant.yaml";
    kaohe()
        .args(["assess", PACK, sub, "--fail-under", "20"])
        .assert()
        .code(0);
    kaohe()
        .args(["assess", PACK, sub, "--fail-under", "20.5"])
        .assert()
        .code(1);
    kaohe()
        .args(["assess", PACK, sub, "--fail-on-veto"])
        .assert()
        .code(0);
    let dir = tempfile::tempdir().expect("temp dir");
    let vetoed = dir.path().join("vetoed.yaml");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(sub)).expect("fixture");
    std::fs::write(
        &vetoed,
        text.replace("interfered: false", "interfered: true"),
    )
    .expect("write");
    let vetoed = vetoed.to_str().expect("utf-8 path");
    kaohe()
        .args(["assess", PACK, vetoed])
        .assert()
        .code(0)
        .stdout(contains("一票否决：触发 VETO-01"));
    kaohe()
        .args(["assess", PACK, vetoed, "--fail-on-veto"])
        .assert()
        .code(1);
    // A veto item whose data is missing cannot be certified: --fail-on-veto fails too.
    let unverified = dir.path().join("unverified.yaml");
    std::fs::write(&unverified, text.replace("  interfered: false\n", "")).expect("write");
    let unverified = unverified.to_str().expect("utf-8 path");
    kaohe()
        .args(["assess", PACK, unverified])
        .assert()
        .code(0)
        .stdout(contains("一票否决：待核实 VETO-01"));
    kaohe()
        .args(["assess", PACK, unverified, "--fail-on-veto"])
        .assert()
        .code(1);
}

/// A threshold that is not met says which bureau missed it, by how much, on stderr.
#[test]
fn unmet_thresholds_name_each_bureau() {
    let sub = "tests/engine/subs/compliant.yaml";
    let out = kaohe()
        .args(["assess", PACK, sub, "--fail-under", "20.5"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert_eq!(
        err,
        "error: tests/engine/subs/compliant.yaml: bureau `演示区教育局`: score 20 is below \
         `--fail-under 20.5`\n"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let vetoed = dir.path().join("vetoed.yaml");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(sub)).expect("fixture");
    std::fs::write(
        &vetoed,
        text.replace("interfered: false", "interfered: true"),
    )
    .expect("write");
    let vetoed = vetoed.to_str().expect("utf-8 path");
    let out = kaohe()
        .args(["assess", PACK, sub, vetoed, "--fail-on-veto"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bureau `演示区教育局`: vetoed by `VETO-01` (`--fail-on-veto`)"),
        "{err}"
    );
}

/// `--require-complete` fails a submission that lacks a fact or register the pack marks
/// required, naming each such bureau on one line; without it the same submission is assessed
/// (exit 0) with what it lacks in the 缺报清单.
#[test]
fn require_complete_names_each_incomplete_bureau() {
    let pack = "rules/edu-rule-of-law";
    let complete = "fixtures/compliant/submission.yaml";
    let incomplete = "fixtures/incomplete/submission.yaml";
    kaohe()
        .args(["assess", pack, complete, "--require-complete"])
        .assert()
        .code(0);
    kaohe()
        .args(["assess", pack, incomplete])
        .assert()
        .code(0)
        .stdout(contains("缺报清单（共3项，其中必报3项，考核不完整）"));
    let out = kaohe()
        .args(["assess", pack, complete, incomplete, "--require-complete"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert_eq!(
        err,
        "error: fixtures/incomplete/submission.yaml: bureau `清河县教育局`: incomplete, required \
         fact `leading_group_established`, fact `leader_interfered_in_cases`, register \
         `schools` not given (`--require-complete`)\n"
    );
}

/// `--fail-under` is a score the pack can give: finite, from 0 to its total and bonus cap.
#[test]
fn fail_under_must_be_a_possible_score() {
    let sub = "tests/engine/subs/compliant.yaml";
    for bad in ["NaN", "inf", "-1", "500"] {
        let err = stderr_of_failure(&["assess", PACK, sub, &format!("--fail-under={bad}")]);
        assert!(
            err.contains("`--fail-under` is a score from 0 to"),
            "{bad}: {err}"
        );
    }
    kaohe()
        .args(["assess", PACK, sub, "--fail-under", "0"])
        .assert()
        .code(0);
}

#[test]
fn output_file_is_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.json");
    let out_s = out.to_str().expect("utf-8 path");
    kaohe()
        .args([
            "assess",
            PACK,
            "tests/engine/subs/compliant.yaml",
            "--format",
            "json",
            "-o",
            out_s,
        ])
        .assert()
        .code(0)
        .stdout("");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("JSON");
    assert_eq!(json["score"]["score"], 20.0);

    let bad = dir.path().join("bad.json");
    let bad_s = bad.to_str().expect("utf-8 path");
    kaohe()
        .args(["assess", PACK, "tests/engine/bad/types.yaml", "-o", bad_s])
        .assert()
        .code(2);
    assert!(!bad.exists(), "nothing is written for bad input");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[test]
fn bad_submissions_are_reported_all_at_once_with_locations() {
    for (name, file) in [
        ("types", "tests/engine/bad/types.yaml"),
        ("json_syntax", "tests/engine/bad/syntax.json"),
        ("csv", "tests/engine/bad/csv/submission.yaml"),
        ("sections", "tests/engine/bad/sections.yaml"),
    ] {
        let err = stderr_of_failure(&["assess", PACK, file]);
        insta::assert_snapshot!(format!("engine_bad_{name}"), err);
    }
}

#[test]
fn waivers_are_validated() {
    let err = stderr_of_failure(&[
        "assess",
        PACK,
        "tests/engine/subs/compliant.yaml",
        "--waivers",
        "tests/engine/bad/waivers.yaml",
    ]);
    insta::assert_snapshot!("engine_bad_waivers", err);
}

#[test]
fn an_invalid_pack_is_bad_input() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    corpus::materialise("dangling-section", tmp.path());
    let submission = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engine/subs/compliant.yaml");
    let out = kaohe()
        .current_dir(tmp.path())
        .args(["assess", "dangling-section", &submission.to_string_lossy()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing on stdout for bad input");
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert!(err.contains("names section `schols`"), "{err}");
    assert!(err.contains("run `kaohe check dangling-section`"), "{err}");
}

#[test]
fn schema_describes_valid_submissions() {
    let text = stdout_of(&["schema", PACK]);
    let schema: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    jsonschema::meta::validate(&schema).expect("valid 2020-12 schema");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compiles");
    let load = |file: &str| {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
            .expect("fixture");
        kaohe::yaml::parse(&text).expect("parses").to_json()
    };
    let good = load("tests/engine/subs/compliant.yaml");
    let errors: Vec<String> = validator
        .iter_errors(&good)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(validator.is_valid(&load("tests/engine/subs/with-csv.yaml")));
    assert!(!validator.is_valid(&load("tests/engine/bad/types.yaml")));
}

#[test]
fn self_scores_name_items_and_are_not_negative() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join("tests/engine/subs/compliant.yaml")).expect("fixture");
    let line = text.lines().count() + 2;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("submission.yaml");
    std::fs::write(
        &path,
        format!("{text}self_scores:\n  COV-1: 3\n  FACT-01: -1\n"),
    )
    .expect("write");
    let path = path.to_str().expect("utf-8 path");
    let err = stderr_of_failure(&["assess", PACK, path]);
    assert!(
        err.contains(&format!(
            "submission.yaml:{line}:3: unknown item `COV-1` in `self_scores`"
        )),
        "{err}"
    );
    assert!(err.contains("did you mean `COV-01`?"), "{err}");
    assert!(
        err.contains(&format!(
            "submission.yaml:{}:12: a self-score cannot be negative: `-1`",
            line + 1
        )),
        "{err}"
    );
}

#[test]
fn an_item_or_row_waived_twice_is_an_error_at_the_second_waiver() {
    let err = stderr_of_failure(&[
        "assess",
        PACK,
        "tests/engine/subs/compliant.yaml",
        "--waivers",
        "tests/engine/bad/duplicate-waivers.yaml",
    ]);
    assert!(
        err.contains(
            "error[duplicate-waiver]: tests/engine/bad/duplicate-waivers.yaml:11:11: row `一小` of `COV-01` is waived twice"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "error[duplicate-waiver]: tests/engine/bad/duplicate-waivers.yaml:16:11: `FACT-01` is waived twice"
        ),
        "{err}"
    );
    assert!(err.contains("first waived here"), "{err}");
}

/// A deduction schedule's gap detail words each clause that deducted, from typed data: its
/// label, what its check measured and fell short by, occurrences × per and the capped
/// deduction; `--explain` lists every clause and the total; the JSON carries the clauses.
#[test]
fn schedule_clauses_in_gap_detail_and_explain() {
    let pack = "tests/engine/schedule";
    let sub = "tests/engine/schedule/tests/fixtures/shortfall.yaml";
    let text = stdout_of(&["assess", pack, sub]);
    for line in [
        "  扣分：未建立学法台账：扣1分（1次 × 1分 = 1分）",
        "  扣分：集体学法每少一次：2，少2，扣1分（2次 × 0.5分 = 1分）",
        "  扣分：执法人员未持证：2/4，2人不符合，扣0.4分（2次 × 0.2分 = 0.4分）",
    ] {
        assert!(text.contains(line), "{line} not in:\n{text}");
    }
    let md = stdout_of(&["assess", pack, sub, "--format", "md"]);
    assert!(
        md.contains("- 扣分：集体学法每少一次：2，少4，扣1.2分（4次 × 0.3分 = 1.2分）"),
        "{md}"
    );
    let explain = stdout_of(&["assess", pack, sub, "--explain", "SC-02"]);
    assert!(
        explain.contains("分项扣分（本项1.5分，扣完为止）："),
        "{explain}"
    );
    assert!(
        explain.contains("合计扣1.7分，超过本项分值 → 扣1.5分，得0分"),
        "{explain}"
    );
    let missing = stdout_of(&[
        "assess",
        pack,
        "tests/engine/schedule/tests/fixtures/sessions-missing.yaml",
    ]);
    assert!(
        missing.contains("扣分：集体学法每少一次：缺数据，按扣满2分计"),
        "{missing}"
    );
    let json = stdout_of(&["assess", pack, sub, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let clause = &json["items"][0]["schedule"][1];
    assert_eq!(clause["occurrences"], 2.0);
    assert_eq!(clause["deducted"], 1.0);
    assert_eq!(clause["shortfall"]["by"], 2);
}

/// Graded bands: the gap detail, `--explain` and the JSON say the measured value and the band
/// it reached, or the lowest band it missed.
#[test]
fn bands_in_gap_detail_and_explain() {
    let pack = "tests/engine/schedule";
    let fixtures = "tests/engine/schedule/tests/fixtures";
    let text = stdout_of(&[
        "assess",
        pack,
        &format!("{fixtures}/bands-seven-of-ten.yaml"),
    ]);
    assert!(
        text.contains("  分档计分：实测70%，达到≥60%档 → 得1分（本项3分）"),
        "{text}"
    );
    let md = stdout_of(&[
        "assess",
        pack,
        &format!("{fixtures}/bands-seven-of-ten.yaml"),
        "--format",
        "md",
    ]);
    assert!(
        md.contains("- 分档计分：实测70%，达到≥60%档 → 得1分（本项3分）"),
        "{md}"
    );
    let explain = stdout_of(&[
        "assess",
        pack,
        &format!("{fixtures}/shortfall.yaml"),
        "--explain",
        "BD-01",
    ]);
    assert!(
        explain.contains("分档计分：实测50%，低于最低档≥60% → 得0分（扣3分）"),
        "{explain}"
    );
    let json = stdout_of(&[
        "assess",
        pack,
        &format!("{fixtures}/bands-seven-of-ten.yaml"),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let band = &json["items"][2]["band"];
    assert_eq!(band["reached"]["min"], "60%");
    assert_eq!(band["awarded"], 1.0);
    assert_eq!(band["measured"]["value"], 0.7);
}

/// Several submissions give one document: a JSON array of the reports each gives alone, in
/// the order named; Markdown reports one after another. One that cannot be read stops them
/// all: exit 2, every unreadable file named, nothing on stdout.
#[test]
fn several_submissions_give_each_report_in_order() {
    let pack = "rules/edu-rule-of-law";
    let subs = [
        "fixtures/round/bureau-003.yaml",
        "fixtures/round/bureau-001.yaml",
        "fixtures/round/bureau-002.yaml",
    ];
    let all: serde_json::Value = serde_json::from_str(&stdout_of(
        &[&["assess", pack][..], &subs, &["--format", "json"]].concat(),
    ))
    .expect("a JSON array");
    let alone: Vec<serde_json::Value> = subs
        .iter()
        .map(|s| {
            serde_json::from_str(&stdout_of(&["assess", pack, s, "--format", "json"]))
                .expect("a JSON report")
        })
        .collect();
    assert_eq!(all, serde_json::Value::Array(alone));
    let md = stdout_of(&[&["assess", pack][..], &subs, &["--format", "md"]].concat());
    assert_eq!(md.matches("\n---\n\n").count(), 2);
    let out = kaohe()
        .args([
            "assess",
            pack,
            subs[0],
            "fixtures/round/bureau-009.yaml",
            subs[1],
        ])
        .args(["tests/engine/no-such-file.yaml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bureau-009.yaml") && stderr.contains("no-such-file.yaml"),
        "{stderr}"
    );
    assert!(
        stderr.find("bureau-009.yaml") < stderr.find("no-such-file.yaml"),
        "in the order named: {stderr}"
    );
}

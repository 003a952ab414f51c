//! `kaohe check` run as a user runs it: the real binary, its output and its exit code.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn kaohe() -> Command {
    let mut cmd = Command::cargo_bin("kaohe").expect("binary builds");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    cmd
}

fn case_dirs(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("corpus directory exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .expect("under the crate")
        .to_string_lossy()
        .into_owned()
}

/// Every broken pack gives located diagnostics and exit code 1; the snapshot holds the exact
/// text a rule author sees.
#[test]
fn broken_packs_give_located_diagnostics() {
    let cases = case_dirs("tests/packs/bad");
    assert!(cases.len() >= 25, "the corpus has {} cases", cases.len());
    for case in cases {
        let name = case
            .file_name()
            .expect("named")
            .to_string_lossy()
            .into_owned();
        let output = kaohe()
            .args(["check", &relative(&case)])
            .output()
            .expect("kaohe runs");
        let stdout = String::from_utf8(output.stdout).expect("utf-8 output");
        let stderr = String::from_utf8(output.stderr).expect("utf-8 output");
        assert_eq!(
            output.status.code(),
            Some(1),
            "{name}: expected exit 1\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        assert!(
            stdout.contains(&format!("{}/", relative(&case))) && stdout.contains("error["),
            "{name}: no located error:\n{stdout}"
        );
        insta::assert_snapshot!(format!("bad__{name}"), stdout);
    }
}

#[test]
fn good_packs_check_clean() {
    for case in case_dirs("tests/packs/good") {
        kaohe()
            .args(["check", &relative(&case)])
            .assert()
            .success()
            .stdout(predicates::str::contains(": ok: pack `"));
    }
}

#[test]
fn shipped_packs_check_clean() {
    for case in case_dirs("rules") {
        kaohe().args(["check", &relative(&case)]).assert().success();
    }
}

#[test]
fn several_packs_in_one_run_exit_1_when_any_is_broken() {
    kaohe()
        .args([
            "check",
            "tests/packs/good/minimal",
            "tests/packs/bad/dangling-section",
        ])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("tests/packs/good/minimal: ok"))
        .stdout(predicates::str::contains(
            "tests/packs/bad/dangling-section: 1 problem",
        ));
}

#[test]
fn json_format_lists_diagnostics_per_pack() {
    let output = kaohe()
        .args([
            "check",
            "--format",
            "json",
            "tests/packs/bad/dangling-section",
        ])
        .output()
        .expect("kaohe runs");
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    insta::assert_json_snapshot!("json__dangling_section", json);
}

#[test]
fn sarif_format_is_sarif_2_1_0_with_regions() {
    let output = kaohe()
        .args([
            "check",
            "--format",
            "sarif",
            "tests/packs/bad/dangling-section",
        ])
        .output()
        .expect("kaohe runs");
    assert_eq!(output.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "unknown-section");
    let location = &result["locations"][0]["physicalLocation"];
    assert!(
        location["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|uri| uri.starts_with("tests/packs/bad/dangling-section/"))
    );
    assert!(
        location["region"]["startLine"]
            .as_i64()
            .is_some_and(|l| l > 0)
    );
    assert!(
        location["region"]["startColumn"]
            .as_i64()
            .is_some_and(|c| c > 0)
    );
}

#[test]
fn sarif_of_a_valid_pack_has_no_results() {
    let output = kaohe()
        .args(["check", "--format", "sarif", "rules/edu-rule-of-law"])
        .output()
        .expect("kaohe runs");
    assert_eq!(output.status.code(), Some(0));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn usage_errors_exit_2() {
    kaohe()
        .args(["check", "no/such/pack"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "`no/such/pack` is not a directory",
        ));
    kaohe().args(["check"]).assert().code(2);
    kaohe()
        .args(["check", "--format", "xml", "rules/edu-rule-of-law"])
        .assert()
        .code(2);
    kaohe().arg("frobnicate").assert().code(2);
}

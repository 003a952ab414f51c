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

//! `kaohe check` run as a user runs it: the real binary, its output and its exit code.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use kaohe::diag::Code;

mod corpus;

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

/// The code and location (`<path>[:<line>:<col>]`) of each diagnostic of a human report.
fn diagnostics(report: &str) -> Vec<(String, String)> {
    report
        .lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("error[")
                .or_else(|| line.strip_prefix("warning["))?;
            let (code, rest) = rest.split_once("]: ")?;
            let location = rest.split_once(": ").map_or(rest, |(at, _)| at);
            Some((code.to_string(), location.to_string()))
        })
        .collect()
}

/// What is wrong with the report of corpus case `name` against its `case.yaml`, if anything.
fn case_problem(
    name: &str,
    spec: &corpus::Spec,
    code: Option<i32>,
    stdout: &str,
) -> Option<String> {
    if code != Some(1) {
        return Some(format!("{name}: exit code {code:?}, not 1\n{stdout}"));
    }
    let expect = spec.expected();
    let mut location = format!("{name}/{}", expect.file);
    if let Some((line, col)) = expect.line_col {
        location.push_str(&format!(":{line}:{col}"));
    }
    let found = diagnostics(stdout);
    let met = found
        .iter()
        .any(|(c, at)| *c == expect.code && *at == location);
    match (&spec.known_bug, met) {
        (None, true) | (Some(_), false) => None,
        (None, false) => Some(format!(
            "{name}: expected `{}` at `{location}`, found {found:?}",
            expect.code
        )),
        (Some(bug), true) => Some(format!(
            "{name}: the output now meets `expect`; remove `known_bug: {bug}` from its case.yaml"
        )),
    }
}

/// Every case of the broken-pack corpus, materialised from the base pack and its own files,
/// gives exit code 1 and the diagnostic its `case.yaml` expects. The snapshot holds the exact
/// text a rule author sees, with paths relative to the directory the case is written to. All
/// cases run before the test fails, so one run shows every mismatch.
#[test]
fn broken_packs_give_located_diagnostics() {
    let names = corpus::case_names();
    assert!(names.len() >= 25, "the corpus has {} cases", names.len());
    let tmp = tempfile::tempdir().expect("temporary directory");
    let tmp_path = tmp.path().to_string_lossy().into_owned();
    let mut run = 0;
    let mut problems = Vec::new();
    insta::glob!("packs/bad/*/case.yaml", |path| {
        let case_dir = path.parent().expect("in a case directory");
        let name = case_dir
            .file_name()
            .expect("named")
            .to_string_lossy()
            .into_owned();
        let spec = corpus::Spec::read(case_dir);
        corpus::materialise(&name, tmp.path());
        let output = kaohe()
            .current_dir(tmp.path())
            .args(["check", &name])
            .output()
            .expect("kaohe runs");
        let stdout = String::from_utf8(output.stdout).expect("utf-8 output");
        let stderr = String::from_utf8(output.stderr).expect("utf-8 output");
        let problem = case_problem(&name, &spec, output.status.code(), &stdout).or_else(|| {
            (stdout.contains(&tmp_path) || !stderr.is_empty())
                .then(|| format!("{name}: a temporary path or stderr\n{stdout}\nstderr:\n{stderr}"))
        });
        if let Some(problem) = problem {
            eprintln!("{problem}");
            problems.push(problem);
        }
        run += 1;
        insta::assert_snapshot!("bad", stdout);
    });
    let without: Vec<&String> = names
        .iter()
        .filter(|n| !corpus::bad_dir().join(n).join("case.yaml").is_file())
        .collect();
    assert!(without.is_empty(), "cases without a case.yaml: {without:?}");
    assert!(run > 0, "no case ran");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The good packs are valid, and so is the base pack of the broken-pack corpus: a case's
/// diagnostics come from its own files.
#[test]
fn good_packs_check_clean() {
    let mut dirs = case_dirs("tests/packs/good");
    dirs.push(corpus::base_dir());
    for case in dirs {
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

/// The corpus case `dangling-section` written to a temporary directory, and that directory.
fn dangling_section() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temporary directory");
    corpus::materialise("dangling-section", tmp.path());
    tmp
}

#[test]
fn several_packs_in_one_run_exit_1_when_any_is_broken() {
    let tmp = dangling_section();
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/packs/good/minimal");
    kaohe()
        .current_dir(tmp.path())
        .args(["check", &good.to_string_lossy(), "dangling-section"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("tests/packs/good/minimal: ok"))
        .stdout(predicates::str::contains("\ndangling-section: 1 problem"));
}

#[test]
fn json_format_lists_diagnostics_per_pack() {
    let tmp = dangling_section();
    let output = kaohe()
        .current_dir(tmp.path())
        .args(["check", "--format", "json", "dangling-section"])
        .output()
        .expect("kaohe runs");
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    // The pack is invalid, but its `pack.yaml` says what it is.
    assert_eq!(json["packs"][0]["id"], "base");
    insta::assert_json_snapshot!("json__dangling_section", json);
}

#[test]
fn the_current_directory_is_named_dot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/packs/good/minimal");
    kaohe()
        .current_dir(&dir)
        .args(["check", "."])
        .assert()
        .success()
        .stdout(predicates::str::starts_with(".: ok: pack `"));
}

#[test]
fn sarif_format_is_sarif_2_1_0_with_regions() {
    let tmp = dangling_section();
    let output = kaohe()
        .current_dir(tmp.path())
        .args(["check", "--format", "sarif", "dangling-section"])
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
            .is_some_and(|uri| uri.starts_with("dangling-section/"))
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

/// The SARIF of every case of the broken-pack corpus, checked in one run, is well formed: each
/// result names a rule of the driver by id and by index, and each rule is a code that a result
/// uses, with the code's description.
#[test]
fn sarif_has_a_described_rule_for_every_result() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let names = corpus::case_names();
    for name in &names {
        corpus::materialise(name, tmp.path());
    }
    let output = kaohe()
        .current_dir(tmp.path())
        .args(["check", "--format", "sarif"])
        .args(&names)
        .output()
        .expect("kaohe runs");
    assert_eq!(output.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    assert_eq!(sarif["version"], "2.1.0");
    assert_valid_sarif(&sarif);
    let runs = sarif["runs"].as_array().expect("`runs` is a list");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("the driver has `rules`");
    let mut ids: Vec<&str> = Vec::new();
    for rule in rules {
        let id = rule["id"].as_str().expect("a rule has an `id`");
        let code = Code::ALL
            .iter()
            .find(|c| c.name() == id)
            .unwrap_or_else(|| panic!("rule `{id}` is not a code"));
        assert_eq!(
            rule["shortDescription"]["text"].as_str(),
            Some(code.description()),
            "rule `{id}`"
        );
        assert!(!ids.contains(&id), "rule `{id}` is listed twice");
        ids.push(id);
    }
    let results = run["results"].as_array().expect("`results` is a list");
    assert!(results.len() >= names.len(), "{} results", results.len());
    let mut used = std::collections::BTreeSet::new();
    let mut with_related = 0;
    for result in results {
        let id = result["ruleId"].as_str().expect("a result has a `ruleId`");
        let index = result["ruleIndex"]
            .as_u64()
            .expect("a result has a `ruleIndex`");
        assert_eq!(
            ids.get(index as usize),
            Some(&id),
            "`ruleIndex` {index} of a `{id}` result"
        );
        used.insert(id);
        assert!(
            result["message"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{result}"
        );
        let locations = result["locations"].as_array().expect("`locations`");
        assert_eq!(locations.len(), 1, "{result}");
        let related = result
            .get("relatedLocations")
            .map(|r| r.as_array().expect("`relatedLocations` is a list"));
        for location in locations.iter().chain(related.into_iter().flatten()) {
            assert!(
                location["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .is_some_and(|uri| !uri.is_empty()),
                "{result}"
            );
        }
        with_related += usize::from(related.is_some());
        for location in related.into_iter().flatten() {
            assert!(
                location["message"]["text"]
                    .as_str()
                    .is_some_and(|t| !t.is_empty()),
                "{result}"
            );
        }
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "rules are listed in the order of their ids");
    assert_eq!(
        used.into_iter().collect::<Vec<_>>(),
        ids,
        "a rule no result uses"
    );
    assert!(ids.len() >= 25, "the corpus gives only {} codes", ids.len());
    assert!(with_related > 0, "no result has related locations");
}

/// The related locations the terminal shows as notes ("first defined here") are in JSON as
/// `related` and in SARIF as `relatedLocations`.
#[test]
fn json_and_sarif_keep_related_locations() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    corpus::materialise("duplicate-item-id", tmp.path());
    let run = |format: &str| {
        let output = kaohe()
            .current_dir(tmp.path())
            .args(["check", "--format", format, "duplicate-item-id"])
            .output()
            .expect("kaohe runs");
        assert_eq!(output.status.code(), Some(1));
        serde_json::from_slice::<serde_json::Value>(&output.stdout).expect("JSON output")
    };

    let json = run("json");
    let diagnostic = &json["packs"][0]["diagnostics"][0];
    assert_eq!(diagnostic["code"], "duplicate-id");
    assert_eq!(diagnostic["file"], "duplicate-item-id/items/schools.yaml");
    assert_eq!(
        diagnostic["related"],
        serde_json::json!([{
            "file": "duplicate-item-id/items/governance.yaml",
            "line": 13,
            "column": 9,
            "message": "first defined here",
        }])
    );

    let sarif = run("sarif");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "duplicate-id");
    let related = result["relatedLocations"]
        .as_array()
        .expect("`relatedLocations` is a list");
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["message"]["text"], "first defined here");
    assert_eq!(
        related[0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": {
                "uri": "duplicate-item-id/items/governance.yaml",
                "uriBaseId": "%SRCROOT%",
            },
            "region": {"startLine": 13, "startColumn": 9},
        })
    );
}

/// Without related locations, JSON has no `related` and SARIF no `relatedLocations`.
#[test]
fn json_and_sarif_omit_empty_related_locations() {
    let tmp = dangling_section();
    for (format, pointer) in [
        ("json", "/packs/0/diagnostics/0"),
        ("sarif", "/runs/0/results/0"),
    ] {
        let output = kaohe()
            .current_dir(tmp.path())
            .args(["check", "--format", format, "dangling-section"])
            .output()
            .expect("kaohe runs");
        let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let diagnostic = value.pointer(pointer).expect("one diagnostic");
        assert!(
            diagnostic.get("related").is_none(),
            "{format}: {diagnostic}"
        );
        assert!(
            diagnostic.get("relatedLocations").is_none(),
            "{format}: {diagnostic}"
        );
    }
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

/// The official SARIF 2.1.0 schema (see `tests/sarif/README.md`), with format checks.
fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif/sarif-schema-2.1.0.json"),
    )
    .expect("vendored schema");
    // The published schema's `language` patterns have a stray `]`, which is not a valid
    // regular expression; they are read as meant (see tests/sarif/README.md).
    let erratum = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(text.contains(erratum), "the erratum is where it was");
    let text = text.replace(erratum, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn assert_valid_sarif(sarif: &serde_json::Value) {
    let problems: Vec<String> = sarif_validator()
        .iter_errors(sarif)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}\n{sarif:#}");
}

/// SARIF URIs are URIs: a path under the current directory is relative to `%SRCROOT%` (which
/// the run declares), one outside it a `file://` URI; spaces and CJK are percent-encoded.
/// Columns count characters, which the run says.
#[test]
fn sarif_uris_are_encoded_and_valid_against_the_schema() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    corpus::materialise("dangling-section", tmp.path());
    let named = tmp.path().join("测试 包");
    std::fs::rename(tmp.path().join("dangling-section"), &named).expect("rename");

    // Under the current directory.
    let output = kaohe()
        .current_dir(tmp.path())
        .args(["check", "--format", "sarif", "测试 包"])
        .output()
        .expect("kaohe runs");
    assert_eq!(output.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    assert_valid_sarif(&sarif);
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("%SRCROOT% is declared");
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    let artifact = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        artifact["uri"],
        "%E6%B5%8B%E8%AF%95%20%E5%8C%85/items/schools.yaml"
    );
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");

    // Outside it.
    let elsewhere = tempfile::tempdir().expect("temporary directory");
    let output = kaohe()
        .current_dir(elsewhere.path())
        .args(["check", "--format", "sarif"])
        .arg(&named)
        .output()
        .expect("kaohe runs");
    assert_eq!(output.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    assert_valid_sarif(&sarif);
    let artifact =
        &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    let uri = artifact["uri"].as_str().expect("a uri");
    assert!(uri.starts_with("file:///"), "{uri}");
    assert!(
        uri.ends_with("/%E6%B5%8B%E8%AF%95%20%E5%8C%85/items/schools.yaml"),
        "{uri}"
    );
    assert!(artifact.get("uriBaseId").is_none(), "{artifact}");
}

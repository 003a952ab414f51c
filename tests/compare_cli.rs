//! `kaohe compare OLD_PACK NEW_PACK SUBMISSION...` run as a user runs it: the real binary.
//! (`tests/compare.rs` is the `compare` check kind.)

use std::path::Path;

use assert_cmd::Command;

const SHIPPED: &str = "rules/edu-rule-of-law";
const CITY: &str = "rules/edu-rule-of-law-city-strict";
/// The shipped pack with lower grade lines, SCH-03 and LVP-01 eased, and a new bonus item.
const REVISED: &str = "tests/compare-cli/revised";
/// The shipped pack with SCH-03 replaced by SCH-03B.
const REPLACED: &str = "tests/compare-cli/replaced";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn kaohe() -> Command {
    let mut cmd = Command::cargo_bin("kaohe").expect("binary builds");
    cmd.current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS");
    cmd
}

/// What `fixtures/*/submission.yaml fixtures/seeds/*.yaml` expands to, in the shell's order.
fn fixtures() -> Vec<String> {
    let mut subs: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .expect("fixtures")
        .filter_map(|e| {
            let dir = e.ok()?.path();
            dir.join("submission.yaml").is_file().then(|| {
                format!(
                    "fixtures/{}/submission.yaml",
                    dir.file_name().unwrap_or_default().to_string_lossy()
                )
            })
        })
        .collect();
    subs.sort();
    let mut seeds: Vec<String> = std::fs::read_dir(root().join("fixtures/seeds"))
        .expect("seeds")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.ends_with(".yaml")
                .then(|| format!("fixtures/seeds/{name}"))
        })
        .collect();
    seeds.sort();
    subs.extend(seeds);
    subs
}

fn run(args: &[&str]) -> std::process::Output {
    kaohe().arg("compare").args(args).output().expect("runs")
}

fn compare(old: &str, new: &str, subs: &[String], format: &str) -> String {
    let mut args = vec![old, new, "--format", format];
    args.extend(subs.iter().map(String::as_str));
    let out = run(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn json(old: &str, new: &str, subs: &[String]) -> serde_json::Value {
    serde_json::from_str(&compare(old, new, subs, "json")).expect("JSON")
}

fn bureau<'a>(c: &'a serde_json::Value, file: &str) -> &'a serde_json::Value {
    c["bureaus"]
        .as_array()
        .expect("bureaus")
        .iter()
        .find(|b| b["file"] == file)
        .unwrap_or_else(|| panic!("no bureau from `{file}`"))
}

#[test]
fn the_city_overlay_over_the_fixtures() {
    let subs = fixtures();
    assert!(subs.len() >= 12, "{subs:?}");
    insta::assert_snapshot!("city_text", compare(SHIPPED, CITY, &subs, "text"));
    insta::assert_snapshot!("city_md", compare(SHIPPED, CITY, &subs, "md"));
    insta::assert_snapshot!("city_json", compare(SHIPPED, CITY, &subs, "json"));
}

#[test]
fn a_revision_that_eases_the_pack_over_the_fixtures() {
    let subs = fixtures();
    insta::assert_snapshot!("revised_text", compare(SHIPPED, REVISED, &subs, "text"));
    insta::assert_snapshot!("revised_md", compare(SHIPPED, REVISED, &subs, "md"));
}

/// 三门峡市陕州区 (S2) under the city overlay. The shipped pack: 83.8 of a base of 95 (ENF-02
/// and ENF-03 do not apply), 83.8 / 95 × 100 = 88.21, plus 2 bonus = 90.21, 优秀 (≥ 90).
/// SCH-03: 20665 of 28686 students took part, 72.04%; the shipped bands give 1 (70%–80%), the
/// overlay's 0.5 (65%–75%). LVP-01 costs 1 per missing vice-principal instead of 0.5, but S2
/// misses none, so it does not move. 83.3 / 95 × 100 = 87.68, plus 2 = 89.68: 良好, a fall
/// explained by SCH-03 alone.
#[test]
fn a_grade_change_is_explained_by_the_items_that_moved_it() {
    let c = json(SHIPPED, CITY, &fixtures());
    let s2 = bureau(&c, "fixtures/seeds/s2-county.yaml");
    assert_eq!(s2["old"]["score"], 90.21);
    assert_eq!(s2["old"]["grade"], "优秀");
    assert_eq!(s2["new"]["score"], 89.68);
    assert_eq!(s2["new"]["grade"], "良好");
    assert_eq!(s2["score_change"], -0.53);
    assert_eq!(s2["grade_change"], "down");
    assert_eq!(s2["explained_by"], serde_json::json!(["SCH-03"]));
    let items = s2["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(items[0]["id"], "SCH-03");
    assert_eq!(items[0]["old"]["awarded"], 1.0);
    assert_eq!(items[0]["new"]["awarded"], 0.5);
    assert_eq!(items[0]["awarded_change"], -0.5);
    assert_eq!(items[0]["effect"], "down");
    // Overall: one bureau falls a grade, because of SCH-03; LVP-01 moves four bureaus'
    // scores and no grade.
    assert_eq!(c["summary"]["grade_changes"], 1);
    assert_eq!(c["summary"]["grade_down"], 1);
    assert_eq!(c["items"][0]["id"], "SCH-03");
    assert_eq!(c["items"][0]["grade_changes"], 1);
    assert_eq!(
        c["items"][0]["grade_changed"],
        serde_json::json!(["fixtures/seeds/s2-county.yaml"])
    );
    let lvp = c["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == "LVP-01")
        .expect("LVP-01 moved");
    assert_eq!(lvp["grade_changes"], 0);
    assert_eq!(lvp["down"], lvp["bureaus"]);
}

/// 某区教育局 (S1) under the revision. The shipped pack: 82.6 of 95 → 86.95, plus 1 bonus
/// = 87.95, 良好. The revision: LVP-01 costs 0.25 per missing vice-principal instead of 0.5
/// (4.5 → 4.75 of 5), so 82.85 / 95 × 100 = 87.21; the new bonus item MODEL-03 (a municipal
/// model school or better, 0.5 each, at most 1) adds 1, so the bonus is 2 (cap 3): 89.21 ≥ 88,
/// 优秀. Both items moved the score up: both explain the rise. The incomplete fixture keeps
/// its 81 and falls to 合格 because 良好 now starts at 82: no item explains it.
#[test]
fn a_rise_is_explained_by_each_item_that_moved_up_and_a_moved_line_by_none() {
    let c = json(SHIPPED, REVISED, &fixtures());
    let s1 = bureau(&c, "fixtures/seeds/s1-district.yaml");
    assert_eq!(s1["old"]["score"], 87.95);
    assert_eq!(s1["new"]["score"], 89.21);
    assert_eq!(s1["old"]["grade"], "良好");
    assert_eq!(s1["new"]["grade"], "优秀");
    assert_eq!(s1["grade_change"], "up");
    assert_eq!(
        s1["explained_by"],
        serde_json::json!(["MODEL-03", "LVP-01"])
    );
    let model = s1["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == "MODEL-03")
        .expect("MODEL-03");
    assert_eq!(model["change"], "added");
    assert!(model.get("old").is_none());
    assert_eq!(model["new"]["awarded"], 1.0);

    let incomplete = bureau(&c, "fixtures/incomplete/submission.yaml");
    assert_eq!(incomplete["score_change"], 0.0);
    assert_eq!(incomplete["grade_change"], "down");
    assert_eq!(incomplete["explained_by"], serde_json::json!([]));
    assert_eq!(c["summary"]["grade_changes_unexplained"], 1);
}

#[test]
fn the_json_fits_its_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/compare.schema.json")).expect("schema"),
    )
    .expect("JSON");
    jsonschema::meta::validate(&schema).expect("valid 2020-12 schema");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compiles");
    let subs = fixtures();
    for (old, new) in [(SHIPPED, CITY), (SHIPPED, REVISED), (REVISED, SHIPPED)] {
        let c = json(old, new, &subs);
        let errors: Vec<String> = validator.iter_errors(&c).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{old} → {new}: {errors:#?}");
    }
    // Removed items (the revision compared back with the shipped pack) fit it too.
    let back = json(REVISED, SHIPPED, &subs);
    assert!(
        back["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["change"] == "removed")
    );
}

/// The bureaus come in the order given; what is said about them does not depend on it.
#[test]
fn the_order_given_changes_only_the_order_of_bureaus() {
    let subs = fixtures();
    let reversed: Vec<String> = subs.iter().rev().cloned().collect();
    let forward = json(SHIPPED, REVISED, &subs);
    let backward = json(SHIPPED, REVISED, &reversed);
    assert_eq!(forward["summary"], backward["summary"]);
    let mut bureaus = backward["bureaus"].as_array().expect("bureaus").clone();
    bureaus.reverse();
    assert_eq!(&forward["bureaus"], &serde_json::Value::Array(bureaus));
    let ids = |c: &serde_json::Value| -> Vec<(String, u64)> {
        c["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                (
                    i["id"].as_str().unwrap_or_default().to_string(),
                    i["grade_changes"].as_u64().unwrap_or_default(),
                )
            })
            .collect()
    };
    assert_eq!(ids(&forward), ids(&backward));
    // The same run twice gives the same bytes.
    assert_eq!(
        compare(SHIPPED, REVISED, &subs, "text"),
        compare(SHIPPED, REVISED, &subs, "text")
    );
}

/// A folder stands for its `*.yaml` and `*.json` files in name order.
#[test]
fn a_folder_is_its_submissions_in_name_order() {
    let seeds: Vec<String> = fixtures()
        .into_iter()
        .filter(|s| s.starts_with("fixtures/seeds/"))
        .collect();
    assert_eq!(
        compare(SHIPPED, CITY, &["fixtures/seeds".to_string()], "json"),
        compare(SHIPPED, CITY, &seeds, "json")
    );
    let empty = tempfile::tempdir().expect("temp dir");
    let out = run(&[SHIPPED, CITY, &empty.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("holds no submission"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_bad_submission_is_reported_where_it_is_wrong_and_nothing_is_compared() {
    let out = run(&[
        SHIPPED,
        CITY,
        "fixtures/compliant/submission.yaml",
        "fixtures/bad/wrong-type.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing on stdout for bad input");
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert!(err.contains("fixtures/bad/wrong-type.yaml:"), "{err}");
    // Both packs find the same problems: they are said once.
    let first = err.lines().next().unwrap_or_default().to_string();
    assert_eq!(err.matches(&first).count(), 1, "{err}");
    assert!(!err.contains("under the new pack"), "{err}");
}

#[test]
fn a_submission_only_the_new_pack_refuses_is_bad_input_and_says_so() {
    // The partial fixture self-scores SCH-03, which the replacing pack does not have.
    let out = run(&[SHIPPED, REPLACED, "fixtures/partial/submission.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert!(
        err.contains("fixtures/partial/submission.yaml:") && err.contains("`SCH-03`"),
        "{err}"
    );
    assert!(
        err.contains("under the new pack `tests/compare-cli/replaced`"),
        "{err}"
    );
    // Without self-scores for SCH-03, the replacement is compared: one item added, one
    // removed.
    let c = json(SHIPPED, REPLACED, &["fixtures/seeds/s2-county.yaml".into()]);
    let changes: Vec<(&str, &str)> = c["bureaus"][0]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap_or_default(),
                i["change"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(changes, [("SCH-03B", "added"), ("SCH-03", "removed")]);
}

#[test]
fn waivers_apply_under_both_packs() {
    let plain = json(SHIPPED, CITY, &["fixtures/partial/submission.yaml".into()]);
    let args = [
        SHIPPED,
        CITY,
        "--format",
        "json",
        "--waivers",
        "fixtures/waivers.yaml",
        "fixtures/partial/submission.yaml",
    ];
    let out = run(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let waived: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    // The waiver exempts one school from LVP-01 under both packs: both scores rise.
    for side in ["old", "new"] {
        let before = plain["bureaus"][0][side]["score"]
            .as_f64()
            .unwrap_or_default();
        let after = waived["bureaus"][0][side]["score"]
            .as_f64()
            .unwrap_or_default();
        assert!(after > before, "{side}: {before} → {after}");
    }
}

/// The bureau shown in the README's `kaohe compare` section is what the README's command
/// prints for it.
#[test]
fn the_readme_shows_what_compare_prints() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let section = readme
        .split("### What a pack revision changes (kaohe compare)")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("the compare section");
    let shown = section
        .split("```text\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a text block");
    let printed = compare(
        SHIPPED,
        CITY,
        &[
            "fixtures/seeds".into(),
            "fixtures/partial/submission.yaml".into(),
        ],
        "text",
    );
    assert!(printed.contains(shown), "not what kaohe prints:\n{printed}");
}

/// A new red line: VETO-03 (学校领导班子述职述法) fires for the partial fixture, which
/// reports `school_leaders_reported_on_law: false`. Its score stays 86.02, its grade falls from
/// 良好 to the veto grade 不合格, and VETO-03 is what explains it; no points moved. Compared
/// the other way, the same bureau rises, explained by the red line that is gone.
#[test]
fn a_red_line_explains_the_fall_it_causes_and_its_removal_the_rise() {
    const RED_LINE: &str = "tests/compare-cli/red-line";
    let subs = [
        "fixtures/partial/submission.yaml".to_string(),
        "fixtures/veto/submission.yaml".to_string(),
    ];
    let c = json(SHIPPED, RED_LINE, &subs);
    let partial = bureau(&c, "fixtures/partial/submission.yaml");
    assert_eq!(partial["old"]["score"], 86.02);
    assert_eq!(partial["new"]["score"], 86.02);
    assert_eq!(partial["old"]["grade"], "良好");
    assert_eq!(partial["new"]["grade"], "不合格");
    assert_eq!(partial["new"]["vetoes"], serde_json::json!(["VETO-03"]));
    assert_eq!(partial["grade_change"], "down");
    assert_eq!(partial["explained_by"], serde_json::json!(["VETO-03"]));
    // Already vetoed by VETO-01: VETO-03 passes, nothing changes but the new item.
    let vetoed = bureau(&c, "fixtures/veto/submission.yaml");
    assert_eq!(vetoed["grade_change"], "same");
    assert_eq!(vetoed["items"][0]["new"]["status"], "pass");
    assert_eq!(vetoed["items"][0]["effect"], "same");

    let back = json(RED_LINE, SHIPPED, &subs);
    let partial = bureau(&back, "fixtures/partial/submission.yaml");
    assert_eq!(partial["grade_change"], "up");
    assert_eq!(partial["explained_by"], serde_json::json!(["VETO-03"]));
    assert_eq!(partial["items"][0]["change"], "removed");
}

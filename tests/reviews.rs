//! Items scored by reviewers (`tests/reviews`: ST-01 by a check, 2 points; RV-01 4 points,
//! mean; RV-02 3 points, median; RV-03 3 points from 1, trimmed mean): each reviewed item's
//! points are its reviewers' combined, rounded to 2 decimals; an item nobody reviewed is
//! pending (待评), earns 0 and stays in the denominator; a bad reviews file is refused with
//! every problem located, exit 2.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use kaohe::assess::{Assessment, Options, assess, pack_digest};
use kaohe::pack::Pack;
use kaohe::score::Status;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn pack_dir() -> PathBuf {
    root().join("tests/reviews")
}

fn pack() -> Pack {
    kaohe::pack::load(&pack_dir())
        .expect("pack directory")
        .pack
        .expect("valid")
}

const SUBMISSION: &str = "bureau: {name: 评审测试区教育局}\nyear: 2024\nassessed_on: 2025-03-01\nfacts: {emergency_plan: true}\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// A reviews file from `(item, reviewer, points)`.
fn reviews_yaml(entries: &[(&str, &str, f64)]) -> String {
    if entries.is_empty() {
        return "reviews: []\n".into();
    }
    let mut out = String::from("reviews:\n");
    for (item, reviewer, points) in entries {
        out.push_str(&format!(
            "  - {{item: {item}, reviewer: {reviewer}, points: {points}, reason: 实地查看，{reviewer}意见, date: 2025-02-20}}\n"
        ));
    }
    out
}

fn run(entries: &[(&str, &str, f64)]) -> Assessment {
    let dir = tempfile::tempdir().expect("temp dir");
    let sub = write(dir.path(), "submission.yaml", SUBMISSION);
    let rev = write(dir.path(), "reviews.yaml", &reviews_yaml(entries));
    let pack = pack();
    let submission = kaohe::submission::load(&pack, &sub).expect("submission");
    let reviews = kaohe::review::load(&pack, &rev).unwrap_or_else(|e| {
        panic!(
            "{}",
            kaohe::diag::render_human(&e.sources, &e.diagnostics, false)
        )
    });
    assess(
        &pack,
        &pack_digest(&pack),
        &submission,
        &[],
        &reviews,
        Options::default(),
    )
}

fn item<'a>(a: &'a Assessment, id: &str) -> &'a kaohe::assess::ItemOutcome {
    a.items.iter().find(|o| o.id == id).expect("item")
}

const FULL: &[(&str, &str, f64)] = &[
    // RV-01, mean: (3 + 3.5 + 2.5) / 3 = 3.
    ("RV-01", "专家甲", 3.0),
    ("RV-01", "专家乙", 3.5),
    ("RV-01", "专家丙", 2.5),
    // RV-02, median of 1, 3, 2.5 → 2.5.
    ("RV-02", "专家甲", 1.0),
    ("RV-02", "专家乙", 3.0),
    ("RV-02", "专家丙", 2.5),
    // RV-03, trimmed mean of 1, 2, 2.5, 3: without 1 and 3 → (2 + 2.5) / 2 = 2.25.
    ("RV-03", "专家甲", 1.0),
    ("RV-03", "专家乙", 2.0),
    ("RV-03", "专家丙", 2.5),
    ("RV-03", "专家丁", 3.0),
];

#[test]
fn mean_median_and_trimmed_mean() {
    let a = run(FULL);
    assert_eq!(
        (item(&a, "RV-01").status, item(&a, "RV-01").awarded),
        (Status::Partial, 3.0)
    );
    assert_eq!(item(&a, "RV-02").awarded, 2.5);
    assert_eq!(item(&a, "RV-03").awarded, 2.25);
    // 2 + 3 + 2.5 + 2.25 = 9.75 of 12.
    assert_eq!((a.score.score, a.score.grade.as_str()), (9.75, "合格"));
    assert_eq!((a.score.pending_items, a.score.pending_points), (0, 0.0));
    let text = kaohe::report::text(&a);
    assert!(
        text.contains("复核分 3（专家甲 3、专家乙 3.5、专家丙 2.5，取平均）"),
        "{text}"
    );
    assert!(text.contains("取中位数"), "{text}");
    assert!(
        text.contains("专家甲（2025-02-20）3分：实地查看，专家甲意见"),
        "{text}"
    );
    assert!(!text.contains("待评"), "{text}");
    let md = kaohe::report::markdown(&a).expect("markdown");
    assert!(md.contains("## 评审项"), "{md}");
    assert!(md.contains("去掉最高分和最低分后取平均"), "{md}");
    // The gap detail of a reviewed item that lost points says how its reviewers scored it.
    assert!(
        md.contains("### RV-01 学校安全台账规范（部分达标）\n\n- 复核分 3"),
        "{md}"
    );
}

#[test]
fn a_mean_is_rounded_to_two_decimals() {
    // (3 + 3 + 3.5) / 3 = 3.1666… → 3.17.
    let a = run(&[
        ("RV-01", "专家甲", 3.0),
        ("RV-01", "专家乙", 3.0),
        ("RV-01", "专家丙", 3.5),
    ]);
    assert_eq!(item(&a, "RV-01").awarded, 3.17);
}

#[test]
fn trimmed_mean_of_two_is_their_mean() {
    let a = run(&[("RV-03", "专家甲", 1.0), ("RV-03", "专家乙", 2.0)]);
    assert_eq!(item(&a, "RV-03").awarded, 1.5);
}

#[test]
fn an_item_nobody_reviewed_is_pending_and_scores_0() {
    // Only RV-01 is reviewed (4 points, full): RV-02 and RV-03 are pending, 6 points.
    let a = run(&[("RV-01", "专家甲", 4.0)]);
    assert_eq!(item(&a, "RV-01").status, Status::Pass);
    for id in ["RV-02", "RV-03"] {
        let o = item(&a, id);
        assert_eq!(
            (o.status, o.awarded, o.available),
            (Status::Pending, 0.0, 3.0)
        );
        assert!(!o.gap, "a pending item is not a gap");
    }
    assert_eq!((a.score.pending_items, a.score.pending_points), (2, 6.0));
    // Pending items stay in the denominator: 2 + 4 of 12.
    assert_eq!((a.score.available, a.score.score), (12.0, 6.0));
    let text = kaohe::report::text_in(&a, 400);
    assert!(text.contains("待评2项，共6分"), "{text}");
    assert!(
        text.contains("RV-02 安全教育课开设情况：待评（满分3分，尚无评分；评审要求：随堂听课，说明课时和内容是否落实）"),
        "{text}"
    );
    let md = kaohe::report::markdown(&a).expect("markdown");
    assert!(md.contains("| 待评 | 待评2项，共6分"), "{md}");
    let sheet = kaohe::report::sheet_text(&a, 300);
    assert!(sheet.contains("待评（满分3分，尚无评分；"), "{sheet}");
    assert!(sheet.contains("复核分 4（专家甲 4）"), "{sheet}");
}

#[test]
fn a_review_never_lowers_the_score() {
    // The lowest review RV-03 allows is 1, more than pending's 0.
    let pending = run(&[]);
    let reviewed = run(&[("RV-03", "专家甲", 1.0)]);
    assert!(reviewed.score.score > pending.score.score);
    let zero = run(&[("RV-01", "专家甲", 0.0)]);
    assert_eq!(zero.score.score, pending.score.score);
}

fn cli(dir: &Path, reviews: &str) -> assert_cmd::assert::Assert {
    let sub = write(dir, "submission.yaml", SUBMISSION);
    let rev = write(dir, "reviews.yaml", reviews);
    Command::cargo_bin("kaohe")
        .expect("binary")
        .arg("assess")
        .arg(pack_dir())
        .arg(&sub)
        .arg("--reviews")
        .arg(&rev)
        .assert()
}

#[test]
fn the_cli_reads_a_reviews_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = cli(dir.path(), &reviews_yaml(FULL)).success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("核定分：9.75 / 12"), "{text}");
}

#[test]
fn bad_reviews_are_located_and_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "\
reviews:
  - {item: RV-1, reviewer: 专家甲, points: 3, reason: 台账齐全, date: 2025-02-20}
  - {item: ST-01, reviewer: 专家甲, points: 2.5, reason: 台账齐全, date: 2025-02-20}
  - {item: RV-01, reviewer: 专家甲, points: 5, reason: 台账齐全, date: 2025-02-20}
  - {item: RV-03, reviewer: 专家甲, points: 0.5, reason: 台账齐全, date: 2025-02-20}
  - {item: RV-02, reviewer: 专家甲, points: 2, reason: '  ', date: 2025-02-30}
  - {item: RV-02, reviewer: 专家乙, points: 2, reason: 好, date: 2025-02-20}
  - {item: RV-02, reviewer: 专家乙, points: 3, reason: 好, date: 2025-02-21}
";
    let out = cli(dir.path(), text).code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    for (line, needle) in [
        (2, "the pack has no item `RV-1`"),
        // A re-check of an item scored by its check: from 0 to its points.
        (3, "`2.5` is outside `ST-01`'s range 0 to 2"),
        (4, "`5` is outside `RV-01`'s range 0 to 4"),
        (5, "`0.5` is outside `RV-03`'s range 1 to 3"),
        (6, "`reason` is blank"),
        (6, "`2025-02-30` is not a date"),
        (8, "`专家乙` reviews `RV-02` twice"),
    ] {
        assert!(err.contains(needle), "{needle}\n{err}");
        assert!(
            err.contains(&format!("reviews.yaml:{line}:")),
            "line {line}\n{err}"
        );
    }
    assert!(err.contains("did you mean `RV-01`?"), "{err}");
}

#[test]
fn reviews_take_one_submission() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sub = write(dir.path(), "submission.yaml", SUBMISSION);
    let rev = write(dir.path(), "reviews.yaml", &reviews_yaml(FULL));
    Command::cargo_bin("kaohe")
        .expect("binary")
        .arg("assess")
        .arg(pack_dir())
        .arg(&sub)
        .arg(&sub)
        .arg("--reviews")
        .arg(&rev)
        .assert()
        .code(2);
}

#[test]
fn json_with_reviews_and_pending_matches_the_schema() {
    let text =
        std::fs::read_to_string(root().join("schemas/assessment.schema.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compiles");
    for a in [run(FULL), run(&[("RV-01", "专家甲", 4.0)])] {
        let json: serde_json::Value = serde_json::from_str(&kaohe::report::json(&a)).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    let a = run(&[("RV-01", "专家甲", 4.0)]);
    let json: serde_json::Value = serde_json::from_str(&kaohe::report::json(&a)).expect("JSON");
    assert_eq!(json["score"]["pending_items"], 2);
    assert_eq!(json["items"][2]["status"], "pending");
    assert_eq!(json["items"][2]["status_label"], "待评");
    assert_eq!(
        json["items"][1]["review"]["scores"][0]["reviewer"],
        "专家甲"
    );
}

#[test]
fn the_pack_tests_give_reviews_inline() {
    Command::cargo_bin("kaohe")
        .expect("binary")
        .arg("test")
        .arg(pack_dir())
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "4 cases, 17 expectations, 0 wrong",
        ));
}

#[test]
fn a_bad_inline_review_in_a_pack_test_is_located() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = dir.path().join("pack");
    std::fs::create_dir_all(pack.join("items")).expect("mkdir");
    std::fs::create_dir_all(pack.join("tests")).expect("mkdir");
    for f in ["pack.yaml", "items/safety.yaml"] {
        std::fs::copy(pack_dir().join(f), pack.join(f)).expect("copy");
    }
    write(
        &pack.join("tests"),
        "t.yaml",
        "cases:\n  - name: bad\n    submission: {bureau: {name: 甲}, year: 2024, facts: {emergency_plan: true}}\n    reviews:\n      - {item: RV-01, reviewer: 专家甲, points: 9, reason: 好, date: 2025-02-20}\n    expect: {total: 2}\n",
    );
    let out = Command::cargo_bin("kaohe")
        .expect("binary")
        .arg("test")
        .arg(&pack)
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string()
        + &String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        text.contains("`9` is outside `RV-01`'s range 0 to 4"),
        "{text}"
    );
    assert!(text.contains("t.yaml:5:"), "{text}");
}

#[test]
fn reviews_of_a_waived_item_do_not_count_and_say_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sub = write(dir.path(), "submission.yaml", SUBMISSION);
    let rev = write(
        dir.path(),
        "reviews.yaml",
        &reviews_yaml(&[("RV-01", "专家甲", 1.0), ("RV-01", "专家乙", 2.0)]),
    );
    let waivers = write(
        dir.path(),
        "waivers.yaml",
        "waivers:\n  - {item: RV-01, reason: 台账已移交, approved_by: 县教育局, expires_on: 2025-12-31}\n",
    );
    let pack = pack();
    let submission = kaohe::submission::load(&pack, &sub).expect("submission");
    let reviews = kaohe::review::load(&pack, &rev).expect("reviews");
    let waivers = kaohe::waiver::load(&pack, &waivers).expect("waivers");
    let a = assess(
        &pack,
        &pack_digest(&pack),
        &submission,
        &waivers,
        &reviews,
        Options::default(),
    );
    assert_eq!(item(&a, "RV-01").status, Status::Waived);
    let text = kaohe::report::text(&a);
    assert!(
        text.contains("提示：RV-01有2份评审，但该项豁免，评审未计分"),
        "{text}"
    );
}

mod properties {
    use kaohe::pack::Combine;
    use proptest::prelude::*;

    fn combines() -> impl Strategy<Value = Combine> {
        prop_oneof![
            Just(Combine::Mean),
            Just(Combine::Median),
            Just(Combine::TrimmedMean)
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Reviewers' points combine to a value between the lowest and the highest given, and
        /// a reviewer who gives more never lowers it (a better review never scores less).
        #[test]
        fn combined_points_are_bounded_and_monotone(
            combine in combines(),
            halves in proptest::collection::vec(0u8..=20, 1..7),
            which in any::<proptest::sample::Index>(),
            more in 1u8..=10,
        ) {
            let points: Vec<f64> = halves.iter().map(|h| f64::from(*h) / 2.0).collect();
            let c = combine.apply(&points);
            let lo = points.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = points.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(c >= lo - 1e-9 && c <= hi + 1e-9, "{c} outside {lo}..{hi}");
            let mut raised = points.clone();
            raised[which.index(points.len())] += f64::from(more) / 2.0;
            let r = combine.apply(&raised);
            prop_assert!(r + 1e-9 >= c, "{combine:?}: {points:?} → {c}, {raised:?} → {r}");
        }
    }
}

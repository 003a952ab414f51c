//! Re-checks (复核) of computed items, the scores side by side (自评分 | 核定分 | 复核分 | 得分)
//! and self-assessment credibility (自评可信度), over `tests/credibility`: CR-01 (4 points),
//! CR-02 (6) and CR-03 (5) scored by a fact, all or nothing; CR-04 (5) by reviewers, mean.
//! The pack re-checks by the median and keeps the lower score (CR-02 by its own rule: the
//! mean, final); it deducts 0.5 per point self-scored above the final scores, at most 5.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use kaohe::assess::{Assessment, ItemOutcome, Options, assess, pack_digest};
use kaohe::pack::{FinalScore, Pack};
use kaohe::score::Status;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn pack_dir() -> PathBuf {
    root().join("tests/credibility")
}

fn pack() -> Pack {
    kaohe::pack::load(&pack_dir())
        .expect("pack directory")
        .pack
        .expect("valid")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// A submission with the three facts and, when given, self-scores for CR-01..CR-04.
fn submission(facts: [bool; 3], self_scores: Option<[f64; 4]>) -> String {
    let mut out = format!(
        "bureau: {{name: 可信度测试区教育局}}\nyear: 2024\nassessed_on: 2025-03-01\nfacts: {{plan_adopted: {}, training_held: {}, ledger_kept: {}}}\n",
        facts[0], facts[1], facts[2]
    );
    if let Some(s) = self_scores {
        out.push_str(&format!(
            "self_scores: {{CR-01: {}, CR-02: {}, CR-03: {}, CR-04: {}}}\n",
            s[0], s[1], s[2], s[3]
        ));
    }
    out
}

/// A reviews file from `(item, reviewer, points)`.
fn reviews_yaml(entries: &[(&str, &str, f64)]) -> String {
    if entries.is_empty() {
        return "reviews: []\n".into();
    }
    let mut out = String::from("reviews:\n");
    for (item, reviewer, points) in entries {
        out.push_str(&format!(
            "  - {{item: {item}, reviewer: {reviewer}, points: {points}, reason: {reviewer}复核意见, date: 2025-02-20}}\n"
        ));
    }
    out
}

fn run_with(pack: &Pack, sub: &str, entries: &[(&str, &str, f64)]) -> Assessment {
    let dir = tempfile::tempdir().expect("temp dir");
    let sub = write(dir.path(), "submission.yaml", sub);
    let rev = write(dir.path(), "reviews.yaml", &reviews_yaml(entries));
    let submission = kaohe::submission::load(pack, &sub).expect("submission");
    let reviews = kaohe::review::load(pack, &rev).unwrap_or_else(|e| {
        panic!(
            "{}",
            kaohe::diag::render_human(&e.sources, &e.diagnostics, false)
        )
    });
    assess(
        pack,
        &pack_digest(pack),
        &submission,
        &[],
        &reviews,
        Options::default(),
    )
}

fn run(sub: &str, entries: &[(&str, &str, f64)]) -> Assessment {
    run_with(&pack(), sub, entries)
}

fn item<'a>(a: &'a Assessment, id: &str) -> &'a ItemOutcome {
    a.items.iter().find(|o| o.id == id).expect("item")
}

const SELF: [f64; 4] = [4.0, 6.0, 5.0, 5.0];

const REVIEWS: &[(&str, &str, f64)] = &[
    // CR-03 re-checked: the median of 3, 4, 2 is 3.
    ("CR-03", "专家甲", 3.0),
    ("CR-03", "专家乙", 4.0),
    ("CR-03", "专家丙", 2.0),
    // CR-04 reviewed: the mean of 4 and 5 is 4.5.
    ("CR-04", "专家甲", 4.0),
    ("CR-04", "专家乙", 5.0),
];

#[test]
fn a_recheck_and_overstated_self_scores_worked_by_hand() {
    let a = run(&submission([true; 3], Some(SELF)), REVIEWS);
    // CR-03: computed 5 (the ledger is kept), re-checked 3, the lower counts: 3.
    let cr03 = item(&a, "CR-03");
    assert_eq!(
        (cr03.assessed, cr03.awarded, cr03.status),
        (5.0, 3.0, Status::Partial)
    );
    let r = cr03.recheck.as_ref().expect("re-checked");
    assert_eq!(
        (r.combined, r.computed, r.final_score),
        (3.0, 5.0, FinalScore::Lower)
    );
    assert!(
        cr03.gap,
        "a re-check that costs points puts the item on the gap list"
    );
    // CR-04: a reviewed item; its reviewers' mean is its 核定分 and its 复核分.
    let cr04 = item(&a, "CR-04");
    assert_eq!((cr04.assessed, cr04.awarded), (4.5, 4.5));
    assert_eq!(cr04.recheck_score(), Some(4.5));
    assert!(item(&a, "CR-01").recheck.is_none());
    // Totals side by side: self 4 + 6 + 5 + 5 = 20; computed 4 + 6 + 5 + 4.5 = 19.5;
    // re-check 3 + 4.5 = 7.5 over 2 items; final 4 + 6 + 3 + 4.5 = 17.5.
    let c = &a.columns;
    assert_eq!(
        (
            c.items,
            c.self_total,
            c.assessed_total,
            c.recheck_total,
            c.rechecked,
            c.final_total
        ),
        (4, Some(20.0), 19.5, Some(7.5), 2, 17.5)
    );
    // Credibility: CR-01 and CR-02 match, CR-03 (5 against 3) and CR-04 (5 against 4.5) do
    // not: 2 of 4. Overstated (5 − 3) + (5 − 4.5) = 2.5; 2.5 × 0.5 = 1.25, under the cap 5.
    let sa = a.self_assessment.as_ref().expect("self-scores");
    assert_eq!(
        (sa.compared, sa.matched, sa.credibility, sa.overstated),
        (4, 2, Some(0.5), 2.5)
    );
    let d = sa.deduction.as_ref().expect("the pack deducts");
    assert_eq!((d.raw, d.deducted), (1.25, 1.25));
    // The score: 17.5 − 1.25 = 16.25, graded 合格 (12 to 18).
    assert_eq!(a.score.self_deduction, Some(1.25));
    assert_eq!((a.score.score, a.score.grade.as_str()), (16.25, "合格"));

    let text = kaohe::report::text_in(&a, 120);
    for needle in [
        "复核分 3（专家甲 3、专家乙 4、专家丙 2，取中位数）；核定分5，核定分与复核分就低，得3分",
        "复核分 4.5（专家甲 4、专家乙 5，取平均）",
        "自评多报扣分：自评多报2.5分，按每分扣0.5分，扣1.25分",
        "自评可信度：4项中2项自评分与得分一致（50%），自评多报2.5分",
        "分数对照",
        "  - 专家丙（2025-02-20）2分：专家丙复核意见",
    ] {
        assert!(text.contains(needle), "{needle}\n{text}");
    }
    // The check was met, the re-check was not: the gap's problem is the re-check's.
    let task = cr03.rectification.as_ref().expect("a task");
    assert_eq!(
        task.problem,
        "建立普法工作台账：复核分 3（专家甲 3、专家乙 4、专家丙 2，取中位数）；核定分5，核定分与复核分就低，得3分"
    );
    assert_eq!(task.measure, "建立普法工作台账，逐项记录普法活动");
    let sheet = kaohe::report::sheet_text(&a, 200);
    assert!(
        sheet.contains("复核分 3（专家甲 3、专家乙 4、专家丙 2，取中位数）"),
        "{sheet}"
    );
    assert!(
        sheet
            .contains("合计：计分基数20，得分17.5，加分0，自评多报扣分1.25，核定分16.25，等次合格"),
        "{sheet}"
    );
    let md = kaohe::report::markdown(&a).expect("markdown");
    for needle in [
        "| 编号 | 考核内容 | 自评分 | 核定分 | 复核分 | 得分 |",
        "| CR-03 | 建立普法工作台账 | 5 | 5 | 3（专家甲 3、专家乙 4、专家丙 2，取中位数） | 3 |",
        "| CR-04 | 普法工作成效 | 5 | 4.5 | 4.5（专家甲 4、专家乙 5，取平均） | 4.5 |",
        "| CR-01 | 印发年度普法计划 | 4 | 4 | — | 4 |",
        "| 合计 | 4项 | 20 | 19.5 | 7.5（2项） | 17.5 |",
        "| 自评多报扣分 | 自评多报2.5分，按每分扣0.5分，扣1.25分 |",
        "## 复核项",
        "### CR-03 建立普法工作台账（部分达标）\n\n- 复核分 3（",
    ] {
        assert!(md.contains(needle), "{needle}\n{md}");
    }
    let json: serde_json::Value = serde_json::from_str(&kaohe::report::json(&a)).expect("JSON");
    assert_eq!(json["schema"], "kaohe.assessment/4");
    assert_eq!(json["score"]["self_deduction"], 1.25);
    assert_eq!(json["items"][2]["assessed"], 5.0);
    assert_eq!(json["items"][2]["recheck"]["combined"], 3.0);
    assert_eq!(json["items"][2]["recheck"]["final"], "lower");
    assert_eq!(
        json["items"][2]["recheck"]["text"],
        "复核分 3（专家甲 3、专家乙 4、专家丙 2，取中位数）；核定分5，核定分与复核分就低，得3分"
    );
    assert_eq!(json["columns"]["recheck_total"], 7.5);
    assert_eq!(json["self_assessment"]["credibility"], 0.5);
}

#[test]
fn the_deduction_stops_at_its_cap() {
    // No plan, no training: CR-01 and CR-02 score 0; final 0 + 0 + 3 + 4.5 = 7.5.
    // Overstated 4 + 6 + 2 + 0.5 = 12.5; 12.5 × 0.5 = 6.25, capped at 5: 7.5 − 5 = 2.5.
    let a = run(&submission([false, false, true], Some(SELF)), REVIEWS);
    let sa = a.self_assessment.as_ref().expect("self-scores");
    assert_eq!(sa.overstated, 12.5);
    let d = sa.deduction.as_ref().expect("deduction");
    assert_eq!((d.raw, d.deducted), (6.25, 5.0));
    assert_eq!(a.score.score, 2.5);
    let text = kaohe::report::text_in(&a, 200);
    assert!(
        text.contains("自评多报12.5分，按每分扣0.5分计6.25分，超过上限5分，扣5分"),
        "{text}"
    );
}

#[test]
fn the_deduction_never_makes_the_total_negative() {
    // Nothing done, nothing reviewed: 0 points, CR-04 pending. Overstated 20 → 10, capped
    // at 5, but the total is 0 and stays 0.
    let a = run(&submission([false; 3], Some(SELF)), &[]);
    let d = a
        .self_assessment
        .as_ref()
        .and_then(|s| s.deduction.as_ref())
        .expect("deduction");
    assert_eq!((d.raw, d.deducted), (10.0, 0.0));
    assert_eq!(a.score.score, 0.0);
    assert_eq!(item(&a, "CR-04").status, Status::Pending);
    let text = kaohe::report::text_in(&a, 200);
    assert!(
        text.contains("按每分扣0.5分计10分，超过上限5分，扣至0分为止，扣0分"),
        "{text}"
    );
    // No re-check score anywhere: no side-by-side table, only the self-score check.
    assert!(!text.contains("分数对照"), "{text}");
}

#[test]
fn without_self_scores_there_is_no_deduction() {
    let a = run(&submission([true; 3], None), REVIEWS);
    assert!(a.self_assessment.is_none());
    assert_eq!(a.score.self_deduction, None);
    // 4 + 6 + 3 + 4.5.
    assert_eq!(a.score.score, 17.5);
    assert_eq!(a.columns.self_total, None);
    let md = kaohe::report::markdown(&a).expect("markdown");
    assert!(
        md.contains("| 编号 | 考核内容 | 核定分 | 复核分 | 得分 |"),
        "{md}"
    );
}

#[test]
fn the_final_rule_decides_which_score_counts() {
    // CR-01 is computed 0 (no plan); its re-check gives 3 (one reviewer). CR-03 computed 5,
    // re-checked 3.
    let sub = submission([false, true, true], None);
    let reviews = [("CR-01", "专家甲", 3.0), ("CR-03", "专家甲", 3.0)];
    let mut p = pack();
    for (rule, cr01, cr03) in [
        (FinalScore::Recheck, 3.0, 3.0),
        (FinalScore::Lower, 0.0, 3.0),
        (FinalScore::Higher, 3.0, 5.0),
    ] {
        p.scoring.recheck.final_score = rule;
        let a = run_with(&p, &sub, &reviews);
        assert_eq!(
            (item(&a, "CR-01").awarded, item(&a, "CR-03").awarded),
            (cr01, cr03),
            "{rule:?}"
        );
        // A kept computed score keeps its status: CR-01 under `lower` is still 未达标.
        if rule == FinalScore::Lower {
            assert_eq!(item(&a, "CR-01").status, Status::Fail);
        }
        if rule == FinalScore::Higher {
            assert_eq!(item(&a, "CR-03").status, Status::Pass);
            assert!(!item(&a, "CR-03").gap);
        }
    }
}

#[test]
fn an_item_s_own_rule_replaces_the_pack_s() {
    // CR-02: `recheck: {final: recheck, combine: mean}`. Computed 0 (no training), re-checked
    // 2, 5, 5: the mean 4 is final. CR-03 keeps the pack's rule: min(5, median(5, 2, 2) = 2).
    let a = run(
        &submission([true, false, true], None),
        &[
            ("CR-02", "专家甲", 2.0),
            ("CR-02", "专家乙", 5.0),
            ("CR-02", "专家丙", 5.0),
            ("CR-03", "专家甲", 5.0),
            ("CR-03", "专家乙", 2.0),
            ("CR-03", "专家丙", 2.0),
        ],
    );
    let cr02 = item(&a, "CR-02");
    assert_eq!((cr02.assessed, cr02.awarded), (0.0, 4.0));
    let r = cr02.recheck.as_ref().expect("re-checked");
    assert_eq!(
        (r.combine, r.final_score),
        (kaohe::pack::Combine::Mean, FinalScore::Recheck)
    );
    assert_eq!(item(&a, "CR-03").awarded, 2.0);
    let text = kaohe::report::text_in(&a, 200);
    assert!(
        text.contains(
            "复核分 4（专家甲 2、专家乙 5、专家丙 5，取平均）；核定分0，以复核分为准，得4分"
        ),
        "{text}"
    );
}

#[test]
fn the_tolerance_decides_what_matches() {
    // Self 4, 6, 5, 5 against final 4, 6, 3, 4.5: within 0.5, CR-04 matches too (3 of 4).
    let mut p = pack();
    p.scoring.self_assessment = Some(kaohe::pack::SelfAssessmentRule {
        tolerance: 0.5,
        deduct_per_point: None,
        cap: None,
    });
    let a = run_with(&p, &submission([true; 3], Some(SELF)), REVIEWS);
    let sa = a.self_assessment.as_ref().expect("self-scores");
    assert_eq!((sa.matched, sa.credibility), (3, Some(0.75)));
    assert!(sa.deduction.is_none());
    assert_eq!(a.score.score, 17.5);
    let text = kaohe::report::text_in(&a, 200);
    assert!(
        text.contains(
            "自评可信度：4项中3项自评分与得分一致（相差不超过0.5分视为一致）（75%），自评多报2.5分"
        ),
        "{text}"
    );
}

#[test]
fn json_with_rechecks_and_a_deduction_matches_the_schema() {
    let text =
        std::fs::read_to_string(root().join("schemas/assessment.schema.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compiles");
    for a in [
        run(&submission([true; 3], Some(SELF)), REVIEWS),
        run(&submission([false; 3], Some(SELF)), &[]),
        run(&submission([true; 3], None), REVIEWS),
    ] {
        let json: serde_json::Value = serde_json::from_str(&kaohe::report::json(&a)).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn reviews_of_veto_and_bonus_items_are_refused_and_located() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rev = write(
        dir.path(),
        "reviews.yaml",
        "reviews:\n  - {item: LVP-01, reviewer: 专家甲, points: 4, reason: 复核, date: 2025-02-20}\n  - {item: VETO-01, reviewer: 专家甲, points: 0, reason: 复核, date: 2025-02-20}\n  - {item: MODEL-01, reviewer: 专家甲, points: 1, reason: 复核, date: 2025-02-20}\n  - {item: LVP-01, reviewer: 专家乙, points: 9, reason: 复核, date: 2025-02-20}\n",
    );
    let out = Command::cargo_bin("kaohe")
        .expect("binary")
        .arg("assess")
        .arg(root().join("rules/edu-rule-of-law"))
        .arg(root().join("fixtures/compliant/submission.yaml"))
        .arg("--reviews")
        .arg(&rev)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    for (line, needle) in [
        (
            3,
            "`VETO-01` is a veto item, a red line its check decides: reviewers cannot score it",
        ),
        (
            4,
            "`MODEL-01` is a bonus item, whose points its check decides: reviewers cannot score it",
        ),
        (5, "`9` is outside `LVP-01`'s range 0 to 5"),
    ] {
        assert!(err.contains(needle), "{needle}\n{err}");
        assert!(
            err.contains(&format!("reviews.yaml:{line}:")),
            "line {line}\n{err}"
        );
    }
    assert!(!err.contains("reviews.yaml:2:"), "{err}");
}

#[test]
fn a_recheck_of_a_waived_item_does_not_count_and_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sub = write(
        dir.path(),
        "submission.yaml",
        &submission([true; 3], Some(SELF)),
    );
    let rev = write(
        dir.path(),
        "reviews.yaml",
        &reviews_yaml(&[("CR-03", "专家甲", 1.0)]),
    );
    let waivers = write(
        dir.path(),
        "waivers.yaml",
        "waivers:\n  - {item: CR-03, reason: 台账随机构改革移交, approved_by: 县教育局, expires_on: 2025-12-31}\n",
    );
    let p = pack();
    let submission = kaohe::submission::load(&p, &sub).expect("submission");
    let reviews = kaohe::review::load(&p, &rev).expect("reviews");
    let waivers = kaohe::waiver::load(&p, &waivers).expect("waivers");
    let a = assess(
        &p,
        &pack_digest(&p),
        &submission,
        &waivers,
        &reviews,
        Options::default(),
    );
    let cr03 = item(&a, "CR-03");
    assert_eq!(cr03.status, Status::Waived);
    assert!(cr03.recheck.is_none());
    let text = kaohe::report::text(&a);
    assert!(
        text.contains("提示：CR-03有1份评审，但该项豁免，评审未计分"),
        "{text}"
    );
    // A waived item is not compared: CR-01, CR-02 match, CR-04 is pending (0 against 5).
    let sa = a.self_assessment.as_ref().expect("self-scores");
    assert_eq!((sa.compared, sa.matched, sa.overstated), (3, 2, 5.0));
}

#[test]
fn the_pack_tests_hold() {
    Command::cargo_bin("kaohe")
        .expect("binary")
        .arg("test")
        .arg(pack_dir())
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "4 cases, 18 expectations, 0 wrong",
        ));
}

/// The README's scoring snippet is the credibility pack's scoring, and its reviews snippet
/// reads against that pack, so the pack's tests run the example as written.
#[test]
fn the_readme_snippets_are_the_credibility_pack() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let pack_yaml = std::fs::read_to_string(pack_dir().join("pack.yaml")).expect("pack.yaml");
    let pack_json = kaohe::yaml::parse(&pack_yaml).expect("YAML").to_json();
    let mut found_scoring = false;
    let mut found_reviews = false;
    let mut in_block = None::<String>;
    for line in readme.lines() {
        match (&mut in_block, line.strip_prefix("```")) {
            (None, Some("yaml")) => in_block = Some(String::new()),
            (Some(body), Some("")) => {
                let json = kaohe::yaml::parse(body).expect("YAML").to_json();
                if let Some(s) = json.get("scoring")
                    && s.get("self_assessment").is_some()
                {
                    assert_eq!(s, &pack_json["scoring"]);
                    found_scoring = true;
                }
                if body.contains("CR-03") && json.get("reviews").is_some() {
                    let dir = tempfile::tempdir().expect("temp dir");
                    let rev = write(dir.path(), "reviews.yaml", body);
                    kaohe::review::load(&pack(), &rev).expect("the snippet reads");
                    found_reviews = true;
                }
                in_block = None;
            }
            (Some(body), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(
        found_scoring && found_reviews,
        "{found_scoring} {found_reviews}"
    );
}

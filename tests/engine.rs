//! Hand-worked scoring cases over `tests/engine/pack` (20 points, one section; bonus cap 2;
//! missing data scores 0; not-applicable items leave the denominator).
//!
//! Every case starts from `tests/engine/subs/compliant.yaml`, where each standard item passes
//! (20/20), changes a few values, and checks the points with the arithmetic written out.

use std::path::{Path, PathBuf};

use kaohe::assess::{Assessment, Options, assess, pack_digest};
use kaohe::checks::Quantity;
use kaohe::pack::Pack;
use kaohe::report;
use kaohe::score::Status;
use kaohe::waiver::Waiver;
use serde_json::{Value, json};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn pack() -> Pack {
    let loaded = kaohe::pack::load(&root().join("tests/engine/pack")).expect("pack directory");
    loaded.pack.expect("the engine pack is valid")
}

fn compliant() -> Value {
    let text =
        std::fs::read_to_string(root().join("tests/engine/subs/compliant.yaml")).expect("fixture");
    kaohe::yaml::parse(&text).expect("fixture parses").to_json()
}

/// Writes a submission (as JSON, so that path is exercised too) and assesses it.
fn run_with(sub: &Value, waivers: &[Waiver]) -> Assessment {
    let dir = tempfile::tempdir().expect("temp dir");
    let path: PathBuf = dir.path().join("submission.json");
    std::fs::write(&path, serde_json::to_string(sub).expect("json")).expect("write");
    let pack = pack();
    let submission = match kaohe::submission::load(&pack, &path) {
        Ok(s) => s,
        Err(e) => panic!(
            "{}",
            kaohe::diag::render_human(&e.sources, &e.diagnostics, false)
        ),
    };
    assess(
        &pack,
        &pack_digest(&pack),
        &submission,
        waivers,
        &[],
        Options::default(),
    )
}

fn run(sub: &Value) -> Assessment {
    run_with(sub, &[])
}

fn item<'a>(a: &'a Assessment, id: &str) -> &'a kaohe::assess::ItemOutcome {
    a.items.iter().find(|o| o.id == id).expect("item exists")
}

fn set(sub: &mut Value, pointer: &str, value: Value) {
    *sub.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}")) = value;
}

#[test]
fn compliant_submission_scores_full_marks() {
    let a = run(&compliant());
    for o in &a.items {
        if o.kind == kaohe::pack::ItemKind::Standard {
            assert_eq!(o.status, Status::Pass, "{}: {:?}", o.id, o.explain);
        }
    }
    assert_eq!(a.score.score, 20.0);
    assert_eq!(a.score.grade, "优秀");
    assert!(!a.score.vetoed);
}

#[test]
fn coverage_per_unit_deducts_per_failing_row() {
    let mut sub = compliant();
    set(&mut sub, "/registers/schools/0/legal_vp", json!(false)); // 一小
    set(&mut sub, "/registers/schools/2/legal_vp", json!(false)); // 一中
    let a = run(&sub);
    // COV-01: 3 schools in scope (幼儿园 is outside `where`), 1 has a VP: 2 failing rows;
    // 2 × 0.5 = 1 deducted from 3 → 2, partial.
    let cov = item(&a, "COV-01");
    assert_eq!(
        (cov.status, cov.awarded, cov.deducted),
        (Status::Partial, 2.0, 1.0)
    );
    // 1 of 3 schools: the share as a number, written 33.33%.
    let Some(Quantity::Share { value }) = cov.measured else {
        panic!("a coverage measures a share: {:?}", cov.measured)
    };
    assert!((value - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        cov.measured.as_ref().map(report::quantity).as_deref(),
        Some("33.33%")
    );
    let keys: Vec<&str> = cov.failing.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["一小", "一中"]);
    assert_eq!(
        report::misses(&cov.failing[0].misses),
        "配备法治副校长应为是（实际：否）"
    );
    let r = cov
        .rectification
        .as_ref()
        .expect("a gap gets a rectification");
    assert_eq!(
        r.problem,
        "3所中小学中2所未配备法治副校长（配备率33.33%）：一小、一中"
    );
    assert_eq!(r.responsible.as_deref(), Some("王芳"));
    assert_eq!(r.deadline.as_deref(), Some("2024-06-13")); // 2024-03-15 + 90 days
    // NOT-01: 3 schools without a VP (一小, 一中, 幼儿园) meets `count ≥ 3`, so the `not`
    // fails: 0 of 0.5.
    assert_eq!(item(&a, "NOT-01").awarded, 0.0);
    // 20 − 1 − 0.5 = 18.5
    assert_eq!(a.score.score, 18.5);
}

#[test]
fn per_unit_stops_at_zero_when_every_row_fails() {
    let mut sub = compliant();
    let schools: Vec<Value> = (1..=8)
        .map(|i| json!({"name": format!("小学{i}"), "stage": "小学", "legal_vp": false, "hours": 4, "wuluoshi": ["计划", "教材", "课时", "师资"], "model": "无"}))
        .collect();
    set(&mut sub, "/registers/schools", Value::Array(schools));
    let a = run(&sub);
    // 8 failing rows × 0.5 = 4 > 3 points: 扣完为止, the item scores 0, not −1.
    let cov = item(&a, "COV-01");
    assert_eq!(
        (cov.status, cov.awarded, cov.deducted),
        (Status::Fail, 0.0, 3.0)
    );
    // NOT-01 fails too (8 ≥ 3): 20 − 3 − 0.5 = 16.5
    assert_eq!(a.score.score, 16.5);
    assert_eq!(a.score.grade, "合格");
}

#[test]
fn cap_lower_than_the_points_limits_the_deduction() {
    let mut sub = compliant();
    for i in 0..4 {
        set(
            &mut sub,
            &format!("/registers/schools/{i}/wuluoshi"),
            json!(["计划", "教材", "课时"]),
        );
    }
    let a = run(&sub);
    // EACH-01: 4 rows miss 师资, 4 × 1 = 4, but the cap is 1.5 (< 2 points): 2 − 1.5 = 0.5.
    let each = item(&a, "EACH-01");
    assert_eq!(
        (each.status, each.awarded, each.deducted),
        (Status::Partial, 0.5, 1.5)
    );
    assert_eq!(report::misses(&each.failing[0].misses), "五落实缺少师资");
    assert_eq!(a.score.score, 18.5);
}

#[test]
fn count_shortfall_deducts_per_missing_unit_up_to_the_cap() {
    let mut sub = compliant();
    set(&mut sub, "/facts/meetings", json!(1));
    // 4 − 1 = 3 short × 0.3 = 0.9 → 1.5 − 0.9 = 0.6
    assert_eq!(item(&run(&sub), "CNT-01").awarded, 0.6);
    set(&mut sub, "/facts/meetings", json!(0));
    // 4 short × 0.3 = 1.2 = the cap → 1.5 − 1.2 = 0.3
    let a = run(&sub);
    assert_eq!(
        (item(&a, "CNT-01").awarded, item(&a, "CNT-01").deducted),
        (0.3, 1.2)
    );
}

#[test]
fn proportional_scales_with_the_measured_share() {
    let mut sub = compliant();
    set(&mut sub, "/registers/schools/2/hours", json!(2));
    set(&mut sub, "/registers/schools/3/hours", json!(3));
    let a = run(&sub);
    // COV-02: 2 of 4 schools teach ≥ 4 hours = 50%; required 80%: share 0.5 / 0.8 = 0.625;
    // 2 × 0.625 = 1.25.
    let cov = item(&a, "COV-02");
    assert_eq!((cov.status, cov.awarded), (Status::Partial, 1.25));
    assert_eq!(a.score.score, 19.25);
}

#[test]
fn ratio_with_zero_denominator_is_not_applicable_and_leaves_the_denominator() {
    let mut sub = compliant();
    set(&mut sub, "/facts/cases", json!(0));
    set(&mut sub, "/facts/appeared", json!(0));
    let a = run(&sub);
    let rat = item(&a, "RAT-01");
    assert_eq!(rat.status, Status::NotApplicable);
    assert_eq!(rat.measured, None, "never 0% or NaN");
    // available 20 − 2 = 18, awarded 18 → 18 × 20 / 18 = 20
    assert_eq!(
        (a.score.available, a.score.awarded, a.score.score),
        (18.0, 18.0, 20.0)
    );
}

#[test]
fn ratio_below_minimum_is_all_or_nothing() {
    let mut sub = compliant();
    set(&mut sub, "/facts/appeared", json!(1));
    let a = run(&sub);
    // 1 / 2 = 50% < 100%: default deduction is all-or-nothing → 0 of 2.
    let rat = item(&a, "RAT-01");
    assert_eq!(
        (rat.status, rat.awarded, rat.measured.clone()),
        (Status::Fail, 0.0, Some(Quantity::Share { value: 0.5 }))
    );
    assert_eq!(a.score.score, 18.0);
}

#[test]
fn empty_register_makes_coverage_not_applicable() {
    let mut sub = compliant();
    set(&mut sub, "/registers/schools", json!([]));
    let a = run(&sub);
    for id in ["COV-01", "COV-02", "EACH-01"] {
        assert_eq!(item(&a, id).status, Status::NotApplicable, "{id}");
    }
    // NOT-01: 0 schools without a VP, `count ≥ 3` fails, so the `not` passes.
    assert_eq!(item(&a, "NOT-01").status, Status::Pass);
    // available 20 − 3 − 2 − 2 = 13, all earned: 13 × 20 / 13 = 20
    assert_eq!((a.score.available, a.score.score), (13.0, 20.0));
}

#[test]
fn missing_register_is_missing_data_scored_as_failure() {
    let mut sub = compliant();
    sub["registers"]
        .as_object_mut()
        .expect("map")
        .shift_remove("schools");
    let a = run(&sub);
    for id in ["COV-01", "COV-02", "EACH-01", "NOT-01"] {
        let o = item(&a, id);
        assert_eq!((o.status, o.awarded), (Status::MissingData, 0.0), "{id}");
        assert_eq!(report::misses(&o.missing), "未报送学校");
    }
    // 20 − 3 − 2 − 2 − 0.5 = 12.5
    assert_eq!(a.score.score, 12.5);
    assert_eq!(a.score.grade, "合格");
}

#[test]
fn missing_fact_is_missing_data() {
    let mut sub = compliant();
    sub["facts"]
        .as_object_mut()
        .expect("map")
        .shift_remove("report_sent_on");
    let a = run(&sub);
    let dl = item(&a, "DL-01");
    assert_eq!((dl.status, dl.awarded), (Status::MissingData, 0.0));
    assert_eq!(report::misses(&dl.missing), "年度报告报送日期未填写");
    assert_eq!(a.score.score, 19.0);
}

#[test]
fn deadlines_count_days_late_and_check_every_row() {
    let mut sub = compliant();
    set(&mut sub, "/facts/report_sent_on", json!("2024-03-05"));
    set(
        &mut sub,
        "/registers/decisions/0/decided_on",
        json!("2022-12-30"),
    );
    let a = run(&sub);
    // DL-01: due 2024-03-01 (1 March of the year after 2023); 4 days late → 0 of 1.
    let dl = item(&a, "DL-01");
    assert_eq!((dl.status, dl.awarded), (Status::Fail, 0.0));
    let problem = &dl.rectification.as_ref().expect("rectification").problem;
    assert_eq!(problem, "年度报告2024-03-05报送，逾期4天");
    // DL-02: 1 row outside 2023-01-01..2023-12-31 × 0.5 → 1.5 − 0.5 = 1
    assert_eq!(item(&a, "DL-02").awarded, 1.0);
    assert_eq!(a.score.score, 18.5);
}

#[test]
fn evidence_and_additive_parts() {
    let mut sub = compliant();
    sub["evidence"]
        .as_object_mut()
        .expect("map")
        .shift_remove("plan");
    let a = run(&sub);
    // EVD-01: 1 missing document × 0.5 → 1 − 0.5 = 0.5
    assert_eq!(item(&a, "EVD-01").awarded, 0.5);
    // ALL-01 (各得1分): 领导小组 1 + 合法性审查 1 + 工作计划 0 = 2 of 3
    let all = item(&a, "ALL-01");
    assert_eq!((all.status, all.awarded), (Status::Partial, 2.0));
    // 20 − 0.5 − 1 = 18.5
    assert_eq!(a.score.score, 18.5);
}

#[test]
fn any_passes_when_one_part_passes() {
    let mut sub = compliant();
    set(&mut sub, "/registers/decisions", json!([]));
    let a = run(&sub);
    // ANY-01: no decisions (count < 1) but the group exists → pass.
    assert_eq!(item(&a, "ANY-01").status, Status::Pass);
    // ALL-01: the `each` over no decisions is not applicable and keeps its point (1+1+1).
    assert_eq!(item(&a, "ALL-01").awarded, 3.0);
    // DL-02 has no rows: not applicable, 1.5 leaves the denominator: 18.5 × 20 / 18.5 = 20
    assert_eq!(item(&a, "DL-02").status, Status::NotApplicable);
    assert_eq!(a.score.score, 20.0);
}

#[test]
fn bonus_is_capped_per_item_and_by_the_pack() {
    let mut sub = compliant();
    for (i, level) in ["省级", "省级", "市级", "市级"].iter().enumerate() {
        set(
            &mut sub,
            &format!("/registers/schools/{i}/model"),
            json!(level),
        );
    }
    let mut extra = sub["registers"]["schools"][0].clone();
    extra["name"] = json!("三小");
    sub["registers"]["schools"]
        .as_array_mut()
        .expect("list")
        .push(extra);
    let a = run(&sub);
    // BON-01: 3 province-level × 1 = 3, item at most 2 → 2
    assert_eq!(item(&a, "BON-01").awarded, 2.0);
    // BON-02: 2 city-level × 0.5 = 1 (its points)
    assert_eq!(item(&a, "BON-02").awarded, 1.0);
    // bonus 2 + 1 = 3 over the pack's cap 2 → 2; score 20 + 2 = 22
    assert_eq!(
        (a.score.bonus_uncapped, a.score.bonus, a.score.score),
        (3.0, 2.0, 22.0)
    );
}

#[test]
fn veto_forces_the_veto_grade_and_keeps_the_score() {
    let mut sub = compliant();
    set(&mut sub, "/facts/interfered", json!(true));
    let a = run(&sub);
    assert_eq!(a.score.score, 20.0);
    assert_eq!(a.score.grade_by_score, "优秀");
    assert_eq!(a.score.grade, "不合格");
    assert_eq!(a.score.vetoes, ["VETO-01"]);
}

#[test]
fn veto_with_missing_data_is_unverified_not_cleared() {
    let mut sub = compliant();
    sub["facts"]
        .as_object_mut()
        .expect("facts")
        .remove("interfered");
    let a = run(&sub);
    assert_eq!(item(&a, "VETO-01").status, Status::MissingData);
    assert!(!a.score.vetoed);
    assert!(a.score.vetoes.is_empty());
    assert_eq!(a.score.vetoes_unverified, ["VETO-01"]);
    let text = report::text(&a);
    assert!(text.contains("一票否决：待核实 VETO-01"), "{text}");
    assert!(!text.contains("一票否决：未触发"), "{text}");
    let md = report::markdown(&a).expect("markdown");
    assert!(md.contains("| 一票否决 | 待核实：VETO-01"), "{md}");
    let json: Value = serde_json::from_str(&report::json(&a)).expect("JSON");
    assert_eq!(json["score"]["vetoes_unverified"], json!(["VETO-01"]));
}

#[test]
fn veto_header_says_triggered_or_not_triggered() {
    let a = run(&compliant());
    assert!(report::text(&a).contains("一票否决：未触发"));
    assert!(
        report::markdown(&a)
            .expect("markdown")
            .contains("| 一票否决 | 未触发 |")
    );
    let mut sub = compliant();
    set(&mut sub, "/facts/interfered", json!(true));
    let a = run(&sub);
    assert!(report::text(&a).contains("一票否决：触发 VETO-01"));
    assert!(
        report::markdown(&a)
            .expect("markdown")
            .contains("| 一票否决 | 触发：VETO-01 |")
    );
}

fn waiver(item: &str, rows: &[&str], expires_on: &str) -> Waiver {
    Waiver {
        item: item.into(),
        rows: rows.iter().map(|r| r.to_string()).collect(),
        reason: "机构调整".into(),
        approved_by: "市教育局".into(),
        expires_on: expires_on.parse().expect("date"),
    }
}

#[test]
fn waiver_that_expired_yesterday_is_ignored_with_a_warning() {
    let mut sub = compliant();
    set(&mut sub, "/facts/group", json!(false));
    // assessed on 2024-03-15; the waiver ran out on the 14th.
    let a = run_with(&sub, &[waiver("FACT-01", &[], "2024-03-14")]);
    assert_eq!(item(&a, "FACT-01").status, Status::Fail);
    assert_eq!(a.warnings.len(), 1);
    assert!(
        report::warning(&a.warnings[0]).contains("已于2024-03-14到期"),
        "{:?}",
        a.warnings
    );
    // FACT-01 0 of 2; ALL-01 loses its 领导小组 part (1); ANY-01 still passes on decisions.
    // 20 − 2 − 1 = 17
    assert_eq!(a.score.score, 17.0);
}

#[test]
fn waiver_valid_today_exempts_the_item() {
    let mut sub = compliant();
    set(&mut sub, "/facts/group", json!(false));
    let a = run_with(&sub, &[waiver("FACT-01", &[], "2024-03-15")]);
    assert_eq!(item(&a, "FACT-01").status, Status::Waived);
    assert!(a.warnings.is_empty());
    // FACT-01 leaves the denominator: available 18, awarded 17 (ALL-01 still loses 1):
    // 17 × 20 / 18 = 18.89
    assert_eq!(
        (a.score.available, a.score.awarded, a.score.score),
        (18.0, 17.0, 18.89)
    );
}

#[test]
fn row_waiver_exempts_only_that_row() {
    let mut sub = compliant();
    set(&mut sub, "/registers/schools/0/legal_vp", json!(false));
    let a = run_with(&sub, &[waiver("COV-01", &["一小"], "2024-12-31")]);
    let cov = item(&a, "COV-01");
    // 一小 is exempt: 2 of 2 remaining schools have a VP → pass.
    assert_eq!((cov.status, cov.awarded), (Status::Pass, 3.0));
    assert_eq!(cov.waived_rows, ["一小"]);
}

#[test]
fn row_waivers_of_unknown_rows_or_of_checks_without_rows_are_warned() {
    let a = run_with(
        &compliant(),
        &[
            waiver("COV-01", &["一小", "三小"], "2024-12-31"),
            waiver("FACT-01", &["一小"], "2024-12-31"),
            waiver("EACH-01", &["一小"], "2024-12-31"),
        ],
    );
    assert_eq!(a.warnings.len(), 2, "{:?}", a.warnings);
    let text = report::text(&a);
    assert!(
        text.contains("提示：COV-01的豁免列出的行在报送数据中不存在：三小"),
        "{text}"
    );
    assert!(
        text.contains("提示：FACT-01的豁免列出了行（一小），但该项检查不按行计"),
        "{text}"
    );
    let md = report::markdown(&a).expect("markdown");
    assert!(md.contains("三小"), "{md}");
}

#[test]
fn applied_waivers_are_listed_in_the_reports() {
    let mut sub = compliant();
    set(&mut sub, "/facts/group", json!(false));
    let a = run_with(
        &sub,
        &[
            waiver("COV-01", &["一小"], "2024-12-31"),
            waiver("FACT-01", &[], "2024-03-15"),
            waiver("DL-01", &[], "2024-03-14"),
        ],
    );
    let applied: Vec<&str> = a.waivers.iter().map(|w| w.item.as_str()).collect();
    assert_eq!(applied, ["COV-01", "FACT-01"]);
    let text = report::text(&a);
    assert!(text.contains("豁免（2项）"), "{text}");
    assert!(
        text.contains("COV-01（一小）：机构调整；批准：市教育局；有效期至2024-12-31"),
        "{text}"
    );
    assert!(
        text.contains("FACT-01：机构调整；批准：市教育局；有效期至2024-03-15"),
        "{text}"
    );
    let md = report::markdown(&a).expect("markdown");
    assert!(md.contains("## 豁免"), "{md}");
    assert!(
        md.contains("| COV-01 | 一小 | 机构调整 | 市教育局 | 2024-12-31 |"),
        "{md}"
    );
    let json: Value = serde_json::from_str(&report::json(&a)).expect("JSON");
    assert_eq!(json["waivers"][1]["item"], "FACT-01");
    assert_eq!(json["waivers"][1]["approved_by"], "市教育局");
}

#[test]
fn applies_if_false_is_not_applicable() {
    let mut sub = compliant();
    set(&mut sub, "/facts/has_schools", json!(false));
    let a = run(&sub);
    assert_eq!(item(&a, "COV-01").status, Status::NotApplicable);
    // 17 of 17 → 20
    assert_eq!((a.score.available, a.score.score), (17.0, 20.0));
}

#[test]
fn self_scores_are_set_beside_the_computed_ones() {
    let mut sub = compliant();
    set(&mut sub, "/registers/schools/0/legal_vp", json!(false));
    sub["self_scores"] = json!({"COV-01": 3, "FACT-01": 2});
    let a = run(&sub);
    let sa = a.self_assessment.expect("self-assessment");
    // COV-01: self 3, computed 3 − 0.5 = 2.5 → +0.5; FACT-01 agrees.
    assert_eq!(sa.differences.len(), 1);
    assert_eq!(
        (
            sa.differences[0].item.as_str(),
            sa.differences[0].self_score,
            sa.differences[0].assessed,
            sa.differences[0].difference
        ),
        ("COV-01", 3.0, 2.5, 0.5)
    );
}

#[test]
fn self_scores_that_the_scoring_cannot_give_are_listed_as_impossible() {
    let mut sub = compliant();
    sub["self_scores"] = json!({
        "FACT-01": 1,      // all or nothing: 0 or 2
        "ALL-01": 2.5,     // additive parts of 1: 0, 1, 2 or 3
        "COV-01": 500,     // more than its 3 points
        "COV-02": 1.37,    // proportional: anything in [0, 2]
        "EACH-01": 0.5,    // 1 per row, cap 1.5: 2, 1 or 0.5
        "CNT-01": 0.1,     // 0.3 per meeting, cap 1.2 of 1.5: 1.5 … 0.3, or 0 with no data
        "DL-02": 0.75,     // 0.5 per decision: 1.5, 1, 0.5, 0
        "VETO-01": 1,      // a veto item carries no points
        "BON-01": 1.5,     // bonus: anything in [0, 2]
    });
    let a = run(&sub);
    let sa = a.self_assessment.as_ref().expect("self-assessment");
    let impossible: Vec<(&str, f64)> = sa
        .impossible
        .iter()
        .map(|i| (i.item.as_str(), i.self_score))
        .collect();
    assert_eq!(
        impossible,
        [
            ("FACT-01", 1.0),
            ("COV-01", 500.0),
            ("CNT-01", 0.1),
            ("DL-02", 0.75),
            ("ALL-01", 2.5),
            ("VETO-01", 1.0),
        ]
    );
    let text = report::text(&a);
    assert!(text.contains("自评分不可能"), "{text}");
    assert!(text.contains("ALL-01"), "{text}");
    assert!(text.contains("0、1、2、3"), "{text}");
    let md = report::markdown(&a).expect("markdown");
    assert!(md.contains("自评分不可能"), "{md}");
    let json: Value = serde_json::from_str(&report::json(&a)).expect("JSON");
    let listed = &json["self_assessment"]["impossible"];
    assert_eq!(listed[0]["item"], "FACT-01");
    assert_eq!(listed[0]["self_score"], 1.0);
    assert_eq!(listed[0]["possible"]["kind"], "values");
}

#[test]
fn same_inputs_give_the_same_bytes() {
    let mut sub = compliant();
    set(&mut sub, "/registers/schools/0/legal_vp", json!(false));
    let a = kaohe::report::json(&run(&sub));
    let b = kaohe::report::json(&run(&sub));
    assert_eq!(a, b);
}

#[test]
fn json_output_matches_the_checked_in_schema() {
    let text =
        std::fs::read_to_string(root().join("schemas/assessment.schema.json")).expect("schema");
    let schema: Value = serde_json::from_str(&text).expect("schema JSON");
    jsonschema::meta::validate(&schema).expect("valid 2020-12 schema");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compiles");
    let mut sub = compliant();
    set(&mut sub, "/registers/schools/0/legal_vp", json!(false));
    set(&mut sub, "/facts/interfered", json!(true));
    sub["self_scores"] = json!({"COV-01": 3});
    // Incomplete: no assessment date (deadlines in days left open), absent required data.
    let mut incomplete = compliant();
    incomplete
        .as_object_mut()
        .expect("map")
        .shift_remove("assessed_on");
    remove(&mut incomplete, "facts", "group");
    remove(&mut incomplete, "registers", "schools");
    let cases = [
        run(&compliant()),
        run(&incomplete),
        run(&sub),
        run_with(
            &sub,
            &[
                waiver("FACT-01", &[], "2024-12-31"),
                waiver("COV-01", &["一小"], "2020-01-01"),
            ],
        ),
    ];
    for a in cases {
        let json: Value = serde_json::from_str(&kaohe::report::json(&a)).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn blank_text_is_no_value() {
    let mut sub = compliant();
    // As an empty CSV cell: blank text is not a date (or a reason, or a name).
    set(&mut sub, "/facts/report_sent_on", json!("  "));
    let a = run(&sub);
    assert_eq!(item(&a, "DL-01").status, Status::MissingData);
}

/// Scoring decides once what is a gap: the gap list and the rectification tasks follow it.
#[test]
fn gaps_are_what_scoring_decided() {
    // A fired veto is a gap.
    let mut sub = compliant();
    set(&mut sub, "/facts/interfered", json!(true));
    let a = run(&sub);
    assert!(item(&a, "VETO-01").gap);
    assert_eq!(
        kaohe::report::gaps(&a)
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>(),
        ["VETO-01"]
    );
    // A veto that cannot be judged is a gap too (nobody can certify it) ...
    let mut sub = compliant();
    sub["facts"]
        .as_object_mut()
        .expect("facts")
        .remove("interfered");
    let a = run(&sub);
    assert!(item(&a, "VETO-01").gap);
    assert!(kaohe::report::text(&a).contains("待核实"));
    // ... a waived one is not: the gap list agrees with the header, which says not vetoed.
    let mut sub = compliant();
    set(&mut sub, "/facts/interfered", json!(true));
    let a = run_with(&sub, &[waiver("VETO-01", &[], "2099-12-31")]);
    let veto = item(&a, "VETO-01");
    assert_eq!(veto.status, Status::Waived);
    assert!(!veto.gap && !a.score.vetoed);
    assert!(kaohe::report::gaps(&a).is_empty());
    // The compliant bureau has none, and bonus items never are.
    let a = run(&compliant());
    assert!(a.items.iter().all(|o| !o.gap));
}

/// A stated zero denominator makes a ratio not applicable even when its numerator is not
/// given: a bureau with no cases need not report zero handled (RAT-01: appeared / cases).
#[test]
fn a_zero_denominator_needs_no_numerator() {
    let mut sub = compliant();
    set(&mut sub, "/facts/cases", json!(0));
    sub["facts"]
        .as_object_mut()
        .expect("facts")
        .remove("appeared");
    let a = run(&sub);
    let rat = item(&a, "RAT-01");
    assert_eq!((rat.status, rat.available), (Status::NotApplicable, 0.0));
    // Without the denominator it cannot be judged: missing data.
    let mut sub = compliant();
    sub["facts"].as_object_mut().expect("facts").remove("cases");
    assert_eq!(item(&run(&sub), "RAT-01").status, Status::MissingData);
}

/// Runs `kaohe assess` on the engine pack with a submission written to a temporary folder.
fn cli(sub: &Value, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("submission.json");
    std::fs::write(&path, serde_json::to_string(sub).expect("json")).expect("write");
    assert_cmd::Command::cargo_bin("kaohe")
        .expect("binary builds")
        .current_dir(root())
        .env("NO_COLOR", "1")
        .arg("assess")
        .arg("tests/engine/pack")
        .arg(&path)
        .args(args)
        .output()
        .expect("runs")
}

fn remove(sub: &mut Value, section: &str, key: &str) {
    sub[section]
        .as_object_mut()
        .expect("map")
        .shift_remove(key)
        .unwrap_or_else(|| panic!("no {section}/{key}"));
}

#[test]
fn absent_required_fact_is_missing_data_listed_as_incomplete() {
    let mut sub = compliant();
    remove(&mut sub, "facts", "group");
    // Not an error (exit 0): FACT-01 (2 points) is missing data and scores 0; ALL-01 loses
    // its 领导小组 part (1). 20 − 2 − 1 = 17.
    let out = cli(&sub, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let a = run(&sub);
    let fact = item(&a, "FACT-01");
    assert_eq!((fact.status, fact.awarded), (Status::MissingData, 0.0));
    assert_eq!(a.score.score, 17.0);
    assert!(a.is_incomplete());
    assert_eq!(a.incomplete.len(), 1, "{:?}", a.incomplete);
    let absent = &a.incomplete[0];
    assert_eq!(
        (absent.name.as_str(), absent.label.as_str(), absent.required),
        ("group", "成立领导小组", true)
    );
    assert_eq!(absent.items, ["FACT-01", "ALL-01"]);
    let text = report::text(&a);
    assert!(
        text.contains("缺报清单（共1项，其中必报1项，考核不完整）\n  - 成立领导小组（必报）：FACT-01、ALL-01缺数据\n"),
        "{text}"
    );
    let md = report::markdown(&a).expect("markdown");
    assert!(
        md.contains("## 缺报清单\n\n共1项，其中必报1项，考核不完整。\n\n- 成立领导小组（必报）：FACT-01、ALL-01缺数据\n"),
        "{md}"
    );
    let json: Value = serde_json::from_str(&report::json(&a)).expect("JSON");
    assert_eq!(
        json["incomplete"],
        json!([{"kind": "fact", "name": "group", "label": "成立领导小组", "required": true, "items": ["FACT-01", "ALL-01"], "text": "成立领导小组（必报）：FACT-01、ALL-01缺数据"}])
    );
}

#[test]
fn absent_optional_data_is_listed_only_where_an_item_needed_it() {
    let mut sub = compliant();
    remove(&mut sub, "facts", "report_sent_on");
    remove(&mut sub, "registers", "decisions");
    let a = run(&sub);
    assert!(!a.is_incomplete());
    let listed: Vec<(&str, bool)> = a
        .incomplete
        .iter()
        .map(|x| (x.name.as_str(), x.required))
        .collect();
    assert_eq!(listed, [("report_sent_on", false), ("decisions", false)]);
    assert!(report::text(&a).contains("缺报清单（共2项）\n"));
    // Nothing absent: the list says so.
    let a = run(&compliant());
    assert!(a.incomplete.is_empty());
    assert!(report::text(&a).contains("缺报清单：无\n"));
    assert!(
        report::markdown(&a)
            .expect("markdown")
            .contains("## 缺报清单\n\n无。\n")
    );
}

#[test]
fn absent_veto_fact_is_unverified_and_fails_on_veto() {
    let mut sub = compliant();
    remove(&mut sub, "facts", "interfered");
    let a = run(&sub);
    assert_eq!(item(&a, "VETO-01").status, Status::MissingData);
    assert_eq!(a.score.vetoes_unverified, ["VETO-01"]);
    assert_eq!(a.incomplete[0].items, ["VETO-01"]);
    assert!(report::text(&a).contains("领导干部干预司法（必报）：VETO-01缺数据"));
    assert_eq!(cli(&sub, &[]).status.code(), Some(0));
    let out = cli(&sub, &["--fail-on-veto"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("veto `VETO-01` cannot be judged"),
        "{stderr}"
    );
}

#[test]
fn absent_assessment_date_invents_no_deadline() {
    let mut sub = compliant();
    sub.as_object_mut()
        .expect("map")
        .shift_remove("assessed_on");
    set(&mut sub, "/facts/group", json!(false));
    assert_eq!(cli(&sub, &[]).status.code(), Some(0));
    let a = run_with(&sub, &[waiver("COV-02", &[], "2024-03-14")]);
    assert_eq!(a.submission.assessed_on, None);
    // The assessment date is the assessor's, not data the bureau owes: not in the 缺报清单.
    assert!(a.incomplete.is_empty());
    // FACT-01 counts its deadline in days from the assessment date: no date is made up.
    let r = item(&a, "FACT-01").rectification.as_ref().expect("task");
    assert_eq!((r.deadline.as_deref(), r.within_days), (None, Some(30)));
    let text = report::text(&a);
    assert!(text.contains("考核日期：未填报"), "{text}");
    assert!(
        text.contains("整改时限：未定（考核日期未填报；自考核日期起30日内）"),
        "{text}"
    );
    let md = report::markdown(&a).expect("markdown");
    assert!(md.contains("| 考核日期 | 未填报 |"), "{md}");
    assert!(
        md.contains("- 整改时限：未定（考核日期未填报；自考核日期起30日内）"),
        "{md}"
    );
    // A waiver's expiry cannot be checked: it is applied, with a warning.
    assert_eq!(item(&a, "COV-02").status, Status::Waived);
    assert!(
        report::warning(&a.warnings[0]).contains("考核日期未填报，未核对是否到期"),
        "{:?}",
        a.warnings
    );
    let json: Value = serde_json::from_str(&report::json(&a)).expect("JSON");
    assert_eq!(json["submission"]["assessed_on"], Value::Null);
    // Only the bureau and the year are needed.
    let minimal = json!({"bureau": {"name": "演示区教育局"}, "year": 2023});
    assert_eq!(cli(&minimal, &[]).status.code(), Some(0));
    let a = run(&minimal);
    let names: Vec<&str> = a.incomplete.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(
        names[..3],
        ["group", "interfered", "schools"],
        "required ones first"
    );
}

#[test]
fn empty_register_is_not_applicable_absent_one_is_missing_data() {
    let mut sub = compliant();
    set(&mut sub, "/registers/schools", json!([]));
    let a = run(&sub);
    assert!(a.incomplete.is_empty(), "{:?}", a.incomplete);
    assert_eq!(report::excluded(&a).len(), 3);
    for e in report::excluded(&a) {
        assert_eq!(e.why, "不适用：无此类事项（纳入范围的记录为0）", "{}", e.id);
    }
    let md = report::markdown(&a).expect("markdown");
    assert!(
        md.contains(
            "| COV-01 | 中小学法治副校长配备率100% | 3 | 不适用：无此类事项（纳入范围的记录为0） |"
        ),
        "{md}"
    );
    let explain = report::explain(&a, "COV-01", 80).expect("item");
    assert!(
        explain.contains("纳入范围的记录为0：无此类事项，不适用"),
        "{explain}"
    );

    let mut sub = compliant();
    remove(&mut sub, "registers", "schools");
    let a = run(&sub);
    assert_eq!(a.incomplete[0].name, "schools");
    assert_eq!(
        a.incomplete[0].items,
        ["COV-01", "COV-02", "EACH-01", "NOT-01"]
    );
    let explain = report::explain(&a, "COV-01", 80).expect("item");
    assert!(explain.contains("缺数据：未报送学校"), "{explain}");
    assert!(!explain.contains("无此类事项"), "{explain}");
    assert!(report::text(&a).contains("学校台账（必报）：COV-01、COV-02、EACH-01、NOT-01缺数据"));
}

#[test]
fn require_complete_fails_an_incomplete_submission() {
    assert_eq!(
        cli(&compliant(), &["--require-complete"]).status.code(),
        Some(0)
    );
    // Absent optional data does not make a submission incomplete.
    let mut sub = compliant();
    remove(&mut sub, "facts", "report_sent_on");
    assert_eq!(cli(&sub, &["--require-complete"]).status.code(), Some(0));
    let mut sub = compliant();
    remove(&mut sub, "facts", "group");
    remove(&mut sub, "registers", "schools");
    assert_eq!(cli(&sub, &[]).status.code(), Some(0));
    let out = cli(&sub, &["--require-complete"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains("bureau `演示区教育局`: incomplete, required fact `group`, register `schools` not given (`--require-complete`)"),
        "{stderr}"
    );
    // The report is still written.
    assert!(String::from_utf8_lossy(&out.stdout).contains("缺报清单（"));
}

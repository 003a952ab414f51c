//! Stated figures beside registers, worked by hand over `tests/stated` (12 points: LVP-01
//! legal vice-principals 100%, 3, 0.5 per school short; SCH-01 law classes in every school,
//! 2, 0.5 per school; ENF-01 at least 4 inspections, 2; SCH-02 a schedule of both, 2; GOV-01
//! on-time rate 100%, 3; the pack's reconciliation tolerance is 1%).

mod example;

use kaohe::assess::{Assessment, ItemOutcome};
use kaohe::checks::Quantity;
use kaohe::checks::stated::{Figure, Finding, Source};
use kaohe::report;
use kaohe::score::Status;

fn run(body: &str) -> Assessment {
    let pack = example::pack("tests/stated");
    let text =
        format!("bureau: {{name: 填报测试区教育局}}\nyear: 2024\nassessed_on: 2025-03-01\n{body}");
    example::assess_text(&pack, &text, &[])
}

fn item<'a>(a: &'a Assessment, id: &str) -> &'a ItemOutcome {
    a.items.iter().find(|o| o.id == id).expect("item exists")
}

fn measured(o: &ItemOutcome) -> String {
    o.measured
        .as_ref()
        .map(|q| report::sourced(q, o.source))
        .unwrap_or_default()
}

const SCHOOLS: &str = "  schools:
    - {name: 一中, has_lvp: true, law_classes: true}
    - {name: 二中, has_lvp: true, law_classes: true}
    - {name: 三小, has_lvp: false, law_classes: true}
    - {name: 四小, has_lvp: true, law_classes: true}
";

#[test]
fn a_stated_rate_scores_and_says_where_it_came_from() {
    let a = run(
        "facts: {lvp_rate: 100%, inspections_count: 6, service_cases: 430, service_on_time_rate: 100%}\n",
    );
    let lvp = item(&a, "LVP-01");
    assert_eq!((lvp.status, lvp.awarded), (Status::Pass, 3.0));
    assert_eq!(measured(lvp), "100%（据填报数）");
    // 6 stated inspections ≥ 4.
    assert_eq!(measured(item(&a, "ENF-01")), "6（据填报数）");
    assert_eq!(item(&a, "ENF-01").awarded, 2.0);
    // No numerator, the stated on-time rate: 100% ≥ 100%.
    assert_eq!(measured(item(&a, "GOV-01")), "100%（据填报数）");
    assert_eq!(item(&a, "GOV-01").awarded, 3.0);
    assert!(a.items.iter().all(|o| o.reconciled.is_empty()));
}

#[test]
fn stated_counts_give_the_units_a_per_unit_deduction_counts() {
    // 34 of 36: 94.44%, 2 schools short: 3 − 2 × 0.5 = 2.
    let a = run("facts: {schools_total: 36, schools_with_lvp: 34}\n");
    let lvp = item(&a, "LVP-01");
    assert_eq!(
        (lvp.status, lvp.awarded, lvp.deducted),
        (Status::Partial, 2.0, 1.0)
    );
    assert_eq!(measured(lvp), "94.44%（据填报数）");
    assert_eq!(
        lvp.shortfall.as_ref().map(report::shortfall).as_deref(),
        Some("差2所")
    );
}

#[test]
fn a_failing_stated_rate_without_numbers_is_missing_data_not_a_guess() {
    // 95% of schools: a per-school deduction needs how many schools fail, which nobody said.
    let a = run("facts: {law_classes_rate: 95%}\n");
    let sch = item(&a, "SCH-01");
    assert_eq!((sch.status, sch.awarded), (Status::MissingData, 0.0));
    assert_eq!(measured(sch), "95%（据填报数）");
    let missing: Vec<String> = sch.missing.iter().map(report::miss).collect();
    assert_eq!(missing, ["不符合要求的学校数未填写"]);
}

#[test]
fn rows_win_and_a_better_stated_figure_is_suspected_overstatement() {
    let a = run(&format!(
        "facts: {{schools_total: 4, schools_with_lvp: 4, lvp_rate: 100%}}\nregisters:\n{SCHOOLS}"
    ));
    let lvp = item(&a, "LVP-01");
    // From the rows: 3 of 4, 75%, 1 school short: 3 − 0.5 = 2.5.
    assert_eq!((lvp.status, lvp.awarded), (Status::Partial, 2.5));
    assert_eq!(measured(lvp), "75%（据台账核算）");
    // The total agrees (4 = 4); met 4 > 3 and 100% > 75% are better than the rows.
    let found: Vec<(Figure, Finding)> = lvp
        .reconciled
        .iter()
        .map(|r| (r.figure, r.finding))
        .collect();
    assert_eq!(
        found,
        [
            (Figure::Met, Finding::Overstated),
            (Figure::Rate, Finding::Overstated)
        ]
    );
    let words: Vec<String> = lvp.reconciled.iter().map(report::reconciled).collect();
    assert_eq!(
        words,
        [
            "疑似虚报：已配备法治副校长的中小学数填报4，据台账核算为3",
            "疑似虚报：法治副校长配备率填报100%，据台账核算为75%",
        ]
    );
    // Every school holds law classes: SCH-01 passes from the rows, with no figure to check.
    assert_eq!(item(&a, "SCH-01").source, Some(Source::Register));
    assert!(item(&a, "SCH-01").reconciled.is_empty());
}

#[test]
fn a_worse_stated_figure_or_another_total_is_inconsistent() {
    // 5 schools stated, 4 in the register; 2 with a vice-principal stated, 3 in the rows.
    let a = run(&format!(
        "facts: {{schools_total: 5, schools_with_lvp: 2}}\nregisters:\n{SCHOOLS}"
    ));
    let found: Vec<(Figure, Finding)> = item(&a, "LVP-01")
        .reconciled
        .iter()
        .map(|r| (r.figure, r.finding))
        .collect();
    assert_eq!(
        found,
        [
            (Figure::Total, Finding::Inconsistent),
            (Figure::Met, Finding::Inconsistent)
        ]
    );
}

#[test]
fn the_tolerance_is_percentage_points_for_rates_and_relative_for_numbers() {
    // 200 inspections stated against 199 rows: 1 / 199 = 0.5% ≤ 1%, they agree.
    let rows: String = (1..=199).map(|i| format!("    - {{id: D{i}}}\n")).collect();
    let a = run(&format!(
        "facts: {{inspections_count: 200}}\nregisters:\n  inspections:\n{rows}"
    ));
    assert!(item(&a, "ENF-01").reconciled.is_empty());
    // 203 against 199: 4 / 199 = 2% > 1%.
    let a = run(&format!(
        "facts: {{inspections_count: 203}}\nregisters:\n  inspections:\n{rows}"
    ));
    let r = &item(&a, "ENF-01").reconciled[0];
    assert_eq!((r.figure, r.finding), (Figure::Count, Finding::Overstated));
    assert_eq!(
        (&r.stated, &r.computed),
        (
            &Quantity::Count { value: 203 },
            &Quantity::Count { value: 199 }
        )
    );
    // A stated rate of 98% against 420 / 430 = 97.67%: 0.33 points ≤ 1 point, they agree;
    // 99% is 1.33 points off.
    let a =
        run("facts: {service_cases: 430, service_cases_on_time: 420, service_on_time_rate: 98%}\n");
    assert!(item(&a, "GOV-01").reconciled.is_empty());
    let a =
        run("facts: {service_cases: 430, service_cases_on_time: 420, service_on_time_rate: 99%}\n");
    let r = &item(&a, "GOV-01").reconciled[0];
    assert_eq!(
        (r.figure, r.finding, r.against),
        (Figure::Rate, Finding::Overstated, Source::Stated)
    );
}

#[test]
fn stated_figures_that_disagree_among_themselves_are_inconsistent() {
    // No rows: 30 of 36 is 83.33%, but 100% is stated. The rate is scored from (as stated),
    // and the disagreement is reported.
    let a = run("facts: {schools_total: 36, schools_with_lvp: 30, lvp_rate: 100%}\n");
    let lvp = item(&a, "LVP-01");
    assert_eq!(lvp.source, Some(Source::Stated));
    let r = &lvp.reconciled[0];
    assert_eq!(
        (r.figure, r.finding, r.against),
        (Figure::Rate, Finding::Overstated, Source::Stated)
    );
    assert_eq!(
        report::reconciled(r),
        "疑似虚报：法治副校长配备率填报100%，据其他填报数计算为83.33%"
    );
}

#[test]
fn an_empty_register_beside_a_stated_total_is_not_applicable_and_inconsistent() {
    let a = run("facts: {schools_total: 36}\nregisters:\n  schools: []\n");
    let lvp = item(&a, "LVP-01");
    assert_eq!(lvp.status, Status::NotApplicable);
    let found: Vec<(Figure, Finding)> = lvp
        .reconciled
        .iter()
        .map(|r| (r.figure, r.finding))
        .collect();
    assert_eq!(found, [(Figure::Total, Finding::Inconsistent)]);
}

#[test]
fn the_reports_list_the_disagreements() {
    let a = run(&format!(
        "facts: {{schools_with_lvp: 4, schools_total: 4}}\nregisters:\n{SCHOOLS}"
    ));
    let text = report::text_in(&a, 200);
    assert!(text.contains("数据核对（填报数与台账不符）"), "{text}");
    assert!(
        text.contains("疑似虚报：已配备法治副校长的中小学数填报4，据台账核算为3"),
        "{text}"
    );
    let md = report::markdown(&a).expect("renders");
    assert!(md.contains("## 数据核对（填报数与台账不符）"), "{md}");
    assert!(md.contains("| 75%（据台账核算） |"), "{md}");
    let json = serde_json::to_value(&a).expect("serialises");
    let lvp = json["items"]
        .as_array()
        .and_then(|xs| xs.iter().find(|x| x["id"] == "LVP-01"))
        .expect("LVP-01");
    assert_eq!(lvp["source"]["kind"], "register");
    assert_eq!(lvp["source"]["text"], "据台账核算");
    assert_eq!(lvp["reconciled"][0]["finding"], "overstated");
}

#[test]
fn a_register_stated_in_figures_is_not_on_the_completeness_list() {
    // Nothing about schools: the schools register is needed by the items that read it.
    let a = run("facts: {inspections_count: 6}\n");
    assert!(a.incomplete.iter().any(|x| x.name == "schools"));
    // Figures about schools instead of rows: scored from them, nothing absent for LVP-01.
    let a = run(
        "facts: {lvp_rate: 100%, law_classes_rate: 100%, inspections_count: 6, service_cases: 0}\n",
    );
    assert!(
        a.incomplete.iter().all(|x| x.name != "schools"),
        "{:?}",
        a.incomplete
    );
}

#[test]
fn more_meeting_the_requirement_than_the_stated_total_is_refused() {
    let pack = example::pack("tests/stated");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("submission.yaml");
    std::fs::write(
        &path,
        "bureau: {name: 填报测试区教育局}\nyear: 2024\nfacts:\n  schools_total: 36\n  schools_with_lvp: 37\n",
    )
    .expect("write");
    let e = kaohe::submission::load(&pack, &path).expect_err("37 of 36 is impossible");
    let text = kaohe::diag::render_human(&e.sources, &e.diagnostics, false);
    assert!(
        text.contains(
            "submission.yaml:5:21: `37` (已配备法治副校长的中小学数) is more than `36` (中小学数)"
        ),
        "{text}"
    );
}

#[test]
fn a_schedule_clause_whose_occurrences_a_stated_rate_leaves_uncounted_deducts_its_cap() {
    // Law classes in 95% of schools, with no number of schools: the first clause cannot count
    // the schools without them and deducts its cap, 1, as missing data; 6 stated inspections
    // leave the second clause nothing. 2 − 1 = 1.
    let a = run("facts: {law_classes_rate: 95%, inspections_count: 6}\n");
    let sch = item(&a, "SCH-02");
    assert_eq!((sch.status, sch.awarded), (Status::MissingData, 1.0));
    let clauses: Vec<(f64, bool)> = sch
        .schedule
        .iter()
        .map(|c| (c.deducted, c.missing))
        .collect();
    assert_eq!(clauses, [(1.0, true), (0.0, false)]);
    // Stated as 100%, nothing is short: the clause counts no occurrence.
    let a = run("facts: {law_classes_rate: 100%, inspections_count: 6}\n");
    assert_eq!(item(&a, "SCH-02").awarded, 2.0);
}

#[test]
fn the_json_with_sources_and_findings_follows_the_checked_in_schema() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join("schemas/assessment.schema.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compiles");
    for a in [
        run(&format!(
            "facts: {{schools_total: 5, schools_with_lvp: 4, lvp_rate: 100%, inspections_count: 6}}\nregisters:\n{SCHOOLS}"
        )),
        run(
            "facts: {law_classes_rate: 95%, lvp_rate: 100%, service_cases: 430, service_on_time_rate: 100%}\n",
        ),
    ] {
        let json = serde_json::to_value(&a).expect("serialises");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

//! Nested sections (`tests/nested`, a three-level table numbered as the table numbers it): a
//! section may hold sub-sections; at every level its points are its sub-sections' plus its own
//! standard items', and the assessment gives a subtotal for every level. `tests/nested-city` is
//! an overlay that moves points into a sub-section and writes the new sums up the tree.
//!
//! The table (points):
//!
//! ```text
//! 1 依法决策与制度建设 40      1.1 依法决策 20      1.1.1 (12)  1.1.2 (8)
//!                              1.2 制度建设 20      1.2.1 (12)  1.2.2 (8, 不适用 without documents)
//! 2 法治宣传教育 60            2.1 学校法治教育 40  2.1.1 法治副校长 25  2.1.1.1 (15) 2.1.1.2 (10)
//!                                                   2.1.2 法治课程 15    2.1.2.1 (15)
//!                              2.2 (20, an item of 2 itself)   2.3 (bonus 3, in no subtotal)
//! ```

mod example;

use std::path::Path;

use assert_cmd::Command;
use kaohe::assess::{Assessment, SectionScore};
use kaohe::pack::Pack;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const HEAD: &str = "bureau: {name: 示例区教育局}\nyear: 2024\nassessed_on: 2025-03-01\n";

/// 1.1.2 fails, 1.2.2 is not applicable, 2.1.1.2 is one lesson short, 2.2 two sessions short,
/// the bonus 2.3 is earned.
const GAPS: &str = "facts: {decisions_reviewed: true, adviser_attends: false, \
    documents_filed: true, has_documents: false, vp_appointed: true, vp_lessons: 3, \
    law_lessons: true, staff_study: 2, model_school: true}\n";

fn run(pack: &Pack, facts: &str) -> Assessment {
    example::assess_text(pack, &format!("{HEAD}{facts}"), &[])
}

/// (id, level, parent, points, available, awarded, deducted, gaps) of every section.
type Row<'a> = (&'a str, usize, Option<&'a str>, f64, f64, f64, f64, usize);

fn rows(a: &Assessment) -> Vec<Row<'_>> {
    a.sections
        .iter()
        .map(|s: &SectionScore| {
            (
                s.id.as_str(),
                s.level,
                s.parent.as_deref(),
                s.points,
                s.available,
                s.awarded,
                s.deducted,
                s.gaps,
            )
        })
        .collect()
}

#[test]
fn the_pack_keeps_every_level_parents_first() {
    let pack = example::pack("tests/nested");
    let sections: Vec<(&str, usize, Option<&str>)> = pack
        .sections
        .iter()
        .map(|s| (s.id.as_str(), s.level, s.parent.as_deref()))
        .collect();
    assert_eq!(
        sections,
        [
            ("1", 1, None),
            ("1.1", 2, Some("1")),
            ("1.2", 2, Some("1")),
            ("2", 1, None),
            ("2.1", 2, Some("2")),
            ("2.1.1", 3, Some("2.1")),
            ("2.1.2", 3, Some("2.1")),
        ]
    );
    assert!(pack.section_within("2.1.1", "2"));
    assert!(pack.section_within("2.1.1", "2.1.1"));
    assert!(!pack.section_within("2.1.1", "1"));
    assert!(!pack.section_within("2", "2.1"));
}

/// Subtotals at every level, with a not-applicable item leaving its sections' bases and the
/// bonus item counting in none.
#[test]
fn subtotals_at_every_level_with_a_not_applicable_item() {
    let a = run(&example::pack("tests/nested"), GAPS);
    assert_eq!(
        rows(&a),
        [
            // 1 = 1.1 + 1.2: available 20 + 12 = 32, awarded 12 + 12 = 24, one gap (1.1.2).
            ("1", 1, None, 40.0, 32.0, 24.0, 8.0, 1),
            // 1.1.1 met (12), 1.1.2 failed (0 of 8).
            ("1.1", 2, Some("1"), 20.0, 20.0, 12.0, 8.0, 1),
            // 1.2.1 met (12); 1.2.2 not applicable: its 8 leave the base, 20 − 8 = 12.
            ("1.2", 2, Some("1"), 20.0, 12.0, 12.0, 0.0, 0),
            // 2 = 2.1 (40 / 37.5) + its own item 2.2 (20 / 10): 60 / 47.5, two gaps; the bonus
            // 2.3, written in 2, is not in it.
            ("2", 1, None, 60.0, 60.0, 47.5, 12.5, 2),
            // 2.1 = 2.1.1 (25 / 22.5) + 2.1.2 (15 / 15) = 40 / 37.5.
            ("2.1", 2, Some("2"), 40.0, 40.0, 37.5, 2.5, 1),
            // 2.1.1.1 met (15); 2.1.1.2 one lesson short: 10 − 2.5 = 7.5. 15 + 7.5 = 22.5.
            ("2.1.1", 3, Some("2.1"), 25.0, 25.0, 22.5, 2.5, 1),
            ("2.1.2", 3, Some("2.1"), 15.0, 15.0, 15.0, 0.0, 0),
        ]
    );
    // The top-level subtotals make the total: awarded 24 + 47.5 = 71.5 of 32 + 60 = 92;
    // base 71.5 × 100 / 92 = 77.717… → 77.72; bonus 3; score 80.72.
    let s = &a.score;
    assert_eq!((s.available, s.awarded, s.base), (92.0, 71.5, 77.72));
    assert_eq!((s.bonus, s.score, s.grade.as_str()), (3.0, 80.72, "合格"));
}

/// With every item met and 1.2.2 applicable, each subtotal is its points in full.
#[test]
fn full_marks_fill_every_subtotal() {
    let a = run(
        &example::pack("tests/nested"),
        "facts: {decisions_reviewed: true, adviser_attends: true, documents_filed: true, \
         has_documents: true, cleanup_done: true, vp_appointed: true, vp_lessons: 4, \
         law_lessons: true, staff_study: 4, model_school: false}\n",
    );
    for s in &a.sections {
        assert_eq!(
            (s.available, s.awarded, s.deducted, s.gaps),
            (s.points, s.points, 0.0, 0),
            "{}",
            s.id
        );
    }
    assert_eq!(a.score.score, 100.0);
}

/// The overlay raises 2.1.1.1 from 15 to 20 and writes the sums up the tree (2.1.1: 30,
/// 2.1: 45), taking 5 from 2.2 so that 2 stays 60.
#[test]
fn an_overlay_overrides_a_subsection_s_points() {
    let pack = example::pack("tests/nested-city");
    let points: Vec<(&str, f64)> = pack
        .sections
        .iter()
        .map(|s| (s.id.as_str(), s.points))
        .collect();
    assert_eq!(
        points,
        [
            ("1", 40.0),
            ("1.1", 20.0),
            ("1.2", 20.0),
            ("2", 60.0),
            ("2.1", 45.0),
            ("2.1.1", 30.0),
            ("2.1.2", 15.0),
        ]
    );
    let a = run(&pack, GAPS);
    let find = |id: &str| a.sections.iter().find(|s| s.id == id).expect("section");
    // 2.1.1: 2.1.1.1 met (20) + 2.1.1.2 one lesson short (10 − 2.5 = 7.5) = 27.5 of 30.
    assert_eq!(
        (find("2.1.1").available, find("2.1.1").awarded),
        (30.0, 27.5)
    );
    // 2.1: 27.5 + 2.1.2 (15) = 42.5 of 45.
    assert_eq!((find("2.1").available, find("2.1").awarded), (45.0, 42.5));
    // 2: 42.5 + 2.2 two sessions short (15 − 2 × 5 = 5) = 47.5 of 60.
    assert_eq!((find("2").available, find("2").awarded), (60.0, 47.5));
    // 1 is untouched: 24 of 32. Total 71.5 of 92, as in the base pack by coincidence of the
    // moved points: 77.72 + 3 = 80.72.
    assert_eq!((find("1").available, find("1").awarded), (32.0, 24.0));
    assert_eq!(a.score.score, 80.72);
}

/// An overlay that changes a sub-section's points but not its parent's is refused, and the
/// message says which override to add.
#[test]
fn an_overlay_that_leaves_a_parent_unbalanced_says_what_to_add() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path().join("nested");
    std::fs::create_dir_all(base.join("items")).expect("dir");
    for file in ["pack.yaml", "items/decisions.yaml", "items/education.yaml"] {
        std::fs::copy(root().join("tests/nested").join(file), base.join(file)).expect("copy");
    }
    let overlay = dir.path().join("overlay");
    std::fs::create_dir_all(&overlay).expect("dir");
    std::fs::write(
        overlay.join("pack.yaml"),
        "pack: {id: overlay, title: 地方版, version: 0.1.0, extends: ../nested}\n\
         overrides:\n  - {item: 2.1.1.1, points: 20}\n  - {section: 2.1.1, points: 30}\n",
    )
    .expect("write");
    let loaded = kaohe::pack::load(&overlay).expect("pack directory");
    assert!(loaded.pack.is_none());
    let text = kaohe::diag::render_human(&loaded.sources, &loaded.diagnostics, false);
    // 2.1 = 2.1.1 (30) + 2.1.2 (15) = 45, not 40.
    assert!(
        text.contains("section `2.1` has 40 points, but its sub-sections add up to 45"),
        "{text}"
    );
    assert!(
        text.contains("add `{section: 2.1, points: 45}` to `overrides`"),
        "{text}"
    );
    assert_eq!(loaded.diagnostics.len(), 1, "{text}");
}

/// Text and Markdown show the hierarchy: each parent's subtotal, then its children set in.
#[test]
fn reports_show_the_hierarchy() {
    let a = run(&example::pack("tests/nested"), GAPS);
    let text = kaohe::report::text_in(&a, 200);
    let order = [
        "│ 依法决策与制度建设 ┆   40 ┆       32 ┆   24",
        "│ └ 依法决策         ┆   20 ┆       20 ┆   12",
        "│ └ 制度建设         ┆   20 ┆       12 ┆   12",
        "│ 法治宣传教育       ┆   60 ┆       60 ┆ 47.5",
        "│ └ 学校法治教育     ┆   40 ┆       40 ┆ 37.5",
        "│ 　└ 法治副校长     ┆   25 ┆       25 ┆ 22.5",
        "│ 　└ 法治课程       ┆   15 ┆       15 ┆   15",
    ];
    let mut at = 0;
    for line in order {
        let found = text[at..]
            .find(line)
            .unwrap_or_else(|| panic!("`{line}` not after the line before:\n{text}"));
        at += found + line.len();
    }
    let md = kaohe::report::markdown(&a).expect("renders");
    assert!(
        md.contains(
            "| 法治宣传教育 | 60 | 60 | 47.5 | 12.5 | 2 |\n\
             | └ 学校法治教育 | 40 | 40 | 37.5 | 2.5 | 1 |\n\
             | 　└ 法治副校长 | 25 | 25 | 22.5 | 2.5 | 1 |\n"
        ),
        "{md}"
    );
    let sheet = kaohe::report::markdown_with_sheet(&a).expect("renders");
    assert!(sheet.contains("\n### 法治宣传教育（60分）\n"), "{sheet}");
    assert!(sheet.contains("\n#### 学校法治教育（40分）\n"), "{sheet}");
    assert!(sheet.contains("\n##### 法治副校长（25分）\n"), "{sheet}");
    assert!(
        sheet.contains("学校法治教育小计：计分基数40，得分37.5，扣分2.5（含下级指标）。"),
        "{sheet}"
    );
    insta::assert_snapshot!("nested_text", kaohe::report::text(&a));
    insta::assert_snapshot!("nested_md_sheet", sheet);
}

/// The JSON gives each section its level and parent (omitted at the top level).
#[test]
fn json_gives_level_and_parent() {
    let a = run(&example::pack("tests/nested"), GAPS);
    let json: serde_json::Value = serde_json::from_str(&kaohe::report::json(&a)).expect("JSON");
    let s = &json["sections"];
    assert_eq!(json["schema"], "kaohe.assessment/4");
    assert_eq!(s[0]["level"], 1);
    assert!(s[0].get("parent").is_none());
    assert_eq!(s[5]["id"], "2.1.1");
    assert_eq!(s[5]["level"], 3);
    assert_eq!(s[5]["parent"], "2.1");
    // The JSON follows the checked-in schema.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/assessment.schema.json")).expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_pack_tests_pass() {
    Command::cargo_bin("kaohe")
        .expect("binary")
        .arg("test")
        .arg(root().join("tests/nested"))
        .arg(root().join("tests/nested-city"))
        .assert()
        .success();
}

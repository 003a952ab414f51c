//! What the text and Markdown reports of `kaohe assess` show, and how they are written:
//! the real binary on the sample submissions.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

const PACK: &str = "rules/edu-rule-of-law";
const PARTIAL: &str = "fixtures/partial/submission.yaml";

fn kaohe() -> Command {
    let mut cmd = Command::cargo_bin("kaohe").expect("binary builds");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS");
    cmd
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn assess(args: &[&str]) -> String {
    run(kaohe().arg("assess").arg(PACK).args(args))
}

fn json(args: &[&str]) -> Value {
    let text = assess(&[args, &["--format", "json"]].concat());
    serde_json::from_str(&text).expect("JSON report")
}

/// Self-scores that differ are listed in section order, as sections are everywhere else.
#[test]
fn self_assessment_differences_follow_section_order() {
    let a = json(&[PARTIAL]);
    let sections: Vec<&str> = a["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    let section_of = |id: &str| {
        let item = a["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["id"] == id)
            .expect("item");
        let s = item["section"].as_str().expect("section");
        sections
            .iter()
            .position(|x| *x == s)
            .expect("known section")
    };
    let order: Vec<usize> = a["self_assessment"]["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .map(|d| section_of(d["item"].as_str().expect("item")))
        .collect();
    assert!(order.len() > 2);
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
}

/// Every gap shows its target (整改目标) and evidence (佐证材料), in text and Markdown.
#[test]
fn gaps_show_their_target_and_evidence() {
    let a = json(&[PARTIAL]);
    // Lines broken to fit the terminal joined again.
    let text: String = assess(&[PARTIAL]).lines().map(str::trim_start).collect();
    let md = assess(&[PARTIAL, "--format", "md"]);
    let mut seen = 0;
    for item in a["items"].as_array().expect("items") {
        let Some(r) = item.get("rectification") else {
            continue;
        };
        if let Some(target) = r["target"].as_str() {
            assert!(text.contains(&format!("整改目标：{target}")), "{target}");
            assert!(md.contains(&format!("整改目标：{target}")), "{target}");
            seen += 1;
        }
        if let Some(evidence) = r["evidence"].as_array() {
            let labels: Vec<&str> = evidence.iter().filter_map(Value::as_str).collect();
            let line = format!("佐证材料：{}", labels.join("、"));
            assert!(text.contains(&line), "{line}");
            assert!(md.contains(&line), "{line}");
            seen += 1;
        }
    }
    assert!(seen > 0);
}

/// Items that left the base (不适用, 豁免, 缺数据视同不适用) and bonus items are listed with
/// why, in text and Markdown.
#[test]
fn excluded_and_bonus_items_are_listed() {
    let args = [PARTIAL, "--waivers", "fixtures/waivers.yaml"];
    let text = assess(&args);
    let md = assess(&[&args[..], &["--format", "md"]].concat());
    for report in [&text, &md] {
        let excluded = report.find("不计分项").expect("不计分项 section");
        let bonus = report.find("加分项").expect("加分项 section");
        // ENF-02: 应出庭案件为0，分母为零，不适用.
        assert!(report[excluded..].contains("ENF-02"), "{report}");
        assert!(report[excluded..].contains("分母为零"), "{report}");
        assert!(report[bonus..].contains("MODEL-01"), "{report}");
        assert!(report[bonus..].contains("MODEL-02"), "{report}");
    }
}

/// With `COLUMNS=80` every line of the officer's report fits in 80 columns (CJK counted
/// as 2), and table cells hold no characters that terminals may draw wide.
#[test]
fn the_text_report_fits_the_terminal() {
    for columns in ["80", "100"] {
        let width: usize = columns.parse().expect("number");
        let text = run(kaohe()
            .env("COLUMNS", columns)
            .args(["assess", PACK, PARTIAL]));
        for line in text.lines() {
            assert!(line.width() <= width, "{} columns: {line}", line.width());
        }
        for line in text.lines().filter(|l| l.starts_with('│')) {
            assert!(!line.contains(['“', '”', '≥', '≤', '×']), "{line}");
        }
    }
    // Not a terminal and no COLUMNS: 80.
    let text = assess(&[PARTIAL]);
    assert!(text.lines().all(|l| l.width() <= 80));
}

/// `--sheet` lists every item of the pack, grouped by section with subtotals.
#[test]
fn the_scoring_sheet_lists_every_item() {
    let a = json(&[PARTIAL]);
    for format in ["text", "md"] {
        let sheet = assess(&[PARTIAL, "--sheet", "--format", format]);
        assert!(sheet.contains("评分表"), "{sheet}");
        for item in a["items"].as_array().expect("items") {
            let id = item["id"].as_str().expect("id");
            assert!(sheet.contains(id), "{format}: {id} missing");
        }
        for s in a["sections"].as_array().expect("sections") {
            assert!(sheet.contains(&format!("{}小计", s["title"].as_str().expect("title"))));
        }
    }
    insta::assert_snapshot!(
        "partial_sheet_md",
        assess(&[PARTIAL, "--sheet", "--format", "md"])
    );
}

/// Shortfalls are written in the register's unit, shares in percentage points, and notes as
/// 提示.
#[test]
fn shortfalls_are_worded_in_units() {
    let text = assess(&[PARTIAL, "--waivers", "fixtures/waivers.yaml"]);
    assert!(text.contains("差距：差2所"), "{text}");
    assert!(text.contains("差距：2所不符合"), "{text}");
    assert!(text.contains("差距：差8个百分点"), "{text}");
    assert!(!text.contains("warning"), "{text}");
    assert!(text.contains("提示："), "{text}");
    let explain = assess(&[PARTIAL, "--explain", "LVP-01"]);
    assert!(!explain.contains("行"), "{explain}");
}

/// For an item whose data is missing, the rectification measure is to supply the data.
#[test]
fn missing_data_is_rectified_by_supplying_it() {
    let a = json(&["fixtures/missing-data/submission.yaml"]);
    let mut seen = 0;
    for item in a["items"].as_array().expect("items") {
        if item["status"] != "missing_data" {
            continue;
        }
        if let Some(measure) = item["rectification"]["measure"].as_str() {
            assert!(measure.starts_with("补报"), "{}: {measure}", item["id"]);
            seen += 1;
        }
    }
    assert!(seen > 0);
}

fn hostile_submission(dir: &Path) -> std::path::PathBuf {
    // `fixtures/hostile-text` is the partial fixture with escape sequences, Markdown and HTML
    // in a bureau, a school, a department and an evidence name.
    for name in ["submission.yaml", "enforcement_officers.csv"] {
        std::fs::copy(format!("fixtures/hostile-text/{name}"), dir.join(name)).expect("copy");
    }
    dir.join("submission.yaml")
}

/// Control characters in submitted names never reach the terminal, and submitted text
/// cannot break the Markdown (tables, headings, HTML).
#[test]
fn submitted_text_is_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = hostile_submission(dir.path());
    let path = path.to_str().expect("utf-8 path");
    let text = assess(&[path]);
    let explain = assess(&[path, "--explain", "LVP-01"]);
    for out in [&text, &explain] {
        assert!(
            !out.chars().any(|c| (c.is_control() && c != '\n')
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)),
            "{out:?}"
        );
    }
    assert!(text.contains("南岭\\x1b[2J县"), "{text}");
    assert!(explain.contains("大桥\\x1b]0;pwned\\x07小学"), "{explain}");

    let md = assess(&[path, "--format", "md"]);
    assert!(!md.contains("<script>"), "{md}");
    assert!(!md.contains("<b>"), "{md}");
    assert!(!md.contains("<i>"), "{md}");
    assert!(md.contains("&lt;script&gt;"), "{md}");
    assert!(!md.contains('\u{1b}'), "{md}");
    for line in md.lines() {
        assert!(!line.starts_with("# 标题"), "{line}");
        assert!(!line.starts_with("## 科"), "{line}");
    }
    assert!(
        md.contains("大桥\\x1b\\]0;pwned\\x07小学\\|\\*粗\\*\\_x\\_\\[链\\](y)\\`c\\`"),
        "{md}"
    );
    // Every table row has as many cells as its header.
    let mut columns = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        let cells = line.replace("\\|", "").matches('|').count();
        match columns {
            None => columns = Some(cells),
            Some(n) => assert_eq!(n, cells, "{line}"),
        }
    }
}

//! `kaohe rectify`: the rectification lists (整改清单) of the fixture submissions as Markdown,
//! CSV and JSON (snapshots, and the JSON against `schemas/rectify.schema.json`); their order,
//! task ids and departments; the same list from a pack and submission and from the
//! assessment's JSON; the XLSX workbook read back cell by cell (and opened by LibreOffice);
//! and formula-like names neutralised in CSV and XLSX.

use std::io::Read;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

const PACK: &str = "rules/edu-rule-of-law";
/// The fixtures whose lists are snapshots.
const LISTED: [&str; 5] = [
    "partial",
    "missing-data",
    "veto",
    "incomplete",
    "hostile-text",
];
/// A submission with school names a spreadsheet would run as formulas, and renamed
/// departments.
const FORMULAS: &str = "tests/rectify/formula-names/submission.yaml";
/// The header row of the list, in order.
const HEADER: [&str; 13] = [
    "序号",
    "任务编号",
    "考核项目",
    "整改对象",
    "问题",
    "整改措施",
    "责任单位",
    "责任人",
    "整改时限",
    "整改目标",
    "所需佐证材料",
    "完成情况",
    "佐证材料",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn kaohe() -> Command {
    let mut cmd = Command::cargo_bin("kaohe").expect("binary builds");
    cmd.current_dir(root()).env("NO_COLOR", "1");
    cmd
}

fn submission(fixture: &str) -> String {
    format!("fixtures/{fixture}/submission.yaml")
}

/// Runs `kaohe rectify ARGS`, which must succeed; its stdout.
fn rectify(args: &[&str]) -> Vec<u8> {
    let out = kaohe().arg("rectify").args(args).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn list_json(sub: &str) -> Value {
    serde_json::from_slice(&rectify(&[PACK, sub, "--format", "json"])).expect("JSON")
}

fn assessment_json(sub: &str) -> Value {
    let out = kaohe()
        .args(["assess", PACK, sub, "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Text with its control characters (but the line breaks) shown as `\u{1b}`, so a snapshot
/// of raw CSV stays readable.
fn visible(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn tasks(l: &Value) -> &Vec<Value> {
    l["tasks"].as_array().expect("tasks")
}

fn task<'a>(l: &'a Value, id: &str) -> &'a Value {
    tasks(l)
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no task {id}"))
}

#[test]
fn lists_of_the_fixtures() {
    for fixture in LISTED {
        let sub = submission(fixture);
        let md = String::from_utf8(rectify(&[PACK, &sub])).expect("utf-8");
        insta::assert_snapshot!(format!("{fixture}_md"), md);
        let csv = String::from_utf8(rectify(&[PACK, &sub, "--format", "csv"])).expect("utf-8");
        let body = csv.strip_prefix('\u{feff}').expect("a byte-order mark");
        insta::assert_snapshot!(format!("{fixture}_csv"), visible(body));
        let json = String::from_utf8(rectify(&[PACK, &sub, "--format", "json"])).expect("utf-8");
        insta::assert_snapshot!(format!("{fixture}_json"), json);
    }
}

/// The JSON of every fixture's and seed's list follows `schemas/rectify.schema.json`, which
/// says exactly what a list holds.
#[test]
fn list_json_follows_the_checked_in_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/rectify.schema.json")).expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compiles");
    let mut subs = vec![FORMULAS.to_string()];
    for dir in ["fixtures", "fixtures/seeds"] {
        for entry in std::fs::read_dir(root().join(dir)).expect("fixtures") {
            let path = entry.expect("entry").path();
            let file = if path.is_dir() {
                path.join("submission.yaml")
            } else {
                path.clone()
            };
            let name = file.to_string_lossy().into_owned();
            if file.is_file() && name.ends_with(".yaml") && !name.contains("waivers") {
                let rel = file.strip_prefix(root()).expect("inside");
                subs.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    subs.sort();
    assert!(subs.len() >= 9, "{subs:?}");
    let mut tasks_seen = 0;
    for sub in &subs {
        let l = list_json(sub);
        let errors: Vec<String> = validator
            .iter_errors(&l)
            .map(|e| format!("{sub}: {e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        tasks_seen += tasks(&l).len();
    }
    assert!(tasks_seen > 50, "{tasks_seen} tasks checked");
    // The schema is strict: an unknown field or a bad cause is refused.
    let mut l = list_json(&submission("partial"));
    l["tasks"][0]["colour"] = "red".into();
    assert!(!validator.is_valid(&l));
    let mut l = list_json(&submission("partial"));
    l["tasks"][0]["cause"] = "bad_luck".into();
    assert!(!validator.is_valid(&l));
}

/// Vetoes first, then red lines that cannot be certified, then by the points the item lost
/// (ties in pack order); `seq` counts from 1 and ids are unique.
#[test]
fn tasks_come_vetoes_first_then_by_points_lost() {
    for fixture in LISTED.iter().copied().chain(["compliant"]) {
        let sub = submission(fixture);
        let l = list_json(&sub);
        let a = assessment_json(&sub);
        let items = a["items"].as_array().expect("items");
        let pack_order = |id: &Value| items.iter().position(|i| i["id"] == *id).expect("item");
        let deducted = |id: &Value| items[pack_order(id)]["deducted"].as_f64().expect("number");
        let rank = |c: &Value| match c.as_str().expect("cause") {
            "veto" => 0,
            "unverified" => 1,
            _ => 2,
        };
        let keys: Vec<(i32, f64, usize)> = tasks(&l)
            .iter()
            .map(|t| {
                (
                    rank(&t["cause"]),
                    -deducted(&t["item"]),
                    pack_order(&t["item"]),
                )
            })
            .collect();
        for pair in keys.windows(2) {
            assert!(
                pair[0].0 < pair[1].0
                    || pair[0].0 == pair[1].0 && pair[0].1 < pair[1].1
                    || pair[0].0 == pair[1].0 && pair[0].1 == pair[1].1 && pair[0].2 <= pair[1].2,
                "{fixture}: out of order: {pair:?}"
            );
        }
        let mut ids = std::collections::HashSet::new();
        for (n, t) in tasks(&l).iter().enumerate() {
            assert_eq!(t["seq"], n + 1, "{fixture}");
            assert!(ids.insert(t["id"].as_str().expect("id")), "{fixture}: {t}");
        }
        // Every item on the gap list has its task or tasks.
        for i in items.iter().filter(|i| i["gap"] == true) {
            assert!(
                tasks(&l).iter().any(|t| t["item"] == i["id"]),
                "{fixture}: no task for {}",
                i["id"]
            );
        }
    }
    // The veto fixture's red line comes first.
    let l = list_json(&submission("veto"));
    assert_eq!(tasks(&l)[0]["cause"], "veto");
    // In the partial fixture, STUDY-01 lost the most points of all (2 of 3: 3 sessions short
    // at 0.5 = 1.5, one subject missing at 0.5); its two clauses come first, then DOC-03
    // (1.5 lost), then the items that lost 1 in pack order (LEAD-04 before DOC-02).
    let l = list_json(&submission("partial"));
    let items: Vec<&str> = tasks(&l)
        .iter()
        .map(|t| t["item"].as_str().expect("item"))
        .collect();
    assert_eq!(
        items[..5],
        ["STUDY-01", "STUDY-01", "DOC-03", "LEAD-04", "DOC-02"]
    );
    assert_eq!(tasks(&l)[0]["lost"], 1.5);
    assert_eq!(tasks(&l)[1]["lost"], 0.5);
    assert_eq!(tasks(&l)[0]["cause"], "partial");
    assert_eq!(tasks(&l)[3]["cause"], "shortfall");
}

/// A pack's `rectify: {per: row}` gives a task per failing row (`ITEM/row key`), and
/// `per: clause` one per deducting schedule clause (`ITEM/clause label`).
#[test]
fn split_tasks_have_stable_ids() {
    let l = list_json(&submission("partial"));
    let ids: Vec<&str> = tasks(&l)
        .iter()
        .map(|t| t["id"].as_str().expect("id"))
        .collect();
    for id in [
        "LVP-01/南岭县大桥镇中心小学",
        "LVP-01/南岭县石门乡中心小学",
        "SCH-01/南岭县大桥镇中心小学",
        "SCH-01/南岭县石门乡中心小学",
        "LVP-04/南岭县第一幼儿园",
    ] {
        assert!(ids.contains(&id), "{id} not in {ids:?}");
        let t = task(&l, id);
        let (item, row) = id.split_once('/').expect("split");
        assert_eq!(t["item"], item);
        assert_eq!(t["row"], row);
        assert!(t["problem"].as_str().expect("text").contains(row), "{t}");
    }
    // Per-row tasks share their item's lost points.
    assert_eq!(
        task(&l, "LVP-01/南岭县大桥镇中心小学")["lost"],
        task(&l, "LVP-01/南岭县石门乡中心小学")["lost"]
    );
    // Per-clause tasks: one per clause that deducted, each with its own loss.
    for item in ["STUDY-01", "DEC-02"] {
        let split: Vec<&Value> = tasks(&l).iter().filter(|t| t["item"] == item).collect();
        assert!(!split.is_empty(), "{item}");
        let a = assessment_json(&submission("partial"));
        let o = a["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["id"] == item)
            .expect("item");
        let lost: f64 = split
            .iter()
            .map(|t| t["lost"].as_f64().expect("lost"))
            .sum();
        assert!(
            (lost - o["deducted"].as_f64().expect("deducted")).abs() < 1e-9,
            "{item}"
        );
        for t in split {
            let clause = t["clause"].as_str().expect("a clause");
            assert_eq!(t["id"], format!("{item}/{clause}"));
            assert!(t.get("row").is_none());
        }
    }
    // Unsplit items keep the item id.
    assert_eq!(task(&l, "SCH-03")["item"], "SCH-03");
    // The same ids next year: ids depend on the item and the row or clause only.
    let again = list_json(&submission("partial"));
    assert_eq!(l, again);
}

/// Deadlines: the assessment date plus the item's days; without an assessment date, no date
/// is made up (整改时限未定) and the days are kept.
#[test]
fn deadlines_are_dates_or_undetermined() {
    let l = list_json(&submission("partial"));
    assert_eq!(l["assessed_on"], "2024-03-20");
    // LVP-01: within 90 days of 2024-03-20 → 2024-06-18.
    assert_eq!(
        task(&l, "LVP-01/南岭县大桥镇中心小学")["deadline"],
        "2024-06-18"
    );
    let l = list_json(&submission("incomplete"));
    assert!(l.get("assessed_on").is_none());
    assert!(!tasks(&l).is_empty());
    for t in tasks(&l) {
        assert!(
            t.get("deadline").is_none() || t["deadline"].is_string(),
            "{t}"
        );
    }
    assert!(
        tasks(&l)
            .iter()
            .any(|t| t.get("deadline").is_none() && t["within_days"].is_u64())
    );
    let md = String::from_utf8(rectify(&[PACK, &submission("incomplete")])).expect("utf-8");
    assert!(md.contains("未定（考核日期未填报；自考核日期起"), "{md}");
}

/// The submission's `departments` gives 责任人, and may rename a department (责任单位): the
/// task names the bureau's unit and keeps the pack's name.
#[test]
fn departments_give_the_person_and_may_rename_the_unit() {
    let l = list_json(FORMULAS);
    let renamed: Vec<&Value> = tasks(&l)
        .iter()
        .filter(|t| t.get("pack_owner").is_some())
        .collect();
    assert!(!renamed.is_empty());
    for t in &renamed {
        assert_eq!(t["owner"], "法规科", "{t}");
        assert_eq!(t["pack_owner"], "政策法规科", "{t}");
        assert_eq!(t["responsible"], "王芳", "{t}");
    }
    for t in tasks(&l) {
        assert_ne!(t["owner"], "政策法规科", "{t}");
        if t["owner"] == "基础教育科" {
            assert_eq!(t["responsible"], "欧阳敏", "{t}");
            assert!(t.get("pack_owner").is_none());
        }
        if t["owner"] == "办公室" {
            assert_eq!(t["responsible"], "黄建华", "{t}");
        }
    }
    // The partial fixture names people only: the pack's units stand.
    let l = list_json(&submission("partial"));
    assert!(tasks(&l).iter().all(|t| t.get("pack_owner").is_none()));
    assert!(
        tasks(&l)
            .iter()
            .any(|t| t["owner"] == "政策法规科" && t["responsible"] == "龙晓峰")
    );
    // The assessment's JSON carries the same.
    let a = assessment_json(FORMULAS);
    let renamed_items: Vec<&Value> = a["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i.pointer("/rectification/pack_owner").is_some())
        .collect();
    assert!(!renamed_items.is_empty());
    for i in renamed_items {
        assert_eq!(i["rectification"]["owner"], "法规科");
    }
    // ... and follows the assessment schema.
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/assessment.schema.json")).expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let errors: Vec<String> = validator
        .iter_errors(&a)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A bad `departments` value is refused with a located message for each.
#[test]
fn a_bad_department_is_located() {
    let out = kaohe()
        .args(["rectify", PACK, "fixtures/bad/departments.yaml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    for (line, what) in [
        (7, "a list"),
        (8, "unknown department key `persn`"),
        (9, "integer `3`"),
        (10, "integer `7`"),
    ] {
        assert!(
            stderr.contains(&format!("fixtures/bad/departments.yaml:{line}:")),
            "line {line}: {stderr}"
        );
        assert!(stderr.contains(what), "{what}: {stderr}");
    }
}

/// A list made from the assessment's JSON is the list made from the pack and submission,
/// byte for byte, in every text format.
#[test]
fn the_same_list_from_an_assessment_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    for sub in LISTED
        .iter()
        .map(|f| submission(f))
        .chain([FORMULAS.to_string()])
    {
        let a = kaohe()
            .args(["assess", PACK, &sub, "--format", "json"])
            .output()
            .expect("runs");
        let saved = dir.path().join("assessment.json");
        std::fs::write(&saved, &a.stdout).expect("write");
        let saved = saved.to_str().expect("utf-8 path");
        for format in ["md", "csv", "json"] {
            assert_eq!(
                rectify(&[PACK, &sub, "--format", format]),
                rectify(&[saved, "--format", format]),
                "{sub} as {format}"
            );
        }
        let direct = read_book(&xlsx(&[PACK, &sub]));
        let from_json = read_book(&xlsx(&[saved]));
        assert_eq!(direct, from_json, "{sub} as xlsx");
    }
}

#[test]
fn xlsx_needs_an_output_file() {
    let out = kaohe()
        .args(["rectify", PACK, &submission("partial"), "--format", "xlsx"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o"));
}

/// JSON that is not JSON, or not an assessment, is refused with a located message, and no
/// list is written.
#[test]
fn bad_assessment_json_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (
            "broken.json",
            "{\n  \"schema\": \"kaohe.assessment/1\",\n  \"pack\": \n}\n",
            "broken.json:4:1: not JSON",
        ),
        (
            "other.json",
            "{\"schema\": \"kaohe.rectify/1\"}",
            "not an assessment",
        ),
        (
            "short.json",
            "{\"schema\": \"kaohe.assessment/1\"}",
            "no `/pack/id`",
        ),
    ];
    for (name, text, says) in cases {
        let input = dir.path().join(name);
        std::fs::write(&input, text).expect("write");
        let target = dir.path().join(format!("{name}.xlsx"));
        let out = kaohe()
            .arg("rectify")
            .arg(&input)
            .args(["--format", "xlsx", "-o"])
            .arg(&target)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(says), "{name}: {stderr}");
        assert!(out.stdout.is_empty());
        assert!(!target.exists(), "{name}: a list was written");
    }
}

/// CSV: a submitted name that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
/// comes out with a leading `'`; nothing else changes.
#[test]
fn csv_neutralises_formula_like_names() {
    let csv = rectify(&[PACK, FORMULAS, "--format", "csv"]);
    assert!(csv.starts_with("\u{feff}".as_bytes()));
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header, HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let targets: Vec<&str> = rows.iter().map(|r| &r[3]).collect();
    for name in [
        "=cmd|' /C calc'!A0",
        "+石门乡中心小学",
        "-第一幼儿园",
        "@城东小学",
        "\t城西小学",
        "\r城北小学",
    ] {
        assert!(
            targets.contains(&format!("'{name}").as_str()),
            "{name:?} not neutralised: {targets:?}"
        );
        assert!(!targets.contains(&name), "{name:?} left as is");
    }
    // No cell of the file starts like a formula.
    for r in &rows {
        for cell in r {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
        }
    }
    // A name that is not formula-like is left alone.
    assert!(targets.contains(&"南岭县第一幼儿园") || !targets.contains(&"'南岭县第一幼儿园"));
}

/// Writes the XLSX of `args` to a temporary file and returns its bytes.
fn xlsx(args: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("整改清单.xlsx");
    let out = kaohe()
        .arg("rectify")
        .args(args)
        .args(["--format", "xlsx", "-o"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    std::fs::read(&path).expect("written")
}

/// Every sheet's cells (name, rows of cells).
fn read_book(bytes: &[u8]) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("XLSX");
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("sheet");
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            (name, rows)
        })
        .collect()
}

/// One part of the workbook's zip, as text.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    let mut file = zip.by_name(name).expect(name);
    let mut text = String::new();
    file.read_to_string(&mut text).expect("UTF-8 XML");
    text
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The workbook read back: its sheets, title, header, dates, drop-down, frozen header, and
/// the formula-like names as text.
#[test]
fn xlsx_reads_back_as_a_usable_workbook() {
    let bytes = xlsx(&[PACK, FORMULAS]);
    let book = read_book(&bytes);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["整改清单", "评分表"]);
    let rows = &book[0].1;
    // The range starts at A1: the title row with bureau, year and pack.
    let title = text(&rows[0][0]);
    for part in ["南岭县教育局", "2023", "教育系统法治建设"] {
        assert!(title.contains(part), "{part} not in {title}");
    }
    let header: Vec<String> = rows[1].iter().map(text).collect();
    assert_eq!(header, HEADER);
    let l = list_json(FORMULAS);
    assert_eq!(rows.len(), 2 + tasks(&l).len());
    // Every task row: its sequence number as a number, its id, its deadline as a date.
    for (t, row) in tasks(&l).iter().zip(&rows[2..]) {
        assert_eq!(row[0], Data::Float(t["seq"].as_f64().expect("seq")));
        let id = t["id"].as_str().expect("id");
        let shown = text(&row[1]);
        assert!(shown == id || shown == format!("'{id}"), "{shown} / {id}");
        match t["deadline"].as_str() {
            Some(d) => match &row[8] {
                Data::DateTime(dt) => {
                    assert!(dt.is_datetime(), "{id}");
                    // Excel counts days from 1899-12-30.
                    let days = dt.as_f64();
                    assert_eq!(days.fract(), 0.0);
                    let shown = jiff::civil::date(1899, 12, 30)
                        .checked_add(jiff::Span::new().days(days as i64))
                        .expect("in range")
                        .to_string();
                    assert_eq!(shown, d, "{id}");
                }
                other => panic!("{id}: the deadline is not a date: {other:?}"),
            },
            None => assert!(matches!(row[8], Data::String(_))),
        }
        assert_eq!(text(&row[11]), "", "{id}: 完成情况 is left to fill in");
    }
    // The formula-like school is text with a leading `'`; no cell holds a formula.
    let cells: Vec<String> = rows.iter().flatten().map(text).collect();
    assert!(cells.contains(&"'=cmd|' /C calc'!A0".to_string()));
    assert!(!cells.contains(&"=cmd|' /C calc'!A0".to_string()));
    for (name, rows) in &book {
        for cell in rows.iter().flatten() {
            if let Data::String(s) = cell {
                assert!(
                    !s.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{name}: {s:?}"
                );
            }
        }
    }
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).expect("XLSX");
    for name in ["整改清单", "评分表"] {
        let formulas = book.worksheet_formula(name).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name} has a formula"
        );
    }
    let sheet1 = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        !sheet1.contains("<f>") && !sheet1.contains("<f "),
        "a formula"
    );
    // The header (rows 1 and 2) is frozen.
    assert!(
        sheet1.contains(r#"ySplit="2""#) && sheet1.contains(r#"state="frozen""#),
        "{sheet1}"
    );
    // The 完成情况 drop-down, on column L for every task row.
    let last = 2 + tasks(&l).len();
    assert!(
        sheet1.contains(&format!(r#"sqref="L3:L{last}""#)),
        "no drop-down on L3:L{last}"
    );
    assert!(
        sheet1.contains(r#"<dataValidation type="list""#),
        "{sheet1}"
    );
    assert!(
        sheet1.contains("<formula1>\"未整改,整改中,已整改\"</formula1>"),
        "{sheet1}"
    );
    // A filter on the header row; printed landscape, one page wide, title and header repeated.
    assert!(
        sheet1.contains(&format!(r#"<autoFilter ref="A2:M{last}""#)),
        "{sheet1}"
    );
    assert!(sheet1.contains(r#"orientation="landscape""#));
    assert!(sheet1.contains(r#"fitToHeight="0""#));
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(workbook.contains("_xlnm.Print_Titles"), "{workbook}");
    // Wrapped text and widths for Chinese.
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"wrapText="1""#));
    assert!(sheet1.contains("<cols>"));
    // The scoring sheet: a header, the sections with their subtotals, the items.
    let sheet = &book_rows(&bytes, "评分表");
    let header: Vec<String> = sheet[0].iter().map(text).collect();
    assert_eq!(header, ["编号", "考核内容", "分值", "状态", "实际", "得分"]);
    assert!(sheet.iter().any(|r| text(&r[0]) == "LVP-01"));
    assert!(sheet.iter().any(|r| text(&r[3]) == "小计"));
    drop(book.sheet_names());
}

fn book_rows(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    read_book(bytes)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, rows)| rows)
        .expect("sheet")
}

/// A list with no task still makes a workbook: the title, the header and the scoring sheet.
#[test]
fn an_empty_list_makes_a_workbook() {
    let bytes = xlsx(&[PACK, &submission("compliant")]);
    let rows = book_rows(&bytes, "整改清单");
    assert_eq!(rows.len(), 2);
    assert!(!book_rows(&bytes, "评分表").is_empty());
}

/// LibreOffice, headless, opens the workbook and converts it to CSV with the expected cells.
/// Without `soffice` the test fails, unless `KAOHE_SKIP_LIBREOFFICE=1` says to skip it
/// (`.ci/run` installs LibreOffice).
#[test]
fn libreoffice_opens_the_workbook() {
    let soffice = ["soffice", "libreoffice"].into_iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(soffice) = soffice else {
        if std::env::var("KAOHE_SKIP_LIBREOFFICE").as_deref() == Ok("1") {
            eprintln!("skipped: no soffice, and KAOHE_SKIP_LIBREOFFICE=1");
            return;
        }
        panic!(
            "LibreOffice (`soffice`) is not installed: install libreoffice-calc-nogui, or set KAOHE_SKIP_LIBREOFFICE=1 to skip this test"
        );
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let book = dir.path().join("list.xlsx");
    std::fs::write(&book, xlsx(&[PACK, FORMULAS])).expect("write");
    let profile = dir.path().join("profile");
    let out = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--norestore", "--convert-to"])
        // UTF-8 (76), comma-separated, fields quoted as shown.
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1")
        .arg("--outdir")
        .arg(dir.path())
        .arg(&book)
        .output()
        .expect("soffice runs");
    let converted: PathBuf = dir.path().join("list.csv");
    assert!(
        converted.is_file(),
        "LibreOffice did not convert the workbook:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(&converted).expect("UTF-8 CSV");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_string).collect())
        .collect();
    assert!(
        rows[0][0].contains("南岭县教育局2023年度整改清单"),
        "{:?}",
        rows[0]
    );
    assert_eq!(rows[1], HEADER);
    let l = list_json(FORMULAS);
    let t = task(&l, "LVP-01/=cmd|' /C calc'!A0");
    let row = rows
        .iter()
        .find(|r| r.get(3).is_some_and(|c| c == "'=cmd|' /C calc'!A0"))
        .expect("the formula-like school's row, as text");
    assert_eq!(row[0], t["seq"].to_string());
    assert!(row[4].contains("=cmd|' /C calc'!A0"));
    // The deadline is a date cell, shown as a date: LibreOffice quotes every text cell, and
    // leaves the date unquoted.
    assert_eq!(row[8], t["deadline"].as_str().expect("deadline"));
    assert_eq!(row[8], "2024-06-18");
    let line = csv
        .lines()
        .find(|l| l.contains("LVP-01/'=cmd|' /C calc'!A0") || l.contains("LVP-01/=cmd"))
        .expect("the task's line");
    assert!(line.contains(",2024-06-18,"), "{line}");
    assert!(!line.contains("\"2024-06-18\""), "{line}");
    assert!(
        csv.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("\"序号\","))
    );
}

/// A bureau name that a spreadsheet would run as a formula starts the title cell: it is
/// neutralised there too.
#[test]
fn a_formula_like_bureau_name_is_neutralised_in_the_title() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut a = assessment_json(&submission("partial"));
    a["submission"]["bureau"]["name"] = "=HYPERLINK(\"http://x\",\"点此\")".into();
    let saved = dir.path().join("assessment.json");
    std::fs::write(&saved, serde_json::to_vec(&a).expect("JSON")).expect("write");
    let bytes = xlsx(&[saved.to_str().expect("utf-8 path")]);
    let rows = book_rows(&bytes, "整改清单");
    let title = text(&rows[0][0]);
    assert!(title.starts_with("'=HYPERLINK("), "{title}");
    let md = String::from_utf8(rectify(&[saved.to_str().expect("utf-8 path")])).expect("utf-8");
    assert!(md.starts_with("# =HYPERLINK"), "{md}");
}

/// The same input gives the same workbook bytes, whenever it is written: the workbook's
/// creation time is the assessment date, not the clock.
#[test]
fn the_workbook_is_the_same_bytes_every_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sub = submission("partial");
    let write = |name: &str| {
        let path = dir.path().join(name);
        rectify(&[
            "rules/edu-rule-of-law",
            &sub,
            "--format",
            "xlsx",
            "-o",
            path.to_str().expect("utf-8"),
        ]);
        std::fs::read(&path).expect("written")
    };
    let first = write("a.xlsx");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(first == write("b.xlsx"), "the two workbooks differ");
}

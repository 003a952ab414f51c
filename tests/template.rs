//! `kaohe template`: the fill-in workbook read back (sheets, headers, drop-downs and
//! validations in its XML); the round trip submission → filled-in workbook → assessment,
//! also through a workbook LibreOffice saved; a badly filled workbook's located errors; the
//! YAML skeleton; and a CSV register in GBK.
//!
//! Workbooks are filled in with `kaohe template --from SUBMISSION`, which writes a
//! submission's values into the template's cells as a spreadsheet program would store them
//! (numbers, dates as date cells, percentages as fractions formatted `0.0%`, 是/否, lists
//! joined by 、, one document per line).

use std::io::Read;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx};

const PACK: &str = "rules/edu-rule-of-law";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn kaohe() -> Command {
    let mut cmd = Command::cargo_bin("kaohe").expect("binary builds");
    cmd.current_dir(root()).env("NO_COLOR", "1");
    cmd
}

/// Runs kaohe, which must succeed; its stdout.
fn ok(args: &[&str]) -> Vec<u8> {
    let out = kaohe().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "kaohe {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn template(dir: &Path, from: Option<&str>) -> PathBuf {
    let path = dir.join(if from.is_some() {
        "filled.xlsx"
    } else {
        "template.xlsx"
    });
    let mut args = vec!["template", PACK, "-o", path.to_str().expect("utf-8")];
    if let Some(from) = from {
        args.extend(["--from", from]);
    }
    ok(&args);
    path
}

fn assess_json(sub: &str) -> String {
    String::from_utf8(ok(&["assess", PACK, sub, "--format", "json"])).expect("utf-8")
}

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

#[test]
fn the_template_has_a_sheet_per_part_with_headers_and_validations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = std::fs::read(template(dir.path(), None)).expect("read");
    assert_eq!(
        std::fs::read(template(dir.path(), None)).expect("read"),
        bytes,
        "the same pack, the same bytes"
    );
    let book = read_book(&bytes);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "填报说明",
            "基本信息",
            "事实",
            "学校",
            "法治副校长（副园长）",
            "集体学法",
            "行政执法人员",
            "新任科级干部",
            "行政规范性文件",
            "重大行政决策",
            "合同",
            "法律顾问",
            "督导检查",
            "校外培训机构",
            "行政诉讼案件",
            "佐证材料",
            "科室",
            "自评分"
        ]
    );
    let sheet = |name: &str| &book.iter().find(|(n, _)| n == name).expect(name).1;
    let instructions: Vec<String> = sheet("填报说明").iter().map(|r| text(&r[0])).collect();
    assert!(
        instructions
            .iter()
            .any(|l| l.contains("留空＝未填报（缺数据）"))
    );
    assert!(instructions.iter().any(|l| l.contains("YYYY-MM-DD")));
    assert!(instructions.iter().any(|l| l.contains("95%")));
    let facts = sheet("事实");
    let header: Vec<String> = facts[0].iter().map(text).collect();
    assert_eq!(
        header,
        ["名称", "填报值", "单位/类型", "可选值", "说明", "字段名"]
    );
    let row = |name: &str| {
        facts
            .iter()
            .find(|r| text(&r[5]) == name)
            .expect(name)
            .iter()
            .map(text)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        row("leading_group_established")[..3],
        ["成立法治建设（依法行政）工作领导小组（必报）", "", "是/否"]
    );
    let stated = row("k12_lvp_rate");
    assert_eq!(stated[2], "百分比（如 95%）");
    assert!(stated[4].contains("「学校」台账的汇总"), "{stated:?}");
    assert!(row("thematic_education_topics")[3].starts_with("防欺凌、防性侵"));
    let schools: Vec<String> = sheet("学校")[0].iter().map(text).collect();
    assert_eq!(schools[..3], ["学校名称＊", "学段", "办学性质"]);

    // The XML: sheet 3 is 事实, sheet 4 学校.
    let facts_xml = part(&bytes, "xl/worksheets/sheet3.xml");
    for expected in [
        r#"type="list""#,
        "<formula1>\"是,否\"</formula1>",
        r#"type="whole""#,
        r#"type="decimal""#,
        r#"type="date""#,
    ] {
        assert!(facts_xml.contains(expected), "事实 lacks {expected}");
    }
    let schools_xml = part(&bytes, "xl/worksheets/sheet4.xml");
    assert!(schools_xml.contains("幼儿园,小学,初中"), "学段 drop-down");
    assert!(schools_xml.contains(r#"sqref="B2:B1001""#), "{schools_xml}");
    assert!(schools_xml.contains(r#"operator="greaterThanOrEqual""#));
    // The field names are there for reading back, hidden.
    assert!(part(&bytes, "xl/worksheets/sheet3.xml").contains(r#"hidden="1""#));
}

/// The same assessment from a YAML submission and from the workbook it fills in.
#[test]
fn a_filled_in_workbook_assesses_as_its_yaml() {
    let dir = tempfile::tempdir().expect("temp dir");
    for fixture in ["compliant", "partial", "missing-data", "veto", "incomplete"] {
        let sub = format!("fixtures/{fixture}/submission.yaml");
        let filled = template(dir.path(), Some(&sub));
        assert_eq!(
            assess_json(filled.to_str().expect("utf-8")),
            assess_json(&sub),
            "{fixture}"
        );
    }
}

/// A workbook saved by LibreOffice (the filled-in workbook converted to XLSX by
/// `soffice --headless`) assesses as the original. Without `soffice` the test fails, unless
/// `KAOHE_SKIP_LIBREOFFICE=1` says to skip it.
#[test]
fn a_workbook_saved_by_libreoffice_assesses_the_same() {
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
    let sub = "fixtures/partial/submission.yaml";
    let filled = template(dir.path(), Some(sub));
    let blank = template(dir.path(), None);
    let out_dir = dir.path().join("saved");
    let profile = dir.path().join("profile");
    let out = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
        ])
        .arg("--outdir")
        .arg(&out_dir)
        .arg(&filled)
        .arg(&blank)
        .output()
        .expect("soffice runs");
    let saved = out_dir.join("filled.xlsx");
    assert!(
        saved.is_file(),
        "LibreOffice did not save the workbook:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(
        std::fs::read(&saved).expect("read"),
        std::fs::read(&filled).expect("read"),
        "LibreOffice wrote its own file"
    );
    assert_eq!(
        assess_json(saved.to_str().expect("utf-8")),
        assess_json(sub)
    );
    // The blank template, saved by LibreOffice, still asks for the same two cells.
    let problems = |path: &Path| {
        let out = kaohe()
            .args(["assess", PACK])
            .arg(path)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stderr).replace(&*path.to_string_lossy(), "<file>")
    };
    assert_eq!(problems(&out_dir.join("template.xlsx")), problems(&blank));
}

/// A workbook filled in wrongly: every problem at once, each with its sheet, row, column
/// and header; exit 2.
#[test]
fn a_badly_filled_workbook_names_each_cell() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("基本信息").expect("name");
    // No 字段名 column: rows are found by their labels.
    for (r, (label, value)) in [
        ("项目", "填报值"),
        ("单位名称", "东湖县教育局"),
        ("考核年度", "二〇二三"),
    ]
    .iter()
    .enumerate()
    {
        s.write_string(r as u32, 0, *label).expect("write");
        s.write_string(r as u32, 1, *value).expect("write");
    }
    let s = book.add_worksheet();
    s.set_name("事实").expect("name");
    s.write_string(0, 0, "名称").expect("write");
    s.write_string(0, 1, "填报值").expect("write");
    s.write_string(1, 0, "成立法治建设（依法行政）工作领导小组（必报）")
        .expect("write");
    s.write_string(1, 1, "也许").expect("write");
    s.write_string(2, 0, "局长办公会、党组会研究法治建设工作次数")
        .expect("write");
    s.write_number(2, 1, -2.0).expect("write");
    s.write_string(3, 0, "政务服务满意率").expect("write");
    s.write_number(3, 1, 1.5).expect("write");
    s.write_string(4, 0, "年度法治政府建设情况报告报送党委政府日期")
        .expect("write");
    s.write_string(4, 1, "2024-02-30").expect("write");
    s.write_string(5, 0, "局长办公会研究次数").expect("write");
    s.write_number(5, 1, 3.0).expect("write");
    let s = book.add_worksheet();
    s.set_name("学校").expect("name");
    for (c, h) in ["学校名称＊", "学段", "法治副校长（副园长）人数", "校长"]
        .iter()
        .enumerate()
    {
        s.write_string(0, c as u16, *h).expect("write");
    }
    s.write_string(1, 0, "东湖县第一小学").expect("write");
    s.write_string(1, 1, "小學").expect("write");
    s.write_number(1, 2, 1.0).expect("write");
    s.write_string(2, 0, "东湖县第一小学").expect("write");
    s.write_string(2, 1, "小学").expect("write");
    s.write_string(2, 2, "一").expect("write");
    s.write_string(4, 1, "初中").expect("write");
    let s = book.add_worksheet();
    s.set_name("校长名单").expect("name");
    s.write_string(0, 0, "姓名").expect("write");
    let path = dir.path().join("filled.xlsx");
    book.save(&path).expect("save");
    let out = kaohe()
        .args(["assess", PACK])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr)
        .expect("utf-8")
        .replace(&*dir.path().to_string_lossy(), "<dir>");
    insta::assert_snapshot!(stderr);
}

/// The blank template is not yet a submission: the bureau's name and the year are asked
/// for, at their cells.
#[test]
fn the_blank_template_asks_for_the_bureau_and_year() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = template(dir.path(), None);
    let out = kaohe()
        .args(["assess", PACK])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr)
        .expect("utf-8")
        .replace(&*dir.path().to_string_lossy(), "<dir>");
    insta::assert_snapshot!(stderr);
}

/// The YAML skeleton: with only the bureau and year filled in, a submission whose every
/// other entry is missing data.
#[test]
fn the_yaml_template_is_a_submission_once_the_bureau_and_year_are_in() {
    let yaml = String::from_utf8(ok(&["template", PACK, "--format", "yaml"])).expect("utf-8");
    assert!(yaml.contains(
        "  leading_group_established:   # 成立法治建设（依法行政）工作领导小组；是/否；必报"
    ));
    assert!(yaml.contains("  #   - name:   # 学校名称；文本"));
    let filled = yaml
        .replace("  name:          #", "  name: 东湖县教育局 #")
        .replace("\nyear:            #", "\nyear: 2023 #");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("submission.yaml");
    std::fs::write(&path, filled).expect("write");
    let json: serde_json::Value = serde_json::from_slice(&ok(&[
        "assess",
        PACK,
        path.to_str().expect("utf-8"),
        "--format",
        "json",
    ]))
    .expect("JSON");
    assert_eq!(json["submission"]["bureau"]["name"], "东湖县教育局");
    // Left blank, nothing is reported: the whole dictionary is missing data.
    let unfilled = dir.path().join("blank.yaml");
    std::fs::write(&unfilled, yaml).expect("write");
    let out = kaohe()
        .args(["assess", PACK])
        .arg(&unfilled)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the bureau has no `name`"), "{stderr}");
    assert_eq!(stderr.matches("error").count(), 2, "{stderr}");
}

/// A CSV register saved as GBK (Excel on Chinese Windows) assesses as its UTF-8 original.
#[test]
fn a_gbk_csv_register_reads_as_utf8() {
    let dir = tempfile::tempdir().expect("temp dir");
    let from = root().join("fixtures/compliant");
    for name in ["submission.yaml", "schools.csv"] {
        std::fs::copy(from.join(name), dir.path().join(name)).expect("copy");
    }
    let utf8 = std::fs::read_to_string(from.join("schools.csv")).expect("read");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&utf8);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "GBK bytes are not UTF-8"
    );
    std::fs::write(dir.path().join("schools.csv"), &*gbk).expect("write");
    let sub = dir.path().join("submission.yaml");
    let expected = assess_json("fixtures/compliant/submission.yaml");
    assert_eq!(assess_json(sub.to_str().expect("utf-8")), expected);
    // Declared: `{file: schools.csv, encoding: gbk}`.
    let yaml = std::fs::read_to_string(&sub).expect("read");
    let declared = yaml.replace(
        "  schools: schools.csv",
        "  schools: {file: schools.csv, encoding: gbk}",
    );
    assert_ne!(declared, yaml);
    std::fs::write(&sub, &declared).expect("write");
    assert_eq!(assess_json(sub.to_str().expect("utf-8")), expected);
    // Declared UTF-8, it is not: refused where it stops being UTF-8.
    std::fs::write(
        &sub,
        yaml.replace(
            "  schools: schools.csv",
            "  schools: {file: schools.csv, encoding: utf-8}",
        ),
    )
    .expect("write");
    let out = kaohe()
        .args(["assess", PACK])
        .arg(&sub)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not valid UTF-8"));
    // An encoding kaohe does not know.
    std::fs::write(
        &sub,
        yaml.replace(
            "  schools: schools.csv",
            "  schools: {file: schools.csv, encoding: big5}",
        ),
    )
    .expect("write");
    let out = kaohe()
        .args(["assess", PACK])
        .arg(&sub)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown encoding `big5`"), "{stderr}");
}

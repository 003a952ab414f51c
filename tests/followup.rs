//! `kaohe followup`: the three-year scenario in `fixtures/cycle/` (白河县教育局, 2022–2024)
//! run as an office runs it, the bureau's filled-in list for 2022 read back, and the errors
//! a follow-up reports.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use jiff::civil::Date;
use kaohe::followup::{Ledger, Status};
use kaohe::rectify::{List, Progress};

const PACK: &str = "rules/edu-rule-of-law";
const FILLED: &str = "fixtures/cycle/2022-整改清单-已填报.xlsx";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn kaohe() -> Command {
    let mut cmd = Command::cargo_bin("kaohe").expect("binary builds");
    cmd.current_dir(root()).env("NO_COLOR", "1");
    cmd
}

fn stdout_of(args: &[&str]) -> String {
    let out = kaohe().args(args).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn stderr_of_failure(args: &[&str]) -> String {
    let out = kaohe().args(args).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty(), "nothing on stdout for bad input");
    String::from_utf8(out.stderr).expect("utf-8")
}

/// The 2022 list as `kaohe rectify` writes it.
fn list_2022() -> List {
    let json = stdout_of(&[
        "rectify",
        PACK,
        "fixtures/cycle/2022.yaml",
        "--format",
        "json",
    ]);
    serde_json::from_str(&json).expect("a list")
}

/// What 白河县教育局 wrote in its 2022 list: 完成情况, 佐证材料, and for LVP-04 the later
/// deadline the office agreed to (a kindergarten's 法治副园长 waits for the court's next
/// round of appointments).
fn fill_in(list: &mut List) {
    for t in &mut list.tasks {
        match t.id.as_str() {
            "LVP-04/白河县机关幼儿园" => {
                t.progress = Some(Progress::InProgress);
                t.proof = Some("已商请县人民法院推荐人选（白教函〔2023〕21号）".into());
                t.deadline = Date::new(2024, 12, 31).ok();
            }
            "ENF-04" => {
                t.progress = Some(Progress::Done);
                t.proof = Some("2023年责任督学月度督导计划.pdf".into());
            }
            "GOV-05" => {
                t.progress = Some(Progress::InProgress);
                t.proof = Some("依申请事项网办流程梳理表.xlsx".into());
            }
            "ENF-10" => {
                t.progress = Some(Progress::Done);
                t.proof = Some("2023年信访事项办理台账.xlsx；逾期事项督办单.pdf".into());
            }
            other => panic!("the 2022 list has a task the scenario does not expect: {other}"),
        }
    }
}

/// `fixtures/cycle/2022-整改清单-已填报.xlsx` is the real 2022 list, filled in as the bureau
/// filled it in, byte for byte (a workbook's bytes depend only on its content). After the
/// pack or the list's layout changes, run with `UPDATE_CYCLE_FIXTURES=1` to rewrite it, and
/// commit the file.
#[test]
fn the_committed_filled_in_list_is_the_generated_one() {
    let mut list = list_2022();
    fill_in(&mut list);
    let bytes = kaohe::report::rectify::xlsx(&list).expect("workbook");
    let path = root().join(FILLED);
    if std::env::var_os("UPDATE_CYCLE_FIXTURES").is_some() {
        std::fs::write(&path, &bytes).expect("written");
    }
    let committed = std::fs::read(&path).expect("fixture");
    assert!(
        committed == bytes,
        "{FILLED} is not what the generator writes; rerun with UPDATE_CYCLE_FIXTURES=1"
    );
}

#[test]
fn the_committed_filled_in_list_reads_back_as_filled_in() {
    let bytes = std::fs::read(root().join(FILLED)).expect("fixture");
    let read = kaohe::filled::read(&bytes, FILLED).expect("reads");
    let mut expected = list_2022();
    fill_in(&mut expected);
    assert_eq!(read.bureau.name, expected.bureau.name);
    assert_eq!(read.year, 2022);
    assert_eq!(read.pack.title, expected.pack.title);
    assert_eq!(read.pack.version, expected.pack.version);
    let got: Vec<_> = read
        .tasks
        .iter()
        .map(|t| {
            (
                &t.id, t.progress, &t.proof, t.deadline, &t.problem, &t.owner,
            )
        })
        .collect();
    let want: Vec<_> = expected
        .tasks
        .iter()
        .map(|t| {
            (
                &t.id, t.progress, &t.proof, t.deadline, &t.problem, &t.owner,
            )
        })
        .collect();
    assert_eq!(got, want);
}

fn followup_2023(format: &str) -> String {
    stdout_of(&[
        "followup",
        FILLED,
        PACK,
        "fixtures/cycle/2023.yaml",
        "--format",
        format,
    ])
}

/// The 2023 ledger, written where the 2024 follow-up reads it.
fn ledger_2023(dir: &Path) -> PathBuf {
    let path = dir.join("2023-整改台账.json");
    std::fs::write(&path, followup_2023("json")).expect("written");
    path
}

fn followup_2024(format: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger_2023(dir.path());
    stdout_of(&[
        "followup",
        ledger.to_str().expect("utf-8 path"),
        PACK,
        "fixtures/cycle/2024.yaml",
        "--format",
        format,
    ])
}

fn status_of(l: &Ledger, id: &str) -> Option<Status> {
    l.entries
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entry {id}"))
        .status
}

#[test]
fn the_three_years_tell_every_status_apart() {
    let y2023: Ledger = serde_json::from_str(&followup_2023("json")).expect("ledger");
    // 2022's list, followed up with the 2023 assessment (2024-03-20):
    // LVP-04 整改中, deadline extended to 2024-12-31, still failing → 未整改;
    // ENF-04 reported 已整改, still 10 of 12 visits → 虚报整改;
    // GOV-05 整改中, deadline 2023-09-16 passed, still failing → 逾期;
    // ENF-10 reported 已整改, now 37 of 37 on time → 已销号;
    // SCH-03 fails for the first time → 新增问题.
    assert_eq!(
        status_of(&y2023, "LVP-04/白河县机关幼儿园"),
        Some(Status::NotFixed)
    );
    assert_eq!(status_of(&y2023, "ENF-04"), Some(Status::FalseClaim));
    assert_eq!(status_of(&y2023, "GOV-05"), Some(Status::Overdue));
    assert_eq!(status_of(&y2023, "ENF-10"), Some(Status::Closed));
    assert_eq!(status_of(&y2023, "SCH-03"), Some(Status::New));
    assert_eq!(y2023.years, [2022, 2023]);

    let y2024: Ledger = serde_json::from_str(&followup_2024("json")).expect("ledger");
    // 2023's ledger, followed up with the 2024 assessment (2025-03-20):
    // LVP-04 still failing, past 2024-12-31 → 逾期, open since 2022: two years;
    // ENF-04 and GOV-05 now pass → 已销号;
    // ENF-10 closed in 2023, fails again (36 of 37) → 反复出现;
    // SCH-03 still failing, past its 2023 deadline → 逾期;
    // ENF-08 fails for the first time → 新增问题.
    let lvp = y2024
        .entries
        .iter()
        .find(|e| e.id == "LVP-04/白河县机关幼儿园")
        .expect("carried");
    assert_eq!(lvp.status, Some(Status::Overdue));
    assert_eq!((lvp.since, lvp.years_open, lvp.open), (2022, 2, true));
    assert_eq!(
        lvp.history.iter().map(|c| c.status).collect::<Vec<_>>(),
        [Status::Listed, Status::NotFixed, Status::Overdue]
    );
    assert_eq!(status_of(&y2024, "ENF-04"), Some(Status::Closed));
    assert_eq!(status_of(&y2024, "GOV-05"), Some(Status::Closed));
    let enf10 = y2024
        .entries
        .iter()
        .find(|e| e.id == "ENF-10")
        .expect("kept");
    assert_eq!(enf10.status, Some(Status::Recurred));
    assert_eq!((enf10.first_listed, enf10.since), (2022, 2024));
    assert_eq!(status_of(&y2024, "SCH-03"), Some(Status::Overdue));
    assert_eq!(status_of(&y2024, "ENF-08"), Some(Status::New));
    assert_eq!(y2024.years, [2022, 2023, 2024]);

    // Every status of a follow-up shows in one of the two years.
    let seen: std::collections::BTreeSet<Status> = y2023
        .entries
        .iter()
        .chain(&y2024.entries)
        .filter_map(|e| e.status)
        .collect();
    for s in Status::FOLLOWUP {
        assert!(seen.contains(&s), "{s:?} not shown");
    }
}

#[test]
fn snapshots_of_the_follow_ups() {
    insta::assert_snapshot!("cycle_2023_md", followup_2023("md"));
    insta::assert_snapshot!("cycle_2023_json", followup_2023("json"));
    insta::assert_snapshot!("cycle_2024_md", followup_2024("md"));
    insta::assert_snapshot!("cycle_2024_json", followup_2024("json"));
}

#[test]
fn a_follow_up_from_an_assessment_json_is_the_same() {
    let dir = tempfile::tempdir().expect("temp dir");
    let assessment = dir.path().join("2023.json");
    std::fs::write(
        &assessment,
        stdout_of(&[
            "assess",
            PACK,
            "fixtures/cycle/2023.yaml",
            "--format",
            "json",
        ]),
    )
    .expect("written");
    let via_json = stdout_of(&[
        "followup",
        FILLED,
        assessment.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(via_json, followup_2023("json"));
}

#[test]
fn a_ledger_with_the_filled_in_list_of_its_year() {
    // The 2022 list as JSON (unfilled) as PREVIOUS, with the filled-in workbook given by
    // `--filled`, reads as the filled-in workbook alone.
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("2022.json");
    std::fs::write(
        &json,
        stdout_of(&[
            "rectify",
            PACK,
            "fixtures/cycle/2022.yaml",
            "--format",
            "json",
        ]),
    )
    .expect("written");
    let plain: Ledger = serde_json::from_str(&stdout_of(&[
        "followup",
        json.to_str().expect("utf-8"),
        PACK,
        "fixtures/cycle/2023.yaml",
        "--format",
        "json",
    ]))
    .expect("ledger");
    // Without what the bureau reported, ENF-04 is not a false claim but overdue.
    assert_eq!(status_of(&plain, "ENF-04"), Some(Status::Overdue));
    assert_eq!(
        status_of(&plain, "LVP-04/白河县机关幼儿园"),
        Some(Status::Overdue)
    );
    // A ledger of 2022 alone, then the filled-in list of 2022.
    let ledger = dir.path().join("2022-ledger.json");
    let list: List =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("read")).expect("a list");
    std::fs::write(
        &ledger,
        serde_json::to_string(&kaohe::followup::from_list(&list)).expect("json"),
    )
    .expect("written");
    let with_filled = stdout_of(&[
        "followup",
        ledger.to_str().expect("utf-8"),
        PACK,
        "fixtures/cycle/2023.yaml",
        "--filled",
        FILLED,
        "--format",
        "json",
    ]);
    let from_workbook: Ledger = serde_json::from_str(&followup_2023("json")).expect("ledger");
    let with_filled: Ledger = serde_json::from_str(&with_filled).expect("ledger");
    assert_eq!(with_filled.entries, from_workbook.entries);
}

#[test]
fn the_ledger_workbook_has_a_row_per_task_and_a_column_per_year() {
    use calamine::{Data, Reader, Xlsx};
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger_2023(dir.path());
    let out = dir.path().join("台账.xlsx");
    stdout_of(&[
        "followup",
        ledger.to_str().expect("utf-8"),
        PACK,
        "fixtures/cycle/2024.yaml",
        "--format",
        "xlsx",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    let mut book: Xlsx<_> = calamine::open_workbook(&out).expect("opens");
    let range = book.worksheet_range("整改台账").expect("sheet");
    let text = |r: u32, c: u32| match range.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::DateTime(d)) => format!("date {}", d.as_f64()),
        _ => String::new(),
    };
    assert_eq!(
        text(0, 0),
        "白河县教育局2024年度整改跟踪（对照2023年度整改清单）"
    );
    let header: Vec<String> = (0..14).map(|c| text(1, c)).collect();
    assert_eq!(
        header,
        [
            "任务编号",
            "考核项目",
            "问题",
            "责任单位",
            "2022年",
            "2023年",
            "2024年",
            "首次列入",
            "挂账年数",
            "整改时限",
            "完成情况",
            "佐证材料",
            "",
            ""
        ]
    );
    let row = (2..20)
        .find(|r| text(*r, 0) == "LVP-04/白河县机关幼儿园")
        .expect("row");
    assert_eq!(
        (4..9).map(|c| text(row, c)).collect::<Vec<_>>(),
        ["列入清单", "未整改", "逾期", "2022", "2"]
    );
    // Carried into 2024's list, it has 2024's deadline: 2025-03-20 + 90 days = 2025-06-18,
    // Excel's day 45826 (later than the 2024-12-31 it was given before).
    assert_eq!(text(row, 9), "date 45826");
    assert_eq!(text(row, 10), "整改中（2022年清单）");
    // 6 tasks: the 4 of 2022, SCH-03 of 2023, ENF-08 of 2024 — and nothing else.
    assert_eq!(text(7, 0), "ENF-08");
    assert_eq!(text(8, 0), "");
}

/// A workbook in the list's layout, with the given rows under the header.
fn workbook(title: &str, rows: &[[&str; 13]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("整改清单").expect("name");
    sheet.write_string(0, 0, title).expect("title");
    for (c, name) in kaohe::report::rectify::COLUMNS.iter().enumerate() {
        sheet.write_string(1, c as u16, *name).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet
                .write_string(2 + r as u32, c as u16, *v)
                .expect("cell");
        }
    }
    book.save_to_buffer().expect("saved")
}

#[test]
fn a_badly_filled_in_list_names_sheet_row_and_column_of_every_problem() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.xlsx");
    let row = |id, subject, deadline, progress| {
        [
            "1",
            id,
            subject,
            "",
            "问题",
            "措施",
            "办公室",
            "刘卫东",
            deadline,
            "",
            "",
            progress,
            "",
        ]
    };
    std::fs::write(
        &path,
        workbook(
            "白河县教育局2022年度整改清单（教育系统法治建设年度考核 0.3.0）",
            &[
                row(
                    "GOV-05",
                    "GOV-05 依申请事项全程网办【未达标】",
                    "2023-09-16",
                    "做完了",
                ),
                row(
                    "ENF-04",
                    "ENF-04 责任督学每月开展经常性督导【未达标】",
                    "明年",
                    "已整改",
                ),
                row("GOV-05", "GOV-05 依申请事项全程网办【未达标】", "", ""),
            ],
        ),
    )
    .expect("written");
    let err = stderr_of_failure(&[
        "followup",
        path.to_str().expect("utf-8"),
        PACK,
        "fixtures/cycle/2023.yaml",
    ]);
    let err = err.replace(path.to_str().expect("utf-8"), "bad.xlsx");
    insta::assert_snapshot!("bad_filled_in_list", err);
}

#[test]
fn a_workbook_without_the_list_sheet_or_its_columns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("other.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().set_name("Sheet1").expect("name");
    std::fs::write(&path, book.save_to_buffer().expect("saved")).expect("written");
    let err = stderr_of_failure(&[
        "followup",
        path.to_str().expect("utf-8"),
        PACK,
        "fixtures/cycle/2023.yaml",
    ]);
    assert!(
        err.contains("has no sheet `整改清单` (its sheets: Sheet1)"),
        "{err}"
    );

    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("整改清单").expect("name");
    sheet
        .write_string(
            0,
            0,
            "白河县教育局2022年度整改清单（教育系统法治建设年度考核 0.3.0）",
        )
        .expect("title");
    sheet.write_string(1, 0, "序号").expect("header");
    std::fs::write(&path, book.save_to_buffer().expect("saved")).expect("written");
    let err = stderr_of_failure(&[
        "followup",
        path.to_str().expect("utf-8"),
        PACK,
        "fixtures/cycle/2023.yaml",
    ]);
    assert!(
        err.contains("sheet 整改清单, row 2: no column headed `任务编号`"),
        "{err}"
    );
    assert!(
        err.contains("sheet 整改清单, row 2: no column headed `完成情况`"),
        "{err}"
    );
}

#[test]
fn another_bureau_or_an_earlier_year_is_refused() {
    let err = stderr_of_failure(&[
        "followup",
        FILLED,
        PACK,
        "fixtures/compliant/submission.yaml",
    ]);
    assert!(
        err.contains("the lists are of different bureaus: `白河县教育局` and `清河县教育局`"),
        "{err}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger_2023(dir.path());
    let err = stderr_of_failure(&[
        "followup",
        ledger.to_str().expect("utf-8"),
        PACK,
        "fixtures/cycle/2022.yaml",
    ]);
    assert!(
        err.contains("this cycle (2022) must come after the previous one (2023)"),
        "{err}"
    );
}

#[test]
fn the_ledger_json_agrees_with_its_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/followup.schema.json")).expect("schema"),
    )
    .expect("JSON");
    jsonschema::meta::validate(&schema).expect("valid 2020-12 schema");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compiles");
    for text in [followup_2023("json"), followup_2024("json")] {
        let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

// Deductions for last cycle's list (`scoring.followup`), applied by `kaohe assess --previous`.
// `fixtures/cycle/pack` is the shipped pack with
// `followup: {false_claim: {per_task: 1, cap: 5}, repeat: {per_task: 0.5, cap: 3}}`.

const PENALTY_PACK: &str = "fixtures/cycle/pack";

fn assessment(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["assess"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&stdout_of(&all)).expect("JSON")
}

fn score(a: &serde_json::Value) -> f64 {
    a["score"]["score"].as_f64().expect("a score")
}

#[test]
fn a_false_claim_costs_a_point() {
    let plain = assessment(&[PACK, "fixtures/cycle/2023.yaml"]);
    let with = assessment(&[
        PENALTY_PACK,
        "fixtures/cycle/2023.yaml",
        "--previous",
        FILLED,
    ]);
    // 2023 against the filled-in 2022 list: ENF-04 reported 已整改 and still failing is the
    // one false claim: 1 task × 1 = 1 (under the cap of 5); nothing recurs: 0 × 0.5 = 0.
    assert_eq!(with["score"]["followup_deduction"], 1.0);
    assert!((score(&plain) - 1.0 - score(&with)).abs() < 1e-9);
    let lines = &with["followup"]["lines"];
    assert_eq!(lines[0]["kind"], "false_claim");
    assert_eq!(lines[0]["tasks"][0]["id"], "ENF-04");
    assert_eq!(lines[0]["tasks"][0]["reported_year"], 2022);
    assert_eq!(lines[0]["deducted"], 1.0);
    assert_eq!(lines[1]["kind"], "repeat");
    assert_eq!(lines[1]["tasks"].as_array().map(Vec::len), Some(0));
    assert_eq!(with["followup"]["previous_year"], 2022);
}

#[test]
fn a_repeat_costs_half_a_point() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ledger = ledger_2023(dir.path());
    let plain = assessment(&[PACK, "fixtures/cycle/2024.yaml"]);
    let with = assessment(&[
        PENALTY_PACK,
        "fixtures/cycle/2024.yaml",
        "--previous",
        ledger.to_str().expect("utf-8"),
    ]);
    // 2024 against the 2023 ledger: ENF-10, closed in 2023, fails again: 1 × 0.5 = 0.5. No
    // false claim: nothing was reported on the 2023 list.
    assert_eq!(with["score"]["followup_deduction"], 0.5);
    assert!((score(&plain) - 0.5 - score(&with)).abs() < 1e-9);
    assert_eq!(with["followup"]["lines"][1]["tasks"][0]["id"], "ENF-10");
    let text = stdout_of(&[
        "assess",
        PENALTY_PACK,
        "fixtures/cycle/2024.yaml",
        "--previous",
        ledger.to_str().expect("utf-8"),
    ]);
    let head: Vec<&str> = text
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("整改跟踪扣分") || l.starts_with("虚报整改") || l.starts_with("屡查屡犯")
        })
        .collect();
    insta::assert_snapshot!("penalty_2024_text", head.join("\n"));
}

#[test]
fn the_deductions_are_capped_and_never_take_the_score_below_zero() {
    // The 2023 ledger, with every task of the 2023 list reported 已整改; followed up in 2024:
    // LVP-04 and SCH-03 still fail (2 false claims), ENF-10 recurs (1 repeat).
    let mut ledger: Ledger = serde_json::from_str(&followup_2023("json")).expect("ledger");
    let mut list_2023: List = serde_json::from_str(&stdout_of(&[
        "rectify",
        PACK,
        "fixtures/cycle/2023.yaml",
        "--format",
        "json",
    ]))
    .expect("list");
    for t in &mut list_2023.tasks {
        t.progress = Some(Progress::Done);
    }
    kaohe::followup::apply_filled(&mut ledger, &list_2023).expect("applies");
    let list_2024: List = serde_json::from_str(&stdout_of(&[
        "rectify",
        PACK,
        "fixtures/cycle/2024.yaml",
        "--format",
        "json",
    ]))
    .expect("list");
    let y2024 = kaohe::followup::follow_up(&ledger, &list_2024).expect("follows up");
    let rule = kaohe::pack::FollowupRule {
        false_claim: Some(kaohe::pack::PerTask {
            per_task: 1.0,
            cap: Some(1.5),
        }),
        repeat: Some(kaohe::pack::PerTask {
            per_task: 0.5,
            cap: None,
        }),
    };
    // False claims: 2 × 1 = 2, capped at 1.5; repeats: 1 × 0.5 = 0.5; together 2.
    let p = kaohe::followup::penalty(&rule, &y2024, 90.0);
    assert_eq!(p.lines[0].deducted, 1.5);
    assert_eq!(p.lines[1].deducted, 0.5);
    assert_eq!(p.deducted, 2.0);
    assert_eq!(
        kaohe::report::followup::penalty_lines(&p),
        [
            "虚报整改：LVP-04/白河县机关幼儿园（2023年清单填报已整改，本年仍未达标）扣1分",
            "虚报整改：SCH-03（2023年清单填报已整改，本年仍未达标）扣1分",
            "虚报整改2项计2分，超过上限1.5分，扣1.5分",
            "屡查屡犯：ENF-10（2022年列入清单，2023年已销号，本年再次出现）扣0.5分",
        ]
    );
    // From a score of 1.2, the 2 points take it to 0, not below.
    let p = kaohe::followup::penalty(&rule, &y2024, 1.2);
    assert_eq!(p.deducted, 1.2);
    assert_eq!(
        kaohe::report::followup::penalty_lines(&p)
            .last()
            .map(String::as_str),
        Some("合计2分，扣至0分为止")
    );
}

#[test]
fn fixing_a_task_never_costs_points() {
    // The 2023 submission with ENF-04's two missing monthly visits made: the false claim is
    // gone (ENF-04 is 已销号), and the score rises by the item's points and the penalty.
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(root().join("fixtures/cycle/2023.yaml")).expect("read");
    let visits = "    - {inspection_no: DX-2023-11, kind: 责任督学经常性督导, held_on: 2023-11-14, problems_found: 1, problems_rectified: 1}\n    - {inspection_no: DX-2023-12, kind: 责任督学经常性督导, held_on: 2023-12-12, problems_found: 2, problems_rectified: 2}\n";
    let anchor = "\n  training_institutions:";
    assert!(text.contains(anchor));
    let fixed = text.replacen(anchor, &format!("\n{}{anchor}", visits.trim_end()), 1);
    std::fs::write(dir.path().join("2023.yaml"), fixed).expect("written");
    std::fs::copy(
        root().join("fixtures/cycle/schools-2023.csv"),
        dir.path().join("schools-2023.csv"),
    )
    .expect("copied");
    let before = assessment(&[
        PENALTY_PACK,
        "fixtures/cycle/2023.yaml",
        "--previous",
        FILLED,
    ]);
    let after = assessment(&[
        PENALTY_PACK,
        dir.path().join("2023.yaml").to_str().expect("utf-8"),
        "--previous",
        FILLED,
    ]);
    assert_eq!(after["score"]["followup_deduction"], 0.0);
    assert!(score(&after) > score(&before));
}

#[test]
fn previous_needs_a_pack_with_followup_deductions_and_one_bureau() {
    let err = stderr_of_failure(&[
        "assess",
        PACK,
        "fixtures/cycle/2023.yaml",
        "--previous",
        FILLED,
    ]);
    assert!(err.contains("sets no `scoring.followup`"), "{err}");
    let err = stderr_of_failure(&[
        "assess",
        PENALTY_PACK,
        "fixtures/cycle/2023.yaml",
        "fixtures/cycle/2024.yaml",
        "--previous",
        FILLED,
    ]);
    assert!(err.contains("takes one submission, not 2"), "{err}");
    let err = stderr_of_failure(&[
        "assess",
        PENALTY_PACK,
        "fixtures/compliant/submission.yaml",
        "--previous",
        FILLED,
    ]);
    assert!(err.contains("different bureaus"), "{err}");
}

#[test]
fn an_assessment_with_deductions_agrees_with_its_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/assessment.schema.json")).expect("schema"),
    )
    .expect("JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compiles");
    let a = assessment(&[
        PENALTY_PACK,
        "fixtures/cycle/2023.yaml",
        "--previous",
        FILLED,
    ]);
    let errors: Vec<String> = validator
        .iter_errors(&a)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The README's `scoring.followup` snippet is `fixtures/cycle/pack`, which the tests above
/// run.
#[test]
fn the_readme_snippet_is_the_penalty_pack() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let snippet = readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split("\n```").next())
        .find(|b| b.contains("id: edu-rule-of-law-followup"))
        .expect("the snippet");
    let pack = std::fs::read_to_string(root().join("fixtures/cycle/pack/pack.yaml")).expect("pack");
    let json = |t: &str| kaohe::yaml::parse(t).expect("YAML").to_json();
    assert_eq!(json(snippet), json(&pack));
}

//! The follow-up (整改跟踪) as Markdown, and the ledger (整改台账) as an XLSX workbook: one
//! row per task across cycles, its status in each cycle.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::escape;
use crate::followup::{self, Entry, Ledger, Penalty, PenaltyKind, Status};
use crate::num::show;

/// A status in words.
pub fn status(s: Status) -> &'static str {
    match s {
        Status::Listed => "列入清单",
        Status::Closed => "已销号",
        Status::NotFixed => "未整改",
        Status::FalseClaim => "虚报整改",
        Status::Overdue => "逾期",
        Status::New => "新增问题",
        Status::Recurred => "反复出现",
    }
}

/// What each status means, under its heading.
fn meaning(s: Status) -> &'static str {
    match s {
        Status::Listed => "",
        Status::Closed => "上年清单所列问题本年已达标，予以销号。",
        Status::NotFixed => "问题仍未达标、尚未超过整改时限，结转本年清单继续整改。",
        Status::Overdue => "超过整改时限仍未达标，结转本年清单，督促限期完成。",
        Status::FalseClaim => "上年填报“已整改”，本年核查仍未达标。",
        Status::New => "本年新发现的问题，以往清单未列。",
        Status::Recurred => "以往已销号，本年再次出现。",
    }
}

/// The title line.
pub fn title(l: &Ledger) -> String {
    match l.previous_year {
        Some(p) => format!(
            "{}{}年度整改跟踪（对照{p}年度整改清单）",
            l.bureau.name, l.year
        ),
        None => format!("{}{}年度整改台账", l.bureau.name, l.year),
    }
}

fn reported(e: &Entry) -> (String, String) {
    match &e.reported {
        Some(r) => (
            r.progress
                .map(|p| format!("{}（{}年清单）", p.label(), r.year))
                .unwrap_or_default(),
            r.proof.clone().unwrap_or_default(),
        ),
        None => (String::new(), String::new()),
    }
}

fn date(d: Option<jiff::civil::Date>) -> String {
    d.map_or_else(|| "—".into(), |d| d.to_string())
}

fn open_for(e: &Entry) -> String {
    if e.years_open == 0 {
        "本年".into()
    } else {
        format!("{}年（{}年起）", e.years_open, e.since)
    }
}

/// The follow-up as Markdown: a count per status, then a section per status.
pub fn markdown(l: &Ledger) -> String {
    let mut out = format!("# {}\n\n", escape::markdown(&title(l)));
    let on = l
        .assessed_on
        .map_or_else(|| "未填报".to_string(), |d| d.to_string());
    let counts = followup::counts(l);
    let summary: Vec<String> = Status::FOLLOWUP
        .iter()
        .map(|s| format!("{}{}项", status(*s), counts.get(s).copied().unwrap_or(0)))
        .collect();
    out.push_str(&format!(
        "考核日期：{on}；台账年度：{}。\n\n{}。\n",
        l.years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join("、"),
        summary.join("，")
    ));
    let carried = l.entries.iter().filter(|e| e.open).count();
    out.push_str(&format!("结转本年清单的整改任务{carried}项。\n"));
    for s in Status::FOLLOWUP {
        let entries = followup::with_status(l, s);
        out.push_str(&format!("\n## {}（{}项）\n\n", status(s), entries.len()));
        if entries.is_empty() {
            out.push_str("无。\n");
            continue;
        }
        out.push_str(&format!("{}\n\n", meaning(s)));
        out.push_str("| 任务编号 | 考核项目 | 问题 | 责任单位 | 原整改时限 | 填报完成情况 | 佐证材料 | 挂账 | 新整改时限 | 历年状态 |\n");
        out.push_str("|---|---|---|---|---|---|---|---|---|---|\n");
        for e in entries {
            let (progress, proof) = reported(e);
            let history: Vec<String> = e
                .history
                .iter()
                .map(|c| format!("{} {}", c.year, status(c.status)))
                .collect();
            let cells = [
                e.id.clone(),
                e.subject.clone(),
                e.problem.clone(),
                e.owner.clone(),
                date(e.was_due),
                progress,
                proof,
                if e.open { open_for(e) } else { "—".into() },
                if e.open {
                    date(e.deadline)
                } else {
                    "—".into()
                },
                history.join("；"),
            ];
            let row: Vec<String> = cells.iter().map(|c| escape::markdown(c)).collect();
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
    }
    out
}

/// The ledger as an XLSX workbook: sheet 整改台账, a title row, the header frozen, one row
/// per task with its status in each cycle, then 整改时限 and what the bureau last reported.
pub fn xlsx(l: &Ledger) -> Result<Vec<u8>, String> {
    workbook(l).map_err(|e| e.to_string())
}

fn workbook(l: &Ledger) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    book.set_properties(&super::rectify::properties(
        &title(l),
        l.assessed_on,
        l.year,
    ));
    let title_format = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7")
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let body = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let date = body.clone().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.set_name("整改台账")?;
    let mut columns: Vec<(String, f64)> = vec![
        ("任务编号".into(), 18.0),
        ("考核项目".into(), 30.0),
        ("问题".into(), 44.0),
        ("责任单位".into(), 14.0),
    ];
    for y in &l.years {
        columns.push((format!("{y}年"), 11.0));
    }
    columns.extend([
        ("首次列入".into(), 10.0),
        ("挂账年数".into(), 10.0),
        ("整改时限".into(), 13.0),
        ("完成情况".into(), 12.0),
        ("佐证材料".into(), 30.0),
    ]);
    let last = (columns.len() - 1) as u16;
    sheet.merge_range(
        0,
        0,
        0,
        last,
        &escape::spreadsheet(&title(l)),
        &title_format,
    )?;
    sheet.set_row_height(0, 30)?;
    for (c, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, name, &header)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    sheet.set_freeze_panes(2, 1)?;
    for (i, e) in l.entries.iter().enumerate() {
        let row = 2 + i as u32;
        let (progress, proof) = reported(e);
        sheet.set_row_height(
            row,
            super::rectify::row_height(
                &[&e.id, &e.subject, &e.problem, &e.owner, &proof],
                &[18.0, 30.0, 44.0, 14.0, 30.0],
            ),
        )?;
        let mut c: u16 = 0;
        for text in [&e.id, &e.subject, &e.problem, &e.owner] {
            sheet.write_string_with_format(row, c, escape::spreadsheet(text), &body)?;
            c += 1;
        }
        for y in &l.years {
            let cell = e
                .history
                .iter()
                .find(|h| h.year == *y)
                .map_or("", |h| status(h.status));
            sheet.write_string_with_format(row, c, cell, &body)?;
            c += 1;
        }
        sheet.write_number_with_format(row, c, e.first_listed as f64, &body)?;
        c += 1;
        if e.open {
            sheet.write_number_with_format(row, c, e.years_open as f64, &body)?;
        } else {
            sheet.write_string_with_format(row, c, "", &body)?;
        }
        c += 1;
        match e.deadline {
            Some(d) => {
                let when = ExcelDateTime::from_ymd(
                    u16::try_from(d.year()).unwrap_or(1900),
                    d.month() as u8,
                    d.day() as u8,
                )?;
                sheet.write_datetime_with_format(row, c, &when, &date)?;
            }
            None => {
                sheet.write_string_with_format(row, c, "—", &body)?;
            }
        }
        c += 1;
        sheet.write_string_with_format(row, c, escape::spreadsheet(&progress), &body)?;
        sheet.write_string_with_format(row, c + 1, escape::spreadsheet(&proof), &body)?;
    }
    book.save_to_buffer()
}

/// The deductions for last cycle's list in one line: `整改跟踪扣分：扣1.5分（对照2022年度整改清单）`.
pub fn penalty_summary(p: &Penalty) -> String {
    format!(
        "扣{}分（对照{}年度整改清单）",
        show(p.deducted),
        p.previous_year
    )
}

/// Each task that cost a deduction, with where the deduction came from, then each line's
/// arithmetic when a cap stopped it:
/// `虚报整改：ENF-04（2022年清单填报已整改，本年仍未达标）扣1分`.
pub fn penalty_lines(p: &Penalty) -> Vec<String> {
    let mut out = Vec::new();
    for line in &p.lines {
        let name = match line.kind {
            PenaltyKind::FalseClaim => "虚报整改",
            PenaltyKind::Repeat => "屡查屡犯",
        };
        if line.tasks.is_empty() {
            out.push(format!("{name}：无"));
            continue;
        }
        for t in &line.tasks {
            let why = match line.kind {
                PenaltyKind::FalseClaim => format!(
                    "{}年清单填报已整改，本年仍未达标",
                    t.reported_year.unwrap_or(p.previous_year)
                ),
                PenaltyKind::Repeat => {
                    let mut seen: Vec<String> = t
                        .history
                        .iter()
                        .take(t.history.len().saturating_sub(1))
                        .map(|c| format!("{}年{}", c.year, status(c.status)))
                        .collect();
                    seen.push("本年再次出现".into());
                    seen.join("，")
                }
            };
            out.push(format!(
                "{name}：{}（{why}）扣{}分",
                t.id,
                show(line.per_task)
            ));
        }
        let raw = line.per_task * line.tasks.len() as f64;
        if let Some(cap) = line.cap
            && raw > cap + 1e-9
        {
            out.push(format!(
                "{name}{}项计{}分，超过上限{}分，扣{}分",
                line.tasks.len(),
                show(raw),
                show(cap),
                show(line.deducted)
            ));
        }
    }
    let sum: f64 = p.lines.iter().map(|l| l.deducted).sum();
    if p.deducted + 1e-9 < sum {
        out.push(format!("合计{}分，扣至0分为止", show(sum)));
    }
    out
}

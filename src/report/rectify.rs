//! The rectification list (整改清单) as Markdown, CSV and XLSX: the columns of practice
//! (序号, 问题, 整改措施, 责任单位, 责任人, 整改时限, 整改目标, 完成情况, 佐证材料), with a task id
//! and the school or clause a split task is about (整改对象), so a filled-in list can be read
//! back and followed up.

use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};

use super::escape;
use crate::num;
use crate::rectify::{Cause, List, Task};

/// The list's columns, in order.
pub const COLUMNS: [&str; 13] = [
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

/// Where the deadline (整改时限) is: a date cell in a workbook.
pub const DEADLINE_COLUMN: usize = 8;
/// Where the bureau fills in 完成情况 and 佐证材料.
pub const PROGRESS_COLUMN: usize = 11;
pub const PROOF_COLUMN: usize = 12;

/// The title line: bureau, year and pack.
pub fn title(l: &List) -> String {
    format!(
        "{}{}年度整改清单（{} {}）",
        l.bureau.name, l.year, l.pack.title, l.pack.version
    )
}

/// Why a task is on the list, in words.
pub fn cause(c: Cause) -> &'static str {
    match c {
        Cause::Veto => "一票否决",
        Cause::Unverified => "待核实",
        Cause::Shortfall => "未达标",
        Cause::Partial => "部分达标",
        Cause::MissingData => "缺数据",
    }
}

/// The deadline in words: a date, or why there is none.
pub fn deadline(t: &Task) -> String {
    super::due(t.deadline.map(|d| d.to_string()), t.within_days).unwrap_or_else(|| "—".into())
}

/// A task's cells as text, in the order of [`COLUMNS`] (unescaped).
pub fn cells(t: &Task) -> [String; 13] {
    [
        t.seq.to_string(),
        t.id.clone(),
        format!("{} {}【{}】", t.item, t.title, cause(t.cause)),
        t.row
            .clone()
            .or_else(|| t.clause.clone())
            .unwrap_or_default(),
        t.problem.clone(),
        t.measure.clone(),
        t.owner.clone(),
        t.responsible.clone().unwrap_or_default(),
        deadline(t),
        t.target.clone().unwrap_or_default(),
        t.evidence.join("、"),
        t.progress
            .map(|p| p.label().to_string())
            .unwrap_or_default(),
        t.proof.clone().unwrap_or_default(),
    ]
}

/// The list as Markdown.
pub fn markdown(l: &List) -> String {
    let mut out = format!("# {}\n\n", escape::markdown(&title(l)));
    let on = l
        .assessed_on
        .map_or_else(|| "未填报".to_string(), |d| d.to_string());
    out.push_str(&format!(
        "考核日期：{on}；整改任务{}项（一票否决{}项，待核实{}项）。\n\n",
        l.tasks.len(),
        l.tasks.iter().filter(|t| t.cause == Cause::Veto).count(),
        l.tasks
            .iter()
            .filter(|t| t.cause == Cause::Unverified)
            .count()
    ));
    if l.tasks.is_empty() {
        out.push_str("无整改任务。\n");
        return out;
    }
    out.push_str(&format!("| {} |\n", COLUMNS.join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(COLUMNS.len())));
    for t in &l.tasks {
        let row: Vec<String> = cells(t).iter().map(|c| escape::markdown(c)).collect();
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

/// The list as CSV: UTF-8 with a byte-order mark (so Excel reads the Chinese), the header
/// row first, every cell a spreadsheet could run as a formula neutralised.
pub fn csv(l: &List) -> Result<Vec<u8>, String> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(COLUMNS).map_err(|e| e.to_string())?;
        for t in &l.tasks {
            let row: Vec<String> = cells(t).iter().map(|c| escape::spreadsheet(c)).collect();
            w.write_record(&row).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Column widths (in characters) that fit Chinese text: a Chinese character is two.
const WIDTHS: [f64; 13] = [
    6.0, 16.0, 24.0, 18.0, 44.0, 40.0, 14.0, 10.0, 13.0, 30.0, 22.0, 12.0, 28.0,
];

/// The height (in points) of a row whose wrapped cells hold `texts` in columns `widths`
/// characters wide: spreadsheet programs do not size rows to wrapped text on their own, so
/// the row is made tall enough for its longest cell (a Chinese character takes two widths).
pub fn row_height(texts: &[&str], widths: &[f64]) -> f64 {
    let lines = texts
        .iter()
        .zip(widths)
        .map(|(text, width)| {
            let per_line = (width - 1.0).max(1.0);
            text.split('\n')
                .map(|line| {
                    let w = unicode_width::UnicodeWidthStr::width(line) as f64;
                    (w / per_line).ceil().max(1.0)
                })
                .sum::<f64>()
        })
        .fold(1.0, f64::max);
    (lines.min(40.0) * 15.0 + 3.0).min(409.0)
}

/// Document properties that keep a workbook's bytes the same for the same input: its
/// title, and as its creation time the day `on` (the assessment date, else the first day of
/// the year after the assessment year) instead of the clock.
pub fn properties(title: &str, on: Option<jiff::civil::Date>, year: i64) -> DocProperties {
    let day = on
        .map(|d| (d.year() as u16, d.month() as u8, d.day() as u8))
        .unwrap_or((u16::try_from(year + 1).unwrap_or(2000), 1, 1));
    let props = DocProperties::new().set_title(title);
    match ExcelDateTime::from_ymd(day.0, day.1, day.2) {
        Ok(when) => props.set_creation_datetime(&when),
        Err(_) => props,
    }
}

/// The list as an XLSX workbook an office hands out: a title row with the bureau, year and
/// pack; the header row frozen, with a filter; widths that fit Chinese text; wrapped text;
/// deadlines as dates; a 完成情况 drop-down (未整改 / 整改中 / 已整改); set to print on A4
/// landscape, one page wide; and a second sheet with the scoring sheet (评分表).
pub fn xlsx(l: &List) -> Result<Vec<u8>, String> {
    workbook(l).map_err(|e| e.to_string())
}

fn workbook(l: &List) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    book.set_properties(&properties(&title(l), l.assessed_on, l.year));
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
    sheet.set_name("整改清单")?;
    let last = (COLUMNS.len() - 1) as u16;
    sheet.merge_range(
        0,
        0,
        0,
        last,
        &escape::spreadsheet(&title(l)),
        &title_format,
    )?;
    sheet.set_row_height(0, 30)?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, *name, &header)?;
        sheet.set_column_width(c as u16, WIDTHS[c])?;
    }
    sheet.set_freeze_panes(2, 0)?;
    for (i, t) in l.tasks.iter().enumerate() {
        let row = 2 + i as u32;
        let cells = cells(t);
        let texts: Vec<&str> = cells.iter().map(String::as_str).collect();
        sheet.set_row_height(row, row_height(&texts, &WIDTHS))?;
        for (c, value) in cells.iter().enumerate() {
            let c16 = c as u16;
            match (c, t.deadline) {
                (0, _) => {
                    sheet.write_number_with_format(row, c16, t.seq as f64, &body)?;
                }
                (DEADLINE_COLUMN, Some(d)) => {
                    let when = ExcelDateTime::from_ymd(
                        u16::try_from(d.year()).unwrap_or(1900),
                        d.month() as u8,
                        d.day() as u8,
                    )?;
                    sheet.write_datetime_with_format(row, c16, &when, &date)?;
                }
                _ => {
                    sheet.write_string_with_format(row, c16, escape::spreadsheet(value), &body)?;
                }
            }
        }
    }
    if !l.tasks.is_empty() {
        let labels: Vec<&str> = crate::rectify::Progress::ALL
            .iter()
            .map(|p| p.label())
            .collect();
        let validation = DataValidation::new()
            .allow_list_strings(&labels)?
            .set_input_title("完成情况")?
            .set_input_message("请选择：未整改、整改中、已整改")?;
        let last_row = 1 + l.tasks.len() as u32;
        let col = PROGRESS_COLUMN as u16;
        sheet.add_data_validation(2, col, last_row, col, &validation)?;
    }
    // A filter on the header row (by 责任单位, 完成情况, …); printed on A4 landscape, one page
    // wide, the title and header repeated on every page.
    let last_row = 1 + l.tasks.len() as u32;
    sheet.autofilter(1, 0, last_row, last)?;
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 1)?;
    scoring_sheet(book.add_worksheet(), l, &header, &body)?;
    book.save_to_buffer()
}

fn scoring_sheet(
    sheet: &mut Worksheet,
    l: &List,
    header: &Format,
    body: &Format,
) -> Result<(), XlsxError> {
    sheet.set_name("评分表")?;
    let columns = ["编号", "考核内容", "分值", "状态", "实际", "得分"];
    let widths = [12.0, 48.0, 8.0, 10.0, 28.0, 8.0];
    for (c, name) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, header)?;
        sheet.set_column_width(c as u16, widths[c])?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    let bold = body.clone().set_bold();
    let mut row = 1u32;
    for s in &l.sheet {
        let indent = "　".repeat(s.level.saturating_sub(1) as usize);
        sheet.write_string_with_format(row, 0, "", &bold)?;
        sheet.write_string_with_format(
            row,
            1,
            escape::spreadsheet(&format!("{indent}{}", s.title)),
            &bold,
        )?;
        sheet.write_number_with_format(row, 2, s.points, &bold)?;
        sheet.write_string_with_format(row, 3, "小计", &bold)?;
        sheet.write_string_with_format(row, 4, "", &bold)?;
        sheet.write_number_with_format(row, 5, s.awarded, &bold)?;
        row += 1;
        for r in &s.rows {
            sheet.write_string_with_format(row, 0, escape::spreadsheet(&r.id), body)?;
            sheet.write_string_with_format(row, 1, escape::spreadsheet(&r.title), body)?;
            sheet.write_number_with_format(row, 2, r.points, body)?;
            sheet.write_string_with_format(row, 3, &r.status, body)?;
            sheet.write_string_with_format(row, 4, escape::spreadsheet(&r.measured), body)?;
            sheet.write_number_with_format(row, 5, num::round2(r.awarded), body)?;
            row += 1;
        }
    }
    Ok(())
}

//! A submission filled in as a workbook: the layout `kaohe template --format xlsx` writes,
//! read back (with calamine) into the same document a YAML submission becomes, so that the
//! same per-field conversion and checks apply and the same errors arise.
//!
//! Sheets are found by name. 基本信息 and 事实 are read by the field name in their last
//! column (字段名) when it is there, else by the label in column A, so a bureau that sorts
//! the rows or rewords a label does not break the reading; register sheets are read by
//! their header row, each column named by its Chinese label or its field name (as a CSV
//! register is). A blank cell is no value (missing data), never an error.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use indexmap::IndexMap;
use jiff::civil::Date;

use super::Table;
use super::seed::{Document, Problem, RegisterInput};
use super::value::{Raw, convert, convert_csv_cell};
use crate::limits::Limit;
use crate::pack::{DataDict, Field, FieldType};

/// The instructions sheet.
pub const INSTRUCTIONS: &str = "填报说明";
/// The sheet of the bureau, year and assessment date.
pub const HEADER: &str = "基本信息";
/// The sheet of the facts, one row each.
pub const FACTS: &str = "事实";
/// The sheet of the evidence documents, one row per kind.
pub const EVIDENCE: &str = "佐证材料";
/// The sheet of the departments (科室) and who is in charge.
pub const DEPARTMENTS: &str = "科室";
/// The sheet of the bureau's own scores (自评分).
pub const SELF_SCORES: &str = "自评分";

/// What a register sheet's first row says, alone, when the register has no records.
pub const NONE: &str = "无";

/// The header rows of 基本信息: key and label.
pub const HEADER_ROWS: [(&str, &str); 5] = [
    ("name", "单位名称"),
    ("region_code", "行政区划代码"),
    ("level", "层级"),
    ("year", "考核年度"),
    ("assessed_on", "考核日期"),
];

/// Columns of 基本信息.
pub const HEADER_COLUMNS: [&str; 4] = ["项目", "填报值", "说明", "字段名"];
/// Columns of 事实: the value is column B, the field name the last column.
pub const FACT_COLUMNS: [&str; 6] = ["名称", "填报值", "单位/类型", "可选值", "说明", "字段名"];
/// Columns of 佐证材料.
pub const EVIDENCE_COLUMNS: [&str; 4] = ["材料", "文件（每行一个）", "说明", "字段名"];
/// Columns of 科室.
pub const DEPARTMENT_COLUMNS: [&str; 3] = ["科室", "本单位名称", "负责人"];
/// Columns of 自评分.
pub const SELF_SCORE_COLUMNS: [&str; 4] = ["编号", "考核项目", "分值", "自评分"];

/// The sheet names the fixed sheets take.
const FIXED: [&str; 6] = [
    INSTRUCTIONS,
    HEADER,
    FACTS,
    EVIDENCE,
    DEPARTMENTS,
    SELF_SCORES,
];

/// The sheet of each register, in dictionary order: its label, made a valid sheet name
/// (at most 31 characters, none of `[]:*?/\`), and made unique.
pub fn register_sheets(dict: &DataDict) -> Vec<String> {
    let mut taken: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();
    for (name, register) in &dict.registers {
        let clean: String = register
            .label
            .chars()
            .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
            .collect();
        let clean = clean.trim_matches('\'').trim().to_string();
        let base: String = if clean.is_empty() {
            name.chars().take(31).collect()
        } else {
            clean.chars().take(31).collect()
        };
        let mut sheet = base.clone();
        let mut n = 2;
        while taken
            .iter()
            .any(|t| t.to_lowercase() == sheet.to_lowercase())
        {
            let suffix = format!("({n})");
            let keep = 31 - suffix.chars().count();
            sheet = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
            n += 1;
        }
        taken.push(sheet.clone());
        out.push(sheet);
    }
    out
}

/// Whether bytes are a zip archive (an XLSX workbook is one).
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Where a cell is, for messages: `sheet 学校, row 5, column C (学段)`.
fn at(sheet: &str, row: u32, col: usize, header: &str) -> String {
    let letter = crate::filled::column_letter(col);
    if header.is_empty() {
        format!("sheet {sheet}, row {}, column {letter}", row + 1)
    } else {
        format!("sheet {sheet}, row {}, column {letter} ({header})", row + 1)
    }
}

/// A text cell trimmed, without the `'` put before text a spreadsheet could run as a
/// formula.
fn unquoted(s: &str) -> &str {
    let s = s.trim();
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => s,
    }
}

/// The text of a cell, trimmed; numbers as written.
fn text(d: &Data) -> String {
    match d {
        Data::String(s) => unquoted(s).into(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) => {
            serial_date(d.as_f64()).map_or_else(|| d.to_string(), |d| d.to_string())
        }
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// Whether a cell's [`text`] is empty, without making it.
fn is_blank(d: &Data) -> bool {
    match d {
        Data::String(s) => s.trim().is_empty(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.is_empty(),
        Data::Error(_) | Data::Empty => true,
        Data::Int(_) | Data::Float(_) | Data::Bool(_) | Data::DateTime(_) => false,
    }
}

/// A date from an Excel serial number (days since 1899-12-30).
fn serial_date(serial: f64) -> Option<Date> {
    if !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = Date::new(1899, 12, 30).ok()?;
    epoch
        .checked_add(jiff::Span::new().days(serial.floor() as i64))
        .ok()
}

/// The raw value of a cell for `field`: what a YAML scalar would have been.
fn raw(field: &Field, d: &Data) -> Result<Option<Raw>, super::value::Invalid> {
    let number = match d {
        Data::Int(i) => Some(*i as f64),
        Data::Float(f) => Some(*f),
        _ => None,
    };
    Ok(Some(match (field.ty, d) {
        (_, Data::Empty) => return Ok(None),
        (_, Data::String(s)) if s.trim().is_empty() => return Ok(None),
        // A formula that failed (`#DIV/0!`, `#REF!`) is not a blank: its value is unknown.
        (_, Data::Error(e)) => {
            return Err(super::value::Invalid {
                message: format!("the cell holds the error `{e}`, not a value"),
                help: Some("correct the formula, or type the value".into()),
                element: None,
            });
        }
        (FieldType::Boolean, Data::Bool(b)) => Raw::Bool(*b),
        (FieldType::Date, Data::DateTime(x)) => match serial_date(x.as_f64()) {
            Some(date) => Raw::Str(date.to_string()),
            None => Raw::Str(x.as_f64().to_string()),
        },
        (FieldType::Date, Data::DateTimeIso(s)) => Raw::Str(s.get(..10).unwrap_or(s).to_string()),
        (FieldType::Date, _) if number.is_some() => {
            let x = number.unwrap_or_default();
            match serial_date(x) {
                Some(date) => Raw::Str(date.to_string()),
                None => Raw::Str(text(d)),
            }
        }
        // A percent cell holds the fraction, shown as a percentage: 95% is 0.95.
        (FieldType::Percent, _) if number.is_some() => {
            let x = number.unwrap_or_default();
            if !(0.0..=1.0 + 1e-9).contains(&x) {
                return Err(super::value::Invalid {
                    message: format!(
                        "{} is {}, outside 0%–100%",
                        field.label,
                        crate::num::percent(x)
                    ),
                    help: Some("a percentage cell holds the share: 95% is 0.95".into()),
                    element: None,
                });
            }
            return Ok(Some(Raw::Float(x)));
        }
        (FieldType::Integer | FieldType::Number, Data::DateTime(x)) => Raw::Float(x.as_f64()),
        (FieldType::Integer, _) if number.is_some() => {
            let x = number.unwrap_or_default();
            if x.fract() == 0.0 && x.abs() < 9e15 {
                Raw::Int(x as i64)
            } else {
                Raw::Float(x)
            }
        }
        (FieldType::Number, _) if number.is_some() => Raw::Float(number.unwrap_or_default()),
        _ => return Ok(Some(Raw::Str(text(d)))),
    }))
}

/// Converts one cell for `field`: a typed cell directly, text as a CSV cell is read.
fn cell(field: &Field, d: &Data) -> Result<Option<super::Value>, super::value::Invalid> {
    // Text, the common case, is read where it is (no copy first).
    if let Data::String(s) = d {
        let s = unquoted(s);
        return if s.is_empty() {
            Ok(None)
        } else {
            convert_csv_cell(field, s)
        };
    }
    match raw(field, d)? {
        None => Ok(None),
        // A percent cell's number is a fraction whatever forms the field accepts when typed.
        Some(Raw::Float(x)) if field.ty == FieldType::Percent => Ok(Some(super::Value::Number(x))),
        Some(Raw::Str(s)) => convert_csv_cell(field, &s),
        Some(r) => convert(field, r),
    }
}

/// A sheet's cells, as calamine read them; rows and columns as the sheet numbers them,
/// from A1 (0-based here).
struct Sheet {
    name: String,
    range: calamine::Range<Data>,
}

impl Sheet {
    fn get(&self, r: usize, c: usize) -> &Data {
        match (u32::try_from(r), u32::try_from(c)) {
            (Ok(r), Ok(c)) => self.range.get_value((r, c)).unwrap_or(&Data::Empty),
            _ => &Data::Empty,
        }
    }
    /// Rows from the first (1 past the last used one).
    fn height(&self) -> usize {
        self.range.end().map_or(0, |(r, _)| r as usize + 1)
    }
    /// Columns from A (1 past the last used one).
    fn width(&self) -> usize {
        self.range.end().map_or(0, |(_, c)| c as usize + 1)
    }
    fn row(&self, r: usize) -> impl Iterator<Item = &Data> {
        (0..self.width()).map(move |c| self.get(r, c))
    }
    fn blank_row(&self, r: usize) -> bool {
        self.row(r).all(is_blank)
    }
}

/// A workbook read as a submission document, with where each JSON pointer's value is.
pub struct Read {
    pub doc: Document,
    pub problems: Vec<Problem>,
    /// JSON pointer -> `sheet S, row N, column C (header)`.
    pub places: Places,
    /// The workbook's sheets, in order: problems are listed sheet by sheet.
    pub sheets: Vec<String>,
}

/// Where each JSON pointer's value is in the workbook. A register's cells are not listed one
/// by one (that cost more than reading them): its rows and columns are kept and a cell's
/// place is made when a message needs it.
#[derive(Default)]
pub struct Places {
    /// Pointers outside registers, and problems' own pointers.
    cells: HashMap<String, String>,
    /// By the register's pointer segment.
    registers: HashMap<String, RegisterPlaces>,
}

struct RegisterPlaces {
    sheet: String,
    /// The sheet row of each of the register's rows.
    rows: Vec<u32>,
    /// By a column's pointer segment: its sheet column and header.
    columns: HashMap<String, (usize, String)>,
    /// The key column's sheet column and header, when the sheet has one.
    key: Option<(usize, String)>,
}

impl Places {
    fn insert(&mut self, pointer: String, place: String) {
        self.cells.insert(pointer, place);
    }

    fn len(&self) -> usize {
        self.cells.len()
    }

    /// The place of exactly this pointer, if it has one.
    pub fn get(&self, pointer: &str) -> Option<String> {
        if let Some(place) = self.cells.get(pointer) {
            return Some(place.clone());
        }
        let mut parts = pointer.strip_prefix("/registers/")?.split('/');
        let register = self.registers.get(parts.next()?)?;
        let index: usize = parts.next()?.parse().ok()?;
        let row = *register.rows.get(index)?;
        match (parts.next(), parts.next()) {
            (None, _) => Some(match &register.key {
                Some((c, label)) => at(&register.sheet, row, *c, label),
                None => format!("sheet {}, row {}", register.sheet, row + 1),
            }),
            (Some(column), None) => {
                let (c, label) = register.columns.get(column)?;
                Some(at(&register.sheet, row, *c, label))
            }
            _ => None,
        }
    }
}

/// Where a located message is, for listing problems in the workbook's order: the sheet's
/// index, the row and the column (as numbers, so that row 10 comes after row 9).
pub fn order(sheets: &[String], message: &str) -> (usize, u32, usize) {
    let Some(rest) = message.strip_prefix("sheet ") else {
        return (usize::MAX, 0, 0);
    };
    let mut parts = rest.splitn(3, ", ");
    let sheet = parts.next().unwrap_or("");
    let sheet = sheet.split(':').next().unwrap_or(sheet);
    let index = sheets.iter().position(|s| s == sheet).unwrap_or(usize::MAX);
    let row = parts
        .next()
        .and_then(|r| r.strip_prefix("row "))
        .and_then(|r| r.split(':').next())
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let col = parts
        .next()
        .and_then(|c| c.strip_prefix("column "))
        .map(|c| {
            c.chars()
                .take_while(char::is_ascii_uppercase)
                .fold(0usize, |n, ch| n * 26 + (ch as usize - 'A' as usize + 1))
        })
        .unwrap_or(0);
    (index, row, col)
}

/// Refuses a workbook whose parts would inflate to more than `--max-inflated` bytes
/// together, from its table of contents, before anything is inflated. (The zip reader holds
/// each part to the size its entry declares, so a table of contents that understates them
/// fails while inflating, at the declared size.)
pub fn check_archive(bytes: &[u8]) -> Result<(), String> {
    check_archive_within(bytes, crate::limits::get().inflated)
}

fn check_archive_within(bytes: &[u8], max_inflated: u64) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not an XLSX workbook: {e}"))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let part = archive
            .by_index_raw(i)
            .map_err(|e| format!("not an XLSX workbook: {e}"))?;
        total = total.saturating_add(part.size());
    }
    if total > max_inflated {
        return Err(format!(
            "the workbook's parts would inflate to {}, more than a workbook may hold, so it \
             is not inflated {}",
            crate::limits::size(total),
            Limit::Inflated.hint_for(max_inflated)
        ));
    }
    Ok(())
}

/// Opens a workbook's bytes after [`check_archive`], and refuses one with more sheets than
/// `--max-sheets`.
pub fn open(bytes: &[u8]) -> Result<Xlsx<Cursor<&[u8]>>, String> {
    check_archive(bytes)?;
    let book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("not an XLSX workbook: {e}"))?;
    let sheets = book.sheet_names().len();
    if sheets > crate::limits::get().sheets {
        return Err(format!(
            "the workbook has {} sheets, more than a workbook may have {}",
            crate::limits::count(sheets as u64),
            Limit::Sheets.hint()
        ));
    }
    Ok(book)
}

/// The cells a workbook's sheets may still span, out of `--max-cells`.
pub struct CellBudget(u64);

impl Default for CellBudget {
    fn default() -> CellBudget {
        CellBudget(crate::limits::get().cells)
    }
}

/// Runs `read`, calamine reading a workbook, with a panic of calamine's made an error (and
/// not printed): a malformed workbook must not stop the program. (calamine 0.38 computes a
/// cell reference's row and column with unchecked arithmetic: a row number of more than
/// ten digits, `A99999999999`, overflows, which panics where overflow is checked.)
pub fn guard_calamine<T>(read: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    use std::cell::Cell;
    thread_local! {
        static GUARDED: Cell<bool> = const { Cell::new(false) };
    }
    static HOOK: std::sync::Once = std::sync::Once::new();
    // One hook for the process, silent on a thread inside this function only.
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = GUARDED.with(|g| g.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    GUARDED.with(|g| g.set(was));
    result.unwrap_or_else(|_| {
        Err(
            "not an XLSX workbook that can be read: a cell reference or part of it is malformed"
                .to_string(),
        )
    })
}

/// The most rows and columns a sheet may have (a spreadsheet's limits).
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: u32 = 16_384;

/// Reads one sheet's cells. A sheet's cells are kept as the rectangle they span, so the
/// rectangle (not only the cells filled in) is held to what is left of the budget, while
/// reading: two cells far apart cannot make the reader allocate billions of blank ones. A
/// cell beyond the last row or column a spreadsheet has is refused at once.
pub fn sheet_range(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    budget: &mut CellBudget,
) -> Result<calamine::Range<Data>, String> {
    use calamine::{Cell, DataRef, XlsxError};
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        // A chart sheet or the like: it has no cells.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(calamine::Range::empty()),
        Err(e) => return Err(format!("sheet {name}: {e}")),
    };
    let mut cells: Vec<Cell<Data>> = Vec::new();
    let (mut top, mut bottom, mut left, mut right) = (u32::MAX, 0u32, u32::MAX, 0u32);
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| format!("sheet {name}: {e}"))?
    {
        let (r, c) = cell.get_position();
        if r >= MAX_ROWS || c >= MAX_COLUMNS {
            return Err(format!(
                "sheet {name}: a cell at row {}, column {} lies beyond the last row ({MAX_ROWS}) \
                 or column ({}) a sheet may have",
                u64::from(r) + 1,
                crate::filled::column_letter(c as usize),
                crate::filled::column_letter(MAX_COLUMNS as usize - 1)
            ));
        }
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        top = top.min(r);
        bottom = bottom.max(r);
        left = left.min(c);
        right = right.max(c);
        let span = u64::from(bottom - top + 1) * u64::from(right - left + 1);
        if span > budget.0 {
            return Err(format!(
                "sheet {name}, cell {}{}: the workbook's sheets span more cells than kaohe \
                 reads {}",
                crate::filled::column_letter(c as usize),
                r + 1,
                Limit::Cells.hint()
            ));
        }
        cells.push(Cell::new((r, c), Data::from(cell.get_value().clone())));
    }
    if !cells.is_empty() {
        budget.0 -= u64::from(bottom - top + 1) * u64::from(right - left + 1);
    }
    Ok(calamine::Range::from_sparse(cells))
}

/// Reads the workbook `bytes` against the dictionary. `Err` is a workbook that cannot be
/// opened at all.
pub fn read(dict: &DataDict, bytes: &[u8]) -> Result<Read, String> {
    let (sheets, merged) = guard_calamine(|| {
        let mut book = open(bytes)?;
        let names = book.sheet_names();
        let mut sheets: IndexMap<String, Sheet> = IndexMap::new();
        let mut budget = CellBudget::default();
        // A merged cell keeps its value in its first cell only: the others read as blank.
        let mut merged = Vec::new();
        for name in names {
            let range = sheet_range(&mut book, &name, &mut budget)?;
            if name != INSTRUCTIONS {
                let regions = book
                    .merge_cells_by_sheet_name(&name)
                    .map_err(|e| format!("sheet {name}: {e}"))?;
                for d in regions {
                    let (row, col) = (d.start.0, d.start.1 as usize);
                    let cells = format!(
                        "{}{}:{}{}",
                        crate::filled::column_letter(col),
                        row + 1,
                        crate::filled::column_letter(d.end.1 as usize),
                        d.end.0 + 1
                    );
                    merged.push((at(&name, row, col, ""), cells));
                }
            }
            sheets.insert(name.clone(), Sheet { name, range });
        }
        Ok((sheets, merged))
    })?;
    let mut out = Read {
        doc: Document {
            facts: vec![None; dict.facts.len()],
            registers: vec![None; dict.registers.len()],
            ..Document::default()
        },
        problems: Vec::new(),
        places: Places::default(),
        sheets: sheets.keys().cloned().collect(),
    };
    out.places.insert(String::new(), format!("sheet {HEADER}"));
    for (place, cells) in merged {
        let message = format!(
            "cells {cells} are merged: a merged cell holds its value in its first cell only"
        );
        let help = Some("unmerge the cells and fill in each one".to_string());
        problem(&mut out, place, message, help);
    }
    let register_sheets = register_sheets(dict);
    let known: Vec<&str> = FIXED
        .iter()
        .copied()
        .chain(register_sheets.iter().map(String::as_str))
        .collect();
    if !sheets.contains_key(HEADER) {
        return Err(format!(
            "the workbook has no sheet `{HEADER}`: it is not a submission filled in from `kaohe template` (its sheets: {})",
            sheets.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    for (name, sheet) in &sheets {
        if !known.contains(&name.as_str())
            && !dict.registers.contains_key(name)
            && sheet.height() > 0
        {
            let help = format!("the register sheets are {}", register_sheets.join(", "));
            let message = "the pack has no register of that name".to_string();
            problem(&mut out, format!("sheet {name}"), message, Some(help));
        }
    }
    if let Some(sheet) = sheets.get(HEADER) {
        header(sheet, &mut out);
    }
    if let Some(sheet) = sheets.get(FACTS) {
        facts(dict, sheet, &mut out);
    }
    for (i, ((name, register), sheet_name)) in
        dict.registers.iter().zip(&register_sheets).enumerate()
    {
        let sheet = sheets.get(sheet_name).or_else(|| sheets.get(name));
        if let Some(sheet) = sheet {
            out.doc.registers[i] = register_rows(name, register, sheet, &mut out);
        }
    }
    if let Some(sheet) = sheets.get(EVIDENCE) {
        evidence(dict, sheet, &mut out);
    }
    if let Some(sheet) = sheets.get(DEPARTMENTS) {
        departments(sheet, &mut out);
    }
    if let Some(sheet) = sheets.get(SELF_SCORES) {
        self_scores(sheet, &mut out);
    }
    Ok(out)
}

fn problem(out: &mut Read, place: String, message: String, help: Option<String>) {
    // Each problem has a pointer of its own, located at its cell.
    let pointer = format!("/~cell/{}", out.places.len());
    out.places.insert(pointer.clone(), place);
    out.problems.push(Problem {
        pointer,
        at_key: false,
        message,
        help,
        code: None,
    });
}

/// Which row holds each key of a two-column sheet (基本信息, 事实, 佐证材料): the field name
/// in column `name_col` when given, else the label in column A.
fn rows_by_key<'a>(
    sheet: &Sheet,
    name_col: usize,
    labels: impl Iterator<Item = (&'a str, &'a str)>,
    out: &mut Read,
) -> Vec<(String, usize)> {
    let mut by_label: HashMap<&str, &str> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    for (name, label) in labels {
        by_label.insert(label, name);
        names.push(name);
    }
    let mut found: Vec<(String, usize)> = Vec::new();
    for r in 1..sheet.height() {
        if sheet.blank_row(r) {
            continue;
        }
        let name = text(sheet.get(r, name_col));
        let label = text(sheet.get(r, 0));
        let label = label.trim_end_matches("（必报）").to_string();
        let key = if names.contains(&name.as_str()) {
            Some(name.clone())
        } else if name.is_empty() {
            by_label.get(label.as_str()).map(|s| s.to_string())
        } else {
            None
        };
        match key {
            Some(key) => {
                if let Some((_, first)) = found.iter().find(|(k, _)| *k == key) {
                    let message = format!("`{key}` is given twice (first on row {})", first + 1);
                    let place = at(&sheet.name, r as u32, 0, "");
                    problem(out, place, message, None);
                } else {
                    found.push((key, r));
                }
            }
            None => {
                let shown = if name.is_empty() { label } else { name };
                let col = if text(sheet.get(r, name_col)).is_empty() {
                    0
                } else {
                    name_col
                };
                let help = crate::diag::did_you_mean(&shown, names.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"));
                let place = at(&sheet.name, r as u32, col, "");
                problem(out, place, format!("unknown row `{shown}`"), help);
            }
        }
    }
    found
}

fn header(sheet: &Sheet, out: &mut Read) {
    let rows = rows_by_key(sheet, 3, HEADER_ROWS.iter().copied(), out);
    // The bureau and the year are the two things a submission must give: their cells are
    // named when they are blank.
    out.doc.keys.insert("bureau".into());
    for (key, label) in [("name", "单位名称"), ("year", "考核年度")] {
        match rows.iter().find(|(k, _)| k == key) {
            Some((_, r)) => {
                let pointer = if key == "name" { "/bureau" } else { "/year" };
                out.places
                    .insert(pointer.into(), at(&sheet.name, *r as u32, 1, label));
                if key == "year" && text(sheet.get(*r, 1)).is_empty() {
                    let message = "the year is not filled in".to_string();
                    let place = at(&sheet.name, *r as u32, 1, label);
                    problem(
                        out,
                        place,
                        message,
                        Some("write the assessment year, e.g. 2024".into()),
                    );
                    out.doc.keys.insert("year".into());
                }
            }
            None => {
                let place = format!("sheet {}", sheet.name);
                problem(out, place, format!("no row `{label}`"), None);
                out.doc.keys.insert(key.into());
            }
        }
    }
    for (key, r) in rows {
        let label = HEADER_ROWS
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, l)| *l);
        let d = sheet.get(r, 1);
        let pointer = match key.as_str() {
            "year" | "assessed_on" => format!("/{key}"),
            _ => format!("/bureau/{key}"),
        };
        out.places
            .insert(pointer.clone(), at(&sheet.name, r as u32, 1, label));
        let value = match (key.as_str(), d) {
            (_, Data::Empty) => continue,
            (_, Data::String(s)) if s.trim().is_empty() => continue,
            (_, Data::Error(e)) => {
                let place = at(&sheet.name, r as u32, 1, label);
                let message = format!("the cell holds the error `{e}`, not a value");
                let help = Some("correct the formula, or type the value".to_string());
                problem(out, place, message, help);
                continue;
            }
            ("year", Data::Float(x)) => Raw::Float(*x),
            ("year", Data::Int(i)) => Raw::Int(*i),
            ("year", Data::String(s)) => match s.trim().trim_end_matches('年').parse::<i64>() {
                Ok(y) => Raw::Int(y),
                Err(_) => Raw::Str(s.trim().into()),
            },
            ("assessed_on", Data::DateTime(x)) => serial_date(x.as_f64())
                .map_or_else(|| Raw::Float(x.as_f64()), |d| Raw::Str(d.to_string())),
            ("assessed_on", Data::Float(x)) => {
                serial_date(*x).map_or_else(|| Raw::Float(*x), |d| Raw::Str(d.to_string()))
            }
            ("assessed_on", Data::DateTimeIso(s)) => Raw::Str(s.get(..10).unwrap_or(s).into()),
            _ => Raw::Str(text(d)),
        };
        match key.as_str() {
            "year" => {
                out.doc.keys.insert("year".into());
                out.doc.year = Some(value);
            }
            "assessed_on" => {
                out.doc.keys.insert("assessed_on".into());
                out.doc.assessed_on = Some(value);
            }
            _ => {
                out.doc.keys.insert("bureau".into());
                out.doc.bureau.insert(key, value);
            }
        }
    }
}

fn facts(dict: &DataDict, sheet: &Sheet, out: &mut Read) {
    let labels = dict
        .facts
        .iter()
        .map(|(n, f)| (n.as_str(), f.label.as_str()));
    let rows = rows_by_key(sheet, FACT_COLUMNS.len() - 1, labels, out);
    if !rows.is_empty() {
        out.doc.keys.insert("facts".into());
    }
    for (key, r) in rows {
        let Some((index, _, field)) = dict.facts.get_full(&key) else {
            continue;
        };
        let place = at(&sheet.name, r as u32, 1, &field.label);
        let pointer = format!("/facts/{}", crate::text::pointer_segment(&key));
        out.places.insert(pointer, place.clone());
        match cell(field, sheet.get(r, 1)) {
            Ok(v) => out.doc.facts[index] = v,
            Err(e) => problem(out, place, e.message, e.help),
        }
    }
}

fn register_rows(
    name: &str,
    register: &crate::pack::Register,
    sheet: &Sheet,
    out: &mut Read,
) -> Option<RegisterInput> {
    let width = sheet.width();
    let mut mapping: Vec<Option<usize>> = vec![None; width];
    let mut seen: HashMap<usize, usize> = HashMap::new();
    for (c, slot) in mapping.iter_mut().enumerate() {
        // The key column's header is marked `＊`.
        let h = text(sheet.get(0, c))
            .trim_end_matches(['＊', '*'])
            .trim()
            .to_string();
        if h.is_empty() {
            continue;
        }
        match register
            .columns
            .iter()
            .position(|(n, f)| *n == h || f.label == h)
        {
            Some(i) => {
                if let Some(first) = seen.insert(i, c) {
                    let message = format!(
                        "column `{h}` appears twice (first in column {})",
                        crate::filled::column_letter(first)
                    );
                    problem(out, at(&sheet.name, 0, c, ""), message, None);
                } else {
                    *slot = Some(i);
                }
            }
            None => {
                let candidates = register
                    .columns
                    .iter()
                    .flat_map(|(n, f)| [n.as_str(), f.label.as_str()]);
                let help = crate::diag::did_you_mean(&h, candidates)
                    .map(|s| format!("did you mean `{s}`?"));
                let message = format!("register `{name}` has no column `{h}`");
                problem(out, at(&sheet.name, 0, c, ""), message, help);
            }
        }
    }
    let key_column = register.columns.get_index_of(&register.key);
    if let Some(k) = key_column
        && !seen.contains_key(&k)
        && sheet.height() > 1
    {
        let label = &register.columns[k].label;
        let message = format!("no column headed `{label}`, the register's key");
        problem(out, format!("sheet {}, row 1", sheet.name), message, None);
        return None;
    }
    let filled: Vec<usize> = (1..sheet.height())
        .filter(|r| !sheet.blank_row(*r))
        .collect();
    // No row is no register (not reported, 缺数据); `无` alone in the first row is a
    // register reported with no records.
    if filled.is_empty() {
        return None;
    }
    if let [r] = filled.as_slice()
        && sheet
            .row(*r)
            .map(text)
            .filter(|t| !t.is_empty())
            .eq([NONE.to_string()])
    {
        out.doc.keys.insert("registers".into());
        return Some(RegisterInput::Rows(Table::default()));
    }
    let segment = crate::text::pointer_segment(name);
    let key = key_column.and_then(|k| {
        let c = mapping.iter().position(|m| *m == Some(k))?;
        Some((c, register.columns[k].label.clone()))
    });
    let mut places = RegisterPlaces {
        sheet: sheet.name.clone(),
        rows: Vec::new(),
        columns: mapping
            .iter()
            .enumerate()
            .filter_map(|(c, m)| {
                let (col_name, field) = register.columns.get_index((*m)?)?;
                Some((
                    crate::text::pointer_segment(col_name),
                    (c, field.label.clone()),
                ))
            })
            .collect(),
        key,
    };
    let mut table = Table::default();
    let max_rows = crate::limits::get().rows;
    for r in 1..sheet.height() {
        if sheet.blank_row(r) {
            continue;
        }
        if table.rows.len() == max_rows {
            let message = format!(
                "the register has more rows than kaohe reads {}",
                Limit::Rows.hint()
            );
            problem(out, at(&sheet.name, r as u32, 0, ""), message, None);
            break;
        }
        let mut row = vec![None; register.columns.len()];
        for (c, m) in mapping.iter().enumerate() {
            let Some(i) = *m else { continue };
            let Some((_, field)) = register.columns.get_index(i) else {
                continue;
            };
            match cell(field, sheet.get(r, c)) {
                Ok(v) => row[i] = v,
                Err(e) => {
                    let place = at(&sheet.name, r as u32, c, &field.label);
                    problem(out, place, e.message, e.help);
                }
            }
        }
        places.rows.push(r as u32);
        table.rows.push(row);
    }
    out.places.registers.insert(segment, places);
    out.doc.keys.insert("registers".into());
    Some(RegisterInput::Rows(table))
}

fn evidence(dict: &DataDict, sheet: &Sheet, out: &mut Read) {
    let labels = dict
        .evidence
        .iter()
        .map(|(n, e)| (n.as_str(), e.label.as_str()));
    let rows = rows_by_key(sheet, EVIDENCE_COLUMNS.len() - 1, labels, out);
    for (key, r) in rows {
        let docs: Vec<String> = text(sheet.get(r, 1))
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        if !docs.is_empty() {
            out.doc.keys.insert("evidence".into());
            out.doc.evidence.insert(key, docs);
        }
    }
}

fn departments(sheet: &Sheet, out: &mut Read) {
    for r in 1..sheet.height() {
        let name = text(sheet.get(r, 0));
        let unit = Some(text(sheet.get(r, 1))).filter(|s| !s.is_empty());
        let person = Some(text(sheet.get(r, 2))).filter(|s| !s.is_empty());
        if unit.is_none() && person.is_none() {
            continue;
        }
        if name.is_empty() {
            let place = at(&sheet.name, r as u32, 0, DEPARTMENT_COLUMNS[0]);
            problem(out, place, "the department is not named".into(), None);
            continue;
        }
        if out.doc.departments.contains_key(&name) {
            let place = at(&sheet.name, r as u32, 0, DEPARTMENT_COLUMNS[0]);
            problem(
                out,
                place,
                format!("department `{name}` is given twice"),
                None,
            );
            continue;
        }
        out.doc.keys.insert("departments".into());
        out.doc
            .departments
            .insert(name, super::Department { unit, person });
    }
}

fn self_scores(sheet: &Sheet, out: &mut Read) {
    for r in 1..sheet.height() {
        let id = text(sheet.get(r, 0));
        let d = sheet.get(r, 3);
        let place = at(&sheet.name, r as u32, 3, SELF_SCORE_COLUMNS[3]);
        let score = match d {
            Data::Empty => continue,
            Data::String(s) if s.trim().is_empty() => continue,
            Data::Int(i) => *i as f64,
            Data::Float(x) => *x,
            Data::String(s) => match s.trim().parse::<f64>() {
                Ok(x) => x,
                Err(_) => {
                    problem(
                        out,
                        place,
                        format!("expected a score, found `{}`", s.trim()),
                        None,
                    );
                    continue;
                }
            },
            other => {
                problem(
                    out,
                    place,
                    format!("expected a score, found `{}`", text(other)),
                    None,
                );
                continue;
            }
        };
        let pointer = format!("/self_scores/{}", crate::text::pointer_segment(&id));
        out.places.insert(pointer, place);
        out.doc.keys.insert("self_scores".into());
        out.doc.self_scores.insert(id, score);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::PercentForm;
    use crate::submission::Value;

    fn field(ty: FieldType, accept: &[PercentForm]) -> Field {
        Field {
            ty,
            label: "项".into(),
            required: false,
            values: vec!["小学".into(), "初中".into()],
            accept: accept.to_vec(),
            signed: false,
            states: None,
            description: None,
        }
    }

    fn date(y: i16, m: i8, d: i8) -> Option<Value> {
        Date::new(y, m, d).ok().map(Value::Date)
    }

    /// A zip of one part, 3 MiB of spaces deflated to a few KiB.
    fn three_mib_of_spaces() -> Vec<u8> {
        use std::io::Write;
        let mut bytes = Vec::new();
        let mut zip = zip::ZipWriter::new(Cursor::new(&mut bytes));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", options)
            .expect("a part");
        zip.write_all(&vec![b' '; 3 * 1024 * 1024])
            .expect("written");
        zip.finish().expect("a zip");
        bytes
    }

    #[test]
    fn a_workbook_that_would_inflate_too_far_is_refused_before_it_is() {
        let bytes = three_mib_of_spaces();
        assert!(bytes.len() < 64 * 1024, "it compresses: {}", bytes.len());
        let refused = check_archive_within(&bytes, 2 * 1024 * 1024).unwrap_err();
        assert_eq!(
            refused,
            "the workbook's parts would inflate to 3 MiB, more than a workbook may hold, so it \
             is not inflated (the limit is 2 MiB; `--max-inflated` raises it)"
        );
        assert!(check_archive_within(&bytes, 4 * 1024 * 1024).is_ok());
        assert!(
            check_archive(b"PK\x03\x04 not a zip")
                .unwrap_err()
                .starts_with("not an XLSX workbook")
        );
    }

    /// A table of contents that understates a part's size does not get it past
    /// `--max-inflated`: the part stops inflating at the size it declares.
    #[test]
    fn a_part_that_lies_about_its_size_stops_at_the_size_it_declares() {
        use std::io::Read;
        let mut bytes = three_mib_of_spaces();
        // Declare 1,000 bytes in the local header (offset 22) and the central directory
        // (offset 24).
        let declared = 1000u32.to_le_bytes();
        for (signature, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
            let at = bytes
                .windows(4)
                .position(|w| w == signature)
                .expect("a header");
            bytes[at + offset..at + offset + 4].copy_from_slice(&declared);
        }
        assert!(check_archive_within(&bytes, 2 * 1024 * 1024).is_ok());
        let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).expect("a zip");
        let mut part = archive.by_index(0).expect("a part");
        let mut inflated = Vec::new();
        assert!(part.read_to_end(&mut inflated).is_err());
        assert!(inflated.len() <= 1000 + 64 * 1024, "{}", inflated.len());
    }

    #[test]
    fn cells_read_as_a_spreadsheet_stores_them() {
        let b = field(FieldType::Boolean, &[]);
        assert_eq!(
            cell(&b, &Data::String("是".into())),
            Ok(Some(Value::Bool(true)))
        );
        assert_eq!(cell(&b, &Data::Bool(false)), Ok(Some(Value::Bool(false))));
        assert_eq!(
            cell(&b, &Data::String("true".into())),
            Ok(Some(Value::Bool(true)))
        );
        assert_eq!(cell(&b, &Data::Empty), Ok(None));
        assert_eq!(cell(&b, &Data::String("  ".into())), Ok(None));

        let i = field(FieldType::Integer, &[]);
        assert_eq!(cell(&i, &Data::Float(3.0)), Ok(Some(Value::Int(3))));
        assert_eq!(
            cell(&i, &Data::String("12".into())),
            Ok(Some(Value::Int(12)))
        );
        assert!(cell(&i, &Data::Float(2.5)).is_err());

        // 2024-03-20 is serial 45371.
        let d = field(FieldType::Date, &[]);
        assert_eq!(cell(&d, &Data::Float(45371.0)), Ok(date(2024, 3, 20)));
        assert_eq!(
            cell(&d, &Data::String("2024-03-20".into())),
            Ok(date(2024, 3, 20))
        );
        assert_eq!(
            cell(&d, &Data::DateTimeIso("2024-03-20T00:00:00".into())),
            Ok(date(2024, 3, 20))
        );

        // A percent cell holds the share, whatever forms the field accepts when typed.
        let p = field(FieldType::Percent, &[PercentForm::Percent]);
        assert_eq!(cell(&p, &Data::Float(0.95)), Ok(Some(Value::Number(0.95))));
        assert_eq!(
            cell(&p, &Data::String("95%".into())),
            Ok(Some(Value::Number(0.95)))
        );
        assert!(cell(&p, &Data::Float(95.0)).is_err());

        let s = field(FieldType::String, &[]);
        assert_eq!(
            cell(&s, &Data::Float(130526.0)),
            Ok(Some(Value::Text("130526".into())))
        );
        assert_eq!(
            cell(&s, &Data::String("'=1+1".into())),
            Ok(Some(Value::Text("=1+1".into())))
        );

        let l = field(FieldType::List, &[]);
        assert_eq!(
            cell(&l, &Data::String("小学、初中".into())),
            Ok(Some(Value::List(vec!["小学".into(), "初中".into()])))
        );
        let e = field(FieldType::Enum, &[]);
        assert!(cell(&e, &Data::String("小學".into())).is_err());
    }

    #[test]
    fn register_sheet_names_are_valid_and_unique() {
        let yaml = "facts: {}\nregisters:\n  a: {label: '学校/幼儿园[名单]', key: k, columns: {k: {type: string, label: K}}}\n  b: {label: 事实, key: k, columns: {k: {type: string, label: K}}}\n  c: {label: '一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三', key: k, columns: {k: {type: string, label: K}}}\n";
        let dict: DataDict = serde_json::from_value(
            serde_json::to_value(serde_saphyr::from_str::<serde_json::Value>(yaml).expect("yaml"))
                .expect("json"),
        )
        .expect("dict");
        let names = register_sheets(&dict);
        assert_eq!(names[0], "学校_幼儿园_名单_");
        assert_eq!(names[1], "事实(2)");
        assert_eq!(names[2].chars().count(), 31);
    }

    #[test]
    fn problems_sort_in_workbook_order() {
        let sheets = vec!["基本信息".to_string(), "事实".to_string()];
        let a = order(&sheets, "sheet 事实, row 10, column B (x): y");
        let b = order(&sheets, "sheet 事实, row 9, column AA (x): y");
        let c = order(&sheets, "sheet 基本信息, row 12, column B: y");
        assert!(c < b && b < a, "{a:?} {b:?} {c:?}");
        assert_eq!(b, (1, 9, 27));
    }
}

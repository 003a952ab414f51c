//! Reading back a rectification list a bureau filled in (完成情况, 佐证材料, and a 整改时限 an
//! office may have extended): the workbook `kaohe rectify --format xlsx` writes.
//!
//! The sheet 整改清单 is found by name; its first row is the title (bureau, year, pack), its
//! second the header; columns are found by their header text, so a bureau that inserts or
//! moves a column does not break the reading. Problems name the sheet, row and column, and
//! are all reported at once.

use calamine::{Data, Reader};
use jiff::civil::Date;

use crate::rectify::{Bureau, Cause, List, PackRef, Progress, SCHEMA, Task};

/// The sheet that holds the list.
pub const SHEET: &str = "整改清单";

/// Why a filled-in workbook cannot be read: every problem found, each located.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct FilledError(pub Vec<String>);

/// Column letters as a spreadsheet shows them: 0 → A, 26 → AA.
pub fn column_letter(mut c: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) => {
            // Undo the `'` a list puts before formula-like text.
            let s = s.trim();
            match s.strip_prefix('\'') {
                Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.into(),
                _ => s.into(),
            }
        }
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// A date from an Excel serial number (days since 1899-12-30, as Excel counts them since
/// 1900-03-01).
fn serial_date(serial: f64) -> Option<Date> {
    if !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = Date::new(1899, 12, 30).ok()?;
    epoch
        .checked_add(jiff::Span::new().days(serial.floor() as i64))
        .ok()
}

/// A deadline cell: a date, a serial number, or text `YYYY-MM-DD`; text that says there is
/// none (未定…, —, empty) is none.
fn deadline(d: &Data) -> Result<Option<Date>, String> {
    match d {
        Data::DateTime(x) => serial_date(x.as_f64())
            .map(Some)
            .ok_or_else(|| format!("`{}` is not a date", x.as_f64())),
        Data::Float(f) => serial_date(*f)
            .map(Some)
            .ok_or_else(|| format!("`{f}` is not a date")),
        Data::Int(i) => serial_date(*i as f64)
            .map(Some)
            .ok_or_else(|| format!("`{i}` is not a date")),
        Data::Empty => Ok(None),
        _ => {
            let s = cell_text(d);
            let s = s.trim();
            if s.is_empty() || s == "—" || s.starts_with("未定") {
                return Ok(None);
            }
            let head = s.get(..10).unwrap_or(s);
            head.replace('/', "-")
                .parse::<Date>()
                .map(Some)
                .map_err(|_| format!("`{s}` is not a date (write YYYY-MM-DD)"))
        }
    }
}

fn cause(label: &str) -> Cause {
    match label {
        "一票否决" => Cause::Veto,
        "待核实" => Cause::Unverified,
        "缺数据" => Cause::MissingData,
        "部分达标" => Cause::Partial,
        _ => Cause::Shortfall,
    }
}

/// Bureau, year and pack from the title row: `{bureau}{year}年度整改清单（{pack} {version}）`.
fn title(s: &str) -> Option<(String, i64, String, String)> {
    // A title that a spreadsheet could read as a formula was written with a leading `'`.
    let s = s.strip_prefix('\'').unwrap_or(s);
    let at = s.find("年度整改清单")?;
    let head = &s[..at];
    let split = head.char_indices().rev().nth(3)?.0;
    let year: i64 = head[split..].parse().ok()?;
    let bureau = head[..split].trim().to_string();
    let rest = s[at + "年度整改清单".len()..].trim();
    let inner = rest.strip_prefix('（')?.strip_suffix('）')?;
    let (pack, version) = inner.rsplit_once(' ').unwrap_or((inner, ""));
    (!bureau.is_empty()).then(|| (bureau, year, pack.to_string(), version.to_string()))
}

/// Reads a filled-in list from the bytes of its workbook; `shown` names the file in
/// messages.
pub fn read(bytes: &[u8], shown: &str) -> Result<List, FilledError> {
    use crate::submission::workbook;
    let range = workbook::guard_calamine(|| {
        let mut book = workbook::open(bytes)?;
        if !book.sheet_names().iter().any(|n| n == SHEET) {
            return Err(format!(
                "the workbook has no sheet `{SHEET}` (its sheets: {})",
                book.sheet_names().join(", ")
            ));
        }
        workbook::sheet_range(&mut book, SHEET, &mut workbook::CellBudget::default())
    })
    .map_err(|e| FilledError(vec![format!("{shown}: {e}")]))?;
    let at = |r: u32, c: usize| -> Data {
        range
            .get_value((r, c as u32))
            .cloned()
            .unwrap_or(Data::Empty)
    };
    let loc = |r: u32, c: usize, name: &str| {
        format!(
            "{shown}: sheet {SHEET}, row {}, column {} ({name})",
            r + 1,
            column_letter(c)
        )
    };
    let mut problems = Vec::new();
    let title_text = cell_text(&at(0, 0));
    let Some((bureau, year, pack_title, version)) = title(&title_text) else {
        return Err(FilledError(vec![format!(
            "{shown}: sheet {SHEET}, row 1, column A: the title `{title_text}` does not read `<bureau><year>年度整改清单（<pack> <version>）`"
        )]));
    };
    let width = range.end().map_or(0, |(_, c)| c as usize + 1);
    let header: Vec<String> = (0..width).map(|c| cell_text(&at(1, c))).collect();
    let find = |name: &str| header.iter().position(|h| h == name);
    let required = ["任务编号", "完成情况"];
    for name in required {
        if find(name).is_none() {
            problems.push(format!(
                "{shown}: sheet {SHEET}, row 2: no column headed `{name}`"
            ));
        }
    }
    let (Some(id_col), Some(progress_col)) = (find("任务编号"), find("完成情况")) else {
        return Err(FilledError(problems));
    };
    let proof_col = find("佐证材料");
    let deadline_col = find("整改时限");
    let subject_col = find("考核项目");
    let problem_col = find("问题");
    let owner_col = find("责任单位");
    let text_of = |r: u32, c: Option<usize>| c.map(|c| cell_text(&at(r, c))).unwrap_or_default();
    let last = range.end().map_or(0, |(r, _)| r);
    let mut tasks: Vec<Task> = Vec::new();
    let mut seen: Vec<(String, u32)> = Vec::new();
    for r in 2..=last {
        let id = cell_text(&at(r, id_col));
        if id.is_empty() {
            let anything = (0..width).any(|c| !cell_text(&at(r, c)).is_empty());
            if anything {
                problems.push(format!(
                    "{}: the task id is empty",
                    loc(r, id_col, "任务编号")
                ));
            }
            continue;
        }
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == id) {
            problems.push(format!(
                "{}: task `{id}` is listed twice (first on row {})",
                loc(r, id_col, "任务编号"),
                first + 1
            ));
            continue;
        }
        seen.push((id.clone(), r));
        let progress_text = cell_text(&at(r, progress_col));
        let progress = if progress_text.is_empty() {
            None
        } else {
            match Progress::from_label(&progress_text) {
                Some(p) => Some(p),
                None => {
                    problems.push(format!(
                        "{}: `{progress_text}` is not one of 未整改、整改中、已整改",
                        loc(r, progress_col, "完成情况")
                    ));
                    None
                }
            }
        };
        let due = match deadline_col {
            Some(c) => match deadline(&at(r, c)) {
                Ok(d) => d,
                Err(e) => {
                    problems.push(format!("{}: {e}", loc(r, c, "整改时限")));
                    None
                }
            },
            None => None,
        };
        let proof = Some(text_of(r, proof_col)).filter(|s| !s.is_empty());
        let item = id.split('/').next().unwrap_or(&id).to_string();
        let subject = text_of(r, subject_col);
        // 考核项目 opens with the task's item id: a task id edited away from it would close
        // the task it replaced (已销号) without the problem being fixed.
        let first_word = subject.split_whitespace().next().unwrap_or_default();
        if !subject.is_empty() && first_word != item {
            problems.push(format!(
                "{}: task `{id}` is not of the item in 考核项目 (`{first_word}`): the task id is \
                 kaohe's, not to be edited",
                loc(r, id_col, "任务编号")
            ));
            continue;
        }
        let (subject, label) = match subject.rsplit_once('【') {
            Some((s, l)) => (s.to_string(), l.trim_end_matches('】').to_string()),
            None => (subject, String::new()),
        };
        let title = subject
            .strip_prefix(&item)
            .map(|s| s.trim_start().to_string())
            .unwrap_or(subject);
        tasks.push(Task {
            seq: tasks.len() + 1,
            id,
            item,
            title,
            row: None,
            clause: None,
            cause: cause(&label),
            lost: 0.0,
            problem: text_of(r, problem_col),
            measure: String::new(),
            owner: text_of(r, owner_col),
            responsible: None,
            deadline: due,
            within_days: None,
            target: None,
            evidence: Vec::new(),
            pack_owner: None,
            progress,
            proof,
        });
    }
    if !problems.is_empty() {
        return Err(FilledError(problems));
    }
    Ok(List {
        schema: SCHEMA.into(),
        pack: PackRef {
            id: String::new(),
            title: pack_title,
            version,
            digest: String::new(),
        },
        bureau: Bureau {
            name: bureau,
            region_code: None,
            level: None,
        },
        year,
        assessed_on: None,
        tasks,
        sheet: Vec::new(),
    })
}

/// Where each task id of a filled-in workbook is: `(id, message location)`, such as
/// `bad.xlsx: sheet 整改清单, row 5, column B (任务编号)`; empty when the workbook cannot be read.
pub fn task_places(bytes: &[u8], shown: &str) -> Vec<(String, String)> {
    use crate::submission::workbook;
    let Ok(mut book) = workbook::open(bytes) else {
        return Vec::new();
    };
    let Ok(range) = workbook::sheet_range(&mut book, SHEET, &mut workbook::CellBudget::default())
    else {
        return Vec::new();
    };
    let width = range.end().map_or(0, |(_, c)| c + 1);
    let header = |c: u32| range.get_value((1, c)).map(cell_text).unwrap_or_default();
    let Some(id_col) = (0..width).find(|&c| header(c) == "任务编号") else {
        return Vec::new();
    };
    let last = range.end().map_or(0, |(r, _)| r);
    (2..=last)
        .filter_map(|r| {
            let id = range.get_value((r, id_col)).map(cell_text)?;
            let place = format!(
                "{shown}: sheet {SHEET}, row {}, column {} (任务编号)",
                r + 1,
                column_letter(id_col as usize)
            );
            (!id.is_empty()).then_some((id, place))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(10), "K");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }

    #[test]
    fn serial_dates() {
        // 45461 is 2024-06-18 in Excel.
        assert_eq!(serial_date(45461.0), Date::new(2024, 6, 18).ok());
    }

    #[test]
    fn titles() {
        assert_eq!(
            title("南岭县教育局2023年度整改清单（教育系统法治建设年度考核 0.3.0）"),
            Some((
                "南岭县教育局".into(),
                2023,
                "教育系统法治建设年度考核".into(),
                "0.3.0".into()
            ))
        );
    }
}

//! Registers given as CSV files (UTF-8, with or without a BOM, or GBK/GB18030): a header row naming the
//! columns (by name or by Chinese label), then one row per record.

use std::collections::HashMap;

use super::Table;
use super::seed::Encoding;
use super::value::convert_csv_cell;
use crate::diag::{Code, Diagnostic, Location, Sources, did_you_mean};
use crate::pack::Register;
use crate::source::{self, Confined, SourceError};
use crate::yaml::Pos;

/// Reads a CSV register. Problems go to `diagnostics`; the table is returned when there
/// were none. A file that cannot be read at all (missing, not a regular file, too large) is
/// the error, for the caller to locate where the submission names it.
pub fn read(
    csv: &Confined,
    encoding: Encoding,
    name: &str,
    register: &Register,
    sources: &mut Sources,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Option<Table>, SourceError> {
    let path = csv.path();
    // The BOM is not part of the first cell; the text kept for diagnostics has none either.
    let body = match source::read_confined_bytes(csv).and_then(|b| decode(b, encoding)) {
        Ok(text) => text,
        Err(e) if e.pos().is_none() => return Err(e),
        Err(e) => {
            let mut d = e.diagnostic(path, &format!("the CSV file of register `{name}`"), sources);
            d.code = Code::Csv;
            diagnostics.push(d);
            return Ok(None);
        }
    };
    let file = sources.add(path, body.clone());
    let mut found: Vec<Diagnostic> = Vec::new();
    let problem = |found: &mut Vec<Diagnostic>,
                   line: u64,
                   col: u32,
                   message: String,
                   help: Option<String>| {
        let mut d = Diagnostic::error(
            Code::InvalidValue,
            Location {
                file,
                pos: Some(Pos {
                    line: line as u32,
                    col,
                    len: 0,
                }),
            },
            message,
        );
        d.help = help;
        found.push(d);
    };

    if body.trim().is_empty() {
        let mut d = Diagnostic::error(
            Code::EmptyFile,
            Location {
                file,
                pos: Some(Pos {
                    line: 1,
                    col: 1,
                    len: 0,
                }),
            },
            format!("the CSV file of register `{name}` is empty"),
        );
        d.help = Some("the first row names the columns; each row after it is a record".into());
        diagnostics.push(d);
        return Ok(None);
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(body.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problem(
                &mut found,
                1,
                1,
                format!("cannot read the CSV header: {e}"),
                None,
            );
            diagnostics.extend(found);
            return Ok(None);
        }
    };
    // Which dictionary column each CSV column holds.
    let mut mapping: Vec<Option<usize>> = Vec::with_capacity(headers.len());
    let mut seen: HashMap<usize, usize> = HashMap::new();
    let lines = Lines::new(&body);
    for (i, header) in headers.iter().enumerate() {
        let col = field_column(lines.text(1), i);
        if let Some((at, c)) = header.chars().enumerate().find(|(_, c)| invisible(*c)) {
            problem(
                &mut found,
                1,
                col + at as u32,
                format!(
                    "the header `{}` holds an invisible character (U+{:04X})",
                    header.trim().replace(invisible, ""),
                    c as u32
                ),
                Some("delete it: retype the column name".into()),
            );
        }
        let cleaned = header.replace(invisible, "");
        let header = cleaned.trim();
        let column_index = register
            .columns
            .iter()
            .position(|(col_name, field)| col_name == header || field.label == header);
        match column_index {
            Some(index) => {
                if seen.insert(index, i).is_some() {
                    problem(
                        &mut found,
                        1,
                        col,
                        format!("column `{header}` appears twice"),
                        None,
                    );
                }
                mapping.push(Some(index));
            }
            None => {
                let candidates = register
                    .columns
                    .iter()
                    .flat_map(|(n, f)| [n.as_str(), f.label.as_str()]);
                let help = did_you_mean(header, candidates).map(|s| format!("did you mean `{s}`?"));
                problem(
                    &mut found,
                    1,
                    col,
                    format!("register `{name}` has no column `{header}`"),
                    help,
                );
                mapping.push(None);
            }
        }
    }
    for (index, (col_name, field)) in register.columns.iter().enumerate() {
        if !seen.contains_key(&index) {
            problem(
                &mut found,
                1,
                1,
                format!("the CSV has no column `{col_name}` ({})", field.label),
                Some("the header row must name every column of the register; leave cells empty where there is no value".into()),
            );
        }
    }
    // Rows are still read when the header has problems, so that one run reports all.

    let key_column = register.columns.get_index_of(&register.key);
    let mut keys: HashMap<String, u64> = HashMap::new();
    let mut table = Table::default();
    let max_rows = crate::limits::get().rows;
    let mut records: Vec<_> = reader.records().take(max_rows.saturating_add(1)).collect();
    if records.len() > max_rows {
        let over = records.pop().and_then(|r| match r {
            Ok(r) => r.position().map(|p| p.byte()),
            Err(e) => e.position().map(|p| p.byte()),
        });
        let line = over.map(|b| lines.line_of(b)).unwrap_or(0);
        problem(
            &mut found,
            line,
            1,
            format!(
                "the register has more rows than kaohe reads {}",
                crate::limits::Limit::Rows.hint()
            ),
            None,
        );
    }
    // Where each record starts, and so where the one before it ends.
    let starts: Vec<usize> = records
        .iter()
        .map(|r| match r {
            Ok(r) => r.position().map(|p| p.byte()),
            Err(e) => e.position().map(|p| p.byte()),
        })
        .map(|b| b.and_then(|b| usize::try_from(b).ok()).unwrap_or(0))
        .collect();
    for (n, record) in records.into_iter().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| lines.line_of(p.byte())).unwrap_or(0);
                problem(
                    &mut found,
                    line,
                    1,
                    format!("cannot read the CSV row: {e}"),
                    None,
                );
                continue;
            }
        };
        let line = record
            .position()
            .map(|p| lines.line_of(p.byte()))
            .unwrap_or(0);
        let raw_line = lines.text(line);
        let start = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(0);
        let end = starts.get(n + 1).copied().unwrap_or(body.len());
        // A quote that opens a cell and is never closed swallows the rest of the file: the
        // last record, with an odd number of quotes.
        let opening = raw_line
            .chars()
            .enumerate()
            .scan(',', |prev, (i, c)| {
                let opens = c == '"' && *prev == ',';
                *prev = c;
                Some((i, opens))
            })
            .find(|(_, opens)| *opens)
            .map(|(i, _)| i as u32 + 1);
        if let Some(col) = opening
            && n + 1 == starts.len()
            && body
                .get(start..end.max(start))
                .is_some_and(|span| span.matches('"').count() % 2 == 1)
        {
            problem(
                &mut found,
                line,
                col,
                "a quote `\"` opened here is not closed".into(),
                Some("close it at the end of the cell, and write a quote inside a quoted cell as `\"\"`".into()),
            );
            break;
        }
        if record.len() != headers.len() {
            problem(
                &mut found,
                line,
                1,
                format!(
                    "the row has {} cells, the header {}",
                    record.len(),
                    headers.len()
                ),
                None,
            );
            continue;
        }
        let mut row = vec![None; register.columns.len()];
        for (i, cell) in record.iter().enumerate() {
            let Some(index) = mapping[i] else { continue };
            let Some((_, field)) = register.columns.get_index(index) else {
                continue;
            };
            let at = field_column(raw_line, i);
            let raw_cell = raw_line
                .chars()
                .skip(at.saturating_sub(1) as usize)
                .take_while(|c| *c != ',');
            let quoted = raw_line.chars().nth(at.saturating_sub(1) as usize) == Some('"');
            if !quoted && cell.contains('"') {
                let offset = raw_cell.take_while(|c| *c != '"').count() as u32;
                problem(
                    &mut found,
                    line,
                    at + offset,
                    format!("a stray quote `\"` in the cell `{cell}`"),
                    Some(
                        "put the whole cell in quotes and write the quote as `\"\"`, or remove it"
                            .into(),
                    ),
                );
            }
            if let Some((n, c)) = cell
                .chars()
                .enumerate()
                .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            {
                problem(
                    &mut found,
                    line,
                    at + n as u32,
                    format!("the cell holds a control character (U+{:04X})", c as u32),
                    Some("delete it: cells hold text".into()),
                );
            }
            match convert_csv_cell(field, cell) {
                Ok(value) => row[index] = value,
                Err(e) => problem(
                    &mut found,
                    line,
                    field_column(raw_line, i),
                    e.message,
                    e.help,
                ),
            }
        }
        if let Some(k) = key_column {
            let col = mapping
                .iter()
                .position(|m| *m == Some(k))
                .map(|i| field_column(raw_line, i))
                .unwrap_or(1);
            match &row[k] {
                None => problem(
                    &mut found,
                    line,
                    col,
                    format!("the row has no `{}`, the register's key", register.key),
                    None,
                ),
                Some(v) => {
                    let key = v.to_string();
                    if let Some(first) = keys.insert(key.clone(), line) {
                        let message = format!("duplicate key `{key}` (first on line {first})");
                        problem(&mut found, line, col, message, None);
                    }
                }
            }
        }
        table.rows.push(row);
    }
    let ok = found.is_empty();
    diagnostics.extend(found);
    Ok(ok.then_some(table))
}

/// The text of a CSV file: UTF-8 (a BOM dropped) when it is UTF-8, else GB18030, the
/// superset of GBK that Excel on Chinese Windows writes for "CSV (逗号分隔)". A NUL byte
/// is not text.
fn decode(bytes: Vec<u8>, encoding: Encoding) -> Result<String, SourceError> {
    let utf8 = std::str::from_utf8(&bytes).is_ok();
    if encoding == Encoding::Utf8 || bytes.contains(&0) || (utf8 && encoding == Encoding::Detect) {
        return source::decode_text(bytes);
    }
    let (text, _, malformed) = encoding_rs::GB18030.decode(&bytes);
    if malformed {
        // Neither UTF-8 nor GB18030: say where it stops being UTF-8.
        return source::decode_text(bytes);
    }
    Ok(text.into_owned())
}

/// The lines of a CSV text, ended by `\n`, `\r\n` or a lone `\r` (Excel on Windows writes
/// `\r\n`, old Mac software `\r`), as the CSV reader ends records.
struct Lines<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let ends = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends && i + 1 < bytes.len() {
                starts.push(i + 1);
            }
        }
        Lines { text, starts }
    }

    /// The 1-based line holding byte `offset`.
    fn line_of(&self, offset: u64) -> u64 {
        let mut offset = usize::try_from(offset).unwrap_or(usize::MAX);
        // The reader may place a record at the line end before it (the `\n` of `\r\n`).
        let bytes = self.text.as_bytes();
        while matches!(bytes.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        self.starts.partition_point(|&s| s <= offset) as u64
    }

    /// The text of 1-based line `line`, without its line end.
    fn text(&self, line: u64) -> &'a str {
        let Some(i) = (line as usize).checked_sub(1) else {
            return "";
        };
        let Some(&start) = self.starts.get(i) else {
            return "";
        };
        let end = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\r', '\n'])
    }
}

/// A character that shows nothing: zero-width spaces and joiners, a BOM, control characters.
fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}') || c.is_control()
}

/// The 1-based character column where field `index` of a CSV line starts.
fn field_column(line: &str, index: usize) -> u32 {
    let mut field = 0;
    let mut in_quotes = false;
    for (col, c) in line.chars().enumerate() {
        if field == index {
            return col as u32 + 1;
        }
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => field += 1,
            _ => {}
        }
    }
    line.chars().count() as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_with_lf_crlf_or_cr() {
        for text in [
            "a,b\nc,d\ne,f\n",
            "a,b\r\nc,d\r\ne,f\r\n",
            "a,b\rc,d\re,f\r",
        ] {
            let lines = Lines::new(text);
            let e = text.find('e').expect("e") as u64;
            assert_eq!(lines.line_of(e), 3, "{text:?}");
            assert_eq!(lines.text(3), "e,f", "{text:?}");
            assert_eq!(lines.line_of(0), 1);
            let before_c = text.find('c').expect("c") as u64 - 1;
            assert_eq!(lines.line_of(before_c), 2, "{text:?}");
            assert_eq!(lines.text(1), "a,b");
        }
    }
}

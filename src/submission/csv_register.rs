//! Registers given as CSV files (UTF-8, with or without a BOM): a header row naming the
//! columns (by name or by Chinese label), then one row per record.

use std::collections::HashMap;

use super::Table;
use super::value::convert_csv_cell;
use crate::diag::{Code, Diagnostic, Location, Sources, did_you_mean};
use crate::pack::Register;
use crate::source::{self, Confined, SourceError};
use crate::yaml::Pos;

/// Reads a CSV register. Problems go to `diagnostics`; the table is returned when there
/// were none.
pub fn read(
    csv: &Confined,
    name: &str,
    register: &Register,
    sources: &mut Sources,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Table> {
    let path = csv.path();
    // The BOM is not part of the first cell; the text kept for diagnostics has none either.
    let body = match source::read_confined(csv) {
        Ok(text) => text,
        Err(e) => {
            let not_utf8 = matches!(e, SourceError::NotUtf8 { .. });
            let mut d = e.diagnostic(path, &format!("the CSV file of register `{name}`"), sources);
            if not_utf8 {
                d.code = Code::Csv;
                d = d.with_help("save it as \"CSV UTF-8\"");
            }
            diagnostics.push(d);
            return None;
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
            return None;
        }
    };
    // Which dictionary column each CSV column holds.
    let mut mapping: Vec<Option<usize>> = Vec::with_capacity(headers.len());
    let mut seen: HashMap<usize, usize> = HashMap::new();
    let lines: Vec<&str> = body.lines().collect();
    for (i, header) in headers.iter().enumerate() {
        let header = header.trim();
        let column_index = register
            .columns
            .iter()
            .position(|(col_name, field)| col_name == header || field.label == header);
        let col = field_column(lines.first().copied().unwrap_or(""), i);
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
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
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
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let raw_line = lines
            .get(line.saturating_sub(1) as usize)
            .copied()
            .unwrap_or("");
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
    ok.then_some(table)
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

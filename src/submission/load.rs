//! Loading a submission file (YAML or JSON, registers inline or as CSV) against a pack.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use jiff::civil::Date;

use super::seed::{Document, DocumentSeed, Problem, RegisterInput};
use super::value::Raw;
use super::{Bureau, Submission, Table};
use super::{csv_register, workbook};
use crate::diag::{Code, Diagnostic, FileId, Location, Sources, Target};
use crate::pack::Pack;
use crate::source::{self, Confined, SourceError};
use crate::yaml;

/// A submission that cannot be assessed: every problem found, located in its files.
#[derive(Debug)]
pub struct SubmissionError {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads and validates the submission at `path`, a path the user named, against `pack`'s
/// data dictionary.
/// An XLSX workbook (the fill-in template of `kaohe template`, filled in) is recognised by
/// its content (a zip archive) or its `.xlsx` extension; anything else is YAML or JSON.
pub fn load(pack: &Pack, path: &Path) -> Result<Submission, SubmissionError> {
    let bytes = match source::read_submitted_bytes(path) {
        Ok(bytes) => bytes,
        Err(e) => return load_from(pack, path, Err(e)),
    };
    let xlsx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if xlsx || workbook::is_workbook(&bytes) {
        return load_workbook(pack, path, &bytes);
    }
    load_from(pack, path, source::decode_text(bytes))
}

/// Reads a filled-in workbook: the same document a YAML submission becomes, checked the
/// same way; problems are located by sheet, row, column and header.
fn load_workbook(pack: &Pack, path: &Path, bytes: &[u8]) -> Result<Submission, SubmissionError> {
    let mut sources = Sources::default();
    let file = sources.add(path, String::new());
    let read = match workbook::read(&pack.data, bytes) {
        Ok(read) => read,
        Err(message) => {
            let d = Diagnostic::error(Code::InvalidValue, Location { file, pos: None }, message);
            return Err(SubmissionError {
                sources,
                diagnostics: vec![d],
            });
        }
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let place = Place::Workbook {
        file,
        places: read.places,
    };
    let sheets = read.sheets;
    finish(pack, read.doc, read.problems, base, &mut sources, &place).map_err(|mut diagnostics| {
        diagnostics.sort_by_key(|d| workbook::order(&sheets, &d.message));
        SubmissionError {
            sources,
            diagnostics,
        }
    })
}

/// Reads and validates a submission named inside another file (a pack test case), confined
/// to that file's folder.
pub fn load_confined(pack: &Pack, file: &Confined) -> Result<Submission, SubmissionError> {
    let path = file.path();
    let bytes = match source::read_confined_bytes(file) {
        Ok(bytes) => bytes,
        Err(e) => return load_from(pack, path, Err(e)),
    };
    let xlsx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if xlsx || workbook::is_workbook(&bytes) {
        return load_workbook(pack, path, &bytes);
    }
    load_from(pack, path, source::decode_text(bytes))
}

fn load_from(
    pack: &Pack,
    path: &Path,
    read: Result<String, SourceError>,
) -> Result<Submission, SubmissionError> {
    let mut sources = Sources::default();
    let fail = |sources: Sources, diagnostics: Vec<Diagnostic>| SubmissionError {
        sources,
        diagnostics,
    };
    let text = match read {
        Ok(text) => text,
        Err(e) => {
            let d = e.diagnostic(path, "the submission", &mut sources);
            return Err(fail(sources, vec![d]));
        }
    };
    let file = sources.add(path, text);
    let body = sources.file(file).text.as_str();
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let problems = RefCell::new(Vec::new());
    let seed = DocumentSeed {
        dict: &pack.data,
        problems: &problems,
    };
    let parsed = if is_json {
        match too_deep(body) {
            Some(pos) => Err((
                Some(pos),
                format!(
                    "the document nests too deep {}",
                    crate::limits::Limit::Depth.hint()
                ),
            )),
            None => read_json(body, seed),
        }
    } else {
        yaml::deserialize_seed(body, seed).map_err(|e| (e.pos, e.message))
    };
    let doc = match parsed {
        Ok(doc) => doc,
        // A well-formed document that is not a mapping is not a submission at all (a file
        // named by mistake, or on purpose): say so in one line, quoting nothing of it.
        Err(_) if let Some(kind) = yaml::non_mapping_root(body) => {
            let d = Diagnostic::error(
                Code::WrongType,
                Location { file, pos: None },
                format!(
                    "the file is not a submission: it holds {kind}, not a mapping of `bureau`, `year`, `facts`, ..."
                ),
            );
            return Err(fail(sources, vec![d]));
        }
        Err((pos, message)) => {
            let code = if is_json {
                Code::JsonSyntax
            } else {
                Code::YamlSyntax
            };
            let d = Diagnostic::error(code, Location { file, pos }, message);
            return Err(fail(sources, vec![d]));
        }
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let place = Place::File(file);
    match finish(pack, doc, problems.into_inner(), base, &mut sources, &place) {
        Ok(s) => Ok(s),
        Err(diagnostics) => Err(fail(sources, diagnostics)),
    }
}

/// Where a submission was written, for locating its problems.
enum Place {
    /// A file of its own (parsed again, with positions, only when there are problems).
    File(FileId),
    /// Inline in a file already parsed (a pack test case), at a JSON pointer.
    Inline { file: FileId, pointer: String },
    /// A workbook: each pointer's cell, named in the message.
    Workbook {
        file: FileId,
        places: workbook::Places,
    },
}

/// Reads a submission written inline in another YAML file (`node`, found at `pointer` in
/// `file`, whose tree `sources` holds). CSV paths are relative to `base` and confined to it.
pub fn load_inline(
    pack: &Pack,
    node: &yaml::Node,
    sources: &mut Sources,
    file: FileId,
    pointer: &str,
    base: &Path,
) -> Result<Submission, Vec<Diagnostic>> {
    let text = node.to_json().to_string();
    let problems = RefCell::new(Vec::new());
    let seed = DocumentSeed {
        dict: &pack.data,
        problems: &problems,
    };
    let place = Place::Inline {
        file,
        pointer: pointer.to_string(),
    };
    match read_json(&text, seed) {
        Ok(doc) => finish(pack, doc, problems.into_inner(), base, sources, &place),
        Err((_, message)) => Err(vec![Diagnostic::error(
            Code::InvalidValue,
            Location {
                file,
                pos: sources.locate(file, pointer, Target::Value),
            },
            message,
        )]),
    }
}

/// Checks what the seed could not (header, required data, keys), reads CSV registers, and
/// builds the submission, or locates every problem found.
fn finish(
    pack: &Pack,
    doc: Document,
    mut problems: Vec<Problem>,
    base: &Path,
    sources: &mut Sources,
    place: &Place,
) -> Result<Submission, Vec<Diagnostic>> {
    // Only the bureau and the year are needed: an absent fact or register, required or
    // not, is missing data that the assessment lists (缺报清单), never an error.
    let header = header(&doc, &mut problems);
    ratios(pack, &doc, &mut problems);
    self_scores(pack, &doc, &mut problems);
    let mut diagnostics = Vec::new();
    let registers = registers(
        pack,
        doc.registers,
        base,
        sources,
        &mut problems,
        &mut diagnostics,
    );
    if !problems.is_empty() {
        locate(sources, place, problems, &mut diagnostics);
    }
    crate::diag::sort(&mut diagnostics);
    match header {
        Some((bureau, year, assessed_on)) if diagnostics.is_empty() => Ok(Submission {
            bureau,
            year,
            assessed_on,
            facts: doc.facts,
            registers,
            evidence: doc.evidence,
            departments: doc.departments,
            self_scores: doc.self_scores,
        }),
        _ => Err(diagnostics),
    }
}

/// Where a JSON text first nests deeper than `--max-depth`, as deep as YAML files may
/// (brackets in strings aside).
fn too_deep(body: &str) -> Option<yaml::Pos> {
    too_deep_within(body, crate::limits::get().depth)
}

fn too_deep_within(body: &str, max_depth: usize) -> Option<yaml::Pos> {
    // Brackets and quotes are ASCII, and no byte of a multi-byte UTF-8 character is: the
    // scan goes by bytes, jumps over the inside of strings with memchr, and counts lines
    // and characters only where it stops.
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'"' => {
                at += 1;
                // To the closing quote, over escapes (a backslash and the byte after it).
                loop {
                    at = at.min(bytes.len());
                    match memchr::memchr2(b'"', b'\\', &bytes[at..]) {
                        Some(k) if bytes[at + k] == b'\\' => at += k + 2,
                        Some(k) => {
                            at += k;
                            break;
                        }
                        // Unterminated: nothing after it is structure.
                        None => return None,
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    let before = &body[..at];
                    let line = before.matches('\n').count() as u32 + 1;
                    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32;
                    return Some(yaml::Pos {
                        line,
                        col: col + 1,
                        len: 1,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    None
}

fn read_json(body: &str, seed: DocumentSeed) -> Result<Document, (Option<yaml::Pos>, String)> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(body);
    let result = seed
        .deserialize(&mut de)
        .and_then(|doc| de.end().map(|_| doc));
    result.map_err(|e| {
        let pos = (e.line() > 0).then(|| yaml::Pos {
            line: e.line() as u32,
            col: crate::diag::char_column(body, e.line(), e.column()) as u32,
            len: 0,
        });
        let message = e.to_string();
        let message = match message.find(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        (pos, message)
    })
}

fn problem(pointer: &str, at_key: bool, message: impl Into<String>) -> Problem {
    Problem {
        pointer: pointer.into(),
        at_key,
        message: message.into(),
        help: None,
        code: None,
    }
}

/// The bureau, year and assessment date (which may be absent: see [`Submission::assessed_on`]).
fn header(doc: &Document, problems: &mut Vec<Problem>) -> Option<(Bureau, i32, Option<Date>)> {
    let mut bureau = Bureau::default();
    for (key, value) in &doc.bureau {
        let pointer = format!("/bureau/{key}");
        let text = match value {
            Raw::Str(s) => Some(s.clone()),
            Raw::Int(i) => Some(i.to_string()),
            _ => None,
        };
        match (key.as_str(), text) {
            // An empty entry (a template's blank) is no value.
            ("name" | "region_code" | "level", None) if *value == Raw::Null => {}
            ("name", Some(t)) => bureau.name = t,
            ("region_code", Some(t)) => bureau.region_code = Some(t),
            ("level", Some(t)) => bureau.level = Some(t),
            ("name" | "region_code" | "level", None) => problems.push(problem(
                &pointer,
                false,
                format!("expected text for `{key}`"),
            )),
            _ => {
                let mut p = problem(&pointer, true, format!("unknown key `{key}`"));
                p.help = Some("a bureau has `name`, `region_code` and `level`".into());
                problems.push(p);
            }
        }
    }
    if doc.keys.contains("bureau")
        && bureau.name.trim().is_empty()
        && !problems.iter().any(|p| p.pointer == "/bureau")
    {
        problems.push(problem("/bureau", false, "the bureau has no `name`"));
    }
    for key in ["bureau", "year"] {
        if !doc.keys.contains(key) {
            problems.push(problem("", false, format!("missing required key `{key}`")));
        }
    }
    let year = match &doc.year {
        Some(Raw::Int(y)) if (1900..=2200).contains(y) => Some(*y as i32),
        // `2023.0` is the year 2023, as a JSON Schema integer is.
        Some(Raw::Float(y)) if y.fract() == 0.0 && (1900.0..=2200.0).contains(y) => Some(*y as i32),
        Some(other) => {
            problems.push(problem(
                "/year",
                false,
                format!(
                    "`year` must be a year such as 2024, not {}",
                    other.describe()
                ),
            ));
            None
        }
        None => None,
    };
    let assessed_on = match &doc.assessed_on {
        Some(Raw::Str(s)) => match crate::text::parse_date(s) {
            Some(d) => Some(d),
            None => {
                problems.push(problem(
                    "/assessed_on",
                    false,
                    format!("`{s}` is not a date `YYYY-MM-DD` that exists"),
                ));
                None
            }
        },
        // `null` is no value, as for a fact: no assessment date.
        Some(Raw::Null) | None => None,
        Some(other) => {
            problems.push(problem(
                "/assessed_on",
                false,
                format!("expected a date `YYYY-MM-DD`, found {}", other.describe()),
            ));
            None
        }
    };
    let year = year?;
    let given = !matches!(doc.assessed_on, None | Some(Raw::Null));
    if given && assessed_on.is_none() {
        return None;
    }
    let Some(assessed_on) = assessed_on else {
        return Some((bureau, year, None));
    };
    if !assessed_in_time(year, assessed_on) {
        let mut p = problem(
            "/assessed_on",
            false,
            format!(
                "`{assessed_on}` is not in the assessment year {year} or the two years after it"
            ),
        );
        p.help = Some(format!(
            "the assessment of {year} happens after the year's data is in: between {year}-01-01 and {}-12-31",
            year + 2
        ));
        problems.push(p);
        return None;
    }
    Some((bureau, year, Some(assessed_on)))
}

/// Whether an assessment on `on` can be of the year `year`: from the year's first day to
/// the end of the second year after it.
fn assessed_in_time(year: i32, on: Date) -> bool {
    let y = i32::from(on.year());
    (year..=year + 2).contains(&y)
}

/// Every self-score names an item of the pack and is a score: not negative, not NaN.
fn self_scores(pack: &Pack, doc: &Document, problems: &mut Vec<Problem>) {
    for (item, score) in &doc.self_scores {
        let pointer = format!("/self_scores/{}", crate::text::pointer_segment(item));
        if pack.item(item).is_none() {
            let mut p = problem(
                &pointer,
                true,
                format!("unknown item `{item}` in `self_scores`"),
            );
            p.help = crate::diag::did_you_mean(item, pack.items.iter().map(|i| i.id.as_str()))
                .map(|s| format!("did you mean `{s}`?"));
            problems.push(p);
        }
        if !score.is_finite() {
            problems.push(problem(
                &pointer,
                false,
                format!("expected a score, found `{score}`"),
            ));
        } else if *score < 0.0 {
            problems.push(problem(
                &pointer,
                false,
                format!("a self-score cannot be negative: `{score}`"),
            ));
        }
    }
}

/// A part cannot exceed its whole: the numerator of a `ratio` check is at most its
/// denominator, unless the check says `may_exceed`; a stated number meeting a requirement is
/// at most the stated total.
fn ratios(pack: &Pack, doc: &Document, problems: &mut Vec<Problem>) {
    let mut all = Vec::new();
    for item in &pack.items {
        item.check.parts_of_wholes(&mut all);
    }
    let facts = &pack.data.facts;
    let mut seen = std::collections::HashSet::new();
    for (part, whole) in all {
        if !seen.insert((part, whole)) {
            continue;
        }
        let value = |name: &str| {
            let (i, _, field) = facts.get_full(name)?;
            let v = doc.facts[i].as_ref()?;
            Some((v.as_f64()?, v, field))
        };
        let (Some((num, num_v, num_f)), Some((den, den_v, den_f))) = (value(part), value(whole))
        else {
            continue;
        };
        if num > den + 1e-9 {
            let mut p = problem(
                &format!("/facts/{}", crate::text::pointer_segment(part)),
                false,
                format!(
                    "`{num_v}` ({}) is more than `{den_v}` ({}), the whole it is part of",
                    num_f.label, den_f.label
                ),
            );
            p.help = Some(format!(
                "the share {part}/{whole} cannot exceed 100%; check both numbers"
            ));
            problems.push(p);
        }
    }
}

/// Reads CSV registers and checks every register's keys.
fn registers(
    pack: &Pack,
    inputs: Vec<Option<RegisterInput>>,
    base: &Path,
    sources: &mut Sources,
    problems: &mut Vec<Problem>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Option<Table>> {
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| {
            let (name, register) = pack.data.registers.get_index(i)?;
            match input? {
                RegisterInput::Csv(rel, encoding) => match source::confine(base, &rel) {
                    Ok(csv) => {
                        match csv_register::read(
                            &csv,
                            encoding,
                            name,
                            register,
                            sources,
                            diagnostics,
                        ) {
                            Ok(table) => table,
                            Err(e) => {
                                let what = format!("the CSV file `{rel}` of register `{name}`");
                                let mut p = problem(
                                    &format!("/registers/{name}"),
                                    false,
                                    e.describe(&what),
                                );
                                p.code = Some(Code::Io);
                                problems.push(p);
                                None
                            }
                        }
                    }
                    Err(e @ SourceError::Outside(_)) => {
                        let mut p = problem(&format!("/registers/{name}"), false, e.to_string());
                        p.help = Some(
                            "a CSV register is a file in the folder of the file that names it, \
                             or in a folder below it"
                                .into(),
                        );
                        problems.push(p);
                        None
                    }
                    Err(e) => {
                        let what = format!("the CSV file `{rel}` of register `{name}`");
                        let mut p =
                            problem(&format!("/registers/{name}"), false, e.describe(&what));
                        p.code = Some(Code::Io);
                        problems.push(p);
                        None
                    }
                },
                RegisterInput::Rows(table) => {
                    let key = register.columns.get_index_of(&register.key)?;
                    let mut first: HashMap<String, usize> = HashMap::new();
                    for (r, row) in table.rows.iter().enumerate() {
                        let pointer = format!("/registers/{name}/{r}");
                        match &row[key] {
                            None => problems.push(problem(
                                &pointer,
                                false,
                                format!("the row has no `{}`, the register's key", register.key),
                            )),
                            Some(v) => {
                                let text = v.to_string();
                                if let Some(f) = first.get(&text) {
                                    problems.push(problem(
                                        &format!("{pointer}/{}", register.key),
                                        false,
                                        format!("duplicate key `{text}` (first in row {})", f + 1),
                                    ));
                                } else {
                                    first.insert(text, r);
                                }
                            }
                        }
                    }
                    Some(table)
                }
            }
        })
        .collect()
}

/// Turns pointer-located problems into positioned diagnostics. The document is parsed once
/// more, with positions, only on this error path.
fn locate(sources: &mut Sources, place: &Place, problems: Vec<Problem>, out: &mut Vec<Diagnostic>) {
    let (file, prefix) = match place {
        Place::File(file) => {
            let text = sources.file(*file).text.clone();
            if let Ok(root) = yaml::parse_for_positions(&text) {
                sources.set_root(*file, root);
            }
            (*file, "")
        }
        Place::Inline { file, pointer } => (*file, pointer.as_str()),
        Place::Workbook { file, places } => {
            for mut p in problems {
                p.message = first_row_in_sheet(places, &p.pointer, p.message);
                let message = match cell_of(places, &p.pointer) {
                    Some(cell) => format!("{cell}: {}", p.message),
                    None => p.message,
                };
                let mut d = Diagnostic::error(
                    p.code.unwrap_or(Code::InvalidValue),
                    Location {
                        file: *file,
                        pos: None,
                    },
                    message,
                );
                d.help = p.help;
                out.push(d);
            }
            return;
        }
    };
    for p in problems {
        let target = if p.at_key {
            Target::LastKey
        } else {
            Target::Value
        };
        let pos = sources.locate(file, &format!("{prefix}{}", p.pointer), target);
        let written = pos.and_then(|pos| token(sources.file(file), pos));
        let message = match written {
            Some(token) if !p.at_key => as_written(&p.message, token),
            _ => p.message,
        };
        let code = p.code.unwrap_or(Code::InvalidValue);
        let mut d = Diagnostic::error(code, Location { file, pos }, message);
        d.help = p.help;
        out.push(d);
    }
}

/// A duplicate key's message names the first row by its place in the register (`first in
/// row 1`); in a workbook, that row's sheet row is meant.
fn first_row_in_sheet(places: &workbook::Places, pointer: &str, message: String) -> String {
    let Some((head, tail)) = message.split_once(" (first in row ") else {
        return message;
    };
    let Some(n) = tail.strip_suffix(')').and_then(|n| n.parse::<usize>().ok()) else {
        return message;
    };
    // `/registers/<name>/<row>/<key>` -> `/registers/<name>/<first row>`.
    let mut parts = pointer.splitn(4, '/').skip(1);
    let (Some("registers"), Some(name)) = (parts.next(), parts.next()) else {
        return message;
    };
    let first = format!("/registers/{name}/{}", n.saturating_sub(1));
    let first = places.get(&first);
    match first
        .as_deref()
        .and_then(|p| p.split(", row ").nth(1))
        .and_then(|r| r.split(',').next())
    {
        Some(row) => format!("{head} (first on row {row})"),
        None => message,
    }
}

/// The cell of a pointer, or of the nearest pointer above it that has one.
fn cell_of(places: &workbook::Places, pointer: &str) -> Option<String> {
    let mut p = pointer;
    loop {
        if let Some(cell) = places.get(p) {
            return Some(cell);
        }
        p = &p[..p.rfind('/')?];
    }
}

/// The text of the token at `pos`.
fn token(file: &crate::diag::SourceFile, pos: yaml::Pos) -> Option<&str> {
    let line = file.line(pos.line)?;
    let start = line
        .char_indices()
        .nth((pos.col as usize).checked_sub(1)?)
        .map(|(i, _)| i)?;
    let end = line[start..]
        .char_indices()
        .nth(pos.len as usize)
        .map_or(line.len(), |(i, _)| start + i);
    Some(&line[start..end])
}

/// The message with a number it quotes as the file wrote it: a number too large for an
/// integer is read as a float, which would echo `99999999999999999999` as
/// `100000000000000000000`.
fn as_written(message: &str, token: &str) -> String {
    let token = token.trim();
    let Ok(value) = token.parse::<f64>() else {
        return message.to_string();
    };
    let mut parts: Vec<&str> = message.split('`').collect();
    for (i, part) in parts.iter_mut().enumerate() {
        if i % 2 == 1 && *part != token && part.parse::<f64>() == Ok(value) {
            *part = token;
            break;
        }
    }
    parts.join("`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_echoed_as_written() {
        assert_eq!(
            as_written(
                "found number `100000000000000000000`",
                "99999999999999999999"
            ),
            "found number `99999999999999999999`"
        );
        assert_eq!(as_written("found `三`", "三"), "found `三`");
        let mut sources = crate::diag::Sources::default();
        let id = sources.add(
            std::path::Path::new("x.yaml"),
            "a:\n  b: 99999999999999999999\n".into(),
        );
        let pos = yaml::Pos {
            line: 2,
            col: 6,
            len: 20,
        };
        assert_eq!(token(sources.file(id), pos), Some("99999999999999999999"));
    }

    #[test]
    fn json_nesting_is_bounded() {
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(64), "]".repeat(64));
        assert_eq!(too_deep(&deep).map(|p| p.col), Some(70));
        let fine = format!(
            "{{\"a\": \"[[[[\", \"b\": {}{}}}",
            "[".repeat(63),
            "]".repeat(63)
        );
        assert_eq!(too_deep(&fine), None);
        // Escaped quotes and backslashes stay inside their string.
        let escaped = format!(
            "{{\"a\": \"\\\"[[\\\\\", \"b\": {}{}}}",
            "[".repeat(63),
            "]".repeat(63)
        );
        assert_eq!(too_deep(&escaped), None);
        let after = format!(
            "{{\"a\": \"\\\\\", \"b\": {}{}}}",
            "[".repeat(64),
            "]".repeat(64)
        );
        assert!(too_deep(&after).is_some());
        // An unterminated string hides the rest.
        assert_eq!(too_deep(&format!("{{\"a\": \"{}", "[".repeat(99))), None);
    }

    #[test]
    fn assessed_on_falls_in_the_year_or_the_two_after() {
        let d = |t: &str| crate::text::parse_date(t).expect("date");
        assert!(assessed_in_time(2023, d("2024-03-20")));
        assert!(assessed_in_time(2023, d("2023-01-01")));
        assert!(assessed_in_time(2023, d("2025-12-31")));
        assert!(!assessed_in_time(2023, d("2019-03-20")));
        assert!(!assessed_in_time(2023, d("2022-12-31")));
        assert!(!assessed_in_time(2023, d("2026-01-01")));
    }
}

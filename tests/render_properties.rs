//! Property tests of every renderer over hostile submitted text.
//!
//! `fixtures/hostile-text/submission.yaml` with every free-text field that reaches an output
//! replaced by generated strings: the bureau's name, the people of its departments (the
//! rectification tasks' owners), every evidence document's title, and every text column of
//! every inline register row (the rows' keys — school names, document numbers, case numbers
//! — and their notes and reasons). The strings mix C0/C1 control characters, ESC sequences
//! (CSI, OSC 8 links), bidi overrides and isolates, zero-width characters, Markdown and HTML
//! syntax, quotes, line breaks, tabs, formula starters (`=`, `+`, `-`, `@`, `\t=`, `\r=`,
//! full-width `＝`), long strings and Chinese text. For each submission:
//!
//! - the text report, the scoring sheet, an item's explanation and a comparison of packs
//!   hold no control character but the line break, and no bidi control;
//! - the Markdown (the gap report with its sheet, the rectification list, its follow-up,
//!   a comparison of packs, the round's summary) has the same number of cells in every row of a table, no raw line break in a
//!   row, and no line whose block syntax (heading, list item, quote, code, rule) comes from
//!   submitted text;
//! - the round's HTML summary (with the bureau's part) has the same tags and attributes, in
//!   the same order, as for the same strings without `<`, `>`, `&` and quotes, and shows the
//!   bureau's name as text;
//! - no cell of a CSV (the rectification list, the round's ranking) or of a workbook (the
//!   rectification list, its follow-up, the round's summary, the fill-in template of the
//!   submission, read back with calamine) starts like a formula;
//! - the assessment's JSON gives back the submitted strings it holds (the bureau's name, the
//!   keys of failing rows, the people responsible for tasks) exactly, and the round's and
//!   a comparison's JSON the bureau's name.
//!
//! [`CASES`] cases from a fixed seed (no persistence file); `PROPTEST_CASES=<n>` and
//! `PROPTEST_RNG_SEED=<n>` explore beyond them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kaohe::assess::{Assessment, Options, assess, pack_digest};
use kaohe::pack::{FieldType, Pack};
use kaohe::report;
use proptest::prelude::*;
use proptest::test_runner::{RngSeed, TestCaseError};
use serde_json::Value;

/// Cases per run: 96, about 0.3 s each in a debug build on a busy 2-core machine (a submission
/// loaded and assessed twice, every renderer run), so the file runs in well under a minute.
const CASES: u32 = 96;

const SEED: u64 = 0x7265_6e64_6572;

fn config() -> ProptestConfig {
    let env = ProptestConfig::default();
    let set = |name: &str| std::env::var_os(name).is_some();
    ProptestConfig {
        cases: if set("PROPTEST_CASES") {
            env.cases
        } else {
            CASES
        },
        rng_seed: if set("PROPTEST_RNG_SEED") {
            env.rng_seed
        } else {
            RngSeed::Fixed(SEED)
        },
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..env
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The pieces hostile strings are made of.
const ATOMS: &[&str] = &[
    // C0 and C1 control characters, and DEL.
    "\u{1}",
    "\u{7}",
    "\u{8}",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\u{b}",
    "\u{c}",
    "\u{1b}",
    "\u{7f}",
    "\u{85}",
    "\u{9b}",
    // ESC sequences: CSI, OSC 8 (a terminal hyperlink), a title.
    "\u{1b}[31m",
    "\u{1b}[2J",
    "\u{9b}1m",
    "\u{1b}]8;;http://example.com\u{7}链接\u{1b}]8;;\u{7}",
    "\u{1b}]0;pwned\u{1b}\\",
    // Bidi overrides and isolates, zero-width characters.
    "\u{202a}",
    "\u{202b}",
    "\u{202c}",
    "\u{202d}",
    "\u{202e}",
    "\u{2066}",
    "\u{2067}",
    "\u{2068}",
    "\u{2069}",
    "\u{200b}",
    "\u{200c}",
    "\u{200d}",
    "\u{2060}",
    "\u{feff}",
    // Markdown.
    "|",
    "#",
    "# ",
    "## 标题",
    "*",
    "* ",
    "**粗**",
    "_",
    "__",
    "`",
    "```",
    "~~~",
    "~~删~~",
    "[",
    "]",
    "[链](http://x)",
    "![图](x.png)",
    "> ",
    "- ",
    "+ ",
    "1. ",
    "2) ",
    "---",
    "===",
    "    ",
    "\\",
    // HTML.
    "<",
    ">",
    "&",
    "\"",
    "'",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\" onmouseover=\"alert(1)",
    "' onfocus='alert(1)",
    "<!--",
    "-->",
    "<!-- kaohe:bureaus -->",
    "</td></tr></table>",
    "&amp;",
    "&#60;",
    "{{ 1 }}",
    // Formulas.
    "=",
    "+",
    "-",
    "@",
    "\t=",
    "\r=",
    "＝",
    "＋",
    "－",
    "＠",
    "=HYPERLINK(\"http://example.com\",\"点\")",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
    // Plain text.
    "南岭县",
    "第一中学",
    "教育局",
    "法治副校长",
    " ",
    "\u{3000}",
    "a",
    "2024",
];

/// A hostile string: a few atoms, now and then repeated into a long one.
fn hostile() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(ATOMS), 1..7),
        prop::sample::select(&[1usize, 1, 1, 1, 1, 1, 1, 40][..]),
    )
        .prop_map(|(atoms, times)| {
            let mut s = atoms.concat().repeat(times);
            // A name or a key of nothing but white space and control characters is refused
            // when the submission is read.
            if !s.chars().any(|c| !c.is_whitespace() && !c.is_control()) {
                s.push('甲');
            }
            s
        })
}

struct Base {
    pack: Pack,
    digest: String,
    submission: Value,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let pack = kaohe::pack::load(&root().join("rules/edu-rule-of-law"))
            .expect("the shipped pack")
            .pack
            .expect("valid");
        let digest = pack_digest(&pack);
        let text = std::fs::read_to_string(root().join("fixtures/hostile-text/submission.yaml"))
            .expect("the hostile fixture");
        let submission = kaohe::yaml::parse(&text).expect("parses").to_json();
        Base {
            pack,
            digest,
            submission,
        }
    })
}

/// A submission and its CSV register (`enforcement_officers.csv`).
struct Hostile {
    submission: Value,
    csv: Vec<u8>,
}

/// The submission with the strings in every free-text field, and the strings it holds.
fn hostile_submission(strings: &[String]) -> (Hostile, Vec<String>) {
    let b = base();
    let mut sub = b.submission.clone();
    let next = std::cell::Cell::new(0);
    let used = std::cell::RefCell::new(Vec::new());
    let take = |suffix: Option<String>| {
        let mut s = strings[next.get() % strings.len()].clone();
        next.set(next.get() + 1);
        if let Some(suffix) = suffix {
            s.push_str(&suffix);
        }
        used.borrow_mut().push(s.clone());
        Value::String(s)
    };
    sub["bureau"]["name"] = take(None);
    if let Some(departments) = sub["departments"].as_object_mut() {
        for person in departments.values_mut() {
            *person = take(None);
        }
    }
    if let Some(evidence) = sub["evidence"].as_object_mut() {
        for documents in evidence.values_mut() {
            *documents = Value::Array(vec![take(None), take(Some("（2）".into()))]);
        }
    }
    for (name, register) in &b.pack.data.registers {
        let Some(rows) = sub
            .get_mut("registers")
            .and_then(|r| r.get_mut(name))
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for (r, row) in rows.iter_mut().enumerate() {
            let Some(row) = row.as_object_mut() else {
                continue;
            };
            for (column, field) in &register.columns {
                if field.ty != FieldType::String {
                    continue;
                }
                // A key stays unique: its row's number after the string.
                let suffix = (*column == register.key).then(|| format!("（{r}）"));
                if row.contains_key(column) || suffix.is_some() {
                    row.insert(column.clone(), take(suffix));
                }
            }
        }
    }
    // The CSV register as it is (its cells may hold no control character), its keys kept.
    let csv = std::fs::read(root().join("fixtures/hostile-text/enforcement_officers.csv"))
        .expect("the CSV register");
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let key = &b.pack.data.registers["enforcement_officers"].key;
    let at = reader
        .headers()
        .expect("a header")
        .iter()
        .position(|h| h == key)
        .expect("the key column");
    for record in reader.records() {
        let record = record.expect("a CSV row");
        used.borrow_mut().push(record[at].to_string());
    }
    (
        Hostile {
            submission: sub,
            csv,
        },
        used.into_inner(),
    )
}

/// Writes the submission and its CSV register into `dir`.
fn write_submission(dir: &Path, h: &Hostile) -> PathBuf {
    std::fs::write(dir.join("enforcement_officers.csv"), &h.csv).expect("write");
    let path = dir.join("submission.json");
    std::fs::write(&path, serde_json::to_string(&h.submission).expect("JSON")).expect("write");
    path
}

fn load(path: &Path) -> kaohe::submission::Submission {
    match kaohe::submission::load(&base().pack, path) {
        Ok(s) => s,
        Err(e) => panic!(
            "the submission must load:\n{}",
            kaohe::diag::render_human(&e.sources, &e.diagnostics, false)
        ),
    }
}

/// What a round over the one submission writes: Markdown, JSON, CSV, XLSX and HTML.
struct RoundFiles {
    md: String,
    json: String,
    csv: Vec<u8>,
    xlsx: Vec<u8>,
    html: String,
}

fn round(dir: &Path, path: &Path) -> RoundFiles {
    let b = base();
    let bureaus = dir.join("bureaus");
    std::fs::create_dir_all(&bureaus).expect("mkdir");
    let parts = kaohe::round::Parts::create(&dir.join("parts")).expect("parts");
    let tick = || {};
    let settings = kaohe::round::Settings {
        waivers: &[],
        bureaus_dir: &bureaus,
        files: kaohe::round::Files {
            md: false,
            json: false,
            xlsx: false,
        },
        parts: &parts,
        sheet: false,
        strict: false,
        jobs: Some(1),
        tick: &tick,
    };
    let paths = vec![path.to_path_buf()];
    let results = kaohe::round::run(&b.pack, &paths, &settings).expect("the round runs");
    assert_eq!(results.assessed.len(), 1, "{:?}", results.skipped);
    let summary = kaohe::round::summarize(&b.pack, 1, results);
    let mut html = Vec::new();
    report::round::html(&summary, &parts, &mut html).expect("html");
    RoundFiles {
        md: report::round::markdown(&summary),
        json: report::round::json(&summary),
        csv: report::round::csv(&summary).expect("csv"),
        xlsx: report::round::xlsx(&summary).expect("xlsx"),
        html: String::from_utf8(html).expect("UTF-8"),
    }
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// A text report: no control character but the line break, no bidi control.
fn check_text(what: &str, text: &str) -> Result<(), TestCaseError> {
    if let Some((line, c)) = text.lines().enumerate().find_map(|(n, l)| {
        l.chars()
            .find(|&c| c.is_control() || is_bidi(c))
            .map(|c| (n, c))
    }) {
        return Err(TestCaseError::fail(format!(
            "{what}: line {}: {:?} in {:?}",
            line + 1,
            c,
            text.lines().nth(line)
        )));
    }
    if text.contains('\r') {
        return Err(TestCaseError::fail(format!("{what}: a carriage return")));
    }
    Ok(())
}

/// The `|` of a Markdown line that are not escaped with `\`.
fn pipes(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    count
}

/// Whether a Markdown line (after its indentation and list marker) starts a block: a
/// heading, a list item, a quote, a code fence or indented code, a rule. (A line of `=`
/// underlines a heading only under a line of text, which a submitted string never is.)
fn starts_block(rest: &str) -> Option<&'static str> {
    let ordered = {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        (1..=9).contains(&digits)
            && rest[digits..].starts_with(['.', ')'])
            && rest[digits + 1..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t')
    };
    let bullet = rest.starts_with(['-', '+', '*'])
        && rest[1..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ' || c == '\t');
    if ordered || bullet {
        Some("a list item")
    } else if rest.starts_with('#') {
        Some("a heading")
    } else if rest.starts_with('>') {
        Some("a quote")
    } else if rest.starts_with("```") || rest.starts_with("~~~") {
        Some("a code fence")
    } else if rest.starts_with('\t') || rest.starts_with("    ") {
        Some("indented code")
    } else if !rest.is_empty() && rest.chars().all(|c| matches!(c, '-' | '*' | '_' | ' ')) {
        Some("a rule")
    } else if rest.starts_with('<') {
        Some("HTML")
    } else {
        None
    }
}

/// A Markdown document: tables keep their cells, lines their block syntax.
fn check_markdown(what: &str, md: &str) -> Result<(), TestCaseError> {
    let fail = |n: usize, line: &str, why: String| {
        Err(TestCaseError::fail(format!(
            "{what}: line {}: {why}: {line:?}",
            n + 1
        )))
    };
    let mut columns: Option<usize> = None;
    for (n, line) in md.lines().enumerate() {
        if line.contains('\r') {
            return fail(n, line, "a carriage return".into());
        }
        if line.starts_with('|') {
            let count = pipes(line);
            if !line.ends_with('|') || line.ends_with("\\|") {
                return fail(n, line, "a table row that does not end with `|`".into());
            }
            match columns {
                None => columns = Some(count),
                Some(c) if c != count => {
                    return fail(n, line, format!("{count} `|` in a table of {c}"));
                }
                Some(_) => {}
            }
            continue;
        }
        if columns.take().is_some() && !line.trim().is_empty() {
            return fail(n, line, "a table row cut by a line break".into());
        }
        if line.starts_with('#') {
            // The template's headings: `#` to `######` and a space.
            let hashes = line.bytes().take_while(|&b| b == b'#').count();
            if hashes > 6 || !line[hashes..].starts_with(' ') {
                return fail(n, line, "a heading the template does not write".into());
            }
            continue;
        }
        // The template's own list items (`- `, nested `  - `) and quotes (`> `).
        let rest = line.trim_start_matches(' ');
        let rest = rest
            .strip_prefix("- ")
            .or_else(|| rest.strip_prefix("> "))
            .unwrap_or(rest);
        if rest.len() < line.len()
            && let Some(block) = starts_block(rest)
        {
            return fail(n, line, format!("submitted text starts {block}"));
        }
        if rest.len() == line.len()
            && !line.is_empty()
            && let Some(block) = starts_block(line)
        {
            return fail(n, line, format!("a line of text starts {block}"));
        }
    }
    Ok(())
}

/// Whether a spreadsheet would run a cell as a formula: its first character, after any
/// white space, is `=`, `+`, `-` or `@` (or their full-width forms), and it is not a number.
fn runs_as_formula(cell: &str) -> bool {
    let start = cell.trim_start();
    start.starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠'])
        && start.trim().parse::<f64>().is_err()
}

fn check_csv(what: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let text = std::str::from_utf8(bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    for (r, record) in reader.records().enumerate() {
        let record = record.map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
        if let Some(cell) = record.iter().find(|c| runs_as_formula(c)) {
            return Err(TestCaseError::fail(format!(
                "{what}: row {}: a formula: {cell:?}",
                r + 1
            )));
        }
    }
    Ok(())
}

fn check_xlsx(what: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
    for sheet in book.sheet_names().to_vec() {
        let range = book
            .worksheet_range(&sheet)
            .map_err(|e| TestCaseError::fail(format!("{what}: {sheet}: {e}")))?;
        for (r, row) in range.rows().enumerate() {
            for cell in row {
                if let calamine::Data::String(s) = cell
                    && runs_as_formula(s)
                {
                    return Err(TestCaseError::fail(format!(
                        "{what}: sheet {sheet}, row {}: a formula: {s:?}",
                        r + 1
                    )));
                }
            }
        }
    }
    Ok(())
}

/// An HTML document's tags, in order: `<name attr attr>` and `</name>`, comments as
/// `<!-->`; the text of `<script>` and `<style>` is skipped. With the text between tags,
/// entities decoded.
fn html_tokens(html: &str) -> (Vec<String>, Vec<String>) {
    let mut tags = Vec::new();
    let mut texts = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        texts.push(decode(&rest[..at]));
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("<!--") {
            tags.push("<!-->".to_string());
            rest = after.split_once("-->").map_or("", |(_, r)| r);
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[1..end.saturating_sub(1).max(1)];
        rest = &rest[end..];
        let closing = tag.starts_with('/');
        let body = tag.trim_start_matches('/');
        let name: String = body
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
            .collect::<String>()
            .to_ascii_lowercase();
        let mut shown = format!("<{}{name}", if closing { "/" } else { "" });
        for attr in attribute_names(&body[name.len()..]) {
            shown.push(' ');
            shown.push_str(&attr);
        }
        shown.push('>');
        tags.push(shown);
        if !closing && (name == "script" || name == "style") {
            let close = format!("</{name}");
            rest = rest.find(&close).map_or("", |i| &rest[i..]);
        }
    }
    texts.push(decode(rest));
    (tags, texts)
}

/// Where the tag that starts `s` ends (just past its `>`), quotes respected.
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

fn attribute_names(s: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == '/').is_some() {}
        let name: String =
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=' && *c != '/'))
                .collect();
        if name.is_empty() {
            break;
        }
        names.push(name.to_ascii_lowercase());
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next_if_eq(&'=').is_some() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            match chars.peek() {
                Some(&q @ ('"' | '\'')) => {
                    chars.next();
                    for c in chars.by_ref() {
                        if c == q {
                            break;
                        }
                    }
                }
                _ => while chars.next_if(|c| !c.is_whitespace()).is_some() {},
            }
        }
    }
    names
}

/// The text of HTML with its character references decoded.
fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|&e| e < 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The HTML summary: the same tags as for the strings without markup; the name as text.
fn check_html(hostile: &str, plain: &str, name: &str) -> Result<(), TestCaseError> {
    let (tags, texts) = html_tokens(hostile);
    let (expected, _) = html_tokens(plain);
    if let Some(i) = (0..tags.len().max(expected.len())).find(|&i| tags.get(i) != expected.get(i)) {
        return Err(TestCaseError::fail(format!(
            "summary.html: tag {i} is {:?} where the template writes {:?}",
            tags.get(i),
            expected.get(i)
        )));
    }
    if !hostile.trim_end().ends_with("</html>") {
        return Err(TestCaseError::fail("summary.html: cut short"));
    }
    let shown = texts.iter().any(|t| t.contains(name.trim()));
    prop_assert!(
        shown,
        "summary.html does not show the name {name:?} as text"
    );
    Ok(())
}

/// Every string of a JSON document.
fn json_strings(v: &Value, out: &mut HashSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| json_strings(x, out)),
        _ => {}
    }
}

/// The submitted strings an assessment's JSON gives: the bureau's name, the keys of failing
/// rows, the people responsible for the tasks.
fn submitted_in_json(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| submitted_in_json(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                match (k.as_str(), x) {
                    ("failing", Value::Array(rows)) => out.extend(
                        rows.iter()
                            .filter_map(|r| r["key"].as_str().map(String::from)),
                    ),
                    ("rectification", r) => {
                        out.extend(r["responsible"].as_str().map(String::from));
                    }
                    ("submission", s) => out.extend(s["bureau"]["name"].as_str().map(String::from)),
                    _ => {}
                }
                submitted_in_json(x, out);
            }
        }
        _ => {}
    }
}

/// The assessment's JSON: every submitted string it gives is one of the strings submitted,
/// exactly, and the bureau's name is among them.
fn check_assessment_json(json: &str, used: &[String]) -> Result<(), TestCaseError> {
    let value: Value = serde_json::from_str(json)
        .map_err(|e| TestCaseError::fail(format!("the assessment: not JSON: {e}")))?;
    let mut given = Vec::new();
    submitted_in_json(&value, &mut given);
    prop_assert!(given.len() > 1, "the assessment gives no row key nor owner");
    prop_assert_eq!(&given[0], &used[0]);
    if let Some(changed) = given.iter().find(|s| !used.contains(s)) {
        return Err(TestCaseError::fail(format!(
            "the assessment (json): {changed:?} is not a string submitted"
        )));
    }
    Ok(())
}

fn check_json(what: &str, json: &str, expected: &[String]) -> Result<(), TestCaseError> {
    let value: Value = serde_json::from_str(json)
        .map_err(|e| TestCaseError::fail(format!("{what}: not JSON: {e}")))?;
    let mut strings = HashSet::new();
    json_strings(&value, &mut strings);
    if let Some(missing) = expected.iter().find(|s| !strings.contains(*s)) {
        return Err(TestCaseError::fail(format!(
            "{what}: {missing:?} is not given back"
        )));
    }
    Ok(())
}

/// The strings without HTML's special characters.
fn without_markup(strings: &[String]) -> Vec<String> {
    strings
        .iter()
        .map(|s| s.replace(['<', '>', '&', '"', '\''], "x"))
        .collect()
}

fn every_renderer(strings: &[String]) -> Result<(), TestCaseError> {
    let b = base();
    let tmp = tempfile::tempdir().expect("temp dir");
    let (hostile, used) = hostile_submission(strings);
    let path = write_submission(tmp.path(), &hostile);
    let submission = load(&path);
    let a: Assessment = assess(
        &b.pack,
        &b.digest,
        &submission,
        &[],
        &[],
        Options::default(),
    );
    prop_assert!(a.render_errors.is_empty(), "{:?}", a.render_errors);

    // Text.
    check_text("the text report", &report::text_in(&a, 100))?;
    check_text("the scoring sheet", &report::sheet_text(&a, 100))?;
    for o in report::gaps(&a).iter().take(4) {
        let explained = report::explain(&a, &o.id, 100).expect("a known item");
        check_text(&format!("--explain {}", o.id), &explained)?;
    }

    // The rectification list.
    let list =
        kaohe::rectify::from_assessment(&a).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let md = report::markdown_with_sheet(&a).map_err(TestCaseError::fail)?;
    check_markdown("the Markdown report", &md)?;
    check_markdown(
        "the rectification list (md)",
        &report::rectify::markdown(&list),
    )?;
    check_csv(
        "the rectification list (csv)",
        &report::rectify::csv(&list).map_err(TestCaseError::fail)?,
    )?;
    check_xlsx(
        "the rectification list (xlsx)",
        &report::rectify::xlsx(&list).map_err(TestCaseError::fail)?,
    )?;
    check_xlsx(
        "the fill-in template",
        &report::template::xlsx(&b.pack, Some(&submission)).map_err(TestCaseError::fail)?,
    )?;
    check_assessment_json(&report::json(&a), &used)?;
    let list_json = serde_json::to_string_pretty(&list).expect("JSON");
    let back: Value = serde_json::from_str(&list_json).expect("the list's JSON");
    prop_assert_eq!(back, serde_json::to_value(&list).expect("JSON"));

    // The list as a follow-up ledger and a comparison of the pack with
    // itself.
    let ledger = kaohe::followup::from_list(&list);
    check_markdown("the follow-up (md)", &report::followup::markdown(&ledger))?;
    check_xlsx(
        "the follow-up (xlsx)",
        &report::followup::xlsx(&ledger).map_err(TestCaseError::fail)?,
    )?;
    let pairs = [kaohe::compare::Pair {
        file: "submission.json".into(),
        old: &a,
        new: &a,
    }];
    let comparison = kaohe::compare::compare(&b.pack, &b.pack, &pairs);
    check_text(
        "the comparison (text)",
        &report::compare::text(&comparison, 100),
    )?;
    check_markdown(
        "the comparison (md)",
        &report::compare::markdown(&comparison),
    )?;
    check_json(
        "the comparison (json)",
        &report::compare::json(&comparison),
        &used[..1],
    )?;

    // The round.
    let round_dir = tmp.path().join("round");
    let files = round(&round_dir, &path);
    check_markdown("the round's summary (md)", &files.md)?;
    check_csv("the round's summary (csv)", &files.csv)?;
    check_xlsx("the round's summary (xlsx)", &files.xlsx)?;
    check_json("the round's summary (json)", &files.json, &used[..1])?;

    let plain_dir = tmp.path().join("plain");
    std::fs::create_dir_all(&plain_dir).expect("mkdir");
    let (plain_sub, _) = hostile_submission(&without_markup(strings));
    let plain_path = write_submission(&plain_dir, &plain_sub);
    let plain = round(&plain_dir.join("round"), &plain_path);
    prop_assert!(
        html_tokens(&plain.html).0.len() > 100,
        "a page with its tables"
    );
    check_html(&files.html, &plain.html, &used[0])?;
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_renderer_keeps_submitted_text_as_text(
        strings in prop::collection::vec(hostile(), 6)
    ) {
        every_renderer(&strings)?;
    }
}

/// The fixture's own hostile strings, as a fixed case.
#[test]
fn the_fixtures_strings_are_kept_as_text() {
    let strings: Vec<String> = [
        "南岭\u{1b}[2J县|<script>alert(1)</script>\n# 标题\u{202e}",
        "龙晓峰\u{1b}[31m<b>&\n## 科",
        "大桥\u{1b}]0;pwned\u{7}小学|*粗*_x_[链](y)`c`\u{9b}",
        "记录\u{1b}[2J|<i>.pdf",
        "=HYPERLINK(\"http://example.com\")县教育局",
        "- 1. > ＝SUM(1)",
    ]
    .map(String::from)
    .to_vec();
    if let Err(e) = every_renderer(&strings) {
        panic!("{e}");
    }
}

/// The checks find what they look for.
#[test]
fn the_checks_catch_markup_and_formulas() {
    assert!(check_text("t", "a\u{1b}[2Jb").is_err());
    assert!(check_text("t", "a\u{202e}b").is_err());
    assert!(check_text("t", "a\nb").is_ok());
    assert!(check_markdown("m", "- \\- a\n").is_ok());
    assert!(check_markdown("m", "- - a\n").is_err());
    assert!(check_markdown("m", "- 1. a\n").is_err());
    assert!(check_markdown("m", "| a | b |\n|---|---|\n| x \\| y | z |\n").is_ok());
    assert!(check_markdown("m", "| a | b |\n|---|---|\n| x | y | z |\n").is_err());
    assert!(check_markdown("m", "| a | b |\n|---|---|\n| x\ny | z |\n").is_err());
    for formula in ["=1+1", "＝SUM(1)", "\t=1", " @A1", "-A1"] {
        assert!(runs_as_formula(formula), "{formula:?}");
    }
    for text in ["'=1+1", "-1.5", "+2", "南岭县"] {
        assert!(!runs_as_formula(text), "{text:?}");
    }
    let page = "<!DOCTYPE html><p title=\"a\">名</p><script>if (a < b) {}</script></html>";
    assert!(check_html(page, page, "名").is_ok());
    let injected =
        "<!DOCTYPE html><p title=\"a\">名<img src=x></p><script>if (a < b) {}</script></html>";
    assert!(check_html(injected, page, "名").is_err());
    let attribute =
        "<!DOCTYPE html><p title=\"a\" onclick=\"x\">名</p><script>if (a < b) {}</script></html>";
    assert!(check_html(attribute, page, "名").is_err());
    assert!(check_html(page, page, "别").is_err());
}

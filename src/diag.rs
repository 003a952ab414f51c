//! Diagnostics: located problems in source files, and their human, JSON and SARIF renderings.

use std::path::Path;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use crate::yaml::{Node, Pos};

mod code;

pub use code::Code;

/// Index of a file in [`Sources`].
pub type FileId = usize;

/// A file that diagnostics can point into.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user should see it (relative to the working directory when possible).
    pub path: String,
    pub text: String,
    /// The parsed YAML, when the file parsed.
    pub root: Option<Node>,
    /// Where each line starts, found the first time a line is shown.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    /// Line `number` (1-based), its lines ending with `\n`, `\r\n` or a lone `\r`; found
    /// through an index of the lines, so that showing every one of many problems stays
    /// linear in the file.
    pub fn line(&self, number: u32) -> Option<&str> {
        let starts = self.line_starts.get_or_init(|| line_starts(&self.text));
        let start = *starts.get((number as usize).checked_sub(1)?)?;
        let rest = &self.text[start..];
        Some(&rest[..rest.find(['\r', '\n']).unwrap_or(rest.len())])
    }
}

/// The byte offset where each line of `text` starts.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut at = 0;
    while let Some(k) = memchr::memchr2(b'\r', b'\n', &bytes[at..]) {
        let end = at + k;
        at = if bytes[end..].starts_with(b"\r\n") {
            end + 2
        } else {
            end + 1
        };
        starts.push(at);
    }
    starts
}

/// Every file read for one command, so diagnostics can show their lines.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, path: &Path, text: String) -> FileId {
        self.files.push(SourceFile {
            path: display_path(path),
            text,
            root: None,
            line_starts: std::sync::OnceLock::new(),
        });
        self.files.len() - 1
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    pub fn set_root(&mut self, id: FileId, root: Node) {
        self.files[id].root = Some(root);
    }

    /// The position of a JSON pointer in a file: its key (`Target::Key`) or its value.
    /// A pointer that runs past the tree lands on the deepest node found.
    pub fn locate(&self, id: FileId, pointer: &str, target: Target) -> Option<Pos> {
        let root = self.files.get(id)?.root.as_ref()?;
        let found = root.locate(pointer, target == Target::LastKey);
        Some(match target {
            Target::Key | Target::LastKey if found.complete => found.key.unwrap_or(found.value),
            _ => found.value,
        })
    }
}

/// Which part of a mapping entry a diagnostic points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Key,
    /// The key of the last entry of that name, where a file repeats it (a JSON reader lets
    /// repeated keys through).
    LastKey,
    Value,
}

/// The 1-based column, in characters, of serde_json's 1-based column in bytes on `line`
/// (diagnostics count characters).
pub fn char_column(body: &str, line: usize, byte_col: usize) -> usize {
    let Some(text) = body.split('\n').nth(line.saturating_sub(1)) else {
        return byte_col.max(1);
    };
    let mut end = byte_col.saturating_sub(1).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].chars().count() + 1
}

/// A path relative to the working directory when it is below it, with `/` separators.
pub fn display_path(path: &Path) -> String {
    let path = normalize(path);
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            path.strip_prefix(normalize(&cwd))
                .ok()
                .map(Path::to_path_buf)
        })
        .unwrap_or(path);
    let shown = shown.to_string_lossy().replace('\\', "/");
    if shown.is_empty() {
        // The current directory itself.
        ".".to_string()
    } else {
        shown
    }
}

/// Removes `.` and `name/..` from a path without touching the file system.
fn normalize(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: FileId,
    pub pos: Option<Pos>,
}

/// A secondary location that explains a diagnostic ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// One problem, aimed at the author of the file it points into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The class of the problem (SARIF `ruleId`).
    pub code: Code,
    pub message: String,
    pub location: Location,
    pub help: Option<String>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    pub fn error(code: Code, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location,
            help: None,
            related: Vec::new(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Related {
            location,
            message: message.into(),
        });
        self
    }
}

/// Sorts diagnostics by file order, then position, and drops exact repeats.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.location.file, a.location.pos, a.code.name(), &a.message).cmp(&(
            b.location.file,
            b.location.pos,
            b.code.name(),
            &b.message,
        ))
    });
    diagnostics.dedup();
}

/// `path:line:col` (or just `path` when the position is unknown).
pub fn location_text(sources: &Sources, location: &Location) -> String {
    let path = &sources.file(location.file).path;
    match location.pos {
        Some(p) => format!("{path}:{}:{}", p.line, p.col),
        None => path.clone(),
    }
}

/// Renders diagnostics for a terminal: `path:line:col: message`, then the source line with a
/// caret under the problem, then help and related locations.
pub fn render_human(sources: &Sources, diagnostics: &[Diagnostic], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = format!("{}: {}", location_text(sources, &d.location), d.message);
        let mut group = Group::with_title(level.primary_title(title).id(d.code.name()));
        let located = match snippet(sources, &d.location, "") {
            Some(snippet) => {
                group = group.element(snippet);
                true
            }
            None => false,
        };
        // Without a source line, the help belongs to the message itself.
        if let (false, Some(help)) = (located, &d.help) {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        let mut report: Vec<Group> = vec![group];
        for r in &d.related {
            let title = format!("{}: {}", location_text(sources, &r.location), r.message);
            let mut note = Group::with_title(Level::NOTE.secondary_title(title));
            if let Some(snippet) = snippet(sources, &r.location, "") {
                note = note.element(snippet);
            }
            report.push(note);
        }
        if let (true, Some(help)) = (located, &d.help) {
            report.push(Group::with_title(Level::HELP.secondary_title(help.clone())));
        }
        out.push_str(&renderer.render(&report));
        out.push_str("\n\n");
    }
    out
}

/// The one source line of a location, with a caret under the token.
fn snippet<'a>(
    sources: &'a Sources,
    location: &Location,
    label: &'a str,
) -> Option<Snippet<'a, annotate_snippets::Annotation<'a>>> {
    let pos = location.pos?;
    let file = sources.file(location.file);
    let line = file.line(pos.line)?;
    let start = char_to_byte(line, pos.col.saturating_sub(1) as usize);
    let token_chars = if pos.len == 0 { 1 } else { pos.len as usize };
    let mut end = char_to_byte(line, pos.col.saturating_sub(1) as usize + token_chars);
    if end <= start {
        end = (start + 1).min(line.len());
    }
    let end = end.min(line.len());
    let annotation = AnnotationKind::Primary.span(start..end.max(start));
    let annotation = if label.is_empty() {
        annotation
    } else {
        annotation.label(label)
    };
    Some(
        Snippet::source(line)
            .line_start(pos.line as usize)
            .annotation(annotation),
    )
}

fn char_to_byte(line: &str, chars: usize) -> usize {
    line.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(line.len())
}

/// One diagnostic in the JSON output of `kaohe check`.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub severity: Severity,
    pub code: Code,
    pub message: &'a str,
    pub file: &'a str,
    pub line: Option<u32>,
    pub column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
    /// Other places that explain the problem ("first defined here").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<JsonRelated<'a>>,
}

/// A related location of a [`JsonDiagnostic`].
#[derive(Debug, Serialize)]
pub struct JsonRelated<'a> {
    pub file: &'a str,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: &'a str,
}

/// The diagnostics of one pack as JSON values.
pub fn json_diagnostics<'a>(
    sources: &'a Sources,
    diagnostics: &'a [Diagnostic],
) -> Vec<JsonDiagnostic<'a>> {
    diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            severity: d.severity,
            code: d.code,
            message: &d.message,
            file: &sources.file(d.location.file).path,
            line: d.location.pos.map(|p| p.line),
            column: d.location.pos.map(|p| p.col),
            help: d.help.as_deref(),
            related: d
                .related
                .iter()
                .map(|r| JsonRelated {
                    file: &sources.file(r.location.file).path,
                    line: r.location.pos.map(|p| p.line),
                    column: r.location.pos.map(|p| p.col),
                    message: &r.message,
                })
                .collect(),
        })
        .collect()
}

/// SARIF 2.1.0, so CI systems annotate the pack's lines: one run over every pack checked.
pub fn render_sarif(reports: &[(&Sources, &[Diagnostic])]) -> String {
    use serde_sarif::sarif;

    // One rule per code used, in the order of their names; a result points at its rule by
    // index too.
    let mut codes: Vec<Code> = reports
        .iter()
        .flat_map(|(_, ds)| ds.iter().map(|d| d.code))
        .collect();
    codes.sort_unstable_by_key(|c| c.name());
    codes.dedup();
    let rules: Vec<sarif::ReportingDescriptor> = codes
        .iter()
        .map(|c| {
            sarif::ReportingDescriptor::builder()
                .id(c.name())
                .short_description(
                    sarif::MultiformatMessageString::builder()
                        .text(c.description())
                        .build(),
                )
                .build()
        })
        .collect();
    let results: Vec<sarif::Result> = reports
        .iter()
        .flat_map(|(sources, ds)| ds.iter().map(move |d| (*sources, d)))
        .map(|(sources, d)| {
            let physical = sarif_physical(sources, &d.location);
            let related: Vec<sarif::Location> = d
                .related
                .iter()
                .zip(0..)
                .map(|(r, id)| {
                    sarif::Location::builder()
                        .id(id)
                        .physical_location(sarif_physical(sources, &r.location))
                        .message(sarif::Message::builder().text(r.message.clone()).build())
                        .build()
                })
                .collect();
            let text = match &d.help {
                Some(h) => format!("{} (help: {h})", d.message),
                None => d.message.clone(),
            };
            let rule_index = codes.iter().position(|c| *c == d.code).unwrap_or_default();
            let mut result = sarif::Result::builder()
                .rule_id(d.code.name())
                .rule_index(rule_index as i64)
                .level(match d.severity {
                    Severity::Error => sarif::ResultLevel::Error,
                    Severity::Warning => sarif::ResultLevel::Warning,
                })
                .message(sarif::Message::builder().text(text).build())
                .locations(vec![
                    sarif::Location::builder()
                        .physical_location(physical)
                        .build(),
                ])
                .build();
            if !related.is_empty() {
                result.related_locations = Some(related);
            }
            result
        })
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("kaohe")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        // Columns count characters (`Position::col`), not UTF-16 code units.
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    if let Some(root) = srcroot_uri() {
        run.original_uri_base_ids = Some(std::collections::BTreeMap::from([(
            SRCROOT.to_string(),
            sarif::ArtifactLocation::builder().uri(root).build(),
        )]));
    }
    let log = sarif::Sarif::builder()
        .version(serde_json::json!("2.1.0"))
        .schema(sarif::SCHEMA_URL)
        .runs(vec![run])
        .build();
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// The base of the URIs of files under the current directory.
const SRCROOT: &str = "%SRCROOT%";

/// Characters a URI path keeps as they are: RFC 3986's unreserved ones and `/`.
const URI_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// A path as a `file://` URI: absolute, `/`-separated, percent-encoded, ending in `/` for a
/// directory when `dir`.
fn file_uri(path: &Path, dir: bool) -> String {
    let mut text = path.to_string_lossy().replace('\\', "/");
    if !text.starts_with('/') {
        // A Windows path (`C:/...`) becomes `file:///C:/...`.
        text.insert(0, '/');
    }
    if dir && !text.ends_with('/') {
        text.push('/');
    }
    format!(
        "file://{}",
        percent_encoding::utf8_percent_encode(&text, URI_PATH)
    )
}

/// The current directory as a `file://` URI: what `%SRCROOT%` stands for.
fn srcroot_uri() -> Option<String> {
    std::env::current_dir().ok().map(|cwd| file_uri(&cwd, true))
}

/// A SARIF artifact location for a file as `Sources` shows it: relative to `%SRCROOT%` when
/// it is under the current directory, else a `file://` URI; percent-encoded either way.
fn sarif_artifact(shown: &str) -> serde_sarif::sarif::ArtifactLocation {
    use serde_sarif::sarif;

    let path = Path::new(shown);
    let inside = path.is_relative()
        && !path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir));
    if inside && std::env::current_dir().is_ok() {
        return sarif::ArtifactLocation::builder()
            .uri(percent_encoding::utf8_percent_encode(shown, URI_PATH).to_string())
            .uri_base_id(SRCROOT)
            .build();
    }
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|cwd| normalize(&cwd.join(path)))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    sarif::ArtifactLocation::builder()
        .uri(file_uri(&absolute, false))
        .build()
}

/// A SARIF physical location: the file, and the line and column when known.
fn sarif_physical(sources: &Sources, location: &Location) -> serde_sarif::sarif::PhysicalLocation {
    use serde_sarif::sarif;

    let artifact = sarif_artifact(&sources.file(location.file).path);
    match location.pos {
        Some(p) => sarif::PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(
                sarif::Region::builder()
                    .start_line(i64::from(p.line))
                    .start_column(i64::from(p.col))
                    .build(),
            )
            .build(),
        None => sarif::PhysicalLocation::builder()
            .artifact_location(artifact)
            .build(),
    }
}

/// The candidate closest to `name`, when one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let len = name.chars().count();
    let limit = if len >= 5 { (len / 3).max(2) } else { 1 };
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, c)| {
            *d <= limit || (c.starts_with(name) && !name.is_empty()) || name.starts_with(c)
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_with_lf_crlf_or_cr() {
        let mut sources = Sources::default();
        let id = sources.add(Path::new("x.csv"), "a\nb\r\nc\rd".into());
        let file = sources.file(id);
        let lines: Vec<_> = (0..=5).map(|n| file.line(n)).collect();
        assert_eq!(
            lines,
            [None, Some("a"), Some("b"), Some("c"), Some("d"), None]
        );
        let id = sources.add(Path::new("y.csv"), "a\n".into());
        assert_eq!(sources.file(id).line(2), Some(""));
    }

    #[test]
    fn a_byte_column_counts_characters() {
        let text = "{\"a\": 1}\n{\"name\": \"某县\", x}";
        // `x` is byte 20 of line 2, character 16.
        assert_eq!(char_column(text, 2, 20), 16);
        assert_eq!(char_column(text, 1, 3), 3);
        // Inside a character: the character's own column.
        assert_eq!(char_column(text, 2, 12), 11);
        assert_eq!(char_column(text, 9, 4), 4);
    }
}

//! Waivers (豁免): approved exemptions of an item, or of some rows of an item, until a date.
//!
//! ```yaml
//! waivers:
//!   - item: LVP-01
//!     rows: [城关第三小学]        # optional: only these rows
//!     reason: 学校已撤并，待注销
//!     approved_by: 市教育局政策法规处
//!     expires_on: 2025-06-30
//! ```

use std::path::Path;

use jiff::civil::Date;
use serde::Serialize;

use crate::diag::{Code, Diagnostic, FileId, Location, Sources, Target, did_you_mean};
use crate::pack::{ItemKind, Pack};
use crate::source::{self, Confined, SourceError};
use crate::yaml::{Node, Value};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waiver {
    pub item: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<String>,
    pub reason: String,
    pub approved_by: String,
    pub expires_on: Date,
}

/// Problems with a waivers file: exit 2.
pub type WaiverError = crate::entries::EntriesError;

const KEYS: [&str; 5] = ["item", "rows", "reason", "approved_by", "expires_on"];

/// Reads a waivers file the user named and checks every entry against the pack.
pub fn load(pack: &Pack, path: &Path) -> Result<Vec<Waiver>, WaiverError> {
    load_from(pack, path, source::read_submitted(path))
}

/// Reads a waivers file named inside another file (a pack test case), confined to that
/// file's folder, and checks every entry against the pack.
pub fn load_confined(pack: &Pack, file: &Confined) -> Result<Vec<Waiver>, WaiverError> {
    load_from(pack, file.path(), source::read_confined(file))
}

fn load_from(
    pack: &Pack,
    path: &Path,
    read: Result<String, SourceError>,
) -> Result<Vec<Waiver>, WaiverError> {
    crate::entries::read(
        path,
        read,
        "waivers",
        "waivers file",
        |entries, pointer, file, sources| read_list(pack, entries, pointer, file, sources),
    )
}

/// Reads a list of waivers written at `pointer` in `file` (a waivers file's `waivers`, or a
/// pack test case's inline `waivers`).
pub fn read_list(
    pack: &Pack,
    entries: &[Node],
    pointer: &str,
    file: FileId,
    sources: &Sources,
) -> Result<Vec<Waiver>, Vec<Diagnostic>> {
    let mut out: Vec<Waiver> = Vec::new();
    // The index in `entries` of each waiver read.
    let mut at: Vec<usize> = Vec::new();
    let mut problems = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match read_entry(pack, entry, &format!("{pointer}/{i}"), file, sources) {
            Ok(w) => {
                if let Some(d) = duplicate(&w, &out, &at, i, pointer, file, sources) {
                    problems.push(d);
                }
                out.push(w);
                at.push(i);
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The error for waiver `w` (entry `i`) when an earlier one exempts the same item (either
/// of them whole) or the same row of it.
fn duplicate(
    w: &Waiver,
    earlier: &[Waiver],
    at: &[usize],
    i: usize,
    pointer: &str,
    file: FileId,
    sources: &Sources,
) -> Option<Diagnostic> {
    let loc = |j: usize| Location {
        file,
        pos: sources.locate(file, &format!("{pointer}/{j}/item"), Target::Value),
    };
    earlier.iter().zip(at).find_map(|(first, &j)| {
        if first.item != w.item {
            return None;
        }
        let message = if first.rows.is_empty() || w.rows.is_empty() {
            format!("`{}` is waived twice", w.item)
        } else {
            let row = w.rows.iter().find(|r| first.rows.contains(r))?;
            format!("row `{row}` of `{}` is waived twice", w.item)
        };
        Some(
            Diagnostic::error(Code::DuplicateWaiver, loc(i), message)
                .with_related(loc(j), "first waived here"),
        )
    })
}

fn read_entry(
    pack: &Pack,
    entry: &Node,
    base: &str,
    file: FileId,
    sources: &Sources,
) -> Result<Waiver, Vec<Diagnostic>> {
    let at = |pointer: String, target| Location {
        file,
        pos: sources.locate(file, &pointer, target),
    };
    let mut problems = Vec::new();
    let Value::Map(entries) = &entry.value else {
        return Err(vec![Diagnostic::error(
            Code::WrongType,
            at(base.to_string(), Target::Value),
            "a waiver must be a mapping",
        )]);
    };
    for (key, _) in entries {
        if !KEYS.contains(&key.name.as_str()) {
            let mut d = Diagnostic::error(
                Code::UnknownKey,
                at(format!("{base}/{}", key.name), Target::Key),
                format!("unknown key `{}`", key.name),
            );
            if let Some(s) = did_you_mean(&key.name, KEYS) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            problems.push(d);
        }
    }
    let mut text = |key: &str| -> Option<String> {
        match entry.get(key) {
            Some(Node {
                value: Value::Str(s),
                ..
            }) if !s.trim().is_empty() => Some(s.clone()),
            Some(_) => {
                problems.push(Diagnostic::error(
                    Code::WrongType,
                    at(format!("{base}/{key}"), Target::Value),
                    format!("`{key}` must be text"),
                ));
                None
            }
            None => {
                problems.push(Diagnostic::error(
                    Code::MissingKey,
                    at(base.to_string(), Target::Value),
                    format!("missing required key `{key}`"),
                ));
                None
            }
        }
    };
    let item = text("item");
    let reason = text("reason");
    let approved_by = text("approved_by");
    let expires = text("expires_on");
    if let Some(id) = &item
        && pack.item(id).is_none()
    {
        let mut d = Diagnostic::error(
            Code::UnknownItem,
            at(format!("{base}/item"), Target::Value),
            format!("the pack has no item `{id}`"),
        );
        if let Some(s) = did_you_mean(id, pack.items.iter().map(|i| i.id.as_str())) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        problems.push(d);
    }
    if let Some(id) = &item
        && pack.item(id).is_some_and(|i| i.kind == ItemKind::Veto)
    {
        problems.push(Diagnostic::error(
            Code::VetoWaiver,
            at(format!("{base}/item"), Target::Value),
            format!("`{id}` is a veto item, which cannot be waived"),
        ));
    }
    let expires_on = expires.and_then(|s| match crate::text::parse_date(&s) {
        Some(d) => Some(d),
        None => {
            problems.push(Diagnostic::error(
                Code::InvalidDate,
                at(format!("{base}/expires_on"), Target::Value),
                format!("`{s}` is not a date `YYYY-MM-DD` that exists"),
            ));
            None
        }
    });
    let mut rows = Vec::new();
    match entry.get("rows").map(|n| &n.value) {
        None => {}
        Some(Value::Seq(items)) => {
            for (j, row) in items.iter().enumerate() {
                match &row.value {
                    Value::Str(s) => rows.push(s.clone()),
                    Value::Int(n) => rows.push(n.to_string()),
                    _ => problems.push(Diagnostic::error(
                        Code::WrongType,
                        at(format!("{base}/rows/{j}"), Target::Value),
                        "a row is named by its key",
                    )),
                }
            }
        }
        Some(_) => problems.push(Diagnostic::error(
            Code::WrongType,
            at(format!("{base}/rows"), Target::Value),
            "`rows` must be a list of row keys",
        )),
    }
    match (item, reason, approved_by, expires_on) {
        (Some(item), Some(reason), Some(approved_by), Some(expires_on)) if problems.is_empty() => {
            Ok(Waiver {
                item,
                rows,
                reason,
                approved_by,
                expires_on,
            })
        }
        _ => Err(problems),
    }
}

//! Reviews (评审): points a person gives to an item the pack scores by review (酌情扣分,
//! 实地核查, 专家评分), or a re-check (复核) of an item the pack scores by its check, one
//! file per bureau.
//!
//! ```yaml
//! reviews:
//!   - item: RV-01
//!     points: 3.5
//!     reason: 台账齐全，个别记录缺签字
//!     reviewer: 专家甲
//!     date: 2024-05-10
//! ```

use std::path::Path;

use jiff::civil::Date;
use serde::Serialize;

use crate::diag::{Code, Diagnostic, FileId, Location, Sources, Target, did_you_mean};
use crate::pack::{ItemKind, Pack};
use crate::source::{self, Confined, SourceError};
use crate::yaml::{Node, Value};

/// One reviewer's points for one item, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub item: String,
    pub points: f64,
    pub reason: String,
    pub reviewer: String,
    pub date: Date,
}

/// Problems with a reviews file: exit 2.
pub type ReviewError = crate::entries::EntriesError;

const KEYS: [&str; 5] = ["item", "points", "reason", "reviewer", "date"];

/// Reads a reviews file the user named and checks every entry against the pack.
pub fn load(pack: &Pack, path: &Path) -> Result<Vec<Review>, ReviewError> {
    load_from(pack, path, source::read_submitted(path))
}

/// Reads a reviews file named inside another file (a pack test case), confined to that
/// file's folder, and checks every entry against the pack.
pub fn load_confined(pack: &Pack, file: &Confined) -> Result<Vec<Review>, ReviewError> {
    load_from(pack, file.path(), source::read_confined(file))
}

fn load_from(
    pack: &Pack,
    path: &Path,
    read: Result<String, SourceError>,
) -> Result<Vec<Review>, ReviewError> {
    crate::entries::read(
        path,
        read,
        "reviews",
        "reviews file",
        |entries, pointer, file, sources| read_list(pack, entries, pointer, file, sources),
    )
}

/// Reads a list of reviews written at `pointer` in `file`.
pub fn read_list(
    pack: &Pack,
    entries: &[Node],
    pointer: &str,
    file: FileId,
    sources: &Sources,
) -> Result<Vec<Review>, Vec<Diagnostic>> {
    let mut out: Vec<(usize, Review)> = Vec::new();
    let mut problems = Vec::new();
    let loc = |j: usize, key: &str| Location {
        file,
        pos: sources.locate(file, &format!("{pointer}/{j}/{key}"), Target::Value),
    };
    for (i, entry) in entries.iter().enumerate() {
        match read_entry(pack, entry, &format!("{pointer}/{i}"), file, sources) {
            Ok(r) => {
                if let Some((j, _)) = out
                    .iter()
                    .find(|(_, e)| e.item == r.item && e.reviewer == r.reviewer)
                {
                    problems.push(
                        Diagnostic::error(
                            Code::DuplicateReview,
                            loc(i, "reviewer"),
                            format!("`{}` reviews `{}` twice", r.reviewer, r.item),
                        )
                        .with_related(loc(*j, "reviewer"), "first reviewed here"),
                    );
                }
                out.push((i, r));
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(out.into_iter().map(|(_, r)| r).collect())
    } else {
        Err(problems)
    }
}

fn read_entry(
    pack: &Pack,
    entry: &Node,
    base: &str,
    file: FileId,
    sources: &Sources,
) -> Result<Review, Vec<Diagnostic>> {
    let at = |pointer: String, target| Location {
        file,
        pos: sources.locate(file, &pointer, target),
    };
    let mut problems = Vec::new();
    let Value::Map(entries) = &entry.value else {
        return Err(vec![Diagnostic::error(
            Code::WrongType,
            at(base.to_string(), Target::Value),
            "a review must be a mapping",
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
            Some(Node {
                value: Value::Str(_),
                ..
            }) => {
                problems.push(Diagnostic::error(
                    Code::EmptyValue,
                    at(format!("{base}/{key}"), Target::Value),
                    format!("`{key}` is blank"),
                ));
                None
            }
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
    let reviewer = text("reviewer");
    let date_text = text("date");
    let points = match entry.get("points").map(|n| &n.value) {
        Some(Value::Int(n)) => Some(*n as f64),
        Some(Value::Float(x)) if x.is_finite() => Some(*x),
        Some(_) => {
            problems.push(Diagnostic::error(
                Code::WrongType,
                at(format!("{base}/points"), Target::Value),
                "`points` must be a number",
            ));
            None
        }
        None => {
            problems.push(Diagnostic::error(
                Code::MissingKey,
                at(base.to_string(), Target::Value),
                "missing required key `points`",
            ));
            None
        }
    };
    let target = item.as_deref().and_then(|id| pack.item(id));
    if let Some(id) = &item {
        match target {
            None => {
                let mut d = Diagnostic::error(
                    Code::UnknownItem,
                    at(format!("{base}/item"), Target::Value),
                    format!("the pack has no item `{id}`"),
                );
                let reviewed = pack
                    .items
                    .iter()
                    .filter(|i| i.kind == ItemKind::Standard)
                    .map(|i| i.id.as_str());
                if let Some(s) = did_you_mean(id, reviewed) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                problems.push(d);
            }
            Some(i) if i.kind != ItemKind::Standard => {
                let kind = if i.kind == ItemKind::Veto {
                    "a veto item, a red line its check decides"
                } else {
                    "a bonus item, whose points its check decides"
                };
                let mut d = Diagnostic::error(
                    Code::NotReviewItem,
                    at(format!("{base}/item"), Target::Value),
                    format!("`{id}` is {kind}: reviewers cannot score it"),
                );
                let reviewable: Vec<&str> = pack
                    .items
                    .iter()
                    .filter(|i| i.kind == ItemKind::Standard)
                    .map(|i| i.id.as_str())
                    .collect();
                d = d.with_help(if reviewable.is_empty() {
                    "the pack has no standard items".to_string()
                } else {
                    "reviews may score standard items, reviewed or re-checked".to_string()
                });
                problems.push(d);
            }
            Some(_) => {}
        }
    }
    // A reviewed item from its `min` to its points; a re-check of a computed item from 0.
    if let (Some(i), Some(p)) = (target, points)
        && i.kind == ItemKind::Standard
    {
        let least = i.review.as_ref().map_or(0.0, |r| r.least());
        if p < least - 1e-9 || p > i.points + 1e-9 {
            problems.push(Diagnostic::error(
                Code::OutOfRange,
                at(format!("{base}/points"), Target::Value),
                format!(
                    "`{p}` is outside `{}`'s range {} to {}",
                    i.id, least, i.points
                ),
            ));
        }
    }
    let date = date_text.and_then(|s| match crate::text::parse_date(&s) {
        Some(d) => Some(d),
        None => {
            problems.push(Diagnostic::error(
                Code::InvalidDate,
                at(format!("{base}/date"), Target::Value),
                format!("`{s}` is not a date `YYYY-MM-DD` that exists"),
            ));
            None
        }
    });
    match (item, points, reason, reviewer, date) {
        (Some(item), Some(points), Some(reason), Some(reviewer), Some(date))
            if problems.is_empty() =>
        {
            Ok(Review {
                item,
                points,
                reason,
                reviewer,
                date,
            })
        }
        _ => Err(problems),
    }
}

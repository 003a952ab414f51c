//! The rectification list (整改清单): one task per problem an assessment found, with its
//! measure, responsible department and person, and deadline; what a supervisory office hands
//! back to a bureau and follows up a year later.
//!
//! A list is built from an assessment's JSON (`schemas/assessment.schema.json`), so that a
//! list made from a saved assessment and one made from the pack and submission directly are
//! the same. Task ids are stable (the item id, plus the row key or the clause label when the
//! pack splits an item's task by row or by clause), so a task can be followed year to year.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version of a list's JSON (`schemas/rectify.schema.json`).
pub const SCHEMA: &str = "kaohe.rectify/1";

/// A bureau's rectification list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct List {
    pub schema: String,
    pub pack: PackRef,
    pub bureau: Bureau,
    pub year: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessed_on: Option<Date>,
    pub tasks: Vec<Task>,
    /// The scoring sheet (评分表) the list goes out with.
    #[serde(default)]
    pub sheet: Vec<SheetSection>,
}

/// The pack that scored the assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackRef {
    pub id: String,
    pub title: String,
    pub version: String,
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bureau {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// Why a task is on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// A red line was crossed (一票否决).
    Veto,
    /// A red line cannot be certified: its data is missing (待核实).
    Unverified,
    /// A requirement not met (未达标).
    Shortfall,
    /// A requirement met in part (部分达标).
    Partial,
    /// Data not supplied (缺数据): the task is to supply it.
    MissingData,
}

/// How far a bureau says a task has come (完成情况), as it fills in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// 未整改
    NotStarted,
    /// 整改中
    InProgress,
    /// 已整改
    Done,
}

impl Progress {
    pub const ALL: [Progress; 3] = [Progress::NotStarted, Progress::InProgress, Progress::Done];

    /// The words a list uses (and a filled-in workbook is read back with).
    pub fn label(self) -> &'static str {
        match self {
            Progress::NotStarted => "未整改",
            Progress::InProgress => "整改中",
            Progress::Done => "已整改",
        }
    }

    pub fn from_label(s: &str) -> Option<Progress> {
        Progress::ALL.into_iter().find(|p| p.label() == s.trim())
    }
}

/// One task (整改任务).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Its place in the list, from 1 (序号).
    pub seq: usize,
    /// Stable across years: `LVP-01`, `LVP-01/城关一小`, `STUDY-01/集体学法每少一次`.
    pub id: String,
    pub item: String,
    pub title: String,
    /// The row (school, decision) a per-row task is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// The schedule clause a per-clause task is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    pub cause: Cause,
    /// Points the item lost (shared by the tasks an item is split into).
    pub lost: f64,
    /// 问题
    pub problem: String,
    /// 整改措施
    pub measure: String,
    /// 责任单位: the bureau's name for the department, when its submission renames it.
    pub owner: String,
    /// The pack's name for the department, when the submission renames it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack_owner: Option<String>,
    /// 责任人
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<String>,
    /// 整改时限
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Date>,
    /// Days from an assessment date the submission does not give (整改时限未定).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
    /// 整改目标
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// 佐证材料 the pack expects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// 完成情况, as the bureau fills it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// 佐证材料 the bureau names, as it fills them in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<String>,
}

/// A section of the scoring sheet, with its items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetSection {
    pub title: String,
    pub level: u32,
    pub points: f64,
    pub awarded: f64,
    pub rows: Vec<SheetRow>,
}

/// An item on the scoring sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetRow {
    pub id: String,
    pub title: String,
    pub points: f64,
    pub status: String,
    pub measured: String,
    pub awarded: f64,
}

/// Why an assessment's JSON cannot give a list.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ListError(pub String);

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn number(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

fn need<'v>(v: &'v Value, pointer: &str) -> Result<&'v Value, ListError> {
    v.pointer(pointer)
        .ok_or_else(|| ListError(format!("the assessment has no `{pointer}`")))
}

fn need_text(v: &Value, pointer: &str) -> Result<String, ListError> {
    need(v, pointer)?
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| ListError(format!("`{pointer}` is not text")))
}

fn date(v: Option<&Value>, pointer: &str) -> Result<Option<Date>, ListError> {
    match v.and_then(Value::as_str) {
        None => Ok(None),
        Some(s) => s
            .parse::<Date>()
            .map(Some)
            .map_err(|_| ListError(format!("`{pointer}` is not a date: `{s}`"))),
    }
}

/// Builds the list from an assessment's JSON (`kaohe assess --format json`).
pub fn from_json(a: &Value) -> Result<List, ListError> {
    let schema = need_text(a, "/schema")?;
    if !schema.starts_with("kaohe.assessment/") {
        return Err(ListError(format!(
            "this is not an assessment: its `schema` is `{schema}`"
        )));
    }
    let pack = PackRef {
        id: need_text(a, "/pack/id")?,
        title: need_text(a, "/pack/title")?,
        version: need_text(a, "/pack/version")?,
        digest: need_text(a, "/pack/digest")?,
    };
    let bureau = Bureau {
        name: need_text(a, "/submission/bureau/name")?,
        region_code: text(need(a, "/submission/bureau")?, "region_code"),
        level: text(need(a, "/submission/bureau")?, "level"),
    };
    let year = need(a, "/submission/year")?
        .as_i64()
        .ok_or_else(|| ListError("`/submission/year` is not a year".into()))?;
    let assessed_on = date(
        a.pointer("/submission/assessed_on"),
        "/submission/assessed_on",
    )?;
    let items = need(a, "/items")?
        .as_array()
        .ok_or_else(|| ListError("`/items` is not a list".into()))?;
    // Vetoes first, then those the data cannot certify, then by points lost; ties in pack
    // order.
    let mut gaps: Vec<(usize, &Value, Cause)> = items
        .iter()
        .enumerate()
        .filter(|(_, o)| o.get("gap").and_then(Value::as_bool) == Some(true))
        .map(|(i, o)| (i, o, cause(o)))
        .collect();
    let rank = |c: Cause| match c {
        Cause::Veto => 0,
        Cause::Unverified => 1,
        _ => 2,
    };
    gaps.sort_by(|(ia, a, ca), (ib, b, cb)| {
        rank(*ca)
            .cmp(&rank(*cb))
            .then(number(b, "deducted").total_cmp(&number(a, "deducted")))
            .then(ia.cmp(ib))
    });
    let mut tasks = Vec::new();
    for (i, o, cause) in gaps {
        tasks.extend(item_tasks(o, cause, &format!("/items/{i}"))?);
    }
    for (n, t) in tasks.iter_mut().enumerate() {
        t.seq = n + 1;
    }
    Ok(List {
        schema: SCHEMA.into(),
        pack,
        bureau,
        year,
        assessed_on,
        tasks,
        sheet: sheet(a, items),
    })
}

/// Builds the list of an assessment.
pub fn from_assessment(a: &crate::assess::Assessment) -> Result<List, ListError> {
    let json = serde_json::to_value(a).map_err(|e| ListError(e.to_string()))?;
    from_json(&json)
}

fn cause(o: &Value) -> Cause {
    let status = o.get("status").and_then(Value::as_str).unwrap_or("");
    let veto_item = o.get("kind").and_then(Value::as_str) == Some("veto");
    let clause = o.pointer("/veto_clause/state").and_then(Value::as_str);
    match (veto_item, status, clause) {
        (true, "missing_data", _) | (false, _, Some("unverified")) => Cause::Unverified,
        (true, _, _) | (false, _, Some("fired")) => Cause::Veto,
        (false, "missing_data", _) => Cause::MissingData,
        (false, "partial", _) => Cause::Partial,
        _ => Cause::Shortfall,
    }
}

/// The tasks of one item on the gap list: one, or one per failing row or deducting clause
/// when the pack splits it so.
fn item_tasks(o: &Value, cause: Cause, at: &str) -> Result<Vec<Task>, ListError> {
    let item = need_text(o, "/id").map_err(|e| ListError(format!("{at}: {e}")))?;
    let title = text(o, "title").unwrap_or_default();
    let lost = number(o, "deducted");
    let r = o.get("rectification");
    let deadline = date(
        r.and_then(|r| r.get("deadline")),
        &format!("{at}/rectification/deadline"),
    )?;
    let base = Task {
        seq: 0,
        id: item.clone(),
        item: item.clone(),
        title: title.clone(),
        row: None,
        clause: None,
        cause,
        lost,
        problem: r
            .and_then(|r| text(r, "problem"))
            .unwrap_or_else(|| default_problem(o, &title)),
        measure: r
            .and_then(|r| text(r, "measure"))
            .unwrap_or_else(|| "（规则包未给出整改措施）".into()),
        owner: r
            .and_then(|r| text(r, "owner"))
            .unwrap_or_else(|| "（规则包未指定）".into()),
        pack_owner: r.and_then(|r| text(r, "pack_owner")),
        responsible: r.and_then(|r| text(r, "responsible")),
        deadline,
        within_days: r
            .and_then(|r| r.get("within_days"))
            .and_then(Value::as_u64)
            .and_then(|d| u32::try_from(d).ok()),
        target: r.and_then(|r| text(r, "target")),
        evidence: r
            .and_then(|r| r.get("evidence"))
            .and_then(Value::as_array)
            .map(|xs| {
                xs.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        progress: None,
        proof: None,
    };
    let split = r.and_then(|r| text(r, "per"));
    // Missing data and red lines are one task: supply the data, or answer for the line.
    if matches!(cause, Cause::Shortfall | Cause::Partial) {
        match split.as_deref() {
            Some("row") => {
                let rows: Vec<&Value> = o
                    .get("failing")
                    .and_then(Value::as_array)
                    .map(|v| v.iter().collect())
                    .unwrap_or_default();
                if !rows.is_empty() {
                    return Ok(rows
                        .into_iter()
                        .map(|f| {
                            let key = text(f, "key").unwrap_or_default();
                            let misses: Vec<String> = f
                                .get("misses")
                                .and_then(Value::as_array)
                                .map(|xs| {
                                    xs.iter()
                                        .filter_map(Value::as_str)
                                        .map(str::to_string)
                                        .collect()
                                })
                                .unwrap_or_default();
                            Task {
                                id: format!("{item}/{key}"),
                                problem: if misses.is_empty() {
                                    format!("{title}：{key}")
                                } else {
                                    format!("{title}：{key}，{}", misses.join("；"))
                                },
                                row: Some(key),
                                ..base.clone()
                            }
                        })
                        .collect());
                }
            }
            Some("clause") => {
                let clauses: Vec<&Value> = o
                    .get("schedule")
                    .and_then(Value::as_array)
                    .map(|v| {
                        v.iter()
                            .filter(|c| {
                                number(c, "deducted") > 0.0
                                    || c.get("missing").and_then(Value::as_bool) == Some(true)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if !clauses.is_empty() {
                    return Ok(clauses
                        .into_iter()
                        .map(|c| {
                            let label = text(c, "label").unwrap_or_default();
                            Task {
                                id: format!("{item}/{label}"),
                                problem: format!(
                                    "{title}：{}",
                                    text(c, "text").unwrap_or_default()
                                ),
                                clause: Some(label),
                                lost: number(c, "deducted"),
                                ..base.clone()
                            }
                        })
                        .collect());
                }
            }
            _ => {}
        }
    }
    Ok(vec![base])
}

/// The problem of an item whose pack gives no template: its title and its shortfall or
/// status.
fn default_problem(o: &Value, title: &str) -> String {
    let what = o
        .pointer("/shortfall/text")
        .and_then(Value::as_str)
        .or_else(|| o.get("status_label").and_then(Value::as_str))
        .unwrap_or("");
    format!("{title}：{what}")
}

/// The scoring sheet: every section at every level, with its items.
fn sheet(a: &Value, items: &[Value]) -> Vec<SheetSection> {
    let sections = a
        .get("sections")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    sections
        .iter()
        .map(|s| {
            let id = text(s, "id").unwrap_or_default();
            SheetSection {
                title: text(s, "title").unwrap_or_default(),
                level: s.get("level").and_then(Value::as_u64).unwrap_or(1) as u32,
                points: number(s, "points"),
                awarded: number(s, "awarded"),
                rows: items
                    .iter()
                    .filter(|o| o.get("section").and_then(Value::as_str) == Some(id.as_str()))
                    .map(|o| SheetRow {
                        id: text(o, "id").unwrap_or_default(),
                        title: text(o, "title").unwrap_or_default(),
                        points: number(o, "points"),
                        status: text(o, "status_label").unwrap_or_default(),
                        measured: o
                            .pointer("/measured/text")
                            .and_then(Value::as_str)
                            .map(
                                |m| match o.pointer("/source/text").and_then(Value::as_str) {
                                    Some(src) => format!("{m}（{src}）"),
                                    None => m.to_string(),
                                },
                            )
                            .unwrap_or_else(|| "—".into()),
                        awarded: number(o, "awarded"),
                    })
                    .collect(),
            }
        })
        .collect()
}

//! The follow-up (整改跟踪) of a bureau's rectification list, and the ledger (整改台账) an
//! office keeps of it: one entry per task across cycles, with its status in each.
//!
//! A follow-up compares last cycle's list (or last cycle's ledger) with this cycle's
//! assessment of the same bureau, task by task (task ids are stable, see
//! [`crate::rectify`]):
//!
//! - 已销号: the task was open and its item, row or clause now passes;
//! - 虚报整改: the bureau marked it 已整改 on last cycle's list, and it still fails;
//! - 逾期: still failing, and its deadline is before this cycle's assessment date;
//! - 未整改: still failing, not yet past its deadline (or no deadline is known);
//! - 新增问题: failing now, and never on the list before;
//! - 反复出现: failing now, on the list before, and closed (已销号) since.
//!
//! A task still failing is carried forward with its original id and the year it was first
//! listed (`since`). A task whose item now lacks data (缺数据, 待核实) is failing: 销号 only
//! after verification.
//!
//! A pack's `scoring.followup` turns two of the statuses into deductions from this cycle's
//! total ([`penalty`], [`apply`]): 虚报整改 and 反复出现 (屡查屡犯).

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::assess::Assessment;
use crate::num;
use crate::pack::{FollowupRule, Pack, PerTask};
use crate::rectify::{Bureau, Cause, List, PackRef, Progress, Task};

/// The version of a follow-up's JSON (`schemas/followup.schema.json`).
pub const SCHEMA: &str = "kaohe.followup/1";

/// A task's status in one cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// On the list of the first cycle the ledger holds (列入清单).
    Listed,
    /// 已销号
    Closed,
    /// 未整改
    NotFixed,
    /// 虚报整改
    FalseClaim,
    /// 逾期
    Overdue,
    /// 新增问题
    New,
    /// 反复出现
    Recurred,
}

impl Status {
    /// The statuses a follow-up gives, in the order a report lists them.
    pub const FOLLOWUP: [Status; 6] = [
        Status::Closed,
        Status::NotFixed,
        Status::Overdue,
        Status::FalseClaim,
        Status::New,
        Status::Recurred,
    ];

    /// Whether a task with this status is open (failing) in its cycle.
    pub fn open(self) -> bool {
        self != Status::Closed
    }
}

/// A task's status in one cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cycle {
    pub year: i64,
    pub status: Status,
}

/// What the bureau reported on a task, on the list of `year` (完成情况, 佐证材料).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reported {
    pub year: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<String>,
}

/// One task of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The stable task id: `LVP-01`, `LVP-01/城关一小`.
    pub id: String,
    pub item: String,
    /// 考核项目, as the list words it.
    pub subject: String,
    /// 问题, as last found.
    pub problem: String,
    /// 责任单位
    pub owner: String,
    /// The first year the task was listed.
    pub first_listed: i64,
    /// The year the current open spell began (for a closed task, the last spell's).
    pub since: i64,
    /// Whether the task is failing in the ledger's year.
    pub open: bool,
    /// This cycle's status; none when the task was closed before and still passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Years the task has been open: from `since` to the ledger's year, or to the year it
    /// was closed (0 for a task found this year).
    pub years_open: i64,
    /// 整改时限: the latest deadline the task was given (for a task carried forward, this
    /// cycle's deadline unless it was given a later one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Date>,
    /// The deadline last cycle gave the task, against which this cycle judged it (逾期).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was_due: Option<Date>,
    /// What the bureau last reported (完成情况, 佐证材料).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported: Option<Reported>,
    /// The status in each cycle the ledger holds, oldest first.
    pub history: Vec<Cycle>,
}

/// A ledger (整改台账): the follow-up of one cycle, carrying every cycle before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    pub schema: String,
    pub pack: PackRef,
    pub bureau: Bureau,
    /// The cycle followed up (this cycle's assessment year).
    pub year: i64,
    /// The cycle whose list was followed up; none for a ledger made from a single list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_year: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessed_on: Option<Date>,
    /// The cycles the ledger holds, oldest first.
    pub years: Vec<i64>,
    pub entries: Vec<Entry>,
}

/// Why two cycles cannot be compared.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FollowupError(pub String);

/// The subject (考核项目) of a task as a list words it: item, title, row or clause.
pub fn subject(t: &Task) -> String {
    match (&t.row, &t.clause) {
        (Some(row), _) => format!("{} {}（{row}）", t.item, t.title),
        (None, Some(clause)) => format!("{} {}（{clause}）", t.item, t.title),
        _ => format!("{} {}", t.item, t.title),
    }
}

fn reported(year: i64, t: &Task) -> Option<Reported> {
    (t.progress.is_some() || t.proof.is_some()).then(|| Reported {
        year,
        progress: t.progress,
        proof: t.proof.clone(),
    })
}

/// The ledger of a single list: every task listed in its year, with what the bureau filled
/// in.
pub fn from_list(l: &List) -> Ledger {
    Ledger {
        schema: SCHEMA.into(),
        pack: l.pack.clone(),
        bureau: l.bureau.clone(),
        year: l.year,
        previous_year: None,
        assessed_on: l.assessed_on,
        years: vec![l.year],
        entries: l
            .tasks
            .iter()
            .map(|t| Entry {
                id: t.id.clone(),
                item: t.item.clone(),
                subject: subject(t),
                problem: t.problem.clone(),
                owner: t.owner.clone(),
                first_listed: l.year,
                since: l.year,
                open: true,
                status: Some(Status::Listed),
                years_open: 0,
                deadline: t.deadline,
                was_due: None,
                reported: reported(l.year, t),
                history: vec![Cycle {
                    year: l.year,
                    status: Status::Listed,
                }],
            })
            .collect(),
    }
}

/// Applies a filled-in list of the ledger's year to the ledger: what the bureau reported on
/// each open task, and a deadline it was given. Tasks on the list the ledger does not hold
/// are errors.
pub fn apply_filled(ledger: &mut Ledger, l: &List) -> Result<(), FollowupError> {
    check_same_bureau(&ledger.bureau, &l.bureau)?;
    if l.year != ledger.year {
        return Err(FollowupError(format!(
            "the filled-in list is of {}, the ledger of {}",
            l.year, ledger.year
        )));
    }
    let unknown = unknown_tasks(ledger, l);
    for t in &l.tasks {
        if let Some(e) = ledger.entries.iter_mut().find(|e| e.id == t.id && e.open) {
            if let Some(r) = reported(l.year, t) {
                e.reported = Some(r);
            }
            if t.deadline.is_some() {
                e.deadline = t.deadline;
            }
        }
    }
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(FollowupError(format!(
            "the filled-in list has tasks the ledger does not hold open: {}",
            unknown.join(", ")
        )))
    }
}

/// The ids of the tasks of a filled-in list that the ledger does not hold open.
pub fn unknown_tasks(ledger: &Ledger, l: &List) -> Vec<String> {
    l.tasks
        .iter()
        .filter(|t| !ledger.entries.iter().any(|e| e.id == t.id && e.open))
        .map(|t| t.id.clone())
        .collect()
}

fn check_same_bureau(a: &Bureau, b: &Bureau) -> Result<(), FollowupError> {
    if a.name != b.name {
        return Err(FollowupError(format!(
            "the lists are of different bureaus: `{}` and `{}`",
            a.name, b.name
        )));
    }
    Ok(())
}

/// Follows up `previous` (last cycle's ledger) with `current` (this cycle's list).
pub fn follow_up(previous: &Ledger, current: &List) -> Result<Ledger, FollowupError> {
    check_same_bureau(&previous.bureau, &current.bureau)?;
    if current.year <= previous.year {
        return Err(FollowupError(format!(
            "this cycle ({}) must come after the previous one ({})",
            current.year, previous.year
        )));
    }
    let year = current.year;
    let now: HashMap<&str, &Task> = current.tasks.iter().map(|t| (t.id.as_str(), t)).collect();
    // Items whose data is missing or cannot be certified this cycle: their tasks cannot be
    // closed.
    let unverifiable: HashSet<&str> = current
        .tasks
        .iter()
        .filter(|t| matches!(t.cause, Cause::MissingData | Cause::Unverified))
        .map(|t| t.item.as_str())
        .collect();
    let mut matched: HashSet<&str> = HashSet::new();
    let mut entries = Vec::new();
    for e in &previous.entries {
        let task = now.get(e.id.as_str()).copied();
        if task.is_some() {
            matched.insert(e.id.as_str());
        }
        // A task whose item cannot be verified now is failing, whether it was open or closed:
        // 销号 only after verification.
        let failing = task.is_some() || unverifiable.contains(e.item.as_str());
        let mut next = e.clone();
        next.was_due = if e.open { e.deadline } else { None };
        if let Some(t) = task {
            next.subject = subject(t);
            next.problem = t.problem.clone();
            next.owner = t.owner.clone();
        }
        let status = match (e.open, failing) {
            (true, false) => Some(Status::Closed),
            (true, true) => {
                let claimed = e
                    .reported
                    .as_ref()
                    .is_some_and(|r| r.year == previous.year && r.progress == Some(Progress::Done));
                let overdue =
                    matches!((e.deadline, current.assessed_on), (Some(d), Some(on)) if d < on);
                Some(if claimed {
                    Status::FalseClaim
                } else if overdue {
                    Status::Overdue
                } else {
                    Status::NotFixed
                })
            }
            (false, true) => {
                next.since = year;
                Some(Status::Recurred)
            }
            (false, false) => None,
        };
        next.open = failing;
        next.status = status;
        if failing {
            // A task carried forward gets this cycle's deadline, unless it was given a
            // later one.
            if let Some(d) = task.and_then(|t| t.deadline) {
                next.deadline = Some(next.deadline.map_or(d, |old| old.max(d)));
            }
        }
        if let Some(s) = status {
            next.years_open = year - next.since;
            next.history.push(Cycle { year, status: s });
        }
        entries.push(next);
    }
    for t in &current.tasks {
        if matched.contains(t.id.as_str()) {
            continue;
        }
        entries.push(Entry {
            id: t.id.clone(),
            item: t.item.clone(),
            subject: subject(t),
            problem: t.problem.clone(),
            owner: t.owner.clone(),
            first_listed: year,
            since: year,
            open: true,
            status: Some(Status::New),
            years_open: 0,
            deadline: t.deadline,
            was_due: None,
            reported: None,
            history: vec![Cycle {
                year,
                status: Status::New,
            }],
        });
    }
    let mut years = previous.years.clone();
    years.push(year);
    Ok(Ledger {
        schema: SCHEMA.into(),
        pack: current.pack.clone(),
        bureau: current.bureau.clone(),
        year,
        previous_year: Some(previous.year),
        assessed_on: current.assessed_on,
        years,
        entries,
    })
}

/// The entries of the ledger's year with `status`, in ledger order.
pub fn with_status(l: &Ledger, status: Status) -> Vec<&Entry> {
    l.entries
        .iter()
        .filter(|e| e.status == Some(status))
        .collect()
}

/// How many entries have each status in the ledger's year.
pub fn counts(l: &Ledger) -> BTreeMap<Status, usize> {
    let mut out = BTreeMap::new();
    for e in &l.entries {
        if let Some(s) = e.status {
            *out.entry(s).or_insert(0) += 1;
        }
    }
    out
}

/// Which deduction a task costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyKind {
    /// 虚报整改: reported 已整改 on last cycle's list, still failing.
    FalseClaim,
    /// 屡查屡犯: closed (已销号) before, failing again (反复出现).
    Repeat,
}

impl PenaltyKind {
    /// The status that costs this deduction.
    pub fn status(self) -> Status {
        match self {
            PenaltyKind::FalseClaim => Status::FalseClaim,
            PenaltyKind::Repeat => Status::Recurred,
        }
    }
}

/// A task that costs a deduction, with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PenalizedTask {
    pub id: String,
    pub subject: String,
    /// The year of the list the bureau reported 已整改 on (for a false claim).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_year: Option<i64>,
    /// The task's status in each cycle, this one last.
    pub history: Vec<Cycle>,
}

/// One deduction of `scoring.followup`: the tasks that cost it, `per_task` each, at most
/// `cap`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PenaltyLine {
    pub kind: PenaltyKind,
    pub per_task: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    pub tasks: Vec<PenalizedTask>,
    /// `per_task` × tasks, at most `cap`, rounded to 2 decimals.
    pub deducted: f64,
}

/// The deductions for last cycle's list (整改跟踪扣分).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Penalty {
    /// The cycle whose list was followed up.
    pub previous_year: i64,
    pub lines: Vec<PenaltyLine>,
    /// What the score lost: the lines' sum, never more than the score it is taken from.
    pub deducted: f64,
}

/// The deductions a follow-up costs under `rule`, taken from a score of `before`. Each falls
/// as tasks are fixed: a task that passes is neither a false claim nor a repeat.
pub fn penalty(rule: &FollowupRule, ledger: &Ledger, before: f64) -> Penalty {
    let line = |kind: PenaltyKind, per: PerTask| {
        let tasks: Vec<PenalizedTask> = with_status(ledger, kind.status())
            .into_iter()
            .map(|e| PenalizedTask {
                id: e.id.clone(),
                subject: e.subject.clone(),
                reported_year: match kind {
                    PenaltyKind::FalseClaim => e.reported.as_ref().map(|r| r.year),
                    PenaltyKind::Repeat => None,
                },
                history: e.history.clone(),
            })
            .collect();
        let raw = per.per_task * tasks.len() as f64;
        PenaltyLine {
            kind,
            per_task: per.per_task,
            cap: per.cap,
            deducted: num::round2(per.cap.map_or(raw, |c| raw.min(c))),
            tasks,
        }
    };
    let lines: Vec<PenaltyLine> = [
        rule.false_claim.map(|p| line(PenaltyKind::FalseClaim, p)),
        rule.repeat.map(|p| line(PenaltyKind::Repeat, p)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let sum: f64 = lines.iter().map(|l| l.deducted).sum();
    Penalty {
        previous_year: ledger.previous_year.unwrap_or(ledger.year),
        deducted: num::round2(sum.min(before.max(0.0))),
        lines,
    }
}

/// Follows up `previous` with the assessment `a` and takes the pack's `scoring.followup`
/// deductions from its score, grading it again.
pub fn apply(a: &mut Assessment, pack: &Pack, previous: &Ledger) -> Result<(), FollowupError> {
    let Some(rule) = pack.scoring.followup else {
        return Err(FollowupError(
            "the pack sets no `scoring.followup`, so last cycle's list costs nothing".into(),
        ));
    };
    let current = crate::rectify::from_assessment(a).map_err(|e| FollowupError(e.to_string()))?;
    let ledger = follow_up(previous, &current)?;
    let before = a.score.score;
    let p = penalty(&rule, &ledger, before);
    a.score.score = num::round2(before - p.deducted);
    a.score.followup_deduction = Some(p.deducted);
    a.score.grade_by_score = crate::score::grade(&pack.scoring, a.score.score);
    a.score.grade = match (&pack.scoring.veto, a.score.vetoed) {
        (Some(v), true) => v.grade.clone(),
        _ => a.score.grade_by_score.clone(),
    };
    a.followup = Some(p);
    Ok(())
}

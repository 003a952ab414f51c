//! Rendering an assessment: text (terminal), Markdown and JSON. Renderers only format what
//! the assessment holds; they compute no verdicts.

mod columns;
pub mod compare;
mod conditions;
pub mod escape;
pub mod followup;
mod listing;
mod markdown;
mod measure;
pub mod rectify;
pub mod round;
mod sheet;
pub mod steps;
pub mod template;
mod text;

pub use columns::{
    Rechecked, ScoreRow, ScoreTable, credibility, rechecked, score_table, self_deduction,
};
pub use conditions::{condition, conditions, miss, misses, supply};
pub use listing::{bonus, bonus_cap_note, excluded, in_section_order};
pub use markdown::{markdown, markdown_with_sheet};
pub use measure::{
    comparison, part, parts, period, period_count, period_name, quantity, reconciled, requirement,
    row_unit, shortfall, source, sourced, with_text,
};
pub use sheet::{SheetRow, SheetSection, sheet, sheet_total};
pub use text::{DEFAULT_WIDTH, explain, sheet_text, text, text_in};

use crate::assess::{Assessment, ItemOutcome};
use crate::pack::ItemKind;

/// The assessment as pretty JSON (stable key order, trailing newline).
///
/// Also takes the assessment already turned into a JSON value: the same text.
pub fn json(assessment: &impl serde::Serialize) -> String {
    let mut out = serde_json::to_string_pretty(assessment).unwrap_or_default();
    out.push('\n');
    out
}

/// A section's title as a table of subtotals shows it: a top-level section's as it is, a
/// sub-section's set in under its parent (`└ 法治副校长`, `　└ 配备`).
pub fn section_label(title: &str, level: usize) -> String {
    match level {
        0 | 1 => title.to_string(),
        n => format!("{}└ {title}", "　".repeat(n - 2)),
    }
}

/// The items scoring put on the gap list: veto items first, then the heaviest loss first
/// (ties in pack order).
pub fn gaps(assessment: &Assessment) -> Vec<&ItemOutcome> {
    let mut gaps: Vec<(usize, &ItemOutcome)> = assessment
        .items
        .iter()
        .enumerate()
        .filter(|(_, o)| o.gap)
        .collect();
    gaps.sort_by(|(ia, a), (ib, b)| {
        let veto = |o: &ItemOutcome| o.kind == ItemKind::Veto;
        veto(b)
            .cmp(&veto(a))
            .then(b.deducted.total_cmp(&a.deducted))
            .then(ia.cmp(ib))
    });
    gaps.into_iter().map(|(_, o)| o).collect()
}

/// The items whose stated figures disagree with their rows, in pack order, each with its
/// findings in words.
pub fn reconciled_items(a: &Assessment) -> Vec<(&ItemOutcome, Vec<String>)> {
    a.items
        .iter()
        .filter(|o| !o.reconciled.is_empty())
        .map(|o| (o, o.reconciled.iter().map(measure::reconciled).collect()))
        .collect()
}

/// A measured value as a rectification template sees it: counts as numbers, shares as
/// `72.04%`, other numbers as `4.5`, dates as `2024-03-01`, lists joined.
pub fn template_value(measure: &crate::checks::Measure) -> serde_json::Value {
    use crate::checks::Measure;
    use crate::num;
    match measure {
        Measure::Count(n) => (*n).into(),
        Measure::Number(x) => num::show(*x).into(),
        Measure::Share(s) => num::percent(s.0).into(),
        Measure::Date(d) => d.to_string().into(),
        Measure::Names(names) => names.join("、").into(),
        Measure::Parts(ps) => parts(ps).into(),
        Measure::Conditions(c) => misses(&c.0).into(),
        Measure::None => serde_json::Value::Null,
    }
}

/// The pending line of a report header (待评2项，共8分), when a reviewed item has no score yet.
pub fn pending_summary(s: &crate::assess::Totals) -> Option<String> {
    (s.pending_items > 0).then(|| {
        format!(
            "待评{}项，共{}分（尚无评分，暂按0分计入计分基数）",
            s.pending_items,
            crate::num::show(s.pending_points)
        )
    })
}

/// A reviewed item in a report: its points in words and each reviewer's reason.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Reviewed {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub reasons: Vec<String>,
}

/// The reviewed items (评审项), in pack order.
pub fn reviewed(a: &Assessment) -> Vec<Reviewed> {
    a.items
        .iter()
        .filter_map(|o| {
            let r = o.review.as_ref()?;
            Some(Reviewed {
                id: o.id.clone(),
                title: o.title.clone(),
                summary: steps::review(r),
                reasons: steps::review_reasons(r),
            })
        })
        .collect()
}

/// The veto line of a report header: 触发 (with the grade the score alone earns),
/// 待核实 (data missing), or 未触发 when every veto item was judged and none fired.
pub fn veto_summary(s: &crate::assess::Totals) -> String {
    let mut parts = Vec::new();
    if s.vetoed {
        parts.push(format!(
            "触发 {}（按分数为{}，否决后为{}）",
            s.vetoes.join("、"),
            s.grade_by_score,
            s.grade
        ));
    }
    if !s.vetoes_unverified.is_empty() {
        parts.push(format!(
            "待核实 {}（缺数据，无法确认未触发）",
            s.vetoes_unverified.join("、")
        ));
    }
    if parts.is_empty() {
        "未触发".into()
    } else {
        parts.join("；")
    }
}

/// What an item's scoring can give, in words: 可能的分值：0、2 / 5、4.5、…、1（每档0.5） /
/// 0～5之间 / 一票否决项不计分.
pub fn possible(p: &crate::score::Possible) -> String {
    use crate::num::show;
    use crate::score::Possible;
    match p {
        Possible::Values { values } => format!(
            "可能的分值：{}",
            values
                .iter()
                .map(|v| show(*v))
                .collect::<Vec<_>>()
                .join("、")
        ),
        Possible::Steps {
            points,
            step,
            lowest,
            or_zero,
        } => format!(
            "可能的分值：{}起每档减{}，最低{}{}",
            show(*points),
            show(*step),
            show(*lowest),
            if *or_zero && *lowest > 0.0 {
                "；缺数据时为0"
            } else {
                ""
            }
        ),
        Possible::Range { max } => format!("可能的分值：0～{}", show(*max)),
        Possible::Veto => "一票否决项不计分，自评分只能为0".into(),
    }
}

/// The assessment date as reports write it: the date, or 未填报.
pub fn assessed_on(a: &Assessment) -> String {
    a.submission
        .assessed_on
        .clone()
        .unwrap_or_else(|| "未填报".into())
}

/// One entry of the 缺报清单: `成立法治建设领导小组（必报）：LG-01、VETO-01缺数据`, and the
/// gates it leaves unproven: `…；申报条件「近两年无重大安全责任事故」无法证明`.
pub fn absent(x: &crate::assess::Absent) -> String {
    use crate::assess::AbsentKind;
    let mut text = match x.kind {
        AbsentKind::Fact => x.label.clone(),
        AbsentKind::Register if x.label.ends_with("台账") => x.label.clone(),
        AbsentKind::Register => format!("{}台账", x.label),
    };
    if x.required {
        text.push_str("（必报）");
    }
    let mut why = Vec::new();
    if !x.items.is_empty() {
        why.push(format!("{}缺数据", x.items.join("、")));
    }
    if !x.gates.is_empty() {
        let gates: Vec<String> = x.gates.iter().map(|g| format!("「{g}」")).collect();
        why.push(format!("申报条件{}无法证明", gates.join("、")));
    }
    if !why.is_empty() {
        text.push_str(&format!("：{}", why.join("；")));
    }
    text
}

/// How many entries the 缺报清单 has: `共3项，其中必报2项，考核不完整`; `None` when none.
pub fn incomplete_count(a: &Assessment) -> Option<String> {
    let required = a.incomplete.iter().filter(|x| x.required).count();
    match (a.incomplete.len(), required) {
        (0, _) => None,
        (n, 0) => Some(format!("共{n}项")),
        (n, r) => Some(format!("共{n}项，其中必报{r}项，考核不完整")),
    }
}

/// A rectification's deadline as reports write it, when it has one: the date, or 未定 when
/// it counts days from an assessment date the submission does not give.
pub fn deadline(r: &crate::assess::Rectification) -> Option<String> {
    due(r.deadline.clone(), r.within_days)
}

/// A deadline in words: the date, or 未定 with the days when they count from an assessment
/// date the submission does not give; none when there is neither.
pub fn due(date: Option<String>, within_days: Option<u32>) -> Option<String> {
    match (date, within_days) {
        (Some(d), _) => Some(d),
        (None, Some(days)) => Some(format!("未定（考核日期未填报；自考核日期起{days}日内）")),
        (None, None) => None,
    }
}

/// A warning as reports write it.
pub fn warning(w: &crate::assess::Warning) -> String {
    use crate::assess::Warning;
    match w {
        Warning::WaiverExpired {
            item,
            expires_on,
            assessed_on,
        } => format!("{item}的豁免已于{expires_on}到期（早于考核日期{assessed_on}），未予适用"),
        Warning::WaiverExpiryUnchecked { item, expires_on } => {
            format!("{item}的豁免有效期至{expires_on}，考核日期未填报，未核对是否到期，已予适用")
        }
        Warning::WaivedRowsUnknown { item, rows } => format!(
            "{item}的豁免列出的行在报送数据中不存在：{}",
            rows.join("、")
        ),
        Warning::WaivedRowsWithoutRows { item, rows } => format!(
            "{item}的豁免列出了行（{}），但该项检查不按行计，豁免未起作用",
            rows.join("、")
        ),
        Warning::ReviewsNotCounted {
            item,
            reviews,
            status,
        } => format!(
            "{item}有{reviews}份评审，但该项{}，评审未计分",
            status_label(*status)
        ),
    }
}

/// A status as reports write it: 达标, 部分达标, 未达标, 不适用, 缺数据, 豁免.
pub fn status_label(status: crate::score::Status) -> &'static str {
    use crate::score::Status;
    match status {
        Status::Pass => "达标",
        Status::Partial => "部分达标",
        Status::Fail => "未达标",
        Status::NotApplicable => "不适用",
        Status::MissingData => "缺数据",
        Status::Waived => "豁免",
        Status::Pending => "待评",
    }
}

/// A veto clause as the gap detail writes it: `一票否决条款：… （触发）`.
pub fn veto_clause(c: &crate::assess::VetoClauseOutcome) -> String {
    use crate::assess::VetoState;
    let state = match c.state {
        VetoState::Fired => "触发",
        VetoState::Unverified => "待核实：数据缺失，无法确认未触发",
        VetoState::Clear => "未触发",
    };
    format!("一票否决条款：{}（{state}）", c.label)
}

/// One eligibility gate as the JSON writes it: `已满足`, `未满足：…` or `无法证明：…`.
pub fn gate(g: &crate::assess::GateOutcome) -> String {
    use crate::assess::GateState;
    match (g.state, gate_reason(g)) {
        (GateState::Met, _) => "已满足".into(),
        (GateState::NotMet, r) => format!("未满足：{r}"),
        (GateState::Unproven, r) => format!("无法证明：{r}"),
    }
}

/// Why a gate is not met, or what it lacks to be proven.
fn gate_reason(g: &crate::assess::GateOutcome) -> String {
    use crate::assess::{GateState, GateTest};
    use crate::num::show;
    match (&g.test, g.state) {
        (GateTest::SelfScore { min, self_total }, _) => match self_total {
            None => "未报自评分".into(),
            Some(t) => format!("自评分合计{}，要求不低于{}", show(*t), show(*min)),
        },
        (GateTest::Check { missing, .. }, GateState::Unproven) => {
            if missing.is_empty() {
                "缺数据".into()
            } else {
                format!("缺数据：{}", misses(missing))
            }
        }
        (
            GateTest::Check {
                measured,
                required,
                shortfall: gap,
                failing,
                unmet,
                ..
            },
            _,
        ) => {
            if !unmet.is_empty() {
                misses(unmet)
            } else if let Some(sf) = gap {
                match (measured, required) {
                    (Some(m), Some(r)) => format!(
                        "实际{}，要求{}（{}）",
                        quantity(m),
                        requirement(r),
                        shortfall(sf)
                    ),
                    _ => shortfall(sf),
                }
            } else if !failing.is_empty() {
                failing
                    .iter()
                    .map(|f| format!("{}：{}", f.key, misses(&f.misses)))
                    .collect::<Vec<_>>()
                    .join("；")
            } else {
                match (measured, required) {
                    (Some(m), Some(r)) => format!("实际{}，要求{}", quantity(m), requirement(r)),
                    (None, Some(r)) => format!("要求{}", requirement(r)),
                    _ => "未满足".into(),
                }
            }
        }
    }
}

/// The eligibility line of a report header: `具备`, or `不具备（…）` with each gate not met
/// and why, or what it lacks.
pub fn eligibility(e: &crate::assess::Eligibility) -> String {
    use crate::assess::GateState;
    if e.eligible {
        return "具备".into();
    }
    let reasons: Vec<String> = e
        .gates
        .iter()
        .filter(|g| g.state != GateState::Met)
        .map(|g| match g.state {
            GateState::Unproven => format!("{}：无法证明，{}", g.label, gate_reason(g)),
            _ => format!("{}：{}", g.label, gate_reason(g)),
        })
        .collect();
    format!("不具备（{}）", reasons.join("；"))
}

//! Measured quantities, requirements and shortfalls in words, as every report writes them.

use crate::checks::stated::{Finding, Reconciled, Source};
use crate::checks::{
    Comparison, PartName, PeriodCount, PeriodKind, PeriodName, Quantity, Requirement, Shortfall,
};
use crate::num;

/// `33.33%`, `3`, `20.6`, `2024-03-01`, `3/5`, `2/3项满足`.
pub fn quantity(q: &Quantity) -> String {
    match q {
        Quantity::Share { value } => num::percent(*value),
        Quantity::Count { value } => value.to_string(),
        Quantity::Number { value } => num::show(*value),
        Quantity::Date { value } => value.to_string(),
        Quantity::Rows { met, of } => format!("{met}/{of}"),
        Quantity::Parts { met, of } => format!("{met}/{of}项满足"),
        Quantity::Documents { given, of } => format!("{given}/{of}"),
        Quantity::Periods { met, of, period: p } => format!("{met}/{of}个{}达标", period(*p)),
    }
}

/// `季度`, `月`, `学期`.
pub fn period(p: PeriodKind) -> &'static str {
    match p {
        PeriodKind::Quarter => "季度",
        PeriodKind::Month => "月",
        PeriodKind::Semester => "学期",
    }
}

/// `第2季度`, `3月`, `春季学期`.
pub fn period_name(p: PeriodName) -> String {
    match p {
        PeriodName::Quarter(q) => format!("第{q}季度"),
        PeriodName::Month(m) => format!("{m}月"),
        PeriodName::Spring => "春季学期".into(),
        PeriodName::Autumn => "秋季学期".into(),
    }
}

/// `第2季度0次，少1次`.
pub fn period_count(c: &PeriodCount, unit: Option<&String>) -> String {
    let unit = unit.map_or("次", String::as_str);
    let mut out = format!("{}{}{unit}", period_name(c.period), c.count);
    if c.short > 0 {
        out.push_str(&format!("，少{}{unit}", c.short));
    }
    if c.over > 0 {
        out.push_str(&format!("，多{}{unit}", c.over));
    }
    out
}

impl serde::Serialize for PeriodName {
    /// Written as a report writes it.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&period_name(*self))
    }
}

/// A part's label, or `第2项` for the second part when it has none.
pub fn part(p: &PartName) -> String {
    match p {
        PartName::Label(label) => label.clone(),
        PartName::Position(n) => format!("第{n}项"),
    }
}

/// Parts joined: `甲、乙`.
pub fn parts(ps: &[PartName]) -> String {
    ps.iter().map(part).collect::<Vec<_>>().join("、")
}

impl serde::Serialize for PartName {
    /// Written as a report writes it.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&part(self))
    }
}

/// `≥`, `>`, `≤`, `<`, `=`.
pub fn comparison(op: Comparison) -> &'static str {
    match op {
        Comparison::Gt => ">",
        Comparison::Gte => "≥",
        Comparison::Lt => "<",
        Comparison::Lte => "≤",
        Comparison::Equals => "=",
    }
}

/// `≥80%`, `2～5`, `逐条满足`, `不晚于2024-03-01`.
pub fn requirement(r: &Requirement) -> String {
    match r {
        Requirement::Bound { op, value } => format!("{}{}", comparison(*op), quantity(value)),
        Requirement::Between { min, max } => format!("{}～{}", quantity(min), quantity(max)),
        Requirement::EveryRow => "逐条满足".into(),
        Requirement::AllParts => "全部满足".into(),
        Requirement::AnyPart => "任一满足".into(),
        Requirement::NotPart { label } => format!("不满足{}", part(label)),
        Requirement::Documents { labels } => labels.join("、"),
        Requirement::Conditions { conditions } => super::conditions(conditions),
        Requirement::EachPeriod { period: p, bound } => {
            format!("每{}{}", period(*p), requirement(bound))
        }
        Requirement::Due { after, before } => match (after, before) {
            (Some(a), Some(b)) => format!("{a}～{b}"),
            (None, Some(b)) => format!("不晚于{b}"),
            (Some(a), None) => format!("不早于{a}"),
            (None, None) => String::new(),
        },
    }
}

/// What a row of a register counts as: its unit, else `项`.
pub fn row_unit(unit: Option<&String>) -> &str {
    unit.map_or("项", String::as_str)
}

/// `差2所`, `少1`, `差8个百分点`, `2024-03-05晚于2024-03-01（逾期4天）`, `缺职责清单`.
pub fn shortfall(s: &Shortfall) -> String {
    match s {
        Shortfall::RowsShort { rows, unit } => format!("差{rows}{}", row_unit(unit.as_ref())),
        Shortfall::RowsFailing { rows, unit } => {
            format!("{rows}{}不符合", row_unit(unit.as_ref()))
        }
        Shortfall::RowsLate { rows, unit } => {
            format!("{rows}{}逾期或未填写", row_unit(unit.as_ref()))
        }
        Shortfall::Fewer { by, unit } => format!("少{by}{}", unit.as_deref().unwrap_or("")),
        Shortfall::More { by, unit } => format!("多{by}{}", unit.as_deref().unwrap_or("")),
        Shortfall::Amount {
            value: Quantity::Share { value },
        } => format!("差{}个百分点", num::show(num::round2(value * 100.0))),
        Shortfall::Amount { value } => format!("差{}", quantity(value)),
        Shortfall::Late { date, due, days } => format!("{date}晚于{due}（逾期{days}天）"),
        Shortfall::Early { date, due } => format!("{date}早于{due}"),
        Shortfall::Documents { labels } => format!("缺{}", labels.join("、")),
        Shortfall::Parts { labels } => format!("未满足：{}", parts(labels)),
        Shortfall::Periods { periods, unit } => periods
            .iter()
            .map(|c| period_count(c, unit.as_ref()))
            .collect::<Vec<_>>()
            .join("；"),
    }
}

/// Where a measured value came from: `据台账核算`, `据填报数`.
pub fn source(s: Source) -> &'static str {
    match s {
        Source::Register => "据台账核算",
        Source::Stated => "据填报数",
        Source::Mixed => "据台账核算及填报数",
    }
}

/// A measured value with where it came from: `100%（据填报数）`.
pub fn sourced(q: &Quantity, s: Option<Source>) -> String {
    match s {
        Some(s) => format!("{}（{}）", quantity(q), source(s)),
        None => quantity(q),
    }
}

/// A stated figure that disagrees with what the rows give:
/// `疑似虚报：已配备法治副校长的学校数填报36，据台账核算为35`.
pub fn reconciled(r: &Reconciled) -> String {
    let finding = match r.finding {
        Finding::Inconsistent => "数据不一致",
        Finding::Overstated => "疑似虚报",
    };
    let against = match r.against {
        Source::Register => "据台账核算为",
        _ => "据其他填报数计算为",
    };
    format!(
        "{finding}：{}填报{}，{against}{}",
        r.label,
        quantity(&r.stated),
        quantity(&r.computed)
    )
}

/// Serde helpers for the assessment JSON: a typed value with its words beside it, under
/// `text` (`{"kind": "share", "value": 0.3333, "text": "33.33%"}`).
pub mod with_text {
    use serde::Serialize;
    use serde::ser::{Error, Serializer};

    fn with<T: Serialize, S: Serializer>(
        value: &Option<T>,
        text: impl Fn(&T) -> String,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let Some(value) = value else {
            return s.serialize_none();
        };
        let mut json = serde_json::to_value(value).map_err(S::Error::custom)?;
        if let Some(map) = json.as_object_mut() {
            map.insert("text".into(), text(value).into());
        }
        json.serialize(s)
    }

    pub fn quantity<S: Serializer>(
        q: &Option<crate::checks::Quantity>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        with(q, super::quantity, s)
    }

    pub fn requirement<S: Serializer>(
        r: &Option<crate::checks::Requirement>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        with(r, super::requirement, s)
    }

    /// The 缺报清单, each entry with its words under `text`.
    pub fn absent<S: Serializer>(xs: &[crate::assess::Absent], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(xs.iter().map(|x| WithText(x, crate::report::absent(x))))
    }

    /// Eligibility gates, each with its words under `text`.
    pub fn gates<S: Serializer>(
        gs: &[crate::assess::GateOutcome],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(gs.iter().map(|g| WithText(g, crate::report::gate(g))))
    }

    struct WithText<'a, T>(&'a T, String);

    impl<T: Serialize> Serialize for WithText<'_, T> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            with(&Some(self.0), |_| self.1.clone(), s)
        }
    }

    /// Warnings as their words, one string each.
    pub fn warnings<S: Serializer>(ws: &[crate::assess::Warning], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ws.iter().map(crate::report::warning))
    }

    /// What an item's scoring can give, with its words under `text`.
    pub fn possible<S: Serializer>(p: &crate::score::Possible, s: S) -> Result<S::Ok, S::Error> {
        with(&Some(p), |p| crate::report::possible(p), s)
    }

    /// A status and, under `status_label`, its words (flattened into the item).
    pub fn status<S: Serializer>(status: &crate::score::Status, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("status", status)?;
        map.serialize_entry("status_label", crate::report::status_label(*status))?;
        map.end()
    }

    /// Conditions as their words, one string each.
    pub fn conditions<S: Serializer>(
        ds: &[crate::checks::Described],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(ds.iter().map(crate::report::condition))
    }

    /// What a row or an item misses, one string each.
    pub fn misses<S: Serializer>(ms: &[crate::checks::Miss], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ms.iter().map(crate::report::miss))
    }

    pub fn shortfall<S: Serializer>(
        r: &Option<crate::checks::Shortfall>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        with(r, super::shortfall, s)
    }

    /// A quantity that is always there, with its words.
    pub fn quantity_always<S: Serializer>(
        q: &crate::checks::Quantity,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        with(&Some(q), |q| super::quantity(q), s)
    }

    /// Graded bands' outcome, with its words under `text`.
    pub fn band<S: Serializer>(
        b: &Option<crate::score::BandStep>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        with(b, crate::report::steps::band, s)
    }

    /// A reviewed item's reviewers and result, with its words under `text`.
    pub fn review<S: Serializer>(
        r: &Option<crate::score::ReviewStep>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        with(r, crate::report::steps::review, s)
    }

    /// Where a measured value came from, with its words under `text`.
    pub fn source<S: Serializer>(
        src: &Option<crate::checks::stated::Source>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Sourced {
            kind: crate::checks::stated::Source,
            text: &'static str,
        }
        src.map(|kind| Sourced {
            kind,
            text: super::source(kind),
        })
        .serialize(s)
    }

    /// Stated figures that disagree with the rows, each with its words under `text`.
    pub fn reconciled<S: Serializer>(
        rs: &[crate::checks::stated::Reconciled],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(rs.iter().map(|r| WithText(r, super::reconciled(r))))
    }

    /// A re-check's reviewers, combined score and the score kept, with its words under
    /// `text`.
    pub fn recheck<S: Serializer>(
        r: &Option<crate::score::RecheckStep>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        with(r, crate::report::steps::recheck, s)
    }

    /// A deduction schedule's clauses, each with its words under `text`.
    pub fn clauses<S: Serializer>(
        cs: &[crate::score::ClauseStep],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut out = Vec::with_capacity(cs.len());
        for c in cs {
            let mut json = serde_json::to_value(c).map_err(S::Error::custom)?;
            if let Some(map) = json.as_object_mut() {
                map.insert("text".into(), crate::report::steps::clause(c).into());
            }
            out.push(json);
        }
        out.serialize(s)
    }
}

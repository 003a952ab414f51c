//! The items a report lists besides the gaps: those that left the scoring base (不计分项),
//! with why, and the bonus items (加分项), with their points.

use serde::Serialize;

use crate::assess::{Assessment, ItemOutcome};
use crate::checks::Step;
use crate::num::show;
use crate::pack::ItemKind;
use crate::score::{Exclusion, ScoreStep, Status};

/// An item outside the scoring base.
#[derive(Debug, Clone, Serialize)]
pub struct Excluded {
    pub id: String,
    pub title: String,
    pub points: String,
    /// `不适用：…`, `豁免：…`, `缺数据视同不适用：…`.
    pub why: String,
}

/// A bonus item and what it added.
#[derive(Debug, Clone, Serialize)]
pub struct Bonus {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub awarded: String,
    /// The most the item can add.
    pub points: String,
}

/// The standard items that did not count, in section order.
pub fn excluded(a: &Assessment) -> Vec<Excluded> {
    in_section_order(a)
        .filter(|o| o.kind == ItemKind::Standard)
        .filter_map(|o| {
            let (why, award) = o.explain.iter().find_map(|s| match s {
                Step::Scored(ScoreStep::Excluded { why, award, .. }) => Some((*why, *award)),
                _ => None,
            })?;
            let mut text = match (o.status, why) {
                (Status::Waived, _) => match &o.waiver {
                    Some(w) => format!("豁免：{}", w.reason),
                    None => "豁免".into(),
                },
                (_, Exclusion::MissingData) => {
                    format!("缺数据视同不适用：{}", super::misses(&o.missing))
                }
                (_, Exclusion::NotApplicable) => not_applicable(o),
            };
            if award {
                text.push_str(&format!("（按规则包计满分{}分）", show(o.points)));
            }
            Some(Excluded {
                id: o.id.clone(),
                title: o.title.clone(),
                points: show(o.points),
                why: text,
            })
        })
        .collect()
}

/// Why an item does not apply, from the steps that decided it.
fn not_applicable(o: &ItemOutcome) -> String {
    let why = o.explain.iter().find_map(|s| match s {
        Step::DoesNotApply { conditions } => {
            Some(format!("适用条件不满足（{}）", super::misses(conditions)))
        }
        Step::ZeroDenominator { label } => Some(format!("{label}为0，分母为零")),
        Step::NoRows => Some("无此类事项（纳入范围的记录为0）".into()),
        _ => None,
    });
    match why {
        Some(why) => format!("不适用：{why}"),
        None => "不适用".into(),
    }
}

/// The bonus items, in section order.
pub fn bonus(a: &Assessment) -> Vec<Bonus> {
    in_section_order(a)
        .filter(|o| o.kind == ItemKind::Bonus)
        .map(|o| Bonus {
            id: o.id.clone(),
            title: o.title.clone(),
            status: super::status_label(o.status),
            awarded: show(o.awarded),
            points: show(o.points),
        })
        .collect()
}

/// `加分合计4分，超过上限，计3分` when the pack's cap cut the bonus.
pub fn bonus_cap_note(a: &Assessment) -> Option<String> {
    let s = &a.score;
    (s.bonus_uncapped > s.bonus + 1e-9).then(|| {
        format!(
            "加分合计{}分，超过加分上限，计{}分",
            show(s.bonus_uncapped),
            show(s.bonus)
        )
    })
}

/// Items by section (the assessment's section order), pack order within a section.
pub fn in_section_order(a: &Assessment) -> impl Iterator<Item = &ItemOutcome> {
    a.sections
        .iter()
        .flat_map(move |s| a.items.iter().filter(move |o| o.section == s.id))
}

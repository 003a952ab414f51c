//! What a pack revision changes: the same submissions assessed under an old and a new pack,
//! compared bureau by bureau and item by item (items matched by id).
//!
//! For each bureau: the score, grade and vetoes under each pack, and every item whose verdict
//! moved (status, points earned or counted, or a veto that fires under one pack only), or
//! that only one pack has. Overall: how many bureaus change grade, up or down, and per item
//! how many bureaus it moved and how many grade changes it explains. An item explains a
//! grade change when it moved the score the same way: a veto that fires only under the new
//! pack explains a fall, one that fires only under the old a rise; otherwise a standard item
//! that loses more points (`available − awarded`) explains a fall and one that loses fewer a
//! rise, and a bonus item by what it adds.

use indexmap::IndexMap;
use serde::Serialize;

use crate::assess::{Assessment, ItemOutcome, PackRef};
use crate::num;
use crate::pack::{ItemKind, Pack};
use crate::score::Status;
use crate::submission::Bureau;

/// The version of a comparison's JSON (`schemas/compare.schema.json`).
pub const SCHEMA: &str = "kaohe.compare/1";

/// Points closer than this are the same (scores are published to 0.01).
const SAME: f64 = 0.005;

/// The same submissions under two packs.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub schema: &'static str,
    pub old: PackRef,
    pub new: PackRef,
    pub summary: Summary,
    /// The items that moved for any bureau: those that explain the most grade changes
    /// first, then those that moved the most bureaus, then in the new pack's order (items
    /// only the old pack has last).
    pub items: Vec<ItemEffect>,
    /// In the order the submissions were given.
    pub bureaus: Vec<BureauChange>,
}

/// The counts over all bureaus.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub bureaus: usize,
    /// Bureaus whose grade differs between the packs.
    pub grade_changes: usize,
    pub grade_up: usize,
    pub grade_down: usize,
    /// Grade changes that no item explains (the grade bands, the total or the bonus cap
    /// changed).
    pub grade_changes_unexplained: usize,
    pub score_up: usize,
    pub score_down: usize,
    pub score_same: usize,
    /// How many bureaus each grade has under each pack: the new pack's bands in order, then
    /// any band only the old pack has.
    pub grades: Vec<GradeCount>,
}

/// One grade's bureaus under each pack.
#[derive(Debug, Clone, Serialize)]
pub struct GradeCount {
    pub grade: String,
    pub old: usize,
    pub new: usize,
}

/// One item across all bureaus.
#[derive(Debug, Clone, Serialize)]
pub struct ItemEffect {
    pub id: String,
    pub title: String,
    pub change: Presence,
    /// Bureaus for which the item moved.
    pub bureaus: usize,
    /// Of those, the bureaus whose score it moved up, and down.
    pub up: usize,
    pub down: usize,
    /// Grade changes it explains.
    pub grade_changes: usize,
    /// The bureaus whose grade change it explains, by their submission file (`file` of
    /// `bureaus`), in the order given.
    pub grade_changed: Vec<String>,
}

/// Which packs have an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Both packs.
    Both,
    /// Only the new pack.
    Added,
    /// Only the old pack.
    Removed,
}

/// The way a grade, a score or an item moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
    Same,
}

/// One bureau under both packs.
#[derive(Debug, Clone, Serialize)]
pub struct BureauChange {
    /// The submission file, as given.
    pub file: String,
    pub bureau: Bureau,
    pub year: i32,
    pub old: Standing,
    pub new: Standing,
    /// `new.score − old.score`.
    pub score_change: f64,
    pub grade_change: Direction,
    /// The items that explain the grade change, in the order of `items`.
    pub explained_by: Vec<String>,
    /// The items that moved: in the new pack's section order, then items only the old pack
    /// has, in its order.
    pub items: Vec<ItemChange>,
}

/// A bureau's result under one pack.
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    pub score: f64,
    pub grade: String,
    pub vetoed: bool,
    pub vetoes: Vec<String>,
}

/// An item whose verdict moved for a bureau.
#[derive(Debug, Clone, Serialize)]
pub struct ItemChange {
    pub id: String,
    /// The new pack's title (the old one's for a removed item).
    pub title: String,
    pub kind: ItemKind,
    pub change: Presence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<ItemVerdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<ItemVerdict>,
    /// Points earned under the new pack less under the old (an absent item earns 0).
    pub awarded_change: f64,
    /// Which way it moved the score (see the module's notes).
    pub effect: Direction,
    /// It moved the score the way the grade changed.
    pub explains_grade_change: bool,
}

/// An item's verdict under one pack.
#[derive(Debug, Clone, Serialize)]
pub struct ItemVerdict {
    /// Written with its words beside it, under `status_label`.
    #[serde(flatten, serialize_with = "crate::report::with_text::status")]
    pub status: Status,
    /// The item's points in the pack.
    pub points: f64,
    /// Points that count in the scoring base.
    pub available: f64,
    pub awarded: f64,
    /// A veto (a veto item, or a standard item's veto clause) fired.
    pub vetoed: bool,
}

/// One bureau's assessments under the old and the new pack, with the file it came from.
pub struct Pair<'a> {
    pub file: String,
    pub old: &'a Assessment,
    pub new: &'a Assessment,
}

/// Compares the assessments of the same submissions under two packs.
pub fn compare(old_pack: &Pack, new_pack: &Pack, pairs: &[Pair]) -> Comparison {
    let bureaus: Vec<BureauChange> = pairs
        .iter()
        .map(|p| bureau(old_pack, new_pack, p))
        .collect();
    let items = effects(&bureaus);
    // A bureau's explaining items in the order of the overall list.
    let order: IndexMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let bureaus = bureaus
        .into_iter()
        .map(|mut b| {
            let mut explained: Vec<&ItemChange> =
                b.items.iter().filter(|c| c.explains_grade_change).collect();
            explained.sort_by_key(|c| order.get(c.id.as_str()).copied().unwrap_or(usize::MAX));
            b.explained_by = explained.iter().map(|c| c.id.clone()).collect();
            b
        })
        .collect::<Vec<_>>();
    Comparison {
        schema: SCHEMA,
        old: pairs
            .first()
            .map(|p| p.old.pack.clone())
            .unwrap_or_else(|| pack_ref(old_pack)),
        new: pairs
            .first()
            .map(|p| p.new.pack.clone())
            .unwrap_or_else(|| pack_ref(new_pack)),
        summary: summary(old_pack, new_pack, &bureaus),
        items,
        bureaus,
    }
}

fn pack_ref(pack: &Pack) -> PackRef {
    PackRef {
        id: pack.meta.id.clone(),
        title: pack.meta.title.clone(),
        version: pack.meta.version.clone(),
        digest: crate::assess::pack_digest(pack),
    }
}

fn standing(a: &Assessment) -> Standing {
    Standing {
        score: a.score.score,
        grade: a.score.grade.clone(),
        vetoed: a.score.vetoed,
        vetoes: a.score.vetoes.clone(),
    }
}

/// The direction from `old` to `new`, to 0.01.
fn direction(old: f64, new: f64) -> Direction {
    if new > old + SAME {
        Direction::Up
    } else if new + SAME < old {
        Direction::Down
    } else {
        Direction::Same
    }
}

/// Which way the grade moved: by the bands' order in the new pack when it has both grades,
/// else in the old pack, else (a band renamed) by the score.
fn grade_direction(old_pack: &Pack, new_pack: &Pack, old: &Standing, new: &Standing) -> Direction {
    if old.grade == new.grade {
        return Direction::Same;
    }
    // Bands are listed from the best grade down.
    let rank = |pack: &Pack, grade: &str| pack.scoring.grades.iter().position(|g| g.name == grade);
    let ranks = [new_pack, old_pack]
        .into_iter()
        .find_map(|p| Some((rank(p, &old.grade)?, rank(p, &new.grade)?)));
    match ranks {
        Some((o, n)) if n < o => Direction::Up,
        Some((o, n)) if n > o => Direction::Down,
        _ => direction(old.score, new.score),
    }
}

fn verdict(a: &Assessment, o: &ItemOutcome) -> ItemVerdict {
    ItemVerdict {
        status: o.status,
        points: o.points,
        available: o.available,
        awarded: o.awarded,
        vetoed: a.score.vetoes.contains(&o.id),
    }
}

/// Items in section order (pack order within a section), as reports list them.
fn in_section_order(a: &Assessment) -> Vec<&ItemOutcome> {
    let mut out: Vec<&ItemOutcome> = crate::report::in_section_order(a).collect();
    // An item in no listed section would otherwise be lost.
    for o in &a.items {
        if !out.iter().any(|x| x.id == o.id) {
            out.push(o);
        }
    }
    out
}

/// Which way an item moved the score; see the module's notes.
fn effect(kind: ItemKind, old: Option<&ItemVerdict>, new: Option<&ItemVerdict>) -> Direction {
    let vetoed = |v: Option<&ItemVerdict>| v.is_some_and(|v| v.vetoed);
    match (vetoed(old), vetoed(new)) {
        (false, true) => return Direction::Down,
        (true, false) => return Direction::Up,
        _ => {}
    }
    match kind {
        ItemKind::Veto => Direction::Same,
        ItemKind::Bonus => direction(
            old.map_or(0.0, |v| v.awarded),
            new.map_or(0.0, |v| v.awarded),
        ),
        ItemKind::Standard => {
            let lost = |v: Option<&ItemVerdict>| v.map_or(0.0, |v| v.available - v.awarded);
            // Losing more is moving down.
            direction(lost(new), lost(old))
        }
    }
}

fn moved(old: &ItemVerdict, new: &ItemVerdict) -> bool {
    old.status != new.status
        || old.vetoed != new.vetoed
        || direction(old.awarded, new.awarded) != Direction::Same
        || direction(old.available, new.available) != Direction::Same
}

fn bureau(old_pack: &Pack, new_pack: &Pack, p: &Pair) -> BureauChange {
    let old = standing(p.old);
    let new = standing(p.new);
    let grade_change = grade_direction(old_pack, new_pack, &old, &new);
    let old_items: IndexMap<&str, &ItemOutcome> = in_section_order(p.old)
        .into_iter()
        .map(|o| (o.id.as_str(), o))
        .collect();
    let mut items = Vec::new();
    let mut push = |kind, title: &str, id: &str, change, o: Option<ItemVerdict>, n| {
        let (o, n): (Option<ItemVerdict>, Option<ItemVerdict>) = (o, n);
        let effect = effect(kind, o.as_ref(), n.as_ref());
        items.push(ItemChange {
            id: id.to_string(),
            title: title.to_string(),
            kind,
            change,
            awarded_change: num::round2(
                n.as_ref().map_or(0.0, |v| v.awarded) - o.as_ref().map_or(0.0, |v| v.awarded),
            ),
            old: o,
            new: n,
            effect,
            explains_grade_change: grade_change != Direction::Same && effect == grade_change,
        });
    };
    for n in in_section_order(p.new) {
        let new_verdict = verdict(p.new, n);
        match old_items.get(n.id.as_str()) {
            Some(o) => {
                let old_verdict = verdict(p.old, o);
                if moved(&old_verdict, &new_verdict) {
                    push(
                        n.kind,
                        &n.title,
                        &n.id,
                        Presence::Both,
                        Some(old_verdict),
                        Some(new_verdict),
                    );
                }
            }
            None => push(
                n.kind,
                &n.title,
                &n.id,
                Presence::Added,
                None,
                Some(new_verdict),
            ),
        }
    }
    for (id, o) in &old_items {
        if !p.new.items.iter().any(|n| n.id == *id) {
            push(
                o.kind,
                &o.title,
                id,
                Presence::Removed,
                Some(verdict(p.old, o)),
                None,
            );
        }
    }
    BureauChange {
        file: p.file.clone(),
        bureau: p.new.submission.bureau.clone(),
        year: p.new.submission.year,
        score_change: num::round2(new.score - old.score),
        old,
        new,
        grade_change,
        explained_by: Vec::new(),
        items,
    }
}

/// Every item that moved for some bureau, the ones that explain the most grade changes
/// first.
fn effects(bureaus: &[BureauChange]) -> Vec<ItemEffect> {
    let mut by_id: IndexMap<String, ItemEffect> = IndexMap::new();
    // First seen order: the new pack's order, bureau by bureau; removed items come after
    // the new pack's within each bureau, so they are put last below.
    for b in bureaus {
        for c in &b.items {
            let e = by_id.entry(c.id.clone()).or_insert_with(|| ItemEffect {
                id: c.id.clone(),
                title: c.title.clone(),
                change: c.change,
                bureaus: 0,
                up: 0,
                down: 0,
                grade_changes: 0,
                grade_changed: Vec::new(),
            });
            e.bureaus += 1;
            match c.effect {
                Direction::Up => e.up += 1,
                Direction::Down => e.down += 1,
                Direction::Same => {}
            }
            if c.explains_grade_change {
                e.grade_changes += 1;
                e.grade_changed.push(b.file.clone());
            }
        }
    }
    let mut items: Vec<(usize, ItemEffect)> = by_id.into_values().enumerate().collect();
    items.sort_by(|(ia, a), (ib, b)| {
        b.grade_changes
            .cmp(&a.grade_changes)
            .then(b.bureaus.cmp(&a.bureaus))
            .then((a.change == Presence::Removed).cmp(&(b.change == Presence::Removed)))
            .then(ia.cmp(ib))
    });
    items.into_iter().map(|(_, e)| e).collect()
}

fn summary(old_pack: &Pack, new_pack: &Pack, bureaus: &[BureauChange]) -> Summary {
    let count = |f: &dyn Fn(&BureauChange) -> bool| bureaus.iter().filter(|b| f(b)).count();
    let mut grades: IndexMap<String, GradeCount> = IndexMap::new();
    for g in new_pack
        .scoring
        .grades
        .iter()
        .chain(&old_pack.scoring.grades)
    {
        grades.entry(g.name.clone()).or_insert_with(|| GradeCount {
            grade: g.name.clone(),
            old: 0,
            new: 0,
        });
    }
    for b in bureaus {
        let blank = |grade: &str| GradeCount {
            grade: grade.to_string(),
            old: 0,
            new: 0,
        };
        grades
            .entry(b.old.grade.clone())
            .or_insert_with(|| blank(&b.old.grade))
            .old += 1;
        grades
            .entry(b.new.grade.clone())
            .or_insert_with(|| blank(&b.new.grade))
            .new += 1;
    }
    Summary {
        bureaus: bureaus.len(),
        grade_changes: count(&|b| b.grade_change != Direction::Same),
        grade_up: count(&|b| b.grade_change == Direction::Up),
        grade_down: count(&|b| b.grade_change == Direction::Down),
        grade_changes_unexplained: count(&|b| {
            b.grade_change != Direction::Same && b.explained_by.is_empty()
        }),
        score_up: count(&|b| direction(b.old.score, b.new.score) == Direction::Up),
        score_down: count(&|b| direction(b.old.score, b.new.score) == Direction::Down),
        score_same: count(&|b| direction(b.old.score, b.new.score) == Direction::Same),
        grades: grades.into_values().collect(),
    }
}

//! The shipped packs' tests pin their behaviour: every valid one-number change of a pack
//! (an item's points, a per-unit deduction or award, a cap, and whatever each check kind
//! offers: minimum shares and counts both ways, due dates, bounds in `where`, `require`,
//! `applies_if` and fact conditions, points moved between scored parts) makes at least one of
//! the pack's own test cases fail. A deduction schedule's clauses are changed one at a time:
//! `per` and `cap` halved and doubled, and the clause's check as any check.
//!
//! Each mutant is a copy of the composed pack in memory with one number changed. A mutant that
//! `kaohe check` would reject is skipped; the others run the pack's test cases, read once.

use std::path::Path;

use kaohe::checks::predicate;
use kaohe::pack::{Award, Band, Clause, Deduct, ItemKind, Pack, Percent, Threshold};

/// A description of the change and the changed pack.
type Mutant = (String, Pack);

fn with_item(pack: &Pack, i: usize, label: String, change: impl FnOnce(&mut Pack)) -> Mutant {
    let mut copy = pack.clone();
    change(&mut copy);
    (format!("{}: {label}", pack.items[i].id), copy)
}

/// An item's points moved by `delta`, with its section, the sections it is in and the total
/// kept consistent.
fn move_points(p: &mut Pack, i: usize, delta: f64) {
    p.items[i].points += delta;
    if p.items[i].kind == ItemKind::Standard {
        let mut section = Some(p.items[i].section.clone());
        while let Some(id) = section {
            section = p.sections.iter_mut().find(|s| s.id == id).and_then(|s| {
                s.points += delta;
                s.parent.clone()
            });
        }
        p.scoring.total += delta;
    }
}

/// Every mutant of the items `own` selects.
fn mutants(pack: &Pack, own: impl Fn(usize) -> bool) -> Vec<Mutant> {
    let mut out = Vec::new();
    for (i, item) in pack.items.iter().enumerate() {
        if !own(i) {
            continue;
        }
        if item.kind != ItemKind::Veto {
            for delta in [-1.0, 1.0] {
                if item.points + delta <= 0.0 {
                    continue;
                }
                let label = format!("points {} → {}", item.points, item.points + delta);
                out.push(with_item(pack, i, label, |p| move_points(p, i, delta)));
            }
        }
        if let Deduct::PerUnit { per_unit, cap } = item.deduct {
            for new in [per_unit / 2.0, per_unit * 2.0] {
                let label = format!("per_unit {per_unit} → {new}");
                out.push(with_item(pack, i, label, |p| {
                    p.items[i].deduct = Deduct::PerUnit { per_unit: new, cap };
                }));
            }
            if let Some(cap) = cap {
                for new in [cap / 2.0, cap * 2.0] {
                    let label = format!("cap {cap} → {new}");
                    out.push(with_item(pack, i, label, |p| {
                        p.items[i].deduct = Deduct::PerUnit {
                            per_unit,
                            cap: Some(new),
                        };
                    }));
                }
            }
        }
        if let Some(Award::PerUnit { per_unit }) = item.award {
            for new in [per_unit / 2.0, per_unit * 2.0] {
                let label = format!("award per_unit {per_unit} → {new}");
                out.push(with_item(pack, i, label, |p| {
                    p.items[i].award = Some(Award::PerUnit { per_unit: new });
                }));
            }
        }
        for (label, changed) in item.applies_if.iter().flat_map(predicate::mutants) {
            let label = format!("applies_if {label}");
            out.push(with_item(pack, i, label, |p| {
                p.items[i].applies_if = Some(changed);
            }));
        }
        // A schedule: each clause's `per`, `cap` and check, the item's check made again.
        for (c, clause) in item.deduct.clauses().iter().enumerate() {
            let set = |p: &mut Pack, change: &dyn Fn(&mut Clause)| {
                if let Deduct::Schedule { schedule } = &mut p.items[i].deduct {
                    change(&mut schedule[c]);
                }
                p.items[i].schedule_check();
            };
            let at = format!("schedule[{c}]");
            for new in [clause.per / 2.0, clause.per * 2.0] {
                let label = format!("{at} per {} → {new}", clause.per);
                out.push(with_item(pack, i, label, |p| set(p, &|cl| cl.per = new)));
            }
            if let Some(cap) = clause.cap {
                for new in [cap / 2.0, cap * 2.0] {
                    let label = format!("{at} cap {cap} → {new}");
                    out.push(with_item(pack, i, label, |p| {
                        set(p, &|cl| cl.cap = Some(new))
                    }));
                }
            }
            for (label, kind) in clause.check.kind.spec().mutants() {
                let label = format!("{at} {} {label}", clause.check.kind.name());
                out.push(with_item(pack, i, label, |p| {
                    set(p, &|cl| cl.check.kind = kind.clone())
                }));
            }
        }
        // Graded bands: each band's bound moved both ways (5 percentage points, or 1), and its
        // points halved and doubled.
        if let Deduct::Bands { bands } = &item.deduct {
            for (b, band) in bands.iter().enumerate() {
                let mins = match band.min {
                    Threshold::Percent(p) => [p.0 - 0.05, p.0 + 0.05]
                        .map(|x| Threshold::Percent(Percent((x * 100.0).round() / 100.0)))
                        .to_vec(),
                    Threshold::Count(n) => [n.checked_sub(1), n.checked_add(1)]
                        .into_iter()
                        .flatten()
                        .map(Threshold::Count)
                        .collect(),
                };
                let set = |p: &mut Pack, band: Band| {
                    if let Deduct::Bands { bands } = &mut p.items[i].deduct {
                        bands[b] = band;
                    }
                };
                for min in mins {
                    let label = format!("bands[{b}] min {} → {}", show(band.min), show(min));
                    out.push(with_item(pack, i, label, |p| set(p, Band { min, ..*band })));
                }
                for points in [band.points / 2.0, band.points * 2.0] {
                    let label = format!("bands[{b}] points {} → {points}", band.points);
                    out.push(with_item(pack, i, label, |p| {
                        set(p, Band { points, ..*band })
                    }));
                }
            }
        }
        if !item.deduct.clauses().is_empty() {
            continue;
        }
        let check = &item.check;
        for (label, kind) in check.kind.spec().mutants() {
            let label = format!("{} {label}", check.kind.name());
            out.push(with_item(pack, i, label, |p| p.items[i].check.kind = kind));
        }
    }
    out
}

/// A band's bound as a pack writes it.
fn show(t: Threshold) -> String {
    match t {
        Threshold::Percent(p) => p.to_string(),
        Threshold::Count(n) => n.to_string(),
    }
}

/// Changes that no test can notice, each with the reason.
const EQUIVALENT: &[(&str, &str)] = &[
    (
        "edu-rule-of-law: MODEL-01: count min 1 → 0",
        "a bonus earned per counted row earns 0 for 0 rows whether or not 0 rows pass",
    ),
    (
        "edu-rule-of-law: MODEL-02: count min 1 → 0",
        "a bonus earned per counted row earns 0 for 0 rows whether or not 0 rows pass",
    ),
];

#[test]
fn every_valid_change_fails_a_pack_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `KAOHE_MUTANT_PACKS=dir1:dir2` runs the same check on packs in development.
    let mut dirs: Vec<_> = match std::env::var("KAOHE_MUTANT_PACKS") {
        Ok(list) => list.split(':').map(|d| root.join(d)).collect(),
        Err(_) => std::fs::read_dir(root.join("rules"))
            .expect("rules/")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.join("tests").is_dir())
            .chain([
                root.join("tests/compare"),
                root.join("tests/veto-clause"),
                root.join("tests/periods"),
                root.join("tests/engine/schedule"),
            ])
            .collect(),
    };
    dirs.sort();
    assert!(!dirs.is_empty(), "a shipped pack has tests");
    let mut survivors = Vec::new();
    let (mut total, mut invalid) = (0, 0);
    for dir in dirs {
        let loaded = kaohe::pack::load(&dir).expect("pack directory");
        let Some(pack) = loaded.pack.as_ref() else {
            panic!("{} is not valid", dir.display());
        };
        let suite = kaohe::verify::Suite::new(&loaded);
        assert!(
            suite.passes(pack),
            "{}: its tests pass unchanged",
            pack.meta.id
        );
        // An overlay answers for what it changes or adds; its base's tests pin the rest.
        let own_dir = kaohe::diag::display_path(&dir);
        let own = |i: usize| {
            let origin = &loaded.provenance.items[i];
            let scoring = [
                "points",
                "check",
                "min",
                "max",
                "deduct",
                "award",
                "applies_if",
            ];
            pack.bases.is_empty()
                || origin.fields.keys().any(|f| scoring.contains(f))
                || loaded
                    .sources
                    .file(origin.at.file)
                    .path
                    .starts_with(&own_dir)
        };
        let all: Vec<Mutant> = mutants(pack, own);
        let count = all.len();
        let valid: Vec<Mutant> = all
            .into_iter()
            .filter(|(_, m)| kaohe::pack::still_valid(&loaded, m))
            .collect();
        total += valid.len();
        invalid += count - valid.len();
        // Mutants are independent: run them on every core.
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = valid.len().div_ceil(workers).max(1);
        let suite = &suite;
        let survived: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = valid
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .filter(|(_, mutant)| suite.passes(mutant))
                            .map(|(label, _)| label.clone())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a mutant run panicked"))
                .collect()
        });
        survivors.extend(
            survived
                .into_iter()
                .map(|l| format!("{}: {l}", pack.meta.id))
                .filter(|l| !EQUIVALENT.iter().any(|(e, _)| e == l)),
        );
    }
    assert!(total > 0, "no valid mutant ({invalid} invalid)");
    assert!(
        survivors.is_empty(),
        "{} of {total} valid changes ({invalid} invalid ones skipped) pass every test:\n{}",
        survivors.len(),
        survivors.join("\n")
    );
}

/// The mutation test would be blind if invalid mutants were run: a mutant `kaohe check`
/// rejects is recognised as such.
#[test]
fn an_invalid_mutant_is_recognised() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/edu-rule-of-law");
    let loaded = kaohe::pack::load(&dir).expect("pack directory");
    let pack = loaded.pack.as_ref().expect("valid");
    assert!(kaohe::pack::still_valid(&loaded, pack));
    let mut broken = pack.clone();
    broken.items[0].points += 1.0; // the section's points no longer add up
    assert!(!kaohe::pack::still_valid(&loaded, &broken));
}

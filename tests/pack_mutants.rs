//! The shipped packs' tests pin their behaviour: changing any item's points or any threshold
//! (a minimum share or count, a per-unit deduction or award, a cap, a due date, a numeric bound
//! in a condition) makes at least one of the pack's own test cases fail.
//!
//! Each mutant is a copy of the composed pack in memory with one number changed; the pack's
//! test cases are run against it with `kaohe::verify`, exactly as `kaohe test` runs them.

use std::path::Path;

use kaohe::pack::{
    Award, Check, Condition, Deduct, Due, ItemKind, Literal, Operand, Ops, Pack, Percent, Predicate,
};

/// A description of the change and the changed pack.
type Mutant = (String, Pack);

fn with_item(
    pack: &Pack,
    index: usize,
    label: String,
    change: impl FnOnce(&mut Pack, usize),
) -> Mutant {
    let mut copy = pack.clone();
    change(&mut copy, index);
    (format!("{}: {label}", pack.items[index].id), copy)
}

/// Every one-number change of a check tree, as (description, new check).
fn check_mutants(check: &Check, path: &str) -> Vec<(String, Check)> {
    let mut out = Vec::new();
    let mut push = |label: String, f: &dyn Fn(&mut Check)| {
        let mut c = check.clone();
        f(&mut c);
        out.push((format!("{path}{label}"), c));
    };
    // A minimum share 10 points lower and higher (where that stays within 0%–100%).
    let shares = [
        ("coverage", check.coverage.as_ref().map(|c| c.min)),
        ("ratio", check.ratio.as_ref().map(|r| r.min)),
    ];
    for (kind, min) in shares {
        let Some(min) = min else { continue };
        for new in [min.0 - 0.1, min.0 + 0.1] {
            if !(-1e-9..=1.0 + 1e-9).contains(&new) {
                continue;
            }
            push(format!("{kind} min {min} → {}", Percent(new)), &|k| match (
                kind,
                &mut k.coverage,
                &mut k.ratio,
            ) {
                ("coverage", Some(c), _) => c.min = Percent(new),
                (_, _, Some(r)) => r.min = Percent(new),
                _ => {}
            });
        }
    }
    if let Some(c) = &check.count {
        if let Some(min) = c.min {
            push(format!("count min {min} → {}", min + 1), &|k| {
                if let Some(c) = &mut k.count {
                    c.min = Some(min + 1);
                }
            });
            if min > 0 {
                push(format!("count min {min} → {}", min - 1), &|k| {
                    if let Some(c) = &mut k.count {
                        c.min = Some(min - 1);
                    }
                });
            }
        }
        if let Some(max) = c.max {
            push(format!("count max {max} → {}", max + 1), &|k| {
                if let Some(c) = &mut k.count {
                    c.max = Some(max + 1);
                }
            });
        }
    }
    if let Some(d) = &check.deadline {
        for (name, due) in [
            ("on_or_before", &d.on_or_before),
            ("on_or_after", &d.on_or_after),
        ] {
            if let Some(Due::InYear {
                month,
                day,
                year_offset,
            }) = due
            {
                for shift in [-1i32, 1] {
                    let (m, y) = match i32::from(*month) + shift {
                        0 => (12, year_offset - 1),
                        13 => (1, year_offset + 1),
                        m => (m as u8, *year_offset),
                    };
                    let new = Due::InYear {
                        month: m,
                        day: *day,
                        year_offset: y,
                    };
                    push(format!("deadline {name} month {month} → {m}"), &|k| {
                        if let Some(d) = &mut k.deadline {
                            if name == "on_or_before" {
                                d.on_or_before = Some(new.clone());
                            } else {
                                d.on_or_after = Some(new.clone());
                            }
                        }
                    });
                }
            }
        }
    }
    // Bounds in conditions: `{hours: {gte: 4}}` → 5; `{start: {lte: {month: 1, day: 1}}}`
    // → month 2.
    let predicates: Vec<(&str, &Predicate)> = [
        ("fact", check.fact.as_ref()),
        (
            "coverage.require",
            check.coverage.as_ref().map(|c| &c.require),
        ),
        ("each.require", check.each.as_ref().map(|c| &c.require)),
        (
            "count.where",
            check.count.as_ref().and_then(|c| c.r#where.as_ref()),
        ),
    ]
    .into_iter()
    .filter_map(|(n, p)| p.map(|p| (n, p)))
    .collect();
    for (where_, predicate) in predicates {
        for (field, cond) in predicate {
            let Condition::Ops(ops) = cond else { continue };
            for (op, value) in bounds(ops) {
                let bumped = value + 1;
                let label = format!("{where_} {field} {op} {value} → {bumped}");
                push(label, &|k| {
                    if let Some(Condition::Ops(ops)) =
                        predicate_mut(k, where_).and_then(|p| p.get_mut(field))
                    {
                        set_bound(ops, op, bumped);
                    }
                });
            }
            for (op, month, day, year_offset) in year_dates(ops) {
                let (m, y) = if month == 12 {
                    (1, year_offset + 1)
                } else {
                    (month + 1, year_offset)
                };
                let label = format!("{where_} {field} {op} month {month} → {m}");
                push(label, &|k| {
                    if let Some(Condition::Ops(ops)) =
                        predicate_mut(k, where_).and_then(|p| p.get_mut(field))
                    {
                        set_operand(
                            ops,
                            op,
                            Operand::InYear {
                                month: m,
                                day,
                                year_offset: y,
                            },
                        );
                    }
                });
            }
        }
    }
    for (key, parts) in [("all", &check.all), ("any", &check.any)] {
        for (i, part) in parts.iter().flatten().enumerate() {
            for (label, changed) in check_mutants(part, &format!("{key}[{i}] ")) {
                let mut c = check.clone();
                let list = if key == "all" {
                    c.all.as_mut()
                } else {
                    c.any.as_mut()
                };
                if let Some(slot) = list.and_then(|l| l.get_mut(i)) {
                    *slot = changed;
                }
                out.push((format!("{path}{label}"), c));
            }
        }
    }
    if let Some(inner) = &check.not {
        for (label, changed) in check_mutants(inner, "not ") {
            let mut c = check.clone();
            c.not = Some(Box::new(changed));
            out.push((format!("{path}{label}"), c));
        }
    }
    out
}

fn bounds(ops: &Ops) -> Vec<(&'static str, i64)> {
    [
        ("gt", &ops.gt),
        ("gte", &ops.gte),
        ("lt", &ops.lt),
        ("lte", &ops.lte),
    ]
    .into_iter()
    .filter_map(|(name, op)| match op {
        Some(Operand::One(Literal::Int(v))) => Some((name, *v)),
        _ => None,
    })
    .collect()
}

fn set_bound(ops: &mut Ops, op: &str, value: i64) {
    set_operand(ops, op, Operand::One(Literal::Int(value)));
}

fn set_operand(ops: &mut Ops, op: &str, operand: Operand) {
    let slot = match op {
        "gt" => &mut ops.gt,
        "gte" => &mut ops.gte,
        "lt" => &mut ops.lt,
        _ => &mut ops.lte,
    };
    *slot = Some(operand);
}

/// Comparisons with a date in the assessment year: (operator, month, day, year offset).
fn year_dates(ops: &Ops) -> Vec<(&'static str, u8, u8, i32)> {
    [
        ("gt", &ops.gt),
        ("gte", &ops.gte),
        ("lt", &ops.lt),
        ("lte", &ops.lte),
    ]
    .into_iter()
    .filter_map(|(name, op)| match op {
        Some(Operand::InYear {
            month,
            day,
            year_offset,
        }) => Some((name, *month, *day, *year_offset)),
        _ => None,
    })
    .collect()
}

/// The predicate a mutant changes, by the name `check_mutants` gave it.
fn predicate_mut<'a>(check: &'a mut Check, which: &str) -> Option<&'a mut Predicate> {
    match which {
        "fact" => check.fact.as_mut(),
        "coverage.require" => check.coverage.as_mut().map(|c| &mut c.require),
        "each.require" => check.each.as_mut().map(|c| &mut c.require),
        _ => check.count.as_mut().and_then(|c| c.r#where.as_mut()),
    }
}

/// The mutants of the items `own` selects.
fn mutants(pack: &Pack, own: impl Fn(usize) -> bool) -> Vec<Mutant> {
    let mut out = Vec::new();
    for (i, item) in pack.items.iter().enumerate() {
        if !own(i) {
            continue;
        }
        if item.kind != ItemKind::Veto {
            out.push(with_item(
                pack,
                i,
                format!("points {} → {}", item.points, item.points + 1.0),
                |p, i| {
                    p.items[i].points += 1.0;
                    if p.items[i].kind == ItemKind::Standard {
                        let section = p.items[i].section.clone();
                        if let Some(s) = p.sections.iter_mut().find(|s| s.id == section) {
                            s.points += 1.0;
                        }
                        p.scoring.total += 1.0;
                    }
                },
            ));
        }
        if let Deduct::PerUnit { per_unit, cap } = item.deduct {
            out.push(with_item(
                pack,
                i,
                format!("per_unit {per_unit} → {}", per_unit * 2.0),
                |p, i| {
                    p.items[i].deduct = Deduct::PerUnit {
                        per_unit: per_unit * 2.0,
                        cap,
                    };
                },
            ));
            if let Some(cap) = cap {
                out.push(with_item(
                    pack,
                    i,
                    format!("cap {cap} → {}", cap / 2.0),
                    |p, i| {
                        p.items[i].deduct = Deduct::PerUnit {
                            per_unit,
                            cap: Some(cap / 2.0),
                        };
                    },
                ));
            }
        }
        if let Some(Award::PerUnit { per_unit }) = item.award {
            out.push(with_item(
                pack,
                i,
                format!("award per_unit {per_unit} → {}", per_unit / 2.0),
                |p, i| {
                    p.items[i].award = Some(Award::PerUnit {
                        per_unit: per_unit / 2.0,
                    });
                },
            ));
        }
        // A bonus earned per counted row earns 0 whether or not a count of 0 "passes": lowering
        // its minimum to 0 changes nothing a test could see.
        let per_unit_bonus = matches!(item.award, Some(Award::PerUnit { .. }));
        for (label, check) in check_mutants(&item.check, "") {
            if per_unit_bonus && label.starts_with("count min 1 → 0") {
                continue;
            }
            out.push(with_item(pack, i, label, |p, i| p.items[i].check = check));
        }
    }
    out
}

#[test]
fn every_points_and_threshold_change_fails_a_pack_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `KAOHE_MUTANT_PACKS=dir1:dir2` runs the same check on packs in development.
    let mut dirs: Vec<_> = match std::env::var("KAOHE_MUTANT_PACKS") {
        Ok(list) => list.split(':').map(|d| root.join(d)).collect(),
        Err(_) => std::fs::read_dir(root.join("rules"))
            .expect("rules/")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.join("tests").is_dir())
            .collect(),
    };
    dirs.sort();
    assert!(!dirs.is_empty(), "a shipped pack has tests");
    let mut survivors = Vec::new();
    let mut total = 0;
    for dir in dirs {
        let loaded = kaohe::pack::load(&dir).expect("pack directory");
        let Some(pack) = loaded.pack.as_ref() else {
            panic!("{} is not valid", dir.display());
        };
        assert!(
            kaohe::verify::run(pack).passed(),
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
        let all = mutants(pack, own);
        total += all.len();
        // Mutants are independent: run them on every core.
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = all.len().div_ceil(workers).max(1);
        let survived: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = all
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .filter(|(_, mutant)| kaohe::verify::run(mutant).passed())
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
                .map(|l| format!("{}: {l}", pack.meta.id)),
        );
    }
    assert!(
        survivors.is_empty(),
        "{} of {total} changes pass every test:\n{}",
        survivors.len(),
        survivors.join("\n")
    );
}

//! Seeded national-scale submissions for the shipped pack, for the benchmarks.
//!
//! ```text
//! cargo run --release --example national -- -o DIR [--bureaus 2850] [--schools-factor 1]
//!     [--format json|yaml|xlsx] [--seed 2024]
//! ```
//!
//! Writes `DIR/bureau-NNNN.{json,yaml,xlsx}`: one submission per bureau, every register
//! inline. Schools per bureau are skewed as county-level bureaus are (from 20 to 3,000, mean
//! about 170, times `--schools-factor`); the other registers grow with the schools (legal
//! vice-principals about one per school, inspections, training institutions, enforcement
//! officers, contracts) or are small (study sessions, documents, decisions, advisers,
//! lawsuits). Most rows comply; each bureau has its own failure rate, so the round has
//! every grade. The same seed gives the same bytes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rayon::prelude::*;
use serde_json::{Map, Value, json};

/// splitmix64: the same numbers on every machine.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Json,
    Yaml,
    Xlsx,
}

struct Args {
    out: PathBuf,
    bureaus: usize,
    schools_factor: f64,
    format: Format,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        out: PathBuf::new(),
        bureaus: 2850,
        schools_factor: 1.0,
        format: Format::Json,
        seed: 2024,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "-o" | "--output" => args.out = PathBuf::from(value()?),
            "--bureaus" => {
                args.bureaus = value()?.parse().map_err(|e| format!("--bureaus: {e}"))?;
            }
            "--schools-factor" => {
                args.schools_factor = value()?
                    .parse()
                    .map_err(|e| format!("--schools-factor: {e}"))?;
            }
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--format" => {
                args.format = match value()?.as_str() {
                    "json" => Format::Json,
                    "yaml" => Format::Yaml,
                    "xlsx" => Format::Xlsx,
                    other => return Err(format!("--format: `{other}` is not json, yaml or xlsx")),
                }
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.out.as_os_str().is_empty() {
        return Err("-o DIR is required".into());
    }
    if !(args.schools_factor > 0.0 && args.schools_factor <= 64.0) {
        return Err("--schools-factor must be in (0, 64]".into());
    }
    Ok(args)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pack = kaohe::pack::load(&root.join("rules/edu-rule-of-law"))
        .map_err(|e| format!("the shipped pack: {e:?}"))?
        .pack
        .ok_or("the shipped pack does not validate")?;
    let base_text = std::fs::read_to_string(root.join("fixtures/compliant/submission.yaml"))
        .map_err(|e| format!("the compliant fixture: {e}"))?;
    let base: Value = serde_saphyr::from_str(&base_text).map_err(|e| e.to_string())?;
    // Stated figures summarise registers; the generated registers are the data.
    let stated: Vec<&str> = pack
        .data
        .facts
        .iter()
        .filter(|(_, f)| f.states.is_some())
        .map(|(id, _)| id.as_str())
        .collect();
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let width = args.bureaus.to_string().len().max(4);
    let ext = match args.format {
        Format::Json => "json",
        Format::Yaml => "yaml",
        Format::Xlsx => "xlsx",
    };
    let counts: Vec<(usize, usize, usize)> = (0..args.bureaus)
        .into_par_iter()
        .map(|i| -> Result<(usize, usize, usize), String> {
            // Every bureau has its own stream, so the output does not depend on threads.
            let mut rng = Rng(args.seed ^ (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
            let (doc, rows) = bureau(&mut rng, i, &base, &stated, args.schools_factor);
            let schools = doc["registers"]["schools"].as_array().map_or(0, Vec::len);
            let path = args.out.join(format!("bureau-{:0width$}.{ext}", i + 1));
            let bytes = match args.format {
                Format::Json => serde_json::to_vec(&doc).map_err(|e| e.to_string())?,
                Format::Yaml => serde_saphyr::to_string(&doc)
                    .map_err(|e| e.to_string())?
                    .into_bytes(),
                Format::Xlsx => {
                    let json = serde_json::to_vec(&doc).map_err(|e| e.to_string())?;
                    let tmp = args.out.join(format!(".bureau-{i}.json"));
                    std::fs::write(&tmp, &json).map_err(|e| e.to_string())?;
                    let sub = kaohe::submission::load(&pack, &tmp);
                    let _ = std::fs::remove_file(&tmp);
                    let sub = sub.map_err(|e| format!("bureau {}: {:?}", i + 1, e.diagnostics))?;
                    kaohe::report::template::xlsx(&pack, Some(&sub))?
                }
            };
            std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok((bytes.len(), rows, schools))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let bytes: usize = counts.iter().map(|c| c.0).sum();
    let rows: usize = counts.iter().map(|c| c.1).sum();
    let schools: usize = counts.iter().map(|c| c.2).sum();
    println!(
        "{} bureaus, {schools} schools, {rows} register rows, {:.1} MB of {ext} in {}",
        args.bureaus,
        bytes as f64 / 1e6,
        args.out.display()
    );
    Ok(())
}

const PLACES: [&str; 24] = [
    "清河", "白水", "青山", "临江", "安平", "永宁", "长乐", "丰泽", "石门", "桃源", "云阳", "金川",
    "宁远", "平川", "新安", "东阳", "西林", "南溪", "北辰", "通海", "福田", "兴隆", "广源", "和顺",
];
const STAGES: [&str; 6] = ["幼儿园", "小学", "小学", "初中", "高中", "九年一贯制"];
const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "建国", "秀英", "志强", "丽娟", "海涛", "明", "文华", "静", "立新", "红梅", "俊", "伟",
];
const EMPLOYERS: [&str; 4] = ["人民法院", "人民检察院", "公安机关", "司法行政部门"];
const WULUOSHI: [&str; 5] = ["计划", "教材", "课时", "师资", "法治副校长"];
const WUGEYI: [&str; 5] = [
    "动员晨会",
    "主题班会",
    "法治专题讲座",
    "参观法治教育基地",
    "观看普法图展",
];
/// Facts that are the whole of another fact: halving them would make the part exceed them.
const WHOLES: [&str; 11] = [
    "students_total",
    "contest_participants",
    "hotline_cases",
    "proposals_received",
    "petitions_received",
    "disclosure_requests",
    "service_matters",
    "application_matters",
    "service_cases",
    "lawsuits_total",
    "hearings_requiring_head",
];
const STEPS: [&str; 3] = ["public_participation", "expert_review", "risk_assessment"];

fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN))
}

fn date(rng: &mut Rng, year: i32, from_month: u64) -> String {
    format!(
        "{year}-{:02}-{:02}",
        rng.range(from_month, 12),
        rng.range(1, 28)
    )
}

/// One bureau's submission and its number of register rows.
fn bureau(
    rng: &mut Rng,
    i: usize,
    base: &Value,
    stated: &[&str],
    schools_factor: f64,
) -> (Value, usize) {
    let mut doc = base.clone();
    let place = format!("{}{}", PLACES[i % PLACES.len()], i / PLACES.len() + 1);
    let level = if i.is_multiple_of(7) { "区" } else { "县" };
    let name = format!("{place}{level}教育局");
    doc["bureau"] =
        json!({"name": name, "region_code": format!("{}", 110_000 + i), "level": "区县"});
    // A bureau's failure rate: most are careful, a few are not.
    let fail = 0.002 + rng.unit().powi(3) * 0.25;

    // Schools: lognormal with median about 110 and mean about 170, from 20 to 3,000.
    let schools = ((4.73 + 0.9 * rng.normal()).exp().clamp(20.0, 3000.0) * schools_factor)
        .round()
        .max(1.0) as usize;

    let facts = doc["facts"].as_object_mut().expect("facts is a mapping");
    for id in stated {
        facts.shift_remove(*id);
    }
    let students = schools as u64 * rng.range(250, 450);
    facts.insert("students_total".into(), json!(students));
    let share = if rng.chance(fail * 2.0) { 0.6 } else { 0.95 };
    facts.insert(
        "contest_participants".into(),
        json!((students as f64 * share) as u64),
    );
    for (key, value) in facts.iter_mut() {
        if rng.chance(fail) && !WHOLES.contains(&key.as_str()) {
            match value {
                Value::Bool(b)
                    if key != "leader_interfered_in_cases" && key != "major_violation_occurred" =>
                {
                    *b = false
                }
                Value::Number(n) => {
                    if let Some(k) = n.as_u64() {
                        *value = json!(k / 2);
                    }
                }
                _ => {}
            }
        }
    }

    let mut registers = Map::new();
    let mut rows = 0;
    let mut lvps = Vec::new();
    let mut school_rows = Vec::with_capacity(schools);
    for s in 0..schools {
        let stage = *rng.pick(&STAGES);
        let school = format!("{place}第{}{stage}", s + 1);
        let vps = if rng.chance(fail) {
            0
        } else if rng.chance(0.1) {
            2
        } else {
            1
        };
        for _ in 0..vps {
            let n = lvps.len() + 1;
            lvps.push(json!({
                "appointment_no": format!("FZ-{}-{n:05}", 110_000 + i),
                "person": person(rng),
                "school": school,
                "employer": rng.pick(&EMPLOYERS),
                "appointed_on": date(rng, 2022, 1),
                "term_ends_on": date(rng, 2025, 1),
                "pre_service_training_hours": if rng.chance(fail) { 4 } else { 16 },
                "class_hours": if rng.chance(fail) { 1 } else { rng.range(4, 8) },
                "semester_start_activities": if rng.chance(fail) { 0 } else { 2 },
            }));
        }
        let mut row = json!({
            "name": school,
            "stage": stage,
            "ownership": if rng.chance(0.15) { "民办" } else { "公办" },
            "legal_vp_count": vps,
            "has_legal_adviser": !rng.chance(fail),
            "wuluoshi": WULUOSHI.iter().filter(|_| !rng.chance(fail / 2.0)).collect::<Vec<_>>(),
            "staff_study_spring": if rng.chance(fail) { 1 } else { 2 },
            "staff_study_autumn": if rng.chance(fail) { 1 } else { 2 },
            "info_disclosed": !rng.chance(fail),
            "safe_campus": !rng.chance(fail),
            "wugeyi": WUGEYI.iter().filter(|_| !rng.chance(fail / 2.0)).collect::<Vec<_>>(),
        });
        if matches!(stage, "小学" | "初中" | "九年一贯制") {
            row["morality_law_all_grades"] = json!(!rng.chance(fail));
        }
        if rng.chance(0.05) {
            row["model_school_level"] = json!(if rng.chance(0.2) { "市级" } else { "县级" });
        }
        school_rows.push(row);
    }
    rows += school_rows.len() + lvps.len();
    registers.insert("schools".into(), Value::Array(school_rows));
    registers.insert("legal_vice_principals".into(), Value::Array(lvps));

    let mut push = |registers: &mut Map<String, Value>, name: &str, list: Vec<Value>| {
        rows += list.len();
        registers.insert(name.into(), Value::Array(list));
    };

    let sessions = if rng.chance(fail) { 2 } else { rng.range(4, 8) };
    let list = (0..sessions)
        .map(|n| {
            json!({
                "session_no": format!("XF-2023-{:02}", n + 1),
                "held_on": date(rng, 2023, 1),
                "organiser": if n % 2 == 0 { "党组理论学习中心组" } else { "局党组会" },
                "topics": ["习近平法治思想", "宪法"],
                "participants": rng.range(9, 15),
            })
        })
        .collect();
    push(&mut registers, "study_sessions", list);

    let officers = 6 + schools / 30;
    let list = (0..officers)
        .map(|n| {
            let certified = !rng.chance(fail);
            json!({
                "staff_no": format!("ZF-{:04}", n + 1),
                "person": person(rng),
                "department": if n % 2 == 0 { "政策法规科" } else { "督导室" },
                "trained": !rng.chance(fail),
                "exam_passed": !rng.chance(fail),
                "has_certificate": certified,
                "certificate_no": format!("执{}{:04}", 110_000 + i, n + 1),
            })
        })
        .collect();
    push(&mut registers, "enforcement_officers", list);

    let list = (0..rng.range(1, 5))
        .map(|_| {
            json!({
                "person": person(rng),
                "position": "科长",
                "appointed_on": date(rng, 2023, 1),
                "oath_taken": !rng.chance(fail),
            })
        })
        .collect::<Vec<_>>();
    // Cadre names are the register's key: keep them distinct.
    let list = list
        .into_iter()
        .enumerate()
        .map(|(n, mut v)| {
            let p = format!("{}{}", v["person"].as_str().unwrap_or("某"), n + 1);
            v["person"] = json!(p);
            v
        })
        .collect();
    push(&mut registers, "appointed_cadres", list);

    let list = (0..rng.range(2, 6))
        .map(|n| {
            let ok = |rng: &mut Rng| !rng.chance(fail);
            json!({
                "doc_no": format!("{place}教规〔2023〕{}号", n + 1),
                "title": format!("{place}教育管理办法（第{}号）", n + 1),
                "issued_on": date(rng, 2023, 1),
                "public_comment": ok(rng),
                "legality_reviewed": ok(rng),
                "adviser_reviewed": ok(rng),
                "published": ok(rng),
                "filed": true,
                "filed_on": "2023-12-20",
                "filed_on_time": ok(rng),
                "found_legal": true,
            })
        })
        .collect();
    push(&mut registers, "normative_documents", list);

    let list = (0..rng.range(2, 8))
        .map(|n| {
            let mut d = json!({
                "name": format!("{place}教育事项决策（{}）", n + 1),
                "decided_on": date(rng, 2023, 1),
                "in_catalogue": !rng.chance(fail),
                "comment_period_days": 30,
                "legality_review": if rng.chance(fail) { "未履行" } else { "已履行" },
                "legality_opinion_issued": !rng.chance(fail),
                "adviser_participated": !rng.chance(fail),
                "collective_decision": if rng.chance(fail) { "未履行" } else { "已履行" },
                "minutes_archived": !rng.chance(fail),
            });
            for step in STEPS {
                if rng.chance(0.2) {
                    d[step] = json!("不需要");
                    d[format!("{step}_reason")] = json!("不涉及公众切身利益");
                } else if rng.chance(fail) {
                    d[step] = json!("未履行");
                } else {
                    d[step] = json!("已履行");
                }
            }
            d
        })
        .collect();
    push(&mut registers, "major_decisions", list);

    let list = (0..2 + schools / 50)
        .map(|n| {
            json!({
                "contract_no": format!("HT-2023-{:04}", n + 1),
                "title": format!("{place}教育服务合同（{}）", n + 1),
                "adviser_reviewed": !rng.chance(fail),
            })
        })
        .collect();
    push(&mut registers, "contracts", list);

    let list = (0..rng.range(1, 3))
        .map(|n| {
            json!({
                "name": format!("{place}律师事务所{}", n + 1),
                "adviser_type": "律师事务所",
                "contract_start": "2022-12-20",
                "contract_end": if rng.chance(fail) { "2023-06-30" } else { "2024-12-19" },
            })
        })
        .collect();
    push(&mut registers, "legal_advisers", list);

    let mut list = vec![
        json!({"inspection_no": "KX-1", "kind": "开学专项督导", "held_on": "2023-02-20", "problems_found": 12, "problems_rectified": 12}),
        json!({"inspection_no": "KX-2", "kind": "开学专项督导", "held_on": "2023-09-04", "problems_found": 9, "problems_rectified": 9}),
    ];
    for n in 0..12 + schools / 10 {
        let found = rng.range(0, 5);
        let kind = match n % 4 {
            0 => "校外培训机构检查",
            1 => "双随机一公开检查",
            _ => "责任督学经常性督导",
        };
        list.push(json!({
            "inspection_no": format!("DD-{:04}", n + 1),
            "kind": kind,
            "held_on": format!("2023-{:02}-{:02}", n % 12 + 1, rng.range(1, 28)),
            "problems_found": found,
            "problems_rectified": if rng.chance(fail) { found / 2 } else { found },
        }));
    }
    push(&mut registers, "inspections", list);

    let list = (0..schools / 3)
        .map(|n| {
            let problem = rng.chance(0.1);
            let mut t = json!({
                "name": format!("{place}培训机构{}", n + 1),
                "inspected": !rng.chance(fail),
                "problem_found": problem,
                "list_status": "白名单",
            });
            if problem {
                t["rectified"] = json!(!rng.chance(fail));
            }
            t
        })
        .collect();
    push(&mut registers, "training_institutions", list);

    let cases = rng.range(0, 4);
    let list = (0..cases)
        .map(|n| {
            json!({
                "case_no": format!("（2023）行初{}-{}号", 110_000 + i, n + 1),
                "filed_on": date(rng, 2023, 1),
                "hearing_held": true,
                "head_appeared": !rng.chance(fail),
                "outcome": "胜诉",
                "judgment_effective": true,
                "judgment_executed": true,
            })
        })
        .collect();
    push(&mut registers, "lawsuits", list);
    let facts = doc["facts"].as_object_mut().expect("facts is a mapping");
    facts.insert("lawsuits_total".into(), json!(cases));
    facts.insert("hearings_requiring_head".into(), json!(cases));
    facts.insert("head_appearances".into(), json!(cases));

    doc["registers"] = Value::Object(registers);
    (doc, rows)
}

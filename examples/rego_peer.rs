//! A peer in Rego: five items of rules/edu-rule-of-law written in Rego
//! (benches/rego/items.rego), run by the `regorus` interpreter on the same submissions as
//! kaohe, to compare the two engines' speed and check that they give the same verdicts.
//!
//! ```text
//! cargo run --release --example national -- -o /tmp/rego-data --bureaus 178
//! cargo run --release --example rego_peer -- /tmp/rego-data
//! ```
//!
//! Every `*.json` in DIR, sorted, goes through both engines on one thread: kaohe (the pack
//! loaded once; per file `submission::load` then `assess`, once with the whole pack and once
//! with a copy holding only the five items) and regorus (the policy loaded once; per file
//! read, parse into `regorus::Value`, `set_input`, evaluate), both with its tree-walking
//! interpreter (`Engine::eval_rule`) and with its register VM (the policy compiled once to an
//! RVM program; `RegoVM::set_input` + `execute`). Each item's status and points are compared
//! bureau by bureau; every disagreement is printed and the exit code is 1. Timings:
//! evaluation alone (kaohe's `assess`; regorus's `set_input` + evaluate) and the whole (read +
//! parse or load + evaluate).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use kaohe::pack::Pack;

/// The allocator the `kaohe` binary uses, for both engines alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The items written in Rego.
pub const ITEMS: [&str; 5] = ["LVP-01", "DEC-02", "STUDY-01", "GOV-05", "ENF-04"];

/// The Rego policy, and the rule that gives the verdicts.
pub const POLICY: &str = include_str!("../benches/rego/items.rego");
pub const RULE: &str = "data.kaohe.verdicts";

/// One item's verdict: kaohe's status name and the points awarded.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub status: String,
    pub points: f64,
}

impl Verdict {
    fn agrees(&self, other: &Verdict) -> bool {
        self.status == other.status && (self.points - other.points).abs() < 1e-6
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.points)
    }
}

/// Loads the shipped pack: the whole of it, and a copy holding only [`ITEMS`] (sections
/// kept, so the section sums stay well formed).
pub fn load_pack(dir: &Path) -> Result<(Pack, Pack), String> {
    let loaded = kaohe::pack::load_for_assessment(dir)
        .map_err(|e| format!("{}: cannot load the pack: {e}", dir.display()))?;
    let pack = loaded
        .pack
        .ok_or_else(|| format!("{}: the pack is not valid", dir.display()))?;
    let mut five = pack.clone();
    five.items.retain(|i| ITEMS.contains(&i.id.as_str()));
    if five.items.len() != ITEMS.len() {
        return Err(format!(
            "the pack has {} of the {} items written in Rego",
            five.items.len(),
            ITEMS.len()
        ));
    }
    Ok((pack, five))
}

/// A regorus engine with the policy loaded.
pub fn engine() -> Result<regorus::Engine, String> {
    let mut engine = regorus::Engine::new();
    engine
        .add_policy("items.rego".to_string(), POLICY.to_string())
        .map_err(|e| format!("items.rego: {e}"))?;
    Ok(engine)
}

/// The policy compiled to a program of regorus's register VM (RVM), loaded in a VM.
pub fn rvm() -> Result<regorus::rvm::RegoVM, String> {
    let mut engine = engine()?;
    let rule: regorus::Rc<str> = RULE.into();
    let compiled = engine
        .compile_with_entrypoint(&rule)
        .map_err(|e| format!("items.rego: {e}"))?;
    let program =
        regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[RULE])
            .map_err(|e| format!("items.rego: cannot compile for the RVM: {e}"))?;
    let mut vm = regorus::rvm::RegoVM::new();
    // Its default limit (25,000 instructions) stops at a few hundred rows; a register of
    // 3,000 schools takes some millions.
    vm.set_max_instructions(usize::MAX);
    vm.load_program(program);
    Ok(vm)
}

/// Executes the RVM program on one input and reads the verdicts on [`ITEMS`].
pub fn rvm_verdicts(
    vm: &mut regorus::rvm::RegoVM,
    input: regorus::Value,
) -> Result<Vec<Verdict>, String> {
    vm.set_input(input);
    let out = vm.execute().map_err(|e| format!("RVM: {e}"))?;
    read_rego(&out)
}

/// kaohe's verdicts on [`ITEMS`] from an assessment.
pub fn kaohe_verdicts(a: &kaohe::assess::Assessment) -> Result<Vec<Verdict>, String> {
    ITEMS
        .iter()
        .map(|id| {
            let o = a
                .items
                .iter()
                .find(|o| o.id == *id)
                .ok_or_else(|| format!("kaohe assessed no item {id}"))?;
            let status = serde_json::to_value(o.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .ok_or_else(|| format!("item {id}: status without a name"))?;
            Ok(Verdict {
                status,
                points: o.awarded,
            })
        })
        .collect()
}

/// Assesses a loaded submission with kaohe.
pub fn kaohe_assess(
    pack: &Pack,
    digest: &str,
    submission: &kaohe::submission::Submission,
) -> kaohe::assess::Assessment {
    kaohe::assess::assess(
        pack,
        digest,
        submission,
        &[],
        &[],
        kaohe::assess::Options::default(),
    )
}

/// Evaluates the policy on one input and reads the verdicts on [`ITEMS`].
pub fn rego_verdicts(
    engine: &mut regorus::Engine,
    input: regorus::Value,
) -> Result<Vec<Verdict>, String> {
    engine.set_input(input);
    let out = engine
        .eval_rule(RULE.to_string())
        .map_err(|e| format!("{RULE}: {e}"))?;
    read_rego(&out)
}

fn read_rego(out: &regorus::Value) -> Result<Vec<Verdict>, String> {
    ITEMS
        .iter()
        .map(|id| {
            let v = &out[*id];
            let status = match &v["status"] {
                regorus::Value::String(s) => s.to_string(),
                other => return Err(format!("{id}: no status in the Rego output ({other})")),
            };
            let points = v["points"]
                .as_f64()
                .map_err(|e| format!("{id}: no points in the Rego output: {e}"))?;
            Ok(Verdict { status, points })
        })
        .collect()
}

/// Disagreements between two engines' verdicts, one line each.
pub fn compare(bureau: &str, kaohe: &[Verdict], rego: &[Verdict]) -> Vec<String> {
    ITEMS
        .iter()
        .zip(kaohe.iter().zip(rego))
        .filter(|(_, (k, r))| !k.agrees(r))
        .map(|(id, (k, r))| format!("{bureau} {id}: kaohe {k}, regorus {r}"))
        .collect()
}

/// Why kaohe refused a submission: its diagnostics' messages.
pub fn load_error(path: &Path, e: &kaohe::submission::SubmissionError) -> String {
    let messages: Vec<&str> = e.diagnostics.iter().map(|d| d.message.as_str()).collect();
    format!(
        "{}: kaohe cannot load the submission: {}",
        path.display(),
        messages.join("; ")
    )
}

#[derive(Default)]
struct Clock {
    eval: Duration,
    whole: Duration,
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: rego_peer DIR");
        return ExitCode::from(2);
    };
    match run(&dir) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(dir: &Path) -> Result<bool, String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!("{}: no *.json submissions", dir.display()));
    }
    let pack_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/edu-rule-of-law");
    let (pack, five) = load_pack(&pack_dir)?;
    let digest = kaohe::assess::pack_digest(&pack);
    let mut engine = engine()?;
    let mut vm = rvm()?;

    let mut kaohe_all = Clock::default();
    let mut kaohe_five = Clock::default();
    let mut rego = Clock::default();
    let mut rvm_clock = Clock::default();
    let mut rvm_disagreements = Vec::new();
    let mut compared = 0usize;
    // Item -> status -> bureaus, as kaohe judged them: how varied the compared verdicts are.
    let mut tally: Vec<std::collections::BTreeMap<String, usize>> =
        vec![Default::default(); ITEMS.len()];
    let mut disagreements = Vec::new();
    // The five-item pack against the whole one: the restriction must not change a verdict.
    let mut restricted = Vec::new();
    for path in &paths {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();

        // kaohe, the whole pack: read and load, then assess.
        let start = Instant::now();
        let submission = kaohe::submission::load(&pack, path).map_err(|e| load_error(path, &e))?;
        let t = Instant::now();
        let assessed = kaohe_assess(&pack, &digest, &submission);
        kaohe_all.eval += t.elapsed();
        kaohe_all.whole += start.elapsed();
        let k = kaohe_verdicts(&assessed)?;

        // kaohe, the five items only.
        let start = Instant::now();
        let submission = kaohe::submission::load(&five, path).map_err(|e| load_error(path, &e))?;
        let t = Instant::now();
        let assessed_five = kaohe_assess(&five, &digest, &submission);
        kaohe_five.eval += t.elapsed();
        kaohe_five.whole += start.elapsed();
        let k5 = kaohe_verdicts(&assessed_five)?;
        restricted.extend(compare(&name, &k, &k5));

        // regorus: read, parse, set the input, evaluate.
        let start = Instant::now();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let input =
            regorus::Value::from_json_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let t = Instant::now();
        let r = rego_verdicts(&mut engine, input).map_err(|e| format!("{name}: {e}"))?;
        rego.eval += t.elapsed();
        rego.whole += start.elapsed();

        // regorus's register VM: the same, the program compiled once.
        let start = Instant::now();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let input =
            regorus::Value::from_json_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let t = Instant::now();
        let v = rvm_verdicts(&mut vm, input).map_err(|e| format!("{name}: {e}"))?;
        rvm_clock.eval += t.elapsed();
        rvm_clock.whole += start.elapsed();
        rvm_disagreements.extend(compare(&name, &k, &v));

        compared += ITEMS.len();
        for (t, v) in tally.iter_mut().zip(&k) {
            *t.entry(v.status.clone()).or_default() += 1;
        }
        let lines = compare(&name, &k, &r);
        for line in &lines {
            println!("rego_peer: disagree {line}");
        }
        disagreements.extend(lines);
    }

    let agree = compared - disagreements.len();
    for line in &rvm_disagreements {
        println!("rego_peer: disagree {line} (RVM)");
    }
    for line in &restricted {
        println!("rego_peer: disagree {line} (five-item pack against the whole pack)");
    }
    for (id, t) in ITEMS.iter().zip(&tally) {
        let counts: Vec<String> = t.iter().map(|(k, n)| format!("{k}={n}")).collect();
        println!("rego_peer: item={id} {}", counts.join(" "));
    }
    let s = |d: Duration| d.as_secs_f64();
    let ratio = |a: Duration, b: Duration| {
        if b.is_zero() {
            0.0
        } else {
            a.as_secs_f64() / b.as_secs_f64()
        }
    };
    println!(
        "rego_peer: bureaus={} items={} agree={agree}/{compared}",
        paths.len(),
        ITEMS.len()
    );
    println!(
        "rego_peer: kaohe eval_s={:.3} whole_s={:.3} (all {} items)",
        s(kaohe_all.eval),
        s(kaohe_all.whole),
        pack.items.len()
    );
    println!(
        "rego_peer: kaohe5 eval_s={:.3} whole_s={:.3} (five items)",
        s(kaohe_five.eval),
        s(kaohe_five.whole)
    );
    println!(
        "rego_peer: regorus eval_s={:.3} whole_s={:.3}",
        s(rego.eval),
        s(rego.whole)
    );
    println!(
        "rego_peer: regorus_rvm eval_s={:.3} whole_s={:.3} agree={}/{compared}",
        s(rvm_clock.eval),
        s(rvm_clock.whole),
        compared - rvm_disagreements.len()
    );
    println!(
        "rego_peer: eval_ratio={:.2} whole_ratio={:.2} (regorus / kaohe, all items)",
        ratio(rego.eval, kaohe_all.eval),
        ratio(rego.whole, kaohe_all.whole)
    );
    println!(
        "rego_peer: eval_ratio5={:.2} whole_ratio5={:.2} (regorus / kaohe, five items)",
        ratio(rego.eval, kaohe_five.eval),
        ratio(rego.whole, kaohe_five.whole)
    );
    println!(
        "rego_peer: rvm_eval_ratio={:.2} rvm_whole_ratio={:.2} (regorus_rvm / kaohe, all items)",
        ratio(rvm_clock.eval, kaohe_all.eval),
        ratio(rvm_clock.whole, kaohe_all.whole)
    );
    println!(
        "rego_peer: rvm_eval_ratio5={:.2} rvm_whole_ratio5={:.2} (regorus_rvm / kaohe, five items)",
        ratio(rvm_clock.eval, kaohe_five.eval),
        ratio(rvm_clock.whole, kaohe_five.whole)
    );
    Ok(disagreements.is_empty() && restricted.is_empty() && rvm_disagreements.is_empty())
}

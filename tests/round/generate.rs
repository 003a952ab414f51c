//! Seeded bureaus for assessment rounds: `fixtures/compliant/submission.yaml` with some of
//! its facts made to fall short, chosen by a seeded generator, under other bureaus' names.
//! `fixtures/round/` is what [`write`] gives for [`FIXTURE_COUNT`] bureaus and [`SEED`];
//! larger rounds (the memory test) are generated into a temporary folder.

use std::path::Path;

pub const SEED: u64 = 2024;
pub const FIXTURE_COUNT: usize = 14;

/// A fact line of the compliant submission and the line that falls short (the item it costs
/// in a comment).
const BREAKS: [(&str, &str); 11] = [
    // LEAD-03
    ("rule_of_law_meetings: 4", "rule_of_law_meetings: 1"),
    // STUDY-03
    (
        "school_leaders_reported_on_law: true",
        "school_leaders_reported_on_law: false",
    ),
    // DOC-06
    (
        "lists_adjusted_on_law_change: true",
        "lists_adjusted_on_law_change: false",
    ),
    // ENF-08
    ("hotline_cases_answered: 186", "hotline_cases_answered: 170"),
    // ENF-10
    ("petitions_on_time: 37", "petitions_on_time: 33"),
    // GOV-05
    ("online_matters: 24", "online_matters: 16"),
    // GOV-04
    ("service_cases_on_time: 1532", "service_cases_on_time: 1490"),
    // SCH-03
    ("contest_participants: 14215", "contest_participants: 11000"),
    // SCH-06
    (", 预防未成年人犯罪]", "]"),
    // GOV-02
    (
        "disclosure_requests_on_time: 9",
        "disclosure_requests_on_time: 7",
    ),
    // LEAD-04
    (
        "annual_report_submitted_on: 2024-02-26",
        "annual_report_submitted_on: 2024-03-05",
    ),
];

/// The breaks most bureaus have: the round's 共性问题.
const COMMON: [usize; 2] = [1, 5];

const NAMES: [&str; 12] = [
    "东城区教育局",
    "西山县教育局",
    "南湖区教育局",
    "北川县教育局",
    "青石县教育局",
    "白云区教育局",
    "松江县教育局",
    "\"><img src=x onerror=alert(1)>柳林县教育局",
    "桃源县教育局",
    "金沙区教育局",
    "<script>alert(1)</script>区教育局",
    "=HYPERLINK(\"http://example.com\")县教育局",
];

/// splitmix64: the same numbers everywhere.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// A fraction in [0, 1) (for `tests/kill.rs`).
    #[allow(dead_code)]
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The bureaus' submissions: (file name, text), in order. Bureau 4 fires a veto, bureau 6
/// lacks a required fact, bureau 9 writes a count in words (it cannot be assessed), bureau
/// 11 repeats bureau 10's shortfalls (a tie), every third bureau gives self-scores claiming
/// full points.
pub fn bureaus(count: usize, seed: u64, base: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pack = kaohe::pack::load(&root.join("rules/edu-rule-of-law"))
        .expect("the shipped pack")
        .pack
        .expect("valid");
    // Full points claimed for every standard item.
    let self_scores: Vec<(String, f64)> = pack
        .items
        .iter()
        .filter(|item| item.kind == kaohe::pack::ItemKind::Standard)
        .map(|item| (item.id.clone(), item.points))
        .collect();
    let mut rng = Rng(seed);
    let mut previous: Vec<usize> = Vec::new();
    (0..count)
        .map(|i| {
            let mut broken: Vec<usize> = (0..BREAKS.len())
                .filter(|b| rng.chance(if COMMON.contains(b) { 70 } else { 20 }))
                .collect();
            if i % 12 == 10 {
                broken = previous.clone();
            }
            previous = broken.clone();
            let name = match (i / NAMES.len(), NAMES[i % NAMES.len()]) {
                (0, name) => name.to_string(),
                (round, name) => format!("{name}{}", round + 1),
            };
            let mut text = String::new();
            for (n, line) in base.lines().enumerate() {
                let mut line = line.to_string();
                if n == 0 {
                    line = format!(
                        "# 考核轮次样例（tests/round/generate.rs 生成，种子 {seed}）：第{}家",
                        i + 1
                    );
                } else if line.starts_with("bureau:") {
                    line = format!(
                        "bureau: {{name: {}, region_code: \"{}\", level: 区县}}",
                        serde_json::to_string(&name).expect("a string"),
                        130_501 + i
                    );
                }
                if i % 12 == 8 {
                    line = line.replace("rule_of_law_meetings: 4", "rule_of_law_meetings: 三次");
                }
                for &b in &broken {
                    line = line.replace(BREAKS[b].0, BREAKS[b].1);
                }
                if i % 12 == 3 {
                    line = line.replace(
                        "leader_interfered_in_cases: false",
                        "leader_interfered_in_cases: true",
                    );
                }
                if i % 12 == 5 && line.trim() == "leading_group_established: true" {
                    continue;
                }
                text.push_str(&line);
                text.push('\n');
            }
            if i % 3 == 1 {
                text.push_str("\nself_scores:\n");
                for (item, points) in &self_scores {
                    text.push_str(&format!("  {item}: {points}\n"));
                }
            }
            (format!("bureau-{:03}.yaml", i + 1), text)
        })
        .collect()
}

/// Writes the bureaus and the schools register they name into `dir`.
pub fn write(dir: &Path, count: usize, seed: u64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = std::fs::read_to_string(root.join("fixtures/compliant/submission.yaml"))
        .expect("the compliant fixture");
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::copy(
        root.join("fixtures/compliant/schools.csv"),
        dir.join("schools.csv"),
    )
    .expect("the schools register");
    for (name, text) in bureaus(count, seed, &base) {
        std::fs::write(dir.join(name), text).expect("write");
    }
}

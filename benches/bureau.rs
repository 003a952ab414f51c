//! One bureau through kaohe, phase by phase: loading its submission, assessing it, and
//! rendering each output of a round. `benches/data/median-bureau.json` is a bureau of
//! median size from `examples/national.rs` (seed 2024; 130 schools and their registers).
//!
//! ```text
//! cargo bench --bench bureau
//! ```

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use kaohe::assess::{self, Assessment, Options};
use kaohe::pack::Pack;
use kaohe::submission::Submission;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn bureau_file() -> PathBuf {
    root().join("benches/data/median-bureau.json")
}

static PACK: LazyLock<Pack> = LazyLock::new(|| {
    kaohe::pack::load_for_assessment(&root().join("rules/edu-rule-of-law"))
        .ok()
        .and_then(|l| l.pack)
        .unwrap_or_else(|| panic!("the shipped pack loads"))
});

static SUBMISSION: LazyLock<Submission> = LazyLock::new(|| {
    kaohe::submission::load(&PACK, &bureau_file())
        .unwrap_or_else(|e| panic!("the bureau loads: {:?}", e.diagnostics))
});

static ASSESSMENT: LazyLock<Assessment> = LazyLock::new(|| assess_once(&SUBMISSION));

static DIGEST: LazyLock<String> = LazyLock::new(|| assess::pack_digest(&PACK));

fn assess_once(submission: &Submission) -> Assessment {
    assess::assess(&PACK, &DIGEST, submission, &[], &[], Options::default())
}

/// Reading the file and deserialising it straight into the pack's dictionary, validated.
#[divan::bench]
fn load() -> Submission {
    kaohe::submission::load(&PACK, divan::black_box(&bureau_file()))
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics))
}

/// The parse floor of the same file: serde_json over it, building nothing.
#[divan::bench]
fn parse_floor() {
    let bytes = std::fs::read(bureau_file()).unwrap_or_default();
    let _: serde::de::IgnoredAny =
        serde_json::from_slice(divan::black_box(&bytes)).unwrap_or(serde::de::IgnoredAny);
}

/// Every item of the shipped pack evaluated and scored.
#[divan::bench]
fn evaluate() -> Assessment {
    assess_once(divan::black_box(&SUBMISSION))
}

/// The five items of the Rego peer (examples/rego_peer.rs) alone: LVP-01, DEC-02, STUDY-01,
/// GOV-05, ENF-04.
#[divan::bench]
fn evaluate_five_items() -> Assessment {
    static FIVE: LazyLock<Pack> = LazyLock::new(|| {
        let mut five = PACK.clone();
        five.items.retain(|i| {
            ["LVP-01", "DEC-02", "STUDY-01", "GOV-05", "ENF-04"].contains(&i.id.as_str())
        });
        five
    });
    assess::assess(
        &FIVE,
        &DIGEST,
        divan::black_box(&SUBMISSION),
        &[],
        &[],
        Options::default(),
    )
}

/// The assessment's JSON file, as a round writes it.
#[divan::bench]
fn render_json() -> String {
    let value = serde_json::to_value(divan::black_box(&*ASSESSMENT)).unwrap_or_default();
    kaohe::report::json(&value)
}

/// The Markdown gap report.
#[divan::bench]
fn render_markdown() -> String {
    kaohe::report::markdown(divan::black_box(&ASSESSMENT)).unwrap_or_default()
}

/// The rectification list and its workbook.
#[divan::bench]
fn render_xlsx() -> Vec<u8> {
    let list = kaohe::rectify::from_assessment(divan::black_box(&ASSESSMENT))
        .unwrap_or_else(|e| panic!("{e}"));
    kaohe::report::rectify::xlsx(&list).unwrap_or_default()
}

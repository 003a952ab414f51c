//! `kaohe test PACK...`: run each pack's test cases.

use std::path::PathBuf;

use super::{CliError, Outcome};
use crate::{diag, pack, verify};

/// Output formats of `kaohe test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Every wrong expectation with the engine's reasoning, then a summary per pack.
    Human,
    /// JUnit XML for CI: one test case per expectation, named `pack/case/item`.
    Junit,
}

/// Runs the tests of every pack. A pack that is not valid fails (its problems are shown).
pub fn run(packs: &[PathBuf], format: Format, color: bool) -> Result<(Outcome, String), CliError> {
    let mut results = Vec::with_capacity(packs.len());
    let mut problems = String::new();
    for dir in packs {
        let loaded = pack::load(dir).map_err(|e| CliError::Usage(e.to_string()))?;
        match &loaded.pack {
            Some(p) => results.push(verify::run(p)),
            None => {
                problems.push_str(&diag::render_human(
                    &loaded.sources,
                    &loaded.diagnostics,
                    color,
                ));
                results.push(verify::PackResult {
                    pack: diag::display_path(dir),
                    errors: vec![verify::CaseError {
                        name: diag::display_path(dir),
                        message: "the pack is not valid; run `kaohe check`".into(),
                    }],
                    ..verify::PackResult::default()
                });
            }
        }
    }
    let outcome = if results.iter().all(verify::PackResult::passed) {
        Outcome::Success
    } else {
        Outcome::Problems
    };
    let text = match format {
        Format::Human => format!("{problems}{}", verify::render_human(&results)),
        Format::Junit => verify::render_junit(&results),
    };
    Ok((outcome, text))
}

//! `kaohe test PACK...`: run each pack's test cases.

use std::path::PathBuf;

use super::{CliError, Outcome};
use crate::{diag, pack, verify};

/// Run each pack's test cases (`tests/*.yaml`). Exit 0 when all pass, 1 otherwise.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Pack directories.
    #[arg(required = true)]
    pub packs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Write the output to PATH instead of stdout (a file is replaced whole or not at all).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// Output formats of `kaohe test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Every wrong expectation with the engine's reasoning, then a summary per pack.
    Human,
    /// JUnit XML for CI: one test case per expectation, named `pack/case/item`.
    Junit,
}

/// Runs the tests of every pack. A pack that is not valid fails (its problems are shown).
/// The output goes to stdout or `args.output`; `main` writes it.
pub fn run(args: &Args, color: bool) -> Result<(Outcome, String), CliError> {
    let mut results = Vec::with_capacity(args.packs.len());
    for dir in &args.packs {
        let loaded = pack::load(dir).map_err(|e| CliError::Usage(e.to_string()))?;
        match &loaded.pack {
            Some(_) => results.push(verify::run(&loaded)),
            None => {
                // Named by its id when its `pack.yaml` says it, else by its directory.
                let name = loaded.id.clone().unwrap_or_else(|| diag::display_path(dir));
                results.push(verify::PackResult {
                    pack: name.clone(),
                    errors: vec![verify::CaseError {
                        name,
                        message: "the pack is not valid; run `kaohe check`".into(),
                        details: diag::render_human(
                            &loaded.sources,
                            &loaded.diagnostics,
                            color && args.format == Format::Human,
                        ),
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
    let text = match args.format {
        Format::Human => verify::render_human(&results),
        Format::Junit => verify::render_junit(&results),
    };
    Ok((outcome, text))
}

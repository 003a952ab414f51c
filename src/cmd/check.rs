//! `kaohe check PACK...`: validate packs and report every problem.

use std::path::PathBuf;

use serde::Serialize;

use super::{CliError, Outcome};
use crate::diag::{self, JsonDiagnostic};
use crate::pack::{self, Loaded};

/// Validate rule packs (schema and semantics). Exit 0 when valid, 1 with problems.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Pack directories (each holds a `pack.yaml`).
    #[arg(required = true)]
    pub packs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

/// Output formats of `kaohe check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Located messages with the source line and a caret.
    Human,
    /// One JSON document: each pack with its diagnostics.
    Json,
    /// SARIF 2.1.0, for CI code annotations.
    Sarif,
}

#[derive(Serialize)]
struct JsonPack<'a> {
    path: String,
    id: Option<&'a str>,
    valid: bool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// Checks every pack and renders the result. Exit status: `Problems` when any pack has one.
pub fn run(args: &Args, color: bool) -> Result<(Outcome, String), CliError> {
    let mut loaded: Vec<(PathBuf, Loaded)> = Vec::with_capacity(args.packs.len());
    for dir in &args.packs {
        let result = pack::load(dir).map_err(|e| CliError::Usage(e.to_string()))?;
        loaded.push((dir.clone(), result));
    }
    let outcome = if loaded.iter().all(|(_, l)| l.is_valid()) {
        Outcome::Success
    } else {
        Outcome::Problems
    };
    let text = match args.format {
        Format::Human => {
            let mut out = String::new();
            for (dir, l) in &loaded {
                out.push_str(&diag::render_human(&l.sources, &l.diagnostics, color));
                let shown = diag::display_path(dir);
                match &l.pack {
                    Some(p) => out.push_str(&format!(
                        "{shown}: ok: pack `{}` {} with {} items in {} sections\n",
                        p.meta.id,
                        p.meta.version,
                        p.items.len(),
                        p.sections.len()
                    )),
                    None => {
                        let n = l.diagnostics.len();
                        let noun = if n == 1 { "problem" } else { "problems" };
                        out.push_str(&format!("{shown}: {n} {noun}\n"));
                    }
                }
            }
            out
        }
        Format::Json => {
            let packs: Vec<JsonPack> = loaded
                .iter()
                .map(|(dir, l)| JsonPack {
                    path: diag::display_path(dir),
                    id: l.id.as_deref(),
                    valid: l.is_valid(),
                    diagnostics: diag::json_diagnostics(&l.sources, &l.diagnostics),
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&serde_json::json!({ "packs": packs }))
                .unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Sarif => {
            let reports: Vec<_> = loaded
                .iter()
                .map(|(_, l)| (&l.sources, l.diagnostics.as_slice()))
                .collect();
            diag::render_sarif(&reports)
        }
    };
    Ok((outcome, text))
}

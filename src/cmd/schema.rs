//! `kaohe schema PACK`: the JSON Schema of a submission to the pack.

use std::path::PathBuf;

use super::{CliError, Outcome, load_pack};
use crate::submission::schema::submission_schema;

/// Print the JSON Schema of a submission to a pack.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pack directory.
    pub pack: PathBuf,
    /// Write the schema to PATH instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// The schema, for stdout or `args.output`; `main` writes it.
pub fn run(args: &Args, color: bool) -> Result<(Outcome, String), CliError> {
    let pack = load_pack(&args.pack, color)?;
    let mut text = serde_json::to_string_pretty(&submission_schema(&pack)).unwrap_or_default();
    text.push('\n');
    Ok((Outcome::Success, text))
}

//! `kaohe schema PACK`: the JSON Schema of a submission to the pack.

use std::path::Path;

use super::{CliError, Outcome, load_pack};
use crate::submission::schema::submission_schema;

pub fn run(pack: &Path, color: bool) -> Result<(Outcome, String), CliError> {
    let pack = load_pack(pack, color)?;
    let mut text = serde_json::to_string_pretty(&submission_schema(&pack)).unwrap_or_default();
    text.push('\n');
    Ok((Outcome::Success, text))
}

//! Submissions: one bureau's data for one year, read straight into the engine's
//! representation (values indexed by the pack's data dictionary) and validated on the way.

mod csv_register;
mod load;
pub mod schema;
mod seed;
mod value;

use indexmap::IndexMap;
use jiff::civil::Date;
use serde::Serialize;

pub use load::{SubmissionError, load, load_confined, load_inline};
pub use value::{Value, convert_csv_cell};

/// Who submitted: the bureau.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Bureau {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// A bureau's submission for one year, its values aligned with a pack's data dictionary:
/// `facts[i]` is the i-th fact of `pack.data.facts`, `registers[j]` the j-th register.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub bureau: Bureau,
    pub year: i32,
    /// The assessment date, when the submission gives one. Without it nothing is invented:
    /// rectification deadlines counted in days from it have no date (整改时限未定), and
    /// waivers are applied without checking their expiry, with a warning.
    pub assessed_on: Option<Date>,
    pub facts: Vec<Option<Value>>,
    /// `None` when the submission does not provide the register at all.
    pub registers: Vec<Option<Table>>,
    /// Evidence name -> the documents listed for it.
    pub evidence: IndexMap<String, Vec<String>>,
    /// 科室 -> 负责人.
    pub departments: IndexMap<String, String>,
    /// Item id -> the bureau's own score (自评分).
    pub self_scores: IndexMap<String, f64>,
}

/// The rows of one register; each row has one slot per column of the dictionary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub rows: Vec<Vec<Option<Value>>>,
}

impl Table {
    /// The key of row `row`, as text.
    pub fn key(&self, row: usize, key_column: usize) -> String {
        match self.rows.get(row).and_then(|r| r.get(key_column)) {
            Some(Some(v)) => v.to_string(),
            _ => format!("#{}", row + 1),
        }
    }
}

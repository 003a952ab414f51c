//! Submissions: one bureau's data for one year, read straight into the engine's
//! representation (values indexed by the pack's data dictionary) and validated on the way.

mod csv_register;
mod load;
pub mod schema;
mod seed;
mod value;
pub mod workbook;

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
    /// 科室 (as the pack names it) -> the bureau's own name for it and its 负责人.
    pub departments: IndexMap<String, Department>,
    /// Item id -> the bureau's own score (自评分).
    pub self_scores: IndexMap<String, f64>,
}

/// How a bureau names one of the pack's departments (科室) and who is in charge of it:
/// `departments: {政策法规科: 汪洋}` or `departments: {政策法规科: {unit: 法规科, person: 王芳}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Department {
    /// The bureau's name for the department (责任单位), when it is not the pack's.
    pub unit: Option<String>,
    /// The person in charge (责任人).
    pub person: Option<String>,
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

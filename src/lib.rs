//! kaohe: score an organisation's submitted data against a YAML rule pack.

pub mod assess;
pub mod checks;
pub mod cmd;
pub mod compare;
pub mod diag;
pub mod entries;
pub mod filled;
pub mod followup;
#[doc(hidden)]
pub mod fuzz;
pub mod limits;
pub mod num;
pub mod pack;
pub mod rectify;
pub mod report;
pub mod review;
pub mod round;
pub mod score;
pub mod source;
pub mod submission;
pub mod text;
pub mod verify;
pub mod waiver;
pub mod yaml;

//! kaohe: score an organisation's submitted data against a YAML rule pack.

pub mod cmd;
pub mod diag;
pub mod num;
pub mod pack;
pub mod submission;
pub mod yaml;

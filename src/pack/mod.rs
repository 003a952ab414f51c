//! Rule packs: the model, loading a pack directory (with its base packs), and validating it.

mod load;
pub mod model;
pub mod schema;
pub mod template;
pub mod validate;

use std::path::PathBuf;

use indexmap::IndexMap;

pub use load::{LoadError, Loaded, load, load_for_assessment, still_valid};
pub use model::*;

use crate::diag::FileId;

/// A pack with its base packs and overrides applied: what the engine evaluates.
#[derive(Debug, Clone)]
pub struct Pack {
    pub meta: PackMeta,
    /// The pack's directory.
    pub dir: PathBuf,
    /// Ids of the packs this one extends, nearest first.
    pub bases: Vec<String>,
    pub scoring: Scoring,
    /// Every section at every level, each parent before its children (pre-order, as the
    /// table reads); `Section::parent` and `Section::level` give the nesting.
    pub sections: Vec<Section>,
    pub data: DataDict,
    pub sets: IndexMap<String, ValueSet>,
    pub items: Vec<Item>,
    /// Eligibility gates (申报条件): a base's first, then each overlay's.
    pub gates: Vec<Gate>,
    /// Every file the pack's content was read from (its own and its bases'; not its tests),
    /// in reading order.
    pub files: Vec<PathBuf>,
}

impl Pack {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// Whether section `id` is `ancestor` or lies inside it, at any depth.
    pub fn section_within(&self, id: &str, ancestor: &str) -> bool {
        let mut at = Some(id);
        // Parents come before children, so a chain is never longer than the list.
        for _ in 0..=self.sections.len() {
            match at {
                Some(s) if s == ancestor => return true,
                Some(s) => at = self.section(s).and_then(|s| s.parent.as_deref()),
                None => return false,
            }
        }
        false
    }
}

/// A JSON pointer into one file: where something in a pack was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: FileId,
    pub pointer: String,
}

impl Origin {
    pub fn new(file: FileId, pointer: impl Into<String>) -> Self {
        Origin {
            file,
            pointer: pointer.into(),
        }
    }

    pub fn join(&self, segment: impl std::fmt::Display) -> Origin {
        let segment = crate::text::pointer_segment(&segment.to_string());
        Origin {
            file: self.file,
            pointer: format!("{}/{segment}", self.pointer),
        }
    }
}

/// Where each part of a composed pack was written, so problems found after composition point
/// at the right file: the base's item, or the overlay's override that changed it.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    /// The top pack's `pack.yaml`.
    pub pack_file: Option<FileId>,
    pub scoring: Option<Origin>,
    /// Parallel to `Pack::sections`.
    pub sections: Vec<Origin>,
    /// Overrides of a section's fields, by section id then field.
    pub section_fields: IndexMap<String, IndexMap<&'static str, Origin>>,
    pub facts: IndexMap<String, Origin>,
    pub registers: IndexMap<String, Origin>,
    pub evidence: IndexMap<String, Origin>,
    pub sets: IndexMap<String, Origin>,
    /// Parallel to `Pack::gates`.
    pub gates: Vec<Origin>,
    /// Parallel to `Pack::items`.
    pub items: Vec<ItemOrigin>,
    /// Overrides that changed the points of a section's items (by changing or disabling
    /// one), by section id: where an overlay author fixes a section total.
    pub section_touched: IndexMap<String, Vec<Origin>>,
}

/// Where an item and each of its overridden fields were written.
#[derive(Debug, Clone)]
pub struct ItemOrigin {
    pub at: Origin,
    /// Field name -> the override that set it.
    pub fields: IndexMap<&'static str, Origin>,
}

impl ItemOrigin {
    /// The origin of one field of the item: the override's value, or the item's own.
    pub fn field(&self, name: &'static str) -> Origin {
        match self.fields.get(name) {
            Some(o) => o.join(name),
            None => self.at.join(name),
        }
    }
}

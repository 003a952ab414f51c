//! The broken-pack corpus (`tests/packs/bad`, described in `tests/packs/README.md`): each case
//! is the base pack `tests/packs/base` with some of its files replaced, added or removed, and
//! is materialised into a directory before `kaohe` reads it.

// Each test crate that includes this module uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The corpus directory, one subdirectory per case.
pub fn bad_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/packs/bad")
}

/// The base pack every case starts from.
pub fn base_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/packs/base")
}

/// A case's `case.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// `<code> at <file>:<line>:<col>`, or `<code> at <file>` for a diagnostic of a whole file:
    /// the diagnostic the case exists for.
    pub expect: String,
    /// Set when kaohe's output is known to miss `expect`: the test then checks that it still
    /// does, so that a fix is noticed and the mark removed.
    #[serde(default)]
    pub known_bug: Option<String>,
    /// The subdirectory of the case the base pack is copied to (an overlay's base), instead of
    /// the case directory itself.
    #[serde(default)]
    pub base_at: Option<String>,
    /// Files or directories of the materialised case to delete after copying.
    #[serde(default)]
    pub remove: Vec<String>,
}

/// The expected diagnostic of a case, parsed from [`Spec::expect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    pub code: String,
    /// Relative to the case directory.
    pub file: String,
    pub line_col: Option<(u32, u32)>,
}

impl Spec {
    pub fn read(case_dir: &Path) -> Spec {
        let path = case_dir.join("case.yaml");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn expected(&self) -> Expect {
        let form = || {
            format!(
                "`expect: {}` is not `<code> at <file>[:<line>:<col>]`",
                self.expect
            )
        };
        let (code, at) = self
            .expect
            .split_once(" at ")
            .unwrap_or_else(|| panic!("{}", form()));
        let number = |s: &str| s.parse::<u32>().unwrap_or_else(|_| panic!("{}", form()));
        let mut parts = at.rsplitn(3, ':');
        let (file, line_col) = match (parts.next(), parts.next(), parts.next()) {
            (Some(col), Some(line), Some(file)) => (file, Some((number(line), number(col)))),
            _ => (at, None),
        };
        Expect {
            code: code.to_string(),
            file: file.to_string(),
            line_col,
        }
    }
}

/// The names of the corpus's cases, sorted.
pub fn case_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(bad_dir())
        .expect("tests/packs/bad")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().expect("named").to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Writes the case `tests/packs/bad/<name>` as a whole pack directory `<into>/<name>` and
/// returns that directory: the base pack, then the case's own files over it, then the removals.
pub fn materialise(name: &str, into: &Path) -> PathBuf {
    let case_dir = bad_dir().join(name);
    let spec = Spec::read(&case_dir);
    let dest = into.join(name);
    let base_dest = match &spec.base_at {
        Some(sub) => dest.join(sub),
        None => dest.clone(),
    };
    copy_tree(&base_dir(), &base_dest, None);
    copy_tree(&case_dir, &dest, Some("case.yaml"));
    for rel in &spec.remove {
        let path = dest.join(rel);
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.unwrap_or_else(|e| panic!("{name}: cannot remove `{rel}`: {e}"));
    }
    dest
}

/// Copies the files under `from` to `to`, replacing files of the same name; `skip` is a file
/// directly under `from` that is not copied.
fn copy_tree(from: &Path, to: &Path, skip: Option<&str>) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("readable directory") {
        let entry = entry.expect("readable entry");
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &target, None);
        } else if skip.is_none_or(|s| entry.file_name() != s) {
            std::fs::copy(&path, &target).expect("copy file");
        }
    }
}

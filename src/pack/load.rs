//! Reading a pack directory: each file parsed, checked against the schema, read into the
//! model; base packs loaded through `extends`; overrides applied; then semantic validation.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::de::DeserializeOwned;

use super::model::*;
use super::schema::{PackSchema, Role};
use super::{ItemOrigin, Origin, Pack, Provenance, validate};
use crate::diag::{self, Code, Diagnostic, FileId, Location, Sources, Target, did_you_mean};
use crate::source::{self, SourceError};
use crate::yaml;

/// A problem that stops loading before any pack file is read: the user named no pack.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("`{0}` is not a directory")]
    NotADirectory(String),
    #[error("embedded schema: {0}")]
    Schema(String),
}

/// The outcome of loading a pack: the pack when it is valid, the files read, and every
/// problem found.
#[derive(Debug)]
pub struct Loaded {
    pub pack: Option<Pack>,
    /// The pack's id, when its `pack.yaml` could be read (even if the pack is not valid).
    pub id: Option<String>,
    pub provenance: Provenance,
    /// The pack's own test files (not its bases'), read and typed once; their text and
    /// positions are in `sources`.
    pub tests: Vec<(FileId, TestFile)>,
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn is_valid(&self) -> bool {
        self.diagnostics
            .iter()
            .all(|d| d.severity != diag::Severity::Error)
    }
}

/// Loads and validates the pack in `dir`, with its test files (for `kaohe check` and
/// `kaohe test`).
pub fn load(dir: &Path) -> Result<Loaded, LoadError> {
    load_with(dir, true)
}

/// Loads and validates the pack in `dir` without its test files: assessing with a pack does
/// not depend on them, so a broken test file does not stop an assessment.
pub fn load_for_assessment(dir: &Path) -> Result<Loaded, LoadError> {
    load_with(dir, false)
}

fn load_with(dir: &Path, with_tests: bool) -> Result<Loaded, LoadError> {
    if !dir.is_dir() {
        return Err(LoadError::NotADirectory(dir.display().to_string()));
    }
    let mut loader = Loader {
        schema: PackSchema::new().map_err(LoadError::Schema)?,
        sources: Sources::default(),
        diagnostics: Vec::new(),
        files: Vec::new(),
        tests: Vec::new(),
        with_tests,
        broken: HashSet::new(),
        id: None,
        scoring_set_aside: false,
    };
    let mut stack = Vec::new();
    let layer = loader.layer(dir, &mut stack, None);
    let mut diagnostics = loader.diagnostics;
    let mut provenance = Provenance::default();
    let mut tests = Vec::new();
    let pack = layer.and_then(|layer| {
        provenance = layer.provenance;
        let complete = layer.complete;
        let pack = finish(
            layer.draft,
            &provenance,
            &loader.sources,
            &mut diagnostics,
            loader.files,
            loader.scoring_set_aside,
        )?;
        validate::validate(
            &pack,
            &provenance,
            &loader.sources,
            complete,
            &mut diagnostics,
        );
        // A base pack's tests are about the base; only this pack's own are checked against it.
        tests = std::mem::take(&mut loader.tests)
            .into_iter()
            .filter(|(d, _, _)| d.as_path() == pack.dir.as_path())
            .map(|(_, f, t)| (f, t))
            .collect();
        validate::tests(&pack, &tests, &loader.sources, &mut diagnostics);
        Some(pack)
    });
    diagnostics.retain(|d| !consequence(d, &loader.broken));
    diag::sort(&mut diagnostics);
    let valid = diagnostics
        .iter()
        .all(|d| d.severity != diag::Severity::Error);
    Ok(Loaded {
        pack: if valid { pack } else { None },
        id: loader.id,
        provenance,
        tests,
        sources: loader.sources,
        diagnostics,
    })
}

struct Loader {
    schema: PackSchema,
    sources: Sources,
    diagnostics: Vec<Diagnostic>,
    files: Vec<PathBuf>,
    /// Test files read, with the directory of the pack they belong to.
    tests: Vec<(PathBuf, FileId, TestFile)>,
    with_tests: bool,
    /// Names defined by parts of the pack that were set aside because the schema found them
    /// wrong: a reference to one of them is a consequence, not another problem.
    broken: HashSet<String>,
    /// The id of the first `pack.yaml` read: the pack's own (its bases are read after it).
    id: Option<String>,
    /// Whether some of a `scoring` was set aside (so a pack without one is no new problem).
    scoring_set_aside: bool,
}

/// A pack as composed so far (a base with overlays applied).
#[derive(Default)]
struct Draft {
    meta: Option<PackMeta>,
    dir: PathBuf,
    bases: Vec<String>,
    scoring: Option<Scoring>,
    sections: Vec<Section>,
    data: DataDict,
    sets: IndexMap<String, ValueSet>,
    items: Vec<Item>,
    gates: Vec<Gate>,
    /// Items disabled by an override, with the override.
    disabled: IndexMap<String, Origin>,
}

struct Layer {
    draft: Draft,
    provenance: Provenance,
    /// False when some file of the pack could not be read, so totals would be misleading.
    complete: bool,
}

impl Loader {
    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn loc(&self, origin: &Origin, target: Target) -> Location {
        Location {
            file: origin.file,
            pos: self.sources.locate(origin.file, &origin.pointer, target),
        }
    }

    /// Reads one YAML file, checks it against the schema, and reads it into `T`.
    fn read<T: DeserializeOwned>(&mut self, path: &Path, role: Role) -> Option<(FileId, T)> {
        let (file, json, problems) = self.read_value(path, role)?;
        if !problems.is_empty() {
            return None;
        }
        self.typed(file, json)
    }

    /// Reads `json` into `T`, reporting a failure (which the schema should have prevented).
    fn typed<T: DeserializeOwned>(
        &mut self,
        file: FileId,
        json: serde_json::Value,
    ) -> Option<(FileId, T)> {
        match serde_json::from_value::<T>(json) {
            Ok(value) => Some((file, value)),
            Err(e) => {
                self.error(Diagnostic::error(
                    Code::Schema,
                    Location { file, pos: None },
                    format!("cannot read the file: {e}"),
                ));
                None
            }
        }
    }

    /// Reads one YAML file and checks it against the schema. Returns the document with the
    /// JSON pointers of the values the schema found wrong (already reported), so that the
    /// caller can set those values aside and read the rest.
    fn read_value(
        &mut self,
        path: &Path,
        role: Role,
    ) -> Option<(FileId, serde_json::Value, Vec<String>)> {
        self.files.push(path.to_path_buf());
        let text = match source::read_text(path) {
            Ok(text) => text,
            Err(e) => {
                let not_utf8 = matches!(e, SourceError::NotUtf8 { .. });
                let mut d = e.diagnostic(path, "the file", &mut self.sources);
                if not_utf8 {
                    d = d.with_help("save pack files as UTF-8");
                }
                self.error(d);
                return None;
            }
        };
        let file = self.sources.add(path, text);
        let root = match yaml::parse(&self.sources.file(file).text) {
            Ok(root) => root,
            Err(e) => {
                self.error(Diagnostic::error(
                    Code::YamlSyntax,
                    Location { file, pos: e.pos },
                    e.message,
                ));
                return None;
            }
        };
        if root.value == yaml::Value::Null {
            let help = match role {
                Role::Pack => "`pack.yaml` holds `pack`, `scoring`, `sections` and `data`",
                Role::Items => "an items file holds `items: [...]`",
                Role::Tests => "a test file holds `cases: [...]`",
            };
            self.error(
                Diagnostic::error(
                    Code::EmptyFile,
                    Location { file, pos: None },
                    "the file is empty",
                )
                .with_help(help),
            );
            return None;
        }
        let json = root.to_json();
        self.sources.set_root(file, root);
        let problems = self.schema.validate_at(role, &json, &self.sources, file);
        let mut pointers = Vec::with_capacity(problems.len());
        for (d, pointer) in problems {
            self.diagnostics.push(d);
            pointers.push(pointer);
        }
        Some((file, json, pointers))
    }

    /// Reads `pack.yaml`. When the schema finds problems, the smallest parts of the document
    /// that hold them (mappings' entries, from the innermost out) are set aside and the rest
    /// is read, provided it is then valid; the second value is false in that case.
    fn read_pack_file(&mut self, path: &Path) -> Option<(FileId, PackFile, bool)> {
        let (file, json, problems) = self.read_value(path, Role::Pack)?;
        if problems.is_empty() {
            return self.typed(file, json).map(|(f, p)| (f, p, true));
        }
        let segments: Vec<Vec<String>> = problems.iter().map(|p| split_pointer(p)).collect();
        let deepest = segments.iter().map(Vec::len).max().unwrap_or(0);
        for depth in (1..=deepest).rev() {
            let mut pruned = json.clone();
            let mut removed = Vec::new();
            let mut ok = true;
            for path in &segments {
                let mut path = path[..path.len().min(depth)].to_vec();
                // Only a mapping's entry is set aside: removing a list's element would move
                // the positions of the others.
                while let Some(last) = path.last() {
                    if last.parse::<usize>().is_ok() {
                        path.pop();
                    } else {
                        break;
                    }
                }
                // Without its `pack` block (id, `extends`) a file cannot be read as a pack.
                if path.first().is_none_or(|k| k == "pack") {
                    ok = false;
                    break;
                }
                if let Some(value) = remove_at(&mut pruned, &path) {
                    removed.push((path, value));
                }
            }
            if !ok {
                break;
            }
            let schema = &self.schema;
            if !schema
                .validate_at(Role::Pack, &pruned, &self.sources, file)
                .is_empty()
            {
                continue;
            }
            let Ok(pack) = serde_json::from_value::<PackFile>(pruned) else {
                continue;
            };
            for (path, value) in removed {
                self.scoring_set_aside |= path.first().is_some_and(|k| k == "scoring");
                self.set_aside(&path, &value);
            }
            return Some((file, pack, false));
        }
        None
    }

    /// Remembers the names a part of a pack file that was set aside defines, so that
    /// references to them are not reported as well.
    fn set_aside(&mut self, path: &[String], value: &serde_json::Value) {
        let mut names = Vec::new();
        collect_names(path.last().map(String::as_str), value, &mut names);
        self.broken.extend(names);
    }

    /// Loads the pack in `dir` and, first, the packs it extends.
    fn layer(
        &mut self,
        dir: &Path,
        stack: &mut Vec<PathBuf>,
        referrer: Option<Origin>,
    ) -> Option<Layer> {
        let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let pack_path = dir.join("pack.yaml");
        if !pack_path.is_file() {
            match &referrer {
                Some(origin) => {
                    let loc = self.loc(origin, Target::Value);
                    self.error(Diagnostic::error(
                        Code::UnresolvedExtends,
                        loc,
                        format!("base pack `{}` has no `pack.yaml`", diag::display_path(dir)),
                    ));
                }
                None => {
                    let file = self.sources.add(&pack_path, String::new());
                    self.error(Diagnostic::error(
                        Code::MissingPackFile,
                        Location { file, pos: None },
                        "the pack directory has no `pack.yaml`",
                    ));
                }
            }
            return None;
        }
        stack.push(canonical);
        let layer = self.layer_inner(dir, stack);
        stack.pop();
        layer
    }

    fn layer_inner(&mut self, dir: &Path, stack: &mut Vec<PathBuf>) -> Option<Layer> {
        let (pack_file, file, mut complete) = self.read_pack_file(&dir.join("pack.yaml"))?;
        let at = Origin::new(pack_file, "");
        if self.id.is_none() {
            self.id = Some(file.pack.id.clone());
        }

        let (mut draft, mut prov) = match &file.pack.extends {
            Some(rel) => {
                let extends_at = at.join("pack").join("extends");
                let base_dir = dir.join(rel);
                let canonical = base_dir.canonicalize().ok();
                if let Some(c) = &canonical
                    && stack.contains(c)
                {
                    let cycle: Vec<String> = stack
                        .iter()
                        .skip_while(|p| *p != c)
                        .chain(std::iter::once(c))
                        .map(|p| {
                            p.file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_default()
                        })
                        .collect();
                    let loc = self.loc(&extends_at, Target::Value);
                    self.error(Diagnostic::error(
                        Code::ExtendsCycle,
                        loc,
                        format!("`extends` forms a cycle: {}", cycle.join(" -> ")),
                    ));
                    return None;
                }
                if canonical.is_none() || !base_dir.is_dir() {
                    let loc = self.loc(&extends_at, Target::Value);
                    let message = if base_dir.exists() {
                        format!("base pack `{rel}` is not a directory")
                    } else {
                        format!("base pack `{rel}` does not exist")
                    };
                    self.error(
                        Diagnostic::error(Code::UnresolvedExtends, loc, message).with_help(
                            "`extends` is a directory path relative to this pack's directory",
                        ),
                    );
                    return None;
                }
                if !base_dir.join("pack.yaml").is_file() {
                    let loc = self.loc(&extends_at, Target::Value);
                    self.error(Diagnostic::error(
                        Code::UnresolvedExtends,
                        loc,
                        format!("base pack `{rel}` has no `pack.yaml`"),
                    ));
                    return None;
                }
                let base = self.layer(&base_dir, stack, Some(extends_at))?;
                complete &= base.complete;
                let mut draft = base.draft;
                if let Some(meta) = &draft.meta {
                    draft.bases.insert(0, meta.id.clone());
                }
                (draft, base.provenance)
            }
            None => (Draft::default(), Provenance::default()),
        };
        draft.dir = dir.to_path_buf();
        prov.pack_file = Some(pack_file);

        if file.pack.extends.is_none() {
            for key in ["scoring", "sections", "data"] {
                if at_missing(&self.sources, pack_file, key) {
                    let loc = self.loc(&at, Target::Value);
                    self.error(
                        Diagnostic::error(
                            Code::MissingKey,
                            loc,
                            format!("missing required key `{key}`"),
                        )
                        .with_help(
                            "a pack without `extends` defines its own scoring, sections and data",
                        ),
                    );
                    complete = false;
                }
            }
        }

        draft.meta = Some(file.pack.clone());
        if let Some(scoring) = file.scoring {
            draft.scoring = Some(scoring);
            prov.scoring = Some(at.join("scoring"));
        }
        flatten_sections(file.sections, &at, None, &mut draft.sections, &mut prov);
        if let Some(data) = file.data {
            let data_at = at.join("data");
            for (name, field) in data.facts {
                let origin = data_at.join("facts").join(&name);
                if self.redefined(&prov.facts, &name, &origin, "fact") {
                    continue;
                }
                prov.facts.insert(name.clone(), origin);
                draft.data.facts.insert(name, field);
            }
            for (name, register) in data.registers {
                let origin = data_at.join("registers").join(&name);
                if self.redefined(&prov.registers, &name, &origin, "register") {
                    continue;
                }
                prov.registers.insert(name.clone(), origin);
                draft.data.registers.insert(name, register);
            }
            for (name, kind) in data.evidence {
                let origin = data_at.join("evidence").join(&name);
                if self.redefined(&prov.evidence, &name, &origin, "evidence document") {
                    continue;
                }
                prov.evidence.insert(name.clone(), origin);
                draft.data.evidence.insert(name, kind);
            }
        }
        for (name, set) in file.sets {
            let origin = at.join("sets").join(&name);
            if self.redefined(&prov.sets, &name, &origin, "set") {
                continue;
            }
            prov.sets.insert(name.clone(), origin);
            draft.sets.insert(name, set);
        }

        // An overlay's gates are added after its base's: an overlay cannot lift a base's gate.
        for (i, gate) in file.gates.into_iter().enumerate() {
            draft.gates.push(gate);
            prov.gates.push(at.join("gates").join(i));
        }
        complete &= self.read_items(dir, &mut draft, &mut prov);
        for (i, o) in file.overrides.into_iter().enumerate() {
            let origin = at.join("overrides").join(i);
            self.apply_override(o, origin, &mut draft, &mut prov);
        }
        self.read_tests(dir);
        Some(Layer {
            draft,
            provenance: prov,
            complete,
        })
    }

    /// Reports a name the base pack already defines; an overlay changes a base through
    /// `overrides`, not by redefining.
    fn redefined(
        &mut self,
        existing: &IndexMap<String, Origin>,
        name: &str,
        origin: &Origin,
        what: &str,
    ) -> bool {
        let Some(first) = existing.get(name) else {
            return false;
        };
        let loc = self.loc(origin, Target::Key);
        let first_loc = self.loc(first, Target::Key);
        self.error(
            Diagnostic::error(
                Code::DuplicateId,
                loc,
                format!("{what} `{name}` is defined twice"),
            )
            .with_related(first_loc, "first defined here"),
        );
        true
    }

    /// Reads `items/*.yaml` in name order. Returns false when a file could not be read.
    fn read_items(&mut self, dir: &Path, draft: &mut Draft, prov: &mut Provenance) -> bool {
        let mut complete = true;
        for path in yaml_files(&dir.join("items")) {
            let Some((file, json, problems)) = self.read_value(&path, Role::Items) else {
                complete = false;
                continue;
            };
            if !problems.is_empty() {
                complete = false;
            }
            let items = match json {
                serde_json::Value::Object(mut map) => match map.remove("items") {
                    Some(serde_json::Value::Array(items)) => items,
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
            // An item the schema found wrong is set aside; the file's other items are read.
            for (i, item) in items.into_iter().enumerate() {
                let at = format!("/items/{i}");
                let broken = problems
                    .iter()
                    .any(|p| p == &at || p.starts_with(&format!("{at}/")));
                if broken {
                    if let Some(id) = item.get("id").and_then(serde_json::Value::as_str) {
                        self.broken.insert(id.to_string());
                    }
                    continue;
                }
                match serde_json::from_value::<Item>(item) {
                    Ok(item) => {
                        draft.items.push(item);
                        prov.items.push(ItemOrigin {
                            at: Origin::new(file, at),
                            fields: IndexMap::new(),
                        });
                    }
                    Err(e) => {
                        complete = false;
                        let loc = self.loc(&Origin::new(file, at), Target::Value);
                        self.error(Diagnostic::error(
                            Code::Schema,
                            loc,
                            format!("cannot read the item: {e}"),
                        ));
                    }
                }
            }
        }
        complete
    }

    /// Reads `tests/*.yaml` so that `kaohe check` validates them too.
    fn read_tests(&mut self, dir: &Path) {
        if !self.with_tests {
            return;
        }
        for path in yaml_files(&dir.join("tests")) {
            if let Some((file, tests)) = self.read::<TestFile>(&path, Role::Tests) {
                self.tests.push((dir.to_path_buf(), file, tests));
            }
            // Tests are not part of what a pack scores with, nor of its digest.
            self.files.retain(|f| f != &path);
        }
    }

    fn apply_override(
        &mut self,
        o: Override,
        at: Origin,
        draft: &mut Draft,
        prov: &mut Provenance,
    ) {
        let targets = [o.item.is_some(), o.section.is_some(), o.set.is_some()]
            .iter()
            .filter(|t| **t)
            .count();
        if targets != 1 {
            let loc = self.loc(&at, Target::Value);
            self.error(Diagnostic::error(
                Code::BadOverride,
                loc,
                "an override names exactly one of `item`, `section` or `set`",
            ));
            return;
        }
        if let Some(id) = &o.item {
            self.override_item(id, &o, &at, draft, prov);
        } else if let Some(id) = &o.section {
            self.misplaced(&o, &at, &["points", "title"]);
            let Some(section) = draft.sections.iter_mut().find(|s| &s.id == id) else {
                let candidates: Vec<&str> = draft.sections.iter().map(|s| s.id.as_str()).collect();
                self.unknown_target(&at.join("section"), "section", id, &candidates);
                return;
            };
            let fields = prov.section_fields.entry(id.clone()).or_default();
            if let Some(points) = o.points {
                section.points = points;
                fields.insert("points", at.clone());
                // A sub-section's points are part of its parent's sum, as an item's are.
                if let Some(parent) = &section.parent {
                    prov.section_touched
                        .entry(parent.clone())
                        .or_default()
                        .push(at.clone());
                }
            }
            if let Some(title) = &o.title {
                section.title = title.clone();
                fields.insert("title", at.clone());
            }
        } else if let Some(name) = &o.set {
            self.misplaced(&o, &at, &["members"]);
            let Some(set) = draft.sets.get_mut(name) else {
                let candidates: Vec<&str> = draft.sets.keys().map(String::as_str).collect();
                self.unknown_target(&at.join("set"), "set", name, &candidates);
                return;
            };
            match &o.members {
                Some(members) => {
                    set.members = members.clone();
                    prov.sets.insert(name.clone(), at.clone());
                }
                None => {
                    let loc = self.loc(&at, Target::Value);
                    self.error(Diagnostic::error(
                        Code::BadOverride,
                        loc,
                        format!("the override of set `{name}` gives no `members`"),
                    ));
                }
            }
        }
    }

    fn unknown_target(&mut self, at: &Origin, what: &str, name: &str, candidates: &[&str]) {
        if self.broken.contains(name) {
            // Its definition was set aside, and reported.
            return;
        }
        let loc = self.loc(at, Target::Value);
        let mut d = Diagnostic::error(
            Code::BadOverride,
            loc,
            format!("override names unknown {what} `{name}`"),
        );
        if let Some(s) = did_you_mean(name, candidates.iter().copied()) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        self.error(d);
    }

    /// Reports fields an override gives that do not apply to what it changes.
    fn misplaced(&mut self, o: &Override, at: &Origin, allowed: &[&str]) {
        let given = [
            ("disable", o.disable),
            ("title", o.title.is_some()),
            ("points", o.points.is_some()),
            ("applies_if", o.applies_if.is_some()),
            ("check", o.check.is_some()),
            ("min", o.min.is_some()),
            ("max", o.max.is_some()),
            ("deduct", o.deduct.is_some()),
            ("award", o.award.is_some()),
            ("rectify", o.rectify.is_some()),
            ("evidence", o.evidence.is_some()),
            ("basis", o.basis.is_some()),
            ("members", o.members.is_some()),
        ];
        for (name, present) in given {
            if present && !allowed.contains(&name) {
                let loc = self.loc(&at.join(name), Target::Key);
                self.error(
                    Diagnostic::error(
                        Code::BadOverride,
                        loc,
                        format!("`{name}` cannot be overridden here"),
                    )
                    .with_help(format!("this override can change: {}", allowed.join(", "))),
                );
            }
        }
    }

    fn override_item(
        &mut self,
        id: &str,
        o: &Override,
        at: &Origin,
        draft: &mut Draft,
        prov: &mut Provenance,
    ) {
        self.misplaced(
            o,
            at,
            &[
                "disable",
                "title",
                "points",
                "applies_if",
                "check",
                "min",
                "max",
                "deduct",
                "award",
                "rectify",
                "evidence",
                "basis",
            ],
        );
        let Some(index) = draft.items.iter().position(|i| i.id == id) else {
            if let Some(first) = draft.disabled.get(id) {
                let loc = self.loc(&at.join("item"), Target::Value);
                let first_loc = self.loc(first, Target::Value);
                self.error(
                    Diagnostic::error(
                        Code::BadOverride,
                        loc,
                        format!("item `{id}` was disabled by an earlier override"),
                    )
                    .with_related(first_loc, "disabled here"),
                );
                return;
            }
            let candidates: Vec<&str> = draft.items.iter().map(|i| i.id.as_str()).collect();
            self.unknown_target(&at.join("item"), "item", id, &candidates);
            return;
        };
        if o.disable {
            let removed = draft.items.remove(index);
            prov.items.remove(index);
            prov.section_touched
                .entry(removed.section)
                .or_default()
                .push(at.clone());
            draft.disabled.insert(id.to_string(), at.clone());
            return;
        }
        let item = &mut draft.items[index];
        let fields = &mut prov.items[index].fields;
        let set = |name: &'static str, fields: &mut IndexMap<&'static str, Origin>| {
            fields.insert(name, at.clone());
        };
        if let Some(v) = &o.title {
            item.title = v.clone();
            set("title", fields);
        }
        if let Some(v) = o.points {
            item.points = v;
            set("points", fields);
            prov.section_touched
                .entry(item.section.clone())
                .or_default()
                .push(at.clone());
        }
        if let Some(v) = &o.applies_if {
            item.applies_if = Some(v.clone());
            set("applies_if", fields);
        }
        if let Some(v) = &o.check {
            item.check = v.clone();
            set("check", fields);
        }
        if let Some(v) = &o.deduct {
            item.deduct = v.clone();
            set("deduct", fields);
        }
        // A schedule item's check is made from its clauses (`Item::schedule_check`): a `check`
        // given beside them would be dropped.
        if o.check.is_some() && !item.deduct.clauses().is_empty() {
            let loc = self.loc(&at.join("check"), Target::Key);
            self.error(
                Diagnostic::error(
                    Code::BadOverride,
                    loc,
                    format!(
                        "item `{id}` is scored by a deduction `schedule`: its clauses are its check"
                    ),
                )
                .with_help("override `deduct` with the schedule's new clauses instead"),
            );
        }
        if let Some(v) = o.award {
            item.award = Some(v);
            set("award", fields);
        }
        if let Some(v) = &o.rectify {
            item.rectify = Some(v.clone());
            set("rectify", fields);
        }
        if let Some(v) = &o.evidence {
            item.evidence = v.clone();
            set("evidence", fields);
        }
        if let Some(v) = &o.basis {
            item.basis = v.clone();
            set("basis", fields);
        }
        if let Some(min) = o.min {
            let applied = item.check.kind.spec_mut().set_threshold(min);
            if applied {
                prov.items[index].fields.insert("min", at.clone());
            } else {
                let kind = item.check.kind.name();
                let loc = self.loc(&at.join("min"), Target::Value);
                self.error(
                    Diagnostic::error(
                        Code::BadOverride,
                        loc,
                        format!("`min` does not fit item `{id}`, whose check is `{kind}`"),
                    )
                    .with_help(
                        "`min` is a percentage for `coverage` and `ratio`, an integer for `count`",
                    ),
                );
            }
        }
        if let Some(max) = o.max {
            let item = &mut draft.items[index];
            match item.check.kind.spec_mut().set_max(max) {
                true => {
                    prov.items[index].fields.insert("max", at.clone());
                }
                false => {
                    let loc = self.loc(&at.join("max"), Target::Value);
                    self.error(Diagnostic::error(
                        Code::BadOverride,
                        loc,
                        format!("`max` applies only to a `count` check, and item `{id}` has none"),
                    ));
                }
            }
        }
    }
}

/// The `*.yaml` and `*.yml` files of a directory, in name order (none when it is absent).
pub(crate) fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    files.sort();
    files
}

fn at_missing(sources: &Sources, file: FileId, key: &str) -> bool {
    sources
        .file(file)
        .root
        .as_ref()
        .is_none_or(|root| root.get(key).is_none())
}

/// Turns a draft into a pack, when it has the parts every pack needs.
fn finish(
    mut draft: Draft,
    prov: &Provenance,
    sources: &Sources,
    diagnostics: &mut Vec<Diagnostic>,
    files: Vec<PathBuf>,
    scoring_set_aside: bool,
) -> Option<Pack> {
    let meta = draft.meta.take()?;
    for item in &mut draft.items {
        item.schedule_check();
    }
    // A `scoring` the schema found wrong has been reported and set aside; the rest of the
    // pack is still checked, against a scoring with no grades and no veto (its totals are not
    // checked: the pack is incomplete).
    let scoring = draft.scoring.or_else(|| {
        scoring_set_aside.then(|| Scoring {
            total: 0.0,
            grades: Vec::new(),
            bonus_cap: None,
            veto: None,
            missing_data: MissingDataPolicy::default(),
            not_applicable: NotApplicablePolicy::default(),
            reconcile: None,
            recheck: Default::default(),
            self_assessment: None,
            followup: None,
        })
    });
    let Some(scoring) = scoring else {
        if let Some(file) = prov.pack_file
            && !diagnostics.iter().any(|d| d.code == Code::MissingKey)
        {
            diagnostics.push(Diagnostic::error(
                Code::MissingKey,
                Location {
                    file,
                    pos: sources.locate(file, "", Target::Value),
                },
                "the pack has no `scoring`",
            ));
        }
        return None;
    };
    Some(Pack {
        meta,
        dir: draft.dir,
        bases: draft.bases,
        scoring,
        sections: draft.sections,
        data: draft.data,
        sets: draft.sets,
        items: draft.items,
        gates: draft.gates,
        files,
    })
}

/// Whether `pack`, a copy of `loaded`'s pack changed in memory (the same items in the same
/// order, read from the same files), is still valid: what `kaohe check` would say of it.
pub fn still_valid(loaded: &Loaded, pack: &Pack) -> bool {
    let mut diagnostics = Vec::new();
    validate::validate(
        pack,
        &loaded.provenance,
        &loaded.sources,
        true,
        &mut diagnostics,
    );
    diagnostics
        .iter()
        .all(|d| d.severity != diag::Severity::Error)
}

/// Whether `d` reports a reference to a name whose definition was set aside (and reported).
fn consequence(d: &Diagnostic, broken: &HashSet<String>) -> bool {
    let reference = matches!(
        d.code,
        Code::UnknownItem
            | Code::VetoGrade
            | Code::UnknownField
            | Code::UnknownRegister
            | Code::UnknownSection
            | Code::UnknownSet
            | Code::UnknownGrade
    );
    reference
        && broken
            .iter()
            .any(|name| d.message.contains(&format!("`{name}`")))
}

/// The segments of a JSON pointer, unescaped.
fn split_pointer(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Removes the mapping entry at `path` from `root`, returning it.
fn remove_at(root: &mut serde_json::Value, path: &[String]) -> Option<serde_json::Value> {
    let (last, parents) = path.split_last()?;
    let mut node = root;
    for segment in parents {
        node = match node {
            serde_json::Value::Object(map) => map.get_mut(segment)?,
            serde_json::Value::Array(list) => list.get_mut(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    node.as_object_mut()?.shift_remove(last)
}

/// The names a part of a pack file defines: the entry's key, and the `id`s and `name`s of
/// the sections and grades inside it.
fn collect_names(key: Option<&str>, value: &serde_json::Value, out: &mut Vec<String>) {
    if let Some(key) = key {
        out.push(key.to_string());
    }
    match value {
        serde_json::Value::Object(map) => {
            for field in ["id", "name"] {
                if let Some(name) = map.get(field).and_then(serde_json::Value::as_str) {
                    out.push(name.to_string());
                }
            }
            for (k, v) in map {
                if v.is_object() || v.is_array() {
                    collect_names(Some(k), v, out);
                }
            }
        }
        serde_json::Value::Array(list) => {
            for v in list {
                collect_names(None, v, out);
            }
        }
        _ => {}
    }
}

/// Appends `sections` (written at `at`, inside `parent`) and their sub-sections to `out`,
/// each parent before its children, with their origins to `prov.sections`.
fn flatten_sections(
    sections: Vec<Section>,
    at: &Origin,
    parent: Option<&Section>,
    out: &mut Vec<Section>,
    prov: &mut Provenance,
) {
    for (i, mut section) in sections.into_iter().enumerate() {
        let here = at.join("sections").join(i);
        let children = std::mem::take(&mut section.sections);
        section.parent = parent.map(|p| p.id.clone());
        section.level = parent.map_or(1, |p| p.level + 1);
        out.push(section.clone());
        prov.sections.push(here.clone());
        flatten_sections(children, &here, Some(&section), out, prov);
    }
}

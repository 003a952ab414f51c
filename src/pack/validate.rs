//! Semantic validation of a composed pack: what the schema cannot say. Ids are unique,
//! references resolve, points add up, grade bands cover the range, every field a check names
//! exists with a compatible type, and templates use only the variables their check provides.

use std::collections::HashMap;

use super::model::*;
use super::template;
use super::{ItemOrigin, Origin, Pack, Provenance};
use crate::checks::COMMON_VARIABLES;
use crate::diag::{Code, Diagnostic, Location, Sources, Target, did_you_mean};
use crate::source::SourceError;

/// Points are decimals such as 0.5 and 1.2; sums are compared to this tolerance.
const EPSILON: f64 = 1e-6;

pub(super) fn validate(
    pack: &Pack,
    prov: &Provenance,
    sources: &Sources,
    complete: bool,
    out: &mut Vec<Diagnostic>,
) {
    let mut v = Validator {
        pack,
        prov,
        sources,
        out,
        min_overridden: false,
    };
    v.dictionary();
    let sections_ok = v.sections()
        && pack
            .items
            .iter()
            .all(|i| pack.section(&i.section).is_some());
    v.grades();
    v.self_assessment_rule();
    v.followup_rule();
    v.items();
    v.gates();
    if complete && sections_ok {
        v.points();
    }
}

/// A pack's test files name items the pack has, cases once each, and submission and waiver
/// files that exist inside the test file's folder.
pub(super) fn tests(
    pack: &Pack,
    files: &[(crate::diag::FileId, TestFile)],
    sources: &Sources,
    out: &mut Vec<Diagnostic>,
) {
    let mut names: HashMap<&str, Origin> = HashMap::new();
    for (file, tests) in files {
        let dir = std::path::Path::new(&sources.file(*file).path)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let loc = |origin: &Origin, target| Location {
            file: origin.file,
            pos: sources.locate(origin.file, &origin.pointer, target),
        };
        for (i, case) in tests.cases.iter().enumerate() {
            let at = Origin::new(*file, format!("/cases/{i}"));
            let here = at.join("name");
            if let Some(first) = names.get(case.name.as_str()) {
                out.push(
                    Diagnostic::error(
                        Code::DuplicateId,
                        loc(&here, Target::Value),
                        format!("test case `{}` is defined twice", case.name),
                    )
                    .with_related(loc(first, Target::Value), "first defined here"),
                );
            } else {
                names.insert(&case.name, here);
            }
            let paths = [
                ("submission", case.submission.as_str()),
                ("waivers", case.waivers.as_ref().and_then(|w| w.as_str())),
            ];
            for (key, rel) in paths {
                let Some(rel) = rel else { continue };
                let here = loc(&at.join(key), Target::Value);
                match crate::source::confine(&dir, rel) {
                    Ok(file) if file.path().is_file() => {}
                    Err(e @ SourceError::Outside(_)) => out.push(
                        Diagnostic::error(Code::OutsideFolder, here, e.to_string()).with_help(
                            "a test's files are in the test file's folder or in a folder below it",
                        ),
                    ),
                    Ok(_) | Err(_) => out.push(Diagnostic::error(
                        Code::MissingFile,
                        here,
                        format!("`{rel}` does not exist (paths are relative to the test file)"),
                    )),
                }
            }
            for id in case.expect.sections.keys() {
                if pack.section(id).is_none() {
                    let mut d = Diagnostic::error(
                        Code::UnknownSection,
                        loc(&at.join("expect").join("sections").join(id), Target::Key),
                        format!("the pack has no section `{id}`"),
                    );
                    if let Some(s) = did_you_mean(id, pack.sections.iter().map(|s| s.id.as_str())) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    out.push(d);
                }
            }
            for id in case.expect.items.keys() {
                if pack.item(id).is_none() {
                    let mut d = Diagnostic::error(
                        Code::UnknownItem,
                        loc(&at.join("expect").join("items").join(id), Target::Key),
                        format!("the pack has no item `{id}`"),
                    );
                    if let Some(s) = did_you_mean(id, pack.items.iter().map(|i| i.id.as_str())) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    out.push(d);
                }
            }
        }
    }
}

/// Semantic validation in progress: what check kinds report their problems to.
pub struct Validator<'a> {
    pub(crate) pack: &'a Pack,
    pub(crate) prov: &'a Provenance,
    sources: &'a Sources,
    pub(crate) out: &'a mut Vec<Diagnostic>,
    /// Whether the item being checked has its threshold set by an override.
    pub(crate) min_overridden: bool,
}

/// Where predicate fields are looked up.
#[derive(Clone, Copy)]
pub enum Fields<'a> {
    Facts,
    Register(&'a str),
}

fn fmt_points(x: f64) -> String {
    let rounded = (x * 1e6).round() / 1e6;
    format!("{rounded}")
}

impl<'a> Validator<'a> {
    pub(crate) fn loc(&self, origin: &Origin, target: Target) -> Location {
        Location {
            file: origin.file,
            pos: self.sources.locate(origin.file, &origin.pointer, target),
        }
    }

    pub(crate) fn error(
        &mut self,
        code: Code,
        origin: &Origin,
        target: Target,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let loc = self.loc(origin, target);
        self.out.push(Diagnostic::error(code, loc, message));
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    pub(crate) fn help(d: &mut Diagnostic, help: impl Into<String>) {
        d.help = Some(help.into());
    }

    pub(crate) fn suggest(
        d: &mut Diagnostic,
        name: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) {
        if let Some(s) = did_you_mean(name, candidates) {
            d.help = Some(format!("did you mean `{s}`?"));
        }
    }

    // ---- data dictionary -------------------------------------------------------------

    fn dictionary(&mut self) {
        let data = &self.pack.data;
        for (name, field) in &data.facts {
            if let Some(origin) = self.prov.facts.get(name).cloned() {
                self.field(field, &origin);
                if let Some(register) = &field.states {
                    self.register(register, &origin.join("states"));
                }
            }
        }
        for (name, register) in &data.registers {
            let Some(origin) = self.prov.registers.get(name).cloned() else {
                continue;
            };
            match register.columns.get(&register.key) {
                None => {
                    let d = self.error(
                        Code::UnknownField,
                        &origin.join("key"),
                        Target::Value,
                        format!(
                            "key column `{}` is not among the register's columns",
                            register.key
                        ),
                    );
                    Self::suggest(
                        d,
                        &register.key,
                        register.columns.keys().map(String::as_str),
                    );
                }
                Some(col) if !matches!(col.ty, FieldType::String | FieldType::Integer) => {
                    let message = format!(
                        "key column `{}` is {}; a key is a string or an integer",
                        register.key,
                        a_type(col.ty)
                    );
                    self.error(
                        Code::TypeMismatch,
                        &origin.join("key"),
                        Target::Value,
                        message,
                    );
                }
                Some(_) => {}
            }
            for (col_name, col) in &register.columns {
                let at = origin.join("columns").join(col_name);
                self.field(col, &at);
                if col.states.is_some() {
                    self.error(
                        Code::MisplacedKey,
                        &at.join("states"),
                        Target::Key,
                        "`states` marks a fact as a register's stated figure; a column states nothing",
                    );
                }
            }
        }
    }

    fn field(&mut self, field: &Field, origin: &Origin) {
        let takes_values = matches!(field.ty, FieldType::Enum | FieldType::List);
        if takes_values && field.values.is_empty() {
            let message = format!("a field of type `{}` needs `values`", field.ty.name());
            self.error(Code::MissingKey, origin, Target::Value, message);
        }
        if !takes_values && !field.values.is_empty() {
            let message = format!(
                "`values` only applies to `enum` and `list`, not `{}`",
                field.ty.name()
            );
            self.error(
                Code::MisplacedKey,
                &origin.join("values"),
                Target::Key,
                message,
            );
        }
        if !field.accept.is_empty() && field.ty != FieldType::Percent {
            let message = format!(
                "`accept` only applies to `percent`, not `{}`",
                field.ty.name()
            );
            self.error(
                Code::MisplacedKey,
                &origin.join("accept"),
                Target::Key,
                message,
            );
        }
        if field.signed && !matches!(field.ty, FieldType::Integer | FieldType::Number) {
            let message = format!(
                "`signed` only applies to `integer` and `number`, not `{}`",
                field.ty.name()
            );
            self.error(
                Code::MisplacedKey,
                &origin.join("signed"),
                Target::Key,
                message,
            );
        }
    }

    // ---- sections, grades, points ------------------------------------------------------

    /// Unique section ids. Returns false when ids collide (sums would then mislead).
    fn sections(&mut self) -> bool {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut ok = true;
        for (i, s) in self.pack.sections.iter().enumerate() {
            let origin = self.prov.sections[i].join("id");
            if let Some(first) = seen.get(s.id.as_str()) {
                let first_loc = self.loc(&self.prov.sections[*first].join("id"), Target::Value);
                let d = self.error(
                    Code::DuplicateId,
                    &origin,
                    Target::Value,
                    format!("section `{}` is defined twice", s.id),
                );
                d.related.push(crate::diag::Related {
                    location: first_loc,
                    message: "first defined here".into(),
                });
                ok = false;
            } else {
                seen.insert(&s.id, i);
            }
            // The first level too deep only: the sections inside it are implied.
            if s.level == MAX_SECTION_LEVEL + 1 {
                let message = format!(
                    "section `{}` is nested {} levels deep; sections nest at most {MAX_SECTION_LEVEL} levels",
                    s.id, s.level
                );
                let d = self.error(Code::SectionDepth, &origin, Target::Value, message);
                Self::help(
                    d,
                    "give its items to the section it is written in, or write the deepest level as items",
                );
            }
        }
        ok
    }

    fn scoring_origin(&self) -> Origin {
        self.prov
            .scoring
            .clone()
            .unwrap_or_else(|| Origin::new(self.prov.pack_file.unwrap_or(0), ""))
    }

    fn grades(&mut self) {
        let scoring = &self.pack.scoring;
        let at = self.scoring_origin().join("grades");
        let mut names: HashMap<&str, usize> = HashMap::new();
        for (i, band) in scoring.grades.iter().enumerate() {
            if names.insert(&band.name, i).is_some() {
                self.error(
                    Code::DuplicateId,
                    &at.join(i).join("name"),
                    Target::Value,
                    format!("grade `{}` is listed twice", band.name),
                );
            }
            if i > 0 && band.min >= scoring.grades[i - 1].min {
                let message = format!(
                    "grade bands must go from the highest down: `{}` starts at {} but the band above starts at {}",
                    band.name,
                    fmt_points(band.min),
                    fmt_points(scoring.grades[i - 1].min)
                );
                self.error(
                    Code::GradeBands,
                    &at.join(i).join("min"),
                    Target::Value,
                    message,
                );
            }
            if band.min > scoring.total + EPSILON {
                let message = format!(
                    "grade `{}` starts at {}, above the total {}",
                    band.name,
                    fmt_points(band.min),
                    fmt_points(scoring.total)
                );
                self.error(
                    Code::GradeBands,
                    &at.join(i).join("min"),
                    Target::Value,
                    message,
                );
            }
        }
        if let Some(last) = scoring.grades.last()
            && last.min > EPSILON
        {
            let i = scoring.grades.len() - 1;
            let message = format!(
                "grade bands leave scores below {} without a grade",
                fmt_points(last.min)
            );
            let d = self.error(
                Code::GradeBands,
                &at.join(i).join("min"),
                Target::Value,
                message,
            );
            Self::help(d, "the lowest band must start at 0");
        }
        if let Some(veto) = &scoring.veto
            && !scoring.grades.iter().any(|g| g.name == veto.grade)
        {
            let origin = self.scoring_origin().join("veto").join("grade");
            let message = format!("veto grade `{}` is not one of the grade bands", veto.grade);
            let d = self.error(Code::UnknownGrade, &origin, Target::Value, message);
            Self::suggest(
                d,
                &veto.grade,
                scoring.grades.iter().map(|g| g.name.as_str()),
            );
        }
    }

    /// Deductions for last cycle's list: a deduction per task or a cap above the total says
    /// nothing a pack means (a deduction of 0 or less is refused by the schema).
    fn followup_rule(&mut self) {
        let Some(rule) = self.pack.scoring.followup else {
            return;
        };
        let at = self.scoring_origin().join("followup");
        let total = self.pack.scoring.total;
        for (name, per) in [("false_claim", rule.false_claim), ("repeat", rule.repeat)] {
            let Some(per) = per else { continue };
            for (key, value) in [("per_task", Some(per.per_task)), ("cap", per.cap)] {
                if let Some(x) = value
                    && total > 0.0
                    && x > total + EPSILON
                {
                    let message = format!(
                        "`{name}.{key}` is {}, above the total {}",
                        fmt_points(x),
                        fmt_points(total)
                    );
                    self.error(
                        Code::OutOfRange,
                        &at.join(name).join(key),
                        Target::Value,
                        message,
                    );
                }
            }
        }
    }

    /// A deduction for overstated self-scores: a `cap` needs `deduct_per_point`, and a cap
    /// or tolerance above the total says nothing a pack means.
    fn self_assessment_rule(&mut self) {
        let Some(rule) = self.pack.scoring.self_assessment else {
            return;
        };
        let at = self.scoring_origin().join("self_assessment");
        let total = self.pack.scoring.total;
        if rule.cap.is_some() && rule.deduct_per_point.is_none() {
            let d = self.error(
                Code::MisplacedKey,
                &at.join("cap"),
                Target::Key,
                "`cap` caps a deduction, but `self_assessment` has no `deduct_per_point`",
            );
            Self::help(d, "add `deduct_per_point`, or remove `cap`");
        }
        for (key, value) in [("cap", rule.cap), ("tolerance", Some(rule.tolerance))] {
            if let Some(x) = value
                && total > 0.0
                && x > total + EPSILON
            {
                let message = format!(
                    "`{key}` is {}, above the total {}",
                    fmt_points(x),
                    fmt_points(total)
                );
                self.error(Code::OutOfRange, &at.join(key), Target::Value, message);
            }
        }
    }

    /// At every level, a section's points equal its sub-sections' points plus its standard
    /// items' points; the total equals the top-level sections'.
    fn points(&mut self) {
        let mut section_sum = 0.0;
        for (i, section) in self.pack.sections.iter().enumerate() {
            if section.parent.is_none() {
                section_sum += section.points;
            }
            let mut standard = self
                .pack
                .items
                .iter()
                .filter(|it| it.section == section.id && it.kind == ItemKind::Standard)
                .peekable();
            let has_items = standard.peek().is_some();
            let items: f64 = standard.map(|it| it.points).sum();
            let mut children = self
                .pack
                .sections
                .iter()
                .filter(|s| s.parent.as_deref() == Some(section.id.as_str()))
                .peekable();
            let has_children = children.peek().is_some();
            let children: f64 = children.map(|s| s.points).sum();
            let held = items + children;
            if (held - section.points).abs() > EPSILON {
                let overridden = self
                    .prov
                    .section_fields
                    .get(&section.id)
                    .and_then(|f| f.get("points"));
                let touched = self
                    .prov
                    .section_touched
                    .get(&section.id)
                    .and_then(|t| t.last());
                let what = match (has_children, has_items) {
                    (false, _) => format!("its standard items add up to {}", fmt_points(items)),
                    (true, false) => {
                        format!("its sub-sections add up to {}", fmt_points(children))
                    }
                    (true, true) => format!(
                        "its sub-sections ({}) and standard items ({}) add up to {}",
                        fmt_points(children),
                        fmt_points(items),
                        fmt_points(held)
                    ),
                };
                let message = format!(
                    "section `{}` has {} points, but {what}",
                    section.id,
                    fmt_points(section.points),
                );
                match (overridden, touched) {
                    (Some(o), _) => {
                        self.error(Code::PointsSum, &o.join("points"), Target::Value, message);
                    }
                    (None, Some(t)) => {
                        // An overlay changed the items or sub-sections: the fix is a section
                        // override there.
                        let base_loc =
                            self.loc(&self.prov.sections[i].join("points"), Target::Value);
                        let help = format!(
                            "add `{{section: {}, points: {}}}` to `overrides`",
                            section.id,
                            fmt_points(held)
                        );
                        let d = self.error(Code::PointsSum, t, Target::Value, message);
                        d.related.push(crate::diag::Related {
                            location: base_loc,
                            message: "the section's points are set here".into(),
                        });
                        Self::help(d, help);
                    }
                    (None, None) => {
                        self.error(
                            Code::PointsSum,
                            &self.prov.sections[i].join("points"),
                            Target::Value,
                            message,
                        );
                    }
                }
            }
        }
        let total = self.pack.scoring.total;
        if (section_sum - total).abs() > EPSILON {
            let origin = self.scoring_origin().join("total");
            let message = format!(
                "the total is {}, but the sections add up to {}",
                fmt_points(total),
                fmt_points(section_sum)
            );
            self.error(Code::PointsSum, &origin, Target::Value, message);
        }
    }

    // ---- gates -----------------------------------------------------------------------

    /// Each gate's check is validated where it is written; labels are unique, as reports name
    /// a gate by its label.
    fn gates(&mut self) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, gate) in self.pack.gates.iter().enumerate() {
            let Some(at) = self.prov.gates.get(i).cloned() else {
                continue;
            };
            if let Some(first) = seen.get(gate.label.as_str()) {
                let first_loc = self.loc(&self.prov.gates[*first].join("label"), Target::Value);
                let d = self.error(
                    Code::DuplicateId,
                    &at.join("label"),
                    Target::Value,
                    format!("gate `{}` is defined twice", gate.label),
                );
                d.related.push(crate::diag::Related {
                    location: first_loc,
                    message: "first defined here".into(),
                });
            } else {
                seen.insert(&gate.label, i);
            }
            match (&gate.check, &gate.self_score) {
                (Some(check), None) => self.check(check, &at.join("check"), false),
                (Some(_), Some(_)) => {
                    let d = self.error(
                        Code::MisplacedKey,
                        &at.join("self_score"),
                        Target::Key,
                        format!(
                            "gate `{}` gives both `check` and `self_score`, which exclude each other",
                            gate.label
                        ),
                    );
                    Self::help(d, "write two gates, one with each");
                }
                (None, None) => {
                    let d = self.error(
                        Code::MissingKey,
                        &at,
                        Target::Value,
                        format!("gate `{}` has neither `check` nor `self_score`", gate.label),
                    );
                    Self::help(d, "a gate is a check, or `self_score: {min: ...}`");
                }
                (None, Some(_)) => {}
            }
        }
    }

    // ---- items -----------------------------------------------------------------------

    fn items(&mut self) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, item) in self.pack.items.iter().enumerate() {
            let origin = &self.prov.items[i];
            if let Some(first) = seen.get(item.id.as_str()) {
                let first_loc = self.loc(&self.prov.items[*first].at.join("id"), Target::Value);
                let d = self.error(
                    Code::DuplicateId,
                    &origin.at.join("id"),
                    Target::Value,
                    format!("item `{}` is defined twice", item.id),
                );
                d.related.push(crate::diag::Related {
                    location: first_loc,
                    message: "first defined here".into(),
                });
            } else {
                seen.insert(&item.id, i);
            }
            self.item(item, origin);
        }
    }

    fn item(&mut self, item: &'a Item, origin: &ItemOrigin) {
        if self.pack.section(&item.section).is_none() {
            let message = format!(
                "item `{}` names section `{}`, which does not exist",
                item.id, item.section
            );
            let pack = self.pack;
            let d = self.error(
                Code::UnknownSection,
                &origin.field("section"),
                Target::Value,
                message,
            );
            Self::suggest(
                d,
                &item.section,
                pack.sections.iter().map(|s| s.id.as_str()),
            );
        }
        if let Some(p) = &item.applies_if {
            self.predicate(p, Fields::Facts, &origin.field("applies_if"));
        }
        let check_at = origin.field("check");
        self.min_overridden = origin.fields.contains_key("min");
        // A schedule item's check is made of its clauses' checks, checked where they are written.
        // A reviewed item has no check.
        if item.deduct.clauses().is_empty() && item.review.is_none() {
            self.check(&item.check, &check_at, false);
        }
        if let Some(review) = &item.review {
            self.review(item, review, &origin.field("review"));
        }
        self.min_overridden = false;
        // An overridden threshold is checked where the override wrote it.
        if let Some(min_at) = origin.fields.get("min").map(|o| o.join("min"))
            && let Some(Threshold::Percent(min)) = item.check.kind.spec().threshold()
        {
            self.percent(min, &min_at);
        }
        self.kind_rules(item, origin);
        if let Some(clause) = &item.veto_clause {
            self.veto_clause(item, clause, &origin.field("veto_clause"));
        }
        if item.recheck.is_some() {
            self.item_recheck(item, &origin.field("recheck"));
        }
        self.deduction(item, origin);
        for (i, name) in item.evidence.iter().enumerate() {
            self.evidence_name(name, &origin.field("evidence").join(i));
        }
        if let Some(rectify) = &item.rectify {
            self.rectify(item, rectify, &origin.field("rectify"));
        }
    }

    /// A reviewed item is a standard item scored by its reviewers alone: no deduction style,
    /// and a least score within its points.
    fn review(&mut self, item: &'a Item, review: &'a Review, at: &Origin) {
        if item.kind != ItemKind::Standard {
            let d = self.error(
                Code::MisplacedKey,
                at,
                Target::Key,
                format!(
                    "`review` belongs to a standard item, not a {} item",
                    match item.kind {
                        ItemKind::Veto => "veto",
                        _ => "bonus",
                    }
                ),
            );
            Self::help(d, "reviewers give a standard item's points");
        }
        if !item.deduct.is_default_style() {
            let d = self.error(
                Code::MisplacedKey,
                at,
                Target::Key,
                "a reviewed item takes its points from its reviewers, not from `deduct`",
            );
            Self::help(d, "leave `deduct` out of a reviewed item");
        }
        if let Some(min) = review.min
            && min > item.points
        {
            let d = self.error(
                Code::OutOfRange,
                &at.join("min"),
                Target::Value,
                format!("`min` {min} is more than the item's points {}", item.points),
            );
            Self::help(
                d,
                "`min` is the least a reviewer may give, `points` the most",
            );
        }
    }

    /// An item's own re-check rule belongs to a standard item scored by its check: reviewers
    /// cannot score veto and bonus items, and a reviewed item's reviewers are its score.
    fn item_recheck(&mut self, item: &'a Item, at: &Origin) {
        let why = match (item.kind, &item.review) {
            (ItemKind::Veto, _) => "a veto item, which reviewers cannot score",
            (ItemKind::Bonus, _) => "a bonus item, which reviewers cannot score",
            (_, Some(_)) => "a reviewed item, whose reviewers give its points (`review.combine`)",
            _ => return,
        };
        let d = self.error(
            Code::MisplacedKey,
            at,
            Target::Key,
            format!("`recheck` re-checks an item scored by its check, not {why}"),
        );
        Self::help(d, "leave `recheck` out of this item");
    }

    /// A veto clause belongs to a scored item of a pack that says what a veto does.
    fn veto_clause(&mut self, item: &'a Item, clause: &'a VetoClause, at: &Origin) {
        if item.kind != ItemKind::Standard {
            let d = self.error(
                Code::MisplacedKey,
                at,
                Target::Key,
                format!(
                    "`veto_clause` belongs to a standard item, not a {} item",
                    match item.kind {
                        ItemKind::Veto => "veto",
                        _ => "bonus",
                    }
                ),
            );
            Self::help(d, "a veto item's own check is its red line");
        }
        if self.pack.scoring.veto.is_none() {
            let d = self.error(
                Code::VetoGrade,
                at,
                Target::Key,
                format!(
                    "item `{}` has a veto clause but the pack's scoring has no `veto`",
                    item.id
                ),
            );
            Self::help(d, "add `veto: {grade: ...}` to `scoring`");
        }
        self.check(&clause.check, &at.join("check"), false);
    }

    fn kind_rules(&mut self, item: &Item, origin: &ItemOrigin) {
        match item.kind {
            ItemKind::Veto => {
                if item.points != 0.0 {
                    let d = self.error(
                        Code::VetoPoints,
                        &origin.field("points"),
                        Target::Value,
                        format!("veto item `{}` has points", item.id),
                    );
                    Self::help(
                        d,
                        "a veto item forces the veto grade and carries no points; give `points: 0` or leave it out",
                    );
                }
                if self.pack.scoring.veto.is_none() {
                    let origin = origin.field("kind");
                    let d = self.error(
                        Code::VetoGrade,
                        &origin,
                        Target::Value,
                        format!(
                            "veto item `{}` but the pack's scoring has no `veto`",
                            item.id
                        ),
                    );
                    Self::help(d, "add `veto: {grade: ...}` to `scoring`");
                }
            }
            ItemKind::Bonus => {
                if !item.deduct.is_default_style() {
                    let d = self.error(
                        Code::MisplacedKey,
                        &origin.field("deduct"),
                        Target::Key,
                        "a bonus item earns points with `award`, not `deduct`",
                    );
                    Self::help(d, "use `award: {per_unit: N}` or leave it out");
                }
            }
            ItemKind::Standard => {
                if item.award.is_some() {
                    let d = self.error(
                        Code::MisplacedKey,
                        &origin.field("award"),
                        Target::Key,
                        "`award` only applies to bonus items",
                    );
                    Self::help(d, "set `kind: bonus`, or use `deduct` for a standard item");
                }
            }
        }
        if let Some(Award::PerUnit { .. }) = item.award
            && !item.check.kind.spec().counts_units()
        {
            let kind = item.check.kind.name();
            let message =
                format!("`award: per_unit` needs a check that counts units, not `{kind}`");
            let d = self.error(
                Code::BadDeduct,
                &origin.field("award"),
                Target::Value,
                message,
            );
            Self::help(d, "count rows with `count`, `coverage` or `each`");
        }
    }

    fn deduction(&mut self, item: &'a Item, origin: &ItemOrigin) {
        let at = origin.field("deduct");
        let kind = item.check.kind.name();
        match &item.deduct {
            Deduct::Style(DeductStyle::All) => {}
            Deduct::Schedule { schedule } => self.schedule(item, schedule, &at.join("schedule")),
            Deduct::Bands { bands } => self.bands(item, bands, &at),
            Deduct::Style(DeductStyle::Proportional) => {
                if !item.check.kind.spec().measures_share() {
                    let message = format!(
                        "`proportional` needs a measured share: a `coverage`, `ratio` or `count` with `min`, not `{kind}`"
                    );
                    self.error(Code::BadDeduct, &at, Target::Value, message);
                }
            }
            Deduct::Style(DeductStyle::Additive) => match &item.check.kind {
                Kind::All(crate::checks::all::All(parts)) => {
                    let all_at = origin.field("check").join("all");
                    let mut sum = 0.0;
                    for (i, part) in parts.iter().enumerate() {
                        match part.points {
                            Some(p) => sum += p,
                            None => {
                                let d = self.error(
                                    Code::MissingKey,
                                    &all_at.join(i),
                                    Target::Value,
                                    "this part has no `points`",
                                );
                                Self::help(
                                    d,
                                    "with `deduct: additive` every part of `all` gives its own `points` (各得N分)",
                                );
                            }
                        }
                    }
                    if parts.iter().all(|p| p.points.is_some())
                        && (sum - item.points).abs() > EPSILON
                    {
                        let message = format!(
                            "the parts of item `{}` add up to {} points, but the item has {}",
                            item.id,
                            fmt_points(sum),
                            fmt_points(item.points)
                        );
                        self.error(
                            Code::PointsSum,
                            &origin.field("points"),
                            Target::Value,
                            message,
                        );
                    }
                }
                _ => {
                    let message = format!(
                        "`additive` scores the parts of an `all` check, but this check is `{kind}`"
                    );
                    self.error(Code::BadDeduct, &at, Target::Value, message);
                }
            },
            &Deduct::PerUnit { cap, .. } => {
                if !item.check.kind.spec().counts_units() {
                    let message = format!(
                        "`per_unit` needs a check that counts units (failing rows, missing documents, a count short of its minimum), not `{kind}`"
                    );
                    self.error(Code::BadDeduct, &at, Target::Value, message);
                }
                if let Some(cap) = cap
                    && cap > item.points + EPSILON
                {
                    let message = format!(
                        "the deduction cap {} is more than the item's {} points",
                        fmt_points(cap),
                        fmt_points(item.points)
                    );
                    let points_overridden = origin.fields.contains_key("points")
                        && !origin.fields.contains_key("deduct");
                    if points_overridden {
                        let cap_loc = self.loc(&at.join("cap"), Target::Value);
                        let d = self.error(
                            Code::BadDeduct,
                            &origin.field("points"),
                            Target::Value,
                            message,
                        );
                        d.related.push(crate::diag::Related {
                            location: cap_loc,
                            message: "the cap is set here".into(),
                        });
                        Self::help(
                            d,
                            "override `deduct` too, with a cap no higher than the new points",
                        );
                    } else {
                        let d =
                            self.error(Code::BadDeduct, &at.join("cap"), Target::Value, message);
                        Self::help(
                            d,
                            "an item never loses more than its points (扣完为止); a cap is for a lower limit",
                        );
                    }
                }
            }
        }
    }

    /// Graded bands: over a measured share (`coverage`, `ratio`, bounds in percent) or count
    /// (`count`, bounds as numbers), from the highest bound down, points falling with them and
    /// none above the item's.
    fn bands(&mut self, item: &Item, bands: &[Band], at: &Origin) {
        let percent = match &item.check.kind {
            Kind::Coverage(_) | Kind::Ratio(_) => true,
            Kind::Count(c) if c.per.is_some() => {
                self.error(
                    Code::BadDeduct,
                    at,
                    Target::Value,
                    "`bands` need one measured count, but a `count` with `per` counts each period",
                )
                .help = Some("deduct per period short with `per_unit`".into());
                return;
            }
            Kind::Count(_) => false,
            other => {
                let kind = other.name();
                let message = format!(
                    "`bands` need a measured share or count: a `coverage`, `ratio` or `count`, not `{kind}`"
                );
                self.error(Code::BadDeduct, at, Target::Value, message);
                return;
            }
        };
        // The check's own `min` is what full points need: the first band's bound.
        if let (Some(first), Some(min)) = (bands.first(), item.check.kind.spec().threshold())
            && first.min != min
            && std::mem::discriminant(&first.min) == std::mem::discriminant(&min)
        {
            let show = |t: Threshold| match t {
                Threshold::Percent(p) => p.to_string(),
                Threshold::Count(n) => n.to_string(),
            };
            let message = format!(
                "the check's `min` {} is not the first band's {}",
                show(min),
                show(first.min)
            );
            let d = self.error(
                Code::BadDeduct,
                &at.join("bands").join(0).join("min"),
                Target::Value,
                message,
            );
            Self::help(
                d,
                "the check's `min` is what full points need; give it the first band's bound",
            );
        }
        let bands_at = at.join("bands");
        let mut previous: Option<&Band> = None;
        for (i, band) in bands.iter().enumerate() {
            let band_at = bands_at.join(i);
            match band.min {
                Threshold::Percent(p) if percent => self.percent(p, &band_at.join("min")),
                Threshold::Count(_) if !percent => {}
                Threshold::Percent(p) => {
                    let message =
                        format!("`{p}` is a percent, but a `count` band starts at a number");
                    self.error(
                        Code::BadDeduct,
                        &band_at.join("min"),
                        Target::Value,
                        message,
                    );
                }
                Threshold::Count(n) => {
                    let kind = item.check.kind.name();
                    let message =
                        format!("`{n}` is a number, but a `{kind}` band starts at a percent");
                    let d = self.error(
                        Code::BadDeduct,
                        &band_at.join("min"),
                        Target::Value,
                        message,
                    );
                    Self::help(d, format!("write it `{n}%`"));
                }
            }
            if band.points > item.points + EPSILON {
                let message = format!(
                    "the band gives {} points, more than the item's {}",
                    fmt_points(band.points),
                    fmt_points(item.points)
                );
                self.error(
                    Code::BadDeduct,
                    &band_at.join("points"),
                    Target::Value,
                    message,
                );
            }
            if let Some(prev) = previous {
                let lower = match (prev.min, band.min) {
                    (Threshold::Percent(a), Threshold::Percent(b)) => b.0 < a.0 - EPSILON,
                    (Threshold::Count(a), Threshold::Count(b)) => b < a,
                    _ => true,
                };
                if !lower {
                    let d = self.error(
                        Code::BadDeduct,
                        &band_at.join("min"),
                        Target::Value,
                        "bands go from the highest bound down: this one is not below the one before",
                    );
                    Self::help(d, "list the bands from the highest `min` to the lowest");
                } else if band.points > prev.points + EPSILON {
                    let message = format!(
                        "a lower band gives more points ({}) than the one above it ({})",
                        fmt_points(band.points),
                        fmt_points(prev.points)
                    );
                    let d = self.error(
                        Code::BadDeduct,
                        &band_at.join("points"),
                        Target::Value,
                        message,
                    );
                    Self::help(d, "a higher share or count never earns fewer points");
                }
            }
            previous = Some(band);
        }
    }

    /// A deduction schedule's clauses: each check like any check, a positive `per`, a cap
    /// within the item's points, labels unique.
    fn schedule(&mut self, item: &'a Item, schedule: &'a [Clause], at: &Origin) {
        // A bonus item is told to use `award` (`kind_rules`).
        if item.kind == ItemKind::Veto {
            let d = self.error(
                Code::BadDeduct,
                at,
                Target::Key,
                "a deduction `schedule` only applies to standard items",
            );
            Self::help(
                d,
                "a veto item fires when its check fails; give it a `check`",
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        for (i, clause) in schedule.iter().enumerate() {
            let clause_at = at.join(i);
            self.check(&clause.check, &clause_at.join("check"), false);
            if seen.contains(&clause.label.as_str()) {
                let message = format!(
                    "clause label `{}` is used twice in item `{}`",
                    clause.label, item.id
                );
                let d = self.error(
                    Code::BadDeduct,
                    &clause_at.join("label"),
                    Target::Value,
                    message,
                );
                Self::help(d, "each clause says what it deducts for in its own words");
            } else {
                seen.push(&clause.label);
            }
            if clause.per.is_nan() || clause.per <= 0.0 {
                let message = format!(
                    "`per` is {}: a clause deducts more than 0 per occurrence",
                    fmt_points(clause.per)
                );
                self.error(
                    Code::BadDeduct,
                    &clause_at.join("per"),
                    Target::Value,
                    message,
                );
            }
            if let Some(cap) = clause.cap
                && cap > item.points + EPSILON
            {
                let message = format!(
                    "the clause cap {} is more than the item's {} points",
                    fmt_points(cap),
                    fmt_points(item.points)
                );
                let d = self.error(
                    Code::BadDeduct,
                    &clause_at.join("cap"),
                    Target::Value,
                    message,
                );
                Self::help(
                    d,
                    "the item never loses more than its points (扣完为止); a clause cap is for a lower limit",
                );
            }
        }
    }

    pub(crate) fn evidence_name(&mut self, name: &str, origin: &Origin) {
        let evidence = &self.pack.data.evidence;
        if !evidence.contains_key(name) {
            let message = format!("evidence document `{name}` is not in the data dictionary");
            let d = self.error(Code::UnknownField, origin, Target::Value, message);
            Self::suggest(d, name, evidence.keys().map(String::as_str));
        }
    }

    fn rectify(&mut self, item: &Item, rectify: &Rectify, at: &Origin) {
        let split = match rectify.per {
            Some(crate::pack::RectifyPer::Row) if item.check.kind.spec().registers().is_empty() => {
                Some(
                    "`per: row` splits the task by failing row, but this item's check reads no register",
                )
            }
            Some(crate::pack::RectifyPer::Clause)
                if !matches!(item.deduct, crate::pack::Deduct::Schedule { .. }) =>
            {
                Some(
                    "`per: clause` splits the task by schedule clause, but this item has no `deduct: {schedule}`",
                )
            }
            _ => None,
        };
        if let Some(message) = split {
            self.error(Code::MisplacedKey, &at.join("per"), Target::Key, message);
        }
        if let Some(due) = &rectify.due
            && crate::text::parse_date(due).is_none()
        {
            self.error(
                Code::InvalidDate,
                &at.join("due"),
                Target::Value,
                format!("`{due}` is not a date that exists"),
            );
        }
        if rectify.due.is_some() && rectify.within_days.is_some() {
            self.error(
                Code::MisplacedKey,
                &at.join("due"),
                Target::Key,
                "give `within_days` or `due`, not both",
            );
        }
        let kind = item.check.kind.name();
        // A reviewed item has no check: only the common variables.
        let provided = if item.review.is_some() {
            &[][..]
        } else {
            item.check.kind.spec().variables()
        };
        let problem_at = at.join("problem");
        match template::used_variables(&rectify.problem) {
            Err(e) => {
                self.error(Code::Template, &problem_at, Target::Value, e.message);
            }
            Ok(used) => {
                for var in used {
                    if COMMON_VARIABLES.contains(&var.as_str()) || provided.contains(&var.as_str())
                    {
                        continue;
                    }
                    let mut loc = self.loc(&problem_at, Target::Value);
                    loc.pos = loc.pos.map(|p| self.variable_pos(&problem_at, p, &var));
                    let mut d = Diagnostic::error(
                        Code::TemplateVariable,
                        loc,
                        if item.review.is_some() {
                            format!("a reviewed item provides no variable `{var}`")
                        } else {
                            format!(
                                "{} `{kind}` check provides no variable `{var}`",
                                a_or_an(kind)
                            )
                        },
                    );
                    let all = COMMON_VARIABLES.iter().chain(provided.iter()).copied();
                    d = match did_you_mean(&var, all) {
                        Some(s) => d.with_help(format!("did you mean `{s}`?")),
                        None => d.with_help(format!(
                            "available: {}",
                            COMMON_VARIABLES
                                .iter()
                                .chain(provided.iter())
                                .copied()
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    };
                    self.out.push(d);
                }
            }
        }
    }

    /// The position of `{{var` on the template's first line, when it is there.
    fn variable_pos(&self, origin: &Origin, pos: crate::yaml::Pos, var: &str) -> crate::yaml::Pos {
        let Some(line) = self.sources.file(origin.file).line(pos.line) else {
            return pos;
        };
        let start_byte = line
            .char_indices()
            .nth(pos.col.saturating_sub(1) as usize)
            .map(|(i, _)| i)
            .unwrap_or(0);
        let rest = &line[start_byte..];
        let found = rest
            .find(&format!("{{{{{var}"))
            .or_else(|| rest.find(&format!("{{{{ {var}")));
        match found.and_then(|b| rest[b..].find(var).map(|o| b + o)) {
            Some(b) => crate::yaml::Pos {
                line: pos.line,
                col: pos.col + rest[..b].chars().count() as u32,
                len: var.chars().count() as u32,
            },
            None => pos,
        }
    }

    // ---- checks ----------------------------------------------------------------------

    pub(crate) fn check(&mut self, check: &'a Check, at: &Origin, is_part: bool) {
        if !is_part && check.points.is_some() {
            let d = self.error(
                Code::MisplacedKey,
                &at.join("points"),
                Target::Key,
                "`points` on a check scores a part of `all`; the item has its own `points`",
            );
            Self::help(d, "move the points to the item");
        }
        check
            .kind
            .spec()
            .validate(self, &at.join(check.kind.name()));
    }

    pub(crate) fn percent(&mut self, p: Percent, at: &Origin) {
        if !(0.0..=1.0 + EPSILON).contains(&p.0) {
            self.error(
                Code::OutOfRange,
                at,
                Target::Value,
                format!("`{p}` is not between 0% and 100%"),
            );
        }
    }

    /// Whether register `name` exists (reporting it when not).
    pub(crate) fn register(&mut self, name: &str, at: &Origin) -> bool {
        if self.pack.data.registers.contains_key(name) {
            return true;
        }
        let pack = self.pack;
        let d = self.error(
            Code::UnknownRegister,
            at,
            Target::Value,
            format!("register `{name}` is not in the data dictionary"),
        );
        Self::suggest(d, name, pack.data.registers.keys().map(String::as_str));
        false
    }

    pub(crate) fn fact(&mut self, name: &str, at: &Origin) -> Option<&'a Field> {
        self.fact_at(name, at, Target::Value)
    }

    pub(crate) fn fact_at(&mut self, name: &str, at: &Origin, target: Target) -> Option<&'a Field> {
        let facts = &self.pack.data.facts;
        match facts.get(name) {
            Some(f) => Some(f),
            None => {
                let d = self.error(
                    Code::UnknownField,
                    at,
                    target,
                    format!("fact `{name}` is not in the data dictionary"),
                );
                Self::suggest(d, name, facts.keys().map(String::as_str));
                None
            }
        }
    }

    pub(crate) fn numeric_fact(&mut self, name: &str, at: &Origin) {
        if let Some(field) = self.fact(name, at)
            && !field.ty.is_numeric()
        {
            let message = format!(
                "`{name}` is {}, but a ratio needs a number",
                a_type(field.ty)
            );
            self.error(Code::TypeMismatch, at, Target::Value, message);
        }
    }

    /// The field `name` in a scope, reporting it when it is missing.
    pub(crate) fn lookup(
        &mut self,
        scope: Fields<'a>,
        name: &str,
        at: &Origin,
        target: Target,
    ) -> Option<&'a Field> {
        match scope {
            Fields::Facts => self.fact_at(name, at, target),
            Fields::Register(reg) => {
                let register = self.pack.data.registers.get(reg)?;
                match register.columns.get(name) {
                    Some(f) => Some(f),
                    None => {
                        let message = format!("register `{reg}` has no column `{name}`");
                        let d = self.error(Code::UnknownField, at, target, message);
                        Self::suggest(d, name, register.columns.keys().map(String::as_str));
                        None
                    }
                }
            }
        }
    }
}

impl Deduct {
    fn is_default_style(&self) -> bool {
        matches!(self, Deduct::Style(DeductStyle::All))
    }
}

/// The indefinite article for `word`: "an" before a vowel ("an `each` check").
pub(crate) fn a_or_an(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// "a boolean", "an integer", "an enum".
pub(crate) fn a_type(ty: FieldType) -> String {
    let name = ty.name();
    let article = if matches!(ty, FieldType::Integer | FieldType::Enum) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

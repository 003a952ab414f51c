//! Validation of pack files against `schemas/rule-pack.schema.json`, with each schema error
//! turned into a diagnostic at the YAML position its JSON pointer names.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::checks::Kind;
use crate::diag::{Code, Diagnostic, FileId, Location, Sources, Target, did_you_mean};

/// The rule-pack schema, as checked in.
pub const RULE_PACK_SCHEMA: &str = include_str!("../../schemas/rule-pack.schema.json");

/// Where the schema says that a check node names exactly one kind: a `oneOf` of one
/// `{required: [KIND]}` per kind, in the order of [`Kind::NAMES`].
pub const CHECK_KIND_KEYWORD: &str = "/$defs/check/oneOf";

/// Which file of a pack a document is, and so which part of the schema applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Pack,
    Items,
    Tests,
}

impl Role {
    fn def(self) -> &'static str {
        match self {
            Role::Pack => "packFile",
            Role::Items => "itemsFile",
            Role::Tests => "testFile",
        }
    }
}

/// Compiled validators for each file role.
pub struct PackSchema {
    root: Value,
    pack: Validator,
    items: Validator,
    tests: Validator,
}

impl PackSchema {
    /// Compiles the embedded schema. It is part of the binary, so failure is a build defect.
    pub fn new() -> Result<PackSchema, String> {
        let root: Value = serde_json::from_str(RULE_PACK_SCHEMA)
            .map_err(|e| format!("embedded rule-pack schema is not JSON: {e}"))?;
        let compile = |role: Role| -> Result<Validator, String> {
            let mut schema = root.clone();
            if let Some(obj) = schema.as_object_mut() {
                for k in ["if", "then", "else", "type"] {
                    obj.remove(k);
                }
                obj.insert(
                    "$ref".into(),
                    Value::String(format!("#/$defs/{}", role.def())),
                );
            }
            jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .map_err(|e| format!("embedded rule-pack schema does not compile: {e}"))
        };
        Ok(PackSchema {
            pack: compile(Role::Pack)?,
            items: compile(Role::Items)?,
            tests: compile(Role::Tests)?,
            root,
        })
    }

    /// Validates one document and returns its problems, located in `file`.
    pub fn validate(
        &self,
        role: Role,
        instance: &Value,
        sources: &Sources,
        file: FileId,
    ) -> Vec<Diagnostic> {
        self.validate_at(role, instance, sources, file)
            .into_iter()
            .map(|(d, _)| d)
            .collect()
    }

    /// Validates one document and returns its problems, each with the JSON pointer of the
    /// value it is about (so that a reader can set that part of the document aside).
    pub fn validate_at(
        &self,
        role: Role,
        instance: &Value,
        sources: &Sources,
        file: FileId,
    ) -> Vec<(Diagnostic, String)> {
        let validator = match role {
            Role::Pack => &self.pack,
            Role::Items => &self.items,
            Role::Tests => &self.tests,
        };
        let mut found = Vec::new();
        for error in validator.iter_errors(instance) {
            self.push(&error, sources, file, &mut found);
        }
        // A key reported missing next to an unknown key that is a typo of it is one problem, and
        // so is a check that names no kind next to an unknown key (most likely its kind, misspelt).
        let unknown: Vec<(String, Option<String>)> = found
            .iter()
            .filter_map(|(_, hint, _)| match hint {
                Hint::Unknown { object, suggestion } => Some((object.clone(), suggestion.clone())),
                _ => None,
            })
            .collect();
        found
            .into_iter()
            .filter(|(_, hint, _)| match hint {
                Hint::Missing { object, key } => !unknown
                    .iter()
                    .any(|(o, s)| o == object && s.as_ref() == Some(key)),
                Hint::NoKind { object } => !unknown.iter().any(|(o, _)| o == object),
                _ => true,
            })
            .map(|(d, _, pointer)| (d, pointer))
            .collect()
    }

    /// Adds the diagnostics of one error. For a `oneOf`/`anyOf` that failed, the errors of the
    /// alternative the value was evidently meant to be (same type) are clearer than "not any of".
    fn push(
        &self,
        error: &ValidationError,
        sources: &Sources,
        file: FileId,
        out: &mut Vec<(Diagnostic, Hint, String)>,
    ) {
        // The value a problem is about: an unknown key's own entry, else the value the error is at.
        let mut pointer = error.instance_path().as_str().to_string();
        if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind()
            && let [name] = unexpected.as_slice()
        {
            pointer = format!("{pointer}/{}", escape(name));
        }
        if keyword_pointer(error).as_deref() == Some(CHECK_KIND_KEYWORD) {
            let (d, hint) = check_kind(error, sources, file);
            out.push((d, hint, pointer));
            return;
        }
        if let ValidationErrorKind::OneOfNotValid { context }
        | ValidationErrorKind::AnyOf { context } = error.kind()
        {
            let here = error.instance_path().as_str();
            let meant = context
                .iter()
                .filter(|branch| {
                    !branch.is_empty()
                        && !branch.iter().any(|e| {
                            matches!(
                                e.kind(),
                                ValidationErrorKind::Type { .. } | ValidationErrorKind::Enum { .. }
                            ) && e.instance_path().as_str() == here
                        })
                })
                .min_by_key(|branch| branch.len());
            if let Some(branch) = meant {
                for e in branch {
                    self.push(e, sources, file, out);
                }
                return;
            }
        }
        let (d, hint) = self.diagnostic(error, sources, file);
        out.push((d, hint, pointer));
    }

    /// The subschema that holds the keyword an error came from.
    fn subschema(&self, error: &ValidationError) -> Option<&Value> {
        let keyword = keyword_pointer(error)?;
        let parent = match keyword.rfind('/') {
            Some(i) => &keyword[..i],
            None => "",
        };
        self.root.pointer(parent)
    }

    fn diagnostic(
        &self,
        error: &ValidationError,
        sources: &Sources,
        file: FileId,
    ) -> (Diagnostic, Hint) {
        let pointer = error.instance_path().as_str().to_string();
        let at = |pointer: &str, target: Target| Location {
            file,
            pos: sources.locate(file, pointer, target),
        };
        let instance = error.instance();
        let shown = show(instance);
        let schema = self.subschema(error);
        let title = schema
            .and_then(|s| s.get("title"))
            .and_then(Value::as_str)
            .unwrap_or("value");
        let description = schema
            .and_then(|s| s.get("description"))
            .and_then(Value::as_str);
        let mut hint = Hint::None;
        let d = match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let name = unexpected.first().cloned().unwrap_or_default();
                let allowed: Vec<&str> = schema
                    .and_then(|s| s.get("properties"))
                    .and_then(Value::as_object)
                    .map(|p| p.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                let key_pointer = format!("{pointer}/{}", escape(&name));
                let d = Diagnostic::error(
                    Code::UnknownKey,
                    at(&key_pointer, Target::Key),
                    format!("unknown key `{name}`"),
                );
                let suggestion = did_you_mean(&name, allowed.iter().copied());
                hint = Hint::Unknown {
                    object: pointer.clone(),
                    suggestion: suggestion.map(str::to_string),
                };
                match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None if !allowed.is_empty() => {
                        d.with_help(format!("expected one of: {}", allowed.join(", ")))
                    }
                    None => d,
                }
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                hint = Hint::Missing {
                    object: pointer.clone(),
                    key: name.to_string(),
                };
                Diagnostic::error(
                    Code::MissingKey,
                    at(&pointer, Target::Value),
                    format!("missing required key `{name}`"),
                )
            }
            ValidationErrorKind::Type { kind } => {
                let expected = match kind {
                    TypeKind::Single(t) => t.to_string(),
                    TypeKind::Multiple(set) => {
                        let names: Vec<String> = set.iter().map(|t| t.to_string()).collect();
                        names.join(" or ")
                    }
                };
                let percent = schema
                    .and_then(|s| s.get("pattern"))
                    .and_then(Value::as_str)
                    .is_some_and(|p| p.ends_with("%$"));
                if percent {
                    Diagnostic::error(
                        Code::WrongType,
                        at(&pointer, Target::Value),
                        format!("{shown} is not a percentage"),
                    )
                    .with_help("write a percentage with a `%` sign, e.g. `95%`")
                } else {
                    let d = Diagnostic::error(
                        Code::WrongType,
                        at(&pointer, Target::Value),
                        format!("expected {expected}, found {}", describe(instance)),
                    );
                    if expected == "string" && (instance.is_number() || instance.is_boolean()) {
                        d.with_help("quote the value to make it text")
                    } else {
                        d
                    }
                }
            }
            ValidationErrorKind::Enum { options } => {
                let options: Vec<String> = options
                    .as_array()
                    .map(|a| a.iter().map(show).collect())
                    .unwrap_or_default();
                let mut d = Diagnostic::error(
                    Code::InvalidValue,
                    at(&pointer, Target::Value),
                    format!("{shown} is not one of {}", options.join(", ")),
                );
                let plain: Vec<String> = options
                    .iter()
                    .map(|o| o.trim_matches('`').to_string())
                    .collect();
                if let Some(s) = instance
                    .as_str()
                    .and_then(|v| did_you_mean(v, plain.iter().map(String::as_str)))
                {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                d
            }
            ValidationErrorKind::Pattern { pattern } => {
                let (message, help) = pattern_message(pattern, &shown);
                let d = Diagnostic::error(Code::InvalidValue, at(&pointer, Target::Value), message);
                match help {
                    Some(h) => d.with_help(h),
                    None => d,
                }
            }
            ValidationErrorKind::Minimum { limit } => Diagnostic::error(
                Code::OutOfRange,
                at(&pointer, Target::Value),
                format!("{shown} is less than the minimum `{limit}`"),
            ),
            ValidationErrorKind::ExclusiveMinimum { limit } => Diagnostic::error(
                Code::OutOfRange,
                at(&pointer, Target::Value),
                format!("{shown} must be greater than `{limit}`"),
            ),
            ValidationErrorKind::Maximum { limit } => Diagnostic::error(
                Code::OutOfRange,
                at(&pointer, Target::Value),
                format!("{shown} is greater than the maximum `{limit}`"),
            ),
            ValidationErrorKind::MinItems { .. }
            | ValidationErrorKind::MinProperties { .. }
            | ValidationErrorKind::MinLength { .. } => {
                let what = match instance.as_ref() {
                    Value::Array(_) => "the list",
                    Value::Object(_) => "the mapping",
                    _ => "the text",
                };
                Diagnostic::error(
                    Code::EmptyValue,
                    at(&pointer, Target::Value),
                    format!("{what} must not be empty"),
                )
            }
            ValidationErrorKind::UniqueItems => {
                let items = instance.as_array().map(Vec::as_slice).unwrap_or_default();
                let repeat = (1..items.len()).find(|&j| items[..j].contains(&items[j]));
                match repeat {
                    Some(j) => Diagnostic::error(
                        Code::DuplicateValue,
                        at(&format!("{pointer}/{j}"), Target::Value),
                        format!("{} is listed twice", show(&items[j])),
                    ),
                    None => Diagnostic::error(
                        Code::DuplicateValue,
                        at(&pointer, Target::Value),
                        "the list has the same value twice",
                    ),
                }
            }
            ValidationErrorKind::PropertyNames { error } => {
                let name = error.instance().as_str().unwrap_or_default().to_string();
                Diagnostic::error(
                    Code::InvalidName,
                    at(&format!("{pointer}/{}", escape(&name)), Target::Key),
                    format!("`{name}` is not a valid name"),
                )
                .with_help("names start with a letter and use letters, digits and `_`")
            }
            // The `not`s of the schema: a reviewed item writes no `check`, nor does a schedule
            // item.
            ValidationErrorKind::Not { schema }
                if schema.get("required") == Some(&serde_json::json!(["check"]))
                    && error.instance().get("review").is_some() =>
            {
                Diagnostic::error(
                    Code::MisplacedKey,
                    at(&format!("{pointer}/check"), Target::Key),
                    "a reviewed item takes its points from its reviewers and has no `check`",
                )
                .with_help("remove `check`, or `review` to score the item by its check")
            }
            ValidationErrorKind::Not { schema }
                if schema.get("required") == Some(&serde_json::json!(["check"])) =>
            {
                Diagnostic::error(
                    Code::MisplacedKey,
                    at(&format!("{pointer}/check"), Target::Key),
                    "an item scored by a deduction `schedule` has no `check` of its own",
                )
                .with_help("each clause holds its own `check`; move this one into a clause")
            }
            ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. } => {
                let d = Diagnostic::error(
                    Code::InvalidValue,
                    at(&pointer, Target::Value),
                    format!("{shown} is not a valid {title}"),
                );
                match description {
                    Some(text) => d.with_help(text.to_string()),
                    None => d,
                }
            }
            _ => Diagnostic::error(Code::Schema, at(&pointer, Target::Value), error.to_string()),
        };
        (d, hint)
    }
}

/// What a schema diagnostic says about keys, to merge "missing `min`" with "unknown
/// `min_rate`; did you mean `min`?" into the second alone, and "the check names no kind" with
/// "unknown key `fcat`" into the second alone.
enum Hint {
    None,
    Missing {
        object: String,
        key: String,
    },
    Unknown {
        object: String,
        suggestion: Option<String>,
    },
    /// A check that names no kind.
    NoKind {
        object: String,
    },
}

/// The JSON pointer, within the schema, of the keyword an error came from.
fn keyword_pointer(error: &ValidationError) -> Option<String> {
    let uri = error.absolute_keyword_location()?;
    Some(percent_decode(uri.fragment()?.as_str()))
}

/// The diagnostic of a check node that names no kind, or more than one.
fn check_kind(error: &ValidationError, sources: &Sources, file: FileId) -> (Diagnostic, Hint) {
    let pointer = error.instance_path().as_str().to_string();
    let at = |pointer: &str| Location {
        file,
        pos: sources.locate(file, pointer, Target::Key),
    };
    let kinds: Vec<&str> = error
        .instance()
        .as_object()
        .map(|obj| {
            obj.keys()
                .map(String::as_str)
                .filter(|k| Kind::NAMES.contains(k))
                .collect()
        })
        .unwrap_or_default();
    match kinds.as_slice() {
        [first, second, ..] => (
            Diagnostic::error(
                Code::CheckKind,
                at(&format!("{pointer}/{}", escape(second))),
                format!("the check names two kinds, `{first}` and `{second}`"),
            )
            .with_help("combine checks with `all` or `any`"),
            Hint::None,
        ),
        _ => (
            Diagnostic::error(Code::CheckKind, at(&pointer), "the check names no kind")
                .with_help(format!("give one of: {}", Kind::NAMES.join(", "))),
            Hint::NoKind { object: pointer },
        ),
    }
}

/// Messages for the patterns the schema uses, so authors read words rather than regexes.
fn pattern_message(pattern: &str, shown: &str) -> (String, Option<String>) {
    match pattern {
        p if p.ends_with("%$") => (
            format!("{shown} is not a percentage"),
            Some("write a percentage with a `%` sign, e.g. `95%`".into()),
        ),
        p if p.contains("{4}-") => (
            format!("{shown} is not a date"),
            Some("write dates as `YYYY-MM-DD`".into()),
        ),
        "^([A-Z][A-Z0-9]*(-[A-Z0-9]+)*|[0-9]+(\\.[0-9]+)*)$" => (
            format!("{shown} is not a valid item id"),
            Some(
                "item ids are upper-case letters and digits in dash-separated parts, e.g. `LVP-01`, or numbers joined by dots, e.g. `1.2.3`"
                    .into(),
            ),
        ),
        "^([A-Za-z][A-Za-z0-9_]*|[0-9]+(\\.[0-9]+)*)$" => (
            format!("{shown} is not a valid section id"),
            Some(
                "section ids start with a letter and use letters, digits and `_`, or are numbers joined by dots, e.g. `1.2`"
                    .into(),
            ),
        ),
        "^[a-z0-9][a-z0-9-]*$" => (
            format!("{shown} is not a valid pack id"),
            Some("pack ids are lower-case letters, digits and dashes".into()),
        ),
        "^R-[0-9]{2}$" => (
            format!("{shown} is not a requirement id"),
            Some("requirement ids look like `R-07`".into()),
        ),
        p if p.starts_with("^[0-9]+\\.[0-9]+\\.[0-9]+") => (
            format!("{shown} is not a version"),
            Some("versions look like `1.2.0`".into()),
        ),
        "^[A-Za-z][A-Za-z0-9_]*$" => (
            format!("{shown} is not a valid id"),
            Some("ids start with a letter and use letters, digits and `_`".into()),
        ),
        other => (format!("{shown} does not match `{other}`"), None),
    }
}

/// A JSON value as a user wrote it, in backticks.
fn show(value: &Value) -> String {
    match value {
        Value::String(s) => format!("`{s}`"),
        Value::Object(_) => "the mapping".into(),
        Value::Array(_) => "the list".into(),
        other => format!("`{other}`"),
    }
}

/// A JSON value's kind and text: "string `abc`", "a mapping".
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number `{n}`"),
        Value::String(s) => format!("string `{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

fn escape(segment: &str) -> String {
    crate::text::pointer_segment(segment)
}

fn percent_decode(text: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

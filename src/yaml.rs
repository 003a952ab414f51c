//! Every YAML read in kaohe goes through this module, so the parser can be swapped in one place.
//!
//! The parser is `serde-saphyr`, set to YAML 1.2 scalars (`no`, `0755` and `1_000` stay
//! strings), duplicate keys as errors, and a budget from [`crate::limits`]: file size,
//! nesting depth, nodes (counting those aliases repeat) and aliases.
//! A document is read into a [`Node`] tree that keeps the line and column of every key and
//! value, so that later stages (JSON Schema validation, semantic checks) can point at them.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Budget, DuplicateKeyPolicy, Options, Spanned};

use crate::limits::{self, Limit};

/// A 1-based line and column in a source text (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
    /// Length in characters of the token that starts here (0 when unknown).
    pub len: u32,
}

impl Pos {
    fn of(loc: &serde_saphyr::Location) -> Pos {
        Pos {
            line: loc.line() as u32,
            col: loc.column() as u32,
            len: loc.span().len() as u32,
        }
    }
}

/// A YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// The value of a [`Node`]. Map entries keep their order and the position of their keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub pos: Pos,
    pub name: String,
}

/// A YAML syntax (or budget) error with its position when the parser knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub pos: Option<Pos>,
    pub message: String,
}

fn options() -> Options {
    let l = limits::get();
    let file_size = usize::try_from(l.file_size).unwrap_or(usize::MAX);
    let mut budget = Budget::default();
    budget.max_reader_input_bytes = Some(file_size);
    budget.max_nodes = l.yaml_nodes;
    budget.max_events = l.yaml_nodes.saturating_mul(2);
    budget.max_total_scalar_bytes = file_size;
    budget.max_depth = l.depth;
    budget.max_aliases = l.aliases;
    budget.max_anchors = l.aliases;
    // One anchor used by many items (`<<: *defaults`) is how a pack shares settings; the
    // nodes aliases repeat are bounded below instead.
    budget.enforce_alias_anchor_ratio = false;
    budget.max_recorded_anchor_events = l.yaml_nodes;
    budget.max_recorded_anchor_bytes = file_size;
    let mut options = Options::default();
    options.budget = Some(budget);
    // What aliases repeat is bounded apart from the document's own nodes: a document of
    // two million nodes is read in a second, but replaying as many through aliases takes
    // several.
    options.alias_limits.max_total_replayed_events = l.aliases;
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    options.underscored_numbers_as_strings = true;
    // `!!python/object`, `!!binary`, `!custom`: kaohe's files have no use for tags beyond
    // YAML's core schema; one is a mistake or an attack, not something to ignore.
    options.reject_unsupported_tags = true;
    options
}

/// Parses one YAML document into a positioned tree. An empty document is `Null`.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if text.len() as u64 > limits::get().file_size {
        return Err(SyntaxError {
            pos: None,
            message: format!(
                "the file is larger than the most kaohe reads {}",
                Limit::FileSize.hint()
            ),
        });
    }
    if text.trim().is_empty() {
        return Ok(Node {
            pos: Pos {
                line: 1,
                col: 1,
                len: 0,
            },
            value: Value::Null,
        });
    }
    if let Some(err) = binary_tag(text) {
        return Err(err);
    }
    serde_saphyr::from_str_with_options::<Node>(text, options()).map_err(|err| syntax_error(&err))
}

/// Parses a document only to find positions in it, after it was read and found to have
/// problems: as leniently as the readers that found them. Repeated keys are all kept (a JSON
/// reader lets them through), keys are their text as written (`.inf:`, `1e309:`), and the
/// nesting allowed is deeper than any reader's.
pub fn parse_for_positions(text: &str) -> Result<Node, SyntaxError> {
    let mut options = options();
    options.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    if let Some(budget) = options.budget.as_mut() {
        budget.max_depth = budget.max_depth.saturating_add(16);
    }
    LENIENT_KEYS.with(|k| k.set(true));
    let node = serde_saphyr::from_str_with_options::<Node>(text, options);
    LENIENT_KEYS.with(|k| k.set(false));
    node.map_err(|err| syntax_error(&err))
}

thread_local! {
    /// Whether keys are read as written (for [`parse_for_positions`]).
    static LENIENT_KEYS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Deserialises one document through a seed (for data read straight into a typed form).
pub fn deserialize_seed<T, S>(text: &str, seed: S) -> Result<T, SyntaxError>
where
    S: for<'de> de::DeserializeSeed<'de, Value = T>,
{
    if text.len() as u64 > limits::get().file_size {
        return Err(SyntaxError {
            pos: None,
            message: format!(
                "the file is larger than the most kaohe reads {}",
                Limit::FileSize.hint()
            ),
        });
    }
    if let Some(err) = binary_tag(text) {
        return Err(err);
    }
    serde_saphyr::with_deserializer_from_str_with_options(text, options(), |de| {
        seed.deserialize(de)
    })
    .map_err(|err| syntax_error(&err))
}

/// A `!!binary` tag, which the parser decodes rather than refuses as it refuses other tags
/// beyond the core schema: where the first one is written, outside quotes and comments.
fn binary_tag(text: &str) -> Option<SyntaxError> {
    if !text.contains("!!binary") && !text.contains("2002:binary") {
        return None;
    }
    for (n, line) in text.lines().enumerate() {
        let (mut quote, mut prev) = (None, ' ');
        for (col, (i, c)) in line.char_indices().enumerate() {
            match (quote, c) {
                (Some(q), _) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '#') if prev.is_whitespace() => break,
                (None, '"' | '\'') if prev.is_whitespace() || "[{,:".contains(prev) => {
                    quote = Some(c)
                }
                (None, '!') if prev.is_whitespace() || "[{,:-".contains(prev) => {
                    let rest = &line[i..];
                    if rest.starts_with("!!binary")
                        || rest.starts_with("!<tag:yaml.org,2002:binary>")
                    {
                        let len = rest
                            .split_whitespace()
                            .next()
                            .unwrap_or(rest)
                            .chars()
                            .count();
                        return Some(SyntaxError {
                            pos: Some(Pos {
                                line: n as u32 + 1,
                                col: col as u32 + 1,
                                len: len as u32,
                            }),
                            message:
                                "unsupported tag `!!binary`: a value is text, not encoded data"
                                    .into(),
                        });
                    }
                }
                _ => {}
            }
            prev = c;
        }
    }
    None
}

fn syntax_error(err: &serde_saphyr::Error) -> SyntaxError {
    let pos = err.location().and_then(|l| {
        (l.line() > 0).then(|| Pos {
            col: l.column().max(1) as u32,
            ..Pos::of(&l)
        })
    });
    SyntaxError {
        pos,
        message: clean_message(err),
    }
}

/// What a breach of the budget says: which limit, and the option that raises it.
fn budget_message(mut err: &serde_saphyr::Error) -> Option<String> {
    use serde_saphyr::Error;
    // A breach while replaying an alias comes wrapped with where the alias is.
    let mut replaying = false;
    while let Error::AliasError { error, .. } | Error::WithSnippet { error, .. } = err {
        replaying |= matches!(err, Error::AliasError { .. });
        err = error;
    }
    let limit = match err {
        Error::Budget { breach, .. } => match breach {
            BudgetBreach::Depth { .. } => {
                return Some(format!(
                    "the document nests too deep {}",
                    Limit::Depth.hint()
                ));
            }
            BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. } => Limit::Aliases,
            BudgetBreach::ScalarBytes { .. } | BudgetBreach::InputBytes { .. } => Limit::FileSize,
            _ => Limit::YamlNodes,
        },
        Error::AliasReplayLimitExceeded { .. }
        | Error::AliasExpansionLimitExceeded { .. }
        | Error::AliasReplayCounterOverflow { .. } => Limit::Aliases,
        Error::AliasReplayStackDepthExceeded { .. } => {
            return Some(format!(
                "the document's aliases (`*name`) nest too deep {}",
                Limit::Depth.hint()
            ));
        }
        _ => return None,
    };
    Some(match limit {
        Limit::Aliases => format!(
            "the document's aliases (`*name`) repeat more nodes than kaohe reads {}",
            limit.hint()
        ),
        Limit::FileSize => format!(
            "the document's text, with what its aliases repeat, is larger than kaohe reads {}",
            limit.hint()
        ),
        _ if replaying => format!(
            "the document's aliases (`*name`) repeat more nodes than kaohe reads {}",
            limit.hint()
        ),
        _ => format!(
            "the document has more nodes than kaohe reads {}",
            limit.hint()
        ),
    })
}

/// The parser's message without its own location suffix and snippet: kaohe renders those.
fn clean_message(err: &serde_saphyr::Error) -> String {
    let text = err.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    let first = match first.find(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    let first = first.trim_end_matches('.');
    // Reword messages that give advice about the parser's API rather than the file.
    if let Some(rest) = first.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(", set ").next().unwrap_or(rest);
        return format!("duplicate key `{key}`");
    }
    if let Some(message) = budget_message(err.without_snippet()) {
        return message;
    }
    if first.starts_with("multiple YAML documents") {
        return "the file holds more than one YAML document".into();
    }
    if let Some(rest) = first.strip_prefix("non-finite float ") {
        let value = rest.split(" rejected").next().unwrap_or(rest);
        return format!("{value} is not a finite number");
    }
    first.to_string()
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        Ok(Node {
            pos: Pos::of(&spanned.referenced),
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::custom(format!("integer `{v}` is too large")))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::custom(format!("integer `{v}` is too large")))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::custom(format!("integer `{v}` is too large")))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(node) = seq.next_element::<Node>()? {
            items.push(node);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<KeyText>>()? {
            let value = map.next_value::<Node>()?;
            entries.push((
                Key {
                    pos: Pos::of(&key.referenced),
                    name: key.value.0,
                },
                value,
            ));
        }
        Ok(Value::Map(entries))
    }
}

/// A mapping key as text: kaohe's files only have scalar keys, and `1:` means the key `"1"`.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if LENIENT_KEYS.with(|k| k.get()) {
            return String::deserialize(deserializer).map(KeyText);
        }
        match Value::deserialize(deserializer)? {
            Value::Str(s) => Ok(KeyText(s)),
            Value::Int(i) => Ok(KeyText(i.to_string())),
            Value::Float(f) => Ok(KeyText(f.to_string())),
            Value::Bool(b) => Ok(KeyText(b.to_string())),
            Value::Null => Ok(KeyText("null".into())),
            Value::Seq(_) | Value::Map(_) => Err(de::Error::custom(
                "a mapping key must be a scalar, not a list or mapping",
            )),
        }
    }
}

impl Node {
    /// The node as JSON, for JSON Schema validation and typed deserialisation.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            // `90.0` is an integer to JSON Schema; give it to typed readers as one too.
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => J::from(*f as i64),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or_else(|| J::String(f.to_string())),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// The entry `name` of a mapping node.
    pub fn get(&self, name: &str) -> Option<&Node> {
        self.entry(name).map(|(_, v)| v)
    }

    /// The key and value of the entry `name` of a mapping node.
    pub fn entry(&self, name: &str) -> Option<(&Key, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.name == name)
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// Follows a JSON pointer (`/items/3/points`) as far as it goes. Returns the position of
    /// the deepest node reached and, when the pointer ends on a mapping entry, of its key.
    /// With `last`, the pointer's final key is the last entry of that name (where a file
    /// that a JSON reader read repeats it).
    pub fn locate(&self, pointer: &str, last: bool) -> Located {
        let mut node = self;
        let mut key = None;
        let mut complete = true;
        let segments = pointer.split('/').skip(1).count();
        for (n, raw) in pointer.split('/').skip(1).enumerate() {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            let next = match &node.value {
                Value::Map(entries) => {
                    let mut named = entries.iter().filter(|(k, _)| k.name == segment);
                    let entry = if last && n + 1 == segments {
                        named.next_back()
                    } else {
                        named.next()
                    };
                    entry.map(|(k, v)| (Some(k.pos), v))
                }
                Value::Seq(items) => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|v| (None, v)),
                _ => None,
            };
            match next {
                Some((k, v)) => {
                    key = k;
                    node = v;
                }
                None => {
                    complete = false;
                    key = None;
                    break;
                }
            }
        }
        Located {
            value: node.pos,
            key,
            complete,
        }
    }

    /// The node a JSON pointer names, when every segment exists.
    pub fn locate_node(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for raw in pointer.split('/').skip(1) {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            node = match &node.value {
                Value::Map(entries) => entries
                    .iter()
                    .find(|(k, _)| k.name == segment)
                    .map(|(_, v)| v)?,
                Value::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Where a JSON pointer lands in a [`Node`] tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    pub value: Pos,
    pub key: Option<Pos>,
    /// Whether every segment of the pointer was found.
    pub complete: bool,
}

/// What a well-formed document holds when its top level is not a mapping ("a string",
/// "a list"), for a one-line message that quotes nothing of it; `None` for a mapping, an empty
/// document, or text that does not parse.
pub fn non_mapping_root(text: &str) -> Option<&'static str> {
    match parse(text).ok()?.value {
        Value::Null | Value::Map(_) => None,
        Value::Bool(_) => Some("a boolean"),
        Value::Int(_) | Value::Float(_) => Some("a number"),
        Value::Str(_) => Some("a string"),
        Value::Seq(_) => Some("a list"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let node = parse("a: 1\nb:\n  - x\n  - {c: true}\n").unwrap();
        let loc = node.locate("/b/1/c", false);
        assert_eq!((loc.value.line, loc.value.col), (4, 9));
        assert_eq!(loc.key.map(|k| (k.line, k.col, k.len)), Some((4, 6, 1)));
        assert!(loc.complete);
        assert_eq!(node.locate("/a", false).value.col, 4);
    }

    #[test]
    fn reads_yaml_1_2_scalars() {
        let node = parse("a: no\nb: 0755\nc: 1_000\nd: true\n").unwrap();
        assert_eq!(node.get("a").unwrap().value, Value::Str("no".into()));
        assert_eq!(node.get("b").unwrap().value, Value::Str("0755".into()));
        assert_eq!(node.get("c").unwrap().value, Value::Str("1_000".into()));
        assert_eq!(node.get("d").unwrap().value, Value::Bool(true));
    }

    #[test]
    fn duplicate_keys_are_errors_with_a_position() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.pos.map(|p| p.line), Some(3), "{err:?}");
    }

    #[test]
    fn positions_survive_what_readers_let_through() {
        let node = parse_for_positions("a: 1\n.inf: 2\n1e309: 3\na: 4\n").unwrap();
        assert_eq!(node.locate("/.inf", false).key.map(|k| k.line), Some(2));
        assert_eq!(node.locate("/1e309", false).key.map(|k| k.line), Some(3));
        assert_eq!(node.locate("/a", false).key.map(|k| k.line), Some(1));
        assert_eq!(node.locate("/a", true).key.map(|k| k.line), Some(4));
        // JSON nests up to 64 levels (the limit YAML has); the stack of a test thread is small.
        let json = format!(
            "{{\"a\": 1, \"a\": 2, \"b\": {}1{}}}",
            "[".repeat(66),
            "]".repeat(66)
        );
        let parsed = std::thread::Builder::new()
            .stack_size(16 << 20)
            .spawn(move || parse_for_positions(&json).map(|n| n.locate("/b", false).key))
            .expect("thread")
            .join()
            .expect("no panic");
        assert_eq!(parsed.map(|k| k.map(|k| k.col)), Ok(Some(18)));
    }

    #[test]
    fn tags_beyond_the_core_schema_are_refused() {
        let err = parse("a: !!python/object:os.system x\n").unwrap_err();
        assert!(err.message.contains("unsupported tag"), "{err:?}");
        let err = parse("a: 1\nb: [x, !!binary aGVsbG8=]\n").unwrap_err();
        assert_eq!(err.pos.map(|p| (p.line, p.col)), Some((2, 8)), "{err:?}");
        assert!(parse("a: \"!!binary x\" # !!binary\nb: !!str 1\n").is_ok());
    }

    #[test]
    fn an_alias_bomb_is_one_plain_line() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = if i == 1 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            text += &format!(
                "b{i}: &b{i} [{}]\n",
                vec![format!("*{prev}"); 10].join(", ")
            );
        }
        let err = parse(&text).unwrap_err();
        assert!(!err.message.contains('{'), "{err:?}");
        assert!(err.message.contains("aliases"), "{err:?}");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.pos.is_some(), "{err:?}");
    }
}

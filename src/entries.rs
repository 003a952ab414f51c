//! Files that hold one list of entries under one key (a waivers file's `waivers:`, a reviews
//! file's `reviews:`): read, parsed and located once here; each kind then reads its entries.

use std::path::Path;

use crate::diag::{Code, Diagnostic, FileId, Location, Sources, Target};
use crate::source::SourceError;
use crate::yaml::{self, Node, Value};

/// Problems with such a file, every one located: exit 2.
#[derive(Debug)]
pub struct EntriesError {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the file at `path` (its text, or why it could not be read, in `read`), finds the
/// list under `key`, and reads the entries with `entries` (given the list, its pointer, the
/// file and the sources to locate with). `what` names the file in messages: "waivers file".
pub fn read<T>(
    path: &Path,
    read: Result<String, SourceError>,
    key: &str,
    what: &str,
    entries: impl FnOnce(&[Node], &str, FileId, &Sources) -> Result<Vec<T>, Vec<Diagnostic>>,
) -> Result<Vec<T>, EntriesError> {
    let mut sources = Sources::default();
    let fail = |sources, diagnostics| EntriesError {
        sources,
        diagnostics,
    };
    let text = match read {
        Ok(t) => t,
        Err(e) => {
            let d = e.diagnostic(path, &format!("the {what}"), &mut sources);
            return Err(fail(sources, vec![d]));
        }
    };
    // A well-formed document that is not a mapping is not such a file: one line, quoting
    // nothing of it.
    if let Some(kind) = yaml::non_mapping_root(&text) {
        let file = sources.add(path, String::new());
        let d = Diagnostic::error(
            Code::WrongType,
            Location { file, pos: None },
            format!("the file is not a {what}: it holds {kind}, not a mapping with `{key}`"),
        );
        return Err(fail(sources, vec![d]));
    }
    let file = sources.add(path, text);
    let root = match yaml::parse(&sources.file(file).text) {
        Ok(root) => root,
        Err(e) => {
            let d = Diagnostic::error(Code::YamlSyntax, Location { file, pos: e.pos }, e.message);
            return Err(fail(sources, vec![d]));
        }
    };
    sources.set_root(file, root.clone());
    let at = |pointer: &str| Location {
        file,
        pos: sources.locate(file, pointer, Target::Value),
    };
    let pointer = format!("/{}", crate::text::pointer_segment(key));
    let list = match root.get(key).map(|l| &l.value) {
        Some(Value::Seq(list)) => list,
        Some(_) => {
            let d = Diagnostic::error(
                Code::WrongType,
                at(&pointer),
                format!("`{key}` must be a list"),
            );
            return Err(fail(sources, vec![d]));
        }
        None => {
            let d = Diagnostic::error(
                Code::MissingKey,
                at(""),
                format!("missing required key `{key}`"),
            );
            return Err(fail(sources, vec![d]));
        }
    };
    entries(list, &pointer, file, &sources).map_err(|mut problems| {
        crate::diag::sort(&mut problems);
        fail(sources, problems)
    })
}

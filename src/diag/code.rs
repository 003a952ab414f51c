//! The codes of diagnostics: one variant per class of problem, with its stable name and what
//! it means.

use std::fmt;

use serde::Serialize;

macro_rules! codes {
    ($($variant:ident = $name:literal, $description:literal;)*) => {
        /// The class of a problem. Its [`name`](Code::name) is stable: it is printed as
        /// `error[name]`, is `code` in JSON and the rule id in SARIF.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $(
                #[doc = $description]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in the order of their names.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The kebab-case name, as printed.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// One sentence on what the code means.
            pub const fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $description,)*
                }
            }
        }
    };
}

codes! {
    BadCheck = "bad-check",
        "A check lacks a setting it needs, or gives settings that exclude each other.";
    BadDeduct = "bad-deduct",
        "A deduction or award does not fit the item's check or points.";
    BadOverride = "bad-override",
        "An override names an unknown or disabled target, or changes what it cannot.";
    CheckKind = "check-kind",
        "A check names no kind, or more than one.";
    Csv = "csv",
        "A register's CSV file is not UTF-8.";
    DuplicateId = "duplicate-id",
        "An id or a name is defined twice.";
    DuplicateReview = "duplicate-review",
        "A reviewer reviews the same item twice.";
    DuplicateValue = "duplicate-value",
        "A list holds the same value twice.";
    DuplicateWaiver = "duplicate-waiver",
        "Two waivers exempt the same item, or the same row of an item.";
    EmptyFile = "empty-file",
        "A file is empty or holds only comments.";
    EmptyValue = "empty-value",
        "A list, mapping or text that needs content is empty.";
    ExtendsCycle = "extends-cycle",
        "Packs extend each other in a cycle.";
    GradeBands = "grade-bands",
        "Grade bands are out of order, start above the total, or leave low scores without a grade.";
    InvalidDate = "invalid-date",
        "A date is malformed or does not exist.";
    InvalidName = "invalid-name",
        "A name does not start with a letter and use only letters, digits and `_`.";
    InvalidValue = "invalid-value",
        "A value has the wrong form or is not one of the values allowed.";
    Io = "io",
        "A file cannot be read as text: it is missing, not a regular file, too large, binary, not UTF-8, or outside its folder.";
    JsonSyntax = "json-syntax",
        "A JSON file does not parse.";
    MisplacedKey = "misplaced-key",
        "A key is given where it does not apply, or together with a key it excludes.";
    MissingFile = "missing-file",
        "A file that a pack test names does not exist.";
    MissingKey = "missing-key",
        "A required key is missing.";
    MissingPackFile = "missing-pack-file",
        "A pack directory has no `pack.yaml`.";
    NotReviewItem = "not-review-item",
        "A review names an item reviewers cannot score: a veto or bonus item.";
    OutOfRange = "out-of-range",
        "A number is outside the range its key allows.";
    OutsideFolder = "outside-folder",
        "A path leads outside the folder of the file that names it.";
    PointsSum = "points-sum",
        "Points do not add up: the parts of an item, the items and sub-sections of a section, or the sections to the total.";
    Schema = "schema",
        "A file does not fit its schema (a problem that no more specific code names).";
    SectionDepth = "section-depth",
        "Sections nest deeper than the four levels a table has (一级 to 四级指标).";
    StatedFigure = "stated-figure",
        "A check's stated figure names a fact that is not a figure of the check's register, or a figure the check cannot use.";
    Template = "template",
        "A message template does not parse.";
    TemplateVariable = "template-variable",
        "A message template uses a variable that its check does not provide.";
    TestCase = "test-case",
        "A pack test case cannot be run: its submission, waivers or reviews cannot be read.";
    TypeMismatch = "type-mismatch",
        "A field's type does not fit the check that reads it or the value it is compared with.";
    UnknownField = "unknown-field",
        "A fact, register column or evidence document is not in the data dictionary.";
    UnknownGrade = "unknown-grade",
        "The veto grade is not one of the grade bands.";
    UnknownItem = "unknown-item",
        "A test case or waiver names an item that the pack does not have.";
    UnknownKey = "unknown-key",
        "A key is not one that the file allows there.";
    UnknownRegister = "unknown-register",
        "A register is not in the data dictionary.";
    UnknownSection = "unknown-section",
        "An item names a section that does not exist.";
    UnknownSet = "unknown-set",
        "A value set is not defined under `sets`.";
    UnknownValue = "unknown-value",
        "A value is not one of the values of its enum or list field.";
    UnresolvedExtends = "unresolved-extends",
        "The base pack that `extends` names is not a pack directory.";
    VetoGrade = "veto-grade",
        "A pack has a veto item, but its scoring has no `veto`.";
    VetoPoints = "veto-points",
        "A veto item has points.";
    VetoWaiver = "veto-waiver",
        "A waiver names a veto item, which is a red line and cannot be waived.";
    WrongType = "wrong-type",
        "A value has the wrong type, such as text where a number or a list is expected.";
    YamlSyntax = "yaml-syntax",
        "A YAML file does not parse.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl Code {
    /// The Markdown table of every code and its description, as the README holds it.
    pub fn markdown_table() -> String {
        let mut out = String::from("| Code | Meaning |\n| --- | --- |\n");
        for code in Code::ALL {
            out.push_str(&format!(
                "| `{}` | {} |\n",
                code.name(),
                code.description().replace('|', "\\|")
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_unique_kebab_case_name_and_a_description() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let name = code.name();
            assert!(seen.insert(name), "`{name}` names two codes");
            assert!(
                !name.is_empty()
                    && name
                        .split('-')
                        .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())),
                "`{name}` is not kebab-case"
            );
            let description = code.description();
            assert!(
                description.starts_with(|c: char| c.is_ascii_uppercase())
                    && description.ends_with('.')
                    && !description.contains('\n'),
                "the description of `{name}` is not one sentence: {description:?}"
            );
        }
    }

    #[test]
    fn codes_are_listed_in_the_order_of_their_names() {
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }

    /// The README's table of codes is [`Code::markdown_table`]; on a mismatch, the message
    /// holds the table to paste between the markers.
    #[test]
    fn the_readme_lists_every_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let readme = std::fs::read_to_string(path).expect("README.md is readable");
        let start = "<!-- codes: begin -->\n";
        let end = "<!-- codes: end -->";
        let table = readme
            .split_once(start)
            .and_then(|(_, rest)| rest.split_once(end))
            .map(|(table, _)| table)
            .expect("README.md has the markers of the table of codes");
        let expected = Code::markdown_table();
        assert!(
            table == expected,
            "the table of codes in README.md is not that of `Code`; it should be:\n{expected}"
        );
    }
}

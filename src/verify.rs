//! A pack's own test cases (`tests/*.yaml`): each gives a submission and the outcomes it must
//! produce; `kaohe test` runs them and names every mismatch with the engine's reasoning.

use std::path::{Path, PathBuf};

use crate::assess::{self, Assessment, Options};
use crate::diag::{self, Code, Diagnostic, Location, Sources, Target};
use crate::num;
use crate::pack::{Expect, Loaded, Pack};
use crate::review::{self, Review};
use crate::score::Status;
use crate::waiver::{self, Waiver};
use crate::yaml::{self, Node};

/// Points are compared to this tolerance (reports show 2 decimals).
const TOLERANCE: f64 = 0.005;

/// One expectation of a case, checked.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// `pack/case/ITEM`, `pack/case/sections/SECTION`, `pack/case/total`, `pack/case/grade`,
    /// `pack/case/vetoes` or `pack/case/eligible`.
    pub name: String,
    pub passed: bool,
    pub expected: String,
    pub got: String,
    /// Why the engine decided so (the item's explanation).
    pub why: Vec<String>,
}

/// A case that could not run (its submission or waivers are broken, or it names an item the
/// pack does not have).
#[derive(Debug, Clone)]
pub struct CaseError {
    pub name: String,
    /// What went wrong, in one line.
    pub message: String,
    /// The diagnostics that say where, rendered as `kaohe check` and `kaohe assess` show
    /// them (empty when there are none).
    pub details: String,
}

/// Everything one pack's tests found.
#[derive(Debug, Default)]
pub struct PackResult {
    pub pack: String,
    pub cases: usize,
    pub expectations: Vec<Expectation>,
    pub errors: Vec<CaseError>,
}

impl PackResult {
    pub fn failed(&self) -> usize {
        self.expectations.iter().filter(|e| !e.passed).count()
    }

    pub fn passed(&self) -> bool {
        self.failed() == 0 && self.errors.is_empty()
    }
}

/// Runs every test case of a loaded pack (a pack that is not valid has none to run).
pub fn run(loaded: &Loaded) -> PackResult {
    match &loaded.pack {
        Some(pack) => Suite::new(loaded).run(pack, &assess::pack_digest(pack)),
        None => PackResult::default(),
    }
}

/// A case read and ready to run: its submission and waivers loaded.
struct Ready {
    name: String,
    expect: Expect,
    submission: crate::submission::Submission,
    waivers: Vec<Waiver>,
    reviews: Vec<Review>,
}

/// A pack's test cases, read once, to run against the pack or variants of it with the same
/// data dictionary.
pub struct Suite {
    pack: String,
    cases: usize,
    ready: Vec<Ready>,
    errors: Vec<CaseError>,
}

impl Suite {
    /// Prepares every case of a loaded pack's test files: reads the submissions and waivers
    /// they name or write inline. Cases that cannot run are kept as errors.
    pub fn new(loaded: &Loaded) -> Suite {
        let mut suite = Suite {
            pack: String::new(),
            cases: 0,
            ready: Vec::new(),
            errors: Vec::new(),
        };
        if let Some(pack) = &loaded.pack {
            suite.pack = pack.meta.id.clone();
            suite.prepare_all(pack, loaded);
        }
        suite
    }

    fn prepare_all(&mut self, pack: &Pack, loaded: &Loaded) {
        // Inline submissions may name CSV files: they join a copy of the pack's sources.
        let mut sources = loaded.sources.clone();
        for (file, tests) in &loaded.tests {
            let path = PathBuf::from(&sources.file(*file).path);
            let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
            for (i, case) in tests.cases.iter().enumerate() {
                self.cases += 1;
                let name = format!("{}/{}", pack.meta.id, case.name);
                let at = format!("/cases/{i}");
                let node = sources
                    .file(*file)
                    .root
                    .as_ref()
                    .and_then(|r| r.locate_node(&at))
                    .cloned();
                match prepare(pack, node.as_ref(), &mut sources, *file, &at, &base) {
                    Ok((submission, waivers, reviews)) => self.ready.push(Ready {
                        name,
                        expect: case.expect.clone(),
                        submission,
                        waivers,
                        reviews,
                    }),
                    Err(problem) => {
                        let message = problem
                            .diagnostics
                            .first()
                            .map(|d| d.message.clone())
                            .unwrap_or_else(|| "the case could not run".into());
                        let mut details = diag::render_human(&sources, &problem.diagnostics, false);
                        details.push_str(&problem.inner);
                        self.errors.push(CaseError {
                            name,
                            message,
                            details,
                        });
                    }
                }
            }
        }
    }

    /// Runs the cases against `pack` (`digest` identifies its content).
    pub fn run(&self, pack: &Pack, digest: &str) -> PackResult {
        let mut result = PackResult {
            pack: self.pack.clone(),
            cases: self.cases,
            expectations: Vec::new(),
            errors: self.errors.clone(),
        };
        for case in &self.ready {
            let assessment = assess::assess(
                pack,
                digest,
                &case.submission,
                &case.waivers,
                &case.reviews,
                Options::default(),
            );
            if assessment.render_errors.is_empty() {
                compare(&case.name, &case.expect, &assessment, &mut result);
            } else {
                result.errors.push(CaseError {
                    name: case.name.clone(),
                    message: "a rectification template cannot be rendered".into(),
                    details: assessment
                        .render_errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n"),
                });
            }
        }
        result
    }

    /// Whether every case passes against `pack`, stopping at the first that does not.
    pub fn passes(&self, pack: &Pack) -> bool {
        self.errors.is_empty()
            && self.ready.iter().all(|case| {
                let assessment = assess::assess(
                    pack,
                    "",
                    &case.submission,
                    &case.waivers,
                    &case.reviews,
                    Options::default(),
                );
                let mut result = PackResult::default();
                compare(&case.name, &case.expect, &assessment, &mut result);
                result.passed()
            })
    }
}

/// Why a case cannot run: diagnostics located in the test file, and those of a submission
/// or waivers file it names (already rendered: they are located in that file's sources).
struct CaseProblem {
    diagnostics: Vec<Diagnostic>,
    inner: String,
}

impl From<Vec<Diagnostic>> for CaseProblem {
    fn from(diagnostics: Vec<Diagnostic>) -> CaseProblem {
        CaseProblem {
            diagnostics,
            inner: String::new(),
        }
    }
}

/// The case's submission and waivers, from files or inline.
fn prepare(
    pack: &Pack,
    case: Option<&Node>,
    sources: &mut Sources,
    file: diag::FileId,
    at: &str,
    base: &Path,
) -> Result<(crate::submission::Submission, Vec<Waiver>, Vec<Review>), CaseProblem> {
    let located = |sources: &Sources, pointer: &str, message: String| {
        vec![Diagnostic::error(
            Code::TestCase,
            Location {
                file,
                pos: sources.locate(file, pointer, Target::Value),
            },
            message,
        )]
    };
    let case = case.ok_or_else(|| located(sources, at, "the case cannot be read".into()))?;
    let submission_at = format!("{at}/submission");
    let submission = match case.get("submission") {
        Some(node) => match node.as_str() {
            Some(rel) => {
                let file = confine(base, rel, "submission")
                    .map_err(|message| located(sources, &submission_at, message))?;
                crate::submission::load_confined(pack, &file).map_err(|e| CaseProblem {
                    diagnostics: located(
                        sources,
                        &submission_at,
                        format!("the submission `{rel}` is not valid"),
                    ),
                    inner: diag::render_human(&e.sources, &e.diagnostics, false),
                })?
            }
            None => {
                crate::submission::load_inline(pack, node, sources, file, &submission_at, base)?
            }
        },
        None => {
            return Err(located(sources, at, "the case has no `submission`".into()).into());
        }
    };
    let waivers_at = format!("{at}/waivers");
    let waivers = match case.get("waivers") {
        None => Vec::new(),
        Some(node) => match (&node.value, node.as_str()) {
            (_, Some(rel)) => {
                let file = confine(base, rel, "waivers file")
                    .map_err(|message| located(sources, &waivers_at, message))?;
                waiver::load_confined(pack, &file).map_err(|e| CaseProblem {
                    diagnostics: located(
                        sources,
                        &waivers_at,
                        format!("the waivers `{rel}` are not valid"),
                    ),
                    inner: diag::render_human(&e.sources, &e.diagnostics, false),
                })?
            }
            (yaml::Value::Seq(entries), None) => {
                waiver::read_list(pack, entries, &waivers_at, file, sources)?
            }
            _ => {
                return Err(
                    located(sources, &waivers_at, "`waivers` is a path or a list".into()).into(),
                );
            }
        },
    };
    let reviews_at = format!("{at}/reviews");
    let reviews = match case.get("reviews") {
        None => Vec::new(),
        Some(node) => match (&node.value, node.as_str()) {
            (_, Some(rel)) => {
                let file = confine(base, rel, "reviews file")
                    .map_err(|message| located(sources, &reviews_at, message))?;
                review::load_confined(pack, &file).map_err(|e| CaseProblem {
                    diagnostics: located(
                        sources,
                        &reviews_at,
                        format!("the reviews `{rel}` are not valid"),
                    ),
                    inner: diag::render_human(&e.sources, &e.diagnostics, false),
                })?
            }
            (yaml::Value::Seq(entries), None) => {
                review::read_list(pack, entries, &reviews_at, file, sources)?
            }
            _ => {
                return Err(
                    located(sources, &reviews_at, "`reviews` is a path or a list".into()).into(),
                );
            }
        },
    };
    Ok((submission, waivers, reviews))
}

/// A submission or waivers file a case names, confined to the test file's folder; or why
/// it cannot be read.
fn confine(base: &Path, rel: &str, what: &str) -> Result<crate::source::Confined, String> {
    crate::source::confine(base, rel).map_err(|e| e.describe(&format!("the {what} `{rel}`")))
}

fn compare(name: &str, expect: &Expect, a: &Assessment, result: &mut PackResult) {
    for (id, want) in &expect.items {
        let Some(got) = a.items.iter().find(|o| &o.id == id) else {
            // `kaohe check` reports such an item; the tests of a valid pack never name one.
            result.expectations.push(Expectation {
                name: format!("{name}/{id}"),
                passed: false,
                expected: format!("item `{id}`"),
                got: "no such item".into(),
                why: Vec::new(),
            });
            continue;
        };
        let status_ok = want.status.is_none_or(|s| s == got.status);
        let points_ok = want
            .points
            .is_none_or(|p| (p - got.awarded).abs() < TOLERANCE);
        let show = |status: Option<Status>, points: Option<f64>| {
            let mut parts = Vec::new();
            if let Some(s) = status {
                parts.push(format!(
                    "{} ({})",
                    status_name(s),
                    crate::report::status_label(s)
                ));
            }
            if let Some(p) = points {
                parts.push(format!("{} points", num::show(p)));
            }
            parts.join(", ")
        };
        result.expectations.push(Expectation {
            name: format!("{name}/{id}"),
            passed: status_ok && points_ok,
            expected: show(want.status, want.points),
            got: show(Some(got.status), Some(got.awarded)),
            why: crate::report::steps::lines(&got.explain),
        });
    }
    sections(name, expect, a, result);
    if let Some(total) = expect.total {
        result.expectations.push(Expectation {
            name: format!("{name}/total"),
            passed: (total - a.score.score).abs() < TOLERANCE,
            expected: num::show(total),
            got: num::show(a.score.score),
            why: vec![format!(
                "基础分 {} = 得分 {} / 计分基数 {} × {}；加分 {}",
                num::show(a.score.base),
                num::show(a.score.awarded),
                num::show(a.score.available),
                num::show(a.score.total),
                num::show(a.score.bonus)
            )],
        });
    }
    if let Some(grade) = &expect.grade {
        result.expectations.push(Expectation {
            name: format!("{name}/grade"),
            passed: *grade == a.score.grade,
            expected: grade.clone(),
            got: a.score.grade.clone(),
            why: vec![format!(
                "score {} earns {}{}",
                num::show(a.score.score),
                a.score.grade_by_score,
                if a.score.vetoed {
                    format!("; vetoed by {}", a.score.vetoes.join(", "))
                } else {
                    String::new()
                }
            )],
        });
    }
    if let Some(vetoes) = &expect.vetoes {
        let mut want = vetoes.clone();
        want.sort();
        let mut got = a.score.vetoes.clone();
        got.sort();
        result.expectations.push(Expectation {
            name: format!("{name}/vetoes"),
            passed: want == got,
            expected: format!("[{}]", want.join(", ")),
            got: format!("[{}]", got.join(", ")),
            why: Vec::new(),
        });
    }
    if let Some(eligible) = expect.eligible {
        let got = a.eligibility.as_ref().is_none_or(|e| e.eligible);
        result.expectations.push(Expectation {
            name: format!("{name}/eligible"),
            passed: eligible == got,
            expected: eligible.to_string(),
            got: got.to_string(),
            why: a
                .eligibility
                .as_ref()
                .map(|e| format!("申报条件：{}", crate::report::eligibility(e)))
                .into_iter()
                .collect(),
        });
    }
}

/// Each expected section subtotal, as `pack/case/sections/ID`.
fn sections(name: &str, expect: &Expect, a: &Assessment, result: &mut PackResult) {
    for (id, want) in &expect.sections {
        let got = a.sections.iter().find(|s| &s.id == id);
        result.expectations.push(Expectation {
            name: format!("{name}/sections/{id}"),
            passed: got.is_some_and(|s| (want - s.awarded).abs() < TOLERANCE),
            expected: format!("{} points", num::show(*want)),
            got: got.map_or_else(
                || "no such section".into(),
                |s| format!("{} points", num::show(s.awarded)),
            ),
            why: got
                .map(|s| {
                    format!(
                        "{} {}：计分基数 {}，得分 {}，扣分 {}",
                        s.id,
                        s.title,
                        num::show(s.available),
                        num::show(s.awarded),
                        num::show(s.deducted)
                    )
                })
                .into_iter()
                .collect(),
        });
    }
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Partial => "partial",
        Status::Fail => "fail",
        Status::NotApplicable => "not_applicable",
        Status::MissingData => "missing_data",
        Status::Waived => "waived",
        Status::Pending => "pending",
    }
}

/// The human report: one line per case outcome, every failure with the engine's reasoning.
pub fn render_human(results: &[PackResult]) -> String {
    let mut out = String::new();
    for r in results {
        for e in r.expectations.iter().filter(|e| !e.passed) {
            out.push_str(&format!(
                "WRONG {}: expected {}, got {}\n",
                e.name, e.expected, e.got
            ));
            for line in &e.why {
                out.push_str(&format!("    {line}\n"));
            }
        }
        for e in &r.errors {
            out.push_str(&format!("ERROR {}: {}\n{}", e.name, e.message, e.details));
            if !e.details.is_empty() && !e.details.ends_with('\n') {
                out.push('\n');
            }
        }
        let verdict = if r.passed() { "ok" } else { "FAILED" };
        out.push_str(&format!(
            "{}: {verdict}: {} cases, {} expectations, {} wrong, {} errors\n",
            r.pack,
            r.cases,
            r.expectations.len(),
            r.failed(),
            r.errors.len()
        ));
    }
    out
}

/// JUnit XML: one test suite per pack, one test case per expectation (`pack/case/item`).
pub fn render_junit(results: &[PackResult]) -> String {
    use quick_xml::Writer;
    use quick_xml::events::{BytesDecl, BytesText, Event};

    let total: usize = results
        .iter()
        .map(|r| r.expectations.len() + r.errors.len())
        .sum();
    let failures: usize = results.iter().map(PackResult::failed).sum();
    let errors: usize = results.iter().map(|r| r.errors.len()).sum();
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written = (|| -> std::io::Result<()> {
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        writer
            .create_element("testsuites")
            .with_attributes([
                ("name", "kaohe"),
                ("tests", total.to_string().as_str()),
                ("failures", failures.to_string().as_str()),
                ("errors", errors.to_string().as_str()),
            ])
            .write_inner_content(|w| {
                for r in results {
                    let tests = (r.expectations.len() + r.errors.len()).to_string();
                    let failed = r.failed().to_string();
                    let errored = r.errors.len().to_string();
                    w.create_element("testsuite")
                        .with_attributes([
                            ("name", r.pack.as_str()),
                            ("tests", tests.as_str()),
                            ("failures", failed.as_str()),
                            ("errors", errored.as_str()),
                        ])
                        .write_inner_content(|w| {
                            for e in &r.expectations {
                                let class =
                                    e.name.rsplit_once('/').map(|(c, _)| c).unwrap_or(&e.name);
                                let el = w.create_element("testcase").with_attributes([
                                    ("classname", class),
                                    ("name", e.name.as_str()),
                                ]);
                                if e.passed {
                                    el.write_empty()?;
                                } else {
                                    let message = format!("expected {}, got {}", e.expected, e.got);
                                    el.write_inner_content(|w| {
                                        w.create_element("failure")
                                            .with_attribute(("message", message.as_str()))
                                            .write_text_content(BytesText::new(
                                                &e.why.join("\n"),
                                            ))?;
                                        Ok(())
                                    })?;
                                }
                            }
                            for e in &r.errors {
                                // A case's error is in its pack's class (a case's name is
                                // `pack/case`, a pack's own error is named by the pack).
                                w.create_element("testcase")
                                    .with_attributes([
                                        ("classname", r.pack.as_str()),
                                        ("name", e.name.as_str()),
                                    ])
                                    .write_inner_content(|w| {
                                        let text = if e.details.is_empty() {
                                            &e.message
                                        } else {
                                            &e.details
                                        };
                                        w.create_element("error")
                                            .with_attribute(("message", e.message.as_str()))
                                            .write_text_content(BytesText::new(text))?;
                                        Ok(())
                                    })?;
                            }
                            Ok(())
                        })?;
                }
                Ok(())
            })?;
        Ok(())
    })();
    if written.is_err() {
        return String::new();
    }
    let mut text = String::from_utf8(writer.into_inner()).unwrap_or_default();
    text.push('\n');
    text
}

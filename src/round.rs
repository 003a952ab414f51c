//! An assessment round: many bureaus' submissions, streamed one bureau at a time on every
//! core. Each worker reads, assesses and writes one bureau's outputs, and keeps only the
//! small [`Record`] the round's summary needs, so memory does not grow with the number of
//! bureaus. Results are put back in input order: the outputs are the same bytes whatever the
//! number of threads.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use crate::assess::{self, Assessment, Options};
use crate::pack::Pack;
use crate::score::Status;
use crate::waiver::Waiver;
use crate::{diag, num, rectify, report, submission};

/// The extensions of the submissions read from a directory named as an input.
const SUBMISSION_EXTENSIONS: [&str; 4] = ["yaml", "yml", "json", "xlsx"];

/// The inputs of a round, in order: each file as given, and each directory's submissions
/// (its `*.yaml`, `*.yml`, `*.json` and `*.xlsx` files directly inside it, by name). Globs
/// are the shell's to expand. A path that does not exist is kept: reading it reports it.
pub fn expand(inputs: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .and_then(|e| e.to_str())
                            .is_some_and(|e| SUBMISSION_EXTENSIONS.contains(&e))
                })
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

/// What the summary keeps of one bureau that was assessed.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// Its place among the inputs, from 1.
    pub index: usize,
    pub file: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    pub score: f64,
    pub grade: String,
    pub grade_by_score: String,
    pub vetoed: bool,
    pub vetoes: Vec<String>,
    pub vetoes_unverified: Vec<String>,
    /// Points awarded and available in each section, in the pack's section order.
    #[serde(skip)]
    pub sections: Vec<(f64, f64)>,
    /// Each item's status and whether it is on the gap list, in the pack's item order.
    #[serde(skip)]
    pub items: Vec<(Status, bool)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_assessment: Option<SelfFigures>,
    /// The required facts and registers the submission lacks, by label.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<String>,
    /// The stem of its files in `bureaus/`.
    pub outputs: String,
    /// The submission's assessment date: the latest dates the summary workbook.
    #[serde(skip)]
    pub assessed_on: Option<jiff::civil::Date>,
    /// Its part of the HTML summary (gap list and tasks), where [`Parts`] keeps it.
    #[serde(skip)]
    pub part: Part,
}

/// Where a bureau's part of the HTML summary is in [`Parts`]: offset and length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Part(u64, u64);

/// The bureaus' parts of the HTML summary, written by the workers to a file as they finish
/// and copied back in input order when the summary is written, so the round does not keep
/// every bureau's gap list and tasks in memory.
pub struct Parts {
    file: Mutex<File>,
}

impl Parts {
    /// A new, empty file at `path` (inside the round's private staging folder).
    pub fn create(path: &Path) -> io::Result<Parts> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)?;
        Ok(Parts {
            file: Mutex::new(file),
        })
    }

    fn append(&self, bytes: &[u8]) -> io::Result<Part> {
        let mut file = self
            .file
            .lock()
            .map_err(|_| io::Error::other("a worker failed while writing"))?;
        let at = file.seek(SeekFrom::End(0))?;
        file.write_all(bytes)?;
        Ok(Part(at, bytes.len() as u64))
    }

    /// Copies one bureau's part to `out`.
    pub fn copy(&self, part: Part, out: &mut dyn Write) -> io::Result<()> {
        let mut file = self
            .file
            .lock()
            .map_err(|_| io::Error::other("a worker failed while writing"))?;
        file.seek(SeekFrom::Start(part.0))?;
        let copied = io::copy(&mut (&mut *file).take(part.1), out)?;
        if copied != part.1 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "a bureau's part of the summary is cut short",
            ));
        }
        Ok(())
    }
}

/// An item on a bureau's gap list, as the HTML summary shows it.
#[derive(Debug, Clone)]
pub struct Gap {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub measured: Option<crate::checks::Quantity>,
    pub required: Option<crate::checks::Requirement>,
    /// Points available and not awarded.
    pub lost: f64,
}

/// A rectification task, as the HTML summary shows it.
#[derive(Debug, Clone)]
pub struct Task {
    pub item: String,
    pub problem: String,
    pub measure: String,
    pub owner: String,
    pub deadline: Option<jiff::civil::Date>,
    /// Days from an assessment date the submission does not give.
    pub within_days: Option<u32>,
}

/// A bureau's self-scores against its final scores.
#[derive(Debug, Clone, Serialize)]
pub struct SelfFigures {
    pub self_total: f64,
    pub assessed_total: f64,
    pub difference: f64,
    pub compared: usize,
    pub matched: usize,
    pub credibility: Option<f64>,
    pub overstated: f64,
}

/// A submission that could not be assessed.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub index: usize,
    pub file: String,
    /// The first line of its diagnostics.
    pub reason: String,
    /// Every diagnostic, as shown on stderr.
    #[serde(skip)]
    pub diagnostics: String,
}

/// The round's results, in input order.
#[derive(Debug, Default)]
pub struct Results {
    pub assessed: Vec<Record>,
    pub skipped: Vec<Skipped>,
    /// With `strict`: the round stopped at a bad submission, nothing was kept.
    pub stopped: bool,
}

/// How the round runs.
pub struct Settings<'a> {
    pub waivers: &'a [Waiver],
    /// Where each bureau's files go: a folder of the round's own, written plainly (the
    /// round moves it into place when it is done).
    pub bureaus_dir: &'a Path,
    /// Which files are written for each bureau.
    pub files: Files,
    /// Where the bureaus' parts of the HTML summary go.
    pub parts: &'a Parts,
    /// Add the scoring sheet to the Markdown report.
    pub sheet: bool,
    /// Stop at the first bad submission.
    pub strict: bool,
    /// `Some(n)`: a pool of n threads; `None`: rayon's default (one per core).
    pub jobs: Option<usize>,
    /// Called once per submission when it is done.
    pub tick: &'a (dyn Fn() + Sync),
}

/// The files a round writes for each bureau.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Files {
    /// The gap report, `NNN-单位.md`.
    pub md: bool,
    /// The assessment, `NNN-单位.json`.
    pub json: bool,
    /// The rectification list, `NNN-单位-整改清单.xlsx`.
    pub xlsx: bool,
}

impl Default for Files {
    fn default() -> Files {
        Files {
            md: true,
            json: true,
            xlsx: true,
        }
    }
}

/// A name safe as a file name on any system, keeping the bureau's own characters (Chinese
/// included): path separators, characters Windows refuses, control characters and leading
/// dots or spaces become `_`; at most 40 characters.
pub fn file_stem(index: usize, width: usize, name: &str) -> String {
    let mut safe: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .take(40)
        .collect();
    safe = safe.replace("..", "_");
    let safe = safe.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let safe = if safe.is_empty() { "bureau" } else { safe };
    format!("{index:0width$}-{safe}")
}

enum Outcome {
    Done(Box<Record>),
    Bad(Skipped),
    /// Not read: the round stopped.
    NotRun,
}

/// Runs the round: every submission read, assessed and written by a worker, the records
/// returned in input order. Writing a bureau's files failing is an error for the whole
/// round.
pub fn run(pack: &Pack, paths: &[PathBuf], settings: &Settings) -> Result<Results, String> {
    let digest = assess::pack_digest(pack);
    let item_index: HashMap<&str, usize> = pack
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.id.as_str(), i))
        .collect();
    let width = index_width(paths.len());
    let pages = report::round::BureauPages::new(width, settings.files)?;
    let stop = AtomicBool::new(false);
    let one = |(i, path): (usize, &PathBuf)| -> Result<Outcome, String> {
        if stop.load(Ordering::Relaxed) {
            return Ok(Outcome::NotRun);
        }
        let outcome = bureau(
            pack,
            &digest,
            &item_index,
            (i + 1, width),
            path,
            settings,
            &pages,
        );
        if matches!(outcome, Ok(Outcome::Bad(_))) && settings.strict {
            stop.store(true, Ordering::Relaxed);
        }
        (settings.tick)();
        outcome
    };
    let outcomes: Vec<Result<Outcome, String>> = match settings.jobs {
        Some(1) => paths.iter().enumerate().map(one).collect(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .stack_size(crate::limits::WORKER_STACK)
            .build()
            .map_err(|e| format!("cannot start {n} threads: {e}"))?
            .install(|| paths.par_iter().enumerate().map(one).collect()),
        None => paths.par_iter().enumerate().map(one).collect(),
    };
    let mut results = Results::default();
    for outcome in outcomes {
        match outcome? {
            Outcome::Done(r) => results.assessed.push(*r),
            Outcome::Bad(s) => {
                results.skipped.push(s);
                if settings.strict {
                    results.stopped = true;
                    break;
                }
            }
            Outcome::NotRun => results.stopped = true,
        }
    }
    Ok(results)
}

/// The digits of a bureau's number in its file names and the summary's anchors: enough for
/// `count` bureaus, at least 3.
pub fn index_width(count: usize) -> usize {
    count.to_string().len().max(3)
}

fn bureau(
    pack: &Pack,
    digest: &str,
    item_index: &HashMap<&str, usize>,
    (index, width): (usize, usize),
    path: &Path,
    settings: &Settings,
    pages: &report::round::BureauPages,
) -> Result<Outcome, String> {
    let file = diag::display_path(path);
    let submission = match submission::load(pack, path) {
        Ok(s) => s,
        Err(e) => {
            let diagnostics = diag::render_human(&e.sources, &e.diagnostics, false);
            let reason = diagnostics
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("cannot be read")
                .trim()
                .to_string();
            return Ok(Outcome::Bad(Skipped {
                index,
                file,
                reason,
                diagnostics,
            }));
        }
    };
    let a = assess::assess(
        pack,
        digest,
        &submission,
        settings.waivers,
        &[],
        Options::default(),
    );
    let assessed_on = submission.assessed_on;
    drop(submission);
    if let Some(e) = a.render_errors.first() {
        return Ok(Outcome::Bad(Skipped {
            index,
            file,
            reason: format!("error: {e}"),
            diagnostics: crate::cmd::render_error_lines(&pack.dir, &a.render_errors),
        }));
    }
    let stem = file_stem(index, width, &a.submission.bureau.name);
    let tasks = write_bureau(&a, &stem, settings)?;
    let mut record = record(pack, &a, item_index, index, file, stem);
    record.assessed_on = assessed_on;
    let gaps = gaps(&a);
    drop(a);
    let html = pages.render(&record, &gaps, &tasks)?;
    record.part = settings.parts.append(html.as_bytes()).map_err(|e| {
        format!(
            "cannot keep the summary's part of `{}`: {e}",
            record.outputs
        )
    })?;
    Ok(Outcome::Done(Box::new(record)))
}

/// A bureau's files, as `settings.files` asks; returns its rectification tasks.
fn write_bureau(a: &Assessment, stem: &str, settings: &Settings) -> Result<Vec<Task>, String> {
    let dir = settings.bureaus_dir;
    let write = |name: String, bytes: &[u8]| {
        let path = dir.join(&name);
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
    };
    if settings.files.md {
        let md = if settings.sheet {
            report::markdown_with_sheet(a)
        } else {
            report::markdown(a)
        }
        .map_err(|e| format!("the Markdown report of `{stem}` cannot be written: {e}"))?;
        write(format!("{stem}.md"), md.as_bytes())?;
    }
    // The assessment as JSON once: its file and its rectification list are both made
    // from it.
    let value = serde_json::to_value(a).map_err(|e| format!("`{stem}`: {e}"))?;
    if settings.files.json {
        write(format!("{stem}.json"), report::json(&value).as_bytes())?;
    }
    let list = rectify::from_json(&value).map_err(|e| format!("`{stem}`: {e}"))?;
    if settings.files.xlsx {
        let xlsx = report::rectify::xlsx(&list).map_err(|e| format!("`{stem}`: {e}"))?;
        write(format!("{stem}-整改清单.xlsx"), &xlsx)?;
    }
    Ok(list
        .tasks
        .into_iter()
        .map(|t| Task {
            item: t.item,
            problem: t.problem,
            measure: t.measure,
            owner: t.owner,
            deadline: t.deadline,
            within_days: t.within_days,
        })
        .collect())
}

/// The bureau's gap list, as the HTML summary shows it.
fn gaps(a: &Assessment) -> Vec<Gap> {
    a.items
        .iter()
        .filter(|o| o.gap)
        .map(|o| Gap {
            id: o.id.clone(),
            title: o.title.clone(),
            status: o.status,
            measured: o.measured.clone(),
            required: o.required.clone(),
            lost: num::round2(o.available - o.awarded),
        })
        .collect()
}

fn record(
    pack: &Pack,
    a: &Assessment,
    item_index: &HashMap<&str, usize>,
    index: usize,
    file: String,
    outputs: String,
) -> Record {
    let mut items = vec![(Status::NotApplicable, false); pack.items.len()];
    for o in &a.items {
        if let Some(&i) = item_index.get(o.id.as_str()) {
            items[i] = (o.status, o.gap);
        }
    }
    let sections = pack
        .sections
        .iter()
        .map(|s| {
            a.sections
                .iter()
                .find(|x| x.id == s.id)
                .map_or((0.0, 0.0), |x| (x.awarded, x.available))
        })
        .collect();
    let self_assessment = a.self_assessment.as_ref().map(|sa| SelfFigures {
        self_total: sa.self_total,
        assessed_total: sa.assessed_total,
        difference: num::round2(sa.self_total - sa.assessed_total),
        compared: sa.compared,
        matched: sa.matched,
        credibility: sa.credibility,
        overstated: sa.overstated,
    });
    Record {
        index,
        file,
        name: a.submission.bureau.name.clone(),
        region_code: a.submission.bureau.region_code.clone(),
        score: a.score.score,
        grade: a.score.grade.clone(),
        grade_by_score: a.score.grade_by_score.clone(),
        vetoed: a.score.vetoed,
        vetoes: a.score.vetoes.clone(),
        vetoes_unverified: a.score.vetoes_unverified.clone(),
        sections,
        items,
        self_assessment,
        incomplete: a
            .incomplete
            .iter()
            .filter(|x| x.required)
            .map(|x| x.label.clone())
            .collect(),
        outputs,
        assessed_on: None,
        part: Part::default(),
    }
}

/// The version of the round summary's JSON (`schemas/round.schema.json`).
pub const SCHEMA_VERSION: &str = "kaohe.round/1";

/// What an office reads of a round: the ranking and the views across bureaus. Every figure
/// is computed here; `report::round` only writes it.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub schema: &'static str,
    pub pack: assess::PackRef,
    pub bureaus: Counts,
    pub ranking: Vec<Ranked>,
    pub grades: Vec<GradeCount>,
    pub sections: Vec<SectionAverage>,
    pub items: Vec<ItemRate>,
    pub common_problems: Vec<CommonProblem>,
    pub self_assessment: Vec<SelfDiscrepancy>,
    pub incomplete: Vec<IncompleteBureau>,
    pub not_assessed: Vec<Skipped>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    /// Submissions given.
    pub given: usize,
    pub assessed: usize,
    pub not_assessed: usize,
}

/// A bureau in the ranking.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    /// 1 for the first; bureaus with the same score (to 2 decimals) and veto state share a
    /// rank, and the next rank counts them (1, 2, 2, 4).
    pub rank: usize,
    #[serde(flatten)]
    pub record: Record,
}

#[derive(Debug, Clone, Serialize)]
pub struct GradeCount {
    pub grade: String,
    pub bureaus: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionAverage {
    pub id: String,
    pub title: String,
    pub level: usize,
    pub points: f64,
    /// Mean over the bureaus assessed of the points awarded in the section.
    pub average_awarded: f64,
    /// Mean of the points available (not-applicable items may leave them).
    pub average_available: f64,
    /// Points awarded over points available, summed over the bureaus; `null` when none
    /// were available.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemRate {
    pub id: String,
    pub title: String,
    pub section: String,
    pub kind: crate::pack::ItemKind,
    pub pass: usize,
    pub partial: usize,
    pub fail: usize,
    pub missing_data: usize,
    pub not_applicable: usize,
    pub waived: usize,
    pub pending: usize,
    /// Bureaus where the item was judged or should have been: every status but not
    /// applicable and waived.
    pub judged: usize,
    /// `pass / judged`, to 4 decimals; `null` when no bureau was judged on it.
    pub pass_rate: Option<f64>,
    /// Bureaus that have it on their gap list.
    pub gaps: usize,
}

/// An item on the gap list of at least half the bureaus assessed (共性问题).
#[derive(Debug, Clone, Serialize)]
pub struct CommonProblem {
    pub id: String,
    pub title: String,
    /// How many bureaus have it on their gap list.
    pub bureaus: usize,
    /// That count over the bureaus assessed, to 4 decimals.
    pub share: f64,
    /// Their names, in input order.
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SelfDiscrepancy {
    pub index: usize,
    pub name: String,
    #[serde(flatten)]
    pub figures: SelfFigures,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncompleteBureau {
    pub index: usize,
    pub name: String,
    pub file: String,
    /// The required facts and registers it lacks, by label.
    pub absent: Vec<String>,
}

fn rate(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 10000.0).round() / 10000.0)
}

/// The summary of a round's results.
/// The records move into the ranking: nothing is copied.
pub fn summarize(pack: &Pack, given: usize, results: Results) -> Summary {
    let Results {
        assessed: owned,
        skipped,
        ..
    } = results;
    let assessed = &owned;
    let n = assessed.len();
    // Vetoed bureaus after the others, each group by score, highest first; ties in input
    // order.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&assessed[a], &assessed[b]);
        a.vetoed
            .cmp(&b.vetoed)
            .then(num::round2(b.score).total_cmp(&num::round2(a.score)))
            .then(a.index.cmp(&b.index))
    });
    let mut ranks: Vec<(usize, usize)> = Vec::with_capacity(n);
    for (i, &r) in order.iter().enumerate() {
        let rank = match ranks.last() {
            Some(&(rank, prev))
                if assessed[prev].vetoed == assessed[r].vetoed
                    && num::round2(assessed[prev].score) == num::round2(assessed[r].score) =>
            {
                rank
            }
            _ => i + 1,
        };
        ranks.push((rank, r));
    }
    let mut grades: Vec<GradeCount> = pack
        .scoring
        .grades
        .iter()
        .map(|g| g.name.clone())
        .chain(pack.scoring.veto.as_ref().map(|v| v.grade.clone()))
        .map(|grade| GradeCount { grade, bureaus: 0 })
        .collect();
    grades.dedup_by(|a, b| a.grade == b.grade);
    for r in assessed {
        match grades.iter_mut().find(|g| g.grade == r.grade) {
            Some(g) => g.bureaus += 1,
            None => grades.push(GradeCount {
                grade: r.grade.clone(),
                bureaus: 1,
            }),
        }
    }
    let mean = |sum: f64| {
        if n == 0 {
            0.0
        } else {
            num::round2(sum / n as f64)
        }
    };
    let sections = pack
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let awarded: f64 = assessed.iter().map(|r| r.sections[i].0).sum();
            let available: f64 = assessed.iter().map(|r| r.sections[i].1).sum();
            SectionAverage {
                id: s.id.clone(),
                title: s.title.clone(),
                level: s.level,
                points: s.points,
                average_awarded: mean(awarded),
                average_available: mean(available),
                rate: (available > 0.0).then(|| (awarded / available * 10000.0).round() / 10000.0),
            }
        })
        .collect();
    // Items by section (the pack's section order), the pack's order within one.
    let mut item_order: Vec<usize> = (0..pack.items.len()).collect();
    item_order.sort_by_key(|&i| {
        pack.sections
            .iter()
            .position(|s| s.id == pack.items[i].section)
            .unwrap_or(usize::MAX)
    });
    let items: Vec<ItemRate> = item_order
        .iter()
        .map(|&i| {
            let item = &pack.items[i];
            let count = |s: Status| assessed.iter().filter(|r| r.items[i].0 == s).count();
            let (pass, partial, fail) = (
                count(Status::Pass),
                count(Status::Partial),
                count(Status::Fail),
            );
            let (missing_data, pending) = (count(Status::MissingData), count(Status::Pending));
            let judged = pass + partial + fail + missing_data + pending;
            ItemRate {
                id: item.id.clone(),
                title: item.title.clone(),
                section: item.section.clone(),
                kind: item.kind,
                pass,
                partial,
                fail,
                missing_data,
                not_applicable: count(Status::NotApplicable),
                waived: count(Status::Waived),
                pending,
                judged,
                pass_rate: rate(pass, judged),
                gaps: assessed.iter().filter(|r| r.items[i].1).count(),
            }
        })
        .collect();
    let half = n.div_ceil(2).max(1);
    let mut common: Vec<CommonProblem> = items
        .iter()
        .zip(&item_order)
        .filter(|(it, _)| it.gaps >= half)
        .map(|(it, &i)| CommonProblem {
            id: it.id.clone(),
            title: it.title.clone(),
            bureaus: it.gaps,
            share: rate(it.gaps, n).unwrap_or(0.0),
            names: assessed
                .iter()
                .filter(|r| r.items[i].1)
                .map(|r| r.name.clone())
                .collect(),
        })
        .collect();
    // By count, most first; section order among equals (the sort is stable).
    common.sort_by_key(|c| std::cmp::Reverse(c.bureaus));
    let mut self_assessment: Vec<SelfDiscrepancy> = assessed
        .iter()
        .filter_map(|r| {
            Some(SelfDiscrepancy {
                index: r.index,
                name: r.name.clone(),
                figures: r.self_assessment.clone()?,
            })
        })
        .collect();
    // Least credible first; without a figure last; input order among equals.
    self_assessment.sort_by(|a, b| {
        let key = |d: &SelfDiscrepancy| d.figures.credibility.unwrap_or(f64::INFINITY);
        key(a).total_cmp(&key(b))
    });
    let incomplete = assessed
        .iter()
        .filter(|r| !r.incomplete.is_empty())
        .map(|r| IncompleteBureau {
            index: r.index,
            name: r.name.clone(),
            file: r.file.clone(),
            absent: r.incomplete.clone(),
        })
        .collect();
    let mut records: Vec<Option<Record>> = owned.into_iter().map(Some).collect();
    let ranking = ranks
        .into_iter()
        .filter_map(|(rank, i)| {
            Some(Ranked {
                rank,
                record: records.get_mut(i)?.take()?,
            })
        })
        .collect();
    Summary {
        schema: SCHEMA_VERSION,
        pack: assess::PackRef {
            id: pack.meta.id.clone(),
            title: pack.meta.title.clone(),
            version: pack.meta.version.clone(),
            digest: assess::pack_digest(pack),
        },
        bureaus: Counts {
            given,
            assessed: n,
            not_assessed: skipped.len(),
        },
        ranking,
        grades,
        sections,
        items,
        common_problems: common,
        self_assessment,
        incomplete,
        not_assessed: skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_stems_are_safe_and_keep_chinese() {
        assert_eq!(file_stem(7, 3, "清河县教育局"), "007-清河县教育局");
        assert_eq!(file_stem(1, 3, "../../etc/passwd"), "001-____etc_passwd");
        assert_eq!(file_stem(2, 3, "a\\b\u{1b}[2J:c"), "002-a_b_[2J_c");
        assert_eq!(file_stem(3, 4, ".hidden"), "0003-hidden");
        assert_eq!(file_stem(4, 3, "  "), "004-bureau");
        assert_eq!(
            file_stem(5, 3, "<script>alert(1)</script>区教育局"),
            "005-_script_alert(1)__script_区教育局"
        );
    }
}

//! Entry points for coverage-guided fuzzing (`fuzz/`) and for replaying the inputs kept in
//! `fuzz/regressions/` (`tests/fuzz_regressions.rs`). Each takes arbitrary bytes, drives a
//! real code path the way the commands do and ignores whether it succeeds: only panics,
//! hangs and running out of memory are failures.
//!
//! Inputs made of several files (a pack, a submission with its CSV registers) are split on
//! NUL bytes: the first part is the main file, each further part is `NAME\nCONTENT`, a file
//! at the relative path `NAME` (letters, digits, `_`, `-`, `.` and `/` only; other names are
//! dropped). The files are written to a private folder under `/dev/shm` (or the system's
//! temporary folder), emptied before each input.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::assess::{self, Options};
use crate::pack::Pack;
use crate::{diag, filled, followup, pack, rectify, report, review, round, submission, waiver};

/// The names of the targets, as `fuzz/fuzz_targets/` and `fuzz/regressions/` name them.
pub const TARGETS: [&str; 9] = [
    "pack",
    "submission_yaml",
    "submission_json",
    "submission_csv",
    "submission_xlsx",
    "reviews",
    "waivers",
    "filled",
    "end_to_end",
];

/// Runs the target named `name` on `data`; false when there is no such target.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "pack" => pack(data),
        "submission_yaml" => submission_yaml(data),
        "submission_json" => submission_json(data),
        "submission_csv" => submission_csv(data),
        "submission_xlsx" => submission_xlsx(data),
        "reviews" => reviews(data),
        "waivers" => waivers(data),
        "filled" => filled(data),
        "end_to_end" => end_to_end(data),
        _ => return false,
    }
    true
}

/// A pack folder: `pack.yaml` first, then its other files (`items/*.yaml`, `tests/*.yaml`,
/// the tests' submissions), loaded as `kaohe check` loads it, diagnostics rendered.
pub fn pack(data: &[u8]) {
    let dir = scratch("pack");
    write_tree(&dir, "pack.yaml", data);
    if let Ok(loaded) = pack::load(&dir) {
        let _ = diag::render_human(&loaded.sources, &loaded.diagnostics, false);
        let _ = diag::json_diagnostics(&loaded.sources, &loaded.diagnostics);
        let _ = diag::render_sarif(&[(&loaded.sources, loaded.diagnostics.as_slice())]);
    }
}

/// A YAML submission, read against the shipped pack.
pub fn submission_yaml(data: &[u8]) {
    let dir = scratch("submission_yaml");
    let path = write_file(&dir, "submission.yaml", data);
    load_submission(shipped_pack(), &path);
}

/// A JSON submission, read against the shipped pack.
pub fn submission_json(data: &[u8]) {
    let dir = scratch("submission_json");
    let path = write_file(&dir, "submission.json", data);
    load_submission(shipped_pack(), &path);
}

/// A YAML submission whose registers are CSV files: the submission first, then the files
/// it names (`schools.csv\n...`).
pub fn submission_csv(data: &[u8]) {
    let dir = scratch("submission_csv");
    let path = write_tree(&dir, "submission.yaml", data);
    load_submission(shipped_pack(), &path);
}

/// A filled-in workbook submission, read against the shipped pack.
pub fn submission_xlsx(data: &[u8]) {
    let dir = scratch("submission_xlsx");
    let path = write_file(&dir, "submission.xlsx", data);
    load_submission(shipped_pack(), &path);
}

/// A reviews file, read against the shipped pack.
pub fn reviews(data: &[u8]) {
    let dir = scratch("reviews");
    let path = write_file(&dir, "reviews.yaml", data);
    if let Err(e) = review::load(shipped_pack(), &path) {
        let _ = diag::render_human(&e.sources, &e.diagnostics, false);
    }
}

/// A waivers file, read against the shipped pack.
pub fn waivers(data: &[u8]) {
    let dir = scratch("waivers");
    let path = write_file(&dir, "waivers.yaml", data);
    if let Err(e) = waiver::load(shipped_pack(), &path) {
        let _ = diag::render_human(&e.sources, &e.diagnostics, false);
    }
}

/// A filled-in rectification list (XLSX) as `kaohe followup` reads it back, made a ledger.
pub fn filled(data: &[u8]) {
    if let Ok(list) = filled::read(data, "filled.xlsx") {
        let mut ledger = followup::from_list(&list);
        let _ = followup::apply_filled(&mut ledger, &list);
        let _ = followup::follow_up(&ledger, &list);
    }
}

/// A submission (a workbook when it starts with `PK`, JSON when with `{`, else YAML with its
/// CSV files after NULs) assessed against the shipped pack, and every report rendered: the
/// text, Markdown and JSON reports, the scoring sheet, each gap's explanation, the
/// rectification list (Markdown, CSV, XLSX, JSON), the follow-up ledger, the filled-in
/// template, and a one-bureau round with its summaries (XLSX, Markdown, JSON, CSV, HTML).
pub fn end_to_end(data: &[u8]) {
    let pack = shipped_pack();
    let dir = scratch("end_to_end");
    let path = if data.starts_with(b"PK") {
        write_file(&dir, "submission.xlsx", data)
    } else if data.first() == Some(&b'{') {
        write_file(&dir, "submission.json", data)
    } else {
        write_tree(&dir, "submission.yaml", data)
    };
    let Some(s) = load_submission(pack, &path) else {
        return;
    };
    let digest = assess::pack_digest(pack);
    let a = assess::assess(pack, &digest, &s, &[], &[], Options { explain_rows: true });
    let width = report::DEFAULT_WIDTH;
    let _ = report::text_in(&a, width);
    let _ = report::text_in(&a, 40);
    let _ = report::sheet_text(&a, width);
    let _ = report::markdown(&a);
    let _ = report::markdown_with_sheet(&a);
    let _ = report::json(&a);
    for item in report::gaps(&a) {
        let _ = report::explain(&a, &item.id, width);
    }
    let _ = report::template::xlsx(pack, Some(&s));
    if let Ok(list) = rectify::from_assessment(&a) {
        let _ = report::rectify::markdown(&list);
        let _ = report::rectify::csv(&list);
        let _ = report::rectify::xlsx(&list);
        let _ = serde_json::to_string_pretty(&list);
        let ledger = followup::from_list(&list);
        if let Ok(next) = followup::follow_up(&ledger, &list) {
            let _ = report::followup::markdown(&next);
            let _ = report::followup::xlsx(&next);
        }
    }
    drop(s);
    round_of_one(pack, &dir, &path);
}

/// A round of the one submission at `path`, in `dir`, with every summary rendered.
fn round_of_one(pack: &Pack, dir: &Path, path: &Path) {
    let bureaus = dir.join("bureaus");
    if std::fs::create_dir_all(&bureaus).is_err() {
        return;
    }
    let Ok(parts) = round::Parts::create(&dir.join("parts")) else {
        return;
    };
    let settings = round::Settings {
        waivers: &[],
        bureaus_dir: &bureaus,
        files: round::Files::default(),
        parts: &parts,
        sheet: true,
        strict: false,
        jobs: Some(1),
        tick: &|| {},
    };
    let Ok(results) = round::run(pack, &[path.to_path_buf()], &settings) else {
        return;
    };
    let summary = round::summarize(pack, 1, results);
    let _ = report::round::xlsx(&summary);
    let _ = report::round::markdown(&summary);
    let _ = report::round::json(&summary);
    let _ = report::round::csv(&summary);
    let mut html = Vec::new();
    let _ = report::round::html(&summary, &parts, &mut html);
}

/// Reads a submission as `kaohe assess` does, rendering the diagnostics when it cannot.
fn load_submission(pack: &Pack, path: &Path) -> Option<submission::Submission> {
    match submission::load(pack, path) {
        Ok(s) => Some(s),
        Err(e) => {
            let _ = diag::render_human(&e.sources, &e.diagnostics, false);
            None
        }
    }
}

/// The shipped pack `rules/edu-rule-of-law`, loaded once.
fn shipped_pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/edu-rule-of-law");
        match pack::load_for_assessment(&dir).map(|l| l.pack) {
            Ok(Some(p)) => p,
            _ => panic!("the shipped pack `{}` does not load", dir.display()),
        }
    })
}

/// An empty folder for one target's files, private to this process and thread.
fn scratch(target: &str) -> PathBuf {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    let base = BASE.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        remove_stale(&base);
        base
    });
    let thread = format!("{:?}", std::thread::current().id());
    let thread: String = thread.chars().filter(char::is_ascii_digit).collect();
    let dir = base.join(format!(
        "kaohe-fuzz-{}-{thread}/{target}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("cannot create `{}`: {e}", dir.display());
    }
    dir
}

/// Removes the folders left in `base` by fuzzing processes that have ended (libFuzzer's
/// fork mode starts one process per job, and none removes its folder at exit).
fn remove_stale(base: &Path) {
    // Whether a process lives is read from /proc; without it nothing is removed.
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("kaohe-fuzz-"))
            .and_then(|n| n.split('-').next())
        else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Writes `data` to `dir/name` and returns the path.
fn write_file(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Err(e) = std::fs::write(&path, data) {
        panic!("cannot write `{}`: {e}", path.display());
    }
    path
}

/// Writes the first NUL-separated part of `data` to `dir/main` and each further part
/// `NAME\nCONTENT` to `dir/NAME`; returns the path of the main file.
fn write_tree(dir: &Path, main: &str, data: &[u8]) -> PathBuf {
    let mut parts = data.split(|&b| b == 0);
    let path = write_file(dir, main, parts.next().unwrap_or_default());
    for part in parts.take(16) {
        let (name, content) = match part.iter().position(|&b| b == b'\n') {
            Some(at) => (&part[..at], &part[at + 1..]),
            None => (part, &[][..]),
        };
        let Some(name) = safe_name(name) else {
            continue;
        };
        let file = dir.join(name);
        if let Some(parent) = file.parent()
            && std::fs::create_dir_all(parent).is_err()
        {
            continue;
        }
        let _ = std::fs::write(&file, content);
    }
    path
}

/// A relative path of at most three plain components, or none.
fn safe_name(name: &[u8]) -> Option<&str> {
    let name = std::str::from_utf8(name).ok()?;
    let plain = |c: &str| {
        !c.is_empty()
            && !c.starts_with('.')
            && c.len() <= 64
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    };
    let components: Vec<&str> = name.split('/').collect();
    (components.len() <= 3 && components.iter().all(|c| plain(c))).then_some(name)
}

//! `kaohe assess PACK SUB... -o DIR/`: an assessment round, its files written in `DIR`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::assess::{Args, BureauFile, fmt_score};
use super::{CliError, Outcome, load_pack};
use crate::round::{self, Settings};
use crate::{diag, report, waiver};

/// Rounds larger than this show a progress bar (on a terminal).
const PROGRESS_FROM: usize = 8;

/// Runs the round. Everything is written first into a folder inside `dir`
/// (`.kaohe-round-PID`) and moved into place at the end, so a round stopped by `--strict` or
/// an error leaves nothing behind. A round that is killed leaves only that hidden folder,
/// which the next round in `dir` removes.
pub fn run(args: &Args, dir: &Path, color: bool) -> Result<Outcome, CliError> {
    let started = Instant::now();
    for (given, flag) in [
        (args.explain.is_some(), "--explain"),
        (args.reviews.is_some(), "--reviews"),
        (args.previous.is_some(), "--previous"),
    ] {
        if given {
            return Err(CliError::Usage(format!(
                "`{flag}` is for one bureau and cannot be used in a round (`-o` names a directory)"
            )));
        }
    }
    let pack = load_pack(&args.pack, color)?;
    if let Some(min) = args.fail_under {
        let max = pack.scoring.total + pack.scoring.bonus_cap.unwrap_or(0.0);
        if !min.is_finite() || min < 0.0 || min > max {
            return Err(CliError::Usage(format!(
                "`--fail-under` is a score from 0 to {} (the pack's total and bonus cap), \
                 not `{min}`",
                fmt_score(max)
            )));
        }
    }
    let waivers = match &args.waivers {
        Some(path) => waiver::load(&pack, path)
            .map_err(|e| CliError::Input(diag::render_human(&e.sources, &e.diagnostics, color)))?,
        None => Vec::new(),
    };
    let paths = round::expand(&args.submissions)
        .map_err(|e| CliError::Usage(format!("cannot list the submissions: {e}")))?;
    let created = !dir.exists();
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    remove_stale_staging(dir);
    let staging = dir.join(format!("{STAGING_PREFIX}{}", std::process::id()));
    std::fs::create_dir(&staging).map_err(|e| write_error(&staging, e))?;
    // Held until the process ends, however it ends: a later round that can take it knows
    // the folder is left over. Where files cannot be locked, no later round can take it
    // either, and the folder stays.
    let lock_path = staging.join(STAGING_LOCK);
    let lock = std::fs::File::create(&lock_path).map_err(|e| write_error(&lock_path, e))?;
    let _ = lock.try_lock();
    let staged_bureaus = staging.join("bureaus");
    std::fs::create_dir_all(&staged_bureaus).map_err(|e| write_error(&staging, e))?;
    let result = staged(
        args,
        &pack,
        &waivers,
        &paths,
        &staging,
        &staged_bureaus,
        dir,
    );
    let _ = std::fs::remove_dir_all(&staging);
    if created {
        // A round that wrote nothing (stopped by `--strict` or an error) leaves no folder
        // either; `remove_dir` removes only an empty one.
        let _ = std::fs::remove_dir(dir);
    }
    let (outcome, assessed, skipped) = result?;
    eprintln!(
        "assessed {assessed}, skipped {skipped}, in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    outcome
}

type Staged = (Result<Outcome, CliError>, usize, usize);

/// One of the summary's files, made from the summary.
type SummaryView = fn(&round::Summary) -> Result<Vec<u8>, String>;

fn staged(
    args: &Args,
    pack: &crate::pack::Pack,
    waivers: &[crate::waiver::Waiver],
    paths: &[PathBuf],
    staging: &Path,
    staged_bureaus: &Path,
    dir: &Path,
) -> Result<Staged, CliError> {
    let progress = (std::io::stderr().is_terminal() && paths.len() > PROGRESS_FROM).then(|| {
        let bar = indicatif::ProgressBar::new(paths.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed_precise}")
        {
            bar.set_style(style);
        }
        bar
    });
    let tick = || {
        if let Some(bar) = &progress {
            bar.inc(1);
        }
    };
    let parts_path = staging.join("parts");
    let parts = round::Parts::create(&parts_path).map_err(|e| write_error(&parts_path, e))?;
    let files = match &args.per_bureau {
        None => round::Files::default(),
        Some(list) => round::Files {
            md: list.contains(&BureauFile::Md),
            json: list.contains(&BureauFile::Json),
            xlsx: list.contains(&BureauFile::Xlsx),
        },
    };
    let settings = Settings {
        waivers,
        bureaus_dir: staged_bureaus,
        files,
        parts: &parts,
        sheet: args.sheet,
        strict: args.strict,
        jobs: args.jobs.map(usize::from),
        tick: &tick,
    };
    let results = round::run(pack, paths, &settings);
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let results = results.map_err(CliError::Usage)?;
    for s in &results.skipped {
        eprint!("{}", s.diagnostics);
    }
    if results.stopped {
        let first = results
            .skipped
            .first()
            .map(|s| format!("`{}`", s.file))
            .unwrap_or_default();
        return Ok((
            Err(CliError::Input(format!(
                "error: `--strict`: the round stopped at {first}; nothing was written\n"
            ))),
            results.assessed.len(),
            results.skipped.len(),
        ));
    }
    let skipped = results.skipped.len();
    let summary = round::summarize(pack, paths.len(), results);
    // One file at a time: each is dropped before the next is made.
    let views: [(&str, SummaryView); 4] = [
        ("summary.xlsx", report::round::xlsx),
        (
            "summary.md",
            |s| Ok(report::round::markdown(s).into_bytes()),
        ),
        ("summary.json", |s| Ok(report::round::json(s).into_bytes())),
        ("summary.csv", report::round::csv),
    ];
    for (name, view) in views {
        let bytes = view(&summary).map_err(CliError::Usage)?;
        super::write_output(&staging.join(name), &bytes)?;
    }
    let html_path = staging.join("summary.html");
    let html = std::fs::File::create(&html_path).map_err(|e| write_error(&html_path, e))?;
    let mut html = std::io::BufWriter::new(html);
    report::round::html(&summary, &parts, &mut html)
        .map_err(|e| CliError::Usage(format!("cannot write `{}`: {e}", html_path.display())))?;
    std::io::Write::flush(&mut html).map_err(|e| write_error(&html_path, e))?;
    publish(staging, dir)?;
    let mut unmet = Vec::new();
    if skipped > 0 {
        unmet.push(format!(
            "{skipped} of {} submissions could not be assessed; `summary.md` lists them under 未能考核",
            paths.len()
        ));
    }
    let mut in_order: Vec<&round::Record> = summary.ranking.iter().map(|r| &r.record).collect();
    in_order.sort_by_key(|r| r.index);
    for r in in_order {
        let bureau = format!("{}: bureau `{}`", r.file, r.name);
        if let Some(min) = args.fail_under
            && r.score + 1e-9 < min
        {
            unmet.push(format!(
                "{bureau}: score {} is below `--fail-under {}`",
                fmt_score(r.score),
                fmt_score(min)
            ));
        }
        if args.fail_on_veto && (r.vetoed || !r.vetoes_unverified.is_empty()) {
            unmet.push(format!(
                "{bureau}: a veto fired or cannot be judged (`--fail-on-veto`)"
            ));
        }
        if args.require_complete && !r.incomplete.is_empty() {
            unmet.push(format!(
                "{bureau}: incomplete, required {} not given (`--require-complete`)",
                r.incomplete.join("、")
            ));
        }
    }
    let outcome = if unmet.is_empty() {
        Outcome::Success
    } else {
        Outcome::Unmet(unmet)
    };
    Ok((Ok(outcome), summary.ranking.len(), skipped))
}

/// Moves the staged files into `dir`: the summary files and every bureau's files.
fn publish(staging: &Path, dir: &Path) -> Result<(), CliError> {
    let bureaus = dir.join("bureaus");
    std::fs::create_dir_all(&bureaus).map_err(|e| write_error(&bureaus, e))?;
    let staged_bureaus = staging.join("bureaus");
    let entries =
        std::fs::read_dir(&staged_bureaus).map_err(|e| write_error(&staged_bureaus, e))?;
    for entry in entries {
        let from = entry.map_err(|e| write_error(&staged_bureaus, e))?.path();
        if let Some(name) = from.file_name() {
            let to = bureaus.join(name);
            std::fs::rename(&from, &to).map_err(|e| write_error(&to, e))?;
        }
    }
    for name in [
        "summary.md",
        "summary.json",
        "summary.csv",
        "summary.xlsx",
        "summary.html",
    ] {
        let to = dir.join(name);
        std::fs::rename(staging.join(name), &to).map_err(|e| write_error(&to, e))?;
    }
    Ok(())
}

/// The round's staging folder in `DIR`: this, then the process id.
const STAGING_PREFIX: &str = ".kaohe-round-";

/// The file in the staging folder its round keeps locked while it runs.
const STAGING_LOCK: &str = "lock";

/// Removes the staging folders that rounds stopped by a kill or a crash left in `dir`: a
/// folder named `.kaohe-round-PID` (a real folder, not a symlink) whose lock no process
/// holds and whose process is gone. Anything else, and a folder that cannot be removed, is
/// left as it is.
fn remove_stale_staging(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(STAGING_PREFIX))
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_dir());
        if is_dir && staging_is_stale(&path, pid) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Whether the staging folder of process `pid` is left over: its lock file can be taken
/// (the lock goes with the process that held it), and no other process has that id.
fn staging_is_stale(path: &Path, pid: u32) -> bool {
    let lock = path.join(STAGING_LOCK);
    let unlocked = match std::fs::File::open(&lock) {
        Ok(file) => file.try_lock().is_ok(),
        // A round killed before it made its lock file.
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    };
    unlocked && (pid == std::process::id() || !crate::source::process_alive(pid))
}

/// A file or folder of the round that cannot be written.
fn write_error(path: &Path, source: std::io::Error) -> CliError {
    CliError::Write {
        path: path.display().to_string(),
        source,
    }
}

//! `kaohe assess PACK SUB... -o DIR/`: an assessment round, its files written in `DIR`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::assess::{Args, fmt_score};
use super::{CliError, Outcome, load_pack};
use crate::round::{self, Settings};
use crate::{diag, report, waiver};

/// Rounds larger than this show a progress bar (on a terminal).
const PROGRESS_FROM: usize = 8;

/// Runs the round. Everything is written first into a folder inside `dir` and moved into
/// place at the end, so a round stopped by `--strict` or an error leaves nothing behind.
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
    let write_error = |path: &Path, source: std::io::Error| CliError::Write {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    let staging = dir.join(format!(".kaohe-round-{}", std::process::id()));
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
    let (outcome, assessed, skipped) = result?;
    eprintln!(
        "assessed {assessed}, skipped {skipped}, in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    outcome
}

type Staged = (Result<Outcome, CliError>, usize, usize);

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
    let settings = Settings {
        waivers,
        bureaus_dir: staged_bureaus,
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
    let summary = round::summarize(pack, paths.len(), &results);
    let csv = report::round::csv(&summary).map_err(CliError::Usage)?;
    let xlsx = report::round::xlsx(&summary).map_err(CliError::Usage)?;
    let html = report::round::html(&summary).map_err(CliError::Usage)?;
    for (name, bytes) in [
        ("summary.xlsx", xlsx),
        ("summary.md", report::round::markdown(&summary).into_bytes()),
        ("summary.json", report::round::json(&summary).into_bytes()),
        ("summary.csv", csv),
        ("summary.html", html.into_bytes()),
    ] {
        super::write_output(&staging.join(name), &bytes)?;
    }
    publish(staging, dir)?;
    let mut unmet = Vec::new();
    if !results.skipped.is_empty() {
        unmet.push(format!(
            "{} of {} submissions could not be assessed; `summary.md` lists them under 未能考核",
            results.skipped.len(),
            paths.len()
        ));
    }
    for r in &results.assessed {
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
    Ok((Ok(outcome), results.assessed.len(), results.skipped.len()))
}

/// Moves the staged files into `dir`: the summary files and every bureau's files.
fn publish(staging: &Path, dir: &Path) -> Result<(), CliError> {
    let error = |path: &Path, source: std::io::Error| CliError::Write {
        path: path.display().to_string(),
        source,
    };
    let bureaus = dir.join("bureaus");
    std::fs::create_dir_all(&bureaus).map_err(|e| error(&bureaus, e))?;
    let staged_bureaus = staging.join("bureaus");
    let entries = std::fs::read_dir(&staged_bureaus).map_err(|e| error(&staged_bureaus, e))?;
    for entry in entries {
        let from = entry.map_err(|e| error(&staged_bureaus, e))?.path();
        if let Some(name) = from.file_name() {
            let to = bureaus.join(name);
            std::fs::rename(&from, &to).map_err(|e| error(&to, e))?;
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
        std::fs::rename(staging.join(name), &to).map_err(|e| error(&to, e))?;
    }
    Ok(())
}

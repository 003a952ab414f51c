//! Nothing is lost or left half-written when `kaohe` is killed (SIGKILL) while it writes.
//!
//! A round over [`BUREAUS`] seeded bureaus (`tests/round/generate.rs`) is killed at
//! [`KILLS`] moments spread over a clean run's duration (one moment drawn at random in each
//! twelfth of it, from a fixed seed; the moments are printed). After each kill every file
//! a person can see under `OUT/` is complete, the very bytes a complete run writes for it;
//! anything else is the round's hidden staging folder `.kaohe-round-PID`; and a second
//! round over the same `OUT/` removes that folder and leaves the same tree, byte for byte,
//! as a clean run. Every other kill starts from an `OUT/` a complete round already filled.
//!
//! `kaohe assess PACK SUB -o report.md` and `kaohe rectify PACK SUB --format xlsx -o
//! list.xlsx` are killed the same way: the output is the file that was there before or the
//! complete new one, a leftover is only a hidden `.NAME.kaohe-tmp-PID-N`, and the next write
//! removes it.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "round/generate.rs"]
#[allow(dead_code)]
mod generate;

const PACK: &str = "rules/edu-rule-of-law";

/// Bureaus in the round: a run of about 1–3 s in a debug build on 2 cores.
const BUREAUS: usize = 48;

/// The seed of the bureaus and of the kill moments.
const SEED: u64 = 0x6b69_6c6c;

/// Kills per command.
const KILLS: u64 = 12;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

use generate::Rng;

/// The kill moments: one at random in each of [`KILLS`] equal slices of `span`.
fn moments(span: Duration, seed: u64) -> Vec<Duration> {
    let mut rng = Rng(seed);
    (0..KILLS)
        .map(|k| span.mul_f64((k as f64 + rng.unit()) / KILLS as f64))
        .collect()
}

fn kaohe(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kaohe"));
    cmd.current_dir(root())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Runs `cmd` to its end: its exit code and how long it took.
fn run(mut cmd: Command) -> (Option<i32>, Duration) {
    let started = Instant::now();
    let status = cmd.status().expect("kaohe runs");
    (status.code(), started.elapsed())
}

/// Starts `cmd`, kills it with SIGKILL after `after`, and waits for it. Whether it was
/// still running when killed.
fn kill_after(mut cmd: Command, after: Duration) -> bool {
    let mut child = cmd.spawn().expect("kaohe starts");
    std::thread::sleep(after);
    let running = child.try_wait().expect("wait").is_none();
    // `Child::kill` sends SIGKILL on Unix.
    let _ = child.kill();
    child.wait().expect("reaped");
    running
}

/// Every file under `dir`, hidden ones too, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).expect("inside").to_path_buf();
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in files(from) {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
}

/// Whether `name` is a round's staging folder: `.kaohe-round-` and a process id.
fn is_staging(name: &str) -> bool {
    name.strip_prefix(".kaohe-round-")
        .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `name` is a temporary file of `-o target`: `.target.kaohe-tmp-PID-N`.
fn is_temporary(name: &str, target: &str) -> bool {
    name.strip_prefix(&format!(".{target}.kaohe-tmp-"))
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(pid, n)| {
            [pid, n]
                .iter()
                .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// A file of a complete output is whole: it parses as what its name says.
fn check_complete(rel: &Path, bytes: &[u8]) {
    let name = rel.display().to_string();
    let ext = rel.extension().and_then(|e| e.to_str()).unwrap_or_default();
    match ext {
        "json" => {
            serde_json::from_slice::<serde_json::Value>(bytes)
                .unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        }
        "xlsx" => {
            use calamine::Reader;
            let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
                .unwrap_or_else(|e| panic!("{name}: not a workbook: {e}"));
            let sheets = book.sheet_names().to_vec();
            assert!(!sheets.is_empty(), "{name}: no sheet");
            for sheet in sheets {
                book.worksheet_range(&sheet)
                    .unwrap_or_else(|e| panic!("{name}: sheet {sheet}: {e}"));
            }
        }
        "html" => {
            let text = std::str::from_utf8(bytes).expect("UTF-8");
            assert!(text.starts_with("<!DOCTYPE html>"), "{name}");
            assert!(text.ends_with("</html>\n"), "{name}: cut short");
        }
        "md" => {
            let text = std::str::from_utf8(bytes).expect("UTF-8");
            assert!(text.starts_with('#') && text.ends_with('\n'), "{name}");
        }
        "csv" => {
            let text = std::str::from_utf8(bytes).expect("UTF-8");
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let width = reader.headers().expect("a header").len();
            for record in reader.records() {
                let record = record.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(record.len(), width, "{name}: a short row");
            }
            assert!(text.ends_with('\n'), "{name}");
        }
        _ => panic!("{name}: a file the round does not write"),
    }
}

/// After a kill: every visible file is one of the complete run's, with its bytes; the only
/// other thing is the hidden staging folder.
/// The numbers of visible files and of files in the staging folder.
fn check_after_kill(out: &Path, clean: &BTreeMap<PathBuf, Vec<u8>>) -> (usize, usize) {
    let (mut visible, mut hidden) = (0, 0);
    for (rel, bytes) in files(out) {
        let first = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default()
            .to_string();
        if first.starts_with('.') {
            assert!(
                is_staging(&first) && rel.components().count() > 1,
                "{} is left under a name that is not the round's staging folder",
                rel.display()
            );
            hidden += 1;
            continue;
        }
        let expected = clean
            .get(&rel)
            .unwrap_or_else(|| panic!("{} is not a file of the round", rel.display()));
        assert!(
            *expected == bytes,
            "{} is not what a complete round writes ({} of {} bytes)",
            rel.display(),
            bytes.len(),
            expected.len()
        );
        visible += 1;
    }
    (visible, hidden)
}

fn round_command(subs: &Path, out: &Path) -> Command {
    let mut cmd = kaohe(&["assess", PACK]);
    cmd.arg(subs).arg("-o").arg(format!("{}/", out.display()));
    cmd
}

#[test]
fn a_killed_round_leaves_complete_files_and_a_rerun_the_same_tree() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let subs = tmp.path().join("subs");
    generate::write(&subs, BUREAUS, SEED);

    let clean_dir = tmp.path().join("clean");
    let (code, took) = run(round_command(&subs, &clean_dir));
    // Every twelfth bureau cannot be read: exit 1.
    assert_eq!(code, Some(1));
    let clean = files(&clean_dir);
    assert_eq!(clean.len(), 5 + 3 * (BUREAUS - (BUREAUS + 3) / 12));
    for (rel, bytes) in &clean {
        check_complete(rel, bytes);
    }
    eprintln!(
        "a clean round of {BUREAUS} bureaus: {:.2}s, {} files",
        took.as_secs_f64(),
        clean.len()
    );

    for (k, at) in moments(took, SEED).into_iter().enumerate() {
        let out = tmp.path().join(format!("out-{k}"));
        let filled = k % 2 == 1;
        if filled {
            copy_tree(&clean_dir, &out);
        }
        let running = kill_after(round_command(&subs, &out), at);
        std::fs::create_dir_all(&out).expect("mkdir");
        let (visible, hidden) = check_after_kill(&out, &clean);
        eprintln!(
            "kill {k:2} at {:6.3}s{}: {visible} complete files, {hidden} in the staging folder{}",
            at.as_secs_f64(),
            if filled {
                " (over a complete round)"
            } else {
                ""
            },
            if running { "" } else { ", it had finished" },
        );
        let (again, _) = run(round_command(&subs, &out));
        assert_eq!(again, code, "the round run again after kill {k}");
        let rerun = files(&out);
        assert_eq!(
            rerun.keys().collect::<Vec<_>>(),
            clean.keys().collect::<Vec<_>>(),
            "the files after kill {k} and a second round"
        );
        for (rel, bytes) in &rerun {
            assert!(
                clean[rel] == *bytes,
                "{} differs from a clean round after kill {k} and a second round",
                rel.display()
            );
        }
    }
}

/// A round removes only the staging folders that are left over: not one whose process is
/// running, nor anything that is not named like one.
#[test]
fn a_round_removes_only_left_over_staging_folders() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let dead = ended_process();
    let left = out.join(format!(".kaohe-round-{dead}"));
    let running = out.join(format!(".kaohe-round-{}", std::process::id()));
    let other = out.join(".kaohe-round-notes");
    for dir in [&left, &running, &other] {
        std::fs::create_dir_all(dir.join("bureaus")).expect("mkdir");
        std::fs::write(dir.join("parts"), "x").expect("write");
    }
    let (code, _) = run(round_command(
        &root().join("fixtures/round/bureau-001.yaml"),
        &out,
    ));
    assert_eq!(code, Some(0));
    assert!(!left.exists(), "the folder of an ended process is removed");
    assert!(
        running.join("parts").exists(),
        "a running process keeps its folder"
    );
    assert!(
        other.join("parts").exists(),
        "another name is not the round's"
    );
}

/// Writing `-o FILE` removes the temporary files of `FILE` that ended processes left, and
/// nothing else.
#[test]
fn a_write_removes_only_left_over_temporary_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dead = ended_process();
    let names = [
        format!(".report.md.kaohe-tmp-{dead}-0"),
        format!(".report.md.kaohe-tmp-{}-0", std::process::id()),
        format!(".other.md.kaohe-tmp-{dead}-0"),
        ".report.md.kaohe-tmp-notes".to_string(),
    ];
    for name in &names {
        std::fs::write(tmp.path().join(name), "x").expect("write");
    }
    let mut cmd = kaohe(&[
        "assess",
        PACK,
        "fixtures/compliant/submission.yaml",
        "--format",
        "md",
        "-o",
    ]);
    cmd.arg(tmp.path().join("report.md"));
    assert_eq!(run(cmd).0, Some(0));
    let left: Vec<bool> = names.iter().map(|n| tmp.path().join(n).exists()).collect();
    assert_eq!(left, [false, true, true, true]);
}

/// The id of a process that has ended.
fn ended_process() -> u32 {
    let mut done = Command::new("true").spawn().expect("true");
    let id = done.id();
    done.wait().expect("reaped");
    id
}

/// A single-file command killed at random moments: `target` is the file that was there
/// before or the complete new one; a leftover is only a hidden temporary file, and the next
/// write removes it.
fn single_file(args: &[&str], target: &str, check: fn(&[u8])) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let command = |dir: &Path| {
        let mut cmd = kaohe(args);
        cmd.arg("-o").arg(dir.join(target));
        cmd
    };
    let clean_dir = tmp.path().join("clean");
    std::fs::create_dir_all(&clean_dir).expect("mkdir");
    let (code, took) = run(command(&clean_dir));
    let clean = std::fs::read(clean_dir.join(target)).expect("the output");
    check(&clean);
    eprintln!(
        "{target}: a clean run {:.3}s, {} bytes",
        took.as_secs_f64(),
        clean.len()
    );
    const BEFORE: &[u8] = b"the file that was there before\n";
    for (k, at) in moments(took, SEED ^ target.len() as u64)
        .into_iter()
        .enumerate()
    {
        let dir = tmp.path().join(format!("out-{k}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let filled = k % 2 == 1;
        if filled {
            std::fs::write(dir.join(target), BEFORE).expect("write");
        }
        let running = kill_after(command(&dir), at);
        let mut state = "absent";
        let mut left = 0;
        for (rel, bytes) in files(&dir) {
            let name = rel.display().to_string();
            if name == target {
                state = if bytes == clean {
                    "complete"
                } else if filled && bytes == BEFORE {
                    "as before"
                } else {
                    panic!("{target} after kill {k}: neither as before nor complete");
                };
            } else {
                assert!(
                    is_temporary(&name, target),
                    "{name} is left beside {target} after kill {k}"
                );
                left += 1;
            }
        }
        eprintln!(
            "{target}: kill {k:2} at {:6.3}s: {state}, {left} temporary file left{}",
            at.as_secs_f64(),
            if running { "" } else { ", it had finished" }
        );
        let (again, _) = run(command(&dir));
        assert_eq!(again, code);
        let after = files(&dir);
        assert_eq!(
            after
                .keys()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
            [target],
            "only {target} after kill {k} and a second run"
        );
        assert!(after[Path::new(target)] == clean, "{target} after kill {k}");
    }
}

#[test]
fn a_killed_report_is_absent_or_complete() {
    single_file(
        &[
            "assess",
            PACK,
            "fixtures/partial/submission.yaml",
            "--format",
            "md",
        ],
        "report.md",
        |bytes| check_complete(Path::new("report.md"), bytes),
    );
}

#[test]
fn a_killed_rectification_list_is_absent_or_complete() {
    single_file(
        &[
            "rectify",
            PACK,
            "fixtures/partial/submission.yaml",
            "--format",
            "xlsx",
        ],
        "list.xlsx",
        |bytes| check_complete(Path::new("list.xlsx"), bytes),
    );
}

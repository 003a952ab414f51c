//! What kaohe reads and writes, run as a user runs it: only regular files of at most 16 MiB
//! are read, a path named inside a file stays in that file's folder, and `-o` replaces a
//! file whole (keeping its mode and symlinks) or writes into a stream such as `/dev/stdout`.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Planted in files kaohe must refuse: it must never be echoed.
const MARKER: &str = "KAOHE-SOURCE-MARKER-5d1c";

/// A refused input is refused at once (a run takes about 0.2 s); a run still going after
/// [`HANG`] is killed and fails the test instead of hanging it.
const PROMPT: Duration = Duration::from_secs(1);
const HANG: Duration = Duration::from_secs(5);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pack() -> String {
    root().join("rules/edu-rule-of-law").display().to_string()
}

/// Runs `program args` in `dir`, killing it after [`HANG`]; returns its output and how long
/// it ran.
fn run(dir: &Path, program: &str, args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kaohe starts");
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{program} {}` did not finish in {HANG:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let elapsed = start.elapsed();
    (child.wait_with_output().expect("output"), elapsed)
}

fn kaohe(dir: &Path, args: &[&str]) -> (Output, Duration) {
    run(dir, env!("CARGO_BIN_EXE_kaohe"), args)
}

/// Runs kaohe through `sh -c SCRIPT`, where the script ends by `exec "$0" "$@"`.
fn kaohe_in_shell(dir: &Path, script: &str, args: &[&str]) -> Output {
    let mut all = vec!["-c", script, env!("CARGO_BIN_EXE_kaohe")];
    all.extend_from_slice(args);
    run(dir, "sh", &all).0
}

/// A folder `sub/` holding the compliant fixture (`submission.yaml`, `schools.csv`), and
/// beside it `outside/secret.yaml`, which holds the marker.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let sub = tmp.path().join("sub");
    std::fs::create_dir_all(&sub).expect("mkdir");
    std::fs::create_dir_all(tmp.path().join("outside")).expect("mkdir");
    for name in ["submission.yaml", "schools.csv"] {
        std::fs::copy(root().join("fixtures/compliant").join(name), sub.join(name))
            .expect("copy fixture");
    }
    std::fs::write(
        tmp.path().join("outside/secret.yaml"),
        format!("{MARKER}\n"),
    )
    .expect("write");
    (tmp, sub)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Hostile {
    Fifo,
    DevZero,
    ProcEnviron,
    SymlinkOut,
    EtcPasswd,
    Sparse,
}

const HOSTILE: [Hostile; 6] = [
    Hostile::Fifo,
    Hostile::DevZero,
    Hostile::ProcEnviron,
    Hostile::SymlinkOut,
    Hostile::EtcPasswd,
    Hostile::Sparse,
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// Named on the command line as the submission.
    Submission,
    /// Named inside the submission as the CSV file of a register.
    Register,
    /// Named on the command line with `--waivers`.
    Waivers,
}

/// Makes the hostile file in `sub` and returns the path that names it, relative to `sub`.
fn plant(sub: &Path, hostile: Hostile) -> String {
    match hostile {
        Hostile::Fifo => {
            let made = Command::new("mkfifo")
                .arg(sub.join("fifo.yaml"))
                .status()
                .expect("mkfifo runs");
            assert!(made.success());
            "fifo.yaml".into()
        }
        Hostile::DevZero => "/dev/zero".into(),
        Hostile::ProcEnviron => "/proc/self/environ".into(),
        Hostile::SymlinkOut => {
            std::os::unix::fs::symlink("../outside/secret.yaml", sub.join("link.yaml"))
                .expect("symlink");
            "link.yaml".into()
        }
        Hostile::EtcPasswd => {
            // As many `..` as it takes to reach `/` from here.
            let depth = sub.canonicalize().expect("canonical").components().count() - 1;
            format!("{}etc/passwd", "../".repeat(depth))
        }
        Hostile::Sparse => {
            let path = sub.join("big.yaml");
            std::fs::write(&path, format!("{MARKER}\n")).expect("write");
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .expect("open");
            file.set_len(1 << 30).expect("sparse 1 GiB");
            "big.yaml".into()
        }
    }
}

/// What stderr says of a refused file, when kaohe refuses it.
fn refusal(hostile: Hostile, role: Role) -> &'static str {
    match (hostile, role) {
        (Hostile::Fifo, _) => "is a FIFO (named pipe), not a regular file",
        (Hostile::Sparse, _) => {
            "is larger than the most kaohe reads (the limit is 16 MiB; `--max-file-size` raises it)"
        }
        (_, Role::Register) => "is outside the folder of the file that names it",
        (Hostile::DevZero, _) => "is a character device, not a regular file",
        (Hostile::ProcEnviron, _) => "is not a text file: it holds a NUL byte",
        // A submitted symbolic link is followed only within its own folder.
        (Hostile::SymlinkOut, _) => "is a symbolic link to a file outside its folder",
        // A regular file the user names is read, but a document that is not a mapping is no
        // submission or waivers file, and nothing of it is quoted.
        (Hostile::EtcPasswd, Role::Submission) => "the file is not a submission",
        (Hostile::EtcPasswd, Role::Waivers) => "the file is not a waivers file",
    }
}

fn check(hostile: Hostile, role: Role) {
    let (_tmp, sub) = workspace();
    let path = plant(&sub, hostile);
    let pack = pack();
    let args: Vec<&str> = match role {
        Role::Submission => vec!["assess", &pack, &path],
        Role::Register => {
            let text = std::fs::read_to_string(sub.join("submission.yaml")).expect("fixture");
            assert!(text.contains("schools: schools.csv"));
            let text = text.replace("schools: schools.csv", &format!("schools: {path}"));
            std::fs::write(sub.join("hostile.yaml"), text).expect("write");
            vec!["assess", &pack, "hostile.yaml"]
        }
        Role::Waivers => vec!["assess", &pack, "submission.yaml", "--waivers", &path],
    };
    let (out, took) = kaohe(&sub, &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let case = format!("{hostile:?} as {role:?}");
    assert_eq!(out.status.code(), Some(2), "{case}: {stderr}");
    assert!(took < PROMPT, "{case}: took {took:?}");
    assert!(stdout.is_empty(), "{case}: {stdout}");
    assert!(
        stderr.contains(&path),
        "{case}: the path is named: {stderr}"
    );
    let message = refusal(hostile, role);
    let line = stderr.lines().find(|l| l.contains(message));
    assert!(
        line.is_some_and(|l| l.starts_with("error[") && l.contains(&path)),
        "{case}: one line names the path and the problem: {stderr}"
    );
    assert!(
        !stderr.contains(MARKER),
        "{case}: echoes the file: {stderr}"
    );
    assert!(
        !stderr.contains("PATH="),
        "{case}: echoes the environment: {stderr}"
    );
    assert!(
        !stderr.contains("root:"),
        "{case}: echoes /etc/passwd: {stderr}"
    );
}

#[test]
fn hostile_submissions_are_refused_at_once() {
    for hostile in HOSTILE {
        check(hostile, Role::Submission);
    }
}

#[test]
fn hostile_register_paths_are_refused_at_once_and_never_echoed() {
    for hostile in HOSTILE {
        check(hostile, Role::Register);
    }
}

#[test]
fn hostile_waivers_files_are_refused_at_once() {
    for hostile in HOSTILE {
        check(hostile, Role::Waivers);
    }
}

#[test]
fn a_register_inside_the_folder_is_read_through_a_symlink_and_a_subfolder() {
    let (_tmp, sub) = workspace();
    std::fs::create_dir_all(sub.join("data")).expect("mkdir");
    std::fs::rename(sub.join("schools.csv"), sub.join("data/schools.csv")).expect("move");
    std::os::unix::fs::symlink("data/schools.csv", sub.join("schools.csv")).expect("symlink");
    let (out, _) = kaohe(&sub, &["assess", &pack(), "submission.yaml"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn output_to_dev_null_and_dev_stdout() {
    let (_tmp, sub) = workspace();
    let pack = pack();
    let (out, _) = kaohe(
        &sub,
        &["assess", &pack, "submission.yaml", "-o", "/dev/null"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let null = std::fs::metadata("/dev/null").expect("stat");
    assert!(!null.is_file(), "/dev/null is still a device");

    let (out, _) = kaohe(
        &sub,
        &["assess", &pack, "submission.yaml", "-o", "/dev/stdout"],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.contains("清河县教育局"),
        "the report is printed: {text}"
    );
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn output_through_a_symlink_replaces_its_target() {
    let (tmp, sub) = workspace();
    let reports = tmp.path().join("reports");
    std::fs::create_dir_all(&reports).expect("mkdir");
    std::fs::write(reports.join("real.txt"), "old").expect("write");
    std::os::unix::fs::symlink("../reports/real.txt", sub.join("link.txt")).expect("symlink");
    let (out, _) = kaohe(
        &sub,
        &["assess", &pack(), "submission.yaml", "-o", "link.txt"],
    );
    assert_eq!(out.status.code(), Some(0));
    let link = std::fs::symlink_metadata(sub.join("link.txt")).expect("stat");
    assert!(link.file_type().is_symlink(), "the symlink stays");
    let text = std::fs::read_to_string(reports.join("real.txt")).expect("read");
    assert!(text.contains("清河县教育局"));
    assert_eq!(names(&reports), ["real.txt"]);
}

#[test]
fn a_new_file_gets_the_mode_of_the_umask() {
    let (_tmp, sub) = workspace();
    let pack = pack();
    for (umask, want) in [("022", 0o644), ("077", 0o600)] {
        let name = format!("new-{umask}.txt");
        let script = format!("umask {umask}; exec \"$0\" \"$@\"");
        let out = kaohe_in_shell(
            &sub,
            &script,
            &["assess", &pack, "submission.yaml", "-o", &name],
        );
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(mode(&sub.join(&name)), want, "umask {umask}");
    }
}

#[test]
fn an_existing_file_keeps_its_mode() {
    let (_tmp, sub) = workspace();
    let path = sub.join("report.txt");
    std::fs::write(&path, "old").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let out = kaohe_in_shell(
        &sub,
        "umask 022; exec \"$0\" \"$@\"",
        &["assess", &pack(), "submission.yaml", "-o", "report.txt"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(mode(&path), 0o640);
    assert!(
        std::fs::read_to_string(&path)
            .expect("read")
            .contains("清河县教育局")
    );
}

#[test]
fn a_failed_write_leaves_the_old_file_and_no_temporary_file() {
    let (_tmp, sub) = workspace();
    std::fs::write(sub.join("report.txt"), "old").expect("write");
    let before = names(&sub);
    // No file may grow past 0 bytes: writing the temporary file fails (EFBIG).
    let out = kaohe_in_shell(
        &sub,
        "trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"",
        &["assess", &pack(), "submission.yaml", "-o", "report.txt"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write `report.txt`"), "{stderr}");
    assert!(
        !stderr.contains("kaohe-tmp"),
        "the temporary file is not named: {stderr}"
    );
    assert_eq!(names(&sub), before, "no temporary file is left");
    assert_eq!(
        std::fs::read_to_string(sub.join("report.txt")).expect("read"),
        "old"
    );
}

#[test]
fn a_directory_is_not_an_output() {
    // (`kaohe assess -o DIR` runs a round into it: `tests/round.rs`.)
    let (_tmp, sub) = workspace();
    let (out, _) = kaohe(
        &sub,
        &[
            "rectify",
            &pack(),
            "submission.yaml",
            "--format",
            "md",
            "-o",
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr, "error: cannot write `.`: it is a directory\n");
}

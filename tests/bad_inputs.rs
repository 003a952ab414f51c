//! The bad-input corpus (`tests/bad-inputs/`): each case is a folder with its input files and
//! a `case.yaml` giving the `kaohe` command line and the exit code. Each case is copied to a
//! temporary directory (with the repository files its command line names, such as the shipped
//! pack), its generated and special files are made there, and the real binary is run in it.
//!
//! For each case this checks the exit code, the stderr (one snapshot per case, `expected.snap`
//! in the case folder, the temporary directory written `[TMP]`), that a refusal is located
//! (file:line:col, a sheet's row and column, or a CSV line and column), that a refused run
//! wrote no output and left no file behind, and, for a file that is accepted, the output it
//! wrote (snapshotted too) holds none of the case's `expect_absent` strings.
//!
//! All cases run in one test, which lists every case that fails.

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde::Deserialize;

/// A case's `case.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case is, one line.
    about: String,
    /// The command line, paths relative to the case folder. A path starting `../../../` is
    /// a file of the repository, copied (with the rest of its folder) into the temporary
    /// directory at the same place.
    args: Vec<String>,
    /// The exit code: 2 (bad input) unless given, or 0 for a case that is `accepted`.
    #[serde(default)]
    exit: Option<i32>,
    /// More repository paths (`../../../…`) to copy, such as the base pack of a pack that
    /// `extends` it.
    #[serde(default)]
    repo: Vec<String>,
    /// Files made before the run.
    #[serde(default)]
    generate: Vec<Recipe>,
    /// The input is accepted: the run succeeds (or exits 1 as `exit` says) and its output is
    /// snapshotted and checked for `expect_absent`.
    #[serde(default)]
    accepted: bool,
    /// For a case that is accepted: the output file to snapshot (else the file of `-o`, else
    /// stdout).
    #[serde(default)]
    output: Option<String>,
    /// For a case that is accepted: only the output's lines that hold this text are snapshotted.
    #[serde(default)]
    grep: Option<String>,
    /// For a case that is accepted: strings that must not appear in its output.
    #[serde(default)]
    expect_absent: Vec<String>,
    /// A refusal that names no place in a file (a usage error, a file that cannot be opened at
    /// all): the located-message check is skipped, with the reason.
    #[serde(default)]
    unlocated: Option<String>,
}

/// A file made in the case folder before the run.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Recipe {
    /// `deep-json`, `deep-yaml`, `sparse`, `utf16le`, `utf16be`, `zip-bomb`, `truncate`,
    /// `xlsx-edit`, `kaohe`, `fifo`, `dir`, `symlink`.
    kind: String,
    /// The file made.
    #[serde(default)]
    to: String,
    /// `deep-*`: levels of nesting; `sparse`: bytes; `truncate`: bytes kept.
    #[serde(default)]
    size: u64,
    /// `utf16*`, `truncate`, `xlsx-edit`: the file it is made from; `symlink`: its target.
    #[serde(default)]
    from: String,
    /// `xlsx-edit`: the part of the archive edited.
    #[serde(default)]
    part: String,
    /// `xlsx-edit`: text replaced, each `[find, replace]`, each find must occur.
    #[serde(default)]
    replace: Vec<(String, String)>,
    /// `kaohe`: a command line run before the case's (to write a file it needs).
    #[serde(default)]
    args: Vec<String>,
}

const CORPUS: &str = "tests/bad-inputs";
const REPO_PREFIX: &str = "../../../";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        fs::create_dir_all(to).expect("temp folder");
        let mut entries: Vec<_> = fs::read_dir(from)
            .expect("readable folder")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().expect("a name");
            let name_text = name.to_string_lossy();
            if name_text.ends_with(".snap") || name_text.ends_with(".snap.new") {
                continue;
            }
            copy_tree(&path, &to.join(name));
        }
    } else {
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).expect("temp folder");
        }
        fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
}

/// Every path under `dir`, relative, sorted (symlinks not followed).
fn listing(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            out.push(
                path.strip_prefix(base)
                    .expect("under base")
                    .to_string_lossy()
                    .into_owned(),
            );
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(base, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn kaohe(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("kaohe").expect("binary builds");
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("KAOHE_JOBS")
        .timeout(Duration::from_secs(120));
    cmd
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        let bytes = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        out.extend_from_slice(&bytes);
    }
    out
}

/// A zip archive of 65 parts of 4 MiB of spaces each, deflated: about 260 KiB that would
/// inflate to 260 MiB.
fn zip_bomb() -> Vec<u8> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut one = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut one));
        zip.start_file("xl/worksheets/sheet1.xml", options)
            .expect("a part");
        zip.write_all(&vec![b' '; 4 * 1024 * 1024])
            .expect("written");
        zip.finish().expect("a zip");
    }
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(one)).expect("reads back");
    let mut out = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        zip.start_file("[Content_Types].xml", options)
            .expect("a part");
        zip.write_all(b"<?xml version=\"1.0\"?><Types/>")
            .expect("written");
        for i in 0..65 {
            let part = source.by_index_raw(0).expect("the part");
            zip.raw_copy_file_rename(part, format!("xl/worksheets/sheet{}.xml", i + 1))
                .expect("copied");
        }
        zip.finish().expect("a zip");
    }
    out
}

/// A copy of the archive `from` with text replaced in one part.
fn xlsx_edit(from: &Path, part: &str, replace: &[(String, String)]) -> Result<Vec<u8>, String> {
    let bytes = fs::read(from).map_err(|e| format!("{}: {e}", from.display()))?;
    let mut source =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut out = Vec::new();
    let mut found = false;
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        for i in 0..source.len() {
            let name = source
                .by_index_raw(i)
                .map_err(|e| e.to_string())?
                .name()
                .map_err(|e| e.to_string())?
                .to_string();
            if name == part {
                found = true;
                let mut text = String::new();
                source
                    .by_index(i)
                    .map_err(|e| e.to_string())?
                    .read_to_string(&mut text)
                    .map_err(|e| e.to_string())?;
                for (find, with) in replace {
                    if !text.contains(find.as_str()) {
                        return Err(format!("`{find}` is not in {part}"));
                    }
                    text = text.replacen(find.as_str(), with, 1);
                }
                zip.start_file(name, options).map_err(|e| e.to_string())?;
                zip.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
            } else {
                let raw = source.by_index_raw(i).map_err(|e| e.to_string())?;
                zip.raw_copy_file(raw).map_err(|e| e.to_string())?;
            }
        }
        zip.finish().map_err(|e| e.to_string())?;
    }
    if !found {
        return Err(format!("no part {part}"));
    }
    Ok(out)
}

fn make(dir: &Path, recipe: &Recipe) -> Result<(), String> {
    let to = dir.join(&recipe.to);
    let from = dir.join(&recipe.from);
    let depth = usize::try_from(recipe.size).map_err(|e| e.to_string())?;
    let write = |bytes: &[u8]| fs::write(&to, bytes).map_err(|e| format!("{}: {e}", to.display()));
    match recipe.kind.as_str() {
        "deep-json" => write(
            format!(
                "{{\"bureau\": {{\"name\": \"某县教育局\"}}, \"year\": 2023, \"facts\": {{\"a\": {}{}}}}}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            )
            .as_bytes(),
        ),
        "deep-yaml" => write(
            format!(
                "bureau: {{name: 某县教育局}}\nyear: 2023\nfacts:\n  a: {}{}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            )
            .as_bytes(),
        ),
        "deep-yaml-block" => {
            let mut text = String::from("bureau: {name: 某县教育局}\nyear: 2023\nfacts:\n");
            for level in 0..depth {
                text.push_str(&" ".repeat(level + 2));
                text.push_str("- \n");
            }
            write(text.as_bytes())
        }
        "sparse" => {
            let file = fs::File::create(&to).map_err(|e| e.to_string())?;
            file.set_len(recipe.size).map_err(|e| e.to_string())
        }
        "utf16le" | "utf16be" => {
            let text = fs::read_to_string(&from).map_err(|e| format!("{}: {e}", from.display()))?;
            write(&utf16(&text, recipe.kind == "utf16be"))
        }
        "zip-bomb" => write(&zip_bomb()),
        "truncate" => {
            let bytes = fs::read(&from).map_err(|e| format!("{}: {e}", from.display()))?;
            let keep = usize::try_from(recipe.size).map_err(|e| e.to_string())?;
            write(&bytes[..keep.min(bytes.len())])
        }
        "xlsx-edit" => write(&xlsx_edit(&from, &recipe.part, &recipe.replace)?),
        "kaohe" => {
            let out = kaohe(dir)
                .args(&recipe.args)
                .output()
                .map_err(|e| e.to_string())?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "kaohe {:?}: {}",
                    recipe.args,
                    String::from_utf8_lossy(&out.stderr)
                ))
            }
        }
        "remove" => fs::remove_file(&to).map_err(|e| e.to_string()),
        "fifo" => {
            let status = std::process::Command::new("mkfifo")
                .arg(&to)
                .status()
                .map_err(|e| e.to_string())?;
            if status.success() {
                Ok(())
            } else {
                Err("mkfifo failed".into())
            }
        }
        "dir" => fs::create_dir_all(&to).map_err(|e| e.to_string()),
        "symlink" => {
            std::os::unix::fs::symlink(&recipe.from, &to).map_err(|e| e.to_string())
        }
        other => Err(format!("unknown recipe kind `{other}`")),
    }
}

/// The value of `-o`, if any.
fn output_arg(args: &[String]) -> Option<&str> {
    args.iter()
        .position(|a| a == "-o" || a == "--output")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// The cells and formulas of a workbook, as text, for a snapshot.
fn workbook_text(path: &Path, problems: &mut Vec<String>) -> String {
    use calamine::{Reader as _, open_workbook_auto};
    let mut book = match open_workbook_auto(path) {
        Ok(book) => book,
        Err(e) => {
            problems.push(format!("the output workbook does not open: {e}"));
            return String::new();
        }
    };
    let mut out = String::new();
    for name in book.sheet_names() {
        out.push_str(&format!("## sheet {name}\n"));
        if let Ok(formulas) = book.worksheet_formula(&name) {
            for (row, col, f) in formulas.used_cells() {
                if !f.is_empty() {
                    problems.push(format!("sheet {name} has a formula at ({row}, {col}): {f}"));
                }
            }
        }
        if let Ok(range) = book.worksheet_range(&name) {
            for row in range.rows() {
                let cells: Vec<String> = row.iter().map(ToString::to_string).collect();
                if cells.iter().any(|c| !c.is_empty()) {
                    out.push_str(&cells.join(" | "));
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// A message that says where the problem is: `file:line:col`, a sheet's row and column, or a
/// CSV file's line and column.
fn located() -> regex::Regex {
    regex::Regex::new(
        r"(?m)^error(\[[a-z-]+\])?: (.+?:\d+:\d+: |.+?: sheet .+, row \d+|.+?: line \d+, column \d+|.+?:\d+:\d+$)",
    )
    .expect("a valid regex")
}

fn run_case(name: &str, case_dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let text = match fs::read_to_string(case_dir.join("case.yaml")) {
        Ok(text) => text,
        Err(e) => return vec![format!("case.yaml: {e}")],
    };
    let case: Case = match serde_saphyr::from_str(&text) {
        Ok(case) => case,
        Err(e) => return vec![format!("case.yaml: {e}")],
    };
    if case.about.trim().is_empty() || case.about.contains('\n') {
        problems.push("`about` must be one line".into());
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let tmp_path = tmp.path().canonicalize().expect("temp dir path");
    let work = tmp_path.join(CORPUS).join(name);
    copy_tree(case_dir, &work);
    let repo_paths = case
        .args
        .iter()
        .chain(case.repo.iter())
        .chain(case.generate.iter().flat_map(|r| r.args.iter()))
        .chain(case.generate.iter().map(|r| &r.from));
    for arg in repo_paths {
        // A file is copied with its folder (a submission's CSV registers are beside it).
        if let Some(rel) = arg.strip_prefix(REPO_PREFIX) {
            let mut rel = Path::new(rel);
            if root().join(rel).is_file() {
                rel = rel.parent().unwrap_or(rel);
            }
            if !tmp_path.join(arg.trim_start_matches(REPO_PREFIX)).exists() {
                copy_tree(&root().join(rel), &tmp_path.join(rel));
            }
        }
    }
    for recipe in &case.generate {
        if let Err(e) = make(&work, recipe) {
            return vec![format!("generating {}: {e}", recipe.to)];
        }
    }
    let before = listing(&work);
    let out = match kaohe(&work).args(&case.args).output() {
        Ok(out) => out,
        Err(e) => return vec![format!("kaohe did not run: {e}")],
    };
    let code = out.status.code();
    let tmp_text = tmp_path.to_string_lossy().into_owned();
    let redact = |s: &str| {
        let s = s.replace(&tmp_text, "[TMP]");
        regex::Regex::new(r"in \d+\.\d+s")
            .expect("a valid regex")
            .replace_all(&s, "in [TIME]")
            .into_owned()
    };
    let stderr = redact(&String::from_utf8_lossy(&out.stderr));
    let stdout = redact(&String::from_utf8_lossy(&out.stdout));
    let exit = case.exit.unwrap_or(if case.accepted { 0 } else { 2 });
    if code != Some(exit) {
        problems.push(format!("exit code {code:?}, expected {exit}"));
    }
    if stderr.contains("panicked") {
        problems.push("kaohe panicked".into());
    }
    let output = output_arg(&case.args);
    let mut snapshot = format!("exit: {code:?}\n--- stderr\n{stderr}");
    let diagnostics = format!("{stderr}{stdout}");
    let on_stdout = case.args.first().is_some_and(|a| a == "check");
    if on_stdout {
        snapshot.push_str(&format!("--- stdout\n{stdout}"));
    }
    if !case.accepted {
        match &case.unlocated {
            None if !located().is_match(&diagnostics) => {
                problems.push("no message says where the problem is".into());
            }
            Some(reason) if reason.trim().is_empty() => {
                problems.push("`unlocated` needs its reason".into());
            }
            _ => {}
        }
        if !stdout.is_empty() && !on_stdout {
            problems.push(format!("something on stdout: {stdout}"));
        }
        if let Some(output) = output
            && work.join(output).exists()
        {
            problems.push(format!("the output `{output}` was written"));
        }
        let after = listing(&work);
        if after != before {
            let new: Vec<_> = after.iter().filter(|p| !before.contains(p)).collect();
            let gone: Vec<_> = before.iter().filter(|p| !after.contains(p)).collect();
            problems.push(format!(
                "the case folder changed: new {new:?}, gone {gone:?}"
            ));
        }
    } else {
        let shown = case.output.as_deref().or(output);
        let body = match shown {
            Some(file) => {
                let path = work.join(file);
                if file.ends_with(".xlsx") {
                    workbook_text(&path, &mut problems)
                } else {
                    match fs::read(&path) {
                        Ok(bytes) => redact(&String::from_utf8_lossy(&bytes)),
                        Err(e) => {
                            problems.push(format!("no output `{file}`: {e}"));
                            String::new()
                        }
                    }
                }
            }
            None => stdout.clone(),
        };
        // The whole output, not only the lines snapshotted.
        for absent in &case.expect_absent {
            if body.contains(absent.as_str()) {
                problems.push(format!("the output holds `{absent}` unescaped"));
            }
        }
        let body = match &case.grep {
            Some(text) => body
                .lines()
                .filter(|l| l.contains(text.as_str()))
                .map(|l| format!("{l}\n"))
                .collect(),
            None => body,
        };
        snapshot.push_str(&format!("--- {}\n{body}", shown.unwrap_or("stdout")));
    }
    let snapshot_result = std::panic::catch_unwind(|| {
        insta::with_settings!({
            snapshot_path => case_dir,
            prepend_module_to_snapshot => false,
            description => case.about.clone(),
            omit_expression => true,
        }, {
            insta::assert_snapshot!("expected", snapshot);
        });
    });
    if snapshot_result.is_err() {
        problems.push("the snapshot differs (see expected.snap.new)".into());
    }
    problems
}

#[test]
fn every_bad_input_is_refused_where_it_is() {
    let corpus = root().join(CORPUS);
    let mut cases: Vec<PathBuf> = fs::read_dir(&corpus)
        .expect("the corpus folder exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let only = std::env::var("BAD_INPUT").ok();
    let mut failures = Vec::new();
    let mut ran = 0;
    for dir in &cases {
        let name = dir
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        ran += 1;
        for problem in run_case(&name, dir) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    if only.is_none() {
        assert!(ran >= 60, "only {ran} cases in {CORPUS}");
    }
    assert!(
        failures.is_empty(),
        "{} problems in {ran} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

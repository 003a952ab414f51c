//! Every limit refuses what goes past it in one located line that names the limit and the
//! option that raises it, with exit 2 and no output written; and the option does raise it.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const PACK: &str = "rules/edu-rule-of-law";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn kaohe() -> Command {
    let mut cmd = Command::cargo_bin("kaohe").expect("binary builds");
    cmd.current_dir(root()).env("NO_COLOR", "1");
    cmd
}

struct Run {
    code: Option<i32>,
    stderr: String,
    wrote: bool,
}

/// `kaohe assess PACK INPUT -o OUT EXTRA...`.
fn assess(input: &Path, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_path = dir.path().join("report.md");
    let out = kaohe()
        .args(["assess", PACK])
        .arg(input)
        .arg("-o")
        .arg(&out_path)
        .args(extra)
        .output()
        .expect("runs");
    Run {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        wrote: out_path.exists(),
    }
}

/// The input is refused by `option`, named in a message at `place`; with `raised` the same
/// input gets past that limit.
fn refused_then_raised(input: &Path, lowered: &[&str], option: &str, place: &str, raised: &[&str]) {
    let run = assess(input, lowered);
    let hint = format!("`{option}` raises it");
    assert_eq!(run.code, Some(2), "{option}: {}", run.stderr);
    assert!(!run.wrote, "{option}: an output was written");
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains(&hint))
        .unwrap_or_else(|| panic!("{option}: no line names it:\n{}", run.stderr));
    assert!(
        line.contains(place),
        "{option}: `{line}` does not say `{place}`"
    );
    assert!(line.contains("the limit is "), "{option}: `{line}`");
    let run = assess(input, raised);
    assert!(
        !run.stderr.contains(&hint),
        "{option}: still refused when raised:\n{}",
        run.stderr
    );
}

fn fixture(path: &str) -> PathBuf {
    root().join(path)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// A workbook filled in from the compliant submission by `kaohe template --from`.
fn filled_workbook(dir: &Path) -> PathBuf {
    let path = dir.join("filled.xlsx");
    let out = kaohe()
        .args([
            "template",
            PACK,
            "--from",
            "fixtures/compliant/submission.yaml",
            "-o",
        ])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

#[test]
fn file_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = dir.path().join("big.yaml");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(17 << 20).expect("sparse");
    refused_then_raised(
        &big,
        &[],
        "--max-file-size",
        "big.yaml",
        &["--max-file-size", "32M"],
    );
}

#[test]
fn depth_in_json_and_yaml() {
    let dir = tempfile::tempdir().expect("temp dir");
    let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let json = write(
        dir.path(),
        "deep.json",
        &format!(
            "{{\"bureau\": {{\"name\": \"x\"}}, \"year\": 2023, \"facts\": {}}}",
            nest(100)
        ),
    );
    refused_then_raised(
        &json,
        &[],
        "--max-depth",
        "deep.json:1:",
        &["--max-depth", "128"],
    );
    let yaml = write(
        dir.path(),
        "deep.yaml",
        &format!("bureau: {{name: x}}\nfacts: {}\n", nest(100)),
    );
    refused_then_raised(
        &yaml,
        &[],
        "--max-depth",
        "deep.yaml:2:",
        &["--max-depth", "128"],
    );
    let refused = kaohe()
        .args(["check", PACK, "--max-depth", "100000"])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
}

#[test]
fn yaml_nodes_and_aliases() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Five levels of nine aliases each: 59,049 strings from 45 aliases.
    let mut text = String::from("bureau: {name: x}\nx0: &x0 [a, a, a, a, a, a, a, a, a]\n");
    for i in 1..=5 {
        text += &format!(
            "x{i}: &x{i} [{}]\n",
            vec![format!("*x{}", i - 1); 9].join(", ")
        );
    }
    let bomb = write(dir.path(), "bomb.yaml", &text);
    refused_then_raised(
        &bomb,
        &["--max-yaml-nodes", "10000"],
        "--max-yaml-nodes",
        "bomb.yaml:",
        &[],
    );
    refused_then_raised(
        &bomb,
        &["--max-aliases", "20"],
        "--max-aliases",
        "bomb.yaml:",
        &["--max-aliases", "1000000"],
    );
}

#[test]
fn rows_in_yaml_csv_and_workbook() {
    // The compliant submission has registers of more than three rows in the YAML and in its
    // CSV file.
    let sub = fixture("fixtures/compliant/submission.yaml");
    let run = assess(&sub, &["--max-rows", "3"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("submission.yaml:"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("schools.csv:5:1: the register has more rows"),
        "{}",
        run.stderr
    );
    refused_then_raised(
        &sub,
        &["--max-rows", "3"],
        "--max-rows",
        "submission.yaml:",
        &[],
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let book = filled_workbook(dir.path());
    refused_then_raised(
        &book,
        &["--max-rows", "3"],
        "--max-rows",
        "sheet 学校, row 5",
        &[],
    );
}

#[test]
fn workbook_cells_sheets_and_inflated_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let book = filled_workbook(dir.path());
    refused_then_raised(
        &book,
        &["--max-cells", "100"],
        "--max-cells",
        "filled.xlsx: sheet ",
        &[],
    );
    refused_then_raised(
        &book,
        &["--max-sheets", "3"],
        "--max-sheets",
        "filled.xlsx:",
        &[],
    );
    refused_then_raised(
        &book,
        &["--max-inflated", "10K"],
        "--max-inflated",
        "filled.xlsx:",
        &[],
    );
}

/// Two cells far apart span a sheet of 17 billion cells: refused while reading, before the
/// reader allocates them.
#[test]
fn two_far_cells_are_refused_without_allocating_the_span() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().expect("temp dir");
    let book = filled_workbook(dir.path());
    let bytes = std::fs::read(&book).expect("read");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let far = dir.path().join("far.xlsx");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&far).expect("create"));
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).expect("part");
        let name = part.name().expect("a name").to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).expect("inflate");
        if name == "xl/worksheets/sheet3.xml" {
            let text = String::from_utf8(data).expect("XML");
            data = text
                .replace(
                    "</sheetData>",
                    "<row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData>",
                )
                .into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("part");
        out.write_all(&data).expect("write");
    }
    out.finish().expect("zip");
    let run = assess(&far, &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("cell XFD1048576: the workbook's sheets span more cells"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`--max-cells` raises it"),
        "{}",
        run.stderr
    );
}

#[test]
fn template_fuel_and_output() {
    let sub = fixture("fixtures/partial/submission.yaml");
    refused_then_raised(
        &sub,
        &["--template-fuel", "1"],
        "--template-fuel",
        "its rectification template cannot be rendered",
        &[],
    );
    refused_then_raised(
        &sub,
        &["--max-template-output", "10"],
        "--max-template-output",
        "its rectification template cannot be rendered",
        &[],
    );
}

#[test]
fn a_limit_that_is_not_a_number_is_a_usage_error() {
    for args in [
        ["--max-rows", "lots"],
        ["--max-file-size", "16X"],
        ["--max-cells", "0"],
    ] {
        let out = kaohe()
            .args(["check", PACK])
            .args(args)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(args[0]), "{args:?}: {stderr}");
    }
}

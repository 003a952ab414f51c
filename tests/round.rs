//! An assessment round (`kaohe assess PACK SUB... -o DIR/`) over the seeded bureaus of
//! `fixtures/round/`: the summary in md, json and csv (snapshots) and html, every bureau's
//! files, the same bytes whatever the number of threads, a bad submission skipped and listed,
//! `--strict` writing nothing, and memory that does not grow with the number of bureaus.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

#[path = "round/generate.rs"]
mod generate;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const PACK: &str = "rules/edu-rule-of-law";

fn round(inputs: &[&str], out: &Path, extra: &[&str]) -> Output {
    let mut dir = out.display().to_string();
    dir.push('/');
    Command::cargo_bin("kaohe")
        .expect("binary")
        .current_dir(root())
        .arg("assess")
        .arg(PACK)
        .args(inputs)
        .arg("-o")
        .arg(dir)
        .args(extra)
        .output()
        .expect("runs")
}

/// Every file under `dir`, by path relative to it, with its bytes.
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

/// The committed fixtures are what the generator writes; `UPDATE_ROUND_FIXTURES=1`
/// rewrites them.
#[test]
fn the_fixtures_are_the_generators() {
    let committed = root().join("fixtures/round");
    if std::env::var_os("UPDATE_ROUND_FIXTURES").is_some() {
        generate::write(&committed, generate::FIXTURE_COUNT, generate::SEED);
    }
    let fresh = tempfile::tempdir().expect("temp dir");
    generate::write(fresh.path(), generate::FIXTURE_COUNT, generate::SEED);
    let mut expected = files(fresh.path());
    let mut found = files(&committed);
    found.remove(Path::new("README.md"));
    assert_eq!(
        found.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in std::mem::take(&mut expected) {
        assert!(
            found[&path] == bytes,
            "fixtures/round/{} is not what tests/round/generate.rs writes; \
             run with UPDATE_ROUND_FIXTURES=1",
            path.display()
        );
    }
}

#[test]
fn a_round_writes_the_summary_and_every_bureaus_files() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = round(&["fixtures/round"], out.path(), &["--jobs", "1"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    // One bureau cannot be assessed: exit 1, with its diagnostics located and a final line.
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("fixtures/round/bureau-009.yaml:12:25: expected an integer"),
        "{stderr}"
    );
    assert!(stderr.contains("assessed 13, skipped 1, in "), "{stderr}");
    assert!(
        stderr.contains("1 of 14 submissions could not be assessed"),
        "{stderr}"
    );

    let summary = |name: &str| std::fs::read(out.path().join(name)).expect("summary file");
    let md = String::from_utf8(summary("summary.md")).expect("UTF-8");
    let json = String::from_utf8(summary("summary.json")).expect("UTF-8");
    let csv = String::from_utf8(summary("summary.csv")).expect("UTF-8");
    let csv = csv
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for Excel");
    insta::assert_snapshot!("summary_md", md);
    insta::assert_snapshot!("summary_json", json);
    insta::assert_snapshot!("summary_csv", csv);
    // No timing reaches a file.
    assert!(!md.contains("assessed 13"));

    // The HTML summary: one file with nothing to fetch, every name escaped, a part per
    // bureau linked from the ranking.
    let html = String::from_utf8(summary("summary.html")).expect("UTF-8");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(
        "content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\""
    ));
    for external in ["src=\"http", "href=\"http", "src=\"//", "@import", "url("] {
        assert!(!html.contains(external), "{external}");
    }
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;区教育局"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;柳林县教育局"));
    assert!(!html.contains("<img"));
    for (section, count) in [
        ("<h2>等次分布</h2>", 1),
        ("<h2>板块平均得分</h2>", 1),
        ("<h2>考核项达标率</h2>", 1),
        ("<h2>共性问题</h2>", 1),
        ("<h2>未能考核</h2>", 1),
        ("<section class=\"bureau\" id=\"b-", 13),
        ("<svg class=\"chart\"", 3),
    ] {
        assert_eq!(html.matches(section).count(), count, "{section}");
    }
    assert!(html.contains("<a href=\"#b-011\">&lt;script&gt;"));
    assert!(html.contains("<section class=\"bureau\" id=\"b-011\">"));
    assert!(
        html.contains("bureau-009.yaml"),
        "未能考核 lists the skipped file"
    );

    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let ranking = value["ranking"].as_array().expect("a ranking");
    assert_eq!(ranking.len(), 13);
    let bureaus = out.path().join("bureaus");
    for r in ranking {
        let stem = r["outputs"].as_str().expect("a stem");
        assert!(
            !stem.contains(['/', '\\', '<', '>', '"']) && !stem.starts_with('.'),
            "{stem}"
        );
        let report: serde_json::Value = serde_json::from_slice(
            &std::fs::read(bureaus.join(format!("{stem}.json"))).expect("the bureau's json"),
        )
        .expect("JSON");
        assert_eq!(report["submission"]["bureau"]["name"], r["name"]);
        assert_eq!(report["score"]["score"], r["score"]);
        let md = std::fs::read_to_string(bureaus.join(format!("{stem}.md"))).expect("md");
        assert!(md.starts_with('#'), "{stem}.md");
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook(bureaus.join(format!("{stem}-整改清单.xlsx"))).expect("opens");
        assert!(!book.sheet_names().is_empty());
        assert!(book.worksheet_range(&book.sheet_names()[0]).is_ok());
    }
    assert_eq!(std::fs::read_dir(&bureaus).expect("dir").count(), 13 * 3);
    // Nothing else is left in the folder.
    assert_eq!(std::fs::read_dir(out.path()).expect("dir").count(), 6);
}

/// The summary workbook, read back: one sheet per view, the ranking as the CSV has it, rates
/// as numbers, a name that starts a formula neutralised.
#[test]
fn the_summary_workbook_has_a_sheet_per_view() {
    use calamine::{Data, DataType, Reader, Xlsx};
    let out = tempfile::tempdir().expect("temp dir");
    round(&["fixtures/round"], out.path(), &[]);
    let mut book: Xlsx<_> =
        calamine::open_workbook(out.path().join("summary.xlsx")).expect("opens");
    assert_eq!(
        book.sheet_names(),
        [
            "排名",
            "等次分布",
            "各部分平均得分",
            "各项达标率",
            "共性问题",
            "自评差异",
            "报送不全",
            "未能考核"
        ]
    );
    let ranking = book.worksheet_range("排名").expect("the ranking");
    let rows: Vec<&[Data]> = ranking.rows().collect();
    assert_eq!(rows.len(), 1 + 13);
    assert_eq!(rows[0][0], Data::String("名次".into()));
    assert_eq!(rows[1][0], Data::Float(1.0));
    assert_eq!(rows[1][1], Data::String("青石县教育局".into()));
    assert_eq!(rows[1][3], Data::Float(99.5));
    assert_eq!(rows[1][7], Data::Float(0.9821));
    // The two tied bureaus share rank 2.
    assert_eq!(
        (&rows[2][0], &rows[3][0]),
        (&Data::Float(2.0), &Data::Float(2.0))
    );
    assert!(
        rows.iter()
            .any(|r| r[1] == Data::String("'=HYPERLINK(\"http://example.com\")县教育局".into()))
    );
    assert!(
        rows.iter()
            .any(|r| r[1] == Data::String("<script>alert(1)</script>区教育局".into()))
    );
    let grades = book.worksheet_range("等次分布").expect("grades");
    let grades: Vec<(String, f64)> = grades
        .rows()
        .skip(1)
        .map(|r| (r[0].to_string(), r[1].get_float().expect("a count")))
        .collect();
    assert_eq!(
        grades,
        [
            ("优秀".to_string(), 12.0),
            ("良好".to_string(), 0.0),
            ("合格".to_string(), 0.0),
            ("不合格".to_string(), 1.0)
        ]
    );
    let common = book.worksheet_range("共性问题").expect("common problems");
    let first: Vec<String> = common
        .rows()
        .nth(1)
        .expect("a row")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        &first[..3],
        ["GOV-05", "依申请事项全程网办（一网通办）", "10"]
    );
    let skipped = book.worksheet_range("未能考核").expect("not assessed");
    assert_eq!(
        skipped.rows().nth(1).expect("a row")[0],
        Data::String("fixtures/round/bureau-009.yaml".into())
    );
}

#[test]
fn the_summary_follows_its_schema() {
    let out = tempfile::tempdir().expect("temp dir");
    round(&["fixtures/round"], out.path(), &[]);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/round.schema.json")).expect("schema"),
    )
    .expect("JSON");
    jsonschema::meta::validate(&schema).expect("a valid schema");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("summary.json")).expect("summary"),
    )
    .expect("JSON");
    let errors: Vec<String> = validator
        .iter_errors(&summary)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn ties_share_a_rank_and_the_next_rank_counts_them() {
    let out = tempfile::tempdir().expect("temp dir");
    round(&["fixtures/round"], out.path(), &[]);
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("summary.json")).expect("summary"),
    )
    .expect("JSON");
    let ranks: Vec<(u64, f64, bool)> = summary["ranking"]
        .as_array()
        .expect("ranking")
        .iter()
        .map(|r| {
            (
                r["rank"].as_u64().expect("rank"),
                r["score"].as_f64().expect("score"),
                r["vetoed"].as_bool().expect("vetoed"),
            )
        })
        .collect();
    // Bureaus 10 and 11 have the same shortfalls.
    let mut tied = false;
    for (i, pair) in ranks.windows(2).enumerate() {
        let ((r1, s1, v1), (r2, s2, v2)) = (pair[0], pair[1]);
        if s1 == s2 && v1 == v2 {
            assert_eq!(r1, r2);
            tied = true;
        } else {
            assert_eq!(r2, i as u64 + 2, "{ranks:?}");
        }
    }
    assert!(tied, "{ranks:?}");
    // A vetoed bureau ranks after every other, whatever its score.
    assert!(ranks.last().expect("bureaus").2);
}

#[test]
fn the_outputs_are_the_same_bytes_whatever_the_number_of_threads() {
    let one = tempfile::tempdir().expect("temp dir");
    let two = tempfile::tempdir().expect("temp dir");
    round(&["fixtures/round"], one.path(), &["--jobs", "1"]);
    round(&["fixtures/round"], two.path(), &["--jobs", "2"]);
    let (a, b) = (files(one.path()), files(two.path()));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert_eq!(a.len(), 5 + 13 * 3);
    for (path, bytes) in &a {
        assert!(&b[path] == bytes, "{} differs", path.display());
    }
}

#[test]
fn strict_stops_at_the_bad_submission_and_writes_nothing() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = round(
        &["fixtures/round"],
        out.path(),
        &["--strict", "--jobs", "2"],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bureau-009.yaml:12:25"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(out.path()).expect("dir").count(),
        0,
        "{:?}",
        files(out.path()).keys().collect::<Vec<_>>()
    );
}

#[test]
fn a_round_of_good_submissions_exits_0_and_a_file_keeps_todays_meaning() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = round(
        &[
            "fixtures/round/bureau-001.yaml",
            "fixtures/round/bureau-002.yaml",
        ],
        out.path(),
        &[],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("assessed 2, skipped 0, in "),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // `-o FILE` is one report, as before; `--strict` without a round is a usage error.
    let file = out.path().join("report.md");
    Command::cargo_bin("kaohe")
        .expect("binary")
        .current_dir(root())
        .args([
            PACK,
            "fixtures/round/bureau-001.yaml",
            "--format",
            "md",
            "-o",
        ])
        .arg(&file)
        .arg("--strict")
        .assert()
        .code(2);
    Command::cargo_bin("kaohe")
        .expect("binary")
        .current_dir(root())
        .args([
            "assess",
            PACK,
            "fixtures/round/bureau-001.yaml",
            "--format",
            "md",
            "-o",
        ])
        .arg(&file)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&file)
            .expect("a file")
            .starts_with('#')
    );
}

/// Peak resident memory of `kaohe` over a round, in KiB, as GNU time reports it (`%M`).
/// The kernel's own account for a direct child (`wait4`) would include the memory of this
/// test process, which the child starts as a copy of before it runs `kaohe`.
fn peak_kib(time: &Path, dir: &Path, out: &Path) -> u64 {
    // mimalloc gives freed memory back after a delay (10 ms by default), later still when
    // the machine is busy, as it is while the other tests run: with no delay the peak is
    // what the round holds, not when the allocator got round to giving memory back.
    let run = std::process::Command::new(time)
        .current_dir(root())
        .env("MIMALLOC_PURGE_DELAY", "0")
        .args(["-f", "peak %M"])
        .arg(assert_cmd::cargo::cargo_bin("kaohe"))
        .arg("assess")
        .arg(PACK)
        .arg(dir)
        .arg("-o")
        .arg(format!("{}/", out.display()))
        .args(["--jobs", "2"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    // Every twelfth bureau cannot be assessed: exit 1.
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak ")?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak in {stderr}"))
}

/// Ten times the bureaus, at most 1.2 times the peak memory: a round keeps only a small
/// record per bureau. Measured with GNU time (`/usr/bin/time`); without it the test says so
/// and measures nothing.
#[test]
fn memory_does_not_grow_with_the_number_of_bureaus() {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        eprintln!("/usr/bin/time is not installed: peak memory not measured");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let (small, large) = (tmp.path().join("small"), tmp.path().join("large"));
    generate::write(&small, 12, 7);
    generate::write(&large, 120, 7);
    let small_peak = peak_kib(time, &small, &tmp.path().join("out-small"));
    let large_peak = peak_kib(time, &large, &tmp.path().join("out-large"));
    eprintln!("peak RSS: 12 bureaus {small_peak} KiB, 120 bureaus {large_peak} KiB");
    assert!(
        large_peak as f64 <= small_peak as f64 * 1.2,
        "12 bureaus: {small_peak} KiB; 120 bureaus: {large_peak} KiB"
    );
}

/// `--per-bureau json` writes only each bureau's assessment; the summary is whole and names
/// no report or list that was not written. Outside a round the option is a usage error.
#[test]
fn per_bureau_chooses_the_files_written_for_each_bureau() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = round(
        &[
            "fixtures/round/bureau-001.yaml",
            "fixtures/round/bureau-002.yaml",
        ],
        out.path(),
        &["--per-bureau", "json"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let names: Vec<String> = files(out.path())
        .keys()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "bureaus/001-东城区教育局.json",
            "bureaus/002-西山县教育局.json",
            "summary.csv",
            "summary.html",
            "summary.json",
            "summary.md",
            "summary.xlsx",
        ],
    );
    let html = std::fs::read_to_string(out.path().join("summary.html")).expect("html");
    assert!(html.contains("id=\"b-002\""), "each bureau has its part");
    assert!(!html.contains(".md") && !html.contains("整改清单.xlsx"));
    let run = round(
        &["fixtures/round/bureau-001.yaml"],
        out.path(),
        &["--per-bureau", "md,pdf"],
    );
    assert_eq!(run.status.code(), Some(2));
    Command::cargo_bin("kaohe")
        .expect("binary")
        .current_dir(root())
        .args([
            "assess",
            PACK,
            "fixtures/round/bureau-001.yaml",
            "--per-bureau",
            "json",
        ])
        .assert()
        .code(2);
}

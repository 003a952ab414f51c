//! The round's HTML summary opened in headless Chromium: it loads without console errors,
//! `#sort=score` and `#sort=-score` sort the ranking, hostile bureau names show as text, and a
//! screenshot is kept as `target/round-summary.png` for review. Without Chromium the test
//! fails, unless `KAOHE_SKIP_BROWSER=1` says to skip it (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Chromium's rendering of `page#fragment`: the DOM after the page's script ran, and stderr.
fn dump(browser: &str, profile: &Path, page: &Path, fragment: &str) -> (String, String) {
    let out = Command::new(browser)
        .args([
            "--headless=new",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}#{fragment}", page.display()))
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "chromium failed:\n{stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

/// The ranking's rows as the DOM has them: each row's `data-sort` values (rank, name, score,
/// grade).
fn ranking(dom: &str) -> Vec<Vec<String>> {
    let start = dom
        .find("<table id=\"ranking\">")
        .expect("the ranking table");
    let table = &dom[start..];
    let body = &table[table.find("<tbody>").expect("tbody")..table.find("</tbody>").expect("end")];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("data-sort=\"")
                .skip(1)
                .map(|rest| rest[..rest.find('"').expect("closing quote")].to_string())
                .collect()
        })
        .collect()
}

fn scores(rows: &[Vec<String>]) -> Vec<f64> {
    rows.iter()
        .map(|r| r[2].parse::<f64>().expect("a score"))
        .collect()
}

/// Console messages. Chromium logs every one as `INFO:CONSOLE` whatever its level
/// (`console.error`, an uncaught exception, a resource the CSP refused), and the page logs
/// nothing of its own: any message is an error.
fn console_errors(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains("CONSOLE")).collect()
}

#[test]
fn the_html_summary_sorts_and_shows_hostile_names_as_text() {
    let Some(browser) = chromium() else {
        if std::env::var("KAOHE_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("skipped: no chromium, and KAOHE_SKIP_BROWSER=1");
            return;
        }
        panic!(
            "Chromium is not installed: install the Debian package `chromium`, or set KAOHE_SKIP_BROWSER=1 to skip this test"
        );
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("round");
    let run = assert_cmd::Command::cargo_bin("kaohe")
        .expect("binary")
        .current_dir(root())
        .args(["assess", "rules/edu-rule-of-law", "fixtures/round", "-o"])
        .arg(format!("{}/", out.display()))
        .output()
        .expect("runs");
    // One bureau of fixtures/round cannot be read: exit 1, the summary written.
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let page = out.join("summary.html");
    let profile = dir.path().join("profile");

    let (dom, stderr) = dump(browser, &profile, &page, "sort=score");
    assert!(console_errors(&stderr).is_empty(), "{stderr}");
    let rows = ranking(&dom);
    assert_eq!(rows.len(), 13, "{dom}");
    let descending = scores(&rows);
    assert!(
        descending.windows(2).all(|w| w[0] >= w[1]),
        "highest score first: {descending:?}"
    );
    // Sorted by score, the vetoed bureau (98.5, ranked last) is no longer last.
    assert_ne!(rows.last().map(|r| r[0].as_str()), Some("13"));
    assert!(dom.contains("aria-sort=\"descending\""));
    // Hostile names are text: escaped in the DOM, and nothing was injected.
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;区教育局"),
        "{dom}"
    );
    assert!(
        dom.contains("\"&gt;&lt;img src=x onerror=alert(1)&gt;柳林县教育局"),
        "{dom}"
    );
    assert!(!dom.contains("<img"), "an injected element");
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert_eq!(dom.matches("<svg class=\"chart\"").count(), 3);

    let (dom, stderr) = dump(browser, &profile, &page, "sort=-score");
    assert!(console_errors(&stderr).is_empty(), "{stderr}");
    let ascending = scores(&ranking(&dom));
    assert!(
        ascending.windows(2).all(|w| w[0] <= w[1]),
        "lowest score first: {ascending:?}"
    );
    assert!(dom.contains("aria-sort=\"ascending\""));

    // Without a fragment, the ranking as written: by rank.
    let (dom, stderr) = dump(browser, &profile, &page, "");
    assert!(console_errors(&stderr).is_empty(), "{stderr}");
    let ranks: Vec<usize> = ranking(&dom)
        .iter()
        .map(|r| r[0].parse().expect("a rank"))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");

    let target: PathBuf =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    std::fs::create_dir_all(&target).expect("target dir");
    let shot = target.join("round-summary.png");
    let _ = std::fs::remove_file(&shot);
    let run = Command::new(browser)
        .args([
            "--headless=new",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}#sort=score", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        run.status.success() && shot.is_file(),
        "no screenshot:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

//! Every snippet of `README.md` works as written: YAML snippets parse as YAML 1.2; pack, items
//! and test snippets pass the rule-pack schema; the submission and waivers snippets read
//! against the shipped pack; the pack-test snippet passes as a test case of the shipped pack;
//! and every `kaohe` command shown runs and succeeds (`rules/my-pack` standing for the shipped
//! pack).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fenced blocks of the README: (language, text, line of the opening fence).
fn blocks() -> Vec<(String, String, usize)> {
    let text = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let mut out = Vec::new();
    let mut open: Option<(String, String, usize)> = None;
    for (n, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(lang)) => open = Some((lang.trim().to_string(), String::new(), n + 1)),
            (Some(_), Some("")) => out.extend(open.take()),
            (Some((_, body, _)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "an unclosed fence in README.md");
    out
}

fn yaml_blocks() -> Vec<(String, usize, serde_json::Value)> {
    blocks()
        .into_iter()
        .filter(|(lang, _, _)| lang == "yaml")
        .map(|(_, text, line)| {
            let node = kaohe::yaml::parse(&text)
                .unwrap_or_else(|e| panic!("README.md:{line}: {}", e.message));
            (text, line, node.to_json())
        })
        .collect()
}

fn shipped_pack() -> kaohe::pack::Pack {
    let loaded = kaohe::pack::load(&root().join("rules/edu-rule-of-law")).expect("pack");
    loaded.pack.expect("the shipped pack is valid")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("named"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

#[test]
fn yaml_snippets_pass_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/rule-pack.schema.json")).expect("schema"),
    )
    .expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let mut checked = 0;
    for (_, line, json) in yaml_blocks() {
        if ["pack", "items", "cases"]
            .iter()
            .any(|k| json.get(k).is_some())
        {
            let errors: Vec<String> = validator
                .iter_errors(&json)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "README.md:{line}: {errors:#?}");
            checked += 1;
        }
    }
    assert!(
        checked >= 4,
        "pack, items, overlay and test snippets: {checked}"
    );
}

/// The nested-sections snippet is the sections of the nested example pack, and the overlay
/// snippet that moves points into a sub-section is the overrides of its city overlay, so both
/// packs' tests (`tests/nested.rs`) run the examples as written.
#[test]
fn the_nested_snippets_are_the_nested_packs() {
    let read = |path: &str| {
        let text = std::fs::read_to_string(root().join(path)).expect("the nested packs");
        kaohe::yaml::parse(&text).expect("YAML").to_json()
    };
    let pack = read("tests/nested/pack.yaml");
    let sections = yaml_blocks()
        .into_iter()
        .find_map(|(_, _, json)| {
            json.get("sections")?.get(0)?.get("sections")?;
            Some(json)
        })
        .expect("a nested `sections` snippet");
    assert_eq!(sections["sections"], pack["sections"]);
    let city = read("tests/nested-city/pack.yaml");
    let overlay = yaml_blocks()
        .into_iter()
        .find_map(|(_, _, json)| (json.get("pack")?.get("extends")? == "../nested").then_some(json))
        .expect("the nested overlay snippet");
    assert_eq!(overlay["overrides"], city["overrides"]);
    assert_eq!(overlay["pack"]["id"], city["pack"]["id"]);
}

/// The deduction-schedule and graded-band snippets are items the schedule test pack scores,
/// so its tests run the examples as written.
/// The snippet of counts per period and in a window is the items of the periods test pack.
#[test]
fn the_period_snippet_is_the_periods_pack_items() {
    let text = std::fs::read_to_string(root().join("tests/periods/items/study.yaml"))
        .expect("the periods pack's items");
    let pack = kaohe::yaml::parse(&text).expect("YAML").to_json();
    let snippet = yaml_blocks()
        .into_iter()
        .find_map(|(_, _, json)| {
            let count = json.get("items")?.get(0)?.get("check")?.get("count")?;
            count.get("per")?;
            Some(json)
        })
        .expect("a `per` snippet");
    assert_eq!(snippet["items"], pack["items"]);
}

#[test]
fn the_schedule_and_band_snippets_are_the_schedule_pack_items() {
    let text = std::fs::read_to_string(root().join("tests/engine/schedule/items/main.yaml"))
        .expect("the schedule pack's items");
    let pack = kaohe::yaml::parse(&text).expect("YAML").to_json();
    for style in ["schedule", "bands"] {
        let snippet = yaml_blocks()
            .into_iter()
            .find_map(|(_, _, json)| {
                let item = json.get("items")?.get(0)?;
                item.get("deduct")?.get(style)?;
                Some(item.clone())
            })
            .unwrap_or_else(|| panic!("a `{style}` snippet"));
        let items = pack["items"].as_array().expect("items");
        assert!(
            items.contains(&snippet),
            "the `{style}` snippet is not an item of the schedule pack: {snippet:#}"
        );
    }
}

/// The stated-figures snippet is the dictionary and item LVP-01 of the stated test pack.
#[test]
fn the_stated_snippet_is_the_stated_pack() {
    let read = |path: &str| {
        let text = std::fs::read_to_string(root().join(path)).expect("the stated pack");
        kaohe::yaml::parse(&text).expect("YAML").to_json()
    };
    let pack = read("tests/stated/pack.yaml");
    let items = read("tests/stated/items/stated.yaml");
    let blocks = yaml_blocks();
    let snippet = blocks
        .iter()
        .find_map(|(_, _, json)| {
            json.get("items")?
                .get(0)?
                .get("check")?
                .get("coverage")?
                .get("stated")?;
            Some(json)
        })
        .expect("a `stated` snippet");
    assert_eq!(snippet["items"][0], items["items"][0]);
    let dictionary = blocks
        .iter()
        .find_map(|(_, _, json)| {
            json.get("data")?.get("facts")?.get("lvp_rate")?;
            Some(json)
        })
        .expect("the dictionary snippet of stated figures");
    let facts = dictionary["data"]["facts"].as_object().expect("facts");
    for (name, fact) in facts {
        assert_eq!(&pack["data"]["facts"][name], fact, "fact `{name}`");
    }
}

#[test]
fn the_submission_snippets_read_against_the_shipped_pack() {
    let pack = shipped_pack();
    let snippets: Vec<_> = yaml_blocks()
        .into_iter()
        .filter(|(_, _, j)| j.get("bureau").is_some())
        .collect();
    // The full example and the one with only the bureau and the year.
    assert!(
        snippets.len() >= 2,
        "submission snippets: {}",
        snippets.len()
    );
    for (text, line, _) in snippets {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("submission.yaml"), text).expect("write");
        std::fs::copy(
            root().join("fixtures/compliant/schools.csv"),
            dir.path().join("schools.csv"),
        )
        .expect("copy");
        if let Err(e) = kaohe::submission::load(&pack, &dir.path().join("submission.yaml")) {
            panic!(
                "README.md:{line}:\n{}",
                kaohe::diag::render_human(&e.sources, &e.diagnostics, false)
            );
        }
    }
}

/// The 缺报清单 shown in the README is what `kaohe assess` prints for `fixtures/incomplete/`.
#[test]
fn the_incomplete_example_is_what_kaohe_prints() {
    let (_, shown, line) = blocks()
        .into_iter()
        .find(|(lang, text, _)| lang == "text" && text.contains("缺报清单（"))
        .expect("a 缺报清单 example");
    let out = Command::cargo_bin("kaohe")
        .expect("binary")
        .current_dir(root())
        .env("COLUMNS", "120")
        .args([
            "assess",
            "rules/edu-rule-of-law",
            "fixtures/incomplete/submission.yaml",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let printed = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        printed.contains(&shown),
        "README.md:{line}: not what kaohe prints:\n{printed}"
    );
}

/// The reviewed-item snippet is an item of the reviews test pack, and the reviews snippet reads
/// against that pack and scores it as the README says.
#[test]
fn the_review_snippets_read_against_the_reviews_pack() {
    let pack = kaohe::pack::load(&root().join("tests/reviews"))
        .expect("pack directory")
        .pack
        .expect("valid");
    let items = kaohe::yaml::parse(
        &std::fs::read_to_string(root().join("tests/reviews/items/safety.yaml")).expect("items"),
    )
    .expect("YAML")
    .to_json();
    let item = yaml_blocks()
        .into_iter()
        .find_map(|(_, _, json)| {
            let item = json.get("items")?.get(0)?;
            item.get("review")?;
            Some(item.clone())
        })
        .expect("a `review` item snippet");
    let listed = items["items"].as_array().expect("items");
    assert!(
        listed.contains(&item),
        "not an item of tests/reviews: {item:#}"
    );
    let (text, line, _) = yaml_blocks()
        .into_iter()
        .find(|(_, _, j)| j.get("reviews").is_some())
        .expect("a reviews snippet");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("reviews.yaml");
    std::fs::write(&path, text).expect("write");
    let reviews = kaohe::review::load(&pack, &path).unwrap_or_else(|e| {
        panic!(
            "README.md:{line}:\n{}",
            kaohe::diag::render_human(&e.sources, &e.diagnostics, false)
        )
    });
    let rv = pack.item("RV-01").expect("RV-01");
    let review = rv.review.as_ref().expect("reviewed");
    let s = kaohe::score::score_review(rv, review, &reviews);
    assert_eq!(s.awarded, 3.0);
}

#[test]
fn the_waivers_snippet_reads_against_the_shipped_pack() {
    let pack = shipped_pack();
    let (text, line, _) = yaml_blocks()
        .into_iter()
        .find(|(_, _, j)| j.get("waivers").is_some())
        .expect("a waivers snippet");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("waivers.yaml");
    std::fs::write(&path, text).expect("write");
    if let Err(e) = kaohe::waiver::load(&pack, &path) {
        panic!(
            "README.md:{line}:\n{}",
            kaohe::diag::render_human(&e.sources, &e.diagnostics, false)
        );
    }
}

#[test]
fn the_test_snippet_passes_as_a_test_of_the_shipped_pack() {
    let (text, line, _) = yaml_blocks()
        .into_iter()
        .find(|(_, _, j)| j.get("cases").is_some())
        .expect("a test snippet");
    let dir = tempfile::tempdir().expect("temp dir");
    let pack: PathBuf = dir.path().join("edu-rule-of-law");
    std::fs::create_dir_all(pack.join("tests")).expect("mkdir");
    std::fs::copy(
        root().join("rules/edu-rule-of-law/pack.yaml"),
        pack.join("pack.yaml"),
    )
    .expect("copy");
    copy_dir(
        &root().join("rules/edu-rule-of-law/items"),
        &pack.join("items"),
    );
    copy_dir(
        &root().join("rules/edu-rule-of-law/tests/fixtures"),
        &pack.join("tests/fixtures"),
    );
    std::fs::write(pack.join("tests/readme.yaml"), text).expect("write");
    let out = Command::cargo_bin("kaohe")
        .expect("binary")
        .args(["test"])
        .arg(&pack)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "README.md:{line}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_kaohe_command_shown_runs() {
    let out_dir = tempfile::tempdir().expect("temp dir");
    let mut written = std::collections::HashSet::new();
    let mut ran = 0;
    for (lang, text, line) in blocks() {
        if lang != "sh" {
            continue;
        }
        for full in text.lines() {
            let command = full.split('#').next().unwrap_or("").trim();
            // A comment may say the command's exit code: `# … (exits 1: …)`.
            let expected = full
                .split_once('#')
                .and_then(|(_, comment)| comment.split_once("(exits "))
                .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|code| code.parse::<i32>().ok())
                .unwrap_or(0);
            let args = if let Some(rest) = command.strip_prefix("kaohe ") {
                rest
            } else if let Some(rest) = command.strip_prefix("cargo run --release -- ") {
                rest
            } else {
                continue;
            };
            // A redirection or an output file lands in a temporary folder.
            let args = args.split('>').next().unwrap_or("");
            let mut args: Vec<String> = args
                .split_whitespace()
                .map(|a| match a {
                    "rules/my-pack" => "rules/edu-rule-of-law".to_string(),
                    "junit.xml" => out_dir.path().join("junit.xml").display().to_string(),
                    other => other.to_string(),
                })
                .collect();
            // `-o FILE` writes into the temporary folder, and a later command that reads FILE
            // reads it there.
            for i in 0..args.len() {
                if i > 0 && (args[i - 1] == "-o" || args[i - 1] == "--output") {
                    written.insert(args[i].clone());
                }
                if written.contains(&args[i]) {
                    args[i] = out_dir.path().join(&args[i]).display().to_string();
                }
            }
            let out = Command::cargo_bin("kaohe")
                .expect("binary")
                .current_dir(root())
                .args(&args)
                .output()
                .expect("runs");
            assert_eq!(
                out.status.code(),
                Some(expected),
                "README.md:{line}: `{command}` failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 3, "the README shows kaohe commands: {ran}");
    // The main job, the round over `fixtures/round/`, wrote the HTML summary.
    assert!(
        out_dir.path().join("round/summary.html").is_file(),
        "the Quick start's round writes round/summary.html"
    );
}

/// Packs, fixtures and the README name their sources by what they are: no file refers to a
/// path outside the repository (an absolute path, or one that climbs out of it).
#[test]
fn no_file_names_a_path_outside_the_repository() {
    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                files(&path, out);
            } else if path
                .extension()
                .is_some_and(|e| e == "yaml" || e == "md" || e == "csv" || e == "json")
            {
                out.push(path);
            }
        }
    }
    let mut all = vec![root().join("README.md")];
    files(&root().join("rules"), &mut all);
    files(&root().join("fixtures"), &mut all);
    let mut found = Vec::new();
    for path in all {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            // A path starts a token: after a space, a quote, a bracket or the line's start.
            let starts = line.char_indices().filter(|&(i, c)| {
                c == '/'
                    && line[..i]
                        .chars()
                        .next_back()
                        .is_none_or(|p| " `'\"(（[:：".contains(p))
            });
            for (i, _) in starts {
                let token: String = line[i..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !"`'\")）]，、".contains(*c))
                    .collect();
                // A file system's top folders (not a URL's `//host`, a JSON pointer, or the
                // `/dev/stdout` and `/etc/passwd` that the README tells kaohe to write to or
                // refuse).
                let top = token
                    .trim_start_matches('/')
                    .split('/')
                    .next()
                    .unwrap_or("");
                let roots = [
                    "work", "home", "root", "tmp", "usr", "opt", "mnt", "var", "srv", "data",
                    "Users",
                ];
                if token.starts_with('/') && token[1..].contains('/') && roots.contains(&top) {
                    found.push(format!("{}:{}: {token}", path.display(), n + 1));
                }
            }
            if line.contains("../../../../") {
                found.push(format!("{}:{}: climbs out", path.display(), n + 1));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// The README says how to put `kaohe` on the PATH and what the first build costs.
#[test]
fn the_readme_says_how_to_install() {
    let text = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(
        text.contains("cargo install --path ."),
        "no install command"
    );
    assert!(text.contains("crates"), "no word on the first build");
}

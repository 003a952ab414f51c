//! The parse floor: read every submission in a folder and run the parser over it without
//! building anything, on one thread. What an assessment round cannot go below.
//!
//! ```text
//! cargo run --release --example floor -- DIR
//! ```
//!
//! `*.json` goes through serde_json into `IgnoredAny`, `*.yaml` through serde-saphyr into
//! `IgnoredAny`, `*.xlsx` through calamine (every sheet's cells read). Prints the files,
//! bytes and seconds.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use calamine::{Reader, Xlsx};
use serde::de::IgnoredAny;

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: floor DIR");
        return ExitCode::from(2);
    };
    match run(&dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(dir: &std::path::Path) -> Result<(), String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    let start = Instant::now();
    let (mut files, mut bytes, mut cells) = (0usize, 0usize, 0usize);
    for path in &paths {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        match ext {
            "json" => {
                serde_json::from_slice::<IgnoredAny>(&data)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
            "yaml" | "yml" => {
                let text = std::str::from_utf8(&data).map_err(|e| e.to_string())?;
                serde_saphyr::from_str::<IgnoredAny>(text)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
            "xlsx" => {
                let mut book = Xlsx::new(std::io::Cursor::new(&data[..]))
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                for name in book.sheet_names() {
                    let range = book
                        .worksheet_range(&name)
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                    cells += range.used_cells().count();
                }
            }
            _ => continue,
        }
        files += 1;
        bytes += data.len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "floor: {files} files, {:.1} MB, {cells} cells, {secs:.3} s",
        bytes as f64 / 1e6
    );
    Ok(())
}

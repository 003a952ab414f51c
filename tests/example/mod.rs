//! Shared by the tests of the example packs (`tests/compare`, `tests/gates`, `tests/periods`,
//! `tests/veto-clause`): load a pack, and assess a submission written as text.

#![allow(dead_code)]

use std::path::Path;

use kaohe::assess::{Assessment, Options, assess, pack_digest};
use kaohe::pack::Pack;
use kaohe::waiver::Waiver;

/// The valid pack in `dir` (relative to the crate), or its problems.
pub fn pack(dir: &str) -> Pack {
    let loaded = kaohe::pack::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .expect("pack directory");
    match loaded.pack {
        Some(p) => p,
        None => panic!(
            "{}",
            kaohe::diag::render_human(&loaded.sources, &loaded.diagnostics, false)
        ),
    }
}

/// Writes `text` as a submission, reads it against `pack` and assesses it with `waivers`.
pub fn assess_text(pack: &Pack, text: &str, waivers: &[Waiver]) -> Assessment {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("submission.yaml");
    std::fs::write(&path, text).expect("write");
    let submission = kaohe::submission::load(pack, &path).unwrap_or_else(|e| {
        panic!(
            "{}",
            kaohe::diag::render_human(&e.sources, &e.diagnostics, false)
        )
    });
    assess(
        pack,
        &pack_digest(pack),
        &submission,
        waivers,
        &[],
        Options::default(),
    )
}

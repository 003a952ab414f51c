//! Replays every input kept in `fuzz/regressions/<target>/` through the fuzz target of the
//! same name (`kaohe::fuzz`), so that `cargo test` catches a crash found by fuzzing coming
//! back without cargo-fuzz.

use std::path::Path;

#[test]
fn fuzz_regressions_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let Ok(targets) = std::fs::read_dir(&root) else {
        return;
    };
    let mut replayed = 0;
    for target in targets {
        let target = target.expect("a readable entry of fuzz/regressions").path();
        if !target.is_dir() {
            continue;
        }
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 target name")
            .to_string();
        assert!(
            kaohe::fuzz::TARGETS.contains(&name.as_str()),
            "fuzz/regressions/{name}: no fuzz target `{name}` (targets: {})",
            kaohe::fuzz::TARGETS.join(", ")
        );
        let mut inputs: Vec<_> = std::fs::read_dir(&target)
            .expect("a readable target directory")
            .map(|e| e.expect("a readable entry").path())
            .filter(|p| p.is_file())
            .collect();
        inputs.sort();
        for input in inputs {
            let data = std::fs::read(&input).expect("a readable input");
            eprintln!("replaying {}", input.display());
            assert!(kaohe::fuzz::run(&name, &data));
            replayed += 1;
        }
    }
    eprintln!("{replayed} inputs replayed");
}

#[test]
fn every_target_has_a_fuzz_target_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    for name in kaohe::fuzz::TARGETS {
        assert!(
            dir.join(format!("{name}.rs")).is_file(),
            "fuzz/fuzz_targets/{name}.rs is missing"
        );
    }
}

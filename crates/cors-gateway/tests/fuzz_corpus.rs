//! The fuzz targets' checks (`fuzz/src/checks.rs`, the very file `cargo fuzz` builds) over
//! every committed corpus file (`fuzz/corpus/<target>/`) and every crash the fuzzer once found
//! (`fuzz/regressions/<target>/`), in the regular `cargo test`: a regression fails here without
//! nightly or cargo-fuzz. `scripts/fuzz` grows and minimizes the corpus.

#[allow(dead_code)]
#[path = "../../../fuzz/src/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Every target named in `checks::TARGETS` has a `fuzz_targets/<name>.rs`, and back.
#[test]
fn targets_match_the_fuzz_crate() {
    let mut on_disk: Vec<String> = files(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut named: Vec<String> = checks::TARGETS.iter().map(|(n, _)| n.to_string()).collect();
    named.sort();
    assert_eq!(on_disk, named);
}

/// The corpus and the regressions replay through their target's checks without a panic.
#[test]
fn corpus_and_regressions_replay_clean() {
    let mut replayed = 0;
    for (name, check) in checks::TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(name));
        assert!(
            !corpus.is_empty(),
            "fuzz/corpus/{name} is empty: run scripts/fuzz"
        );
        let regressions = files(&fuzz_dir().join("regressions").join(name));
        for path in corpus.iter().chain(&regressions) {
            let data = std::fs::read(path).unwrap();
            if let Err(e) = std::panic::catch_unwind(|| check(&data)) {
                let why = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panic!("{name}: {} fails: {why}", path.display());
            }
            replayed += 1;
        }
    }
    assert!(replayed >= checks::TARGETS.len());
}

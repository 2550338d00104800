//! The checks of the fuzz targets, one function per target (see `checks.rs`). The same file is
//! compiled into the regular test suite (`crates/cors-gateway/tests/fuzz_corpus.rs`), which
//! replays the committed corpus and every regression file through it.

include!("checks.rs");

//! `cargo fuzz run origin`: the checks of `cors_fuzz::origin` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cors_fuzz::origin(data));

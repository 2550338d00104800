//! `cargo fuzz run h1_head`: the checks of `cors_fuzz::h1_head` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cors_fuzz::h1_head(data));

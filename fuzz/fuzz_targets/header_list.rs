//! `cargo fuzz run header_list`: the checks of `cors_fuzz::header_list` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cors_fuzz::header_list(data));

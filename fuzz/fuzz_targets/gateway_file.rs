//! `cargo fuzz run gateway_file`: the checks of `cors_fuzz::gateway_file` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cors_fuzz::gateway_file(data));

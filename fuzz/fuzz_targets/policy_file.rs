//! `cargo fuzz run policy_file`: the checks of `cors_fuzz::policy_file` on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cors_fuzz::policy_file(data));

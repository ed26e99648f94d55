#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kooste_fuzz::message("fuzz.eml", data));

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kooste_fuzz::extract_and_pictures("fuzz.pptx", data));

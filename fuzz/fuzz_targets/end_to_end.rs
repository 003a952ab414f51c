#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kaohe::fuzz::end_to_end(data));

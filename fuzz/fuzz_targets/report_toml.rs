//! The report settings parser (a year's report, also the platform's catalogue page) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = chiso_data::report_toml::parse("bao-cao.toml", text);
});

//! The unit registry parser (`units.toml`, also the platform's catalogue page) never
//! panics; names of an accepted registry resolve without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(reg) = chiso_data::units_toml::parse("units.toml", text) {
        for kind in ["department", "district", "agency", "country"] {
            for year in [2019, 2020, 2024] {
                let names: Vec<String> = reg.of_kind(kind, year).map(|u| u.name.clone()).collect();
                for n in names.iter().take(8) {
                    let _ = reg.resolve(n, kind, year);
                }
            }
        }
    }
});

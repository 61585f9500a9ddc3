//! The framework parser (`chiso_data::framework_toml::parse`, also behind the platform's
//! catalogue page) never panics; a framework it accepts yields its template fields and
//! version fingerprint, and scores an empty period.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(fw) = chiso_data::framework_toml::parse("fuzz.toml", text) {
        let _ = chiso_data::template::fields(&fw);
        let _ = chiso_data::template::fingerprint(&fw);
        let period = chiso_domain::Period {
            year: 2020,
            kind: fw.unit_kind.clone(),
            framework: fw.id.clone(),
            units: vec![],
            published: None,
            illustrative: false,
        };
        let _ = chiso_domain::score(&fw, &period);
    }
});

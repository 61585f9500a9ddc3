//! A posted form, as the platform reads it: the urlencoded body into `(field, value)` pairs
//! (what axum's `Form<Vec<(String, String)>>` does, with `serde_urlencoded`), each field
//! checked as a draft is saved (`chiso_data::import::check_fields`), then the whole form
//! imported as one unit's row as a submission is (`chiso_data::import::import`); the
//! assessor's verified values go through `check_fields` one by one. Never panics. The first
//! byte picks the framework and year.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&which, body)) = input.split_first() else { return };
    let (fw, registry, year) = chiso_fuzz::fixture(which);
    let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else { return };
    let _ = chiso_data::import::check_fields(fw, &fields);
    for f in fields.iter().take(4) {
        let _ = chiso_data::import::check_fields(fw, std::slice::from_ref(f));
    }
    // The submission: a header of the fields, one row with a unit of the framework's kind.
    let unit = registry.of_kind(&fw.unit_kind, year).next().map(|u| u.id.0.clone()).unwrap_or_default();
    let mut header = vec!["unit".to_string()];
    header.extend(fields.iter().map(|(k, _)| k.clone()));
    let mut row = vec![unit];
    row.extend(fields.iter().map(|(_, v)| v.clone()));
    let t = chiso_data::table::Table { file: "biểu mẫu".into(), sheet: None, rows: vec![header, row] };
    let _ = chiso_data::import::import(&t, fw, registry, year);
});

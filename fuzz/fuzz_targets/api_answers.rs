//! The JSON API's save body, as the platform reads it: `chiso_web::parse_answers` (serde into
//! the body's struct, "not applicable" with its reason, the form's fields), then every field
//! checked as a draft is saved (`chiso_data::import::check_fields`) and read as a submission
//! is (`chiso_data::import::answers`). Never panics. The first byte picks the
//! framework and year.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&which, body)) = input.split_first() else { return };
    let (fw, _, _) = chiso_fuzz::fixture(which);
    let Ok((answers, _submit)) = chiso_web::parse_answers(fw, body) else { return };
    let cells: Vec<(String, String)> = answers.iter().map(|a| (a.field.clone(), a.value.clone())).collect();
    let _ = chiso_data::import::check_fields(fw, &cells);
    let _ = chiso_data::import::answers(fw, &cells, "api");
});

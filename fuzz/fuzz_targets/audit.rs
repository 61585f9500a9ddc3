//! The whole auditor (read, recognize, every check) never panics: the first byte picks the
//! format, the rest is the file; checked against the Cao Bằng dataset.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn data() -> &'static chiso_data::Dataset {
    static DATA: OnceLock<chiso_data::Dataset> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/cao-bang");
        chiso_data::Dataset::load(&dir).expect("the Cao Bằng dataset")
    })
}

fuzz_target!(|input: &[u8]| {
    let Some((&which, bytes)) = input.split_first() else { return };
    let format = match which % 3 {
        0 => chiso_audit::Format::Docx,
        1 => chiso_audit::Format::Xlsx,
        _ => chiso_audit::Format::Csv,
    };
    if let Ok(doc) = chiso_audit::read(bytes, format, "fuzz") {
        let d = data();
        let _ = chiso_audit::audit(&doc, &d.frameworks, &d.registry);
    }
});

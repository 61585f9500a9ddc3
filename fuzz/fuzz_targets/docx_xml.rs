//! The DOCX reader on damaged WordprocessingML: the input is `word/document.xml`, zipped
//! here (stored, no compression), so mutations reach the XML reader and the checks instead
//! of failing the archive's checksums. Seed with the `document.xml` of the seed and generated reports.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::sync::OnceLock;

fn data() -> &'static chiso_data::Dataset {
    static DATA: OnceLock<chiso_data::Dataset> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/cao-bang");
        chiso_data::Dataset::load(&dir).expect("the Cao Bằng dataset")
    })
}

fuzz_target!(|xml: &[u8]| {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    if w.start_file("word/document.xml", o).is_err() || w.write_all(xml).is_err() {
        return;
    }
    let Ok(bytes) = w.finish().map(|c| c.into_inner()) else { return };
    if let Ok(doc) = chiso_audit::read(&bytes, chiso_audit::Format::Docx, "fuzz.docx") {
        let d = data();
        let _ = chiso_audit::audit(&doc, &d.frameworks, &d.registry);
    }
});

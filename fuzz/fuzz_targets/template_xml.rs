//! The template reader on damaged worksheets: the input replaces the XML of the first unit
//! sheet of a real template (Cao Bằng 2020, Sở Y tế), zipped here (stored), so mutations
//! reach the stamp, the field rows and the import instead of failing the archive. Seed with
//! the sheet's XML (bench/fuzz does).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::{Read, Write};
use std::sync::OnceLock;

/// The template's parts; the unit sheet is `xl/worksheets/sheet2.xml`.
fn parts() -> &'static Vec<(String, Vec<u8>)> {
    static PARTS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    PARTS.get_or_init(|| {
        let d = chiso_fuzz::dataset("cao-bang");
        let fw = d.framework("cao-bang-1513-department").expect("the department framework");
        let unit = d.registry.get(&chiso_domain::UnitId("so-y-te".into())).expect("Sở Y tế");
        let bytes = chiso_data::template::write(fw, 2020, &[unit]).expect("a template");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).expect("a part");
                let mut data = Vec::new();
                f.read_to_end(&mut data).expect("inflates");
                (f.name().to_string(), data)
            })
            .collect()
    })
}

fuzz_target!(
    // chiso-data catches calamine's panics on damaged workbooks (an error of the file);
    // libFuzzer's hook would abort before the unwind reaches it: the default hook again.
    init: {
        let _ = std::panic::take_hook();
    },
    |sheet: &[u8]| {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in parts() {
        let data = if name == "xl/worksheets/sheet2.xml" { sheet } else { data.as_slice() };
        if w.start_file(name.as_str(), o).is_err() || w.write_all(data).is_err() {
            return;
        }
    }
    let Ok(bytes) = w.finish().map(|c| c.into_inner()) else { return };
    let d = chiso_fuzz::dataset("cao-bang");
    let fw = d.framework("cao-bang-1513-department").expect("the department framework");
    let only = chiso_domain::UnitId("so-y-te".into());
    let _ = chiso_data::template::read("fuzz.xlsx", &bytes, fw, &d.registry, 2020, Some(&only));
});

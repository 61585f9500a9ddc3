//! The XLSX reader on damaged SpreadsheetML: the input is split at the first NUL byte into a
//! worksheet and a styles part, zipped here with a fixed workbook (stored, no compression).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;

const WORKBOOK: &str = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Bảng 1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#;

fuzz_target!(|input: &[u8]| {
    let (sheet, styles) = match input.iter().position(|&b| b == 0) {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => (input, &b""[..]),
    };
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in [
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/styles.xml", styles),
    ] {
        if w.start_file(name, o).is_err() || w.write_all(data).is_err() {
            return;
        }
    }
    let Ok(bytes) = w.finish().map(|c| c.into_inner()) else { return };
    let _ = chiso_audit::read(&bytes, chiso_audit::Format::Xlsx, "fuzz.xlsx");
});

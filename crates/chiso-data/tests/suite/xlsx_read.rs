//! `xlsx_read`, the template's own cell reader: the same cells as calamine, cell for cell,
//! on the seed's template, a large one, LibreOffice's re-save and hand-written XML; what
//! it does not take (a date) is left to calamine.

use calamine::{CellErrorType, Data, Reader};
use chiso_data::xlsx::{self, PART_LIMIT};
use chiso_data::{Dataset, template, xlsx_read};
use chiso_domain::unit::{Unit, UnitId};
use std::io::Write;
use std::path::Path;

type Cells = Vec<(u32, u32, Data)>;

/// Every sheet's cells with calamine (as `template::read` read them) and with `xlsx_read`.
fn both(bytes: &[u8]) -> Vec<(String, Cells, Option<Cells>)> {
    let mut book = xlsx::open(bytes).unwrap();
    let mut fast = xlsx_read::open(bytes, PART_LIMIT).expect("xlsx_read takes the workbook");
    book.sheet_names()
        .into_iter()
        .map(|n| {
            let want = xlsx::cells(&mut book, &n, |_| true).unwrap();
            let got = fast.cells(&n, |_| true);
            (n, want, got)
        })
        .collect()
}

fn assert_same(bytes: &[u8]) -> usize {
    let mut n = 0;
    for (sheet, want, got) in both(bytes) {
        assert_eq!(got.as_ref(), Some(&want), "{sheet}");
        n += want.len();
    }
    n
}

fn cao_bang() -> Dataset {
    Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang")).unwrap()
}

/// A value per cell: numbers (some with decimals), text, nothing.
fn typed(unit: &UnitId, field: &str) -> Option<String> {
    match (unit.0.len() + field.len()) % 4 {
        0 => None,
        1 => Some(format!("{}.25", field.len())),
        2 => Some("không có".into()),
        _ => Some(format!("{}", unit.0.len() * 7)),
    }
}

#[test]
fn the_seed_template_reads_as_calamine_reads_it() {
    let ds = cao_bang();
    let (fw, period) = ds.period(2020, "district").unwrap();
    let units: Vec<&Unit> = period.units.iter().map(|u| ds.registry.get(&u.unit).unwrap()).collect();
    let empty = template::write(fw, 2020, &units).unwrap();
    assert!(assert_same(&empty) > 100);
    let filled = template::write_filled(fw, 2020, &units, &typed).unwrap();
    assert!(assert_same(&filled) > assert_same(&empty));
}

#[test]
fn a_large_template_reads_as_calamine_reads_it() {
    let ds = cao_bang();
    let (fw, period) = ds.period(2020, "district").unwrap();
    let base = ds.registry.get(&period.units[0].unit).unwrap();
    let many: Vec<Unit> = (0..400)
        .map(|i| Unit { id: UnitId(format!("u{i}")), name: format!("Xã & số <{i}>"), ..base.clone() })
        .collect();
    let refs: Vec<&Unit> = many.iter().collect();
    let bytes = template::write_filled(fw, 2020, &refs, &typed).unwrap();
    assert_eq!(both(&bytes).len(), 401);
    assert!(assert_same(&bytes) > 400 * 20);
}

/// LibreOffice's re-save of the seed's template (`soffice --headless --convert-to xlsx`,
/// made once by hand: its own XML, styles and shared strings).
#[test]
fn a_template_resaved_by_libreoffice_reads_as_calamine_reads_it() {
    let bytes =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/template-libreoffice.xlsx")).unwrap();
    assert!(assert_same(&bytes) > 100);
}

fn zip(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

const TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="A &amp; B" sheetId="1" r:id="rId1"/><sheet name="Hai" sheetId="2" r:id="rId2"/></sheets></workbook>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/Sheet2.XML"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const STRINGS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>plain</t></si><si><r><rPr><b/></rPr><t xml:space="preserve">rich </t></r><r><t>text &amp; &#x1EA1;</t></r><rPh><t>phonetic</t></rPh></si><si><t xml:space="preserve">  spaced  </t></si></sst>"#;
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="0.000"/><numFmt numFmtId="165" formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/><xf numFmtId="165"/></cellXfs></styleSheet>"#;

fn sheet(data: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:H9"/><sheetData>{data}</sheetData></worksheet>"#
    )
}

fn book(sheet1: &str) -> Vec<u8> {
    let two = sheet(r#"<row r="2"><c r="B2"><v>7</v></c></row>"#);
    zip(&[
        ("[Content_Types].xml", TYPES),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", RELS),
        ("xl/sharedStrings.xml", STRINGS),
        ("xl/styles.xml", STYLES),
        ("xl/worksheets/sheet1.xml", &sheet(sheet1)),
        // Stored with a backslash and another case: matched as calamine matches it.
        ("xl\\worksheets\\sheet2.xml", &two),
    ])
}

#[test]
fn every_kind_of_cell_reads_as_calamine_reads_it() {
    let bytes = book(concat!(
        // Cells and a row without `r`: the next column, the next row.
        r#"<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c r="E1" t="s"><v>2</v></c><c><v>1.5</v></c></row>"#,
        r#"<row><c t="inlineStr"><is><t>inline &lt;x&gt;</t></is></c><c t="b"><v>1</v></c><c t="b"><v>0</v></c>"#,
        r#"<c t="e"><v>#DIV/0!</v></c><c t="e"><v>#N/A</v></c><c t="str"><f>A1</f><v>formula text</v></c></row>"#,
        r#"<row r="5"><c r="A5" s="1"><v>0.1</v></c><c r="B5" t="n"><v>1e3</v></c><c r="C5" t="n"><v></v></c>"#,
        r#"<c r="D5"><v>not a number</v></c><c r="E5" s="0"><v>-0</v></c><c r="F5"/><c r="G5" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c></row>"#,
    ));
    let all = both(&bytes);
    for (sheet, want, got) in &all {
        assert_eq!(got.as_ref(), Some(want), "{sheet}");
    }
    let (name, cells, _) = &all[0];
    assert_eq!(name, "A & B");
    let s = |t: &str| Data::String(t.into());
    assert_eq!(
        cells,
        &vec![
            (0, 0, s("plain")),
            (0, 1, s("rich text & ạ")),
            (0, 4, s("  spaced  ")),
            (0, 5, Data::Float(1.5)),
            (1, 0, s("inline <x>")),
            (1, 1, Data::Bool(true)),
            (1, 2, Data::Bool(false)),
            (1, 3, Data::Error(CellErrorType::Div0)),
            (1, 4, Data::Error(CellErrorType::NA)),
            (1, 5, s("formula text")),
            (4, 0, Data::Float(0.1)),
            (4, 1, Data::Float(1000.0)),
            (4, 3, s("not a number")),
            (4, 4, Data::Float(-0.0)),
            (4, 6, s("ab")),
        ]
    );
    assert_eq!(all[1].1, vec![(1, 1, Data::Float(7.0))]);
}

#[test]
fn what_it_does_not_take_is_left_to_calamine() {
    let fast = |xml: &str| xlsx_read::open(&book(xml), PART_LIMIT).unwrap().cells("A & B", |_| true);
    // A number styled as a date (built-in or custom format): calamine gives a date.
    assert_eq!(fast(r#"<row r="1"><c r="A1" s="2"><v>45000</v></c></row>"#), None);
    assert_eq!(fast(r#"<row r="1"><c r="A1" s="3"><v>45000</v></c></row>"#), None);
    // A shared string beyond the table, an unknown type, a cell beyond the limits.
    assert_eq!(fast(r#"<row r="1"><c r="A1" t="s"><v>9</v></c></row>"#), None);
    assert_eq!(fast(r#"<row r="1"><c r="A1" t="x"><v>1</v></c></row>"#), None);
    assert_eq!(fast(r#"<row r="1"><c r="XFD1048576"><v>1</v></c></row>"#), None);
    // `_x00HH_` escapes, which calamine decodes.
    assert_eq!(fast(r#"<row r="1"><c r="A1" t="str"><v>a_x000D_b</v></c></row>"#), None);
    // A sheet with no end.
    assert_eq!(fast(r#"<row r="1"><c r="A1"><v>1</v></c></row></sheetData"#), None);
    assert_eq!(xlsx_read::open(&book(""), PART_LIMIT).unwrap().cells("none", |_| true), None);
}

#[test]
fn a_damaged_template_is_refused_as_before() {
    // The same file and sheet errors as calamine's: the fast reader gives way to it.
    let ds = cao_bang();
    let (fw, period) = ds.period(2020, "district").unwrap();
    let unit = ds.registry.get(&period.units[0].unit).unwrap();
    let bytes = template::write_filled(fw, 2020, &[unit], &typed).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).unwrap();
    let mut parts = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut f, &mut text).unwrap();
        if f.name().starts_with("xl/worksheets/") {
            // A shared string beyond the table: calamine panics, read as the sheet's error.
            text =
                text.replacen("</sheetData>", r#"<row r="50"><c r="A50" t="s"><v>99999</v></c></row></sheetData>"#, 1);
        }
        parts.push((f.name().to_string(), text));
    }
    let parts: Vec<(&str, &str)> = parts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let bad = zip(&parts);
    let errors = template::read("t.xlsx", &bad, fw, &ds.registry, 2020, None).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].location.sheet.as_deref(), Some(unit.name.as_str()));
    assert!(format!("{:?}", errors[0].kind).contains("damaged workbook"), "{errors:?}");
}

/// The template's parts, each edited by `edit(name, text)`.
fn edited(bytes: &[u8], edit: impl Fn(&str, String) -> String) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut f, &mut text).unwrap();
        parts.push((f.name().to_string(), edit(f.name(), text)));
    }
    let parts: Vec<(&str, &str)> = parts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    zip(&parts)
}

#[test]
fn numbers_typed_as_dates_are_read_as_calamine_reads_them() {
    // The input cells' style given a date format: calamine reads their numbers as dates,
    // whose text is the serial number; the template's reader gives way to it.
    let ds = cao_bang();
    let (fw, period) = ds.period(2020, "district").unwrap();
    let unit = ds.registry.get(&period.units[0].unit).unwrap();
    let bytes = template::write_filled(fw, 2020, &[unit], &|_, _| Some("3".into())).unwrap();
    let dated = edited(&bytes, |name, text| {
        if name == "xl/styles.xml" {
            text.replace(r#"<xf numFmtId="0" fontId="0" fillId="3""#, r#"<xf numFmtId="14" fontId="0" fillId="3""#)
        } else {
            text
        }
    });
    assert_ne!(dated, bytes);
    assert!(xlsx_read::open(&dated, PART_LIMIT).unwrap().cells(&unit.name, |_| true).is_none());
    let got = template::read("t.xlsx", &dated, fw, &ds.registry, 2020, None).unwrap();
    let mut book = xlsx::open(&dated).unwrap();
    let mut cells = xlsx::cells(&mut book, &unit.name, |c| c == 6).unwrap();
    cells.retain(|(r, _, _)| *r >= 4); // below the header
    assert_eq!(cells.len(), got.cells[0].1.len());
    assert!(cells.iter().all(|(_, _, d)| matches!(d, Data::DateTime(_))), "{cells:?}");
    let texts: Vec<String> = cells.iter().map(|(_, _, d)| d.to_string()).collect();
    assert_eq!(texts, vec!["3".to_string(); cells.len()]);
    assert!(got.cells[0].1.iter().all(|(_, v)| v == "3"), "{:?}", got.cells);
}

use super::*;
use calamine::{Data, Reader, Xlsx};
use std::io::{Cursor, Read};

fn sample() -> Vec<u8> {
    let mut wb = Workbook::in_memory("Thử <nghiệm>");
    let bold = wb.style(Style { bold: true, ..Style::default() });
    let num = wb.style(Style { decimals: Some(2), border: true, align: Some(Align::Center), ..Style::default() });
    let three = wb.style(Style { decimals: Some(3), ..Style::default() });
    let input = wb.style(Style { unlocked: true, fill: Some(0xFFF2CC), border: true, ..Style::default() });
    let setup = Setup {
        name: "Số liệu".into(),
        columns: vec![Column::new(0, 30.0), Column::new(1, 12.5), Column::hidden(3)],
        freeze: Some((1, 1)),
        print: Print { landscape: true, paper: Some(9), fit_width: true, repeat_rows: Some((0, 0)) },
        protect: true,
    };
    let mut s = wb.sheet(&setup).unwrap();
    s.row_height(0, 30.0).unwrap();
    s.string(0, 0, "Đơn vị", bold).unwrap();
    s.string(0, 1, "Điểm", bold).unwrap();
    s.blank(0, 2, bold).unwrap();
    s.merge(0, 1, 0, 2);
    s.string(1, 0, " a & <b> \u{1} ", StyleId::default()).unwrap();
    s.number(1, 1, 45.25, num).unwrap();
    s.number(1, 2, 0.125, three).unwrap();
    s.formula(2, 1, "ROUND(SUM(B2,C2),2)", "45.38", num).unwrap();
    s.blank(2, 6, input).unwrap();
    s.string(2, 7, "Đơn vị", StyleId::default()).unwrap();
    s.validate(&Validation {
        first_row: 2,
        last_row: 2,
        col: 6,
        rule: ValidationRule::List(vec!["Có".into(), "Không \"x\"".into()]),
        error_title: "Giá trị không hợp lệ".into(),
        error: "Chọn Có hoặc Không.".into(),
    })
    .unwrap();
    s.validate(&Validation {
        first_row: 3,
        last_row: 5,
        col: 6,
        rule: ValidationRule::Custom("AND(ISNUMBER(G4),G4>=0)".into()),
        error_title: "t".into(),
        error: "e".into(),
    })
    .unwrap();
    s.finish().unwrap();
    let s = wb.sheet(&Setup { name: "Hai".into(), ..Setup::default() }).unwrap();
    s.finish().unwrap();
    wb.finish().unwrap().into_inner()
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn every_feature_reads_back_with_calamine() {
    let bytes = sample();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
    assert_eq!(book.sheet_names(), vec!["Số liệu".to_string(), "Hai".to_string()]);
    let r = book.worksheet_range("Số liệu").unwrap();
    assert_eq!(r.get_value((0, 0)), Some(&Data::String("Đơn vị".into())));
    // A control character goes in as Excel writes it (`_x0001_`) and comes back as itself.
    assert_eq!(r.get_value((1, 0)), Some(&Data::String(" a & <b> \u{1} ".into())));
    assert_eq!(r.get_value((1, 1)), Some(&Data::Float(45.25)));
    assert_eq!(r.get_value((1, 2)), Some(&Data::Float(0.125)));
    assert_eq!(r.get_value((2, 1)), Some(&Data::Float(45.38)));
    assert_eq!(r.get_value((2, 7)), Some(&Data::String("Đơn vị".into())));
    let f = book.worksheet_formula("Số liệu").unwrap();
    assert_eq!(f.get_value((2, 1)).map(String::as_str), Some("ROUND(SUM(B2,C2),2)"));
    let merged = book.worksheet_merge_cells("Số liệu").unwrap().unwrap();
    assert_eq!(merged.len(), 1);
    assert_eq!((merged[0].start, merged[0].end), ((0, 1), (0, 2)));
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    for expected in [
        "<pane xSplit=\"1\" ySplit=\"1\" topLeftCell=\"B2\" activePane=\"bottomRight\" state=\"frozen\"/>",
        "<col min=\"1\" max=\"1\" width=\"30.7109375\" customWidth=\"1\"/>",
        "<col min=\"4\" max=\"4\" width=\"0\" hidden=\"1\" customWidth=\"1\"/>",
        "<row r=\"1\" ht=\"30\" customHeight=\"1\">",
        "<sheetProtection sheet=\"1\" objects=\"1\" scenarios=\"1\"/>",
        "<formula1>\"Có,Không \"\"x\"\"\"</formula1>",
        "<formula1>AND(ISNUMBER(G4),G4&gt;=0)</formula1>",
        "sqref=\"G3\"",
        "sqref=\"G4:G6\"",
        "<pageSetup paperSize=\"9\" fitToHeight=\"0\" orientation=\"landscape\"/>",
        "<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>",
        // A cell right after a cell with a value goes without its reference, never after a blank.
        "<row r=\"2\"><c t=\"s\"><v>2</v></c><c s=\"2\"><v>45.25</v></c><c s=\"3\"><v>0.125</v></c></row>",
        "<c r=\"G3\" s=\"4\"/><c r=\"H3\" t=\"s\">",
    ] {
        assert!(sheet.contains(expected), "{expected} in {sheet}");
    }
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(workbook.contains("localSheetId=\"0\">'Số liệu'!$1:$1</definedName>"), "{workbook}");
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("<numFmt numFmtId=\"164\" formatCode=\"0.000\"/>"), "{styles}");
    assert!(styles.contains("<protection locked=\"0\"/>") && styles.contains("FFFFF2CC"), "{styles}");
    assert!(part(&bytes, "docProps/core.xml").contains("Thử &lt;nghiệm&gt;"));
}

#[test]
fn the_same_calls_give_the_same_bytes() {
    assert_eq!(sample(), sample());
}

#[test]
fn mistakes_are_errors_not_panics() {
    let mut wb = Workbook::in_memory("x");
    assert!(wb.sheet(&Setup { name: "a/b".into(), ..Setup::default() }).is_err());
    let mut s = wb.sheet(&Setup { name: "A".into(), ..Setup::default() }).unwrap();
    s.string(1, 1, "x", StyleId::default()).unwrap();
    assert!(s.string(1, 0, "x", StyleId::default()).is_err(), "a column to the left");
    assert!(s.string(0, 5, "x", StyleId::default()).is_err(), "a row above");
    assert!(s.number(2, 0, f64::NAN, StyleId::default()).is_err());
    let long = ValidationRule::List((0..100).map(|i| format!("item {i}")).collect());
    let v =
        Validation { first_row: 3, last_row: 3, col: 0, rule: long, error_title: String::new(), error: String::new() };
    assert!(s.validate(&v).is_err());
    s.finish().unwrap();
    assert!(wb.sheet(&Setup { name: "a".into(), ..Setup::default() }).is_err(), "same name whatever the case");
    assert!(wb.finish().is_ok());
    assert!(Workbook::in_memory("x").finish().is_err(), "no sheet");
}

#[test]
fn columns_are_named_as_excel_names_them() {
    assert_eq!([0, 25, 26, 701, 702, 16_383].map(column_name), ["A", "Z", "AA", "ZZ", "AAA", "XFD"]);
    assert_eq!(cell_name(4, 6), "G5");
}

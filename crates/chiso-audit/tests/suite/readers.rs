//! What the readers make of a document: merged cells, bold, decimal commas, the row of a
//! unit that sent no data, headings; spreadsheets with merged headers and numbers stored
//! as numbers or as text; CSV with either delimiter.

use crate::common;
use chiso_audit::model::{Block, Table};
use chiso_audit::{Format, Severity};
use common::*;

fn tables(doc: &chiso_audit::Document) -> Vec<&Table> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

#[test]
fn word_tables_keep_their_merged_cells_bold_and_decimal_commas() {
    let doc = read(&seed("bao-cao-cao-bang-2020.docx"), Format::Docx);
    assert_eq!(doc.decimal_separator, ',');
    let t = tables(&doc);
    assert_eq!(t.len(), 17);
    let b1 = t[0];
    assert_eq!(b1.caption.as_deref().map(|c| c.starts_with("Bảng 1.")), Some(true));
    // "Thứ tự xếp hạng" spans two columns (gridSpan); "TT" runs down two rows (vMerge).
    assert_eq!(b1.rows[0][3].text, "Thứ tự xếp hạng");
    assert_eq!(b1.rows[0][3].span, 2);
    assert_eq!(b1.rows[0][4].origin, Some((0, 3)));
    assert_eq!(b1.rows[1][0].origin, Some((0, 0)));
    assert_eq!(b1.effective(1, 0).unwrap().text, "TT");
    // Totals are bold; numbers keep the decimals they show.
    let gd = &b1.rows[4];
    assert_eq!(gd[1].text, "Sở Giáo dục và Đào tạo");
    assert!(gd[5].bold && !gd[6].bold);
    let n = gd[5].number.unwrap();
    assert_eq!((n.value.to_string().as_str(), n.decimals), ("56.3", 1));
    // Bảng 8: Thạch An's row is one merged cell of text.
    let b8 = t[7];
    let row = b8.rows.iter().find(|r| r[1].text == "Huyện Thạch An").unwrap();
    assert_eq!(row[2].span, 13);
    assert!(row[2].text.starts_with("Không xếp hạng"));
    // Paragraphs in order, headings from the styles.
    let paras: Vec<_> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) if !p.text.is_empty() => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(paras[0].index, 1);
    let h = paras.iter().find(|p| p.text == "I. TỔNG QUAN BÁO CÁO").unwrap();
    assert_eq!(h.heading, Some(1));
}

#[test]
fn excel_sheets_keep_merged_headers_and_read_numbers_stored_as_text() {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Bang 2").unwrap();
    let two = XFormat::new().set_num_format("0.0");
    ws.merge_range(0, 0, 0, 3, "Bảng 2. Hạ tầng kỹ thuật", &XFormat::new()).unwrap();
    ws.merge_range(1, 0, 2, 0, "STT", &XFormat::new()).unwrap();
    ws.merge_range(1, 1, 2, 1, "Tên cơ quan", &XFormat::new()).unwrap();
    ws.merge_range(1, 2, 1, 3, "Hạ tầng kỹ thuật", &XFormat::new()).unwrap();
    ws.write_string(2, 2, "Năm 2020").unwrap();
    ws.write_string(2, 3, "Năm 2019").unwrap();
    ws.write_string(3, 1, "Điểm tối đa").unwrap();
    ws.write_number_with_format(3, 2, 8.0, &two).unwrap();
    ws.write_number_with_format(3, 3, 9.0, &two).unwrap();
    let rows: [(&str, f64, &str); 6] = [
        ("Sở Y tế", 8.0, "8,0"),
        ("Ban Quản lý Khu kinh tế tỉnh", 7.5, "5,0"),
        ("Sở Tài chính", 5.9, "6,0"),
        ("Sở Nội vụ", 7.0, "6,4"),
        ("Sở Xây dựng", 3.0, "2,7"),
        ("Ban Dân tộc", 2.0, "2,0"),
    ];
    for (i, (unit, now, before)) in rows.iter().enumerate() {
        let r = 4 + i as u32;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, *unit).unwrap();
        ws.write_number_with_format(r, 2, *now, &two).unwrap();
        ws.write_string(r, 3, *before).unwrap(); // a number typed as text
    }
    let bytes = wb.save_to_buffer().unwrap();
    let doc = read(&bytes, Format::Xlsx);
    let t = tables(&doc)[0];
    assert_eq!(t.sheet.as_deref(), Some("Bang 2"));
    assert_eq!(t.rows[1][3].origin, Some((1, 2)), "merged header");
    let tc = &t.rows[6];
    assert_eq!(tc[2].text, "5,9");
    assert_eq!(tc[3].number.unwrap().decimals, 1, "text \"6,0\" read as a number");
    let a = audit(&doc);
    assert_eq!(a.tables.len(), 1);
    assert_eq!(a.tables[0].name, "Bảng 2");
    // The maximum row says 9 for 2019: the framework says 8.
    expect(&a, Severity::Error, "max", Some("Bảng 2"), None, Some("9,0"), Some("8,0"));
    // Sorted by 2020 except Nội vụ (7,0) after Tài chính (5,9).
    expect(&a, Severity::Warning, "order", Some("Bảng 2"), Some("Sở Nội vụ"), Some("7,0"), None);
    let f = a.findings.iter().find(|f| f.check == "max").unwrap();
    assert_eq!(f.location.cell.as_deref(), Some("D4"));
}

#[test]
fn csv_with_semicolons_and_decimal_commas() {
    let csv = "TT;Đơn vị;Tổng điểm;Hạ tầng kỹ thuật;Ứng dụng CNTT;Cung cấp thông tin trên Trang TTĐT;Cung cấp DVCTT;Nhân lực;Chính sách\n\
               1;Sở Y tế;53,7;8,0;14,9;18,0;2,8;5,0;5,0\n\
               2;Sở Giao duc;50,0;8,0;14,0;18,0;2,0;4,0;4,0\n";
    let doc = chiso_audit::read(csv.as_bytes(), Format::Csv, "bang.csv").unwrap();
    assert_eq!(doc.decimal_separator, ',');
    let a = audit(&doc);
    assert_eq!(a.tables.len(), 1);
    // Unknown names are reported with the closest known ones, never dropped.
    let f = a.findings.iter().find(|f| f.check == "unknown-unit").expect("unknown unit");
    assert_eq!(f.unit.as_deref(), Some("Sở Giao duc"));
    assert!(
        f.message(chiso_audit::Lang::Vi).contains("Sở Giáo dục và Đào tạo"),
        "{}",
        f.message(chiso_audit::Lang::Vi)
    );
    // Its row is still checked: 8,0 + 14,0 + 18,0 + 2,0 + 4,0 + 4,0 = 50,0.
    assert!(!a.findings.iter().any(|f| f.check == "sum"));
}

//! The seed report (Cao Bằng 2020, made by hand) as Word and Excel files: the auditor
//! finds what is wrong in it with generic checks only.

use crate::common;
use chiso_audit::{Format, Severity::*};
use common::*;

fn docx() -> chiso_audit::Audit {
    audit(&read(&seed("bao-cao-cao-bang-2020.docx"), Format::Docx))
}

fn xlsx() -> chiso_audit::Audit {
    audit(&read(&seed("bang-diem-cao-bang-2020.xlsx"), Format::Xlsx))
}

/// What both files show in their tables.
fn table_findings(a: &chiso_audit::Audit) {
    // Bảng 1: totals against their six groups.
    expect(a, Rounding, "sum", Some("Bảng 1"), Some("Sở Tư pháp"), Some("45,1"), Some("45,2"));
    expect(a, Error, "sum", Some("Bảng 1"), Some("Văn phòng UBND tỉnh"), Some("44,2"), Some("45,2"));
    expect(a, Rounding, "sum", Some("Bảng 1"), Some("Sở Văn hóa, TT&DL"), Some("44,0"), Some("44,1"));
    // Bảng 1: 39,7 ranked 13th above 40,1 and 40,0; the two 39,7 share rank 15.
    expect(a, Error, "rank", Some("Bảng 1"), Some("Sở Kế hoạch và Đầu tư"), Some("13"), Some("15"));
    expect(a, Error, "rank", Some("Bảng 1"), Some("Ban Dân tộc"), Some("14"), Some("13"));
    expect(a, Error, "rank", Some("Bảng 1"), Some("Sở Giao thông vận tải"), Some("15"), Some("14"));
    expect(a, Error, "rank", Some("Bảng 1"), Some("Sở Khoa học và Công nghệ"), Some("16"), Some("15"));
    // With the total its parts give, the Provincial Office ties for 7th.
    expect(a, Error, "rank", Some("Bảng 1"), Some("Văn phòng UBND tỉnh"), Some("8"), Some("7"));
    // Two departments with every group identical.
    expect(a, Warning, "duplicate-row", Some("Bảng 1"), Some("Sở Khoa học và Công nghệ"), None, None);
    // Bảng 8: printed groups rounded from sub-criteria, one hundredth off.
    for (unit, printed, expected) in [
        ("Thành phố Cao Bằng", "48,02", "48,01"),
        ("Thành phố Cao Bằng", "78,17", "78,18"),
        ("Huyện Hòa An", "23,79", "23,78"),
        ("Huyện Bảo Lạc", "28,56", "28,55"),
        ("Huyện Bảo Lâm", "51,77", "51,76"),
        ("Huyện Quảng Hòa", "28,06", "28,05"),
    ] {
        expect(a, Rounding, "sum", Some("Bảng 8"), Some(unit), Some(printed), Some(expected));
    }
    // Interaction of TP Cao Bằng / Hòa An: Bảng 8 (which adds up) against Bảng 13 and 15.
    for t in ["Bảng 13", "Bảng 15"] {
        expect(a, Error, "conflict", Some(t), Some("Cao Bằng"), Some("22,50"), Some("22,25"));
        expect(a, Error, "conflict", Some(t), Some("Hòa An"), Some("22,25"), Some("18,86"));
    }
    expect(a, Error, "sum", Some("Bảng 13"), Some("Hòa An"), Some("42,62"), Some("46,01"));
    // Bảng 16 is headed 2019 | 2018 but holds 2020 | 2019; Bảng 17 is headed "Giao dịch"
    // but holds the transformation values.
    expect(a, Error, "header", Some("Bảng 16"), None, Some("Năm 2019"), Some("Năm 2020"));
    expect(a, Error, "header", Some("Bảng 16"), None, Some("Năm 2018"), Some("Năm 2019"));
    expect(a, Error, "header", Some("Bảng 17"), None, Some("Giao dịch"), Some("Chuyển đổi"));
    // Bảng 9 is sorted by readiness except Hạ Lang after Nguyên Bình.
    expect(a, Warning, "order", Some("Bảng 9"), Some("Huyện Hạ Lang"), Some("25,32"), None);
    // Once Bảng 16 and 17 are read as what they hold, no other value is printed two ways.
    let conflicts = a.findings.iter().filter(|f| f.check == "conflict").count();
    assert_eq!(conflicts, 4, "only the two interaction values, twice each");
}

#[test]
fn the_word_report_tables() {
    table_findings(&docx());
}

#[test]
fn the_excel_workbook_tables() {
    let a = xlsx();
    table_findings(&a);
    // Spreadsheet findings name their cell.
    let f = a.findings.iter().find(|f| f.check == "sum" && f.printed.as_deref() == Some("44,2")).unwrap();
    assert_eq!(f.location.cell.as_deref(), Some("F13"));
    assert_eq!(f.location.row, Some(13));
}

#[test]
fn word_and_excel_agree_on_every_table_finding() {
    let key = |a: &chiso_audit::Audit| {
        let mut v: Vec<_> = a
            .findings
            .iter()
            .filter(|f| f.location.table.is_some())
            .map(|f| {
                (f.severity, f.check, f.location.table.clone(), f.unit.clone(), f.printed.clone(), f.expected.clone())
            })
            .collect();
        v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        v
    };
    assert_eq!(key(&docx()), key(&xlsx()));
}

#[test]
fn the_narrative() {
    let a = docx();
    // "đều tăng so với năm 2019": four departments fell.
    expect(&a, Error, "narrative-change", None, None, Some("đều tăng"), Some("16/20"));
    // Ứng dụng CNTT: 11,8 of 16 is 73,75 %, 73,8 half-up.
    expect(&a, Rounding, "narrative-percent", None, Some("Tài nguyên"), Some("73,7%"), Some("73,8%"));
    // Online services: the Provincial Office has 6,0; Công thương has 3,3, not 3,9; the gap.
    expect(&a, Error, "narrative-extreme", None, None, Some("3,9"), Some("6,0"));
    expect(&a, Error, "narrative-value", None, Some("Sở Công thương"), Some("3,9"), Some("3,3"));
    expect(&a, Error, "narrative-percent", None, Some("Thanh tra"), Some("3,0%"), Some("3,3%"));
    expect(&a, Error, "narrative-gap", None, None, Some("3,7"), Some("5,8"));
    // Policy: Sở Nội vụ twice; Khoa học và Công nghệ also has the lowest 3,0.
    expect(&a, Warning, "narrative-duplicate", None, Some("Sở Nội vụ"), None, None);
    expect(&a, Warning, "narrative-tie", None, Some("Sở Khoa học và Công nghệ"), None, None);
    // Districts: the gap of the printed totals is not that of their parts.
    expect(&a, Rounding, "narrative-gap", None, None, Some("33,79"), Some("33,80"));
    expect(&a, Rounding, "narrative-value", None, Some("Quảng Hòa"), Some("44,38"), Some("44,37"));
    // Readiness: 16,32 of 40 is 40,8 % → 41 %; the gap is 13,84.
    expect(&a, Rounding, "narrative-percent", None, Some("Quảng Hòa"), Some("40%"), Some("41%"));
    expect(&a, Error, "narrative-gap", None, None, Some("13,86"), Some("13,84"));
    // Infrastructure: the lowest is Bảo Lâm (10,41), not Quảng Hòa (10,61).
    expect(&a, Error, "narrative-extreme", None, Some("Quảng Hòa"), Some("10,61"), Some("10,41"));
    expect(&a, Error, "narrative-gap", None, None, Some("5,73"), Some("5,93"));
    // Presence: the paragraph speaks of "cơ chế, chính sách"; 23 of 38 is 61 %.
    expect(&a, Warning, "narrative-criterion", None, None, None, Some("Mức độ hiện diện"));
    expect(&a, Rounding, "narrative-percent", None, Some("Trùng Khánh"), Some("60%"), Some("61%"));
    // Interaction: the lowest is Trùng Khánh (17,69); the gap 6,43.
    expect(&a, Error, "narrative-extreme", None, Some("Quảng Hòa"), Some("18,79"), Some("17,69"));
    expect(&a, Error, "narrative-gap", None, None, Some("5,33"), Some("6,43"));
    expect(&a, Rounding, "narrative-percent", None, Some("Quảng Hòa"), Some("62%"), Some("63%"));
    // Transaction: "mức độ tương tác" in the transaction paragraph.
    expect(&a, Warning, "narrative-criterion", None, None, Some("Mức độ tương tác"), Some("Mức độ giao dịch"));
    // Transformation: Hòa An twice, Hạ Lang left out, "mức độ giao dịch".
    expect(&a, Warning, "narrative-duplicate", None, Some("Huyện Hòa An"), None, None);
    expect(&a, Warning, "narrative-tie", None, Some("Huyện Hạ Lang"), None, None);
    expect(&a, Warning, "narrative-criterion", None, None, Some("Mức độ giao dịch"), Some("Mức độ chuyển đổi"));
    // Narrative findings point at their paragraph and the heading above it.
    let gap = a.findings.iter().find(|f| f.printed.as_deref() == Some("3,7")).unwrap();
    assert!(gap.location.paragraph.is_some());
    assert!(gap.location.heading.as_deref().unwrap().contains("dịch vụ công trực tuyến"));
}

#[test]
fn true_claims_are_not_flagged() {
    let a = docx();
    let flagged = |s: &str| a.findings.iter().any(|f| f.printed.as_deref() == Some(s));
    // 23,4 (gap of departments), 99,4 %, 56,3, "Có 01 cơ quan đạt Mức I; 04 …".
    for ok in ["23,4", "99,4%", "56,3", "01", "04", "06", "03", "4,1", "11,0", "19,96", "15,0", "2,0"] {
        assert!(!flagged(ok), "{ok} is right");
    }
}

#[test]
fn the_transcribed_csv_tables_read_as_one_document() {
    let dir = root().join("data/cao-bang/seed");
    let docs = (1..=17)
        .map(|i| {
            let name = format!("bang{i:02}.csv");
            chiso_audit::read(&std::fs::read(dir.join(&name)).unwrap(), Format::Csv, &name).unwrap()
        })
        .collect();
    let doc = chiso_audit::merge(docs);
    assert_eq!(doc.decimal_separator, '.');
    let a = audit(&doc);
    assert_eq!(a.tables.len(), 17);
    expect(&a, Error, "sum", Some("Bảng 1"), Some("Văn phòng UBND tỉnh"), Some("44.2"), Some("45.2"));
    expect(&a, Error, "header", Some("Bảng 16"), None, Some("transaction_2019"), Some("transaction_2020"));
    expect(&a, Error, "header", Some("Bảng 17"), None, Some("transaction_2020"), Some("transformation_2020"));
    expect(&a, Error, "conflict", Some("Bảng 15"), Some("Hòa An"), Some("22.25"), Some("18.86"));
}

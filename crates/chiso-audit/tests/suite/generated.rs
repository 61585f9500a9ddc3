//! A report chiso generates audits clean; change one number in it and the auditor flags
//! exactly that place.

use crate::common;
use chiso_audit::{Audit, Finding, Format, Severity};
use chiso_domain::Decimal;
use chiso_report::model::{Block, Document, Value};
use common::*;

fn audit_docx(doc: &Document) -> Audit {
    audit(&read(&docx_of(doc), Format::Docx))
}

fn audit_xlsx(doc: &Document) -> Audit {
    audit(&read(&xlsx_of(doc), Format::Xlsx))
}

#[test]
fn a_generated_report_audits_clean() {
    let g = generated();
    for (name, a) in [("docx", audit_docx(&g)), ("xlsx", audit_xlsx(&g))] {
        let serious: Vec<&Finding> = a.findings.iter().filter(|f| f.severity != Severity::Warning).collect();
        if !serious.is_empty() {
            dump(&a);
        }
        assert!(serious.is_empty(), "{name}: {} errors/rounding", serious.len());
        assert_eq!(a.tables.iter().filter(|t| t.name.starts_with("Bảng")).count(), 17, "{name}");
        // The only warning: the data's two departments with identical groups (as in the seed).
        assert!(a.findings.iter().all(|f| f.check == "duplicate-row"), "{name}");
    }
}

type Key = (&'static str, Option<String>, Option<String>, Option<String>, Option<String>, Option<usize>);

fn key(f: &Finding) -> Key {
    (f.check, f.location.table.clone(), f.unit.clone(), f.printed.clone(), f.expected.clone(), f.location.paragraph)
}

/// The findings the mutation added.
fn new_findings(clean: &Audit, mutated: &Audit) -> Vec<Finding> {
    let before: Vec<Key> = clean.findings.iter().map(key).collect();
    mutated.findings.iter().filter(|f| !before.contains(&key(f))).cloned().collect()
}

/// Sets the number in table `number`, the row of `unit`, cell `column` (as the model counts cells).
fn set(doc: &mut Document, number: u32, unit: &str, column: usize, value: Decimal) {
    for b in &mut doc.body {
        if let Block::Table(t) = b
            && t.number == number
        {
            let row = t.rows.iter_mut().find(|r| r.cells.get(1).is_some_and(|c| c.printed() == unit)).expect("row");
            match &mut row.cells[column].value {
                Value::Number { value: v, .. } => *v = value,
                Value::Int(n) => *n = value.try_into().unwrap(),
                other => panic!("not a number: {other:?}"),
            }
            return;
        }
    }
    panic!("no table {number}");
}

fn replace_text(doc: &mut Document, from: &str, to: &str) {
    for b in &mut doc.body {
        if let Block::Paragraph(p) = b {
            for r in &mut p.runs {
                if r.text.contains(from) {
                    r.text = r.text.replacen(from, to, 1);
                    return;
                }
            }
        }
    }
    panic!("no text {from}");
}

#[track_caller]
fn only(found: &[Finding], severity: Severity, check: &str, table: Option<&str>, printed: &str, expected: &str) {
    let shown: Vec<String> = found.iter().map(show).collect();
    assert_eq!(found.len(), 1, "{shown:#?}");
    let f = &found[0];
    assert_eq!((f.severity, f.check), (severity, check), "{shown:#?}");
    assert_eq!(f.location.table.as_deref(), table, "{shown:#?}");
    assert_eq!((f.printed.as_deref(), f.expected.as_deref()), (Some(printed), Some(expected)), "{shown:#?}");
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn a_changed_total_is_flagged_where_it_is() {
    let clean = generated();
    let base = audit_docx(&clean);
    let mut m = clean.clone();
    set(&mut m, 1, "Sở Giáo dục và Đào tạo", 5, d("56.9"));
    let found = new_findings(&base, &audit_docx(&m));
    only(&found, Severity::Error, "sum", Some("Bảng 1"), "56,9", "56,3");
    assert_eq!(found[0].unit.as_deref(), Some("Sở Giáo dục và Đào tạo"));
    assert_eq!(found[0].location.column.as_deref(), Some("Tổng điểm / Năm 2020"));
}

#[test]
fn a_changed_rank_is_flagged_where_it_is() {
    let clean = generated();
    let base = audit_docx(&clean);
    let mut m = clean.clone();
    set(&mut m, 1, "Sở Công thương", 3, d("7"));
    let found = new_findings(&base, &audit_docx(&m));
    only(&found, Severity::Error, "rank", Some("Bảng 1"), "7", "5");
    assert_eq!(found[0].unit.as_deref(), Some("Sở Công thương"));
}

#[test]
fn a_value_changed_in_one_of_two_tables_is_flagged_there() {
    let clean = generated();
    let base = audit_docx(&clean);
    let mut m = clean.clone();
    // Bảng 2 (infrastructure, 2020 | 2019): Sở Tài chính's 2020 value, also printed in Bảng 1.
    set(&mut m, 2, "Sở Tài chính", 2, d("5.5"));
    let found = new_findings(&base, &audit_docx(&m));
    only(&found, Severity::Error, "conflict", Some("Bảng 2"), "5,5", "5,9");
    assert_eq!(found[0].unit.as_deref(), Some("Sở Tài chính"));
}

#[test]
fn a_changed_percentage_in_a_sentence_is_flagged_in_its_paragraph() {
    let clean = generated();
    let base = audit_docx(&clean);
    let mut m = clean.clone();
    replace_text(&mut m, "đạt 93,8% điểm tối đa", "đạt 94,8% điểm tối đa");
    let found = new_findings(&base, &audit_docx(&m));
    only(&found, Severity::Error, "narrative-percent", None, "94,8%", "93,8%");
    let p = found[0].location.paragraph.expect("a paragraph");
    assert!(found[0].location.heading.as_deref().unwrap().contains("Kết quả tổng hợp"), "{p}");
}

#[test]
fn a_changed_gap_and_a_changed_lowest_unit_are_flagged() {
    let clean = generated();
    let base = audit_docx(&clean);
    let mut m = clean.clone();
    replace_text(&mut m, "có điểm số thấp nhất là 23,4 điểm", "có điểm số thấp nhất là 24,3 điểm");
    let found = new_findings(&base, &audit_docx(&m));
    only(&found, Severity::Error, "narrative-gap", None, "24,3", "23,4");

    let mut m = clean.clone();
    replace_text(&mut m, "Huyện Bảo Lâm có điểm thấp nhất (10,41 điểm", "Huyện Hà Quảng có điểm thấp nhất (10,41 điểm");
    let found = new_findings(&base, &audit_docx(&m));
    assert!(
        found.iter().any(|f| f.check == "narrative-value" && f.unit.as_deref() == Some("Huyện Hà Quảng")),
        "{found:#?}"
    );
    assert!(found.iter().all(|f| f.location.paragraph == found[0].location.paragraph));
}

#[test]
fn a_changed_total_in_the_workbook_is_flagged_in_its_cell() {
    let clean = generated();
    let base = audit_xlsx(&clean);
    let mut m = clean.clone();
    set(&mut m, 8, "Huyện Hà Quảng", 5, d("71.40"));
    let found = new_findings(&base, &audit_xlsx(&m));
    only(&found, Severity::Error, "sum", Some("Bảng 8"), "71,40", "71,04");
    assert_eq!(found[0].location.cell.as_deref(), Some("F7"));
}

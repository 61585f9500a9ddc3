//! What a sentence compares: the best and worst of a criterion among the units scored on it
//! (a unit the report declares scored by a not-applicable policy is left out), and counts and
//! rank moves among the units the sentence says are comparable with last year (a comparison
//! declared by their lineage, less any the sentence leaves out), with places counted within
//! that group. Real values of the Cao Bằng 2020 report.

use crate::common;
use chiso_audit::{Audit, Finding, Format, Severity};
use chiso_report::model::{Block, Document, Run};
use common::*;

fn audit_docx(doc: &Document) -> Audit {
    audit(&read(&docx_of(doc), Format::Docx))
}

fn text_of(p: &chiso_report::model::Paragraph) -> String {
    p.runs.iter().map(|r| r.text.as_str()).collect()
}

/// Replaces `from` by `to` in the (first) paragraph that contains it, its runs made one.
fn edit(doc: &mut Document, from: &str, to: &str) {
    for b in &mut doc.body {
        if let Block::Paragraph(p) = b {
            let t = text_of(p);
            if t.contains(from) {
                p.runs = vec![Run { text: t.replace(from, to), ..Default::default() }];
                return;
            }
        }
    }
    panic!("no text {from}");
}

/// Sets the whole text of the paragraph that contains `needle`.
fn set_paragraph(doc: &mut Document, needle: &str, text: &str) {
    for b in &mut doc.body {
        if let Block::Paragraph(p) = b
            && text_of(p).contains(needle)
        {
            p.runs = vec![Run { text: text.into(), ..Default::default() }];
            return;
        }
    }
    panic!("no text {needle}");
}

/// Removes the paragraphs, and the notes under tables, that contain `needle`.
fn remove_paragraphs(doc: &mut Document, needle: &str) -> usize {
    let before = doc.body.len();
    doc.body.retain(|b| !matches!(b, Block::Paragraph(p) if text_of(p).contains(needle)));
    let mut removed = before - doc.body.len();
    for b in &mut doc.body {
        if let Block::Table(t) = b {
            let n = t.notes.len();
            t.notes.retain(|p| !text_of(p).contains(needle));
            removed += n - t.notes.len();
        }
    }
    removed
}

/// Online services, 2020 against 2019: 20 comparable departments (the Provincial Office's
/// 6,0 → 6,0 is by the not-applicable policy); 11 rose, 7 fell, Ban Dân tộc (1,0 → 1,0) and the
/// Provincial Office unchanged.
fn online_services_changes(group: &str, unchanged: &str) -> String {
    format!(
        "So với năm 2019, trong {group} cơ quan so sánh được: 11 cơ quan tăng điểm, 07 cơ quan giảm điểm, {unchanged} \
         cơ quan không đổi; tăng nhiều nhất: Sở Nông nghiệp và Phát triển nông thôn (từ 0,0 lên 2,2 điểm); giảm nhiều \
         nhất: Sở Thông tin và Truyền thông (từ 3,1 xuống 0,8 điểm)."
    )
}

/// The generated report with its online-services change sentence in one consistent form
/// (the group of 20 with the Provincial Office among the unchanged).
fn report() -> Document {
    let mut doc = generated();
    set_paragraph(&mut doc, "cơ quan so sánh được: 11 cơ quan tăng điểm", &online_services_changes("20", "02"));
    doc
}

fn serious(a: &Audit) -> Vec<&Finding> {
    a.findings.iter().filter(|f| f.severity != Severity::Warning).collect()
}

fn shown(found: &[&Finding]) -> Vec<String> {
    found.iter().map(|f| show(f)).collect()
}

/// The serious findings of a changed report, all of them.
#[track_caller]
fn errors_of(doc: &Document) -> Vec<Finding> {
    serious(&audit_docx(doc)).into_iter().cloned().collect()
}

#[track_caller]
fn one(found: &[Finding], check: &str, printed: &str, expected: &str) -> Finding {
    let refs: Vec<&Finding> = found.iter().collect();
    let matching: Vec<&Finding> = found
        .iter()
        .filter(|f| {
            f.check == check && f.printed.as_deref() == Some(printed) && f.expected.as_deref() == Some(expected)
        })
        .collect();
    assert_eq!(matching.len(), 1, "{check} {printed} → {expected}: {:#?}", shown(&refs));
    matching[0].clone()
}

#[test]
fn the_report_audits_clean_once_its_change_sentence_is_consistent() {
    let found = errors_of(&report());
    assert!(found.is_empty(), "{:#?}", shown(&found.iter().collect::<Vec<_>>()));
}

#[test]
fn the_best_is_chosen_among_the_units_scored_when_the_report_declares_the_not_applicable_one() {
    // Declared (a paragraph and the note under Bảng 5): the best is 3,9 and the gap 3,7.
    let clean = report();
    assert!(errors_of(&clean).is_empty());

    // The declaration in the table's note is enough.
    let mut m = clean.clone();
    assert_eq!(remove_paragraphs(&mut m, "không so sánh với các cơ quan khác ở tiêu chí này"), 1);
    assert!(errors_of(&m).is_empty(), "{:#?}", errors_of(&m));
    // And the paragraph alone.
    let mut m = clean.clone();
    assert_eq!(remove_paragraphs(&mut m, "được tính điểm tối đa ở tiêu chí này"), 1);
    assert!(errors_of(&m).is_empty(), "{:#?}", errors_of(&m));

    // Not declared: the Provincial Office's 6,0 is the highest, as in the hand-made report.
    let mut m = clean.clone();
    assert_eq!(remove_paragraphs(&mut m, "không áp dụng"), 2);
    let found = errors_of(&m);
    let f = one(&found, "narrative-extreme", "3,9", "6,0");
    assert!(f.unit.as_deref().unwrap().contains("Sở Giao thông vận tải"));
    one(&found, "narrative-gap", "3,7", "5,8");
    // Its change counts are then read over all 20 departments and still hold.
    assert_eq!(found.len(), 2, "{:#?}", shown(&found.iter().collect::<Vec<_>>()));

    // Declared, and the gap given with the Provincial Office: wrong, said among the others.
    let mut m = clean.clone();
    edit(&mut m, "có điểm số thấp nhất là 3,7 điểm", "có điểm số thấp nhất là 5,8 điểm");
    let found = errors_of(&m);
    assert_eq!(found.len(), 1);
    let f = one(&found, "narrative-gap", "5,8", "3,7");
    assert!(f.message(chiso_audit::Lang::Vi).contains("không tính Văn phòng Ủy ban nhân dân tỉnh"), "{}", show(&f));

    // Declared, and the Provincial Office named the best: not among the units scored.
    let mut m = clean.clone();
    edit(
        &mut m,
        "Sở Giao thông vận tải, Sở Kế hoạch và Đầu tư và Sở Khoa học và Công nghệ cùng có điểm cao nhất (3,9 điểm, đạt \
         65,0% điểm tối đa)",
        "Văn phòng Ủy ban nhân dân tỉnh có điểm cao nhất (6,0 điểm, đạt 100,0% điểm tối đa)",
    );
    let found = errors_of(&m);
    let f = one(&found, "narrative-extreme", "6,0", "3,9");
    assert!(f.message(chiso_audit::Lang::Vi).contains("Sở Khoa học và Công nghệ"), "{}", show(&f));
}

#[test]
fn counts_are_taken_in_the_group_the_sentence_states() {
    let clean = report();
    // 19 without the Provincial Office (one unchanged) or 20 with it (two): both read right.
    let mut m = clean.clone();
    set_paragraph(&mut m, "cơ quan so sánh được: 11 cơ quan tăng điểm", &online_services_changes("19", "01"));
    assert!(errors_of(&m).is_empty(), "{:#?}", errors_of(&m));
    // 19 compared, yet 11 + 7 + 2 = 20: the unchanged are one among those 19.
    set_paragraph(&mut m, "cơ quan so sánh được: 11 cơ quan tăng điểm", &online_services_changes("19", "02"));
    let found = errors_of(&m);
    assert_eq!(found.len(), 1, "{:#?}", shown(&found.iter().collect::<Vec<_>>()));
    let f = one(&found, "narrative-count", "02", "01");
    assert!(f.message(chiso_audit::Lang::Vi).contains("trong 19 đơn vị so sánh được"), "{}", show(&f));
    // 20 compared, yet one unchanged: the Provincial Office is the second.
    set_paragraph(&mut m, "cơ quan so sánh được: 11 cơ quan tăng điểm", &online_services_changes("20", "01"));
    let found = errors_of(&m);
    assert_eq!(found.len(), 1, "{:#?}", shown(&found.iter().collect::<Vec<_>>()));
    one(&found, "narrative-count", "01", "02");

    // Districts: all 9 with figures are comparable by the comparison their lineage declares
    // (Hà Quảng and Trùng Khánh continue themselves, Quảng Hòa continues Quảng Uyên); 6 rose,
    // 3 fell.
    const DECLARED: &str = "(Huyện Hà Quảng so với Huyện Hà Quảng trước sắp xếp; Huyện Trùng Khánh so với Huyện \
                            Trùng Khánh trước sắp xếp; Huyện Quảng Hòa so với Huyện Quảng Uyên)";
    let summary = format!("trong 09 đơn vị có số liệu cả hai năm {DECLARED}, tổng điểm đánh giá có 06 đơn vị tăng");
    let mut m = clean.clone();
    edit(&mut m, &summary, &summary.replace("trong 09", "trong 06"));
    let found = errors_of(&m);
    assert_eq!(found.len(), 1, "{:#?}", shown(&found.iter().collect::<Vec<_>>()));
    one(&found, "narrative-count", "06", "09");

    let mut m = clean.clone();
    edit(&mut m, "có 06 đơn vị tăng và 03 đơn vị giảm", "có 07 đơn vị tăng và 02 đơn vị giảm");
    let found = errors_of(&m);
    assert_eq!(found.len(), 2, "{:#?}", shown(&found.iter().collect::<Vec<_>>()));
    one(&found, "narrative-count", "07", "06");
    one(&found, "narrative-count", "02", "03");

    // A sentence may leave the merged units out itself, as a hand-made report would: then
    // 6 are compared, 3 rose and 3 fell, and that reads right.
    let hand_made = "trong 06 đơn vị có số liệu cả hai năm (không tính Huyện Hà Quảng, Huyện Trùng Khánh và Huyện \
                     Quảng Hòa do sáp nhập), tổng điểm đánh giá có 03 đơn vị tăng và 03 đơn vị giảm";
    let mut m = clean.clone();
    edit(&mut m, &format!("{summary} và 03 đơn vị giảm"), hand_made);
    assert!(errors_of(&m).is_empty(), "{:#?}", errors_of(&m));
    // Its counts are then taken in those 6.
    edit(&mut m, hand_made, &hand_made.replace("có 03 đơn vị tăng", "có 04 đơn vị tăng"));
    let found = errors_of(&m);
    assert_eq!(found.len(), 1, "{:#?}", shown(&found.iter().collect::<Vec<_>>()));
    let f = one(&found, "narrative-count", "04", "03");
    assert!(f.message(chiso_audit::Lang::Vi).contains("Huyện Quảng Hòa do sáp nhập"), "{}", show(&f));

    // The units said to be left out for a merger must have been formed by one.
    let mut m = clean.clone();
    edit(
        &mut m,
        &format!("{summary} và 03 đơn vị giảm"),
        &hand_made.replace("Huyện Trùng Khánh và", "Huyện Bảo Lâm và"),
    );
    let found = errors_of(&m);
    assert!(
        found.iter().any(|f| (f.check, f.unit.as_deref()) == ("narrative-count", Some("Huyện Bảo Lâm"))),
        "{:#?}",
        shown(&found.iter().collect::<Vec<_>>())
    );

    let mut m = clean.clone();
    edit(&mut m, "trong 09 đơn vị có thứ hạng so sánh được", "trong 06 đơn vị có thứ hạng so sánh được");
    let found = errors_of(&m);
    assert_eq!(found.len(), 1, "{:#?}", shown(&found.iter().collect::<Vec<_>>()));
    one(&found, "narrative-count", "06", "09");
}

#[test]
fn rank_moves_are_counted_within_the_comparable_group() {
    // Printed ranks 2019 (among 13 districts) → 2020 (among 9) of the nine comparable ones:
    // Cao Bằng 4 → 1, Hà Quảng 7 → 2, Trùng Khánh 9 → 3, Hòa An 6 → 4, Nguyên Bình 3 → 5,
    // Bảo Lạc 12 → 6, Hạ Lang 5 → 7, Bảo Lâm 8 → 8, Quảng Hòa (Quảng Uyên's) 13 → 9; among
    // themselves 2019: 2, 5, 7, 4, 1, 8, 3, 6, 9. Trùng Khánh rose most, 4 places.
    let clean = report();
    let mut m = clean.clone();
    edit(&mut m, "tăng 4 bậc trong nhóm so sánh được", "tăng 6 bậc trong nhóm so sánh được");
    let found = errors_of(&m);
    assert_eq!(found.len(), 1, "{:#?}", shown(&found.iter().collect::<Vec<_>>()));
    assert_eq!((found[0].check, found[0].expected.as_deref()), ("narrative-rank", Some("4")));
    assert_eq!(found[0].unit.as_deref(), Some("Huyện Trùng Khánh"));
    assert!(found[0].message(chiso_audit::Lang::Vi).contains("thứ hạng trong 9 đơn vị so sánh được"));

    // The same sentence without its scope (as a hand-made report would write it): the
    // printed ranks are compared, and Trùng Khánh's and Bảo Lạc's 6 places are the largest rise.
    let mut m = clean.clone();
    let scope = "; trong 09 đơn vị có thứ hạng so sánh được với năm 2019 (Huyện Hà Quảng so với Huyện Hà Quảng trước \
                 sắp xếp; Huyện Trùng Khánh so với Huyện Trùng Khánh trước sắp xếp; Huyện Quảng Hòa so với Huyện Quảng \
                 Uyên), đơn vị";
    edit(&mut m, scope, "; đơn vị");
    edit(&mut m, " trong nhóm so sánh được:", ":");
    let found = errors_of(&m);
    assert!(
        found.iter().any(|f| f.check == "narrative-rank"
            && f.printed.as_deref() == Some("4")
            && f.expected.as_deref() == Some("6")),
        "{:#?}",
        shown(&found.iter().collect::<Vec<_>>())
    );
}

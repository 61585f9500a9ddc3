//! The blocks Nghị định 30/2020 fixes: issuing body (bold, a short drawn rule under it)
//! and number on the left, the national motto (its drawn rule as long as the line) and the
//! date line on the right; at the end "Nơi nhận" and the signature block.

use crate::docx::{Fmt, TEXT_W, escape_run as run, para};
use crate::layout::text_width;
use crate::model::Document;

/// Default cell margins of a table (left + right), from the styles part.
const CELL_MARGINS: u32 = 216;
const BODY_SIZE: u32 = 26;
const MOTTO_SIZE: u32 = 24;

/// A drawn horizontal rule `width` twips long, centred in a cell `cell` twips wide.
fn rule(cell: u32, width: u32) -> String {
    let inside = cell.saturating_sub(CELL_MARGINS);
    let indent = inside.saturating_sub(width) / 2;
    format!(
        "<w:p><w:pPr><w:pBdr><w:top w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>\
         <w:spacing w:before=\"20\" w:after=\"0\" w:line=\"160\" w:lineRule=\"exact\"/><w:ind w:left=\"{indent}\" w:right=\"{indent}\"/>\
         <w:rPr><w:sz w:val=\"8\"/></w:rPr></w:pPr></w:p>"
    )
}

fn no_borders_table(left_w: u32, right_w: u32, rows: &str) -> String {
    format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_W}\" w:type=\"dxa\"/><w:tblBorders><w:top w:val=\"nil\"/><w:left w:val=\"nil\"/>\
         <w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders>\
         <w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"{left_w}\"/><w:gridCol w:w=\"{right_w}\"/></w:tblGrid>\
         {rows}</w:tbl>"
    )
}

fn cell(w: u32, paras: &str) -> String {
    format!("<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr>{paras}</w:tc>")
}

pub(crate) fn header_block(doc: &Document) -> String {
    let left_w = TEXT_W * 2 / 5;
    let right_w = TEXT_W - left_w;
    let line = |text: &str, f: Fmt| para("center", false, 0, false, &run(text, f));
    let plain = Fmt { size: BODY_SIZE, ..Default::default() };
    let bold = Fmt { bold: true, size: BODY_SIZE, ..Default::default() };
    let mut left: String = doc.header.parent_body.iter().map(|l| line(l, plain)).collect();
    left.extend(doc.header.issuing_body.iter().map(|l| line(l, bold)));
    // The rule under the issuing body: a third of its longest line, as offices draw it.
    let longest = doc.header.issuing_body.iter().map(|l| text_width(l, true, BODY_SIZE)).max().unwrap_or(0);
    left.push_str(&rule(left_w, (longest / 3).max(1100)));
    let motto = &doc.header.motto;
    let mut right = line(&motto[0], Fmt { bold: true, size: MOTTO_SIZE, ..Default::default() });
    right += &line(&motto[1], bold);
    right += &rule(right_w, text_width(&motto[1], true, BODY_SIZE));
    let number = line(&doc.header.number, plain);
    let date = line(&doc.header.date_line, Fmt { italic: true, size: BODY_SIZE, ..Default::default() });
    no_borders_table(
        left_w,
        right_w,
        &format!(
            "<w:tr>{}{}</w:tr><w:tr>{}{}</w:tr>",
            cell(left_w, &left),
            cell(right_w, &right),
            cell(left_w, &number),
            cell(right_w, &date)
        ),
    )
}

pub(crate) fn closing_block(doc: &Document) -> String {
    let left_w = TEXT_W / 2;
    let right_w = TEXT_W - left_w;
    let mut left = para(
        "left",
        false,
        0,
        true,
        &run("Nơi nhận:", Fmt { bold: true, italic: true, size: 24, ..Default::default() }),
    );
    for r in &doc.recipients {
        left += &para("left", false, 0, false, &run(&format!("- {r}"), Fmt { size: 22, ..Default::default() }));
    }
    let s = &doc.signatory;
    let bold = Fmt { bold: true, size: 28, ..Default::default() };
    let mut right = String::new();
    for l in [&s.authority, &s.title] {
        if !l.is_empty() {
            right += &para("center", false, 0, false, &run(l, bold));
        }
    }
    for _ in 0..4 {
        right += &para("center", false, 0, false, "");
    }
    right += &para("center", false, 0, false, &run(s.name.as_deref().unwrap_or(""), bold));
    no_borders_table(
        left_w,
        right_w,
        &format!("<w:tr><w:trPr><w:cantSplit/></w:trPr>{}{}</w:tr>", cell(left_w, &left), cell(right_w, &right)),
    )
}

//! Word tables: column widths from the measured contents (`layout.rs`), repeated header
//! rows, rows that never split, the header and first row kept with the caption above.

use crate::docx::{Fmt, escape_run as run};
use crate::grid::{Slot, slots};
use crate::layout::Layout;
use crate::model::{Row, RowKind, Table, Value};
use std::fmt::Write as _;

/// Tables with at most this many body rows are kept on one page.
const WHOLE_ROWS: usize = 24;
const BORDER: &str = "w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"";

fn cell_xml(width: u32, span: u16, vmerge: Option<bool>, jc: &str, content: &str, header: bool, keep: bool) -> String {
    let grid = if span > 1 { format!("<w:gridSpan w:val=\"{span}\"/>") } else { String::new() };
    let vm = match vmerge {
        Some(true) => "<w:vMerge w:val=\"restart\"/>",
        Some(false) => "<w:vMerge/>",
        None => "",
    };
    let shade = if header { "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"F2F2F2\"/>" } else { "" };
    let keep = if keep { "<w:keepNext/>" } else { "" };
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{grid}{vm}{shade}<w:vAlign w:val=\"center\"/></w:tcPr>\
         <w:p><w:pPr>{keep}<w:spacing w:before=\"20\" w:after=\"20\" w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"{jc}\"/></w:pPr>{content}</w:p></w:tc>"
    )
}

/// The table as WordprocessingML, laid out by `l`.
pub(crate) fn table(t: &Table, l: &Layout) -> String {
    let grid = slots(&t.header);
    let w = &l.widths;
    let span_w = |from: usize, n: usize| w[from.min(w.len())..(from + n).min(w.len())].iter().sum::<u32>();
    let total: u32 = w.iter().sum();
    let mut x = format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>\
         <w:top {BORDER}/><w:left {BORDER}/><w:bottom {BORDER}/><w:right {BORDER}/><w:insideH {BORDER}/><w:insideV {BORDER}/>\
         </w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"57\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar>\
         <w:tblLook w:val=\"04A0\"/></w:tblPr><w:tblGrid>"
    );
    for cw in w {
        let _ = write!(x, "<w:gridCol w:w=\"{cw}\"/>");
    }
    x.push_str("</w:tblGrid>");
    let hf = Fmt { bold: true, size: l.header_size, ..Default::default() };
    for row in &grid {
        // Header rows repeat on every page, never split, and stay with the first row.
        x.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        let mut c = 0;
        while c < row.len() {
            match &row[c] {
                Slot::Start(h) => {
                    let span = h.colspan.max(1);
                    let vm = (h.rowspan > 1).then_some(true);
                    x.push_str(&cell_xml(span_w(c, span as usize), span, vm, "center", &run(&h.text, hf), true, true));
                    c += span as usize;
                }
                Slot::Below(span) => {
                    x.push_str(&cell_xml(span_w(c, *span as usize), *span, Some(false), "center", "", true, true));
                    c += *span as usize;
                }
                Slot::Right => c += 1,
            }
        }
        x.push_str("</w:tr>");
    }
    // A table that fits on a page stays whole; a longer one keeps its maximum row and first
    // unit with the header, and never leaves its last row alone on a page.
    let rows = t.document_rows();
    let whole = rows.len() <= WHOLE_ROWS;
    for (i, r) in rows.iter().enumerate() {
        let last = i + 1 == rows.len();
        let keep = !last && (whole || r.kind == RowKind::Max || i == 0 || i + 2 == rows.len());
        x.push_str(&body_row(r, &span_w, l.body_size, keep));
    }
    x.push_str("</w:tbl>");
    x
}

fn body_row(r: &Row, span_w: &dyn Fn(usize, usize) -> u32, size: u32, keep: bool) -> String {
    let mut x = String::from("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
    let mut c = 0;
    for (i, cell) in r.cells.iter().enumerate() {
        let jc = match (&cell.value, i) {
            (Value::Text(_), 1) => "left",
            (Value::Text(s), _) if s.chars().count() > 12 => "left",
            _ => "center",
        };
        let f = Fmt { bold: cell.bold || r.kind == RowKind::Max, size, ..Default::default() };
        let content = run(&cell.printed(), f);
        x.push_str(&cell_xml(span_w(c, cell.colspan.max(1) as usize), cell.colspan, None, jc, &content, false, keep));
        c += cell.colspan.max(1) as usize;
    }
    x.push_str("</w:tr>");
    x
}

//! Table layout from measured text: every column at least as wide as the longest word
//! in it (so Word and LibreOffice never break a word inside a cell), the rest of the
//! line shared by what the columns would need to print on one line. A table whose
//! words do not fit at the body size is tried with smaller type, then on a landscape page.

use crate::grid::place;
use crate::metrics::WIDTHS;
use crate::model::Table;

/// A character's advance in 1/1000 em, regular or bold.
fn char_units(c: char, bold: bool) -> u32 {
    if c.is_ascii() {
        return u32::from(ASCII[c as usize][usize::from(bold)]);
    }
    let w = WIDTHS.binary_search_by_key(&c, |(k, _, _)| *k).map(|i| if bold { WIDTHS[i].2 } else { WIDTHS[i].1 });
    u32::from(w.unwrap_or(722))
}

/// [`WIDTHS`] of the ASCII characters, looked up by code (500 for one it lacks).
const ASCII: [[u16; 2]; 128] = {
    let mut t = [[500u16; 2]; 128];
    let mut i = 0;
    while i < WIDTHS.len() {
        let (c, regular, bold) = WIDTHS[i];
        if (c as u32) < 128 {
            t[c as usize] = [regular, bold];
        }
        i += 1;
    }
    t
};

/// 1/1000 em at `half_points` (Word's `w:sz`) in twips: × (half_points / 2) pt × 20 twips per pt.
fn scaled(units: u32, half_points: u32) -> u32 {
    (units * half_points).div_ceil(100)
}

/// Width of `text` in twips at `half_points` (Word's `w:sz`), regular or bold.
pub(crate) fn text_width(text: &str, bold: bool, half_points: u32) -> u32 {
    scaled(text.chars().map(|c| char_units(c, bold)).sum(), half_points)
}

/// The widest word of `text` (a word does not break; lines break at spaces).
#[cfg(test)]
fn longest_word(text: &str, bold: bool, half_points: u32) -> u32 {
    text.split_whitespace().map(|w| text_width(w, bold, half_points)).max().unwrap_or(0)
}

/// `text` measured in 1/1000 em, whatever the size: the whole of it on one line, and its
/// widest word (words split as `split_whitespace` splits them). Scaled to a size, these are
/// [`text_width`] and [`longest_word`] (scaling keeps the order of widths).
fn measure(text: &str, bold: bool) -> (u32, u32) {
    let (mut line, mut word, mut widest) = (0u32, 0u32, 0u32);
    for c in text.chars() {
        let w = char_units(c, bold);
        line += w;
        if c.is_whitespace() {
            widest = widest.max(word);
            word = 0;
        } else {
            word += w;
        }
    }
    (line, widest.max(word))
}

/// Cell margins left and right (57 twips each) and room for rounding in the renderers.
pub(crate) const CELL_PADDING: u32 = 57 * 2 + 90;
/// A column never asks for more than this to print on one line (names wrap beyond it).
const MAX_PREFERRED: u32 = 3400;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Column widths in twips, summing to the text width of the page.
    pub widths: Vec<u32>,
    /// Sizes in half-points.
    pub header_size: u32,
    pub body_size: u32,
    pub landscape: bool,
}

/// Sizes tried in turn (header, body), in half-points: 10 pt, then smaller headers, then both.
const SIZES: [(u32, u32); 5] = [(20, 20), (18, 20), (18, 18), (16, 18), (16, 16)];

/// Lays a table out on a page `portrait` twips wide (text width), or `landscape` wide.
pub(crate) fn layout(t: &Table, portrait: u32, landscape: u32) -> Layout {
    let mut m = Measuring::new(t);
    for r in t.document_rows().iter() {
        m.row(r);
    }
    m.layout(portrait, landscape)
}

/// What each column needs, in twips.
struct Needs {
    /// Its longest word.
    min: Vec<u32>,
    /// Its body cells on one line (at least `min`).
    body: Vec<u32>,
    /// Every cell, headers included, on one line (at least `body`).
    line: Vec<u32>,
}

/// A table's cells measured once for every size, in 1/1000 em (text on one line, widest
/// word). What a column needs is the most any of its cells needs, and that grows with both
/// measures: a column's widest line and widest word, of its header cells and of its body
/// cells apart (their sizes differ), stand for all its own cells.
struct Measured {
    /// Per column, of the cells on it alone: (widest line, widest word) of the header cells.
    head: Vec<(u32, u32)>,
    /// The same of the body cells.
    body: Vec<(u32, u32)>,
    /// Cells spanning several columns, in order: (first column, span, line, word, header).
    spans: Vec<(usize, usize, u32, u32, bool)>,
}

/// A table's columns and cells measured as its rows come (header, then the rows the document
/// prints, in order): a table made a row at a time is measured without being held whole.
pub(crate) struct Measuring {
    columns: usize,
    m: Measured,
}

impl Measuring {
    /// The table's header measured (its rows are not read).
    pub(crate) fn new(t: &Table) -> Measuring {
        let (placed, columns) = place(&t.header);
        let mut m = Measuring {
            columns,
            m: Measured { head: vec![(0, 0); columns], body: vec![(0, 0); columns], spans: Vec::new() },
        };
        for p in &placed {
            m.add(p.col, p.cell.colspan.max(1) as usize, measure(&p.cell.text, true), true);
        }
        m
    }

    /// The next row the document prints.
    pub(crate) fn row(&mut self, r: &crate::model::Row) {
        let width = r.cells.iter().map(|c| c.colspan.max(1) as usize).sum();
        if width > self.columns {
            self.columns = width;
            self.m.head.resize(width, (0, 0));
            self.m.body.resize(width, (0, 0));
        }
        let mut c = 0;
        for cell in &r.cells {
            let span = cell.colspan.max(1) as usize;
            let bold = cell.bold || r.kind == crate::model::RowKind::Max;
            let measured = match &cell.value {
                crate::model::Value::Text(s) => measure(s, bold),
                _ => measure(&cell.printed(), bold),
            };
            self.add(c, span, measured, false);
            c += span;
        }
    }

    fn add(&mut self, col: usize, span: usize, (line, word): (u32, u32), header: bool) {
        if span == 1 {
            let w = if header { &mut self.m.head[col] } else { &mut self.m.body[col] };
            *w = (w.0.max(line), w.1.max(word));
        } else {
            self.m.spans.push((col, span, line, word, header));
        }
    }

    /// The layout of the table measured so far, on a page `portrait` twips wide (text
    /// width), or `landscape` wide.
    pub(crate) fn layout(self, portrait: u32, landscape: u32) -> Layout {
        let (columns, cells) = (self.columns, &self.m);
        let all: Vec<(u32, u32, Needs)> =
            SIZES.iter().map(|&(hs, bs)| (hs, bs, needs(columns, cells, hs, bs))).collect();
        for (page, is_landscape) in [(portrait, false), (landscape, true)] {
            // The largest type at which the body prints on one line; else, among the sizes at which
            // every word fits, the one that serves its worst-served column best (names wrap least).
            let body_fits = all.iter().find(|(_, _, n)| n.body.iter().sum::<u32>() <= page);
            let best = body_fits.or_else(|| {
                all.iter().filter(|(_, _, n)| n.min.iter().sum::<u32>() <= page).max_by_key(|(_, _, n)| {
                    let w = share(n, page);
                    // Per mille of its body on one line that the worst-served column gets.
                    w.iter().zip(&n.body).map(|(w, l)| u64::from(*w) * 1000 / u64::from((*l).max(1))).min().unwrap_or(0)
                })
            });
            if let Some((hs, bs, n)) = best {
                return Layout { widths: share(n, page), header_size: *hs, body_size: *bs, landscape: is_landscape };
            }
        }
        let (hs, bs, n) = all.last().expect("sizes");
        let page = n.min.iter().sum::<u32>().max(landscape);
        Layout { widths: share(n, page), header_size: *hs, body_size: *bs, landscape: true }
    }
}

/// Per column: the least width (its longest word) and the widths to print on one line.
fn needs(columns: usize, m: &Measured, header_size: u32, body_size: u32) -> Needs {
    // The least width and the width on one line of text measured so, at `size`.
    let at = |(line, word): (u32, u32), size: u32| {
        let least = scaled(word, size) + CELL_PADDING;
        (least, (scaled(line, size) + CELL_PADDING).min(MAX_PREFERRED).max(least))
    };
    let mut min = vec![CELL_PADDING; columns];
    let mut pref = vec![CELL_PADDING; columns];
    let mut body = vec![CELL_PADDING; columns];
    for col in 0..columns {
        for (measured, size, is_body) in [(m.head[col], header_size, false), (m.body[col], body_size, true)] {
            let (least, line) = at(measured, size);
            min[col] = min[col].max(least);
            pref[col] = pref[col].max(line);
            if is_body {
                body[col] = body[col].max(line);
            }
        }
    }
    // (first column, span, least, one line) of cells spanning several columns, settled after.
    let spans = m.spans.iter().map(|&(col, span, line, word, header)| {
        let (least, line) = at((line, word), if header { header_size } else { body_size });
        (col, span, least, line)
    });
    for (col, span, least, line) in spans {
        let end = (col + span).min(columns);
        for (need, v) in [(least, &mut min), (line, &mut pref)] {
            let have: u32 = v[col..end].iter().sum();
            if need > have {
                let n = (end - col) as u32;
                let (each, rest) = ((need - have) / n, (need - have) % n);
                for (i, w) in v[col..end].iter_mut().enumerate() {
                    *w += each + u32::from((i as u32) < rest);
                }
            }
        }
    }
    for ((p, b), m) in pref.iter_mut().zip(body.iter_mut()).zip(&min) {
        *b = (*b).max(*m);
        *p = (*p).max(*b);
    }
    Needs { min, body, line: pref }
}

/// Widths summing to `page`: the least first; then towards the body on one line, then
/// the headers on one line, each in proportion to what the columns lack; anything left
/// in proportion to the one-line widths.
fn share(n: &Needs, page: u32) -> Vec<u32> {
    let mut w = n.min.clone();
    for target in [&n.body, &n.line] {
        let extra = page.saturating_sub(w.iter().sum());
        let lack: Vec<u32> = target.iter().zip(&w).map(|(t, x)| t.saturating_sub(*x)).collect();
        let total_lack: u32 = lack.iter().sum();
        if total_lack == 0 {
            continue;
        }
        let give = extra.min(total_lack);
        for (x, l) in w.iter_mut().zip(&lack) {
            *x += (u64::from(give) * u64::from(*l) / u64::from(total_lack)) as u32;
        }
    }
    let extra = page.saturating_sub(w.iter().sum());
    let sum_line: u32 = n.line.iter().sum::<u32>().max(1);
    for (x, p) in w.iter_mut().zip(&n.line) {
        *x += (u64::from(extra) * u64::from(*p) / u64::from(sum_line)) as u32;
    }
    // Rounding leftovers to the widest column.
    let left = page.saturating_sub(w.iter().sum());
    if let Some(i) = (0..w.len()).max_by_key(|&i| (w[i], std::cmp::Reverse(i))) {
        w[i] += left;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_those_of_times_new_roman() {
        // "TT" at 10 pt: T is 611/1000 em → 2 × 610 × 200 / 1000 = 244 twips.
        assert_eq!(text_width("TT", false, 20), 244);
        assert_eq!(text_width("Năm", true, 20), text_width("Nam", true, 20));
        assert!(longest_word("Năm 2020", true, 20) >= text_width("2020", true, 20));
    }

    fn wide(columns: usize) -> Table {
        use crate::model::{Cell, HeaderCell, Row, RowKind};
        let head = |t: &str| HeaderCell { text: t.into(), colspan: 1, rowspan: 1 };
        let mut header = vec![head("TT"), head("Đơn vị")];
        header.extend((0..columns).map(|_| head("Năm 2020")));
        let mut cells = vec![Cell::int(1), Cell::text("Thành phố Cao Bằng")];
        cells.extend((0..columns).map(|_| Cell::number("30.16".parse().unwrap(), 2)));
        Table {
            number: 1,
            caption: String::new(),
            header: vec![header],
            rows: vec![Row { kind: RowKind::Unit, cells }],
            notes: vec![],
            widths: vec![],
            ends: None,
            workbook_only: false,
        }
    }

    #[test]
    fn narrow_tables_stay_portrait_wide_ones_get_smaller_type_then_a_landscape_page() {
        let (portrait, landscape) = (9355, 14287);
        let l = layout(&wide(6), portrait, landscape);
        assert_eq!((l.header_size, l.body_size, l.landscape), (20, 20, false));
        assert_eq!(l.widths.iter().sum::<u32>(), portrait);
        let l = layout(&wide(14), portrait, landscape);
        assert!(!l.landscape && l.header_size < 20, "{l:?}");
        let l = layout(&wide(22), portrait, landscape);
        assert!(l.landscape, "{l:?}");
        assert_eq!(l.widths.iter().sum::<u32>(), landscape);
        // Every column holds its longest word at the chosen size.
        for w in &l.widths[2..] {
            assert!(
                *w >= longest_word("30,16", false, l.body_size).max(longest_word("2020", true, l.header_size))
                    + CELL_PADDING
            );
        }
    }
}

//! XLSX: every table on its own sheet with its printed headers, numbers as numbers
//! with the framework's decimals, totals as formulas (with cached values) so an Excel
//! user can check them, frozen header rows, column widths measured like the Word tables,
//! print setup (A4 landscape, fit to the page width, header rows repeated); plus the raw
//! per-unit figures under the criteria's names. Written with `chiso_data::xlsx_write`, each
//! sheet into the archive as it is made.

use crate::Report;
use crate::build::{DataRows, Made};
use crate::grid::place;
use crate::model::{Block, Cell, DataSheet, Document, Row, RowKind, Table, Value};
use chiso_data::xlsx_write::{Align, Column, Error, Print, Setup, Sheet, Style, StyleId, VAlign, Workbook, cell_name};
use rust_decimal::prelude::ToPrimitive;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Seek, Write};

fn base() -> Style {
    Style { font: "Times New Roman", size: 11, border: true, ..Style::default() }
}

/// A cell format: bold or not, centred or not, a number format with these decimals or none.
type Key = (bool, bool, Option<u32>);

fn cell_style((bold, center, decimals): Key) -> Style {
    Style { bold, align: center.then_some(Align::Center), valign: Some(VAlign::Center), decimals, ..base() }
}

/// The format a cell is written with.
fn key_of(cell: &Cell, col: u16, bold: bool) -> Key {
    let bold = bold || cell.bold;
    match &cell.value {
        Value::Empty => (bold, false, None),
        Value::Text(_) if cell.colspan > 1 => (bold, true, None),
        Value::Text(_) => (bold, col != 1, None),
        Value::Int(_) => (bold, true, None),
        Value::Number { decimals, .. } => (bold, true, Some(*decimals)),
    }
}

/// The workbook's styles, registered once before the sheets.
struct Styles {
    cells: HashMap<Key, StyleId>,
    title: StyleId,
    head: StyleId,
}

fn write_cell<W: Write + Seek>(
    ws: &mut Sheet<'_, W>,
    styles: &Styles,
    row: u32,
    col: u16,
    cell: &Cell,
    bold: bool,
) -> Result<(), Error> {
    let f = styles.cells[&key_of(cell, col, bold)];
    let last = col + cell.colspan.max(1) - 1;
    match &cell.value {
        Value::Empty => ws.blank(row, col, f)?,
        Value::Text(s) => {
            ws.string(row, col, s, f)?;
            if last > col {
                for c in col + 1..=last {
                    ws.blank(row, c, f)?;
                }
                ws.merge(row, col, row, last);
            }
        }
        Value::Int(n) => ws.number(row, col, f64::from(*n), f)?,
        Value::Number { value, sum_of, decimals } => {
            if sum_of.is_empty() {
                ws.number(row, col, value.to_f64().unwrap_or(0.0), f)?;
            } else {
                let refs: Vec<String> = sum_of.iter().map(|c| cell_name(row, *c as u16)).collect();
                let formula = format!("ROUND(SUM({}),{decimals})", refs.join(","));
                ws.formula(row, col, &formula, &value.to_string(), f)?;
            }
        }
    }
    Ok(())
}

/// A4 landscape, one page wide, these header rows on every page.
fn print(first: u32, last: u32) -> Print {
    Print { landscape: true, paper: Some(9), fit_width: true, repeat_rows: Some((first, last)) }
}

/// A table's sheet: `t`'s caption and header, then `rows` (`t`'s own, or made as written).
fn sheet_for_table<'r, W: Write + Seek>(
    wb: &mut Workbook<W>,
    styles: &Styles,
    t: &Table,
    rows: impl Iterator<Item = Cow<'r, Row>>,
    widths: &[u32],
) -> Result<(), Error> {
    let header_top = 2u32;
    let (placed, width) = place(&t.header);
    let first_row = header_top + t.header.len() as u32;
    let columns = (0..width as u16)
        .map(|c| {
            // Twips → pixels at 96 dpi → Excel character widths (7 px each, 5 px padding).
            let twips = widths.get(c as usize).copied().unwrap_or(900) as f64;
            Column::new(c, ((twips / 15.0 - 5.0) / 7.0).clamp(4.0, 40.0))
        })
        .collect();
    let setup = Setup {
        name: format!("Bảng {}", t.number),
        columns,
        freeze: Some((first_row, 2)),
        print: print(header_top, first_row - 1),
        protect: false,
    };
    let mut ws = wb.sheet(&setup)?;
    ws.string(0, 0, &format!("Bảng {}. {}", t.number, t.caption), styles.title)?;
    // The header's cells in reading order: a spanned cell's text in its first cell, the
    // cells it covers blank with the same borders.
    let mut head: Vec<(u32, u16, Option<&str>)> = Vec::new();
    for p in &placed {
        let (r, c) = (header_top + p.row as u32, p.col as u16);
        let (r2, c2) = (r + p.cell.rowspan.max(1) as u32 - 1, c + p.cell.colspan.max(1) - 1);
        for rr in r..=r2 {
            for cc in c..=c2 {
                head.push((rr, cc, (rr == r && cc == c).then_some(p.cell.text.as_str())));
            }
        }
        if r2 > r || c2 > c {
            ws.merge(r, c, r2, c2);
        }
    }
    head.sort_by_key(|(r, c, _)| (*r, *c));
    ws.row_height(header_top, 30.0)?;
    for (r, c, text) in head {
        match text {
            Some(s) if !s.is_empty() => ws.string(r, c, s, styles.head)?,
            _ => ws.blank(r, c, styles.head)?,
        }
    }
    for (i, row) in rows.enumerate() {
        let r = first_row + i as u32;
        let mut c = 0u16;
        for cell in &row.cells {
            write_cell(&mut ws, styles, r, c, cell, row.kind == RowKind::Max)?;
            c += cell.colspan.max(1);
        }
    }
    ws.finish()
}

fn data_sheet<'r, W: Write + Seek>(
    wb: &mut Workbook<W>,
    styles: &Styles,
    name: &str,
    header: &[String],
    rows: impl Iterator<Item = Cow<'r, [Cell]>>,
) -> Result<(), Error> {
    let columns = (0..header.len()).map(|c| Column::new(c as u16, if c == 0 { 36.0 } else { 16.0 })).collect();
    let setup = Setup { name: name.to_string(), columns, freeze: Some((1, 1)), print: print(0, 0), protect: false };
    let mut ws = wb.sheet(&setup)?;
    ws.row_height(0, 75.0)?;
    for (c, h) in header.iter().enumerate() {
        if h.is_empty() {
            ws.blank(0, c as u16, styles.head)?;
        } else {
            ws.string(0, c as u16, h, styles.head)?;
        }
    }
    for (r, row) in rows.enumerate() {
        for (c, cell) in row.iter().enumerate() {
            write_cell(&mut ws, styles, r as u32 + 1, c as u16, cell, false)?;
        }
    }
    ws.finish()
}

/// One sheet of the workbook: borrowed from a document, or made for the sheet alone.
enum Part<'a> {
    Table(&'a Table),
    /// A report's workbook-only table, its unit rows made a row at a time (twice: for the
    /// formats and the widths, then written).
    Made(Made<'a>),
    Data(&'a DataSheet),
    /// A report's figures, made a row at a time (twice: for the formats, then written).
    Rows(DataRows<'a>),
}

/// Adds the cell formats `row` uses that `out` lacks, in the order of first use.
fn row_keys(row: &Row, out: &mut Vec<Key>) {
    let mut c = 0u16;
    for cell in &row.cells {
        add_key(out, key_of(cell, c, row.kind == RowKind::Max));
        c += cell.colspan.max(1);
    }
}

/// The same of a row of figures (no maximum row, one column a cell).
fn data_keys(row: &[Cell], out: &mut Vec<Key>) {
    for (c, cell) in row.iter().enumerate() {
        add_key(out, key_of(cell, c as u16, false));
    }
}

fn add_key(out: &mut Vec<Key>, k: Key) {
    if !out.contains(&k) {
        out.push(k);
    }
}

/// Where a sheet comes from.
#[derive(Clone, Copy)]
enum Slot<'a> {
    Table(&'a Table),
    Data(&'a DataSheet),
    /// The report's `i`th workbook-only table.
    Made(usize),
    /// The report's `i`th data sheet.
    MadeData(usize),
}

/// A sheet ready to be written: its cells, the formats they use in order of first use, its
/// tables' column widths in twips, as the Word tables measure them.
struct Ready<'a> {
    part: Part<'a>,
    keys: Vec<Key>,
    widths: Vec<u32>,
}

fn ready<'a>(slot: Slot<'a>, report: Option<&'a Report<'a>>) -> Ready<'a> {
    let mut keys = Vec::new();
    let (part, widths) = match slot {
        Slot::Table(t) => {
            t.rows.iter().for_each(|r| row_keys(r, &mut keys));
            (Part::Table(t), crate::docx::table_layout(t).widths)
        }
        Slot::Made(i) => {
            // A workbook-only table prints every row: measured as its rows are made.
            let made = report.expect("a report").workbook_rows(i);
            let mut measuring = crate::layout::Measuring::new(&made.frame);
            for r in made.rows() {
                row_keys(&r, &mut keys);
                measuring.row(&r);
            }
            (Part::Made(made), crate::docx::measured_layout(measuring).widths)
        }
        Slot::Data(d) => {
            d.rows.iter().for_each(|r| data_keys(r, &mut keys));
            (Part::Data(d), Vec::new())
        }
        Slot::MadeData(i) => {
            let d = report.expect("a report").data_rows(i);
            (0..d.len()).for_each(|i| data_keys(&d.row(i), &mut keys));
            (Part::Rows(d), Vec::new())
        }
    };
    Ready { part, keys, widths }
}

/// The workbook in memory.
pub fn render(doc: &Document) -> Result<Vec<u8>, Error> {
    Ok(render_to(std::io::Cursor::new(Vec::new()), doc)?.into_inner())
}

/// The workbook into a file (or any sink), a sheet at a time.
pub fn render_to<W: Write + Seek>(sink: W, doc: &Document) -> Result<W, Error> {
    let slots: Vec<Slot> = doc
        .body
        .iter()
        .chain(&doc.appendix)
        .filter_map(|b| if let Block::Table(t) = b { Some(Slot::Table(t)) } else { None })
        .chain(doc.data.iter().map(Slot::Data))
        .collect();
    write(sink, &doc.subject, slots, None)
}

/// The report's workbook in memory: the same bytes as [`render`] of the whole document.
pub fn render_report(report: &Report) -> Result<Vec<u8>, Error> {
    Ok(render_report_to(std::io::Cursor::new(Vec::new()), report)?.into_inner())
}

/// The report's workbook into any sink, each workbook-only sheet made just before it is
/// written and dropped after: the memory of two sheets, not of every full table.
pub fn render_report_to<W: Write + Seek>(sink: W, report: &Report) -> Result<W, Error> {
    let doc = &report.document;
    let mut slots = tables(&doc.body);
    slots.extend((0..report.workbook_tables()).map(Slot::Made));
    slots.extend(tables(&doc.appendix));
    slots.extend((0..report.data_sheets()).map(Slot::MadeData));
    write(sink, &doc.subject, slots, Some(report))
}

fn tables(blocks: &[Block]) -> Vec<Slot<'_>> {
    blocks.iter().filter_map(|b| if let Block::Table(t) = b { Some(Slot::Table(t)) } else { None }).collect()
}

/// The sheets in order. Each sheet is made and measured on a thread of its own while the one
/// before it is written; formats are registered as sheets first use them, so their numbers
/// are those of one pass over every sheet before writing.
fn write<'a, W: Write + Seek>(
    sink: W,
    subject: &str,
    slots: Vec<Slot<'a>>,
    report: Option<&'a Report<'a>>,
) -> Result<W, Error> {
    let mut wb = Workbook::new(sink, subject);
    let title = wb.style(Style { font: "Times New Roman", size: 12, bold: true, ..Style::default() });
    let head =
        wb.style(Style { bold: true, align: Some(Align::Center), valign: Some(VAlign::Center), wrap: true, ..base() });
    let mut styles = Styles { cells: HashMap::new(), title, head };
    std::thread::scope(|scope| {
        // One sheet ahead: the next is made while this one is written.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Ready>(0);
        let maker = scope.spawn(move || {
            for slot in slots {
                if tx.send(ready(slot, report)).is_err() {
                    return; // the writer stopped
                }
            }
        });
        for sheet in rx {
            for k in sheet.keys {
                styles.cells.entry(k).or_insert_with(|| wb.style(cell_style(k)));
            }
            match &sheet.part {
                Part::Table(t) => {
                    sheet_for_table(&mut wb, &styles, t, t.rows.iter().map(Cow::Borrowed), &sheet.widths)?
                }
                Part::Made(m) => sheet_for_table(&mut wb, &styles, &m.frame, m.rows(), &sheet.widths)?,
                Part::Data(d) => {
                    data_sheet(&mut wb, &styles, &d.name, &d.header, d.rows.iter().map(|r| Cow::Borrowed(&r[..])))?
                }
                Part::Rows(d) => {
                    data_sheet(&mut wb, &styles, &d.name, &d.header, (0..d.len()).map(|i| Cow::Owned(d.row(i))))?
                }
            }
        }
        // A panic in the maker is the caller's panic.
        maker.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        Ok::<(), Error>(())
    })?;
    wb.finish()
}

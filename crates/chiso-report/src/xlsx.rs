//! XLSX: every table on its own sheet with its printed headers, numbers as numbers
//! with the framework's decimals, totals as formulas (with cached values) so an Excel
//! user can check them, frozen header rows, column widths measured like the Word tables,
//! print setup (A4 landscape, fit to the page width, header rows repeated); plus the raw
//! per-unit figures under the criteria's names.

use crate::grid::place;
use crate::model::{Block, Cell, DataSheet, Document, RowKind, Table, Value};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

fn number_format(decimals: u32) -> String {
    if decimals == 0 { "0".into() } else { format!("0.{}", "0".repeat(decimals as usize)) }
}

fn base() -> Format {
    Format::new().set_font_name("Times New Roman").set_font_size(11).set_border(FormatBorder::Thin)
}

/// A cell format: bold or not, centred or not, a number format with these decimals or none.
type Key = (bool, bool, Option<u32>);

fn cell_format((bold, center, decimals): Key) -> Format {
    let mut f = base().set_align(FormatAlign::VerticalCenter);
    if bold {
        f = f.set_bold();
    }
    if center {
        f = f.set_align(FormatAlign::Center);
    }
    if let Some(d) = decimals {
        f = f.set_num_format(number_format(d));
    }
    f
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

/// The cell formats, made once: a national workbook writes millions of cells, and a format
/// built per cell costs more than the cell.
struct Formats(std::collections::HashMap<Key, Format>);

impl Formats {
    fn get(&self, key: Key) -> std::borrow::Cow<'_, Format> {
        self.0.get(&key).map_or_else(|| std::borrow::Cow::Owned(cell_format(key)), std::borrow::Cow::Borrowed)
    }
}

fn write_cell(
    ws: &mut Worksheet,
    formats: &Formats,
    row: u32,
    col: u16,
    cell: &Cell,
    bold: bool,
) -> Result<(), XlsxError> {
    let f = formats.get(key_of(cell, col, bold));
    let f = f.as_ref();
    let last = col + cell.colspan.max(1) - 1;
    match &cell.value {
        Value::Empty => {
            ws.write_blank(row, col, f)?;
        }
        Value::Text(s) if last > col => {
            ws.merge_range(row, col, row, last, s, f)?;
        }
        Value::Text(s) => {
            ws.write_string_with_format(row, col, s, f)?;
        }
        Value::Int(n) => {
            ws.write_number_with_format(row, col, f64::from(*n), f)?;
        }
        Value::Number { value, sum_of, decimals } => {
            if sum_of.is_empty() {
                ws.write_number_with_format(row, col, value.to_f64().unwrap_or(0.0), f)?;
            } else {
                let refs: Vec<String> = sum_of.iter().map(|c| row_col_to_cell(row, *c as u16)).collect();
                let formula =
                    Formula::new(format!("=ROUND(SUM({}),{decimals})", refs.join(","))).set_result(value.to_string());
                ws.write_formula_with_format(row, col, formula, f)?;
            }
        }
    }
    Ok(())
}

fn title_format() -> Format {
    Format::new().set_font_name("Times New Roman").set_font_size(12).set_bold()
}

fn head_format() -> Format {
    base().set_bold().set_align(FormatAlign::Center).set_align(FormatAlign::VerticalCenter).set_text_wrap()
}

fn sheet_for_table(ws: &mut Worksheet, formats: &Formats, t: &Table) -> Result<(), XlsxError> {
    ws.set_name(format!("Bảng {}", t.number))?;
    let title = title_format();
    let header_top = 2u32;
    ws.set_row_height(header_top, 30)?;
    ws.write_string_with_format(0, 0, format!("Bảng {}. {}", t.number, t.caption), &title)?;
    let head = head_format();
    let (placed, width) = place(&t.header);
    for p in placed {
        let (r, c) = (header_top + p.row as u32, p.col as u16);
        let (r2, c2) = (r + p.cell.rowspan.max(1) as u32 - 1, c + p.cell.colspan.max(1) - 1);
        if r2 > r || c2 > c {
            ws.merge_range(r, c, r2, c2, &p.cell.text, &head)?;
        } else {
            ws.write_string_with_format(r, c, &p.cell.text, &head)?;
        }
    }
    let first_row = header_top + t.header.len() as u32;
    for (i, row) in t.rows.iter().enumerate() {
        let r = first_row + i as u32;
        let mut c = 0u16;
        for cell in &row.cells {
            write_cell(ws, formats, r, c, cell, row.kind == RowKind::Max)?;
            c += cell.colspan.max(1);
        }
    }
    ws.set_freeze_panes(first_row, 2)?;
    let layout = crate::docx::table_layout(t);
    for c in 0..width as u16 {
        // Twips → pixels at 96 dpi → Excel character widths (7 px each, 5 px padding).
        let twips = layout.widths.get(c as usize).copied().unwrap_or(900) as f64;
        ws.set_column_width(c, ((twips / 15.0 - 5.0) / 7.0).clamp(4.0, 40.0))?;
    }
    print_setup(ws, header_top, first_row - 1)?;
    Ok(())
}

/// A4 landscape, one page wide, the header rows on every page.
fn print_setup(ws: &mut Worksheet, first: u32, last: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(first, last)?;
    Ok(())
}

fn data_sheet(ws: &mut Worksheet, formats: &Formats, d: &DataSheet) -> Result<(), XlsxError> {
    ws.set_name(&d.name)?;
    let head = head_format();
    ws.set_row_height(0, 75)?;
    for (c, h) in d.header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &head)?;
        ws.set_column_width(c as u16, if c == 0 { 36.0 } else { 16.0 })?;
    }
    for (r, row) in d.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            write_cell(ws, formats, r as u32 + 1, c as u16, cell, false)?;
        }
    }
    ws.set_freeze_panes(1, 1)?;
    print_setup(ws, 0, 0)
}

/// One sheet of the workbook.
enum Sheet<'a> {
    Table(&'a Table),
    Data(&'a DataSheet),
}

impl Sheet<'_> {
    /// Every cell format the sheet uses, in the order it first uses them.
    fn keys(&self, out: &mut Vec<Key>) {
        let mut add = |k: Key| {
            if !out.contains(&k) {
                out.push(k);
            }
        };
        match self {
            Sheet::Table(t) => {
                for row in &t.rows {
                    let mut c = 0u16;
                    for cell in &row.cells {
                        add(key_of(cell, c, row.kind == RowKind::Max));
                        c += cell.colspan.max(1);
                    }
                }
            }
            Sheet::Data(d) => {
                for row in &d.rows {
                    for (c, cell) in row.iter().enumerate() {
                        add(key_of(cell, c as u16, false));
                    }
                }
            }
        }
    }

    fn write(&self, ws: &mut Worksheet, formats: &Formats) -> Result<(), XlsxError> {
        match self {
            Sheet::Table(t) => sheet_for_table(ws, formats, t),
            Sheet::Data(d) => data_sheet(ws, formats, d),
        }
    }
}

/// Threads the sheets are written on.
const THREADS: usize = 2;

/// The workbook, its sheets written on two threads (a national workbook has millions of
/// cells). Each sheet numbers its formats on its own and the workbook puts them together
/// in sheet order when it saves, so the bytes are the same whatever thread writes which
/// sheet.
pub fn render(doc: &Document) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // A fixed creation date: the same report gives the same bytes.
    wb.set_properties(
        &DocProperties::new().set_title(&doc.subject).set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    let sheets: Vec<Sheet> = doc
        .body
        .iter()
        .chain(&doc.appendix)
        .filter_map(|b| if let Block::Table(t) = b { Some(Sheet::Table(t)) } else { None })
        .chain(doc.data.iter().map(Sheet::Data))
        .collect();
    let formats = Formats(
        sheets
            .iter()
            .flat_map(|s| {
                let mut k = Vec::new();
                s.keys(&mut k);
                k
            })
            .map(|k| (k, cell_format(k)))
            .collect(),
    );
    let mut worksheets: Vec<Worksheet> = sheets.iter().map(|_| Worksheet::new()).collect();
    // Sheet i on thread i % THREADS.
    let mut lanes: Vec<Vec<(&Sheet, &mut Worksheet)>> = (0..THREADS).map(|_| Vec::new()).collect();
    for (i, pair) in sheets.iter().zip(worksheets.iter_mut()).enumerate() {
        lanes[i % THREADS].push(pair);
    }
    let formats = &formats;
    std::thread::scope(|scope| {
        let handles: Vec<_> = lanes
            .into_iter()
            .map(|lane| scope.spawn(move || lane.into_iter().try_for_each(|(sheet, ws)| sheet.write(ws, formats))))
            .collect();
        handles.into_iter().try_for_each(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })?;
    for ws in worksheets {
        wb.push_worksheet(ws);
    }
    wb.save_to_buffer()
}

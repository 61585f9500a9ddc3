//! XLSX from untrusted bytes, with bounded memory and time.
//!
//! Two things in an uploaded workbook could otherwise exhaust the server's memory:
//!
//! - a **zip bomb**: a part that deflates to gigabytes (deflate reaches about 1 000:1, so a
//!   10 MB upload can expand to 10 GB; calamine loads `sharedStrings.xml` whole and would
//!   buffer a gigantic text node). Every part is inflated once, counting the bytes actually
//!   produced (never the sizes the archive declares), before calamine opens the archive;
//! - a **sparse sheet**: calamine's `worksheet_range` allocates the whole rectangle its
//!   extreme cells span, so two cells, A1 and XFD1048576, ask for 17 billion cells (the
//!   allocation fails and the process aborts). Sheets are read here cell by cell instead,
//!   within [`MAX_ROWS`] × [`MAX_COLUMNS`] and [`MAX_CELLS`].

use crate::error::{ErrorKind, TooLarge};
use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};
use std::io::{Cursor, Read};

/// The largest part once inflated.
pub const PART_LIMIT: u64 = 32 * 1024 * 1024;
/// All parts together, once inflated.
pub const TOTAL_LIMIT: u64 = 128 * 1024 * 1024;
/// Parts in the archive.
pub const MAX_PARTS: usize = 1_000;
/// Rows and columns of a sheet (a row or column beyond them is refused, not truncated).
pub const MAX_ROWS: u32 = 100_000;
pub const MAX_COLUMNS: u32 = 1_024;
/// Non-empty cells of a sheet, and cells of the rectangle a table of them fills.
pub const MAX_CELLS: usize = 2_000_000;

pub type Book<'a> = Xlsx<Cursor<&'a [u8]>>;

fn mib(n: u64) -> u64 {
    n / (1024 * 1024)
}

/// What an archive may hold: parts, the largest part and all parts once inflated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub parts: usize,
    pub part: u64,
    pub total: u64,
}

impl Limits {
    /// Any workbook (a table to import): the constants above.
    pub const ANY: Limits = Limits { parts: MAX_PARTS, part: PART_LIMIT, total: TOTAL_LIMIT };
}

/// Inflates every part once, with the limits above; `Err` says which limit.
pub fn check_archive(bytes: &[u8]) -> Result<(), ErrorKind> {
    check_archive_within(bytes, Limits::ANY)
}

/// Inflates every part once, within `limits`; `Err` says which limit.
pub fn check_archive_within(bytes: &[u8], limits: Limits) -> Result<(), ErrorKind> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ErrorKind::Io(e.to_string()))?;
    if zip.len() > limits.parts {
        return Err(ErrorKind::TooLarge(TooLarge::Parts { found: zip.len(), max: limits.parts }));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let file = zip.by_index(i).map_err(|e| ErrorKind::Io(e.to_string()))?;
        let name: String = file.name().chars().filter(|c| !c.is_control()).take(100).collect();
        let n = std::io::copy(&mut file.take(limits.part + 1), &mut std::io::sink())
            .map_err(|e| ErrorKind::Io(format!("{name}: {e}")))?;
        if n > limits.part {
            return Err(ErrorKind::TooLarge(TooLarge::Part { name, max_mib: mib(limits.part) }));
        }
        total += n;
        if total > limits.total {
            return Err(ErrorKind::TooLarge(TooLarge::Total { max_mib: mib(limits.total) }));
        }
    }
    Ok(())
}

/// calamine panics on some damaged workbooks (a shared-string index beyond the table:
/// `cells_reader.rs` indexes `strings[idx]`; found by the `template` fuzz target): such a
/// panic is the file's error, not the process's.
fn guarded<T>(f: impl FnOnce() -> Result<T, ErrorKind>) -> Result<T, ErrorKind> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(ErrorKind::Io("damaged workbook (calamine could not read it)".into())))
}

/// The workbook, once the archive passed [`check_archive`].
pub fn open(bytes: &[u8]) -> Result<Book<'_>, ErrorKind> {
    open_within(bytes, Limits::ANY)
}

/// The workbook, once the archive passed [`check_archive_within`] these limits.
pub fn open_within(bytes: &[u8], limits: Limits) -> Result<Book<'_>, ErrorKind> {
    check_archive_within(bytes, limits)?;
    guarded(|| Xlsx::new(Cursor::new(bytes)).map_err(|e| ErrorKind::Io(e.to_string())))
}

/// A second reader of bytes [`open_within`] already checked.
pub fn reopen(bytes: &[u8]) -> Result<Book<'_>, ErrorKind> {
    guarded(|| Xlsx::new(Cursor::new(bytes)).map_err(|e| ErrorKind::Io(e.to_string())))
}

/// A sheet's non-empty cells `(row, column, value)`, 0-based, in the order stored, for the
/// columns `keep` accepts; every cell counts against the limits.
pub fn cells(book: &mut Book<'_>, sheet: &str, keep: impl Fn(u32) -> bool) -> Result<Vec<(u32, u32, Data)>, ErrorKind> {
    guarded(|| cells_unguarded(book, sheet, keep))
}

fn cells_unguarded(
    book: &mut Book<'_>,
    sheet: &str,
    keep: impl Fn(u32) -> bool,
) -> Result<Vec<(u32, u32, Data)>, ErrorKind> {
    let mut reader = match book.worksheet_cells_reader(sheet) {
        Ok(r) => r,
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()), // a chart sheet
        Err(XlsxError::WorksheetNotFound(_)) => return Err(ErrorKind::NoSheet),
        Err(e) => return Err(ErrorKind::Io(e.to_string())),
    };
    let mut out = Vec::new();
    let mut seen = 0usize;
    while let Some(cell) = reader.next_cell().map_err(|e| ErrorKind::Io(e.to_string()))? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        if r >= MAX_ROWS || c >= MAX_COLUMNS {
            let cell = format!("{}{}", crate::table::column_letter(c as usize), r as u64 + 1);
            return Err(ErrorKind::TooLarge(TooLarge::Cell { cell, rows: MAX_ROWS, columns: MAX_COLUMNS }));
        }
        seen += 1;
        if seen > MAX_CELLS {
            return Err(ErrorKind::TooLarge(TooLarge::Cells { max: MAX_CELLS }));
        }
        if keep(c) {
            out.push((r, c, cell.get_value().clone().into()));
        }
    }
    Ok(out)
}

/// A sheet as rows of cells: rows above the first non-empty one are empty, the others as
/// wide as the rightmost non-empty cell (as calamine's ranges, positions true to Excel).
pub fn grid(cells: Vec<(u32, u32, Data)>, text: impl Fn(&Data) -> String) -> Result<Vec<Vec<String>>, ErrorKind> {
    let Some(first) = cells.iter().map(|c| c.0).min() else { return Ok(Vec::new()) };
    let last = cells.iter().map(|c| c.0).max().unwrap_or(first);
    let width = cells.iter().map(|c| c.1).max().unwrap_or(0) as usize + 1;
    let height = (last - first) as usize + 1;
    if height.saturating_mul(width) > MAX_CELLS {
        return Err(ErrorKind::TooLarge(TooLarge::Cells { max: MAX_CELLS }));
    }
    let mut rows = vec![Vec::new(); first as usize];
    rows.extend((0..height).map(|_| vec![String::new(); width]));
    for (r, c, v) in cells {
        rows[r as usize][c as usize] = text(&v);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_keeps_positions_true_to_excel() {
        let rows = grid(vec![(2, 1, Data::Int(5)), (3, 0, Data::String("a".into()))], |d| d.to_string()).unwrap();
        assert_eq!(rows, vec![vec![], vec![], vec!["".to_string(), "5".into()], vec!["a".into(), "".into()]]);
        assert!(grid(vec![(0, 0, Data::Int(1)), (99_999, 1_023, Data::Int(1))], |d| d.to_string()).is_err());
    }
}

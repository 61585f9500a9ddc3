//! Tables of cells from CSV or XLSX, with the positions needed for error messages.

use crate::error::{DataError, ErrorKind, Location};
use calamine::{Data, Reader};
use std::path::Path;

/// A rectangular table: the first row is the header. Cells are text as typed;
/// numbers stored as numbers in XLSX come through in their shortest exact form.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub file: String,
    pub sheet: Option<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Location of a cell, `row` and `col` 0-based in `rows`.
    pub fn at(&self, row: usize, col: usize) -> Location {
        let header = self.rows.first().and_then(|h| h.get(col)).map(String::as_str).unwrap_or("");
        Location {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            line: Some(row + 1),
            column: Some(format!("{} ({})", column_letter(col), header.trim())),
            value: self.rows.get(row).and_then(|r| r.get(col)).cloned(),
        }
    }

    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows.get(row).and_then(|r| r.get(col)).map(String::as_str).unwrap_or("")
    }
}

pub fn column_letter(mut col: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

pub fn read_csv(path: &Path) -> Result<Table, DataError> {
    let file = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| DataError::new(Location::file(&file), ErrorKind::Io(e.to_string())))?;
    parse_csv(&file, &text)
}

pub fn parse_csv(file: &str, bytes: &[u8]) -> Result<Table, DataError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes); // Excel's BOM
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| DataError::new(Location::file(file).line(i + 1), ErrorKind::Syntax(e.to_string())))?;
        rows.push(record.iter().map(|c| crate::csv_safe::restored(c).to_string()).collect());
    }
    Ok(Table { file: file.to_string(), sheet: None, rows })
}

/// Reads one sheet (the first when `sheet` is `None`): XLSX and XLSM through
/// [`parse_xlsx`] (bounded), other spreadsheet formats (XLS, ODS) through calamine.
pub fn read_xlsx(path: &Path, sheet: Option<&str>) -> Result<Table, DataError> {
    let file = path.display().to_string();
    let io = |e: String| DataError::new(Location::file(&file), ErrorKind::Io(e));
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("xlsx" | "xlsm")) {
        let bytes = std::fs::read(path).map_err(|e| io(e.to_string()))?;
        return parse_xlsx(&file, &bytes, sheet);
    }
    let mut book = calamine::open_workbook_auto(path).map_err(|e| io(e.to_string()))?;
    let name = match sheet {
        Some(s) => s.to_string(),
        None => book
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| DataError::new(Location::file(&file), ErrorKind::NoSheet))?,
    };
    let range = book.worksheet_range(&name).map_err(|_| {
        let mut loc = Location::file(&file);
        loc.sheet = Some(name.clone());
        DataError::new(loc, ErrorKind::NoSheet)
    })?;
    // Rows and columns before the range's start are empty: keep positions true to Excel.
    let (r0, c0) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); r0];
    for row in range.rows() {
        let mut cells = vec![String::new(); c0];
        cells.extend(row.iter().map(cell_text));
        rows.push(cells);
    }
    Ok(Table { file, sheet: Some(name), rows })
}

/// One sheet of an XLSX (the first when `sheet` is `None`) from untrusted bytes: memory
/// and time bounded by [`crate::xlsx`]'s limits, beyond which the file is refused.
pub fn parse_xlsx(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Table, DataError> {
    let fail = |sheet: Option<&str>, kind| {
        let mut loc = Location::file(file);
        loc.sheet = sheet.map(str::to_string);
        DataError::new(loc, kind)
    };
    let mut book = crate::xlsx::open(bytes).map_err(|k| fail(None, k))?;
    let name = match sheet {
        Some(s) => s.to_string(),
        None => book.sheet_names().first().cloned().ok_or_else(|| fail(None, ErrorKind::NoSheet))?,
    };
    if !book.sheet_names().contains(&name) {
        return Err(fail(Some(&name), ErrorKind::NoSheet));
    }
    let cells = crate::xlsx::cells(&mut book, &name, |_| true).map_err(|k| fail(Some(&name), k))?;
    let rows = crate::xlsx::grid(cells, cell_text).map_err(|k| fail(Some(&name), k))?;
    Ok(Table { file: file.to_string(), sheet: Some(name), rows })
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => {
            if *b {
                "1".into()
            } else {
                "0".into()
            }
        }
        Data::DateTime(dt) => dt.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// CSV or XLSX by extension.
pub fn read(path: &Path, sheet: Option<&str>) -> Result<Table, DataError> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("xlsx" | "xlsm" | "xls" | "ods") => read_xlsx(path, sheet),
        _ => read_csv(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}

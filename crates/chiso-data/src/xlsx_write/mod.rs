//! A small XLSX writer that streams: each sheet's XML goes straight into its zip entry as it
//! is made (deflate level [`LEVEL`]), into any `Write + Seek` sink, so a workbook of thousands
//! of sheets is written in constant memory beside its shared strings. What the workbooks of
//! chiso use and nothing more: a fixed table of cell styles (fonts, fills, thin borders,
//! alignment, number formats, unlocked cells), shared strings, numbers, formulas with cached
//! values, column widths, row heights, merged cells, frozen panes, data validations, sheet
//! protection and print setup. No clock: the same calls give the same bytes.

mod styles;
mod workbook;
mod xml;

pub mod sheet;

pub use sheet::{Column, Print, Setup, Sheet, Validation, ValidationRule};
pub use styles::{Align, Style, StyleId, VAlign};
pub use workbook::Workbook;

/// The deflate level of every part. Measured on the national report's XLSX (135 MB of XML):
/// level 1 0,26 s and 43,7 MB, level 2 0,39 s and 31,4 MB, level 3 0,51 s and 28,0 MB,
/// level 6 2,6 s and 25,9 MB; 2 keeps files near their former size for a tenth of the time.
pub const LEVEL: i64 = 2;

/// Why a workbook could not be written.
#[derive(Debug)]
pub enum Error {
    Io(std::io::Error),
    Zip(zip::result::ZipError),
    /// A call the format does not allow (cells out of order, a list longer than Excel takes).
    Invalid(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(e) => write!(f, "XLSX: {e}"),
            Error::Zip(e) => write!(f, "XLSX: {e}"),
            Error::Invalid(s) => write!(f, "XLSX: {s}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<zip::result::ZipError> for Error {
    fn from(e: zip::result::ZipError) -> Self {
        Error::Zip(e)
    }
}

/// `A`, `B`, …, `Z`, `AA`, … for a 0-based column.
pub fn column_name(col: u16) -> String {
    let mut n = col as u32 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

/// `G5` for 0-based row 4, column 6.
pub fn cell_name(row: u32, col: u16) -> String {
    format!("{}{}", column_name(col), row as u64 + 1)
}

#[cfg(test)]
mod tests;

//! What a reader makes of a document: paragraphs and tables in document order, cells
//! as printed. No interpretation yet: the recognizer decides what a table means.

use chiso_domain::Decimal;

/// A document as read: its blocks in order, and how it writes decimals.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// The decimal separator the document uses (`,` in Vietnamese documents).
    pub decimal_separator: char,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(Paragraph),
    Table(Table),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Paragraph {
    /// 1-based position among the document's non-empty paragraphs.
    pub index: usize,
    pub text: String,
    /// The outline level when the document marks the paragraph as a heading (style, outline level).
    pub heading: Option<u8>,
    /// Every non-blank run is bold.
    pub bold: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The caption printed with the table ("Bảng 1. …"), when the reader found one.
    pub caption: Option<String>,
    /// The worksheet (XLSX) or file (CSV) the table comes from.
    pub sheet: Option<String>,
    /// A rectangular grid: every row has the same number of cells.
    pub rows: Vec<Vec<Cell>>,
    /// The number a reader sees for each row: the worksheet row (XLSX), the line (CSV),
    /// the row of the Word table (DOCX), 1-based.
    pub row_numbers: Vec<usize>,
    /// Whether cells are named like a spreadsheet's ("F13").
    pub spreadsheet: bool,
}

/// A cell. Kept small (64 bytes, most texts inline): a national workbook has millions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    /// The text as printed (numbers as displayed, with the document's separator).
    pub text: Text,
    /// The number the cell shows, with the decimals it shows.
    pub number: Option<Num>,
    pub bold: bool,
    /// `Some((row, column))` when the cell is covered by a merged cell that starts there.
    pub origin: Option<(u32, u32)>,
    /// Columns a merged cell spans (1 for an ordinary cell; readers cap columns at 512).
    pub span: u16,
}

/// Text that holds up to [`Text::INLINE`] bytes without an allocation: the numbers and
/// short names that fill most cells.
#[derive(Clone)]
pub enum Text {
    Inline { len: u8, bytes: [u8; Text::INLINE] },
    Heap(Box<str>),
}

impl Text {
    pub const INLINE: usize = 22;

    pub fn as_str(&self) -> &str {
        match self {
            // Only ever filled from a `&str` cut at its length: valid UTF-8.
            Text::Inline { len, bytes } => std::str::from_utf8(&bytes[..*len as usize]).unwrap_or_default(),
            Text::Heap(s) => s,
        }
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        if s.len() <= Text::INLINE {
            let mut bytes = [0; Text::INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Text::Inline { len: s.len() as u8, bytes }
        } else {
            Text::Heap(s.into())
        }
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        if s.len() <= Text::INLINE { Text::from(s.as_str()) } else { Text::Heap(s.into_boxed_str()) }
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::from("")
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A printed number: its value and how many decimals it shows ("45,20" → 45.20, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Num {
    pub value: Decimal,
    pub decimals: u32,
}

impl Cell {
    /// Where the merged cell covering this one starts, if one does.
    pub fn merged_from(&self) -> Option<(usize, usize)> {
        self.origin.map(|(r, c)| (r as usize, c as usize))
    }
}

impl Table {
    /// The cell at `(row, column)`, or the merged cell covering it.
    pub fn effective(&self, row: usize, column: usize) -> Option<&Cell> {
        let c = self.rows.get(row)?.get(column)?;
        match c.origin {
            Some((r, k)) => self.rows.get(r as usize)?.get(k as usize),
            None => Some(c),
        }
    }

    pub fn width(&self) -> usize {
        self.rows.first().map_or(0, Vec::len)
    }

    /// "F13" for a spreadsheet, else "dòng 13, cột 6"-style coordinates are built by the caller.
    pub fn cell_name(&self, row: usize, column: usize) -> Option<String> {
        if !self.spreadsheet {
            return None;
        }
        let mut n = column + 1;
        let mut letters = Vec::new();
        while n > 0 {
            let rem = (n - 1) % 26;
            letters.push(b'A' + rem as u8);
            n = (n - 1) / 26;
        }
        letters.reverse();
        let row = self.row_numbers.get(row).copied().unwrap_or(row + 1);
        Some(format!("{}{row}", String::from_utf8_lossy(&letters)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_small() {
        assert_eq!(std::mem::size_of::<Text>(), 24);
        assert_eq!(std::mem::size_of::<Cell>(), 64);
        for s in ["", "45,20", "Sở Giáo dục và Đào tạo tỉnh Cao Bằng", "ab\u{1ec7}cdefghijklmnopqrst"] {
            assert_eq!(Text::from(s).as_str(), s);
            assert_eq!(Text::from(s.to_string()), Text::from(s));
        }
    }
}

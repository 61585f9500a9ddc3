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

/// What the import reads from a table: its cells by position and where each is, for
/// messages. [`Table`] (cells as owned text) and [`Grid`] (one buffer, a CSV read for
/// scoring) both give it.
pub trait Cells {
    /// Number of rows, the header included.
    fn height(&self) -> usize;
    /// The cells of row `r` as typed (none past the last row).
    fn row(&self, r: usize) -> impl Iterator<Item = &str>;
    /// The cell's text; empty outside the table.
    fn cell(&self, r: usize, c: usize) -> &str;
    /// Location of a cell, `r` and `c` 0-based.
    fn at(&self, r: usize, c: usize) -> Location;
}

impl Cells for Table {
    fn height(&self) -> usize {
        self.rows.len()
    }
    fn row(&self, r: usize) -> impl Iterator<Item = &str> {
        self.rows.get(r).into_iter().flatten().map(String::as_str)
    }
    fn cell(&self, r: usize, c: usize) -> &str {
        Table::cell(self, r, c)
    }
    fn at(&self, r: usize, c: usize) -> Location {
        Table::at(self, r, c)
    }
}

/// A CSV table read into one buffer: the cells' text (apostrophes of neutralised cells
/// taken off, as [`parse_csv`] does) one after another, and where each cell and row ends.
/// A national file of half a million cells is two allocations, not half a million.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub file: String,
    text: String,
    /// End of each cell in `text`.
    ends: Vec<u32>,
    /// Index in `ends` of each row's first cell, and one past the last cell at the end.
    starts: Vec<u32>,
    /// Bytes between a cell's end and the next cell's start: 0 when the cells were copied
    /// one after another, 1 when `text` is the file itself (a comma or a line end after
    /// each cell).
    gap: u32,
}

impl Grid {
    fn span(&self, r: usize) -> std::ops::Range<usize> {
        match (self.starts.get(r), self.starts.get(r + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }

    #[inline]
    fn text_of(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { (self.ends[i - 1] + self.gap) as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// The same cells as a [`Table`].
    pub fn into_table(self) -> Table {
        let rows = (0..self.height()).map(|r| self.row(r).map(str::to_string).collect()).collect();
        Table { file: self.file, sheet: None, rows }
    }
}

impl Cells for Grid {
    fn height(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
    fn row(&self, r: usize) -> impl Iterator<Item = &str> {
        // Each cell starts where the one before it ended (and its gap): the row's cells one
        // after another, each end read once.
        let span = self.span(r);
        let start = if span.start == 0 { 0 } else { (self.ends[span.start - 1] + self.gap) as usize };
        GridRow { text: &self.text, ends: &self.ends[span], start, gap: self.gap as usize }
    }
    fn cell(&self, r: usize, c: usize) -> &str {
        let span = self.span(r);
        if c < span.len() { self.text_of(span.start + c) } else { "" }
    }
    fn at(&self, r: usize, c: usize) -> Location {
        let header = self.cell(0, c);
        let span = self.span(r);
        Location {
            file: self.file.clone(),
            sheet: None,
            line: Some(r + 1),
            column: Some(format!("{} ({})", column_letter(c), header.trim())),
            value: (c < span.len()).then(|| self.cell(r, c).to_string()),
        }
    }
}

/// The cells of one row of a [`Grid`], in order: what `span(r).map(text_of)` gives.
struct GridRow<'a> {
    text: &'a str,
    /// The ends of the cells not yet given.
    ends: &'a [u32],
    /// Where the next cell starts.
    start: usize,
    gap: usize,
}

impl<'a> Iterator for GridRow<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let (&end, rest) = self.ends.split_first()?;
        self.ends = rest;
        let cell = &self.text[self.start..end as usize];
        self.start = end as usize + self.gap;
        Some(cell)
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
    parse_csv_grid(file, bytes).map(Grid::into_table)
}

/// A CSV file read into a [`Grid`].
pub fn read_csv_grid(path: &Path) -> Result<Grid, DataError> {
    let file = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| DataError::new(Location::file(&file), ErrorKind::Io(e.to_string())))?;
    match plain_csv_grid(&file, text) {
        Ok(grid) => Ok(grid),
        Err(text) => parse_csv_grid(&file, &text),
    }
}

/// A CSV of plain cells read in place: when the file (after Excel's BOM) is UTF-8 without
/// quotes, carriage returns, apostrophes or empty lines, its cells are the text between
/// commas and line ends, which is what [`parse_csv_grid`] finds, and the file's own buffer
/// holds them (no copy of a national file's half a million cells). Anything else: the bytes
/// back, for [`parse_csv_grid`].
fn plain_csv_grid(file: &str, mut bytes: Vec<u8>) -> Result<Grid, Vec<u8>> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let body = bytes.strip_prefix(BOM).unwrap_or(&bytes);
    // One pass: where each cell and row ends, and whether anything needs the CSV reader.
    let (mut ends, mut starts) = (Vec::with_capacity(body.len() / 4), vec![0]);
    let mut plain = body.len() < u32::MAX as usize;
    // Whether the file stays plain with byte `b` at `i`; its cell and row ends noted.
    #[inline(always)]
    fn see(ends: &mut Vec<u32>, starts: &mut Vec<u32>, body: &[u8], i: usize, b: u8) -> bool {
        match b {
            b'"' | b'\r' | b'\'' => false,
            b',' => {
                ends.push(i as u32);
                true
            }
            b'\n' => {
                ends.push(i as u32);
                starts.push(ends.len() as u32);
                // A line end first, or right after another, is an empty line.
                i > 0 && body[i - 1] != b'\n'
            }
            _ => true,
        }
    }
    // Eight bytes at a time: only bytes below '-' can be a comma, a line end or what the
    // CSV reader must see (digits, letters, '.' and UTF-8 bytes are all above), and a word
    // of none of them is passed over at once.
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let words = body.chunks_exact(8);
    let tail = words.remainder();
    'scan: for (w, word) in words.enumerate() {
        let x = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        // A byte's high bit in `t` is set when its low 7 bits are at least '-' (0x2D),
        // without carries between bytes; with the byte's own high bit, the bytes below '-'.
        let t = (x & LOW) + 0x53 * 0x0101_0101_0101_0101;
        let mut below = !(t | x) & HIGH;
        while below != 0 {
            let k = below.trailing_zeros() as usize / 8;
            below &= below - 1;
            let i = w * 8 + k;
            if !see(&mut ends, &mut starts, body, i, body[i]) {
                plain = false;
                break 'scan;
            }
        }
    }
    if plain {
        let offset = body.len() - tail.len();
        plain = tail.iter().enumerate().all(|(k, &b)| see(&mut ends, &mut starts, body, offset + k, b));
    }
    if !plain {
        return Err(bytes);
    }
    // Checked as UTF-8 once, as the text it becomes (the bytes back as they came if not).
    let bom = bytes.starts_with(BOM);
    if bom {
        bytes.drain(..BOM.len());
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let mut bytes = e.into_bytes();
        if bom {
            bytes.splice(..0, BOM.iter().copied());
        }
        bytes
    })?;
    // The last line without its line end.
    if !text.is_empty() && !text.ends_with('\n') {
        ends.push(text.len() as u32);
        starts.push(ends.len() as u32);
    }
    Ok(Grid { file: file.to_string(), text, ends, starts, gap: 1 })
}

/// CSV bytes into a [`Grid`]: the same cells, rows and errors as [`parse_csv`].
pub fn parse_csv_grid(file: &str, bytes: &[u8]) -> Result<Grid, DataError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes); // Excel's BOM
    let too_big = || DataError::new(Location::file(file), ErrorKind::Io("file too large".into()));
    if bytes.len() >= u32::MAX as usize {
        return Err(too_big());
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut text = String::with_capacity(bytes.len());
    let (mut ends, mut starts) = (Vec::with_capacity(bytes.len() / 4), Vec::new());
    let mut record = csv::StringRecord::new();
    for i in 0.. {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(DataError::new(Location::file(file).line(i + 1), ErrorKind::Syntax(e.to_string()))),
        }
        starts.push(ends.len() as u32);
        for c in &record {
            text.push_str(crate::csv_safe::restored(c));
            ends.push(text.len() as u32);
        }
    }
    if ends.len() >= u32::MAX as usize {
        return Err(too_big());
    }
    starts.push(ends.len() as u32);
    Ok(Grid { file: file.to_string(), text, ends, starts, gap: 0 })
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
    if is_spreadsheet(path) { read_xlsx(path, sheet) } else { read_csv(path) }
}

/// Whether [`read`] reads the file as a spreadsheet (XLSX, XLSM, XLS, ODS) rather than CSV.
pub fn is_spreadsheet(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref(),
        Some("xlsx" | "xlsm" | "xls" | "ods")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_holds_the_cells_rows_and_locations_of_the_table() {
        let csv = "\u{feff}unit,a,b\nX\u{e3} M\u{1ed9}t,'=1+1,\"2,5\"\n\nshort\n,,\nlong,1,2,3\n";
        let grid = parse_csv_grid("f.csv", csv.as_bytes()).unwrap();
        let table = parse_csv("f.csv", csv.as_bytes()).unwrap();
        assert_eq!(table.rows[1], ["Xã Một", "=1+1", "2,5"]);
        assert_eq!(Cells::height(&grid), table.rows.len());
        for r in 0..=table.rows.len() {
            assert_eq!(Cells::row(&grid, r).collect::<Vec<_>>(), Cells::row(&table, r).collect::<Vec<_>>());
            for c in 0..5 {
                assert_eq!(Cells::cell(&grid, r, c), table.cell(r, c), "{r} {c}");
                assert_eq!(Cells::at(&grid, r, c), table.at(r, c), "{r} {c}");
            }
        }
        assert_eq!(grid.into_table(), table);
        let bad = parse_csv_grid("f.csv", b"a,b\n1,\xff\n").unwrap_err();
        assert_eq!(bad, parse_csv("f.csv", b"a,b\n1,\xff\n").unwrap_err());
        assert_eq!(bad.location.line, Some(2));
    }

    #[test]
    fn a_plain_csv_read_in_place_has_the_cells_of_the_csv_reader() {
        let inputs = [
            "unit,a,b\nX\u{e3} M\u{1ed9}t,1,2\nshort\n,,\nlong,1,2,3\n",
            "\u{feff}unit,a\nb,1",
            "unit,a\n b , 1,5 \n#x,=1\n",
            "unit\n",
            "a",
            "",
            // Left to the CSV reader: quotes, apostrophes, CR, empty lines, not UTF-8.
            "unit,a\nX,\"2,5\"\n",
            "unit,a\nX,'=1+1\n",
            "unit,a\r\nX,1\r\n",
            "unit,a\n\nX,1\n",
            "\nunit,a\n",
            "\u{feff}\u{feff}unit,a\nX,\"1\"\n",
            "unit,a\nX,1\n\n",
            "\u{feff}\n",
        ];
        for (k, csv) in inputs.iter().enumerate() {
            let expected = parse_csv_grid("f.csv", csv.as_bytes()).unwrap();
            match plain_csv_grid("f.csv", csv.as_bytes().to_vec()) {
                Ok(grid) => {
                    assert!(k < 6, "{csv:?} read in place");
                    assert_eq!(Cells::height(&grid), Cells::height(&expected), "{csv:?}");
                    for r in 0..=Cells::height(&grid) {
                        let (ours, theirs): (Vec<_>, Vec<_>) =
                            (Cells::row(&grid, r).collect(), Cells::row(&expected, r).collect());
                        assert_eq!(ours, theirs, "{csv:?} {r}");
                        for c in 0..5 {
                            assert_eq!(Cells::at(&grid, r, c), Cells::at(&expected, r, c), "{csv:?} {r} {c}");
                        }
                    }
                    assert_eq!(grid.into_table(), expected.into_table(), "{csv:?}");
                }
                Err(bytes) => {
                    assert!(k >= 6, "{csv:?} left to the reader");
                    assert_eq!(bytes, csv.as_bytes());
                }
            }
        }
        assert!(plain_csv_grid("f.csv", b"a,b\n1,\xff\n".to_vec()).is_err());
        let bom_then_not_utf8 = b"\xEF\xBB\xBFa,b\n1,\xff\n".to_vec();
        assert_eq!(plain_csv_grid("f.csv", bom_then_not_utf8.clone()).unwrap_err(), bom_then_not_utf8);
    }

    #[test]
    fn a_plain_csv_is_recognised_at_every_byte_of_a_word() {
        let base = "unit,a,b\nXã Một,0.63,0.73\nHai,1,22\nBa,3.5,0.125\n";
        for at in 0..=base.len() {
            if !base.is_char_boundary(at) {
                continue;
            }
            for extra in ["\"", "\r", "'", "\n", ",", " ", "+", "-", "é", "\t", "#", "\n\n"] {
                let csv = format!("{}{extra}{}", &base[..at], &base[at..]);
                let expected = parse_csv_grid("f.csv", csv.as_bytes());
                let needs_reader = csv.contains(['"', '\r', '\'']) || csv.starts_with('\n') || csv.contains("\n\n");
                match plain_csv_grid("f.csv", csv.as_bytes().to_vec()) {
                    Ok(grid) => {
                        assert!(!needs_reader, "{csv:?} read in place");
                        assert_eq!(grid.into_table(), expected.unwrap().into_table(), "{csv:?}");
                    }
                    Err(bytes) => {
                        assert!(needs_reader, "{csv:?} left to the reader");
                        assert_eq!(bytes, csv.as_bytes());
                    }
                }
            }
        }
    }

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}

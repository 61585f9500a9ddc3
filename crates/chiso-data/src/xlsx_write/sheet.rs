//! One sheet, written row by row straight into its zip entry.

use super::styles::StyleId;
use super::workbook::{SheetEntry, Workbook, options};
use super::xml::{escape_into, escaped};
use super::{Error, cell_name, column_name};
use std::io::{Seek, Write};

/// Columns `first..=last` (0-based) this wide, in Excel's character units as typed in Excel.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub first: u16,
    pub last: u16,
    pub width: f64,
    pub hidden: bool,
}

impl Column {
    pub fn new(col: u16, width: f64) -> Self {
        Column { first: col, last: col, width, hidden: false }
    }

    pub fn hidden(col: u16) -> Self {
        Column { first: col, last: col, width: 0.0, hidden: true }
    }
}

/// How a sheet prints.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Print {
    pub landscape: bool,
    /// Excel's paper size code (9: A4).
    pub paper: Option<u8>,
    /// One page wide, as many pages tall as it takes.
    pub fit_width: bool,
    /// These rows (0-based, inclusive) on every page.
    pub repeat_rows: Option<(u32, u32)>,
}

/// Everything about a sheet that comes before or beside its cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Setup {
    pub name: String,
    /// In ascending order, not overlapping.
    pub columns: Vec<Column>,
    /// Rows above and columns left of this cell stay on screen.
    pub freeze: Option<(u32, u16)>,
    pub print: Print,
    /// Locked cells cannot be edited (unlocked styles can).
    pub protect: bool,
}

/// What a cell may hold.
#[derive(Clone, Debug, PartialEq)]
pub enum ValidationRule {
    /// A formula (without `=`) that must be true.
    Custom(String),
    /// One of these texts, offered as a drop-down list.
    List(Vec<String>),
}

/// A data validation on the cells of rows `first_row..=last_row` of a column, with the message
/// shown when it refuses a value. A formula names the first cell; Excel moves its relative
/// references down for the cells below.
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    pub first_row: u32,
    pub last_row: u32,
    pub col: u16,
    pub rule: ValidationRule,
    pub error_title: String,
    pub error: String,
}

/// A sheet being written. Rows in ascending order, cells of a row in ascending columns.
pub struct Sheet<'a, W: Write + Seek> {
    wb: &'a mut Workbook<W>,
    buf: Vec<u8>,
    row: Option<u32>,
    /// The next column a cell may take in the current row.
    next_col: u16,
    /// The column after the current row's last cell when that cell had a value (a reader
    /// counts it): a cell there needs no reference.
    implied: Option<u16>,
    letters: Vec<String>,
    merges: Vec<u8>,
    merge_count: usize,
    validations: Vec<u8>,
    validation_count: usize,
    setup: Setup,
}

const FLUSH: usize = 128 * 1024;

/// Excel's stored width for a width typed in Excel (7-pixel digits, 5 pixels of padding).
fn stored_width(width: f64) -> f64 {
    if width <= 0.0 {
        return 0.0;
    }
    let pixels = if width < 1.0 { (width * 12.0).round() } else { (width * 7.0).round() + 5.0 };
    ((pixels * 256.0 / 7.0) as u64) as f64 / 256.0
}

fn number_text(n: f64) -> Result<String, Error> {
    if n.is_finite() { Ok(format!("{n}")) } else { Err(Error::Invalid(format!("{n} is not a number a cell holds"))) }
}

impl<'a, W: Write + Seek> Sheet<'a, W> {
    pub(crate) fn start(wb: &'a mut Workbook<W>, setup: &Setup) -> Result<Self, Error> {
        let n = wb.sheets.len() + 1;
        wb.zip.start_file(format!("xl/worksheets/sheet{n}.xml"), options())?;
        wb.open = true;
        let mut buf = Vec::with_capacity(FLUSH + 4096);
        buf.extend_from_slice(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">",
        );
        if setup.print.fit_width {
            buf.extend_from_slice(b"<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>");
        }
        buf.extend_from_slice(b"<sheetViews><sheetView");
        if n == 1 {
            buf.extend_from_slice(b" tabSelected=\"1\"");
        }
        buf.extend_from_slice(b" workbookViewId=\"0\"");
        match setup.freeze {
            Some((r, c)) if r > 0 || c > 0 => {
                let top_left = cell_name(r, c);
                let pane = match (r > 0, c > 0) {
                    (true, false) => format!(
                        "<pane ySplit=\"{r}\" topLeftCell=\"{top_left}\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\"/>"
                    ),
                    (false, _) => format!(
                        "<pane xSplit=\"{c}\" topLeftCell=\"{top_left}\" activePane=\"topRight\" state=\"frozen\"/><selection pane=\"topRight\"/>"
                    ),
                    (true, true) => format!(
                        "<pane xSplit=\"{c}\" ySplit=\"{r}\" topLeftCell=\"{top_left}\" activePane=\"bottomRight\" state=\"frozen\"/><selection pane=\"topRight\"/><selection pane=\"bottomLeft\"/><selection pane=\"bottomRight\"/>"
                    ),
                };
                buf.push(b'>');
                buf.extend_from_slice(pane.as_bytes());
                buf.extend_from_slice(b"</sheetView>");
            }
            _ => buf.extend_from_slice(b"/>"),
        }
        buf.extend_from_slice(b"</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
        if !setup.columns.is_empty() {
            buf.extend_from_slice(b"<cols>");
            for c in &setup.columns {
                let hidden = if c.hidden { " hidden=\"1\"" } else { "" };
                let width = if c.hidden { 0.0 } else { stored_width(c.width) };
                let _ = write!(
                    buf,
                    "<col min=\"{}\" max=\"{}\" width=\"{width}\"{hidden} customWidth=\"1\"/>",
                    c.first as u32 + 1,
                    c.last as u32 + 1
                );
            }
            buf.extend_from_slice(b"</cols>");
        }
        buf.extend_from_slice(b"<sheetData>");
        Ok(Sheet {
            wb,
            buf,
            row: None,
            next_col: 0,
            implied: None,
            letters: Vec::new(),
            merges: Vec::new(),
            merge_count: 0,
            validations: Vec::new(),
            validation_count: 0,
            setup: setup.clone(),
        })
    }

    fn flush_if_full(&mut self) -> Result<(), Error> {
        if self.buf.len() >= FLUSH {
            self.wb.zip.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Starts row `row` with this height (points), before any of its cells.
    pub fn row_height(&mut self, row: u32, height: f64) -> Result<(), Error> {
        if self.row == Some(row) {
            return Err(Error::Invalid(format!("row {} got its height after its cells", row + 1)));
        }
        self.open_row(row, Some(height))
    }

    fn open_row(&mut self, row: u32, height: Option<f64>) -> Result<(), Error> {
        if let Some(r) = self.row {
            if row < r {
                return Err(Error::Invalid(format!("row {} written after row {}", row + 1, r + 1)));
            }
            self.buf.extend_from_slice(b"</row>");
        }
        let _ = write!(self.buf, "<row r=\"{}\"", row as u64 + 1);
        if let Some(h) = height.filter(|h| *h != 15.0) {
            let _ = write!(self.buf, " ht=\"{}\" customHeight=\"1\"", number_text(h)?);
        }
        self.buf.push(b'>');
        self.row = Some(row);
        self.next_col = 0;
        self.implied = Some(0);
        self.flush_if_full()
    }

    /// `<c r="G5"`, the row opened if needed; a cell with a value right after another one
    /// goes without its reference (`<c`), as readers count it (a third less XML to read).
    fn cell_start(&mut self, row: u32, col: u16, style: StyleId, blank: bool) -> Result<(), Error> {
        if self.row != Some(row) {
            self.open_row(row, None)?;
        }
        if col < self.next_col {
            return Err(Error::Invalid(format!("cell {} written out of order", cell_name(row, col))));
        }
        self.next_col = col + 1;
        let implied = !blank && self.implied == Some(col);
        self.implied = (!blank).then_some(col + 1);
        if implied {
            self.buf.extend_from_slice(b"<c");
        } else {
            while self.letters.len() <= col as usize {
                self.letters.push(column_name(self.letters.len() as u16));
            }
            self.buf.extend_from_slice(b"<c r=\"");
            self.buf.extend_from_slice(self.letters[col as usize].as_bytes());
            let _ = write!(self.buf, "{}\"", row as u64 + 1);
        }
        if style.0 != 0 {
            let _ = write!(self.buf, " s=\"{}\"", style.0);
        }
        Ok(())
    }

    /// A text cell (shared string).
    pub fn string(&mut self, row: u32, col: u16, text: &str, style: StyleId) -> Result<(), Error> {
        self.cell_start(row, col, style, false)?;
        let i = self.wb.strings.get(text);
        let _ = write!(self.buf, " t=\"s\"><v>{i}</v></c>");
        Ok(())
    }

    /// A number cell.
    pub fn number(&mut self, row: u32, col: u16, value: f64, style: StyleId) -> Result<(), Error> {
        let v = number_text(value)?;
        self.cell_start(row, col, style, false)?;
        let _ = write!(self.buf, "><v>{v}</v></c>");
        Ok(())
    }

    /// A formula (without `=`) with the value it gives, shown before the sheet is calculated.
    pub fn formula(&mut self, row: u32, col: u16, formula: &str, cached: &str, style: StyleId) -> Result<(), Error> {
        self.cell_start(row, col, style, false)?;
        self.buf.extend_from_slice(b"><f>");
        escape_into(&mut self.buf, formula, false);
        self.buf.extend_from_slice(b"</f><v>");
        escape_into(&mut self.buf, cached, false);
        self.buf.extend_from_slice(b"</v></c>");
        Ok(())
    }

    /// An empty cell with a style (an empty cell without one is not written).
    pub fn blank(&mut self, row: u32, col: u16, style: StyleId) -> Result<(), Error> {
        if style.0 == 0 {
            return Ok(());
        }
        self.cell_start(row, col, style, true)?;
        self.buf.extend_from_slice(b"/>");
        Ok(())
    }

    /// Merges the range (its cells are written as usual: the first holds the value, the others
    /// blank with the same style for their borders).
    pub fn merge(&mut self, first_row: u32, first_col: u16, last_row: u32, last_col: u16) {
        let _ = write!(
            self.merges,
            "<mergeCell ref=\"{}:{}\"/>",
            cell_name(first_row, first_col),
            cell_name(last_row, last_col)
        );
        self.merge_count += 1;
    }

    /// A data validation (Excel's limits: a list of at most 255 characters, a title of 32, a
    /// message of 255).
    pub fn validate(&mut self, v: &Validation) -> Result<(), Error> {
        if v.error_title.chars().count() > 32 || v.error.chars().count() > 255 {
            return Err(Error::Invalid(format!("validation message of {} too long", cell_name(v.first_row, v.col))));
        }
        let (kind, formula) = match &v.rule {
            ValidationRule::Custom(f) => ("custom", f.clone()),
            ValidationRule::List(items) => {
                let joined = items.join(",");
                if joined.chars().count() > 255 {
                    return Err(Error::Invalid(format!(
                        "the list of {} is longer than 255 characters",
                        cell_name(v.first_row, v.col)
                    )));
                }
                ("list", format!("\"{}\"", joined.replace('"', "\"\"")))
            }
        };
        let sqref = if v.last_row > v.first_row {
            format!("{}:{}", cell_name(v.first_row, v.col), cell_name(v.last_row, v.col))
        } else {
            cell_name(v.first_row, v.col)
        };
        let _ = write!(
            self.validations,
            "<dataValidation type=\"{kind}\" allowBlank=\"1\" showInputMessage=\"1\" showErrorMessage=\"1\" errorTitle=\"{}\" error=\"{}\" sqref=\"{}\"><formula1>{}</formula1></dataValidation>",
            escaped(&v.error_title, true),
            escaped(&v.error, true),
            sqref,
            escaped(&formula, false)
        );
        self.validation_count += 1;
        Ok(())
    }

    /// Closes the sheet's XML and its zip entry.
    pub fn finish(mut self) -> Result<(), Error> {
        if self.row.is_some() {
            self.buf.extend_from_slice(b"</row>");
        }
        self.buf.extend_from_slice(b"</sheetData>");
        if self.setup.protect {
            self.buf.extend_from_slice(b"<sheetProtection sheet=\"1\" objects=\"1\" scenarios=\"1\"/>");
        }
        if self.merge_count > 0 {
            let _ = write!(self.buf, "<mergeCells count=\"{}\">", self.merge_count);
            self.buf.extend_from_slice(&self.merges);
            self.buf.extend_from_slice(b"</mergeCells>");
        }
        if self.validation_count > 0 {
            let _ = write!(self.buf, "<dataValidations count=\"{}\">", self.validation_count);
            self.buf.extend_from_slice(&self.validations);
            self.buf.extend_from_slice(b"</dataValidations>");
        }
        self.buf.extend_from_slice(
            b"<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>",
        );
        let p = &self.setup.print;
        if p.paper.is_some() || p.fit_width || p.landscape {
            self.buf.extend_from_slice(b"<pageSetup");
            if let Some(paper) = p.paper {
                let _ = write!(self.buf, " paperSize=\"{paper}\"");
            }
            if p.fit_width {
                self.buf.extend_from_slice(b" fitToHeight=\"0\"");
            }
            if p.landscape {
                self.buf.extend_from_slice(b" orientation=\"landscape\"");
            }
            self.buf.extend_from_slice(b"/>");
        }
        self.buf.extend_from_slice(b"</worksheet>");
        self.wb.zip.write_all(&self.buf)?;
        self.wb.sheets.push(SheetEntry { name: self.setup.name.clone(), repeat_rows: p.repeat_rows });
        self.wb.open = false;
        Ok(())
    }
}

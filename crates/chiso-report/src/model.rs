//! The document model every renderer reads. No formatting decisions beyond what a
//! Vietnamese administrative report needs to say (bold, italic, spans, numbers with decimals).

use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub header: Header,
    pub title: String,
    pub subject: String,
    pub body: Vec<Block>,
    pub recipients: Vec<String>,
    pub signatory: chiso_domain::Signatory,
    /// Attached after the signature, on its own pages (phụ lục).
    pub appendix: Vec<Block>,
    /// Per-unit figures, for the XLSX's data sheets.
    pub data: Vec<DataSheet>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The body above the issuing body, not bold (may be empty).
    pub parent_body: Vec<String>,
    pub issuing_body: Vec<String>,
    pub number: String,
    pub motto: [String; 2],
    pub date_line: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading { level: u8, text: String },
    Paragraph(Paragraph),
    Table(Table),
    Figure(Figure),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Paragraph {
    pub runs: Vec<Run>,
    pub style: ParagraphStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParagraphStyle {
    #[default]
    Body,
    /// A table's or figure's caption.
    Caption,
    /// Notes under a table, smaller.
    Note,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

impl Paragraph {
    pub fn text(s: impl Into<String>) -> Paragraph {
        Paragraph { runs: vec![Run { text: s.into(), ..Default::default() }], style: ParagraphStyle::Body }
    }

    pub fn plain(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub number: u32,
    /// The caption after "Bảng N.".
    pub caption: String,
    /// Header rows, HTML-style: a cell covered by a span above or to the left is omitted.
    pub header: Vec<Vec<HeaderCell>>,
    pub rows: Vec<Row>,
    pub notes: Vec<Paragraph>,
    /// Relative column widths (sum is arbitrary).
    pub widths: Vec<u32>,
    /// `Some(n)`: the document (DOCX, HTML) prints the first and last n unit rows and one
    /// row saying how many are between; the XLSX keeps every row.
    pub ends: Option<usize>,
    /// Only in the XLSX: the document (DOCX, HTML, so the PDF) leaves the table out, the
    /// report settings' `[tables] full = false` (a national ranking's full tables).
    pub workbook_only: bool,
}

impl Table {
    /// The rows as the document prints them (see [`Table::ends`]).
    pub fn document_rows(&self) -> std::borrow::Cow<'_, [Row]> {
        let first = self.rows.iter().position(|r| r.kind == RowKind::Unit).unwrap_or(self.rows.len());
        let units = self.rows.len() - first;
        let Some(n) = self.ends.filter(|n| units > 2 * n) else { return std::borrow::Cow::Borrowed(&self.rows) };
        let columns: u16 = self.rows[first].cells.iter().map(|c| c.colspan.max(1)).sum();
        let gap = Row {
            kind: RowKind::Unit,
            cells: vec![
                Cell::text("…"),
                Cell::text(format!(
                    "… {} đơn vị khác, xem đầy đủ trong tệp XLSX kèm theo",
                    crate::vi::number(rust_decimal::Decimal::from(units - 2 * n), 0)
                ))
                .span(columns.saturating_sub(1).max(1)),
            ],
        };
        let mut out = self.rows[..first + n].to_vec();
        out.push(gap);
        out.extend_from_slice(&self.rows[self.rows.len() - n..]);
        std::borrow::Cow::Owned(out)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HeaderCell {
    pub text: String,
    pub colspan: u16,
    pub rowspan: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// The "Điểm tối đa" row.
    Max,
    Unit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub kind: RowKind,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub value: Value,
    pub colspan: u16,
    pub bold: bool,
}

/// A cell is held once per unit and column of every table (millions of them in a national
/// report, all alive while its files are written): kept to 48 bytes.
const _: () = assert!(std::mem::size_of::<Cell>() <= 48);

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Int(u32),
    /// Points: printed with `decimals`; `sum_of` lists the columns (in this row) it is the
    /// sum of, so a spreadsheet can check it with a formula.
    Number {
        value: Decimal,
        decimals: u32,
        sum_of: Box<[usize]>,
    },
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell { value: Value::Text(s.into()), colspan: 1, bold: false }
    }
    pub fn int(n: u32) -> Cell {
        Cell { value: Value::Int(n), colspan: 1, bold: false }
    }
    pub fn empty() -> Cell {
        Cell { value: Value::Empty, colspan: 1, bold: false }
    }
    pub fn number(value: Decimal, decimals: u32) -> Cell {
        Cell { value: Value::Number { value, decimals, sum_of: Box::default() }, colspan: 1, bold: false }
    }
    pub fn bold(mut self) -> Cell {
        self.bold = true;
        self
    }
    pub fn span(mut self, n: u16) -> Cell {
        self.colspan = n;
        self
    }
    /// The cell's text as printed in Vietnamese.
    pub fn printed(&self) -> String {
        match &self.value {
            Value::Empty => String::new(),
            Value::Text(s) => s.clone(),
            Value::Int(n) => n.to_string(),
            Value::Number { value, decimals, .. } => crate::vi::number(*value, *decimals),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub number: u32,
    pub caption: String,
    pub chart: Chart,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Horizontal bars, one category per unit, one series per year.
    Bar { categories: Vec<String>, series: Vec<Series>, decimals: u32, max: Decimal },
    /// Shares of a whole (units per level).
    Pie { categories: Vec<String>, values: Vec<u32> },
    /// A range per category (5–95 % rank interval) with a marked value (the rank).
    Range { categories: Vec<String>, low: Vec<u32>, high: Vec<u32>, value: Vec<u32> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// `None`: no value for that category (a unit without last year's result).
    pub values: Vec<Option<Decimal>>,
}

/// Raw per-unit figures of one kind, for the spreadsheet.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

//! The document being audited, with its recognized tables and helpers every check uses.

use crate::finding::Location;
use crate::model::{Block, Document, Num, Table};
use crate::recognize::{RTable, Role};
use crate::text::format_num;
use chiso_domain::Decimal;
use chiso_domain::framework::Framework;
use chiso_domain::unit::Registry;

pub struct Ctx<'a> {
    pub doc: &'a Document,
    pub frameworks: &'a [Framework],
    pub registry: &'a Registry,
    pub tables: Vec<RTable>,
    pub year: Option<i32>,
}

static EMPTY: Table =
    Table { caption: None, sheet: None, rows: Vec::new(), row_numbers: Vec::new(), spreadsheet: false };

impl<'a> Ctx<'a> {
    pub fn raw(&self, t: usize) -> &'a Table {
        match self.doc.blocks.get(self.tables[t].block) {
            Some(Block::Table(x)) => x,
            _ => &EMPTY,
        }
    }

    pub fn fw(&self, t: usize) -> &'a Framework {
        &self.frameworks[self.tables[t].framework]
    }

    /// The number printed in a cell (not one covered by a merge).
    pub fn num(&self, t: usize, row: usize, col: usize) -> Option<Num> {
        let c = self.raw(t).rows.get(row)?.get(col)?;
        if c.origin.is_some() { None } else { c.number }
    }

    pub fn text(&self, t: usize, row: usize, col: usize) -> &'a str {
        self.raw(t).rows.get(row).and_then(|r| r.get(col)).map_or("", |c| c.text.as_str())
    }

    /// A value in the document's format.
    pub fn fmt(&self, value: Decimal, decimals: u32) -> String {
        format_num(value, decimals, self.doc.decimal_separator)
    }

    pub fn table_location(&self, t: usize) -> Location {
        let rt = &self.tables[t];
        Location {
            block: rt.block,
            table: Some(rt.name.clone()),
            caption: (!rt.title.is_empty()).then(|| rt.title.clone()),
            ..Default::default()
        }
    }

    pub fn cell_location(&self, t: usize, row: usize, col: usize) -> Location {
        let raw = self.raw(t);
        Location {
            row: Some(raw.row_numbers.get(row).copied().unwrap_or(row + 1)),
            column: Some(self.column_label(t, col)),
            cell: raw.cell_name(row, col),
            ..self.table_location(t)
        }
    }

    pub fn column_label(&self, t: usize, col: usize) -> String {
        let rt = &self.tables[t];
        match rt.column(col) {
            Some(c) if !c.label.is_empty() => c.label.clone(),
            _ if col == rt.unit_col => "Đơn vị".into(),
            _ => format!("{}", col + 1),
        }
    }

    /// The unit's name as printed in a row.
    pub fn unit_text(&self, t: usize, row: usize) -> String {
        self.tables[t].rows.iter().find(|r| r.row == row).map(|r| r.unit_text.clone()).unwrap_or_default()
    }

    /// The column of a role in a table.
    pub fn column_of(&self, t: usize, role: Role) -> Option<usize> {
        self.tables[t].columns.iter().find(|c| c.role == role).map(|c| c.col)
    }

    /// The printed label of a criterion (`None` = the total) in a framework.
    pub fn criterion_label(&self, fw: usize, c: Option<usize>) -> String {
        match c {
            Some(i) => self.frameworks[fw].criterion(i).label().to_string(),
            None => "Tổng điểm".into(),
        }
    }
}

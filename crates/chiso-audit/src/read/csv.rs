//! CSV: one table per file, cells as text. The delimiter is `,`, `;` or a tab, whichever
//! splits the first line most; a UTF-8 byte-order mark is dropped, other bytes that are
//! not UTF-8 are replaced rather than refused.

use super::{MAX_COLUMNS, MAX_ROWS, ReadError};
use crate::model::{Block, Cell, Document, Table};
use crate::text::parse_num;

pub fn read_csv(bytes: &[u8], name: &str) -> Result<Document, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t'].into_iter().max_by_key(|d| first.matches(*d as char).count()).unwrap_or(b',');
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => return Err(ReadError::Io(format!("{name}: {e}"))),
        };
        if rows.len() >= MAX_ROWS {
            break;
        }
        lines.push(record.position().map_or(rows.len() + 1, |p| p.line() as usize));
        rows.push(record.iter().take(MAX_COLUMNS).map(|s| s.trim().to_string()).collect());
    }
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let grid: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|r| {
            let mut line: Vec<Cell> = r
                .into_iter()
                .map(|text| Cell { number: parse_num(&text), text: text.into(), span: 1, ..Default::default() })
                .collect();
            line.resize_with(width, || Cell { span: 1, ..Default::default() });
            line
        })
        .collect();
    let separator = super::separator(grid.iter().flatten().map(|c| c.text.as_str()));
    let table =
        Table { caption: None, sheet: Some(name.to_string()), rows: grid, row_numbers: lines, spreadsheet: false };
    Ok(Document { blocks: vec![Block::Table(table)], decimal_separator: separator })
}

//! XLSX: one table per worksheet, read from the XML itself so that numbers are shown
//! with the decimals of their number format (calamine keeps only whether a format is a
//! date). Numbers stored as text stay text and are parsed like printed numbers.

use super::{MAX_COLUMNS, MAX_ROWS, ReadError, attr, general_ref, open_zip, part, xml_error};
use crate::model::{Block, Cell, Document, Num, Table};
use crate::text::{format_num, parse_num};
use chiso_domain::Decimal;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::collections::HashMap;

/// How a cell's number is displayed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shown {
    /// "General": as many decimals as the value needs (at most 10).
    General,
    Fixed {
        decimals: u32,
        percent: bool,
    },
}

#[derive(Debug, Clone, Copy)]
struct Style {
    shown: Shown,
    bold: bool,
}

pub fn read_xlsx(bytes: &[u8]) -> Result<Document, ReadError> {
    let mut zip = open_zip(bytes)?;
    let workbook =
        part(&mut zip, "xl/workbook.xml")?.ok_or_else(|| ReadError::MissingPart("xl/workbook.xml".into()))?;
    let rels = part(&mut zip, "xl/_rels/workbook.xml.rels")?.unwrap_or_default();
    let shared = match part(&mut zip, "xl/sharedStrings.xml")? {
        Some(x) => shared_strings(&x)?,
        None => Vec::new(),
    };
    let styles = match part(&mut zip, "xl/styles.xml")? {
        Some(x) => styles(&x),
        None => Vec::new(),
    };
    let targets = relationships(&rels);
    let mut blocks = Vec::new();
    for (name, rid) in sheets(&workbook)? {
        let Some(target) = targets.get(&rid) else { continue };
        let path = if let Some(abs) = target.strip_prefix('/') { abs.to_string() } else { format!("xl/{target}") };
        let Some(xml) = part(&mut zip, &path)? else { continue };
        let mut table = sheet(&xml, &path, &shared, &styles)?;
        table.sheet = Some(name);
        blocks.push(Block::Table(table));
    }
    Ok(Document { blocks, decimal_separator: ',' })
}

fn sheets(xml: &[u8]) -> Result<Vec<(String, String)>, ReadError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| xml_error("xl/workbook.xml", e))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"sheet" => {
                if let (Some(name), Some(id)) = (attr(&e, b"name"), attr(&e, b"id")) {
                    out.push((name, id));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

fn relationships(xml: &[u8]) -> HashMap<String, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = HashMap::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == b"Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, b"Id"), attr(&e, b"Target")) {
                    out.insert(id, target);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

/// The text of every `<si>`: plain or rich runs, phonetic hints left out.
fn shared_strings(xml: &[u8]) -> Result<Vec<String>, ReadError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut in_t, mut in_phonetic) = (false, false);
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| xml_error("xl/sharedStrings.xml", e))? {
            Event::Start(e) => match e.local_name().as_ref() {
                b"si" => current.clear(),
                b"t" => in_t = true,
                b"rPh" => in_phonetic = true,
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == b"si" => out.push(String::new()),
            Event::End(e) => match e.local_name().as_ref() {
                b"si" if out.len() < 1_000_000 => out.push(std::mem::take(&mut current)),
                b"t" => in_t = false,
                b"rPh" => in_phonetic = false,
                _ => {}
            },
            Event::Text(t) if in_t && !in_phonetic => {
                current.push_str(&t.decode().map_err(|e| xml_error("xl/sharedStrings.xml", e))?);
            }
            Event::GeneralRef(r) if in_t && !in_phonetic => {
                if let Some(c) = general_ref(&r) {
                    current.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// The decimals a number format shows: builtin ids, or the first section of a custom code.
fn shown(id: u32, custom: &HashMap<u32, String>) -> Shown {
    match id {
        0 => Shown::General,
        1 | 3 | 37 | 38 => Shown::Fixed { decimals: 0, percent: false },
        2 | 4 | 39 | 40 => Shown::Fixed { decimals: 2, percent: false },
        9 => Shown::Fixed { decimals: 0, percent: true },
        10 => Shown::Fixed { decimals: 2, percent: true },
        _ => match custom.get(&id) {
            Some(code) => code_decimals(code),
            None => Shown::General,
        },
    }
}

fn code_decimals(code: &str) -> Shown {
    let section = code.split(';').next().unwrap_or("");
    // Drop quoted text, escaped characters and [colour]/[condition] blocks.
    let mut plain = String::new();
    let mut chars = section.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for d in chars.by_ref() {
                    if d == '"' {
                        break;
                    }
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => {
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                }
            }
            c => plain.push(c),
        }
    }
    if plain.eq_ignore_ascii_case("general") || plain.is_empty() || plain.contains('@') {
        return Shown::General;
    }
    let percent = plain.contains('%');
    let decimals = match plain.find('.') {
        Some(i) => plain[i + 1..].chars().take_while(|c| matches!(c, '0' | '#' | '?')).count() as u32,
        None => 0,
    };
    Shown::Fixed { decimals: decimals.min(crate::text::MAX_DECIMALS), percent }
}

fn styles(xml: &[u8]) -> Vec<Style> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut custom: HashMap<u32, String> = HashMap::new();
    let mut fonts_bold: Vec<bool> = Vec::new();
    let mut xfs: Vec<(u32, usize)> = Vec::new();
    let (mut in_fonts, mut in_font, mut in_xfs) = (false, false, false);
    let mut font_bold = false;
    while let Ok(event) = reader.read_event_into(&mut buf) {
        let (start, empty) = match &event {
            Event::Start(_) => (true, false),
            Event::Empty(_) => (false, true),
            _ => (false, false),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => match e.local_name().as_ref() {
                b"numFmt" => {
                    if let (Some(id), Some(code)) =
                        (attr(e, b"numFmtId").and_then(|v| v.parse().ok()), attr(e, b"formatCode"))
                    {
                        custom.insert(id, code);
                    }
                }
                b"fonts" if start => in_fonts = true,
                b"font" if in_fonts => {
                    font_bold = false;
                    if empty {
                        fonts_bold.push(false);
                    } else {
                        in_font = true;
                    }
                }
                b"b" if in_font => font_bold = !matches!(attr(e, b"val").as_deref(), Some("0" | "false")),
                b"cellXfs" if start => in_xfs = true,
                b"xf" if in_xfs && xfs.len() < 100_000 => {
                    let num = attr(e, b"numFmtId").and_then(|v| v.parse().ok()).unwrap_or(0);
                    let font = attr(e, b"fontId").and_then(|v| v.parse().ok()).unwrap_or(0);
                    xfs.push((num, font));
                }
                _ => {}
            },
            Event::End(ref e) => match e.local_name().as_ref() {
                b"fonts" => in_fonts = false,
                b"font" if in_font => {
                    in_font = false;
                    if fonts_bold.len() < 100_000 {
                        fonts_bold.push(font_bold);
                    }
                }
                b"cellXfs" => in_xfs = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    xfs.into_iter()
        .map(|(num, font)| Style { shown: shown(num, &custom), bold: fonts_bold.get(font).copied().unwrap_or(false) })
        .collect()
}

/// "F13" → (12, 5), 0-based.
fn cell_ref(r: &str) -> Option<(usize, usize)> {
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &r[letters.len()..];
    if letters.is_empty() || letters.len() > 3 || digits.is_empty() || digits.len() > 7 {
        return None;
    }
    let mut col = 0usize;
    for c in letters.chars() {
        col = col * 26 + (c.to_ascii_uppercase() as usize - 'A' as usize + 1);
    }
    let row: usize = digits.parse().ok()?;
    (row >= 1).then(|| (row - 1, col - 1))
}

struct Raw {
    text: String,
    number: Option<Num>,
    bold: bool,
}

/// A number as the cell shows it: rounded to the format's decimals (half away from zero,
/// as Excel does), ×100 for percentages.
fn display(value: Decimal, shown: Shown) -> (Num, bool) {
    match shown {
        Shown::General => {
            let v =
                crate::text::round(value, crate::text::MAX_DECIMALS, chiso_domain::RoundingMode::HalfUp).normalize();
            (Num { value: v, decimals: v.scale() }, false)
        }
        Shown::Fixed { decimals, percent } => {
            let v = if percent { value * Decimal::ONE_HUNDRED } else { value };
            let v = crate::text::round(v, decimals, chiso_domain::RoundingMode::HalfUp);
            (Num { value: v, decimals }, percent)
        }
    }
}

fn parse_number(v: &str) -> Option<Decimal> {
    let v = v.trim();
    v.parse::<Decimal>().ok().or_else(|| Decimal::from_scientific(v).ok())
}

fn sheet(xml: &[u8], path: &str, shared: &[String], styles: &[Style]) -> Result<Table, ReadError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut cells: Vec<((usize, usize), Raw)> = Vec::new();
    let mut merges: Vec<((usize, usize), (usize, usize))> = Vec::new();
    let (mut row_no, mut col_no) = (0usize, 0usize);
    // The open cell: position, type, style, value text, inline text.
    let mut open: Option<((usize, usize), String, usize)> = None;
    let (mut value, mut inline) = (String::new(), String::new());
    let (mut in_v, mut in_is_t) = (false, false);
    let mut in_data = false;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| xml_error(path, e))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"sheetData" => in_data = !empty,
                    b"row" if in_data => {
                        row_no = attr(e, b"r").and_then(|r| r.parse::<usize>().ok()).map_or(row_no + 1, |r| r.max(1));
                        col_no = 0;
                    }
                    b"c" if in_data => {
                        let pos =
                            attr(e, b"r").and_then(|r| cell_ref(&r)).unwrap_or((row_no.saturating_sub(1), col_no));
                        col_no = pos.1 + 1;
                        let kind = attr(e, b"t").unwrap_or_default();
                        let style = attr(e, b"s").and_then(|s| s.parse::<usize>().ok()).unwrap_or(0);
                        value.clear();
                        inline.clear();
                        if empty {
                            let bold = styles.get(style).is_some_and(|s| s.bold);
                            if pos.0 < MAX_ROWS && pos.1 < MAX_COLUMNS {
                                cells.push((pos, Raw { text: String::new(), number: None, bold }));
                            }
                        } else {
                            open = Some((pos, kind, style));
                        }
                    }
                    b"v" if open.is_some() && !empty => in_v = true,
                    b"t" if open.is_some() && !empty => in_is_t = true,
                    b"mergeCell" => {
                        if let Some(r) = attr(e, b"ref") {
                            let mut ends = r.split(':');
                            if let (Some(a), Some(b)) = (ends.next().and_then(cell_ref), ends.next().and_then(cell_ref))
                                && merges.len() < 100_000
                            {
                                merges.push((a, b));
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_v || in_is_t => {
                let s = t.decode().map_err(|e| xml_error(path, e))?;
                if value.len() + inline.len() < 1_000_000 {
                    if in_v { value.push_str(&s) } else { inline.push_str(&s) }
                }
            }
            Event::GeneralRef(r) if in_v || in_is_t => {
                if let Some(c) = general_ref(&r) {
                    if in_v { value.push(c) } else { inline.push(c) }
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"v" => in_v = false,
                b"t" => in_is_t = false,
                b"sheetData" => in_data = false,
                b"c" => {
                    if let Some((pos, kind, style)) = open.take() {
                        let st = styles.get(style).copied().unwrap_or(Style { shown: Shown::General, bold: false });
                        let raw = match kind.as_str() {
                            "s" => {
                                let text = value
                                    .trim()
                                    .parse::<usize>()
                                    .ok()
                                    .and_then(|i| shared.get(i))
                                    .cloned()
                                    .unwrap_or_default();
                                Raw { number: parse_num(&text), text, bold: st.bold }
                            }
                            "inlineStr" | "str" => {
                                let text = if kind == "str" { value.clone() } else { inline.clone() };
                                Raw { number: parse_num(&text), text, bold: st.bold }
                            }
                            "b" => Raw {
                                text: if value.trim() == "1" { "TRUE".into() } else { "FALSE".into() },
                                number: None,
                                bold: st.bold,
                            },
                            "e" | "d" => Raw { text: value.clone(), number: None, bold: st.bold },
                            _ => match parse_number(&value) {
                                Some(v) if v.abs() < Decimal::from(crate::text::LIMIT) => {
                                    let (num, percent) = display(v, st.shown);
                                    let mut text = format_num(num.value, num.decimals, ',');
                                    if percent {
                                        text.push('%');
                                    }
                                    Raw { text, number: (!percent).then_some(num), bold: st.bold }
                                }
                                _ => Raw { text: value.trim().to_string(), number: None, bold: st.bold },
                            },
                        };
                        if pos.0 < MAX_ROWS && pos.1 < MAX_COLUMNS {
                            cells.push((pos, raw));
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(build(cells, merges))
}

/// Sparse cells to a grid from row 1 (so that row numbers are the sheet's) to the last
/// row that has text, columns A to the last column with text or a merge.
fn build(cells: Vec<((usize, usize), Raw)>, merges: Vec<((usize, usize), (usize, usize))>) -> Table {
    let used = cells.iter().filter(|(_, r)| !r.text.trim().is_empty());
    let rows = used.clone().map(|((r, _), _)| r + 1).max().unwrap_or(0);
    let cols = used.map(|((_, c), _)| c + 1).max().unwrap_or(0);
    let merge_cols = merges.iter().filter(|(a, _)| a.0 < rows).map(|(_, b)| b.1 + 1).max().unwrap_or(0);
    let cols = cols.max(merge_cols).min(MAX_COLUMNS);
    let rows = rows.min(MAX_ROWS);
    let mut grid: Vec<Vec<Cell>> =
        (0..rows).map(|_| (0..cols).map(|_| Cell { span: 1, ..Default::default() }).collect()).collect();
    for ((r, c), raw) in cells {
        if r < rows && c < cols {
            grid[r][c] =
                Cell { text: raw.text.trim().into(), number: raw.number, bold: raw.bold, origin: None, span: 1 };
        }
    }
    for ((r0, c0), (r1, c1)) in merges {
        let (r0, r1) = (r0.min(r1), r0.max(r1));
        let (c0, c1) = (c0.min(c1), c0.max(c1));
        if r0 >= rows || c0 >= cols {
            continue;
        }
        let (r1, c1) = (r1.min(rows - 1), c1.min(cols - 1));
        if grid[r0][c0].origin.is_some() {
            continue; // overlapping merges: the first one wins
        }
        grid[r0][c0].span = (c1 - c0 + 1) as u16;
        for (r, line) in grid.iter_mut().enumerate().take(r1 + 1).skip(r0) {
            for (c, cell) in line.iter_mut().enumerate().take(c1 + 1).skip(c0) {
                if (r, c) != (r0, c0) && cell.origin.is_none() {
                    *cell = Cell { origin: Some((r0 as u32, c0 as u32)), span: 1, ..Default::default() };
                }
            }
        }
    }
    Table { caption: None, sheet: None, rows: grid, row_numbers: (1..=rows).collect(), spreadsheet: true }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats_give_the_decimals_shown() {
        let none = HashMap::new();
        assert_eq!(shown(2, &none), Shown::Fixed { decimals: 2, percent: false });
        assert_eq!(code_decimals("0.0"), Shown::Fixed { decimals: 1, percent: false });
        assert_eq!(code_decimals("#,##0.00\" đ\";[Red]-#,##0.00"), Shown::Fixed { decimals: 2, percent: false });
        assert_eq!(code_decimals("0.0%"), Shown::Fixed { decimals: 1, percent: true });
        assert_eq!(cell_ref("F13"), Some((12, 5)));
        assert_eq!(cell_ref("AA1"), Some((0, 26)));
    }
}

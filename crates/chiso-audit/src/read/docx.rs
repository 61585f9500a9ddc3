//! DOCX: the body's paragraphs and tables in order. Tables keep their grid: a cell
//! spanning columns (`w:gridSpan`, legacy `w:hMerge`) or continuing a vertical merge
//! (`w:vMerge`) points at the cell it belongs to. Deleted text, field codes, text boxes
//! and the fallback copies of drawings are not part of what the reader sees.

use super::{MAX_COLUMNS, MAX_ROWS, ReadError, attr, general_ref, open_zip, part, xml_error};
use crate::model::{Block, Cell, Document, Paragraph, Table};
use crate::text::parse_num;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::collections::HashMap;

#[derive(Default)]
struct Para {
    text: String,
    style: Option<String>,
    outline: Option<u8>,
    has_text: bool,
    all_bold: bool,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum VMerge {
    #[default]
    None,
    Restart,
    Continue,
}

#[derive(Default)]
struct CellB {
    text: String,
    span: usize,
    vmerge: VMerge,
    hmerge_continue: bool,
    has_text: bool,
    all_bold: bool,
}

#[derive(Default)]
struct RowB {
    before: usize,
    cells: Vec<CellB>,
}

pub fn read_docx(bytes: &[u8]) -> Result<Document, ReadError> {
    let mut zip = open_zip(bytes)?;
    let xml = part(&mut zip, "word/document.xml")?.ok_or_else(|| ReadError::MissingPart("word/document.xml".into()))?;
    let styles = match part(&mut zip, "word/styles.xml") {
        Ok(Some(s)) => heading_styles(&s),
        _ => HashMap::new(),
    };
    let mut blocks = parse(&xml, &styles)?;
    attach_captions(&mut blocks);
    let separator = super::separator(blocks.iter().flat_map(|b| match b {
        Block::Table(t) => t.rows.iter().flatten().map(|c| c.text.as_str()).collect::<Vec<_>>(),
        Block::Paragraph(_) => Vec::new(),
    }));
    Ok(Document { blocks, decimal_separator: separator })
}

/// Paragraph style ids that are headings, with their level (1 = top).
fn heading_styles(xml: &[u8]) -> HashMap<String, u8> {
    let mut out = HashMap::new();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let (mut id, mut level): (Option<String>, Option<u8>) = (None, None);
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                b"style" => {
                    id = attr(&e, b"styleId");
                    level = None;
                }
                b"name" => {
                    let name = attr(&e, b"val").unwrap_or_default().to_lowercase();
                    if let Some(n) = name.strip_prefix("heading ").and_then(|n| n.trim().parse::<u8>().ok()) {
                        level = Some(n);
                    } else if name == "title" || name == "subtitle" {
                        level = Some(0);
                    }
                }
                b"outlineLvl" => {
                    if let Some(n) = attr(&e, b"val").and_then(|v| v.parse::<u8>().ok()).filter(|n| *n < 9) {
                        level = Some(n + 1);
                    }
                }
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == b"style" => {
                if let (Some(i), Some(l)) = (id.take(), level.take()) {
                    out.insert(i, l);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

fn style_level(style: &str, styles: &HashMap<String, u8>) -> Option<u8> {
    if let Some(l) = styles.get(style) {
        return Some(*l);
    }
    let s = style.to_lowercase();
    if let Some(n) = s.strip_prefix("heading").and_then(|n| n.trim().parse::<u8>().ok()) {
        return Some(n);
    }
    (s == "title" || s == "subtitle").then_some(0)
}

fn bold_on(e: &quick_xml::events::BytesStart<'_>) -> bool {
    !matches!(attr(e, b"val").as_deref(), Some("0" | "false" | "off" | "none"))
}

fn parse(xml: &[u8], styles: &HashMap<String, u8>) -> Result<Vec<Block>, ReadError> {
    const PART: &str = "word/document.xml";
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut blocks = Vec::new();
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut skip = 0usize;
    let mut tbl_depth = 0usize;
    let mut rows: Vec<RowB> = Vec::new();
    let mut row: Option<RowB> = None;
    let mut cell: Option<CellB> = None;
    let mut para: Option<Para> = None;
    let mut cell_para_open = false;
    let mut run_bold = false;
    let mut in_text = false;
    let mut in_body = false;

    // Text goes to the open cell of the outermost table, else to the open body paragraph.
    fn push(text: &str, bold: bool, cell: &mut Option<CellB>, para: &mut Option<Para>, tbl_depth: usize) {
        let blank = text.trim().is_empty();
        if tbl_depth > 0 {
            if let Some(c) = cell {
                c.text.push_str(text);
                if !blank {
                    c.all_bold = if c.has_text { c.all_bold && bold } else { bold };
                    c.has_text = true;
                }
            }
        } else if let Some(p) = para {
            p.text.push_str(text);
            if !blank {
                p.all_bold = if p.has_text { p.all_bold && bold } else { bold };
                p.has_text = true;
            }
        }
    }

    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| xml_error(PART, e))?;
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_vec();
                if skip > 0 {
                    skip += 1;
                    stack.push(name);
                    buf.clear();
                    continue;
                }
                let parent = stack.last().map(Vec::as_slice);
                match name.as_slice() {
                    b"body" => in_body = true,
                    b"del" | b"instrText" | b"delText" | b"Fallback" | b"txbxContent" | b"delInstrText" => {
                        skip = 1;
                    }
                    b"tbl" if in_body => {
                        tbl_depth += 1;
                        if tbl_depth == 1 {
                            rows.clear();
                        }
                    }
                    b"tr" if tbl_depth == 1 => row = Some(RowB::default()),
                    b"tc" if tbl_depth == 1 => cell = Some(CellB { span: 1, ..Default::default() }),
                    b"p" if in_body => {
                        if tbl_depth == 0 {
                            para = Some(Para::default());
                        } else if let Some(c) = &mut cell
                            && !cell_para_open
                        {
                            if !c.text.is_empty() {
                                c.text.push('\n');
                            }
                            cell_para_open = true;
                        }
                    }
                    b"r" => run_bold = false,
                    b"t" if parent == Some(b"r") => in_text = true,
                    _ => {}
                }
                stack.push(name);
            }
            Event::Empty(e) => {
                if skip > 0 {
                    buf.clear();
                    continue;
                }
                let name = e.local_name();
                let parent = stack.last().map(Vec::as_slice);
                let grand = stack.len().checked_sub(2).and_then(|i| stack.get(i)).map(Vec::as_slice);
                match name.as_ref() {
                    b"gridSpan" if tbl_depth == 1 && parent == Some(b"tcPr") => {
                        if let Some(c) = &mut cell {
                            c.span = attr(&e, b"val").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).clamp(1, 64);
                        }
                    }
                    b"vMerge" if tbl_depth == 1 && parent == Some(b"tcPr") => {
                        if let Some(c) = &mut cell {
                            c.vmerge = if attr(&e, b"val").as_deref() == Some("restart") {
                                VMerge::Restart
                            } else {
                                VMerge::Continue
                            };
                        }
                    }
                    b"hMerge" if tbl_depth == 1 && parent == Some(b"tcPr") => {
                        if let Some(c) = &mut cell {
                            c.hmerge_continue = attr(&e, b"val").as_deref() != Some("restart");
                        }
                    }
                    b"gridBefore" if tbl_depth == 1 && parent == Some(b"trPr") => {
                        if let Some(r) = &mut row {
                            r.before = attr(&e, b"val").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0).min(64);
                        }
                    }
                    b"pStyle" if tbl_depth == 0 && parent == Some(b"pPr") => {
                        if let Some(p) = &mut para {
                            p.style = attr(&e, b"val");
                        }
                    }
                    b"outlineLvl" if tbl_depth == 0 && parent == Some(b"pPr") => {
                        if let Some(p) = &mut para {
                            p.outline = attr(&e, b"val").and_then(|v| v.parse::<u8>().ok()).filter(|n| *n < 9);
                        }
                    }
                    b"b" if parent == Some(b"rPr") && grand == Some(b"r") => run_bold = bold_on(&e),
                    b"tab" if parent == Some(b"r") => push("\t", run_bold, &mut cell, &mut para, tbl_depth),
                    b"br" | b"cr" if parent == Some(b"r") => push("\n", run_bold, &mut cell, &mut para, tbl_depth),
                    b"noBreakHyphen" if parent == Some(b"r") => push("-", run_bold, &mut cell, &mut para, tbl_depth),
                    _ => {}
                }
            }
            Event::Text(t) if in_text && skip == 0 => {
                let s = t.decode().map_err(|e| xml_error(PART, e))?;
                push(&s, run_bold, &mut cell, &mut para, tbl_depth);
            }
            Event::GeneralRef(r) if in_text && skip == 0 => {
                if let Some(c) = general_ref(&r) {
                    push(c.encode_utf8(&mut [0; 4]), run_bold, &mut cell, &mut para, tbl_depth);
                }
            }
            Event::CData(t) if in_text && skip == 0 => {
                let s = String::from_utf8_lossy(&t).into_owned();
                push(&s, run_bold, &mut cell, &mut para, tbl_depth);
            }
            Event::End(e) => {
                stack.pop();
                if skip > 0 {
                    skip -= 1;
                    buf.clear();
                    continue;
                }
                match e.local_name().as_ref() {
                    b"body" => in_body = false,
                    b"t" => in_text = false,
                    b"p" if tbl_depth == 0 => {
                        if let Some(p) = para.take() {
                            let heading =
                                p.outline.map(|o| o + 1).or(p.style.as_deref().and_then(|s| style_level(s, styles)));
                            blocks.push(Block::Paragraph(Paragraph {
                                index: 0,
                                text: p.text.trim().to_string(),
                                heading,
                                bold: p.has_text && p.all_bold,
                            }));
                        }
                    }
                    b"p" => cell_para_open = false,
                    b"tc" if tbl_depth == 1 => {
                        if let (Some(r), Some(c)) = (&mut row, cell.take())
                            && r.cells.len() < MAX_COLUMNS
                        {
                            r.cells.push(c);
                        }
                    }
                    b"tr" if tbl_depth == 1 => {
                        if let Some(r) = row.take()
                            && rows.len() < MAX_ROWS
                        {
                            rows.push(r);
                        }
                    }
                    b"tbl" if tbl_depth > 0 => {
                        tbl_depth -= 1;
                        if tbl_depth == 0 {
                            blocks.push(Block::Table(grid(std::mem::take(&mut rows))));
                            row = None;
                            cell = None;
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        buf.clear();
    }
    let mut n = 0;
    for b in &mut blocks {
        if let Block::Paragraph(p) = b
            && !p.text.is_empty()
        {
            n += 1;
            p.index = n;
        }
    }
    Ok(blocks)
}

/// Word rows to a rectangular grid; merged cells point at where they start.
fn grid(rows: Vec<RowB>) -> Table {
    let width = rows
        .iter()
        .map(|r| r.before + r.cells.iter().map(|c| c.span).sum::<usize>())
        .max()
        .unwrap_or(0)
        .min(MAX_COLUMNS);
    let mut out: Vec<Vec<Cell>> = Vec::with_capacity(rows.len());
    for (ri, r) in rows.into_iter().enumerate() {
        let mut line: Vec<Cell> = (0..width).map(|_| Cell { span: 1, ..Default::default() }).collect();
        let mut c = r.before.min(width);
        for cb in r.cells {
            if c >= width {
                break;
            }
            let span = cb.span.min(width - c).max(1);
            let origin = if cb.vmerge == VMerge::Continue && ri > 0 {
                out.get(ri - 1).and_then(|above| above.get(c)).map(|a| a.merged_from().unwrap_or((ri - 1, c)))
            } else if cb.hmerge_continue && c > 0 {
                Some(line[c - 1].merged_from().unwrap_or((ri, c - 1)))
            } else {
                None
            };
            match origin {
                Some(o) => {
                    for cell in &mut line[c..c + span] {
                        cell.origin = Some((o.0 as u32, o.1 as u32));
                    }
                    if o.0 == ri
                        && let Some(start) = line.get_mut(o.1)
                    {
                        start.span += span as u16;
                    }
                }
                None => {
                    let text = cb.text.trim();
                    line[c] = Cell {
                        number: parse_num(text),
                        text: text.into(),
                        bold: cb.has_text && cb.all_bold,
                        origin: None,
                        span: span as u16,
                    };
                    for cell in &mut line[c + 1..c + span] {
                        cell.origin = Some((ri as u32, c as u32));
                    }
                }
            }
            c += span;
        }
        out.push(line);
    }
    let n = out.len();
    Table { caption: None, sheet: None, rows: out, row_numbers: (1..=n).collect(), spreadsheet: false }
}

/// A table's caption is the paragraph just above it ("Bảng 3. …"), blank paragraphs aside.
fn attach_captions(blocks: &mut [Block]) {
    for i in 0..blocks.len() {
        if !matches!(blocks[i], Block::Table(_)) {
            continue;
        }
        let caption = blocks[..i]
            .iter()
            .rev()
            .find_map(|b| match b {
                Block::Paragraph(p) if p.text.is_empty() => None,
                Block::Paragraph(p) => Some(Some(p.text.clone())),
                Block::Table(_) => Some(None),
            })
            .flatten()
            .filter(|t| crate::recognize::caption_number(t).is_some());
        if let Block::Table(t) = &mut blocks[i] {
            t.caption = caption;
        }
    }
}

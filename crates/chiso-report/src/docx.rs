//! DOCX per Nghị định 30/2020/NĐ-CP: A4, Times New Roman, margins 20/20/30/15 mm,
//! issuing-body and national-motto block (`docx_head.rs`), centred bold title, heading
//! styles (navigation pane, table of contents), page numbers from page 2 (top centre),
//! Word tables laid out from their measured contents (`docx_table.rs`; a table too wide
//! for a portrait page gets a landscape section), native Word charts with their data
//! workbook, "Nơi nhận" and the signature block, document properties. Written as
//! WordprocessingML directly, so every byte is ours: no timestamps, fixed zip dates,
//! same input → same file.

use crate::docx_parts as parts;
use crate::layout::{Layout, layout};
use crate::model::{Block, Chart, Document, Paragraph, ParagraphStyle};
use std::fmt::Write as _;
use std::io::Write as _;

pub(crate) const FONT: &str = "Times New Roman";
/// A4 in twips, margins per Nghị định 30: top/bottom 20 mm, left 30 mm, right 15 mm.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN_TOP: u32 = 1134;
const MARGIN_BOTTOM: u32 = 1134;
const MARGIN_LEFT: u32 = 1701;
const MARGIN_RIGHT: u32 = 850;
pub(crate) const TEXT_W: u32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
/// The text width of a landscape page (same margins).
const TEXT_W_LANDSCAPE: u32 = PAGE_H - MARGIN_LEFT - MARGIN_RIGHT;
const EMU_PER_TWIP: u64 = 635;
/// Half-points.
pub(crate) const BODY_SIZE: u32 = 28;
const NOTE_SIZE: u32 = 22;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 forbids are dropped rather than producing a file Word refuses.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, Default)]
pub(crate) struct Fmt {
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    pub size: u32,
}

/// A run of text, escaped, with its formatting.
pub(crate) fn escape_run(text: &str, f: Fmt) -> String {
    let mut props = String::new();
    if f.bold {
        props.push_str("<w:b/><w:bCs/>");
    }
    if f.italic {
        props.push_str("<w:i/><w:iCs/>");
    }
    if f.underline {
        props.push_str("<w:u w:val=\"single\"/>");
    }
    if f.size != 0 && f.size != BODY_SIZE {
        let _ = write!(props, "<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/>", f.size);
    }
    let rpr = if props.is_empty() { String::new() } else { format!("<w:rPr>{props}</w:rPr>") };
    format!("<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>", escape(text))
}

use escape_run as run;

pub(crate) fn para(jc: &str, indent: bool, space_after: u32, keep_next: bool, runs: &str) -> String {
    let ind = if indent { "<w:ind w:firstLine=\"567\"/>" } else { "" };
    let keep = if keep_next { "<w:keepNext/>" } else { "" };
    format!(
        "<w:p><w:pPr>{keep}<w:spacing w:before=\"0\" w:after=\"{space_after}\"/>{ind}<w:jc w:val=\"{jc}\"/></w:pPr>{runs}</w:p>"
    )
}

fn paragraph(p: &Paragraph) -> String {
    let (size, jc, indent, keep) = match p.style {
        ParagraphStyle::Body => (BODY_SIZE, "both", true, false),
        ParagraphStyle::Caption => (BODY_SIZE, "center", false, true),
        ParagraphStyle::Note => (NOTE_SIZE, "left", false, false),
    };
    let runs: String = p
        .runs
        .iter()
        .map(|r| run(&r.text, Fmt { bold: r.bold, italic: r.italic, size, ..Default::default() }))
        .collect();
    para(jc, indent, 120, keep, &runs)
}

/// A heading in its Word style (Heading 1–4), so the navigation pane and a table of
/// contents find it; the style carries bold, keep-with-next and the outline level.
fn heading(level: u8, text: &str) -> String {
    let level = level.clamp(1, 4);
    let ind = if level >= 2 { "<w:ind w:firstLine=\"567\"/>" } else { "" };
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"Heading{level}\"/>{ind}</w:pPr>{}</w:p>",
        run(text, Fmt { size: BODY_SIZE, ..Default::default() })
    )
}

fn chart_inline(rel: &str, id: usize, height_twips: u32) -> String {
    let cx = TEXT_W as u64 * EMU_PER_TWIP;
    let cy = height_twips as u64 * EMU_PER_TWIP;
    format!(
        "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"120\"/><w:jc w:val=\"center\"/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">\
         <wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/><wp:docPr id=\"{id}\" name=\"Biểu đồ {id}\"/>\
         <wp:cNvGraphicFramePr/><a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">\
         <a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/chart\">\
         <c:chart xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" r:id=\"{rel}\"/></a:graphicData></a:graphic>\
         </wp:inline></w:drawing></w:r></w:p>"
    )
}

/// Section properties: the first section has the first page without a number; a
/// landscape section turns the page.
fn sect_pr(first: bool, landscape: bool) -> String {
    let headers = if first {
        "<w:headerReference w:type=\"default\" r:id=\"rIdHeaderDefault\"/><w:headerReference w:type=\"first\" r:id=\"rIdHeaderFirst\"/>"
    } else {
        "<w:headerReference w:type=\"default\" r:id=\"rIdHeaderDefault\"/>"
    };
    let size = if landscape {
        format!("<w:pgSz w:w=\"{PAGE_H}\" w:h=\"{PAGE_W}\" w:orient=\"landscape\"/>")
    } else {
        format!("<w:pgSz w:w=\"{PAGE_W}\" w:h=\"{PAGE_H}\"/>")
    };
    let first_only = if first { "<w:pgNumType w:start=\"1\"/><w:titlePg/>" } else { "" };
    format!(
        "<w:sectPr>{headers}{size}<w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" \
         w:left=\"{MARGIN_LEFT}\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/>{first_only}</w:sectPr>"
    )
}

/// Every table's layout, measured once.
pub(crate) fn table_layout(t: &crate::model::Table) -> Layout {
    layout(t, TEXT_W, TEXT_W_LANDSCAPE)
}

/// [`table_layout`] of a table measured a row at a time.
pub(crate) fn measured_layout(m: crate::layout::Measuring) -> Layout {
    m.layout(TEXT_W, TEXT_W_LANDSCAPE)
}

struct Writer {
    body: String,
    charts: Vec<(String, Vec<u8>)>,
    /// Sections closed so far (the first carries the title page settings).
    sections: usize,
}

impl Writer {
    fn section_break(&mut self, landscape: bool) {
        let s = sect_pr(self.sections == 0, landscape);
        let _ = write!(self.body, "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\"/>{s}</w:pPr></w:p>");
        self.sections += 1;
    }

    fn blocks(&mut self, blocks: &[Block]) {
        // Tables kept for the XLSX only are not printed (nor measured).
        let layouts: Vec<Option<Layout>> = blocks
            .iter()
            .map(|b| match b {
                Block::Table(t) if !t.workbook_only => Some(table_layout(t)),
                _ => None,
            })
            .collect();
        for (i, b) in blocks.iter().enumerate() {
            if matches!(b, Block::Table(t) if t.workbook_only) {
                continue;
            }
            // A landscape table: its section starts before its caption.
            let landscape_next = |j: usize| layouts.get(j).and_then(Option::as_ref).is_some_and(|l| l.landscape);
            let caption = matches!(b, Block::Paragraph(p) if p.style == ParagraphStyle::Caption);
            if (caption && landscape_next(i + 1))
                || (!caption && landscape_next(i) && i > 0 && !is_caption(&blocks[i - 1]))
            {
                self.section_break(false);
            }
            match b {
                Block::Heading { level, text } => self.body.push_str(&heading(*level, text)),
                Block::Paragraph(p) => self.body.push_str(&paragraph(p)),
                Block::Table(t) => {
                    let l = layouts[i].as_ref().expect("measured");
                    self.body.push_str(&crate::docx_table::table(t, l));
                    for n in &t.notes {
                        self.body.push_str(&paragraph(n));
                    }
                    if l.landscape {
                        self.section_break(true);
                    } else {
                        self.body.push_str(&para("left", false, 0, false, ""));
                    }
                }
                Block::Figure(f) => {
                    self.charts.push(crate::docx_chart::chart(&f.chart));
                    let n = self.charts.len();
                    let height = match &f.chart {
                        Chart::Pie { .. } => 4200,
                        Chart::Range { categories, .. } => 1000 + 260 * categories.len() as u32,
                        Chart::Bar { categories, series, .. } => {
                            900 + 170 * (categories.len() * series.len().max(1)) as u32
                        }
                    };
                    self.body.push_str(&chart_inline(&format!("rIdChart{n}"), n, height.min(11000)));
                }
            }
        }
    }
}

fn is_caption(b: &Block) -> bool {
    matches!(b, Block::Paragraph(p) if p.style == ParagraphStyle::Caption)
}

/// The document as DOCX bytes.
pub fn render(doc: &Document) -> Vec<u8> {
    let mut w = Writer { body: String::new(), charts: Vec::new(), sections: 0 };
    w.body.push_str(&crate::docx_head::header_block(doc));
    w.body.push_str(&para("center", false, 0, false, ""));
    let title = Fmt { bold: true, size: BODY_SIZE, ..Default::default() };
    w.body.push_str(&para("center", false, 0, true, &run(&doc.title, title)));
    w.body.push_str(&para("center", false, 240, false, &run(&doc.subject, title)));
    w.blocks(&doc.body);
    w.body.push_str(&para("left", false, 0, false, ""));
    w.body.push_str(&crate::docx_head::closing_block(doc));
    if !doc.appendix.is_empty() {
        w.body.push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
        w.blocks(&doc.appendix);
    }
    let last = sect_pr(w.sections == 0, false);
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
         xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\"><w:body>{}{last}</w:body></w:document>",
        w.body
    );
    parts::package(doc, document, w.charts)
}

pub(crate) fn zip_parts(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, content) in parts {
        zip.start_file(name.as_str(), options).expect("in-memory zip");
        zip.write_all(content).expect("in-memory zip");
    }
    zip.finish().expect("in-memory zip").into_inner()
}

//! DOCX per Nghị định 30/2020/NĐ-CP: A4, Times New Roman, margins 20/20/30/15 mm,
//! issuing-body and national-motto block, centred bold title, page numbers from page 2
//! (top centre), real Word tables with repeated header rows, native Word charts,
//! "Nơi nhận" and the signature block. Written as WordprocessingML directly, so every
//! byte is ours: no timestamps, fixed zip dates, same input → same file.

use crate::grid::{Slot, slots};
use crate::model::{Block, Cell, Chart, Document, Paragraph, ParagraphStyle, Row, RowKind, Table, Value};
use std::fmt::Write as _;
use std::io::Write as _;

const FONT: &str = "Times New Roman";
/// A4 in twips, margins per Nghị định 30: top/bottom 20 mm, left 30 mm, right 15 mm.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN_TOP: u32 = 1134;
const MARGIN_BOTTOM: u32 = 1134;
const MARGIN_LEFT: u32 = 1701;
const MARGIN_RIGHT: u32 = 850;
const TEXT_W: u32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
const EMU_PER_TWIP: u64 = 635;
/// Half-points.
const BODY_SIZE: u32 = 28;
const TABLE_SIZE: u32 = 20;
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
struct Fmt {
    bold: bool,
    italic: bool,
    underline: bool,
    size: u32,
}

fn run(text: &str, f: Fmt) -> String {
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

fn para(jc: &str, indent: bool, space_after: u32, keep_next: bool, runs: &str) -> String {
    let ind = if indent { "<w:ind w:firstLine=\"567\"/>" } else { "" };
    let keep = if keep_next { "<w:keepNext/>" } else { "" };
    format!(
        "<w:p><w:pPr>{keep}<w:spacing w:before=\"0\" w:after=\"{space_after}\"/>{ind}<w:jc w:val=\"{jc}\"/></w:pPr>{runs}</w:p>"
    )
}

fn paragraph(p: &Paragraph) -> String {
    let (size, jc, indent, keep) = match p.style {
        ParagraphStyle::Body => (BODY_SIZE, "both", true, false),
        ParagraphStyle::Caption => (BODY_SIZE, "both", false, true),
        ParagraphStyle::Note => (NOTE_SIZE, "left", false, false),
    };
    let runs: String = p
        .runs
        .iter()
        .map(|r| run(&r.text, Fmt { bold: r.bold, italic: r.italic, size, ..Default::default() }))
        .collect();
    para(jc, indent, 120, keep, &runs)
}

fn heading(level: u8, text: &str) -> String {
    let f = Fmt { bold: true, italic: level >= 4, size: BODY_SIZE, ..Default::default() };
    para("both", level >= 2, 120, true, &run(text, f))
}

fn cell_xml(width: u32, span: u16, vmerge: Option<bool>, jc: &str, content: &str, header: bool) -> String {
    let grid = if span > 1 { format!("<w:gridSpan w:val=\"{span}\"/>") } else { String::new() };
    let vm = match vmerge {
        Some(true) => "<w:vMerge w:val=\"restart\"/>",
        Some(false) => "<w:vMerge/>",
        None => "",
    };
    let shade = if header { "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"F2F2F2\"/>" } else { "" };
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{grid}{vm}{shade}<w:vAlign w:val=\"center\"/></w:tcPr>\
         <w:p><w:pPr><w:spacing w:before=\"20\" w:after=\"20\"/><w:jc w:val=\"{jc}\"/></w:pPr>{content}</w:p></w:tc>"
    )
}

fn widths(t: &Table, columns: usize) -> Vec<u32> {
    let w: Vec<u32> = (0..columns).map(|i| t.widths.get(i).copied().unwrap_or(6)).collect();
    let sum: u32 = w.iter().sum::<u32>().max(1);
    w.iter().map(|x| x * TEXT_W / sum).collect()
}

fn table(t: &Table) -> String {
    let grid = slots(&t.header);
    let columns = grid.first().map_or(0, Vec::len);
    let w = widths(t, columns);
    let span_w = |from: usize, n: usize| w[from..(from + n).min(w.len())].iter().sum::<u32>();
    let mut x = String::new();
    x.push_str(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:jc w:val=\"center\"/><w:tblBorders>\
         <w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         </w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"57\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar>\
         <w:tblLook w:val=\"04A0\"/></w:tblPr><w:tblGrid>",
    );
    for cw in &w {
        let _ = write!(x, "<w:gridCol w:w=\"{cw}\"/>");
    }
    x.push_str("</w:tblGrid>");
    let hf = Fmt { bold: true, size: TABLE_SIZE, ..Default::default() };
    for row in &grid {
        // Header rows repeat on every page and never split.
        x.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        let mut c = 0;
        while c < row.len() {
            match &row[c] {
                Slot::Start(h) => {
                    let span = h.colspan.max(1);
                    let vm = (h.rowspan > 1).then_some(true);
                    x.push_str(&cell_xml(span_w(c, span as usize), span, vm, "center", &run(&h.text, hf), true));
                    c += span as usize;
                }
                Slot::Below(span) => {
                    x.push_str(&cell_xml(span_w(c, *span as usize), *span, Some(false), "center", "", true));
                    c += *span as usize;
                }
                Slot::Right => c += 1,
            }
        }
        x.push_str("</w:tr>");
    }
    for r in &t.rows {
        x.push_str(&body_row(r, &span_w));
    }
    x.push_str("</w:tbl>");
    x
}

fn body_row(r: &Row, span_w: &dyn Fn(usize, usize) -> u32) -> String {
    let mut x = String::from("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
    let mut c = 0;
    for (i, cell) in r.cells.iter().enumerate() {
        let jc = match (&cell.value, i) {
            (Value::Text(_), 1) => "left",
            (Value::Text(s), _) if s.chars().count() > 12 => "left",
            _ => "center",
        };
        let f = Fmt { bold: cell.bold || r.kind == RowKind::Max, size: TABLE_SIZE, ..Default::default() };
        let text = printed(cell);
        x.push_str(&cell_xml(span_w(c, cell.colspan as usize), cell.colspan, None, jc, &run(&text, f), false));
        c += cell.colspan.max(1) as usize;
    }
    x.push_str("</w:tr>");
    x
}

fn printed(c: &Cell) -> String {
    c.printed()
}

fn header_block(doc: &Document) -> String {
    let left_w = TEXT_W * 2 / 5;
    let right_w = TEXT_W - left_w;
    let cell =
        |w: u32, paras: &str| format!("<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr>{paras}</w:tc>");
    let line = |text: &str, f: Fmt| para("center", false, 0, false, &run(text, f));
    let body: String = doc
        .header
        .issuing_body
        .iter()
        .enumerate()
        .map(|(i, l)| line(l, Fmt { bold: i > 0, size: 26, ..Default::default() }))
        .collect();
    let motto = line(&doc.header.motto[0], Fmt { bold: true, size: 24, ..Default::default() })
        + &line(&doc.header.motto[1], Fmt { bold: true, underline: true, size: 26, ..Default::default() });
    let number = line(&doc.header.number, Fmt { size: 26, ..Default::default() });
    let date = line(&doc.header.date_line, Fmt { italic: true, size: 26, ..Default::default() });
    format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_W}\" w:type=\"dxa\"/><w:tblBorders><w:top w:val=\"nil\"/><w:left w:val=\"nil\"/>\
         <w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders>\
         <w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"{left_w}\"/><w:gridCol w:w=\"{right_w}\"/></w:tblGrid>\
         <w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>",
        cell(left_w, &body),
        cell(right_w, &motto),
        cell(left_w, &number),
        cell(right_w, &date)
    )
}

fn closing_block(doc: &Document) -> String {
    let left_w = TEXT_W / 2;
    let right_w = TEXT_W - left_w;
    let mut left = para(
        "left",
        false,
        0,
        false,
        &run("Nơi nhận:", Fmt { bold: true, italic: true, size: 24, ..Default::default() }),
    );
    for r in &doc.recipients {
        left += &para("left", false, 0, false, &run(&format!("- {r}"), Fmt { size: NOTE_SIZE, ..Default::default() }));
    }
    let s = &doc.signatory;
    let bold = Fmt { bold: true, size: BODY_SIZE, ..Default::default() };
    let mut right = String::new();
    for l in [&s.authority, &s.title] {
        if !l.is_empty() {
            right += &para("center", false, 0, false, &run(l, bold));
        }
    }
    for _ in 0..4 {
        right += &para("center", false, 0, false, "");
    }
    right += &para("center", false, 0, false, &run(s.name.as_deref().unwrap_or(""), bold));
    format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_W}\" w:type=\"dxa\"/><w:tblBorders><w:top w:val=\"nil\"/><w:left w:val=\"nil\"/>\
         <w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders>\
         <w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"{left_w}\"/><w:gridCol w:w=\"{right_w}\"/></w:tblGrid>\
         <w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w=\"{left_w}\" w:type=\"dxa\"/></w:tcPr>{left}</w:tc>\
         <w:tc><w:tcPr><w:tcW w:w=\"{right_w}\" w:type=\"dxa\"/></w:tcPr>{right}</w:tc></w:tr></w:tbl>"
    )
}

fn chart_inline(rel: &str, id: usize, height_twips: u32) -> String {
    let cx = TEXT_W as u64 * EMU_PER_TWIP;
    let cy = height_twips as u64 * EMU_PER_TWIP;
    format!(
        "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">\
         <wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/><wp:docPr id=\"{id}\" name=\"Biểu đồ {id}\"/>\
         <wp:cNvGraphicFramePr/><a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">\
         <a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/chart\">\
         <c:chart xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" r:id=\"{rel}\"/></a:graphicData></a:graphic>\
         </wp:inline></w:drawing></w:r></w:p>"
    )
}

/// The document as DOCX bytes.
pub fn render(doc: &Document) -> Vec<u8> {
    let mut body = String::new();
    let mut charts: Vec<String> = Vec::new();
    body.push_str(&header_block(doc));
    body.push_str(&para("center", false, 0, false, ""));
    body.push_str(&para(
        "center",
        false,
        0,
        true,
        &run(&doc.title, Fmt { bold: true, size: BODY_SIZE, ..Default::default() }),
    ));
    body.push_str(&para(
        "center",
        false,
        240,
        false,
        &run(&doc.subject, Fmt { bold: true, size: BODY_SIZE, ..Default::default() }),
    ));
    let mut blocks_xml = |blocks: &[Block], body: &mut String| {
        for b in blocks {
            match b {
                Block::Heading { level, text } => body.push_str(&heading(*level, text)),
                Block::Paragraph(p) => body.push_str(&paragraph(p)),
                Block::Table(t) => {
                    body.push_str(&table(t));
                    for n in &t.notes {
                        body.push_str(&paragraph(n));
                    }
                    body.push_str(&para("left", false, 0, false, ""));
                }
                Block::Figure(f) => {
                    charts.push(crate::docx_chart::chart(&f.chart));
                    let n = charts.len();
                    let height = match &f.chart {
                        Chart::Pie { .. } => 4800,
                        Chart::Range { categories, .. } => 1000 + 260 * categories.len() as u32,
                        Chart::Bar { categories, series, .. } => {
                            1000 + 200 * (categories.len() * series.len().max(1)) as u32
                        }
                    };
                    body.push_str(&chart_inline(&format!("rIdChart{n}"), n, height.min(12000)));
                }
            }
        }
    };
    blocks_xml(&doc.body, &mut body);
    body.push_str(&para("left", false, 0, false, ""));
    body.push_str(&closing_block(doc));
    if !doc.appendix.is_empty() {
        body.push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
        blocks_xml(&doc.appendix, &mut body);
    }

    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
         xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\"><w:body>{body}\
         <w:sectPr><w:headerReference w:type=\"default\" r:id=\"rIdHeaderDefault\"/><w:headerReference w:type=\"first\" r:id=\"rIdHeaderFirst\"/>\
         <w:pgSz w:w=\"{PAGE_W}\" w:h=\"{PAGE_H}\"/><w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" \
         w:left=\"{MARGIN_LEFT}\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/><w:pgNumType w:start=\"1\"/><w:titlePg/></w:sectPr>\
         </w:body></w:document>"
    );
    let mut rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
         <Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
         <Relationship Id=\"rIdHeaderDefault\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\"/>\
         <Relationship Id=\"rIdHeaderFirst\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header2.xml\"/>",
    );
    let mut types = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
         <Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
         <Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
         <Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>\
         <Override PartName=\"/word/header2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>",
    );
    for n in 1..=charts.len() {
        let _ = write!(
            rels,
            "<Relationship Id=\"rIdChart{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart\" Target=\"charts/chart{n}.xml\"/>"
        );
        let _ = write!(
            types,
            "<Override PartName=\"/word/charts/chart{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.drawingml.chart+xml\"/>"
        );
    }
    rels.push_str("</Relationships>");
    types.push_str("</Types>");

    let mut parts: Vec<(String, String)> = vec![
        ("[Content_Types].xml".into(), types),
        ("_rels/.rels".into(), ROOT_RELS.into()),
        ("word/document.xml".into(), document),
        ("word/_rels/document.xml.rels".into(), rels),
        ("word/styles.xml".into(), styles()),
        ("word/settings.xml".into(), SETTINGS.into()),
        ("word/header1.xml".into(), page_number_header()),
        ("word/header2.xml".into(), empty_header()),
    ];
    for (i, c) in charts.into_iter().enumerate() {
        parts.push((format!("word/charts/chart{}.xml", i + 1), c));
    }
    zip_parts(&parts)
}

pub(crate) fn zip_parts(parts: &[(String, String)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, content) in parts {
        zip.start_file(name.as_str(), options).expect("in-memory zip");
        zip.write_all(content.as_bytes()).expect("in-memory zip");
    }
    zip.finish().expect("in-memory zip").into_inner()
}

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/><w:compat>\
<w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
<w:themeFontLang w:val=\"vi-VN\"/></w:settings>";

fn styles() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:docDefaults><w:rPrDefault><w:rPr>\
         <w:rFonts w:ascii=\"{FONT}\" w:hAnsi=\"{FONT}\" w:eastAsia=\"{FONT}\" w:cs=\"{FONT}\"/><w:sz w:val=\"{BODY_SIZE}\"/><w:szCs w:val=\"{BODY_SIZE}\"/>\
         <w:lang w:val=\"vi-VN\" w:eastAsia=\"en-US\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>\
         <w:spacing w:after=\"120\" w:line=\"288\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
         <w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/>\
         <w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
         </w:styles>"
    )
}

fn page_number_header() -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
     <w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>\
     <w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
     <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p></w:hdr>"
        .into()
}

fn empty_header() -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
     <w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p/></w:hdr>"
        .into()
}

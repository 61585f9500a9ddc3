//! One self-contained HTML page: the report's text, tables and SVG charts, with its
//! own small stylesheet. Every string from data is escaped.

use crate::chart_svg;
use crate::model::{Block, Document, Paragraph, ParagraphStyle, RowKind, Table, Value};
use std::fmt::Write as _;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:'Times New Roman',Tinos,'Liberation Serif',serif;font-size:14pt;line-height:1.4;\
max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}\
.head{display:grid;grid-template-columns:2fr 3fr;text-align:center;gap:0 1rem}.head p{margin:0}\
.body{font-weight:bold}.rule{display:inline-block;border-bottom:1px solid #000;padding-bottom:1px}\
.short{width:35%;margin:2px auto 0;border-top:1px solid #000}.date{font-style:italic}\
h1.title{text-align:center;font-size:14pt;margin:1.5rem 0 0}p.subject{text-align:center;font-weight:bold;margin-top:0}\
h2,h3,h4,h5{font-size:14pt;margin:1rem 0 .4rem}h5{font-style:italic}p{text-align:justify;margin:.4rem 0}\
p.caption{font-weight:bold}p.note{font-size:11pt}\
.table{overflow-x:auto}table{border-collapse:collapse;font-size:10pt;width:100%;margin:.3rem 0}\
th,td{border:1px solid #000;padding:2px 4px;text-align:center}thead th{background:#f2f2f2}td.name,td.left{text-align:left}\
tr.max td{font-weight:bold}td.b{font-weight:bold}svg.chart{width:100%;height:auto;font-family:inherit;max-width:48rem;display:block;margin:auto}\
.closing{display:grid;grid-template-columns:1fr 1fr;margin-top:2rem}.closing ul{list-style:none;padding:0;font-size:11pt;margin:0}\
.sign{text-align:center;font-weight:bold}";

fn paragraph(p: &Paragraph) -> String {
    let class = match p.style {
        ParagraphStyle::Body => "",
        ParagraphStyle::Caption => " class=\"caption\"",
        ParagraphStyle::Note => " class=\"note\"",
    };
    let mut x = format!("<p{class}>");
    for r in &p.runs {
        let mut t = escape(&r.text);
        if r.italic {
            t = format!("<em>{t}</em>");
        }
        if r.bold {
            t = format!("<strong>{t}</strong>");
        }
        x.push_str(&t);
    }
    x + "</p>\n"
}

fn table(t: &Table) -> String {
    let mut x = format!("<div class=\"table\"><table id=\"bang-{}\"><thead>", t.number);
    for row in &t.header {
        x.push_str("<tr>");
        for h in row {
            let span = |name: &str, n: u16| if n > 1 { format!(" {name}=\"{n}\"") } else { String::new() };
            let _ =
                write!(x, "<th{}{}>{}</th>", span("colspan", h.colspan), span("rowspan", h.rowspan), escape(&h.text));
        }
        x.push_str("</tr>");
    }
    x.push_str("</thead><tbody>");
    for r in t.document_rows().iter() {
        x.push_str(if r.kind == RowKind::Max { "<tr class=\"max\">" } else { "<tr>" });
        for (i, c) in r.cells.iter().enumerate() {
            let mut classes = Vec::new();
            if i == 1 {
                classes.push("name");
            } else if matches!(&c.value, Value::Text(s) if s.chars().count() > 12) {
                classes.push("left");
            }
            if c.bold {
                classes.push("b");
            }
            let class = if classes.is_empty() { String::new() } else { format!(" class=\"{}\"", classes.join(" ")) };
            let span = if c.colspan > 1 { format!(" colspan=\"{}\"", c.colspan) } else { String::new() };
            let _ = write!(x, "<td{class}{span}>{}</td>", escape(&c.printed()));
        }
        x.push_str("</tr>");
    }
    x.push_str("</tbody></table></div>\n");
    for n in &t.notes {
        x.push_str(&paragraph(n));
    }
    x
}

pub fn render(doc: &Document) -> String {
    let mut x = String::from("<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">");
    let _ = writeln!(
        x,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} – {}</title><style>{STYLE}</style></head><body>",
        escape(&doc.title),
        escape(&doc.subject)
    );
    // Nghị định 30: the parent body plain, the issuing body bold with a short rule under it;
    // the motto's second line with a rule as long as the line.
    x.push_str("<header class=\"head\"><div>");
    for l in &doc.header.parent_body {
        let _ = write!(x, "<p>{}</p>", escape(l));
    }
    for l in &doc.header.issuing_body {
        let _ = write!(x, "<p class=\"body\">{}</p>", escape(l));
    }
    let _ = writeln!(
        x,
        "<div class=\"short\"></div></div><div><p><strong>{}</strong></p><p><strong class=\"rule\">{}</strong></p></div><div><p>{}</p></div><div><p class=\"date\">{}</p></div></header>",
        escape(&doc.header.motto[0]),
        escape(&doc.header.motto[1]),
        escape(&doc.header.number),
        escape(&doc.header.date_line)
    );
    let _ =
        writeln!(x, "<h1 class=\"title\">{}</h1><p class=\"subject\">{}</p>", escape(&doc.title), escape(&doc.subject));
    let blocks = |blocks: &[Block], x: &mut String| {
        for b in blocks {
            match b {
                Block::Heading { level, text } => {
                    let _ = writeln!(x, "<h{0}>{1}</h{0}>", level + 1, escape(text));
                }
                Block::Paragraph(p) => x.push_str(&paragraph(p)),
                Block::Table(t) if t.workbook_only => {}
                Block::Table(t) => x.push_str(&table(t)),
                Block::Figure(f) => {
                    let _ = writeln!(x, "<figure id=\"hinh-{}\">{}</figure>", f.number, chart_svg::svg(&f.chart, ','));
                }
            }
        }
    };
    blocks(&doc.body, &mut x);
    x.push_str("<footer class=\"closing\"><div><p><strong><em>Nơi nhận:</em></strong></p><ul>");
    for r in &doc.recipients {
        let _ = write!(x, "<li>- {}</li>", escape(r));
    }
    let s = &doc.signatory;
    let _ = writeln!(
        x,
        "</ul></div><div class=\"sign\"><p>{}<br>{}</p><p><br><br><br>{}</p></div></footer>",
        escape(&s.authority),
        escape(&s.title),
        escape(s.name.as_deref().unwrap_or(""))
    );
    if !doc.appendix.is_empty() {
        x.push_str("<section class=\"appendix\">");
        blocks(&doc.appendix, &mut x);
        x.push_str("</section>");
    }
    x + "</body></html>\n"
}

//! The appendix, only when asked for (`ReportSettings::appendix`): a separate "Phụ lục"
//! attached to the report by its number, saying in plain words what each unit needs for
//! the next level and where it can gain, every unit named. It does not question the
//! published ranking: it is about next year.

use super::{Counters, Kind};
use crate::model::{Block, Cell, HeaderCell, Paragraph, ParagraphStyle, Row, RowKind, Run, Table};
use crate::vi;
use chiso_domain::ReportSettings;

fn head(text: &str) -> HeaderCell {
    HeaderCell { text: text.into(), colspan: 1, rowspan: 1 }
}

fn centred(text: String, bold: bool, italic: bool) -> Paragraph {
    Paragraph { runs: vec![Run { text, bold, italic }], style: ParagraphStyle::Caption }
}

/// "(Kèm theo Báo cáo số      /BC-UBND ngày …)" from the report's number and date line.
fn attached_to(settings: &ReportSettings) -> String {
    // "Số:      /BC-UBND" keeps its blank for the number, to be filled in when signed.
    let number = settings.number.trim_start_matches("Số:").trim_start_matches("Số").trim_end();
    let number = if number.starts_with(' ') { number.to_string() } else { format!(" {number}") };
    let date = match settings.date {
        Some((d, m, y)) => format!("ngày {d:02} tháng {m:02} năm {y}"),
        None => "ngày      tháng      năm      ".into(),
    };
    format!("(Kèm theo Báo cáo số{number} {date})")
}

pub(super) fn annex(settings: &ReportSettings, kinds: &[Kind], counters: &mut Counters) -> Vec<Block> {
    let mut out = vec![
        Block::Paragraph(centred("PHỤ LỤC".into(), true, false)),
        Block::Paragraph(centred("ĐIỂM CẦN CẢI THIỆN ĐỂ ĐẠT MỨC XẾP HẠNG TIẾP THEO".into(), true, false)),
        Block::Paragraph(centred(attached_to(settings), false, true)),
        Block::Paragraph(Paragraph::text(
            "Phụ lục này không thay đổi kết quả đánh giá, xếp hạng tại Báo cáo. Với mỗi đơn vị, phụ lục nêu số điểm còn \
             thiếu để đạt mức xếp hạng tiếp theo và các tiêu chí có thể cải thiện, ưu tiên tiêu chí có điểm thấp hơn \
             mức trung bình của các đơn vị cùng loại.",
        )),
    ];
    for k in kinds {
        out.extend(blocks(k, counters));
    }
    out
}

fn blocks(k: &Kind, counters: &mut Counters) -> Vec<Block> {
    let Some(a) = &k.analysis else { return vec![] };
    let fw = k.framework;
    let label = |id: &str| fw.index_of(id).map_or(id.to_string(), |i| fw.criterion(i).name.clone());
    let d = fw.total_rounding().decimals;
    let mut rows = Vec::new();
    let mut unreachable = Vec::new();
    let mut top = Vec::new();
    for p in &a.plans {
        let Some(next) = p.next_level_name(fw) else {
            top.push(p.name.clone());
            continue;
        };
        if !p.reachable {
            unreachable.push(p.name.clone());
        }
        let plan = if p.reachable {
            p.steps
                .iter()
                .map(|st| {
                    format!("{}: thêm {} điểm", label(&st.criterion.0), vi::number(st.points, fw.rounding.decimals))
                })
                .collect::<Vec<_>>()
                .join("; ")
        } else {
            "Chưa thể đạt trong phạm vi điểm tối đa của các tiêu chí".to_string()
        };
        rows.push(Row {
            kind: RowKind::Unit,
            cells: vec![
                Cell::int(rows.len() as u32 + 1),
                Cell::text(&p.name),
                Cell::number(p.total, d),
                Cell::text(next),
                p.points_needed.map_or_else(Cell::empty, |v| Cell::number(v, d)),
                Cell::text(plan),
            ],
        });
    }
    let mut out = vec![Block::Heading { level: 2, text: k.settings.heading.clone() }];
    if !top.is_empty() {
        out.push(Block::Paragraph(Paragraph::text(format!(
            "{} đã đạt mức xếp hạng cao nhất, không nêu trong bảng.",
            vi::list(&top)
        ))));
    }
    if !unreachable.is_empty() {
        out.push(Block::Paragraph(Paragraph::text(format!(
            "{} chưa thể đạt mức tiếp theo dù đạt điểm tối đa ở mọi tiêu chí còn thiếu điểm.",
            vi::list(&unreachable)
        ))));
    }
    if rows.is_empty() {
        return out;
    }
    counters.table += 1;
    let caption = format!("Điểm cần thêm để đạt mức tiếp theo ({})", k.settings.subject);
    out.push(Block::Paragraph(Paragraph {
        runs: vec![Run { text: format!("Bảng {}. {caption}", counters.table), bold: true, ..Default::default() }],
        style: ParagraphStyle::Caption,
    }));
    out.push(Block::Table(Table {
        number: counters.table,
        caption,
        header: vec![vec![
            head("TT"),
            head("Đơn vị"),
            head("Tổng điểm"),
            head("Mức tiếp theo"),
            head("Điểm cần thêm"),
            head("Tiêu chí có thể cải thiện"),
        ]],
        rows,
        notes: vec![],
        widths: vec![4, 20, 7, 8, 7, 34],
        // The appendix is asked for on purpose: every unit's plan.
        ends: None,
        workbook_only: false,
    }));
    out
}

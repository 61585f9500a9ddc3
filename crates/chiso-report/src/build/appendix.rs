//! The appendix: how solid each rank is (5–95 % interval over perturbed weights and
//! thresholds) and what each unit needs for the next level, from `chiso_domain::analysis`.

use super::{Counters, KindInput};
use crate::model::{Block, Cell, Chart, Figure, HeaderCell, Paragraph, ParagraphStyle, Row, RowKind, Run, Table};
use crate::vi;
use chiso_domain::analysis::Lang;

fn head(text: &str) -> HeaderCell {
    HeaderCell { text: text.into(), colspan: 1, rowspan: 1 }
}

pub(super) fn blocks(k: &KindInput, counters: &mut Counters) -> Vec<Block> {
    let Some(a) = &k.analysis else { return vec![] };
    let fw = k.framework;
    let s = &a.stability;
    let mut out = vec![Block::Heading { level: 2, text: k.settings.heading.clone() }];
    out.push(Block::Paragraph(Paragraph::text(format!(
        "Phân tích {} kịch bản: trọng số mỗi nhóm tiêu chí thay đổi trong khoảng ±{}% (quy đổi về cùng tổng điểm tối đa), \
         ngưỡng các mức thay đổi ±{} điểm, và lần lượt bỏ từng nhóm tiêu chí (hạt giống ngẫu nhiên {}, kết quả lặp lại được).",
        s.options.draws,
        (s.options.weight_spread * 100.0).round() as i64,
        vi::exact(s.options.threshold_step),
        s.options.seed
    ))));
    for summary in &s.summaries {
        out.push(Block::Paragraph(Paragraph::text(summary.sentence(fw, Lang::Vi))));
    }

    // Rank intervals.
    counters.figure += 1;
    let caption = format!("Khoảng thứ hạng 5–95% của các {} ({})", k.settings.noun, k.settings.subject);
    out.push(Block::Paragraph(Paragraph {
        runs: vec![Run { text: format!("Hình {}. {caption}", counters.figure), bold: true, ..Default::default() }],
        style: ParagraphStyle::Caption,
    }));
    out.push(Block::Figure(Figure {
        number: counters.figure,
        caption,
        chart: Chart::Range {
            categories: s.units.iter().map(|u| u.name.clone()).collect(),
            low: s.units.iter().map(|u| u.rank_interval.0).collect(),
            high: s.units.iter().map(|u| u.rank_interval.1).collect(),
            value: s.units.iter().map(|u| u.rank).collect(),
        },
    }));

    // Next level: points needed and the plan.
    counters.table += 1;
    let caption = format!("Điểm cần thêm để lên mức tiếp theo ({})", k.settings.subject);
    let label = |id: &str| fw.index_of(id).map_or(id.to_string(), |i| fw.criterion(i).label().to_string());
    let d = fw.total_rounding().decimals;
    let mut rows = Vec::new();
    for p in &a.plans {
        let Some(next) = p.next_level_name(fw) else { continue };
        let u = s.units.iter().find(|u| u.unit == p.unit);
        let plan = if !p.reachable {
            "Không thể đạt trong phạm vi điểm tối đa".to_string()
        } else {
            p.steps
                .iter()
                .map(|st| format!("+{} {}", vi::number(st.points, fw.rounding.decimals), label(&st.criterion.0)))
                .collect::<Vec<_>>()
                .join("; ")
        };
        rows.push(Row {
            kind: RowKind::Unit,
            cells: vec![
                Cell::int(rows.len() as u32 + 1),
                Cell::text(&p.name),
                u.map_or_else(Cell::empty, |u| Cell::int(u.rank)),
                u.map_or_else(Cell::empty, |u| Cell::text(format!("{}–{}", u.rank_interval.0, u.rank_interval.1))),
                Cell::text(next),
                p.points_needed.map_or_else(Cell::empty, |v| Cell::number(v, d)),
                Cell::text(plan),
            ],
        });
    }
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
            head("Thứ hạng"),
            head("Khoảng 5–95%"),
            head("Mức tiếp theo"),
            head("Điểm cần thêm"),
            head("Đề xuất cải thiện (ưu tiên nhóm thấp hơn trung vị)"),
        ]],
        rows,
        notes: vec![],
        widths: vec![4, 20, 6, 8, 8, 7, 30],
    }));
    out
}

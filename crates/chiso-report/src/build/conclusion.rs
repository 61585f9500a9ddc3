//! The conclusion: the province's assessment (settings), then per kind the sentences the
//! data makes true (how many reached a level, uneven results, weakest groups, units that
//! fell) with the thresholds of the settings, the reminders, the Chairman's requirements.

use super::Kind;
use super::facts;
use crate::model::Paragraph;
use crate::vi;
use chiso_domain::ReportSettings;
use chiso_domain::engine::Status;
use rust_decimal::Decimal;

pub(super) fn paragraphs(settings: &ReportSettings, kinds: &[Kind]) -> Vec<Paragraph> {
    let mut out: Vec<Paragraph> = settings.assessment.iter().map(Paragraph::text).collect();
    for k in kinds {
        out.push(Paragraph::text(levels(k, settings.reminders.is_empty())));
        out.extend(judgement(settings, k).into_iter().map(Paragraph::text));
    }
    out.extend(settings.reminders.iter().map(Paragraph::text));
    if !settings.requirements_intro.is_empty() {
        out.push(Paragraph::text(&settings.requirements_intro));
    }
    out.extend(settings.requirements.iter().map(|r| Paragraph::text(format!("- {r}"))));
    out.extend(settings.conclusion.iter().map(Paragraph::text));
    out
}

/// How many reached a level; who sent no data (and, without reminders in the settings,
/// that they must explain).
fn levels(k: &Kind, explain: bool) -> String {
    let assessed = k.results.units.len();
    let with_level = k.results.units.iter().filter(|u| u.status == Status::Ranked).count();
    let noun = &k.settings.noun;
    let mut s = if with_level == 0 {
        format!("Về {}: chưa có {noun} nào đạt mức xếp hạng", k.settings.subject)
    } else {
        format!(
            "Về {}: {} trên tổng số {} {noun} được đánh giá đạt mức xếp hạng",
            k.settings.subject,
            vi::count(with_level),
            vi::count(assessed)
        )
    };
    let no_data: Vec<String> =
        k.results.units.iter().filter(|u| u.status == Status::NoData).map(|u| u.name.clone()).collect();
    if no_data.is_empty() {
        s.push('.');
    } else if explain {
        s.push_str(&format!(
            "; {} không thực hiện báo cáo, cung cấp số liệu đánh giá theo quy định tại {}, có trách nhiệm báo cáo \
             giải trình rõ về việc không thực hiện.",
            vi::list(&no_data),
            k.framework.legal_basis
        ));
    } else {
        s.push_str(&format!("; {} không cung cấp số liệu đánh giá.", vi::list(&no_data)));
    }
    s
}

fn percent_of(part: Decimal, max: Decimal) -> Decimal {
    if max.is_zero() { Decimal::ZERO } else { (part * Decimal::from(100) / max).round_dp(1) }
}

/// Judgement sentences, each said only past its threshold in the settings.
fn judgement(settings: &ReportSettings, k: &Kind) -> Vec<String> {
    let j = &settings.judgement;
    let fw = k.framework;
    let noun = &k.settings.noun;
    let mut out = Vec::new();
    if let (Some(limit), Some(s)) = (j.uneven_gap_percent, chiso_domain::stats::spread(k.results, fw, None)) {
        let share = percent_of(s.gap, fw.total_max());
        if share >= limit && s.count > 1 {
            out.push(format!(
                "Kết quả giữa các {noun} chưa đồng đều: chênh lệch giữa {noun} có tổng điểm cao nhất và thấp nhất là {} \
                 điểm, bằng {}% điểm tối đa.",
                vi::number(s.gap, fw.total_rounding().decimals),
                vi::number(share, 1)
            ));
        }
    }
    if let Some(limit) = j.weak_group_percent {
        let weak: Vec<String> = fw
            .roots
            .iter()
            .flat_map(|&r| std::iter::once(r).chain(fw.criterion(r).children.iter().copied()))
            .filter_map(|node| {
                let values = facts::scored(k, node);
                if values.is_empty() {
                    return None;
                }
                let mean = values.iter().map(|(_, v)| *v).sum::<Decimal>() / Decimal::from(values.len());
                let share = percent_of(mean, fw.criterion(node).max);
                (share < limit).then(|| {
                    format!("{} (bình quân đạt {}% điểm tối đa)", fw.criterion(node).name, vi::number(share, 1))
                })
            })
            .collect();
        if !weak.is_empty() {
            out.push(format!(
                "Các tiêu chí có kết quả thấp, bình quân dưới {}% điểm tối đa: {}.",
                vi::exact(limit),
                vi::list(&weak)
            ));
        }
    }
    if let (Some(places), Some(prev)) = (j.fall_places, &k.previous) {
        let moves = facts::moves(k);
        let fell: Vec<String> = moves
            .iter()
            .filter(|m| m.now >= m.before + places)
            .map(|m| {
                let u = &k.results.units[m.unit];
                let before = k.comparison(m.unit).and_then(|c| c.previous_rank).unwrap_or(m.before);
                format!(
                    "{} (từ thứ {before} năm {} xuống thứ {} năm {})",
                    u.name,
                    prev.year,
                    u.rank.unwrap_or(m.now),
                    k.results.year
                )
            })
            .collect();
        if !fell.is_empty() {
            out.push(format!(
                "Trong {} {noun} có thứ hạng so sánh được với năm {}, các {noun} giảm từ {} bậc trở lên{}: {}.",
                vi::count(moves.len()),
                prev.year,
                vi::count(places as usize),
                if facts::printed_are_group_ranks(k, &moves) { "" } else { " trong nhóm so sánh được" },
                vi::list(&fell)
            ));
        }
    }
    out
}

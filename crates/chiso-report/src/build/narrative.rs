//! Sentences, each generated only when the data makes it true: every tied unit is
//! named, "all" is said only of all, a comparison only when there is one.

use super::KindInput;
use crate::model::{Paragraph, Run};
use crate::vi;
use chiso_domain::engine::Status;
use chiso_domain::stats::{level_counts, movers, spread};
use rust_decimal::Decimal;

fn names(k: &KindInput, ids: &[chiso_domain::UnitId]) -> Vec<String> {
    ids.iter().filter_map(|id| k.results.get(id).map(|u| u.name.clone())).collect()
}

fn pct(p: Option<Decimal>, decimals: u32) -> String {
    p.map(|p| format!(", đạt {}% điểm tối đa", vi::number(p, decimals))).unwrap_or_default()
}

pub(super) fn summary(k: &KindInput) -> Vec<Paragraph> {
    let fw = k.framework;
    let r = k.results;
    let noun = &k.settings.noun;
    // Totals are presented with the total's rule (an index has its own decimals).
    let d = fw.total_rounding().decimals;
    let pd = fw.total_rounding().percent_decimals;
    let mut out = Vec::new();

    // Change against last year, said for all units only when it holds for all.
    if let Some(prev) = &k.previous {
        let changes: Vec<Decimal> = prev.comparisons.iter().filter_map(|c| c.total_change).collect();
        let up = changes.iter().filter(|c| **c > Decimal::ZERO).count();
        let down = changes.iter().filter(|c| **c < Decimal::ZERO).count();
        let same = changes.len() - up - down;
        let sentence = if !changes.is_empty() && up == changes.len() {
            format!("Trong năm {}, tổng điểm đánh giá của tất cả các {noun} đều tăng so với năm {}.", r.year, prev.year)
        } else if !changes.is_empty() && down == changes.len() {
            format!("Trong năm {}, tổng điểm đánh giá của tất cả các {noun} đều giảm so với năm {}.", r.year, prev.year)
        } else if !changes.is_empty() {
            let mut parts = vec![format!("{} {noun} tăng", vi::count(up)), format!("{} {noun} giảm", vi::count(down))];
            if same > 0 {
                parts.push(format!("{} {noun} không đổi", vi::count(same)));
            }
            format!(
                "So với năm {}, trong {} {noun} có số liệu cả hai năm, tổng điểm đánh giá có {}.",
                prev.year,
                vi::count(changes.len()),
                vi::list(&parts)
            )
        } else {
            String::new()
        };
        if !sentence.is_empty() {
            out.push(Paragraph::text(sentence + &biggest_group_gain(k)));
        }
    }

    // Counts per level.
    let counts = level_counts(r, fw);
    let mut parts: Vec<String> = Vec::new();
    let reached: usize = counts.levels.iter().map(|(_, n)| n).sum();
    if reached == 0 && !fw.levels.is_empty() {
        let lowest = &fw.levels.last().expect("non-empty").name;
        parts.push(format!("không có {noun} nào đạt điểm xếp hạng {lowest} (mức thấp nhất)"));
    } else {
        for (name, n) in &counts.levels {
            parts.push(if *n == 0 {
                format!("không có {noun} nào đạt {name}")
            } else if parts.is_empty() {
                format!("có {} {noun} đạt {name}", vi::count(*n))
            } else {
                format!("{} {noun} đạt {name}", vi::count(*n))
            });
        }
    }
    if counts.below_levels > 0 {
        parts.push(format!(
            "{} {noun} không được xếp hạng do điểm số không đạt theo yêu cầu",
            vi::count(counts.below_levels)
        ));
    }
    let no_data: Vec<String> = r.units.iter().filter(|u| u.status == Status::NoData).map(|u| u.name.clone()).collect();
    if !no_data.is_empty() {
        parts.push(format!(
            "{} {noun} không được đánh giá, xếp hạng do không cung cấp số liệu ({})",
            vi::count(no_data.len()),
            vi::list(&no_data)
        ));
    }
    let mut p = Paragraph::default();
    p.runs.push(Run { text: "Về mức độ xếp hạng: ".into(), italic: true, ..Default::default() });
    p.runs.push(Run { text: upper_first(&parts.join("; ")) + ".", ..Default::default() });
    out.push(p);

    let Some(s) = spread(r, fw, None) else { return out };
    let mut sentences = Vec::new();
    // The top, with every tied unit, and how long it has held the top.
    let top = names(k, &s.highest.units);
    let level_of = |id: &chiso_domain::UnitId| {
        r.get(id).and_then(|u| u.level.clone()).unwrap_or_else(|| "không xếp hạng mức".into())
    };
    let held = |id: &chiso_domain::UnitId| {
        let i = r.units.iter().position(|u| &u.unit == id)?;
        (k.comparison(i)?.previous_rank == Some(1)).then_some(())
    };
    let prev_year = k.previous.as_ref().map(|p| p.year);
    if top.len() == 1 {
        let id = &s.highest.units[0];
        let mut t = format!(
            "{} đạt {} điểm ({}{}) là {noun} xếp thứ nhất",
            top[0],
            vi::number(s.highest.value, d),
            level_of(id),
            pct(s.highest.percent, pd)
        );
        if let (Some(()), Some(py)) = (held(id), prev_year) {
            t += &format!(" 02 năm liên tiếp ({py}, {})", r.year);
        }
        sentences.push(t);
    } else {
        sentences.push(format!(
            "{} cùng đạt {} điểm{}, đồng xếp thứ nhất",
            vi::list(&top),
            vi::number(s.highest.value, d),
            pct(s.highest.percent, pd)
        ));
    }
    // The biggest rise and fall in rank, every unit that made it.
    if let Some(prev) = &k.previous {
        let m = movers(&prev.comparisons);
        let describe = |ids: &[chiso_domain::UnitId]| -> Vec<String> {
            ids.iter()
                .filter_map(|id| {
                    let i = r.units.iter().position(|u| &u.unit == id)?;
                    let c = &prev.comparisons[i];
                    let u = &r.units[i];
                    Some(format!(
                        "{} (từ vị trí thứ {} năm {} lên vị trí thứ {} năm {}, {} điểm)",
                        u.name,
                        c.previous_rank?,
                        prev.year,
                        u.rank?,
                        r.year,
                        vi::number(u.total?, d)
                    ))
                })
                .collect()
        };
        if let Some((places, ids)) = &m.rise {
            sentences.push(format!(
                "{} có bước tiến lớn nhất, tăng {} bậc: {}",
                if ids.len() == 1 { noun.to_string() } else { format!("các {noun}") },
                places,
                vi::list(&describe(ids))
            ));
        }
        if let Some((places, ids)) = &m.fall {
            let fell: Vec<String> =
                describe(ids).into_iter().map(|s| s.replacen(" lên vị trí", " xuống vị trí", 1)).collect();
            sentences.push(format!(
                "{} giảm nhiều bậc nhất, giảm {} bậc: {}",
                if ids.len() == 1 { noun.to_string() } else { format!("các {noun}") },
                -places,
                vi::list(&fell)
            ));
        }
    }
    // The lowest, and whether it was last a year ago too.
    if s.lowest.value != s.highest.value {
        let low = names(k, &s.lowest.units);
        let ranked = r.units.iter().filter(|u| u.rank.is_some()).count();
        let rank = r.get(&s.lowest.units[0]).and_then(|u| u.rank).unwrap_or(0);
        let mut t = format!(
            "{} đạt {} điểm{}, {} xếp vị trí thấp nhất ({rank}/{ranked})",
            vi::list(&low),
            vi::number(s.lowest.value, d),
            pct(s.lowest.percent, pd),
            if low.len() == 1 { format!("là {noun}") } else { format!("là các {noun}") }
        );
        if let Some(prev) = &k.previous {
            let prev_last = prev.results.units.iter().filter_map(|u| u.rank).max();
            let all_last_before = s.lowest.units.iter().all(|id| {
                r.units.iter().position(|u| &u.unit == id).is_some_and(|i| {
                    prev.comparisons[i].previous_rank.is_some() && prev.comparisons[i].previous_rank == prev_last
                })
            });
            if all_last_before {
                t += &format!(" hai năm liên tiếp ({}, {})", prev.year, r.year);
            }
        }
        sentences.push(t);
    }
    out.push(Paragraph::text(sentences.join("; ") + "."));
    out.push(Paragraph::text(format!(
        "Chênh lệch giữa {noun} có điểm số cao nhất và {noun} có điểm số thấp nhất là {} điểm.",
        vi::number(s.gap, d)
    )));
    out
}

/// "; nhóm tiêu chí tăng bình quân nhiều nhất là …": the top-level group whose mean change
/// across compared units is the largest increase, if any group rose on average.
fn biggest_group_gain(k: &KindInput) -> String {
    let Some(prev) = &k.previous else { return String::new() };
    let fw = k.framework;
    let mut best: Option<(Decimal, &str)> = None;
    for &root in &fw.roots {
        let deltas: Vec<Decimal> = prev.comparisons.iter().filter_map(|c| c.delta(root)).collect();
        if deltas.is_empty() {
            continue;
        }
        let mean = deltas.iter().sum::<Decimal>() / Decimal::from(deltas.len());
        if mean > Decimal::ZERO && best.is_none_or(|(b, _)| mean > b) {
            best = Some((mean, &fw.criterion(root).name));
        }
    }
    match best {
        Some((mean, name)) => format!(
            " Nhóm tiêu chí có điểm tăng bình quân nhiều nhất là {name} (bình quân tăng {} điểm).",
            vi::number(fw.rounding.round(mean), fw.rounding.decimals)
        ),
        None => String::new(),
    }
}

/// The narrative of one criterion: highest and lowest with all tied units, % of max,
/// the gap, and the biggest increase and decrease against last year.
pub(super) fn criterion(k: &KindInput, index: usize) -> Vec<Paragraph> {
    let fw = k.framework;
    let c = fw.criterion(index);
    let noun = &k.settings.noun;
    let d = k.decimals();
    let pd = fw.rounding.percent_decimals;
    let Some(s) = spread(k.results, fw, Some(index)) else { return vec![] };
    let mut out = Vec::new();
    if s.gap.is_zero() {
        out.push(Paragraph::text(format!(
            "Tất cả các {noun} đều đạt {} điểm ở tiêu chí {}{}.",
            vi::number(s.highest.value, d),
            c.name,
            pct(s.highest.percent, pd)
        )));
    } else {
        let who = |ids: &[chiso_domain::UnitId]| {
            let n = names(k, ids);
            if n.len() == 1 { n[0].clone() } else { format!("{} cùng", vi::list(&n)) }
        };
        out.push(Paragraph::text(format!(
            "Ở tiêu chí {}, {} có điểm cao nhất ({} điểm{}); {} có điểm thấp nhất ({} điểm{}). Chênh lệch giữa {noun} có \
             điểm số cao nhất và {noun} có điểm số thấp nhất là {} điểm.",
            c.name,
            who(&s.highest.units),
            vi::number(s.highest.value, d),
            pct(s.highest.percent, pd),
            who(&s.lowest.units),
            vi::number(s.lowest.value, d),
            pct(s.lowest.percent, pd),
            vi::number(s.gap, d)
        )));
    }
    if let Some(prev) = &k.previous {
        let deltas: Vec<(usize, Decimal)> =
            prev.comparisons.iter().enumerate().filter_map(|(i, cmp)| cmp.delta(index).map(|v| (i, v))).collect();
        if !deltas.is_empty() {
            let up = deltas.iter().filter(|(_, v)| *v > Decimal::ZERO).count();
            let down = deltas.iter().filter(|(_, v)| *v < Decimal::ZERO).count();
            let same = deltas.len() - up - down;
            let parts: Vec<String> = [(up, "tăng điểm"), (down, "giảm điểm"), (same, "không đổi")]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, what)| format!("{} {noun} {what}", vi::count(*n)))
                .collect();
            let mut t = format!("So với năm {}: {}", prev.year, parts.join(", "));
            let extreme = |pick_max: bool| -> Option<String> {
                let v = if pick_max {
                    deltas.iter().map(|(_, v)| *v).filter(|v| *v > Decimal::ZERO).max()?
                } else {
                    deltas.iter().map(|(_, v)| *v).filter(|v| *v < Decimal::ZERO).min()?
                };
                let items: Vec<String> = deltas
                    .iter()
                    .filter(|(_, x)| *x == v)
                    .filter_map(|(i, _)| {
                        let u = &k.results.units[*i];
                        let now = u.presented(fw, index)?;
                        Some(format!("{} (từ {} lên {} điểm)", u.name, vi::number(now - v, d), vi::number(now, d)))
                    })
                    .collect();
                Some(vi::list(&items))
            };
            if let Some(s) = extreme(true) {
                t += &format!("; tăng nhiều nhất: {s}");
            }
            if let Some(s) = extreme(false) {
                t += &format!("; giảm nhiều nhất: {}", s.replace(" lên ", " xuống "));
            }
            out.push(Paragraph::text(t + "."));
        }
    }
    out
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

//! Sentences, each generated only when the data makes it true: every tied unit is
//! named, "all" is said only of all, best and worst only among units scored on the
//! criterion, rank moves only among units whose previous rank is their own, and a
//! superlative only for the largest.

use super::Kind;
use super::facts::{self, Move};
use crate::model::{Paragraph, Run};
use crate::vi;
use chiso_domain::engine::Status;
use chiso_domain::stats::{level_counts, spread};
use rust_decimal::Decimal;

fn names(k: &Kind, ids: &[chiso_domain::UnitId]) -> Vec<String> {
    ids.iter().filter_map(|id| k.results.get(id).map(|u| u.name.clone())).collect()
}

fn pct(p: Option<Decimal>, decimals: u32) -> String {
    p.map(|p| format!(", đạt {}% điểm tối đa", vi::number(p, decimals))).unwrap_or_default()
}

fn no_data(k: &Kind) -> Vec<String> {
    k.results.units.iter().filter(|u| u.status == Status::NoData).map(|u| u.name.clone()).collect()
}

/// "09 đơn vị có thứ hạng so sánh được với năm 2019 (Huyện Quảng Hòa so với Huyện Quảng Uyên)".
fn compared_set(k: &Kind, moves: &[Move], year: i32) -> String {
    let noun = &k.settings.noun;
    let units: Vec<usize> = moves.iter().map(|m| m.unit).collect();
    format!(
        "{} {noun} có thứ hạng so sánh được với năm {year}{}",
        vi::count(moves.len()),
        facts::comparison_note(k, year, &units)
    )
}

pub(super) fn summary(k: &Kind) -> Vec<Paragraph> {
    let fw = k.framework;
    let r = k.results;
    let noun = &k.settings.noun;
    // Totals are presented with the total's rule (an index has its own decimals).
    let d = fw.total_rounding().decimals;
    let pd = fw.total_rounding().percent_decimals;
    let mut out = Vec::new();

    // Change against last year among the comparable units (a declared comparison).
    if let Some(prev) = &k.previous {
        let changes: Vec<Decimal> = (0..r.units.len())
            .filter(|&i| facts::comparable(k, i))
            .filter_map(|i| prev.comparisons[i].total_change)
            .collect();
        let up = changes.iter().filter(|c| **c > Decimal::ZERO).count();
        let down = changes.iter().filter(|c| **c < Decimal::ZERO).count();
        let same = changes.len() - up - down;
        let all = changes.len() == r.units.len();
        let sentence = if all && up == changes.len() {
            format!("Trong năm {}, tổng điểm đánh giá của tất cả các {noun} đều tăng so với năm {}.", r.year, prev.year)
        } else if all && down == changes.len() {
            format!("Trong năm {}, tổng điểm đánh giá của tất cả các {noun} đều giảm so với năm {}.", r.year, prev.year)
        } else if !changes.is_empty() {
            let mut parts = vec![format!("{} {noun} tăng", vi::count(up)), format!("{} {noun} giảm", vi::count(down))];
            if same > 0 {
                parts.push(format!("{} {noun} không đổi", vi::count(same)));
            }
            let compared: Vec<usize> = (0..r.units.len()).filter(|&i| facts::comparable(k, i)).collect();
            let except = facts::comparison_note(k, prev.year, &compared);
            format!(
                "So với năm {}, trong {} {noun} có số liệu cả hai năm{except}, tổng điểm đánh giá có {}.",
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
    let missing = no_data(k);
    if !missing.is_empty() {
        parts.push(format!(
            "{} {noun} không được đánh giá, xếp hạng do không cung cấp số liệu ({})",
            vi::count(missing.len()),
            vi::list(&missing)
        ));
    }
    let mut p = Paragraph::default();
    p.runs.push(Run { text: "Về mức độ xếp hạng: ".into(), italic: true, ..Default::default() });
    p.runs.push(Run { text: upper_first(&parts.join("; ")) + ".", ..Default::default() });
    out.push(p);

    // Mergers: what the merged units are compared with, or that they are not.
    if let Some(prev) = &k.previous {
        let merged = facts::mergers(k);
        if !merged.is_empty() {
            let items: Vec<String> = merged
                .iter()
                .map(|(i, from)| {
                    let with = match facts::compared_with(k, *i) {
                        Some(w) if facts::comparable(k, *i) => format!("so sánh với {w} năm {}", prev.year),
                        _ if facts::comparable(k, *i) => format!("so sánh với chính {noun} năm {}", prev.year),
                        _ => format!("không so sánh với năm {}", prev.year),
                    };
                    format!("{} (sáp nhập {}; {with})", r.units[*i].name, vi::list(from))
                })
                .collect();
            out.push(Paragraph::text(format!(
                "Năm {} có {} {noun} hình thành do sáp nhập: {}. Thứ hạng so với năm {} được tính trong nhóm các {noun} \
                 so sánh được theo cách so sánh đã khai báo cho từng {noun}.",
                r.year,
                vi::count(merged.len()),
                vi::list(&items),
                prev.year
            )));
        }
    }

    let Some(s) = spread(r, fw, None) else { return out };
    let mut sentences = Vec::new();
    let top = names(k, &s.highest.units);
    let level_of = |id: &chiso_domain::UnitId| {
        r.get(id).and_then(|u| u.level.clone()).unwrap_or_else(|| "không xếp hạng mức".into())
    };
    if top.len() == 1 {
        let id = &s.highest.units[0];
        let mut t = format!(
            "{} đạt {} điểm ({}{}) là {noun} xếp thứ nhất",
            top[0],
            vi::number(s.highest.value, d),
            level_of(id),
            pct(s.highest.percent, pd)
        );
        let i = r.units.iter().position(|u| &u.unit == id).expect("a result");
        let years = facts::years_first(k, i);
        if years.len() >= 2 {
            let list: Vec<String> = years.iter().map(i32::to_string).collect();
            t += &format!(" {} năm liên tiếp ({})", vi::count(years.len()), list.join(", "));
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
    if let Some(prev) = &k.previous {
        sentences.extend(rank_moves(k, prev.year));
    }
    // The lowest, and whether it was last a year ago too (its own rank only).
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
                    facts::same_unit(k, i)
                        && prev.comparisons[i].previous_rank.is_some()
                        && prev.comparisons[i].previous_rank == prev_last
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

/// The biggest rise and fall in rank among comparable units, saying how many were compared.
fn rank_moves(k: &Kind, prev_year: i32) -> Vec<String> {
    let r = k.results;
    let noun = &k.settings.noun;
    let d = k.framework.total_rounding().decimals;
    let moves = facts::moves(k);
    if moves.len() < 2 {
        return vec![];
    }
    let set = compared_set(k, &moves, prev_year);
    let same_set = facts::printed_are_group_ranks(k, &moves);
    // The ranks printed are those of the tables (all ranked units); the places moved are
    // counted among the compared units.
    let describe = |m: &Move, verb: &str| {
        let u = &r.units[m.unit];
        let total = u.total.map(|t| vi::number(t, d)).unwrap_or_default();
        // A published rank then (the unit's or the predecessor's it continues); a combination
        // of predecessors has none, so its places are those within the comparable group.
        match k.comparison(m.unit).and_then(|c| c.previous_rank) {
            Some(before) => format!(
                "{} (từ vị trí thứ {before} năm {prev_year} {verb} vị trí thứ {} năm {}, {total} điểm)",
                u.name,
                u.rank.unwrap_or(m.now),
                r.year
            ),
            None => format!(
                "{} (từ vị trí thứ {} {verb} vị trí thứ {} trong nhóm so sánh được, {total} điểm)",
                u.name, m.before, m.now
            ),
        }
    };
    let mut out = Vec::new();
    for rise in [true, false] {
        let change = |m: &Move| if rise { m.before as i64 - m.now as i64 } else { m.now as i64 - m.before as i64 };
        let Some(best) = moves.iter().map(change).filter(|c| *c > 0).max() else { continue };
        let who: Vec<&Move> = moves.iter().filter(|m| change(m) == best).collect();
        let items: Vec<String> = who.iter().map(|m| describe(m, if rise { "lên" } else { "xuống" })).collect();
        let plural = if who.len() == 1 { noun.to_string() } else { format!("các {noun}") };
        let what = if rise { "có bước tiến lớn nhất, tăng" } else { "giảm nhiều bậc nhất, giảm" };
        let within = if same_set { "" } else { " trong nhóm so sánh được" };
        // The compared set is said once, before the first move.
        let prefix = if out.is_empty() { format!("trong {set}, ") } else { String::new() };
        out.push(format!("{prefix}{plural} {what} {best} bậc{within}: {}", vi::list(&items)));
    }
    out
}

/// "; nhóm tiêu chí tăng bình quân nhiều nhất là …": the top-level group whose mean change
/// across comparable units is the largest increase, if any group rose on average.
fn biggest_group_gain(k: &Kind) -> String {
    let Some(prev) = &k.previous else { return String::new() };
    let fw = k.framework;
    let mut gains: Vec<(Decimal, &str)> = Vec::new();
    for &root in &fw.roots {
        let deltas: Vec<Decimal> = (0..k.results.units.len())
            .filter(|&i| facts::comparable(k, i))
            .filter_map(|i| prev.comparisons[i].delta(root))
            .collect();
        if deltas.is_empty() {
            continue;
        }
        let mean = fw.rounding.round(deltas.iter().sum::<Decimal>() / Decimal::from(deltas.len()));
        if mean > Decimal::ZERO {
            gains.push((mean, &fw.criterion(root).name));
        }
    }
    let Some(best) = gains.iter().map(|(m, _)| *m).max() else { return String::new() };
    let top: Vec<String> = gains.iter().filter(|(m, _)| *m == best).map(|(_, n)| n.to_string()).collect();
    // A superlative only for a largest that is not everyone's.
    if top.len() == gains.len() && gains.len() > 1 {
        return String::new();
    }
    format!(
        " Nhóm tiêu chí có điểm tăng bình quân nhiều nhất là {} (bình quân tăng {} điểm).",
        vi::list(&top),
        vi::number(best, fw.rounding.decimals)
    )
}

/// The narrative of one criterion: highest and lowest among units scored on it, with all
/// tied units, % of max, the gap, and changes against last year among comparable units.
pub(super) fn criterion(k: &Kind, index: usize) -> Vec<Paragraph> {
    let fw = k.framework;
    let c = fw.criterion(index);
    let noun = &k.settings.noun;
    let d = k.decimals();
    let pd = fw.rounding.percent_decimals;
    let scored = facts::scored(k, index);
    let Some(hi) = scored.iter().map(|(_, v)| *v).max() else { return vec![] };
    let lo = scored.iter().map(|(_, v)| *v).min().expect("non-empty");
    let who = |v: Decimal| -> Vec<String> {
        scored.iter().filter(|(_, x)| *x == v).map(|(i, _)| k.results.units[*i].name.clone()).collect()
    };
    let percent = |v: Decimal| pct(fw.rounding.percent(v, c.max), pd);
    let policy: Vec<String> = (0..k.results.units.len())
        .filter(|&i| k.results.units[i].status != Status::NoData && facts::by_policy(k, i, index))
        .map(|i| k.results.units[i].name.clone())
        .collect();
    let missing = no_data(k);
    let mut out = Vec::new();
    if hi == lo {
        let subject = if policy.is_empty() && missing.is_empty() {
            format!("Tất cả các {noun}")
        } else {
            format!("Cả {} {noun} được chấm điểm", vi::count(scored.len()))
        };
        out.push(Paragraph::text(format!(
            "{subject} đều đạt {} điểm ở tiêu chí {}{}.",
            vi::number(hi, d),
            c.name,
            percent(hi)
        )));
    } else {
        let named = |n: Vec<String>| if n.len() == 1 { n[0].clone() } else { format!("{} cùng", vi::list(&n)) };
        out.push(Paragraph::text(format!(
            "Ở tiêu chí {}, {} có điểm cao nhất ({} điểm{}); {} có điểm thấp nhất ({} điểm{}). Chênh lệch giữa {noun} có \
             điểm số cao nhất và {noun} có điểm số thấp nhất là {} điểm.",
            c.name,
            named(who(hi)),
            vi::number(hi, d),
            percent(hi),
            named(who(lo)),
            vi::number(lo, d),
            percent(lo),
            vi::number(hi - lo, d)
        )));
    }
    if !policy.is_empty() {
        out.push(Paragraph::text(format!(
            "{} được tính điểm theo quy định đối với trường hợp nội dung không áp dụng, không so sánh với các {noun} khác ở \
             tiêu chí này.",
            vi::list(&policy)
        )));
    }
    if let Some(prev) = &k.previous {
        out.extend(criterion_changes(k, index, prev.year, &prev.comparisons));
    }
    out
}

fn criterion_changes(
    k: &Kind,
    index: usize,
    prev_year: i32,
    comparisons: &[chiso_domain::Comparison],
) -> Option<Paragraph> {
    let fw = k.framework;
    let noun = &k.settings.noun;
    let d = k.decimals();
    // Counted over every comparable unit; the largest changes only among units scored on it.
    let all: Vec<(usize, Decimal)> = (0..k.results.units.len())
        .filter(|&i| facts::comparable(k, i))
        .filter_map(|i| comparisons[i].delta(index).map(|v| (i, v)))
        .collect();
    let deltas: Vec<(usize, Decimal)> = all.iter().copied().filter(|(i, _)| !facts::by_policy(k, *i, index)).collect();
    if all.is_empty() {
        return None;
    }
    let up = all.iter().filter(|(_, v)| *v > Decimal::ZERO).count();
    let down = all.iter().filter(|(_, v)| *v < Decimal::ZERO).count();
    let same = all.len() - up - down;
    let parts: Vec<String> = [(up, "tăng điểm"), (down, "giảm điểm"), (same, "không đổi")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{} {noun} {what}", vi::count(*n)))
        .collect();
    let mut t =
        format!("So với năm {prev_year}, trong {} {noun} so sánh được: {}", vi::count(all.len()), parts.join(", "));
    // "nhiều nhất" only when the largest is not shared by every unit that moved that way.
    let extreme = |rise: bool| -> Option<String> {
        let moved: Vec<&(usize, Decimal)> =
            deltas.iter().filter(|(_, v)| if rise { *v > Decimal::ZERO } else { *v < Decimal::ZERO }).collect();
        let v = if rise { moved.iter().map(|(_, v)| *v).max()? } else { moved.iter().map(|(_, v)| *v).min()? };
        let top: Vec<&&(usize, Decimal)> = moved.iter().filter(|(_, x)| *x == v).collect();
        if top.len() == moved.len() && moved.len() > 1 {
            return None;
        }
        let items: Vec<String> = top
            .iter()
            .filter_map(|(i, _)| {
                let u = &k.results.units[*i];
                let now = u.presented(fw, index)?;
                let verb = if rise { "lên" } else { "xuống" };
                Some(format!("{} (từ {} {verb} {} điểm)", u.name, vi::number(now - v, d), vi::number(now, d)))
            })
            .collect();
        Some(vi::list(&items))
    };
    if let Some(s) = extreme(true) {
        t += &format!("; tăng nhiều nhất: {s}");
    }
    if let Some(s) = extreme(false) {
        t += &format!("; giảm nhiều nhất: {s}");
    }
    Some(Paragraph::text(t + "."))
}

pub(super) fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

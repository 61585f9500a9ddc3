//! What the sentences may say, decided once: which units were scored on a criterion
//! (not given points by a not-applicable policy), which units have a previous result by
//! a declared comparison, what it is, and the ranks among those units.

use super::Kind;
use crate::vi;
use chiso_domain::compare::Method;
use chiso_domain::engine::Status;
use chiso_domain::framework::Framework;
use chiso_domain::lineage::CombineRule;
use chiso_domain::period::Answer;
use chiso_domain::{Baseline, UnitId};
use rust_decimal::Decimal;

fn leaves_under(fw: &Framework, index: usize) -> Vec<usize> {
    let c = fw.criterion(index);
    if c.is_leaf() { vec![index] } else { c.children.iter().flat_map(|&k| leaves_under(fw, k)).collect() }
}

/// Whether the unit (index in the results) got points on `node` from a not-applicable
/// policy (full points or zero) rather than from its figures.
pub(super) fn by_policy(k: &Kind, unit: usize, node: usize) -> bool {
    let fw = k.framework;
    let Some(sub) = k.submission(unit) else { return false };
    leaves_under(fw, node).into_iter().any(|i| {
        sub.answer(i) == Some(&Answer::NotApplicable)
            && matches!(
                fw.criterion(i).not_applicable,
                chiso_domain::NotApplicable::FullPoints | chiso_domain::NotApplicable::Zero
            )
    })
}

/// Units with data scored on `node` by their figures: (index, presented value).
pub(super) fn scored(k: &Kind, node: usize) -> Vec<(usize, Decimal)> {
    k.results
        .units
        .iter()
        .enumerate()
        .filter(|(i, u)| u.status != Status::NoData && !by_policy(k, *i, node))
        .filter_map(|(i, u)| Some((i, u.presented(k.framework, node)?)))
        .collect()
}

/// Whether a unit with data has a previous result by a declared comparison (itself, a
/// predecessor it continues, or its predecessors combined): the one rule of
/// `chiso_domain::compare`, so the report counts what the platform and `score --compare` count.
pub(super) fn comparable(k: &Kind, unit: usize) -> bool {
    k.comparison(unit).is_some_and(|c| c.method.is_comparable() && c.previous_total.is_some())
        && k.results.units[unit].status != Status::NoData
}

/// Whether the previous result is the unit's own (same unit, or renamed): what a streak
/// ("hai năm liên tiếp") may be claimed of. A successor is compared with its predecessor
/// but did not hold its rank.
pub(super) fn same_unit(k: &Kind, unit: usize) -> bool {
    comparable(k, unit)
        && k.comparison(unit).is_some_and(|c| matches!(c.baseline, Baseline::Same | Baseline::Renamed { .. }))
}

/// A unit ranked among the comparable units both years: its rank among them then and now
/// (`Comparison::comparable_previous_rank`, `comparable_rank`).
pub(super) struct Move {
    pub unit: usize,
    pub before: u32,
    pub now: u32,
}

pub(super) fn moves(k: &Kind) -> Vec<Move> {
    (0..k.results.units.len())
        .filter(|&i| comparable(k, i))
        .filter_map(|i| {
            let c = k.comparison(i)?;
            Some(Move { unit: i, before: c.comparable_previous_rank?, now: c.comparable_rank? })
        })
        .collect()
}

/// Whether the printed ranks (last year's as published, this year's in the tables) are
/// the ranks within the comparable group, so places moved can be read off the tables.
pub(super) fn printed_are_group_ranks(k: &Kind, moves: &[Move]) -> bool {
    moves.iter().all(|m| {
        k.comparison(m.unit).and_then(|c| c.previous_rank) == Some(m.before)
            && k.results.units[m.unit].rank == Some(m.now)
    })
}

/// What a unit formed by a reorganisation is compared with, when it is not simply itself:
/// "Huyện Quảng Uyên", "Huyện Hà Quảng trước sắp xếp", "bình quân điểm của A và B".
pub(super) fn compared_with(k: &Kind, unit: usize) -> Option<String> {
    let prev = k.previous.as_ref()?;
    let c = k.comparison(unit)?;
    let name_of = |id: &UnitId| prev.results.get(id).map_or_else(|| id.0.clone(), |u| u.name.clone());
    let reorganised = matches!(c.baseline, Baseline::Merged { .. } | Baseline::Split { .. });
    match &c.method {
        Method::Continues { from } if from == &c.unit => {
            reorganised.then(|| format!("{} trước sắp xếp", name_of(from)))
        }
        Method::Continues { from } => Some(name_of(from)),
        Method::Combined { from, rule } => {
            let names: Vec<String> = from.iter().map(name_of).collect();
            let how = match rule {
                CombineRule::Mean => String::new(),
                CombineRule::WeightedMean { basis, .. } => format!(" có trọng số theo {basis}"),
            };
            Some(format!("bình quân điểm{how} của {}", vi::list(&names)))
        }
        Method::Same | Method::None { .. } => None,
    }
}

/// "(Huyện Quảng Hòa so với Huyện Quảng Uyên; không tính Sở X do không có kết quả năm
/// 2024 để so sánh)": how the reorganised units in a comparison are compared, and which
/// units ranked now are left out of it. Empty when every unit is compared with itself.
pub(super) fn comparison_note(k: &Kind, prev_year: i32, compared: &[usize]) -> String {
    let mut parts: Vec<String> = compared
        .iter()
        .filter_map(|&i| Some(format!("{} so với {}", k.results.units[i].name, compared_with(k, i)?)))
        .collect();
    let mut in_comparison = vec![false; k.results.units.len()];
    compared.iter().for_each(|&i| in_comparison[i] = true);
    let left: Vec<String> = (0..k.results.units.len())
        .filter(|&i| k.results.units[i].rank.is_some() && !in_comparison[i])
        .map(|i| k.results.units[i].name.clone())
        .collect();
    if !left.is_empty() {
        parts.push(format!("không tính {} do không có kết quả năm {prev_year} để so sánh", vi::list(&left)));
    }
    if parts.is_empty() { String::new() } else { format!(" ({})", parts.join("; ")) }
}

/// Units formed by a merger: (index, names of the merged units).
pub(super) fn mergers(k: &Kind) -> Vec<(usize, Vec<String>)> {
    let Some(prev) = &k.previous else { return vec![] };
    prev.comparisons
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match &c.baseline {
            Baseline::Merged { from, .. } => Some((
                i,
                from.iter().map(|id| prev.results.get(id).map_or_else(|| id.0.clone(), |p| p.name.clone())).collect(),
            )),
            _ => None,
        })
        .collect()
}

/// Consecutive years, ending with this one, in which the unit was first: this year,
/// last year (its own rank), then the published history.
pub(super) fn years_first(k: &Kind, unit: usize) -> Vec<i32> {
    let u = &k.results.units[unit];
    let mut years = vec![k.results.year];
    if u.rank != Some(1) {
        return vec![];
    }
    let Some(prev) = &k.previous else { return years };
    if !(same_unit(k, unit) && k.comparison(unit).and_then(|c| c.previous_rank) == Some(1)) {
        return years;
    }
    years.push(prev.year);
    let mut year = prev.year - 1;
    while let Some(h) = k.settings.history.iter().find(|h| h.year == year) {
        if h.rank_of(&u.unit.0, &u.name) != Some(1) {
            break;
        }
        years.push(year);
        year -= 1;
    }
    years.reverse();
    years
}

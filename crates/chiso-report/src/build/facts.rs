//! What the sentences may say, decided once: which units were scored on a criterion
//! (not given points by a not-applicable policy), which units have a previous rank that
//! can be compared (same unit, or only renamed), and the ranks among those units.

use super::KindInput;
use chiso_domain::Baseline;
use chiso_domain::engine::Status;
use chiso_domain::framework::Framework;
use chiso_domain::period::Answer;
use rust_decimal::Decimal;

fn leaves_under(fw: &Framework, index: usize) -> Vec<usize> {
    let c = fw.criterion(index);
    if c.is_leaf() { vec![index] } else { c.children.iter().flat_map(|&k| leaves_under(fw, k)).collect() }
}

/// Whether the unit (index in the results) got points on `node` from a not-applicable
/// policy (full points or zero) rather than from its figures.
pub(super) fn by_policy(k: &KindInput, unit: usize, node: usize) -> bool {
    let fw = k.framework;
    let id = &k.results.units[unit].unit;
    let Some(sub) = k.period.units.iter().find(|p| &p.unit == id).and_then(|p| p.submission.as_ref()) else {
        return false;
    };
    leaves_under(fw, node).into_iter().any(|i| {
        sub.answer(i) == Some(&Answer::NotApplicable)
            && matches!(
                fw.criterion(i).not_applicable,
                chiso_domain::NotApplicable::FullPoints | chiso_domain::NotApplicable::Zero
            )
    })
}

/// Units with data scored on `node` by their figures: (index, presented value).
pub(super) fn scored(k: &KindInput, node: usize) -> Vec<(usize, Decimal)> {
    k.results
        .units
        .iter()
        .enumerate()
        .filter(|(i, u)| u.status != Status::NoData && !by_policy(k, *i, node))
        .filter_map(|(i, u)| Some((i, u.presented(k.framework, node)?)))
        .collect()
}

/// Whether a unit's previous result is its own (same unit or renamed), not a predecessor's
/// in a merger or split.
pub(super) fn comparable(k: &KindInput, unit: usize) -> bool {
    k.comparison(unit).is_some_and(|c| matches!(c.baseline, Baseline::Same | Baseline::Renamed { .. }))
        && k.results.units[unit].status != Status::NoData
}

/// A unit ranked both years among the comparable units: its rank among them then and now.
pub(super) struct Move {
    pub unit: usize,
    pub before: u32,
    pub now: u32,
}

/// Ranks among the units ranked in both years and comparable (competition ranking).
pub(super) fn moves(k: &KindInput) -> Vec<Move> {
    let both: Vec<(usize, u32, u32)> = (0..k.results.units.len())
        .filter(|&i| comparable(k, i))
        .filter_map(|i| Some((i, k.comparison(i)?.previous_rank?, k.results.units[i].rank?)))
        .collect();
    both.iter()
        .map(|&(unit, p, n)| Move {
            unit,
            before: 1 + both.iter().filter(|(_, q, _)| *q < p).count() as u32,
            now: 1 + both.iter().filter(|(_, _, m)| *m < n).count() as u32,
        })
        .collect()
}

/// Units formed by a merger: (name now, names of the merged units).
pub(super) fn mergers(k: &KindInput) -> Vec<(String, Vec<String>)> {
    let Some(prev) = &k.previous else { return vec![] };
    k.results
        .units
        .iter()
        .zip(&prev.comparisons)
        .filter_map(|(u, c)| match &c.baseline {
            Baseline::Merged { from, .. } => Some((
                u.name.clone(),
                from.iter().map(|id| prev.results.get(id).map_or_else(|| id.0.clone(), |p| p.name.clone())).collect(),
            )),
            _ => None,
        })
        .collect()
}

/// Consecutive years, ending with this one, in which the unit was first: this year,
/// last year (its own rank), then the published history.
pub(super) fn years_first(k: &KindInput, unit: usize) -> Vec<i32> {
    let u = &k.results.units[unit];
    let mut years = vec![k.results.year];
    if u.rank != Some(1) {
        return vec![];
    }
    let Some(prev) = &k.previous else { return years };
    if !(comparable(k, unit) && k.comparison(unit).and_then(|c| c.previous_rank) == Some(1)) {
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

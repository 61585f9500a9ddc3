//! Why a unit's total and rank moved since the previous period.
//!
//! - The total's change split by top-level criterion group: each group's contribution now
//!   minus then (a new group counts from zero, a removed one to zero). The parts are exact,
//!   then rounded to the total's decimals so that they add up to the printed change
//!   exactly (largest remainder; see [`apportion`]).
//! - The rank's change among the comparable units (see [`crate::compare`]) split into the
//!   unit's own effect (its rank then, against its rank with this year's own total among
//!   the others' previous totals) and the others' effect (the rest).
//! - The framework change, named, where the framework changed between the two periods.

use crate::compare::{self, Comparison, Method, Previous};
use crate::engine::{Results, UnitResult};
use crate::framework::{Aggregation, Framework};
use crate::number::round_to;
use crate::unit::{Registry, UnitId};
use crate::versions::{self, Change, FrameworkChange, Mapping};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

/// Where a part of the total's change comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartKind {
    /// A group present in both frameworks with the same maximum.
    Compared,
    /// A group whose maximum or weight changed: its points then and now differ in scale.
    Reweighted,
    /// A group new in this framework (counted from zero).
    New,
    /// A group of the previous framework without successor (counted to zero).
    Removed,
    /// What the framework's aggregation (a geometric mean) does not split by group.
    Aggregation,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub kind: PartKind,
    /// The group's index in the current framework (`None` for a removed group).
    pub criterion: Option<usize>,
    /// The group's index in the previous framework, if it had one.
    pub previous: Option<usize>,
    /// Its contribution to the change of the total, rounded to the total's decimals.
    pub change: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Movement {
    pub unit: UnitId,
    pub method: Method,
    /// The change of the presented total (= the parts' sum).
    pub total_change: Option<Decimal>,
    pub parts: Vec<Part>,
    /// Among the comparable units; positive is up.
    pub rank_change: Option<i64>,
    /// Places moved by the unit's own change: its previous comparable rank minus its rank
    /// with this year's total among the others' previous totals.
    pub own_effect: Option<i64>,
    /// Places moved by the others' changes: `rank_change − own_effect`.
    pub others_effect: Option<i64>,
    pub comparable_count: usize,
    pub framework_change: Option<FrameworkChange>,
}

/// One [`Movement`] per comparison (same order as `current.units`).
pub fn explain(
    current: &Results,
    framework: &Framework,
    previous: &Results,
    previous_framework: &Framework,
    registry: &Registry,
    comparisons: &[Comparison],
) -> Vec<Movement> {
    let by_id: HashMap<&UnitId, &UnitResult> = previous.units.iter().map(|u| (&u.unit, u)).collect();
    let map = versions::mapping(framework, previous_framework);
    let decimals = framework.total_rounding().decimals;
    current
        .units
        .iter()
        .zip(comparisons)
        .map(|(u, c)| {
            let (_, prev) = compare::figures(u, &by_id, previous.year, current.year, registry);
            let parts = match (&prev, c.total_change) {
                (Some(p), Some(target)) if !u.scores.is_empty() => {
                    split(u, p, framework, previous_framework, &map, target, decimals)
                }
                _ => vec![],
            };
            let own = match (c.comparable_previous_rank, c.rank_against_previous) {
                (Some(then), Some(against)) => Some(i64::from(then) - i64::from(against)),
                _ => None,
            };
            Movement {
                unit: u.unit.clone(),
                method: c.method.clone(),
                total_change: c.total_change,
                parts,
                rank_change: c.rank_change,
                own_effect: own,
                others_effect: c.rank_change.zip(own).map(|(r, o)| r - o),
                comparable_count: c.comparable_count,
                framework_change: c.framework_change.clone(),
            }
        })
        .collect()
}

/// The top-level groups' contributions to the total (the scale of presented totals).
fn contributions(fw: &Framework, points: &dyn Fn(usize) -> Option<Decimal>) -> Option<Vec<Decimal>> {
    let weights: Decimal = fw.roots.iter().map(|&r| fw.criterion(r).weight).sum();
    let scale = |v: Decimal| if fw.index.is_some() { v.checked_div(fw.max) } else { Some(v) };
    fw.roots
        .iter()
        .map(|&r| {
            let p = points(r)?;
            let w = fw.criterion(r).weight;
            scale(match fw.aggregation {
                Aggregation::Sum => p,
                Aggregation::WeightedSum => w.checked_mul(p)?,
                Aggregation::WeightedMean => w.checked_mul(p)?.checked_div(weights)?,
                Aggregation::GeometricMean => return None,
            })
        })
        .collect()
}

fn split(
    u: &UnitResult,
    prev: &Previous,
    fw: &Framework,
    pfw: &Framework,
    map: &Mapping,
    target: Decimal,
    decimals: u32,
) -> Vec<Part> {
    let now = contributions(fw, &|i| u.scores.get(i).map(|s| s.points));
    let then = contributions(pfw, &|j| prev.points(j));
    let (Some(now), Some(then)) = (now, then) else {
        return vec![Part { kind: PartKind::Aggregation, criterion: None, previous: None, change: target }];
    };
    let mut parts = Vec::new();
    let mut exact = Vec::new();
    let mut used = vec![false; pfw.roots.len()];
    for (k, &r) in fw.roots.iter().enumerate() {
        let corr = map.criteria[r];
        let then_pos = corr.previous.and_then(|j| pfw.roots.iter().position(|&x| x == j));
        let kind = match (corr.change, then_pos) {
            (Change::Same | Change::Renamed, Some(_)) => PartKind::Compared,
            (Change::Reweighted, Some(_)) => PartKind::Reweighted,
            _ => PartKind::New,
        };
        let before = then_pos.map_or(Decimal::ZERO, |p| {
            used[p] = true;
            then[p]
        });
        exact.push(now[k] - before);
        parts.push(Part { kind, criterion: Some(r), previous: then_pos.map(|p| pfw.roots[p]), change: Decimal::ZERO });
    }
    for (p, &j) in pfw.roots.iter().enumerate().filter(|(p, _)| !used[*p]) {
        exact.push(-then[p]);
        parts.push(Part { kind: PartKind::Removed, criterion: None, previous: Some(j), change: Decimal::ZERO });
    }
    for (part, v) in parts.iter_mut().zip(apportion(&exact, target, decimals)) {
        part.change = v;
    }
    parts
}

/// Rounds `exact` to `decimals` so that the rounded values add up to `target` exactly:
/// each value rounded half away from zero, then the difference to `target` given, one
/// unit of the last decimal at a time, to the values whose rounding moved them furthest
/// the other way (ties: first in order). Deterministic; the identity when the values
/// already have `decimals` decimals and add up to `target`.
pub fn apportion(exact: &[Decimal], target: Decimal, decimals: u32) -> Vec<Decimal> {
    if exact.is_empty() {
        return vec![];
    }
    // The printed change may have more decimals than the current total (the previous
    // framework printed more): the parts then take the target's decimals.
    let decimals = decimals.max(target.scale());
    let mut out: Vec<Decimal> =
        exact.iter().map(|v| round_to(*v, decimals, crate::number::RoundingMode::HalfUp)).collect();
    let unit = Decimal::new(1, decimals);
    let mut residual = target - out.iter().copied().sum::<Decimal>();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    // Furthest below its exact value first when adding, furthest above when taking away.
    let up = residual > Decimal::ZERO;
    order.sort_by(|&a, &b| {
        let (da, db) = (exact[a] - out[a], exact[b] - out[b]);
        if up { db.cmp(&da) } else { da.cmp(&db) }.then(a.cmp(&b))
    });
    let mut k = 0;
    while !residual.is_zero() {
        let i = order[k % order.len()];
        if up {
            out[i] += unit;
            residual -= unit;
        } else {
            out[i] -= unit;
            residual += unit;
        }
        k += 1;
        if k > 4 * exact.len() + 1_000 {
            break; // far beyond a rounding residue: leave it (cannot happen with `decimals` ≥ the target's)
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn apportioned_parts_add_up_to_the_printed_change() {
        // Thirds: 0,33 + 0,33 + 0,33 = 0,99, the printed change is 1,00.
        let third = dec!(1) / dec!(3);
        let parts = apportion(&[third, third, third], dec!(1.00), 2);
        assert_eq!(parts.iter().sum::<Decimal>(), dec!(1.00));
        assert_eq!(parts, [dec!(0.34), dec!(0.33), dec!(0.33)]);
        // Already exact: unchanged.
        assert_eq!(apportion(&[dec!(4.1), dec!(-1.2)], dec!(2.9), 1), [dec!(4.1), dec!(-1.2)]);
        // Taken away from the one rounded up the most.
        let parts = apportion(&[dec!(0.26), dec!(0.14)], dec!(0.3), 1);
        assert_eq!((parts.iter().sum::<Decimal>(), parts), (dec!(0.3), vec![dec!(0.2), dec!(0.1)]));
        // A target with more decimals than asked (the previous year printed 5, this year 4).
        let parts = apportion(&[dec!(0.07488), dec!(-0.0019433333), dec!(-0.0089533333)], dec!(0.06398), 4);
        assert_eq!(parts.iter().sum::<Decimal>(), dec!(0.06398));
    }
}

//! Year over year: previous rank, total, level and per-criterion change, through lineage.

use crate::engine::{Results, UnitResult};
use crate::exact;
use crate::framework::Framework;
use crate::unit::{LineageKind, Registry, UnitId};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

/// What a unit is compared with, said explicitly.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Baseline {
    /// The same unit was assessed in the previous period.
    Same,
    /// The unit existed under another id/name; compared with it.
    Renamed { from: UnitId },
    /// Formed by a merger; compared with `continues` (the predecessor whose figures
    /// the province carries on), `from` lists all the merged units.
    Merged { continues: Option<UnitId>, from: Vec<UnitId> },
    /// Split off another unit; compared with it only if declared as continuing it.
    Split { from: UnitId, continues: bool },
    /// Not assessed in the previous period: nothing to compare.
    New,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub unit: UnitId,
    pub baseline: Baseline,
    pub previous_unit: Option<UnitId>,
    pub previous_rank: Option<u32>,
    pub previous_total: Option<Decimal>,
    pub previous_level: Option<String>,
    /// Positive: moved up (rank 19 → 6 is +13).
    pub rank_change: Option<i64>,
    pub total_change: Option<Decimal>,
    /// Per criterion shared by both frameworks (same id), in the current framework's order:
    /// presented now − presented then. Empty without a previous result.
    pub deltas: Vec<Delta>,
}

/// One criterion's change against the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delta {
    /// The criterion's index in the current framework (`Framework::criterion`); an index,
    /// not its id, because a national comparison holds half a million of these.
    pub criterion: usize,
    /// Presented (rounded) points now − presented points then.
    pub change: Decimal,
}

impl Comparison {
    /// The change of criterion `criterion` (an index in the current framework), if both
    /// periods have it.
    pub fn delta(&self, criterion: usize) -> Option<Decimal> {
        self.deltas.binary_search_by_key(&criterion, |d| d.criterion).ok().map(|k| self.deltas[k].change)
    }
}

pub fn compare(
    current: &Results,
    framework: &Framework,
    previous: &Results,
    previous_framework: &Framework,
    registry: &Registry,
) -> Vec<Comparison> {
    // Indexes built once: national periods have thousands of units.
    let by_id: HashMap<&UnitId, &UnitResult> = previous.units.iter().map(|u| (&u.unit, u)).collect();
    let mapping: Vec<Option<usize>> = framework.criteria.iter().map(|c| previous_framework.index_of(&c.id.0)).collect();
    current
        .units
        .iter()
        .map(|u| {
            let baseline = baseline(&u.unit, &by_id, previous.year, current.year, registry);
            let previous_unit = match &baseline {
                Baseline::Same => Some(u.unit.clone()),
                Baseline::Renamed { from } => Some(from.clone()),
                Baseline::Merged { continues, .. } => continues.clone(),
                Baseline::Split { from, continues: true } => Some(from.clone()),
                _ => None,
            };
            let prev = previous_unit.as_ref().and_then(|p| by_id.get(p).copied());
            build(u, framework, prev, previous_framework, &mapping, baseline, previous_unit)
        })
        .collect()
}

fn baseline(
    unit: &UnitId,
    previous: &HashMap<&UnitId, &UnitResult>,
    since: i32,
    year: i32,
    registry: &Registry,
) -> Baseline {
    let changes = registry.changes_into(unit, since, year);
    if let Some(l) = changes.last() {
        return match l.kind {
            LineageKind::Renamed => match l.from.first() {
                Some(from) if from != unit => Baseline::Renamed { from: from.clone() },
                _ => Baseline::Same,
            },
            LineageKind::Merged => Baseline::Merged { continues: l.continues.clone(), from: l.from.clone() },
            LineageKind::Split => {
                Baseline::Split { from: l.from[0].clone(), continues: l.continues.as_ref() == Some(&l.from[0]) }
            }
        };
    }
    if previous.contains_key(unit) { Baseline::Same } else { Baseline::New }
}

fn build(
    u: &UnitResult,
    framework: &Framework,
    prev: Option<&UnitResult>,
    previous_framework: &Framework,
    mapping: &[Option<usize>],
    baseline: Baseline,
    previous_unit: Option<UnitId>,
) -> Comparison {
    let rank_change = match (u.rank, prev.and_then(|p| p.rank)) {
        (Some(now), Some(then)) => Some(i64::from(then) - i64::from(now)),
        _ => None,
    };
    let total_change = match (u.total, prev.and_then(|p| p.total)) {
        (Some(now), Some(then)) => Some(now - then),
        _ => None,
    };
    let mut deltas = Vec::new();
    // Criteria are scored for both or none (`scores` is empty without data).
    if let Some(p) = prev
        && !u.scores.is_empty()
        && !p.scores.is_empty()
    {
        deltas.reserve_exact(mapping.len());
        for ((i, j), s) in mapping.iter().enumerate().zip(&u.scores) {
            let Some(then) = j.and_then(|j| p.scores.get(j)) else { continue };
            let now = framework.rounding.round(s.points);
            let then = previous_framework.rounding.round(then.points);
            deltas.push(Delta { criterion: i, change: exact::sub(now, then) });
        }
    }
    Comparison {
        unit: u.unit.clone(),
        baseline,
        previous_unit,
        previous_rank: prev.and_then(|p| p.rank),
        previous_total: prev.and_then(|p| p.total),
        previous_level: prev.and_then(|p| p.level.clone()),
        rank_change,
        total_change,
        deltas,
    }
}

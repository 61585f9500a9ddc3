//! Year over year: previous rank, total, level and per-criterion change, through lineage.

use crate::engine::{Results, UnitResult};
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
    /// Per criterion id shared by both frameworks: presented now − presented then.
    pub deltas: Vec<(String, Decimal)>,
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
    if let Some(p) = prev {
        for (i, c) in framework.criteria.iter().enumerate() {
            let Some(j) = mapping[i] else { continue };
            if let (Some(now), Some(then)) = (u.presented(framework, i), p.presented(previous_framework, j)) {
                deltas.push((c.id.0.clone(), now - then));
            }
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

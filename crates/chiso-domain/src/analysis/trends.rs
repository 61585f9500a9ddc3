//! Each unit's total, level and rank across all periods of a kind, following lineage
//! (a merged district continues the predecessor its lineage names), and the province's
//! distribution year by year.

use super::totals::median;
use crate::compare::{Baseline, compare};
use crate::engine::{Results, Status};
use crate::framework::Framework;
use crate::stats::{LevelCounts, level_counts};
use crate::unit::{Registry, UnitId};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub year: i32,
    /// The unit assessed that year (a predecessor for years before a merger or renaming).
    pub unit: UnitId,
    pub name: String,
    pub total: Option<Decimal>,
    pub level: Option<String>,
    pub rank: Option<u32>,
    /// Places gained since the previous period (positive: up), as `compare` says.
    pub rank_change: Option<i64>,
    /// What the unit was compared with in the previous period.
    pub baseline: Option<Baseline>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitTrend {
    /// The unit in its latest period.
    pub unit: UnitId,
    pub name: String,
    /// One entry per year of `Trends::years`; `None` where the unit (or its predecessor)
    /// was not assessed.
    pub points: Vec<Option<TrendPoint>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearDistribution {
    pub year: i32,
    /// Units with a total.
    pub count: usize,
    pub lowest: Option<Decimal>,
    pub highest: Option<Decimal>,
    /// Mean and median of the presented totals, rounded by the framework's rule.
    pub mean: Option<Decimal>,
    pub median: Option<Decimal>,
    pub levels: LevelCounts,
    /// Whether the year's ranks and levels are as published.
    pub published: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trends {
    pub kind: String,
    /// Ascending.
    pub years: Vec<i32>,
    /// The units of the latest period (table order), then earlier units that no later
    /// unit continues.
    pub units: Vec<UnitTrend>,
    pub distribution: Vec<YearDistribution>,
}

/// Trends over periods of one kind, each with its framework and results (any order).
pub fn trends(registry: &Registry, periods: &[(&Framework, &Results)]) -> Trends {
    let mut periods: Vec<(&Framework, &Results)> = periods.to_vec();
    periods.sort_by_key(|(_, r)| r.year);
    let years: Vec<i32> = periods.iter().map(|(_, r)| r.year).collect();
    // Comparison of each period with the one before it.
    let comparisons: Vec<Vec<crate::compare::Comparison>> = periods
        .iter()
        .enumerate()
        .map(|(i, (fw, r))| match i.checked_sub(1).map(|p| periods[p]) {
            Some((pfw, prev)) => compare(r, fw, prev, pfw, registry),
            None => Vec::new(),
        })
        .collect();

    // Each period's results and comparisons by unit, looked up once per unit and year.
    let results_of: Vec<HashMap<&UnitId, usize>> =
        periods.iter().map(|(_, r)| r.units.iter().enumerate().map(|(i, u)| (&u.unit, i)).rev().collect()).collect();
    let comparison_of: Vec<HashMap<&UnitId, usize>> =
        comparisons.iter().map(|cs| cs.iter().enumerate().map(|(i, c)| (&c.unit, i)).rev().collect()).collect();
    let mut claimed: HashSet<(i32, UnitId)> = HashSet::new();
    let mut units: Vec<UnitTrend> = Vec::new();
    // Latest period first, then earlier periods for units nobody continues.
    for p in (0..periods.len()).rev() {
        for u in &periods[p].1.units {
            if claimed.contains(&(years[p], u.unit.clone())) {
                continue;
            }
            let mut points = vec![None; periods.len()];
            for (i, (_, r)) in periods.iter().enumerate().take(p + 1) {
                let id = if i == p {
                    Some(u.unit.clone())
                } else {
                    registry.counterpart(&u.unit, r.year).map(|c| c.id.clone())
                };
                let Some(id) = id else { continue };
                if claimed.contains(&(r.year, id.clone())) {
                    continue;
                }
                let Some(res) = results_of[i].get(&id).map(|&k| &r.units[k]) else { continue };
                claimed.insert((r.year, id.clone()));
                let cmp = comparison_of[i].get(&id).map(|&k| &comparisons[i][k]);
                points[i] = Some(TrendPoint {
                    year: r.year,
                    unit: id,
                    name: res.name.clone(),
                    total: res.total,
                    level: res.level.clone(),
                    rank: res.rank,
                    rank_change: cmp.and_then(|c| c.rank_change),
                    baseline: if i == 0 { None } else { cmp.map(|c| c.baseline.clone()) },
                });
            }
            units.push(UnitTrend { unit: u.unit.clone(), name: u.name.clone(), points });
        }
    }

    let distribution = periods
        .iter()
        .map(|(fw, r)| {
            let totals: Vec<Decimal> = r
                .units
                .iter()
                .filter(|u| u.status != Status::NoData || u.rank.is_some())
                .filter_map(|u| u.total)
                .collect();
            let rounding = fw.total_rounding();
            let sum: Decimal = totals.iter().sum();
            YearDistribution {
                year: r.year,
                count: totals.len(),
                lowest: totals.iter().min().copied(),
                highest: totals.iter().max().copied(),
                mean: (!totals.is_empty()).then(|| rounding.round(sum / Decimal::from(totals.len()))),
                median: median(totals.clone()).map(|m| rounding.round(m)),
                levels: level_counts(r, fw),
                published: r.published,
            }
        })
        .collect();
    Trends { kind: periods.last().map(|(_, r)| r.kind.clone()).unwrap_or_default(), years, units, distribution }
}

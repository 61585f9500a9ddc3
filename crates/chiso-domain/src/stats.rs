//! The statistics a report states: extremes with every tied unit, gap, mean,
//! share of maximum, counts per level, biggest rise and fall.

use crate::compare::Comparison;
use crate::engine::{Results, Status};
use crate::framework::Framework;
use crate::unit::UnitId;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extreme {
    pub value: Decimal,
    /// Every unit with this value, in table order.
    pub units: Vec<UnitId>,
    /// Share of the maximum, by the framework's rule.
    pub percent: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub highest: Extreme,
    pub lowest: Extreme,
    pub gap: Decimal,
    /// Mean of the presented values, rounded by the framework's rule.
    pub mean: Decimal,
    pub count: usize,
}

/// Spread of one criterion (`Some(index)`) or of the total (`None`), over units with data,
/// on presented (rounded) values: the numbers the report prints.
pub fn spread(results: &Results, framework: &Framework, criterion: Option<usize>) -> Option<Spread> {
    // The total may be presented as an index (total ÷ max) with its own decimals.
    let max = criterion.map_or(framework.total_max(), |i| framework.criterion(i).max);
    let rounding = if criterion.is_none() { framework.total_rounding() } else { framework.rounding };
    let values: Vec<(&UnitId, Decimal)> = results
        .units
        .iter()
        .filter(|u| u.status != Status::NoData)
        .filter_map(|u| {
            let v = match criterion {
                None => u.total,
                Some(i) => u.presented(framework, i),
            }?;
            Some((&u.unit, v))
        })
        .collect();
    let hi = values.iter().map(|(_, v)| *v).max()?;
    let lo = values.iter().map(|(_, v)| *v).min()?;
    let extreme = |x: Decimal| Extreme {
        value: x,
        units: values.iter().filter(|(_, v)| *v == x).map(|(u, _)| (*u).clone()).collect(),
        percent: rounding.percent(x, max),
    };
    let sum: Decimal = values.iter().map(|(_, v)| *v).sum();
    Some(Spread {
        highest: extreme(hi),
        lowest: extreme(lo),
        gap: hi - lo,
        mean: rounding.round(sum / Decimal::from(values.len())),
        count: values.len(),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelCounts {
    /// Each level of the framework, highest first, with its number of units.
    pub levels: Vec<(String, usize)>,
    pub below_levels: usize,
    pub no_data: usize,
}

pub fn level_counts(results: &Results, framework: &Framework) -> LevelCounts {
    let count = |name: &str| results.units.iter().filter(|u| u.level.as_deref() == Some(name)).count();
    LevelCounts {
        levels: framework.levels.iter().map(|l| (l.name.clone(), count(&l.name))).collect(),
        below_levels: results.units.iter().filter(|u| u.status == Status::BelowLevels).count(),
        no_data: results.units.iter().filter(|u| u.status == Status::NoData).count(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Movers {
    /// The largest rise in rank (places), with every unit that made it; `None` if nobody rose.
    pub rise: Option<(i64, Vec<UnitId>)>,
    pub fall: Option<(i64, Vec<UnitId>)>,
}

pub fn movers(comparisons: &[Comparison]) -> Movers {
    let pick = |best: Option<i64>| {
        best.map(|b| {
            let units = comparisons.iter().filter(|c| c.rank_change == Some(b)).map(|c| c.unit.clone()).collect();
            (b, units)
        })
    };
    let changes = comparisons.iter().filter_map(|c| c.rank_change);
    Movers { rise: pick(changes.clone().filter(|&c| c > 0).max()), fall: pick(changes.filter(|&c| c < 0).min()) }
}

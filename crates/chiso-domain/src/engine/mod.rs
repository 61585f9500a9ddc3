//! The engine: points per criterion (normalised across units where the framework says
//! so), aggregation, the index, rounding, level, rank, status.

pub mod maths;
mod points;
mod rank;

pub use points::{DirectRow, NodeScore, UnitScorer, best_ratios, score_submission, score_units};
pub use rank::competition_ranks;

use crate::collate::compare_vi;
use crate::framework::{Framework, TieBasis};
use crate::period::Period;
use crate::unit::UnitId;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Has a level and a rank.
    Ranked,
    /// Below the lowest level: "KXH" for the level, but it keeps a rank number.
    BelowLevels,
    /// Supplied no data: neither level nor rank.
    NoData,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitResult {
    pub unit: UnitId,
    pub name: String,
    pub group: Option<String>,
    pub status: Status,
    /// Per criterion (framework order), exact; empty without data.
    pub scores: Vec<NodeScore>,
    /// The exact total; for a framework presented as an index, the exact index (total ÷ max).
    pub total_exact: Option<Decimal>,
    /// The total (or index) as presented, rounded by the framework's rule (the index's decimals).
    pub total: Option<Decimal>,
    pub level: Option<String>,
    pub rank: Option<u32>,
}

impl UnitResult {
    /// A criterion's points as presented (rounded), if the unit has data.
    pub fn presented(&self, framework: &Framework, index: usize) -> Option<Decimal> {
        self.scores.get(index).map(|s| framework.rounding.round(s.points))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    pub year: i32,
    pub kind: String,
    pub framework: String,
    /// Whether ranks and levels are the published ones rather than computed.
    pub published: bool,
    /// In table order: by group, rank, then Vietnamese name order; no data last.
    pub units: Vec<UnitResult>,
    /// The period's figures are invented (see [`Period::illustrative`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub illustrative: bool,
}

impl Results {
    pub fn get(&self, unit: &UnitId) -> Option<&UnitResult> {
        self.units.iter().find(|u| &u.unit == unit)
    }
}

/// Scores, levels and ranks a whole period.
pub fn score(framework: &Framework, period: &Period) -> Results {
    let submissions: Vec<_> = period.units.iter().filter_map(|u| u.submission.as_ref()).collect();
    let mut scored = score_units(framework, &submissions).into_iter();
    let rows =
        period.units.iter().map(|pu| pu.submission.as_ref().map(|_| scored.next().expect("one score per submission")));
    score_scored(framework, period, rows)
}

/// [`score`] from each unit's points already scored (`None`: no data), in the period's
/// order, as [`score_units`] or a [`UnitScorer`] gives them; the period's submissions are
/// not read (a national period scored row by row as it is read keeps none).
pub fn score_scored(
    framework: &Framework,
    period: &Period,
    scored: impl Iterator<Item = Option<(Vec<NodeScore>, Decimal)>>,
) -> Results {
    let total_rounding = framework.total_rounding();
    let mut units: Vec<UnitResult> = period
        .units
        .iter()
        .zip(scored)
        .map(|(pu, scored)| match scored {
            None => UnitResult {
                unit: pu.unit.clone(),
                name: pu.name.clone(),
                group: pu.group.clone(),
                status: Status::NoData,
                scores: Vec::new(),
                total_exact: None,
                total: None,
                level: None,
                rank: None,
            },
            Some((scores, points)) => {
                let total_exact = framework.total_value(points);
                let total = total_rounding.round(total_exact);
                let basis = match framework.ties {
                    TieBasis::Rounded => total,
                    TieBasis::Exact => total_exact,
                };
                let level = framework.level_for(basis).map(|i| framework.levels[i].name.clone());
                UnitResult {
                    unit: pu.unit.clone(),
                    name: pu.name.clone(),
                    group: pu.group.clone(),
                    status: if level.is_some() { Status::Ranked } else { Status::BelowLevels },
                    scores,
                    total_exact: Some(total_exact),
                    total: Some(total),
                    level,
                    rank: None,
                }
            }
        })
        .collect();

    assign_ranks(framework, &mut units);
    let mut results = Results {
        year: period.year,
        kind: period.kind.clone(),
        framework: framework.id.clone(),
        published: false,
        units,
        illustrative: period.illustrative,
    };
    if let Some(published) = &period.published {
        apply_published(&mut results, period, published);
    }
    sort_for_table(framework, &mut results.units);
    results
}

fn basis(framework: &Framework, u: &UnitResult) -> Option<Decimal> {
    match framework.ties {
        TieBasis::Rounded => u.total,
        TieBasis::Exact => u.total_exact,
    }
}

fn assign_ranks(framework: &Framework, units: &mut [UnitResult]) {
    let groups: Vec<Option<String>> = {
        let mut g: Vec<Option<String>> = units.iter().map(|u| u.group.clone()).collect();
        g.sort();
        g.dedup();
        g
    };
    for group in groups {
        let members: Vec<usize> =
            (0..units.len()).filter(|&i| units[i].group == group && units[i].status != Status::NoData).collect();
        let totals: Vec<Decimal> = members.iter().map(|&i| basis(framework, &units[i]).unwrap_or_default()).collect();
        for (k, rank) in competition_ranks(&totals).into_iter().enumerate() {
            units[members[k]].rank = Some(rank);
        }
    }
}

/// Published ranks and levels replace computed ones; units ranked then but whose
/// figures are lost appear with rank and level only.
fn apply_published(results: &mut Results, period: &Period, published: &[crate::period::PublishedResult]) {
    results.published = true;
    for u in &mut results.units {
        u.rank = None;
        u.level = None;
    }
    for p in published {
        let idx = match results.units.iter().position(|u| u.unit == p.unit) {
            Some(i) => i,
            None => {
                let name = period.units.iter().find(|u| u.unit == p.unit).map(|u| u.name.clone());
                results.units.push(UnitResult {
                    unit: p.unit.clone(),
                    name: name.unwrap_or_else(|| p.unit.0.clone()),
                    group: None,
                    status: Status::NoData,
                    scores: Vec::new(),
                    total_exact: p.total,
                    total: p.total,
                    level: None,
                    rank: None,
                });
                results.units.len() - 1
            }
        };
        let u = &mut results.units[idx];
        u.rank = p.rank;
        u.level = p.level.clone();
        if p.total.is_some() && u.total.is_none() {
            u.total = p.total;
        }
        u.status = match (&u.level, u.rank) {
            (Some(_), _) => Status::Ranked,
            (None, Some(_)) => Status::BelowLevels,
            (None, None) => Status::NoData,
        };
    }
}

/// By ranking group (declared order, undeclared last), rank (none last), then name in
/// Vietnamese order; a stable sort. The keys are computed once per unit, and the collation
/// only breaks ties; the units are moved once, not at every step of the sort.
fn sort_for_table(framework: &Framework, units: &mut Vec<UnitResult>) {
    let group_pos = |g: &Option<String>| {
        g.as_ref().and_then(|g| framework.groups.iter().position(|x| x == g)).unwrap_or(usize::MAX)
    };
    let keys: Vec<(usize, u64)> =
        units.iter().map(|u| (group_pos(&u.group), u.rank.map_or(u64::MAX, u64::from))).collect();
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        keys[a].cmp(&keys[b]).then_with(|| compare_vi(&units[a].name, &units[b].name)).then(a.cmp(&b))
    });
    if order.iter().enumerate().all(|(k, &i)| k == i) {
        return;
    }
    let mut slots: Vec<Option<UnitResult>> = std::mem::take(units).into_iter().map(Some).collect();
    units.extend(order.iter().map(|&i| slots[i].take().expect("a permutation takes each unit once")));
}

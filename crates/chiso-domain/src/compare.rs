//! Year over year: previous rank, total, level and per-criterion change, through lineage.

use crate::engine::{Results, UnitResult};
use crate::exact;
use crate::framework::{Framework, TieBasis};
use crate::lineage::{self, CombineRule, Declared};
use crate::unit::{LineageKind, Registry, UnitId};
use crate::versions::{self, FrameworkChange};
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

/// The method by which a unit's previous figures are found, said for every unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// The same unit's own figures.
    Same,
    /// A predecessor carries on (renamed, or declared `continues` in a reorganisation).
    Continues { from: UnitId },
    /// The predecessors' figures combined by the declared rule.
    Combined { from: Vec<UnitId>, rule: CombineRule },
    /// No previous figures, and why.
    None { reason: NoComparison },
}

/// Why a unit has no previous figures to compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoComparison {
    /// Not assessed in the previous period, and no predecessor.
    New,
    /// A reorganisation declared it a new unit (`compare = "none"`).
    DeclaredNone,
    /// A reorganisation without a declared comparison for this unit.
    NotDeclared,
    /// The unit (or a predecessor) has no total in the previous period.
    NoPreviousData,
}

impl Method {
    pub fn is_comparable(&self) -> bool {
        !matches!(self, Method::None { .. })
    }

    /// The method's name as serialised (`method` in JSON, a column of `chiso score`'s CSV).
    pub fn name(&self) -> &'static str {
        match self {
            Method::Same => "same",
            Method::Continues { .. } => "continues",
            Method::Combined { .. } => "combined",
            Method::None { .. } => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub unit: UnitId,
    pub baseline: Baseline,
    /// How the previous figures are found (same unit, predecessor, combination, none).
    pub method: Method,
    /// The unit whose previous rank is shown (the unit itself or the predecessor it
    /// continues); `None` for a combination or without comparison.
    pub previous_unit: Option<UnitId>,
    /// The previous unit's rank as published then (in that year's whole ranking).
    pub previous_rank: Option<u32>,
    /// The previous total as presented; for a combination, the combined total rounded by
    /// the previous framework's rule.
    pub previous_total: Option<Decimal>,
    pub previous_level: Option<String>,
    /// Rank now and then among the comparable units only (units ranked now, of the same
    /// ranking group, with a previous total by a stated method): competition ranks by total.
    pub comparable_rank: Option<u32>,
    pub comparable_previous_rank: Option<u32>,
    /// How many units that comparable ranking has (in this unit's ranking group).
    pub comparable_count: usize,
    /// This unit's total now ranked among the other comparable units' previous totals
    /// (what its own change alone would have done; see [`crate::movement`]).
    pub rank_against_previous: Option<u32>,
    /// Positive: moved up, among the comparable units (`comparable_previous_rank −
    /// comparable_rank`); `None` when the unit is not comparable.
    pub rank_change: Option<i64>,
    pub total_change: Option<Decimal>,
    /// Per criterion comparable between the two frameworks (same, or renamed), in the
    /// current framework's order: presented now − presented then. Empty without a previous result.
    pub deltas: Vec<Delta>,
    /// The framework changed between the two periods.
    pub framework_change: Option<FrameworkChange>,
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
    compare_with(current, framework, previous, previous_framework, registry, true)
}

/// [`compare`] without the per-criterion changes: every field the same, `deltas` left
/// empty. For outputs that show ranks and totals only (`chiso score --format csv`): at
/// national size the deltas are most of the comparison's work and memory.
pub fn compare_ranks(
    current: &Results,
    framework: &Framework,
    previous: &Results,
    previous_framework: &Framework,
    registry: &Registry,
) -> Vec<Comparison> {
    compare_with(current, framework, previous, previous_framework, registry, false)
}

fn compare_with(
    current: &Results,
    framework: &Framework,
    previous: &Results,
    previous_framework: &Framework,
    registry: &Registry,
    with_deltas: bool,
) -> Vec<Comparison> {
    // Indexes built once: national periods have thousands of units.
    let by_id: HashMap<&UnitId, &UnitResult> = previous.units.iter().map(|u| (&u.unit, u)).collect();
    let map = versions::mapping(framework, previous_framework);
    let mapping: Vec<Option<usize>> = (0..framework.criteria.len()).map(|i| map.comparable(i)).collect();
    let mut bases = Vec::with_capacity(current.units.len());
    let mut out: Vec<Comparison> = current
        .units
        .iter()
        .map(|u| {
            let baseline = baseline(&u.unit, &by_id, previous.year, current.year, registry);
            let (method, prev) = figures(u, &by_id, previous.year, current.year, registry);
            let previous_unit = match &method {
                Method::Same => Some(u.unit.clone()),
                Method::Continues { from } => Some(from.clone()),
                _ => None,
            };
            bases.push(prev.as_ref().and_then(|p| p.basis(previous_framework)));
            let mapping = if with_deltas { mapping.as_slice() } else { &[] };
            let mut c = build(u, framework, prev.as_ref(), previous_framework, mapping, baseline, previous_unit);
            c.method = method;
            c.framework_change = map.framework_change.clone();
            c
        })
        .collect();
    comparable_ranks(current, framework, &bases, &mut out);
    out
}

/// The previous figures of a current unit: one unit's result, or several combined.
pub(crate) enum Previous<'a> {
    One(&'a UnitResult),
    Combined(Vec<&'a UnitResult>, CombineRule),
}

impl Previous<'_> {
    /// The exact total (the index for an index framework), combined where it is a combination.
    pub(crate) fn total_exact(&self) -> Option<Decimal> {
        match self {
            Previous::One(u) => u.total_exact.or(u.total),
            Previous::Combined(parts, rule) => {
                let v: Option<Vec<Decimal>> = parts.iter().map(|u| u.total_exact.or(u.total)).collect();
                lineage::combine(rule, &v?)
            }
        }
    }

    /// The total as presented by the previous framework (the published one for one unit).
    pub(crate) fn total(&self, fw: &Framework) -> Option<Decimal> {
        match self {
            Previous::One(u) => u.total,
            Previous::Combined(..) => self.total_exact().map(|t| fw.total_rounding().round(t)),
        }
    }

    /// What ties and ranks are judged on, by the previous framework's rule.
    pub(crate) fn basis(&self, fw: &Framework) -> Option<Decimal> {
        match fw.ties {
            TieBasis::Rounded => self.total(fw),
            TieBasis::Exact => self.total_exact(),
        }
    }

    /// Exact points of criterion `j` of the previous framework.
    pub(crate) fn points(&self, j: usize) -> Option<Decimal> {
        match self {
            Previous::One(u) => u.scores.get(j).map(|s| s.points),
            Previous::Combined(parts, rule) => {
                let v: Option<Vec<Decimal>> = parts.iter().map(|u| u.scores.get(j).map(|s| s.points)).collect();
                lineage::combine(rule, &v?)
            }
        }
    }

    fn single(&self) -> Option<&UnitResult> {
        match self {
            Previous::One(u) => Some(u),
            Previous::Combined(..) => None,
        }
    }
}

/// The method and the previous figures of `u`, through lineage.
pub(crate) fn figures<'a>(
    u: &UnitResult,
    previous: &HashMap<&UnitId, &'a UnitResult>,
    since: i32,
    year: i32,
    registry: &Registry,
) -> (Method, Option<Previous<'a>>) {
    let none = |reason| (Method::None { reason }, None);
    // A previous result: a total, or at least a published rank.
    let with_total = |p: &UnitResult| p.total.is_some() || p.total_exact.is_some() || p.rank.is_some();
    if registry.changes_into(&u.unit, since, year).is_empty() {
        return match previous.get(&u.unit) {
            Some(p) if with_total(p) => (Method::Same, Some(Previous::One(p))),
            Some(_) => none(NoComparison::NoPreviousData),
            None => none(NoComparison::New),
        };
    }
    let declared = registry.comparison_since(&u.unit, since, year);
    match declared {
        None => none(NoComparison::NotDeclared),
        Some(Declared::None) => none(NoComparison::DeclaredNone),
        Some(Declared::Continues { from }) => match previous.get(&from) {
            Some(p) if with_total(p) => (Method::Continues { from }, Some(Previous::One(p))),
            _ => none(NoComparison::NoPreviousData),
        },
        Some(Declared::Combined { from, rule }) => {
            let parts: Option<Vec<&UnitResult>> =
                from.iter().map(|f| previous.get(f).copied().filter(|p| with_total(p))).collect();
            match parts {
                Some(parts) => (Method::Combined { from, rule: rule.clone() }, Some(Previous::Combined(parts, rule))),
                None => none(NoComparison::NoPreviousData),
            }
        }
    }
}

/// A comparable unit: index, ranking group, basis now, basis then.
type Member<'a> = (usize, &'a Option<String>, Decimal, Decimal);

/// Ranks among the comparable units, now and then, per ranking group.
fn comparable_ranks(current: &Results, framework: &Framework, bases: &[Option<Decimal>], out: &mut [Comparison]) {
    let now_basis = |u: &UnitResult| match framework.ties {
        TieBasis::Rounded => u.total,
        TieBasis::Exact => u.total_exact,
    };
    // (index, group, basis now, basis then) of every comparable unit.
    let members: Vec<Member> = current
        .units
        .iter()
        .enumerate()
        .filter(|(i, u)| u.rank.is_some() && out[*i].method.is_comparable())
        .filter_map(|(i, u)| Some((i, &u.group, now_basis(u)?, bases[i]?)))
        .collect();
    // Per ranking group, the totals now and then sorted from the highest: a rank is one
    // more than the number of totals strictly above (competition ranking), found by
    // binary search (national periods rank thousands of units).
    let mut groups: HashMap<&Option<String>, (Vec<Decimal>, Vec<Decimal>)> = HashMap::new();
    for m in &members {
        let g = groups.entry(m.1).or_default();
        g.0.push(m.2);
        g.1.push(m.3);
    }
    for g in groups.values_mut() {
        g.0.sort_by(|a, b| exact::cmp(b, a));
        g.1.sort_by(|a, b| exact::cmp(b, a));
    }
    let above = |sorted: &[Decimal], x: &Decimal| sorted.partition_point(|v| exact::cmp(v, x).is_gt()) as u32;
    for &(i, group, now, then) in &members {
        let (nows, thens) = &groups[group];
        let r_now = 1 + above(nows, &now);
        let r_then = 1 + above(thens, &then);
        // The others' previous totals above this year's own (its own previous total excluded).
        let r_own = 1 + above(thens, &now) - u32::from(exact::cmp(&then, &now).is_gt());
        let c = &mut out[i];
        c.rank_against_previous = Some(r_own);
        c.comparable_rank = Some(r_now);
        c.comparable_previous_rank = Some(r_then);
        c.rank_change = Some(i64::from(r_then) - i64::from(r_now));
    }
    for (i, u) in current.units.iter().enumerate() {
        out[i].comparable_count = groups.get(&u.group).map_or(0, |g| g.0.len());
    }
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
    prev: Option<&Previous>,
    previous_framework: &Framework,
    mapping: &[Option<usize>],
    baseline: Baseline,
    previous_unit: Option<UnitId>,
) -> Comparison {
    let previous_total = prev.and_then(|p| p.total(previous_framework));
    let total_change = match (u.total, previous_total) {
        (Some(now), Some(then)) => Some(now - then),
        _ => None,
    };
    let mut deltas = Vec::new();
    // Criteria are scored for both or none (`scores` is empty without data).
    if let Some(p) = prev
        && !u.scores.is_empty()
        && !mapping.is_empty()
    {
        deltas.reserve_exact(mapping.len());
        for ((i, j), s) in mapping.iter().enumerate().zip(&u.scores) {
            let Some(then) = j.and_then(|j| p.points(j)) else { continue };
            let now = framework.rounding.round(s.points);
            let then = previous_framework.rounding.round(then);
            deltas.push(Delta { criterion: i, change: exact::sub(now, then) });
        }
    }
    let single = prev.and_then(Previous::single);
    Comparison {
        unit: u.unit.clone(),
        baseline,
        method: Method::Same,
        previous_unit,
        previous_rank: single.and_then(|p| p.rank),
        previous_total,
        previous_level: single.and_then(|p| p.level.clone()),
        comparable_rank: None,
        comparable_previous_rank: None,
        comparable_count: 0,
        rank_against_previous: None,
        rank_change: None,
        total_change,
        deltas,
        framework_change: None,
    }
}

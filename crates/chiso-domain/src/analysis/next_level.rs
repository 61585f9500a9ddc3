//! What a unit must do to reach the next level: the points missing, the headroom of each
//! top-level group, and the smallest set of group improvements that closes the gap,
//! preferring the groups where the unit is furthest below the provincial median (as a
//! share of the group's maximum); where the framework scores from figures, the figures
//! that would give those points. All in exact decimals, scored by the framework's rules.

use super::figures::{FigureChange, Scorer};
use super::totals::{basis, ceil_to, median, total_points};
use crate::engine::{NodeScore, Results, Status, best_ratios};
use crate::framework::{CriterionId, Framework};
use crate::period::{Period, Submission};
use crate::unit::UnitId;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRoom {
    pub criterion: CriterionId,
    /// The unit's points, exact.
    pub points: Decimal,
    pub max: Decimal,
    /// Points the group can still gain: up to its maximum, or what the unit's figures
    /// allow (a criterion declared not applicable cannot be improved).
    pub headroom: Decimal,
    /// Median of the group's presented points over the units of the period.
    pub median: Option<Decimal>,
    /// median − presented points: positive when the unit is below the median.
    pub below_median: Option<Decimal>,
}

/// One group improvement of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub criterion: CriterionId,
    /// Points added to the group (a multiple of the framework's last decimal).
    pub points: Decimal,
    pub from: Decimal,
    pub to: Decimal,
    /// The answers that would give them (empty for a directly scored group).
    pub figures: Vec<FigureChange>,
    /// Points the figures actually give the group (≥ `points`; steps and yes/no answers
    /// come in whole steps). `None` when there are no figures to change.
    pub figures_points: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub unit: UnitId,
    pub name: String,
    pub group: Option<String>,
    /// The presented total (or index).
    pub total: Decimal,
    /// Index into `Framework::levels`; `None` below the levels.
    pub level: Option<usize>,
    /// The level above (`None` for a unit at the top level).
    pub next_level: Option<usize>,
    pub threshold: Option<Decimal>,
    /// threshold − total, on the total's scale, rounded up to the total's decimals.
    pub points_needed: Option<Decimal>,
    /// Whether the next level is within reach of the groups' maxima (`true` at the top).
    pub reachable: bool,
    /// The presented total with every group at its headroom.
    pub best_total: Decimal,
    /// Per top-level group, in framework order.
    pub groups: Vec<GroupRoom>,
    /// The plan: groups in order of preference; empty when unreachable or at the top.
    pub steps: Vec<Step>,
}

impl Plan {
    /// The level the plan reaches, by name.
    pub fn next_level_name<'a>(&self, fw: &'a Framework) -> Option<&'a str> {
        self.next_level.map(|i| fw.levels[i].name.as_str())
    }
}

/// At most this many subsets of the minimal size are examined for the preferred one;
/// beyond it the greedy set (largest gains first) is kept.
const MAX_SUBSETS: usize = 50_000;

/// Plans for every unit with data, in table order.
pub fn next_level(fw: &Framework, results: &Results, period: &Period) -> Vec<Plan> {
    let analysed: Vec<_> =
        results.units.iter().filter(|u| u.status != Status::NoData && !u.scores.is_empty()).collect();
    let presented = |s: &NodeScore| fw.rounding.round(s.points);
    // Medians of every criterion's presented points, where applicable.
    let medians: Vec<Option<Decimal>> = (0..fw.criteria.len())
        .map(|c| {
            median(analysed.iter().filter_map(|u| u.scores.get(c)).filter(|s| s.applicable).map(presented).collect())
        })
        .collect();
    let submissions: Vec<&Submission> = period.units.iter().filter_map(|u| u.submission.as_ref()).collect();
    let best = best_ratios(fw, &submissions);
    let quantum = Decimal::new(1, fw.rounding.decimals);
    let scorer = Scorer::new(fw, &best, quantum);
    // Leaves in order of preference for a unit: furthest below the median (share of max).
    let leaf_order = |scores: &[NodeScore]| -> Vec<usize> {
        let mut leaves: Vec<(usize, Decimal)> = fw
            .leaves()
            .map(|(i, c)| {
                let gap = medians[i].map_or(Decimal::ZERO, |m| (m - presented(&scores[i])) / c.max);
                (i, gap)
            })
            .collect();
        leaves.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        leaves.into_iter().map(|(i, _)| i).collect()
    };

    let by_unit: std::collections::HashMap<&UnitId, &Submission> =
        period.units.iter().filter_map(|p| p.submission.as_ref().map(|s| (&p.unit, s))).collect();
    let normalises = fw.normalises();
    let one = |u: &&crate::engine::UnitResult| {
        let roots: Vec<NodeScore> = fw.roots.iter().map(|&r| u.scores[r]).collect();
        // Figures only where the unit's points are its own (no normalisation across
        // units) and the engine gives back the same points for the submission alone.
        let figures_from = by_unit.get(&u.unit).copied().filter(|s| {
            !normalises && {
                let alone = scorer.score(s);
                fw.roots.iter().all(|&r| alone[r].points == u.scores[r].points)
            }
        });
        plan(fw, u, &roots, figures_from, &scorer, &medians, &leaf_order(&u.scores))
    };
    // Units are independent: two threads, each a contiguous half, results in table order.
    if analysed.len() < 64 {
        return analysed.iter().map(one).collect();
    }
    let (first, second) = analysed.split_at(analysed.len() / 2);
    let (mut a, b) = std::thread::scope(|s| {
        let h = s.spawn(|| second.iter().map(one).collect::<Vec<_>>());
        let a: Vec<Plan> = first.iter().map(one).collect();
        (a, h.join().expect("a plan thread panicked"))
    });
    a.extend(b);
    a
}

fn plan(
    fw: &Framework,
    u: &crate::engine::UnitResult,
    roots: &[NodeScore],
    submission: Option<&Submission>,
    scorer: &Scorer,
    medians: &[Option<Decimal>],
    leaf_order: &[usize],
) -> Plan {
    let eval = |x: &[Decimal]| {
        let nodes: Vec<NodeScore> = roots.iter().zip(x).map(|(s, &p)| NodeScore { points: p, ..*s }).collect();
        basis(fw, total_points(fw, &nodes))
    };
    let points: Vec<Decimal> = roots.iter().map(|s| s.points).collect();
    let current = eval(&points);
    let total_decimals = fw.total_rounding().decimals;

    let groups: Vec<GroupRoom> = fw
        .roots
        .iter()
        .zip(roots)
        .map(|(&r, s)| {
            let c = fw.criterion(r);
            let headroom = if !s.applicable {
                Decimal::ZERO
            } else if let Some(sub) = submission {
                (scorer.best_root(sub, r) - s.points).max(Decimal::ZERO)
            } else {
                (c.max - s.points).max(Decimal::ZERO)
            };
            let shown = fw.rounding.round(s.points);
            GroupRoom {
                criterion: c.id.clone(),
                points: s.points,
                max: c.max,
                headroom,
                median: medians[r],
                below_median: medians[r].map(|m| m - shown),
            }
        })
        .collect();
    let best: Vec<Decimal> = points.iter().zip(&groups).map(|(p, g)| p + g.headroom).collect();
    let best_basis = eval(&best);

    let level = fw.level_for(current);
    let next = match level {
        Some(0) => None,
        Some(i) => Some(i - 1),
        None => fw.levels.len().checked_sub(1),
    };
    let threshold = next.map(|i| fw.levels[i].min);
    let mut p = Plan {
        unit: u.unit.clone(),
        name: u.name.clone(),
        group: u.group.clone(),
        total: u.total.unwrap_or_else(|| fw.total_rounding().round(current)),
        level,
        next_level: next,
        threshold,
        points_needed: threshold.map(|t| ceil_to((t - current).max(Decimal::ZERO), total_decimals)),
        reachable: true,
        best_total: fw.total_rounding().round(best_basis),
        groups,
        steps: Vec::new(),
    };
    let Some(target) = threshold else { return p };
    if best_basis < target {
        p.reachable = false;
        return p;
    }

    // Candidates, most preferred first: furthest below the median as a share of the
    // group's maximum, then the larger headroom, then framework order.
    let share_below = |j: usize| {
        let g = &p.groups[j];
        g.below_median.map_or(Decimal::ZERO, |b| b / g.max)
    };
    let mut candidates: Vec<usize> = (0..roots.len()).filter(|&j| p.groups[j].headroom > Decimal::ZERO).collect();
    candidates.sort_by(|&a, &b| {
        share_below(b).cmp(&share_below(a)).then(p.groups[b].headroom.cmp(&p.groups[a].headroom)).then(a.cmp(&b))
    });
    let maxed = |set: &[usize]| {
        let mut x = points.clone();
        for &j in set {
            x[j] = best[j];
        }
        eval(&x)
    };
    // The smallest number of groups: take the largest gains first.
    let mut by_gain = candidates.clone();
    let gains: Vec<Decimal> = (0..roots.len()).map(|j| maxed(&[j]) - current).collect();
    by_gain.sort_by(|&a, &b| gains[b].cmp(&gains[a]).then(a.cmp(&b)));
    let size = (1..=by_gain.len()).find(|&s| maxed(&by_gain[..s]) >= target).unwrap_or(by_gain.len());
    // Of the sets of that size, the most preferred one that reaches the target.
    let chosen = preferred_subset(&candidates, size, |set| maxed(set) >= target).unwrap_or_else(|| {
        let mut set = by_gain[..size].to_vec();
        set.sort_by_key(|j| candidates.iter().position(|c| c == j));
        set
    });

    // Fill the chosen groups in order of preference; the last gets what is still missing,
    // to the framework's last decimal.
    let quantum = scorer.quantum;
    let mut x = points.clone();
    for &j in &chosen {
        let mut with_max = x.clone();
        with_max[j] = best[j];
        if eval(&with_max) < target {
            x = with_max;
            continue;
        }
        let len = ((best[j] - points[j]) / quantum).ceil();
        let at = |i: Decimal| (points[j] + i * quantum).min(best[j]);
        let reaches = |i: Decimal| {
            let mut y = x.clone();
            y[j] = at(i);
            eval(&y) >= target
        };
        let (mut lo, mut hi) = (Decimal::ONE, len);
        while lo < hi {
            let mid = ((lo + hi) / Decimal::TWO).floor();
            if reaches(mid) { hi = mid } else { lo = mid + Decimal::ONE }
        }
        x[j] = at(lo);
        break;
    }
    for &j in &chosen {
        let added = x[j] - points[j];
        if added <= Decimal::ZERO {
            continue;
        }
        let r = fw.roots[j];
        let c = fw.criterion(r);
        let direct = c.is_leaf() && matches!(c.rule, Some(crate::framework::Rule::Direct));
        let (figures, figures_points) = match submission {
            Some(sub) if !direct => {
                let (f, gained) = scorer.figures(sub, r, added, leaf_order);
                (f, Some(gained))
            }
            _ => (Vec::new(), None),
        };
        p.steps.push(Step {
            criterion: c.id.clone(),
            points: added.normalize(),
            from: points[j],
            to: x[j],
            figures,
            figures_points,
        });
    }
    p
}

/// The first subset of `size` elements of `items` (in lexicographic order of positions,
/// so the most preferred items first) that passes `ok`.
fn preferred_subset(items: &[usize], size: usize, ok: impl Fn(&[usize]) -> bool) -> Option<Vec<usize>> {
    if size == 0 || size > items.len() {
        return None;
    }
    let mut idx: Vec<usize> = (0..size).collect();
    let mut examined = 0;
    loop {
        let set: Vec<usize> = idx.iter().map(|&i| items[i]).collect();
        if ok(&set) {
            return Some(set);
        }
        examined += 1;
        if examined >= MAX_SUBSETS {
            return None;
        }
        // Next combination.
        let n = items.len();
        let mut i = size;
        loop {
            if i == 0 {
                return None;
            }
            i -= 1;
            if idx[i] != i + n - size {
                break;
            }
            if i == 0 {
                return None;
            }
        }
        idx[i] += 1;
        for k in i + 1..size {
            idx[k] = idx[k - 1] + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::preferred_subset;

    #[test]
    fn subsets_come_in_order_of_preference() {
        let items = [5, 3, 9, 1];
        assert_eq!(preferred_subset(&items, 2, |s| s.contains(&9)), Some(vec![5, 9]));
        assert_eq!(preferred_subset(&items, 2, |s| s == [9, 1]), Some(vec![9, 1]));
        assert_eq!(preferred_subset(&items, 3, |_| false), None);
        assert_eq!(preferred_subset(&items, 1, |s| s == [1]), Some(vec![1]));
    }
}

//! From answers to exact points, leaf by leaf and up the tree, for all units at once:
//! normalisations compare a criterion's values across the units of the period.

use super::maths;
use crate::exact;
use crate::framework::{Aggregation, Better, Criterion, Framework, Method, Normalisation, NotApplicable, Rule};
use crate::number::{Points, RoundingScope};
use crate::period::{Answer, Submission};
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NodeScore {
    /// Exact points (rounded only where the framework rounds each criterion). A z-score
    /// (a criterion marked `unbounded`) is not points and may be negative.
    pub points: Decimal,
    /// `false` when the criterion was excluded for this unit (not applicable).
    pub applicable: bool,
}

/// The best ratio among all units for each relative-to-best criterion.
pub fn best_ratios(framework: &Framework, submissions: &[&Submission]) -> Vec<Option<Decimal>> {
    framework
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if c.rule != Some(Rule::RelativeToBest) {
                return None;
            }
            submissions
                .iter()
                .filter_map(|s| match s.answer(i) {
                    Some(Answer::Ratio(r)) if !r.denominator.is_zero() => Some(r.numerator / r.denominator),
                    _ => None,
                })
                .max()
        })
        .collect()
}

enum Leaf {
    Points(Decimal),
    NotApplicable,
}

#[inline(always)]
fn leaf_points(rule: &Rule, max: Decimal, answer: Option<&Answer>, best: Option<Decimal>) -> Leaf {
    let ratio_of = |n: Decimal, d: Decimal| if d.is_zero() { None } else { Some(n / d) };
    let p = match (rule, answer) {
        // An indicator without a value is left out of the comparison, like "not applicable".
        (Rule::Indicator, None) => return Leaf::NotApplicable,
        (_, None) => Decimal::ZERO,
        (_, Some(Answer::NotApplicable)) => return Leaf::NotApplicable,
        (Rule::Direct, Some(Answer::Points(p))) => *p,
        (Rule::YesNo, Some(Answer::YesNo(yes))) => {
            if *yes {
                max
            } else {
                Decimal::ZERO
            }
        }
        (Rule::Ratio, Some(Answer::Ratio(r))) => match ratio_of(r.numerator, r.denominator) {
            Some(r) => r * max,
            None => return Leaf::NotApplicable,
        },
        (Rule::RelativeToBest, Some(Answer::Ratio(r))) => match (ratio_of(r.numerator, r.denominator), best) {
            (None, _) => return Leaf::NotApplicable,
            (Some(r), Some(b)) if !b.is_zero() => r / b * max,
            _ => Decimal::ZERO,
        },
        (Rule::Steps { steps }, Some(Answer::Figure(v))) => {
            steps.iter().rev().find(|s| *v >= s.min).map_or(Decimal::ZERO, |s| s.points)
        }
        (Rule::Count { per_item }, Some(Answer::Figure(n))) => n * per_item,
        (Rule::Scale { answers }, Some(Answer::Choice(label))) => answers
            .iter()
            .find(|a| a.label.eq_ignore_ascii_case(label))
            .map_or(Decimal::ZERO, |a| a.percent * max / Decimal::ONE_HUNDRED),
        (Rule::Indicator, Some(Answer::Figure(v))) => *v,
        // Submission::set rejects mismatched answers; a stray one scores nothing.
        _ => Decimal::ZERO,
    };
    Leaf::Points(p)
}

/// Exact points of every criterion and the total of each unit, in the order given.
/// Normalisations and relative-to-best criteria compare the units given, and only them.
pub fn score_units(framework: &Framework, submissions: &[&Submission]) -> Vec<(Vec<NodeScore>, Decimal)> {
    let best = best_ratios(framework, submissions);
    score_with(framework, submissions, &best)
}

/// Exact points of every criterion for one unit, and its total; `best` comes from
/// [`best_ratios`] over the period. A framework that normalises across units needs
/// [`score_units`]: here the unit would be compared with itself alone.
pub fn score_submission(
    framework: &Framework,
    sub: &Submission,
    best: &[Option<Decimal>],
) -> (Vec<NodeScore>, Decimal) {
    score_with(framework, &[sub], best).pop().expect("one unit in, one out")
}

/// Scores units one at a time, for a framework where no unit's points depend on the
/// others' (no normalisation, no relative-to-best criterion): what [`score_units`] gives
/// each unit, without holding every unit's answers at once (a national period's answers
/// are read, scored and dropped row by row).
pub struct UnitScorer<'a> {
    framework: &'a Framework,
    /// Each group's (and the total's) applicable maximum when no child is excluded.
    full: Vec<Decimal>,
    roots_full: Decimal,
    /// No best ratios: no criterion is relative to the best.
    best: Vec<Option<Decimal>>,
    /// Per criterion, a direct leaf's maximum as a 64-bit mantissa and its scale, and the
    /// largest scale its points keep unrounded: typed points within those are its points.
    direct: Vec<Option<(u64, u32, u32)>>,
    /// Per criterion, for a group that adds up its children and whose children's maxima add
    /// up to its own: the largest scale its points keep unrounded.
    sums: Vec<Option<u32>>,
    /// No answers: what a group's points are scored against (a group has none).
    none: Submission,
}

impl<'a> UnitScorer<'a> {
    /// `None` when some criterion compares the units (a normalisation, relative to the best).
    pub fn new(framework: &'a Framework) -> Option<UnitScorer<'a>> {
        if framework.normalises() || framework.criteria.iter().any(|c| c.rule == Some(Rule::RelativeToBest)) {
            return None;
        }
        let (full, roots_full) = full_maxima(framework);
        let per_criterion = framework.rounding.scope == RoundingScope::Criterion;
        let direct = framework
            .criteria
            .iter()
            .map(|c| {
                let max = c.max.unpack();
                let unrounded = if per_criterion && !c.unbounded { framework.rounding.decimals } else { u32::MAX };
                (c.rule == Some(Rule::Direct) && !max.negative && max.hi == 0)
                    .then(|| ((u64::from(max.mid) << 32) | u64::from(max.lo), max.scale, unrounded))
            })
            .collect();
        let sums = framework
            .criteria
            .iter()
            .zip(&full)
            .map(|(c, full)| {
                let unrounded = if per_criterion && !c.unbounded { framework.rounding.decimals } else { u32::MAX };
                (c.rule.is_none()
                    && c.aggregation == Aggregation::Sum
                    && !c.unbounded
                    && c.normalise.is_none()
                    && !c.children.is_empty()
                    && !full.is_zero()
                    && exact::cmp(full, &c.max).is_eq())
                .then_some(unrounded)
            })
            .collect();
        let none = Submission::new(framework);
        Some(UnitScorer { framework, full, roots_full, best: vec![None; framework.criteria.len()], direct, sums, none })
    }

    /// Exact points of every criterion of one unit, and its total: [`fill_row`]'s row, typed
    /// points of direct leaves (a national table's every cell) taken as they are when they
    /// are within the maximum and need no rounding, as `fill_row` would leave them.
    pub fn score(&self, sub: &Submission) -> (Vec<NodeScore>, Decimal) {
        let mut row = self.blank();
        for (i, direct) in self.direct.iter().enumerate().rev() {
            if let (Some(max), Some(Answer::Points(p))) = (direct, sub.answer(i))
                && direct_within(*p, *max)
            {
                row[i] = NodeScore { points: *p, applicable: true };
                continue;
            }
            row[i] = self.node(i, sub, &row);
        }
        let total = total_of(self.framework, &row, self.roots_full);
        (row, total)
    }

    /// A row for points given leaf by leaf, when every leaf of the framework is direct.
    pub fn direct_row(&self) -> Option<DirectRow<'_>> {
        let leaves = self.framework.criteria.iter().zip(&self.direct).filter(|(c, _)| c.rule.is_some());
        let mut missing = 0;
        for (_, direct) in leaves {
            direct.as_ref()?;
            missing += 1;
        }
        if missing == 0 {
            return None;
        }
        let given = vec![false; self.direct.len()];
        Some(DirectRow { scorer: self, row: self.blank(), given, leaves: missing, missing })
    }

    fn blank(&self) -> Vec<NodeScore> {
        vec![NodeScore { points: Decimal::ZERO, applicable: true }; self.framework.criteria.len()]
    }

    /// Criterion `i`'s points but a direct leaf's typed points as they are, its children's
    /// already in `row`.
    #[inline(always)]
    fn node(&self, i: usize, sub: &Submission, row: &[NodeScore]) -> NodeScore {
        if let Some(kept) = self.sums[i]
            && let Some(sum) = plain_sum(row, &self.framework.criteria[i].children, kept)
        {
            return NodeScore { points: sum, applicable: true };
        }
        criterion_score(self.framework, i, sub, &self.best, row, self.full[i])
    }
}

/// One unit's row from points given leaf by leaf, without a submission (a national table's
/// cells, read straight into its scores): what [`UnitScorer::score`] gives a submission of
/// the same points, for points each within its leaf's maximum and at a scale it keeps.
/// Anything else is refused, and the row is then scored from its submission.
pub struct DirectRow<'a> {
    scorer: &'a UnitScorer<'a>,
    row: Vec<NodeScore>,
    /// The leaves given so far.
    given: Vec<bool>,
    leaves: usize,
    missing: usize,
}

impl DirectRow<'_> {
    /// Takes `p` as leaf `index`'s points; `false`, taking nothing, when they are not its
    /// points as they are (out of range, to be rounded) or the leaf was given already.
    #[inline]
    pub fn put(&mut self, index: usize, p: Decimal) -> bool {
        let Some(Some(max)) = self.scorer.direct.get(index) else { return false };
        if self.given[index] || !direct_within(p, *max) {
            return false;
        }
        self.given[index] = true;
        self.missing -= 1;
        self.row[index] = NodeScore { points: p, applicable: true };
        true
    }

    /// The row and its total once every leaf is given (else `None`); the next row starts
    /// empty either way.
    pub fn finish(&mut self) -> Option<(Vec<NodeScore>, Decimal)> {
        let complete = self.missing == 0;
        self.given.fill(false);
        self.missing = self.leaves;
        if !complete {
            self.row.fill(NodeScore { points: Decimal::ZERO, applicable: true });
            return None;
        }
        let s = self.scorer;
        let mut row = std::mem::replace(&mut self.row, s.blank());
        // Every leaf is given: the groups, children first.
        for i in (0..row.len()).rev().filter(|&i| s.direct[i].is_none()) {
            row[i] = s.node(i, &s.none, &row);
        }
        let total = total_of(s.framework, &row, s.roots_full);
        Some((row, total))
    }
}

/// The sum of `children`'s points when every child is applicable and all are non-negative
/// 64-bit mantissas at one scale, at most `kept`: what [`aggregate`] gives a group whose
/// children's maxima add up to its own (the exact sum, neither clamped nor rescaled; a sum of
/// zeros is the last zero, at the same scale) and [`finish`] leaves as it is. `None` otherwise.
#[inline(always)]
fn plain_sum(row: &[NodeScore], children: &[usize], kept: u32) -> Option<Decimal> {
    let (&first, rest) = children.split_first()?;
    let small = |s: NodeScore| {
        let u = s.points.unpack();
        (s.applicable && !u.negative && u.hi == 0).then_some(((u64::from(u.mid) << 32) | u64::from(u.lo), u.scale))
    };
    let (mut sum, scale) = small(row[first])?;
    if scale > kept {
        return None;
    }
    for &k in rest {
        let (m, s) = small(row[k])?;
        if s != scale {
            return None;
        }
        sum = sum.checked_add(m)?;
    }
    Some(Decimal::from_parts(sum as u32, (sum >> 32) as u32, 0, false, scale))
}

/// Whether points `p` lie within `0..=max` and keep their scale (`(mantissa, scale, the
/// largest scale kept)` of the maximum): then they are the criterion's points as they are.
#[inline(always)]
fn direct_within(p: Decimal, (max, max_scale, kept): (u64, u32, u32)) -> bool {
    let u = p.unpack();
    if u.negative || u.hi != 0 || u.scale < max_scale || u.scale > kept {
        return false;
    }
    let Some(&scale) = exact::POW10.get((u.scale - max_scale) as usize) else { return false };
    let m = (u64::from(u.mid) << 32) | u64::from(u.lo);
    u128::from(m) <= u128::from(max) * u128::from(scale)
}

/// [`full_max`] of every criterion's children, and of the roots: added up once instead of
/// once per unit.
fn full_maxima(framework: &Framework) -> (Vec<Decimal>, Decimal) {
    let full = framework.criteria.iter().map(|c| full_max(framework, c.aggregation, &c.children)).collect();
    (full, full_max(framework, framework.aggregation, &framework.roots))
}

/// One unit's row, for a framework that does not normalise: criterion after criterion,
/// bottom-up (pre-order puts children after their parent, so walking backwards visits
/// children first).
#[inline]
fn fill_row(
    framework: &Framework,
    sub: &Submission,
    best: &[Option<Decimal>],
    full: &[Decimal],
    row: &mut [NodeScore],
) {
    for (i, full) in full.iter().enumerate().rev() {
        row[i] = criterion_score(framework, i, sub, best, row, *full);
    }
}

/// Criterion `i`'s points in [`fill_row`], its children's already in `row`.
#[inline(always)]
fn criterion_score(
    framework: &Framework,
    i: usize,
    sub: &Submission,
    best: &[Option<Decimal>],
    row: &[NodeScore],
    full: Decimal,
) -> NodeScore {
    let c = framework.criterion(i);
    // Typed points of a direct leaf, the common case, without the general match.
    let score = match (&c.rule, sub.answer(i)) {
        (Some(Rule::Direct), Some(Answer::Points(p))) => {
            NodeScore { points: Points::clamped(*p, c.max).value(), applicable: true }
        }
        _ => node_score(framework, i, sub, best, row, full).0,
    };
    if framework.rounding.scope == RoundingScope::Criterion { finish(framework, c, score) } else { score }
}

/// A criterion's points as kept: rounded where the framework rounds each criterion.
#[inline]
fn finish(framework: &Framework, c: &Criterion, s: NodeScore) -> NodeScore {
    if framework.rounding.scope == RoundingScope::Criterion && !c.unbounded {
        NodeScore { points: framework.rounding.round(s.points), ..s }
    } else {
        s
    }
}

/// The total of a unit's row.
fn total_of(framework: &Framework, row: &[NodeScore], roots_full: Decimal) -> Decimal {
    let total = aggregate(framework, framework.aggregation, framework.max, true, &framework.roots, row, roots_full);
    if framework.rounding.scope == RoundingScope::Criterion {
        framework.rounding.round(total.points)
    } else {
        total.points
    }
}

fn score_with(
    framework: &Framework,
    submissions: &[&Submission],
    best: &[Option<Decimal>],
) -> Vec<(Vec<NodeScore>, Decimal)> {
    let n = framework.criteria.len();
    let (full, roots_full) = full_maxima(framework);
    // One row per unit, one value per criterion, filled bottom-up.
    let mut rows = vec![vec![NodeScore { points: Decimal::ZERO, applicable: true }; n]; submissions.len()];
    if !framework.normalises() {
        // Every unit on its own, criterion after criterion (cache-friendly).
        for (sub, row) in submissions.iter().zip(rows.iter_mut()) {
            fill_row(framework, sub, best, &full, row);
        }
    } else {
        // Criterion after criterion, every unit: a normalisation needs the whole column.
        let mut column = Vec::with_capacity(submissions.len());
        let mut measured = Vec::with_capacity(submissions.len());
        for i in (0..n).rev() {
            let c = framework.criterion(i);
            column.clear();
            measured.clear();
            for (sub, row) in submissions.iter().zip(rows.iter()) {
                let (score, is_measured) = node_score(framework, i, sub, best, row, full[i]);
                column.push(score);
                measured.push(is_measured);
            }
            if let Some(norm) = &c.normalise {
                normalise(norm, c.max, &mut column, &measured);
            }
            for (row, score) in rows.iter_mut().zip(&column) {
                row[i] = finish(framework, c, *score);
            }
        }
    }
    rows.into_iter()
        .map(|row| {
            let total = total_of(framework, &row, roots_full);
            (row, total)
        })
        .collect()
}

/// Criterion `i`'s value for one unit, before normalisation, from its answer (a leaf) or its
/// children's values in `row` (a group); and whether the value takes part in a normalisation
/// (not one given by the not-applicable policy, nor an excluded group).
#[inline(always)]
fn node_score(
    framework: &Framework,
    i: usize,
    sub: &Submission,
    best: &[Option<Decimal>],
    row: &[NodeScore],
    full_max: Decimal,
) -> (NodeScore, bool) {
    let c = framework.criterion(i);
    match &c.rule {
        Some(rule) => match leaf_points(rule, c.max, sub.answer(i), best[i]) {
            Leaf::Points(p) if matches!(rule, Rule::Indicator) => (NodeScore { points: p, applicable: true }, true),
            Leaf::Points(p) => (NodeScore { points: Points::clamped(p, c.max).value(), applicable: true }, true),
            Leaf::NotApplicable => (not_applicable(c), false),
        },
        None => {
            // A normalised group is clamped after its normalisation, not before: its
            // children may be z-scores.
            let bounded = !c.unbounded && c.normalise.is_none();
            let s = aggregate(framework, c.aggregation, c.max, bounded, &c.children, row, full_max);
            (s, s.applicable)
        }
    }
}

/// What the criterion's not-applicable policy gives.
fn not_applicable(c: &Criterion) -> NodeScore {
    match c.not_applicable {
        NotApplicable::FullPoints => NodeScore { points: c.max, applicable: true },
        NotApplicable::Excluded => NodeScore { points: Decimal::ZERO, applicable: false },
        NotApplicable::Zero | NotApplicable::Forbidden => NodeScore { points: Decimal::ZERO, applicable: true },
    }
}

/// The maximum of a plain sum over all of `children`, added up in the order [`aggregate`]
/// adds the applicable ones; unused (zero) for other aggregations.
fn full_max(framework: &Framework, method: Aggregation, children: &[usize]) -> Decimal {
    match method {
        Aggregation::Sum => children.iter().fold(Decimal::ZERO, |a, &k| a + framework.criterion(k).max),
        Aggregation::WeightedSum | Aggregation::WeightedMean | Aggregation::GeometricMean => Decimal::ZERO,
    }
}

/// A parent's points from its applicable children (excluded children leave the sums,
/// means and weights). Sums are scaled up to the parent's maximum when some children
/// were excluded; means need no scaling. `bounded`: clamp into `0..=max`. `full_max`:
/// [`full_max`] of all the children.
#[inline]
fn aggregate(
    framework: &Framework,
    method: Aggregation,
    max: Decimal,
    bounded: bool,
    children: &[usize],
    row: &[NodeScore],
    full_max: Decimal,
) -> NodeScore {
    let parts = || children.iter().map(|&k| (framework.criterion(k), row[k])).filter(|(_, s)| s.applicable);
    let clamp = |p: Decimal| if bounded { Points::clamped(p, max).value() } else { p };
    let excluded = NodeScore { points: Decimal::ZERO, applicable: false };
    let points = match method {
        Aggregation::Sum | Aggregation::WeightedSum => {
            let (sum, applicable_max) = if method == Aggregation::Sum {
                // One pass over the points; the maxima only when some child was excluded.
                let (mut sum, mut all_applicable) = (exact::Sum::default(), true);
                for &k in children {
                    let s = row[k];
                    if s.applicable {
                        sum.add(s.points);
                    } else {
                        all_applicable = false;
                    }
                }
                let applicable_max = if all_applicable { full_max } else { exact::sum(parts().map(|(c, _)| c.max)) };
                (sum.value(), applicable_max)
            } else {
                let (mut sum, mut applicable_max) = (Decimal::ZERO, Decimal::ZERO);
                for (c, s) in parts() {
                    sum += c.weight * s.points;
                    applicable_max += c.weight * c.max;
                }
                (sum, applicable_max)
            };
            if applicable_max.is_zero() {
                return excluded;
            } else if exact::cmp(&applicable_max, &max).is_eq() {
                sum
            } else {
                clamp(sum * max / applicable_max)
            }
        }
        Aggregation::WeightedMean => {
            let (mut weights, mut sum) = (Decimal::ZERO, Decimal::ZERO);
            for (c, s) in parts() {
                weights += c.weight;
                sum += c.weight * s.points;
            }
            if weights.is_zero() {
                return excluded;
            }
            clamp(sum / weights)
        }
        Aggregation::GeometricMean => {
            let parts: Vec<(Decimal, Decimal)> = parts().map(|(c, s)| (c.weight, s.points)).collect();
            match maths::geometric_mean(&parts) {
                Some(g) => clamp(g),
                None => return excluded,
            }
        }
    };
    NodeScore { points, applicable: true }
}

/// Replaces the measured values of one criterion by their normalised values, computed
/// over the measured values of all units. Values set by the not-applicable policy stay.
fn normalise(n: &Normalisation, max: Decimal, column: &mut [NodeScore], measured: &[bool]) {
    let values: Vec<Decimal> = column.iter().zip(measured).filter(|(_, m)| **m).map(|(s, _)| s.points).collect();
    let (Some(&lo), Some(&hi)) = (values.iter().min(), values.iter().max()) else { return };
    let lower = n.better == Better::Lower;
    let share = |s: Decimal| Points::clamped(s, Decimal::ONE).value() * max;
    let f: Box<dyn Fn(Decimal) -> Decimal> = match n.method {
        Method::MinMax => Box::new(move |x| {
            if hi == lo {
                max
            } else if lower {
                share((hi - x) / (hi - lo))
            } else {
                share((x - lo) / (hi - lo))
            }
        }),
        Method::ZScore => {
            let count = Decimal::from(values.len());
            let mean = values.iter().sum::<Decimal>() / count;
            let variance = values.iter().map(|x| (x - mean) * (x - mean)).sum::<Decimal>() / count;
            let sd = maths::sqrt(variance);
            Box::new(move |x| {
                if sd.is_zero() {
                    Decimal::ZERO
                } else if lower {
                    (mean - x) / sd
                } else {
                    (x - mean) / sd
                }
            })
        }
        Method::RatioToTarget => {
            let target = n.target.expect("validated: ratio-to-target has a target > 0");
            Box::new(move |x| if lower { if x <= target { max } else { share(target / x) } } else { share(x / target) })
        }
        Method::RatioToBest => Box::new(move |x| {
            if lower {
                if x <= lo { max } else { share(lo / x) }
            } else if hi <= Decimal::ZERO {
                Decimal::ZERO
            } else {
                share(x / hi)
            }
        }),
    };
    for (s, m) in column.iter_mut().zip(measured) {
        if *m {
            s.points = f(s.points);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_frameworks::{self as t, group, leaf};
    use rust_decimal_macros::dec;

    fn framework(scope: RoundingScope) -> Framework {
        let leaf = |id: &str, max: Decimal, na: NotApplicable| leaf(id, max, na, Rule::Direct);
        t::framework(
            dec!(22),
            scope,
            vec![
                group(
                    "g",
                    dec!(12),
                    vec![
                        leaf("a", dec!(1), NotApplicable::Excluded),
                        leaf("b", dec!(10.50), NotApplicable::FullPoints),
                        leaf("c", dec!(0.5), NotApplicable::Zero),
                    ],
                ),
                leaf("d", dec!(10), NotApplicable::Excluded),
            ],
        )
    }

    #[test]
    fn a_unit_scored_alone_gets_what_all_units_scored_together_get() {
        let values = [
            dec!(0),
            -dec!(0),
            dec!(0.00),
            dec!(0.005),
            dec!(0.004),
            dec!(0.5),
            dec!(0.50),
            dec!(0.51),
            dec!(0.63),
            dec!(1),
            dec!(1.00),
            dec!(1.0000000000000000000001),
            dec!(1.01),
            dec!(-0.01),
            dec!(10.5),
            dec!(10.50000),
            dec!(10.505),
            dec!(10.51),
            Decimal::MAX,
            Decimal::from_parts(u32::MAX, u32::MAX, 0, false, 19),
        ];
        let answers = values
            .iter()
            .map(|v| Some(Answer::Points(*v)))
            .chain([Some(Answer::NotApplicable), None])
            .collect::<Vec<_>>();
        // Groups whose children are all at one scale (added as integers), or nearly.
        let p = |v: Decimal| Some(Answer::Points(v));
        let rows = [
            [p(dec!(0.63)), p(dec!(10.50)), p(dec!(0.50)), p(dec!(9.99))],
            [p(dec!(0.00)), p(dec!(0.00)), p(dec!(0.00)), p(dec!(0.00))],
            [p(dec!(1.00)), p(dec!(0.00)), p(dec!(0.25)), p(dec!(10.00))],
            [p(dec!(1.000)), p(dec!(10.500)), p(dec!(0.005)), p(dec!(0.005))],
            [p(dec!(1)), p(dec!(10)), p(dec!(0)), p(dec!(10))],
            [p(dec!(0.63)), p(dec!(10.5)), p(dec!(0.50)), p(dec!(1))],
            [p(dec!(0.63)), Some(Answer::NotApplicable), p(dec!(0.50)), p(dec!(1))],
            [p(dec!(0.63)), None, p(dec!(0.50)), p(dec!(1))],
            [p(-dec!(0.00)), p(dec!(0.00)), p(dec!(0.00)), p(dec!(0.00))],
            [p(Decimal::from_parts(u32::MAX, u32::MAX, 0, false, 19)), p(dec!(1)), p(dec!(0.1)), p(dec!(0))],
        ];
        for scope in [RoundingScope::Criterion, RoundingScope::Total] {
            let fw = framework(scope);
            let scorer = UnitScorer::new(&fw).unwrap();
            for (k, a) in answers.iter().enumerate() {
                // Each answer in each leaf, the others' taken in turn from the list.
                let row: Vec<Option<Answer>> = (0..fw.criteria.len())
                    .map(|i| if fw.criteria[i].is_leaf() { answers[(k + i) % answers.len()].clone() } else { None })
                    .collect();
                let sub = Submission::unchecked(row);
                let (one, total) = scorer.score(&sub);
                let (all, all_total) = score_units(&fw, &[&sub]).pop().unwrap();
                let bits = |s: &[NodeScore]| s.iter().map(|s| (s.points.serialize(), s.applicable)).collect::<Vec<_>>();
                assert_eq!(bits(&one), bits(&all), "{a:?} ({scope:?})");
                assert_eq!(total.serialize(), all_total.serialize(), "{a:?} ({scope:?})");
            }
            for leaves in &rows {
                let mut leaves = leaves.iter().cloned();
                let row = fw.criteria.iter().map(|c| if c.is_leaf() { leaves.next().unwrap() } else { None }).collect();
                let sub = Submission::unchecked(row);
                let (one, total) = scorer.score(&sub);
                let (all, all_total) = score_units(&fw, &[&sub]).pop().unwrap();
                let bits = |s: &[NodeScore]| s.iter().map(|s| (s.points.serialize(), s.applicable)).collect::<Vec<_>>();
                assert_eq!(bits(&one), bits(&all), "{sub:?} ({scope:?})");
                assert_eq!(total.serialize(), all_total.serialize(), "{sub:?} ({scope:?})");
            }
        }
    }

    #[test]
    fn points_given_leaf_by_leaf_score_as_a_submission_of_them() {
        let values = [
            dec!(0),
            dec!(0.00),
            dec!(0.5),
            dec!(0.50),
            dec!(0.63),
            dec!(1),
            dec!(1.00),
            dec!(0.005),
            dec!(1.01),
            dec!(10.5),
            dec!(10.50),
            dec!(10.505),
            dec!(9.99),
            -dec!(0.5),
            Decimal::MAX,
        ];
        let bits = |s: &[NodeScore]| s.iter().map(|s| (s.points.serialize(), s.applicable)).collect::<Vec<_>>();
        let (mut straight, mut refused) = (0, 0);
        for scope in [RoundingScope::Criterion, RoundingScope::Total] {
            let fw = framework(scope);
            let scorer = UnitScorer::new(&fw).unwrap();
            let mut direct = scorer.direct_row().unwrap();
            let leaves: Vec<usize> = (0..fw.criteria.len()).filter(|&i| fw.criteria[i].is_leaf()).collect();
            for k in 0..values.len().pow(2) {
                // Each pair of values in the first two leaves, the others' in turn.
                let points: Vec<Decimal> = (0..leaves.len())
                    .map(|j| values[[k % values.len(), k / values.len(), k, k + j][j] % values.len()])
                    .collect();
                let taken = leaves.iter().zip(&points).all(|(&i, &p)| direct.put(i, p));
                let given = direct.finish();
                let mut row = vec![None; fw.criteria.len()];
                for (&i, &p) in leaves.iter().zip(&points) {
                    row[i] = Some(Answer::Points(p));
                }
                let sub = Submission::unchecked(row);
                let (expected, expected_total) = scorer.score(&sub);
                match given {
                    Some((row, total)) => {
                        assert!(taken);
                        assert_eq!(bits(&row), bits(&expected), "{points:?} ({scope:?})");
                        assert_eq!(total.serialize(), expected_total.serialize(), "{points:?} ({scope:?})");
                        straight += 1;
                    }
                    None => {
                        assert!(!taken, "{points:?}");
                        // Refused only what is not a leaf's points as they are.
                        assert!(
                            points.iter().zip(&leaves).any(|(p, &i)| {
                                p.is_sign_negative()
                                    || *p > fw.criteria[i].max
                                    || p.scale() > 2 && scope == RoundingScope::Criterion
                                    || p.scale() < fw.criteria[i].max.scale()
                            }),
                            "{points:?}"
                        );
                        refused += 1;
                    }
                }
            }
            // A leaf given twice, or one not given: no row, and the next row starts clean.
            assert!(direct.put(leaves[0], dec!(1)));
            assert!(!direct.put(leaves[0], dec!(0.5)));
            assert!(direct.finish().is_none());
            assert!(direct.put(leaves[0], dec!(1)));
            assert!(direct.finish().is_none());
            for &i in &leaves {
                assert!(direct.put(i, dec!(0.00)));
            }
            assert_eq!(direct.finish().unwrap().1, Decimal::ZERO);
        }
        assert!(straight > 0 && refused > 0, "{straight} {refused}");
    }
}

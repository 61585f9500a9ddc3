//! From answers to exact points, leaf by leaf and up the tree.

use crate::framework::{Framework, NotApplicable, Rule};
use crate::number::{Points, RoundingScope};
use crate::period::{Answer, Submission};
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NodeScore {
    /// Exact points (rounded only where the framework rounds each criterion).
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
                    Some(Answer::Ratio { numerator, denominator }) if !denominator.is_zero() => {
                        Some(numerator / denominator)
                    }
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

fn leaf_points(rule: &Rule, max: Decimal, answer: Option<&Answer>, best: Option<Decimal>) -> Leaf {
    let ratio_of = |n: Decimal, d: Decimal| if d.is_zero() { None } else { Some(n / d) };
    let p = match (rule, answer) {
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
        (Rule::Ratio, Some(Answer::Ratio { numerator, denominator })) => match ratio_of(*numerator, *denominator) {
            Some(r) => r * max,
            None => return Leaf::NotApplicable,
        },
        (Rule::RelativeToBest, Some(Answer::Ratio { numerator, denominator })) => {
            match (ratio_of(*numerator, *denominator), best) {
                (None, _) => return Leaf::NotApplicable,
                (Some(r), Some(b)) if !b.is_zero() => r / b * max,
                _ => Decimal::ZERO,
            }
        }
        (Rule::Steps { steps }, Some(Answer::Figure(v))) => {
            steps.iter().rev().find(|s| *v >= s.min).map_or(Decimal::ZERO, |s| s.points)
        }
        (Rule::Count { per_item }, Some(Answer::Figure(n))) => n * per_item,
        (Rule::Scale { answers }, Some(Answer::Choice(label))) => answers
            .iter()
            .find(|a| a.label.eq_ignore_ascii_case(label))
            .map_or(Decimal::ZERO, |a| a.percent * max / Decimal::ONE_HUNDRED),
        // Submission::set rejects mismatched answers; a stray one scores nothing.
        _ => Decimal::ZERO,
    };
    Leaf::Points(p)
}

/// Exact points of every criterion for one unit, and its total.
pub fn score_submission(
    framework: &Framework,
    sub: &Submission,
    best: &[Option<Decimal>],
) -> (Vec<NodeScore>, Decimal) {
    let n = framework.criteria.len();
    let mut out = vec![NodeScore { points: Decimal::ZERO, applicable: true }; n];
    let per_criterion = framework.rounding.scope == RoundingScope::Criterion;
    // Pre-order: children come after their parent, so walk backwards.
    for i in (0..n).rev() {
        let c = framework.criterion(i);
        let score = match &c.rule {
            Some(rule) => match leaf_points(rule, c.max, sub.answer(i), best[i]) {
                Leaf::Points(p) => NodeScore { points: Points::clamped(p, c.max).value(), applicable: true },
                Leaf::NotApplicable => match c.not_applicable {
                    NotApplicable::FullPoints => NodeScore { points: c.max, applicable: true },
                    NotApplicable::Excluded => NodeScore { points: Decimal::ZERO, applicable: false },
                    NotApplicable::Zero | NotApplicable::Forbidden => {
                        NodeScore { points: Decimal::ZERO, applicable: true }
                    }
                },
            },
            None => aggregate(c.max, c.children.iter().map(|&k| (framework.criterion(k).max, out[k]))),
        };
        out[i] =
            if per_criterion { NodeScore { points: framework.rounding.round(score.points), ..score } } else { score };
    }
    let total = aggregate(framework.max, framework.roots.iter().map(|&k| (framework.criterion(k).max, out[k])));
    let total = if per_criterion { framework.rounding.round(total.points) } else { total.points };
    (out, total)
}

/// A parent's points: the sum of its applicable children, scaled up to the parent's
/// maximum when some children were excluded as not applicable.
fn aggregate(max: Decimal, children: impl Iterator<Item = (Decimal, NodeScore)>) -> NodeScore {
    let (mut sum, mut applicable_max) = (Decimal::ZERO, Decimal::ZERO);
    for (child_max, s) in children {
        if s.applicable {
            sum += s.points;
            applicable_max += child_max;
        }
    }
    if applicable_max.is_zero() {
        NodeScore { points: Decimal::ZERO, applicable: false }
    } else if applicable_max == max {
        NodeScore { points: sum, applicable: true }
    } else {
        NodeScore { points: Points::clamped(sum * max / applicable_max, max).value(), applicable: true }
    }
}

//! From points to figures: which answers a unit would change so that a group gains the
//! points a plan asks of it ("+3 procedures online out of 60 → +0,3 points"). Every
//! candidate is scored by the engine itself ([`score_submission`]), so rounding,
//! step tables, caps and not-applicable rescaling are exactly the framework's.

use crate::engine::{NodeScore, score_submission};
use crate::framework::{CriterionId, Framework, Rule};
use crate::period::{Answer, Submission};
use rust_decimal::Decimal;
use serde::Serialize;

/// One answer a unit would change, and what it brings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureChange {
    pub criterion: CriterionId,
    /// The leaf's rule (`ratio`, `count`, `steps`, `yes-no`, `scale`, `direct`, …).
    pub rule: &'static str,
    pub from: Option<Answer>,
    pub to: Answer,
    /// The leaf's points before and after (exact, as scored).
    pub points_from: Decimal,
    pub points_to: Decimal,
}

/// The better answers a leaf can take, from the smallest change (index 1) to the best
/// (index `len`).
enum Ladder {
    Direct { from: Decimal, max: Decimal, quantum: Decimal, len: u64 },
    Ratio { numerator: Decimal, denominator: Decimal, len: u64 },
    Count { from: Decimal, len: u64 },
    Choices(Vec<Answer>),
}

impl Ladder {
    fn len(&self) -> u64 {
        match self {
            Ladder::Direct { len, .. } | Ladder::Ratio { len, .. } | Ladder::Count { len, .. } => *len,
            Ladder::Choices(c) => c.len() as u64,
        }
    }

    fn at(&self, i: u64) -> Answer {
        let d = Decimal::from(i);
        match self {
            Ladder::Direct { from, max, quantum, .. } => Answer::Points((*from + d * quantum).min(*max)),
            Ladder::Ratio { numerator, denominator, .. } => {
                Answer::Ratio { numerator: (*numerator + d).min(*denominator), denominator: *denominator }
            }
            Ladder::Count { from, .. } => Answer::Figure(*from + d),
            Ladder::Choices(c) => c[i as usize - 1].clone(),
        }
    }
}

fn ceil_u64(d: Decimal) -> u64 {
    rust_decimal::prelude::ToPrimitive::to_u64(&d.ceil()).unwrap_or(0)
}

/// The ladder of a leaf given its current answer; `None` when the unit cannot improve it
/// by its own figures (declared not applicable, a ratio without a denominator, a raw
/// indicator compared across units).
fn ladder(fw: &Framework, leaf: usize, answer: Option<&Answer>, quantum: Decimal) -> Option<Ladder> {
    let c = fw.criterion(leaf);
    let rule = c.rule.as_ref()?;
    if c.normalise.is_some() || matches!(answer, Some(Answer::NotApplicable)) {
        return None;
    }
    let ladder = match (rule, answer) {
        (Rule::Direct, a) => {
            let from = match a {
                Some(Answer::Points(p)) => *p,
                _ => Decimal::ZERO,
            };
            Ladder::Direct { from, max: c.max, quantum, len: ceil_u64((c.max - from) / quantum) }
        }
        (Rule::Ratio | Rule::RelativeToBest, Some(Answer::Ratio { numerator, denominator })) => {
            if denominator.is_zero() {
                return None;
            }
            Ladder::Ratio { numerator: *numerator, denominator: *denominator, len: ceil_u64(denominator - numerator) }
        }
        (Rule::Count { per_item }, a) => {
            let from = match a {
                Some(Answer::Figure(n)) => *n,
                _ => Decimal::ZERO,
            };
            let enough = (c.max / per_item).ceil();
            Ladder::Count { from, len: ceil_u64(enough - from) }
        }
        (Rule::Steps { steps }, a) => {
            let v = match a {
                Some(Answer::Figure(v)) => Some(*v),
                _ => None,
            };
            let now = v.and_then(|v| steps.iter().rev().find(|s| v >= s.min)).map_or(Decimal::ZERO, |s| s.points);
            let mut best = now;
            let mut choices = Vec::new();
            for s in steps {
                if s.points > best && v.is_none_or(|v| s.min > v) {
                    best = s.points;
                    choices.push(Answer::Figure(s.min));
                }
            }
            Ladder::Choices(choices)
        }
        (Rule::YesNo, Some(Answer::YesNo(true))) => Ladder::Choices(vec![]),
        (Rule::YesNo, _) => Ladder::Choices(vec![Answer::YesNo(true)]),
        (Rule::Scale { answers }, a) => {
            let now = match a {
                Some(Answer::Choice(label)) => {
                    answers.iter().find(|x| x.label.eq_ignore_ascii_case(label)).map_or(Decimal::ZERO, |x| x.percent)
                }
                _ => Decimal::ZERO,
            };
            let mut better: Vec<_> = answers.iter().filter(|x| x.percent > now).collect();
            better.sort_by_key(|x| x.percent);
            better.dedup_by_key(|x| x.percent);
            Ladder::Choices(better.into_iter().map(|x| Answer::Choice(x.label.clone())).collect())
        }
        _ => return None,
    };
    (ladder.len() > 0).then_some(ladder)
}

/// Scores one unit's submission; `best` holds the period's best ratios.
pub(crate) struct Scorer<'a> {
    pub fw: &'a Framework,
    pub best: &'a [Option<Decimal>],
    /// Points steps of direct answers (10^-decimals).
    pub quantum: Decimal,
}

impl Scorer<'_> {
    pub fn score(&self, sub: &Submission) -> Vec<NodeScore> {
        score_submission(self.fw, sub, self.best).0
    }

    /// The leaves of the subtree of `root` (pre-order: the root and the following
    /// criteria deeper than it).
    fn leaves_under(&self, root: usize) -> Vec<usize> {
        let depth = self.fw.criterion(root).depth;
        let end = (root + 1..self.fw.criteria.len())
            .find(|&i| self.fw.criterion(i).depth <= depth)
            .unwrap_or(self.fw.criteria.len());
        (root..end).filter(|&i| self.fw.criterion(i).is_leaf()).collect()
    }

    fn with(&self, sub: &Submission, leaf: usize, answer: Answer) -> Option<Submission> {
        let mut s = sub.clone();
        s.set(self.fw, leaf, answer).ok()?;
        Some(s)
    }

    /// The points `root` reaches when every leaf under it takes its best answer.
    pub fn best_root(&self, sub: &Submission, root: usize) -> Decimal {
        let mut s = sub.clone();
        for leaf in self.leaves_under(root) {
            if let Some(l) = ladder(self.fw, leaf, s.answer(leaf), self.quantum) {
                // `set` checks before it changes anything: a refused answer leaves `s` as it was.
                let _ = s.set(self.fw, leaf, l.at(l.len()));
            }
        }
        self.score(&s)[root].points
    }

    /// The answers to change so that `root` gains at least `need` points. Leaves are taken
    /// in the order of `prefer` (most preferred first): the first leaf that can close what
    /// is missing on its own gets the smallest change that does; otherwise the most
    /// preferred leaf goes to its best answer and the search goes on. What a leaf can give
    /// on its own is measured once, from the unit's answers; every change is then scored.
    /// Returns the changes and the points the root gains (≥ `need` unless the leaves
    /// cannot give it).
    pub fn figures(
        &self,
        sub: &Submission,
        root: usize,
        need: Decimal,
        prefer: &[usize],
    ) -> (Vec<FigureChange>, Decimal) {
        let mut scores = self.score(sub);
        let base = scores[root].points;
        let under = self.leaves_under(root);
        let mut leaves: Vec<(usize, Decimal)> = prefer
            .iter()
            .copied()
            .filter(|l| under.contains(l))
            .filter_map(|leaf| {
                let l = ladder(self.fw, leaf, sub.answer(leaf), self.quantum)?;
                let best = self.with(sub, leaf, l.at(l.len()))?;
                Some((leaf, self.score(&best)[root].points - base))
            })
            .collect();
        let mut current = sub.clone();
        let mut changes = Vec::new();
        while scores[root].points - base < need && !leaves.is_empty() {
            let missing = need - (scores[root].points - base);
            let alone = leaves.iter().position(|&(_, gain)| gain >= missing);
            let (leaf, _) = leaves.remove(alone.unwrap_or(0));
            let Some(l) = ladder(self.fw, leaf, current.answer(leaf), self.quantum) else { continue };
            let reaches =
                |i: u64| self.with(&current, leaf, l.at(i)).is_some_and(|s| self.score(&s)[root].points - base >= need);
            let index = if alone.is_some() && reaches(l.len()) {
                let (mut lo, mut hi) = (1, l.len());
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if reaches(mid) { hi = mid } else { lo = mid + 1 }
                }
                lo
            } else {
                l.len()
            };
            let answer = l.at(index);
            let Some(next) = self.with(&current, leaf, answer.clone()) else { continue };
            let next_scores = self.score(&next);
            changes.push(FigureChange {
                criterion: self.fw.criterion(leaf).id.clone(),
                rule: self.fw.criterion(leaf).rule.as_ref().map_or("", Rule::name),
                from: current.answer(leaf).cloned(),
                to: answer,
                points_from: scores[leaf].points,
                points_to: next_scores[leaf].points,
            });
            current = next;
            scores = next_scores;
        }
        (changes, scores[root].points - base)
    }
}

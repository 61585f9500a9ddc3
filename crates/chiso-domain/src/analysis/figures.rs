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
                Answer::ratio((*numerator + d).min(*denominator), *denominator)
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
        (Rule::Ratio | Rule::RelativeToBest, Some(Answer::Ratio(r))) => {
            let (numerator, denominator) = (&r.numerator, &r.denominator);
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
            Ladder::Choices(better.into_iter().map(|x| Answer::Choice(x.label.as_str().into())).collect())
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
    /// Per top-level group (in `fw.roots` order), its criteria as a framework of their own.
    subtrees: Vec<Subtree>,
}

/// The criteria of one top-level group as a framework of their own (the group its only
/// root), with the period's best ratios of those criteria. Where nothing is normalised
/// across units, a criterion's points depend only on the answers under it: the engine
/// scoring this small framework gives the group and everything under it exactly the
/// points it gives them in the whole framework, for a fraction of the work (a plan
/// scores a group's answers many times over).
struct Subtree {
    /// Index of the group in the whole framework; criterion `i` here is `start + i` there.
    start: usize,
    fw: Framework,
    best: Vec<Option<Decimal>>,
}

impl Subtree {
    fn new(fw: &Framework, best: &[Option<Decimal>], root: usize) -> Subtree {
        let end = subtree_end(fw, root);
        let local = |i: usize| i - root;
        let mut sub = fw.clone();
        sub.criteria = fw.criteria[root..end]
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c.parent = c.parent.filter(|&p| p >= root).map(local);
                c.children = c.children.iter().map(|&k| local(k)).collect();
                c
            })
            .collect();
        sub.roots = vec![0];
        sub.aggregation = crate::framework::Aggregation::Sum;
        sub.max = fw.criterion(root).max;
        Subtree { start: root, fw: sub, best: best[root..end].to_vec() }
    }

    /// The unit's answers under the group; `None` if one of them does not fit (never for a
    /// submission checked against the whole framework: the criteria are the same).
    fn project(&self, sub: &Submission) -> Option<Submission> {
        let mut local = Submission::new(&self.fw);
        for i in 0..self.fw.criteria.len() {
            if let Some(a) = sub.answer(self.start + i) {
                local.set(&self.fw, i, a.clone()).ok()?;
            }
        }
        Some(local)
    }
}

/// One past the last criterion of the subtree of `root` (pre-order: the root and the
/// following criteria deeper than it).
fn subtree_end(fw: &Framework, root: usize) -> usize {
    let depth = fw.criterion(root).depth;
    (root + 1..fw.criteria.len()).find(|&i| fw.criterion(i).depth <= depth).unwrap_or(fw.criteria.len())
}

/// What `figures` and `best_root` score: a group's subtree, or the whole framework.
struct View<'a> {
    fw: &'a Framework,
    best: &'a [Option<Decimal>],
    /// Index in the whole framework of this view's criterion 0.
    start: usize,
}

impl View<'_> {
    fn score(&self, sub: &Submission) -> Vec<NodeScore> {
        score_submission(self.fw, sub, self.best).0
    }

    fn with(&self, sub: &Submission, leaf: usize, answer: Answer) -> Option<Submission> {
        let mut s = sub.clone();
        s.set(self.fw, leaf - self.start, answer).ok()?;
        Some(s)
    }

    fn answer<'s>(&self, sub: &'s Submission, leaf: usize) -> Option<&'s Answer> {
        sub.answer(leaf - self.start)
    }

    /// Points of criterion `i` (an index in the whole framework).
    fn points(&self, scores: &[NodeScore], i: usize) -> Decimal {
        scores[i - self.start].points
    }
}

impl<'a> Scorer<'a> {
    pub fn new(fw: &'a Framework, best: &'a [Option<Decimal>], quantum: Decimal) -> Scorer<'a> {
        let subtrees =
            if fw.normalises() { Vec::new() } else { fw.roots.iter().map(|&r| Subtree::new(fw, best, r)).collect() };
        Scorer { fw, best, quantum, subtrees }
    }

    pub fn score(&self, sub: &Submission) -> Vec<NodeScore> {
        score_submission(self.fw, sub, self.best).0
    }

    /// The view that scores `root` and the unit's answers in it: the group's own subtree
    /// where there is one, else the whole framework.
    fn view<'s>(&'s self, sub: &'s Submission, root: usize) -> (View<'s>, std::borrow::Cow<'s, Submission>) {
        let whole = || (View { fw: self.fw, best: self.best, start: 0 }, std::borrow::Cow::Borrowed(sub));
        let Some(t) = self.subtrees.iter().find(|t| t.start == root) else { return whole() };
        match t.project(sub) {
            Some(local) => (View { fw: &t.fw, best: &t.best, start: t.start }, std::borrow::Cow::Owned(local)),
            None => whole(),
        }
    }

    /// The leaves of the subtree of `root`.
    fn leaves_under(&self, root: usize) -> Vec<usize> {
        (root..subtree_end(self.fw, root)).filter(|&i| self.fw.criterion(i).is_leaf()).collect()
    }

    /// The points `root` reaches when every leaf under it takes its best answer.
    pub fn best_root(&self, sub: &Submission, root: usize) -> Decimal {
        let (view, local) = self.view(sub, root);
        let mut s = local.into_owned();
        for leaf in self.leaves_under(root) {
            if let Some(l) = ladder(self.fw, leaf, view.answer(&s, leaf), self.quantum) {
                // `set` checks before it changes anything: a refused answer leaves `s` as it was.
                let _ = s.set(view.fw, leaf - view.start, l.at(l.len()));
            }
        }
        view.points(&view.score(&s), root)
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
        let (view, sub) = self.view(sub, root);
        let sub: &Submission = &sub;
        let mut scores = view.score(sub);
        let base = view.points(&scores, root);
        let under = self.leaves_under(root);
        let mut leaves: Vec<(usize, Decimal)> = prefer
            .iter()
            .copied()
            .filter(|l| under.contains(l))
            .filter_map(|leaf| {
                let l = ladder(self.fw, leaf, view.answer(sub, leaf), self.quantum)?;
                let best = view.with(sub, leaf, l.at(l.len()))?;
                Some((leaf, view.points(&view.score(&best), root) - base))
            })
            .collect();
        let mut current = sub.clone();
        let mut changes = Vec::new();
        while view.points(&scores, root) - base < need && !leaves.is_empty() {
            let missing = need - (view.points(&scores, root) - base);
            let alone = leaves.iter().position(|&(_, gain)| gain >= missing);
            let (leaf, _) = leaves.remove(alone.unwrap_or(0));
            let Some(l) = ladder(self.fw, leaf, view.answer(&current, leaf), self.quantum) else { continue };
            let reaches = |i: u64| {
                view.with(&current, leaf, l.at(i)).is_some_and(|s| view.points(&view.score(&s), root) - base >= need)
            };
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
            let Some(next) = view.with(&current, leaf, answer.clone()) else { continue };
            let next_scores = view.score(&next);
            changes.push(FigureChange {
                criterion: self.fw.criterion(leaf).id.clone(),
                rule: self.fw.criterion(leaf).rule.as_ref().map_or("", Rule::name),
                from: view.answer(&current, leaf).cloned(),
                to: answer,
                points_from: view.points(&scores, leaf),
                points_to: view.points(&next_scores, leaf),
            });
            current = next;
            scores = next_scores;
        }
        (changes, view.points(&scores, root) - base)
    }
}

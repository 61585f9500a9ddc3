//! What a unit formed by a reorganisation is compared with, as declared in the data:
//! one predecessor that carries on (`continues`), the predecessors' figures combined by
//! a stated rule (`combined`), or nothing (`none`: a new unit). A merger or split whose
//! successor has no declaration is not compared at all: no rank change is computed
//! across a reorganisation without a declared method.

use crate::unit::{Lineage, LineageKind, UnitId};
use rust_decimal::Decimal;
use serde::Serialize;

/// How predecessors' figures are combined into one previous figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum CombineRule {
    /// The mean of the predecessors' points (every criterion and the total).
    Mean,
    /// Σ weight × points ÷ Σ weight; `weights` in the order of `from`, `basis` says what
    /// they are ("biên chế được giao năm 2024").
    WeightedMean { weights: Vec<Decimal>, basis: String },
}

/// The declared comparison of one successor.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "compare", rename_all = "snake_case")]
pub enum Declared {
    /// The figures of `from` are this unit's previous figures.
    Continues { from: UnitId },
    /// The figures of `from`, combined by `rule`, are this unit's previous figures.
    Combined { from: Vec<UnitId>, rule: CombineRule },
    /// A new unit: no previous figures.
    None,
}

/// A declaration for one unit of a lineage event's `into`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Successor {
    pub unit: UnitId,
    pub compare: Declared,
}

/// What is wrong with a lineage event's declarations.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LineageProblem {
    #[error("{unit:?} is declared but is not one of the units the change produced (`into`)")]
    NotASuccessor { unit: String },
    #[error("{unit:?} is compared with {from:?}, which is not one of the units changed (`from`)")]
    NotAPredecessor { unit: String, from: String },
    #[error("{unit:?} has two declared comparisons")]
    TwiceDeclared { unit: String },
    #[error("{unit:?}: a combined comparison needs at least one predecessor")]
    NothingCombined { unit: String },
    #[error("{unit:?}: {weights} weights for {units} predecessors")]
    WeightCount { unit: String, weights: usize, units: usize },
    #[error("{unit:?}: weight {weight} must be positive")]
    BadWeight { unit: String, weight: Decimal },
    #[error("{unit:?}: a weighted mean needs `weights_basis`, what the weights are (staff, population…)")]
    NoWeightBasis { unit: String },
    #[error("{unit:?}: `continues` and an explicit comparison disagree")]
    Conflicting { unit: String },
    /// `compare = …` on the event itself applies to its one successor.
    #[error(
        "`compare` on the change applies to one successor, and {count} units are produced: declare each in [[lineage.successor]]"
    )]
    SeveralSuccessors { unit: String, count: usize },
    #[error(
        "{unit:?}: `compare = \"continues\"` needs the predecessor that carries on (`continues = …` or `from = …`)"
    )]
    ContinuesWhom { unit: String },
    #[error("{unit:?}: `weights` only go with `combine = \"weighted-mean\"`")]
    WeightsWithoutWeightedMean { unit: String },
}

impl LineageProblem {
    /// The unit the problem is about.
    pub fn unit(&self) -> &str {
        match self {
            LineageProblem::NotASuccessor { unit }
            | LineageProblem::NotAPredecessor { unit, .. }
            | LineageProblem::TwiceDeclared { unit }
            | LineageProblem::NothingCombined { unit }
            | LineageProblem::WeightCount { unit, .. }
            | LineageProblem::BadWeight { unit, .. }
            | LineageProblem::NoWeightBasis { unit }
            | LineageProblem::Conflicting { unit }
            | LineageProblem::SeveralSuccessors { unit, .. }
            | LineageProblem::ContinuesWhom { unit }
            | LineageProblem::WeightsWithoutWeightedMean { unit } => unit,
        }
    }
}

impl Lineage {
    /// The comparison declared for `unit` (one of `into`): an explicit declaration, else
    /// `continues`, else for a rename of one unit into one its predecessor. `None`: nothing
    /// declared, so no comparison.
    pub fn declared(&self, unit: &UnitId) -> Option<Declared> {
        if let Some(s) = self.successors.iter().find(|s| &s.unit == unit) {
            return Some(s.compare.clone());
        }
        if !self.into.contains(unit) {
            return None;
        }
        if let Some(from) = &self.continues {
            return Some(Declared::Continues { from: from.clone() });
        }
        match (self.kind, &self.from[..], &self.into[..]) {
            (LineageKind::Renamed, [from], [_]) => Some(Declared::Continues { from: from.clone() }),
            _ => None,
        }
    }

    /// Checks the declarations against the event's units.
    pub fn problems(&self) -> Vec<LineageProblem> {
        let mut out = Vec::new();
        for (k, s) in self.successors.iter().enumerate() {
            let unit = s.unit.0.clone();
            if !self.into.contains(&s.unit) {
                out.push(LineageProblem::NotASuccessor { unit: unit.clone() });
            }
            if self.successors[..k].iter().any(|o| o.unit == s.unit) {
                out.push(LineageProblem::TwiceDeclared { unit: unit.clone() });
            }
            if let Some(c) = &self.continues
                && self.into.len() == 1
                && s.compare != (Declared::Continues { from: c.clone() })
            {
                out.push(LineageProblem::Conflicting { unit: unit.clone() });
            }
            let predecessors: Vec<&UnitId> = match &s.compare {
                Declared::Continues { from } => vec![from],
                Declared::Combined { from, .. } => from.iter().collect(),
                Declared::None => vec![],
            };
            for p in predecessors {
                if !self.from.contains(p) {
                    out.push(LineageProblem::NotAPredecessor { unit: unit.clone(), from: p.0.clone() });
                }
            }
            if let Declared::Combined { from, rule } = &s.compare {
                if from.is_empty() {
                    out.push(LineageProblem::NothingCombined { unit: unit.clone() });
                }
                if let CombineRule::WeightedMean { weights, basis } = rule {
                    if weights.len() != from.len() {
                        out.push(LineageProblem::WeightCount {
                            unit: unit.clone(),
                            weights: weights.len(),
                            units: from.len(),
                        });
                    }
                    for w in weights.iter().filter(|w| **w <= Decimal::ZERO) {
                        out.push(LineageProblem::BadWeight { unit: unit.clone(), weight: *w });
                    }
                    if basis.trim().is_empty() {
                        out.push(LineageProblem::NoWeightBasis { unit: unit.clone() });
                    }
                }
            }
        }
        if let Some(c) = &self.continues
            && !self.from.contains(c)
        {
            let unit = self.into.first().map_or_else(String::new, |u| u.0.clone());
            out.push(LineageProblem::NotAPredecessor { unit, from: c.0.clone() });
        }
        out
    }
}

/// `Σ weight × value ÷ Σ weight` (weights 1 for a mean), exact to `rust_decimal`'s 28
/// digits; the caller rounds by the framework's rule.
pub fn combine(rule: &CombineRule, values: &[Decimal]) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    match rule {
        CombineRule::Mean => {
            let sum: Decimal = values.iter().sum();
            sum.checked_div(Decimal::from(values.len()))
        }
        CombineRule::WeightedMean { weights, .. } => {
            if weights.len() != values.len() {
                return None;
            }
            let total: Decimal = weights.iter().sum();
            let sum = weights
                .iter()
                .zip(values)
                .try_fold(Decimal::ZERO, |acc, (w, v)| acc.checked_add(w.checked_mul(*v)?))?;
            sum.checked_div(total)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn id(s: &str) -> UnitId {
        UnitId(s.into())
    }

    fn merger(successors: Vec<Successor>) -> Lineage {
        Lineage {
            year: 2025,
            kind: LineageKind::Merged,
            from: vec![id("a"), id("b")],
            into: vec![id("c")],
            continues: None,
            successors,
        }
    }

    #[test]
    fn means_are_exact_and_weighted_by_the_stated_weights() {
        assert_eq!(combine(&CombineRule::Mean, &[dec!(40.1), dec!(39.8)]), Some(dec!(39.95)));
        let w = CombineRule::WeightedMean { weights: vec![dec!(30), dec!(10)], basis: "staff".into() };
        assert_eq!(combine(&w, &[dec!(40), dec!(20)]), Some(dec!(35)));
        assert_eq!(combine(&CombineRule::Mean, &[]), None);
        let third = combine(&CombineRule::Mean, &[dec!(1), dec!(1), dec!(2)]).unwrap();
        assert_eq!(third.round_dp(4), dec!(1.3333));
    }

    #[test]
    fn an_undeclared_merger_has_no_comparison_a_rename_continues() {
        assert_eq!(merger(vec![]).declared(&id("c")), None);
        let mut rename = merger(vec![]);
        (rename.kind, rename.from) = (LineageKind::Renamed, vec![id("a")]);
        assert_eq!(rename.declared(&id("c")), Some(Declared::Continues { from: id("a") }));
        let combined = Declared::Combined { from: vec![id("a"), id("b")], rule: CombineRule::Mean };
        let l = merger(vec![Successor { unit: id("c"), compare: combined.clone() }]);
        assert_eq!(l.declared(&id("c")), Some(combined));
        assert!(l.problems().is_empty());
    }

    #[test]
    fn declarations_must_fit_the_event() {
        let weighted = |weights: Vec<Decimal>, basis: &str| Declared::Combined {
            from: vec![id("a"), id("x")],
            rule: CombineRule::WeightedMean { weights, basis: basis.into() },
        };
        let l = merger(vec![
            Successor { unit: id("c"), compare: weighted(vec![dec!(1)], "") },
            Successor { unit: id("c"), compare: Declared::None },
            Successor { unit: id("z"), compare: weighted(vec![dec!(0), dec!(2)], "staff") },
        ]);
        let p = l.problems();
        assert!(p.contains(&LineageProblem::NotAPredecessor { unit: "c".into(), from: "x".into() }), "{p:?}");
        assert!(p.contains(&LineageProblem::WeightCount { unit: "c".into(), weights: 1, units: 2 }));
        assert!(p.contains(&LineageProblem::NoWeightBasis { unit: "c".into() }));
        assert!(p.contains(&LineageProblem::TwiceDeclared { unit: "c".into() }));
        assert!(p.contains(&LineageProblem::NotASuccessor { unit: "z".into() }));
        assert!(p.contains(&LineageProblem::BadWeight { unit: "z".into(), weight: dec!(0) }));
    }
}

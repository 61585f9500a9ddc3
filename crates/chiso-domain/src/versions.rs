//! Framework versions: a framework may declare the version it replaces and how each of
//! its criteria maps to that version's (same, renamed, re-weighted, new; the rest removed).
//! Year over year, a criterion's points are compared only where the criterion is the
//! same (or only renamed); a re-weighted, new or removed criterion is said to be not
//! comparable.

use crate::framework::Framework;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How a criterion of the new version relates to the previous version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Same criterion, same maximum.
    Same,
    /// Same criterion and maximum under another id or name.
    Renamed,
    /// Same subject, another maximum or weight: points are not comparable.
    Reweighted,
    /// No counterpart in the previous version.
    New,
}

/// One declared correspondence: `id` (this version) ← `previous` (defaults to `id`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionChange {
    pub id: String,
    pub change: Change,
    pub previous: Option<String>,
}

/// The version a framework replaces, as declared in its file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviousVersion {
    /// The previous framework's id.
    pub id: String,
    /// Declared correspondences; a criterion not listed maps to the previous criterion
    /// with its id (same if the maxima are equal, re-weighted if not), else is new.
    pub criteria: Vec<CriterionChange>,
    /// Previous criteria dropped (declared, so that nothing disappears silently).
    pub removed: Vec<String>,
}

/// A criterion of the current framework against the previous period's framework.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Correspondence {
    pub change: Change,
    /// Index in the previous framework.
    pub previous: Option<usize>,
}

impl Correspondence {
    /// The previous criterion whose points can be compared with this one's.
    pub fn comparable(&self) -> Option<usize> {
        match self.change {
            Change::Same | Change::Renamed => self.previous,
            _ => None,
        }
    }
}

/// The framework changed between the two periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkChange {
    pub previous: String,
    pub previous_name: String,
    /// Whether the current framework declares the previous one as its previous version
    /// (otherwise criteria are matched by id only).
    pub declared: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapping {
    /// Per criterion of the current framework (its order).
    pub criteria: Vec<Correspondence>,
    /// Criteria of the previous framework without a successor.
    pub removed: Vec<usize>,
    pub framework_change: Option<FrameworkChange>,
}

impl Mapping {
    /// Whether criterion `index` (current framework) can be compared year over year.
    pub fn comparable(&self, index: usize) -> Option<usize> {
        self.criteria.get(index).and_then(Correspondence::comparable)
    }
}

/// How the criteria of `framework` correspond to those of `previous`.
pub fn mapping(framework: &Framework, previous: &Framework) -> Mapping {
    if framework.id == previous.id {
        return Mapping {
            criteria: (0..framework.criteria.len())
                .map(|i| Correspondence { change: Change::Same, previous: Some(i) })
                .collect(),
            removed: vec![],
            framework_change: None,
        };
    }
    let declared = framework.previous_version.as_ref().filter(|p| p.id == previous.id);
    let criteria: Vec<Correspondence> = framework
        .criteria
        .iter()
        .map(|c| {
            let entry = declared.and_then(|d| d.criteria.iter().find(|e| e.id == c.id.0));
            match entry {
                Some(e) => Correspondence {
                    change: e.change,
                    previous: match e.change {
                        Change::New => None,
                        _ => previous.index_of(e.previous.as_deref().unwrap_or(&c.id.0)),
                    },
                },
                None => match previous.index_of(&c.id.0) {
                    Some(j) if previous.criterion(j).max == c.max => {
                        Correspondence { change: Change::Same, previous: Some(j) }
                    }
                    Some(j) => Correspondence { change: Change::Reweighted, previous: Some(j) },
                    None => Correspondence { change: Change::New, previous: None },
                },
            }
        })
        .collect();
    let removed = (0..previous.criteria.len()).filter(|j| !criteria.iter().any(|c| c.previous == Some(*j))).collect();
    Mapping {
        criteria,
        removed,
        framework_change: Some(FrameworkChange {
            previous: previous.id.clone(),
            previous_name: previous.name.clone(),
            declared: declared.is_some(),
        }),
    }
}

/// What is wrong with a framework's declaration of its previous version.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VersionProblem {
    #[error("{id:?} is not a criterion of this framework")]
    UnknownCriterion { id: String },
    #[error("{id:?}: the previous version has no criterion {previous:?}")]
    UnknownPrevious { id: String, previous: String },
    #[error("{id:?} is declared {change:?} but its maximum changed from {then} to {now}: declare it re-weighted")]
    MaxChanged { id: String, change: Change, then: Decimal, now: Decimal },
    #[error("{id:?} is declared renamed without naming its previous criterion (`previous`)")]
    RenamedWithoutPrevious { id: String },
    #[error("{id:?} is declared twice")]
    Twice { id: String },
    #[error("{id:?} is declared removed but is not a criterion of the previous version")]
    UnknownRemoved { id: String },
    #[error("{id:?} is declared removed but a criterion of this version continues it")]
    RemovedButMapped { id: String },
    #[error("the previous version's criterion {id:?} has no successor and is not declared removed")]
    SilentlyRemoved { id: String },
}

impl VersionProblem {
    /// The criterion id the problem is about (to locate it in the file).
    pub fn criterion(&self) -> &str {
        match self {
            VersionProblem::UnknownCriterion { id }
            | VersionProblem::UnknownPrevious { id, .. }
            | VersionProblem::MaxChanged { id, .. }
            | VersionProblem::RenamedWithoutPrevious { id }
            | VersionProblem::Twice { id }
            | VersionProblem::UnknownRemoved { id }
            | VersionProblem::RemovedButMapped { id }
            | VersionProblem::SilentlyRemoved { id } => id,
        }
    }
}

/// Checks `framework`'s declared previous version against `previous` (its id must match).
pub fn check(framework: &Framework, previous: &Framework) -> Vec<VersionProblem> {
    let Some(declared) = framework.previous_version.as_ref().filter(|p| p.id == previous.id) else {
        return vec![];
    };
    let mut out = Vec::new();
    for (k, e) in declared.criteria.iter().enumerate() {
        if declared.criteria[..k].iter().any(|o| o.id == e.id) {
            out.push(VersionProblem::Twice { id: e.id.clone() });
        }
        let Some(i) = framework.index_of(&e.id) else {
            out.push(VersionProblem::UnknownCriterion { id: e.id.clone() });
            continue;
        };
        if e.change == Change::Renamed && e.previous.is_none() {
            out.push(VersionProblem::RenamedWithoutPrevious { id: e.id.clone() });
            continue;
        }
        if e.change == Change::New {
            continue;
        }
        let prev_id = e.previous.as_deref().unwrap_or(&e.id);
        match previous.index_of(prev_id) {
            None => out.push(VersionProblem::UnknownPrevious { id: e.id.clone(), previous: prev_id.to_string() }),
            Some(j) => {
                let (then, now) = (previous.criterion(j).max, framework.criterion(i).max);
                if matches!(e.change, Change::Same | Change::Renamed) && then != now {
                    out.push(VersionProblem::MaxChanged { id: e.id.clone(), change: e.change, then, now });
                }
            }
        }
    }
    let m = mapping(framework, previous);
    for r in &declared.removed {
        match previous.index_of(r) {
            None => out.push(VersionProblem::UnknownRemoved { id: r.clone() }),
            Some(j) if !m.removed.contains(&j) => out.push(VersionProblem::RemovedButMapped { id: r.clone() }),
            Some(_) => {}
        }
    }
    for &j in &m.removed {
        let id = &previous.criterion(j).id.0;
        if !declared.removed.contains(id) {
            out.push(VersionProblem::SilentlyRemoved { id: id.clone() });
        }
    }
    out
}

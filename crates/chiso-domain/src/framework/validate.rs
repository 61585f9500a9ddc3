//! Turns a [`FrameworkSpec`] into a [`Framework`], collecting every problem at once.

use super::{Criterion, CriterionId, CriterionSpec, Framework, FrameworkSpec, Level, Rule};
use crate::number::Rounding;
use rust_decimal::Decimal;
use std::collections::HashSet;

/// A framework problem. `criterion` names the node it concerns, so a loader can
/// point at the line that declared it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FrameworkError {
    #[error("framework has no criteria")]
    NoCriteria,
    #[error("criterion id {0:?} is used twice")]
    DuplicateId(String),
    #[error("criterion id {0:?} must be letters, digits, '-' or '_'")]
    BadId(String),
    #[error("criterion {criterion}: maximum {max} must be greater than 0")]
    NonPositiveMax { criterion: String, max: Decimal },
    #[error("criterion {criterion}: maximum {max} differs from the sum of its children's maxima {sum}")]
    ParentMaxMismatch { criterion: String, max: Decimal, sum: Decimal },
    #[error("framework maximum {max} differs from the sum of its top-level criteria {sum}")]
    TotalMaxMismatch { max: Decimal, sum: Decimal },
    #[error("criterion {criterion}: a criterion has either a rule or children, not both")]
    RuleAndChildren { criterion: String },
    #[error("criterion {criterion}: a leaf criterion needs a rule")]
    MissingRule { criterion: String },
    #[error("criterion {criterion}: {problem}")]
    BadRule { criterion: String, problem: String },
    #[error("level {name:?}: minimum {min} is not below the previous level's {previous}")]
    LevelsNotDescending { name: String, min: Decimal, previous: Decimal },
    #[error("level {name:?}: minimum {min} is outside 0..{max}")]
    LevelOutOfRange { name: String, min: Decimal, max: Decimal },
    #[error("years: first year {from} is after last year {to}")]
    BadYears { from: i32, to: i32 },
    #[error("decimals {0} is more than 10")]
    TooManyDecimals(u32),
}

impl FrameworkError {
    /// The criterion the problem concerns, if any.
    pub fn criterion(&self) -> Option<&str> {
        use FrameworkError::*;
        match self {
            DuplicateId(c) | BadId(c) => Some(c),
            NonPositiveMax { criterion, .. }
            | ParentMaxMismatch { criterion, .. }
            | RuleAndChildren { criterion }
            | MissingRule { criterion }
            | BadRule { criterion, .. } => Some(criterion),
            _ => None,
        }
    }
}

pub(super) fn build(spec: FrameworkSpec) -> Result<Framework, Vec<FrameworkError>> {
    let mut errors = Vec::new();
    if spec.criteria.is_empty() {
        errors.push(FrameworkError::NoCriteria);
    }
    if let (from, Some(to)) = spec.years
        && from > to
    {
        errors.push(FrameworkError::BadYears { from, to });
    }
    if spec.decimals > 10 || spec.percent_decimals.unwrap_or(0) > 10 {
        errors.push(FrameworkError::TooManyDecimals(spec.decimals.max(spec.percent_decimals.unwrap_or(0))));
    }

    let mut criteria = Vec::new();
    let mut seen = HashSet::new();
    let mut roots = Vec::new();
    for c in &spec.criteria {
        roots.push(flatten(c, None, 0, &mut criteria, &mut seen, &mut errors));
    }
    let sum: Decimal = roots.iter().map(|&i| criteria[i].max).sum();
    if !spec.criteria.is_empty() && sum != spec.max {
        errors.push(FrameworkError::TotalMaxMismatch { max: spec.max, sum });
    }

    let mut levels: Vec<Level> = Vec::new();
    for l in &spec.levels {
        if l.min < Decimal::ZERO || l.min > spec.max {
            errors.push(FrameworkError::LevelOutOfRange { name: l.name.clone(), min: l.min, max: spec.max });
        }
        if let Some(prev) = levels.last()
            && l.min >= prev.min
        {
            errors.push(FrameworkError::LevelsNotDescending { name: l.name.clone(), min: l.min, previous: prev.min });
        }
        levels.push(Level { name: l.name.clone(), min: l.min });
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    let mut framework = Framework {
        id: spec.id,
        name: spec.name,
        legal_basis: spec.legal_basis,
        unit_kind: spec.unit_kind,
        years: spec.years,
        max: spec.max,
        criteria,
        roots,
        levels,
        rounding: Rounding {
            decimals: spec.decimals,
            mode: spec.rounding_mode,
            scope: spec.rounding_scope,
            percent_decimals: spec.percent_decimals.unwrap_or(spec.decimals),
        },
        ties: spec.ties,
        groups: spec.groups,
        index: Default::default(),
    };
    framework.set_index();
    Ok(framework)
}

fn flatten(
    spec: &CriterionSpec,
    parent: Option<usize>,
    depth: usize,
    out: &mut Vec<Criterion>,
    seen: &mut HashSet<String>,
    errors: &mut Vec<FrameworkError>,
) -> usize {
    let id = spec.id.clone();
    if !seen.insert(id.clone()) {
        errors.push(FrameworkError::DuplicateId(id.clone()));
    }
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        errors.push(FrameworkError::BadId(id.clone()));
    }
    if spec.max <= Decimal::ZERO {
        errors.push(FrameworkError::NonPositiveMax { criterion: id.clone(), max: spec.max });
    }
    match (&spec.rule, spec.children.is_empty()) {
        (Some(_), false) => errors.push(FrameworkError::RuleAndChildren { criterion: id.clone() }),
        (None, true) => errors.push(FrameworkError::MissingRule { criterion: id.clone() }),
        (Some(rule), true) => {
            if let Err(problem) = check_rule(rule, spec.max) {
                errors.push(FrameworkError::BadRule { criterion: id.clone(), problem });
            }
        }
        (None, false) => {}
    }

    let index = out.len();
    out.push(Criterion {
        id: CriterionId(id.clone()),
        name: spec.name.clone(),
        short_name: spec.short_name.clone(),
        aliases: spec.aliases.clone(),
        max: spec.max,
        not_applicable: spec.not_applicable,
        parent,
        children: Vec::new(),
        depth,
        rule: if spec.children.is_empty() { spec.rule.clone() } else { None },
    });
    let children: Vec<usize> =
        spec.children.iter().map(|c| flatten(c, Some(index), depth + 1, out, seen, errors)).collect();
    if !children.is_empty() {
        let sum: Decimal = children.iter().map(|&i| out[i].max).sum();
        if sum != spec.max {
            errors.push(FrameworkError::ParentMaxMismatch { criterion: id, max: spec.max, sum });
        }
    }
    out[index].children = children;
    index
}

fn check_rule(rule: &Rule, max: Decimal) -> Result<(), String> {
    match rule {
        Rule::Steps { steps } => {
            if steps.is_empty() {
                return Err("a step table needs at least one step".into());
            }
            for pair in steps.windows(2) {
                if pair[1].min <= pair[0].min {
                    return Err(format!("step thresholds must ascend: {} then {}", pair[0].min, pair[1].min));
                }
            }
            if let Some(s) = steps.iter().find(|s| s.points < Decimal::ZERO || s.points > max) {
                return Err(format!("step points {} are outside 0..{max}", s.points));
            }
        }
        Rule::Count { per_item } if *per_item <= Decimal::ZERO => {
            return Err(format!("points per item {per_item} must be greater than 0"));
        }
        Rule::Scale { answers } => {
            if answers.is_empty() {
                return Err("an answer scale needs at least one answer".into());
            }
            let mut labels = HashSet::new();
            for a in answers {
                if a.percent < Decimal::ZERO || a.percent > Decimal::ONE_HUNDRED {
                    return Err(format!("answer {:?}: {} % is outside 0..100", a.label, a.percent));
                }
                if !labels.insert(a.label.to_lowercase()) {
                    return Err(format!("answer {:?} appears twice", a.label));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

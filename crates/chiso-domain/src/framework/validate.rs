//! Turns a [`FrameworkSpec`] and its [`MethodsSpec`] into a [`Framework`], collecting
//! every problem at once.

use super::{
    Aggregation, Criterion, CriterionId, CriterionMethods, CriterionSpec, Framework, FrameworkSpec, Level, Method,
    MethodsSpec, NotApplicable, Rule,
};
use crate::number::Rounding;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

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
    #[error("index methods name criterion {0:?}, which the framework does not have")]
    UnknownCriterion(String),
    #[error("criterion {criterion}: a leaf has no children to aggregate or weigh")]
    AggregationOnLeaf { criterion: String },
    #[error("criterion {criterion}: a weight counts only where the parent weighs its children, and it adds them up")]
    WeightNotUsed { criterion: String },
    #[error("criterion {criterion}: the parent's weighted aggregation needs a weight here")]
    MissingWeight { criterion: String },
    #[error("criterion {criterion}: weight {weight} is negative")]
    NegativeWeight { criterion: String, weight: Decimal },
    #[error("{}: the weights add up to {sum}, not to the declared {declared}", place(.group))]
    WeightsSumMismatch { group: Option<String>, declared: Decimal, sum: Decimal },
    #[error("{}: the weights add up to 0", place(.group))]
    ZeroWeights { group: Option<String> },
    #[error("{}: maximum {max} differs from the weighted sum of the children's maxima {sum}", place(.group))]
    WeightedMaxMismatch { group: Option<String>, max: Decimal, sum: Decimal },
    #[error(
        "{}: a {aggregation} keeps its children's scale, but {child}'s maximum is {child_max}, not {max}",
        place(.group)
    )]
    MeanScaleMismatch {
        group: Option<String>,
        aggregation: &'static str,
        max: Decimal,
        child: String,
        child_max: Decimal,
    },
    #[error("criterion {criterion}: an indicator is a raw figure; it needs a normalisation")]
    IndicatorWithoutNormalisation { criterion: String },
    #[error("criterion {criterion}: ratio-to-target needs a target greater than 0")]
    BadTarget { criterion: String },
    #[error("criterion {criterion}: only ratio-to-target takes a target")]
    UnusedTarget { criterion: String },
    #[error(
        "criterion {criterion}: z-scores are unbounded; the parent must add or average them (no geometric mean, \
         no ratio) and an ancestor must rescale them with min-max"
    )]
    UnboundedNotRescaled { criterion: String },
    #[error("criterion {criterion}: a z-score has no full points to give when not applicable")]
    UnboundedFullPoints { criterion: String },
}

fn place(group: &Option<String>) -> String {
    match group {
        Some(c) => format!("criterion {c}"),
        None => "the total".into(),
    }
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
            | BadRule { criterion, .. }
            | AggregationOnLeaf { criterion }
            | WeightNotUsed { criterion }
            | MissingWeight { criterion }
            | NegativeWeight { criterion, .. }
            | IndicatorWithoutNormalisation { criterion }
            | BadTarget { criterion }
            | UnusedTarget { criterion }
            | UnboundedNotRescaled { criterion }
            | UnboundedFullPoints { criterion } => Some(criterion),
            UnknownCriterion(c) => Some(c),
            WeightsSumMismatch { group, .. }
            | ZeroWeights { group }
            | WeightedMaxMismatch { group, .. }
            | MeanScaleMismatch { group, .. } => group.as_deref(),
            _ => None,
        }
    }
}

type Options<'a> = HashMap<&'a str, &'a CriterionMethods>;

pub(super) fn build(spec: FrameworkSpec, methods: MethodsSpec) -> Result<Framework, Vec<FrameworkError>> {
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
    if let Some(index) = methods.index
        && index.decimals > 10
    {
        errors.push(FrameworkError::TooManyDecimals(index.decimals));
    }

    let mut options: Options = HashMap::new();
    for m in &methods.criteria {
        if options.insert(m.id.as_str(), m).is_some() {
            errors.push(FrameworkError::DuplicateId(m.id.clone()));
        }
    }
    let mut criteria = Vec::new();
    let mut seen = HashSet::new();
    let mut roots = Vec::new();
    for c in &spec.criteria {
        roots.push(flatten(c, None, 0, &mut criteria, &mut seen, &options, &mut errors));
    }
    if !spec.criteria.is_empty() {
        let node =
            Node { group: None, max: spec.max, aggregation: methods.aggregation, weights_sum: methods.weights_sum };
        check_children(&node, &roots, &mut criteria, &options, &mut errors);
    }
    for m in &methods.criteria {
        if !seen.contains(&m.id) {
            errors.push(FrameworkError::UnknownCriterion(m.id.clone()));
        }
    }
    check_unbounded(&mut criteria, &mut errors);

    let total_max = if methods.index.is_some() { Decimal::ONE } else { spec.max };
    let mut levels: Vec<Level> = Vec::new();
    for l in &spec.levels {
        if l.min < Decimal::ZERO || l.min > total_max {
            errors.push(FrameworkError::LevelOutOfRange { name: l.name.clone(), min: l.min, max: total_max });
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
        name_en: None,
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
        aggregation: methods.aggregation,
        index: methods.index,
        previous_version: None,
        by_id: Default::default(),
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
    options: &Options,
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
    let own = options.get(id.as_str()).copied().cloned().unwrap_or_default();
    if spec.children.is_empty() && (own.aggregation != Aggregation::Sum || own.weights_sum.is_some()) {
        errors.push(FrameworkError::AggregationOnLeaf { criterion: id.clone() });
    }
    if spec.children.is_empty() && spec.rule == Some(Rule::Indicator) && own.normalise.is_none() {
        errors.push(FrameworkError::IndicatorWithoutNormalisation { criterion: id.clone() });
    }
    if let Some(n) = own.normalise {
        match (n.method, n.target) {
            (Method::RatioToTarget, Some(t)) if t > Decimal::ZERO => {}
            (Method::RatioToTarget, _) => errors.push(FrameworkError::BadTarget { criterion: id.clone() }),
            (_, Some(_)) => errors.push(FrameworkError::UnusedTarget { criterion: id.clone() }),
            (_, None) => {}
        }
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
        aggregation: if spec.children.is_empty() { Aggregation::Sum } else { own.aggregation },
        weight: Decimal::ONE,
        normalise: own.normalise,
        unbounded: false,
        guidance: super::Guidance::default(),
        english: super::English::default(),
    });
    let children: Vec<usize> =
        spec.children.iter().map(|c| flatten(c, Some(index), depth + 1, out, seen, options, errors)).collect();
    if !children.is_empty() {
        let node = Node { group: Some(id), max: spec.max, aggregation: own.aggregation, weights_sum: own.weights_sum };
        check_children(&node, &children, out, options, errors);
    }
    out[index].children = children;
    index
}

/// A group, or the total (`group: None`), whose children are checked together.
struct Node {
    group: Option<String>,
    max: Decimal,
    aggregation: Aggregation,
    weights_sum: Option<Decimal>,
}

/// Maxima and weights of a group's children, by its aggregation; sets their weights.
fn check_children(
    node: &Node,
    children: &[usize],
    out: &mut [Criterion],
    options: &Options,
    errors: &mut Vec<FrameworkError>,
) {
    let declared: Vec<Option<Decimal>> =
        children.iter().map(|&k| options.get(out[k].id.0.as_str()).and_then(|m| m.weight)).collect();
    let child_id = |k: usize| out[k].id.0.clone();
    for (&k, w) in children.iter().zip(&declared) {
        if let Some(w) = *w
            && w < Decimal::ZERO
        {
            errors.push(FrameworkError::NegativeWeight { criterion: child_id(k), weight: w });
        }
    }
    let missing = |errors: &mut Vec<FrameworkError>| {
        for (&k, w) in children.iter().zip(&declared) {
            if w.is_none() {
                errors.push(FrameworkError::MissingWeight { criterion: child_id(k) });
            }
        }
    };
    let all_declared = declared.iter().all(Option::is_some);
    let weights: Decimal = declared.iter().flatten().sum();
    match node.aggregation {
        Aggregation::Sum => {
            for (&k, w) in children.iter().zip(&declared) {
                if w.is_some() {
                    errors.push(FrameworkError::WeightNotUsed { criterion: child_id(k) });
                }
            }
            let sum: Decimal = children.iter().map(|&k| out[k].max).sum();
            if sum != node.max {
                errors.push(match &node.group {
                    Some(c) => FrameworkError::ParentMaxMismatch { criterion: c.clone(), max: node.max, sum },
                    None => FrameworkError::TotalMaxMismatch { max: node.max, sum },
                });
            }
        }
        Aggregation::WeightedSum => {
            missing(errors);
            let sum: Decimal = children.iter().zip(&declared).map(|(&k, w)| w.unwrap_or_default() * out[k].max).sum();
            if all_declared && sum != node.max {
                errors.push(FrameworkError::WeightedMaxMismatch { group: node.group.clone(), max: node.max, sum });
            }
        }
        Aggregation::WeightedMean | Aggregation::GeometricMean => {
            if declared.iter().any(Option::is_some) {
                missing(errors);
                if all_declared && weights.is_zero() {
                    errors.push(FrameworkError::ZeroWeights { group: node.group.clone() });
                }
            }
            for &k in children {
                if out[k].max != node.max {
                    errors.push(FrameworkError::MeanScaleMismatch {
                        group: node.group.clone(),
                        aggregation: node.aggregation.name(),
                        max: node.max,
                        child: child_id(k),
                        child_max: out[k].max,
                    });
                }
            }
        }
    }
    if let Some(expected) = node.weights_sum
        && weights != expected
    {
        errors.push(FrameworkError::WeightsSumMismatch { group: node.group.clone(), declared: expected, sum: weights });
    }
    for (&k, w) in children.iter().zip(&declared) {
        out[k].weight = w.unwrap_or(Decimal::ONE);
    }
}

/// Marks the criteria whose values are z-scores (or combine them) and checks that
/// each is combined affinely and rescaled by a min-max ancestor before the total.
fn check_unbounded(criteria: &mut [Criterion], errors: &mut Vec<FrameworkError>) {
    for i in (0..criteria.len()).rev() {
        let c = &criteria[i];
        criteria[i].unbounded = match c.normalise.map(|n| n.method) {
            Some(Method::ZScore) => true,
            Some(_) => false,
            None => c.children.iter().any(|&k| criteria[k].unbounded),
        };
    }
    for c in criteria.iter().filter(|c| c.unbounded) {
        let rescaled = c.parent.is_some_and(|p| {
            let p = &criteria[p];
            p.aggregation != Aggregation::GeometricMean
                && !matches!(p.normalise.map(|n| n.method), Some(Method::RatioToTarget | Method::RatioToBest))
        });
        if !rescaled {
            errors.push(FrameworkError::UnboundedNotRescaled { criterion: c.id.0.clone() });
        }
        if c.is_leaf() && c.not_applicable == NotApplicable::FullPoints {
            errors.push(FrameworkError::UnboundedFullPoints { criterion: c.id.0.clone() });
        }
    }
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

//! A framework (bộ tiêu chí): identity, the criteria tree, levels, rounding, ties,
//! and the index methods (aggregation, weights, normalisation, index scale).
//! Built from a plain [`FrameworkSpec`] (and [`MethodsSpec`]) and validated once; a
//! `Framework` value is always consistent (parents' maxima add up, weights are valid,
//! levels descend, rules fit their max).

mod method;
mod rule;
mod spec;
mod validate;

pub use method::{Aggregation, Better, CriterionMethods, Index, Method, MethodsSpec, Normalisation};
pub use rule::{NotApplicable, Rule, ScaleAnswer, Step};
pub use spec::{CriterionSpec, FrameworkSpec, LevelSpec};
pub use validate::FrameworkError;

use crate::number::{Rounding, RoundingScope};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CriterionId(pub String);

impl std::fmt::Display for CriterionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether levels and ties are judged on the presented (rounded) total or the exact one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TieBasis {
    #[default]
    Rounded,
    Exact,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Level {
    pub name: String,
    /// Minimum total, compared with ≥.
    pub min: Decimal,
}

/// A node of the criteria tree, stored flat in pre-order (parents before children).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    pub id: CriterionId,
    pub name: String,
    pub short_name: Option<String>,
    pub aliases: Vec<String>,
    pub max: Decimal,
    pub not_applicable: NotApplicable,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub depth: usize,
    /// `None` for a group; groups combine their children by `aggregation`.
    pub rule: Option<Rule>,
    /// How a group combines its children (sum by default).
    pub aggregation: Aggregation,
    /// Weight in the parent's (or the total's) aggregation; 1 where none is declared.
    pub weight: Decimal,
    /// Normalisation of this criterion's values across the units of the period.
    pub normalise: Option<Normalisation>,
    /// The values are z-scores (or combine them) until an ancestor rescales them with
    /// min-max: not points within 0..max, not clamped, not rounded.
    pub unbounded: bool,
    /// What the criterion covers and how to report it, for the people who fill the form
    /// (set by [`Framework::with_guidance`]; none by default).
    #[serde(skip_serializing_if = "Guidance::is_empty")]
    pub guidance: Guidance,
    /// Its names in English, where the framework gives them (set by
    /// [`Framework::with_english`]; none by default: English pages show the names as written).
    #[serde(skip_serializing_if = "English::is_empty")]
    pub english: English,
}

/// A criterion's names in English, as the framework gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct English {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
}

impl English {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.short_name.is_none()
    }
}

/// The words a framework gives its reporters about one criterion, as the province wrote
/// them: none changes a score.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Guidance {
    /// What the criterion covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How to assess it and fill it in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    /// What evidence is required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

impl Guidance {
    pub fn is_empty(&self) -> bool {
        self.description.is_none() && self.guidance.is_none() && self.evidence.is_none()
    }
}

impl Criterion {
    pub fn is_leaf(&self) -> bool {
        self.rule.is_some()
    }

    /// The name printed in table headers.
    pub fn label(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }

    /// The name in a language: the English one where the framework gives it, else the name
    /// as written.
    pub fn name_in(&self, lang: crate::Lang) -> &str {
        match (lang, &self.english.name) {
            (crate::Lang::En, Some(name)) => name,
            _ => &self.name,
        }
    }

    /// The table header's name in a language: in English, the English short name, else the
    /// English name (a Vietnamese abbreviation means nothing beside it), else [`Self::label`].
    pub fn label_in(&self, lang: crate::Lang) -> &str {
        match lang {
            crate::Lang::En => {
                self.english.short_name.as_deref().or(self.english.name.as_deref()).unwrap_or_else(|| self.label())
            }
            crate::Lang::Vi => self.label(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Framework {
    pub id: String,
    pub name: String,
    /// The name in English, where the framework gives it ([`Framework::with_english`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    pub legal_basis: String,
    pub unit_kind: String,
    pub years: (i32, Option<i32>),
    pub max: Decimal,
    /// Pre-order; the roots are the top-level groups.
    pub criteria: Vec<Criterion>,
    pub roots: Vec<usize>,
    /// Descending by minimum.
    pub levels: Vec<Level>,
    pub rounding: Rounding,
    pub ties: TieBasis,
    /// Declared ranking groups (rank within a group); empty = one ranking.
    pub groups: Vec<String>,
    /// How the total combines the top-level criteria (sum by default).
    pub aggregation: Aggregation,
    /// Totals presented as a 0–1 index (total ÷ max), with its own decimals.
    pub index: Option<Index>,
    /// The version this one replaces and how its criteria map to it (set by
    /// [`Framework::with_previous_version`]); `None`: no declared predecessor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_version: Option<crate::versions::PreviousVersion>,
    #[serde(skip)]
    by_id: HashMap<String, usize>,
}

impl Framework {
    /// A point-sum framework (no index methods).
    pub fn new(spec: FrameworkSpec) -> Result<Framework, Vec<FrameworkError>> {
        validate::build(spec, MethodsSpec::default())
    }

    /// A framework with index methods: aggregations, weights, normalisations, index.
    pub fn with_methods(spec: FrameworkSpec, methods: MethodsSpec) -> Result<Framework, Vec<FrameworkError>> {
        validate::build(spec, methods)
    }

    /// Declares the version this framework replaces (checked against it with
    /// [`crate::versions::check`] once both are known).
    pub fn with_previous_version(mut self, previous: crate::versions::PreviousVersion) -> Framework {
        self.previous_version = Some(previous);
        self
    }

    /// Gives criteria (by id) their guidance; ids the framework does not have are ignored.
    pub fn with_guidance(mut self, guidance: impl IntoIterator<Item = (String, Guidance)>) -> Framework {
        for (id, g) in guidance {
            if let Some(i) = self.index_of(&id) {
                self.criteria[i].guidance = g;
            }
        }
        self
    }

    /// Gives the framework (`name`) and its criteria (by id) their English names; ids the
    /// framework does not have are ignored.
    pub fn with_english(
        mut self,
        name: Option<String>,
        criteria: impl IntoIterator<Item = (String, English)>,
    ) -> Framework {
        self.name_en = name;
        for (id, e) in criteria {
            if let Some(i) = self.index_of(&id) {
                self.criteria[i].english = e;
            }
        }
        self
    }

    /// The framework's name in a language (the English one where given).
    pub fn name_in(&self, lang: crate::Lang) -> &str {
        match (lang, &self.name_en) {
            (crate::Lang::En, Some(name)) => name,
            _ => &self.name,
        }
    }

    pub fn criterion(&self, index: usize) -> &Criterion {
        &self.criteria[index]
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Finds a criterion by id, printed name, short name or alias (case-insensitive).
    pub fn find(&self, name: &str) -> Option<usize> {
        if let Some(i) = self.index_of(name) {
            return Some(i);
        }
        let key = normalize(name);
        self.criteria.iter().position(|c| {
            normalize(&c.id.0) == key
                || normalize(&c.name) == key
                || c.short_name.as_deref().map(normalize).as_deref() == Some(key.as_str())
                || c.aliases.iter().any(|a| normalize(a) == key)
        })
    }

    pub fn leaves(&self) -> impl Iterator<Item = (usize, &Criterion)> {
        self.criteria.iter().enumerate().filter(|(_, c)| c.is_leaf())
    }

    /// The level reached by a total: the first (highest) whose minimum is ≤ total.
    pub fn level_for(&self, total: Decimal) -> Option<usize> {
        self.levels.iter().position(|l| crate::exact::cmp(&total, &l.min).is_ge())
    }

    pub(crate) fn set_index(&mut self) {
        self.by_id = self.criteria.iter().enumerate().map(|(i, c)| (c.id.0.clone(), i)).collect();
    }

    /// The scale of presented totals (and of level minima): 1 for an index, else `max`.
    pub fn total_max(&self) -> Decimal {
        if self.index.is_some() { Decimal::ONE } else { self.max }
    }

    /// The exact presented total of a points total: the index (total ÷ max), or the total.
    pub fn total_value(&self, points: Decimal) -> Decimal {
        if self.index.is_some() { points / self.max } else { points }
    }

    /// How totals are rounded and printed: the index's decimals when there is an index,
    /// otherwise the framework's rounding. Same mode either way.
    pub fn total_rounding(&self) -> Rounding {
        match self.index {
            Some(index) => Rounding { decimals: index.decimals, scope: RoundingScope::Total, ..self.rounding },
            None => self.rounding,
        }
    }

    /// Whether any criterion is normalised across units (scores then depend on the
    /// other units of the period).
    pub fn normalises(&self) -> bool {
        self.criteria.iter().any(|c| c.normalise.is_some())
    }
}

pub(crate) fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

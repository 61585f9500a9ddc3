//! Index methods, options of the same framework: how a group combines its children
//! (sum, weighted sum, weighted mean, geometric mean), how a criterion's values are
//! normalised across the units of a period, and whether totals are presented as a 0–1
//! index. A framework that declares none of them is a plain point sum.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How a group (or the framework, for its total) combines its children's points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Aggregation {
    /// Σ points; the group's max is the sum of its children's maxima.
    #[default]
    Sum,
    /// Σ weight × points; the group's max is Σ weight × child max.
    WeightedSum,
    /// Σ weight × points ÷ Σ weight; every child is on the group's scale (same max).
    WeightedMean,
    /// Π points ^ (weight ÷ Σ weight); every child is on the group's scale (same max).
    GeometricMean,
}

impl Aggregation {
    pub fn name(self) -> &'static str {
        match self {
            Aggregation::Sum => "sum",
            Aggregation::WeightedSum => "weighted-sum",
            Aggregation::WeightedMean => "weighted-mean",
            Aggregation::GeometricMean => "geometric-mean",
        }
    }

    /// Means keep the scale of their children; sums add maxima up.
    pub fn is_mean(self) -> bool {
        matches!(self, Aggregation::WeightedMean | Aggregation::GeometricMean)
    }
}

/// How a criterion's values are put on a common scale, across the units of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// (x − lowest) ÷ (highest − lowest) × max; every unit gets max when all are equal.
    MinMax,
    /// (x − mean) ÷ standard deviation (population); unbounded, so an ancestor must
    /// rescale with min-max (the UN's telecommunication index: z-scores, mean, min-max).
    ZScore,
    /// min(x ÷ target, 1) × max.
    RatioToTarget,
    /// x ÷ the best unit's x × max.
    RatioToBest,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::MinMax => "min-max",
            Method::ZScore => "z-score",
            Method::RatioToTarget => "ratio-to-target",
            Method::RatioToBest => "ratio-to-best",
        }
    }
}

/// Which values are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Better {
    #[default]
    Higher,
    Lower,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Normalisation {
    pub method: Method,
    pub better: Better,
    /// For [`Method::RatioToTarget`] only: the value that earns the maximum.
    pub target: Option<Decimal>,
}

/// Totals presented as an index: total ÷ max (0–1), with its own decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Index {
    pub decimals: u32,
}

/// The index methods of a framework, next to its [`super::FrameworkSpec`]; empty (the
/// default) means a plain point sum.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MethodsSpec {
    /// How the total combines the top-level criteria.
    pub aggregation: Aggregation,
    /// If declared, the top-level criteria's weights must add up to it.
    pub weights_sum: Option<Decimal>,
    pub index: Option<Index>,
    /// Per criterion id; criteria not listed have no options.
    pub criteria: Vec<CriterionMethods>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CriterionMethods {
    pub id: String,
    /// A group's aggregation of its children.
    pub aggregation: Aggregation,
    /// This criterion's weight in its parent's (or the total's) weighted aggregation.
    pub weight: Option<Decimal>,
    /// If declared, this group's children's weights must add up to it.
    pub weights_sum: Option<Decimal>,
    pub normalise: Option<Normalisation>,
}

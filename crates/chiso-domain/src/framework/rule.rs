//! Leaf scoring rules: how a unit's answer becomes points.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Rule {
    /// An assessor's score, 0..=max.
    Direct,
    /// Yes → max, no → 0.
    YesNo,
    /// numerator ÷ denominator × max (capped at max). A zero denominator means
    /// the criterion does not apply to the unit (e.g. no procedures to put online).
    Ratio,
    /// (unit ratio ÷ best unit's ratio) × max: one unit's correction changes the others.
    RelativeToBest,
    /// The points of the highest step whose threshold the figure reaches (≥).
    Steps { steps: Vec<Step> },
    /// count × points per item, capped at max.
    Count { per_item: Decimal },
    /// A chosen answer gives a share of max, e.g. A–E → 100/60/20/0 %.
    Scale { answers: Vec<ScaleAnswer> },
    /// A raw figure (internet users per 100 inhabitants, …), put on the criterion's
    /// scale by its normalisation across the units of the period.
    Indicator,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub min: Decimal,
    pub points: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleAnswer {
    pub label: String,
    pub percent: Decimal,
}

/// What a criterion gives a unit to which it does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum NotApplicable {
    /// Not allowed: the unit must answer.
    #[default]
    Forbidden,
    /// The maximum (the seed's Provincial Office, which has no procedures).
    FullPoints,
    /// The criterion leaves the unit's maximum; its siblings are scaled up to fill the parent.
    Excluded,
    Zero,
}

impl Rule {
    pub fn name(&self) -> &'static str {
        match self {
            Rule::Direct => "direct",
            Rule::YesNo => "yes-no",
            Rule::Ratio => "ratio",
            Rule::RelativeToBest => "relative-to-best",
            Rule::Steps { .. } => "steps",
            Rule::Count { .. } => "count",
            Rule::Scale { .. } => "scale",
            Rule::Indicator => "indicator",
        }
    }
}

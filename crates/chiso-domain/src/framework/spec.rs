//! The plain, unvalidated shape of a framework, as a file or a form describes it.

use super::{NotApplicable, Rule, TieBasis};
use crate::number::{RoundingMode, RoundingScope};
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkSpec {
    pub id: String,
    pub name: String,
    pub legal_basis: String,
    pub unit_kind: String,
    pub years: (i32, Option<i32>),
    pub max: Decimal,
    pub decimals: u32,
    pub percent_decimals: Option<u32>,
    pub rounding_mode: RoundingMode,
    pub rounding_scope: RoundingScope,
    pub ties: TieBasis,
    pub groups: Vec<String>,
    pub levels: Vec<LevelSpec>,
    pub criteria: Vec<CriterionSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LevelSpec {
    pub name: String,
    pub min: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CriterionSpec {
    pub id: String,
    pub name: String,
    pub short_name: Option<String>,
    pub aliases: Vec<String>,
    pub max: Decimal,
    pub not_applicable: NotApplicable,
    /// A leaf has a rule and no children; a group has children and no rule.
    pub rule: Option<Rule>,
    pub children: Vec<CriterionSpec>,
}

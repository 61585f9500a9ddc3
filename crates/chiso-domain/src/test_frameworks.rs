//! Small frameworks for the crate's own unit tests: criteria by id and maximum, two
//! decimals, half-up, one level from zero.

use crate::framework::{CriterionSpec, Framework, FrameworkSpec, LevelSpec, NotApplicable, Rule, TieBasis};
use crate::number::{RoundingMode, RoundingScope};
use rust_decimal::Decimal;

/// A leaf criterion named by its id.
pub fn leaf(id: &str, max: Decimal, not_applicable: NotApplicable, rule: Rule) -> CriterionSpec {
    CriterionSpec {
        id: id.into(),
        name: id.into(),
        short_name: None,
        aliases: vec![],
        max,
        not_applicable,
        rule: Some(rule),
        children: vec![],
    }
}

/// A group of `children`.
pub fn group(id: &str, max: Decimal, children: Vec<CriterionSpec>) -> CriterionSpec {
    CriterionSpec { rule: None, children, ..leaf(id, max, NotApplicable::Excluded, Rule::Direct) }
}

/// A framework of `criteria` out of `max`, rounded at `scope`.
pub fn framework(max: Decimal, scope: RoundingScope, criteria: Vec<CriterionSpec>) -> Framework {
    Framework::new(FrameworkSpec {
        id: "t".into(),
        name: "t".into(),
        legal_basis: "t".into(),
        unit_kind: "unit".into(),
        years: (2020, None),
        max,
        decimals: 2,
        percent_decimals: None,
        rounding_mode: RoundingMode::HalfUp,
        rounding_scope: scope,
        ties: TieBasis::Rounded,
        groups: vec![],
        levels: vec![LevelSpec { name: "L".into(), min: Decimal::ZERO }],
        criteria,
    })
    .expect("a valid test framework")
}

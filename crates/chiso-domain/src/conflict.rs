//! The same unit, year and criterion printed with different values in different places.

use crate::unit::UnitId;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation<S> {
    pub unit: UnitId,
    pub year: i32,
    pub criterion: String,
    pub value: Decimal,
    /// Where it was printed (a table, a row).
    pub source: S,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict<S> {
    pub unit: UnitId,
    pub year: i32,
    pub criterion: String,
    /// Every printed value with where it was printed; at least two distinct values.
    pub values: Vec<(Decimal, S)>,
}

/// Groups observations by (unit, year, criterion) and returns those printed with
/// more than one value (numerically: 8.0 and 8 agree), in a stable order.
pub fn find_conflicts<S: Clone>(observations: &[Observation<S>]) -> Vec<Conflict<S>> {
    type Key<'a> = (&'a UnitId, i32, &'a str);
    let mut by_key: BTreeMap<Key, Vec<(Decimal, S)>> = BTreeMap::new();
    for o in observations {
        by_key.entry((&o.unit, o.year, &o.criterion)).or_default().push((o.value, o.source.clone()));
    }
    by_key
        .into_iter()
        .filter(|(_, vs)| vs.iter().any(|(v, _)| *v != vs[0].0))
        .map(|((unit, year, criterion), values)| Conflict {
            unit: unit.clone(),
            year,
            criterion: criterion.to_string(),
            values,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn equal_numbers_agree_and_different_ones_conflict() {
        let o = |v, src: &'static str| Observation {
            unit: UnitId("cao-bang".into()),
            year: 2020,
            criterion: "interaction".into(),
            value: v,
            source: src,
        };
        let obs = [o(dec!(22.25), "Bảng 8"), o(dec!(22.50), "Bảng 13"), o(dec!(22.5), "Bảng 15")];
        let c = find_conflicts(&obs);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].values.len(), 3);
        assert!(find_conflicts(&[o(dec!(8.0), "a"), o(dec!(8), "b")]).is_empty());
    }
}

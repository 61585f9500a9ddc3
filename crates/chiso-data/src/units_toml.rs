//! The unit registry as TOML: `[[unit]]` entries and `[[lineage]]` events, in one file
//! or several read together (`units.toml`, then `units-2025.toml`, …).
//!
//! A lineage event declares, per unit it produces, what that unit is compared with:
//! `continues = "id"` (one predecessor carries on), `compare = "combined"` with
//! `combine = "mean"` or `"weighted-mean"` (+ `weights`, `weights_basis`), or
//! `compare = "none"`. With several units produced (a split), each is declared in a
//! `[[lineage.successor]]` table.

use crate::decimal::TomlDecimal;
use crate::error::{DataError, ErrorKind, Location};
use chiso_domain::lineage::{CombineRule, Declared, LineageProblem, Successor};
use chiso_domain::unit::{Lineage, LineageKind, Registry, RegistryError, Unit, UnitId};
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    #[serde(default, rename = "unit")]
    units: Vec<Spanned<RawUnit>>,
    #[serde(default)]
    lineage: Vec<Spanned<RawLineage>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    id: String,
    name: String,
    kind: String,
    #[serde(default)]
    aliases: Vec<String>,
    from: Option<i32>,
    until: Option<i32>,
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
enum RawCompare {
    Continues,
    Combined,
    None,
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "kebab-case")]
enum RawCombine {
    Mean,
    WeightedMean,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// How one successor is compared (on the event for its one successor, or per successor).
struct RawDeclaration {
    compare: Option<RawCompare>,
    combine: Option<RawCombine>,
    weights: Vec<TomlDecimal>,
    weights_basis: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLineage {
    year: i32,
    kind: LineageKind,
    from: Vec<String>,
    into: Vec<String>,
    continues: Option<String>,
    compare: Option<RawCompare>,
    combine: Option<RawCombine>,
    #[serde(default)]
    weights: Vec<TomlDecimal>,
    weights_basis: Option<String>,
    #[serde(default, rename = "successor")]
    successors: Vec<RawSuccessor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuccessor {
    unit: String,
    /// The predecessor(s): one for `continues`, the combined ones for `combined`
    /// (default: all the event's `from`).
    from: Option<OneOrMany>,
    compare: Option<RawCompare>,
    combine: Option<RawCombine>,
    #[serde(default)]
    weights: Vec<TomlDecimal>,
    weights_basis: Option<String>,
}

/// Where each unit and lineage event was read.
#[derive(Default)]
struct Lines {
    units: Vec<(String, Location)>,
    lineage: Vec<Location>,
    /// Year and every unit named, per event (to find the event naming an unknown unit).
    named: Vec<(i32, Vec<String>)>,
}

/// Reads one registry file. `file` names it in error messages.
pub fn parse(file: &str, text: &str) -> Result<Registry, Vec<DataError>> {
    parse_files(&[(file.to_string(), text.to_string())])
}

/// Reads several files as one registry: units and lineage of all, in order; a later file
/// may reorganise units of an earlier one (a unit changed into others ends the year before).
pub fn parse_files(files: &[(String, String)]) -> Result<Registry, Vec<DataError>> {
    // Files of plain units only (a national registry) are read without the TOML library;
    // any other file, and any problem, goes through it, which locates every error.
    let plain: Option<Vec<Vec<Unit>>> = files.iter().map(|(_, text)| crate::units_plain::units(text)).collect();
    if let Some(Ok(registry)) = plain.map(|units| Registry::new(units.into_iter().flatten().collect(), Vec::new())) {
        return Ok(registry);
    }
    parse_with_toml(files)
}

pub(crate) fn parse_with_toml(files: &[(String, String)]) -> Result<Registry, Vec<DataError>> {
    let mut units = Vec::new();
    let mut lineage = Vec::new();
    let mut lines = Lines::default();
    let mut errors = Vec::new();
    for (file, text) in files {
        let line_index = crate::lines::LineIndex::new(text);
        let line_of = |offset: usize| line_index.line(offset);
        let raw: RawRegistry = match toml::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let mut loc = Location::file(file);
                loc.line = e.span().map(|s| line_of(s.start));
                errors.push(DataError::new(loc, ErrorKind::Syntax(e.message().to_string())));
                continue;
            }
        };
        for u in raw.units {
            let line = line_of(u.span().start);
            let u = u.into_inner();
            let mut loc = Location::file(file).line(line);
            loc.value = Some(u.id.clone());
            lines.units.push((u.id.clone(), loc));
            units.push(Unit {
                id: UnitId(u.id),
                name: u.name,
                kind: u.kind,
                aliases: u.aliases,
                from: u.from,
                until: u.until,
            });
        }
        for l in raw.lineage {
            let loc = Location::file(file).line(line_of(l.span().start));
            match convert(l.into_inner()) {
                Ok(l) => {
                    lines.lineage.push(loc);
                    let ids =
                        l.from.iter().chain(&l.into).chain(&l.continues).chain(l.successors.iter().map(|s| &s.unit));
                    lines.named.push((l.year, ids.map(|u| u.0.clone()).collect()));
                    lineage.push(l);
                }
                Err(problem) => {
                    let mut loc = loc;
                    loc.value = Some(problem.unit().to_string()).filter(|u| !u.is_empty());
                    errors.push(DataError::new(
                        loc,
                        ErrorKind::Registry(RegistryError::Lineage { index: lineage.len(), year: 0, problem }),
                    ));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Registry::new(units, lineage).map_err(|errors| errors.into_iter().map(|e| locate(e, &lines, files)).collect())
}

fn locate(e: RegistryError, lines: &Lines, files: &[(String, String)]) -> DataError {
    let unit = |id: &str, last: bool| {
        let mut found = lines.units.iter().filter(|(u, _)| u == id).map(|(_, l)| l.clone());
        if last { found.next_back() } else { found.next() }
    };
    let fallback = || Location::file(files.first().map_or("", |f| f.0.as_str()));
    let loc = match &e {
        RegistryError::DuplicateId(id) => unit(id, true),
        RegistryError::BadId(id) => unit(id, false),
        RegistryError::AmbiguousName { b, name, .. } => unit(b, false).map(|mut l| {
            l.value = Some(name.clone());
            l
        }),
        RegistryError::Lineage { index, problem, .. } => lines.lineage.get(*index).map(|l| {
            let mut l = l.clone();
            l.value = Some(problem.unit().to_string()).filter(|u| !u.is_empty());
            l
        }),
        RegistryError::UnknownLineageUnit { unit, year } => {
            // The first event of that year naming it.
            let k = lines.named.iter().position(|(y, ids)| y == year && ids.contains(unit));
            let mut l = k.and_then(|k| lines.lineage.get(k)).cloned();
            if let Some(l) = &mut l {
                l.value = Some(unit.clone());
            }
            l
        }
    };
    DataError::new(loc.unwrap_or_else(fallback), ErrorKind::Registry(e))
}

fn convert(l: RawLineage) -> Result<Lineage, LineageProblem> {
    let ids = |v: Vec<String>| v.into_iter().map(UnitId).collect::<Vec<_>>();
    let (from, into) = (ids(l.from), ids(l.into));
    let mut successors = Vec::new();
    let on_event =
        RawDeclaration { compare: l.compare, combine: l.combine, weights: l.weights, weights_basis: l.weights_basis };
    if on_event.compare.is_some() || on_event.combine.is_some() || !on_event.weights.is_empty() {
        let unit = into.first().map_or_else(String::new, |u| u.0.clone());
        // `compare = "none"` on the event: every unit produced is new.
        if on_event.compare == Some(RawCompare::None) && on_event.combine.is_none() && on_event.weights.is_empty() {
            successors.extend(into.iter().map(|u| Successor { unit: u.clone(), compare: Declared::None }));
        } else if into.len() != 1 {
            return Err(LineageProblem::SeveralSuccessors { unit, count: into.len() });
        } else {
            let named = l.continues.clone().map(UnitId).or_else(|| (from.len() == 1).then(|| from[0].clone()));
            successors.push(Successor { unit: into[0].clone(), compare: declared(&unit, on_event, named, &from)? });
        }
    }
    for s in l.successors {
        let (one, many) = match s.from {
            Some(OneOrMany::One(f)) => (Some(UnitId(f.clone())), Some(vec![UnitId(f)])),
            Some(OneOrMany::Many(v)) => (None, Some(ids(v))),
            None => (None, None),
        };
        let named = one.or_else(|| (from.len() == 1).then(|| from[0].clone()));
        let combined_from = many.unwrap_or_else(|| from.clone());
        let d = RawDeclaration {
            compare: s.compare,
            combine: s.combine,
            weights: s.weights,
            weights_basis: s.weights_basis,
        };
        let compare = declared(&s.unit, d, named, &combined_from)?;
        successors.push(Successor { unit: UnitId(s.unit), compare });
    }
    Ok(Lineage { year: l.year, kind: l.kind, from, into, continues: l.continues.map(UnitId), successors })
}

fn declared(
    unit: &str,
    d: RawDeclaration,
    continues: Option<UnitId>,
    from: &[UnitId],
) -> Result<Declared, LineageProblem> {
    let unit = unit.to_string();
    if !d.weights.is_empty() && d.combine != Some(RawCombine::WeightedMean) {
        return Err(LineageProblem::WeightsWithoutWeightedMean { unit });
    }
    Ok(match d.compare.unwrap_or(RawCompare::Combined) {
        RawCompare::None => Declared::None,
        RawCompare::Continues => Declared::Continues { from: continues.ok_or(LineageProblem::ContinuesWhom { unit })? },
        RawCompare::Combined => Declared::Combined {
            from: from.to_vec(),
            rule: match d.combine {
                Some(RawCombine::WeightedMean) => CombineRule::WeightedMean {
                    weights: d.weights.into_iter().map(|w| w.0).collect(),
                    basis: d.weights_basis.unwrap_or_default(),
                },
                _ => CombineRule::Mean,
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;
    use crate::messages::DataText;

    const UNITS: &str = "[[unit]]\nid = \"a\"\nname = \"A\"\nkind = \"k\"\n[[unit]]\nid = \"b\"\nname = \"B\"\nkind = \"k\"\n\
                         [[unit]]\nid = \"c\"\nname = \"C\"\nkind = \"k\"\nfrom = 2025\n";

    #[test]
    fn a_split_declares_each_successor() {
        let text = format!(
            "{UNITS}[[lineage]]\nyear = 2025\nkind = \"split\"\nfrom = [\"a\"]\ninto = [\"a\", \"c\"]\n\
             [[lineage.successor]]\nunit = \"a\"\ncompare = \"continues\"\n\
             [[lineage.successor]]\nunit = \"c\"\ncompare = \"none\"\n"
        );
        let r = parse("u.toml", &text).unwrap();
        let l = &r.lineage()[0];
        assert_eq!(l.declared(&UnitId("a".into())), Some(Declared::Continues { from: UnitId("a".into()) }));
        assert_eq!(l.declared(&UnitId("c".into())), Some(Declared::None));
        // A split that keeps `a` does not end it; B is untouched.
        assert!(r.get(&UnitId("a".into())).unwrap().active_in(2025));
    }

    #[test]
    fn a_weighted_merger_is_read_and_ends_its_predecessors() {
        let text = format!(
            "{UNITS}[[lineage]]\nyear = 2025\nkind = \"merged\"\nfrom = [\"a\", \"b\"]\ninto = [\"c\"]\n\
             compare = \"combined\"\ncombine = \"weighted-mean\"\nweights = [\"12.5\", 30]\nweights_basis = \"biên chế\"\n"
        );
        let r = parse("u.toml", &text).unwrap();
        let Some(Declared::Combined { from, rule }) = r.lineage()[0].declared(&UnitId("c".into())) else { panic!() };
        assert_eq!(from.len(), 2);
        assert_eq!(
            rule,
            CombineRule::WeightedMean {
                weights: vec!["12.5".parse().unwrap(), 30.into()], basis: "biên chế".into()
            }
        );
        assert_eq!(r.get(&UnitId("a".into())).unwrap().until, Some(2024));
    }

    #[test]
    fn shorthand_problems_are_located_in_both_languages() {
        let text = format!(
            "{UNITS}[[lineage]]\nyear = 2025\nkind = \"split\"\nfrom = [\"a\"]\ninto = [\"b\", \"c\"]\ncompare = \"continues\"\n"
        );
        let e = parse("u.toml", &text).unwrap_err();
        assert_eq!(e[0].location.line, Some(14));
        assert!(Lang::Vi.error(&e[0]).contains("ở đây có 2 đơn vị"), "{}", Lang::Vi.error(&e[0]));
        assert!(Lang::En.error(&e[0]).contains("2 units are produced"), "{}", Lang::En.error(&e[0]));
        let text = format!(
            "{UNITS}[[lineage]]\nyear = 2025\nkind = \"merged\"\nfrom = [\"a\", \"b\"]\ninto = [\"c\"]\ncompare = \"continues\"\n"
        );
        let e = parse("u.toml", &text).unwrap_err();
        assert!(Lang::En.error(&e[0]).contains("needs the predecessor that carries on"), "{e:?}");
        let text = format!(
            "{UNITS}[[lineage]]\nyear = 2025\nkind = \"merged\"\nfrom = [\"a\", \"b\"]\ninto = [\"c\"]\ncontinues = \"z\"\n"
        );
        let e = parse("u.toml", &text).unwrap_err();
        assert!(e.iter().all(|e| e.location.line == Some(14)), "{e:?}");
    }
}

//! Reading tables transcribed from a printed report (`../shared/seed/tables/`):
//! one CSV per printed table, columns `<criterion>_<year>` as the header printed them.
//! Every printed value becomes an [`Observation`]; the same unit, year and criterion
//! printed differently in two tables is a [`Conflict`] the importer reports.

use crate::error::{DataError, ErrorKind, Location};
use crate::table::{self, Table};
use chiso_domain::conflict::{Conflict, Observation, find_conflicts};
use chiso_domain::framework::Framework;
use chiso_domain::number::parse_decimal;
use chiso_domain::unit::{Registry, UnitId};
use rust_decimal::Decimal;
use std::fmt;
use std::path::Path;

/// Where a value was printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub table: String,
    /// 1-based row in the CSV, header included.
    pub row: usize,
    pub column: String,
    /// The unit name as printed.
    pub printed: String,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} row {} column {} ({:?})", self.table, self.row, self.column, self.printed)
    }
}

/// Everything printed in a set of tables, in file order (the order of precedence).
#[derive(Debug, Clone, Default)]
pub struct Printed {
    /// Points per criterion id, plus `total`.
    pub values: Vec<Observation<Source>>,
    /// Ranks as printed (`criterion` = "rank").
    pub ranks: Vec<Observation<Source>>,
    pub levels: Vec<(UnitId, i32, String, Source)>,
    /// Units whose row printed no numbers (the unit supplied no data), per year.
    pub no_data: Vec<(UnitId, i32, Source)>,
    /// A printed unit name resolved through an alias that belongs to another year's name.
    pub renamed: Vec<(UnitId, Source)>,
}

impl Printed {
    pub fn conflicts(&self) -> Vec<Conflict<Source>> {
        find_conflicts(&self.values)
    }

    /// The first printed value for each (unit, criterion) of `year`: tables earlier
    /// in file order take precedence.
    pub fn value(&self, unit: &UnitId, year: i32, criterion: &str) -> Option<Decimal> {
        self.values.iter().find(|o| &o.unit == unit && o.year == year && o.criterion == criterion).map(|o| o.value)
    }

    pub fn rank(&self, unit: &UnitId, year: i32) -> Option<u32> {
        self.ranks
            .iter()
            .find(|o| &o.unit == unit && o.year == year)
            .and_then(|o| rust_decimal::prelude::ToPrimitive::to_u32(&o.value))
    }
}

/// Reads every `*.csv` in `dir` except `max_points.csv`, in name order.
pub fn read_dir(dir: &Path, registry: &Registry, frameworks: &[Framework]) -> Result<Printed, Vec<DataError>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| vec![DataError::new(Location::file(dir.display().to_string()), ErrorKind::Io(e.to_string()))])?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv") && !p.ends_with("max_points.csv"))
        .collect();
    files.sort();
    let mut printed = Printed::default();
    let mut errors = Vec::new();
    for f in files {
        match table::read_csv(&f) {
            Ok(t) => read_table(&t, registry, frameworks, &mut printed, &mut errors),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(printed) } else { Err(errors) }
}

fn split_year(header: &str) -> Option<(&str, i32)> {
    let (name, year) = header.rsplit_once('_')?;
    Some((name, year.parse().ok().filter(|y| (1900..=2200).contains(y))?))
}

fn read_table(
    t: &Table,
    registry: &Registry,
    frameworks: &[Framework],
    out: &mut Printed,
    errors: &mut Vec<DataError>,
) {
    let name = Path::new(&t.file).file_stem().map_or(t.file.clone(), |s| s.to_string_lossy().into_owned());
    let header = t.rows.first().cloned().unwrap_or_default();
    let Some(unit_col) = header.iter().position(|h| h == "unit") else {
        errors.push(DataError::new(t.at(0, 0), ErrorKind::NoUnitColumn));
        return;
    };
    let columns: Vec<(usize, &str, i32)> =
        header.iter().enumerate().filter_map(|(i, h)| split_year(h).map(|(n, y)| (i, n, y))).collect();
    let Some(latest) = columns.iter().map(|c| c.2).max() else { return };

    // The table's kind: the framework whose units all names resolve to.
    let names: Vec<&str> = (1..t.rows.len()).map(|r| t.cell(r, unit_col).trim()).filter(|n| !n.is_empty()).collect();
    let resolved =
        |fw: &Framework| names.iter().filter(|n| registry.resolve_any_year(n, &fw.unit_kind, latest).is_ok()).count();
    let Some(fw) = frameworks.iter().max_by_key(|fw| resolved(fw)) else { return };
    if resolved(fw) < names.len() {
        for (r, n) in names.iter().enumerate() {
            if let Err(e) = registry.resolve_any_year(n, &fw.unit_kind, latest) {
                errors.push(DataError::new(
                    t.at(r + 1, unit_col),
                    ErrorKind::UnknownUnit { name: e.name, suggestions: e.suggestions },
                ));
            }
        }
        return;
    }

    for r in 1..t.rows.len() {
        let printed_name = t.cell(r, unit_col).trim();
        if printed_name.is_empty() {
            continue;
        }
        let (unit, how) = registry.resolve_any_year(printed_name, &fw.unit_kind, latest).expect("checked above");
        let source = |col: usize| Source {
            table: name.clone(),
            row: r + 1,
            column: header[col].clone(),
            printed: printed_name.to_string(),
        };
        if how == chiso_domain::unit::Match::Alias
            && registry.units().iter().any(|u| u.id != unit.id && u.name == printed_name)
        {
            out.renamed.push((unit.id.clone(), source(unit_col)));
        }
        let mut any_number = false;
        for &(col, crit, year) in &columns {
            // The unit as it existed in that column's year (lineage).
            let Some(u) = registry.counterpart(&unit.id, year) else { continue };
            let text = t.cell(r, col).trim();
            if text.is_empty() {
                continue;
            }
            if crit == "level" {
                out.levels.push((u.id.clone(), year, text.to_string(), source(col)));
                continue;
            }
            let Some(value) = parse_decimal(text) else {
                errors.push(DataError::new(t.at(r, col), ErrorKind::NotANumber));
                continue;
            };
            any_number = true;
            let criterion = match crit {
                "rank" => {
                    out.ranks.push(Observation {
                        unit: u.id.clone(),
                        year,
                        criterion: "rank".into(),
                        value,
                        source: source(col),
                    });
                    continue;
                }
                "total" => "total".to_string(),
                other => match fw.find(other) {
                    Some(i) => fw.criterion(i).id.0.clone(),
                    None => {
                        errors.push(DataError::new(t.at(0, col), ErrorKind::UnknownColumn { suggestions: vec![] }));
                        continue;
                    }
                },
            };
            out.values.push(Observation { unit: u.id.clone(), year, criterion, value, source: source(col) });
        }
        if !any_number {
            out.no_data.push((unit.id.clone(), latest, source(unit_col)));
        }
    }
}

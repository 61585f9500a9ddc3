//! The unit registry as TOML: `[[unit]]` entries and `[[lineage]]` events.

use crate::error::{DataError, ErrorKind, Location};
use chiso_domain::unit::{Lineage, LineageKind, Registry, Unit, UnitId};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    #[serde(default, rename = "unit")]
    units: Vec<RawUnit>,
    #[serde(default)]
    lineage: Vec<RawLineage>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLineage {
    year: i32,
    kind: LineageKind,
    from: Vec<String>,
    into: Vec<String>,
    continues: Option<String>,
}

pub fn parse(file: &str, text: &str) -> Result<Registry, Vec<DataError>> {
    let raw: RawRegistry = toml::from_str(text).map_err(|e| {
        let mut loc = Location::file(file);
        loc.line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
        vec![DataError::new(loc, ErrorKind::Syntax(e.message().to_string()))]
    })?;
    let units = raw
        .units
        .into_iter()
        .map(|u| Unit {
            id: UnitId(u.id),
            name: u.name,
            kind: u.kind,
            aliases: u.aliases,
            from: u.from,
            until: u.until,
        })
        .collect();
    let ids = |v: Vec<String>| v.into_iter().map(UnitId).collect();
    let lineage = raw
        .lineage
        .into_iter()
        .map(|l| Lineage {
            year: l.year,
            kind: l.kind,
            from: ids(l.from),
            into: ids(l.into),
            continues: l.continues.map(UnitId),
        })
        .collect();
    Registry::new(units, lineage).map_err(|errors| {
        errors.into_iter().map(|e| DataError::new(Location::file(file), ErrorKind::Registry(e))).collect()
    })
}

//! The unit registry changed by an officer, one change at a time: a unit added, renamed
//! (a new unit from that year, with its lineage), merged into one that continues, retired.
//! Each rewrites the registry's TOML in place (its comments kept), is refused when the
//! registry's parser refuses the result, and is stored with its reason on the record.

use crate::{Actor, App, Change, Error, Field, Message, Result};
use chiso_data::units_toml;
use chiso_store::Role;
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitChange {
    /// A new unit of a kind, from a year (open when `None`).
    Add { name: String, kind: String, from: Option<i32> },
    /// From `year` the unit is a new one with this name (the old one ends the year before;
    /// the new one continues it).
    Rename { unit: String, name: String, year: i32 },
    /// From `year` these units are one: `into` (one of them) continues, the others end the
    /// year before.
    Merge { units: Vec<String>, into: String, year: i32 },
    /// The unit's last year.
    Retire { unit: String, last_year: i32 },
}

/// An id for a new unit from its name: lower case without diacritics, words joined by `-`,
/// made unique among `taken`.
fn new_id(name: &str, taken: &[String]) -> String {
    let folded = chiso_domain::collate::fold(name);
    let mut id = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let mut id: String = id.trim_end_matches('-').chars().take(56).collect();
    if id.is_empty() {
        id = "don-vi".into();
    }
    let base = id.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

fn units_of(doc: &mut DocumentMut) -> &mut ArrayOfTables {
    if doc.get("unit").and_then(Item::as_array_of_tables).is_none() {
        doc.insert("unit", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    doc["unit"].as_array_of_tables_mut().expect("just made")
}

fn unit_table<'a>(doc: &'a mut DocumentMut, id: &str) -> Result<&'a mut Table> {
    units_of(doc)
        .iter_mut()
        .find(|t| t.get("id").and_then(Item::as_str) == Some(id))
        .ok_or_else(|| Error::invalid(Message::UnitNotChosen).code("unit_not_found"))
}

fn lineage(doc: &mut DocumentMut, kind: &str, year: i32, from: &[String], into: &str) {
    if doc.get("lineage").and_then(Item::as_array_of_tables).is_none() {
        doc.insert("lineage", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let mut t = Table::new();
    t.insert("year", value(i64::from(year)));
    t.insert("kind", value(kind));
    t.insert("from", value(from.iter().map(String::as_str).collect::<Array>()));
    t.insert("into", value([into].into_iter().collect::<Array>()));
    t.insert("continues", value(if kind == "renamed" { from[0].as_str() } else { into }));
    doc["lineage"].as_array_of_tables_mut().expect("just made").push(t);
}

fn new_unit(id: &str, name: &str, kind: &str, from: Option<i32>) -> Table {
    let mut t = Table::new();
    t.insert("id", value(id));
    t.insert("name", value(name));
    t.insert("kind", value(kind));
    if let Some(y) = from {
        t.insert("from", value(i64::from(y)));
    }
    t
}

impl App {
    /// One change to the unit registry, on the record with its reason.
    pub async fn change_units(&self, actor: &Actor, change: UnitChange, reason: &str) -> Result<()> {
        actor.require(&[Role::Admin])?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid(Message::ChangeReasonNeeded).code("reason_required"));
        }
        crate::bounded(reason, crate::MAX_REASON, Field::Reason)?;
        let body = self.store.document("units.toml").await?.unwrap_or_default();
        let mut doc: DocumentMut = body.parse().map_err(|_| Error::invalid(Message::UnitNotChosen))?;
        let taken: Vec<String> =
            units_of(&mut doc).iter().filter_map(|t| t.get("id").and_then(Item::as_str).map(str::to_string)).collect();
        let name_of = |s: &str| chiso_domain::unit::nfc(s.trim()).into_owned();
        match change {
            UnitChange::Add { name, kind, from } => {
                let name = name_of(&name);
                if name.is_empty() {
                    return Err(Error::invalid(Message::UnitNameNeeded).code("name_required"));
                }
                let id = new_id(&name, &taken);
                units_of(&mut doc).push(new_unit(&id, &name, kind.trim(), from));
            }
            UnitChange::Rename { unit, name, year } => {
                let name = name_of(&name);
                if name.is_empty() {
                    return Err(Error::invalid(Message::UnitNameNeeded).code("name_required"));
                }
                let old = unit_table(&mut doc, &unit)?;
                let kind = old.get("kind").and_then(Item::as_str).unwrap_or_default().to_string();
                old.insert("until", value(i64::from(year - 1)));
                let id = new_id(&name, &taken);
                units_of(&mut doc).push(new_unit(&id, &name, &kind, Some(year)));
                lineage(&mut doc, "renamed", year, &[unit], &id);
            }
            UnitChange::Merge { units, into, year } => {
                let mut units: Vec<String> = units.into_iter().filter(|u| !u.is_empty()).collect();
                units.dedup();
                if units.len() < 2 || !units.contains(&into) {
                    return Err(Error::invalid(Message::MergeNeedsTwo).code("merge_needs_two"));
                }
                for u in units.iter().filter(|u| **u != into) {
                    unit_table(&mut doc, u)?.insert("until", value(i64::from(year - 1)));
                }
                unit_table(&mut doc, &into)?;
                // The continuing unit first, as the registry's mergers are written.
                units.sort_by_key(|u| *u != into);
                lineage(&mut doc, "merged", year, &units, &into);
            }
            UnitChange::Retire { unit, last_year } => {
                unit_table(&mut doc, &unit)?.insert("until", value(i64::from(last_year)));
            }
        }
        let new = doc.to_string();
        units_toml::parse("units.toml", &new)
            .map_err(|errors| Error::new(crate::Kind::Unprocessable, Message::InvalidNotSaved(errors)))?;
        self.refuse_orphans("units.toml", &new).await?;
        self.store.put_document("units.toml", &new, &actor.username, reason).await?;
        self.changed(Change::Catalogue).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_come_from_names() {
        assert_eq!(super::new_id("Sở Khoa học và Công nghệ", &[]), "so-khoa-hoc-va-cong-nghe");
        assert_eq!(super::new_id("Huyện Đức Long", &["huyen-duc-long".into()]), "huyen-duc-long-2");
        assert_eq!(super::new_id("???", &[]), "don-vi");
    }
}

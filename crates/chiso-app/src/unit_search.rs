//! Units found as an administrator types them: by name, other names or code, diacritics
//! aside ("dong van" finds "Đồng Văn"), in the catalogue page's order (kind, then Vietnamese
//! collation). The order and folded names are made once per parsed catalogue.

use crate::catalog::Catalog;
use chiso_domain::collate::{compare_vi, fold};
use chiso_domain::unit::{Registry, Unit, UnitId};

pub(crate) struct UnitIndex {
    /// The registry's units by kind, then name in Vietnamese order.
    order: Vec<usize>,
    /// Each unit's folded name, other names and lower-case code, one a line.
    folded: Vec<String>,
    /// The kinds, in that order.
    kinds: Vec<String>,
}

impl UnitIndex {
    fn new(registry: &Registry) -> UnitIndex {
        let units = registry.units();
        let mut order: Vec<usize> = (0..units.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&units[a], &units[b]);
            a.kind.cmp(&b.kind).then_with(|| compare_vi(&a.name, &b.name)).then_with(|| a.id.cmp(&b.id))
        });
        let folded = units
            .iter()
            .map(|u| {
                let mut s = fold(&u.name);
                for a in &u.aliases {
                    s.push('\n');
                    s += &fold(a);
                }
                s.push('\n');
                s += &u.id.0.to_lowercase();
                s
            })
            .collect();
        let mut kinds: Vec<String> = order.iter().map(|&i| units[i].kind.clone()).collect();
        kinds.dedup();
        UnitIndex { order, folded, kinds }
    }
}

impl Catalog {
    fn unit_index(&self) -> &UnitIndex {
        self.unit_index.get_or_init(|| UnitIndex::new(&self.registry))
    }

    /// The kinds of the registry's units, in the order [`Catalog::find_units`] gives them.
    pub fn unit_kinds(&self) -> &[String] {
        &self.unit_index().kinds
    }

    /// The units (indices into the registry) whose name, other names or code hold every
    /// word of `text` (diacritics and case aside), of `kind` unless it is empty; by kind,
    /// then name in Vietnamese order.
    pub fn find_units(&self, text: &str, kind: &str) -> Vec<usize> {
        let index = self.unit_index();
        let needle = fold(text.trim());
        let words: Vec<&str> = needle.split_whitespace().collect();
        let kind = kind.trim();
        let units = self.registry.units();
        index
            .order
            .iter()
            .copied()
            .filter(|&i| kind.is_empty() || units[i].kind == kind)
            .filter(|&i| words.iter().all(|w| index.folded[i].contains(w)))
            .collect()
    }
}

/// A unit as an administrator typed it (see [`Catalog::typed_unit`]).
#[derive(Debug, PartialEq)]
pub enum Typed<'a> {
    Unit(&'a Unit),
    Unknown,
    /// Two or more units still assessed go by that name, none written exactly so.
    Ambiguous(Vec<&'a Unit>),
}

impl Catalog {
    /// A unit typed by its code, or by its name or another name as typed on any keyboard
    /// (diacritics and case aside), among the units still assessed; a name two units fold
    /// to is taken only as written exactly.
    pub fn typed_unit(&self, entry: &str) -> Typed<'_> {
        let entry = entry.trim();
        if let Some(u) = self.registry.get(&UnitId(entry.to_string())) {
            return Typed::Unit(u);
        }
        let (index, units) = (self.unit_index(), self.registry.units());
        let key = fold(entry);
        // Each unit's folded names are the lines of its index entry before its code.
        let found: Vec<&Unit> = (0..units.len())
            .filter(|&i| units[i].until.is_none())
            .filter(|&i| {
                index.folded[i].rsplit_once('\n').is_some_and(|(names, _)| names.split('\n').any(|n| n == key))
            })
            .map(|i| &units[i])
            .collect();
        let exact = chiso_domain::unit::nfc(entry);
        let written: Vec<&Unit> =
            found.iter().copied().filter(|x| x.name == exact || x.aliases.iter().any(|a| *a == exact)).collect();
        match (found.as_slice(), written.as_slice()) {
            ([one], _) | (_, [one]) => Typed::Unit(one),
            ([], _) => Typed::Unknown,
            _ => Typed::Ambiguous(found),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_domain::unit::{Unit, UnitId};

    fn unit(id: &str, name: &str, kind: &str, aliases: &[&str]) -> Unit {
        Unit {
            id: UnitId(id.into()),
            name: name.into(),
            kind: kind.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            from: None,
            until: None,
        }
    }

    #[test]
    fn units_are_found_by_any_of_their_names_diacritics_aside_in_order() {
        let registry = Registry::new(
            vec![
                unit("xa-2", "Xã Đồng Văn", "commune", &[]),
                unit("so-y-te", "Sở Y tế", "department", &["SYT"]),
                unit("xa-1", "Xã Đa Thông", "commune", &[]),
                unit("xa-3", "Xã Dân Chủ", "commune", &[]),
            ],
            vec![],
        )
        .unwrap();
        let cat = Catalog::new(registry, vec![]);
        let ids = |found: Vec<usize>| -> Vec<String> {
            found.into_iter().map(|i| cat.registry.units()[i].id.0.clone()).collect()
        };
        assert_eq!(cat.unit_kinds(), ["commune", "department"]);
        // D before Đ in Vietnamese order, communes before departments.
        assert_eq!(ids(cat.find_units("", "")), ["xa-3", "xa-1", "xa-2", "so-y-te"]);
        assert_eq!(ids(cat.find_units("dong VAN", "")), ["xa-2"]);
        assert_eq!(ids(cat.find_units("syt", "")), ["so-y-te"]);
        assert_eq!(ids(cat.find_units("XA-1", "")), ["xa-1"]);
        assert_eq!(ids(cat.find_units("xã", "department")), Vec::<String>::new());
        assert_eq!(ids(cat.find_units(" ", "commune")).len(), 3);
    }

    #[test]
    fn a_typed_unit_is_found_by_its_code_or_any_name_as_typed() {
        // The name of a retired unit taken by a new one.
        let mut gone = unit("xa-cu", "Xã Đồng Văn", "commune", &[]);
        gone.until = Some(2024);
        let mut new = unit("xa-2", "Xã Đồng Văn", "commune", &[]);
        new.from = Some(2025);
        let registry = Registry::new(
            vec![
                new,
                unit("so-y-te", "Sở Y tế", "department", &["SYT"]),
                unit("so-ld", "Sở Lao động, Thương binh và Xã hội", "department", &[]),
                unit("xa-a", "Xã An Lạc", "commune", &[]),
                unit("xa-b", "Xã Ân Lạc", "commune", &[]),
                gone,
            ],
            vec![],
        )
        .unwrap();
        let cat = Catalog::new(registry, vec![]);
        let id = |entry: &str| match cat.typed_unit(entry) {
            Typed::Unit(u) => u.id.0.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(id("so-y-te"), "so-y-te");
        assert_eq!(id(" xa dong van "), "xa-2", "the unit still assessed, not the retired one");
        assert_eq!(id("syt"), "so-y-te");
        assert_eq!(id("Sở Lao động, Thương binh và Xã hội"), "so-ld");
        // Two units fold to "xa an lac": only the name as written decides.
        assert_eq!(id("Xã Ân Lạc"), "xa-b");
        assert!(matches!(cat.typed_unit("xa an lac"), Typed::Ambiguous(all) if all.len() == 2));
        assert_eq!(cat.typed_unit("Sở Du lịch"), Typed::Unknown);
    }
}

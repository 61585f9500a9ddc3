//! Units (agencies, districts) and their lineage: renamed, merged, split.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitId(pub String);

impl std::fmt::Display for UnitId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `department`, `district`, `commune`, …: which framework assesses the unit.
pub type UnitKind = String;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    pub id: UnitId,
    /// The official name, as the report prints it in full.
    pub name: String,
    pub kind: UnitKind,
    /// Other spellings seen in documents ("Sở NN&PTNT").
    pub aliases: Vec<String>,
    /// First and last year the unit existed (inclusive); `None` = open.
    pub from: Option<i32>,
    pub until: Option<i32>,
}

impl Unit {
    pub fn active_in(&self, year: i32) -> bool {
        self.from.is_none_or(|f| f <= year) && self.until.is_none_or(|u| year <= u)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineageKind {
    Renamed,
    Merged,
    Split,
}

/// One change in the registry, effective from `year`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lineage {
    pub year: i32,
    pub kind: LineageKind,
    pub from: Vec<UnitId>,
    pub into: Vec<UnitId>,
    /// The predecessor whose figures a successor is compared with (the seed compares
    /// Quảng Hòa with Quảng Uyên). `None`: see `successors`; with neither, no comparison.
    pub continues: Option<UnitId>,
    /// Per successor, the declared comparison (`continues`, `combined`, `none`); see
    /// [`Lineage::declared`].
    pub successors: Vec<crate::lineage::Successor>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RegistryError {
    #[error("unit id {0:?} is used twice")]
    DuplicateId(String),
    #[error("lineage of {year} names unknown unit {unit:?}")]
    UnknownLineageUnit { year: i32, unit: String },
    #[error("name {name:?} belongs to both {a:?} and {b:?} in {year}")]
    AmbiguousName { name: String, a: String, b: String, year: i32 },
    /// Ids appear in addresses, file names and the audit trail's paths: ASCII letters,
    /// digits, `-` and `_`, starting with a letter or digit, at most 64 characters.
    #[error("unit id {0:?} must be ASCII letters, digits, '-' or '_' (at most 64, starting with a letter or digit)")]
    BadId(String),
    /// A lineage event (its index in the registry's list) whose declarations do not fit it.
    #[error("lineage of {year}: {problem}")]
    Lineage { index: usize, year: i32, problem: crate::lineage::LineageProblem },
}

/// Whether `id` is a valid unit id (see [`RegistryError::BadId`]).
pub fn valid_id(id: &str) -> bool {
    id.len() <= 64
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Unicode NFC: a name typed with combining marks ("Sở" as o + horn + grave) is the same
/// name as its precomposed form.
pub fn nfc(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => std::borrow::Cow::Borrowed(s),
        _ => std::borrow::Cow::Owned(s.nfc().collect()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    Name,
    Alias,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown unit {name:?}")]
pub struct UnknownUnit {
    pub name: String,
    /// The closest known names, best first.
    pub suggestions: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Registry {
    units: Vec<Unit>,
    lineage: Vec<Lineage>,
    by_id: HashMap<String, usize>,
    /// Units by the matching key of their name, and of their aliases: a printed name is
    /// found without comparing it with every unit (a national import resolves thousands).
    by_name: HashMap<String, Vec<usize>>,
    by_alias: HashMap<String, Vec<usize>>,
    /// `by_name`'s units for each unit's name exactly as the registry writes it (trimmed,
    /// in NFC): a table that prints the names so is resolved without making their keys.
    as_written: HashMap<String, Vec<usize>>,
}

impl Registry {
    pub fn new(mut units: Vec<Unit>, lineage: Vec<Lineage>) -> Result<Registry, Vec<RegistryError>> {
        let mut errors = Vec::new();
        for u in &mut units {
            if let std::borrow::Cow::Owned(n) = nfc(&u.name) {
                u.name = n;
            }
            for a in &mut u.aliases {
                if let std::borrow::Cow::Owned(n) = nfc(a) {
                    *a = n;
                }
            }
        }
        // Each unit's name and aliases as looked up, made once: a national registry has
        // thousands of units.
        let keys: Vec<Vec<String>> =
            units.iter().map(|u| std::iter::once(&u.name).chain(&u.aliases).map(|n| key(n)).collect()).collect();
        let mut by_id = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            if !valid_id(&u.id.0) {
                errors.push(RegistryError::BadId(u.id.0.clone()));
            }
            if by_id.insert(u.id.0.clone(), i).is_some() {
                errors.push(RegistryError::DuplicateId(u.id.0.clone()));
            }
        }
        for (index, l) in lineage.iter().enumerate() {
            for id in l.from.iter().chain(&l.into).chain(&l.continues).chain(l.successors.iter().map(|s| &s.unit)) {
                if !by_id.contains_key(&id.0) {
                    errors.push(RegistryError::UnknownLineageUnit { year: l.year, unit: id.0.clone() });
                }
            }
            errors.extend(l.problems().into_iter().map(|problem| RegistryError::Lineage {
                index,
                year: l.year,
                problem,
            }));
        }
        // A unit changed into others (in `from`, not in `into`) ends the year before: a
        // later file can reorganise units that an earlier one left open.
        for l in &lineage {
            for id in l.from.iter().filter(|id| !l.into.contains(id)) {
                if let Some(&i) = by_id.get(&id.0) {
                    let u: &mut Unit = &mut units[i];
                    u.until = Some(u.until.map_or(l.year - 1, |t| t.min(l.year - 1)));
                }
            }
        }
        // A name may be reused over time (a merged unit keeps a predecessor's name),
        // but never by two units alive in the same year.
        let mut years: HashSet<i32> = units.iter().flat_map(|u| [u.from, u.until]).flatten().collect();
        years.insert(0); // units without dates meet there
        for &year in &years {
            let mut owner: HashMap<&str, &Unit> = HashMap::new();
            for (u, keys) in units.iter().zip(&keys).filter(|(u, _)| u.active_in(year)) {
                for (n, k) in std::iter::once(&u.name).chain(&u.aliases).zip(keys) {
                    if let Some(other) = owner.insert(k, u)
                        && other.id != u.id
                    {
                        errors.push(RegistryError::AmbiguousName {
                            name: n.clone(),
                            a: other.id.0.clone(),
                            b: u.id.0.clone(),
                            year,
                        });
                    }
                }
            }
        }
        if errors.is_empty() {
            let (mut by_name, mut by_alias) =
                (HashMap::<String, Vec<usize>>::new(), HashMap::<String, Vec<usize>>::new());
            for (i, keys) in keys.into_iter().enumerate() {
                let mut keys = keys.into_iter();
                by_name.entry(keys.next().expect("the name's key")).or_default().push(i);
                for k in keys {
                    by_alias.entry(k).or_default().push(i);
                }
            }
            // Units of one written name share one key: its bucket, whichever unit gives it.
            let mut as_written = HashMap::new();
            for bucket in by_name.values() {
                for u in bucket.iter().map(|&i| &units[i]).filter(|u| u.name.trim() == u.name) {
                    as_written.entry(u.name.clone()).or_insert_with(|| bucket.clone());
                }
            }
            Ok(Registry { units, lineage, by_id, by_name, by_alias, as_written })
        } else {
            errors.dedup();
            Err(errors)
        }
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    pub fn lineage(&self) -> &[Lineage] {
        &self.lineage
    }

    pub fn get(&self, id: &UnitId) -> Option<&Unit> {
        self.by_id.get(&id.0).map(|&i| &self.units[i])
    }

    pub fn of_kind(&self, kind: &str, year: i32) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(move |u| u.kind == kind && u.active_in(year))
    }

    /// Finds the unit of `kind` alive in `year` that a printed name means: by id,
    /// official name or alias, ignoring case and repeated spaces.
    pub fn resolve(&self, name: &str, kind: &str, year: i32) -> Result<(&Unit, Match), UnknownUnit> {
        // The first unit in registry order that is of the kind, alive, and matches.
        let first = |indices: &mut dyn Iterator<Item = usize>| {
            indices
                .filter(|&i| self.units[i].kind == kind && self.units[i].active_in(year))
                .min()
                .map(|i| &self.units[i])
        };
        // A name as written in the registry is in NFC, trimmed, and has its name's key: the
        // same units as below, found without making the key.
        if let Some(named) = self.as_written.get(name) {
            let by_id = self.by_id.get(name).copied();
            if let Some(u) = first(&mut named.iter().copied().chain(by_id)) {
                return Ok((u, Match::Name));
            }
        }
        let name = &*nfc(name);
        let k = key(name);
        let by_id = self.by_id.get(name.trim()).copied();
        let named = self.by_name.get(&k).into_iter().flatten().copied();
        if let Some(u) = first(&mut named.chain(by_id)) {
            return Ok((u, Match::Name));
        }
        if let Some(u) = first(&mut self.by_alias.get(&k).into_iter().flatten().copied()) {
            return Ok((u, Match::Alias));
        }
        let mut scored: Vec<(usize, &str)> = self
            .units
            .iter()
            .filter(|u| u.kind == kind)
            .flat_map(|u| std::iter::once(&u.name).chain(&u.aliases))
            .map(|n| (similarity_distance(&k, &key(n)), n.as_str()))
            .collect();
        scored.sort();
        let mut suggestions: Vec<String> = Vec::new();
        for (_, n) in scored {
            if !suggestions.iter().any(|s| s == n) {
                suggestions.push(n.to_string());
            }
            if suggestions.len() == 3 {
                break;
            }
        }
        Err(UnknownUnit { name: name.to_string(), suggestions })
    }

    /// Like [`Registry::resolve`] in `year`, else in any year: for tables whose printed
    /// year is itself doubtful.
    pub fn resolve_any_year(&self, name: &str, kind: &str, year: i32) -> Result<(&Unit, Match), UnknownUnit> {
        self.resolve(name, kind, year).or_else(|err| {
            let years: std::collections::BTreeSet<i32> =
                self.units.iter().flat_map(|u| [u.from, u.until]).flatten().collect();
            years.into_iter().rev().find_map(|y| self.resolve(name, kind, y).ok()).ok_or(err)
        })
    }

    /// The unit whose figures `unit` carries on in `year`: itself if it existed then,
    /// else the predecessor its lineage declares it continues (possibly over several steps).
    pub fn counterpart(&self, unit: &UnitId, year: i32) -> Option<&Unit> {
        let mut current = self.get(unit)?;
        for _ in 0..=self.lineage.len() {
            if current.active_in(year) {
                return Some(current);
            }
            let step = self
                .lineage
                .iter()
                .filter(|l| l.year > year && l.into.contains(&current.id))
                .min_by_key(|l| std::cmp::Reverse(l.year))?;
            match step.declared(&current.id)? {
                crate::lineage::Declared::Continues { from } => current = self.get(&from)?,
                _ => return None,
            }
        }
        None
    }

    /// How `unit` in `year` is compared with `since`, the one rule every comparison uses
    /// (scores, report, platform, auditor): a unit no change produced carries on itself;
    /// one produced by a change is compared as that change declares; over several
    /// changes, through the predecessors it continues. `None`: nothing declared.
    pub fn comparison_since(&self, unit: &UnitId, since: i32, year: i32) -> Option<crate::lineage::Declared> {
        use crate::lineage::Declared;
        let changes = self.changes_into(unit, since, year);
        match changes[..] {
            [] => Some(Declared::Continues { from: unit.clone() }),
            [one] => one.declared(unit),
            _ => self.counterpart(unit, since).map(|c| Declared::Continues { from: c.id.clone() }),
        }
    }

    /// The lineage events that produced `unit` after `since` and up to `year`.
    pub fn changes_into(&self, unit: &UnitId, since: i32, year: i32) -> Vec<&Lineage> {
        self.lineage.iter().filter(|l| l.year > since && l.year <= year && l.into.contains(unit)).collect()
    }
}

/// A name as looked up: lower case, words separated by one space (`to_lowercase` of the
/// joined words, made in one pass; a capital sigma, whose lower case depends on where it
/// stands, takes `to_lowercase` itself).
fn key(s: &str) -> String {
    if s.contains('Σ') {
        return s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// How far a typed name is from a known one, for suggestions: diacritics ignored
/// (people type "Giao duc" for "Giáo dục"), and a typed abbreviation of a long
/// official name counts as close to it.
fn similarity_distance(typed: &str, known: &str) -> usize {
    let (t, k) = (fold(typed), fold(known));
    let prefix: String = k.chars().take(t.chars().count()).collect();
    distance(&t, &k).min(distance(&t, &prefix) + 1)
}

/// Vietnamese letters to their base Latin letter.
fn fold(s: &str) -> String {
    const GROUPS: [(&str, char); 7] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ìíỉĩị", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ỳýỷỹỵ", 'y'),
        ("đ", 'd'),
    ];
    s.chars().map(|c| GROUPS.iter().find(|(set, _)| set.contains(c)).map_or(c, |(_, base)| *base)).collect()
}

/// Levenshtein distance over characters, for "did you mean" suggestions.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_the_joined_words_in_lower_case() {
        let reference = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        for s in [
            "Sở Y tế",
            "  SỞ   GIÁO\tdục  ",
            "UBND HUYỆN\u{a0}Bảo Lâm",
            "ΟΔΟΣ ΣΟΦΙΑΣ",
            "Σ",
            "AΣ.",
            "Xã Đơn vị 4456",
            "",
            "İstanbul ǅ",
        ] {
            assert_eq!(key(s), reference(s), "{s:?}");
        }
    }

    fn unit(id: &str, name: &str, aliases: &[&str], from: Option<i32>, until: Option<i32>) -> Unit {
        Unit {
            id: UnitId(id.into()),
            name: name.into(),
            kind: "district".into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            from,
            until,
        }
    }

    fn registry() -> Registry {
        Registry::new(
            vec![
                unit("quang-uyen", "Huyện Quảng Uyên", &[], None, Some(2019)),
                unit("phuc-hoa", "Huyện Phục Hòa", &[], None, Some(2019)),
                unit("quang-hoa", "Huyện Quảng Hòa", &["Huyện Quảng Uyên"], Some(2020), None),
                unit("cao-bang", "Thành phố Cao Bằng", &["TP.Cao Bằng"], None, None),
            ],
            vec![],
        )
        .unwrap()
    }

    #[test]
    fn names_are_nfc_and_ids_from_a_safe_alphabet() {
        use unicode_normalization::UnicodeNormalization;
        let decomposed: String = "Sở Y tế".nfd().collect();
        assert_ne!(decomposed, "Sở Y tế");
        // A decomposed row resolves to the unit; two units differing only in normal form clash.
        let r = Registry::new(vec![unit("so-y-te", &decomposed, &[], None, None)], vec![]).unwrap();
        assert_eq!(r.units()[0].name, "Sở Y tế");
        assert_eq!(r.resolve(&decomposed, "district", 2020).unwrap().0.id.0, "so-y-te");
        assert_eq!(r.resolve("Sở Y tế", "district", 2020).unwrap().0.id.0, "so-y-te");
        let twins =
            Registry::new(vec![unit("a", "Sở Y tế", &[], None, None), unit("b", &decomposed, &[], None, None)], vec![]);
        assert!(matches!(twins.unwrap_err()[..], [RegistryError::AmbiguousName { .. }]));
        for bad in ["sở-y-tế", "so y te", "so/y/te", "-so", "", "so%"] {
            let e = Registry::new(vec![unit(bad, "X", &[], None, None)], vec![]).unwrap_err();
            assert!(e.contains(&RegistryError::BadId(bad.into())), "{bad}: {e:?}");
        }
        assert!(valid_id("so-y-te") && valid_id("AFG") && valid_id("don_vi_2"));
    }

    #[test]
    fn a_name_means_the_unit_alive_that_year() {
        let r = registry();
        assert_eq!(r.resolve("Huyện Quảng Uyên", "district", 2019).unwrap().0.id.0, "quang-uyen");
        let (u, how) = r.resolve("Huyện  quảng uyên", "district", 2020).unwrap();
        assert_eq!((u.id.0.as_str(), how), ("quang-hoa", Match::Alias));
        assert_eq!(r.resolve("TP.Cao Bằng", "district", 2020).unwrap().0.id.0, "cao-bang");
        // Written exactly as the unit of 2019 is named, in 2020 it is the alias of its successor.
        let (u, how) = r.resolve("Huyện Quảng Uyên", "district", 2020).unwrap();
        assert_eq!((u.id.0.as_str(), how), ("quang-hoa", Match::Alias));
    }

    #[test]
    fn a_name_as_written_resolves_as_any_other_spelling_of_it() {
        // A name reused in another case by the unit that followed: the one alive that year.
        let units = vec![
            unit("xa-a", "Xã A", &[], None, Some(2019)),
            unit("xa-a-moi", "xã a", &["Xã Mới"], Some(2020), None),
            unit("cao-bang", "Thành phố Cao Bằng", &["TP.Cao Bằng"], None, None),
        ];
        let r = Registry::new(units.clone(), vec![]).unwrap();
        assert_eq!(r.resolve("Xã A", "district", 2020).unwrap().0.id.0, "xa-a-moi");
        assert_eq!(r.resolve("xã a", "district", 2019).unwrap().0.id.0, "xa-a");
        // Spaced around, a name is not as written: looked up by its key, it means the same.
        for u in &units {
            for name in std::iter::once(&u.name).chain(&u.aliases).chain([&u.id.0]) {
                for year in [2018, 2019, 2020, 2021] {
                    let spaced = format!(" {name} ");
                    let (a, b) = (r.resolve(name, "district", year), r.resolve(&spaced, "district", year));
                    assert_eq!(
                        a.map(|(u, m)| (&u.id, m)),
                        b.map(|(u, m)| (&u.id, m)).map_err(|mut e| {
                            e.name = name.clone();
                            e
                        }),
                        "{name} in {year}"
                    );
                }
            }
        }
    }

    #[test]
    fn unknown_names_come_with_the_closest_known_ones() {
        let err = registry().resolve("Huyện Quang Hoa", "district", 2020).unwrap_err();
        assert_eq!(err.suggestions[0], "Huyện Quảng Hòa");
    }

    #[test]
    fn two_live_units_cannot_share_a_name() {
        let err = Registry::new(
            vec![unit("a", "Huyện A", &[], None, None), unit("b", "Huyện B", &["Huyện A"], None, None)],
            vec![],
        )
        .unwrap_err();
        assert!(matches!(err[0], RegistryError::AmbiguousName { .. }), "{err:?}");
    }
}

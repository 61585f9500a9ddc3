//! What the document says, all tables together: every printed value keyed by unit,
//! year and criterion; tables whose header disagrees with what their values match
//! elsewhere (relabelled before anything else is compared); values printed two ways
//! (with the one the document's own sums support); and the values recomputed from
//! their parts that the narrative is checked against.

use crate::check::tables::Fits;
use crate::context::Ctx;
use crate::finding::{Finding, Severity};
use crate::model::Num;
use crate::recognize::Role;
use chiso_domain::Decimal;
use chiso_domain::unit::UnitId;
use std::collections::{BTreeMap, BTreeSet};

/// The document's units in id order. Keys carry a unit's position here instead of a
/// clone of its id: a national workbook prints millions of values.
pub struct UnitIndex(Vec<UnitId>);

impl UnitIndex {
    pub fn new(ctx: &Ctx) -> UnitIndex {
        let mut ids: Vec<&UnitId> = ctx.tables.iter().flat_map(|t| &t.rows).filter_map(|r| r.unit.as_ref()).collect();
        ids.sort_unstable();
        ids.dedup();
        UnitIndex(ids.into_iter().cloned().collect())
    }

    /// The unit's position, which orders units as their ids do.
    pub fn of(&self, unit: &UnitId) -> Option<u32> {
        self.0.binary_search(unit).ok().map(|i| i as u32)
    }
}

/// Framework, unit (its [`UnitIndex`] position), criterion (`None`: the total), year.
pub type Key = (u32, u32, Option<u32>, i32);

/// A printed value: its key and cell. `u32` positions: readers cap a table at 20,000 rows.
#[derive(Debug, Clone)]
pub struct Obs {
    pub key: Key,
    pub table: u32,
    pub row: u32,
    pub col: u32,
}

impl Obs {
    /// The number printed, read from its cell rather than kept in each of millions of `Obs`.
    pub fn num(&self, ctx: &Ctx) -> Num {
        ctx.num(self.table as usize, self.row as usize, self.col as usize).expect("an observation is a printed number")
    }
}

pub fn key_of(role: Role) -> Option<(Option<u32>, i32)> {
    match role {
        Role::Total(y) => Some((None, y)),
        Role::Crit(c, y) => Some((Some(c as u32), y)),
        _ => None,
    }
}

/// Every printed value, sorted by key; a key's values stay in document order.
pub struct Observations(Vec<Obs>);

impl Observations {
    /// The values printed under a key.
    pub fn get(&self, key: &Key) -> &[Obs] {
        let start = self.0.partition_point(|o| o.key < *key);
        let len = self.0[start..].partition_point(|o| o.key == *key);
        &self.0[start..start + len]
    }

    /// The values of each key, in key order.
    pub fn groups(&self) -> impl Iterator<Item = &[Obs]> {
        self.0.chunk_by(|a, b| a.key == b.key)
    }
}

pub fn observations(ctx: &Ctx, units: &UnitIndex) -> Observations {
    // Counted first: the list is the auditor's largest, and growing it would double it.
    let count: usize = ctx
        .tables
        .iter()
        .enumerate()
        .map(|(ti, t)| {
            let rows = t.rows.iter().filter(|r| !r.no_data && r.unit.is_some());
            rows.map(|r| {
                t.columns.iter().filter(|c| key_of(c.role).is_some() && ctx.num(ti, r.row, c.col).is_some()).count()
            })
            .sum::<usize>()
        })
        .sum();
    let mut out = Vec::with_capacity(count);
    for (ti, t) in ctx.tables.iter().enumerate() {
        for row in t.rows.iter().filter(|r| !r.no_data) {
            let Some(u) = row.unit.as_ref().and_then(|u| units.of(u)) else { continue };
            for col in &t.columns {
                let (Some((c, y)), Some(_)) = (key_of(col.role), ctx.num(ti, row.row, col.col)) else { continue };
                out.push(Obs {
                    key: (t.framework as u32, u, c, y),
                    table: ti as u32,
                    row: row.row as u32,
                    col: col.col as u32,
                });
            }
        }
    }
    // A key's values stay in document order: the tables, their rows and columns are listed
    // in order, so the cell breaks ties as pushing did (an unstable sort needs no buffer).
    out.sort_unstable_by_key(|o| (o.key, o.table, o.row, o.col));
    Observations(out)
}

/// A relabelling worth applying: its gain, the table, the new roles, how it scores.
type Candidate = (i64, usize, Vec<(usize, Role)>, Score);

/// One value per unit, year and criterion, sorted by key.
pub struct Consensus(Vec<(Key, Num)>);

impl Consensus {
    pub fn get(&self, key: &Key) -> Option<Num> {
        self.0.binary_search_by_key(key, |(k, _)| *k).ok().map(|i| self.0[i].1)
    }
}

#[derive(Default)]
struct Score {
    agree: i64,
    disagree: i64,
    values: BTreeSet<Decimal>,
    /// Per column: the other tables that agree, and the units (positions) they agree on.
    by: BTreeMap<usize, (BTreeSet<usize>, BTreeSet<u32>)>,
}

/// How a table's values fare against the other tables under a labelling of its columns.
fn score(ctx: &Ctx, units: &UnitIndex, obs: &Observations, ti: usize, roles: &[(usize, Role)]) -> Score {
    let t = &ctx.tables[ti];
    let mut s = Score::default();
    for row in t.rows.iter().filter(|r| !r.no_data) {
        let Some(u) = row.unit.as_ref().and_then(|u| units.of(u)) else { continue };
        for &(col, role) in roles {
            let (Some((c, y)), Some(n)) = (key_of(role), ctx.num(ti, row.row, col)) else { continue };
            let mut per_table: BTreeMap<usize, bool> = BTreeMap::new();
            for o in obs.get(&(t.framework as u32, u, c, y)).iter().filter(|o| o.table as usize != ti) {
                *per_table.entry(o.table as usize).or_insert(false) |= o.num(ctx).value == n.value;
            }
            for (other, equal) in per_table {
                if equal {
                    s.agree += 1;
                    let by = s.by.entry(col).or_default();
                    by.0.insert(other);
                    by.1.insert(u);
                    s.values.insert(n.value);
                } else {
                    s.disagree += 1;
                }
            }
        }
    }
    s
}

/// Relabels the columns of tables whose values match other tables only under another
/// year (the whole table's years shifted) or another criterion (one header group), and
/// reports each such header. One table at a time, the clearest case first.
pub fn relabel(ctx: &mut Ctx, units: &UnitIndex) -> Vec<Finding> {
    let mut findings = Vec::new();
    for _ in 0..=ctx.tables.len().min(40) {
        let obs = observations(ctx, units);
        // (gain, table, new roles, score)
        let mut best: Option<Candidate> = None;
        for ti in 0..ctx.tables.len() {
            let t = &ctx.tables[ti];
            let points: Vec<(usize, Role)> =
                t.columns.iter().filter(|c| c.role.is_points()).map(|c| (c.col, c.role)).collect();
            if score(ctx, units, &obs, ti, &points).disagree == 0 {
                continue;
            }
            // Hypotheses, each a set of columns with new roles: every printed year shifted, or
            // every column of one criterion given to another criterion.
            let mut hypotheses: Vec<Vec<(usize, Role)>> = Vec::new();
            for shift in [-2, -1, 1, 2] {
                let roles: Vec<(usize, Role)> = t
                    .columns
                    .iter()
                    .filter(|c| c.role.is_points() && c.year_cell.is_some())
                    .filter_map(|c| Some((c.col, c.role.with_year(c.role.year()? + shift))))
                    .collect();
                if !roles.is_empty() {
                    hypotheses.push(roles);
                }
            }
            let crits: BTreeSet<usize> = t
                .columns
                .iter()
                .filter_map(|c| match c.role {
                    Role::Crit(k, _) => Some(k),
                    _ => None,
                })
                .collect();
            let n = ctx.frameworks[t.framework].criteria.len();
            for k in crits {
                for other in (0..n).filter(|&o| o != k) {
                    let roles: Vec<(usize, Role)> = t
                        .columns
                        .iter()
                        .filter_map(|c| match c.role {
                            Role::Crit(x, y) if x == k => Some((c.col, Role::Crit(other, y))),
                            _ => None,
                        })
                        .collect();
                    hypotheses.push(roles);
                }
            }
            for h in hypotheses {
                let declared: Vec<(usize, Role)> =
                    h.iter().filter_map(|(col, _)| t.column(*col).map(|c| (*col, c.role))).collect();
                let d = score(ctx, units, &obs, ti, &declared);
                if d.disagree == 0 {
                    continue;
                }
                let s = score(ctx, units, &obs, ti, &h);
                let base = d.agree - d.disagree;
                if s.disagree == 0 && s.agree >= 3 && s.values.len() >= 2 && s.agree > base {
                    let gain = s.agree - base;
                    if best.as_ref().is_none_or(|(g, ..)| gain > *g) {
                        best = Some((gain, ti, h, s));
                    }
                }
            }
        }
        let Some((_, ti, roles, s)) = best else { break };
        findings.extend(report_relabel(ctx, ti, &roles, &s));
        let t = &mut ctx.tables[ti];
        for (col, role) in roles {
            if let Some(c) = t.columns.iter_mut().find(|c| c.col == col) {
                c.role = role;
            }
        }
        if let Some(y) = t.columns.iter().filter(|c| c.role.is_points()).filter_map(|c| c.role.year()).max() {
            t.year = y;
        }
    }
    findings
}

fn report_relabel(ctx: &Ctx, ti: usize, roles: &[(usize, Role)], s: &Score) -> Vec<Finding> {
    let t = &ctx.tables[ti];
    let fw = &ctx.frameworks[t.framework];
    let support = |cols: &[usize]| {
        let mut tables: BTreeSet<usize> = BTreeSet::new();
        let mut units: BTreeSet<u32> = BTreeSet::new();
        for c in cols {
            if let Some((t, u)) = s.by.get(c) {
                tables.extend(t);
                units.extend(u);
            }
        }
        let names: Vec<String> = tables.iter().map(|&o| ctx.tables[o].name.clone()).collect();
        (names.join(", "), units.len())
    };
    let mut out = Vec::new();
    let mut done: BTreeSet<(usize, usize)> = BTreeSet::new();
    for &(col, role) in roles {
        let Some(c) = t.column(col) else { continue };
        if c.role == role {
            continue;
        }
        match (c.role, role) {
            (Role::Crit(a, _), Role::Crit(b, _)) if a != b => {
                let Some((r, k, text)) = &c.name_cell else { continue };
                if !done.insert((*r, *k)) {
                    continue;
                }
                let group: Vec<usize> = t
                    .columns
                    .iter()
                    .filter(|x| x.name_cell.as_ref().map(|(r2, k2, _)| (r2, k2)) == Some((r, k)))
                    .map(|x| x.col)
                    .collect();
                let (by, units) = support(&group);
                let (old, new) = (fw.criterion(a).label(), fw.criterion(b).label());
                // A machine header ("transaction_2019") is corrected in kind.
                let (old_id, new_id) = (&fw.criterion(a).id.0, &fw.criterion(b).id.0);
                let expected = match text.strip_prefix(old_id.as_str()) {
                    Some(rest) if rest.starts_with('_') => format!("{new_id}{rest}"),
                    _ => new.to_string(),
                };
                let mut loc = ctx.cell_location(ti, *r, *k);
                loc.column = Some(c.label.clone());
                out.push(
                    Finding::new(Severity::Error, "header", loc).printed(text.clone()).expected(expected).say(
                        format!(
                            "Cột ghi tiêu chí \"{old}\" nhưng số liệu là của tiêu chí \"{new}\": giá trị của {units} đơn vị \
                             trùng với {new} ở {by}"
                        ),
                        format!(
                            "The column is headed \"{old}\" but holds the values of \"{new}\": the values of {units} units \
                             equal {new} in {by}"
                        ),
                    ),
                );
            }
            (old, new) => {
                let (Some(yo), Some(yn)) = (old.year(), new.year()) else { continue };
                let Some((r, k, text)) = &c.year_cell else { continue };
                if !done.insert((*r, *k)) {
                    continue;
                }
                let (by, units) = support(&[col]);
                let mut loc = ctx.cell_location(ti, *r, *k);
                loc.column = Some(c.label.clone());
                out.push(
                    Finding::new(Severity::Error, "header", loc)
                        .printed(text.clone())
                        .expected(text.replace(&yo.to_string(), &yn.to_string()))
                        .say(
                            format!(
                                "Tiêu đề ghi năm {yo} nhưng cột chứa số liệu năm {yn}: giá trị của {units} đơn vị trùng với \
                                 số liệu năm {yn} ở {by}"
                            ),
                            format!(
                                "The header says {yo} but the column holds the {yn} values: the values of {units} units equal \
                                 the {yn} values in {by}"
                            ),
                        ),
                );
            }
        }
    }
    out
}

/// The values printed for the same unit, year and criterion in different tables.
/// `consistent[(table, row, col)]` says whether a printed value agrees with the sums of
/// its own row; the value the document's sums support is taken as the reference.
pub fn conflicts(ctx: &Ctx, obs: &Observations, consistent: &Fits) -> (Vec<Finding>, Consensus) {
    let mut findings = Vec::new();
    let mut consensus = Vec::with_capacity(obs.groups().count());
    for group in obs.groups() {
        let key = group[0].key;
        let list: Vec<(&Obs, Num)> = group.iter().map(|o| (o, o.num(ctx))).collect();
        let mut values: Vec<Decimal> = Vec::new();
        for (_, n) in &list {
            if !values.contains(&n.value) {
                values.push(n.value);
            }
        }
        let support = |v: Decimal| {
            let with: Vec<&Obs> = list.iter().filter(|(_, n)| n.value == v).map(|(o, _)| *o).collect();
            let sums = with.iter().any(|o| consistent.get(&(o.table, o.row, o.col)) == Some(&true));
            let tables: BTreeSet<u32> = with.iter().map(|o| o.table).collect();
            let first = with.iter().map(|o| o.table).min().unwrap_or(u32::MAX);
            (sums, tables.len(), std::cmp::Reverse(first))
        };
        let Some(reference) = values.iter().copied().max_by_key(|v| support(*v)) else { continue };
        let ref_obs: Vec<&(&Obs, Num)> = list.iter().filter(|(_, n)| n.value == reference).collect();
        let ref_num = ref_obs.iter().map(|(_, n)| *n).max_by_key(|n| n.decimals).unwrap_or(list[0].1);
        // Groups come in key order, so the consensus is sorted as it is built.
        consensus.push((key, ref_num));
        if values.len() < 2 {
            continue;
        }
        let ref_tables: BTreeSet<u32> = ref_obs.iter().map(|(o, _)| o.table).collect();
        let (fw, _, crit, year) = key;
        let label = ctx.criterion_label(fw as usize, crit.map(|c| c as usize));
        let where_ref: Vec<String> = ref_tables.iter().map(|&t| ctx.tables[t as usize].name.clone()).collect();
        let by_sums = support(reference).0;
        for (o, num) in list.iter().filter(|(_, n)| n.value != reference) {
            let (table, row, col) = (o.table as usize, o.row as usize, o.col as usize);
            let printed = ctx.text(table, row, col).to_string();
            let expected = ctx.fmt(reference, num.decimals);
            let why_vi =
                if by_sums { " (giá trị này khớp với tổng các phần trong bảng đó)" } else { "" };
            let why_en = if by_sums { " (that value agrees with its table's sums)" } else { "" };
            findings.push(
                Finding::new(Severity::Error, "conflict", ctx.cell_location(table, row, col))
                    .unit(ctx.unit_text(table, row))
                    .printed(printed.clone())
                    .expected(expected.clone())
                    .say(
                        format!(
                            "Cùng đơn vị, tiêu chí {label} năm {year}: bảng này in {printed}, còn {} in {expected}{why_vi}",
                            where_ref.join(", ")
                        ),
                        format!(
                            "Same unit, {label}, {year}: this table prints {printed} but {} prints {expected}{why_en}",
                            where_ref.join(", ")
                        ),
                    ),
            );
        }
    }
    (findings, Consensus(consensus))
}

/// The document's values, one per unit, year and criterion, with what they add up to.
pub struct Facts {
    pub values: Consensus,
    /// The units the keys of `values` stand for.
    pub index: UnitIndex,
    /// Units with figures, per framework and year, in the order the document first lists them.
    pub units: BTreeMap<(usize, i32), Vec<UnitId>>,
    /// Units whose row says they sent no data, per framework and year.
    pub no_data: BTreeMap<(usize, i32), Vec<UnitId>>,
    /// Printed ranks per framework, unit and year.
    pub ranks: BTreeMap<(usize, UnitId, i32), Decimal>,
    /// The name each unit is first printed with.
    pub names: BTreeMap<UnitId, String>,
}

impl Facts {
    pub fn build(ctx: &Ctx, index: UnitIndex, values: Consensus) -> Facts {
        let mut units: BTreeMap<(usize, i32), Vec<UnitId>> = BTreeMap::new();
        let mut no_data: BTreeMap<(usize, i32), Vec<UnitId>> = BTreeMap::new();
        let mut ranks = BTreeMap::new();
        let mut names = BTreeMap::new();
        // Each list's units, to add each once without searching the list (thousands of units
        // in each of a national workbook's hundred tables).
        let mut listed: std::collections::HashSet<(bool, usize, i32, &UnitId)> = std::collections::HashSet::new();
        for (ti, t) in ctx.tables.iter().enumerate() {
            for row in &t.rows {
                let Some(u) = &row.unit else { continue };
                names.entry(u.clone()).or_insert_with(|| row.unit_text.clone());
                if row.no_data {
                    if listed.insert((false, t.framework, t.year, u)) {
                        no_data.entry((t.framework, t.year)).or_default().push(u.clone());
                    }
                    continue;
                }
                for col in &t.columns {
                    match col.role {
                        Role::Rank(y) => {
                            if let Some(n) = ctx.num(ti, row.row, col.col) {
                                ranks.entry((t.framework, u.clone(), y)).or_insert(n.value);
                            }
                        }
                        r if r.is_points() => {
                            if ctx.num(ti, row.row, col.col).is_some()
                                && let Some(y) = r.year()
                                && listed.insert((true, t.framework, y, u))
                            {
                                units.entry((t.framework, y)).or_default().push(u.clone());
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        Facts { values, index, units, no_data, ranks, names }
    }

    pub fn printed(&self, fw: usize, unit: &UnitId, c: Option<usize>, year: i32) -> Option<Num> {
        self.printed_at(fw, self.index.of(unit)?, c, year)
    }

    fn printed_at(&self, fw: usize, unit: u32, c: Option<usize>, year: i32) -> Option<Num> {
        self.values.get(&(fw as u32, unit, c.map(|c| c as u32), year))
    }

    /// The value recomputed from the lowest-level values printed (a group from its
    /// criteria, the total from its groups), else the value printed.
    pub fn exact(&self, ctx: &Ctx, fw: usize, unit: &UnitId, c: Option<usize>, year: i32) -> Option<Decimal> {
        self.exact_at(ctx, fw, self.index.of(unit)?, c, year)
    }

    fn exact_at(&self, ctx: &Ctx, fw: usize, unit: u32, c: Option<usize>, year: i32) -> Option<Decimal> {
        let f = &ctx.frameworks[fw];
        let children: &[usize] = match c {
            None => &f.roots,
            Some(i) => &f.criterion(i).children,
        };
        if !children.is_empty() {
            let parts: Option<Vec<Decimal>> =
                children.iter().map(|&k| self.exact_at(ctx, fw, unit, Some(k), year)).collect();
            if let Some(parts) = parts {
                return Some(parts.into_iter().sum());
            }
        }
        self.printed_at(fw, unit, c, year).map(|n| n.value)
    }

    /// The units with figures in a year, excluding those whose rows say they sent none.
    pub fn units_with_data(&self, fw: usize, year: i32) -> Vec<UnitId> {
        let none: std::collections::HashSet<&UnitId> = self.no_data.get(&(fw, year)).into_iter().flatten().collect();
        self.units
            .get(&(fw, year))
            .map(|l| l.iter().filter(|u| !none.contains(u)).cloned().collect())
            .unwrap_or_default()
    }

    pub fn name(&self, unit: &UnitId) -> String {
        self.names.get(unit).cloned().unwrap_or_else(|| unit.0.clone())
    }
}

//! What each table is: which framework and unit kind, what every column holds (unit,
//! level, rank, total, a criterion, in which year), where the maximum row and the unit
//! rows are. Recognized by the printed headers (criterion names, short names, aliases,
//! ids; "Năm 2020"; "Tổng điểm", "Mức xếp hạng", "Thứ tự xếp hạng") and units by the
//! registry's names and aliases. Nothing here knows any particular report.

use crate::model::{Block, Cell, Document, Table};
use crate::text::{norm, year};
use chiso_domain::framework::Framework;
use chiso_domain::unit::{Registry, UnitId, UnknownUnit};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Index,
    Unit,
    Level(i32),
    Rank(i32),
    Total(i32),
    /// A criterion (index into the framework's criteria) in a year.
    Crit(usize, i32),
    Note,
}

impl Role {
    pub fn year(self) -> Option<i32> {
        match self {
            Role::Level(y) | Role::Rank(y) | Role::Total(y) | Role::Crit(_, y) => Some(y),
            _ => None,
        }
    }

    pub fn with_year(self, y: i32) -> Role {
        match self {
            Role::Level(_) => Role::Level(y),
            Role::Rank(_) => Role::Rank(y),
            Role::Total(_) => Role::Total(y),
            Role::Crit(c, _) => Role::Crit(c, y),
            r => r,
        }
    }

    /// A column of points (a criterion or the total).
    pub fn is_points(self) -> bool {
        matches!(self, Role::Total(_) | Role::Crit(..))
    }
}

/// A header cell: (row, column, text as printed).
pub type HeaderCell = (usize, usize, String);

#[derive(Debug, Clone)]
pub struct Column {
    pub col: usize,
    pub role: Role,
    /// The header texts above the column, top to bottom ("Thứ tự xếp hạng / Năm 2019").
    pub label: String,
    /// The header cell that printed the year, when one did: (row, column, text).
    pub year_cell: Option<HeaderCell>,
    /// The header cell that named the criterion or the total: (row, column, text).
    pub name_cell: Option<HeaderCell>,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub row: usize,
    pub unit_text: String,
    pub unit: Option<UnitId>,
    /// Boxed: rare, and a national workbook has hundreds of thousands of rows.
    pub unknown: Option<Box<UnknownUnit>>,
    /// The row says the unit sent no data (a merged cell of text instead of figures).
    pub no_data: bool,
}

#[derive(Debug, Clone)]
pub struct RTable {
    /// Position in the document's blocks.
    pub block: usize,
    /// "Bảng N" as printed, when there is one.
    pub number: Option<u32>,
    /// How findings name the table ("Bảng 8", a sheet's name, "Bảng thứ 3").
    pub name: String,
    /// The caption as printed.
    pub title: String,
    pub framework: usize,
    pub kind: String,
    pub columns: Vec<Column>,
    pub unit_col: usize,
    pub index_col: Option<usize>,
    pub header_rows: Vec<usize>,
    pub max_row: Option<usize>,
    pub rows: Vec<Row>,
    /// The latest year the table's headers print (else the document's year).
    pub year: i32,
}

impl RTable {
    pub fn column(&self, col: usize) -> Option<&Column> {
        self.columns.iter().find(|c| c.col == col)
    }
}

pub struct Recognized {
    pub year: Option<i32>,
    pub tables: Vec<RTable>,
}

/// "Bảng 12. …", "Bang 3", "Table 4:" → the number.
pub fn caption_number(text: &str) -> Option<u32> {
    let t = norm(text);
    let rest = ["bảng", "bang", "table"].iter().find_map(|w| t.strip_prefix(w))?;
    let rest = rest.trim_start_matches([' ', '.', ':']);
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    let after = rest[digits.len()..].chars().next();
    if after.is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    digits.parse().ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kw {
    Index,
    Unit,
    Level,
    Rank,
    Total,
    Note,
}

fn keyword(label: &str) -> Option<Kw> {
    let l = label.trim_end_matches([':', '.', '*', ' ']);
    let kw = match l {
        "tt" | "stt" | "số tt" | "số thứ tự" | "thứ tự" | "no" | "no." | "#" | "stt/tt" => Kw::Index,
        "đơn vị"
        | "tên đơn vị"
        | "tên cơ quan"
        | "cơ quan"
        | "cơ quan, đơn vị"
        | "cơ quan/đơn vị"
        | "đơn vị/cơ quan"
        | "unit"
        | "tên"
        | "huyện, thành phố"
        | "địa phương"
        | "tên địa phương"
        | "name" => Kw::Unit,
        "mức xếp hạng" | "mức xh" | "mức" | "xếp loại" | "level" | "mức độ xếp hạng" | "xếp mức" => {
            Kw::Level
        }
        "thứ tự xếp hạng"
        | "xếp hạng"
        | "thứ hạng"
        | "hạng"
        | "rank"
        | "vị trí"
        | "vị trí xếp hạng"
        | "thứ tự xh"
        | "tt xếp hạng"
        | "tt xh" => Kw::Rank,
        "tổng điểm" | "tổng" | "tổng cộng" | "total" | "tổng số điểm" | "điểm" | "tổng điểm đạt được" | "điểm tổng" => {
            Kw::Total
        }
        "ghi chú" | "note" | "notes" => Kw::Note,
        _ => return None,
    };
    Some(kw)
}

/// "Năm 2020", "2020", "năm 2020:" → 2020.
fn year_label(label: &str) -> Option<i32> {
    let l = label.trim_end_matches([':', '.', ' ']);
    year(l.strip_prefix("năm").map_or(l, str::trim))
}

/// "infra_2020" → ("infra", 2020).
fn machine_label(label: &str) -> Option<(&str, i32)> {
    let (base, y) = label.rsplit_once('_')?;
    Some((base, year(y)?))
}

/// Every printed form of every criterion of a framework, normalized.
pub struct CriterionNames {
    forms: HashMap<String, (usize, bool)>,
}

impl CriterionNames {
    pub fn new(fw: &Framework) -> CriterionNames {
        let mut forms = HashMap::new();
        for (i, c) in fw.criteria.iter().enumerate() {
            // Ids name a column of points only for scored-directly leaves and groups: a raw
            // figure column of a leaf with another rule is not its points.
            let id_is_points = c.rule.as_ref().is_none_or(|r| *r == chiso_domain::Rule::Direct);
            if id_is_points {
                forms.entry(norm(&c.id.0)).or_insert((i, true));
            }
            for f in std::iter::once(&c.name).chain(&c.short_name).chain(&c.aliases) {
                forms.insert(norm(f), (i, false));
            }
        }
        CriterionNames { forms }
    }

    /// The criterion a header names, trying it with and without "Tiêu chí", "Nhóm tiêu chí", "Điểm".
    pub fn find(&self, label: &str) -> Option<usize> {
        let l = label.trim_end_matches([':', '.', '*', ' ']);
        let mut candidates = vec![l];
        for p in ["nhóm tiêu chí ", "tiêu chí ", "điểm ", "chỉ số "] {
            if let Some(rest) = l.strip_prefix(p) {
                candidates.push(rest);
            }
        }
        candidates.into_iter().find_map(|c| self.forms.get(c).map(|(i, _)| *i))
    }
}

/// Every name and alias of every unit of each kind, normalized (any year).
struct UnitNames {
    by_kind: HashMap<String, HashSet<String>>,
}

impl UnitNames {
    fn new(registry: &Registry) -> UnitNames {
        let mut by_kind: HashMap<String, HashSet<String>> = HashMap::new();
        for u in registry.units() {
            let set = by_kind.entry(u.kind.clone()).or_default();
            set.insert(norm(&u.name));
            for a in &u.aliases {
                set.insert(norm(a));
            }
        }
        UnitNames { by_kind }
    }

    fn is_unit(&self, text: &str) -> bool {
        let t = norm(text);
        self.by_kind.values().any(|s| s.contains(&t))
    }

    fn kind_of(&self, text: &str) -> Option<&str> {
        let t = norm(text);
        self.by_kind.iter().find(|(_, s)| s.contains(&t)).map(|(k, _)| k.as_str())
    }
}

/// The report's year: the year table headers print most often (the latest on a tie),
/// else the one its paragraphs name most often.
fn document_year(doc: &Document) -> Option<i32> {
    let mut counts: HashMap<i32, usize> = HashMap::new();
    for b in &doc.blocks {
        if let Block::Table(t) = b {
            for row in t.rows.iter().take(8) {
                for c in row.iter().filter(|c| c.origin.is_none()) {
                    let n = norm(&c.text);
                    if let Some(y) = year_label(&n).or_else(|| machine_label(&n).map(|(_, y)| y)) {
                        *counts.entry(y).or_default() += 1;
                    }
                }
            }
        }
    }
    if counts.is_empty() {
        for b in &doc.blocks {
            if let Block::Paragraph(p) = b {
                let t = norm(&p.text);
                for (i, _) in t.match_indices("năm ") {
                    if let Some(y) = t.get(i + "năm ".len()..i + "năm ".len() + 4).and_then(year) {
                        *counts.entry(y).or_default() += 1;
                    }
                }
            }
        }
    }
    counts.into_iter().max_by_key(|(y, n)| (*n, *y)).map(|(y, _)| y)
}

pub fn recognize(doc: &Document, frameworks: &[Framework], registry: &Registry) -> Recognized {
    let year = document_year(doc);
    let names = UnitNames::new(registry);
    let criteria: Vec<CriterionNames> = frameworks.iter().map(CriterionNames::new).collect();
    let mut tables = Vec::new();
    let mut ordinal = 0;
    for (i, b) in doc.blocks.iter().enumerate() {
        if let Block::Table(t) = b {
            ordinal += 1;
            if let Some(rt) = table(t, i, ordinal, year, frameworks, &criteria, registry, &names) {
                tables.push(rt);
            }
        }
    }
    Recognized { year, tables }
}

fn distinct_texts(t: &Table, r: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in 0..t.width() {
        let text = t.effective(r, c).map(|c| c.text.trim()).unwrap_or("");
        if !text.is_empty() && !out.iter().any(|o| o == text) {
            out.push(text.to_string());
        }
    }
    out
}

/// "(1) (2) (3) …" or "1 2 3 …" under the headers: numbers of the columns.
fn column_numbers_row(t: &Table, r: usize) -> bool {
    let mut numbers = Vec::new();
    for c in 0..t.width() {
        let Some(cell) = t.rows[r].get(c).filter(|c| c.origin.is_none()) else { continue };
        let s = cell.text.trim();
        if s.is_empty() {
            continue;
        }
        let inner = s.strip_prefix('(').and_then(|s| s.strip_suffix(')')).unwrap_or(s);
        match inner.parse::<u32>() {
            Ok(n) if inner.len() <= 3 => numbers.push(n),
            _ => return false,
        }
    }
    numbers.len() >= 3 && numbers.windows(2).all(|w| w[1] > w[0])
}

fn is_header_row(t: &Table, r: usize, names: &UnitNames) -> bool {
    if column_numbers_row(t, r) {
        return true;
    }
    for c in 0..t.width() {
        let Some(cell) = t.rows[r].get(c).filter(|c| c.origin.is_none()) else { continue };
        let n = norm(&cell.text);
        if n.is_empty() {
            continue;
        }
        if n.contains("điểm tối đa") || names.is_unit(&cell.text) {
            return false;
        }
        if cell.number.is_some() && year(&n).is_none() {
            return false;
        }
    }
    true
}

fn is_aggregate(unit_text: &str) -> bool {
    let n = norm(unit_text);
    ["tổng", "cộng", "trung bình", "bình quân", "điểm trung bình", "total", "average"].iter().any(|p| n.starts_with(p))
}

#[allow(clippy::too_many_arguments)]
fn table(
    t: &Table,
    block: usize,
    ordinal: usize,
    doc_year: Option<i32>,
    frameworks: &[Framework],
    criteria: &[CriterionNames],
    registry: &Registry,
    names: &UnitNames,
) -> Option<RTable> {
    let n = t.rows.len();
    let width = t.width();
    if n < 2 || width < 2 {
        return None;
    }
    // Caption lines above the headers (a spreadsheet's title row).
    let mut caption = t.caption.clone();
    let mut r = 0;
    while r < n && r < 6 {
        let texts = distinct_texts(t, r);
        if texts.len() > 1 {
            break;
        }
        if let Some(text) = texts.first() {
            if names.is_unit(text) {
                break;
            }
            if caption.is_none() {
                caption = Some(text.clone());
            }
        }
        r += 1;
    }
    let mut header_rows = Vec::new();
    let mut number_rows = Vec::new();
    while r < n && header_rows.len() + number_rows.len() < 8 && is_header_row(t, r, names) {
        if column_numbers_row(t, r) {
            number_rows.push(r);
        } else if !distinct_texts(t, r).is_empty() {
            header_rows.push(r);
        }
        r += 1;
    }
    if header_rows.is_empty() {
        return None;
    }
    let body: Vec<usize> = (r..n).collect();

    // The header texts above each column, with the cell that printed them.
    let labels: Vec<Vec<(usize, usize, String, String)>> = (0..width)
        .map(|c| {
            let mut out: Vec<(usize, usize, String, String)> = Vec::new();
            for &hr in &header_rows {
                let (or, oc) = t.rows[hr][c].merged_from().unwrap_or((hr, c));
                let Some(cell) = t.rows.get(or).and_then(|row| row.get(oc)) else { continue };
                let text = cell.text.trim().to_string();
                if text.is_empty() || out.iter().any(|(r2, c2, _, _)| (*r2, *c2) == (or, oc)) {
                    continue;
                }
                out.push((or, oc, norm(&text), text));
            }
            out
        })
        .collect();

    // The unit column: headed as such, else the one naming the most known units.
    let unit_col =
        (0..width).find(|&c| labels[c].iter().any(|(_, _, l, _)| keyword(l) == Some(Kw::Unit))).or_else(|| {
            (0..width)
                .map(|c| {
                    (c, body.iter().filter(|&&r| t.effective(r, c).is_some_and(|x| names.is_unit(&x.text))).count())
                })
                .filter(|(_, k)| *k > 0)
                .max_by_key(|(c, k)| (*k, std::cmp::Reverse(*c)))
                .map(|(c, _)| c)
        })?;

    // The kind: the one most unit names belong to.
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    for &r in &body {
        if let Some(k) = t.effective(r, unit_col).and_then(|x| names.kind_of(&x.text)) {
            *kinds.entry(k).or_default() += 1;
        }
    }
    let label_matches = |f: usize| {
        (0..width)
            .filter(|&c| {
                labels[c].iter().any(|(_, _, l, _)| {
                    criteria[f].find(l).is_some()
                        || machine_label(l).is_some_and(|(b, _)| criteria[f].find(b).is_some())
                })
            })
            .count()
    };
    let kind: Option<String> =
        kinds.into_iter().max_by_key(|(k, n)| (*n, std::cmp::Reverse(*k))).map(|(k, _)| k.to_string());
    let table_year = (0..width)
        .flat_map(|c| {
            labels[c].iter().filter_map(|(_, _, l, _)| year_label(l).or_else(|| machine_label(l).map(|(_, y)| y)))
        })
        .max()
        .or(doc_year)
        .unwrap_or(0);
    let candidates: Vec<usize> = (0..frameworks.len())
        .filter(|&f| kind.as_deref().is_none_or(|k| frameworks[f].unit_kind == k))
        .filter(|&f| label_matches(f) > 0)
        .collect();
    let framework = candidates.into_iter().max_by_key(|&f| {
        let fw = &frameworks[f];
        let in_years = fw.years.0 <= table_year && fw.years.1.is_none_or(|to| table_year <= to);
        (label_matches(f), in_years)
    })?;
    let fw = &frameworks[framework];
    let kind = kind.unwrap_or_else(|| fw.unit_kind.clone());

    // Column roles, from the most specific header text up.
    let mut columns = Vec::new();
    let mut index_col = None;
    for (c, column_labels) in labels.iter().enumerate() {
        if c == unit_col {
            continue;
        }
        let mut year_cell = None;
        let mut role: Option<(Role, Option<HeaderCell>)> = None;
        for (hr, hc, l, text) in column_labels.iter().rev() {
            if let Some(y) = year_label(l) {
                if year_cell.is_none() {
                    year_cell = Some((*hr, *hc, text.clone(), y));
                }
                continue;
            }
            if role.is_some() {
                continue;
            }
            let (base, y) = match machine_label(l) {
                Some((b, y)) => (b, Some(y)),
                None => (l.as_str(), None),
            };
            if let Some(y) = y
                && year_cell.is_none()
            {
                year_cell = Some((*hr, *hc, text.clone(), y));
            }
            let found = match keyword(base) {
                Some(Kw::Index) => Some(Role::Index),
                Some(Kw::Unit) => None,
                Some(Kw::Level) => Some(Role::Level(0)),
                Some(Kw::Rank) => Some(Role::Rank(0)),
                Some(Kw::Total) => Some(Role::Total(0)),
                Some(Kw::Note) => Some(Role::Note),
                None => criteria[framework].find(base).map(|i| Role::Crit(i, 0)),
            };
            if let Some(f) = found {
                role = Some((f, Some((*hr, *hc, text.clone()))));
            }
        }
        let Some((role, name_cell)) = role else { continue };
        let y = year_cell.as_ref().map_or(table_year, |(_, _, _, y)| *y);
        let role = role.with_year(y);
        if role == Role::Index && index_col.is_none() {
            index_col = Some(c);
        }
        columns.push(Column {
            col: c,
            role,
            label: column_labels.iter().map(|(_, _, _, t)| t.as_str()).collect::<Vec<_>>().join(" / "),
            year_cell: year_cell.map(|(r, c, t, _)| (r, c, t)),
            name_cell,
        });
    }
    if !columns.iter().any(|c| c.role.is_points()) {
        return None;
    }

    // Body rows: the maximum row, unit rows, rows of a unit that sent no data.
    let header_texts: Vec<Vec<String>> =
        header_rows.iter().map(|&hr| (0..width).map(|c| norm(&t.rows[hr][c].text)).collect()).collect();
    let mut max_row = None;
    let mut rows = Vec::new();
    for &r in &body {
        let texts = distinct_texts(t, r);
        if texts.is_empty() {
            continue;
        }
        if texts.iter().any(|x| norm(x).contains("điểm tối đa")) {
            if max_row.is_none() {
                max_row = Some(r);
            }
            continue;
        }
        let line: Vec<String> = (0..width).map(|c| norm(&t.rows[r][c].text)).collect();
        if header_texts.contains(&line) {
            continue;
        }
        let unit_text = t.effective(r, unit_col).map(|c| c.text.trim().to_string()).unwrap_or_default();
        let unit_origin = t.rows[r][unit_col].merged_from();
        if unit_text.is_empty() || texts.len() == 1 || unit_origin.is_some_and(|(or, _)| or != r) {
            continue; // a note, a title, or a cell merged down from the row above
        }
        if is_aggregate(&unit_text) {
            continue;
        }
        let value_cols: Vec<usize> = columns.iter().filter(|c| c.role.is_points()).map(|c| c.col).collect();
        let has_numbers = value_cols.iter().any(|&c| t.rows[r][c].origin.is_none() && t.rows[r][c].number.is_some());
        let no_data = !has_numbers
            && (unit_col + 1..width).any(|c| {
                let cell: Option<&Cell> = t.effective(r, c);
                cell.is_some_and(|x| x.number.is_none() && x.text.chars().filter(|c| c.is_alphabetic()).count() > 5)
            });
        let resolved = registry
            .resolve(&unit_text, &kind, table_year)
            .or_else(|_| registry.resolve_any_year(&unit_text, &kind, table_year));
        let (unit, unknown) = match resolved {
            Ok((u, _)) => (Some(u.id.clone()), None),
            Err(e) => (None, Some(Box::new(e))),
        };
        if unit.is_none() && !has_numbers && !no_data {
            continue;
        }
        rows.push(Row { row: r, unit_text, unit, unknown, no_data });
    }
    if rows.is_empty() {
        return None;
    }
    // Kept as long as the audit runs: no spare capacity (thousands of rows per table).
    rows.shrink_to_fit();
    let number = caption.as_deref().and_then(caption_number).or_else(|| t.sheet.as_deref().and_then(caption_number));
    let name = match (number, &t.sheet) {
        (Some(k), _) => format!("Bảng {k}"),
        (None, Some(s)) => s.clone(),
        (None, None) => format!("Bảng thứ {ordinal}"),
    };
    Some(RTable {
        block,
        number,
        name,
        title: caption.unwrap_or_default(),
        framework,
        kind,
        columns,
        unit_col,
        index_col,
        header_rows,
        max_row,
        rows,
        year: table_year,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_and_labels() {
        assert_eq!(caption_number("Bảng 12. Kết quả"), Some(12));
        assert_eq!(caption_number("Bang 3"), Some(3));
        assert_eq!(caption_number("Bảng xếp hạng"), None);
        assert_eq!(year_label("năm 2020"), Some(2020));
        assert_eq!(machine_label("infra_2019"), Some(("infra", 2019)));
        assert_eq!(keyword("thứ tự xếp hạng"), Some(Kw::Rank));
    }
}

//! A table of figures, one row per unit and one column per criterion, into submissions.
//!
//! Columns are recognised by criterion id, printed name, short name or alias; a ratio
//! criterion takes two columns, `<id>.numerator` and `<id>.denominator`. A row whose
//! criterion cells are all empty is a unit that supplied no data.

use crate::error::{DataError, ErrorKind, Location};
use crate::table::Cells;
use chiso_domain::engine::{DirectRow, NodeScore, UnitScorer};
use chiso_domain::framework::{Framework, Rule};
use chiso_domain::number::{parse_decimal, trim};
use chiso_domain::period::{Answer, Submission};
use chiso_domain::unit::{Registry, UnitId};
use rust_decimal::Decimal;
use std::collections::HashMap;

const UNIT_HEADERS: &[&str] = &["unit", "đơn vị", "tên đơn vị", "tên cơ quan", "cơ quan"];
const GROUP_HEADERS: &[&str] = &["group", "nhóm"];
const IGNORED_HEADERS: &[&str] = &["stt", "tt", "note", "ghi chú"];
const NOT_APPLICABLE: &[&str] = &["n/a", "na", "không áp dụng", "kad"];
const YES: &[&str] = &["có", "co", "yes", "x", "1", "đạt"];
const NO: &[&str] = &["không", "khong", "no", "0", "không đạt"];

/// One imported row: its submission, or what [`import_map`] made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedRow<S = Submission> {
    pub unit: UnitId,
    pub row: usize,
    pub group: Option<String>,
    /// `None`: the row is empty, the unit supplied no data.
    pub submission: Option<S>,
}

#[derive(Clone, Copy)]
enum Part {
    Whole,
    Numerator,
    Denominator,
}

/// Reads every row; returns all problems at once, or nothing.
pub fn import<T: Cells>(
    table: &T,
    framework: &Framework,
    registry: &Registry,
    year: i32,
) -> Result<Vec<ImportedRow>, Vec<DataError>> {
    import_map(table, framework, registry, year, |s| s)
}

/// What an import keeps of each valid row: a closure given its submission, or [`Scored`].
pub trait Keep {
    type Kept;
    /// What is kept of a row's answers, checked.
    fn keep(&mut self, submission: Submission) -> Self::Kept;
    /// What is kept of a row read straight from its cells `(criterion, text)`, trimmed, in
    /// the table's order: `Some` only where that is what [`Keep::keep`] would keep of the
    /// row's submission. `None`: the row is read as a submission.
    fn cells<'c>(&mut self, _cells: impl Iterator<Item = (usize, &'c str)>) -> Option<Self::Kept> {
        None
    }
}

impl<S, F: FnMut(Submission) -> S> Keep for F {
    type Kept = S;
    fn keep(&mut self, submission: Submission) -> S {
        self(submission)
    }
}

/// Each row scored as it is read, for a framework whose units are scored each on its own.
/// A row of plain figures, each within its direct leaf's maximum (every row of a national
/// table), goes straight into its scores, without a submission.
pub struct Scored<'a> {
    scorer: &'a UnitScorer<'a>,
    direct: Option<DirectRow<'a>>,
}

impl<'a> Scored<'a> {
    pub fn new(scorer: &'a UnitScorer<'a>) -> Scored<'a> {
        Scored { scorer, direct: scorer.direct_row() }
    }
}

impl Keep for Scored<'_> {
    type Kept = (Vec<NodeScore>, Decimal);
    fn keep(&mut self, submission: Submission) -> Self::Kept {
        self.scorer.score(&submission)
    }
    fn cells<'c>(&mut self, mut cells: impl Iterator<Item = (usize, &'c str)>) -> Option<Self::Kept> {
        let row = self.direct.as_mut()?;
        // A figure the submission would hold as typed points (`read_cells`' plain figure of
        // a direct leaf), each leaf once: else the row starts again, read as a submission.
        let taken = cells.all(|(index, text)| plain_figure(text).is_some_and(|v| row.put(index, v)));
        let scored = row.finish();
        if taken { scored } else { None }
    }
}

/// [`import`], each valid row's submission handed to `keep` as it is read and what it
/// returns kept instead (a national period scored row by row, its answers dropped at once).
/// The same rows and the same errors.
pub fn import_map<T: Cells, K: Keep>(
    table: &T,
    framework: &Framework,
    registry: &Registry,
    year: i32,
    mut keep: K,
) -> Result<Vec<ImportedRow<K::Kept>>, Vec<DataError>> {
    let mut errors = Vec::new();
    if table.height() == 0 {
        return Err(vec![DataError::new(table.at(0, 0), ErrorKind::Empty)]);
    }
    let is = |h: &str, set: &[&str]| set.contains(&h.trim().to_lowercase().as_str());
    let width = table.row(0).count();

    let mut unit_col = None;
    let mut group_col = None;
    let mut columns: Vec<(usize, usize, Part)> = Vec::new(); // (column, criterion, part)
    let mut seen: HashMap<(usize, u8), usize> = HashMap::new();
    for (col, h) in table.row(0).enumerate() {
        let h = h.trim();
        if h.is_empty() || is(h, IGNORED_HEADERS) {
            continue;
        }
        if is(h, UNIT_HEADERS) {
            unit_col.get_or_insert(col);
            continue;
        }
        if is(h, GROUP_HEADERS) {
            group_col.get_or_insert(col);
            continue;
        }
        let (name, part) = split_part(h);
        let Some(index) = framework.find(name) else {
            errors.push(DataError::new(
                table.at(0, col),
                ErrorKind::UnknownColumn { suggestions: column_suggestions(framework, name) },
            ));
            continue;
        };
        let c = framework.criterion(index);
        let Some(rule) = &c.rule else {
            errors.push(DataError::new(table.at(0, col), ErrorKind::GroupColumn { criterion: c.id.0.clone() }));
            continue;
        };
        let is_ratio = matches!(rule, Rule::Ratio | Rule::RelativeToBest);
        let part = match (part, is_ratio) {
            (Some(p), true) => p,
            (None, false) => Part::Whole,
            _ => {
                errors.push(DataError::new(
                    table.at(0, col),
                    ErrorKind::UnknownColumn { suggestions: column_suggestions(framework, &c.id.0) },
                ));
                continue;
            }
        };
        if let Some(first) = seen.insert((index, part as u8), col) {
            errors.push(DataError::new(
                table.at(0, col),
                ErrorKind::DuplicateColumn { first: crate::table::column_letter(first) },
            ));
            continue;
        }
        columns.push((col, index, part));
    }
    let Some(unit_col) = unit_col else {
        errors.push(DataError::new(table.at(0, 0), ErrorKind::NoUnitColumn));
        return Err(errors);
    };
    for (index, c) in framework.leaves() {
        let parts: &[Part] = if matches!(c.rule, Some(Rule::Ratio | Rule::RelativeToBest)) {
            &[Part::Numerator, Part::Denominator]
        } else {
            &[Part::Whole]
        };
        for p in parts {
            if !seen.contains_key(&(index, *p as u8)) {
                let mut loc = table.at(0, width);
                loc.column = None;
                loc.value = None;
                let suffix = match p {
                    Part::Whole => "",
                    Part::Numerator => ".numerator",
                    Part::Denominator => ".denominator",
                };
                errors.push(DataError::new(loc, ErrorKind::MissingColumn { criterion: format!("{}{suffix}", c.id) }));
            }
        }
    }

    let mut rows = Vec::new();
    let mut unit_rows: HashMap<UnitId, usize> = HashMap::new();
    let mut cells = Vec::with_capacity(columns.len());
    for r in 1..table.height() {
        let name = trim(table.cell(r, unit_col));
        let all_empty = table.row(r).all(|c| trim(c).is_empty());
        if all_empty {
            continue;
        }
        if name.is_empty() {
            errors.push(DataError::new(
                table.at(r, unit_col),
                ErrorKind::UnknownUnit { name: String::new(), suggestions: vec![] },
            ));
            continue;
        }
        let unit = match registry.resolve(name, &framework.unit_kind, year) {
            Ok((u, _)) => u.id.clone(),
            Err(e) => {
                errors.push(DataError::new(
                    table.at(r, unit_col),
                    ErrorKind::UnknownUnit { name: e.name, suggestions: e.suggestions },
                ));
                continue;
            }
        };
        if let Some(first) = unit_rows.insert(unit.clone(), r) {
            errors.push(DataError::new(table.at(r, unit_col), ErrorKind::DuplicateUnit { first_row: first + 1 }));
            continue;
        }
        let group = group_col.map(|g| table.cell(r, g).trim().to_string()).filter(|g| !g.is_empty());
        let kept = read_row(table, r, framework, &columns, &mut cells, &mut keep, &mut errors);
        rows.push(ImportedRow { unit, row: r + 1, group, submission: kept });
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

fn split_part(h: &str) -> (&str, Option<Part>) {
    for (suffix, part) in [
        (".numerator", Part::Numerator),
        (".denominator", Part::Denominator),
        (".tử số", Part::Numerator),
        (".mẫu số", Part::Denominator),
    ] {
        if let Some(name) = h.strip_suffix(suffix) {
            return (name, Some(part));
        }
    }
    (h, None)
}

fn column_suggestions(framework: &Framework, name: &str) -> Vec<String> {
    let lower = name.to_lowercase();
    let mut leaves: Vec<String> = framework.leaves().map(|(_, c)| c.id.0.clone()).collect();
    // Names sharing a word with what was typed first; then the rest, as a list of what is accepted.
    leaves.sort_by_key(|id| !lower.split(['_', ' ', '.', '-']).any(|w| !w.is_empty() && id.contains(w)));
    leaves.truncate(6);
    leaves
}

enum Parsed {
    Answer(Answer),
    RatioPart(Part, Decimal),
}

/// One non-empty cell, read as its criterion's rule asks.
fn parse(framework: &Framework, index: usize, part: Part, text: &str) -> Result<Parsed, ErrorKind> {
    let c = framework.criterion(index);
    // Cells come trimmed from the table import, and the trim of trimmed text is cheap.
    let trimmed = trim(text);
    // No word for "not applicable" starts with a digit: a figure skips the comparisons.
    if !trimmed.as_bytes().first().is_some_and(u8::is_ascii_digit) && one_of(trimmed, NOT_APPLICABLE) {
        return Ok(Parsed::Answer(Answer::NotApplicable));
    }
    Ok(match c.rule.as_ref().expect("leaf") {
        Rule::YesNo if one_of(trimmed, YES) => Parsed::Answer(Answer::YesNo(true)),
        Rule::YesNo if one_of(trimmed, NO) => Parsed::Answer(Answer::YesNo(false)),
        Rule::YesNo => return Err(ErrorKind::NotYesNo),
        Rule::Scale { .. } => Parsed::Answer(Answer::Choice(trimmed.into())),
        rule => {
            if thousands_like(trimmed) {
                return Err(ErrorKind::AmbiguousNumber);
            }
            let Some(v) = parse_decimal(trimmed) else { return Err(ErrorKind::NotANumber) };
            match rule {
                Rule::Direct => Parsed::Answer(Answer::Points(v)),
                Rule::Ratio | Rule::RelativeToBest => Parsed::RatioPart(part, v),
                _ => Parsed::Answer(Answer::Figure(v)),
            }
        }
    })
}

/// Whether `text` in lower case is one of `words` (written in lower case, none with a
/// sigma): `text.to_lowercase()` compared without making it, for every cell of a table.
fn one_of(text: &str, words: &[&str]) -> bool {
    if text.is_ascii() {
        return words.iter().any(|w| w.eq_ignore_ascii_case(text));
    }
    words.iter().any(|w| text.chars().flat_map(char::to_lowercase).eq(w.chars()))
}

/// A figure that reads as a whole number with a thousands separator as well as a decimal
/// (`1.000`, `12,500`): one separator, 1–3 digits before it not starting with 0, exactly 3
/// after. `0,125` and `7,5` are decimals only.
fn thousands_like(text: &str) -> bool {
    let t = trim(text).trim_start_matches('-');
    // 1–3 digits, a separator and 3 digits: 5 to 7 bytes (most figures are shorter).
    if !(5..=7).contains(&t.len()) {
        return false;
    }
    let Some((int, frac)) = t.split_once(['.', ',']) else { return false };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    digits(int) && int.len() <= 3 && !int.starts_with('0') && frac.len() == 3 && digits(frac)
}

/// A figure as nearly every cell of a national table holds it: 1 to 19 ASCII digits with
/// at most one separator (`.` or `,`) between two of them, and not one [`thousands_like`]
/// refuses. Its value is [`parse_decimal`]'s (no spaces to trim, no sign, no word for "not
/// applicable" starts with a digit), read in one pass; `None` for anything else.
#[inline]
fn plain_figure(text: &str) -> Option<Decimal> {
    let b = text.as_bytes();
    let (mut mantissa, mut digits, mut separator) = (0u64, 0u32, None);
    for (k, &x) in b.iter().enumerate() {
        match x {
            b'0'..=b'9' if digits < 19 => {
                mantissa = mantissa * 10 + u64::from(x - b'0');
                digits += 1;
            }
            b'.' | b',' if separator.is_none() && k > 0 && k + 1 < b.len() => separator = Some(k),
            _ => return None,
        }
    }
    let scale = separator.map_or(0, |k| b.len() - k - 1);
    // `thousands_like`: 1–3 digits not starting with 0, a separator and 3 digits.
    if digits == 0 || scale == 3 && separator.is_some_and(|k| k <= 3) && b[0] != b'0' {
        return None;
    }
    Some(Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, 0, false, scale as u32))
}

/// Checks cells one by one, as a form's draft is saved: `(field, text)` with fields
/// named like the import's columns. Returns the problems by field; empty cells are fine.
pub fn check_fields(framework: &Framework, cells: &[(String, String)]) -> Vec<(String, ErrorKind)> {
    let mut problems = Vec::new();
    let mut ratios: HashMap<usize, (Option<Decimal>, Option<Decimal>, String)> = HashMap::new();
    for (field, text) in cells {
        if text.trim().is_empty() {
            continue;
        }
        let (name, part) = split_part(field);
        let Some(index) = framework.find(name).filter(|&i| framework.criterion(i).is_leaf()) else {
            problems.push((field.clone(), ErrorKind::UnknownColumn { suggestions: vec![] }));
            continue;
        };
        let c = framework.criterion(index);
        let mut scratch = Submission::new(framework);
        match parse(framework, index, part.unwrap_or(Part::Whole), text) {
            Ok(Parsed::Answer(a)) => {
                if let Err(error) = scratch.set(framework, index, a) {
                    problems.push((field.clone(), ErrorKind::Answer { criterion: c.id.0.clone(), error }));
                }
            }
            Ok(Parsed::RatioPart(p, v)) => {
                let e = ratios.entry(index).or_insert((None, None, field.clone()));
                match p {
                    Part::Numerator => e.0 = Some(v),
                    _ => e.1 = Some(v),
                }
            }
            Err(kind) => problems.push((field.clone(), kind)),
        }
    }
    for (index, (n, d, field)) in ratios {
        let c = framework.criterion(index);
        let (numerator, denominator) = (n.unwrap_or_default(), d.unwrap_or(Decimal::MAX));
        let mut scratch = Submission::new(framework);
        if let Err(error) = scratch.set(framework, index, Answer::ratio(numerator, denominator)) {
            problems.push((field, ErrorKind::Answer { criterion: c.id.0.clone(), error }));
        }
    }
    problems
}

/// `cells`: a buffer kept from row to row.
fn read_row<'a, T: Cells, K: Keep>(
    table: &'a T,
    r: usize,
    framework: &Framework,
    columns: &[(usize, usize, Part)],
    cells: &mut Vec<(usize, Part, &'a str)>,
    keep: &mut K,
    errors: &mut Vec<DataError>,
) -> Option<K::Kept> {
    cells.clear();
    // The row read once, left to right (the columns are in the table's order); a short
    // row's missing cells are empty, as `Cells::cell` gives them.
    let (mut texts, mut next) = (table.row(r), 0);
    cells.extend(columns.iter().map(|&(col, index, part)| {
        let text = texts.nth(col - next).unwrap_or("");
        next = col + 1;
        (index, part, trim(text))
    }));
    if let Some(kept) = keep.cells(cells.iter().map(|&(index, _, text)| (index, text))) {
        return Some(kept);
    }
    read_cells(framework, cells, &|i| table.at(r, columns[i].0), errors).map(|s| keep.keep(s))
}

/// One unit's answers, named by field like the import's columns (`infra`,
/// `tile.numerator`, …), into its submission: the validator of the table import, used as is
/// for a form's submission and for the platform's stored answers. `None`: every field is
/// empty, the unit supplied no data. `file` names the source in the errors, each of which
/// names its field and value.
pub fn answers(
    framework: &Framework,
    fields: &[(String, String)],
    file: &str,
) -> Result<Option<Submission>, Vec<DataError>> {
    let mut errors = Vec::new();
    let at = |field: &str, value: &str| Location {
        file: file.to_string(),
        sheet: None,
        line: None,
        column: Some(field.to_string()),
        value: (!value.is_empty()).then(|| value.to_string()),
    };
    let mut cells: Vec<(usize, Part, &str)> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for (field, text) in fields {
        let (name, part) = split_part(field);
        let index = framework.find(name).filter(|&i| framework.criterion(i).is_leaf());
        let is_ratio = |i: usize| matches!(framework.criterion(i).rule, Some(Rule::Ratio | Rule::RelativeToBest));
        match (index, part) {
            (Some(i), Some(p)) if is_ratio(i) => cells.push((i, p, text.trim())),
            (Some(i), None) if !is_ratio(i) => cells.push((i, Part::Whole, text.trim())),
            _ => {
                let suggestions = column_suggestions(framework, name);
                errors.push(DataError::new(at(field, text), ErrorKind::UnknownColumn { suggestions }));
                continue;
            }
        }
        names.push(field);
    }
    // A field not given is an empty one.
    let given: Vec<(usize, u8)> = cells.iter().map(|(i, p, _)| (*i, *p as u8)).collect();
    let mut missing: Vec<String> = Vec::new();
    for (index, c) in framework.leaves() {
        let parts: &[(Part, &str)] = if matches!(c.rule, Some(Rule::Ratio | Rule::RelativeToBest)) {
            &[(Part::Numerator, ".numerator"), (Part::Denominator, ".denominator")]
        } else {
            &[(Part::Whole, "")]
        };
        for (p, suffix) in parts {
            if !given.contains(&(index, *p as u8)) {
                missing.push(format!("{}{suffix}", c.id));
                cells.push((index, *p, ""));
            }
        }
    }
    let names: Vec<&str> = names.into_iter().chain(missing.iter().map(String::as_str)).collect();
    let sub = read_cells(framework, &cells, &|i| at(names[i], cells[i].2), &mut errors);
    if errors.is_empty() { Ok(sub) } else { Err(errors) }
}

/// The cells of one unit (criterion, part, text), read as their rules ask; `at(i)` says
/// where cell `i` is. All empty: `None`, no data.
fn read_cells(
    framework: &Framework,
    cells: &[(usize, Part, &str)],
    at: &dyn Fn(usize) -> Location,
    errors: &mut Vec<DataError>,
) -> Option<Submission> {
    if cells.iter().all(|(_, _, text)| text.is_empty()) {
        return None;
    }
    let before = errors.len();
    let mut sub = Submission::new(framework);
    let mut ratios: HashMap<usize, (Option<Decimal>, Option<Decimal>, usize)> = HashMap::new();
    for (i, &(index, part, text)) in cells.iter().enumerate() {
        let c = framework.criterion(index);
        let fail = |kind| DataError::new(at(i), kind);
        if text.is_empty() {
            errors.push(fail(ErrorKind::MissingValue { criterion: c.id.0.clone() }));
            continue;
        }
        // A plain figure for a direct criterion (every cell of a national table): the
        // answer `parse` gives it, without its general steps.
        if let (Some(Rule::Direct), Some(v)) = (&c.rule, plain_figure(text)) {
            if let Err(error) = sub.set(framework, index, Answer::Points(v)) {
                errors.push(fail(ErrorKind::Answer { criterion: c.id.0.clone(), error }));
            }
            continue;
        }
        let answer = match parse(framework, index, part, text) {
            Ok(Parsed::Answer(a)) => a,
            Ok(Parsed::RatioPart(p, v)) => {
                let e = ratios.entry(index).or_insert((None, None, i));
                match p {
                    Part::Numerator => e.0 = Some(v),
                    _ => e.1 = Some(v),
                }
                continue;
            }
            Err(kind) => {
                errors.push(fail(kind));
                continue;
            }
        };
        if let Err(error) = sub.set(framework, index, answer) {
            errors.push(fail(ErrorKind::Answer { criterion: c.id.0.clone(), error }));
        }
    }
    let mut ratios: Vec<_> = ratios.into_iter().collect();
    ratios.sort_by_key(|(i, _)| *i);
    for (index, (n, d, cell)) in ratios {
        if let (Some(numerator), Some(denominator)) = (n, d) {
            let c = framework.criterion(index);
            if let Err(error) = sub.set(framework, index, Answer::ratio(numerator, denominator)) {
                errors.push(DataError::new(at(cell), ErrorKind::Answer { criterion: c.id.0.clone(), error }));
            }
        }
    }
    (errors.len() == before).then_some(sub)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_figures_are_what_the_general_parse_reads() {
        let texts = [
            "0",
            "7",
            "0.63",
            "0,63",
            "1,5",
            "1.5",
            "45.20",
            "1.000",
            "12,500",
            "999.999",
            "100,000",
            "0,125",
            "0.000",
            "012.345",
            "1234.567",
            "1000",
            "12345",
            "7,5",
            "10.50",
            "1.0000",
            "9999999999999999999",
            "999999999999999999.9",
            "18446744073709551615",
            "99999999999999999999",
            "0.0000000000000000001",
            ".5",
            "5.",
            ",5",
            "1..2",
            "1.2.3",
            "1,2.3",
            "-0",
            "-1",
            "- 1",
            " 1",
            "1 ",
            "\u{a0}1",
            "1\u{a0}",
            "\t1",
            "",
            "-",
            "1e3",
            "+5",
            "١",
            "x",
            "KAD",
            "n/a",
            "1 000",
        ];
        let fw = chiso_domain::framework::Framework::new(chiso_domain::framework::FrameworkSpec {
            id: "t".into(),
            name: "t".into(),
            legal_basis: "t".into(),
            unit_kind: "unit".into(),
            years: (2020, None),
            max: Decimal::MAX,
            decimals: 2,
            percent_decimals: None,
            rounding_mode: chiso_domain::number::RoundingMode::HalfUp,
            rounding_scope: chiso_domain::number::RoundingScope::Criterion,
            ties: chiso_domain::framework::TieBasis::Rounded,
            groups: vec![],
            levels: vec![chiso_domain::framework::LevelSpec { name: "L".into(), min: Decimal::ZERO }],
            criteria: vec![chiso_domain::framework::CriterionSpec {
                id: "a".into(),
                name: "a".into(),
                short_name: None,
                aliases: vec![],
                max: Decimal::MAX,
                not_applicable: chiso_domain::framework::NotApplicable::Zero,
                rule: Some(Rule::Direct),
                children: vec![],
            }],
        })
        .unwrap();
        let mut fast = 0;
        for t in texts {
            let Some(v) = plain_figure(t) else { continue };
            fast += 1;
            match parse(&fw, 0, Part::Whole, t) {
                Ok(Parsed::Answer(Answer::Points(p))) => assert_eq!(p.serialize(), v.serialize(), "{t:?}"),
                _ => panic!("{t:?}: the general parse gives no points"),
            }
        }
        assert_eq!(fast, 18);
        for t in ["1.000", "12,500", "999.999", "100,000", ".5", "5.", "1..2", "-0", " 1", "1\u{a0}", "", "KAD"] {
            assert!(plain_figure(t).is_none(), "{t:?}");
        }
    }

    #[test]
    fn thousands_like_figures_are_those_with_one_separator_and_three_digits_after() {
        for t in ["1.000", "12,500", "-1.000", "--1.000", "999.999", " 1.000 ", "100,000"] {
            assert!(thousands_like(t), "{t:?}");
        }
        for t in ["0,125", "7,5", "1000.000", "1.0000", "1.00", "", "-", "1", "12345", "1.000.000", "a.000", "1.0a0"] {
            assert!(!thousands_like(t), "{t:?}");
        }
    }
}

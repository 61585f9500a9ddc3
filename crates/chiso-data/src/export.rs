//! A period's figures, scores and results out, as XLSX or CSV, in the layout the import
//! reads: `unit`, `group` (when the framework ranks in groups), one column per field, then
//! the results in columns whose header starts with `[` (points per criterion, total,
//! level, rank). The import of an exported file drops those columns
//! ([`strip_results`]), so exporting and importing again changes nothing.

use crate::table::Table;
use crate::template;
use crate::xlsx_write::{Column, Error, Setup, Style, StyleId, Workbook};
use chiso_domain::engine::{Results, UnitResult};
use chiso_domain::framework::Framework;
use chiso_domain::period::{Answer, Period};
use rust_decimal::Decimal;
use std::io::{Seek, Write};

/// Whether a header is a result column (ignored on import).
pub fn is_result_header(h: &str) -> bool {
    h.trim_start().starts_with('[')
}

/// The table without its result columns (they are last, so the other columns keep
/// their letters in messages).
pub fn strip_results(mut t: Table) -> Table {
    let Some(header) = t.rows.first() else { return t };
    let keep = header.iter().position(|h| is_result_header(h)).unwrap_or(header.len());
    for r in &mut t.rows {
        r.truncate(keep);
    }
    t
}

fn text(d: Decimal) -> String {
    d.normalize().to_string()
}

/// The figures of a period: header, then one row per unit (empty cells: no data).
pub fn figures(fw: &Framework, period: &Period) -> Vec<Vec<String>> {
    figure_rows(fw, period).collect()
}

/// [`figures`] a row at a time: a national period's rows are never held at once.
pub fn figure_rows<'a>(fw: &'a Framework, period: &'a Period) -> impl Iterator<Item = Vec<String>> + 'a {
    let fields = template::fields(fw);
    let groups = !fw.groups.is_empty() || period.units.iter().any(|u| u.group.is_some());
    let mut header = vec!["unit".to_string()];
    if groups {
        header.push("group".into());
    }
    header.extend(fields.iter().map(|f| f.name.clone()));
    let rows = period.units.iter().map(move |u| {
        let mut row = Vec::with_capacity(fields.len() + 2);
        row.push(u.name.clone());
        if groups {
            row.push(u.group.clone().unwrap_or_default());
        }
        for f in &fields {
            let answer = u.submission.as_ref().and_then(|s| s.answer(f.criterion));
            row.push(match answer {
                None => String::new(),
                Some(Answer::Points(v) | Answer::Figure(v)) => text(*v),
                Some(Answer::YesNo(b)) => if *b { "có" } else { "không" }.into(),
                Some(Answer::Ratio(r)) => text(if f.part == Some("numerator") { r.numerator } else { r.denominator }),
                Some(Answer::Choice(c)) => c.to_string(),
                Some(Answer::NotApplicable) => "N/A".into(),
            });
        }
        row
    });
    std::iter::once(header).chain(rows)
}

/// Figures and results: the figures' columns, then `[điểm] <criterion>` for every
/// criterion (as presented), `[tổng điểm]`, `[mức]`, `[xếp hạng]`.
pub fn table(fw: &Framework, period: &Period, results: &Results) -> Vec<Vec<String>> {
    table_rows(fw, period, results).collect()
}

/// [`table`] a row at a time.
pub fn table_rows<'a>(
    fw: &'a Framework,
    period: &'a Period,
    results: &'a Results,
) -> impl Iterator<Item = Vec<String>> + 'a {
    let mut rows = figure_rows(fw, period);
    let mut header = rows.next().expect("a header");
    header.extend(fw.criteria.iter().map(|c| format!("[điểm] {}", c.id)));
    header.extend(["[tổng điểm]", "[mức]", "[xếp hạng]"].map(String::from));
    // Each unit's result found by its id once (a national period has thousands).
    let mut by_unit: std::collections::HashMap<&str, &UnitResult> = std::collections::HashMap::new();
    for r in &results.units {
        by_unit.entry(r.unit.0.as_str()).or_insert(r);
    }
    let rows = period.units.iter().zip(rows).map(move |(u, mut row)| {
        let r = by_unit.get(u.unit.0.as_str()).copied();
        row.reserve(fw.criteria.len() + 3);
        for i in 0..fw.criteria.len() {
            let v = r
                .filter(|r| r.total.is_some())
                .and_then(|r| r.scores.get(i).filter(|s| s.applicable).map(|_| r.presented(fw, i)))
                .flatten();
            row.push(v.map(text).unwrap_or_default());
        }
        row.push(r.and_then(|r| r.total).map(text).unwrap_or_default());
        row.push(r.and_then(|r| r.level.clone()).unwrap_or_default());
        row.push(r.and_then(|r| r.rank).map(|n| n.to_string()).unwrap_or_default());
        row
    });
    std::iter::once(header).chain(rows)
}

pub fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    csv_to(Vec::new(), rows).expect("in memory")
}

/// [`csv`] into a sink, a row at a time.
pub fn csv_to<W: Write, R: AsRef<[String]>>(sink: W, rows: impl IntoIterator<Item = R>) -> std::io::Result<W> {
    let mut out = csv::Writer::from_writer(sink);
    for row in rows {
        out.write_record(row.as_ref().iter().map(|c| crate::csv_safe::neutralised(c).into_owned()))?;
    }
    out.into_inner().map_err(|e| e.into_error())
}

/// One sheet; numbers as numbers where a double holds them exactly as written, text otherwise.
pub fn xlsx(rows: &[Vec<String>], title: &str) -> Result<Vec<u8>, Error> {
    Ok(xlsx_to(std::io::Cursor::new(Vec::new()), rows, title)?.into_inner())
}

/// [`xlsx`] into a file (or any sink), its sheet written into the archive as it is made,
/// from rows given one at a time.
pub fn xlsx_to<W: Write + Seek, R: AsRef<[String]>>(
    sink: W,
    rows: impl IntoIterator<Item = R>,
    title: &str,
) -> Result<W, Error> {
    let mut wb = Workbook::new(sink, title);
    let bold = wb.style(Style { bold: true, ..Style::default() });
    let plain = StyleId::default();
    let setup =
        Setup {
            name: "Số liệu".into(), columns: vec![Column::new(0, 30.0)], freeze: Some((1, 1)), ..Setup::default()
        };
    let mut ws = wb.sheet(&setup)?;
    for (r, row) in rows.into_iter().enumerate() {
        for (c, cell) in row.as_ref().iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r == 0 {
                if cell.is_empty() {
                    ws.blank(r, c, bold)?;
                } else {
                    ws.string(r, c, cell, bold)?;
                }
            } else if let Some(f) = exact_f64(cell) {
                ws.number(r, c, f, plain)?;
            } else if !cell.is_empty() {
                ws.string(r, c, cell, plain)?;
            }
        }
    }
    ws.finish()?;
    wb.finish()
}

/// The cell as a number when a spreadsheet's f64 holds exactly its decimal value.
fn exact_f64(s: &str) -> Option<f64> {
    // A plain decimal of at most 15 significant digits always comes back from f64 as the
    // same decimal (DBL_DIG): no need to prove it by printing (most cells of an export).
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !int.is_empty()
        && !digits.ends_with('.')
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if plain && int.trim_start_matches('0').len() + frac.len() <= 15 {
        return s.parse().ok();
    }
    proved_f64(s)
}

/// The general case: the f64 printed back must be the same decimal.
fn proved_f64(s: &str) -> Option<f64> {
    let d: Decimal = s.parse().ok()?;
    let f: f64 = s.parse().ok()?;
    (f.is_finite() && f.to_string().parse::<Decimal>().ok() == Some(d)).then_some(f)
}

#[cfg(test)]
mod exact_tests {
    use super::{exact_f64, proved_f64};

    #[test]
    fn the_short_way_gives_what_the_proof_gives() {
        let mut cells: Vec<String> = [
            "",
            "-",
            ".",
            "1.",
            ".5",
            "-0",
            "0",
            "00012",
            "13.1",
            "45,1",
            "1e3",
            "+1",
            " 1",
            "N/A",
            "0.1",
            "0.30000000000000004",
            "123456789012345",
            "1234567890123456",
            "9007199254740993",
            "-99999.9999999999",
            "0.000000000000000001",
            "1.5.2",
            "١٢",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every 2-decimal point value a framework writes, and some long ones.
        for i in 0..20_000u64 {
            cells.push(format!("{}.{:02}", i / 100, i % 100));
            cells.push(format!("-{}.{:03}", i * 7919, i % 1000));
            cells.push(format!("{}.{}", i * 104_729, i * 1_000_003));
        }
        for c in &cells {
            assert_eq!(exact_f64(c).map(f64::to_bits), proved_f64(c).map(f64::to_bits), "{c:?}");
        }
    }
}

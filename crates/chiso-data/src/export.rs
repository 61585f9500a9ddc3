//! A period's figures, scores and results out, as XLSX or CSV, in the layout the import
//! reads: `unit`, `group` (when the framework ranks in groups), one column per field, then
//! the results in columns whose header starts with `[` (points per criterion, total,
//! level, rank). The import of an exported file drops those columns
//! ([`strip_results`]), so exporting and importing again changes nothing.

use crate::table::Table;
use crate::template;
use chiso_domain::engine::{Results, UnitResult};
use chiso_domain::framework::Framework;
use chiso_domain::period::{Answer, Period};
use rust_decimal::Decimal;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

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
    let fields = template::fields(fw);
    let groups = !fw.groups.is_empty() || period.units.iter().any(|u| u.group.is_some());
    let mut header = vec!["unit".to_string()];
    if groups {
        header.push("group".into());
    }
    header.extend(fields.iter().map(|f| f.name.clone()));
    let mut rows = vec![header];
    for u in &period.units {
        let mut row = vec![u.name.clone()];
        if groups {
            row.push(u.group.clone().unwrap_or_default());
        }
        for f in &fields {
            let answer = u.submission.as_ref().and_then(|s| s.answer(f.criterion));
            row.push(match answer {
                None => String::new(),
                Some(Answer::Points(v) | Answer::Figure(v)) => text(*v),
                Some(Answer::YesNo(b)) => if *b { "có" } else { "không" }.into(),
                Some(Answer::Ratio { numerator, denominator }) => {
                    text(if f.part == Some("numerator") { *numerator } else { *denominator })
                }
                Some(Answer::Choice(c)) => c.clone(),
                Some(Answer::NotApplicable) => "N/A".into(),
            });
        }
        rows.push(row);
    }
    rows
}

/// Figures and results: the figures' columns, then `[điểm] <criterion>` for every
/// criterion (as presented), `[tổng điểm]`, `[mức]`, `[xếp hạng]`.
pub fn table(fw: &Framework, period: &Period, results: &Results) -> Vec<Vec<String>> {
    let mut rows = figures(fw, period);
    rows[0].extend(fw.criteria.iter().map(|c| format!("[điểm] {}", c.id)));
    rows[0].extend(["[tổng điểm]", "[mức]", "[xếp hạng]"].map(String::from));
    // Each unit's result found by its id once (a national period has thousands).
    let mut by_unit: std::collections::HashMap<&str, &UnitResult> = std::collections::HashMap::new();
    for r in &results.units {
        by_unit.entry(r.unit.0.as_str()).or_insert(r);
    }
    for (u, row) in period.units.iter().zip(rows.iter_mut().skip(1)) {
        let r = by_unit.get(u.unit.0.as_str()).copied();
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
    }
    rows
}

pub fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        out.write_record(row.iter().map(|c| crate::csv_safe::neutralised(c).into_owned())).expect("in memory");
    }
    out.into_inner().expect("in memory")
}

/// One sheet; numbers as numbers where a double holds them exactly as written, text otherwise.
pub fn xlsx(rows: &[Vec<String>], title: &str) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new().set_title(title).set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    let ws = wb.add_worksheet().set_name("Số liệu")?;
    let bold = Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r == 0 {
                ws.write_string_with_format(r, c, cell, &bold)?;
            } else if let Some(f) = exact_f64(cell) {
                ws.write_number(r, c, f)?;
            } else if !cell.is_empty() {
                ws.write_string(r, c, cell)?;
            }
        }
    }
    ws.set_freeze_panes(1, 1)?;
    ws.set_column_width(0, 30)?;
    wb.save_to_buffer()
}

fn exact_f64(s: &str) -> Option<f64> {
    let d: Decimal = s.parse().ok()?;
    let f: f64 = s.parse().ok()?;
    (f.is_finite() && f.to_string().parse::<Decimal>().ok() == Some(d)).then_some(f)
}

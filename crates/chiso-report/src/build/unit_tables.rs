//! The per-unit tables the report settings choose (`[tables]`) beside or instead of the full
//! ones: the count of units per level and group, each group's first and last units by rank,
//! one table per level listing its units. Each says under it what it shows and that every
//! unit is in the XLSX; the full tables left out of the document stay there.

use super::{Counters, Kind, tables};
use crate::model::{Block, Cell, HeaderCell, Paragraph, ParagraphStyle, Row, RowKind, Run, Table};
use crate::vi;
use chiso_domain::engine::{Status, UnitResult};
use rust_decimal::Decimal;

fn head(text: impl Into<String>) -> HeaderCell {
    HeaderCell { text: text.into(), colspan: 1, rowspan: 1 }
}

fn note(text: String) -> Paragraph {
    Paragraph { runs: vec![Run { text, italic: true, ..Default::default() }], style: ParagraphStyle::Note }
}

fn count(n: usize) -> String {
    vi::number(Decimal::from(n), 0)
}

/// The ranking groups in the order their first unit appears in the results (by rank), or
/// one unnamed group when the framework ranks all units together.
fn groups<'a>(k: &Kind<'a>) -> Vec<(Option<&'a str>, Vec<&'a UnitResult>)> {
    let mut out: Vec<(Option<&str>, Vec<&UnitResult>)> = Vec::new();
    for u in &k.results.units {
        let g = u.group.as_deref();
        match out.iter_mut().find(|(name, _)| *name == g) {
            Some((_, units)) => units.push(u),
            None => out.push((g, vec![u])),
        }
    }
    out
}

fn has_groups(k: &Kind) -> bool {
    k.results.units.iter().any(|u| u.group.is_some())
}

fn table(counters: &mut Counters, caption: String, header: Vec<HeaderCell>, rows: Vec<Row>) -> Vec<Block> {
    counters.table += 1;
    let widths = header.iter().enumerate().map(|(i, _)| if i == 1 { 22 } else { 7 }).collect();
    tables::captioned(Table {
        number: counters.table,
        caption,
        header: vec![header],
        rows,
        notes: Vec::new(),
        widths,
        ends: None,
        workbook_only: false,
    })
}

fn with_notes(mut blocks: Vec<Block>, notes: Vec<Paragraph>) -> Vec<Block> {
    if let Some(Block::Table(t)) = blocks.last_mut() {
        t.notes = notes;
    }
    blocks
}

/// The number of units per level, KXH and without data: one row per ranking group and their
/// total, or one row for the kind.
pub(super) fn summary(k: &Kind, counters: &mut Counters) -> Vec<Block> {
    let fw = k.framework;
    let grouped = has_groups(k);
    let mut header = vec![head("TT"), head(if grouped { "Nhóm" } else { "Đơn vị" })];
    header.extend(fw.levels.iter().map(|l| head(&l.name)));
    header.extend([head(tables::NOT_RANKED), head(tables::NO_DATA), head("Tổng số")]);
    let counts = |units: &[&UnitResult]| -> Vec<usize> {
        let mut c: Vec<usize> =
            fw.levels.iter().map(|l| units.iter().filter(|u| u.level.as_deref() == Some(&l.name)).count()).collect();
        c.push(units.iter().filter(|u| u.status == Status::BelowLevels).count());
        c.push(units.iter().filter(|u| u.status == Status::NoData).count());
        c.push(units.len());
        c
    };
    let row = |n: Option<u32>, name: String, c: Vec<usize>, bold: bool| Row {
        kind: RowKind::Unit,
        cells: std::iter::once(n.map_or_else(Cell::empty, Cell::int))
            .chain(std::iter::once(if bold { Cell::text(name).bold() } else { Cell::text(name) }))
            .chain(c.into_iter().map(|v| {
                let cell = Cell::int(v as u32);
                if bold { cell.bold() } else { cell }
            }))
            .collect(),
    };
    let all: Vec<&UnitResult> = k.results.units.iter().collect();
    let mut rows = Vec::new();
    if grouped {
        for (i, (name, units)) in groups(k).into_iter().enumerate() {
            rows.push(row(Some(i as u32 + 1), name.unwrap_or("—").to_string(), counts(&units), false));
        }
    }
    rows.push(row(None, "Tổng cộng".into(), counts(&all), true));
    let caption = format!("Số {} theo mức xếp hạng {} năm {}", k.settings.noun, k.settings.subject, k.results.year);
    let what = if grouped { "từng nhóm và toàn bộ" } else { "toàn bộ" };
    let notes = vec![note(format!(
        "Bảng tổng hợp số {noun} đạt từng mức ({what} {} {noun}); kết quả của từng {noun} ở tệp XLSX kèm theo.",
        count(all.len()),
        noun = k.settings.noun
    ))];
    with_notes(table(counters, caption, header, rows), notes)
}

/// A unit's row: its place in the table, name, group, level, rank and total.
fn unit_row(k: &Kind, n: usize, u: &UnitResult, grouped: bool) -> Row {
    let td = k.framework.total_rounding().decimals;
    let mut cells = vec![Cell::int(n as u32), Cell::text(&u.name)];
    if grouped {
        cells.push(Cell::text(u.group.clone().unwrap_or_default()));
    }
    cells.push(Cell::text(u.level.clone().unwrap_or_else(|| tables::NOT_RANKED.into())));
    cells.push(u.rank.map_or_else(Cell::empty, Cell::int));
    cells.push(u.total.map_or_else(Cell::empty, |t| Cell::number(t, td)));
    Row { kind: RowKind::Unit, cells }
}

fn unit_header(grouped: bool, year: i32) -> Vec<HeaderCell> {
    let mut h = vec![head("TT"), head("Đơn vị")];
    if grouped {
        h.push(head("Nhóm"));
    }
    h.extend([head("Mức xếp hạng"), head(format!("Thứ hạng năm {year}")), head(format!("Tổng điểm năm {year}"))]);
    h
}

/// Each ranking group's first `top` and last `bottom` units by rank (units with figures),
/// a row between saying how many are left out.
pub(super) fn ends(k: &Kind, counters: &mut Counters) -> Vec<Block> {
    let (top, bottom) = (k.tables.top as usize, k.tables.bottom as usize);
    if top == 0 && bottom == 0 {
        return Vec::new();
    }
    let grouped = has_groups(k);
    let header = unit_header(grouped, k.results.year);
    let columns = header.len() as u16;
    let mut rows = Vec::new();
    for (name, units) in groups(k) {
        let scored: Vec<&UnitResult> = units.into_iter().filter(|u| u.status != Status::NoData).collect();
        if grouped {
            let title = format!("Nhóm {}", name.unwrap_or("—"));
            rows.push(Row { kind: RowKind::Unit, cells: vec![Cell::text(title).bold().span(columns)] });
        }
        let n = scored.len();
        let (head_n, tail_n) = if top + bottom >= n { (n, 0) } else { (top, bottom) };
        for (i, u) in scored.iter().enumerate().take(head_n) {
            rows.push(unit_row(k, i + 1, u, grouped));
        }
        if tail_n > 0 || head_n < n {
            let left = n - head_n - tail_n;
            rows.push(Row {
                kind: RowKind::Unit,
                cells: vec![
                    Cell::text("…"),
                    Cell::text(format!("… {} {} khác", count(left), k.settings.noun)).span(columns - 1),
                ],
            });
            for (i, u) in scored.iter().enumerate().skip(n - tail_n) {
                rows.push(unit_row(k, i + 1, u, grouped));
            }
        }
    }
    let noun = &k.settings.noun;
    let which = match (top, bottom) {
        (t, 0) => format!("{t} {noun} đứng đầu"),
        (0, b) => format!("{b} {noun} đứng cuối"),
        (t, b) => format!("{t} {noun} đứng đầu và {b} {noun} đứng cuối"),
    };
    let of = if grouped { "từng nhóm" } else { "bảng xếp hạng" };
    let caption = format!("{which} {of} {} năm {}", k.settings.subject, k.results.year);
    let notes = vec![note(format!(
        "Bảng liệt kê {which} {of} theo thứ hạng trong số {} {noun} có số liệu; kết quả của tất cả các {noun} ở tệp XLSX \
         kèm theo.",
        count(k.with_data().count())
    ))];
    with_notes(table(counters, caption, header, rows), notes)
}

/// "đạt Mức I", "đạt mức Tốt": the level's name as the narrative says it.
fn reaching(level: &str) -> String {
    if level.to_lowercase().starts_with("mức") { format!("đạt {level}") } else { format!("đạt mức {level}") }
}

/// One table per level the settings name, listing its units in rank order (by their ends
/// beyond `unit_rows`); a level nobody reached is said in a sentence.
pub(super) fn levels(k: &Kind, counters: &mut Counters) -> Vec<Block> {
    let grouped = has_groups(k);
    let noun = &k.settings.noun;
    let mut out = Vec::new();
    for level in k.framework.levels.iter().filter(|l| k.tables.levels.includes(&l.name)) {
        let units: Vec<&UnitResult> =
            k.results.units.iter().filter(|u| u.level.as_deref() == Some(level.name.as_str())).collect();
        if units.is_empty() {
            out.push(Block::Paragraph(Paragraph::text(format!(
                "Năm {}, không có {noun} nào {}.",
                k.results.year,
                reaching(&level.name)
            ))));
            continue;
        }
        let rows: Vec<Row> = units.iter().enumerate().map(|(i, u)| unit_row(k, i + 1, u, grouped)).collect();
        let caption = format!("Các {noun} {} năm {}", reaching(&level.name), k.results.year);
        let mut notes = vec![note(format!(
            "Bảng liệt kê {} {noun} {} theo thứ hạng; kết quả của tất cả các {noun} ở tệp XLSX kèm theo.",
            count(units.len()),
            reaching(&level.name)
        ))];
        let ends = k.unit_rows.ends(units.len());
        if let Some(n) = ends {
            notes.push(note(format!(
                "Bảng in {n} {noun} đầu và {n} {noun} cuối trong số {} {noun} {}.",
                count(units.len()),
                reaching(&level.name)
            )));
        }
        let mut blocks = with_notes(table(counters, caption, unit_header(grouped, k.results.year), rows), notes);
        if let Some(Block::Table(t)) = blocks.last_mut() {
            t.ends = ends;
        }
        out.extend(blocks);
    }
    out
}

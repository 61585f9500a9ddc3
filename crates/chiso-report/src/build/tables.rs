//! The tables and charts of a kind: the overall ranking (Bảng 1 / Bảng 8), one
//! comparison table per criterion, the level distribution and the totals chart.

use super::{Counters, Kind, facts};
use crate::model::{
    Block, Cell, Chart, DataSheet, Figure, HeaderCell, Paragraph, ParagraphStyle, Row, RowKind, Run, Series, Table,
    Value,
};
use crate::vi;
use chiso_domain::compare::Method;
use chiso_domain::engine::{Status, UnitResult};
use chiso_domain::framework::Framework;
use chiso_domain::period::Answer;
use rust_decimal::Decimal;
use std::cmp::Ordering;

pub(crate) const NO_DATA_RANKING: &str = "Không xếp hạng do không cung cấp số liệu.";
pub(crate) const NO_DATA: &str = "Không cung cấp số liệu";
pub(crate) const NOT_RANKED: &str = "KXH";
pub(crate) const NOT_APPLICABLE: &str = "Không áp dụng";

fn head(text: impl Into<String>, colspan: u16, rowspan: u16) -> HeaderCell {
    HeaderCell { text: text.into(), colspan, rowspan }
}

/// A criterion's value cell for a unit: bold for groups, with the columns it adds up
/// when the printed value is exactly the sum of its printed children.
fn value_cell(fw: &Framework, u: &UnitResult, index: usize, columns: &[Option<usize>]) -> Cell {
    let c = fw.criterion(index);
    let d = fw.rounding.decimals;
    let Some(score) = u.scores.get(index) else { return Cell::empty() };
    if !score.applicable {
        return Cell::text("—");
    }
    let value = fw.rounding.round(score.points);
    let mut cell = Cell::number(value, d);
    if !c.children.is_empty() {
        cell.bold = true;
        let parts: Option<Vec<(usize, Decimal)>> = c
            .children
            .iter()
            .map(|&k| {
                Some((columns[k]?, u.scores.get(k).filter(|s| s.applicable).map(|s| fw.rounding.round(s.points))?))
            })
            .collect();
        if let Some(parts) = parts
            && parts.iter().map(|(_, v)| *v).sum::<Decimal>() == value
        {
            cell.value = Value::Number { value, decimals: d, sum_of: parts.iter().map(|(c, _)| *c).collect() };
        }
    }
    cell
}

/// A table of the document under its numbered caption ("Bảng N. …").
pub(super) fn captioned(table: Table) -> Vec<Block> {
    vec![Block::Paragraph(caption_block(table.number, &table.caption, "Bảng")), Block::Table(table)]
}

pub(super) fn caption_block(number: u32, caption: &str, kind: &str) -> Paragraph {
    Paragraph {
        runs: vec![
            Run { text: format!("{kind} {number}. "), bold: true, ..Default::default() },
            Run { text: caption.to_string(), bold: true, ..Default::default() },
        ],
        style: ParagraphStyle::Caption,
    }
}

pub(super) fn overall(k: &Kind, counters: &mut Counters) -> Vec<Block> {
    captioned(overall_rows(k, counters).whole())
}

/// The overall ranking, its unit rows made when asked.
pub(super) fn overall_rows<'k>(k: &'k Kind, counters: &mut Counters) -> Made<'k> {
    let fw = k.framework;
    let r = k.results;
    let d = fw.rounding.decimals;
    let year = r.year;
    let prev = k.previous.as_ref().map(|p| p.year);
    counters.table += 1;

    let mut h1 = vec![head("TT", 1, 2), head("Đơn vị", 1, 2), head("Mức xếp hạng", 1, 1)];
    let mut h2 = vec![head(format!("Năm {year}"), 1, 1)];
    match prev {
        Some(py) => {
            h1.push(head("Thứ tự xếp hạng", 2, 1));
            h2.push(head(format!("Năm {year}"), 1, 1));
            h2.push(head(format!("Năm {py}"), 1, 1));
        }
        None => {
            h1.push(head("Thứ tự xếp hạng", 1, 1));
            h2.push(head(format!("Năm {year}"), 1, 1));
        }
    }
    h1.push(head("Tổng điểm", 1, 1));
    h2.push(head(format!("Năm {year}"), 1, 1));
    h1.extend(fw.criteria.iter().map(|c| head(c.label(), 1, 2)));

    // TT, Đơn vị, level, rank this year (and last year), total, then the criteria.
    let total_col = 4 + usize::from(prev.is_some());
    let first_criterion_col = total_col + 1;
    let columns: Vec<Option<usize>> = (0..fw.criteria.len()).map(|i| Some(first_criterion_col + i)).collect();

    let mut max_row = vec![Cell::empty(), Cell::text("Điểm tối đa").bold()];
    max_row.resize(total_col, Cell::empty());
    // The total may be an index (total ÷ max) with its own decimals.
    let td = fw.total_rounding().decimals;
    max_row.push(Cell::number(fw.total_max(), td).bold());
    max_row.extend(fw.criteria.iter().map(|c| Cell::number(c.max, d).bold()));
    let rows = vec![Row { kind: RowKind::Max, cells: max_row }];

    let unit_row = move |i: usize| {
        let u = &r.units[i];
        let mut cells = Vec::with_capacity(first_criterion_col + fw.criteria.len());
        cells.extend([Cell::int(i as u32 + 1), Cell::text(&u.name)]);
        if u.status == Status::NoData {
            cells.push(Cell::text(NO_DATA_RANKING).span((first_criterion_col + fw.criteria.len() - 2) as u16));
            return Row { kind: RowKind::Unit, cells };
        }
        cells.push(Cell::text(u.level.clone().unwrap_or_else(|| NOT_RANKED.into())));
        cells.push(u.rank.map_or_else(Cell::empty, Cell::int));
        if prev.is_some() {
            // Last year's rank of the unit it is compared with (itself, or the predecessor it
            // continues: the note under the table says which).
            let then = facts::comparable(k, i).then(|| k.comparison(i).and_then(|c| c.previous_rank)).flatten();
            cells.push(then.map_or_else(Cell::empty, Cell::int));
        }
        let total = u.total.expect("units with data have a total");
        let roots: Option<Vec<(usize, Decimal)>> = fw
            .roots
            .iter()
            .map(|&i| {
                Some((columns[i]?, u.scores.get(i).filter(|s| s.applicable).map(|s| fw.rounding.round(s.points))?))
            })
            .collect();
        let mut total_cell = Cell::number(total, td).bold();
        if let Some(parts) = roots.filter(|p| p.iter().map(|(_, v)| *v).sum::<Decimal>() == total) {
            total_cell.value =
                Value::Number { value: total, decimals: td, sum_of: parts.iter().map(|(c, _)| *c).collect() };
        }
        cells.push(total_cell);
        cells.extend((0..fw.criteria.len()).map(|c| value_cell(fw, u, c, &columns)));
        Row { kind: RowKind::Unit, cells }
    };

    let mut widths = vec![4, 22, 8, 6];
    if prev.is_some() {
        widths.push(6);
    }
    widths.push(7);
    widths.extend(fw.criteria.iter().map(|_| 7));
    let mut notes = vec![Paragraph {
        runs: vec![
            Run { text: "Ghi chú: ".into(), bold: true, ..Default::default() },
            Run {
                text: "KXH: Không xếp hạng (tổng điểm dưới mức thấp nhất).".into(),
                italic: true,
                ..Default::default()
            },
        ],
        style: ParagraphStyle::Note,
    }];
    // A note only for a header that abbreviates: "Hiện diện: Mức độ hiện diện" says nothing.
    for c in fw.criteria.iter().filter(|c| c.short_name.is_some() && !repeats(c.label(), &c.name)) {
        notes.push(Paragraph {
            runs: vec![Run { text: format!("{}: {}.", c.label(), c.name), italic: true, ..Default::default() }],
            style: ParagraphStyle::Note,
        });
    }
    notes.extend(merger_note(k, true));
    let ends = ends(k, r.units.len(), &mut notes);
    let caption = format!("Xếp hạng {} năm {year}", k.settings.subject);
    let frame = Table {
        number: counters.table,
        caption,
        header: vec![h1, h2],
        rows,
        notes,
        widths,
        ends,
        workbook_only: false,
    };
    Made { frame, units: r.units.len(), unit_row: Box::new(unit_row) }
}

/// A full table whose unit rows are made one at a time when asked: the workbook's own
/// sheets are written from it a row at a time (a national table is 4,500 rows of some 130
/// cells, 30 MB held whole); [`Made::whole`] is the table itself.
pub(crate) struct Made<'k> {
    /// The table with the rows before the units' (the maximum points).
    pub frame: Table,
    /// How many unit rows follow.
    units: usize,
    unit_row: Box<dyn Fn(usize) -> Row + Send + Sync + 'k>,
}

impl Made<'_> {
    /// Every row in order: the frame's, then each unit's as it is made.
    pub fn rows(&self) -> impl Iterator<Item = std::borrow::Cow<'_, Row>> {
        let made = (0..self.units).map(|i| std::borrow::Cow::Owned((self.unit_row)(i)));
        self.frame.rows.iter().map(std::borrow::Cow::Borrowed).chain(made)
    }

    /// The table with every row.
    pub fn whole(self) -> Table {
        let mut t = self.frame;
        t.rows.reserve(self.units);
        t.rows.extend((0..self.units).map(&self.unit_row));
        t
    }
}

/// Whether every word of a header label is in the full name (no need to explain it).
fn repeats(label: &str, name: &str) -> bool {
    let words: Vec<String> = name.split_whitespace().map(|w| w.trim_matches(',').to_lowercase()).collect();
    label.split_whitespace().all(|w| words.contains(&w.trim_matches(',').to_lowercase()))
}

/// The comparison table of one criterion (with its children if it has any): this year
/// against last, ordered by this year's value, ties by overall rank.
pub(super) fn criterion(k: &Kind, index: usize, counters: &mut Counters) -> Vec<Block> {
    captioned(criterion_rows(k, index, counters).whole())
}

/// The comparison table of one criterion, its unit rows made when asked.
pub(super) fn criterion_rows<'k>(k: &'k Kind, index: usize, counters: &mut Counters) -> Made<'k> {
    let fw = k.framework;
    let r = k.results;
    let d = fw.rounding.decimals;
    let c = fw.criterion(index);
    let prev = k.previous.as_ref();
    let years: u16 = if prev.is_some() { 2 } else { 1 };
    let nodes: Vec<usize> = std::iter::once(index).chain(c.children.iter().copied()).collect();
    counters.table += 1;

    let mut h1 = vec![head("STT", 1, 2), head("Đơn vị", 1, 2)];
    let mut h2 = Vec::new();
    for &n in &nodes {
        h1.push(head(fw.criterion(n).label(), years, 1));
        h2.push(head(format!("Năm {}", r.year), 1, 1));
        if let Some(p) = prev {
            h2.push(head(format!("Năm {}", p.year), 1, 1));
        }
    }
    let col = |node_pos: usize, this_year: bool| 2 + node_pos * years as usize + usize::from(!this_year);

    let mut max_row = vec![Cell::empty(), Cell::text("Điểm tối đa").bold()];
    for &n in &nodes {
        for _ in 0..years {
            max_row.push(Cell::number(fw.criterion(n).max, d).bold());
        }
    }
    let rows = vec![Row { kind: RowKind::Max, cells: max_row }];

    let mut order: Vec<usize> = (0..r.units.len()).filter(|&i| r.units[i].status != Status::NoData).collect();
    order.sort_by(|&a, &b| {
        let va = r.units[a].presented(fw, index);
        let vb = r.units[b].presented(fw, index);
        vb.cmp(&va).then(a.cmp(&b)) // results are already in overall rank order
    });
    // Where each criterion sits in a row, this year and last (for the sum formulas).
    let this_cols: Vec<Option<usize>> =
        (0..fw.criteria.len()).map(|i| nodes.iter().position(|&x| x == i).map(|p| col(p, true))).collect();
    let prev_cols: Option<Vec<Option<usize>>> = prev.map(|p| {
        p.framework
            .criteria
            .iter()
            .map(|pc| nodes.iter().position(|&x| fw.criterion(x).id == pc.id).map(|q| col(q, false)))
            .collect()
    });
    let span = (nodes.len() * years as usize) as u16;
    let no_data: Vec<usize> = (0..r.units.len()).filter(|&i| r.units[i].status == Status::NoData).collect();
    let units = order.len() + no_data.len();
    let mut notes = Vec::new();
    let full: Vec<String> = not_applicable_full(k, &nodes);
    if !full.is_empty() {
        notes.push(Paragraph {
            runs: vec![
                Run { text: "Ghi chú: ".into(), bold: true, ..Default::default() },
                Run {
                    text: format!(
                        "{} được tính điểm tối đa ở tiêu chí này do nội dung không áp dụng đối với đơn vị.",
                        vi::list(&full)
                    ),
                    italic: true,
                    ..Default::default()
                },
            ],
            style: ParagraphStyle::Note,
        });
    }
    notes.extend(merger_note(k, false));
    let caption = match prev {
        Some(p) => format!("Kết quả so sánh điểm {} năm {} và năm {}", lower(&c.name), r.year, p.year),
        None => format!("Kết quả điểm {} năm {}", lower(&c.name), r.year),
    };
    let mut widths = vec![4, 24];
    widths.extend(std::iter::repeat_n(8, nodes.len() * years as usize));
    let unit_row = move |n: usize| {
        let Some(&i) = order.get(n) else {
            let u = &r.units[no_data[n - order.len()]];
            let cells = vec![Cell::int(n as u32 + 1), Cell::text(&u.name), Cell::text(NO_DATA).span(span)];
            return Row { kind: RowKind::Unit, cells };
        };
        let u = &r.units[i];
        // Sized once: thousands of rows, each as long as the header.
        let mut cells = Vec::with_capacity(2 + nodes.len() * years as usize);
        cells.extend([Cell::int(n as u32 + 1), Cell::text(&u.name)]);
        // Last year's result of the unit this one is compared with (itself, or the
        // predecessor it continues; the note under the table says which).
        let before = k.previous_result(i).filter(|_| facts::comparable(k, i));
        // Predecessors combined: last year's value is this year's less the change.
        let combined =
            k.comparison(i).filter(|c| facts::comparable(k, i) && matches!(c.method, Method::Combined { .. }));
        for &node in &nodes {
            cells.push(value_cell(fw, u, node, &this_cols));
            if let (Some(p), Some(cols)) = (prev, &prev_cols) {
                let cell = before
                    .zip(p.framework.index_of(&fw.criterion(node).id.0))
                    .filter(|(pu, j)| pu.scores.get(*j).is_some())
                    .map(|(pu, j)| value_cell(p.framework, pu, j, cols))
                    .or_else(|| {
                        let (c, now) = (combined?, u.presented(fw, node)?);
                        Some(Cell::number(now - c.delta(node)?, p.framework.rounding.decimals))
                    });
                cells.push(cell.unwrap_or_else(Cell::empty));
            }
        }
        Row { kind: RowKind::Unit, cells }
    };
    let ends = ends(k, units, &mut notes);
    let frame = Table {
        number: counters.table,
        caption,
        header: vec![h1, h2],
        rows,
        notes,
        widths,
        ends,
        workbook_only: false,
    };
    Made { frame, units, unit_row: Box::new(unit_row) }
}

/// "Huyện Quảng Hòa (sáp nhập …) hình thành năm 2020 do sáp nhập; cột năm 2019 là kết quả của
/// Huyện Quảng Uyên.": what each merged unit's previous columns hold, with the merged units
/// under the overall table (`full`), the names only under the others.
fn merger_note(k: &Kind, full: bool) -> Option<Paragraph> {
    let prev = k.previous.as_ref()?;
    let merged = facts::mergers(k);
    if merged.is_empty() {
        return None;
    }
    let p = prev.year;
    let items: Vec<String> = merged
        .iter()
        .map(|(i, from)| {
            let n = &k.results.units[*i].name;
            let who = if full { format!("{n} (sáp nhập {})", vi::list(from)) } else { n.clone() };
            let comparable = facts::comparable(k, *i);
            let combined = matches!(k.comparison(*i).map(|c| &c.method), Some(Method::Combined { .. }));
            let columns = match facts::compared_with(k, *i) {
                Some(w) if comparable && combined => format!("cột năm {p} là {w}"),
                Some(w) if comparable => format!("cột năm {p} là kết quả của {w}"),
                _ if comparable => format!("cột năm {p} là kết quả của chính {}", k.settings.noun),
                _ => format!("không có số liệu năm {p} để so sánh"),
            };
            format!("{who} hình thành năm {} do sáp nhập; {columns}", k.results.year)
        })
        .collect();
    Some(Paragraph {
        runs: vec![Run { text: format!("{}.", items.join("; ")), italic: true, ..Default::default() }],
        style: ParagraphStyle::Note,
    })
}

/// The first and last units only, when the report settings ask for it (by default beyond
/// 150 units): a note says so and where every unit is. The XLSX keeps every row.
fn ends(k: &Kind, units: usize, notes: &mut Vec<Paragraph>) -> Option<usize> {
    // A full table left out of the document is whole in the XLSX: nothing to say.
    if !k.tables.full {
        return None;
    }
    let n = k.unit_rows.ends(units)?;
    notes.push(Paragraph {
        runs: vec![Run {
            text: format!(
                "Bảng in {n} {noun} đầu bảng và {n} {noun} cuối bảng trong số {} {noun}; kết quả của tất cả các {noun} ở \
                 bảng cùng số trong tệp XLSX kèm theo.",
                vi::number(Decimal::from(units), 0),
                noun = k.settings.noun
            ),
            italic: true,
            ..Default::default()
        }],
        style: ParagraphStyle::Note,
    });
    Some(n)
}

/// Units that declared one of these criteria not applicable and got the maximum for it.
fn not_applicable_full(k: &Kind, nodes: &[usize]) -> Vec<String> {
    let fw = k.framework;
    let mut out = Vec::new();
    for pu in &k.period.units {
        let Some(sub) = &pu.submission else { continue };
        let leaves = nodes.iter().flat_map(|&n| leaves_under(fw, n));
        let full = leaves.into_iter().any(|i| {
            sub.answer(i) == Some(&Answer::NotApplicable)
                && fw.criterion(i).not_applicable == chiso_domain::NotApplicable::FullPoints
        });
        if full && !out.contains(&pu.name) {
            out.push(pu.name.clone());
        }
    }
    out
}

fn leaves_under(fw: &Framework, index: usize) -> Vec<usize> {
    let c = fw.criterion(index);
    if c.is_leaf() { vec![index] } else { c.children.iter().flat_map(|&k| leaves_under(fw, k)).collect() }
}

fn lower(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

pub(super) fn level_chart(k: &Kind, counters: &mut Counters) -> Vec<Block> {
    let fw = k.framework;
    let counts = chiso_domain::stats::level_counts(k.results, fw);
    let mut categories = Vec::new();
    let mut values = Vec::new();
    for (name, n) in &counts.levels {
        if *n > 0 {
            categories.push(name.clone());
            values.push(*n as u32);
        }
    }
    if counts.below_levels > 0 {
        categories.push(NOT_RANKED.to_string());
        values.push(counts.below_levels as u32);
    }
    if counts.no_data > 0 {
        categories.push(NO_DATA.to_string());
        values.push(counts.no_data as u32);
    }
    // A pie that is nearly one slice tells nothing the sentence does not.
    let all: u32 = values.iter().sum();
    if values.len() < 2 || values.iter().any(|v| v * 10 >= all * 9) {
        return vec![];
    }
    counters.figure += 1;
    let caption = format!("Cơ cấu kết quả xếp hạng {} theo tỷ lệ số {}", k.settings.subject, k.settings.noun);
    vec![
        Block::Paragraph(caption_block(counters.figure, &caption, "Hình")),
        Block::Figure(Figure { number: counters.figure, caption, chart: Chart::Pie { categories, values } }),
    ]
}

pub(super) fn total_chart(k: &Kind, counters: &mut Counters) -> Vec<Block> {
    let fw = k.framework;
    let mut units: Vec<(usize, &UnitResult)> = k.with_data().collect();
    // A long ranking: its first and last units, as the tables print them (the top and
    // bottom the settings choose when the full tables are in the XLSX only and the kind is
    // one ranking).
    let grouped = k.results.units.iter().any(|u| u.group.is_some());
    let (top, bottom) = (k.tables.top as usize, k.tables.bottom as usize);
    let chosen =
        (!k.tables.full && !grouped && top + bottom > 0 && top + bottom < units.len()).then_some((top, bottom));
    let ends = match chosen {
        Some(_) => None,
        None => k.unit_rows.ends(units.len()),
    };
    if let Some(n) = ends {
        units.drain(n..units.len() - n);
    }
    if let Some((top, bottom)) = chosen {
        units.drain(top..units.len() - bottom);
    }
    let categories = units.iter().map(|(_, u)| u.name.clone()).collect();
    let mut series =
        vec![Series { name: format!("Năm {}", k.results.year), values: units.iter().map(|(_, u)| u.total).collect() }];
    if let Some(p) = &k.previous {
        series.push(Series {
            name: format!("Năm {}", p.year),
            values: units
                .iter()
                .map(|(i, _)| p.comparisons[*i].previous_total.filter(|_| facts::comparable(k, *i)))
                .collect(),
        });
    }
    counters.figure += 1;
    let noun = &k.settings.noun;
    let caption = match (chosen, ends) {
        (Some((t, 0)), _) => format!("Tổng điểm {} ({t} {noun} đầu bảng)", k.settings.subject),
        (Some((0, b)), _) => format!("Tổng điểm {} ({b} {noun} cuối bảng)", k.settings.subject),
        (Some((t, b)), _) => {
            format!("Tổng điểm {} ({t} {noun} đầu bảng và {b} {noun} cuối bảng)", k.settings.subject)
        }
        (None, Some(n)) => {
            format!("Tổng điểm {} ({n} {noun} đầu bảng và {n} {noun} cuối bảng)", k.settings.subject)
        }
        (None, None) => format!("Tổng điểm {}", k.settings.subject),
    };
    vec![
        Block::Paragraph(caption_block(counters.figure, &caption, "Hình")),
        Block::Figure(Figure {
            number: counters.figure,
            caption,
            chart: Chart::Bar { categories, series, decimals: fw.total_rounding().decimals, max: fw.total_max() },
        }),
    ]
}

/// The figures each unit reported, as entered: the raw data behind the tables, under
/// the criteria's names.
pub(super) fn data_sheet(k: &Kind) -> DataSheet {
    let rows = DataRows::of(k);
    DataSheet { rows: (0..rows.len()).map(|i| rows.row(i)).collect(), name: rows.name, header: rows.header }
}

/// A kind's figures a row at a time (a row per unit in Vietnamese order): the workbook
/// writes them without holding every row.
pub struct DataRows<'a> {
    pub name: String,
    pub header: Vec<String>,
    framework: &'a Framework,
    units: Vec<&'a chiso_domain::period::PeriodUnit>,
    groups: bool,
}

impl<'a> DataRows<'a> {
    pub(super) fn of(k: &Kind<'a>) -> DataRows<'a> {
        let fw = k.framework;
        let groups = k.period.units.iter().any(|pu| pu.group.is_some());
        let mut header = vec!["Đơn vị".to_string()];
        if groups {
            header.push("Nhóm".to_string());
        }
        for (_, c) in fw.leaves() {
            match c.rule {
                Some(chiso_domain::Rule::Ratio | chiso_domain::Rule::RelativeToBest) => {
                    header.push(format!("{} (tử số)", c.name));
                    header.push(format!("{} (mẫu số)", c.name));
                }
                _ => header.push(c.name.clone()),
            }
        }
        let mut units: Vec<_> = k.period.units.iter().collect();
        units.sort_by(|a, b| chiso_domain::collate::compare_vi(&a.name, &b.name).then(Ordering::Equal));
        DataRows { name: format!("Số liệu {}", k.settings.kind), header, framework: fw, units, groups }
    }

    /// The number of rows (units).
    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The `i`th unit's row.
    pub fn row(&self, i: usize) -> Vec<Cell> {
        let (fw, pu) = (self.framework, self.units[i]);
        let d = fw.rounding.decimals;
        // Sized once: as long as the header (a row of each unit).
        let mut row = Vec::with_capacity(self.header.len());
        row.push(Cell::text(&pu.name));
        if self.groups {
            row.push(Cell::text(pu.group.clone().unwrap_or_default()));
        }
        for (i, c) in fw.leaves() {
            let ratio = matches!(c.rule, Some(chiso_domain::Rule::Ratio | chiso_domain::Rule::RelativeToBest));
            let answer = pu.submission.as_ref().and_then(|s| s.answer(i));
            let exact = |v: Decimal| Cell::number(v, v.scale().max(d).min(10));
            match answer {
                None => row.extend(std::iter::repeat_n(Cell::empty(), if ratio { 2 } else { 1 })),
                Some(Answer::Ratio(r)) => {
                    row.push(exact(r.numerator));
                    row.push(exact(r.denominator));
                }
                Some(a) => {
                    row.push(match a {
                        Answer::Points(v) | Answer::Figure(v) => exact(*v),
                        Answer::YesNo(b) => Cell::text(if *b { "Có" } else { "Không" }),
                        Answer::Choice(s) => Cell::text(&**s),
                        _ => Cell::text(NOT_APPLICABLE),
                    });
                    if ratio {
                        row.push(Cell::text(NOT_APPLICABLE));
                    }
                }
            }
        }
        row
    }
}

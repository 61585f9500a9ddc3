//! Checks within each table: totals and subtotals against their parts, values and the
//! maximum row against the framework, levels against thresholds, ranks against totals,
//! the order of sorted tables, rows copied from another unit, names not in the registry.

use crate::context::Ctx;
use crate::facts::Facts;
use crate::finding::{Finding, Severity};
use crate::recognize::Role;
use crate::text::{norm, round, ulps};
use chiso_domain::Decimal;
use chiso_domain::number::RoundingScope;
use chiso_domain::unit::UnitId;
use std::collections::HashMap;

/// How far a printed total is from the sum of its printed parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    Exact,
    Rounding,
    Off,
}

/// Rounding when the printed value is one unit of its last decimal away and the
/// framework rounds what it presents (scope `total`); otherwise the difference is an error.
pub fn fit(ctx: &Ctx, fw: usize, printed: Decimal, decimals: u32, sum: Decimal) -> Fit {
    let expected = round(sum, decimals, ctx.frameworks[fw].rounding.mode);
    let d = ulps(printed, expected, decimals);
    if d.is_zero() {
        Fit::Exact
    } else if d <= Decimal::ONE && ctx.frameworks[fw].rounding.scope == RoundingScope::Total {
        Fit::Rounding
    } else {
        Fit::Off
    }
}

/// Totals and subtotals against the sum of their parts in the same row. Returns the
/// findings and, for every printed value that takes part in a sum, whether it fits.
/// Whether each printed value (table, row, column) that takes part in a sum fits it
/// (`u32`: millions of entries in a national workbook).
pub type Fits = HashMap<(u32, u32, u32), bool>;

pub fn sums(ctx: &Ctx) -> (Vec<Finding>, Fits) {
    let mut findings = Vec::new();
    let mut fits: Fits = HashMap::new();
    for (ti, t) in ctx.tables.iter().enumerate() {
        let fw = &ctx.frameworks[t.framework];
        for row in &t.rows {
            for col in &t.columns {
                let (children, year, leaves): (&[usize], i32, Vec<usize>) = match col.role {
                    Role::Total(y) => (&fw.roots, y, fw.leaves().map(|(i, _)| i).collect()),
                    Role::Crit(c, y) => (&fw.criterion(c).children, y, leaves_under(fw, c)),
                    _ => continue,
                };
                if children.is_empty() {
                    continue;
                }
                let Some(total) = ctx.num(ti, row.row, col.col) else { continue };
                let find = |k: usize| {
                    let c = ctx.column_of(ti, Role::Crit(k, year))?;
                    Some((c, ctx.num(ti, row.row, c)?))
                };
                let parts: Option<Vec<_>> = children.iter().map(|&k| find(k)).collect();
                let parts = match parts {
                    Some(p) => p,
                    None => match leaves.iter().map(|&k| find(k)).collect::<Option<Vec<_>>>() {
                        Some(p) if leaves.len() > 1 => p,
                        _ => continue,
                    },
                };
                let sum: Decimal = parts.iter().map(|(_, n)| n.value).sum();
                let f = fit(ctx, t.framework, total.value, total.decimals, sum);
                let ok = f != Fit::Off;
                for c in std::iter::once(col.col).chain(parts.iter().map(|(c, _)| *c)) {
                    let e = fits.entry((ti as u32, row.row as u32, c as u32)).or_insert(ok);
                    *e = *e && ok;
                }
                if f == Fit::Exact {
                    continue;
                }
                let terms: Vec<String> = parts.iter().map(|(c, _)| ctx.text(ti, row.row, *c).to_string()).collect();
                let expected = ctx.fmt(sum, total.decimals);
                let printed = ctx.text(ti, row.row, col.col).to_string();
                let what = ctx.column_label(ti, col.col);
                let (severity, vi, en) = if f == Fit::Rounding {
                    (
                        Severity::Rounding,
                        format!(
                            "{what}: {printed} lệch một đơn vị ở chữ số cuối so với tổng các phần {} = {expected} (có thể do \
                             làm tròn)",
                            terms.join(" + ")
                        ),
                        format!(
                            "{what}: {printed} is one unit of the last digit off the sum of its parts {} = {expected} \
                             (rounding can explain it)",
                            terms.join(" + ")
                        ),
                    )
                } else {
                    (
                        Severity::Error,
                        format!("{what}: {printed} khác tổng các phần {} = {expected}", terms.join(" + ")),
                        format!("{what}: {printed} is not the sum of its parts {} = {expected}", terms.join(" + ")),
                    )
                };
                findings.push(
                    Finding::new(severity, "sum", ctx.cell_location(ti, row.row, col.col))
                        .unit(row.unit_text.clone())
                        .printed(printed)
                        .expected(expected)
                        .say(vi, en),
                );
            }
        }
    }
    (findings, fits)
}

fn leaves_under(fw: &chiso_domain::Framework, c: usize) -> Vec<usize> {
    let x = fw.criterion(c);
    if x.children.is_empty() { vec![c] } else { x.children.iter().flat_map(|&k| leaves_under(fw, k)).collect() }
}

fn max_of(ctx: &Ctx, fw: usize, role: Role) -> Option<Decimal> {
    let f = &ctx.frameworks[fw];
    match role {
        Role::Total(_) => Some(f.total_max()),
        Role::Crit(c, _) => Some(f.criterion(c).max),
        _ => None,
    }
}

/// The "Điểm tối đa" row against the framework, and every value against its maximum.
pub fn maxima(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (ti, t) in ctx.tables.iter().enumerate() {
        for col in &t.columns {
            let Some(max) = max_of(ctx, t.framework, col.role) else { continue };
            let what = ctx.column_label(ti, col.col);
            if let Some(mr) = t.max_row
                && let Some(n) = ctx.num(ti, mr, col.col)
                && n.value != max
            {
                let printed = ctx.text(ti, mr, col.col).to_string();
                out.push(
                    Finding::new(Severity::Error, "max", ctx.cell_location(ti, mr, col.col))
                        .printed(printed.clone())
                        .expected(ctx.fmt(max, n.decimals))
                        .say(
                            format!(
                                "Điểm tối đa của {what} in {printed}, bộ tiêu chí quy định {}",
                                ctx.fmt(max, n.decimals)
                            ),
                            format!(
                                "The maximum of {what} is printed {printed}; the framework says {}",
                                ctx.fmt(max, n.decimals)
                            ),
                        ),
                );
            }
            for row in &t.rows {
                let Some(n) = ctx.num(ti, row.row, col.col) else { continue };
                if n.value > max || n.value < Decimal::ZERO {
                    let printed = ctx.text(ti, row.row, col.col).to_string();
                    let bound = if n.value > max { max } else { Decimal::ZERO };
                    out.push(
                        Finding::new(Severity::Error, "max", ctx.cell_location(ti, row.row, col.col))
                            .unit(row.unit_text.clone())
                            .printed(printed.clone())
                            .expected(ctx.fmt(bound, n.decimals))
                            .say(
                                format!("{what}: {printed} nằm ngoài khoảng 0 – {} điểm", ctx.fmt(max, n.decimals)),
                                format!("{what}: {printed} is outside 0 – {} points", ctx.fmt(max, n.decimals)),
                            ),
                    );
                }
            }
        }
    }
    out
}

/// A printed level: a level's index, `None` for "not ranked" (KXH, blank), `Err` if unreadable.
fn parse_level(fw: &chiso_domain::Framework, text: &str) -> Result<Option<usize>, ()> {
    let t = norm(text);
    if let Some(i) = fw.levels.iter().position(|l| norm(&l.name) == t) {
        return Ok(Some(i));
    }
    let below = ["kxh", "không xếp hạng", "không xếp mức", "-", "—", "", "không đạt", "chưa xếp hạng"];
    if below.contains(&t.as_str()) { Ok(None) } else { Err(()) }
}

fn level_name(fw: &chiso_domain::Framework, l: Option<usize>) -> String {
    l.map_or_else(|| "KXH".to_string(), |i| fw.levels[i].name.clone())
}

/// The printed total of a unit in a row (this table's total column for the year), else
/// the document's.
fn row_total(
    ctx: &Ctx,
    facts: &Facts,
    ti: usize,
    row: usize,
    unit: Option<&UnitId>,
    year: i32,
) -> Option<crate::model::Num> {
    ctx.column_of(ti, Role::Total(year))
        .and_then(|c| ctx.num(ti, row, c))
        .or_else(|| unit.and_then(|u| facts.printed(ctx.tables[ti].framework, u, None, year)))
}

/// Levels against the thresholds, for the printed total and for the total of the parts.
pub fn levels(ctx: &Ctx, facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (ti, t) in ctx.tables.iter().enumerate() {
        let fw = &ctx.frameworks[t.framework];
        if fw.levels.is_empty() {
            continue;
        }
        for col in &t.columns {
            let Role::Level(year) = col.role else { continue };
            for row in t.rows.iter().filter(|r| !r.no_data) {
                let printed_text = ctx.text(ti, row.row, col.col).to_string();
                let Ok(printed) = parse_level(fw, &printed_text) else {
                    out.push(
                        Finding::new(Severity::Warning, "level", ctx.cell_location(ti, row.row, col.col))
                            .unit(row.unit_text.clone())
                            .printed(printed_text.clone())
                            .say(
                                format!("\"{printed_text}\" không phải là một mức của bộ tiêu chí"),
                                format!("\"{printed_text}\" is not a level of the framework"),
                            ),
                    );
                    continue;
                };
                let Some(total) = row_total(ctx, facts, ti, row.row, row.unit.as_ref(), year) else { continue };
                let by_printed = fw.level_for(total.value);
                let exact = row.unit.as_ref().and_then(|u| facts.exact(ctx, t.framework, u, None, year));
                let total_text = ctx.fmt(total.value, total.decimals);
                if printed != by_printed {
                    out.push(
                        Finding::new(Severity::Error, "level", ctx.cell_location(ti, row.row, col.col))
                            .unit(row.unit_text.clone())
                            .printed(printed_text.clone())
                            .expected(level_name(fw, by_printed))
                            .say(
                                format!(
                                    "Tổng điểm {total_text} ứng với {}, không phải {printed_text}",
                                    level_name(fw, by_printed)
                                ),
                                format!(
                                    "A total of {total_text} is {}, not {printed_text}",
                                    level_name(fw, by_printed)
                                ),
                            ),
                    );
                } else if let Some(e) = exact
                    && fw.level_for(e) != printed
                {
                    let f = fit(ctx, t.framework, total.value, total.decimals, e);
                    let sev = if f == Fit::Rounding { Severity::Rounding } else { Severity::Error };
                    let e_text = ctx.fmt(e, total.decimals);
                    out.push(
                        Finding::new(sev, "level", ctx.cell_location(ti, row.row, col.col))
                            .unit(row.unit_text.clone())
                            .printed(printed_text.clone())
                            .expected(level_name(fw, fw.level_for(e)))
                            .say(
                                format!(
                                    "Mức khớp với tổng điểm in {total_text}, nhưng các phần cộng lại được {e_text}, ứng với {}",
                                    level_name(fw, fw.level_for(e))
                                ),
                                format!(
                                    "The level fits the printed total {total_text}, but the parts add up to {e_text}, which is {}",
                                    level_name(fw, fw.level_for(e))
                                ),
                            ),
                    );
                }
            }
        }
    }
    out
}

/// Ranks against totals: competition ranking (1, 2, 2, 4) when the column ranks every
/// unit it lists, else only the order (a unit ranked above one with more points, ties).
pub fn ranks(ctx: &Ctx, facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (ti, t) in ctx.tables.iter().enumerate() {
        for col in &t.columns {
            let Role::Rank(year) = col.role else { continue };
            // (row, unit text, rank, printed total, exact total, total decimals)
            let mut entries = Vec::new();
            for row in t.rows.iter().filter(|r| !r.no_data) {
                let Some(rank) = ctx.num(ti, row.row, col.col) else { continue };
                let exact = row.unit.as_ref().and_then(|u| facts.exact(ctx, t.framework, u, None, year));
                let printed = row_total(ctx, facts, ti, row.row, row.unit.as_ref(), year);
                let (p, d) = match (printed, exact) {
                    (Some(p), _) => (p.value, p.decimals),
                    (None, Some(e)) => (e, ctx.frameworks[t.framework].rounding.decimals),
                    _ => continue,
                };
                entries.push((row.row, row.unit_text.clone(), rank.value, p, exact.unwrap_or(p), d));
            }
            if entries.len() < 2 {
                continue;
            }
            let complete = entries.iter().all(|e| e.2 >= Decimal::ONE && e.2 <= Decimal::from(entries.len()));
            for (i, (row, name, rank, p, e, d)) in entries.iter().enumerate() {
                let others = || entries.iter().enumerate().filter(move |(j, _)| *j != i).map(|(_, x)| x);
                let above_with_fewer: Vec<String> = others()
                    .filter(|x| x.2 > *rank && x.3 > *p)
                    .map(|x| format!("{} ({}, hạng {})", x.1, ctx.fmt(x.3, x.5), x.2))
                    .collect();
                let tied: Vec<String> = others()
                    .filter(|x| x.3 == *p && x.2 != *rank && (complete || x.2 < *rank))
                    .map(|x| format!("{} (hạng {})", x.1, x.2))
                    .collect();
                let printed = ctx.text(ti, *row, col.col).to_string();
                let total = ctx.fmt(*p, *d);
                if complete {
                    let expected_p = Decimal::ONE + Decimal::from(others().filter(|x| x.3 > *p).count());
                    let expected_e = Decimal::ONE + Decimal::from(others().filter(|x| x.4 > *e).count());
                    if *rank != expected_p {
                        let mut why_vi = Vec::new();
                        let mut why_en = Vec::new();
                        if !above_with_fewer.is_empty() {
                            why_vi.push(format!("xếp trên đơn vị có điểm cao hơn: {}", above_with_fewer.join("; ")));
                            why_en
                                .push(format!("ranked above units with more points: {}", above_with_fewer.join("; ")));
                        }
                        let below_with_more: Vec<String> = others()
                            .filter(|x| x.2 < *rank && x.3 < *p)
                            .map(|x| format!("{} ({}, hạng {})", x.1, ctx.fmt(x.3, x.5), x.2))
                            .collect();
                        if !below_with_more.is_empty() {
                            why_vi.push(format!("xếp dưới đơn vị có điểm thấp hơn: {}", below_with_more.join("; ")));
                            why_en
                                .push(format!("ranked below units with fewer points: {}", below_with_more.join("; ")));
                        }
                        if !tied.is_empty() {
                            why_vi.push(format!("cùng điểm nhưng khác hạng: {}", tied.join("; ")));
                            why_en.push(format!("same total, different rank: {}", tied.join("; ")));
                        }
                        out.push(
                            Finding::new(Severity::Error, "rank", ctx.cell_location(ti, *row, col.col))
                                .unit(name.clone())
                                .printed(printed)
                                .expected(expected_p.to_string())
                                .say(
                                    format!("Với {total} điểm, đơn vị xếp hạng {expected_p}; {}", why_vi.join("; ")),
                                    format!("With {total} points the unit ranks {expected_p}; {}", why_en.join("; ")),
                                ),
                        );
                    } else if *rank != expected_e {
                        let parts_off = entries.iter().any(|x| fit(ctx, t.framework, x.3, x.5, x.4) == Fit::Off);
                        let sev = if parts_off { Severity::Error } else { Severity::Rounding };
                        out.push(
                            Finding::new(sev, "rank", ctx.cell_location(ti, *row, col.col))
                                .unit(name.clone())
                                .printed(printed)
                                .expected(expected_e.to_string())
                                .say(
                                    format!(
                                        "Hạng khớp với tổng điểm in, nhưng theo tổng các phần ({}) đơn vị xếp hạng {expected_e}",
                                        ctx.fmt(*e, *d)
                                    ),
                                    format!(
                                        "The rank fits the printed totals, but by the sum of its parts ({}) the unit ranks {expected_e}",
                                        ctx.fmt(*e, *d)
                                    ),
                                ),
                        );
                    }
                } else if !above_with_fewer.is_empty() || !tied.is_empty() {
                    let mut why_vi = Vec::new();
                    let mut why_en = Vec::new();
                    if !above_with_fewer.is_empty() {
                        why_vi.push(format!("xếp trên đơn vị có điểm cao hơn: {}", above_with_fewer.join("; ")));
                        why_en.push(format!("ranked above units with more points: {}", above_with_fewer.join("; ")));
                    }
                    if !tied.is_empty() {
                        why_vi.push(format!("cùng điểm nhưng khác hạng: {}", tied.join("; ")));
                        why_en.push(format!("same total, different rank: {}", tied.join("; ")));
                    }
                    out.push(
                        Finding::new(Severity::Error, "rank", ctx.cell_location(ti, *row, col.col))
                            .unit(name.clone())
                            .printed(printed)
                            .say(
                                format!("Hạng {rank} với {total} điểm: {}", why_vi.join("; ")),
                                format!("Rank {rank} with {total} points: {}", why_en.join("; ")),
                            ),
                    );
                }
            }
        }
    }
    out
}

/// Rows of a table meant to be sorted (by rank, or by the first value column, which
/// most rows already follow) that are out of order.
pub fn order(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (ti, t) in ctx.tables.iter().enumerate() {
        let rows: Vec<_> = t.rows.iter().filter(|r| !r.no_data).collect();
        if let Some(rank_col) = ctx.column_of(ti, Role::Rank(t.year)) {
            let ranked: Vec<_> = rows.iter().filter_map(|r| Some((*r, ctx.num(ti, r.row, rank_col)?))).collect();
            // A row whose rank is itself wrong is reported by the rank check, not here.
            let totals: Vec<Option<Decimal>> = match ctx.column_of(ti, Role::Total(t.year)) {
                Some(tc) => ranked.iter().map(|(r, _)| ctx.num(ti, r.row, tc).map(|n| n.value)).collect(),
                None => vec![None; ranked.len()],
            };
            let right = |i: usize| match totals[i] {
                Some(mine) => {
                    let above = totals.iter().filter(|t| t.is_some_and(|t| t > mine)).count();
                    ranked[i].1.value == Decimal::ONE + Decimal::from(above)
                }
                None => true,
            };
            for (i, w) in ranked.windows(2).enumerate() {
                let ((a, ra), (b, rb)) = (&w[0], &w[1]);
                if rb.value < ra.value && right(i) && right(i + 1) {
                    out.push(
                        Finding::new(Severity::Warning, "order", ctx.cell_location(ti, b.row, rank_col))
                            .unit(b.unit_text.clone())
                            .printed(ctx.text(ti, b.row, rank_col).to_string())
                            .say(
                                format!(
                                    "Dòng xếp hạng {} đứng sau dòng xếp hạng {} ({})",
                                    rb.value, ra.value, a.unit_text
                                ),
                                format!(
                                    "The row ranked {} comes after the row ranked {} ({})",
                                    rb.value, ra.value, a.unit_text
                                ),
                            ),
                    );
                }
            }
            continue;
        }
        if t.index_col.is_none() || rows.len() < 4 {
            continue;
        }
        let Some(key) = t.columns.iter().find(|c| c.role.is_points() && c.role.year() == Some(t.year)) else {
            continue;
        };
        let values: Vec<_> = rows.iter().filter_map(|r| Some((*r, ctx.num(ti, r.row, key.col)?))).collect();
        let pairs = values.len().saturating_sub(1);
        if pairs < 3 {
            continue;
        }
        let descending = values.windows(2).filter(|w| w[1].1.value <= w[0].1.value).count();
        let strict = values.windows(2).any(|w| w[1].1.value < w[0].1.value);
        if !strict || descending * 4 < pairs * 3 {
            continue;
        }
        for w in values.windows(2) {
            let ((a, va), (b, vb)) = (&w[0], &w[1]);
            if vb.value > va.value {
                let (pa, pb) = (ctx.text(ti, a.row, key.col), ctx.text(ti, b.row, key.col));
                out.push(
                    Finding::new(Severity::Warning, "order", ctx.cell_location(ti, b.row, key.col))
                        .unit(b.unit_text.clone())
                        .printed(pb.to_string())
                        .say(
                            format!(
                                "Bảng xếp theo {} giảm dần, nhưng {} ({pb}) đứng sau {} ({pa})",
                                key.label, b.unit_text, a.unit_text
                            ),
                            format!(
                                "The table is sorted by {} descending, but {} ({pb}) comes after {} ({pa})",
                                key.label, b.unit_text, a.unit_text
                            ),
                        ),
                );
            }
        }
    }
    out
}

/// Two units whose every criterion value in a table is the same (a likely copy), and a
/// unit listed twice in one table.
pub fn copies(ctx: &Ctx) -> Vec<Finding> {
    use std::collections::HashMap;
    let mut out = Vec::new();
    for (ti, t) in ctx.tables.iter().enumerate() {
        let crit_cols: Vec<usize> =
            t.columns.iter().filter(|c| matches!(c.role, Role::Crit(..))).map(|c| c.col).collect();
        let rows: Vec<_> = t.rows.iter().filter(|r| !r.no_data).collect();
        let values = |r: &crate::recognize::Row| -> Vec<Option<Decimal>> {
            crit_cols.iter().map(|&c| ctx.num(ti, r.row, c).map(|n| n.value)).collect()
        };
        // The rows before this one by unit (the first) and by criterion values (all, in
        // order): a national table has thousands of rows, each compared with those before it.
        let mut first_of_unit: HashMap<&chiso_domain::UnitId, usize> = HashMap::new();
        let mut by_values: HashMap<Vec<Option<Decimal>>, Vec<usize>> = HashMap::new();
        for (i, b) in rows.iter().enumerate() {
            let earlier_same_unit = b.unit.as_ref().and_then(|u| first_of_unit.get(u).copied());
            if let Some(u) = &b.unit {
                first_of_unit.entry(u).or_insert(i);
            }
            let vb = (crit_cols.len() >= 3).then(|| values(b));
            if let Some(vb) = &vb {
                by_values.entry(vb.clone()).or_default().push(i);
            }
            if let Some(a) = earlier_same_unit.map(|k| rows[k]) {
                out.push(
                    Finding::new(Severity::Warning, "duplicate-unit", ctx.cell_location(ti, b.row, t.unit_col))
                        .unit(b.unit_text.clone())
                        .say(
                            format!("Đơn vị có hai dòng trong bảng (cùng đơn vị với dòng \"{}\")", a.unit_text),
                            format!("The unit has two rows in the table (same unit as \"{}\")", a.unit_text),
                        ),
                );
                continue;
            }
            let Some(vb) = vb else { continue };
            if vb.iter().filter(|v| v.is_some()).count() < 3 {
                continue;
            }
            let same = by_values[&vb].iter().take_while(|&&k| k < i).map(|&k| rows[k]).find(|a| a.unit != b.unit);
            if let Some(a) = same {
                out.push(
                    Finding::new(Severity::Warning, "duplicate-row", ctx.cell_location(ti, b.row, t.unit_col))
                        .unit(b.unit_text.clone())
                        .say(
                            format!(
                                "Mọi điểm tiêu chí của {} trùng hoàn toàn với {} ({} cột): có thể đã chép nhầm dòng",
                                b.unit_text,
                                a.unit_text,
                                vb.len()
                            ),
                            format!(
                                "Every criterion value of {} equals that of {} ({} columns): likely a copied row",
                                b.unit_text,
                                a.unit_text,
                                vb.len()
                            ),
                        ),
                );
            }
        }
    }
    out
}

/// Unit names the registry does not know, with the closest known ones.
pub fn names(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (ti, t) in ctx.tables.iter().enumerate() {
        for row in &t.rows {
            let Some(err) = &row.unknown else { continue };
            let near = err.suggestions.join("; ");
            out.push(
                Finding::new(Severity::Warning, "unknown-unit", ctx.cell_location(ti, row.row, t.unit_col))
                    .unit(row.unit_text.clone())
                    .printed(row.unit_text.clone())
                    .expected(err.suggestions.first().cloned().unwrap_or_default())
                    .say(
                        format!("Không có đơn vị \"{}\" trong danh mục; gần nhất: {near}", row.unit_text),
                        format!("No unit \"{}\" in the registry; closest: {near}", row.unit_text),
                    ),
            );
        }
    }
    out
}

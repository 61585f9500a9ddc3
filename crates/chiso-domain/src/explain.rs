//! What each comparison compares, and why ranks moved, in words (Vietnamese or English):
//! the lines of `score --compare` and `analyze`, and each unit's page on the platform.

use crate::Decimal;
use crate::Lang;
use crate::compare::{Comparison, Method, NoComparison};
use crate::engine::Results;
use crate::framework::Framework;
use crate::lineage::CombineRule;
use crate::movement::{Movement, PartKind};
use crate::unit::{Registry, UnitId};

/// The banner printed above invented figures.
pub fn illustrative(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "SỐ LIỆU MINH HOẠ, KHÔNG PHẢI SỐ LIỆU THẬT",
        Lang::En => "ILLUSTRATIVE FIGURES, NOT REAL DATA",
    }
}

fn name(id: &UnitId, previous: &Results, registry: &Registry) -> String {
    previous
        .get(id)
        .map(|u| u.name.clone())
        .or_else(|| registry.get(id).map(|u| u.name.clone()))
        .unwrap_or_else(|| id.0.clone())
}

/// What the unit is compared with, in words.
pub fn method(lang: Lang, m: &Method, previous: &Results, registry: &Registry) -> String {
    let y = previous.year;
    let names = |ids: &[UnitId]| ids.iter().map(|i| name(i, previous, registry)).collect::<Vec<_>>().join(", ");
    let vi = lang == Lang::Vi;
    match m {
        Method::Same if vi => format!("so với chính đơn vị năm {y}"),
        Method::Same => format!("compared with itself in {y}"),
        Method::Continues { from } if vi => {
            format!("so với {} năm {y} (đơn vị được kế tục)", name(from, previous, registry))
        }
        Method::Continues { from } => format!("compared with {} in {y} (carried on)", name(from, previous, registry)),
        Method::Combined { from, rule } => {
            let how = match (rule, vi) {
                (CombineRule::Mean, true) => "bình quân".to_string(),
                (CombineRule::Mean, false) => "the mean".to_string(),
                (CombineRule::WeightedMean { weights, basis }, true) => {
                    format!("bình quân có trọng số ({basis}: {})", list(weights))
                }
                (CombineRule::WeightedMean { weights, basis }, false) => {
                    format!("the weighted mean ({basis}: {})", list(weights))
                }
            };
            if vi {
                format!("so với {how} điểm năm {y} của {}", names(from))
            } else {
                format!("compared with {how} of the {y} figures of {}", names(from))
            }
        }
        Method::None { reason } => match (reason, vi) {
            (NoComparison::New, true) => "đơn vị mới, không so sánh".into(),
            (NoComparison::New, false) => "new unit, not compared".into(),
            (NoComparison::DeclaredNone, true) => "đơn vị mới hình thành do sắp xếp, không so sánh".into(),
            (NoComparison::DeclaredNone, false) => "new unit formed by a reorganisation, not compared".into(),
            (NoComparison::NotDeclared, true) => {
                "hình thành do sắp xếp nhưng chưa khai báo cách so sánh: không so sánh".into()
            }
            (NoComparison::NotDeclared, false) => {
                "formed by a reorganisation without a declared comparison: not compared".into()
            }
            (NoComparison::NoPreviousData, true) => format!("không có số liệu năm {y} để so sánh"),
            (NoComparison::NoPreviousData, false) => format!("no {y} figures to compare with"),
        },
    }
}

/// The criteria whose points are not compared across a framework change, and why.
pub fn not_comparable(lang: Lang, fw: &Framework, pfw: &Framework) -> Vec<String> {
    use crate::versions::Change;
    let vi = lang == Lang::Vi;
    let m = crate::versions::mapping(fw, pfw);
    let mut out: Vec<String> = m
        .criteria
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let why = match (c.change, vi) {
                (Change::New, true) => "mới",
                (Change::New, false) => "new",
                (Change::Reweighted, true) => "đổi điểm tối đa hoặc trọng số",
                (Change::Reweighted, false) => "re-weighted",
                _ => return None,
            };
            Some(format!("{} ({why})", fw.criterion(i).label()))
        })
        .collect();
    out.extend(
        m.removed.iter().map(|&j| format!("{} ({})", pfw.criterion(j).label(), if vi { "đã bỏ" } else { "removed" })),
    );
    out
}

fn list(weights: &[Decimal]) -> String {
    weights.iter().map(|w| w.normalize().to_string()).collect::<Vec<_>>().join(" / ")
}

fn signed(v: Decimal, decimals: u32, lang: Lang) -> String {
    let sep = if lang == Lang::Vi { ',' } else { '.' };
    let text = crate::number::format_fixed(v.abs(), decimals, sep);
    if v.is_sign_negative() && !v.is_zero() { format!("−{text}") } else { format!("+{text}") }
}

fn places(v: i64) -> String {
    if v < 0 { format!("−{}", -v) } else { format!("+{v}") }
}

/// One line per unit: what it is compared with and its rank among the comparable units;
/// with `movements`, more lines saying why the total and the rank moved.
#[allow(clippy::too_many_arguments)]
pub fn lines(
    lang: Lang,
    fw: &Framework,
    pfw: &Framework,
    current: &Results,
    previous: &Results,
    registry: &Registry,
    comparisons: &[Comparison],
    movements: Option<&[Movement]>,
) -> String {
    let vi = lang == Lang::Vi;
    let mut out = String::new();
    out += if vi { "\nSo sánh với năm " } else { "\nComparison with " };
    out += &format!("{}:\n", previous.year);
    if let Some(change) = comparisons.first().and_then(|c| c.framework_change.as_ref()) {
        out += &if vi {
            format!("  Bộ tiêu chí đã thay đổi: năm {} dùng “{}”.\n", previous.year, change.previous_name)
        } else {
            format!("  The framework changed: {} used “{}”.\n", previous.year, change.previous_name)
        };
        let not = not_comparable(lang, fw, pfw);
        if !not.is_empty() {
            out += &if vi {
                format!("  Không so sánh điểm theo tiêu chí: {}.\n", not.join("; "))
            } else {
                format!("  Criteria not compared year over year: {}.\n", not.join("; "))
            };
        }
    }
    for (k, (u, c)) in current.units.iter().zip(comparisons).enumerate() {
        let m = movements.and_then(|m| m.get(k));
        let mut lines = unit_lines(lang, fw, pfw, previous, registry, c, m).into_iter();
        out += &format!("  {}: {}\n", u.name, lines.next().unwrap_or_default());
        for line in lines {
            out += &format!("      {line}\n");
        }
    }
    out
}

/// One unit's comparison in words: what it is compared with and its rank among the
/// comparable units; with its movement, why the total and the rank moved (one line each).
pub fn unit_lines(
    lang: Lang,
    fw: &Framework,
    pfw: &Framework,
    previous: &Results,
    registry: &Registry,
    c: &Comparison,
    movement: Option<&Movement>,
) -> Vec<String> {
    let vi = lang == Lang::Vi;
    let d = fw.total_rounding().decimals;
    let mut first = method(lang, &c.method, previous, registry);
    match (c.comparable_previous_rank, c.comparable_rank, c.rank_change) {
        (Some(then), Some(now), Some(change)) => {
            first += &if vi {
                format!("; hạng {then} → {now} trong {} đơn vị so sánh được ({})", c.comparable_count, places(change))
            } else {
                format!("; rank {then} → {now} among {} comparable units ({})", c.comparable_count, places(change))
            };
        }
        _ if c.method.is_comparable() => {
            first += if vi { "; không tính thay đổi thứ hạng" } else { "; no rank change computed" };
        }
        _ => {}
    }
    let mut out = vec![first];
    let Some(m) = movement else { return out };
    if let Some(total) = m.total_change
        && !m.parts.is_empty()
    {
        let parts: Vec<String> = m
            .parts
            .iter()
            .map(|p| {
                let label = p
                    .criterion
                    .map(|i| fw.criterion(i).label().to_string())
                    .or_else(|| p.previous.map(|j| pfw.criterion(j).label().to_string()))
                    .unwrap_or_else(|| (if vi { "cách tổng hợp" } else { "aggregation" }).into());
                let note = match (p.kind, vi) {
                    (PartKind::New, true) => " (mới)",
                    (PartKind::New, false) => " (new)",
                    (PartKind::Removed, true) => " (đã bỏ)",
                    (PartKind::Removed, false) => " (removed)",
                    (PartKind::Reweighted, true) => " (đổi trọng số)",
                    (PartKind::Reweighted, false) => " (re-weighted)",
                    _ => "",
                };
                format!("{label}{note} {}", signed(p.change, d, lang))
            })
            .collect();
        out.push(if vi {
            format!("tổng điểm {} = {}", signed(total, d, lang), parts.join("; "))
        } else {
            format!("total {} = {}", signed(total, d, lang), parts.join("; "))
        });
    }
    if let (Some(r), Some(own), Some(others)) = (m.rank_change, m.own_effect, m.others_effect) {
        out.push(if vi {
            format!(
                "thứ hạng {} = tự thân {} (điểm năm nay so với điểm năm trước của các đơn vị khác), các đơn vị khác {}",
                places(r),
                places(own),
                places(others)
            )
        } else {
            format!(
                "rank {} = own change {} (this year's total against the others' previous totals), others' changes {}",
                places(r),
                places(own),
                places(others)
            )
        });
    }
    out
}

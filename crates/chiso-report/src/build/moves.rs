//! One plain sentence per unit on why its rank moved (optional: `ReportSettings::explain_moves`),
//! and the banner of invented figures.

use super::{Kind, facts};
use crate::model::{Paragraph, Run};
use crate::vi;
use chiso_domain::compare::{Method, NoComparison};
use chiso_domain::engine::Status;
use chiso_domain::movement::apportion;
use rust_decimal::Decimal;

/// Printed above invented figures, in every format.
pub const ILLUSTRATIVE: &str = "SỐ LIỆU MINH HOẠ, KHÔNG PHẢI SỐ LIỆU THẬT";

pub(super) fn banner() -> Paragraph {
    let mut p = Paragraph::default();
    p.runs.push(Run { text: format!("{ILLUSTRATIVE}."), bold: true, ..Default::default() });
    p
}

fn signed(v: Decimal, d: u32) -> String {
    let s = vi::number(v.abs(), d);
    if v < Decimal::ZERO { format!("giảm {s}") } else { format!("tăng {s}") }
}

fn places(v: i64) -> String {
    match v {
        0 => "không đổi".into(),
        v if v > 0 => format!("tăng {v} bậc"),
        v => format!("giảm {} bậc", -v),
    }
}

/// "Sở X (so với …): …": one sentence per unit with data.
pub(super) fn sentences(k: &Kind) -> Vec<Paragraph> {
    let Some(prev) = &k.previous else { return vec![] };
    let fw = k.framework;
    let d = fw.total_rounding().decimals;
    let y = prev.year;
    let mut out = vec![Paragraph::text(format!(
        "Thay đổi thứ hạng so với năm {y} được tính trong nhóm các {noun} so sánh được (có kết quả năm {y} theo \
         cách so sánh đã khai báo), tách thành phần do điểm của chính {noun} (thứ hạng của điểm năm nay so với điểm \
         năm {y} của các {noun} khác) và phần do các {noun} khác:",
        noun = k.settings.noun
    ))];
    if let Some(change) = prev.comparisons.first().and_then(|c| c.framework_change.as_ref()) {
        use chiso_domain::versions::{Change, mapping};
        let m = mapping(fw, prev.framework);
        let mut not: Vec<String> = m
            .criteria
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c.change {
                Change::New => Some(format!("{} (mới)", fw.criterion(i).name)),
                Change::Reweighted => Some(format!("{} (đổi điểm tối đa hoặc trọng số)", fw.criterion(i).name)),
                _ => None,
            })
            .collect();
        not.extend(m.removed.iter().map(|&j| format!("{} (đã bỏ)", prev.framework.criterion(j).name)));

        let which = if not.is_empty() { String::new() } else { format!("; không so sánh: {}", not.join("; ")) };
        out.push(Paragraph::text(format!(
            "Bộ tiêu chí năm {} khác năm {y} (năm {y} áp dụng {}): chỉ so sánh điểm các tiêu chí không đổi{which}.",
            k.results.year, change.previous_name
        )));
    }
    for (i, u) in k.results.units.iter().enumerate() {
        if u.status == Status::NoData {
            continue;
        }
        let c = &prev.comparisons[i];
        let basis = match &c.method {
            Method::Same => format!("so với chính {} năm {y}", k.settings.noun),
            Method::None { reason } => {
                let why = match reason {
                    NoComparison::New => format!("{} mới", k.settings.noun),
                    NoComparison::DeclaredNone => "hình thành do sắp xếp, không có đơn vị tiền thân để so sánh".into(),
                    NoComparison::NotDeclared => "hình thành do sắp xếp, chưa khai báo cách so sánh".into(),
                    NoComparison::NoPreviousData => format!("không có kết quả năm {y}"),
                };
                out.push(Paragraph::text(format!("{}: {why}, không tính thay đổi thứ hạng.", u.name)));
                continue;
            }
            Method::Continues { .. } | Method::Combined { .. } => {
                format!("so với {} năm {y}", facts::compared_with(k, i).unwrap_or_else(|| u.name.clone()))
            }
        };
        let (Some(then), Some(now), Some(r), Some(against)) =
            (c.comparable_previous_rank, c.comparable_rank, c.rank_change, c.rank_against_previous)
        else {
            out.push(Paragraph::text(format!("{} ({basis}): không tính thay đổi thứ hạng.", u.name)));
            continue;
        };
        let own = i64::from(then) - i64::from(against);
        let mut s = format!(
            "{} ({basis}): trong {} {} so sánh được, thứ hạng {} (từ {then} thành {now}); phần do điểm của chính {}: {}",
            u.name,
            c.comparable_count,
            k.settings.noun,
            places(r),
            k.settings.noun,
            places(own)
        );
        if let Some(total) = c.total_change {
            s += &format!(", tổng điểm {} điểm", signed(total, d));
            // The group that moved the total most (parts rounded to add up to the change).
            let roots: Vec<(usize, Decimal)> =
                fw.roots.iter().filter_map(|&root| Some((root, c.delta(root)?))).collect();
            let parts = apportion(&roots.iter().map(|r| r.1).collect::<Vec<_>>(), total, d);
            if roots.len() == fw.roots.len()
                && let Some((k2, v)) = parts
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_zero() && (v.is_sign_negative() == total.is_sign_negative()))
                    .max_by(|a, b| a.1.abs().cmp(&b.1.abs()).then(b.0.cmp(&a.0)))
            {
                s += &format!(", nhiều nhất ở nhóm {} ({} điểm)", fw.criterion(roots[k2].0).name, signed(*v, d));
            }
        }
        s += &format!("; phần do các {} khác: {}.", k.settings.noun, places(r - own));
        out.push(Paragraph::text(s));
    }
    out
}

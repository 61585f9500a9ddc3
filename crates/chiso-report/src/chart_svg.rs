//! Charts as inline SVG for the HTML page: plain shapes and text, no scripts, no fonts.

use crate::html::escape;
use crate::model::{Chart, Series};
use chiso_domain::number::format_fixed;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::fmt::Write as _;

const PALETTE: [&str; 8] = ["#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6", "#a5a5a5", "#bf9000"];

/// The chart with numbers written with `separator` as the decimal mark (',' in Vietnamese).
pub fn svg(chart: &Chart, separator: char) -> String {
    match chart {
        Chart::Bar { categories, series, decimals, max } => bar(categories, series, *decimals, *max, separator),
        Chart::Pie { categories, values } => pie(categories, values, separator),
        Chart::Range { categories, low, high, value } => range(categories, low, high, value),
    }
}

/// Coordinates with two decimals: plenty for a chart, and the same text on every machine.
fn f(x: f64) -> String {
    format!("{:.2}", x)
}

fn bar(categories: &[String], series: &[Series], decimals: u32, max: Decimal, sep: char) -> String {
    let label_w = 260.0;
    let plot_w = 420.0;
    let bar_h = 12.0;
    let group_h = bar_h * series.len().max(1) as f64 + 8.0;
    let top = 10.0;
    let height = top + group_h * categories.len() as f64 + 40.0;
    let max = max.to_f64().unwrap_or(1.0).max(f64::EPSILON);
    let mut x = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" class=\"chart\">",
        f(label_w + plot_w + 60.0),
        f(height)
    );
    for (i, name) in categories.iter().enumerate() {
        let y = top + group_h * i as f64;
        let _ = write!(
            x,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">{}</text>",
            f(label_w - 6.0),
            f(y + group_h / 2.0 + 4.0),
            escape(name)
        );
        for (s, series) in series.iter().enumerate() {
            let Some(v) = series.values.get(i).copied().flatten() else { continue };
            let w = v.to_f64().unwrap_or(0.0) / max * plot_w;
            let by = y + 4.0 + bar_h * s as f64;
            let _ = write!(
                x,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {}</title></rect>",
                f(label_w),
                f(by),
                f(w),
                f(bar_h - 1.0),
                PALETTE[s % PALETTE.len()],
                escape(&series.name),
                format_fixed(v, decimals, sep)
            );
            if s == 0 {
                let _ = write!(
                    x,
                    "<text x=\"{}\" y=\"{}\" font-size=\"10\">{}</text>",
                    f(label_w + w + 4.0),
                    f(by + bar_h - 2.0),
                    format_fixed(v, decimals, sep)
                );
            }
        }
    }
    let ly = height - 16.0;
    for (s, series) in series.iter().enumerate() {
        let lx = label_w + 120.0 * s as f64;
        let _ = write!(
            x,
            "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            f(lx),
            f(ly - 10.0),
            PALETTE[s % PALETTE.len()],
            f(lx + 16.0),
            f(ly),
            escape(&series.name)
        );
    }
    x + "</svg>"
}

fn pie(categories: &[String], values: &[u32], sep: char) -> String {
    let total: u32 = values.iter().sum();
    let (cx, cy, r) = (110.0, 110.0, 100.0);
    let mut x =
        String::from("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 480 230\" role=\"img\" class=\"chart\">");
    let mut angle = -std::f64::consts::FRAC_PI_2;
    for (i, (name, v)) in categories.iter().zip(values).enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let share = if total == 0 { 0.0 } else { *v as f64 / total as f64 };
        let exact_pct = if total == 0 {
            Decimal::ZERO
        } else {
            (Decimal::from(*v) * Decimal::ONE_HUNDRED / Decimal::from(total))
                .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        };
        let title = format!("{name}: {v} ({}%)", format_fixed(exact_pct, 1, sep));
        if (share - 1.0).abs() < 1e-9 {
            let _ = write!(
                x,
                "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"{r}\" fill=\"{color}\"><title>{}</title></circle>",
                escape(&title)
            );
        } else if share > 0.0 {
            let end = angle + share * std::f64::consts::TAU;
            let large = u8::from(share > 0.5);
            let _ = write!(
                x,
                "<path d=\"M{cx},{cy} L{},{} A{r},{r} 0 {large} 1 {},{} Z\" fill=\"{color}\"><title>{}</title></path>",
                f(cx + r * angle.cos()),
                f(cy + r * angle.sin()),
                f(cx + r * end.cos()),
                f(cy + r * end.sin()),
                escape(&title)
            );
            angle = end;
        }
        let ly = 30.0 + 24.0 * i as f64;
        let _ = write!(
            x,
            "<rect x=\"240\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{color}\"/><text x=\"260\" y=\"{}\" font-size=\"12\">{}</text>",
            f(ly - 11.0),
            f(ly),
            escape(&title)
        );
    }
    x + "</svg>"
}

/// Rank intervals: a bar from the 5 % to the 95 % rank, a dot at the rank.
fn range(categories: &[String], low: &[u32], high: &[u32], value: &[u32]) -> String {
    let (label_w, plot_w, row_h) = (260.0, 420.0, 16.0);
    let top = high.iter().copied().max().unwrap_or(1).max(1) as f64;
    let x_of = |r: f64| label_w + (r - 0.5) / top * plot_w;
    let height = 20.0 + row_h * categories.len() as f64;
    let mut x = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" class=\"chart\">",
        f(label_w + plot_w + 20.0),
        f(height)
    );
    for (i, name) in categories.iter().enumerate() {
        let y = 10.0 + row_h * i as f64;
        let (l, h, v) = (low[i] as f64, high[i] as f64, value[i] as f64);
        let _ = write!(
            x,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">{}</text>\
             <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"8\" fill=\"{}\"><title>{}: {}–{}</title></rect>\
             <circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"#c55a11\"/>",
            f(label_w - 6.0),
            f(y + 10.0),
            escape(name),
            f(x_of(l)),
            f(y + 3.0),
            f((x_of(h) - x_of(l)).max(2.0)),
            PALETTE[0],
            escape(name),
            low[i],
            high[i],
            f(x_of(v)),
            f(y + 7.0)
        );
    }
    x + "</svg>"
}

//! The official report. [`build`] makes one [`model::Document`] from a year's results
//! (every number and sentence from data); the renderers write it as DOCX (Nghị định
//! 30/2020/NĐ-CP layout), XLSX, HTML and, through LibreOffice, PDF. Same input, same bytes.

pub mod build;
mod chart_svg;
pub mod docx;
mod docx_chart;
mod docx_head;
mod docx_parts;
mod docx_table;
pub mod files;
mod grid;
pub mod html;
pub mod json;
mod layout;
mod metrics;
pub mod model;
pub mod pdf;
pub mod vi;
pub mod xlsx;

pub use build::{Analysis, KindInput, Previous, Report, build, build_report};

/// A chart as inline SVG (the web platform draws the same charts as the report), numbers
/// with `separator` as the decimal mark.
pub fn chart_svg(chart: &model::Chart, separator: char) -> String {
    chart_svg::svg(chart, separator)
}

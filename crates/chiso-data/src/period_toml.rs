//! A period file: which year, kind and framework, where the figures are, and
//! optionally the ranking as published (for history whose figures are lost).

use crate::error::{DataError, ErrorKind, Location};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodFile {
    pub year: i32,
    pub kind: String,
    pub framework: String,
    /// Figures: CSV or XLSX, relative to the period file.
    pub data: Option<String>,
    pub sheet: Option<String>,
    /// Ranks and levels as printed in that year's report (CSV: unit, rank, level, total).
    pub published: Option<String>,
    /// Free text: where the figures come from.
    pub source: Option<String>,
    /// The figures are invented, for demonstration: reports and outputs print
    /// "Số liệu minh hoạ, không phải số liệu thật".
    #[serde(default)]
    pub illustrative: bool,
}

pub fn parse(file: &str, text: &str) -> Result<PeriodFile, DataError> {
    toml::from_str(text).map_err(|e| {
        let mut loc = Location::file(file);
        loc.line = e.span().map(|s| crate::lines::LineIndex::new(text).line(s.start));
        DataError::new(loc, ErrorKind::Syntax(e.message().to_string()))
    })
}

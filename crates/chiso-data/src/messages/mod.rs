//! User-facing text, one file per language (`vi.rs`, `en.rs`). Nothing else in
//! this crate writes sentences for users.

mod en;
mod vi;

use crate::error::{DataError, Location};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Vietnamese, the default.
    #[default]
    Vi,
    En,
}

impl Lang {
    /// `vi`/`en`, or a locale such as `en_US.UTF-8`; anything else is Vietnamese.
    pub fn parse(s: &str) -> Lang {
        if s.to_lowercase().starts_with("en") { Lang::En } else { Lang::Vi }
    }

    /// The full message: where, what, and the value found.
    pub fn error(self, e: &DataError) -> String {
        let what = match self {
            Lang::Vi => vi::kind(&e.kind),
            Lang::En => en::kind(&e.kind),
        };
        format!("{}: {what}", self.location(&e.location))
    }

    /// What is wrong, without where (for forms that show it next to the field).
    pub fn kind(self, k: &crate::error::ErrorKind) -> String {
        match self {
            Lang::Vi => vi::kind(k),
            Lang::En => en::kind(k),
        }
    }

    pub fn location(self, l: &Location) -> String {
        let (sheet, line, row, column, value) = match self {
            Lang::Vi => ("trang tính", "dòng", "dòng", "cột", "giá trị"),
            Lang::En => ("sheet", "line", "row", "column", "value"),
        };
        let mut s = l.file.clone();
        if let Some(sh) = &l.sheet {
            s += &format!(", {sheet} {sh:?}");
        }
        if let Some(n) = l.line {
            s += &format!(", {} {n}", if l.column.is_some() { row } else { line });
        }
        if let Some(c) = &l.column {
            s += &format!(", {column} {c}");
        }
        if let Some(v) = &l.value {
            s += &format!(", {value} {v:?}");
        }
        s
    }
}

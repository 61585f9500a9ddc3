//! User-facing text, one file per language (`vi.rs`, `en.rs`). Nothing else in
//! this crate writes sentences for users.

mod en;
mod vi;

use crate::error::{DataError, Location};

pub use chiso_domain::Lang;

/// The data layer's sentences in a language: `use chiso_data::DataText` and call them on a
/// [`Lang`].
pub trait DataText {
    /// The full message: where, what, and the value found.
    fn error(self, e: &DataError) -> String;
    /// What is wrong, without where (for forms that show it next to the field).
    fn kind(self, k: &crate::error::ErrorKind) -> String;
    fn location(self, l: &Location) -> String;
}

impl DataText for Lang {
    fn error(self, e: &DataError) -> String {
        let what = match self {
            Lang::Vi => vi::kind(&e.kind),
            Lang::En => en::kind(&e.kind),
        };
        format!("{}: {what}", self.location(&e.location))
    }

    fn kind(self, k: &crate::error::ErrorKind) -> String {
        match self {
            Lang::Vi => vi::kind(k),
            Lang::En => en::kind(k),
        }
    }

    fn location(self, l: &Location) -> String {
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

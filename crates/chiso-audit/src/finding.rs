//! A finding: how serious, which check, exactly where, the unit, the value printed and
//! the value expected, and one sentence saying why, in Vietnamese and in English.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A value that is wrong.
    Error,
    /// A last-digit difference the printed decimals can explain.
    Rounding,
    /// Not wrong by arithmetic, but likely a mistake (a unit named twice, an unknown name…).
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Rounding => "rounding",
            Severity::Warning => "warning",
        }
    }
}

pub use chiso_domain::Lang;

/// Where a finding is: a table cell or a paragraph.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Location {
    /// Position of the table or paragraph in the document (for ordering and grouping).
    pub block: usize,
    /// "Bảng 8", a sheet's name, …
    pub table: Option<String>,
    /// The table's caption as printed.
    pub caption: Option<String>,
    /// The row as a reader counts it (worksheet row, Word table row, CSV line).
    pub row: Option<usize>,
    /// The column's printed header ("Tổng điểm / Năm 2020").
    pub column: Option<String>,
    /// A spreadsheet's cell name ("F13").
    pub cell: Option<String>,
    /// 1-based among the document's non-empty paragraphs.
    pub paragraph: Option<usize>,
    /// The heading the paragraph sits under.
    pub heading: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    /// Which check: `sum`, `max`, `level`, `rank`, `order`, `conflict`, `header`, `duplicate-row`,
    /// `duplicate-unit`, `unknown-unit`, `narrative-…`.
    pub check: &'static str,
    pub location: Location,
    /// The unit as printed.
    pub unit: Option<String>,
    /// The value as printed.
    pub printed: Option<String>,
    /// The value expected, in the document's number format.
    pub expected: Option<String>,
    message_vi: String,
    message_en: String,
}

impl Finding {
    pub fn new(severity: Severity, check: &'static str, location: Location) -> Finding {
        Finding {
            severity,
            check,
            location,
            unit: None,
            printed: None,
            expected: None,
            message_vi: String::new(),
            message_en: String::new(),
        }
    }

    pub fn unit(mut self, u: impl Into<String>) -> Finding {
        self.unit = Some(u.into());
        self
    }

    pub fn printed(mut self, p: impl Into<String>) -> Finding {
        self.printed = Some(p.into());
        self
    }

    pub fn expected(mut self, e: impl Into<String>) -> Finding {
        self.expected = Some(e.into());
        self
    }

    pub fn say(mut self, vi: impl Into<String>, en: impl Into<String>) -> Finding {
        self.message_vi = vi.into();
        self.message_en = en.into();
        self
    }

    /// The one-sentence explanation.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.message_vi,
            Lang::En => &self.message_en,
        }
    }
}

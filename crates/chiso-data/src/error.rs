//! One error type for everything read from files, with a precise location.

use chiso_domain::framework::FrameworkError;
use chiso_domain::period::AnswerError;
use chiso_domain::unit::RegistryError;
use std::fmt;

/// Where a problem is: file, sheet (XLSX), line or row, column, and the value found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Location {
    pub file: String,
    pub sheet: Option<String>,
    /// 1-based line (TOML) or row (tables, counting the header row as 1).
    pub line: Option<usize>,
    /// Column letter and header, e.g. `C (app)`.
    pub column: Option<String>,
    pub value: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Location {
        Location { file: file.into(), ..Default::default() }
    }

    pub fn line(mut self, line: usize) -> Location {
        self.line = Some(line);
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    Io(String),
    Syntax(String),
    Framework(FrameworkError),
    Registry(RegistryError),
    /// A framework's declared previous version does not fit that framework.
    Version(chiso_domain::versions::VersionProblem),
    UnknownUnit {
        name: String,
        suggestions: Vec<String>,
    },
    UnitNotInPeriod {
        name: String,
    },
    DuplicateUnit {
        first_row: usize,
    },
    NoUnitColumn,
    UnknownColumn {
        suggestions: Vec<String>,
    },
    GroupColumn {
        criterion: String,
    },
    DuplicateColumn {
        first: String,
    },
    NotANumber,
    /// `1.000` or `12,500`: a thousands separator or a decimal one? Refused, not guessed.
    AmbiguousNumber,
    NotYesNo,
    MissingValue {
        criterion: String,
    },
    MissingColumn {
        criterion: String,
    },
    Answer {
        criterion: String,
        error: AnswerError,
    },
    UnknownFramework {
        id: String,
    },
    KindMismatch {
        framework_kind: String,
        period_kind: String,
    },
    YearOutsideFramework {
        year: i32,
        from: i32,
        to: Option<i32>,
    },
    DuplicatePeriod {
        year: i32,
        kind: String,
    },
    NoSuchPeriod {
        year: i32,
        kind: String,
    },
    NoSheet,
    Empty,
    /// A sheet of a template workbook without a valid stamp (not a template, or edited).
    TemplateStamp,
    /// A template of another framework, or of another version of it.
    TemplateFramework {
        found: String,
        expected: String,
    },
    /// A template of another period (`found`: kind and year).
    TemplatePeriod {
        found: String,
        year: i32,
    },
    /// A template of a unit the uploader may not report for.
    TemplateUnit {
        found: String,
        expected: String,
    },
    /// A row of the template was deleted.
    TemplateRowMissing {
        field: String,
    },
    /// A second sheet of the same unit (`first`: the first sheet's name).
    TemplateDuplicateUnit {
        first: String,
    },
    /// A workbook beyond what is read (a zip bomb, a sheet spanning millions of cells).
    TooLarge(TooLarge),
}

/// Which limit of [`crate::xlsx`] a workbook exceeds.
#[derive(Debug, Clone, PartialEq)]
pub enum TooLarge {
    /// A part inflates to more than `max_mib`.
    Part {
        name: String,
        max_mib: u64,
    },
    /// All parts together inflate to more than `max_mib`.
    Total {
        max_mib: u64,
    },
    Parts {
        found: usize,
        max: usize,
    },
    /// A non-empty cell beyond the last row or column read.
    Cell {
        cell: String,
        rows: u32,
        columns: u32,
    },
    Cells {
        max: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    pub location: Location,
    pub kind: ErrorKind,
}

impl DataError {
    pub fn new(location: Location, kind: ErrorKind) -> DataError {
        DataError { location, kind }
    }
}

impl fmt::Display for DataError {
    /// English; use [`crate::messages::Lang`] for the user's language.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::messages::DataText::error(crate::messages::Lang::En, self))
    }
}

impl std::error::Error for DataError {}

/// Several problems found in one pass, printed one per line.
#[derive(Debug, Clone, PartialEq)]
pub struct DataErrors(pub Vec<DataError>);

impl fmt::Display for DataErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        Ok(())
    }
}

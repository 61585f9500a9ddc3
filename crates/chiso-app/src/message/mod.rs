//! What the use cases tell people, as values: a [`Message`] is rendered in a language only
//! at the edge (a page, a JSON error, a CLI line). Every sentence lives in `vi.rs` and
//! `en.rs`, one `match` each, so a missing translation is a compile error.

mod en;
mod vi;

use chiso_data::{DataError, ErrorKind};
use chiso_domain::Lang;

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    NotFound,
    Forbidden,
    /// A duplicate or a concurrent change, in the store's words.
    Conflict(String),
    Database,
    StorageFull,
    ReadOnly,
    Unavailable,
    BadRole,
    BadUsername,
    ShortPassword,
    /// A password that is the user's name or contains it.
    PasswordHasUsername,
    /// One of the most common passwords.
    CommonPassword,
    ReporterNeedsUnit,
    NoSuchUnit(String),
    /// A unit typed by a name several units go by (the name typed, the units as "name (code)").
    AmbiguousUnit(String, String),
    CannotDisableSelf,
    WrongPassword,
    PasswordsDiffer,
    SamePassword,
    BadYear,
    BadDeadline,
    DeadlineInPast,
    /// A period entered as history for the current year or a later one.
    HistoryNotPast,
    YearOutsideFramework,
    PublishReasonNeeded,
    /// Publishing a period that still takes work: units missing, or before the deadline.
    PublishEarly {
        missing: usize,
        deadline: String,
    },
    TooLong {
        what: Field,
        max: usize,
    },
    OnlySubmitted,
    BadCriterion,
    EmptyQuestion,
    EmptyReply,
    PeriodClosed,
    PastDeadline,
    EvidenceClosed,
    /// Evidence of a submitted report stays as the assessors see it.
    EvidenceLocked,
    NoFile,
    FileTooLarge,
    BadFileType,
    UnknownFields(Vec<String>),
    ValuedAndNotApplicable(Vec<String>),
    /// The report's PDF is being made after the latest publication.
    PdfPreparing,
    /// This server makes no PDFs.
    PdfOff,
    /// A unit's file import after its report was submitted.
    AlreadySubmitted,
    ChangeReasonNeeded,
    NoSuchPeriod,
    /// Removing a period that holds work: its submissions (a draft or more), evidence files
    /// and comments, published versions.
    PeriodInUse {
        submissions: i64,
        evidence: i64,
        published: i64,
    },
    BadNewDeadline,
    ExceptionUnknownUnit,
    /// A unit added or renamed without a name.
    UnitNameNeeded,
    /// A change to a unit the registry does not have (or none chosen).
    UnitNotChosen,
    /// A merger needs two units or more, the one that continues among them.
    MergeNeedsTwo,
    /// A document that fails its parser: every error, nothing saved.
    InvalidNotSaved(Vec<DataError>),
    /// A refused form or body: every problem, nothing saved.
    NotSaved(Vec<Problem>),
    /// A stored document its parser refuses (validated when saved, so this is damage).
    Broken {
        what: Document,
        errors: Vec<DataError>,
    },
    /// A workbook upload beyond the limit (in MiB).
    WorkbookTooLarge {
        max_mib: usize,
    },
}

/// A free-text field a message names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Reason,
    Question,
    Reply,
}

/// A stored document of the catalogue or a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    UnitRegistry,
    Framework,
    PeriodFigures,
    PublishedResults,
    ReportSettings,
}

/// A form's field as people read it: its criterion's name, and which part of a ratio,
/// in both languages (never the field's id).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldName {
    pub vi: String,
    pub en: String,
}

impl FieldName {
    pub fn of(fw: &chiso_domain::framework::Framework, field: &str) -> FieldName {
        let (id, part) = match field.rsplit_once('.') {
            Some((id, p @ ("numerator" | "denominator" | "note"))) => (id, Some(p)),
            _ => (field, None),
        };
        let criterion = fw.index_of(id).map(|i| fw.criterion(i));
        let name = |lang| criterion.map_or_else(|| field.to_string(), |c| c.name_in(lang).to_string());
        let (vi, en) = match part {
            Some("numerator") => (" (tử số)", " (numerator)"),
            Some("denominator") => (" (mẫu số)", " (denominator)"),
            Some(_) => (" (ghi chú)", " (note)"),
            None => ("", ""),
        };
        FieldName { vi: name(Lang::Vi) + vi, en: name(Lang::En) + en }
    }

    pub fn in_lang(&self, lang: Lang) -> &str {
        if lang == Lang::Vi { &self.vi } else { &self.en }
    }
}

/// A value refused for a field, said with the field's name: the import's message names
/// the criterion by its id (a file's column), a form's by its name.
pub(crate) fn value_problem(lang: Lang, field: &FieldName, kind: &ErrorKind) -> String {
    use chiso_data::DataText;
    let name = if lang == Lang::Vi { &field.vi } else { &field.en };
    match kind {
        ErrorKind::Answer { error, .. } => {
            lang.kind(&ErrorKind::Answer { criterion: name.clone(), error: error.clone() })
        }
        _ => format!("{name}: {}", lang.kind(kind)),
    }
}

/// One problem of a refused form, next to the field it concerns.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A value the framework refuses for this field.
    Value {
        field: FieldName,
        kind: ErrorKind,
    },
    /// An adjustment without its reason.
    NoReason {
        field: FieldName,
    },
    TooLong {
        field: FieldName,
        what: Field,
        max: usize,
    },
    /// Submitting a form with nothing entered.
    NothingEntered,
    /// A workbook without figures.
    EmptyWorkbook,
    /// A unit (by name) in an administrator's workbook whose report was submitted.
    UnitAlreadySubmitted(String),
    /// A catalogue change that leaves a stored period without its framework (gone, or no
    /// longer for its kind of unit and year).
    PeriodFrameworkGone {
        year: i32,
        kind: String,
        framework: String,
    },
    /// A framework change that drops criteria a stored period's answers name.
    PeriodCriteriaGone {
        year: i32,
        kind: String,
        fields: Vec<String>,
    },
    /// A registry change that drops a unit (by id, with its name) that has stored
    /// submissions or published results in these periods.
    UnitGone {
        unit: String,
        name: String,
        periods: Vec<(i32, String)>,
    },
    /// A catalogue change after which a stored period could no longer be read.
    PeriodUnreadable {
        year: i32,
        kind: String,
    },
    /// Submitting imported figures on the units' behalf without a reason.
    OnBehalfReasonNeeded,
    /// A whole-submission check of the import (ratios, totals), with where it is.
    Data(DataError),
}

impl Message {
    pub fn render(&self, lang: Lang) -> String {
        match lang {
            Lang::Vi => vi::message(self),
            Lang::En => en::message(self),
        }
    }
}

impl Problem {
    pub fn render(&self, lang: Lang) -> String {
        match lang {
            Lang::Vi => vi::problem(self),
            Lang::En => en::problem(self),
        }
    }
}

fn list(problems: &[Problem], lang: Lang) -> String {
    problems.iter().map(|p| p.render(lang)).collect::<Vec<_>>().join("; ")
}

fn data_errors(errors: &[DataError], lang: Lang) -> String {
    use chiso_data::DataText;
    errors.iter().map(|e| lang.error(e)).collect::<Vec<_>>().join("; ")
}

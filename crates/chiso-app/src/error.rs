//! One error for every use case: what kind of refusal it is (the front end maps it to an
//! HTTP status or an exit code), a stable machine-readable code (`unit_not_found`,
//! `deadline_passed`, `invalid_value`, …) that clients may branch on, and a [`Message`]
//! rendered in the reader's language at the edge.

use crate::message::{Message, Problem};
use chiso_domain::Lang;
use chiso_store::{Failure, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Malformed or missing input (400).
    Invalid,
    /// Well-formed input the rules refuse: values out of range, text too long (422).
    Unprocessable,
    Forbidden,
    NotFound,
    /// The state does not allow it: the period is closed, the deadline passed, a duplicate (409).
    Conflict,
    TooLarge,
    UnsupportedType,
    /// The disk is full: nothing was written.
    StorageFull,
    /// The database or disk is read-only, or the database cannot be reached.
    Unavailable,
    /// A bug or damaged data: logged, never the user's fault.
    Internal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub kind: Kind,
    pub code: &'static str,
    pub message: Message,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: Kind, message: Message) -> Error {
        Error { kind, code: code_of(kind), message }
    }
    /// A more precise code than the kind gives.
    pub fn code(mut self, code: &'static str) -> Error {
        self.code = code;
        self
    }
    pub fn forbidden() -> Error {
        Error::new(Kind::Forbidden, Message::Forbidden)
    }
    pub fn not_found() -> Error {
        Error::new(Kind::NotFound, Message::NotFound)
    }
    pub fn invalid(message: Message) -> Error {
        Error::new(Kind::Invalid, message)
    }
    pub fn conflict(message: Message) -> Error {
        Error::new(Kind::Conflict, message)
    }
    /// Every problem of a refused form or body, nothing written.
    pub fn not_saved(problems: Vec<Problem>) -> Error {
        Error::new(Kind::Unprocessable, Message::NotSaved(problems))
    }
    /// A file the platform could not write: full disk and read-only storage are told apart.
    pub fn io(e: std::io::Error) -> Error {
        tracing::warn!(error = %e, "storage error");
        match e.raw_os_error() {
            Some(28) => Error::new(Kind::StorageFull, Message::StorageFull), // ENOSPC
            Some(30) => Error::new(Kind::Unavailable, Message::ReadOnly).code("read_only"), // EROFS
            _ => Error::new(Kind::Unavailable, Message::Database),
        }
    }

    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        self.message.render(lang)
    }

    /// The problems of a refused form, each in `lang` (empty for other errors).
    pub fn problems(&self, lang: Lang) -> Vec<String> {
        match &self.message {
            Message::NotSaved(list) => list.iter().map(|p| p.render(lang)).collect(),
            _ => Vec::new(),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.render(Lang::En), self.code)
    }
}

impl std::error::Error for Error {}

fn code_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Invalid => "bad_request",
        Kind::Unprocessable => "invalid_value",
        Kind::Forbidden => "forbidden",
        Kind::NotFound => "not_found",
        Kind::Conflict => "conflict",
        Kind::TooLarge => "payload_too_large",
        Kind::UnsupportedType => "unsupported_media_type",
        Kind::StorageFull => "storage_full",
        Kind::Unavailable => "unavailable",
        Kind::Internal => "internal",
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            StoreError::NotFound => Error::not_found(),
            StoreError::Conflict(m) => Error::conflict(Message::Conflict(m)),
            StoreError::Corrupt(what) => {
                tracing::error!(%what, "unreadable stored value");
                Error::new(Kind::Internal, Message::Database)
            }
            StoreError::Database(e) => {
                tracing::warn!(error = %e, "database error");
                match e.failure {
                    Failure::Full => Error::new(Kind::StorageFull, Message::StorageFull),
                    Failure::ReadOnly => Error::new(Kind::Unavailable, Message::ReadOnly).code("read_only"),
                    Failure::Unavailable => Error::new(Kind::Unavailable, Message::Unavailable),
                    Failure::Other => Error::new(Kind::Internal, Message::Database),
                }
            }
        }
    }
}

//! One error type for every handler: a status and a message that is written in the
//! reader's language when the page is rendered (see [`render_errors`]), so handlers and
//! the `?` operator need not know the language.

use crate::i18n::{Lang, Text};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chiso_store::Failure;
use std::sync::Arc;

type Message = Arc<dyn Fn(Lang) -> String + Send + Sync>;

#[derive(Clone)]
pub struct AppError {
    pub status: StatusCode,
    message: Message,
}

impl std::fmt::Debug for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.message(Lang::Vi))
    }
}

impl AppError {
    /// A sentence of the text tables.
    pub fn new(status: StatusCode, text: fn(&Text) -> &'static str) -> AppError {
        AppError { status, message: Arc::new(move |l| text(l.t()).to_string()) }
    }
    /// A message built for the reader's language.
    pub fn with(status: StatusCode, message: impl Fn(Lang) -> String + Send + Sync + 'static) -> AppError {
        AppError { status, message: Arc::new(message) }
    }
    pub fn message(&self, lang: Lang) -> String {
        (self.message)(lang)
    }
    pub fn forbidden() -> AppError {
        AppError::new(StatusCode::FORBIDDEN, |t| t.error_forbidden)
    }
    pub fn not_found() -> AppError {
        AppError::new(StatusCode::NOT_FOUND, |t| t.error_not_found)
    }
    pub fn bad_request(text: fn(&Text) -> &'static str) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, text)
    }
    pub fn conflict(text: fn(&Text) -> &'static str) -> AppError {
        AppError::new(StatusCode::CONFLICT, text)
    }
    pub fn login_required() -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, |t| t.error_login_required)
    }
    /// A file the platform could not write: full disk and read-only storage are told apart.
    pub fn io(e: std::io::Error) -> AppError {
        eprintln!("storage error: {e}");
        match e.raw_os_error() {
            Some(28) => AppError::new(StatusCode::INSUFFICIENT_STORAGE, |t| t.error_storage_full), // ENOSPC
            Some(30) => AppError::new(StatusCode::SERVICE_UNAVAILABLE, |t| t.error_read_only),     // EROFS
            _ => AppError::new(StatusCode::SERVICE_UNAVAILABLE, |t| t.error_database),
        }
    }
    /// Data that failed its parser: every error in the reader's language, after `what`.
    pub fn invalid(
        status: StatusCode,
        what: impl Fn(&Text, &str) -> String + Send + Sync + 'static,
        errors: Vec<chiso_data::DataError>,
    ) -> AppError {
        AppError::with(status, move |l| {
            let list: Vec<String> = errors.iter().map(|e| l.data().error(e)).collect();
            what(l.t(), &list.join("; "))
        })
    }
}

impl From<chiso_store::StoreError> for AppError {
    fn from(e: chiso_store::StoreError) -> AppError {
        match e {
            chiso_store::StoreError::NotFound => AppError::not_found(),
            chiso_store::StoreError::Conflict(m) => {
                AppError::with(StatusCode::CONFLICT, move |l| (l.t().error_conflict)(&m))
            }
            chiso_store::StoreError::Database(e) => {
                eprintln!("database error: {e}");
                match e.failure {
                    Failure::Full => AppError::new(StatusCode::INSUFFICIENT_STORAGE, |t| t.error_storage_full),
                    Failure::ReadOnly => AppError::new(StatusCode::SERVICE_UNAVAILABLE, |t| t.error_read_only),
                    Failure::Unavailable => AppError::new(StatusCode::SERVICE_UNAVAILABLE, |t| t.error_unavailable),
                    Failure::Other => AppError::new(StatusCode::INTERNAL_SERVER_ERROR, |t| t.error_database),
                }
            }
        }
    }
}

impl IntoResponse for AppError {
    /// The status now; the page later, by [`render_errors`], which knows the language.
    fn into_response(self) -> Response {
        let mut r = self.status.into_response();
        r.extensions_mut().insert(self);
        r
    }
}

/// Renders every handler's [`AppError`] in the reader's language: a page, or under
/// `/api/` a JSON object `{"error": …}`.
pub async fn render_errors(lang: Lang, request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let Some(e) = response.extensions_mut().remove::<AppError>() else { return response };
    if api {
        return (e.status, axum::Json(serde_json::json!({ "error": e.message(lang) }))).into_response();
    }
    let t = lang.t();
    let body = crate::html::page(
        lang,
        t.error_title,
        None,
        &format!(
            "<h1>{}</h1><p class=\"error\" role=\"alert\">{}</p><p><a href=\"/\">{}</a></p>",
            (t.error_heading)(e.status.as_u16()),
            crate::html::esc(&e.message(lang)),
            t.home_link
        ),
    );
    (e.status, body).into_response()
}

pub type AppResult<T> = Result<T, AppError>;

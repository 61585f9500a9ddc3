//! One error type for every handler: a status and a message that is written in the
//! reader's language when the page is rendered (see [`render_errors`]), so handlers and
//! the `?` operator need not know the language.

use crate::i18n::{Lang, Reader, Text, Texts};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

type Message = Arc<dyn Fn(Lang) -> String + Send + Sync>;

#[derive(Clone)]
pub struct AppError {
    pub status: StatusCode,
    /// Stable and machine-readable (`not_found`, `deadline_passed`, …): the API's
    /// `error.code`, which clients may branch on; the message is for people.
    pub code: &'static str,
    message: Message,
    /// The use case's error this came from: under `/api/`, a refused form's problems are
    /// listed one by one beside the message.
    source: Option<Arc<chiso_app::Error>>,
}

impl std::fmt::Debug for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.status, self.code, self.message(Lang::Vi))
    }
}

impl AppError {
    /// A sentence of the text tables.
    pub fn new(status: StatusCode, text: fn(&Text) -> &'static str) -> AppError {
        AppError { status, code: code_of(status), message: Arc::new(move |l| text(l.t()).to_string()), source: None }
    }
    /// A message built for the reader's language.
    pub fn with(status: StatusCode, message: impl Fn(Lang) -> String + Send + Sync + 'static) -> AppError {
        AppError { status, code: code_of(status), message: Arc::new(message), source: None }
    }
    /// A request the framework refused (malformed JSON, wrong content type, too large):
    /// the message in the reader's language, then the parser's own words.
    pub fn rejected(status: StatusCode, detail: String) -> AppError {
        let generic = framework_error(status);
        AppError::with(status, move |l| format!("{} ({detail})", generic.message(l)))
    }
    /// A more precise code than the status gives.
    pub fn code(mut self, code: &'static str) -> AppError {
        self.code = code;
        self
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
    pub fn login_required() -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, |t| t.error_login_required)
    }
}

/// The HTTP status of a use case's refusal.
fn status_of(kind: chiso_app::Kind) -> StatusCode {
    use chiso_app::Kind;
    match kind {
        Kind::Invalid => StatusCode::BAD_REQUEST,
        Kind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::Forbidden => StatusCode::FORBIDDEN,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Kind::UnsupportedType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Kind::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
        Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<chiso_app::Error> for AppError {
    fn from(e: chiso_app::Error) -> AppError {
        let status = status_of(e.kind);
        let code = e.code;
        let e = Arc::new(e);
        let source = Some(e.clone());
        AppError { status, code, message: Arc::new(move |l| e.render(l)), source }
    }
}

impl From<chiso_store::StoreError> for AppError {
    fn from(e: chiso_store::StoreError) -> AppError {
        chiso_app::Error::from(e).into()
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

/// The code of an error that has only its status.
pub fn code_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "invalid_value",
        429 => "too_many_requests",
        503 => "unavailable",
        507 => "storage_full",
        _ if status.is_server_error() => "internal",
        _ => "error",
    }
}

/// The error of a rejection made before any handler ran (axum's extractors, an unknown
/// route or method, the body limit, the request timeout): their bodies are English text.
fn framework_error(status: StatusCode) -> AppError {
    let text: fn(&Text) -> &'static str = match status.as_u16() {
        401 => |t| t.error_login_required,
        403 => |t| t.error_forbidden,
        404 => |t| t.error_not_found,
        405 => |t| t.error_method,
        408 => |t| t.error_timeout,
        413 => |t| t.error_too_large,
        415 => |t| t.error_media_type,
        _ if status.is_server_error() => |t| t.error_internal,
        _ => |t| t.error_bad_request,
    };
    AppError::new(status, text)
}

/// The JSON of an error under `/api/`: `{"error": {"code", "message", …}}`, `extra` holding
/// the fields concerned where there are any (e.g. `problems`).
pub fn json_error(status: StatusCode, code: &str, message: &str, extra: serde_json::Value) -> Response {
    let mut error = serde_json::json!({ "code": code, "message": message });
    if let (Some(e), serde_json::Value::Object(more)) = (error.as_object_mut(), extra) {
        e.extend(more);
    }
    (status, axum::Json(serde_json::json!({ "error": error }))).into_response()
}

/// Filled by the authentication extractor with the user, so that an error page keeps their
/// header (logged in, their role, the way back to their work).
#[derive(Clone, Default)]
pub struct ReaderSlot(pub Arc<std::sync::Mutex<Option<crate::auth::User>>>);

/// Renders every error in the reader's language: a handler's [`AppError`], and the
/// framework's own rejections too, as a page, or under `/api/` as
/// `{"error": {"code": …, "message": …}}`.
pub async fn render_errors(Reader(lang): Reader, mut request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    // Where the reader came from, if it was a page of this site: the way back.
    let back = request
        .headers()
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/\\"));
    // After a lost session, the login leads back here (a page, not a form's post).
    let here = (request.method() == axum::http::Method::GET)
        .then(|| request.uri().path_and_query().map(|p| p.as_str().to_string()))
        .flatten();
    let reader = ReaderSlot::default();
    request.extensions_mut().insert(reader.clone());
    let mut response = next.run(request).await;
    let e = match response.extensions_mut().remove::<AppError>() {
        Some(e) => e,
        None if is_bare_rejection(&response) => framework_error(response.status()),
        None => return response,
    };
    if api {
        let problems = e.source.as_ref().map(|s| s.problems(lang)).unwrap_or_default();
        let extra =
            if problems.is_empty() { serde_json::Value::Null } else { serde_json::json!({ "problems": problems }) };
        return json_error(e.status, e.code, &e.message(lang), extra);
    }
    let t = lang.t();
    let user = reader.0.lock().expect("not poisoned").clone();
    // Back where they came from; else their work (logged in) or the home page.
    let mut links = Vec::new();
    if let Some(back) = &back {
        links.push(format!("<a href=\"{}\">{}</a>", crate::html::esc(back), t.go_back));
    }
    links.push(match &user {
        Some(_) if e.status != StatusCode::UNAUTHORIZED => format!("<a href=\"/cong-viec\">{}</a>", t.nav_work),
        _ if e.status == StatusCode::UNAUTHORIZED => {
            let back = here
                .as_deref()
                .or(back.as_deref())
                .map(|p| format!("?tiep={}", percent(&crate::done::without_outcome(p))))
                .unwrap_or_default();
            format!("<a href=\"/dang-nhap{}\">{}</a>", crate::html::esc(&back), t.nav_login)
        }
        _ => format!("<a href=\"/\">{}</a>", t.home_link),
    });
    let body = crate::html::page(
        lang,
        t.error_title,
        user.as_ref(),
        &format!(
            "<h1>{}</h1><p class=\"error\" role=\"alert\">{}</p><p>{}</p>",
            (t.error_heading)(e.status.as_u16()),
            crate::html::esc(&e.message(lang)),
            links.join(" · ")
        ),
    );
    (e.status, body).into_response()
}

/// An error status whose body is not a page or JSON a handler wrote (plain text or empty).
fn is_bare_rejection(r: &Response) -> bool {
    let content_type = r.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    (r.status().is_client_error() || r.status().is_server_error())
        && !content_type.starts_with("text/html")
        && !content_type.starts_with("application/json")
        && !content_type.starts_with("text/csv")
}

pub type AppResult<T> = Result<T, AppError>;

/// A path as a query value: every byte outside unreserved characters and `/` percent-encoded.
fn percent(p: &str) -> String {
    p.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

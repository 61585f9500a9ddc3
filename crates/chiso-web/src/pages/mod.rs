//! Routes. Each handler checks the user's role and, for unit data, the unit itself.

mod admin;
mod api;
mod api_body;
mod download;
mod input;
mod manage;
mod public;
pub(crate) mod ranking;
mod review;
mod session;
mod submit;
mod views;
mod workbook;

pub use api::parse_answers;

use crate::AppState;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

/// Request bodies, in one place. Any request: an evidence file (at most
/// [`chiso_app::MAX_EVIDENCE`]) plus the form around it.
pub const MAX_BODY: usize = chiso_app::MAX_EVIDENCE + 1024 * 1024;
/// The administrator's upload of a workbook of many units (at most
/// [`chiso_app::MAX_WORKBOOK`]) plus the form around it: that route only, read once the
/// administrator is known.
pub const MAX_WORKBOOK_BODY: usize = chiso_app::MAX_WORKBOOK + 1024 * 1024;

/// The largest body a request may announce: the workbook upload's, or any other's.
fn body_limit(method: &axum::http::Method, path: &str) -> usize {
    let segments: Vec<&str> = path.split('/').collect();
    let workbook = matches!(segments.as_slice(), ["", "quan-tri", "ky", _, _, "excel"]);
    if workbook && method == axum::http::Method::POST { MAX_WORKBOOK_BODY } else { MAX_BODY }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(public::home))
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/tinh/chiso.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
                        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
                    ],
                    crate::html::SCRIPT,
                )
            }),
        )
        .route("/ket-qua/{year}/{kind}", get(ranking::results))
        .route("/bao-cao/{file}", get(public::report))
        .route("/ngon-ngu/{lang}", get(session::language))
        // The public pages in English at addresses of their own (`crate::site`): the same
        // handlers, the language from the address.
        .route("/en", get(public::home))
        .route("/en/results/{year}/{kind}", get(ranking::results))
        .route("/en/results/{year}/{kind}/xlsx", get(ranking::results_xlsx))
        .route("/en/results/{year}/{kind}/csv", get(ranking::results_csv))
        .route("/en/units/{unit}", get(public::unit))
        .route("/en/login", get(session::login_form_en))
        .route("/en/reports/{file}", get(public::report))
        .route("/vi", get(|s| session::site(s, chiso_domain::Lang::Vi)))
        .route("/dang-nhap", get(session::login_form).post(session::login))
        .route("/dang-xuat", post(session::logout))
        .route("/cong-viec", get(session::work))
        .route("/tai-khoan", get(session::account).post(session::change_password))
        .route("/nop/{year}/{kind}/{unit}", get(submit::form).post(submit::save))
        .route("/nop/{year}/{kind}/{unit}/minh-chung", post(submit::upload))
        .route("/nop/{year}/{kind}/{unit}/tra-loi", post(submit::reply))
        .route("/minh-chung/{id}", get(submit::download))
        .route("/minh-chung/{id}/xoa", post(submit::delete_evidence))
        .route("/nop/{year}/{kind}/{unit}/excel", get(workbook::unit_page).post(workbook::unit_upload))
        .route("/nop/{year}/{kind}/{unit}/mau-phieu.xlsx", get(workbook::unit_template))
        .route(
            "/quan-tri/ky/{year}/{kind}/excel",
            get(workbook::admin_page)
                .post(workbook::admin_upload)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_WORKBOOK_BODY)),
        )
        .route("/quan-tri/ky/{year}/{kind}/mau-phieu.xlsx", get(workbook::admin_template))
        .route("/quan-tri/ky/{year}/{kind}/xuat/{format}", get(workbook::admin_export))
        .route("/tham-dinh/{year}/{kind}/{unit}", get(review::form).post(review::save))
        .route("/quan-tri", get(admin::home))
        .route("/quan-tri/ky", post(admin::create_period))
        .route("/quan-tri/ky/{year}/{kind}/cong-bo", post(admin::publish))
        .route("/quan-tri/ky/{year}/{kind}/xoa", post(admin::remove_period))
        .route("/quan-tri/ky/{year}/{kind}/chua-nop.csv", get(admin::missing_csv))
        .route("/quan-tri/ky/{year}/{kind}/xem-truoc", get(admin::preview))
        .route("/quan-tri/nguoi-dung", post(admin::accounts::create_user))
        .route("/quan-tri/nguoi-dung/trang-thai", post(admin::accounts::set_state))
        .route("/quan-tri/nguoi-dung/dat-lai", post(admin::accounts::reset_password))
        .route("/quan-tri/nguoi-dung/don-vi", post(admin::accounts::set_units))
        .route("/quan-tri/the-api/{id}/thu-hoi", post(admin::accounts::revoke_token))
        .route("/quan-tri/nhat-ky", get(admin::audit_log))
        .route("/quan-tri/cong-viec-nen", get(admin::work::page_handler))
        .route("/quan-tri/danh-muc", get(manage::home).post(manage::save))
        .route("/quan-tri/danh-muc/don-vi", post(manage::change_unit))
        .route("/don-vi/{unit}", get(public::unit))
        .route("/ket-qua/{year}/{kind}/csv", get(ranking::results_csv))
        .route("/ket-qua/{year}/{kind}/xlsx", get(ranking::results_xlsx))
        .route("/api/v1/periods/{year}/results", get(api::results))
        .route("/api/v1/periods/{year}/moves", get(api::moves))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/periods", get(api::periods).post(api::open_period))
        .route("/api/v1/users", post(api::add_user))
        .route("/api/v1/catalogue", post(api::catalogue))
        .route("/api/v1/audit", get(api::audit))
        .route("/api/v1/work", get(admin::work::api))
        .route("/api/v1/periods/{year}/{kind}/units/{unit}", get(api::submission).put(api::save))
        .route("/api/v1/periods/{year}/{kind}/units/{unit}/review", post(api::review))
        .route("/api/v1/periods/{year}/{kind}/units/{unit}/replies", post(api::reply))
        .route("/api/v1/periods/{year}/{kind}/units/{unit}/evidence", post(submit::upload))
        .route("/api/v1/periods/{year}/{kind}", axum::routing::delete(api::remove_period))
        .route("/api/v1/periods/{year}/{kind}/publish", post(api::publish))
        .route("/api/v1/periods/{year}/{kind}/missing", get(api::missing))
        .route("/api/openapi.json", get(api::openapi))
        .route_layer(axum::middleware::from_fn(crate::log::requests))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        // A bug in one handler answers 500 to that request; the connection and server live on.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            crate::error::AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, |t| t.error_internal)
                .into_response()
        }))
        .layer(axum::middleware::from_fn(guard))
        .layer(axum::middleware::from_fn(crate::error::render_errors))
        .layer(axum::middleware::map_response(security_headers))
}

/// Before any handler: a body announced larger than the limit is refused (413) without
/// reading it. After: whatever was answered to someone logged in (or setting a cookie), and
/// evidence files, is never kept by a browser or proxy cache (`no-store`).
async fn guard(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let announced = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let limit = body_limit(request.method(), request.uri().path());
    if announced.is_some_and(|n| n > limit as u64) {
        if limit == MAX_WORKBOOK_BODY {
            return crate::error::AppError::from(chiso_app::workbook_too_large()).into_response();
        }
        return crate::error::AppError::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE, |t| t.error_too_large)
            .into_response();
    }
    let h = request.headers();
    let private = h.contains_key(header::AUTHORIZATION)
        || h.get_all(header::COOKIE).iter().any(|c| c.to_str().is_ok_and(|c| c.contains(crate::auth::SESSION_COOKIE)))
        || request.uri().path().starts_with("/minh-chung/");
    let mut r = next.run(request).await;
    if private || r.headers().contains_key(header::SET_COOKIE) {
        r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

async fn security_headers(mut r: axum::response::Response) -> axum::response::Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    r
}

/// The head of an audit-trail table (`#` first in the full log).
pub fn audit_head(t: &crate::i18n::Text, with_seq: bool) -> String {
    let seq = if with_seq { "<th>#</th>" } else { "" };
    format!(
        "<table><thead><tr>{seq}<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t.col_time, t.col_actor, t.col_action, t.col_entity, t.col_old, t.col_new, t.col_reason
    )
}

/// Parses `2020` from a path segment, or 404.
pub fn year(s: &str) -> crate::error::AppResult<i32> {
    s.parse().map_err(|_| crate::error::AppError::not_found())
}

pub use chiso_app::{MAX_MESSAGE, MAX_REASON};

/// A form's fields as pairs, in order (dynamic forms: one field per criterion).
pub type Fields = Vec<(String, String)>;

pub fn field<'a>(f: &'a Fields, name: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

//! Logging in and out, and each role's list of work.

use super::{Fields, field};
use crate::AppState;
use crate::auth::{self, LOGIN_CSRF_COOKIE, MaybeUser, SESSION_COOKIE, SESSION_TTL};
use crate::catalog::Catalog;
use crate::error::{AppError, AppResult};
use crate::html::{esc, page};
use axum::Form;
use axum::extract::State;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_store::Role;

pub async fn login_form(State(s): State<AppState>) -> Response {
    let token = auth::random_token();
    let body = format!(
        "<h1>Đăng nhập</h1><form method=\"post\" action=\"/dang-nhap\"><input type=\"hidden\" name=\"csrf\" value=\"{token}\">\
         <label>Tên đăng nhập <input name=\"username\" autocomplete=\"username\" required></label>\
         <label>Mật khẩu <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
         <button>Đăng nhập</button></form>"
    );
    (
        [(header::SET_COOKIE, auth::set_cookie(LOGIN_CSRF_COOKIE, &token, 3600, s.secure_cookies))],
        page("Đăng nhập", None, &body),
    )
        .into_response()
}

pub async fn login(State(s): State<AppState>, parts: Parts, Form(f): Form<Fields>) -> AppResult<Response> {
    // Login CSRF: the form's token must match the cookie set with the form (double submit).
    let cookie = auth::cookie(&parts, LOGIN_CSRF_COOKIE);
    if cookie.is_none() || cookie.as_deref() != field(&f, "csrf") {
        return Err(AppError::forbidden());
    }
    let username = field(&f, "username").unwrap_or("").trim().to_string();
    let password = field(&f, "password").unwrap_or("");
    let refuse = |msg: &str| {
        let body =
            format!("<h1>Đăng nhập</h1><p class=\"error\">{}</p><p><a href=\"/dang-nhap\">Thử lại</a></p>", esc(msg));
        (axum::http::StatusCode::UNAUTHORIZED, page("Đăng nhập", None, &body)).into_response()
    };
    if s.throttled(&username) {
        return Ok(refuse("Tài khoản tạm khóa 15 phút do đăng nhập sai nhiều lần."));
    }
    let user = s.store.user_by_name(&username).await?;
    let Some(user) = user.filter(|u| auth::verify_password(password, &u.password_hash)) else {
        s.login_failed(&username);
        return Ok(refuse("Tên đăng nhập hoặc mật khẩu không đúng."));
    };
    s.login_succeeded(&username);
    let id = auth::random_token();
    s.store.create_session(&auth::sha256_hex(&id), user.id, &auth::random_token(), SESSION_TTL).await?;
    Ok((
        [(header::SET_COOKIE, auth::set_cookie(SESSION_COOKIE, &id, SESSION_TTL, s.secure_cookies))],
        Redirect::to("/cong-viec"),
    )
        .into_response())
}

pub async fn logout(
    State(s): State<AppState>,
    parts: Parts,
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require(user)?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    if let Some(id) = auth::cookie(&parts, SESSION_COOKIE) {
        s.store.delete_session(&auth::sha256_hex(&id)).await?;
    }
    Ok(([(header::SET_COOKIE, auth::set_cookie(SESSION_COOKIE, "", 0, s.secure_cookies))], Redirect::to("/"))
        .into_response())
}

/// Each role's work: a reporter's units in open periods, submissions to review, administration.
pub async fn work(State(s): State<AppState>, MaybeUser(user): MaybeUser) -> AppResult<Html<String>> {
    let u = auth::require(user)?;
    let cat = Catalog::load(&s.store).await?;
    let mut body = format!("<h1>Công việc của {}</h1>", esc(&u.row.username));
    if u.is(Role::Admin) {
        body += "<p><a href=\"/quan-tri\">Quản trị: kỳ đánh giá, người dùng, công bố kết quả, nhật ký</a></p>";
    }
    body +=
        "<table><thead><tr><th>Năm</th><th>Loại</th><th>Đơn vị</th><th>Trạng thái</th><th></th></tr></thead><tbody>";
    for p in s.store.periods().await? {
        let fw = cat.framework(&p.framework)?;
        let units: Vec<String> = match u.row.role {
            Role::Reporter => u.row.units.clone(),
            _ => cat.registry.of_kind(&fw.unit_kind, p.year).map(|x| x.id.0.clone()).collect(),
        };
        if p.status != "open" && u.is(Role::Reporter) {
            continue;
        }
        for unit in units.iter().filter(|x| cat.registry.of_kind(&p.kind, p.year).any(|r| &r.id.0 == *x)) {
            let sub = s.store.submission(p.year, &p.kind, unit).await?;
            let status = sub.as_ref().map_or("chưa có số liệu", |x| super::public::status_name(&x.status));
            let link = match u.row.role {
                Role::Assessor => {
                    format!("<a href=\"/tham-dinh/{}/{}/{}\">Thẩm định</a>", p.year, esc(&p.kind), esc(unit))
                }
                _ => format!("<a href=\"/nop/{}/{}/{}\">Mở</a>", p.year, esc(&p.kind), esc(unit)),
            };
            body += &format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{link}</td></tr>",
                p.year,
                esc(&p.kind),
                esc(&cat.unit_name(unit)),
                esc(status)
            );
        }
    }
    body += "</tbody></table>";
    Ok(page("Công việc", Some(&u), &body))
}

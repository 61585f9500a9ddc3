//! Logging in and out, and each role's list of work.

use super::{Fields, field};
use crate::AppState;
use crate::auth::{self, LOGIN_CSRF_COOKIE, MaybeUser, SESSION_COOKIE};
use crate::error::{AppError, AppResult};
use crate::html::{esc, page};
use crate::i18n::{LANG_COOKIE, Lang, Reader, Texts};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::sessions::{Login, SESSION_TTL};
use chiso_store::Role;

/// `/ngon-ngu/{vi|en}`: remembers the reader's language and goes back to the page they
/// were on (only a path of this site, never another host).
pub async fn language(State(s): State<AppState>, parts: Parts, Path(code): Path<String>) -> AppResult<Response> {
    let lang = Lang::parse(&code).ok_or_else(AppError::not_found)?;
    let back = parts
        .headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.parse::<axum::http::Uri>().ok())
        .filter(|u| {
            u.authority()
                .is_none_or(|a| Some(a.as_str()) == parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()))
        })
        .and_then(|u| u.path_and_query().map(|p| p.as_str().to_string()))
        // Browsers read `/\host` like `//host`: no backslash at all, and no second slash.
        .filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.contains('\\'))
        .unwrap_or_else(|| "/".into());
    // A public page has an address in each language: the other one.
    let back = crate::site::translate(&back, lang).unwrap_or(back);
    let year = 365 * 24 * 3600;
    Ok((
        [(header::SET_COOKIE, auth::set_cookie(LANG_COOKIE, lang.code(), year, s.secure_cookies))],
        Redirect::to(&back),
    )
        .into_response())
}

/// `?da-doi=1`: after a password change, which ends every session.
#[derive(serde::Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default, rename = "da-doi")]
    changed: Option<String>,
    /// Where to go after logging in: the page a lost session interrupted.
    #[serde(default)]
    tiep: Option<String>,
}

/// A path on this site to go on to after logging in, or `None` (never another site).
pub fn local_path(p: &str) -> Option<&str> {
    (p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/\\") && !p.contains(['\r', '\n'])).then_some(p)
}

/// `/en/login`: the login form in English, and English kept for the pages after it (the
/// language cookie), as a reader coming from an English page expects.
pub async fn login_form_en(state: State<AppState>, reader: Reader, query: Query<LoginQuery>) -> Response {
    let secure = state.secure_cookies;
    let mut response = login_form(state, reader, query).await;
    let cookie = auth::set_cookie(LANG_COOKIE, Lang::En.code(), 365 * 24 * 3600, secure);
    if let Ok(value) = header::HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub async fn login_form(State(s): State<AppState>, Reader(lang): Reader, Query(q): Query<LoginQuery>) -> Response {
    let t = lang.t();
    let token = auth::random_token();
    let notice = match q.changed {
        Some(_) => format!("<p class=\"ok\" role=\"status\">{}</p>", t.password_changed),
        None => String::new(),
    };
    let next = q
        .tiep
        .as_deref()
        .and_then(local_path)
        .map_or(String::new(), |p| format!("<input type=\"hidden\" name=\"tiep\" value=\"{}\">", esc(p)));
    let body = format!(
        "<h1>{}</h1>{notice}<form method=\"post\" action=\"/dang-nhap\"><input type=\"hidden\" name=\"csrf\" value=\"{token}\">{next}\
         <label>{} <input name=\"username\" autocomplete=\"username\" required></label>\
         <label>{} <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
         <button>{}</button></form>",
        t.login_heading, t.username, t.password, t.login_button
    );
    (
        [(header::SET_COOKIE, auth::set_cookie(LOGIN_CSRF_COOKIE, &token, 3600, s.secure_cookies))],
        page(lang, t.login_heading, None, &body),
    )
        .into_response()
}

pub async fn login(
    State(s): State<AppState>,
    Reader(lang): Reader,
    parts: Parts,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let t = lang.t();
    // Login CSRF: the form's token must match the cookie set with the form (double submit).
    let cookie = auth::cookie(&parts, LOGIN_CSRF_COOKIE);
    if cookie.is_none() || cookie.as_deref() != field(&f, "csrf") {
        return Err(AppError::forbidden());
    }
    // A name this long is nobody's: not folded or looked up (it still counts and is checked).
    let username = field(&f, "username").filter(|n| n.len() <= 1024).unwrap_or("");
    let password = field(&f, "password").unwrap_or("");
    let refuse = |msg: &str| {
        let body = format!(
            "<h1>{}</h1><p class=\"error\" role=\"alert\">{}</p><p><a href=\"/dang-nhap\">{}</a></p>",
            t.login_heading,
            esc(msg),
            t.retry
        );
        (axum::http::StatusCode::UNAUTHORIZED, page(lang, t.login_heading, None, &body)).into_response()
    };
    // Counted first (as a failure, in the database), checked after: simultaneous attempts
    // past the limit are refused without their passwords ever being checked.
    let keys = chiso_app::sessions::throttle_keys(&chiso_store::fold_username(username), &auth::client_addr(&parts));
    let id = match s.app.login(keys, username, password).await? {
        Login::Blocked => return Ok(refuse(t.locked_out)),
        Login::Refused => return Ok(refuse(t.bad_login)),
        Login::Session(id) => id,
    };
    Ok((
        [(header::SET_COOKIE, auth::set_cookie(SESSION_COOKIE, &id, SESSION_TTL, s.secure_cookies))],
        Redirect::to(field(&f, "tiep").and_then(local_path).unwrap_or("/cong-viec")),
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
        s.app.logout(&id).await?;
    }
    Ok(([(header::SET_COOKIE, auth::set_cookie(SESSION_COOKIE, "", 0, s.secure_cookies))], Redirect::to("/"))
        .into_response())
}

/// The work list's status filter (`?trang-thai=`).
#[derive(serde::Deserialize, Default)]
pub struct WorkQuery {
    #[serde(default, rename = "trang-thai")]
    status: String,
}

/// A status's filter word: none (`chua-nop`), draft or returned (`nhap`), waiting for review
/// (`cho-tham-dinh`), verified (`da-xac-nhan`).
fn status_key(s: Option<chiso_domain::SubmissionStatus>) -> &'static str {
    use chiso_domain::SubmissionStatus::*;
    match s {
        None => "chua-nop",
        Some(Draft) => "nhap",
        Some(Submitted) => "cho-tham-dinh",
        Some(Verified) => "da-xac-nhan",
    }
}

/// Each role's work: a reporter's units in open periods, with their deadlines; the
/// assessors' list filtered and counted by status; administration.
pub async fn work(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Query(q): Query<WorkQuery>,
) -> AppResult<Html<String>> {
    let t = lang.t();
    let u = auth::require(user)?;
    let cat = s.app.catalog().await?;
    let mut body = format!("<h1>{}</h1>", esc(&(t.work_heading)(&u.row.username)));
    if u.is(Role::Admin) {
        body += &format!("<p><a href=\"/quan-tri\">{}</a></p>", t.admin_link);
    }
    let items = s.app.work(&u.actor()).await?;
    // Counts by status, each a filter.
    let keys = ["cho-tham-dinh", "nhap", "chua-nop", "da-xac-nhan"];
    let label = |k: &str| match k {
        "cho-tham-dinh" => t.filter_submitted,
        "nhap" => t.filter_draft,
        "chua-nop" => t.filter_none,
        _ => t.filter_verified,
    };
    let mut links = vec![format!(
        "<a href=\"/cong-viec\"{}>{} ({})</a>",
        if q.status.is_empty() { " aria-current=\"page\"" } else { "" },
        t.filter_all,
        items.len()
    )];
    for k in keys {
        let n = items.iter().filter(|i| status_key(i.status) == k).count();
        if n > 0 {
            let current = if q.status == k { " aria-current=\"page\"" } else { "" };
            links.push(format!("<a href=\"/cong-viec?trang-thai={k}\"{current}>{} ({n})</a>", label(k)));
        }
    }
    body += &format!("<nav class=\"filters\" aria-label=\"{}\">{}</nav>", t.filter_by_status, links.join(" · "));
    body += &format!(
        "<div class=\"wrap\" tabindex=\"0\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead><tbody>",
        t.col_year, t.col_kind_short, t.col_unit, t.col_status, t.col_deadline
    );
    for item in items.iter().filter(|i| q.status.is_empty() || status_key(i.status) == q.status) {
        let (p, unit) = (&item.period, &item.unit.0);
        let status = item.status.map_or(t.status_none, |x| lang.status(x));
        let link = match u.row.role {
            Role::Assessor => {
                format!("<a href=\"/tham-dinh/{}/{}/{}\">{}</a>", p.year, esc(&p.kind), esc(unit), t.review_link)
            }
            _ => format!("<a href=\"/nop/{}/{}/{}\">{}</a>", p.year, esc(&p.kind), esc(unit), t.open_link),
        };
        // A deadline matters while the period takes work.
        let deadline = if p.status.accepts_work() {
            super::views::deadline_text(lang, item.deadline.as_deref())
        } else {
            String::new()
        };
        body += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{deadline}</td><td>{link}</td></tr>",
            p.year,
            esc(&lang.kind(&p.kind)),
            esc(&cat.unit_name(unit)),
            esc(status)
        );
    }
    body += "</tbody></table></div>";
    Ok(page(lang, t.work_title, Some(&u), &body))
}

/// `/vi`: the site in Vietnamese from its home page (the choice is remembered); `/en` is the
/// English home page itself.
pub async fn site(State(s): State<AppState>, lang: Lang) -> Response {
    let year = 365 * 24 * 3600;
    ([(header::SET_COOKIE, auth::set_cookie(LANG_COOKIE, lang.code(), year, s.secure_cookies))], Redirect::to("/"))
        .into_response()
}

/// `/tai-khoan`: the logged-in user's account: changing their password.
pub async fn account(Reader(lang): Reader, MaybeUser(user): MaybeUser) -> AppResult<Html<String>> {
    let u = auth::require(user)?;
    Ok(page(lang, lang.t().account_link, Some(&u), &password_form(lang, &u, None)))
}

/// The field a refusal of the password form concerns (its message is shown beside it).
fn password_field(code: &str) -> &'static str {
    match code {
        "wrong_password" => "current",
        "passwords_differ" => "repeat",
        _ => "new",
    }
}

/// The password form; a refusal's message beside the field it concerns (the passwords typed
/// are not sent back).
fn password_form(lang: Lang, u: &crate::auth::User, refused: Option<&chiso_app::Error>) -> String {
    let t = lang.t();
    let at = refused.map(|e| password_field(e.code));
    let input = |name: &str, label: &str, autocomplete: &str, hint: &str| {
        let min = if name == "current" { String::new() } else { format!(" minlength=\"{}\"", chiso_app::MIN_PASSWORD) };
        let mut described = Vec::new();
        let mut after = String::new();
        if !hint.is_empty() {
            described.push(format!("goi-y-{name}"));
            after += &format!("<span class=\"hint\" id=\"goi-y-{name}\">{}</span>", esc(hint));
        }
        let mut invalid = "";
        if let (Some(e), Some(true)) = (refused, at.map(|f| f == name)) {
            described.push(format!("loi-{name}"));
            after += &format!("<span class=\"error\" id=\"loi-{name}\" role=\"alert\">{}</span>", esc(&e.render(lang)));
            invalid = " aria-invalid=\"true\"";
        }
        let described =
            if described.is_empty() { String::new() } else { format!(" aria-describedby=\"{}\"", described.join(" ")) };
        format!(
            "<label>{label} <input name=\"{name}\" type=\"password\" autocomplete=\"{autocomplete}\"{min} required{invalid}{described}></label>{after}"
        )
    };
    let notice = if u.row.must_change_password {
        format!("<p class=\"notice\" role=\"status\">{}</p>", t.must_change_notice)
    } else {
        String::new()
    };
    format!(
        "<h1>{}</h1>{notice}<form method=\"post\" action=\"/tai-khoan\">{}{}{}{}<button>{}</button></form>",
        t.change_password_heading,
        crate::html::csrf_input(u),
        input("current", t.current_password, "current-password", ""),
        input("new", t.new_password, "new-password", t.password_rules),
        input("repeat", t.repeat_password, "new-password", ""),
        t.change_password_button,
    )
}

pub async fn change_password(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require(user)?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let (current, new, repeat) =
        (field(&f, "current").unwrap_or(""), field(&f, "new").unwrap_or(""), field(&f, "repeat").unwrap_or(""));
    match s.app.change_password(&u.actor(), current, new, repeat).await {
        // Every session ended with the old password, this one too.
        Ok(()) => Ok((
            [(header::SET_COOKIE, auth::set_cookie(SESSION_COOKIE, "", 0, s.secure_cookies))],
            Redirect::to("/dang-nhap?da-doi=1"),
        )
            .into_response()),
        Err(e) if e.kind == chiso_app::Kind::Invalid => {
            let body = password_form(lang, &u, Some(&e));
            Ok((axum::http::StatusCode::BAD_REQUEST, page(lang, lang.t().account_link, Some(&u), &body))
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

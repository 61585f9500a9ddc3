//! The administrator's users and API tokens: the list of users (disabling, enabling, lifting
//! login delays; past 50 users a page at a time, found by their name or their units'), the
//! form adding one (a reporter's units picked from a list, or typed as codes past 200 units),
//! and every token with its expiry, state and a button revoking it.

use crate::AppState;
use crate::auth::{self, MaybeUser, User};
use crate::error::{AppError, AppResult};
use crate::html::{csrf_input, esc};
use crate::i18n::{Lang, Reader, Texts};
use crate::pages::{Fields, field};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chiso_store::Role;

/// A refused form of the users' section: what was typed (passwords excepted) and why.
pub struct Refused<'a> {
    /// `None`: the add-user form; a user's name: the form changing their units.
    pub units_of: Option<&'a str>,
    pub fields: &'a Fields,
    pub error: &'a chiso_app::Error,
}

/// Above this many units still assessed, a reporter's units are typed as codes, not picked
/// from a list of every unit.
pub const LISTED_UNITS: usize = 200;

/// A form's units: each `unit` (a code picked from the list) and `units` (typed, codes or
/// names separated by `;`, which the application finds).
fn codes(f: &Fields) -> Vec<String> {
    use crate::pages::input::Get;
    let mut out = f.all("unit");
    out.extend(f.get("units").split(['\n', ';']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string));
    out
}

/// The field of the add-user form a refusal concerns.
fn add_user_field(code: &str) -> &'static str {
    match code {
        "bad_username" | "conflict" => "username",
        "bad_role" => "role",
        "unit_required" | "unit_not_found" => "unit",
        _ => "password",
    }
}

/// A refusal's message beside its field (`name`), with the attributes of the field itself.
fn field_error(lang: Lang, refused: Option<&Refused>, field: &str, name: &str) -> (String, String) {
    match refused {
        Some(r) if r.units_of.is_none() && add_user_field(r.error.code) == field => (
            format!(" aria-invalid=\"true\" aria-describedby=\"loi-{name}\""),
            format!("<span class=\"error\" id=\"loi-{name}\" role=\"alert\">{}</span>", esc(&r.error.render(lang))),
        ),
        _ => (String::new(), String::new()),
    }
}

/// Users a page, once there are more (one reporter a unit: thousands nationally).
pub const USERS_PAGE: usize = 50;

/// Which users `/quan-tri` lists (GET): those whose name or units' names or codes contain
/// every word of `nguoi` (case and diacritics aside), page `trang`.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct UsersView {
    #[serde(default)]
    pub nguoi: String,
    #[serde(default)]
    pub trang: Option<usize>,
}

impl UsersView {
    fn address(&self, trang: usize) -> String {
        let mut q = Vec::new();
        if !self.nguoi.trim().is_empty() {
            q.push(format!("nguoi={}", crate::html::query_value(self.nguoi.trim())));
        }
        if trang > 1 {
            q.push(format!("trang={trang}"));
        }
        if q.is_empty() { "/quan-tri#nguoi-dung".into() } else { format!("/quan-tri?{}#nguoi-dung", q.join("&")) }
    }
}

/// The users and tokens part of `/quan-tri`; `refused`: the add-user form sent back. Past
/// [`USERS_PAGE`] users, a page of them as `view` says (a refused change of a user's units:
/// that user).
pub async fn section(
    s: &AppState,
    lang: Lang,
    u: &User,
    refused: Option<&Refused<'_>>,
    view: &UsersView,
) -> AppResult<String> {
    use chiso_domain::collate::fold;
    let t = lang.t();
    let csrf = csrf_input(u);
    let mut b = format!("<h2 id=\"nguoi-dung\">{}</h2>", t.users_heading);
    let mut accounts = s.app.accounts(&u.actor()).await?;
    let cat = s.app.catalog().await?;
    let (all, mut first) = (accounts.users.len(), 0);
    if all > USERS_PAGE || !view.nguoi.trim().is_empty() {
        b += &format!(
            "<form method=\"get\" action=\"/quan-tri#nguoi-dung\" class=\"filters\" role=\"search\"><fieldset><legend>{}</legend>\
             <label>{} <input type=\"search\" name=\"nguoi\" value=\"{}\"></label><button>{}</button> <a href=\"/quan-tri#nguoi-dung\">{}</a></fieldset></form>",
            t.users_search_heading,
            t.users_search_name,
            esc(&view.nguoi),
            t.unit_search_button,
            t.filter_reset
        );
        let needle = fold(view.nguoi.trim());
        let words: Vec<&str> = needle.split_whitespace().collect();
        let again = refused.and_then(|r| r.units_of);
        accounts.users.retain(|x| match again {
            Some(name) => x.username == name,
            None => {
                let mut text = fold(&x.username);
                for id in &x.units {
                    text += &format!("\n{}\n{}", id.to_lowercase(), fold(&cat.unit_name(id)));
                }
                words.iter().all(|w| text.contains(w))
            }
        });
        let pages = accounts.users.len().div_ceil(USERS_PAGE).max(1);
        let page_no = view.trang.unwrap_or(1).clamp(1, pages);
        b += &format!("<p role=\"status\">{}</p>", esc(&(t.users_shown)(accounts.users.len(), all)));
        b += &crate::pages::views::pager(t, t.users_pages_label, page_no, pages, |n| view.address(n));
        first = (page_no - 1) * USERS_PAGE;
        accounts.users = accounts.users.into_iter().skip(first).take(USERS_PAGE).collect();
    }
    b += &format!(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead><tbody>",
        t.col_name, t.col_role, t.col_units, t.col_status
    );
    let held = &accounts.held_back;
    // Units picked by name (a reporter's), in Vietnamese order.
    let mut units: Vec<&chiso_domain::Unit> = cat.registry.units().iter().filter(|u| u.until.is_none()).collect();
    // A province's units as a list to pick from; a national registry's would make the page
    // megabytes (once more per reporter): their codes typed instead, found in the catalogue.
    let listed = units.len() <= LISTED_UNITS;
    if listed {
        units.sort_by(|a, b| chiso_domain::collate::compare_vi(&a.name, &b.name));
    }
    let typed_codes = |attrs: &str, value: &str, hint_id: &str| {
        // The hint described with the field, and a refusal's message when there is one.
        let attrs = match attrs.contains("aria-describedby=\"") {
            true => attrs.replacen("aria-describedby=\"", &format!("aria-describedby=\"{hint_id} "), 1),
            false => format!(" aria-describedby=\"{hint_id}\"{attrs}"),
        };
        format!(
            "<label>{} <input name=\"units\" value=\"{}\"{attrs}></label>\
             <span class=\"hint\" id=\"{hint_id}\">{} <a href=\"/quan-tri/danh-muc\">{}</a></span>",
            t.unit_codes_typed,
            esc(value),
            t.unit_codes_hint,
            t.unit_codes_find
        )
    };
    let options = |picked: &[String]| -> String {
        units
            .iter()
            .map(|x| {
                let selected = if picked.iter().any(|p| p.trim() == x.id.0) { " selected" } else { "" };
                format!("<option value=\"{}\"{selected}>{}</option>", esc(&x.id.0), esc(&x.name))
            })
            .collect()
    };
    let button = |name: &str, action: &str, label: &str, confirm: Option<&str>| {
        let confirm = confirm.map(|c| format!(" data-confirm=\"{}\"", esc(c))).unwrap_or_default();
        format!(
            "<form method=\"post\" action=\"/quan-tri/nguoi-dung/trang-thai\">{csrf}\
             <input type=\"hidden\" name=\"username\" value=\"{}\"><input type=\"hidden\" name=\"action\" value=\"{action}\">\
             <button{confirm}>{label}</button></form>",
            esc(name)
        )
    };
    for (i, x) in accounts.users.iter().enumerate().map(|(i, x)| (first + i, x)) {
        let mut state = (if x.disabled { t.user_disabled } else { t.user_active }).to_string();
        if x.must_change_password {
            state += &format!("; {}", t.user_one_time);
        }
        let mut forms = String::new();
        // No one disables themselves, or resets their own password here: the last way in
        // would go with it (their own is changed on the account page).
        if x.id != u.row.id {
            forms += &match x.disabled {
                true => button(&x.username, "enable", t.enable_user, None),
                false => button(&x.username, "disable", t.disable_user, Some(t.disable_user_confirm)),
            };
            forms += &format!(
                "<form method=\"post\" action=\"/quan-tri/nguoi-dung/dat-lai\">{csrf}\
                 <input type=\"hidden\" name=\"username\" value=\"{}\"><button data-confirm=\"{}\">{}</button></form>",
                esc(&x.username),
                esc(t.reset_password_confirm),
                t.reset_password_button
            );
        }
        let key = chiso_store::fold_username(&x.username);
        if let Some(until) = held.iter().find(|h| h.username == key).map(|h| h.until) {
            state += &format!("; {}", (t.user_held_back)(&lang.time(&chiso_store::format_utc(until))));
            forms += &button(&x.username, "unlock", t.unlock_user, None);
        }
        let mut unit_cell = esc(&x.units.iter().map(|id| cat.unit_name(id)).collect::<Vec<_>>().join(", "));
        // A reporter's units, changed by picking their names (a refused change comes back
        // open, with what was picked and why).
        if x.role == Role::Reporter {
            let again = refused.filter(|r| r.units_of == Some(x.username.as_str()));
            let picked = again.map(|r| codes(r.fields)).unwrap_or_else(|| x.units.clone());
            let (open, attrs, error) = match again {
                Some(r) => (
                    " open",
                    format!(" aria-invalid=\"true\" aria-describedby=\"loi-don-vi-{i}\""),
                    format!(
                        "<span class=\"error\" id=\"loi-don-vi-{i}\" role=\"alert\">{}</span>",
                        esc(&r.error.render(lang))
                    ),
                ),
                None => ("", String::new(), String::new()),
            };
            let input = if listed {
                format!(
                    "<label>{} <select name=\"unit\" multiple size=\"5\"{attrs}>{}</select></label>",
                    esc(&(t.units_of)(&x.username)),
                    options(&picked)
                )
            } else {
                typed_codes(&attrs, &picked.join("; "), &format!("goi-y-don-vi-{i}"))
            };
            unit_cell += &format!(
                "<details{open}><summary>{}</summary><form method=\"post\" action=\"/quan-tri/nguoi-dung/don-vi\">{csrf}\
                 <input type=\"hidden\" name=\"username\" value=\"{}\">{input}{error}\
                 <button>{}</button></form></details>",
                t.change_units_button,
                esc(&x.username),
                t.change_units_button
            );
        }
        b += &format!(
            "<tr><td>{}</td><td>{}</td><td>{unit_cell}</td><td>{}</td><td>{forms}</td></tr>",
            esc(&x.username),
            esc(lang.role(x.role)),
            esc(&state)
        );
    }
    // What was typed, when the form comes back refused.
    let refused_add = refused.filter(|r| r.units_of.is_none());
    let typed = |name: &str| refused_add.and_then(|r| crate::pages::field(r.fields, name)).unwrap_or("").to_string();
    let picked: Vec<String> = refused_add.map(|r| crate::pages::input::new_user(r.fields).units).unwrap_or_default();
    let roles: String = [Role::Reporter, Role::Assessor, Role::Viewer, Role::Admin]
        .iter()
        .map(|r| {
            let selected = if typed("role") == r.as_str() { " selected" } else { "" };
            format!("<option value=\"{}\"{selected}>{}</option>", r.as_str(), lang.role(*r))
        })
        .collect();
    let (name_attrs, name_error) = field_error(lang, refused, "username", "username");
    let (pw_attrs, pw_error) = field_error(lang, refused, "password", "password");
    let (role_attrs, role_error) = field_error(lang, refused, "role", "role");
    let (unit_attrs, unit_error) = field_error(lang, refused, "unit", "unit");
    // A refusal no field is named for (a database failure …) above the form.
    let pw_attrs = if pw_attrs.is_empty() {
        " aria-describedby=\"goi-y-password\"".to_string()
    } else {
        pw_attrs.replace("aria-describedby=\"loi-password\"", "aria-describedby=\"loi-password goi-y-password\"")
    };
    let unit_input = if listed {
        format!(
            "<label>{} <select name=\"unit\" multiple size=\"6\"{unit_attrs}>{}</select></label>",
            t.unit_codes,
            options(&picked)
        )
    } else {
        let typed: Vec<&str> = picked.iter().map(|x| x.trim()).filter(|x| !x.is_empty()).collect();
        typed_codes(&unit_attrs, &typed.join("; "), "goi-y-don-vi")
    };
    b += &format!(
        "</tbody></table><h3>{}</h3><form method=\"post\" action=\"/quan-tri/nguoi-dung\">{csrf}\
         <label>{} <input name=\"username\" value=\"{}\" required maxlength=\"{}\" pattern=\"[A-Za-z0-9][A-Za-z0-9._\\-]*\" title=\"{}\"{name_attrs}></label>{name_error}\
         <label>{} <input name=\"password\" type=\"password\" autocomplete=\"new-password\" required minlength=\"{}\"{pw_attrs}></label>\
         <span class=\"hint\" id=\"goi-y-password\">{}</span>{pw_error}\
         <label>{} <select name=\"role\"{role_attrs}>{roles}</select></label>{role_error}\
         {unit_input}{unit_error}<button>{}</button></form>",
        t.add_user,
        t.username,
        esc(&typed("username")),
        chiso_store::MAX_USERNAME,
        esc(t.bad_username),
        t.password_min,
        chiso_app::MIN_PASSWORD,
        t.password_rules,
        t.role,
        t.add_user
    );
    b += &format!(
        "<h2>{}</h2><p class=\"muted\">{}</p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th><th>{}</th><th></th></tr></thead><tbody>",
        t.tokens_heading,
        t.tokens_note,
        t.col_token_id,
        t.col_name,
        t.col_token_label,
        t.col_token_created,
        t.col_token_expires,
        t.col_status
    );
    for x in &accounts.tokens {
        let state = match (&x.revoked_at, x.live()) {
            (Some(at), _) => (t.token_revoked)(&lang.time(at)),
            (None, true) => t.token_live.to_string(),
            (None, false) => t.token_expired.to_string(),
        };
        let form = if x.revoked_at.is_none() {
            format!(
                "<form method=\"post\" action=\"/quan-tri/the-api/{}/thu-hoi\">{csrf}<button>{}</button></form>",
                esc(&x.id),
                t.revoke_token
            )
        } else {
            String::new()
        };
        b += &format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{form}</td></tr>",
            esc(&x.id),
            esc(&x.username),
            esc(&x.label),
            esc(&lang.time(&x.created_at)),
            esc(&lang.time(&x.expires_utc())),
            esc(&state)
        );
    }
    b += "</tbody></table>";
    Ok(b)
}

/// POST `/quan-tri/nguoi-dung`.
pub async fn create_user(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    match s.app.add_user(&u.actor(), crate::pages::input::new_user(&f)).await {
        Ok(_) => Ok(Redirect::to(&crate::done::Done::UserAdded.after("/quan-tri")).into_response()),
        // Refused: the page again, with what was typed and the reason beside its field.
        Err(e) if matches!(e.kind, chiso_app::Kind::Invalid | chiso_app::Kind::Conflict) => {
            let status = crate::error::AppError::from(e.clone()).status;
            let refused = Refused { units_of: None, fields: &f, error: &e };
            let body = super::page_html(&s, lang, &u, String::new(), Some(&refused), &UsersView::default()).await?;
            Ok((status, body).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST `/quan-tri/nguoi-dung/trang-thai`: `username`, `action` = `disable` | `enable` |
/// `unlock` (lifts the login delays, like `chiso user unlock`).
pub async fn set_state(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let action = match field(&f, "action") {
        Some("disable") => chiso_app::UserAction::Disable,
        Some("enable") => chiso_app::UserAction::Enable,
        Some("unlock") => chiso_app::UserAction::Unlock,
        _ => return Err(AppError::bad_request(|t| t.bad_action)),
    };
    s.app.set_user_state(&u.actor(), field(&f, "username").unwrap_or(""), action).await?;
    Ok(Redirect::to(&crate::done::Done::Account.after("/quan-tri")).into_response())
}

/// POST `/quan-tri/nguoi-dung/dat-lai`: `username`. A new one-time password for them (their
/// sessions end, their tokens are revoked), shown on this answer only, never again.
pub async fn reset_password(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let t = lang.t();
    let (name, password) = s.app.reset_password(&u.actor(), field(&f, "username").unwrap_or("")).await?;
    let notice = format!(
        "<div class=\"notice\" role=\"status\"><p>{} <code class=\"secret\">{}</code></p><p>{}</p></div>",
        esc(&(t.new_one_time_password)(&name)),
        esc(&password),
        t.one_time_password_note
    );
    Ok(super::page_html(&s, lang, &u, notice, None, &UsersView::default()).await?.into_response())
}

/// POST `/quan-tri/nguoi-dung/don-vi`: `username` and any number of `unit` (codes, picked
/// by name): the units a reporter reports for. Refused, the page again with the list open.
pub async fn set_units(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let username = field(&f, "username").unwrap_or("");
    match s.app.set_user_units(&u.actor(), username, codes(&f)).await {
        Ok(()) => Ok(Redirect::to(&crate::done::Done::UnitsChanged.after("/quan-tri")).into_response()),
        Err(e) if e.kind == chiso_app::Kind::Invalid => {
            let refused = Refused { units_of: Some(username), fields: &f, error: &e };
            let body = super::page_html(&s, lang, &u, String::new(), Some(&refused), &UsersView::default()).await?;
            Ok((axum::http::StatusCode::BAD_REQUEST, body).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST `/quan-tri/the-api/{id}/thu-hoi`: revokes the token with this id.
pub async fn revoke_token(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    s.app.revoke_token(&u.actor(), &id).await?;
    Ok(Redirect::to(&crate::done::Done::Account.after("/quan-tri")).into_response())
}

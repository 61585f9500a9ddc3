//! The administrator's users and API tokens: the list of users (disabling, enabling, lifting
//! login delays), the form adding one, and every token with its expiry, state and a button
//! revoking it.

use crate::AppState;
use crate::auth::{self, MaybeUser, User};
use crate::error::{AppError, AppResult};
use crate::html::{csrf_input, esc};
use crate::i18n::{Lang, Texts};
use crate::pages::{Fields, field};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chiso_store::Role;

/// The users and tokens part of `/quan-tri`.
pub async fn section(s: &AppState, lang: Lang, u: &User) -> AppResult<String> {
    let t = lang.t();
    let csrf = csrf_input(u);
    let mut b = format!(
        "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead><tbody>",
        t.users_heading, t.col_name, t.col_role, t.col_units, t.col_status
    );
    let accounts = s.app.accounts(&u.actor()).await?;
    let cat = s.app.catalog().await?;
    let held = &accounts.held_back;
    let button = |name: &str, action: &str, label: &str| {
        format!(
            "<form method=\"post\" action=\"/quan-tri/nguoi-dung/trang-thai\">{csrf}\
             <input type=\"hidden\" name=\"username\" value=\"{}\"><input type=\"hidden\" name=\"action\" value=\"{action}\">\
             <button>{label}</button></form>",
            esc(name)
        )
    };
    for x in &accounts.users {
        let mut state = (if x.disabled { t.user_disabled } else { t.user_active }).to_string();
        let mut forms = String::new();
        // No one disables themselves: the last way in would go with it.
        if x.id != u.row.id {
            forms += &match x.disabled {
                true => button(&x.username, "enable", t.enable_user),
                false => button(&x.username, "disable", t.disable_user),
            };
        }
        let key = chiso_store::fold_username(&x.username);
        if let Some(until) = held.iter().find(|h| h.username == key).map(|h| h.until) {
            state += &format!("; {}", (t.user_held_back)(&lang.time(&chiso_store::format_utc(until))));
            forms += &button(&x.username, "unlock", t.unlock_user);
        }
        b += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{forms}</td></tr>",
            esc(&x.username),
            esc(lang.role(x.role)),
            esc(&x.units.iter().map(|id| cat.unit_name(id)).collect::<Vec<_>>().join(", ")),
            esc(&state)
        );
    }
    // Units picked by name (a reporter's), in Vietnamese order.
    let mut units: Vec<&chiso_domain::Unit> = cat.registry.units().iter().filter(|u| u.until.is_none()).collect();
    units.sort_by(|a, b| chiso_domain::collate::compare_vi(&a.name, &b.name));
    let unit_options: String =
        units.iter().map(|u| format!("<option value=\"{}\">{}</option>", esc(&u.id.0), esc(&u.name))).collect();
    let roles: String = [Role::Reporter, Role::Assessor, Role::Viewer, Role::Admin]
        .iter()
        .map(|r| format!("<option value=\"{}\">{}</option>", r.as_str(), lang.role(*r)))
        .collect();
    b += &format!(
        "</tbody></table><form method=\"post\" action=\"/quan-tri/nguoi-dung\">{csrf}\
         <label>{} <input name=\"username\" required maxlength=\"{}\" pattern=\"[A-Za-z0-9][A-Za-z0-9._\\-]*\" title=\"{}\"></label>\
         <label>{} <input name=\"password\" type=\"password\" required minlength=\"10\"></label>\
         <label>{} <select name=\"role\">{roles}</select></label><label>{} <select name=\"unit\" multiple size=\"6\">{unit_options}</select></label>\
         <button>{}</button></form>",
        t.username,
        chiso_store::MAX_USERNAME,
        esc(t.bad_username),
        t.password_min,
        t.role,
        t.unit_codes,
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
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    s.app.add_user(&u.actor(), crate::pages::input::new_user(&f)).await?;
    Ok(Redirect::to(&crate::done::Done::Account.after("/quan-tri")).into_response())
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

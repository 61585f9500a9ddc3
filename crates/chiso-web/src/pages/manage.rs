//! The administrator's catalogue: frameworks (upload, validate, activate), the unit
//! registry, a year's report settings, deadline exceptions. All stored as their file
//! formats and validated by the same parsers as the CLI; every change on the record.

use super::{Fields, field};
use crate::AppState;
use crate::auth::{self, MaybeUser};
use crate::error::AppResult;
use crate::html::{csrf_input, esc, page};
use crate::i18n::{Reader, Texts};
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_store::Role;

pub async fn home(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    notice: crate::done::Notice,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin])?;
    let t = lang.t();
    let csrf = csrf_input(&u);
    let mut b = notice.html(lang) + &format!("<h1>{}</h1><h2>{}</h2><ul>", t.catalogue_title, t.frameworks);
    let (frameworks, units) = s.app.catalogue_documents(&u.actor()).await?;
    for name in frameworks {
        b += &format!("<li>{}</li>", esc(name.trim_start_matches("framework/")));
    }
    b += &format!(
        "</ul><form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}<input type=\"hidden\" name=\"what\" value=\"framework\">\
         <label>{} <textarea name=\"body\" rows=\"12\" cols=\"90\" required></textarea></label>\
         <label>{} <input name=\"reason\" required></label><button>{}</button></form>",
        t.framework_toml, t.reason, t.check_and_activate
    );
    b += &format!(
        "<h2>{}</h2><form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}\
         <input type=\"hidden\" name=\"what\" value=\"units\"><label>{} <textarea name=\"body\" rows=\"14\" cols=\"90\">{}</textarea></label>\
         <label>{} <input name=\"reason\" required></label><button>{}</button></form>",
        t.units_heading,
        t.units_label,
        esc(&units),
        t.reason,
        t.check_and_save
    );
    b += &format!(
        "<h2>{}</h2><p class=\"muted\">{}</p>\
         <form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}<input type=\"hidden\" name=\"what\" value=\"report\">\
         <label>{} <textarea name=\"body\" rows=\"12\" cols=\"90\" required></textarea></label><label>{} <input name=\"reason\" required></label>\
         <button>{}</button></form>",
        t.report_settings_heading, t.report_settings_hint, t.settings, t.reason, t.check_and_save
    );
    b += &format!(
        "<h2>{}</h2><form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}<input type=\"hidden\" name=\"what\" value=\"exception\">\
         <label>{} <input name=\"year\" required></label><label>{} <input name=\"kind\" required></label>\
         <label>{} <input name=\"unit\" required></label><label>{} <input name=\"until\" type=\"date\" required></label>\
         <label>{} <input name=\"reason\" required></label><button>{}</button></form>",
        t.exception_heading, t.year, t.unit_kind, t.unit_code, t.new_deadline, t.reason, t.extend
    );
    Ok(page(lang, t.catalogue_title, Some(&u), &b))
}

pub async fn save(State(s): State<AppState>, MaybeUser(user): MaybeUser, Form(f): Form<Fields>) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let change = super::input::catalogue_change(&f)?;
    s.app.change_catalogue(&u.actor(), change, &super::input::Get::get(&f, "reason")).await?;
    Ok(Redirect::to(&crate::done::Done::Catalogue.after("/quan-tri/danh-muc")).into_response())
}

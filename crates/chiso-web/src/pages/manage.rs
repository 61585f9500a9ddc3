//! The administrator's catalogue: frameworks (upload, validate, activate), the unit
//! registry, a year's report settings, deadline exceptions. All stored as their file
//! formats and validated by the same parsers as the CLI; every change on the record.

use super::{Fields, field};
use crate::AppState;
use crate::auth::{self, MaybeUser, User};
use crate::error::{AppError, AppResult};
use crate::html::{csrf_input, esc, page};
use crate::i18n::{Reader, Texts};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_data::{framework_toml, report_toml, units_toml};
use chiso_store::Role;

pub async fn home(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin])?;
    let t = lang.t();
    let csrf = csrf_input(&u);
    let mut b = format!("<h1>{}</h1><h2>{}</h2><ul>", t.catalogue_title, t.frameworks);
    for (name, _) in s.store.documents("framework/").await? {
        b += &format!("<li>{}</li>", esc(name.trim_start_matches("framework/")));
    }
    b += &format!(
        "</ul><form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}<input type=\"hidden\" name=\"what\" value=\"framework\">\
         <label>{} <textarea name=\"body\" rows=\"12\" cols=\"90\" required></textarea></label>\
         <label>{} <input name=\"reason\" required></label><button>{}</button></form>",
        t.framework_toml, t.reason, t.check_and_activate
    );
    let units = s.store.document("units.toml").await?.unwrap_or_default();
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

fn invalid(errors: Vec<chiso_data::DataError>) -> AppError {
    AppError::invalid(StatusCode::UNPROCESSABLE_ENTITY, |t, list| (t.invalid_not_saved)(list), errors)
}

pub async fn save(State(s): State<AppState>, MaybeUser(user): MaybeUser, Form(f): Form<Fields>) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    change(&s, &u, &f).await?;
    Ok(Redirect::to("/quan-tri/danh-muc").into_response())
}

/// One catalogue change, validated by the CLI's parsers and on the record: `what` is
/// `framework`, `units` or `report` (with `body`, the document) or `exception` (`year`,
/// `kind`, `unit`, `until`); always a `reason`.
pub async fn change(s: &AppState, u: &User, f: &Fields) -> AppResult<()> {
    let body = field(f, "body").unwrap_or("").replace("\r\n", "\n");
    let reason = field(f, "reason").unwrap_or("").trim();
    if reason.is_empty() {
        return Err(AppError::bad_request(|t| t.change_reason_needed));
    }
    super::bounded(reason, super::MAX_REASON, |t| t.col_reason)?;
    let who = &u.row.username;
    match field(f, "what") {
        Some("framework") => {
            let fw = framework_toml::parse("bo-tieu-chi.toml", &body).map_err(invalid)?;
            s.store.put_document(&format!("framework/{}", fw.id), &body, who, reason).await?;
        }
        Some("units") => {
            units_toml::parse("units.toml", &body).map_err(invalid)?;
            s.store.put_document("units.toml", &body, who, reason).await?;
        }
        Some("report") => {
            let (year, _) = report_toml::parse("bao-cao.toml", &body).map_err(|e| invalid(vec![e]))?;
            s.store.put_document(&format!("report/{year}"), &body, who, reason).await?;
        }
        Some("exception") => {
            let (year, kind, unit, until) = (
                field(f, "year").unwrap_or(""),
                field(f, "kind").unwrap_or(""),
                field(f, "unit").unwrap_or(""),
                field(f, "until").unwrap_or(""),
            );
            let year: i32 = year.trim().parse().map_err(|_| AppError::bad_request(|t| t.bad_year))?;
            if s.store.period(year, kind).await?.is_none() {
                return Err(AppError::bad_request(|t| t.no_such_period));
            }
            let until = chiso_domain::date::Date::parse(until.trim())
                .ok_or_else(|| AppError::bad_request(|t| t.bad_new_deadline).code("invalid_date"))?;
            let cat = chiso_app::Catalog::load(&s.store).await?;
            let unit = unit.trim();
            if !cat.registry.of_kind(kind, year).any(|u| u.id.0 == unit) {
                return Err(AppError::bad_request(|t| t.exception_unknown_unit).code("unit_not_found"));
            }
            let until = until.to_string();
            s.store.put_document(&format!("exception/{year}/{kind}/{unit}"), &until, who, reason).await?;
        }
        _ => return Err(AppError::bad_request(|t| t.bad_action)),
    }
    // Names and frameworks show on the public pages and in the reports.
    s.results.clear();
    s.refresh_reports().await?;
    Ok(())
}

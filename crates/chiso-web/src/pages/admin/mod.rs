//! The administrator: periods (open, deadline), users and roles, computing and publishing
//! results (a frozen, versioned snapshot with a reason), and the audit log.

pub mod accounts;
pub mod audit;
pub mod work;

pub use audit::audit_log;

use crate::AppState;
use crate::auth::{self, MaybeUser};
use crate::done::{Done, Notice};
use crate::error::{AppError, AppResult};
use crate::html::{csrf_input, esc, page};
use crate::i18n::{Reader, Texts};
use crate::pages::{Fields, field};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_store::Role;

pub async fn home(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    axum::extract::Query(view): axum::extract::Query<accounts::UsersView>,
    notice: Notice,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin])?;
    page_html(&s, lang, &u, notice.html(lang), None, &view).await
}

/// The administration page; `refused`: a refused form of the users' section, sent back with
/// what was typed.
pub async fn page_html(
    s: &AppState,
    lang: crate::i18n::Lang,
    u: &crate::auth::User,
    notice: String,
    refused: Option<&accounts::Refused<'_>>,
    users: &accounts::UsersView,
) -> AppResult<Html<String>> {
    let t = lang.t();
    let cat = s.app.catalog().await?;
    let csrf = csrf_input(u);
    let mut b = notice
        + &format!(
            "<h1>{}</h1><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            t.admin_title,
            t.periods_heading,
            t.col_year,
            t.col_kind_short,
            t.col_framework,
            t.col_deadline,
            t.col_status,
            t.col_missing,
            t.col_publish
        );
    for p in s.app.periods().await? {
        let missing = s.app.missing_units(&u.actor(), p.year, &p.kind).await?;
        // Nothing saved by any unit: a period opened by mistake may go (the store checks again).
        let removable = p.status == chiso_domain::PeriodStatus::Open
            && missing.iter().all(|m| m.status.is_none())
            && missing.len() == cat.registry.of_kind(&p.kind, p.year).count();
        let missing: Vec<String> = missing.into_iter().map(|m| m.name).collect();
        let base = format!("/quan-tri/ky/{}/{}", p.year, esc(&p.kind));
        let remove = if removable {
            format!(
                "<form method=\"post\" action=\"{base}/xoa\">{csrf}<label>{} <input name=\"reason\" required></label>\
                 <button data-confirm=\"{}\">{}</button></form>",
                t.reason,
                esc(t.ask_remove_period),
                t.remove_period_button
            )
        } else {
            String::new()
        };
        let missing_link = if missing.is_empty() {
            String::new()
        } else {
            format!("<br><a href=\"{base}/chua-nop.csv\">{}</a>", t.missing_csv)
        };
        b += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{missing_link}</td><td><a href=\"{base}/excel\">Excel</a> · <a href=\"{base}/xem-truoc\">{}</a>{remove}</td></tr>",
            p.year,
            esc(&lang.kind(&p.kind)),
            esc(&cat.framework(&p.framework).map_or_else(|_| p.framework.clone(), |f| f.name.clone())),
            esc(&if chiso_app::is_history(&p) {
                t.history_period.to_string()
            } else {
                lang.date(p.deadline.as_deref().unwrap_or(""))
            }),
            esc(lang.period_status(p.status)),
            // A few names, then how many more: a row stays readable with 3,000 units.
            esc(&match missing.len() {
                0..=3 => missing.join("; "),
                n => (t.and_more)(&missing[..3].join("; "), n - 3),
            }),
            t.compute_preview
        );
    }
    b += &format!(
        "</tbody></table><h2>{}</h2><form method=\"post\" action=\"/quan-tri/ky\">{csrf}\
         <label>{} <input name=\"year\" inputmode=\"numeric\" required></label><label>{} <select name=\"framework\">",
        t.open_period_heading, t.year, t.col_framework
    );
    for fw in &cat.frameworks {
        b += &format!(
            "<option value=\"{}\">{} ({})</option>",
            esc(&fw.id),
            esc(&fw.name),
            esc(&lang.kind(&fw.unit_kind))
        );
    }
    b += &format!(
        "</select></label><label>{} <input name=\"deadline\" type=\"date\"></label>\
         <label><input type=\"checkbox\" name=\"history\" value=\"1\"> {}</label><button>{}</button></form>",
        t.col_deadline, t.history_checkbox, t.open_button
    );
    b += &accounts::section(s, lang, u, refused, users).await?;
    b += &format!(
        "<p><a href=\"/quan-tri/nhat-ky\">{}</a> · <a href=\"/quan-tri/danh-muc\">{}</a> · <a href=\"/quan-tri/cong-viec-nen\">{}</a></p>",
        t.audit_link, t.catalogue_link, t.bg_link
    );
    Ok(page(lang, t.admin_title, Some(u), &b))
}

pub async fn create_period(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    s.app.open_period(&u.actor(), crate::pages::input::open_period(&f)).await?;
    Ok(Redirect::to(&Done::Opened.after("/quan-tri")).into_response())
}

/// Removes a period that holds nothing, with the reason on the record.
pub async fn remove_period(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let year = crate::pages::year(&year)?;
    s.app.remove_period(&u.actor(), year, &kind, field(&f, "reason").unwrap_or("")).await?;
    Ok(Redirect::to(&Done::PeriodRemoved.after("/quan-tri")).into_response())
}

/// Scores are computed by the engine, never typed: publishing freezes the computed results.
pub async fn publish(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let year = crate::pages::year(&year)?;
    let early = field(&f, "early").is_some();
    s.app.publish(&u.actor(), year, &kind, field(&f, "reason").unwrap_or(""), early).await?;
    // The published ranking in the administrator's language (its address names it).
    Ok(Redirect::to(&Done::Published.after(&crate::site::results_path(lang, year, &kind))).into_response())
}

/// `/quan-tri/ky/{year}/{kind}/chua-nop.csv`: the units of a period that have not submitted,
/// for the follow-up letters (they end up "no data → not ranked" unless granted an exception).
/// The units still missing, for the follow-up letters: opened in Excel by people, so in
/// their words (the reader's language, dates dd/mm/yyyy); the CLI and the API keep codes.
pub async fn missing_csv(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
) -> AppResult<Response> {
    let u = auth::require(user)?;
    let t = lang.t();
    let year = crate::pages::year(&year)?;
    let mut out = format!("\u{FEFF}{}", chiso_data::csv_safe::line(&[t.col_unit, t.col_status, t.col_deadline]));
    for m in s.app.missing_units(&u.actor(), year, &kind).await? {
        let status = m.status.map_or(t.status_none, |x| lang.status(x));
        out += &chiso_data::csv_safe::line(&[&m.name, status, &lang.date(&m.deadline)]);
    }
    let name = format!(
        "attachment; filename=\"chua-nop-{}-{}.csv\"",
        year,
        kind.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], out)
        .into_response())
}

/// `/quan-tri/ky/{year}/{kind}/xem-truoc`: the engine's results from the counted submissions
/// as they stand, not public; the administrator approves them by publishing with a reason.
pub async fn preview(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
    axum::extract::Query(filter): axum::extract::Query<crate::pages::ranking::Filter>,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin, Role::Viewer])?;
    let t = lang.t();
    let year = crate::pages::year(&year)?;
    let preview = s.app.preview(&u.actor(), year, &kind).await?;
    let cat = s.app.catalog().await?;
    let fw = cat.framework(&preview.period.framework)?;
    let json = preview.results.clone();
    // The rows as the public ranking reads them: a page at a time, whatever the number of units.
    let (period, cat2) = (preview.period.clone(), cat.clone());
    let ranking = tokio::task::spawn_blocking(move || chiso_app::ranking::Ranking::of_results(period, json, cat2))
        .await
        .map_err(|_| AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, |t| t.error_internal))??;
    let json = preview.results;
    let published = preview.published;
    let same = published.as_ref().is_some_and(|x| x.results == json);
    let mut b = format!(
        "<h1>{}</h1><p class=\"muted\">{}</p>",
        esc(&(t.preview_heading)(&fw.name, year)),
        esc(&match &published {
            Some(x) if same => (t.preview_same)(x.version),
            Some(x) => (t.preview_differs)(x.version),
            None => t.preview_unpublished.to_string(),
        })
    );
    if u.is(Role::Admin) && !same {
        // Who has not submitted yet, and the choice to publish early, while it takes work.
        let mut early = String::new();
        if preview.period.status.accepts_work() {
            let missing = s.app.missing_units(&u.actor(), year, &kind).await?;
            if !missing.is_empty() {
                let names: Vec<String> = missing.iter().map(|m| esc(&m.name)).collect();
                early += &format!("<p class=\"error\">{}</p>", (t.not_yet_submitted)(missing.len(), &names.join(", ")));
            }
            early +=
                &format!("<label><input type=\"checkbox\" name=\"early\" value=\"1\"> {}</label>", t.publish_early);
        }
        b += &format!(
            "<form method=\"post\" action=\"/quan-tri/ky/{year}/{}/cong-bo\">{}{early}<label>{} <input name=\"reason\" required></label>\
             <button data-confirm=\"{}\">{}</button></form>",
            esc(&kind),
            csrf_input(&u),
            t.reason,
            esc(t.ask_publish),
            t.publish_button
        );
    }
    // Not published yet: no moves computed for these figures.
    let base = format!("/quan-tri/ky/{year}/{}/xem-truoc", kind);
    let shown = ranking.select(&filter.ten, &filter.muc, filter.trang.unwrap_or(1));
    b += &crate::pages::ranking::table(lang, fw, &ranking, &shown, None, &filter, &base);
    b += &crate::pages::ranking::pager(lang, &shown, &filter, &base);
    b += &crate::pages::ranking::charts(lang, fw, &ranking);
    Ok(page(lang, t.admin_title, Some(&u), &b))
}

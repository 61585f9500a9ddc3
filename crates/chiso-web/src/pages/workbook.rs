//! Excel round trip on the platform: data-entry templates out (prefilled with what is
//! stored), filled templates in (a reporter for their own unit, the administrator for
//! many units at once), and a period's figures, scores and results out as XLSX or CSV.
//!
//! A filled workbook is validated whole with `chiso_data::template::read` (the same
//! import as CSV files and the form); nothing is written unless every sheet is valid. A
//! valid upload becomes a draft the reporter still submits; the audit trail records it
//! as an import from the file.

use super::download::{failed, streamed, written};
use crate::AppState;
use crate::auth::{self, MaybeUser, User};
use crate::error::{AppError, AppResult};
use crate::html::{csrf_input, esc, page};
use crate::i18n::{Lang, Reader, Texts};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::catalog::Catalog;
use chiso_data::{export, template};
use chiso_domain::unit::UnitId;
use chiso_store::{PeriodRow, Role};
use std::sync::Arc;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn load(s: &AppState, year: &str, kind: &str) -> AppResult<(PeriodRow, Arc<Catalog>)> {
    let year = super::year(year)?;
    let p = s.app.period(year, kind).await?;
    let cat = s.app.catalog().await?;
    Ok((p, cat))
}

fn unit_of_kind(cat: &Catalog, p: &PeriodRow, unit: &str) -> AppResult<()> {
    if cat.registry.of_kind(&p.kind, p.year).any(|u| u.id.0 == unit) { Ok(()) } else { Err(AppError::not_found()) }
}

fn xlsx_error(e: impl std::fmt::Display) -> AppError {
    let e = e.to_string();
    AppError::with(StatusCode::INTERNAL_SERVER_ERROR, move |l| (l.t().excel_failed)(&e))
}

/// The template of some units, each prefilled with its stored answers, streamed from a
/// temporary file (`download.rs`): thousands of sheets take seconds and tens of megabytes.
async fn template_download(
    s: &AppState,
    u: &User,
    cat: &Arc<Catalog>,
    p: &PeriodRow,
    units: &[UnitId],
    filename: &str,
) -> AppResult<Response> {
    let stored = s.app.stored_answers(&u.actor(), p.year, &p.kind, units).await?;
    let (cat, framework, year, units) = (cat.clone(), p.framework.clone(), p.year, units.to_vec());
    streamed(&s.data_dir, XLSX, filename, move |w| {
        let fw = cat.framework(&framework)?;
        let units: Vec<_> = units.iter().filter_map(|u| cat.registry.get(u)).collect();
        let value = |u: &UnitId, f: &str| stored.get(&(u.0.clone(), f.to_string())).cloned();
        template::write_filled_to(w, fw, year, &units, &value).map_err(xlsx_error)?;
        Ok(())
    })
    .await
}

/// An uploaded file with the form's token and its other fields (the administrator's
/// `on_behalf` and `reason`, bounded).
struct Upload {
    csrf: Option<String>,
    filename: String,
    bytes: Vec<u8>,
    on_behalf: bool,
    reason: String,
}

async fn read_upload(multipart: Multipart) -> AppResult<(Option<String>, String, Vec<u8>)> {
    let too_large = || AppError::new(StatusCode::PAYLOAD_TOO_LARGE, |t| t.error_too_large);
    let u = read_form(multipart, too_large).await?;
    Ok((u.csrf, u.filename, u.bytes))
}

/// The form's fields; `too_large`: the refusal of a body beyond the route's limit.
async fn read_form(mut multipart: Multipart, too_large: fn() -> AppError) -> AppResult<Upload> {
    let (mut csrf, mut file, mut on_behalf, mut reason) = (None, None, false, String::new());
    let bad = |e: axum::extract::multipart::MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        _ => AppError::bad_request(|t| t.bad_upload),
    };
    while let Some(part) = multipart.next_field().await.map_err(bad)? {
        match part.name().unwrap_or("") {
            "csrf" => csrf = part.text().await.ok(),
            "on_behalf" => on_behalf = part.text().await.is_ok_and(|v| !v.is_empty()),
            "reason" => reason = part.text().await.unwrap_or_default().chars().take(super::MAX_REASON + 1).collect(),
            "file" => {
                let name: String =
                    part.file_name().unwrap_or("so-lieu.xlsx").chars().filter(|c| !c.is_control()).take(200).collect();
                // The body's one buffer becomes the workbook's bytes without a copy (tens of
                // megabytes for an all-units workbook).
                file = Some((name, Vec::from(part.bytes().await.map_err(bad)?)));
            }
            _ => {}
        }
    }
    let (filename, bytes) = file.ok_or_else(|| AppError::bad_request(|t| t.no_file))?;
    Ok(Upload { csrf, filename, bytes, on_behalf, reason })
}

/// The page that lists every problem of a refused workbook; nothing was written.
/// A workbook refused for its figures: the page listing every problem, with a way back;
/// any other refusal is the ordinary error.
fn refusal(e: chiso_app::Error, lang: Lang, u: &User, back: &str, filename: &str) -> AppResult<Response> {
    let problems = e.problems(lang);
    if problems.is_empty() {
        return Err(e.into());
    }
    Ok(refused(lang, u, back, filename, &problems))
}

fn refused(lang: Lang, u: &User, back: &str, filename: &str, problems: &[String]) -> Response {
    let t = lang.t();
    let list: String = problems.iter().map(|m| format!("<li>{}</li>", esc(m))).collect();
    let body = format!(
        "<h1>{}</h1><div class=\"error\" role=\"alert\"><p>{}</p><ul>{list}</ul></div><p><a href=\"{}\">{}</a></p>",
        esc(&(t.refused_heading)(filename)),
        esc(&(t.refused_count)(problems.len())),
        esc(back),
        t.back
    );
    (StatusCode::UNPROCESSABLE_ENTITY, page(lang, t.excel_title, Some(u), &body)).into_response()
}

fn upload_form(lang: Lang, u: &User, action: &str, what: &str) -> String {
    upload_form_with(lang, u, action, what, "")
}

/// The upload form with more fields (already HTML) before its button.
fn upload_form_with(lang: Lang, u: &User, action: &str, what: &str, extra: &str) -> String {
    format!(
        "<form method=\"post\" enctype=\"multipart/form-data\" action=\"{}\">{}<label>{} (.xlsx) \
         <input type=\"file\" name=\"file\" accept=\".xlsx\" required></label>{extra}<button>{}</button></form>",
        esc(action),
        csrf_input(u),
        esc(what),
        lang.t().upload_and_check
    )
}

// ---- the reporter ----------------------------------------------------------------

/// `/nop/{year}/{kind}/{unit}/excel`: download the template, upload it filled in.
pub async fn unit_page(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Path((year, kind, unit)): Path<(String, String, String)>,
) -> AppResult<Html<String>> {
    let u = auth::require(user)?;
    let (p, cat) = load(&s, &year, &kind).await?;
    unit_of_kind(&cat, &p, &unit)?;
    if !u.can_read_unit(&unit) {
        return Err(AppError::forbidden());
    }
    let t = lang.t();
    let base = format!("/nop/{}/{}/{}", p.year, p.kind, unit);
    let mut b = format!(
        "<h1>{}</h1><p><a href=\"{}/mau-phieu.xlsx\">{}</a>{}</p>",
        esc(&(t.excel_heading)(&cat.unit_name(&unit), p.year)),
        esc(&base),
        t.download_template,
        t.template_hint
    );
    if u.can_write_unit(&unit) && p.status.accepts_work() {
        b += &upload_form(lang, &u, &format!("{base}/excel"), t.filled_template);
        b += &format!("<p class=\"muted\">{}</p>", t.draft_hint);
    }
    b += &format!("<p><a href=\"{}\">{}</a></p>", esc(&base), t.back_to_form);
    Ok(page(lang, t.excel_title, Some(&u), &b))
}

pub async fn unit_template(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind, unit)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let u = auth::require(user)?;
    let (p, cat) = load(&s, &year, &kind).await?;
    unit_of_kind(&cat, &p, &unit)?;
    if !u.can_read_unit(&unit) {
        return Err(AppError::forbidden());
    }
    let filename = format!("mau-phieu-{}-{}-{unit}.xlsx", p.year, p.kind);
    template_download(&s, &u, &cat, &p, &[UnitId(unit)], &filename).await
}

pub async fn unit_upload(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Path((year, kind, unit)): Path<(String, String, String)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let u = auth::require(user)?;
    let (csrf, filename, bytes) = read_upload(multipart).await?;
    auth::check_csrf(&u, csrf.as_deref())?;
    let key = chiso_domain::SubmissionKey::new(super::year(&year)?, &kind, &unit);
    let back = format!("/nop/{}/{}/{}/excel", key.year, kind, unit);
    let file = chiso_app::Workbook { filename: filename.clone(), bytes };
    if let Err(e) = s.app.import_unit_workbook(&u.actor(), &key, file).await {
        return refusal(e, lang, &u, &back, &filename);
    }
    Ok(Redirect::to(&crate::done::Done::Imported.after(&format!("/nop/{}/{}/{}", key.year, kind, unit)))
        .into_response())
}

// ---- the administrator -----------------------------------------------------------

/// `/quan-tri/ky/{year}/{kind}/excel`: templates of every unit, upload of many units,
/// exports of the figures and results.
pub async fn admin_page(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
    notice: crate::done::Notice,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin])?;
    let (p, _) = load(&s, &year, &kind).await?;
    let base = format!("/quan-tri/ky/{}/{}", p.year, p.kind);
    let link = esc(&base);
    let t = lang.t();
    let mut b = notice.html(lang);
    b += &format!(
        "<h1>{}</h1><ul>\
         <li><a href=\"{link}/mau-phieu.xlsx\">{}</a> {}</li>\
         <li><a href=\"{link}/xuat/xlsx\">{}</a></li>\
         <li><a href=\"{link}/xuat/csv\">{}</a></li></ul>",
        esc(&(t.admin_excel_heading)(&p.kind, p.year)),
        t.all_templates,
        t.sheet_per_unit,
        t.export_xlsx,
        t.export_csv
    );
    if p.status.accepts_work() {
        let on_behalf = format!(
            "<label><input type=\"checkbox\" name=\"on_behalf\" value=\"1\"> {}</label>\
             <label>{} <input name=\"reason\" maxlength=\"{}\"></label>",
            t.on_behalf_checkbox,
            t.on_behalf_reason,
            super::MAX_REASON
        );
        b += &upload_form_with(lang, &u, &format!("{base}/excel"), t.filled_templates, &on_behalf);
        b += &format!("<p class=\"muted\">{}</p>", t.draft_hint_admin);
    }
    Ok(page(lang, "Excel", Some(&u), &b))
}

pub async fn admin_template(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    let (p, cat) = load(&s, &year, &kind).await?;
    let mut units: Vec<_> = cat.registry.of_kind(&p.kind, p.year).collect();
    units.sort_by(|a, b| chiso_domain::collate::compare_vi(&a.name, &b.name));
    let ids: Vec<UnitId> = units.iter().map(|u| u.id.clone()).collect();
    template_download(&s, &u, &cat, &p, &ids, &format!("mau-phieu-{}-{}.xlsx", p.year, p.kind)).await
}

pub async fn admin_upload(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    // Beyond the route's body limit: the workbook limit, in its own words.
    let up = read_form(multipart, || chiso_app::workbook_too_large().into()).await?;
    auth::check_csrf(&u, up.csrf.as_deref())?;
    let year = super::year(&year)?;
    let back = format!("/quan-tri/ky/{year}/{kind}/excel");
    let file = chiso_app::Workbook { filename: up.filename.clone(), bytes: up.bytes };
    let on_behalf = up.on_behalf.then_some(up.reason.as_str());
    if let Err(e) = s.app.import_period_workbook(&u.actor(), year, &kind, file, on_behalf).await {
        return refusal(e, lang, &u, &back, &up.filename);
    }
    let done = if up.on_behalf { crate::done::Done::SubmittedOnBehalf } else { crate::done::Done::Imported };
    Ok(Redirect::to(&done.after(&back)).into_response())
}

/// The period's figures (as counted: submitted units), scores and results.
pub async fn admin_export(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind, format)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let u = auth::require(user)?;
    let (p, cat) = load(&s, &year, &kind).await?;
    if !matches!(format.as_str(), "xlsx" | "csv") {
        return Err(AppError::not_found());
    }
    let (_, scored) = s.app.scored(&u.actor(), p.year, &p.kind).await?;
    let name = format!("so-lieu-{}-{}", p.year, p.kind);
    // Thousands of rows take a while: off the async runtime, streamed from a temporary file.
    let (content_type, filename) = match format.as_str() {
        "xlsx" => (XLSX, format!("{name}.xlsx")),
        _ => ("text/csv; charset=utf-8", format!("{name}.csv")),
    };
    streamed(&s.data_dir, content_type, &filename, move |w| {
        let fw = cat.framework(&p.framework)?;
        // A row at a time: the national table is never held whole.
        let rows = export::table_rows(fw, &scored.period, &scored.results);
        if format == "xlsx" {
            export::xlsx_to(w, rows, &format!("{} {} {}", fw.name, p.kind, p.year)).map_err(xlsx_error)?;
            return Ok(());
        }
        written(w, b"\xEF\xBB\xBF")?; // Excel reads UTF-8 with its BOM
        export::csv_to(w, rows).map(drop).map_err(|e| failed("temporary file", e))
    })
    .await
}

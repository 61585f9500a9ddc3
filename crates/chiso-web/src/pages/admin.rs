//! The administrator: periods (open, deadline), users and roles, computing and publishing
//! results (a frozen, versioned snapshot with a reason), and the audit log.

pub use super::accounts::{add_user, create_user};
use super::{Fields, field};
use crate::AppState;
use crate::auth::{self, MaybeUser, User};
use crate::catalog::{self, Catalog};
use crate::error::{AppError, AppResult};
use crate::html::{csrf_input, esc, page};
use crate::i18n::Lang;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_domain::UnitId;
use chiso_store::{PeriodRow, Role};

pub async fn home(State(s): State<AppState>, lang: Lang, MaybeUser(user): MaybeUser) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin])?;
    let t = lang.t();
    let cat = Catalog::load(&s.store).await?;
    let csrf = csrf_input(&u);
    let mut b = format!(
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
    for p in s.store.periods().await? {
        let missing: Vec<String> = missing_units(&s, &cat, &p).await?.into_iter().map(|(_, name, _, _)| name).collect();
        let base = format!("/quan-tri/ky/{}/{}", p.year, esc(&p.kind));
        let missing_link = if missing.is_empty() {
            String::new()
        } else {
            format!("<br><a href=\"{base}/chua-nop.csv\">{}</a>", t.missing_csv)
        };
        b += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{missing_link}</td><td><a href=\"{base}/excel\">Excel</a> · <a href=\"{base}/xem-truoc\">{}</a></td></tr>",
            p.year,
            esc(&p.kind),
            esc(&p.framework),
            esc(p.deadline.as_deref().unwrap_or("")),
            esc(lang.period_status(p.status)),
            esc(&missing.join("; ")),
            t.compute_preview
        );
    }
    b += &format!(
        "</tbody></table><h2>{}</h2><form method=\"post\" action=\"/quan-tri/ky\">{csrf}\
         <label>{} <input name=\"year\" inputmode=\"numeric\" required></label><label>{} <select name=\"framework\">",
        t.open_period_heading, t.year, t.col_framework
    );
    for fw in &cat.frameworks {
        b += &format!("<option value=\"{}\">{} ({})</option>", esc(&fw.id), esc(&fw.name), esc(&fw.unit_kind));
    }
    b += &format!(
        "</select></label><label>{} <input name=\"deadline\" type=\"date\" required></label><button>{}</button></form>",
        t.col_deadline, t.open_button
    );
    b += &super::accounts::section(&s, lang, &u).await?;
    b += &format!(
        "<p><a href=\"/quan-tri/nhat-ky\">{}</a> · <a href=\"/quan-tri/danh-muc\">{}</a></p>",
        t.audit_link, t.catalogue_link
    );
    Ok(page(lang, t.admin_title, Some(&u), &b))
}

pub async fn create_period(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    open_period(&s, &u, &f).await?;
    Ok(Redirect::to("/quan-tri").into_response())
}

/// Opens a period (fields `year`, `framework`, `deadline`) for the framework's kind of unit.
pub async fn open_period(s: &AppState, u: &User, f: &Fields) -> AppResult<()> {
    let cat = Catalog::load(&s.store).await?;
    let year: i32 =
        field(f, "year").and_then(|y| y.trim().parse().ok()).ok_or_else(|| AppError::bad_request(|t| t.bad_year))?;
    let fw = cat.framework(field(f, "framework").unwrap_or(""))?;
    let deadline = chiso_domain::date::Date::parse(field(f, "deadline").unwrap_or("").trim())
        .ok_or_else(|| AppError::bad_request(|t| t.bad_deadline).code("invalid_date"))?;
    if deadline < super::submit::today() {
        return Err(AppError::bad_request(|t| t.deadline_in_past).code("deadline_passed"));
    }
    if year < fw.years.0 || fw.years.1.is_some_and(|t| year > t) {
        return Err(AppError::bad_request(|t| t.year_outside_framework));
    }
    let row = PeriodRow {
        year,
        kind: fw.unit_kind.clone(),
        framework: fw.id.clone(),
        deadline: Some(deadline.to_string()),
        status: chiso_domain::PeriodStatus::Open,
    };
    s.store.create_period(&row, &u.row.username).await?;
    Ok(())
}

/// Scores are computed by the engine, never typed: publishing freezes the computed results.
pub async fn publish(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let year = super::year(&year)?;
    publish_period(&s, &u, year, &kind, field(&f, "reason").unwrap_or("")).await?;
    Ok(Redirect::to(&format!("/ket-qua/{year}/{kind}")).into_response())
}

/// Computes the period's results with the engine and freezes them as the next published
/// version, with its reason. Returns the version.
pub async fn publish_period(s: &AppState, u: &User, year: i32, kind: &str, reason: &str) -> AppResult<i64> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::bad_request(|t| t.publish_reason_needed));
    }
    super::bounded(reason, super::MAX_REASON, |t| t.col_reason)?;
    s.store.period(year, kind).await?.ok_or_else(AppError::not_found)?;
    let cat = Catalog::load(&s.store).await?;
    let json = catalog::results_json(&s.store, &cat, year, kind).await?;
    let version = s.store.publish(year, kind, &json, reason, &u.row.username).await?;
    s.results.clear();
    s.reports.refresh(year);
    Ok(version)
}

pub async fn audit_log(State(s): State<AppState>, lang: Lang, MaybeUser(user): MaybeUser) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin, Role::Viewer])?;
    let t = lang.t();
    let chain = match s.store.verify_chain().await? {
        Ok(n) => format!("<p class=\"ok\">{}</p>", esc(&(t.chain_ok)(n))),
        Err(e) => format!("<p class=\"error\">{}</p>", esc(&(t.chain_broken)(e.seq, &e.problem))),
    };
    let mut b = format!("<h1>{}</h1>{chain}<div class=\"wrap\">{}", t.audit_heading, super::audit_head(t, true));
    let events = s.store.audit_events("").await?;
    for e in events.iter().rev().take(500) {
        let short = |v: &str| {
            if v.chars().count() > 80 {
                format!("{}…", v.chars().take(80).collect::<String>())
            } else {
                v.to_string()
            }
        };
        b += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.seq,
            esc(&e.at),
            esc(&e.actor),
            esc(&e.action),
            esc(&e.entity),
            esc(&short(&e.old_value)),
            esc(&short(&e.new_value)),
            esc(&e.reason)
        );
    }
    b += "</tbody></table></div>";
    Ok(page(lang, t.audit_title, Some(&u), &b))
}

/// A period's units without a submitted report (no answers, or a draft), in Vietnamese order,
/// each with its submission status (`none` or `draft`) and its deadline (an extension wins).
pub async fn missing_units(
    s: &AppState,
    cat: &Catalog,
    p: &PeriodRow,
) -> AppResult<Vec<(UnitId, String, &'static str, String)>> {
    let submissions = s.store.submissions(p.year, &p.kind).await?;
    let status = |unit: &str| match submissions.iter().find(|x| x.unit == unit) {
        None => Some("none"),
        Some(x) if x.status.editable() => Some(x.status.as_str()),
        Some(_) => None,
    };
    let mut units: Vec<_> = cat.registry.of_kind(&p.kind, p.year).filter(|u| status(&u.id.0).is_some()).collect();
    units.sort_by(|a, b| chiso_domain::collate::compare_vi(&a.name, &b.name));
    let mut out = Vec::new();
    for u in units {
        let exception = s.store.document(&format!("exception/{}/{}/{}", p.year, p.kind, u.id.0)).await?;
        let deadline = exception.or_else(|| p.deadline.clone()).unwrap_or_default();
        out.push((u.id.clone(), u.name.clone(), status(&u.id.0).unwrap_or("none"), deadline));
    }
    Ok(out)
}

/// `/quan-tri/ky/{year}/{kind}/chua-nop.csv`: the units of a period that have not submitted,
/// for the follow-up letters (they end up "no data → not ranked" unless granted an exception).
pub async fn missing_csv(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
) -> AppResult<Response> {
    auth::require_role(user, &[Role::Admin, Role::Assessor, Role::Viewer])?;
    let year = super::year(&year)?;
    let p = s.store.period(year, &kind).await?.ok_or_else(AppError::not_found)?;
    let cat = Catalog::load(&s.store).await?;
    let mut out = String::from("\u{FEFF}unit,name,status,deadline\n");
    for (id, name, status, deadline) in missing_units(&s, &cat, &p).await? {
        out += &chiso_data::csv_safe::line(&[&id.0, &name, status, &deadline]);
    }
    let name = format!(
        "attachment; filename=\"chua-nop-{}-{}.csv\"",
        p.year,
        p.kind.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], out)
        .into_response())
}

/// `/quan-tri/ky/{year}/{kind}/xem-truoc`: the engine's results from the counted submissions
/// as they stand, not public; the administrator approves them by publishing with a reason.
pub async fn preview(
    State(s): State<AppState>,
    lang: Lang,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin, Role::Viewer])?;
    let t = lang.t();
    let year = super::year(&year)?;
    let p = s.store.period(year, &kind).await?.ok_or_else(AppError::not_found)?;
    let cat = Catalog::load(&s.store).await?;
    let fw = cat.framework(&p.framework)?;
    let json = catalog::results_json(&s.store, &cat, year, &kind).await?;
    let v: serde_json::Value = serde_json::from_str(&json).map_err(|_| AppError::not_found())?;
    let rows: Vec<&serde_json::Value> = v["results"].as_array().into_iter().flatten().collect();
    let published = s.store.latest_snapshot(year, &kind).await?;
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
        b += &format!(
            "<form method=\"post\" action=\"/quan-tri/ky/{year}/{}/cong-bo\">{}<label>{} <input name=\"reason\" required></label>\
             <button>{}</button></form>",
            esc(&kind),
            csrf_input(&u),
            t.reason,
            t.publish_button
        );
    }
    b += &super::public::ranking_table(lang, &cat, fw, &kind, year, &rows);
    let all: Vec<serde_json::Value> = rows.into_iter().cloned().collect();
    b += &super::public::charts(lang, fw, year, &all);
    Ok(page(lang, t.admin_title, Some(&u), &b))
}

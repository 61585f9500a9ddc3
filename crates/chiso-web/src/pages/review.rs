//! The assessor's review: each criterion with the unit's value and evidence side by
//! side, a verified value that needs a reason, questions back to the unit, verification.

use super::{Fields, field};
use crate::AppState;
use crate::auth::{self, MaybeUser, User};
use crate::catalog::Catalog;
use crate::error::{AppError, AppResult};
use crate::html::{csrf_input, esc, page};
use crate::i18n::Lang;
use crate::pages::submit::leaf_fields;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_data::import;

/// Why an adjustment was refused, told in the reader's language.
enum Problem {
    NoReason(String),
    Value(String, chiso_data::ErrorKind),
}
use chiso_store::Role;

pub async fn form(
    State(s): State<AppState>,
    lang: Lang,
    MaybeUser(user): MaybeUser,
    Path((year, kind, unit)): Path<(String, String, String)>,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Assessor, Role::Admin, Role::Viewer])?;
    let year = super::year(&year)?;
    let p = s.store.period(year, &kind).await?.ok_or_else(AppError::not_found)?;
    let cat = Catalog::load(&s.store).await?;
    let fw = cat.framework(&p.framework)?;
    let sub = s.store.submission(year, &kind, &unit).await?.ok_or_else(AppError::not_found)?;
    let answers = s.store.answers(year, &kind, &unit).await?;
    let evidence = s.store.evidence(year, &kind, &unit).await?;
    let comments = s.store.comments(year, &kind, &unit).await?;
    let can = u.is(Role::Assessor) && sub.status.reviewable();
    let t = lang.t();
    let mut b = format!(
        "<h1>{}</h1><p>{}: <strong>{}</strong></p><form method=\"post\" action=\"/tham-dinh/{year}/{}/{}\">{}\
         <div class=\"wrap\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(&(t.review_heading)(&cat.unit_name(&unit), year)),
        t.status_label,
        esc(lang.status(sub.status)),
        esc(&kind),
        esc(&unit),
        csrf_input(&u),
        t.col_criterion,
        t.col_self_assessed,
        t.evidence,
        t.verified_value,
        t.col_adjust_reason
    );
    for (i, c) in fw.leaves() {
        let ev: String = evidence
            .iter()
            .filter(|e| e.criterion == c.id.0)
            .map(|e| format!("<a href=\"/minh-chung/{}\">{}</a><br>", e.id, esc(&e.filename)))
            .collect();
        for f in leaf_fields(fw, i) {
            let a = answers.iter().find(|a| a.field == f);
            let ro = if can { "" } else { " readonly" };
            b += &format!(
                "<tr><td>{} <span class=\"muted\">({})</span></td><td>{}{}</td><td>{ev}</td>\
                 <td><input name=\"verified.{f}\" value=\"{}\" aria-label=\"{} {f}\"{ro}></td>\
                 <td><input name=\"reason.{f}\" aria-label=\"{} {f}\"{ro}></td></tr>",
                esc(&c.name),
                esc(&f),
                esc(a.map_or("", |a| a.value.as_str())),
                a.filter(|a| !a.note.is_empty()).map(|a| format!("<br><em>{}</em>", esc(&a.note))).unwrap_or_default(),
                esc(a.and_then(|a| a.verified.as_deref()).unwrap_or("")),
                t.verified_value,
                t.reason,
                f = esc(&f),
            );
        }
    }
    b += "</tbody></table></div>";
    if can {
        b += &format!(
            "<button name=\"action\" value=\"adjust\">{}</button> <button name=\"action\" value=\"verify\">{}</button>\
             <h2>{}</h2><label>{} <select name=\"criterion\">",
            t.save_adjustments, t.confirm_verified, t.ask_heading, t.col_criterion
        );
        for (_, c) in fw.leaves() {
            b += &format!("<option value=\"{}\">{}</option>", esc(&c.id.0), esc(&c.name));
        }
        b += &format!(
            "</select></label><label>{} <textarea name=\"question\"></textarea></label><button name=\"action\" value=\"ask\">{}</button>",
            t.question, t.ask_button
        );
    }
    b += &format!("</form><h2>{}</h2><ul>", t.conversation_heading);
    for m in &comments {
        b += &format!(
            "<li><strong>{}</strong> · {} · {}: {}</li>",
            esc(&m.author),
            esc(&m.at),
            esc(&m.criterion),
            esc(&m.body)
        );
    }
    b += "</ul>";
    Ok(page(lang, t.review_title, Some(&u), &b))
}

pub async fn save(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind, unit)): Path<(String, String, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Assessor])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    act(&s, &u, &year, &kind, &unit, &f).await?;
    Ok(Redirect::to(&format!("/tham-dinh/{year}/{kind}/{unit}")).into_response())
}

/// One review action on a submitted report: `adjust` (verified values, each with a reason),
/// `ask` (a question that returns the report to the unit) or `verify`.
pub async fn act(s: &AppState, u: &User, year: &str, kind: &str, unit: &str, f: &Fields) -> AppResult<()> {
    let (kind, unit) = (kind.to_string(), unit.to_string());
    let year = super::year(year)?;
    let p = s.store.period(year, &kind).await?.ok_or_else(AppError::not_found)?;
    let cat = Catalog::load(&s.store).await?;
    let fw = cat.framework(&p.framework)?;
    let sub = s.store.submission(year, &kind, &unit).await?.ok_or_else(AppError::not_found)?;
    if !sub.status.reviewable() {
        return Err(AppError::conflict(|t| t.only_submitted));
    }
    match field(f, "action") {
        Some("adjust") => {
            let answers = s.store.answers(year, &kind, &unit).await?;
            let mut changes = Vec::new();
            let mut problems = Vec::new();
            for a in &answers {
                let Some(v) = field(f, &format!("verified.{}", a.field)).map(str::trim) else { continue };
                let new = if v.is_empty() || v == a.value { None } else { Some(v.to_string()) };
                if new == a.verified {
                    continue;
                }
                let reason = field(f, &format!("reason.{}", a.field)).unwrap_or("").trim().to_string();
                super::bounded(&reason, super::MAX_REASON, |t| t.col_reason)?;
                if reason.is_empty() {
                    problems.push(Problem::NoReason(a.field.clone()));
                }
                if let Some(v) = &new {
                    for (k, e) in import::check_fields(fw, &[(a.field.clone(), v.clone())]) {
                        problems.push(Problem::Value(k, e));
                    }
                }
                changes.push((a.field.clone(), new, reason));
            }
            if !problems.is_empty() {
                return Err(AppError::with(StatusCode::UNPROCESSABLE_ENTITY, move |l| {
                    let list: Vec<String> = problems
                        .iter()
                        .map(|p| match p {
                            Problem::NoReason(f) => (l.t().reason_needed)(f),
                            Problem::Value(k, e) => format!("{k}: {}", l.data().kind(e)),
                        })
                        .collect();
                    (l.t().not_saved_because)(&list.join("; "))
                }));
            }
            for (field, new, reason) in changes {
                s.store.verify_answer(year, &kind, &unit, &field, new.as_deref(), &u.row.username, &reason).await?;
            }
            Ok(())
        }
        Some("ask") => {
            let q = field(f, "question").unwrap_or("").trim();
            let c = field(f, "criterion")
                .filter(|c| fw.index_of(c).is_some())
                .ok_or_else(|| AppError::bad_request(|t| t.bad_criterion))?;
            if q.is_empty() {
                return Err(AppError::bad_request(|t| t.empty_question));
            }
            super::bounded(q, super::MAX_MESSAGE, |t| t.question)?;
            s.store.add_comment(year, &kind, &unit, c, &u.row.username, q).await?;
            s.store
                .transition(
                    &chiso_domain::SubmissionKey::new(year, &kind, &unit),
                    chiso_domain::Transition::Return,
                    &u.row.username,
                    q,
                )
                .await?;
            Ok(())
        }
        Some("verify") => {
            s.store
                .transition(
                    &chiso_domain::SubmissionKey::new(year, &kind, &unit),
                    chiso_domain::Transition::Verify,
                    &u.row.username,
                    "Đã thẩm định",
                )
                .await?;
            Ok(())
        }
        _ => Err(AppError::bad_request(|t| t.bad_action)),
    }
}

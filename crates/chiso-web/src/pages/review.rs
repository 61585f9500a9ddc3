//! The assessor's review: each criterion with the unit's value and evidence side by
//! side, a verified value that needs a reason, questions back to the unit, verification.

use super::views::Draft;
use super::{Fields, field};
use crate::AppState;
use crate::auth::{self, MaybeUser, User};
use crate::done::{Done, Notice};
use crate::error::{AppError, AppResult};
use crate::html::{csrf_input, esc, page};
use crate::i18n::{Lang, Reader, Texts};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_app::leaf_fields;

use chiso_store::Role;

pub async fn form(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    notice: Notice,
    Path((year, kind, unit)): Path<(String, String, String)>,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Assessor, Role::Admin, Role::Viewer])?;
    let key = chiso_domain::SubmissionKey::new(super::year(&year)?, &kind, &unit);
    let draft = match notice.0 {
        Some(Done::Adjusted | Done::Asked | Done::Verified) => Draft::Saved,
        _ => Draft::Stored,
    };
    let body = render(&s, lang, &u, &key, notice.html(lang), None, draft).await?;
    Ok(page(lang, lang.t().review_title, Some(&u), &body))
}

/// The review page: above it `top` (a notice, or what was refused), and in its inputs what
/// the assessor typed (`typed`, after a refusal) or what is stored.
async fn render(
    s: &AppState,
    lang: Lang,
    u: &User,
    key: &chiso_domain::SubmissionKey,
    top: String,
    typed: Option<&Fields>,
    draft: Draft,
) -> AppResult<String> {
    let (year, kind, unit) = (key.year, key.kind.clone(), key.unit().to_string());
    let sub = s.app.submission(&u.actor(), key).await?;
    let cat = s.app.catalog().await?;
    let fw = cat.framework(&sub.period.framework)?;
    let (answers, evidence) = (&sub.answers, &sub.evidence);
    let can = u.is(Role::Assessor) && sub.status.reviewable();
    let t = lang.t();
    let mut b = top;
    let action = format!("/tham-dinh/{year}/{kind}/{unit}");
    // The unit as counted now: its total, level and place, with the verified values.
    let (_, scored) = s.app.scored(&u.actor(), year, &kind).await?;
    let standing = match scored.results.units.iter().find(|r| r.unit.0 == unit && r.total.is_some()) {
        Some(r) => {
            let rounding = fw.total_rounding();
            let number = |d| lang.decimal_text(&chiso_domain::number::format_fixed(d, rounding.decimals, '.'));
            (t.review_standing)(
                &number(r.total.unwrap_or_default()),
                &number(fw.total_max()),
                r.level.as_deref().unwrap_or(t.below_levels),
                r.rank,
            )
        }
        None => t.review_not_counted.to_string(),
    };
    b += &format!(
        "<h1>{}</h1><p>{}: <strong>{}</strong></p><p id=\"ket-qua-tam-tinh\">{}</p><form method=\"post\" action=\"{}\"{}>{}\
         <div class=\"wrap\" tabindex=\"0\"><table class=\"review\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(&(t.review_heading)(&cat.unit_name(&unit), year)),
        t.status_label,
        esc(lang.status(sub.status)),
        esc(&standing),
        esc(&action),
        super::views::draft_attrs(lang, u, &action, draft, can),
        csrf_input(u),
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
            // After a refusal, what was typed; else what is stored.
            let verified = match typed {
                Some(t) => field(t, &format!("verified.{f}")).unwrap_or("").to_string(),
                None => a.and_then(|a| a.verified.as_deref()).map(|v| lang.decimal_text(v)).unwrap_or_default(),
            };
            let reason = typed.and_then(|t| field(t, &format!("reason.{f}"))).unwrap_or("");
            // The field in words: the criterion, and which part of a ratio (never its id).
            let part = if f.ends_with(".numerator") {
                Some(t.numerator.to_lowercase())
            } else if f.ends_with(".denominator") {
                Some(t.denominator.to_lowercase())
            } else {
                None
            };
            let name = c.name_in(lang);
            let label = part.as_ref().map_or_else(|| name.to_string(), |p| format!("{name} ({p})"));
            b += &format!(
                "<tr><td>{}{} <span class=\"muted\">({})</span></td><td>{}{}</td><td>{ev}</td>\
                 <td><input name=\"verified.{f}\" value=\"{}\" aria-label=\"{} – {label}\"{ro}></td>\
                 <td><input name=\"reason.{f}\" value=\"{}\" aria-label=\"{} – {label}\"{ro}></td></tr>",
                esc(name),
                part.map(|p| format!(" <span class=\"muted\">({})</span>", esc(&p))).unwrap_or_default(),
                esc(&(t.max)(&lang.decimal_text(&c.max.normalize().to_string()))),
                esc(&a.map_or(String::new(), |a| lang.decimal_text(&a.value))),
                a.filter(|a| !a.note.is_empty()).map(|a| format!("<br><em>{}</em>", esc(&a.note))).unwrap_or_default(),
                esc(&verified),
                t.verified_value,
                esc(reason),
                t.reason,
                f = esc(&f),
                label = esc(&label),
            );
        }
    }
    b += "</tbody></table></div>";
    if can {
        b += &format!(
            "<button name=\"action\" value=\"adjust\">{}</button> <button name=\"action\" value=\"verify\" data-confirm=\"{}\">{}</button>\
             <h2>{}</h2><label>{} <select name=\"criterion\">",
            t.save_adjustments,
            esc(t.ask_verify),
            t.confirm_verified,
            t.ask_heading,
            t.col_criterion
        );
        for (_, c) in fw.leaves() {
            b += &format!("<option value=\"{}\">{}</option>", esc(&c.id.0), esc(&c.name));
        }
        b += &format!(
            "</select></label><label>{} <textarea name=\"question\"></textarea></label><button name=\"action\" value=\"ask\">{}</button>",
            t.question, t.ask_button
        );
    }
    b += &format!("</form><h2>{}</h2>", t.conversation_heading);
    // One thread per criterion, as the unit sees it on its form.
    let mut any = false;
    for (_, c) in fw.leaves() {
        let thread = super::views::thread(lang, fw, sub.thread(&c.id.0));
        if !thread.is_empty() {
            any = true;
            b += &format!("<h3>{}</h3>{thread}", esc(&c.name));
        }
    }
    if !any {
        b += &format!("<p class=\"muted\">{}</p>", t.thread_none);
    }
    Ok(b)
}

pub async fn save(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Path((year, kind, unit)): Path<(String, String, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Assessor])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let key = chiso_domain::SubmissionKey::new(super::year(&year)?, &kind, &unit);
    let action = action(&f)?;
    let done = match action {
        chiso_app::ReviewAction::Adjust(_) => Done::Adjusted,
        chiso_app::ReviewAction::Ask { .. } => Done::Asked,
        chiso_app::ReviewAction::Verify => Done::Verified,
    };
    match s.app.review(&u.actor(), &key, action).await {
        Ok(_) => Ok(Redirect::to(&done.after(&format!("/tham-dinh/{year}/{kind}/{unit}"))).into_response()),
        // Refused values or reasons: the page again, with what was typed and every problem.
        Err(e) if matches!(e.kind, chiso_app::Kind::Unprocessable | chiso_app::Kind::Invalid) => {
            let top = super::views::refusal(lang, None, &e);
            let body = render(&s, lang, &u, &key, top, Some(&f), Draft::Refused).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(lang, lang.t().review_title, Some(&u), &body)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A review form's action: `adjust` (fields `verified.{field}` and `reason.{field}`),
/// `ask` (`criterion`, `question`) or `verify`.
fn action(f: &Fields) -> AppResult<chiso_app::ReviewAction> {
    use chiso_app::{Adjustment, ReviewAction};
    Ok(match field(f, "action") {
        Some("adjust") => ReviewAction::Adjust(
            f.iter()
                .filter_map(|(k, v)| {
                    let name = k.strip_prefix("verified.")?;
                    let reason = field(f, &format!("reason.{name}")).unwrap_or("").to_string();
                    Some(Adjustment { field: name.to_string(), value: Some(v.clone()), reason })
                })
                .collect(),
        ),
        Some("ask") => ReviewAction::Ask {
            criterion: field(f, "criterion").unwrap_or("").into(),
            question: field(f, "question").unwrap_or("").into(),
        },
        Some("verify") => ReviewAction::Verify,
        _ => return Err(AppError::bad_request(|t| t.bad_action)),
    })
}

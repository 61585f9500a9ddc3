//! The platform's background work for the administrator: the report files being made per
//! year (DOCX, XLSX and HTML at publication, the outlooks and the PDF by the worker), queued,
//! running, done or failed, with their times and why one failed. A page and its JSON.

use crate::AppState;
use crate::auth::{self, MaybeUser};
use crate::error::AppResult;
use crate::html::{esc, page};
use crate::i18n::{Lang, Reader, Texts};
use axum::Json;
use axum::extract::State;
use axum::response::Html;
use chiso_app::work_state::{Job, State as JobState, Work};
use chiso_store::Role;
use serde_json::{Value, json};

fn work_name(lang: Lang, w: Work) -> &'static str {
    let t = lang.t();
    match w {
        Work::Files => t.bg_files,
        Work::Outlooks => t.bg_outlooks,
        Work::Pdf => t.bg_pdf,
    }
}

fn state_name(lang: Lang, s: &JobState) -> &'static str {
    let t = lang.t();
    match s {
        JobState::Queued => t.bg_queued,
        JobState::Running => t.bg_running,
        JobState::Done => t.bg_done,
        JobState::Failed(_) => t.bg_failed,
    }
}

/// `/quan-tri/cong-viec-nen`
pub async fn page_handler(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin])?;
    let t = lang.t();
    let jobs = s.app.background_work(&u.actor())?;
    let mut b = format!("<h1>{}</h1><p class=\"muted\">{}</p>", t.bg_heading, t.bg_intro);
    if jobs.is_empty() {
        b += &format!("<p>{}</p>", t.bg_none);
    } else {
        b += &format!(
            "<div class=\"wrap\" tabindex=\"0\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            t.year, t.bg_what, t.col_status, t.bg_queued_at, t.bg_started, t.bg_finished, t.bg_error
        );
        for j in &jobs {
            let time = |at: &Option<String>| at.as_deref().map_or(String::new(), |a| lang.time(a));
            let error = match &j.state {
                JobState::Failed(e) => e.as_str(),
                _ => "",
            };
            let class = if matches!(j.state, JobState::Failed(_)) { " class=\"error\"" } else { "" };
            b += &format!(
                "<tr><td>{}</td><td>{}</td><td{class}>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                j.year,
                esc(work_name(lang, j.work)),
                esc(state_name(lang, &j.state)),
                esc(&time(&j.queued_at)),
                esc(&time(&j.started_at)),
                esc(&time(&j.finished_at)),
                esc(error)
            );
        }
        b += "</tbody></table></div>";
    }
    Ok(page(lang, t.bg_heading, Some(&u), &b))
}

fn job_json(j: &Job) -> Value {
    let error = match &j.state {
        JobState::Failed(e) => Some(e.clone()),
        _ => None,
    };
    json!({ "year": j.year, "work": j.work.code(), "state": j.state.code(), "queued_at": j.queued_at,
            "started_at": j.started_at, "finished_at": j.finished_at, "error": error })
}

/// `GET /api/v1/work`: the same, for the administrators.
pub async fn api(State(s): State<AppState>, MaybeUser(user): MaybeUser) -> AppResult<Json<Value>> {
    let u = auth::require(user)?;
    let jobs = s.app.background_work(&u.actor())?;
    Ok(Json(json!({ "jobs": jobs.iter().map(job_json).collect::<Vec<_>>() })))
}

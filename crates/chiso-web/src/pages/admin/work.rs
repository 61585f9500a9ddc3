//! The platform's background work for the administrator: the report files being made per
//! year (DOCX, XLSX and HTML at publication, the outlooks and the PDF by the worker), queued,
//! running, done or failed, with their times and why one failed, and how far a running one
//! got (its step, done of total, the time so far; the PDF's pages). A page and its JSON.

use crate::AppState;
use crate::auth::{self, MaybeUser};
use crate::error::AppResult;
use crate::html::{esc, page};
use crate::i18n::{Lang, Reader, Texts};
use axum::Json;
use axum::extract::State;
use axum::response::Html;
use chiso_app::work_state::{self, Job, State as JobState, Step, Work};
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

fn step_name(lang: Lang, s: Step) -> &'static str {
    let t = lang.t();
    match s {
        Step::Document => t.bg_step_document,
        Step::Render => t.bg_step_render,
        Step::Store => t.bg_step_store,
        Step::Draws => t.bg_step_draws,
        Step::Convert => t.bg_step_convert,
    }
}

/// "lượt mô phỏng 5000/10000 (50 %)", "lưu tệp 2/4", "LibreOffice đang chuyển sang PDF"; the
/// pages once a PDF is made.
fn progress_text(lang: Lang, j: &Job) -> String {
    let mut out = match j.progress {
        Some(p) if p.total > 0 => {
            let percent = p.done.min(p.total) * 100 / p.total;
            format!("{} {}/{} ({percent} %)", step_name(lang, p.step), p.done, p.total)
        }
        Some(p) => step_name(lang, p.step).to_string(),
        None => String::new(),
    };
    if let Some(n) = j.pages {
        out = format!("{out}; {n} {}", lang.t().bg_pages).trim_start_matches("; ").to_string();
    }
    out
}

fn state_name(lang: Lang, s: &JobState) -> &'static str {
    let t = lang.t();
    match s {
        JobState::Queued => t.bg_queued,
        JobState::Running => t.bg_running,
        JobState::Done => t.bg_done,
        JobState::Failed(_) => t.bg_failed,
        JobState::Interrupted => t.bg_interrupted,
    }
}

/// How often the page loads itself again while work goes on.
const REFRESH_SECONDS: u32 = 5;

/// `/quan-tri/cong-viec-nen`
pub async fn page_handler(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin])?;
    let t = lang.t();
    let jobs = s.app.background_work(&u.actor()).await?;
    let mut b = format!("<h1>{}</h1><p class=\"muted\">{}</p>", t.bg_heading, t.bg_intro);
    if jobs.is_empty() {
        b += &format!("<p>{}</p>", t.bg_none);
    } else {
        // While something is queued or running, the page loads itself again (chiso.js).
        let going_on = jobs.iter().any(|j| matches!(j.state, JobState::Queued | JobState::Running));
        let (attr, note) = if going_on {
            let note = (t.bg_refreshing)(REFRESH_SECONDS);
            (format!(" data-refresh=\"{REFRESH_SECONDS}\""), format!(" <span class=\"muted\">{}</span>", esc(&note)))
        } else {
            (String::new(), String::new())
        };
        b += &format!(
            "<p{attr}><a href=\"/quan-tri/cong-viec-nen\">{}</a>{note}</p><div class=\"wrap\" tabindex=\"0\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            t.bg_refresh,
            t.year,
            t.bg_what,
            t.col_status,
            t.bg_progress,
            t.bg_elapsed,
            t.bg_queued_at,
            t.bg_started,
            t.bg_finished,
            t.bg_server,
            t.bg_error
        );
        for j in &jobs {
            let time = |at: &Option<String>| at.as_deref().map_or(String::new(), |a| lang.time(a));
            let error = match &j.state {
                JobState::Failed(e) => e.as_str(),
                JobState::Interrupted => t.bg_interrupted_why,
                _ => "",
            };
            let class =
                if matches!(j.state, JobState::Failed(_) | JobState::Interrupted) { " class=\"error\"" } else { "" };
            let elapsed = j.elapsed().map_or(String::new(), |d| format!("{} {}", d.as_secs(), t.bg_seconds));
            b += &format!(
                "<tr><td>{}</td><td>{}</td><td{class}>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                j.year,
                esc(work_name(lang, j.work)),
                esc(state_name(lang, &j.state)),
                esc(&progress_text(lang, j)),
                esc(&elapsed),
                esc(&time(&j.queued_at)),
                esc(&time(&j.started_at)),
                esc(&time(&j.finished_at)),
                esc(&j.server),
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
    let progress = j.progress.map(|p| json!({ "step": p.step.code(), "done": p.done, "total": p.total }));
    json!({ "server": j.server, "year": j.year, "work": j.work.code(), "state": j.state.code(), "queued_at": j.queued_at,
            "started_at": j.started_at, "finished_at": j.finished_at, "error": error, "progress": progress,
            "elapsed_ms": j.elapsed().map(|d| d.as_millis() as u64), "pages": j.pages })
}

/// `GET /api/v1/work`: the same, for the administrators, with the name of the server answering.
pub async fn api(State(s): State<AppState>, MaybeUser(user): MaybeUser) -> AppResult<Json<Value>> {
    let u = auth::require(user)?;
    let jobs = s.app.background_work(&u.actor()).await?;
    Ok(Json(json!({ "server": work_state::server_name(), "jobs": jobs.iter().map(job_json).collect::<Vec<_>>() })))
}

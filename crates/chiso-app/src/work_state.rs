//! The state of the platform's background work, for the administrator: each report file
//! being made for a year (the DOCX, XLSX and HTML at publication, the outlooks and the PDF
//! by the worker), queued, running, done or failed, with its times and, if it failed, why.
//! The report worker (`reports.rs`) says when a job is queued, starts and ends; this keeps
//! the jobs waiting or running and the last [`KEPT`] finished ones, in this process (each
//! server of several shows its own worker's work).

use crate::{Actor, App, Result};
use chiso_store::{Role, now_utc};
use std::sync::Mutex;

/// Finished jobs kept.
pub const KEPT: usize = 50;

/// What a job makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Work {
    /// The year's DOCX, XLSX and HTML (at publication, or on the first download after a change).
    Files,
    /// The outlooks after a publication (stability, next level, why ranks moved).
    Outlooks,
    /// The PDF of the year's DOCX (LibreOffice).
    Pdf,
}

impl Work {
    /// A stable code for the JSON API.
    pub fn code(self) -> &'static str {
        match self {
            Work::Files => "files",
            Work::Outlooks => "outlooks",
            Work::Pdf => "pdf",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Queued,
    Running,
    Done,
    Failed(String),
}

impl State {
    pub fn code(&self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Running => "running",
            State::Done => "done",
            State::Failed(_) => "failed",
        }
    }
}

/// One piece of background work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub year: i32,
    pub work: Work,
    pub state: State,
    /// UTC times (`YYYY-MM-DDTHH:MM:SSZ`).
    pub queued_at: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

static JOBS: Mutex<Vec<Job>> = Mutex::new(Vec::new());

fn jobs() -> std::sync::MutexGuard<'static, Vec<Job>> {
    // A panic while holding it leaves a list of jobs, still readable.
    JOBS.lock().unwrap_or_else(|p| p.into_inner())
}

/// The worker was asked for `work` of `year`.
pub fn queued(year: i32, work: Work) {
    let mut jobs = jobs();
    let open = jobs.iter().any(|j| j.year == year && j.work == work && j.state == State::Queued);
    if !open {
        let at = Some(now_utc());
        jobs.push(Job { year, work, state: State::Queued, queued_at: at, started_at: None, finished_at: None });
    }
}

/// `work` of `year` starts; the job ends when [`Running::end`] is called (or, if never, as
/// failed when dropped).
pub fn start(year: i32, work: Work) -> Running {
    let mut jobs = jobs();
    let now = now_utc();
    match jobs.iter_mut().find(|j| j.year == year && j.work == work && j.state == State::Queued) {
        Some(j) => {
            j.state = State::Running;
            j.started_at = Some(now);
        }
        None => jobs.push(Job {
            year,
            work,
            state: State::Running,
            queued_at: None,
            started_at: Some(now),
            finished_at: None,
        }),
    }
    Running { year, work, ended: false }
}

/// A job running; ends it once.
#[must_use]
pub struct Running {
    year: i32,
    work: Work,
    ended: bool,
}

impl Running {
    /// The job is done, or failed with `error`.
    pub fn end(mut self, error: Option<String>) {
        self.finish(error);
    }

    /// Nothing was there to do: the job leaves the list.
    pub fn cancel(mut self) {
        self.ended = true;
        let mut jobs = jobs();
        if let Some(i) =
            jobs.iter().rposition(|j| j.year == self.year && j.work == self.work && j.state == State::Running)
        {
            jobs.remove(i);
        }
    }

    fn finish(&mut self, error: Option<String>) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        let mut jobs = jobs();
        if let Some(j) =
            jobs.iter_mut().rev().find(|j| j.year == self.year && j.work == self.work && j.state == State::Running)
        {
            j.state = error.map_or(State::Done, State::Failed);
            j.finished_at = Some(now_utc());
        }
        // Only the last finished ones are kept.
        let finished = jobs.iter().filter(|j| matches!(j.state, State::Done | State::Failed(_))).count();
        let mut extra = finished.saturating_sub(KEPT);
        jobs.retain(|j| {
            let drop = extra > 0 && matches!(j.state, State::Done | State::Failed(_));
            extra -= usize::from(drop);
            !drop
        });
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.finish(Some("stopped before it ended".into()));
    }
}

impl App {
    /// The platform's background work, newest first, for the administrators.
    pub fn background_work(&self, actor: &Actor) -> Result<Vec<Job>> {
        actor.require(&[Role::Admin])?;
        let mut list = jobs().clone();
        list.reverse();
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_goes_from_queued_to_done_or_failed_and_old_ones_are_forgotten() {
        let year = -7001; // a year no other test uses: the list is the process's
        queued(year, Work::Pdf);
        queued(year, Work::Pdf);
        let mine = || jobs().iter().filter(|j| j.year == year).cloned().collect::<Vec<_>>();
        assert_eq!(mine().len(), 1, "queued once");
        assert_eq!(mine()[0].state, State::Queued);
        let run = start(year, Work::Pdf);
        assert_eq!(mine()[0].state, State::Running);
        assert!(mine()[0].started_at.is_some() && mine()[0].queued_at.is_some());
        run.end(Some("soffice: timed out".into()));
        assert_eq!(mine()[0].state, State::Failed("soffice: timed out".into()));
        assert!(mine()[0].finished_at.is_some());
        start(year, Work::Outlooks).end(None);
        assert_eq!(mine()[1].state, State::Done);
        {
            let _dropped = start(year, Work::Files);
        }
        assert!(matches!(mine()[2].state, State::Failed(_)), "a job dropped without an end failed");
        start(year, Work::Files).cancel();
        assert_eq!(mine().len(), 3, "nothing to do: not listed");
        for _ in 0..KEPT + 5 {
            start(year - 1, Work::Files).end(None);
        }
        let finished = jobs().iter().filter(|j| matches!(j.state, State::Done | State::Failed(_))).count();
        assert!(finished <= KEPT, "{finished}");
    }
}

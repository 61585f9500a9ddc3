//! The state of the platform's background work, for the administrator: each report file
//! being made for a year (the DOCX, XLSX and HTML at publication, the outlooks and the PDF
//! by the worker), queued, running, done or failed, with its times and, if it failed, why.
//! The report worker (`reports.rs`) says when a job is queued, starts and ends; this keeps
//! the jobs waiting or running and the last [`KEPT`] finished ones, in this process (each
//! server of several shows its own worker's work). A running job tells how far it got
//! through a [`Reporter`] (its step, done of total, e.g. the analysis's draws or the files
//! stored), and the page shows it with the time the job has taken; reading it takes a lock
//! on this short list, never waiting for the work.

use crate::{Actor, App, Result};
use chiso_store::{Role, now_utc};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// What a running job is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Building the document from the published results.
    Document,
    /// Writing the DOCX, XLSX and HTML.
    Render,
    /// Storing the files made (done of total files).
    Store,
    /// The analysis's draws (done of total, every kind's in turn).
    Draws,
    /// LibreOffice converting the DOCX (it tells nothing until it ends).
    Convert,
}

impl Step {
    /// A stable code for the JSON API.
    pub fn code(self) -> &'static str {
        match self {
            Step::Document => "document",
            Step::Render => "render",
            Step::Store => "store",
            Step::Draws => "draws",
            Step::Convert => "convert",
        }
    }
}

/// How far a job got: its step and, when the step counts, done of total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub step: Step,
    pub done: u64,
    /// 0: the step cannot say.
    pub total: u64,
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
    /// The last step told (kept when the job ends: where a failed one stopped).
    pub progress: Option<Progress>,
    /// Pages of the PDF made.
    pub pages: Option<u32>,
    started: Option<Instant>,
    took: Option<Duration>,
}

impl Job {
    fn new(year: i32, work: Work, state: State) -> Job {
        Job {
            year,
            work,
            state,
            queued_at: None,
            started_at: None,
            finished_at: None,
            progress: None,
            pages: None,
            started: None,
            took: None,
        }
    }

    /// How long the job has run (so far, or in all once ended); `None` before it starts.
    pub fn elapsed(&self) -> Option<Duration> {
        self.took.or_else(|| self.started.map(|s| s.elapsed()))
    }
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
        jobs.push(Job { queued_at: Some(now_utc()), ..Job::new(year, work, State::Queued) });
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
            j.started = Some(Instant::now());
        }
        None => jobs.push(Job {
            started_at: Some(now),
            started: Some(Instant::now()),
            ..Job::new(year, work, State::Running)
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

/// Tells the running job of a year and work how far it got; cheap to clone and to send to
/// the thread doing the work. Telling a job that has ended does nothing.
#[derive(Debug, Clone, Copy)]
pub struct Reporter {
    year: i32,
    work: Work,
}

impl Reporter {
    fn with(&self, f: impl FnOnce(&mut Job)) {
        let mut jobs = jobs();
        if let Some(j) =
            jobs.iter_mut().rev().find(|j| j.year == self.year && j.work == self.work && j.state == State::Running)
        {
            f(j);
        }
    }

    /// A new step, `done` of `total` (0: uncounted).
    pub fn step(&self, step: Step, done: u64, total: u64) {
        self.with(|j| j.progress = Some(Progress { step, done, total }));
    }

    /// The PDF made has `pages` pages.
    pub fn pages(&self, pages: u32) {
        self.with(|j| j.pages = Some(pages));
    }
}

/// The library's amounts (the analysis's draws) go to the current step.
impl chiso_domain::progress::Progress for Reporter {
    fn set(&self, done: u64, total: u64) {
        self.with(|j| {
            if let Some(p) = &mut j.progress {
                p.done = done;
                p.total = total;
            }
        });
    }
}

impl Running {
    /// Where the work tells how far it got.
    pub fn reporter(&self) -> Reporter {
        Reporter { year: self.year, work: self.work }
    }

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
            j.took = j.started.map(|s| s.elapsed());
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

    /// The list is the process's: these tests take turns.
    static SERIAL: Mutex<()> = Mutex::new(());

    #[test]
    fn a_job_goes_from_queued_to_done_or_failed_and_old_ones_are_forgotten() {
        let _one_at_a_time = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
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

    #[test]
    fn a_running_job_tells_its_step_amounts_and_time_and_keeps_them_once_ended() {
        use chiso_domain::progress::Progress as _;
        // The other test forgets old finished jobs, perhaps this one's.
        let _one_at_a_time = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
        let year = -7101;
        let mine = || jobs().iter().find(|j| j.year == year).cloned().expect("listed");
        queued(year, Work::Outlooks);
        assert_eq!((mine().progress, mine().elapsed()), (None, None), "queued: not started");
        let run = start(year, Work::Outlooks);
        let told = run.reporter();
        told.step(Step::Draws, 0, 10_000);
        // From another thread, as the analysis does.
        std::thread::scope(|s| {
            s.spawn(|| told.set(5_000, 10_000));
        });
        assert_eq!(mine().progress, Some(Progress { step: Step::Draws, done: 5_000, total: 10_000 }));
        assert!(mine().elapsed().is_some());
        told.step(Step::Store, 1, 1);
        told.pages(12);
        run.end(None);
        let ended = mine();
        assert_eq!(
            (ended.state.clone(), ended.progress.map(|p| p.step), ended.pages),
            (State::Done, Some(Step::Store), Some(12))
        );
        let took = ended.elapsed();
        assert_eq!(mine().elapsed(), took, "the time it took, no longer growing");
        told.step(Step::Draws, 1, 2);
        assert_eq!(mine().progress.map(|p| p.step), Some(Step::Store), "an ended job is not told");
    }
}

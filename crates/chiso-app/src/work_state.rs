//! The state of the platform's background work, for the administrator: each report file
//! being made for a year (the DOCX, XLSX and HTML at publication, the outlooks and the PDF
//! by the worker), queued, running, done or failed, with its times and, if it failed, why.
//! The report worker (`reports.rs`) says when a job is queued, starts and ends; this keeps
//! the jobs waiting or running and the last [`KEPT`] finished ones, in this process. A running
//! job tells how far it got through a [`Reporter`] (its step, done of total, e.g. the
//! analysis's draws or the files stored), and the page shows it with the time the job has
//! taken; reading it takes a lock on this short list, never waiting for the work.
//!
//! Several servers on one database: each copies its jobs that changed to the database about
//! twice a second ([`mirror`]), and the list shows this server's own jobs from memory and the
//! others' from the database. A job whose server has not been heard of for [`UNHEARD`] (it
//! stopped or was killed) is shown as interrupted.

use crate::{Actor, App, Result};
use chiso_store::{JobRow, KEPT_FINISHED, Role, Store, now_utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Finished jobs kept.
pub const KEPT: usize = 50;

/// A job unfinished whose server has not told about it for this long is shown as interrupted:
/// well above the [`HEARTBEAT`], so that a busy server is not taken for a stopped one.
pub const UNHEARD: Duration = Duration::from_secs(60);

/// How often a server with unfinished jobs tells that it still runs them.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// How often a server copies its jobs that changed to the database.
const MIRRORED_EVERY: Duration = Duration::from_millis(500);

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
    const ALL: [Work; 3] = [Work::Files, Work::Outlooks, Work::Pdf];

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
    /// Queued or running on a server that stopped telling about it (stopped or killed).
    Interrupted,
}

impl State {
    pub fn code(&self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Running => "running",
            State::Done => "done",
            State::Failed(_) => "failed",
            State::Interrupted => "interrupted",
        }
    }

    fn unfinished(&self) -> bool {
        matches!(self, State::Queued | State::Running)
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
    const ALL: [Step; 5] = [Step::Document, Step::Render, Step::Store, Step::Draws, Step::Convert];

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
    /// The server doing it (see [`server_name`]).
    pub server: String,
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
    /// Its number in this process, and its version (each change a new one, to copy).
    id: u64,
    rev: u64,
    /// When it was queued, or started if never queued (Unix milliseconds): the list's order.
    since_ms: i64,
    started_ms: Option<i64>,
    started: Option<Instant>,
    took: Option<Duration>,
}

impl Job {
    fn new(year: i32, work: Work, state: State) -> Job {
        Job {
            server: server_name().to_string(),
            year,
            work,
            state,
            queued_at: None,
            started_at: None,
            finished_at: None,
            progress: None,
            pages: None,
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            rev: 0,
            since_ms: now_ms(),
            started_ms: None,
            started: None,
            took: None,
        }
    }

    /// How long the job has run (so far, or in all once ended); `None` before it starts.
    pub fn elapsed(&self) -> Option<Duration> {
        self.took.or_else(|| self.started.map(|s| s.elapsed()))
    }

    /// Marks a change, for the copy in the database.
    fn changed(&mut self) {
        self.rev = NEXT.fetch_add(1, Ordering::Relaxed);
    }

    fn begin(&mut self) {
        self.state = State::Running;
        self.started_at = Some(now_utc());
        self.started_ms = Some(now_ms());
        self.started = Some(Instant::now());
        self.changed();
    }

    /// As stored for the other servers.
    fn row(&self, server: &str, heard_ms: i64) -> JobRow {
        let (state, error) = match &self.state {
            State::Failed(e) => ("failed", Some(e.clone())),
            s => (s.code(), None),
        };
        JobRow {
            server: server.to_string(),
            id: self.id as i64,
            year: self.year,
            work: self.work.code().to_string(),
            state: state.to_string(),
            error,
            step: self.progress.map(|p| p.step.code().to_string()),
            done: self.progress.map_or(0, |p| p.done as i64),
            total: self.progress.map_or(0, |p| p.total as i64),
            pages: self.pages.map(i64::from),
            queued_at: self.queued_at.clone(),
            started_at: self.started_at.clone(),
            finished_at: self.finished_at.clone(),
            since_ms: self.since_ms,
            started_ms: self.started_ms,
            took_ms: self.took.map(|d| d.as_millis() as i64),
            heard_ms,
        }
    }

    /// Another server's job as stored, seen at `now_ms`; `None` if a newer chiso wrote codes
    /// this one does not know.
    fn from_row(r: JobRow, now_ms: i64) -> Option<Job> {
        let work = *Work::ALL.iter().find(|w| w.code() == r.work)?;
        let unheard = r.heard_ms < now_ms - UNHEARD.as_millis() as i64;
        let state = match r.state.as_str() {
            "queued" | "running" if unheard => State::Interrupted,
            "queued" => State::Queued,
            "running" => State::Running,
            "done" => State::Done,
            "failed" => State::Failed(r.error.unwrap_or_default()),
            _ => return None,
        };
        let progress = match &r.step {
            Some(code) => Some(Progress {
                step: *Step::ALL.iter().find(|s| s.code() == code)?,
                done: r.done.max(0) as u64,
                total: r.total.max(0) as u64,
            }),
            None => None,
        };
        // Its time so far, or until it was last heard of.
        let until = if state == State::Interrupted { r.heard_ms } else { now_ms };
        let took = r.took_ms.or_else(|| r.started_ms.map(|s| until - s));
        Some(Job {
            server: r.server,
            year: r.year,
            work,
            state,
            queued_at: r.queued_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            progress,
            pages: r.pages.and_then(|p| u32::try_from(p).ok()),
            id: r.id as u64,
            rev: 0,
            since_ms: r.since_ms,
            started_ms: r.started_ms,
            started: None,
            took: took.map(|ms| Duration::from_millis(ms.max(0) as u64)),
        })
    }
}

static JOBS: Mutex<Vec<Job>> = Mutex::new(Vec::new());

/// Jobs' numbers and versions, one sequence.
static NEXT: AtomicU64 = AtomicU64::new(1);

fn jobs() -> std::sync::MutexGuard<'static, Vec<Job>> {
    // A panic while holding it leaves a list of jobs, still readable.
    JOBS.lock().unwrap_or_else(|p| p.into_inner())
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// This server among several: its host and process, e.g. `app-1:4242`.
pub fn server_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "chiso".into());
        format!("{host}:{}", std::process::id())
    })
}

/// The worker was asked for `work` of `year`.
pub fn queued(year: i32, work: Work) {
    let mut jobs = jobs();
    let open = jobs.iter().any(|j| j.year == year && j.work == work && j.state == State::Queued);
    if !open {
        let mut job = Job { queued_at: Some(now_utc()), ..Job::new(year, work, State::Queued) };
        job.changed();
        jobs.push(job);
    }
}

/// `work` of `year` starts; the job ends when [`Running::end`] is called (or, if never, as
/// failed when dropped).
pub fn start(year: i32, work: Work) -> Running {
    let mut jobs = jobs();
    match jobs.iter_mut().find(|j| j.year == year && j.work == work && j.state == State::Queued) {
        Some(j) => j.begin(),
        None => {
            let mut job = Job::new(year, work, State::Running);
            job.begin();
            jobs.push(job);
        }
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
            j.changed();
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

    /// Nothing was there to do: the job leaves the list (and the database's copy).
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
            j.changed();
        }
        // Only the last finished ones are kept.
        let finished = jobs.iter().filter(|j| !j.state.unfinished()).count();
        let mut extra = finished.saturating_sub(KEPT);
        jobs.retain(|j| {
            let drop = extra > 0 && !j.state.unfinished();
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

/// What a server last copied of each of its jobs: the version, and whether it was unfinished.
#[derive(Debug, Default)]
pub(crate) struct Copied {
    jobs: HashMap<u64, (u64, bool)>,
    heard: Option<Instant>,
}

/// Copies this process's jobs that changed since `copied` to the database as `server`'s, with
/// a heartbeat on the unfinished ones every [`HEARTBEAT`]; removes the copies of jobs
/// cancelled (left the list unfinished).
pub(crate) async fn copy_jobs(store: &Store, server: &str, copied: &mut Copied) -> Result<()> {
    let now = now_ms();
    let (changed, gone, unfinished) = {
        let jobs = jobs();
        let changed: Vec<(u64, u64, bool, JobRow)> = jobs
            .iter()
            .filter(|j| copied.jobs.get(&j.id).map(|c| c.0) != Some(j.rev))
            .map(|j| (j.id, j.rev, j.state.unfinished(), j.row(server, now)))
            .collect();
        let gone: Vec<u64> = copied
            .jobs
            .iter()
            .filter(|(id, (_, unfinished))| *unfinished && !jobs.iter().any(|j| j.id == **id))
            .map(|(id, _)| *id)
            .collect();
        // Finished and forgotten here: the database forgets it in its own time.
        copied.jobs.retain(|id, (_, unfinished)| *unfinished || jobs.iter().any(|j| j.id == *id));
        (changed, gone, jobs.iter().any(|j| j.state.unfinished()))
    };
    let heartbeat = unfinished && copied.heard.is_none_or(|t| t.elapsed() >= HEARTBEAT);
    if changed.is_empty() && gone.is_empty() && !heartbeat {
        return Ok(());
    }
    let rows: Vec<JobRow> = changed.iter().map(|c| c.3.clone()).collect();
    let gone_ids: Vec<i64> = gone.iter().map(|&id| id as i64).collect();
    store.save_jobs(server, &rows, &gone_ids, now).await?;
    for (id, rev, unfinished, _) in changed {
        copied.jobs.insert(id, (rev, unfinished));
    }
    for id in gone {
        copied.jobs.remove(&id);
    }
    copied.heard = Some(Instant::now());
    Ok(())
}

/// Copies this server's jobs to the database for as long as it runs (see [`copy_jobs`]).
pub(crate) async fn mirror(store: Store) {
    let mut copied = Copied::default();
    let mut every = tokio::time::interval(MIRRORED_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut failing = false;
    loop {
        every.tick().await;
        match copy_jobs(&store, server_name(), &mut copied).await {
            // Said once, not twice a second while the database refuses (full, read-only),
            // and tried again less often meanwhile.
            Err(e) => {
                if !std::mem::replace(&mut failing, true) {
                    tracing::warn!(error = %e, "background jobs not copied to the database");
                }
                tokio::time::sleep(HEARTBEAT).await;
            }
            Ok(()) if std::mem::take(&mut failing) => tracing::info!("background jobs copied to the database again"),
            Ok(()) => {}
        }
    }
}

impl App {
    /// The platform's background work, newest first, for the administrators: this server's
    /// from memory, the other servers' on the database from their copies.
    pub async fn background_work(&self, actor: &Actor) -> Result<Vec<Job>> {
        actor.require(&[Role::Admin])?;
        let mut list: Vec<Job> = jobs().iter().rev().cloned().collect();
        let me = server_name();
        let now = now_ms();
        let others = self.store.jobs(KEPT_FINISHED).await?;
        list.extend(others.into_iter().filter(|r| r.server != me).filter_map(|r| Job::from_row(r, now)));
        // Stable: this server's own first among jobs of the same moment.
        list.sort_by_key(|j| std::cmp::Reverse(j.since_ms));
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list is the process's: these tests take turns.
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    #[test]
    fn a_job_goes_from_queued_to_done_or_failed_and_old_ones_are_forgotten() {
        let _one_at_a_time = SERIAL.blocking_lock();
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
        let _one_at_a_time = SERIAL.blocking_lock();
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

    /// Two servers on one database: each lists the other's jobs from the copies in the
    /// database (a cancelled one removed), and a job whose server stopped telling about it
    /// is shown as interrupted, with the time it ran until then.
    #[tokio::test]
    async fn another_servers_jobs_are_listed_from_the_database() {
        // The first test forgets old finished jobs, perhaps this one's before it is copied.
        let _one_at_a_time = SERIAL.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let store = Store::open(&url).await.unwrap();
        let app = App::new(store.clone(), dir.path().into());
        let year = -7201;
        let mine = || async {
            let all = app.background_work(&Actor::cli()).await.unwrap();
            all.into_iter().filter(|j| j.year == year).collect::<Vec<_>>()
        };
        let run = start(year, Work::Files);
        run.reporter().step(Step::Render, 0, 0);
        // This process's jobs, copied as if another server's.
        let mut copied = Copied::default();
        copy_jobs(&store, "elsewhere:1", &mut copied).await.unwrap();
        let listed = mine().await;
        let servers: Vec<(&str, &State)> = listed.iter().map(|j| (j.server.as_str(), &j.state)).collect();
        assert_eq!(servers, [(server_name(), &State::Running), ("elsewhere:1", &State::Running)], "{listed:?}");
        let theirs = &listed[1];
        assert_eq!(theirs.progress.map(|p| p.step), Some(Step::Render));
        assert!(theirs.started_at.is_some() && theirs.elapsed().is_some());

        // Nothing to do after all: the copy goes too.
        run.cancel();
        copy_jobs(&store, "elsewhere:1", &mut copied).await.unwrap();
        assert!(mine().await.is_empty(), "cancelled here and there");

        // A job done: its copy says so, with the time it took.
        let run = start(year, Work::Pdf);
        run.reporter().pages(12);
        run.end(None);
        copy_jobs(&store, "elsewhere:1", &mut copied).await.unwrap();
        let theirs = mine().await.into_iter().find(|j| j.server == "elsewhere:1").expect("copied");
        assert_eq!((theirs.work, &theirs.state, theirs.pages), (Work::Pdf, &State::Done, Some(12)));
        assert!(theirs.finished_at.is_some() && theirs.elapsed().is_some());

        // A server that stopped two minutes ago, 30 s into a PDF: interrupted.
        let now = now_ms();
        let mut stopped = Job::new(year, Work::Pdf, State::Running).row("stopped:9", now - 120_000);
        (stopped.since_ms, stopped.started_ms) = (now - 150_000, Some(now - 150_000));
        store.save_jobs("stopped:9", &[stopped], &[], now - 120_000).await.unwrap();
        let lost = mine().await.into_iter().find(|j| j.server == "stopped:9").expect("listed");
        assert_eq!(lost.state, State::Interrupted);
        assert_eq!(lost.elapsed(), Some(Duration::from_secs(30)), "the time it ran until last heard of");
        store.close().await;
    }
}

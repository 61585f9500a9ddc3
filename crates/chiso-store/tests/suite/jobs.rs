//! The servers' background jobs as stored for each other, on SQLite and PostgreSQL: a job
//! written again is updated in place, a server's unfinished jobs are heard of at each save,
//! the list is newest first across servers, and only the newest finished jobs are kept.

use chiso_store::{FORGOTTEN_AFTER_MS, JobRow, KEPT_FINISHED, Store};

fn job(server: &str, id: i64, since_ms: i64, state: &str) -> JobRow {
    let finished = !matches!(state, "queued" | "running");
    JobRow {
        server: server.into(),
        id,
        year: 2024,
        work: "files".into(),
        state: state.into(),
        error: (state == "failed").then(|| "soffice: timed out".into()),
        step: Some("render".into()),
        done: 0,
        total: 0,
        pages: None,
        queued_at: None,
        started_at: Some("2026-12-07T10:00:00Z".into()),
        finished_at: finished.then(|| "2026-12-07T10:00:02Z".into()),
        since_ms,
        started_ms: Some(since_ms),
        took_ms: finished.then_some(2_000),
        heard_ms: 0,
    }
}

async fn jobs(store: &Store) {
    store.save_jobs("a:1", &[job("a:1", 1, 1_000, "running")], &[], 1_000).await.unwrap();
    store.save_jobs("b:2", &[job("b:2", 1, 2_000, "queued")], &[], 2_000).await.unwrap();
    let listed = store.jobs(10).await.unwrap();
    assert_eq!(
        listed.iter().map(|j| (j.server.as_str(), j.state.as_str(), j.heard_ms)).collect::<Vec<_>>(),
        [("b:2", "queued", 2_000), ("a:1", "running", 1_000)],
        "newest first, with when each server last told"
    );
    // Server a saves nothing new: its running job is heard of again, b's is not.
    store.save_jobs("a:1", &[], &[], 5_000).await.unwrap();
    let heard: Vec<i64> = store.jobs(10).await.unwrap().iter().map(|j| j.heard_ms).collect();
    assert_eq!(heard, [2_000, 5_000]);
    // The same job again: updated, not doubled.
    let mut done = job("a:1", 1, 1_000, "done");
    done.step = Some("store".into());
    (done.done, done.total) = (4, 4);
    store.save_jobs("a:1", std::slice::from_ref(&done), &[], 6_000).await.unwrap();
    let listed = store.jobs(10).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1], JobRow { heard_ms: 6_000, ..done });

    // Many finished jobs: the newest KEPT_FINISHED stay, and every unfinished one.
    let many: Vec<JobRow> = (0..KEPT_FINISHED + 30).map(|i| job("a:1", 100 + i, 10_000 + i, "failed")).collect();
    store.save_jobs("a:1", &many, &[], 7_000).await.unwrap();
    let all = store.jobs(1_000).await.unwrap();
    let finished: Vec<&JobRow> = all.iter().filter(|j| j.finished_at.is_some()).collect();
    assert_eq!(finished.len() as i64, KEPT_FINISHED);
    assert_eq!(finished.last().unwrap().since_ms, 10_030, "the oldest finished ones forgotten");
    assert!(all.iter().any(|j| j.server == "b:2" && j.state == "queued"), "an unfinished job stays");
    assert_eq!(store.jobs(3).await.unwrap().len(), 3, "as many as asked");
    // A job cancelled (nothing to do) is removed, and only its own server's.
    store.save_jobs("b:2", &[], &[1], 8_000).await.unwrap();
    let all = store.jobs(1_000).await.unwrap();
    assert!(!all.iter().any(|j| j.server == "b:2"), "b's cancelled job gone");
    assert_eq!(all.iter().filter(|j| j.server == "a:1").count() as i64, KEPT_FINISHED, "a's jobs stay");

    // A server stopped a week ago left a job running: forgotten at the next finished job.
    let week = FORGOTTEN_AFTER_MS;
    store.save_jobs("c:3", &[job("c:3", 1, 9_000, "running")], &[], 9_000).await.unwrap();
    store.save_jobs("a:1", &[job("a:1", 900, 20_000, "done")], &[], 9_000 + week - 1).await.unwrap();
    assert!(store.jobs(1_000).await.unwrap().iter().any(|j| j.server == "c:3"), "unheard for less than a week");
    store.save_jobs("a:1", &[job("a:1", 901, 20_001, "done")], &[], 9_000 + week + 1).await.unwrap();
    assert!(!store.jobs(1_000).await.unwrap().iter().any(|j| j.server == "c:3"), "forgotten after a week");
}

on_both!(background_jobs_on_sqlite, background_jobs_on_postgres: jobs(store));

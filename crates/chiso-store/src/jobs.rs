//! The background work of every server on one database, for the administrator's list: each
//! server keeps its own jobs in memory (`chiso-app`'s `work_state`) and copies here those that
//! changed, about once a second, with a heartbeat on its unfinished ones. Derived state: never
//! backed up, and only the newest finished jobs are kept.

use crate::{Result, Store};
use sqlx::Row;

/// Finished jobs kept, of all servers together.
pub const KEPT_FINISHED: i64 = 200;

/// An unfinished job whose server has not told about it for this long (a week) is forgotten.
pub const FORGOTTEN_AFTER_MS: i64 = 7 * 24 * 3600 * 1000;

/// One job as stored. `state`, `work` and `step` are the application's codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    /// The server that runs it (host and process).
    pub server: String,
    /// Its number within that server.
    pub id: i64,
    pub year: i32,
    pub work: String,
    pub state: String,
    pub error: Option<String>,
    pub step: Option<String>,
    pub done: i64,
    pub total: i64,
    pub pages: Option<i64>,
    pub queued_at: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// When it was queued or, if never queued, started (Unix milliseconds): the list's order.
    pub since_ms: i64,
    pub started_ms: Option<i64>,
    pub took_ms: Option<i64>,
    /// When its server last told about it (Unix milliseconds).
    pub heard_ms: i64,
}

const COLUMNS: &str = "server, id, year, work, state, error, step, done, total, pages, queued_at, started_at, \
                       finished_at, since_ms, started_ms, took_ms, heard_ms";

impl Store {
    /// Stores a server's jobs that changed (`heard_ms` is now), removes those of its jobs
    /// numbered in `gone` (cancelled: nothing was to be done) and marks its other unfinished
    /// jobs as heard of now; when one finished, forgets all but the newest finished jobs, and
    /// the unfinished ones unheard of for [`FORGOTTEN_AFTER_MS`].
    pub async fn save_jobs(&self, server: &str, changed: &[JobRow], gone: &[i64], heard_ms: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        for id in gone {
            sqlx::query("DELETE FROM background_jobs WHERE server = $1 AND id = $2")
                .bind(server)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for j in changed {
            sqlx::query(&format!(
                "INSERT INTO background_jobs ({COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
                 ON CONFLICT (server, id) DO UPDATE SET state = excluded.state, error = excluded.error, \
                 step = excluded.step, done = excluded.done, total = excluded.total, pages = excluded.pages, \
                 queued_at = excluded.queued_at, started_at = excluded.started_at, \
                 finished_at = excluded.finished_at, since_ms = excluded.since_ms, \
                 started_ms = excluded.started_ms, took_ms = excluded.took_ms, heard_ms = excluded.heard_ms"
            ))
            .bind(&j.server)
            .bind(j.id)
            .bind(j.year)
            .bind(&j.work)
            .bind(&j.state)
            .bind(j.error.clone())
            .bind(j.step.clone())
            .bind(j.done)
            .bind(j.total)
            .bind(j.pages)
            .bind(j.queued_at.clone())
            .bind(j.started_at.clone())
            .bind(j.finished_at.clone())
            .bind(j.since_ms)
            .bind(j.started_ms)
            .bind(j.took_ms)
            .bind(heard_ms)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE background_jobs SET heard_ms = $1 WHERE server = $2 AND state IN ('queued', 'running')")
            .bind(heard_ms)
            .bind(server)
            .execute(&mut *tx)
            .await?;
        if changed.iter().any(|j| j.finished_at.is_some()) {
            sqlx::query(
                "DELETE FROM background_jobs WHERE state NOT IN ('queued', 'running') AND since_ms < \
                 (SELECT COALESCE(MIN(since_ms), 0) FROM (SELECT since_ms FROM background_jobs \
                  WHERE state NOT IN ('queued', 'running') ORDER BY since_ms DESC LIMIT $1) AS newest)",
            )
            .bind(KEPT_FINISHED)
            .execute(&mut *tx)
            .await?;
            // Unfinished jobs of servers long stopped (each restart leaves its own).
            sqlx::query("DELETE FROM background_jobs WHERE state IN ('queued', 'running') AND heard_ms < $1")
                .bind(heard_ms - FORGOTTEN_AFTER_MS)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// The newest `limit` jobs of every server, newest first.
    pub async fn jobs(&self, limit: i64) -> Result<Vec<JobRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM background_jobs ORDER BY since_ms DESC, server, id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(JobRow {
                    server: r.try_get(0)?,
                    id: r.try_get(1)?,
                    year: r.try_get(2)?,
                    work: r.try_get(3)?,
                    state: r.try_get(4)?,
                    error: r.try_get(5)?,
                    step: r.try_get(6)?,
                    done: r.try_get(7)?,
                    total: r.try_get(8)?,
                    pages: r.try_get(9)?,
                    queued_at: r.try_get(10)?,
                    started_at: r.try_get(11)?,
                    finished_at: r.try_get(12)?,
                    since_ms: r.try_get(13)?,
                    started_ms: r.try_get(14)?,
                    took_ms: r.try_get(15)?,
                    heard_ms: r.try_get(16)?,
                })
            })
            .collect()
    }
}

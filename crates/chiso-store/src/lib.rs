//! chiso's storage. One [`Store`] over SQLite (a file; WAL, foreign keys, synchronous
//! writes, so an acknowledged submission survives a crash) or PostgreSQL (`postgres://…`,
//! for several stateless servers behind a load balancer). Plain runtime queries through
//! sqlx's `Any` driver, one migration set per backend, and an append-only, hash-chained
//! audit log written in the same transaction as the change it records.

// Rows come back as flat tuples mirroring the SQL, and a submission is addressed by
// (year, kind, unit) plus the actor and reason every change records.
#![allow(clippy::type_complexity, clippy::too_many_arguments)]

mod audit;
mod audit_page;
pub mod backup;
mod catalog;
pub mod changes;
mod clock;
mod failure;
mod jobs;
mod params;
mod replay;
pub mod signing;
mod sqlite_snapshot;
mod submissions;
mod throttle;
mod tokens;
mod tx;
mod users;

pub use audit::{AuditEvent, ChainError, ChainStatus, NewEvent};
pub use audit_page::{AuditCursor, AuditFilter, AuditPage};
pub use catalog::{PeriodRow, PeriodUse};
pub use clock::{format_utc, now_utc, unix_now};
pub use failure::{DatabaseError, Failure, probe as failure_probe};
pub use jobs::{FORGOTTEN_AFTER_MS, JobRow, KEPT_FINISHED};
pub use replay::{Discrepancy, Replay};
pub use signing::{HeadCheck, SigningKey};
pub use submissions::{
    ANSWERS_IMPORTED, AnswerRow, CommentRow, EvidenceRow, NewAnswer, SnapshotRow, SubmissionRow, UnitAnswer,
    UnitAnswers,
};
pub use throttle::{Admission, HeldBack, ThrottleKey};
pub use tokens::{TOKEN_TTL, TokenRow};
pub use users::{MAX_USERNAME, Role, UserRow, fold as fold_username, username_key};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored value this version cannot read (a status or role it does not know): never
    /// guessed, refused.
    #[error("corrupt: {0}")]
    Corrupt(String),
    /// The database failed; [`DatabaseError::failure`] says how (disk full, read-only,
    /// unreachable, other). The operation's transaction was rolled back: nothing was written.
    #[error("database: {0}")]
    Database(DatabaseError),
}

impl StoreError {
    /// How the database failed, if it did: `Some(Failure::Full)` for a full disk, etc.
    pub fn failure(&self) -> Option<Failure> {
        match self {
            StoreError::Database(e) => Some(e.failure),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        StoreError::Database(DatabaseError::classify(e))
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer: writes queue here instead of failing with "database is
    /// locked" when two deferred transactions both try to upgrade to a write lock.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Signs the audit chain's head as it moves (see `signing.rs`); `None`: appends leave
    /// the head unsigned, and `chiso verify` says so.
    key: Option<std::sync::Arc<SigningKey>>,
    /// Some user name was stored before names were normalised (see `users::fold`): lookups
    /// that miss then compare folded names too. Set at open; new names are always folded.
    legacy_names: bool,
    /// The SQLite database's file, for reads done apart from the pool (`sqlite_snapshot.rs`).
    sqlite_path: Option<std::sync::Arc<std::path::Path>>,
}

const SQLITE_MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../migrations/sqlite/0001_init.sql")),
    ("0002_accounts", include_str!("../migrations/sqlite/0002_accounts.sql")),
    ("0003_signatures", include_str!("../migrations/sqlite/0003_signatures.sql")),
    ("0004_one_time_password", include_str!("../migrations/sqlite/0004_one_time_password.sql")),
    ("0005_audit_checkpoint", include_str!("../migrations/sqlite/0005_audit_checkpoint.sql")),
    ("0006_background_jobs", include_str!("../migrations/sqlite/0006_background_jobs.sql")),
    ("0007_audit_entity_prefix", include_str!("../migrations/sqlite/0007_audit_entity_prefix.sql")),
    ("0008_answers_submission_check", include_str!("../migrations/sqlite/0008_answers_submission_check.sql")),
    ("0009_submission_check_per_unit", include_str!("../migrations/sqlite/0009_submission_check_per_unit.sql")),
];
const POSTGRES_MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../migrations/postgres/0001_init.sql")),
    ("0002_accounts", include_str!("../migrations/postgres/0002_accounts.sql")),
    ("0003_signatures", include_str!("../migrations/postgres/0003_signatures.sql")),
    ("0004_one_time_password", include_str!("../migrations/postgres/0004_one_time_password.sql")),
    ("0005_audit_checkpoint", include_str!("../migrations/postgres/0005_audit_checkpoint.sql")),
    ("0006_background_jobs", include_str!("../migrations/postgres/0006_background_jobs.sql")),
    ("0007_audit_entity_prefix", include_str!("../migrations/postgres/0007_audit_entity_prefix.sql")),
    ("0008_answers_submission_check", include_str!("../migrations/postgres/0008_answers_submission_check.sql")),
    ("0009_submission_check_per_unit", include_str!("../migrations/postgres/0009_submission_check_per_unit.sql")),
];

/// A migration's statements: split at each `;` outside a `$$`-quoted function body.
fn statements(sql: &str) -> impl Iterator<Item = &str> {
    let mut quoted = false;
    let mut start = 0;
    let mut out = Vec::new();
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"$$") {
            quoted = !quoted;
            i += 2;
            continue;
        }
        if bytes[i] == b';' && !quoted {
            out.push(&sql[start..i]);
            start = i + 1;
        }
        i += 1;
    }
    out.push(&sql[start..]);
    out.into_iter().map(str::trim).filter(|s| !s.is_empty())
}

impl Store {
    /// Opens `sqlite://path` (created if missing) or `postgres://…`, and migrates.
    pub async fn open(url: &str) -> Result<Store> {
        install_default_drivers();
        let backend = if url.starts_with("postgres") { Backend::Postgres } else { Backend::Sqlite };
        if backend == Backend::Sqlite {
            failure::watch_sqlite_file(url);
        }
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        if backend == Backend::Sqlite {
            // One connection first: the pool would retry a file that cannot be opened (a
            // read-only file system) until it times out; this says why at once.
            use sqlx::Connection;
            sqlx::AnyConnection::connect(&url).await?.close().await?;
        }
        let mut options = AnyPoolOptions::new();
        if backend == Backend::Postgres {
            // A connection opened before the database last answered "read-only" is replaced:
            // a PostgreSQL session keeps the read-only default it started with. (Not on
            // SQLite: there the hook keeps closed connections' files open.)
            options =
                options.before_acquire(|_, meta| Box::pin(async move { Ok(failure::fresh_since_read_only(meta.age)) }));
        }
        let options = options
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL for concurrent readers; FULL sync: an acknowledged write is on disk.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            });
        let pool = options.connect(&url).await?;
        let sqlite_path = (backend == Backend::Sqlite).then(|| sqlite_file(&url)).flatten();
        let mut store =
            Store { pool, backend, writer: Default::default(), key: None, legacy_names: false, sqlite_path };
        store.migrate().await?;
        store.legacy_names = store.has_legacy_names().await?;
        Ok(store)
    }

    /// The same store, signing the audit head with `key` as it appends events.
    pub fn with_signing_key(mut self, key: SigningKey) -> Store {
        self.key = Some(std::sync::Arc::new(key));
        self
    }

    pub fn signing_key(&self) -> Option<&SigningKey> {
        self.key.as_deref()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The SQLite database's file (`None` on PostgreSQL or in memory).
    pub(crate) fn sqlite_path(&self) -> Option<&std::path::Path> {
        self.sqlite_path.as_deref()
    }

    async fn migrate(&self) -> Result<()> {
        let migrations = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        };
        // Up to date: nothing to write (so a read-only database still opens, for reading).
        let applied: std::result::Result<Vec<(String,)>, _> =
            sqlx::query_as("SELECT name FROM schema_migrations").fetch_all(&self.pool).await;
        if let Ok(applied) = applied
            && migrations.iter().all(|(name, _)| applied.iter().any(|a| a.0 == *name))
        {
            return Ok(());
        }
        self.pool
            .execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            .await?;
        for (name, sql) in migrations {
            let mut tx = self.write_tx().await?;
            // Taking the row lock first makes concurrent starters wait for each other.
            let done: Option<(String,)> = sqlx::query_as("SELECT name FROM schema_migrations WHERE name = $1")
                .bind(*name)
                .fetch_optional(&mut *tx)
                .await?;
            if done.is_none() {
                for statement in statements(sql) {
                    tx.execute(statement).await?;
                }
                sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)")
                    .bind(*name)
                    .bind(now_utc())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// SQLite's own consistency check; PostgreSQL has no equivalent and answers "ok".
    pub async fn integrity_check(&self) -> Result<String> {
        match self.backend {
            Backend::Sqlite => {
                Ok(sqlx::query_as::<_, (String,)>("PRAGMA integrity_check").fetch_one(&self.pool).await?.0)
            }
            Backend::Postgres => Ok("ok".into()),
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The file of a `sqlite://path?options` (or `sqlite:path`) URL; `None` for a database in memory.
fn sqlite_file(url: &str) -> Option<std::sync::Arc<std::path::Path>> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| std::path::Path::new(path).into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_of_a_sqlite_url() {
        let file = |url: &str| super::sqlite_file(url).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(file("sqlite://chiso.sqlite").as_deref(), Some("chiso.sqlite"));
        assert_eq!(
            file("sqlite:///var/lib/chiso/chiso.sqlite?mode=rwc").as_deref(),
            Some("/var/lib/chiso/chiso.sqlite")
        );
        assert_eq!(file("sqlite:data/c.sqlite").as_deref(), Some("data/c.sqlite"));
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("sqlite://:memory:"), None);
        assert_eq!(file("postgres://chiso@db/chiso"), None);
    }

    #[test]
    fn a_function_body_is_one_statement_of_its_migration() {
        let sql =
            "SELECT 1;\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN NULL;\nEND $$;\n\n";
        let got: Vec<&str> = super::statements(sql).collect();
        assert_eq!(
            got,
            vec![
                "SELECT 1",
                "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN NULL;\nEND $$"
            ]
        );
        let mut every = super::POSTGRES_MIGRATIONS.iter().chain(super::SQLITE_MIGRATIONS);
        assert!(every.all(|(_, sql)| super::statements(sql).all(|s| s.matches("$$").count() % 2 == 0)));
    }
}

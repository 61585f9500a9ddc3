//! Transactions that cannot outlive their failure.
//!
//! sqlx's `Transaction` counts nesting itself: when a COMMIT fails (SQLite's `SQLITE_FULL`
//! on a full disk, when the WAL is written) its count stays at one, and if SQLite already
//! rolled back by itself the ROLLBACK on drop fails too. The pooled connection then goes
//! back to the pool believing it is inside a transaction: its next `begin` is a SAVEPOINT,
//! its "commit" a RELEASE that commits nothing, and if SQLite kept the transaction open it
//! keeps the write lock too. Every later write on it was acknowledged and lost.
//!
//! [`Tx`] issues BEGIN and COMMIT itself and never returns a connection whose state it
//! does not know: a failed COMMIT (or any statement's failure followed by a failed
//! ROLLBACK) closes the connection, and the pool opens a fresh one.

use crate::signing::SigningKey;
use crate::{Backend, Result, Store};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Executor};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use tokio::sync::OwnedMutexGuard;

/// The PostgreSQL advisory lock of chiso's writers ("chiso" in ASCII).
const WRITER_LOCK: i64 = 0x63_68_69_73_6f;

/// How long a writer holding the write lock waits for a connection.
const WRITER_PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

pub(crate) struct Tx {
    /// `None` only after commit or while dropping.
    conn: Option<PoolConnection<Any>>,
    /// SQLite's single writer, held until the transaction is over (committed or rolled back).
    writing: Option<OwnedMutexGuard<()>>,
    /// The store's signing key: the audit head is signed with it as events are appended.
    key: Option<Arc<SigningKey>>,
    backend: Backend,
}

impl Store {
    /// A write transaction: SQLite takes the write lock at BEGIN (IMMEDIATE), so a
    /// transaction never has to upgrade a read lock and fail with "database is locked".
    pub(crate) async fn write_tx(&self) -> Result<Tx> {
        let writing = match self.backend {
            Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let begin = if self.backend == Backend::Sqlite { "BEGIN IMMEDIATE" } else { "BEGIN" };
        let mut tx = Tx::begin(self, begin, writing).await?;
        if self.backend == Backend::Postgres {
            // One writer at a time on PostgreSQL too, across every server on the database (a
            // lock held until the transaction ends; every write's audit event locks the head
            // until its commit anyway): what a write reads before it writes (a submission's
            // status, whether its row exists, the next version) cannot change under it.
            // Without it, two first saves of one unit through two servers collided on the row
            // they both inserted (scripts/two-servers).
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(WRITER_LOCK).execute(&mut *tx).await?;
        }
        Ok(tx)
    }

    /// A read transaction: one consistent snapshot for several queries.
    pub(crate) async fn read_tx(&self) -> Result<Tx> {
        let begin =
            if self.backend == Backend::Sqlite { "BEGIN" } else { "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" };
        Tx::begin(self, begin, None).await
    }
}

impl Tx {
    async fn begin(store: &Store, begin: &str, writing: Option<OwnedMutexGuard<()>>) -> Result<Tx> {
        // Holding SQLite's write lock, a writer waits for a connection only briefly: when
        // none can be opened (a failing disk), the writers queued behind it would otherwise
        // each wait the pool's 30 s in turn.
        let patience = if writing.is_some() { WRITER_PATIENCE } else { std::time::Duration::from_secs(30) };
        let mut conn = match tokio::time::timeout(patience, store.pool().acquire()).await {
            Ok(conn) => conn?,
            Err(_) => return Err(sqlx::Error::PoolTimedOut.into()),
        };
        if let Err(e) = (&mut *conn).execute(begin).await {
            conn.close_on_drop();
            return Err(e.into());
        }
        Ok(Tx { conn: Some(conn), writing, key: store.key.clone(), backend: store.backend })
    }

    pub(crate) fn key(&self) -> Option<Arc<SigningKey>> {
        self.key.clone()
    }

    /// Parameters for one statement on this transaction's database (see `params.rs`).
    pub(crate) fn params(&self) -> crate::params::Params {
        crate::params::Params::new(self.backend)
    }

    /// Commits; `Ok` only once the database says the transaction is durable (SQLite:
    /// WAL with `synchronous = FULL`). On failure the connection is rolled back if it can
    /// be and discarded either way.
    pub(crate) async fn commit(mut self) -> Result<()> {
        let mut conn = self.conn.take().expect("an open transaction");
        match (&mut *conn).execute("COMMIT").await {
            Ok(_) => Ok(()),
            Err(e) => {
                let _ = (&mut *conn).execute("ROLLBACK").await;
                conn.close_on_drop();
                Err(e.into())
            }
        }
    }
}

impl Drop for Tx {
    /// Not committed (an error, a refusal, a cancelled request): roll back before the
    /// connection or the write lock is given to anyone else. A connection that cannot be
    /// rolled back is closed (closing rolls back).
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else { return };
        let writing = self.writing.take();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if (&mut *conn).execute("ROLLBACK").await.is_err() {
                        conn.close_on_drop();
                    }
                    drop(conn);
                    drop(writing);
                });
            }
            Err(_) => conn.close_on_drop(),
        }
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.conn.as_ref().expect("an open transaction")
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.conn.as_mut().expect("an open transaction")
    }
}

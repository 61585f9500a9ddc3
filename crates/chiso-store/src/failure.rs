//! What a database failure means for the user: the disk is full, the database is
//! read-only, the server is unreachable, or something else. Every write runs in one
//! transaction, so whichever it is, nothing was half-written.
//!
//! SQLite reports a full disk as `SQLITE_FULL` and a read-only file as `SQLITE_READONLY`,
//! but a file system that turns read-only under a running server (ext4 `errors=remount-ro`)
//! or a full disk hit while writing the WAL's shared memory surfaces as a generic
//! `SQLITE_IOERR_*` or `SQLITE_CANTOPEN`. For those the database's directory is probed
//! with a small synced write, whose OS error (`EROFS`, `ENOSPC`) decides.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No space left on the disk (or quota). Nothing was written; the next write succeeds
    /// once space is freed, without a restart.
    Full,
    /// The database or its file system is read-only. Reads still work; nothing was written.
    ReadOnly,
    /// The database server cannot be reached, or no connection was free in time.
    Unavailable,
    /// Anything else: a constraint, corruption, an I/O error, a bug.
    Other,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Failure::Full => "disk full",
            Failure::ReadOnly => "read-only",
            Failure::Unavailable => "unavailable",
            Failure::Other => "error",
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{failure}: {source}")]
pub struct DatabaseError {
    pub failure: Failure,
    #[source]
    pub source: sqlx::Error,
}

impl DatabaseError {
    pub fn classify(source: sqlx::Error) -> DatabaseError {
        DatabaseError { failure: classify(&source), source }
    }
}

fn classify(e: &sqlx::Error) -> Failure {
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.to_string()).unwrap_or_default();
            let sqlite = db.try_downcast_ref::<sqlx::sqlite::SqliteError>().and_then(|_| code.parse::<i32>().ok());
            if let Some(sqlite) = sqlite {
                // SQLite's (extended) result code; the primary code is the low byte.
                match sqlite & 0xff {
                    13 => Failure::Full,                                  // SQLITE_FULL
                    8 => Failure::ReadOnly,                               // SQLITE_READONLY and its extended codes
                    10 | 14 => probe_watched().unwrap_or(Failure::Other), // SQLITE_IOERR, SQLITE_CANTOPEN
                    _ => Failure::Other,
                }
            } else {
                // PostgreSQL's SQLSTATE.
                match code.as_str() {
                    "53100" => Failure::Full, // disk_full
                    "25006" => {
                        // read_only_sql_transaction (a standby, or a read-only default): sessions
                        // keep the default they started with, so open connections are replaced.
                        READ_ONLY_AT.store(since_start(), Ordering::Relaxed);
                        Failure::ReadOnly
                    }
                    "53300" | "57P01" | "57P02" | "57P03" => Failure::Unavailable,
                    c if c.starts_with("08") => Failure::Unavailable, // connection exceptions
                    _ => Failure::Other,
                }
            }
        }
        sqlx::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => Failure::Full,
            std::io::ErrorKind::ReadOnlyFilesystem => Failure::ReadOnly,
            _ => Failure::Unavailable,
        },
        // The pool retries a SQLite file it cannot open until it times out: ask the disk why.
        sqlx::Error::PoolTimedOut => probe_watched().unwrap_or(Failure::Unavailable),
        sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => Failure::Unavailable,
        _ => Failure::Other,
    }
}

/// Directories of the SQLite databases this process opened, probed on an I/O error.
static WATCHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Remembers the directory of a `sqlite://path` (or `sqlite:path`) database.
pub(crate) fn watch_sqlite_file(url: &str) {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = Path::new(path.split('?').next().unwrap_or(path));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Ok(mut w) = WATCHED.lock()
        && !w.contains(&dir)
    {
        w.push(dir);
    }
}

fn probe_watched() -> Option<Failure> {
    let dirs = WATCHED.lock().ok()?.clone();
    dirs.iter().find_map(|d| probe(d))
}

/// Writes and syncs a small file in `dir`: `Some(Full)` / `Some(ReadOnly)` if the OS says so.
pub fn probe(dir: &Path) -> Option<Failure> {
    static N: AtomicU64 = AtomicU64::new(0);
    let path = dir.join(format!(".chiso-probe-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| f.write_all(&[0u8; 8192]).and_then(|_| f.sync_all()));
    let _ = std::fs::remove_file(&path);
    match result {
        Err(e) => match e.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => Some(Failure::Full),
            std::io::ErrorKind::ReadOnlyFilesystem => Some(Failure::ReadOnly),
            _ => None,
        },
        Ok(()) => None,
    }
}

fn start() -> Instant {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *START.get_or_init(Instant::now)
}

fn since_start() -> u64 {
    // +1 so that 0 means "never".
    start().elapsed().as_nanos() as u64 + 1
}

/// When the database last answered "read-only", in nanoseconds since `start()` (+1); 0: never.
static READ_ONLY_AT: AtomicU64 = AtomicU64::new(0);

/// Whether a pooled connection of this `age` was opened after the last read-only answer.
pub(crate) fn fresh_since_read_only(age: Duration) -> bool {
    let at = READ_ONLY_AT.load(Ordering::Relaxed);
    if at == 0 {
        return true;
    }
    let opened = since_start().saturating_sub(age.as_nanos() as u64);
    opened > at
}

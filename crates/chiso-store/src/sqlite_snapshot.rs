//! Long reads on SQLite through a connection of their own (rusqlite, on the same SQLite
//! library sqlx links): each row's values are read where SQLite holds them, with no copy and
//! no hand-over between threads (sqlx's SQLite driver passes rows one at a time from its
//! worker thread: 6 µs a row, 6,9 s for a million audit events). Read-only, one snapshot.
//! The audit chain's walk is here; the backup reads its tables through [`snapshot`].

use crate::audit::{ChainError, Link};
use rusqlite::types::Type;
use rusqlite::{Connection, OpenFlags, Row};
use std::path::Path;
use std::time::Duration;

/// A read-only connection to the database in `path`, inside a read transaction: every read
/// on it sees the database as of its first read (WAL), writes made meanwhile unseen. The
/// transaction ends when the connection is dropped.
pub(crate) fn snapshot(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch("BEGIN")?;
    Ok(conn)
}

/// The events after `from` (whose hash is `prev`) to the head, checked as `audit::walk` does.
pub(crate) fn walk(path: &Path, from: i64, prev: String) -> rusqlite::Result<Result<(i64, String), ChainError>> {
    let conn = snapshot(path)?;
    let mut link = Link::after(from, prev);
    {
        let mut events = conn.prepare(
            "SELECT seq, at, actor, action, entity, old_value, new_value, reason, prev_hash, hash, detail \
             FROM audit WHERE seq > ?1 ORDER BY seq",
        )?;
        let mut rows = events.query([from])?;
        while let Some(r) = rows.next()? {
            let fields = [text(r, 2)?, text(r, 3)?, text(r, 4)?, text(r, 5)?, text(r, 6)?, text(r, 7)?];
            if let Err(e) = link.next(r.get(0)?, text(r, 1)?, fields, text(r, 8)?, text(r, 9)?, text(r, 10)?) {
                return Ok(Err(e));
            }
        }
    }
    let head: String = conn.query_row("SELECT last_hash FROM audit_head WHERE id = 1", [], |r| r.get(0))?;
    Ok(link.end(&head))
}

/// Column `i`'s text, borrowed from the row.
pub(crate) fn text<'r>(r: &'r Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?.as_str().map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

#[cfg(test)]
mod tests {
    use crate::{NewEvent, Store};

    /// The walk on its own connection finds what the pool's walk finds: the head after a
    /// sound chain, from the start or from an event; an altered event; a missing one.
    #[tokio::test]
    async fn the_chain_walked_on_its_own_connection() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.sqlite");
        let store = Store::open(&format!("sqlite://{}", file.display())).await.unwrap();
        for i in 1..=3 {
            store
                .record(&NewEvent::new("admin", "answer.set", "answer/2024/commune/dv1/c1", "", i.to_string(), ""))
                .await
                .unwrap();
        }
        let hashes: Vec<(String,)> =
            sqlx::query_as("SELECT hash FROM audit ORDER BY seq").fetch_all(store.pool()).await.unwrap();
        assert_eq!(store.sqlite_path(), Some(file.as_path()));
        let walk = |from: i64, prev: &str| super::walk(&file, from, prev.to_string()).unwrap();
        assert_eq!(walk(0, ""), Ok((3, hashes[2].0.clone())));
        assert_eq!(walk(2, &hashes[1].0), Ok((3, hashes[2].0.clone())), "from a checkpoint");
        assert!(walk(1, "not its hash").is_err(), "a checkpoint that does not match");

        sqlx::query("UPDATE audit SET new_value = '9' WHERE seq = 2").execute(store.pool()).await.unwrap();
        let e = walk(0, "").unwrap_err();
        assert_eq!((e.seq, e.problem.as_str()), (2, "its content was changed"));
        assert_eq!(store.verify_chain().await.unwrap().unwrap_err(), e, "as the store's check says");
        sqlx::query("DELETE FROM audit WHERE seq = 2").execute(store.pool()).await.unwrap();
        let e = walk(0, "").unwrap_err();
        assert_eq!((e.seq, e.problem.as_str()), (2, "event 2 is missing"));
        store.close().await;
    }
}

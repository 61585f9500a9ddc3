//! The audit log: every change (who, when, old, new, reason) as a link in a hash chain.
//! Each event's hash covers its fields and the previous event's hash, so editing or
//! deleting any past event breaks every later link; `verify` finds the first broken one.

use crate::tx::Tx;
use crate::{Result, Store, StoreError, now_utc};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub actor: String,
    pub action: String,
    /// What changed, e.g. `answer/2021/department/so-y-te/infra`.
    pub entity: String,
    pub old: String,
    pub new: String,
    pub reason: String,
    /// What a replay needs beyond `old`/`new` (JSON; empty in events written before
    /// migration 0003, whose hashes therefore stay as they were).
    pub detail: String,
}

impl NewEvent {
    pub fn new(
        actor: impl Into<String>,
        action: impl Into<String>,
        entity: impl Into<String>,
        old: impl Into<String>,
        new: impl Into<String>,
        reason: impl Into<String>,
    ) -> NewEvent {
        NewEvent {
            actor: actor.into(),
            action: action.into(),
            entity: entity.into(),
            old: old.into(),
            new: new.into(),
            reason: reason.into(),
            detail: String::new(),
        }
    }

    /// The same event with a replay detail (a JSON object).
    pub fn with_detail(mut self, detail: serde_json::Value) -> NewEvent {
        self.detail = detail.to_string();
        self
    }

    /// The same event with a replay detail already written as JSON text.
    pub(crate) fn with_detail_text(mut self, detail: String) -> NewEvent {
        self.detail = detail;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub old_value: String,
    pub new_value: String,
    pub reason: String,
    pub prev_hash: String,
    pub hash: String,
    /// See [`NewEvent::detail`].
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("audit chain broken at event {seq}: {problem}")]
pub struct ChainError {
    pub seq: i64,
    pub problem: String,
}

pub(crate) type Raw = (i64, String, String, String, String, String, String, String, String, String, String);

pub(crate) const COLUMNS: &str =
    "seq, at, actor, action, entity, old_value, new_value, reason, prev_hash, hash, detail";

pub(crate) fn event(r: Raw) -> AuditEvent {
    AuditEvent {
        seq: r.0,
        at: r.1,
        actor: r.2,
        action: r.3,
        entity: r.4,
        old_value: r.5,
        new_value: r.6,
        reason: r.7,
        prev_hash: r.8,
        hash: r.9,
        detail: r.10,
    }
}

impl AuditEvent {
    /// The event as it was appended (what its hash covers, with `seq`, `at` and `prev_hash`).
    pub fn as_new(&self) -> NewEvent {
        NewEvent {
            actor: self.actor.clone(),
            action: self.action.clone(),
            entity: self.entity.clone(),
            old: self.old_value.clone(),
            new: self.new_value.clone(),
            reason: self.reason.clone(),
            detail: self.detail.clone(),
        }
    }
}

pub(crate) fn digest(seq: i64, at: &str, e: &NewEvent, prev: &str) -> String {
    digest_of(seq, at, [&e.actor, &e.action, &e.entity, &e.old, &e.new, &e.reason], prev, &e.detail)
}

/// An event's hash from its fields as stored (actor, action, entity, old, new, reason), read
/// where they are: verifying a chain of a million events copies none of them.
fn digest_of(seq: i64, at: &str, fields: [&str; 6], prev: &str, detail: &str) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    let mut part = |p: &str| {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    };
    part(&seq);
    part(at);
    for f in fields {
        part(f);
    }
    part(prev);
    // Only events with a detail hash it: events written before it existed keep their hashes.
    if !detail.is_empty() {
        part(detail);
    }
    hex(&h.finalize())
}

pub(crate) fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// Lower-case hexadecimal, two digits a byte.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// The replay detail of an event that sets a password: the sha256 of the stored hash (which
/// says nothing of the password), so a hash swapped in the database shows.
pub(crate) fn password_detail(password_hash: &str) -> serde_json::Value {
    serde_json::json!({ "password_sha256": sha256_hex(password_hash) })
}

/// Appends an event inside the caller's transaction: the change and its record commit together.
pub(crate) async fn append(tx: &mut Tx, e: &NewEvent) -> Result<()> {
    append_all(tx, std::slice::from_ref(e)).await
}

/// Events per multi-row insert (11 bound values each).
const EVENTS_PER_STATEMENT: usize = 500;

/// Appends events in order at the end of a transaction. The head is taken once for all of
/// them (its row lock serialises writers on PostgreSQL), so the chain's lock is held for
/// three statements and the commit, whatever the number of events.
pub(crate) async fn append_all(tx: &mut Tx, events: &[NewEvent]) -> Result<()> {
    append_each(tx, events.len(), events.iter()).await
}

/// [`append_all`] of the `n` events `events` makes, made and hashed one statement's worth
/// at a time: an import's half a million events are never all in memory. Fewer or more
/// than `n` is refused (nothing is written: the transaction is not committed).
pub(crate) async fn append_each<E: std::borrow::Borrow<NewEvent>>(
    tx: &mut Tx,
    n: usize,
    events: impl Iterator<Item = E>,
) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    let n = n as i64;
    let (last_seq, mut prev, signed_seq, signature): (i64, String, i64, String) = sqlx::query_as(
        "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, last_hash, signed_seq, signature",
    )
    .bind(n)
    .fetch_one(&mut **tx)
    .await?;
    // The new head is signed only if the old one was: a head that someone rewrote (or that
    // a process without the key moved on) stays unsigned for `chiso verify` to report,
    // instead of being laundered by the next legitimate write.
    let old_seq = last_seq - n;
    let signer = tx.key().filter(|k| {
        (old_seq == 0 && prev.is_empty()) || (signed_seq == old_seq && k.verify_head(old_seq, &prev, &signature))
    });
    let at = now_utc();
    let mut seq = old_seq;
    let mut events = events.peekable();
    // Multi-row inserts, well under SQLite's and PostgreSQL's limits on bound parameters.
    while events.peek().is_some() {
        let mut chunk = Vec::with_capacity(EVENTS_PER_STATEMENT);
        for e in events.by_ref().take(EVENTS_PER_STATEMENT) {
            seq += 1;
            let hash = digest(seq, &at, e.borrow(), &prev);
            chunk.push((seq, e, std::mem::replace(&mut prev, hash.clone()), hash));
        }
        if seq > last_seq {
            break;
        }
        let sql = format!("INSERT INTO audit ({COLUMNS}) VALUES {}", tx.params().rows(11, chunk.len()));
        let mut q = sqlx::query(&sql);
        for (seq, e, prev_hash, hash) in &chunk {
            let e = e.borrow();
            q = q
                .bind(*seq)
                .bind(at.as_str())
                .bind(e.actor.as_str())
                .bind(e.action.as_str())
                .bind(e.entity.as_str())
                .bind(e.old.as_str())
                .bind(e.new.as_str())
                .bind(e.reason.as_str())
                .bind(prev_hash.as_str())
                .bind(hash.as_str())
                .bind(e.detail.as_str());
        }
        q.execute(&mut **tx).await?;
    }
    if seq != last_seq {
        return Err(StoreError::Conflict(format!("{} audit events made, {n} announced", seq - old_seq)));
    }
    match signer {
        Some(k) => {
            sqlx::query("UPDATE audit_head SET last_hash = $1, signed_seq = $2, signature = $3 WHERE id = 1")
                .bind(&prev)
                .bind(last_seq)
                .bind(k.sign_head(last_seq, &prev))
                .execute(&mut **tx)
                .await?
        }
        None => sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1").bind(&prev).execute(&mut **tx).await?,
    };
    Ok(())
}

impl Store {
    /// Records an event on its own (for changes that have no other row to write).
    pub async fn record(&self, e: &NewEvent) -> Result<()> {
        let mut tx = self.write_tx().await?;
        append(&mut tx, e).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Events about entities starting with `prefix`, oldest first.
    pub async fn audit_events(&self, prefix: &str) -> Result<Vec<AuditEvent>> {
        let like = format!("{}%", like_escaped(prefix));
        // SQLite's LIKE cannot use the entity index (it ignores case, the index does not): a
        // unit's page would read a national log of a million events. Its entities compare
        // byte by byte, so the prefix is also a range of the index; LIKE still decides.
        let rows: Vec<Raw> = match (self.backend, prefix_end(prefix)) {
            (crate::Backend::Sqlite, Some(end)) => {
                sqlx::query_as(&format!(
                    "SELECT {COLUMNS} FROM audit WHERE entity >= $1 AND entity < $2 AND entity LIKE $3 ESCAPE '\\' \
                     ORDER BY seq"
                ))
                .bind(prefix)
                .bind(end)
                .bind(like)
                .fetch_all(self.pool())
                .await?
            }
            _ => {
                sqlx::query_as(&format!("SELECT {COLUMNS} FROM audit WHERE entity LIKE $1 ESCAPE '\\' ORDER BY seq"))
                    .bind(like)
                    .fetch_all(self.pool())
                    .await?
            }
        };
        Ok(rows.into_iter().map(event).collect())
    }

    /// Events about one unit's submissions (its answers, comments, evidence and status in
    /// every period), oldest first. The unit is matched exactly: `so-y-te` is not
    /// `so-y-te-moi`.
    pub async fn unit_events(&self, unit: &str) -> Result<Vec<AuditEvent>> {
        let unit_pattern = like_escaped(unit);
        let rows: Vec<Raw> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM audit WHERE entity LIKE $1 ESCAPE '\\' OR entity LIKE $2 ESCAPE '\\' ORDER BY seq"
        ))
        .bind(format!("%/{unit_pattern}"))
        .bind(format!("%/{unit_pattern}/%"))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(event).filter(|e| entity_unit(&e.entity) == Some(unit)).collect())
    }

    /// Walks the whole chain in batches (memory stays flat at any size); returns the number
    /// of events, or the first broken link. A chain that verifies moves the checkpoint
    /// ([`Store::verify_chain_since_checkpoint`]) to its end.
    pub async fn verify_chain(&self) -> Result<std::result::Result<usize, ChainError>> {
        let walked = {
            let mut tx = self.read_tx().await?;
            let walked = walk(self, &mut tx, 0, String::new()).await?;
            tx.commit().await?;
            walked
        };
        Ok(match walked {
            Ok((seq, hash)) => {
                self.set_checkpoint(seq, &hash, false).await;
                Ok(seq as usize)
            }
            Err(e) => Err(e),
        })
    }

    /// Verifies only the events after the last verified one (the checkpoint: its seq and
    /// hash, kept in the database), then moves the checkpoint forward. Without a checkpoint,
    /// or with one that no longer matches its event (a restored database, or that event
    /// altered), the whole chain is verified. Events older than the checkpoint are not read
    /// again: [`Store::verify_chain`] (`chiso verify`) still checks every one.
    pub async fn verify_chain_since_checkpoint(&self) -> Result<std::result::Result<ChainStatus, ChainError>> {
        let mut tx = self.read_tx().await?;
        let checkpoint: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_checkpoint WHERE id = 1").fetch_optional(&mut *tx).await?;
        let start = match checkpoint {
            Some((seq, hash)) if seq > 0 => {
                let at: Option<(String,)> =
                    sqlx::query_as("SELECT hash FROM audit WHERE seq = $1").bind(seq).fetch_optional(&mut *tx).await?;
                at.filter(|(h,)| *h == hash).map(|_| (seq, hash))
            }
            _ => None,
        };
        let from = start.as_ref().map_or(0, |s| s.0);
        let walked = walk(self, &mut tx, from, start.map(|s| s.1).unwrap_or_default()).await?;
        tx.commit().await?;
        Ok(match walked {
            Ok((seq, hash)) => {
                if seq > from {
                    self.set_checkpoint(seq, &hash, from > 0).await;
                }
                Ok(ChainStatus { events: seq as usize, checked: (seq - from) as usize, since: from })
            }
            Err(e) => Err(e),
        })
    }

    /// The checkpoint after a verification; `forward_only`: never moved back (another
    /// server may have verified further). A failure to write it (a read-only database) only
    /// means the next load verifies more.
    async fn set_checkpoint(&self, seq: i64, hash: &str, forward_only: bool) {
        let sql = format!(
            "INSERT INTO audit_checkpoint (id, seq, hash, at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at{}",
            if forward_only { " WHERE audit_checkpoint.seq < excluded.seq" } else { "" }
        );
        let write = async {
            let mut tx = self.write_tx().await?;
            sqlx::query(&sql).bind(seq).bind(hash).bind(now_utc()).execute(&mut *tx).await?;
            tx.commit().await
        };
        // Best effort: the checkpoint only saves work.
        let _ = write.await;
    }
}

/// A chain verified from its checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainStatus {
    /// Events in the chain.
    pub events: usize,
    /// Events verified now (the ones after the checkpoint; all of them without one).
    pub checked: usize,
    /// The checkpoint's seq the verification started after (0: from the first event).
    pub since: i64,
}

/// Events read at a time while walking the chain.
const BATCH: i64 = 5_000;

/// Walks the events after `from` (whose hash is `prev`) to the head, in one snapshot:
/// every seq present, each following the one before, each hash its content's, the head's
/// hash the last one's. Returns the last seq and hash.
async fn walk(
    store: &Store,
    tx: &mut Tx,
    from: i64,
    prev: String,
) -> Result<std::result::Result<(i64, String), ChainError>> {
    // On SQLite the rows are read on a connection of the walk's own (see `sqlite_snapshot.rs`):
    // sqlx hands them over one at a time between threads, 6 µs an event.
    if let Some(path) = store.sqlite_path() {
        let (path, prev_copy) = (path.to_path_buf(), prev.clone());
        let fast = tokio::task::spawn_blocking(move || crate::sqlite_snapshot::walk(&path, from, prev_copy)).await;
        if let Ok(Ok(walked)) = fast {
            return Ok(walked);
        }
        // It could not read (a file it may not open): the pool's connections can.
    }
    let mut link = Link::after(from, prev);
    loop {
        let rows: Vec<Raw> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM audit WHERE seq > $1 ORDER BY seq LIMIT {BATCH}"))
                .bind(link.expected - 1)
                .fetch_all(&mut **tx)
                .await?;
        let done = (rows.len() as i64) < BATCH;
        for r in &rows {
            if let Err(e) = link.next(r.0, &r.1, [&r.2, &r.3, &r.4, &r.5, &r.6, &r.7], &r.8, &r.9, &r.10) {
                return Ok(Err(e));
            }
        }
        if done {
            break;
        }
    }
    let (head,): (String,) =
        sqlx::query_as("SELECT last_hash FROM audit_head WHERE id = 1").fetch_one(&mut **tx).await?;
    Ok(link.end(&head))
}

/// The chain's links checked one event at a time, oldest first.
pub(crate) struct Link {
    /// The seq the next event must have.
    expected: i64,
    /// The hash of the event before it.
    prev: String,
}

impl Link {
    /// After the event `from` (0: none), whose hash is `prev`.
    pub(crate) fn after(from: i64, prev: String) -> Link {
        Link { expected: from + 1, prev }
    }

    /// The next event, as stored: it must be the next seq, follow the one before, and its
    /// hash be its content's.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn next(
        &mut self,
        seq: i64,
        at: &str,
        fields: [&str; 6],
        prev_hash: &str,
        hash: &str,
        detail: &str,
    ) -> std::result::Result<(), ChainError> {
        let expected = self.expected;
        if seq != expected {
            return Err(ChainError { seq: expected, problem: format!("event {expected} is missing") });
        }
        if prev_hash != self.prev {
            return Err(ChainError { seq, problem: "does not follow the previous event".into() });
        }
        if digest_of(seq, at, fields, prev_hash, detail) != hash {
            return Err(ChainError { seq, problem: "its content was changed".into() });
        }
        self.prev.clear();
        self.prev.push_str(hash);
        self.expected += 1;
        Ok(())
    }

    /// The walk reached the head, whose hash is `head`: the last seq and hash, unless events
    /// after the last one read were deleted.
    pub(crate) fn end(self, head: &str) -> std::result::Result<(i64, String), ChainError> {
        if head != self.prev {
            return Err(ChainError { seq: self.expected, problem: "events after it were deleted".into() });
        }
        Ok((self.expected - 1, self.prev))
    }
}

/// `%`, `_` and the escape character itself taken literally in a LIKE pattern (`ESCAPE '\'`).
/// The least string above every string that starts with `prefix`, byte by byte: its last
/// character moved up one (an ASCII one; `None` otherwise, or for an empty prefix).
pub(crate) fn prefix_end(prefix: &str) -> Option<String> {
    let last = prefix.chars().last().filter(|c| *c < '\u{7f}')?;
    let mut end = prefix[..prefix.len() - 1].to_string();
    end.push(char::from(last as u8 + 1));
    Some(end)
}

pub(crate) fn like_escaped(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The unit of a submission's entity: `answer|comment|evidence|submission/<year>/<kind>/<unit>[/…]`.
pub(crate) fn entity_unit(entity: &str) -> Option<&str> {
    let mut parts = entity.split('/');
    let kind = parts.next()?;
    if !matches!(kind, "answer" | "comment" | "evidence" | "submission") {
        return None;
    }
    parts.nth(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_is_matched_exactly_and_wildcards_are_literal() {
        assert_eq!(entity_unit("answer/2021/department/so-y-te/infra"), Some("so-y-te"));
        assert_eq!(entity_unit("submission/2021/department/so-y-te-moi"), Some("so-y-te-moi"));
        assert_eq!(entity_unit("document/units"), None);
        assert_eq!(entity_unit("user/yte"), None);
        assert_eq!(like_escaped("a_b%c\\d"), "a\\_b\\%c\\\\d");
    }

    #[test]
    fn a_prefix_is_a_range_of_the_index() {
        let p = "answer/2024/commune/dv0001/";
        let end = prefix_end(p).unwrap();
        assert_eq!(end, "answer/2024/commune/dv00010");
        for inside in [p.to_string(), format!("{p}c001"), format!("{p}~"), format!("{p}Đ")] {
            assert!(inside.as_str() >= p && inside < end, "{inside}");
        }
        for outside in ["answer/2024/commune/dv0001", "answer/2024/commune/dv00010/c001", "answer/2024/commune/dv0002/"]
        {
            assert!(!(outside >= p && outside < end.as_str()), "{outside}");
        }
        assert_eq!(prefix_end(""), None);
        assert_eq!(prefix_end("đơn vị Đ"), None, "not after a non-ASCII character");
    }

    #[test]
    fn an_events_hash_is_its_length_prefixed_fields() {
        let e = NewEvent::new("admin", "answer.set", "answer/2023/commune/dv0001/c001", "", "0.5", "Nhập từ tệp");
        let at = "2026-12-07T00:00:00Z";
        // sha256 over each field's length (8 bytes, big-endian) and bytes, computed apart.
        assert_eq!(digest(7, at, &e, "abc"), "d94a3500362c58da3a52bedba59a27f9eae4c5c47464ab86738b988937d39bb1");
        let e = e.with_detail(serde_json::json!({ "note": "" }));
        assert_eq!(digest(7, at, &e, "abc"), "e7539781e5205ebeaa19629ee28a4c5556763105b634a32e48c1bec74170bf4a");
    }

    #[test]
    fn hashes_are_lower_case_hexadecimal() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}

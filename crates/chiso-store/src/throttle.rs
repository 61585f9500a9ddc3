//! Login throttling, kept in the database so that every server of a deployment and the CLI
//! (`chiso user unlock`) see one state.
//!
//! An attempt is charged to its counters *before* its password is checked, in one
//! transaction (rows locked on PostgreSQL, the single writer on SQLite): of any number of
//! simultaneous attempts, only as many as the counters allow are ever checked. Past a
//! counter's threshold each further failure blocks it for a growing delay (30 s, doubling,
//! at most 15 minutes); a blocked attempt is refused unchecked and not counted. Nothing is
//! locked for good: the delays run out, and `unlock` clears a user's counters at once.

use crate::audit::{NewEvent, append};
use crate::clock::unix_now;
use crate::{Backend, Result, Store};

/// The first delay past a threshold, in seconds; it doubles with each further failure.
pub const FIRST_DELAY: i64 = 30;
/// The longest delay, in seconds.
pub const MAX_DELAY: i64 = 15 * 60;
/// A counter left alone this long, and not blocking, is forgotten (starts again from zero).
pub const FORGET_AFTER: i64 = 24 * 3600;

/// One counter an attempt is charged to.
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleKey {
    /// What is counted, e.g. the user name, the client address, or both.
    pub key: String,
    /// The (normalised) user name it belongs to, if any: `unlock` clears these.
    pub username: Option<String>,
    /// Failures allowed before delays begin.
    pub threshold: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Counted: check the password now.
    Admitted,
    /// Refused without checking, until this Unix time.
    Blocked { until: i64 },
}

/// The delay after the `n`-th failure past the threshold (`n` from 0).
pub fn delay(n: i64) -> i64 {
    FIRST_DELAY.saturating_mul(1i64 << n.clamp(0, 30)).min(MAX_DELAY)
}

/// A user name whose logins are delayed, and when the delay ends (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldBack {
    pub username: String,
    pub until: i64,
}

impl Store {
    /// Charges an attempt to each counter, as a failure until [`Store::login_succeeded`]
    /// says otherwise. Refuses (and charges nothing) if any counter is blocked. Give the
    /// keys in the same order every time (rows are locked in that order).
    pub async fn login_attempt(&self, keys: &[ThrottleKey]) -> Result<Admission> {
        let now = unix_now();
        // Now and then, outside the attempt's transaction (so that it never holds rows an
        // attempt waits for), forgotten counters are deleted; an error here changes nothing.
        if std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).is_ok_and(|d| d.subsec_nanos() % 64 == 0)
        {
            let _ = sqlx::query("DELETE FROM login_throttle WHERE updated_at < $1 AND blocked_until <= $2")
                .bind(now - FORGET_AFTER)
                .bind(now)
                .execute(self.pool())
                .await;
        }
        let mut tx = self.write_tx().await?;
        let lock = if self.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
        let mut counts = Vec::with_capacity(keys.len());
        for k in keys {
            sqlx::query(
                "INSERT INTO login_throttle (key, username, failures, blocked_until, updated_at) \
                 VALUES ($1, $2, 0, 0, $3) ON CONFLICT (key) DO NOTHING",
            )
            .bind(&k.key)
            .bind(k.username.clone())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let (failures, blocked_until, updated_at): (i64, i64, i64) = sqlx::query_as(&format!(
                "SELECT failures, blocked_until, updated_at FROM login_throttle WHERE key = $1{lock}"
            ))
            .bind(&k.key)
            .fetch_one(&mut *tx)
            .await?;
            let forgotten = updated_at < now - FORGET_AFTER && blocked_until <= now;
            counts.push((if forgotten { 0 } else { failures }, blocked_until));
        }
        if let Some(until) = counts.iter().map(|c| c.1).filter(|until| *until > now).max() {
            return Ok(Admission::Blocked { until }); // dropped: rolled back
        }
        for (k, (failures, _)) in keys.iter().zip(counts) {
            let failures = failures + 1;
            let blocked_until = if failures >= k.threshold { now + delay(failures - k.threshold) } else { 0 };
            sqlx::query("UPDATE login_throttle SET failures = $1, blocked_until = $2, updated_at = $3 WHERE key = $4")
                .bind(failures)
                .bind(blocked_until)
                .bind(now)
                .bind(&k.key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Admission::Admitted)
    }

    /// The password was right: the counters in `clear` start again; those in `refund` (the
    /// client address) get back the one attempt they were charged, so that logging in to
    /// one's own account between guesses does not wipe an address's failures.
    pub async fn login_succeeded(&self, clear: &[ThrottleKey], refund: &[ThrottleKey]) -> Result<()> {
        let mut tx = self.write_tx().await?;
        for k in clear {
            sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(&k.key).execute(&mut *tx).await?;
        }
        for k in refund {
            sqlx::query(
                "UPDATE login_throttle SET failures = failures - 1, \
                 blocked_until = CASE WHEN failures - 1 < $1 THEN 0 ELSE blocked_until END \
                 WHERE key = $2 AND failures > 0",
            )
            .bind(k.threshold)
            .bind(&k.key)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// User names held back now, each with the Unix time its last delay ends.
    /// Names whose logins are delayed now, each with when the delay ends (Unix seconds).
    pub async fn held_back(&self) -> Result<Vec<HeldBack>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT username, MAX(blocked_until) FROM login_throttle WHERE username IS NOT NULL AND blocked_until > $1 \
             GROUP BY username ORDER BY username",
        )
        .bind(unix_now())
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|(username, until)| HeldBack { username, until }).collect())
    }

    /// Clears every login counter of this (normalised) user name, on the record. Returns how
    /// many there were.
    pub async fn unlock_user(&self, username: &str, actor: &str) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        let n = sqlx::query("DELETE FROM login_throttle WHERE username = $1")
            .bind(username)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        append(
            &mut tx,
            &NewEvent::new(actor, "user.unlock", format!("user/{username}"), format!("{n} login counters"), "", ""),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stop_growing() {
        assert_eq!((0..7).map(delay).collect::<Vec<_>>(), [30, 60, 120, 240, 480, 900, 900]);
        assert_eq!(delay(1_000), MAX_DELAY);
    }
}

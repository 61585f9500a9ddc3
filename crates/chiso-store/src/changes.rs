//! What changed in the database since a server last looked, for its caches: several
//! `chiso serve` processes on one database each keep the parsed catalogue, the public pages
//! and the report files' state, and forget them when another process changes what they
//! come from.
//!
//! No table of its own: every change is recorded as an audit event in the same transaction,
//! and the audit head's sequence number moves with it (one row, read cheaply and often). When
//! it moved, the events since say what changed. Commits reach the head in sequence order (the
//! head row is locked by each append until its commit), so reading the head first and then
//! the events up to it never skips one.

use crate::{Result, Store};

/// The actions whose events change what caches hold: published results, the catalogue's
/// documents (frameworks, units, report settings), periods, and a restored database.
pub const CACHED_ACTIONS: &[&str] = &[
    "results.publish",
    "document.put",
    "document.delete",
    "period.create",
    "period.status",
    "period.remove",
    "database.restore",
];

/// One recorded change that caches depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    /// One of [`CACHED_ACTIONS`].
    pub action: String,
    /// `results/<year>/<kind>`, `document/<name>`, `period/<year>/<kind>`, `database`.
    pub entity: String,
}

impl Change {
    /// The year a publication or a period change concerns, if the entity names one.
    pub fn year(&self) -> Option<i32> {
        let mut parts = self.entity.split('/');
        match (parts.next(), parts.next()) {
            (Some("results" | "period"), Some(year)) => year.parse().ok(),
            _ => None,
        }
    }
}

impl Store {
    /// Whether [`Store::close`] was called: a background task following changes stops.
    pub fn is_closed(&self) -> bool {
        self.pool().is_closed()
    }

    /// Every evidence file the database cites (content hashes, each once, in order): what a
    /// backup copies out of an object store.
    pub async fn evidence_hashes(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT sha256 FROM evidence ORDER BY sha256").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }

    /// The sequence number of the last recorded change (the audit head's).
    pub async fn change_seq(&self) -> Result<i64> {
        let (seq,): (i64,) = sqlx::query_as("SELECT seq FROM audit_head WHERE id = 1").fetch_one(self.pool()).await?;
        Ok(seq)
    }

    /// The changes caches depend on after `after` up to `upto` (sequence numbers from
    /// [`Store::change_seq`]), in order.
    pub async fn changes_between(&self, after: i64, upto: i64) -> Result<Vec<Change>> {
        let placeholders: Vec<String> = (0..CACHED_ACTIONS.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT seq, action, entity FROM audit WHERE seq > $1 AND seq <= $2 AND action IN ({}) ORDER BY seq",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, (i64, String, String)>(&sql).bind(after).bind(upto);
        for action in CACHED_ACTIONS {
            query = query.bind(*action);
        }
        let rows = query.fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|(seq, action, entity)| Change { seq, action, entity }).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_names_its_year() {
        let c = |entity: &str| Change { seq: 1, action: "results.publish".into(), entity: entity.into() };
        assert_eq!(c("results/2020/department").year(), Some(2020));
        assert_eq!(c("period/2019/commune").year(), Some(2019));
        assert_eq!(c("document/units.toml").year(), None);
        assert_eq!(c("database").year(), None);
    }
}

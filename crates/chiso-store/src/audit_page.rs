//! The audit log a page at a time: newest first, keyset-paged by `seq` (a page costs the
//! same at the millionth event as at the first), filtered by who, what, which unit, which
//! year and when.

use crate::audit::{COLUMNS, Raw, entity_unit, event, like_escaped, prefix_end};
use crate::{AuditEvent, Result, Store};

/// What an auditor narrows the log to; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Entities starting with it (`answer/2021/`, `user/`).
    pub prefix: String,
    /// Exactly this user name.
    pub actor: Option<String>,
    /// Exactly this action code (`answer.set`).
    pub action: Option<String>,
    /// A unit's submissions (its answers, comments, evidence and status), matched exactly.
    pub unit: Option<String>,
    /// Events about this year (its period, results, submissions, report settings).
    pub year: Option<i32>,
    /// From this day (`YYYY-MM-DD`, UTC, inclusive).
    pub from: Option<String>,
    /// To this day (`YYYY-MM-DD`, UTC, inclusive).
    pub to: Option<String>,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditCursor {
    /// The newest events.
    Newest,
    /// The events just older than this seq.
    Before(i64),
    /// The events just newer than this seq.
    After(i64),
}

/// A page of events, newest first, with the cursors of the pages beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    /// `Before(older)` gives the next older page, if there is one.
    pub older: Option<i64>,
    /// `After(newer)` gives the next newer page, if there is one.
    pub newer: Option<i64>,
}

/// The year an entity is about: `answer|comment|evidence|submission|period|results/<year>/…`,
/// `document/report/<year>`.
fn entity_year(entity: &str) -> Option<i32> {
    let parts: Vec<&str> = entity.split('/').collect();
    match parts[..] {
        ["answer" | "comment" | "evidence" | "submission" | "period" | "results", year, ..] => year.parse().ok(),
        ["document", "report", year] => year.parse().ok(),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Older,
    Newer,
}

impl AuditFilter {
    /// Whether the event passes the parts SQL only approximates (unit, year).
    fn exact(&self, e: &AuditEvent) -> bool {
        self.unit.as_deref().is_none_or(|u| entity_unit(&e.entity) == Some(u))
            && self.year.is_none_or(|y| entity_year(&e.entity) == Some(y))
    }

    /// Conditions and their values, numbered from `$1`.
    fn sql(&self) -> (Vec<String>, Vec<String>) {
        let mut conds = Vec::new();
        let mut binds = Vec::new();
        let mut add = |cond: &str, values: Vec<String>| {
            let mut cond = cond.to_string();
            for (i, v) in values.into_iter().enumerate() {
                cond = cond.replace(&format!("${}", i + 1), &format!("#{}", binds.len() + 1));
                binds.push(v);
            }
            conds.push(cond.replace('#', "$"));
        };
        if !self.prefix.is_empty() {
            add("entity LIKE $1 ESCAPE '\\'", vec![format!("{}%", like_escaped(&self.prefix))]);
        }
        if let Some(actor) = &self.actor {
            add("actor = $1", vec![actor.clone()]);
        }
        if let Some(action) = &self.action {
            add("action = $1", vec![action.clone()]);
        }
        if let Some(unit) = &self.unit {
            let u = like_escaped(unit);
            add(
                "(entity LIKE $1 ESCAPE '\\' OR entity LIKE $2 ESCAPE '\\')",
                vec![format!("%/{u}"), format!("%/{u}/%")],
            );
        }
        if let Some(year) = self.year {
            add("(entity LIKE $1 OR entity LIKE $2)", vec![format!("%/{year}/%"), format!("%/{year}")]);
        }
        if let Some(from) = &self.from {
            add("substr(at, 1, 10) >= $1", vec![from.clone()]);
        }
        if let Some(to) = &self.to {
            add("substr(at, 1, 10) <= $1", vec![to.clone()]);
        }
        (conds, binds)
    }
}

impl Store {
    /// A page of at most `size` events passing `filter`, newest first.
    pub async fn audit_page(&self, filter: &AuditFilter, cursor: AuditCursor, size: usize) -> Result<AuditPage> {
        let size = size.max(1);
        let (mut events, more) = match cursor {
            AuditCursor::Newest => self.audit_scan(filter, Direction::Older, i64::MAX, size + 1).await?,
            AuditCursor::Before(seq) => self.audit_scan(filter, Direction::Older, seq, size + 1).await?,
            AuditCursor::After(seq) => self.audit_scan(filter, Direction::Newer, seq, size + 1).await?,
        }
        .split_more(size);
        if matches!(cursor, AuditCursor::After(_)) {
            events.reverse();
        }
        let (first, last) = match (events.first(), events.last()) {
            (Some(f), Some(l)) => (f.seq, l.seq),
            _ => return Ok(AuditPage { events, older: None, newer: None }),
        };
        // More in the direction read is known; the other side is asked for one event.
        let older = match cursor {
            AuditCursor::After(_) => !self.audit_scan(filter, Direction::Older, last, 1).await?.is_empty(),
            _ => more,
        };
        let newer = match cursor {
            AuditCursor::Newest => false,
            AuditCursor::Before(_) => !self.audit_scan(filter, Direction::Newer, first, 1).await?.is_empty(),
            AuditCursor::After(_) => more,
        };
        Ok(AuditPage { events, older: older.then_some(last), newer: newer.then_some(first) })
    }

    /// Up to `want` events passing `filter` beyond `bound` in `direction`, nearest first.
    /// Rows SQL only approximates (unit, year) are checked exactly, reading further batches
    /// until enough pass.
    async fn audit_scan(
        &self,
        filter: &AuditFilter,
        direction: Direction,
        mut bound: i64,
        want: usize,
    ) -> Result<Vec<AuditEvent>> {
        let (mut conds, mut binds) = filter.sql();
        let approximate = filter.unit.is_some() || filter.year.is_some();
        let batch = if approximate { want.max(500) } else { want };
        let (op, order) = match direction {
            Direction::Older => ("<", "DESC"),
            Direction::Newer => (">", "ASC"),
        };
        // `seq`, or for a unit `+seq`: its entities as ranges of the entity index (each
        // period's four kinds of entity), read through that index and sorted, not the whole
        // log read in order with `LIKE '%/unit'` (200 ms to seconds on a national log). On
        // SQLite a range of bytes; on PostgreSQL a `LIKE` prefix, which its index ordered by
        // bytes serves (migration 0007).
        let mut seq = "seq";
        if let Some(unit) = &filter.unit {
            let periods = self.periods().await?;
            let mut ranges = Vec::new();
            for p in &periods {
                for kind in ["answer", "comment", "evidence", "submission"] {
                    let entity = format!("{kind}/{}/{}/{unit}", p.year, p.kind);
                    let under = format!("{entity}/");
                    let n = binds.len();
                    match self.backend {
                        crate::Backend::Sqlite => {
                            let Some(end) = prefix_end(&under) else { continue };
                            ranges.push(format!(
                                "entity = ${} OR (entity >= ${} AND entity < ${})",
                                n + 1,
                                n + 2,
                                n + 3
                            ));
                            binds.extend([entity, under, end]);
                        }
                        crate::Backend::Postgres => {
                            ranges.push(format!("entity = ${} OR entity LIKE ${} ESCAPE '\\'", n + 1, n + 2));
                            binds.extend([entity, format!("{}%", like_escaped(&under))]);
                        }
                    }
                }
            }
            if !ranges.is_empty() {
                conds.push(format!("({})", ranges.join(" OR ")));
                seq = "+seq";
            }
        }
        conds.push(format!("{seq} {op} ${}", binds.len() + 1));
        let sql =
            format!("SELECT {COLUMNS} FROM audit WHERE {} ORDER BY {seq} {order} LIMIT {batch}", conds.join(" AND "));
        let mut out = Vec::new();
        loop {
            let mut q = sqlx::query_as::<_, Raw>(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.bind(bound).fetch_all(self.pool()).await?;
            let full = rows.len() == batch;
            for e in rows.into_iter().map(event) {
                bound = e.seq;
                if filter.exact(&e) {
                    out.push(e);
                    if out.len() == want {
                        return Ok(out);
                    }
                }
            }
            if !full {
                return Ok(out);
            }
        }
    }
}

trait SplitMore {
    fn split_more(self, size: usize) -> (Vec<AuditEvent>, bool);
}

impl SplitMore for Vec<AuditEvent> {
    /// The first `size` events, and whether there were more.
    fn split_more(mut self, size: usize) -> (Vec<AuditEvent>, bool) {
        let more = self.len() > size;
        self.truncate(size);
        (self, more)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_read_from_the_entity_not_guessed() {
        assert_eq!(entity_year("answer/2021/department/so-y-te/infra"), Some(2021));
        assert_eq!(entity_year("results/2020/commune"), Some(2020));
        assert_eq!(entity_year("document/report/2019"), Some(2019));
        assert_eq!(entity_year("user/nam2021"), None);
        assert_eq!(entity_year("document/framework/cao-bang-2021"), None);
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        let f = AuditFilter {
            actor: Some("admin".into()),
            unit: Some("so-y-te".into()),
            to: Some("2026-12-31".into()),
            ..Default::default()
        };
        let (conds, binds) = f.sql();
        assert_eq!(
            conds,
            vec![
                "actor = $1".to_string(),
                "(entity LIKE $2 ESCAPE '\\' OR entity LIKE $3 ESCAPE '\\')".to_string(),
                "substr(at, 1, 10) <= $4".to_string()
            ]
        );
        assert_eq!(binds.len(), 4);
    }
}

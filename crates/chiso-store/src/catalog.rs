//! Documents (the unit registry, frameworks, report settings, published history, all
//! in their file formats) and periods.

use crate::audit::{NewEvent, append};
use crate::{Result, Store, StoreError};
use chiso_domain::PeriodStatus;

#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRow {
    pub year: i32,
    pub kind: String,
    pub framework: String,
    pub deadline: Option<String>,
    pub status: PeriodStatus,
}

type Raw = (i64, String, String, Option<String>, String);

/// What a period holds that forbids removing it: the counts of its submissions (a draft or
/// more), evidence files, comments and published versions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodUse {
    pub submissions: i64,
    pub evidence: i64,
    pub comments: i64,
    pub published: i64,
}

impl PeriodUse {
    pub fn is_empty(&self) -> bool {
        *self == PeriodUse::default()
    }
}

fn period(r: Raw) -> Result<PeriodRow> {
    let status = PeriodStatus::parse(&r.4).ok_or_else(|| StoreError::Corrupt(format!("period status {:?}", r.4)))?;
    Ok(PeriodRow { year: r.0 as i32, kind: r.1, framework: r.2, deadline: r.3, status })
}

impl Store {
    /// Creates or replaces a document, on the record.
    pub async fn put_document(&self, name: &str, body: &str, actor: &str, reason: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let old: Option<(String,)> =
            sqlx::query_as("SELECT body FROM documents WHERE name = $1").bind(name).fetch_optional(&mut *tx).await?;
        if old.as_ref().is_some_and(|o| o.0 == body) {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO documents (name, body) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET body = excluded.body",
        )
        .bind(name)
        .bind(body)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &NewEvent::new(
                actor,
                "document.put",
                format!("document/{name}"),
                old.map(|o| o.0).unwrap_or_default(),
                body,
                reason,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn document(&self, name: &str) -> Result<Option<String>> {
        Ok(sqlx::query_as::<_, (String,)>("SELECT body FROM documents WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.0))
    }

    /// Documents whose name starts with `prefix`, by name.
    pub async fn documents(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT name, body FROM documents WHERE name LIKE $1 ORDER BY name")
            .bind(format!("{prefix}%"))
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn create_period(&self, p: &PeriodRow, actor: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let exists: Option<(i64,)> = sqlx::query_as("SELECT year FROM periods WHERE year = $1 AND kind = $2")
            .bind(i64::from(p.year))
            .bind(&p.kind)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!("period {} {} exists", p.year, p.kind)));
        }
        sqlx::query("INSERT INTO periods (year, kind, framework, deadline, status) VALUES ($1, $2, $3, $4, $5)")
            .bind(i64::from(p.year))
            .bind(&p.kind)
            .bind(&p.framework)
            .bind(&p.deadline)
            .bind(p.status.as_str())
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &NewEvent::new(
                actor,
                "period.create",
                format!("period/{}/{}", p.year, p.kind),
                String::new(),
                format!("{} {} {}", p.framework, p.deadline.clone().unwrap_or_default(), p.status),
                String::new(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn periods(&self) -> Result<Vec<PeriodRow>> {
        let rows: Vec<Raw> =
            sqlx::query_as("SELECT year, kind, framework, deadline, status FROM periods ORDER BY year DESC, kind")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter().map(period).collect()
    }

    pub async fn period(&self, year: i32, kind: &str) -> Result<Option<PeriodRow>> {
        let row: Option<Raw> =
            sqlx::query_as("SELECT year, kind, framework, deadline, status FROM periods WHERE year = $1 AND kind = $2")
                .bind(i64::from(year))
                .bind(kind)
                .fetch_optional(self.pool())
                .await?;
        row.map(period).transpose()
    }

    pub async fn set_period_status(
        &self,
        year: i32,
        kind: &str,
        status: PeriodStatus,
        actor: &str,
        reason: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let old: Option<(String,)> = sqlx::query_as("SELECT status FROM periods WHERE year = $1 AND kind = $2")
            .bind(i64::from(year))
            .bind(kind)
            .fetch_optional(&mut *tx)
            .await?;
        let old = old.ok_or(StoreError::NotFound)?.0;
        sqlx::query("UPDATE periods SET status = $1 WHERE year = $2 AND kind = $3")
            .bind(status.as_str())
            .bind(i64::from(year))
            .bind(kind)
            .execute(&mut *tx)
            .await?;
        let event =
            NewEvent::new(actor, "period.status", format!("period/{year}/{kind}"), old, status.as_str(), reason);
        append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a period that holds nothing (no submission, evidence, comment or published
    /// version: checked inside the transaction), with its units' extensions, on the record
    /// (`document.delete` for each extension, then `period.remove` with the reason). Returns
    /// what it holds, and removes nothing, when it holds something; `NotFound` without it.
    pub async fn remove_period(&self, year: i32, kind: &str, actor: &str, reason: &str) -> Result<PeriodUse> {
        let mut tx = self.write_tx().await?;
        let row: Option<Raw> =
            sqlx::query_as("SELECT year, kind, framework, deadline, status FROM periods WHERE year = $1 AND kind = $2")
                .bind(i64::from(year))
                .bind(kind)
                .fetch_optional(&mut *tx)
                .await?;
        let p = period(row.ok_or(StoreError::NotFound)?)?;
        let mut used = PeriodUse::default();
        for (table, n) in [
            ("submissions", &mut used.submissions),
            ("evidence", &mut used.evidence),
            ("comments", &mut used.comments),
            ("snapshots", &mut used.published),
        ] {
            let (count,): (i64,) =
                sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE year = $1 AND kind = $2"))
                    .bind(i64::from(year))
                    .bind(kind)
                    .fetch_one(&mut *tx)
                    .await?;
            *n = count;
        }
        if !used.is_empty() {
            return Ok(used);
        }
        let prefix = format!("exception/{year}/{kind}/");
        let extensions: Vec<(String, String)> =
            sqlx::query_as("SELECT name, body FROM documents WHERE name LIKE $1 ORDER BY name")
                .bind(format!("{prefix}%"))
                .fetch_all(&mut *tx)
                .await?;
        for (name, body) in extensions.iter().filter(|(n, _)| n.starts_with(&prefix)) {
            sqlx::query("DELETE FROM documents WHERE name = $1").bind(name).execute(&mut *tx).await?;
            let e = NewEvent::new(actor, "document.delete", format!("document/{name}"), body.clone(), "", reason);
            append(&mut tx, &e).await?;
        }
        sqlx::query("DELETE FROM periods WHERE year = $1 AND kind = $2")
            .bind(i64::from(year))
            .bind(kind)
            .execute(&mut *tx)
            .await?;
        let old = format!("{} {} {}", p.framework, p.deadline.clone().unwrap_or_default(), p.status);
        append(&mut tx, &NewEvent::new(actor, "period.remove", format!("period/{year}/{kind}"), old, "", reason))
            .await?;
        tx.commit().await?;
        Ok(used)
    }
}

//! What the pages, the API and the command line read, with who may read it checked here:
//! periods and what was published of them (public), a unit's submission (its reporters and
//! the province's staff), evidence files, the audit trail, accounts, the catalogue's
//! documents.

use crate::{Actor, App, Catalog, Error, Result};
use chiso_domain::{SubmissionKey, SubmissionStatus, UnitId};
use chiso_store::{
    AnswerRow, AuditCursor, AuditFilter, AuditPage, ChainError, ChainStatus, CommentRow, EvidenceRow, HeldBack,
    PeriodRow, Role, SnapshotRow, TokenRow, UnitAnswer, UserRow,
};
use std::collections::HashMap;

/// A period on the home page: its latest published version, and whether its year has a report.
#[derive(Debug, Clone)]
pub struct PeriodOverview {
    pub period: PeriodRow,
    pub version: Option<i64>,
    pub has_report: bool,
}

/// A published period: its row and its latest snapshot.
#[derive(Debug, Clone)]
pub struct Published {
    pub period: PeriodRow,
    pub snapshot: SnapshotRow,
}

/// A unit's submission as its form and its review show it.
#[derive(Debug, Clone)]
pub struct SubmissionView {
    pub period: PeriodRow,
    /// `Draft` when nothing was saved yet.
    pub status: SubmissionStatus,
    /// Something was saved.
    pub exists: bool,
    /// The unit's deadline: its extension where granted, else the period's.
    pub deadline: Option<String>,
    pub answers: Vec<AnswerRow>,
    pub evidence: Vec<EvidenceRow>,
    pub comments: Vec<CommentRow>,
    /// Every criterion's conversation (adjustments with their reasons, questions, replies),
    /// oldest first; [`SubmissionView::thread`] gives one criterion's.
    pub conversation: Vec<crate::ThreadEntry>,
}

impl SubmissionView {
    /// One criterion's conversation, oldest first.
    pub fn thread<'a>(&'a self, criterion: &'a str) -> impl Iterator<Item = &'a crate::ThreadEntry> + 'a {
        self.conversation.iter().filter(move |e| e.criterion == criterion)
    }
}

/// A page of the audit trail and whether its hash chain verifies.
#[derive(Debug, Clone)]
pub struct AuditTrail {
    /// From the checkpoint, or every event when the full verification was asked for.
    pub chain: std::result::Result<ChainStatus, ChainError>,
    pub page: AuditPage,
}

/// Events on a page of the audit trail.
pub const AUDIT_PAGE: usize = 100;

/// How much of the chain a look at the audit trail verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainCheck {
    /// The events after the last verified one (a page load).
    SinceCheckpoint,
    /// Every event (the administrator's button; `chiso verify`).
    Full,
}

/// The administrator's view of the accounts.
#[derive(Debug, Clone)]
pub struct Accounts {
    pub users: Vec<UserRow>,
    pub tokens: Vec<TokenRow>,
    /// Names whose logins are delayed, with when the delay ends.
    pub held_back: Vec<HeldBack>,
}

/// One line of someone's work list: a unit of a period and its submission's status.
#[derive(Debug, Clone)]
pub struct WorkItem {
    pub period: PeriodRow,
    pub unit: UnitId,
    pub status: Option<SubmissionStatus>,
    /// The unit's deadline: its extension where granted, else the period's.
    pub deadline: Option<String>,
}

/// How long a parsed catalogue is reused without reading its documents again.
pub const CATALOG_TTL: std::time::Duration = std::time::Duration::from_secs(1);
/// How long a period's published version is reused without asking the database again: a
/// unit's page asks it for every year, and on PostgreSQL each ask is a round trip. A
/// publication here or on another server (the change counter) clears it at once.
pub const VERSION_TTL: std::time::Duration = std::time::Duration::from_secs(1);

impl App {
    /// The frameworks and the unit registry as stored: reused for up to [`CATALOG_TTL`]
    /// (another server's change is seen within that time, this one's at once), then read
    /// again and parsed only if a document changed. One request reads it again while the
    /// others go on with the catalogue read a second ago: at national size, every request
    /// reading its 0,4 MB of documents at once stalled the pages at each second (p99 on
    /// PostgreSQL 56–67 ms, 32–34 ms without).
    pub async fn catalog(&self) -> Result<std::sync::Arc<Catalog>> {
        self.catalog.get_or_build(&(), || Catalog::load(&self.store)).await
    }

    /// A period's figures as counted and scored now, for the province's staff.
    pub async fn scored(
        &self,
        actor: &Actor,
        year: i32,
        kind: &str,
    ) -> Result<(std::sync::Arc<Catalog>, std::sync::Arc<crate::catalog::Scored>)> {
        actor.require(&[Role::Admin, Role::Assessor, Role::Viewer])?;
        let scored = self.scored_now(year, kind).await?.ok_or_else(Error::not_found)?;
        Ok((self.catalog().await?, scored))
    }

    pub async fn periods(&self) -> Result<Vec<PeriodRow>> {
        Ok(self.store.periods().await?)
    }

    pub async fn period(&self, year: i32, kind: &str) -> Result<PeriodRow> {
        self.store.period(year, kind).await?.ok_or_else(Error::not_found)
    }

    /// Every period with its published version and whether its year has a report.
    pub async fn period_overview(&self) -> Result<Vec<PeriodOverview>> {
        let reports: Vec<String> = self.store.documents("report/").await?.into_iter().map(|(n, _)| n).collect();
        let mut out = Vec::new();
        for period in self.store.periods().await? {
            let version = self.store.published_version(period.year, &period.kind).await?;
            // The province's settings for the year, or neutral ones once a period is published.
            let has_report = reports.contains(&format!("report/{}", period.year)) || version.is_some();
            out.push(PeriodOverview { period, version, has_report });
        }
        Ok(out)
    }

    /// The number of a period's latest published version (one small query, or none within a
    /// second of the last; a publication is seen at once here, within the change counter's
    /// 250 ms on another server).
    pub async fn published_version(&self, year: i32, kind: &str) -> Result<Option<i64>> {
        let read = || async { Ok(self.store.published_version(year, kind).await?) };
        self.versions.get_or_build(&(year, kind.to_string()), read).await
    }

    /// The latest snapshot of a period, if it was published.
    pub async fn latest_snapshot(&self, year: i32, kind: &str) -> Result<Option<SnapshotRow>> {
        Ok(self.store.latest_snapshot(year, kind).await?)
    }

    /// The latest published results of a period; `NotFound` until it is published.
    pub async fn published(&self, year: i32, kind: &str) -> Result<Published> {
        let snapshot = self.store.latest_snapshot(year, kind).await?.ok_or_else(Error::not_found)?;
        Ok(Published { period: self.period(year, kind).await?, snapshot })
    }

    /// A unit's submission: for its reporters, the assessors, the administrators and the
    /// leadership; `NotFound` for a unit outside the period.
    pub async fn submission(&self, actor: &Actor, key: &SubmissionKey) -> Result<SubmissionView> {
        if !actor.can_read_unit(key.unit()) {
            return Err(Error::forbidden());
        }
        let (period, _) = self.unit_period(key).await?;
        let (year, kind, unit) = (key.year, key.kind.as_str(), key.unit());
        let row = self.store.submission(year, kind, unit).await?;
        let extension = self.store.document(&format!("exception/{year}/{kind}/{unit}")).await?;
        let comments = self.store.comments(year, kind, unit).await?;
        Ok(SubmissionView {
            conversation: self.thread(key, &comments).await?,
            deadline: extension.or_else(|| period.deadline.clone()),
            period,
            status: row.as_ref().map_or(SubmissionStatus::Draft, |r| r.status),
            exists: row.is_some(),
            answers: self.store.answers(year, kind, unit).await?,
            evidence: self.store.evidence(year, kind, unit).await?,
            comments,
        })
    }

    /// An evidence file and its bytes, for those who may read its unit.
    pub async fn evidence_file(&self, actor: &Actor, id: i64) -> Result<(EvidenceRow, Vec<u8>)> {
        let (key, e) = self.store.evidence_by_id(id).await?.ok_or_else(Error::not_found)?;
        if !actor.can_read_unit(key.unit()) {
            return Err(Error::forbidden());
        }
        let bytes = self.objects.get(&format!("evidence/{}", e.sha256)).await.map_err(Error::io)?.ok_or_else(|| {
            tracing::error!(sha256 = %e.sha256, "an evidence file on the record is missing");
            Error::not_found()
        })?;
        Ok((e, bytes))
    }

    /// A page of the audit trail ([`AUDIT_PAGE`] events, newest first, those passing
    /// `filter`) and the chain's state, for administrators and the leadership.
    pub async fn audit_trail(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        cursor: AuditCursor,
        check: ChainCheck,
    ) -> Result<AuditTrail> {
        actor.require(&[Role::Admin, Role::Viewer])?;
        let chain = match check {
            ChainCheck::SinceCheckpoint => self.store.verify_chain_since_checkpoint().await?,
            ChainCheck::Full => {
                self.store.verify_chain().await?.map(|n| ChainStatus { events: n, checked: n, since: 0 })
            }
        };
        Ok(AuditTrail { chain, page: self.store.audit_page(filter, cursor, AUDIT_PAGE).await? })
    }

    /// A page of what happened to one unit's data, newest first, for those who may read it.
    pub async fn unit_trail(&self, actor: &Actor, unit: &str, cursor: AuditCursor) -> Result<AuditPage> {
        if !actor.can_read_unit(unit) {
            return Err(Error::forbidden());
        }
        let filter = AuditFilter { unit: Some(unit.to_string()), ..Default::default() };
        Ok(self.store.audit_page(&filter, cursor, AUDIT_PAGE).await?)
    }

    pub async fn accounts(&self, actor: &Actor) -> Result<Accounts> {
        actor.require(&[Role::Admin])?;
        Ok(Accounts {
            users: self.store.users().await?,
            tokens: self.store.tokens().await?,
            held_back: self.store.held_back().await?,
        })
    }

    /// The frameworks' document names and the unit registry's text, for the catalogue page.
    pub async fn catalogue_documents(&self, actor: &Actor) -> Result<(Vec<String>, String)> {
        actor.require(&[Role::Admin])?;
        let frameworks = self.store.documents("framework/").await?.into_iter().map(|(n, _)| n).collect();
        Ok((frameworks, self.store.document("units.toml").await?.unwrap_or_default()))
    }

    /// The actor's work: a reporter's units in open periods; everyone else's, every unit of
    /// every period not yet published. One query per period, whatever the number of units.
    pub async fn work(&self, actor: &Actor) -> Result<Vec<WorkItem>> {
        let cat = self.catalog().await?;
        let mut out = Vec::new();
        for period in self.store.periods().await? {
            let done = period.status == chiso_domain::PeriodStatus::Published;
            if done || (actor.is(Role::Reporter) && !period.status.accepts_work()) {
                continue;
            }
            let statuses: HashMap<String, SubmissionStatus> = self
                .store
                .submissions(period.year, &period.kind)
                .await?
                .into_iter()
                .map(|s| (s.unit, s.status))
                .collect();
            let units: Vec<UnitId> = match actor.role {
                Role::Reporter => {
                    let of_kind: Vec<&UnitId> =
                        cat.registry.of_kind(&period.kind, period.year).map(|u| &u.id).collect();
                    actor.units.iter().map(|u| UnitId(u.clone())).filter(|u| of_kind.contains(&u)).collect()
                }
                _ => cat.registry.of_kind(&period.kind, period.year).map(|u| u.id.clone()).collect(),
            };
            let extensions = self.extensions(&period).await?;
            for unit in units {
                let status = statuses.get(&unit.0).copied();
                let deadline = extensions.get(&unit.0).cloned().or_else(|| period.deadline.clone());
                out.push(WorkItem { period: period.clone(), unit, status, deadline });
            }
        }
        Ok(out)
    }

    /// The answers stored for these units of a period (for their Excel templates), for those
    /// who may read every one of them.
    pub async fn stored_answers(
        &self,
        actor: &Actor,
        year: i32,
        kind: &str,
        units: &[UnitId],
    ) -> Result<HashMap<(String, String), String>> {
        if !units.iter().all(|u| actor.can_read_unit(&u.0)) {
            return Err(Error::forbidden());
        }
        let wanted: std::collections::HashSet<&str> = units.iter().map(|u| u.0.as_str()).collect();
        let mut stored = HashMap::new();
        for UnitAnswer { unit, answer } in self.store.period_answers(year, kind).await? {
            if wanted.contains(unit.as_str()) {
                stored.insert((unit, answer.field), answer.value);
            }
        }
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn units(ids: &[&str]) -> String {
        ids.iter().map(|id| format!("[[unit]]\nid = \"{id}\"\nname = \"Sở {id}\"\nkind = \"department\"\n\n")).collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn another_servers_catalogue_change_is_seen_after_a_second_and_this_ones_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            chiso_store::Store::open(&format!("sqlite://{}", dir.path().join("t.sqlite").display())).await.unwrap();
        store.put_document("units.toml", &units(&["a"]), "test", "kiểm thử").await.unwrap();
        let app = App::new(store.clone(), dir.path().into());
        let first = app.catalog().await.unwrap();
        let has = |c: &Catalog, id: &str| c.registry.get(&chiso_domain::UnitId(id.into())).is_some();
        // Another server adds a unit: straight into the store, not through this `App`.
        store.put_document("units.toml", &units(&["a", "b"]), "test", "kiểm thử").await.unwrap();
        assert!(Arc::ptr_eq(&app.catalog().await.unwrap(), &first));
        tokio::time::sleep(CATALOG_TTL).await;
        // Many requests at once: each gets the catalogue of before or of after, whole.
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move { app.catalog().await.unwrap() })
            })
            .collect();
        for t in tasks {
            let c = t.await.unwrap();
            assert!(Arc::ptr_eq(&c, &first) || has(&c, "b"));
        }
        let after = app.catalog().await.unwrap();
        assert!(has(&after, "b") && !has(&first, "b"));
        // This server's own change is seen at once, whatever was read before it.
        store.put_document("units.toml", &units(&["a", "b", "c"]), "test", "kiểm thử").await.unwrap();
        assert!(!has(&app.catalog().await.unwrap(), "c"));
        app.catalog.clear();
        assert!(has(&app.catalog().await.unwrap(), "c"));
    }
}

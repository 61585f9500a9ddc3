//! Periods: opening one, the units still missing, computing and publishing the results.

use crate::answers::today;
use crate::{Actor, App, Catalog, Error, Field, Message, Result};
use chiso_domain::date::Date;
use chiso_domain::{PeriodStatus, SubmissionStatus, UnitId};
use chiso_store::{PeriodRow, Role};
use std::collections::HashMap;

/// A period to open, as typed: the framework gives the kind of unit.
#[derive(Debug, Clone, Default)]
pub struct OpenPeriod {
    pub year: String,
    pub framework: String,
    /// `YYYY-MM-DD`, today or later; not asked of a history period.
    pub deadline: String,
    /// A past year entered as history: no deadline, the administrator enters the figures
    /// (workbook import, submitted on the units' behalf) and publishes.
    pub history: bool,
}

/// A period without a deadline that still takes work: a past year entered as history.
pub fn is_history(p: &PeriodRow) -> bool {
    p.deadline.is_none() && p.status.accepts_work()
}

/// What publishing now would publish.
#[derive(Debug, Clone)]
pub struct Preview {
    pub period: PeriodRow,
    /// The results JSON, as a snapshot would hold it.
    pub results: String,
    pub published: Option<chiso_store::SnapshotRow>,
}

/// A unit of a period without a submitted report.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingUnit {
    pub unit: UnitId,
    pub name: String,
    /// `None`: nothing saved at all; else a draft (or returned with a question).
    pub status: Option<SubmissionStatus>,
    /// The period's deadline, or the unit's extension where granted.
    pub deadline: String,
}

impl MissingUnit {
    /// `none` or the status's stored word: the CSV's and the API's value.
    pub fn status_code(&self) -> &'static str {
        self.status.map_or("none", SubmissionStatus::as_str)
    }
}

impl App {
    /// Opens a period for the framework's kind of unit.
    pub async fn open_period(&self, actor: &Actor, input: OpenPeriod) -> Result<PeriodRow> {
        actor.require(&[Role::Admin])?;
        let cat = self.catalog().await?;
        let year: i32 = input.year.trim().parse().map_err(|_| Error::invalid(Message::BadYear).code("bad_year"))?;
        let fw = cat.framework(input.framework.trim()).map_err(|_| Error::not_found().code("framework_not_found"))?;
        let deadline = if input.history {
            // Only a year already over is history: the current year keeps its deadline.
            if year >= i32::from(today().year()) {
                return Err(Error::invalid(Message::HistoryNotPast).code("history_not_past"));
            }
            None
        } else {
            let deadline = Date::parse(input.deadline.trim())
                .ok_or_else(|| Error::invalid(Message::BadDeadline).code("invalid_date"))?;
            if deadline < today() {
                return Err(Error::invalid(Message::DeadlineInPast).code("deadline_passed"));
            }
            Some(deadline.to_string())
        };
        if year < fw.years.0 || fw.years.1.is_some_and(|t| year > t) {
            return Err(Error::invalid(Message::YearOutsideFramework).code("year_outside_framework"));
        }
        let row = PeriodRow {
            year,
            kind: fw.unit_kind.clone(),
            framework: fw.id.clone(),
            deadline,
            status: PeriodStatus::Open,
        };
        self.store.create_period(&row, &actor.username).await?;
        Ok(row)
    }

    /// Removes a period opened by mistake, with its units' extensions, on the record with the
    /// reason: only while it holds nothing (no submission, not even a draft, no evidence or
    /// comment, no published version), checked in the store's transaction.
    pub async fn remove_period(&self, actor: &Actor, year: i32, kind: &str, reason: &str) -> Result<()> {
        actor.require(&[Role::Admin])?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid(Message::ChangeReasonNeeded).code("reason_required"));
        }
        crate::bounded(reason, crate::MAX_REASON, Field::Reason)?;
        let used = match self.store.remove_period(year, kind, &actor.username, reason).await {
            Err(chiso_store::StoreError::NotFound) => {
                return Err(Error::not_found().code("period_not_found"));
            }
            other => other?,
        };
        if !used.is_empty() {
            let m = Message::PeriodInUse {
                submissions: used.submissions,
                evidence: used.evidence + used.comments,
                published: used.published,
            };
            return Err(Error::conflict(m).code("period_in_use"));
        }
        self.changed(crate::Change::Catalogue).await;
        Ok(())
    }

    /// Computes the period's results with the engine and freezes them as the next published
    /// version, with its reason; tells the listeners. Returns the version. While the period
    /// still takes work, before its deadline or with units that have not submitted, only with
    /// `early` (said in the reason on the record).
    pub async fn publish(&self, actor: &Actor, year: i32, kind: &str, reason: &str, early: bool) -> Result<i64> {
        actor.require(&[Role::Admin])?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid(Message::PublishReasonNeeded).code("reason_required"));
        }
        crate::bounded(reason, crate::MAX_REASON, Field::Reason)?;
        let p = self.store.period(year, kind).await?.ok_or_else(Error::not_found)?;
        let mut reason = reason.to_string();
        // A history period has no deadline to wait for: the administrator publishes what was entered.
        if p.status.accepts_work() && !is_history(&p) {
            let cat = self.catalog().await?;
            let missing = self.missing_in(&cat, &p).await?.len();
            let before_deadline = p.deadline.as_deref().and_then(Date::parse).is_some_and(|d| today() <= d);
            if missing > 0 || before_deadline {
                let deadline = p.deadline.clone().unwrap_or_default();
                if !early {
                    let e = Error::conflict(Message::PublishEarly { missing, deadline: deadline.clone() });
                    return Err(e.code("publish_early"));
                }
                // The record is read by people: the deadline as they write it.
                let shown = Date::parse(&deadline).map_or(deadline, |d| d.day_month_year());
                reason = format!("{reason} [công bố khi còn {missing} đơn vị chưa nộp, hạn nộp {shown}]");
            }
        }
        let json = self.results_json(year, kind).await?;
        // From the publication to its files made: the worker, told of it by the database's
        // change follower within a fraction of a second, waits to compute the outlooks.
        let _making = self.reports.busy();
        // Tens of megabytes at national scale: given to the store, not held while the report is made.
        let version = self.store.publish(year, kind, json, &reason, &actor.username).await?;
        self.changed(crate::Change::Published { year }).await;
        // The periods its preview scored have served: its files are made, and the worker has
        // its own hold on them for the outlooks. Public pages read the published versions; a
        // national period scored is tens of megabytes, not kept all year for the next preview.
        self.rankings.forget_scored();
        Ok(version)
    }

    /// The results the engine computes from the counted submissions as they stand, in the
    /// JSON contract of the published snapshot (not public until published), beside the
    /// latest published version.
    pub async fn preview(&self, actor: &Actor, year: i32, kind: &str) -> Result<Preview> {
        actor.require(&[Role::Admin, Role::Viewer])?;
        let period = self.store.period(year, kind).await?.ok_or_else(Error::not_found)?;
        let results = self.results_json(year, kind).await?;
        let published = self.store.latest_snapshot(year, kind).await?;
        Ok(Preview { period, results, published })
    }

    /// The results JSON of the API contract, with last year's ranks when that period exists,
    /// from the periods as scored now (kept until the next change).
    async fn results_json(&self, year: i32, kind: &str) -> Result<String> {
        let cat = self.catalog().await?;
        let s = self.scored_now(year, kind).await?.ok_or_else(Error::not_found)?;
        let previous = self.scored_now(year - 1, kind).await?;
        let cat2 = cat.clone();
        tokio::task::spawn_blocking(move || {
            let fw = cat2.framework(&s.row.framework)?;
            let comparisons = match &previous {
                Some(p) => Some(chiso_domain::compare(
                    &s.results,
                    fw,
                    &p.results,
                    cat2.framework(&p.row.framework)?,
                    &cat2.registry,
                )),
                None => None,
            };
            Ok(chiso_report::json::results(fw, &s.results, &|i| comparisons.as_ref().and_then(|c| c[i].previous_rank)))
        })
        .await
        .map_err(|_| Error::new(crate::Kind::Internal, Message::Database))?
    }

    /// A period's units without a submitted report, in Vietnamese order, each with its
    /// status and its deadline (an extension wins). Two queries, whatever the number of units.
    pub async fn missing_units(&self, actor: &Actor, year: i32, kind: &str) -> Result<Vec<MissingUnit>> {
        actor.require(&[Role::Admin, Role::Assessor, Role::Viewer])?;
        let p = self.store.period(year, kind).await?.ok_or_else(Error::not_found)?;
        let cat = self.catalog().await?;
        self.missing_in(&cat, &p).await
    }

    /// The units of a period granted their own deadline: unit code → the deadline.
    pub(crate) async fn extensions(&self, p: &PeriodRow) -> Result<HashMap<String, String>> {
        let prefix = format!("exception/{}/{}/", p.year, p.kind);
        Ok(self
            .store
            .documents(&prefix)
            .await?
            .into_iter()
            .filter_map(|(name, until)| Some((name.strip_prefix(&prefix)?.to_string(), until)))
            .collect())
    }

    pub(crate) async fn missing_in(&self, cat: &Catalog, p: &PeriodRow) -> Result<Vec<MissingUnit>> {
        let statuses: HashMap<String, SubmissionStatus> =
            self.store.submissions(p.year, &p.kind).await?.into_iter().map(|s| (s.unit, s.status)).collect();
        let extensions = self.extensions(p).await?;
        let mut units: Vec<MissingUnit> = cat
            .registry
            .of_kind(&p.kind, p.year)
            .filter_map(|u| {
                let status = statuses.get(&u.id.0).copied();
                if status.is_some_and(|s| !s.editable()) {
                    return None;
                }
                let deadline = extensions.get(&u.id.0).cloned().or_else(|| p.deadline.clone()).unwrap_or_default();
                Some(MissingUnit { unit: u.id.clone(), name: u.name.clone(), status, deadline })
            })
            .collect();
        units.sort_by(|a, b| chiso_domain::collate::compare_vi(&a.name, &b.name));
        Ok(units)
    }
}

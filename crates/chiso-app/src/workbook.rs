//! Figures from a filled-in Excel template: a unit's reporter imports their own unit's
//! sheet, the administrator a workbook of many units (drafts, which each unit then checks
//! and submits). The whole file is checked before anything is written.

use crate::{Actor, App, Catalog, Error, Message, Problem, Result};
use chiso_data::template;
use chiso_domain::{SubmissionKey, UnitId};
use chiso_store::{PeriodRow, Role};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// The largest workbook of many units taken in one upload. The all-units template of a
/// national period (4,500 units × 120 fields) is about 30 MB: room for three times that.
/// The web's body limit for the upload follows from it.
pub const MAX_WORKBOOK: usize = 96 * 1024 * 1024;

/// An uploaded workbook.
#[derive(Debug, Clone)]
pub struct Workbook {
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl App {
    /// A unit's reporter imports their unit's figures as a draft.
    pub async fn import_unit_workbook(&self, actor: &Actor, key: &SubmissionKey, file: Workbook) -> Result<()> {
        let (p, cat) = self.writable(actor, key).await?;
        if let Some(x) = self.store.submission(key.year, &key.kind, key.unit()).await?
            && !x.status.editable()
        {
            return Err(Error::conflict(Message::AlreadySubmitted).code("already_submitted"));
        }
        let reason = format!("Nhập từ tệp Excel {}", file.filename);
        let units = self.read_workbook(&cat, &p, file, Some(&key.unit)).await?;
        self.save_workbook(actor, &p, units, &reason, None).await
    }

    /// The administrator imports a workbook of many units, as drafts, all or none; refused
    /// whole if any of its units has submitted. With `on_behalf` (the reason, required), each
    /// unit's submission is then submitted on its behalf, each move on the record with the
    /// administrator and the reason. Returns the number of units imported.
    pub async fn import_period_workbook(
        &self,
        actor: &Actor,
        year: i32,
        kind: &str,
        file: Workbook,
        on_behalf: Option<&str>,
    ) -> Result<usize> {
        actor.require(&[Role::Admin])?;
        if file.bytes.len() > MAX_WORKBOOK {
            return Err(workbook_too_large());
        }
        let submit = on_behalf_reason(on_behalf)?;
        let p = self.period_taking_work(year, kind).await?;
        let cat = self.catalog().await?;
        let filename = file.filename.clone();
        let units = self.read_workbook(&cat, &p, file, None).await?;
        self.save_period_units(actor, &cat, &p, units, &filename, submit.as_deref()).await
    }

    /// The period, if it takes work.
    pub(crate) async fn period_taking_work(&self, year: i32, kind: &str) -> Result<PeriodRow> {
        let p = self.store.period(year, kind).await?.ok_or_else(Error::not_found)?;
        if !p.status.accepts_work() {
            return Err(Error::conflict(Message::PeriodClosed).code("period_closed"));
        }
        Ok(p)
    }

    /// Several units' checked figures saved as drafts in one transaction, refused whole if
    /// any of them has submitted; with `submit` (the record's reason), submitted on their
    /// behalf. `filename`: the file they came from, named on the record. Returns the
    /// number of units.
    pub(crate) async fn save_period_units(
        &self,
        actor: &Actor,
        cat: &Catalog,
        p: &PeriodRow,
        units: impl UnitFigures,
        filename: &str,
        submit: Option<&str>,
    ) -> Result<usize> {
        // The period's statuses in one query, whatever the number of units.
        let statuses: HashMap<String, chiso_domain::SubmissionStatus> =
            self.store.submissions(p.year, &p.kind).await?.into_iter().map(|s| (s.unit, s.status)).collect();
        let mut problems = Vec::new();
        for unit in (0..units.len()).map(|i| units.unit(i)) {
            if statuses.get(&unit.0).is_some_and(|s| !s.editable()) {
                problems.push(Problem::UnitAlreadySubmitted(cat.unit_name(&unit.0)));
            }
        }
        if !problems.is_empty() {
            return Err(Error::not_saved(problems));
        }
        // A table given as CSV (`chiso import --db`): the record names the file the
        // administrator gave.
        let format = if filename.to_lowercase().ends_with(".csv") { "CSV" } else { "Excel" };
        let reason = format!("Nhập từ tệp {format} {filename} (quản trị)");
        let n = units.len();
        self.save_workbook(actor, p, units, &reason, submit).await?;
        Ok(n)
    }

    /// The units with figures in the workbook, each with its cells; every problem at once.
    /// Read off the async runtime (a national workbook takes seconds), which keeps serving.
    async fn read_workbook(
        &self,
        cat: &Arc<Catalog>,
        p: &PeriodRow,
        file: Workbook,
        only: Option<&UnitId>,
    ) -> Result<template::Figures> {
        let (cat, framework, year, only) = (cat.clone(), p.framework.clone(), p.year, only.cloned());
        tokio::task::spawn_blocking(move || {
            let fw = cat.framework(&framework)?;
            let figures = template::read_figures(&file.filename, &file.bytes, fw, &cat.registry, year, only.as_ref())
                .map_err(|errors| Error::not_saved(errors.into_iter().map(Problem::Data).collect()))?;
            drop(file);
            if figures.is_empty() {
                return Err(Error::not_saved(vec![Problem::EmptyWorkbook]));
            }
            Ok(figures)
        })
        .await
        .map_err(|_| Error::new(crate::Kind::Internal, Message::Database))?
    }

    async fn save_workbook(
        &self,
        actor: &Actor,
        p: &PeriodRow,
        units: impl UnitFigures,
        reason: &str,
        submit: Option<&str>,
    ) -> Result<()> {
        // A stored "not applicable" keeps its reason when the file says N/A again: the
        // period's N/A notes in one query, looked up by key.
        let mut notes: HashMap<(String, String), String> = HashMap::new();
        for (unit, field, note) in self.store.period_na_notes(p.year, &p.kind).await? {
            notes.insert((unit, field), note);
        }
        let keys = (0..units.len()).map(|i| SubmissionKey::new(p.year, &p.kind, &units.unit(i).0)).collect();
        let answers = Answers { keys, units: &units, notes: &notes };
        self.store.save_units_from(&answers, submit, &actor.username, reason).await?;
        Ok(())
    }
}

/// Units' figures to save: each unit with its `(field, text)` as typed, in the template's
/// order. A template's [`template::Figures`] (one buffer per unit), or cells from a table.
pub(crate) trait UnitFigures: Send + Sync {
    fn len(&self) -> usize;
    fn unit(&self, i: usize) -> &UnitId;
    fn inputs(&self, i: usize) -> impl Iterator<Item = (&str, &str)>;
}

impl UnitFigures for template::Figures {
    fn len(&self) -> usize {
        template::Figures::len(self)
    }
    fn unit(&self, i: usize) -> &UnitId {
        template::Figures::unit(self, i)
    }
    fn inputs(&self, i: usize) -> impl Iterator<Item = (&str, &str)> {
        template::Figures::inputs(self, i)
    }
}

impl UnitFigures for Vec<(UnitId, Vec<(String, String)>)> {
    fn len(&self) -> usize {
        <[_]>::len(self)
    }
    fn unit(&self, i: usize) -> &UnitId {
        &self[i].0
    }
    fn inputs(&self, i: usize) -> impl Iterator<Item = (&str, &str)> {
        self[i].1.iter().map(|(f, v)| (f.as_str(), v.as_str()))
    }
}

/// The store's answers of each unit, made as the store saves them (a chunk of units at a
/// time): an "N/A" with the note stored with it.
struct Answers<'a, F> {
    keys: Vec<SubmissionKey>,
    units: &'a F,
    notes: &'a HashMap<(String, String), String>,
}

impl<F: UnitFigures> chiso_store::UnitAnswers for Answers<'_, F> {
    fn len(&self) -> usize {
        self.keys.len()
    }
    fn key(&self, i: usize) -> &SubmissionKey {
        &self.keys[i]
    }
    fn answers(&self, i: usize) -> Cow<'_, [chiso_store::NewAnswer]> {
        let unit = &self.units.unit(i).0;
        let answers = self
            .units
            .inputs(i)
            .map(|(f, v)| {
                let note = match v.eq_ignore_ascii_case("N/A") {
                    true => self.notes.get(&(unit.clone(), f.to_string())).cloned().unwrap_or_default(),
                    false => String::new(),
                };
                chiso_store::NewAnswer { field: f.to_string(), value: v.to_string(), note }
            })
            .collect();
        Cow::Owned(answers)
    }
}

/// The record's reason for submitting on the units' behalf: required (not blank) when
/// asked for, bounded.
pub(crate) fn on_behalf_reason(on_behalf: Option<&str>) -> Result<Option<String>> {
    match on_behalf.map(str::trim) {
        None => Ok(None),
        Some("") => Err(Error::not_saved(vec![Problem::OnBehalfReasonNeeded]).code("reason_required")),
        Some(reason) => {
            crate::bounded(reason, crate::MAX_REASON, crate::Field::Reason)?;
            Ok(Some(format!("Quản trị nộp thay đơn vị: {reason}")))
        }
    }
}

/// A workbook upload beyond [`MAX_WORKBOOK`], in the limit's own words.
pub fn workbook_too_large() -> Error {
    Error::new(crate::Kind::TooLarge, Message::WorkbookTooLarge { max_mib: MAX_WORKBOOK / (1024 * 1024) })
        .code("workbook_too_large")
}

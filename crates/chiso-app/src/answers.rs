//! A unit's self-assessment: saving and submitting its answers, its evidence files, its
//! replies to the assessors. Only the unit's reporters write, while the period is open and
//! its deadline (or the unit's extension) is not past.

use crate::{Actor, App, Catalog, Error, Field, FieldName, Kind, Message, Problem, Result};
use chiso_data::import;
use chiso_domain::date::Date;
use chiso_domain::framework::{Framework, Rule};
use chiso_domain::{SubmissionKey, SubmissionStatus, Transition};
use chiso_store::{EvidenceRow, PeriodRow};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The largest evidence file.
pub const MAX_EVIDENCE: usize = 10 * 1024 * 1024;

/// One field's answer as typed: a figure, an option, `N/A` with its reason in `note`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnswerInput {
    pub field: String,
    pub value: String,
    pub note: String,
}

/// An evidence file as uploaded.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub criterion: String,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// The input fields of a leaf criterion, named like the import's columns.
pub fn leaf_fields(fw: &Framework, index: usize) -> Vec<String> {
    let c = fw.criterion(index);
    match c.rule {
        Some(Rule::Ratio | Rule::RelativeToBest) => {
            vec![format!("{}.numerator", c.id), format!("{}.denominator", c.id)]
        }
        _ => vec![c.id.0.clone()],
    }
}

/// Today in Vietnam (UTC+7, no daylight saving): a deadline ends at midnight there.
pub fn today() -> Date {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    Date::from_unix(now + 7 * 3600)
}

impl App {
    /// The period and catalogue of a unit's submission; `NotFound` unless the unit belongs
    /// to the period.
    pub async fn unit_period(&self, key: &SubmissionKey) -> Result<(PeriodRow, Arc<Catalog>)> {
        let p = self.store.period(key.year, &key.kind).await?.ok_or_else(Error::not_found)?;
        let cat = self.catalog().await?;
        if !cat.registry.of_kind(&key.kind, key.year).any(|u| u.id == key.unit) {
            return Err(Error::not_found().code("unit_not_found"));
        }
        Ok((p, cat))
    }

    /// Today against the deadline (inclusive), or the unit's extension if granted.
    pub async fn past_deadline(&self, p: &PeriodRow, unit: &str) -> Result<bool> {
        let exception = self.store.document(&format!("exception/{}/{}/{unit}", p.year, p.kind)).await?;
        let deadline = exception.or_else(|| p.deadline.clone());
        // A stored deadline that is not a date (from before dates were checked) is past:
        // closed rather than open for ever.
        Ok(deadline.is_some_and(|d| Date::parse(&d).is_none_or(|d| today() > d)))
    }

    /// The checks before any write to a unit's submission: the unit exists in the period,
    /// the actor is its reporter, the period is open and its deadline not past.
    pub async fn writable(&self, actor: &Actor, key: &SubmissionKey) -> Result<(PeriodRow, Arc<Catalog>)> {
        let (p, cat) = self.unit_period(key).await?;
        if !actor.can_write_unit(key.unit()) {
            return Err(Error::forbidden());
        }
        if !p.status.accepts_work() {
            return Err(Error::conflict(Message::PeriodClosed).code("period_closed"));
        }
        if self.past_deadline(&p, key.unit()).await? {
            return Err(Error::conflict(Message::PastDeadline).code("deadline_passed"));
        }
        Ok((p, cat))
    }

    /// Validates a unit's answers and stores them, submitting if asked. Fields not given
    /// keep what is stored. Every problem at once (`NotSaved`); nothing is written unless
    /// there are none. Returns the submission's status.
    pub async fn save_answers(
        &self,
        actor: &Actor,
        key: &SubmissionKey,
        given: Vec<AnswerInput>,
        submit: bool,
    ) -> Result<SubmissionStatus> {
        let (p, cat) = self.writable(actor, key).await?;
        let fw = cat.framework(&p.framework)?;
        let stored = self.store.answers(key.year, &key.kind, key.unit()).await?;
        let mut answers: Vec<AnswerInput> = Vec::new();
        for f in fw.leaves().flat_map(|(i, _)| leaf_fields(fw, i)) {
            if let Some(a) = given.iter().find(|a| a.field == f) {
                answers.push(a.clone());
            } else if let Some(a) = stored.iter().find(|a| a.field == f) {
                answers.push(AnswerInput { field: f, value: a.value.clone(), note: a.note.clone() });
            }
        }
        let unknown: Vec<String> =
            given.iter().filter(|g| !answers.iter().any(|a| a.field == g.field)).map(|g| g.field.clone()).collect();
        if !unknown.is_empty() {
            return Err(Error::new(Kind::Unprocessable, Message::UnknownFields(unknown)).code("unknown_field"));
        }
        let problems = check(fw, &answers, submit);
        if !problems.is_empty() {
            return Err(Error::not_saved(problems));
        }
        let rows: Vec<chiso_store::NewAnswer> =
            answers.into_iter().map(|a| chiso_store::NewAnswer::new(a.field, a.value.trim(), a.note.trim())).collect();
        if submit {
            // The figures and the submission together, or neither.
            return Ok(self
                .store
                .save_and_transition(key, &rows, Transition::Submit, &actor.username, "Nộp báo cáo")
                .await?);
        }
        self.store.save_answers(key, &rows, None, &actor.username, "").await?;
        Ok(self.store.submission(key.year, &key.kind, key.unit()).await?.map_or(SubmissionStatus::Draft, |s| s.status))
    }

    /// A unit's reporter answers the assessors on one criterion.
    pub async fn reply(&self, actor: &Actor, key: &SubmissionKey, criterion: &str, body: &str) -> Result<()> {
        let (p, cat) = self.unit_period(key).await?;
        if !actor.can_write_unit(key.unit()) {
            return Err(Error::forbidden());
        }
        let fw = cat.framework(&p.framework)?;
        if fw.index_of(criterion).is_none() {
            return Err(Error::invalid(Message::BadCriterion).code("criterion_not_found"));
        }
        let body = body.trim();
        if body.is_empty() {
            return Err(Error::invalid(Message::EmptyReply));
        }
        crate::bounded(body, crate::MAX_MESSAGE, Field::Reply)?;
        Ok(self.store.add_comment(key.year, &key.kind, key.unit(), criterion, &actor.username, body).await?)
    }

    /// Stores an evidence file (by its content's hash, synced to disk before it is
    /// acknowledged) for one criterion. Returns its id.
    pub async fn add_evidence(&self, actor: &Actor, key: &SubmissionKey, file: Evidence) -> Result<i64> {
        let (p, cat) = self.unit_period(key).await?;
        if !actor.can_write_unit(key.unit()) {
            return Err(Error::forbidden());
        }
        if !p.status.accepts_work() || self.past_deadline(&p, key.unit()).await? {
            return Err(Error::conflict(Message::EvidenceClosed).code("period_closed"));
        }
        let fw = cat.framework(&p.framework)?;
        if fw.index_of(&file.criterion).is_none() {
            return Err(Error::invalid(Message::BadCriterion).code("criterion_not_found"));
        }
        if file.bytes.len() > MAX_EVIDENCE {
            return Err(Error::new(Kind::TooLarge, Message::FileTooLarge));
        }
        let content_type = sniff(&file.bytes, &file.filename)
            .ok_or_else(|| Error::new(Kind::UnsupportedType, Message::BadFileType))?;
        // Stored by content hash, never by the user's file name.
        let sha: String = Sha256::digest(&file.bytes).iter().map(|b| format!("{b:02x}")).collect();
        let size = file.bytes.len() as i64;
        self.objects.put_new(&format!("evidence/{sha}"), file.bytes).await.map_err(Error::io)?;
        let row = EvidenceRow {
            id: 0,
            criterion: file.criterion,
            sha256: sha,
            filename: file.filename.chars().filter(|c| !c.is_control()).take(200).collect(),
            content_type: content_type.into(),
            size,
            uploaded_by: actor.username.clone(),
            at: String::new(),
        };
        Ok(self.store.add_evidence(key.year, &key.kind, key.unit(), &row).await?)
    }
}

impl App {
    /// A unit's reporter takes back an evidence file while the report is still theirs to
    /// change (a draft, the period open, the deadline not past). Returns the submission it
    /// belonged to.
    pub async fn delete_evidence(&self, actor: &Actor, id: i64) -> Result<SubmissionKey> {
        let (key, _) = self.store.evidence_by_id(id).await?.ok_or_else(Error::not_found)?;
        self.writable(actor, &key).await?;
        if let Some(s) = self.store.submission(key.year, &key.kind, key.unit()).await?
            && !s.status.editable()
        {
            return Err(Error::conflict(Message::EvidenceLocked).code("already_submitted"));
        }
        self.store.delete_evidence(id, &actor.username).await?;
        Ok(key)
    }
}

/// Every problem of a unit's answers: values the framework refuses, reasons too long, and
/// on submission the import's whole-submission checks.
fn check(fw: &Framework, answers: &[AnswerInput], submit: bool) -> Vec<Problem> {
    let cells: Vec<(String, String)> = answers.iter().map(|a| (a.field.clone(), a.value.trim().to_string())).collect();
    let mut problems: Vec<Problem> = import::check_fields(fw, &cells)
        .into_iter()
        .map(|(field, kind)| Problem::Value { field: FieldName::of(fw, &field), kind })
        .collect();
    for a in answers {
        if a.note.chars().count() > crate::MAX_REASON {
            let field = FieldName::of(fw, &a.field);
            problems.push(Problem::TooLong { field, what: Field::Reason, max: crate::MAX_REASON });
        }
    }
    if submit && problems.is_empty() {
        match import::answers(fw, &cells, "biểu mẫu") {
            Ok(Some(_)) => {}
            Ok(None) => problems.push(Problem::NothingEntered),
            Err(errors) => problems.extend(errors.into_iter().map(Problem::Data)),
        }
    }
    problems
}

/// What a file is, by its first bytes (never by its name): PDF, PNG, JPEG, or an OOXML zip.
fn sniff(bytes: &[u8], filename: &str) -> Option<&'static str> {
    let lower = filename.to_lowercase();
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".docx") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".xlsx") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else {
        None
    }
}

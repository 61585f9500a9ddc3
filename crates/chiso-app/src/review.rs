//! The assessors' review of a submitted report: verified values that differ from the
//! unit's (each with its reason, on the record), questions that return the report to its
//! unit, and verification.

use crate::{Actor, App, Error, Field, FieldName, Message, Problem, Result};
use chiso_data::import;
use chiso_domain::{SubmissionKey, SubmissionStatus, Transition};
use chiso_store::Role;

/// One verified value: `None` (or the unit's own value) takes an earlier adjustment back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub field: String,
    pub value: Option<String>,
    pub reason: String,
}

/// Who reviews: a front end that parses a review's input checks this first, so that
/// nobody else learns what a valid review looks like.
pub const REVIEWERS: &[Role] = &[Role::Assessor];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewAction {
    Adjust(Vec<Adjustment>),
    /// A question on one criterion: the report goes back to its unit as a draft.
    Ask {
        criterion: String,
        question: String,
    },
    Verify,
}

impl App {
    /// One review action on a submitted report; returns the submission's status after it.
    pub async fn review(&self, actor: &Actor, key: &SubmissionKey, action: ReviewAction) -> Result<SubmissionStatus> {
        actor.require(REVIEWERS)?;
        let p = self.store.period(key.year, &key.kind).await?.ok_or_else(Error::not_found)?;
        let cat = self.catalog().await?;
        let fw = cat.framework(&p.framework)?;
        let sub = self.store.submission(key.year, &key.kind, key.unit()).await?.ok_or_else(Error::not_found)?;
        if !sub.status.reviewable() {
            return Err(Error::conflict(Message::OnlySubmitted).code("not_submitted"));
        }
        let who = &actor.username;
        match action {
            ReviewAction::Adjust(adjustments) => {
                let answers = self.store.answers(key.year, &key.kind, key.unit()).await?;
                let mut changes = Vec::new();
                let mut problems = Vec::new();
                let mut unknown = Vec::new();
                for adj in adjustments {
                    let Some(a) = answers.iter().find(|a| a.field == adj.field) else {
                        // A field the unit left without an answer has nothing to verify.
                        if adj.value.as_deref().is_some_and(|v| !v.trim().is_empty()) {
                            unknown.push(adj.field);
                        }
                        continue;
                    };
                    let new = adj.value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty() && *v != a.value);
                    if new == a.verified {
                        continue;
                    }
                    let reason = adj.reason.trim().to_string();
                    crate::bounded(&reason, crate::MAX_REASON, Field::Reason)?;
                    if reason.is_empty() {
                        problems.push(Problem::NoReason { field: FieldName::of(fw, &a.field) });
                    }
                    if let Some(v) = &new {
                        for (field, kind) in import::check_fields(fw, &[(a.field.clone(), v.clone())]) {
                            problems.push(Problem::Value { field: FieldName::of(fw, &field), kind });
                        }
                    }
                    changes.push((a.field.clone(), new, reason));
                }
                if !unknown.is_empty() {
                    let e = Error::new(crate::Kind::Unprocessable, Message::UnknownFields(unknown));
                    return Err(e.code("unknown_field"));
                }
                if !problems.is_empty() {
                    return Err(Error::not_saved(problems));
                }
                for (field, new, reason) in changes {
                    self.store
                        .verify_answer(key.year, &key.kind, key.unit(), &field, new.as_deref(), who, &reason)
                        .await?;
                }
                Ok(sub.status)
            }
            ReviewAction::Ask { criterion, question } => {
                let q = question.trim();
                if fw.index_of(&criterion).is_none() {
                    return Err(Error::invalid(Message::BadCriterion).code("criterion_not_found"));
                }
                if q.is_empty() {
                    return Err(Error::invalid(Message::EmptyQuestion));
                }
                crate::bounded(q, crate::MAX_MESSAGE, Field::Question)?;
                self.store.add_comment(key.year, &key.kind, key.unit(), &criterion, who, q).await?;
                Ok(self.store.transition(key, Transition::Return, who, q).await?)
            }
            ReviewAction::Verify => Ok(self.store.transition(key, Transition::Verify, who, "Đã thẩm định").await?),
        }
    }
}

//! The conversation on each criterion of a unit's submission, as both sides see it: the
//! assessors' adjustments with their reasons (from the audit record, where they are kept),
//! their questions and the unit's replies (the comments), oldest first.

use crate::{App, Result};
use chiso_domain::SubmissionKey;
use chiso_store::{AuditEvent, CommentRow, Role, UserRow};

/// What an entry of a criterion's conversation is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// An assessor's verified value for one of the criterion's fields, from the value that
    /// counted before to the one that counts now; `taken_back` when an earlier adjustment was
    /// taken back (the unit's own value, `to`, counts again).
    Adjustment { field: String, from: String, to: String, taken_back: bool },
    /// An assessor's question (the report went back to its unit).
    Question,
    /// The unit's answer.
    Reply,
}

impl EntryKind {
    /// The word clients of the JSON API read.
    pub fn code(&self) -> &'static str {
        match self {
            EntryKind::Adjustment { .. } => "adjustment",
            EntryKind::Question => "question",
            EntryKind::Reply => "reply",
        }
    }
}

/// One entry of a criterion's conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadEntry {
    /// The criterion's id.
    pub criterion: String,
    pub kind: EntryKind,
    /// Who wrote it, and in what role (none for an account no longer on the platform).
    pub author: String,
    pub role: Option<Role>,
    /// When, a stored UTC timestamp.
    pub at: String,
    /// The reason of an adjustment, the question or the reply.
    pub text: String,
}

/// A field named like the import's columns → its criterion (`online.numerator` → `online`).
fn criterion_of(field: &str) -> &str {
    field.strip_suffix(".numerator").or_else(|| field.strip_suffix(".denominator")).unwrap_or(field)
}

/// The conversation of a submission from its comments and its audit events: each entry
/// with its criterion, in the order it happened (by time; an adjustment before a comment of
/// the same second, as an assessor adjusts, then asks).
pub fn build(
    key: &SubmissionKey,
    comments: &[CommentRow],
    events: &[AuditEvent],
    users: &[UserRow],
) -> Vec<ThreadEntry> {
    let role = |name: &str| users.iter().find(|u| u.username == name).map(|u| u.role);
    let prefix = format!("answer/{}/{}/{}/", key.year, key.kind, key.unit());
    let mut out: Vec<ThreadEntry> = events
        .iter()
        .filter(|e| e.action == "answer.verify")
        .filter_map(|e| {
            let field = e.entity.strip_prefix(&prefix)?;
            let taken_back = serde_json::from_str::<serde_json::Value>(&e.detail)
                .ok()
                .is_some_and(|d| d.get("verified").is_some_and(serde_json::Value::is_null));
            Some(ThreadEntry {
                criterion: criterion_of(field).to_string(),
                kind: EntryKind::Adjustment {
                    field: field.to_string(),
                    from: e.old_value.clone(),
                    to: e.new_value.clone(),
                    taken_back,
                },
                author: e.actor.clone(),
                role: role(&e.actor),
                at: e.at.clone(),
                text: e.reason.clone(),
            })
        })
        .collect();
    out.extend(comments.iter().map(|c| {
        let role = role(&c.author);
        ThreadEntry {
            criterion: c.criterion.clone(),
            // The unit's reporters reply; anyone else on the platform asks.
            kind: if role == Some(Role::Reporter) { EntryKind::Reply } else { EntryKind::Question },
            author: c.author.clone(),
            role,
            at: c.at.clone(),
            text: c.body.clone(),
        }
    }));
    // Stable: adjustments (listed first) stay before comments of the same time.
    out.sort_by(|a, b| a.at.cmp(&b.at));
    out
}

impl App {
    /// The conversation of a submission, every criterion's, oldest first (authorized by the
    /// caller: part of [`App::submission`]).
    pub(crate) async fn thread(&self, key: &SubmissionKey, comments: &[CommentRow]) -> Result<Vec<ThreadEntry>> {
        let prefix = format!("answer/{}/{}/{}/", key.year, key.kind, key.unit());
        let events = self.store.audit_events(&prefix).await?;
        let users = self.store.users().await?;
        Ok(build(key, comments, &events, &users))
    }
}

//! Units' submissions: answers as typed (cells in the import format), their verified
//! values, status, evidence, comments; and the published result snapshots.

use crate::audit::{NewEvent, append, append_all, append_each, sha256_hex};
use crate::tx::Tx;
use crate::{Result, Store, StoreError, now_utc};
use chiso_domain::{SubmissionKey, SubmissionStatus, Transition};
use serde_json::json;
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow {
    /// A column of the import format: a criterion id, or `<id>.numerator` / `<id>.denominator`.
    pub field: String,
    pub value: String,
    /// The assessor's value, when it differs from the unit's.
    pub verified: Option<String>,
    /// The unit's justification (e.g. why "not applicable").
    pub note: String,
}

impl AnswerRow {
    /// The value that counts: the verified one if an assessor set it.
    pub fn effective(&self) -> &str {
        self.verified.as_deref().unwrap_or(&self.value)
    }
}

/// An answer to write: a field as the import names it, its text, and the note ("not
/// applicable"'s reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnswer {
    pub field: String,
    pub value: String,
    pub note: String,
}

impl NewAnswer {
    pub fn new(field: impl Into<String>, value: impl Into<String>, note: impl Into<String>) -> NewAnswer {
        NewAnswer { field: field.into(), value: value.into(), note: note.into() }
    }
}

/// One unit's stored answer to one field.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitAnswer {
    pub unit: String,
    pub answer: AnswerRow,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionRow {
    pub unit: String,
    pub status: SubmissionStatus,
    pub submitted_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRow {
    pub id: i64,
    pub criterion: String,
    pub sha256: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CommentRow {
    pub criterion: String,
    pub author: String,
    pub body: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotRow {
    pub version: i64,
    pub results: String,
    pub reason: String,
    pub published_by: String,
    pub at: String,
}

fn key(year: i32, kind: &str, unit: &str) -> String {
    format!("{year}/{kind}/{unit}")
}

/// Where and by whom answers are written: the audit events of a save, the same for one
/// unit's save and for an import of many.
struct AnswerAt<'a> {
    actor: &'a str,
    year: i32,
    kind: &'a str,
    unit: &'a str,
    reason: &'a str,
}

impl AnswerAt<'_> {
    /// `status`: the submission's new status, recorded with the first answer it came with.
    fn answer_event(
        &self,
        field: &str,
        old: Option<&str>,
        value: &str,
        note: &str,
        status: Option<SubmissionStatus>,
    ) -> NewEvent {
        let reason = self.reason;
        NewEvent::new(
            self.actor,
            "answer.set",
            format!("answer/{}/{field}", key(self.year, self.kind, self.unit)),
            old.unwrap_or_default(),
            value,
            if note.is_empty() { reason.to_string() } else { format!("{reason} {note}").trim().to_string() },
        )
        .with_detail_text(answer_detail(note, status))
    }

    fn status_event(&self, current: Option<SubmissionStatus>, new: SubmissionStatus) -> NewEvent {
        NewEvent::new(
            self.actor,
            "submission.status",
            format!("submission/{}", key(self.year, self.kind, self.unit)),
            current.map(SubmissionStatus::as_str).unwrap_or_default(),
            new.as_str(),
            self.reason,
        )
    }
}

/// An answer event's replay detail, `{"note":…}` with the status it came with, as
/// `serde_json` writes that object (keys in order), without building it: an import makes
/// half a million of them.
fn answer_detail(note: &str, status: Option<SubmissionStatus>) -> String {
    let note = serde_json::Value::from(note).to_string();
    match status {
        Some(s) => format!("{{\"note\":{note},\"status\":{}}}", serde_json::Value::from(s.as_str())),
        None => format!("{{\"note\":{note}}}"),
    }
}

fn status(raw: &str) -> Result<SubmissionStatus> {
    SubmissionStatus::parse(raw).ok_or_else(|| StoreError::Corrupt(format!("submission status {raw:?}")))
}

fn row((unit, raw, submitted_at): (String, String, Option<String>)) -> Result<SubmissionRow> {
    Ok(SubmissionRow { unit, status: status(&raw)?, submitted_at })
}

async fn status_in(tx: &mut Tx, k: &SubmissionKey) -> Result<Option<SubmissionStatus>> {
    sqlx::query_as::<_, (String,)>("SELECT status FROM submissions WHERE year = $1 AND kind = $2 AND unit_id = $3")
        .bind(i64::from(k.year))
        .bind(&k.kind)
        .bind(k.unit())
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| status(&r.0))
        .transpose()
}

/// A unit's answers saved within `tx` (see [`Store::save_answers`]).
async fn save_in(
    tx: &mut Tx,
    k: &SubmissionKey,
    answers: &[NewAnswer],
    status: Option<SubmissionStatus>,
    actor: &str,
    reason: &str,
) -> Result<()> {
    let (year, kind, unit) = (k.year, k.kind.as_str(), k.unit());
    let current = status_in(tx, k).await?;
    let mut events = Vec::new();
    // A submission made, or its status set by an import, is on the record (what
    // `chiso verify` replays): in the detail of the save's first answer event, or as an
    // event of its own when no answer changed.
    let mut new_status = match (&current, status) {
        (None, s) => Some(s.unwrap_or(SubmissionStatus::Draft)),
        (Some(c), Some(s)) if *c != s => Some(s),
        _ => None,
    };
    match (&current, status) {
        (Some(s), None) if !s.editable() => return Err(StoreError::Conflict(format!("submission is {s}"))),
        (None, _) => {
            sqlx::query("INSERT INTO submissions (year, kind, unit_id, status) VALUES ($1, $2, $3, $4)")
                .bind(i64::from(year))
                .bind(kind)
                .bind(unit)
                .bind(status.unwrap_or(SubmissionStatus::Draft).as_str())
                .execute(&mut **tx)
                .await?;
        }
        (Some(_), Some(s)) => {
            sqlx::query("UPDATE submissions SET status = $1 WHERE year = $2 AND kind = $3 AND unit_id = $4")
                .bind(s.as_str())
                .bind(i64::from(year))
                .bind(kind)
                .bind(unit)
                .execute(&mut **tx)
                .await?;
        }
        _ => {}
    }
    // The unit's stored answers in one query; only changed fields are written.
    let stored: HashMap<String, (String, String)> = sqlx::query_as::<_, (String, String, String)>(
        "SELECT field, value, note FROM answers WHERE year = $1 AND kind = $2 AND unit_id = $3",
    )
    .bind(i64::from(year))
    .bind(kind)
    .bind(unit)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|(f, v, n)| (f, (v, n)))
    .collect();
    for NewAnswer { field, value, note } in answers {
        let old = stored.get(field);
        if old.is_some_and(|(v, n)| v == value && n == note) {
            continue;
        }
        sqlx::query(
            "INSERT INTO answers (year, kind, unit_id, field, value, note) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (year, kind, unit_id, field) DO UPDATE SET value = excluded.value, note = excluded.note",
        )
        .bind(i64::from(year))
        .bind(kind)
        .bind(unit)
        .bind(field)
        .bind(value)
        .bind(note)
        .execute(&mut **tx)
        .await?;
        let at = AnswerAt { actor, year, kind, unit, reason };
        events.push(at.answer_event(field, old.map(|o| o.0.as_str()), value, note, new_status.take()));
    }
    if let Some(s) = new_status {
        events.push(AnswerAt { actor, year, kind, unit, reason }.status_event(current, s));
    }
    append_all(tx, &events).await
}

/// A submission's move within `tx`, checked against its status read in the same transaction.
async fn transition_in(
    tx: &mut Tx,
    k: &SubmissionKey,
    t: Transition,
    actor: &str,
    reason: &str,
) -> Result<SubmissionStatus> {
    let (year, kind, unit) = (k.year, k.kind.as_str(), k.unit());
    let current = status_in(tx, k).await?.ok_or(StoreError::NotFound)?;
    let to = current.after(t).ok_or_else(|| StoreError::Conflict(format!("submission is {current}: no {t:?}")))?;
    let at = (to == SubmissionStatus::Submitted).then(now_utc);
    sqlx::query(
        "UPDATE submissions SET status = $1, submitted_at = COALESCE($2, submitted_at) WHERE year = $3 AND kind = $4 AND unit_id = $5",
    )
    .bind(to.as_str())
    .bind(at)
    .bind(i64::from(year))
    .bind(kind)
    .bind(unit)
    .execute(&mut **tx)
    .await?;
    append(
        tx,
        &NewEvent::new(
            actor,
            "submission.status",
            format!("submission/{}", key(year, kind, unit)),
            current.as_str(),
            to.as_str(),
            reason,
        ),
    )
    .await?;
    Ok(to)
}

/// An event of an import of many units: a unit's changed answers in one event (old and new
/// values by field), its status moves as [`save_in`] and [`transition_in`] would record them.
enum Planned<'a> {
    Answers { k: &'a SubmissionKey, changes: Vec<(&'a NewAnswer, Option<&'a str>)>, status: Option<SubmissionStatus> },
    Status { k: &'a SubmissionKey, current: Option<SubmissionStatus>, new: SubmissionStatus },
    Submitted { k: &'a SubmissionKey, from: SubmissionStatus, to: SubmissionStatus, why: &'a str },
}

impl Planned<'_> {
    fn event(self, actor: &str, reason: &str) -> NewEvent {
        fn at<'a>(k: &'a SubmissionKey, actor: &'a str, reason: &'a str) -> AnswerAt<'a> {
            AnswerAt { actor, year: k.year, kind: k.kind.as_str(), unit: k.unit(), reason }
        }
        match self {
            Planned::Answers { k, changes, status } => NewEvent::new(
                actor,
                ANSWERS_IMPORTED,
                format!("submission/{}", key(k.year, &k.kind, k.unit())),
                json_object(changes.iter().filter_map(|(a, old)| Some((a.field.as_str(), (*old)?)))),
                json_object(changes.iter().map(|(a, _)| (a.field.as_str(), a.value.as_str()))),
                reason,
            )
            .with_detail_text(imported_detail(&changes, status)),
            Planned::Status { k, current, new } => at(k, actor, reason).status_event(current, new),
            Planned::Submitted { k, from, to, why } => NewEvent::new(
                actor,
                "submission.status",
                format!("submission/{}", key(k.year, &k.kind, k.unit())),
                from.as_str(),
                to.as_str(),
                why,
            ),
        }
    }
}

/// The action of a unit's answers changed by an import, all in one event: `old` and `new`
/// are JSON objects from field to value (`old` without the fields new to the submission),
/// the detail `{"notes":{field: note},"status":…}` (the non-empty notes; the status when the
/// import made the submission). One event per unit rather than per answer: a national
/// import is 4,500 events, not 540,000 (on PostgreSQL 2,6 s of the database's own work).
pub const ANSWERS_IMPORTED: &str = "answers.import";

/// A JSON object of strings, in the order given, as `serde_json` writes it.
fn json_object<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in pairs.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out += &serde_json::Value::from(k).to_string();
        out.push(':');
        out += &serde_json::Value::from(v).to_string();
    }
    out.push('}');
    out
}

/// An imported unit's detail: its answers' notes (the non-empty ones), and the status the
/// import gave a submission it made.
fn imported_detail(changes: &[(&NewAnswer, Option<&str>)], status: Option<SubmissionStatus>) -> String {
    let notes = changes.iter().filter(|(a, _)| !a.note.is_empty());
    let notes = json_object(notes.map(|(a, _)| (a.field.as_str(), a.note.as_str())));
    match status {
        Some(s) => format!("{{\"notes\":{notes},\"status\":{}}}", serde_json::Value::from(s.as_str())),
        None => format!("{{\"notes\":{notes}}}"),
    }
}

/// Rows per multi-row statement: 6 bound values each, well under SQLite's and PostgreSQL's
/// limits on bound parameters.
const ROWS_PER_STATEMENT: usize = 1000;

/// Units whose answers are made and saved at a time in an import of many units (at most
/// [`ROWS_PER_STATEMENT`] units: one query reads their statuses, one their stored answers).
const UNITS_PER_CHUNK: usize = 250;

/// Several units' answers to save, given one unit at a time: an import of a whole period
/// hands its answers over as they are saved, [`UNITS_PER_CHUNK`] units at a time, rather
/// than all of them at once beside the store's own copies.
pub trait UnitAnswers: Sync {
    /// The number of units.
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Unit `i`'s submission.
    fn key(&self, i: usize) -> &SubmissionKey;
    /// Unit `i`'s answers, made when asked for (once per save).
    fn answers(&self, i: usize) -> Cow<'_, [NewAnswer]>;
}

impl UnitAnswers for [(SubmissionKey, Vec<NewAnswer>)] {
    fn len(&self) -> usize {
        <[_]>::len(self)
    }
    fn key(&self, i: usize) -> &SubmissionKey {
        &self[i].0
    }
    fn answers(&self, i: usize) -> Cow<'_, [NewAnswer]> {
        Cow::Borrowed(&self[i].1)
    }
}

/// Several units' answers within `tx`: the rows [`save_in`] and [`transition_in`] would write
/// one unit after the other, each unit's changed answers on the record in one event
/// ([`ANSWERS_IMPORTED`]) and its status moves as they record them, in a number
/// of statements that does not grow with the number of answers: per chunk of units, their
/// statuses and stored answers read once, the writes as multi-row statements, the events
/// appended at once. A whole period's import (4,500 units × 120 fields) is a few thousand
/// statements, not half a million, and holds one chunk's answers and events at a time. A
/// refusal (a unit that left the draft state) in a later chunk returns an error with the
/// earlier chunks written in `tx`, which the caller does not commit: nothing changes.
async fn save_many_in<U: UnitAnswers + ?Sized>(
    tx: &mut Tx,
    units: &U,
    submit: Option<&str>,
    actor: &str,
    reason: &str,
) -> Result<()> {
    let n = units.len();
    {
        let mut seen = std::collections::HashSet::new();
        if let Some(k) = (0..n).map(|i| units.key(i)).find(|k| !seen.insert(*k)) {
            return Err(StoreError::Conflict(format!("submission {} given twice", key(k.year, &k.kind, k.unit()))));
        }
    }
    let at = now_utc();
    let mut start = 0;
    while start < n {
        let end = (start + UNITS_PER_CHUNK).min(n);
        let keys: Vec<&SubmissionKey> = (start..end).map(|i| units.key(i)).collect();
        let answers: Vec<Cow<'_, [NewAnswer]>> = (start..end).map(|i| units.answers(i)).collect();
        save_chunk_in(tx, &keys, &answers, submit, actor, reason, &at).await?;
        start = end;
    }
    Ok(())
}

/// One chunk of [`save_many_in`]: `keys[i]`'s answers are `answers[i]`; `at`: the time of
/// the units' moves to submitted.
async fn save_chunk_in(
    tx: &mut Tx,
    keys: &[&SubmissionKey],
    answers: &[Cow<'_, [NewAnswer]>],
    submit: Option<&str>,
    actor: &str,
    reason: &str,
    at: &str,
) -> Result<()> {
    // Per period, the statuses and stored answers of the units concerned.
    let mut statuses: HashMap<(i32, String, String), SubmissionStatus> = HashMap::new();
    let mut stored: HashMap<(i32, String, String), HashMap<String, (String, String)>> = HashMap::new();
    let mut periods: Vec<(i32, &str)> = keys.iter().map(|k| (k.year, k.kind.as_str())).collect();
    periods.sort();
    periods.dedup();
    for (year, kind) in periods {
        let of_period: Vec<&str> = keys.iter().filter(|k| k.year == year && k.kind == kind).map(|k| k.unit()).collect();
        for chunk in of_period.chunks(ROWS_PER_STATEMENT) {
            let mut p = tx.params();
            let sql = format!(
                "SELECT unit_id, status FROM submissions WHERE year = {} AND kind = {} AND unit_id IN ({})",
                p.one(),
                p.one(),
                p.list(chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(i64::from(year)).bind(kind);
            for u in chunk {
                q = q.bind(*u);
            }
            let mut existing = Vec::new();
            for (unit, raw) in q.fetch_all(&mut **tx).await? {
                statuses.insert((year, kind.to_string(), unit.clone()), status(&raw)?);
                existing.push(unit);
            }
            // Only a unit with a submission can have answers (the foreign key): a new
            // period's import reads none. PostgreSQL, planning from statistics that do not
            // count what this transaction added, read the chunk's answers by filtering the
            // whole period (25 s for a first national year).
            if existing.is_empty() {
                continue;
            }
            let mut p = tx.params();
            let sql = format!(
                "SELECT unit_id, field, value, note FROM answers WHERE year = {} AND kind = {} AND unit_id IN ({})",
                p.one(),
                p.one(),
                p.list(existing.len())
            );
            let mut q = sqlx::query_as::<_, (String, String, String, String)>(&sql).bind(i64::from(year)).bind(kind);
            for u in &existing {
                q = q.bind(u);
            }
            for (unit, field, value, note) in q.fetch_all(&mut **tx).await? {
                stored.entry((year, kind.to_string(), unit)).or_default().insert(field, (value, note));
            }
        }
    }
    let none = HashMap::new();
    let mut new_submissions: Vec<(&SubmissionKey, SubmissionStatus)> = Vec::new();
    let mut moved: Vec<(&SubmissionKey, SubmissionStatus)> = Vec::new();
    // New answers and changed ones apart: a new one is a plain insert (no conflict to look
    // for: its unit's stored answers were read in this transaction), the rest an upsert.
    let mut inserts: Vec<(&SubmissionKey, &NewAnswer)> = Vec::new();
    let mut updates: Vec<(&SubmissionKey, &NewAnswer)> = Vec::new();
    // The events, in order, as what each will say: made one statement's worth at a time
    // when appended.
    let mut events: Vec<Planned> = Vec::new();
    for (k, answers) in keys.iter().copied().zip(answers) {
        let (year, kind, unit) = (k.year, k.kind.as_str(), k.unit());
        let id = (year, kind.to_string(), unit.to_string());
        let current = statuses.get(&id).copied();
        if let Some(s) = current
            && !s.editable()
        {
            return Err(StoreError::Conflict(format!("submission is {s}")));
        }
        // As `save_in` without a status: a new submission is a draft, on the record.
        let new_status = match current {
            None => {
                new_submissions.push((k, SubmissionStatus::Draft));
                Some(SubmissionStatus::Draft)
            }
            Some(_) => None,
        };
        let old_answers = stored.get(&id).unwrap_or(&none);
        let mut changes = Vec::new();
        // The last answer given for a field wins, as one statement after the other would.
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, a) in answers.iter().enumerate() {
            last.insert(a.field.as_str(), i);
        }
        for (i, a) in answers.iter().enumerate() {
            let NewAnswer { field, value, note } = a;
            if last[field.as_str()] != i {
                continue;
            }
            let old = old_answers.get(field);
            if old.is_some_and(|(v, n)| v == value && n == note) {
                continue;
            }
            if old.is_some() {
                updates.push((k, a))
            } else {
                inserts.push((k, a))
            }
            changes.push((a, old.map(|o| o.0.as_str())));
        }
        match (changes.is_empty(), new_status) {
            (false, status) => events.push(Planned::Answers { k, changes, status }),
            (true, Some(s)) => events.push(Planned::Status { k, current, new: s }),
            (true, None) => {}
        }
        // As `transition_in`: submitted on the units' behalf, each move on the record.
        if let Some(why) = submit {
            let from = current.unwrap_or(SubmissionStatus::Draft);
            let to = from
                .after(Transition::Submit)
                .ok_or_else(|| StoreError::Conflict(format!("submission is {from}: no {:?}", Transition::Submit)))?;
            moved.push((k, to));
            events.push(Planned::Submitted { k, from, to, why });
        }
    }
    for chunk in new_submissions.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO submissions (year, kind, unit_id, status) VALUES {}",
            tx.params().rows(4, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for (k, s) in chunk {
            q = q.bind(i64::from(k.year)).bind(&k.kind).bind(k.unit()).bind(s.as_str());
        }
        q.execute(&mut **tx).await?;
    }
    let chunks =
        inserts.chunks(ROWS_PER_STATEMENT).map(|c| (c, "")).chain(updates.chunks(ROWS_PER_STATEMENT).map(|c| {
            (c, " ON CONFLICT (year, kind, unit_id, field) DO UPDATE SET value = excluded.value, note = excluded.note")
        }));
    for (chunk, upsert) in chunks {
        let sql = format!(
            "INSERT INTO answers (year, kind, unit_id, field, value, note) VALUES {}{upsert}",
            tx.params().rows(6, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for (k, a) in chunk {
            q = q
                .bind(i64::from(k.year))
                .bind(k.kind.as_str())
                .bind(k.unit())
                .bind(a.field.as_str())
                .bind(a.value.as_str())
                .bind(a.note.as_str());
        }
        q.execute(&mut **tx).await?;
    }
    // The moves grouped by period and new status, in multi-row updates.
    let mut groups: Vec<((i32, &str, SubmissionStatus), Vec<&str>)> = Vec::new();
    for (k, to) in moved {
        let g = (k.year, k.kind.as_str(), to);
        match groups.iter_mut().find(|(x, _)| *x == g) {
            Some((_, list)) => list.push(k.unit()),
            None => groups.push((g, vec![k.unit()])),
        }
    }
    for ((year, kind, to), list) in groups {
        for chunk in list.chunks(ROWS_PER_STATEMENT) {
            let mut p = tx.params();
            let sql = format!(
                "UPDATE submissions SET status = {}, submitted_at = COALESCE({}, submitted_at) \
                 WHERE year = {} AND kind = {} AND unit_id IN ({})",
                p.one(),
                p.one(),
                p.one(),
                p.one(),
                p.list(chunk.len())
            );
            let submitted_at = (to == SubmissionStatus::Submitted).then_some(at);
            let mut q = sqlx::query(&sql).bind(to.as_str()).bind(submitted_at).bind(i64::from(year)).bind(kind);
            for u in chunk {
                q = q.bind(*u);
            }
            q.execute(&mut **tx).await?;
        }
    }
    let n = events.len();
    append_each(tx, n, Made { planned: events.into_iter(), actor, reason }).await
}

/// Planned events made as they are appended (a named iterator, not a closure: the future
/// holding it across awaits stays `Send` for any lifetime).
struct Made<'a> {
    planned: std::vec::IntoIter<Planned<'a>>,
    actor: &'a str,
    reason: &'a str,
}

impl Iterator for Made<'_> {
    type Item = NewEvent;
    fn next(&mut self) -> Option<NewEvent> {
        self.planned.next().map(|p| p.event(self.actor, self.reason))
    }
}

impl Store {
    pub async fn submission(&self, year: i32, kind: &str, unit: &str) -> Result<Option<SubmissionRow>> {
        let r: Option<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT unit_id, status, submitted_at FROM submissions WHERE year = $1 AND kind = $2 AND unit_id = $3",
        )
        .bind(i64::from(year))
        .bind(kind)
        .bind(unit)
        .fetch_optional(self.pool())
        .await?;
        r.map(row).transpose()
    }

    pub async fn submissions(&self, year: i32, kind: &str) -> Result<Vec<SubmissionRow>> {
        let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT unit_id, status, submitted_at FROM submissions WHERE year = $1 AND kind = $2 ORDER BY unit_id",
        )
        .bind(i64::from(year))
        .bind(kind)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(row).collect()
    }

    pub async fn answers(&self, year: i32, kind: &str, unit: &str) -> Result<Vec<AnswerRow>> {
        let rows: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT field, value, verified, note FROM answers WHERE year = $1 AND kind = $2 AND unit_id = $3 ORDER BY field",
        )
        .bind(i64::from(year))
        .bind(kind)
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|(field, value, verified, note)| AnswerRow { field, value, verified, note }).collect())
    }

    /// Every answer of a period, by unit.
    /// Every stored answer of a period, by unit then field.
    pub async fn period_answers(&self, year: i32, kind: &str) -> Result<Vec<UnitAnswer>> {
        let rows: Vec<(String, String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT unit_id, field, value, verified, note FROM answers WHERE year = $1 AND kind = $2 ORDER BY unit_id, field",
        )
        .bind(i64::from(year))
        .bind(kind)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(unit, field, value, verified, note)| UnitAnswer {
                unit,
                answer: AnswerRow { field, value, verified, note },
            })
            .collect())
    }

    /// The fields a period's stored answers name, each once, in order.
    pub async fn period_fields(&self, year: i32, kind: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT field FROM answers WHERE year = $1 AND kind = $2 ORDER BY field")
                .bind(i64::from(year))
                .bind(kind)
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().map(|(f,)| f).collect())
    }

    /// The value that counts of every answer of a period (an assessor's verified value wins),
    /// given to `each` a unit at a time, `(unit, [(field, value)])`, in unit order. The database
    /// groups them (a JSON array per unit: a national period is thousands of rows, not half a
    /// million), read as they come: the period's answers are never all held as strings.
    pub async fn each_period_effective_answers(
        &self,
        year: i32,
        kind: &str,
        mut each: impl FnMut(String, Vec<(String, String)>) + Send,
    ) -> Result<()> {
        use futures_util::TryStreamExt;
        let sql = match self.backend {
            crate::Backend::Sqlite => {
                "SELECT unit_id, json_group_array(json_array(field, COALESCE(verified, value))) FROM answers \
                 WHERE year = $1 AND kind = $2 GROUP BY unit_id ORDER BY unit_id"
            }
            crate::Backend::Postgres => {
                "SELECT unit_id, json_agg(json_build_array(field, COALESCE(verified, value)))::text FROM answers \
                 WHERE year = $1 AND kind = $2 GROUP BY unit_id ORDER BY unit_id"
            }
        };
        let mut rows = sqlx::query_as::<_, (String, String)>(sql).bind(i64::from(year)).bind(kind).fetch(self.pool());
        while let Some((unit, json)) = rows.try_next().await? {
            let pairs: Vec<(String, String)> =
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("answers of {unit}: {e}")))?;
            each(unit, pairs);
        }
        Ok(())
    }

    /// The notes of a period's answers stored as "not applicable" (`N/A`, any case): unit,
    /// field and note, one query.
    pub async fn period_na_notes(&self, year: i32, kind: &str) -> Result<Vec<(String, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT unit_id, field, note FROM answers WHERE year = $1 AND kind = $2 AND UPPER(value) = 'N/A'",
        )
        .bind(i64::from(year))
        .bind(kind)
        .fetch_all(self.pool())
        .await?)
    }

    /// Saves a unit's answers as a draft (or straight to `status`, for imports), each
    /// change on the record. Refused once the submission left the draft state, unless
    /// `status` is given (imports and seeding).
    pub async fn save_answers(
        &self,
        k: &SubmissionKey,
        answers: &[NewAnswer],
        status: Option<SubmissionStatus>,
        actor: &str,
        reason: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        save_in(&mut tx, k, answers, status, actor, reason).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves several units' answers as drafts in one transaction (an import: all of them or
    /// none), each unit's changes on the record in one event with `reason`
    /// ([`ANSWERS_IMPORTED`]); with `submit` (its reason), moves each
    /// submission on to submitted, each move on the record with the actor and that reason (an
    /// administrator submitting imported figures on the units' behalf). Refused whole if any
    /// of them left the draft state.
    pub async fn save_units(
        &self,
        units: &[(SubmissionKey, Vec<NewAnswer>)],
        submit: Option<&str>,
        actor: &str,
        reason: &str,
    ) -> Result<()> {
        self.save_units_from(units, submit, actor, reason).await
    }

    /// [`Store::save_units`] with the answers made a chunk of units at a time as they are
    /// saved ([`UnitAnswers`]): the same rows, the same events.
    pub async fn save_units_from<U: UnitAnswers + ?Sized>(
        &self,
        units: &U,
        submit: Option<&str>,
        actor: &str,
        reason: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        save_many_in(&mut tx, units, submit, actor, reason).await?;
        tx.commit().await?;
        if self.backend() == crate::Backend::Postgres && units.len() >= UNITS_PER_CHUNK {
            // PostgreSQL's advice after a bulk load: its statistics brought up to date now,
            // not at the autovacuum's next look. Planned with the empty period's, the next
            // import's read of the stored answers filtered the whole period for each chunk
            // (33 s for corrections right after a national import, 1,6 s once analysed).
            // Statistics only: a failure here changes nothing saved.
            let _ = sqlx::query("ANALYZE submissions, answers").execute(self.pool()).await;
        }
        Ok(())
    }

    /// Saves a unit's answers and moves its submission (a reporter's "submit") in one
    /// transaction: both happen, or neither.
    pub async fn save_and_transition(
        &self,
        k: &SubmissionKey,
        answers: &[NewAnswer],
        t: Transition,
        actor: &str,
        reason: &str,
    ) -> Result<SubmissionStatus> {
        let mut tx = self.write_tx().await?;
        save_in(&mut tx, k, answers, None, actor, "").await?;
        let to = transition_in(&mut tx, k, t, actor, reason).await?;
        tx.commit().await?;
        Ok(to)
    }

    /// Moves a submission by `t` (draft → submitted → verified; back to draft when the unit
    /// must answer), on the record, checked against its status inside the transaction: two
    /// assessors acting at once cannot both move it. `Conflict` if `t` is not allowed from
    /// where it stands. Returns the new status.
    pub async fn transition(
        &self,
        k: &SubmissionKey,
        t: Transition,
        actor: &str,
        reason: &str,
    ) -> Result<SubmissionStatus> {
        let mut tx = self.write_tx().await?;
        let to = transition_in(&mut tx, k, t, actor, reason).await?;
        tx.commit().await?;
        Ok(to)
    }

    /// An assessor's verified value for one field, with the reason, on the record.
    pub async fn verify_answer(
        &self,
        year: i32,
        kind: &str,
        unit: &str,
        field: &str,
        verified: Option<&str>,
        actor: &str,
        reason: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let old: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT value, verified FROM answers WHERE year = $1 AND kind = $2 AND unit_id = $3 AND field = $4",
        )
        .bind(i64::from(year))
        .bind(kind)
        .bind(unit)
        .bind(field)
        .fetch_optional(&mut *tx)
        .await?;
        let (value, old_verified) = old.ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE answers SET verified = $1 WHERE year = $2 AND kind = $3 AND unit_id = $4 AND field = $5")
            .bind(verified)
            .bind(i64::from(year))
            .bind(kind)
            .bind(unit)
            .bind(field)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &NewEvent::new(
                actor,
                "answer.verify",
                format!("answer/{}/{field}", key(year, kind, unit)),
                old_verified.unwrap_or(value.clone()),
                verified.unwrap_or(&value),
                reason,
            )
            .with_detail(json!({ "verified": verified })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_evidence(&self, year: i32, kind: &str, unit: &str, e: &EvidenceRow) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO evidence (year, kind, unit_id, criterion, sha256, filename, content_type, size, uploaded_by, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(i64::from(year))
        .bind(kind)
        .bind(unit)
        .bind(&e.criterion)
        .bind(&e.sha256)
        .bind(&e.filename)
        .bind(&e.content_type)
        .bind(e.size)
        .bind(&e.uploaded_by)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            &NewEvent::new(
                e.uploaded_by.clone(),
                "evidence.add",
                format!("evidence/{}/{}", key(year, kind, unit), e.criterion),
                String::new(),
                format!("{} {} ({} bytes)", e.sha256, e.filename, e.size),
                String::new(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn evidence(&self, year: i32, kind: &str, unit: &str) -> Result<Vec<EvidenceRow>> {
        let rows: Vec<(i64, String, String, String, String, i64, String, String)> = sqlx::query_as(
            "SELECT id, criterion, sha256, filename, content_type, size, uploaded_by, at FROM evidence \
             WHERE year = $1 AND kind = $2 AND unit_id = $3 ORDER BY id",
        )
        .bind(i64::from(year))
        .bind(kind)
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, criterion, sha256, filename, content_type, size, uploaded_by, at)| EvidenceRow {
                id,
                criterion,
                sha256,
                filename,
                content_type,
                size,
                uploaded_by,
                at,
            })
            .collect())
    }

    /// One piece of evidence with the submission it belongs to: (year, kind, unit, row).
    /// Removes an evidence row, on the record with what it was (the file stays: it is named by
    /// its content and may be another row's too).
    pub async fn delete_evidence(&self, id: i64, actor: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let row: Option<(i64, String, String, String, String, String, i64, String)> = sqlx::query_as(
            "SELECT year, kind, unit_id, criterion, sha256, filename, size, uploaded_by FROM evidence WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((year, kind, unit, criterion, sha256, filename, size, uploaded_by)) = row else {
            return Err(StoreError::NotFound);
        };
        sqlx::query("DELETE FROM evidence WHERE id = $1").bind(id).execute(&mut *tx).await?;
        append(
            &mut tx,
            &NewEvent::new(
                actor.to_string(),
                "evidence.delete",
                format!("evidence/{}/{criterion}", key(year as i32, &kind, &unit)),
                // The row as `evidence.add` recorded it, so a replay can take it off.
                format!("{uploaded_by} {sha256} {filename} ({size} bytes)"),
                String::new(),
                String::new(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An evidence row and the submission it belongs to.
    pub async fn evidence_by_id(&self, id: i64) -> Result<Option<(SubmissionKey, EvidenceRow)>> {
        let r: Option<(i64, String, String, i64, String, String, String, String, i64, String, String)> = sqlx::query_as(
            "SELECT year, kind, unit_id, id, criterion, sha256, filename, content_type, size, uploaded_by, at FROM evidence WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(r.map(|(year, kind, unit, id, criterion, sha256, filename, content_type, size, uploaded_by, at)| {
            (
                SubmissionKey::new(year as i32, &kind, &unit),
                EvidenceRow { id, criterion, sha256, filename, content_type, size, uploaded_by, at },
            )
        }))
    }

    pub async fn add_comment(
        &self,
        year: i32,
        kind: &str,
        unit: &str,
        criterion: &str,
        author: &str,
        body: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("INSERT INTO comments (year, kind, unit_id, criterion, author, body, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(i64::from(year))
            .bind(kind)
            .bind(unit)
            .bind(criterion)
            .bind(author)
            .bind(body)
            .bind(now_utc())
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &NewEvent::new(
                author,
                "comment.add",
                format!("comment/{}/{criterion}", key(year, kind, unit)),
                String::new(),
                body,
                String::new(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn comments(&self, year: i32, kind: &str, unit: &str) -> Result<Vec<CommentRow>> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT criterion, author, body, at FROM comments WHERE year = $1 AND kind = $2 AND unit_id = $3 ORDER BY id",
        )
        .bind(i64::from(year))
        .bind(kind)
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|(criterion, author, body, at)| CommentRow { criterion, author, body, at }).collect())
    }

    /// Freezes a result snapshot as the next version and marks the period published. The
    /// results are taken (a national snapshot is tens of megabytes: bound as they are, not
    /// copied for the database's thread).
    pub async fn publish(
        &self,
        year: i32,
        kind: &str,
        results: impl Into<String>,
        reason: &str,
        actor: &str,
    ) -> Result<i64> {
        let results: String = results.into();
        let sha256 = sha256_hex(&results);
        let mut tx = self.write_tx().await?;
        let (last,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(version) FROM snapshots WHERE year = $1 AND kind = $2")
                .bind(i64::from(year))
                .bind(kind)
                .fetch_one(&mut *tx)
                .await?;
        let version = last.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO snapshots (year, kind, version, results, reason, published_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(i64::from(year))
        .bind(kind)
        .bind(version)
        .bind(results)
        .bind(reason)
        .bind(actor)
        .bind(now_utc())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE periods SET status = 'published' WHERE year = $1 AND kind = $2")
            .bind(i64::from(year))
            .bind(kind)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &NewEvent::new(
                actor,
                "results.publish",
                format!("results/{year}/{kind}"),
                last.map(|v| format!("v{v}")).unwrap_or_default(),
                format!("v{version}"),
                reason,
            )
            .with_detail(json!({ "version": version, "sha256": sha256 })),
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The latest published version of a period, without its results.
    pub async fn published_version(&self, year: i32, kind: &str) -> Result<Option<i64>> {
        let (v,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM snapshots WHERE year = $1 AND kind = $2")
            .bind(i64::from(year))
            .bind(kind)
            .fetch_one(self.pool())
            .await?;
        Ok(v)
    }

    /// The units the latest published version of a period names, in its order, read by the
    /// database from the document (a national one is 15 MB; only the names come back).
    pub async fn snapshot_units(&self, year: i32, kind: &str) -> Result<Vec<String>> {
        let sql = match self.backend {
            crate::Backend::Sqlite => {
                "SELECT json_extract(r.value, '$.unit') FROM \
                 (SELECT results FROM snapshots WHERE year = $1 AND kind = $2 ORDER BY version DESC LIMIT 1) s, \
                 json_each(s.results, '$.results') r ORDER BY r.key"
            }
            crate::Backend::Postgres => {
                "SELECT r.value ->> 'unit' FROM \
                 (SELECT results FROM snapshots WHERE year = $1 AND kind = $2 ORDER BY version DESC LIMIT 1) s, \
                 json_array_elements(s.results::json -> 'results') WITH ORDINALITY AS r(value, n) ORDER BY r.n"
            }
        };
        let rows: Vec<(Option<String>,)> =
            sqlx::query_as(sql).bind(i64::from(year)).bind(kind).fetch_all(self.pool()).await?;
        Ok(rows.into_iter().filter_map(|(u,)| u).collect())
    }

    pub async fn latest_snapshot(&self, year: i32, kind: &str) -> Result<Option<SnapshotRow>> {
        let r: Option<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT version, results, reason, published_by, at FROM snapshots WHERE year = $1 AND kind = $2 \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(i64::from(year))
        .bind(kind)
        .fetch_optional(self.pool())
        .await?;
        Ok(r.map(|(version, results, reason, published_by, at)| SnapshotRow {
            version,
            results,
            reason,
            published_by,
            at,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answers_detail_is_the_json_object_serde_writes() {
        for note in ["", "Không áp dụng: \"chưa có\" \\ \n\t\u{1}", "N/A"] {
            assert_eq!(answer_detail(note, None), json!({ "note": note }).to_string());
            for s in [SubmissionStatus::Draft, SubmissionStatus::Submitted, SubmissionStatus::Verified] {
                assert_eq!(answer_detail(note, Some(s)), json!({ "note": note, "status": s.as_str() }).to_string());
            }
        }
    }
}

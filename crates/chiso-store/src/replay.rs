//! Replaying the audit trail: what the current rows must be if every change went through
//! chiso (and so left its event), compared with what the database holds. A figure, a
//! verified value, a status, a published snapshot, a document or a user changed directly
//! in the database, behind the application's back, shows here even though the hash chain
//! is intact.
//!
//! Only final states are compared: an event's `old` value is what its transaction read,
//! which on PostgreSQL (READ COMMITTED) may be older than the previous event on the same
//! row when two writes race, so it proves nothing. Events written before migration 0003
//! carry no `detail`: what they did not record (an answer's note; whether an assessor's
//! value was cleared or equal to the unit's; a snapshot's content) is left unchecked and
//! counted, until a later event settles it.

use crate::audit::{AuditEvent, COLUMNS};
use crate::{Result, Store};
use futures_util::TryStreamExt;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// One row (or column of a row) that is not what the trail says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discrepancy {
    /// The audit entity: `answer/2021/department/so-y-te/infra`, `submission/…`,
    /// `results/2021/department/v2`, `period/…`, `document/<name>`, `user/<name>`.
    pub entity: String,
    /// `value`, `note`, `verified`, `status`, `results` (sha256), `reason`, `published_by`,
    /// `body` (sha256), `role`, `units`, or `row` (the row itself).
    pub column: &'static str,
    /// What the trail says; `None`: the trail has no such row.
    pub expected: Option<String>,
    /// What the database holds; `None`: no such row.
    pub found: Option<String>,
    /// The event that set the expected value.
    pub seq: Option<i64>,
}

impl Discrepancy {
    /// The unit, for a submission's rows.
    pub fn unit(&self) -> Option<&str> {
        let mut p = self.entity.split('/');
        matches!(p.next()?, "answer" | "submission").then_some(())?;
        p.nth(2)
    }

    /// The answer's field (`infra`, `app.numerator`), for answers.
    pub fn field(&self) -> Option<&str> {
        self.entity.strip_prefix("answer/")?.splitn(4, '/').nth(3)
    }
}

impl std::fmt::Display for Discrepancy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &Option<String>| v.as_ref().map_or("(no row)".to_string(), |v| format!("{v:?}"));
        write!(f, "{} {}: the trail says {}", self.entity, self.column, show(&self.expected))?;
        if let Some(seq) = self.seq {
            write!(f, " (event {seq})")?;
        }
        write!(f, ", the database holds {}", show(&self.found))
    }
}

/// The replay's findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replay {
    pub events: usize,
    /// Values compared with the database.
    pub checked: usize,
    /// Values the trail cannot determine (written before it recorded them, or by an action
    /// the replay does not know), by entity.
    pub unchecked: Vec<String>,
    pub discrepancies: Vec<Discrepancy>,
}

/// A value the trail determines (`Some`) or does not (`None`), with the event that set it.
type Known<T> = Option<(T, i64)>;

#[derive(Default)]
struct AnswerState {
    value: Known<Box<str>>,
    note: Known<Box<str>>,
    /// `Some((None, _))`: no verified value; `Some((Some(v), _))`: v.
    verified: Known<Option<Box<str>>>,
    /// A verification recorded before migration 0003 that left the unit's value: the
    /// verified column is empty or that value.
    verified_none_or: Known<Box<str>>,
}

/// Every answer's state by its key (`year/kind/unit/field`): by submission, each one's
/// answers in the order of their field's id. A national trail leads to a million answers;
/// a string key each in a tree, then a hash table of them (its doubling peak), were most of
/// `chiso verify`'s memory.
#[derive(Default)]
struct Answers {
    submissions: Interned,
    fields: Interned,
    /// By submission id: (field id, state), sorted by field id; a state compared with its row
    /// is taken (`None`), so that what is left had no row.
    states: Vec<Vec<(u32, Option<AnswerState>)>>,
}

/// Strings by id, and ids by string.
#[derive(Default)]
struct Interned {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interned {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }
}

impl Answers {
    /// `year/kind/unit` and `field` of an answer's key.
    fn split(key: &str) -> (&str, &str) {
        key.rsplit_once('/').unwrap_or(("", key))
    }

    /// The answer's state, made by `new` if the trail had none.
    fn get_or(&mut self, key: &str, new: impl FnOnce() -> AnswerState) -> &mut AnswerState {
        let (submission, field) = Answers::split(key);
        let (s, f) = (self.submissions.id(submission) as usize, self.fields.id(field));
        if s == self.states.len() {
            self.states.push(Vec::new());
        }
        let answers = &mut self.states[s];
        let i = match answers.binary_search_by_key(&f, |(id, _)| *id) {
            Ok(i) => i,
            Err(i) => {
                answers.insert(i, (f, None));
                i
            }
        };
        answers[i].1.get_or_insert_with(new)
    }

    /// The answer's place, if the trail named it.
    fn slot(&mut self, key: &str) -> Option<&mut Option<AnswerState>> {
        let (submission, field) = Answers::split(key);
        let s = *self.submissions.ids.get(submission)? as usize;
        let f = *self.fields.ids.get(field)?;
        let answers = &mut self.states[s];
        let i = answers.binary_search_by_key(&f, |(id, _)| *id).ok()?;
        Some(&mut answers[i].1)
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut AnswerState> {
        self.slot(key)?.as_mut()
    }

    fn take(&mut self, key: &str) -> Option<AnswerState> {
        self.slot(key)?.take()
    }

    /// What is left (no row), by key in order.
    fn into_sorted(self) -> Vec<(String, AnswerState)> {
        let Answers { submissions, fields, states } = self;
        let mut left = Vec::new();
        for (s, answers) in states.into_iter().enumerate() {
            for (f, a) in answers {
                if let Some(a) = a {
                    left.push((format!("{}/{}", submissions.names[s], fields.names[f as usize]), a));
                }
            }
        }
        left.sort_by(|a, b| a.0.cmp(&b.0));
        left
    }
}

#[derive(Default)]
struct State {
    answers: Answers,
    submissions: BTreeMap<String, Known<String>>,
    periods: BTreeMap<String, Known<String>>,
    /// key `year/kind/vN` → (sha256, reason, published by)
    snapshots: BTreeMap<String, (Known<String>, String, String, i64)>,
    documents: BTreeMap<String, Known<String>>,
    /// username → (role, units sorted)
    users: BTreeMap<String, Known<(String, String)>>,
    /// entity → what each `evidence.add` / `comment.add` recorded: "actor value" (rows
    /// without a key of their own, matched as a multiset)
    attached: BTreeMap<String, Vec<(String, i64)>>,
    /// username → sha256 of the password hash
    passwords: BTreeMap<String, Known<String>>,
    unknown: Vec<String>,
}

fn sha(s: &str) -> String {
    Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn detail(e: &AuditEvent) -> Option<Value> {
    (!e.detail.is_empty()).then(|| serde_json::from_str(&e.detail).ok()).flatten()
}

/// The password a user event set (sha256 of the stored hash), if it says.
fn password(d: &Option<Value>, seq: i64) -> Known<String> {
    d.as_ref().and_then(|d| d["password_sha256"].as_str().map(|h| (h.to_string(), seq)))
}

/// The submission key (`year/kind/unit`) of an answer key (`year/kind/unit/field`).
fn submission_of(answer: &str) -> String {
    answer.splitn(4, '/').take(3).collect::<Vec<_>>().join("/")
}

impl State {
    fn apply(&mut self, e: &AuditEvent) {
        let seq = e.seq;
        let (kind, rest) = e.entity.split_once('/').unwrap_or((e.entity.as_str(), ""));
        let d = detail(e);
        match (e.action.as_str(), kind) {
            ("answer.set", "answer") => {
                match d.as_ref().and_then(|d| d["status"].as_str()) {
                    // The save made the submission, or an import set its status.
                    Some(status) => {
                        self.submissions.insert(submission_of(rest), Some((status.to_string(), seq)));
                    }
                    None => {
                        self.submissions.entry(submission_of(rest)).or_insert(None);
                    }
                }
                let a =
                    self.answers.get_or(rest, || AnswerState { verified: Some((None, seq)), ..AnswerState::default() });
                a.value = Some((e.new_value.as_str().into(), seq));
                a.note = d.as_ref().and_then(|d| d["note"].as_str().map(|n| (n.into(), seq)));
            }
            (crate::ANSWERS_IMPORTED, "submission") => {
                match d.as_ref().and_then(|d| d["status"].as_str()) {
                    Some(status) => {
                        self.submissions.insert(rest.to_string(), Some((status.to_string(), seq)));
                    }
                    None => {
                        self.submissions.entry(rest.to_string()).or_insert(None);
                    }
                }
                let new: serde_json::Map<String, Value> = serde_json::from_str(&e.new_value).unwrap_or_default();
                let notes = d.as_ref().map(|d| &d["notes"]);
                for (field, value) in new {
                    let a = self.answers.get_or(&format!("{rest}/{field}"), || AnswerState {
                        verified: Some((None, seq)),
                        ..AnswerState::default()
                    });
                    a.value = value.as_str().map(|v| (v.into(), seq));
                    let note = notes.and_then(|n| n[&field].as_str()).unwrap_or_default();
                    a.note = Some((note.into(), seq));
                }
            }
            ("answer.verify", "answer") => {
                let a = self.answers.get_or(rest, AnswerState::default);
                match d.as_ref().map(|d| &d["verified"]) {
                    Some(Value::Null) => a.verified = Some((None, seq)),
                    Some(Value::String(v)) => a.verified = Some((Some(v.as_str().into()), seq)),
                    _ => match &a.value {
                        Some((v, _)) if **v != *e.new_value => {
                            a.verified = Some((Some(e.new_value.as_str().into()), seq))
                        }
                        Some(_) => {
                            a.verified = None;
                            a.verified_none_or = Some((e.new_value.as_str().into(), seq));
                        }
                        None => a.verified = None,
                    },
                }
                if a.verified.is_some() {
                    a.verified_none_or = None;
                }
            }
            ("submission.status", "submission") => {
                self.submissions.insert(rest.to_string(), Some((e.new_value.clone(), seq)));
            }
            ("period.create" | "period.status", "period") => {
                let status = e.new_value.split_whitespace().last().unwrap_or_default().to_string();
                self.periods.insert(rest.to_string(), Some((status, seq)));
            }
            ("results.publish", "results") => {
                self.periods.insert(rest.to_string(), Some(("published".into(), seq)));
                let version = d.as_ref().and_then(|d| d["version"].as_i64()).map(|v| format!("v{v}"));
                let version = version.unwrap_or_else(|| e.new_value.clone());
                let hash = d.as_ref().and_then(|d| d["sha256"].as_str().map(|h| (h.to_string(), seq)));
                self.snapshots.insert(format!("{rest}/{version}"), (hash, e.reason.clone(), e.actor.clone(), seq));
            }
            ("period.remove", "period") => {
                self.periods.remove(rest);
            }
            ("document.put", "document") => {
                self.documents.insert(rest.to_string(), Some((sha(&e.new_value), seq)));
            }
            ("document.delete", "document") => {
                self.documents.remove(rest);
            }
            ("user.create", "user") => {
                let mut words = e.new_value.splitn(2, ' ');
                let role = words.next().unwrap_or_default().to_string();
                let mut units: Vec<&str> =
                    words.next().unwrap_or_default().split(',').filter(|u| !u.is_empty()).collect();
                units.sort_unstable();
                self.users.insert(rest.to_string(), Some(((role, units.join(",")), seq)));
                self.passwords.insert(rest.to_string(), password(&d, seq));
            }
            ("user.units", "user") => {
                let mut units: Vec<&str> = e.new_value.split(',').filter(|u| !u.is_empty()).collect();
                units.sort_unstable();
                if let Some(Some(((role, _), _))) = self.users.get(rest).cloned() {
                    self.users.insert(rest.to_string(), Some(((role, units.join(",")), seq)));
                }
            }
            ("user.password", "user") => {
                self.passwords.insert(rest.to_string(), password(&d, seq));
            }
            // Changes that leave the checked columns as they were.
            ("evidence.add", "evidence") | ("comment.add", "comment") => {
                let row = format!("{} {}", e.actor, e.new_value);
                self.attached.entry(e.entity.clone()).or_default().push((row, seq));
            }
            ("evidence.delete", "evidence") => {
                let rows = self.attached.entry(e.entity.clone()).or_default();
                if let Some(i) = rows.iter().position(|(r, _)| *r == e.old_value) {
                    rows.remove(i);
                }
            }
            (action, "user") if ["token", "session", "login", "lock"].iter().any(|w| action.contains(w)) => {}
            // Anything else about a checked row: the replay cannot tell what it did.
            (_, "answer") => self.forget(e, |s, k| s.answers.get_mut(k).map(|a| *a = AnswerState::default()).is_some()),
            (_, "submission") => self.forget(e, |s, k| s.submissions.get_mut(k).map(|v| *v = None).is_some()),
            (_, "period") => self.forget(e, |s, k| s.periods.get_mut(k).map(|v| *v = None).is_some()),
            (_, "document") => self.forget(e, |s, k| s.documents.get_mut(k).map(|v| *v = None).is_some()),
            (_, "user") => self.forget(e, |s, k| {
                s.passwords.insert(k.to_string(), None);
                s.users.get_mut(k).map(|v| *v = None).is_some()
            }),
            _ => {}
        }
    }

    /// One answer row (`key`: `year/kind/unit/field`) against what the trail says of it;
    /// the trail's state for it is then dropped (what is left had no row).
    fn compare_answer(&mut self, out: &mut Replay, key: String, value: String, verified: Option<String>, note: String) {
        let entity = format!("answer/{key}");
        let Some(a) = self.answers.take(&key) else {
            missing_row(out, entity, None, Some(value), None);
            return;
        };
        compare(out, entity.clone(), "value", &a.value, &value);
        compare(out, entity.clone(), "note", &a.note, &note);
        let show = |v: Option<&str>| v.unwrap_or("(none)").to_string();
        match (&a.verified, &a.verified_none_or) {
            (Some((v, seq)), _) => {
                let expected = Some((show(v.as_deref()), *seq));
                compare(out, entity, "verified", &expected, &show(verified.as_deref()));
            }
            (None, Some((v, seq))) => {
                out.checked += 1;
                if verified.as_deref().is_some_and(|f| f != &**v) {
                    out.discrepancies.push(Discrepancy {
                        entity,
                        column: "verified",
                        expected: Some(format!("(none) or {v}")),
                        found: verified,
                        seq: Some(*seq),
                    });
                }
            }
            (None, None) => out.unchecked.push(format!("{entity} verified")),
        }
    }

    fn forget(&mut self, e: &AuditEvent, f: impl FnOnce(&mut State, &str) -> bool) {
        let key = e.entity.split_once('/').map_or("", |(_, k)| k).to_string();
        f(self, &key);
        self.unknown.push(format!("{} (event {}: {})", e.entity, e.seq, e.action));
    }
}

/// Compares one known value.
fn compare<T: AsRef<str>>(out: &mut Replay, entity: String, column: &'static str, expected: &Known<T>, found: &str) {
    match expected {
        Some((v, seq)) => {
            out.checked += 1;
            if v.as_ref() != found {
                out.discrepancies.push(Discrepancy {
                    entity,
                    column,
                    expected: Some(v.as_ref().to_string()),
                    found: Some(found.to_string()),
                    seq: Some(*seq),
                });
            }
        }
        None => out.unchecked.push(format!("{entity} {column}")),
    }
}

fn missing_row(out: &mut Replay, entity: String, expected: Option<String>, found: Option<String>, seq: Option<i64>) {
    out.discrepancies.push(Discrepancy { entity, column: "row", expected, found, seq });
}

/// What the replay reads besides the events and the answers (small tables), in the same
/// snapshot.
#[derive(Default)]
struct Small {
    submissions: Vec<(i64, String, String, String)>,
    periods: Vec<(i64, String, String)>,
    snapshots: Vec<(i64, String, i64, String, String, String)>,
    documents: Vec<(String, String)>,
    evidence: Vec<(i64, String, String, String, String, String, i64, String)>,
    comments: Vec<(i64, String, String, String, String, String)>,
    users: Vec<(i64, String, String, String)>,
    user_units: Vec<(i64, String)>,
}

const ANSWERS: &str =
    "SELECT year, kind, unit_id, field, value, verified, note FROM answers ORDER BY year, kind, unit_id, field";
const SUBMISSIONS: &str = "SELECT year, kind, unit_id, status FROM submissions ORDER BY year, kind, unit_id";
const PERIODS: &str = "SELECT year, kind, status FROM periods ORDER BY year, kind";
const SNAPSHOTS: &str =
    "SELECT year, kind, version, results, reason, published_by FROM snapshots ORDER BY year, kind, version";
const DOCUMENTS: &str = "SELECT name, body FROM documents ORDER BY name";
const EVIDENCE: &str =
    "SELECT year, kind, unit_id, criterion, sha256, filename, size, uploaded_by FROM evidence ORDER BY id";
const COMMENTS: &str = "SELECT year, kind, unit_id, criterion, author, body FROM comments ORDER BY id";
const USERS: &str = "SELECT id, username, role, password_hash FROM users ORDER BY username";
const USER_UNITS: &str = "SELECT user_id, unit_id FROM user_units ORDER BY user_id, unit_id";

/// The replay read on SQLite through a snapshot connection of its own (sqlx hands rows over
/// one at a time between threads: most of the time of a national replay).
fn read_sqlite(path: &std::path::Path) -> rusqlite::Result<(State, Replay, Small)> {
    use rusqlite::Row;
    let conn = crate::sqlite_snapshot::snapshot(path)?;
    fn all<T>(
        conn: &rusqlite::Connection,
        sql: &str,
        f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Vec<T>> {
        conn.prepare(sql)?.query_map([], f)?.collect()
    }
    let (mut state, mut out) = (State::default(), Replay::default());
    let mut events = conn.prepare(&format!("SELECT {COLUMNS} FROM audit ORDER BY seq"))?;
    let mut rows = events.query([])?;
    while let Some(r) = rows.next()? {
        let e = AuditEvent {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            entity: r.get(4)?,
            old_value: r.get(5)?,
            new_value: r.get(6)?,
            reason: r.get(7)?,
            prev_hash: r.get(8)?,
            hash: r.get(9)?,
            detail: r.get(10)?,
        };
        state.apply(&e);
        out.events += 1;
    }
    drop(rows);
    let mut answers = conn.prepare(ANSWERS)?;
    let mut rows = answers.query([])?;
    while let Some(r) = rows.next()? {
        let (year, kind, unit, field): (i64, String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        state.compare_answer(&mut out, format!("{year}/{kind}/{unit}/{field}"), r.get(4)?, r.get(5)?, r.get(6)?);
    }
    drop(rows);
    let small = Small {
        submissions: all(&conn, SUBMISSIONS, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?,
        periods: all(&conn, PERIODS, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?,
        snapshots: all(&conn, SNAPSHOTS, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?,
        documents: all(&conn, DOCUMENTS, |r| Ok((r.get(0)?, r.get(1)?)))?,
        evidence: all(&conn, EVIDENCE, |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })?,
        comments: all(&conn, COMMENTS, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?,
        users: all(&conn, USERS, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?,
        user_units: all(&conn, USER_UNITS, |r| Ok((r.get(0)?, r.get(1)?)))?,
    };
    Ok((state, out, small))
}

impl Store {
    /// Replays the whole trail and compares the current rows with it (one read snapshot).
    /// The events and the answers are read a row at a time: at national size they are a
    /// million each, and only the state the trail leads to is held.
    pub async fn replay(&self) -> Result<Replay> {
        if let Some(path) = self.sqlite_path().map(std::path::Path::to_path_buf) {
            // Read again through the pool if it fails (a file it may not open): only read.
            if let Ok(Ok(read)) = tokio::task::spawn_blocking(move || read_sqlite(&path)).await {
                return Ok(compare_rest(read));
            }
        }
        Ok(compare_rest(self.read_pool().await?))
    }

    /// The replay read through the pool, in one read transaction.
    async fn read_pool(&self) -> Result<(State, Replay, Small)> {
        let mut tx = self.read_tx().await?;
        let mut state = State::default();
        let mut out = Replay::default();
        {
            let sql = format!("SELECT {COLUMNS} FROM audit ORDER BY seq");
            let mut events = sqlx::query_as::<_, crate::audit::Raw>(&sql).fetch(&mut *tx);
            while let Some(r) = events.try_next().await? {
                state.apply(&crate::audit::event(r));
                out.events += 1;
            }
        }
        {
            let mut answers =
                sqlx::query_as::<_, (i64, String, String, String, String, Option<String>, String)>(ANSWERS)
                    .fetch(&mut *tx);
            while let Some((year, kind, unit, field, value, verified, note)) = answers.try_next().await? {
                state.compare_answer(&mut out, format!("{year}/{kind}/{unit}/{field}"), value, verified, note);
            }
        }
        let small = Small {
            submissions: sqlx::query_as(SUBMISSIONS).fetch_all(&mut *tx).await?,
            periods: sqlx::query_as(PERIODS).fetch_all(&mut *tx).await?,
            snapshots: sqlx::query_as(SNAPSHOTS).fetch_all(&mut *tx).await?,
            documents: sqlx::query_as(DOCUMENTS).fetch_all(&mut *tx).await?,
            evidence: sqlx::query_as(EVIDENCE).fetch_all(&mut *tx).await?,
            comments: sqlx::query_as(COMMENTS).fetch_all(&mut *tx).await?,
            users: sqlx::query_as(USERS).fetch_all(&mut *tx).await?,
            user_units: sqlx::query_as(USER_UNITS).fetch_all(&mut *tx).await?,
        };
        tx.commit().await?;
        Ok((state, out, small))
    }
}

/// The answers left in the trail's state (no row), and the smaller tables, against the trail.
fn compare_rest((mut state, mut out, small): (State, Replay, Small)) -> Replay {
    let Small { submissions, periods, snapshots, documents, evidence, comments, users, user_units } = small;
    for (key, a) in state.answers.into_sorted() {
        if let Some((v, seq)) = a.value {
            missing_row(&mut out, format!("answer/{key}"), Some(v.into()), None, Some(seq));
        }
    }

    for (year, kind, unit, status) in submissions {
        let key = format!("{year}/{kind}/{unit}");
        match state.submissions.remove(&key) {
            Some(expected) => compare(&mut out, format!("submission/{key}"), "status", &expected, &status),
            None => missing_row(&mut out, format!("submission/{key}"), None, Some(status), None),
        }
    }
    for (key, s) in state.submissions {
        let (expected, seq) = s.map_or((Some("(a submission)".into()), None), |(v, seq)| (Some(v), Some(seq)));
        missing_row(&mut out, format!("submission/{key}"), expected, None, seq);
    }

    for (year, kind, status) in periods {
        let key = format!("{year}/{kind}");
        match state.periods.remove(&key) {
            Some(expected) => compare(&mut out, format!("period/{key}"), "status", &expected, &status),
            None => missing_row(&mut out, format!("period/{key}"), None, Some(status), None),
        }
    }
    for (key, (v, seq)) in state.periods.into_iter().filter_map(|(k, s)| Some((k, s?))) {
        missing_row(&mut out, format!("period/{key}"), Some(v), None, Some(seq));
    }

    for (year, kind, version, results, reason, published_by) in snapshots {
        let entity = format!("results/{year}/{kind}/v{version}");
        let Some((hash, r, by, seq)) = state.snapshots.remove(&format!("{year}/{kind}/v{version}")) else {
            missing_row(&mut out, entity, None, Some(format!("sha256 {}", sha(&results))), None);
            continue;
        };
        compare(&mut out, entity.clone(), "results", &hash, &sha(&results));
        compare(&mut out, entity.clone(), "reason", &Some((r, seq)), &reason);
        compare(&mut out, entity, "published_by", &Some((by, seq)), &published_by);
    }
    for (key, (hash, _, _, seq)) in state.snapshots {
        let expected = hash.map_or("(a snapshot)".into(), |h| format!("sha256 {}", h.0));
        missing_row(&mut out, format!("results/{key}"), Some(expected), None, Some(seq));
    }

    for (name, body) in documents {
        match state.documents.remove(&name) {
            Some(expected) => compare(&mut out, format!("document/{name}"), "body", &expected, &sha(&body)),
            None => {
                missing_row(&mut out, format!("document/{name}"), None, Some(format!("sha256 {}", sha(&body))), None)
            }
        }
    }
    for (name, (h, seq)) in state.documents.into_iter().filter_map(|(k, s)| Some((k, s?))) {
        missing_row(&mut out, format!("document/{name}"), Some(format!("sha256 {h}")), None, Some(seq));
    }

    // Evidence and comments: every row recorded, none left over.
    let rows = evidence
        .into_iter()
        .map(|(y, k, u, c, sha, name, size, by)| {
            (format!("evidence/{y}/{k}/{u}/{c}"), format!("{by} {sha} {name} ({size} bytes)"))
        })
        .chain(
            comments
                .into_iter()
                .map(|(y, k, u, c, author, body)| (format!("comment/{y}/{k}/{u}/{c}"), format!("{author} {body}"))),
        );
    let mut unmatched = Vec::new();
    for (entity, row) in rows {
        let recorded = state.attached.entry(entity.clone()).or_default();
        match recorded.iter().position(|(r, _)| *r == row) {
            Some(i) => {
                recorded.remove(i);
                out.checked += 1;
            }
            None => unmatched.push((entity, row)),
        }
    }
    for (entity, row) in unmatched {
        // Paired with what the trail recorded for the same entity, if anything is left.
        let recorded = state.attached.get_mut(&entity).filter(|r| !r.is_empty()).map(|r| r.remove(0));
        let (expected, seq) = recorded.map_or((None, None), |(r, seq)| (Some(r), Some(seq)));
        missing_row(&mut out, entity, expected, Some(row), seq);
    }
    for (entity, recorded) in std::mem::take(&mut state.attached) {
        for (row, seq) in recorded {
            missing_row(&mut out, entity.clone(), Some(row), None, Some(seq));
        }
    }

    let mut units: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (id, unit) in user_units {
        units.entry(id).or_default().push(unit);
    }
    for (id, username, role, password_hash) in users {
        let entity = format!("user/{username}");
        let mut found_units = units.remove(&id).unwrap_or_default();
        found_units.sort_unstable();
        match state.users.remove(&username) {
            Some(Some(((r, u), seq))) => {
                compare(&mut out, entity.clone(), "role", &Some((r, seq)), &role);
                compare(&mut out, entity.clone(), "units", &Some((u, seq)), &found_units.join(","));
                let expected = state.passwords.remove(&username).flatten();
                compare(&mut out, entity, "password_hash", &expected, &sha(&password_hash));
            }
            Some(None) => out.unchecked.push(format!("{entity} role")),
            None => missing_row(&mut out, entity, None, Some(role), None),
        }
    }
    for (name, ((role, _), seq)) in state.users.into_iter().filter_map(|(k, s)| Some((k, s?))) {
        missing_row(&mut out, format!("user/{name}"), Some(role), None, Some(seq));
    }
    out.unchecked.extend(state.unknown);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_domain::SubmissionKey;

    /// The replay read on SQLite's own snapshot connection finds what the pool's read finds:
    /// the same counts and the same discrepancies after rows changed behind chiso's back.
    #[tokio::test]
    async fn both_reads_of_the_replay_find_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.sqlite");
        let store = Store::open(&format!("sqlite://{}", file.display())).await.unwrap();
        store.create_user("bao.cao", "hash", crate::Role::Reporter, &["so-y-te".into()], "admin", false).await.unwrap();
        let p = crate::PeriodRow {
            year: 2021,
            kind: "department".into(),
            framework: "cao-bang-1513-department".into(),
            deadline: Some("2021-12-31".into()),
            status: chiso_domain::PeriodStatus::Open,
        };
        store.create_period(&p, "admin").await.unwrap();
        let answers = [crate::NewAnswer::new("infra", "7,5", ""), crate::NewAnswer::new("app", "14", "ghi chú")];
        let key = SubmissionKey::new(2021, "department", "so-y-te");
        store.save_answers(&key, &answers, None, "bao.cao", "").await.unwrap();
        store.verify_answer(2021, "department", "so-y-te", "infra", Some("6"), "tham.dinh", "Thiếu").await.unwrap();
        store.put_document("units.toml", "[[unit]]", "admin", "").await.unwrap();
        store.publish(2021, "department", "{}", "Công bố", "admin").await.unwrap();
        let sound = compare_rest(read_sqlite(&file).unwrap());
        assert!(sound.discrepancies.is_empty() && sound.checked > 5, "{sound:?}");
        assert_eq!(sound, compare_rest(store.read_pool().await.unwrap()));

        for change in [
            "UPDATE answers SET value = '9' WHERE field = 'infra'",
            "UPDATE answers SET verified = NULL WHERE field = 'infra'",
            "UPDATE documents SET body = 'x'",
            "INSERT INTO comments (year, kind, unit_id, criterion, author, body, at) \
             VALUES (2021, 'department', 'so-y-te', 'app', 'ai-do', 'chen vao', '2021-01-01T00:00:00Z')",
        ] {
            sqlx::query(change).execute(store.pool()).await.unwrap();
        }
        let own = compare_rest(read_sqlite(&file).unwrap());
        assert_eq!(own.discrepancies.len(), 4, "{:?}", own.discrepancies);
        assert_eq!(own, compare_rest(store.read_pool().await.unwrap()));
        store.close().await;
    }
}

//! The JSON API: what the pages do, for machine clients with an API token
//! (`Authorization: Bearer …`, from `chiso user token`). Results are public once published
//! and are exactly the published snapshot, in the contract of `chiso score --format json`.
//! Writes go through the same functions as the forms (same checks, same audit trail) and
//! take tokens only: a browser session cannot be ridden into a JSON write.

use super::api_body::ApiJson;
use crate::AppState;
use crate::auth::{self, MaybeUser};
use crate::error::{AppError, AppResult};
use crate::i18n::Texts;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chiso_domain::framework::Framework;
use chiso_store::Role;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub async fn periods(State(s): State<AppState>) -> AppResult<Json<Value>> {
    let mut out = Vec::new();
    for o in s.app.period_overview().await? {
        let (p, published) = (o.period, o.version);
        out.push(json!({
            "year": p.year, "kind": p.kind, "framework": p.framework, "deadline": p.deadline,
            "status": p.status.as_str(), "published_version": published,
        }));
    }
    Ok(Json(json!({ "periods": out })))
}

/// A unit's submission: status, answers (with verified values), evidence, conversation.
pub async fn submission(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind, unit)): Path<(String, String, String)>,
) -> AppResult<Json<Value>> {
    let u = auth::require(user)?;
    let year = super::year(&year)?;
    let view = s.app.submission(&u.actor(), &chiso_domain::SubmissionKey::new(year, &kind, &unit)).await?;
    let status = view.status.as_str();
    let answers: Vec<Value> = view
        .answers
        .into_iter()
        .map(|a| json!({ "field": a.field, "value": a.value, "verified": a.verified, "note": a.note }))
        .collect();
    let evidence: Vec<Value> = view
        .evidence
        .into_iter()
        .map(|e| {
            json!({ "id": e.id, "criterion": e.criterion, "filename": e.filename, "sha256": e.sha256,
                         "content_type": e.content_type, "size": e.size, "uploaded_by": e.uploaded_by, "at": e.at })
        })
        .collect();
    // One conversation per criterion, oldest first: adjustments (with the field, the value
    // that counted and the verified one), questions, replies.
    let conversation: Vec<Value> = view
        .conversation
        .iter()
        .map(|e| {
            let mut v = json!({ "criterion": e.criterion, "kind": e.kind.code(), "author": e.author,
                                "role": e.role.map(|r| r.as_str()), "at": e.at, "text": e.text });
            if let chiso_app::EntryKind::Adjustment { field, from, to, taken_back } = &e.kind {
                v["field"] = json!(field);
                v["from"] = json!(from);
                v["to"] = json!(to);
                v["taken_back"] = json!(taken_back);
            }
            v
        })
        .collect();
    let comments: Vec<Value> = view
        .comments
        .into_iter()
        .map(|c| json!({ "criterion": c.criterion, "author": c.author, "body": c.body, "at": c.at }))
        .collect();
    Ok(Json(json!({ "year": year, "kind": kind, "unit": unit, "status": status,
                    "answers": answers, "evidence": evidence, "comments": comments,
                    "conversation": conversation })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// Field → value, named like the import's columns (`infra`, `online.numerator`).
    #[serde(default)]
    values: BTreeMap<String, String>,
    /// Criterion → reason, for the criteria that do not apply.
    #[serde(default)]
    not_applicable: BTreeMap<String, String>,
    /// Submit after saving (the form's "Nộp báo cáo").
    #[serde(default)]
    submit: bool,
}

pub use chiso_app::AnswerInput as Answer;

/// Why a save's body was refused before its figures were checked.
#[derive(Debug, Clone, PartialEq)]
pub enum BadAnswers {
    /// Not the body's JSON shape (the parser's words).
    Json(String),
    /// Fields or criteria the framework does not have, by name.
    Unknown(Vec<String>),
    /// Criteria given a figure and declared not applicable at once.
    Contradictory(Vec<String>),
}

/// A save's JSON body as the answers it names (field, value, reason for "not applicable")
/// and whether to submit. Only the fields named are changed: an omitted field keeps its
/// stored value (to blank one, send `""`). The API's save and the `api_answers` fuzz target
/// both go through it.
pub fn parse_answers(fw: &Framework, body: &[u8]) -> Result<(Vec<Answer>, bool), BadAnswers> {
    let body: Answers = serde_json::from_slice(body).map_err(|e| BadAnswers::Json(e.to_string()))?;
    let leaves: Vec<(String, Vec<String>)> =
        fw.leaves().map(|(i, c)| (c.id.0.clone(), chiso_app::leaf_fields(fw, i))).collect();
    let known = |f: &String| leaves.iter().any(|(_, fields)| fields.contains(f));
    let mut unknown: Vec<String> = body.values.keys().filter(|f| !known(f)).cloned().collect();
    unknown.extend(body.not_applicable.keys().filter(|c| !leaves.iter().any(|(id, _)| id == *c)).cloned());
    if !unknown.is_empty() {
        return Err(BadAnswers::Unknown(unknown));
    }
    let mut answers = Vec::new();
    let mut contradictory = Vec::new();
    for (id, fields) in &leaves {
        let na = body.not_applicable.get(id);
        if na.is_some() && fields.iter().any(|f| body.values.contains_key(f)) {
            contradictory.push(id.clone());
        }
        for f in fields {
            match (na, body.values.get(f)) {
                (Some(reason), _) => {
                    answers.push(Answer { field: f.clone(), value: "N/A".into(), note: reason.trim().to_string() })
                }
                (None, Some(v)) => {
                    answers.push(Answer { field: f.clone(), value: v.trim().to_string(), note: String::new() })
                }
                (None, None) => {}
            }
        }
    }
    if !contradictory.is_empty() {
        return Err(BadAnswers::Contradictory(contradictory));
    }
    Ok((answers, body.submit))
}

/// Saves (and optionally submits) a unit's answers; 422 with every problem, nothing written.
pub async fn save(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind, unit)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let u = auth::require_token(user)?;
    let key = chiso_domain::SubmissionKey::new(super::year(&year)?, &kind, &unit);
    let (p, cat) = s.app.writable(&u.actor(), &key).await?;
    let (answers, submit) = parse_answers(cat.framework(&p.framework)?, &body).map_err(|e| match e {
        BadAnswers::Json(detail) => AppError::rejected(StatusCode::BAD_REQUEST, detail),
        BadAnswers::Unknown(names) => {
            AppError::with(StatusCode::UNPROCESSABLE_ENTITY, move |l| (l.t().unknown_fields)(&names.join(", ")))
                .code("unknown_field")
        }
        BadAnswers::Contradictory(ids) => AppError::with(StatusCode::UNPROCESSABLE_ENTITY, move |l| {
            (l.t().valued_and_not_applicable)(&ids.join(", "))
        })
        .code("invalid_value"),
    })?;
    let status = s.app.save_answers(&u.actor(), &key, answers, submit).await?;
    Ok(Json(json!({ "status": status.as_str() })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    value: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// `adjust`, `ask` or `verify`.
    action: String,
    /// Field → verified value and the reason for it (`adjust`).
    #[serde(default)]
    values: BTreeMap<String, Adjustment>,
    /// The criterion and question (`ask`).
    #[serde(default)]
    criterion: String,
    #[serde(default)]
    question: String,
}

/// An assessor's action on a submitted report, as on the review page.
pub async fn review(
    State(s): State<AppState>,
    Path((year, kind, unit)): Path<(String, String, String)>,
    ApiJson(u, body): ApiJson<Review>,
) -> AppResult<Json<Value>> {
    use chiso_app::{Adjustment, ReviewAction};
    u.actor().require(chiso_app::REVIEWERS)?;
    let key = chiso_domain::SubmissionKey::new(super::year(&year)?, &kind, &unit);
    let action = match body.action.as_str() {
        "adjust" => ReviewAction::Adjust(
            body.values
                .into_iter()
                .map(|(field, a)| Adjustment { field, value: Some(a.value), reason: a.reason })
                .collect(),
        ),
        "ask" => ReviewAction::Ask { criterion: body.criterion, question: body.question },
        "verify" => ReviewAction::Verify,
        _ => return Err(AppError::bad_request(|t| t.bad_action)),
    };
    let status = s.app.review(&u.actor(), &key, action).await?;
    Ok(Json(json!({ "status": status.as_str() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    criterion: String,
    body: String,
}

/// The unit's answer to the assessors' question.
pub async fn reply(
    State(s): State<AppState>,
    Path((year, kind, unit)): Path<(String, String, String)>,
    ApiJson(u, body): ApiJson<Reply>,
) -> AppResult<Json<Value>> {
    let key = chiso_domain::SubmissionKey::new(super::year(&year)?, &kind, &unit);
    s.app.reply(&u.actor(), &key, &body.criterion, &body.body).await?;
    Ok(Json(json!({ "ok": true })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publish {
    reason: String,
    /// Publish while the period still takes work (before its deadline, units missing).
    #[serde(default)]
    early: bool,
}

/// Computes and publishes the period's results as a new version.
pub async fn publish(
    State(s): State<AppState>,
    Path((year, kind)): Path<(String, String)>,
    ApiJson(u, body): ApiJson<Publish>,
) -> AppResult<Json<Value>> {
    let year = super::year(&year)?;
    let version = s.app.publish(&u.actor(), year, &kind, &body.reason, body.early).await?;
    Ok(Json(json!({ "year": year, "kind": kind, "version": version })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    #[serde(default)]
    reason: String,
}

/// Removes a period that holds nothing (administrator): the reason in a JSON body
/// `{"reason": "…"}` or in the query (`?reason=…`).
pub async fn remove_period(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
    Query(q): Query<BTreeMap<String, String>>,
    body: axum::body::Bytes,
) -> AppResult<Json<Value>> {
    let u = auth::require_token(user)?;
    u.actor().require(&[Role::Admin])?;
    let year = super::year(&year)?;
    let mut reason = q.get("reason").cloned().unwrap_or_default();
    if !body.iter().all(u8::is_ascii_whitespace) {
        let r: Reason =
            serde_json::from_slice(&body).map_err(|e| AppError::rejected(StatusCode::BAD_REQUEST, e.to_string()))?;
        if !r.reason.trim().is_empty() {
            reason = r.reason;
        }
    }
    s.app.remove_period(&u.actor(), year, &kind, &reason).await?;
    Ok(Json(json!({ "ok": true, "year": year, "kind": kind })))
}

/// Units of a period without a submitted report (drafts count as missing).
pub async fn missing(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    let u = auth::require(user)?;
    let year = super::year(&year)?;
    let units: Vec<Value> = s
        .app
        .missing_units(&u.actor(), year, &kind)
        .await?
        .into_iter()
        .map(|m| json!({ "unit": m.unit.0, "name": m.name, "status": m.status_code(), "deadline": m.deadline }))
        .collect();
    Ok(Json(json!({ "year": year, "kind": kind, "missing": units })))
}

#[derive(Deserialize)]
pub struct KindQuery {
    kind: String,
}

/// The published snapshot, byte for byte (served from the micro-cache: `cache.rs`).
pub async fn results(
    State(s): State<AppState>,
    Path(year): Path<String>,
    Query(q): Query<KindQuery>,
) -> AppResult<Response> {
    let year = super::year(&year)?;
    let key = format!("json/{year}/{}", q.kind);
    let json =
        s.results.get_or_build(&key, || async { Ok(s.app.published(year, &q.kind).await?.snapshot.results) }).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json.to_string()).into_response())
}

/// GET `/api/v1/periods/{year}/moves?kind=`: why ranks moved, as computed after publication.
pub async fn moves(
    State(s): State<AppState>,
    Path(year): Path<String>,
    Query(q): Query<KindQuery>,
) -> AppResult<Json<Value>> {
    let year = super::year(&year)?;
    // Published at all: one small query (the version itself is tens of MB at national size).
    s.app.published_version(year, &q.kind).await?.ok_or_else(chiso_app::Error::not_found)?;
    let o = s
        .app
        .outlooks(year, &q.kind)
        .await?
        .ok_or_else(|| AppError::new(StatusCode::SERVICE_UNAVAILABLE, |t| t.analysis_pending).code("pending"))?;
    Ok(Json(json!({ "year": o.year, "kind": o.kind, "version": o.version,
                    "previous_version": o.previous_version, "moves": o.moves })))
}

pub async fn me(MaybeUser(user): MaybeUser) -> AppResult<Json<Value>> {
    let u = auth::require(user)?;
    Ok(Json(json!({ "username": u.row.username, "role": u.row.role.as_str(), "units": u.row.units })))
}

/// An object of strings (the form's field names) with these required fields; others are
/// strings too (a catalogue change's `body`, `year`, …).
fn form_schema(required: &[(&str, Value)]) -> Value {
    form_schema_with(required, &[])
}

fn form_schema_with(required: &[(&str, Value)], optional: &[(&str, Value)]) -> Value {
    let names: Vec<&str> = required.iter().map(|(n, _)| *n).collect();
    let properties: serde_json::Map<String, Value> =
        required.iter().chain(optional).map(|(n, v)| (n.to_string(), v.clone())).collect();
    json!({ "type": "object", "required": names, "properties": properties, "additionalProperties": { "type": "string" } })
}

fn unit_params() -> Value {
    json!([
        { "name": "year", "in": "path", "required": true, "schema": { "type": "integer" } },
        { "name": "kind", "in": "path", "required": true, "schema": { "type": "string" } },
        { "name": "unit", "in": "path", "required": true, "schema": { "type": "string" } }
    ])
}

/// `GET /api/v1/work` in the OpenAPI document.
fn work_path() -> Value {
    let job = json!({ "type": "object", "required": ["server", "year", "work", "state"], "properties": {
        "server": { "type": "string", "description": "the server doing it (host:process)" },
        "year": { "type": "integer" },
        "work": { "type": "string", "enum": ["files", "outlooks", "pdf"] },
        "state": { "type": "string", "enum": ["queued", "running", "done", "failed", "interrupted"] },
        "queued_at": { "type": "string", "nullable": true },
        "started_at": { "type": "string", "nullable": true },
        "finished_at": { "type": "string", "nullable": true },
        "error": { "type": "string", "nullable": true },
        "progress": { "type": "object", "nullable": true, "description": "the step it is at (or ended at) and, when the step counts, done of total (0: uncounted)", "properties": { "step": { "type": "string", "enum": ["document", "render", "store", "draws", "convert"] }, "done": { "type": "integer" }, "total": { "type": "integer" } } },
        "elapsed_ms": { "type": "integer", "nullable": true, "description": "time run so far, or in all once ended" },
        "pages": { "type": "integer", "nullable": true, "description": "pages of the PDF made" } } });
    json!({ "get": {
                "summary": "The platform's background work (administrator): report files being made per year (files: DOCX, XLSX, HTML at publication; outlooks; pdf), newest first, queued/running/done/failed with their times (UTC) and the error of a failed one; every server's on the database (interrupted: its server stopped telling about it for a minute)",
                "security": [{ "bearer": [] }],
                "responses": { "200": { "description": "jobs", "content": { "application/json": { "schema": { "type": "object", "required": ["server", "jobs"], "properties": {
                    "server": { "type": "string", "description": "the server answering (host:process)" },
                    "jobs": { "type": "array", "items": job } } } } } },
                    "403": { "description": "not an administrator" } } } })
}

pub async fn openapi() -> Response {
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": { "title": "chiso API", "version": env!("CARGO_PKG_VERSION") },
        "paths": {
            "/api/v1/periods/{year}/results": { "get": {
                "summary": "Published results of a period (the contract of `chiso score --format json`)",
                "parameters": [
                    { "name": "year", "in": "path", "required": true, "schema": { "type": "integer" } },
                    { "name": "kind", "in": "query", "required": true, "schema": { "type": "string" } }
                ],
                "responses": { "200": { "description": "results", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Results" } } } },
                               "404": { "description": "not published" } } } },
            "/api/v1/periods/{year}/moves": { "get": {
                "summary": "Why each unit's rank moved since the previous year's published results: what it is compared with, its rank change among the comparable units split into its own change and the others', and the same in words (vi, en)",
                "parameters": [
                    { "name": "year", "in": "path", "required": true, "schema": { "type": "integer" } },
                    { "name": "kind", "in": "query", "required": true, "schema": { "type": "string" } }
                ],
                "responses": { "200": { "description": "moves", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Moves" } } } },
                               "404": { "description": "not published" },
                               "503": { "description": "being computed after the publication; try again shortly" } } } },
            "/api/v1/me": { "get": { "summary": "The authenticated user", "security": [{ "bearer": [] }],
                "responses": { "200": { "description": "user" }, "401": { "description": "no or bad token" } } } },
            "/api/v1/periods": { "get": { "summary": "Periods with their status and published version",
                "responses": { "200": { "description": "periods" } } },
                "post": { "summary": "Open a period (administrator)", "security": [{ "bearer": [] }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": form_schema_with(&[
                        ("year", json!({ "type": "string", "pattern": "^[0-9]{4}$" })),
                        ("framework", json!({ "type": "string", "minLength": 1 })) ], &[
                        ("deadline", json!({ "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                                             "description": "a real day, not already past; required unless history" })),
                        ("history", json!({ "type": "string", "enum": ["true", "false"],
                                            "description": "true: a past year (last year or earlier) entered as history, without a deadline; the administrator imports its figures and publishes" })) ]) } } },
                    "responses": { "201": { "description": "opened" }, "400": { "description": "refused, with the reason" } } } },
            "/api/v1/users": { "post": { "summary": "Add a user (administrator); units are codes separated by commas",
                "security": [{ "bearer": [] }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": form_schema_with(&[
                    ("username", json!({ "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", "description": "stored in lower case; ASCII letters, digits, dot, hyphen, underscore" })),
                    ("password", json!({ "type": "string", "minLength": 12 })),
                    ("role", json!({ "type": "string", "enum": ["admin", "reporter", "assessor", "viewer"] })) ],
                    &[("units", json!({ "type": "string", "description": "unit ids of the registry, separated by commas (a reporter's)" }))]) } } },
                "responses": { "201": { "description": "added" }, "400": { "description": "refused, with the reason" } } } },
            "/api/v1/catalogue": { "post": {
                "summary": "A catalogue change (administrator): what = framework | units | report (with body, the TOML document) or exception (year, kind, unit, until); always a reason",
                "security": [{ "bearer": [] }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": form_schema(&[
                    ("what", json!({ "type": "string", "enum": ["framework", "units", "report", "exception"] })),
                    ("reason", json!({ "type": "string", "minLength": 1, "maxLength": super::MAX_REASON })) ]) } } },
                "responses": { "200": { "description": "validated and saved" }, "422": { "description": "invalid, with every error; nothing saved" } } } },
            "/api/v1/audit": { "get": {
                "summary": "A page of the audit trail, newest first (at most 100 events), filtered, and whether the chain verifies: from its checkpoint (events after the last verified one), or every event with full=true (administrator and leadership)",
                "security": [{ "bearer": [] }],
                "parameters": [
                    { "name": "prefix", "in": "query", "required": false, "schema": { "type": "string" }, "description": "entities starting with it (answer/2021/, user/)" },
                    { "name": "actor", "in": "query", "required": false, "schema": { "type": "string" }, "description": "exactly this user name" },
                    { "name": "action", "in": "query", "required": false, "schema": { "type": "string" }, "description": "an action code (answer.set, submission.status, results.publish, …)" },
                    { "name": "unit", "in": "query", "required": false, "schema": { "type": "string" }, "description": "a unit's id or name: its answers, comments, evidence and status" },
                    { "name": "year", "in": "query", "required": false, "schema": { "type": "string", "pattern": "^[0-9]{0,9}$" }, "description": "events about this year (empty: any)" },
                    { "name": "from", "in": "query", "required": false, "schema": { "type": "string", "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" }, "description": "from this day (YYYY-MM-DD, UTC), inclusive; a day that does not exist is refused (400)" },
                    { "name": "to", "in": "query", "required": false, "schema": { "type": "string", "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" }, "description": "to this day (YYYY-MM-DD, UTC), inclusive; a day that does not exist is refused (400)" },
                    { "name": "before", "in": "query", "required": false, "schema": { "type": "string", "pattern": "^[0-9]{0,18}$" }, "description": "the page older than this event (the previous answer's older)" },
                    { "name": "after", "in": "query", "required": false, "schema": { "type": "string", "pattern": "^[0-9]{0,18}$" }, "description": "the page newer than this event (the previous answer's newer)" },
                    { "name": "full", "in": "query", "required": false, "schema": { "type": "string", "enum": ["", "true", "false"] }, "description": "true: verify every event of the chain" } ],
                "responses": {
                    "200": { "description": "chain and a page of events; older/newer: the cursors of the pages beside it (null at either end)",
                        "content": { "application/json": { "schema": { "type": "object", "required": ["chain", "events", "older", "newer"], "properties": {
                            "chain": { "type": "object" },
                            "events": { "type": "array", "maxItems": 100, "items": { "type": "object" } },
                            "older": { "type": "integer", "nullable": true },
                            "newer": { "type": "integer", "nullable": true } } } } } },
                    "400": { "description": "a filter that does not read (a day, year or event number)" },
                    "403": { "description": "not an administrator or the leadership" } } } },
            "/api/v1/periods/{year}/{kind}/units/{unit}": {
                "parameters": unit_params(),
                "get": { "summary": "A unit's submission: status, answers, verified values, evidence, conversation",
                    "security": [{ "bearer": [] }],
                    "responses": { "200": { "description": "submission" }, "403": { "description": "not this user's unit" } } },
                "put": { "summary": "Save (and with submit=true, submit) the unit's answers; the unit's reporter only",
                    "security": [{ "bearer": [] }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "additionalProperties": false, "properties": {
                        "values": { "type": "object", "additionalProperties": { "type": "string" },
                                    "description": "field → value, named like the import's columns (infra, online.numerator)" },
                        "not_applicable": { "type": "object", "additionalProperties": { "type": "string" },
                                            "description": "criterion → reason" },
                        "submit": { "type": "boolean" } } } } } },
                    "responses": { "200": { "description": "saved; the submission's status" },
                                   "422": { "description": "every problem; nothing written" },
                                   "409": { "description": "period closed or deadline past" } } } },
            "/api/v1/periods/{year}/{kind}/units/{unit}/review": { "parameters": unit_params(), "post": {
                "summary": "An assessor's action: adjust (values with reasons), ask (criterion, question), verify",
                "security": [{ "bearer": [] }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object",
                    "required": ["action"], "additionalProperties": false, "properties": {
                    "action": { "type": "string", "enum": ["adjust", "ask", "verify"] },
                    "values": { "type": "object", "additionalProperties": { "type": "object", "required": ["value"], "additionalProperties": false,
                        "properties": { "value": { "type": "string" }, "reason": { "type": "string" } } } },
                    "criterion": { "type": "string" }, "question": { "type": "string" } } } } } },
                "responses": { "200": { "description": "the submission's status" }, "422": { "description": "refused, nothing written" } } } },
            "/api/v1/periods/{year}/{kind}/units/{unit}/replies": { "parameters": unit_params(), "post": {
                "summary": "The unit's answer to the assessors", "security": [{ "bearer": [] }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object",
                    "required": ["criterion", "body"], "additionalProperties": false, "properties": { "criterion": { "type": "string", "minLength": 1 },
                    "body": { "type": "string", "minLength": 1, "maxLength": super::MAX_MESSAGE } } } } } },
                "responses": { "200": { "description": "recorded" } } } },
            "/api/v1/periods/{year}/{kind}/units/{unit}/evidence": { "parameters": unit_params(), "post": {
                "summary": "Evidence for one criterion (multipart: criterion, file; PDF, PNG, JPEG, DOCX, XLSX up to 10 MiB)",
                "security": [{ "bearer": [] }],
                "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": { "type": "object",
                    "required": ["criterion", "file"], "properties": {
                        "criterion": { "type": "string", "minLength": 1 }, "file": { "type": "string", "format": "binary" } } } } } },
                "responses": { "303": { "description": "stored by content hash" }, "413": { "description": "too large" },
                               "415": { "description": "not an accepted type" } } } },
            "/api/v1/periods/{year}/{kind}": { "delete": {
                "summary": "Remove a period opened by mistake (administrator): only while it holds nothing (no report, not even a draft; no evidence; no published version); its units' extensions go with it; the reason on the record. The reason may also come as a JSON body {\"reason\": \"…\"}",
                "security": [{ "bearer": [] }],
                "parameters": [
                    { "name": "year", "in": "path", "required": true, "schema": { "type": "integer" } },
                    { "name": "kind", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "reason", "in": "query", "required": true, "schema": { "type": "string", "minLength": 1, "maxLength": super::MAX_REASON } } ],
                "responses": { "200": { "description": "removed" },
                               "404": { "description": "no such period" },
                               "409": { "description": "the period holds reports, evidence or published results; nothing removed" } } } },
            "/api/v1/periods/{year}/{kind}/publish": { "post": {
                "summary": "Compute and publish the period's results as a new version (administrator)",
                "security": [{ "bearer": [] }],
                "parameters": [
                    { "name": "year", "in": "path", "required": true, "schema": { "type": "integer" } },
                    { "name": "kind", "in": "path", "required": true, "schema": { "type": "string" } } ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object",
                    "required": ["reason"], "additionalProperties": false, "properties": {
                        "reason": { "type": "string", "minLength": 1, "maxLength": super::MAX_REASON },
                        "early": { "type": "boolean", "description": "publish while the period still takes work (before its deadline, or with units that have not submitted); said in the reason on the record" } } } } } },
                "responses": { "200": { "description": "the new version" } } } },
            "/api/v1/periods/{year}/{kind}/missing": { "get": {
                "summary": "Units without a submitted report", "security": [{ "bearer": [] }],
                "parameters": [
                    { "name": "year", "in": "path", "required": true, "schema": { "type": "integer" } },
                    { "name": "kind", "in": "path", "required": true, "schema": { "type": "string" } } ],
                "responses": { "200": { "description": "units" } } } },
            "/healthz": { "get": { "summary": "Liveness", "responses": { "200": { "description": "ok" } } } }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": { "Results": { "type": "object", "required": ["period", "kind", "framework", "results"], "properties": {
                "period": { "type": "integer" }, "kind": { "type": "string" }, "framework": { "type": "string" },
                "results": { "type": "array", "items": { "type": "object", "properties": {
                    "unit": { "type": "string" },
                    "status": { "type": "string", "enum": ["ranked", "below_levels", "no_data"] },
                    "total": { "type": "string", "nullable": true }, "level": { "type": "string", "nullable": true },
                    "rank": { "type": "integer", "nullable": true }, "previous_rank": { "type": "integer", "nullable": true },
                    "scores": { "type": "object", "additionalProperties": { "type": "string", "nullable": true } } } } } } } }
        }
    });
    // (Apart: one more path in the literal above passes the macro's recursion limit.)
    doc["paths"]["/api/v1/work"] = work_path();
    Json(complete(doc)).into_response()
}

/// Every operation lists every status it can answer, errors with the error schema: those a
/// handler returns, and those any route may (the framework's rejections, a full disk, a
/// database out of reach).
fn complete(mut doc: Value) -> Value {
    let error = json!({ "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } });
    // (status, description, whether it applies to an operation: (secured, has a body))
    type Applies = fn(bool, bool) -> bool;
    let common: &[(&str, &str, Applies)] = &[
        ("400", "malformed request (path, query or body)", |_, _| true),
        ("401", "no credentials, or a token or session that is not valid", |secured, _| secured),
        ("403", "this user may not do this", |secured, _| secured),
        ("404", "no such period, unit or published result", |_, _| true),
        ("408", "the request was too slow", |_, _| true),
        ("409", "the period or submission is not in a state that allows it", |_, body| body),
        ("413", "the body is larger than 11 MiB", |_, body| body),
        ("415", "the body is not of the expected content type", |_, body| body),
        ("422", "refused: every problem, nothing written", |_, body| body),
        ("500", "a defect; nothing written", |_, _| true),
        ("503", "the database is unavailable or read-only", |_, _| true),
        ("507", "the server's disk is full; nothing written", |_, body| body),
    ];
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (method, op) in item.iter_mut() {
                if !matches!(method.as_str(), "get" | "post" | "put" | "delete") {
                    continue;
                }
                let secured = op.get("security").is_some();
                let body = method != "get";
                let responses = op["responses"].as_object_mut().expect("responses");
                for (status, description, applies) in common {
                    if applies(secured, body) && !responses.contains_key(*status) {
                        responses.insert(status.to_string(), json!({ "description": description }));
                    }
                }
                for (status, response) in responses.iter_mut() {
                    if status.starts_with('4') || status.starts_with('5') {
                        response["content"] = error.clone();
                    }
                }
            }
        }
    }
    doc["components"]["schemas"]["Moves"] = json!({
        "type": "object", "required": ["year", "kind", "version", "moves"], "properties": {
            "year": { "type": "integer" }, "kind": { "type": "string" }, "version": { "type": "integer" },
            "previous_version": { "type": ["integer", "null"] },
            "moves": { "type": "array", "items": { "type": "object", "required": ["unit", "method", "comparable_count", "vi", "en"], "properties": {
                "unit": { "type": "string" },
                "method": { "type": "string", "enum": ["same", "continues", "combined", "none"] },
                "comparable_count": { "type": "integer" },
                "rank_change": { "type": ["integer", "null"], "description": "positive: up, among the comparable units" },
                "own_effect": { "type": ["integer", "null"] }, "others_effect": { "type": ["integer", "null"] },
                "total_change": { "type": ["string", "null"] },
                "vi": { "type": "array", "items": { "type": "string" } }, "en": { "type": "array", "items": { "type": "string" } } } } } } });
    doc["components"]["schemas"]["Error"] = json!({
        "type": "object", "required": ["error"], "properties": { "error": {
            "type": "object", "required": ["code", "message"], "properties": {
                "code": { "type": "string", "description": "stable, machine-readable: not_found, unauthorized, unknown_field, invalid_value, too_long, deadline_passed, …" },
                "message": { "type": "string", "description": "for people, in the reader's language" },
                "problems": { "type": "array", "items": { "type": "string" }, "description": "every problem of a refused save" } } } } });
    doc
}

/// An administrator's form as JSON: an object of strings, the form's field names.
type FormJson = ApiJson<BTreeMap<String, String>>;

/// Opens a period: `{"year": "2022", "framework": "…", "deadline": "2022-12-31"}`.
pub async fn open_period(State(s): State<AppState>, ApiJson(u, f): FormJson) -> AppResult<Response> {
    s.app.open_period(&u.actor(), super::input::open_period(&f)).await?;
    Ok((StatusCode::CREATED, Json(json!({ "ok": true }))).into_response())
}

/// Adds a user: `{"username", "password", "role", "units"}` (units: codes separated by commas).
pub async fn add_user(State(s): State<AppState>, ApiJson(u, f): FormJson) -> AppResult<Response> {
    s.app.add_user(&u.actor(), super::input::new_user(&f)).await?;
    Ok((StatusCode::CREATED, Json(json!({ "ok": true }))).into_response())
}

/// A catalogue change, as the catalogue page's forms: `{"what", "body" | "year", "kind", "unit",
/// "until", "reason"}`.
pub async fn catalogue(State(s): State<AppState>, ApiJson(u, f): FormJson) -> AppResult<Json<Value>> {
    // Who may change it before what the change is: nobody else learns the forms.
    u.actor().require(&[Role::Admin])?;
    let change = super::input::catalogue_change(&f)?;
    s.app.change_catalogue(&u.actor(), change, &super::input::Get::get(&f, "reason")).await?;
    Ok(Json(json!({ "ok": true })))
}

/// A page of the audit trail (newest first, at most 100 events, filtered; `before`/`after`
/// page by event number) and whether the chain verifies (from its checkpoint, or in full
/// with `full=true`).
pub async fn audit(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<super::admin::audit::AuditQuery>,
) -> AppResult<Json<Value>> {
    let u = auth::require(user)?;
    u.actor().require(&[Role::Admin, Role::Viewer])?;
    let (filter, cursor, check) = q.parse(&*s.app.catalog().await?)?;
    let trail = s.app.audit_trail(&u.actor(), &filter, cursor, check).await?;
    let chain = match trail.chain {
        Ok(c) => json!({ "intact": true, "events": c.events, "checked": c.checked, "since": c.since }),
        Err(e) => json!({ "intact": false, "broken_at": e.seq, "problem": e.problem }),
    };
    let events: Vec<Value> = trail
        .page
        .events
        .into_iter()
        .map(|e| {
            json!({ "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "entity": e.entity,
                         "old": e.old_value, "new": e.new_value, "reason": e.reason, "hash": e.hash })
        })
        .collect();
    Ok(Json(json!({ "chain": chain, "events": events, "older": trail.page.older, "newer": trail.page.newer })))
}

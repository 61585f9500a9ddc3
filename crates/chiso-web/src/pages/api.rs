//! The JSON API. Results are public once published and are exactly the published
//! snapshot, in the contract of `chiso score --format json`.

use crate::AppState;
use crate::auth::{self, MaybeUser};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub struct KindQuery {
    kind: String,
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

pub async fn results(State(s): State<AppState>, Path(year): Path<String>, Query(q): Query<KindQuery>) -> Response {
    let Ok(year) = year.parse::<i32>() else { return error(StatusCode::NOT_FOUND, "no such period") };
    match s.store.latest_snapshot(year, &q.kind).await {
        Ok(Some(snap)) => ([(header::CONTENT_TYPE, "application/json")], snap.results).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "no published results for this period"),
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

pub async fn me(MaybeUser(user): MaybeUser) -> Response {
    match auth::require(user) {
        Ok(u) => Json(json!({ "username": u.row.username, "role": u.row.role.as_str(), "units": u.row.units }))
            .into_response(),
        Err(_) => error(StatusCode::UNAUTHORIZED, "authentication required"),
    }
}

pub async fn openapi() -> Response {
    let doc = json!({
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
            "/api/v1/me": { "get": { "summary": "The authenticated user", "security": [{ "bearer": [] }],
                "responses": { "200": { "description": "user" }, "401": { "description": "no or bad token" } } } },
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
    Json(doc).into_response()
}

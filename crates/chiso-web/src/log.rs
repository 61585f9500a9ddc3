//! One structured line per request (`tracing`): request id, method, route, status, latency,
//! user. Never a password, token, cookie or query string: the route is the matched pattern
//! (`/nop/{year}/{kind}/{unit}`), the user a name. The request id is also sent back as
//! `x-request-id`, so a user's report of a failure can be found in the log.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Filled by the authentication extractor with the user's name, read when logging.
#[derive(Clone, Default)]
pub struct UserSlot(pub Arc<Mutex<Option<String>>>);

impl UserSlot {
    pub fn set(&self, name: &str) {
        *self.0.lock().expect("not poisoned") = Some(name.to_string());
    }
}

pub async fn requests(mut request: Request, next: Next) -> Response {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = format!("{:x}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let method = request.method().clone();
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "(no route)".to_string(), |m| m.as_str().to_string());
    let user = UserSlot::default();
    request.extensions_mut().insert(user.clone());
    let started = Instant::now();
    let mut response = next.run(request).await;
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let user = user.0.lock().expect("not poisoned").clone().unwrap_or_default();
    if status >= 500 {
        tracing::error!(request_id = %id, %method, %route, status, latency_ms, user, "request");
    } else {
        tracing::info!(request_id = %id, %method, %route, status, latency_ms, user, "request");
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

//! The web platform: the yearly assessment end to end. Reporters fill their unit's
//! self-assessment with evidence, assessors verify and adjust on the record, the
//! administrator computes and publishes, the public reads the results and the report.
//! Server-rendered HTML (Vietnamese, English on request), a JSON API under `/api/v1/`, security by default.

mod auth;
mod cache;
mod catalog;
mod error;
mod html;
mod i18n;
mod pages;
pub mod seed;

use axum::Router;
use chiso_store::Store;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use auth::{hash_password, sha256_hex};
pub use pages::parse_answers;

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    /// `sqlite://file` or `postgres://…`.
    pub database: String,
    /// Evidence files and the unpacked seed data live here.
    pub data_dir: PathBuf,
    /// `Secure` on session cookies (browsers accept them on http://127.0.0.1 too).
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub data_dir: PathBuf,
    pub secure_cookies: bool,
    /// Failed logins per user name: (count, first failure).
    throttle: Arc<Mutex<HashMap<String, (u32, std::time::Instant)>>>,
    /// The public results, page and JSON (see `cache.rs`).
    results: Arc<cache::MicroCache>,
}

impl AppState {
    pub fn new(store: Store, data_dir: PathBuf, secure_cookies: bool) -> AppState {
        AppState { store, data_dir, secure_cookies, throttle: Default::default(), results: Default::default() }
    }
}

pub fn router(state: AppState) -> Router {
    pages::routes().with_state(state)
}

/// Opens the database, seeds it on first start (returns the new administrator's
/// one-time password), and serves until `shutdown` resolves.
pub async fn serve(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    on_ready: impl FnOnce(SocketAddr, Option<String>),
) -> Result<(), String> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| format!("{}: {e}", config.data_dir.display()))?;
    let store = Store::open(&config.database).await.map_err(|e| format!("{}: {e}", config.database))?;
    let password = seed::bootstrap(&store, &config.data_dir).await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(config.bind).await.map_err(|e| format!("{}: {e}", config.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    on_ready(addr, password);
    let app = router(AppState::new(store.clone(), config.data_dir.clone(), config.secure_cookies));
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    Ok(())
}

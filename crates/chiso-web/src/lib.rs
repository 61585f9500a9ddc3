//! The web platform: the yearly assessment end to end. Reporters fill their unit's
//! self-assessment with evidence, assessors verify and adjust on the record, the
//! administrator computes and publishes, the public reads the results and the report.
//! Server-rendered HTML (Vietnamese, English on request), a JSON API under `/api/v1/`, security by default.

mod auth;
mod cache;
mod done;
mod error;
mod html;
mod i18n;
mod log;
mod pages;
mod server;
mod site;

use axum::Router;
use chiso_store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub use auth::{hash_password, sha256_hex};
pub use chiso_app::seed::Start;
pub use pages::parse_answers;
pub use server::Limits;

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    /// `sqlite://file` or `postgres://…`.
    pub database: String,
    /// Evidence files and the unpacked seed data live here.
    pub data_dir: PathBuf,
    /// `Secure` on session cookies (browsers accept them on http://127.0.0.1 too).
    pub secure_cookies: bool,
    /// Timeouts and connection caps of the accept loop.
    pub limits: Limits,
    /// Make the reports' PDFs (with LibreOffice) after each publication; off, PDF
    /// downloads say they are not available.
    pub make_pdfs: bool,
    /// What a first start puts in an empty database (the demonstration, or nothing).
    pub start: chiso_app::seed::Start,
    /// Evidence and report files in this S3-compatible object store, shared by every server
    /// on the database; `None`: under `data_dir`.
    pub objects: Option<chiso_app::objects::S3Config>,
}

#[derive(Clone)]
pub struct AppState {
    /// Every use case, read or write, goes through the application layer: no page touches
    /// the store.
    pub app: chiso_app::App,
    pub data_dir: PathBuf,
    pub secure_cookies: bool,
    /// The public results, page and JSON (see `cache.rs`).
    results: Arc<cache::MicroCache>,
}

impl AppState {
    /// Needs a Tokio runtime: it starts the report worker (outlooks, and PDFs when `make_pdfs`).
    pub fn new(
        store: Store,
        data_dir: PathBuf,
        objects: chiso_app::objects::Objects,
        secure_cookies: bool,
        make_pdfs: bool,
    ) -> AppState {
        let results = cache::MicroCache::swept();
        let app = chiso_app::App::serving_on(store.clone(), data_dir.clone(), objects, make_pdfs);
        let cache = results.clone();
        // The public results show what was published and the catalogue's names.
        app.on_change(move |_| cache.clear());
        AppState { app, data_dir, secure_cookies, results }
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
    let objects = match config.objects.clone() {
        Some(s3) => chiso_app::objects::Objects::s3(s3).map_err(|e| e.to_string())?,
        None => chiso_app::objects::Objects::local(&config.data_dir),
    };
    objects.check().await.map_err(|e| e.to_string())?;
    let store = Store::open(&config.database).await.map_err(|e| format!("{}: {e}", config.database))?;
    // The signing key: made at first start, outside the database (chiso-store's signing.rs).
    let store = store.with_data_dir_key(&config.data_dir, true, "hệ thống").await.map_err(|e| e.to_string())?;
    let password =
        chiso_app::seed::bootstrap(&store, &config.data_dir, config.start).await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(config.bind).await.map_err(|e| format!("{}: {e}", config.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    on_ready(addr, password);
    let state = AppState::new(store.clone(), config.data_dir.clone(), objects, config.secure_cookies, config.make_pdfs);
    state.app.refresh_reports().await;
    let app = router(state);
    server::run(listener, app, config.limits, shutdown).await.map_err(|e| e.to_string())?;
    store.close().await;
    Ok(())
}

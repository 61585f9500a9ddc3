//! The official report of a year, and its PDF made once per version, off the request path.
//!
//! A PDF costs a LibreOffice process (2–15 s, up to 300 MB). It is made after a publication,
//! a catalogue change and at start, by one background worker, one conversion at a time
//! (chiso-report's own lock bounds the process as a whole), and kept in
//! `<data_dir>/reports/` under the hash of the DOCX it was made from: a download serves the
//! file of the DOCX it would get now, or says it is being prepared. No request, logged in
//! or not, starts a converter.

use crate::catalog::{self, Catalog};
use crate::error::{AppError, AppResult};
use axum::http::StatusCode;
use chiso_domain::compare;
use chiso_report::model::Document;
use chiso_store::Store;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// The report of `year` from the platform's data; every kind it covers must be published.
pub async fn document(store: &Store, year: i32) -> AppResult<Document> {
    let cat = Catalog::load(store).await?;
    let settings = match store.document(&format!("report/{year}")).await? {
        Some(text) => {
            chiso_data::report_toml::parse("report", &text)
                .map_err(|e| {
                    AppError::invalid(StatusCode::INTERNAL_SERVER_ERROR, |t, m| (t.invalid_not_saved)(m), vec![e])
                })?
                .1
        }
        None => return Err(AppError::not_found()),
    };
    let mut scored = Vec::new();
    for k in &settings.kinds {
        if store.latest_snapshot(year, &k.kind).await?.is_none() {
            return Err(AppError::not_found());
        }
        let now = catalog::scored(store, &cat, year, &k.kind).await?.ok_or_else(AppError::not_found)?;
        let before = catalog::scored(store, &cat, year - 1, &k.kind).await?;
        scored.push((k, now, before));
    }
    let mut inputs = Vec::new();
    for (k, now, before) in &scored {
        let fw = cat.framework(&now.row.framework)?;
        let previous = match before {
            Some(b) => {
                let pfw = cat.framework(&b.row.framework)?;
                Some(chiso_report::Previous {
                    year: year - 1,
                    framework: pfw,
                    results: &b.results,
                    comparisons: compare(&now.results, fw, &b.results, pfw, &cat.registry),
                })
            }
            None => None,
        };
        // The analysis appendix only where the year's settings ask for it (off by default).
        let analysis = settings.appendix.then(|| chiso_report::Analysis::compute(fw, &now.period, &now.results));
        inputs.push(chiso_report::KindInput {
            settings: k,
            framework: fw,
            period: &now.period,
            results: &now.results,
            previous,
            analysis,
        });
    }
    Ok(chiso_report::build(&settings, year, &inputs))
}

/// Where the PDFs are, and the worker that makes them.
pub struct ReportFiles {
    dir: PathBuf,
    /// Years to (re)make; `None` when PDFs are off (`chiso serve --no-pdf`).
    queue: Option<mpsc::Sender<i32>>,
    queued: Arc<Mutex<HashSet<i32>>>,
}

impl ReportFiles {
    /// Starts the worker (when `make_pdfs`), which reads the store for each year queued.
    pub fn start(store: Store, data_dir: &Path, make_pdfs: bool) -> ReportFiles {
        let dir = data_dir.join("reports");
        let queued: Arc<Mutex<HashSet<i32>>> = Default::default();
        let queue = make_pdfs.then(|| {
            let (tx, rx) = mpsc::channel(64);
            tokio::spawn(worker(store, dir.clone(), rx, queued.clone()));
            tx
        });
        ReportFiles { dir, queue, queued }
    }

    /// Asks for the PDF of `year` to be made again if its DOCX changed (after a
    /// publication or a catalogue change). Returns at once.
    pub fn refresh(&self, year: i32) {
        let Some(queue) = &self.queue else { return };
        if self.queued.lock().expect("not poisoned").insert(year) && queue.try_send(year).is_err() {
            self.queued.lock().expect("not poisoned").remove(&year);
        }
    }

    /// The PDF made from this document's DOCX, if it was made; 503 (being prepared, or
    /// PDFs are off) otherwise.
    pub async fn pdf(&self, doc: &Document) -> AppResult<Vec<u8>> {
        let path = self.dir.join(file_name(&chiso_report::docx::render(doc)));
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(_) if self.queue.is_some() => {
                Err(AppError::new(StatusCode::SERVICE_UNAVAILABLE, |t| t.pdf_preparing).code("pdf_preparing"))
            }
            Err(_) => Err(AppError::new(StatusCode::SERVICE_UNAVAILABLE, |t| t.pdf_off).code("pdf_unavailable")),
        }
    }
}

/// A PDF is named by the DOCX it was made from: the same data gives the same name.
fn file_name(docx: &[u8]) -> String {
    let hash: String = Sha256::digest(docx).iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{hash}.pdf")
}

async fn worker(store: Store, dir: PathBuf, mut rx: mpsc::Receiver<i32>, queued: Arc<Mutex<HashSet<i32>>>) {
    while let Some(year) = rx.recv().await {
        queued.lock().expect("not poisoned").remove(&year);
        let doc = match document(&store, year).await {
            Ok(doc) => doc,
            Err(_) => continue, // not (fully) published: nothing to make
        };
        let docx = chiso_report::docx::render(&doc);
        let path = dir.join(file_name(&docx));
        if path.exists() {
            continue;
        }
        let dir = dir.clone();
        let made = tokio::task::spawn_blocking(move || -> Result<(), String> {
            let pdf =
                chiso_report::pdf::convert(&docx, std::time::Duration::from_secs(180)).map_err(|e| e.to_string())?;
            crate::durable::write(&dir, path.file_name().and_then(|n| n.to_str()).unwrap_or("x.pdf"), &pdf)
                .map_err(|e| e.to_string())
        })
        .await;
        match made {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("PDF of the {year} report not made: {e}"),
            Err(e) => eprintln!("PDF of the {year} report not made: {e}"),
        }
    }
}

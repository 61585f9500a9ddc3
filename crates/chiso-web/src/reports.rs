//! The official report of a year, its PDF, and each unit's outlook (how solid its rank is,
//! what the next level takes): work done once per published version, off the request path.
//!
//! A PDF costs a LibreOffice process (2–15 s, up to 300 MB). It is made after a publication,
//! a catalogue change and at start, by one background worker, one conversion at a time
//! (chiso-report's own lock bounds the process as a whole), and kept in
//! `<data_dir>/reports/` under the hash of the DOCX it was made from: a download serves the
//! file of the DOCX it would get now, or says it is being prepared. No request, logged in
//! or not, starts a converter.

use crate::error::{AppError, AppResult};
use axum::http::StatusCode;
use chiso_app::catalog::{self, Catalog};
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

/// A unit's outlook in a published period, as the unit page shows it. Computed by the
/// Monte-Carlo analysis (10,000 draws) once per published version, never per request.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Outlook {
    pub unit: String,
    pub rank: u32,
    /// The 5–95 % range of the rank over the draws.
    pub rank_low: u32,
    pub rank_high: u32,
    /// Percent of the draws in which the unit keeps its rank.
    pub keeps_rank: u32,
    pub next: Next,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Next {
    /// The level above, the points it takes, and one way to get them (criterion, points).
    Reachable {
        level: String,
        points: chiso_domain::Decimal,
        steps: Vec<(String, chiso_domain::Decimal)>,
    },
    Unreachable {
        level: String,
    },
    Top,
}

/// The outlooks of a published period, with the snapshot version they belong to.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Outlooks {
    pub year: i32,
    pub kind: String,
    pub version: i64,
    pub units: Vec<Outlook>,
}

fn outlooks(fw: &chiso_domain::framework::Framework, scored: &catalog::Scored, version: i64) -> Outlooks {
    let a = chiso_report::Analysis::compute(fw, &scored.period, &scored.results);
    let units = a
        .stability
        .units
        .iter()
        .map(|st| {
            let plan = a.plans.iter().find(|p| p.unit == st.unit);
            let next = match plan.map(|p| (p.next_level_name(fw), p.points_needed, p.reachable, &p.steps)) {
                Some((Some(level), Some(points), true, steps)) => Next::Reachable {
                    level: level.to_string(),
                    points,
                    steps: steps.iter().map(|s| (s.criterion.0.clone(), s.points)).collect(),
                },
                Some((Some(level), _, _, _)) => Next::Unreachable { level: level.to_string() },
                _ => Next::Top,
            };
            Outlook {
                unit: st.unit.0.clone(),
                rank: st.rank,
                rank_low: st.rank_interval.0,
                rank_high: st.rank_interval.1,
                keeps_rank: chiso_domain::analysis::percent(st.keeps_rank),
                next,
            }
        })
        .collect();
    Outlooks { year: scored.row.year, kind: scored.row.kind.clone(), version, units }
}

/// Where the PDFs and outlooks are, and the worker that makes them.
pub struct ReportFiles {
    dir: PathBuf,
    /// Years to (re)make.
    queue: mpsc::Sender<i32>,
    /// PDFs are made (off: `chiso serve --no-pdf`, no LibreOffice).
    make_pdfs: bool,
    queued: Arc<Mutex<HashSet<i32>>>,
}

impl ReportFiles {
    /// Starts the worker (when `make_pdfs`), which reads the store for each year queued.
    pub fn start(store: Store, data_dir: &Path, make_pdfs: bool) -> ReportFiles {
        let dir = data_dir.join("reports");
        let queued: Arc<Mutex<HashSet<i32>>> = Default::default();
        let (queue, rx) = mpsc::channel(64);
        tokio::spawn(worker(store, dir.clone(), make_pdfs, rx, queued.clone()));
        ReportFiles { dir, queue, make_pdfs, queued }
    }

    /// Asks for the PDF of `year` to be made again if its DOCX changed (after a
    /// publication or a catalogue change). Returns at once.
    pub fn refresh(&self, year: i32) {
        if self.queued.lock().expect("not poisoned").insert(year) && self.queue.try_send(year).is_err() {
            self.queued.lock().expect("not poisoned").remove(&year);
        }
    }

    /// The outlooks of the latest published version of a period, if they were computed.
    pub async fn outlooks(&self, year: i32, kind: &str, version: i64) -> Option<Outlooks> {
        let bytes = tokio::fs::read(self.dir.join(outlook_file(year, kind, version))).await.ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The PDF made from this document's DOCX, if it was made; 503 (being prepared, or
    /// PDFs are off) otherwise.
    pub async fn pdf(&self, doc: &Document) -> AppResult<Vec<u8>> {
        let path = self.dir.join(file_name(&chiso_report::docx::render(doc)));
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(_) if self.make_pdfs => {
                Err(AppError::new(StatusCode::SERVICE_UNAVAILABLE, |t| t.pdf_preparing).code("pdf_preparing"))
            }
            Err(_) => Err(AppError::new(StatusCode::SERVICE_UNAVAILABLE, |t| t.pdf_off).code("pdf_unavailable")),
        }
    }
}

fn outlook_file(year: i32, kind: &str, version: i64) -> String {
    format!("outlook-{year}-{kind}-v{version}.json")
}

/// A PDF is named by the DOCX it was made from: the same data gives the same name.
fn file_name(docx: &[u8]) -> String {
    let hash: String = Sha256::digest(docx).iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{hash}.pdf")
}

/// Each published period of `year`: its outlooks, unless those of its latest version exist.
async fn make_outlooks(store: &Store, dir: &Path, year: i32) -> AppResult<()> {
    let cat = Catalog::load(store).await?;
    for p in store.periods().await?.into_iter().filter(|p| p.year == year) {
        let Some(snap) = store.latest_snapshot(year, &p.kind).await? else { continue };
        let name = outlook_file(year, &p.kind, snap.version);
        if dir.join(&name).exists() {
            continue;
        }
        let Some(scored) = catalog::scored(store, &cat, year, &p.kind).await? else { continue };
        let cat = cat.clone();
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || -> AppResult<()> {
            let fw = cat.framework(&scored.row.framework)?;
            let json = serde_json::to_vec(&outlooks(fw, &scored, snap.version)).expect("serialisable");
            chiso_app::durable::write(&dir, &name, &json).map_err(|e| AppError::from(chiso_app::Error::io(e)))
        })
        .await
        .map_err(|_| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, |t| t.error_internal))??;
    }
    Ok(())
}

async fn worker(
    store: Store,
    dir: PathBuf,
    make_pdfs: bool,
    mut rx: mpsc::Receiver<i32>,
    queued: Arc<Mutex<HashSet<i32>>>,
) {
    while let Some(year) = rx.recv().await {
        queued.lock().expect("not poisoned").remove(&year);
        if let Err(e) = make_outlooks(&store, &dir, year).await {
            tracing::warn!(year, error = ?e, "outlooks not computed");
        }
        if !make_pdfs {
            continue;
        }
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
            chiso_app::durable::write(&dir, path.file_name().and_then(|n| n.to_str()).unwrap_or("x.pdf"), &pdf)
                .map_err(|e| e.to_string())
        })
        .await;
        match made {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(year, error = %e, "PDF of the report not made"),
            Err(e) => tracing::error!(year, error = %e, "PDF of the report not made"),
        }
    }
}

//! The official report of a year and each unit's outlook (how solid its rank is, what the
//! next level takes): work done once per published version, off the request path.
//!
//! The DOCX, XLSX and HTML of a year's report are made when one of its periods is published
//! or the catalogue changes (tens of milliseconds for a province), and kept under
//! `reports/` of the platform's files ([`Objects`]: the data directory, or the object store
//! every server shares) with a manifest naming the data they were made from: a download
//! serves the stored file, or makes it once if the data changed through another server.
//!
//! A PDF costs a LibreOffice process (2–15 s, up to 300 MB). It is made after a publication,
//! a catalogue change and at start, by one background worker, one conversion at a time
//! (chiso-report's own lock bounds the process as a whole), under the hash of the DOCX it is
//! made from. No request, logged in or not, starts a converter or a Monte-Carlo analysis.

use crate::catalog::{self, Catalog};
use crate::objects::Objects;
use crate::work_state::{Reporter, Step};
use crate::{Document as Doc, Error, Kind, Message, Result};
use chiso_domain::{ReportSettings, compare};
use chiso_report::model::Document;
use chiso_store::Store;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// The report of `year` from the platform's data; every kind it covers must be published.
pub async fn document(store: &Store, year: i32) -> Result<Document> {
    document_by(store, year, Scorer::Store).await
}

/// Where a report's periods come scored from: scored from the store for the report alone,
/// or the App's periods as scored now (kept for the review page, the preview and publishing:
/// at national scale each is tens of megabytes, then neither scored nor held twice).
#[derive(Clone, Copy)]
pub(crate) enum Scorer<'a> {
    Store,
    App(&'a crate::App),
}

impl Scorer<'_> {
    /// The period as scored now with this catalogue: the App's when it scored with the same
    /// one (it scores again after any change to the database), else scored here.
    async fn scored(
        self,
        store: &Store,
        cat: &Arc<Catalog>,
        year: i32,
        kind: &str,
    ) -> Result<Option<Arc<catalog::Scored>>> {
        if let Scorer::App(app) = self
            && Arc::ptr_eq(&app.catalog().await?, cat)
        {
            // Read before scoring: a change meanwhile makes the worker score again.
            let seq = store.change_seq().await?;
            let scored = app.scored_now(year, kind).await?;
            if let Some(s) = &scored {
                app.reports.hand(Handed { year, kind: kind.to_string(), seq, catalog: cat.clone(), scored: s.clone() });
            }
            return Ok(scored);
        }
        Ok(catalog::scored(store, cat, year, kind).await?.map(Arc::new))
    }
}

/// A period the App scored for a publication's files, handed to the worker, which computes
/// the outlooks from the same periods after it instead of scoring them again beside the
/// App's (at national size each is tens of megabytes).
struct Handed {
    year: i32,
    kind: String,
    /// The database's change number read before it was scored.
    seq: i64,
    catalog: Arc<Catalog>,
    scored: Arc<catalog::Scored>,
}

/// Periods handed to the worker and not yet taken: at most a publication's, and the year
/// before.
const HANDED: usize = 4;

/// The period as scored now: the one handed over if nothing changed since it was scored with
/// this catalogue, else scored from the store.
async fn scored_for_worker(
    store: &Store,
    handed: &Mutex<Vec<Handed>>,
    cat: &Arc<Catalog>,
    year: i32,
    kind: &str,
) -> Result<Option<Arc<catalog::Scored>>> {
    let seq = store.change_seq().await?;
    let found = {
        let mut handed = handed.lock().expect("not poisoned");
        handed.retain(|h| h.seq == seq);
        handed
            .iter()
            .find(|h| h.year == year && h.kind == kind && Arc::ptr_eq(&h.catalog, cat))
            .map(|h| h.scored.clone())
    };
    match found {
        Some(s) => Ok(Some(s)),
        None => Ok(catalog::scored(store, cat, year, kind).await?.map(Arc::new)),
    }
}

async fn document_by(store: &Store, year: i32, by: Scorer<'_>) -> Result<Document> {
    sources(store, year, by).await?.report(year, |r| r.into_document())
}

/// What a year's report is made from, owned (so that it is built off the async runtime):
/// the catalogue, the settings, and each kind's period as scored now with last year's.
struct Sources {
    cat: Arc<Catalog>,
    settings: ReportSettings,
    /// Per kind of the settings, in their order: this year, last year.
    scored: Vec<(Arc<catalog::Scored>, Option<Arc<catalog::Scored>>)>,
}

async fn sources(store: &Store, year: i32, by: Scorer<'_>) -> Result<Sources> {
    let cat = Catalog::load(store).await?;
    let (_, settings) = settings(store, &cat, year).await?;
    let mut scored = Vec::new();
    for k in &settings.kinds {
        if store.published_version(year, &k.kind).await?.is_none() {
            return Err(Error::not_found());
        }
        let now = by.scored(store, &cat, year, &k.kind).await?.ok_or_else(Error::not_found)?;
        let before = by.scored(store, &cat, year - 1, &k.kind).await?;
        scored.push((now, before));
    }
    Ok(Sources { cat, settings, scored })
}

impl Sources {
    /// `f` of the report built from these sources (the workbook's own sheets made when
    /// written).
    fn report<R>(&self, year: i32, f: impl FnOnce(chiso_report::Report) -> R) -> Result<R> {
        let (cat, settings) = (&self.cat, &self.settings);
        let mut inputs = Vec::new();
        for (k, (now, before)) in settings.kinds.iter().zip(&self.scored) {
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
        Ok(f(chiso_report::build_report(settings, year, &inputs)))
    }
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

/// Why a unit's rank moved since the previous year, as published: what it is compared with
/// (`method`: `same`, `continues`, `combined` or `none`), its rank change among the
/// comparable units split into its own change and the others', and the same in words.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Move {
    pub unit: String,
    pub method: String,
    pub comparable_count: usize,
    pub rank_change: Option<i64>,
    pub own_effect: Option<i64>,
    pub others_effect: Option<i64>,
    pub total_change: Option<chiso_domain::Decimal>,
    /// The sentences, Vietnamese and English (`chiso_domain::explain::unit_lines`).
    pub vi: Vec<String>,
    pub en: Vec<String>,
}

/// The outlooks of a published period, with the snapshot version they belong to, and the
/// rank moves against the previous year's published version, if there is one.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Outlooks {
    pub year: i32,
    pub kind: String,
    pub version: i64,
    pub units: Vec<Outlook>,
    #[serde(default)]
    pub previous_version: Option<i64>,
    #[serde(default)]
    pub moves: Vec<Move>,
}

fn outlooks(
    fw: &chiso_domain::framework::Framework,
    scored: &catalog::Scored,
    version: i64,
    progress: &dyn chiso_domain::progress::Progress,
) -> Outlooks {
    let a = chiso_report::Analysis::compute_with(fw, &scored.period, &scored.results, progress);
    // Each unit's plan by its id: thousands of units, one lookup each.
    let plans: std::collections::HashMap<&chiso_domain::UnitId, &chiso_domain::analysis::Plan> =
        a.plans.iter().map(|p| (&p.unit, p)).collect();
    let units = a
        .stability
        .units
        .iter()
        .map(|st| {
            let plan = plans.get(&st.unit);
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
    Outlooks {
        year: scored.row.year,
        kind: scored.row.kind.clone(),
        version,
        units,
        previous_version: None,
        moves: vec![],
    }
}

/// Each unit's comparison with the previous year and why its rank moved.
fn moves(cat: &Catalog, now: &catalog::Scored, before: &catalog::Scored) -> Result<Vec<Move>> {
    use chiso_domain::compare::Method;
    let (fw, pfw) = (cat.framework(&now.row.framework)?, cat.framework(&before.row.framework)?);
    let comparisons = compare(&now.results, fw, &before.results, pfw, &cat.registry);
    let movements =
        chiso_domain::movement::explain(&now.results, fw, &before.results, pfw, &cat.registry, &comparisons);
    let words = |lang, i: usize| {
        chiso_domain::explain::unit_lines(
            lang,
            fw,
            pfw,
            &before.results,
            &cat.registry,
            &comparisons[i],
            movements.get(i),
        )
    };
    Ok(now
        .results
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let (c, m) = (&comparisons[i], movements.get(i));
            Move {
                unit: u.unit.0.clone(),
                method: match c.method {
                    Method::Same => "same",
                    Method::Continues { .. } => "continues",
                    Method::Combined { .. } => "combined",
                    Method::None { .. } => "none",
                }
                .into(),
                comparable_count: c.comparable_count,
                rank_change: c.rank_change,
                own_effect: m.and_then(|m| m.own_effect),
                others_effect: m.and_then(|m| m.others_effect),
                total_change: m.and_then(|m| m.total_change),
                vi: words(chiso_domain::Lang::Vi, i),
                en: words(chiso_domain::Lang::En, i),
            }
        })
        .collect())
}

/// Where the report files and outlooks are, and the worker that makes PDFs and outlooks.
pub struct ReportFiles {
    /// The files, under `reports/`.
    objects: Arc<Objects>,
    /// Years to (re)make; `None` without a worker (the command line).
    queue: Option<mpsc::Sender<i32>>,
    /// PDFs are made (off: `chiso serve --no-pdf`, no LibreOffice).
    make_pdfs: bool,
    queued: Arc<Mutex<HashSet<i32>>>,
    /// Each year's manifest known to be fresh, kept until a change concerns the year
    /// ([`ReportFiles::refresh`], called for this server's changes and for those another
    /// server makes, see `changes.rs`): a download then reads no catalogue to check it.
    /// Only with a worker (a server, which follows the database's changes).
    fresh: Option<Mutex<Fresh>>,
    /// This server making report files: the worker waits for it.
    busy: Arc<Busy>,
    /// Periods the App scored for the files it made, for the worker's outlooks.
    handed: Arc<Mutex<Vec<Handed>>>,
}

/// Report files being made by this server (a publication's request, a catalogue change). The
/// worker's Monte-Carlo analysis and PDF conversion start only when none is: the database's
/// change follower queues them while the request that published is still making the files,
/// and they would share its cores and add their own periods to its memory.
#[derive(Default)]
struct Busy {
    count: std::sync::atomic::AtomicUsize,
    done: tokio::sync::Notify,
}

impl Busy {
    /// Returns when nothing is being made.
    async fn idle(&self) {
        loop {
            // Woken by the end of any making that began before this check.
            let ended = self.done.notified();
            if self.count.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                return;
            }
            ended.await;
        }
    }
}

/// Report files being made while it lives (see [`ReportFiles::busy`]).
pub(crate) struct Making(Arc<Busy>);

impl Drop for Making {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
            self.0.done.notify_waiters();
        }
    }
}

#[derive(Default)]
struct Fresh {
    manifests: std::collections::HashMap<i32, Arc<Manifest>>,
    /// Bumped by every refresh: a manifest checked before it is not kept.
    generation: u64,
}

/// A report's format, by its file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Xlsx,
    Html,
    Pdf,
}

impl Format {
    pub fn parse(ext: &str) -> Option<Format> {
        Some(match ext {
            "docx" => Format::Docx,
            "xlsx" => Format::Xlsx,
            "html" => Format::Html,
            "pdf" => Format::Pdf,
            _ => return None,
        })
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
        }
    }
}

/// The files of a year's report and the data they were made from.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    source: String,
    docx: String,
    xlsx: String,
    html: String,
}

impl ReportFiles {
    /// Files only: nothing made in the background.
    pub fn idle(objects: Arc<Objects>) -> ReportFiles {
        ReportFiles {
            objects,
            queue: None,
            make_pdfs: false,
            queued: Default::default(),
            fresh: None,
            busy: Default::default(),
            handed: Default::default(),
        }
    }

    /// Starts the worker, which reads the store for each year queued: outlooks always,
    /// PDFs when `make_pdfs`. Needs a Tokio runtime.
    pub fn start(store: Store, objects: Arc<Objects>, make_pdfs: bool) -> ReportFiles {
        let queued: Arc<Mutex<HashSet<i32>>> = Default::default();
        let (queue, rx) = mpsc::channel(64);
        let busy: Arc<Busy> = Default::default();
        let handed: Arc<Mutex<Vec<Handed>>> = Default::default();
        tokio::spawn(worker(store, objects.clone(), make_pdfs, rx, queued.clone(), busy.clone(), handed.clone()));
        ReportFiles { objects, queue: Some(queue), make_pdfs, queued, fresh: Some(Default::default()), busy, handed }
    }

    /// A period scored for the files, for the worker (only a server's worker takes them).
    fn hand(&self, h: Handed) {
        if self.queue.is_none() {
            return;
        }
        let mut handed = self.handed.lock().expect("not poisoned");
        handed.retain(|x| !(x.year == h.year && x.kind == h.kind));
        handed.push(h);
        if handed.len() > HANDED {
            handed.remove(0);
        }
    }

    /// Marks report files as being made by this server until the value is dropped: the
    /// worker starts no analysis or conversion meanwhile (one it began goes on).
    pub(crate) fn busy(&self) -> Making {
        self.busy.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Making(self.busy.clone())
    }

    /// Asks for the outlooks and PDF of `year` to be made again if their data changed
    /// (after a publication or a catalogue change). Returns at once.
    pub fn refresh(&self, year: i32) {
        if let Some(fresh) = &self.fresh {
            let mut fresh = fresh.lock().expect("not poisoned");
            fresh.manifests.remove(&year);
            fresh.generation += 1;
        }
        let Some(queue) = &self.queue else { return };
        if self.queued.lock().expect("not poisoned").insert(year) {
            match queue.try_send(year) {
                Ok(()) => crate::work_state::queued(year, crate::work_state::Work::Outlooks),
                Err(_) => {
                    self.queued.lock().expect("not poisoned").remove(&year);
                }
            }
        }
    }

    /// A file of the year's report as stored; made (DOCX, XLSX, HTML) only if the data it
    /// comes from changed since, never the PDF. `NotFound` while a period the report covers
    /// is unpublished.
    pub async fn file(&self, store: &Store, year: i32, format: Format) -> Result<Vec<u8>> {
        let manifest = self.manifest(store, year).await?;
        let name = match format {
            Format::Docx | Format::Pdf => &manifest.docx,
            Format::Xlsx => &manifest.xlsx,
            Format::Html => &manifest.html,
        };
        let bytes = read_file(&self.objects, name).await?;
        match format {
            Format::Pdf => self.pdf(&bytes).await,
            _ => Ok(bytes),
        }
    }

    /// The year's manifest: the one known fresh, else checked against the data (and the
    /// files made again if it changed).
    async fn manifest(&self, store: &Store, year: i32) -> Result<Arc<Manifest>> {
        let Some(fresh) = &self.fresh else {
            return Ok(Arc::new(fresh_files(store, &self.objects, year, None, Scorer::Store).await?));
        };
        let generation = {
            let fresh = fresh.lock().expect("not poisoned");
            if let Some(m) = fresh.manifests.get(&year) {
                return Ok(m.clone());
            }
            fresh.generation
        };
        let manifest = Arc::new(fresh_files(store, &self.objects, year, None, Scorer::Store).await?);
        let mut fresh = fresh.lock().expect("not poisoned");
        if fresh.generation == generation {
            fresh.manifests.insert(year, manifest.clone());
        }
        Ok(manifest)
    }

    /// Makes the year's DOCX, XLSX and HTML now, if its data changed since they were made
    /// (nothing when a period it covers is unpublished or the year has no report).
    pub async fn make_now(&self, store: &Store, year: i32) -> Result<()> {
        self.make_now_by(store, year, Scorer::Store).await
    }

    /// The same, with the periods as `by` scores them (after a change made through the App:
    /// the periods it keeps scored).
    pub(crate) async fn make_now_by(&self, store: &Store, year: i32, by: Scorer<'_>) -> Result<()> {
        let _making = self.busy();
        let job = crate::work_state::start(year, crate::work_state::Work::Files);
        match fresh_files(store, &self.objects, year, Some(job.reporter()), by).await {
            Err(e) if e.kind == Kind::NotFound => {
                job.cancel();
                Ok(())
            }
            other => {
                job.end(other.as_ref().err().map(ToString::to_string));
                other.map(|_| ())
            }
        }
    }

    /// The outlooks of the latest published version of a period, if they were computed.
    pub async fn outlooks(&self, store: &Store, year: i32, kind: &str) -> Result<Option<Outlooks>> {
        let Some(version) = store.published_version(year, kind).await? else { return Ok(None) };
        let previous = store.published_version(year - 1, kind).await?;
        let name = outlook_file(year, kind, version, previous);
        let Some(bytes) = self.objects.get(&key(&name)).await.map_err(Error::io)? else { return Ok(None) };
        Ok(serde_json::from_slice(&bytes).ok())
    }

    /// The PDF made from this DOCX, if it was made; `Unavailable` (being prepared, or PDFs
    /// are off) otherwise.
    async fn pdf(&self, docx: &[u8]) -> Result<Vec<u8>> {
        match self.objects.get(&key(&file_name(docx))).await.map_err(Error::io)? {
            Some(bytes) => Ok(bytes),
            None if self.make_pdfs => Err(Error::new(Kind::Unavailable, Message::PdfPreparing).code("pdf_preparing")),
            None => Err(Error::new(Kind::Unavailable, Message::PdfOff).code("pdf_unavailable")),
        }
    }
}

/// A report file's key among the platform's files.
fn key(name: &str) -> String {
    format!("reports/{name}")
}

/// A file a manifest names; `NotFound` if it is gone (made again after the next change).
async fn read_file(objects: &Objects, name: &str) -> Result<Vec<u8>> {
    objects.get(&key(name)).await.map_err(Error::io)?.ok_or_else(Error::not_found)
}

async fn read_manifest(objects: &Objects, year: i32) -> Result<Option<Manifest>> {
    let bytes = objects.get(&key(&format!("bao-cao-{year}.json"))).await.map_err(Error::io)?;
    Ok(bytes.and_then(|b| serde_json::from_slice(&b).ok()))
}

/// The year's files, made first if their data changed since.
/// `told`: the job making them, if one is listed (the steps and files stored).
async fn fresh_files(
    store: &Store,
    objects: &Objects,
    year: i32,
    told: Option<Reporter>,
    by: Scorer<'_>,
) -> Result<Manifest> {
    let source = source_key(store, year).await?;
    match read_manifest(objects, year).await? {
        Some(m) if m.source == source => Ok(m),
        _ => make_files(store, objects, year, source, told, by).await,
    }
}

async fn make_files(
    store: &Store,
    objects: &Objects,
    year: i32,
    source: String,
    told: Option<Reporter>,
    by: Scorer<'_>,
) -> Result<Manifest> {
    let tell = |step: Step, done: u64, total: u64| {
        if let Some(t) = &told {
            t.step(step, done, total);
        }
    };
    tell(Step::Document, 0, 0);
    let sources = sources(store, year, by).await?;
    let told_render = told;
    let files = tokio::task::spawn_blocking(move || -> Result<[(String, Vec<u8>); 3]> {
        let all = chiso_report::files::Wanted { docx: true, xlsx: true, html: true };
        // The document, then its files; the full tables of the workbook are made as the XLSX
        // writes them, one at a time, never all held.
        let made = sources.report(year, |report| {
            if let Some(t) = &told_render {
                t.step(Step::Render, 0, 0);
            }
            chiso_report::files::render_report(&report, all)
        })?;
        drop(sources);
        let (Some(docx), Some(xlsx), Some(html)) = (made.docx, made.xlsx, made.html) else {
            unreachable!("every file was asked for")
        };
        let xlsx = xlsx.map_err(|e| {
            tracing::error!(year, error = %e, "the report's XLSX was not made");
            Error::new(Kind::Internal, Message::Database)
        })?;
        let html = html.into_bytes();
        Ok([(docx, "docx"), (xlsx, "xlsx"), (html, "html")].map(|(b, ext)| (format!("{}.{ext}", content_hash(&b)), b)))
    })
    .await
    .map_err(|_| Error::new(Kind::Internal, Message::Database))??;
    // The files first, then the manifest that names them: a reader never finds a manifest
    // whose files are missing.
    let mut names = Vec::new();
    // The three files, then the manifest naming them.
    tell(Step::Store, 0, 4);
    for (name, bytes) in files {
        objects.put_new(&key(&name), bytes).await.map_err(Error::io)?;
        names.push(name);
        tell(Step::Store, names.len() as u64, 4);
    }
    let [docx, xlsx, html]: [String; 3] = names.try_into().expect("three files");
    let manifest = Manifest { source, docx, xlsx, html };
    let json = serde_json::to_vec(&manifest).expect("serialisable");
    objects.put(&key(&format!("bao-cao-{year}.json")), json).await.map_err(Error::io)?;
    tell(Step::Store, 4, 4);
    Ok(manifest)
}

/// Named by the published versions it was computed from, this year's and last year's.
fn outlook_file(year: i32, kind: &str, version: i64, previous: Option<i64>) -> String {
    let previous = previous.map(|v| format!("-p{v}")).unwrap_or_default();
    format!("outlook-{year}-{kind}-v{version}{previous}.json")
}

/// A PDF is named by the DOCX it was made from: the same data gives the same name.
fn file_name(docx: &[u8]) -> String {
    format!("{}.pdf", content_hash(docx))
}

fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// What a year's report is made from: its settings, the catalogue's documents, and the
/// published version of each period it covers (and of the year before, which it compares
/// with). `NotFound` without settings or while a period it covers is unpublished.
async fn source_key(store: &Store, year: i32) -> Result<String> {
    let (text, settings) = settings(store, &*Catalog::load(store).await?, year).await?;
    let mut h = Sha256::new();
    h.update(text.as_bytes());
    let mut documents = store.documents("framework/").await?;
    documents.push(("units.toml".into(), store.document("units.toml").await?.unwrap_or_default()));
    for (name, body) in documents {
        h.update(format!("\0{name}\0{}\0", body.len()).as_bytes());
        h.update(body.as_bytes());
    }
    for k in &settings.kinds {
        let now = store.published_version(year, &k.kind).await?.ok_or_else(Error::not_found)?;
        let before = store.published_version(year - 1, &k.kind).await?;
        h.update(format!("\0{}:{now}:{before:?}", k.kind).as_bytes());
    }
    Ok(content_hash(&h.finalize()))
}

/// The settings of a year's report and their text: the province's (`report/<year>`), else
/// neutral ones covering every period of the year that is published, so that every
/// published year has its report (`NotFound` when none is).
async fn settings(store: &Store, cat: &Catalog, year: i32) -> Result<(String, ReportSettings)> {
    if let Some(text) = store.document(&format!("report/{year}")).await? {
        let (_, settings) = chiso_data::report_toml::parse("report", &text)
            .map_err(|e| catalog::broken(Doc::ReportSettings, vec![e]))?;
        return Ok((text, settings));
    }
    let mut kinds = Vec::new();
    for p in store.periods().await?.into_iter().filter(|p| p.year == year) {
        if store.published_version(year, &p.kind).await?.is_some() {
            let name = cat.framework(&p.framework).map_or_else(|_| p.kind.clone(), |f| f.name.clone());
            kinds.push((p.kind, name));
        }
    }
    if kinds.is_empty() {
        return Err(Error::not_found());
    }
    let text = format!("neutral:{kinds:?}");
    Ok((text, ReportSettings::neutral(year, kinds)))
}

/// Each published period of `year`: its outlooks, unless those of its latest version exist.
async fn make_outlooks(
    store: &Store,
    objects: &Objects,
    year: i32,
    told: Reporter,
    handed: &Mutex<Vec<Handed>>,
) -> Result<()> {
    let cat = Catalog::load(store).await?;
    for p in store.periods().await?.into_iter().filter(|p| p.year == year) {
        let Some(version) = store.published_version(year, &p.kind).await? else { continue };
        let previous_version = store.published_version(year - 1, &p.kind).await?;
        let name = outlook_file(year, &p.kind, version, previous_version);
        if objects.exists(&key(&name)).await.map_err(Error::io)? {
            continue;
        }
        let Some(scored) = scored_for_worker(store, handed, &cat, year, &p.kind).await? else { continue };
        // Moves only against a published previous year.
        let before = match previous_version {
            Some(_) => scored_for_worker(store, handed, &cat, year - 1, &p.kind).await?,
            None => None,
        };
        let cat = cat.clone();
        told.step(Step::Draws, 0, 0);
        let json = tokio::task::spawn_blocking(move || -> Result<Vec<u8>> {
            let fw = cat.framework(&scored.row.framework)?;
            let mut all = outlooks(fw, &scored, version, &told);
            if let Some(before) = &before {
                all.previous_version = previous_version;
                all.moves = moves(&cat, &scored, before)?;
            }
            Ok(serde_json::to_vec(&all).expect("serialisable"))
        })
        .await
        .map_err(|_| Error::new(Kind::Internal, Message::Database))??;
        told.step(Step::Store, 0, 1);
        objects.put_new(&key(&name), json).await.map_err(Error::io)?;
        told.step(Step::Store, 1, 1);
    }
    Ok(())
}

async fn worker(
    store: Store,
    objects: Arc<Objects>,
    make_pdfs: bool,
    mut rx: mpsc::Receiver<i32>,
    queued: Arc<Mutex<HashSet<i32>>>,
    busy: Arc<Busy>,
    handed: Arc<Mutex<Vec<Handed>>>,
) {
    while let Some(year) = rx.recv().await {
        busy.idle().await;
        queued.lock().expect("not poisoned").remove(&year);
        let job = crate::work_state::start(year, crate::work_state::Work::Outlooks);
        let made = make_outlooks(&store, &objects, year, job.reporter(), &handed).await;
        // Taken or not, not kept beyond the App's own periods.
        handed.lock().expect("not poisoned").clear();
        if let Err(e) = &made {
            tracing::warn!(year, error = ?e, "outlooks not computed");
        }
        job.end(made.err().map(|e| e.to_string()));
        if !make_pdfs {
            continue;
        }
        // The PDF of the DOCX a download serves.
        let docx = match fresh_files(&store, &objects, year, None, Scorer::Store).await {
            Ok(m) => match read_file(&objects, &m.docx).await {
                Ok(docx) => docx,
                Err(e) => {
                    tracing::warn!(year, error = ?e, "the report's DOCX is unreadable");
                    continue;
                }
            },
            Err(_) => continue, // not (fully) published: nothing to make
        };
        let pdf_key = key(&file_name(&docx));
        if objects.exists(&pdf_key).await.unwrap_or(false) {
            continue;
        }
        busy.idle().await;
        let job = crate::work_state::start(year, crate::work_state::Work::Pdf);
        let told = job.reporter();
        // LibreOffice says nothing until it ends: the page shows the step and the time.
        told.step(Step::Convert, 0, 1);
        let made = tokio::task::spawn_blocking(move || {
            chiso_report::pdf::convert(&docx, std::time::Duration::from_secs(180)).map_err(|e| e.to_string())
        })
        .await;
        let stored = match made {
            Ok(Ok(pdf)) => {
                told.pages(chiso_report::pdf::pages(&pdf));
                told.step(Step::Store, 0, 1);
                let stored = objects.put_new(&pdf_key, pdf).await;
                if let Err(e) = &stored {
                    tracing::warn!(year, error = %e, "PDF of the report not stored");
                } else {
                    told.step(Step::Store, 1, 1);
                }
                stored.err().map(|e| e.to_string())
            }
            Ok(Err(e)) => {
                tracing::warn!(year, error = %e, "PDF of the report not made");
                Some(e)
            }
            Err(e) => {
                tracing::error!(year, error = %e, "PDF of the report not made");
                Some(e.to_string())
            }
        };
        job.end(stored);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Actor, App};

    /// The worker's wait: none while nothing is being made; while files are being made,
    /// until the last making ends.
    #[tokio::test]
    async fn the_worker_waits_for_the_files_being_made() {
        let dir = tempfile::tempdir().unwrap();
        let files = ReportFiles::idle(Arc::new(Objects::local(dir.path())));
        files.busy.idle().await;
        let (first, second) = (files.busy(), files.busy());
        let busy = files.busy.clone();
        let waiting = tokio::spawn(async move { busy.idle().await });
        drop(first);
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "one making still goes on");
        drop(second);
        tokio::time::timeout(std::time::Duration::from_secs(10), waiting).await.unwrap().unwrap();
        files.busy.idle().await;
    }

    /// The worker's periods: those the App scored for the files while nothing changed (the
    /// same figures, not scored twice), scored again from the store after any change.
    #[tokio::test]
    async fn the_worker_takes_the_periods_scored_for_the_files_while_nothing_changed() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            chiso_store::Store::open(&format!("sqlite://{}", dir.path().join("t.sqlite").display())).await.unwrap();
        crate::seed::bootstrap(&store, dir.path(), crate::seed::Start::Demo).await.unwrap();
        let app = App::new(store.clone(), dir.path().into());
        let cat = Catalog::load(&store).await.unwrap();
        let handed: Mutex<Vec<Handed>> = Default::default();
        let seq = store.change_seq().await.unwrap();
        let scored = app.scored_now(2020, "department").await.unwrap().unwrap();
        let h =
            |seq| Handed { year: 2020, kind: "department".into(), seq, catalog: cat.clone(), scored: scored.clone() };
        handed.lock().unwrap().push(h(seq));
        let taken = scored_for_worker(&store, &handed, &cat, 2020, "department").await.unwrap().unwrap();
        assert!(Arc::ptr_eq(&taken, &scored), "the App's period, not scored again");
        let other = scored_for_worker(&store, &handed, &cat, 2019, "department").await.unwrap().unwrap();
        assert_eq!(other.row.year, 2019, "a period not handed over is scored from the store");
        // Any change to the database since: scored again, the same results from the same figures.
        app.publish(&Actor::cli(), 2020, "department", "Công bố lại", false).await.unwrap();
        let again = scored_for_worker(&store, &handed, &cat, 2020, "department").await.unwrap().unwrap();
        assert!(!Arc::ptr_eq(&again, &scored), "scored again after a change");
        assert_eq!(again.results, scored.results);
        assert!(handed.lock().unwrap().is_empty(), "what changed is not kept");
        store.close().await;
    }

    #[tokio::test]
    async fn report_files_are_made_at_publication_and_served_as_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            chiso_store::Store::open(&format!("sqlite://{}", dir.path().join("t.sqlite").display())).await.unwrap();
        crate::seed::bootstrap(&store, dir.path(), crate::seed::Start::Demo).await.unwrap();
        let app = App::new(store.clone(), dir.path().into());

        // The seed's 2020 report: made on first request (nothing was published through this
        // App yet), then served from its files.
        let docx = app.report_file(2020, Format::Docx).await.unwrap();
        assert_eq!(docx, chiso_report::docx::render(&document(&store, 2020).await.unwrap()), "the report of the data");
        let html = String::from_utf8(app.report_file(2020, Format::Html).await.unwrap()).unwrap();
        assert!(html.contains("Sở Y tế"), "the HTML report names the units");
        let objects = Objects::local(dir.path());
        let manifest = read_manifest(&objects, 2020).await.unwrap().unwrap();
        let stored = std::fs::read(dir.path().join("reports").join(&manifest.docx)).unwrap();
        assert_eq!(stored, docx, "the download is the stored file");
        let e = app.report_file(2020, Format::Pdf).await.unwrap_err();
        assert_eq!(e.code, "pdf_unavailable", "no converter runs for a download");
        assert_eq!(app.report_file(2021, Format::Docx).await.unwrap_err().kind, Kind::NotFound);

        // A new publication makes the files again, before the command returns.
        app.publish(&Actor::cli(), 2020, "department", "Công bố lại", false).await.unwrap();
        let after = read_manifest(&objects, 2020).await.unwrap().unwrap();
        assert_ne!(after.source, manifest.source, "the report names the version it was made from");
        assert_eq!(after.docx, manifest.docx, "the same figures make the same DOCX, byte for byte");
        store.close().await;
    }
}

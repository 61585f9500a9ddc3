//! The application layer: every use case of the platform (open a period, add a user, save
//! and submit answers, review, reply, add evidence, publish, list missing units) as one
//! function taking an [`Actor`] and typed input. Each checks who may do it and whether the
//! input is valid, writes its change with its audit event through the store (one
//! transaction), and returns a typed result or an [`Error`] whose [`Message`] the front end
//! renders in its reader's language. The web pages, the JSON API and the CLI call these and
//! nothing below them for writes, so the three refuse the same things.

mod accounts;
mod actor;
mod answers;
pub mod catalog;
mod catalogue;
mod changes;
pub mod durable;
mod error;
mod import;
pub mod kept;
mod message;
pub mod objects;
mod orphans;
pub mod passwords;
mod periods;
mod queries;
pub mod ranking;
pub mod reports;
mod review;
pub mod seed;
pub mod sessions;
mod thread;
mod unit_search;
pub use unit_search::Typed;
mod units;
pub mod work_state;
mod workbook;

pub use accounts::{MIN_PASSWORD, NewUser, UserAction};
pub use actor::Actor;
pub use answers::{AnswerInput, Evidence, MAX_EVIDENCE, leaf_fields, today};
pub use catalog::Catalog;
pub use catalogue::CatalogueChange;
pub use error::{Error, Kind, Result};
pub use import::FiguresFile;
pub use message::{Document, Field, FieldName, Message, Problem};
pub use periods::{MissingUnit, OpenPeriod, Preview, is_history};
pub use queries::{AUDIT_PAGE, Accounts, AuditTrail, ChainCheck, PeriodOverview, Published, SubmissionView, WorkItem};
pub use review::{Adjustment, REVIEWERS, ReviewAction};
pub use thread::{EntryKind, ThreadEntry};
pub use units::UnitChange;
pub use workbook::{MAX_WORKBOOK, Workbook, workbook_too_large};

use chiso_store::Store;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// Longest reason or note (an adjustment's, a publication's, "not applicable"'s), and
/// longest question or reply, in characters: free text is bounded so that one post cannot
/// make every page that shows it megabytes long.
pub const MAX_REASON: usize = 2_000;
pub const MAX_MESSAGE: usize = 10_000;

/// What changed, for the caches and report files made from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A new published version of a period of this year.
    Published { year: i32 },
    /// Frameworks, units, report settings or deadlines.
    Catalogue,
}

type Listener = Arc<dyn Fn(Change) + Send + Sync>;

/// The platform's use cases over one store and its files.
#[derive(Clone)]
pub struct App {
    /// Only the use cases touch the store: nothing above this crate knows SQL.
    store: Store,
    /// The unpacked seed data lives here, and the files below unless in an object store.
    pub data_dir: PathBuf,
    /// Evidence (`evidence/<sha256>`) and report files (`reports/`): see [`objects`].
    objects: Arc<objects::Objects>,
    listeners: Arc<RwLock<Vec<Listener>>>,
    reports: Arc<reports::ReportFiles>,
    /// The catalogue last read (see [`App::catalog`]).
    catalog: Arc<kept::Kept<(), Arc<Catalog>>>,
    /// The published rankings parsed (see [`App::ranking`]).
    rankings: Arc<ranking::Rankings>,
    /// Each period's published version (see [`App::published_version`]).
    versions: Arc<kept::Kept<(i32, String), Option<i64>>>,
}

impl App {
    /// The use cases, with the report files made in the foreground (the command line).
    pub fn new(store: Store, data_dir: PathBuf) -> App {
        let objects = objects::Objects::local(&data_dir);
        App::new_on(store, data_dir, objects)
    }

    /// The same, with the files in `objects` (an object store shared by several servers).
    pub fn new_on(store: Store, data_dir: PathBuf, objects: objects::Objects) -> App {
        let objects = Arc::new(objects);
        let reports = Arc::new(reports::ReportFiles::idle(objects.clone()));
        App::with(store, data_dir, objects, reports)
    }

    fn with(
        store: Store,
        data_dir: PathBuf,
        objects: Arc<objects::Objects>,
        reports: Arc<reports::ReportFiles>,
    ) -> App {
        App {
            store,
            data_dir,
            objects,
            listeners: Default::default(),
            reports,
            catalog: Arc::new(kept::Kept::new(queries::CATALOG_TTL)),
            rankings: Default::default(),
            versions: Arc::new(kept::Kept::new(queries::VERSION_TTL)),
        }
    }

    /// The use cases with a background worker making the outlooks (and the PDFs when
    /// `make_pdfs`) after each change. Needs a Tokio runtime.
    pub fn serving(store: Store, data_dir: PathBuf, make_pdfs: bool) -> App {
        let objects = objects::Objects::local(&data_dir);
        App::serving_on(store, data_dir, objects, make_pdfs)
    }

    /// The same, with the files in `objects`; it also follows the changes other servers
    /// make to the same database (`changes.rs`), so that its caches forget what they changed,
    /// and copies its background jobs there for them to show (`work_state.rs`).
    pub fn serving_on(store: Store, data_dir: PathBuf, objects: objects::Objects, make_pdfs: bool) -> App {
        let objects = Arc::new(objects);
        let reports = Arc::new(reports::ReportFiles::start(store.clone(), objects.clone(), make_pdfs));
        tokio::spawn(work_state::mirror(store.clone()));
        let app = App::with(store, data_dir, objects, reports);
        app.follow_changes();
        app
    }

    /// Calls `f` after each change made through this `App` that published pages and
    /// reports show.
    pub fn on_change(&self, f: impl Fn(Change) + Send + Sync + 'static) {
        self.listeners.write().expect("not poisoned").push(Arc::new(f));
    }

    /// After a change: the report files of the years it concerns are made again (after a
    /// publication its DOCX, XLSX and HTML now; after a catalogue change by the worker or the
    /// first download; outlooks and PDFs in the background), then the listeners told.
    async fn changed(&self, change: Change) {
        self.versions.clear();
        if change == Change::Catalogue {
            self.catalog.clear();
        }
        let years = match change {
            Change::Published { year } => vec![year, year + 1],
            Change::Catalogue => self.years().await,
        };
        for year in years {
            // A publication's files are made in its request. After a catalogue change every
            // year's are stale: the worker or the first download makes them again, not the
            // request (a national year's files take over a second, and a ministry keeps years).
            if matches!(change, Change::Published { .. })
                && let Err(e) = self.reports.make_now_by(&self.store, year, reports::Scorer::App(self)).await
            {
                tracing::warn!(year, error = %e, "report files not made");
            }
            self.reports.refresh(year);
        }
        let listeners = self.listeners.read().expect("not poisoned").clone();
        for f in listeners {
            f(change);
        }
    }

    /// Every year with a period, in order.
    async fn years(&self) -> Vec<i32> {
        match self.store.periods().await {
            Ok(periods) => {
                let years: std::collections::BTreeSet<i32> = periods.iter().map(|p| p.year).collect();
                years.into_iter().collect()
            }
            Err(e) => {
                tracing::warn!(error = %e, "periods unreadable: reports not refreshed");
                Vec::new()
            }
        }
    }

    /// At start: every year's report files and outlooks, where their data changed.
    pub async fn refresh_reports(&self) {
        for year in self.years().await {
            self.reports.refresh(year);
        }
    }

    /// A file of the year's official report, as made after its publication.
    pub async fn report_file(&self, year: i32, format: reports::Format) -> Result<Vec<u8>> {
        self.reports.file(&self.store, year, format).await
    }

    /// The outlooks and rank moves of a period's latest published version, if the worker
    /// computed them (`None` while it is at work, or before publication).
    pub async fn outlooks(&self, year: i32, kind: &str) -> Result<Option<reports::Outlooks>> {
        self.reports.outlooks(&self.store, year, kind).await
    }
}

/// `Ok` if `text` has at most `max` characters; else `too_long` naming the field.
pub(crate) fn bounded(text: &str, max: usize, what: Field) -> Result<()> {
    if text.chars().count() <= max {
        return Ok(());
    }
    Err(Error::new(Kind::Unprocessable, Message::TooLong { what, max }).code("too_long"))
}

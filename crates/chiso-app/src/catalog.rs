//! The platform's data as the engine sees it: the registry and frameworks from their
//! stored documents, a period's figures from the answers of submitted units.

use crate::{Document, Error, Kind, Message, Result};
use chiso_data::{dataset, framework_toml, import, units_toml};
use chiso_domain::engine::Results;
use chiso_domain::framework::Framework;
use chiso_domain::unit::Registry;
use chiso_domain::{Period, compare};
use chiso_store::{PeriodRow, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct Catalog {
    pub registry: Registry,
    pub frameworks: Vec<Framework>,
    /// The units' search order and folded names, made at the first search.
    pub(crate) unit_index: std::sync::OnceLock<crate::unit_search::UnitIndex>,
}

/// A stored document the parsers refuse (it was validated when saved, so this is damage).
pub(crate) fn broken(what: Document, errors: Vec<chiso_data::DataError>) -> Error {
    tracing::error!(?what, ?errors, "a stored document does not parse");
    Error::new(Kind::Internal, Message::Broken { what, errors })
}

/// The last catalogue parsed, with the documents it was parsed from. Keyed by content, not
/// by a process-local version, so every `chiso serve` behind one PostgreSQL sees a change
/// at its next request.
type Cached = (Vec<(String, String)>, Arc<Catalog>);
static CACHE: Mutex<Option<Cached>> = Mutex::new(None);

impl Catalog {
    pub fn new(registry: Registry, frameworks: Vec<Framework>) -> Catalog {
        Catalog { registry, frameworks, unit_index: std::sync::OnceLock::new() }
    }

    /// The registry and frameworks as stored now; parsed again only when a document changed.
    pub async fn load(store: &Store) -> Result<Arc<Catalog>> {
        let mut documents = store.documents("framework/").await?;
        documents.push(("units.toml".into(), store.document("units.toml").await?.unwrap_or_default()));
        if let Some((docs, cat)) = CACHE.lock().expect("not poisoned").as_ref()
            && *docs == documents
        {
            return Ok(cat.clone());
        }
        let (units, frameworks) = documents.split_last().expect("units.toml was pushed");
        let registry = units_toml::parse("units.toml", &units.1).map_err(|e| broken(Document::UnitRegistry, e))?;
        let mut parsed = Vec::new();
        for (name, body) in frameworks {
            parsed.push(framework_toml::parse(name, body).map_err(|e| broken(Document::Framework, e))?);
        }
        let cat = Arc::new(Catalog::new(registry, parsed));
        *CACHE.lock().expect("not poisoned") = Some((documents, cat.clone()));
        Ok(cat)
    }

    pub fn framework(&self, id: &str) -> Result<&Framework> {
        self.frameworks.iter().find(|f| f.id == id).ok_or_else(Error::not_found)
    }

    pub fn unit_name(&self, id: &str) -> String {
        self.registry.get(&chiso_domain::UnitId(id.into())).map_or(id.to_string(), |u| u.name.clone())
    }
}

/// The period as the engine sees it: units that submitted (or were verified) with their
/// effective values (an assessor's verified value wins); drafts count as no data.
pub async fn period(store: &Store, cat: &Catalog, p: &PeriodRow) -> Result<Period> {
    let fw = cat.framework(&p.framework)?;
    let counted: Vec<String> =
        store.submissions(p.year, &p.kind).await?.into_iter().filter(|s| s.status.counts()).map(|s| s.unit).collect();
    // Each counted unit's effective answers (an assessor's verified value wins), read by the
    // import's own validator a unit at a time as the period's answers are read.
    let file = |unit: &str| format!("{}/{}/{unit}", p.year, p.kind);
    let mut read: HashMap<String, Option<_>> = counted.iter().map(|u| (u.clone(), None)).collect();
    store
        .each_period_effective_answers(p.year, &p.kind, |unit, answers| {
            if let Some(slot) = read.get_mut(&unit) {
                *slot = Some(import::answers(fw, &answers, &file(&unit)));
            }
        })
        .await?;
    let mut imported = Vec::new();
    let mut errors = Vec::new();
    for unit in counted {
        // A counted unit without a stored answer reads as an empty form.
        let answers = read.remove(&unit).flatten().unwrap_or_else(|| import::answers(fw, &[], &file(&unit)));
        match answers {
            Ok(submission) => {
                imported.push(import::ImportedRow { unit: chiso_domain::UnitId(unit), row: 0, group: None, submission })
            }
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(broken(Document::PeriodFigures, errors));
    }
    let published = match store.document(&format!("published/{}/{}", p.year, p.kind)).await? {
        None => None,
        Some(csv) => {
            let t = chiso_data::table::parse_csv("published.csv", csv.as_bytes())
                .map_err(|e| broken(Document::PublishedResults, vec![e]))?;
            Some(
                dataset::published(&t, &p.kind, p.year, &cat.registry)
                    .map_err(|e| broken(Document::PublishedResults, e))?,
            )
        }
    };
    Ok(dataset::assemble(fw, &cat.registry, p.year, imported, published))
}

pub struct Scored {
    pub row: PeriodRow,
    pub period: Period,
    pub results: Results,
}

pub async fn scored(store: &Store, cat: &Catalog, year: i32, kind: &str) -> Result<Option<Scored>> {
    let Some(row) = store.period(year, kind).await? else { return Ok(None) };
    let fw = cat.framework(&row.framework)?;
    let period = period(store, cat, &row).await?;
    let results = chiso_domain::score(fw, &period);
    Ok(Some(Scored { row, period, results }))
}

/// The results JSON of the API contract, with last year's ranks when that period exists.
pub async fn results_json(store: &Store, cat: &Catalog, year: i32, kind: &str) -> Result<String> {
    let s = scored(store, cat, year, kind).await?.ok_or_else(Error::not_found)?;
    let fw = cat.framework(&s.row.framework)?;
    let previous = scored(store, cat, year - 1, kind).await?;
    let comparisons = match &previous {
        Some(p) => Some(compare(&s.results, fw, &p.results, cat.framework(&p.row.framework)?, &cat.registry)),
        None => None,
    };
    Ok(chiso_report::json::results(fw, &s.results, &|i| comparisons.as_ref().and_then(|c| c[i].previous_rank)))
}

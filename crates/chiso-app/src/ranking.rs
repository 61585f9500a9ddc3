//! A published version as the public pages read it. A national ranking is megabytes of
//! JSON: it is parsed once per version (off the async runtime), kept per period while it is
//! the latest, its scores as decimals in one flat table, its rows found by unit id or name
//! through maps; a request asks the store only for the latest version's number. Filtering
//! and paging are on the kept rows.

use crate::{App, Document, Error, Kind, Message, Result};
use chiso_domain::{Decimal, UnitId};
use chiso_report::json::{ResultRow, RowStatus};
use chiso_store::PeriodRow;
use std::collections::HashMap;
use std::sync::Arc;

/// Rows on one page of a ranking.
pub const RANKING_PAGE: usize = 50;
/// Periods whose rankings are kept (the most recently read).
const KEPT: usize = 8;

/// One unit's line of a published ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedRow {
    /// The unit's name as published.
    pub name: String,
    /// The unit it names in the registry of its year, if it still resolves.
    pub id: Option<UnitId>,
    /// The name folded for searching (case and diacritics).
    folded: String,
    pub status: RowStatus,
    pub total: Option<String>,
    pub level: Option<String>,
    pub rank: Option<u32>,
    pub previous_rank: Option<u32>,
}

impl RankedRow {
    /// The level filter's value: the level's name, `KXH` below the levels, `none` without data.
    pub fn level_key(&self) -> &str {
        match (self.status, &self.level) {
            (RowStatus::NoData, _) => "none",
            (_, Some(l)) => l,
            _ => "KXH",
        }
    }
}

/// A published version of a period, parsed.
pub struct Ranking {
    pub period: PeriodRow,
    pub version: i64,
    pub at: String,
    pub reason: String,
    /// Criterion ids in the published order (the framework's).
    pub criteria: Vec<String>,
    pub rows: Vec<RankedRow>,
    /// `rows.len() × criteria.len()` points; `None`: did not apply.
    scores: Vec<Option<Decimal>>,
    by_id: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    column: HashMap<String, usize>,
    /// The catalogue its units were resolved with (a new one resolves them again).
    catalog: Arc<crate::Catalog>,
}

/// A page of a filtered ranking: the rows shown (indices into `rows`), how many matched.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingPage {
    pub shown: Vec<usize>,
    pub matched: usize,
    /// 1-based, within `1..=pages`.
    pub page: usize,
    pub pages: usize,
}

impl Ranking {
    fn parse(period: PeriodRow, snap: chiso_store::SnapshotRow, catalog: Arc<crate::Catalog>) -> Result<Ranking> {
        let mut built = Built::default();
        let seed = DocSeed { built: &mut built, registry: &catalog.registry, period: &period };
        let mut de = serde_json::Deserializer::from_str(&snap.results);
        serde::de::DeserializeSeed::deserialize(seed, &mut de).and_then(|()| de.end()).map_err(|e| {
            tracing::error!(year = period.year, kind = %period.kind, error = %e, "a published snapshot does not read");
            Error::new(Kind::Internal, Message::Broken { what: Document::PublishedResults, errors: vec![] })
        })?;
        let Built { criteria, mut rows, mut scores, by_id, by_name, column } = built;
        // Kept all year: no room left over if the units were fewer than the registry's.
        rows.shrink_to_fit();
        scores.shrink_to_fit();
        Ok(Ranking {
            period,
            version: snap.version,
            at: snap.at,
            reason: snap.reason,
            criteria,
            rows,
            scores,
            by_id,
            by_name,
            column,
            catalog: catalog.clone(),
        })
    }

    /// Results not published (a preview), in the contract of a snapshot: version 0.
    pub fn of_results(period: PeriodRow, results: String, catalog: Arc<crate::Catalog>) -> Result<Ranking> {
        let snap = chiso_store::SnapshotRow {
            version: 0,
            results,
            reason: String::new(),
            published_by: String::new(),
            at: String::new(),
        };
        Ranking::parse(period, snap, catalog)
    }

    /// A row's points for every criterion, in `criteria`'s order.
    pub fn scores(&self, row: usize) -> &[Option<Decimal>] {
        let n = self.criteria.len();
        &self.scores[row * n..(row + 1) * n]
    }

    /// A row's points for one criterion.
    pub fn score(&self, row: usize, criterion: &str) -> Option<Decimal> {
        self.column.get(criterion).and_then(|&c| self.scores(row)[c])
    }

    /// The row of a unit, by its id.
    pub fn row_of(&self, unit: &str) -> Option<usize> {
        self.by_id.get(unit).copied()
    }

    /// The row published under this name.
    pub fn row_named(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The rows whose name contains `name` (case and diacritics aside) and whose level key
    /// is `level` (empty: any), in table order, and the `page`th page of them (1-based,
    /// brought within the pages there are).
    pub fn select(&self, name: &str, level: &str, page: usize) -> RankingPage {
        let needle = chiso_domain::collate::fold(name.trim());
        let matching: Vec<usize> = (0..self.rows.len())
            .filter(|&i| needle.is_empty() || self.rows[i].folded.contains(&needle))
            .filter(|&i| level.is_empty() || self.rows[i].level_key() == level)
            .collect();
        let pages = matching.len().div_ceil(RANKING_PAGE).max(1);
        let page = page.clamp(1, pages);
        let shown = matching.iter().skip((page - 1) * RANKING_PAGE).take(RANKING_PAGE).copied().collect();
        RankingPage { shown, matched: matching.len(), page, pages }
    }
}

/// A ranking's parts as its rows are read.
#[derive(Default)]
struct Built {
    criteria: Vec<String>,
    column: HashMap<String, usize>,
    rows: Vec<RankedRow>,
    scores: Vec<Option<Decimal>>,
    by_id: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

impl Built {
    /// The next row of the published document (the first names the criteria).
    fn push(&mut self, r: ResultRow, registry: &chiso_domain::unit::Registry, period: &PeriodRow) {
        if self.rows.is_empty() {
            self.criteria = r.scores.0.iter().map(|(id, _)| id.clone()).collect();
            self.column = self.criteria.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
            // Sized for the period's units: grown by doubling, a national ranking's points
            // took twice their 11 MB, and three times while they were moved.
            let units = registry.of_kind(&period.kind, period.year).count();
            self.rows.reserve(units);
            self.scores.reserve(units * self.criteria.len());
        }
        let i = self.rows.len();
        let mut line = vec![None; self.criteria.len()];
        for (id, v) in r.scores.0 {
            if let (Some(&c), Some(v)) = (self.column.get(&id), v) {
                line[c] = v.parse::<Decimal>().ok();
            }
        }
        self.scores.extend(line);
        let id = registry.resolve(&r.unit, &period.kind, period.year).ok().map(|(u, _)| u.id.clone());
        if let Some(id) = &id {
            self.by_id.entry(id.0.clone()).or_insert(i);
        }
        self.by_name.entry(r.unit.clone()).or_insert(i);
        self.rows.push(RankedRow {
            folded: chiso_domain::collate::fold(&r.unit),
            name: r.unit,
            id,
            status: r.status,
            total: r.total,
            level: r.level,
            rank: r.rank,
            previous_rank: r.previous_rank,
        });
    }
}

/// A published document (`ResultsDoc`) read into a [`Built`] a row at a time: a national
/// one parsed whole is tens of megabytes of small strings, held only to be copied. Its
/// fields are those `ResultsDoc` requires, others ignored, as its derive reads them.
struct DocSeed<'a> {
    built: &'a mut Built,
    registry: &'a chiso_domain::unit::Registry,
    period: &'a PeriodRow,
}

const DOC_FIELDS: &[&str] = &["period", "kind", "framework", "results"];

impl<'de> serde::de::DeserializeSeed<'de> for DocSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_struct("ResultsDoc", DOC_FIELDS, self)
    }
}

impl<'de> serde::de::Visitor<'de> for DocSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("struct ResultsDoc")
    }
    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut m: M) -> std::result::Result<(), M::Error> {
        use serde::de::Error as _;
        let mut seen = [false; 4];
        while let Some(key) = m.next_key::<String>()? {
            let Some(at) = DOC_FIELDS.iter().position(|f| *f == key) else {
                m.next_value::<serde::de::IgnoredAny>()?;
                continue;
            };
            if seen[at] {
                return Err(M::Error::duplicate_field(DOC_FIELDS[at]));
            }
            seen[at] = true;
            match at {
                0 => drop(m.next_value::<i32>()?),
                1 | 2 => drop(m.next_value::<String>()?),
                _ => m.next_value_seed(RowsSeed {
                    built: &mut *self.built,
                    registry: self.registry,
                    period: self.period,
                })?,
            }
        }
        if let Some(missing) = seen.iter().position(|s| !s) {
            return Err(M::Error::missing_field(DOC_FIELDS[missing]));
        }
        Ok(())
    }
}

/// The `results` array, a row at a time.
struct RowsSeed<'a> {
    built: &'a mut Built,
    registry: &'a chiso_domain::unit::Registry,
    period: &'a PeriodRow,
}

impl<'de> serde::de::DeserializeSeed<'de> for RowsSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RowsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sequence of results")
    }
    fn visit_seq<S: serde::de::SeqAccess<'de>>(self, mut seq: S) -> std::result::Result<(), S::Error> {
        while let Some(row) = seq.next_element::<ResultRow>()? {
            self.built.push(row, self.registry, self.period);
        }
        Ok(())
    }
}

type Kept = Vec<((i32, String), Arc<Ranking>)>;

type ScoredKept = Vec<((i32, String), i64, Arc<crate::Catalog>, Arc<crate::catalog::Scored>)>;

/// The read models kept per `App`: the rankings, most recently read last, and the periods
/// as scored now.
#[derive(Default)]
pub(crate) struct Rankings {
    kept: std::sync::Mutex<Kept>,
    /// One parse at a time: readers arriving during it wait for its result.
    parsing: tokio::sync::Mutex<()>,
    /// Periods scored, each with the database's change number it was scored at (any write
    /// moves it, through any server) and the catalogue it was scored with.
    scored: std::sync::Mutex<ScoredKept>,
    /// One scoring at a time.
    scoring: tokio::sync::Mutex<()>,
}

/// Periods kept scored (a period and the year before it: the review page and the preview).
const SCORED_KEPT: usize = 2;

impl Rankings {
    /// No period kept scored any longer (the next reader scores again).
    pub(crate) fn forget_scored(&self) {
        self.scored.lock().expect("not poisoned").clear();
    }

    fn get(&self, year: i32, kind: &str, version: i64, cat: &Arc<crate::Catalog>) -> Option<Arc<Ranking>> {
        let mut kept = self.kept.lock().expect("not poisoned");
        let i = kept
            .iter()
            .position(|((y, k), r)| *y == year && k == kind && r.version == version && Arc::ptr_eq(&r.catalog, cat))?;
        let entry = kept.remove(i);
        let found = entry.1.clone();
        kept.push(entry);
        Some(found)
    }

    fn put(&self, ranking: Arc<Ranking>) {
        let mut kept = self.kept.lock().expect("not poisoned");
        let key = (ranking.period.year, ranking.period.kind.clone());
        kept.retain(|(k, _)| *k != key);
        kept.push((key, ranking));
        if kept.len() > KEPT {
            kept.remove(0);
        }
    }
}

impl App {
    /// A period as scored now from its counted submissions, computed again only after a
    /// change to the database (a save, a review, an import, a catalogue change) or the
    /// catalogue: the review page, the preview and publishing read it. `None`: no such period.
    pub(crate) async fn scored_now(&self, year: i32, kind: &str) -> Result<Option<Arc<crate::catalog::Scored>>> {
        let seq = self.store.change_seq().await?;
        let cat = self.catalog().await?;
        let find = || {
            let kept = self.rankings.scored.lock().expect("not poisoned");
            kept.iter()
                .find(|((y, k), s, c, _)| *y == year && k == kind && *s == seq && Arc::ptr_eq(c, &cat))
                .map(|x| x.3.clone())
        };
        if let Some(x) = find() {
            return Ok(Some(x));
        }
        let _one = self.rankings.scoring.lock().await;
        if let Some(x) = find() {
            return Ok(Some(x));
        }
        if let Some(x) = self.scored_before_publications(year, kind, seq, &cat).await? {
            return Ok(Some(x));
        }
        let Some(scored) = crate::catalog::scored(&self.store, &cat, year, kind).await? else { return Ok(None) };
        let scored = Arc::new(scored);
        let mut kept = self.rankings.scored.lock().expect("not poisoned");
        kept.retain(|((y, k), _, _, _)| !(*y == year && k == kind));
        kept.push(((year, kind.to_string()), seq, cat, scored.clone()));
        if kept.len() > SCORED_KEPT {
            kept.remove(0);
        }
        Ok(Some(scored))
    }

    /// The period kept scored at an earlier change number when every change since is a
    /// publication (`results.publish`, one event each): a publication freezes results and
    /// marks a period published, it changes no figure, status of a submission or document
    /// scoring reads. The publication's own report files and outlooks then use the periods
    /// its preview scored, not scored again (a national period is a second and tens of
    /// megabytes). Kept from then on at `seq`. The period's row keeps the status it was
    /// scored with (nothing reads it from here).
    async fn scored_before_publications(
        &self,
        year: i32,
        kind: &str,
        seq: i64,
        cat: &Arc<crate::Catalog>,
    ) -> Result<Option<Arc<crate::catalog::Scored>>> {
        let earlier = {
            let kept = self.rankings.scored.lock().expect("not poisoned");
            kept.iter()
                .find(|((y, k), s, c, _)| *y == year && k == kind && *s < seq && Arc::ptr_eq(c, cat))
                .map(|x| x.1)
        };
        let Some(earlier) = earlier else { return Ok(None) };
        let changes = self.store.changes_between(earlier, seq).await?;
        // Every event since is listed (the audit's numbers have no gaps) and is a publication.
        let only_publications = i64::try_from(changes.len()).ok() == Some(seq - earlier)
            && changes.iter().all(|c| c.action == "results.publish");
        if !only_publications {
            return Ok(None);
        }
        let mut kept = self.rankings.scored.lock().expect("not poisoned");
        let Some(entry) =
            kept.iter_mut().find(|((y, k), s, c, _)| *y == year && k == kind && *s == earlier && Arc::ptr_eq(c, cat))
        else {
            return Ok(None);
        };
        entry.1 = seq;
        Ok(Some(entry.3.clone()))
    }

    /// The latest published version of a period, parsed (public); `NotFound` until published.
    pub async fn ranking(&self, year: i32, kind: &str) -> Result<Arc<Ranking>> {
        let version = self.published_version(year, kind).await?.ok_or_else(Error::not_found)?;
        let cat = self.catalog().await?;
        if let Some(r) = self.rankings.get(year, kind, version, &cat) {
            return Ok(r);
        }
        let _one = self.rankings.parsing.lock().await;
        if let Some(r) = self.rankings.get(year, kind, version, &cat) {
            return Ok(r);
        }
        let snap = self.store.latest_snapshot(year, kind).await?.ok_or_else(Error::not_found)?;
        let period = self.period(year, kind).await?;
        let ranking = tokio::task::spawn_blocking(move || Ranking::parse(period, snap, cat))
            .await
            .map_err(|_| Error::new(Kind::Internal, Message::Database))??;
        let ranking = Arc::new(ranking);
        self.rankings.put(ranking.clone());
        Ok(ranking)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_report::json::ResultsDoc;

    /// A published document read a row at a time gives the rows, scores and lookups the whole
    /// document gives; a document the contract refuses is refused.
    #[tokio::test]
    async fn a_published_document_read_a_row_at_a_time_is_the_whole_document() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            chiso_store::Store::open(&format!("sqlite://{}", dir.path().join("t.sqlite").display())).await.unwrap();
        crate::seed::bootstrap(&store, dir.path(), crate::seed::Start::Demo).await.unwrap();
        let cat = crate::Catalog::load(&store).await.unwrap();
        let json = crate::catalog::results_json(&store, &cat, 2020, "district").await.unwrap();
        let period = store.period(2020, "district").await.unwrap().unwrap();
        let ranking = Ranking::of_results(period.clone(), json.clone(), cat.clone()).unwrap();
        let doc = ResultsDoc::parse(&json).unwrap();
        assert_eq!(ranking.rows.len(), doc.results.len());
        assert_eq!(ranking.criteria, doc.results[0].scores.0.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>());
        for (i, (row, r)) in ranking.rows.iter().zip(&doc.results).enumerate() {
            assert_eq!((&row.name, row.status, &row.total, &row.level), (&r.unit, r.status, &r.total, &r.level));
            assert_eq!((row.rank, row.previous_rank), (r.rank, r.previous_rank));
            for c in &ranking.criteria {
                assert_eq!(ranking.score(i, c), r.scores.get(c).map(|v| v.parse::<Decimal>().unwrap()), "{c}");
            }
            assert_eq!(ranking.row_named(&r.unit), Some(i));
            assert!(row.id.as_ref().is_some_and(|id| ranking.row_of(&id.0) == Some(i)), "{}", r.unit);
        }
        // Unknown fields are ignored, as the contract's reader ignores them; a missing one,
        // a duplicate or a broken document is refused.
        let extra = json.replacen("{", "{\"note\": [1, {\"a\": null}],", 1);
        assert_eq!(Ranking::of_results(period.clone(), extra, cat.clone()).unwrap().rows, ranking.rows);
        for bad in [
            json.replacen("\"kind\"", "\"kinds\"", 1),
            json.replacen("{", "{\"period\": 2020,", 1),
            json[..json.len() / 2].to_string(),
            format!("{json} x"),
        ] {
            assert!(ResultsDoc::parse(&bad).is_err());
            assert!(Ranking::of_results(period.clone(), bad, cat.clone()).is_err());
        }
        store.close().await;
    }

    /// A publication changes no figure: the period scored before it is the period after it
    /// (not scored again for its report files); any other change scores it again.
    #[tokio::test]
    async fn a_period_scored_before_a_publication_is_kept_after_it_and_scored_again_after_other_changes() {
        use crate::Actor;
        let dir = tempfile::tempdir().unwrap();
        let store =
            chiso_store::Store::open(&format!("sqlite://{}", dir.path().join("t.sqlite").display())).await.unwrap();
        crate::seed::bootstrap(&store, dir.path(), crate::seed::Start::Demo).await.unwrap();
        let app = App::new(store.clone(), dir.path().into());
        let before = app.scored_now(2020, "department").await.unwrap().unwrap();
        let last_year = app.scored_now(2019, "department").await.unwrap().unwrap();
        // Two publications (the store's own, without the report files the App makes after
        // them, which score the year's other kind too).
        for year in [2020, 2019] {
            let cat = app.catalog().await.unwrap();
            let json = crate::catalog::results_json(&store, &cat, year, "department").await.unwrap();
            store.publish(year, "department", json, "Công bố lại", "admin").await.unwrap();
        }
        let after = app.scored_now(2020, "department").await.unwrap().unwrap();
        assert!(Arc::ptr_eq(&before, &after), "kept through the publications");
        assert!(Arc::ptr_eq(&last_year, &app.scored_now(2019, "department").await.unwrap().unwrap()));
        let fresh = crate::catalog::scored(&store, &app.catalog().await.unwrap(), 2020, "department").await.unwrap();
        assert_eq!(fresh.unwrap().results, after.results, "the same results as scored now");
        // Another change (an account): scored again, the same figures.
        let new = crate::NewUser {
            username: "xem.ket.qua".into(),
            password: "Xem-ket-qua-2024".into(),
            role: "viewer".into(),
            units: vec![],
        };
        app.add_user(&Actor::cli(), new).await.unwrap();
        let again = app.scored_now(2020, "department").await.unwrap().unwrap();
        assert!(!Arc::ptr_eq(&again, &after), "scored again after a change that is not a publication");
        assert_eq!(again.results, after.results);
        store.close().await;
    }
}

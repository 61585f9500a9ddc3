//! What a catalogue change would orphan: a stored period whose framework would be gone (or no
//! longer fit its kind and year), whose stored answers name criteria the framework would no
//! longer have, a unit with stored submissions or published results that the registry would
//! no longer hold for that year, or a period the engine could no longer read. Only what the
//! change itself would break is refused: damage already there does not block other changes.

use crate::{App, Catalog, Problem, Result};
use std::collections::{BTreeMap, BTreeSet, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Break {
    Framework { year: i32, kind: String, framework: String },
    Criterion { year: i32, kind: String, field: String },
    Unit { unit: String, year: i32, kind: String },
    Period { year: i32, kind: String },
}

impl Catalog {
    /// The catalogue as stored, with the document `name` replaced by `body` (or added).
    pub(crate) async fn with_document(store: &chiso_store::Store, name: &str, body: &str) -> Result<Catalog> {
        let mut frameworks = store.documents("framework/").await?;
        let mut units = store.document("units.toml").await?.unwrap_or_default();
        if name == "units.toml" {
            units = body.to_string();
        } else {
            frameworks.retain(|(n, _)| n != name);
            frameworks.push((name.to_string(), body.to_string()));
        }
        let registry = chiso_data::units_toml::parse("units.toml", &units)
            .map_err(|e| crate::catalog::broken(crate::Document::UnitRegistry, e))?;
        let mut parsed = Vec::new();
        for (name, body) in &frameworks {
            parsed.push(
                chiso_data::framework_toml::parse(name, body)
                    .map_err(|e| crate::catalog::broken(crate::Document::Framework, e))?,
            );
        }
        Ok(Catalog::new(registry, parsed))
    }
}

impl App {
    /// What `candidate` would break that `current` does not, as the problems of a refusal
    /// (names from `current`, where the units still are).
    pub(crate) async fn orphaned_by(&self, current: &Catalog, candidate: &Catalog) -> Result<Vec<Problem>> {
        let after = self.breaks(candidate).await?;
        // What is already broken is read only when the candidate breaks something (each check
        // reads every stored period: seconds at national size).
        if after.is_empty() {
            return Ok(Vec::new());
        }
        let before: BTreeSet<Break> = self.breaks(current).await?.into_iter().collect();
        let after: Vec<Break> = after.into_iter().filter(|b| !before.contains(b)).collect();
        let mut problems = Vec::new();
        let mut criteria: BTreeMap<(i32, String), Vec<String>> = BTreeMap::new();
        let mut units: BTreeMap<String, Vec<(i32, String)>> = BTreeMap::new();
        for b in after {
            match b {
                Break::Framework { year, kind, framework } => {
                    problems.push(Problem::PeriodFrameworkGone { year, kind, framework })
                }
                Break::Criterion { year, kind, field } => criteria.entry((year, kind)).or_default().push(field),
                Break::Unit { unit, year, kind } => units.entry(unit).or_default().push((year, kind)),
                Break::Period { year, kind } => problems.push(Problem::PeriodUnreadable { year, kind }),
            }
        }
        for ((year, kind), fields) in criteria {
            problems.push(Problem::PeriodCriteriaGone { year, kind, fields });
        }
        let mut gone: Vec<Problem> = units
            .into_iter()
            .map(|(unit, mut periods)| {
                periods.sort();
                Problem::UnitGone { name: current.unit_name(&unit), unit, periods }
            })
            .collect();
        gone.sort_by(|a, b| match (a, b) {
            (Problem::UnitGone { name: x, .. }, Problem::UnitGone { name: y, .. }) => {
                chiso_domain::collate::compare_vi(x, y)
            }
            _ => std::cmp::Ordering::Equal,
        });
        problems.extend(gone);
        Ok(problems)
    }

    async fn breaks(&self, cat: &Catalog) -> Result<Vec<Break>> {
        let mut out = Vec::new();
        for p in self.store.periods().await? {
            let (year, kind) = (p.year, p.kind.clone());
            let fw = cat
                .framework(&p.framework)
                .ok()
                .filter(|fw| fw.unit_kind == p.kind && fw.years.0 <= p.year && fw.years.1.is_none_or(|t| p.year <= t));
            let Some(fw) = fw else {
                out.push(Break::Framework { year, kind, framework: p.framework.clone() });
                continue;
            };
            let mut fine = true;
            for field in self.store.period_fields(year, &kind).await? {
                let known = fw.index_of(&field).is_some()
                    || field.rsplit_once('.').is_some_and(|(base, _)| fw.index_of(base).is_some());
                if !known {
                    fine = false;
                    out.push(Break::Criterion { year, kind: kind.clone(), field });
                }
            }
            let held: HashSet<&str> = cat.registry.of_kind(&kind, year).map(|u| u.id.0.as_str()).collect();
            let mut named: BTreeSet<String> =
                self.store.submissions(year, &kind).await?.into_iter().map(|s| s.unit).collect();
            named.extend(self.store.snapshot_units(year, &kind).await?);
            for unit in named.into_iter().filter(|u| !held.contains(u.as_str())) {
                fine = false;
                out.push(Break::Unit { unit, year, kind: kind.clone() });
            }
            // What the checks above cannot name (a published history the registry no longer
            // reads, figures the framework's rules refuse): the period as the engine reads it.
            if fine && crate::catalog::period(&self.store, cat, &p).await.is_err() {
                out.push(Break::Period { year, kind });
            }
        }
        Ok(out)
    }
}

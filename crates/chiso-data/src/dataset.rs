//! A dataset directory: `units.toml`, `frameworks/*.toml`, `periods/*.toml` and the
//! figures they name. Loading validates everything; the result is ready to score.

use crate::error::{DataError, ErrorKind, Location};
use crate::{framework_toml, import, period_toml, table, units_toml};
use chiso_domain::collate::compare_vi;
use chiso_domain::engine::{self, Results};
use chiso_domain::framework::Framework;
use chiso_domain::number::parse_decimal;
use chiso_domain::period::{Period, PeriodUnit, PublishedResult};
use chiso_domain::unit::Registry;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Dataset {
    pub dir: PathBuf,
    pub registry: Registry,
    pub frameworks: Vec<Framework>,
    pub periods: Vec<Period>,
    /// Where each period was declared, in the same order as `periods`.
    pub sources: Vec<(PathBuf, period_toml::PeriodFile)>,
}

fn io(path: &Path, e: std::io::Error) -> DataError {
    DataError::new(Location::file(path.display().to_string()), ErrorKind::Io(e.to_string()))
}

fn read_text(path: &Path) -> Result<String, DataError> {
    std::fs::read_to_string(path).map_err(|e| io(path, e))
}

fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, DataError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// `units.toml`, then every `units-*.toml` in name order (later reorganisations kept
/// apart from the registry the platform embeds), as (path, text).
fn unit_files(dir: &Path) -> Result<Vec<(String, String)>, Vec<DataError>> {
    let first = dir.join("units.toml");
    let mut paths = vec![first.clone()];
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut more: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name.starts_with("units-") && name.ends_with(".toml")
            })
            .collect();
        more.sort();
        paths.extend(more);
    }
    paths.into_iter().map(|p| Ok((p.display().to_string(), read_text(&p).map_err(|e| vec![e])?))).collect()
}

/// What a period's figures are kept as while loading: the submissions, or only the results.
#[derive(Clone, Copy, PartialEq)]
enum Keep {
    Submissions,
    Results,
}

impl Dataset {
    pub fn load(dir: &Path) -> Result<Dataset, Vec<DataError>> {
        Dataset::load_keeping(dir, Keep::Submissions).map(|(d, _)| d)
    }

    /// [`Dataset::load`] and every period scored as it is read, for commands that only
    /// print results (`chiso score`): the results in the order of `periods`, whose units keep
    /// no submission (`submission` is `None` for all of them, with or without data; a
    /// national period's answers are scored row by row and dropped, where the framework
    /// scores each unit on its own). The same errors as [`Dataset::load`], the same results
    /// as [`Dataset::results`].
    pub fn load_scored(dir: &Path) -> Result<(Dataset, Vec<Results>), Vec<DataError>> {
        Dataset::load_keeping(dir, Keep::Results)
    }

    fn load_keeping(dir: &Path, keep: Keep) -> Result<(Dataset, Vec<Results>), Vec<DataError>> {
        // The registry is read while the frameworks are (two cores at national size).
        std::thread::scope(|s| {
            let registry = chiso_cores::spawn(s, || unit_files(dir).and_then(|files| units_toml::parse_files(&files)));
            let frameworks = read_frameworks(dir);
            // And the first CSV figures each thread will import (the registry takes longer).
            let grids = std::sync::Mutex::new(first_grids(dir));
            let registry = registry.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Dataset::assemble_from(dir, registry, frameworks, keep, &grids)
        })
    }

    fn assemble_from(
        dir: &Path,
        registry: Result<Registry, Vec<DataError>>,
        (frameworks, framework_errors): (Vec<Framework>, Vec<DataError>),
        keep: Keep,
        grids: &Grids,
    ) -> Result<(Dataset, Vec<Results>), Vec<DataError>> {
        let mut errors = Vec::new();
        let registry = registry.map_err(|e| errors.extend(e)).ok();
        errors.extend(framework_errors);
        let Some(registry) = registry else { return Err(errors) };

        let mut periods: Vec<Period> = Vec::new();
        let mut results = Vec::new();
        let mut sources = Vec::new();
        match toml_files(&dir.join("periods")) {
            Ok(files) => {
                for (f, loaded) in files.iter().zip(load_periods(&files, &frameworks, &registry, keep, grids)) {
                    match loaded {
                        Ok((p, spec, r)) => {
                            results.extend(r);
                            sources.push((f.clone(), spec));
                            if periods.iter().any(|q| q.year == p.year && q.kind == p.kind) {
                                errors.push(DataError::new(
                                    Location::file(f.display().to_string()),
                                    ErrorKind::DuplicatePeriod { year: p.year, kind: p.kind.clone() },
                                ));
                            }
                            periods.push(p)
                        }
                        Err(e) => errors.extend(e),
                    }
                }
            }
            Err(e) => errors.push(e),
        }
        if errors.is_empty() {
            Ok((Dataset { dir: dir.to_path_buf(), registry, frameworks, periods, sources }, results))
        } else {
            Err(errors)
        }
    }

    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    pub fn period(&self, year: i32, kind: &str) -> Result<(&Framework, &Period), DataError> {
        let p = self.periods.iter().find(|p| p.year == year && p.kind == kind).ok_or_else(|| {
            DataError::new(
                Location::file(self.dir.display().to_string()),
                ErrorKind::NoSuchPeriod { year, kind: kind.to_string() },
            )
        })?;
        let fw = self.framework(&p.framework).expect("checked on load");
        Ok((fw, p))
    }

    /// The settings of the year's report (`reports/<year>.toml`), if the dataset has them.
    pub fn report_settings(&self, year: i32) -> Result<Option<chiso_domain::ReportSettings>, DataError> {
        let path = self.dir.join("reports").join(format!("{year}.toml"));
        if !path.exists() {
            return Ok(None);
        }
        let (declared, settings) = crate::report_toml::parse(&path.display().to_string(), &read_text(&path)?)?;
        if declared != year {
            return Err(DataError::new(
                Location::file(path.display().to_string()),
                ErrorKind::NoSuchPeriod { year, kind: format!("report {declared}") },
            ));
        }
        Ok(Some(settings))
    }

    /// The period file and its declaration.
    pub fn source(&self, year: i32, kind: &str) -> Option<&(PathBuf, period_toml::PeriodFile)> {
        self.sources.iter().find(|(_, s)| s.year == year && s.kind == kind)
    }

    pub fn results(&self, year: i32, kind: &str) -> Result<(&Framework, Results), DataError> {
        let (fw, p) = self.period(year, kind)?;
        Ok((fw, engine::score(fw, p)))
    }
}

/// Every framework of `frameworks/`, and the problems of those that are not valid.
fn read_frameworks(dir: &Path) -> (Vec<Framework>, Vec<DataError>) {
    let mut errors = Vec::new();
    let mut frameworks = Vec::new();
    let mut framework_files = Vec::new();
    match toml_files(&dir.join("frameworks")) {
        Ok(files) => {
            for f in files {
                let text = read_text(&f).map_err(|e| vec![e]);
                match text.clone().and_then(|t| framework_toml::parse(&f.display().to_string(), &t)) {
                    Ok(fw) => {
                        frameworks.push(fw);
                        framework_files.push((f.display().to_string(), text.unwrap_or_default()));
                    }
                    Err(e) => errors.extend(e),
                }
            }
        }
        Err(e) => errors.push(e),
    }
    errors.extend(check_versions(&frameworks, &framework_files));
    (frameworks, errors)
}

/// The periods of `files`, in their order, read on as many threads as there are cores.
type Loaded = Result<(Period, period_toml::PeriodFile, Option<Results>), Vec<DataError>>;

fn load_periods(
    files: &[PathBuf],
    frameworks: &[Framework],
    registry: &Registry,
    keep: Keep,
    grids: &Grids,
) -> Vec<Loaded> {
    let threads = threads_for(files.len());
    if threads == 1 {
        return files.iter().map(|f| load_period(f, frameworks, registry, keep, grids)).collect();
    }
    let chunk = files.len().div_ceil(threads);
    let load = move |part: &[PathBuf]| {
        part.iter().map(|f| load_period(f, frameworks, registry, keep, grids)).collect::<Vec<_>>()
    };
    std::thread::scope(|s| {
        // The first part on this thread: what it allocates, it can reuse once freed.
        let mut parts = files.chunks(chunk);
        let first = parts.next().unwrap_or_default();
        let handles: Vec<_> = parts.map(|part| chiso_cores::spawn(s, move || load(part))).collect();
        let mut out = load(first);
        for h in handles {
            out.extend(h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        out
    })
}

/// Each declared previous version exists and fits (located in the declaring file).
fn check_versions(frameworks: &[Framework], files: &[(String, String)]) -> Vec<DataError> {
    let mut errors = Vec::new();
    for (fw, (file, text)) in frameworks.iter().zip(files) {
        let Some(pv) = &fw.previous_version else { continue };
        let lines = framework_toml::version_lines(text);
        let at = |id: &str| {
            let mut l = Location::file(file);
            l.line = lines.get(id).or_else(|| lines.get("")).copied();
            l.value = Some(id.to_string()).filter(|v| !v.is_empty());
            l
        };
        match frameworks.iter().find(|p| p.id == pv.id) {
            None => errors.push(DataError::new(at(""), ErrorKind::UnknownFramework { id: pv.id.clone() })),
            Some(previous) => errors.extend(
                chiso_domain::versions::check(fw, previous)
                    .into_iter()
                    .map(|p| DataError::new(at(p.criterion()), ErrorKind::Version(p))),
            ),
        }
    }
    errors
}

/// Threads [`load_periods`] reads `files` periods on.
fn threads_for(files: usize) -> usize {
    std::thread::available_parallelism().map_or(1, usize::from).min(files).max(1)
}

/// CSV figures read ahead, by path: each taken once, by the period that names it.
type Grids = std::sync::Mutex<HashMap<PathBuf, Result<table::Grid, DataError>>>;

/// The CSV figures of the first period of each part [`load_periods`] gives a thread, read
/// while the registry is: the same grids, or the same error, as the period would read
/// itself, at the same point (a period that cannot be read is left to report it).
fn first_grids(dir: &Path) -> HashMap<PathBuf, Result<table::Grid, DataError>> {
    let Ok(files) = toml_files(&dir.join("periods")) else { return HashMap::new() };
    let chunk = files.len().div_ceil(threads_for(files.len())).max(1);
    files
        .iter()
        .step_by(chunk)
        .filter_map(|f| {
            let spec = period_toml::parse(&f.display().to_string(), &read_text(f).ok()?).ok()?;
            let data = f.parent().unwrap_or(Path::new(".")).join(spec.data?);
            (!table::is_spreadsheet(&data)).then(|| {
                let grid = table::read_csv_grid(&data);
                (data, grid)
            })
        })
        .collect()
}

fn load_period(path: &Path, frameworks: &[Framework], registry: &Registry, keep: Keep, grids: &Grids) -> Loaded {
    let file = path.display().to_string();
    let spec = period_toml::parse(&file, &read_text(path).map_err(|e| vec![e])?).map_err(|e| vec![e])?;
    let here = Location::file(&file);
    let Some(fw) = frameworks.iter().find(|f| f.id == spec.framework) else {
        return Err(vec![DataError::new(here, ErrorKind::UnknownFramework { id: spec.framework })]);
    };
    if fw.unit_kind != spec.kind {
        return Err(vec![DataError::new(
            here,
            ErrorKind::KindMismatch { framework_kind: fw.unit_kind.clone(), period_kind: spec.kind },
        )]);
    }
    let (from, to) = fw.years;
    if spec.year < from || to.is_some_and(|t| spec.year > t) {
        return Err(vec![DataError::new(here, ErrorKind::YearOutsideFramework { year: spec.year, from, to })]);
    }
    let base = path.parent().unwrap_or(Path::new("."));

    // Scored row by row where each unit is scored on its own; else kept, and scored whole.
    let scorer = if keep == Keep::Results { engine::UnitScorer::new(fw) } else { None };
    let scorer = scorer.as_ref();
    let imported = match &spec.data {
        // A CSV through one buffer (a national file is half a million cells).
        Some(data) if !table::is_spreadsheet(&base.join(data)) => {
            let path = base.join(data);
            let read = grids.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&path);
            let g = read.unwrap_or_else(|| table::read_csv_grid(&path)).map_err(|e| vec![e])?;
            import_as(&g, fw, registry, spec.year, scorer)?
        }
        Some(data) => {
            let t = table::read(&base.join(data), spec.sheet.as_deref()).map_err(|e| vec![e])?;
            import_as(&t, fw, registry, spec.year, scorer)?
        }
        None => Imported::Rows(Vec::new()),
    };
    let published = match &spec.published {
        None => None,
        Some(p) => Some(load_published(&base.join(p), &spec.kind, spec.year, registry)?),
    };
    let (period, results) = match imported {
        Imported::Rows(rows) => {
            let mut period = assemble(fw, registry, spec.year, rows, published);
            period.illustrative = spec.illustrative;
            let results = (keep == Keep::Results).then(|| {
                let r = engine::score(fw, &period);
                period.units.iter_mut().for_each(|u| u.submission = None);
                r
            });
            (period, results)
        }
        Imported::Scored(rows) => {
            let (mut period, scored) = assemble_map(fw, registry, spec.year, rows, published);
            period.illustrative = spec.illustrative;
            let results = engine::score_scored(fw, &period, scored.into_iter());
            (period, Some(results))
        }
    };
    Ok((period, spec, results))
}

/// The table's rows, scored as they are read when `scorer` is given.
fn import_as<T: table::Cells>(
    t: &T,
    fw: &Framework,
    registry: &Registry,
    year: i32,
    scorer: Option<&engine::UnitScorer>,
) -> Result<Imported, Vec<DataError>> {
    match scorer {
        Some(s) => import::import_map(t, fw, registry, year, import::Scored::new(s)).map(Imported::Scored),
        None => import::import(t, fw, registry, year).map(Imported::Rows),
    }
}

/// A period's rows as imported: with their submissions, or already scored.
enum Imported {
    Rows(Vec<import::ImportedRow>),
    Scored(Vec<import::ImportedRow<(Vec<engine::NodeScore>, rust_decimal::Decimal)>>),
}

/// A period from imported rows: every unit of the framework's kind alive that year, in
/// Vietnamese order; a unit without a row (or with an empty one) supplied no data.
pub fn assemble(
    fw: &Framework,
    registry: &Registry,
    year: i32,
    rows: Vec<import::ImportedRow>,
    published: Option<Vec<PublishedResult>>,
) -> Period {
    let (mut period, submissions) = assemble_map(fw, registry, year, rows, published);
    for (u, s) in period.units.iter_mut().zip(submissions) {
        u.submission = s;
    }
    period
}

/// [`assemble`] with the rows' `submission` (whatever the import kept of each) given
/// apart, in the order of the period's units, which hold none.
fn assemble_map<S>(
    fw: &Framework,
    registry: &Registry,
    year: i32,
    rows: Vec<import::ImportedRow<S>>,
    published: Option<Vec<PublishedResult>>,
) -> (Period, Vec<Option<S>>) {
    let mut rows: HashMap<_, import::ImportedRow<S>> = rows.into_iter().map(|r| (r.unit.clone(), r)).collect();
    let mut units: Vec<(PeriodUnit, Option<S>)> = registry
        .of_kind(&fw.unit_kind, year)
        .map(|u| {
            let row = rows.remove(&u.id);
            let unit = PeriodUnit {
                unit: u.id.clone(),
                name: u.name.clone(),
                group: row.as_ref().and_then(|r| r.group.clone()),
                submission: None,
            };
            (unit, row.and_then(|r| r.submission))
        })
        .collect();
    units.sort_by(|a, b| compare_vi(&a.0.name, &b.0.name));
    let (units, kept) = units.into_iter().unzip();
    (Period { year, kind: fw.unit_kind.clone(), framework: fw.id.clone(), units, published, illustrative: false }, kept)
}

fn load_published(
    path: &Path,
    kind: &str,
    year: i32,
    registry: &Registry,
) -> Result<Vec<PublishedResult>, Vec<DataError>> {
    published(&table::read(path, None).map_err(|e| vec![e])?, kind, year, registry)
}

/// Ranks and levels as printed (a table: unit, rank, level, total).
pub fn published(
    t: &table::Table,
    kind: &str,
    year: i32,
    registry: &Registry,
) -> Result<Vec<PublishedResult>, Vec<DataError>> {
    let header: Vec<String> =
        t.rows.first().cloned().unwrap_or_default().iter().map(|h| h.trim().to_lowercase()).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let Some(unit_col) = col("unit") else {
        return Err(vec![DataError::new(t.at(0, 0), ErrorKind::NoUnitColumn)]);
    };
    let (rank_col, level_col, total_col) = (col("rank"), col("level"), col("total"));
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for r in 1..t.rows.len() {
        let name = t.cell(r, unit_col).trim();
        if name.is_empty() {
            continue;
        }
        let unit = match registry.resolve(name, kind, year) {
            Ok((u, _)) => u.id.clone(),
            Err(e) => {
                errors.push(DataError::new(
                    t.at(r, unit_col),
                    ErrorKind::UnknownUnit { name: e.name, suggestions: e.suggestions },
                ));
                continue;
            }
        };
        let number = |c: Option<usize>, errors: &mut Vec<DataError>| {
            let c = c?;
            let text = t.cell(r, c).trim();
            if text.is_empty() {
                return None;
            }
            let v = parse_decimal(text);
            if v.is_none() {
                errors.push(DataError::new(t.at(r, c), ErrorKind::NotANumber));
            }
            v
        };
        let rank = number(rank_col, &mut errors).and_then(|d| rust_decimal::prelude::ToPrimitive::to_u32(&d));
        let total = number(total_col, &mut errors);
        let level = level_col.map(|c| t.cell(r, c).trim().to_string()).filter(|l| !l.is_empty());
        out.push(PublishedResult { unit, rank, level, total });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

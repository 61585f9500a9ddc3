//! First start: an administrator is created and, unless the platform starts empty, the
//! Cao Bằng frameworks, units and 2019–2020 figures (embedded in the binary, so
//! `chiso serve` works from any directory) become the platform's data, their results
//! published as version 1.

use crate::catalog::{self, Catalog};
use crate::passwords::hash_password;
use chiso_data::Dataset;
use chiso_store::{PeriodRow, Role, Store};
use std::path::Path;

macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../../data/cao-bang/", $path)))),*]
    };
}

const FILES: &[(&str, &str)] = embed!(
    "units.toml",
    "frameworks/department.toml",
    "frameworks/district.toml",
    "periods/2019-department.toml",
    "periods/2019-department.csv",
    "periods/2020-department.toml",
    "periods/2020-department.csv",
    "periods/2019-district.toml",
    "periods/2019-district.csv",
    "periods/2019-district-published.csv",
    "periods/2020-district.toml",
    "periods/2020-district.csv",
    "reports/2020.toml",
);

const ACTOR: &str = "hệ thống";

/// What a first start puts in an empty database besides the administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// The Cao Bằng 2019–2020 demonstration: catalogue, figures and published results.
    Demo,
    /// Nothing: the province uploads its own catalogue and opens its own periods.
    Empty,
}

/// Seeds an empty database. Returns the administrator's one-time password when it created one.
pub async fn bootstrap(store: &Store, data_dir: &Path, start: Start) -> Result<Option<String>, String> {
    if store.user_count().await.map_err(|e| e.to_string())? > 0 {
        return Ok(None);
    }
    if start == Start::Demo {
        let dir = data_dir.join("seed").join("cao-bang");
        for (name, body) in FILES {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().expect("has a parent")).map_err(|e| e.to_string())?;
            std::fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let data = Dataset::load(&dir).map_err(|e| format!("{e:?}"))?;
        import_dataset(store, &data).await?;
    }

    let password = crate::passwords::one_time_password("admin");
    store
        .create_user("admin", &hash_password(&password), Role::Admin, &[], ACTOR, true)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Some(password))
}

/// Stores a dataset's documents, periods and figures, then publishes every period.
pub async fn import_dataset(store: &Store, data: &Dataset) -> Result<(), String> {
    let err = |e: chiso_store::StoreError| e.to_string();
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let reason = "Dữ liệu ban đầu";
    store.put_document("units.toml", &read(&data.dir.join("units.toml"))?, ACTOR, reason).await.map_err(err)?;
    for entry in std::fs::read_dir(data.dir.join("frameworks")).map_err(|e| e.to_string())?.flatten() {
        let text = read(&entry.path())?;
        let fw = chiso_data::framework_toml::parse(&entry.path().display().to_string(), &text)
            .map_err(|e| format!("{e:?}"))?;
        store.put_document(&format!("framework/{}", fw.id), &text, ACTOR, reason).await.map_err(err)?;
    }
    for entry in std::fs::read_dir(data.dir.join("reports")).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().replace(".toml", "");
        store.put_document(&format!("report/{name}"), &read(&entry.path())?, ACTOR, reason).await.map_err(err)?;
    }
    let mut sources = data.sources.clone();
    sources.sort_by_key(|(_, s)| s.year);
    for (path, spec) in &sources {
        let base = path.parent().expect("in periods/");
        let row = PeriodRow {
            year: spec.year,
            kind: spec.kind.clone(),
            framework: spec.framework.clone(),
            deadline: None,
            status: chiso_domain::PeriodStatus::Closed,
        };
        store.create_period(&row, ACTOR).await.map_err(err)?;
        if let Some(p) = &spec.published {
            store
                .put_document(&format!("published/{}/{}", spec.year, spec.kind), &read(&base.join(p))?, ACTOR, reason)
                .await
                .map_err(err)?;
        }
        let Some(file) = &spec.data else { continue };
        let t = chiso_data::table::read(&base.join(file), spec.sheet.as_deref()).map_err(|e| e.to_string())?;
        let header = t.rows.first().cloned().unwrap_or_default();
        let fw = data.framework(&spec.framework).ok_or("framework")?;
        for row in &t.rows[1..] {
            let (unit, _) = data.registry.resolve(&row[0], &fw.unit_kind, spec.year).map_err(|e| e.to_string())?;
            let answers: Vec<chiso_store::NewAnswer> = header[1..]
                .iter()
                .zip(&row[1..])
                .filter(|(h, _)| h.as_str() != "group")
                .map(|(h, v)| chiso_store::NewAnswer::new(h.as_str(), v.as_str(), ""))
                .collect();
            let source = spec.source.as_deref().unwrap_or("Nhập từ tệp số liệu");
            store
                .save_answers(
                    &chiso_domain::SubmissionKey::new(spec.year, &spec.kind, &unit.id.0),
                    &answers,
                    Some(chiso_domain::SubmissionStatus::Verified),
                    ACTOR,
                    source,
                )
                .await
                .map_err(err)?;
        }
    }
    let cat = Catalog::load(store).await.map_err(|e| e.render(chiso_domain::Lang::Vi))?;
    for (_, spec) in &sources {
        let json = catalog::results_json(store, &cat, spec.year, &spec.kind)
            .await
            .map_err(|e| e.render(chiso_domain::Lang::Vi))?;
        store
            .publish(spec.year, &spec.kind, json, "Kết quả tính từ số liệu của báo cáo năm 2020", ACTOR)
            .await
            .map_err(err)?;
    }
    Ok(())
}

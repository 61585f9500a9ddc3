//! A period's figures from a file into the platform (`chiso import --db`): a filled
//! template goes through the administrator's workbook import as it is; a table (CSV or
//! XLSX, one row per unit, one column per field, as `chiso import` reads for a dataset) is
//! validated by the table import (the validator the template's import runs too), located in
//! its own rows and columns, and its units' fields saved as the workbook import saves them:
//! one transaction for every unit, the same record (and, with a reason, submitted on the
//! units' behalf). The values are kept as typed in the table.

use crate::{Actor, App, Error, Problem, Result, Workbook};
use chiso_data::{export, import, table, template};
use chiso_domain::UnitId;
use std::collections::HashMap;

/// A file of figures as read from disk: its name (for messages), bytes and, for an XLSX
/// table, the sheet (default: the first).
#[derive(Debug, Clone)]
pub struct FiguresFile {
    pub filename: String,
    pub bytes: Vec<u8>,
    pub sheet: Option<String>,
}

impl FiguresFile {
    fn is_xlsx(&self) -> bool {
        self.filename
            .rsplit('.')
            .next()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
    }
}

/// More parts than any table may have: an all-units template (a part per unit sheet), which
/// the workbook import reads within the template's own limits (any other workbook is refused
/// there, each sheet without its stamp named).
fn too_many_parts(bytes: &[u8]) -> bool {
    use chiso_data::error::{ErrorKind, TooLarge};
    matches!(chiso_data::xlsx::check_archive(bytes), Err(ErrorKind::TooLarge(TooLarge::Parts { .. })))
}

fn refused(errors: Vec<chiso_data::DataError>) -> Error {
    Error::not_saved(errors.into_iter().map(Problem::Data).collect())
}

impl App {
    /// The administrator imports a period's figures from a table or a filled template, all
    /// units or none; `on_behalf`: the reason for submitting them on the units' behalf.
    /// Returns the number of units imported.
    pub async fn import_period_figures(
        &self,
        actor: &Actor,
        year: i32,
        kind: &str,
        file: FiguresFile,
        on_behalf: Option<&str>,
    ) -> Result<usize> {
        actor.require(&[chiso_store::Role::Admin])?;
        let filename = file.filename.clone();
        if file.is_xlsx() && (template::is_template(&file.bytes) || too_many_parts(&file.bytes)) {
            let book = Workbook { filename, bytes: file.bytes };
            return self.import_period_workbook(actor, year, kind, book, on_behalf).await;
        }
        let submit = crate::workbook::on_behalf_reason(on_behalf)?;
        let p = self.period_taking_work(year, kind).await?;
        let cat = self.catalog().await?;
        let fw = cat.framework(&p.framework)?;
        let t = if file.is_xlsx() {
            table::parse_xlsx(&filename, &file.bytes, file.sheet.as_deref())
        } else {
            table::parse_csv(&filename, &file.bytes)
        }
        .map_err(|e| refused(vec![e]))?;
        drop(file);
        let t = export::strip_results(t);
        let rows = import::import(&t, fw, &cat.registry, year).map_err(refused)?;
        let mut cells = table_cells(fw, &t, &rows);
        drop(t);
        if cells.is_empty() {
            return Err(Error::not_saved(vec![Problem::EmptyWorkbook]));
        }
        // Each unit's fields in the template's order, as the workbook import gives them
        // (a field left empty as empty text), units by id: the same answers and the same
        // record as the period's template filled with the table would make, without
        // writing and reading that template.
        let fields = template::fields(fw);
        let mut units: Vec<(UnitId, Vec<(String, String)>)> = cells
            .drain()
            .map(|(unit, mut typed)| {
                let typed =
                    fields.iter().map(|f| (f.name.clone(), typed.remove(&f.name).unwrap_or_default())).collect();
                (unit, typed)
            })
            .collect();
        units.sort_by(|a, b| a.0.0.cmp(&b.0.0));
        self.save_period_units(actor, &cat, &p, units, &filename, submit.as_deref()).await
    }
}

/// Each unit with figures: its fields (`infra`, `online.numerator`) and their text as typed,
/// from the columns the table import recognised (by id, name, short name or alias).
fn table_cells(
    fw: &chiso_domain::framework::Framework,
    t: &table::Table,
    rows: &[import::ImportedRow],
) -> HashMap<UnitId, HashMap<String, String>> {
    let fields = template::fields(fw);
    let header = &t.rows[0];
    let columns: Vec<(usize, &str)> = header
        .iter()
        .enumerate()
        .filter_map(|(col, h)| {
            let h = h.trim();
            let (name, part) = match [
                (".numerator", "numerator"),
                (".denominator", "denominator"),
                (".tử số", "numerator"),
                (".mẫu số", "denominator"),
            ]
            .iter()
            .find_map(|(suffix, part)| h.strip_suffix(suffix).map(|n| (n, Some(*part))))
            {
                Some(found) => found,
                None => (h, None),
            };
            let index = fw.find(name)?;
            fields.iter().find(|f| f.criterion == index && f.part == part).map(|f| (col, f.name.as_str()))
        })
        .collect();
    let mut out = HashMap::new();
    for r in rows.iter().filter(|r| r.submission.is_some()) {
        let Some(row) = r.row.checked_sub(1).and_then(|i| t.rows.get(i)) else { continue };
        let cells: HashMap<String, String> = columns
            .iter()
            .filter_map(|(col, field)| row.get(*col).map(|v| (field.to_string(), v.trim().to_string())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        out.insert(r.unit.clone(), cells);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OpenPeriod;

    fn csv(text: &str) -> FiguresFile {
        FiguresFile { filename: "so-lieu.csv".into(), bytes: text.as_bytes().to_vec(), sheet: None }
    }

    #[tokio::test]
    async fn a_table_goes_in_through_the_administrators_import_or_nothing_does() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            chiso_store::Store::open(&format!("sqlite://{}", dir.path().join("t.sqlite").display())).await.unwrap();
        crate::seed::bootstrap(&store, dir.path(), crate::seed::Start::Demo).await.unwrap();
        let app = App::new(store.clone(), dir.path().into());
        let open = OpenPeriod {
            year: "2021".into(),
            framework: "cao-bang-1513-department".into(),
            deadline: String::new(),
            history: true,
        };
        app.open_period(&Actor::cli(), open).await.unwrap();
        let cli = Actor::cli();

        // Columns by the criteria's names, a unit by its name, a result column ignored; one
        // value over its maximum: refused whole, located in the file.
        let bad = "Đơn vị,Hạ tầng kỹ thuật CNTT,app,web,online_services,staff,policy,[Tổng điểm]\n\
                   Sở Y tế,9,14,18,3.2,5,4,99\nSở Tư pháp,6,13,17,2,4,3,1\n";
        let e = app.import_period_figures(&cli, 2021, "department", csv(bad), None).await.unwrap_err();
        let problems = e.problems(chiso_domain::Lang::Vi).join("\n");
        assert!(problems.contains("so-lieu.csv") && problems.contains('9'), "{problems}");
        assert!(store.submissions(2021, "department").await.unwrap().is_empty(), "nothing written");

        let good = bad.replace("Sở Y tế,9,", "Sở Y tế,7.5,");
        let n = app.import_period_figures(&cli, 2021, "department", csv(&good), None).await.unwrap();
        assert_eq!(n, 2);
        let answers = store.answers(2021, "department", "so-y-te").await.unwrap();
        let infra = answers.iter().find(|a| a.field == "infra").unwrap();
        assert_eq!(infra.value, "7.5");
        assert_eq!(answers.len(), 6, "the result column is not a field");
        let subs = store.submissions(2021, "department").await.unwrap();
        assert!(subs.iter().all(|s| s.status == chiso_domain::SubmissionStatus::Draft), "{subs:?}");

        // Submitted on the units' behalf: a reason is needed.
        let e = app.import_period_figures(&cli, 2021, "department", csv(&good), Some(" ")).await.unwrap_err();
        assert_eq!(e.code, "reason_required");
        app.import_period_figures(&cli, 2021, "department", csv(&good), Some("Theo văn bản số 12")).await.unwrap();
        let subs = store.submissions(2021, "department").await.unwrap();
        assert!(subs.iter().all(|s| s.status == chiso_domain::SubmissionStatus::Submitted), "{subs:?}");
        // Only the administrator.
        let reporter =
            Actor { username: "yte".into(), role: chiso_store::Role::Reporter, units: vec!["so-y-te".into()] };
        let e = app.import_period_figures(&reporter, 2021, "department", csv(&good), None).await.unwrap_err();
        assert_eq!(e.kind, crate::Kind::Forbidden);
        store.close().await;
    }
}

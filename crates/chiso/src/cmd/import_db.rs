//! `chiso import --db URL`: a period's figures into the platform's database instead of the
//! dataset's files, through the administrator's import (`chiso_app`): the same checks as the
//! workbook upload, every unit in one transaction (a refused file changes nothing), on the
//! record as the command line's administrator; with `--submit --reason`, submitted on the
//! units' behalf. The catalogue (frameworks, units) is the platform's own.

use super::serve::runtime;
use crate::Outcome;
use chiso_app::{Actor, FiguresFile};
use chiso_data::Lang;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the figures go when they go to the platform.
#[derive(clap::Args)]
pub struct Platform {
    /// The platform's database (`sqlite://file` or `postgres://user@host/db`, as `chiso serve
    /// --db`): the figures are imported into its period (the dataset's files stay as they are).
    #[arg(long = "db", conflicts_with = "check")]
    pub db: Option<String>,
    /// The platform's data directory (its signing key), as `chiso serve --data-dir`.
    #[arg(long, env = "CHISO_DATA_DIR", default_value = "chiso-data")]
    pub data_dir: PathBuf,
    /// Submit the imported figures on the units' behalf (only with --db; needs --reason).
    #[arg(long, requires = "db", requires = "reason")]
    pub submit: bool,
    /// Why the administrator submits for the units (kept in the audit trail).
    #[arg(long, requires = "submit")]
    pub reason: Option<String>,
}

/// Imports `file` into the period `year`/`kind` of the platform at `db`.
pub fn run(p: &Platform, db: &str, year: i32, kind: &str, file: &Path, sheet: Option<&str>, lang: Lang) -> Outcome {
    let bytes = std::fs::read(file).map_err(|e| vec![format!("{}: {e}", file.display())])?;
    let figures = FiguresFile { filename: file.display().to_string(), bytes, sheet: sheet.map(str::to_string) };
    runtime().block_on(async {
        let store = super::verify::open_signed(db, &p.data_dir, false, lang).await?;
        let app = chiso_app::App::new(store, p.data_dir.clone());
        let on_behalf = p.submit.then(|| p.reason.as_deref().unwrap_or(""));
        let n = app.import_period_figures(&Actor::cli(), year, kind, figures, on_behalf).await.map_err(|e| {
            let problems = e.problems(lang);
            if problems.is_empty() { vec![e.render(lang)] } else { problems }
        })?;
        match (lang, p.submit) {
            (Lang::Vi, false) => {
                println!("Đã nhập số liệu của {n} đơn vị vào kỳ {year} ({kind}) trên nền tảng, ở dạng nháp.")
            }
            (Lang::Vi, true) => {
                println!("Đã nhập số liệu của {n} đơn vị vào kỳ {year} ({kind}) trên nền tảng và nộp thay các đơn vị.")
            }
            (Lang::En, false) => {
                println!("Imported {n} units' figures into the platform's {year} period ({kind}), as drafts.")
            }
            (Lang::En, true) => {
                println!(
                    "Imported {n} units' figures into the platform's {year} period ({kind}), submitted on their behalf."
                )
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

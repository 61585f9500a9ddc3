//! `chiso export`: a period's figures, scores and results as XLSX or CSV, in the layout
//! `chiso import` reads back.

use crate::text::text;
use crate::{Outcome, errors, load};
use chiso_data::{DataError, ErrorKind, Lang, Location, export};
use chiso_domain::engine;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Dataset directory.
    #[arg(long, default_value = "data/cao-bang")]
    data: PathBuf,
    #[arg(long)]
    period: i32,
    #[arg(long)]
    kind: String,
    /// FILE.xlsx or FILE.csv.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: Args, lang: Lang) -> Outcome {
    let data = load(&a.data, lang)?;
    let (fw, period) = data.period(a.period, &a.kind).map_err(|e| errors(lang, vec![e]))?;
    let results = engine::score(fw, period);
    // Streamed into the file as its rows are made; a file that failed half-way is removed.
    let rows = export::table_rows(fw, period, &results);
    let xlsx = a.out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let io =
        |e: String| errors(lang, vec![DataError::new(Location::file(a.out.display().to_string()), ErrorKind::Io(e))]);
    let file = std::io::BufWriter::new(std::fs::File::create(&a.out).map_err(|e| io(e.to_string()))?);
    let written = if xlsx {
        let title = format!("{} {} {}", fw.name, a.kind, a.period);
        export::xlsx_to(file, rows, &title).map_err(|e| e.to_string())
    } else {
        export::csv_to(file, rows).map_err(|e| e.to_string())
    }
    .and_then(|w| w.into_inner().map_err(|e| e.into_error().to_string()))
    .and_then(|f| f.sync_all().map_err(|e| e.to_string()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&a.out);
        return Err(io(e));
    }
    println!("{} {}", text(lang).wrote, a.out.display());
    Ok(ExitCode::SUCCESS)
}

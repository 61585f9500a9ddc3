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
    let rows = export::table(fw, period, &results);
    let xlsx = a.out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let bytes = if xlsx {
        export::xlsx(&rows, &format!("{} {} {}", fw.name, a.kind, a.period)).map_err(|e| vec![e.to_string()])?
    } else {
        export::csv(&rows)
    };
    std::fs::write(&a.out, bytes).map_err(|e| {
        errors(lang, vec![DataError::new(Location::file(a.out.display().to_string()), ErrorKind::Io(e.to_string()))])
    })?;
    println!("{} {}", text(lang).wrote, a.out.display());
    Ok(ExitCode::SUCCESS)
}

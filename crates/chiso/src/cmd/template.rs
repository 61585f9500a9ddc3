//! `chiso template`: the data-entry workbook for a unit, or for every unit of a kind.

use crate::text::text;
use crate::{Outcome, errors, load};
use chiso_data::{DataError, ErrorKind, Lang, Location, template};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Dataset directory.
    #[arg(long, default_value = "data/cao-bang")]
    data: PathBuf,
    #[arg(long)]
    period: i32,
    /// One unit (name, alias or id): one sheet.
    #[arg(long, required_unless_present = "kind")]
    unit: Option<String>,
    /// Every unit of this kind assessed in the period: one sheet each.
    #[arg(long)]
    kind: Option<String>,
    /// The workbook to write (.xlsx).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: Args, lang: Lang) -> Outcome {
    let data = load(&a.data, lang)?;
    let here = || Location::file(a.data.display().to_string());
    let kinds: Vec<String> = match &a.kind {
        Some(k) => vec![k.clone()],
        None => data.periods.iter().filter(|p| p.year == a.period).map(|p| p.kind.clone()).collect(),
    };
    // The period whose kind the unit belongs to (or the one named by --kind).
    let mut found = None;
    let mut last_err = None;
    for kind in &kinds {
        let (fw, period) = data.period(a.period, kind).map_err(|e| errors(lang, vec![e]))?;
        let units: Vec<_> = match &a.unit {
            None => period.units.iter().filter_map(|u| data.registry.get(&u.unit)).collect(),
            Some(name) => match data.registry.resolve(name, kind, a.period) {
                Ok((u, _)) => vec![u],
                Err(e) => {
                    last_err = Some(ErrorKind::UnknownUnit { name: e.name, suggestions: e.suggestions });
                    continue;
                }
            },
        };
        found = Some((fw, units));
        break;
    }
    let Some((fw, units)) = found else {
        let kind = last_err.unwrap_or(ErrorKind::NoSuchPeriod { year: a.period, kind: a.kind.unwrap_or_default() });
        return Err(errors(lang, vec![DataError::new(here(), kind)]));
    };
    // Streamed into the file, a sheet at a time (a national template has thousands).
    let io =
        |e: String| errors(lang, vec![DataError::new(Location::file(a.out.display().to_string()), ErrorKind::Io(e))]);
    let file = std::fs::File::create(&a.out).map_err(|e| io(e.to_string()))?;
    let written = template::write_filled_to(std::io::BufWriter::new(file), fw, a.period, &units, &|_, _| None)
        .and_then(|w| w.into_inner().map_err(|e| chiso_data::xlsx_write::Error::Io(e.into_error())))
        .and_then(|f| f.sync_all().map_err(chiso_data::xlsx_write::Error::Io));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&a.out);
        return Err(io(e.to_string()));
    }
    println!("{} {}", text(lang).wrote, a.out.display());
    Ok(ExitCode::SUCCESS)
}

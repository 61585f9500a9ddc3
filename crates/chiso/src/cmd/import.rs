use crate::text::text;
use crate::{Outcome, errors, load};
use chiso_data::{DataError, ErrorKind, Lang, Location, import, period_toml, table};
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
    /// Sheet of an XLSX file (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    /// Only check the file; write nothing.
    #[arg(long)]
    check: bool,
    /// The figures: CSV or XLSX, one row per unit, one column per criterion.
    file: PathBuf,
}

/// Validates the whole file first; only a valid file replaces the period's data,
/// written to a temporary file and renamed, so a failure changes nothing.
pub fn run(a: Args, lang: Lang) -> Outcome {
    let data = load(&a.data, lang)?;
    let (fw, _) = data.period(a.period, &a.kind).map_err(|e| errors(lang, vec![e]))?;
    let t = table::read(&a.file, a.sheet.as_deref()).map_err(|e| errors(lang, vec![e]))?;
    let rows = import::import(&t, fw, &data.registry, a.period).map_err(|e| errors(lang, e))?;
    let with_data = rows.iter().filter(|r| r.submission.is_some()).count();
    println!("{}: {} ({} / {})", text(lang).imported, a.file.display(), with_data, rows.len());
    if a.check {
        return Ok(ExitCode::SUCCESS);
    }
    let period_file = find_period_file(&a.data, a.period, &a.kind).map_err(|e| errors(lang, vec![e]))?;
    let spec_text = std::fs::read_to_string(&period_file).map_err(|e| io(&period_file, e, lang))?;
    let spec = period_toml::parse(&period_file.display().to_string(), &spec_text).map_err(|e| errors(lang, vec![e]))?;
    let target = period_file.with_file_name(spec.data.unwrap_or_else(|| format!("{}-{}.csv", a.period, a.kind)));
    if spec.sheet.is_some() || !target.extension().is_some_and(|e| e == "csv") {
        return Err(vec![format!("{}: import writes CSV; point `data` at a .csv file", period_file.display())]);
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in &t.rows {
        out.write_record(row).expect("in memory");
    }
    let bytes = out.into_inner().expect("in memory");
    let tmp = target.with_extension("csv.tmp");
    std::fs::write(&tmp, &bytes).and_then(|_| std::fs::rename(&tmp, &target)).map_err(|e| io(&target, e, lang))?;
    println!("{} {}", text(lang).wrote, target.display());
    Ok(ExitCode::SUCCESS)
}

fn io(path: &std::path::Path, e: std::io::Error, lang: Lang) -> Vec<String> {
    errors(lang, vec![DataError::new(Location::file(path.display().to_string()), ErrorKind::Io(e.to_string()))])
}

fn find_period_file(dir: &std::path::Path, year: i32, kind: &str) -> Result<PathBuf, DataError> {
    let periods = dir.join("periods");
    let entries = std::fs::read_dir(&periods)
        .map_err(|e| DataError::new(Location::file(periods.display().to_string()), ErrorKind::Io(e.to_string())))?;
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "toml") {
            if let Ok(text) = std::fs::read_to_string(&p) {
                if let Ok(spec) = period_toml::parse("", &text) {
                    if spec.year == year && spec.kind == kind {
                        return Ok(p);
                    }
                }
            }
        }
    }
    Err(DataError::new(Location::file(dir.display().to_string()), ErrorKind::NoSuchPeriod { year, kind: kind.into() }))
}

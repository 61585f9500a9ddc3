use crate::text::text;
use crate::{Outcome, errors, load};
use chiso_data::{DataError, ErrorKind, Lang, Location, export, import, table, template};
use chiso_domain::framework::Framework;
use chiso_domain::period::Period;
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
    /// Into the platform's database instead of the dataset's files (`--db`).
    #[command(flatten)]
    platform: super::import_db::Platform,
    /// The figures: CSV or XLSX, one row per unit, one column per criterion (result
    /// columns of `chiso export`, headed `[…]`, are ignored); or a filled template
    /// workbook (`chiso template`), whose units replace theirs in the period's figures.
    file: PathBuf,
}

/// Validates the whole file first; only a valid file replaces the period's data,
/// written to a temporary file and renamed, so a failure changes nothing.
pub fn run(a: Args, lang: Lang) -> Outcome {
    if let Some(db) = &a.platform.db {
        return super::import_db::run(&a.platform, db, a.period, &a.kind, &a.file, a.sheet.as_deref(), lang);
    }
    let say = |vi: &'static str, en: &'static str| if lang == Lang::Vi { vi } else { en };
    let progress = crate::progress::Progress::new(say("Nhập: đọc bộ dữ liệu", "Import: reading the dataset"));
    let data = load(&a.data, lang)?;
    let (fw, period) = data.period(a.period, &a.kind).map_err(|e| errors(lang, vec![e]))?;
    progress.step(say("Nhập: đọc và kiểm tra tệp", "Import: reading and checking the file"), 0);
    let xlsx = a.file.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let bytes = if xlsx { std::fs::read(&a.file).map_err(|e| io(&a.file, e, lang))? } else { Vec::new() };
    let t = if xlsx && template::is_template(&bytes) {
        let file = a.file.display().to_string();
        let filled = template::read(&file, &bytes, fw, &data.registry, a.period, None).map_err(|e| errors(lang, e))?;
        merge(fw, period, &filled.table, file)
    } else {
        export::strip_results(table::read(&a.file, a.sheet.as_deref()).map_err(|e| errors(lang, vec![e]))?)
    };
    // The rows read, then checked (one call: the whole file is validated at once).
    let read = t.rows.len().saturating_sub(1) as u64;
    progress.step(&format!("{} ({read})", say("Nhập: kiểm tra các dòng", "Import: checking the rows")), read);
    let rows = import::import(&t, fw, &data.registry, a.period).map_err(|e| errors(lang, e))?;
    progress.set(read, read);
    drop(progress);
    let with_data = rows.iter().filter(|r| r.submission.is_some()).count();
    println!("{}: {} ({} / {})", text(lang).imported, a.file.display(), with_data, rows.len());
    if a.check {
        return Ok(ExitCode::SUCCESS);
    }
    let (period_file, spec) = data.source(a.period, &a.kind).expect("the period was found above");
    let target =
        period_file.with_file_name(spec.data.clone().unwrap_or_else(|| format!("{}-{}.csv", a.period, a.kind)));
    if spec.data.is_none() || spec.sheet.is_some() || target.extension().is_none_or(|e| e != "csv") {
        let msg = match lang {
            Lang::Vi => "chiso import ghi tệp CSV: hãy khai báo `data = \"….csv\"` trong tệp kỳ đánh giá",
            Lang::En => "chiso import writes CSV: declare `data = \"….csv\"` in the period file",
        };
        return Err(vec![format!("{}: {msg}", period_file.display())]);
    }
    let progress =
        crate::progress::Progress::new(say("Nhập: ghi số liệu của kỳ", "Import: writing the period's figures"));
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in &t.rows {
        out.write_record(row.iter().map(|c| chiso_data::csv_safe::neutralised(c).into_owned())).expect("in memory");
    }
    let bytes = out.into_inner().expect("in memory");
    let tmp = target.with_extension("csv.tmp");
    std::fs::write(&tmp, &bytes).and_then(|_| std::fs::rename(&tmp, &target)).map_err(|e| io(&target, e, lang))?;
    drop(progress);
    println!("{} {}", text(lang).wrote, target.display());
    Ok(ExitCode::SUCCESS)
}

fn io(path: &std::path::Path, e: std::io::Error, lang: Lang) -> Vec<String> {
    errors(lang, vec![DataError::new(Location::file(path.display().to_string()), ErrorKind::Io(e.to_string()))])
}

/// The period's figures with the template's units replaced (matched by unit id).
fn merge(fw: &Framework, period: &Period, filled: &[Vec<String>], file: String) -> table::Table {
    let mut rows = export::figures(fw, period);
    let header = rows[0].clone();
    for row in &filled[1..] {
        let i = match period.units.iter().position(|u| u.unit.0 == row[0]) {
            Some(i) => i + 1,
            None => {
                rows.push(vec![String::new(); header.len()]);
                let last = rows.len() - 1;
                rows[last][0] = row[0].clone();
                last
            }
        };
        for (name, value) in filled[0].iter().zip(row).skip(1) {
            if let Some(c) = header.iter().position(|h| h == name) {
                rows[i][c] = value.clone();
            }
        }
    }
    table::Table { file, sheet: None, rows }
}

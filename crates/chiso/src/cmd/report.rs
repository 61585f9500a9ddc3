use crate::text::text;
use crate::{Outcome, errors, load};
use chiso_data::{Dataset, Lang};
use chiso_domain::{ReportSettings, compare};
use chiso_report::{KindInput, Previous};
use clap::ValueEnum;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Docx,
    Pdf,
    Xlsx,
    Html,
}

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value = "data/cao-bang")]
    data: PathBuf,
    #[arg(long)]
    period: i32,
    /// Compare with this earlier year.
    #[arg(long)]
    compare: Option<i32>,
    /// Output directory.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Formats to write (default: all four).
    #[arg(long, value_enum, value_delimiter = ',')]
    format: Vec<Format>,
    /// Attach the analysis appendix (rank stability, paths to the next level); off by default.
    #[arg(long)]
    appendix: bool,
    /// One sentence per unit on why its rank moved (own change, others', framework); off by default.
    #[arg(long)]
    explain_moves: bool,
}

/// Settings when the dataset has no `reports/<year>.toml`: neutral wording, every kind.
fn default_settings(data: &Dataset, year: i32) -> ReportSettings {
    ReportSettings::neutral(
        year,
        data.periods
            .iter()
            .filter(|p| p.year == year)
            .map(|p| (p.kind.clone(), data.framework(&p.framework).map_or(p.kind.clone(), |f| f.name.clone()))),
    )
}

pub fn run(a: Args, lang: Lang) -> Outcome {
    let data = load(&a.data, lang)?;
    let mut settings = match data.report_settings(a.period).map_err(|e| errors(lang, vec![e]))? {
        Some(s) => s,
        None => default_settings(&data, a.period),
    };
    settings.appendix |= a.appendix;
    settings.explain_moves |= a.explain_moves;
    if settings.kinds.is_empty() {
        let e = chiso_data::DataError::new(
            chiso_data::Location::file(a.data.display().to_string()),
            chiso_data::ErrorKind::NoSuchPeriod { year: a.period, kind: String::new() },
        );
        return Err(errors(lang, vec![e]));
    }
    let progress = crate::progress::Progress::new(match lang {
        Lang::Vi => "Báo cáo: tính điểm",
        Lang::En => "Report: scoring",
    });
    let mut inputs = Vec::new();
    let mut scored = Vec::new();
    let kinds = settings.kinds.len() as u64;
    progress.step(
        match lang {
            Lang::Vi => "Báo cáo: tính điểm các loại đơn vị",
            Lang::En => "Report: scoring the kinds of unit",
        },
        kinds,
    );
    for k in &settings.kinds {
        let (fw, period) = data.period(a.period, &k.kind).map_err(|e| errors(lang, vec![e]))?;
        let results = chiso_domain::score(fw, period);
        let previous = match a.compare {
            None => None,
            Some(y) => {
                let (pfw, pperiod) = data.period(y, &k.kind).map_err(|e| errors(lang, vec![e]))?;
                Some((y, pfw, chiso_domain::score(pfw, pperiod)))
            }
        };
        scored.push((k, fw, period, results, previous));
        progress.set(scored.len() as u64, kinds);
    }
    unknown_levels(&settings, &scored.iter().map(|s| s.1).collect::<Vec<_>>(), &a.data, a.period, lang)?;
    for (k, fw, period, results, previous) in &scored {
        let previous = previous.as_ref().map(|(y, pfw, pr)| Previous {
            year: *y,
            framework: pfw,
            results: pr,
            comparisons: compare(results, fw, pr, pfw, &data.registry),
        });
        let analysis = settings.appendix.then(|| chiso_report::Analysis::compute(fw, period, results));
        inputs.push(KindInput { settings: k, framework: fw, period, results, previous, analysis });
    }
    progress.step(
        match lang {
            Lang::Vi => "Báo cáo: soạn văn bản",
            Lang::En => "Report: writing the document",
        },
        0,
    );
    let report = chiso_report::build_report(&settings, a.period, &inputs);
    let formats =
        if a.format.is_empty() { vec![Format::Docx, Format::Pdf, Format::Xlsx, Format::Html] } else { a.format };
    std::fs::create_dir_all(&a.out).map_err(|e| vec![format!("{}: {e}", a.out.display())])?;
    let name = |ext: &str| a.out.join(format!("bao-cao-{}.{ext}", a.period));
    progress.step(
        match lang {
            Lang::Vi => "Báo cáo: soạn các tệp",
            Lang::En => "Report: making the files",
        },
        0,
    );
    let has = |f: Format| formats.contains(&f);
    let wanted = chiso_report::files::Wanted {
        docx: has(Format::Docx) || has(Format::Pdf),
        xlsx: has(Format::Xlsx),
        html: has(Format::Html),
    };
    let files = chiso_report::files::render_report(&report, wanted);
    let docx = files.docx.unwrap_or_default();
    let mut failures = Vec::new();
    let mut wrote = Vec::new();
    // Files written of those asked for; the PDF (LibreOffice's conversion, the longest) says so.
    let total = formats.len() as u64;
    progress.step(
        match lang {
            Lang::Vi => "Báo cáo: ghi các tệp",
            Lang::En => "Report: writing the files",
        },
        total,
    );
    for (i, f) in formats.iter().enumerate() {
        if *f == Format::Pdf {
            progress.step(
                match lang {
                    Lang::Vi => "Báo cáo: chuyển sang PDF",
                    Lang::En => "Report: converting to PDF",
                },
                total,
            );
        }
        progress.set(i as u64, total);
        let written = match f {
            Format::Docx => write(&name("docx"), &docx),
            Format::Html => write(&name("html"), files.html.as_deref().unwrap_or_default().as_bytes()),
            Format::Xlsx => match &files.xlsx {
                Some(Ok(bytes)) => write(&name("xlsx"), bytes),
                Some(Err(e)) => Err(format!("XLSX: {e}")),
                None => continue,
            },
            Format::Pdf => match chiso_report::pdf::convert(&docx, Duration::from_secs(120)) {
                Ok(bytes) => write(&name("pdf"), &bytes),
                Err(e) => Err(pdf_message(&e, lang)),
            },
        };
        match written {
            Ok(path) => wrote.push(path),
            Err(e) => failures.push(e),
        }
        progress.set(i as u64 + 1, total);
    }
    // The line cleared before what the command prints.
    drop(progress);
    for path in wrote {
        println!("{} {}", text(lang).wrote, path.display());
    }
    if failures.is_empty() { Ok(ExitCode::SUCCESS) } else { Err(failures) }
}

/// `[tables] levels = [...]` naming a level no framework of the report has: refused with
/// the file, the line, the value and the levels there are.
fn unknown_levels(
    settings: &ReportSettings,
    frameworks: &[&chiso_domain::framework::Framework],
    data: &Path,
    year: i32,
    lang: Lang,
) -> Result<(), Vec<String>> {
    let mut levels: Vec<&str> = Vec::new();
    for l in frameworks.iter().flat_map(|f| &f.levels) {
        if !levels.contains(&l.name.as_str()) {
            levels.push(&l.name);
        }
    }
    if settings.tables.unknown_levels(&levels).is_empty() {
        return Ok(());
    }
    let file = data.join("reports").join(format!("{year}.toml"));
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    chiso_data::report_toml::check_levels(&file.display().to_string(), &text, settings, &levels)
        .map_err(|e| errors(lang, vec![e]))
}

fn pdf_message(e: &chiso_report::pdf::PdfError, lang: Lang) -> String {
    match (e, lang) {
        (chiso_report::pdf::PdfError::NotInstalled, Lang::Vi) => {
            "Không tạo được PDF: chưa cài LibreOffice (soffice). Cài các gói Debian libreoffice-writer-nogui và \
             fonts-liberation2 (scripts/install-report-tools); các định dạng khác vẫn được ghi."
                .into()
        }
        _ => format!("PDF: {e}"),
    }
}

/// Writes through a temporary file, so a reader never sees half a report.
fn write(path: &Path, bytes: &[u8]) -> Result<PathBuf, String> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.to_path_buf())
}

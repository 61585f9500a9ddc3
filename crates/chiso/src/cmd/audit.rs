//! `chiso audit FILE…`: check a ranking report made by hand before anyone signs it.
//! Exit status 0 when nothing is wrong (warnings allowed), 1 when errors were found,
//! 2 when an input (or the dataset) could not be read.

use chiso_audit::{Audit, Finding, Format as FileFormat, Lang as AuditLang, Severity};
use chiso_data::Lang;
use clap::ValueEnum;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// Reports to check: .docx, .xlsx or .csv (CSV files are read together, one table each).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The dataset whose frameworks and unit registry the report is checked against.
    #[arg(long, default_value = "data/cao-bang")]
    data: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

fn audit_lang(lang: Lang) -> AuditLang {
    match lang {
        Lang::Vi => AuditLang::Vi,
        Lang::En => AuditLang::En,
    }
}

pub fn run(a: Args, lang: Lang) -> crate::Outcome {
    let data = match crate::load(&a.data, lang) {
        Ok(d) => d,
        Err(messages) => {
            for m in messages {
                eprintln!("{m}");
            }
            return Ok(ExitCode::from(2));
        }
    };
    let mut unreadable: Vec<String> = Vec::new();
    let mut audits: Vec<(String, Audit)> = Vec::new();
    let mut csv = (Vec::new(), Vec::new());
    for path in &a.files {
        let shown = path.display().to_string();
        let read = FileFormat::of(path)
            .ok_or_else(|| {
                chiso_audit::ReadError::UnknownFormat(
                    path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default(),
                )
            })
            .and_then(|f| {
                let bytes = std::fs::read(path).map_err(|e| chiso_audit::ReadError::Io(e.to_string()))?;
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                chiso_audit::read(&bytes, f, &name).map(|d| (f, d))
            });
        match read {
            Ok((FileFormat::Csv, doc)) => {
                csv.0.push(shown);
                csv.1.push(doc);
            }
            Ok((_, doc)) => audits.push((shown, chiso_audit::audit(&doc, &data.frameworks, &data.registry))),
            Err(e) => unreadable.push(match lang {
                Lang::Vi => format!("{shown}: không đọc được: {e}"),
                Lang::En => format!("{shown}: cannot be read: {e}"),
            }),
        }
    }
    if !csv.1.is_empty() {
        let doc = chiso_audit::merge(csv.1);
        audits.push((csv.0.join(", "), chiso_audit::audit(&doc, &data.frameworks, &data.registry)));
    }
    for m in &unreadable {
        eprintln!("{m}");
    }
    match a.format {
        Format::Text => print!("{}", text(&audits, lang)),
        Format::Json => {
            println!("{}", serde_json::to_string_pretty(&json_of(&audits, &unreadable, lang)).unwrap_or_default())
        }
    }
    let errors: usize = audits.iter().map(|(_, a)| a.count(Severity::Error)).sum();
    Ok(if !unreadable.is_empty() {
        ExitCode::from(2)
    } else if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn severity_word(s: Severity, lang: Lang) -> &'static str {
    match (s, lang) {
        (Severity::Error, Lang::Vi) => "LỖI",
        (Severity::Rounding, Lang::Vi) => "LÀM TRÒN",
        (Severity::Warning, Lang::Vi) => "CẢNH BÁO",
        (Severity::Error, Lang::En) => "ERROR",
        (Severity::Rounding, Lang::En) => "ROUNDING",
        (Severity::Warning, Lang::En) => "WARNING",
    }
}

/// Where, in words: "dòng 12 (F12), cột Tổng điểm".
fn place(f: &Finding, lang: Lang) -> String {
    let l = &f.location;
    let (row, column, para) = match lang {
        Lang::Vi => ("dòng", "cột", "đoạn"),
        Lang::En => ("row", "column", "paragraph"),
    };
    let mut parts = Vec::new();
    if let Some(r) = l.row {
        parts.push(match &l.cell {
            Some(c) => format!("{row} {r} ({c})"),
            None => format!("{row} {r}"),
        });
    }
    if let Some(c) = &l.column {
        parts.push(format!("{column} \"{c}\""));
    }
    if l.table.is_none()
        && let Some(p) = l.paragraph
    {
        parts.push(format!("{para} {p}"));
    }
    parts.join(", ")
}

fn text(audits: &[(String, Audit)], lang: Lang) -> String {
    let al = audit_lang(lang);
    let mut out = String::new();
    for (file, a) in audits {
        out.push_str(&format!("== {file} ==\n"));
        let mut group: Option<String> = None;
        for f in &a.findings {
            let g = match (&f.location.table, &f.location.paragraph) {
                (Some(t), _) => match &f.location.caption {
                    Some(c) if !c.is_empty() => c.clone(),
                    _ => t.clone(),
                },
                (None, Some(p)) => {
                    let h = f.location.heading.clone().unwrap_or_default();
                    match lang {
                        Lang::Vi => format!("Đoạn {p} (mục \"{h}\")"),
                        Lang::En => format!("Paragraph {p} (under \"{h}\")"),
                    }
                }
                _ => String::new(),
            };
            if group.as_ref() != Some(&g) {
                out.push_str(&format!("\n{g}\n"));
                group = Some(g);
            }
            let mut line = format!("  [{}] {}", severity_word(f.severity, lang), place(f, lang));
            if let Some(u) = &f.unit {
                line.push_str(&format!(" — {u}"));
            }
            let quote = |s: &String| if s.chars().any(char::is_alphabetic) { format!("\"{s}\"") } else { s.clone() };
            let (printed, expected) = (f.printed.as_ref().map(quote), f.expected.as_ref().map(quote));
            match (&printed, &expected, lang) {
                (Some(p), Some(e), Lang::Vi) => line.push_str(&format!(": in {p}, đúng là {e}")),
                (Some(p), Some(e), Lang::En) => line.push_str(&format!(": printed {p}, expected {e}")),
                (Some(p), None, Lang::Vi) => line.push_str(&format!(": in {p}")),
                (Some(p), None, Lang::En) => line.push_str(&format!(": printed {p}")),
                _ => {}
            }
            out.push_str(&format!("{line}\n      {}\n", f.message(al)));
        }
        let (e, r, w) = (a.count(Severity::Error), a.count(Severity::Rounding), a.count(Severity::Warning));
        out.push_str(&match lang {
            Lang::Vi => format!(
                "\nĐã đọc {} bảng. Kết quả: {e} lỗi, {r} chênh lệch do làm tròn, {w} cảnh báo.\n\n",
                a.tables.len()
            ),
            Lang::En => {
                format!("\nRead {} tables. {e} errors, {r} rounding differences, {w} warnings.\n\n", a.tables.len())
            }
        });
    }
    out
}

fn json_of(audits: &[(String, Audit)], unreadable: &[String], lang: Lang) -> Value {
    let al = audit_lang(lang);
    let mut findings = Vec::new();
    let mut by_check: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (file, a) in audits {
        for f in &a.findings {
            *by_check.entry(f.check).or_default() += 1;
            let l = &f.location;
            findings.push(json!({
                "severity": f.severity.as_str(),
                "check": f.check,
                "file": file,
                "table": l.table,
                "caption": l.caption,
                "row": l.row,
                "column": l.column,
                "cell": l.cell,
                "paragraph": l.paragraph,
                "heading": l.heading,
                "unit": f.unit,
                "printed": f.printed,
                "expected": f.expected,
                "message": f.message(al),
            }));
        }
    }
    let count = |s: Severity| audits.iter().map(|(_, a)| a.count(s)).sum::<usize>();
    json!({
        "findings": findings,
        "summary": {
            "files": audits.iter().map(|(f, a)| json!({"file": f, "tables": a.tables.len(), "year": a.year})).collect::<Vec<_>>(),
            "error": count(Severity::Error),
            "rounding": count(Severity::Rounding),
            "warning": count(Severity::Warning),
            "by_check": by_check,
            "unreadable": unreadable,
        }
    })
}

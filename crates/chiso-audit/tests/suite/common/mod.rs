//! Shared by the auditor's tests: the Cao Bằng dataset, the seed files, printing findings.
#![allow(dead_code)]

use chiso_audit::{Audit, Document, Finding, Format, Lang};
use chiso_data::Dataset;
use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn dataset() -> Dataset {
    Dataset::load(&root().join("data/cao-bang")).expect("the Cao Bằng dataset loads")
}

pub fn seed(name: &str) -> Vec<u8> {
    std::fs::read(root().join("data/cao-bang/seed").join(name)).expect("seed file")
}

pub fn read(bytes: &[u8], format: Format) -> Document {
    chiso_audit::read(bytes, format, "test").expect("readable")
}

pub fn audit(doc: &Document) -> Audit {
    let data = dataset();
    chiso_audit::audit(doc, &data.frameworks, &data.registry)
}

pub fn show(f: &Finding) -> String {
    let l = &f.location;
    format!(
        "{:8} {:20} {} r{:?} c{:?} {:?} p{:?} | {:?} | {:?} → {:?} | {}",
        f.severity.as_str(),
        f.check,
        l.table.clone().unwrap_or_default(),
        l.row,
        l.column,
        l.cell,
        l.paragraph,
        f.unit,
        f.printed,
        f.expected,
        f.message(Lang::Vi)
    )
}

pub fn dump(a: &Audit) {
    for f in &a.findings {
        println!("{}", show(f));
    }
}

/// The report `chiso report --period 2020 --compare 2019` builds for Cao Bằng, as a model.
pub fn generated() -> chiso_report::model::Document {
    use chiso_domain::compare;
    use chiso_report::{KindInput, Previous};
    let data = dataset();
    let settings = data.report_settings(2020).unwrap().expect("reports/2020.toml");
    let results: Vec<_> = settings
        .kinds
        .iter()
        .map(|k| {
            let (fw, period) = data.period(2020, &k.kind).unwrap();
            let (pfw, pperiod) = data.period(2019, &k.kind).unwrap();
            (k, fw, period, chiso_domain::score(fw, period), pfw, chiso_domain::score(pfw, pperiod))
        })
        .collect();
    let inputs: Vec<KindInput> = results
        .iter()
        .map(|(k, fw, period, r, pfw, pr)| KindInput {
            settings: k,
            framework: fw,
            period,
            results: r,
            previous: Some(Previous {
                year: 2019,
                framework: pfw,
                results: pr,
                comparisons: compare(r, fw, pr, pfw, &data.registry),
            }),
            // As `chiso report` builds it: with the appendix on rank stability and next levels.
            analysis: Some(chiso_report::Analysis::compute(fw, period, r)),
        })
        .collect();
    chiso_report::build(&settings, 2020, &inputs)
}

pub fn docx_of(doc: &chiso_report::model::Document) -> Vec<u8> {
    chiso_report::docx::render(doc)
}

pub fn xlsx_of(doc: &chiso_report::model::Document) -> Vec<u8> {
    chiso_report::xlsx::render(doc).expect("xlsx renders")
}

/// Whether the audit has a finding with these fields (`None` = any).
pub fn has(
    a: &Audit,
    severity: chiso_audit::Severity,
    check: &str,
    table: Option<&str>,
    unit: Option<&str>,
    printed: Option<&str>,
    expected: Option<&str>,
) -> bool {
    a.findings.iter().any(|f| {
        f.severity == severity
            && f.check == check
            && table.is_none_or(|t| f.location.table.as_deref() == Some(t))
            && unit.is_none_or(|u| f.unit.as_deref().is_some_and(|x| x.contains(u)))
            && printed.is_none_or(|p| f.printed.as_deref() == Some(p))
            && expected.is_none_or(|e| f.expected.as_deref() == Some(e))
    })
}

#[track_caller]
pub fn expect(
    a: &Audit,
    severity: chiso_audit::Severity,
    check: &str,
    table: Option<&str>,
    unit: Option<&str>,
    printed: Option<&str>,
    expected: Option<&str>,
) {
    if !has(a, severity, check, table, unit, printed, expected) {
        dump(a);
        panic!("missing {severity:?} {check} {table:?} {unit:?} {printed:?} → {expected:?}");
    }
}

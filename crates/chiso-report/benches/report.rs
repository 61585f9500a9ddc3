//! Time to build the Cao Bằng 2020 report and render DOCX, XLSX and HTML (in process).
//! Run with `bench/report`, which also times the whole command and the PDF.

use chiso_data::Dataset;
use chiso_domain::compare;
use chiso_report::{KindInput, Previous};
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::PathBuf;

fn bench(c: &mut Criterion) {
    let data = Dataset::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang")).unwrap();
    let mut settings = data.report_settings(2020).unwrap().unwrap();
    // With the analysis appendix, as the benchmark has always measured (`--appendix`).
    settings.appendix = true;
    let scored: Vec<_> = settings
        .kinds
        .iter()
        .map(|k| {
            let (fw, p) = data.period(2020, &k.kind).unwrap();
            let (pfw, prev) = data.results(2019, &k.kind).unwrap();
            (k, fw, p, chiso_domain::score(fw, p), pfw, prev)
        })
        .collect();
    let mut g = c.benchmark_group("report");
    g.sample_size(20);
    g.bench_function("build_docx_xlsx_html", |b| {
        b.iter(|| {
            let inputs: Vec<KindInput> = scored
                .iter()
                .map(|(k, fw, p, r, pfw, prev)| KindInput {
                    settings: k,
                    framework: fw,
                    period: p,
                    results: r,
                    previous: Some(Previous {
                        year: 2019,
                        framework: pfw,
                        results: prev,
                        comparisons: compare(r, fw, prev, pfw, &data.registry),
                    }),
                    analysis: Some(chiso_report::Analysis::compute(fw, p, r)),
                })
                .collect();
            let doc = chiso_report::build(&settings, 2020, &inputs);
            let docx = chiso_report::docx::render(&doc);
            let xlsx = chiso_report::xlsx::render(&doc).unwrap();
            let html = chiso_report::html::render(&doc);
            (docx.len(), xlsx.len(), html.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

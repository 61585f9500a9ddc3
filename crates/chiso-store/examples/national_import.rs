//! Times a national period's import as the platform writes it (`Store::save_units`: 4,500
//! units × 120 answers, each unit's changes on the record in one event, submitted on the
//! units' behalf) and the chain's verification, on SQLite (a temporary file) or the
//! database given.
//!
//! `cargo run --release -p chiso-store --example national_import [URL] [UNITS]`

use chiso_domain::{PeriodStatus, SubmissionKey};
use chiso_store::{NewAnswer, PeriodRow, Store};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = args.get(1).cloned().unwrap_or_else(|| format!("sqlite://{}", dir.path().join("n.sqlite").display()));
    let units: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(4500);
    let store = Store::open(&url).await.expect("the database");
    for year in [2023, 2024] {
        let p = PeriodRow {
            year,
            kind: "commune".into(),
            framework: "national".into(),
            deadline: None,
            status: PeriodStatus::Open,
        };
        store.create_period(&p, "admin").await.expect("a period");
    }
    let figures = |year: i32| -> Vec<(SubmissionKey, Vec<NewAnswer>)> {
        (0..units)
            .map(|u| {
                let answers = (0..120)
                    .map(|c| {
                        NewAnswer::new(
                            format!("c{c:03}"),
                            format!("0.{:02}", (u * 7 + c * 13 + year as usize) % 100),
                            "",
                        )
                    })
                    .collect();
                (SubmissionKey::new(year, "commune", format!("dv{u:04}")), answers)
            })
            .collect()
    };
    for (year, submit) in [(2023, None), (2024, Some("bench"))] {
        let all = figures(year);
        let t = Instant::now();
        store.save_units(&all, submit, "admin", "bench import").await.expect("the import");
        println!("save_units {year} ({units} units x 120): {:.2} s", t.elapsed().as_secs_f64());
    }
    // 2023 again, at once (drafts: editable), one answer in ten changed: the stored answers
    // read back and only the changes written, each on the record.
    let mut again = figures(2023);
    for (_, answers) in &mut again {
        for a in answers.iter_mut().step_by(10) {
            a.value = format!("{}1", a.value);
        }
    }
    let t = Instant::now();
    store.save_units(&again, None, "admin", "bench corrections").await.expect("the corrections");
    println!("save_units 2023 again, one answer in ten changed: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let n = store.verify_chain().await.expect("the chain").expect("an intact chain");
    println!("verify_chain ({n} events): {:.2} s", t.elapsed().as_secs_f64());
    store.close().await;
}

//! `chiso import --db`: a period's figures written into the platform's database through the
//! administrator's import (CSV and XLSX tables, the same checks, one transaction), as drafts
//! or submitted on the units' behalf with a reason on the record; a refused file changes
//! nothing. On SQLite, and once on PostgreSQL.

use crate::command::{run, text};
use chiso_store::Store;
use chiso_testkit::db as common;
use std::path::Path;

const FW: &str = "cao-bang-1513-department";

/// The 2020 departments' figures of the Cao Bằng dataset, as the table file for 2021.
fn figures() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang/periods/2020-department.csv");
    std::fs::read_to_string(path).unwrap()
}

/// What the period holds: (unit, status) and every (unit, field, value), and the log's length.
async fn state(db: &str) -> (Vec<(String, String)>, Vec<(String, String, String)>, usize) {
    let store = Store::open(db).await.unwrap();
    let subs: Vec<(String, String)> = store
        .submissions(2021, "department")
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.unit, s.status.as_str().to_string()))
        .collect();
    let mut answers = Vec::new();
    for (unit, _) in &subs {
        for a in store.answers(2021, "department", unit).await.unwrap() {
            answers.push((unit.clone(), a.field, a.value));
        }
    }
    let events = store.audit_events("").await.unwrap().len();
    store.close().await;
    (subs, answers, events)
}

/// Each answer's value as the figure it is ("2.0" and "2" alike), text otherwise ("N/A").
fn figures_of(answers: &[(String, String, String)]) -> Vec<(String, String, String)> {
    let figure = |v: &str| v.parse::<rust_decimal::Decimal>().map_or(v.to_string(), |d| d.normalize().to_string());
    answers.iter().map(|(u, f, v)| (u.clone(), f.clone(), figure(v))).collect()
}

async fn import_into(db: &str) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let store = Store::open(db).await.unwrap();
    chiso_app::seed::bootstrap(&store, &d.join("chiso-data"), chiso_app::seed::Start::Demo).await.unwrap();
    store.close().await;
    let on = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--db", db]);
        run(d, &all)
    };
    let o = on(&["period", "open", "2021", "--framework", FW, "--history"]);
    assert!(o.status.success(), "{}", text(&o));

    // A refused file: one value over its maximum, one unknown unit. Nothing is written, and
    // every problem is named with its row, column and value.
    let mut bad = figures().replacen("Ban Dân tộc,2.0,", "Ban Dân tộc,12.0,", 1);
    bad.push_str("Sở Không Có,1,1,1,1,1,1\n");
    std::fs::write(d.join("sai.csv"), &bad).unwrap();
    let before = state(db).await;
    let o = on(&["import", "--period", "2021", "--kind", "department", "sai.csv"]);
    assert!(!o.status.success(), "{}", text(&o));
    let said = text(&o);
    assert!(said.contains("sai.csv") && said.contains("12.0") && said.contains("Sở Không Có"), "{said}");
    assert_eq!(state(db).await, before, "a refused import changed the platform");

    // The CSV as drafts, every unit in one go, on the record as the command line's administrator.
    std::fs::write(d.join("2021.csv"), figures()).unwrap();
    let o = on(&["import", "--period", "2021", "--kind", "department", "2021.csv"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Đã nhập số liệu của 20 đơn vị vào kỳ 2021 (department)"), "{}", text(&o));
    let (subs, answers, events) = state(db).await;
    assert_eq!(subs.len(), 20);
    assert!(subs.iter().all(|(_, s)| s == "draft"), "{subs:?}");
    let yte: Vec<&(String, String, String)> = answers.iter().filter(|a| a.0 == "ban-dan-toc").collect();
    assert_eq!(yte.len(), 6);
    assert!(yte.contains(&&("ban-dan-toc".into(), "app".into(), "13.1".into())), "{yte:?}");
    assert_eq!(events, before.2 + 20, "one event per unit, with its figures");
    let store = Store::open(db).await.unwrap();
    let trail = store.audit_events("submission/2021/department/ban-dan-toc").await.unwrap();
    assert_eq!((trail[0].actor.as_str(), trail[0].action.as_str()), ("cli", chiso_store::ANSWERS_IMPORTED));
    let said: serde_json::Value = serde_json::from_str(&trail[0].new_value).unwrap();
    assert_eq!((said.as_object().unwrap().len(), &said["app"]), (6, &serde_json::json!("13.1")));
    assert!(trail[0].reason.starts_with("Nhập từ tệp CSV "), "the record names a CSV: {}", trail[0].reason);

    // The same figures as an XLSX table, now submitted on the units' behalf with the reason.
    let rows = chiso_data::table::parse_csv("2021.csv", figures().as_bytes()).unwrap().rows;
    std::fs::write(d.join("2021.xlsx"), chiso_data::export::xlsx(&rows, "2021").unwrap()).unwrap();
    let o = on(&["import", "--period", "2021", "--kind", "department", "2021.xlsx", "--submit"]);
    assert!(!o.status.success(), "--submit without a reason");
    let reason = "Số liệu theo Báo cáo năm 2021 của tỉnh";
    let o = on(&["import", "--period", "2021", "--kind", "department", "2021.xlsx", "--submit", "--reason", reason]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("nộp thay các đơn vị"), "{}", text(&o));
    let (subs, again, _) = state(db).await;
    assert!(subs.iter().all(|(_, s)| s == "submitted"), "{subs:?}");
    // Values are kept as typed: the CSV's "2.0" is the XLSX's number 2, the same figure.
    assert_eq!(figures_of(&again), figures_of(&answers), "the same figures");
    let moves = store.audit_events("submission/2021/department/").await.unwrap();
    assert!(moves.iter().filter(|e| e.actor == "cli" && e.reason.contains(reason)).count() >= 20, "{moves:?}");
    store.close().await;

    // Once submitted, another import is refused whole.
    let before = state(db).await;
    let o = on(&["import", "--period", "2021", "--kind", "department", "2021.csv"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert_eq!(state(db).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn chiso_import_writes_a_period_into_the_platform_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    import_into(&format!("sqlite://{}", dir.path().join("chiso.sqlite").display())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn chiso_import_writes_a_period_into_the_platform_on_postgres() {
    if let Some(url) = common::postgres_url().await {
        import_into(&url).await;
    }
}

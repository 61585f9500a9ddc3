//! A year's report settings naming a level that none of the year's frameworks has are refused
//! on the platform as by `chiso report`: with the value and the levels there are, nothing saved.

use chiso_testkit::web as common;

use common::{setup, spawn};

#[tokio::test]
async fn report_settings_with_a_level_the_years_frameworks_lack_are_refused_and_a_real_one_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("settings.sqlite").display());
    let app = spawn(Some(database.clone())).await;
    let mut admin = setup(&app).await;
    let store = chiso_store::Store::open(&database).await.unwrap();
    let seed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/cao-bang/reports/2020.toml")).unwrap();
    let before = store.document("report/2020").await.unwrap();

    let typo = format!("{seed}\n[tables]\nlevels = [\"Mức IX\"]\n");
    admin.get("/quan-tri/danh-muc").await;
    let r = admin.post("/quan-tri/danh-muc", &[("what", "report"), ("body", &typo), ("reason", "Bảng theo mức")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Mức IX"), "the value is named: {}", r.body);
    assert!(r.body.contains("Mức I, Mức II, Mức III, Mức IV"), "the levels there are: {}", r.body);
    assert_eq!(store.document("report/2020").await.unwrap(), before, "nothing saved");

    let real = format!("{seed}\n[tables]\nlevels = [\"Mức II\"]\n");
    admin.get("/quan-tri/danh-muc").await;
    let r = admin.post("/quan-tri/danh-muc", &[("what", "report"), ("body", &real), ("reason", "Bảng theo mức")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(store.document("report/2020").await.unwrap().as_deref(), Some(real.replace("\r\n", "\n").as_str()));
}

//! A platform started empty (`chiso serve --empty`): only the administrator, no catalogue,
//! no periods; the province loads its own and works as on the demonstration.

use chiso_testkit::web as common;

use common::{Client, chosen_passwords, spawn_empty};
use serde_json::Value;

#[tokio::test]
async fn an_empty_start_has_only_the_administrator_and_takes_a_catalogue() {
    let app = spawn_empty().await;
    let mut visitor = Client::new(&app);
    let home = visitor.get("/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(!home.body.contains("Sở Y tế") && !home.body.contains("2020"), "no demonstration: {}", home.body);
    assert_eq!(visitor.get("/ket-qua/2020/department").await.status, 404);
    let periods: Value = serde_json::from_str(&visitor.get("/api/v1/periods").await.body).unwrap();
    assert_eq!(periods["periods"].as_array().map(Vec::len), Some(0), "{periods}");

    chosen_passwords(&app, &["admin"]).await;
    let mut admin = Client::login(&app, "admin", &app.admin_password).await;
    assert_eq!(admin.get("/quan-tri").await.status, 200);
    // The province's own catalogue, then its first period.
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/cao-bang");
    admin.get("/quan-tri/danh-muc").await;
    let units = std::fs::read_to_string(format!("{data}/units.toml")).unwrap();
    let r =
        admin.post("/quan-tri/danh-muc", &[("what", "units"), ("body", &units), ("reason", "Danh mục đơn vị")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let framework = std::fs::read_to_string(format!("{data}/frameworks/department.toml")).unwrap();
    let r = admin
        .post("/quan-tri/danh-muc", &[("what", "framework"), ("body", &framework), ("reason", "Bộ tiêu chí")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    admin.get("/quan-tri").await;
    let r = admin
        .post(
            "/quan-tri/ky",
            &[("year", "2026"), ("framework", "cao-bang-1513-department"), ("deadline", "2099-12-31")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let periods: Value = serde_json::from_str(&visitor.get("/api/v1/periods").await.body).unwrap();
    assert_eq!(periods["periods"][0]["year"], 2026, "{periods}");
}

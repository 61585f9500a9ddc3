//! A catalogue change that would orphan stored periods or published results is refused with
//! what it would break, in place and in the API; nothing changes; a harmless change goes on.

use chiso_testkit::web as common;

use common::{setup, spawn};
use serde_json::Value;

#[tokio::test]
async fn a_units_file_without_a_unit_that_has_published_results_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("orphans.sqlite").display());
    let app = spawn(Some(database.clone())).await;
    let mut admin = setup(&app).await;
    let store = chiso_store::Store::open(&database).await.unwrap();
    let units = store.document("units.toml").await.unwrap().unwrap();
    let block = "[[unit]]\nid = \"ban-dan-toc\"\nname = \"Ban Dân tộc\"\nkind = \"department\"\n";
    assert!(units.contains(block), "{units}");
    let without = units.replace(block, "");
    let events = store.audit_events("").await.unwrap().len();

    let r =
        admin.post("/quan-tri/danh-muc", &[("what", "units"), ("body", &without), ("reason", "Danh mục mới")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("role=\"alert\""), "{}", r.body);
    assert!(
        r.body.contains(
            "Ban Dân tộc (ban-dan-toc) có báo cáo hoặc kết quả đã lưu ở kỳ 2019 (department), 2020 (department)"
        ),
        "{}",
        r.body
    );
    assert!(r.body.contains("Danh mục mới"), "the reason typed is kept: {}", r.body);
    assert_eq!(store.document("units.toml").await.unwrap().unwrap(), units, "nothing changed");
    assert_eq!(store.audit_events("").await.unwrap().len(), events);
    // Retiring it before its published years, through the units' forms: the same refusal.
    let r = admin
        .post(
            "/quan-tri/danh-muc/don-vi",
            &[("what", "retire"), ("unit", "ban-dan-toc"), ("year", "2018"), ("reason", "Giải thể")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Ban Dân tộc (ban-dan-toc)"), "{}", r.body);

    // The API says the same as problems, in English when asked.
    let id = store.user_by_name("admin").await.unwrap().unwrap().id;
    let token = "token-of-admin-0123456789abcdef";
    store.create_token(&chiso_web::sha256_hex(token), id, "test").await.unwrap();
    let body = serde_json::json!({ "what": "units", "body": without, "reason": "New list" });
    let r = reqwest::Client::new()
        .post(format!("http://{}/api/v1/catalogue", app.addr))
        .bearer_auth(token)
        .header("cookie", "chiso_lang=en")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "catalogue_in_use", "{answer}");
    let problems = answer["error"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{answer}");
    assert!(problems[0].as_str().unwrap().starts_with("Ban Dân tộc (ban-dan-toc) has stored reports"), "{answer}");
    assert_eq!(store.document("units.toml").await.unwrap().unwrap(), units, "nothing changed");

    // A harmless change still goes: a new unit added to the same file.
    let added =
        format!("{units}\n[[unit]]\nid = \"so-du-lich\"\nname = \"Sở Du lịch\"\nkind = \"department\"\nfrom = 2022\n");
    let r =
        admin.post("/quan-tri/danh-muc", &[("what", "units"), ("body", &added), ("reason", "Thêm Sở Du lịch")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(store.document("units.toml").await.unwrap().unwrap().contains("Sở Du lịch"));
    // And the published pages still answer.
    assert_eq!(admin.get("/ket-qua/2020/department").await.status, 200);
    store.close().await;
}

/// A unit renamed after its years were published: the change is taken at once (the years'
/// report files are made again after it, not in the request), and the report downloaded next
/// names the unit as the catalogue now does.
#[tokio::test]
async fn a_renamed_unit_is_named_anew_in_the_report_downloaded_after_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("rename.sqlite").display());
    let app = spawn(Some(database.clone())).await;
    let mut admin = setup(&app).await;
    let before = admin.get("/bao-cao/bao-cao-2020.html").await;
    assert_eq!(before.status, 200);
    assert!(before.body.contains("Sở Tư pháp") && !before.body.contains("Sở Tư pháp và Pháp chế"));
    let store = chiso_store::Store::open(&database).await.unwrap();
    let units = store.document("units.toml").await.unwrap().unwrap();
    let renamed = units.replacen("name = \"Sở Tư pháp\"", "name = \"Sở Tư pháp và Pháp chế\"", 1);
    assert_ne!(renamed, units);
    let r = admin.post("/quan-tri/danh-muc", &[("what", "units"), ("body", &renamed), ("reason", "Đổi tên")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let after = admin.get("/bao-cao/bao-cao-2020.html").await;
    assert_eq!(after.status, 200);
    assert!(after.body.contains("Sở Tư pháp và Pháp chế"), "the new name in the report");
    let docx = admin.get("/bao-cao/bao-cao-2020.docx").await;
    assert_eq!(docx.status, 200);
    store.close().await;
}

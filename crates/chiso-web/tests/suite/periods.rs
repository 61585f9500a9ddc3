//! An administrator's care of periods: removing one opened by mistake (the page and the JSON
//! API), entering a past year as history, submitting imported figures on the units' behalf.

use chiso_testkit::web as common;

use common::{Client, PW, setup, spawn, token};
use serde_json::Value;

#[tokio::test]
async fn a_period_without_submissions_is_removed_with_its_reason_on_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("remove.sqlite").display());
    let app = spawn(Some(database.clone())).await;
    let mut admin = setup(&app).await;
    let open =
        |year: &'static str| [("year", year), ("framework", "cao-bang-1513-department"), ("deadline", "2099-12-31")];

    // The page offers it for the empty 2021 period, not for the published 2020 one.
    let page = admin.get("/quan-tri").await.body;
    assert!(page.contains("action=\"/quan-tri/ky/2021/department/xoa\""), "{page}");
    assert!(!page.contains("/quan-tri/ky/2020/department/xoa"), "a published period is not offered");
    assert!(page.contains("data-confirm=\"Xoá kỳ đánh giá"), "{page}");
    let r = admin.post("/quan-tri/ky/2020/department/xoa", &[("reason", "Nhầm")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("Không xoá được kỳ đánh giá đã có dữ liệu"), "{}", r.body);
    assert_eq!(r.body.matches("1 phiên bản đã công bố").count(), 1, "{}", r.body);

    // A reporter's draft keeps 2021.
    let mut yte = Client::login(&app, "yte", PW).await;
    yte.get("/nop/2021/department/so-y-te").await;
    let r = yte.post("/nop/2021/department/so-y-te", &[("infra", "5"), ("action", "save")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!admin.get("/quan-tri").await.body.contains("/quan-tri/ky/2021/department/xoa"));
    let r = admin.post("/quan-tri/ky/2021/department/xoa", &[("reason", "Nhầm")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("1 báo cáo, kể cả bản nháp"), "{}", r.body);
    // Only the administrator, with the form's token.
    assert_eq!(yte.post("/quan-tri/ky/2022/department/xoa", &[("reason", "x")]).await.status, 403);

    // 2022 opened by mistake goes: a reason is needed, then the notice.
    assert_eq!(admin.post("/quan-tri/ky", &open("2022")).await.status, 303);
    let r = admin.post("/quan-tri/ky/2022/department/xoa", &[("reason", " ")]).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("Cần ghi lý do"), "{}", r.body);
    let bad_csrf = admin.post("/quan-tri/ky/2022/department/xoa", &[("reason", "x"), ("csrf", "forged")]).await;
    assert_eq!(bad_csrf.status, 403);
    let r = admin.post("/quan-tri/ky/2022/department/xoa", &[("reason", "Mở nhầm năm")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.location.unwrap();
    assert_eq!(location, "/quan-tri?xong=xoa-ky");
    let page = admin.get(&location).await.body;
    assert!(page.contains("Đã xoá kỳ đánh giá."), "{page}");
    assert!(!page.contains("/quan-tri/ky/2022/"), "the period is gone");

    // The same through the API: the reason in the query or in a JSON body.
    let (admin_token, yte_token) = (token(&database, "admin").await, token(&database, "yte").await);
    let http = reqwest::Client::new();
    let base = format!("http://{}/api/v1", app.addr);
    let open_api = || async {
        let body =
            serde_json::json!({ "year": "2022", "framework": "cao-bang-1513-department", "deadline": "2099-12-31" });
        let r = http.post(format!("{base}/periods")).bearer_auth(&admin_token).json(&body).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
    };
    let delete = |path: &str, token: &str, body: Option<Value>| {
        let mut r = http.delete(format!("{base}{path}")).bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        async move {
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    open_api().await;
    let (status, _) = delete("/periods/2022/department?reason=Nh%E1%BA%A7m", &yte_token, None).await;
    assert_eq!(status, 403);
    let (status, body) = delete("/periods/2022/department", &admin_token, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("reason_required")), "{body}");
    let (status, body) = delete("/periods/2022/department?reason=Nh%E1%BA%A7m", &admin_token, None).await;
    assert_eq!(status, 200, "{body}");
    open_api().await;
    let body = serde_json::json!({ "reason": "Mở nhầm lần nữa" });
    let (status, answer) = delete("/periods/2022/department", &admin_token, Some(body.clone())).await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = delete("/periods/2022/department", &admin_token, Some(body.clone())).await;
    assert_eq!(status, 404, "{answer}");
    let (status, answer) = delete("/periods/2021/department", &admin_token, Some(body)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (409, Some("period_in_use")), "{answer}");
    let (status, answer) = delete("/periods/2021/department", &admin_token, Some(serde_json::json!({"x": 1}))).await;
    assert_eq!(status, 400, "{answer}");

    let store = chiso_store::Store::open(&database).await.unwrap();
    let removals: Vec<(String, String)> = store
        .audit_events("period/2022/")
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "period.remove")
        .map(|e| (e.actor, e.reason))
        .collect();
    let expected = [("admin", "Mở nhầm năm"), ("admin", "Nhầm"), ("admin", "Mở nhầm lần nữa")];
    assert_eq!(removals, expected.map(|(a, r)| (a.to_string(), r.to_string())));
    assert!(store.period(2021, "department").await.unwrap().is_some());
    assert_eq!(store.replay().await.unwrap().discrepancies, vec![]);
    store.close().await;
}

/// The current year in Vietnam.
fn this_year() -> i32 {
    i32::from(chiso_app::today().year())
}

/// A filled all-units template with the same figures for each of `units`.
fn filled(year: i32, units: &[&str]) -> Vec<u8> {
    let ds = chiso_data::Dataset::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang"))
        .unwrap();
    let fw = ds.frameworks.iter().find(|f| f.id == "cao-bang-1513-department").unwrap();
    let units: Vec<_> =
        units.iter().map(|u| ds.registry.get(&chiso_domain::unit::UnitId(u.to_string())).unwrap()).collect();
    let values =
        [("infra", "7,5"), ("app", "14"), ("web", "18"), ("online_services", "3.2"), ("staff", "5"), ("policy", "4")];
    chiso_data::template::write_filled(fw, year, &units, &|_, f| {
        values.iter().find(|(k, _)| *k == f).map(|(_, v)| v.to_string())
    })
    .unwrap()
}

#[tokio::test]
async fn a_past_year_entered_as_history_and_submitted_on_the_units_behalf_is_published() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("history.sqlite").display());
    let app = spawn(Some(database.clone())).await;
    let mut admin = setup(&app).await;
    let fw = ("framework", "cao-bang-1513-department");
    let page = admin.get("/quan-tri").await.body;
    assert!(page.contains("name=\"history\""), "{page}");

    // The current year is not history; a past deadline stays refused without it.
    let now = this_year().to_string();
    let r = admin.post("/quan-tri/ky", &[("year", &now), fw, ("history", "1")]).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("Chỉ nhập được năm đã qua"), "{}", r.body);
    let r = admin.post("/quan-tri/ky", &[("year", "2022"), fw, ("deadline", "2022-12-31")]).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("Hạn nộp đã qua"), "{}", r.body);
    let r = admin.post("/quan-tri/ky", &[("year", "2022"), fw, ("deadline", ""), ("history", "1")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = admin.get("/quan-tri").await.body;
    assert!(page.contains("lịch sử, không có hạn nộp"), "{page}");

    // The administrator's upload: "submit on the units' behalf" needs its reason; refused
    // whole, nothing written.
    let excel = admin.get("/quan-tri/ky/2022/department/excel").await.body;
    assert!(excel.contains("name=\"on_behalf\"") && excel.contains("Nộp thay các đơn vị"), "{excel}");
    let csrf = excel.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let path = "/quan-tri/ky/2022/department/excel";
    let file = || Some(("so-lieu-2022.xlsx", filled(2022, &["so-tu-phap", "so-noi-vu"])));
    let r = admin.multipart(path, &[("csrf", &csrf), ("on_behalf", "1"), ("reason", "  ")], file()).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Nộp thay các đơn vị cần ghi lý do"), "{}", r.body);
    let store = chiso_store::Store::open(&database).await.unwrap();
    assert_eq!(store.submissions(2022, "department").await.unwrap(), vec![], "nothing written");

    let why = "Số liệu năm 2022 theo Báo cáo 123/BC-UBND";
    let r = admin.multipart(path, &[("csrf", &csrf), ("on_behalf", "1"), ("reason", why)], file()).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.location.unwrap();
    assert_eq!(location, format!("{path}?xong=nop-thay"));
    assert!(admin.get(&location).await.body.contains("nộp thay các đơn vị"));
    let submitted: Vec<(String, chiso_domain::SubmissionStatus)> =
        store.submissions(2022, "department").await.unwrap().into_iter().map(|s| (s.unit, s.status)).collect();
    assert_eq!(submitted.len(), 2, "{submitted:?}");
    assert!(submitted.iter().all(|(_, s)| *s == chiso_domain::SubmissionStatus::Submitted), "{submitted:?}");
    for unit in ["so-tu-phap", "so-noi-vu"] {
        let events = store.audit_events(&format!("submission/2022/department/{unit}")).await.unwrap();
        let moved = events.iter().find(|e| e.action == "submission.status" && e.new_value == "submitted").unwrap();
        assert_eq!(moved.actor, "admin");
        assert!(moved.reason.contains(why), "{}", moved.reason);
    }
    assert_eq!(store.replay().await.unwrap().discrepancies, vec![]);

    // Without the box, figures stay drafts, as before.
    let r = admin.multipart(path, &[("csrf", &csrf)], Some(("mot.xlsx", filled(2022, &["so-y-te"])))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let yte = store.submission(2022, "department", "so-y-te").await.unwrap().unwrap();
    assert_eq!(yte.status, chiso_domain::SubmissionStatus::Draft);

    // No deadline to wait for: published as it stands, without "early".
    admin.get("/quan-tri/ky/2022/department/xem-truoc").await;
    let r = admin.post("/quan-tri/ky/2022/department/cong-bo", &[("reason", "Công bố số liệu lịch sử")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let results = admin.get("/ket-qua/2022/department").await;
    assert_eq!(results.status, 200);
    assert!(results.body.contains("Sở Tư pháp"), "{}", results.body);

    // The API opens one too.
    let token = token(&database, "admin").await;
    let body = serde_json::json!({ "year": "2023", "framework": "cao-bang-1513-department", "history": "true" });
    let r = reqwest::Client::new()
        .post(format!("http://{}/api/v1/periods", app.addr))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(store.period(2023, "department").await.unwrap().unwrap().deadline, None);
    store.close().await;
}

//! The administrator sees the platform's background work: after a publication, the year's
//! report files (made before the answer) and the analysis the worker makes after it, with
//! their state and times; the same as JSON; nobody else sees it.

use chiso_testkit::web as common;
use common::{Client, PW, setup, spawn, token};

#[tokio::test]
async fn the_administrator_sees_the_report_files_being_made() {
    let app = spawn(None).await;
    let mut admin = setup(&app).await;
    let r = admin.post("/quan-tri/ky/2021/department/cong-bo", &[("reason", "Công bố sớm"), ("early", "1")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        admin.get("/quan-tri").await.body.contains("href=\"/quan-tri/cong-viec-nen\""),
        "linked from the admin page"
    );

    // The analysis is made by the worker after the answer: wait for it (at most 30 s).
    let t = token(&app.database, "admin").await;
    let http = reqwest::Client::new();
    let url = format!("http://{}/api/v1/work", app.addr);
    let mut jobs = Vec::new();
    for _ in 0..300 {
        let body: serde_json::Value = http.get(&url).bearer_auth(&t).send().await.unwrap().json().await.unwrap();
        jobs = body["jobs"].as_array().unwrap().clone();
        let done = |work: &str| jobs.iter().any(|j| j["year"] == 2021 && j["work"] == work && j["state"] == "done");
        if done("files") && done("outlooks") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The list is the process's: other tests' platforms publish 2021 at the same time, so a
    // job of theirs may still be running; this platform's are among the finished ones.
    let of = |work: &str| {
        let of_year = |j: &&serde_json::Value| j["year"] == 2021 && j["work"] == work;
        jobs.iter().filter(of_year).find(|j| j["state"] == "done").or(jobs.iter().find(of_year)).cloned()
    };
    let files = of("files").expect("the 2021 report files");
    assert_eq!(files["state"], "done", "{files}");
    assert!(files["started_at"].as_str().unwrap() <= files["finished_at"].as_str().unwrap(), "{files}");
    assert!(files["error"].is_null());
    // How far each got: the three files and their manifest stored; the analysis's last step.
    // (The list is the process's: other tests' platforms publish 2021 too, some with nothing
    // left to make.)
    let all = |work: &'static str| jobs.iter().filter(move |j| j["year"] == 2021 && j["work"] == work);
    let stored = serde_json::json!({ "step": "store", "done": 4, "total": 4 });
    assert!(all("files").any(|j| j["progress"] == stored), "{jobs:?}");
    assert!(files["elapsed_ms"].is_u64(), "{files}");
    let outlooks = of("outlooks").expect("the 2021 analysis");
    assert_eq!(outlooks["state"], "done", "{jobs:?}");
    assert!(all("outlooks").any(|j| j["progress"]["step"] == "store"), "{jobs:?}");
    assert!(outlooks["queued_at"].is_string(), "queued by the publication: {outlooks}");
    // Nothing to make for 2022 (no period): not listed as work done.
    assert!(!jobs.iter().any(|j| j["year"] == 2022 && j["work"] == "files"), "{jobs:?}");

    let page = admin.get("/quan-tri/cong-viec-nen").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<td>2021</td><td>Tệp báo cáo DOCX, XLSX, HTML</td><td>xong</td>"), "{}", page.body);
    assert!(page.body.contains("<td>2021</td><td>Phân tích sau công bố</td><td>xong</td>"), "{}", page.body);
    assert!(page.body.contains("<td>lưu tệp 4/4 (100 %)</td>"), "the progress shown: {}", page.body);
    assert!(page.body.contains("<th>Tiến độ</th><th>Thời gian</th>"), "{}", page.body);

    // The administrator's only.
    let mut viewer = Client::login(&app, "lanhdao", PW).await;
    assert_eq!(viewer.get("/quan-tri/cong-viec-nen").await.status, 403);
    let yte = token(&app.database, "yte").await;
    assert_eq!(http.get(&url).bearer_auth(&yte).send().await.unwrap().status(), 403);
    assert_eq!(http.get(&url).send().await.unwrap().status(), 401);
}

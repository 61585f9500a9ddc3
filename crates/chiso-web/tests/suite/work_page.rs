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
    // The job list is the process's: other tests' platforms publish 2021 at the same time
    // (some with nothing left to make), so this platform's jobs are the ones that did it all.
    let stored = serde_json::json!({ "step": "store", "done": 4, "total": 4 });
    let files_made = |j: &serde_json::Value| {
        j["year"] == 2021
            && j["work"] == "files"
            && j["state"] == "done"
            && j["error"].is_null()
            && j["progress"] == stored
            && j["elapsed_ms"].is_u64()
            && j["started_at"].as_str().is_some_and(|s| Some(s) <= j["finished_at"].as_str())
    };
    // The analysis: queued by the publication, done to its last step (storing the outlooks).
    let analysed = |j: &serde_json::Value| {
        j["year"] == 2021
            && j["work"] == "outlooks"
            && j["state"] == "done"
            && j["queued_at"].is_string()
            && j["progress"]["step"] == "store"
    };
    let mut jobs = Vec::new();
    for _ in 0..300 {
        let body: serde_json::Value = http.get(&url).bearer_auth(&t).send().await.unwrap().json().await.unwrap();
        jobs = body["jobs"].as_array().unwrap().clone();
        if jobs.iter().any(files_made) && jobs.iter().any(analysed) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(jobs.iter().any(files_made), "the 2021 report files, stored with their manifest: {jobs:?}");
    assert!(jobs.iter().any(analysed), "the 2021 analysis, queued by the publication: {jobs:?}");
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

/// Several servers on one database: another server's jobs are listed with its name; one still
/// running makes the page refresh itself, and one whose server stopped telling about it
/// shows as interrupted, saying why.
#[tokio::test]
async fn the_administrator_sees_every_servers_work() {
    let app = spawn(None).await;
    let mut admin = setup(&app).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database).await.unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let insert = "INSERT INTO background_jobs (server, id, year, work, state, step, done, total, started_at, \
                  since_ms, started_ms, heard_ms) VALUES ($1, $2, 2031, $3, 'running', $4, $5, $6, \
                  '2026-12-07T10:00:00Z', $7, $7, $8)";
    for (server, id, work, step, done, total, heard) in [
        ("may-chu-2:4242", 1, "pdf", "convert", 0, 1, now),
        ("may-chu-3:99", 7, "outlooks", "draws", 4_000, 10_000, now - 5 * 60_000),
    ] {
        sqlx::query(insert)
            .bind(server)
            .bind(id)
            .bind(work)
            .bind(step)
            .bind(done)
            .bind(total)
            .bind(now - 10 * 60_000)
            .bind(heard)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;

    let page = admin.get("/quan-tri/cong-viec-nen").await;
    assert_eq!(page.status, 200);
    let b = &page.body;
    assert!(b.contains("<th>Máy chủ</th>"), "{b}");
    assert!(
        b.contains(
            "<td>2031</td><td>Tệp báo cáo PDF</td><td>đang chạy</td><td>LibreOffice đang chuyển sang PDF 0/1 (0 %)</td>"
        ),
        "{b}"
    );
    assert!(b.contains("<td>may-chu-2:4242</td>"), "{b}");
    assert!(
        b.contains("<td>2031</td><td>Phân tích sau công bố</td><td class=\"error\">bị gián đoạn</td><td>lượt mô phỏng 4000/10000 (40 %)</td><td>300 giây</td>"),
        "the time it ran until last heard of: {b}"
    );
    assert!(b.contains("<td>may-chu-3:99</td><td>Máy chủ làm việc này đã ngừng"), "{b}");
    assert!(b.contains("data-refresh=\"5\""), "work still running: the page refreshes itself: {b}");
    assert!(b.contains("Trang tự cập nhật mỗi 5 giây"), "{b}");

    let t = token(&app.database, "admin").await;
    let url = format!("http://{}/api/v1/work", app.addr);
    let body: serde_json::Value =
        reqwest::Client::new().get(&url).bearer_auth(&t).send().await.unwrap().json().await.unwrap();
    let theirs: Vec<(&str, &str)> = body["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["year"] == 2031)
        .map(|j| (j["server"].as_str().unwrap(), j["state"].as_str().unwrap()))
        .collect();
    assert_eq!(theirs, [("may-chu-2:4242", "running"), ("may-chu-3:99", "interrupted")]);
    assert_ne!(body["server"], "may-chu-2:4242", "the answering server names itself");
}

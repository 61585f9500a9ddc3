//! The audit log at national size over HTTP: a page of 100 events at a time with links both
//! ways that keep the filters, filters by who, what, unit (by name or id), year and days,
//! the same paging in the JSON API, and the chain verified from its checkpoint on a page
//! load while a broken link is still reported.

use chiso_store::{NewEvent, Store};
use chiso_testkit::web as common;
use common::{setup, spawn, token};

/// The sequence numbers of the events a page lists, in order.
fn seqs(body: &str) -> Vec<i64> {
    body.split("<tr><td>").skip(1).filter_map(|r| r.split("</td>").next()?.parse().ok()).collect()
}

/// The address of a page link (`rel="next"`: older, `rel="prev"`: newer).
fn link(body: &str, rel: &str) -> Option<String> {
    let end = body.find(&format!("\" rel=\"{rel}\""))?;
    let start = body[..end].rfind("href=\"")? + 6;
    Some(body[start..end].replace("&amp;", "&"))
}

#[tokio::test]
async fn the_audit_log_pages_filters_and_verifies_from_its_checkpoint() {
    let app = spawn(None).await;
    let mut admin = setup(&app).await;
    let store = Store::open(&app.database).await.unwrap();
    // 240 answers by a reporter, a unit's every fourth.
    for i in 0..240 {
        let unit = if i % 4 == 0 { "so-y-te" } else { "so-tu-phap" };
        let e = NewEvent::new(
            "bao.cao",
            "answer.set",
            format!("answer/2021/department/{unit}/infra"),
            "",
            i.to_string(),
            "",
        );
        store.record(&e).await.unwrap();
    }
    let total = store.verify_chain().await.unwrap().unwrap() as i64;
    // The full verification above set the checkpoint; one more event after it.
    store.record(&NewEvent::new("admin", "document.put", "document/report/2021", "", "x", "")).await.unwrap();

    let first = admin.get("/quan-tri/nhat-ky").await;
    assert_eq!(first.status, 200);
    assert!(first.body.contains("Chuỗi nhật ký toàn vẹn"), "{}", first.body);
    // Only the event after the checkpoint was verified on this load.
    assert!(first.body.contains("lần này kiểm tra 1 sự kiện mới"), "{}", first.body);
    let page = seqs(&first.body);
    assert_eq!(page, ((total + 1 - 99)..=(total + 1)).rev().collect::<Vec<_>>());
    assert!(link(&first.body, "prev").is_none());
    let older = link(&first.body, "next").unwrap();
    let second = admin.get(&older).await;
    assert_eq!(seqs(&second.body)[0], total + 1 - 100);
    let newer = link(&second.body, "prev").unwrap();
    assert_eq!(seqs(&admin.get(&newer).await.body), page);

    // A unit by its name, a person and a year: the links keep the filters.
    let q = "/quan-tri/nhat-ky?nguoi=bao.cao&don-vi=S%E1%BB%9F+Y+t%E1%BA%BF&nam=2021";
    let unit = admin.get(q).await;
    assert_eq!(seqs(&unit.body).len(), 60, "{}", unit.body);
    assert!(!unit.body.contains("Sở Tư pháp"), "another unit listed");
    assert!(link(&unit.body, "next").is_none());
    let actions = admin.get("/quan-tri/nhat-ky?nguoi=bao.cao&thao-tac=answer.set").await;
    let next = link(&actions.body, "next").unwrap();
    assert!(next.contains("nguoi=bao.cao") && next.contains("thao-tac=answer.set"), "{next}");
    assert_eq!(seqs(&admin.get(&next).await.body).len(), 100);
    let none = admin.get("/quan-tri/nhat-ky?den=2000-01-01").await;
    assert!(none.body.contains("Không có sự kiện nào khớp bộ lọc."));
    let bad = admin.get("/quan-tri/nhat-ky?tu=2021-13-45").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("2021-13-45"), "{}", bad.body);

    // The JSON API pages the same way, in English names.
    let t = token(&app.database, "admin").await;
    let http = reqwest::Client::new();
    let get = |path: String| {
        let req = http.get(format!("http://{}/api/v1/audit{path}", app.addr)).bearer_auth(&t);
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, body) = get("?unit=so-y-te&actor=bao.cao".into()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["events"].as_array().unwrap().len(), 60);
    assert!(body["older"].is_null() && body["newer"].is_null());
    let (_, body) = get("?action=answer.set".into()).await;
    assert_eq!(body["events"].as_array().unwrap().len(), 100);
    let older = body["older"].as_i64().unwrap();
    let (_, body) = get(format!("?action=answer.set&before={older}")).await;
    assert_eq!(body["events"][0]["seq"].as_i64(), Some(older - 1));
    assert_eq!(body["newer"].as_i64(), Some(older - 1));
    assert_eq!(get("?from=someday".into()).await.0, 400);

    // An event after the checkpoint altered: the page load finds it.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database).await.unwrap();
    store.record(&NewEvent::new("admin", "document.put", "document/report/2022", "", "y", "")).await.unwrap();
    let (last,): (i64,) = sqlx::query_as("SELECT MAX(seq) FROM audit").fetch_one(&pool).await.unwrap();
    sqlx::query("UPDATE audit SET new_value = 'z' WHERE seq = $1").bind(last).execute(&pool).await.unwrap();
    let broken = admin.get("/quan-tri/nhat-ky").await.body;
    assert!(broken.contains(&format!("bị sửa đổi tại sự kiện {last}")), "{broken}");
    sqlx::query("UPDATE audit SET new_value = 'y' WHERE seq = $1").bind(last).execute(&pool).await.unwrap();
    assert!(admin.get("/quan-tri/nhat-ky").await.body.contains("toàn vẹn"));
    // An event before the checkpoint altered: a page load does not read it again; the full
    // verification the administrator asks for finds it.
    sqlx::query("UPDATE audit SET new_value = 'sua' WHERE seq = 3").execute(&pool).await.unwrap();
    assert!(admin.get("/quan-tri/nhat-ky").await.body.contains("toàn vẹn"));
    let full = admin.get("/quan-tri/nhat-ky?kiem-tra=day-du").await.body;
    assert!(full.contains("bị sửa đổi tại sự kiện 3"), "{full}");
    let (_, body) = get("?full=true".into()).await;
    assert_eq!((body["chain"]["intact"].as_bool(), body["chain"]["broken_at"].as_i64()), (Some(false), Some(3)));
    pool.close().await;
}

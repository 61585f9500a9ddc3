//! Data entry as the forms offer it: drafts the browser keeps, the conversation per
//! criterion, guidance and the running total.

use chiso_testkit::web as common;

use common::{Client, PW, setup, spawn};

#[tokio::test]
async fn forms_tell_the_browser_what_to_keep_as_a_draft() {
    let app = spawn(None).await;
    let _admin = setup(&app).await;
    let mut yte = Client::login(&app, "yte", PW).await;
    let path = "/nop/2021/department/so-y-te";
    // Keyed by the user and the form; the notice's words come from the server.
    let page = yte.get(path).await.body;
    assert!(
        page.contains(&format!(
            "action=\"{path}\" data-draft=\"yte {path}\" data-draft-restored=\"Đã khôi phục bản nháp chưa lưu"
        )),
        "{page}"
    );
    assert!(page.contains("data-draft-discard=\"Bỏ bản nháp\">"), "{page}");
    let script = yte.get("/tinh/chiso.js").await.body;
    assert!(script.contains("localStorage") && script.contains("data-draft-saved"), "{script}");

    // A refused save shows what was typed: the browser keeps it.
    let r = yte.post(path, &[("infra", "9"), ("action", "save")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("data-draft-refused"), "{}", r.body);
    // Once the server says it is saved, the draft is cleared.
    let r = yte.post(path, &[("infra", "7"), ("action", "save")]).await;
    let after = yte.get(r.location.as_deref().unwrap()).await.body;
    assert!(after.contains("data-draft-saved>"), "{after}");
    let all = [("infra", "7"), ("app", "14"), ("web", "18"), ("online_services", "3"), ("staff", "5"), ("policy", "4")];
    let r = yte.post(path, &[&all[..], &[("action", "submit")]].concat()).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let submitted = yte.get(r.location.as_deref().unwrap()).await.body;
    assert!(submitted.contains("data-draft-saved data-draft-readonly"), "cleared, never restored: {submitted}");
    assert!(yte.get(path).await.body.contains(" data-draft-readonly>"), "read-only once submitted");

    // The assessor's review form too, under the assessor's name.
    let mut ad = Client::login(&app, "thamdinh", PW).await;
    let review = ad.get("/tham-dinh/2021/department/so-y-te").await.body;
    assert!(review.contains("data-draft=\"thamdinh /tham-dinh/2021/department/so-y-te\""), "{review}");
    assert!(!review.contains("data-draft-readonly"), "{review}");

    // A lost session on a page that had just said "saved": back to the form, not to the
    // notice (which would clear the draft).
    let mut visitor = Client::new(&app);
    let r = visitor.get(&format!("{path}?xong=luu")).await;
    assert_eq!(r.status, 401);
    assert!(r.body.contains(&format!("href=\"/dang-nhap?tiep={path}\"")), "{}", r.body);
}

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
    assert!(page.contains("data-draft-discard=\"Bỏ bản nháp\""), "{page}");
    let script = yte.get("/tinh/chiso.js").await.body;
    assert!(script.contains("localStorage") && script.contains("data-draft-saved"), "{script}");

    // A refused save shows what was typed: the browser keeps it.
    let r = yte.post(path, &[("infra", "9"), ("action", "save")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("data-draft-refused"), "{}", r.body);
    // Once the server says it is saved, the draft is cleared.
    let r = yte.post(path, &[("infra", "7"), ("action", "save")]).await;
    let after = yte.get(r.location.as_deref().unwrap()).await.body;
    assert!(after.contains("data-draft-saved data-total="), "{after}");
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
    // Each field named by its criterion, never by its id, for the eye and for a screen reader.
    assert!(review.contains("aria-label=\"Giá trị thẩm định – Hạ tầng kỹ thuật CNTT\""), "{review}");
    assert!(!review.contains("(infra)") && !review.contains(" infra\""), "{review}");

    // Published before the deadline: the record says so with the deadline as people write it.
    let mut admin = Client::login(&app, "admin", &app.admin_password).await;
    admin.get("/quan-tri").await;
    let r = admin.post("/quan-tri/ky/2021/department/cong-bo", &[("reason", "Công bố sớm"), ("early", "1")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let ranking = admin.get("/ket-qua/2021/department").await.body;
    assert!(ranking.contains("hạn nộp 31/12/2099]") && !ranking.contains("2099-12-31"), "{ranking}");

    // A lost session on a page that had just said "saved": back to the form, not to the
    // notice (which would clear the draft).
    let mut visitor = Client::new(&app);
    let r = visitor.get(&format!("{path}?xong=luu")).await;
    assert_eq!(r.status, 401);
    assert!(r.body.contains(&format!("href=\"/dang-nhap?tiep={path}\"")), "{}", r.body);
}

#[tokio::test]
async fn each_criterion_has_one_conversation_both_sides_see() {
    let app = spawn(None).await;
    let _admin = setup(&app).await;
    let path = "/nop/2021/department/so-y-te";
    let mut yte = Client::login(&app, "yte", PW).await;
    yte.get(path).await;
    let figures =
        [("infra", "7,5"), ("app", "14"), ("web", "18"), ("online_services", "3"), ("staff", "5"), ("policy", "4")];
    let r = yte.post(path, &[&figures[..], &[("action", "submit")]].concat()).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The assessor adjusts with a reason, then asks on the same criterion; the unit replies.
    let review = "/tham-dinh/2021/department/so-y-te";
    let mut ad = Client::login(&app, "thamdinh", PW).await;
    assert!(ad.get(review).await.body.contains("Chưa có điều chỉnh, câu hỏi hay trả lời nào."));
    let r = ad
        .post(
            review,
            &[("verified.infra", "6"), ("reason.infra", "Máy chủ chưa <b>đưa vào</b> sử dụng"), ("action", "adjust")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = ad
        .post(review, &[("criterion", "infra"), ("question", "Đề nghị gửi biên bản nghiệm thu"), ("action", "ask")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    yte.get(path).await;
    let r = yte.post(&format!("{path}/tra-loi"), &[("criterion", "infra"), ("body", "Đã gửi biên bản kèm theo")]).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The unit's form: in the criterion's own box, in order, who, when (Vietnam's time), what.
    let form = yte.get(path).await.body;
    let infra = form.split("<legend>Hạ tầng kỹ thuật CNTT").nth(1).unwrap().split("</fieldset>").next().unwrap();
    let thread = infra.split("<div class=\"thread\">").nth(1).unwrap_or_else(|| panic!("no thread: {infra}"));
    let adjusted = thread
        .find("Điều chỉnh Hạ tầng kỹ thuật CNTT: 7,5 → 6. Lý do: Máy chủ chưa &lt;b&gt;đưa vào&lt;/b&gt; sử dụng");
    let asked = thread.find("Câu hỏi: Đề nghị gửi biên bản nghiệm thu");
    let replied = thread.find("Trả lời: Đã gửi biên bản kèm theo");
    assert!(adjusted.is_some() && asked.is_some() && replied.is_some(), "{thread}");
    assert!(adjusted < asked && asked < replied, "oldest first: {thread}");
    assert!(thread.contains("<strong>thamdinh</strong> (thẩm định) · "), "who, in what role: {thread}");
    let when = regex_like_time(thread);
    assert!(when, "dd/mm/yyyy HH:mm: {thread}");
    assert!(!thread.contains('Z') && !thread.contains("T0") && !thread.contains("T1"), "no ISO time: {thread}");
    let app_box =
        form.split("<legend>Ứng dụng CNTT trong hoạt động").nth(1).unwrap().split("</fieldset>").next().unwrap();
    assert!(!app_box.contains("class=\"thread\""), "only the criterion's own: {app_box}");

    // The assessor's page: the same thread under the criterion's name.
    let page = ad.get(review).await.body;
    let section = page.split("<h3>Hạ tầng kỹ thuật CNTT</h3>").nth(1).unwrap_or_else(|| panic!("{page}"));
    assert!(
        section.contains("Lý do: Máy chủ chưa &lt;b&gt;đưa vào&lt;/b&gt; sử dụng")
            && section.contains("Câu hỏi: Đề nghị gửi biên bản nghiệm thu")
            && section.contains("<strong>yte</strong> (báo cáo viên) · ")
            && section.contains("Trả lời: Đã gửi biên bản kèm theo"),
        "{section}"
    );

    // The JSON submission view, typed.
    let json: serde_json::Value =
        serde_json::from_str(&yte.get("/api/v1/periods/2021/department/units/so-y-te").await.body).unwrap();
    let c = json["conversation"].as_array().unwrap_or_else(|| panic!("{json}"));
    let kinds: Vec<&str> = c.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["adjustment", "question", "reply"], "{json}");
    assert_eq!(
        (c[0]["field"].as_str(), c[0]["from"].as_str(), c[0]["to"].as_str()),
        (Some("infra"), Some("7,5"), Some("6"))
    );
    assert_eq!(c[0]["text"], "Máy chủ chưa <b>đưa vào</b> sử dụng");
    assert_eq!((c[0]["author"].as_str(), c[0]["role"].as_str()), (Some("thamdinh"), Some("assessor")));
    assert_eq!(
        (c[2]["author"].as_str(), c[2]["role"].as_str(), c[2]["criterion"].as_str()),
        (Some("yte"), Some("reporter"), Some("infra"))
    );
}

/// Whether the text holds a time written `dd/mm/yyyy HH:mm`.
fn regex_like_time(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(15)).any(|i| {
        let w = &b[i..i + 16];
        let digits = [0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 14, 15];
        digits.iter().all(|&j| w[j].is_ascii_digit()) && w[2] == b'/' && w[5] == b'/' && w[10] == b' ' && w[13] == b':'
    })
}

#[tokio::test]
async fn the_form_guides_each_criterion_and_carries_what_the_running_total_needs() {
    let app = spawn(None).await;
    let _admin = setup(&app).await;
    let mut yte = Client::login(&app, "yte", PW).await;
    let page = yte.get("/nop/2021/department/so-y-te").await.body;
    let web = page.split("<legend>Cung cấp thông tin trên Trang thông tin điện tử").nth(1).unwrap();
    let web = web.split("</fieldset>").next().unwrap();
    // Its maximum, what it covers, how to fill it, what evidence is needed, from the framework.
    assert!(web.starts_with(" (tối đa 20)</legend>"), "{web}");
    assert!(
        web.contains(
            "<p class=\"hint\">Nhóm tiêu chí Cung cấp thông tin trên Trang thông tin điện tử của cơ quan nhà nước.</p>"
        ),
        "{web}"
    );
    assert!(web.contains("<strong>Hướng dẫn:</strong> Điểm tự đánh giá của nhóm tiêu chí theo Quy định đánh giá ban hành kèm theo Quyết định số 1513/QĐ-UBND"), "{web}");
    assert!(web.contains("<strong>Minh chứng cần có:</strong> Địa chỉ Trang thông tin điện tử của cơ quan"), "{web}");
    // The script's inputs: each criterion's rule and maximum, the total's maximum and levels.
    assert!(
        page.contains(
            "<fieldset data-rule=\"{&quot;type&quot;:&quot;direct&quot;}\" data-max=\"20\" data-na=\"forbidden\">"
        ),
        "{page}"
    );
    assert!(page.contains("data-max=\"6\" data-na=\"full-points\""), "{page}");
    assert!(page.contains(" data-total=\"60\" data-decimals=\"1\" data-levels=\"[{&quot;name&quot;:&quot;Mức I&quot;,&quot;min&quot;:&quot;54&quot;}"), "{page}");
    assert!(page.contains("data-total-label=\"Tổng điểm tạm tính\" data-level-label=\"Mức dự kiến\""), "{page}");
    assert!(page.contains("<output id=\"tam-tinh\" aria-live=\"polite\"></output>"), "{page}");
    let script = yte.get("/tinh/chiso.js").await.body;
    assert!(script.contains("form[data-total]") && script.contains("fieldset[data-rule]"), "{script}");

    // Read-only for the province's staff: no running total.
    let mut ad = Client::login(&app, "thamdinh", PW).await;
    let seen = ad.get("/nop/2021/department/so-y-te").await.body;
    assert!(!seen.contains("data-total=") && seen.contains("Minh chứng cần có"), "{seen}");
}

#[tokio::test]
async fn an_officer_changes_the_units_through_forms_and_reads_the_frameworks() {
    let app = spawn(None).await;
    let mut admin = setup(&app).await;
    let page = admin.get("/quan-tri/danh-muc").await.body;
    // Units as a table, lineage in words; frameworks as trees with maxima and levels.
    assert!(page.contains("<td>Huyện Quảng Hòa</td><td>"), "{page}");
    assert!(page.contains("sáp nhập từ Huyện Quảng Uyên, Huyện Phục Hòa (năm 2020)"), "{page}");
    assert!(page.contains("<li>Hạ tầng kỹ thuật CNTT (tối đa 8)</li>") && page.contains("Mức I: từ 54 điểm"), "{page}");

    let post = |what: &'static str, extra: Vec<(&'static str, &'static str)>| {
        let mut f = vec![("what", what), ("reason", "Quyết định của UBND tỉnh")];
        f.extend(extra);
        f
    };
    // Add, rename (with lineage), merge, retire.
    let r = admin
        .post(
            "/quan-tri/danh-muc/don-vi",
            &post("add", vec![("name", "Sở Du lịch"), ("kind", "department"), ("year", "2022")]),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = admin
        .post(
            "/quan-tri/danh-muc/don-vi",
            &post("rename", vec![("unit", "so-du-lich"), ("name", "Sở Văn hóa và Du lịch"), ("year", "2024")]),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = admin
        .post(
            "/quan-tri/danh-muc/don-vi",
            &post("merge", vec![("units", "so-y-te"), ("units", "so-tu-phap"), ("into", "so-y-te"), ("year", "2025")]),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r =
        admin.post("/quan-tri/danh-muc/don-vi", &post("retire", vec![("unit", "ban-dan-toc"), ("year", "2024")])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = admin.get("/quan-tri/danh-muc").await.body;
    assert!(
        page.contains("đổi tên từ Sở Du lịch (năm 2024)")
            && page.contains("trở thành Sở Văn hóa và Du lịch (năm 2024)"),
        "{page}"
    );
    assert!(page.contains("sáp nhập từ Sở Tư pháp (năm 2025)"), "{page}");
    let retired = page.split("<td>Ban Dân tộc</td>").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(retired.contains("<td class=\"n\">2024</td>"), "its last year: {retired}");
    let trail = admin.get("/quan-tri/nhat-ky").await.body;
    assert!(trail.matches("Quyết định của UBND tỉnh").count() >= 4, "every change on the record");

    // Refused in place, what was typed kept: a name another unit has, a merger of one.
    let r = admin
        .post(
            "/quan-tri/danh-muc/don-vi",
            &post("add", vec![("name", "Sở Y tế"), ("kind", "department"), ("year", "2026")]),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("role=\"alert\"") && r.body.contains("name=\"name\" value=\"Sở Y tế\""), "{}", r.body);
    let r = admin
        .post(
            "/quan-tri/danh-muc/don-vi",
            &post("merge", vec![("units", "so-y-te"), ("into", "so-y-te"), ("year", "2026")]),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Sáp nhập cần ít nhất hai đơn vị"), "{}", r.body);
    // A framework file still refused with its line.
    let r = admin
        .post(
            "/quan-tri/danh-muc",
            &[("what", "framework"), ("body", "id = \"x\"\nmax = \"abc\"\n"), ("reason", "thử")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("dòng") && r.body.contains("max = &quot;abc&quot;"), "{}", r.body);
}

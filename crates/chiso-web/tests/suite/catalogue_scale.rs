//! The administrator's catalogue at national size: 4,500 units loaded through the registry's
//! file; the catalogue page and the administration page stay small (no list of every unit),
//! the units are found by a name typed without diacritics and come 50 a page in Vietnamese
//! order with the search kept in the page links; a unit found by search is renamed, merged
//! with units typed by name, and a refused change comes back with what was typed.

use chiso_testkit::web as common;

use common::{Client, chosen_passwords, spawn_empty};

const UNITS: usize = 4_500;

/// Place names whose Vietnamese order differs from their bytes' (Ân after An, Đ after D).
const PLACES: [&str; 12] = [
    "Đồng Văn",
    "Dương Hòa",
    "Ân Thi",
    "An Lạc",
    "Bắc Sơn",
    "Bạch Đằng",
    "Ea Kar",
    "Ơn Đức",
    "Ô Lâm",
    "Ông Ích Khiêm",
    "Thạch An",
    "Tân Lập",
];

fn name(u: usize) -> String {
    format!("Xã {} {:04}", PLACES[u % PLACES.len()], u)
}

/// The communes, and a few departments (another kind, listed after them).
fn registry() -> String {
    let mut out: String = (1..=UNITS)
        .map(|u| format!("[[unit]]\nid = \"xa{u:04}\"\nname = \"{}\"\nkind = \"commune\"\n\n", name(u)))
        .collect();
    for (id, name) in [("so-y-te", "Sở Y tế"), ("so-tu-phap", "Sở Tư pháp"), ("ban-dan-toc", "Ban Dân tộc")]
    {
        out += &format!("[[unit]]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"department\"\n\n");
    }
    out
}

fn framework() -> String {
    "id = \"thu-xa\"\nname = \"Bộ chỉ số thử cấp xã\"\nlegal_basis = \"Thử nghiệm\"\nunit_kind = \"commune\"\n\
     years = { from = 2020 }\nmax = 10\n\n[rounding]\ndecimals = 2\nmode = \"half-up\"\nscope = \"criterion\"\n\
     percent_decimals = 1\n\n[[level]]\nname = \"Mức I\"\nmin = \"5\"\n\n[[criterion]]\nid = \"N1\"\nname = \"Nhóm 1\"\n\
     max = 10\n\n  [[criterion.criterion]]\n  id = \"N1_01\"\n  name = \"Chỉ số 1.1\"\n  max = 10\n  rule = \"direct\"\n"
        .to_string()
}

/// The units' names of a catalogue page's table, in order.
fn names(page: &str) -> Vec<String> {
    let Some(table) = page.split("<tbody>").nth(1).and_then(|t| t.split("</tbody>").next()) else { return vec![] };
    table.split("<tr><td>").skip(1).map(|row| row.split("</td>").next().unwrap().to_string()).collect()
}

/// An attribute's value after `after` in `page` (the first one), `&amp;` read as `&`.
fn href_after(page: &str, after: &str) -> String {
    let rest = page.split(after).nth(1).unwrap_or_else(|| panic!("{after} not in {page}"));
    rest.split("href=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&")
}

#[tokio::test]
async fn the_catalogue_of_a_national_registry_is_searched_and_paged_and_a_unit_found_by_search_is_renamed() {
    let app = spawn_empty().await;
    chosen_passwords(&app, &["admin"]).await;
    let mut admin = Client::login(&app, "admin", &app.admin_password).await;
    admin.get("/quan-tri/danh-muc").await;
    for (what, body) in [("framework", framework()), ("units", registry())] {
        let r =
            admin.post("/quan-tri/danh-muc", &[("what", what), ("body", &body), ("reason", "Danh mục quốc gia")]).await;
        assert_eq!(r.status, 303, "{what}: {}", r.body);
    }
    // A few reporters: the administration page does not list every unit for each of them.
    admin.get("/quan-tri").await;
    for (user, unit) in [("xa1", "xa0001"), ("xa2", "xa0002"), ("xa3", "xa0003")] {
        let r = admin
            .post(
                "/quan-tri/nguoi-dung",
                &[("username", user), ("password", "một câu dài dễ nhớ 2026"), ("role", "reporter"), ("units", unit)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }

    let page = admin.get("/quan-tri/danh-muc").await;
    assert_eq!(page.status, 200);
    let home = admin.get("/quan-tri").await;
    assert_eq!(home.status, 200);
    eprintln!("catalogue {} bytes, administration {} bytes", page.body.len(), home.body.len());
    assert!(page.body.len() < 120_000, "the catalogue page is {} bytes", page.body.len());
    assert!(home.body.len() < 60_000, "the administration page is {} bytes", home.body.len());
    assert!(!page.body.contains("<select name=\"unit\""), "no list of every unit");
    assert!(home.body.contains("Xã Ân Thi 0002") || home.body.contains("xa0002"), "a reporter's units still named");

    // The first page: 50 units in Vietnamese order; the next page goes on from there.
    let mut all: Vec<String> = (1..=UNITS).map(name).collect();
    all.sort_by(|a, b| chiso_domain::collate::compare_vi(a, b));
    let first = names(&page.body);
    assert_eq!(first, all[..50], "{}", page.body);
    assert!(page.body.contains(&format!("Tìm thấy {0}/{0} đơn vị.", UNITS + 3)), "how many units there are");
    let next = href_after(&page.body, "<nav class=\"pager\"");
    assert_eq!(next, "/quan-tri/danh-muc?trang=2");
    let second = admin.get(&next).await.body;
    assert_eq!(names(&second), all[50..100]);

    // Found by a name typed without diacritics, on any page of the matches, the search kept.
    let found = admin.get("/quan-tri/danh-muc?ten=dong+van").await.body;
    let mut matching: Vec<&String> = all.iter().filter(|n| n.starts_with("Xã Đồng Văn")).collect();
    matching.sort_by(|a, b| chiso_domain::collate::compare_vi(a, b));
    assert_eq!(names(&found).len(), 50);
    assert!(names(&found).iter().zip(&matching).all(|(a, b)| a == *b), "{found}");
    assert!(found.contains("value=\"dong van\""), "the search stays in its field: {found}");
    let next = href_after(&found, "<nav class=\"pager\"");
    assert_eq!(next, "/quan-tri/danh-muc?ten=dong%20van&trang=2");
    let later = admin.get(&next).await.body;
    assert_eq!(names(&later), matching[50..100].iter().map(|s| s.to_string()).collect::<Vec<_>>());
    // By kind, the kind kept in the page links.
    let departments = admin.get("/quan-tri/danh-muc?loai=department").await.body;
    assert_eq!(names(&departments), ["Ban Dân tộc", "Sở Tư pháp", "Sở Y tế"], "{departments}");
    let communes = admin.get("/quan-tri/danh-muc?ten=dong+van&loai=commune").await.body;
    assert_eq!(names(&communes), names(&found));
    assert!(communes.contains("<option value=\"commune\" selected>"), "{communes}");
    assert_eq!(href_after(&communes, "<nav class=\"pager\""), "/quan-tri/danh-muc?ten=dong%20van&loai=commune&trang=2");
    let one = admin.get("/quan-tri/danh-muc?ten=XA+DONG+VAN+0012").await.body;
    assert_eq!(names(&one), ["Xã Đồng Văn 0012"], "{one}");
    let none = admin.get("/quan-tri/danh-muc?ten=kh%C3%B4ng+c%C3%B3").await;
    assert_eq!(none.status, 200);
    assert!(names(&none.body).is_empty());

    // Renamed: the unit found by search, its change link, its forms.
    let change = href_after(&one, "Xã Đồng Văn 0012</td>");
    assert!(change.contains("don-vi=xa0012"), "{change}");
    let forms = admin.get(&change).await.body;
    assert!(forms.contains("<input type=\"hidden\" name=\"unit\" value=\"xa0012\">"), "{forms}");
    assert!(forms.len() < 120_000);
    // Refused (no year): the forms again for the same unit, what was typed kept.
    let r = admin
        .post(
            "/quan-tri/danh-muc/don-vi",
            &[("what", "rename"), ("unit", "xa0012"), ("name", "Phường Đồng Văn"), ("year", ""), ("reason", "NQ 1")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("role=\"alert\""), "{}", r.body);
    assert!(r.body.contains("<input type=\"hidden\" name=\"unit\" value=\"xa0012\">"), "{}", r.body);
    assert!(r.body.contains("value=\"Phường Đồng Văn\"") && r.body.contains("value=\"NQ 1\""), "{}", r.body);
    let r = admin
        .post(
            "/quan-tri/danh-muc/don-vi",
            &[
                ("what", "rename"),
                ("unit", "xa0012"),
                ("name", "Phường Đồng Văn"),
                ("year", "2026"),
                ("reason", "NQ 1"),
                ("ten", "dong van 0012"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Back to the list as searched, saying it was done.
    assert_eq!(r.location.as_deref(), Some("/quan-tri/danh-muc?xong=danh-muc&ten=dong%20van%200012"));
    let renamed = admin.get("/quan-tri/danh-muc?ten=phuong+dong+van").await.body;
    assert_eq!(names(&renamed), ["Phường Đồng Văn"], "{renamed}");
    assert!(renamed.contains("đổi tên từ Xã Đồng Văn 0012 (năm 2026)"), "{renamed}");

    // Merged: units typed by name (without diacritics) or code into the unit found by search.
    let into = admin.get("/quan-tri/danh-muc?don-vi=xa0024").await.body;
    assert!(into.contains("Xã Đồng Văn 0024"), "{into}");
    let merge = |others: &'static str| {
        vec![
            ("what", "merge"),
            ("into", "xa0024"),
            ("units", "xa0024"),
            ("others", others),
            ("year", "2026"),
            ("reason", "NQ 2"),
        ]
    };
    let r = admin.post("/quan-tri/danh-muc/don-vi", &merge("xa thach an 0010\r\nkhông có")).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("không có"), "the name not found is named: {}", r.body);
    assert!(
        r.body.contains("xa thach an 0010\r\nkhông có</textarea>")
            || r.body.contains("xa thach an 0010\nkhông có</textarea>"),
        "{}",
        r.body
    );
    let r = admin.post("/quan-tri/danh-muc/don-vi", &merge("xa thach an 0010\r\nxa0036")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let merged = admin.get("/quan-tri/danh-muc?ten=0024").await.body;
    assert!(merged.contains("sáp nhập từ Xã Thạch An 0010, Xã Đồng Văn 0036 (năm 2026)"), "{merged}");

    // The administration page: the units of a reporter typed as codes; past 50 users, a page
    // of them, found by name or by their units' names typed without diacritics.
    let store = chiso_store::Store::open(&app.database).await.unwrap();
    for u in 100..220 {
        store
            .create_user(&format!("bc{u:04}"), "x", chiso_store::Role::Reporter, &[format!("xa{u:04}")], "admin", true)
            .await
            .unwrap();
    }
    store.close().await;
    let home = admin.get("/quan-tri").await.body;
    eprintln!("administration with {} users: {} bytes", 120 + 4, home.len());
    assert!(home.len() < 100_000, "the administration page is {} bytes", home.len());
    assert!(home.contains("Tìm thấy 124/124 người dùng.") && home.contains("Trang 1/3"), "{home}");
    assert!(!home.contains("<select name=\"unit\""), "no list of every unit: {home}");
    let rows = |page: &str| {
        page.split("id=\"nguoi-dung\"").nth(1).unwrap().split("</table>").next().unwrap().matches("<tr><td>").count()
    };
    assert_eq!(rows(&home), 50);
    let found = admin.get("/quan-tri?nguoi=an+lac+0111").await.body;
    assert_eq!(rows(&found), 1, "{found}");
    assert!(found.contains("<td>bc0111</td>") && found.contains("name=\"units\" value=\"xa0111\""), "{found}");
    let r = admin.post("/quan-tri/nguoi-dung/don-vi", &[("username", "bc0199"), ("units", "xa0199, khong-co")]).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(rows(&r.body), 1, "the user whose change was refused: {}", r.body);
    assert!(r.body.contains("<td>bc0199</td>") && r.body.contains("value=\"xa0199, khong-co\""), "{}", r.body);
    assert!(r.body.contains("khong-co") && r.body.contains("role=\"alert\""), "{}", r.body);
    let r = admin.post("/quan-tri/nguoi-dung/don-vi", &[("username", "bc0199"), ("units", "xa0199, xa0200")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let found = admin.get("/quan-tri?nguoi=bc0199").await.body;
    assert!(found.contains("name=\"units\" value=\"xa0199; xa0200\""), "{found}");
    // By name, as typed on any keyboard: the units' names, not only their codes.
    let r = admin
        .post("/quan-tri/nguoi-dung/don-vi", &[("username", "bc0199"), ("units", "xa on duc 0199; Xã Ô Lâm 0200")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let found = admin.get("/quan-tri?nguoi=bc0199").await.body;
    assert!(found.contains("Xã Ơn Đức 0199, Xã Ô Lâm 0200<details>"), "{found}");

    // In English too.
    admin.get("/ngon-ngu/en").await;
    let en = admin.get("/quan-tri/danh-muc?ten=an+thi&trang=2").await.body;
    assert!(en.contains("Page 2 of "), "{en}");
    assert_eq!(names(&en).len(), 50);
}

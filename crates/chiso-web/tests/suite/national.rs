//! The platform with more units than a province (issue 18): a generated registry of 1,200
//! communes and a framework of 33 criteria, loaded on an empty start; the all-units
//! template goes round trip in one file (more sheets than any other workbook may hold),
//! submitted on the units' behalf; the missing list of a current period names every unit;
//! the public ranking comes a page at a time, filtered, a group's criteria on demand, its
//! full table as CSV and XLSX.

use chiso_testkit::web as common;

use common::{Client, chosen_passwords, spawn_empty};
use serde_json::Value;

const UNITS: usize = 1_200;
const KIND: &str = "commune";

fn framework() -> String {
    let mut out = String::from(
        "id = \"thu-quoc-gia\"\nname = \"Bộ chỉ số thử quốc gia\"\nlegal_basis = \"Thử nghiệm\"\nunit_kind = \"commune\"\n\
         years = { from = 2020 }\nmax = 30\n\n[rounding]\ndecimals = 2\nmode = \"half-up\"\nscope = \"criterion\"\npercent_decimals = 1\n\n\
         [[level]]\nname = \"Mức I\"\nmin = \"20\"\n\n[[level]]\nname = \"Mức II\"\nmin = \"10\"\n",
    );
    for g in 1..=3 {
        out += &format!("\n[[criterion]]\nid = \"N{g}\"\nname = \"Nhóm {g}\"\nmax = 10\n");
        for l in 1..=10 {
            out += &format!(
                "\n  [[criterion.criterion]]\n  id = \"N{g}_{l:02}\"\n  name = \"Chỉ số {g}.{l}\"\n  max = 1\n  rule = \"direct\"\n"
            );
        }
    }
    out
}

fn registry() -> String {
    (1..=UNITS)
        .map(|u| format!("[[unit]]\nid = \"xa{u:04}\"\nname = \"Xã Thử {u:04}\"\nkind = \"{KIND}\"\n\n"))
        .collect()
}

/// Unit `u`'s figure for a leaf: distinct totals, so that ranks follow the unit's number.
fn figure(u: usize, field: &str) -> String {
    let leaf: usize = field.rsplit('_').next().and_then(|x| x.parse().ok()).unwrap_or(0);
    let hundredths = (u * 7 + leaf * 13) % 100;
    format!("0.{hundredths:02}")
}

#[tokio::test]
async fn a_national_registry_goes_round_trip_through_one_workbook_and_its_ranking_comes_a_page_at_a_time() {
    let app = spawn_empty().await;
    chosen_passwords(&app, &["admin"]).await;
    let mut admin = Client::login(&app, "admin", &app.admin_password).await;
    admin.get("/quan-tri/danh-muc").await;
    let (fw_text, units_text) = (framework(), registry());
    for (what, body) in [("framework", &fw_text), ("units", &units_text)] {
        let r =
            admin.post("/quan-tri/danh-muc", &[("what", what), ("body", body), ("reason", "Danh mục quốc gia")]).await;
        assert_eq!(r.status, 303, "{what}: {}", r.body);
    }
    admin.get("/quan-tri").await;
    let r = admin.post("/quan-tri/ky", &[("year", "2022"), ("framework", "thu-quoc-gia"), ("history", "1")]).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The template of every unit: one sheet each, more parts than any other workbook may hold.
    let template = admin.get("/quan-tri/ky/2022/commune/mau-phieu.xlsx").await;
    assert_eq!(template.status, 200);
    let bytes = template.bytes.clone();
    assert!(chiso_data::xlsx::check_archive(&bytes).is_err(), "more parts than any other workbook may hold");
    assert_eq!(chiso_data::xlsx::check_archive_within(&bytes, chiso_data::template::limits(UNITS, 30)), Ok(()));
    // Filled as a spreadsheet would: the same sheets with every input cell typed.
    let fw = chiso_data::framework_toml::parse("fw.toml", &fw_text).unwrap();
    let registry = chiso_data::units_toml::parse("units.toml", &units_text).unwrap();
    let units: Vec<_> = registry.of_kind(KIND, 2022).collect();
    let number = |id: &chiso_domain::UnitId| id.0[2..].parse::<usize>().unwrap();
    let filled = chiso_data::template::write_filled(&fw, 2022, &units, &|u, f| Some(figure(number(u), f))).unwrap();
    let excel = admin.get("/quan-tri/ky/2022/commune/excel").await.body;
    let csrf = excel.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = admin
        .multipart(
            "/quan-tri/ky/2022/commune/excel",
            &[("csrf", &csrf), ("on_behalf", "1"), ("reason", "Số liệu tổng hợp của Bộ")],
            Some(("so-lieu-2022.xlsx", filled)),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let store = chiso_store::Store::open(&app.database).await.unwrap();
    let subs = store.submissions(2022, KIND).await.unwrap();
    assert_eq!(subs.len(), UNITS);
    assert!(subs.iter().all(|s| s.status == chiso_domain::SubmissionStatus::Submitted));
    assert_eq!(store.period_answers(2022, KIND).await.unwrap().len(), UNITS * 30);
    let xa7 = store.answers(2022, KIND, "xa0007").await.unwrap();
    assert_eq!(xa7.iter().find(|a| a.field == "N2_03").unwrap().value, figure(7, "N2_03"));
    assert_eq!(store.replay().await.unwrap().discrepancies, vec![]);

    // A current period nobody reported in: its missing list is every unit, in order.
    let year = chiso_app::today().year().to_string();
    let r =
        admin.post("/quan-tri/ky", &[("year", &year), ("framework", "thu-quoc-gia"), ("deadline", "2099-12-31")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let missing = admin.get(&format!("/quan-tri/ky/{year}/commune/chua-nop.csv")).await.body;
    assert_eq!(missing.lines().count(), UNITS + 1, "{}", &missing[..200]);
    assert!(missing.lines().nth(1).unwrap().starts_with("Xã Thử 0001"), "{}", &missing[..200]);
    let home = admin.get("/quan-tri").await.body;
    assert!(home.contains("Xã Thử 0001; Xã Thử 0002; Xã Thử 0003"), "{home}");

    let r = admin.post("/quan-tri/ky/2022/commune/cong-bo", &[("reason", "Công bố số liệu lịch sử")]).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The ranking a page at a time: 50 rows, the groups as columns, their criteria on demand.
    let mut visitor = Client::new(&app);
    let first = visitor.get("/ket-qua/2022/commune").await;
    assert_eq!(first.status, 200);
    let rows = |body: &str| body.matches("<tr><td class=\"n\">").count();
    assert_eq!(rows(&first.body), 50, "{}", first.body);
    assert!(first.body.contains("Trang 1/24"), "{}", first.body);
    assert!(first.body.contains("?nhom=N2\" aria-expanded=\"false\">Nhóm 2 +</a>"), "{}", first.body);
    assert!(!first.body.contains("<th>Chỉ số 2.3</th>"), "a group's criteria only on demand");
    assert!(first.body.contains("href=\"/ket-qua/2022/commune?trang=2\""), "{}", first.body);
    let second = visitor.get("/ket-qua/2022/commune?trang=2").await.body;
    assert_eq!(rows(&second), 50);
    assert!(
        second.contains("Trang 2/24") && second.contains("rel=\"prev\"") || second.contains("Trang trước"),
        "{second}"
    );
    let first_of = |body: &str| body.split("<tbody><tr>").nth(1).unwrap().split("</tr>").next().unwrap().to_string();
    assert!(!first.body.contains(&first_of(&second)), "page 2 starts after page 1");
    let open = visitor.get("/ket-qua/2022/commune?nhom=N2").await.body;
    assert!(open.contains("<th>Chỉ số 2.3</th>") && !open.contains("<th>Chỉ số 1.3</th>"), "{open}");
    // By name and by level, through every page.
    let one = visitor.get("/ket-qua/2022/commune?ten=th%E1%BB%AD+0042").await.body;
    assert_eq!(rows(&one), 1, "{one}");
    assert!(one.contains("href=\"/don-vi/xa0042\">Xã Thử 0042</a>"), "{one}");
    assert!(one.contains("Đang hiển thị 1/1200 đơn vị."), "{one}");
    let level = visitor.get("/ket-qua/2022/commune?muc=M%E1%BB%A9c+I").await.body;
    assert!(rows(&level) <= 50 && !level.contains("<td>Mức II</td>"), "{level}");
    let past_end = visitor.get("/ket-qua/2022/commune?trang=999").await;
    assert_eq!(past_end.status, 200);
    assert!(past_end.body.contains("Trang 24/24"), "{}", past_end.body);

    // The full table: every unit and every criterion.
    let csv = visitor.get("/ket-qua/2022/commune/csv").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.lines().count(), UNITS + 1);
    assert!(csv.body.lines().next().unwrap().contains("Chỉ số 3.10"), "{}", &csv.body[..300]);
    let xlsx = visitor.get("/ket-qua/2022/commune/xlsx").await;
    assert_eq!(xlsx.status, 200);
    let book = chiso_data::table::parse_xlsx("ket-qua.xlsx", &xlsx.bytes, None).unwrap();
    assert_eq!(book.rows.len(), UNITS + 1);

    // A unit's page: its year, its groups.
    let unit = visitor.get("/don-vi/xa0042").await;
    assert_eq!(unit.status, 200);
    assert!(unit.body.contains("Xã Thử 0042") && unit.body.contains("Nhóm 3"), "{}", unit.body);
    let api: Value =
        serde_json::from_str(&visitor.get("/api/v1/periods/2022/results?kind=commune").await.body).unwrap();
    assert_eq!(api["results"].as_array().map(Vec::len), Some(UNITS));
    store.close().await;
}

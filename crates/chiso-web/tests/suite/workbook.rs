//! Excel round trip on the platform: a reporter downloads the template, uploads it filled
//! in (every bad workbook refused with nothing written), the administrator uploads many
//! units at once and exports the figures in the layout the import reads.

use chiso_testkit::web as common;

use chiso_data::template::{self, Stamp};
use chiso_data::{Dataset, export, import};
use chiso_domain::framework::Framework;
use chiso_domain::unit::{Registry, UnitId};
use common::{App, Client, spawn};
use std::collections::HashMap;
use std::path::Path;

const PW: &str = "mat-khau-du-dai";

fn cao_bang() -> Dataset {
    Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang")).unwrap()
}

async fn setup(app: &App) -> Client {
    let mut admin = Client::login(app, "admin", &app.admin_password).await;
    admin.get("/quan-tri").await;
    let r = admin
        .post(
            "/quan-tri/ky",
            &[("year", "2021"), ("framework", "cao-bang-1513-department"), ("deadline", "2099-12-31")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    for (name, units) in [("yte", "so-y-te"), ("tuphap", "so-tu-phap")] {
        let r = admin
            .post(
                "/quan-tri/nguoi-dung",
                &[("username", name), ("password", PW), ("role", "reporter"), ("units", units)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    admin
}

const YTE: [(&str, &str); 6] =
    [("infra", "7,5"), ("app", "14"), ("web", "18"), ("online_services", "3.2"), ("staff", "5"), ("policy", "4")];

fn filled(fw: &Framework, reg: &Registry, year: i32, units: &[&str], values: &[(&str, &str)]) -> Vec<u8> {
    let units: Vec<_> = units.iter().map(|u| reg.get(&UnitId(u.to_string())).unwrap()).collect();
    let values: HashMap<String, String> = values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    template::write_filled(fw, year, &units, &|_, f| values.get(f).cloned()).unwrap()
}

fn events(log: &str) -> usize {
    log.matches("<tr>").count()
}

#[tokio::test]
async fn reporter_and_administrator_round_trip_through_excel() {
    let app = spawn(None).await;
    let mut admin = setup(&app).await;
    let ds = cao_bang();
    let (fw, _) = ds.period(2020, "department").unwrap();
    let reg = &ds.registry;
    let mut yte = Client::login(&app, "yte", PW).await;
    let page = yte.get("/nop/2021/department/so-y-te/excel").await;
    assert!(page.body.contains("/nop/2021/department/so-y-te/mau-phieu.xlsx"), "{}", page.body);
    let t = yte.get("/nop/2021/department/so-y-te/mau-phieu.xlsx").await;
    assert_eq!(t.status, 200);
    let empty = template::read("t.xlsx", &t.bytes, fw, reg, 2021, None).unwrap();
    assert_eq!((empty.rows.len(), empty.rows[0].unit.0.as_str()), (1, "so-y-te"));
    assert_eq!(yte.get("/nop/2021/department/so-tu-phap/mau-phieu.xlsx").await.status, 403);

    // Every bad workbook: 422, the reason, and nothing written.
    let log_before = events(&admin.get("/quan-tri/nhat-ky").await.body);
    let mut out_of_range = YTE.to_vec();
    out_of_range[0] = ("infra", "9");
    let mut text = YTE.to_vec();
    text[1] = ("app", "mười bốn");
    let mut other_version = fw.clone();
    other_version.criteria[1].not_applicable = chiso_domain::framework::NotApplicable::Zero;
    // A row deleted: the template's layout with the stamp, less the row of `web`.
    let stamp = Stamp {
        framework: fw.id.clone(),
        version: template::fingerprint(fw),
        year: 2021,
        kind: "department".into(),
        unit: "so-y-te".into(),
    };
    let mut rows = vec![vec![String::new(); 8]; 4];
    rows[0][7] = stamp.text();
    for (f, v) in YTE.iter().filter(|(f, _)| *f != "web") {
        let mut r = vec![String::new(); 8];
        (r[6], r[7]) = (v.to_string(), f.to_string());
        rows.push(r);
    }
    let deleted = export::xlsx(&rows, "x").unwrap();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (filled(fw, reg, 2021, &["so-tu-phap"], &YTE), "chỉ được nhập số liệu cho đơn vị “Sở Y tế”"),
        (
            filled(fw, reg, 2021, &["so-y-te"], &out_of_range),
            "trang tính \"Sở Y tế\", dòng 5, cột G (infra), giá trị \"9\": infra: điểm 9 vượt điểm tối đa 8",
        ),
        (filled(fw, reg, 2021, &["so-y-te"], &text), "cột G (app), giá trị \"mười bốn\": không phải là số"),
        (
            filled(fw, reg, 2020, &["so-y-te"], &YTE),
            "mẫu phiếu của kỳ đánh giá khác (department 2020), không phải năm 2021",
        ),
        (filled(&other_version, reg, 2021, &["so-y-te"], &YTE), "hãy tải mẫu phiếu mới"),
        (deleted, "dòng của tiêu chí web đã bị xóa khỏi mẫu phiếu"),
        (b"PK\x03\x04 not a workbook".to_vec(), "không đọc được tệp"),
    ];
    for (bytes, message) in cases {
        let r = yte.upload("/nop/2021/department/so-y-te/excel", "", "so-lieu.xlsx", bytes).await;
        assert_eq!(r.status, 422, "{message}: {}", r.body);
        let body = r.body.replace("&quot;", "\"");
        assert!(body.contains(message), "{message}: {body}");
        assert!(body.contains("chưa có số liệu nào được ghi"), "{body}");
    }
    assert!(yte.get("/nop/2021/department/so-y-te").await.body.contains("name=\"infra\" value=\"\""));
    assert_eq!(events(&admin.get("/quan-tri/nhat-ky").await.body), log_before);

    // A valid workbook: a draft with the values as typed, recorded as an import.
    let r = yte
        .upload("/nop/2021/department/so-y-te/excel", "", "so-lieu.xlsx", filled(fw, reg, 2021, &["so-y-te"], &YTE))
        .await;
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/nop/2021/department/so-y-te?xong=excel")), "{}", r.body);
    let form = yte.get("/nop/2021/department/so-y-te?xong=excel").await.body;
    assert!(form.contains("Đã nhập số liệu từ tệp Excel (bản nháp)."), "the form says what was done");
    assert!(form.contains("name=\"infra\" value=\"7,5\"") && form.contains("name=\"app\" value=\"14\""), "{form}");
    assert!(form.contains("Nộp báo cáo"), "still a draft");
    assert!(admin.get("/quan-tri/nhat-ky").await.body.contains("Nhập từ tệp Excel so-lieu.xlsx"));
    // The downloaded template now carries the draft.
    let again = yte.get("/nop/2021/department/so-y-te/mau-phieu.xlsx").await;
    let cells = &template::read("t.xlsx", &again.bytes, fw, reg, 2021, None).unwrap().cells[0].1;
    assert!(cells.contains(&("infra".to_string(), "7,5".to_string())), "{cells:?}");

    // Submitted: no more imports into it.
    let mut f: Vec<(&str, &str)> = YTE.to_vec();
    f.push(("action", "submit"));
    assert_eq!(yte.post("/nop/2021/department/so-y-te", &f).await.status, 303);
    let r = yte
        .upload("/nop/2021/department/so-y-te/excel", "", "so-lieu.xlsx", filled(fw, reg, 2021, &["so-y-te"], &YTE))
        .await;
    assert_eq!(r.status, 409, "{}", r.body);

    // The administrator: many units at once; a submitted unit in the file refuses it all.
    let all = admin.get("/quan-tri/ky/2021/department/mau-phieu.xlsx").await;
    assert_eq!(template::read("t.xlsx", &all.bytes, fw, reg, 2021, None).unwrap().rows.len(), 20);
    admin.get("/quan-tri/ky/2021/department/excel").await;
    let two = filled(fw, reg, 2021, &["so-tu-phap", "so-noi-vu"], &YTE);
    let three = filled(fw, reg, 2021, &["so-tu-phap", "so-noi-vu", "so-y-te"], &YTE);
    let r = admin.upload("/quan-tri/ky/2021/department/excel", "", "ba-don-vi.xlsx", three).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Sở Y tế: báo cáo đã nộp"), "{}", r.body);
    let mut tuphap = Client::login(&app, "tuphap", PW).await;
    assert!(tuphap.get("/nop/2021/department/so-tu-phap").await.body.contains("name=\"infra\" value=\"\""));
    let r = admin.upload("/quan-tri/ky/2021/department/excel", "", "hai-don-vi.xlsx", two).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(tuphap.get("/nop/2021/department/so-tu-phap").await.body.contains("name=\"infra\" value=\"7,5\""));
    // On the record once per unit, every figure by its criterion's name: in the log (cut
    // short) and in full on the unit's page, for its reporter.
    let log = admin.get("/quan-tri/nhat-ky").await.body;
    assert!(log.contains("Nhập số liệu từ tệp") && log.contains("6 số liệu: "), "{log}");
    let trail = tuphap.get("/don-vi/so-tu-phap").await.body;
    let import = trail.split("<tr>").find(|r| r.contains("Nhập số liệu từ tệp")).unwrap_or_default();
    assert!(import.contains("<td class=\"long\">6 số liệu:<br>"), "one figure a line, readable on a phone: {import}");
    assert!(import.contains(" = 7,5;<br>") && import.contains(" = 3,2"), "{trail}");
    assert!(!import.contains("online_services"), "criteria by name, not by id: {import}");
    assert_eq!(tuphap.upload("/quan-tri/ky/2021/department/excel", "", "x.xlsx", vec![]).await.status, 403);

    // Export: the submitted figures, scores and results, in the layout the import reads.
    let csv = admin.get("/quan-tri/ky/2021/department/xuat/csv").await;
    assert_eq!(csv.status, 200);
    let t = chiso_data::table::parse_csv("x.csv", &csv.bytes).unwrap();
    assert!(t.rows[0].iter().any(|h| h == "[tổng điểm]"));
    let t = export::strip_results(t);
    let rows = import::import(&t, fw, reg, 2021).unwrap();
    let yte_row = rows.iter().find(|r| r.unit.0 == "so-y-te").unwrap();
    assert!(yte_row.submission.is_some());
    assert_eq!(rows.iter().filter(|r| r.submission.is_some()).count(), 1, "drafts are not counted");
    let xlsx = admin.get("/quan-tri/ky/2021/department/xuat/xlsx").await;
    assert!(xlsx.bytes.starts_with(b"PK"));
}

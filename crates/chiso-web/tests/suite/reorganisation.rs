//! A province after a reorganisation, on the platform: the administrator adds the 2025
//! mergers to the catalogue, two years are entered and published through the JSON API, and
//! every comparison says what it compares (a department that absorbed another continues
//! itself, a renamed one its former self, a merged one its predecessors combined, one
//! without data none), with the same comparable count in the API, the unit's page and the
//! report made at publication.

use chiso_testkit::web as common;

use common::{App, CACHE_TTL, Client, PW, chosen_passwords, spawn, token};
use serde_json::{Value, json};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/cao-bang");

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
}

/// One CSV line's cells ("…" around a name with a comma).
fn cells(line: &str) -> Vec<String> {
    let (mut out, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    out.push(cell);
    out
}

/// Opens `year` for the departments, has every unit of the CSV submit its figures (named as
/// the CSV names them, found through the period's list of missing units) and publishes.
async fn enter_year(admin: &Api, reporter: &Api, year: i32, csv: &str) {
    let (s, b) = admin
        .post(
            "/api/v1/periods",
            json!({ "year": year.to_string(), "framework": "cao-bang-1513-department", "deadline": "2099-12-31" }),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, missing) =
        admin.send(reqwest::Method::GET, &format!("/api/v1/periods/{year}/department/missing"), None).await;
    assert_eq!(s, 200, "{missing}");
    let ids: Vec<(String, String)> = missing["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap().to_string(), m["unit"].as_str().unwrap().to_string()))
        .collect();
    let text = std::fs::read_to_string(format!("{DATA}/periods/{csv}")).unwrap();
    let mut lines = text.lines();
    let header = cells(lines.next().unwrap());
    for line in lines {
        let cells = cells(line);
        let id = &ids.iter().find(|(name, _)| *name == cells[0]).unwrap_or_else(|| panic!("{} in {year}", cells[0])).1;
        let (mut values, mut na) = (json!({}), json!({}));
        for (field, value) in header[1..].iter().zip(&cells[1..]) {
            if value == "N/A" {
                na[field] = json!("Không có thủ tục hành chính");
            } else {
                values[field] = json!(value);
            }
        }
        let body = json!({ "values": values, "not_applicable": na, "submit": true });
        let (s, b) = reporter
            .send(reqwest::Method::PUT, &format!("/api/v1/periods/{year}/department/units/{id}"), Some(body))
            .await;
        assert_eq!(s, 200, "{id} {year}: {b}");
    }
    let (s, b) = admin
        .post(
            &format!("/api/v1/periods/{year}/department/publish"),
            json!({ "reason": format!("Công bố kết quả năm {year}"), "early": true }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

async fn moves(app: &App, year: i32) -> Value {
    let mut visitor = Client::new(app);
    // Computed by the report worker after publication.
    for _ in 0..300 {
        let r = visitor.get(&format!("/api/v1/periods/{year}/moves?kind=department")).await;
        if r.status == 200 {
            return serde_json::from_str(&r.body).unwrap();
        }
        assert_eq!(r.status, 503, "{}", r.body);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the moves of {year} were not computed");
}

#[tokio::test]
async fn a_year_after_the_mergers_is_compared_as_each_unit_declares() {
    let app = spawn(None).await;
    chosen_passwords(&app, &["admin"]).await;
    let http = reqwest::Client::new();
    let base = format!("http://{}", app.addr);
    let admin = Api { http: http.clone(), base: base.clone(), token: token(&app.database, "admin").await };

    // The catalogue's units, with the 2025 mergers declared after them.
    let units = format!(
        "{}\n{}",
        std::fs::read_to_string(format!("{DATA}/units.toml")).unwrap(),
        std::fs::read_to_string(format!("{DATA}/units-2025.toml")).unwrap()
    );
    let (s, b) = admin
        .post("/api/v1/catalogue", json!({ "what": "units", "body": units, "reason": "Sắp xếp các sở từ 01/3/2025" }))
        .await;
    assert_eq!(s, 200, "{b}");

    // One reporter for every department of both years (test figures: 2024 as the 2020 report
    // printed them, 2025 the illustrative ones shipped with the data).
    let all = "ban-dan-toc,ban-quan-ly-khu-kinh-te,so-cong-thuong,so-giao-duc-dao-tao,so-giao-thong-van-tai,\
               so-ke-hoach-dau-tu,so-khoa-hoc-cong-nghe,so-lao-dong-thuong-binh-xa-hoi,so-ngoai-vu,\
               so-nong-nghiep-phat-trien-nong-thon,so-noi-vu,so-tai-chinh,so-tai-nguyen-moi-truong,\
               so-thong-tin-truyen-thong,so-tu-phap,so-van-hoa-the-thao-du-lich,so-xay-dung,so-y-te,thanh-tra-tinh,\
               van-phong-ubnd-tinh,so-nong-nghiep-moi-truong,so-dan-toc-ton-giao";
    let (s, b) = admin
        .post("/api/v1/users", json!({ "username": "nhaplieu", "password": PW, "role": "reporter", "units": all }))
        .await;
    assert_eq!(s, 201, "{b}");
    chosen_passwords(&app, &["nhaplieu"]).await;
    let reporter = Api { http, base, token: token(&app.database, "nhaplieu").await };

    enter_year(&admin, &reporter, 2024, "2020-department.csv").await;
    enter_year(&admin, &reporter, 2025, "2025-department.csv").await;

    let v = moves(&app, 2025).await;
    let moves = v["moves"].as_array().unwrap();
    let of = |id: &str| moves.iter().find(|m| m["unit"] == id).unwrap_or_else(|| panic!("{id}: {v}"));
    assert_eq!(of("so-nong-nghiep-moi-truong")["method"], "combined");
    assert_eq!(of("so-dan-toc-ton-giao")["method"], "continues");
    assert_eq!(of("so-tai-chinh")["method"], "continues");
    assert_eq!(of("so-y-te")["method"], "same");
    assert!(of("so-dan-toc-ton-giao")["vi"][0].as_str().unwrap().starts_with("so với Ban Dân tộc năm 2024"));
    // Fourteen departments have 2025 figures and a declared comparison; Ngoại vụ has none.
    assert!(!moves.iter().any(|m| m["unit"] == "so-ngoai-vu" && m["rank_change"].is_i64()));
    for m in moves.iter().filter(|m| m["rank_change"].is_i64()) {
        assert_eq!(m["comparable_count"], 14, "{m}");
        let (r, own, others) = (m["rank_change"].as_i64(), m["own_effect"].as_i64(), m["others_effect"].as_i64());
        assert_eq!(r, Some(own.unwrap() + others.unwrap()), "the parts add up: {m}");
    }

    // The unit's page says what the merged department is compared with.
    tokio::time::sleep(CACHE_TTL).await;
    let mut visitor = Client::new(&app);
    let page = visitor.get("/don-vi/so-nong-nghiep-moi-truong").await.body;
    assert!(
        page.contains(
            "so với bình quân điểm năm 2024 của Sở Tài nguyên và Môi trường, Sở Nông nghiệp và Phát triển nông thôn"
        ),
        "{page}"
    );
    assert!(page.contains("trong 14 đơn vị so sánh được"), "{page}");

    // The report made at publication counts the same fourteen, and says how the merged ones
    // are compared.
    let report = visitor.get("/bao-cao/bao-cao-2025.html").await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(report.body.contains("trong 14 đơn vị có thứ hạng so sánh được với năm 2024 ("), "{}", report.body);
    assert!(report.body.contains("Sở Dân tộc và Tôn giáo so với Ban Dân tộc"));
    assert!(report.body.contains("cột năm 2024 là kết quả của Sở Khoa học và Công nghệ trước sắp xếp"));
    // And the home page offers it, as it offers the years with the province's own settings.
    let home = visitor.get("/").await.body;
    assert!(home.contains("/bao-cao/bao-cao-2025.html") && home.contains("/bao-cao/bao-cao-2024.docx"), "{home}");
}

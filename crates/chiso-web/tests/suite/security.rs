//! Attacks on the platform, each a test that fails if the attack works: CSRF on every POST
//! route, session fixation and logout, login throttling, stored XSS through the catalogue,
//! path traversal, oversized uploads and zip bombs, SQL injection in every parameter. On
//! SQLite, and on PostgreSQL when `CHISO_TEST_POSTGRES_URL` is set.

use chiso_testkit::web as common;

use common::{App, Client, PW, Reply, setup, spawn};
use serde_json::Value;
use sqlx::Row;
use std::time::Instant;

/// Each scenario on SQLite and on PostgreSQL.
macro_rules! on_both {
    ($(#[$m:meta])* $scenario:ident: $sqlite:ident, $postgres:ident) => {
        $(#[$m])*
        #[tokio::test]
        async fn $sqlite() {
            $scenario(&spawn(None).await).await;
        }
        $(#[$m])*
        #[tokio::test]
        async fn $postgres() {
            if let Some(url) = common::postgres_url().await {
                $scenario(&spawn(Some(url)).await).await;
            }
        }
    };
}

type Form = Vec<(&'static str, &'static str)>;

const YTE: [(&str, &str); 6] =
    [("infra", "7,5"), ("app", "14"), ("web", "18"), ("online_services", "3.2"), ("staff", "5"), ("policy", "4")];

fn with(
    values: &[(&'static str, &'static str)],
    extra: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    let mut f = values.to_vec();
    f.extend_from_slice(extra);
    f
}

/// What the database holds, as an attacker would change it: every table and its row count
/// (sessions and login counters aside: logging in is allowed to add them; and the servers'
/// background jobs, copied from memory by every platform of this test process), the audit chain,
/// the engine's check.
async fn fingerprint(app: &App) -> Vec<(String, i64)> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database).await.unwrap();
    let list = if app.database.starts_with("sqlite") {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    } else {
        "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    };
    let tables: Vec<String> =
        sqlx::query(list).fetch_all(&pool).await.unwrap().iter().map(|r| r.get::<String, _>(0)).collect();
    let mut out = Vec::new();
    for t in tables {
        let n = if t.contains("session") || t == "login_throttle" || t == "background_jobs" {
            -1
        } else {
            sqlx::query(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {t}"))
                .fetch_one(&pool)
                .await
                .unwrap()
                .get::<i64, _>(0)
        };
        out.push((t, n));
    }
    pool.close().await;
    let store = chiso_store::Store::open(&app.database).await.unwrap();
    assert!(store.verify_chain().await.unwrap().is_ok(), "the audit chain no longer verifies");
    store.close().await;
    out
}

fn events(fp: &[(String, i64)]) -> i64 {
    fp.iter().find(|(t, _)| t == "audit").map_or(0, |(_, n)| *n)
}

/// No page may answer an attack with a server error or a database message.
fn no_leak(what: &str, r: &Reply) {
    assert!(r.status < 500, "{what}: {} {}", r.status, r.body);
    let lower = r.body.to_lowercase();
    for leak in ["syntax error", "sqlite", "postgres", "sqlx", "$argon2", "no such table", "database error"] {
        assert!(!lower.contains(leak), "{what} leaks {leak:?}: {}", r.body);
    }
}

// ---- CSRF -------------------------------------------------------------------------

async fn csrf(app: &App) {
    let mut admin = setup(app).await;
    let mut yte = Client::login(app, "yte", PW).await;
    yte.get("/nop/2021/department/so-y-te").await;
    assert_eq!(yte.post("/nop/2021/department/so-y-te", &with(&YTE, &[("action", "save")])).await.status, 303);
    let mut tp = Client::login(app, "tuphap", PW).await;
    tp.get("/nop/2021/department/so-tu-phap").await;
    let tp_token = tp.csrf.clone().unwrap();
    let mut ad = Client::login(app, "thamdinh", PW).await;
    ad.get("/tham-dinh/2021/department/so-y-te").await;
    admin.get("/quan-tri").await;
    let pdf = b"%PDF-1.4\n% minh chung\n".to_vec();
    let before = fingerprint(app).await;

    // (who, path, form): a request each role may make, with the token forged, missing, or another user's.
    let framework = "id = \"x\"\nname = \"X\"\nlegal_basis = \"-\"\nunit_kind = \"department\"\nyears = { from = 2021 }\n\
                     max = 9\n[rounding]\ndecimals = 1\n[[criterion]]\nid = \"a\"\nname = \"A\"\nmax = 9\nrule = \"direct\"\n";
    let forms: Vec<(&str, &str, Form)> = vec![
        ("yte", "/nop/2021/department/so-y-te", with(&YTE, &[("action", "submit")])),
        ("yte", "/nop/2021/department/so-y-te/tra-loi", vec![("criterion", "web"), ("body", "trả lời")]),
        (
            "thamdinh",
            "/tham-dinh/2021/department/so-y-te",
            vec![("action", "ask"), ("criterion", "web"), ("question", "?")],
        ),
        ("thamdinh", "/tham-dinh/2021/department/so-y-te", vec![("action", "verify")]),
        (
            "admin",
            "/quan-tri/ky",
            vec![("year", "2022"), ("framework", "cao-bang-1513-department"), ("deadline", "2099-12-31")],
        ),
        ("admin", "/quan-tri/ky/2021/department/cong-bo", vec![("reason", "công bố")]),
        (
            "admin",
            "/quan-tri/nguoi-dung",
            vec![("username", "ke-gian"), ("password", PW), ("role", "admin"), ("units", "")],
        ),
        ("admin", "/quan-tri/danh-muc", vec![("what", "framework"), ("body", framework), ("reason", "thử")]),
        ("admin", "/dang-xuat", vec![]),
        ("yte", "/dang-xuat", vec![]),
    ];
    for (who, path, fields) in &forms {
        let c = match *who {
            "yte" => &mut yte,
            "thamdinh" => &mut ad,
            _ => &mut admin,
        };
        for token in [Some("forged"), None, Some(""), Some(tp_token.as_str())] {
            let mut f = fields.clone();
            if let Some(t) = token {
                f.push(("csrf", t));
            }
            let r = c.post_raw(path, &f).await;
            assert_eq!(r.status, 403, "POST {path} as {who} with token {token:?}: {} {}", r.status, r.body);
        }
    }
    // Multipart routes: evidence, the reporter's and the administrator's Excel uploads.
    let template = yte.get("/nop/2021/department/so-y-te/mau-phieu.xlsx").await.bytes;
    let admin_template = admin.get("/quan-tri/ky/2021/department/mau-phieu.xlsx").await.bytes;
    let multipart: Vec<(&str, &str, &str, Vec<u8>)> = vec![
        ("yte", "/nop/2021/department/so-y-te/minh-chung", "a.pdf", pdf.clone()),
        ("yte", "/nop/2021/department/so-y-te/excel", "mau.xlsx", template),
        ("admin", "/quan-tri/ky/2021/department/excel", "mau.xlsx", admin_template),
    ];
    for (who, path, name, bytes) in &multipart {
        let c = if *who == "yte" { &mut yte } else { &mut admin };
        for token in [Some("forged"), None, Some(tp_token.as_str())] {
            let mut texts = vec![("criterion", "infra")];
            if let Some(t) = token {
                texts.push(("csrf", t));
            }
            let r = c.multipart(path, &texts, Some((name, bytes.clone()))).await;
            assert_eq!(r.status, 403, "POST {path} as {who} with token {token:?}: {} {}", r.status, r.body);
        }
    }
    // Login CSRF: the form's token must match the cookie set with the form.
    let mut c = Client::new(app);
    let r = c.post_raw("/dang-nhap", &[("username", "yte"), ("password", PW)]).await;
    assert_eq!(r.status, 403, "login without the form's cookie and token");
    c.get("/dang-nhap").await;
    let r = c.post_raw("/dang-nhap", &[("username", "yte"), ("password", PW), ("csrf", "forged")]).await;
    assert_eq!(r.status, 403, "login with a forged token");
    assert!(c.cookie("chiso_session").is_none());

    let after = fingerprint(app).await;
    assert_eq!(before, after, "a refused request changed the database");
    // The sessions still work: nothing was logged out by a forged request.
    assert_eq!(yte.get("/cong-viec").await.status, 200);
    assert_eq!(admin.get("/quan-tri").await.status, 200);
}
on_both!(csrf: csrf_is_refused_on_every_post_route_on_sqlite, csrf_is_refused_on_every_post_route_on_postgres);

// ---- sessions ----------------------------------------------------------------------

async fn sessions(app: &App) {
    setup(app).await;
    // Fixation: a session id planted before login is not the one after it, and never valid.
    let planted = "a".repeat(64);
    let mut c = Client::new(app);
    c.set_cookie("chiso_session", &planted);
    c.get("/dang-nhap").await;
    let r = c.post("/dang-nhap", &[("username", "yte"), ("password", PW)]).await;
    assert_eq!(r.status, 303);
    let set = r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>();
    let session = set.iter().find(|v| v.starts_with("chiso_session=")).expect("a new session cookie");
    for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(session.contains(attr), "{session} lacks {attr}");
    }
    let id = c.cookie("chiso_session").unwrap();
    assert_ne!(id, planted, "session fixation: the planted id survived login");
    assert!(id.len() >= 32, "a session id of {} characters", id.len());
    let mut attacker = Client::new(app);
    attacker.set_cookie("chiso_session", &planted);
    assert_eq!(attacker.get("/api/v1/me").await.status, 401, "the planted id authenticates");
    // Two logins, two ids.
    let mut again = Client::login(app, "yte", PW).await;
    assert_ne!(again.cookie("chiso_session").unwrap(), id);
    // Logout invalidates the session on the server: the old cookie, replayed, is refused.
    let mut stolen = Client::new(app);
    stolen.set_cookie("chiso_session", &id);
    assert_eq!(stolen.get("/api/v1/me").await.status, 200);
    c.get("/cong-viec").await;
    let r = c.post("/dang-xuat", &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(c.cookie("chiso_session").is_none(), "the cookie is not cleared");
    assert_eq!(stolen.get("/api/v1/me").await.status, 401, "the session outlived logout");
    let r = stolen.get("/nop/2021/department/so-y-te").await;
    assert!(r.status == 401 || r.status == 303, "{}", r.status);
    // The other session of the same user is not affected.
    assert_eq!(again.get("/api/v1/me").await.status, 200);
    // A session id of another shape (the id's hash, SQL, empty) authenticates nobody.
    for bogus in ["", "' OR '1'='1", "%", &chiso_web_sha256(&id)] {
        let mut b = Client::new(app);
        b.set_cookie("chiso_session", bogus);
        assert_eq!(b.get("/api/v1/me").await.status, 401, "{bogus:?}");
    }
}
on_both!(sessions: session_fixation_and_logout_on_sqlite, session_fixation_and_logout_on_postgres);

fn chiso_web_sha256(s: &str) -> String {
    chiso_web::sha256_hex(s)
}

async fn throttling(app: &App) {
    setup(app).await;
    let mut c = Client::new(app);
    c.get("/dang-nhap").await;
    for i in 0..5 {
        let r = c.post("/dang-nhap", &[("username", "tuphap"), ("password", &format!("sai-{i}"))]).await;
        assert_eq!(r.status, 401);
    }
    // Locked: the right password, and the same name written differently, get no session.
    for name in ["tuphap", " tuphap ", "tuphap\t", "TUPHAP", "TuPhap"] {
        let mut d = Client::new(app);
        d.get("/dang-nhap").await;
        let r = d.post("/dang-nhap", &[("username", name), ("password", PW)]).await;
        assert_ne!(r.status, 303, "{name:?} logged in while locked out");
        assert!(d.cookie("chiso_session").is_none(), "{name:?} got a session while locked out");
    }
    // Others are not locked out by it.
    Client::login(app, "yte", PW).await;
}
on_both!(throttling: login_throttling_on_sqlite, login_throttling_on_postgres);

// ---- stored XSS --------------------------------------------------------------------

/// What must never reach a page raw.
const RAW: &[&str] = &["<script>alert(", "<img src=x onerror", "<svg onload", "\" onmouseover=\"", "' onfocus='"];
const UNIT: &str = "Sở <script>alert('u')</script> \"><img src=x onerror=alert(1)>";
const ALIAS: &str = "<svg onload=alert(2)>";
const FW: &str = "<script>alert('fw')</script>\" onmouseover=\"alert(3)";
const CRITERION: &str = "\"><script>alert('c')</script>' onfocus='alert(4)";
const LEVEL: &str = "<img src=x onerror=alert('level')>";

fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn assert_escaped(what: &str, r: &Reply) {
    assert!(r.status < 500, "{what}: {} {}", r.status, r.body);
    for raw in RAW {
        assert!(!r.body.contains(raw), "{what}: {raw:?} rendered raw");
    }
}

async fn xss(app: &App) {
    let mut admin = setup(app).await;
    let units =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/cao-bang/units.toml")).unwrap();
    let units = format!(
        "{units}\n[[unit]]\nid = \"so-xss\"\nname = {}\nkind = \"department\"\naliases = [{}]\nfrom = 2022\n",
        toml_str(UNIT),
        toml_str(ALIAS)
    );
    admin.get("/quan-tri/danh-muc").await;
    let r = admin
        .post("/quan-tri/danh-muc", &[("what", "units"), ("body", &units), ("reason", "<script>alert('why')</script>")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let framework = format!(
        "id = \"xss-fw\"\nname = {}\nlegal_basis = {}\nunit_kind = \"department\"\nyears = {{ from = 2022 }}\nmax = 10\n\
         [rounding]\ndecimals = 1\n[[level]]\nname = {}\nmin = 5\n\
         [[criterion]]\nid = \"g\"\nname = {}\nmax = 10\n\
         [[criterion.criterion]]\nid = \"a\"\nname = {}\nshort_name = {}\nmax = 10\nrule = \"direct\"\n",
        toml_str(FW),
        toml_str(FW),
        toml_str(LEVEL),
        toml_str(CRITERION),
        toml_str(CRITERION),
        toml_str(ALIAS)
    );
    admin.get("/quan-tri/danh-muc").await;
    let r = admin.post("/quan-tri/danh-muc", &[("what", "framework"), ("body", &framework), ("reason", "xss")]).await;
    assert_eq!(r.status, 303, "the hostile framework must be accepted as data: {}", r.body);
    let report = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/cao-bang/reports/2020.toml"))
        .unwrap()
        .replace("year = 2020", "year = 2022")
        .replace("\"TỈNH CAO BẰNG\"", &toml_str(UNIT))
        .replace("title = \"PHÓ CHỦ TỊCH\"", &format!("title = {}", toml_str(FW)));
    let report = report.split("\n[[kind]]\nkind = \"district\"").next().unwrap().to_string()
        + &report.split("\n[signatory]").nth(1).map(|s| format!("\n[signatory]{s}")).unwrap_or_default();
    admin.get("/quan-tri/danh-muc").await;
    let r = admin.post("/quan-tri/danh-muc", &[("what", "report"), ("body", &report), ("reason", "xss")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    admin.get("/quan-tri").await;
    let r = admin.post("/quan-tri/ky", &[("year", "2022"), ("framework", "xss-fw"), ("deadline", "2099-12-31")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = admin
        .post(
            "/quan-tri/nguoi-dung",
            &[("username", "xss"), ("password", PW), ("role", "reporter"), ("units", "so-xss")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The unit fills in, asks through a reply, uploads evidence with a hostile name, submits.
    let mut rep = Client::login(app, "xss", PW).await;
    let base = "/nop/2022/department/so-xss";
    assert_escaped("the reporter's form", &rep.get(base).await);
    let r = rep.post(base, &[("a", "<script>alert('v')</script>"), ("action", "save")]).await;
    assert_eq!(r.status, 422);
    assert_escaped("the form's error page", &r);
    assert_eq!(rep.post(base, &[("a", "7"), ("action", "save")]).await.status, 303);
    let evidence_name = "<img src=x onerror=alert('f')>.pdf";
    let r = rep.upload(&format!("{base}/minh-chung"), "a", evidence_name, b"%PDF-1.4 x".to_vec()).await;
    assert_eq!(r.status, 303, "{}", r.body);
    rep.get(base).await;
    assert_eq!(rep.post(&format!("{base}/tra-loi"), &[("criterion", "a"), ("body", UNIT)]).await.status, 303);
    assert_eq!(rep.post(base, &[("a", "7"), ("action", "submit")]).await.status, 303);
    let mut ad = {
        let r = admin
            .post("/quan-tri/nguoi-dung", &[("username", "td"), ("password", PW), ("role", "assessor"), ("units", "")])
            .await;
        assert_eq!(r.status, 303);
        Client::login(app, "td", PW).await
    };
    let review = "/tham-dinh/2022/department/so-xss".to_string();
    assert_escaped("the review page", &ad.get(&review).await);
    let r = ad.post(&review, &[("action", "adjust"), ("verified.a", "6"), ("reason.a", CRITERION)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = ad.post(&review, &[("action", "ask"), ("criterion", "a"), ("question", FW)]).await;
    assert_eq!(r.status, 303);
    rep.get(base).await;
    assert_eq!(rep.post(&format!("{base}/tra-loi"), &[("criterion", "a"), ("body", CRITERION)]).await.status, 303);
    assert_eq!(rep.post(base, &[("a", "7"), ("action", "submit")]).await.status, 303);
    ad.get(&review).await;
    assert_eq!(ad.post(&review, &[("action", "verify")]).await.status, 303);
    admin.get("/quan-tri").await;
    let r = admin.post("/quan-tri/ky/2022/department/cong-bo", &[("reason", UNIT), ("early", "1")]).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Every page that shows them, for everyone who can see it.
    let mut public = Client::new(app);
    let pages = [
        "/",
        "/ket-qua/2022/department",
        "/don-vi/so-xss",
        "/bao-cao/bao-cao-2022.html",
        "/cong-viec",
        base,
        "/nop/2022/department/so-xss/excel",
        &review,
        "/quan-tri",
        "/quan-tri/danh-muc",
        "/quan-tri/nhat-ky",
        "/quan-tri/ky/2022/department/excel",
    ];
    let mut shown = 0;
    for page in pages {
        for (who, c) in [("public", &mut public), ("admin", &mut admin), ("assessor", &mut ad), ("reporter", &mut rep)]
        {
            let r = c.get(page).await;
            if r.status == 200 && r.headers.get("content-type").is_some_and(|t| t.to_str().unwrap().contains("html")) {
                assert_escaped(&format!("GET {page} as {who}"), &r);
                if r.body.contains("&lt;script&gt;alert(") || r.body.contains("&lt;img src=x") {
                    shown += 1;
                }
            }
        }
    }
    assert!(shown >= 10, "the hostile names were shown (escaped) on only {shown} pages");
    // The JSON API carries them as JSON strings, never as HTML.
    let api = public.get("/api/v1/periods/2022/results?kind=department").await;
    assert!(api.headers.get("content-type").unwrap().to_str().unwrap().starts_with("application/json"));
    let v: Value = serde_json::from_str(&api.body).unwrap();
    assert!(v.to_string().contains("so-xss") || v.to_string().contains("alert('u')"), "{}", api.body);
    // The CSV export is text/csv, with the names as data.
    let csv = public.get("/ket-qua/2022/department/csv").await;
    assert!(csv.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));
}
on_both!(xss: hostile_names_are_escaped_on_every_page_on_sqlite, hostile_names_are_escaped_on_every_page_on_postgres);

// ---- path traversal ----------------------------------------------------------------

async fn traversal(app: &App) {
    setup(app).await;
    let mut yte = Client::login(app, "yte", PW).await;
    yte.get("/nop/2021/department/so-y-te").await;
    let pdf = b"%PDF-1.4\n% minh chung\n".to_vec();
    let names = [
        "../../../../../../tmp/chiso-pwned.pdf",
        "..\\..\\..\\chiso-pwned.pdf",
        "/etc/passwd.pdf",
        "evidence/../../chiso-pwned.pdf",
        "a.pdf\r\nX-Injected: 1",
        "\"; filename*=UTF-8''evil.html; x=\".pdf",
    ];
    for name in names {
        let r = yte.upload("/nop/2021/department/so-y-te/minh-chung", "infra", name, pdf.clone()).await;
        assert!(r.status == 303 || r.status == 400, "{name:?}: {} {}", r.status, r.body);
    }
    assert!(!std::path::Path::new("/tmp/chiso-pwned.pdf").exists());
    // Only content-addressed files in the evidence directory.
    let root = app.data_dir.parent().unwrap();
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() { stack.push(p) } else { files.push(p) }
        }
    }
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        assert!(!name.contains("pwned") && !name.contains(".pdf"), "a file named by the user: {f:?}");
        if f.parent() == Some(&app.data_dir.join("evidence")) {
            assert!(name.len() == 64 && name.chars().all(|c| c.is_ascii_hexdigit()), "unexpected evidence file {f:?}");
        }
    }
    // Downloads name the file safely.
    let page = yte.get("/nop/2021/department/so-y-te").await.body;
    let ids: Vec<String> =
        page.split("href=\"/minh-chung/").skip(1).map(|s| s.split('"').next().unwrap().to_string()).collect();
    assert!(!ids.is_empty());
    for id in &ids {
        let r = yte.get(&format!("/minh-chung/{id}")).await;
        assert_eq!(r.status, 200);
        let cd = r.headers.get("content-disposition").unwrap().to_str().unwrap().to_string();
        let inner = cd.trim_start_matches("attachment; filename=\"").trim_end_matches('"');
        assert!(!inner.contains(['/', '\\', '"', '\r', '\n', ';']), "{cd}");
        assert!(r.headers.get("x-injected").is_none());
    }
    // Ids and report names that try to leave their directory, or are not what they claim.
    let mut public = Client::new(app);
    // (`..` and `%2e%2e` as a whole segment are resolved by the client's URL parser.)
    for id in [
        "..%2F..%2Fetc%2Fpasswd",
        "..%5C..%5Cx",
        "%2e%2e%2f1",
        "-1",
        "0",
        "99999999999999999999",
        "1%20OR%201=1",
        "1;",
        "1e3",
    ] {
        let r = yte.get(&format!("/minh-chung/{id}")).await;
        assert!([400, 404].contains(&r.status), "/minh-chung/{id}: {}", r.status);
    }
    for file in [
        "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "..%2FCargo.toml",
        "%2e%2e%2f%2e%2e%2fCargo.toml",
        "bao-cao-2020.docx%00.html",
        "bao-cao-..%2F..%2F2020.docx",
        "bao-cao-2020.exe",
        "bao-cao-2020.toml",
        "bao-cao-2020",
        "bao-cao-2020.docx%2F..%2F..%2Fx",
        "....%2F%2Fetc%2Fpasswd",
        "%252e%252e%252fetc%252fpasswd",
    ] {
        let r = public.get(&format!("/bao-cao/{file}")).await;
        assert!([400, 404].contains(&r.status), "/bao-cao/{file}: {}", r.status);
        assert!(
            !r.body.contains("root:") && !r.body.contains("[package]") && !r.body.contains("[workspace]"),
            "{file}"
        );
    }
    let r = public.get("/bao-cao/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd").await;
    assert!(!r.body.contains("root:x"));
}
on_both!(traversal: path_traversal_is_refused_on_sqlite, path_traversal_is_refused_on_postgres);

/// `/ngon-ngu/{lang}` goes back to the page named by the Referer: only ever a page of this site.
async fn redirect(app: &App) {
    let mut public = Client::new(app);
    let host = app.addr.to_string();
    let referers = [
        "http://evil.example/x".to_string(),
        "//evil.example/x".into(),
        "https://evil.example".into(),
        "/\\evil.example".into(),
        "/\\/evil.example".into(),
        "javascript:alert(1)".into(),
        format!("http://{host}/\\evil.example"),
        format!("http://{host}//evil.example"),
    ];
    for referer in &referers {
        let r = public.get_with("/ngon-ngu/en", &[("referer", referer)]).await;
        let to = r.location.unwrap_or_default();
        assert!(
            to.starts_with('/') && !to.starts_with("//") && !to.contains('\\'),
            "open redirect: Referer {referer} → Location {to}"
        );
    }
}
on_both!(
    redirect: language_switch_redirects_only_to_this_site_on_sqlite, language_switch_redirects_only_to_this_site_on_postgres
);

// ---- oversized uploads and zip bombs ---------------------------------------------------

/// A raw deflate stream of `1 + 258 × repeats` spaces in about `repeats / 4` bytes (one
/// dynamic Huffman block whose length 258 / distance 1 codes are one bit each); as
/// crates/chiso-data/tests/hostile_xlsx.rs.
fn deflated_spaces(repeats: usize) -> Vec<u8> {
    struct Bits(Vec<u8>, u64, u32);
    impl Bits {
        fn put(&mut self, value: u64, count: u32) {
            self.1 |= value << self.2;
            self.2 += count;
            while self.2 >= 8 {
                self.0.push(self.1 as u8);
                self.1 >>= 8;
                self.2 -= 8;
            }
        }
        fn code(&mut self, code: u64, len: u32) {
            for i in (0..len).rev() {
                self.put((code >> i) & 1, 1);
            }
        }
    }
    let mut b = Bits(Vec::with_capacity(repeats / 4 + 64), 0, 0);
    b.put(1, 1);
    b.put(2, 2);
    b.put(29, 5);
    b.put(0, 5);
    b.put(14, 4);
    for sym in [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1] {
        b.put(
            match sym {
                18 => 1,
                1 | 2 => 2,
                _ => 0,
            },
            3,
        );
    }
    let run = |b: &mut Bits, n: u64| {
        b.code(0, 1);
        b.put(n - 11, 7);
    };
    run(&mut b, 32);
    b.code(0b11, 2);
    run(&mut b, 138);
    run(&mut b, 85);
    b.code(0b11, 2);
    run(&mut b, 28);
    b.code(0b10, 2);
    b.code(0b10, 2);
    b.code(0b10, 2);
    let mut left = repeats * 2;
    while left > 0 && b.2 != 0 {
        b.put(0, 1);
        left -= 1;
    }
    b.0.resize(b.0.len() + left / 8, 0);
    b.put(0, (left % 8) as u32);
    b.code(0b11, 2);
    b.put(0, 7);
    b.0
}

type Part = (&'static str, u16, u32, Vec<u8>, u64);

/// A workbook of one sheet, `xl/worksheets/sheet1.xml`, with these parts besides its workbook.
fn xlsx(extra: Vec<Part>) -> Vec<u8> {
    let stored: [(&str, &[u8]); 3] = [
        ("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>"),
        ("xl/workbook.xml", b"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"A\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
        ("xl/_rels/workbook.xml.rels", b"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
    ];
    let mut parts: Vec<Part> = stored.iter().map(|(n, d)| (*n, 0u16, crc32(d), d.to_vec(), d.len() as u64)).collect();
    parts.extend(extra);
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, method, crc, data, size) in &parts {
        let offset = out.len() as u32;
        let header = |central: bool| {
            let mut h = Vec::new();
            h.extend(if central { 0x0201_4b50u32 } else { 0x0403_4b50 }.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes());
            }
            for v in [20u16, 0, *method, 0, 0x21] {
                h.extend(v.to_le_bytes());
            }
            h.extend(crc.to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((*size as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                h.extend([0u8; 10]);
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(false));
        out.extend(data);
        central.extend(header(true));
    }
    let (at, len, n) = (out.len() as u32, central.len() as u32, parts.len() as u16);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(n.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A workbook whose shared strings inflate to `1 + 258 × repeats` bytes (checksum left at zero).
fn bomb_xlsx(repeats: usize) -> Vec<u8> {
    xlsx(vec![("xl/sharedStrings.xml", 8, 0, deflated_spaces(repeats), 1 + 258 * repeats as u64)])
}

fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |mut c, &b| {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
        }
        c
    })
}

/// A workbook of two cells, A1 and XFD1048576 (17 billion cells as a rectangle).
fn sparse_xlsx() -> Vec<u8> {
    let sheet = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\
                 <row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>unit</t></is></c></row>\
                 <row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData></worksheet>";
    xlsx(vec![("xl/worksheets/sheet1.xml", 0, crc32(sheet.as_bytes()), sheet.as_bytes().to_vec(), sheet.len() as u64)])
}

/// The process's peak resident memory (Linux), in MiB.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

async fn uploads(app: &App) {
    let mut admin = setup(app).await;
    admin.get("/quan-tri/ky/2021/department/excel").await;
    let mut yte = Client::login(app, "yte", PW).await;
    yte.get("/nop/2021/department/so-y-te/excel").await;
    let before = fingerprint(app).await;
    let bomb = bomb_xlsx(15_500_000); // 4.0 GB of shared strings
    assert!(bomb.len() < 4_000_000, "{}", bomb.len());
    let routes = ["/nop/2021/department/so-y-te/excel", "/quan-tri/ky/2021/department/excel"];
    let rss = peak_rss_mib();
    for path in routes {
        let c = if path.starts_with("/nop") { &mut yte } else { &mut admin };
        for (what, bytes) in [("zip bomb", bomb.clone()), ("sparse sheet", sparse_xlsx())] {
            let start = Instant::now();
            let token = c.csrf.clone().unwrap();
            let r = c.multipart(path, &[("csrf", &token)], Some(("so-lieu.xlsx", bytes))).await;
            assert!(start.elapsed().as_secs() < 30, "{what} on {path}: {:?}", start.elapsed());
            assert_eq!(r.status, 422, "{what} on {path}: {} {}", r.status, r.body);
            assert!(
                r.body.contains("quá lớn") || r.body.contains("too large"),
                "{what} on {path}: no clear message: {}",
                r.body
            );
            no_leak(what, &r);
        }
        // Over the body limit (the administrator's workbook of every unit has its own, larger
        // one): refused before it is read whole, in the limit's own words.
        let token = c.csrf.clone().unwrap();
        let over = if path.starts_with("/quan-tri") { 98 } else { 12 } * 1024 * 1024;
        let r = c.multipart(path, &[("csrf", &token)], Some(("lon.xlsx", vec![b'P'; over]))).await;
        assert!(r.status == 400 || r.status == 413, "{over} bytes on {path}: {}", r.status);
        if path.starts_with("/quan-tri") {
            assert!(r.body.contains("96 MiB"), "{}", r.body);
        }
    }
    let grown = peak_rss_mib().saturating_sub(rss);
    assert!(grown < 512, "the uploads raised peak memory by {grown} MiB");
    // Evidence over 10 MB, and a 4 GB bomb as "evidence" (stored as is, never inflated).
    let r =
        yte.upload("/nop/2021/department/so-y-te/minh-chung", "infra", "lon.pdf", vec![b'%'; 12 * 1024 * 1024]).await;
    assert!(r.status == 400 || r.status == 413, "{}", r.status);
    assert_eq!(fingerprint(app).await, before, "a refused upload changed the database");
    assert_eq!(yte.get("/healthz").await.body, "ok");
}
on_both!(uploads: oversized_uploads_and_zip_bombs_are_refused_on_sqlite, oversized_uploads_and_zip_bombs_are_refused_on_postgres);

// ---- SQL injection -----------------------------------------------------------------

const SQL: &[&str] = &[
    "'",
    "' OR '1'='1",
    "' OR 1=1 --",
    "1; DROP TABLE users; --",
    "x'); DROP TABLE audit; --",
    "' UNION SELECT username, password_hash FROM users --",
    "\" OR \"\"=\"",
    "%' --",
    "1 OR 1=1",
    "2021 UNION SELECT 1",
    "so-y-te' --",
];

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}

async fn injection(app: &App) {
    let mut admin = setup(app).await;
    let mut yte = Client::login(app, "yte", PW).await;
    let mut ad = Client::login(app, "thamdinh", PW).await;
    let mut public = Client::new(app);
    let results_2020 = public.get("/api/v1/periods/2020/results?kind=department").await.body;
    let before = fingerprint(app).await;

    for p in SQL {
        let e = enc(p);
        let gets = [
            format!("/ket-qua/{e}/department"),
            format!("/ket-qua/2020/{e}"),
            format!("/ket-qua/2020/{e}/csv"),
            format!("/don-vi/{e}"),
            format!("/bao-cao/{e}"),
            format!("/bao-cao/bao-cao-{e}.docx"),
            format!("/api/v1/periods/{e}/results?kind=department"),
            format!("/api/v1/periods/2020/results?kind={e}"),
        ];
        for g in &gets {
            let r = public.get(g).await;
            no_leak(g, &r);
            assert!(r.status == 404 || r.status == 400, "GET {g}: {}", r.status);
        }
        let authed = [
            format!("/nop/{e}/department/so-y-te"),
            format!("/nop/2021/{e}/so-y-te"),
            format!("/nop/2021/department/{e}"),
            format!("/nop/2021/department/{e}/excel"),
            format!("/nop/2021/department/{e}/mau-phieu.xlsx"),
            format!("/minh-chung/{e}"),
            format!("/tham-dinh/2021/department/{e}"),
            format!("/tham-dinh/2021/{e}/so-y-te"),
            format!("/quan-tri/ky/{e}/department/excel"),
            format!("/quan-tri/ky/2021/{e}/mau-phieu.xlsx"),
            format!("/quan-tri/ky/2021/department/xuat/{e}"),
        ];
        for g in &authed {
            let r = admin.get(g).await;
            no_leak(g, &r);
            assert!([400, 403, 404].contains(&r.status), "GET {g} as admin: {}", r.status);
        }
        // Forms: refused, or kept as data.
        let mut c = Client::new(app);
        c.get("/dang-nhap").await;
        for (u, pw) in [(*p, PW), ("admin", *p), (*p, *p)] {
            let r = c.post("/dang-nhap", &[("username", u), ("password", pw)]).await;
            no_leak("login", &r);
            assert_eq!(r.status, 401, "login as {u:?} / {pw:?}");
        }
        yte.get("/nop/2021/department/so-y-te").await;
        let r =
            yte.post("/nop/2021/department/so-y-te", &with(&[("infra", p), ("app", p)], &[("action", "save")])).await;
        no_leak("the form", &r);
        assert_eq!(r.status, 422, "a value {p:?}");
        let r = yte.post(&format!("/nop/2021/department/{}", enc(p)), &with(&YTE, &[("action", "save")])).await;
        no_leak("the form's path", &r);
        assert!([400, 403, 404].contains(&r.status));
        let r = yte.post("/nop/2021/department/so-y-te/tra-loi", &[("criterion", p), ("body", p)]).await;
        no_leak("a reply", &r);
        assert_eq!(r.status, 400);
        ad.get("/tham-dinh/2021/department/so-y-te").await;
        let r =
            ad.post("/tham-dinh/2021/department/so-y-te", &[("action", p), ("criterion", p), ("question", p)]).await;
        no_leak("the review", &r);
        assert!([400, 404, 422].contains(&r.status), "review action {p:?}: {}", r.status);
        admin.get("/quan-tri").await;
        for fields in [
            vec![("year", *p), ("framework", "cao-bang-1513-department"), ("deadline", "2099-12-31")],
            vec![("year", "2023"), ("framework", p), ("deadline", "2099-12-31")],
            vec![("username", "u1"), ("password", PW), ("role", p), ("units", "")],
            vec![("username", "u2"), ("password", PW), ("role", "reporter"), ("units", p)],
            vec![("what", p), ("body", p), ("reason", p)],
            vec![("what", "units"), ("body", p), ("reason", "r")],
            vec![
                ("what", "exception"),
                ("year", p),
                ("kind", p),
                ("unit", p),
                ("until", "2099-01-01"),
                ("reason", "r"),
            ],
            vec![
                ("what", "exception"),
                ("year", "2021"),
                ("kind", p),
                ("unit", "so-y-te"),
                ("until", "2099-01-01"),
                ("reason", "r"),
            ],
        ] {
            let path = if fields[0].0 == "what" {
                "/quan-tri/danh-muc"
            } else if fields[0].0 == "year" {
                "/quan-tri/ky"
            } else {
                "/quan-tri/nguoi-dung"
            };
            let r = admin.post(path, &fields).await;
            no_leak(path, &r);
            assert!([400, 404, 409, 422].contains(&r.status), "POST {path} {fields:?}: {} {}", r.status, r.body);
        }
        let r = admin.post(&format!("/quan-tri/ky/2021/{}/cong-bo", enc(p)), &[("reason", p)]).await;
        no_leak("publish", &r);
        assert!([400, 404, 409, 422].contains(&r.status), "publish {p:?}: {}", r.status);
    }
    // Values kept as data: a username with quotes is a name, nothing more.
    let odd = "o'brien\"; DROP TABLE users; --";
    let r = admin
        .post("/quan-tri/nguoi-dung", &[("username", odd), ("password", PW), ("role", "viewer"), ("units", "")])
        .await;
    no_leak("an odd user name", &r);
    if r.status == 303 {
        let mut o = Client::login(app, odd, PW).await;
        let me: Value = serde_json::from_str(&o.get("/api/v1/me").await.body).unwrap();
        assert_eq!(me["username"], odd);
    }

    let after = fingerprint(app).await;
    let tables = |f: &[(String, i64)]| f.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>();
    assert_eq!(tables(&before), tables(&after), "a table was dropped or created");
    for ((t, n0), (_, n1)) in before.iter().zip(&after) {
        if t != "audit" && t != "users" {
            assert_eq!(n0, n1, "rows of {t} changed");
        }
    }
    assert!(events(&after) - events(&before) <= 2, "the attempts were recorded as changes");
    assert_eq!(public.get("/api/v1/periods/2020/results?kind=department").await.body, results_2020);
    // (The administrator's name is locked out by the failed logins above; the session stays.)
    assert_eq!(admin.get("/quan-tri").await.status, 200);
    Client::login(app, "yte", PW).await;
    let store = chiso_store::Store::open(&app.database).await.unwrap();
    let check = store.integrity_check().await.unwrap();
    assert!(check.to_lowercase().contains("ok"), "{check}");
    store.close().await;
}
on_both!(injection: sql_injection_is_refused_or_kept_as_data_on_sqlite, sql_injection_is_refused_or_kept_as_data_on_postgres);

/// Short limits, so a slow client is cut off within the test.
fn short_limits() -> chiso_web::Limits {
    chiso_web::Limits {
        header_read: std::time::Duration::from_secs(1),
        request: std::time::Duration::from_secs(2),
        connections: 768,
        per_client: 128,
    }
}

/// Reads until the server closes the connection (or `wait` passes: `None`).
async fn read_until_closed(stream: &mut tokio::net::TcpStream, wait: std::time::Duration) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// A half-sent request, a connection that never sends anything, an idle keep-alive
/// connection and a body that never arrives: each is closed by the server (the body one
/// with 408), instead of holding a connection for ever.
#[tokio::test]
async fn slow_clients_are_cut_off() {
    use tokio::io::AsyncWriteExt;
    let app = common::spawn_with(None, short_limits(), false).await;
    let patience = std::time::Duration::from_secs(15);

    let mut half = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: chiso\r\nX-Slow: ").await.unwrap();
    assert!(read_until_closed(&mut half, patience).await.is_some(), "a half-sent request's connection stays open");

    let mut silent = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    assert!(read_until_closed(&mut silent, patience).await.is_some(), "a silent connection stays open");

    let mut idle = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: chiso\r\n\r\n").await.unwrap();
    let answered = read_until_closed(&mut idle, patience).await.expect("an idle keep-alive connection stays open");
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");

    let mut body = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    body.write_all(
        b"POST /dang-nhap HTTP/1.1\r\nHost: chiso\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=a",
    )
    .await
    .unwrap();
    let answered = read_until_closed(&mut body, patience).await.expect("a request whose body never comes stays open");
    assert!(answered.starts_with("HTTP/1.1 408"), "{answered}");
}

/// 1,050 connections that send nothing, from one address: the server keeps at most its
/// per-client share of them, closes the rest at once, and still answers everyone else.
#[tokio::test]
async fn a_connection_flood_from_one_address_does_not_take_the_server_down() {
    let app = common::spawn_with(
        None,
        chiso_web::Limits { header_read: std::time::Duration::from_secs(30), ..short_limits() },
        false,
    )
    .await;
    let mut flood = Vec::new();
    for _ in 0..1050 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        flood.push(socket.connect(app.addr).await.unwrap());
    }
    // Everyone else is served at once (the flood's connections are not yet timed out).
    let health = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().unwrap();
    let r = health.get(format!("http://{}/healthz", app.addr)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // The flood's connections beyond the per-client share were closed by the server.
    let mut closed = 0;
    for s in &mut flood {
        if read_until_closed(s, std::time::Duration::from_millis(20)).await.is_some() {
            closed += 1;
        }
    }
    assert!(closed >= 1050 - 128, "only {closed} of 1,050 silent connections were closed");
}

//! A running platform on port 0 with its own database, and a small HTTP client that
//! keeps cookies (Secure ones too: tests speak plain HTTP on loopback) and CSRF tokens.

use chiso_web::Config;
use std::collections::HashMap;
use std::net::SocketAddr;

pub struct App {
    pub addr: SocketAddr,
    pub admin_password: String,
    /// The database URL and the evidence directory the platform was started with.
    pub database: String,
    pub data_dir: std::path::PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
    }
}

pub async fn spawn(database: Option<String>) -> App {
    spawn_with(database, chiso_web::Limits::default(), false).await
}

/// A platform with its own connection limits (short timeouts for the slow-client tests),
/// and making the reports' PDFs or not (LibreOffice is slow to start: only the PDF test).
pub async fn spawn_with(database: Option<String>, limits: chiso_web::Limits, make_pdfs: bool) -> App {
    spawn_started(database, limits, make_pdfs, chiso_web::Start::Demo).await
}

/// A platform started empty (only the administrator), as `chiso serve --empty`.
pub async fn spawn_empty() -> App {
    spawn_started(None, chiso_web::Limits::default(), false, chiso_web::Start::Empty).await
}

async fn spawn_started(
    database: Option<String>,
    limits: chiso_web::Limits,
    make_pdfs: bool,
    start: chiso_web::Start,
) -> App {
    let dir = tempfile::tempdir().unwrap();
    let database = database.unwrap_or_else(|| format!("sqlite://{}", dir.path().join("t.sqlite").display()));
    let (db, data_dir) = (database.clone(), dir.path().join("data"));
    let config = Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database,
        data_dir: dir.path().join("data"),
        secure_cookies: true,
        limits,
        make_pdfs,
        start,
        objects: None,
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut ready = Some(ready_tx);
        chiso_web::serve(
            config,
            async {
                let _ = rx.await;
            },
            move |addr, pw| {
                let _ = ready.take().unwrap().send((addr, pw));
            },
        )
        .await
        .unwrap();
    });
    let (addr, pw) = ready_rx.await.unwrap();
    App { addr, admin_password: pw.unwrap(), database: db, data_dir, shutdown: Some(tx), _dir: dir }
}

pub use crate::db::postgres_url;

/// How long a public page may be served from the platform's micro-cache (wait this long to
/// see a change made behind its back).
pub const CACHE_TTL: std::time::Duration = std::time::Duration::from_millis(1100);

pub struct Client {
    http: reqwest::Client,
    base: String,
    cookies: HashMap<String, String>,
    pub csrf: Option<String>,
}

pub struct Reply {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub bytes: Vec<u8>,
    pub headers: reqwest::header::HeaderMap,
}

impl Client {
    pub fn new(app: &App) -> Client {
        Client::at(app.addr)
    }

    pub fn at(addr: SocketAddr) -> Client {
        Client {
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            base: format!("http://{addr}"),
            cookies: HashMap::new(),
            csrf: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn finish(&mut self, r: reqwest::Response) -> Reply {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (kv, _) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            if v.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.into(), val.into());
            }
        }
        let status = r.status().as_u16();
        let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        let headers = r.headers().clone();
        let bytes = r.bytes().await.unwrap().to_vec();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(t) = body.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next())
            && !t.is_empty()
        {
            self.csrf = Some(t.to_string());
        }
        Reply { status, body, location, bytes, headers }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let r =
            self.http.get(format!("{}{path}", self.base)).header("cookie", self.cookie_header()).send().await.unwrap();
        self.finish(r).await
    }

    /// Posts a form; adds the current CSRF token unless the fields carry one.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut f: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        if !f.iter().any(|(k, _)| k == "csrf") {
            f.push(("csrf".into(), self.csrf.clone().unwrap_or_default()));
        }
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(&f)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    pub async fn upload(&mut self, path: &str, criterion: &str, name: &str, bytes: Vec<u8>) -> Reply {
        let form = reqwest::multipart::Form::new()
            .text("csrf", self.csrf.clone().unwrap_or_default())
            .text("criterion", criterion.to_string())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    pub async fn login(app: &App, user: &str, password: &str) -> Client {
        Client::login_at(app.addr, user, password).await
    }

    /// Logs in. A one-time password (a new user's, a reset one, the first administrator's)
    /// leads only to the account page: it is changed there, to another password and back, so
    /// that the test goes on with the password it knows.
    pub async fn login_at(addr: SocketAddr, user: &str, password: &str) -> Client {
        let mut c = Client::login_once(addr, user, password).await;
        let r = c.get("/cong-viec").await;
        if r.status == 303 && r.location.as_deref() == Some("/tai-khoan") {
            let other = format!("{password}-tam-thoi");
            c.change_password(password, &other).await;
            let mut c = Client::login_once(addr, user, &other).await;
            c.change_password(&other, password).await;
            let mut c = Client::login_once(addr, user, password).await;
            let r = c.get("/cong-viec").await;
            assert_eq!(r.status, 200, "{}", r.body);
            return c;
        }
        assert_eq!(r.status, 200, "{}", r.body);
        c
    }

    /// Logs in and nothing more (a one-time password is not changed).
    pub async fn login_once(addr: SocketAddr, user: &str, password: &str) -> Client {
        let mut c = Client::at(addr);
        c.get("/dang-nhap").await;
        let r = c.post("/dang-nhap", &[("username", user), ("password", password)]).await;
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/cong-viec")), "{}", r.body);
        c
    }

    /// Changes the logged-in user's password on the account page (which ends the session).
    pub async fn change_password(&mut self, current: &str, new: &str) {
        self.get("/tai-khoan").await;
        let r = self.post("/tai-khoan", &[("current", current), ("new", new), ("repeat", new)]).await;
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/dang-nhap?da-doi=1")), "{}", r.body);
    }
}

/// Requests an attacker would craft: no token added, cookies and headers set by hand.
impl Client {
    /// Posts a form exactly as given (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(fields)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    /// A multipart form exactly as given (no CSRF token added), with an optional file part.
    pub async fn multipart(&mut self, path: &str, texts: &[(&str, &str)], file: Option<(&str, Vec<u8>)>) -> Reply {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in texts {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((name, bytes)) = file {
            form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        }
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    /// A GET with extra headers.
    pub async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = self.http.get(format!("{}{path}", self.base)).header("cookie", self.cookie_header());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        self.finish(r).await
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.into(), value.into());
    }
}

/// The password of the accounts [`setup`] creates.
pub const PW: &str = "mat-khau-du-dai";

/// 2021 departments open until 2099; reporters of Y tế (`yte`) and Tư pháp (`tuphap`), an
/// assessor (`thamdinh`), a viewer (`lanhdao`), each with the password [`PW`]. Their
/// passwords, and the administrator's, count as chosen (see [`chosen_passwords`]). Returns
/// the administrator's client.
pub async fn setup(app: &App) -> Client {
    chosen_passwords(app, &["admin"]).await;
    let mut admin = Client::login(app, "admin", &app.admin_password).await;
    admin.get("/quan-tri").await;
    let r = admin
        .post(
            "/quan-tri/ky",
            &[("year", "2021"), ("framework", "cao-bang-1513-department"), ("deadline", "2099-12-31")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    for (name, role, units) in [
        ("yte", "reporter", "so-y-te"),
        ("tuphap", "reporter", "so-tu-phap"),
        ("thamdinh", "assessor", ""),
        ("lanhdao", "viewer", ""),
    ] {
        let r = admin
            .post("/quan-tri/nguoi-dung", &[("username", name), ("password", PW), ("role", role), ("units", units)])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    chosen_passwords(app, &["yte", "tuphap", "thamdinh", "lanhdao"]).await;
    admin
}

/// An API token for `user`, made behind the platform's back (as `chiso user token` would).
pub async fn token(database: &str, user: &str) -> String {
    let store = chiso_store::Store::open(database).await.unwrap();
    let id = store.user_by_name(user).await.unwrap().unwrap().id;
    let token = format!("token-of-{user}-0123456789abcdef");
    store.create_token(&chiso_web::sha256_hex(&token), id, "test").await.unwrap();
    store.close().await;
    token
}

/// Behind the platform's back: these users' one-time passwords count as changed by them
/// (the tests of other things go on with the passwords they know; the first login's change
/// is tested on its own).
pub async fn chosen_passwords(app: &App, users: &[&str]) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database).await.unwrap();
    for user in users {
        sqlx::query("UPDATE users SET must_change_password = 0 WHERE username = $1")
            .bind(*user)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
}

/// A small tmpfs on a temporary directory (unmounted on drop), to fill the disk under a
/// running platform. `None`, saying why, where mounting is not allowed (needs root, as in CI).
pub struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    pub fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let at = dir.path().to_str().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", at])
            .output();
        if !mounted.as_ref().is_ok_and(|o| o.status.success()) {
            eprintln!("SKIPPED: cannot mount a tmpfs (needs root, as in CI): {mounted:?}");
            return None;
        }
        Some(Tmpfs(dir))
    }

    pub fn path(&self) -> &std::path::Path {
        self.0.path()
    }

    /// Fills the file system; returns the file to remove to free the space.
    pub fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let fill = self.path().join("fill");
        let mut f = std::fs::File::create(&fill).unwrap();
        while f.write_all(&[7u8; 64 * 1024]).is_ok() {}
        let _ = f.sync_all();
        fill
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").args(["-l", self.0.path().to_str().unwrap()]).output();
    }
}

/// Time passes: the period's deadline is moved to `date` behind the platform's back (the
/// platform refuses to open a period whose deadline is already past).
pub async fn move_deadline(app: &App, year: i32, kind: &str, date: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database).await.unwrap();
    sqlx::query("UPDATE periods SET deadline = $1 WHERE year = $2 AND kind = $3")
        .bind(date)
        .bind(i64::from(year))
        .bind(kind)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

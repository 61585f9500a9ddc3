//! Attacks on accounts, each a test that fails if the attack works: simultaneous logins past
//! the limit, a lockout of the administrator from another address, API tokens after a
//! password reset, expiry, revocation or disabling, and look-alike user names. On SQLite,
//! and on PostgreSQL when `CHISO_TEST_POSTGRES_URL` is set.

use chiso_testkit::web as common;

use common::{App, Client, PW, setup, spawn};
use serde_json::Value;
use std::net::IpAddr;

macro_rules! on_both {
    ($scenario:ident: $sqlite:ident, $postgres:ident) => {
        #[tokio::test(flavor = "multi_thread")]
        async fn $sqlite() {
            $scenario(&spawn(None).await).await;
        }
        #[tokio::test(flavor = "multi_thread")]
        async fn $postgres() {
            if let Some(url) = common::postgres_url().await {
                $scenario(&spawn(Some(url)).await).await;
            }
        }
    };
}

const BAD_LOGIN: &str = "Tên đăng nhập hoặc mật khẩu không đúng";
const LOCKED: &str = "tạm khóa";

/// What one login attempt came to.
#[derive(Debug, PartialEq)]
enum Outcome {
    LoggedIn,
    /// The password was checked and refused.
    Refused,
    /// Refused without checking the password.
    Locked,
}

/// A login form fetched from a given loopback address (127.0.0.x: Linux routes all of
/// 127/8 to loopback), ready to post.
struct Attempt {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

async fn form_from(app: &App, from: &str) -> Attempt {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(from.parse::<IpAddr>().unwrap())
        .build()
        .unwrap();
    let base = format!("http://{}", app.addr);
    let r = http.get(format!("{base}/dang-nhap")).send().await.unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let body = r.text().await.unwrap();
    let csrf = body.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    Attempt { http, base, cookie, csrf }
}

impl Attempt {
    async fn post(self, user: &str, password: &str) -> Outcome {
        let r = self
            .http
            .post(format!("{}/dang-nhap", self.base))
            .header("cookie", &self.cookie)
            .form(&[("username", user), ("password", password), ("csrf", &self.csrf)])
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let session =
            r.headers().get_all("set-cookie").iter().any(|v| v.to_str().unwrap().starts_with("chiso_session="));
        let body = r.text().await.unwrap();
        match status {
            303 if session => Outcome::LoggedIn,
            401 if body.contains(BAD_LOGIN) => Outcome::Refused,
            401 if body.contains(LOCKED) => Outcome::Locked,
            _ => panic!("login answered {status}: {body}"),
        }
    }
}

async fn login_from(app: &App, from: &str, user: &str, password: &str) -> Outcome {
    form_from(app, from).await.post(user, password).await
}

/// `n` logins posted at once from one address, with the passwords `password(i)`.
async fn burst(app: &App, from: &str, user: &str, n: usize, password: impl Fn(usize) -> String) -> Vec<Outcome> {
    let mut forms = Vec::new();
    for _ in 0..n {
        forms.push(form_from(app, from).await);
    }
    let tasks: Vec<_> = forms
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let (user, password) = (user.to_string(), password(i));
            tokio::spawn(async move { f.post(&user, &password).await })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

fn count(outcomes: &[Outcome], which: Outcome) -> usize {
    outcomes.iter().filter(|o| **o == which).count()
}

async fn logins(app: &App) {
    let mut admin = setup(app).await;
    // Sixty at once with wrong passwords: only five are ever checked.
    let first = burst(app, "127.0.0.1", "tuphap", 60, |i| format!("sai-{i}")).await;
    assert_eq!(count(&first, Outcome::LoggedIn), 0);
    assert!(
        count(&first, Outcome::Refused) <= 5,
        "{} passwords checked past the limit",
        count(&first, Outcome::Refused)
    );
    // Sixty more, the right password the 50th: all refused, none checked.
    let second = burst(app, "127.0.0.1", "tuphap", 60, |i| if i == 49 { PW.into() } else { format!("sai-{i}") }).await;
    assert_eq!(second, (0..60).map(|_| Outcome::Locked).collect::<Vec<_>>(), "the right password got through");
    // The same name written another way is the same account, still held back.
    assert_eq!(login_from(app, "127.0.0.1", " TuPhap ", PW).await, Outcome::Locked);
    // Another address is not locked out by this one: five bad posts cannot keep the
    // administrator (here: tuphap) out.
    assert_eq!(login_from(app, "127.0.0.2", "tuphap", PW).await, Outcome::LoggedIn);
    // A name that does not exist is refused like a wrong password (and counted).
    assert_eq!(login_from(app, "127.0.0.3", "khong-ton-tai", PW).await, Outcome::Refused);
    for _ in 0..4 {
        login_from(app, "127.0.0.3", "khong-ton-tai", "x").await;
    }
    assert_eq!(login_from(app, "127.0.0.3", "khong-ton-tai", PW).await, Outcome::Locked);
    // The administrator sees it and lifts it (as `chiso user unlock` does), CSRF-checked.
    let page = admin.get("/quan-tri").await.body;
    assert!(page.contains("đăng nhập tạm khóa đến") && page.contains("value=\"unlock\""), "not shown");
    let unlock = [("username", "tuphap"), ("action", "unlock")];
    assert_eq!(admin.post_raw("/quan-tri/nguoi-dung/trang-thai", &unlock).await.status, 403);
    let mut viewer = Client::login(app, "lanhdao", PW).await;
    assert_eq!(viewer.post("/quan-tri/nguoi-dung/trang-thai", &unlock).await.status, 403);
    assert_eq!(login_from(app, "127.0.0.1", "tuphap", PW).await, Outcome::Locked);
    assert_eq!(admin.post("/quan-tri/nguoi-dung/trang-thai", &unlock).await.status, 303);
    assert_eq!(login_from(app, "127.0.0.1", "tuphap", PW).await, Outcome::LoggedIn);
    let store = chiso_store::Store::open(&app.database).await.unwrap();
    assert!(store.audit_events("user/tuphap").await.unwrap().iter().any(|e| e.action == "user.unlock"));
    store.close().await;
    // One address guessing across names is held back for every name, the right ones too.
    for i in 0..50 {
        login_from(app, "127.0.0.4", &format!("ten-{i}"), "x").await;
    }
    assert_eq!(login_from(app, "127.0.0.4", "yte", PW).await, Outcome::Locked);
    assert_eq!(login_from(app, "127.0.0.5", "yte", PW).await, Outcome::LoggedIn);
}
on_both!(logins: simultaneous_logins_past_the_limit_are_refused_on_sqlite, simultaneous_logins_past_the_limit_are_refused_on_postgres);

async fn api_me(app: &App, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("http://{}/api/v1/me", app.addr))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A token issued to `user` for `ttl` seconds, as `chiso user token` does.
async fn issue(app: &App, user: &str, ttl: i64) -> (String, String) {
    let store = chiso_store::Store::open(&app.database).await.unwrap();
    let id = store.user_by_name(user).await.unwrap().unwrap().id;
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).unwrap();
    let token: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let tid = store.issue_token(&chiso_web::sha256_hex(&token), id, "kiểm thử", ttl, "cli").await.unwrap();
    store.close().await;
    (token, tid)
}

async fn tokens(app: &App) {
    let mut admin = setup(app).await;
    // After a password reset: 401.
    let (token, _) = issue(app, "yte", 3600).await;
    assert_eq!(api_me(app, &token).await, 200);
    let store = chiso_store::Store::open(&app.database).await.unwrap();
    store.set_password("yte", &chiso_web::hash_password("mat-khau-moi-dai"), "cli", false).await.unwrap();
    assert_eq!(api_me(app, &token).await, 401, "a token outlived a password reset");
    // Expired: 401.
    let (expired, _) = issue(app, "tuphap", -1).await;
    assert_eq!(api_me(app, &expired).await, 401, "an expired token");
    // Listed on the administrator's page (by id, never the token), revoked there: 401.
    let (token, id) = issue(app, "tuphap", 3600).await;
    let page = admin.get("/quan-tri").await.body;
    assert!(page.contains(&id) && !page.contains(&token), "the page lists the token by id only");
    let path = format!("/quan-tri/the-api/{id}/thu-hoi");
    let mut reporter = Client::login(app, "thamdinh", PW).await;
    assert_eq!(reporter.post(&path, &[]).await.status, 403, "an assessor revoked a token");
    assert_eq!(admin.post_raw(&path, &[]).await.status, 403, "revoked without the CSRF token");
    assert_eq!(api_me(app, &token).await, 200);
    assert_eq!(admin.post(&path, &[]).await.status, 303);
    assert_eq!(api_me(app, &token).await, 401, "a revoked token");
    // Disabling a user: their token, their session and their password stop working.
    let (token, _) = issue(app, "lanhdao", 3600).await;
    let mut viewer = Client::login(app, "lanhdao", PW).await;
    admin.get("/quan-tri").await;
    let r = admin.post("/quan-tri/nguoi-dung/trang-thai", &[("username", "lanhdao"), ("action", "disable")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(api_me(app, &token).await, 401, "a disabled user's token");
    assert_eq!(viewer.get("/api/v1/me").await.status, 401, "a disabled user's session");
    assert_eq!(login_from(app, "127.0.0.6", "lanhdao", PW).await, Outcome::Refused);
    // Issuing and revoking are on the record, without the token.
    let events = store.audit_events("user/").await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for a in ["token.issue", "token.revoke", "user.password", "user.disable"] {
        assert!(actions.contains(&a), "{a} is not on the record");
    }
    for e in &events {
        assert!(![&e.old_value, &e.new_value, &e.reason].iter().any(|v| v.contains(&token)), "a token on the record");
    }
    store.close().await;
}
on_both!(tokens: tokens_after_reset_expiry_revocation_or_disabling_get_401_on_sqlite, tokens_after_reset_expiry_revocation_or_disabling_get_401_on_postgres);

async fn names(app: &App) {
    let mut admin = setup(app).await;
    let (token, _) = issue(app, "admin", 3600).await;
    let users = |app: &App| {
        let db = app.database.clone();
        async move {
            let store = chiso_store::Store::open(&db).await.unwrap();
            let n = store.users().await.unwrap().len();
            store.close().await;
            n
        }
    };
    let before = users(app).await;
    let api = |body: Value| {
        let (base, token) = (format!("http://{}", app.addr), token.clone());
        async move {
            let r = reqwest::Client::new().post(format!("{base}/api/v1/users")).bearer_auth(token).json(&body).send();
            r.await.unwrap().status().as_u16()
        }
    };
    // Look-alikes of `admin`: the page and the API refuse them all.
    for odd in ["Admin", "ADMİN", "\u{430}dmin", "ａｄｍｉｎ"] {
        let r = admin.post("/quan-tri/nguoi-dung", &[("username", odd), ("password", PW), ("role", "viewer")]).await;
        assert!(r.status == 400 || r.status == 409, "{odd:?}: {}", r.status);
        let status = api(serde_json::json!({ "username": odd, "password": PW, "role": "viewer", "units": "" })).await;
        assert!(status == 400 || status == 409, "{odd:?} through the API: {status}");
    }
    // A reporter without a unit, a unit not in the registry, an unknown role.
    for (role, units) in [("reporter", ""), ("reporter", "khong-co-don-vi"), ("superuser", ""), ("Admin", "")] {
        let r = admin
            .post("/quan-tri/nguoi-dung", &[("username", "moi"), ("password", PW), ("role", role), ("units", units)])
            .await;
        assert_eq!(r.status, 400, "{role:?} {units:?}");
    }
    assert_eq!(users(app).await, before, "a second account was made");
    // A user name is looked up in its one form.
    let mut c = Client::login(app, " ADMIN ", &app.admin_password).await;
    let me: Value = serde_json::from_str(&c.get("/api/v1/me").await.body).unwrap();
    assert_eq!(me["username"], "admin");
    // The page says why in both languages.
    let r = admin.post("/quan-tri/nguoi-dung", &[("username", "ADMİN"), ("password", PW), ("role", "viewer")]).await;
    assert!(r.body.contains("a–z"), "{}", r.body);
}
on_both!(names: look_alike_user_names_are_refused_on_sqlite, look_alike_user_names_are_refused_on_postgres);

/// A user changes their own password: the current one is asked, the new one twice, long
/// enough and new; then every session of theirs ends and only the new password logs in.
async fn own_password(app: &App) {
    let _admin = common::setup(app).await;
    let mut yte = Client::login(app, "yte", PW).await;
    let mut other_session = Client::login(app, "yte", PW).await;
    assert!(yte.get("/cong-viec").await.body.contains("href=\"/tai-khoan\""), "every page links to the account");
    let form = yte.get("/tai-khoan").await;
    assert!(form.body.contains("Mật khẩu hiện tại"), "{}", form.body);
    for (current, new, repeat, says, field) in [
        ("sai-mat-khau-roi", "mat-khau-moi-dai", "mat-khau-moi-dai", "Mật khẩu hiện tại không đúng.", "current"),
        (PW, "mat-khau-moi-dai", "mat-khau-moi-khac", "không khớp", "repeat"),
        (PW, "ngan", "ngan", "ít nhất 12 ký tự", "new"),
        (PW, "mat-khau-11", "mat-khau-11", "ít nhất 12 ký tự", "new"),
        (PW, "mat-khau-cua-YTE", "mat-khau-cua-YTE", "không được là tên đăng nhập", "new"),
        (PW, "Password1234", "Password1234", "quá phổ biến", "new"),
        (PW, "matkhau123456", "matkhau123456", "quá phổ biến", "new"),
        (PW, PW, PW, "phải khác", "new"),
    ] {
        let r = yte.post("/tai-khoan", &[("current", current), ("new", new), ("repeat", repeat)]).await;
        assert_eq!(r.status, 400, "{says}: {}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
        // Beside the field it concerns, which points to it.
        let beside = format!("<span class=\"error\" id=\"loi-{field}\" role=\"alert\">");
        assert!(r.body.contains(&beside), "{says}: {}", r.body);
        assert!(r.body.contains("aria-invalid=\"true\""), "{}", r.body);
        assert!(r.body.contains(&format!("loi-{field}\"></label>")), "{}", r.body);
        assert!(new.len() < 12 || !r.body.contains(new), "a password typed is not sent back");
    }
    let r =
        yte.post("/tai-khoan", &[("current", PW), ("new", "mat-khau-moi-dai"), ("repeat", "mat-khau-moi-dai")]).await;
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/dang-nhap?da-doi=1")), "{}", r.body);
    assert!(yte.get("/dang-nhap?da-doi=1").await.body.contains("Đã đổi mật khẩu"));
    assert_eq!(other_session.get("/cong-viec").await.status, 401, "the other session ended too");
    let mut old = Client::at(app.addr);
    old.get("/dang-nhap").await;
    assert_eq!(old.post("/dang-nhap", &[("username", "yte"), ("password", PW)]).await.status, 401);
    Client::login(app, "yte", "mat-khau-moi-dai").await;
}
on_both!(own_password: own_password_on_sqlite, own_password_on_postgres);

/// The administrator's add-user form refuses a password against the rules beside its field,
/// keeping what was typed (never the password); the password it accepts is a one-time one:
/// until its user changes it, every page leads to the account page and the API refuses the
/// session (not an API token).
async fn one_time_password(app: &App) {
    // The first administrator's printed password is a one-time one too.
    let mut first = Client::login_once(app.addr, "admin", &app.admin_password).await;
    assert_eq!(first.get("/quan-tri").await.location.as_deref(), Some("/tai-khoan"));
    let mut admin = setup(app).await;
    admin.get("/quan-tri").await;
    let add = |password: &'static str| {
        [("username", "moi"), ("password", password), ("role", "reporter"), ("unit", "so-y-te")]
    };
    for (password, says) in [
        ("moi-mat-khau-dai", "không được là tên đăng nhập hoặc chứa tên đăng nhập"),
        ("Password1234", "quá phổ biến"),
        ("ngan-11-kt", "ít nhất 12 ký tự"),
    ] {
        let r = admin.post("/quan-tri/nguoi-dung", &add(password)).await;
        assert_eq!(r.status, 400, "{password}: {}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
        assert!(r.body.contains("<span class=\"error\" id=\"loi-password\" role=\"alert\">"), "{}", r.body);
        assert!(r.body.contains("aria-invalid=\"true\" aria-describedby=\"loi-password goi-y-password\""));
        // What was typed is kept, the password excepted.
        assert!(r.body.contains("name=\"username\" value=\"moi\""), "{}", r.body);
        assert!(r.body.contains("<option value=\"reporter\" selected>"), "{}", r.body);
        assert!(r.body.contains("<option value=\"so-y-te\" selected>"), "{}", r.body);
        assert!(!r.body.contains(password), "the password came back");
    }
    let r = admin.post("/quan-tri/nguoi-dung", &[("username", "yte"), ("password", PW), ("role", "viewer")]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("<span class=\"error\" id=\"loi-username\" role=\"alert\">"), "{}", r.body);
    let r = admin.post("/quan-tri/nguoi-dung", &add("mot-lan-thoi-nhe")).await;
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/quan-tri?xong=them-nguoi-dung")), "{}", r.body);
    assert!(admin.get("/quan-tri?xong=them-nguoi-dung").await.body.contains("mật khẩu một lần"));

    // The one-time password logs in, and leads only to changing it.
    let mut moi = Client::login_once(app.addr, "moi", "mot-lan-thoi-nhe").await;
    for path in ["/cong-viec", "/", "/nop/2021/department/so-y-te", "/ket-qua/2020/department", "/don-vi/so-y-te"] {
        let r = moi.get(path).await;
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/tai-khoan")), "{path}");
    }
    let r = moi.post("/nop/2021/department/so-y-te", &[("infra", "7")]).await;
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/tai-khoan")), "a form's post");
    let r = moi.get("/api/v1/me").await;
    assert_eq!(r.status, 403, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["error"]["code"], "password_change_required", "{v}");
    let page = moi.get("/tai-khoan").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("mật khẩu một lần do hệ thống cấp"), "{}", page.body);
    // An API token of the same user is not concerned.
    let (token, _) = issue(app, "moi", 3600).await;
    assert_eq!(api_me(app, &token).await, 200);
    // Logging out works.
    assert_eq!(moi.post("/dang-xuat", &[]).await.status, 303);

    // Changed: the account is the user's.
    let mut moi = Client::login_once(app.addr, "moi", "mot-lan-thoi-nhe").await;
    moi.change_password("mot-lan-thoi-nhe", "cau-cua-rieng-toi").await;
    let mut moi = Client::login_once(app.addr, "moi", "cau-cua-rieng-toi").await;
    assert_eq!(moi.get("/cong-viec").await.status, 200);
    assert!(!moi.get("/tai-khoan").await.body.contains("mật khẩu một lần"));
    assert_eq!(moi.get("/api/v1/me").await.status, 200);
}
on_both!(one_time_password: one_time_passwords_are_changed_first_on_sqlite, one_time_passwords_are_changed_first_on_postgres);

/// The administrator's users page: a user's password reset there (shown once, a one-time
/// password), a reporter's units changed by picking their names; both refused to others and
/// without the form's token, each on the record with a notice.
async fn admin_user_page(app: &App) {
    let mut admin = setup(app).await;
    let page = admin.get("/quan-tri").await.body;
    // Destructive actions ask first; units are picked by name, never typed as codes.
    assert!(page.contains("<button data-confirm=\"Đặt lại mật khẩu của người dùng này?"), "{page}");
    assert!(page.contains("<button data-confirm=\"Vô hiệu hóa tài khoản này?"), "{page}");
    assert!(page.contains("<label>Đơn vị báo cáo của yte <select name=\"unit\" multiple"), "{page}");
    assert!(page.contains("<option value=\"so-y-te\" selected>Sở Y tế</option>"), "{page}");

    // Reset: the new password on this answer only, a one-time one; the old one is gone.
    let mut viewer = Client::login(app, "lanhdao", PW).await;
    assert_eq!(viewer.post("/quan-tri/nguoi-dung/dat-lai", &[("username", "yte")]).await.status, 403);
    assert_eq!(admin.post_raw("/quan-tri/nguoi-dung/dat-lai", &[("username", "yte")]).await.status, 403);
    let r = admin.post("/quan-tri/nguoi-dung/dat-lai", &[("username", "yte")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let shown = r.body.split("<code class=\"secret\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_string();
    assert!(r.body.contains("Mật khẩu một lần mới của yte:") && shown.len() >= 12, "{}", r.body);
    assert!(r.body.contains("chưa đổi mật khẩu một lần"), "the list says so");
    assert!(!admin.get("/quan-tri").await.body.contains(&shown), "shown once");
    let mut old = Client::at(app.addr);
    old.get("/dang-nhap").await;
    assert_eq!(old.post("/dang-nhap", &[("username", "yte"), ("password", PW)]).await.status, 401);
    let mut yte = Client::login_once(app.addr, "yte", &shown).await;
    assert_eq!(yte.get("/cong-viec").await.location.as_deref(), Some("/tai-khoan"), "to be changed first");
    assert_eq!(admin.post("/quan-tri/nguoi-dung/dat-lai", &[("username", "khong-ai")]).await.status, 404);

    // Units: picked by name, refused without any or with one that does not exist.
    let units = |u: &'static [&'static str]| {
        let mut f = vec![("username", "tuphap")];
        f.extend(u.iter().map(|x| ("unit", *x)));
        f
    };
    assert_eq!(viewer.post("/quan-tri/nguoi-dung/don-vi", &units(&["so-y-te"])).await.status, 403);
    assert_eq!(admin.post_raw("/quan-tri/nguoi-dung/don-vi", &units(&["so-y-te"])).await.status, 403);
    let r = admin.post("/quan-tri/nguoi-dung/don-vi", &units(&[])).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("<details open>") && r.body.contains("role=\"alert\">Người báo cáo phải gắn"),
        "{}",
        r.body
    );
    let r = admin.post("/quan-tri/nguoi-dung/don-vi", &units(&["khong-co"])).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = admin.post("/quan-tri/nguoi-dung/don-vi", &units(&["so-tu-phap", "so-y-te"])).await;
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/quan-tri?xong=doi-don-vi")), "{}", r.body);
    assert!(admin.get("/quan-tri?xong=doi-don-vi").await.body.contains("Đã đổi đơn vị báo cáo của người dùng."));
    let mut tuphap = Client::login(app, "tuphap", PW).await;
    assert_eq!(tuphap.get("/nop/2021/department/so-y-te").await.status, 200, "the new unit is theirs");
    // On the record, as the audit log shows it.
    let log = admin.get("/quan-tri/nhat-ky").await.body;
    assert!(log.contains("Đổi đơn vị phụ trách") && log.contains("Sở Tư pháp; Sở Y tế"), "{log}");
}
on_both!(admin_user_page: the_administrator_resets_and_rebinds_users_on_sqlite, the_administrator_resets_and_rebinds_users_on_postgres);

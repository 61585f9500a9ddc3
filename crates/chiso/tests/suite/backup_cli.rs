//! `chiso backup` while `chiso serve` runs on the seeded Cao Bằng data, `chiso restore`
//! into a new directory (and into PostgreSQL): the restored platform serves the same
//! reports, results and evidence byte for byte, logins work, and the chain verifies.

use chiso_testkit::web as common;

use crate::command::{chiso, run, text};
use common::Client;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Stdio};

/// A server process, killed when dropped (also when an assertion fails).
struct Server(Child);

impl Server {
    fn kill(&mut self) -> std::io::Result<()> {
        self.0.kill()
    }
    fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.0.wait()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server; returns it with its address and (first start) the admin password.
fn start(dir: &Path, extra: &[&str]) -> (Server, SocketAddr, Option<String>) {
    let mut child =
        chiso(dir).args(["serve", "--bind", "127.0.0.1:0"]).args(extra).stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut password = None;
    let addr = loop {
        let line = lines.next().expect("the server printed its address").unwrap();
        if let Some(p) = line.split("admin / ").nth(1) {
            password = Some(p.split(' ').next().unwrap().to_string());
        }
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split(' ').next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (Server(child), addr, password)
}

const PAGES: &[&str] = &[
    "/bao-cao/bao-cao-2020.docx",
    "/bao-cao/bao-cao-2020.xlsx",
    "/bao-cao/bao-cao-2020.html",
    "/ket-qua/2020/department/csv",
    "/ket-qua/2020/district/csv",
    "/ket-qua/2019/district/csv",
    "/api/v1/periods/2020/results?kind=department",
    "/api/v1/periods/2020/results?kind=district",
];

/// What a user of the platform sees: reports, results, the reporter's evidence.
async fn observe(addr: SocketAddr) -> Vec<(String, Vec<u8>)> {
    let mut public = Client::at(addr);
    let mut seen = Vec::new();
    for p in PAGES {
        let r = public.get(p).await;
        assert_eq!(r.status, 200, "{p}");
        seen.push((p.to_string(), r.bytes));
    }
    let mut bcv = Client::login_at(addr, "bcv", "mat-khau-du-dai").await;
    let form = bcv.get("/nop/2021/department/so-y-te").await.body;
    let id = form.split("/minh-chung/").nth(1).expect("the evidence is listed").split('"').next().unwrap();
    seen.push(("evidence".into(), bcv.get(&format!("/minh-chung/{id}")).await.bytes));
    seen
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_taken_while_serving_restores_the_same_platform() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (root.path().join("a"), root.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let (mut server, addr, password) = start(&a, &[]);
    let mut admin = Client::login_at(addr, "admin", &password.unwrap()).await;
    admin.get("/quan-tri").await;
    let fields = [("year", "2021"), ("framework", "cao-bang-1513-department"), ("deadline", "2099-12-31")];
    assert_eq!(admin.post("/quan-tri/ky", &fields).await.status, 303);
    let user = [("username", "bcv"), ("password", "mat-khau-du-dai"), ("role", "reporter"), ("units", "so-y-te")];
    assert_eq!(admin.post("/quan-tri/nguoi-dung", &user).await.status, 303);
    let mut bcv = Client::login_at(addr, "bcv", "mat-khau-du-dai").await;
    bcv.get("/nop/2021/department/so-y-te").await;
    let pdf = b"%PDF-1.4\n% bien ban nghiem thu may chu\n".to_vec();
    let r = bcv.upload("/nop/2021/department/so-y-te/minh-chung", "infra", "bien-ban.pdf", pdf.clone()).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let before = observe(addr).await;
    assert_eq!(before.last().unwrap().1, pdf);

    // Online: the server is still running.
    let o = run(&a, &["backup", "--out", "sao-luu.zip"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Đã sao lưu vào sao-luu.zip") && text(&o).contains("1 tệp minh chứng"), "{}", text(&o));
    let o = run(&a, &["backup", "--out", "sao-luu.zip"]);
    assert!(!o.status.success() && text(&o).contains("sao-luu.zip đã tồn tại"), "{}", text(&o));
    server.kill().unwrap();
    server.wait().unwrap();
    let file = a.join("sao-luu.zip");
    let file = file.to_str().unwrap();
    // Another installation: the backup is signed with a's key, which b must be given.
    let key = a.join("chiso-data").join("signing.key");
    let key = key.to_str().unwrap();
    let o = run(&b, &["restore", "--check", file]);
    assert!(!o.status.success() && text(&o).contains("--key") && text(&o).contains("--trust-unsigned"), "{}", text(&o));

    let o = run(&b, &["restore", "--check", "--key", key, file]);
    assert!(o.status.success() && text(&o).contains("Chữ ký hợp lệ"), "{}", text(&o));
    let o = run(&b, &["restore", "--key", key, file]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("nhật ký toàn vẹn"), "{}", text(&o));
    let o = run(&b, &["verify"]);
    assert!(o.status.success(), "{}", text(&o));

    let (mut server, addr, password) = start(&b, &[]);
    assert!(password.is_none(), "the restored database has its administrator");
    assert_eq!(observe(addr).await, before);
    server.kill().unwrap();
    server.wait().unwrap();

    // A second restore would overwrite: refused, in the user's language, nothing changed.
    let o = run(&b, &["restore", "--key", key, file]);
    assert!(!o.status.success() && text(&o).contains("không trống"), "{}", text(&o));
    let o = run(&b, &["--lang", "en", "restore", "--key", key, file]);
    assert!(text(&o).contains("is not empty") && text(&o).contains("--force"), "{}", text(&o));
    let o = run(&b, &["restore", "--force", "--key", key, file]);
    assert!(o.status.success(), "{}", text(&o));

    // A damaged file names itself and the damaged part.
    let mut bytes = std::fs::read(file).unwrap();
    let at = bytes.windows(8).position(|w| w == b"%PDF-1.4").unwrap();
    bytes[at + 20] ^= 1;
    std::fs::write(b.join("hong.zip"), &bytes).unwrap();
    let o = run(&b, &["restore", "--force", "hong.zip"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("hong.zip") && text(&o).contains("evidence/"), "{}", text(&o));

    // The same backup into PostgreSQL: the same platform.
    if let Some(url) = common::postgres_url().await {
        let c = root.path().join("c");
        std::fs::create_dir_all(&c).unwrap();
        let o = run(&c, &["restore", "--db", &url, "--key", key, file]);
        assert!(o.status.success(), "{}", text(&o));
        let (mut server, addr, password) = start(&c, &["--db", &url]);
        assert!(password.is_none());
        assert_eq!(observe(addr).await, before);
        server.kill().unwrap();
        server.wait().unwrap();
    }
}

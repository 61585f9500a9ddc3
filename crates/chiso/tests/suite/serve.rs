//! `chiso serve` as a process: first start, crash (SIGKILL) after acknowledged
//! submissions, restart; nothing acknowledged is lost and the audit chain verifies.

use chiso_testkit::web as common;

use common::Client;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

fn chiso(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chiso"));
    c.current_dir(dir).env_remove("CHISO_LANG").env_remove("DATABASE_URL");
    c
}

/// Starts the server; returns it with its address and (first start) the admin password.
fn start(dir: &Path) -> (Child, SocketAddr, Option<String>) {
    let mut child = chiso(dir).args(["serve", "--bind", "127.0.0.1:0"]).stdout(Stdio::piped()).spawn().unwrap();
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
    (child, addr, password)
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_submissions_survive_sigkill_and_the_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, addr, password) = start(dir.path());
    let password = password.expect("first start prints the administrator's password");
    let units = [
        "so-y-te",
        "so-tu-phap",
        "so-tai-chinh",
        "so-noi-vu",
        "so-cong-thuong",
        "so-xay-dung",
        "so-ngoai-vu",
        "ban-dan-toc",
    ];
    let mut admin = Client::login_at(addr, "admin", &password).await;
    admin.get("/quan-tri").await;
    admin
        .post(
            "/quan-tri/ky",
            &[("year", "2021"), ("framework", "cao-bang-1513-department"), ("deadline", "2099-12-31")],
        )
        .await;
    let all = units.join(",");
    let r = admin
        .post(
            "/quan-tri/nguoi-dung",
            &[("username", "bcv"), ("password", "mat-khau-du-dai"), ("role", "reporter"), ("units", &all)],
        )
        .await;
    assert_eq!(r.status, 303);

    let mut reporter = Client::login_at(addr, "bcv", "mat-khau-du-dai").await;
    for (i, unit) in units.iter().enumerate() {
        let path = format!("/nop/2021/department/{unit}");
        reporter.get(&path).await;
        let staff = format!("{}", i % 6);
        let fields = [
            ("infra", "4"),
            ("app", "10"),
            ("web", "12"),
            ("online_services", "2"),
            ("staff", staff.as_str()),
            ("policy", "3"),
            ("action", "submit"),
        ];
        let r = reporter.post(&path, &fields).await;
        assert_eq!(r.status, 303, "{unit}: {}", r.body);
    }
    // Acknowledged: kill the process without any chance to flush.
    server.kill().unwrap();
    server.wait().unwrap();

    let (mut server, addr, password) = start(dir.path());
    assert!(password.is_none(), "a restart must not create a second administrator");
    let mut reporter = Client::login_at(addr, "bcv", "mat-khau-du-dai").await;
    for (i, unit) in units.iter().enumerate() {
        let page = reporter.get(&format!("/nop/2021/department/{unit}")).await.body;
        assert!(page.contains("đã nộp"), "{unit} lost its submission");
        assert!(page.contains(&format!("name=\"staff\" value=\"{}\"", i % 6)), "{unit} lost its figures");
    }
    server.kill().unwrap();
    server.wait().unwrap();
    // A machine client: a token issued on the command line authenticates API calls.
    let (mut server, addr, _) = start(dir.path());
    let token = chiso(dir.path()).args(["user", "token", "bcv"]).output().unwrap();
    let token = String::from_utf8(token.stdout).unwrap().trim().to_string();
    let me = reqwest::Client::new().get(format!("http://{addr}/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.json::<serde_json::Value>().await.unwrap()["username"], "bcv");
    let bad =
        reqwest::Client::new().get(format!("http://{addr}/api/v1/me")).bearer_auth("forged").send().await.unwrap();
    assert_eq!(bad.status().as_u16(), 401);
    server.kill().unwrap();
    server.wait().unwrap();
    let v = chiso(dir.path()).arg("verify").output().unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    assert!(String::from_utf8_lossy(&v.stdout).contains("Nhật ký toàn vẹn"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_platform_serves_the_same_report_as_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, addr, _) = start(dir.path());
    let mut c = Client::at(addr);
    let served = c.get("/bao-cao/bao-cao-2020.docx").await.bytes;
    server.kill().unwrap();
    server.wait().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = dir.path().join("out");
    let o = chiso(&root)
        .args(["report", "--period", "2020", "--compare", "2019", "--format", "docx", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(served, std::fs::read(out.join("bao-cao-2020.docx")).unwrap());
}

/// A disk that fails: with an LD_PRELOAD shim (tests/faults/eio.c), every write and sync of
/// the database's files fails with EIO while a trigger file exists. Saves during the fault
/// are refused (none answered 200), saves after it succeed without a restart, and every
/// save answered 200 is in the database after the server stops; the chain verifies.
#[tokio::test(flavor = "multi_thread")]
async fn io_errors_lose_no_acknowledged_save_and_the_server_recovers_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let shim = dir.path().join("eio.so");
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/faults/eio.c");
    let built = Command::new("cc").args(["-shared", "-fPIC", "-O1", "-o"]).arg(&shim).arg(source).arg("-ldl").status();
    if !built.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: no C compiler to build the fault-injection shim");
        return;
    }
    let trigger = dir.path().join("fail-now");
    let mut c = chiso(dir.path());
    c.env("LD_PRELOAD", &shim).env("CHISO_FAULT_TRIGGER", &trigger).env("CHISO_FAULT_PATH", "chiso.sqlite");
    let mut child = c.args(["serve", "--bind", "127.0.0.1:0", "--no-pdf"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr: SocketAddr = loop {
        let line = lines.next().expect("the server printed its address").unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split(' ').next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let cli = |args: &[&str]| {
        let o = chiso(dir.path()).args(args).output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap().trim().to_string()
    };
    let admin = cli(&["user", "token", "admin"]);
    cli(&["user", "add", "yte", "--role", "reporter", "--units", "so-y-te"]);
    let yte = cli(&["user", "token", "yte"]);
    let http = reqwest::Client::new();
    let api = format!("http://{addr}/api/v1");
    let opened = http
        .post(format!("{api}/periods"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({ "year": "2021", "framework": "cao-bang-1513-department", "deadline": "2099-12-31" }))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 201);
    let unit = format!("{api}/periods/2021/department/units/so-y-te");
    let saves = |range: std::ops::RangeInclusive<usize>| {
        let (http, unit, yte) = (http.clone(), unit.clone(), yte.clone());
        async move {
            let calls = range.map(|i| {
                let body = serde_json::json!({ "values": { "infra": format!("{}.{}", i / 10, i % 10) } });
                let r = http.put(&unit).bearer_auth(&yte).json(&body).send();
                async move { (i, r.await.unwrap().status().as_u16()) }
            });
            let mut out = Vec::new();
            for h in calls.map(tokio::spawn).collect::<Vec<_>>() {
                out.push(h.await.unwrap());
            }
            out
        }
    };
    let mut acknowledged: Vec<usize> = Vec::new();
    for (i, status) in saves(1..=5).await {
        assert_eq!(status, 200, "save {i} before the fault");
        acknowledged.push(i);
    }
    std::fs::write(&trigger, b"").unwrap();
    // Refused one way or another (500 I/O error, 503 no connection, 408 too slow), never 200.
    for (i, status) in saves(6..=11).await {
        assert!(!(200..300).contains(&status), "save {i} answered {status} while the disk failed");
    }
    std::fs::remove_file(&trigger).unwrap();
    for (i, status) in saves(26..=40).await {
        assert_eq!(status, 200, "save {i} after the fault");
        acknowledged.push(i);
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let url = format!("sqlite://{}", dir.path().join("chiso.sqlite").display());
    let store = chiso_store::Store::open(&url).await.unwrap();
    let recorded: Vec<String> = store
        .audit_events("answer/2021/department/so-y-te/infra")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.new_value.replace(',', "."))
        .collect();
    for i in acknowledged {
        assert!(recorded.contains(&format!("{}.{}", i / 10, i % 10)), "save {i} was answered 200 and is lost");
    }
    assert!(store.verify_chain().await.unwrap().is_ok());
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
}

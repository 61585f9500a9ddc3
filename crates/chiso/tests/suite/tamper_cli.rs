//! Tamper evidence from the outside, on the seeded Cao Bằng platform: a figure changed
//! directly in the database (SQLite and PostgreSQL) is named by `chiso verify`; a backup
//! with an extra administrator, a changed rank and a changed figure, its manifest hashes
//! recomputed, is refused by `chiso restore`. Each test fails if the attack goes unnoticed.

use chiso_testkit::web as common;

use crate::command::{chiso, run, text};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};

/// Starts `chiso serve` (first start: seeds, makes the key), waits until it serves, stops it.
fn seed(dir: &Path, extra: &[&str]) {
    let mut child: Child =
        chiso(dir).args(["serve", "--bind", "127.0.0.1:0"]).args(extra).stdout(Stdio::piped()).spawn().unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines {
        if line.unwrap().contains("http://") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

async fn pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.unwrap()
}

/// Changes one seeded figure behind chiso's back; `chiso verify` must name it.
async fn figure_changed(dir: &Path, url: &str, db: &[&str]) {
    let o = run(dir, &[&["verify"], db].concat());
    assert!(o.status.success() && text(&o).contains("đầu nhật ký được ký"), "{}", text(&o));
    let p = pool(url).await;
    let (unit, field, value): (String, String, String) =
        sqlx::query_as("SELECT unit_id, field, value FROM answers WHERE year = 2020 ORDER BY unit_id, field LIMIT 1")
            .fetch_one(&p)
            .await
            .unwrap();
    sqlx::query("UPDATE answers SET value = '99' WHERE year = 2020 AND unit_id = $1 AND field = $2")
        .bind(&unit)
        .bind(&field)
        .execute(&p)
        .await
        .unwrap();
    p.close().await;
    let o = run(dir, &[&["verify"], db].concat());
    let t = text(&o);
    assert!(!o.status.success(), "{t}");
    let line =
        t.lines().find(|l| l.contains(&format!("đơn vị {unit}, trường {field}"))).unwrap_or_else(|| panic!("{t}"));
    assert!(line.contains("value") && line.contains(&format!("«{value}»")) && line.contains("«99»"), "{line}");
    let o = run(dir, &[&["--lang", "en", "verify"], db].concat());
    assert!(text(&o).contains(&format!("unit {unit}, field {field}")), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn chiso_verify_names_a_figure_changed_behind_its_back_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path(), &[]);
    let key = dir.path().join("chiso-data/signing.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let url = format!("sqlite://{}", dir.path().join("chiso.sqlite").display());
    figure_changed(dir.path(), &url, &[]).await;
    // The signed database started with another data directory: refused, no new key made.
    let o = run(dir.path(), &["serve", "--bind", "127.0.0.1:0", "--data-dir", "khac"]);
    assert!(!o.status.success() && text(&o).contains("đã được ký") && text(&o).contains("--data-dir"), "{}", text(&o));
    assert!(!dir.path().join("khac/signing.key").exists());
    let o = run(dir.path(), &["verify", "--data-dir", "khac"]);
    assert!(!o.status.success() && text(&o).contains("signing.key"), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn chiso_verify_names_a_figure_changed_behind_its_back_postgres() {
    let Some(url) = common::postgres_url().await else { return };
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path(), &["--db", &url]);
    figure_changed(dir.path(), &url, &["--db", &url]).await;
}

/// The review's attack on a backup: rows added and changed, every hash in the manifest
/// recomputed (the signature kept as it was).
fn forge(file: &Path, out: &Path) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        parts.push((f.name().to_string(), bytes));
    }
    for (name, bytes) in parts.iter_mut() {
        let t = String::from_utf8(bytes.clone()).unwrap();
        let t = match name.as_str() {
            "db/users.jsonl" => {
                // A copy of the first user (the administrator), whatever the columns are now.
                let mut row: Vec<serde_json::Value> = serde_json::from_str(t.lines().next().unwrap()).unwrap();
                row[0] = 99.into();
                row[1] = "ke.gian".into();
                t.clone() + &serde_json::to_string(&row).unwrap() + "\n"
            }
            "db/snapshots.jsonl" => t.replacen("\\\"rank\\\": 1,", "\\\"rank\\\": 9,", 1),
            "db/answers.jsonl" => t.replacen(",\"7", ",\"8", 1),
            _ => continue,
        };
        assert!(t.as_bytes() != bytes.as_slice(), "{name} unchanged: the forgery did not apply");
        *bytes = t.into_bytes();
    }
    let (_, m) = parts.iter().find(|p| p.0 == "manifest.json").unwrap();
    let mut manifest: serde_json::Value = serde_json::from_slice(m).unwrap();
    for p in manifest["parts"].as_array_mut().unwrap() {
        let bytes = &parts.iter().find(|x| x.0 == p["path"].as_str().unwrap()).unwrap().1;
        p["sha256"] = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>().into();
        p["bytes"] = bytes.len().into();
    }
    let mut w = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for (name, bytes) in &parts {
        w.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        if name == "manifest.json" {
            w.write_all(serde_json::to_string_pretty(&manifest).unwrap().as_bytes()).unwrap();
        } else {
            w.write_all(bytes).unwrap();
        }
    }
    w.finish().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn chiso_restore_refuses_a_forged_backup() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (root.path().join("a"), root.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    seed(&a, &[]);
    let o = run(&a, &["backup", "--out", "sao-luu.zip"]);
    assert!(o.status.success(), "{}", text(&o));
    let forged = root.path().join("gia-mao.zip");
    forge(&a.join("sao-luu.zip"), &forged);
    let forged = forged.to_str().unwrap();
    let key = a.join("chiso-data/signing.key");
    let key = key.to_str().unwrap();

    // Into the same installation, and into another one given the right key: refused.
    for (dir, extra, check) in [(&a, vec!["--force"], vec![]), (&b, vec!["--key", key], vec!["--key", key])] {
        let o = run(dir, &[&["restore"], extra.as_slice(), &[forged]].concat());
        let t = text(&o);
        assert!(!o.status.success(), "{t}");
        assert!(t.contains("chữ ký không khớp") && t.contains("--trust-unsigned"), "{t}");
        let o = run(dir, &[&["restore", "--check"], check.as_slice(), &[forged]].concat());
        assert!(!o.status.success(), "{}", text(&o));
    }
    let o = run(&a, &["verify"]);
    assert!(o.status.success(), "the source is untouched: {}", text(&o));
    let o = run(&b, &["--lang", "en", "restore", "--key", key, forged]);
    assert!(text(&o).contains("does not match its manifest") && text(&o).contains("--trust-unsigned"), "{}", text(&o));

    // The genuine file restores; the forged one only when trusted explicitly, and even then
    // `chiso verify` names what the trail does not explain.
    let genuine = a.join("sao-luu.zip");
    let o = run(&b, &["restore", "--check", "--key", key, genuine.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&b, &["restore", "--key", key, "--trust-unsigned", forged]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&b, &["verify"]);
    let t = text(&o);
    assert!(!o.status.success() && t.contains("user/ke.gian") && t.contains("results/"), "{t}");
}

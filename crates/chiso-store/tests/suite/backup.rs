//! Backup and restore on real SQLite and PostgreSQL, across backends, while writers write.

use chiso_testkit::db as common;

use chiso_domain::Transition;

use chiso_store::backup::BackupError;
use chiso_store::{EvidenceRow, PeriodRow, Role, Store};
use sha2::{Digest, Sha256};
use std::path::Path;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Users, a period, answers with verified values, evidence (file and row), a comment,
/// two published versions, a token, a session.
async fn fill(store: &Store, data_dir: &Path) {
    let id = store.create_user("bao.cao", "hash", Role::Reporter, &["so-y-te".into()], "admin", false).await.unwrap();
    store.create_token("token-hash", id, "cổng dữ liệu").await.unwrap();
    store.create_session("session-hash", id, "csrf", 3600).await.unwrap();
    let p = PeriodRow {
        year: 2021,
        kind: "department".into(),
        framework: "cao-bang-1513-department".into(),
        deadline: Some("2021-12-31".into()),
        status: chiso_domain::PeriodStatus::Open,
    };
    store.create_period(&p, "admin").await.unwrap();
    let a = |f: &str, v: &str, n: &str| chiso_store::NewAnswer::new(f, v, n);
    let answers = [a("infra", "7,5", ""), a("app", "14", ""), a("web", "N/A", "Không có cổng riêng")];
    store.save_answers(&common::submission("so-y-te"), &answers, None, "bao.cao", "").await.unwrap();
    store.transition(&common::submission("so-y-te"), Transition::Submit, "bao.cao", "").await.unwrap();
    store
        .verify_answer(2021, "department", "so-y-te", "infra", Some("6"), "tham.dinh", "Thiếu minh chứng")
        .await
        .unwrap();
    let bytes = b"%PDF-1.4 bien ban nghiem thu".to_vec();
    let sha = hex(&Sha256::digest(&bytes));
    std::fs::create_dir_all(data_dir.join("evidence")).unwrap();
    std::fs::write(data_dir.join("evidence").join(&sha), &bytes).unwrap();
    let e = EvidenceRow {
        id: 0,
        criterion: "infra".into(),
        sha256: sha,
        filename: "Biên bản.pdf".into(),
        content_type: "application/pdf".into(),
        size: bytes.len() as i64,
        uploaded_by: "bao.cao".into(),
        at: String::new(),
    };
    store.add_evidence(2021, "department", "so-y-te", &e).await.unwrap();
    store.add_comment(2021, "department", "so-y-te", "infra", "tham.dinh", "Bổ sung biên bản").await.unwrap();
    store.put_document("units.toml", "[[unit]]\nid = \"so-y-te\"", "admin", "Dữ liệu ban đầu").await.unwrap();
    store.publish(2021, "department", "{\"v\":1}", "Công bố", "admin").await.unwrap();
    store.publish(2021, "department", "{\"v\":2}", "Đính chính", "admin").await.unwrap();
}

async fn round_trip(from: common::TestDb, to: common::TestDb) {
    let dirs = tempfile::tempdir().unwrap();
    let (src_data, dst_data) = (dirs.path().join("src"), dirs.path().join("dst"));
    fill(&from.store, &src_data).await;
    let file = dirs.path().join("sao-luu.zip");
    let manifest = from.store.backup(&src_data, &file).await.unwrap();
    assert_eq!(manifest.evidence_count(), 1);
    assert_eq!(manifest.rows("snapshots"), 2);
    assert!(matches!(from.store.backup(&src_data, &file).await, Err(BackupError::Exists { .. })));
    // Each table's part is the database's rows as the store's own dump writes them (SQLite's
    // are read on a connection of the backup's own, PostgreSQL's through the pool).
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    for (table, lines) in from.store.dump().await.unwrap() {
        let mut part = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(&format!("db/{table}.jsonl")).unwrap(), &mut part).unwrap();
        assert_eq!(part.lines().collect::<Vec<_>>(), lines, "{table}");
    }

    // Told the rows as they are checked and loaded: never backwards, ending at every row twice.
    let told = std::sync::Mutex::new(Vec::new());
    let watch = |done: u64, total: u64| told.lock().unwrap().push((done, total));
    let options = chiso_store::backup::RestoreOptions::default();
    let restored = to.store.restore_watched(&file, &dst_data, &options, &watch).await.unwrap();
    assert_eq!(restored, manifest);
    let told = told.into_inner().unwrap();
    let rows: u64 = manifest.parts.iter().filter_map(|p| p.rows).sum();
    assert_eq!(told.last(), Some(&(2 * rows, 2 * rows)), "{told:?}");
    assert!(told.windows(2).all(|w| w[0].0 <= w[1].0), "{told:?}");
    assert_eq!(to.store.dump().await.unwrap(), from.store.dump().await.unwrap());
    assert_eq!(to.store.verify_chain().await.unwrap().unwrap() as i64, manifest.audit_events);
    // Committed: a new connection sees the same data.
    let reopened = Store::open(&to.url).await.unwrap();
    assert_eq!(reopened.dump().await.unwrap(), from.store.dump().await.unwrap());
    reopened.close().await;
    let (_, e) = to.store.evidence_by_id(1).await.unwrap().unwrap();
    assert_eq!(
        std::fs::read(dst_data.join("evidence").join(&e.sha256)).unwrap(),
        std::fs::read(src_data.join("evidence").join(&e.sha256)).unwrap()
    );
    // Sessions are not restored; tokens are.
    assert!(to.store.session("session-hash").await.unwrap().is_none());
    assert_eq!(to.store.user_by_token("token-hash").await.unwrap().unwrap().username, "bao.cao");
    // Ids continue after the restored ones.
    let id = to.store.create_user("moi", "h", Role::Viewer, &[], "admin", false).await.unwrap();
    assert_eq!(id, 2);
    to.store.add_comment(2021, "department", "so-y-te", "app", "moi", "x").await.unwrap();

    // A second restore is refused: the database is not empty. Forced, it replaces everything.
    match to.store.restore(&file, &dst_data, false).await {
        Err(BackupError::NotEmpty { rows }) => assert!(rows > 0),
        other => panic!("{other:?}"),
    }
    to.store.restore(&file, &dst_data, true).await.unwrap();
    assert_eq!(to.store.dump().await.unwrap(), from.store.dump().await.unwrap());
    assert!(to.store.verify_chain().await.unwrap().is_ok());
}

#[tokio::test]
async fn sqlite_to_sqlite() {
    round_trip(common::sqlite().await, common::sqlite().await).await;
}

#[tokio::test]
async fn postgres_to_postgres() {
    let (Some(a), Some(b)) = (common::postgres().await, common::postgres().await) else { return };
    round_trip(a, b).await;
}

#[tokio::test]
async fn sqlite_to_postgres() {
    let Some(pg) = common::postgres().await else { return };
    round_trip(common::sqlite().await, pg).await;
}

#[tokio::test]
async fn postgres_to_sqlite() {
    let Some(pg) = common::postgres().await else { return };
    round_trip(pg, common::sqlite().await).await;
}

/// Rewrites one entry of a ZIP file.
fn rewrite(file: &Path, out: &Path, change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for i in 0..zin.len() {
        let mut e = zin.by_index(i).unwrap();
        let name = e.name().to_string();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        if let Some(bytes) = change(&name, bytes) {
            zout.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            zout.write_all(&bytes).unwrap();
        }
    }
    zout.finish().unwrap();
}

#[tokio::test]
async fn a_damaged_backup_is_refused_before_anything_is_touched() {
    let src = common::sqlite().await;
    let dirs = tempfile::tempdir().unwrap();
    let data = dirs.path().join("data");
    fill(&src.store, &data).await;
    let file = dirs.path().join("sao-luu.zip");
    src.store.backup(&data, &file).await.unwrap();

    type Change = Box<dyn Fn(&str, Vec<u8>) -> Option<Vec<u8>>>;
    let cases: Vec<(&str, Change)> = vec![
        (
            "a changed figure",
            Box::new(|n, b| {
                Some(if n == "db/answers.jsonl" { String::from_utf8(b).unwrap().replace("14", "19").into() } else { b })
            }),
        ),
        (
            // Read row by row, the part is still reported as changed, not as a bad row.
            "an unreadable row",
            Box::new(|n, b| {
                Some(if n == "db/audit.jsonl" { String::from_utf8(b).unwrap().replacen('[', "{", 1).into() } else { b })
            }),
        ),
        ("a missing evidence file", Box::new(|n, b| (!n.starts_with("evidence/")).then_some(b))),
        ("a missing table", Box::new(|n, b| (n != "db/comments.jsonl").then_some(b))),
    ];
    for (what, change) in cases {
        let bad = dirs.path().join("hong.zip");
        rewrite(&file, &bad, change);
        let dst = common::sqlite().await;
        let dst_data = dirs.path().join(format!("dst-{what}"));
        let err = dst.store.restore(&bad, &dst_data, false).await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains("hong.zip"), "{what}: {text}");
        assert!(matches!(err, BackupError::Corrupt { .. } | BackupError::MissingPart { .. }), "{what}: {err:?}");
        assert_eq!(dst.store.row_count().await.unwrap(), 0, "{what}: the database was touched");
        assert!(!dst_data.join("evidence").exists(), "{what}: evidence was copied");
    }
    // Not a ZIP at all.
    let junk = dirs.path().join("junk.zip");
    std::fs::write(&junk, "không phải tệp sao lưu").unwrap();
    let err = common::sqlite().await.store.restore(&junk, &data, false).await.unwrap_err();
    assert!(matches!(err, BackupError::NotABackup { .. }), "{err:?}");
    assert!(err.to_string().contains("junk.zip"));
}

/// Writers keep writing while backups are taken: every backup is a consistent moment
/// (its own verification checks the chain ends at the recorded head), and restores whole.
async fn online(db: common::TestDb) {
    let dirs = tempfile::tempdir().unwrap();
    let data = dirs.path().join("data");
    fill(&db.store, &data).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (store, stop) = (db.store.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let unit = format!("don-vi-{w}");
                    let answers = [chiso_store::NewAnswer::new(format!("f{n}"), n.to_string(), "")];
                    store
                        .save_answers(
                            &common::submission(&unit),
                            &answers,
                            Some(chiso_domain::SubmissionStatus::Draft),
                            "w",
                            "",
                        )
                        .await
                        .unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut sizes = Vec::new();
    for i in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        let file = dirs.path().join(format!("sao-luu-{i}.zip"));
        let m = db.store.backup(&data, &file).await.unwrap();
        let target = common::sqlite().await;
        target.store.restore(&file, &dirs.path().join(format!("r{i}")), false).await.unwrap();
        assert_eq!(target.store.verify_chain().await.unwrap().unwrap() as i64, m.audit_events);
        // Each answer has its audit event: the snapshot holds both or neither.
        let answers = m.rows("answers");
        let events = target.store.audit_events("answer/").await.unwrap().len() as u64;
        assert_eq!(events, answers + 1, "answers and their events from the same moment");
        sizes.push(m.audit_events);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut written = 0;
    for w in writers {
        written += w.await.unwrap();
    }
    assert!(written > 0 && sizes.windows(2).all(|w| w[0] < w[1]), "writers ran during backups: {sizes:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn online_backup_on_sqlite() {
    online(common::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn online_backup_on_postgres() {
    let Some(pg) = common::postgres().await else { return };
    online(pg).await;
}

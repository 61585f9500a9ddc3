//! Tamper evidence, on SQLite and PostgreSQL: what someone with write access to the
//! database (but not to the data directory's signing key) can try, and how it shows.
//! Each test fails if the attack goes unnoticed.

use chiso_testkit::db as common;

use chiso_store::backup::{BackupError, RestoreOptions, Untrusted};
use chiso_store::{HeadCheck, PeriodRow, Role, SigningKey, Store};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use std::io::{Read, Write};
use std::path::Path;

const Y: i32 = 2021;
const K: &str = "department";

/// A period with a reporter's answers (one with a note), a submission, an assessor's
/// verified value, and two published versions.
async fn fill(store: &Store) {
    store.create_user("bao.cao", "hash", Role::Reporter, &["so-y-te".into()], "admin", false).await.unwrap();
    // Units changed on the record replay as changed.
    store.set_user_units("bao.cao", &["so-noi-vu".into(), "so-y-te".into()], "admin").await.unwrap();
    store.set_user_units("bao.cao", &["so-tu-phap".into(), "so-y-te".into()], "admin").await.unwrap();
    let p = PeriodRow {
        year: Y,
        kind: K.into(),
        framework: "cao-bang-1513-department".into(),
        deadline: Some("2021-12-31".into()),
        status: chiso_domain::PeriodStatus::Open,
    };
    store.create_period(&p, "admin").await.unwrap();
    let a = |f: &str, v: &str, n: &str| chiso_store::NewAnswer::new(f, v, n);
    let answers = [a("infra", "7,5", ""), a("app", "14", ""), a("web", "N/A", "Không có cổng riêng")];
    store
        .save_answers(&chiso_domain::SubmissionKey::new(Y, K, "so-y-te"), &answers, None, "bao.cao", "")
        .await
        .unwrap();
    store
        .save_answers(&chiso_domain::SubmissionKey::new(Y, K, "so-noi-vu"), &answers[..2], None, "bao.cao", "")
        .await
        .unwrap();
    store
        .transition(&chiso_domain::SubmissionKey::new(Y, K, "so-y-te"), chiso_domain::Transition::Submit, "bao.cao", "")
        .await
        .unwrap();
    store.verify_answer(Y, K, "so-y-te", "infra", Some("6"), "tham.dinh", "Thiếu minh chứng").await.unwrap();
    store.verify_answer(Y, K, "so-y-te", "app", Some("14"), "tham.dinh", "Đúng").await.unwrap();
    store
        .transition(
            &chiso_domain::SubmissionKey::new(Y, K, "so-y-te"),
            chiso_domain::Transition::Verify,
            "tham.dinh",
            "",
        )
        .await
        .unwrap();
    store.put_document("units.toml", "[[unit]]\nid = \"so-y-te\"", "admin", "Dữ liệu ban đầu").await.unwrap();
    store.publish(Y, K, r#"{"units":[{"id":"so-y-te","rank":1}]}"#, "Công bố", "admin").await.unwrap();
    store.publish(Y, K, r#"{"units":[{"id":"so-y-te","rank":2}]}"#, "Đính chính", "admin").await.unwrap();
}

async fn raw(db: &common::TestDb) -> AnyPool {
    sqlx::any::install_default_drivers();
    AnyPool::connect(&db.url).await.unwrap()
}

async fn exec(pool: &AnyPool, sql: &str) {
    sqlx::query(sql).execute(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The replay's findings as (entity, column, expected, found).
async fn findings(store: &Store) -> Vec<(String, String, Option<String>, Option<String>)> {
    let r = store.replay().await.unwrap();
    r.discrepancies.into_iter().map(|d| (d.entity, d.column.to_string(), d.expected, d.found)).collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

/// Figures, notes, verified values, statuses, snapshots, documents and users changed
/// directly in the database are each reported with what the trail says and what is there.
async fn changes_behind_the_back(db: common::TestDb) {
    let store = &db.store;
    fill(store).await;
    let clean = store.replay().await.unwrap();
    assert_eq!(clean.discrepancies, vec![], "a clean database replays exactly");
    assert!(clean.checked >= 20 && clean.unchecked.is_empty(), "{clean:?}");
    assert_eq!(store.verify_head().await.unwrap(), HeadCheck::Signed { events: clean.events as i64 });

    let pool = raw(&db).await;
    let answer = "answer/2021/department/so-y-te";
    exec(&pool, "UPDATE answers SET value = '9' WHERE unit_id = 'so-y-te' AND field = 'infra'").await;
    let f = findings(store).await;
    assert_eq!(f, vec![(format!("{answer}/infra"), "value".into(), s("7,5"), s("9"))]);
    let d = &store.replay().await.unwrap().discrepancies[0];
    assert_eq!((d.unit(), d.field()), (Some("so-y-te"), Some("infra")));
    assert!(d.seq.is_some() && d.to_string().contains("\"7,5\""), "{d}");

    exec(&pool, "UPDATE answers SET value = '7,5', note = 'đã có' WHERE unit_id = 'so-y-te' AND field = 'infra'").await;
    exec(&pool, "UPDATE answers SET verified = '9' WHERE unit_id = 'so-y-te' AND field = 'app'").await;
    exec(&pool, "UPDATE answers SET verified = NULL WHERE unit_id = 'so-y-te' AND field = 'infra'").await;
    exec(&pool, "UPDATE submissions SET status = 'verified' WHERE unit_id = 'so-noi-vu'").await;
    exec(&pool, "DELETE FROM answers WHERE unit_id = 'so-noi-vu' AND field = 'app'").await;
    exec(&pool, "UPDATE documents SET body = 'x' WHERE name = 'units.toml'").await;
    let mut f = findings(store).await;
    f.sort();
    let doc = Sha256::digest(b"[[unit]]\nid = \"so-y-te\"").iter().map(|b| format!("{b:02x}")).collect::<String>();
    let x = Sha256::digest(b"x").iter().map(|b| format!("{b:02x}")).collect::<String>();
    assert_eq!(
        f,
        vec![
            ("answer/2021/department/so-noi-vu/app".into(), "row".into(), s("14"), None),
            (format!("{answer}/app"), "verified".into(), s("14"), s("9")),
            (format!("{answer}/infra"), "note".into(), s(""), s("đã có")),
            (format!("{answer}/infra"), "verified".into(), s("6"), s("(none)")),
            ("document/units.toml".into(), "body".into(), Some(doc), Some(x)),
            ("submission/2021/department/so-noi-vu".into(), "status".into(), s("draft"), s("verified")),
        ]
    );

    // A published rank changed, a snapshot slipped in, an administrator added, a reporter
    // made administrator with a password hash the attacker knows.
    let db2 = common::sqlite().await;
    fill(&db2.store).await;
    let e = chiso_store::EvidenceRow {
        id: 0,
        criterion: "infra".into(),
        sha256: "ab".repeat(32),
        filename: "Biên bản.pdf".into(),
        content_type: "application/pdf".into(),
        size: 10,
        uploaded_by: "bao.cao".into(),
        at: String::new(),
    };
    db2.store.add_evidence(Y, K, "so-y-te", &e).await.unwrap();
    db2.store.add_comment(Y, K, "so-y-te", "infra", "tham.dinh", "Bổ sung biên bản").await.unwrap();
    db2.store.add_comment(Y, K, "so-y-te", "infra", "tham.dinh", "Bổ sung biên bản").await.unwrap();
    assert_eq!(findings(&db2.store).await, vec![]);
    let pool2 = raw(&db2).await;
    // Evidence pointed at another file; one of two equal comments deleted.
    exec(&pool2, &format!("UPDATE evidence SET sha256 = '{}'", "cd".repeat(32))).await;
    exec(&pool2, "DELETE FROM comments WHERE id = (SELECT MAX(id) FROM comments)").await;
    exec(&pool2, r#"UPDATE snapshots SET results = '{"units":[{"id":"so-y-te","rank":1}]}' WHERE version = 2"#).await;
    exec(&pool2, "INSERT INTO snapshots (year, kind, version, results, reason, published_by, at) VALUES (2021, 'department', 3, '{}', 'x', 'admin', 'now')").await;
    exec(&pool2, "UPDATE periods SET status = 'open'").await;
    exec(
        &pool2,
        "INSERT INTO users (username, password_hash, role, created_at) VALUES ('ke.gian', 'h', 'admin', 'now')",
    )
    .await;
    exec(&pool2, "UPDATE users SET role = 'admin', password_hash = 'known' WHERE username = 'bao.cao'").await;
    let f = findings(&db2.store).await;
    let columns: Vec<(&str, &str)> = f.iter().map(|(e, c, _, _)| (e.as_str(), c.as_str())).collect();
    assert_eq!(
        columns,
        vec![
            ("period/2021/department", "status"),
            ("results/2021/department/v2", "results"),
            ("results/2021/department/v3", "row"),
            ("evidence/2021/department/so-y-te/infra", "row"),
            ("comment/2021/department/so-y-te/infra", "row"),
            ("user/bao.cao", "role"),
            ("user/bao.cao", "password_hash"),
            ("user/ke.gian", "row"),
        ]
    );
    let (ab, cd) = ("ab".repeat(32), "cd".repeat(32));
    assert_eq!((f[0].2.as_deref(), f[0].3.as_deref()), (Some("published"), Some("open")));
    assert_eq!(f[3].2.as_deref(), Some(format!("bao.cao {ab} Biên bản.pdf (10 bytes)").as_str()));
    assert_eq!(f[3].3.as_deref(), Some(format!("bao.cao {cd} Biên bản.pdf (10 bytes)").as_str()));
    assert_eq!((f[4].2.as_deref(), f[4].3.as_deref()), (Some("tham.dinh Bổ sung biên bản"), None));
    assert_eq!((f[7].2.as_deref(), f[7].3.as_deref()), (None, Some("admin")), "the extra administrator");
    pool.close().await;
    pool2.close().await;
}

/// The hash of an event as the chain computes it: what an attacker recomputes.
fn digest(parts: &[&str], detail: &str) -> String {
    let mut h = Sha256::new();
    for part in parts.iter().copied().chain((!detail.is_empty()).then_some(detail)) {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Rewrites the whole chain from its first event with recomputed hashes, and the head.
async fn rehash(pool: &AnyPool) {
    type Row = (i64, String, String, String, String, String, String, String, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT seq, at, actor, action, entity, old_value, new_value, reason, detail FROM audit ORDER BY seq",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut prev = String::new();
    for (seq, at, actor, action, entity, old, new, reason, detail) in &rows {
        let hash = digest(&[&seq.to_string(), at, actor, action, entity, old, new, reason, &prev], detail);
        sqlx::query("UPDATE audit SET prev_hash = $1, hash = $2 WHERE seq = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(seq)
            .execute(pool)
            .await
            .unwrap();
        prev = hash;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, last_hash = $2, signed_seq = $1")
        .bind(rows.len() as i64)
        .bind(&prev)
        .execute(pool)
        .await
        .unwrap();
}

/// The figure and its event changed together, every hash recomputed: the chain and the
/// replay agree, but the head's signature does not, and no later write re-signs it.
async fn rewritten_chain(db: common::TestDb) {
    let store = &db.store;
    fill(store).await;
    let pool = raw(&db).await;
    exec(&pool, "UPDATE answers SET value = '9' WHERE unit_id = 'so-y-te' AND field = 'infra'").await;
    exec(&pool, "UPDATE audit SET new_value = '9' WHERE entity = 'answer/2021/department/so-y-te/infra' AND action = 'answer.set'").await;
    rehash(&pool).await;
    let n = store.verify_chain().await.unwrap().expect("the attacker recomputed the chain");
    assert_eq!(store.replay().await.unwrap().discrepancies, vec![], "and the figure agrees with its event");
    assert_eq!(store.verify_head().await.unwrap(), HeadCheck::Invalid { events: n as i64 }, "the signature does not");

    // The next legitimate write does not launder it.
    store.put_document("d", "x", "admin", "").await.unwrap();
    assert!(!store.verify_head().await.unwrap().is_ok());
    // Nor does restarting the server (the key is there: nothing to adopt).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(SigningKey::path(dir.path()), format!("{}\n", "2a".repeat(32))).unwrap();
    let reopened = Store::open(&db.url).await.unwrap().with_data_dir_key(dir.path(), true, "hệ thống").await.unwrap();
    reopened.put_document("d", "y", "admin", "").await.unwrap();
    assert!(!reopened.verify_head().await.unwrap().is_ok());

    // An event added at the end, hashes and all, after a signed head: not signed either.
    let db2 = common::sqlite().await;
    fill(&db2.store).await;
    let pool2 = raw(&db2).await;
    let (seq, prev): (i64, String) =
        sqlx::query_as("SELECT seq, last_hash FROM audit_head").fetch_one(&pool2).await.unwrap();
    let e = ["now", "admin", "answer.set", "answer/2021/department/so-y-te/web", "N/A", "10", ""];
    let next = seq + 1;
    let hash = digest(&[&next.to_string(), e[0], e[1], e[2], e[3], e[4], e[5], e[6], &prev], "");
    sqlx::query("INSERT INTO audit (seq, at, actor, action, entity, old_value, new_value, reason, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(next).bind(e[0]).bind(e[1]).bind(e[2]).bind(e[3]).bind(e[4]).bind(e[5]).bind(e[6]).bind(&prev).bind(&hash)
        .execute(&pool2).await.unwrap();
    exec(&pool2, &format!("UPDATE audit_head SET seq = {next}, last_hash = '{hash}'")).await;
    exec(&pool2, "UPDATE answers SET value = '10' WHERE unit_id = 'so-y-te' AND field = 'web'").await;
    assert!(db2.store.verify_chain().await.unwrap().is_ok());
    assert_eq!(db2.store.verify_head().await.unwrap(), HeadCheck::Stale { signed: seq, events: next });
    // The signature wiped: unsigned, and a restart with the key does not adopt it.
    exec(&pool2, "UPDATE audit_head SET signature = '', signed_seq = 0").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(SigningKey::path(dir.path()), format!("{}\n", "2a".repeat(32))).unwrap();
    let reopened = Store::open(&db2.url).await.unwrap().with_data_dir_key(dir.path(), true, "hệ thống").await.unwrap();
    assert_eq!(reopened.verify_head().await.unwrap(), HeadCheck::Unsigned { events: next });
    pool.close().await;
    pool2.close().await;
}

/// First start: the key is made (0600) and an unsigned trail adopted, on the record; a
/// signed database met without its key is refused instead of re-keyed.
async fn first_start(db: common::TestDb) {
    let unsigned = Store::open(&db.url).await.unwrap();
    fill(&unsigned).await;
    assert_eq!(unsigned.verify_head().await.unwrap(), HeadCheck::NoKey);
    let dir = tempfile::tempdir().unwrap();
    let other = Store::open(&db.url).await.unwrap().with_data_dir_key(dir.path(), false, "cli").await.unwrap();
    assert!(other.signing_key().is_none(), "only a first start makes the key");
    let store = Store::open(&db.url).await.unwrap().with_data_dir_key(dir.path(), true, "hệ thống").await.unwrap();
    assert!(SigningKey::path(dir.path()).exists());
    let n = store.verify_chain().await.unwrap().unwrap() as i64;
    assert_eq!(store.verify_head().await.unwrap(), HeadCheck::Signed { events: n });
    assert_eq!(store.audit_events("audit").await.unwrap().last().unwrap().action, "audit.sign");
    let elsewhere = tempfile::tempdir().unwrap();
    let refused = Store::open(&db.url).await.unwrap().with_data_dir_key(elsewhere.path(), true, "hệ thống").await;
    assert!(matches!(refused, Err(chiso_store::signing::KeyError::Missing { .. })), "{:?}", refused.err());
    assert!(!SigningKey::path(elsewhere.path()).exists(), "no second key made");
}

/// Rewrites a backup: `edit` changes the table parts; the manifest's hashes and sizes are
/// recomputed, and the signature kept, dropped or made with another key.
fn forge(file: &Path, out: &Path, edit: impl Fn(&str, String) -> String, sign: Option<&SigningKey>, keep: bool) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        parts.push((f.name().to_string(), bytes));
    }
    for (name, bytes) in parts.iter_mut() {
        if name.starts_with("db/") {
            *bytes = edit(name, String::from_utf8(bytes.clone()).unwrap()).into_bytes();
        }
    }
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&parts.iter().find(|p| p.0 == "manifest.json").unwrap().1).unwrap();
    for p in manifest["parts"].as_array_mut().unwrap() {
        let bytes = &parts.iter().find(|x| x.0 == p["path"].as_str().unwrap()).unwrap().1;
        p["sha256"] = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>().into();
        p["bytes"] = bytes.len().into();
        p["rows"] = p.get("rows").map(|_| bytes.iter().filter(|b| **b == b'\n').count().into()).unwrap_or_default();
        if p["rows"].is_null() {
            p.as_object_mut().unwrap().remove("rows");
        }
    }
    let text = serde_json::to_string_pretty(&manifest).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let o = zip::write::SimpleFileOptions::default();
    for (name, bytes) in &parts {
        match name.as_str() {
            "manifest.json" => {
                w.start_file(name, o).unwrap();
                w.write_all(text.as_bytes()).unwrap();
            }
            "manifest.sig" if sign.is_some() => {
                let k = sign.unwrap();
                let sig = serde_json::json!({"algorithm": "HMAC-SHA256", "key": k.id(), "signature": k.sign_manifest(text.as_bytes())});
                w.start_file(name, o).unwrap();
                w.write_all(sig.to_string().as_bytes()).unwrap();
            }
            "manifest.sig" if !keep => {}
            _ => {
                w.start_file(name, o).unwrap();
                w.write_all(bytes).unwrap();
            }
        }
    }
    w.finish().unwrap();
}

/// The review's attack: an extra administrator, a changed rank, a changed figure, with
/// the manifest's hashes recomputed. Refused (signature kept, dropped, or made with
/// another key), the target untouched; accepted only when trusted explicitly.
async fn forged_backups(from: common::TestDb, to: common::TestDb) {
    fill(&from.store).await;
    let dirs = tempfile::tempdir().unwrap();
    let (src, dst) = (dirs.path().join("src"), dirs.path().join("dst"));
    let file = dirs.path().join("sao-luu.zip");
    from.store.backup(&src, &file).await.unwrap();
    let attack = |name: &str, text: String| match name {
        "db/users.jsonl" => {
            // A copy of the first user (an administrator), whatever the columns are now.
            let mut row: Vec<serde_json::Value> = serde_json::from_str(text.lines().next().unwrap()).unwrap();
            row[0] = 99.into();
            row[1] = "ke.gian".into();
            row[3] = "admin".into();
            text.clone() + &serde_json::to_string(&row).unwrap() + "\n"
        }
        "db/snapshots.jsonl" => text.replace(r#"\"rank\":2"#, r#"\"rank\":1"#),
        "db/answers.jsonl" => text.replace("\"7,5\"", "\"9,5\""),
        _ => text,
    };
    let stranger = SigningKey::from_bytes([7; 32]);
    type Case<'a> = (&'a str, Option<&'a SigningKey>, bool, fn(&Untrusted) -> bool);
    let cases: [Case; 3] = [
        ("kept.zip", None, true, |u| *u == Untrusted::Invalid),
        ("dropped.zip", None, false, |u| *u == Untrusted::Unsigned),
        ("resigned.zip", Some(&stranger), true, |u| matches!(u, Untrusted::OtherKey { .. })),
    ];
    for (name, sign, keep, expected) in cases {
        let forged = dirs.path().join(name);
        forge(&file, &forged, attack, sign, keep);
        match to.store.restore(&forged, &dst, false).await {
            Err(BackupError::Untrusted { problem, .. }) if expected(&problem) => {}
            other => panic!("{name}: {other:?}"),
        }
        let e = to.store.restore(&forged, &dst, false).await.unwrap_err().to_string();
        assert!(e.contains("--trust-unsigned"), "{e}");
        assert_eq!(to.store.row_count().await.unwrap(), 0, "{name}: nothing restored");
        assert!(to.store.user_by_name("ke.gian").await.unwrap().is_none());
    }
    // A row that does not parse, in a part whose hash was recomputed: named by part and line,
    // even trusted, and nothing restored.
    let broken = dirs.path().join("broken.zip");
    let second_line_cut = |name: &str, text: String| match name {
        "db/audit.jsonl" => {
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let half = lines[1].len() / 2;
            lines[1].truncate(half);
            lines.join("\n") + "\n"
        }
        _ => text,
    };
    forge(&file, &broken, second_line_cut, None, false);
    let options = RestoreOptions { trust_unsigned: true, ..RestoreOptions::default() };
    match to.store.restore_with(&broken, &dst, &options).await {
        Err(BackupError::BadRow { part, line: 2, .. }) if part == "db/audit.jsonl" => {}
        other => panic!("broken: {other:?}"),
    }
    assert_eq!(to.store.row_count().await.unwrap(), 0, "broken: nothing restored");
    // The forgery is otherwise perfect: trusted explicitly, it restores (and is then vouched for).
    let forged = dirs.path().join("kept.zip");
    let options = RestoreOptions { trust_unsigned: true, ..RestoreOptions::default() };
    to.store.restore_with(&forged, &dst, &options).await.unwrap();
    assert_eq!(to.store.user_by_name("ke.gian").await.unwrap().unwrap().role, Role::Admin);
    assert!(to.store.verify_head().await.unwrap().is_ok());
    // The replay still names what the trail does not explain.
    let f = findings(&to.store).await;
    assert!(f.iter().any(|(e, c, _, found)| e == "user/ke.gian" && c == "row" && found.as_deref() == Some("admin")));
    assert!(f.iter().any(|(e, c, _, _)| e == "results/2021/department/v2" && c == "results"));
    assert!(f.iter().any(|(e, c, exp, found)| e.ends_with("so-y-te/infra")
        && c == "value"
        && exp.as_deref() == Some("7,5")
        && found.as_deref() == Some("9,5")));
}

/// A backup from another installation restores with that installation's key given, and
/// is then signed with this one's; a backup of a database whose head was not signed is
/// refused.
async fn other_installations(from: common::TestDb, to: common::TestDb) {
    fill(&from.store).await;
    let dirs = tempfile::tempdir().unwrap();
    let (src, dst) = (dirs.path().join("src"), dirs.path().join("dst"));
    let file = dirs.path().join("sao-luu.zip");
    from.store.backup(&src, &file).await.unwrap();
    let here = SigningKey::from_bytes([9; 32]);
    let target = Store::open(&to.url).await.unwrap().with_signing_key(here.clone());
    match target.restore(&file, &dst, false).await {
        Err(BackupError::Untrusted { problem: Untrusted::OtherKey { .. }, .. }) => {}
        other => panic!("{other:?}"),
    }
    let theirs = common::key();
    target.restore_with(&file, &dst, &RestoreOptions { key: Some(&theirs), ..Default::default() }).await.unwrap();
    assert!(target.verify_head().await.unwrap().is_ok(), "signed with this installation's key");
    target.put_document("d", "x", "admin", "").await.unwrap();
    assert!(target.verify_head().await.unwrap().is_ok());

    // The source's head rewritten before the backup: the backup is signed, its trail is not.
    let pool = raw(&from).await;
    exec(&pool, "UPDATE answers SET value = '9' WHERE unit_id = 'so-y-te' AND field = 'infra'").await;
    exec(&pool, "UPDATE audit SET new_value = '9' WHERE entity = 'answer/2021/department/so-y-te/infra' AND action = 'answer.set'").await;
    rehash(&pool).await;
    pool.close().await;
    let file2 = dirs.path().join("sau.zip");
    from.store.backup(&src, &file2).await.unwrap();
    let fresh = common::sqlite().await;
    match fresh.store.restore(&file2, &dst, false).await {
        Err(BackupError::Untrusted { problem: Untrusted::HeadNotSigned, .. }) => {}
        other => panic!("{other:?}"),
    }
}

/// A trail written before migration 0003 (no `detail`) still replays: what it did not record
/// is counted unchecked, never reported, and a changed figure is still found.
async fn old_events(db: common::TestDb) {
    fill(&db.store).await;
    let pool = raw(&db).await;
    exec(&pool, "UPDATE audit SET detail = ''").await;
    rehash(&pool).await;
    exec(&pool, "UPDATE audit_head SET signed_seq = 0, signature = ''").await;
    assert!(db.store.verify_chain().await.unwrap().is_ok());
    let r = db.store.replay().await.unwrap();
    assert_eq!(r.discrepancies, vec![], "{r:?}");
    for unchecked in ["answer/2021/department/so-y-te/web note", "submission/2021/department/so-noi-vu status"] {
        assert!(r.unchecked.iter().any(|u| u == unchecked), "{unchecked}: {:?}", r.unchecked);
    }
    exec(&pool, "UPDATE answers SET value = '9' WHERE unit_id = 'so-y-te' AND field = 'infra'").await;
    exec(&pool, "UPDATE answers SET verified = '1' WHERE unit_id = 'so-y-te' AND field = 'app'").await;
    let f = findings(&db.store).await;
    let columns: Vec<&str> = f.iter().map(|(_, c, _, _)| c.as_str()).collect();
    assert_eq!(columns, ["verified", "value"], "{f:?}");
    pool.close().await;
}

#[tokio::test]
async fn old_events_sqlite() {
    old_events(common::sqlite().await).await;
}

#[tokio::test]
async fn old_events_postgres() {
    if let Some(db) = common::postgres().await {
        old_events(db).await;
    }
}

#[tokio::test]
async fn changes_behind_the_back_sqlite() {
    changes_behind_the_back(common::sqlite().await).await;
}

#[tokio::test]
async fn changes_behind_the_back_postgres() {
    if let Some(db) = common::postgres().await {
        changes_behind_the_back(db).await;
    }
}

#[tokio::test]
async fn rewritten_chain_sqlite() {
    rewritten_chain(common::sqlite().await).await;
}

#[tokio::test]
async fn rewritten_chain_postgres() {
    if let Some(db) = common::postgres().await {
        rewritten_chain(db).await;
    }
}

#[tokio::test]
async fn first_start_sqlite() {
    first_start(common::sqlite().await).await;
}

#[tokio::test]
async fn first_start_postgres() {
    if let Some(db) = common::postgres().await {
        first_start(db).await;
    }
}

#[tokio::test]
async fn forged_backups_sqlite() {
    forged_backups(common::sqlite().await, common::sqlite().await).await;
}

#[tokio::test]
async fn forged_backups_postgres() {
    if let (Some(from), Some(to)) = (common::postgres().await, common::postgres().await) {
        forged_backups(from, to).await;
    }
}

#[tokio::test]
async fn other_installations_sqlite() {
    other_installations(common::sqlite().await, common::sqlite().await).await;
}

#[tokio::test]
async fn other_installations_postgres() {
    if let (Some(from), Some(to)) = (common::postgres().await, common::postgres().await) {
        other_installations(from, to).await;
    }
}

/// Figures an import put on the record in one event per unit are replayed field by field: a
/// value, a note or a whole row changed behind the import's back is each named, with the
/// import's event as what set it; a status the import made is checked too.
async fn imported_figures_changed_behind_the_back(db: common::TestDb) {
    let store = &db.store;
    let p = PeriodRow {
        year: Y,
        kind: K.into(),
        framework: "cao-bang-1513-department".into(),
        deadline: None,
        status: chiso_domain::PeriodStatus::Open,
    };
    store.create_period(&p, "admin").await.unwrap();
    let a = |f: &str, v: &str, n: &str| chiso_store::NewAnswer::new(f, v, n);
    let units = vec![
        (common::submission("so-y-te"), vec![a("infra", "7,5", ""), a("web", "N/A", "Không có cổng riêng")]),
        (common::submission("so-noi-vu"), vec![a("infra", "6", ""), a("app", "14", "")]),
    ];
    store.save_units(&units, None, "admin", "Excel").await.unwrap();
    let clean = store.replay().await.unwrap();
    assert_eq!(clean.discrepancies, vec![], "an import replays exactly");
    let import = store.audit_events("submission/2021/department/so-y-te").await.unwrap().remove(0);
    assert_eq!(import.action, chiso_store::ANSWERS_IMPORTED);

    let pool = raw(&db).await;
    exec(&pool, "UPDATE answers SET value = '8' WHERE unit_id = 'so-y-te' AND field = 'infra'").await;
    exec(&pool, "UPDATE answers SET note = '' WHERE unit_id = 'so-y-te' AND field = 'web'").await;
    exec(&pool, "DELETE FROM answers WHERE unit_id = 'so-noi-vu' AND field = 'app'").await;
    exec(&pool, "UPDATE submissions SET status = 'submitted' WHERE unit_id = 'so-noi-vu'").await;
    let mut f = findings(store).await;
    f.sort();
    assert_eq!(
        f,
        vec![
            ("answer/2021/department/so-noi-vu/app".into(), "row".into(), s("14"), None),
            ("answer/2021/department/so-y-te/infra".into(), "value".into(), s("7,5"), s("8")),
            ("answer/2021/department/so-y-te/web".into(), "note".into(), s("Không có cổng riêng"), s("")),
            ("submission/2021/department/so-noi-vu".into(), "status".into(), s("draft"), s("submitted")),
        ]
    );
    let r = store.replay().await.unwrap();
    let infra = r.discrepancies.iter().find(|d| d.entity.ends_with("so-y-te/infra")).unwrap();
    assert_eq!(infra.seq, Some(import.seq), "the import's event set it");
}

#[tokio::test]
async fn imported_figures_changed_behind_the_back_sqlite() {
    imported_figures_changed_behind_the_back(common::sqlite().await).await;
}

#[tokio::test]
async fn imported_figures_changed_behind_the_back_postgres() {
    if let Some(db) = common::postgres().await {
        imported_figures_changed_behind_the_back(db).await;
    }
}

//! A full disk and a read-only database, for real: small tmpfs mounts filled up and
//! remounted read-only, an ext4 image whose kernel turns it read-only under a running
//! store (`errors=remount-ro`), a PostgreSQL database in read-only mode and a PostgreSQL
//! tablespace on a full disk. Each error is typed, nothing is half-written, and the next
//! write succeeds once space (or write access) returns. Mounting needs root: without it
//! (or without loop devices) a test says why it skipped.

use chiso_testkit::db as common;

use chiso_store::{Failure, PeriodRow, Store};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn sh(cmd: &str, args: &[&str]) -> Result<(), String> {
    let o = Command::new(cmd).args(args).output().map_err(|e| format!("{cmd}: {e}"))?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!("{cmd} {}: {}", args.join(" "), String::from_utf8_lossy(&o.stderr).trim()))
    }
}

/// A mount on a temporary directory, unmounted on drop.
struct Mount {
    dir: tempfile::TempDir,
    image: Option<PathBuf>,
}

impl Mount {
    fn tmpfs(size: &str) -> Option<Mount> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_str().unwrap().to_string();
        match sh("mount", &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", &path]) {
            Ok(()) => Some(Mount { dir, image: None }),
            Err(e) => {
                eprintln!("SKIPPED: cannot mount a tmpfs (needs root, as in CI): {e}");
                None
            }
        }
    }

    /// An ext4 image on a loop device that the kernel turns read-only on an error.
    fn ext4(images: &Path) -> Option<Mount> {
        let image = images.join("disk.img");
        let dir = tempfile::tempdir().unwrap();
        let result = sh("truncate", &["-s", "32M", image.to_str().unwrap()])
            .and_then(|_| sh("mkfs.ext4", &["-q", image.to_str().unwrap()]))
            .and_then(|_| {
                sh("mount", &["-o", "loop,errors=remount-ro", image.to_str().unwrap(), dir.path().to_str().unwrap()])
            });
        match result {
            Ok(()) => Some(Mount { dir, image: Some(image) }),
            Err(e) => {
                eprintln!("SKIPPED: cannot mount an ext4 image on a loop device (needs root and /dev/loop*): {e}");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the file system with `fill`; returns its path.
    fn fill(&self) -> PathBuf {
        let path = self.path().join("fill");
        let mut f = std::fs::File::create(&path).unwrap();
        let chunk = vec![7u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
        path
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        if sh("umount", &[self.path().to_str().unwrap()]).is_err() {
            let _ = sh("umount", &["-l", self.path().to_str().unwrap()]);
        }
        let _ = &self.image;
    }
}

fn period(year: i32) -> PeriodRow {
    PeriodRow {
        year,
        kind: "department".into(),
        framework: "cao-bang-1513-department".into(),
        deadline: None,
        status: chiso_domain::PeriodStatus::Open,
    }
}

/// Answers big enough (~600 KB) not to fit in what a full disk has left.
fn big_answers() -> Vec<chiso_store::NewAnswer> {
    (0..60).map(|i| chiso_store::NewAnswer::new(format!("field{i}"), "9".repeat(10_000), "")).collect()
}

async fn events(store: &Store) -> usize {
    store.verify_chain().await.unwrap().expect("the chain verifies")
}

#[tokio::test]
async fn sqlite_disk_full_is_typed_nothing_half_written_and_recovers() {
    let Some(mount) = Mount::tmpfs("4m") else { return };
    let url = format!("sqlite://{}", mount.path().join("chiso.sqlite").display());
    let store = Store::open(&url).await.unwrap();
    store.create_period(&period(2021), "admin").await.unwrap();
    let before = events(&store).await;
    let fill = mount.fill();

    let err = store.save_answers(&common::submission("so-y-te"), &big_answers(), None, "bcv", "").await.unwrap_err();
    assert_eq!(err.failure(), Some(Failure::Full), "{err}");
    assert!(err.to_string().contains("disk full"), "{err}");
    // Nothing half-written: no submission, no answer, no event; reads still work.
    assert!(store.submission(2021, "department", "so-y-te").await.unwrap().is_none());
    assert!(store.answers(2021, "department", "so-y-te").await.unwrap().is_empty());
    assert_eq!(events(&store).await, before);

    // Space returns: the same store writes again, no restart.
    std::fs::remove_file(fill).unwrap();
    store.save_answers(&common::submission("so-y-te"), &big_answers(), None, "bcv", "").await.unwrap();
    assert_eq!(store.answers(2021, "department", "so-y-te").await.unwrap().len(), 60);
    assert_eq!(events(&store).await, before + 60);
    store.close().await;
    assert_eq!(Store::open(&url).await.unwrap().integrity_check().await.unwrap(), "ok");
}

#[tokio::test]
async fn sqlite_on_a_read_only_file_system_is_typed() {
    let Some(mount) = Mount::tmpfs("4m") else { return };
    let url = format!("sqlite://{}", mount.path().join("chiso.sqlite").display());
    let store = Store::open(&url).await.unwrap();
    store.create_period(&period(2021), "admin").await.unwrap();
    store.close().await;
    // The same files through a read-only mount (sqlx may keep a closed pool's files open in
    // this process, which would forbid remounting the tmpfs itself read-only).
    let view = tempfile::tempdir().unwrap();
    let view_path = view.path().to_str().unwrap().to_string();
    let view_path = view_path.as_str();
    sh("mount", &["--bind", mount.path().to_str().unwrap(), view_path]).unwrap();
    let _unmount = Mount { dir: view, image: None };
    sh("mount", &["-o", "remount,bind,ro", view_path]).unwrap();
    let ro_url = format!("sqlite://{view_path}/chiso.sqlite");
    // Either it cannot start (a WAL database needs its shared-memory file), or it reads and
    // refuses to write: both say "read-only".
    match Store::open(&ro_url).await {
        Err(err) => assert_eq!(err.failure(), Some(Failure::ReadOnly), "{err}"),
        Ok(ro) => {
            let err = ro.create_period(&period(2022), "admin").await.unwrap_err();
            assert_eq!(err.failure(), Some(Failure::ReadOnly), "{err}");
            assert_eq!(ro.periods().await.unwrap().len(), 1);
            ro.close().await;
        }
    }
    sh("mount", &["-o", "remount,bind,rw", view_path]).unwrap();
    let store = Store::open(&ro_url).await.unwrap();
    store.create_period(&period(2022), "admin").await.unwrap();
    assert_eq!(events(&store).await, 2);
    store.close().await;
}

#[tokio::test]
async fn sqlite_file_system_turning_read_only_under_a_running_store() {
    let images = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::ext4(images.path()) else { return };
    let url = format!("sqlite://{}", mount.path().join("chiso.sqlite").display());
    let store = Store::open(&url).await.unwrap();
    store.create_period(&period(2021), "admin").await.unwrap();
    store.save_answers(&common::submission("so-y-te"), &big_answers()[..3], None, "bcv", "").await.unwrap();
    let before = events(&store).await;

    // The kernel's reaction to a disk error: the file system becomes read-only.
    let device = std::fs::read_to_string("/proc/mounts")
        .unwrap()
        .lines()
        .find(|l| l.split(' ').nth(1) == Some(mount.path().to_str().unwrap()))
        .and_then(|l| l.split(' ').next()?.strip_prefix("/dev/").map(str::to_string))
        .unwrap();
    let trigger = format!("/sys/fs/ext4/{device}/trigger_fs_error");
    if let Err(e) = std::fs::write(&trigger, "1") {
        eprintln!("SKIPPED: cannot trigger an ext4 error through {trigger}: {e}");
        return;
    }
    let err = store.save_answers(&common::submission("so-y-te"), &big_answers(), None, "bcv", "").await.unwrap_err();
    assert_eq!(err.failure(), Some(Failure::ReadOnly), "{err}");
    // Reads still work (the published results stay visible); nothing was half-written.
    assert_eq!(store.answers(2021, "department", "so-y-te").await.unwrap().len(), 3);
    assert_eq!(events(&store).await, before);

    // Recovery is the administrator's: stop chiso, check the file system (e2fsck), mount it
    // again, start chiso (bench/storage-failures does it).
    store.close().await;
}

#[tokio::test]
async fn other_errors_stay_other_and_a_healthy_disk_probes_clean() {
    let db = common::sqlite().await;
    db.store.create_session("h", 1, "c", 60).await.unwrap_err(); // no user 1: a foreign key
    let err = db.store.create_session("h", 1, "c", 60).await.unwrap_err();
    assert_eq!(err.failure(), Some(Failure::Other), "{err}");
    assert_eq!(chiso_store::failure_probe(std::path::Path::new(&db.url["sqlite://".len()..]).parent().unwrap()), None);
}

async fn admin_pool() -> Option<sqlx::AnyPool> {
    let admin = std::env::var("CHISO_TEST_POSTGRES_URL").ok()?;
    sqlx::any::install_default_drivers();
    Some(sqlx::AnyPool::connect(&admin).await.unwrap())
}

fn db_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

#[tokio::test]
async fn postgres_read_only_is_typed_and_recovers_without_restart() {
    let Some(db) = common::postgres().await else { return };
    let admin = admin_pool().await.unwrap();
    db.store.create_period(&period(2021), "admin").await.unwrap();
    let name = db_name(&db.url);
    use sqlx::Executor;
    admin.execute(format!("ALTER DATABASE {name} SET default_transaction_read_only = on").as_str()).await.unwrap();
    // A server started while the database is read-only (a standby, or set so by the DBA).
    let store = Store::open(&db.url).await.unwrap();
    let err = store.create_period(&period(2022), "admin").await.unwrap_err();
    assert_eq!(err.failure(), Some(Failure::ReadOnly), "{err}");
    assert_eq!(store.periods().await.unwrap().len(), 1);
    admin.execute(format!("ALTER DATABASE {name} RESET default_transaction_read_only").as_str()).await.unwrap();
    // The same store: the next write succeeds.
    store.create_period(&period(2022), "admin").await.unwrap();
    assert_eq!(events(&store).await, 2);
}

#[tokio::test]
async fn postgres_disk_full_is_typed_nothing_half_written_and_recovers() {
    let Some(admin) = admin_pool().await else {
        eprintln!("CHISO_TEST_POSTGRES_URL is not set: skipped");
        return;
    };
    let Some(mount) = Mount::tmpfs("24m") else { return };
    let location = mount.path().join("ts");
    std::fs::create_dir(&location).unwrap();
    if let Err(e) = sh("chown", &["postgres:", location.to_str().unwrap()]) {
        eprintln!("SKIPPED: the tablespace directory cannot be given to the postgres user: {e}");
        return;
    }
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).unwrap();
    let suffix: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    let (ts, name) = (format!("chiso_full_{suffix}"), format!("chiso_full_{suffix}"));
    use sqlx::Executor;
    let created = admin.execute(format!("CREATE TABLESPACE {ts} LOCATION '{}'", location.display()).as_str()).await;
    if let Err(e) = created {
        eprintln!("SKIPPED: cannot create a tablespace on the small disk (server not local?): {e}");
        return;
    }
    admin.execute(format!("CREATE DATABASE {name} TABLESPACE {ts}").as_str()).await.unwrap();
    let base = std::env::var("CHISO_TEST_POSTGRES_URL").unwrap();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    let store = Store::open(&url).await.unwrap();
    store.create_period(&period(2021), "admin").await.unwrap();
    let before = events(&store).await;
    let fill = mount.fill();

    let mut failure = None;
    for round in 0..20 {
        let unit = format!("don-vi-{round}");
        match store.save_answers(&common::submission(&unit), &big_answers(), None, "bcv", "").await {
            Ok(()) => continue,
            Err(e) => {
                failure = Some((unit, e));
                break;
            }
        }
    }
    let (unit, err) = failure.expect("a full tablespace refuses writes");
    assert_eq!(err.failure(), Some(Failure::Full), "{err}");
    assert!(store.answers(2021, "department", &unit).await.unwrap().is_empty());
    let after_failure = events(&store).await;
    assert_eq!((after_failure - before) % 60, 0, "only whole submissions were written");

    std::fs::remove_file(fill).unwrap();
    store.save_answers(&common::submission(&unit), &big_answers(), None, "bcv", "").await.unwrap();
    assert_eq!(events(&store).await, after_failure + 60);
    store.close().await;
    let _ = admin.execute(format!("DROP DATABASE {name}").as_str()).await;
    let _ = admin.execute(format!("DROP TABLESPACE {ts}").as_str()).await;
}

/// The review's scenario: a disk that fills up under concurrent saves, each small enough
/// to fail at COMMIT (the WAL is written then), not at a statement. Every save that was
/// acknowledged must be in the database after a restart, and once space returns every
/// save succeeds (a failed COMMIT must not leave a pooled connection inside a
/// transaction that holds the write lock, or turn later transactions into savepoints).
#[tokio::test]
async fn sqlite_full_disk_under_concurrent_saves_loses_no_acknowledged_write() {
    let Some(mount) = Mount::tmpfs("6m") else { return };
    let url = format!("sqlite://{}", mount.path().join("chiso.sqlite").display());
    let store = Store::open(&url).await.unwrap();
    store.create_period(&period(2021), "admin").await.unwrap();
    store
        .save_answers(&common::submission("so-y-te"), &[chiso_store::NewAnswer::new("infra", "0", "")], None, "bcv", "")
        .await
        .unwrap();
    let fill = mount.fill();

    let save = |store: Store, i: usize| async move {
        let answers = [chiso_store::NewAnswer::new("infra", format!("{i}"), "")];
        let reason = format!("lần {i} {}", "x".repeat(10_000));
        (i, store.save_answers(&common::submission("so-y-te"), &answers, None, "bcv", &reason).await)
    };
    let mut acknowledged = Vec::new();
    let mut full = 0;
    let tasks: Vec<_> = (1..=40).map(|i| tokio::spawn(save(store.clone(), i))).collect();
    for t in tasks {
        match t.await.unwrap() {
            (i, Ok(())) => acknowledged.push(i),
            (_, Err(e)) => {
                assert_eq!(e.failure(), Some(Failure::Full), "a full disk is told as such, not as {e}");
                full += 1;
            }
        }
    }
    assert!(full > 0, "the disk was full: some saves must have been refused");

    // Space returns: every save succeeds, without a restart.
    std::fs::remove_file(fill).unwrap();
    let tasks: Vec<_> = (41..=50).map(|i| tokio::spawn(save(store.clone(), i))).collect();
    for t in tasks {
        let (i, r) = t.await.unwrap();
        r.unwrap_or_else(|e| panic!("save {i} after space returned: {e}"));
        acknowledged.push(i);
    }
    store.close().await;

    // After a restart every acknowledged save is on the record, and the chain holds.
    let store = Store::open(&url).await.unwrap();
    let recorded: std::collections::HashSet<String> = store
        .audit_events("answer/2021/department/so-y-te/infra")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.new_value)
        .collect();
    for i in &acknowledged {
        assert!(recorded.contains(&i.to_string()), "save {i} was acknowledged but is not in the database");
    }
    assert!(store.verify_chain().await.unwrap().is_ok());
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
}

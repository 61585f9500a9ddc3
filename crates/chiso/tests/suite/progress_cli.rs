//! Long commands show their progress on a terminal only: in a pipe (scripts, logs, these
//! tests) their stderr carries no progress line, no carriage return, no terminal code; under
//! a terminal (`script` gives the command one) the line is drawn and cleared.

use crate::command::{chiso, text};
use std::path::Path;
use std::process::Command;

fn repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn quiet(o: &std::process::Output) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "progress noise on a pipe: {err:?}");
    assert!(!err.contains("Báo cáo:") && !err.contains("Sao lưu") && !err.contains("Khôi phục:"), "{err:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn report_backup_and_restore_are_quiet_on_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = repo().join("data/cao-bang");
    let args = ["report", "--period", "2020", "--compare", "2019", "--format", "docx,xlsx,html", "--out", "bc"];
    let o = chiso(d).args(args).args(["--data", data.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(o.stderr.is_empty(), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 3, "{}", text(&o));

    let db = format!("sqlite://{}", d.join("chiso.sqlite").display());
    let store = chiso_store::Store::open(&db).await.unwrap();
    chiso_app::seed::bootstrap(&store, &d.join("chiso-data"), chiso_app::seed::Start::Demo).await.unwrap();
    store.close().await;
    let o = chiso(d).args(["backup", "--out", "sao-luu.zip", "--db", &db]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    quiet(&o);
    let copy = format!("sqlite://{}", d.join("ban-sao.sqlite").display());
    let key = d.join("chiso-data/signing.key");
    let mut restore = chiso(d);
    restore.args(["restore", "--db", &copy, "--data-dir", "du-lieu-moi", "sao-luu.zip"]);
    if key.exists() {
        restore.args(["--key", key.to_str().unwrap()]);
    } else {
        restore.arg("--trust-unsigned");
    }
    let o = restore.output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    quiet(&o);
}

#[test]
fn a_terminal_sees_the_progress_line() {
    // `script` runs the command on a pseudo-terminal and copies what it drew.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("no `script` (util-linux): the terminal half of this test skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = repo().join("data/cao-bang");
    let line = format!(
        "'{}' report --data '{}' --period 2020 --format html --out '{}'",
        env!("CARGO_BIN_EXE_chiso"),
        data.display(),
        dir.path().join("bc").display()
    );
    let o = Command::new("script").args(["-qec", &line, "/dev/null"]).env_remove("CHISO_LANG").output().unwrap();
    let drawn = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{drawn}");
    assert!(drawn.contains("\r\u{1b}[2KBáo cáo: ghi các tệp"), "{drawn:?}");
    // Cleared before the command says what it wrote.
    let cleared = drawn.rfind("\r\u{1b}[2K").unwrap();
    assert!(drawn[cleared..].contains("bao-cao-2020.html"), "{drawn:?}");
}

#[test]
fn a_terminal_sees_the_draws_counted_up_to_all_of_them() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("no `script` (util-linux): skipped");
        return;
    }
    let data = repo().join("data/cao-bang");
    let line = format!(
        "'{}' analyze --data '{}' --period 2020 --kind department --draws 3000",
        env!("CARGO_BIN_EXE_chiso"),
        data.display()
    );
    let o = Command::new("script").args(["-qec", &line, "/dev/null"]).env_remove("CHISO_LANG").output().unwrap();
    let drawn = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{drawn}");
    // The amounts the analysis told, as drawn: never going back, the last all 3000.
    let amounts: Vec<u64> = drawn
        .split("\r\u{1b}[2K")
        .filter(|l| l.starts_with("Phân tích: lượt mô phỏng"))
        .filter_map(|l| l.split("] ").nth(1)?.split('/').next()?.parse().ok())
        .collect();
    assert!(amounts.windows(2).all(|w| w[0] <= w[1]), "{amounts:?}");
    assert_eq!(amounts.last(), Some(&3000), "{drawn:?}");
    // And on a pipe, nothing but the analysis.
    let o = crate::command::chiso(&repo())
        .args(["analyze", "--data", data.to_str().unwrap(), "--period", "2020", "--kind", "department"])
        .output()
        .unwrap();
    assert!(o.status.success() && o.stderr.is_empty(), "{}", text(&o));
}

//! `chiso report` with the `[tables]` settings of the year's report file.

use crate::command::{chiso, text};
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The seed with `tables` appended to its 2020 report settings.
fn seed_with(dir: &Path, tables: &str) -> std::path::PathBuf {
    let data = dir.join("cao-bang");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang"), &data);
    let file = data.join("reports/2020.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n[tables]\n{tables}\n")).unwrap();
    data
}

#[test]
fn the_report_prints_the_tables_its_settings_choose_and_refuses_an_unknown_level() {
    let dir = tempfile::tempdir().unwrap();
    let data = seed_with(dir.path(), "levels = [\"Mức I\", \"Mức II\"]\nfull = false");
    let args = ["report", "--period", "2020", "--format", "html", "--out", "bc", "--data", data.to_str().unwrap()];
    let o = chiso(dir.path()).args(args).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let html = std::fs::read_to_string(dir.path().join("bc/bao-cao-2020.html")).unwrap();
    assert!(html.contains("Các cơ quan đạt Mức II năm 2020"), "a level's table");
    assert!(html.contains("Bảng xếp hạng đầy đủ của 20 cơ quan"), "the full table's place said");

    let dir = tempfile::tempdir().unwrap();
    let data = seed_with(dir.path(), "levels = [\"Mức I\", \"Mức V\"]");
    let args = ["report", "--period", "2020", "--format", "html", "--out", "bc", "--data", data.to_str().unwrap()];
    let o = chiso(dir.path()).args(args).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("reports/2020.toml") && err.contains("Mức V"), "the file and the value: {err}");
    assert!(err.contains("Mức I, Mức II, Mức III, Mức IV"), "the levels there are: {err}");
    assert!(!dir.path().join("bc/bao-cao-2020.html").exists());
    // A bad value: the file and its line.
    let dir = tempfile::tempdir().unwrap();
    let data = seed_with(dir.path(), "top = \"mười\"");
    let args = ["report", "--period", "2020", "--format", "html", "--out", "bc", "--data", data.to_str().unwrap()];
    let o = chiso(dir.path()).args(args).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("2020.toml") && err.contains("dòng"), "{err}");
}

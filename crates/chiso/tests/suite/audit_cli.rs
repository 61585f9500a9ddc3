//! `chiso audit` as a user runs it: the seed report has errors (exit 1), chiso's own report
//! has none (exit 0), an unreadable file is exit 2; text and JSON forms.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn chiso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chiso")).current_dir(root()).env_remove("CHISO_LANG").args(args).output().unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

const SEED_DOCX: &str = "data/cao-bang/seed/bao-cao-cao-bang-2020.docx";
const SEED_XLSX: &str = "data/cao-bang/seed/bang-diem-cao-bang-2020.xlsx";

#[test]
fn the_seed_report_has_errors_and_says_where() {
    let o = chiso(&["audit", SEED_DOCX, "--data", "data/cao-bang", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    let findings = v["findings"].as_array().unwrap();
    let vp = findings
        .iter()
        .find(|f| f["check"] == "sum" && f["unit"] == "Văn phòng UBND tỉnh")
        .expect("the Provincial Office's total");
    assert_eq!(vp["severity"], "error");
    assert_eq!(vp["table"], "Bảng 1");
    assert_eq!(vp["row"], 12);
    assert_eq!(vp["column"], "Tổng điểm / Năm 2020");
    assert_eq!(vp["printed"], "44,2");
    assert_eq!(vp["expected"], "45,2");
    assert!(vp["message"].as_str().unwrap().contains("khác tổng các phần"));
    let gap = findings.iter().find(|f| f["printed"] == "3,7").expect("the online-services gap");
    assert_eq!(gap["check"], "narrative-gap");
    assert_eq!(gap["expected"], "5,8");
    assert!(gap["paragraph"].as_u64().is_some());
    assert!(gap["table"].is_null());
    let s = &v["summary"];
    assert_eq!(s["error"].as_u64().unwrap(), findings.iter().filter(|f| f["severity"] == "error").count() as u64);
    assert!(s["rounding"].as_u64().unwrap() > 0 && s["warning"].as_u64().unwrap() > 0);
    assert_eq!(s["files"][0]["tables"], 17);
}

#[test]
fn the_text_form_groups_by_table_and_speaks_english_on_request() {
    let o = chiso(&["audit", SEED_XLSX]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("Bảng 1. Xếp hạng mức độ ứng dụng CNTT tổng thể"), "{out}");
    assert!(
        out.contains("[LỖI] dòng 13 (F13), cột \"Tổng điểm / Năm 2020\" — Văn phòng UBND tỉnh: in 44,2, đúng là 45,2"),
        "{out}"
    );
    assert!(out.contains("lỗi") && out.contains("làm tròn"));
    let o = chiso(&["--lang", "en", "audit", SEED_XLSX]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("[ERROR] row 13 (F13), column \"Tổng điểm / Năm 2020\""), "{out}");
    assert!(out.contains("is not the sum of its parts"), "{out}");
}

#[test]
fn a_report_chiso_writes_audits_without_errors_or_rounding() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = chiso(&[
        "report",
        "--data",
        "data/cao-bang",
        "--period",
        "2020",
        "--compare",
        "2019",
        "--out",
        out,
        "--format",
        "docx,xlsx",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let docx = dir.path().join("bao-cao-2020.docx");
    let xlsx = dir.path().join("bao-cao-2020.xlsx");
    let o = chiso(&["audit", docx.to_str().unwrap(), xlsx.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    let v = json(&o);
    assert_eq!(v["summary"]["error"], 0);
    assert_eq!(v["summary"]["rounding"], 0);
    assert_eq!(v["summary"]["files"].as_array().unwrap().len(), 2);
}

#[test]
fn the_report_of_a_year_after_the_mergers_audits_without_errors() {
    // 2025 against 2020: departments that continue themselves, one renamed, one compared with
    // its two predecessors combined (its 2020 columns are that combination), one without data.
    // The auditor reads the same 14 comparable units, and their ranks, from the page.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let report =
        ["report", "--period", "2025", "--compare", "2020", "--explain-moves", "--format", "docx", "--out", out];
    let o = chiso(&report);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let docx = dir.path().join("bao-cao-2025.docx");
    let o = chiso(&["audit", docx.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    let v = json(&o);
    assert_eq!(v["summary"]["error"], 0);
    assert_eq!(v["summary"]["rounding"], 0);
}

#[test]
fn unreadable_input_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("hong.docx");
    std::fs::write(&bad, b"not a zip archive").unwrap();
    let o = chiso(&["audit", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("không đọc được"));
    let o = chiso(&["audit", "Cargo.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = chiso(&["audit", "khong-co.xlsx"]);
    assert_eq!(o.status.code(), Some(2));
    // A readable file next to an unreadable one is still audited; the status says the input failed.
    let o = chiso(&["audit", SEED_DOCX, bad.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json(&o)["summary"]["unreadable"].as_array().unwrap().len(), 1);
}

#[test]
fn csv_tables_are_audited_together() {
    let files: Vec<String> = (1..=17).map(|i| format!("data/cao-bang/seed/bang{i:02}.csv")).collect();
    let mut args = vec!["audit", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let o = chiso(&args);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["summary"]["files"].as_array().unwrap().len(), 1);
    assert_eq!(v["summary"]["files"][0]["tables"], 17);
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["check"] == "header" && f["table"] == "Bảng 16"));
}

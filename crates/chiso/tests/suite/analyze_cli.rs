//! `chiso analyze` as users and other tools run it: the JSON contract, the Vietnamese
//! and English text, reproducibility, bad options.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn chiso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chiso")).current_dir(root()).env_remove("CHISO_LANG").args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

const DEPARTMENTS: [&str; 7] = ["analyze", "--data", "data/cao-bang", "--period", "2020", "--kind", "department"];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    DEPARTMENTS.iter().copied().chain(extra.iter().copied()).collect()
}

#[test]
fn json_contract_for_the_seed_departments() {
    let out = stdout(&chiso(&args(&["--draws", "2000", "--seed", "7", "--format", "json"])));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["period"].as_i64(), v["kind"].as_str()), (Some(2020), Some("department")));
    assert_eq!((v["draws"].as_u64(), v["seed"].as_u64()), (Some(2000), Some(7)));
    let units = v["units"].as_array().unwrap();
    assert_eq!(units.len(), 20);
    for u in units {
        let rank = u["rank"].as_u64().unwrap();
        let interval = u["rank_interval"].as_array().unwrap();
        let (lo, hi) = (interval[0].as_u64().unwrap(), interval[1].as_u64().unwrap());
        let median = u["median_rank"].as_u64().unwrap();
        assert!(lo <= median && median <= hi, "{u}");
        assert!(lo <= rank + 1 && rank <= hi + 1, "{u}");
        assert!(u["reachable"].is_boolean());
    }
    let ld = units.iter().find(|u| u["unit"] == "Sở Lao động, Thương binh và Xã hội").unwrap();
    assert_eq!(ld["rank"], 6);
    assert_eq!(ld["total"], "46.3");
    assert_eq!(ld["next_level"], "Mức II");
    assert_eq!(ld["points_needed"], "1.7");
    assert_eq!(ld["reachable"], true);
    let plan = ld["plan"].as_array().unwrap();
    assert_eq!(plan.len(), 1);
    assert_eq!((plan[0]["criterion"].as_str(), plan[0]["points"].as_str()), (Some("online_services"), Some("1.7")));
    let top = &units[0];
    assert_eq!(top["unit"], "Sở Giáo dục và Đào tạo");
    assert!(top["next_level"].is_null() && top["points_needed"].is_null());
    assert_eq!(top["rank_interval"], serde_json::json!([1, 1]));
    assert_eq!(v["summaries"].as_array().unwrap().len(), 3);
    assert!(v["summaries"][0]["vi"].as_str().unwrap().contains("kịch bản"));
    assert_eq!(v["trends"]["years"], serde_json::json!([2019, 2020]));
    // Same seed, same bytes; another number of threads, same bytes.
    assert_eq!(out, stdout(&chiso(&args(&["--draws", "2000", "--seed", "7", "--format", "json", "--threads", "1"]))));
}

#[test]
fn without_perturbation_the_intervals_are_the_ranks() {
    let out =
        stdout(&chiso(&args(&["--draws", "100", "--weight-spread", "0", "--threshold-step", "0", "--format", "json"])));
    let v: Value = serde_json::from_str(&out).unwrap();
    for u in v["units"].as_array().unwrap() {
        let rank = u["rank"].clone();
        assert_eq!(u["rank_interval"], serde_json::json!([rank, rank]), "{u}");
        assert_eq!(u["median_rank"], rank);
    }
}

#[test]
fn text_is_vietnamese_with_decimal_commas_and_english_on_request() {
    let vi = stdout(&chiso(&args(&["--draws", "500"])));
    assert!(vi.contains("1. Độ vững của thứ hạng"), "{vi}");
    assert!(vi.contains("2. Điều kiện để lên mức tiếp theo"));
    assert!(vi.contains("3. Diễn biến qua các năm"));
    // The plan's line: total, level, next level, points missing, the group and its points.
    let ld = vi.lines().find(|l| l.contains("Sở Lao động") && l.contains("Cung cấp DVCTT")).unwrap();
    for part in ["46,3", "Mức III", "Mức II ", " 1,7 ", "+1,7 (0,4 → 2,1)"] {
        assert!(ld.contains(part), "{part:?} in {ld}");
    }
    assert!(vi.contains("Khi trọng số mỗi nhóm tiêu chí thay đổi ±20 %"));
    let en = stdout(&chiso(&["--lang", "en"].iter().copied().chain(args(&["--draws", "500"])).collect::<Vec<_>>()));
    assert!(en.contains("1. How solid each rank is"), "{en}");
    assert!(en.contains("With each group's weight varied by ±20 %"));
    let ld = en.lines().find(|l| l.contains("Sở Lao động") && l.contains("Cung cấp DVCTT")).unwrap();
    assert!(ld.contains("46.3") && ld.contains("+1.7 (0.4 → 2.1)"), "{ld}");
}

#[test]
fn figures_appear_for_frameworks_that_score_from_figures() {
    let out = stdout(&chiso(&[
        "analyze",
        "--data",
        "data/example",
        "--period",
        "2024",
        "--kind",
        "agency",
        "--format",
        "json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    let d = v["units"].as_array().unwrap().iter().find(|u| u["unit"] == "Cơ quan mẫu Đông").unwrap();
    assert_eq!(d["next_level"], "Mức II");
    let figures = d["plan"][0]["figures"].as_array().unwrap();
    assert!(figures.iter().any(|f| f["rule"] == "ratio" && f["to"] == "400/400"), "{figures:?}");
}

#[test]
fn bad_options_are_refused_with_a_message() {
    let o = chiso(&args(&["--weight-spread", "150"]));
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--weight-spread"));
    let o = chiso(&args(&["--threshold-step", "abc"]));
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--threshold-step"));
    let o = chiso(&["analyze", "--period", "1999", "--kind", "department"]);
    assert!(!o.status.success());
}

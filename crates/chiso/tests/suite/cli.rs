//! The `chiso` command as users and other tools run it.

use serde_json::Value;
use std::path::{Path, PathBuf};
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

#[test]
fn json_contract_for_departments_with_previous_ranks() {
    let out = stdout(&chiso(&[
        "score",
        "--data",
        "data/cao-bang",
        "--period",
        "2020",
        "--kind",
        "department",
        "--compare",
        "2019",
        "--format",
        "json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["period"], 2020);
    assert_eq!(v["kind"], "department");
    assert_eq!(v["framework"], "cao-bang-1513-department");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 20);
    let ld = &results[5];
    assert_eq!(ld["unit"], "Sở Lao động, Thương binh và Xã hội");
    assert_eq!(ld["status"], "ranked");
    assert_eq!(ld["total"], "46.3");
    assert_eq!(ld["level"], "Mức III");
    assert_eq!((ld["rank"].as_u64(), ld["previous_rank"].as_u64()), (Some(6), Some(19)));
    assert_eq!(ld["scores"]["online_services"], "0.4");
    assert_eq!(ld["scores"]["infra"], "8.0");
    let last = &results[19];
    assert_eq!(
        (last["status"].as_str(), last["level"].is_null(), last["rank"].as_u64()),
        (Some("below_levels"), true, Some(20))
    );
    // Same data, same bytes.
    let again =
        stdout(&chiso(&["score", "--period", "2020", "--kind", "department", "--compare", "2019", "--format", "json"]));
    assert_eq!(out, again);
}

#[test]
fn json_for_districts_marks_no_data() {
    let out =
        stdout(&chiso(&["score", "--period", "2020", "--kind", "district", "--compare", "2019", "--format", "json"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    let r = v["results"].as_array().unwrap();
    assert_eq!(r[0]["total"], "78.17");
    assert_eq!(r[0]["scores"]["readiness"], "30.16");
    assert_eq!(r[8]["unit"], "Huyện Quảng Hòa");
    assert_eq!(r[8]["previous_rank"], 13);
    let ta = &r[9];
    assert_eq!(ta["unit"], "Huyện Thạch An");
    assert_eq!(ta["status"], "no_data");
    assert!(ta["total"].is_null() && ta["rank"].is_null() && ta["level"].is_null() && ta["previous_rank"].is_null());
}

#[test]
fn the_table_is_in_vietnamese_format() {
    let out = stdout(&chiso(&["score", "--period", "2020", "--kind", "department", "--compare", "2019"]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].contains("Thứ tự xếp hạng 2020") && lines[0].contains("Thứ tự xếp hạng 2019"));
    assert!(lines[1].contains("Điểm tối đa") && lines[1].contains("60,0"));
    let cols = |l: &str| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert!(lines[9].contains("Văn phòng Ủy ban nhân dân tỉnh") && cols(lines[9]).contains(&"45,2".to_string()));
    assert!(lines[19].contains("Sở Tài nguyên và Môi trường") && cols(lines[19]).contains(&"KXH".to_string()));
    let d = stdout(&chiso(&["score", "--period", "2020", "--kind", "district"]));
    assert!(
        d.lines().last().unwrap().ends_with("Huyện Thạch An      Không xếp hạng do không cung cấp số liệu."),
        "{d}"
    );
}

#[test]
fn csv_has_one_row_per_unit_with_dot_decimals() {
    let out = stdout(&chiso(&["score", "--period", "2020", "--kind", "department", "--format", "csv"]));
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "rank,unit,status,level,total,infra,app,web,online_services,staff,policy,previous_rank"
    );
    assert_eq!(lines.next().unwrap(), "1,Sở Giáo dục và Đào tạo,ranked,Mức I,56.3,8.0,15.9,19.0,3.4,5.0,5.0,");
}

#[test]
fn framework_check_accepts_the_shipped_frameworks_and_names_the_line_of_a_problem() {
    for f in [
        "data/cao-bang/frameworks/department.toml",
        "data/cao-bang/frameworks/district.toml",
        "data/example/frameworks/example.toml",
    ] {
        let out = stdout(&chiso(&["framework", "check", f]));
        assert!(out.starts_with("Bộ tiêu chí hợp lệ"), "{out}");
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(root().join("data/cao-bang/frameworks/department.toml"))
        .unwrap()
        .replace("max = 16", "max = 15");
    std::fs::write(&bad, text).unwrap();
    let o = chiso(&["--lang", "en", "framework", "check", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("bad.toml, line 10: framework maximum 60 differs from the sum of its top-level criteria 59"),
        "{err}"
    );
}

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

#[test]
fn a_failed_import_changes_nothing_and_a_valid_one_replaces_the_figures() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cao-bang");
    copy_dir(&root().join("data/cao-bang"), &data);
    let figures = data.join("periods/2020-department.csv");
    let before = std::fs::read(&figures).unwrap();

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Đơn vị,infra,app,web,online_services,staff,policy\nSở Y tế,9,14.9,18,2.8,5,5\nSở Tư pháp,6,13,16,3.2,2,5\n",
    )
    .unwrap();
    let o = chiso(&[
        "import",
        "--data",
        data.to_str().unwrap(),
        "--period",
        "2020",
        "--kind",
        "department",
        bad.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("dòng 2, cột B (infra), giá trị \"9\": infra: điểm 9 vượt điểm tối đa 8"), "{err}");
    assert_eq!(std::fs::read(&figures).unwrap(), before);

    // Tư pháp's corrected figures: the whole file is valid, it becomes the period's data.
    let mut good = String::from_utf8(before.clone()).unwrap();
    good = good.replace("Sở Tư pháp,6.0,13.0,16.0,3.2,2.0,5.0", "Sở Tư pháp,6.0,13.0,16.0,3.2,3.0,5.0");
    let good_path = dir.path().join("good.csv");
    std::fs::write(&good_path, &good).unwrap();
    stdout(&chiso(&[
        "import",
        "--data",
        data.to_str().unwrap(),
        "--period",
        "2020",
        "--kind",
        "department",
        good_path.to_str().unwrap(),
    ]));
    let out = stdout(&chiso(&[
        "score",
        "--data",
        data.to_str().unwrap(),
        "--period",
        "2020",
        "--kind",
        "department",
        "--format",
        "json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["results"][6]["unit"], "Sở Tư pháp");
    assert_eq!((v["results"][6]["total"].as_str(), v["results"][6]["rank"].as_u64()), (Some("46.2"), Some(7)));
}

#[test]
fn unknown_period_and_bad_dataset_are_clear_errors() {
    let o = chiso(&["score", "--period", "2031", "--kind", "department"]);
    assert!(!o.status.success());
    assert!(String::from_utf8(o.stderr).unwrap().contains("không có kỳ đánh giá department năm 2031"));
    let o = chiso(&["--lang", "en", "score", "--data", "no/such/dir", "--period", "2020", "--kind", "department"]);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.starts_with("no/such/dir/units.toml: cannot read the file"), "{err}");
}

#[test]
fn seed_reports_the_values_printed_two_ways() {
    let out = stdout(&chiso(&["seed"]));
    assert!(out.starts_with("Giá trị in khác nhau ở các bảng (20):"), "{out}");
    assert!(out.contains("- Thành phố Cao Bằng, 2020, interaction: 22.25 [bang08 row 2 column interaction_2020 (\"Thành phố Cao Bằng\")] ≠ 22.50 [bang13"), "{out}");
}

#[test]
fn report_writes_the_chosen_formats_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = stdout(&chiso(&[
        "report",
        "--period",
        "2020",
        "--compare",
        "2019",
        "--out",
        out,
        "--format",
        "docx,xlsx,html",
    ]));
    for ext in ["docx", "xlsx", "html"] {
        let path = dir.path().join(format!("bao-cao-2020.{ext}"));
        assert!(o.contains(&format!("Đã ghi {}", path.display())), "{o}");
        assert!(std::fs::metadata(&path).unwrap().len() > 1000);
    }
    assert!(!dir.path().join("bao-cao-2020.pdf").exists());
    // Same data, same bytes, run to run.
    let first = std::fs::read(dir.path().join("bao-cao-2020.docx")).unwrap();
    stdout(&chiso(&["report", "--period", "2020", "--compare", "2019", "--out", out, "--format", "docx"]));
    assert_eq!(std::fs::read(dir.path().join("bao-cao-2020.docx")).unwrap(), first);
}

#[test]
fn report_fails_clearly_when_the_period_or_comparison_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = chiso(&["report", "--period", "2020", "--compare", "2018", "--out", out, "--format", "html"]);
    assert!(!o.status.success());
    assert!(String::from_utf8(o.stderr).unwrap().contains("không có kỳ đánh giá department năm 2018"));
    assert!(!dir.path().join("bao-cao-2020.html").exists());
    let o = chiso(&["--lang", "en", "report", "--period", "2031", "--out", out]);
    assert!(!o.status.success());
    assert!(String::from_utf8(o.stderr).unwrap().contains("no period for 2031"));
}

#[test]
fn the_un_egdi_2018_index_and_ranks_through_the_cli() {
    let out = stdout(&chiso(&[
        "score",
        "--data",
        "data/un-egdi",
        "--period",
        "2018",
        "--kind",
        "country",
        "--format",
        "json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    let r = v["results"].as_array().unwrap();
    assert_eq!(r.len(), 193);
    assert_eq!(
        (r[0]["unit"].as_str(), r[0]["total"].as_str(), r[0]["rank"].as_u64()),
        (Some("Denmark"), Some("0.9150"), Some(1))
    );
    // Shared ranks as published: two countries at 49.
    assert_eq!(r.iter().filter(|x| x["rank"] == 49).count(), 2);
    // A DTI-style index prints its total with the index's 4 decimals.
    let dti = stdout(&chiso(&[
        "score",
        "--data",
        "data/dti-example",
        "--period",
        "2023",
        "--kind",
        "province",
        "--format",
        "csv",
    ]));
    assert!(dti.lines().nth(1).unwrap().contains(",0.8230,"), "{dti}");
}

#[test]
fn a_year_after_the_2025_mergers_states_every_method_and_explains_every_move() {
    let args = ["score", "--period", "2025", "--kind", "department", "--compare", "2020", "--explain"];
    let table = stdout(&chiso(&args));
    // Invented figures say so first.
    assert!(table.starts_with("*** SỐ LIỆU MINH HOẠ, KHÔNG PHẢI SỐ LIỆU THẬT ***"), "{table}");
    assert!(table.contains(
        "Sở Nông nghiệp và Môi trường: so với bình quân điểm năm 2020 của Sở Tài nguyên và Môi trường, \
         Sở Nông nghiệp và Phát triển nông thôn; hạng 12 → 9 trong 14 đơn vị so sánh được (+3)"
    ));
    assert!(table.contains("Sở Dân tộc và Tôn giáo: so với Ban Dân tộc năm 2020 (đơn vị được kế tục)"));
    assert!(table.contains("Sở Ngoại vụ: so với chính đơn vị năm 2020; không tính thay đổi thứ hạng"));

    let mut csv_args = args.to_vec();
    csv_args.extend(["--format", "csv"]);
    let csv = chiso(&csv_args);
    assert!(String::from_utf8_lossy(&csv.stderr).contains("SỐ LIỆU MINH HOẠ"));
    let csv = stdout(&csv);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",method,comparable_previous_rank,comparable_rank,comparable_count,rank_change")
    );
    assert!(
        csv.contains(
            "Sở Nông nghiệp và Môi trường,ranked,Mức III,46.0,6.0,13.5,15.0,3.5,3.0,5.0,,combined,12,9,14,3\n"
        ),
        "{csv}"
    );

    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&chiso(&json_args))).unwrap();
    // The contract's fields, then what the command adds, in one document.
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["period", "kind", "framework", "results", "comparisons", "movements", "illustrative"]);
    assert_eq!(v["illustrative"], "SỐ LIỆU MINH HOẠ, KHÔNG PHẢI SỐ LIỆU THẬT");
    let comparisons = v["comparisons"].as_array().unwrap();
    assert_eq!(comparisons.len(), 15);
    assert!(comparisons.iter().all(|c| c["method"]["method"].is_string()), "every comparison states its method");
    for m in v["movements"].as_array().unwrap() {
        let dec = |x: &Value| x.as_str().unwrap().parse::<f64>().unwrap();
        if let Some(total) = m["total_change"].as_str() {
            let parts: f64 = m["parts"].as_array().unwrap().iter().map(|p| dec(&p["change"])).sum();
            assert!((parts - total.parse::<f64>().unwrap()).abs() < 1e-9, "{m}");
        }
        if let Some(r) = m["rank_change"].as_i64() {
            assert_eq!(m["own_effect"].as_i64().unwrap() + m["others_effect"].as_i64().unwrap(), r, "{m}");
        }
    }
}

#[test]
fn the_report_explains_moves_only_when_asked_and_banners_invented_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut a = vec!["report", "--period", "2025", "--compare", "2020", "--out", out, "--format", "html"];
        a.extend(extra);
        stdout(&chiso(&a));
        std::fs::read_to_string(dir.path().join("bao-cao-2025.html")).unwrap()
    };
    let plain = run(&[]);
    assert!(plain.contains("SỐ LIỆU MINH HOẠ, KHÔNG PHẢI SỐ LIỆU THẬT"));
    // The narrative counts the comparable units by the rule `score --compare` counts them
    // (14, the combined Nông nghiệp và Môi trường among them), and says how each merged
    // department is compared.
    assert!(plain.contains("trong 14 đơn vị có thứ hạng so sánh được với năm 2020 ("));
    assert!(plain.contains(
        "Sở Nông nghiệp và Môi trường so với bình quân điểm của Sở Tài nguyên và Môi trường và Sở Nông nghiệp và Phát \
         triển nông thôn"
    ));
    assert!(plain.contains("Sở Dân tộc và Tôn giáo so với Ban Dân tộc"));
    assert!(!plain.contains("phần do điểm của chính"));
    let explained = run(&["--explain-moves"]);
    assert!(explained.contains(
        "Sở Tài chính (so với Sở Tài chính trước sắp xếp năm 2020): trong 14 đơn vị so sánh được, thứ hạng giảm 4 bậc (từ 3 thành 7); \
         phần do điểm của chính đơn vị: giảm 1 bậc"
    ));
}

#[test]
fn a_merger_without_a_declared_method_and_a_new_framework_version() {
    // tests/fixtures/reorganised: A absorbs B (continues), C + D by staff, E renamed,
    // F + G merged with no declared method, N new, H without 2025 data; framework v2
    // renames a criterion, adds one and drops one.
    let dir = "crates/chiso/tests/fixtures/reorganised";
    let args = ["score", "--data", dir, "--period", "2025", "--kind", "agency", "--compare", "2024", "--explain"];
    let out = stdout(&chiso(&args));
    assert!(out.contains("  Không so sánh điểm theo tiêu chí: Dữ liệu (mới); Cũ (đã bỏ).\n"), "{out}");
    assert!(out.contains("  Sở F và G: hình thành do sắp xếp nhưng chưa khai báo cách so sánh: không so sánh\n"));
    assert!(out.contains("  Sở N: đơn vị mới, không so sánh\n"));
    assert!(
        out.contains("      tổng điểm +6,0 = Hạ tầng +0,0; Cổng TTĐT +1,0; Dữ liệu (mới) +10,0; Cũ (đã bỏ) −5,0\n")
    );
    let tmp = tempfile::tempdir().unwrap();
    let report = [
        "report",
        "--data",
        dir,
        "--period",
        "2025",
        "--compare",
        "2024",
        "--explain-moves",
        "--format",
        "html",
        "--out",
    ];
    let mut a = report.to_vec();
    a.push(tmp.path().to_str().unwrap());
    stdout(&chiso(&a));
    let html = std::fs::read_to_string(tmp.path().join("bao-cao-2025.html")).unwrap();
    assert!(html.contains("chỉ so sánh điểm các tiêu chí không đổi; không so sánh: Dữ liệu (mới); Cũ (đã bỏ)."));
    assert!(
        html.contains("Sở F và G: hình thành do sắp xếp, chưa khai báo cách so sánh, không tính thay đổi thứ hạng.")
    );
    // The same three comparable units as `score --compare`, and the two left out named.
    assert!(html.contains(
        "trong 03 đơn vị có số liệu cả hai năm (Sở A so với Sở A trước sắp xếp; Sở C và D so với bình quân điểm có \
         trọng số theo biên chế của Sở C và Sở D; Sở E mới so với Sở E; không tính Sở F và G và Sở N do không có kết \
         quả năm 2024 để so sánh)"
    ));
    assert!(out.contains("trong 3 đơn vị so sánh được"));
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    // `chiso score … | head`: 230 kB of JSON, the reader takes 100 bytes and closes the pipe.
    use std::io::Read;
    let args = ["score", "--data", "data/un-egdi", "--period", "2018", "--kind", "country", "--compare", "2016"];
    let mut child = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .current_dir(root())
        .args(args)
        .args(["--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn a_csv_of_more_than_a_thousand_units_has_every_row_once_in_rank_order() {
    // Above 1,000 units the CSV is written in two halves on two threads: every unit once,
    // in the order and with the ranks, totals and previous ranks of the JSON.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("data/un-egdi/frameworks"), &d.join("frameworks"));
    std::fs::create_dir(d.join("periods")).unwrap();
    let n = 1_201;
    let mut units = String::new();
    let (mut y2018, mut y2019) = (String::from("unit,osi,hci,tii\n"), String::from("unit,osi,hci,tii\n"));
    for i in 0..n {
        units += &format!("[[unit]]\nid = \"C{i:04}\"\nname = \"Country {i:04}\"\nkind = \"country\"\n\n");
        // Ties every 7 units; the order changes between the years.
        let a = (i * 37 % 1000) / 7 * 7;
        let b = (i * 53 % 1000) / 5 * 5;
        y2018 += &format!("C{i:04},0.{a:03}0,0.5000,0.2500\n");
        y2019 += &format!("C{i:04},0.{b:03}0,0.5000,0.2500\n");
    }
    std::fs::write(d.join("units.toml"), units).unwrap();
    for (year, csv) in [(2018, y2018), (2019, y2019)] {
        std::fs::write(d.join(format!("periods/{year}-country.csv")), csv).unwrap();
        let spec =
            format!("year = {year}\nkind = \"country\"\nframework = \"un-egdi\"\ndata = \"{year}-country.csv\"\n");
        std::fs::write(d.join(format!("periods/{year}-country.toml")), spec).unwrap();
    }
    let data = d.to_str().unwrap();
    let args = ["score", "--data", data, "--period", "2019", "--kind", "country", "--compare", "2018", "--format"];
    let csv = stdout(&chiso(&[&args[..], &["csv"]].concat()));
    let json: Value = serde_json::from_str(&stdout(&chiso(&[&args[..], &["json"]].concat()))).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), n + 1, "a header and one line per unit");
    assert!(lines[0].starts_with("rank,unit,status,level,total,osi,hci,tii,previous_rank,method"));
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), n);
    for (line, r) in lines[1..].iter().zip(results) {
        let f: Vec<&str> = line.split(',').collect();
        let number = |v: &Value| v.as_u64().map(|x| x.to_string()).unwrap_or_default();
        assert_eq!(
            (f[0], f[1], f[4], f[8]),
            (
                number(&r["rank"]).as_str(),
                r["unit"].as_str().unwrap(),
                r["total"].as_str().unwrap(),
                number(&r["previous_rank"]).as_str()
            ),
            "{line}"
        );
    }
    // Ranks never go down along the table, and shared ranks are the ties.
    let ranks: Vec<u32> = lines[1..].iter().map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
    assert!(ranks.windows(2).any(|w| w[0] == w[1]), "the data has ties");
    assert_eq!(ranks[0], 1);
}

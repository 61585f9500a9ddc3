//! `chiso template`, a filled template through `chiso import`, `chiso export` and back.

use chiso_data::{Dataset, export, template};
use chiso_domain::unit::UnitId;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn chiso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chiso")).current_dir(root()).env_remove("CHISO_LANG").args(args).output().unwrap()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
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

fn score(data: &str) -> String {
    ok(chiso(&["score", "--data", data, "--period", "2024", "--kind", "agency", "--format", "json"]))
}

#[test]
fn template_out_filled_workbook_in_export_and_back_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("example");
    copy_dir(&root().join("data/example"), &data_dir);
    let data = data_dir.to_str().unwrap();
    let figures = data_dir.join("periods/2024-agency.csv");
    let t = dir.path().join("an.xlsx");
    let t_s = t.to_str().unwrap();

    // One unit, by name; every unit of the kind, one sheet each.
    ok(chiso(&["template", "--data", data, "--period", "2024", "--unit", "Cơ quan mẫu An", "--out", t_s]));
    assert!(template::is_template(&std::fs::read(&t).unwrap()));
    let all = dir.path().join("all.xlsx");
    ok(chiso(&["template", "--data", data, "--period", "2024", "--kind", "agency", "--out", all.to_str().unwrap()]));
    let o = chiso(&["template", "--data", data, "--period", "2024", "--unit", "Sở Không Có", "--out", t_s]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("không có đơn vị “Sở Không Có”"));

    // Filled in (text with decimal commas and numbers), with An's trained staff now 16.
    let ds = Dataset::load(&data_dir).unwrap();
    let (fw, period) = ds.period(2024, "agency").unwrap();
    let rows = export::figures(fw, period);
    let an_row = rows.iter().find(|r| r[0] == "Cơ quan mẫu An").unwrap().clone();
    let value = |_: &UnitId, field: &str| {
        let v = rows[0].iter().position(|h| h == field).map(|c| an_row[c].clone())?;
        Some(if field == "trained_staff" { "16".into() } else { v.replace('.', ",") })
    };
    let an = ds.registry.get(&UnitId("a".into())).unwrap();
    let filled = dir.path().join("filled.xlsx");
    std::fs::write(&filled, template::write_filled(fw, 2024, &[an], &value).unwrap()).unwrap();

    // A template of another period: refused, located, nothing written.
    let before = std::fs::read(&figures).unwrap();
    let o = chiso(&["import", "--data", data, "--period", "2023", "--kind", "agency", filled.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("trang tính \"Cơ quan mẫu An\", dòng 1, cột H: mẫu phiếu của kỳ đánh giá khác"), "{err}");
    assert_eq!(std::fs::read(&figures).unwrap(), before);

    let score_before = score(data);
    ok(chiso(&["import", "--data", data, "--period", "2024", "--kind", "agency", filled.to_str().unwrap()]));
    let csv = std::fs::read_to_string(&figures).unwrap();
    assert!(
        csv.lines().any(|l| l.starts_with("Cơ quan mẫu An,co-dvc,\"49,5\",50,có,có,100,36,60,700,1000,16,A")),
        "{csv}"
    );
    // The other units kept their figures.
    assert!(csv.lines().any(|l| l.starts_with("Cơ quan mẫu Bình,co-dvc,45,45,")), "{csv}");
    let score_after = score(data);
    assert_ne!(score_before, score_after);

    // Export (XLSX and CSV) → import → the same scores and the same export.
    for ext in ["xlsx", "csv"] {
        let out = dir.path().join(format!("export.{ext}"));
        let out_s = out.to_str().unwrap();
        ok(chiso(&["export", "--data", data, "--period", "2024", "--kind", "agency", "--out", out_s]));
        let exported = std::fs::read(&out).unwrap();
        ok(chiso(&["import", "--data", data, "--period", "2024", "--kind", "agency", out_s]));
        assert_eq!(score(data), score_after, "{ext}");
        ok(chiso(&["export", "--data", data, "--period", "2024", "--kind", "agency", "--out", out_s]));
        assert_eq!(std::fs::read(&out).unwrap(), exported, "{ext}");
    }
    let csv = std::fs::read_to_string(dir.path().join("export.csv")).unwrap();
    assert!(csv.lines().next().unwrap().ends_with("[tổng điểm],[mức],[xếp hạng]"), "{csv}");
}

//! `Dataset::load_scored` (periods scored row by row as they are read, `chiso score`) gives
//! the results of `Dataset::load` then `results`, for every dataset shipped: frameworks
//! scored unit by unit, and those that compare units (normalisations, relative to the best,
//! published ranks), which are scored whole.

use chiso_data::Dataset;
use std::path::Path;

#[test]
fn periods_scored_as_read_give_the_results_of_periods_scored_after_loading() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let (mut by_row, mut periods) = (0, 0);
    for name in ["cao-bang", "example", "dti-example", "un-egdi"] {
        let dir = root.join(name);
        let data = Dataset::load(&dir).unwrap();
        let (scored, results) = Dataset::load_scored(&dir).unwrap();
        assert_eq!(results.len(), data.periods.len(), "{name}");
        assert!(!results.is_empty(), "{name}");
        for ((p, q), r) in data.periods.iter().zip(&scored.periods).zip(&results) {
            let (fw, expected) = data.results(p.year, &p.kind).unwrap();
            assert_eq!(r, &expected, "{name} {} {}", p.year, p.kind);
            // The same period, without its figures.
            let mut bare = p.clone();
            bare.units.iter_mut().for_each(|u| u.submission = None);
            assert_eq!(q, &bare, "{name} {}", p.year);
            by_row += usize::from(chiso_domain::engine::UnitScorer::new(fw).is_some());
            periods += 1;
        }
        assert_eq!(scored.registry.units(), data.registry.units());
        assert_eq!(scored.frameworks, data.frameworks);
    }
    // Both ways are exercised.
    assert!(by_row > 0 && by_row < periods, "{by_row} of {periods}");
}

#[test]
fn a_period_that_does_not_load_gives_the_same_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/example");
    for sub in ["frameworks", "periods"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for f in std::fs::read_dir(root.join(sub)).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, dir.path().join(sub).join(f.file_name().unwrap())).unwrap();
        }
    }
    std::fs::copy(root.join("units.toml"), dir.path().join("units.toml")).unwrap();
    let csv = dir.path().join("periods/2024-agency.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    // A figure that is not a number, on the second row.
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let cells: Vec<&str> = lines[2].split(',').collect();
    let bad: Vec<String> =
        cells.iter().enumerate().map(|(i, c)| if i == 2 { "abc".into() } else { c.to_string() }).collect();
    lines[2] = bad.join(",");
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap();
    let expected = Dataset::load(dir.path()).unwrap_err();
    assert!(!expected.is_empty());
    assert_eq!(Dataset::load_scored(dir.path()).unwrap_err(), expected);
}

/// A national-style dataset (every leaf direct, two decimals kept per criterion) whose rows
/// are `rows` (unit name, then the six leaves' cells).
fn direct_dataset(rows: &[(&str, [&str; 6])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("frameworks")).unwrap();
    std::fs::create_dir_all(p.join("periods")).unwrap();
    let mut units = String::new();
    for (k, (name, _)) in rows.iter().enumerate() {
        let id = format!("u{k}");
        units += &format!("[[unit]]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"commune\"\n\n");
    }
    std::fs::write(p.join("units.toml"), units).unwrap();
    let mut fw = String::from(
        "id = \"t\"\nname = \"T\"\nlegal_basis = \"-\"\nunit_kind = \"commune\"\nyears = { from = 2023 }\nmax = \"7.50\"\n\n\
         [rounding]\ndecimals = 2\nmode = \"half-up\"\nscope = \"criterion\"\n\n\
         [[level]]\nname = \"Mức I\"\nmin = \"6.5\"\n\n",
    );
    for (g, max) in [("A", "3"), ("B", "\"4.50\"")] {
        fw += &format!("[[criterion]]\nid = \"{g}\"\nname = \"Nhóm {g}\"\nmax = {max}\n\n");
        let leaf_max = if g == "A" { "1" } else { "1.50" };
        let leaf_max = if g == "A" { leaf_max.to_string() } else { format!("\"{leaf_max}\"") };
        for k in 1..=3 {
            fw += &format!(
                "  [[criterion.criterion]]\n  id = \"{g}{k}\"\n  name = \"{g}{k}\"\n  max = {leaf_max}\n  rule = \"direct\"\n\n"
            );
        }
    }
    std::fs::write(p.join("frameworks/t.toml"), fw).unwrap();
    std::fs::write(
        p.join("periods/2024-commune.toml"),
        "year = 2024\nkind = \"commune\"\nframework = \"t\"\ndata = \"2024.csv\"\n",
    )
    .unwrap();
    let mut csv = String::from("unit,A1,A2,A3,B1,B2,B3\n");
    for (name, cells) in rows {
        csv += &format!("{name},{}\n", cells.join(","));
    }
    std::fs::write(p.join("periods/2024.csv"), csv).unwrap();
    dir
}

#[test]
fn rows_of_plain_figures_read_straight_into_scores_score_as_their_submissions() {
    let dir = direct_dataset(&[
        ("Xã Một", ["0.62", "1", "1.00", "1.50", "0.75", "1.5"]),
        ("Xã Hai", ["0.5", "0.50", "0", "0.00", "1.49", "1.50"]),
        // Three decimals: rounded, so read as a submission.
        ("Xã Ba", ["0.625", "0.5", "0.5", "1.00", "1.00", "1.00"]),
        // A short figure for a leaf whose maximum has two decimals.
        ("Xã Bốn", ["0.5", "0.5", "0.5", "1", "1.00", "1.00"]),
        ("Xã Năm", ["", "", "", "", "", ""]),
        ("Xã Sáu", [" 0.5 ", "0.5", "0.5", "1.00", "1.00", "1.00"]),
        ("Xã Bảy", ["0.99", "0.98", "0.97", "1.20", "1.10", "1.00"]),
    ]);
    let data = Dataset::load(dir.path()).unwrap();
    let (_, results) = Dataset::load_scored(dir.path()).unwrap();
    let fw = &data.frameworks[0];
    assert!(chiso_domain::engine::UnitScorer::new(fw).unwrap().direct_row().is_some());
    let (_, expected) = data.results(2024, "commune").unwrap();
    assert_eq!(results, vec![expected.clone()]);
    // Read as users see them: the first unit's total and a rounded leaf.
    let unit = |name: &str| expected.units.iter().find(|u| u.name == name).unwrap();
    assert_eq!(unit("Xã Một").total.unwrap().to_string(), "6.37");
    assert_eq!(unit("Xã Ba").scores[1].points.to_string(), "0.63");
    assert_eq!(unit("Xã Năm").total, None);
}

#[test]
fn a_figure_out_of_range_is_the_same_error_read_either_way() {
    for bad in ["1.01", "-1", "abc", "1.000", "0.5.1"] {
        let dir = direct_dataset(&[
            ("Xã Một", ["0.62", "1", "1.00", "1.50", "0.75", "1.5"]),
            ("Xã Hai", ["0.5", bad, "0", "0.00", "1.49", "1.50"]),
        ]);
        let expected = Dataset::load(dir.path()).unwrap_err();
        assert_eq!(expected[0].location.value.as_deref(), Some(bad));
        assert_eq!(Dataset::load_scored(dir.path()).unwrap_err(), expected, "{bad}");
    }
}

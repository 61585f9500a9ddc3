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

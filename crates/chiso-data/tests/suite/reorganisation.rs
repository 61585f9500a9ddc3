//! A province after a reorganisation: merged departments (one carried on, one combined by
//! a weighted mean, one without a declared method), a renamed unit, a new unit, a unit
//! without data, and a new framework version. Every comparison states its method, no rank
//! change crosses a merge without a declared method, and every move's parts add up.

use chiso_data::DataText;
use chiso_data::{Dataset, Lang};
use chiso_domain::compare::{Method, NoComparison};
use chiso_domain::movement::{PartKind, explain};
use chiso_domain::versions::Change;
use chiso_domain::{Decimal, UnitId, compare};
use rust_decimal_macros::dec;
use std::path::Path;

const UNITS: &str = r#"
[[unit]]
id = "a"
name = "Sở A"
kind = "agency"
[[unit]]
id = "b"
name = "Sở B"
kind = "agency"
[[unit]]
id = "c"
name = "Sở C"
kind = "agency"
[[unit]]
id = "d"
name = "Sở D"
kind = "agency"
[[unit]]
id = "e"
name = "Sở E"
kind = "agency"
[[unit]]
id = "f"
name = "Sở F"
kind = "agency"
[[unit]]
id = "g"
name = "Sở G"
kind = "agency"
[[unit]]
id = "h"
name = "Sở H"
kind = "agency"
"#;

const UNITS_2025: &str = r#"
[[unit]]
id = "cd"
name = "Sở C và D"
kind = "agency"
from = 2025
[[unit]]
id = "e2"
name = "Sở E mới"
kind = "agency"
from = 2025
[[unit]]
id = "fg"
name = "Sở F và G"
kind = "agency"
from = 2025
[[unit]]
id = "n"
name = "Sở N"
kind = "agency"
from = 2025

# A absorbs B and carries on.
[[lineage]]
year = 2025
kind = "merged"
from = ["a", "b"]
into = ["a"]
continues = "a"

# C and D: weighted by staff.
[[lineage]]
year = 2025
kind = "merged"
from = ["c", "d"]
into = ["cd"]
compare = "combined"
combine = "weighted-mean"
weights = [30, 10]
weights_basis = "biên chế"

[[lineage]]
year = 2025
kind = "renamed"
from = ["e"]
into = ["e2"]

# F and G: no declared method.
[[lineage]]
year = 2025
kind = "merged"
from = ["f", "g"]
into = ["fg"]
"#;

const FW_2024: &str = r#"
id = "v1"
name = "Bộ tiêu chí 2024"
legal_basis = "x"
unit_kind = "agency"
years = { from = 2024, to = 2024 }
max = 30
[rounding]
decimals = 1
[[criterion]]
id = "infra"
name = "Hạ tầng"
max = 10
rule = "direct"
[[criterion]]
id = "web"
name = "Trang TTĐT"
max = 10
rule = "direct"
[[criterion]]
id = "old"
name = "Cũ"
max = 10
rule = "direct"
"#;

const FW_2025: &str = r#"
id = "v2"
name = "Bộ tiêu chí 2025"
legal_basis = "x"
unit_kind = "agency"
years = { from = 2025 }
max = 40
[rounding]
decimals = 1
[previous_version]
id = "v1"
removed = ["old"]
[[previous_version.criterion]]
id = "portal"
change = "renamed"
previous = "web"
[[previous_version.criterion]]
id = "data"
change = "new"
[[criterion]]
id = "infra"
name = "Hạ tầng"
max = 10
rule = "direct"
[[criterion]]
id = "portal"
name = "Cổng TTĐT"
max = 10
rule = "direct"
[[criterion]]
id = "data"
name = "Dữ liệu"
max = 20
rule = "direct"
"#;

const DATA_2024: &str = "unit,infra,web,old\nSở A,8,7,5\nSở B,4,4,4\nSở C,6,6,6\nSở D,2,2,2\nSở E,5,5,5\nSở F,9,9,9\nSở G,1,1,1\nSở H,3,3,3\n";
const DATA_2025: &str =
    "unit,infra,portal,data\nSở A,8,8,10\nSở C và D,7,7,10\nSở E mới,6,6,12\nSở F và G,9,9,15\nSở N,5,5,5\n";

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn dataset(units_2025: &str, fw_2025: &str) -> Result<Dataset, Vec<chiso_data::DataError>> {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "units.toml", UNITS);
    write(dir.path(), "units-2025.toml", units_2025);
    write(dir.path(), "frameworks/v1.toml", FW_2024);
    write(dir.path(), "frameworks/v2.toml", fw_2025);
    write(dir.path(), "periods/2024.toml", "year = 2024\nkind = \"agency\"\nframework = \"v1\"\ndata = \"2024.csv\"\n");
    write(dir.path(), "periods/2024.csv", DATA_2024);
    let p25 = "year = 2025\nkind = \"agency\"\nframework = \"v2\"\ndata = \"2025.csv\"\nillustrative = true\n";
    write(dir.path(), "periods/2025.toml", p25);
    write(dir.path(), "periods/2025.csv", DATA_2025);
    let d = Dataset::load(dir.path());
    drop(dir);
    d
}

#[test]
fn every_comparison_states_its_method_and_moves_add_up() {
    let data = dataset(UNITS_2025, FW_2025).unwrap();
    let (fw, now) = data.results(2025, "agency").unwrap();
    let (pfw, then) = data.results(2024, "agency").unwrap();
    assert!(now.illustrative && !then.illustrative);
    // H ended with nothing: still alive (no lineage), it has no row in 2025: no data.
    let cmp = compare(&now, fw, &then, pfw, &data.registry);
    let of = |id: &str| cmp.iter().find(|c| c.unit.0 == id).unwrap();
    assert_eq!(of("a").method, Method::Continues { from: UnitId("a".into()) });
    assert!(matches!(&of("cd").method, Method::Combined { from, .. } if from.len() == 2));
    assert_eq!(of("e2").method, Method::Continues { from: UnitId("e".into()) });
    assert_eq!(of("fg").method, Method::None { reason: NoComparison::NotDeclared });
    assert_eq!(of("n").method, Method::None { reason: NoComparison::New });
    // H: no 2025 data; compared with itself but no rank.
    assert_eq!((of("h").rank_change, of("h").comparable_rank), (None, None));
    // No rank change across the undeclared merger, nor for the new unit.
    assert_eq!((of("fg").rank_change, of("fg").previous_rank), (None, None));
    assert_eq!(of("n").rank_change, None);
    // The comparable ranking: A, C+D, E (three units), in both years.
    assert!(cmp.iter().all(|c| c.comparable_count == 3));
    // C+D: 2024 combined by staff: (30 × 18 + 10 × 6) / 40 = 15 (C 18, D 6).
    assert_eq!(of("cd").previous_total, Some(dec!(15.0)));
    // Per criterion: infra same, portal renamed from web, data new (not compared).
    let m = chiso_domain::versions::mapping(fw, pfw);
    let changes: Vec<Change> = m.criteria.iter().map(|c| c.change).collect();
    assert_eq!(changes, [Change::Same, Change::Renamed, Change::New]);
    assert_eq!(m.removed, [2]);
    let ids: Vec<usize> = of("a").deltas.iter().map(|d| d.criterion).collect();
    assert_eq!(ids, [0, 1]);
    assert_eq!(of("a").delta(1), Some(dec!(1.0)));
    assert!(of("a").framework_change.as_ref().is_some_and(|f| f.declared && f.previous == "v1"));
    // Without the per-criterion changes (score's CSV): every other field the same.
    let ranks = chiso_domain::compare::compare_ranks(&now, fw, &then, pfw, &data.registry);
    let without: Vec<_> = cmp.iter().map(|c| chiso_domain::Comparison { deltas: Vec::new(), ..c.clone() }).collect();
    assert_eq!(ranks, without);
    let names: Vec<&str> = ["a", "cd", "fg"].iter().map(|u| of(u).method.name()).collect();
    assert_eq!(names, ["continues", "combined", "none"]);

    let moves = explain(&now, fw, &then, pfw, &data.registry, &cmp);
    for mv in &moves {
        if let Some(total) = mv.total_change {
            let sum: Decimal = mv.parts.iter().map(|p| p.change).sum();
            assert_eq!(sum, total, "{mv:?}");
        }
        if let Some(r) = mv.rank_change {
            assert_eq!(mv.own_effect.unwrap() + mv.others_effect.unwrap(), r, "{mv:?}");
        }
    }
    let a = moves.iter().find(|m| m.unit.0 == "a").unwrap();
    // 26 − 20: infra 0, portal +1, data +10 (new), old −5 (removed).
    assert_eq!(a.total_change, Some(dec!(6.0)));
    let kinds: Vec<(PartKind, Decimal)> = a.parts.iter().map(|p| (p.kind, p.change)).collect();
    assert_eq!(
        kinds,
        [
            (PartKind::Compared, dec!(0.0)),
            (PartKind::Compared, dec!(1.0)),
            (PartKind::New, dec!(10.0)),
            (PartKind::Removed, dec!(-5.0))
        ]
    );
}

#[test]
fn bad_declarations_are_located_in_both_languages() {
    let bad = UNITS_2025.replace("weights = [30, 10]", "weights = [30]");
    let e = dataset(&bad, FW_2025).unwrap_err();
    let vi = Lang::Vi.error(&e[0]);
    let en = Lang::En.error(&e[0]);
    assert!(
        vi.contains("units-2025.toml, dòng 32, giá trị \"cd\"") && vi.contains("có 1 trọng số cho 2 đơn vị"),
        "{vi}"
    );
    assert!(en.contains("line 32") && en.contains("1 weights for 2 predecessors"), "{en}");

    let bad = UNITS_2025.replace("compare = \"combined\"", "compare = \"guess\"");
    let e = dataset(&bad, FW_2025).unwrap_err();
    assert!(Lang::En.error(&e[0]).contains("unknown variant `guess`"), "{e:?}");

    let bad = FW_2025.replace("removed = [\"old\"]", "removed = []");
    let e = dataset(UNITS_2025, &bad).unwrap_err();
    let vi = Lang::Vi.error(&e[0]);
    assert!(vi.contains("v2.toml, dòng 10") && vi.contains("“old”") && vi.contains("chưa được khai là bỏ"), "{vi}");
    let bad = FW_2025.replace("change = \"renamed\"", "change = \"same\"").replace(
        "max = 10\nrule = \"direct\"\n[[criterion]]\nid = \"data\"",
        "max = 9\nrule = \"direct\"\n[[criterion]]\nid = \"data\"",
    );
    let e = dataset(UNITS_2025, &bad);
    assert!(e.is_err());
}

#[test]
fn cao_bang_2025_departments_and_communes() {
    let data = Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang")).unwrap();
    let r = &data.registry;
    assert_eq!(r.of_kind("commune", 2025).count(), 56);
    assert_eq!(r.of_kind("commune", 2025).filter(|u| u.name.starts_with("Phường")).count(), 3);
    assert_eq!(r.of_kind("district", 2025).count(), 0);
    assert_eq!(r.of_kind("district", 2024).count(), 10);
    // 20 departments in 2020; 15 in 2025 (six merged away, two new).
    assert_eq!(r.of_kind("department", 2020).count(), 20);
    assert_eq!(r.of_kind("department", 2025).count(), 15);
    let (fw, now) = data.results(2025, "department").unwrap();
    let (pfw, then) = data.results(2020, "department").unwrap();
    assert!(now.illustrative && !then.illustrative);
    let cmp = compare(&now, fw, &then, pfw, &data.registry);
    let of = |id: &str| cmp[now.units.iter().position(|u| u.unit.0 == id).unwrap()].clone();
    assert!(matches!(of("so-nong-nghiep-moi-truong").method, Method::Combined { .. }));
    assert_eq!(of("so-dan-toc-ton-giao").method, Method::Continues { from: UnitId("ban-dan-toc".into()) });
    assert_eq!(of("so-ngoai-vu").rank_change, None); // no 2025 data
    // Every unit with data is comparable: 14 of 15.
    assert_eq!(of("so-y-te").comparable_count, 14);
    // The 2020 results, ranks and comparisons are those of the seed (unchanged by 2025 data).
    let (_, r19) = data.results(2019, "department").unwrap();
    let c20 = compare(&then, pfw, &r19, pfw, &data.registry);
    assert!(c20.iter().all(|c| c.method == Method::Same && c.comparable_count == 20));
}

#[test]
fn un_egdi_2016_to_2018_a_weighted_mean_index_across_two_frameworks() {
    let data = Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/un-egdi")).unwrap();
    let (fw, now) = data.results(2018, "country").unwrap();
    let (pfw, then) = data.results(2016, "country").unwrap();
    let cmp = compare(&now, fw, &then, pfw, &data.registry);
    // Another framework, not declared as a version: named on every comparison.
    assert!(cmp.iter().all(|c| c.framework_change.as_ref().is_some_and(|f| !f.declared)));
    let moves = explain(&now, fw, &then, pfw, &data.registry, &cmp);
    let mut explained = 0;
    for mv in &moves {
        if let Some(total) = mv.total_change {
            assert_eq!(mv.parts.iter().map(|p| p.change).sum::<Decimal>(), total, "{mv:?}");
            explained += 1;
        }
        if let Some(r) = mv.rank_change {
            assert_eq!(mv.own_effect.unwrap() + mv.others_effect.unwrap(), r, "{mv:?}");
        }
    }
    assert!(explained > 150, "{explained}");
}

/// Copies a directory tree (the dataset, to add a period to it in a test).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() { copy_tree(&src, &dst) } else { std::fs::copy(&src, &dst).map(|_| ()).unwrap() }
    }
}

#[test]
fn communes_assessed_where_districts_were_are_not_compared_with_the_districts() {
    // Three of the 56 communes of 1 July 2025 assessed with the draft commune framework:
    // each is a new unit (its district was split, `compare = "none"`), so no commune has a
    // previous result, a rank change or a place among comparable units.
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang"), dir.path());
    let periods = dir.path().join("periods");
    std::fs::write(
        periods.join("2025-commune.toml"),
        "year = 2025\nkind = \"commune\"\nframework = \"cao-bang-commune-draft-2025\"\ndata = \"2025-commune.csv\"\n\
         illustrative = true\n",
    )
    .unwrap();
    std::fs::write(
        periods.join("2025-commune.csv"),
        "unit,infrastructure,staff,policy,presence,interaction,transaction,transformation\n\
         Phường Thục Phán,16.00,7.00,6.00,20.00,20.00,2.00,1.00\n\
         Phường Nùng Trí Cao,14.00,6.50,5.00,18.00,19.00,1.50,1.00\n\
         Xã Quảng Lâm,10.00,4.00,3.00,9.00,15.00,0.50,1.00\n",
    )
    .unwrap();
    let data = Dataset::load(dir.path()).unwrap();
    let (fw, now) = data.results(2025, "commune").unwrap();
    let (pfw, then) = data.results(2020, "district").unwrap();
    assert_eq!(now.units.iter().filter(|u| u.rank.is_some()).count(), 3);
    let cmp = compare(&now, fw, &then, pfw, &data.registry);
    for c in &cmp {
        assert_eq!(c.method, Method::None { reason: NoComparison::DeclaredNone }, "{}", c.unit.0);
        assert_eq!((c.rank_change, c.previous_total, c.comparable_count), (None, None, 0), "{}", c.unit.0);
    }
}

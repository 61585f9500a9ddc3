//! Index methods on shipped data. The UN E-Government Development Index: from the three
//! published components alone, the `un-egdi` framework gives every country's published index
//! and rank (data/un-egdi/README.md). And the DTI-style example: a 1,000-point tree with
//! weights, means and normalised indicators, presented as a 0–1 index (data/dti-example/README.md).

use chiso_data::Dataset;
use chiso_domain::engine::{Results, Status, competition_ranks};
use chiso_domain::framework::Framework;
use chiso_domain::number::{RoundingMode, round_to};
use chiso_domain::{Decimal, UnitResult};
use std::collections::HashMap;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/un-egdi")
}

fn dataset() -> Dataset {
    Dataset::load(&dir()).unwrap_or_else(|e| panic!("{e:?}"))
}

struct Published {
    name: String,
    rank: u32,
    index: Decimal,
}

/// The published results (code → name, rank, index), the index read with `decimals` decimals
/// (the 2016 file carries float artefacts such as 0.7249899999999999 for 0.72499).
fn published(year: i32, decimals: u32) -> HashMap<String, Published> {
    let mut r = csv::Reader::from_path(dir().join(format!("source/egdi-{year}.csv"))).unwrap();
    let header = r.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (code, name, rank, index) = (col("country-code"), col("country-name"), col("e-gov-rank"), col("e-gov-index"));
    r.records()
        .map(|row| {
            let row = row.unwrap();
            let index: Decimal = row[index].parse().unwrap();
            let p = Published {
                name: row[name].to_string(),
                rank: row[rank].parse().unwrap(),
                index: round_to(index, decimals, RoundingMode::HalfUp),
            };
            (row[code].to_string(), p)
        })
        .collect()
}

fn results(data: &Dataset, year: i32) -> (&Framework, Results) {
    let (fw, r) = data.results(year, "country").unwrap();
    assert_eq!(r.units.len(), 193);
    assert!(r.units.iter().all(|u| u.status == Status::Ranked));
    (fw, r)
}

/// Units whose presented index differs from the published one, as (code, computed, published).
fn index_differences(fw: &Framework, r: &Results, published: &HashMap<String, Published>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = r
        .units
        .iter()
        .filter_map(|u| {
            let p = &published[&u.unit.0];
            assert_eq!(u.name, p.name);
            let shown = fw.total_rounding().format_plain(u.total.unwrap());
            (u.total != Some(p.index)).then(|| (u.unit.0.clone(), format!("{shown} ≠ {}", p.index)))
        })
        .collect();
    out.sort();
    out
}

fn rank_differences(r: &Results, published: &HashMap<String, Published>) -> Vec<(String, u32, u32)> {
    r.units
        .iter()
        .filter(|u| u.rank != Some(published[&u.unit.0].rank))
        .map(|u| (u.unit.0.clone(), u.rank.unwrap(), published[&u.unit.0].rank))
        .collect()
}

fn unit<'a>(r: &'a Results, code: &str) -> &'a UnitResult {
    r.units.iter().find(|u| u.unit.0 == code).unwrap()
}

#[test]
fn egdi_2018_every_published_index_and_rank() {
    let data = dataset();
    let (fw, r) = results(&data, 2018);
    let published = published(2018, 4);
    assert_eq!(index_differences(fw, &r, &published), Vec::<(String, String)>::new());
    assert_eq!(rank_differences(&r, &published), Vec::<(String, u32, u32)>::new());

    // Presented as the UN prints it: 4 decimals.
    let denmark = unit(&r, "DNK");
    assert_eq!(fw.total_rounding().format_plain(denmark.total.unwrap()), "0.9150");
    assert_eq!((denmark.rank, denmark.level.as_deref()), (Some(1), Some("Very high")));

    // Shared ranks: equal 4-decimal indices share a rank, the next rank is skipped.
    for (a, b, rank, index) in [("IRQ", "AGO", 155, "0.3376"), ("SRB", "SVK", 49, "0.7155")] {
        for code in [a, b] {
            let u = unit(&r, code);
            assert_eq!((u.rank, u.total.map(|t| t.to_string())), (Some(rank), Some(index.to_string())), "{code}");
        }
    }
    assert!(r.units.iter().all(|u| u.rank != Some(156) && u.rank != Some(50)));
}

#[test]
fn egdi_2018_ranks_are_judged_on_the_rounded_index() {
    // On the exact means, both shared ranks would split: the published ranks are on the rounded index.
    let data = dataset();
    let (_, r) = results(&data, 2018);
    let exact: Vec<Decimal> = r.units.iter().map(|u| u.total_exact.unwrap()).collect();
    let ranks = competition_ranks(&exact);
    let mut split: Vec<(&str, u32)> = r
        .units
        .iter()
        .zip(ranks)
        .filter(|(u, rank)| u.rank != Some(*rank))
        .map(|(u, rank)| (u.unit.0.as_str(), rank))
        .collect();
    split.sort();
    assert_eq!(split, [("IRQ", 156), ("SRB", 50)]);
}

#[test]
fn egdi_levels_follow_the_un_thresholds() {
    let data = dataset();
    let (_, r) = results(&data, 2018);
    let published = published(2018, 4);
    for u in &r.units {
        let index = published[&u.unit.0].index;
        let expected = if index >= Decimal::new(75, 2) {
            "Very high"
        } else if index >= Decimal::new(50, 2) {
            "High"
        } else if index >= Decimal::new(25, 2) {
            "Middle"
        } else {
            "Low"
        };
        assert_eq!(u.level.as_deref(), Some(expected), "{}", u.unit);
    }
    let count = |l: &str| r.units.iter().filter(|u| u.level.as_deref() == Some(l)).count();
    assert_eq!(count("Very high") + count("High") + count("Middle") + count("Low"), 193);
}

#[test]
fn egdi_2016_every_rank_and_all_but_17_indices_off_by_one_in_the_fifth_decimal() {
    // The UN averaged unrounded components in 2016; the mean of the published (rounded)
    // components differs from its index by 0.00001 for these 17 countries, never more.
    let data = dataset();
    let (fw, r) = results(&data, 2016);
    let published = published(2016, 5);
    assert_eq!(rank_differences(&r, &published), Vec::<(String, u32, u32)>::new());
    let differences = index_differences(fw, &r, &published);
    let codes: Vec<&str> = differences.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "BRA", "CIV", "COG", "COL", "GNB", "GRD", "HND", "HUN", "IDN", "KAZ", "LSO", "MHL", "NRU", "PAN", "PER",
            "USA", "YEM"
        ]
    );
    for (code, _) in &differences {
        let diff = (unit(&r, code).total.unwrap() - published[code].index).abs();
        assert_eq!(diff, Decimal::new(1, 5), "{code}");
    }
    assert_eq!(differences.iter().find(|(c, _)| c == "KAZ").unwrap().1, "0.72500 ≠ 0.72499");
}

#[test]
fn dti_example_is_a_1000_point_tree_presented_as_a_4_decimal_index() {
    let data = Dataset::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/dti-example"))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let (fw, r) = data.results(2023, "province").unwrap();
    assert_eq!(
        (fw.max, fw.total_max(), fw.rounding.decimals, fw.total_rounding().decimals),
        (1000.into(), 1.into(), 2, 4)
    );
    let table: Vec<(&str, String, Option<u32>, Option<&str>)> = r
        .units
        .iter()
        .map(|u| (u.unit.0.as_str(), fw.total_rounding().format_plain(u.total.unwrap()), u.rank, u.level.as_deref()))
        .collect();
    assert_eq!(
        table,
        [
            ("dong", "0.8230".to_string(), Some(1), Some("Nhóm A")),
            ("an", "0.7130".to_string(), Some(2), Some("Nhóm A")),
            ("binh", "0.6894".to_string(), Some(3), Some("Nhóm B")),
            ("giang", "0.4429".to_string(), Some(4), Some("Nhóm C")),
            ("chau", "0.2882".to_string(), Some(5), Some("Nhóm C")),
        ]
    );
    let points = |unit: &str, id: &str| {
        let u = r.units.iter().find(|u| u.unit.0 == unit).unwrap();
        let i = fw.index_of(id).unwrap();
        u.scores[i].applicable.then(|| u.presented(fw, i).unwrap())
    };
    // Geometric mean √(90 × 120); a zero part makes it 0.
    assert_eq!(points("an", "tmdt"), Some(Decimal::from(90)));
    assert_eq!(points("an", "thanh-toan"), Some(Decimal::from(120)));
    assert_eq!(points("an", "kinh-te-so"), Some("103.92".parse().unwrap()));
    assert_eq!(points("giang", "kinh-te-so"), Some(Decimal::ZERO));
    // Weighted sum 1.2 × 45 + 1 × 60 + 0.7 × 66.67 (min-max: (35 − 5) ÷ (50 − 5) × 100).
    assert_eq!(points("an", "chinh-quyen-so"), Some("160.67".parse().unwrap()));
    // Mean of min-max (62 − 20) ÷ (80 − 20) × 130 = 91 and target 81 ÷ 90 × 130 = 117.
    assert_eq!(points("an", "ha-tang"), Some(Decimal::from(104)));
    // Lower is better: the fastest (4 h) ÷ 6 h × 70; Đông had no incident: excluded.
    assert_eq!(points("an", "su-co"), Some("46.67".parse().unwrap()));
    assert_eq!(points("dong", "an-toan"), None);
    let dong = r.units.iter().find(|u| u.unit.0 == "dong").unwrap();
    // 765.40 of the 930 applicable points, scaled to 1000, over 1000.
    assert_eq!(dong.total_exact.unwrap().round_dp(6), "0.823010".parse().unwrap());
}

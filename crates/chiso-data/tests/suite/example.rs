//! The example framework (every rule type), results worked out by hand.

use chiso_data::Dataset;
use chiso_domain::engine::{Results, Status};
use chiso_domain::{Baseline, Decimal, compare};
use rust_decimal_macros::dec;
use std::path::PathBuf;

fn dataset() -> Dataset {
    Dataset::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/example"))
        .unwrap_or_else(|e| panic!("{e:?}"))
}

fn scores(data: &Dataset, r: &Results, unit: &str) -> Vec<(String, Option<Decimal>)> {
    let fw = data.framework(&r.framework).unwrap();
    let u = r.units.iter().find(|u| u.unit.0 == unit).unwrap();
    fw.criteria
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.0.clone(), u.scores[i].applicable.then(|| u.presented(fw, i).unwrap())))
        .collect()
}

fn get(v: &[(String, Option<Decimal>)], id: &str) -> Option<Decimal> {
    v.iter().find(|(c, _)| c == id).unwrap().1
}

#[test]
fn every_rule_type_scores_as_worked_out_by_hand() {
    let data = dataset();
    let (_, r) = data.results(2024, "agency").unwrap();
    let an = scores(&data, &r, "a");
    // ratio: 49,5 of 50 staff have computers → 0,99 × 10.
    assert_eq!(get(&an, "computers"), Some(dec!(9.90)));
    assert_eq!(get(&an, "network"), Some(dec!(10)));
    // steps: 100 % of incidents handled → the ≥ 100 step, 6 points.
    assert_eq!(get(&an, "incidents_handled"), Some(dec!(6)));
    // relative to best: 36/60 = 0,6 against Bình's 48/60 = 0,8 → 0,75 × 25.
    assert_eq!(get(&an, "online_share"), Some(dec!(18.75)));
    // ratio 700/1000 × 15; count 15 × 0,5; scale A → 100 %.
    assert_eq!(get(&an, "online_records"), Some(dec!(10.50)));
    assert_eq!(get(&an, "trained_staff"), Some(dec!(7.50)));
    assert_eq!(get(&an, "survey"), Some(dec!(20)));
    assert_eq!(r.units.iter().find(|u| u.unit.0 == "a").unwrap().total, Some(dec!(86.65)));

    // Each criterion is rounded half-up (scope = criterion): 0,5/0,8 × 25 = 15,625 → 15,63.
    let dong = scores(&data, &r, "d");
    assert_eq!(get(&dong, "online_share"), Some(dec!(15.63)));
    // steps: 80 % → 4 points; scale C → 20 % of 20.
    assert_eq!(get(&dong, "incidents_handled"), Some(dec!(4)));
    assert_eq!(get(&dong, "survey"), Some(dec!(4)));
    assert_eq!(get(&dong, "services"), Some(dec!(19.38)));
}

#[test]
fn not_applicable_policies_full_points_excluded_zero() {
    let data = dataset();
    let (_, r) = data.results(2024, "agency").unwrap();
    let chau = scores(&data, &r, "c");
    // Excluded: no incidents → security is 4 of the 4 applicable points, scaled to 10.
    assert_eq!(get(&chau, "incidents_handled"), None);
    assert_eq!(get(&chau, "security"), Some(dec!(10)));
    // No procedures: online_share excluded, online_records full points (15 of 15) → services 40.
    assert_eq!(get(&chau, "online_share"), None);
    assert_eq!(get(&chau, "online_records"), Some(dec!(15)));
    assert_eq!(get(&chau, "services"), Some(dec!(40)));
    // 20/24 × 10 = 8,333… → 8,33.
    assert_eq!(get(&chau, "computers"), Some(dec!(8.33)));

    // A ratio of 0 scores 0, not "not applicable" (only a zero denominator is).
    let (_, r23) = data.results(2023, "agency").unwrap();
    let duong = scores(&data, &r23, "d-old");
    assert_eq!(get(&duong, "online_records"), Some(dec!(0)));
    // 10/50 = 0,2 against Bình's 45/60 = 0,75 → 6,666… → 6,67.
    assert_eq!(get(&duong, "online_share"), Some(dec!(6.67)));
}

#[test]
fn ranking_groups_rank_within_each_group_and_no_data_gets_neither() {
    let data = dataset();
    let (_, r) = data.results(2024, "agency").unwrap();
    let rows: Vec<(&str, Option<&str>, Option<u32>, Status)> =
        r.units.iter().map(|u| (u.unit.0.as_str(), u.group.as_deref(), u.rank, u.status)).collect();
    assert_eq!(
        rows,
        [
            ("b", Some("co-dvc"), Some(1), Status::Ranked),
            ("a", Some("co-dvc"), Some(2), Status::Ranked),
            ("d", Some("co-dvc"), Some(3), Status::Ranked),
            ("g", Some("co-dvc"), None, Status::NoData),
            ("e", Some("khong-dvc"), Some(1), Status::Ranked),
            ("c", Some("khong-dvc"), Some(2), Status::Ranked),
        ]
    );
    // 53,38 is Mức III (≥ 50); 65,5 is the Mức II threshold.
    assert_eq!(r.units[2].level.as_deref(), Some("Mức III"));
}

#[test]
fn a_renamed_unit_is_compared_with_its_former_self() {
    let data = dataset();
    let (fw, r24) = data.results(2024, "agency").unwrap();
    let (fw23, r23) = data.results(2023, "agency").unwrap();
    let cmp = compare(&r24, fw, &r23, fw23, &data.registry);
    let dong = cmp.iter().find(|c| c.unit.0 == "d").unwrap();
    assert_eq!(dong.baseline, Baseline::Renamed { from: chiso_domain::UnitId("d-old".into()) });
    assert_eq!((dong.previous_rank, dong.previous_total), (Some(3), Some(dec!(30.67))));
    assert_eq!(dong.total_change, Some(dec!(22.71)));
}

#[test]
fn relative_to_best_moves_everyone_when_the_best_is_corrected() {
    let data = dataset();
    let (fw, p) = data.period(2024, "agency").unwrap();
    let mut p = p.clone();
    let i = fw.index_of("online_share").unwrap();
    // Correct Bình's figure from 48/60 down to 36/60: An (36/60) becomes the best too.
    let b = p.units.iter_mut().find(|u| u.unit.0 == "b").unwrap();
    b.submission.as_mut().unwrap().set(fw, i, chiso_domain::Answer::ratio(dec!(36), dec!(60))).unwrap();
    let r = chiso_domain::score(fw, &p);
    let an = r.units.iter().find(|u| u.unit.0 == "a").unwrap();
    assert_eq!(an.presented(fw, i), Some(dec!(25)));
    let dong = r.units.iter().find(|u| u.unit.0 == "d").unwrap();
    // 0,5 / 0,6 × 25 = 20,833… → 20,83.
    assert_eq!(dong.presented(fw, i), Some(dec!(20.83)));
}

//! The analysis on real data: Cao Bằng's 2019–2020 rankings (and the example datasets):
//! zero perturbation gives back the engine's ranking, every next-level plan of the seed
//! reaches exactly the threshold within each group's maximum, figures of the example
//! framework reach the level when scored by the engine, trends follow lineage.

use chiso_data::Dataset;
use chiso_domain::analysis::{Options, Plan, next_level, stability, trends};
use chiso_domain::engine::{Results, score};
use chiso_domain::framework::Framework;
use chiso_domain::period::{Answer, Period};
use chiso_domain::{Decimal, UnitId};
use rust_decimal_macros::dec;
use std::path::PathBuf;

fn dataset(name: &str) -> Dataset {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data").join(name);
    Dataset::load(&dir).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn level_index(fw: &Framework, name: &Option<String>) -> usize {
    name.as_ref().map_or(fw.levels.len(), |n| fw.levels.iter().position(|l| &l.name == n).unwrap())
}

#[test]
fn with_zero_perturbation_every_period_keeps_the_engines_ranks_and_levels() {
    let mut checked = 0;
    for name in ["cao-bang", "example", "dti-example", "un-egdi"] {
        let data = dataset(name);
        for p in &data.periods {
            let (fw, r) = data.results(p.year, &p.kind).unwrap();
            if r.published {
                continue;
            }
            let o =
                Options { weight_spread: 0.0, threshold_step: Decimal::ZERO, draws: 50, ..Options::for_framework(fw) };
            let s = stability(fw, &r, &o);
            for u in &s.units {
                let e = r.get(&u.unit).unwrap();
                let rank = e.rank.unwrap();
                let what = format!("{name} {} {}: {}", p.year, p.kind, u.name);
                assert_eq!((u.rank, u.median_rank, u.rank_interval), (rank, rank, (rank, rank)), "{what}");
                assert_eq!(u.level_probability[level_index(fw, &e.level)], 1.0, "{what}");
            }
            checked += s.units.len();
        }
    }
    assert!(checked > 100, "{checked}");
}

fn plans(data: &Dataset, year: i32, kind: &str) -> (Vec<Plan>, Results) {
    let (fw, r) = data.results(year, kind).unwrap();
    let (_, p) = data.period(year, kind).unwrap();
    (next_level(fw, &r, p), r)
}

#[test]
fn labour_at_46_3_needs_1_7_points_for_muc_ii() {
    let data = dataset("cao-bang");
    let (fw, _) = data.results(2020, "department").unwrap();
    let (plans, _) = plans(&data, 2020, "department");
    let ld = plans.iter().find(|p| p.name == "Sở Lao động, Thương binh và Xã hội").unwrap();
    assert_eq!(ld.total, dec!(46.3));
    assert_eq!(ld.next_level_name(fw), Some("Mức II"));
    assert_eq!((ld.points_needed, ld.threshold, ld.reachable), (Some(dec!(1.7)), Some(dec!(48)), true));
    // Online services (0,4 of 6) is where it is furthest below the median (3,1): one group,
    // 0,4 → 2,1.
    let steps: Vec<(&str, Decimal, Decimal)> =
        ld.steps.iter().map(|s| (s.criterion.0.as_str(), s.points, s.to)).collect();
    assert_eq!(steps, [("online_services", dec!(1.7), dec!(2.1))]);
    let online = ld.groups.iter().find(|g| g.criterion.0 == "online_services").unwrap();
    assert_eq!((online.headroom, online.median, online.below_median), (dec!(5.6), Some(dec!(3.1)), Some(dec!(2.7))));
    // The leader has no level above it.
    let top = plans.iter().find(|p| p.name == "Sở Giáo dục và Đào tạo").unwrap();
    assert_eq!((top.next_level, top.points_needed, top.steps.len()), (None, None, 0));
}

/// Applies a plan of directly scored groups to the unit's submission.
fn apply(fw: &Framework, period: &Period, plan: &Plan) -> Period {
    let mut p = period.clone();
    let pu = p.units.iter_mut().find(|u| u.unit == plan.unit).unwrap();
    let sub = pu.submission.as_mut().unwrap();
    for step in &plan.steps {
        let i = fw.index_of(&step.criterion.0).unwrap();
        if step.figures.is_empty() {
            sub.set(fw, i, Answer::Points(step.to)).unwrap();
        }
        for f in &step.figures {
            sub.set(fw, fw.index_of(&f.criterion.0).unwrap(), f.to.clone()).unwrap();
        }
    }
    p
}

#[test]
fn every_plan_of_the_seed_reaches_exactly_the_threshold_within_each_groups_maximum() {
    let data = dataset("cao-bang");
    let mut planned = 0;
    for (year, kind) in [(2019, "department"), (2020, "department"), (2020, "district")] {
        let (fw, _) = data.results(year, kind).unwrap();
        let (_, period) = data.period(year, kind).unwrap();
        let (plans, _) = plans(&data, year, kind);
        for plan in &plans {
            let Some(next) = plan.next_level else { continue };
            let what = format!("{year} {kind}: {}", plan.name);
            // Every unit of the seed can still reach its next level.
            assert!(plan.reachable, "{what}");
            let needed = plan.points_needed.unwrap();
            assert_eq!(plan.total + needed, fw.levels[next].min, "{what}");
            let added: Decimal = plan.steps.iter().map(|s| s.points).sum();
            assert_eq!(added, needed, "{what}");
            for s in &plan.steps {
                let room = plan.groups.iter().find(|g| g.criterion == s.criterion).unwrap();
                assert!(s.points > Decimal::ZERO && s.points <= room.headroom, "{what}: {s:?}");
                assert!(s.to <= room.max, "{what}: {s:?}");
                // District groups have directly scored sub-criteria: the changes to them
                // add up to exactly the group's points.
                if !s.figures.is_empty() {
                    assert_eq!(s.figures_points, Some(s.points), "{what}: {s:?}");
                    assert!(s.figures.iter().all(|f| f.rule == "direct"), "{what}: {s:?}");
                }
            }
            // Scored by the engine, the plan gives exactly the threshold and the level.
            let after = score(fw, &apply(fw, period, plan));
            let u = after.get(&plan.unit).unwrap();
            assert_eq!(u.total, Some(fw.levels[next].min), "{what}");
            assert_eq!(u.level.as_deref(), Some(fw.levels[next].name.as_str()), "{what}");
            planned += 1;
        }
    }
    // Every unit with data but the one department at Mức I each year; no district is at
    // Mức I (Thạch An has no data in 2020).
    assert_eq!(planned, 19 + 19 + 9);
}

#[test]
fn figures_of_the_example_framework_reach_the_level_when_scored() {
    let data = dataset("example");
    let mut figures = 0;
    for year in [2023, 2024] {
        let (fw, _) = data.results(year, "agency").unwrap();
        let (_, period) = data.period(year, "agency").unwrap();
        let (plans, _) = plans(&data, year, "agency");
        for plan in plans.iter().filter(|p| p.next_level.is_some() && p.reachable) {
            for s in &plan.steps {
                assert!(s.figures_points.unwrap() >= s.points, "{}: {s:?}", plan.name);
                figures += s.figures.len();
            }
            let after = score(fw, &apply(fw, period, plan));
            let u = after.get(&plan.unit).unwrap();
            let reached = level_index(fw, &u.level);
            assert!(reached <= plan.next_level.unwrap(), "{year} {}: {:?}", plan.name, u.level);
        }
    }
    assert!(figures >= 3, "{figures}");
}

#[test]
fn a_fixed_seed_gives_the_same_stability_every_time() {
    let data = dataset("cao-bang");
    let (fw, r) = data.results(2020, "department").unwrap();
    let o = Options { seed: 2020, ..Options::for_framework(fw) };
    let a = stability(fw, &r, &o);
    let b = stability(fw, &r, &Options { threads: 1, ..o.clone() });
    assert!(a.units == b.units && a.pairs == b.pairs && a.left_out == b.left_out && a.summaries == b.summaries);
    assert!(stability(fw, &r, &o) == a, "same options, same result");
    // The leader's and the last unit's places are solid; the two units tied at 7 are not.
    let of = |n: &str| a.units.iter().find(|u| u.name == n).unwrap();
    assert_eq!(of("Sở Giáo dục và Đào tạo").rank_interval, (1, 1));
    assert_eq!(of("Sở Xây dựng").rank_interval, (20, 20));
    assert!(of("Sở Tư pháp").keeps_rank < 0.9);
    let flip = a.pairs.iter().find(|p| p.ahead.0 == "so-tu-phap").unwrap();
    assert!(flip.flips > 0.5, "{flip:?}");
}

#[test]
fn trends_follow_lineage_across_the_years() {
    let data = dataset("cao-bang");
    let scored: Vec<(&Framework, Results)> =
        [2019, 2020].iter().map(|&y| data.results(y, "district").unwrap()).collect();
    let refs: Vec<(&Framework, &Results)> = scored.iter().map(|(f, r)| (*f, r)).collect();
    let t = trends(&data.registry, &refs);
    assert_eq!(t.years, [2019, 2020]);
    // Quảng Hòa (2020) continues Quảng Uyên, ranked 13th in 2019.
    let qh = t.units.iter().find(|u| u.unit == UnitId("quang-hoa".into())).unwrap();
    let then = qh.points[0].as_ref().unwrap();
    assert_eq!((then.unit.0.as_str(), then.rank), ("quang-uyen", Some(13)));
    assert!(qh.points[1].is_some());
    // Every 2019 unit appears once, under its own row or its successor's.
    let rows_2019 = t.units.iter().filter(|u| u.points[0].is_some()).count();
    assert_eq!(rows_2019, scored[0].1.units.len());
    assert!(t.distribution[0].published && !t.distribution[1].published);

    let scored: Vec<(&Framework, Results)> =
        [2019, 2020].iter().map(|&y| data.results(y, "department").unwrap()).collect();
    let refs: Vec<(&Framework, &Results)> = scored.iter().map(|(f, r)| (*f, r)).collect();
    let t = trends(&data.registry, &refs);
    let ld = t.units.iter().find(|u| u.name == "Sở Lao động, Thương binh và Xã hội").unwrap();
    let ranks: Vec<Option<u32>> = ld.points.iter().map(|p| p.as_ref().unwrap().rank).collect();
    assert_eq!(ranks, [Some(19), Some(6)]);
    assert_eq!(ld.points[1].as_ref().unwrap().rank_change, Some(13));
    let d = &t.distribution[1];
    assert_eq!((d.count, d.lowest, d.highest, d.mean), (20, Some(dec!(32.9)), Some(dec!(56.3)), Some(dec!(43.1))));
    let per_level: Vec<usize> = d.levels.levels.iter().map(|(_, n)| *n).collect();
    assert_eq!(per_level, [1, 4, 6, 6]);
}

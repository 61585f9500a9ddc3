//! The analysis module on small frameworks built by hand: rank stability (zero
//! perturbation, leads no weight change can undo, thresholds, leaving a group out,
//! reproducibility), the path to the next level (exact points, figures, out of reach).

use chiso_domain::analysis::{Options, Summary, next_level, rng::Xoshiro256, stability};
use chiso_domain::engine::{Results, score};
use chiso_domain::framework::{
    Aggregation, CriterionMethods, CriterionSpec, Framework, FrameworkSpec, Index, LevelSpec, MethodsSpec,
    NotApplicable, Rule, TieBasis,
};
use chiso_domain::number::{RoundingMode, RoundingScope};
use chiso_domain::period::{Answer, Period, PeriodUnit, Submission};
use chiso_domain::{Decimal, UnitId};
use rust_decimal_macros::dec;

fn leaf(id: &str, max: Decimal, rule: Rule, na: NotApplicable) -> CriterionSpec {
    CriterionSpec {
        id: id.into(),
        name: format!("Tiêu chí {id}"),
        short_name: None,
        aliases: vec![],
        max,
        not_applicable: na,
        rule: Some(rule),
        children: vec![],
    }
}

fn direct(id: &str, max: Decimal) -> CriterionSpec {
    leaf(id, max, Rule::Direct, NotApplicable::Forbidden)
}

fn spec(max: Decimal, decimals: u32, levels: &[Decimal], criteria: Vec<CriterionSpec>) -> FrameworkSpec {
    FrameworkSpec {
        id: "t".into(),
        name: "t".into(),
        legal_basis: "t".into(),
        unit_kind: "unit".into(),
        years: (2020, None),
        max,
        decimals,
        percent_decimals: None,
        rounding_mode: RoundingMode::HalfUp,
        rounding_scope: RoundingScope::Total,
        ties: TieBasis::Rounded,
        groups: vec![],
        levels: levels.iter().enumerate().map(|(i, &min)| LevelSpec { name: format!("Mức {}", i + 1), min }).collect(),
        criteria,
    }
}

/// One row of answers per unit, leaves in framework order.
fn period(fw: &Framework, rows: &[(&str, Option<&str>, Vec<Answer>)]) -> Period {
    let leaves: Vec<usize> = fw.leaves().map(|(i, _)| i).collect();
    let units = rows
        .iter()
        .map(|(name, group, answers)| {
            let mut sub = Submission::new(fw);
            for (&i, a) in leaves.iter().zip(answers) {
                sub.set(fw, i, a.clone()).unwrap_or_else(|e| panic!("{name}, {i}: {e}"));
            }
            PeriodUnit {
                unit: UnitId(name.to_string()),
                name: name.to_string(),
                group: group.map(str::to_string),
                submission: Some(sub),
            }
        })
        .collect();
    Period { year: 2020, kind: "unit".into(), framework: fw.id.clone(), units, published: None, illustrative: false }
}

fn points(values: &[Decimal]) -> Vec<Answer> {
    values.iter().map(|&v| Answer::Points(v)).collect()
}

/// `n` units with pseudo-random direct points (some equal, many tied totals) per root.
fn random_period(fw: &Framework, n: u64, grouped: bool) -> Period {
    let rows: Vec<(String, Option<&str>, Vec<Answer>)> = (0..n)
        .map(|u| {
            let mut rng = Xoshiro256::for_draw(99, u);
            let answers = fw
                .leaves()
                .map(|(_, c)| {
                    // Quarter points, so that many totals round to the same value.
                    let quarters = (c.max * dec!(4)).trunc();
                    let q = rng.next_u64() % (u64::try_from(quarters.mantissa()).unwrap() + 1);
                    Answer::Points(Decimal::from(q) / dec!(4))
                })
                .collect();
            let group = grouped.then_some(if u % 3 == 0 { "a" } else { "b" });
            (format!("Đơn vị {u:03}"), group, answers)
        })
        .collect();
    let borrowed: Vec<(&str, Option<&str>, Vec<Answer>)> =
        rows.iter().map(|(n, g, a)| (n.as_str(), *g, a.clone())).collect();
    period(fw, &borrowed)
}

fn still(fw: &Framework) -> Options {
    Options { weight_spread: 0.0, threshold_step: Decimal::ZERO, draws: 300, ..Options::for_framework(fw) }
}

/// With nothing perturbed every draw is the engine's ranking: intervals collapse.
fn assert_collapses(fw: &Framework, r: &Results) {
    let s = stability(fw, r, &still(fw));
    assert_eq!(s.units.len(), r.units.len());
    for u in &s.units {
        let e = r.get(&u.unit).unwrap();
        let rank = e.rank.unwrap();
        assert_eq!((u.rank, u.median_rank, u.rank_interval), (rank, rank, (rank, rank)), "{}", u.name);
        assert_eq!(u.keeps_rank, 1.0, "{}", u.name);
        let level = e.level.as_ref().map_or(fw.levels.len(), |l| fw.levels.iter().position(|x| &x.name == l).unwrap());
        assert_eq!(u.level_probability[level], 1.0, "{}", u.name);
        assert_eq!(u.level_probability_thresholds[level], 1.0, "{}", u.name);
    }
    assert!(s.pairs.iter().all(|p| p.flips == 0.0));
}

#[test]
fn with_zero_perturbation_the_intervals_collapse_to_the_engines_ranks() {
    let criteria = || vec![direct("a", dec!(10)), direct("b", dec!(20)), direct("c", dec!(30))];
    let levels = [dec!(45), dec!(30), dec!(20)];
    // Half-up on the presented total, with ties (equal rounded totals, different exact ones).
    let fw = Framework::new(spec(dec!(60), 1, &levels, criteria())).unwrap();
    let p = period(
        &fw,
        &[
            ("A", None, points(&[dec!(10), dec!(20), dec!(15.04)])), // 45.04 → 45.0
            ("B", None, points(&[dec!(9.99), dec!(20), dec!(15)])),  // 44.99 → 45.0
            ("C", None, points(&[dec!(9.95), dec!(20), dec!(15)])),  // 44.95 → 45.0 (a midpoint)
            ("D", None, points(&[dec!(9.9), dec!(20), dec!(15.04)])), // 44.94 → 44.9
        ],
    );
    let r = score(&fw, &p);
    assert_eq!(r.units.iter().map(|u| u.rank.unwrap()).collect::<Vec<_>>(), [1, 1, 1, 4]);
    assert_collapses(&fw, &r);
    // Many units, ranking groups.
    assert_collapses(&fw, &score(&fw, &random_period(&fw, 300, true)));
    // Half-even, each criterion rounded, ties on the exact total.
    let mut s = spec(dec!(60), 1, &levels, criteria());
    s.rounding_mode = RoundingMode::HalfEven;
    s.rounding_scope = RoundingScope::Criterion;
    let fw = Framework::new(s).unwrap();
    assert_collapses(&fw, &score(&fw, &random_period(&fw, 300, false)));
    let mut s = spec(dec!(60), 2, &levels, criteria());
    s.ties = TieBasis::Exact;
    let fw = Framework::new(s).unwrap();
    assert_collapses(&fw, &score(&fw, &random_period(&fw, 300, false)));
}

#[test]
fn zero_perturbation_also_collapses_for_weighted_means_and_indices() {
    let weights = |a: Aggregation, w: [Decimal; 3]| MethodsSpec {
        aggregation: a,
        criteria: ["a", "b", "c"]
            .iter()
            .zip(w)
            .map(|(id, w)| CriterionMethods { id: id.to_string(), weight: Some(w), ..Default::default() })
            .collect(),
        ..Default::default()
    };
    // Weighted sum: 2 × 10 + 1 × 20 + 1 × 20 = 60.
    let crit = vec![direct("a", dec!(10)), direct("b", dec!(20)), direct("c", dec!(20))];
    let fw = Framework::with_methods(
        spec(dec!(60), 2, &[dec!(45), dec!(30)], crit),
        weights(Aggregation::WeightedSum, [dec!(2), dec!(1), dec!(1)]),
    )
    .unwrap();
    assert_collapses(&fw, &score(&fw, &random_period(&fw, 200, false)));
    // Weighted and geometric means of three 0–10 groups, presented as a 0–1 index.
    for a in [Aggregation::WeightedMean, Aggregation::GeometricMean] {
        let crit = vec![direct("a", dec!(10)), direct("b", dec!(10)), direct("c", dec!(10))];
        let mut m = weights(a, [dec!(0.5), dec!(0.3), dec!(0.2)]);
        m.index = Some(Index { decimals: 3 });
        let fw = Framework::with_methods(spec(dec!(10), 2, &[dec!(0.7), dec!(0.4)], crit), m).unwrap();
        assert_collapses(&fw, &score(&fw, &random_period(&fw, 200, false)));
    }
}

#[test]
fn a_lead_larger_than_any_weight_change_never_moves() {
    let fw =
        Framework::new(spec(dec!(20), 1, &[dec!(15), dec!(10)], vec![direct("x", dec!(10)), direct("y", dec!(10))]))
            .unwrap();
    let p = period(
        &fw,
        &[
            // A − B = −3·a₁ + 5·a₂ ≥ −3 × 1.2 + 5 × 0.8 = 0.4 > 0 for factors within ±20 %.
            ("A", None, points(&[dec!(6), dec!(10)])),
            ("B", None, points(&[dec!(9), dec!(5)])),
            // B − C = −a₁ + 2·a₂ ≥ 0.4 > 0.
            ("C", None, points(&[dec!(10), dec!(3)])),
            // D and E swap whenever a₁ ≠ a₂ one way or the other.
            ("D", None, points(&[dec!(4), dec!(4)])),
            ("E", None, points(&[dec!(3.5), dec!(4.5)])),
        ],
    );
    let r = score(&fw, &p);
    let o = Options { draws: 4000, ..Options::for_framework(&fw) };
    let s = stability(&fw, &r, &o);
    let get = |n: &str| s.get(&UnitId(n.into())).unwrap();
    for (n, rank) in [("A", 1), ("B", 2), ("C", 3)] {
        let u = get(n);
        assert_eq!((u.rank_interval, u.median_rank, u.keeps_rank), ((rank, rank), rank, 1.0), "{n}");
    }
    // D and E tie at 8,0 (rank 4) and split one way or the other, unless the difference
    // (0,5 × (a₁ − a₂) before renormalising) rounds away.
    let (d, e) = (get("D"), get("E"));
    assert_eq!((d.rank, e.rank), (4, 4));
    assert_eq!((d.rank_interval, e.rank_interval), ((4, 5), (4, 5)));
    let flips: Vec<f64> = s.pairs.iter().map(|p| p.flips).collect();
    assert_eq!(flips[..3], [0.0, 0.0, 0.0]);
    assert!(flips[3] > 0.4 && flips[3] < 0.7, "{flips:?}");
    // The same lead is not safe against ±50 %: −3 × 1.5 + 5 × 0.5 < 0.
    let wide = stability(&fw, &r, &Options { weight_spread: 0.5, ..o });
    assert!(wide.get(&UnitId("A".into())).unwrap().keeps_rank < 1.0);
    match &s.summaries[0] {
        Summary::Weights { top_kept, top_kept_share, interchangeable, .. } => {
            assert_eq!((*top_kept, *top_kept_share), (3, 1.0));
            assert_eq!(interchangeable, &[(4, 5)]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn moving_thresholds_changes_only_levels_near_them() {
    let fw = Framework::new(spec(dec!(100), 1, &[dec!(50), dec!(20)], vec![direct("x", dec!(100))])).unwrap();
    let p = period(
        &fw,
        &[
            ("On the line", None, points(&[dec!(50)])),
            ("Far above", None, points(&[dec!(80)])),
            ("Below", None, points(&[dec!(35)])),
        ],
    );
    let r = score(&fw, &p);
    let o = Options { threshold_step: dec!(1), draws: 20_000, ..Options::for_framework(&fw) };
    let s = stability(&fw, &r, &o);
    // 50,0 keeps Mức 1 when the minimum moves by −1,0 … 0,0: 11 of the 21 steps.
    let on = s.get(&UnitId("On the line".into())).unwrap();
    let p = on.level_probability_thresholds[0];
    assert!((p - 11.0 / 21.0).abs() < 0.02, "{p}");
    assert_eq!(on.level_probability_weights[0], 1.0, "a single group: weights change nothing");
    assert_eq!(s.get(&UnitId("Far above".into())).unwrap().level_probability[0], 1.0);
    assert_eq!(s.get(&UnitId("Below".into())).unwrap().level_probability[1], 1.0);
    assert!(s.units.iter().all(|u| u.rank_interval == (u.rank, u.rank)));
    match &s.summaries[1] {
        Summary::Thresholds { kept, near, .. } => {
            assert_eq!((*kept, near.as_slice()), (2, ["On the line".to_string()].as_slice()))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn leaving_a_group_out_renormalises_the_others() {
    let fw = Framework::new(spec(
        dec!(30),
        1,
        &[dec!(20)],
        vec![direct("x", dec!(10)), direct("y", dec!(10)), direct("z", dec!(10))],
    ))
    .unwrap();
    let p = period(
        &fw,
        &[
            ("A", None, points(&[dec!(10), dec!(2), dec!(2)])), // 14
            ("B", None, points(&[dec!(3), dec!(5), dec!(5)])),  // 13
            ("C", None, points(&[dec!(1), dec!(5), dec!(6)])),  // 12
        ],
    );
    let r = score(&fw, &p);
    let s = stability(&fw, &r, &Options { draws: 10, ..Options::for_framework(&fw) });
    let a = s.get(&UnitId("A".into())).unwrap();
    // Without x, A has 4 of 20 points: last. Without y or z it stays first.
    assert_eq!(a.leave_one_out, [3, 1, 1]);
    assert_eq!(s.get(&UnitId("C".into())).unwrap().leave_one_out, [1, 3, 3]);
    // Without x: C 11 of 20 → 16,5 of 30, B 15,0, A 6,0; B keeps rank 2.
    assert_eq!(s.get(&UnitId("B".into())).unwrap().leave_one_out, [2, 2, 2]);
    assert_eq!((s.left_out[0].rank_changes, s.left_out[0].max_shift), (2, 2));
    assert!(!s.left_out[0].leader_kept);
    assert!(s.left_out[1].leader_kept);
}

#[test]
fn the_same_seed_gives_the_same_result_on_any_number_of_threads() {
    let fw = Framework::new(spec(
        dec!(60),
        1,
        &[dec!(45), dec!(30)],
        vec![direct("a", dec!(10)), direct("b", dec!(20)), direct("c", dec!(30))],
    ))
    .unwrap();
    let r = score(&fw, &random_period(&fw, 150, true));
    let o = Options { draws: 3001, seed: 42, threshold_step: dec!(1.5), ..Options::for_framework(&fw) };
    let one = stability(&fw, &r, &Options { threads: 1, ..o.clone() });
    let two = stability(&fw, &r, &Options { threads: 2, ..o.clone() });
    let five = stability(&fw, &r, &Options { threads: 5, ..o.clone() });
    assert_eq!(one.units, two.units);
    assert_eq!(one.units, five.units);
    assert_eq!((&one.pairs, &one.summaries), (&two.pairs, &two.summaries));
    assert_eq!(stability(&fw, &r, &o), two);
    let other = stability(&fw, &r, &Options { seed: 43, ..o.clone() });
    assert_ne!(other.units, two.units);
    // Watched: the draws done told in order up to all of them, on any number of threads,
    // and the same result.
    for threads in [1, 3] {
        let seen = std::sync::Mutex::new(Vec::new());
        let record = |d: u64, t: u64| seen.lock().unwrap().push((d, t));
        let watched = chiso_domain::analysis::stability_with(&fw, &r, &Options { threads, ..o.clone() }, &record);
        assert!(watched.units == two.units && (&watched.pairs, &watched.summaries) == (&two.pairs, &two.summaries));
        let seen = seen.into_inner().unwrap();
        assert!(seen.len() >= 3001 / 64, "{} calls", seen.len());
        assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "only grows: {seen:?}");
        assert_eq!(seen.last(), Some(&(3001, 3001)));
    }
}

// ---------------------------------------------------------------- next level

#[test]
fn a_plan_translates_ratio_points_into_procedures() {
    // online: procedures offered online ÷ procedures × 6; other: direct, 54.
    let fw = Framework::new(spec(
        dec!(60),
        1,
        &[dec!(54), dec!(48)],
        vec![leaf("online", dec!(6), Rule::Ratio, NotApplicable::Forbidden), direct("other", dec!(54))],
    ))
    .unwrap();
    let ratio = |n: i64, d: i64| Answer::ratio(Decimal::from(n), Decimal::from(d));
    let p = period(
        &fw,
        &[
            ("U", None, vec![ratio(36, 60), Answer::Points(dec!(44.1))]), // 3.6 + 44.1 = 47.7
            ("V", None, vec![ratio(60, 60), Answer::Points(dec!(40))]),   // 46.0
        ],
    );
    let r = score(&fw, &p);
    let plans = next_level(&fw, &r, &p);
    let u = plans.iter().find(|x| x.name == "U").unwrap();
    assert_eq!((u.next_level_name(&fw), u.points_needed, u.reachable), (Some("Mức 2"), Some(dec!(0.3)), true));
    assert_eq!(u.steps.len(), 1);
    let step = &u.steps[0];
    // U is furthest below the median in online services (3,6 against 4,8).
    assert_eq!((step.criterion.0.as_str(), step.points), ("online", dec!(0.3)));
    // +3 procedures online out of 60 → +0,3 points.
    assert_eq!(step.figures.len(), 1);
    assert_eq!(step.figures[0].to, ratio(39, 60));
    assert_eq!(step.figures[0].points_to - step.figures[0].points_from, dec!(0.3));
    assert_eq!(step.figures_points, Some(dec!(0.3)));
    // V needs 2,0; its online services are full, so the other group gives them.
    let v = plans.iter().find(|x| x.name == "V").unwrap();
    assert_eq!(v.points_needed, Some(dec!(2)));
    assert_eq!((v.steps[0].criterion.0.as_str(), v.steps[0].points, v.steps[0].figures.len()), ("other", dec!(2), 0));
    assert_eq!(v.groups[0].headroom, dec!(0));
}

#[test]
fn units_that_cannot_reach_the_next_level_are_told_so() {
    // A criterion declared not applicable scores 0 and cannot be improved.
    let fw = Framework::new(spec(
        dec!(20),
        1,
        &[dec!(15), dec!(5)],
        vec![leaf("x", dec!(10), Rule::Direct, NotApplicable::Zero), direct("y", dec!(10))],
    ))
    .unwrap();
    let p = period(
        &fw,
        &[
            ("Stuck", None, vec![Answer::NotApplicable, Answer::Points(dec!(6))]),
            ("Free", None, vec![Answer::Points(dec!(2)), Answer::Points(dec!(6))]),
        ],
    );
    let plans = next_level(&fw, &score(&fw, &p), &p);
    let stuck = &plans.iter().find(|x| x.name == "Stuck").unwrap();
    assert_eq!((stuck.reachable, stuck.best_total, stuck.points_needed), (false, dec!(10.0), Some(dec!(9))));
    assert!(stuck.steps.is_empty());
    let free = &plans.iter().find(|x| x.name == "Free").unwrap();
    assert!(free.reachable);
    let added: Decimal = free.steps.iter().map(|s| s.points).sum();
    assert_eq!(added, dec!(7));
    // x alone (headroom 8) closes the gap of 7; y (headroom 4) cannot.
    let steps: Vec<(&str, Decimal)> = free.steps.iter().map(|s| (s.criterion.0.as_str(), s.points)).collect();
    assert_eq!(steps, [("x", dec!(7))]);
}

#[test]
fn the_smallest_set_of_groups_comes_first_then_the_median() {
    // Needs 6: only c (headroom 8) can close it alone, although b is further below the median.
    let fw = Framework::new(spec(
        dec!(30),
        0,
        &[dec!(20)],
        vec![direct("a", dec!(10)), direct("b", dec!(10)), direct("c", dec!(10))],
    ))
    .unwrap();
    let p = period(
        &fw,
        &[
            ("U", None, points(&[dec!(10), dec!(2), dec!(2)])),
            ("V", None, points(&[dec!(10), dec!(10), dec!(0)])),
            ("W", None, points(&[dec!(10), dec!(9), dec!(1)])),
        ],
    );
    let plans = next_level(&fw, &score(&fw, &p), &p);
    let u = plans.iter().find(|x| x.name == "U").unwrap();
    assert_eq!(u.points_needed, Some(dec!(6)));
    let steps: Vec<(&str, Decimal)> = u.steps.iter().map(|s| (s.criterion.0.as_str(), s.points)).collect();
    assert_eq!(steps, [("b", dec!(6))]);
}

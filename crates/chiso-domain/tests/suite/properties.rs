//! Properties every framework and period must satisfy, on generated data.

use chiso_domain::engine::{Status, competition_ranks, score};
use chiso_domain::framework::{
    CriterionSpec, Framework, FrameworkSpec, LevelSpec, NotApplicable, Rule, ScaleAnswer, Step, TieBasis,
};
use chiso_domain::number::{RoundingMode, RoundingScope};
use chiso_domain::period::{Answer, Period, PeriodUnit, Submission};
use chiso_domain::{Decimal, UnitId};
use proptest::prelude::*;

fn leaf(id: &str, max: i64, rule: Rule, na: NotApplicable) -> CriterionSpec {
    CriterionSpec {
        id: id.into(),
        name: id.into(),
        short_name: None,
        aliases: vec![],
        max: Decimal::from(max),
        not_applicable: na,
        rule: Some(rule),
        children: vec![],
    }
}

fn group(id: &str, children: Vec<CriterionSpec>) -> CriterionSpec {
    CriterionSpec {
        id: id.into(),
        name: id.into(),
        short_name: None,
        aliases: vec![],
        max: children.iter().map(|c| c.max).sum(),
        not_applicable: NotApplicable::Forbidden,
        rule: None,
        children,
    }
}

fn spec(criteria: Vec<CriterionSpec>, decimals: u32, levels: &[(&str, Decimal)]) -> FrameworkSpec {
    FrameworkSpec {
        id: "t".into(),
        name: "t".into(),
        legal_basis: "t".into(),
        unit_kind: "district".into(),
        years: (2018, None),
        max: criteria.iter().map(|c| c.max).sum(),
        decimals,
        percent_decimals: None,
        rounding_mode: RoundingMode::HalfUp,
        rounding_scope: RoundingScope::Total,
        ties: TieBasis::Rounded,
        groups: vec![],
        levels: levels.iter().map(|(n, m)| LevelSpec { name: n.to_string(), min: *m }).collect(),
        criteria,
    }
}

/// The Cao Bằng district shape: 40 = 24 + 9 + 7 and 80 = 38 + 30 + 9 + 3, direct points.
fn district() -> Framework {
    let d = |id, max| leaf(id, max, Rule::Direct, NotApplicable::Forbidden);
    Framework::new(spec(
        vec![
            group("readiness", vec![d("infrastructure", 24), d("staff", 9), d("policy", 7)]),
            group(
                "results",
                vec![d("presence", 38), d("interaction", 30), d("transaction", 9), d("transformation", 3)],
            ),
        ],
        2,
        &[
            ("Mức I", Decimal::from(108)),
            ("Mức II", "100.4".parse().unwrap()),
            ("Mức III", "93.05".parse().unwrap()),
            ("Mức IV", "85.7".parse().unwrap()),
        ],
    ))
    .unwrap()
}

fn cents(max: i64) -> impl Strategy<Value = Decimal> {
    (0..=max * 100).prop_map(|c| Decimal::new(c, 2))
}

fn period(fw: &Framework, rows: &[Vec<Decimal>]) -> Period {
    let units = rows
        .iter()
        .enumerate()
        .map(|(u, values)| {
            let mut sub = Submission::new(fw);
            for ((i, _), v) in fw.leaves().zip(values) {
                sub.set(fw, i, Answer::Points(*v)).unwrap();
            }
            PeriodUnit {
                unit: UnitId(format!("u{u}")),
                name: format!("Đơn vị {u:03}"),
                group: None,
                submission: Some(sub),
            }
        })
        .collect();
    Period {
        year: 2020,
        kind: "district".into(),
        framework: fw.id.clone(),
        units,
        published: None,
        illustrative: false,
    }
}

fn district_rows() -> impl Strategy<Value = Vec<Vec<Decimal>>> {
    let unit = (cents(24), cents(9), cents(7), cents(38), cents(30), cents(9), cents(3))
        .prop_map(|(a, b, c, d, e, f, g)| vec![a, b, c, d, e, f, g]);
    prop::collection::vec(unit, 1..40)
}

proptest! {
    #[test]
    fn total_is_the_sum_of_its_parts(rows in district_rows()) {
        let fw = district();
        let r = score(&fw, &period(&fw, &rows));
        for u in &r.units {
            let leaves: Decimal = fw.leaves().map(|(i, _)| u.scores[i].points).sum();
            prop_assert_eq!(u.total_exact, Some(leaves));
            let readiness = fw.index_of("readiness").unwrap();
            let parts: Decimal = fw.criterion(readiness).children.iter().map(|&k| u.scores[k].points).sum();
            prop_assert_eq!(u.scores[readiness].points, parts);
        }
    }

    #[test]
    fn rank_is_monotone_in_total_and_ties_share_a_rank(rows in district_rows()) {
        let fw = district();
        let r = score(&fw, &period(&fw, &rows));
        for a in &r.units {
            for b in &r.units {
                let (ta, tb) = (a.total.unwrap(), b.total.unwrap());
                if ta > tb { prop_assert!(a.rank < b.rank); }
                if ta == tb { prop_assert_eq!(a.rank, b.rank); }
            }
            // Rank = 1 + number of units strictly ahead.
            let ahead = r.units.iter().filter(|b| b.total > a.total).count() as u32;
            prop_assert_eq!(a.rank, Some(ahead + 1));
        }
        // Table order is by rank.
        prop_assert!(r.units.windows(2).all(|w| w[0].rank <= w[1].rank));
    }

    #[test]
    fn level_is_the_highest_threshold_reached(rows in district_rows()) {
        let fw = district();
        let r = score(&fw, &period(&fw, &rows));
        for u in &r.units {
            let t = u.total.unwrap();
            let expected = fw.levels.iter().find(|l| t >= l.min).map(|l| l.name.clone());
            prop_assert_eq!(&u.level, &expected);
            prop_assert_eq!(u.status, if expected.is_some() { Status::Ranked } else { Status::BelowLevels });
        }
    }

    #[test]
    fn competition_ranks_skip_after_ties(totals in prop::collection::vec(0i64..50, 1..60)) {
        let totals: Vec<Decimal> = totals.into_iter().map(Decimal::from).collect();
        let ranks = competition_ranks(&totals);
        for (i, t) in totals.iter().enumerate() {
            prop_assert_eq!(ranks[i] as usize, 1 + totals.iter().filter(|u| *u > t).count());
        }
    }

    #[test]
    fn half_up_rounds_every_midpoint_away_from_zero(whole in 0i64..10_000, digit in 0i64..10) {
        // x.d5 → x.(d+1) at one decimal.
        let v = Decimal::new(whole * 100 + digit * 10 + 5, 2);
        let r = chiso_domain::number::round_to(v, 1, RoundingMode::HalfUp);
        prop_assert_eq!(r, Decimal::new(whole * 10 + digit + 1, 1));
        let below = chiso_domain::number::round_to(v - Decimal::new(1, 4), 1, RoundingMode::HalfUp);
        prop_assert_eq!(below, Decimal::new(whole * 10 + digit, 1));
    }

    #[test]
    fn rule_outputs_stay_within_zero_and_max(
        n in 0i64..10_000, d in 0i64..10_000, figure in 0i64..500, count in 0i64..100,
        yes: bool, choice in 0usize..5, na in prop::collection::vec(any::<bool>(), 7),
    ) {
        let policies = [NotApplicable::FullPoints, NotApplicable::Excluded, NotApplicable::Zero];
        let scale = Rule::Scale { answers: ["A", "B", "C", "D", "E"].iter().zip([100, 60, 20, 0, 0])
            .map(|(l, p)| ScaleAnswer { label: l.to_string(), percent: Decimal::from(p) }).collect() };
        let steps = Rule::Steps { steps: vec![
            Step { min: Decimal::from(50), points: Decimal::from(2) },
            Step { min: Decimal::from(80), points: Decimal::from(4) },
            Step { min: Decimal::from(100), points: Decimal::from(6) },
        ] };
        let rules = [
            ("direct", 5, Rule::Direct), ("yes", 3, Rule::YesNo), ("ratio", 7, Rule::Ratio),
            ("best", 11, Rule::RelativeToBest), ("steps", 6, steps),
            ("count", 4, Rule::Count { per_item: "0.5".parse().unwrap() }), ("scale", 9, scale),
        ];
        let children: Vec<_> = rules.iter().enumerate()
            .map(|(i, (id, max, rule))| leaf(id, *max, rule.clone(), policies[i % 3])).collect();
        let fw = Framework::new(spec(vec![group("g", children)], 2, &[])).unwrap();
        let (num, den) = (Decimal::from(n.min(d)), Decimal::from(d));
        let answers = [
            Answer::Points(Decimal::new(n % 501, 2)), Answer::YesNo(yes),
            Answer::ratio(num, den), Answer::ratio(num, den),
            Answer::Figure(Decimal::from(figure)), Answer::Figure(Decimal::from(count)),
            Answer::Choice(["A", "B", "C", "D", "E"][choice].into()),
        ];
        let mut sub = Submission::new(&fw);
        for (k, ((i, _), a)) in fw.leaves().zip(answers).enumerate() {
            let a = if na[k] { Answer::NotApplicable } else { a };
            sub.set(&fw, i, a).unwrap();
        }
        // A second unit with the best ratio, so relative-to-best has a reference.
        let mut best = Submission::new(&fw);
        let best_index = fw.index_of("best").unwrap();
        best.set(&fw, best_index, Answer::ratio(Decimal::ONE, Decimal::ONE)).unwrap();
        let p = Period { year: 2020, kind: "district".into(), framework: "t".into(), published: None, illustrative: false, units: vec![
            PeriodUnit { unit: UnitId("a".into()), name: "A".into(), group: None, submission: Some(sub) },
            PeriodUnit { unit: UnitId("b".into()), name: "B".into(), group: None, submission: Some(best) },
        ] };
        let r = score(&fw, &p);
        for u in &r.units {
            for (i, c) in fw.criteria.iter().enumerate() {
                prop_assert!(u.scores[i].points >= Decimal::ZERO && u.scores[i].points <= c.max, "{} {}", c.id, u.scores[i].points);
            }
            prop_assert!(u.total_exact.unwrap() <= fw.max);
        }
    }
}

#[test]
fn a_total_exactly_at_a_threshold_gets_that_level() {
    let fw = district();
    // 24 + 9 + 7 + 38 + 10 + 4.05 + 1 = 93.05 → Mức III (≥, not >).
    let values: Vec<Decimal> = ["24", "9", "7", "38", "10", "4.05", "1"].iter().map(|s| s.parse().unwrap()).collect();
    let r = score(&fw, &period(&fw, &[values]));
    assert_eq!(r.units[0].total, Some("93.05".parse().unwrap()));
    assert_eq!(r.units[0].level.as_deref(), Some("Mức III"));
}

#[test]
fn ties_are_judged_on_rounded_totals_unless_the_framework_says_exact() {
    let d = |id, max| leaf(id, max, Rule::Direct, NotApplicable::Forbidden);
    let make = |ties| {
        let mut s = spec(vec![d("a", 10), d("b", 10)], 1, &[]);
        s.ties = ties;
        Framework::new(s).unwrap()
    };
    // 10.04 and 10.01 both print as 10.0.
    let rows = vec![
        vec!["5.02".parse().unwrap(), "5.02".parse().unwrap()],
        vec!["5".parse().unwrap(), "5.01".parse().unwrap()],
    ];
    let fw = make(TieBasis::Rounded);
    let ranks: Vec<_> = score(&fw, &period(&fw, &rows)).units.iter().map(|u| u.rank).collect();
    assert_eq!(ranks, [Some(1), Some(1)]);
    let fw = make(TieBasis::Exact);
    let r = score(&fw, &period(&fw, &rows));
    let ranks: Vec<_> = r.units.iter().map(|u| (u.name.as_str(), u.rank)).collect();
    assert_eq!(ranks, [("Đơn vị 000", Some(1)), ("Đơn vị 001", Some(2))]);
}

#[test]
fn invalid_frameworks_are_refused_with_every_problem() {
    let d = |id, max| leaf(id, max, Rule::Direct, NotApplicable::Forbidden);
    let mut g = group("g", vec![d("a", 5), d("a", 3)]);
    g.max = Decimal::from(9);
    let mut s = spec(vec![g], 1, &[("I", Decimal::from(5)), ("II", Decimal::from(6))]);
    s.max = Decimal::from(9);
    let errors = Framework::new(s).unwrap_err();
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert!(text.contains(&"criterion id \"a\" is used twice".to_string()), "{text:?}");
    assert!(
        text.contains(&"criterion g: maximum 9 differs from the sum of its children's maxima 8".to_string()),
        "{text:?}"
    );
    assert!(text.contains(&"level \"II\": minimum 6 is not below the previous level's 5".to_string()), "{text:?}");
}

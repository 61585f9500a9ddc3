//! Index methods on small cases computed by hand: weighted sums and means, geometric
//! means, normalisations across units (min-max, z-score, ratio to a target or to the
//! best), the 0–1 index, and their edge cases (all units equal, a single unit, zero
//! weights, missing values under the declared not-applicable policy).

use chiso_domain::engine::{Results, Status, score};
use chiso_domain::framework::{
    Aggregation, Better, CriterionMethods, CriterionSpec, Framework, FrameworkError, FrameworkSpec, Index, LevelSpec,
    Method, MethodsSpec, Normalisation, NotApplicable, Rule, TieBasis,
};
use chiso_domain::number::{RoundingMode, RoundingScope};
use chiso_domain::period::{Answer, AnswerError, Period, PeriodUnit, Submission};
use chiso_domain::{Decimal, UnitId};
use rust_decimal_macros::dec;

fn leaf(id: &str, max: Decimal, rule: Rule, na: NotApplicable) -> CriterionSpec {
    CriterionSpec {
        id: id.into(),
        name: id.into(),
        short_name: None,
        aliases: vec![],
        max,
        not_applicable: na,
        rule: Some(rule),
        children: vec![],
    }
}

fn direct(id: &str, max: Decimal) -> CriterionSpec {
    leaf(id, max, Rule::Direct, NotApplicable::Excluded)
}

fn indicator(id: &str, max: Decimal) -> CriterionSpec {
    leaf(id, max, Rule::Indicator, NotApplicable::Excluded)
}

fn group(id: &str, max: Decimal, children: Vec<CriterionSpec>) -> CriterionSpec {
    CriterionSpec { rule: None, children, ..direct(id, max) }
}

fn spec(max: Decimal, decimals: u32, criteria: Vec<CriterionSpec>) -> FrameworkSpec {
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
        levels: vec![LevelSpec { name: "L".into(), min: Decimal::ZERO }],
        criteria,
    }
}

fn opt(id: &str) -> CriterionMethods {
    CriterionMethods { id: id.into(), ..Default::default() }
}

fn weight(id: &str, w: Decimal) -> CriterionMethods {
    CriterionMethods { weight: Some(w), ..opt(id) }
}

fn aggregation(id: &str, a: Aggregation) -> CriterionMethods {
    CriterionMethods { aggregation: a, ..opt(id) }
}

fn norm(id: &str, method: Method, better: Better) -> CriterionMethods {
    CriterionMethods { normalise: Some(Normalisation { method, better, target: None }), ..opt(id) }
}

fn methods(criteria: Vec<CriterionMethods>) -> MethodsSpec {
    MethodsSpec { criteria, ..Default::default() }
}

fn build(spec: FrameworkSpec, methods: MethodsSpec) -> Framework {
    Framework::with_methods(spec, methods).unwrap_or_else(|e| panic!("{e:?}"))
}

fn errors(spec: FrameworkSpec, methods: MethodsSpec) -> Vec<FrameworkError> {
    Framework::with_methods(spec, methods).unwrap_err()
}

/// A value per leaf (framework order) per unit: a number (points for direct, figure for
/// an indicator), `None` for "not applicable".
fn run(fw: &Framework, units: &[&[Option<Decimal>]]) -> Results {
    let leaves: Vec<(usize, Rule)> = fw.leaves().map(|(i, c)| (i, c.rule.clone().unwrap())).collect();
    let units = units
        .iter()
        .enumerate()
        .map(|(u, values)| {
            let mut sub = Submission::new(fw);
            for ((i, rule), v) in leaves.iter().zip(values.iter()) {
                let answer = match (v, rule) {
                    (None, _) => Answer::NotApplicable,
                    (Some(v), Rule::Direct) => Answer::Points(*v),
                    (Some(v), _) => Answer::Figure(*v),
                };
                sub.set(fw, *i, answer).unwrap_or_else(|e| panic!("unit {u}, criterion {i}: {e}"));
            }
            PeriodUnit { unit: UnitId(format!("u{u}")), name: format!("Unit {u}"), group: None, submission: Some(sub) }
        })
        .collect();
    score(
        fw,
        &Period { year: 2020, kind: "unit".into(), framework: "t".into(), units, published: None, illustrative: false },
    )
}

/// The exact points of criterion `id` (or the exact total, for `""`) per unit, in input order.
fn points(fw: &Framework, r: &Results, id: &str) -> Vec<Option<Decimal>> {
    let mut units: Vec<_> = r.units.iter().collect();
    units.sort_by_key(|u| u.unit.0[1..].parse::<usize>().unwrap());
    units
        .iter()
        .map(|u| match id {
            "" => u.total_exact,
            _ => {
                let s = u.scores[fw.index_of(id).unwrap()];
                s.applicable.then_some(s.points)
            }
        })
        .collect()
}

fn some(v: &[Decimal]) -> Vec<Option<Decimal>> {
    v.iter().copied().map(Some).collect()
}

// ---------------------------------------------------------------- aggregation

#[test]
fn weighted_sum_multiplies_points_by_weights_and_a_zero_weight_child_counts_for_nothing() {
    // g (max 10) = 1 × a (max 5) + 2 × b (max 2.5) + 0 × c (max 3)
    let s = spec(
        dec!(10),
        2,
        vec![group("g", dec!(10), vec![direct("a", dec!(5)), direct("b", dec!(2.5)), direct("c", dec!(3))])],
    );
    let m = methods(vec![
        aggregation("g", Aggregation::WeightedSum),
        weight("a", dec!(1)),
        weight("b", dec!(2)),
        weight("c", dec!(0)),
    ]);
    let fw = build(s, m);
    let r = run(
        &fw,
        &[
            &[Some(dec!(4)), Some(dec!(2)), Some(dec!(3))],
            &[Some(dec!(5)), Some(dec!(2.5)), Some(dec!(0))],
            // a not applicable (excluded): 2 × 2 = 4 of the applicable 5, scaled to 10 → 8.
            &[None, Some(dec!(2)), Some(dec!(1))],
        ],
    );
    assert_eq!(points(&fw, &r, "g"), some(&[dec!(8), dec!(10), dec!(8)]));
    assert_eq!(points(&fw, &r, ""), some(&[dec!(8), dec!(10), dec!(8)]));
}

#[test]
fn weighted_mean_divides_by_the_weights_of_the_applicable_children() {
    // g (max 1) = (1 × a + 1 × b + 2 × c) ÷ 4; a zero-weight child d is ignored.
    let s = spec(
        dec!(1),
        4,
        vec![group(
            "g",
            dec!(1),
            vec![
                direct("a", dec!(1)),
                direct("b", dec!(1)),
                leaf("c", dec!(1), Rule::Direct, NotApplicable::Zero),
                direct("d", dec!(1)),
            ],
        )],
    );
    let m = methods(vec![
        aggregation("g", Aggregation::WeightedMean),
        weight("a", dec!(1)),
        weight("b", dec!(1)),
        weight("c", dec!(2)),
        weight("d", dec!(0)),
    ]);
    let fw = build(s, m);
    let r = run(
        &fw,
        &[
            &[Some(dec!(0.2)), Some(dec!(0.4)), Some(dec!(0.7)), Some(dec!(1))],
            // a missing, declared excluded: (0.4 + 2 × 0.7) ÷ 3 = 0.6
            &[None, Some(dec!(0.4)), Some(dec!(0.7)), Some(dec!(0))],
            // c missing, declared zero: (0.2 + 0.4 + 0) ÷ 4 = 0.15
            &[Some(dec!(0.2)), Some(dec!(0.4)), None, Some(dec!(0.9))],
        ],
    );
    assert_eq!(points(&fw, &r, "g"), some(&[dec!(0.5), dec!(0.6), dec!(0.15)]));
}

#[test]
fn equal_weights_by_default_and_the_total_can_be_a_mean() {
    // The EGDI shape: total = mean of three components on 0..1, 4 decimals.
    let s = spec(dec!(1), 4, vec![direct("osi", dec!(1)), direct("hci", dec!(1)), direct("tii", dec!(1))]);
    let fw = build(s, MethodsSpec { aggregation: Aggregation::WeightedMean, ..Default::default() });
    let r = run(&fw, &[&[Some(dec!(0.3194)), Some(dec!(0.5094)), Some(dec!(0.184))]]);
    // (0.3194 + 0.5094 + 0.184) ÷ 3 = 0.3376 exactly (Iraq 2018).
    assert_eq!(points(&fw, &r, ""), some(&[dec!(0.3376)]));
    assert_eq!(r.units[0].total, Some(dec!(0.3376)));
}

#[test]
fn geometric_mean_with_weights_zero_weights_and_zero_points() {
    // g (max 16) = a^(1/4) × b^(3/4); c has weight 0.
    let s = spec(
        dec!(16),
        4,
        vec![group("g", dec!(16), vec![direct("a", dec!(16)), direct("b", dec!(16)), direct("c", dec!(16))])],
    );
    let m = methods(vec![
        aggregation("g", Aggregation::GeometricMean),
        weight("a", dec!(1)),
        weight("b", dec!(3)),
        weight("c", dec!(0)),
    ]);
    let fw = build(s, m);
    let r = run(
        &fw,
        &[
            &[Some(dec!(16)), Some(dec!(1)), Some(dec!(0))],
            &[Some(dec!(2)), Some(dec!(2)), Some(dec!(5))],
            &[Some(dec!(0)), Some(dec!(9)), Some(dec!(9))],
            // b excluded: only a remains.
            &[Some(dec!(7)), None, Some(dec!(9))],
        ],
    );
    assert_eq!(points(&fw, &r, "g"), some(&[dec!(2), dec!(2), dec!(0), dec!(7)]));
}

#[test]
fn geometric_mean_of_irrational_results_is_close_to_twenty_decimals() {
    let s = spec(dec!(10), 4, vec![direct("a", dec!(10)), direct("b", dec!(10))]);
    let fw = build(s, MethodsSpec { aggregation: Aggregation::GeometricMean, ..Default::default() });
    let r = run(&fw, &[&[Some(dec!(2)), Some(dec!(3))]]);
    // √6 = 2.449489742783178098197284074705…
    let g = points(&fw, &r, "")[0].unwrap();
    assert!((g - dec!(2.4494897427831780981972840747)).abs() <= dec!(0.00000000000000000001), "{g}");
    assert_eq!(r.units[0].total, Some(dec!(2.4495)));
}

#[test]
fn a_group_whose_children_are_all_excluded_is_excluded_from_a_mean() {
    let s = spec(dec!(1), 2, vec![group("g", dec!(1), vec![direct("a", dec!(1))]), direct("b", dec!(1))]);
    let fw = build(s, MethodsSpec { aggregation: Aggregation::WeightedMean, ..Default::default() });
    let r = run(&fw, &[&[None, Some(dec!(0.4))]]);
    assert_eq!(points(&fw, &r, "g"), [None]);
    assert_eq!(points(&fw, &r, ""), some(&[dec!(0.4)]));
}

// ---------------------------------------------------------------- normalisation

fn one_indicator(max: Decimal, n: Normalisation) -> Framework {
    let s = spec(max, 4, vec![indicator("x", max)]);
    build(s, methods(vec![CriterionMethods { normalise: Some(n), ..opt("x") }]))
}

fn normalisation(method: Method, better: Better) -> Normalisation {
    Normalisation { method, better, target: None }
}

fn figures(fw: &Framework, values: &[Decimal]) -> Vec<Option<Decimal>> {
    let units: Vec<[Option<Decimal>; 1]> = values.iter().map(|v| [Some(*v)]).collect();
    let refs: Vec<&[Option<Decimal>]> = units.iter().map(|u| u.as_slice()).collect();
    points(fw, &run(fw, &refs), "x")
}

#[test]
fn min_max_on_0_1_and_0_100_both_directions() {
    let up = one_indicator(dec!(1), normalisation(Method::MinMax, Better::Higher));
    assert_eq!(figures(&up, &[dec!(10), dec!(25), dec!(40)]), some(&[dec!(0), dec!(0.5), dec!(1)]));
    let hundred = one_indicator(dec!(100), normalisation(Method::MinMax, Better::Higher));
    assert_eq!(figures(&hundred, &[dec!(10), dec!(25), dec!(40)]), some(&[dec!(0), dec!(50), dec!(100)]));
    // Lower is better (e.g. days to process a file): the lowest gets the max.
    let down = one_indicator(dec!(100), normalisation(Method::MinMax, Better::Lower));
    assert_eq!(figures(&down, &[dec!(10), dec!(25), dec!(40)]), some(&[dec!(100), dec!(50), dec!(0)]));
    // Negative raw values are fine where only differences count.
    assert_eq!(figures(&up, &[dec!(-2), dec!(0), dec!(2)]), some(&[dec!(0), dec!(0.5), dec!(1)]));
}

#[test]
fn min_max_when_all_units_are_equal_or_alone_gives_everyone_the_max() {
    let up = one_indicator(dec!(10), normalisation(Method::MinMax, Better::Higher));
    assert_eq!(figures(&up, &[dec!(7), dec!(7), dec!(7)]), some(&[dec!(10), dec!(10), dec!(10)]));
    assert_eq!(figures(&up, &[dec!(3)]), some(&[dec!(10)]));
}

#[test]
fn ratio_to_target_caps_at_the_target() {
    let mut n = normalisation(Method::RatioToTarget, Better::Higher);
    n.target = Some(dec!(80));
    let fw = one_indicator(dec!(10), n);
    assert_eq!(figures(&fw, &[dec!(40), dec!(80), dec!(100), dec!(0)]), some(&[dec!(5), dec!(10), dec!(10), dec!(0)]));
    // Lower is better: at or under the target → max, else target ÷ value.
    n.better = Better::Lower;
    n.target = Some(dec!(2));
    let fw = one_indicator(dec!(10), n);
    assert_eq!(figures(&fw, &[dec!(1), dec!(2), dec!(4), dec!(0)]), some(&[dec!(10), dec!(10), dec!(5), dec!(10)]));
}

#[test]
fn ratio_to_best_both_directions_and_all_zero() {
    let up = one_indicator(dec!(1), normalisation(Method::RatioToBest, Better::Higher));
    assert_eq!(figures(&up, &[dec!(20), dec!(50), dec!(40)]), some(&[dec!(0.4), dec!(1), dec!(0.8)]));
    assert_eq!(figures(&up, &[dec!(0), dec!(0)]), some(&[dec!(0), dec!(0)]));
    assert_eq!(figures(&up, &[dec!(6)]), some(&[dec!(1)]));
    let down = one_indicator(dec!(1), normalisation(Method::RatioToBest, Better::Lower));
    assert_eq!(figures(&down, &[dec!(2), dec!(4), dec!(8)]), some(&[dec!(1), dec!(0.5), dec!(0.25)]));
    assert_eq!(figures(&down, &[dec!(0), dec!(4)]), some(&[dec!(1), dec!(0)]));
}

/// The UN's telecommunication index shape: z-scores of each indicator, their mean,
/// then min-max of the mean across units.
fn tii(better_y: Better) -> Framework {
    let s = spec(dec!(1), 4, vec![group("tii", dec!(1), vec![indicator("x", dec!(1)), indicator("y", dec!(1))])]);
    let m = methods(vec![
        CriterionMethods {
            aggregation: Aggregation::WeightedMean,
            normalise: Some(normalisation(Method::MinMax, Better::Higher)),
            ..opt("tii")
        },
        norm("x", Method::ZScore, Better::Higher),
        norm("y", Method::ZScore, better_y),
    ]);
    build(s, m)
}

#[test]
fn z_scores_then_mean_then_min_max() {
    let fw = tii(Better::Higher);
    let units: [&[Option<Decimal>]; 4] = [
        &[Some(dec!(1)), Some(dec!(0))],
        &[Some(dec!(1)), Some(dec!(4))],
        &[Some(dec!(3)), Some(dec!(0))],
        &[Some(dec!(3)), Some(dec!(4))],
    ];
    let r = run(&fw, &units);
    // x: mean 2, population sd 1 → z = −1, −1, 1, 1; y: mean 2, sd 2 → z = −1, 1, −1, 1.
    assert_eq!(points(&fw, &r, "x"), some(&[dec!(-1), dec!(-1), dec!(1), dec!(1)]));
    assert_eq!(points(&fw, &r, "y"), some(&[dec!(-1), dec!(1), dec!(-1), dec!(1)]));
    // Means −1, 0, 0, 1 → min-max 0, 0.5, 0.5, 1.
    assert_eq!(points(&fw, &r, "tii"), some(&[dec!(0), dec!(0.5), dec!(0.5), dec!(1)]));

    // y lower-is-better: z_y = 1, −1, 1, −1; means 0, −1, 1, 0 → 0.5, 0, 1, 0.5.
    let fw = tii(Better::Lower);
    let r = run(&fw, &units);
    assert_eq!(points(&fw, &r, "tii"), some(&[dec!(0.5), dec!(0), dec!(1), dec!(0.5)]));
}

#[test]
fn z_scores_of_equal_units_are_zero_and_a_single_unit_gets_the_max() {
    let fw = tii(Better::Higher);
    let r = run(&fw, &[&[Some(dec!(5)), Some(dec!(2))], &[Some(dec!(5)), Some(dec!(2))]]);
    assert_eq!(points(&fw, &r, "x"), some(&[dec!(0), dec!(0)]));
    assert_eq!(points(&fw, &r, "tii"), some(&[dec!(1), dec!(1)]));
    let r = run(&fw, &[&[Some(dec!(5)), Some(dec!(2))]]);
    assert_eq!(points(&fw, &r, "tii"), some(&[dec!(1)]));
}

#[test]
fn missing_values_are_left_out_of_the_statistics_and_get_the_declared_policy() {
    // a: excluded when missing (its parent's mean uses b alone); b: zero when missing.
    let s = spec(dec!(1), 4, vec![indicator("a", dec!(1)), leaf("b", dec!(1), Rule::Indicator, NotApplicable::Zero)]);
    let m = MethodsSpec {
        aggregation: Aggregation::WeightedMean,
        criteria: vec![norm("a", Method::MinMax, Better::Higher), norm("b", Method::MinMax, Better::Higher)],
        ..Default::default()
    };
    let fw = build(s, m);
    let r = run(
        &fw,
        &[
            &[Some(dec!(10)), Some(dec!(100))],
            &[Some(dec!(30)), None],
            // A missing figure would otherwise be the lowest (0) and shift everyone's scores.
            &[None, Some(dec!(300))],
            &[Some(dec!(20)), Some(dec!(200))],
        ],
    );
    assert_eq!(points(&fw, &r, "a"), [Some(dec!(0)), Some(dec!(1)), None, Some(dec!(0.5))]);
    assert_eq!(points(&fw, &r, "b"), some(&[dec!(0), dec!(0), dec!(1), dec!(0.5)]));
    assert_eq!(points(&fw, &r, ""), some(&[dec!(0), dec!(0.5), dec!(1), dec!(0.5)]));
}

#[test]
fn a_group_can_be_normalised_too() {
    // g sums two direct criteria, then min-max across units.
    let s = spec(dec!(10), 2, vec![group("g", dec!(10), vec![direct("a", dec!(5)), direct("b", dec!(5))])]);
    let fw = build(s, methods(vec![norm("g", Method::MinMax, Better::Higher)]));
    let r =
        run(&fw, &[&[Some(dec!(1)), Some(dec!(1))], &[Some(dec!(3)), Some(dec!(3))], &[Some(dec!(5)), Some(dec!(2))]]);
    assert_eq!(points(&fw, &r, "g"), some(&[dec!(0), dec!(8), dec!(10)]));
}

#[test]
fn indicator_figures_for_ratios_must_not_be_negative() {
    let mut n = normalisation(Method::RatioToTarget, Better::Higher);
    n.target = Some(dec!(1));
    let fw = one_indicator(dec!(1), n);
    let mut sub = Submission::new(&fw);
    assert_eq!(sub.set(&fw, 0, Answer::Figure(dec!(-1))), Err(AnswerError::Negative { value: dec!(-1) }));
    assert_eq!(sub.set(&fw, 0, Answer::Points(dec!(1))), Err(AnswerError::WrongShape { rule: "indicator" }));
}

// ---------------------------------------------------------------- index

/// A 1,000-point tree presented as a 0–1 index with 4 decimals, points with 2.
fn thousand(ties: TieBasis) -> Framework {
    let mut s = spec(
        dec!(1000),
        2,
        vec![
            group("a", dec!(600), vec![direct("a1", dec!(600))]),
            group("b", dec!(400), vec![direct("b1", dec!(400))]),
        ],
    );
    s.ties = ties;
    s.levels = vec![LevelSpec { name: "High".into(), min: dec!(0.8) }, LevelSpec { name: "Low".into(), min: dec!(0) }];
    build(s, MethodsSpec { index: Some(Index { decimals: 4 }), ..Default::default() })
}

#[test]
fn an_index_is_total_over_max_with_its_own_decimals_and_levels_and_ties_apply_to_it() {
    let fw = thousand(TieBasis::Rounded);
    assert_eq!((fw.total_max(), fw.total_rounding().decimals, fw.rounding.decimals), (dec!(1), 4, 2));
    let r = run(
        &fw,
        &[
            &[Some(dec!(500.35)), Some(dec!(312))],  // 812.35 → 0.81235 → 0.8124
            &[Some(dec!(512.4)), Some(dec!(300))],   // 812.40 → 0.8124
            &[Some(dec!(400)), Some(dec!(399.99))],  // 799.99 → 0.79999 → 0.8000: "High" as presented
            &[Some(dec!(400)), Some(dec!(399.949))], // 799.949 → 0.7999 → "Low"
        ],
    );
    assert_eq!(points(&fw, &r, ""), some(&[dec!(0.81235), dec!(0.8124), dec!(0.79999), dec!(0.799949)]));
    let get = |id: &str| r.units.iter().find(|u| u.unit.0 == id).unwrap();
    assert_eq!(get("u0").total, Some(dec!(0.8124)));
    assert_eq!(fw.total_rounding().format_plain(get("u2").total.unwrap()), "0.8000");
    assert_eq!([get("u0").rank, get("u1").rank, get("u2").rank, get("u3").rank], [Some(1), Some(1), Some(3), Some(4)]);
    assert_eq!(get("u2").level.as_deref(), Some("High"));
    assert_eq!(get("u3").level.as_deref(), Some("Low"));
    assert!(r.units.iter().all(|u| u.status == Status::Ranked));

    let fw = thousand(TieBasis::Exact);
    let r = run(&fw, &[&[Some(dec!(500.35)), Some(dec!(312))], &[Some(dec!(512.4)), Some(dec!(300))]]);
    let ranks: Vec<_> = ["u0", "u1"].iter().map(|id| r.units.iter().find(|u| u.unit.0 == *id).unwrap().rank).collect();
    assert_eq!(ranks, [Some(2), Some(1)]);
}

#[test]
fn with_an_index_levels_are_on_the_0_1_scale() {
    let mut s = spec(dec!(100), 2, vec![direct("a", dec!(100))]);
    s.levels = vec![LevelSpec { name: "I".into(), min: dec!(80) }];
    let e = errors(s, MethodsSpec { index: Some(Index { decimals: 11 }), ..Default::default() });
    assert_eq!(
        e,
        [
            FrameworkError::TooManyDecimals(11),
            FrameworkError::LevelOutOfRange { name: "I".into(), min: dec!(80), max: dec!(1) }
        ]
    );
}

// ---------------------------------------------------------------- validation

#[test]
fn weights_are_checked_all_at_once() {
    let s = spec(
        dec!(10),
        2,
        vec![
            group("g", dec!(10), vec![direct("a", dec!(5)), direct("b", dec!(5))]),
            group("h", dec!(1), vec![direct("c", dec!(1)), direct("d", dec!(2))]),
            group("k", dec!(1), vec![direct("e", dec!(1))]),
        ],
    );
    let m = MethodsSpec {
        weights_sum: Some(dec!(1)),
        criteria: vec![
            // weighted sum: b has no weight (the max is judged once all weights are there)
            CriterionMethods { aggregation: Aggregation::WeightedSum, weights_sum: Some(dec!(2)), ..opt("g") },
            weight("a", dec!(2)),
            // weighted mean: c's weight is negative, the weights add up to 0, d is on another scale
            CriterionMethods { aggregation: Aggregation::WeightedMean, ..opt("h") },
            weight("c", dec!(-1)),
            weight("d", dec!(1)),
            // k sums: a weight there counts for nothing; and e is a leaf, with nothing to aggregate
            CriterionMethods { weight: Some(dec!(1)), aggregation: Aggregation::GeometricMean, ..opt("e") },
        ],
        ..Default::default()
    };
    // Every problem at once, children before their group, the total last.
    assert_eq!(
        errors(s, m),
        [
            FrameworkError::MissingWeight { criterion: "b".into() },
            FrameworkError::NegativeWeight { criterion: "c".into(), weight: dec!(-1) },
            FrameworkError::ZeroWeights { group: Some("h".into()) },
            FrameworkError::MeanScaleMismatch {
                group: Some("h".into()),
                aggregation: "weighted-mean",
                max: dec!(1),
                child: "d".into(),
                child_max: dec!(2)
            },
            FrameworkError::AggregationOnLeaf { criterion: "e".into() },
            FrameworkError::WeightNotUsed { criterion: "e".into() },
            FrameworkError::TotalMaxMismatch { max: dec!(10), sum: dec!(12) },
            FrameworkError::WeightsSumMismatch { group: None, declared: dec!(1), sum: dec!(0) },
        ]
    );
}

#[test]
fn each_weight_problem_is_named() {
    use FrameworkError as E;
    let two = |agg: Aggregation, ws: Vec<CriterionMethods>, maxes: [Decimal; 3]| {
        let s = spec(maxes[0], 2, vec![group("g", maxes[0], vec![direct("a", maxes[1]), direct("b", maxes[2])])]);
        let mut criteria = vec![CriterionMethods { aggregation: agg, ..opt("g") }];
        criteria.extend(ws);
        Framework::with_methods(s, methods(criteria)).err().unwrap_or_default()
    };
    let (one, two_) = (dec!(1), dec!(2));
    assert_eq!(
        two(Aggregation::Sum, vec![weight("a", one)], [two_, one, one]),
        [E::WeightNotUsed { criterion: "a".into() }]
    );
    assert_eq!(
        two(Aggregation::WeightedSum, vec![weight("a", one)], [two_, one, one]),
        [E::MissingWeight { criterion: "b".into() }]
    );
    assert_eq!(
        two(Aggregation::WeightedSum, vec![weight("a", one), weight("b", two_)], [two_, one, one]),
        [E::WeightedMaxMismatch { group: Some("g".into()), max: two_, sum: dec!(3) }]
    );
    assert_eq!(
        two(Aggregation::WeightedMean, vec![weight("a", dec!(-1)), weight("b", two_)], [one, one, one]),
        [E::NegativeWeight { criterion: "a".into(), weight: dec!(-1) }]
    );
    assert_eq!(
        two(Aggregation::WeightedMean, vec![weight("a", dec!(0)), weight("b", dec!(0))], [one, one, one]),
        [E::ZeroWeights { group: Some("g".into()) }]
    );
    assert_eq!(
        two(Aggregation::GeometricMean, vec![], [one, one, two_]),
        [E::MeanScaleMismatch {
            group: Some("g".into()),
            aggregation: "geometric-mean",
            max: one,
            child: "b".into(),
            child_max: two_
        }]
    );
    // Weights summing as declared: 0.6 + 0.3 ≠ 1.
    let s = spec(dec!(1), 2, vec![direct("a", dec!(1)), direct("b", dec!(1))]);
    let m = MethodsSpec {
        aggregation: Aggregation::WeightedMean,
        weights_sum: Some(one),
        criteria: vec![weight("a", dec!(0.6)), weight("b", dec!(0.3))],
        ..Default::default()
    };
    assert_eq!(errors(s, m), [E::WeightsSumMismatch { group: None, declared: one, sum: dec!(0.9) }]);
    // … and 0.6 + 0.4 = 1 passes.
    let s = spec(dec!(1), 2, vec![direct("a", dec!(1)), direct("b", dec!(1))]);
    let m = MethodsSpec {
        aggregation: Aggregation::WeightedMean,
        weights_sum: Some(one),
        criteria: vec![weight("a", dec!(0.6)), weight("b", dec!(0.4))],
        ..Default::default()
    };
    let fw = build(s, m);
    let r = run(&fw, &[&[Some(dec!(0.5)), Some(dec!(1))]]);
    assert_eq!(points(&fw, &r, ""), some(&[dec!(0.7)]));
}

#[test]
fn normalisation_problems_are_named() {
    use FrameworkError as E;
    // An indicator needs a normalisation; ratio-to-target needs a target > 0; only it takes one.
    let s = spec(dec!(3), 2, vec![indicator("a", dec!(1)), indicator("b", dec!(1)), indicator("c", dec!(1))]);
    let mut with_target = norm("c", Method::MinMax, Better::Higher);
    with_target.normalise.as_mut().unwrap().target = Some(dec!(5));
    let m = methods(vec![norm("b", Method::RatioToTarget, Better::Higher), with_target, opt("nope")]);
    assert_eq!(
        errors(s, m),
        [
            E::IndicatorWithoutNormalisation { criterion: "a".into() },
            E::BadTarget { criterion: "b".into() },
            E::UnusedTarget { criterion: "c".into() },
            E::UnknownCriterion("nope".into()),
        ]
    );
    // z-scores must be rescaled by min-max above them, not reach the total, nor a geometric mean.
    let s = spec(dec!(2), 2, vec![indicator("z", dec!(1)), group("g", dec!(1), vec![indicator("y", dec!(1))])]);
    let m = methods(vec![
        norm("z", Method::ZScore, Better::Higher),
        aggregation("g", Aggregation::GeometricMean),
        norm("y", Method::ZScore, Better::Higher),
    ]);
    assert_eq!(
        errors(s, m),
        [
            E::UnboundedNotRescaled { criterion: "z".into() },
            E::UnboundedNotRescaled { criterion: "g".into() },
            E::UnboundedNotRescaled { criterion: "y".into() },
        ]
    );
}

#[test]
fn a_point_sum_framework_is_unchanged_by_the_methods() {
    // Framework::new is with_methods with no methods: sums, no index, totals as before.
    let s = spec(dec!(10), 1, vec![group("g", dec!(10), vec![direct("a", dec!(6)), direct("b", dec!(4))])]);
    let fw = Framework::new(s.clone()).unwrap();
    assert_eq!(fw, build(s, MethodsSpec::default()));
    assert_eq!((fw.aggregation, fw.index, fw.total_max()), (Aggregation::Sum, None, dec!(10)));
    let r = run(&fw, &[&[Some(dec!(4.25)), None]]);
    // b excluded: 4.25 of 6, scaled to 10.
    assert_eq!(points(&fw, &r, ""), some(&[dec!(4.25) * dec!(10) / dec!(6)]));
    assert_eq!(r.units[0].total, Some(dec!(7.1)));
}

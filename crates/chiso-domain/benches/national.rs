//! National-scale benchmark: score, level, rank and compare two synthetic periods of
//! 4,500 units × 120 leaf criteria (6 groups × 20 direct leaves, max 1 each).
//!
//! `bench/national.py` does the same computation in pandas and `bench/run` prints the
//! ratio; see docs/BENCHMARKS.md. The data generator below must stay identical to the
//! one in `bench/national.py`.
//!
//! Before timing, one untimed run writes the 2024 results and comparison to
//! `$CHISO_BENCH_OUT/rust_national.csv` (default `bench/out/`), which the pandas script
//! checks its own results against.
//!
//! `CHISO_BENCH_PROFILE=n` runs n more times instead of Criterion's loop, for a profiler.

use chiso_domain::engine::{Results, score};
use chiso_domain::framework::{CriterionSpec, Framework, FrameworkSpec, LevelSpec, NotApplicable, Rule, TieBasis};
use chiso_domain::number::{RoundingMode, RoundingScope};
use chiso_domain::period::{Answer, Period, PeriodUnit, Submission};
use chiso_domain::unit::{Registry, Unit, UnitId};
use chiso_domain::{Comparison, Decimal, compare};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

const UNITS: u64 = 4_500;
const GROUPS: u64 = 6;
const LEAVES_PER_GROUP: u64 = 20;
const PREVIOUS: i32 = 2023;
const CURRENT: i32 = 2024;
/// Level minima in cents (≥), highest first.
const LEVELS: [(&str, i64); 4] = [("Mức I", 8500), ("Mức II", 7250), ("Mức III", 6005), ("Mức IV", 4770)];

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn key(year: u64, unit: u64, slot: u64) -> u64 {
    (year << 40) | (unit << 12) | slot
}

/// Points of leaf `leaf` (0..120, group-major) for unit `unit` (1..=4500) in `year`,
/// in hundredths, 0..=100: a unit capacity 40..=100 (mostly kept from year to year)
/// minus per-leaf noise 0..=40.
fn leaf_cents(year: i32, unit: u64, leaf: u64) -> u64 {
    let capacity = 40 + splitmix64(key(0, unit, 0xFFF)) % 51 + splitmix64(key(year as u64, unit, 0xFFF)) % 11;
    capacity - splitmix64(key(year as u64, unit, leaf)) % 41
}

fn unit_id(unit: u64) -> String {
    format!("DV{unit:04}")
}

fn unit_name(unit: u64) -> String {
    format!("Đơn vị {unit:04}")
}

fn framework() -> Framework {
    let criterion = |id: String, name: String, max: u64, rule: Option<Rule>, children| CriterionSpec {
        id,
        name,
        short_name: None,
        aliases: vec![],
        max: Decimal::from(max),
        not_applicable: NotApplicable::Forbidden,
        rule,
        children,
    };
    let groups = (1..=GROUPS)
        .map(|g| {
            let leaves = (1..=LEAVES_PER_GROUP)
                .map(|k| criterion(format!("N{g}_{k:02}"), format!("Tiêu chí {g}.{k}"), 1, Some(Rule::Direct), vec![]))
                .collect();
            criterion(format!("N{g}"), format!("Nhóm {g}"), LEAVES_PER_GROUP, None, leaves)
        })
        .collect();
    Framework::new(FrameworkSpec {
        id: "national-bench".into(),
        name: "Synthetic national framework".into(),
        legal_basis: "benchmark".into(),
        unit_kind: "commune".into(),
        years: (PREVIOUS, None),
        max: Decimal::from(GROUPS * LEAVES_PER_GROUP),
        decimals: 2,
        percent_decimals: None,
        rounding_mode: RoundingMode::HalfUp,
        rounding_scope: RoundingScope::Total,
        ties: TieBasis::Rounded,
        groups: vec![],
        levels: LEVELS
            .iter()
            .map(|(name, cents)| LevelSpec { name: name.to_string(), min: Decimal::new(*cents, 2) })
            .collect(),
        criteria: groups,
    })
    .expect("the synthetic framework is valid")
}

fn period(fw: &Framework, year: i32) -> Period {
    let leaves: Vec<usize> = fw.leaves().map(|(i, _)| i).collect();
    assert_eq!(leaves.len() as u64, GROUPS * LEAVES_PER_GROUP);
    let units = (1..=UNITS)
        .map(|u| {
            let mut sub = Submission::new(fw);
            for (k, &i) in leaves.iter().enumerate() {
                let points = Decimal::new(leaf_cents(year, u, k as u64) as i64, 2);
                sub.set(fw, i, Answer::Points(points)).expect("points within 0..=1");
            }
            PeriodUnit { unit: UnitId(unit_id(u)), name: unit_name(u), group: None, submission: Some(sub) }
        })
        .collect();
    Period { year, kind: "commune".into(), framework: fw.id.clone(), units, published: None, illustrative: false }
}

fn registry() -> Registry {
    let units = (1..=UNITS)
        .map(|u| Unit {
            id: UnitId(unit_id(u)),
            name: unit_name(u),
            kind: "commune".into(),
            aliases: vec![],
            from: None,
            until: None,
        })
        .collect();
    Registry::new(units, vec![]).expect("the synthetic registry is valid")
}

/// The timed work: both periods scored, levelled and ranked, then 2024 compared with 2023.
#[inline(never)]
fn run(
    fw: &Framework,
    previous: &Period,
    current: &Period,
    registry: &Registry,
) -> (Results, Results, Vec<Comparison>) {
    let then = score(fw, previous);
    let now = score(fw, current);
    let comparisons = compare(&now, fw, &then, fw, registry);
    (then, now, comparisons)
}

/// `CHISO_BENCH_PROFILE=n`: n more runs (results dropped, as Criterion drops them) and no
/// Criterion loop, for `valgrind --tool=callgrind --toggle-collect='*national::profiled*'`
/// (n = 1) or `perf stat` (CPU time and page faults of n runs, less those of n = 0).
#[inline(never)]
fn profiled(fw: &Framework, previous: &Period, current: &Period, registry: &Registry) {
    drop(black_box(run(black_box(fw), black_box(previous), black_box(current), black_box(registry))));
}

/// The 2024 table with its comparison, in table order, for `bench/national.py --check`.
fn export(fw: &Framework, now: &Results, comparisons: &[Comparison]) {
    let dir = std::env::var_os("CHISO_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/out")));
    std::fs::create_dir_all(&dir).expect("create the bench output directory");
    let dir = dir.canonicalize().unwrap_or(dir);
    let ids: Vec<&str> = fw.criteria.iter().map(|c| c.id.0.as_str()).collect();
    let mut csv = String::from("unit,name,total,level,rank,previous_rank,rank_change,total_change");
    for id in &ids {
        write!(csv, ",d_{id}").unwrap();
    }
    csv.push('\n');
    let opt = |v: Option<String>| v.unwrap_or_default();
    for (u, c) in now.units.iter().zip(comparisons) {
        assert_eq!(u.unit, c.unit);
        write!(
            csv,
            "{},{},{},{},{},{},{},{}",
            u.unit,
            u.name,
            opt(u.total.map(|t| t.to_string())),
            opt(u.level.clone()),
            opt(u.rank.map(|r| r.to_string())),
            opt(c.previous_rank.map(|r| r.to_string())),
            opt(c.rank_change.map(|r| r.to_string())),
            opt(c.total_change.map(|t| t.to_string())),
        )
        .unwrap();
        assert_eq!(c.deltas.len(), ids.len());
        for (k, d) in c.deltas.iter().enumerate() {
            assert_eq!(d.criterion, k);
            write!(csv, ",{}", d.change).unwrap();
        }
        csv.push('\n');
    }
    let path = dir.join("rust_national.csv");
    std::fs::write(&path, csv).expect("write the Rust results");
    eprintln!("national: wrote {}", path.display());
}

fn national(c: &mut Criterion) {
    let fw = framework();
    let (previous, current) = (period(&fw, PREVIOUS), period(&fw, CURRENT));
    let registry = registry();

    let (then, now, comparisons) = run(&fw, &previous, &current, &registry);
    assert_eq!(then.units.len() as u64, UNITS);
    assert_eq!(comparisons.len() as u64, UNITS);
    assert!(comparisons.iter().all(|c| c.previous_rank.is_some()));
    export(&fw, &now, &comparisons);
    if let Some(n) = std::env::var_os("CHISO_BENCH_PROFILE") {
        for _ in 0..n.to_str().and_then(|n| n.parse().ok()).unwrap_or(1) {
            profiled(&fw, &previous, &current, &registry);
        }
        return;
    }

    let mut g = c.benchmark_group("national");
    g.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(10));
    // The number bench/run compares with pandas.
    g.bench_function("score_level_rank_compare", |b| {
        b.iter(|| run(black_box(&fw), black_box(&previous), black_box(&current), black_box(&registry)))
    });
    // Breakdown.
    g.bench_function("score_one_period", |b| b.iter(|| score(black_box(&fw), black_box(&current))));
    g.bench_function("compare", |b| {
        b.iter(|| compare(black_box(&now), &fw, black_box(&then), &fw, black_box(&registry)))
    });
    g.finish();
}

criterion_group!(benches, national);
criterion_main!(benches);

//! Rank stability benchmark: 10,000 Monte-Carlo draws (group weights ±20 %, level minima
//! ± 2 % of the scale) over
//! - `seed_departments`: Cao Bằng's 20 departments in 2020 (data/cao-bang), and
//! - `national`: a synthetic period of 4,500 units × 6 groups (the group sums of the
//!   national benchmark's 120 leaves, `benches/national.rs`, same generator),
//!
//! on two threads. `bench/analysis.py` does the same draws in numpy and `bench/run-analysis`
//! prints the ratio; see docs/BENCHMARKS.md. Before timing, one untimed run of each writes
//! per-unit results to `$CHISO_BENCH_OUT/rust_analysis_<name>.csv` (default `bench/out/`),
//! which the numpy script checks its own against.

use chiso_domain::analysis::{Options, Stability, next_level, stability};
use chiso_domain::engine::{Results, score};
use chiso_domain::framework::{CriterionSpec, Framework, FrameworkSpec, LevelSpec, NotApplicable, Rule, TieBasis};
use chiso_domain::number::{RoundingMode, RoundingScope};
use chiso_domain::period::{Answer, Period, PeriodUnit, Submission};
use chiso_domain::{Decimal, UnitId};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

pub const DRAWS: u32 = 10_000;
pub const SEED: u64 = 2020;

fn criterion(id: &str, max: i64, rule: Option<Rule>, na: NotApplicable, children: Vec<CriterionSpec>) -> CriterionSpec {
    CriterionSpec {
        id: id.into(),
        name: id.into(),
        short_name: None,
        aliases: vec![],
        max: Decimal::from(max),
        not_applicable: na,
        rule,
        children,
    }
}

fn framework(id: &str, max: i64, decimals: u32, levels: &[(&str, Decimal)], criteria: Vec<CriterionSpec>) -> Framework {
    Framework::new(FrameworkSpec {
        id: id.into(),
        name: id.into(),
        legal_basis: "benchmark".into(),
        unit_kind: "unit".into(),
        years: (2000, None),
        max: Decimal::from(max),
        decimals,
        percent_decimals: None,
        rounding_mode: RoundingMode::HalfUp,
        rounding_scope: RoundingScope::Total,
        ties: TieBasis::Rounded,
        groups: vec![],
        levels: levels.iter().map(|(n, m)| LevelSpec { name: n.to_string(), min: *m }).collect(),
        criteria,
    })
    .expect("valid benchmark framework")
}

// --- Cao Bằng 2020, departments (data/cao-bang/frameworks/department.toml) -------------

const DEPARTMENT_GROUPS: [(&str, i64); 6] =
    [("infra", 8), ("app", 16), ("web", 20), ("online_services", 6), ("staff", 5), ("policy", 5)];

fn departments() -> (Framework, Period) {
    let fw = framework(
        "cao-bang-1513-department",
        60,
        1,
        &[
            ("Mức I", Decimal::from(54)),
            ("Mức II", Decimal::from(48)),
            ("Mức III", Decimal::from(42)),
            ("Mức IV", Decimal::from(36)),
        ],
        DEPARTMENT_GROUPS
            .iter()
            .map(|(id, max)| {
                let na = if *id == "online_services" { NotApplicable::FullPoints } else { NotApplicable::Forbidden };
                criterion(id, *max, Some(Rule::Direct), na, vec![])
            })
            .collect(),
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/cao-bang/periods/2020-department.csv");
    let text = std::fs::read_to_string(path).expect("data/cao-bang/periods/2020-department.csv");
    let units = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            // The unit's name may be quoted (it holds commas); the figures never are.
            let (name, rest) = match line.strip_prefix('"') {
                Some(q) => {
                    let end = q.find('"').expect("closing quote");
                    (&q[..end], &q[end + 2..])
                }
                None => line.split_once(',').expect("a name and figures"),
            };
            let mut sub = Submission::new(&fw);
            for (i, cell) in rest.split(',').enumerate() {
                let answer = if cell == "N/A" { Answer::NotApplicable } else { Answer::Points(cell.parse().unwrap()) };
                sub.set(&fw, i, answer).expect("valid seed figure");
            }
            PeriodUnit { unit: UnitId(name.into()), name: name.into(), group: None, submission: Some(sub) }
        })
        .collect::<Vec<_>>();
    assert_eq!(units.len(), 20);
    let period = Period {
        year: 2020,
        kind: "department".into(),
        framework: fw.id.clone(),
        units,
        published: None,
        illustrative: false,
    };
    (fw, period)
}

// --- national: the generator of benches/national.rs and bench/national.py --------------

const UNITS: u64 = 4_500;
const GROUPS: u64 = 6;
const LEAVES_PER_GROUP: u64 = 20;
const YEAR: i32 = 2024;

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn key(year: u64, unit: u64, slot: u64) -> u64 {
    (year << 40) | (unit << 12) | slot
}

fn leaf_cents(year: i32, unit: u64, leaf: u64) -> u64 {
    let capacity = 40 + splitmix64(key(0, unit, 0xFFF)) % 51 + splitmix64(key(year as u64, unit, 0xFFF)) % 11;
    capacity - splitmix64(key(year as u64, unit, leaf)) % 41
}

fn national() -> (Framework, Period) {
    let groups = (1..=GROUPS)
        .map(|g| {
            let leaves = (1..=LEAVES_PER_GROUP)
                .map(|k| criterion(&format!("N{g}_{k:02}"), 1, Some(Rule::Direct), NotApplicable::Forbidden, vec![]))
                .collect();
            criterion(&format!("N{g}"), LEAVES_PER_GROUP as i64, None, NotApplicable::Forbidden, leaves)
        })
        .collect();
    let levels = [("Mức I", 8500), ("Mức II", 7250), ("Mức III", 6005), ("Mức IV", 4770)];
    let levels: Vec<(&str, Decimal)> = levels.iter().map(|(n, c)| (*n, Decimal::new(*c, 2))).collect();
    let fw = framework("national-bench", (GROUPS * LEAVES_PER_GROUP) as i64, 2, &levels, groups);
    let leaves: Vec<usize> = fw.leaves().map(|(i, _)| i).collect();
    let units = (1..=UNITS)
        .map(|u| {
            let mut sub = Submission::new(&fw);
            for (k, &i) in leaves.iter().enumerate() {
                let points = Decimal::new(leaf_cents(YEAR, u, k as u64) as i64, 2);
                sub.set(&fw, i, Answer::Points(points)).expect("points within 0..=1");
            }
            PeriodUnit {
                unit: UnitId(format!("DV{u:04}")),
                name: format!("Đơn vị {u:04}"),
                group: None,
                submission: Some(sub),
            }
        })
        .collect();
    let period = Period {
        year: YEAR,
        kind: "commune".into(),
        framework: fw.id.clone(),
        units,
        published: None,
        illustrative: false,
    };
    (fw, period)
}

fn options(fw: &Framework) -> Options {
    Options { draws: DRAWS, seed: SEED, ..Options::for_framework(fw) }
}

/// Per unit (table order): id, group points in cents, rank, median, 5 % and 95 % ranks,
/// draws keeping the rank, level counts (weights and minima together), for the numpy check.
fn export(name: &str, fw: &Framework, r: &Results, s: &Stability) {
    let dir = std::env::var_os("CHISO_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/out")));
    std::fs::create_dir_all(&dir).expect("create the bench output directory");
    let draws = f64::from(s.options.draws);
    let mut csv = String::from("unit");
    for &g in &fw.roots {
        write!(csv, ",{}", fw.criterion(g).id).unwrap();
    }
    csv += ",rank,median_rank,p5,p95,keeps_rank";
    for l in 0..=fw.levels.len() {
        write!(csv, ",level_{l}").unwrap();
    }
    csv.push('\n');
    for u in &s.units {
        let res = r.get(&u.unit).unwrap();
        write!(csv, "\"{}\"", u.unit.0.replace('"', "\"\"")).unwrap();
        for &g in &fw.roots {
            write!(csv, ",{}", (res.scores[g].points * Decimal::ONE_HUNDRED).normalize()).unwrap();
        }
        let count = |share: f64| (share * draws).round() as u64;
        write!(
            csv,
            ",{},{},{},{},{}",
            u.rank,
            u.median_rank,
            u.rank_interval.0,
            u.rank_interval.1,
            count(u.keeps_rank)
        )
        .unwrap();
        for &p in &u.level_probability {
            write!(csv, ",{}", count(p)).unwrap();
        }
        csv.push('\n');
    }
    let path = dir.join(format!("rust_analysis_{name}.csv"));
    std::fs::write(&path, csv).expect("write the Rust results");
    eprintln!("analysis: wrote {}", path.display());
}

fn analysis(c: &mut Criterion) {
    let mut g = c.benchmark_group("analysis");
    g.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(10));
    for (name, (fw, period)) in [("seed_departments", departments()), ("national", national())] {
        let results = score(&fw, &period);
        let o = options(&fw);
        let s = stability(&fw, &results, &o);
        export(name, &fw, &results, &s);
        // The plans, timed once (not part of the comparison with numpy).
        let started = std::time::Instant::now();
        let plans = next_level(&fw, &results, &period);
        eprintln!("analysis: next_level over {} units in {:.1?}", plans.len(), started.elapsed());
        g.bench_function(format!("stability_{name}"), |b| {
            b.iter(|| stability(black_box(&fw), black_box(&results), black_box(&o)))
        });
        if name == "national" {
            let one = Options { threads: 1, ..o.clone() };
            g.bench_function("stability_national_one_thread", |b| {
                b.iter(|| stability(black_box(&fw), black_box(&results), black_box(&one)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);

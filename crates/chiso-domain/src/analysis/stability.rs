//! How solid each rank is: Monte-Carlo perturbation of the top-level groups' weights
//! and of the level minima, and leaving one group out at a time (the sensitivity
//! analysis of composite-indicator practice, JRC COIN / COINr).
//!
//! Each draw multiplies every group's weight by a factor uniform in [1 − s, 1 + s] and
//! renormalises the total to the same maximum; it moves every level minimum by a whole
//! number of the total's steps (0,1 for one decimal) uniform within ± the given step.
//! Ranks are competition ranks within ranking groups on the same basis as the engine
//! (the presented total, or the exact one). Draw `d` uses its own generator derived from
//! (seed, d), so the result does not depend on the number of threads.

use super::rng::Xoshiro256;
use super::totals::Model;
use crate::engine::{NodeScore, Results, Status};
use crate::framework::{CriterionId, Framework};
use crate::progress::{Counter, Progress};
use crate::unit::UnitId;
use rust_decimal::Decimal;
use serde::Serialize;
use std::cmp::Ordering;

/// What is perturbed, how much, how often.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Options {
    /// Number of Monte-Carlo draws.
    pub draws: u32,
    pub seed: u64,
    /// Each group's weight is multiplied by a factor uniform in [1 − s, 1 + s]: 0.2 = ±20 %
    /// (at most 1: weights never turn negative).
    pub weight_spread: f64,
    /// Each level minimum moves by up to ± this many points (of the presented total), in
    /// the total's steps.
    pub threshold_step: Decimal,
    /// Threads the draws are spread over (the result is the same for any number).
    pub threads: usize,
}

impl Options {
    pub const DRAWS: u32 = 10_000;
    pub const SEED: u64 = 1;
    pub const WEIGHT_SPREAD: f64 = 0.2;
    pub const THREADS: usize = 2;

    /// 10,000 draws, seed 1, weights ±20 %, level minima ± 2 % of the scale (1,2 points of
    /// 60), two threads.
    pub fn for_framework(fw: &Framework) -> Options {
        Options {
            draws: Self::DRAWS,
            seed: Self::SEED,
            weight_spread: Self::WEIGHT_SPREAD,
            threshold_step: fw.total_rounding().round(fw.total_max() * Decimal::new(2, 2)),
            threads: Self::THREADS,
        }
    }
}

/// Share of the draws (0–1) in which something happened.
pub type Share = f64;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitStability {
    pub unit: UnitId,
    pub name: String,
    pub group: Option<String>,
    /// The rank computed from the points, as the engine does (a period ranked as published
    /// may differ).
    pub rank: u32,
    /// Index into `Framework::levels`; `None` below the levels.
    pub level: Option<usize>,
    pub median_rank: u32,
    /// The 5 % and 95 % quantiles of the rank over the draws (nearest rank).
    pub rank_interval: (u32, u32),
    /// Share of the draws in which the unit keeps exactly its rank.
    pub keeps_rank: Share,
    /// Per level (highest first), then below the levels: the share of the draws that give
    /// the unit that level, with weights and minima perturbed together.
    pub level_probability: Vec<Share>,
    /// The same with only the weights perturbed.
    pub level_probability_weights: Vec<Share>,
    /// The same with only the level minima perturbed.
    pub level_probability_thresholds: Vec<Share>,
    /// The unit's rank with each top-level group left out (in `Stability::groups` order).
    pub leave_one_out: Vec<u32>,
    pub leave_one_out_levels: Vec<Option<usize>>,
}

/// Two units next to each other in the table (same ranking group).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairFlip {
    pub ahead: UnitId,
    pub behind: UnitId,
    pub ahead_rank: u32,
    pub behind_rank: u32,
    /// Share of the draws in which their order differs from the table's (for a tie: in
    /// which they are no longer tied).
    pub flips: Share,
}

/// One top-level group left out (the others renormalised to the same maximum).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeftOut {
    pub criterion: CriterionId,
    /// Units whose rank changes.
    pub rank_changes: usize,
    /// The largest change of rank, in places.
    pub max_shift: u32,
    pub level_changes: usize,
    /// Whether every first-ranked unit keeps rank 1.
    pub leader_kept: bool,
}

/// The facts behind one summary sentence (see [`Summary::sentence`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Summary {
    Weights {
        ranking_group: Option<String>,
        units: usize,
        spread: f64,
        /// The largest k such that the first k units (table order) all keep their ranks
        /// together in at least 90 % of the draws, and that share.
        top_kept: usize,
        top_kept_share: Share,
        /// Share of draws in which the first unit keeps rank 1.
        leader_share: Share,
        /// Runs of places (the first unit's rank, the last unit's place in the table) whose
        /// neighbours change places in at least 20 % of the draws.
        interchangeable: Vec<(u32, u32)>,
    },
    Thresholds {
        step: Decimal,
        units: usize,
        /// Units that keep their level in at least 90 % of the draws (minima perturbed).
        kept: usize,
        /// The others (names, table order).
        near: Vec<String>,
    },
    LeaveOneOut {
        groups: usize,
        /// The group whose removal changes most ranks: (criterion, label, units, places).
        most: Option<(CriterionId, String, usize, u32)>,
        /// Whether the first-ranked unit stays first whatever group is left out.
        leader_kept: bool,
    },
}

/// A share at or above this counts as "holds its place".
pub const HOLD: f64 = 0.9;
/// Neighbours that change places at least this often are "interchangeable".
pub const INTERCHANGEABLE: f64 = 0.2;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stability {
    pub year: i32,
    pub kind: String,
    pub framework: String,
    pub options: Options,
    /// The top-level groups perturbed, in framework order.
    pub groups: Vec<CriterionId>,
    /// Level names (highest first); probabilities have one more entry, below the levels.
    pub levels: Vec<String>,
    /// The units with data, in table order.
    pub units: Vec<UnitStability>,
    /// Neighbours in the table, in table order.
    pub pairs: Vec<PairFlip>,
    pub left_out: Vec<LeftOut>,
    pub summaries: Vec<Summary>,
}

impl Stability {
    pub fn get(&self, unit: &UnitId) -> Option<&UnitStability> {
        self.units.iter().find(|u| &u.unit == unit)
    }
}

/// A histogram of ranks over a window that grows as ranks arrive.
#[derive(Debug, Clone, Default)]
struct Window {
    lo: u32,
    counts: Vec<u32>,
}

impl Window {
    fn add(&mut self, r: u32, c: u32) {
        if self.counts.is_empty() {
            self.lo = r;
        } else if r < self.lo {
            let extra = (self.lo - r) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, extra));
            self.lo = r;
        }
        let i = (r - self.lo) as usize;
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += c;
    }

    fn merge(&mut self, other: &Window) {
        for (i, &c) in other.counts.iter().enumerate() {
            if c > 0 {
                self.add(other.lo + i as u32, c);
            }
        }
    }

    fn count(&self, r: u32) -> u32 {
        r.checked_sub(self.lo).and_then(|i| self.counts.get(i as usize)).copied().unwrap_or(0)
    }

    /// The smallest rank whose cumulative count reaches `target` (nearest-rank quantile).
    fn quantile(&self, target: u64) -> u32 {
        let mut cum = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            cum += u64::from(c);
            if cum >= target {
                return self.lo + i as u32;
            }
        }
        self.lo + self.counts.len().saturating_sub(1) as u32
    }
}

/// Everything the draws need, fixed for the run.
struct Setup<'a> {
    model: &'a Model,
    /// Per ranking group: member units (model indices) in table order.
    members: Vec<Vec<usize>>,
    base_keys: Vec<i64>,
    base_ranks: Vec<u32>,
    base_thresholds: Vec<i64>,
    /// (ahead, behind, their relation at baseline)
    pairs: Vec<(usize, usize, Ordering)>,
    spread: f64,
    step_quanta: u64,
    quantum_key: i64,
    seed: u64,
}

/// Counts of one thread's draws; merged by adding.
#[derive(Debug, Clone)]
struct Tally {
    ranks: Vec<Window>,
    /// n × 3 × (levels + 1): both, weights only, thresholds only.
    levels: Vec<u32>,
    flips: Vec<u32>,
    /// Per ranking group: how many draws kept the first j units' ranks (length members + 1).
    prefix: Vec<Vec<u32>>,
}

impl Tally {
    fn new(s: &Setup) -> Tally {
        let l = s.base_thresholds.len() + 1;
        Tally {
            ranks: s.base_ranks.iter().map(|&r| Window { lo: r, counts: vec![0] }).collect(),
            levels: vec![0; s.model.n * 3 * l],
            flips: vec![0; s.pairs.len()],
            prefix: s.members.iter().map(|m| vec![0; m.len() + 1]).collect(),
        }
    }

    fn merge(&mut self, o: &Tally) {
        for (a, b) in self.ranks.iter_mut().zip(&o.ranks) {
            a.merge(b);
        }
        add(&mut self.levels, &o.levels);
        add(&mut self.flips, &o.flips);
        for (a, b) in self.prefix.iter_mut().zip(&o.prefix) {
            add(a, b);
        }
    }
}

fn add(a: &mut [u32], b: &[u32]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

fn level_of(key: i64, thresholds: &[i64]) -> usize {
    thresholds.iter().position(|&t| key >= t).unwrap_or(thresholds.len())
}

/// Scratch space for ranking.
#[derive(Default)]
struct Scratch {
    order: Vec<(i64, u32)>,
    counts: Vec<u32>,
}

/// Competition ranks within each ranking group. Keys spanning a small range (totals with
/// a few decimals) are counted, not sorted: a unit's rank is one more than the number of
/// units with a higher key.
fn rank_into(members: &[Vec<usize>], keys: &[i64], scratch: &mut Scratch, ranks: &mut [u32]) {
    for m in members {
        let (Some(lo), Some(hi)) = (m.iter().map(|&u| keys[u]).min(), m.iter().map(|&u| keys[u]).max()) else {
            continue;
        };
        let span = (hi - lo) as u64;
        if span < (8 * m.len() as u64).max(1 << 12) {
            let counts = &mut scratch.counts;
            counts.clear();
            counts.resize(span as usize + 2, 0);
            for &u in m {
                counts[(hi - keys[u]) as usize + 1] += 1;
            }
            // counts[i] becomes the number of units with a key above hi − i, plus one.
            counts[0] = 1;
            for i in 1..counts.len() {
                counts[i] += counts[i - 1];
            }
            for &u in m {
                ranks[u] = counts[(hi - keys[u]) as usize];
            }
            continue;
        }
        let order = &mut scratch.order;
        order.clear();
        // Highest key first; the order among equal keys does not matter (same rank).
        order.extend(m.iter().map(|&u| (-keys[u], u as u32)));
        order.sort_unstable();
        let mut rank = 1;
        for pos in 0..order.len() {
            if pos > 0 && order[pos].0 != order[pos - 1].0 {
                rank = pos as u32 + 1;
            }
            ranks[order[pos].1 as usize] = rank;
        }
    }
}

/// Draws whose ranks are buffered before they go into the histograms, so that each
/// unit's histogram is visited once per block rather than once per draw.
const BLOCK: usize = 64;

fn run_draws(s: &Setup, draws: std::ops::Range<u64>, counter: &Counter) -> Tally {
    let m = s.model;
    let l = s.base_thresholds.len() + 1;
    let mut t = Tally::new(s);
    let mut a = vec![0.0; m.k];
    let mut th = s.base_thresholds.clone();
    let mut keys = vec![0i64; m.n];
    let mut ranks = vec![0u32; m.n];
    let mut scratch = Scratch::default();
    // Unit-major: block[u * BLOCK + b] is unit u's rank in the b-th draw of the block.
    let mut block = vec![0u32; m.n * BLOCK];
    let mut filled = 0;
    let flush = |t: &mut Tally, block: &[u32], filled: usize| {
        for (u, w) in t.ranks.iter_mut().enumerate() {
            for &r in &block[u * BLOCK..u * BLOCK + filled] {
                w.add(r, 1);
            }
        }
    };
    for d in draws {
        let mut rng = Xoshiro256::for_draw(s.seed, d);
        for (a, w) in a.iter_mut().zip(&m.weight) {
            *a = w * (1.0 + s.spread * (2.0 * rng.next_f64() - 1.0));
        }
        for (t, base) in th.iter_mut().zip(&s.base_thresholds) {
            *t = base + rng.next_symmetric(s.step_quanta) * s.quantum_key;
        }
        if th.windows(2).any(|w| w[0] < w[1]) {
            th.sort_by(|x, y| y.cmp(x));
        }
        m.keys(&a, &mut keys);
        rank_into(&s.members, &keys, &mut scratch, &mut ranks);
        for u in 0..m.n {
            block[u * BLOCK + filled] = ranks[u];
            let row = u * 3 * l;
            t.levels[row + level_of(keys[u], &th)] += 1;
            t.levels[row + l + level_of(keys[u], &s.base_thresholds)] += 1;
            t.levels[row + 2 * l + level_of(s.base_keys[u], &th)] += 1;
        }
        for (f, &(x, y, rel)) in t.flips.iter_mut().zip(&s.pairs) {
            if keys[x].cmp(&keys[y]) != rel {
                *f += 1;
            }
        }
        for (g, members) in s.members.iter().enumerate() {
            let kept = members.iter().take_while(|&&u| ranks[u] == s.base_ranks[u]).count();
            t.prefix[g][kept] += 1;
        }
        filled += 1;
        if filled == BLOCK {
            flush(&mut t, &block, filled);
            counter.add(filled as u64);
            filled = 0;
        }
    }
    flush(&mut t, &block, filled);
    counter.add(filled as u64);
    t
}

/// Rank stability of a period's results under the framework's groups (see the module).
pub fn stability(fw: &Framework, results: &Results, options: &Options) -> Stability {
    stability_with(fw, results, options, &crate::progress::Quiet)
}

/// [`stability`], telling `progress` the draws done (every 64 draws of each thread, in
/// order, up to `options.draws`); the result is the same.
pub fn stability_with(fw: &Framework, results: &Results, options: &Options, progress: &dyn Progress) -> Stability {
    let analysed: Vec<_> =
        results.units.iter().filter(|u| u.status != Status::NoData && !u.scores.is_empty()).collect();
    let scores: Vec<&[NodeScore]> = analysed.iter().map(|u| u.scores.as_slice()).collect();
    let model = Model::new(fw, &scores);
    let n = model.n;

    // Ranking groups in table order of first appearance.
    let mut group_names: Vec<Option<String>> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, u) in analysed.iter().enumerate() {
        match group_names.iter().position(|g| *g == u.group) {
            Some(g) => members[g].push(i),
            None => {
                group_names.push(u.group.clone());
                members.push(vec![i]);
            }
        }
    }

    let mut base_keys = vec![0i64; n];
    model.keys(&model.weight, &mut base_keys);
    let mut base_ranks = vec![0u32; n];
    rank_into(&members, &base_keys, &mut Scratch::default(), &mut base_ranks);
    for m in &mut members {
        m.sort_by_key(|&u| base_ranks[u]);
    }
    let base_thresholds: Vec<i64> = fw.levels.iter().map(|l| model.threshold_key(l.min)).collect();
    let quantum_key = model.quantum_key(fw);
    let step_quanta = {
        let scaled = options.threshold_step.abs() * Decimal::from(10i64.pow(fw.total_rounding().decimals));
        rust_decimal::prelude::ToPrimitive::to_u64(&scaled.floor()).unwrap_or(0)
    };
    let pairs: Vec<(usize, usize, Ordering)> = members
        .iter()
        .flat_map(|m| m.windows(2).map(|w| (w[0], w[1], base_keys[w[0]].cmp(&base_keys[w[1]]))))
        .collect();
    let setup = Setup {
        model: &model,
        members,
        base_keys,
        base_ranks,
        base_thresholds,
        pairs,
        spread: options.weight_spread.abs().min(1.0),
        step_quanta,
        quantum_key,
        seed: options.seed,
    };

    // The draws, split into contiguous blocks, one per thread, merged in order.
    let draws = u64::from(options.draws);
    let threads = options.threads.clamp(1, 64).min(draws.max(1) as usize);
    let counter = Counter::new(progress, draws);
    let tally = if threads == 1 {
        run_draws(&setup, 0..draws, &counter)
    } else {
        let blocks: Vec<std::ops::Range<u64>> =
            (0..threads as u64).map(|t| draws * t / threads as u64..draws * (t + 1) / threads as u64).collect();
        let parts: Vec<Tally> = std::thread::scope(|scope| {
            let handles: Vec<_> = blocks.into_iter().map(|b| scope.spawn(|| run_draws(&setup, b, &counter))).collect();
            handles.into_iter().map(|h| h.join().expect("a draw thread panicked")).collect()
        });
        let mut parts = parts.into_iter();
        let mut total = parts.next().expect("at least one thread");
        for p in parts {
            total.merge(&p);
        }
        total
    };

    // Leave one group out.
    let k = model.k;
    let mut loo_ranks = vec![vec![0u32; n]; if k >= 2 { k } else { 0 }];
    let mut loo_keys = vec![vec![0i64; n]; loo_ranks.len()];
    for j in 0..loo_ranks.len() {
        let mut a = model.weight.clone();
        a[j] = 0.0;
        model.keys(&a, &mut loo_keys[j]);
        rank_into(&setup.members, &loo_keys[j], &mut Scratch::default(), &mut loo_ranks[j]);
    }

    let l = setup.base_thresholds.len() + 1;
    let share = |c: u64| if draws == 0 { 0.0 } else { c as f64 / draws as f64 };
    let quantile = |w: &Window, percent: u64| {
        if draws == 0 { 0 } else { w.quantile((draws * percent).div_ceil(100).max(1)) }
    };
    let units: Vec<UnitStability> = analysed
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let w = &tally.ranks[i];
            let base_level = level_of(setup.base_keys[i], &setup.base_thresholds);
            let probs = |variant: usize| -> Vec<Share> {
                (0..l).map(|x| share(u64::from(tally.levels[i * 3 * l + variant * l + x]))).collect()
            };
            let rank = setup.base_ranks[i];
            UnitStability {
                unit: u.unit.clone(),
                name: u.name.clone(),
                group: u.group.clone(),
                rank,
                level: (base_level < fw.levels.len()).then_some(base_level),
                median_rank: if draws == 0 { rank } else { quantile(w, 50) },
                rank_interval: if draws == 0 { (rank, rank) } else { (quantile(w, 5), quantile(w, 95)) },
                keeps_rank: share(u64::from(w.count(rank))),
                level_probability: probs(0),
                level_probability_weights: probs(1),
                level_probability_thresholds: probs(2),
                leave_one_out: loo_ranks.iter().map(|r| r[i]).collect(),
                leave_one_out_levels: loo_keys
                    .iter()
                    .map(|keys| {
                        let x = level_of(keys[i], &setup.base_thresholds);
                        (x < fw.levels.len()).then_some(x)
                    })
                    .collect(),
            }
        })
        .collect();

    let pairs: Vec<PairFlip> = setup
        .pairs
        .iter()
        .zip(&tally.flips)
        .map(|(&(x, y, _), &f)| PairFlip {
            ahead: units[x].unit.clone(),
            behind: units[y].unit.clone(),
            ahead_rank: units[x].rank,
            behind_rank: units[y].rank,
            flips: share(u64::from(f)),
        })
        .collect();

    let groups: Vec<CriterionId> = fw.roots.iter().map(|&r| fw.criterion(r).id.clone()).collect();
    let leaders: Vec<usize> = (0..n).filter(|&i| setup.base_ranks[i] == 1).collect();
    let left_out: Vec<LeftOut> = loo_ranks
        .iter()
        .enumerate()
        .map(|(j, ranks)| LeftOut {
            criterion: groups[j].clone(),
            rank_changes: (0..n).filter(|&i| ranks[i] != setup.base_ranks[i]).count(),
            max_shift: (0..n).map(|i| ranks[i].abs_diff(setup.base_ranks[i])).max().unwrap_or(0),
            level_changes: (0..n).filter(|&i| units[i].leave_one_out_levels[j] != units[i].level).count(),
            leader_kept: leaders.iter().all(|&i| ranks[i] == 1),
        })
        .collect();

    let mut pair_of_ahead = vec![None; n];
    for (p, &(x, _, _)) in setup.pairs.iter().enumerate() {
        pair_of_ahead[x] = Some(p);
    }
    let mut summaries = Vec::new();
    for (g, m) in setup.members.iter().enumerate() {
        // at_least[j]: draws in which the first j units all keep their ranks.
        let mut at_least = vec![0u64; m.len() + 2];
        for j in (0..=m.len()).rev() {
            at_least[j] = at_least[j + 1] + u64::from(tally.prefix[g][j]);
        }
        let top_kept = (1..=m.len()).rev().find(|&j| share(at_least[j]) >= HOLD).unwrap_or(0);
        let mut interchangeable: Vec<(u32, u32)> = Vec::new();
        let mut run: Option<(u32, u32)> = None;
        for (pos, w) in m.windows(2).enumerate() {
            let flips = pair_of_ahead[w[0]].map_or(0.0, |p| pairs[p].flips);
            if flips >= INTERCHANGEABLE {
                // From the first unit's rank to the last one's place (tied units share a
                // rank but take places one after the other).
                let (a, b) = (setup.base_ranks[w[0]], pos as u32 + 2);
                run = Some(run.map_or((a, b), |(lo, _)| (lo, b)));
            } else if let Some(r) = run.take() {
                interchangeable.push(r);
            }
        }
        interchangeable.extend(run);
        summaries.push(Summary::Weights {
            ranking_group: group_names[g].clone(),
            units: m.len(),
            spread: setup.spread,
            top_kept,
            top_kept_share: share(at_least[top_kept]),
            leader_share: share(at_least[1.min(m.len())]),
            interchangeable,
        });
    }
    let keeps_level = |u: &UnitStability| {
        let base = u.level.unwrap_or(fw.levels.len());
        u.level_probability_thresholds[base] >= HOLD
    };
    summaries.push(Summary::Thresholds {
        step: options.threshold_step.abs(),
        units: n,
        kept: units.iter().filter(|u| keeps_level(u)).count(),
        near: units.iter().filter(|u| !keeps_level(u)).map(|u| u.name.clone()).collect(),
    });
    if !left_out.is_empty() {
        let most = left_out
            .iter()
            .enumerate()
            .max_by(|(ia, a), (ib, b)| {
                (a.rank_changes, a.max_shift).cmp(&(b.rank_changes, b.max_shift)).then(ib.cmp(ia))
            })
            .filter(|(_, lo)| lo.rank_changes > 0)
            .map(|(j, lo)| {
                let c = fw.criterion(fw.roots[j]);
                (lo.criterion.clone(), c.label().to_string(), lo.rank_changes, lo.max_shift)
            });
        summaries.push(Summary::LeaveOneOut {
            groups: left_out.len(),
            most,
            leader_kept: left_out.iter().all(|lo| lo.leader_kept),
        });
    }

    Stability {
        year: results.year,
        kind: results.kind.clone(),
        framework: fw.id.clone(),
        options: options.clone(),
        groups,
        levels: fw.levels.iter().map(|l| l.name.clone()).collect(),
        units,
        pairs,
        left_out,
        summaries,
    }
}

//! A unit's total from its top-level groups' points: exactly as the engine combines them
//! (in decimals, for plans), and fast in `f64` with changed group weights (for the
//! Monte-Carlo draws, where only the order of totals and their levels matter).

use crate::engine::NodeScore;
use crate::engine::maths;
use crate::framework::{Aggregation, Framework, TieBasis};
use crate::number::{Points, RoundingMode, RoundingScope, round_to};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// The exact points total of a unit whose top-level groups (in `framework.roots` order)
/// have these scores: the engine's aggregation of the roots, rounding included.
pub(crate) fn total_points(fw: &Framework, roots: &[NodeScore]) -> Decimal {
    let max = fw.max;
    let parts: Vec<(Decimal, Decimal, Decimal)> = fw
        .roots
        .iter()
        .zip(roots)
        .filter(|(_, s)| s.applicable)
        .map(|(&k, s)| {
            let c = fw.criterion(k);
            (c.max, c.weight, s.points)
        })
        .collect();
    let clamp = |p: Decimal| Points::clamped(p, max).value();
    let points = match fw.aggregation {
        Aggregation::Sum | Aggregation::WeightedSum => {
            let weighted = fw.aggregation == Aggregation::WeightedSum;
            let (mut sum, mut applicable_max) = (Decimal::ZERO, Decimal::ZERO);
            for (child_max, weight, points) in parts {
                let w = if weighted { weight } else { Decimal::ONE };
                sum += w * points;
                applicable_max += w * child_max;
            }
            if applicable_max.is_zero() {
                Decimal::ZERO
            } else if applicable_max == max {
                sum
            } else {
                clamp(sum * max / applicable_max)
            }
        }
        Aggregation::WeightedMean => {
            let weights: Decimal = parts.iter().map(|p| p.1).sum();
            if weights.is_zero() {
                Decimal::ZERO
            } else {
                clamp(parts.iter().map(|&(_, w, p)| w * p).sum::<Decimal>() / weights)
            }
        }
        Aggregation::GeometricMean => {
            let parts: Vec<(Decimal, Decimal)> = parts.iter().map(|&(_, w, p)| (w, p)).collect();
            maths::geometric_mean(&parts).map_or(Decimal::ZERO, clamp)
        }
    };
    if fw.rounding.scope == RoundingScope::Criterion { fw.rounding.round(points) } else { points }
}

/// The value levels and ties are judged on (the presented total, or the exact one).
pub(crate) fn basis(fw: &Framework, points: Decimal) -> Decimal {
    let value = fw.total_value(points);
    match fw.ties {
        TieBasis::Rounded => fw.total_rounding().round(value),
        TieBasis::Exact => value,
    }
}

/// Rounds `x` (already multiplied by 10^decimals) to a whole number by `mode`, treating
/// values within a few ulps of a midpoint as the midpoint: the decimals behind `x` were
/// exact, their `f64` image is not.
pub(crate) fn round_scaled(x: f64, mode: RoundingMode) -> f64 {
    let eps = x.abs() * 1e-12 + 1e-9;
    // Totals are never negative: truncation is the floor (and much cheaper than a call
    // to libm's floor on targets without SSE4.1).
    let floor = |v: f64| if v >= 0.0 { (v as i64) as f64 } else { v.floor() };
    match mode {
        RoundingMode::HalfUp => floor(x + 0.5 + eps),
        RoundingMode::Down => floor(x + eps),
        RoundingMode::HalfEven => {
            let f = floor(x);
            let frac = x - f;
            if (frac - 0.5).abs() <= eps { if f % 2.0 == 0.0 { f } else { f + 1.0 } } else { floor(x + 0.5) }
        }
    }
}

/// Decimals of the key of an exact total (ties judged on exact totals): 10⁻⁹ apart is equal.
const EXACT_KEY_DECIMALS: u32 = 9;

/// The top-level groups of every analysed unit as `f64`, and the rule that turns group
/// weights into comparable whole-number keys: two units tie exactly when their keys are
/// equal, a unit reaches a level when its key is ≥ the level's key.
pub(crate) struct Model {
    pub n: usize,
    pub k: usize,
    /// `n × k`, row per unit; 0 where not applicable.
    pub points: Vec<f64>,
    pub applicable: Vec<bool>,
    pub all_applicable: bool,
    pub max: Vec<f64>,
    /// The framework's own weights of the roots (1 for a plain sum).
    pub weight: Vec<f64>,
    pub aggregation: Aggregation,
    pub total_max: f64,
    pub index: bool,
    /// Rounding of the points total (frameworks that round each criterion).
    pub criterion_round: Option<(f64, RoundingMode)>,
    /// Keys are the basis × 10^key_decimals, rounded by `key_mode`.
    pub key_decimals: u32,
    key_scale: f64,
    pub key_mode: RoundingMode,
}

impl Model {
    pub fn new(fw: &Framework, roots: &[&[NodeScore]]) -> Model {
        let k = fw.roots.len();
        let f = |d: Decimal| d.to_f64().unwrap_or(0.0);
        let mut points = Vec::with_capacity(roots.len() * k);
        let mut applicable = Vec::with_capacity(roots.len() * k);
        for scores in roots {
            for &r in &fw.roots {
                let s = scores[r];
                points.push(if s.applicable { f(s.points) } else { 0.0 });
                applicable.push(s.applicable);
            }
        }
        let (key_decimals, key_mode) = match fw.ties {
            TieBasis::Rounded => {
                let r = fw.total_rounding();
                (r.decimals, r.mode)
            }
            TieBasis::Exact => (EXACT_KEY_DECIMALS, RoundingMode::HalfUp),
        };
        Model {
            n: roots.len(),
            k,
            all_applicable: applicable.iter().all(|&a| a),
            points,
            applicable,
            max: fw.roots.iter().map(|&r| f(fw.criterion(r).max)).collect(),
            weight: fw
                .roots
                .iter()
                .map(|&r| if fw.aggregation == Aggregation::Sum { 1.0 } else { f(fw.criterion(r).weight) })
                .collect(),
            aggregation: fw.aggregation,
            total_max: f(fw.max),
            index: fw.index.is_some(),
            criterion_round: (fw.rounding.scope == RoundingScope::Criterion)
                .then(|| (10f64.powi(fw.rounding.decimals as i32), fw.rounding.mode)),
            key_decimals,
            key_scale: 10f64.powi(key_decimals as i32),
            key_mode,
        }
    }

    /// The key of a level minimum: a unit reaches the level when its key is ≥ this.
    pub fn threshold_key(&self, min: Decimal) -> i64 {
        let scaled = min * Decimal::from(10i64.pow(self.key_decimals));
        scaled.ceil().to_i64().unwrap_or(i64::MAX)
    }

    /// Key units per step of the presented total (10^-decimals of the total's rounding).
    pub fn quantum_key(&self, fw: &Framework) -> i64 {
        10i64.pow(self.key_decimals.saturating_sub(fw.total_rounding().decimals))
    }

    /// Every unit's key with the roots weighted by `a` (the framework's weights times the
    /// draw's factors; 0 leaves a group out). Totals are renormalised to the framework's
    /// maximum: Σ a·p ÷ Σ a·max × max over the unit's applicable groups.
    pub fn keys(&self, a: &[f64], out: &mut [i64]) {
        let k = self.k;
        let linear = self.aggregation != Aggregation::GeometricMean;
        if linear && self.all_applicable {
            let den: f64 = a.iter().zip(&self.max).map(|(a, m)| a * m).sum();
            let scale = if den > 0.0 { self.total_max / den } else { 0.0 };
            for (u, key) in out.iter_mut().enumerate() {
                let p = &self.points[u * k..(u + 1) * k];
                let num: f64 = a.iter().zip(p).map(|(a, p)| a * p).sum();
                *key = self.key_of(num * scale);
            }
            return;
        }
        for (u, key) in out.iter_mut().enumerate() {
            let p = &self.points[u * k..(u + 1) * k];
            let ap = &self.applicable[u * k..(u + 1) * k];
            let t = if linear {
                let (mut num, mut den) = (0.0, 0.0);
                for j in 0..k {
                    if ap[j] {
                        num += a[j] * p[j];
                        den += a[j] * self.max[j];
                    }
                }
                if den > 0.0 { self.total_max * num / den } else { 0.0 }
            } else {
                let (mut num, mut den, mut zero) = (0.0, 0.0, false);
                for j in 0..k {
                    if ap[j] && a[j] > 0.0 {
                        if p[j] <= 0.0 {
                            zero = true;
                        } else {
                            num += a[j] * p[j].ln();
                        }
                        den += a[j];
                    }
                }
                if den > 0.0 && !zero { (num / den).exp() } else { 0.0 }
            };
            *key = self.key_of(t);
        }
    }

    fn key_of(&self, points: f64) -> i64 {
        let mut t = points.clamp(0.0, self.total_max);
        if let Some((factor, mode)) = self.criterion_round {
            t = round_scaled(t * factor, mode) / factor;
        }
        let v = if self.index { t / self.total_max } else { t };
        round_scaled(v * self.key_scale, self.key_mode) as i64
    }
}

/// The median of some decimals (the mean of the two middle values for an even count).
pub(crate) fn median(values: Vec<Decimal>) -> Option<Decimal> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    Some(if n % 2 == 1 {
        sorted_at(&values, n / 2)
    } else {
        (sorted_at(&values, n / 2 - 1) + sorted_at(&values, n / 2)) / Decimal::TWO
    })
}

/// The decimal a stable sort of `values` puts at position `k` (< len), found by selection
/// rather than a whole sort (a median per criterion over thousands of units). Of equal
/// values written differently (0,5 and 0,50) it is the same one the sort would give.
fn sorted_at(values: &[Decimal], k: usize) -> Decimal {
    let mut scratch = values.to_vec();
    let (_, &mut v, _) = scratch.select_nth_unstable(k);
    let less = values.iter().filter(|x| **x < v).count();
    values.iter().filter(|x| **x == v).nth(k - less).copied().unwrap_or(v)
}

/// `value` rounded up to `decimals` (a shortfall is never understated).
pub(crate) fn ceil_to(value: Decimal, decimals: u32) -> Decimal {
    let r = round_to(value, decimals, RoundingMode::Down);
    if r < value { r + Decimal::new(1, decimals) } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_rounding_sees_through_binary_noise() {
        // 45.15 × 10 is 451.49999999999994 in f64.
        assert_eq!(round_scaled(45.15 * 10.0, RoundingMode::HalfUp), 452.0);
        assert_eq!(round_scaled(451.4, RoundingMode::HalfUp), 451.0);
        assert_eq!(round_scaled(0.25 * 10.0, RoundingMode::HalfEven), 2.0);
        assert_eq!(round_scaled(0.35 * 10.0, RoundingMode::HalfEven), 4.0);
        assert_eq!(round_scaled(56.29 * 10.0, RoundingMode::Down), 562.0);
        assert_eq!(round_scaled(0.3 * 10.0, RoundingMode::Down), 3.0);
    }

    #[test]
    fn ceilings_and_medians() {
        assert_eq!(ceil_to(Decimal::new(1701, 3), 1), Decimal::new(18, 1));
        assert_eq!(ceil_to(Decimal::new(17, 1), 1), Decimal::new(17, 1));
        assert_eq!(median(vec![Decimal::ONE, Decimal::TWO]), Some(Decimal::new(15, 1)));
        assert_eq!(median(vec![]), None);
        let d = |v: i64| Decimal::new(v, 1);
        assert_eq!(median(vec![d(50), d(10), d(30), d(20), d(40)]), Some(d(30)));
        assert_eq!(median(vec![d(40), d(10), d(30), d(20)]), Some(d(25)));
        assert_eq!(median(vec![d(20), d(20), d(10), d(30)]), Some(d(20)));
        // Of equal values written differently, the one a stable sort puts in the middle.
        let (a, b) = (Decimal::new(5, 1), Decimal::new(50, 2));
        assert_eq!(median(vec![b, a, Decimal::ZERO]).map(|m| m.scale()), Some(2));
        assert_eq!(median(vec![a, b, Decimal::ZERO]).map(|m| m.scale()), Some(1));
    }
}

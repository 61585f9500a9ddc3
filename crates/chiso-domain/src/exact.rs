//! Fast paths for the decimal operations that run for every criterion of every unit.
//!
//! Each function gives exactly what `rust_decimal`'s own operators give, value and scale
//! (the scale shows: `to_string` prints "45.20" and "45.2" differently), and falls back to
//! those operators outside its fast case. The fast case is the common one of points:
//! non-negative values whose mantissas fit in 64 bits, added and compared as integers at a
//! common scale.

use rust_decimal::Decimal;
use std::cmp::Ordering;

pub(crate) const POW10: [u64; 20] = {
    let mut p = [1u64; 20];
    let mut k = 1;
    while k < 20 {
        p[k] = p[k - 1] * 10;
        k += 1;
    }
    p
};

/// `(mantissa, scale)` of a non-negative decimal (not -0) whose mantissa is below 2⁶⁴.
#[inline(always)]
fn small(d: &Decimal) -> Option<(u64, u32)> {
    let u = d.unpack();
    if u.negative || u.hi != 0 { None } else { Some(((u64::from(u.mid) << 32) | u64::from(u.lo), u.scale)) }
}

/// Both mantissas at the larger scale, as `rust_decimal` aligns them (exact in 128 bits).
#[inline(always)]
fn align(a: u64, sa: u32, b: u64, sb: u32) -> Option<(u128, u128, u32)> {
    let diff = sa.abs_diff(sb) as usize;
    let p = u128::from(*POW10.get(diff)?);
    Some(if sa >= sb { (u128::from(a), u128::from(b) * p, sa) } else { (u128::from(a) * p, u128::from(b), sb) })
}

/// `a.cmp(b)`.
#[inline]
pub fn cmp(a: &Decimal, b: &Decimal) -> Ordering {
    if let (Some((ma, sa)), Some((mb, sb))) = (small(a), small(b)) {
        if sa == sb {
            return ma.cmp(&mb);
        }
        if let Some((x, y, _)) = align(ma, sa, mb, sb) {
            return x.cmp(&y);
        }
    }
    a.cmp(b)
}

/// `a - b`.
#[inline]
pub fn sub(a: Decimal, b: Decimal) -> Decimal {
    let (x, y) = (a.unpack(), b.unpack());
    // Same scale, both positive (not zero: rust_decimal's `0 - b` is `-b` at b's scale) and
    // below 2³²: what rust_decimal's own fast path does, inlined.
    if !x.negative && !y.negative && x.scale == y.scale && (x.hi | x.mid | y.hi | y.mid) == 0 && x.lo != 0 && y.lo != 0
    {
        let (m, negative) = if x.lo >= y.lo { (x.lo - y.lo, false) } else { (y.lo - x.lo, true) };
        return Decimal::from_parts(m, 0, 0, negative, x.scale);
    }
    a - b
}

/// `values.fold(Decimal::ZERO, |a, v| a + v)`: the same value and the same scale (the
/// largest scale of the non-zero values; `rust_decimal` returns the other operand when one
/// is zero, so zeros leave the scale alone, and a sum of zeros is the last zero).
#[inline]
pub fn sum(values: impl Iterator<Item = Decimal>) -> Decimal {
    let mut s = Sum::default();
    for v in values {
        s.add(v);
    }
    s.value()
}

/// A running [`sum`]: integers at a common scale while every value and every partial sum
/// is small (see [`small`]), as each step is then exact at the larger scale in `rust_decimal`
/// too; `Decimal` addition from the first value that is not.
#[derive(Debug, Clone, Copy)]
pub struct Sum {
    mantissa: u64,
    scale: u32,
    /// The sum while `mantissa` is 0: `Decimal::ZERO` or the last zero added.
    zero: Decimal,
    slow: Option<Decimal>,
}

impl Default for Sum {
    fn default() -> Sum {
        Sum { mantissa: 0, scale: 0, zero: Decimal::ZERO, slow: None }
    }
}

impl Sum {
    #[inline(always)]
    pub fn add(&mut self, v: Decimal) {
        if self.slow.is_some() || !self.add_small(v) {
            self.add_slow(v);
        }
    }

    #[cold]
    #[inline(never)]
    fn add_slow(&mut self, v: Decimal) {
        self.slow = Some(self.value() + v);
    }

    /// Adds `v` if the result stays small; `false` (and unchanged) otherwise.
    #[inline(always)]
    fn add_small(&mut self, v: Decimal) -> bool {
        let Some((m, scale)) = small(&v) else { return false };
        if m == 0 {
            if self.mantissa == 0 {
                self.zero = v;
            }
        } else if self.mantissa == 0 {
            (self.mantissa, self.scale) = (m, scale);
        } else if scale == self.scale {
            let Some(t) = self.mantissa.checked_add(m) else { return false };
            self.mantissa = t;
        } else {
            let Some((a, b, scale)) = align(self.mantissa, self.scale, m, scale) else { return false };
            let Some(t) = a.checked_add(b).and_then(|t| u64::try_from(t).ok()) else { return false };
            (self.mantissa, self.scale) = (t, scale);
        }
        true
    }

    #[inline]
    pub fn value(&self) -> Decimal {
        match self.slow {
            Some(s) => s,
            None if self.mantissa == 0 => self.zero,
            None => Decimal::from_parts(self.mantissa as u32, (self.mantissa >> 32) as u32, 0, false, self.scale),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(a: Decimal, b: Decimal) -> bool {
        a == b && a.scale() == b.scale() && a.is_sign_negative() == b.is_sign_negative()
    }

    fn decimal() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            // Points: a few decimals, often zero, sometimes negative (z-scores).
            (-5i64..=10_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m.max(0), s)),
            (-10_000i64..=10_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
            // Anything rust_decimal holds, including large mantissas and scales.
            // (hi below 2^26, so that 25 of them add up without overflowing.)
            (any::<u32>(), any::<u32>(), 0u32..1 << 26, any::<bool>(), 0u32..=28)
                .prop_map(|(lo, mid, hi, neg, s)| Decimal::from_parts(lo, mid, hi, neg, s)),
            (any::<u64>(), any::<bool>(), 0u32..=28).prop_map(|(m, neg, s)| Decimal::from_parts(
                m as u32,
                (m >> 32) as u32,
                0,
                neg,
                s
            )),
            Just(Decimal::ZERO),
            Just(Decimal::new(0, 2)),
            Just(-Decimal::new(0, 2)),
        ]
    }

    proptest! {
        #[test]
        fn comparisons_agree_with_rust_decimal(a in decimal(), b in decimal()) {
            prop_assert_eq!(cmp(&a, &b), a.cmp(&b));
        }

        #[test]
        fn differences_agree_with_rust_decimal_in_value_and_scale(a in decimal(), b in decimal()) {
            let (got, expected) = (sub(a, b), a - b);
            prop_assert!(same(got, expected), "{} - {}: {} ({}) vs {} ({})", a, b, got, got.scale(), expected, expected.scale());
        }

        #[test]
        fn sums_agree_with_rust_decimal_in_value_and_scale(values in prop::collection::vec(decimal(), 0..25)) {
            let expected = values.iter().fold(Decimal::ZERO, |a, v| a + v);
            let got = sum(values.iter().copied());
            prop_assert!(same(got, expected), "{:?}: {} ({}) vs {} ({})", values, got, got.scale(), expected, expected.scale());
        }
    }

    #[test]
    fn zeros_keep_the_scale_of_the_other_operand() {
        let d = |m, s| Decimal::new(m, s);
        for values in [vec![], vec![d(0, 2)], vec![d(0, 2), d(0, 1)], vec![d(15, 1), d(0, 2)], vec![d(0, 3), d(15, 1)]]
        {
            let expected = values.iter().fold(Decimal::ZERO, |a, v| a + v);
            assert!(same(sum(values.iter().copied()), expected), "{values:?}");
        }
        assert_eq!(sum([d(15, 1), d(25, 2)].into_iter()).to_string(), "1.75");
        assert_eq!(sum([d(15, 1), d(0, 2)].into_iter()).to_string(), "1.5");
    }
}

//! The two inexact operations of the index methods, with their precision stated:
//! the square root of a z-score's variance and the geometric mean. Everything else
//! (sums, weighted means, min-max, ratios) is exact decimal arithmetic (28 digits).

use rust_decimal::{Decimal, MathematicalOps};

/// Decimals kept of a geometric mean. exp and ln of rust_decimal (192-bit intermediate
/// mantissa) are good to about 26 significant digits; rounding to 20 decimals makes a
/// mean whose exact value is short (√(2 × 8) = 4) come out exactly.
pub const GEOMETRIC_DECIMALS: u32 = 20;

/// Square root by Newton's method from above (monotone, so it stops without oscillating);
/// exact to the last of rust_decimal's 28 digits, give or take one unit.
pub fn sqrt(v: Decimal) -> Decimal {
    if v <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let mut x = v.max(Decimal::ONE);
    for _ in 0..400 {
        let next = (x + v / x) / Decimal::TWO;
        if next >= x {
            break;
        }
        x = next;
    }
    x
}

/// Π pᵢ^(wᵢ ÷ Σw) over `(weight, value)`; `None` when the weights add up to 0.
/// A zero weight leaves its value out; a zero value (with weight) makes the mean 0.
pub fn geometric_mean(parts: &[(Decimal, Decimal)]) -> Option<Decimal> {
    let weights: Decimal = parts.iter().map(|p| p.0).sum();
    if weights.is_zero() {
        return None;
    }
    let parts: Vec<(Decimal, Decimal)> = parts.iter().copied().filter(|(w, _)| !w.is_zero()).collect();
    if parts.iter().any(|(_, p)| *p <= Decimal::ZERO) {
        return Some(Decimal::ZERO);
    }
    let first = parts[0].1;
    if parts.iter().all(|(_, p)| *p == first) {
        return Some(first);
    }
    let log: Decimal = parts.iter().map(|(w, p)| w * p.ln()).sum::<Decimal>() / weights;
    let mean = log.checked_exp().expect("a geometric mean lies between its parts, which are decimals");
    Some(mean.round_dp(GEOMETRIC_DECIMALS).normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn square_roots_are_exact_where_the_root_is_short() {
        assert_eq!(sqrt(dec!(4)), dec!(2));
        assert_eq!(sqrt(dec!(0.25)), dec!(0.5));
        assert_eq!(sqrt(dec!(0)), dec!(0));
        assert_eq!(sqrt(dec!(1)), dec!(1));
        let r = sqrt(dec!(2));
        assert!((r * r - dec!(2)).abs() < dec!(0.000000000000000000000000001), "{r}");
        let tiny = sqrt(dec!(0.0000000000000001));
        assert_eq!(tiny.round_dp(20), dec!(0.00000001));
    }

    #[test]
    fn geometric_means_of_short_results_come_out_exactly() {
        let one = Decimal::ONE;
        assert_eq!(geometric_mean(&[(one, dec!(2)), (one, dec!(8))]), Some(dec!(4)));
        assert_eq!(geometric_mean(&[(one, dec!(0.25)), (one, dec!(1))]), Some(dec!(0.5)));
        assert_eq!(geometric_mean(&[(one, dec!(0.5)), (one, dec!(0.5)), (one, dec!(0.5))]), Some(dec!(0.5)));
        // Weights 1 and 3: 16^(1/4) × 1^(3/4) = 2.
        assert_eq!(geometric_mean(&[(dec!(1), dec!(16)), (dec!(3), dec!(1))]), Some(dec!(2)));
        // ∛(0.1 × 0.2 × 0.4) = 0.2
        assert_eq!(geometric_mean(&[(one, dec!(0.1)), (one, dec!(0.2)), (one, dec!(0.4))]), Some(dec!(0.2)));
    }

    #[test]
    fn zero_weights_and_zero_values() {
        let one = Decimal::ONE;
        assert_eq!(geometric_mean(&[(Decimal::ZERO, dec!(0)), (one, dec!(0.3))]), Some(dec!(0.3)));
        assert_eq!(geometric_mean(&[(one, dec!(0)), (one, dec!(0.3))]), Some(dec!(0)));
        assert_eq!(geometric_mean(&[(Decimal::ZERO, dec!(0.3))]), None);
        assert_eq!(geometric_mean(&[]), None);
    }
}

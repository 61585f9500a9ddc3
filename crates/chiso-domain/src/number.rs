//! Exact numbers: points, rounding and Vietnamese number formatting.

use crate::exact::POW10;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// A number of points known to lie within `0..=max` of its criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Points(Decimal);

impl Points {
    pub const ZERO: Points = Points(Decimal::ZERO);

    /// `Err` carries the offending value back, so the caller can name it.
    pub fn new(value: Decimal, max: Decimal) -> Result<Points, Decimal> {
        if value.is_sign_negative() && !value.is_zero() || value > max { Err(value) } else { Ok(Points(value)) }
    }

    /// Clamps into `0..=max`: rule outputs are bounded by construction. (No normalising:
    /// decimals compare by value, and this runs for every criterion of every unit.)
    #[inline]
    pub fn clamped(value: Decimal, max: Decimal) -> Points {
        Points(if value.is_sign_negative() {
            Decimal::ZERO
        } else if crate::exact::cmp(&value, &max).is_gt() {
            max
        } else {
            value
        })
    }

    #[inline]
    pub fn value(self) -> Decimal {
        self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RoundingMode {
    /// 56.25 → 56.3 (the Vietnamese school rule, and the default).
    #[default]
    HalfUp,
    /// Banker's rounding: 56.25 → 56.2.
    HalfEven,
    /// Truncation toward zero: 56.29 → 56.2.
    Down,
}

/// Where the framework's rounding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RoundingScope {
    /// Each leaf criterion's points are rounded; groups and totals add rounded parts.
    Criterion,
    /// Points stay exact; only what is presented (every node, the total) is rounded.
    #[default]
    Total,
}

/// One declared rounding rule per framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rounding {
    pub decimals: u32,
    pub mode: RoundingMode,
    pub scope: RoundingScope,
    /// Decimals of "% of maximum"; same mode.
    pub percent_decimals: u32,
}

impl Rounding {
    #[inline]
    pub fn round(&self, value: Decimal) -> Decimal {
        round_to(value, self.decimals, self.mode)
    }

    /// `part / whole × 100`, rounded by the same rule. `None` when `whole` is 0.
    pub fn percent(&self, part: Decimal, whole: Decimal) -> Option<Decimal> {
        if whole.is_zero() {
            return None;
        }
        Some(round_to(part * Decimal::ONE_HUNDRED / whole, self.percent_decimals, self.mode))
    }

    /// The value as printed in a Vietnamese table: rounded, fixed decimals, decimal comma.
    pub fn format_vi(&self, value: Decimal) -> String {
        format_fixed(self.round(value), self.decimals, ',')
    }

    /// The value as a plain string with a dot and the framework's decimals ("45.2").
    pub fn format_plain(&self, value: Decimal) -> String {
        format_fixed(self.round(value), self.decimals, '.')
    }

    /// [`Rounding::format_plain`] written at the end of `out` (a national table writes
    /// half a million of them).
    pub fn write_plain(&self, out: &mut String, value: Decimal) {
        // Points at exactly the framework's decimals with a mantissa below 2³² (typed
        // points, sums of them): nothing to round or rescale, only the digits to write.
        let u = value.unpack();
        if u.hi == 0 && u.mid == 0 && !u.negative && u.scale == self.decimals && self.decimals < 10 {
            write_u32_fixed(out, u.lo, self.decimals as usize);
        } else {
            write_fixed(out, self.round(value), self.decimals, '.')
        }
    }
}

#[inline]
pub fn round_to(value: Decimal, decimals: u32, mode: RoundingMode) -> Decimal {
    // Already representable: nothing to round (the common case for typed points, and
    // rounding runs for every criterion of every unit).
    if value.scale() <= decimals {
        return value;
    }
    let strategy = match mode {
        RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
        RoundingMode::Down => RoundingStrategy::ToZero,
    };
    value.round_dp_with_strategy(decimals, strategy)
}

/// Fixed decimals with the given separator; thousands are not grouped
/// (scores never reach them, and grouping dots confuse decimal commas).
pub fn format_fixed(value: Decimal, decimals: u32, separator: char) -> String {
    let mut out = String::with_capacity(8);
    write_fixed(&mut out, value, decimals, separator);
    out
}

/// [`format_fixed`] written at the end of `out`.
pub fn write_fixed(out: &mut String, value: Decimal, decimals: u32, separator: char) {
    // A mantissa below 2⁶⁴ that stays there at `decimals` (every point of a table): rescaled
    // in 64 bits and written without the general path.
    let u = value.unpack();
    if u.hi == 0 && (decimals as usize) < POW10.len() {
        let m = (u64::from(u.mid) << 32) | u64::from(u.lo);
        let rescaled = if u.scale <= decimals {
            m.checked_mul(POW10[(decimals - u.scale) as usize])
        } else if u.scale - decimals < POW10.len() as u32 {
            // `Decimal::rescale` down: half away from zero on the first digit dropped.
            let p = POW10[(u.scale - decimals) as usize];
            let (q, r) = (m / p, m % p);
            Some(if r >= p / 2 { q + 1 } else { q })
        } else {
            None
        };
        if let Some(m) = rescaled {
            write_small(out, m, u.negative, decimals as usize, separator);
            return;
        }
    }
    write_fixed_wide(out, value, decimals, separator);
}

/// `m` × 10^-`scale` with `scale` decimals after `separator`; a zero has no sign, as in
/// [`write_fixed_wide`].
#[inline]
fn write_small(out: &mut String, mut m: u64, negative: bool, scale: usize, separator: char) {
    if negative && m != 0 {
        out.push('-');
    }
    // The digits' values (not their characters), last first.
    let mut digits = [0u8; 24];
    let mut n = 0;
    while m != 0 {
        digits[n] = (m % 10) as u8;
        m /= 10;
        n += 1;
    }
    // At least one digit before the separator (the buffer is of zeros).
    let n = n.max(scale + 1);
    out.reserve(n + 1);
    // Pushed one by one, each known to be an ASCII digit: no UTF-8 encoding, no copy call.
    let digit = |d: u8| char::from(b'0' + (d & 0x0F));
    for &d in digits[scale..n].iter().rev() {
        out.push(digit(d));
    }
    if scale > 0 {
        out.push(separator);
        for &d in digits[..scale].iter().rev() {
            out.push(digit(d));
        }
    }
}

/// `m` × 10^-`scale` with `scale` (below 10) decimals after a dot: what [`write_fixed`]
/// writes of a non-negative decimal already at that scale.
/// Kept apart from [`write_small`]: through it, `chiso score` on a national period ran
/// 25 M more instructions (3,7 %), measured with callgrind.
#[inline]
fn write_u32_fixed(out: &mut String, mut m: u32, scale: usize) {
    let mut digits = [0u8; 12];
    let mut n = 0;
    while m != 0 {
        digits[n] = (m % 10) as u8;
        m /= 10;
        n += 1;
    }
    let n = n.max(scale + 1);
    out.reserve(n + 1);
    let digit = |d: u8| char::from(b'0' + (d & 0x0F));
    for &d in digits[scale..n].iter().rev() {
        out.push(digit(d));
    }
    if scale > 0 {
        out.push('.');
        for &d in digits[..scale].iter().rev() {
            out.push(digit(d));
        }
    }
}

/// [`write_fixed`] through `Decimal::rescale`, for any decimal.
fn write_fixed_wide(out: &mut String, value: Decimal, decimals: u32, separator: char) {
    let mut v = value;
    v.rescale(decimals);
    // The digits of the mantissa, written once (a national export formats millions).
    let mantissa = v.mantissa();
    let mut digits = [0u8; 40];
    let mut n = mantissa.unsigned_abs();
    let mut start = digits.len();
    // 128-bit division is slow: the digits that fit in 64 bits are divided in 64 bits.
    while n > u128::from(u64::MAX) {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let mut n = n as u64;
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let scale = v.scale() as usize;
    // At least one digit before the separator.
    while digits.len() - start <= scale {
        start -= 1;
        digits[start] = b'0';
    }
    let digits = &digits[start..];
    let (whole, fraction) = digits.split_at(digits.len() - scale);
    if mantissa < 0 {
        out.push('-');
    }
    out.extend(whole.iter().map(|&d| d as char));
    if scale > 0 {
        out.push(separator);
        out.extend(fraction.iter().map(|&d| d as char));
    }
}

/// `text.trim()`: the text as it is when its first and last bytes are visible ASCII
/// characters (nearly every cell of a table), without decoding characters from both ends;
/// anything else (Unicode spaces such as a no-break space included) through `str::trim`.
#[inline]
pub fn trim(text: &str) -> &str {
    match text.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        [only] if only.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// Parses "45,2", "45.2", " 45 " as an exact decimal. Rejects thousands separators
/// and anything else, so a typo never becomes a silently different number.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = trim(text);
    let body = t.strip_prefix('-').unwrap_or(t);
    let (first, last) = (t.bytes().next()?, t.bytes().last()?);
    if matches!(first, b'.' | b',') || matches!(last, b'.' | b',') {
        return None;
    }
    // Up to 19 digits, the mantissa fits in 64 bits: no 128-bit arithmetic (a national
    // import reads a million figures); the same decimal, value, scale and sign, as below.
    let (mut mantissa, mut scale, mut digits, mut separator) = (0u64, 0u32, 0u32, false);
    for b in body.bytes() {
        match b {
            b'0'..=b'9' => {
                if digits == 19 {
                    return parse_wide(t, body);
                }
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
                scale += u32::from(separator);
            }
            b'.' | b',' if !separator => separator = true,
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    let negative = body.len() < t.len() && mantissa != 0;
    Some(Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, 0, negative, scale))
}

/// [`parse_decimal`] in 128 bits: `t` trimmed, `body` without its minus sign.
fn parse_wide(t: &str, body: &str) -> Option<Decimal> {
    // One pass, no allocation: a national import reads a million figures.
    let (mut mantissa, mut scale, mut digits, mut separator) = (0i128, 0u32, 0u32, false);
    for b in body.bytes() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + i128::from(b - b'0');
                digits += 1;
                scale += u32::from(separator);
                if digits > 28 {
                    return parse_long(t);
                }
            }
            b'.' | b',' if !separator => separator = true,
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    Some(Decimal::from_i128_with_scale(if body.len() < t.len() { -mantissa } else { mantissa }, scale))
}

/// More digits than a decimal holds exactly: as the decimal type reads them.
fn parse_long(t: &str) -> Option<Decimal> {
    t.replace(',', ".").parse::<Decimal>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_of_up_to_19_digits_parse_as_in_128_bits() {
        let texts = [
            "0",
            "-0",
            "0.0",
            "-0,00",
            "1",
            "-1",
            "45,2",
            "45.20",
            " 7 ",
            "0.5",
            "-12.125",
            "1.000",
            "9999999999999999999",
            "-999999999999999999.9",
            "18446744073709551615",
            "99999999999999999999",
            "0.0000000000000000001",
            "123456789012345678901234567.8",
            "1234567890123456789012345678901",
            "1.2.3",
            "1-2",
            "",
            "-",
            ".5",
            "5.",
            "abc",
            "1e5",
            "١",
        ];
        for t in texts {
            let trimmed = t.trim();
            let body = trimmed.strip_prefix('-').unwrap_or(trimmed);
            let wide =
                if trimmed.is_empty() || [".", ","].iter().any(|s| trimmed.starts_with(s) || trimmed.ends_with(s)) {
                    None
                } else {
                    parse_wide(trimmed, body)
                };
            let bits = |d: Option<Decimal>| d.map(|d| d.serialize());
            assert_eq!(bits(parse_decimal(t)), bits(wide), "{t:?}");
        }
        assert_eq!(parse_decimal("-0").map(|d| d.is_sign_negative()), Some(false));
        assert_eq!(parse_decimal("45.20").map(|d| d.to_string()), Some("45.20".into()));
    }
    use rust_decimal_macros::dec;

    fn r(decimals: u32, mode: RoundingMode) -> Rounding {
        Rounding { decimals, mode, scope: RoundingScope::Total, percent_decimals: decimals }
    }

    /// The parser as it was written first (allocating, by the decimal type's own parser):
    /// the one-pass parser must accept and refuse exactly what it did.
    fn parse_reference(text: &str) -> Option<Decimal> {
        let t = text.trim();
        if t.is_empty() || t.matches([',', '.']).count() > 1 {
            return None;
        }
        let t = t.replace(',', ".");
        let ok = t.strip_prefix('-').unwrap_or(&t).chars().all(|c| c.is_ascii_digit() || c == '.');
        if !ok || t.starts_with('.') || t.ends_with('.') {
            return None;
        }
        t.parse::<Decimal>().ok()
    }

    #[test]
    fn the_one_pass_parser_reads_what_the_reference_reads() {
        let cases = [
            "45,2",
            "45.2",
            " 45 ",
            "0",
            "007",
            "0.85",
            "1,00",
            "-3,5",
            "-,5",
            "-.5",
            "5.",
            ".5",
            ",5",
            "1.2.3",
            "1,2.3",
            "",
            " ",
            "-",
            "+5",
            "1 000",
            "1e3",
            "٣",
            "12345678901234567890.12345678",
            "99999999999999999999999999999",
            "0.0000000000000000000000000001",
            "-0",
            "-0,00",
            "3.2",
            "\u{a0}7,5\u{a0}",
            "7,5x",
            "x",
            "--5",
        ];
        for c in cases {
            let (ours, reference) = (parse_decimal(c), parse_reference(c));
            assert_eq!(ours, reference, "{c:?}");
            if let (Some(a), Some(b)) = (ours, reference) {
                assert_eq!(a.scale(), b.scale(), "{c:?}: the decimals typed are kept");
            }
        }
    }

    #[test]
    fn fixed_formatting_writes_every_decimal() {
        for (v, d, sep, out) in [
            (dec!(45), 1, '.', "45.0"),
            (dec!(0.85), 2, ',', "0,85"),
            (dec!(-3.456), 2, ',', "-3,46"),
            (dec!(0.05), 1, '.', "0.1"),
            (dec!(7), 0, ',', "7"),
            (dec!(-0.004), 2, '.', "0.00"),
            (dec!(123456.789), 3, ',', "123456,789"),
        ] {
            assert_eq!(format_fixed(v, d, sep), out, "{v} {d}");
        }
    }

    #[test]
    fn fixed_formatting_writes_mantissas_beyond_64_bits() {
        for v in [Decimal::MAX, Decimal::MIN, Decimal::from(u64::MAX) + Decimal::ONE, Decimal::from(u64::MAX)] {
            assert_eq!(format_fixed(v, 0, '.'), v.to_string());
        }
        let mut out = String::from("x=");
        write_fixed(&mut out, dec!(18446744073709551616.5), 1, ',');
        assert_eq!(out, "x=18446744073709551616,5");
    }

    #[test]
    fn the_ascii_trim_is_str_trim() {
        for t in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "0.63",
            " 0.63 ",
            "\t7,5",
            "7,5\t",
            "\u{a0}7,5\u{a0}",
            "7,5\u{a0}",
            "\u{a0}7",
            "\u{3000}x",
            "x\u{2003}",
            "Đạt",
            "có",
            " không ",
            "\r\n1\n",
            "-0",
            "1,5",
            "~",
            "!",
        ] {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
    }

    #[test]
    fn fixed_formatting_in_64_bits_is_the_rescaled_decimal_written() {
        let mut values = vec![
            Decimal::ZERO,
            -Decimal::new(0, 3),
            Decimal::new(5, 3),
            Decimal::new(-5, 3),
            Decimal::new(4, 3),
            Decimal::new(-4, 3),
            Decimal::new(15, 3),
            Decimal::new(1_005, 3),
            Decimal::new(-1_005, 3),
            Decimal::new(99_995, 3),
            Decimal::new(99_994_999, 6),
            Decimal::new(63, 2),
            Decimal::new(12_000, 0),
            Decimal::new(1, 28),
            Decimal::new(5, 20),
            Decimal::new(5, 19),
            Decimal::new(i64::MAX, 0),
            Decimal::new(i64::MAX, 5),
            Decimal::new(i64::MIN + 1, 18),
            Decimal::from(u64::MAX),
            Decimal::from_parts(u32::MAX, u32::MAX, 0, false, 19),
            Decimal::from_parts(u32::MAX, u32::MAX, 0, true, 4),
            Decimal::from_parts(0, 0, 1, false, 2),
            Decimal::MAX,
            Decimal::MIN,
            dec!(9999999999999999999.5),
            dec!(1844674407370955161.55),
        ];
        for m in [0u64, 1, 4, 5, 6, 9, 10, 44, 45, 46, 49, 50, 51, 99, 100, 12_345, 1_000_000_005] {
            for s in 0..=12 {
                values.push(Decimal::from_parts(m as u32, (m >> 32) as u32, 0, false, s));
                values.push(Decimal::from_parts(m as u32, (m >> 32) as u32, 0, true, s));
            }
        }
        for v in values {
            for decimals in [0, 1, 2, 3, 4, 6, 9, 18, 19, 20, 28] {
                let (mut fast, mut wide) = (String::from("x"), String::from("x"));
                write_fixed(&mut fast, v, decimals, ',');
                write_fixed_wide(&mut wide, v, decimals, ',');
                assert_eq!(fast, wide, "{v} ({}) at {decimals}", v.scale());
            }
        }
        for decimals in [0, 1, 2, 3, 9] {
            let h = r(decimals, RoundingMode::HalfUp);
            for m in [0u32, 1, 5, 9, 10, 99, 100, 101, 1_000, 12_345, 999_999_999, u32::MAX] {
                for scale in [0, 1, 2, 3, 9, 10] {
                    for negative in [false, true] {
                        let v = Decimal::from_parts(m, 0, 0, negative, scale);
                        let (mut plain, mut wide) = (String::new(), String::new());
                        h.write_plain(&mut plain, v);
                        write_fixed_wide(&mut wide, h.round(v), decimals, '.');
                        assert_eq!(plain, wide, "{v} at {decimals}");
                    }
                }
            }
        }
        let h = r(2, RoundingMode::HalfUp);
        let mut out = String::new();
        for v in [dec!(0.005), dec!(1.005), dec!(-1.005), dec!(0.004999), dec!(2.675), dec!(-0)] {
            out.clear();
            h.write_plain(&mut out, v);
            assert_eq!(out, format_fixed_reference(h.round(v), 2), "{v}");
        }
    }

    /// Fixed decimals as the decimal type prints itself.
    fn format_fixed_reference(v: Decimal, decimals: u32) -> String {
        let mut v = v;
        v.rescale(decimals);
        let s = v.to_string();
        if s.starts_with('-') && v.is_zero() { s[1..].to_string() } else { s }
    }

    #[test]
    fn half_up_rounds_midpoints_away_from_zero() {
        let h = r(1, RoundingMode::HalfUp);
        assert_eq!(h.round(dec!(56.25)), dec!(56.3));
        assert_eq!(h.round(dec!(45.15)), dec!(45.2));
        assert_eq!(h.round(dec!(45.14999)), dec!(45.1));
        assert_eq!(r(2, RoundingMode::HalfUp).round(dec!(93.045)), dec!(93.05));
    }

    #[test]
    fn half_even_and_down_differ_from_half_up() {
        assert_eq!(r(1, RoundingMode::HalfEven).round(dec!(56.25)), dec!(56.2));
        assert_eq!(r(1, RoundingMode::Down).round(dec!(56.29)), dec!(56.2));
    }

    #[test]
    fn vietnamese_format_uses_decimal_comma_and_fixed_decimals() {
        assert_eq!(r(1, RoundingMode::HalfUp).format_vi(dec!(56.25)), "56,3");
        assert_eq!(r(2, RoundingMode::HalfUp).format_vi(dec!(7)), "7,00");
        assert_eq!(r(1, RoundingMode::HalfUp).format_plain(dec!(45)), "45.0");
    }

    #[test]
    fn percent_uses_the_same_rule() {
        let h = Rounding { percent_decimals: 1, ..r(1, RoundingMode::HalfUp) };
        // Sở GD&ĐT, app: 15.9 of 16 = 99.375 % → 99.4 %
        assert_eq!(h.percent(dec!(15.9), dec!(16)), Some(dec!(99.4)));
        assert_eq!(h.percent(dec!(1), dec!(0)), None);
    }

    #[test]
    fn parses_decimal_comma_and_dot_and_rejects_garbage() {
        assert_eq!(parse_decimal("45,2"), Some(dec!(45.2)));
        assert_eq!(parse_decimal(" 45.2 "), Some(dec!(45.2)));
        assert_eq!(parse_decimal("-1"), Some(dec!(-1)));
        for bad in ["", "1.000,5", "abc", "4 5", "5.", ",5", "1e3"] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn points_reject_values_outside_their_range() {
        assert!(Points::new(dec!(8.1), dec!(8)).is_err());
        assert!(Points::new(dec!(-0.1), dec!(8)).is_err());
        assert_eq!(Points::new(dec!(8.0), dec!(8)).unwrap().value(), dec!(8));
        assert_eq!(Points::clamped(dec!(9), dec!(8)).value(), dec!(8));
    }
}

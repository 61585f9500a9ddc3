//! Text as the auditor compares it: case, spacing and tone-mark placement folded;
//! printed numbers parsed with the decimals they show, and formatted back the same way.

use crate::model::Num;
use chiso_domain::Decimal;
use chiso_domain::number::{RoundingMode, round_to};

/// Lower case, single spaces, no-break spaces as spaces, and the old and new placements
/// of Vietnamese tone marks made equal ("Hoà" and "Hòa").
pub fn norm(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| if c.is_whitespace() || c == '\u{a0}' { ' ' } else { c })
        .flat_map(char::to_lowercase)
        .collect();
    let joined = spaced.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    fold_tones(&joined)
}

/// "oà" → "òa", "uý" → "úy", …: the tone mark on the first vowel of these pairs.
fn fold_tones(s: &str) -> String {
    const PAIRS: [(char, char, char); 15] = [
        ('o', 'à', 'ò'),
        ('o', 'á', 'ó'),
        ('o', 'ả', 'ỏ'),
        ('o', 'ã', 'õ'),
        ('o', 'ạ', 'ọ'),
        ('o', 'è', 'ò'),
        ('o', 'é', 'ó'),
        ('o', 'ẻ', 'ỏ'),
        ('o', 'ẽ', 'õ'),
        ('o', 'ẹ', 'ọ'),
        ('u', 'ỳ', 'ù'),
        ('u', 'ý', 'ú'),
        ('u', 'ỷ', 'ủ'),
        ('u', 'ỹ', 'ũ'),
        ('u', 'ỵ', 'ụ'),
    ];
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if i + 1 < chars.len()
            && let Some((_, _, toned)) = PAIRS.iter().find(|(a, b, _)| *a == chars[i] && *b == chars[i + 1])
        {
            out.push(*toned);
            let base = match chars[i + 1] {
                'à' | 'á' | 'ả' | 'ã' | 'ạ' => 'a',
                'è' | 'é' | 'ẻ' | 'ẽ' | 'ẹ' => 'e',
                _ => 'y',
            };
            out.push(base);
            i += 2;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// A printed number: "45,2", "45.2", " 120 ", "-1", "0,0". Thousands separators, units
/// and anything else make it text. Returns the value and the decimals shown.
pub fn parse_num(text: &str) -> Option<Num> {
    let t: String = text.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    let t = t.replace('−', "-");
    let t = t.strip_prefix('+').unwrap_or(&t);
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    let digits = t.strip_prefix('-').unwrap_or(t);
    let mut seps = digits.char_indices().filter(|(_, c)| *c == ',' || *c == '.');
    let sep = seps.next();
    if seps.next().is_some() || !digits.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.') {
        return None;
    }
    let decimals = match sep {
        Some((i, _)) => {
            if i == 0 || i + 1 == digits.len() {
                return None;
            }
            (digits.len() - i - 1) as u32
        }
        None => 0,
    };
    if decimals > MAX_DECIMALS {
        return None;
    }
    let value: Decimal = t.replace(',', ".").parse().ok()?;
    sane(Num { value, decimals })
}

/// More decimals than this, or a magnitude from [`LIMIT`] up, is not a score: such text
/// stays text, so that sums and scalings of printed numbers can never overflow.
pub const MAX_DECIMALS: u32 = 10;
pub const LIMIT: i64 = 1_000_000_000_000;

pub fn sane(n: Num) -> Option<Num> {
    (n.decimals <= MAX_DECIMALS && n.value.abs() < Decimal::from(LIMIT)).then_some(n)
}

/// `value` with exactly `decimals` decimals and the given separator (no thousands grouping).
pub fn format_num(value: Decimal, decimals: u32, separator: char) -> String {
    let v = round(value, decimals, RoundingMode::HalfUp);
    chiso_domain::number::format_fixed(v, decimals, separator)
}

pub fn round(value: Decimal, decimals: u32, mode: RoundingMode) -> Decimal {
    round_to(value, decimals.min(20), mode)
}

/// How many units of the last printed decimal separate `a` from `b`.
pub fn ulps(a: Decimal, b: Decimal, decimals: u32) -> Decimal {
    let mut scale = Decimal::ONE;
    for _ in 0..decimals.min(20) {
        scale *= Decimal::TEN;
    }
    ((a - b) * scale).abs()
}

/// A letter or digit: what a name cannot be cut in the middle of.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Every non-overlapping occurrence of `needle` in `haystack` (both normalized) that starts
/// and ends at a word boundary, as byte ranges of `haystack`.
pub fn find_words(haystack: &str, needle: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before_ok = haystack[..start].chars().next_back().is_none_or(|c| !is_word_char(c));
        let after_ok = haystack[end..].chars().next().is_none_or(|c| !is_word_char(c));
        if before_ok && after_ok {
            out.push((start, end));
            from = end;
        } else {
            from = start + haystack[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// A 4-digit year in a plausible range.
pub fn year(text: &str) -> Option<i32> {
    let t = text.trim();
    if t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()) {
        let y: i32 = t.parse().ok()?;
        (1900..=2200).contains(&y).then_some(y)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_spaces_and_tone_placement() {
        assert_eq!(norm("  Huyện  Hoà An "), norm("huyện hòa an"));
        assert_eq!(norm("Thuý"), norm("thúy"));
    }

    #[test]
    fn parses_printed_numbers_with_their_decimals() {
        let n = parse_num("45,20").unwrap();
        assert_eq!((n.value.to_string(), n.decimals), ("45.20".to_string(), 2));
        assert_eq!(parse_num("120").unwrap().decimals, 0);
        for bad in ["", "1.000,5", "abc", "5.", ",5", "Năm 2020", "(1)"] {
            assert!(parse_num(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn finds_whole_words_only() {
        let text = "mức ii và mức i.";
        let found = find_words(text, "mức i");
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].0..], "mức i.");
    }
}

//! Vietnamese formatting, in one place: numbers, counts, lists of names, dates.

use rust_decimal::Decimal;

/// "56,3": the given decimals, decimal comma (values arrive already rounded by the framework's rule).
pub fn number(value: Decimal, decimals: u32) -> String {
    chiso_domain::number::format_fixed(value, decimals, ',')
}

/// A declared value without trailing zeros: thresholds and maxima ("54", "100,4", "93,05").
pub fn exact(value: Decimal) -> String {
    value.normalize().to_string().replace('.', ",")
}

/// Counts as administrative documents write them: "01", "04", "12".
pub fn count(n: usize) -> String {
    format!("{n:02}")
}

/// "A", "A và B", "A, B và C".
pub fn list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} và {last}", init.join(", ")),
    }
}

/// "Cao Bằng, ngày 15 tháng 3 năm 2021", or blanks to fill in by hand.
pub fn date_line(place: &str, date: Option<(u32, u32, i32)>) -> String {
    match date {
        Some((d, m, y)) => format!("{place}, ngày {d:02} tháng {m:02} năm {y}"),
        None => format!("{place}, ngày      tháng      năm       "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(number("56.3".parse().unwrap(), 1), "56,3");
        assert_eq!(number(Decimal::from(7), 2), "7,00");
        assert_eq!(count(1), "01");
        assert_eq!(list(&["A".into(), "B".into(), "C".into()]), "A, B và C");
        assert_eq!(date_line("Cao Bằng", Some((5, 3, 2021))), "Cao Bằng, ngày 05 tháng 03 năm 2021");
    }
}

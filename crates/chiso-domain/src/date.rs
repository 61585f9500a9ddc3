//! A calendar date as deadlines are written (`YYYY-MM-DD`): `2021-02-30` and `abcd-ef-gh`
//! are not dates, so a deadline is either real or refused, and "past" means something.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Parses exactly `YYYY-MM-DD` (years 1900–9999), a day that exists in that month.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u16> {
            b[r].iter().try_fold(0u16, |n, c| c.is_ascii_digit().then(|| n * 10 + u16::from(c - b'0')))
        };
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        let month = month as u8;
        if day == 0 || day > u16::from(days_in(year, month)) {
            return None;
        }
        Some(Date { year, month, day: day as u8 })
    }

    /// The date of a Unix time (seconds), in UTC.
    pub fn from_unix(seconds: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = seconds.div_euclid(86_400) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }

    pub fn year(&self) -> u16 {
        self.year
    }
}

fn days_in(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn only_real_dates_parse() {
        assert_eq!(Date::parse("2021-12-31").unwrap().to_string(), "2021-12-31");
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        for bad in [
            "abcd-ef-gh",
            "2021-02-29",
            "2021-13-01",
            "2021-00-10",
            "2021-04-31",
            "21-1-1",
            "2021-1-01",
            "",
            "２０２１-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(Date::parse("2021-01-31").unwrap() < Date::parse("2021-02-01").unwrap());
    }

    #[test]
    fn unix_time_to_date() {
        assert_eq!(Date::from_unix(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix(951_782_400).to_string(), "2000-02-29");
        assert_eq!(Date::from_unix(1_796_515_200).to_string(), "2026-12-06");
    }
}

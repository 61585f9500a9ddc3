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

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn epoch_days(&self) -> i64 {
        let (mo, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + d - 1;
        era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }

    /// Days from `self` to `other` (negative when `other` is earlier).
    pub fn days_until(&self, other: Date) -> i64 {
        other.epoch_days() - self.epoch_days()
    }

    /// As Vietnamese write a date: `31/12/2026`.
    pub fn day_month_year(&self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

/// A UTC timestamp as stored (`2026-12-05T23:38:06Z`) in Vietnam's time (UTC+7, no daylight
/// saving), as people read it: `06/12/2026 06:38`. `None` if it is not such a timestamp.
pub fn vietnam_time(utc: &str) -> Option<String> {
    let b = utc.as_bytes();
    if b.len() != 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let day = Date::parse(&utc[..10])?;
    let num = |r: std::ops::Range<usize>| utc.get(r)?.parse::<i64>().ok();
    let (h, m, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    let local = day.epoch_days() * 86_400 + h * 3600 + m * 60 + s + 7 * 3600;
    let date = Date::from_unix(local);
    let secs = local.rem_euclid(86_400);
    Some(format!("{} {:02}:{:02}", date.day_month_year(), secs / 3600, secs % 3600 / 60))
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
    use super::vietnam_time;

    #[test]
    fn times_as_read_in_vietnam() {
        assert_eq!(vietnam_time("2026-12-05T23:38:06Z").as_deref(), Some("06/12/2026 06:38"), "past midnight there");
        assert_eq!(vietnam_time("2024-02-28T17:00:00Z").as_deref(), Some("29/02/2024 00:00"), "a leap day");
        assert_eq!(vietnam_time("2026-12-31T16:59:59Z").as_deref(), Some("31/12/2026 23:59"));
        assert_eq!(vietnam_time("2026-12-31T17:00:00Z").as_deref(), Some("01/01/2027 00:00"), "a new year");
        assert_eq!(vietnam_time("2026-12-05 23:38:06"), None);
        assert_eq!(vietnam_time("2026-02-30T00:00:00Z"), None);
        assert_eq!(Date::parse("2026-12-31").unwrap().day_month_year(), "31/12/2026");
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(d("2026-12-06").days_until(d("2026-12-31")), 25);
        assert_eq!(d("2024-02-28").days_until(d("2024-03-01")), 2, "across a leap day");
        assert_eq!(d("2027-01-01").days_until(d("2026-12-31")), -1);
        assert_eq!(Date::from_unix(d("2026-12-06").epoch_days() * 86_400), d("2026-12-06"));
    }

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

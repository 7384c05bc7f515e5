//! Calendar arithmetic and the small parsers behind [`super`]'s conversions.
//!
//! Hand-written because the job is small: proleptic Gregorian days (Howard Hinnant's
//! `days_from_civil`), RFC 3339 timestamps, `YYYY-MM-DD` dates and `google-duration`.

use std::fmt::Write as _;

/// Seconds and nanoseconds since the Unix epoch (`nanos` < 10^9, `seconds` may be negative).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Timestamp {
    pub(super) seconds: i64,
    pub(super) nanos: u32,
}

pub(super) const NANOS_PER_SECOND: u32 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

pub(super) fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub(super) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a (valid) civil date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    // Both are small and positive by construction.
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u32, day)
}

/// Appends `.123`, `.123456` or `.123456789` (or nothing) like the proto3 JSON mapping:
/// the shortest of 0, 3, 6 or 9 digits that is exact.
pub(super) fn write_fraction(out: &mut String, nanos: u32) {
    // Writing into a String cannot fail.
    let _ = match nanos {
        0 => Ok(()),
        n if n % 1_000_000 == 0 => write!(out, ".{:03}", n / 1_000_000),
        n if n % 1_000 == 0 => write!(out, ".{:06}", n / 1_000),
        n => write!(out, ".{n:09}"),
    };
}

/// RFC 3339 in UTC (`2026-11-10T08:30:00.5Z` is written `…T08:30:00.500Z`).
///
/// Years outside 0000–9999, which RFC 3339 cannot express, are written with a sign and
/// more digits (`+10000-01-01T00:00:00Z`), as chrono does.
pub(super) fn format_rfc3339(timestamp: Timestamp) -> String {
    let days = timestamp.seconds.div_euclid(SECONDS_PER_DAY);
    let second_of_day = timestamp.seconds.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(30);
    let _ = if (0..=9999).contains(&year) {
        write!(out, "{year:04}")
    } else {
        write!(out, "{year:+05}")
    };
    let _ = write!(
        out,
        "-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    );
    write_fraction(&mut out, timestamp.nanos);
    out.push('Z');
    out
}

/// A left-to-right reader over ASCII text; errors name the byte offset.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Exactly `count` decimal digits.
    fn digits(&mut self, count: usize, what: &str) -> Result<u32, String> {
        let start = self.pos;
        let mut value = 0u32;
        for _ in 0..count {
            match self.peek() {
                Some(b @ b'0'..=b'9') => {
                    value = value * 10 + u32::from(b - b'0');
                    self.pos += 1;
                }
                _ => {
                    return Err(format!("expected {count} digits of {what} at byte {start}"));
                }
            }
        }
        Ok(value)
    }

    fn expect(&mut self, accepted: &[u8], what: &str) -> Result<u8, String> {
        match self.peek() {
            Some(b) if accepted.contains(&b) => {
                self.pos += 1;
                Ok(b)
            }
            _ => Err(format!("expected {what} at byte {}", self.pos)),
        }
    }

    /// One or more digits after a `.`: the first nine as nanoseconds, the rest dropped.
    fn fraction(&mut self) -> Result<u32, String> {
        let start = self.pos;
        let mut nanos = 0u32;
        while let Some(b @ b'0'..=b'9') = self.peek() {
            if self.pos - start < 9 {
                nanos = nanos * 10 + u32::from(b - b'0');
            }
            self.pos += 1;
        }
        match self.pos - start {
            0 => Err(format!("expected digits after '.' at byte {start}")),
            n if n < 9 => Ok(nanos * 10u32.pow((9 - n) as u32)),
            _ => Ok(nanos),
        }
    }

    fn end(&self) -> Result<(), String> {
        match self.pos == self.bytes.len() {
            true => Ok(()),
            false => Err(format!("unexpected text at byte {}", self.pos)),
        }
    }
}

/// `YYYY-MM-DD`, checked against the calendar.
fn read_date(cursor: &mut Cursor) -> Result<(i64, u32, u32), String> {
    let year = i64::from(cursor.digits(4, "the year")?);
    cursor.expect(b"-", "'-'")?;
    let month_at = cursor.pos;
    let month = cursor.digits(2, "the month")?;
    if !(1..=12).contains(&month) {
        return Err(format!("month {month} at byte {month_at} is not 01-12"));
    }
    cursor.expect(b"-", "'-'")?;
    let day_at = cursor.pos;
    let day = cursor.digits(2, "the day")?;
    if day == 0 || day > days_in_month(year, month) {
        return Err(format!(
            "day {day} at byte {day_at} is not in {year:04}-{month:02}"
        ));
    }
    Ok((year, month, day))
}

/// A full-date alone (the Discovery `date` format).
pub(super) fn parse_date(text: &str) -> Result<(i64, u32, u32), String> {
    let mut cursor = Cursor::new(text);
    let date = read_date(&mut cursor)?;
    cursor.end()?;
    Ok(date)
}

/// `HH` then `:MM` with range checks; shared by the time of day and the offset.
fn read_hour_minute(cursor: &mut Cursor, what: &str) -> Result<(u32, u32), String> {
    let hour_at = cursor.pos;
    let hour = cursor.digits(2, "the hour")?;
    if hour > 23 {
        return Err(format!("{what} hour {hour} at byte {hour_at} is not 00-23"));
    }
    cursor.expect(b":", "':'")?;
    let minute_at = cursor.pos;
    let minute = cursor.digits(2, "the minute")?;
    if minute > 59 {
        return Err(format!(
            "{what} minute {minute} at byte {minute_at} is not 00-59"
        ));
    }
    Ok((hour, minute))
}

/// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
///
/// `t`, `z` and a space for `T` are accepted (RFC 3339 allows them); a leap second (`:60`)
/// is read as the first second of the next minute.
pub(super) fn parse_rfc3339(text: &str) -> Result<Timestamp, String> {
    let mut cursor = Cursor::new(text);
    let (year, month, day) = read_date(&mut cursor)?;
    cursor.expect(b"Tt ", "'T' between date and time")?;
    let (hour, minute) = read_hour_minute(&mut cursor, "time")?;
    cursor.expect(b":", "':'")?;
    let second_at = cursor.pos;
    let second = cursor.digits(2, "the second")?;
    if second > 60 {
        return Err(format!("second {second} at byte {second_at} is not 00-60"));
    }
    let nanos = match cursor.peek() {
        Some(b'.') => {
            cursor.pos += 1;
            cursor.fraction()?
        }
        _ => 0,
    };
    let offset_seconds = match cursor.expect(b"Zz+-", "'Z' or a '+HH:MM'/'-HH:MM' offset")? {
        sign @ (b'+' | b'-') => {
            let (hours, minutes) = read_hour_minute(&mut cursor, "offset")?;
            let offset = i64::from(hours * 3600 + minutes * 60);
            if sign == b'-' { -offset } else { offset }
        }
        _ => 0,
    };
    cursor.end()?;
    let seconds = days_from_civil(year, month, day) * SECONDS_PER_DAY
        + i64::from(hour * 3600 + minute * 60 + second)
        - offset_seconds;
    Ok(Timestamp { seconds, nanos })
}

/// `google-duration`: `[-]SECONDS[.FRACTION]s` with at most nine fraction digits.
/// Returns whether it is negative, the whole seconds and the nanoseconds.
pub(super) fn parse_duration(text: &str) -> Result<(bool, u64, u32), String> {
    let mut cursor = Cursor::new(text);
    let negative = cursor.peek() == Some(b'-');
    cursor.pos += usize::from(negative);
    let start = cursor.pos;
    let mut seconds = 0u64;
    while let Some(b @ b'0'..=b'9') = cursor.peek() {
        seconds = seconds
            .checked_mul(10)
            .and_then(|s| s.checked_add(u64::from(b - b'0')))
            .ok_or_else(|| format!("seconds at byte {start} overflow 64 bits"))?;
        cursor.pos += 1;
    }
    if cursor.pos == start {
        return Err(format!("expected seconds at byte {start}"));
    }
    let nanos = match cursor.peek() {
        Some(b'.') => {
            cursor.pos += 1;
            let fraction_at = cursor.pos;
            let nanos = cursor.fraction()?;
            if cursor.pos - fraction_at > 9 {
                return Err(format!("more than 9 fraction digits at byte {fraction_at}"));
            }
            nanos
        }
        _ => 0,
    };
    cursor.expect(b"s", "'s'")?;
    cursor.end()?;
    Ok((negative, seconds, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_over_eight_centuries() {
        // Day by day from 1600-03-01 (a 400-year cycle boundary) to 2400: every date and
        // back, with the calendar advancing one day at a time.
        let start = days_from_civil(1600, 3, 1);
        let mut expected = (1600, 3, 1);
        for days in start..days_from_civil(2400, 3, 1) {
            assert_eq!(civil_from_days(days), expected, "day {days}");
            assert_eq!(days_from_civil(expected.0, expected.1, expected.2), days);
            let (y, m, d) = expected;
            expected = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    #[test]
    fn epoch_and_known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(civil_from_days(-719_528), (0, 1, 1));
    }

    #[test]
    fn leap_years() {
        assert!(is_leap_year(2000) && is_leap_year(2024) && is_leap_year(0));
        assert!(!is_leap_year(1900) && !is_leap_year(2023) && !is_leap_year(2100));
    }
}

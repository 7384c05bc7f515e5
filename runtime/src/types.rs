//! String-backed types for the Discovery formats `date-time`, `google-datetime`, `date`,
//! `google-duration` and `google-fieldmask`.
//!
//! Each type keeps the exact wire value (so a value read and written back is unchanged, and
//! a value this crate cannot interpret still round-trips) and converts to and from the std
//! type a user expects on request:
//!
//! ```
//! use std::time::{Duration as StdDuration, SystemTime};
//! use discogen_runtime::types::{DateTime, Duration, FieldMask};
//!
//! let created = DateTime::from("2026-11-10T09:30:00.250+01:00");
//! let utc = DateTime::from_system_time(created.to_system_time()?);
//! assert_eq!(utc.as_str(), "2026-11-10T08:30:00.250Z");
//!
//! assert_eq!(Duration::from("3.5s").to_std()?, StdDuration::from_millis(3500));
//! assert_eq!(FieldMask::from_paths(["animalName", "peltColor"]).as_str(), "animalName,peltColor");
//! # Ok::<(), discogen_runtime::types::ConversionError>(())
//! ```

mod calendar;

use std::fmt;
use std::time::{Duration as StdDuration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use calendar::{NANOS_PER_SECOND, Timestamp};

/// A wire value that does not convert: which format, the value, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {format} {value:?}: {reason}")]
pub struct ConversionError {
    format: &'static str,
    value: String,
    reason: String,
}

impl ConversionError {
    fn new(format: &'static str, value: &str, reason: impl Into<String>) -> Self {
        ConversionError {
            format,
            value: value.to_owned(),
            reason: reason.into(),
        }
    }

    /// The value that did not convert.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What is wrong with it, with the byte offset where that applies.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Defines a `String` newtype with the accessors and conversions every wire type shares.
macro_rules! wire_string {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The wire value, exactly as received or given.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The wire value as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            /// Wraps a wire value as is; it is checked when converted.
            fn from(value: String) -> Self {
                $name(value)
            }
        }

        impl From<&str> for $name {
            /// Wraps a wire value as is; it is checked when converted.
            fn from(value: &str) -> Self {
                $name(value.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

wire_string! {
    /// A timestamp (`date-time`, `google-datetime`): RFC 3339 text such as
    /// `2026-11-10T08:30:00.5Z`.
    ///
    /// Equality compares the text, so the same instant written with another offset or
    /// precision is a different value; compare [`DateTime::to_system_time`] results for
    /// instants. (No `Ord` for the same reason.)
    DateTime
}

wire_string! {
    /// A calendar date (`date`): `YYYY-MM-DD`, without a time zone.
    #[derive(PartialOrd, Ord)]
    Date
}

wire_string! {
    /// A span of time (`google-duration`): seconds with up to nine fraction digits and an
    /// `s` suffix, such as `3.5s` or `-0.000000001s`.
    ///
    /// Equality compares the text (`"1s"` and `"1.000s"` differ); convert with
    /// [`Duration::to_std`] to compare spans.
    Duration
}

wire_string! {
    /// A field mask (`google-fieldmask`): field paths separated by commas, such as
    /// `animalName,mother.peltColor`.
    #[derive(PartialOrd, Ord)]
    FieldMask
}

const DATE_TIME: &str = "RFC 3339 date-time";
const DATE: &str = "date (YYYY-MM-DD)";
const DURATION: &str = "google-duration";

impl DateTime {
    /// The instant as RFC 3339 in UTC with a `Z` suffix and 0, 3, 6 or 9 fraction digits
    /// (the shortest that is exact), as Google's own libraries write it.
    ///
    /// Years after 9999 or before 0, which RFC 3339 cannot express, are written with a sign
    /// and more digits (`+10000-01-01T00:00:00Z`); [`DateTime::to_system_time`] rejects them.
    pub fn from_system_time(time: SystemTime) -> Self {
        let timestamp = match time.duration_since(UNIX_EPOCH) {
            // SystemTime holds at most i64::MAX seconds on every platform std supports.
            Ok(after) => Timestamp {
                seconds: i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
                nanos: after.subsec_nanos(),
            },
            Err(before) => {
                let before = before.duration();
                let seconds = i64::try_from(before.as_secs()).map_or(i64::MIN, |s| -s);
                match before.subsec_nanos() {
                    0 => Timestamp { seconds, nanos: 0 },
                    nanos => Timestamp {
                        seconds: seconds.saturating_sub(1),
                        nanos: NANOS_PER_SECOND - nanos,
                    },
                }
            }
        };
        DateTime(calendar::format_rfc3339(timestamp))
    }

    /// Parses the RFC 3339 value: any offset (`Z`, `+05:30`, `-08:00`), any number of
    /// fraction digits (nanosecond precision; more digits are truncated).
    pub fn to_system_time(&self) -> Result<SystemTime, ConversionError> {
        let timestamp = calendar::parse_rfc3339(&self.0)
            .map_err(|reason| ConversionError::new(DATE_TIME, &self.0, reason))?;
        let time = if timestamp.seconds >= 0 {
            UNIX_EPOCH.checked_add(StdDuration::from_secs(timestamp.seconds.unsigned_abs()))
        } else {
            UNIX_EPOCH.checked_sub(StdDuration::from_secs(timestamp.seconds.unsigned_abs()))
        };
        time.and_then(|t| t.checked_add(StdDuration::from_nanos(u64::from(timestamp.nanos))))
            .ok_or_else(|| {
                ConversionError::new(DATE_TIME, &self.0, "outside SystemTime's range here")
            })
    }
}

impl From<SystemTime> for DateTime {
    fn from(time: SystemTime) -> Self {
        DateTime::from_system_time(time)
    }
}

impl Date {
    /// A date from its parts; checked against the calendar (years 0000–9999).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Self, ConversionError> {
        let text = format!("{year:04}-{month:02}-{day:02}");
        if !(0..=9999).contains(&year) {
            return Err(ConversionError::new(
                DATE,
                &text,
                "the year is not 0000-9999",
            ));
        }
        if month > 12 || day > 31 {
            return Err(ConversionError::new(
                DATE,
                &text,
                "the month or day is out of range",
            ));
        }
        match calendar::parse_date(&text) {
            Ok(_) => Ok(Date(text)),
            Err(reason) => Err(ConversionError::new(DATE, &text, reason)),
        }
    }

    /// Year, month (1–12) and day (1–31) of the value, checked against the calendar.
    pub fn ymd(&self) -> Result<(i32, u32, u32), ConversionError> {
        calendar::parse_date(&self.0)
            // Four digits always fit an i32.
            .map(|(year, month, day)| (year as i32, month, day))
            .map_err(|reason| ConversionError::new(DATE, &self.0, reason))
    }

    /// The year (0–9999).
    pub fn year(&self) -> Result<i32, ConversionError> {
        self.ymd().map(|(year, _, _)| year)
    }

    /// The month (1–12).
    pub fn month(&self) -> Result<u32, ConversionError> {
        self.ymd().map(|(_, month, _)| month)
    }

    /// The day of the month (1–31).
    pub fn day(&self) -> Result<u32, ConversionError> {
        self.ymd().map(|(_, _, day)| day)
    }
}

impl Duration {
    /// The span as `google-duration` text: whole seconds, then 0, 3, 6 or 9 fraction digits
    /// (the shortest that is exact), then `s`: `3s`, `3.500s`, `0.000000001s`.
    pub fn from_std(duration: StdDuration) -> Self {
        let mut text = duration.as_secs().to_string();
        calendar::write_fraction(&mut text, duration.subsec_nanos());
        text.push('s');
        Duration(text)
    }

    /// The span as a `std::time::Duration`; negative values are an error because std's
    /// type cannot hold them.
    pub fn to_std(&self) -> Result<StdDuration, ConversionError> {
        let (negative, seconds, nanos) = calendar::parse_duration(&self.0)
            .map_err(|reason| ConversionError::new(DURATION, &self.0, reason))?;
        if negative && (seconds, nanos) != (0, 0) {
            return Err(ConversionError::new(
                DURATION,
                &self.0,
                "negative, and std::time::Duration cannot be negative",
            ));
        }
        Ok(StdDuration::new(seconds, nanos))
    }
}

impl From<StdDuration> for Duration {
    fn from(duration: StdDuration) -> Self {
        Duration::from_std(duration)
    }
}

impl FieldMask {
    /// A mask of the given field paths (`animalName`, `mother.peltColor`, …).
    pub fn from_paths<I>(paths: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut text = String::new();
        for path in paths {
            if !text.is_empty() {
                text.push(',');
            }
            text.push_str(path.as_ref());
        }
        FieldMask(text)
    }

    /// The field paths, in order; empty paths (as in `a,,b` or the empty mask) are skipped.
    pub fn paths(&self) -> impl Iterator<Item = &str> + '_ {
        self.0.split(',').filter(|path| !path.is_empty())
    }
}

//! The wire string types: exact round trips through serde, and the std conversions.

use std::collections::HashSet;
use std::time::{Duration as StdDuration, SystemTime, UNIX_EPOCH};

use discogen_runtime::serde::{Deserialize, Serialize};
use discogen_runtime::types::{Date, DateTime, Duration, FieldMask};
use proptest::prelude::*;

fn at(seconds: i64, nanos: u32) -> SystemTime {
    let whole = if seconds >= 0 {
        UNIX_EPOCH + StdDuration::from_secs(seconds.unsigned_abs())
    } else {
        UNIX_EPOCH - StdDuration::from_secs(seconds.unsigned_abs())
    };
    whole + StdDuration::from_nanos(u64::from(nanos))
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(crate = "::discogen_runtime::serde", default, rename_all = "camelCase")]
struct Record {
    #[serde(skip_serializing_if = "Option::is_none")]
    update_time: Option<DateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birthday: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    update_mask: Option<FieldMask>,
}

#[test]
fn serde_keeps_the_exact_wire_value_even_when_it_does_not_parse() {
    let text = r#"{"updateTime":"2026-11-10T09:30:00.250000+01:00","birthday":"not a date","ttl":"1.000s","updateMask":"a,b.c"}"#;
    let record: Record = serde_json::from_str(text).unwrap();
    assert_eq!(
        record.update_time.as_ref().unwrap().as_str(),
        "2026-11-10T09:30:00.250000+01:00"
    );
    assert_eq!(record.birthday.as_ref().unwrap().as_str(), "not a date");
    assert_eq!(serde_json::to_string(&record).unwrap(), text);
    assert_eq!(serde_json::to_string(&Record::default()).unwrap(), "{}");
    // The types are strings on the wire, nothing else.
    let err = serde_json::from_str::<Record>(r#"{"ttl": 3}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("invalid type: integer `3`, expected a string"),
        "{err}"
    );
}

#[test]
fn newtypes_convert_display_and_hash_like_strings() {
    let mask = FieldMask::from("animalName");
    assert_eq!(mask.to_string(), "animalName");
    assert_eq!(AsRef::<str>::as_ref(&mask), "animalName");
    assert_eq!(String::from(mask.clone()), "animalName");
    assert_eq!(mask.clone().into_string(), "animalName");
    assert_eq!(FieldMask::from("animalName".to_owned()), mask);
    let set: HashSet<Date> = ["2026-01-01", "2026-01-01", "2025-12-31"]
        .map(Date::from)
        .into();
    assert_eq!(set.len(), 2);
    // Dates in YYYY-MM-DD sort chronologically as text.
    assert!(Date::from("2025-12-31") < Date::from("2026-01-01"));
    assert_eq!(DateTime::default().as_str(), "");
}

// ---------------------------------------------------------------------------------------
// DateTime

#[test]
fn from_system_time_writes_utc_with_0_3_6_or_9_digits() {
    let cases = [
        (at(0, 0), "1970-01-01T00:00:00Z"),
        (at(1_794_299_400, 0), "2026-11-10T08:30:00Z"),
        (at(1_794_299_400, 500_000_000), "2026-11-10T08:30:00.500Z"),
        (at(1_794_299_400, 120_000), "2026-11-10T08:30:00.000120Z"),
        (at(1_794_299_400, 1), "2026-11-10T08:30:00.000000001Z"),
        (
            at(1_709_251_199, 999_999_999),
            "2024-02-29T23:59:59.999999999Z",
        ),
        (at(-1, 999_999_999), "1969-12-31T23:59:59.999999999Z"),
        (at(-14_182_940, 0), "1969-07-20T20:17:40Z"),
        (at(-62_135_596_800, 0), "0001-01-01T00:00:00Z"),
        (at(253_402_300_799, 0), "9999-12-31T23:59:59Z"),
        (at(253_402_300_800, 0), "+10000-01-01T00:00:00Z"),
    ];
    for (time, expected) in cases {
        assert_eq!(DateTime::from_system_time(time).as_str(), expected);
        assert_eq!(DateTime::from(time).as_str(), expected);
    }
}

#[test]
fn from_system_time_handles_the_extremes_of_system_time() {
    // Far outside RFC 3339: written with a sign, rejected when read back, never a panic.
    let extremes = [
        UNIX_EPOCH.checked_add(StdDuration::new(i64::MAX.unsigned_abs(), 999_999_999)),
        UNIX_EPOCH.checked_sub(StdDuration::from_secs(i64::MAX.unsigned_abs())),
    ];
    // SystemTime's range depends on the platform; at least one extreme must be tested.
    assert!(extremes.iter().flatten().count() >= 1);
    for time in extremes.into_iter().flatten() {
        let text = DateTime::from_system_time(time);
        assert!(text.as_str().starts_with(['+', '-']), "{text}");
        assert!(
            text.to_system_time()
                .unwrap_err()
                .reason()
                .contains("4 digits of the year")
        );
    }
}

#[test]
fn to_system_time_reads_offsets_fractions_and_rfc3339_variants() {
    let pony = at(1_794_299_400, 0);
    let cases = [
        ("2026-11-10T08:30:00Z", pony),
        ("2026-11-10T09:30:00+01:00", pony),
        ("2026-11-10T00:30:00-08:00", pony),
        ("2026-11-10T14:00:00+05:30", pony),
        ("2026-11-10T08:30:00+00:00", pony),
        ("2026-11-10T08:30:00-00:00", pony),
        ("2026-11-10t08:30:00z", pony),
        ("2026-11-10 08:30:00Z", pony),
        ("2026-11-10T08:30:00.5Z", at(1_794_299_400, 500_000_000)),
        ("2026-11-10T08:30:00.000000001Z", at(1_794_299_400, 1)),
        // Digits past nanoseconds are truncated.
        (
            "2026-11-10T08:30:00.123456789999Z",
            at(1_794_299_400, 123_456_789),
        ),
        // Crossing midnight and the year through the offset.
        ("2027-01-01T00:30:00+01:00", at(1_798_759_800, 0)),
        ("1969-12-31T23:59:59.999999999Z", at(-1, 999_999_999)),
        ("2024-02-29T23:59:59Z", at(1_709_251_199, 0)),
        // A leap second is the first second of the next minute.
        ("2016-12-31T23:59:60Z", at(1_483_228_800, 0)),
    ];
    for (text, expected) in cases {
        assert_eq!(
            DateTime::from(text).to_system_time(),
            Ok(expected),
            "{text}"
        );
    }
}

#[test]
fn to_system_time_rejects_malformed_values_saying_where() {
    let cases = [
        ("", "expected 4 digits of the year at byte 0"),
        (
            "2026-11-10",
            "expected 'T' between date and time at byte 10",
        ),
        (
            "2026-11-10T08:30:00",
            "expected 'Z' or a '+HH:MM'/'-HH:MM' offset at byte 19",
        ),
        ("2026-11-10T08:30Z", "expected ':' at byte 16"),
        (
            "2026-11-10T08:30:00.Z",
            "expected digits after '.' at byte 20",
        ),
        ("2026-11-10T08:30:00Zjunk", "unexpected text at byte 20"),
        ("2026-11-10T08:30:00+0100", "expected ':' at byte 22"),
        ("2026-13-10T08:30:00Z", "month 13 at byte 5 is not 01-12"),
        ("2026-00-10T08:30:00Z", "month 0 at byte 5"),
        ("2026-02-29T08:30:00Z", "day 29 at byte 8 is not in 2026-02"),
        ("2026-04-31T08:30:00Z", "day 31 at byte 8"),
        (
            "2026-11-10T24:00:00Z",
            "time hour 24 at byte 11 is not 00-23",
        ),
        ("2026-11-10T08:60:00Z", "time minute 60 at byte 14"),
        ("2026-11-10T08:30:61Z", "second 61 at byte 17 is not 00-60"),
        ("2026-11-10T08:30:00+24:00", "offset hour 24 at byte 20"),
        (
            "+10000-01-01T00:00:00Z",
            "expected 4 digits of the year at byte 0",
        ),
        ("2026-11-10T08:30:00\u{00e9}", "at byte 19"),
        (
            "2026-1-10T08:30:00Z",
            "expected 2 digits of the month at byte 5",
        ),
    ];
    for (text, reason) in cases {
        let err = DateTime::from(text).to_system_time().unwrap_err();
        assert!(err.reason().contains(reason), "{text}: {err}");
        assert_eq!(err.value(), text);
        assert!(
            err.to_string()
                .starts_with(&format!("invalid RFC 3339 date-time {text:?}: ")),
            "{err}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn date_time_round_trips_over_years_1_to_9999(
        seconds in -62_135_596_800i64..=253_402_300_799,
        nanos in 0u32..1_000_000_000,
    ) {
        let time = at(seconds, nanos);
        let text = DateTime::from_system_time(time);
        prop_assert_eq!(text.to_system_time(), Ok(time), "{}", text);
    }

    #[test]
    fn duration_round_trips(seconds: u64, nanos in 0u32..1_000_000_000) {
        let span = StdDuration::new(seconds, nanos);
        let text = Duration::from_std(span);
        prop_assert_eq!(text.to_std(), Ok(span), "{}", text);
    }
}

// ---------------------------------------------------------------------------------------
// Date

#[test]
fn date_parts_and_construction() {
    let date = Date::from("2024-02-29");
    assert_eq!(date.ymd(), Ok((2024, 2, 29)));
    assert_eq!(
        (date.year(), date.month(), date.day()),
        (Ok(2024), Ok(2), Ok(29))
    );
    assert_eq!(Date::from_ymd(2026, 11, 10).unwrap().as_str(), "2026-11-10");
    assert_eq!(Date::from_ymd(7, 1, 2).unwrap().as_str(), "0007-01-02");
    assert_eq!(Date::from_ymd(2024, 2, 29).unwrap(), date);
}

#[test]
fn date_errors_name_the_problem() {
    let err = Date::from("2023-02-29").day().unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"invalid date (YYYY-MM-DD) "2023-02-29": day 29 at byte 8 is not in 2023-02"#
    );
    assert!(
        Date::from("2026-11-10T00:00:00Z")
            .ymd()
            .unwrap_err()
            .reason()
            .contains("byte 10")
    );
    assert!(Date::from("20261110").ymd().is_err());
    for (year, month, day, reason) in [
        (2023, 2, 29, "day 29"),
        (2026, 0, 1, "month 0"),
        (2026, 13, 1, "out of range"),
        (2026, 1, 32, "out of range"),
        (10_000, 1, 1, "the year is not 0000-9999"),
        (-1, 1, 1, "the year is not 0000-9999"),
    ] {
        let err = Date::from_ymd(year, month, day).unwrap_err();
        assert!(err.reason().contains(reason), "{year}-{month}-{day}: {err}");
    }
}

// ---------------------------------------------------------------------------------------
// Duration

#[test]
fn duration_from_std_uses_google_spelling() {
    let cases = [
        (StdDuration::ZERO, "0s"),
        (StdDuration::from_secs(3), "3s"),
        (StdDuration::from_millis(3500), "3.500s"),
        (StdDuration::from_micros(1), "0.000001s"),
        (StdDuration::from_nanos(1), "0.000000001s"),
        (
            StdDuration::new(u64::MAX, 999_999_999),
            "18446744073709551615.999999999s",
        ),
    ];
    for (span, expected) in cases {
        assert_eq!(Duration::from_std(span).as_str(), expected);
        assert_eq!(Duration::from(span).as_str(), expected);
    }
}

#[test]
fn duration_to_std_reads_google_durations() {
    let cases = [
        ("3.5s", StdDuration::from_millis(3500)),
        ("0s", StdDuration::ZERO),
        ("-0s", StdDuration::ZERO),
        ("0.000000001s", StdDuration::from_nanos(1)),
        ("86400s", StdDuration::from_secs(86_400)),
        ("1.1s", StdDuration::from_millis(1100)),
    ];
    for (text, expected) in cases {
        assert_eq!(Duration::from(text).to_std(), Ok(expected), "{text}");
    }
}

#[test]
fn duration_to_std_rejects_negative_and_malformed_values() {
    let cases = [
        (
            "-1.5s",
            "negative, and std::time::Duration cannot be negative",
        ),
        ("-0.000000001s", "negative"),
        ("3", "expected 's' at byte 1"),
        ("3.5", "expected 's' at byte 3"),
        ("s", "expected seconds at byte 0"),
        ("", "expected seconds at byte 0"),
        ("1.s", "expected digits after '.' at byte 2"),
        ("1.0000000001s", "more than 9 fraction digits at byte 2"),
        ("1m", "expected 's' at byte 1"),
        ("1ss", "unexpected text at byte 2"),
        ("+1s", "expected seconds at byte 0"),
        (
            "18446744073709551616s",
            "seconds at byte 0 overflow 64 bits",
        ),
    ];
    for (text, reason) in cases {
        let err = Duration::from(text).to_std().unwrap_err();
        assert!(err.reason().contains(reason), "{text}: {err}");
        assert!(
            err.to_string().starts_with("invalid google-duration"),
            "{err}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// FieldMask

#[test]
fn field_mask_paths() {
    let mask = FieldMask::from_paths(["animalName", "mother.peltColor"]);
    assert_eq!(mask.as_str(), "animalName,mother.peltColor");
    assert_eq!(
        mask.paths().collect::<Vec<_>>(),
        ["animalName", "mother.peltColor"]
    );
    let owned = FieldMask::from_paths(vec!["a".to_owned()]);
    assert_eq!(owned.as_str(), "a");
    assert_eq!(
        FieldMask::from_paths(Vec::<String>::new()).paths().count(),
        0
    );
    assert_eq!(
        FieldMask::from("a,,b").paths().collect::<Vec<_>>(),
        ["a", "b"]
    );
}

//! The `json` with-modules, used the way generated code uses them: `Option` fields in a
//! struct with `#[serde(default)]`, reached through `::discogen_runtime::serde`.

use std::collections::BTreeMap;

use discogen_runtime::serde::{Deserialize, Serialize};
use proptest::prelude::*;
use serde_json::json;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(crate = "::discogen_runtime::serde", default, rename_all = "camelCase")]
struct Integers {
    #[serde(
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::json::int64"
    )]
    signed: Option<i64>,
    #[serde(
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::json::int64"
    )]
    unsigned: Option<u64>,
    #[serde(
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::json::int64"
    )]
    list: Option<Vec<i64>>,
    #[serde(
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::json::int64"
    )]
    counts: Option<BTreeMap<String, u64>>,
    #[serde(
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::json::int64"
    )]
    nested: Option<Vec<BTreeMap<String, Vec<i64>>>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(crate = "::discogen_runtime::serde", default)]
struct Floats {
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "discogen_runtime::json::float"
    )]
    double: Option<f64>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "discogen_runtime::json::float"
    )]
    single: Option<f32>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "discogen_runtime::json::float"
    )]
    grid: Option<Vec<Vec<f64>>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "discogen_runtime::json::float"
    )]
    by_name: Option<BTreeMap<String, f32>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(crate = "::discogen_runtime::serde", default)]
struct Blobs {
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "discogen_runtime::json::base64"
    )]
    data: Option<Vec<u8>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "discogen_runtime::json::base64"
    )]
    chunks: Option<Vec<Vec<u8>>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "discogen_runtime::json::base64"
    )]
    named: Option<BTreeMap<String, Vec<Vec<u8>>>>,
}

fn from_json<T: for<'de> Deserialize<'de>>(value: serde_json::Value) -> Result<T, String> {
    // Through text, so serde_json's borrowed-string path is the one exercised.
    serde_json::from_str(&value.to_string()).map_err(|err| err.to_string())
}

fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("serialisable")
}

// ---------------------------------------------------------------------------------------
// int64

#[test]
fn int64_reads_the_seeds_string_and_number() {
    // The seeds send `"animalAge": "5"` and receive `"animalAge": 34`.
    let sent: Integers = from_json(json!({"signed": "5"})).unwrap();
    let received: Integers = from_json(json!({"signed": 34})).unwrap();
    assert_eq!(sent.signed, Some(5));
    assert_eq!(received.signed, Some(34));
}

#[test]
fn int64_writes_strings_at_every_depth() {
    let value = Integers {
        signed: Some(-34),
        unsigned: Some(u64::MAX),
        list: Some(vec![1, -2]),
        counts: Some(BTreeMap::from([("pigs".to_owned(), 3)])),
        nested: Some(vec![BTreeMap::from([(
            "a".to_owned(),
            vec![i64::MIN, i64::MAX],
        )])]),
    };
    assert_eq!(
        to_json(&value),
        json!({
            "signed": "-34",
            "unsigned": "18446744073709551615",
            "list": ["1", "-2"],
            "counts": {"pigs": "3"},
            "nested": [{"a": ["-9223372036854775808", "9223372036854775807"]}],
        })
    );
    assert_eq!(from_json::<Integers>(to_json(&value)).unwrap(), value);
}

#[test]
fn int64_reads_numbers_and_strings_mixed_in_containers() {
    let value: Integers = from_json(json!({
        "list": [1, "2", -3, "-4"],
        "counts": {"a": 1, "b": "18446744073709551615"},
        "nested": [{}, {"x": [7, "8"]}],
    }))
    .unwrap();
    assert_eq!(value.list, Some(vec![1, 2, -3, -4]));
    assert_eq!(value.counts.unwrap()["b"], u64::MAX);
    assert_eq!(value.nested.unwrap()[1]["x"], vec![7, 8]);
}

#[test]
fn int64_null_and_absent_are_none_and_none_is_not_written() {
    let value: Integers = from_json(json!({"signed": null, "list": null})).unwrap();
    assert_eq!(value, Integers::default());
    assert_eq!(to_json(&Integers::default()), json!({}));
}

#[test]
fn int64_accepts_integral_floats() {
    let value: Integers = from_json(json!({"signed": 1e3, "unsigned": 34.0})).unwrap();
    assert_eq!((value.signed, value.unsigned), (Some(1000), Some(34)));
}

#[test]
fn int64_rejects_bad_values_with_a_clear_error() {
    let cases = [
        (
            json!({"signed": "abc"}),
            "invalid value: string \"abc\", expected a signed 64-bit",
        ),
        (
            json!({"signed": "9223372036854775808"}),
            "string \"9223372036854775808\"",
        ),
        (
            json!({"signed": 1.5}),
            "floating point `1.5`, expected a signed 64-bit integer",
        ),
        (json!({"signed": true}), "invalid type: boolean `true`"),
        (
            json!({"unsigned": -1}),
            "integer `-1`, expected an unsigned 64-bit integer",
        ),
        (
            json!({"unsigned": "-1"}),
            "string \"-1\", expected an unsigned 64-bit",
        ),
        (json!({"list": "1"}), "expected a JSON array"),
        (
            json!({"list": [1, null]}),
            "invalid type: null, expected a signed 64-bit",
        ),
        (json!({"counts": [1]}), "expected a JSON object"),
        (json!({"nested": [{"x": [1, "y"]}]}), "string \"y\""),
    ];
    for (input, expected) in cases {
        let err = from_json::<Integers>(input.clone()).unwrap_err();
        assert!(err.contains(expected), "{input}: {err}");
        // serde_json says where: line and column.
        assert!(err.contains("at line 1 column"), "{input}: {err}");
    }
}

#[test]
fn int64_handles_required_fields_and_nullable_elements() {
    // Not every shape is an `Option` field; the module takes any `WireValue`.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(crate = "::discogen_runtime::serde")]
    struct Required {
        #[serde(with = "discogen_runtime::json::int64")]
        id: u64,
        #[serde(with = "discogen_runtime::json::int64")]
        sparse: Vec<Option<i64>>,
    }
    let value: Required = from_json(json!({"id": 7, "sparse": [1, null, "3"]})).unwrap();
    assert_eq!(
        value,
        Required {
            id: 7,
            sparse: vec![Some(1), None, Some(3)]
        }
    );
    assert_eq!(
        to_json(&value),
        json!({"id": "7", "sparse": ["1", null, "3"]})
    );
}

// ---------------------------------------------------------------------------------------
// float

#[test]
fn float_writes_non_finite_values_as_strings() {
    let value = Floats {
        double: Some(f64::NAN),
        single: Some(f32::NEG_INFINITY),
        grid: Some(vec![vec![1.5, f64::INFINITY], vec![]]),
        by_name: Some(BTreeMap::from([("x".to_owned(), 0.25)])),
    };
    assert_eq!(
        to_json(&value),
        json!({
            "double": "NaN",
            "single": "-Infinity",
            "grid": [[1.5, "Infinity"], []],
            "by_name": {"x": 0.25},
        })
    );
}

#[test]
fn float_reads_numbers_google_strings_and_numeric_strings() {
    let value: Floats = from_json(json!({
        "double": "NaN",
        "single": "Infinity",
        "grid": [[1, -2, 3.5, "-Infinity", "2.5e3", "-7"]],
        "by_name": {"a": 1e-3, "b": "NaN"},
    }))
    .unwrap();
    assert!(value.double.unwrap().is_nan());
    assert_eq!(value.single, Some(f32::INFINITY));
    assert_eq!(
        value.grid.unwrap()[0],
        [1.0, -2.0, 3.5, f64::NEG_INFINITY, 2500.0, -7.0]
    );
    let by_name = value.by_name.unwrap();
    assert_eq!(by_name["a"], 0.001);
    assert!(by_name["b"].is_nan());
}

#[test]
fn float_rejects_other_spellings_and_out_of_range_f32() {
    let cases = [
        (
            json!({"double": "inf"}),
            "string \"inf\", expected a number",
        ),
        (json!({"double": "nan"}), "string \"nan\""),
        (json!({"double": "Infinity "}), "string \"Infinity \""),
        (json!({"double": "1e400"}), "string \"1e400\""),
        (json!({"double": ""}), "string \"\""),
        (json!({"double": true}), "invalid type: boolean `true`"),
        (json!({"single": 1e39}), "invalid value: floating point"),
        (json!({"single": "-1e39"}), "string \"-1e39\""),
    ];
    for (input, expected) in cases {
        let err = from_json::<Floats>(input.clone()).unwrap_err();
        assert!(err.contains(expected), "{input}: {err}");
    }
}

#[test]
fn float_null_is_none() {
    assert_eq!(
        from_json::<Floats>(json!({"double": null})).unwrap(),
        Floats::default()
    );
}

// ---------------------------------------------------------------------------------------
// base64

#[test]
fn base64_writes_standard_padded() {
    let value = Blobs {
        data: Some(vec![0xfb, 0xff]),
        chunks: Some(vec![b"pony".to_vec(), vec![]]),
        named: Some(BTreeMap::from([(
            "a".to_owned(),
            vec![vec![0xff, 0xfe, 0xfd, 0xfc]],
        )])),
    };
    assert_eq!(
        to_json(&value),
        json!({"data": "+/8=", "chunks": ["cG9ueQ==", ""], "named": {"a": ["//79/A=="]}})
    );
    assert_eq!(from_json::<Blobs>(to_json(&value)).unwrap(), value);
}

#[test]
fn base64_reads_both_alphabets_padded_or_not() {
    for text in ["+/8=", "+/8", "-_8=", "-_8"] {
        let value: Blobs = from_json(json!({"data": text})).unwrap();
        assert_eq!(value.data, Some(vec![0xfb, 0xff]), "{text}");
    }
    let value: Blobs = from_json(json!({"chunks": ["cG9ueQ", "cG9ueQ==", ""]})).unwrap();
    assert_eq!(
        value.chunks,
        Some(vec![b"pony".to_vec(), b"pony".to_vec(), vec![]])
    );
}

#[test]
fn base64_vec_of_vec_is_an_array_of_byte_strings() {
    // Not an array of arrays of numbers.
    let err = from_json::<Blobs>(json!({"chunks": [[1, 2]]})).unwrap_err();
    assert!(err.contains("expected a base64 string"), "{err}");
    let err = from_json::<Blobs>(json!({"data": [1, 2]})).unwrap_err();
    assert!(err.contains("expected a base64 string"), "{err}");
}

#[test]
fn base64_rejects_invalid_data_naming_the_offset() {
    let err = from_json::<Blobs>(json!({"data": "cG9u*Q=="})).unwrap_err();
    assert!(
        err.contains("invalid base64 data") && err.contains("offset 4"),
        "{err}"
    );
    let err = from_json::<Blobs>(json!({"data": "c"})).unwrap_err();
    assert!(err.contains("invalid base64 data"), "{err}");
    let value: Blobs = from_json(json!({"data": null})).unwrap();
    assert_eq!(value.data, None);
}

// ---------------------------------------------------------------------------------------
// enums

#[derive(Debug, PartialEq)]
enum PeltColor {
    White,
    Brown,
    Unknown(String),
}

impl From<&str> for PeltColor {
    fn from(value: &str) -> Self {
        match value {
            "white" => PeltColor::White,
            "brown" => PeltColor::Brown,
            other => PeltColor::Unknown(other.to_owned()),
        }
    }
}

impl<'de> Deserialize<'de> for PeltColor {
    fn deserialize<D: discogen_runtime::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        discogen_runtime::json::deserialize_enum(d)
    }
}

#[test]
fn deserialize_enum_from_borrowed_and_owned_strings() {
    // Borrowed from the input text.
    let colors: Vec<PeltColor> = serde_json::from_str(r#"["white", "green"]"#).unwrap();
    assert_eq!(
        colors,
        [PeltColor::White, PeltColor::Unknown("green".to_owned())]
    );
    // Escapes force an owned string.
    let color: PeltColor = serde_json::from_str(r#""br\u006fwn""#).unwrap();
    assert_eq!(color, PeltColor::Brown);
    // From a Value: owned strings.
    let color: PeltColor = serde_json::from_value(json!("white")).unwrap();
    assert_eq!(color, PeltColor::White);
}

#[test]
fn deserialize_enum_rejects_non_strings() {
    let err = serde_json::from_str::<PeltColor>("7")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("expected an enum value (a JSON string)"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------
// round trips

proptest! {
    // No regression files in the source tree; a failure prints its minimal input.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn int64_round_trips(signed: i64, unsigned: u64, list: Vec<i64>) {
        let value = Integers {
            signed: Some(signed),
            unsigned: Some(unsigned),
            list: Some(list),
            ..Integers::default()
        };
        let text = serde_json::to_string(&value).unwrap();
        prop_assert_eq!(serde_json::from_str::<Integers>(&text).unwrap(), value);
        // Numbers decode too.
        let as_number: Integers = from_json(json!({"signed": signed, "unsigned": unsigned})).unwrap();
        prop_assert_eq!((as_number.signed, as_number.unsigned), (Some(signed), Some(unsigned)));
    }

    #[test]
    fn float_round_trips_every_bit_pattern_class(
        double in proptest::num::f64::ANY,
        single in proptest::num::f32::ANY,
    ) {
        let value = Floats { double: Some(double), single: Some(single), ..Floats::default() };
        let back: Floats = serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
        let (d, s) = (back.double.unwrap(), back.single.unwrap());
        // NaN payloads are not kept; everything else, -0.0 included, is exact (the runtime
        // enables serde_json's `float_roundtrip`).
        let same_double = if double.is_nan() { d.is_nan() } else { d.to_bits() == double.to_bits() };
        let same_single = if single.is_nan() { s.is_nan() } else { s.to_bits() == single.to_bits() };
        prop_assert!(same_double, "{} came back as {}", double, d);
        prop_assert!(same_single, "{} came back as {}", single, s);
    }

    #[test]
    fn base64_round_trips_and_reads_url_safe_unpadded(
        data: Vec<u8>,
        chunks in proptest::collection::vec(any::<Vec<u8>>(), 0..4),
    ) {
        let value = Blobs { data: Some(data.clone()), chunks: Some(chunks), named: None };
        let back: Blobs = serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
        prop_assert_eq!(&back, &value);
        let url_safe: String = to_json(&value)["data"]
            .as_str()
            .unwrap()
            .trim_end_matches('=')
            .replace('+', "-")
            .replace('/', "_");
        let read: Blobs = from_json(json!({"data": url_safe})).unwrap();
        prop_assert_eq!(read.data, Some(data));
    }
}

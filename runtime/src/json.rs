//! serde helpers that generated code names in `#[serde(with = "…")]`.
//!
//! Google's JSON mapping differs from serde_json's defaults in three places, each with its
//! own `with` module here:
//!
//! - [`int64`]: 64-bit integers are written as JSON strings (`"34"`), because JavaScript
//!   numbers lose precision above 2^53; both strings and numbers are accepted when reading.
//! - [`float`]: `NaN` and the infinities are written as the strings `"NaN"`, `"Infinity"` and
//!   `"-Infinity"` (serde_json would write `null`); those strings are accepted when reading.
//! - [`base64`]: bytes are base64 strings, written with the standard padded alphabet and read
//!   in either alphabet, padded or not.
//!
//! Each module works for the leaf type, and for `Option`, `Vec` and `BTreeMap<String, _>`
//! of it nested to any depth, through the [`WireValue`] trait:
//!
//! ```
//! use std::collections::BTreeMap;
//! use discogen_runtime::serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
//! #[serde(crate = "discogen_runtime::serde", default)]
//! struct Counts {
//!     #[serde(with = "discogen_runtime::json::int64")]
//!     total: Option<i64>,
//!     #[serde(with = "discogen_runtime::json::int64")]
//!     per_day: Option<BTreeMap<String, Vec<u64>>>,
//! }
//!
//! let counts: Counts = serde_json::from_str(r#"{"total": 34, "per_day": {"mon": ["1", 2]}}"#)?;
//! assert_eq!(counts.total, Some(34));
//! assert_eq!(
//!     serde_json::to_string(&counts)?,
//!     r#"{"total":"34","per_day":{"mon":["1","2"]}}"#
//! );
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use ::base64::Engine as _;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::ser::{Serialize, Serializer};

/// A value that the wire format `F` can write and read.
///
/// Implemented for the format's leaf types (`i64`/`u64` for [`Int64Format`], `f64`/`f32` for
/// [`FloatFormat`], `Vec<u8>` for [`Base64Format`]) and for `Option<T>`, `Vec<T>` and
/// `BTreeMap<String, T>` of any `T: WireValue<F>`. So `Vec<Vec<u8>>` under [`base64`] is an
/// array of byte strings, and `Option<BTreeMap<String, Vec<i64>>>` under [`int64`] is a map
/// of arrays of string-encoded integers.
pub trait WireValue<F>: Sized {
    /// Writes the value in format `F`.
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
    /// Reads a value in format `F`.
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// Google's int64 encoding: integers as JSON strings. See [`int64`].
#[derive(Debug)]
pub enum Int64Format {}

/// Google's float encoding: non-finite values as `"NaN"`/`"Infinity"`/`"-Infinity"`. See
/// [`float`].
#[derive(Debug)]
pub enum FloatFormat {}

/// Bytes as base64 strings. See [`base64`].
#[derive(Debug)]
pub enum Base64Format {}

/// Serialises `&T` through its `WireValue<F>` impl.
struct Wire<'a, F, T>(&'a T, PhantomData<fn() -> F>);

impl<'a, F, T> Wire<'a, F, T> {
    fn new(value: &'a T) -> Self {
        Wire(value, PhantomData)
    }
}

impl<F, T: WireValue<F>> Serialize for Wire<'_, F, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.write(serializer)
    }
}

/// Deserialises a `T` through its `WireValue<F>` impl (for elements and map values).
struct ReadSeed<F, T>(PhantomData<fn() -> (F, T)>);

impl<F, T> ReadSeed<F, T> {
    fn new() -> Self {
        ReadSeed(PhantomData)
    }
}

impl<'de, F, T: WireValue<F>> DeserializeSeed<'de> for ReadSeed<F, T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::read(deserializer)
    }
}

/// Upper bound for capacity taken from a size hint, so a hostile hint cannot allocate much.
const MAX_PREALLOCATED: usize = 4096;

impl<F, T: WireValue<F>> WireValue<F> for Option<T> {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(value) => serializer.serialize_some(&Wire::<F, T>::new(value)),
            None => serializer.serialize_none(),
        }
    }

    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OptionVisitor<F, T>(PhantomData<fn() -> (F, T)>);
        impl<'de, F, T: WireValue<F>> Visitor<'de> for OptionVisitor<F, T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                T::read(d).map(Some)
            }
        }
        deserializer.deserialize_option(OptionVisitor::<F, T>(PhantomData))
    }
}

impl<F, T: WireValue<F>> WireValue<F> for Vec<T> {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Wire::<F, T>::new))
    }

    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct VecVisitor<F, T>(PhantomData<fn() -> (F, T)>);
        impl<'de, F, T: WireValue<F>> Visitor<'de> for VecVisitor<F, T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items =
                    Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_PREALLOCATED));
                while let Some(item) = seq.next_element_seed(ReadSeed::<F, T>::new())? {
                    items.push(item);
                }
                Ok(items)
            }
        }
        deserializer.deserialize_seq(VecVisitor::<F, T>(PhantomData))
    }
}

impl<F, T: WireValue<F>> WireValue<F> for BTreeMap<String, T> {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.iter()
                .map(|(key, value)| (key, Wire::<F, T>::new(value))),
        )
    }

    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<F, T>(PhantomData<fn() -> (F, T)>);
        impl<'de, F, T: WireValue<F>> Visitor<'de> for MapVisitor<F, T> {
            type Value = BTreeMap<String, T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = BTreeMap::new();
                while let Some((key, value)) =
                    map.next_entry_seed(PhantomData::<String>, ReadSeed::<F, T>::new())?
                {
                    entries.insert(key, value);
                }
                Ok(entries)
            }
        }
        deserializer.deserialize_map(MapVisitor::<F, T>(PhantomData))
    }
}

// ---------------------------------------------------------------------------------------
// int64

/// The integer leaf types of [`Int64Format`].
trait IntegerLeaf: TryFrom<i128> + std::str::FromStr {
    /// What the error message says was expected.
    const EXPECTED: &'static str;
}

impl IntegerLeaf for i64 {
    const EXPECTED: &'static str = "a signed 64-bit integer as a JSON string or number";
}

impl IntegerLeaf for u64 {
    const EXPECTED: &'static str = "an unsigned 64-bit integer as a JSON string or number";
}

/// Reads an integer of type `T` from a JSON string or number.
struct IntegerVisitor<T>(PhantomData<fn() -> T>);

impl<T: IntegerLeaf> Visitor<'_> for IntegerVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(i128::from(v)).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(i128::from(v)).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    // `1e3` and `34.0` are integers too (the proto3 JSON mapping accepts them). The cast
    // is exact for integral values up to 2^127 and saturates beyond, where `try_from` fails.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        (v.is_finite() && v.fract() == 0.0)
            .then(|| T::try_from(v as i128).ok())
            .flatten()
            .ok_or_else(|| E::invalid_value(Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse()
            .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
    }
}

macro_rules! int64_leaf {
    ($($ty:ty),*) => {$(
        impl WireValue<Int64Format> for $ty {
            fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
            fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(IntegerVisitor::<$ty>(PhantomData))
            }
        }
    )*};
}

int64_leaf!(i64, u64);

/// `with` module for `int64`/`uint64` fields: writes `"34"`, reads `"34"` and `34`.
///
/// Works for `i64`, `u64` and `Option`/`Vec`/`BTreeMap<String, _>` of them (see
/// [`WireValue`]). `null` reads as `None`.
pub mod int64 {
    use super::{Int64Format, WireValue};
    use serde::{Deserializer, Serializer};

    /// Writes integers as JSON strings.
    pub fn serialize<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
    where
        T: WireValue<Int64Format>,
        S: Serializer,
    {
        value.write(serializer)
    }

    /// Reads integers from JSON strings or numbers.
    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
    where
        T: WireValue<Int64Format>,
        D: Deserializer<'de>,
    {
        T::read(deserializer)
    }
}

// ---------------------------------------------------------------------------------------
// float

/// The floating-point leaf types of [`FloatFormat`].
trait FloatLeaf: Copy {
    /// `None` when a finite `f64` does not fit the type.
    fn from_f64(value: f64) -> Option<Self>;
    fn to_f64(self) -> f64;
    fn serialize_finite<S: Serializer>(self, serializer: S) -> Result<S::Ok, S::Error>;
}

impl FloatLeaf for f64 {
    fn from_f64(value: f64) -> Option<Self> {
        Some(value)
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn serialize_finite<S: Serializer>(self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self)
    }
}

impl FloatLeaf for f32 {
    fn from_f64(value: f64) -> Option<Self> {
        let narrowed = value as f32;
        (narrowed.is_finite() || !value.is_finite()).then_some(narrowed)
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn serialize_finite<S: Serializer>(self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f32(self)
    }
}

/// Reads a float from a JSON number or one of the strings Google uses.
struct FloatVisitor<T>(PhantomData<fn() -> T>);

impl<T: FloatLeaf> FloatVisitor<T> {
    fn narrow<E: de::Error>(&self, value: f64, unexpected: Unexpected) -> Result<T, E> {
        T::from_f64(value).ok_or_else(|| E::invalid_value(unexpected, self))
    }
}

impl<T: FloatLeaf> Visitor<'_> for FloatVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a number, or a string holding a number, \"NaN\", \"Infinity\" or \"-Infinity\"",
        )
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        self.narrow(v, Unexpected::Float(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        self.narrow(v as f64, Unexpected::Signed(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        self.narrow(v as f64, Unexpected::Unsigned(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        let value = match v {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            // Rust's parser also takes "inf" and "nan"; Google's spellings are the only
            // non-finite ones accepted.
            _ => match v.parse::<f64>() {
                Ok(parsed) if parsed.is_finite() => parsed,
                _ => return Err(E::invalid_value(Unexpected::Str(v), &self)),
            },
        };
        self.narrow(value, Unexpected::Str(v))
    }
}

macro_rules! float_leaf {
    ($($ty:ty),*) => {$(
        impl WireValue<FloatFormat> for $ty {
            fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let value = self.to_f64();
                if value.is_nan() {
                    serializer.serialize_str("NaN")
                } else if value == f64::INFINITY {
                    serializer.serialize_str("Infinity")
                } else if value == f64::NEG_INFINITY {
                    serializer.serialize_str("-Infinity")
                } else {
                    self.serialize_finite(serializer)
                }
            }
            fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(FloatVisitor::<$ty>(PhantomData))
            }
        }
    )*};
}

float_leaf!(f64, f32);

/// `with` module for `number` fields (`double`/`float`): keeps `NaN` and the infinities.
///
/// Finite values are JSON numbers; non-finite ones are `"NaN"`, `"Infinity"` and
/// `"-Infinity"`. Reads numbers, those strings and numeric strings. Works for `f64`, `f32`
/// and `Option`/`Vec`/`BTreeMap<String, _>` of them (see [`WireValue`]).
pub mod float {
    use super::{FloatFormat, WireValue};
    use serde::{Deserializer, Serializer};

    /// Writes finite floats as numbers and non-finite ones as Google's strings.
    pub fn serialize<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
    where
        T: WireValue<FloatFormat>,
        S: Serializer,
    {
        value.write(serializer)
    }

    /// Reads floats from numbers, numeric strings, `"NaN"`, `"Infinity"` and `"-Infinity"`.
    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
    where
        T: WireValue<FloatFormat>,
        D: Deserializer<'de>,
    {
        T::read(deserializer)
    }
}

// ---------------------------------------------------------------------------------------
// base64

/// Decodes the standard alphabet (URL-safe input is translated first), with or without
/// padding, and tolerates non-zero trailing bits, which some encoders leave.
const BASE64_LENIENT: ::base64::engine::GeneralPurpose = ::base64::engine::GeneralPurpose::new(
    &::base64::alphabet::STANDARD,
    ::base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(::base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decodes base64 in the standard or URL-safe alphabet, padded or not.
fn decode_base64(text: &str) -> Result<Vec<u8>, ::base64::DecodeError> {
    if text.bytes().any(|b| b == b'-' || b == b'_') {
        let standard: Vec<u8> = text
            .bytes()
            .map(|b| match b {
                b'-' => b'+',
                b'_' => b'/',
                other => other,
            })
            .collect();
        BASE64_LENIENT.decode(standard)
    } else {
        BASE64_LENIENT.decode(text)
    }
}

struct Base64Visitor;

impl Visitor<'_> for Base64Visitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a base64 string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
        // The value itself can be megabytes, so the error names the position, not the data.
        decode_base64(v).map_err(|err| E::custom(format_args!("invalid base64 data: {err}")))
    }
}

impl WireValue<Base64Format> for Vec<u8> {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&::base64::engine::general_purpose::STANDARD.encode(self))
    }
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(Base64Visitor)
    }
}

/// `with` module for `byte` fields: `Vec<u8>` as a base64 string.
///
/// Writes the standard alphabet with padding; reads the standard or URL-safe alphabet,
/// padded or not. Works for `Vec<u8>` and `Option`/`Vec`/`BTreeMap<String, _>` of it (see
/// [`WireValue`]): `Vec<Vec<u8>>` is an array of byte strings.
pub mod base64 {
    use super::{Base64Format, WireValue};
    use serde::{Deserializer, Serializer};

    /// Writes bytes as standard padded base64.
    pub fn serialize<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
    where
        T: WireValue<Base64Format>,
        S: Serializer,
    {
        value.write(serializer)
    }

    /// Reads bytes from standard or URL-safe base64, padded or not.
    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
    where
        T: WireValue<Base64Format>,
        D: Deserializer<'de>,
    {
        T::read(deserializer)
    }
}

// ---------------------------------------------------------------------------------------
// enums

/// Deserialises a generated enum from a JSON string.
///
/// Generated enums implement `From<&str>` with an `Unknown(String)` variant, so a value the
/// server adds later still decodes. Anything but a string is an error.
pub fn deserialize_enum<'de, D, E>(deserializer: D) -> Result<E, D::Error>
where
    D: Deserializer<'de>,
    E: for<'s> From<&'s str>,
{
    struct EnumVisitor<E>(PhantomData<fn() -> E>);
    impl<E: for<'s> From<&'s str>> Visitor<'_> for EnumVisitor<E> {
        type Value = E;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an enum value (a JSON string)")
        }
        fn visit_str<Er: de::Error>(self, v: &str) -> Result<E, Er> {
            Ok(E::from(v))
        }
    }
    deserializer.deserialize_str(EnumVisitor::<E>(PhantomData))
}

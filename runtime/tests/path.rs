//! Path parameter expansion with ordinary and hostile values.

use std::borrow::Cow;

use discogen_runtime::path::{has_dot_segment, reserved, segment};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;

const UNRESERVED: &str = "ABCXYZabcxyz0189-._~";

#[test]
fn segment_borrows_unreserved_values() {
    assert!(matches!(segment("pony"), Cow::Borrowed("pony")));
    assert!(matches!(segment(UNRESERVED), Cow::Borrowed(_)));
    assert!(matches!(segment(""), Cow::Borrowed("")));
}

#[test]
fn segment_encodes_everything_else() {
    let cases = [
        ("a/b", "a%2Fb"),
        ("what?x=1", "what%3Fx%3D1"),
        ("a#frag", "a%23frag"),
        ("100%", "100%25"),
        ("%2F", "%252F"),
        ("two words", "two%20words"),
        ("line\r\nHost: evil", "line%0D%0AHost%3A%20evil"),
        ("a+b&c;d,e=f", "a%2Bb%26c%3Bd%2Ce%3Df"),
        ("[::1]@x:y", "%5B%3A%3A1%5D%40x%3Ay"),
        ("\"'<>\\^`{|}", "%22%27%3C%3E%5C%5E%60%7B%7C%7D"),
        ("\0\t\x7f", "%00%09%7F"),
        ("caf\u{e9} \u{1f411}", "caf%C3%A9%20%F0%9F%90%91"),
    ];
    for (value, expected) in cases {
        assert_eq!(segment(value), expected, "{value:?}");
    }
}

#[test]
fn reserved_keeps_slashes_and_path_characters() {
    let name = "projects/p-1/locations/us_east~1/keys/a:b@c!$&'()*+,;=";
    assert!(matches!(reserved(name), Cow::Borrowed(n) if n == name));
}

#[test]
fn reserved_encodes_what_could_leave_the_path() {
    let cases = [
        ("b/o?alt=media", "b/o%3Falt=media"),
        ("b/o#top", "b/o%23top"),
        ("b/100%", "b/100%25"),
        ("b/%2e%2e", "b/%252e%252e"),
        ("my file.txt", "my%20file.txt"),
        ("x\r\nHost: evil", "x%0D%0AHost:%20evil"),
        ("[v6]", "%5Bv6%5D"),
        ("\"<>\\^`{|}", "%22%3C%3E%5C%5E%60%7B%7C%7D"),
        ("dir/caf\u{e9}", "dir/caf%C3%A9"),
    ];
    for (value, expected) in cases {
        assert_eq!(reserved(value), expected, "{value:?}");
    }
}

#[test]
fn dot_segments_are_detected_in_every_spelling() {
    for path in [
        "animals/..",
        "animals/.",
        "../animals",
        "a/./b",
        "a/%2e%2E/b",
        "a/.%2e",
        "a/%2E.",
        "a/%2e",
    ] {
        assert!(has_dot_segment(path), "{path}");
    }
    for path in [
        "animals/pony",
        "animals/..pony",
        "a/...",
        "a/%2e%2e%2e",
        "a/.b",
        "",
        "a//b",
    ] {
        assert!(!has_dot_segment(path), "{path}");
    }
    // The expansions themselves leave `.`/`..` alone, so callers must check.
    assert!(has_dot_segment(&format!("animals/{}", segment(".."))));
    assert!(has_dot_segment(&format!("b/{}", reserved("x/../../admin"))));
}

/// Whether `text` is only `allowed` bytes and well-formed `%XX` escapes.
fn only_allowed_and_escapes(text: &str, allowed: &[u8]) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |b: u8| b.is_ascii_digit() || (b'A'..=b'F').contains(&b);
            if i + 2 >= bytes.len() || !(hex(bytes[i + 1]) && hex(bytes[i + 2])) {
                return false;
            }
            i += 3;
        } else if bytes[i].is_ascii_alphanumeric() || allowed.contains(&bytes[i]) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn segment_is_one_safe_segment_that_decodes_back(value in any::<String>()) {
        let encoded = segment(&value);
        prop_assert!(only_allowed_and_escapes(&encoded, b"-._~"), "{:?}", encoded);
        prop_assert_eq!(percent_decode_str(&encoded).decode_utf8().unwrap(), value.as_str());
    }

    #[test]
    fn reserved_stays_in_the_path_and_decodes_back(value in any::<String>()) {
        let encoded = reserved(&value);
        prop_assert!(only_allowed_and_escapes(&encoded, b"-._~/!$&'()*+,;=:@"), "{:?}", encoded);
        prop_assert_eq!(percent_decode_str(&encoded).decode_utf8().unwrap(), value.as_str());
    }
}

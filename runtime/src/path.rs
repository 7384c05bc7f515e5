//! Expansion of path parameters (`{name}` and `{+name}`, RFC 6570).
//!
//! A parameter value comes from the user and can be anything; these functions make sure it
//! stays inside the path part of the URL (no `?` starting a query, no `#` starting a fragment,
//! no CR/LF splitting the request line).

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`): what a path
/// segment, a query name or value and a Content-ID percent-encode.
pub(crate) const ALL_BUT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Whether `byte` is an RFC 3986 unreserved character, one that [`ALL_BUT_UNRESERVED`] leaves
/// as it is.
pub(crate) fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Everything but the characters RFC 3986 allows in a path (`pchar` and `/`): unreserved,
/// sub-delims `! $ & ' ( ) * + , ; =`, `:` and `@`. Unlike RFC 6570's reserved expansion,
/// `?`, `#`, `[`, `]` and `%` are encoded, so a value cannot start a query or fragment, and
/// an existing `%XX` reaches the server as the literal text the user gave.
const RESERVED: &AsciiSet = &ALL_BUT_UNRESERVED
    .remove(b'/')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// `{name}`: the value stays one path segment (`/` becomes `%2F`).
///
/// Everything but RFC 3986 unreserved characters is percent-encoded (UTF-8 first).
/// Returns the value borrowed when nothing needs encoding.
///
/// ```
/// use discogen_runtime::path::segment;
/// assert_eq!(segment("pony"), "pony");
/// assert_eq!(segment("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
/// ```
///
/// A value of `.` or `..` stays as it is, and URL parsers (the `url` crate, browsers)
/// collapse such segments even when percent-encoded; see [`has_dot_segment`].
pub fn segment(value: &str) -> Cow<'_, str> {
    utf8_percent_encode(value, ALL_BUT_UNRESERVED).into()
}

/// `{+name}`: reserved expansion; `/` is kept, everything else that could leave the path
/// (`?`, `#`, `%`, spaces, CR, LF, …) is still percent-encoded.
///
/// ```
/// use discogen_runtime::path::reserved;
/// assert_eq!(reserved("projects/p/locations/l"), "projects/p/locations/l");
/// assert_eq!(reserved("b/o?x#y%z"), "b/o%3Fx%23y%25z");
/// ```
pub fn reserved(value: &str) -> Cow<'_, str> {
    utf8_percent_encode(value, RESERVED).into()
}

/// Whether an expanded relative path has a `.` or `..` segment, percent-encoded or not.
///
/// URL parsers that follow the WHATWG URL standard (reqwest's `url` among them) remove such
/// segments, so `animals/{name}` with name `..` would address the parent collection.
/// [`Call::new`](crate::Call::new) makes a call with such a path invalid, so that `send` and
/// `queue` refuse it before anything is sent.
///
/// ```
/// use discogen_runtime::path::{has_dot_segment, reserved, segment};
/// assert!(has_dot_segment(&format!("animals/{}", segment(".."))));
/// assert!(has_dot_segment(&reserved("b/../o")));
/// assert!(has_dot_segment("b/%2e%2E/o"));
/// assert!(!has_dot_segment("animals/..pony"));
/// ```
pub fn has_dot_segment(path: &str) -> bool {
    // A dot segment is one or two dots, each spelled `.` or `%2e` in any case. Checked without
    // allocating: it runs for every call made.
    fn strip_dot(text: &str) -> Option<&str> {
        text.strip_prefix('.').or_else(|| {
            text.get(..3)
                .filter(|escape| escape.eq_ignore_ascii_case("%2e"))
                .map(|_| &text[3..])
        })
    }
    path.split('/').any(|part| {
        strip_dot(part).is_some_and(|rest| rest.is_empty() || strip_dot(rest) == Some(""))
    })
}

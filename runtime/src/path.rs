//! Expansion of path parameters (`{name}` and `{+name}`, RFC 6570).
//!
//! A parameter value comes from the user and can be anything; these functions make sure it
//! stays inside the path part of the URL (no `?` starting a query, no `#` starting a fragment,
//! no CR/LF splitting the request line).

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Everything but the characters RFC 3986 allows in a path (`pchar` and `/`): unreserved,
/// sub-delims `! $ & ' ( ) * + , ; =`, `:` and `@`. Unlike RFC 6570's reserved expansion,
/// `?`, `#`, `[`, `]` and `%` are encoded, so a value cannot start a query or fragment, and
/// an existing `%XX` reaches the server as the literal text the user gave.
const RESERVED: &AsciiSet = &SEGMENT
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
    utf8_percent_encode(value, SEGMENT).into()
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
    path.split('/').any(|part| {
        // `%2e` in any case spells a dot too; the longest spelling is `%2e%2e`.
        part.len() <= 6 && {
            let decoded = part.to_ascii_lowercase().replace("%2e", ".");
            decoded == "." || decoded == ".."
        }
    })
}

//! Expansion of path parameters (`{name}` and `{+name}`, RFC 6570).

use std::borrow::Cow;

/// `{name}`: the value stays one path segment (`/` becomes `%2F`).
pub fn segment(value: &str) -> Cow<'_, str> {
    let _ = value;
    todo!("runtime: path::segment")
}

/// `{+name}`: reserved expansion; `/` is kept, everything else that could leave the path
/// (`?`, `#`, `%`, spaces, CR, LF, …) is still percent-encoded.
pub fn reserved(value: &str) -> Cow<'_, str> {
    let _ = value;
    todo!("runtime: path::reserved")
}

//! Rust names for Discovery names: snake_case, UpperCamelCase and SHOUTY_SNAKE_CASE that are
//! always valid identifiers, and namespaces that keep colliding names apart.

use std::collections::HashSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Keywords that can be used as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers: they get a `_` suffix.
const UNRAWABLE: &[&str] = &["self", "Self", "super", "crate", "_"];

/// `name` with every character but ASCII letters and digits (separators heck does not know,
/// such as `-`, `.`, `@`, `$`, and anything non-ASCII) replaced by a space: heck then splits
/// words there and only ASCII letters, digits and `_` come out.
fn spaced(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// Makes `name` (already cased) a usable identifier: not empty, not starting with a digit,
/// keywords raw or suffixed.
fn identifier(mut name: String, fallback: &str) -> String {
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if UNRAWABLE.contains(&name.as_str()) {
        name.push('_');
    } else if RAW_KEYWORDS.contains(&name.as_str()) {
        name.insert_str(0, "r#");
    }
    name
}

/// `snake_case` identifier for a field, method, argument or module (`@type` → `r#type`,
/// `end-date` → `end_date`, `self` → `self_`, `3d` → `_3d`).
pub fn snake(name: &str) -> String {
    identifier(spaced(name).to_snake_case(), "value")
}

/// `UpperCamelCase` identifier for a type or enum variant (`FOO_BAR` → `FooBar`,
/// `HTTPHealthCheck` → `HttpHealthCheck`, `1080p` → `_1080p`).
pub fn camel(name: &str) -> String {
    let fallback = if name.is_empty() { "Empty" } else { "Value" };
    identifier(spaced(name).to_upper_camel_case(), fallback)
}

/// `SHOUTY_SNAKE_CASE` identifier for a constant.
pub fn shouty(name: &str) -> String {
    identifier(spaced(name).to_shouty_snake_case(), "VALUE")
}

/// The name without its `r#` prefix, e.g. to compare with serde's view of a field.
pub fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// The names already used in one Rust namespace (a module's types, a struct's fields, a
/// type's methods, …). Later claims of a taken name get a suffix, so the first claimant
/// keeps the natural name and every name stays stable for a given document.
#[derive(Debug, Default)]
pub struct Namespace {
    taken: HashSet<String>,
}

impl Namespace {
    /// A namespace where `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namespace {
            taken: reserved.iter().map(|name| (*name).to_owned()).collect(),
        }
    }

    /// Marks `name` as taken (no suffix is tried).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(unraw(name).to_owned());
    }

    /// Whether `name` is free.
    pub fn is_free(&self, name: &str) -> bool {
        !self.taken.contains(unraw(name))
    }

    /// Claims a snake_case or SHOUTY name: `name`, or `name + suffix`, or
    /// `name + suffix + _2`, `_3`, …: the first free one.
    pub fn claim(&mut self, name: &str, suffix: &str) -> String {
        self.claim_with(name, suffix, false)
    }

    /// Claims an UpperCamelCase name: `name`, `name + suffix`, `name + suffix + 2`, …
    pub fn claim_type(&mut self, name: &str, suffix: &str) -> String {
        self.claim_with(name, suffix, true)
    }

    fn claim_with(&mut self, name: &str, suffix: &str, camel: bool) -> String {
        if self.is_free(name) {
            self.reserve(name);
            return name.to_owned();
        }
        // A suffix turns a keyword back into a plain identifier (`r#type` → `type_2`), and a
        // keyword's `_` goes (`self_` → `self_2`, `Self_` → `Self2`): the lints on naming
        // reject `__` and `_` next to a letter in type names.
        let stem = unraw(name).trim_end_matches('_');
        let stem = if stem.is_empty() { unraw(name) } else { stem };
        let base = format!("{stem}{suffix}");
        if !suffix.is_empty() && self.is_free(&base) {
            self.reserve(&base);
            return base;
        }
        let after_digit = base.ends_with(|c: char| c.is_ascii_digit());
        let separator = if !camel || after_digit { "_" } else { "" };
        (2..)
            .map(|n| format!("{base}{separator}{n}"))
            .find(|candidate| self.is_free(candidate))
            .inspect(|candidate| self.reserve(candidate))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names_are_valid_identifiers() {
        assert_eq!(snake("pageToken"), "page_token");
        assert_eq!(snake("$.xgafv"), "xgafv");
        assert_eq!(snake("@type"), "r#type");
        assert_eq!(snake("@context"), "context");
        assert_eq!(snake("$schema"), "schema");
        assert_eq!(snake("end-date"), "end_date");
        assert_eq!(snake("_since"), "since");
        assert_eq!(snake("3dModel"), "_3d_model");
        assert_eq!(snake("continue"), "r#continue");
        assert_eq!(snake("return"), "r#return");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("super"), "super_");
        assert_eq!(snake("crate"), "crate_");
        assert_eq!(snake("Self"), "self_");
        assert_eq!(snake("gen"), "r#gen");
        assert_eq!(snake("@"), "value");
        assert_eq!(snake("ünïcode"), "n_code");
        assert_eq!(snake("HTTPRequest"), "http_request");
    }

    #[test]
    fn camel_names_are_valid_identifiers() {
        assert_eq!(camel("FOO_BAR"), "FooBar");
        assert_eq!(camel("HTTPHealthCheck"), "HttpHealthCheck");
        assert_eq!(camel("animal"), "Animal");
        assert_eq!(camel("1080p"), "_1080p");
        assert_eq!(camel("Self"), "Self_");
        assert_eq!(camel("self"), "Self_");
        assert_eq!(camel(""), "Empty");
        assert_eq!(camel("*"), "Value");
        assert_eq!(camel("google.protobuf.Any"), "GoogleProtobufAny");
        assert_eq!(camel("end-date"), "EndDate");
    }

    #[test]
    fn shouty_names_are_valid_identifiers() {
        assert_eq!(
            shouty("cloud-platform.read-only"),
            "CLOUD_PLATFORM_READ_ONLY"
        );
        assert_eq!(shouty("mail.google.com/"), "MAIL_GOOGLE_COM");
        assert_eq!(shouty("3p"), "_3P");
    }

    #[test]
    fn names_are_ascii_whatever_the_input() {
        // No filter after heck: `spaced` must leave it nothing but ASCII letters and digits.
        let ascii = |name: &str| {
            unraw(name)
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        for c in (0..0x3000)
            .chain(0x1F600..0x1F650)
            .filter_map(char::from_u32)
        {
            for name in [format!("{c}"), format!("a{c}B"), format!("{c}1x{c}")] {
                for converted in [snake(&name), camel(&name), shouty(&name)] {
                    assert!(ascii(&converted), "{name:?} → {converted:?}");
                }
            }
        }
    }

    #[test]
    fn namespaces_suffix_later_claims() {
        let mut ns = Namespace::with_reserved(&["new"]);
        assert_eq!(ns.claim("get", "_resource"), "get");
        assert_eq!(ns.claim("get", "_resource"), "get_resource");
        assert_eq!(ns.claim("get", "_resource"), "get_resource_2");
        assert_eq!(ns.claim("new", ""), "new_2");
        let mut types = Namespace::default();
        assert_eq!(types.claim_type("Animal", ""), "Animal");
        assert_eq!(types.claim_type("Animal", ""), "Animal2");
        assert_eq!(types.claim_type("Alt", "Param"), "Alt");
        assert_eq!(types.claim_type("Alt", "Param"), "AltParam");
        assert_eq!(types.claim_type("Alt", "Param"), "AltParam2");
        assert_eq!(types.claim_type("Self_", ""), "Self_");
        assert_eq!(types.claim_type("Self_", ""), "Self2");
        assert_eq!(types.claim_type("_1080p", ""), "_1080p");
        assert_eq!(types.claim_type("_1080p", ""), "_1080p2");
        let mut variants = Namespace::default();
        assert_eq!(variants.claim_type("V2", ""), "V2");
        assert_eq!(variants.claim_type("V2", ""), "V2_2");
        let mut fields = Namespace::default();
        assert_eq!(fields.claim("r#type", ""), "r#type");
        assert_eq!(fields.claim("r#type", ""), "type_2");
        assert_eq!(fields.claim("self_", ""), "self_");
        assert_eq!(fields.claim("self_", ""), "self_2");
    }
}

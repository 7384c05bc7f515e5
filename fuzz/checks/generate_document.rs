//! The invariants of the generator (parse → resolve → emit → format), shared by the
//! `generate_document` fuzz target and the generator test that replays its seeds and
//! regression inputs (generator/tests/hostile_fuzz_replay.rs).
//!
//! An input is a Discovery document's text. Whatever it holds, `discogen::generate` returns
//! (no panic, no hang: libFuzzer's timeout catches the latter) and:
//! - when it returns code, that code parses as a Rust file (`syn::parse_file`), its header
//!   is one `//` line, no doc string holds a line break (which prettyplease would print as a
//!   `/** */` block), and a second run gives the same code;
//! - when it returns an error, the error has a message.
//!
//! When the document has methods, generating only the first one (`--only`) must hold the same
//! invariants.

use discogen::{Options, generate};

/// Generates `data` (when it is UTF-8) and checks the invariants above; panics on the first
/// one broken.
pub fn check_generate(data: &[u8]) {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Some(code) = check_options(json, &Options::default()) else {
        return;
    };
    // Deterministic: `--check` in CI depends on it.
    assert_eq!(
        generate(json, &Options::default()).ok().as_deref(),
        Some(code.as_str()),
        "a second run generated different code"
    );
    if let Some(id) = first_method_id(json) {
        check_options(json, &Options::default().only([id]));
    }
}

/// Generates with `options`; returns the code when there is some.
fn check_options(json: &str, options: &Options) -> Option<String> {
    match generate(json, options) {
        Ok(code) => {
            if let Err(error) = syn::parse_file(&code) {
                panic!("generated code does not parse as Rust: {error}\n{code}");
            }
            // Document text stays in comments: the header is one `//` line, and no doc
            // string holds a line break (prettyplease would print it as a `/** … */` block,
            // which a `*/` in the text could end).
            let mut lines = code.lines();
            assert!(
                lines.next().is_some_and(|l| l.starts_with("// ")),
                "no header line"
            );
            assert_eq!(lines.next(), Some(""), "the header is not one line");
            assert!(
                !code.contains("/**") && !code.contains("/*!"),
                "a block doc comment: a doc string with a line break"
            );
            Some(code)
        }
        Err(error) => {
            assert!(!error.to_string().is_empty(), "an error without a message");
            None
        }
    }
}

/// The id of the first method of the first resource that has one, if the document parses.
fn first_method_id(json: &str) -> Option<String> {
    let document = discogen::parse::parse(json).ok()?;
    let mut resources: Vec<&discogen::parse::Resource> = document.resources.values().collect();
    if let Some(method) = document.methods.values().next() {
        return Some(method.id.clone()).filter(|id| !id.is_empty());
    }
    while let Some(resource) = resources.pop() {
        if let Some(method) = resource.methods.values().next() {
            return Some(method.id.clone()).filter(|id| !id.is_empty());
        }
        resources.extend(resource.resources.values());
    }
    None
}

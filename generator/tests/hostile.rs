//! Hostile documents: each gets a clear error or code that parses as Rust, never a panic.

use std::path::Path;

use discogen::{Error, Options, generate};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

/// Generated code must parse as a Rust file.
fn assert_rust(code: &str) {
    if let Err(error) = syn::parse_file(code) {
        panic!("generated code does not parse: {error}");
    }
}

#[test]
fn every_truncation_of_a_document_is_an_error_not_a_panic() {
    let json = fixture("traps.json");
    for end in (0..json.len()).step_by(97) {
        let error = generate(&json[..end], &Options::default()).unwrap_err();
        assert!(
            error.to_string().contains("not valid JSON"),
            "{end}: {error}"
        );
    }
}

#[test]
fn documents_with_fields_removed_still_give_code_or_a_clear_error() {
    // Drop one key at a time everywhere in the farm document: whatever remains must either
    // generate Rust or be refused with a message.
    let json: serde_json::Value = serde_json::from_str(&fixture("farm.json")).unwrap();
    let mut paths = Vec::new();
    collect_object_paths(&json, &mut Vec::new(), &mut paths);
    for path in paths.iter().step_by(3) {
        let mut mutated = json.clone();
        remove(&mut mutated, path);
        match generate(&mutated.to_string(), &Options::default()) {
            Ok(code) => assert_rust(&code),
            Err(error) => assert!(!error.to_string().is_empty()),
        }
    }
}

fn collect_object_paths(
    value: &serde_json::Value,
    prefix: &mut Vec<String>,
    out: &mut Vec<Vec<String>>,
) {
    if let serde_json::Value::Object(map) = value {
        for (key, child) in map {
            prefix.push(key.clone());
            out.push(prefix.clone());
            collect_object_paths(child, prefix, out);
            prefix.pop();
        }
    }
}

fn remove(value: &mut serde_json::Value, path: &[String]) {
    let (last, parents) = path.split_last().unwrap();
    let mut target = value;
    for key in parents {
        target = &mut target[key];
    }
    target.as_object_mut().unwrap().remove(last);
}

#[test]
fn wrong_types_for_known_fields_name_the_path() {
    let json = r#"{"name": "x", "version": "v1", "rootUrl": "https://x/", "schemas": {"A": {"properties": []}}}"#;
    let error = generate(json, &Options::default()).unwrap_err();
    assert_eq!(error.json_path(), Some("schemas.A.properties"), "{error}");
    let json = r#"{"name": "x", "version": "v1", "rootUrl": "https://x/", "schemas": {"A": {"enum": "A"}}}"#;
    assert_eq!(
        generate(json, &Options::default()).unwrap_err().json_path(),
        Some("schemas.A.enum")
    );
}

#[test]
fn ten_thousand_nested_resources_are_an_error() {
    let mut json =
        String::from(r#"{"name": "x", "version": "v1", "rootUrl": "https://x/", "resources": "#);
    json.push_str(&r#"{"r": {"resources": "#.repeat(10_000));
    json.push_str("{}");
    json.push_str(&"}}".repeat(10_000));
    json.push('}');
    let error = generate(&json, &Options::default()).unwrap_err();
    assert!(error.to_string().contains("recursion limit"), "{error}");
}

#[test]
fn schemas_nested_as_deep_as_json_allows_generate() {
    // 60 levels of inline objects: the deepest serde_json accepts (128) is about 63.
    let mut schema = String::from(r#"{"type": "string"}"#);
    for _ in 0..60 {
        schema = format!(r#"{{"type": "object", "properties": {{"inner": {schema}}}}}"#);
    }
    let json = format!(
        r#"{{"name": "x", "version": "v1", "rootUrl": "https://x/", "schemas": {{"Deep": {schema}}}}}"#
    );
    assert_rust(&generate(&json, &Options::default()).unwrap());
}

#[test]
fn punctuation_names_and_self_references_generate() {
    let json = r##"{"name": "x", "version": "v1", "rootUrl": "https://x/",
        "parameters": {"@": {"type": "string", "location": "query"}, "#": {"type": "string", "location": "query"}},
        "schemas": {
            "!!!": {"type": "object", "properties": {"@": {"type": "string"}, "#": {"type": "string"}, "-": {"$ref": "!!!"}}},
            "???": {"type": "string", "enum": ["+", "-", "*", "/", ""]},
            "Me": {"type": "object", "properties": {"me": {"$ref": "Me"}}}},
        "resources": {"...": {"methods": {
            "@": {"id": "x.a", "httpMethod": "GET", "path": "a", "response": {"$ref": "!!!"}},
            "#": {"id": "x.b", "httpMethod": "GET", "path": "b"},
            "get": {"id": "x.c", "httpMethod": "GET", "path": "c"},
            "Get": {"id": "x.d", "httpMethod": "GET", "path": "d"},
            "GET": {"id": "x.e", "httpMethod": "GET", "path": "e"}}}}}"##;
    let code = generate(json, &Options::default()).unwrap();
    assert_rust(&code);
    assert!(
        code.contains("pub fn get(")
            && code.contains("pub fn get_method(")
            && code.contains("pub fn get_method_2(")
    );
    assert!(
        code.contains("pub struct Value {") && code.contains("pub enum Value2 {"),
        "{code}"
    );
}

#[test]
fn a_self_referencing_alias_is_an_error_with_its_path() {
    let json = r#"{"name": "x", "version": "v1", "rootUrl": "https://x/", "schemas": {"Me": {"$ref": "Me"}}}"#;
    let error = generate(json, &Options::default()).unwrap_err();
    assert!(
        matches!(&error, Error::Document { path, .. } if path == "schemas.Me"),
        "{error}"
    );
}

#[test]
fn enormous_descriptions_stay_comments() {
    let chunk = "Ends */ here, opens /* there, #[cfg(any())] fn x() {} ```rust\nfn main() { panic!() }\n```\n\
                 <script>alert(1)</script> [link] https://example.com/a_(b) \\ \"quoted\" \u{202e}\r\n";
    let description = chunk.repeat(2_000);
    let json = serde_json::json!({
        "name": "x", "version": "v1", "rootUrl": "https://x/", "description": description,
        "schemas": {"A": {"type": "object", "description": description,
            "properties": {"a": {"type": "string", "description": description},
                "\u{202e}b": {"type": "string", "enum": ["x\u{202e}y"]}}}}
    });
    let code = generate(&json.to_string(), &Options::default()).unwrap();
    let file = syn::parse_file(&code).unwrap();
    // The text is all in doc attributes: the only items are the generated ones (hub, API,
    // its impls, scopes, serde_support, A and its serde impls, the enum of field `b` and its
    // five impls; no methods, so no MethodCall).
    assert_eq!(file.items.len(), 15);
    // Every fence opens a `text` block: no description becomes a doc-test.
    for line in code.lines() {
        let doc = line.trim_start().trim_start_matches("///").trim_start();
        if doc.starts_with("```") {
            assert!(doc == "```text" || doc.chars().all(|c| c == '`'), "{line}");
        }
    }
    // Bidirectional-text controls would trip rustc's deny-by-default lints in comments and
    // literals: they are left out of comments and escaped in literals.
    assert!(!code.contains('\u{202e}'));
    assert!(code.contains("\\u{202e}"));
}

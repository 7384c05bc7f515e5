use super::*;

/// A minimal valid document with `extra` merged into it (a JSON object's members).
fn document(extra: &str) -> String {
    let comma = if extra.is_empty() { "" } else { "," };
    format!(
        r#"{{"name": "farm", "version": "v1", "rootUrl": "https://farm.example/"{comma}{extra}}}"#
    )
}

fn error_of(json: &str) -> (String, String) {
    match parse(json) {
        Ok(_) => panic!("expected an error for {json}"),
        Err(Error::Document { path, message, .. }) => (path, message),
        Err(other) => panic!("unexpected error {other}"),
    }
}

const ANIMALS_GET: &str = r#""resources": {"animals": {"methods": {"get": "#;

#[test]
fn minimal_document_parses_and_ignores_unknown_fields() {
    let json = document(
        r#""kind": "discovery#restDescription", "icons": {"x16": "a"}, "futureField": [1, 2]"#,
    );
    let parsed = parse(&json).unwrap();
    assert_eq!(parsed.name, "farm");
    assert_eq!(parsed.version, "v1");
    assert!(parsed.schemas.is_empty());
}

#[test]
fn maps_keep_document_order() {
    let json = document(
        r#""schemas": {"Zebra": {"type": "object"}, "Ant": {"type": "object"}, "Mole": {"type": "object"}}"#,
    );
    let parsed = parse(&json).unwrap();
    let names: Vec<&str> = parsed.schemas.keys().map(String::as_str).collect();
    assert_eq!(names, ["Zebra", "Ant", "Mole"]);
}

#[test]
fn not_json_is_an_error_without_path() {
    let (path, message) = error_of(r#"{"name": "farm", "#);
    assert_eq!(path, "");
    assert!(message.starts_with("not valid JSON"), "{message}");
}

#[test]
fn a_wrong_type_names_its_json_path() {
    let json = document(&format!(
        r#"{ANIMALS_GET}{{"id": "farm.animals.get", "httpMethod": 5, "path": "x"}}}}}}}}"#
    ));
    let (path, message) = error_of(&json);
    assert_eq!(path, "resources.animals.methods.get.httpMethod");
    assert!(message.contains("expected a string"), "{message}");
}

#[test]
fn a_ref_to_no_schema_names_its_json_path() {
    let json = document(
        r#""schemas": {"Animal": {"type": "object", "properties": {"owner": {"$ref": "Farmer"}}}}"#,
    );
    let (path, message) = error_of(&json);
    assert_eq!(path, "schemas.Animal.properties.owner.$ref");
    assert!(message.contains("\"Farmer\""), "{message}");
}

#[test]
fn a_response_ref_to_no_schema_is_an_error() {
    let json = document(&format!(
        r#"{ANIMALS_GET}{{"id": "farm.animals.get", "httpMethod": "GET", "path": "a", "response": {{"$ref": "Nope"}}}}}}}}}}"#
    ));
    assert_eq!(
        error_of(&json).0,
        "resources.animals.methods.get.response.$ref"
    );
}

#[test]
fn a_method_without_http_method_or_path_is_an_error() {
    let json = document(&format!(
        r#"{ANIMALS_GET}{{"id": "farm.animals.get", "path": "animals"}}}}}}}}"#
    ));
    assert_eq!(
        error_of(&json),
        (
            "resources.animals.methods.get.httpMethod".into(),
            "missing".into()
        )
    );
    let json = document(&format!(
        r#"{ANIMALS_GET}{{"id": "farm.animals.get", "httpMethod": "GET"}}}}}}}}"#
    ));
    assert_eq!(
        error_of(&json),
        (
            "resources.animals.methods.get.path".into(),
            "missing".into()
        )
    );
}

#[test]
fn a_path_parameter_missing_from_the_path_is_an_error() {
    let json = document(&format!(
        r#"{ANIMALS_GET}{{"id": "farm.animals.get", "httpMethod": "GET", "path": "animals/{{id}}",
            "parameters": {{"id": {{"type": "string", "location": "path"}},
                            "name": {{"type": "string", "location": "path"}}}}}}}}}}}}"#
    ));
    let (path, message) = error_of(&json);
    assert_eq!(path, "resources.animals.methods.get.parameters.name");
    assert!(message.contains("does not appear in path"), "{message}");
}

#[test]
fn a_path_variable_that_is_no_path_parameter_is_an_error() {
    let json = document(&format!(
        r#"{ANIMALS_GET}{{"id": "farm.animals.get", "httpMethod": "GET", "path": "animals/{{+name}}",
            "parameters": {{"name": {{"type": "string", "location": "query"}}}}}}}}}}}}"#
    ));
    let (path, message) = error_of(&json);
    assert_eq!(path, "resources.animals.methods.get.path");
    assert!(message.contains("{name}"), "{message}");
}

#[test]
fn parameter_order_must_name_parameters() {
    let json = document(&format!(
        r#"{ANIMALS_GET}{{"id": "farm.animals.get", "httpMethod": "GET", "path": "animals",
            "parameterOrder": ["ghost"]}}}}}}}}"#
    ));
    assert_eq!(
        error_of(&json).0,
        "resources.animals.methods.get.parameterOrder[0]"
    );
}

#[test]
fn unknown_types_and_locations_are_errors() {
    let json = document(
        r#""schemas": {"A": {"type": "object", "properties": {"x": {"type": "strnig"}}}}"#,
    );
    assert_eq!(error_of(&json).0, "schemas.A.properties.x.type");
    let json = document(r#""parameters": {"h": {"type": "string", "location": "header"}}"#);
    assert_eq!(error_of(&json).0, "parameters.h.location");
}

#[test]
fn name_and_version_are_required() {
    let (path, _) = error_of(r#"{"version": "v1", "rootUrl": "https://x/"}"#);
    assert_eq!(path, "name");
    let (path, _) = error_of(r#"{"name": "x", "rootUrl": "https://x/"}"#);
    assert_eq!(path, "version");
    let (path, _) = error_of(r#"{"name": "x", "version": "v1"}"#);
    assert_eq!(path, "rootUrl");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 10_000;
    let mut json =
        String::from(r#"{"name": "x", "version": "v1", "rootUrl": "https://x/", "resources": "#);
    for _ in 0..depth {
        json.push_str(r#"{"r": {"resources": "#);
    }
    json.push_str("{}");
    for _ in 0..depth {
        json.push_str("}}");
    }
    json.push('}');
    let (path, message) = error_of(&json);
    assert!(message.contains("recursion limit"), "{path}: {message}");
}

#[test]
fn truncated_json_is_an_error() {
    let json = document(r#""schemas": {"A": {"type": "object""#);
    let (path, message) = error_of(&json[..json.len() - 1]);
    assert_eq!(path, "");
    assert!(message.contains("EOF"), "{message}");
}

#[test]
fn templates_split_into_literals_and_variables() {
    assert_eq!(
        parse_template("v1/{+name}/items/{itemId}:get").unwrap(),
        [
            TemplatePiece::Literal("v1/"),
            TemplatePiece::Variable {
                name: "name",
                reserved: true
            },
            TemplatePiece::Literal("/items/"),
            TemplatePiece::Variable {
                name: "itemId",
                reserved: false
            },
            TemplatePiece::Literal(":get"),
        ]
    );
    assert_eq!(parse_template("{a}{b}").unwrap().len(), 2);
    assert!(parse_template("a/{b").unwrap_err().contains("unclosed"));
    assert!(parse_template("a/b}").unwrap_err().contains("unbalanced"));
    assert!(
        parse_template("a/{/b}")
            .unwrap_err()
            .contains("unsupported")
    );
    assert!(
        parse_template("a/{b*}")
            .unwrap_err()
            .contains("unsupported")
    );
    assert!(parse_template("a/{}").is_err());
}

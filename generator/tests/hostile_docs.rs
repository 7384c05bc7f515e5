//! Hostile documents beyond hostile.rs: the fixture `hostile.json` (cycles through arrays and
//! maps, a schema that refers to itself three ways, names made of punctuation, method names
//! that collide after conversion, descriptions full of comment ends, attributes, fences and
//! doc-tests; a title, revision, names and ids with line breaks and code after them)
//! generates the checked-in snapshot `snapshots/hostile_v1.rs`, which this test
//! compiles and exercises; the tests crate runs rustdoc over it (`cargo doc`, and its
//! doc-tests: a description that became a doc-test would fail there). Also: wrong types for
//! known fields name their JSON path, and 10,000 sibling resources generate.

#[allow(dead_code)]
mod hostile {
    include!("snapshots/hostile_v1.rs");
}

use std::collections::BTreeMap;
use std::path::Path;

use discogen::{Options, generate};
use discogen_runtime::serde_json::{self, json};
use hostile::{Copse, CopseInline, Me, Tree, Value2};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

#[test]
fn the_hostile_fixture_generates_its_snapshot() {
    let code = generate(&fixture("hostile.json"), &Options::default()).unwrap();
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/hostile_v1.rs");
    if std::env::var_os("DISCOGEN_BLESS").is_some_and(|value| value == "1") {
        std::fs::write(&snapshot, &code).unwrap();
        return;
    }
    assert!(
        std::fs::read_to_string(&snapshot).unwrap() == code,
        "snapshots/hostile_v1.rs differs from what hostile.json generates \
         (if intended: DISCOGEN_BLESS=1 cargo test -p discogen --test hostile_docs)"
    );
}

#[test]
fn descriptions_stay_documentation() {
    let code = generate(&fixture("hostile.json"), &Options::default()).unwrap();
    // Every line is code, or a comment that starts with `//`: no description closed a
    // comment or opened an attribute of its own.
    let file = syn::parse_file(&code).unwrap();
    let doc_lines = code.lines().filter(|l| l.trim_start().starts_with("///"));
    for line in doc_lines {
        let doc = line.trim_start().trim_start_matches("///");
        // Fences open `text` blocks only; no line is indented into a code block.
        if doc.trim_start().starts_with("```") {
            assert!(doc.trim() == "```text" || doc.trim() == "```", "{line}");
        }
        assert!(!doc.starts_with("     "), "an indented code block: {line}");
    }
    // The attribute text in descriptions is escaped, never an attribute.
    let attributes = file.items.iter().flat_map(item_attributes);
    for attribute in attributes {
        let path = attribute.path();
        assert!(
            path.is_ident("doc")
                || path.is_ident("derive")
                || path.is_ident("must_use")
                || path.is_ident("allow"),
            "unexpected attribute {:?}",
            path.get_ident()
        );
    }
    // The title, revision, names and ids hold line breaks followed by `fn injected_…() {}`:
    // none of it became an item (the header is one `//` line, docs are `///` lines).
    let functions = file.items.iter().flat_map(free_functions);
    for function in functions {
        assert!(
            !function.starts_with("injected"),
            "document text became code: fn {function}"
        );
    }
    let mut lines = code.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("// Hostile API */ #[doc]")
    );
    assert_eq!(lines.next(), Some(""), "the header is one line");
    assert!(
        !code.contains("/**") && !code.contains("/*!"),
        "a doc string with a line break"
    );
    assert!(!code.contains('\u{202e}') && !code.contains('\u{2066}'));
}

/// The names of free functions, in modules too.
fn free_functions(item: &syn::Item) -> Vec<String> {
    match item {
        syn::Item::Fn(function) => vec![function.sig.ident.to_string()],
        syn::Item::Mod(module) => module
            .content
            .iter()
            .flat_map(|(_, items)| items.iter().flat_map(free_functions))
            .collect(),
        _ => Vec::new(),
    }
}

fn item_attributes(item: &syn::Item) -> Vec<&syn::Attribute> {
    match item {
        syn::Item::Struct(item) => item.attrs.iter().collect(),
        syn::Item::Enum(item) => item.attrs.iter().collect(),
        syn::Item::Fn(item) => item.attrs.iter().collect(),
        syn::Item::Impl(item) => item.attrs.iter().collect(),
        syn::Item::Mod(item) => {
            let mut attrs: Vec<&syn::Attribute> = item.attrs.iter().collect();
            if let Some((_, items)) = &item.content {
                attrs.extend(items.iter().flat_map(item_attributes));
            }
            attrs
        }
        syn::Item::Const(item) => item.attrs.iter().collect(),
        syn::Item::Type(item) => item.attrs.iter().collect(),
        _ => Vec::new(),
    }
}

#[test]
fn cycles_through_arrays_and_maps_round_trip() {
    let wire = json!({
        "children": [{"a": {"label": "leaf", "children": []}}, {}],
        "label": "root"
    });
    let tree: Tree = serde_json::from_value(wire.clone()).unwrap();
    let leaf = &tree.children.as_ref().unwrap()[0]["a"];
    assert_eq!(leaf.label.as_deref(), Some("leaf"));
    assert_eq!(serde_json::to_value(&tree).unwrap(), wire);

    // Copse → Grove (a map of arrays of Copse) → Copse, and an inline object that points back.
    let copse = Copse {
        grove: Some(BTreeMap::from([(
            "north".to_owned(),
            vec![Copse {
                trees: Some(vec![Tree::default()]),
                ..Copse::default()
            }],
        )])),
        inline: Some(vec![CopseInline {
            back: Some(Copse::default()),
        }]),
        ..Copse::default()
    };
    let value = serde_json::to_value(&copse).unwrap();
    assert_eq!(
        value,
        json!({"grove": {"north": [{"trees": [{}]}]}, "inline": [{"back": {}}]})
    );
    assert_eq!(serde_json::from_value::<Copse>(value).unwrap(), copse);

    // A schema that holds itself directly, in an array and in a map.
    let me: Me = serde_json::from_value(json!({
        "me": {"me": {}}, "us": [{}, {"us": []}], "byName": {"x": {"byName": {}}}
    }))
    .unwrap();
    assert!(me.me.unwrap().me.is_some());
    assert_eq!(me.by_name.unwrap()["x"].by_name, Some(BTreeMap::new()));
}

#[test]
fn punctuation_names_and_colliding_method_names_are_distinct() {
    // The enum named `???` keeps every value, comment closers included, on the wire.
    for value in ["+", "-", "*", "/", "", "*/", "#["] {
        let parsed: Value2 = serde_json::from_value(json!(value)).unwrap();
        assert_eq!(parsed.as_str(), value);
        assert!(!matches!(parsed, Value2::Unknown(_)), "{value:?}");
    }
    let hub = hostile::Hostile::builder().build().unwrap();
    let items = hub.items();
    // get / Get / GET / get_ and listAll / list_all / ListAll: one builder each, its own id.
    let ids = [
        format!("{:?}", items.get("a").into_call()),
        format!("{:?}", items.get_method("a").into_call()),
        format!("{:?}", items.get_method_2().into_call()),
        format!("{:?}", items.get_method_3().into_call()),
        format!("{:?}", items.list_all().into_call()),
        format!("{:?}", items.list_all_method().into_call()),
        format!("{:?}", items.list_all_method_2(Me::default()).into_call()),
        format!("{:?}", items.photos().into_call()),
        format!("{:?}", items.photos_resource().list().into_call()),
        format!("{:?}", items.photos_resource_2().list().into_call()),
    ];
    let expected = [
        "hostile.items.get",
        "hostile.items.Get",
        "hostile.items.GET",
        "hostile.items.get_",
        "hostile.items.listAll",
        "hostile.items.list_all",
        "hostile.items.ListAll",
        "hostile.items.photos",
        "hostile.items.photos.list",
        "hostile.items.Photos.list",
    ];
    for (debug, id) in ids.iter().zip(expected) {
        assert!(debug.contains(&format!("id: \"{id}\"")), "{id}: {debug}");
    }
    // pageSize / page_size / PageSize: three setters, three wire names.
    let debug = format!(
        "{:?}",
        items
            .list_all()
            .page_size(1)
            .page_size_param(2)
            .page_size_param_2("3")
            .into_call()
    );
    assert!(
        debug.contains(r#"("pageSize", "1"), ("page_size", "2"), ("PageSize", "3")"#),
        "{debug}"
    );
    // Global parameters named `@` and `#`.
    let debug = format!(
        "{:?}",
        items.get("a").value("x").value_param("y").into_call()
    );
    assert!(debug.contains(r##"("@", "x"), ("#", "y")"##), "{debug}");
}

#[test]
fn wrong_types_for_known_fields_name_their_path() {
    let base = |extra: &str| {
        format!(r#"{{"name": "x", "version": "v1", "rootUrl": "https://x/", {extra}}}"#)
    };
    let cases = [
        (r#""resources": []"#, "resources"),
        (
            r#""resources": {"r": {"methods": {"m": {"httpMethod": 5}}}}"#,
            "resources.r.methods.m.httpMethod",
        ),
        (
            r#""resources": {"r": {"methods": {"m": {"parameters": "p"}}}}"#,
            "resources.r.methods.m.parameters",
        ),
        (
            r#""resources": {"r": {"methods": {"m": {"parameterOrder": "name"}}}}"#,
            "resources.r.methods.m.parameterOrder",
        ),
        (
            r#""resources": {"r": {"methods": {"m": {"supportsMediaDownload": "yes"}}}}"#,
            "resources.r.methods.m.supportsMediaDownload",
        ),
        (
            r#""schemas": {"A": {"properties": {"b": {"required": "yes"}}}}"#,
            "schemas.A.properties.b.required",
        ),
        (
            r#""schemas": {"A": {"items": "string"}}"#,
            "schemas.A.items",
        ),
        (
            r#""schemas": {"A": {"additionalProperties": 1}}"#,
            "schemas.A.additionalProperties",
        ),
        (r#""schemas": {"A": {"$ref": 1}}"#, "schemas.A.$ref"),
        (
            r#""parameters": {"p": {"repeated": 1}}"#,
            "parameters.p.repeated",
        ),
        (
            r#""auth": {"oauth2": {"scopes": []}}"#,
            "auth.oauth2.scopes",
        ),
        (r#""servicePath": 7"#, "servicePath"),
    ];
    for (extra, path) in cases {
        let json = base(extra);
        let error = generate(&json, &Options::default()).unwrap_err();
        assert_eq!(error.json_path(), Some(path), "{extra}: {error}");
        assert!(error.to_string().contains(path), "{error}");
    }
    // A known field of the wrong type at the top: the path is the field.
    let error = generate(r#"{"name": 7}"#, &Options::default()).unwrap_err();
    assert_eq!(error.json_path(), Some("name"), "{error}");
}

#[test]
fn ten_thousand_sibling_resources_generate() {
    let resources: serde_json::Map<String, serde_json::Value> = (0..10_000)
        .map(|n| {
            let method =
                json!({"id": format!("x.r{n}.get"), "httpMethod": "GET", "path": format!("r{n}")});
            (format!("r{n}"), json!({"methods": {"get": method}}))
        })
        .collect();
    let json =
        json!({"name": "x", "version": "v1", "rootUrl": "https://x/", "resources": resources});
    let code = generate(&json.to_string(), &Options::default()).unwrap();
    let file = syn::parse_file(&code).unwrap();
    let modules = file
        .items
        .iter()
        .filter(|item| matches!(item, syn::Item::Mod(_)))
        .count();
    // One module per resource, plus `scopes`.
    assert!(modules >= 10_000, "{modules} modules");
    assert!(code.contains("pub fn r9999(&self)"));
}

#[test]
fn code_spans_and_comment_lines_cannot_be_escaped() {
    use discogen::emit::{code_span, one_line, plain_line};
    assert_eq!(code_span("farm.animals.get"), "`farm.animals.get`");
    assert_eq!(code_span("a`[b]`"), "`` a`[b]` ``");
    assert_eq!(code_span("x``y"), "```x``y```");
    assert_eq!(code_span("a\r\nb\u{202e}c"), "`a  bc`");
    assert_eq!(one_line("T\n*/ fn x() {}"), "T */ fn x() {}");
    assert_eq!(one_line("#[doc] [x]"), "#\\[doc\\] \\[x\\]");
    assert_eq!(plain_line("a\nb\rc\u{2066}d"), "a b cd");
}

#[test]
fn nesting_past_the_recursion_limit_names_where() {
    let mut json =
        String::from(r#"{"name": "x", "version": "v1", "rootUrl": "https://x/", "resources": "#);
    json.push_str(&r#"{"r": {"resources": "#.repeat(10_000));
    json.push_str("{}");
    json.push_str(&"}}".repeat(10_000));
    json.push('}');
    let error = generate(&json, &Options::default()).unwrap_err();
    let path = error.json_path().unwrap();
    assert!(path.starts_with("resources.r.resources.r."), "{error}");
    assert!(
        error.to_string().contains("recursion limit exceeded"),
        "{error}"
    );
}

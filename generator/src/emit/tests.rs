use super::resources::self_convention;
use super::schemas::with_module;
use super::*;
use crate::Options;
use crate::parse::parse;
use crate::resolve::resolve;

fn api(json: &str) -> Api {
    resolve(&parse(json).unwrap(), &Options::default()).unwrap()
}

const NUMBERS: &str = r#"{"name": "n", "version": "v1", "rootUrl": "https://n.example/", "schemas": {
    "Id": {"type": "string", "format": "int64"},
    "S": {"type": "object", "properties": {
        "a": {"type": "string", "format": "int64"}, "b": {"type": "array", "items": {"type": "number", "format": "float"}},
        "c": {"type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
        "d": {"$ref": "Id"}, "e": {"type": "array", "items": {"$ref": "Id"}}, "f": {"$ref": "S"},
        "g": {"type": "string"}, "h": {"type": "string", "format": "google-datetime"}}}}}"#;

#[test]
fn with_modules_follow_the_leaf_type_through_containers_and_aliases() {
    let api = api(NUMBERS);
    let TypeKind::Struct(fields) = &api.types[1].kind else {
        panic!("S is a struct")
    };
    let modules: Vec<Option<&str>> = fields
        .iter()
        .map(|field| with_module(&api, &field.ty, 0))
        .collect();
    let int64 = Some("::discogen_runtime::json::int64");
    assert_eq!(
        modules,
        [
            int64,
            Some("::discogen_runtime::json::float"),
            Some("::discogen_runtime::json::base64"),
            int64,
            int64,
            None,
            None,
            None
        ]
    );
}

#[test]
fn types_are_named_fully_and_relative_to_the_module() {
    let api = api(NUMBERS);
    let top = Context {
        api: &api,
        depth: 0,
    };
    let nested = Context {
        api: &api,
        depth: 2,
    };
    let vec_of_s = Type::Vec(Box::new(Type::Named(1)));
    assert_eq!(
        top.rust_type(&vec_of_s).to_string(),
        ":: std :: vec :: Vec < S >"
    );
    assert_eq!(
        nested.rust_type(&vec_of_s).to_string(),
        ":: std :: vec :: Vec < super :: super :: S >"
    );
    let map = Type::Map(Box::new(Type::Any));
    assert_eq!(
        top.rust_type(&map).to_string(),
        ":: std :: collections :: BTreeMap < :: std :: string :: String , :: discogen_runtime :: serde_json :: Value >"
    );
}

#[test]
fn conversion_like_names_get_a_targeted_allow() {
    let allow = |name: &str, by_value: bool| {
        self_convention(name, by_value).map(|tokens| tokens.to_string())
    };
    assert!(
        allow("from_json", false)
            .unwrap()
            .contains("wrong_self_convention")
    );
    assert!(
        allow("into_thing", false)
            .unwrap()
            .contains("wrong_self_convention")
    );
    assert_eq!(allow("to_json", false), None);
    assert_eq!(allow("as_text", false), None);
    assert!(
        allow("as_text", true)
            .unwrap()
            .contains("wrong_self_convention")
    );
    assert!(
        allow("is_active", true)
            .unwrap()
            .contains("wrong_self_convention")
    );
    assert_eq!(allow("into_thing", true), None);
    assert!(
        allow("add", true)
            .unwrap()
            .contains("should_implement_trait")
    );
    assert_eq!(allow("page_size", true), None);
}

#[test]
fn every_item_is_documented_and_no_doc_is_empty() {
    let code = crate::generate(NUMBERS, &Options::default()).unwrap();
    let lines: Vec<&str> = code.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let item = line.trim_start();
        if item.starts_with("pub ")
            && !item.starts_with("pub(")
            && !item.starts_with("pub struct serde")
        {
            let previous = lines[..index]
                .iter()
                .rev()
                .find(|l| !l.trim_start().starts_with("#["))
                .unwrap();
            assert!(
                previous.trim_start().starts_with("///"),
                "undocumented: {line}"
            );
        }
        // A doc comment never ends with an empty line (and so is never empty).
        let next_is_doc = lines
            .get(index + 1)
            .is_some_and(|next| next.trim_start().starts_with("///"));
        assert!(
            item != "///" || next_is_doc,
            "a doc comment ends with an empty line at line {}",
            index + 1
        );
    }
}

#[test]
fn many_constructor_arguments_get_a_targeted_allow() {
    let json = r#"{"name": "m", "version": "v1", "rootUrl": "https://m.example/", "resources": {"r": {"methods": {
        "few": {"id": "m.r.few", "httpMethod": "GET", "path": "{a}/{b}/{c}/{d}/{e}/{f}",
            "parameters": {"a": {"type": "string", "location": "path"}, "b": {"type": "string", "location": "path"},
            "c": {"type": "string", "location": "path"}, "d": {"type": "string", "location": "path"},
            "e": {"type": "string", "location": "path"}, "f": {"type": "string", "location": "path"}}},
        "many": {"id": "m.r.many", "httpMethod": "GET", "path": "{a}/{b}/{c}/{d}/{e}/{f}/{g}",
            "parameters": {"a": {"type": "string", "location": "path"}, "b": {"type": "string", "location": "path"},
            "c": {"type": "string", "location": "path"}, "d": {"type": "string", "location": "path"},
            "e": {"type": "string", "location": "path"}, "f": {"type": "string", "location": "path"},
            "g": {"type": "string", "location": "path"}}}}}}}"#;
    let code = crate::generate(json, &Options::default()).unwrap();
    assert_eq!(
        code.matches("#[allow(clippy::too_many_arguments)]").count(),
        1,
        "{code}"
    );
    // The allow sits on `many` itself (other attributes such as `#[inline]` may follow it).
    let allow = code.find("too_many_arguments").unwrap();
    let next_item = code[allow..]
        .lines()
        .skip(1)
        .map(str::trim_start)
        .find(|line| !line.starts_with("#["))
        .unwrap();
    assert!(next_item.starts_with("pub fn many("), "{next_item}");
}

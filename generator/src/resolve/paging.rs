//! Which methods page, and what their items are.
//!
//! A method pages when it has a `pageToken` query parameter (a single string) and its response
//! is an object with a string `nextPageToken`. Its items are the response's one list of
//! objects; failing that, its one list of anything, not counting the `unreachable…` lists of
//! AIP-217 (the locations that did not answer). In the 607 documents of the corpus this picks
//! `items`, `files`, `operations` (beside `unreachable`), `items` of storage's objects (beside
//! `prefixes`) and `logNames` (strings), and gives no item stream to the responses with two
//! lists of objects (calendar's events beside `defaultReminders`) nor to compute's
//! `aggregatedList`, whose `items` is a map and whose only list is `unreachables`.

use super::{Field, Param, ParamType, Scalar, Type, TypeDef, TypeKind};

/// The query parameter that asks for a page, and the response field that names the next one.
pub(super) const PAGE_TOKEN: &str = "pageToken";
const NEXT_PAGE_TOKEN: &str = "nextPageToken";

/// How a method pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Paging {
    /// The Rust name of the response's `nextPageToken` field.
    pub token_field: String,
    /// The response's list of items, when it has one.
    pub items: Option<PageItems>,
}

/// The list of items on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageItems {
    /// The Rust name of the field.
    pub field: String,
    /// The field's name in the document.
    pub wire: String,
    /// The type of one item.
    pub item: Type,
}

/// How the method with these parameters and this response pages, if it does.
pub(super) fn paging<'p>(
    params: impl IntoIterator<Item = &'p Param>,
    response: Option<&Type>,
    types: &[TypeDef],
) -> Option<Paging> {
    let takes_token = params.into_iter().any(|param| {
        param.wire == PAGE_TOKEN
            && param.ty == ParamType::String
            && !param.repeated
            && !param.in_path
    });
    if !takes_token {
        return None;
    }
    let fields = struct_fields(response?, types)?;
    let token = fields
        .iter()
        .find(|field| field.wire == NEXT_PAGE_TOKEN && field.ty == Type::Scalar(Scalar::String))?;
    Some(Paging {
        token_field: token.name.clone(),
        items: items(fields, types),
    })
}

fn items(fields: &[Field], types: &[TypeDef]) -> Option<PageItems> {
    let lists: Vec<(&Field, &Type)> = fields
        .iter()
        .filter(|field| !field.wire.starts_with("unreachable"))
        .filter_map(|field| match &field.ty {
            Type::Vec(item) => Some((field, &**item)),
            _ => None,
        })
        .collect();
    let objects: Vec<&(&Field, &Type)> = lists
        .iter()
        .filter(|(_, item)| struct_fields(item, types).is_some())
        .collect();
    let (field, item) = match (objects.as_slice(), lists.as_slice()) {
        ([one], _) => **one,
        ([], [one]) => *one,
        _ => return None,
    };
    Some(PageItems {
        field: field.name.clone(),
        wire: field.wire.clone(),
        item: item.clone(),
    })
}

/// The fields of `ty` when it is a struct, through aliases.
fn struct_fields<'t>(ty: &Type, types: &'t [TypeDef]) -> Option<&'t [Field]> {
    let mut ty = ty;
    // Aliases of aliases are followed a bounded number of times: cycles among them are only
    // broken later (into newtypes, which are not structs).
    for _ in 0..types.len().max(1) {
        let Type::Named(id) = ty else { return None };
        match &types.get(*id)?.kind {
            TypeKind::Struct(fields) => return Some(fields),
            TypeKind::Alias(target) => ty = target,
            TypeKind::Enum(_) | TypeKind::Newtype(_) => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::{Api, Method, Resource, resolve};
    use super::*;
    use crate::Options;
    use crate::parse::parse;

    /// A document with `schemas` and one resource `things` whose `list` method has `params`
    /// and answers `response` (a JSON schema).
    fn api(schemas: &str, params: &str, response: &str) -> Api {
        let json = format!(
            r#"{{"name": "farm", "version": "v1", "rootUrl": "https://farm.example/",
            "schemas": {{{schemas}}},
            "resources": {{"things": {{"methods": {{"list": {{"id": "farm.things.list",
                "path": "things", "httpMethod": "GET", "parameters": {{{params}}},
                "response": {response}}}}}}}}}}}"#
        );
        resolve(&parse(&json).unwrap(), &Options::default()).unwrap()
    }

    fn list(api: &Api) -> &Method {
        let things: &Resource = &api.resources[0];
        &things.methods[0]
    }

    const TOKEN: &str = r#""pageToken": {"type": "string", "location": "query"}"#;

    /// A response schema `Page` with these properties and `nextPageToken`.
    fn page(properties: &str) -> String {
        format!(
            r#""Thing": {{"type": "object", "properties": {{"id": {{"type": "string"}}}}}},
            "Page": {{"type": "object", "properties": {{
                "nextPageToken": {{"type": "string"}}{properties}}}}}"#
        )
    }

    /// The Rust name of the items field of `farm.things.list`, and the item type's name.
    fn items(api: &Api) -> Option<(String, String)> {
        let paging = list(api).paging.as_ref().expect("the method pages");
        assert_eq!(paging.token_field, "next_page_token");
        paging.items.as_ref().map(|items| {
            let item = match &items.item {
                Type::Named(id) => api.types[*id].name.clone(),
                other => format!("{other:?}"),
            };
            (items.field.clone(), item)
        })
    }

    fn items_with(properties: &str) -> Option<(String, String)> {
        items(&api(&page(properties), TOKEN, r#"{"$ref": "Page"}"#))
    }

    #[test]
    fn the_one_list_is_the_items_whatever_its_name() {
        let thing = |field: &str| Some((field.to_owned(), "Thing".to_owned()));
        for (wire, field) in [
            ("items", "items"),
            ("files", "files"),
            ("nextThings", "next_things"),
        ] {
            let properties =
                format!(r#", "{wire}": {{"type": "array", "items": {{"$ref": "Thing"}}}}"#);
            assert_eq!(items_with(&properties), thing(field), "{wire}");
        }
        // Inline objects are objects too.
        let inline = r#", "rows": {"type": "array", "items": {"type": "object",
            "properties": {"cell": {"type": "string"}}}}"#;
        assert_eq!(items_with(inline).unwrap().0, "rows");
    }

    #[test]
    fn the_one_list_of_objects_wins_over_lists_of_strings() {
        let objects = r#", "operations": {"type": "array", "items": {"$ref": "Thing"}}"#;
        for other in ["unreachable", "prefixes", "failedLocations"] {
            let properties = format!(
                r#"{objects}, "{other}": {{"type": "array", "items": {{"type": "string"}}}}"#
            );
            assert_eq!(items_with(&properties).unwrap().0, "operations", "{other}");
        }
    }

    #[test]
    fn a_list_of_strings_is_the_items_when_it_is_the_only_list() {
        let names = r#", "logNames": {"type": "array", "items": {"type": "string"}}"#;
        assert_eq!(
            items_with(names),
            Some(("log_names".into(), "Scalar(String)".into()))
        );
        let beside_unreachable = format!(
            r#"{names}, "unreachable": {{"type": "array", "items": {{"type": "string"}}}}"#
        );
        assert_eq!(items_with(&beside_unreachable).unwrap().0, "log_names");
    }

    #[test]
    fn pages_without_items_when_the_list_is_ambiguous_or_absent() {
        for properties in [
            // Two lists of objects (calendar's events and default reminders).
            r#", "items": {"type": "array", "items": {"$ref": "Thing"}},
                "defaultReminders": {"type": "array", "items": {"$ref": "Thing"}}"#,
            // Two lists of strings.
            r#", "a": {"type": "array", "items": {"type": "string"}},
                "b": {"type": "array", "items": {"type": "string"}}"#,
            // compute's aggregated lists: a map of items and `unreachables`.
            r#", "items": {"type": "object", "additionalProperties": {"$ref": "Thing"}},
                "unreachables": {"type": "array", "items": {"type": "string"}}"#,
            // No list at all.
            r#", "count": {"type": "integer"}"#,
        ] {
            assert_eq!(items_with(properties), None, "{properties}");
        }
    }

    #[test]
    fn only_a_page_token_parameter_and_a_string_next_page_token_page() {
        let things = r#", "items": {"type": "array", "items": {"$ref": "Thing"}}"#;
        let pages = |schemas: &str, params: &str, response: &str| {
            list(&api(schemas, params, response)).paging.is_some()
        };
        let page = page(things);
        let response = r#"{"$ref": "Page"}"#;
        assert!(pages(&page, TOKEN, response));
        // A required pageToken (drive's changes.list) is a constructor argument, and pages.
        let required = r#""pageToken": {"type": "string", "location": "query", "required": true}"#;
        assert!(pages(&page, required, response));
        // No pageToken, or one that is not a single string in the query.
        assert!(!pages(&page, "", response));
        for odd in [
            r#""pageToken": {"type": "string", "location": "query", "repeated": true}"#,
            r#""pageToken": {"type": "integer", "location": "query"}"#,
            r#""page_token": {"type": "string", "location": "query"}"#,
        ] {
            assert!(!pages(&page, odd, response), "{odd}");
        }
        // No nextPageToken, or one that is not a string (base64 bytes would need re-encoding).
        let without = r#""Thing": {"type": "object", "properties": {"id": {"type": "string"}}},
            "Page": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "Thing"}}}}"#;
        assert!(!pages(without, TOKEN, response));
        let bytes = page.replace(
            r#""nextPageToken": {"type": "string"}"#,
            r#""nextPageToken": {"type": "string", "format": "byte"}"#,
        );
        assert!(!pages(&bytes, TOKEN, response));
        // No response, or one that is not an object.
        let thing = r#""Thing": {"type": "object", "properties": {"id": {"type": "string"}}}"#;
        let json = format!(
            r#"{{"name": "farm", "version": "v1", "rootUrl": "https://farm.example/",
            "schemas": {{{thing}}}, "methods": {{"list": {{"id": "farm.list", "path": "things",
            "httpMethod": "GET", "parameters": {{{TOKEN}}}}}}}}}"#
        );
        let no_response = resolve(&parse(&json).unwrap(), &Options::default()).unwrap();
        assert!(no_response.methods[0].paging.is_none());
        let array = r#"{"type": "array", "items": {"$ref": "Thing"}}"#;
        assert!(!pages(thing, TOKEN, array));
    }

    #[test]
    fn inline_and_aliased_responses_page() {
        let inline = r#"{"type": "object", "properties": {"nextPageToken": {"type": "string"},
            "things": {"type": "array", "items": {"$ref": "Thing"}}}}"#;
        let thing = r#""Thing": {"type": "object", "properties": {"id": {"type": "string"}}}"#;
        assert_eq!(
            items(&api(thing, TOKEN, inline)),
            Some(("things".into(), "Thing".into()))
        );
        let aliased = format!(
            r#"{}, "Alias": {{"$ref": "Page"}}"#,
            page(r#", "things": {"type": "array", "items": {"$ref": "Thing"}}"#)
        );
        assert_eq!(
            items(&api(&aliased, TOKEN, r#"{"$ref": "Alias"}"#)),
            Some(("things".into(), "Thing".into()))
        );
        // Aliases in a cycle end the search instead of looping; the cycle itself is an error
        // of the document, reported after the methods are resolved.
        let json = format!(
            r#"{{"name": "farm", "version": "v1", "rootUrl": "https://farm.example/",
            "schemas": {{{thing}, "A": {{"$ref": "B"}}, "B": {{"$ref": "A"}}}},
            "methods": {{"list": {{"id": "farm.list", "path": "things", "httpMethod": "GET",
            "parameters": {{{TOKEN}}}, "response": {{"$ref": "A"}}}}}}}}"#
        );
        let error = resolve(&parse(&json).unwrap(), &Options::default()).unwrap_err();
        assert!(error.to_string().contains("cycle"), "{error}");
    }

    #[test]
    fn setters_named_like_the_paging_methods_step_aside_on_list_methods_only() {
        let params = format!(
            r#"{TOKEN}, "items": {{"type": "string", "location": "query"}},
            "pages": {{"type": "integer", "location": "query"}}"#
        );
        let paged = api(&page(""), &params, r#"{"$ref": "Page"}"#);
        let setters: Vec<&str> = list(&paged)
            .optional
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(setters, ["page_token", "items_param", "pages_param"]);
        // Without a pageToken there is no `pages()`/`items()`: the setters keep their names.
        let plain = api(
            &page(""),
            r#""items": {"type": "string", "location": "query"}"#,
            r#"{"$ref": "Page"}"#,
        );
        assert_eq!(list(&plain).optional[0].name, "items");
    }
}

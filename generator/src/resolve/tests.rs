use super::*;
use crate::parse::parse;

fn api(extra: &str) -> Api {
    api_with(extra, &Options::default())
}

fn api_with(extra: &str, options: &Options) -> Api {
    let json = format!(
        r#"{{"name": "farm", "version": "v1", "rootUrl": "https://farm.example/", {extra}}}"#
    );
    resolve(&parse(&json).unwrap(), options).unwrap()
}

fn resolve_error(extra: &str) -> crate::Error {
    let json = format!(
        r#"{{"name": "farm", "version": "v1", "rootUrl": "https://farm.example/", {extra}}}"#
    );
    resolve(&parse(&json).unwrap(), &Options::default()).unwrap_err()
}

fn type_named<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
    api.types
        .iter()
        .find(|def| def.name == name)
        .unwrap_or_else(|| panic!("no type {name}"))
}

fn fields(def: &TypeDef) -> &[Field] {
    match &def.kind {
        TypeKind::Struct(fields) => fields,
        other => panic!("{} is not a struct: {other:?}", def.name),
    }
}

fn variant_names(def: &TypeDef) -> Vec<&str> {
    match &def.kind {
        TypeKind::Enum(variants) => variants.iter().map(|v| v.name.as_str()).collect(),
        other => panic!("{} is not an enum: {other:?}", def.name),
    }
}

#[test]
fn field_names_are_valid_and_keep_their_wire_names() {
    let api = api(r#""schemas": {"Thing": {"type": "object", "properties": {
        "@type": {"type": "string"}, "end-date": {"type": "string"}, "_since": {"type": "string"},
        "3d": {"type": "boolean"}, "self": {"type": "string"}, "@context": {"type": "string"},
        "$schema": {"type": "string"}, "fooBar": {"type": "string"}, "foo_bar": {"type": "string"}}}}"#);
    let names: Vec<(&str, &str)> = fields(type_named(&api, "Thing"))
        .iter()
        .map(|f| (f.name.as_str(), f.wire.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("r#type", "@type"),
            ("end_date", "end-date"),
            ("since", "_since"),
            ("_3d", "3d"),
            ("self_", "self"),
            ("context", "@context"),
            ("schema", "$schema"),
            ("foo_bar", "fooBar"),
            ("foo_bar_2", "foo_bar"),
        ]
    );
}

#[test]
fn schemas_differing_only_by_case_get_distinct_names() {
    let api = api(
        r#""schemas": {"HTTPRoute": {"type": "object"}, "HttpRoute": {"type": "object"},
        "httpRoute": {"type": "object"}, "Option": {"type": "object"}}"#,
    );
    let names: Vec<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names[..4],
        ["HttpRoute", "HttpRoute2", "HttpRoute3", "Option"]
    );
}

#[test]
fn enum_values_that_normalise_alike_get_distinct_names() {
    let api = api(r#""schemas": {"State": {"type": "string",
        "enum": ["STATE_UNSPECIFIED", "ACTIVE", "active", "UNKNOWN", "unknown", "", "1080P", "ACTIVE"],
        "enumDescriptions": ["Unset.", "Active.", "Active (legacy).", "", "", "", "", "dup"]}}"#);
    let state = type_named(&api, "State");
    assert_eq!(
        variant_names(state),
        [
            "StateUnspecified",
            "Active",
            "Active2",
            "UnknownValue",
            "UnknownValue2",
            "Empty",
            "_1080p"
        ]
    );
    let TypeKind::Enum(variants) = &state.kind else {
        unreachable!()
    };
    assert_eq!(variants[2].wire, "active");
    assert_eq!(variants[2].doc.as_deref(), Some("Active (legacy)."));
    assert_eq!(variants[3].doc, None);
}

#[test]
fn inline_objects_and_enums_become_named_types() {
    let api = api(r#""schemas": {"Animal": {"type": "object", "properties": {
        "labels": {"type": "object", "properties": {"color": {"type": "string", "enum": ["RED"]}}},
        "peltColor": {"type": "string", "enum": ["WHITE", "BROWN"]},
        "tags": {"type": "array", "items": {"type": "string", "enum": ["A"]}},
        "extra": {"type": "object", "additionalProperties": {"type": "string", "format": "int64"}},
        "blob": {"type": "object"}}},
        "AnimalPeltColor": {"type": "object"}}"#);
    let animal = fields(type_named(&api, "Animal"));
    let labels = type_named(&api, "AnimalLabels");
    assert_eq!(
        animal[0].ty,
        Type::Named(
            api.types
                .iter()
                .position(|t| t.name == "AnimalLabels")
                .unwrap()
        )
    );
    assert_eq!(
        variant_names(type_named(&api, "AnimalLabelsColor")),
        ["Red"]
    );
    assert_eq!(fields(labels)[0].name, "color");
    // The top-level schema keeps its name; the inline enum gets another.
    assert_eq!(
        variant_names(type_named(&api, "AnimalPeltColor2")),
        ["White", "Brown"]
    );
    assert!(matches!(&animal[2].ty, Type::Vec(inner) if matches!(**inner, Type::Named(_))));
    assert_eq!(animal[3].ty, Type::Map(Box::new(Type::Scalar(Scalar::I64))));
    assert_eq!(animal[4].ty, Type::Any);
}

#[test]
fn scalar_types_follow_type_and_format() {
    let api = api(r#""schemas": {"T": {"type": "object", "properties": {
        "a": {"type": "string"}, "b": {"type": "integer", "format": "int32"},
        "c": {"type": "integer", "format": "uint32"}, "d": {"type": "string", "format": "int64"},
        "e": {"type": "string", "format": "uint64"}, "f": {"type": "number", "format": "double"},
        "g": {"type": "number", "format": "float"}, "h": {"type": "string", "format": "byte"},
        "i": {"type": "string", "format": "google-datetime"}, "j": {"type": "string", "format": "date-time"},
        "k": {"type": "string", "format": "date"}, "l": {"type": "string", "format": "google-duration"},
        "m": {"type": "string", "format": "google-fieldmask"}, "n": {"type": "any"},
        "o": {"type": "boolean"}, "p": {"type": "array", "items": {"type": "string", "format": "int64"}}}}}"#);
    let types: Vec<Type> = fields(type_named(&api, "T"))
        .iter()
        .map(|f| f.ty.clone())
        .collect();
    use Scalar::*;
    let expected = [
        String, I32, U32, I64, U64, F64, F32, Bytes, DateTime, DateTime, Date, Duration, FieldMask,
    ];
    for (ty, scalar) in types.iter().zip(expected) {
        assert_eq!(*ty, Type::Scalar(scalar));
    }
    assert_eq!(types[13], Type::Any);
    assert_eq!(types[14], Type::Scalar(Bool));
    assert_eq!(types[15], Type::Vec(Box::new(Type::Scalar(I64))));
}

#[test]
fn cycles_of_any_length_are_boxed_but_not_through_vec() {
    let api = api(r#""schemas": {
        "A": {"type": "object", "properties": {"b": {"$ref": "B"}, "all": {"type": "array", "items": {"$ref": "A"}}}},
        "B": {"type": "object", "properties": {"c": {"$ref": "C"}, "d": {"$ref": "D"}}},
        "C": {"type": "object", "properties": {"a": {"$ref": "A"}}},
        "D": {"type": "object", "properties": {"next": {"$ref": "D"}, "name": {"type": "string"}}},
        "E": {"type": "object", "properties": {"d": {"$ref": "D"}}}}"#);
    let boxed = |name: &str| -> Vec<bool> {
        fields(type_named(&api, name))
            .iter()
            .map(|f| f.boxed)
            .collect()
    };
    assert_eq!(boxed("A"), [true, false]);
    assert_eq!(boxed("B"), [true, false]);
    assert_eq!(boxed("C"), [true]);
    assert_eq!(boxed("D"), [true, false]);
    assert_eq!(boxed("E"), [false]);
}

#[test]
fn top_level_non_objects_are_aliases_or_newtypes() {
    let api = api(r#""schemas": {
        "DetectionsResource": {"type": "array", "items": {"type": "array", "items": {"type": "object",
            "properties": {"language": {"type": "string"}}}}},
        "Name": {"type": "string"},
        "Other": {"$ref": "Name"},
        "Tree": {"type": "array", "items": {"$ref": "Tree"}},
        "Empty": {"type": "object"}}"#);
    let item = api
        .types
        .iter()
        .position(|t| t.name == "DetectionsResourceItem")
        .unwrap();
    let nested = Type::Vec(Box::new(Type::Vec(Box::new(Type::Named(item)))));
    assert!(
        matches!(&type_named(&api, "DetectionsResource").kind, TypeKind::Alias(ty) if *ty == nested)
    );
    assert!(matches!(
        &type_named(&api, "Name").kind,
        TypeKind::Alias(Type::Scalar(Scalar::String))
    ));
    assert!(matches!(
        &type_named(&api, "Other").kind,
        TypeKind::Alias(Type::Named(1))
    ));
    assert!(matches!(
        &type_named(&api, "Tree").kind,
        TypeKind::Newtype(Type::Vec(_))
    ));
    assert!(
        matches!(&type_named(&api, "Empty").kind, TypeKind::Struct(fields) if fields.is_empty())
    );
}

#[test]
fn a_ref_cycle_without_an_object_is_an_error() {
    let error = resolve_error(r#""schemas": {"A": {"$ref": "B"}, "B": {"$ref": "A"}}"#);
    assert_eq!(error.json_path(), Some("schemas.A"));
    let error = resolve_error(r#""schemas": {"Me": {"$ref": "Me"}}"#);
    assert!(error.to_string().contains("cycle"), "{error}");
}

const FARM: &str = r#""parameters": {
        "$.xgafv": {"type": "string", "enum": ["1", "2"], "location": "query"},
        "alt": {"type": "string", "enum": ["json", "media"], "location": "query"},
        "fields": {"type": "string", "location": "query"},
        "key": {"type": "string", "location": "query"}},
    "auth": {"oauth2": {"scopes": {
        "https://www.googleapis.com/auth/farm": {"description": "Everything."},
        "https://www.googleapis.com/auth/farm.readonly": {"description": "Look."},
        "https://mail.google.com/": {}}}},
    "schemas": {
        "Animal": {"type": "object", "properties": {"name": {"type": "string"}, "owner": {"$ref": "Farmer"}}},
        "Farmer": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Alt": {"type": "object"},
        "Farm": {"type": "object"},
        "Unused": {"type": "object"}},
    "resources": {"animals": {
        "methods": {
            "get": {"id": "farm.animals.get", "httpMethod": "GET", "path": "v1/{+name}/animals/{animalId}",
                "parameterOrder": ["animalId", "name"],
                "parameters": {
                    "name": {"type": "string", "location": "path", "required": true},
                    "animalId": {"type": "string", "format": "int64", "location": "path", "required": true},
                    "view": {"type": "string", "enum": ["BASIC", "FULL"], "location": "query"},
                    "key": {"type": "string", "location": "query", "description": "Overrides the global one."},
                    "tag": {"type": "string", "location": "query", "repeated": true},
                    "send": {"type": "boolean", "location": "query"},
                    "xgafv": {"type": "string", "location": "query"}},
                "response": {"$ref": "Animal"},
                "scopes": ["https://www.googleapis.com/auth/farm", "https://example.com/unlisted"]},
            "insert": {"id": "farm.animals.insert", "httpMethod": "POST", "path": "v1/animals",
                "parameters": {
                    "request": {"type": "string", "location": "query", "required": true},
                    "call": {"type": "string", "location": "query", "required": true}},
                "request": {"$ref": "Animal"}, "response": {"$ref": "Animal"},
                "mediaUpload": {"accept": ["image/*"], "maxSize": "10MB",
                    "protocols": {"simple": {"multipart": true, "path": "/upload/farm/v1/animals"}}},
                "supportsMediaDownload": true},
            "photos": {"id": "farm.animals.photos", "httpMethod": "GET", "path": "v1/photos"},
            "new": {"id": "farm.animals.new", "httpMethod": "GET", "path": "v1/new"}},
        "resources": {
            "photos": {"methods": {"list": {"id": "farm.animals.photos.list", "httpMethod": "GET", "path": "v1/p"}}},
            "animals": {"methods": {"list": {"id": "farm.animals.animals.list", "httpMethod": "GET", "path": "v1/a"}}}}}}"#;

#[test]
fn parameters_split_into_arguments_and_setters() {
    let api = api(FARM);
    let animals = &api.resources[0];
    let get = &animals.methods[0];
    let required: Vec<(&str, ParamType)> = get
        .required
        .iter()
        .map(|p| (p.name.as_str(), p.ty))
        .collect();
    assert_eq!(
        required,
        [("animal_id", ParamType::I64), ("name", ParamType::String)]
    );
    assert_eq!(
        get.path,
        [
            PathPiece::Literal("v1/".into()),
            PathPiece::Param {
                index: 1,
                reserved: true
            },
            PathPiece::Literal("/animals/".into()),
            PathPiece::Param {
                index: 0,
                reserved: false
            },
        ]
    );
    // `key` is also a global parameter: its global setter serves.
    let optional: Vec<&str> = get.optional.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(optional, ["view", "tag", "send_param", "xgafv_param"]);
    assert!(get.optional[1].repeated);
    assert_eq!(get.optional[0].ty, ParamType::LocalEnum(0));
    assert_eq!(animals.types[0].name, "GetView");
    assert_eq!(get.marker, "GetMethod");
    assert_eq!(
        get.scopes,
        [
            ScopeRef::Const(0),
            ScopeRef::Literal("https://example.com/unlisted".into())
        ]
    );
    assert_eq!(get.response, Some(Type::Named(0)));
    assert_eq!(get.request, None);
}

#[test]
fn a_repeated_path_parameter_takes_one_value() {
    let api = api(
        r#""methods": {"get": {"id": "farm.get", "httpMethod": "GET", "path": "v1/{id}",
        "parameters": {
            "id": {"type": "string", "location": "path", "required": true, "repeated": true},
            "tag": {"type": "string", "location": "query", "repeated": true}}}}"#,
    );
    let get = &api.methods[0];
    assert!(get.required[0].in_path && !get.required[0].repeated);
    assert!(!get.optional[0].in_path && get.optional[0].repeated);
}

#[test]
fn arguments_do_not_collide_with_the_body_or_locals() {
    let api = api(FARM);
    let insert = &api.resources[0].methods[1];
    let names: Vec<&str> = insert.required.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["request_param", "call_param"]);
    assert_eq!(insert.request, Some(Type::Named(0)));
    let upload = insert.upload.as_ref().unwrap();
    assert_eq!(
        upload.simple,
        Some(vec![PathPiece::Literal("upload/farm/v1/animals".into())])
    );
    assert_eq!(upload.resumable, None);
    assert_eq!(upload.max_size, Some(10 << 20));
    assert_eq!(upload.accept, ["image/*"]);
    assert_eq!(insert.download, Some(false));
}

#[test]
fn methods_resources_and_modules_get_distinct_names() {
    let api = api(FARM);
    let animals = &api.resources[0];
    assert_eq!(
        (animals.module.as_str(), animals.struct_name.as_str()),
        ("animals", "AnimalsResource")
    );
    let methods: Vec<(&str, &str)> = animals
        .methods
        .iter()
        .map(|m| (m.name.as_str(), m.builder.as_str()))
        .collect();
    assert_eq!(
        methods,
        [
            ("get", "GetCall"),
            ("insert", "InsertCall"),
            ("photos", "PhotosCall"),
            ("new_method", "NewCall")
        ]
    );
    let subs: Vec<(&str, &str)> = animals
        .resources
        .iter()
        .map(|r| (r.accessor.as_str(), r.module.as_str()))
        .collect();
    // `photos` is taken by a method; `animals` inside `animals` would trip module_inception.
    assert_eq!(
        subs,
        [
            ("photos_resource", "photos"),
            ("animals", "animals_resource")
        ]
    );
}

#[test]
fn all_methods_walks_the_hub_and_every_resource_in_document_order() {
    let farm = api(&format!(
        r#"{FARM}, "methods": {{"ping": {{"id": "farm.ping", "httpMethod": "GET", "path": "v1/ping"}}}}"#
    ));
    let ids: Vec<&str> = farm.all_methods().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "farm.ping",
            "farm.animals.get",
            "farm.animals.insert",
            "farm.animals.photos",
            "farm.animals.new",
            "farm.animals.photos.list",
            "farm.animals.animals.list"
        ]
    );
    assert_eq!(api(r#""schemas": {}"#).all_methods().count(), 0);
}

#[test]
fn global_enums_scopes_and_the_hub_avoid_schema_names() {
    let api = api(FARM);
    assert_eq!(api.hub, "FarmHub");
    assert_eq!(api.method_call, "MethodCall");
    let globals: Vec<(&str, ParamType)> = api
        .global_params
        .iter()
        .map(|p| (p.name.as_str(), p.ty))
        .collect();
    let alt = api.types.iter().position(|t| t.name == "AltParam").unwrap();
    assert_eq!(globals[1], ("alt", ParamType::TopEnum(alt)));
    assert_eq!(variant_names(type_named(&api, "Xgafv")), ["_1", "_2"]);
    let scopes: Vec<&str> = api.scopes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(scopes, ["FARM", "FARM_READONLY", "MAIL_GOOGLE_COM"]);
    assert_eq!(api.batch_path, "batch/farm/v1");
}

#[test]
fn selection_keeps_chosen_methods_and_reachable_types_with_the_same_names() {
    let all = api(FARM);
    let some = api_with(
        FARM,
        &Options::default().only(["farm.animals.get", "farm.animals.photos"]),
    );
    let animals = &some.resources[0];
    let methods: Vec<&str> = animals.methods.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(methods, ["get", "photos"]);
    let subs: Vec<&str> = animals
        .resources
        .iter()
        .map(|r| r.accessor.as_str())
        .collect();
    assert_eq!(subs, ["photos_resource"]);
    let used: Vec<&str> = some
        .types
        .iter()
        .filter(|t| t.used)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(used, ["Animal", "Farmer", "Xgafv", "AltParam"]);
    assert_eq!(all.types.iter().filter(|t| t.used).count(), all.types.len());
    let names = |api: &Api| api.types.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&all), names(&some));
}

#[test]
fn a_selector_that_matches_nothing_is_an_error() {
    let json = format!(
        r#"{{"name": "farm", "version": "v1", "rootUrl": "https://farm.example/", {FARM}}}"#
    );
    let error = resolve(
        &parse(&json).unwrap(),
        &Options::default().only(["farm.animalz"]),
    )
    .unwrap_err();
    assert!(error.to_string().contains("farm.animalz"), "{error}");
    // A prefix must end at a dot: `farm.anim` is no prefix of `farm.animals.get`.
    assert!(
        resolve(
            &parse(&json).unwrap(),
            &Options::default().only(["farm.anim"])
        )
        .is_err()
    );
}

#[test]
fn legacy_base_url_gives_root_url_and_service_path() {
    let json =
        r#"{"name": "old", "version": "v1", "baseUrl": "https://www.googleapis.com/old/v1/"}"#;
    let api = resolve(&parse(json).unwrap(), &Options::default()).unwrap();
    assert_eq!(
        (api.root_url.as_str(), api.service_path.as_str()),
        ("https://www.googleapis.com/", "old/v1/")
    );
}

#[test]
fn sizes_parse_with_units() {
    use methods::parse_size;
    assert_eq!(parse_size("1073741824"), Some(1 << 30));
    assert_eq!(parse_size("1GB"), Some(1 << 30));
    assert_eq!(parse_size("5TB"), Some(5 << 40));
    assert_eq!(parse_size("100KB"), Some(100 << 10));
    assert_eq!(parse_size("lots"), None);
    assert_eq!(parse_size("99999999999999999999TB"), None);
}

#[test]
fn inline_bodies_become_types_named_after_the_method() {
    let api = api(r#""resources": {"keys": {"methods": {
        "get": {"id": "farm.keys.get", "httpMethod": "GET", "path": "v1/keys",
            "response": {"type": "object", "additionalProperties": {"type": "any"}}},
        "put": {"id": "farm.keys.put", "httpMethod": "POST", "path": "v1/keys",
            "request": {"type": "object", "properties": {"key": {"type": "string"}}}}}}}"#);
    let methods = &api.resources[0].methods;
    assert_eq!(methods[0].response, Some(Type::Map(Box::new(Type::Any))));
    let put_request = api
        .types
        .iter()
        .position(|t| t.name == "KeysPutRequest")
        .unwrap();
    assert_eq!(methods[1].request, Some(Type::Named(put_request)));
}

#[test]
fn inline_bodies_do_not_take_names_already_in_use() {
    // The inline request of `keys.put` is named like a schema, the inline response of the
    // hub's `put` like a global parameter's enum: both give way, as do their nested types.
    let api = api(r#""parameters": {
            "putResponse": {"type": "string", "enum": ["A"], "location": "query"}},
        "schemas": {"KeysPutRequest": {"type": "object", "properties": {"id": {"type": "string"}}}},
        "methods": {"put": {"id": "farm.put", "httpMethod": "POST", "path": "v1/put",
            "response": {"type": "object", "properties": {"ok": {"type": "boolean"}}}}},
        "resources": {"keys": {"methods": {
            "put": {"id": "farm.keys.put", "httpMethod": "POST", "path": "v1/keys",
                "request": {"type": "object", "properties": {
                    "kind": {"type": "string", "enum": ["PUBLIC"]}}}}}}}"#);
    let names: Vec<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "KeysPutRequest",
            "PutResponse",
            "PutResponse2",
            "KeysPutRequest2",
            "KeysPutRequest2Kind"
        ]
    );
    assert_eq!(api.methods[0].response, Some(Type::Named(2)));
    assert_eq!(api.resources[0].methods[0].request, Some(Type::Named(3)));
    let mut distinct: Vec<&str> = names.clone();
    distinct.extend([api.hub.as_str(), api.method_call.as_str()]);
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), names.len() + 2);
    let code = crate::emit::emit(&api).to_string();
    syn::parse_file(&code).unwrap();
}

#[test]
fn identical_inline_types_are_made_once() {
    let api = api(r#""schemas": {
        "AList": {"type": "object", "properties": {"warning": {"type": "object", "properties": {
            "code": {"type": "string", "enum": ["A", "B"]}, "message": {"type": "string"}}}}},
        "BList": {"type": "object", "properties": {"warning": {"type": "object", "properties": {
            "code": {"type": "string", "enum": ["A", "B"]}, "message": {"type": "string"}}}}},
        "CList": {"type": "object", "properties": {"warning": {"type": "object", "properties": {
            "code": {"type": "string", "enum": ["A", "B", "C"]}}}}}}"#);
    let a = &fields(type_named(&api, "AList"))[0].ty;
    let b = &fields(type_named(&api, "BList"))[0].ty;
    let c = &fields(type_named(&api, "CList"))[0].ty;
    assert_eq!(a, b);
    assert_ne!(a, c);
    let names: Vec<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "AList",
            "BList",
            "CList",
            "AListWarning",
            "AListWarningCode",
            "CListWarning",
            "CListWarningCode"
        ]
    );
}

//! The snapshot files compile (in this test crate, with clippy's lints in CI) and behave: JSON
//! goes in and out of the generated types as the API expects, and request builders build the
//! requests the document describes.

#[allow(dead_code)]
mod farm_v1 {
    include!("snapshots/farm_v1.rs");
}

#[allow(dead_code)]
mod farm_only_get {
    include!("snapshots/farm_v1_only_get.rs");
}

#[allow(dead_code)]
mod traps {
    include!("snapshots/traps_v1_2_beta.rs");
}

use discogen_runtime::serde_json::{self, json};
use farm_v1::{Animal, AnimalPeltColor, Farm};

fn farm() -> Farm {
    Farm::builder().build().unwrap()
}

#[test]
fn json_decodes_into_the_generated_types() {
    let animal: Animal = serde_json::from_value(json!({
        "name": "farms/1/animals/7",
        "animalAge": "1234567890123",
        "weight": 12.5,
        "peltColor": "BROWN",
        "labels": {"a": "b"},
        "photo": "aGk=",
        "@type": "type.googleapis.com/farm.Animal",
        "tags": ["1", "2"],
        "mother": {"animalName": "Daisy", "peltColor": "SPOTTED"},
        "offspring": [{"animalName": "Kid"}],
        "location": {"barn": "north", "stall": 3},
        "unknownField": {"ignored": true},
        "owner": null
    }))
    .unwrap();
    assert_eq!(animal.name.as_deref(), Some("farms/1/animals/7"));
    assert_eq!(animal.animal_age, Some(1_234_567_890_123));
    assert_eq!(animal.weight, Some(12.5));
    assert_eq!(animal.pelt_color, Some(AnimalPeltColor::Brown));
    assert_eq!(animal.labels.as_ref().unwrap()["a"], "b");
    assert_eq!(animal.photo.as_deref(), Some(&b"hi"[..]));
    assert_eq!(
        animal.r#type.as_deref(),
        Some("type.googleapis.com/farm.Animal")
    );
    assert_eq!(animal.tags, Some(vec![1, 2]));
    let mother = animal.mother.as_deref().unwrap();
    assert_eq!(mother.animal_name.as_deref(), Some("Daisy"));
    assert_eq!(
        mother.pelt_color,
        Some(AnimalPeltColor::Unknown("SPOTTED".into()))
    );
    assert_eq!(
        animal.offspring.as_ref().unwrap()[0].animal_name.as_deref(),
        Some("Kid")
    );
    assert_eq!(animal.location.as_ref().unwrap().stall, Some(3));
    assert_eq!(animal.owner, None);
}

#[test]
fn generated_types_encode_as_the_api_expects() {
    let animal = Animal {
        animal_age: Some(42),
        pelt_color: Some(AnimalPeltColor::White2),
        r#type: Some("t".into()),
        tags: Some(vec![-1]),
        photo: Some(b"hi".to_vec()),
        ..Animal::default()
    };
    let value = serde_json::to_value(&animal).unwrap();
    // Absent fields are left out; int64 travels as a string; renamed fields keep their name.
    assert_eq!(
        value,
        json!({"animalAge": "42", "peltColor": "white", "@type": "t", "tags": ["-1"], "photo": "aGk="})
    );
    let back: Animal = serde_json::from_value(value).unwrap();
    assert_eq!(back, animal);
    assert_eq!(serde_json::to_string(&Animal::default()).unwrap(), "{}");
}

#[test]
fn decoding_errors_name_the_problem() {
    let error = serde_json::from_value::<Animal>(json!({"animalAge": "twelve"})).unwrap_err();
    assert!(!error.to_string().is_empty());
    let error = serde_json::from_value::<Animal>(json!(["not", "an", "object"])).unwrap_err();
    assert!(error.to_string().contains("Animal"), "{error}");
    let error = serde_json::from_value::<Animal>(json!({"peltColor": 3})).unwrap_err();
    assert!(error.to_string().contains("string"), "{error}");
}

#[test]
fn enums_round_trip_through_their_wire_values() {
    for value in [
        "PELT_COLOR_UNSPECIFIED",
        "WHITE",
        "BROWN",
        "white",
        "NEW_COLOR",
    ] {
        let color = AnimalPeltColor::from(value);
        assert_eq!(color.as_str(), value);
        assert_eq!(color.to_string(), value);
        assert_eq!(serde_json::to_value(&color).unwrap(), json!(value));
    }
    assert_eq!(AnimalPeltColor::from("white"), AnimalPeltColor::White2);
}

#[test]
fn builders_fill_path_query_and_headers() {
    let hub = farm();
    let call = hub
        .animals()
        .get("farms/1/animals/a b")
        .view(farm_v1::animals::GetView::Full)
        .fields("name,animalAge")
        .xgafv(farm_v1::Xgafv::_2)
        .pretty_print(false)
        .if_none_match("\"etag\"")
        .into_call();
    let debug = format!("{call:?}");
    assert!(
        debug.contains(r#"path: "v1/farms/1/animals/a%20b""#),
        "{debug}"
    );
    assert!(debug.contains(r#"("view", "FULL")"#), "{debug}");
    assert!(debug.contains(r#"("fields", "name,animalAge")"#), "{debug}");
    assert!(debug.contains(r#"("$.xgafv", "2")"#), "{debug}");
    assert!(debug.contains(r#"("prettyPrint", "false")"#), "{debug}");
    assert!(debug.contains("if-none-match"), "{debug}");
    assert!(debug.contains(r#"id: "farm.animals.get""#), "{debug}");
}

#[test]
fn segments_stay_segments_and_repeated_parameters_repeat() {
    let call = farm()
        .animals()
        .list("a/b?c")
        .colors(["brown", "white"])
        .ids([1, 2])
        .page_size(10)
        .into_call();
    let debug = format!("{call:?}");
    assert!(
        debug.contains(r#"path: "v1/farms/a%2Fb%3Fc/animals""#),
        "{debug}"
    );
    assert!(
        debug.contains(r#"("colors", "brown"), ("colors", "white")"#),
        "{debug}"
    );
    assert!(debug.contains(r#"("ids", "1"), ("ids", "2")"#), "{debug}");
    assert!(debug.contains(r#"("pageSize", "10")"#), "{debug}");
}

#[test]
fn required_query_parameters_and_bodies_are_set_by_the_constructor() {
    let animal = Animal {
        animal_name: Some("Daisy".into()),
        ..Animal::default()
    };
    let debug = format!(
        "{:?}",
        farm().animals().insert("f", "req-1", animal).into_call()
    );
    assert!(debug.contains(r#"("requestId", "req-1")"#), "{debug}");
    assert!(debug.contains(r#"path: "v1/farms/f/animals""#), "{debug}");
}

#[test]
fn calls_queue_into_a_batch() {
    let hub = farm();
    let mut batch = hub.new_batch();
    let first = hub
        .animals()
        .get("farms/1/animals/1")
        .queue(&mut batch, |_, _| {})
        .unwrap();
    let second = hub
        .animals()
        .photos()
        .get("farms/1/animals/1", 9)
        .queue_with_id(&mut batch, "photo", |_, _| {});
    assert_ne!(first, "photo");
    assert_eq!(second.unwrap(), "photo");
}

#[test]
fn a_selection_compiles_to_the_chosen_method_alone() {
    let hub = farm_only_get::Farm::builder().build().unwrap();
    let debug = format!("{:?}", hub.animals().get("farms/1/animals/2").into_call());
    assert!(debug.contains("farm.animals.get"), "{debug}");
}

#[test]
fn traps_compile_and_keep_wire_names() {
    use traps::{Self_, State};
    let value: Self_ = serde_json::from_value(
        json!({"self": "a", "@type": "b", "type": "c", "3d": "d", "continue": "e"}),
    )
    .unwrap();
    assert_eq!(value.self_.as_deref(), Some("a"));
    assert_eq!(value.r#type.as_deref(), Some("c"));
    assert_eq!(value.type_2.as_deref(), Some("b"));
    assert_eq!(value._3d.as_deref(), Some("d"));
    assert_eq!(value.r#continue.as_deref(), Some("e"));
    assert_eq!(State::from("UNKNOWN"), State::UnknownValue);
    assert_eq!(State::from("whatever"), State::Unknown("whatever".into()));
    assert_eq!(State::from(""), State::Empty);
    // Cycles are boxed, recursive aliases are newtypes.
    let ring = traps::Ring1 {
        next: Some(Box::new(traps::Ring2::default())),
    };
    assert_eq!(serde_json::to_value(&ring).unwrap(), json!({"next": {}}));
    let tree: traps::Tree = serde_json::from_value(json!([[], [[]]])).unwrap();
    assert_eq!(tree.0.len(), 2);
    // int64 through an alias, floats, bytes in lists and maps.
    let ints: traps::Ints =
        serde_json::from_value(json!({"value": "5", "values": ["6", 7]})).unwrap();
    assert_eq!((ints.value, ints.values), (Some(5), Some(vec![6, 7])));
    let numbers: traps::Numbers = serde_json::from_value(json!({
        "f64": "NaN", "bytesList": ["aGk=", "aGk"], "counts": {"a": "1"}, "series": {"s": [1.5, "Infinity"]}
    }))
    .unwrap();
    assert!(numbers.f64.unwrap().is_nan());
    assert_eq!(
        numbers.bytes_list,
        Some(vec![b"hi".to_vec(), b"hi".to_vec()])
    );
    assert_eq!(numbers.counts.unwrap()["a"], 1);
    assert_eq!(numbers.series.unwrap()["s"][1], f64::INFINITY);
}

#[test]
fn an_inline_body_named_like_a_schema_gets_its_own_type() {
    // The schema `KeysPutRequest` keeps its name; the inline request of `keys.put` (named
    // after the method) takes the next free one, with its nested enum named after it.
    let schema = traps::KeysPutRequest {
        id: Some("1".into()),
    };
    let request = traps::KeysPutRequest2 {
        key: Some("k".into()),
        kind: Some(traps::KeysPutRequest2Kind::Private),
    };
    assert_eq!(serde_json::to_value(&schema).unwrap(), json!({"id": "1"}));
    let hub = traps::TrapsHub::builder().build().unwrap();
    let call = hub.keys().put(request).into_call();
    assert!(format!("{call:?}").contains("traps.keys.put"), "{call:?}");
}

#[test]
fn trap_builders_take_every_kind_of_argument() {
    use traps::projects::{ListB, ListMode, ListView};
    let hub = traps::TrapsHub::builder().build().unwrap();
    let call = hub
        .projects()
        .list(
            "p/1",
            3,
            4,
            true,
            ListB::Y,
            1.5,
            6,
            "r",
            "c",
            traps::Request::default(),
        )
        .r#continue("token")
        .self_("me")
        .foo_bar("x")
        .foo_bar_param("y")
        .view(ListView::Full)
        .mode([ListMode::A, ListMode::B])
        .add(true)
        .as_text(false)
        .xgafv_param("method's own")
        .send_param("s")
        .into_call();
    let debug = format!("{call:?}");
    assert!(
        debug.contains(r#"path: "v1/p%2F1/3/4/true/Y/1.5/6:list""#),
        "{debug}"
    );
    assert!(
        debug.contains(r#"("request", "r"), ("call", "c")"#),
        "{debug}"
    );
    assert!(debug.contains(r#"("mode", "A"), ("mode", "B")"#), "{debug}");
    // The method's `self` parameter is also global: the global setter serves.
    assert!(debug.contains(r#"("self", "me")"#), "{debug}");
    assert!(debug.contains(r#"("foo-bar", "x")"#), "{debug}");
    assert!(debug.contains(r#"("foo_bar", "y")"#), "{debug}");
    assert!(debug.contains(r#"("xgafv", "method's own")"#), "{debug}");
    let debug = format!(
        "{:?}",
        hub.media().download("b", "dir/file name").into_call()
    );
    assert!(
        debug.contains(r#"path: "v1/b/o/dir/file%20name""#),
        "{debug}"
    );
    let deep = hub
        .l0()
        .l1()
        .l2()
        .l3()
        .l4()
        .l5()
        .l6()
        .l7()
        .l8()
        .l9()
        .l10()
        .l11()
        .list();
    assert!(format!("{:?}", deep.into_call()).contains("deep/11"));
}

//! Snapshot tests: the generated code of the fixture documents, compared byte for byte with
//! the checked-in files in `tests/snapshots/`. `DISCOGEN_BLESS=1 cargo test -p discogen --test
//! snapshots` rewrites them after an intended change; review the diff before committing.
//! The snapshots are also compiled and exercised, by `tests/generated_code.rs`.

use std::path::Path;

use discogen::{Options, generate};

fn check(fixture: &str, options: &Options, snapshot: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let json = std::fs::read_to_string(root.join("fixtures").join(fixture)).unwrap();
    let code = generate(&json, options).unwrap_or_else(|error| panic!("{fixture}: {error}"));
    let path = root.join("snapshots").join(snapshot);
    if std::env::var_os("DISCOGEN_BLESS").is_some_and(|value| value == "1") {
        std::fs::write(&path, &code).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != code {
        let line = expected
            .lines()
            .zip(code.lines())
            .position(|(a, b)| a != b)
            .map_or(0, |index| index + 1);
        let shown = code.lines().nth(line.saturating_sub(1)).unwrap_or("");
        panic!(
            "{snapshot} differs from what {fixture} generates, first at line {line}:\n  now: {shown}\n\
             (if the change is intended: DISCOGEN_BLESS=1 cargo test -p discogen --test snapshots)"
        );
    }
}

#[test]
fn farm() {
    check("farm.json", &Options::default(), "farm_v1.rs");
}

#[test]
fn farm_with_one_method_selected() {
    check(
        "farm.json",
        &Options::default().only(["farm.animals.get"]),
        "farm_v1_only_get.rs",
    );
}

#[test]
fn traps() {
    check("traps.json", &Options::default(), "traps_v1_2_beta.rs");
}

#[test]
fn generation_is_deterministic() {
    let json = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/traps.json"),
    )
    .unwrap();
    let first = generate(&json, &Options::default()).unwrap();
    for _ in 0..3 {
        assert_eq!(generate(&json, &Options::default()).unwrap(), first);
    }
}

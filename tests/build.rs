// Generates the clients the end-to-end tests use, through `discogen::Builder` like any
// downstream crate: `$OUT_DIR/farm_v1.rs` (the README's build.rs snippet includes it) and
// `$OUT_DIR/storage_v1.rs` (the Cloud Storage client that the `peers` tests point at
// fake-gcs-server; it is compiled only by them).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    discogen::Builder::new()
        .document("../discovery-docs/farm.json")
        .document("../discovery-docs/storage.v1.json")
        .generate()?;
    Ok(())
}

// Generates the clients the end-to-end tests use, through `discogen::Builder` like any
// downstream crate: `$OUT_DIR/farm_v1.rs` (the README's build.rs snippet includes it).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    discogen::Builder::new()
        .document("../discovery-docs/farm.json")
        .generate()?;
    Ok(())
}

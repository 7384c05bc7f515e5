// Generates `$OUT_DIR/farm_v1.rs` from the Farm API's Discovery document, as any downstream
// crate would: the file is rewritten only when its content changes, and cargo reruns this
// script only when the document changes.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    discogen::Builder::new()
        .document("../../discovery-docs/farm.json")
        .generate()?;
    Ok(())
}

//! Generates the storage.v1 client the benchmarks use, as a user's build script would.

fn main() {
    discogen::Builder::new()
        .document("../../../discovery-docs/storage.v1.json")
        .generate()
        .expect("storage.v1 generates");
}

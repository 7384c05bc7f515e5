//! The Farm API client, generated at build time by `discogen::Builder` (see `build.rs`)
//! instead of being checked in: the downstream-crate path.

/// The generated Farm API v1 client.
pub mod farm_v1 {
    include!(concat!(env!("OUT_DIR"), "/farm_v1.rs"));
}

//! discogen: Google API Discovery documents → typed Rust clients with batch support.
//!
//! The pipeline has one module per stage: [`parse`] (serde model of the Discovery format) →
//! [`resolve`] (an IR with Rust names and types) → [`emit`] (`quote!`) → [`format`]
//! (prettyplease).

mod error;
pub mod parse;

pub use error::{Error, Result};

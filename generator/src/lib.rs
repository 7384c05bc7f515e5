//! discogen: Google API Discovery documents → typed Rust clients with batch support.
//!
//! The pipeline has one module per stage: [`parse`] (serde model of the Discovery format) →
//! [`resolve`] (an IR with Rust names and types) → [`emit`] (`quote!`) → [`format`]
//! (prettyplease).

mod error;
pub mod parse;

pub use error::{Error, Result};
pub mod resolve;

/// What to generate.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Options {
    /// Method ids (`farm.animals.get`) or prefixes of them (`farm.animals`) to generate;
    /// empty means everything. The schemas the chosen methods do not reach are left out.
    pub only: Vec<String>,
}

impl Options {
    /// Generates only the methods with these ids, or whose ids start with these prefixes
    /// (`farm.animals` selects `farm.animals.get` and `farm.animals.photos.list`).
    pub fn only<I, S>(mut self, selectors: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.only.extend(selectors.into_iter().map(Into::into));
        self
    }
}

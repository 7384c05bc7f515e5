//! discogen: Google API Discovery documents → typed Rust clients with batch support.
//!
//! The pipeline has one module per stage: [`parse`] (serde model of the Discovery format) →
//! [`resolve`] (an IR with Rust names and types) → [`emit`] (`quote!`) → [`format`](mod@format)
//! (prettyplease). [`generate`] runs all four; [`Builder`] does it from a build script.
//!
//! ```no_run
//! // build.rs
//! discogen::Builder::new().document("discovery-docs/farm.json").generate().unwrap();
//! // src/lib.rs: include!(concat!(env!("OUT_DIR"), "/farm_v1.rs"));
//! ```

mod builder;
pub mod emit;
mod error;
pub mod format;
pub mod parse;
pub mod resolve;

pub use builder::{Builder, generate_file, module_file_stem, write_if_changed};
pub use error::{Error, Result};

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

/// Generates the Rust module for a Discovery document (its JSON text).
///
/// Errors name the document (`name.version`, or `<document>` before the name is known) and
/// the JSON path of the problem; use [`Error::in_document`] to name a file instead.
pub fn generate(document_json: &str, options: &Options) -> Result<String> {
    generate_module(document_json, options).map(|module| module.code)
}

/// A generated module and what it was generated from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// The document's `name`.
    pub name: String,
    /// The document's `version`.
    pub version: String,
    /// The formatted Rust code.
    pub code: String,
}

impl Generated {
    /// The file stem for the module (`farm_v1`); see [`module_file_stem`].
    pub fn file_stem(&self) -> String {
        module_file_stem(&self.name, &self.version)
    }
}

/// Like [`generate`], also returning the document's name and version.
pub fn generate_module(document_json: &str, options: &Options) -> Result<Generated> {
    let document = parse::parse(document_json).map_err(|error| error.in_document("<document>"))?;
    let label = format!("{}.{}", document.name, document.version);
    let run = || {
        let api = resolve::resolve(&document, options)?;
        format::format_chunks(&api, emit::emit_chunks(&api))
    };
    let code = run().map_err(|error| error.in_document(&label))?;
    Ok(Generated {
        name: document.name,
        version: document.version,
        code,
    })
}

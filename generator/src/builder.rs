//! [`Builder`]: generation from a build script, prost-build style.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::{Generated, Options, generate_module};

/// Generates clients from build.rs into `$OUT_DIR` (or another directory).
///
/// ```no_run
/// // build.rs
/// discogen::Builder::new()
///     .document("discovery-docs/farm.json")
///     .only(["farm.animals.get", "farm.animals.list"])
///     .generate()
///     .unwrap();
/// // src/lib.rs
/// // include!(concat!(env!("OUT_DIR"), "/farm_v1.rs"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Builder {
    documents: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    options: Options,
}

impl Builder {
    /// A builder with no documents, writing to `$OUT_DIR`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a Discovery document (a JSON file).
    pub fn document(mut self, path: impl Into<PathBuf>) -> Self {
        self.documents.push(path.into());
        self
    }

    /// Writes into `dir` instead of `$OUT_DIR`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Generates only these methods (ids, or prefixes of ids ending at a dot) and the schemas
    /// they reach. Applies to every document.
    pub fn only<I, S>(mut self, selectors: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.options = self.options.only(selectors);
        self
    }

    /// Generates every document into `<out_dir>/<name>_<version>.rs` (see
    /// [`module_file_stem`]), writing a file only when its content changed, and prints
    /// `cargo:rerun-if-changed` for each document. Returns the files.
    pub fn generate(self) -> Result<Vec<PathBuf>> {
        let out_dir = match self.out_dir {
            Some(dir) => dir,
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| Error::Options {
                    document: String::new(),
                    message:
                        "OUT_DIR is not set: call Builder::out_dir, or run from a build script"
                            .into(),
                })?,
        };
        let mut written = Vec::with_capacity(self.documents.len());
        for path in &self.documents {
            println!("cargo:rerun-if-changed={}", path.display());
            let module = generate_file(path, &self.options)?;
            let target = out_dir.join(format!("{}.rs", module.file_stem()));
            write_if_changed(&target, &module.code)?;
            written.push(target);
        }
        Ok(written)
    }
}

/// Reads and generates one document file. Errors name the file.
pub fn generate_file(path: &Path, options: &Options) -> Result<Generated> {
    let json = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    generate_module(&json, options).map_err(|error| error.in_document(&path.display().to_string()))
}

/// Writes `content` to `path` unless the file already holds exactly that (so that cargo does
/// not rebuild what did not change).
pub fn write_if_changed(path: &Path, content: &str) -> Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == content.as_bytes()) {
        return Ok(());
    }
    std::fs::write(path, content).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}

/// The file stem (and module name) for a document: `farm_v1`, `admin_directory_v1`,
/// `content_v2_1`: lowercase, every run of other characters one `_`.
pub fn module_file_stem(name: &str, version: &str) -> String {
    let mut stem = String::with_capacity(name.len() + version.len() + 1);
    for c in format!("{name}_{version}").chars() {
        if c.is_ascii_alphanumeric() {
            stem.push(c.to_ascii_lowercase());
        } else if !stem.ends_with('_') {
            stem.push('_');
        }
    }
    let stem = stem.trim_matches('_').to_owned();
    if stem.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{stem}")
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_module_names() {
        assert_eq!(module_file_stem("farm", "v1"), "farm_v1");
        assert_eq!(
            module_file_stem("admin", "directory_v1"),
            "admin_directory_v1"
        );
        assert_eq!(module_file_stem("content", "v2.1"), "content_v2_1");
        assert_eq!(
            module_file_stem("youtubeAnalytics", "v2"),
            "youtubeanalytics_v2"
        );
        assert_eq!(
            module_file_stem("prod_tt_sasportal", "v1alpha"),
            "prod_tt_sasportal_v1alpha"
        );
    }
}

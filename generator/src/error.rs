//! The one error type of the generator: what went wrong, in which document, and where in it.

use std::path::PathBuf;

/// Why a document could not be turned into Rust code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is not valid JSON, not a Discovery document, or inconsistent.
    #[error("{document}: {}{message}", path_prefix(path))]
    Document {
        /// The file name, or the document's `name.version` when no file is known.
        document: String,
        /// The JSON path of the problem (`resources.animals.methods.get.parameters.name`);
        /// empty when the problem is the document as a whole.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The options do not fit the document (a selector that matches no method, …).
    #[error("{document}: {message}")]
    Options {
        /// The file name, or the document's `name.version`.
        document: String,
        /// What is wrong.
        message: String,
    },
}

fn path_prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

impl Error {
    /// An error at `path` (a JSON path) of the document.
    pub(crate) fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Document {
            document: String::new(),
            path: path.into(),
            message: message.into(),
        }
    }

    /// The JSON path of the problem, for errors about a document's content.
    pub fn json_path(&self) -> Option<&str> {
        match self {
            Error::Document { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Names the document the error is about (a file name, say), replacing the earlier name.
    pub fn in_document(mut self, name: &str) -> Self {
        match &mut self {
            Error::Document { document, .. } | Error::Options { document, .. } => {
                *document = name.to_owned();
            }
            Error::Io { .. } => {}
        }
        self
    }
}

/// `Result` with the generator's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

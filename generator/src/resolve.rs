//! Pipeline stage: resolve.

//! Pipeline stage: format.

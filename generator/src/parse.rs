//! Pipeline stage: parse.

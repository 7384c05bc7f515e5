//! Pipeline stage: emit.

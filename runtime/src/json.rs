//! serde helpers that generated code names in `#[serde(with = "…")]`.

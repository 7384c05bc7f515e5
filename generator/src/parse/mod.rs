//! Pipeline stage 1: parse — JSON text → [`Document`], then checks that name the JSON path of
//! any inconsistency, so that later stages can rely on the document.

mod model;
mod validate;

pub use model::*;

use crate::error::{Error, Result};

/// Parses and validates a Discovery document.
///
/// Errors name the JSON path of the problem (`resources.animals.methods.get.httpMethod: …`).
/// Nesting deeper than serde_json's recursion limit (128) is an error, not a stack overflow.
pub fn parse(json: &str) -> Result<Document> {
    let document = match serde_json::from_str::<Document>(json) {
        Ok(document) => document,
        // The fast path failed: parse again, tracking the path, to say where.
        Err(error) => return Err(locate(json, error)),
    };
    validate::validate(&document)?;
    Ok(document)
}

fn locate(json: &str, error: serde_json::Error) -> Error {
    use serde_json::error::Category;
    // Nesting past serde_json's recursion limit is valid JSON; the path says where it is.
    let too_deep = error.to_string().starts_with("recursion limit exceeded");
    if !too_deep
        && matches!(
            error.classify(),
            Category::Syntax | Category::Eof | Category::Io
        )
    {
        return Error::at("", format!("not valid JSON: {error}"));
    }
    let mut deserializer = serde_json::Deserializer::from_str(json);
    match serde_path_to_error::deserialize::<_, Document>(&mut deserializer) {
        Err(error) => {
            let path = error.path().to_string();
            let path = if path == "." { String::new() } else { path };
            Error::at(path, error.into_inner().to_string())
        }
        // Cannot happen (the same input failed above), but must not panic either.
        Ok(_) => Error::at("", error.to_string()),
    }
}

/// One piece of a URI template such as `v1/{+name}/items/{itemId}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplatePiece<'a> {
    /// Text copied as is.
    Literal(&'a str),
    /// `{name}` (`reserved == false`) or `{+name}` (`reserved == true`).
    Variable {
        /// The parameter's name.
        name: &'a str,
        /// RFC 6570 reserved expansion: `/` is kept.
        reserved: bool,
    },
}

/// Splits a URI template into literals and variables. Only the two expansions Discovery
/// documents use are accepted: `{name}` and `{+name}`.
pub fn parse_template(template: &str) -> std::result::Result<Vec<TemplatePiece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return Err(format!("unbalanced `}}` in path {template:?}"));
        }
        if open > 0 {
            pieces.push(TemplatePiece::Literal(&rest[..open]));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in path {template:?}"))?;
        let expression = &after[..close];
        let (name, reserved) = match expression.strip_prefix('+') {
            Some(name) => (name, true),
            None => (expression, false),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-$".contains(c))
        {
            return Err(format!(
                "unsupported expression `{{{expression}}}` in path {template:?} (only `{{name}}` and `{{+name}}` are supported)"
            ));
        }
        pieces.push(TemplatePiece::Variable { name, reserved });
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(TemplatePiece::Literal(rest));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests;

//! Checks a parsed document for what serde cannot: references that go nowhere, methods that
//! cannot be called, parameters missing from their path. Each error names its JSON path.

use indexmap::IndexMap;

use super::{Document, Method, Resource, Schema, TemplatePiece, parse_template};
use crate::error::{Error, Result};

const TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "object", "array", "any", "null",
];
const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

pub(super) fn validate(document: &Document) -> Result<()> {
    for (field, value) in [("name", &document.name), ("version", &document.version)] {
        if value.trim().is_empty() {
            return Err(Error::at(
                field,
                "missing (every Discovery document has one)",
            ));
        }
    }
    if document.root_url.is_empty() && document.base_url.is_empty() {
        return Err(Error::at(
            "rootUrl",
            "missing (and no legacy baseUrl either)",
        ));
    }
    let checker = Checker {
        schemas: &document.schemas,
    };
    for (name, schema) in &document.schemas {
        checker.schema(schema, &format!("schemas.{name}"))?;
    }
    for (name, parameter) in &document.parameters {
        checker.parameter(parameter, &format!("parameters.{name}"))?;
    }
    checker.methods(&document.methods, "")?;
    checker.resources(&document.resources, "")
}

struct Checker<'a> {
    schemas: &'a IndexMap<String, Schema>,
}

impl Checker<'_> {
    fn reference(&self, target: &str, path: &str) -> Result<()> {
        if target.is_empty() {
            return Err(Error::at(path, "empty `$ref`"));
        }
        if !self.schemas.contains_key(target) {
            return Err(Error::at(
                path,
                format!("`$ref` to {target:?}, which is not a schema of this document"),
            ));
        }
        Ok(())
    }

    /// Recursion follows the JSON nesting, which serde_json has already bounded (128 levels).
    fn schema(&self, schema: &Schema, path: &str) -> Result<()> {
        if let Some(target) = &schema.ref_ {
            self.reference(target, &format!("{path}.$ref"))?;
        }
        if let Some(type_) = &schema.type_
            && !TYPES.contains(&type_.as_str())
        {
            return Err(Error::at(
                format!("{path}.type"),
                format!("unknown type {type_:?}"),
            ));
        }
        for (name, property) in &schema.properties {
            self.schema(property, &format!("{path}.properties.{name}"))?;
        }
        if let Some(items) = &schema.items {
            self.schema(items, &format!("{path}.items"))?;
        }
        if let Some(values) = &schema.additional_properties {
            self.schema(values, &format!("{path}.additionalProperties"))?;
        }
        Ok(())
    }

    fn parameter(&self, parameter: &Schema, path: &str) -> Result<()> {
        match parameter.location.as_deref() {
            None | Some("query") | Some("path") => {}
            Some(other) => {
                return Err(Error::at(
                    format!("{path}.location"),
                    format!("unsupported location {other:?} (expected \"path\" or \"query\")"),
                ));
            }
        }
        self.schema(parameter, path)
    }

    fn resources(&self, resources: &IndexMap<String, Resource>, prefix: &str) -> Result<()> {
        for (name, resource) in resources {
            let path = format!("{prefix}resources.{name}");
            self.methods(&resource.methods, &format!("{path}."))?;
            self.resources(&resource.resources, &format!("{path}."))?;
        }
        Ok(())
    }

    fn methods(&self, methods: &IndexMap<String, Method>, prefix: &str) -> Result<()> {
        for (name, method) in methods {
            self.method(method, &format!("{prefix}methods.{name}"))?;
        }
        Ok(())
    }

    fn method(&self, method: &Method, path: &str) -> Result<()> {
        if method.id.is_empty() {
            return Err(Error::at(format!("{path}.id"), "missing"));
        }
        if method.http_method.is_empty() {
            return Err(Error::at(format!("{path}.httpMethod"), "missing"));
        }
        if !HTTP_METHODS.contains(&method.http_method.as_str()) {
            return Err(Error::at(
                format!("{path}.httpMethod"),
                format!("unsupported HTTP method {:?}", method.http_method),
            ));
        }
        if method.path.is_empty() {
            return Err(Error::at(format!("{path}.path"), "missing"));
        }
        for (name, parameter) in &method.parameters {
            self.parameter(parameter, &format!("{path}.parameters.{name}"))?;
        }
        let used = self.template(method, &method.path, &format!("{path}.path"))?;
        for (name, parameter) in &method.parameters {
            if parameter.location.as_deref() == Some("path") && !used.contains(&name.as_str()) {
                return Err(Error::at(
                    format!("{path}.parameters.{name}"),
                    format!(
                        "path parameter {name:?} does not appear in path {:?} as `{{{name}}}` or `{{+{name}}}`",
                        method.path
                    ),
                ));
            }
        }
        for (index, name) in method.parameter_order.iter().enumerate() {
            if !method.parameters.contains_key(name) {
                return Err(Error::at(
                    format!("{path}.parameterOrder[{index}]"),
                    format!("{name:?} is not a parameter of the method"),
                ));
            }
        }
        if let Some(request) = &method.request {
            self.schema(request, &format!("{path}.request"))?;
        }
        if let Some(response) = &method.response {
            self.schema(response, &format!("{path}.response"))?;
        }
        if let Some(upload) = &method.media_upload {
            let protocols = [
                ("simple", &upload.protocols.simple),
                ("resumable", &upload.protocols.resumable),
            ];
            for (protocol, value) in protocols {
                if let Some(value) = value {
                    let path = format!("{path}.mediaUpload.protocols.{protocol}.path");
                    self.template(method, &value.path, &path)?;
                }
            }
        }
        Ok(())
    }

    /// Every variable of `template` must be a path parameter of `method`; returns their names.
    fn template<'t>(&self, method: &Method, template: &'t str, path: &str) -> Result<Vec<&'t str>> {
        let pieces = parse_template(template).map_err(|message| Error::at(path, message))?;
        let mut used = Vec::new();
        for piece in pieces {
            if let TemplatePiece::Variable { name, .. } = piece {
                used.push(name);
                let declared = method.parameters.get(name);
                if declared.is_none_or(|parameter| parameter.location.as_deref() != Some("path")) {
                    return Err(Error::at(
                        path,
                        format!(
                            "`{{{name}}}` in {template:?} is not a path parameter of the method"
                        ),
                    ));
                }
            }
        }
        Ok(used)
    }
}

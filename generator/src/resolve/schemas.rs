//! Schemas → types: top-level schemas keep their (converted) names, inline objects and enums
//! become named types (`{Owner}{Field}`), everything else maps to a Rust type.

use std::collections::HashMap;

use super::names::{Namespace, camel, snake};
use super::{
    Field, SCOPES_MODULE, SERDE_SUPPORT_MODULE, Scalar, Type, TypeDef, TypeId, TypeKind, Variant,
};
use crate::error::{Error, Result};
use crate::parse::{Document, Schema};

/// The types of the top-level module and their names; later stages (inline request and
/// response bodies, parameter enums) add to them.
pub(super) struct SchemaResolver<'d> {
    ids: HashMap<&'d str, TypeId>,
    /// Inline schemas (their `Debug` text) → the type made for them.
    inline: HashMap<String, TypeId>,
    /// Every type so far; the first `schemas.len()` are the schemas in document order.
    pub(super) types: Vec<TypeDef>,
    /// The names of the top-level module.
    pub(super) top: Namespace,
}

impl<'d> SchemaResolver<'d> {
    /// Resolves every schema of `document`.
    pub(super) fn new(document: &'d Document) -> Result<Self> {
        let mut resolver = SchemaResolver {
            ids: HashMap::new(),
            inline: HashMap::new(),
            types: Vec::new(),
            top: Namespace::with_reserved(&[SCOPES_MODULE, SERDE_SUPPORT_MODULE]),
        };
        // Claim every top-level name before any nested one, so schemas keep their natural names.
        for (key, schema) in &document.schemas {
            let name = resolver.top.claim_type(&camel(key), "");
            let id = resolver.push(name, schema.description.clone(), format!("schemas.{key}"));
            resolver.ids.insert(key.as_str(), id);
        }
        for (id, (key, schema)) in document.schemas.iter().enumerate() {
            let path = format!("schemas.{key}");
            let name = resolver.types[id].name.clone();
            resolver.types[id].kind = resolver.top_level(schema, &name, &path)?;
        }
        Ok(resolver)
    }

    /// The type of a method's request or response body (inline objects named after `hint`).
    pub(super) fn body_type(&mut self, schema: &Schema, hint: &str, path: &str) -> Result<Type> {
        self.field_type(schema, hint, path)
    }

    /// Adds a type to the top-level module.
    pub(super) fn push(&mut self, name: String, doc: Option<String>, origin: String) -> TypeId {
        self.types.push(TypeDef {
            name,
            doc,
            kind: TypeKind::Struct(Vec::new()),
            origin,
            used: true,
        });
        self.types.len() - 1
    }

    fn lookup(&self, target: &str, path: &str) -> Result<TypeId> {
        self.ids.get(target).copied().ok_or_else(|| {
            Error::at(
                format!("{path}.$ref"),
                format!("`$ref` to {target:?}, which is not a schema of this document"),
            )
        })
    }

    /// The kind of a top-level schema named `name`.
    fn top_level(&mut self, schema: &Schema, name: &str, path: &str) -> Result<TypeKind> {
        if let Some(target) = &schema.ref_ {
            return Ok(TypeKind::Alias(Type::Named(self.lookup(target, path)?)));
        }
        if !schema.enum_.is_empty() && schema.type_.as_deref() == Some("string") {
            return Ok(TypeKind::Enum(variants(schema)));
        }
        if is_struct(schema) {
            return Ok(TypeKind::Struct(self.fields(schema, name, path)?));
        }
        let ty = match (
            schema.type_.as_deref(),
            &schema.items,
            &schema.additional_properties,
        ) {
            (Some("object") | None, _, None) => return Ok(TypeKind::Struct(Vec::new())),
            (Some("object") | None, _, Some(values)) => Type::Map(Box::new(self.field_type(
                values,
                &format!("{name}Value"),
                &format!("{path}.additionalProperties"),
            )?)),
            (Some("array"), Some(items), _) => Type::Vec(Box::new(self.field_type(
                items,
                &format!("{name}Item"),
                &format!("{path}.items"),
            )?)),
            _ => self.field_type(schema, name, path)?,
        };
        Ok(TypeKind::Alias(ty))
    }

    fn fields(&mut self, schema: &Schema, owner: &str, path: &str) -> Result<Vec<Field>> {
        let mut names = Namespace::default();
        let mut fields = Vec::with_capacity(schema.properties.len());
        for (wire, property) in &schema.properties {
            let name = names.claim(&snake(wire), "");
            let hint = format!("{owner}{}", camel(wire));
            let ty = self.field_type(property, &hint, &format!("{path}.properties.{wire}"))?;
            fields.push(Field {
                name,
                wire: wire.clone(),
                doc: field_doc(property),
                ty,
                boxed: false,
            });
        }
        Ok(fields)
    }

    /// The type of a field (or array item, or map value); inline objects and enums become
    /// types named after `hint`.
    fn field_type(&mut self, schema: &Schema, hint: &str, path: &str) -> Result<Type> {
        if let Some(target) = &schema.ref_ {
            return Ok(Type::Named(self.lookup(target, path)?));
        }
        Ok(match schema.type_.as_deref() {
            Some("string") if !schema.enum_.is_empty() => {
                let (id, fresh) = self.nested(hint, schema, path);
                if fresh {
                    self.types[id].kind = TypeKind::Enum(variants(schema));
                }
                Type::Named(id)
            }
            Some("string") => Type::Scalar(match schema.format.as_deref() {
                Some("int64") => Scalar::I64,
                Some("uint64") => Scalar::U64,
                Some("byte") => Scalar::Bytes,
                Some("date-time" | "google-datetime") => Scalar::DateTime,
                Some("date") => Scalar::Date,
                Some("google-duration") => Scalar::Duration,
                Some("google-fieldmask") => Scalar::FieldMask,
                _ => Scalar::String,
            }),
            Some("integer") => Type::Scalar(match schema.format.as_deref() {
                Some("uint32") => Scalar::U32,
                Some("int64") => Scalar::I64,
                Some("uint64") => Scalar::U64,
                _ => Scalar::I32,
            }),
            Some("number") => Type::Scalar(if schema.format.as_deref() == Some("float") {
                Scalar::F32
            } else {
                Scalar::F64
            }),
            Some("boolean") => Type::Scalar(Scalar::Bool),
            Some("array") => match &schema.items {
                Some(items) => Type::Vec(Box::new(self.field_type(
                    items,
                    hint,
                    &format!("{path}.items"),
                )?)),
                None => Type::Vec(Box::new(Type::Any)),
            },
            _ if is_struct(schema) => {
                let (id, fresh) = self.nested(hint, schema, path);
                if fresh {
                    let name = self.types[id].name.clone();
                    self.types[id].kind = TypeKind::Struct(self.fields(schema, &name, path)?);
                }
                Type::Named(id)
            }
            Some("object") | None if schema.additional_properties.is_some() => {
                let values = schema.additional_properties.as_deref().unwrap_or(schema);
                Type::Map(Box::new(self.field_type(
                    values,
                    hint,
                    &format!("{path}.additionalProperties"),
                )?))
            }
            // `any`, `null`, and objects without properties: any JSON value.
            _ => Type::Any,
        })
    }

    /// Adds a nested type named `hint` (or a distinct variant of it), or finds the one made
    /// for an identical inline schema earlier: (id, whether it is new). compute.v1 repeats
    /// the same `warning` object and its 30-value enum in hundreds of list responses; one
    /// type each keeps the generated code (and its compile time) in proportion.
    fn nested(&mut self, hint: &str, schema: &Schema, path: &str) -> (TypeId, bool) {
        let key = format!("{schema:?}");
        if let Some(&id) = self.inline.get(&key) {
            return (id, false);
        }
        let name = self.top.claim_type(hint, "");
        let id = self.push(name, schema.description.clone(), path.to_owned());
        self.inline.insert(key, id);
        (id, true)
    }
}

fn is_struct(schema: &Schema) -> bool {
    matches!(schema.type_.as_deref(), Some("object") | None) && !schema.properties.is_empty()
}

/// The doc of a field: its description, and what `readOnly` / `deprecated` say.
fn field_doc(schema: &Schema) -> Option<String> {
    let mut doc = schema.description.clone().unwrap_or_default();
    for (flag, note) in [
        (schema.deprecated, "Deprecated."),
        (schema.read_only, "Output only."),
    ] {
        if flag && !doc.contains(note) {
            if !doc.is_empty() {
                doc.push_str("\n\n");
            }
            doc.push_str(note);
        }
    }
    (!doc.is_empty()).then_some(doc)
}

/// The variants of a string enum: distinct names, `Unknown` left for the catch-all, duplicate
/// wire values dropped.
pub(super) fn variants(schema: &Schema) -> Vec<Variant> {
    let mut names = Namespace::with_reserved(&["Unknown"]);
    let mut seen = std::collections::HashSet::new();
    let mut variants = Vec::with_capacity(schema.enum_.len());
    for (index, wire) in schema.enum_.iter().enumerate() {
        if !seen.insert(wire.as_str()) {
            continue;
        }
        let mut name = camel(wire);
        if name == "Unknown" {
            name.push_str("Value");
        }
        let name = names.claim_type(&name, "");
        let mut doc = schema
            .enum_descriptions
            .get(index)
            .filter(|text| !text.is_empty())
            .cloned();
        if schema.enum_deprecated.get(index) == Some(&true) {
            doc = Some(match doc {
                Some(text) => format!("Deprecated. {text}"),
                None => "Deprecated.".to_owned(),
            });
        }
        variants.push(Variant {
            name,
            wire: wire.clone(),
            doc,
        });
    }
    variants
}

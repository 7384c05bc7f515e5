//! Resources and methods: modules, accessors, request builders, parameters sorted into
//! constructor arguments (in `parameterOrder` order) and setters, paths, scopes, media.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::names::{Namespace, camel, shouty, snake};
use super::schemas::{SchemaResolver, variants};
use super::{
    Method, Param, ParamType, PathPiece, Resource, Scope, ScopeRef, TypeDef, TypeId, TypeKind,
    Upload,
};
use crate::error::{Error, Result};
use crate::parse::{self, Document, Schema, TemplatePiece};

/// Names a builder already has, besides its parameters (`wrap` is `MethodCall`'s private
/// constructor: an inherent method of the same name would clash with it).
const BUILDER_METHODS: &[&str] = &[
    "send",
    "queue",
    "queue_with_id",
    "into_call",
    "upload",
    "download",
    "if_match",
    "if_none_match",
    "wrap",
];
/// What the builder of a list method has besides [`BUILDER_METHODS`]: reserved for the setters
/// of every method that takes a page token, and for the global parameters' setters (which
/// every builder has).
const PAGING_METHODS: &[&str] = &["pages", "items"];
/// Names the hub already has, and trait method names a method must not shadow (resource
/// structs derive `Clone` and `Debug`; clippy::should_implement_trait flags the rest).
const HUB_METHODS: &[&str] = &[
    "builder",
    "new",
    "client",
    "new_batch",
    "clone",
    "cmp",
    "partial_cmp",
    "eq",
    "ne",
    "hash",
    "fmt",
];
/// The same for resource structs.
const RESOURCE_METHODS: &[&str] = &[
    "new",
    "clone",
    "cmp",
    "partial_cmp",
    "eq",
    "ne",
    "hash",
    "fmt",
];

/// The constants of the `scopes` module.
pub(super) fn scopes(document: &Document) -> Vec<Scope> {
    let mut names = Namespace::default();
    document
        .auth
        .oauth2
        .scopes
        .iter()
        .map(|(url, info)| {
            let short = match url.find("/auth/") {
                Some(at) => &url[at + "/auth/".len()..],
                None => url.split_once("://").map_or(url.as_str(), |(_, rest)| rest),
            };
            Scope {
                name: names.claim(&shouty(short), ""),
                url: url.clone(),
                description: info.description.clone(),
            }
        })
        .collect()
}

/// The module a method's builder, marker and parameter enums (or a resource's module) go in.
enum Home<'h> {
    /// The top-level module (methods and resources of the hub): names are claimed in the
    /// schema resolver's namespace, beside the schemas and inline body types, and enums join
    /// its types.
    Top,
    /// A resource's module: its names, and its types (the parameter enums).
    Resource {
        names: &'h mut Namespace,
        types: &'h mut Vec<TypeDef>,
    },
}

impl Home<'_> {
    /// The module's namespace; `top` is the top-level one (the schema resolver's).
    fn names<'s>(&'s mut self, top: &'s mut Namespace) -> &'s mut Namespace {
        match self {
            Home::Top => top,
            Home::Resource { names, .. } => names,
        }
    }
}

pub(super) struct MethodResolver<'a, 'd> {
    document: &'a Document,
    scope_index: HashMap<&'a str, usize>,
    schemas: &'a mut SchemaResolver<'d>,
    /// The global parameters' setters, which every builder has.
    global_setters: Vec<String>,
}

impl<'a, 'd> MethodResolver<'a, 'd> {
    pub(super) fn new(
        document: &'a Document,
        scopes: &'a [Scope],
        schemas: &'a mut SchemaResolver<'d>,
    ) -> Self {
        let scope_index = scopes
            .iter()
            .enumerate()
            .map(|(index, scope)| (scope.url.as_str(), index))
            .collect();
        MethodResolver {
            document,
            scope_index,
            schemas,
            global_setters: Vec::new(),
        }
    }

    /// The document's global parameters; their enums (`Xgafv`, `Alt`) go to the top level.
    pub(super) fn global_params(&mut self) -> Result<Vec<Param>> {
        let mut params = Vec::with_capacity(self.document.parameters.len());
        let mut global_names = Namespace::with_reserved(BUILDER_METHODS);
        for name in PAGING_METHODS {
            global_names.reserve(name);
        }
        for (wire, schema) in &self.document.parameters {
            let path = format!("parameters.{wire}");
            let ty = if schema.enum_.is_empty() {
                scalar_param(schema)
            } else {
                let name = self.schemas.top.claim_type(&camel(wire), "Param");
                ParamType::TopEnum(self.push_enum(name, schema, path))
            };
            let name = global_names.claim(&snake(wire), "_param");
            self.global_setters.push(name.clone());
            params.push(Param {
                name,
                wire: wire.clone(),
                doc: schema.description.clone(),
                ty,
                repeated: schema.repeated,
                in_path: false,
            });
        }
        Ok(params)
    }

    /// The hub's name (the API's name, unless a schema has it) and the generic request
    /// builder's name (`MethodCall`).
    pub(super) fn claim_hub(&mut self) -> (String, String) {
        let hub = self
            .schemas
            .top
            .claim_type(&camel(&self.document.name), "Hub");
        (hub, self.schemas.top.claim_type("MethodCall", "Generic"))
    }

    /// Methods of the hub and the resource tree.
    pub(super) fn resolve_all(&mut self) -> Result<(Vec<Method>, Vec<Resource>)> {
        let document = self.document;
        let mut hub_fns = Namespace::with_reserved(HUB_METHODS);
        let mut methods = Vec::with_capacity(document.methods.len());
        for (key, method) in &document.methods {
            let path = format!("methods.{key}");
            methods.push(self.method(key, method, &path, &mut hub_fns, &mut Home::Top)?);
        }
        let resources = self.resources(&document.resources, "", &mut hub_fns, &mut Home::Top)?;
        Ok((methods, resources))
    }

    fn resources(
        &mut self,
        resources: &'a IndexMap<String, parse::Resource>,
        prefix: &str,
        parent_fns: &mut Namespace,
        parent: &mut Home<'_>,
    ) -> Result<Vec<Resource>> {
        let mut out = Vec::with_capacity(resources.len());
        for (key, resource) in resources {
            let path = format!("{prefix}resources.{key}");
            let module = parent
                .names(&mut self.schemas.top)
                .claim(&snake(key), "_resource");
            let accessor = parent_fns.claim(&snake(key), "_resource");
            // A module named like its parent trips clippy::module_inception: reserve the name.
            let mut names = Namespace::with_reserved(&[module.as_str()]);
            let struct_name = names.claim_type(&format!("{}Resource", camel(key)), "");
            let mut fns = Namespace::with_reserved(RESOURCE_METHODS);
            let mut types = Vec::new();
            let mut methods = Vec::with_capacity(resource.methods.len());
            let mut home = Home::Resource {
                names: &mut names,
                types: &mut types,
            };
            for (method_key, method) in &resource.methods {
                let method_path = format!("{path}.methods.{method_key}");
                methods.push(self.method(method_key, method, &method_path, &mut fns, &mut home)?);
            }
            let nested = self.resources(
                &resource.resources,
                &format!("{path}."),
                &mut fns,
                &mut home,
            )?;
            out.push(Resource {
                module,
                struct_name,
                accessor,
                wire: key.clone(),
                methods,
                types,
                resources: nested,
            });
        }
        Ok(out)
    }

    fn method(
        &mut self,
        key: &str,
        method: &parse::Method,
        path: &str,
        fns: &mut Namespace,
        home: &mut Home<'_>,
    ) -> Result<Method> {
        let name = fns.claim(&snake(key), "_method");
        let names = home.names(&mut self.schemas.top);
        let builder = names.claim_type(&format!("{}Call", camel(key)), "");
        let marker = names.claim_type(&format!("{}Method", camel(key)), "");
        let is_required =
            |schema: &Schema| schema.required || schema.location.as_deref() == Some("path");

        // Constructor arguments: parameterOrder first, then any other required one.
        let mut required_wires: Vec<&str> = Vec::new();
        for wire in &method.parameter_order {
            if method.parameters.get(wire).is_some_and(is_required)
                && !required_wires.contains(&wire.as_str())
            {
                required_wires.push(wire);
            }
        }
        for (wire, schema) in &method.parameters {
            if is_required(schema) && !required_wires.contains(&wire.as_str()) {
                required_wires.push(wire);
            }
        }
        let body = method.request.is_some();
        let mut arguments = Namespace::with_reserved(if body {
            &["call", "request"]
        } else {
            &["call"]
        });
        let mut required = Vec::with_capacity(required_wires.len());
        for wire in &required_wires {
            let schema = &method.parameters[*wire];
            let name = arguments.claim(&snake(wire), "_param");
            required.push(self.param(name, wire, schema, key, path, home));
        }
        // Setters share one namespace with the builder's own methods and the global
        // parameters' setters (which every builder has).
        let mut setters = Namespace::with_reserved(BUILDER_METHODS);
        for name in &self.global_setters {
            setters.reserve(name);
        }
        // Decided on the parameter alone, so that a setter's name does not hang on the response.
        if method.parameters.contains_key(super::paging::PAGE_TOKEN) {
            for name in PAGING_METHODS {
                setters.reserve(name);
            }
        }
        let mut optional = Vec::new();
        for (wire, schema) in &method.parameters {
            // A parameter that is also global is set with the global setter.
            let global = self.document.parameters.contains_key(wire);
            if !required_wires.contains(&wire.as_str()) && !global {
                let name = setters.claim(&snake(wire), "_param");
                optional.push(self.param(name, wire, schema, key, path, home));
            }
        }

        let expand = |template: &str, at: &str| -> Result<Vec<PathPiece>> {
            let pieces =
                parse::parse_template(template).map_err(|message| Error::at(at, message))?;
            pieces
                .into_iter()
                .map(|piece| match piece {
                    TemplatePiece::Literal(text) => Ok(PathPiece::Literal(text.to_owned())),
                    TemplatePiece::Variable { name, reserved } => required
                        .iter()
                        .position(|param: &Param| param.wire == name)
                        .map(|index| PathPiece::Param { index, reserved })
                        .ok_or_else(|| {
                            Error::at(at, format!("`{{{name}}}` is not a path parameter"))
                        }),
                })
                .collect()
        };
        let upload = match &method.media_upload {
            None => None,
            Some(upload) => {
                let protocol_path = |protocol: &Option<parse::MediaProtocol>, label: &str| {
                    protocol
                        .as_ref()
                        .map(|protocol| {
                            expand(
                                protocol.path.trim_start_matches('/'),
                                &format!("{path}.mediaUpload.protocols.{label}.path"),
                            )
                        })
                        .transpose()
                };
                Some(Upload {
                    simple: protocol_path(&upload.protocols.simple, "simple")?,
                    resumable: protocol_path(&upload.protocols.resumable, "resumable")?,
                    accept: upload.accept.clone(),
                    max_size: upload.max_size.as_deref().and_then(parse_size),
                })
            }
        };
        // Bodies are `$ref`s, or inline schemas named after the method (`GetPublicKeysResponse`).
        let hint = camel(
            method
                .id
                .split_once('.')
                .map_or(method.id.as_str(), |(_, rest)| rest),
        );
        let request = match &method.request {
            Some(schema) => Some(self.schemas.body_type(
                schema,
                &format!("{hint}Request"),
                &format!("{path}.request"),
            )?),
            None => None,
        };
        let response = match &method.response {
            Some(schema) => Some(self.schemas.body_type(
                schema,
                &format!("{hint}Response"),
                &format!("{path}.response"),
            )?),
            None => None,
        };
        let scopes = method
            .scopes
            .iter()
            .map(|url| match self.scope_index.get(url.as_str()) {
                Some(&index) => ScopeRef::Const(index),
                None => ScopeRef::Literal(url.clone()),
            })
            .collect();
        let paging = super::paging::paging(
            required.iter().chain(&optional),
            response.as_ref(),
            &self.schemas.types,
        );
        Ok(Method {
            id: method.id.clone(),
            name,
            builder,
            doc: method.description.clone(),
            deprecated: method.deprecated,
            http_method: method.http_method.clone(),
            path: expand(&method.path, &format!("{path}.path"))?,
            required,
            optional,
            marker,
            request,
            response,
            scopes,
            upload,
            download: method
                .supports_media_download
                .then_some(method.use_media_download_service),
            paging,
        })
    }

    fn param(
        &mut self,
        name: String,
        wire: &str,
        schema: &Schema,
        method_key: &str,
        method_path: &str,
        home: &mut Home<'_>,
    ) -> Param {
        let ty = if schema.enum_.is_empty() {
            scalar_param(schema)
        } else {
            let hint = format!("{}{}", camel(method_key), camel(wire));
            let enum_name = home.names(&mut self.schemas.top).claim_type(&hint, "");
            let origin = format!("{method_path}.parameters.{wire}");
            match home {
                Home::Top => ParamType::TopEnum(self.push_enum(enum_name, schema, origin)),
                Home::Resource { types, .. } => {
                    types.push(enum_def(enum_name, schema, origin));
                    ParamType::LocalEnum(types.len() - 1)
                }
            }
        };
        let in_path = schema.location.as_deref() == Some("path");
        Param {
            name,
            wire: wire.to_owned(),
            doc: schema.description.clone(),
            ty,
            // A path parameter takes one value, whatever the document says.
            repeated: schema.repeated && !in_path,
            in_path,
        }
    }

    fn push_enum(&mut self, name: String, schema: &Schema, origin: String) -> TypeId {
        self.schemas.types.push(enum_def(name, schema, origin));
        self.schemas.types.len() - 1
    }
}

fn enum_def(name: String, schema: &Schema, origin: String) -> TypeDef {
    TypeDef {
        name,
        doc: schema.description.clone(),
        kind: TypeKind::Enum(variants(schema)),
        origin,
        used: true,
    }
}

fn scalar_param(schema: &Schema) -> ParamType {
    match (schema.type_.as_deref(), schema.format.as_deref()) {
        (Some("integer"), Some("uint32")) => ParamType::U32,
        (Some("integer") | Some("string"), Some("int64")) => ParamType::I64,
        (Some("integer") | Some("string"), Some("uint64")) => ParamType::U64,
        (Some("integer"), _) => ParamType::I32,
        (Some("number"), Some("float")) => ParamType::F32,
        (Some("number"), _) => ParamType::F64,
        (Some("boolean"), _) => ParamType::Bool,
        _ => ParamType::String,
    }
}

/// `mediaUpload.maxSize`: a byte count, or a number with `KB`, `MB`, `GB` or `TB` (powers of
/// 1024, as Google means them).
pub(super) fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "KB" | "K" => 10,
        "MB" | "M" => 20,
        "GB" | "G" => 30,
        "TB" | "T" => 40,
        _ => return None,
    };
    number.parse::<u64>().ok()?.checked_mul(1 << shift)
}

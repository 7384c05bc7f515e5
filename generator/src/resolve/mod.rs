//! Pipeline stage 2: resolve — [`Document`] → [`Api`], an IR with no JSON left: Rust names
//! (valid, distinct and stable), Rust types, cycles boxed, parameters sorted into constructor
//! arguments and setters, the selection applied.

mod cycles;
mod methods;
mod names;
mod paging;
mod schemas;
mod select;

pub use names::{camel, shouty, snake, unraw};
pub use paging::{PageItems, Paging};

use crate::Options;
use crate::error::Result;
use crate::parse::Document;

/// The module of the OAuth scope constants; its name is reserved in the top-level module.
pub(crate) const SCOPES_MODULE: &str = "scopes";
/// The private module of the serde helpers the generated structs share; its name is reserved
/// in the top-level module too.
pub(crate) const SERDE_SUPPORT_MODULE: &str = "serde_support";

/// Index of a type in [`Api::types`].
pub type TypeId = usize;

/// A whole API, ready to emit.
#[derive(Debug)]
pub struct Api {
    /// The document's `name`.
    pub name: String,
    /// The document's `version`.
    pub version: String,
    /// The document's `title` (the name when it has none).
    pub title: String,
    /// The document's `revision`.
    pub revision: String,
    /// The document's `description`.
    pub description: Option<String>,
    /// rootUrl, ending in `/`.
    pub root_url: String,
    /// servicePath.
    pub service_path: String,
    /// batchPath, relative to rootUrl (`batch/<name>/<version>` when the document has none).
    pub batch_path: String,
    /// The hub type's name (`Farm`).
    pub hub: String,
    /// The generic request builder every method's builder is an alias of (`MethodCall`): it
    /// has the setters of the global parameters, the conditional headers, `send` and `queue`.
    pub method_call: String,
    /// OAuth scopes, as constants of the `scopes` module.
    pub scopes: Vec<Scope>,
    /// Every type of the top-level module: schemas, nested types, enums.
    pub types: Vec<TypeDef>,
    /// The document's global parameters: setters on every request builder (their names never
    /// collide with a method's setters).
    pub global_params: Vec<Param>,
    /// Methods on the hub itself (rare).
    pub methods: Vec<Method>,
    /// Top-level resources.
    pub resources: Vec<Resource>,
}

impl Api {
    /// Every method: the hub's, then each resource's before its nested resources', in
    /// document order.
    pub fn all_methods(&self) -> impl Iterator<Item = &Method> + '_ {
        let mut stack: Vec<&Resource> = self.resources.iter().rev().collect();
        let resources = std::iter::from_fn(move || {
            let resource = stack.pop()?;
            stack.extend(resource.resources.iter().rev());
            Some(resource.methods.iter())
        });
        self.methods.iter().chain(resources.flatten())
    }
}

/// One constant of the `scopes` module.
#[derive(Debug)]
pub struct Scope {
    /// The constant's name (`CLOUD_PLATFORM`).
    pub name: String,
    /// The scope URL.
    pub url: String,
    /// What it grants.
    pub description: Option<String>,
}

/// A named Rust type.
#[derive(Debug)]
pub struct TypeDef {
    /// The Rust name.
    pub name: String,
    /// Description from the document.
    pub doc: Option<String>,
    /// What the type is.
    pub kind: TypeKind,
    /// Where it comes from in the document (for error messages).
    pub origin: String,
    /// Whether it is emitted: reachable from a selected method, or no selection was made.
    pub used: bool,
}

/// The shape of a [`TypeDef`].
#[derive(Debug)]
pub enum TypeKind {
    /// A struct of optional fields.
    Struct(Vec<Field>),
    /// A string enum with a catch-all `Unknown(String)` variant.
    Enum(Vec<Variant>),
    /// `pub type Name = …;` for a non-object top-level schema.
    Alias(Type),
    /// `pub struct Name(pub …);` for a top-level schema whose alias would be recursive.
    Newtype(Type),
}

/// A struct field.
#[derive(Debug)]
pub struct Field {
    /// The Rust name (`animal_name`, `r#type`).
    pub name: String,
    /// The JSON name (`animalName`, `@type`).
    pub wire: String,
    /// Description from the document.
    pub doc: Option<String>,
    /// The type inside the field's `Option`.
    pub ty: Type,
    /// Whether the field is `Option<Box<…>>` to break a reference cycle.
    pub boxed: bool,
}

/// An enum variant.
#[derive(Debug)]
pub struct Variant {
    /// The Rust name.
    pub name: String,
    /// The wire value.
    pub wire: String,
    /// From `enumDescriptions` (and `enumDeprecated`).
    pub doc: Option<String>,
}

/// A field or alias type.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// A leaf type.
    Scalar(Scalar),
    /// Any JSON value.
    Any,
    /// An array.
    Vec(Box<Type>),
    /// An object used as a map with string keys.
    Map(Box<Type>),
    /// A type of [`Api::types`].
    Named(TypeId),
}

impl Type {
    /// Collects the named types of this type into `out`: all of them, or only those not
    /// inside a Vec or map.
    pub(crate) fn named_types(&self, through_containers: bool, out: &mut Vec<TypeId>) {
        match self {
            Type::Named(id) => out.push(*id),
            Type::Vec(inner) | Type::Map(inner) if through_containers => {
                inner.named_types(true, out)
            }
            _ => {}
        }
    }
}

/// Leaf types of fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    /// `string`.
    String,
    /// `boolean`.
    Bool,
    /// `integer`/`int32`.
    I32,
    /// `integer`/`uint32`.
    U32,
    /// `int64`, a JSON string.
    I64,
    /// `uint64`, a JSON string.
    U64,
    /// `number`/`double`.
    F64,
    /// `number`/`float`.
    F32,
    /// `byte`: base64.
    Bytes,
    /// `date-time`, `google-datetime`.
    DateTime,
    /// `date`.
    Date,
    /// `google-duration`.
    Duration,
    /// `google-fieldmask`.
    FieldMask,
}

/// A resource: a module with its resource struct, request builders and sub-resources.
#[derive(Debug)]
pub struct Resource {
    /// The module's name.
    pub module: String,
    /// The resource struct's name (`AnimalsResource`).
    pub struct_name: String,
    /// The accessor on the parent (`hub.animals()`).
    pub accessor: String,
    /// The resource's name in the document.
    pub wire: String,
    /// Its methods.
    pub methods: Vec<Method>,
    /// Types of this module: parameter enums of its methods.
    pub types: Vec<TypeDef>,
    /// Nested resources.
    pub resources: Vec<Resource>,
}

/// A method and its request builder.
#[derive(Debug)]
pub struct Method {
    /// The document's id (`farm.animals.get`).
    pub id: String,
    /// The constructor on the resource (`get`).
    pub name: String,
    /// The request builder type (`GetCall`), an alias of [`Api::method_call`].
    pub builder: String,
    /// The description.
    pub doc: Option<String>,
    /// Whether the document marks the method deprecated.
    pub deprecated: bool,
    /// `GET`, `POST`, …
    pub http_method: String,
    /// The path relative to the service path.
    pub path: Vec<PathPiece>,
    /// Constructor arguments (path parameters and required query parameters).
    pub required: Vec<Param>,
    /// Setters.
    pub optional: Vec<Param>,
    /// The type that marks this method in [`Api::method_call`] (`GetMethod`).
    pub marker: String,
    /// The request body type.
    pub request: Option<Type>,
    /// The response type (`()` when `None`).
    pub response: Option<Type>,
    /// OAuth scopes.
    pub scopes: Vec<ScopeRef>,
    /// Media upload, when the method accepts it.
    pub upload: Option<Upload>,
    /// Media download: `Some(use_media_download_service)` when supported.
    pub download: Option<bool>,
    /// Pagination, for list methods (`pageToken` in, `nextPageToken` out).
    pub paging: Option<Paging>,
}

/// One piece of an expanded path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathPiece {
    /// Copied as is.
    Literal(String),
    /// A constructor argument: index into [`Method::required`].
    Param {
        /// Index into [`Method::required`].
        index: usize,
        /// `{+name}`: `/` is kept.
        reserved: bool,
    },
}

/// A method parameter (or a global one).
#[derive(Debug)]
pub struct Param {
    /// The Rust name (argument or setter).
    pub name: String,
    /// The query name.
    pub wire: String,
    /// Description.
    pub doc: Option<String>,
    /// The value type.
    pub ty: ParamType,
    /// A repeated query parameter: `name=a&name=b` (never a path parameter).
    pub repeated: bool,
    /// Whether it is a path parameter.
    pub in_path: bool,
}

/// The value type of a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// `&str`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `u32`.
    U32,
    /// `i64`.
    I64,
    /// `u64`.
    U64,
    /// `f64`.
    F64,
    /// `f32`.
    F32,
    /// An enum of the top-level module.
    TopEnum(TypeId),
    /// An enum of the method's resource module: index into [`Resource::types`].
    LocalEnum(usize),
}

/// A scope a method accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeRef {
    /// A constant of the `scopes` module: index into [`Api::scopes`].
    Const(usize),
    /// A scope the document's `auth` section does not list.
    Literal(String),
}

/// What a method says about media upload.
#[derive(Debug)]
pub struct Upload {
    /// `protocols.simple.path`, relative to rootUrl.
    pub simple: Option<Vec<PathPiece>>,
    /// `protocols.resumable.path`, relative to rootUrl.
    pub resumable: Option<Vec<PathPiece>>,
    /// Accepted media types.
    pub accept: Vec<String>,
    /// Largest accepted size in bytes.
    pub max_size: Option<u64>,
}

/// Builds the IR of a parsed (and validated) document.
pub fn resolve(document: &Document, options: &Options) -> Result<Api> {
    let mut schemas = schemas::SchemaResolver::new(document)?;
    let (root_url, service_path) = urls(document);
    let batch_path = match &document.batch_path {
        Some(path) if !path.is_empty() => path.trim_start_matches('/').to_owned(),
        _ => format!("batch/{}/{}", document.name, document.version),
    };
    let scopes = methods::scopes(document);
    let mut resolver = methods::MethodResolver::new(document, &scopes, &mut schemas);
    let global_params = resolver.global_params()?;
    let (hub, method_call) = resolver.claim_hub();
    let (methods, resources) = resolver.resolve_all()?;
    let mut types = schemas.types;
    cycles::break_cycles(&mut types)?;
    let mut api = Api {
        name: document.name.clone(),
        version: document.version.clone(),
        title: if document.title.is_empty() {
            document.name.clone()
        } else {
            document.title.clone()
        },
        revision: document.revision.clone(),
        description: document.description.clone(),
        root_url,
        service_path,
        batch_path,
        hub,
        method_call,
        scopes,
        types,
        global_params,
        methods,
        resources,
    };
    select::prune(&mut api, options)?;
    Ok(api)
}

/// rootUrl and servicePath, from the legacy baseUrl when the document has no rootUrl.
fn urls(document: &Document) -> (String, String) {
    let (mut root, service) = if document.root_url.is_empty() {
        let base = document.base_url.as_str();
        let host_end = base
            .find("://")
            .map(|scheme| scheme + 3)
            .and_then(|start| base[start..].find('/').map(|slash| start + slash + 1));
        match host_end {
            Some(end) => (base[..end].to_owned(), base[end..].to_owned()),
            None => (format!("{base}/"), String::new()),
        }
    } else {
        (document.root_url.clone(), document.service_path.clone())
    };
    if !root.ends_with('/') {
        root.push('/');
    }
    (root, service)
}

#[cfg(test)]
mod tests;

//! The serde model of a Discovery document (`discovery#restDescription`).
//!
//! Fields the generator does not use are left out and ignored when present; every map keeps
//! the document's order so that generated names and output are stable.

use indexmap::IndexMap;
use serde::Deserialize;

/// A whole Discovery document.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Document {
    /// The API's name, e.g. `storage`.
    pub name: String,
    /// The API's version, e.g. `v1`.
    pub version: String,
    /// The revision date of the document, e.g. `20261101`.
    pub revision: String,
    /// Human-readable title.
    pub title: String,
    /// Description of the API.
    pub description: Option<String>,
    /// Link to the API's documentation.
    pub documentation_link: Option<String>,
    /// The root URL every path hangs under, ending in `/`.
    pub root_url: String,
    /// The path after the root URL that method paths are relative to.
    pub service_path: String,
    /// Where batch requests go, relative to the root URL.
    pub batch_path: Option<String>,
    /// Legacy: the full base URL (root URL + service path).
    pub base_url: String,
    /// Legacy: the base path.
    pub base_path: String,
    /// Parameters every method accepts (`fields`, `quotaUser`, `alt`, …).
    pub parameters: IndexMap<String, Schema>,
    /// Authentication information.
    pub auth: Auth,
    /// The named schemas, by id.
    pub schemas: IndexMap<String, Schema>,
    /// Top-level resources.
    pub resources: IndexMap<String, Resource>,
    /// Methods on the API itself (rare: `oauth2.v2` has `tokeninfo`).
    pub methods: IndexMap<String, Method>,
}

/// `auth` of a document.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Auth {
    /// OAuth 2.0 information.
    pub oauth2: OAuth2,
}

/// `auth.oauth2`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OAuth2 {
    /// Scope URL → its description.
    pub scopes: IndexMap<String, ScopeInfo>,
}

/// One entry of `auth.oauth2.scopes`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScopeInfo {
    /// What the scope grants.
    pub description: Option<String>,
}

/// A JSON-schema subset: a schema, a property, an array item, or a parameter.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Schema {
    /// The schema's id (top-level schemas only).
    pub id: Option<String>,
    /// `string`, `integer`, `number`, `boolean`, `object`, `array`, `any` or `null`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// Refines `type`: `int64`, `byte`, `date-time`, `google-duration`, …
    pub format: Option<String>,
    /// The id of another schema this one stands for.
    #[serde(rename = "$ref")]
    pub ref_: Option<String>,
    /// Description, in Markdown.
    pub description: Option<String>,
    /// Object properties.
    pub properties: IndexMap<String, Schema>,
    /// Array items.
    pub items: Option<Box<Schema>>,
    /// The values of a map-like object.
    pub additional_properties: Option<Box<Schema>>,
    /// Allowed string values.
    #[serde(rename = "enum")]
    pub enum_: Vec<String>,
    /// One description per `enum` value.
    pub enum_descriptions: Vec<String>,
    /// One flag per `enum` value.
    pub enum_deprecated: Vec<bool>,
    /// Parameters: whether the parameter must be given.
    pub required: bool,
    /// Parameters: whether the parameter may be given several times.
    pub repeated: bool,
    /// Parameters: `path` or `query`.
    pub location: Option<String>,
    /// Regular expression the value must match.
    pub pattern: Option<String>,
    /// Default value, as a string.
    pub default: Option<String>,
    /// Whether the server ignores the field in requests.
    pub read_only: bool,
    /// Whether the field or parameter is deprecated.
    pub deprecated: bool,
}

/// A resource: methods and nested resources.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Resource {
    /// Methods of the resource.
    pub methods: IndexMap<String, Method>,
    /// Nested resources.
    pub resources: IndexMap<String, Resource>,
}

/// A method (one HTTP endpoint).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Method {
    /// Unique id, e.g. `storage.objects.get`.
    pub id: String,
    /// `GET`, `POST`, …
    pub http_method: String,
    /// URI template relative to the service path (`b/{bucket}/o/{object}`, `v1/{+name}`).
    pub path: String,
    /// The template with every parameter expanded flat (informational).
    pub flat_path: Option<String>,
    /// Description, in Markdown.
    pub description: Option<String>,
    /// Parameters by name.
    pub parameters: IndexMap<String, Schema>,
    /// The order of the required parameters.
    pub parameter_order: Vec<String>,
    /// The request body: usually a `$ref`, sometimes an inline schema.
    pub request: Option<Schema>,
    /// The response body: usually a `$ref`, sometimes an inline schema.
    pub response: Option<Schema>,
    /// OAuth scopes, any one of which authorizes the call.
    pub scopes: Vec<String>,
    /// Media upload, if the method accepts it.
    pub media_upload: Option<MediaUpload>,
    /// Whether `alt=media` downloads the media.
    pub supports_media_download: bool,
    /// Whether downloads go through `rootUrl/download/…`.
    pub use_media_download_service: bool,
    /// Whether the method supports push notifications.
    pub supports_subscription: bool,
    /// Whether the method is deprecated.
    pub deprecated: bool,
}

/// `mediaUpload` of a method.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MediaUpload {
    /// Accepted media types.
    pub accept: Vec<String>,
    /// Largest accepted size (`10GB`, `1073741824`, …).
    pub max_size: Option<String>,
    /// Upload protocols.
    pub protocols: MediaProtocols,
}

/// `mediaUpload.protocols`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MediaProtocols {
    /// Simple (and multipart) upload.
    pub simple: Option<MediaProtocol>,
    /// Resumable upload.
    pub resumable: Option<MediaProtocol>,
}

/// One upload protocol.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MediaProtocol {
    /// Whether multipart upload is supported.
    pub multipart: bool,
    /// The upload URI template, relative to the root URL.
    pub path: String,
}

//! Pipeline stage 3: emit — [`Api`] → tokens of one module body, following ARCHITECTURE.md:
//! the hub, the `API` constant, the `scopes` module, the schemas at the top level, and one
//! module per resource with its resource struct and request builders.

mod docs;
mod resources;
mod schemas;
mod serde_impls;

pub use docs::{code_span, doc_attrs, escape as escape_doc, one_line, plain_line};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::resolve::{Api, SCOPES_MODULE, Scalar, Type, TypeId, TypeKind};

/// The tokens of the generated module body (all chunks of [`emit_chunks`] together).
pub fn emit(api: &Api) -> TokenStream {
    emit_chunks(api).collect()
}

/// How many types one chunk holds.
const TYPES_PER_CHUNK: usize = 64;

/// What one chunk of the module holds.
enum Chunk {
    /// The hub, `API`, `scopes`, the generic builder, the serde helpers.
    Preamble,
    /// A run of [`Api::types`].
    Types(std::ops::Range<usize>),
    /// The builders of the hub's own methods.
    HubMethods,
    /// One top-level resource module.
    Resource(usize),
}

/// The module body in chunks of items, in order, each made only when asked for: formatting
/// one chunk at a time keeps the memory for tokens and syntax trees to one chunk's worth.
pub fn emit_chunks(api: &Api) -> impl Iterator<Item = TokenStream> + '_ {
    let with = serde_impls::WithTypes::collect(api);
    let types = (0..api.types.len())
        .step_by(TYPES_PER_CHUNK)
        .map(|start| Chunk::Types(start..(start + TYPES_PER_CHUNK).min(api.types.len())));
    let plan = std::iter::once(Chunk::Preamble)
        .chain(types)
        .chain(std::iter::once(Chunk::HubMethods))
        .chain((0..api.resources.len()).map(Chunk::Resource));
    let context = Context { api, depth: 0 };
    plan.map(move |chunk| match chunk {
        Chunk::Preamble => {
            let mut out = hub(api);
            out.extend(scopes(api));
            // A document may have schemas only.
            if api.all_methods().next().is_some() {
                out.extend(method_call(api));
            }
            if api
                .types
                .iter()
                .any(|def| def.used && matches!(def.kind, TypeKind::Struct(_)))
            {
                out.extend(with.module());
            }
            out
        }
        Chunk::Types(range) => api.types[range]
            .iter()
            .filter(|def| def.used)
            .map(|def| schemas::type_def(&context, &with, def))
            .collect(),
        Chunk::HubMethods => resources::methods_of(&context, &api.methods, &[]),
        Chunk::Resource(index) => resources::module(&context, &api.resources[index]),
    })
}

/// Where code is being emitted: the API, and how deep in resource modules.
#[derive(Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) api: &'a Api,
    /// 0 for the top-level module, 1 in a top-level resource's module, …
    pub(crate) depth: usize,
}

impl Context<'_> {
    /// `super::super::` as deep as the current module.
    pub(crate) fn up(&self) -> TokenStream {
        let mut out = TokenStream::new();
        for _ in 0..self.depth {
            out.extend(quote!(super::));
        }
        out
    }

    pub(crate) fn nested(&self) -> Self {
        Context {
            api: self.api,
            depth: self.depth + 1,
        }
    }

    /// A top-level type, as named from the current module.
    pub(crate) fn type_path(&self, id: TypeId) -> TokenStream {
        let up = self.up();
        let name = ident(&self.api.types[id].name);
        quote!(#up #name)
    }

    /// The Rust type of a field (inside its `Option`).
    pub(crate) fn rust_type(&self, ty: &Type) -> TokenStream {
        match ty {
            Type::Scalar(scalar) => scalar_type(*scalar),
            Type::Any => quote!(::discogen_runtime::serde_json::Value),
            Type::Vec(inner) => {
                let inner = self.rust_type(inner);
                quote!(::std::vec::Vec<#inner>)
            }
            Type::Map(inner) => {
                let inner = self.rust_type(inner);
                quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
            }
            Type::Named(id) => self.type_path(*id),
        }
    }
}

fn scalar_type(scalar: Scalar) -> TokenStream {
    match scalar {
        Scalar::String => quote!(::std::string::String),
        Scalar::Bool => quote!(bool),
        Scalar::I32 => quote!(i32),
        Scalar::U32 => quote!(u32),
        Scalar::I64 => quote!(i64),
        Scalar::U64 => quote!(u64),
        Scalar::F64 => quote!(f64),
        Scalar::F32 => quote!(f32),
        Scalar::Bytes => quote!(::std::vec::Vec<u8>),
        Scalar::DateTime => quote!(::discogen_runtime::types::DateTime),
        Scalar::Date => quote!(::discogen_runtime::types::Date),
        Scalar::Duration => quote!(::discogen_runtime::types::Duration),
        Scalar::FieldMask => quote!(::discogen_runtime::types::FieldMask),
    }
}

/// An identifier from a resolved name (`r#type` becomes a raw identifier).
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// Doc attributes for an optional description, with a fallback so every public item has one.
pub(crate) fn doc_or(text: Option<&str>, fallback: impl FnOnce() -> String) -> TokenStream {
    let docs = text.map(doc_attrs).unwrap_or_default();
    if docs.is_empty() {
        doc_attrs(&fallback())
    } else {
        docs
    }
}

fn hub(api: &Api) -> TokenStream {
    let hub = ident(&api.hub);
    let doc = doc_or(api.description.as_deref(), || {
        format!("The {} client.", api.title)
    });
    let summary = format!(
        " The hub of the {} ({} {}): `{}::builder()` makes one; its methods reach every resource.",
        one_line(&api.title),
        one_line(&api.name),
        one_line(&api.version),
        api.hub
    );
    let Api {
        name,
        version,
        root_url,
        service_path,
        batch_path,
        ..
    } = api;
    let accessors = api.resources.iter().map(resources::accessor);
    let methods = resources::constructors(&Context { api, depth: 0 }, &api.methods, &[]);
    quote! {
        #doc
        #[doc = ""]
        #[doc = #summary]
        #[derive(Clone, Debug)]
        pub struct #hub { client: ::discogen_runtime::Client }

        /// The API's name, version and URLs, from its Discovery document.
        pub const API: ::discogen_runtime::ApiInfo = ::discogen_runtime::ApiInfo {
            name: #name,
            version: #version,
            root_url: #root_url,
            service_path: #service_path,
            batch_path: #batch_path,
        };

        impl #hub {
            /// Configures a client (auth, root URL, retries, …) and builds the hub.
            #[inline]
            pub fn builder() -> ::discogen_runtime::ClientBuilder<Self> { ::discogen_runtime::ClientBuilder::new(&API) }
            /// The hub over an existing client (which must have been built for [`API`]).
            #[inline]
            pub fn new(client: ::discogen_runtime::Client) -> Self { Self { client } }
            /// The client every call goes through.
            #[inline]
            pub fn client(&self) -> &::discogen_runtime::Client { &self.client }
            /// A new, empty batch: queue calls into it, then execute it.
            #[inline]
            pub fn new_batch<'a>(&self) -> ::discogen_runtime::Batch<'a> { self.client.new_batch() }
            #(#accessors)*
            #methods
        }

        impl ::std::convert::From<::discogen_runtime::Client> for #hub {
            #[inline]
            fn from(client: ::discogen_runtime::Client) -> Self { Self { client } }
        }
    }
}

/// The generic request builder: every method's builder (`GetCall`) is an alias of it, so what
/// all builders share (global parameters, conditional headers, `send`, `queue`) is compiled
/// once rather than once per method.
fn method_call(api: &Api) -> TokenStream {
    let method_call = ident(&api.method_call);
    let context = Context { api, depth: 0 };
    let setters = api.global_params.iter().map(|param| {
        // `self::`: the global enums are named from inside `impl<M, T>`, where a type called
        // `M` or `T` would be shadowed.
        let ty = match param.ty {
            crate::resolve::ParamType::TopEnum(id) if !param.repeated => {
                let name = ident(&api.types[id].name);
                quote!(self::#name)
            }
            _ => resources::argument_type(&context, param, &[]),
        };
        resources::setter(param, &ty, TokenStream::new())
    });
    let result =
        quote!(::std::result::Result<::discogen_runtime::Response<T>, ::discogen_runtime::Error>);
    quote! {
        /// A request builder: `M` marks the method, `T` is its response type. Each method's
        /// builder (e.g. `GetCall`) is an alias of it with its own setters added.
        #[must_use = "a request does nothing until it is sent or queued"]
        pub struct #method_call<M, T> {
            call: ::discogen_runtime::Call<T>,
            method: ::std::marker::PhantomData<fn() -> M>,
        }

        impl<M, T> ::std::fmt::Debug for #method_call<M, T> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { self.call.fmt(f) }
        }

        impl<M, T: ::discogen_runtime::serde::de::DeserializeOwned + 'static> #method_call<M, T> {
            fn wrap(call: ::discogen_runtime::Call<T>) -> Self { Self { call, method: ::std::marker::PhantomData } }
            #(#setters)*
            /// Sends `If-Match`: the call only succeeds if the resource's current ETag matches.
            pub fn if_match(mut self, etag: &str) -> Self {
                self.call.set_header(::discogen_runtime::http::header::IF_MATCH, etag);
                self
            }
            /// Sends `If-None-Match`: the answer is `Error::NotModified` if the ETag still matches.
            pub fn if_none_match(mut self, etag: &str) -> Self {
                self.call.set_header(::discogen_runtime::http::header::IF_NONE_MATCH, etag);
                self
            }
            /// Sends the call alone.
            pub fn send(self) -> impl ::std::future::Future<Output = #result> {
                self.call.send()
            }
            /// Queues the call into `batch`; `callback` runs once with its result.
            pub fn queue<'a, F>(self, batch: &mut ::discogen_runtime::Batch<'a>, callback: F) -> ::std::result::Result<::discogen_runtime::RequestId, ::discogen_runtime::Error>
            where
                F: ::std::ops::FnOnce(&str, #result) + ::std::marker::Send + 'a,
            {
                self.call.queue(batch, callback)
            }
            /// Queues the call into `batch` under `request_id` (unique in the batch).
            pub fn queue_with_id<'a, F>(self, batch: &mut ::discogen_runtime::Batch<'a>, request_id: impl ::std::convert::Into<::std::string::String>, callback: F) -> ::std::result::Result<::discogen_runtime::RequestId, ::discogen_runtime::Error>
            where
                F: ::std::ops::FnOnce(&str, #result) + ::std::marker::Send + 'a,
            {
                self.call.queue_with_id(batch, request_id, callback)
            }
            /// The underlying call.
            pub fn into_call(self) -> ::discogen_runtime::Call<T> { self.call }
        }
    }
}

fn scopes(api: &Api) -> TokenStream {
    let constants = api.scopes.iter().map(|scope| {
        let name = ident(&scope.name);
        let url = &scope.url;
        let doc = doc_or(scope.description.as_deref(), || code_span(url));
        quote!(#doc pub const #name: &str = #url;)
    });
    let module = ident(SCOPES_MODULE);
    quote! {
        /// OAuth 2.0 scopes of the API; each method lists the ones that authorize it.
        pub mod #module {
            #(#constants)*
        }
    }
}

#[cfg(test)]
mod tests;

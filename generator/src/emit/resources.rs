//! Resources: one module each, with the resource struct, one request builder per method, the
//! method's parameter enums, and the nested resources' modules.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Context, code_span, doc_or, ident, schemas};
use crate::resolve::{
    Method, Paging, Param, ParamType, PathPiece, Resource, SCOPES_MODULE, ScopeRef, TypeDef, unraw,
};

/// Setter names clippy::should_implement_trait takes for operator methods.
const OPERATOR_NAMES: &[&str] = &[
    "add", "sub", "mul", "div", "rem", "shl", "shr", "bitand", "bitor", "bitxor",
];

/// `pub mod animals { … }` for a resource, emitted from its parent's context.
pub(crate) fn module(parent: &Context<'_>, resource: &Resource) -> TokenStream {
    let context = parent.nested();
    let module_name = ident(&resource.module);
    let struct_name = ident(&resource.struct_name);
    let module_doc = format!(
        " The {} resource: its resource struct and request builders.",
        code_span(&resource.wire)
    );
    let struct_doc = format!(
        " The {} resource; its methods make request builders.",
        code_span(&resource.wire)
    );
    let accessors = resource.resources.iter().map(accessor);
    let constructors = constructors(&context, &resource.methods, &resource.types);
    let builders = methods_of(&context, &resource.methods, &resource.types);
    // Parameter enums only: no structs, so no `with` types.
    let no_structs = schemas::WithTypes::default();
    let enums = resource
        .types
        .iter()
        .filter(|def| def.used)
        .map(|def| schemas::type_def(&context, &no_structs, def));
    let submodules = resource.resources.iter().map(|sub| module(&context, sub));
    quote! {
        #[doc = #module_doc]
        pub mod #module_name {
            #[doc = #struct_doc]
            #[derive(Clone, Debug)]
            pub struct #struct_name { client: ::discogen_runtime::Client }
            impl #struct_name {
                #[inline]
                pub(super) fn new(client: &::discogen_runtime::Client) -> Self { Self { client: client.clone() } }
                #constructors
                #(#accessors)*
            }
            #builders
            #(#enums)*
            #(#submodules)*
        }
    }
}

/// The method that reaches a child resource (`hub.animals()`), on the hub or the parent's
/// resource struct.
pub(crate) fn accessor(resource: &Resource) -> TokenStream {
    let accessor = ident(&resource.accessor);
    let module = ident(&resource.module);
    let struct_name = ident(&resource.struct_name);
    let doc = format!(" The {} resource.", code_span(&resource.wire));
    quote! {
        #[doc = #doc]
        #[inline]
        pub fn #accessor(&self) -> #module::#struct_name { #module::#struct_name::new(&self.client) }
    }
}

/// The methods that start each request builder (on a resource struct or the hub).
pub(crate) fn constructors(
    context: &Context<'_>,
    methods: &[Method],
    local: &[TypeDef],
) -> TokenStream {
    methods
        .iter()
        .map(|method| constructor(context, method, local))
        .collect()
}

fn constructor(context: &Context<'_>, method: &Method, local: &[TypeDef]) -> TokenStream {
    let name = ident(&method.name);
    let builder = ident(&method.builder);
    let up = context.up();
    let mut doc = doc_or(method.doc.as_deref(), || {
        format!("{}.", code_span(&method.id))
    });
    if method.deprecated {
        doc.extend(quote!(#[doc = ""] #[doc = " **Deprecated** by the API."]));
    }
    let mut arguments: Vec<TokenStream> = Vec::new();
    for param in &method.required {
        let arg = ident(&param.name);
        let ty = argument_type(context, param, local);
        arguments.push(quote!(#arg: #ty));
    }
    if let Some(request) = &method.request {
        let ty = context.rust_type(request);
        arguments.push(quote!(request: #ty));
    }
    let http_method = ident(&method.http_method);
    let id = &method.id;
    let path = expand(&method.path, method);
    let scopes_module = ident(SCOPES_MODULE);
    let scopes = method.scopes.iter().map(|scope| match scope {
        ScopeRef::Const(index) => {
            let constant = ident(&context.api.scopes[*index].name);
            quote!(#up #scopes_module::#constant)
        }
        ScopeRef::Literal(url) => quote!(#url),
    });
    let new_call = quote! {
        ::discogen_runtime::Call::new(&self.client, ::discogen_runtime::http::Method::#http_method, #id, #path, &[#(#scopes),*])
    };
    let mut setup: Vec<TokenStream> = Vec::new();
    for param in method.required.iter().filter(|param| !param.in_path) {
        setup.push(set_query(quote!(call), param, &ident(&param.name)));
    }
    if method.request.is_some() {
        setup.push(quote!(call.json_body(&request);));
    }
    if let Some(upload) = &method.upload {
        let path = |pieces: &Option<Vec<PathPiece>>| match pieces {
            Some(pieces) => {
                let path = expand(pieces, method);
                quote!(::std::option::Option::Some(#path))
            }
            None => quote!(::std::option::Option::None),
        };
        let simple = path(&upload.simple);
        let resumable = path(&upload.resumable);
        let accept = &upload.accept;
        let max_size = match upload.max_size {
            Some(size) => quote!(::std::option::Option::Some(#size)),
            None => quote!(::std::option::Option::None),
        };
        setup.push(quote! {
            call.set_media_upload(::discogen_runtime::MediaUpload {
                simple_path: #simple, resumable_path: #resumable, accept: &[#(#accept),*], max_size: #max_size,
            });
        });
    }
    // More than 7 parameters (self included) trips clippy::too_many_arguments.
    let many = (arguments.len() >= 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let convention = self_convention(&method.name, false);
    let body = if setup.is_empty() {
        quote!(#builder::wrap(#new_call))
    } else {
        quote! {
            let mut call = #new_call;
            #(#setup)*
            #builder::wrap(call)
        }
    };
    quote! {
        #doc
        #many
        #convention
        #[inline]
        pub fn #name(&self, #(#arguments),*) -> #builder { #body }
    }
}

/// `format!("v1/{}/items", path::reserved(name))`, or a plain `String` without parameters.
fn expand(pieces: &[PathPiece], method: &Method) -> TokenStream {
    let mut template = String::new();
    let mut values = Vec::new();
    for piece in pieces {
        match piece {
            PathPiece::Literal(text) => {
                template.push_str(&text.replace('{', "{{").replace('}', "}}"))
            }
            PathPiece::Param { index, reserved } => {
                template.push_str("{}");
                let param = &method.required[*index];
                let arg = ident(&param.name);
                let value = match param.ty {
                    ParamType::String => quote!(#arg),
                    ParamType::TopEnum(_) | ParamType::LocalEnum(_) => quote!(#arg.as_str()),
                    _ => quote!(&#arg.to_string()),
                };
                values.push(if *reserved {
                    quote!(::discogen_runtime::path::reserved(#value))
                } else {
                    quote!(::discogen_runtime::path::segment(#value))
                });
            }
        }
    }
    if values.is_empty() {
        quote!(::std::string::String::from(#template))
    } else {
        quote!(::std::format!(#template, #(#values),*))
    }
}

/// The type of a constructor argument or setter value.
pub(crate) fn argument_type(
    context: &Context<'_>,
    param: &Param,
    local: &[TypeDef],
) -> TokenStream {
    let single = match param.ty {
        ParamType::String if param.repeated => {
            return quote!(
                impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<::std::string::String>>
            );
        }
        ParamType::String => return quote!(&str),
        ParamType::Bool => quote!(bool),
        ParamType::I32 => quote!(i32),
        ParamType::U32 => quote!(u32),
        ParamType::I64 => quote!(i64),
        ParamType::U64 => quote!(u64),
        ParamType::F64 => quote!(f64),
        ParamType::F32 => quote!(f32),
        ParamType::TopEnum(id) => context.type_path(id),
        ParamType::LocalEnum(index) => {
            let name = local.get(index).map_or("", |def| def.name.as_str());
            let name = ident(name);
            quote!(#name)
        }
    };
    if param.repeated {
        quote!(impl ::std::iter::IntoIterator<Item = #single>)
    } else {
        single
    }
}

/// A setter of the optional parameter `param` taking a `ty`, with `attrs` after its doc.
pub(crate) fn setter(param: &Param, ty: &TokenStream, attrs: TokenStream) -> TokenStream {
    let setter = ident(&param.name);
    let doc = doc_or(param.doc.as_deref(), || {
        format!("Sets {}.", code_span(&param.wire))
    });
    let set = set_query(quote!(self.call), param, &ident("value"));
    quote! {
        #doc
        #attrs
        pub fn #setter(mut self, value: #ty) -> Self { #set self }
    }
}

/// `call.set_query(…)` (or `set_query_repeated`) for a parameter held in `value`.
fn set_query(call: TokenStream, param: &Param, value: &proc_macro2::Ident) -> TokenStream {
    let wire = &param.wire;
    let is_enum = matches!(param.ty, ParamType::TopEnum(_) | ParamType::LocalEnum(_));
    match (param.ty, param.repeated) {
        (ParamType::String, false) => quote!(#call.set_query(#wire, #value);),
        (_, false) if is_enum => quote!(#call.set_query(#wire, #value.as_str());),
        (_, false) => quote!(#call.set_query(#wire, #value.to_string());),
        (ParamType::String, true) => quote!(#call.set_query_repeated(#wire, #value);),
        (_, true) => {
            quote!(#call.set_query_repeated(#wire, #value.into_iter().map(|value| value.to_string()));)
        }
    }
}

/// `#[allow(clippy::wrong_self_convention)]` (and should_implement_trait) where a generated
/// name looks like a conversion or an operator to clippy.
pub(crate) fn self_convention(name: &str, by_value: bool) -> Option<TokenStream> {
    let name = unraw(name);
    let wrong = if by_value {
        ["as_", "from_", "is_", "to_"]
            .iter()
            .any(|prefix| name.starts_with(prefix))
    } else {
        name.starts_with("from_")
            || name.starts_with("into_")
            || (name.starts_with("to_") && name.ends_with("_mut"))
    };
    let operator = by_value && OPERATOR_NAMES.contains(&name);
    match (wrong, operator) {
        (true, _) => Some(quote!(#[allow(clippy::wrong_self_convention)])),
        (false, true) => Some(quote!(#[allow(clippy::should_implement_trait)])),
        (false, false) => None,
    }
}

/// The request builders of `methods`, emitted in a module at `context`.
pub(crate) fn methods_of(
    context: &Context<'_>,
    methods: &[Method],
    local: &[TypeDef],
) -> TokenStream {
    methods
        .iter()
        .map(|method| builder(context, method, local))
        .collect()
}

fn builder(context: &Context<'_>, method: &Method, local: &[TypeDef]) -> TokenStream {
    let builder = ident(&method.builder);
    let marker = ident(&method.marker);
    let method_call = ident(&context.api.method_call);
    let up = context.up();
    let response = match &method.response {
        Some(ty) => context.rust_type(ty),
        None => quote!(()),
    };
    let doc = format!(
        " Request builder for {}: set optional parameters, then `send` it or `queue` it into a batch.",
        code_span(&method.id)
    );
    let marker_doc = format!(
        " Marks {} in [`{}`].",
        code_span(&method.id),
        method.builder
    );
    let setters: Vec<TokenStream> = method
        .optional
        .iter()
        .map(|param| {
            let ty = argument_type(context, param, local);
            let convention = self_convention(&param.name, true);
            setter(param, &ty, quote!(#convention #[inline]))
        })
        .collect();
    let upload = method.upload.as_ref().map(|_| {
        quote! {
            /// Sends the call with `media` uploaded. Single calls only: an upload cannot be
            /// queued into a batch.
            #[inline]
            pub fn upload(self, media: ::discogen_runtime::Media) -> ::discogen_runtime::Upload<#response> {
                self.call.upload(media)
            }
        }
    });
    let download = method.download.map(|use_service| {
        quote! {
            /// Downloads the media (`alt=media`) instead of the metadata. Single calls only.
            #[inline]
            pub fn download(self) -> ::discogen_runtime::Download { self.call.download(#use_service) }
        }
    });
    let paging = method
        .paging
        .as_ref()
        .map(|paging| paging_methods(context, paging, &response));
    // Only what is particular to this method; the rest is `MethodCall`'s, type-checked once.
    let particular =
        (!setters.is_empty() || upload.is_some() || download.is_some() || paging.is_some())
            .then(|| quote!(impl #builder { #(#setters)* #upload #download #paging }));
    quote! {
        #[doc = #marker_doc]
        #[derive(Debug)]
        pub enum #marker {}
        #[doc = #doc]
        pub type #builder = #up #method_call<#marker, #response>;
        #particular
    }
}

/// `pages()` and, when the page has one list of items, `items()`: a few lines each, the
/// machinery is the runtime's `Pages` and `Items`.
fn paging_methods(context: &Context<'_>, paging: &Paging, page: &TokenStream) -> TokenStream {
    let token = ident(&paging.token_field);
    let pages = quote! {
        /// Every page of the list, one request each, as a stream: it follows `nextPageToken`
        /// and ends after the last page or with the first error.
        #[inline]
        pub fn pages(self) -> ::discogen_runtime::Pages<#page> {
            ::discogen_runtime::Pages::new(self.call, |page| page.#token.as_deref())
        }
    };
    let items = paging.items.as_ref().map(|items| {
        let field = ident(&items.field);
        let item = context.rust_type(&items.item);
        let doc = format!(
            " Every item on every page (the pages' `{}`), as a stream: a page is",
            items.wire
        );
        quote! {
            #[doc = #doc]
            /// fetched when the previous one's items run out; the first error ends the stream.
            #[inline]
            pub fn items(self) -> ::discogen_runtime::Items<#page, #item> {
                self.pages().items(|page| page.#field.unwrap_or_default())
            }
        }
    });
    quote!(#pages #items)
}

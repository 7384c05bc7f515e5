//! Compact serde impls for structs: one line per field instead of serde_derive's field enum,
//! visitor, sequence visitor and per-field `with` wrappers. This is what keeps `cargo check`
//! of large APIs fast (compute.v1 has over 2,000 structs).
//!
//! Helpers shared by all structs of a file live in one private module, `serde_support`: a
//! field-name key that borrows from the input, and, for each concrete field type that needs
//! one of the runtime's `with` modules (`json::int64`, `json::float`, `json::base64`), a
//! serialize wrapper and a deserialize seed calling that module.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::schemas::with_module;
use super::{Context, ident};
use crate::resolve::{Api, Field, SERDE_SUPPORT_MODULE, TypeKind};

/// The concrete field types that need a `with` module, numbered: (type tokens, module) → index.
#[derive(Default)]
pub(crate) struct WithTypes {
    types: BTreeMap<String, (usize, TokenStream, &'static str)>,
}

impl WithTypes {
    /// Collects every field type of the used structs that needs a `with` module.
    pub(crate) fn collect(api: &Api) -> Self {
        let mut with = WithTypes::default();
        for def in api.types.iter().filter(|def| def.used) {
            if let TypeKind::Struct(fields) = &def.kind {
                for field in fields {
                    if let Some((key, ty, module)) = key(api, field) {
                        let next = with.types.len();
                        with.types.entry(key).or_insert((next, ty, module));
                    }
                }
            }
        }
        with
    }

    fn index(&self, api: &Api, field: &Field) -> Option<usize> {
        let (key, _, _) = key(api, field)?;
        self.types.get(&key).map(|(index, _, _)| *index)
    }

    /// The `serde_support` module.
    pub(crate) fn module(&self) -> TokenStream {
        let support = ident(SERDE_SUPPORT_MODULE);
        let wrappers = self.types.values().map(|(index, ty, module)| {
            let ser = format_ident!("Ser{}", index);
            let de = format_ident!("De{}", index);
            let module: syn::Path = syn::parse_str(module).unwrap_or_else(|_| syn::parse_quote!(invalid));
            quote! {
                pub(super) struct #ser<'a>(pub(super) &'a ::std::option::Option<#ty>);
                impl ::discogen_runtime::serde::Serialize for #ser<'_> {
                    fn serialize<S: ::discogen_runtime::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                        #module::serialize(self.0, serializer)
                    }
                }
                pub(super) struct #de;
                impl<'de> ::discogen_runtime::serde::de::DeserializeSeed<'de> for #de {
                    type Value = ::std::option::Option<#ty>;
                    fn deserialize<D: ::discogen_runtime::serde::Deserializer<'de>>(self, deserializer: D) -> ::std::result::Result<Self::Value, D::Error> {
                        #module::deserialize(deserializer)
                    }
                }
            }
        });
        quote! {
            /// serde helpers shared by the structs of this module.
            mod #support {
                /// A field name, borrowed from the input when it has no escapes.
                pub(super) struct Key<'de>(pub(super) ::std::borrow::Cow<'de, str>);
                impl<'de> ::discogen_runtime::serde::Deserialize<'de> for Key<'de> {
                    fn deserialize<D: ::discogen_runtime::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                        deserializer.deserialize_str(KeyVisitor)
                    }
                }
                struct KeyVisitor;
                impl<'de> ::discogen_runtime::serde::de::Visitor<'de> for KeyVisitor {
                    type Value = Key<'de>;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str("a field name") }
                    fn visit_borrowed_str<E: ::discogen_runtime::serde::de::Error>(self, value: &'de str) -> ::std::result::Result<Key<'de>, E> {
                        ::std::result::Result::Ok(Key(::std::borrow::Cow::Borrowed(value)))
                    }
                    fn visit_str<E: ::discogen_runtime::serde::de::Error>(self, value: &str) -> ::std::result::Result<Key<'de>, E> {
                        ::std::result::Result::Ok(Key(::std::borrow::Cow::Owned(value.to_owned())))
                    }
                    fn visit_string<E: ::discogen_runtime::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<Key<'de>, E> {
                        ::std::result::Result::Ok(Key(::std::borrow::Cow::Owned(value)))
                    }
                }
                #(#wrappers)*
            }
        }
    }
}

/// For a field that needs a `with` module: its key in [`WithTypes`] (module and type), its
/// type as named from `serde_support`, and the module.
fn key(api: &Api, field: &Field) -> Option<(String, TokenStream, &'static str)> {
    let module = with_module(api, &field.ty, 0)?;
    let ty = Context { api, depth: 1 }.rust_type(&field.ty);
    Some((format!("{module} {ty}"), ty, module))
}

/// `Serialize` and `Deserialize` for the struct `name` with `fields`.
/// Generic parameters and the local visitor are named `__S`, `__D`, `__A`, `__Visitor`: no
/// generated type name starts with two underscores, so a schema called `S` or `Visitor` is
/// never shadowed.
pub(crate) fn struct_impls(
    context: &Context<'_>,
    with: &WithTypes,
    name: &str,
    fields: &[Field],
) -> TokenStream {
    let type_name = ident(name);
    let support = ident(SERDE_SUPPORT_MODULE);
    let mut serialize = Vec::with_capacity(fields.len());
    let mut deserialize = Vec::with_capacity(fields.len());
    for field in fields {
        let member = ident(&field.name);
        let wire = &field.wire;
        match with.index(context.api, field) {
            Some(index) => {
                let ser = format_ident!("Ser{}", index);
                let de = format_ident!("De{}", index);
                serialize.push(quote! {
                    if self.#member.is_some() { map.serialize_entry(#wire, &#support::#ser(&self.#member))?; }
                });
                deserialize
                    .push(quote!(#wire => out.#member = map.next_value_seed(#support::#de)?,));
            }
            None => {
                serialize.push(quote! {
                    if let ::std::option::Option::Some(value) = &self.#member { map.serialize_entry(#wire, value)?; }
                });
                deserialize.push(quote!(#wire => out.#member = map.next_value()?,));
            }
        }
    }
    let expecting = format!("a JSON object ({name})");
    let (map_binding, read) = if fields.is_empty() {
        (
            quote!(map),
            quote! {
                while map.next_entry::<::discogen_runtime::serde::de::IgnoredAny, ::discogen_runtime::serde::de::IgnoredAny>()?.is_some() {}
                ::std::result::Result::Ok(#type_name {})
            },
        )
    } else {
        (
            quote!(mut map),
            quote! {
                let mut out = #type_name::default();
                while let ::std::option::Option::Some(key) = map.next_key::<#support::Key<'de>>()? {
                    match &*key.0 {
                        #(#deserialize)*
                        _ => { map.next_value::<::discogen_runtime::serde::de::IgnoredAny>()?; }
                    }
                }
                ::std::result::Result::Ok(out)
            },
        )
    };
    quote! {
        impl ::discogen_runtime::serde::Serialize for #type_name {
            fn serialize<__S: ::discogen_runtime::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                use ::discogen_runtime::serde::ser::SerializeMap as _;
                let #map_binding = serializer.serialize_map(::std::option::Option::None)?;
                #(#serialize)*
                map.end()
            }
        }
        impl<'de> ::discogen_runtime::serde::Deserialize<'de> for #type_name {
            fn deserialize<__D: ::discogen_runtime::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                struct __Visitor;
                impl<'de> ::discogen_runtime::serde::de::Visitor<'de> for __Visitor {
                    type Value = #type_name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(#expecting) }
                    fn visit_map<__A: ::discogen_runtime::serde::de::MapAccess<'de>>(self, mut map: __A) -> ::std::result::Result<#type_name, __A::Error> {
                        #read
                    }
                }
                deserializer.deserialize_map(__Visitor)
            }
        }
    }
}

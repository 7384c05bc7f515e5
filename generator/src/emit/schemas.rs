//! Schemas: structs of optional fields with serde derives, string enums with a catch-all,
//! aliases and newtypes.

use proc_macro2::TokenStream;
use quote::quote;

pub(crate) use super::serde_impls::WithTypes;
use super::serde_impls::struct_impls;
use super::{Context, code_span, doc_attrs, doc_or, ident};
use crate::resolve::{Api, Field, Scalar, Type, TypeDef, TypeKind, Variant};

/// The items of one type definition.
pub(crate) fn type_def(context: &Context<'_>, with: &WithTypes, def: &TypeDef) -> TokenStream {
    let name = ident(&def.name);
    let doc = doc_or(def.doc.as_deref(), || {
        format!("The `{}` type of the API.", def.name)
    });
    match &def.kind {
        TypeKind::Struct(fields) => {
            let members = fields.iter().map(|field| struct_field(context, field));
            let impls = struct_impls(context, with, &def.name, fields);
            quote! {
                #doc
                #[derive(Clone, Debug, Default, PartialEq)]
                pub struct #name { #(#members)* }
                #impls
            }
        }
        TypeKind::Enum(variants) => string_enum(&def.name, doc, variants),
        TypeKind::Alias(ty) => {
            let ty = context.rust_type(ty);
            quote!(#doc pub type #name = #ty;)
        }
        TypeKind::Newtype(ty) => {
            let ty = context.rust_type(ty);
            quote! {
                #doc
                #[derive(Clone, Debug, Default, PartialEq, ::discogen_runtime::serde::Serialize, ::discogen_runtime::serde::Deserialize)]
                #[serde(crate = "::discogen_runtime::serde", transparent)]
                pub struct #name(pub #ty);
            }
        }
    }
}

fn struct_field(context: &Context<'_>, field: &Field) -> TokenStream {
    let name = ident(&field.name);
    let doc = doc_or(field.doc.as_deref(), || code_span(&field.wire));
    let mut ty = context.rust_type(&field.ty);
    if field.boxed {
        ty = quote!(::std::boxed::Box<#ty>);
    }
    quote! {
        #doc
        pub #name: ::std::option::Option<#ty>,
    }
}

/// The runtime's serde `with` module a field needs: int64 and float values travel as strings
/// (also inside arrays and maps), bytes as base64. Aliases are looked through.
pub(crate) fn with_module(api: &Api, ty: &Type, depth: usize) -> Option<&'static str> {
    match ty {
        Type::Scalar(Scalar::I64 | Scalar::U64) => Some("::discogen_runtime::json::int64"),
        Type::Scalar(Scalar::F64 | Scalar::F32) => Some("::discogen_runtime::json::float"),
        Type::Scalar(Scalar::Bytes) => Some("::discogen_runtime::json::base64"),
        Type::Vec(inner) | Type::Map(inner) => with_module(api, inner, depth),
        // Alias chains are acyclic (cycles became newtypes); the depth bound is a safety net.
        Type::Named(id) if depth < 64 => match &api.types[*id].kind {
            TypeKind::Alias(inner) => with_module(api, inner, depth + 1),
            _ => None,
        },
        _ => None,
    }
}

/// A string enum: unit variants, `Unknown(String)`, and small hand-written impls (no derive of
/// serde: the wire value is the variant's string).
fn string_enum(name: &str, doc: TokenStream, variants: &[Variant]) -> TokenStream {
    let type_name = ident(name);
    let variant_names: Vec<_> = variants.iter().map(|v| ident(&v.name)).collect();
    let wires: Vec<&str> = variants.iter().map(|v| v.wire.as_str()).collect();
    let docs = variants
        .iter()
        .map(|v| doc_or(v.doc.as_deref(), || code_span(&v.wire)));
    // clippy::enum_variant_names fires when variants start or end with the enum's name.
    let allow = variants
        .iter()
        .any(|v| v.name.starts_with(name) || v.name.ends_with(name))
        .then(|| quote!(#[allow(clippy::enum_variant_names)]));
    let (as_str, from_str) = if variants.is_empty() {
        (
            quote!(let Self::Unknown(value) = self; value),
            quote!(Self::Unknown(value.to_owned())),
        )
    } else {
        (
            quote!(match self { #(Self::#variant_names => #wires,)* Self::Unknown(value) => value, }),
            quote!(match value { #(#wires => Self::#variant_names,)* _ => Self::Unknown(value.to_owned()), }),
        )
    };
    let unknown_doc = doc_attrs("A value this client does not know (the API may add values).");
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #allow
        pub enum #type_name {
            #(#docs #variant_names,)*
            #unknown_doc
            Unknown(::std::string::String),
        }
        impl #type_name {
            /// The value as sent on the wire.
            #[inline]
            pub fn as_str(&self) -> &str { #as_str }
        }
        impl ::std::convert::From<&str> for #type_name {
            #[inline]
            fn from(value: &str) -> Self { #from_str }
        }
        impl ::std::fmt::Display for #type_name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.as_str()) }
        }
        impl ::discogen_runtime::serde::Serialize for #type_name {
            fn serialize<__S: ::discogen_runtime::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::discogen_runtime::serde::Deserialize<'de> for #type_name {
            fn deserialize<__D: ::discogen_runtime::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                ::discogen_runtime::json::deserialize_enum(deserializer)
            }
        }
    }
}

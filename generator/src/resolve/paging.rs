//! Which methods page, and what their items are.
//!
//! A method pages when it has a `pageToken` query parameter (a single string) and its response
//! is an object with a string `nextPageToken`. Its items are the response's one list of
//! objects; failing that, its one list of anything, not counting the `unreachable…` lists of
//! AIP-217 (the locations that did not answer). In the 607 documents of the corpus this picks
//! `items`, `files`, `operations` (beside `unreachable`), `items` of storage's objects (beside
//! `prefixes`) and `logNames` (strings), and gives no item stream to the responses with two
//! lists of objects (calendar's events beside `defaultReminders`) nor to compute's
//! `aggregatedList`, whose `items` is a map and whose only list is `unreachables`.

use super::{Field, Param, ParamType, Scalar, Type, TypeDef, TypeKind};

/// The query parameter that asks for a page, and the response field that names the next one.
pub(super) const PAGE_TOKEN: &str = "pageToken";
const NEXT_PAGE_TOKEN: &str = "nextPageToken";

/// How a method pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Paging {
    /// The Rust name of the response's `nextPageToken` field.
    pub token_field: String,
    /// The response's list of items, when it has one.
    pub items: Option<PageItems>,
}

/// The list of items on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageItems {
    /// The Rust name of the field.
    pub field: String,
    /// The field's name in the document.
    pub wire: String,
    /// The type of one item.
    pub item: Type,
}

/// How the method with these parameters and this response pages, if it does.
pub(super) fn paging<'p>(
    params: impl IntoIterator<Item = &'p Param>,
    response: Option<&Type>,
    types: &[TypeDef],
) -> Option<Paging> {
    let takes_token = params.into_iter().any(|param| {
        param.wire == PAGE_TOKEN
            && param.ty == ParamType::String
            && !param.repeated
            && !param.in_path
    });
    if !takes_token {
        return None;
    }
    let fields = struct_fields(response?, types)?;
    let token = fields
        .iter()
        .find(|field| field.wire == NEXT_PAGE_TOKEN && field.ty == Type::Scalar(Scalar::String))?;
    Some(Paging {
        token_field: token.name.clone(),
        items: items(fields, types),
    })
}

fn items(fields: &[Field], types: &[TypeDef]) -> Option<PageItems> {
    let lists: Vec<(&Field, &Type)> = fields
        .iter()
        .filter(|field| !field.wire.starts_with("unreachable"))
        .filter_map(|field| match &field.ty {
            Type::Vec(item) => Some((field, &**item)),
            _ => None,
        })
        .collect();
    let objects: Vec<&(&Field, &Type)> = lists
        .iter()
        .filter(|(_, item)| struct_fields(item, types).is_some())
        .collect();
    let (field, item) = match (objects.as_slice(), lists.as_slice()) {
        ([one], _) => **one,
        ([], [one]) => *one,
        _ => return None,
    };
    Some(PageItems {
        field: field.name.clone(),
        wire: field.wire.clone(),
        item: item.clone(),
    })
}

/// The fields of `ty` when it is a struct, through aliases.
fn struct_fields<'t>(ty: &Type, types: &'t [TypeDef]) -> Option<&'t [Field]> {
    let mut ty = ty;
    // Aliases of aliases are followed a bounded number of times: cycles among them are only
    // broken later (into newtypes, which are not structs).
    for _ in 0..types.len().max(1) {
        let Type::Named(id) = ty else { return None };
        match &types.get(*id)?.kind {
            TypeKind::Struct(fields) => return Some(fields),
            TypeKind::Alias(target) => ty = target,
            TypeKind::Enum(_) | TypeKind::Newtype(_) => return None,
        }
    }
    None
}

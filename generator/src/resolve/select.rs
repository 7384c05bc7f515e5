//! The selection option: keep only the chosen methods, the resources that hold them, and the
//! types they reach. Names are given before pruning, so a selection never renames anything.

use super::{Api, Method, ParamType, Resource, TypeKind};
use crate::Options;
use crate::error::{Error, Result};

pub(super) fn prune(api: &mut Api, options: &Options) -> Result<()> {
    if options.only.is_empty() {
        return Ok(());
    }
    let mut matched = vec![false; options.only.len()];
    let mut selected = |method: &Method| {
        let mut any = false;
        for (selector, hit) in options.only.iter().zip(matched.iter_mut()) {
            let prefix_of_id = method
                .id
                .strip_prefix(selector.as_str())
                .is_some_and(|rest| rest.starts_with('.'));
            if method.id == *selector || prefix_of_id {
                *hit = true;
                any = true;
            }
        }
        any
    };
    api.methods.retain(|method| selected(method));
    retain_resources(&mut api.resources, &mut selected);
    if let Some(index) = matched.iter().position(|hit| !hit) {
        return Err(Error::Options {
            document: String::new(),
            message: format!(
                "--only {:?} matches no method (give a method id or a prefix of one)",
                options.only[index]
            ),
        });
    }

    // Reachability from what is left: bodies, parameter enums.
    for def in &mut api.types {
        def.used = false;
    }
    let mut work: Vec<usize> = Vec::new();
    let enum_of = |ty: ParamType| match ty {
        ParamType::TopEnum(id) => Some(id),
        _ => None,
    };
    work.extend(
        api.global_params
            .iter()
            .filter_map(|param| enum_of(param.ty)),
    );
    for method in api.all_methods() {
        for body in method.request.iter().chain(&method.response) {
            body.named_types(true, &mut work);
        }
        work.extend(
            method
                .required
                .iter()
                .chain(&method.optional)
                .filter_map(|param| enum_of(param.ty)),
        );
    }
    while let Some(id) = work.pop() {
        if std::mem::replace(&mut api.types[id].used, true) {
            continue;
        }
        match &api.types[id].kind {
            TypeKind::Struct(fields) => fields
                .iter()
                .for_each(|field| field.ty.named_types(true, &mut work)),
            TypeKind::Alias(ty) | TypeKind::Newtype(ty) => ty.named_types(true, &mut work),
            TypeKind::Enum(_) => {}
        }
    }
    Ok(())
}

fn retain_resources(resources: &mut Vec<Resource>, selected: &mut impl FnMut(&Method) -> bool) {
    for resource in resources.iter_mut() {
        resource.methods.retain(|method| selected(method));
        retain_resources(&mut resource.resources, selected);
        // Parameter enums of dropped methods go too.
        let mut used = vec![false; resource.types.len()];
        for method in &resource.methods {
            for param in method.required.iter().chain(&method.optional) {
                if let ParamType::LocalEnum(index) = param.ty {
                    used[index] = true;
                }
            }
        }
        for (def, used) in resource.types.iter_mut().zip(used) {
            def.used = used;
        }
    }
    resources.retain(|resource| !resource.methods.is_empty() || !resource.resources.is_empty());
}

//! Reference cycles: recursive aliases become newtypes, and struct fields that refer back into
//! their own strongly connected component are boxed, so every type has a finite size.

use super::{Type, TypeDef, TypeKind};
use crate::error::{Error, Result};

pub(super) fn break_cycles(types: &mut [TypeDef]) -> Result<()> {
    // 1. `type A = Vec<A>;` is not allowed: aliases that reach themselves through other aliases
    //    (at any nesting) become newtypes.
    let alias_edges: Vec<Vec<usize>> = types
        .iter()
        .map(|def| match &def.kind {
            TypeKind::Alias(ty) => {
                let mut targets = Vec::new();
                ty.named_types(true, &mut targets);
                targets.retain(|&target| matches!(types[target].kind, TypeKind::Alias(_)));
                targets
            }
            _ => Vec::new(),
        })
        .collect();
    let components = Components::of(&alias_edges);
    for (id, def) in types.iter_mut().enumerate() {
        if components.cyclic(id, &alias_edges)
            && let TypeKind::Alias(ty) = &def.kind
        {
            def.kind = TypeKind::Newtype(ty.clone());
        }
    }

    // 2. Direct containment (not through Vec or map): box struct fields inside a cycle.
    let direct_edges: Vec<Vec<usize>> = types
        .iter()
        .map(|def| {
            let mut targets = Vec::new();
            match &def.kind {
                TypeKind::Struct(fields) => fields
                    .iter()
                    .for_each(|field| field.ty.named_types(false, &mut targets)),
                TypeKind::Alias(ty) | TypeKind::Newtype(ty) => ty.named_types(false, &mut targets),
                TypeKind::Enum(_) => {}
            }
            targets
        })
        .collect();
    let components = Components::of(&direct_edges);
    let mut holds_struct = vec![false; components.sizes.len()];
    for (id, def) in types.iter().enumerate() {
        holds_struct[components.of_node[id]] |= matches!(def.kind, TypeKind::Struct(_));
    }
    for id in 0..types.len() {
        if !components.cyclic(id, &direct_edges) {
            continue;
        }
        let component = components.of_node[id];
        if !holds_struct[component] {
            let cycle: Vec<&str> = (0..types.len())
                .filter(|&other| components.of_node[other] == component)
                .map(|member| types[member].name.as_str())
                .collect();
            return Err(Error::at(
                types[id].origin.clone(),
                format!(
                    "`$ref` cycle without an object to hold it ({})",
                    cycle.join(" → ")
                ),
            ));
        }
        if let TypeKind::Struct(fields) = &mut types[id].kind {
            for field in fields {
                if let Type::Named(target) = field.ty
                    && components.of_node[target] == component
                {
                    field.boxed = true;
                }
            }
        }
    }
    Ok(())
}

/// Strongly connected components (Tarjan, iterative: a chain of 100,000 references must not
/// overflow the stack).
pub(super) struct Components {
    pub(super) of_node: Vec<usize>,
    sizes: Vec<usize>,
}

impl Components {
    pub(super) fn of(edges: &[Vec<usize>]) -> Self {
        const UNVISITED: usize = usize::MAX;
        let n = edges.len();
        let mut index = vec![UNVISITED; n];
        let mut low = vec![0; n];
        let mut on_stack = vec![false; n];
        let mut stack = Vec::new();
        let mut of_node = vec![0; n];
        let mut sizes = Vec::new();
        let mut next_index = 0;
        // (node, position of the next edge to look at)
        let mut frames: Vec<(usize, usize)> = Vec::new();
        for root in 0..n {
            if index[root] != UNVISITED {
                continue;
            }
            frames.push((root, 0));
            while let Some(&mut (node, ref mut next_edge)) = frames.last_mut() {
                if *next_edge == 0 && index[node] == UNVISITED {
                    index[node] = next_index;
                    low[node] = next_index;
                    next_index += 1;
                    stack.push(node);
                    on_stack[node] = true;
                }
                if let Some(&target) = edges[node].get(*next_edge) {
                    *next_edge += 1;
                    if index[target] == UNVISITED {
                        frames.push((target, 0));
                    } else if on_stack[target] {
                        low[node] = low[node].min(index[target]);
                    }
                    continue;
                }
                frames.pop();
                if let Some(&(parent, _)) = frames.last() {
                    low[parent] = low[parent].min(low[node]);
                }
                if low[node] == index[node] {
                    let component = sizes.len();
                    let mut size = 0;
                    while let Some(member) = stack.pop() {
                        on_stack[member] = false;
                        of_node[member] = component;
                        size += 1;
                        if member == node {
                            break;
                        }
                    }
                    sizes.push(size);
                }
            }
        }
        Components { of_node, sizes }
    }

    /// Whether `node` is on a cycle: its component has several nodes, or it refers to itself.
    pub(super) fn cyclic(&self, node: usize, edges: &[Vec<usize>]) -> bool {
        self.sizes[self.of_node[node]] > 1 || edges[node].contains(&node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_find_cycles_of_any_length() {
        // 0 → 1 → 2 → 0, 3 → 3, 4 → 0, 5 alone
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![0], vec![]];
        let components = Components::of(&edges);
        assert_eq!(components.of_node[0], components.of_node[1]);
        assert_eq!(components.of_node[1], components.of_node[2]);
        assert_ne!(components.of_node[0], components.of_node[4]);
        assert!((0..4).all(|node| components.cyclic(node, &edges)));
        assert!(!components.cyclic(4, &edges));
        assert!(!components.cyclic(5, &edges));
    }

    #[test]
    fn long_chains_do_not_overflow_the_stack() {
        let n = 200_000;
        let edges: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n]).collect();
        let components = Components::of(&edges);
        assert!(components.cyclic(0, &edges));
        assert!(
            components
                .of_node
                .iter()
                .all(|&c| c == components.of_node[0])
        );
    }
}

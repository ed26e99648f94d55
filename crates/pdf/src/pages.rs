//! The page tree, walked with its inherited attributes, cycle checks and a depth bound.
//! A document whose tree is unreadable falls back to its page objects in object order.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::budget::{Budget, Stop};
use crate::objects::{get, get_dict, get_int, rect, resolve};

pub(crate) struct Page<'a> {
    pub(crate) dict: &'a Dictionary,
    pub(crate) resources: Option<&'a Dictionary>,
    pub(crate) media_box: [f64; 4],
    /// Clockwise rotation in quarter turns.
    pub(crate) rotate: u8,
}

#[derive(Clone, Copy)]
struct Inherited<'a> {
    resources: Option<&'a Dictionary>,
    media_box: Option<[f64; 4]>,
    rotate: Option<i64>,
}

pub(crate) fn collect<'a>(doc: &'a Document, budget: &mut Budget) -> Result<Vec<Page<'a>>, Stop> {
    let mut pages = Vec::new();
    let root = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|r| crate::objects::as_dict(doc, r))
        .and_then(|catalog| get(doc, catalog, b"Pages"));
    if let Some(root) = root {
        let mut seen = HashSet::new();
        let inherited = Inherited {
            resources: None,
            media_box: None,
            rotate: None,
        };
        walk(doc, root, inherited, 0, &mut seen, &mut pages, budget)?;
    }
    if pages.is_empty() {
        // The tree is missing or broken: take every page object, in object order, as
        // viewers do when they rebuild a damaged file.
        for obj in doc.objects.values() {
            if let Object::Dictionary(d) = obj
                && matches!(d.get(b"Type"), Ok(Object::Name(n)) if n == b"Page")
            {
                let inherited = Inherited {
                    resources: None,
                    media_box: None,
                    rotate: None,
                };
                pages.push(page(doc, d, inherited));
            }
        }
    }
    Ok(pages)
}

fn walk<'a>(
    doc: &'a Document,
    node_obj: &'a Object,
    inherited: Inherited<'a>,
    depth: usize,
    seen: &mut HashSet<ObjectId>,
    pages: &mut Vec<Page<'a>>,
    budget: &mut Budget,
) -> Result<(), Stop> {
    if depth > budget.limits.max_depth.max(8) * 4 {
        return Ok(());
    }
    if let Object::Reference(id) = node_obj
        && !seen.insert(*id)
    {
        return Ok(());
    }
    let Object::Dictionary(node) = resolve(doc, node_obj) else {
        return Ok(());
    };
    budget.operations(1)?;
    let here = Inherited {
        resources: get_dict(doc, node, b"Resources").or(inherited.resources),
        media_box: get(doc, node, b"MediaBox")
            .and_then(|o| rect(doc, o))
            .or(inherited.media_box),
        rotate: get_int(doc, node, b"Rotate").or(inherited.rotate),
    };
    match get(doc, node, b"Kids") {
        Some(Object::Array(kids)) => {
            for kid in kids {
                walk(doc, kid, here, depth + 1, seen, pages, budget)?;
            }
        }
        _ => {
            if !matches!(node.get(b"Type"), Ok(Object::Name(n)) if n == b"Pages") {
                pages.push(page(doc, node, here));
            }
        }
    }
    Ok(())
}

fn page<'a>(doc: &'a Document, dict: &'a Dictionary, inherited: Inherited<'a>) -> Page<'a> {
    let media_box = get(doc, dict, b"MediaBox")
        .and_then(|o| rect(doc, o))
        .or(inherited.media_box)
        .filter(|b| b[2] - b[0] > 0.0 && b[3] - b[1] > 0.0)
        .unwrap_or([0.0, 0.0, 612.0, 792.0]);
    let rotate = get_int(doc, dict, b"Rotate")
        .or(inherited.rotate)
        .unwrap_or(0);
    Page {
        dict,
        resources: get_dict(doc, dict, b"Resources").or(inherited.resources),
        media_box,
        rotate: (rotate.rem_euclid(360) / 90) as u8,
    }
}

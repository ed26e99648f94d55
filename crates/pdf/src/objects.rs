//! Small, total accessors over lopdf objects: every lookup of a missing, dangling or
//! ill-typed entry yields `None` rather than an error, which is what a text extractor wants
//! from a damaged file.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

static NULL: Object = Object::Null;

/// Chains of references longer than this are treated as broken (and cannot loop forever).
const MAX_HOPS: usize = 32;

/// Follows references to the object they name.
pub(crate) fn resolve<'a>(doc: &'a Document, mut obj: &'a Object) -> &'a Object {
    for _ in 0..MAX_HOPS {
        match obj {
            Object::Reference(id) => match doc.objects.get(id) {
                Some(o) => obj = o,
                None => return &NULL,
            },
            _ => return obj,
        }
    }
    &NULL
}

/// The object id a (possibly indirect) object was reached through, if any.
pub(crate) fn ref_id(obj: &Object) -> Option<ObjectId> {
    match obj {
        Object::Reference(id) => Some(*id),
        _ => None,
    }
}

pub(crate) fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    match dict.get(key) {
        Ok(o) => match resolve(doc, o) {
            Object::Null => None,
            o => Some(o),
        },
        Err(_) => None,
    }
}

pub(crate) fn as_dict<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Dictionary> {
    match resolve(doc, obj) {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub(crate) fn get_dict<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Dictionary> {
    match get(doc, dict, key)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub(crate) fn get_stream<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Stream> {
    match get(doc, dict, key)? {
        Object::Stream(s) => Some(s),
        _ => None,
    }
}

pub(crate) fn get_array<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a [Object]> {
    match get(doc, dict, key)? {
        Object::Array(a) => Some(a),
        _ => None,
    }
}

pub(crate) fn get_name<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a [u8]> {
    match get(doc, dict, key)? {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

pub(crate) fn number(doc: &Document, obj: &Object) -> Option<f64> {
    match resolve(doc, obj) {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) if r.is_finite() => Some(*r as f64),
        _ => None,
    }
}

pub(crate) fn get_number(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<f64> {
    number(doc, get(doc, dict, key)?)
}

pub(crate) fn get_int(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<i64> {
    match get(doc, dict, key)? {
        Object::Integer(i) => Some(*i),
        Object::Real(r) if r.is_finite() && r.fract() == 0.0 => Some(*r as i64),
        _ => None,
    }
}

/// A rectangle array as (x0, y0, x1, y1) with x0 <= x1 and y0 <= y1.
pub(crate) fn rect(doc: &Document, obj: &Object) -> Option<[f64; 4]> {
    let Object::Array(a) = resolve(doc, obj) else {
        return None;
    };
    if a.len() < 4 {
        return None;
    }
    let mut v = [0.0; 4];
    for (slot, o) in v.iter_mut().zip(a) {
        *slot = number(doc, o)?;
    }
    Some([
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ])
}

/// A six-number matrix array.
pub(crate) fn matrix(doc: &Document, obj: &Object) -> Option<[f64; 6]> {
    let Object::Array(a) = resolve(doc, obj) else {
        return None;
    };
    if a.len() < 6 {
        return None;
    }
    let mut m = [0.0; 6];
    for (slot, o) in m.iter_mut().zip(a) {
        *slot = number(doc, o)?;
    }
    Some(m)
}

/// Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding).
pub(crate) fn text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        // Not allowed by the standard, but written by some producers.
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes
        .iter()
        .map(|&b| crate::encoding::pdf_doc_char(b))
        .collect()
}

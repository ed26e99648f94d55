//! Document metadata: the Info dictionary, completed from the XMP packet.

use lopdf::{Document, Object};

use crate::PdfMeta;
use crate::budget::Budget;
use crate::filters;
use crate::objects::{as_dict, get, get_stream, text_string};

/// XMP packets larger than this are not read.
const MAX_XMP_BYTES: usize = 4 << 20;

pub(crate) fn read(doc: &Document, budget: &mut Budget) -> PdfMeta {
    let mut meta = PdfMeta::default();
    if let Some(info) = doc.trailer.get(b"Info").ok().and_then(|o| as_dict(doc, o)) {
        let field = |key: &[u8]| match get(doc, info, key) {
            Some(Object::String(s, _)) => Some(text_string(s)),
            _ => None,
        };
        meta.title = clean(field(b"Title"));
        meta.author = clean(field(b"Author"));
        meta.created = clean(field(b"CreationDate")).map(|d| pdf_date(&d));
        meta.modified = clean(field(b"ModDate")).map(|d| pdf_date(&d));
    }
    if meta.title.is_some()
        && meta.author.is_some()
        && meta.created.is_some()
        && meta.modified.is_some()
    {
        return meta;
    }
    let xmp = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|r| as_dict(doc, r))
        .and_then(|catalog| get_stream(doc, catalog, b"Metadata"))
        .and_then(|s| {
            let limit = budget.stream_allowance().min(MAX_XMP_BYTES);
            filters::decode_with_limit(doc, s, limit).ok()
        });
    if let Some(xmp) = xmp {
        let xmp = String::from_utf8_lossy(&xmp);
        meta.title = meta.title.or_else(|| clean(xmp_text(&xmp, "dc:title")));
        meta.author = meta.author.or_else(|| clean(xmp_text(&xmp, "dc:creator")));
        meta.created = meta
            .created
            .or_else(|| clean(xmp_text(&xmp, "xmp:CreateDate")));
        meta.modified = meta
            .modified
            .or_else(|| clean(xmp_text(&xmp, "xmp:ModifyDate")));
    }
    meta
}

fn clean(s: Option<String>) -> Option<String> {
    let s = s?;
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    (!t.is_empty()).then(|| t.to_string())
}

/// The text of an XMP property, written as an element (with `rdf:li` items, joined by
/// "; ") or as an attribute.
fn xmp_text(xmp: &str, name: &str) -> Option<String> {
    let open = format!("<{name}");
    if let Some(start) = xmp.find(&open) {
        let after = &xmp[start + open.len()..];
        if after.starts_with(['>', ' ', '\n', '\r', '\t', '/']) {
            let tag_end = after.find('>')?;
            if after[..tag_end].ends_with('/') {
                return None;
            }
            let body_start = tag_end + 1;
            let close = format!("</{name}>");
            let body_len = after[body_start..].find(&close)?;
            let body = &after[body_start..body_start + body_len];
            let items: Vec<String> = items(body, "rdf:li");
            if !items.is_empty() {
                return Some(items.join("; "));
            }
            return Some(unescape(body.trim()));
        }
    }
    let attr = format!("{name}=");
    let start = xmp.find(&attr)? + attr.len();
    let rest = &xmp[start..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let end = rest[1..].find(quote)?;
    Some(unescape(&rest[1..1 + end]))
}

fn items(body: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(gt) = after.find('>') else { break };
        let content = &after[gt + 1..];
        let Some(end) = content.find(&close) else {
            break;
        };
        let text = unescape(content[..end].trim());
        if !text.is_empty() {
            out.push(text);
        }
        rest = &content[end + close.len()..];
    }
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(semi) = tail.find(';').filter(|&k| k <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional) as ISO
/// 8601 with the precision it has; other strings are returned unchanged.
pub(crate) fn pdf_date(s: &str) -> String {
    let body = s.trim().strip_prefix("D:").unwrap_or(s.trim());
    let digits: String = body.chars().take_while(|c| c.is_ascii_digit()).collect();
    let n = digits.len();
    if n < 4 || !n.is_multiple_of(2) || n > 14 {
        return s.to_string();
    }
    let part = |i: usize| digits.get(i..i + 2).and_then(|p| p.parse::<u32>().ok());
    let year = &digits[..4];
    let (month, day, hour, minute, second) = (part(4), part(6), part(8), part(10), part(12));
    let ok = month.is_none_or(|m| (1..=12).contains(&m))
        && day.is_none_or(|d| (1..=31).contains(&d))
        && hour.is_none_or(|h| h < 24)
        && minute.is_none_or(|m| m < 60)
        && second.is_none_or(|s| s < 61);
    if !ok {
        return s.to_string();
    }
    let mut out = year.to_string();
    if let Some(m) = month {
        out.push_str(&format!("-{m:02}"));
    }
    if let Some(d) = day {
        out.push_str(&format!("-{d:02}"));
    }
    let Some(h) = hour else {
        return out;
    };
    out.push_str(&format!("T{h:02}:{:02}", minute.unwrap_or(0)));
    if let Some(sec) = second {
        out.push_str(&format!(":{sec:02}"));
    }
    let tz = &body[n..];
    let mut tz_chars = tz.chars();
    match tz_chars.next() {
        Some('Z') => out.push('Z'),
        Some(sign @ ('+' | '-')) => {
            let rest: String = tz_chars.filter(|c| c.is_ascii_digit()).collect();
            let hh = rest.get(0..2).and_then(|p| p.parse::<u32>().ok());
            let mm = rest
                .get(2..4)
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0);
            if let Some(hh) = hh.filter(|&h| h < 24)
                && mm < 60
            {
                out.push_str(&format!("{sign}{hh:02}:{mm:02}"));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            pdf_date("D:20180312101500+02'00'"),
            "2018-03-12T10:15:00+02:00"
        );
        assert_eq!(pdf_date("D:20180312101500Z"), "2018-03-12T10:15:00Z");
        assert_eq!(pdf_date("D:201803"), "2018-03");
        assert_eq!(pdf_date("20180312"), "2018-03-12");
        assert_eq!(pdf_date("D:2018131210"), "D:2018131210");
        assert_eq!(pdf_date("maanantaina"), "maanantaina");
    }

    #[test]
    fn xmp() {
        let x = r#"<x:xmpmeta><rdf:RDF><rdf:Description xmp:CreateDate="2017-05-04T10:00:00+03:00">
            <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Asiakkuus &amp; osallisuus</rdf:li></rdf:Alt></dc:title>
            <dc:creator><rdf:Seq><rdf:li>Matti Meikäläinen</rdf:li><rdf:li>Liisa</rdf:li></rdf:Seq></dc:creator>
            <xmp:ModifyDate>2017-06-01</xmp:ModifyDate></rdf:Description></rdf:RDF></x:xmpmeta>"#;
        assert_eq!(
            xmp_text(x, "dc:title").as_deref(),
            Some("Asiakkuus & osallisuus")
        );
        assert_eq!(
            xmp_text(x, "dc:creator").as_deref(),
            Some("Matti Meikäläinen; Liisa")
        );
        assert_eq!(
            xmp_text(x, "xmp:CreateDate").as_deref(),
            Some("2017-05-04T10:00:00+03:00")
        );
        assert_eq!(xmp_text(x, "xmp:ModifyDate").as_deref(), Some("2017-06-01"));
        assert_eq!(xmp_text(x, "dc:description"), None);
    }
}

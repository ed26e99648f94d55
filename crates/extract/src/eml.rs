//! E-mail messages saved as MIME files (`.eml`, RFC 5322 and 2045–2047): the subject, sender
//! and date as metadata, the text of the body as its one page, and the attached files, which
//! are materials of their own as an archive's members are.
//!
//! The parser is tolerant: mail on a drive was written by many clients, so bare LF line ends,
//! a missing closing boundary, unknown charsets and broken encodings are read as far as they
//! make sense rather than refused.

use crate::archive::Member;
use crate::html::visible_text;
use crate::text::{capped, decode};
use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Meta, Page, Picture};

pub(crate) struct Eml;

impl Extractor for Eml {
    fn format(&self) -> Format {
        Format::Eml
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        read_message(bytes, limits).map(|(doc, _)| doc)
    }
}

/// The message as a document, and the files attached to it, each as a member named by its
/// file name: both from one read.
pub(crate) fn read_message(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(Document, Vec<Member>), Error> {
    let message = read(bytes, limits)?;
    let doc = message_document(Format::Eml, message.meta, message.body, limits);
    Ok((doc, message.attachments))
}

/// A message as a document: its body, within the text limit, is its one page.
pub(crate) fn message_document(
    format: Format,
    meta: Meta,
    body: String,
    limits: &Limits,
) -> Document {
    Document {
        format,
        pages: vec![Page::new(1, capped(body, limits))],
        meta,
        damaged: None,
    }
}

/// Nesting of multiparts (and forwarded messages read as parts) followed; deeper parts are
/// left out. Real clients nest three or four levels.
const MAX_DEPTH: usize = 16;

struct Message {
    meta: Meta,
    body: String,
    attachments: Vec<Member>,
}

fn read(bytes: &[u8], limits: &Limits) -> Result<Message, Error> {
    let (headers, body) = split_head(bytes);
    if headers.is_empty() {
        return Err(Error::Corrupt(
            "not an e-mail message: no header lines at its start".into(),
        ));
    }
    let mut walk = Walk {
        limits,
        text: Vec::new(),
        calendar: Vec::new(),
        attachments: Vec::new(),
        parts: 0,
    };
    walk.part(&headers, body, 0, true)?;
    let mut attachments = walk.attachments;
    cap_sent_pictures(&mut attachments);
    name_apart(&mut attachments);
    Ok(Message {
        meta: Meta {
            title: header(&headers, "subject").filter(|s| !s.is_empty()),
            author: header(&headers, "from").map(|f| sender_name(&f)),
            created: header(&headers, "date").map(|d| iso_date(&d).unwrap_or(d)),
            modified: None,
        },
        // An invitation's event says what its body would; read it when there is no body.
        body: if walk.text.is_empty() {
            walk.calendar.join("\n\n")
        } else {
            walk.text.join("\n\n")
        },
        attachments,
    })
}

type Headers = Vec<(String, String)>;

struct Walk<'l> {
    limits: &'l Limits,
    text: Vec<String>,
    /// The text of calendar parts (meeting invitations), for a message without a body.
    calendar: Vec<String>,
    attachments: Vec<Member>,
    parts: usize,
}

impl Walk<'_> {
    /// Reads one part; `text` is false for the forms of a multipart/alternative not chosen,
    /// whose attachments are still collected (Apple Mail puts them in the HTML form only).
    fn part(
        &mut self,
        headers: &Headers,
        body: &[u8],
        depth: usize,
        text: bool,
    ) -> Result<(), Error> {
        self.parts += 1;
        if self.parts > self.limits.max_entries {
            return Err(Error::TooLarge(format!(
                "more than {} MIME parts",
                self.limits.max_entries
            )));
        }
        self.limits.check_time()?;
        let (mime, params) = content_type(headers);
        let disposition = header(headers, "content-disposition").unwrap_or_default();
        let file_name = parameter(&disposition, "filename").or_else(|| param(&params, "name"));
        let attached = disposition
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("attachment");
        if let Some(boundary) =
            param(&params, "boundary").filter(|_| mime.starts_with("multipart/"))
        {
            if depth >= MAX_DEPTH {
                return Ok(());
            }
            let children: Vec<(Headers, &[u8])> = split_parts(body, boundary.as_bytes())
                .into_iter()
                .map(split_head)
                .collect();
            if mime == "multipart/alternative" {
                // The same text in several forms: plain text reads best, HTML next.
                let rank = |(h, _): &&(Headers, &[u8])| match content_type(h).0.as_str() {
                    "text/plain" => 0,
                    "text/html" => 1,
                    m if m.starts_with("multipart/") => 2,
                    _ => 3,
                };
                let chosen = children
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, c)| rank(c))
                    .map(|(i, _)| i);
                for (i, (h, b)) in children.iter().enumerate() {
                    self.part(h, b, depth + 1, text && Some(i) == chosen)?;
                }
                return Ok(());
            }
            for (h, b) in &children {
                self.part(h, b, depth + 1, text)?;
            }
            return Ok(());
        }
        let data = transfer_decoded(headers, body);
        if data.len() as u64 > self.limits.max_part_bytes {
            return Err(Error::TooLarge(format!(
                "a MIME part of {} bytes, over the limit of {}",
                data.len(),
                self.limits.max_part_bytes
            )));
        }
        if !attached && mime == "text/calendar" {
            if text {
                let event = crate::ics::events_text(&data);
                if !event.is_empty() {
                    self.calendar.push(event);
                }
            }
            return Ok(());
        }
        let inline_text = !attached && (mime == "text/plain" || mime == "text/html");
        if inline_text {
            if !text {
                return Ok(());
            }
            let text = match param(&params, "charset") {
                Some(label) => decode_as(&data, &label),
                None => decode(&data),
            };
            let text = if mime == "text/html" {
                visible_text(&text).0
            } else {
                text.replace("\r\n", "\n")
            };
            if !text.trim().is_empty() {
                self.text.push(text.trim().to_string());
            }
            return Ok(());
        }
        let name = match (file_name, mime.as_str()) {
            (Some(name), _) => name,
            // A forwarded message without a name: called by its subject.
            (None, "message/rfc822") => {
                let (h, _) = split_head(&data);
                format!(
                    "{}.eml",
                    header(&h, "subject").unwrap_or_else(|| "viesti".into())
                )
            }
            // Unnamed images and signatures carry no text worth a material.
            _ => return Ok(()),
        };
        let shown_in_body = header(headers, "content-id").is_some();
        if is_picture(&name, &mime) && !is_sent_picture(attached, shown_in_body, data.len()) {
            return Ok(());
        }
        self.attachments.push(Member {
            name: safe_name(&name),
            bytes: Ok(data),
            cut: false,
        });
        Ok(())
    }
}

/// The header lines at the start of `bytes`, unfolded, and the body after the blank line.
fn split_head(bytes: &[u8]) -> (Headers, &[u8]) {
    let mut headers: Headers = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1);
        let line = trim_eol(&bytes[at..end]);
        if line.is_empty() {
            return (headers, &bytes[end..]);
        }
        // An mbox separator ("From sender date") before the headers of a saved message.
        if at == 0 && line.starts_with(b"From ") {
            at = end;
            continue;
        }
        if matches!(line.first(), Some(b' ' | b'\t')) {
            match headers.last_mut() {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(header_text(line).trim());
                }
                // A body that starts with an indented line: no headers at all.
                None => return (headers, bytes),
            }
        } else if let Some(colon) = line.iter().position(|&b| b == b':') {
            let name = &line[..colon];
            if name.is_empty() || !name.iter().all(|b| b.is_ascii_graphic()) {
                return (headers, &bytes[at..]);
            }
            headers.push((
                String::from_utf8_lossy(name).to_ascii_lowercase(),
                header_text(&line[colon + 1..]).trim().to_string(),
            ));
        } else {
            return (headers, &bytes[at..]);
        }
        at = end;
    }
    (headers, &bytes[bytes.len()..])
}

/// Raw header bytes: RFC 6532 allows UTF-8, and a line of UTF-8 with a damaged character
/// stays UTF-8 rather than turning into Windows-1252 mojibake whole.
fn header_text(bytes: &[u8]) -> String {
    let lossy = String::from_utf8_lossy(bytes);
    let broken = lossy.matches('\u{FFFD}').count();
    let multibyte = lossy
        .chars()
        .filter(|c| !c.is_ascii() && *c != '\u{FFFD}')
        .count();
    if broken == 0 || multibyte > 2 * broken {
        lossy.into_owned()
    } else {
        decode(bytes)
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The first header of that (lower-case) name, its encoded words decoded.
fn header(headers: &Headers, name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| encoded_words(v))
}

/// The media type, lower case, and its parameters; `text/plain` when none is given.
fn content_type(headers: &Headers) -> (String, Vec<(String, String)>) {
    let raw = headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map(|(_, v)| v.as_str())
        .unwrap_or("text/plain");
    let mut fields = split_params(raw);
    let mime = if fields.is_empty() {
        "text/plain".to_string()
    } else {
        fields.remove(0).1.to_ascii_lowercase()
    };
    (mime, fields)
}

fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// A parameter of a header value such as `attachment; filename="x.pdf"`.
fn parameter(value: &str, name: &str) -> Option<String> {
    param(&split_params(value), name)
}

/// `value; a=1; b="two; three"` as [("", value), ("a", "1"), ("b", "two; three")], names
/// lower case. RFC 2231 forms (`name*=utf-8''x`, `name*0=`, `name*1=`) are joined and
/// decoded under the plain name; RFC 2047 encoded words in values (as many clients write
/// file names) are decoded too.
fn split_params(raw: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut extended: Vec<(String, usize, bool, String)> = Vec::new();
    for (i, item) in split_unquoted(raw, ';').into_iter().enumerate() {
        let item = item.trim();
        if i == 0 {
            fields.push((String::new(), item.to_string()));
            continue;
        }
        let Some((name, value)) = item.split_once('=') else {
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        let value = unquote(value.trim());
        match name.split_once('*') {
            Some((base, rest)) => {
                let encoded = rest.ends_with('*') || rest.is_empty();
                let index = rest.trim_end_matches('*').parse().unwrap_or(0);
                extended.push((base.to_string(), index, encoded, value));
            }
            None => fields.push((name, encoded_words(&value))),
        }
    }
    extended.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut joined: Vec<(String, Vec<u8>, Option<String>)> = Vec::new();
    for (base, index, encoded, value) in extended {
        if joined.last().is_none_or(|(b, _, _)| *b != base) {
            joined.push((base, Vec::new(), None));
        }
        let Some((_, bytes, charset)) = joined.last_mut() else {
            continue;
        };
        let mut value = value.as_str();
        if encoded && index == 0 {
            // charset'language'percent-encoded
            let mut pieces = value.splitn(3, '\'');
            if let (Some(c), Some(_), Some(rest)) = (pieces.next(), pieces.next(), pieces.next()) {
                *charset = Some(c.to_string());
                value = rest;
            }
        }
        if encoded {
            bytes.extend(percent_decoded(value));
        } else {
            bytes.extend_from_slice(value.as_bytes());
        }
    }
    for (base, bytes, charset) in joined {
        let value = match charset {
            Some(label) => decode_as(&bytes, &label),
            None => decode(&bytes),
        };
        fields.retain(|(n, _)| *n != base);
        fields.push((base, value));
    }
    fields
}

/// Splits at `sep` outside double quotes.
fn split_unquoted(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn unquote(s: &str) -> String {
    match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => s.to_string(),
    }
}

/// `%XX` escapes decoded (RFC 2231 parameters, URL-encoded links); other bytes as they are.
pub(crate) fn percent_decoded(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = b.get(i + 1..i + 3).and_then(hex_pair)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn hex_pair(pair: &[u8]) -> Option<u8> {
    let digit = |c: u8| (c as char).to_digit(16);
    Some((digit(*pair.first()?)? * 16 + digit(*pair.get(1)?)?) as u8)
}

/// Text in the named charset; the drive's usual guess where the label is unknown.
fn decode_as(bytes: &[u8], label: &str) -> String {
    match encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
        // Mail that says ASCII or Latin-1 is, in practice, often Windows-1252 or UTF-8.
        Some(e) if e == encoding_rs::UTF_8 || e == encoding_rs::WINDOWS_1252 => decode(bytes),
        Some(e) => e.decode_without_bom_handling(bytes).0.into_owned(),
        None => decode(bytes),
    }
}

/// RFC 2047 encoded words (`=?utf-8?Q?Hyv=C3=A4?=`, `=?iso-8859-1?B?...?=`) decoded;
/// white space between two encoded words is dropped, as the RFC asks.
fn encoded_words(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, from) = rest.split_at(start);
        let decoded = encoded_word(from);
        match decoded {
            Some((text, used)) => {
                if !(after_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&text);
                rest = &from[used..];
                after_word = true;
            }
            None => {
                out.push_str(before);
                out.push_str("=?");
                rest = &from[2..];
                after_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One encoded word at the start of `s`: its text and how many bytes of `s` it took.
fn encoded_word(s: &str) -> Option<(String, usize)> {
    let inner = s.strip_prefix("=?")?;
    let (charset, inner) = inner.split_once('?')?;
    let (encoding, inner) = inner.split_once('?')?;
    let end = inner.find("?=")?;
    let payload = &inner[..end];
    let used = 2 + charset.len() + 1 + encoding.len() + 1 + end + 2;
    // RFC 2231 allows a language after the charset: utf-8*fi.
    let charset = charset.split('*').next().unwrap_or(charset);
    let bytes = match encoding {
        "B" | "b" => base64(payload.as_bytes()),
        "Q" | "q" => quoted_printable(payload.replace('_', " ").as_bytes()),
        _ => return None,
    };
    Some((decode_as(&bytes, charset), used))
}

/// The body after Content-Transfer-Encoding: base64 and quoted-printable decoded, anything
/// else as it stands.
fn transfer_decoded(headers: &Headers, body: &[u8]) -> Vec<u8> {
    let encoding = header(headers, "content-transfer-encoding")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match encoding.as_str() {
        "base64" => base64(body),
        "quoted-printable" => quoted_printable(body),
        _ => body.to_vec(),
    }
}

/// Base64 with white space and anything outside the alphabet skipped, and a dangling last
/// group read as far as it goes: a damaged attachment still gives its beginning.
fn base64(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in data {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Quoted-printable: `=XX` bytes, `=` at a line end joins the lines.
fn quoted_printable(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i] == b'=' {
            if let Some(v) = data.get(i + 1..i + 3).and_then(hex_pair) {
                out.push(v);
                i += 3;
                continue;
            }
            // A soft line break, with the trailing white space some clients leave.
            let mut j = i + 1;
            while matches!(data.get(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            match (data.get(j), data.get(j + 1)) {
                (Some(b'\r'), Some(b'\n')) => {
                    i = j + 2;
                    continue;
                }
                (Some(b'\n'), _) => {
                    i = j + 1;
                    continue;
                }
                _ => {}
            }
        }
        out.push(data[i]);
        i += 1;
    }
    out
}

/// The parts of a multipart body between `--boundary` lines, up to `--boundary--` or the end
/// (a message cut short keeps its parts before the cut).
fn split_parts<'a>(body: &'a [u8], boundary: &[u8]) -> Vec<&'a [u8]> {
    let mut delimiter = b"--".to_vec();
    delimiter.extend_from_slice(boundary);
    let mut parts = Vec::new();
    let mut current: Option<usize> = None;
    let mut at = 0;
    while at < body.len() {
        let end = memchr::memchr(b'\n', &body[at..]).map_or(body.len(), |i| at + i + 1);
        let line = trim_eol(&body[at..end]);
        if let Some(tail) = line.strip_prefix(delimiter.as_slice())
            && tail.iter().all(|b| matches!(b, b'-' | b' ' | b'\t'))
        {
            if let Some(start) = current {
                // The line break before a delimiter belongs to the delimiter.
                let part = &body[start..at];
                let part = part.strip_suffix(b"\n").unwrap_or(part);
                parts.push(part.strip_suffix(b"\r").unwrap_or(part));
            }
            if tail.starts_with(b"--") {
                return parts;
            }
            current = Some(end);
        }
        at = end;
    }
    if let Some(start) = current {
        parts.push(&body[start..]);
    }
    parts
}

/// `"Maija Meikäläinen" <maija@example.fi>` gives Maija Meikäläinen; a bare address gives
/// the address.
fn sender_name(from: &str) -> String {
    let from = from.trim();
    match from.find('<') {
        Some(i) if !from[..i].trim().is_empty() => unquote(from[..i].trim()),
        Some(i) => from[i + 1..].trim_end_matches('>').trim().to_string(),
        None => from.to_string(),
    }
}

/// `Tue, 14 Mar 2017 10:22:05 +0200` as `2017-03-14T10:22:05+02:00`; `None` when the date
/// does not read so.
fn iso_date(date: &str) -> Option<String> {
    let date = date.split_once(',').map_or(date, |(_, d)| d);
    let mut fields = date.split_whitespace();
    let day: u32 = fields.next()?.parse().ok()?;
    let month = fields.next()?.get(..3)?.to_ascii_lowercase();
    let month = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| *m == month)?
        + 1;
    let year: u32 = fields.next()?.parse().ok()?;
    let year = match year {
        0..=49 => 2000 + year,
        50..=999 => 1900 + year,
        y => y,
    };
    let time = fields.next()?;
    let mut hms = time.split(':').map(|t| t.parse::<u32>());
    let (h, m) = (hms.next()?.ok()?, hms.next()?.ok()?);
    let s = hms.next().and_then(Result::ok).unwrap_or(0);
    if day == 0 || day > 31 || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let zone = match fields.next() {
        Some(z) if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) => {
            format!("{}:{}", &z[..3], &z[3..])
        }
        _ => "Z".into(),
    };
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}{zone}"
    ))
}

/// A file name as a member name: no folders, nothing empty.
pub(crate) fn safe_name(name: &str) -> String {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    if name.is_empty() || name == "." || name == ".." {
        "liite".into()
    } else {
        name
    }
}

/// Pictures a message carries are mostly logos, signatures and images shown in the body: no
/// text to read, and not materials a summary would list, so they are left out. See
/// [`is_sent_picture`] for those kept.
pub(crate) fn is_picture(name: &str, mime: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    mime.trim().to_ascii_lowercase().starts_with("image/")
        || matches!(
            ext.as_deref(),
            Some(
                "png"
                    | "jpg"
                    | "jpeg"
                    | "gif"
                    | "bmp"
                    | "tif"
                    | "tiff"
                    | "emf"
                    | "wmf"
                    | "heic"
                    | "webp"
            )
        )
}

/// The least size of a picture sent as a file of its own that is kept: a page photographed
/// at the lowest resolution a phone saves is larger; logos and signature images are smaller.
pub(crate) const MIN_SENT_PICTURE_BYTES: usize = 32 * 1024;

/// Whether a picture is kept as a material: attached as a file of its own (`attached`), not
/// shown in the body (no Content-ID for the body to point to), and of
/// [`MIN_SENT_PICTURE_BYTES`] or more. That is a page photographed or scanned and sent on,
/// which OCR can read.
pub(crate) fn is_sent_picture(attached: bool, shown_in_body: bool, bytes: usize) -> bool {
    attached && !shown_in_body && bytes >= MIN_SENT_PICTURE_BYTES
}

/// The most pictures of one message kept: a document photographed page by page has fewer.
/// Each picture kept is a material that OCR reads from its own copy of the message.
pub const MAX_SENT_PICTURES: usize = 20;

/// Keeps the first [`MAX_SENT_PICTURES`] pictures of a message's attachments, and all else.
pub(crate) fn cap_sent_pictures(members: &mut Vec<Member>) {
    let mut pictures = 0;
    members.retain(|m| {
        let head = m
            .bytes
            .as_deref()
            .map_or(&[][..], |b| &b[..b.len().min(16)]);
        let ext = crate::sniff::extension(&m.name);
        if !is_picture(&m.name, "") && Picture::of(head, &ext).is_none() {
            return true;
        }
        pictures += 1;
        pictures <= MAX_SENT_PICTURES
    });
}

/// Two attachments of the same name become `x.pdf` and `x (2).pdf`.
pub(crate) fn name_apart(members: &mut [Member]) {
    let mut seen = std::collections::HashSet::new();
    for m in members.iter_mut() {
        if seen.insert(m.name.clone()) {
            continue;
        }
        let (stem, ext) = match m.name.rsplit_once('.') {
            Some((s, e)) if !s.is_empty() => (s.to_string(), format!(".{e}")),
            _ => (m.name.clone(), String::new()),
        };
        let mut n = 2;
        while !seen.insert(format!("{stem} ({n}){ext}")) {
            n += 1;
        }
        m.name = format!("{stem} ({n}){ext}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default().start()
    }

    fn names(members: &[Member]) -> Vec<&str> {
        members.iter().map(|m| m.name.as_str()).collect()
    }

    const MIXED: &[u8] = b"From: =?utf-8?Q?Maija_Meik=C3=A4l=C3=A4inen?= <maija@espoo.fi>\r\n\
To: hanke@6aika.fi\r\n\
Subject: =?iso-8859-1?Q?Ty=F6paja?= =?iso-8859-1?Q?n_muistio?=\r\n\
Date: Tue, 14 Mar 2017 10:22:05 +0200\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"ulko\"\r\n\
\r\n\
This is a multi-part message in MIME format.\r\n\
--ulko\r\n\
Content-Type: multipart/alternative;\r\n\
\tboundary=\"sisa\"\r\n\
\r\n\
--sisa\r\n\
Content-Type: text/plain; charset=\"iso-8859-1\"\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Hei, liitteen=E4 ty=F6pajan muistio. Asiakasraati kokoontuu=\r\n\
\x20taas huhtikuussa.\r\n\
--sisa\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p>HTML-versio, jota ei lueta</p>\r\n\
--sisa--\r\n\
--ulko\r\n\
Content-Type: application/pdf; name=\"muistio.pdf\"\r\n\
Content-Disposition: attachment; filename*=utf-8''ty%C3%B6paja.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--ulko--\r\n";

    #[test]
    fn reads_subject_sender_date_body_and_attachment() {
        let message = read(MIXED, &limits()).expect("a message");
        assert_eq!(message.meta.title.as_deref(), Some("Työpajan muistio"));
        assert_eq!(message.meta.author.as_deref(), Some("Maija Meikäläinen"));
        assert_eq!(
            message.meta.created.as_deref(),
            Some("2017-03-14T10:22:05+02:00")
        );
        assert_eq!(
            message.body,
            "Hei, liitteenä työpajan muistio. Asiakasraati kokoontuu taas huhtikuussa."
        );
        assert_eq!(names(&message.attachments), ["työpaja.pdf"]);
        assert_eq!(
            message.attachments[0].bytes.as_deref().ok(),
            Some(b"%PDF-1.4\n".as_slice())
        );
    }

    #[test]
    fn html_only_mail_gives_its_visible_text() {
        let mail = b"Subject: Kutsu\nContent-Type: text/html; charset=utf-8\n\
Content-Transfer-Encoding: base64\n\n\
PGh0bWw+PGJvZHk+PHA+VGVydmV0dWxvYSB0ecO2cGFqYWFuPC9wPjwvYm9keT48L2h0bWw+\n";
        let message = read(mail, &limits()).expect("a message");
        assert_eq!(message.meta.title.as_deref(), Some("Kutsu"));
        assert_eq!(message.body.trim(), "Tervetuloa työpajaan");
    }

    #[test]
    fn attachments_in_the_alternative_not_read_are_kept() {
        let mail = b"Subject: Ohje\n\
Content-Type: multipart/alternative; boundary=a\n\n\
--a\n\
Content-Type: text/plain\n\n\
Teksti\n\
--a\n\
Content-Type: multipart/mixed; boundary=b\n\n\
--b\n\
Content-Type: text/html\n\n\
<p>HTML</p>\n\
--b\n\
Content-Type: application/pdf; name=ohje.pdf\n\
Content-Disposition: inline; filename=ohje.pdf\n\n\
%PDF-1.4\n\
--b--\n\
--a--\n";
        let message = read(mail, &limits()).expect("a message");
        assert_eq!(message.body, "Teksti");
        assert_eq!(names(&message.attachments), ["ohje.pdf"]);
    }

    #[test]
    fn only_pictures_sent_as_files_of_their_own_are_kept() {
        let picture = |disposition: &str, id: &str, bytes: usize| {
            let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
            jpeg.resize(bytes, 0x55);
            let mut part = format!(
                "--a\nContent-Type: image/jpeg; name=sivu.jpg\nContent-Disposition: {disposition}; \
                 filename=sivu.jpg\n{id}Content-Transfer-Encoding: 8bit\n\n"
            )
            .into_bytes();
            part.extend_from_slice(&jpeg);
            part.extend_from_slice(b"\n");
            part
        };
        let big = MIN_SENT_PICTURE_BYTES;
        let mut mail = b"Subject: Kuvat\nContent-Type: multipart/mixed; boundary=a\n\n\
--a\nContent-Type: text/plain\n\nLiitteena poytakirja kuvana.\n"
            .to_vec();
        // A page photographed and sent on: kept.
        mail.extend(picture("attachment", "", big));
        // A signature's logo, shown in the body through its Content-ID.
        mail.extend(picture("attachment", "Content-ID: <logo@a>\n", big));
        // A picture shown in the body.
        mail.extend(picture("inline", "", big));
        // A small picture: an icon.
        mail.extend(picture("attachment", "", big - 1));
        mail.extend_from_slice(b"--a--\n");
        let message = read(&mail, &limits()).expect("a message");
        assert_eq!(names(&message.attachments), ["sivu.jpg"]);
        assert_eq!(
            message.attachments[0].bytes.as_ref().map(Vec::len).ok(),
            Some(big)
        );

        // Of many, the first are kept; other attachments all.
        let mut many = b"Subject: Kuvat\nContent-Type: multipart/mixed; boundary=a\n\n".to_vec();
        for _ in 0..MAX_SENT_PICTURES + 5 {
            many.extend(picture("attachment", "", big));
        }
        many.extend_from_slice(
            b"--a\nContent-Type: text/plain\nContent-Disposition: attachment; filename=liite.txt\n\nTeksti\n--a--\n",
        );
        let (_, attachments) = read_message(&many, &limits()).expect("a message");
        let names = names(&attachments);
        assert_eq!(names.len(), MAX_SENT_PICTURES + 1);
        assert_eq!(names.last(), Some(&"liite.txt"));
        assert_eq!(names[1], "sivu (2).jpg");
    }

    #[test]
    fn a_message_cut_short_keeps_its_parts_before_the_cut() {
        let html = MIXED
            .windows(11)
            .position(|w| w == b"HTML-versio")
            .expect("the HTML part");
        let cut = &MIXED[..html + 4];
        let message = read(cut, &limits()).expect("a message");
        assert!(
            message.body.starts_with("Hei, liitteenä"),
            "{}",
            message.body
        );
    }

    #[test]
    fn an_invitation_without_a_body_gives_its_event() {
        let mail = b"Subject: Kutsu\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n\
BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY;LANGUAGE=fi-FI:Asiakasraadin ty\xc3\xb6paja\r\n\
LOCATION:Espoon kaupungintalo\\, sali 2\r\nDESCRIPTION:Ohjelma:\\nYhteiskehitt\xc3\xa4minen ja \r\n\
\x20palautteen k\xc3\xa4sittely\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let message = read(mail, &limits()).expect("a message");
        assert_eq!(
            message.body,
            "Asiakasraadin työpaja\nEspoon kaupungintalo, sali 2\nOhjelma:\nYhteiskehittäminen ja palautteen käsittely"
        );
        // Beside a body, the event is not read again.
        let both = b"Subject: Kutsu\nContent-Type: multipart/mixed; boundary=a\n\n--a\n\
Content-Type: text/plain\n\nTervetuloa\n--a\nContent-Type: text/calendar\n\n\
BEGIN:VEVENT\nSUMMARY:Tervetuloa\nEND:VEVENT\n--a--\n";
        assert_eq!(read(both, &limits()).expect("a message").body, "Tervetuloa");
    }

    #[test]
    fn text_without_headers_is_not_a_message() {
        assert!(matches!(
            read(b"\nHei vaan", &limits()),
            Err(Error::Corrupt(_))
        ));
    }

    #[test]
    fn encoded_words_and_parameters() {
        assert_eq!(
            encoded_words("=?UTF-8?B?S2VoaXR0w6RtaXM=?= =?UTF-8?B?dHnDtnBhamE=?= ja muuta"),
            "Kehittämistyöpaja ja muuta"
        );
        assert_eq!(encoded_words("ei =?rikki"), "ei =?rikki");
        assert_eq!(
            parameter(
                "attachment; filename*0*=utf-8''Loppu%20; filename*1=raportti.pdf",
                "filename"
            )
            .as_deref(),
            Some("Loppu raportti.pdf")
        );
        assert_eq!(
            parameter("inline; filename=\"a; b.txt\"", "filename").as_deref(),
            Some("a; b.txt")
        );
    }

    #[test]
    fn dates_read_as_iso_or_stay_as_written() {
        assert_eq!(
            iso_date("3 Jan 18 09:05 -0000").as_deref(),
            Some("2018-01-03T09:05:00-00:00")
        );
        assert_eq!(iso_date("eilen"), None);
    }

    #[test]
    fn attachments_of_one_name_are_told_apart() {
        let member = |name: &str| Member {
            name: name.into(),
            bytes: Ok(Vec::new()),
            cut: false,
        };
        let mut members = vec![member("a.pdf"), member("a.pdf"), member("a")];
        name_apart(&mut members);
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a.pdf", "a (2).pdf", "a"]);
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name(""), "liite");
    }
}

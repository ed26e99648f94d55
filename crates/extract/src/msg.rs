//! Outlook messages (`.msg`): an OLE2 compound file whose streams hold the message's
//! properties (MS-OXMSG). The subject, sender and dates become metadata; the plain-text body
//! is the page, or, where Outlook kept none, the HTML body or the compressed RTF body
//! (MS-OXRTFCP); attached files are materials of their own, and a message attached to the
//! message (a forward) adds its text to the body and its attached files to the message's.

use crate::archive::Member;
use crate::eml::{
    cap_sent_pictures, is_picture, is_sent_picture, message_document, name_apart, safe_name,
};
use crate::html::visible_text;
use crate::ole::{filetime_iso, read_stream, u16_at, u32_at};
use crate::text::decode;
use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Meta};
use std::io::Cursor;

pub(crate) struct Msg;

impl Extractor for Msg {
    fn format(&self) -> Format {
        Format::Msg
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
    let mut file = open(bytes)?;
    let mut members = Vec::new();
    let message = message(&mut file, "", limits, 0, Some(&mut members))?;
    cap_sent_pictures(&mut members);
    name_apart(&mut members);
    let doc = message_document(Format::Msg, message.meta, message.body, limits);
    Ok((doc, members))
}

/// The attached file in an attachment's storage, as a member; `None` where there is no file
/// (an attached message is read as a message) and for a picture not sent as a file of its
/// own.
fn attached_file(
    file: &mut File<'_>,
    storage: &str,
    limits: &Limits,
) -> Result<Option<Member>, Error> {
    let Some(data) = read_stream(
        file,
        &format!("{storage}/{}", stream(0x3701, BINARY)),
        limits,
    )?
    else {
        return Ok(None);
    };
    let name = [0x3707, 0x3704, 0x3001]
        .into_iter()
        .find_map(|id| string(file, storage, id, None, limits))
        .unwrap_or_else(|| "liite".into());
    let mime = string(file, storage, 0x370E, None, limits).unwrap_or_default();
    // PR_ATTACH_CONTENT_ID: the body shows the picture.
    let shown_in_body =
        string(file, storage, 0x3712, None, limits).is_some_and(|id| !id.is_empty());
    if is_picture(&name, &mime) && !is_sent_picture(true, shown_in_body, data.len()) {
        return Ok(None);
    }
    Ok(Some(Member {
        name: safe_name(&name),
        bytes: Ok(data),
        cut: false,
    }))
}

type File<'a> = cfb::CompoundFile<Cursor<&'a [u8]>>;

fn open(bytes: &[u8]) -> Result<File<'_>, Error> {
    let file = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| Error::Corrupt(format!("not a readable OLE2 compound file ({e})")))?;
    if !file.is_stream("/__properties_version1.0") {
        return Err(Error::MissingPart(
            "__properties_version1.0 stream of an Outlook message".into(),
        ));
    }
    Ok(file)
}

/// Property types as the stream names spell them.
const UNICODE: u16 = 0x001F;
const STRING8: u16 = 0x001E;
const BINARY: u16 = 0x0102;
const SYSTIME: u16 = 0x0040;
const LONG: u16 = 0x0003;

/// Forwards inside forwards followed this deep.
const MAX_DEPTH: usize = 8;

struct Message {
    meta: Meta,
    body: String,
}

/// The message whose streams are in the storage `base` ("" for the file's root); its attached
/// files, and those of the messages forwarded in it, go to `members` where given.
fn message(
    file: &mut File<'_>,
    base: &str,
    limits: &Limits,
    depth: usize,
    mut members: Option<&mut Vec<Member>>,
) -> Result<Message, Error> {
    limits.check_time()?;
    let properties =
        read_stream(file, &format!("{base}/__properties_version1.0"), limits)?.unwrap_or_default();
    // The fixed properties follow a header of 32 bytes at the root, 24 in an embedded message.
    let fixed = Fixed {
        bytes: &properties,
        start: if base.is_empty() { 32 } else { 24 },
    };
    // 8-bit strings are in the message's code page, else in the ANSI code page of its
    // locale; the HTML body is in the mail's internet code page (its charset).
    let internet = fixed.long(0x3FDE);
    let codepage = fixed
        .long(0x3FFD)
        .or_else(|| fixed.long(0x3FF1).map(locale_codepage))
        .or(internet);
    let mut body = string(file, base, 0x1000, codepage, limits)
        .filter(|b| !b.trim().is_empty())
        .map(|b| b.replace("\r\n", "\n"));
    if body.is_none() {
        body = html_body(file, base, internet.or(codepage), limits)?;
    }
    if body.is_none() {
        body = rtf_body(file, base, limits)?;
    }
    let mut text = vec![body.unwrap_or_default().trim().to_string()];
    for storage in attachment_storages(file, base) {
        limits.check_time()?;
        let inner = format!("{storage}/{}", stream(0x3701, 0x000D));
        if file.is_storage(&inner) {
            if depth < MAX_DEPTH {
                let forwarded = message(file, &inner, limits, depth + 1, members.as_deref_mut())?;
                text.push(forwarded.meta.title.unwrap_or_default());
                text.push(forwarded.body);
            }
        } else if let Some(members) = members.as_deref_mut() {
            if members.len() >= limits.max_entries {
                return Err(Error::TooLarge(format!(
                    "more than {} attachments",
                    limits.max_entries
                )));
            }
            members.extend(attached_file(file, &storage, limits)?);
        }
    }
    text.retain(|t| !t.trim().is_empty());
    let author = [0x0C1A, 0x0042, 0x0C1F, 0x0065]
        .into_iter()
        .find_map(|id| string(file, base, id, codepage, limits));
    Ok(Message {
        meta: Meta {
            title: string(file, base, 0x0037, codepage, limits),
            author,
            // Sent, else received, else created.
            created: [0x0039, 0x0E06, 0x3007]
                .into_iter()
                .find_map(|id| fixed.time(id)),
            modified: fixed.time(0x3008),
        },
        body: text.join("\n\n"),
    })
}

/// `__substg1.0_IIIITTTT`: the stream of property `id` of type `kind`.
fn stream(id: u16, kind: u16) -> String {
    format!("__substg1.0_{id:04X}{kind:04X}")
}

/// A string property, as UTF-16 or in the message's code page; `None` when absent or empty.
fn string(
    file: &mut File<'_>,
    base: &str,
    id: u16,
    codepage: Option<u32>,
    limits: &Limits,
) -> Option<String> {
    let text = if let Ok(Some(b)) =
        read_stream(file, &format!("{base}/{}", stream(id, UNICODE)), limits)
    {
        utf16(&b)
    } else if let Ok(Some(b)) =
        read_stream(file, &format!("{base}/{}", stream(id, STRING8)), limits)
    {
        in_codepage(&b, codepage)
    } else {
        return None;
    };
    let text = text.trim_end_matches('\0').trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn html_body(
    file: &mut File<'_>,
    base: &str,
    codepage: Option<u32>,
    limits: &Limits,
) -> Result<Option<String>, Error> {
    let html = match read_stream(file, &format!("{base}/{}", stream(0x1013, BINARY)), limits)? {
        Some(bytes) => in_codepage(&bytes, codepage),
        None => match string(file, base, 0x1013, codepage, limits) {
            Some(s) => s,
            None => return Ok(None),
        },
    };
    let text = visible_text(&html).0;
    Ok((!text.trim().is_empty()).then_some(text))
}

fn rtf_body(file: &mut File<'_>, base: &str, limits: &Limits) -> Result<Option<String>, Error> {
    let Some(compressed) =
        read_stream(file, &format!("{base}/{}", stream(0x1009, BINARY)), limits)?
    else {
        return Ok(None);
    };
    let Some(rtf) = decompress_rtf(&compressed, limits)? else {
        return Ok(None);
    };
    let doc = crate::rtf::Rtf.extract(&rtf, limits)?;
    let text = doc.text();
    Ok((!text.trim().is_empty()).then_some(text))
}

/// The storages of the attachments of the message in `base`, in their order.
fn attachment_storages(file: &File<'_>, base: &str) -> Vec<String> {
    let root = if base.is_empty() { "/" } else { base };
    let Ok(entries) = file.read_storage(root) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter(|e| e.is_storage() && e.name().starts_with("__attach_version1.0_#"))
        .map(|e| format!("{base}/{}", e.name()))
        .collect();
    names.sort();
    names
}

/// The fixed-length properties of a `__properties_version1.0` stream: entries of 16 bytes,
/// a tag (type, then id), flags, and 8 bytes of value.
struct Fixed<'a> {
    bytes: &'a [u8],
    start: usize,
}

impl Fixed<'_> {
    fn value(&self, id: u16, kind: u16) -> Option<&[u8]> {
        let mut at = self.start;
        while let Some(entry) = self.bytes.get(at..at + 16) {
            if u16_at(entry, 0) == Some(kind) && u16_at(entry, 2) == Some(id) {
                return entry.get(8..16);
            }
            at += 16;
        }
        None
    }

    fn long(&self, id: u16) -> Option<u32> {
        u32_at(self.value(id, LONG)?, 0)
    }

    fn time(&self, id: u16) -> Option<String> {
        let v = self.value(id, SYSTIME)?;
        filetime_iso(u64::from(u32_at(v, 0)?) | (u64::from(u32_at(v, 4)?) << 32))
    }
}

fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// The Windows ANSI code page of a locale (LCID), by its primary language.
fn locale_codepage(lcid: u32) -> u32 {
    match (lcid & 0x3FF, lcid) {
        // Chinese: Taiwan, Hong Kong and Macao write traditional characters.
        (0x04, 0x0404 | 0x0C04 | 0x1404) => 950,
        (0x04, _) => 936,
        (0x11, _) => 932,
        (0x12, _) => 949,
        (0x1E, _) => 874,
        (0x05 | 0x0E | 0x15 | 0x18 | 0x1B | 0x24 | 0x1C, _) | (0x1A, 0x041A) => 1250,
        (0x19 | 0x22 | 0x23 | 0x02 | 0x2F | 0x3F | 0x1A, _) => 1251,
        (0x08, _) => 1253,
        (0x1F, _) => 1254,
        (0x0D, _) => 1255,
        (0x01 | 0x29 | 0x20, _) => 1256,
        (0x25..=0x27, _) => 1257,
        (0x2A, _) => 1258,
        _ => 1252,
    }
}

/// 8-bit text in a Windows code page; the drive's usual guess when none is known.
fn in_codepage(bytes: &[u8], codepage: Option<u32>) -> String {
    let label = match codepage {
        Some(65001) => "utf-8".to_string(),
        Some(cp @ (874 | 1250..=1258)) => format!("windows-{cp}"),
        Some(cp @ 28592..=28605) => format!("iso-8859-{}", cp - 28590),
        // Outlook keeps 8-bit strings in the Windows code page of the mail's charset:
        // ISO-2022-JP mail is stored as Shift_JIS (932).
        Some(932 | 50220..=50222) => "shift_jis".into(),
        Some(936) => "gbk".into(),
        Some(949) => "euc-kr".into(),
        Some(950) => "big5".into(),
        Some(20866) => "koi8-r".into(),
        Some(21866) => "koi8-u".into(),
        Some(10000) => "macintosh".into(),
        Some(51932) => "euc-jp".into(),
        Some(54936) => "gb18030".into(),
        _ => String::new(),
    };
    let encoding = encoding_rs::Encoding::for_label(label.as_bytes());
    match encoding {
        Some(e) if e != encoding_rs::UTF_8 && e != encoding_rs::WINDOWS_1252 => {
            e.decode_without_bom_handling(bytes).0.into_owned()
        }
        _ => decode(bytes),
    }
}

/// The dictionary every compressed RTF stream starts from (MS-OXRTFCP 2.1.3.1.1).
const RTF_PREBUF: &[u8] = b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

/// The RTF of a compressed RTF stream: `LZFu` (compressed) or `MELA` (stored). `None` for any
/// other kind.
fn decompress_rtf(data: &[u8], limits: &Limits) -> Result<Option<Vec<u8>>, Error> {
    let (Some(raw_size), Some(kind)) = (u32_at(data, 4), u32_at(data, 8)) else {
        return Ok(None);
    };
    let body = data.get(16..).unwrap_or_default();
    let raw_size = raw_size as usize;
    if raw_size as u64 > limits.max_part_bytes {
        return Err(Error::TooLarge(format!(
            "compressed RTF body declares {raw_size} bytes"
        )));
    }
    match &kind.to_le_bytes() {
        b"MELA" => return Ok(Some(body[..body.len().min(raw_size)].to_vec())),
        b"LZFu" => {}
        _ => return Ok(None),
    }
    let mut dictionary = [0u8; 4096];
    dictionary[..RTF_PREBUF.len()].copy_from_slice(RTF_PREBUF);
    let mut write = RTF_PREBUF.len();
    let mut out = Vec::with_capacity(raw_size);
    let mut at = 0;
    'runs: while let Some(&control) = body.get(at) {
        at += 1;
        for bit in 0..8 {
            if out.len() >= raw_size {
                break 'runs;
            }
            if control & (1 << bit) == 0 {
                let Some(&b) = body.get(at) else {
                    break 'runs;
                };
                at += 1;
                out.push(b);
                dictionary[write] = b;
                write = (write + 1) % 4096;
                continue;
            }
            let Some(pair) = body.get(at..at + 2) else {
                break 'runs;
            };
            at += 2;
            let reference = u16::from_be_bytes([pair[0], pair[1]]);
            let offset = usize::from(reference >> 4);
            let length = usize::from(reference & 0xF) + 2;
            // A reference to the write position ends the stream.
            if offset == write {
                break 'runs;
            }
            for k in 0..length {
                let b = dictionary[(offset + k) % 4096];
                out.push(b);
                dictionary[write] = b;
                write = (write + 1) % 4096;
            }
        }
    }
    out.truncate(raw_size);
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn utf16_bytes(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    /// A fixed-property entry: tag, flags, value.
    fn entry(id: u16, kind: u16, value: [u8; 8]) -> Vec<u8> {
        let mut e = kind.to_le_bytes().to_vec();
        e.extend(id.to_le_bytes());
        e.extend(6u32.to_le_bytes());
        e.extend(value);
        e
    }

    /// A JPEG of `size` bytes (only its signature is looked at).
    fn jpeg(size: usize) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
        bytes.resize(size, 0x55);
        bytes
    }

    /// A message as Outlook lays it out, with one attached file, one forwarded message that
    /// has an attached file of its own, and two pictures.
    fn outlook_message() -> Vec<u8> {
        let mut file = match cfb::CompoundFile::create(Cursor::new(Vec::new())) {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        // 2017-03-14T08:22:05Z as a FILETIME.
        let sent: u64 = (1_489_479_725 + 11_644_473_600) * 10_000_000;
        let mut properties = vec![0u8; 32];
        properties.extend(entry(0x0039, SYSTIME, sent.to_le_bytes()));
        let mut embedded_properties = vec![0u8; 24];
        embedded_properties.extend(entry(0x3FFD, LONG, [0xE4, 0x04, 0, 0, 0, 0, 0, 0]));
        let streams: Vec<(String, Vec<u8>)> = vec![
            ("/__properties_version1.0".into(), properties),
            (
                format!("/{}", stream(0x0037, UNICODE)),
                utf16_bytes("Työpajan muistio"),
            ),
            (
                format!("/{}", stream(0x0C1A, UNICODE)),
                utf16_bytes("Maija Meikäläinen"),
            ),
            (
                format!("/{}", stream(0x1000, UNICODE)),
                utf16_bytes("Hei,\r\nliitteenä asiakasraadin muistio.\0"),
            ),
            (
                format!("/__attach_version1.0_#00000000/{}", stream(0x3707, UNICODE)),
                utf16_bytes("muistio.pdf"),
            ),
            (
                format!("/__attach_version1.0_#00000000/{}", stream(0x3701, BINARY)),
                b"%PDF-1.4\n".to_vec(),
            ),
            (
                format!(
                    "/__attach_version1.0_#00000001/{}/__properties_version1.0",
                    stream(0x3701, 0x000D)
                ),
                embedded_properties,
            ),
            (
                format!(
                    "/__attach_version1.0_#00000001/{}/{}",
                    stream(0x3701, 0x000D),
                    stream(0x0037, STRING8)
                ),
                b"VS: Kehitt\xe4mistapaaminen".to_vec(),
            ),
            (
                format!(
                    "/__attach_version1.0_#00000001/{}/{}",
                    stream(0x3701, 0x000D),
                    stream(0x1000, STRING8)
                ),
                b"Ty\xf6paja pidet\xe4\xe4n Espoossa.".to_vec(),
            ),
            (
                format!(
                    "/__attach_version1.0_#00000001/{}/__attach_version1.0_#00000000/{}",
                    stream(0x3701, 0x000D),
                    stream(0x3707, UNICODE)
                ),
                utf16_bytes("ohjelma.txt"),
            ),
            (
                format!(
                    "/__attach_version1.0_#00000001/{}/__attach_version1.0_#00000000/{}",
                    stream(0x3701, 0x000D),
                    stream(0x3701, BINARY)
                ),
                b"Ohjelma".to_vec(),
            ),
            // A page photographed and sent on, and a signature's logo that the body shows.
            (
                format!("/__attach_version1.0_#00000002/{}", stream(0x3707, UNICODE)),
                utf16_bytes("sivu.jpg"),
            ),
            (
                format!("/__attach_version1.0_#00000002/{}", stream(0x3701, BINARY)),
                jpeg(crate::eml::MIN_SENT_PICTURE_BYTES),
            ),
            (
                format!("/__attach_version1.0_#00000003/{}", stream(0x3707, UNICODE)),
                utf16_bytes("logo.jpg"),
            ),
            (
                format!("/__attach_version1.0_#00000003/{}", stream(0x3701, BINARY)),
                jpeg(crate::eml::MIN_SENT_PICTURE_BYTES),
            ),
            (
                format!("/__attach_version1.0_#00000003/{}", stream(0x3712, UNICODE)),
                utf16_bytes("logo@esimerkki.fi"),
            ),
        ];
        for (path, data) in streams {
            if let Some(parent) = std::path::Path::new(&path).parent() {
                let _ = file.create_storage_all(parent);
            }
            match file.create_stream(&path) {
                Ok(mut s) => s.write_all(&data).unwrap_or_else(|e| panic!("{e}")),
                Err(e) => panic!("{path}: {e}"),
            }
        }
        let _ = file.flush();
        file.into_inner().into_inner()
    }

    #[test]
    fn reads_subject_sender_date_body_and_forward() {
        let bytes = outlook_message();
        let doc = Msg
            .extract(&bytes, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.meta.title.as_deref(), Some("Työpajan muistio"));
        assert_eq!(doc.meta.author.as_deref(), Some("Maija Meikäläinen"));
        assert_eq!(doc.meta.created.as_deref(), Some("2017-03-14T08:22:05Z"));
        assert_eq!(
            doc.pages[0].text,
            "Hei,\nliitteenä asiakasraadin muistio.\n\nVS: Kehittämistapaaminen\n\n\
             Työpaja pidetään Espoossa."
        );
        let (_, members) =
            read_message(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        // The forwarded message's attachment is the message's too; of the pictures, the
        // one the body does not show.
        assert_eq!(names, ["muistio.pdf", "ohjelma.txt", "sivu.jpg"]);
        assert_eq!(
            members[0].bytes.as_deref().ok(),
            Some(b"%PDF-1.4\n".as_slice())
        );
    }

    #[test]
    fn an_ole_file_without_message_properties_is_refused() {
        let mut file = match cfb::CompoundFile::create(Cursor::new(Vec::new())) {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        let _ = file.create_stream("/muu");
        let bytes = file.into_inner().into_inner();
        assert!(matches!(
            Msg.extract(&bytes, &Limits::default()),
            Err(Error::MissingPart(_))
        ));
        assert!(matches!(
            Msg.extract(b"not ole", &Limits::default()),
            Err(Error::Corrupt(_))
        ));
    }

    #[test]
    fn a_locale_gives_its_ansi_code_page() {
        assert_eq!(locale_codepage(0x040B), 1252); // Finnish
        assert_eq!(locale_codepage(0x0419), 1251); // Russian
        assert_eq!(locale_codepage(0x0404), 950); // Chinese, Taiwan
        assert_eq!(locale_codepage(0x0804), 936); // Chinese, PRC
        assert_eq!(locale_codepage(0x041A), 1250); // Croatian
        assert_eq!(locale_codepage(0x0C1A), 1251); // Serbian, Cyrillic
        assert_eq!(in_codepage(b"\xe0\xe2\xf2", Some(1251)), "авт");
    }

    #[test]
    fn compressed_rtf_decompresses() {
        // MS-OXRTFCP 3.1.1's example: "{\rtf1\ansi\ansicpg1252\pard hello world}\r\n"
        // compressed with references into the initial dictionary.
        let data: [u8; 49] = [
            0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5,
            0xc7, 0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42,
            0x32, 0x0a, 0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0,
            0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f, 0xa0,
        ];
        let rtf = decompress_rtf(&data, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&rtf),
            "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
        );
    }
}

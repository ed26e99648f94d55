//! Fonts as the text layer needs them: how a shown string splits into codes, each code's
//! advance width and its Unicode text.
//!
//! The Unicode mapping follows the order viewers use: a simple font's glyph names (base
//! encoding from the font dictionary, else the embedded program's built-in encoding, else
//! the font type's default, then the Differences array) mapped through the Adobe Glyph
//! List and its naming conventions; then the ToUnicode CMap overrides every code it maps.
//! Composite fonts take ToUnicode, else the character codes of a Unicode CMap, else the
//! identity of the CIDs of any collection but the Chinese, Japanese and Korean ones.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

use crate::budget::{Budget, Stop};
use crate::cmap::CMap;
use crate::encoding::{self, BaseEncoding, Numeric};
use crate::filters;
use crate::fontfile;
use crate::objects::{
    get, get_array, get_dict, get_int, get_name, get_number, get_stream, matrix, number, resolve,
};
use crate::tables;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FontKind {
    Simple,
    Type3,
    Composite,
}

/// How codes of a composite font become CIDs and byte lengths.
#[derive(Debug)]
enum CodeMap {
    /// Two-byte codes equal to CIDs (Identity-H/V and the Unicode CMaps used as such).
    Identity2,
    Embedded(Box<CMap>),
}

#[derive(Debug)]
pub(crate) struct Font {
    pub(crate) kind: FontKind,
    /// Simple fonts: text per code.
    simple_text: Vec<Box<str>>,
    /// Simple fonts: advance per code, in text-space units per unit of font size.
    simple_widths: [f64; 256],
    code_map: CodeMap,
    to_unicode: Option<Box<CMap>>,
    /// Composite fonts without ToUnicode: read the code (Unicode CMaps) or the CID
    /// (Adobe-Identity, Adobe-UCS and unknown collections) as a Unicode scalar value.
    cid_text: CidText,
    default_width: f64,
    cid_widths: Vec<(u32, u32, f64)>,
    pub(crate) ascent: f64,
    pub(crate) descent: f64,
    /// Type 3 glyph-to-text-space matrix; the identity scaled by 1/1000 otherwise.
    pub(crate) font_matrix: [f64; 6],
    pub(crate) vertical: bool,
    /// Multiplier on the font size that pdftotext applies to Type 3 fonts, whose glyph
    /// coordinate system is arbitrary, guessed from the width of `m`.
    pub(crate) type3_size_factor: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CidText {
    None,
    Cid,
    Code,
}

/// One code of a shown string.
pub(crate) struct Glyph {
    pub(crate) bytes: usize,
    /// Advance along the writing direction per unit of font size, before Tc, Tw and Tz.
    pub(crate) width: f64,
    /// Whether word spacing applies: a single-byte code 32.
    pub(crate) word_space: bool,
}

impl Font {
    /// Splits the next code off a shown string and appends its text to `text`.
    pub(crate) fn next_glyph(&self, bytes: &[u8], text: &mut String) -> Glyph {
        match self.kind {
            FontKind::Simple | FontKind::Type3 => {
                let code = bytes[0];
                text.push_str(&self.simple_text[code as usize]);
                Glyph {
                    bytes: 1,
                    width: self.simple_widths[code as usize],
                    word_space: code == b' ',
                }
            }
            FontKind::Composite => {
                let (code, n, cid) = match &self.code_map {
                    CodeMap::Identity2 => {
                        if bytes.len() >= 2 {
                            let c = u32::from(bytes[0]) << 8 | u32::from(bytes[1]);
                            (c, 2, c)
                        } else {
                            (u32::from(bytes[0]), 1, u32::from(bytes[0]))
                        }
                    }
                    CodeMap::Embedded(cmap) => {
                        let (code, n) = cmap.next_code(bytes);
                        let cid = if cmap.has_cid_mappings() {
                            cmap.cid(code).unwrap_or(0)
                        } else {
                            code
                        };
                        (code, n, cid)
                    }
                };
                match &self.to_unicode {
                    Some(tu) => {
                        tu.unicode(code, text);
                    }
                    None => {
                        let u = match self.cid_text {
                            CidText::Cid => Some(cid),
                            CidText::Code => Some(code),
                            CidText::None => None,
                        };
                        if let Some(c) = u.and_then(char::from_u32) {
                            text.push(c);
                        }
                    }
                }
                Glyph {
                    bytes: n,
                    width: self.cid_width(cid),
                    word_space: n == 1 && code == 32,
                }
            }
        }
    }

    /// The one-byte code of a simple font whose text is `text`, if any.
    pub(crate) fn code_for(&self, text: &str) -> Option<u8> {
        if self.kind == FontKind::Composite {
            return None;
        }
        // Prefer the printable range: control codes sometimes repeat letters' text.
        (32..256usize)
            .chain(0..32)
            .find(|&c| self.simple_text.get(c).is_some_and(|t| &**t == text))
            .map(|c| c as u8)
    }

    fn cid_width(&self, cid: u32) -> f64 {
        let i = self.cid_widths.partition_point(|w| w.0 <= cid);
        match i.checked_sub(1).map(|j| self.cid_widths[j]) {
            Some((_, last, w)) if cid <= last => w,
            _ => self.default_width,
        }
    }

    pub(crate) fn load(
        doc: &Document,
        dict: &Dictionary,
        budget: &mut Budget,
    ) -> Result<Font, Stop> {
        match get_name(doc, dict, b"Subtype") {
            Some(b"Type0") => load_composite(doc, dict, budget),
            Some(b"Type3") => load_simple(doc, dict, FontKind::Type3, budget),
            _ => load_simple(doc, dict, FontKind::Simple, budget),
        }
    }
}

/// Real CMaps are well under a megabyte, and font programs a few; larger ones are skipped
/// rather than parsed.
const MAX_CMAP_BYTES: usize = 16 << 20;
const MAX_FONT_PROGRAM_BYTES: usize = 32 << 20;

/// A stream decoded for reading a font's data; streams that are undecodable or larger than
/// `cap` read as absent.
fn stream_data(
    doc: &Document,
    dict: &Dictionary,
    key: &[u8],
    cap: usize,
    budget: &mut Budget,
) -> Result<Option<Vec<u8>>, Stop> {
    let Some(stream) = get_stream(doc, dict, key) else {
        return Ok(None);
    };
    let limit = budget.stream_allowance().min(cap);
    match filters::decode_with_limit(doc, stream, limit) {
        Ok(d) => {
            budget.add_decoded(d.len())?;
            Ok(Some(d.into_owned()))
        }
        Err(_) => Ok(None),
    }
}

fn to_unicode_cmap(
    doc: &Document,
    dict: &Dictionary,
    budget: &mut Budget,
) -> Result<Option<CMap>, Stop> {
    Ok(
        stream_data(doc, dict, b"ToUnicode", MAX_CMAP_BYTES, budget)?
            .map(|data| CMap::parse(&data))
            .filter(|c| !c.is_empty_unicode()),
    )
}

/// The standard 14 fonts and the names that producers use for them.
struct Builtin {
    widths: &'static [(&'static str, u16)],
    ascent: f64,
    descent: f64,
    encoding: BaseEncoding,
}

fn builtin_by_name(name: &str) -> Option<Builtin> {
    tables::STANDARD_FONTS
        .iter()
        .find(|f| f.0 == name)
        .map(|&(n, widths, a, d)| Builtin {
            widths,
            ascent: f64::from(a) * 0.001,
            descent: f64::from(d) * 0.001,
            encoding: match n {
                "Symbol" => encoding::symbol(),
                "ZapfDingbats" => encoding::zapf_dingbats(),
                _ => encoding::standard(),
            },
        })
}

/// Maps a BaseFont name to one of the standard 14 where it names one (including the
/// TrueType names Arial, TimesNewRoman and CourierNew that writers use for them).
fn standard_font_name(base: &[u8]) -> Option<&'static str> {
    let name: String = String::from_utf8_lossy(base)
        .chars()
        .filter(|c| *c != ' ')
        .collect();
    let (family, style) = match name.find([',', '-']) {
        Some(i) => (&name[..i], &name[i + 1..]),
        None => (name.as_str(), ""),
    };
    let family = family
        .trim_end_matches("PSMT")
        .trim_end_matches("MT")
        .trim_end_matches("PS");
    let style = style.trim_end_matches("MT");
    let bold = style.contains("Bold");
    let italic = style.contains("Italic") || style.contains("Oblique");
    let known_style = matches!(
        style,
        "" | "Bold" | "Italic" | "BoldItalic" | "Oblique" | "BoldOblique" | "Roman"
    );
    if !known_style {
        return None;
    }
    let pick = |plain, b, i, bi| match (bold, italic) {
        (false, false) => plain,
        (true, false) => b,
        (false, true) => i,
        (true, true) => bi,
    };
    match family {
        "Helvetica" | "Arial" => Some(pick(
            "Helvetica",
            "Helvetica-Bold",
            "Helvetica-Oblique",
            "Helvetica-BoldOblique",
        )),
        "Times" | "TimesNewRoman" => Some(pick(
            "Times-Roman",
            "Times-Bold",
            "Times-Italic",
            "Times-BoldItalic",
        )),
        "Courier" | "CourierNew" => Some(pick(
            "Courier",
            "Courier-Bold",
            "Courier-Oblique",
            "Courier-BoldOblique",
        )),
        "Symbol" => Some("Symbol"),
        "ZapfDingbats" => Some("ZapfDingbats"),
        _ => None,
    }
}

fn builtin_width(b: &Builtin, name: &str) -> Option<f64> {
    b.widths
        .binary_search_by(|(k, _)| k.as_bytes().cmp(name.as_bytes()))
        .ok()
        .map(|i| f64::from(b.widths[i].1) * 0.001)
}

struct Descriptor {
    flags: i64,
    missing_width: f64,
    ascent: Option<f64>,
    descent: Option<f64>,
    embedded: bool,
}

fn read_descriptor(doc: &Document, font: &Dictionary) -> Descriptor {
    let mut d = Descriptor {
        flags: 0,
        missing_width: 0.0,
        ascent: None,
        descent: None,
        embedded: false,
    };
    let Some(fd) = get_dict(doc, font, b"FontDescriptor") else {
        return d;
    };
    d.flags = get_int(doc, fd, b"Flags").unwrap_or(0);
    d.missing_width = get_number(doc, fd, b"MissingWidth").unwrap_or(0.0);
    // Broken descriptors give negative ascents, positive descents, zeros or huge values.
    if let Some(a) = get_number(doc, fd, b"Ascent") {
        let a = (a * 0.001).abs();
        if a != 0.0 && a < 3.0 {
            d.ascent = Some(a);
        }
    }
    if let Some(de) = get_number(doc, fd, b"Descent") {
        let de = -(de * 0.001).abs();
        if de != 0.0 && de > -3.0 {
            d.descent = Some(de);
        }
    }
    d.embedded = [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
        .iter()
        .any(|k| get_stream(doc, fd, k).is_some());
    d
}

fn load_simple(
    doc: &Document,
    dict: &Dictionary,
    kind: FontKind,
    budget: &mut Budget,
) -> Result<Font, Stop> {
    let base_font = get_name(doc, dict, b"BaseFont").unwrap_or(b"");
    let desc = read_descriptor(doc, dict);
    let builtin = if kind == FontKind::Type3 {
        None
    } else {
        standard_font_name(base_font).and_then(builtin_by_name)
    };
    let fd = get_dict(doc, dict, b"FontDescriptor");
    let is_truetype = get_name(doc, dict, b"Subtype") == Some(b"TrueType")
        || fd.is_some_and(|fd| get_stream(doc, fd, b"FontFile2").is_some());

    let mut ascent = builtin.as_ref().map_or(0.95, |b| b.ascent);
    let mut descent = builtin.as_ref().map_or(-0.35, |b| b.descent);
    if builtin.is_none() || desc.embedded {
        ascent = desc.ascent.unwrap_or(ascent);
        descent = desc.descent.unwrap_or(descent);
    }

    let mut font_matrix = [0.001, 0.0, 0.0, 0.001, 0.0, 0.0];
    if kind == FontKind::Type3
        && let Some(m) = get(doc, dict, b"FontMatrix").and_then(|o| matrix(doc, o))
    {
        font_matrix = m;
    }

    // Base encoding: the dictionary's, else the embedded program's, else the default.
    let enc_obj = get(doc, dict, b"Encoding");
    let mut base: Option<BaseEncoding> = match enc_obj {
        Some(Object::Name(n)) => encoding::base_encoding(n),
        Some(Object::Dictionary(d)) => {
            get_name(doc, d, b"BaseEncoding").and_then(encoding::base_encoding)
        }
        _ => None,
    };
    let mut names: Vec<Option<String>> = vec![None; 256];
    let mut from_program = false;
    if base.is_none()
        && kind == FontKind::Simple
        && !is_truetype
        && let Some(fd) = fd
    {
        if let Some(data) = stream_data(doc, fd, b"FontFile", MAX_FONT_PROGRAM_BYTES, budget)? {
            if let Some(enc) = fontfile::type1_encoding(&data) {
                names = enc;
                from_program = true;
            }
        } else if let Some(data) =
            stream_data(doc, fd, b"FontFile3", MAX_FONT_PROGRAM_BYTES, budget)?
            && let Some(enc) = fontfile::cff_encoding(&data)
        {
            names = enc;
            from_program = true;
            // Gaps in a CFF encoding are filled from StandardEncoding.
            for (slot, std) in names.iter_mut().zip(encoding::standard().iter()) {
                if slot.is_none() && !std.is_empty() {
                    *slot = Some((*std).to_string());
                }
            }
        }
    }
    if !from_program {
        let base = base
            .take()
            .unwrap_or_else(|| match (&builtin, desc.embedded) {
                (Some(b), false) => b.encoding,
                _ if is_truetype => encoding::win_ansi(),
                _ => encoding::standard(),
            });
        for (slot, name) in names.iter_mut().zip(base.iter()) {
            if !name.is_empty() {
                *slot = Some((*name).to_string());
            }
        }
    }
    let mut differences_numeric = true;
    let mut has_differences = false;
    if let Some(Object::Dictionary(enc)) = enc_obj
        && let Some(diffs) = get_array(doc, enc, b"Differences")
    {
        let mut code: i64 = 0;
        for item in diffs {
            match resolve(doc, item) {
                Object::Integer(i) => {
                    code = *i;
                    if *i > 5 {
                        differences_numeric = false;
                    }
                }
                Object::Real(r) => code = *r as i64,
                Object::Name(n) => {
                    has_differences = true;
                    if encoding::numeric_name(n, false).is_none()
                        && encoding::numeric_name(n, true).is_none()
                    {
                        differences_numeric = false;
                    }
                    if (0..256).contains(&code) {
                        names[code as usize] = Some(String::from_utf8_lossy(n).into_owned());
                    }
                    code += 1;
                }
                _ => differences_numeric = false,
            }
        }
    }

    // Glyph names to text, as pdftotext does: the glyph list first; then, if any name was
    // not in it, the naming conventions for those, and the code itself for the rest.
    let dingbats = base_font.ends_with(b"ZapfDingbats");
    let mut text: Vec<Option<String>> = vec![None; 256];
    let mut missing = false;
    let mut hex = false;
    for (code, name) in names.iter().enumerate() {
        if let Some(name) = name {
            match encoding::agl(name.as_bytes(), dingbats) {
                Some(s) => {
                    // Ligatures in the Alphabetic Presentation Forms read as their letters.
                    text[code] = Some(expand_ligature(s));
                }
                None if name != ".notdef" => {
                    missing = true;
                    hex |= encoding::looks_hex(name.as_bytes());
                }
                None => {}
            }
        }
    }
    if missing {
        let numeric = if !(has_differences && differences_numeric) {
            Numeric::No
        } else if hex {
            Numeric::Hex
        } else {
            Numeric::Decimal
        };
        for code in 0..256 {
            if text[code].is_some() {
                continue;
            }
            let mut s = String::new();
            if let Some(name) = &names[code]
                && name != ".notdef"
                && encoding::parse_glyph_name(name.as_bytes(), numeric, dingbats, &mut s)
            {
                text[code] = Some(s);
                continue;
            }
            text[code] = char::from_u32(code as u32).map(|c| c.to_string());
        }
    }
    if let Some(tu) = to_unicode_cmap(doc, dict, budget)? {
        tu.for_each_unicode(256, |code, s| {
            // A map to U+0000 says nothing about the glyph (seen for ligatures): the glyph
            // name's text stands.
            if s != "\0" {
                text[code as usize] = Some(s.to_string());
            }
        });
    }
    let simple_text = text
        .into_iter()
        .map(|t| t.unwrap_or_default().into_boxed_str())
        .collect();

    // Widths: the dictionary's, else the standard font's metrics, else a substitute's.
    let mul = if kind == FontKind::Type3 {
        font_matrix[0]
    } else {
        0.001
    };
    let mut widths = [desc.missing_width * 0.001; 256];
    if let Some(ws) = get_array(doc, dict, b"Widths") {
        let first = get_int(doc, dict, b"FirstChar")
            .filter(|c| (0..256).contains(c))
            .unwrap_or(0) as usize;
        for (i, w) in ws.iter().enumerate() {
            let code = first + i;
            if code > 255 {
                break;
            }
            if let Some(w) = number(doc, w) {
                widths[code] = w * mul;
            }
        }
    } else if kind != FontKind::Type3 {
        let metrics = builtin.or_else(|| {
            let fixed = desc.flags & 1 != 0;
            let serif = desc.flags & 2 != 0;
            let italic = desc.flags & 64 != 0;
            let name = String::from_utf8_lossy(base_font);
            let bold = desc.flags & (1 << 18) != 0 || name.contains("Bold");
            let family = if fixed {
                [
                    "Courier",
                    "Courier-Bold",
                    "Courier-Oblique",
                    "Courier-BoldOblique",
                ]
            } else if serif {
                [
                    "Times-Roman",
                    "Times-Bold",
                    "Times-Italic",
                    "Times-BoldItalic",
                ]
            } else {
                [
                    "Helvetica",
                    "Helvetica-Bold",
                    "Helvetica-Oblique",
                    "Helvetica-BoldOblique",
                ]
            };
            builtin_by_name(family[bold as usize + 2 * italic as usize])
        });
        if let Some(m) = metrics {
            if let Some(w) = builtin_width(&m, "space") {
                widths[32] = w;
            }
            for (code, name) in names.iter().enumerate() {
                if let Some(name) = name
                    && let Some(w) = builtin_width(&m, name)
                {
                    widths[code] = w;
                }
            }
        }
    }

    let mut type3_size_factor = 1.0;
    if kind == FontKind::Type3 {
        type3_size_factor = type3_factor(&names, &widths, &font_matrix);
    }

    Ok(Font {
        kind,
        simple_text,
        simple_widths: widths,
        code_map: CodeMap::Identity2,
        to_unicode: None,
        cid_text: CidText::None,
        default_width: 0.0,
        cid_widths: Vec::new(),
        ascent,
        descent,
        font_matrix,
        vertical: false,
        type3_size_factor,
    })
}

/// pdftotext scales a Type 3 font's size by the width of its `m` (or of any letter, or
/// any glyph) relative to a typical width, since the glyph space says nothing about size.
fn type3_factor(names: &[Option<String>], widths: &[f64; 256], fm: &[f64; 6]) -> f64 {
    let mut m_code = None;
    let mut letter_code = None;
    let mut any_code = None;
    for (code, name) in names.iter().enumerate() {
        let Some(name) = name else { continue };
        let one = name.len() == 1;
        if one && name == "m" {
            m_code = Some(code);
        }
        if letter_code.is_none() && one && name.as_bytes()[0].is_ascii_alphabetic() {
            letter_code = Some(code);
        }
        if any_code.is_none() && widths[code] > 0.0 {
            any_code = Some(code);
        }
    }
    let mut factor = 1.0;
    if let Some(c) = m_code.filter(|&c| widths[c] > 0.0) {
        factor = widths[c] / 0.6;
    } else if let Some(c) = letter_code.filter(|&c| widths[c] > 0.0) {
        factor = widths[c] / 0.5;
    } else if let Some(c) = any_code {
        factor = widths[c] / 0.5;
    }
    if fm[0] != 0.0 {
        factor *= (fm[3] / fm[0]).abs();
    }
    if factor.is_finite() && factor > 0.0 {
        factor
    } else {
        1.0
    }
}

fn expand_ligature(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => match c {
            '\u{FB00}' => "ff".into(),
            '\u{FB01}' => "fi".into(),
            '\u{FB02}' => "fl".into(),
            '\u{FB03}' => "ffi".into(),
            '\u{FB04}' => "ffl".into(),
            '\u{FB05}' | '\u{FB06}' => "st".into(),
            _ => s.to_string(),
        },
        _ => s.to_string(),
    }
}

fn load_composite(doc: &Document, dict: &Dictionary, budget: &mut Budget) -> Result<Font, Stop> {
    let descendant = get_array(doc, dict, b"DescendantFonts")
        .and_then(|a| a.first())
        .and_then(|o| match resolve(doc, o) {
            Object::Dictionary(d) => Some(d),
            _ => None,
        });
    let empty = Dictionary::new();
    let desc_dict = descendant.unwrap_or(&empty);
    let desc = read_descriptor(doc, desc_dict);

    let mut code_map = CodeMap::Identity2;
    let mut vertical = false;
    let mut unicode_cmap = false;
    match get(doc, dict, b"Encoding") {
        Some(Object::Name(n)) => {
            vertical = n.ends_with(b"-V");
            unicode_cmap = n.starts_with(b"Uni")
                && (n.windows(4).any(|w| w == b"UCS2") || n.windows(5).any(|w| w == b"UTF16"));
        }
        Some(Object::Stream(_)) => {
            let data = stream_data(doc, dict, b"Encoding", MAX_CMAP_BYTES, budget)?;
            if let Some(data) = data {
                let cmap = CMap::parse(&data);
                vertical =
                    cmap.wmode == 1 || cmap.usecmap.as_deref().is_some_and(|u| u.ends_with(b"-V"));
                if !cmap.codespace.is_empty() {
                    code_map = CodeMap::Embedded(Box::new(cmap));
                }
            }
        }
        _ => {}
    }

    let to_unicode = to_unicode_cmap(doc, dict, budget)?.map(Box::new);
    // The CIDs of the Chinese, Japanese and Korean collections number glyphs in Adobe's
    // tables, not Unicode: read as Unicode they are wrong letters, so (as pdftotext without
    // its language packs) they give no text.
    let cjk_collection = get_dict(doc, desc_dict, b"CIDSystemInfo")
        .and_then(|info| get(doc, info, b"Ordering"))
        .is_some_and(|o| match o {
            Object::String(s, _) => {
                [&b"Japan1"[..], b"Japan2", b"Korea1", b"GB1", b"CNS1"].contains(&s.as_slice())
            }
            _ => false,
        });
    let cid_text = if to_unicode.is_some() {
        CidText::None
    } else if unicode_cmap {
        CidText::Code
    } else if cjk_collection {
        CidText::None
    } else {
        CidText::Cid
    };

    let default_width = get_number(doc, desc_dict, b"DW").map_or(1.0, |w| w * 0.001);
    let mut cid_widths = Vec::new();
    if let Some(w) = get_array(doc, desc_dict, b"W") {
        let mut i = 0;
        while i + 1 < w.len() {
            let first = number(doc, &w[i]);
            match (first, resolve(doc, &w[i + 1])) {
                (Some(first), Object::Array(ws)) => {
                    for (k, wv) in ws.iter().enumerate() {
                        if let Some(wv) = number(doc, wv) {
                            let c = (first.max(0.0) as u32).saturating_add(k as u32);
                            cid_widths.push((c, c, wv * 0.001));
                        }
                    }
                    i += 2;
                }
                (Some(first), last) => {
                    if let (Some(last), Some(wv)) =
                        (number(doc, last), w.get(i + 2).and_then(|o| number(doc, o)))
                    {
                        cid_widths.push((first.max(0.0) as u32, last.max(0.0) as u32, wv * 0.001));
                    }
                    i += 3;
                }
                _ => i += 1,
            }
            if cid_widths.len() > 1 << 20 {
                break;
            }
        }
    }
    cid_widths.sort_by_key(|w| w.0);

    Ok(Font {
        kind: FontKind::Composite,
        simple_text: Vec::new(),
        simple_widths: [0.0; 256],
        code_map,
        to_unicode,
        cid_text,
        default_width,
        cid_widths,
        ascent: desc.ascent.unwrap_or(0.95),
        descent: desc.descent.unwrap_or(-0.35),
        font_matrix: [0.001, 0.0, 0.0, 0.001, 0.0, 0.0],
        vertical,
        type3_size_factor: 1.0,
    })
}

/// Fonts of one document, loaded once per font dictionary.
#[derive(Default)]
pub(crate) struct FontCache {
    fonts: HashMap<usize, std::rc::Rc<Font>>,
}

impl FontCache {
    /// `key` identifies the font dictionary (its object id or its address).
    pub(crate) fn get(
        &mut self,
        doc: &Document,
        key: usize,
        dict: &Dictionary,
        budget: &mut Budget,
    ) -> Result<std::rc::Rc<Font>, Stop> {
        if let Some(f) = self.fonts.get(&key) {
            return Ok(f.clone());
        }
        let font = std::rc::Rc::new(Font::load(doc, dict, budget)?);
        self.fonts.insert(key, font.clone());
        Ok(font)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_names() {
        assert_eq!(standard_font_name(b"Helvetica"), Some("Helvetica"));
        assert_eq!(standard_font_name(b"Arial,Bold"), Some("Helvetica-Bold"));
        assert_eq!(
            standard_font_name(b"Arial-BoldItalicMT"),
            Some("Helvetica-BoldOblique")
        );
        assert_eq!(standard_font_name(b"ArialMT"), Some("Helvetica"));
        assert_eq!(
            standard_font_name(b"TimesNewRomanPSMT"),
            Some("Times-Roman")
        );
        assert_eq!(
            standard_font_name(b"Times New Roman,Italic"),
            Some("Times-Italic")
        );
        assert_eq!(
            standard_font_name(b"CourierNewPS-BoldMT"),
            Some("Courier-Bold")
        );
        assert_eq!(standard_font_name(b"ABCDEF+Arial"), None);
        assert_eq!(standard_font_name(b"Calibri"), None);
        assert_eq!(standard_font_name(b"Arial-Black"), None);
    }

    fn simple_font(dict: Dictionary) -> Font {
        let doc = Document::new();
        let mut budget = Budget::new(&crate::Limits::default());
        Font::load(&doc, &dict, &mut budget).expect("font loads")
    }

    fn text_of(font: &Font, bytes: &[u8]) -> String {
        let mut s = String::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            let g = font.next_glyph(rest, &mut s);
            rest = &rest[g.bytes..];
        }
        s
    }

    #[test]
    fn type1_with_differences_keeps_finnish_letters() {
        let mut enc = Dictionary::new();
        enc.set(
            "Differences",
            vec![
                Object::Integer(228),
                Object::Name(b"adieresis".to_vec()),
                Object::Integer(246),
                Object::Name(b"odieresis".to_vec()),
                Object::Integer(1),
                Object::Name(b"uni00C5".to_vec()),
            ],
        );
        let mut dict = Dictionary::new();
        dict.set("Subtype", Object::Name(b"Type1".to_vec()));
        dict.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
        dict.set("Encoding", Object::Dictionary(enc));
        let font = simple_font(dict);
        assert_eq!(text_of(&font, b"P\xe4iv\xf6\x01"), "PäivöÅ");
        // Widths come from the standard font's metrics: 'P' is 667/1000 em in Helvetica.
        let mut s = String::new();
        assert!((font.next_glyph(b"P", &mut s).width - 0.667).abs() < 1e-9);
    }

    #[test]
    fn win_ansi_and_ligature_names() {
        let mut dict = Dictionary::new();
        dict.set("Subtype", Object::Name(b"TrueType".to_vec()));
        dict.set("BaseFont", Object::Name(b"ABCDEF+Calibri".to_vec()));
        dict.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
        dict.set("FirstChar", 32);
        dict.set("Widths", vec![Object::Integer(226)]);
        let font = simple_font(dict);
        assert_eq!(text_of(&font, b"Hyv\xe4\x96 \x80"), "Hyvä– €");
        let mut s = String::new();
        assert!((font.next_glyph(b" ", &mut s).width - 0.226).abs() < 1e-9);

        let mut enc = Dictionary::new();
        enc.set(
            "Differences",
            vec![Object::Integer(2), Object::Name(b"fi".to_vec())],
        );
        let mut dict = Dictionary::new();
        dict.set("Subtype", Object::Name(b"Type1".to_vec()));
        dict.set("Encoding", Object::Dictionary(enc));
        assert_eq!(text_of(&simple_font(dict), b"\x02nd"), "find");
    }
}

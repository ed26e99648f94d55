//! Rich Text Format (`.rtf`, as Word, WordPad and LibreOffice save it): the body text, then
//! headers and footers, notes and comments as sections of their own, and title, author and
//! dates from the `\info` group.
//!
//! RTF is 7-bit text made of groups `{…}`, control words (`\par`, `\f1`, `\u228`) and control
//! symbols (`\'e4`, `\~`). Letters outside ASCII come either as bytes of a code page (`\'e4`,
//! in the document's `\ansicpg` or the charset of the current font) or as UTF-16 units
//! (`\u228`) followed by `\ucN` fallback characters for older readers, which we skip.
//! Destinations that are not text of the document (font, colour and style tables,
//! pictures, field instructions, and every `\*` destination we do not know) are skipped whole.
//! The parser keeps its own stack of groups, so no nesting depth can exhaust the call stack.

use crate::docx::push_section;
use crate::numbering;
use crate::{Error, Extractor, Limits};
use encoding_rs::{Encoding, WINDOWS_1252};
use kooste_model::{Document, Format, Meta, Page};

pub(crate) struct Rtf;

impl Extractor for Rtf {
    fn format(&self) -> Format {
        Format::Rtf
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let parsed = Parser::new(limits).run(bytes)?;
        let mut pages = vec![Page::new(1, tidy(&parsed.body))];
        for (name, text) in [
            ("headers and footers", &parsed.headers),
            ("notes", &parsed.notes),
            ("comments", &parsed.comments),
        ] {
            push_section(&mut pages, name, tidy(text));
        }
        Ok(Document {
            format: Format::Rtf,
            pages,
            meta: parsed.meta,
            damaged: None,
        })
    }
}

/// Where the characters of a group go.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Destination {
    Body,
    Headers,
    Notes,
    Comments,
    /// The number or bullet of a list item, as the writer rendered it.
    ListMarker,
    FontTable,
    Info,
    Title,
    Author,
    Created,
    Modified,
    /// Read for its control words only, or not at all.
    Skip,
}

impl Destination {
    fn is_text(self) -> bool {
        matches!(
            self,
            Destination::Body
                | Destination::Headers
                | Destination::Notes
                | Destination::Comments
                | Destination::ListMarker
                | Destination::Title
                | Destination::Author
        )
    }
}

/// The properties a group inherits from its parent and forgets at its closing brace.
#[derive(Clone, Copy)]
struct Group {
    destination: Destination,
    /// Fallback characters that follow a `\u` character.
    unicode_skip: u32,
    /// Code page of the current font, when it is not the document's.
    encoding: Option<&'static Encoding>,
    /// Hidden text, or text deleted under tracked changes.
    hidden: bool,
    /// The group opened with `\*`: ignore it unless its first control word is one we know.
    starred: bool,
    /// No control word or text has been read in this group yet.
    at_start: bool,
}

/// A date of `\creatim` or `\revtim`, from `\yr`, `\mo`, `\dy`, `\hr` and `\min`.
#[derive(Default)]
struct Time {
    parts: [Option<i64>; 5],
}

impl Time {
    fn text(&self) -> Option<String> {
        let [Some(y), Some(mo), Some(d), h, mi] = self.parts else {
            return None;
        };
        if !(1900..=2100).contains(&y) || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
            return None;
        }
        let h = h.filter(|h| (0..24).contains(h)).unwrap_or(0);
        let mi = mi.filter(|m| (0..60).contains(m)).unwrap_or(0);
        // RTF keeps local time without a zone, as ODF does: written the same way.
        Some(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:00"))
    }
}

struct Parsed {
    body: String,
    headers: String,
    notes: String,
    comments: String,
    meta: Meta,
}

struct Parser<'l> {
    limits: &'l Limits,
    stack: Vec<Group>,
    group: Group,
    document_encoding: &'static Encoding,
    /// Fonts of the font table and their code pages (only those that differ from ANSI).
    fonts: Vec<(i64, &'static Encoding)>,
    /// The font being defined in the font table.
    defining_font: Option<i64>,
    /// Code-page bytes waiting to be decoded together (a double-byte letter is two `\'hh`).
    pending: Vec<u8>,
    /// A UTF-16 high surrogate waiting for its low half.
    high_surrogate: Option<u16>,
    /// Fallback characters still to skip after a `\u` character.
    skipping: u32,
    body: String,
    headers: String,
    notes: String,
    comments: String,
    /// Where the header or footer being read began in `headers`, and those read before.
    header_start: Option<usize>,
    header_texts: Vec<String>,
    marker: String,
    title: String,
    author: String,
    created: Time,
    modified: Time,
    /// Characters written, against `max_text_chars`.
    written: usize,
}

/// Control words that name a destination whose text is not the document's.
const SKIPPED: &[&[u8]] = &[
    b"colortbl",
    b"stylesheet",
    b"listtable",
    b"listoverridetable",
    b"revtbl",
    b"rsidtbl",
    b"generator",
    b"pict",
    b"nonshppict",
    // The fallback drawing of a shape repeats the text of its `\shptxt`.
    b"shprslt",
    b"objdata",
    b"objclass",
    b"fldinst",
    b"sp",
    b"xe",
    b"tc",
    b"bkmkstart",
    b"bkmkend",
    b"atnid",
    b"atnauthor",
    b"atndate",
    b"pn",
    b"filetbl",
    b"falt",
    b"panose",
    b"xmlnstbl",
    b"datastore",
    b"themedata",
    b"colorschememapping",
    b"latentstyles",
    b"mmathPr",
    b"template",
    b"docvar",
    b"userprops",
    b"keywords",
    b"subject",
    b"doccomm",
    b"company",
    b"operator",
    b"manager",
    b"category",
    b"comment",
    b"printim",
    b"buptim",
];

const HEADERS: &[&[u8]] = &[
    b"header", b"headerl", b"headerr", b"headerf", b"footer", b"footerl", b"footerr", b"footerf",
];

impl<'l> Parser<'l> {
    fn new(limits: &'l Limits) -> Parser<'l> {
        Parser {
            limits,
            stack: Vec::new(),
            group: Group {
                destination: Destination::Body,
                unicode_skip: 1,
                encoding: None,
                hidden: false,
                starred: false,
                at_start: true,
            },
            document_encoding: WINDOWS_1252,
            fonts: Vec::new(),
            defining_font: None,
            pending: Vec::new(),
            high_surrogate: None,
            skipping: 0,
            body: String::new(),
            headers: String::new(),
            notes: String::new(),
            comments: String::new(),
            header_start: None,
            header_texts: Vec::new(),
            marker: String::new(),
            title: String::new(),
            author: String::new(),
            created: Time::default(),
            modified: Time::default(),
            written: 0,
        }
    }

    fn run(mut self, bytes: &[u8]) -> Result<Parsed, Error> {
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let bytes = bytes
            .get(start..)
            .filter(|b| b.starts_with(b"{\\rtf"))
            .ok_or_else(|| {
                Error::Corrupt("not an RTF document: it does not begin with {\\rtf".into())
            })?;
        let mut i = 0;
        let mut since_check = 0usize;
        while let Some(&b) = bytes.get(i) {
            since_check += 1;
            if since_check >= 1 << 16 {
                since_check = 0;
                self.limits.check_time()?;
            }
            match b {
                b'{' => {
                    self.flush();
                    if self.stack.len() >= self.limits.max_xml_depth {
                        return Err(Error::Corrupt(format!(
                            "RTF groups nested deeper than {} levels",
                            self.limits.max_xml_depth
                        )));
                    }
                    self.stack.push(self.group);
                    self.group.at_start = true;
                    self.group.starred = false;
                    self.skipping = 0;
                    i += 1;
                }
                b'}' => {
                    self.flush();
                    self.close_group();
                    self.skipping = 0;
                    i += 1;
                    // The document's outermost group (the text begins with it) has closed:
                    // what follows is not RTF.
                    if self.stack.is_empty() {
                        break;
                    }
                }
                b'\\' => i = self.control(bytes, i + 1),
                b'\r' | b'\n' => i += 1,
                _ if b >= 0x80 => {
                    // Not valid RTF, but some writers put code-page bytes in raw.
                    self.byte(b);
                    i += 1;
                }
                _ => {
                    self.flush();
                    self.character(char::from(b));
                    i += 1;
                }
            }
        }
        self.flush();
        let meta = Meta {
            title: Some(tidy(&self.title)).filter(|t| !t.is_empty()),
            author: Some(tidy(&self.author)).filter(|t| !t.is_empty()),
            created: self.created.text(),
            modified: self.modified.text(),
        };
        Ok(Parsed {
            body: self.body,
            headers: self.headers,
            notes: self.notes,
            comments: self.comments,
            meta,
        })
    }

    fn close_group(&mut self) {
        if self.group.destination == Destination::FontTable
            && self.stack.last().map(|g| g.destination) != Some(Destination::FontTable)
        {
            self.defining_font = None;
        }
        let closing = self.group.destination;
        if let Some(parent) = self.stack.pop() {
            self.group = parent;
        }
        if closing == Destination::Headers && self.group.destination != closing {
            self.end_header();
        }
        if closing == Destination::ListMarker && self.group.destination != closing {
            // Symbol-font bullets come as private-use characters: shown as the bullet they are.
            let marker = numbering::visible_bullet(&std::mem::take(&mut self.marker));
            for c in marker.chars().chain([' ']) {
                self.put(c);
            }
        }
    }

    /// Reads the control word or symbol after a backslash at `i`; returns where reading goes on.
    fn control(&mut self, bytes: &[u8], mut i: usize) -> usize {
        let Some(&first) = bytes.get(i) else {
            return i;
        };
        if !first.is_ascii_alphabetic() {
            return self.symbol(bytes, i);
        }
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) && i - start < 32 {
            i += 1;
        }
        let word = &bytes[start..i];
        let mut parameter = None;
        let digits_from = i;
        let negative = bytes.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let mut value: i64 = 0;
        let mut digits = 0;
        while let Some(d) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            if digits < 10 {
                value = value * 10 + i64::from(d - b'0');
            }
            digits += 1;
            i += 1;
        }
        if digits > 0 {
            parameter = Some(if negative { -value } else { value });
        } else {
            i = digits_from;
        }
        if bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        if word == b"bin" {
            // Binary data of the given length follows; it is never text.
            let n = usize::try_from(parameter.unwrap_or(0)).unwrap_or(0);
            return i.saturating_add(n).min(bytes.len());
        }
        self.word(word, parameter);
        i
    }

    fn symbol(&mut self, bytes: &[u8], i: usize) -> usize {
        let Some(&b) = bytes.get(i) else {
            return i;
        };
        match b {
            b'\'' => {
                let hex = |k: usize| bytes.get(k).and_then(|c| char::from(*c).to_digit(16));
                if let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) {
                    self.byte((h * 16 + l) as u8);
                    return i + 3;
                }
                i + 1
            }
            b'*' => {
                self.group.starred = true;
                i + 1
            }
            _ => {
                // Optional hyphens (\-), formula and index marks are not text.
                let literal = match b {
                    b'\\' | b'{' | b'}' => Some(char::from(b)),
                    b'~' => Some('\u{a0}'),
                    b'_' => Some('-'),
                    b'\r' | b'\n' => Some('\n'),
                    _ => None,
                };
                self.flush();
                if let Some(c) = literal {
                    self.character(c);
                }
                i + 1
            }
        }
    }

    fn word(&mut self, word: &[u8], parameter: Option<i64>) {
        self.flush();
        let at_start = std::mem::replace(&mut self.group.at_start, false);
        if at_start && self.destination(word) {
            return;
        }
        if at_start && self.group.starred {
            // An optional destination we do not know: skip it, as the format asks.
            self.group.destination = Destination::Skip;
            return;
        }
        let n = parameter.unwrap_or(0);
        match self.group.destination {
            Destination::FontTable => return self.font_word(word, parameter),
            Destination::Created | Destination::Modified => return self.time_word(word, n),
            _ => {}
        }
        match word {
            b"par" | b"line" | b"sect" | b"page" | b"row" | b"nestrow" => self.character('\n'),
            b"tab" | b"cell" | b"nestcell" => self.character('\t'),
            b"emdash" => self.character('—'),
            b"endash" => self.character('–'),
            b"bullet" => self.character('•'),
            b"lquote" => self.character('‘'),
            b"rquote" => self.character('’'),
            b"ldblquote" => self.character('“'),
            b"rdblquote" => self.character('”'),
            b"emspace" | b"enspace" | b"qmspace" => self.character(' '),
            b"u" if parameter.is_some() => self.unicode(n),
            b"uc" => self.group.unicode_skip = u32::try_from(n.clamp(0, 8)).unwrap_or(1),
            b"ansicpg" => {
                if let Some(e) = code_page(n) {
                    self.document_encoding = e;
                }
            }
            b"mac" => self.document_encoding = encoding_rs::MACINTOSH,
            b"f" => {
                self.group.encoding = self.fonts.iter().find(|(f, _)| *f == n).map(|(_, e)| *e);
            }
            b"plain" => self.group.hidden = false,
            b"v" | b"deleted" => self.group.hidden = parameter != Some(0),
            _ => {}
        }
    }

    /// Opens the destination a group's first control word names; false when the word is none.
    fn destination(&mut self, word: &[u8]) -> bool {
        let inside = self.group.destination;
        let next = match word {
            b"fonttbl" => Destination::FontTable,
            b"info" => Destination::Info,
            // The first title and author are the document's; LibreOffice repeats `\author`
            // for the last editor.
            b"title" if inside == Destination::Info && self.title.is_empty() => Destination::Title,
            b"author" if inside == Destination::Info && self.author.is_empty() => {
                Destination::Author
            }
            b"title" | b"author" => Destination::Skip,
            b"creatim" if inside == Destination::Info => Destination::Created,
            b"revtim" if inside == Destination::Info => Destination::Modified,
            b"footnote" => Destination::Notes,
            b"listtext" | b"pntext" => Destination::ListMarker,
            b"annotation" => Destination::Comments,
            w if HEADERS.contains(&w) => Destination::Headers,
            w if SKIPPED.contains(&w) => Destination::Skip,
            // Destinations whose text is the document's: read on in the current one.
            b"fldrslt" | b"field" | b"shptxt" | b"shpinst" | b"shp" | b"object" | b"result"
            | b"shppict" => return inside != Destination::Info,
            _ => return false,
        };
        self.group.destination = if inside == Destination::Skip {
            Destination::Skip
        } else {
            next
        };
        if self.group.destination == Destination::Headers && inside != Destination::Headers {
            self.header_start = Some(self.headers.len());
        }
        true
    }

    /// Keeps each distinct header or footer text once: a document with first-page, odd and
    /// even headers often repeats the same line in each.
    fn end_header(&mut self) {
        let Some(start) = self.header_start.take() else {
            return;
        };
        let text = self.headers.get(start..).unwrap_or("").trim().to_string();
        if text.is_empty() || self.header_texts.contains(&text) {
            self.headers.truncate(start);
        } else {
            self.header_texts.push(text);
            self.headers.push('\n');
        }
    }

    fn font_word(&mut self, word: &[u8], parameter: Option<i64>) {
        let Some(n) = parameter else {
            return;
        };
        match word {
            b"f" => self.defining_font = Some(n),
            b"fcharset" | b"cpg" => {
                let encoding = if word == b"cpg" {
                    code_page(n)
                } else {
                    charset_code_page(n).and_then(code_page)
                };
                if let (Some(font), Some(e)) = (self.defining_font, encoding) {
                    // A font table of real documents has tens of fonts; a hostile one is capped.
                    if self.fonts.len() < 4096 {
                        self.fonts.retain(|(f, _)| *f != font);
                        self.fonts.push((font, e));
                    }
                }
            }
            _ => {}
        }
    }

    fn time_word(&mut self, word: &[u8], n: i64) {
        let time = if self.group.destination == Destination::Created {
            &mut self.created
        } else {
            &mut self.modified
        };
        let slot = match word {
            b"yr" => 0,
            b"mo" => 1,
            b"dy" => 2,
            b"hr" => 3,
            b"min" => 4,
            _ => return,
        };
        time.parts[slot] = Some(n);
    }

    fn unicode(&mut self, n: i64) {
        // The parameter is a signed 16-bit number: negative values stand for units above 32767.
        let unit = u16::try_from(n.rem_euclid(65_536)).unwrap_or(0xFFFD);
        let skip = self.group.unicode_skip;
        match unit {
            0xD800..=0xDBFF => self.high_surrogate = Some(unit),
            0xDC00..=0xDFFF => {
                if let Some(high) = self.high_surrogate.take() {
                    let c =
                        0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                    self.character(char::from_u32(c).unwrap_or('\u{fffd}'));
                }
            }
            _ => self.character(char::from_u32(u32::from(unit)).unwrap_or('\u{fffd}')),
        }
        self.skipping = skip;
    }

    fn byte(&mut self, b: u8) {
        // Text ends the place where a destination can be named.
        self.group.at_start = false;
        if self.skipping > 0 {
            self.skipping -= 1;
            return;
        }
        self.pending.push(b);
    }

    /// Decodes the waiting code-page bytes in the current font's code page.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let encoding = self.group.encoding.unwrap_or(self.document_encoding);
        let bytes = std::mem::take(&mut self.pending);
        let (text, _) = encoding.decode_without_bom_handling(&bytes);
        for c in text.chars() {
            self.put(c);
        }
    }

    fn character(&mut self, c: char) {
        self.group.at_start = false;
        if self.skipping > 0 {
            self.skipping -= 1;
            return;
        }
        self.high_surrogate = None;
        self.put(c);
    }

    fn put(&mut self, c: char) {
        if self.group.hidden
            || !self.group.destination.is_text()
            || (c.is_control() && c != '\n' && c != '\t')
        {
            return;
        }
        if self.written >= self.limits.max_text_chars {
            return;
        }
        self.written += 1;
        let out = match self.group.destination {
            Destination::Headers => &mut self.headers,
            Destination::Notes => &mut self.notes,
            Destination::Comments => &mut self.comments,
            Destination::ListMarker => &mut self.marker,
            Destination::Title => &mut self.title,
            Destination::Author => &mut self.author,
            _ => &mut self.body,
        };
        out.push(c);
    }
}

/// The code page of a font's `\fcharset`; `None` for ANSI and symbol fonts, which use the
/// document's.
fn charset_code_page(charset: i64) -> Option<i64> {
    Some(match charset {
        77 => 10000,
        128 => 932,
        129 => 949,
        134 => 936,
        136 => 950,
        161 => 1253,
        162 => 1254,
        163 => 1258,
        177 => 1255,
        178 => 1256,
        186 => 1257,
        204 => 1251,
        222 => 874,
        238 => 1250,
        _ => return None,
    })
}

fn code_page(n: i64) -> Option<&'static Encoding> {
    let label = match n {
        874 => "windows-874".to_string(),
        1250..=1258 => format!("windows-{n}"),
        932 => "shift_jis".into(),
        936 => "gbk".into(),
        949 => "euc-kr".into(),
        950 => "big5".into(),
        866 => "ibm866".into(),
        10000 => "macintosh".into(),
        20866 => "koi8-r".into(),
        28591..=28606 => format!("iso-8859-{}", n - 28590),
        65001 => "utf-8".into(),
        _ => return None,
    };
    Encoding::for_label(label.as_bytes())
}

/// Lines without trailing blanks, no-break spaces as spaces, and no empty lines: an empty
/// paragraph is spacing, as the other text extractors treat it.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.replace('\u{a0}', " ").lines() {
        let line = line.trim_end();
        if !line.trim().is_empty() {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(rtf: &str) -> Document {
        match Rtf.extract(rtf.as_bytes(), &Limits::default().start()) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        }
    }

    fn section<'d>(d: &'d Document, name: &str) -> Option<&'d str> {
        d.pages
            .iter()
            .find(|p| p.name.as_deref() == Some(name))
            .map(|p| p.text.as_str())
    }

    /// The shape Word gives a document: tables before the text, a generator, a field, a
    /// picture, a footnote, a header, and letters in three encodings.
    const WORD_LIKE: &str = r#"{\rtf1\adeflang1025\ansi\ansicpg1252\uc1\adeff0\deff0
{\fonttbl{\f0\froman\fcharset0\fprq2{\*\panose 02020603050405020304}Times New Roman;}
{\f1\fswiss\fcharset204\fprq2 Arial Cyr;}}
{\colortbl;\red0\green0\blue0;}
{\stylesheet{\ql \f0 Normal;}{\s1\ql \b heading 1;}}
{\*\generator Microsoft Word 16.0;}
{\info{\title Asukasraati Vantaalla}{\author Liisa Meik\'e4l\'e4inen}{\author Muokkaaja}{\operator x}
{\creatim\yr2018\mo3\dy13\hr10\min5}{\revtim\yr2018\mo4\dy2\hr9\min30}}
{\*\xmlnstbl {\xmlns1 http://schemas.microsoft.com/office/word/2003/wordml}}
{\header \pard\plain Vantaan kaupunki\par}{\headerf \pard\plain Vantaan kaupunki\par}
{\footer \pard\plain Sivu {\field{\*\fldinst PAGE}{\fldrslt 1}}\par}
\pard\plain \s1\b Asukasraati\b0\par
\pard\plain Asukkaiden osallisuus ja yhteiskehitt\'e4minen {\i kaupungin} palveluissa.\par
Hinta {\deleted 4\u8364\'80 }5\u8364\'80 ja \u-10179?\u-8704? emoji.\par
{\field{\*\fldinst { HYPERLINK "https://www.vantaa.fi/" }}{\fldrslt {vantaa.fi}}}\par
{\*\shppict{\pict\pngblip\picw10\pich10 89504e470d0a1a0a0000000d49484452}}
Kuva\bin4 {}\} jatkuu.\par
Ty\'f6paja{\super\chftn{\footnote \pard\plain Ty\'f6pajoja oli kolme.}}{\v piilotettu}\par
{teksti\footnote ei alaviite}\par
\trowd\cellx1000\cellx2000 Kaupunki\cell Malli\cell\row
{\f1 \'cf\'f0\'e8\'e2\'e5\'f2}\par
{\listtext\pard\plain  \u61623\'3f\tab}Kohta\par
{\listtext\pard\plain 2.\tab}Toinen\par

\par
{\*\unknowndestination ei n\'e4y}\par
}"#;

    #[test]
    fn reads_a_word_like_document() {
        let d = read(WORD_LIKE);
        assert_eq!(d.format, Format::Rtf);
        let body = &d.pages[0].text;
        let expected = "Asukasraati\n\
                        Asukkaiden osallisuus ja yhteiskehittäminen kaupungin palveluissa.\n\
                        Hinta 5€ ja 😀 emoji.\n\
                        vantaa.fi\n\
                        Kuva jatkuu.\n\
                        Työpaja\n\
                        tekstiei alaviite\n\
                        Kaupunki\tMalli\n\
                        Привет\n\
                        • Kohta\n\
                        2. Toinen";
        assert_eq!(body, expected);
        assert_eq!(
            section(&d, "headers and footers"),
            Some("Vantaan kaupunki\nSivu 1")
        );
        assert_eq!(section(&d, "notes"), Some("Työpajoja oli kolme."));
        assert_eq!(d.meta.title.as_deref(), Some("Asukasraati Vantaalla"));
        assert_eq!(d.meta.author.as_deref(), Some("Liisa Meikäläinen"));
        assert_eq!(d.meta.created.as_deref(), Some("2018-03-13T10:05:00"));
        assert_eq!(d.meta.modified.as_deref(), Some("2018-04-02T09:30:00"));
    }

    #[test]
    fn a_document_code_page_other_than_1252_is_honoured() {
        let d = read(r"{\rtf1\ansi\ansicpg1250 Zv\'ec\'f8ata}");
        assert_eq!(d.pages[0].text, "Zvěřata");
        let d = read(r"{\rtf1\ansi\ansicpg932 {\f0 \'93\'fa\'96\'7b}}");
        assert_eq!(d.pages[0].text, "日本");
    }

    #[test]
    fn control_symbols_are_the_characters_they_stand_for() {
        let d = read(
            r"{\rtf1 a\~b\_c\\d\{e\}f\-g\|h\:i\
j}",
        );
        assert_eq!(d.pages[0].text, "a b-c\\d{e}fghi\nj");
    }

    #[test]
    fn not_rtf_is_a_typed_error() {
        let e = Rtf.extract(b"Tavallista tekstia", &Limits::default().start());
        assert!(
            matches!(e, Err(Error::Corrupt(ref m)) if m.contains("{\\rtf")),
            "{e:?}"
        );
    }

    #[test]
    fn nesting_beyond_the_limit_is_an_error_not_a_crash() {
        let deep = format!("{{\\rtf1 {}x", "{".repeat(100_000));
        let e = Rtf.extract(deep.as_bytes(), &Limits::default().start());
        assert!(
            matches!(e, Err(Error::Corrupt(ref m)) if m.contains("nested")),
            "{e:?}"
        );
    }

    #[test]
    fn every_cut_of_a_document_reads_without_panic() {
        for cut in 0..WORD_LIKE.len() {
            if let Some(part) = WORD_LIKE.get(..cut) {
                let _ = Rtf.extract(part.as_bytes(), &Limits::default().start());
            }
        }
        // A truncated file keeps the text it has.
        let d = read(r"{\rtf1\ansi Osallisuus\par yhteis");
        assert_eq!(d.pages[0].text, "Osallisuus\nyhteis");
    }

    #[test]
    fn text_is_capped_at_the_limit() {
        let mut limits = Limits::default().start();
        limits.max_text_chars = 10;
        let big = format!("{{\\rtf1 {}}}", "a".repeat(10_000));
        let d = Rtf
            .extract(big.as_bytes(), &limits)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.pages[0].text, "a".repeat(10));
    }

    #[test]
    fn binary_data_longer_than_the_file_ends_reading() {
        let d = read("{\\rtf1 alku \\bin999999 \x01\x02}");
        assert_eq!(d.pages[0].text, "alku");
    }
}

//! iCalendar files (`.ics`, RFC 5545): meeting invitations and calendar exports saved on a
//! drive. The events' summaries, places and descriptions are the text; the calendar's name or
//! the first event's summary is the title, its organiser the author.
//!
//! Read as plain text, such a file is mostly property names, time zones and identifiers; the
//! words a reader cares about are a few property values, with their line folding and escapes.

use crate::html::visible_text;
use crate::text::{capped, decode};
use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Meta, Page};

pub(crate) struct Ics;

impl Extractor for Ics {
    fn format(&self) -> Format {
        Format::Ics
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let calendar = Calendar::parse(&unfolded_text(bytes));
        if !calendar.seen_begin {
            return Err(Error::Corrupt(
                "no BEGIN:VCALENDAR or other component: not an iCalendar file".to_string(),
            ));
        }
        let first = calendar.events.first();
        let title = calendar
            .name
            .clone()
            .or_else(|| first.and_then(|e| e.summary.clone()));
        let meta = Meta {
            title,
            author: first.and_then(|e| e.organizer.clone()),
            created: first.and_then(|e| e.created.clone()),
            modified: first.and_then(|e| e.modified.clone()),
        };
        Ok(Document {
            format: Format::Ics,
            pages: vec![Page::new(1, capped(calendar.text(), limits))],
            meta,
            damaged: None,
        })
    }
}

/// The readable text of the events in an iCalendar text, as a mail's invitation part gives it.
pub(crate) fn events_text(ics: &[u8]) -> String {
    Calendar::parse(&unfolded_text(ics)).text()
}

/// Nesting kept track of. Real calendars nest three levels (VCALENDAR, VEVENT, VALARM); a
/// file that nests deeper is hostile or broken, and its deeper components' text is not read.
const MAX_DEPTH: usize = 16;

#[derive(Default)]
struct Calendar {
    seen_begin: bool,
    /// `X-WR-CALNAME`: the name a calendar export carries.
    name: Option<String>,
    events: Vec<Event>,
}

/// A VEVENT, VTODO or VJOURNAL: the components that people write text into.
#[derive(Default)]
struct Event {
    summary: Option<String>,
    location: Option<String>,
    description: Option<String>,
    /// `X-ALT-DESC;FMTTYPE=text/html`, Outlook's formatted description: read only when the
    /// plain one is missing.
    html_description: Option<String>,
    organizer: Option<String>,
    created: Option<String>,
    modified: Option<String>,
}

impl Calendar {
    fn parse(ics: &str) -> Calendar {
        let mut calendar = Calendar::default();
        // Components nest (VALARM inside VEVENT, VTIMEZONE beside it); text belongs to the
        // innermost one, and only the event kinds keep it.
        let mut stack: Vec<String> = Vec::new();
        // Components opened below MAX_DEPTH: counted, not kept, so that every END costs at
        // most MAX_DEPTH steps whatever a file nests.
        let mut deeper = 0usize;
        let mut current: Option<Event> = None;
        for line in ics.lines() {
            let Some((name, params, value)) = content_line(line) else {
                continue;
            };
            match name.as_str() {
                "BEGIN" => {
                    let component = value.trim().to_ascii_uppercase();
                    // Some tools save a lone event, alarm or time zone without its calendar
                    // around it; every component's name starts with V (RFC 5545 3.6).
                    if component.starts_with('V') {
                        calendar.seen_begin = true;
                    }
                    if is_event(&component) && current.is_none() {
                        current = Some(Event::default());
                    }
                    if stack.len() < MAX_DEPTH {
                        stack.push(component);
                    } else {
                        deeper += 1;
                    }
                    continue;
                }
                "END" => {
                    let component = value.trim().to_ascii_uppercase();
                    if deeper > 0 {
                        deeper -= 1;
                        continue;
                    }
                    if let Some(at) = stack.iter().rposition(|c| *c == component) {
                        stack.truncate(at);
                    }
                    if is_event(&component)
                        && !stack.iter().any(|c| is_event(c))
                        && let Some(event) = current.take()
                    {
                        calendar.events.push(event);
                    }
                    continue;
                }
                _ => {}
            }
            let innermost = stack.last().map(String::as_str).unwrap_or_default();
            if innermost == "VCALENDAR" && name == "X-WR-CALNAME" {
                calendar.name = non_empty(unescaped(value));
                continue;
            }
            let Some(event) = current.as_mut().filter(|_| is_event(innermost)) else {
                continue;
            };
            let slot = match name.as_str() {
                "SUMMARY" => &mut event.summary,
                "LOCATION" => &mut event.location,
                "DESCRIPTION" => &mut event.description,
                "X-ALT-DESC" => {
                    if param(&params, "FMTTYPE")
                        .is_some_and(|t| t.eq_ignore_ascii_case("text/html"))
                    {
                        event.html_description = non_empty(visible_text(&unescaped(value)).0);
                    }
                    continue;
                }
                "ORGANIZER" => {
                    // The name, or else the address without its scheme (any case).
                    let address = value.trim();
                    let address = match address.get(..7) {
                        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => &address[7..],
                        _ => address,
                    };
                    event.organizer = param(&params, "CN")
                        .and_then(|cn| non_empty(cn.to_string()))
                        .or_else(|| non_empty(address.to_string()));
                    continue;
                }
                "CREATED" | "DTSTAMP" => {
                    // CREATED says when the event was made; DTSTAMP, when this copy was.
                    if name == "CREATED" || event.created.is_none() {
                        event.created = Some(iso(value.trim()));
                    }
                    continue;
                }
                "LAST-MODIFIED" => {
                    event.modified = Some(iso(value.trim()));
                    continue;
                }
                _ => continue,
            };
            if slot.is_none() {
                *slot = non_empty(unescaped(value));
            }
        }
        // A file cut inside an event keeps what the event said so far.
        if let Some(event) = current {
            calendar.events.push(event);
        }
        calendar
    }

    fn text(&self) -> String {
        let events: Vec<String> = self
            .events
            .iter()
            .map(|e| {
                let description = e.description.as_ref().or(e.html_description.as_ref());
                [e.summary.as_ref(), e.location.as_ref(), description]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .filter(|t| !t.is_empty())
            .collect();
        events.join("\n\n")
    }
}

fn is_event(component: &str) -> bool {
    matches!(component, "VEVENT" | "VTODO" | "VJOURNAL")
}

/// The text with its folding undone: a line that starts with a space or a tab goes on the
/// one before it (RFC 5545 3.1). Folding counts octets, so a fold may split a UTF-8
/// character: lines are joined before the bytes are decoded. Bare LF line ends are taken as
/// well, and blank lines, which old Mozilla calendars put between a name and its folded
/// value, are passed over.
fn unfolded_text(bytes: &[u8]) -> String {
    // In UTF-16 a line end is two bytes, and 0A 20 can be one character: such a file (it has
    // a byte-order mark) is decoded first, and its folds undone in UTF-8.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return unfolded_text(decode(bytes).as_bytes());
    }
    let mut joined = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            // Past this line end and any blank lines after it.
            let mut next = i;
            while let Some(end) = line_end(bytes, next) {
                next = end;
            }
            if matches!(bytes.get(next), Some(b' ' | b'\t')) && !joined.is_empty() {
                i = next + 1;
                continue;
            }
            // Blank lines say nothing: one line end stands for them all, and each byte is
            // looked at once however many there are.
            joined.push(b'\n');
            i = next;
            continue;
        }
        joined.push(bytes[i]);
        i += 1;
    }
    decode(&joined)
}

/// Where the line end (CRLF or LF) at `at` ends, if one is there.
fn line_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at..) {
        Some([b'\r', b'\n', ..]) => Some(at + 2),
        Some([b'\n', ..]) => Some(at + 1),
        _ => None,
    }
}

/// A content line's parameters, names in upper case.
type Params = Vec<(String, String)>;

/// `NAME;PARAM=a;PARAM2="b:c":value` → upper-case name, its parameters, and the value. A colon
/// inside a quoted parameter value does not end the parameters.
fn content_line(line: &str) -> Option<(String, Params, &str)> {
    let mut quoted = false;
    let colon = line.char_indices().find_map(|(i, c)| match c {
        '"' => {
            quoted = !quoted;
            None
        }
        ':' if !quoted => Some(i),
        _ => None,
    })?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = split_unquoted(head, ';').into_iter();
    let name = parts.next()?.trim().to_ascii_uppercase();
    if name.is_empty() {
        return None;
    }
    let params = parts
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_uppercase(),
                v.trim().trim_matches('"').to_string(),
            )
        })
        .collect();
    Some((name, params, value))
}

/// `s` split at `sep` outside double quotes: `CN="Virtanen; Liisa"` is one parameter.
fn split_unquoted(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts
}

fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A TEXT value with its escapes undone: `\n` is a line break, `\,` `\;` `\\` the character.
fn unescaped(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn non_empty(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// `20170914T173000Z` → `2017-09-14T17:30:00Z`, `20170914` → `2017-09-14`; anything else stays
/// as written.
fn iso(value: &str) -> String {
    let b = value.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if !digits(0..8) {
        return value.to_string();
    }
    let date = format!("{}-{}-{}", &value[0..4], &value[4..6], &value[6..8]);
    if b.get(8) == Some(&b'T') && digits(9..15) {
        let zone = if b.get(15) == Some(&b'Z') { "Z" } else { "" };
        return format!(
            "{date}T{}:{}:{}{zone}",
            &value[9..11],
            &value[11..13],
            &value[13..15]
        );
    }
    date
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(ics: &str) -> Result<Document, Error> {
        Ics.extract(ics.as_bytes(), &Limits::default())
    }

    const INVITATION: &str = "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n\
VERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VTIMEZONE\r\nTZID:FLE Standard Time\r\nBEGIN:STANDARD\r\n\
DTSTART:16011028T040000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\n\
ORGANIZER;CN=\"Lehtonen, Jussi\":mailto:jussi.lehtonen@turku.example\r\n\
ATTENDEE;ROLE=REQ-PARTICIPANT;CN=Anu Vuorinen:mailto:anu@turku.example\r\n\
DESCRIPTION:Käsitellään asukasraadin perustaminen\\, kokoonpano ja tehtävät.\\n\\nLii\r\n \
tteenä muistio.\r\nSUMMARY;LANGUAGE=fi-FI:TP2:n kokous: asukasraati\r\n\
LOCATION:Turun kaupungintalo\\, neuvotteluhuone 3\r\nCREATED:20170921T110700Z\r\n\
DTSTAMP:20170922T080000Z\r\nLAST-MODIFIED:20170925T090000Z\r\n\
DTSTART;TZID=FLE Standard Time:20171012T130000\r\n\
X-ALT-DESC;FMTTYPE=text/html:<html><body><p>Muotoiltu kuvaus</p></body></html>\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Muistutus\r\nEND:VALARM\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn an_invitation_gives_its_event_and_organiser() {
        let doc = read(INVITATION).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.format, Format::Ics);
        assert_eq!(doc.meta.title.as_deref(), Some("TP2:n kokous: asukasraati"));
        assert_eq!(doc.meta.author.as_deref(), Some("Lehtonen, Jussi"));
        assert_eq!(doc.meta.created.as_deref(), Some("2017-09-21T11:07:00Z"));
        assert_eq!(doc.meta.modified.as_deref(), Some("2017-09-25T09:00:00Z"));
        // The folded description is joined, its escapes undone; the alarm's text and the
        // formatted copy of the description are left out, and so are the time zone's lines.
        assert_eq!(
            doc.pages[0].text,
            "TP2:n kokous: asukasraati\nTurun kaupungintalo, neuvotteluhuone 3\n\
Käsitellään asukasraadin perustaminen, kokoonpano ja tehtävät.\n\nLiitteenä muistio."
        );
    }

    #[test]
    fn an_export_names_itself_and_keeps_every_event() {
        let ics = "BEGIN:VCALENDAR\nX-WR-CALNAME:AOA-hankkeen kokoukset\nBEGIN:VEVENT\n\
SUMMARY:Ohjausryhmä\nX-ALT-DESC;FMTTYPE=text/html:<p>Esityslista &amp; liitteet</p>\n\
END:VEVENT\nBEGIN:VTODO\nSUMMARY:Loppuraportin luonnos\nDTSTAMP:20180110\nEND:VTODO\n\
END:VCALENDAR\n";
        let doc = read(ics).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.meta.title.as_deref(), Some("AOA-hankkeen kokoukset"));
        assert_eq!(
            doc.pages[0].text,
            "Ohjausryhmä\nEsityslista & liitteet\n\nLoppuraportin luonnos"
        );
        assert_eq!(doc.meta.created, None);
    }

    #[test]
    fn a_cut_file_keeps_its_open_event_and_a_stranger_is_refused() {
        let doc = read("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Työpaja\nDESCRIPTION:Asukk")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.pages[0].text, "Työpaja\nAsukk");
        assert!(matches!(
            read("SUMMARY:ei kalenteri"),
            Err(Error::Corrupt(_))
        ));
        // A lone event, and a value folded after a blank line as old Mozilla wrote it.
        let doc = read("BEGIN:VEVENT\nSUMMARY\n\n :Joulupäivä\nEND:VEVENT\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.pages[0].text, "Joulupäivä");
    }

    #[test]
    fn events_around_deep_nesting_keep_their_text() {
        // 40,000 components opened and 40,000 ends that match none (a hostile file: each end
        // searched the whole stack before the depth was bounded).
        let mut ics = String::from("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Ensin\n");
        ics.push_str(&"BEGIN:VX\n".repeat(40_000));
        ics.push_str(&"END:VY\n".repeat(40_000));
        ics.push_str("END:VEVENT\nBEGIN:VEVENT\nSUMMARY:Sitten\nEND:VEVENT\n");
        let doc = read(&ics).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.pages[0].text, "Ensin\n\nSitten");
    }

    #[test]
    fn a_fold_inside_a_character_and_quoted_parameters() {
        // "Työpaja" folded between the two bytes of "ö", as octet-counting writers do.
        let ics = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Ty\xc3\r\n \xb6paja p\xc3\xa4\xc3\xa4t\xc3\xb6s\r\n\
ORGANIZER;CN=\"Virtanen; Liisa\";ROLE=CHAIR:MAILTO:liisa@example.fi\r\nEND:VEVENT\r\n";
        let doc = Ics
            .extract(ics, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.pages[0].text, "Työpaja päätös");
        assert_eq!(doc.meta.author.as_deref(), Some("Virtanen; Liisa"));
        // An empty name gives way to the address, whatever the case of its scheme.
        let doc = read("BEGIN:VEVENT\nORGANIZER;CN=\"\":MAILTO:a@b.fi\nEND:VEVENT\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.meta.author.as_deref(), Some("a@b.fi"));
        // UTF-16 with its mark, as some Windows tools save: folds undone after decoding, and
        // U+200A (bytes 0A 20 in UTF-16LE) is a character, not a fold.
        let text = "BEGIN:VEVENT\r\nSUMMARY:Asukasraadin ko\r\n kous\u{200a}2\r\nEND:VEVENT\r\n";
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let doc = Ics
            .extract(&utf16, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.pages[0].text, "Asukasraadin kokous\u{200a}2");
    }

    #[test]
    fn values_and_dates() {
        assert_eq!(unescaped(r"a\,b\;c\\d\Ne"), "a,b;c\\d\ne");
        assert_eq!(iso("20170914T173000Z"), "2017-09-14T17:30:00Z");
        assert_eq!(iso("20170914T173000"), "2017-09-14T17:30:00");
        assert_eq!(iso("20170914"), "2017-09-14");
        assert_eq!(iso("2017"), "2017");
        let (name, params, value) =
            content_line("ORGANIZER;CN=\"A: B\":mailto:x@y").unwrap_or_else(|| panic!("no line"));
        assert_eq!((name.as_str(), value), ("ORGANIZER", "mailto:x@y"));
        assert_eq!(param(&params, "CN"), Some("A: B"));
    }
}

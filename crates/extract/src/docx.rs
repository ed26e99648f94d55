//! WordprocessingML (DOCX, DOCM, DOTX): the body in document order, then headers and
//! footers, notes and comments as pages of their own.

use crate::ooxml::{self, Relationship};
use crate::package::Package;
use crate::xml::{self, Flow, Node, TextSink};
use crate::{Error, Extractor, Limits};
use kooste_model::{Document, Format, Page};

pub(crate) struct Docx;

const REL_OFFICE_DOCUMENT: &str = "/officeDocument";

impl Extractor for Docx {
    fn format(&self) -> Format {
        Format::Docx
    }

    fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
        let mut package = Package::open(bytes, limits)?;
        let main = main_part(&mut package, limits)?;
        let meta = ooxml::core_properties(&mut package, limits)?;
        let body_xml = package.read_xml(&main)?;
        let mut pages = vec![Page::new(1, wordprocessing_text(&body_xml, &main, limits)?)];

        let rels = ooxml::relationships(&mut package, &main, limits)?;
        let sections: [(&str, &[&str]); 3] = [
            ("headers", &["/header", "/footer"]),
            ("notes", &["/footnotes", "/endnotes"]),
            ("comments", &["/comments"]),
        ];
        for (name, kinds) in sections {
            let text = parts_text(&mut package, &rels, kinds, limits)?;
            if !text.trim().is_empty() {
                pages.push(Page {
                    name: Some(name.to_string()),
                    ..Page::new(pages.len() as u32 + 1, text)
                });
            }
        }
        Ok(Document {
            format: Format::Docx,
            pages,
            meta,
        })
    }
}

/// The main document part named by the package relationships; `word/document.xml` when the
/// relationships are missing, as some generators leave them.
fn main_part(package: &mut Package<'_>, limits: &Limits) -> Result<String, Error> {
    let root = ooxml::relationships(package, "", limits)?;
    let named = root
        .into_iter()
        .find(|r| r.kind.ends_with(REL_OFFICE_DOCUMENT))
        .map(|r| r.target)
        .filter(|t| package.find(t).is_some());
    Ok(named.unwrap_or_else(|| "word/document.xml".to_string()))
}

/// Text of every related part of the given kinds, each distinct text once (the same footer
/// on every section would otherwise repeat).
fn parts_text(
    package: &mut Package<'_>,
    rels: &[Relationship],
    kinds: &[&str],
    limits: &Limits,
) -> Result<String, Error> {
    let mut seen: Vec<String> = Vec::new();
    for rel in rels
        .iter()
        .filter(|r| kinds.iter().any(|k| r.kind.ends_with(k)))
    {
        if package.find(&rel.target).is_none() {
            continue;
        }
        let part_xml = package.read_xml(&rel.target)?;
        let text = wordprocessing_text(&part_xml, &rel.target, limits)?;
        if !text.trim().is_empty() && !seen.contains(&text) {
            seen.push(text);
        }
    }
    Ok(seen.join("\n"))
}

/// The visible text of a WordprocessingML part: runs in order, paragraphs and table rows on
/// lines of their own, cells separated by tabs. Deleted text, field instructions, property
/// blocks and the fallback branch of alternate content are not text a reader sees.
pub(crate) fn wordprocessing_text(
    xml_text: &str,
    part: &str,
    limits: &Limits,
) -> Result<String, Error> {
    let mut sink = TextSink::new(limits.max_text_chars);
    let mut in_text = false;
    xml::walk(xml_text, part, limits, |node| {
        match node {
            Node::Open { name, empty, .. } => match name {
                "pPr" | "rPr" | "sectPr" | "tblPr" | "trPr" | "tcPr" | "instrText" | "delText"
                | "Fallback" | "docPr" | "fldData" => return Flow::SkipChildren,
                "t" => in_text = !empty,
                "tab" | "ptab" => sink.push_char('\t'),
                "br" | "cr" => sink.push_char('\n'),
                "noBreakHyphen" => sink.push_char('-'),
                "softHyphen" => sink.push_char('\u{ad}'),
                "tc" => sink.cell_gap(),
                _ => {}
            },
            Node::Close { name } => match name {
                "t" => in_text = false,
                "p" | "tr" => sink.end_line(),
                _ => {}
            },
            Node::Text(t) if in_text => sink.push(t),
            Node::Text(_) => {}
        }
        Flow::Continue
    })?;
    Ok(sink.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str) -> String {
        let xml = format!(
            r#"<w:document xmlns:w="w" xmlns:mc="mc"><w:body>{body}</w:body></w:document>"#
        );
        wordprocessing_text(&xml, "word/document.xml", &Limits::default()).unwrap_or_default()
    }

    #[test]
    fn paragraphs_runs_and_tabs() {
        assert_eq!(
            text(
                "<w:p><w:r><w:t>Asiakas</w:t></w:r><w:r><w:t xml:space=\"preserve\">kokemus </w:t><w:tab/><w:t>2017</w:t></w:r></w:p><w:p><w:r><w:t>Toinen</w:t></w:r></w:p>"
            ),
            "Asiakaskokemus \t2017\nToinen"
        );
    }

    #[test]
    fn drops_deleted_text_field_codes_and_fallbacks() {
        let body = "<w:p><w:del><w:r><w:delText>poistettu</w:delText></w:r></w:del>\
            <w:ins><w:r><w:t>lisätty</w:t></w:r></w:ins>\
            <w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>3</w:t></w:r>\
            <mc:AlternateContent><mc:Choice><w:t>valinta</w:t></mc:Choice><mc:Fallback><w:t>varalla</w:t></mc:Fallback></mc:AlternateContent></w:p>";
        assert_eq!(text(body), "lisätty3valinta");
    }

    #[test]
    fn tables_put_cells_on_tabs_and_rows_on_lines() {
        let row = |a: &str, b: &str| {
            format!(
                "<w:tr><w:tc><w:p><w:r><w:t>{a}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{b}</w:t></w:r></w:p></w:tc></w:tr>"
            )
        };
        let t = text(&format!(
            "<w:tbl>{}{}</w:tbl>",
            row("Kaupunki", "Malli"),
            row("Espoo", "Viitekehys")
        ));
        assert_eq!(t, "Kaupunki\nMalli\nEspoo\nViitekehys");
    }
}

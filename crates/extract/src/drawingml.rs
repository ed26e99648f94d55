//! Text of DrawingML shape trees: PowerPoint slides, layouts and notes, spreadsheet
//! drawings, SmartArt drawings. Shapes are read in tree order (group shapes recursively),
//! tables a row to a line, and graphic frames that point into other parts (charts,
//! SmartArt, embedded documents) are handed to a resolver, whose text takes the frame's
//! place.

use crate::xml::{self, Flow, Node, TextSink};
use crate::{Error, Limits};

/// A graphic frame's pointer into another part, by relationship id of the part being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reference {
    Chart(String),
    /// SmartArt: the data part (`r:dm`) holding the text of its nodes.
    Diagram(String),
    /// An embedded document (OLE object or package).
    Embedded(String),
}

/// Which placeholders hold no text of their own worth reading.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Slide,
    /// A notes page: its slide image, number, header, footer and date are layout.
    Notes,
    /// A layout or master: only shapes that are not placeholders show on slides.
    Master,
    /// Spreadsheet drawings, SmartArt drawings.
    Other,
}

pub(crate) struct ShapesText {
    pub text: String,
    /// `show="0"` on the slide.
    pub hidden: bool,
    /// False when the slide or layout hides its master's shapes (`showMasterSp="0"`).
    pub show_master: bool,
}

/// The text of a shape tree part. `resolve` turns a reference into the text to put in its
/// place (`None` when it has none).
pub(crate) fn shapes_text(
    xml_text: &str,
    part: &str,
    limits: &Limits,
    kind: Kind,
    resolve: &mut dyn FnMut(Reference) -> Option<String>,
) -> Result<ShapesText, Error> {
    let mut sink = TextSink::new(limits.max_text_chars);
    let mut text_depth = 0u32;
    let mut hidden = false;
    let mut show_master = true;
    // Depth of the shape whose text is suppressed (a placeholder we do not read).
    let mut suppress: Option<usize> = None;
    let mut depth = 0usize;
    let mut shape_depth: Vec<usize> = Vec::new();
    // Cells written in the current row of each open table.
    let mut tables: Vec<usize> = Vec::new();
    let mut in_cell = false;
    xml::walk(xml_text, part, limits, |node| {
        match node {
            Node::Open {
                name,
                element,
                empty,
            } => {
                if !empty {
                    depth += 1;
                }
                match name {
                    "rPr" | "pPr" | "bodyPr" | "spPr" | "extLst" | "lstStyle" | "endParaRPr"
                    | "style" | "tblPr" | "tblGrid" | "tcPr" | "grpSpPr" | "blipFill"
                    | "nvPicPr" | "clrMap" | "bg" | "txStyles" | "timing" | "transition" => {
                        return Flow::SkipChildren;
                    }
                    "sld" | "sldLayout" => {
                        let off = |v: String| v == "0" || v == "false";
                        hidden = name == "sld" && xml::attr(element, "show").is_some_and(off);
                        show_master = !xml::attr(element, "showMasterSp").is_some_and(off);
                    }
                    "sp" | "cxnSp" | "graphicFrame" | "pic" if !empty => shape_depth.push(depth),
                    "ph" => {
                        let ph = xml::attr(element, "type").unwrap_or_default();
                        let skip = match kind {
                            Kind::Notes => {
                                matches!(ph.as_str(), "sldImg" | "sldNum" | "hdr" | "ftr" | "dt")
                            }
                            Kind::Master => true,
                            Kind::Slide | Kind::Other => false,
                        };
                        if skip && suppress.is_none() {
                            suppress = shape_depth.last().copied();
                        }
                    }
                    "t" if !empty => text_depth += 1,
                    "br" if suppress.is_none() => {
                        if in_cell {
                            sink.space()
                        } else {
                            sink.push_char('\n')
                        }
                    }
                    "tbl" if !empty => tables.push(0),
                    "tr" if !empty => {
                        if let Some(cells) = tables.last_mut() {
                            *cells = 0;
                        }
                    }
                    "tc" => {
                        if let Some(cells) = tables.last_mut() {
                            if *cells > 0 {
                                sink.cell_gap();
                            }
                            *cells += 1;
                        }
                        in_cell = !empty;
                    }
                    "chart" | "relIds" | "oleObj" if suppress.is_none() => {
                        let reference = match name {
                            "chart" => xml::attr(element, "id").map(Reference::Chart),
                            "relIds" => xml::attr(element, "dm").map(Reference::Diagram),
                            _ => xml::attr(element, "id").map(Reference::Embedded),
                        };
                        if let Some(text) = reference.and_then(&mut *resolve) {
                            sink.push_block(&text);
                        }
                        if name == "oleObj" {
                            // Its picture fallback holds no text.
                            return Flow::SkipChildren;
                        }
                    }
                    _ => {}
                }
            }
            Node::Text(t) if text_depth > 0 && suppress.is_none() => sink.push(t),
            Node::Text(_) => {}
            Node::Close { name } => {
                match name {
                    "t" => text_depth = text_depth.saturating_sub(1),
                    "p" if suppress.is_none() => {
                        if in_cell {
                            sink.space()
                        } else {
                            sink.end_line()
                        }
                    }
                    "tc" => in_cell = false,
                    "tr" => sink.end_line(),
                    "tbl" => {
                        tables.pop();
                        sink.end_line();
                    }
                    _ => {}
                }
                if shape_depth.last() == Some(&depth) {
                    shape_depth.pop();
                    if suppress == Some(depth) {
                        suppress = None;
                    }
                }
                depth = depth.saturating_sub(1);
            }
        }
        Flow::Continue
    })?;
    Ok(ShapesText {
        text: sink.finish(),
        hidden,
        show_master,
    })
}

/// The text of a SmartArt data part (`dgm:dataModel`): the text of each node in the order
/// the model lists them. Connector and presentation points carry no text of the diagram's.
pub(crate) fn diagram_text(xml_text: &str, part: &str, limits: &Limits) -> Result<String, Error> {
    let mut sink = TextSink::new(limits.max_text_chars);
    let mut in_point = false;
    let mut text_depth = 0u32;
    xml::walk(xml_text, part, limits, |node| {
        match node {
            Node::Open {
                name,
                element,
                empty,
            } => match name {
                "pt" if !empty => {
                    let kind = xml::attr(element, "type").unwrap_or_default();
                    if matches!(kind.as_str(), "parTrans" | "sibTrans" | "pres") {
                        return Flow::SkipChildren;
                    }
                    in_point = true;
                }
                "prSet" | "spPr" | "rPr" | "pPr" | "bodyPr" | "extLst" | "cxnLst" | "bg"
                | "whole" => return Flow::SkipChildren,
                "t" if !empty && in_point => text_depth += 1,
                _ => {}
            },
            Node::Text(t) if text_depth > 0 => sink.push(t),
            Node::Text(_) => {}
            Node::Close { name } => match name {
                "t" => text_depth = text_depth.saturating_sub(1),
                "p" if in_point => sink.end_line(),
                "pt" => {
                    in_point = false;
                    sink.end_line();
                }
                _ => {}
            },
        }
        Flow::Continue
    })?;
    Ok(sink.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slide(xml: &str, kind: Kind) -> (String, bool, Vec<Reference>) {
        let mut refs = Vec::new();
        let r = shapes_text(
            xml,
            "ppt/slides/slide1.xml",
            &Limits::default(),
            kind,
            &mut |r| {
                let text = match &r {
                    Reference::Chart(id) => Some(format!("kaavio {id}")),
                    _ => None,
                };
                refs.push(r);
                text
            },
        );
        match r {
            Ok(s) => (s.text, s.hidden, refs),
            Err(e) => (format!("error {e}"), false, refs),
        }
    }

    fn sp(ph: &str, text: &str) -> String {
        format!(
            "<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"x\"/><p:nvPr>{ph}</p:nvPr></p:nvSpPr>\
             <p:txBody><a:bodyPr/><a:p><a:r><a:rPr lang=\"fi\"/><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp>"
        )
    }

    #[test]
    fn groups_tables_and_frames_in_tree_order() {
        let xml = format!(
            "<p:sld show=\"0\"><p:cSld><p:spTree>{}<p:grpSp><p:grpSpPr/>{}<p:grpSp>{}</p:grpSp></p:grpSp>\
             <p:graphicFrame><a:graphic><a:graphicData><a:tbl><a:tblGrid/>\
             <a:tr><a:tc><a:txBody><a:p><a:r><a:t>Kaupunki</a:t></a:r></a:p><a:p><a:r><a:t>nimi</a:t></a:r></a:p></a:txBody></a:tc>\
             <a:tc><a:txBody><a:p><a:r><a:t>Teema</a:t></a:r></a:p></a:txBody></a:tc></a:tr>\
             <a:tr><a:tc><a:txBody><a:p><a:r><a:t>Oulu</a:t></a:r></a:p></a:txBody></a:tc><a:tc hMerge=\"1\"/></a:tr>\
             </a:tbl></a:graphicData></a:graphic></p:graphicFrame>\
             <p:graphicFrame><a:graphic><a:graphicData><c:chart r:id=\"rId7\"/></a:graphicData></a:graphic></p:graphicFrame>\
             </p:spTree></p:cSld></p:sld>",
            sp("<p:ph type=\"title\"/>", "Otsikko"),
            sp("", "Ryhmässä"),
            sp("", "Syvemmällä"),
        );
        let (text, hidden, refs) = slide(&xml, Kind::Slide);
        assert_eq!(
            text,
            "Otsikko\nRyhmässä\nSyvemmällä\nKaupunki nimi\tTeema\nOulu\nkaavio rId7"
        );
        assert!(hidden);
        assert_eq!(refs, [Reference::Chart("rId7".into())]);
    }

    #[test]
    fn notes_skip_layout_placeholders() {
        let xml = format!(
            "<p:notes><p:cSld><p:spTree>{}{}{}</p:spTree></p:cSld></p:notes>",
            sp("<p:ph type=\"sldImg\"/>", "kuva"),
            sp("<p:ph type=\"body\" idx=\"1\"/>", "Puhujan muistiinpano"),
            sp("<p:ph type=\"sldNum\"/>", "4"),
        );
        assert_eq!(slide(&xml, Kind::Notes).0, "Puhujan muistiinpano");
    }

    #[test]
    fn masters_show_only_their_own_shapes() {
        let xml = format!(
            "<p:sldMaster><p:cSld><p:spTree>{}{}</p:spTree></p:cSld></p:sldMaster>",
            sp("<p:ph type=\"title\"/>", "Muokkaa otsikkoa"),
            sp("", "Luottamuksellinen"),
        );
        assert_eq!(slide(&xml, Kind::Master).0, "Luottamuksellinen");
    }

    #[test]
    fn smartart_node_text_without_connectors() {
        let xml = r#"<dgm:dataModel><dgm:ptLst>
            <dgm:pt modelId="0" type="doc"><dgm:prSet/><dgm:t><a:bodyPr/><a:p><a:endParaRPr/></a:p></dgm:t></dgm:pt>
            <dgm:pt modelId="1"><dgm:t><a:bodyPr/><a:p><a:r><a:t>Kartoitus</a:t></a:r></a:p></dgm:t></dgm:pt>
            <dgm:pt modelId="2" type="parTrans"><dgm:t><a:p><a:r><a:t>väärä</a:t></a:r></a:p></dgm:t></dgm:pt>
            <dgm:pt modelId="3"><dgm:t><a:p><a:r><a:t>Yhteiskehittäminen</a:t></a:r></a:p></dgm:t></dgm:pt>
            <dgm:pt modelId="4" type="pres"><dgm:prSet presName="x"/></dgm:pt>
            </dgm:ptLst><dgm:cxnLst/></dgm:dataModel>"#;
        let text = diagram_text(xml, "ppt/diagrams/data1.xml", &Limits::default());
        assert_eq!(text.ok().as_deref(), Some("Kartoitus\nYhteiskehittäminen"));
    }
}

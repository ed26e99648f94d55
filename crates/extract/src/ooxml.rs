//! What the Office Open XML formats share: relationship parts and document properties.

use crate::drawingml::{self, Reference};
use crate::package::Package;
use crate::xml::{self, Flow, Node};
use crate::{Error, Limits};
use kooste_model::Meta;
use std::collections::HashMap;

/// One relationship of a part: `Id` to a target part, resolved to a package path.
pub(crate) struct Relationship {
    pub id: String,
    pub kind: String,
    pub target: String,
}

/// The `_rels/<name>.rels` part that belongs to a part.
pub(crate) fn rels_path(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// The relationships of `part`, targets made absolute within the package. A missing rels
/// part means no relationships, as the OPC standard allows.
pub(crate) fn relationships(
    package: &mut Package<'_>,
    part: &str,
    limits: &Limits,
) -> Result<Vec<Relationship>, Error> {
    let path = rels_path(part);
    let Some(xml_text) = package.read_xml_if_present(&path)? else {
        return Ok(Vec::new());
    };
    let base = part.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut rels = Vec::new();
    xml::walk(&xml_text, &path, limits, |node| {
        if let Node::Open {
            name: "Relationship",
            element,
            ..
        } = node
        {
            let external = xml::attr(element, "TargetMode").is_some_and(|m| m == "External");
            if let (Some(id), Some(target), false) = (
                xml::attr(element, "Id"),
                xml::attr(element, "Target"),
                external,
            ) {
                rels.push(Relationship {
                    id,
                    kind: xml::attr(element, "Type").unwrap_or_default(),
                    target: resolve(base, &target),
                });
            }
        }
        Flow::Continue
    })?;
    Ok(rels)
}

/// The package's main part (`officeDocument` relationship), or `fallback` when the package
/// relationships are missing or point nowhere, as some generators leave them.
pub(crate) fn main_part(
    package: &mut Package<'_>,
    limits: &Limits,
    fallback: &str,
) -> Result<String, Error> {
    let root = relationships(package, "", limits)?;
    let named = root
        .into_iter()
        .find(|r| r.kind.ends_with("/officeDocument"))
        .map(|r| r.target)
        .filter(|t| package.find(t).is_some());
    Ok(named.unwrap_or_else(|| fallback.to_string()))
}

/// The package zipped again in memory, each part as `part` gives it (most read through the
/// package, so that their expansion counts against the limits).
pub(crate) fn repacked(
    package: &mut Package<'_>,
    limits: &Limits,
    mut part: impl FnMut(&mut Package<'_>, &str) -> Result<Vec<u8>, Error>,
) -> Result<Vec<u8>, Error> {
    let names: Vec<String> = package.names().to_vec();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let zip_error = |e: zip::result::ZipError| Error::Zip(format!("repacking the package: {e}"));
    for name in names {
        limits.check_time()?;
        let data = part(package, &name)?;
        out.start_file(name.as_str(), options).map_err(zip_error)?;
        std::io::Write::write_all(&mut out, &data).map_err(|e| zip_error(e.into()))?;
    }
    Ok(out.finish().map_err(zip_error)?.into_inner())
}

/// Where the package's root relationships (`_rels/.rels`), which say where the document
/// is, are damaged or name no document part: the package again with ones that name `main`
/// (if it holds that part), and the part's name. One broken part of the package's plumbing
/// need not lose the document.
pub(crate) fn with_root_relationships(
    bytes: &[u8],
    limits: &Limits,
    main: &str,
) -> Option<(Vec<u8>, String)> {
    let mut package = Package::open(bytes, limits).ok()?;
    let names_main = relationships(&mut package, "", limits).is_ok_and(|rels| {
        rels.iter()
            .any(|r| r.kind.ends_with("/officeDocument") && package.find(&r.target).is_some())
    });
    if names_main {
        return None;
    }
    let main = package.find(main)?.to_string();
    let root = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/\
         2006/relationships/officeDocument\" Target=\"{}\"/></Relationships>",
        main.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    );
    let rels = rels_path("");
    let repacked = repacked(&mut package, limits, |package, name| {
        if name.eq_ignore_ascii_case(&rels) {
            Ok(root.clone().into_bytes())
        } else {
            package.read(name)
        }
    })
    .ok()?;
    Some((repacked, main))
}

/// The target of the relationship `id`, if it names a part the package holds.
pub(crate) fn target<'r>(
    package: &Package<'_>,
    rels: &'r [Relationship],
    id: &str,
) -> Option<&'r str> {
    rels.iter()
        .find(|r| r.id == id)
        .map(|r| r.target.as_str())
        .filter(|t| package.find(t).is_some())
}

/// Reads the parts that charts, SmartArt and embedded objects point to. Their damage costs
/// only their own text; running out of time stops the whole document, and is kept in
/// `fatal` for the caller to return.
pub(crate) struct Resolver<'p, 'a> {
    pub package: &'p mut Package<'a>,
    pub limits: &'p Limits,
    pub fatal: Option<Error>,
}

impl<'p, 'a> Resolver<'p, 'a> {
    pub(crate) fn new(package: &'p mut Package<'a>, limits: &'p Limits) -> Self {
        Resolver {
            package,
            limits,
            fatal: None,
        }
    }

    /// Text for a reference made by a part whose relationships are `rels`.
    pub(crate) fn resolve(
        &mut self,
        rels: &[Relationship],
        reference: Reference,
    ) -> Option<String> {
        if self.fatal.is_some() {
            return None;
        }
        let result = match &reference {
            Reference::Chart(id) => match target(self.package, rels, id).map(str::to_string) {
                Some(part) => self
                    .package
                    .read_xml(&part)
                    .and_then(|x| crate::chart::chart_text(&x, &part, self.limits)),
                None => return None,
            },
            Reference::Diagram(id) => match target(self.package, rels, id).map(str::to_string) {
                Some(part) => self
                    .package
                    .read_xml(&part)
                    .and_then(|x| drawingml::diagram_text(&x, &part, self.limits)),
                None => return None,
            },
            Reference::Embedded(id) => match target(self.package, rels, id).map(str::to_string) {
                Some(part) => self.embedded(&part),
                None => return None,
            },
        };
        match result {
            Ok(text) => Some(text).filter(|t| !t.trim().is_empty()),
            Err(e @ Error::Timeout(_)) => {
                self.fatal = Some(e);
                None
            }
            Err(_) => None,
        }
    }

    /// An embedded document (or a DOCX's imported HTML chunk) read as a document of its own,
    /// one level deeper. Legacy OLE objects and pictures give nothing.
    pub(crate) fn embedded(&mut self, part: &str) -> Result<String, Error> {
        let Some(nested) = self.limits.nested() else {
            return Ok(String::new());
        };
        let bytes = self.package.read(part)?;
        match crate::sniff(part, &bytes) {
            kooste_model::Format::Docx
            | kooste_model::Format::Pptx
            | kooste_model::Format::Xlsx
            | kooste_model::Format::Xlsb
            | kooste_model::Format::Odt
            | kooste_model::Format::Odp
            | kooste_model::Format::Ods
            | kooste_model::Format::Doc
            | kooste_model::Format::Ppt
            | kooste_model::Format::Rtf
            | kooste_model::Format::Xls
            | kooste_model::Format::Html
            | kooste_model::Format::Txt => {}
            _ => return Ok(String::new()),
        }
        crate::extract(part, &bytes, &nested).map(|d| d.text().replace('\u{c}', "\n"))
    }
}

/// Resolves a relationship target against the folder of its source part.
pub(crate) fn resolve(base: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = if base.is_empty() {
        Vec::new()
    } else {
        base.split('/').collect()
    };
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Title, author and dates from `docProps/core.xml`, when the package has it.
pub(crate) fn core_properties(package: &mut Package<'_>, limits: &Limits) -> Result<Meta, Error> {
    let mut meta = Meta::default();
    let Some(xml_text) = package.read_xml_if_present("docProps/core.xml")? else {
        return Ok(meta);
    };
    let mut current: Option<&'static str> = None;
    let mut value = String::new();
    let fields = ["title", "creator", "created", "modified", "lastModifiedBy"];
    // Damaged properties must not cost the document's text.
    let _ = xml::walk(&xml_text, "docProps/core.xml", limits, |node| {
        match node {
            Node::Open { name, empty, .. } => {
                if let Some(f) = fields.iter().find(|f| **f == name) {
                    current = (!empty).then_some(*f);
                    value.clear();
                }
            }
            Node::Text(t) if current.is_some() => value.push_str(t),
            Node::Close { name } if current == Some(name) => {
                let v = value.trim();
                if !v.is_empty() {
                    let v = Some(v.to_string());
                    match name {
                        "title" => meta.title = v,
                        "creator" => meta.author = v,
                        "lastModifiedBy" if meta.author.is_none() => meta.author = v,
                        "created" => meta.created = v,
                        "modified" => meta.modified = v,
                        _ => {}
                    }
                }
                current = None;
            }
            _ => {}
        }
        Flow::Continue
    });
    Ok(meta)
}

/// The parts of the pictures that the part `part` (its XML `xml`, its relationships `rels`)
/// shows, in the order it shows them, each once: DrawingML's `a:blip r:embed` and VML's
/// `v:imagedata r:id`, as Word and PowerPoint write a picture. Of an `mc:AlternateContent`,
/// the first branch that shows a picture OCR reads, else the first branch: PowerPoint for Mac
/// writes a pasted picture as a PDF with a PNG as its fallback.
pub(crate) fn picture_parts(
    package: &mut Package<'_>,
    xml_text: &str,
    part: &str,
    rels: &[Relationship],
    limits: &Limits,
) -> Result<Vec<String>, Error> {
    let by_id = targets_by_id(rels);
    // Whether a relationship leads to a picture OCR reads; each part is looked at once.
    let mut readable: HashMap<String, bool> = HashMap::new();
    let mut reads = |package: &mut Package<'_>, id: &str| -> bool {
        let Some(stored) = by_id
            .get(id)
            .and_then(|t| package.find(t))
            .map(str::to_string)
        else {
            return false;
        };
        if let Some(&known) = readable.get(&stored) {
            return known;
        }
        let known = crate::ocr_picture(package, &stored);
        readable.insert(stored, known);
        known
    };
    // The ids found outside any alternative; for each open alternative, its branches so far
    // (the depth it opened at, and the ids of each branch).
    let mut ids: Vec<String> = Vec::new();
    let mut alternatives: Vec<(usize, Vec<Vec<String>>)> = Vec::new();
    let mut depth = 0usize;
    xml::walk_branches(xml_text, part, limits, true, |node| {
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
                    "AlternateContent" if !empty => alternatives.push((depth, Vec::new())),
                    "Choice" | "Fallback" if !empty => {
                        if let Some((at, branches)) = alternatives.last_mut()
                            && *at + 1 == depth
                        {
                            branches.push(Vec::new());
                        }
                    }
                    "blip" | "imagedata" => {
                        let attribute = if name == "blip" { ":embed" } else { ":id" };
                        // The relationships namespace may be bound to any prefix.
                        if let Some(id) = element
                            .attributes()
                            .with_checks(false)
                            .filter_map(Result::ok)
                            .find(|a| a.key.0.ends_with(attribute))
                            .map(|a| a.value.into_owned())
                        {
                            match alternatives.last_mut().and_then(|(_, b)| b.last_mut()) {
                                Some(branch) => branch.push(id),
                                None => ids.push(id),
                            }
                        }
                    }
                    _ => {}
                }
            }
            Node::Close { name } => {
                if name == "AlternateContent"
                    && alternatives.last().is_some_and(|(at, _)| *at == depth)
                    && let Some((_, branches)) = alternatives.pop()
                {
                    let chosen = (branches.iter())
                        .position(|b| b.iter().any(|id| reads(package, id)))
                        .unwrap_or(0);
                    let chosen = branches.into_iter().nth(chosen).unwrap_or_default();
                    match alternatives.last_mut().and_then(|(_, b)| b.last_mut()) {
                        Some(branch) => branch.extend(chosen),
                        None => ids.extend(chosen),
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Node::Text(_) => {}
        }
        Flow::Continue
    })?;
    distinct_in(package, &by_id, &ids, limits)
}

/// Each relationship's target by its id; the first relationship of an id wins, as in a
/// search from the start.
fn targets_by_id(rels: &[Relationship]) -> HashMap<&str, &str> {
    rels.iter()
        .rev()
        .map(|r| (r.id.as_str(), r.target.as_str()))
        .collect()
}

/// The parts that the relationships `ids` of `rels` lead to, in the order given, each once,
/// where the package holds them. A part may name a million references against as many
/// relationships: each is looked up once, in maps. Part names are matched without regard to
/// case, so the name stored in the package tells repeats apart.
pub(crate) fn distinct_targets(
    package: &Package<'_>,
    rels: &[Relationship],
    ids: &[String],
    limits: &Limits,
) -> Result<Vec<String>, Error> {
    distinct_in(package, &targets_by_id(rels), ids, limits)
}

/// [`distinct_targets`] with the relationships' targets by id.
fn distinct_in(
    package: &Package<'_>,
    by_id: &HashMap<&str, &str>,
    ids: &[String],
    limits: &Limits,
) -> Result<Vec<String>, Error> {
    let mut seen = std::collections::HashSet::new();
    let mut parts: Vec<String> = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        if n % 4096 == 4095 {
            limits.check_time()?;
        }
        if let Some(&target) = by_id.get(id.as_str())
            && let Some(stored) = package.find(target)
            && seen.insert(stored)
        {
            parts.push(stored.to_string());
        }
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_whose_root_relationships_are_damaged_is_read_from_its_workbook_part() {
        let workbook = |root_rels: &str| {
            crate::docx::tests::zip_of(&[
                (
                    "[Content_Types].xml",
                    "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/\
                     package/2006/content-types\"><Default Extension=\"rels\" \
                     ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                     <Default Extension=\"xml\" ContentType=\"application/xml\"/><Override \
                     PartName=\"/xl/workbook.xml\" ContentType=\"application/\
                     vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
                     <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\
                     \"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\
                     \"/></Types>",
                ),
                ("_rels/.rels", root_rels),
                (
                    "xl/workbook.xml",
                    "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/\
                     spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/\
                     officeDocument/2006/relationships\"><sheets><sheet name=\"Taulu\" \
                     sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
                ),
                (
                    "xl/_rels/workbook.xml.rels",
                    "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.\
                     openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" \
                     Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/\
                     worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>",
                ),
                (
                    "xl/worksheets/sheet1.xml",
                    "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/\
                     spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" \
                     t=\"inlineStr\"><is><t>Asukasraati</t></is></c></row></sheetData>\
                     </worksheet>",
                ),
            ])
        };
        let read = |bytes: &[u8]| crate::extract("taulu.xlsx", bytes, &Limits::default());
        for damaged in [
            "<?xml version=\"1.0\"?>\nCORRUPTED",
            "<?xml version=\"1.0\"?><Relationships><Relationship Id=",
        ] {
            let doc = read(&workbook(damaged)).unwrap_or_else(|e| panic!("{damaged}: {e}"));
            assert_eq!(doc.text(), "Taulu\nAsukasraati", "{damaged}");
            assert_eq!(
                doc.damaged.as_deref(),
                Some(
                    "the package's root relationships (_rels/.rels) are damaged; read from its \
                     xl/workbook.xml"
                )
            );
        }
    }

    #[test]
    fn resolves_relative_targets() {
        assert_eq!(
            resolve("ppt/slides", "../notesSlides/notesSlide1.xml"),
            "ppt/notesSlides/notesSlide1.xml"
        );
        assert_eq!(resolve("ppt", "slides/slide2.xml"), "ppt/slides/slide2.xml");
        assert_eq!(resolve("word", "/word/header1.xml"), "word/header1.xml");
        assert_eq!(resolve("", "word/document.xml"), "word/document.xml");
    }

    #[test]
    fn rels_live_beside_their_part() {
        assert_eq!(
            rels_path("ppt/slides/slide1.xml"),
            "ppt/slides/_rels/slide1.xml.rels"
        );
        assert_eq!(rels_path("x.xml"), "_rels/x.xml.rels");
    }
}

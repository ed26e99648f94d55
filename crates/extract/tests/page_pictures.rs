//! The pictures a document's pages show, for OCR to read where a document has no text: which
//! pictures, on which page, in what order, and which are left out. Values on corpus files
//! were read independently from the packages' XML (their `r:embed` references through the
//! slides' and the body's relationships).

mod common;

use common::{Data, ROOT_RELS, corpus, zip};
use kooste_extract::{Limits, MAX_PAGE_PICTURES, PagePictures, page_pictures};
use kooste_model::Picture;

/// (page, kind, size) of a picture found.
type Shown = (u32, Picture, usize);

fn shown(found: &PagePictures) -> Vec<Shown> {
    found
        .pictures
        .iter()
        .map(|p| (p.page, p.picture, p.bytes.len()))
        .collect()
}

fn corpus_file(name: &str) -> Option<PagePictures> {
    let Some(root) = corpus() else {
        eprintln!("no corpus at ../shared/corpus: {name} not checked");
        return None;
    };
    let bytes = std::fs::read(root.join(name)).ok()?;
    Some(page_pictures(name, &bytes, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}")))
}

#[test]
fn corpus_documents_give_their_pictures_in_order_small_ones_and_copies_left_out() {
    let expected: [(&str, &[Shown]); 4] = [
        (
            "docx/tika__2pic.docx",
            &[(1, Picture::Jpeg, 416_734), (1, Picture::Jpeg, 455_436)],
        ),
        // The body shows image1 (3,739 bytes, too small), then image2 and image3 twice each.
        (
            "docx/pydocx__having-images.docx",
            &[(1, Picture::Png, 64_276), (1, Picture::Png, 6_111)],
        ),
        // The slide's third picture has 3,072 bytes.
        (
            "pptx/tika__testPPT_2imgs.pptx",
            &[(1, Picture::Png, 4_444), (1, Picture::Gif, 8_495)],
        ),
        ("odt/kreuzberg__image.odt", &[(1, Picture::Jpeg, 16_270)]),
    ];
    for (name, want) in expected {
        let Some(found) = corpus_file(name) else {
            return;
        };
        assert_eq!(shown(&found), want, "{name}");
        assert_eq!(found.left_out, 0, "{name}");
    }
}

#[test]
fn a_flat_opendocument_file_shows_none_and_a_package_without_a_directory_is_an_error() {
    // Flat XML: its pictures, if any, are inline, and it is no package to open.
    let Some(flat) = corpus_file("fodp/tika__testODPMacro.fodp") else {
        return;
    };
    assert_eq!(flat, PagePictures::default());
    // Extraction reads what precedes the cut; the pictures are not looked for there.
    let Some(root) = corpus() else {
        return;
    };
    let name = "pptx/poi__clusterfuzz-testcase-minimized-POIXSLFFuzzer-5471515212382208.pptx";
    let bytes = std::fs::read(root.join(name)).unwrap_or_default();
    assert!(page_pictures(name, &bytes, &Limits::default()).is_err());
}

#[test]
fn pictures_drawn_as_vector_graphics_are_not_given_to_ocr() {
    // Its three pictures are two EMF drawings and one PNG.
    let Some(found) = corpus_file("docx/kreuzberg__test_emf_docx.docx") else {
        return;
    };
    assert_eq!(shown(&found), [(1, Picture::Png, 111_028)]);
}

/// A PNG of `size` bytes: its signature, then filler. Only the signature is looked at.
fn png(size: usize) -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.resize(size, 7);
    bytes
}

const RELS_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const IMAGE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image";

fn rels(targets: &[(&str, &str)]) -> String {
    let rows: String = targets
        .iter()
        .map(|(id, target)| {
            format!(r#"<Relationship Id="{id}" Type="{IMAGE}" Target="{target}"/>"#)
        })
        .collect();
    format!(r#"<Relationships xmlns="{RELS_NS}">{rows}</Relationships>"#)
}

#[test]
fn a_presentation_gives_each_slide_its_pictures_in_presentation_order() {
    let big = png(5000);
    let other = png(6000);
    let layout_logo = png(7000);
    let presentation = r#"<p:presentation xmlns:p="p" xmlns:r="r"><p:sldIdLst><p:sldId id="256" r:id="rId2"/><p:sldId id="257" r:id="rId1"/></p:sldIdLst></p:presentation>"#;
    let presentation_rels = format!(
        r#"<Relationships xmlns="{RELS_NS}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide2.xml"/></Relationships>"#
    );
    let root = ROOT_RELS.replace("word/document.xml", "ppt/presentation.xml");
    // The prefix of the relationships namespace is not always `r`.
    let slide = |ids: &[&str]| {
        let pics: String = ids
            .iter()
            .map(|id| {
                format!(r#"<p:pic><p:blipFill><a:blip rel:embed="{id}"/></p:blipFill></p:pic>"#)
            })
            .collect();
        format!(
            r#"<p:sld xmlns:p="p" xmlns:a="a" xmlns:rel="r"><p:cSld><p:spTree>{pics}</p:spTree></p:cSld></p:sld>"#
        )
    };
    let slide1 = slide(&["rId7", "rId8"]);
    let slide2 = slide(&["rId3"]);
    let bytes = zip(&[
        ("_rels/.rels", Data::Text(&root)),
        ("ppt/presentation.xml", Data::Text(presentation)),
        (
            "ppt/_rels/presentation.xml.rels",
            Data::Text(&presentation_rels),
        ),
        ("ppt/slides/slide1.xml", Data::Text(&slide1)),
        (
            "ppt/slides/_rels/slide1.xml.rels",
            Data::Text(&rels(&[
                ("rId7", "../media/b.png"),
                ("rId8", "../media/missing.png"),
            ])),
        ),
        ("ppt/slides/slide2.xml", Data::Text(&slide2)),
        (
            "ppt/slides/_rels/slide2.xml.rels",
            Data::Text(&rels(&[("rId3", "../media/a.png")])),
        ),
        ("ppt/media/a.png", Data::Bytes(&big)),
        ("ppt/media/b.png", Data::Bytes(&other)),
        // In the package, but shown by no slide.
        ("ppt/media/logo.png", Data::Bytes(&layout_logo)),
    ]);
    let found = page_pictures("esitys.pptx", &bytes, &Limits::default()).expect("pictures");
    // slide2.xml is the first slide; the missing picture costs only itself.
    assert_eq!(
        shown(&found),
        [(1, Picture::Png, 5000), (2, Picture::Png, 6000)]
    );
}

#[test]
fn a_word_document_gives_body_pictures_of_both_kinds_and_no_more_than_the_cap() {
    let count = MAX_PAGE_PICTURES + 3;
    let mut body = String::new();
    let mut targets = Vec::new();
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..count {
        // Word writes DrawingML pictures; older files VML ones.
        if i % 2 == 0 {
            body.push_str(&format!(
                r#"<w:p><w:r><w:drawing><a:blip r:embed="rId{i}"/></w:drawing></w:r></w:p>"#
            ));
        } else {
            body.push_str(&format!(
                r#"<w:p><w:r><w:pict><v:imagedata r:id="rId{i}"/></w:pict></w:r></w:p>"#
            ));
        }
        targets.push((format!("rId{i}"), format!("media/image{i}.png")));
        entries.push((format!("word/media/image{i}.png"), png(4096 + i)));
    }
    let document = format!(
        r#"<w:document xmlns:w="w" xmlns:a="a" xmlns:v="v" xmlns:r="r"><w:body>{body}</w:body></w:document>"#
    );
    let targets: Vec<(&str, &str)> = targets
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let document_rels = rels(&targets);
    let mut all = vec![
        ("_rels/.rels", Data::Text(ROOT_RELS)),
        ("word/document.xml", Data::Text(&document)),
        ("word/_rels/document.xml.rels", Data::Text(&document_rels)),
    ];
    all.extend(entries.iter().map(|(n, b)| (n.as_str(), Data::Bytes(b))));
    let found = page_pictures("muistio.docx", &zip(&all), &Limits::default()).expect("pictures");
    assert_eq!(found.pictures.len(), MAX_PAGE_PICTURES);
    assert_eq!(found.left_out, 3);
    let sizes: Vec<usize> = found.pictures.iter().map(|p| p.bytes.len()).collect();
    let want: Vec<usize> = (0..MAX_PAGE_PICTURES).map(|i| 4096 + i).collect();
    assert_eq!(sizes, want, "in the order the body shows them");
    assert!(found.pictures.iter().all(|p| p.page == 1));
}

#[test]
fn an_opendocument_presentation_gives_slides_their_pictures_and_not_the_notes() {
    let content = r#"<office:document-content xmlns:office="o" xmlns:draw="d" xmlns:xlink="x" xmlns:presentation="p"><office:body><office:presentation>
        <draw:page><draw:frame><draw:image xlink:href="Pictures/a.png"/></draw:frame></draw:page>
        <draw:page><presentation:notes><draw:frame><draw:image xlink:href="Pictures/n.png"/></draw:frame></presentation:notes></draw:page>
        <draw:page><draw:frame><draw:image xlink:href="./Pictures/b.png"/></draw:frame><draw:frame><draw:image xlink:href="https://example.org/c.png"/></draw:frame></draw:page>
        </office:presentation></office:body></office:document-content>"#;
    let (a, n, b) = (png(5000), png(5100), png(5200));
    let bytes = zip(&[
        (
            "mimetype",
            Data::Text("application/vnd.oasis.opendocument.presentation"),
        ),
        ("content.xml", Data::Text(content)),
        ("Pictures/a.png", Data::Bytes(&a)),
        ("Pictures/n.png", Data::Bytes(&n)),
        ("Pictures/b.png", Data::Bytes(&b)),
    ]);
    let found = page_pictures("esitys.odp", &bytes, &Limits::default()).expect("pictures");
    assert_eq!(
        shown(&found),
        [(1, Picture::Png, 5000), (3, Picture::Png, 5200)]
    );
}

#[test]
fn other_formats_and_broken_packages_give_nothing_or_an_error() {
    let limits = Limits::default();
    let text = page_pictures("muistio.txt", b"Kokous pidettiin.", &limits).expect("no pictures");
    assert_eq!(text, PagePictures::default());
    assert!(page_pictures("rikki.docx", b"PK\x03\x04 not a zip", &limits).is_err());
}

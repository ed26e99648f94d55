//! The pictures a document's pages show, for OCR to read where a document has no text: which
//! pictures, on which page, in what order, and which are left out. Values on corpus files
//! were read independently from the packages' XML (their `r:embed` references through the
//! slides' and the body's relationships).

mod common;

use common::{Data, ROOT_RELS, corpus, zip};
use kooste_extract::{Error, Limits, MAX_PAGE_PICTURES, page_pictures};
use kooste_model::Picture;

/// (page, kind, size) of a picture found.
type Shown = (u32, Picture, usize);

/// What `page_pictures` gave of a document.
#[derive(Debug, Default, PartialEq)]
struct Found {
    shown: Vec<Shown>,
    left_out: u32,
}

fn pictures_of(name: &str, bytes: &[u8]) -> Result<Found, Error> {
    let mut found = Found::default();
    let count = page_pictures(name, bytes, &Limits::default(), None, |p| {
        found.shown.push((p.page, p.picture, p.bytes.len()));
        Ok(())
    })?;
    assert_eq!(count.given as usize, found.shown.len());
    found.left_out = count.left_out;
    Ok(found)
}

fn corpus_file(name: &str) -> Option<Found> {
    let Some(root) = corpus() else {
        eprintln!("no corpus at ../shared/corpus: {name} not checked");
        return None;
    };
    let bytes = std::fs::read(root.join(name)).ok()?;
    Some(pictures_of(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}")))
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
        assert_eq!(found.shown, want, "{name}");
        assert_eq!(found.left_out, 0, "{name}");
    }
}

#[test]
fn a_flat_opendocument_file_shows_none() {
    // Flat XML: its pictures, if any, are inline, and it is no package to open.
    let Some(flat) = corpus_file("fodp/tika__testODPMacro.fodp") else {
        return;
    };
    assert_eq!(flat, Found::default());
}

#[test]
fn pictures_drawn_as_vector_graphics_are_not_given_to_ocr() {
    // Its three pictures are two EMF drawings and one PNG.
    let Some(found) = corpus_file("docx/kreuzberg__test_emf_docx.docx") else {
        return;
    };
    assert_eq!(found.shown, [(1, Picture::Png, 111_028)]);
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
    // The second slide shows the first slide's picture again.
    let slide1 = slide(&["rId7", "rId8", "rId9"]);
    let slide2 = slide(&["rId3"]);
    let layout = slide(&["rId1"]);
    let layout_rels = rels(&[("rId1", "../media/logo.png")]);
    let slide1_rels = rels(&[
        ("rId7", "../media/b.png"),
        ("rId8", "../media/missing.png"),
        ("rId9", "../media/a.png"),
    ])
    .replace(
        "</Relationships>",
        r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slideLayout" Target="../slideLayouts/slideLayout1.xml"/></Relationships>"#,
    );
    let bytes = zip(&[
        ("_rels/.rels", Data::Text(&root)),
        ("ppt/presentation.xml", Data::Text(presentation)),
        (
            "ppt/_rels/presentation.xml.rels",
            Data::Text(&presentation_rels),
        ),
        ("ppt/slides/slide1.xml", Data::Text(&slide1)),
        ("ppt/slides/_rels/slide1.xml.rels", Data::Text(&slide1_rels)),
        ("ppt/slides/slide2.xml", Data::Text(&slide2)),
        (
            "ppt/slides/_rels/slide2.xml.rels",
            Data::Text(&rels(&[("rId3", "../media/a.png")])),
        ),
        ("ppt/media/a.png", Data::Bytes(&big)),
        ("ppt/media/b.png", Data::Bytes(&other)),
        // Shown by the layout only: a logo.
        ("ppt/slideLayouts/slideLayout1.xml", Data::Text(&layout)),
        (
            "ppt/slideLayouts/_rels/slideLayout1.xml.rels",
            Data::Text(&layout_rels),
        ),
        ("ppt/media/logo.png", Data::Bytes(&layout_logo)),
    ]);
    let found = pictures_of("esitys.pptx", &bytes).expect("pictures");
    // slide2.xml is the first slide; the missing picture costs only itself; a picture shown
    // again is given once, on the slide that shows it first.
    assert_eq!(
        found.shown,
        [(1, Picture::Png, 5000), (2, Picture::Png, 6000)]
    );
}

/// Of an `mc:AlternateContent`, the first branch that shows a picture OCR reads: PowerPoint
/// for Mac writes a pasted picture as a PDF with a PNG fallback. Where the first branch is
/// readable, its fallback is not given too. The slide is marked for OCR by the same choice.
#[test]
fn alternative_pictures_give_the_first_branch_ocr_reads() {
    let presentation = r#"<p:presentation xmlns:p="p" xmlns:r="r"><p:sldIdLst><p:sldId id="256" r:id="rId1"/><p:sldId id="257" r:id="rId2"/></p:sldIdLst></p:presentation>"#;
    let presentation_rels = format!(
        r#"<Relationships xmlns="{RELS_NS}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide2.xml"/></Relationships>"#
    );
    let root = ROOT_RELS.replace("word/document.xml", "ppt/presentation.xml");
    let alternative = |choice: &str, fallback: &str| {
        format!(
            r#"<p:sld xmlns:p="p" xmlns:a="a" xmlns:r="r" xmlns:mc="mc"><p:cSld><p:spTree><p:pic><mc:AlternateContent><mc:Choice Requires="ma"><p:blipFill><a:blip r:embed="{choice}"/></p:blipFill></mc:Choice><mc:Fallback><p:blipFill><a:blip r:embed="{fallback}"/></p:blipFill></mc:Fallback></mc:AlternateContent></p:pic></p:spTree></p:cSld></p:sld>"#
        )
    };
    let mut pdf = b"%PDF-1.3\n".to_vec();
    pdf.resize(9000, b' ');
    let (fallback, first, second) = (png(5000), png(6000), png(7000));
    let slide_rels = rels(&[
        ("rId3", "../media/kuva.pdf"),
        ("rId4", "../media/varalla.png"),
        ("rId5", "../media/eka.png"),
        ("rId6", "../media/toka.png"),
    ]);
    let (slide1, slide2) = (alternative("rId3", "rId4"), alternative("rId5", "rId6"));
    let bytes = zip(&[
        ("_rels/.rels", Data::Text(&root)),
        ("ppt/presentation.xml", Data::Text(presentation)),
        (
            "ppt/_rels/presentation.xml.rels",
            Data::Text(&presentation_rels),
        ),
        ("ppt/slides/slide1.xml", Data::Text(&slide1)),
        ("ppt/slides/_rels/slide1.xml.rels", Data::Text(&slide_rels)),
        ("ppt/slides/slide2.xml", Data::Text(&slide2)),
        ("ppt/slides/_rels/slide2.xml.rels", Data::Text(&slide_rels)),
        ("ppt/media/kuva.pdf", Data::Bytes(&pdf)),
        ("ppt/media/varalla.png", Data::Bytes(&fallback)),
        ("ppt/media/eka.png", Data::Bytes(&first)),
        ("ppt/media/toka.png", Data::Bytes(&second)),
    ]);
    let found = pictures_of("mac.pptx", &bytes).expect("pictures");
    assert_eq!(
        found.shown,
        [(1, Picture::Png, 5000), (2, Picture::Png, 6000)]
    );
    let doc = kooste_extract::extract("mac.pptx", &bytes, &Limits::default().start())
        .expect("a presentation");
    let pictured = doc.pictured_pages();
    assert_eq!(pictured, [1, 2]);
}

#[test]
fn a_word_document_gives_body_pictures_of_both_kinds_and_no_more_than_the_cap() {
    let count = MAX_PAGE_PICTURES as usize + 3;
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
    let found = pictures_of("muistio.docx", &zip(&all)).expect("pictures");
    assert_eq!(found.shown.len(), MAX_PAGE_PICTURES as usize);
    assert_eq!(found.left_out, 3);
    let sizes: Vec<usize> = found.shown.iter().map(|p| p.2).collect();
    let want: Vec<usize> = (0..MAX_PAGE_PICTURES as usize).map(|i| 4096 + i).collect();
    assert_eq!(sizes, want, "in the order the body shows them");
    assert!(found.shown.iter().all(|p| p.0 == 1));
}

#[test]
fn a_package_cut_short_gives_the_pictures_before_the_cut() {
    let picture = png(5000);
    let document = r#"<w:document xmlns:w="w" xmlns:a="a" xmlns:r="r"><w:body><w:p><w:r><w:drawing><a:blip r:embed="rId1"/></w:drawing></w:r></w:p></w:body></w:document>"#;
    let document_rels = rels(&[("rId1", "media/image1.png")]);
    let filler = "x".repeat(3000);
    // Written as Word writes it, without ZIP64 records (which end a rebuild).
    let mut whole = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut whole);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, data) in [
            ("_rels/.rels", ROOT_RELS.as_bytes()),
            ("word/document.xml", document.as_bytes()),
            ("word/_rels/document.xml.rels", document_rels.as_bytes()),
            ("word/media/image1.png", &picture),
            ("word/filler.xml", filler.as_bytes()),
        ] {
            z.start_file(name, stored).unwrap_or_else(|e| panic!("{e}"));
            std::io::Write::write_all(&mut z, data).unwrap_or_else(|e| panic!("{e}"));
        }
        z.finish().unwrap_or_else(|e| panic!("{e}"));
    }
    let whole = whole.into_inner();
    // An upload that stopped 400 bytes short: the directory is gone, the picture is whole.
    let cut = &whole[..whole.len() - 400];
    let found = pictures_of("skannattu.docx", cut).expect("pictures");
    assert_eq!(found.shown, [(1, Picture::Png, 5000)]);
}

#[test]
fn an_opendocument_presentation_gives_slides_their_pictures_and_not_the_notes() {
    let content = r#"<office:document-content xmlns:office="o" xmlns:draw="d" xmlns:xlink="x" xmlns:presentation="p"><office:body><office:presentation>
        <draw:page><draw:frame><draw:image xlink:href="Pictures/a.png"/></draw:frame></draw:page>
        <draw:page><presentation:notes><draw:frame><draw:image xlink:href="Pictures/n.png"/></draw:frame></presentation:notes></draw:page>
        <draw:page><draw:frame><draw:image xlink:href="./Pictures/b%20c.png"/></draw:frame><draw:frame><draw:image xlink:href="https://example.org/c.png"/></draw:frame><draw:frame><draw:image xlink:href="../Pictures/a.png"/></draw:frame></draw:page>
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
        ("Pictures/b c.png", Data::Bytes(&b)),
    ]);
    let found = pictures_of("esitys.odp", &bytes).expect("pictures");
    assert_eq!(
        found.shown,
        [(1, Picture::Png, 5000), (3, Picture::Png, 5200)]
    );
}

/// Extraction marks a slide for OCR as the listing would read it: a slide without words
/// whose picture is one OCR reads (4 KiB or more, not a drawing), linked as the listing
/// links it.
#[test]
fn opendocument_slides_are_marked_by_pictures_ocr_reads() {
    let content = r#"<office:document-content xmlns:office="o" xmlns:draw="d" xmlns:xlink="x" xmlns:text="t"><office:body><office:presentation>
        <draw:page><draw:frame><draw:image xlink:href="./Pictures/iso%20kuva.png"/></draw:frame></draw:page>
        <draw:page><draw:frame><draw:image xlink:href="Pictures/ikoni.png"/></draw:frame></draw:page>
        <draw:page><draw:frame><draw:image xlink:href="Pictures/piirros.emf"/></draw:frame></draw:page>
        <draw:page><draw:frame><draw:image xlink:href="Pictures/puuttuu.png"/></draw:frame></draw:page>
        <draw:page><draw:frame><draw:image xlink:href="Pictures/ikoni.png"/></draw:frame><draw:frame><draw:image xlink:href="Pictures/iso kuva.png"/></draw:frame></draw:page>
        </office:presentation></office:body></office:document-content>"#;
    let (large, small) = (png(5000), png(300));
    let mut emf = vec![1, 0, 0, 0];
    emf.resize(9000, 0);
    let bytes = zip(&[
        (
            "mimetype",
            Data::Text("application/vnd.oasis.opendocument.presentation"),
        ),
        ("content.xml", Data::Text(content)),
        ("Pictures/iso kuva.png", Data::Bytes(&large)),
        ("Pictures/ikoni.png", Data::Bytes(&small)),
        ("Pictures/piirros.emf", Data::Bytes(&emf)),
    ]);
    let doc = kooste_extract::extract("esitys.odp", &bytes, &Limits::default().start())
        .expect("a presentation");
    let pictured = doc.pictured_pages();
    assert_eq!(pictured, [1, 5]);
}

#[test]
fn other_formats_and_broken_packages_give_nothing_or_an_error() {
    let limits = Limits::default();
    let text = pictures_of("muistio.txt", b"Kokous pidettiin.").expect("no pictures");
    assert_eq!(text, Found::default());
    assert!(pictures_of("rikki.docx", b"PK\x03\x04 not a zip").is_err());
    // An error of the receiver stops the listing and is returned.
    let Some(root) = corpus() else {
        return;
    };
    let bytes = std::fs::read(root.join("docx/tika__2pic.docx")).unwrap_or_default();
    let mut calls = 0;
    let stopped = page_pictures("2pic.docx", &bytes, &limits, None, |_| {
        calls += 1;
        Err(Error::Io(std::io::Error::other("levy täynnä")))
    });
    assert!(matches!(stopped, Err(Error::Io(_))), "{stopped:?}");
    assert_eq!(calls, 1);
}

//! Small hand-written PDFs, one feature each, with the text pdftotext gives for them
//! (checked by hand: set DUMP_SYNTHETIC=DIR to write the PDFs out and run pdftotext on them).

use std::io::Write;
use std::time::Instant;

use kooste_pdf::{Limits, PdfErrorKind, extract};

/// Writes a PDF from object bodies (object n is `objects[n - 1]`; object 1 is the catalog).
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    pdf_with_trailer(objects, b"")
}

fn pdf_with_trailer(objects: &[Vec<u8>], trailer_extra: &[u8]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R ", objects.len() + 1).as_bytes(),
    );
    out.extend_from_slice(trailer_extra);
    out.extend_from_slice(format!(">>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

const HELVETICA: &str =
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

/// A one-page document: catalog, pages, font F1 (object 3), page (4), content (5), then
/// `extra` objects from number 6 on.
fn one_page(
    page_extra: &str,
    resources_extra: &str,
    content: &[u8],
    extra: Vec<Vec<u8>>,
) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
        HELVETICA.as_bytes().to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] {page_extra} \
             /Resources << /Font << /F1 3 0 R >> {resources_extra} >> /Contents 5 0 R >>"
        )
        .into_bytes(),
        stream("", content),
    ];
    objects.extend(extra);
    pdf(&objects)
}

fn text(bytes: &[u8]) -> String {
    if let Some(dir) = std::env::var_os("DUMP_SYNTHETIC") {
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        std::fs::write(std::path::Path::new(&dir).join(format!("{n}.pdf")), bytes).ok();
    }
    match extract(bytes, &Limits::default()) {
        Ok(t) => t.pages.join("\x0c"),
        Err(e) => panic!("{:?}: {e}", e.kind()),
    }
}

#[test]
fn kerning_and_gaps_in_tj() {
    // Small TJ adjustments are kerning; a gap of 0.3 em is a word space.
    let content = b"BT /F1 12 Tf 72 700 Td [(Hyv) 20 (\xe4) -300 (p\xe4iv\xe4\xe4!)] TJ ET";
    assert_eq!(
        text(&one_page("", "", content, vec![])),
        "Hyv\u{e4} p\u{e4}iv\u{e4}\u{e4}!\n\n"
    );
}

#[test]
fn lines_word_spacing_and_leading() {
    let content = b"BT /F1 10 Tf 14 TL 72 700 Td 5 Tw (Hei maailma) Tj T* (toinen rivi) ' ET";
    assert_eq!(
        text(&one_page("", "", content, vec![])),
        "Hei maailma\ntoinen rivi\n\n"
    );
}

#[test]
fn rotated_page_reads_upright() {
    // /Rotate 90 turns the page clockwise; text drawn running up the page reads left to
    // right once turned, and the line further left is the upper one.
    let content = b"BT /F1 12 Tf 0 1 -1 0 300 100 Tm (ylempi rivi) Tj 0 1 -1 0 316 100 Tm (alempi rivi) Tj ET";
    assert_eq!(
        text(&one_page("/Rotate 90", "", content, vec![])),
        "ylempi rivi\nalempi rivi\n\n"
    );
}

#[test]
fn two_columns_come_one_after_the_other() {
    let mut content = b"BT /F1 10 Tf".to_vec();
    for i in 0..6 {
        let y = 700 - 12 * i;
        write!(
            content,
            " 1 0 0 1 72 {y} Tm (vasen {i}) Tj 1 0 0 1 320 {y} Tm (oikea {i}) Tj"
        )
        .ok();
    }
    content.extend_from_slice(b" ET");
    let t = text(&one_page("", "", &content, vec![]));
    let lines: Vec<&str> = t.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[..6],
        [
            "vasen 0", "vasen 1", "vasen 2", "vasen 3", "vasen 4", "vasen 5"
        ]
    );
    assert_eq!(lines[6], "oikea 0");
}

#[test]
fn forms_are_drawn_and_cycles_stop() {
    let form = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> /XObject << /Me 6 0 R >> >>",
        b"BT /F1 10 Tf 72 600 Td (lomakkeesta) Tj ET /Me Do",
    );
    let content = b"/X Do BT /F1 10 Tf 72 700 Td (sivulta) Tj ET";
    let t = text(&one_page(
        "",
        "/XObject << /X 6 0 R >>",
        content,
        vec![form],
    ));
    assert_eq!(t, "sivulta\n\nlomakkeesta\n\n");
}

#[test]
fn hidden_layers_are_skipped() {
    let catalog_oc = b"<< /Type /Catalog /Pages 2 0 R /OCProperties << /OCGs [6 0 R] /D << /OFF [6 0 R] >> >> >>".to_vec();
    let mut doc = vec![
        catalog_oc,
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
        HELVETICA.as_bytes().to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> /Properties << /L1 6 0 R >> >> /Contents 5 0 R >>".to_vec(),
        Vec::new(),
        b"<< /Type /OCG /Name (Piilo) >>".to_vec(),
    ];
    doc[4] = stream(
        "",
        b"BT /F1 10 Tf 72 700 Td (n\xe4kyv\xe4) Tj ET /OC /L1 BDC BT /F1 10 Tf 72 650 Td (piilotettu) Tj ET EMC",
    );
    assert_eq!(text(&pdf(&doc)), "n\u{e4}kyv\u{e4}\n\n");
}

#[test]
fn actual_text_replaces_the_glyphs() {
    // ActualText in PDFDocEncoding replaces what the glyphs say.
    let content = b"BT /F1 10 Tf 72 700 Td /Span << /ActualText (Tekstink\xe4sittely) >> BDC (T e k s t) Tj EMC ET";
    let t = text(&one_page("", "", content, vec![]));
    assert_eq!(t, "Tekstink\u{e4}sittely\n\n");
    // An ActualText in UTF-16 with a byte-order mark.
    let c = b"BT /F1 10 Tf 72 700 Td /Span << /ActualText <FEFF00E4006C006B00E4> >> BDC (xyz) Tj EMC ET";
    assert_eq!(text(&one_page("", "", c, vec![])), "\u{e4}lk\u{e4}\n\n");
}

#[test]
fn composite_font_with_to_unicode() {
    let cmap = stream(
        "",
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
          1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
          2 beginbfchar <0001> <00E4> <0002> <00F6> endbfchar\n\
          1 beginbfrange <0010> <0012> <004B> endbfrange\n\
          endcmap end end",
    );
    let font = b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Calibri /Encoding /Identity-H \
        /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+Calibri \
        /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>] \
        /ToUnicode 7 0 R >>"
        .to_vec();
    let content = b"BT /F2 12 Tf 72 700 Td <0010000100110002> Tj ET";
    let t = text(&one_page(
        "",
        "/Font << /F2 6 0 R >>",
        content,
        vec![font, cmap],
    ));
    assert_eq!(t, "K\u{e4}L\u{f6}\n\n");
}

/// Without ToUnicode, the CIDs of an Identity collection read as Unicode (a common shortcut
/// of producers), those of Adobe's Korean, Japanese and Chinese collections give no text:
/// they number glyphs, and read as Unicode they would be wrong letters.
#[test]
fn composite_font_without_to_unicode() {
    let page = |ordering: &str| {
        let font = format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /Font /Encoding /Identity-H \
             /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /Font \
             /CIDSystemInfo << /Registry (Adobe) /Ordering ({ordering}) /Supplement 0 >> \
             /DW 500 >>] >>"
        );
        text(&one_page(
            "",
            "/Font << /F2 6 0 R >>",
            b"BT /F2 12 Tf 72 700 Td <00480069> Tj ET",
            vec![font.into_bytes()],
        ))
    };
    assert_eq!(page("Identity"), "Hi\n\n");
    assert_eq!(page("Korea1"), "");
    assert_eq!(page("Japan1"), "");
}

#[test]
fn type3_font_text() {
    let font = b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] \
        /CharProcs << /a 7 0 R /b 7 0 R >> /Encoding << /Type /Encoding /Differences [97 /a /b] >> \
        /FirstChar 97 /LastChar 98 /Widths [600 600] /Resources << >> >>"
        .to_vec();
    let proc_ = stream("", b"600 0 d0 0 0 500 500 re f");
    let content = b"BT /F3 12 Tf 72 700 Td (abba) Tj ET";
    assert_eq!(
        text(&one_page(
            "",
            "/Font << /F3 6 0 R >>",
            content,
            vec![font, proc_]
        )),
        "abba\n\n"
    );
}

#[test]
fn compressed_content_and_metadata() {
    use flate2::{Compression, write::ZlibEncoder};
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(b"BT /F1 10 Tf 72 700 Td (Tiivistetty) Tj ET")
        .ok();
    let data = z.finish().unwrap_or_default();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
        HELVETICA.as_bytes().to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>".to_vec(),
        stream("/Filter /FlateDecode", &data),
    ];
    objects.push(
        b"<< /Title <FEFF00C4006C0079> /Author (Maija Meik\xe4l\xe4inen) /CreationDate (D:20180312101500+02'00') >>"
            .to_vec(),
    );
    let bytes = pdf_with_trailer(&objects, b"/Info 6 0 R");
    let t = extract(&bytes, &Limits::default()).unwrap_or_default();
    assert_eq!(t.pages, ["Tiivistetty\n\n"]);
    assert_eq!(t.meta.title.as_deref(), Some("\u{c4}ly"));
    assert_eq!(
        t.meta.author.as_deref(),
        Some("Maija Meik\u{e4}l\u{e4}inen")
    );
    assert_eq!(t.meta.created.as_deref(), Some("2018-03-12T10:15:00+02:00"));
    assert_eq!(t.meta.modified, None);

    // A stream larger than the per-stream bound stops the document.
    let small = Limits {
        max_stream_bytes: 16,
        ..Limits::default()
    };
    let err = extract(&bytes, &small).err().map(|e| e.kind());
    assert_eq!(err, Some(PdfErrorKind::TooLarge));
}

#[test]
fn limits_on_work_and_time() {
    let content = b"BT /F1 10 Tf 72 700 Td (a) Tj ET ".repeat(1000);
    let bytes = one_page("", "", &content, vec![]);
    let few = Limits {
        max_operations: 100,
        ..Limits::default()
    };
    assert_eq!(
        extract(&bytes, &few).err().map(|e| e.kind()),
        Some(PdfErrorKind::TooLarge)
    );
    let past = Limits {
        deadline: Some(Instant::now()),
        ..Limits::default()
    };
    assert_eq!(
        extract(&bytes, &past).err().map(|e| e.kind()),
        Some(PdfErrorKind::Timeout)
    );
}

#[test]
fn empty_pages_are_ok_and_garbage_is_corrupt() {
    let bytes = one_page("", "", b"0 0 100 100 re f", vec![]);
    assert_eq!(text(&bytes), "");
    assert_eq!(
        extract(b"Lorem ipsum", &Limits::default())
            .err()
            .map(|e| e.kind()),
        Some(PdfErrorKind::Corrupt)
    );
    assert_eq!(
        extract(
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>",
            &Limits::default()
        )
        .err()
        .map(|e| e.kind()),
        Some(PdfErrorKind::Corrupt)
    );
}

/// Two pages: the first's content as given, with `dict` in its stream's dictionary; the
/// second's none, or a line of text.
fn two_pages(dict: &str, content: &[u8], second_has_text: bool) -> Vec<u8> {
    let second: &[u8] = if second_has_text {
        b"BT /F1 12 Tf 72 700 Td (toinen sivu) Tj ET"
    } else {
        b""
    };
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [4 0 R 6 0 R] /Count 2 >>".to_vec(),
        HELVETICA.as_bytes().to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
          /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>"
            .to_vec(),
        stream(dict, content),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
          /Resources << /Font << /F1 3 0 R >> >> /Contents 7 0 R >>"
            .to_vec(),
        stream("", second),
    ])
}

#[test]
fn pages_whose_content_cannot_be_read_are_an_error_not_a_scan() {
    let kind = |bytes: &[u8]| extract(bytes, &Limits::default()).err().map(|e| e.kind());
    let message = |bytes: &[u8]| {
        extract(bytes, &Limits::default())
            .err()
            .map(|e| e.to_string())
    };
    // A compression this reader lacks: named, and unsupported.
    let brotli = two_pages("/Filter /BrotliDecode", b"\x8b\x02\x80hello", false);
    assert_eq!(kind(&brotli), Some(PdfErrorKind::Unsupported));
    assert_eq!(
        message(&brotli).as_deref(),
        Some(
            "the page content is compressed with BrotliDecode, which this reader does not \
             decode"
        )
    );
    // Deflate data that decompresses to nothing: damaged.
    let noise = two_pages(
        "/Filter /FlateDecode",
        b"\x07\x07 not deflate at all",
        false,
    );
    assert_eq!(kind(&noise), Some(PdfErrorKind::Corrupt));
    // Where another page gives text, the document is read and the unreadable page empty.
    for dict in ["/Filter /BrotliDecode", "/Filter /FlateDecode"] {
        let partly = two_pages(dict, b"\x07\x07 not deflate at all", true);
        assert_eq!(text(&partly), "\x0ctoinen sivu\n\n", "{dict}");
    }
    // A page that draws only a picture is still a page without text, not an error.
    let picture = two_pages("", b"q 612 0 0 792 0 0 cm Q", false);
    assert_eq!(text(&picture), "\x0c");
}

#[test]
fn broken_cross_reference_table_is_rebuilt() {
    let mut bytes = one_page("", "", b"BT /F1 10 Tf 72 700 Td (korjattu) Tj ET", vec![]);
    // Shift every object by inserting junk after the header: the table's offsets go stale.
    bytes.splice(15..15, b"%junk junk junk junk junk junk\n".iter().copied());
    assert_eq!(text(&bytes), "korjattu\n\n");
}

#[test]
fn filled_form_field_without_appearance() {
    let catalog = b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 3 0 R >> >> >> >>".to_vec();
    let objects = vec![
        catalog,
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
        HELVETICA.as_bytes().to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R /Annots [6 0 R] >>".to_vec(),
        stream("", b"BT /F1 10 Tf 72 700 Td (Nimi:) Tj ET"),
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (nimi) /V (Matti Meik\xe4l\xe4inen) /Rect [110 695 300 712] /F 4 >>".to_vec(),
    ];
    let t = text(&pdf(&objects));
    assert!(t.contains("Matti Meik\u{e4}l\u{e4}inen"), "{t:?}");
    assert!(t.contains("Nimi:"), "{t:?}");
}

/// The share of the page that its largest picture covers.
fn picture_cover(content: &[u8], resources_extra: &str, extra: Vec<Vec<u8>>) -> f32 {
    let bytes = one_page("", resources_extra, content, extra);
    match extract(&bytes, &Limits::default()) {
        Ok(t) => t.picture_cover.first().copied().unwrap_or(-1.0),
        Err(e) => panic!("{:?}: {e}", e.kind()),
    }
}

#[test]
fn the_largest_picture_a_page_draws_is_measured_against_the_page() {
    let image = || {
        stream(
            "/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray \
             /BitsPerComponent 8",
            b"\x7f",
        )
    };
    let with_image = "/XObject << /Im1 6 0 R >>";
    // A scanned page: one picture over the whole page (612 x 792).
    let whole = picture_cover(b"q 612 0 0 792 0 0 cm /Im1 Do Q", with_image, vec![image()]);
    assert!((whole - 1.0).abs() < 1e-6, "{whole}");
    // A screenshot over half the page, turned a quarter (the determinant keeps its area),
    // beside a logo: the larger counts.
    let half = picture_cover(
        b"q 0 396 -612 0 612 0 cm /Im1 Do Q q 40 0 0 20 30 750 cm /Im1 Do Q",
        with_image,
        vec![image()],
    );
    assert!((half - 0.5).abs() < 1e-6, "{half}");
    // An inline image, scaled by a form's matrix.
    let form = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Matrix [306 0 0 396 0 0]",
        b"BI /W 1 /H 1 /BPC 8 /CS /G ID \x7f EI",
    );
    let quarter = picture_cover(b"/Fm1 Do", "/XObject << /Fm1 6 0 R >>", vec![form]);
    assert!((quarter - 0.25).abs() < 1e-6, "{quarter}");
    // Text alone, and a picture in a hidden layer, cover nothing.
    assert_eq!(
        picture_cover(b"BT /F1 10 Tf 72 700 Td (teksti) Tj ET", "", vec![]),
        0.0
    );
    let hidden = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R /OCProperties << /OCGs [7 0 R] /D << /OFF [7 0 R] >> >> >>".to_vec(),
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
        HELVETICA.as_bytes().to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 6 0 R >> /Properties << /L1 7 0 R >> >> /Contents 5 0 R >>".to_vec(),
        stream("", b"/OC /L1 BDC q 612 0 0 792 0 0 cm /Im1 Do Q EMC"),
        image(),
        b"<< /Type /OCG /Name (Piilo) >>".to_vec(),
    ]);
    match extract(&hidden, &Limits::default()) {
        Ok(t) => assert_eq!(t.picture_cover, [0.0]),
        Err(e) => panic!("{:?}: {e}", e.kind()),
    }
    // Nor does a picture whose own optional content is off.
    let hidden_image = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R /OCProperties << /OCGs [7 0 R] /D << /OFF [7 0 R] >> >> >>".to_vec(),
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
        HELVETICA.as_bytes().to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>".to_vec(),
        stream("", b"q 612 0 0 792 0 0 cm /Im1 Do Q"),
        stream(
            "/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray \
             /BitsPerComponent 8 /OC 7 0 R",
            b"\x7f",
        ),
        b"<< /Type /OCG /Name (Piilo) >>".to_vec(),
    ]);
    match extract(&hidden_image, &Limits::default()) {
        Ok(t) => assert_eq!(t.picture_cover, [0.0]),
        Err(e) => panic!("{:?}: {e}", e.kind()),
    }
    // What lies off the page is not seen: half of it, or all.
    let half_off = picture_cover(
        b"q 612 0 0 792 306 0 cm /Im1 Do Q",
        with_image,
        vec![image()],
    );
    assert!((half_off - 0.5).abs() < 1e-6, "{half_off}");
    let off = picture_cover(
        b"q 612 0 0 792 5000 0 cm /Im1 Do Q",
        with_image,
        vec![image()],
    );
    assert_eq!(off, 0.0);
}

/// A page listed twice in the page tree: renderers number pages by the tree's count, this
/// crate reads each page object once, so page numbers could disagree and no page is said to
/// show a picture.
#[test]
fn pages_of_a_tree_that_lists_a_page_twice_show_no_pictures() {
    let bytes = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [4 0 R 4 0 R 6 0 R] /Count 3 >>".to_vec(),
        HELVETICA.as_bytes().to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>".to_vec(),
        stream("", b"BT /F1 12 Tf 72 700 Td (teksti) Tj ET"),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 8 0 R >> >> /Contents 7 0 R >>".to_vec(),
        stream("", b"q 612 0 0 792 0 0 cm /Im1 Do Q"),
        stream(
            "/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray \
             /BitsPerComponent 8",
            b"\x7f",
        ),
    ]);
    match extract(&bytes, &Limits::default()) {
        Ok(t) => {
            assert_eq!(t.pages.len(), 2);
            assert_eq!(t.picture_cover, [0.0, 0.0]);
        }
        Err(e) => panic!("{:?}: {e}", e.kind()),
    }
}

//! Denial-of-service inputs built here, each with the exact status it must end in: bombs in
//! drive archives (flat and nested), PDFs whose structure never ends (deep nesting, a page
//! tree that loops, a billion pages claimed), deep XML in OpenDocument and an encrypted ODF
//! manifest. dos_office.rs holds the Office bombs, the deep DOCX, the billion-row XLSX and
//! the entry-count and embedding-depth limits; they are not repeated here.

mod common;

use common::{Data, FONT, ODT_HEAD, ODT_TAIL, content_stream, odt, pdf, zip};
use kooste_extract::{Error, Limits, archive_members, extract};
use kooste_model::ErrorKind;

fn result_of(name: &str, bytes: &[u8]) -> Result<String, ErrorKind> {
    extract(name, bytes, &Limits::default().start())
        .map(|d| d.text())
        .map_err(|e| e.kind())
}

/// A ZIP whose one member is `mib` MiB of zeros: deflate shrinks it about a thousandfold.
fn flat_bomb(mib: usize) -> Vec<u8> {
    zip(&[("pommi.bin", Data::Repeat("", "\0", mib << 20, ""))])
}

#[test]
fn a_flat_zip_bomb_on_the_drive_is_one_too_large_member() {
    let bytes = flat_bomb(64);
    assert!(bytes.len() < 1 << 20, "{} bytes", bytes.len());
    // As a file of the drive it is an archive, whose members are read on their own.
    assert_eq!(result_of("pommi.zip", &bytes), Err(ErrorKind::Unsupported));
    let members = archive_members(&bytes, &Limits::default().start())
        .expect("directory intact")
        .members;
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].name, "pommi.bin");
    assert!(
        matches!(&members[0].bytes, Err(Error::TooLarge(m)) if m.contains("decompression bomb")),
        "{:?}",
        members[0].bytes.as_ref().err()
    );
}

#[test]
fn a_bomb_whose_header_lies_about_its_size_is_corrupt_past_the_declared_size() {
    let mut bytes = flat_bomb(64);
    // Declare 1,000 bytes in both the local header (offset 22) and the central directory
    // record (offset 24): only the counted read can tell.
    let small = 1000u32.to_le_bytes();
    bytes[22..26].copy_from_slice(&small);
    let cd = bytes
        .windows(4)
        .rposition(|w| w == b"PK\x01\x02")
        .expect("central directory");
    bytes[cd + 24..cd + 28].copy_from_slice(&small);
    let members = archive_members(&bytes, &Limits::default().start())
        .expect("directory intact")
        .members;
    assert_eq!(members.len(), 1);
    // The zip reader stops at the declared size and calls the rest damage: the member is
    // corrupt, having inflated no more than it admitted to.
    let result = members[0].bytes.as_ref().map(Vec::len);
    assert!(
        matches!(result, Err(Error::Zip(m)) if m.contains("larger than its declared")),
        "{result:?}"
    );
    assert_eq!(
        members[0].bytes.as_ref().map_err(Error::kind).err(),
        Some(ErrorKind::Corrupt)
    );
}

#[test]
fn a_nested_zip_bomb_fails_only_in_its_innermost_member() {
    let mut bytes = flat_bomb(64);
    for level in 0..3 {
        let note = format!("taso {level}");
        bytes = zip(&[
            ("lueminut.txt", Data::Text(&note)),
            ("sisempi.zip", Data::Bytes(&bytes)),
        ]);
    }
    let limits = Limits::default().start();
    let mut archive = bytes;
    for level in (0..3).rev() {
        assert_eq!(
            result_of("kerros.zip", &archive),
            Err(ErrorKind::Unsupported)
        );
        let members = archive_members(&archive, &limits)
            .expect("directory intact")
            .members;
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["lueminut.txt", "sisempi.zip"]);
        assert_eq!(
            members[0].bytes.as_deref().ok(),
            Some(format!("taso {level}").as_bytes())
        );
        archive = match &members[1].bytes {
            Ok(inner) => inner.clone(),
            Err(e) => panic!("level {level}: {e}"),
        };
    }
    let innermost = archive_members(&archive, &limits)
        .expect("directory intact")
        .members;
    assert_eq!(
        innermost[0]
            .bytes
            .as_ref()
            .map(Vec::len)
            .map_err(Error::kind),
        Err(ErrorKind::TooLarge)
    );
}

fn one_page_pdf(pages: &[u8], extra: &[&[u8]]) -> Vec<u8> {
    let content = content_stream("Tampereen palvelumalli");
    let mut objects: Vec<&[u8]> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>",
        pages,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        &content,
        FONT,
    ];
    objects.extend_from_slice(extra);
    pdf(&objects)
}

#[test]
fn the_pdf_builder_makes_a_readable_page() {
    let bytes = one_page_pdf(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", &[]);
    assert_eq!(
        result_of("ok.pdf", &bytes).map(|t| t.trim().to_string()),
        Ok("Tampereen palvelumalli".to_string())
    );
}

#[test]
fn a_pdf_object_of_deeply_nested_arrays_is_skipped_and_the_page_read() {
    let depth = 100_000;
    let mut nested = "[".repeat(depth).into_bytes();
    nested.extend_from_slice("]".repeat(depth).as_bytes());
    let bytes = one_page_pdf(
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Syva 6 0 R >>",
        &[&nested],
    );
    assert_eq!(
        result_of("syva.pdf", &bytes).map(|t| t.trim().to_string()),
        Ok("Tampereen palvelumalli".to_string())
    );
}

#[test]
fn deeply_nested_arrays_in_a_content_stream_do_not_overflow_the_stack() {
    let depth = 100_000;
    let ops = format!(
        "{}{} pop BT /F1 12 Tf 72 720 Td (Tampereen palvelumalli) Tj ET",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let mut content = format!("<< /Length {} >>\nstream\n", ops.len()).into_bytes();
    content.extend_from_slice(ops.as_bytes());
    content.extend_from_slice(b"\nendstream");
    let bytes = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        &content,
        FONT,
    ]);
    assert_eq!(
        result_of("syva_sisalto.pdf", &bytes).map(|t| t.trim().to_string()),
        Ok("Tampereen palvelumalli".to_string())
    );
}

#[test]
fn a_pdf_page_tree_that_loops_keeps_its_real_page() {
    // The page tree's second kid is the tree itself.
    let bytes = one_page_pdf(b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>", &[]);
    assert_eq!(
        result_of("silmukka.pdf", &bytes).map(|t| t.trim().to_string()),
        Ok("Tampereen palvelumalli".to_string())
    );
}

#[test]
fn a_pdf_page_tree_whose_kid_is_its_ancestor_keeps_its_real_page() {
    // 2 -> 6 -> 2: the loop runs through an intermediate node.
    let bytes = one_page_pdf(
        b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
        &[b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"],
    );
    assert_eq!(
        result_of("silmukka2.pdf", &bytes).map(|t| t.trim().to_string()),
        Ok("Tampereen palvelumalli".to_string())
    );
}

#[test]
fn a_pdf_claiming_a_billion_pages_has_the_one_it_holds() {
    let bytes = one_page_pdf(b"<< /Type /Pages /Kids [3 0 R] /Count 1000000000 >>", &[]);
    let text = result_of("miljardi.pdf", &bytes);
    assert_eq!(
        text.map(|t| t.trim().to_string()),
        Ok("Tampereen palvelumalli".to_string())
    );
}

#[test]
fn deeply_nested_odt_xml_is_too_large() {
    let depth = 100_000;
    let content = format!(
        "{ODT_HEAD}{}<text:p>pohja</text:p>{}{ODT_TAIL}",
        "<text:section>".repeat(depth),
        "</text:section>".repeat(depth)
    );
    let bytes = odt(Data::Text(&content), false);
    assert_eq!(result_of("syva.odt", &bytes), Err(ErrorKind::TooLarge));
}

#[test]
fn the_odt_builder_makes_a_readable_document() {
    let content = format!("{ODT_HEAD}<text:p>Oulun asiakasraati</text:p>{ODT_TAIL}");
    let bytes = odt(Data::Text(&content), false);
    assert_eq!(
        result_of("ok.odt", &bytes).map(|t| t.trim().to_string()),
        Ok("Oulun asiakasraati".to_string())
    );
}

#[test]
fn an_odt_with_an_encrypted_manifest_entry_is_encrypted() {
    // The content is what an encrypted entry looks like to a reader without the key: bytes
    // that are not XML.
    let noise: Vec<u8> = (0..1200u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let bytes = odt(Data::Bytes(&noise), true);
    assert_eq!(result_of("salattu.odt", &bytes), Err(ErrorKind::Encrypted));
}

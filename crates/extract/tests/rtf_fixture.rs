//! An RTF document as LibreOffice 7.4 saves it (`soffice --convert-to rtf`) reads as the
//! same text, title and author as the fixture-drive DOCX it was saved from: the list
//! bullets, the Finnish letters and the document information all survive the other format.

use kooste_extract::{Limits, extract};
use kooste_model::{Document, Format};
use std::path::Path;

const NAME: &str = "Koonti Vantaan kaupungin asioinnin nykytilasta 2017";

fn read(path: &Path) -> Document {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.to_string_lossy();
    extract(&name, &bytes, &Limits::default().start())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn rtf_saved_from_a_docx_reads_as_the_docx_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docx = read(
        &root
            .join("../../fixtures/sharedrive/Vantaa")
            .join(format!("{NAME}.docx")),
    );
    let rtf = read(&root.join("tests/data").join(format!("{NAME}.rtf")));
    assert_eq!(docx.format, Format::Docx);
    assert_eq!(rtf.format, Format::Rtf);
    assert_eq!(rtf.text(), docx.text());
    assert!(
        rtf.text()
            .contains("• Asiakastyytyväisyyskysely Vantaa-infoissa")
    );
    assert_eq!(rtf.meta.title.as_deref(), Some(NAME));
    assert_eq!(rtf.meta.author, docx.meta.author);
    // RTF keeps local time without a zone; the DOCX keeps UTC. Here the two agree.
    assert_eq!(rtf.meta.created.as_deref(), Some("2017-01-09T08:50:00"));
    assert_eq!(docx.meta.created.as_deref(), Some("2017-01-09T08:50:00Z"));
}

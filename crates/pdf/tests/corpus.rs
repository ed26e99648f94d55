//! Runs the text layer over the shared real-world corpus (`../shared/corpus` from the
//! repository root, or `KOOSTE_CORPUS`): every PDF must end in text or a typed error, and a
//! handful of real documents must give the text pdftotext gives for them (phrases checked
//! by hand against `_reference/pdftotext`). Skips, with a note, where the corpus is absent.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kooste_pdf::{Limits, PdfErrorKind, PdfText, extract};

fn corpus() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KOOSTE_CORPUS") {
        return Some(PathBuf::from(dir));
    }
    // The repository root is two levels above this crate; the corpus sits beside it. A git
    // worktree of the repository may live deeper, so the ancestors are tried too.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.ancestors()
        .skip(1)
        .map(|dir| dir.join("shared/corpus"))
        .find(|dir| dir.join("pdf").is_dir())
}

fn limits() -> Limits {
    Limits {
        deadline: Some(Instant::now() + Duration::from_secs(60)),
        ..Limits::default()
    }
}

fn read(dir: &Path, name: &str) -> Option<PdfText> {
    let bytes = std::fs::read(dir.join("pdf").join(name)).ok()?;
    match extract(&bytes, &limits()) {
        Ok(t) => Some(t),
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn every_corpus_pdf_ends_in_text_or_a_typed_error() {
    let Some(dir) = corpus() else {
        eprintln!("note: shared corpus not found; skipping");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("pdf"))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    assert!(
        files.len() > 300,
        "expected the full corpus, found {} files",
        files.len()
    );
    let mut ok = 0;
    let mut kinds = std::collections::BTreeMap::new();
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        // A panic here fails the test with the file's name in the message.
        match extract(&bytes, &limits()) {
            Ok(text) => {
                assert!(
                    !text.pages.is_empty(),
                    "{}: Ok with no pages",
                    path.display()
                );
                ok += 1;
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
                *kinds.entry(format!("{:?}", e.kind())).or_insert(0) += 1;
            }
        }
    }
    eprintln!("{ok} ok, errors by kind: {kinds:?}");
    assert!(ok > 300, "only {ok} documents read");
}

#[test]
fn broken_and_protected_files_get_the_right_kind() {
    let Some(dir) = corpus() else {
        eprintln!("note: shared corpus not found; skipping");
        return;
    };
    let kind = |name: &str| {
        let bytes = std::fs::read(dir.join("pdf").join(name)).unwrap_or_default();
        extract(&bytes, &limits()).err().map(|e| e.kind())
    };
    // User passwords, which pdftotext cannot open either.
    for name in [
        "pdfrs__passwords_aes_128.pdf",
        "pdfrs__passwords_aes_256.pdf",
        "pdfrs__passwords_rc4_rev3.pdf",
        "tika__testPassword4Spaces.pdf",
    ] {
        assert_eq!(kind(name), Some(PdfErrorKind::Encrypted), "{name}");
    }
    // Empty user password: opened, RC4 and AES alike.
    for name in [
        "pdfrs__encrypted_rc4_rev3.pdf",
        "pdfrs__encrypted_aes_128.pdf",
        "pdfrs__encrypted_aes_256.pdf",
        "tika__testPDF_protected.pdf",
    ] {
        assert_eq!(kind(name), None, "{name}");
    }
    // An XFA form with empty pages: the text is in XML that viewers without XFA ignore.
    assert_eq!(
        kind("tika__testPDF_malformedXFA.pdf"),
        Some(PdfErrorKind::Unsupported)
    );
    // Not PDFs at all, or nothing recoverable.
    assert_eq!(
        kind("pdfrs__infinite-loop-103.pdf"),
        Some(PdfErrorKind::Corrupt)
    );
    assert_eq!(kind("tika__file1.pdf"), Some(PdfErrorKind::Corrupt));
    // Pages without text because their content cannot be read are no scans: a compression
    // this reader lacks (pdftotext fails on it too), content that an encryption entry with
    // a faulty crypt filter leaves undecryptable, a fuzzed file whose streams are noise.
    assert_eq!(
        kind("pdfjs__Brotli-Prototype-FileA.pdf"),
        Some(PdfErrorKind::Unsupported)
    );
    assert_eq!(kind("pdfjs__issue7665.pdf"), Some(PdfErrorKind::Encrypted));
    assert_eq!(
        kind("pdfjs__poppler-395-0-fuzzed.pdf"),
        Some(PdfErrorKind::Corrupt)
    );
}

#[test]
fn bombs_and_damaged_files_still_give_their_text() {
    let Some(dir) = corpus() else {
        eprintln!("note: shared corpus not found; skipping");
        return;
    };
    // A 100000x100000 JBIG2 image: never decoded, the page's text comes out.
    let Some(bomb) = read(&dir, "pdfjs__bomb_giant.pdf") else {
        return;
    };
    assert!(
        bomb.pages[0].contains("GIANT JBIG2 BOMB"),
        "{:?}",
        bomb.pages
    );
    // A content stream whose /Length refers to the stream itself.
    let Some(t) = read(&dir, "pdfrs__crash-121-1.pdf") else {
        return;
    };
    assert_eq!(t.pages.len(), 5);
    assert!(t.pages[1].contains("DESCRIPTION"), "{}", t.pages[1]);
    // No %PDF header at all.
    let Some(t) = read(&dir, "pdfjs__bug1606566.pdf") else {
        return;
    };
    assert_eq!(t.pages[0].trim(), "Bug 1606566");
}

/// Phrases as pdftotext extracts them from the same page, one line each.
fn assert_lines(dir: &Path, name: &str, expected: &[(usize, &str)]) {
    let Some(text) = read(dir, name) else {
        eprintln!("note: {name} missing; skipping");
        return;
    };
    for (page, line) in expected {
        let Some(got) = text.pages.get(page - 1) else {
            panic!("{name}: no page {page}");
        };
        assert!(
            got.lines().any(|l| l == *line),
            "{name} page {page}: no line {line:?} in\n{got}"
        );
    }
}

#[test]
fn finnish_text_from_real_documents() {
    let Some(dir) = corpus() else {
        eprintln!("note: shared corpus not found; skipping");
        return;
    };
    // wkhtmltopdf: TrueType CID fonts with ToUnicode.
    assert_lines(
        &dir,
        "vihreat__ymparistoohjelma.pdf",
        &[
            (1, "Vihreiden ympäristöohjelma"),
            (
                3,
                "liikenne- ja ympäristökeskusten (ELY-keskukset) alueellisesti",
            ),
        ],
    );
    // pdfTeX: Type 1 fonts without ToUnicode, letters named by Differences arrays.
    assert_lines(
        &dir,
        "kandi_hegepi__tutkielma.pdf",
        &[
            (1, "Tietojenkäsittelytieteen kandiohjelma"),
            (2, "Sähkopostiosoite: info@cs.helsinki.fi"),
        ],
    );
    // Word: WinAnsi TrueType fonts; form fields filled in without appearance streams.
    assert_lines(
        &dir,
        "helapt__hitas_contract_test_result.pdf",
        &[
            (1, "Helsingin kaupunki / Kaupunkiympäristö, asuntotuotanto"),
            (2, "Yhtiön toiminimi (jäljempänä yhtiö)"),
        ],
    );
    let Some(contract) = read(&dir, "helapt__hitas_contract_test_result.pdf") else {
        return;
    };
    assert!(
        contract
            .pages
            .iter()
            .any(|p| p.contains("Matti Meikäläinen"))
    );
    assert!(
        contract
            .pages
            .iter()
            .any(|p| p.contains("Pöhkökatu 1 C 51"))
    );
    // LibreOffice Impress slides.
    assert_lines(
        &dir,
        "ohtu17__luento3.pdf",
        &[
            (
                2,
                "Ehkä keskeisin ongelma ohjelmistotuotantoprosessissa on määritellä",
            ),
            (3, "Vaatimusmäärittelyn vaiheet"),
        ],
    );
    // Aspose, Calibri CID fonts.
    assert_lines(
        &dir,
        "valtav__va_yleisohje_2022-09_fi.pdf",
        &[(
            4,
            "Yleisavustusta saa käyttää vain avustuksen myöntövuoden menoihin.",
        )],
    );
    // Word 2016.
    assert_lines(
        &dir,
        "berth__winter_storage_contract_fi.pdf",
        &[
            (1, "Veneen talvisäilytyspaikan vuokrasopimusehdot"),
            (
                2,
                "päättyy, mikäli asiakas jättää talvisäilytysmaksun maksamatta.",
            ),
        ],
    );
}

#[test]
fn metadata_and_page_count() {
    let Some(dir) = corpus() else {
        eprintln!("note: shared corpus not found; skipping");
        return;
    };
    let Some(t) = read(&dir, "kandi_hegepi__tutkielma.pdf") else {
        return;
    };
    assert_eq!(t.pages.len(), 34);
    let Some(t) = read(&dir, "pdfrs__crash-121-1.pdf") else {
        return;
    };
    assert_eq!(t.meta.created.as_deref(), Some("2011-12-05T01:23:43+01:00"));
}

/// The pages whose largest picture covers a tenth of the page or more. The expected pages
/// were found with poppler's `pdfimages -list`: each picture's drawn size is its pixels over
/// its resolution, against the page's size from `pdfinfo`.
#[test]
fn pages_with_large_pictures_are_those_pdfimages_finds() {
    let Some(dir) = corpus() else {
        eprintln!("skipped: no corpus");
        return;
    };
    let cases: [(&str, &[usize]); 3] = [
        // Lecture slides: screenshots and photographs of boards.
        (
            "ohtu17__luento4.pdf",
            &[
                5, 8, 9, 10, 11, 16, 18, 19, 20, 21, 27, 28, 30, 31, 32, 33, 34, 35, 36, 37, 38,
                39, 40, 43,
            ],
        ),
        (
            "ohtu17__luento7.pdf",
            &[5, 6, 7, 9, 11, 13, 15, 20, 21, 22, 24],
        ),
        // A thesis: its figures 14, 25 and 9 cover 7-8 % of a page, below the line; 21 just
        // above it (10.2 %).
        ("kandi_hegepi__tutkielma.pdf", &[18, 20, 21, 23, 26, 28]),
    ];
    for (name, expected) in cases {
        let Some(text) = read(&dir, name) else {
            eprintln!("skipped: {name} is not in the corpus");
            continue;
        };
        assert_eq!(text.picture_cover.len(), text.pages.len(), "{name}");
        let pictured: Vec<usize> = (1..=text.picture_cover.len())
            .filter(|&n| text.picture_cover[n - 1] >= 0.1)
            .collect();
        assert_eq!(pictured, expected, "{name}");
    }
}

//! Every Office and OpenDocument file of the shared corpus ends in a document or a typed
//! error, the password-protected ones as `encrypted`; and a handful of real files give the
//! text LibreOffice shows for them (values checked by hand against its rendering).
//!
//! The corpus lives outside the repository (`../shared/corpus` from the workspace root, or
//! `KOOSTE_CORPUS`); without it these tests print a note and pass.

mod common;

use common::corpus;
use kooste_extract::{Error, Limits, extract};
use kooste_model::{Document, ErrorKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const OFFICE_FOLDERS: [&str; 20] = [
    "docx", "docm", "dotx", "doc", "pptx", "pptm", "ppsx", "potx", "ppt", "xlsx", "xlsm", "xltx",
    "xlsb", "xls", "odt", "odp", "ods", "fodt", "fodp", "fods",
];

/// The files of the corpus's folders, each folder's in name order.
fn files_in(root: &Path, folders: &[&str]) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        all.extend(paths);
    }
    all
}

fn read(rel: &str) -> Option<Result<Document, Error>> {
    let Some(root) = corpus() else {
        eprintln!("note: no shared corpus found; skipping {rel}");
        return None;
    };
    let bytes = std::fs::read(root.join(rel)).ok()?;
    Some(extract(rel, &bytes, &Limits::default().start()))
}

fn doc(rel: &str) -> Option<Document> {
    match read(rel)? {
        Ok(d) => Some(d),
        Err(e) => panic!("{rel}: expected a document, got {e}"),
    }
}

#[test]
fn every_office_file_ends_in_a_document_or_a_typed_error() {
    let Some(root) = corpus() else {
        eprintln!("note: no shared corpus found; skipping");
        return;
    };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut panics = Vec::new();
    let mut files = 0;
    for path in files_in(&root, &OFFICE_FOLDERS) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        files += 1;
        let folder = path
            .parent()
            .and_then(Path::file_name)
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = format!(
            "{folder}/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        // `extract` itself must never unwind, whatever the parsers inside it do.
        let result =
            std::panic::catch_unwind(|| extract(&name, &bytes, &Limits::default().start()));
        let status = match result {
            Err(_) => {
                panics.push(format!("{name}: panic escaped"));
                "crash".to_string()
            }
            Ok(Ok(d)) if d.is_empty() => "empty".to_string(),
            Ok(Ok(_)) => "ok".to_string(),
            Ok(Err(e)) => {
                // A parser panic is contained and reported as damage; our own parsers
                // must not panic at all, only calamine's binary readers are allowed to.
                if matches!(e, Error::Panic(_)) && !matches!(folder.as_str(), "xlsb" | "xls") {
                    panics.push(format!("{name}: {e}"));
                }
                e.kind().as_str().to_string()
            }
        };
        *counts.entry(status).or_default() += 1;
    }
    eprintln!("{files} Office/ODF files: {counts:?}");
    assert!(files > 800, "expected the full corpus, found {files} files");
    assert!(panics.is_empty(), "panics: {panics:#?}");
    assert!(counts.get("ok").copied().unwrap_or(0) > 700, "{counts:?}");
}

#[test]
fn password_protected_samples_are_encrypted() {
    // The MANIFEST notes these as OLE2 containers with password names, and the ODT as
    // encrypted; each holds an EncryptedPackage stream or encrypted ODF entries.
    for rel in [
        "docx/tika__protected_upper_case.docx",
        "docx/poi__bug53475-password-is-pass.docx",
        "docx/poi__bug53475-password-is-solrcell.docx",
        "xlsx/tika__protect.xlsx",
        "xlsx/tika__testEXCEL_protected_passtika.xlsx",
        "xlsx/tika__testEXCEL_protected_passtika_2.xlsx",
        "xlsx/poi__60320-protected.xlsx",
        "xlsx/calamine__pass_protected.xlsx",
        "xlsb/calamine__pass_protected.xlsb",
        "pptx/tika__testPPT_protected_passtika.pptx",
        "odt/tika__testODTEncrypted.odt",
    ] {
        let Some(result) = read(rel) else { return };
        match result {
            Err(e) => assert_eq!(e.kind(), ErrorKind::Encrypted, "{rel}: {e}"),
            Ok(_) => panic!("{rel}: read without its password"),
        }
    }
    // Protection of sheets or editing is no encryption: the text is there.
    let Some(d) = doc("docx/poi__documentProtection_readonly_no_password.docx") else {
        return;
    };
    assert!(!d.is_empty());
}

#[test]
fn broken_packages_are_corrupt_and_lock_files_too() {
    for rel in [
        "docx/tika__testWORD_truncated.docx",
        "pptx/dtyo_sheriff__Tutkimuskysymysesittely_357382f.pptx",
        "odt/tika__testODTnotaZipFile.odt",
    ] {
        let Some(result) = read(rel) else { return };
        match result {
            Err(e) => assert_eq!(e.kind(), ErrorKind::Corrupt, "{rel}: {e}"),
            Ok(_) => panic!("{rel}: read as a document"),
        }
    }
    // Root relationships that are not XML: the workbook part is where a workbook always is.
    if let Some(d) = doc("xlsx/poi__xlsx-corrupted.xlsx") {
        assert!(d.text().contains("sheet\t2\ttest\tdata"), "{}", d.text());
        assert!(d.damaged.is_some_and(|n| n.contains("_rels/.rels")));
    }
}

#[test]
fn slides_in_presentation_order_with_notes_and_hidden_flags() {
    let Some(d) = doc("pptx/poi__2411-Performance_Up.pptx") else {
        return;
    };
    // Slide 10 comes after slide 9, not after slide 1 as file names would sort.
    assert!(
        d.pages[0]
            .text
            .starts_with("Apache Performance Tuning\nPart 1: Scaling Up")
    );
    assert!(
        d.pages[8]
            .text
            .starts_with("In practice\nSetup for analysis")
    );
    assert!(d.pages[9].text.starts_with("Monitoring Your Server"));
    assert_eq!(d.pages[9].n, 10);
    // The speaker note of slide 1, from its own notes part.
    assert!(
        d.pages[0]
            .text
            .contains("Hello crowd, welcome. Introduce self.")
    );
    // Slide 13 is hidden in the deck (LibreOffice leaves it out of its PDF).
    assert!(d.pages[12].hidden);
    assert!(
        d.pages[12]
            .text
            .starts_with("Monitoring Solaris: SE Toolkit")
    );
    assert!(!d.pages[11].hidden);
}

#[test]
fn a_workbook_with_an_excel_4_macro_sheet_is_read_whole() {
    // calamine refuses the workbook for its macro sheet; its three sheets are read, the
    // macro sheet's cells too, in tab order, each page opening with its sheet's name
    // (LibreOffice's HTML export shows the same three sheets and texts).
    let Some(d) = doc("xlsm/poi__64420.xlsm") else {
        return;
    };
    let sheets: Vec<(Option<&str>, &str)> = d
        .pages
        .iter()
        .map(|p| (p.name.as_deref(), p.text.as_str()))
        .collect();
    assert_eq!(
        sheets,
        [
            (Some("Sheet A"), "Sheet A\nContetn of Sheet A"),
            (Some("Sheet B"), "Sheet B\nContent of Sheet B"),
            (
                Some("Macro Sheet"),
                "Macro Sheet\nWhatever a macro sheet might be..."
            ),
        ]
    );
}

#[test]
fn chart_titles_and_categories_from_the_chart_cache() {
    let Some(d) = doc("pptx/poi__bar-chart.pptx") else {
        return;
    };
    let text = d.text();
    assert!(text.contains("My Bar Chart"), "{text}");
    assert!(text.contains("Sales"), "{text}");
    assert!(
        text.contains("1st Qtr\t2nd Qtr\t3rd Qtr\t4th Qtr"),
        "{text}"
    );
}

#[test]
fn smartart_text_from_the_diagram_data() {
    let Some(d) = doc("pptx/tika__testPPT_diagramData.pptx") else {
        return;
    };
    assert_eq!(
        d.pages[0].text.lines().take(3).collect::<Vec<_>>(),
        ["President", "VP – HR", "Manager 1"]
    );
}

#[test]
fn finnish_documents_keep_their_letters() {
    if let Some(d) = doc("docx/mikorapo__Projektisuunnitelma.docx") {
        let text = d.text();
        assert!(
            text.starts_with("Projektisuunnitelma\nEurheilijoiden Harjoituspäiväkirjajärjestelmä")
        );
        assert!(text.contains("Leena Järvenkylä-Niemi"));
    }
    if let Some(d) = doc("xlsx/systtyo_finkrise__kayttotapaukset.xlsx") {
        assert_eq!(d.pages[0].name.as_deref(), Some("Taul1"));
        assert!(
            d.pages[0]
                .text
                .contains("\n1\tJärjestelmään kirjautuminen\tKäyttäjä kirjautuu järjestelmään\t")
        );
    }
    if let Some(d) = doc("pptx/vesipeto__Tyyliopas.pptx") {
        assert!(d.pages[0].text.contains("Syöminen: 1800kcal | 3 ateriaa"));
    }
}

#[test]
fn list_numbers_as_libreoffice_shows_them() {
    if let Some(d) = doc("docx/poi__Numbering.docx") {
        let lines: Vec<&str> = d.pages[0].text.lines().collect();
        for expected in [
            "1. Level1",
            "a. Level2",
            "i. Level3",
            "1.1. Level2",
            "a) Level2",
            "3. Three",
        ] {
            assert!(
                lines.contains(&expected),
                "{expected} missing from {lines:?}"
            );
        }
    }
    if let Some(d) = doc("odt/kreuzberg__orderedListMixed.odt") {
        let lines: Vec<&str> = d.pages[0].text.lines().collect();
        assert_eq!(
            lines,
            [
                "1. A list item",
                "2. A second",
                "3. A third",
                "3.1. New level!",
                "a) And another!",
                "b) It's great up here!",
                "3.2. Oh noes",
                "3.3. We fell!",
                "4. Maybe someone",
                "5. Pushed us?",
                "4. Start new list, but a different starting point.",
                "5. Because we can."
            ]
        );
    }
}

#[test]
fn legacy_word_text_through_the_piece_table() {
    // An OLE2 Word 97 document saved under a .docm name; LibreOffice shows this text.
    let Some(d) = doc(
        "docm/poi__cpansearch.perl.org_src_tobyink_acme-rundoc-0.001_word-lib_hello_world.docm",
    ) else {
        return;
    };
    assert_eq!(d.format, kooste_model::Format::Doc);
    assert!(
        d.pages[0]
            .text
            .starts_with("package Hello::World;\n\nour @EXPORT;\nBEGIN {\n\t@EXPORT = qw/greet/;")
    );
    assert!(d.pages[0].text.contains("say “Hello world!”;"));
    assert_eq!(d.meta.author.as_deref(), Some("Toby Inkster"));
}

#[test]
fn opendocument_page_furniture() {
    if let Some(d) = doc("odp/tika__testMasterFooter.odp") {
        assert_eq!(d.pages[0].text, "Master footer is here");
    }
    if let Some(d) = doc("ods/tika__testFooter.ods") {
        assert_eq!(d.pages[0].name.as_deref(), Some("Sheet1"));
        assert_eq!(d.pages[0].text, "Sheet1\nData 1\tData 2\nData 3\tData 4");
        let furniture = d
            .pages
            .iter()
            .find(|p| p.name.as_deref() == Some("headers and footers"));
        assert_eq!(
            furniture.map(|p| p.text.as_str()),
            Some("Here is a footer in the center area")
        );
    }
}

/// Every section's headers and footers, of each kind (first page, even, odd): all but the
/// last section keep theirs in the properties of their last paragraph.
#[test]
fn word_headers_and_footers_of_every_section() {
    let furniture = |rel: &str| {
        doc(rel).map(|d| {
            d.pages
                .iter()
                .find(|p| p.name.as_deref() == Some("headers and footers"))
                .map(|p| p.text.clone())
                .unwrap_or_default()
        })
    };
    if let Some(text) = furniture("docx/poi__Headers.docx") {
        assert_eq!(text, "Section 1\nSection 2\nSection 3");
    }
    if let Some(text) = furniture("docx/tika__testWORD_various.docx") {
        assert_eq!(text, "This is the header text.\nThis is the footer text.");
    }
    if let Some(text) = furniture("docx/tika__testWORD_2006ml.docx") {
        assert_eq!(
            text,
            "Even page header\nOdd page header\nFirst page header\nEven page footer\n\
             Odd page footer\nFirst page footer"
        );
    }
    if let Some(text) = furniture("docx/pydocx__hdr-header-footer.docx") {
        assert_eq!(text, "Header for section-1\nFooter for section 1");
    }
}

/// A layout that repeats its master's shapes (a title bar, a menu) draws them over one
/// another: each line of them counts once on a slide.
#[test]
fn text_a_layout_repeats_from_its_master_counts_once() {
    if let Some(d) = doc("pptx/poi__keyframes.pptx") {
        for page in &d.pages {
            let title = "PERTUMBUHAN DAN PERKEMBANGAN PADA TUMBUHAN";
            // Once from master and layout, and on some slides once more in a shape of its own.
            let times = page.text.lines().filter(|l| l.trim() == title).count();
            assert!(times <= 2, "slide {}: {times}\n{}", page.n, page.text);
            let menu = page.text.lines().filter(|l| l.trim() == "Simulasi").count();
            assert!(menu <= 1, "slide {}: {menu}\n{}", page.n, page.text);
        }
        assert!(d.pages[0].text.contains("Selamat Belajar Biologi"));
        assert!(d.pages[0].text.contains("Simulasi"));
    }
}

#[test]
fn a_presentation_cut_short_is_read_from_its_whole_slides() {
    // The file ends inside its last picture: every slide was written before the cut.
    let Some(d) = doc("pptx/poi__Divino_Revelado.pptx") else {
        return;
    };
    assert_eq!(d.pages.len(), 12);
    assert!(d.chars() > 10_000, "{}", d.chars());
    let note = d.damaged.unwrap_or_default();
    assert!(
        note.contains("the directory at the end of its ZIP container is missing")
            && note.contains("65 whole entries"),
        "{note}"
    );
}

/// Where the central directory of an intact ZIP starts, from its end record.
fn directory_offset(bytes: &[u8]) -> Option<usize> {
    let end = bytes.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let at = bytes.get(end + 16..end + 20)?;
    let offset = u32::from_le_bytes([at[0], at[1], at[2], at[3]]) as usize;
    (offset > 0 && offset < end && bytes.get(offset..offset + 4) == Some(b"PK\x01\x02"))
        .then_some(offset)
}

#[test]
fn every_package_cut_before_its_directory_reads_as_the_whole_file_did() {
    let Some(root) = corpus() else {
        eprintln!("note: no shared corpus found; skipping");
        return;
    };
    let (mut same, mut refused, mut differ) = (0, Vec::new(), Vec::new());
    for path in files_in(&root, &["docx", "pptx", "xlsx", "odt", "odp", "ods"]) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let name = path.to_string_lossy().into_owned();
        // Apache POI's test of Unicode path fields: its directory gives two entries other
        // names than their local headers do, so the two readings differ by design.
        if name.ends_with("poi__unicode-path.docx") {
            continue;
        }
        let Ok(whole) = extract(&name, &bytes, &Limits::default().start()) else {
            continue;
        };
        let Some(cut) = directory_offset(&bytes) else {
            continue;
        };
        match extract(&name, &bytes[..cut], &Limits::default().start()) {
            Ok(d) if d.pages == whole.pages && d.damaged.is_some() => same += 1,
            Ok(d) => differ.push(format!("{name}: {:?}", d.damaged)),
            // The reason given is the container's, as without salvage.
            Err(Error::Zip(m)) if m.contains("the directory at its end is missing") => {
                refused.push(name)
            }
            Err(e) => differ.push(format!("{name}: {e}")),
        }
    }
    eprintln!(
        "cut before the directory: {same} read as whole, {} refused: {refused:?}",
        refused.len()
    );
    assert!(differ.is_empty(), "{differ:#?}");
    assert!(same > 700 && refused.is_empty(), "{same} {refused:?}");
}

/// Where the data of a package's entry starts and how long it is, from its local header.
fn entry_data(bytes: &[u8], name: &str) -> Option<(usize, usize)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let f = z.by_name(name).ok()?;
    let at = usize::try_from(f.header_start()).ok()?;
    let le16 = |i: usize| {
        bytes
            .get(i..i + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let start = at + 30 + le16(at + 26)? + le16(at + 28)?;
    Some((start, usize::try_from(f.compressed_size()).ok()?))
}

#[test]
fn a_word_document_cut_inside_its_text_is_read_up_to_the_cut() {
    let Some(root) = corpus() else {
        eprintln!("note: no shared corpus found; skipping");
        return;
    };
    let words = |d: &Document| -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for w in d.text().split_whitespace() {
            *m.entry(w.to_string()).or_default() += 1;
        }
        m
    };
    let (mut read, mut some_text, mut failed) = (0, 0, Vec::new());
    for path in files_in(&root, &["docx"]) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let name = path.to_string_lossy().into_owned();
        let Ok(whole) = extract(&name, &bytes, &Limits::default().start()) else {
            continue;
        };
        let Some((start, len)) = entry_data(&bytes, "word/document.xml") else {
            continue;
        };
        // Halfway through the document's own part; what lies after it is lost.
        if len < 2000 || start + len / 2 >= bytes.len() {
            continue;
        }
        let cut = &bytes[..start + len / 2];
        match extract(&name, cut, &Limits::default().start()) {
            Ok(d) => {
                read += 1;
                let note = d.damaged.clone().unwrap_or_default();
                assert!(
                    note.ends_with("word/document.xml breaks off and is read as far as it goes"),
                    "{name}: {note}"
                );
                // Words of the whole text, no more often than there; a word may be split at
                // the cut, so one stray word is allowed.
                let (part, all) = (words(&d), words(&whole));
                let strays: Vec<&String> = part
                    .iter()
                    .filter(|(w, n)| all.get(*w).is_none_or(|m| *n > m))
                    .map(|(w, _)| w)
                    .collect();
                assert!(strays.len() <= 1, "{name}: {strays:?}");
                let (n, m) = (part.values().sum::<usize>(), all.values().sum::<usize>());
                assert!(n <= m, "{name}: {n} of {m} words");
                if n > 0 {
                    some_text += 1;
                }
            }
            Err(e) => failed.push(format!("{name}: {e}")),
        }
    }
    eprintln!(
        "cut inside word/document.xml: {read} read ({some_text} with text), failed {failed:?}"
    );
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(read > 50 && some_text * 10 > read * 8, "{read} {some_text}");
}

/// Slides whose own shapes have no words but that show a picture OCR reads are marked for
/// OCR. The expected slides were found with Python's zipfile and regular expressions: the
/// slides, in presentation order, with no letter in their `a:t` runs and an `r:embed` picture
/// of 4,096 bytes or more whose first bytes are a PNG, JPEG, GIF, TIFF, BMP or WebP's (text
/// of an `mc:AlternateContent` from its first branch, as extraction reads it; pictures from
/// any branch, as the first branch with a readable picture is chosen).
#[test]
fn slides_of_pictures_without_words_are_marked() {
    let cases: [(&str, &[u32]); 4] = [
        // Slide 5's first branch is a PDF; its fallback, a PNG, is read.
        ("pptx/poi__2411-Performance_Up.pptx", &[3, 5]),
        (
            "pptx/poi__ca.ubc.cs.people__emhill_presentations_HowWeRefactor.pptx",
            &[2],
        ),
        ("pptx/poi__customGeo.pptx", &[3, 43]),
        // Placeholders filled with pictures by python-pptx's tests.
        ("pptx/pypptx__ph-populated-placeholders.pptx", &[1, 2]),
    ];
    for (rel, expected) in cases {
        let Some(doc) = doc(rel) else {
            return;
        };
        let pictured = doc.pictured_pages();
        assert_eq!(pictured, expected, "{rel}");
    }
}

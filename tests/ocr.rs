//! `--ocr`: scanned PDFs and images read by text recognition. The pipeline's part (which files are scans,
//! the cache, the notes and the audit) is pinned with stand-in `pdftoppm` and `tesseract`
//! scripts put first on PATH, so it does not depend on what the machine has installed; the
//! last test reads the fixture drive's scan with the real programs where they are installed
//! (`.ci/run` installs them).

#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use support::{documents, kooste, read, read_json, repo_root, run, stderr, stdout};

const SCAN: &str =
    "fixtures/sharedrive/Hankehallinto/Ohjausryhmän pöytäkirja 2_2017 allekirjoitettu.pdf";

/// What the stand-in tesseract "reads" from any page.
const READ_TEXT: &str = "Ohjausryhmän pöytäkirja. Asukkaat osallistuivat yhteiskehittämisen \
työpajaan, jossa asukkaat ideoivat palveluja yhdessä kaupungin kanssa. Osallisuus ja \
yhteiskehittäminen jatkuvat asukasraadissa.";

/// Held by every test here: a stand-in script still open for writing in one test's thread
/// while another forks is inherited by that child until it execs, and running the script
/// meanwhile fails with "text file busy".
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A folder holding a `pdftoppm` and a `tesseract` made of the given script bodies.
fn programs(dir: &Path, pdftoppm: &str, recognise: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
    let tesseract = format!(
        "case \"$1\" in\n\
         --version) echo 'tesseract 9.9.9-stand-in' ;;\n\
         --list-langs) printf 'List of available languages (3):\\neng\\nfin\\nosd\\n' ;;\n\
         *) {recognise} ;;\n\
         esac"
    );
    // `-v` answers for the version (its own, so that a mended stand-in is another reader),
    // rather than rendering a page named "-v".
    let render = format!(
        "case \"$1\" in\n\
         -v) echo 'pdftoppm version 0.{}' >&2 ;;\n\
         *) {pdftoppm} ;;\n\
         esac",
        pdftoppm.len()
    );
    for (name, body) in [
        ("pdftoppm", render.as_str()),
        ("tesseract", tesseract.as_str()),
    ] {
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    bin
}

const RENDER: &str = r#"for a; do last="$a"; done; : > "$last.pgm""#;

fn recognise_as(text: &str) -> String {
    format!("printf '%s\\n' '{text}' > \"$2.txt\"")
}

/// A recogniser that reads `text` with confidence `conf` in every word, as its TSV says.
fn recognise_with(conf: &str, text: &str) -> String {
    let rows: String = text
        .split(' ')
        .map(|w| format!("5\\t1\\t1\\t1\\t1\\t1\\t0\\t0\\t1\\t1\\t{conf}\\t{w}\\n"))
        .collect();
    format!(
        "{}; printf 'level\\n{rows}' > \"$2.tsv\"",
        recognise_as(text)
    )
}

/// `kooste ARGS` with `bin` first on PATH.
fn kooste_with(bin: &Path, args: &[&str]) -> Output {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    let joined = std::env::join_paths(dirs).unwrap_or_else(|e| panic!("{e}"));
    run(kooste().env("PATH", joined).args(args))
}

/// A drive with the fixture scan in it, or `None` where the checkout lacks the fixtures.
fn drive_with_scan(tmp: &Path, name: &str) -> Option<PathBuf> {
    let scan = repo_root().join(SCAN);
    if !scan.is_file() {
        eprintln!("skipped: {SCAN} is not in this checkout");
        return None;
    }
    let drive = tmp.join("drive");
    std::fs::create_dir_all(drive.join("Oulu")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(&scan, drive.join("Oulu").join(name)).unwrap_or_else(|e| panic!("{e}"));
    Some(drive)
}

fn run_ok(bin: &Path, drive: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        drive.to_str().unwrap_or_default(),
        "-o",
        out.to_str().unwrap_or_default(),
        "-q",
    ];
    args.extend(extra);
    let o = kooste_with(bin, &args);
    assert!(o.status.success(), "kooste run failed: {}", stderr(&o));
}

/// The JSON a command printed, one object.
fn json_of(o: &Output) -> serde_json::Value {
    serde_json::from_str(stdout(o).trim()).unwrap_or_else(|e| panic!("{e}: {}", stderr(o)))
}

fn theme_ids(d: &serde_json::Value) -> Vec<&str> {
    d["themes"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["id"].as_str()).collect())
        .unwrap_or_default()
}

/// `doc` holds what the stand-in tesseract reads, and is classified by it.
fn read_by_stand_in(doc: &serde_json::Value) {
    assert_eq!(doc["status"], "ok", "{doc}");
    assert_eq!(
        doc["ocr"],
        "read by OCR (tesseract 9.9.9-stand-in, fin+eng)"
    );
    assert_eq!(doc["chars"], READ_TEXT.chars().count());
    assert_eq!(theme_ids(doc), ["osallisuus"]);
}

#[test]
fn a_scan_is_read_by_ocr_once_and_classified() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(drive) = drive_with_scan(tmp.path(), "Pöytäkirja 2_2017.pdf") else {
        return;
    };
    let out = tmp.path().join("out");
    let bin = programs(tmp.path(), RENDER, &recognise_as(READ_TEXT));
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    read_by_stand_in(&docs["Oulu/Pöytäkirja 2_2017.pdf"]);
    let audit = read(&out.join("audit.md"));
    assert!(
        audit.contains("| Luettu tekstintunnistuksella (OCR) | 1 |\n"),
        "{audit}"
    );
    assert!(
        audit.contains(
            "- `Oulu/Pöytäkirja 2_2017.pdf`: read by OCR (tesseract 9.9.9-stand-in, fin+eng)\n"
        ),
        "{audit}"
    );
    // `audit --ocr DRIVE` audits afresh with the scan read.
    let o = kooste_with(
        &bin,
        &["audit", "--ocr", drive.to_str().unwrap_or_default()],
    );
    assert!(
        stdout(&o).contains("| Luettu tekstintunnistuksella (OCR) | 1 |"),
        "{}",
        stdout(&o)
    );
    // `classify --ocr` reads and judges a scan the same way.
    let scan_path = drive.join("Oulu/Pöytäkirja 2_2017.pdf");
    let o = kooste_with(
        &bin,
        &[
            "classify",
            "--json",
            "--ocr",
            scan_path.to_str().unwrap_or_default(),
        ],
    );
    let classified = json_of(&o);
    assert_eq!(
        classified["ocr"],
        "read by OCR (tesseract 9.9.9-stand-in, fin+eng)"
    );
    assert_eq!(theme_ids(&classified), ["osallisuus"]);
    let html = read(&out.join("kooste.html"));
    assert!(
        html.contains("<th scope=\"row\">Luettu tekstintunnistuksella (OCR)</th><td>1</td>"),
        "the page's audit counts it too"
    );

    // A copy of the same scan is not read again: what OCR read is in the cache. The stand-in
    // now fails on every page, so a second reading would show.
    std::fs::copy(
        drive.join("Oulu/Pöytäkirja 2_2017.pdf"),
        drive.join("Oulu/Pöytäkirja 2_2017 - kopio.pdf"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let bin = programs(
        tmp.path(),
        RENDER,
        "echo 'Error: cannot read page' >&2; exit 1",
    );
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    let copy = &docs["Oulu/Pöytäkirja 2_2017 - kopio.pdf"];
    assert_eq!(copy["status"], "ok", "{copy}");
    assert_eq!(copy["chars"], READ_TEXT.chars().count());

    // Without --ocr the scan is empty again, as the audit has always listed it.
    run_ok(&bin, &drive, &out, &[]);
    let docs = documents(&read_json(&out.join("index.json")));
    let scan = &docs["Oulu/Pöytäkirja 2_2017.pdf"];
    assert_eq!(scan["status"], "empty");
    assert!(scan["ocr"].is_null());
    assert!(!read(&out.join("audit.md")).contains("tekstintunnistuksella (OCR) |"));
}

#[test]
fn copies_of_a_scan_in_one_run_are_read_once() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(drive) = drive_with_scan(tmp.path(), "a.pdf") else {
        return;
    };
    for copy in ["b.pdf", "c.pdf", "d.pdf"] {
        std::fs::copy(drive.join("Oulu/a.pdf"), drive.join("Oulu").join(copy))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let counter = tmp.path().join("recognised");
    let recognise = format!(
        "echo page >> '{}'; {}",
        counter.display(),
        recognise_as(READ_TEXT)
    );
    let bin = programs(tmp.path(), RENDER, &recognise);
    // A first run without OCR stores the extraction, so that in the second every copy finds
    // it at once and only the reading of the scan is left to share.
    run_ok(&bin, &drive, &tmp.path().join("out"), &[]);
    run_ok(
        &bin,
        &drive,
        &tmp.path().join("out"),
        &["--ocr", "--jobs", "4"],
    );
    let docs = documents(&read_json(&tmp.path().join("out/index.json")));
    for name in ["a", "b", "c", "d"] {
        assert_eq!(docs[&format!("Oulu/{name}.pdf")]["status"], "ok");
    }
    // The scan has one page.
    assert_eq!(read(&counter), "page\n");
}

#[test]
fn a_scan_that_ocr_cannot_read_stays_empty_with_the_reason() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(drive) = drive_with_scan(tmp.path(), "skannaus.pdf") else {
        return;
    };
    let out = tmp.path().join("out");
    let bin = programs(
        tmp.path(),
        "echo \"Syntax Error: Couldn't read xref table\" >&2; exit 1",
        &recognise_as(READ_TEXT),
    );
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    let scan = &docs["Oulu/skannaus.pdf"];
    assert_eq!(scan["status"], "empty");
    let reason = "OCR failed: pdftoppm failed on page 1: Syntax Error: Couldn't read xref table";
    assert_eq!(scan["ocr"], reason);
    assert!(
        read(&out.join("audit.md")).contains(&format!("- `Oulu/skannaus.pdf`: {reason}\n")),
        "the audit's empty files say why"
    );
    // The failure is the page's and is remembered: the same programs do not read the scan
    // again (the failing stand-in would write its reason twice).
    let failing = tmp.path().join("bin/pdftoppm");
    let log = tmp.path().join("renders");
    let script = std::fs::read_to_string(&failing).unwrap_or_default();
    std::fs::write(
        &failing,
        script.replacen("*)", &format!("*) echo x >> '{}';", log.display()), 1),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(
        drive.join("Oulu/skannaus.pdf"),
        drive.join("Oulu/kopio.pdf"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    assert_eq!(docs["Oulu/kopio.pdf"]["ocr"], reason);
    assert!(!log.exists(), "the scan was read again");
    // With the renderer mended (another version), the next run reads it.
    let bin = programs(tmp.path(), RENDER, &recognise_as(READ_TEXT));
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    assert_eq!(docs["Oulu/skannaus.pdf"]["status"], "ok");
}

#[test]
fn a_scan_without_writing_stays_empty_and_says_ocr_found_nothing() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(drive) = drive_with_scan(tmp.path(), "tyhjä.pdf") else {
        return;
    };
    let out = tmp.path().join("out");
    let bin = programs(tmp.path(), RENDER, r#"printf '\f' > "$2.txt""#);
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    let scan = &docs["Oulu/tyhjä.pdf"];
    assert_eq!(scan["status"], "empty");
    assert_eq!(
        scan["ocr"],
        "OCR found no text (tesseract 9.9.9-stand-in, fin+eng)"
    );
}

/// A report of four pages: text on the first; on the second a scanned page, one picture
/// over the whole page with only its number as text; on the third a logo alone, too small to
/// be a page of writing; on the fourth a photograph over the page with a caption of its own.
fn report_with_a_scanned_page() -> Vec<u8> {
    let contents = [
        "BT /F1 12 Tf 72 720 Td (Hankkeen loppuraportti) Tj ET",
        "q 612 0 0 792 0 0 cm /Im1 Do Q BT /F1 9 Tf 300 20 Td (2) Tj ET",
        "q 40 0 0 20 30 750 cm /Im1 Do Q",
        "q 612 0 0 792 0 0 cm /Im1 Do Q BT /F1 9 Tf 72 20 Td (Kuva 3) Tj ET",
    ];
    let n = contents.len();
    // Objects: catalog, page tree, pages, their contents, the font, the picture.
    let (first_page, first_content, font, image) = (3, 3 + n, 3 + 2 * n, 4 + 2 * n);
    let resources =
        format!("/Resources << /Font << /F1 {font} 0 R >> /XObject << /Im1 {image} 0 R >> >>");
    let kids: Vec<String> = (first_page..first_content)
        .map(|k| format!("{k} 0 R"))
        .collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")),
    ];
    for content in first_content..font {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] {resources} /Contents {content} 0 R >>"
        ));
    }
    for ops in contents {
        objects.push(format!(
            "<< /Length {} >>\nstream\n{ops}\nendstream",
            ops.len()
        ));
    }
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string());
    objects.push(
        "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray \
         /BitsPerComponent 8 /Length 1 >>\nstream\n\u{7f}\nendstream"
            .to_string(),
    );
    support::pdf_of(&objects)
}

/// A stand-in's word list (`$2.tsv`): five words read with confidence 95, which OCR trusts.
fn trusted_tsv() -> String {
    let rows: String = [
        "Allekirjoitettu",
        "hallituksen",
        "kokouksen",
        "pöytäkirja",
        "liitteenä",
    ]
    .iter()
    .map(|w| format!("5\\t1\\t1\\t1\\t1\\t1\\t0\\t0\\t1\\t1\\t95\\t{w}\\n"))
    .collect();
    format!("printf 'level\\n{rows}' > \"$2.tsv\"")
}

/// The stand-in pdftoppm writes the page's number into the picture and the stand-in
/// tesseract reads it back, so that the text says which page was read.
const RENDER_NUMBER: &str = r#"for a; do last="$a"; done; echo "$5" > "$last.pgm""#;

/// A PDF with text whose second page is a scanned page: `--ocr` reads that page alone, adds
/// its text after the page's number, says so, and keeps what it read. Where OCR finds no
/// writing in the picture, the report stays as extracted, with no word of OCR.
#[test]
fn a_scanned_page_in_a_report_with_text_is_read_alone() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let drive = tmp.path().join("drive");
    std::fs::create_dir_all(drive.join("Oulu")).unwrap_or_else(|e| panic!("{e}"));
    let report = drive.join("Oulu/loppuraportti.pdf");
    std::fs::write(&report, report_with_a_scanned_page()).unwrap_or_else(|e| panic!("{e}"));
    // Read with confidence: beside pages with text, a page keeps only writing tesseract trusts.
    let read_page = format!(
        r#"printf 'Allekirjoitettu sivu %s\n' "$(cat "$1")" > "$2.txt"; {}"#,
        trusted_tsv()
    );
    let bin = programs(tmp.path(), RENDER_NUMBER, &read_page);
    let note = "read by OCR (tesseract 9.9.9-stand-in, fin+eng): page 2, which shows a picture and no text";

    let o = kooste_with(
        &bin,
        &[
            "extract",
            "--json",
            "--ocr",
            report.to_str().unwrap_or_default(),
        ],
    );
    let extracted = json_of(&o);
    let texts: Vec<&str> = extracted["pages"]
        .as_array()
        .map(|p| p.iter().filter_map(|p| p["text"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        texts,
        [
            "Hankkeen loppuraportti\n\n",
            "2\nAllekirjoitettu sivu 2",
            "",
            "Kuva 3\n\n"
        ]
    );
    assert_eq!(extracted["ocr"], note);

    let out = tmp.path().join("out");
    run_ok(&bin, &drive, &out, &[]);
    let docs = documents(&read_json(&out.join("index.json")));
    let doc = &docs["Oulu/loppuraportti.pdf"];
    assert!(doc["ocr"].is_null(), "{doc}");
    // Without OCR the page is named in the index and the audit, for a run with it to read.
    assert_eq!(doc["picture_pages"], serde_json::json!([2]), "{doc}");
    let audit = read(&out.join("audit.md"));
    assert!(
        audit.contains("| Kuvasivuja ilman tekstiä (tarvitsevat OCR:n) | 1 |\n"),
        "{audit}"
    );
    assert!(
        audit.contains("- `Oulu/loppuraportti.pdf`: sivu 2\n"),
        "{audit}"
    );
    let extracted_chars = doc["chars"].as_u64().unwrap_or_default();
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    let doc = &docs["Oulu/loppuraportti.pdf"];
    assert_eq!(doc["ocr"], note, "{doc}");
    assert!(doc["picture_pages"].is_null(), "{doc}");
    // The page's "2\n\n" becomes "2\nAllekirjoitettu sivu 2".
    let added = "Allekirjoitettu sivu 2".len() as u64 - 1;
    assert_eq!(doc["chars"], extracted_chars + added, "{doc}");
    assert!(read(&out.join("audit.md")).contains(&format!("- `Oulu/loppuraportti.pdf`: {note}\n")));
    // Kept: a stand-in that now fails reads nothing again.
    let failing = programs(
        tmp.path(),
        RENDER_NUMBER,
        "echo 'Error: cannot read page' >&2; exit 1",
    );
    run_ok(&failing, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    assert_eq!(docs["Oulu/loppuraportti.pdf"]["ocr"], note);

    // A picture without writing: no text is added and nothing is said.
    let blank = programs(tmp.path(), RENDER_NUMBER, r#"printf '\f' > "$2.txt""#);
    let fresh = tmp.path().join("fresh");
    run_ok(&blank, &drive, &fresh, &["--ocr"]);
    let docs = documents(&read_json(&fresh.join("index.json")));
    let doc = &docs["Oulu/loppuraportti.pdf"];
    assert!(doc["ocr"].is_null(), "{doc}");
    assert_eq!(doc["chars"], extracted_chars);
}

/// A picture of a page is read; a photograph, in which the stand-in reads only noise it does
/// not trust, stays a file without text, and the audit says OCR found none.
#[test]
fn a_scanned_image_is_read_and_a_photograph_stays_without_text() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let drive = tmp.path().join("drive");
    std::fs::create_dir_all(drive.join("Oulu")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        drive.join("Oulu/muistio.png"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR skannattu sivu",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        drive.join("Oulu/IMG_0042.JPG"),
        b"\xff\xd8\xff\xe0\0\x10JFIF\0",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = tmp.path().join("out");
    // Without --ocr both are pictures without text, empty as a scan without a text layer
    // is: not unreadable files.
    run_ok(Path::new("/nonexistent"), &drive, &out, &[]);
    let docs = documents(&read_json(&out.join("index.json")));
    for path in ["Oulu/muistio.png", "Oulu/IMG_0042.JPG"] {
        assert_eq!(docs[path]["status"], "empty", "{}", docs[path]);
        assert_eq!(docs[path]["format"], "image");
        assert!(docs[path]["error"].is_null());
    }
    let audit = read(&out.join("audit.md"));
    assert!(
        audit.contains("| Tyhjiä (tarvitsevat OCR:n) | 2 |"),
        "{audit}"
    );
    assert!(audit.contains("| Lukukelvottomia | 0 |"), "{audit}");
    // Copies of a picture are found as copies of any file are.
    std::fs::create_dir_all(drive.join("Turku")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(
        drive.join("Oulu/IMG_0042.JPG"),
        drive.join("Turku/kuva.jpg"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    run_ok(Path::new("/nonexistent"), &drive, &out, &[]);
    let audit = read(&out.join("audit.md"));
    assert!(audit.contains("| Kaksoiskappaleryhmiä | 1 |"), "{audit}");
    std::fs::remove_file(drive.join("Turku/kuva.jpg")).unwrap_or_else(|e| panic!("{e}"));

    // Words the stand-in trusts (95) on the page, noise it does not (40) in the photograph.
    // tesseract is given a private copy of each, which keeps its extension.
    let recognise = format!(
        "case \"$1\" in *.png) {} ;; *) {} ;; esac",
        recognise_with("95", READ_TEXT),
        recognise_with("40", "Te Hee m wel"),
    );
    let bin = programs(tmp.path(), RENDER, &recognise);
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    read_by_stand_in(&docs["Oulu/muistio.png"]);
    assert_eq!(docs["Oulu/muistio.png"]["format"], "image");
    let photo = &docs["Oulu/IMG_0042.JPG"];
    assert_eq!(photo["status"], "empty");
    assert_eq!(
        photo["ocr"],
        "OCR found no text (tesseract 9.9.9-stand-in, fin+eng)"
    );
    let audit = read(&out.join("audit.md"));
    assert!(
        audit.contains("| Luettu tekstintunnistuksella (OCR) | 1 |\n"),
        "{audit}"
    );
    // The page's row says what OCR found, not that the photograph needs OCR.
    let html = read(&out.join("kooste.html"));
    assert!(
        html.contains("OCR found no text (tesseract 9.9.9-stand-in, fin+eng)"),
        "the page's row of the photograph"
    );
    // OCR ran: an empty file is no longer one that needs it.
    assert!(audit.contains("| Tyhjiä (ei tekstiä) | 1 |"), "{audit}");
    assert!(
        audit.contains("- `Oulu/IMG_0042.JPG`: OCR found no text (tesseract 9.9.9-stand-in"),
        "{audit}"
    );

    // Both readings are kept: a recogniser that now fails reads neither again.
    let bin = programs(tmp.path(), RENDER, "echo 'Error: no pix' >&2; exit 1");
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    assert_eq!(docs["Oulu/muistio.png"]["status"], "ok");
    assert_eq!(docs["Oulu/muistio.png"]["chars"], READ_TEXT.chars().count());
    assert_eq!(
        docs["Oulu/IMG_0042.JPG"]["ocr"],
        "OCR found no text (tesseract 9.9.9-stand-in, fin+eng)"
    );
}

/// Scans in archives and attached to mail: a worker copies each out for OCR to read, and what
/// was read is kept with the file it is in, so a copy of the file reads none again.
#[test]
fn scans_in_archives_and_mail_are_read_once() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(drive) = drive_with_scan(tmp.path(), "irrallinen.pdf") else {
        return;
    };
    let scan = std::fs::read(repo_root().join(SCAN)).unwrap_or_else(|e| panic!("{e}"));
    let inner = zip_of(&[("sivu.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")]);
    // A file named as the folder the scan is in: the member is found all the same.
    let archive = zip_of(&[
        ("kansio", b"ei skannaus"),
        ("kansio/pöytäkirja.pdf", &scan),
        ("sisempi.zip", &inner),
    ]);
    std::fs::write(drive.join("Oulu/skannit.zip"), &archive).unwrap_or_else(|e| panic!("{e}"));
    let mail = format!(
        "From: a@example.fi\r\nTo: b@example.fi\r\nSubject: Allekirjoitettu\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"r\"\r\n\r\n\
         --r\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLiitteenä pöytäkirja.\r\n\
         --r\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; \
         filename=\"liite.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --r\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; \
         filename=\"kuva.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--r--\r\n",
        base64(&scan),
        base64(&photographed_page())
    );
    std::fs::write(drive.join("Oulu/viesti.eml"), mail).unwrap_or_else(|e| panic!("{e}"));
    let out = tmp.path().join("out");
    let bin = programs(tmp.path(), RENDER, &recognise_with("95", READ_TEXT));
    run_ok(&bin, &drive, &out, &["--ocr"]);
    // A page photographed and sent as a file of its own is read as a picture on the drive is.
    let members = [
        "Oulu/skannit.zip/kansio/pöytäkirja.pdf",
        "Oulu/skannit.zip/sisempi.zip/sivu.png",
        "Oulu/viesti.eml/liite.pdf",
        "Oulu/viesti.eml/kuva.jpg",
    ];
    let docs = documents(&read_json(&out.join("index.json")));
    for path in members {
        read_by_stand_in(&docs[path]);
    }
    // `extract --ocr` reads them too, without the cache.
    let o = kooste_with(
        &bin,
        &[
            "extract",
            "--json",
            "--ocr",
            drive.join("Oulu/skannit.zip").to_str().unwrap_or_default(),
        ],
    );
    let read_here: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_eq!(
        read_here.iter().filter(|d| !d["ocr"].is_null()).count(),
        2,
        "{read_here:?}"
    );

    // Copies, with a recogniser that now fails everything: nothing is read again.
    std::fs::copy(drive.join("Oulu/skannit.zip"), drive.join("Oulu/kopio.zip"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(drive.join("Oulu/viesti.eml"), drive.join("Oulu/kopio.eml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let bin = programs(tmp.path(), RENDER, "echo 'Error: cannot read' >&2; exit 1");
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    for path in members {
        read_by_stand_in(&docs[path]);
        read_by_stand_in(
            &docs[path
                .replace("skannit", "kopio")
                .replace("viesti", "kopio")
                .as_str()],
        );
    }
}

/// A JPEG of 40,000 bytes, as large as a photographed page sent by mail is (only its
/// signature is looked at).
fn photographed_page() -> Vec<u8> {
    let mut jpeg = b"\xff\xd8\xff\xe0\0\x10JFIF\0".to_vec();
    jpeg.resize(40_000, 0);
    jpeg
}

/// A PNG of 5,000 bytes, as big as a page's picture must be to be read (only its signature
/// is looked at).
fn page_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.resize(5000, 0);
    png
}

const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const OFFICE_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Relationships of the given (id, kind, target).
fn rels_of(rels: &[(&str, &str, &str)]) -> String {
    let rows: String = rels
        .iter()
        .map(|(id, kind, target)| {
            format!(r#"<Relationship Id="{id}" Type="{OFFICE_RELS}/{kind}" Target="{target}"/>"#)
        })
        .collect();
    format!(r#"<Relationships xmlns="{RELS}">{rows}</Relationships>"#)
}

/// A Word document without text whose body shows the given pictures (PNG).
fn word_showing(pictures: &[&[u8]]) -> Vec<u8> {
    let body: String = (1..=pictures.len())
        .map(|i| {
            format!(r#"<w:p><w:r><w:drawing><a:blip r:embed="rId{i}"/></w:drawing></w:r></w:p>"#)
        })
        .collect();
    let document = format!(
        r#"<w:document xmlns:w="w" xmlns:a="a" xmlns:r="r"><w:body>{body}</w:body></w:document>"#
    );
    let ids: Vec<(String, String)> = (1..=pictures.len())
        .map(|i| (format!("rId{i}"), format!("media/image{i}.png")))
        .collect();
    let rels: Vec<(&str, &str, &str)> = ids
        .iter()
        .map(|(id, target)| (id.as_str(), "image", target.as_str()))
        .collect();
    let document_rels = rels_of(&rels);
    let root = rels_of(&[("rId1", "officeDocument", "word/document.xml")]);
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("_rels/.rels", root.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/_rels/document.xml.rels", document_rels.as_bytes()),
    ];
    let names: Vec<String> = (1..=pictures.len())
        .map(|i| format!("word/media/image{i}.png"))
        .collect();
    entries.extend(
        names
            .iter()
            .map(String::as_str)
            .zip(pictures.iter().copied()),
    );
    zip_of(&entries)
}

/// [`word_showing`] `count` pictures of a page.
fn word_of_pictures(count: usize) -> Vec<u8> {
    let png = page_png();
    word_showing(&vec![png.as_slice(); count])
}

/// A presentation of two slides without text, the second showing a picture of a page.
fn slides_of_a_picture() -> Vec<u8> {
    deck(&["", PICTURE_SHAPE])
}

/// A picture of a page on a slide.
const PICTURE_SHAPE: &str = r#"<p:pic><p:blipFill><a:blip r:embed="rId5"/></p:blipFill></p:pic>"#;

/// A text box on a slide.
fn text_shape(text: &str) -> String {
    format!(r#"<p:sp><p:txBody><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp>"#)
}

/// A presentation of slides of the shapes given; a picture shape shows a picture of a page.
fn deck(slides: &[&str]) -> Vec<u8> {
    let png = page_png();
    let root = rels_of(&[("rId1", "officeDocument", "ppt/presentation.xml")]);
    let ids: String = (1..=slides.len())
        .map(|n| format!(r#"<p:sldId id="{}" r:id="rId{n}"/>"#, 255 + n))
        .collect();
    let presentation = format!(
        r#"<p:presentation xmlns:p="p" xmlns:r="r"><p:sldIdLst>{ids}</p:sldIdLst></p:presentation>"#
    );
    let names: Vec<(String, String)> = (1..=slides.len())
        .map(|n| (format!("rId{n}"), format!("slides/slide{n}.xml")))
        .collect();
    let listed: Vec<(&str, &str, &str)> = names
        .iter()
        .map(|(id, target)| (id.as_str(), "slide", target.as_str()))
        .collect();
    let presentation_rels = rels_of(&listed);
    let slide_rels = rels_of(&[("rId5", "image", "../media/image1.png")]);
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("_rels/.rels".into(), root.into_bytes()),
        ("ppt/presentation.xml".into(), presentation.into_bytes()),
        (
            "ppt/_rels/presentation.xml.rels".into(),
            presentation_rels.into_bytes(),
        ),
        ("ppt/media/image1.png".into(), png),
    ];
    for (n, shapes) in (1..).zip(slides) {
        let xml = format!(
            r#"<p:sld xmlns:p="p" xmlns:a="a" xmlns:r="r"><p:cSld><p:spTree>{shapes}</p:spTree></p:cSld></p:sld>"#
        );
        parts.push((format!("ppt/slides/slide{n}.xml"), xml.into_bytes()));
        if shapes.contains("r:embed") {
            parts.push((
                format!("ppt/slides/_rels/slide{n}.xml.rels"),
                slide_rels.clone().into_bytes(),
            ));
        }
    }
    let entries: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    zip_of(&entries)
}

/// A presentation with text whose second slide is a picture of a page: `--ocr` reads that
/// slide's picture alone, into that slide. A slide with a picture and a caption of its own is
/// not read.
#[test]
fn a_slide_of_a_picture_in_a_deck_with_text_is_read_alone() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let drive = tmp.path().join("drive");
    std::fs::create_dir_all(drive.join("Oulu")).unwrap_or_else(|e| panic!("{e}"));
    let title = text_shape("Tulokset");
    let captioned = format!("{PICTURE_SHAPE}{}", text_shape("Kuva"));
    let path = drive.join("Oulu/diat.pptx");
    std::fs::write(&path, deck(&[&title, PICTURE_SHAPE, &captioned]))
        .unwrap_or_else(|e| panic!("{e}"));
    let bin = programs(tmp.path(), RENDER, &recognise_with("95", READ_TEXT));
    let note = "read by OCR (tesseract 9.9.9-stand-in, fin+eng): slide 2, which shows a picture and no text";

    let extracted = json_of(&kooste_with(
        &bin,
        &[
            "extract",
            "--json",
            "--ocr",
            path.to_str().unwrap_or_default(),
        ],
    ));
    assert_eq!(extracted["ocr"], note, "{extracted}");
    let texts: Vec<&str> = extracted["pages"]
        .as_array()
        .map(|p| p.iter().filter_map(|p| p["text"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(texts, ["Tulokset", READ_TEXT, "Kuva"]);

    // The same slides in OpenDocument.
    std::fs::write(drive.join("Oulu/diat.odp"), odp_deck()).unwrap_or_else(|e| panic!("{e}"));
    let out = tmp.path().join("out");
    run_ok(&bin, &drive, &out, &[]);
    let docs = documents(&read_json(&out.join("index.json")));
    for path in ["Oulu/diat.pptx", "Oulu/diat.odp"] {
        assert_eq!(
            docs[path]["picture_pages"],
            serde_json::json!([2]),
            "{path}"
        );
    }
    assert!(read(&out.join("audit.md")).contains("- `Oulu/diat.odp`: dia 2\n"));
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    for path in ["Oulu/diat.pptx", "Oulu/diat.odp"] {
        let doc = &docs[path];
        assert_eq!(doc["ocr"], note, "{doc}");
        assert_eq!(term_pages(doc, "osallisuus"), [2], "{doc}");
    }
}

/// [`deck`]'s three slides (a title; a picture of a page; a picture with a caption) as an
/// OpenDocument presentation.
fn odp_deck() -> Vec<u8> {
    let frame = |inner: &str| format!("<draw:frame>{inner}</draw:frame>");
    let text = |t: &str| {
        frame(&format!(
            "<draw:text-box><text:p>{t}</text:p></draw:text-box>"
        ))
    };
    let picture = frame(r#"<draw:image xlink:href="Pictures/sivu.png"/>"#);
    let pages = [
        text("Tulokset"),
        picture.clone(),
        format!("{picture}{}", text("Kuva")),
    ];
    let pages: String = pages
        .iter()
        .map(|p| format!("<draw:page>{p}</draw:page>"))
        .collect();
    let content = format!(
        r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"><office:body><office:presentation>{pages}</office:presentation></office:body></office:document-content>"#
    );
    zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.presentation".as_slice(),
        ),
        ("content.xml", content.as_bytes()),
        ("Pictures/sivu.png", &page_png()),
    ])
}

/// Term pages of the theme `id` of `doc`.
fn term_pages(doc: &serde_json::Value, id: &str) -> Vec<u64> {
    let mut pages: Vec<u64> = doc["themes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["id"] == id)
        .flat_map(|t| t["terms"].as_array().cloned().unwrap_or_default())
        .flat_map(|t| t["pages"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p.as_u64())
        .collect();
    pages.sort_unstable();
    pages.dedup();
    pages
}

/// A Word document of a pasted scan and slides saved as pictures have no text of their own:
/// with `--ocr` a worker copies out the pictures their pages show, and what OCR reads of each
/// goes to its page, once. A document that shows no picture stays empty, with no word of OCR.
#[test]
fn pictures_of_documents_without_text_are_read_into_their_pages() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let drive = tmp.path().join("drive");
    std::fs::create_dir_all(drive.join("Oulu")).unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(drive.join("Oulu").join(name), bytes).unwrap_or_else(|e| panic!("{e}"))
    };
    write("skannattu muistio.docx", &word_of_pictures(1));
    write("kaksi sivua.docx", &word_of_pictures(2));
    write("diat kuvina.pptx", &slides_of_a_picture());
    write("tyhjä.docx", &word_of_pictures(0));
    write(
        "liitteet.zip",
        &zip_of(&[("liite/muistio.docx", &word_of_pictures(1))]),
    );
    let out = tmp.path().join("out");
    run_ok(Path::new("/nonexistent"), &drive, &out, &[]);
    let docs = documents(&read_json(&out.join("index.json")));
    for path in [
        "Oulu/skannattu muistio.docx",
        "Oulu/diat kuvina.pptx",
        "Oulu/tyhjä.docx",
        "Oulu/liitteet.zip/liite/muistio.docx",
    ] {
        assert_eq!(docs[path]["status"], "empty", "{path}: {}", docs[path]);
    }

    let bin = programs(tmp.path(), RENDER, &recognise_with("95", READ_TEXT));
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let check = |docs: &std::collections::BTreeMap<String, serde_json::Value>| {
        let one = "read by OCR (tesseract 9.9.9-stand-in, fin+eng) from its picture";
        for path in [
            "Oulu/skannattu muistio.docx",
            "Oulu/liitteet.zip/liite/muistio.docx",
        ] {
            let doc = &docs[path];
            assert_eq!(doc["status"], "ok", "{path}: {doc}");
            assert_eq!(doc["ocr"], one, "{path}");
            assert_eq!(doc["chars"], READ_TEXT.chars().count(), "{path}");
            assert_eq!(theme_ids(doc), ["osallisuus"], "{path}");
        }
        // Two pictures on the one page of a flowing text: both readings, one after the other.
        let two = &docs["Oulu/kaksi sivua.docx"];
        assert_eq!(
            two["ocr"],
            "read by OCR (tesseract 9.9.9-stand-in, fin+eng) from its 2 pictures"
        );
        assert_eq!(two["chars"], 2 * READ_TEXT.chars().count() + 2);
        let slides = &docs["Oulu/diat kuvina.pptx"];
        assert_eq!(slides["ocr"], one);
        assert_eq!(slides["pages"], 2);
        // The text is the second slide's, where the picture is.
        assert_eq!(term_pages(slides, "osallisuus"), [2], "{slides}");
        let empty = &docs["Oulu/tyhjä.docx"];
        assert_eq!(empty["status"], "empty", "{empty}");
        assert!(empty["ocr"].is_null(), "{empty}");
    };
    check(&documents(&read_json(&out.join("index.json"))));
    let audit = read(&out.join("audit.md"));
    assert!(
        audit.contains("| Luettu tekstintunnistuksella (OCR) | 4 |\n"),
        "{audit}"
    );

    // What was read is kept: a recogniser that now fails reads nothing again, copies of the
    // files included.
    std::fs::copy(
        drive.join("Oulu/diat kuvina.pptx"),
        drive.join("Oulu/kopio.pptx"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let bin = programs(tmp.path(), RENDER, "echo 'Error: cannot read' >&2; exit 1");
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    check(&docs);
    assert_eq!(term_pages(&docs["Oulu/kopio.pptx"], "osallisuus"), [2]);

    // A worker stopped at the time limit while it copies a document's pictures out would be
    // stopped again: that is kept as the reading, and not tried on every run.
    let bin = programs(tmp.path(), RENDER, &recognise_with("95", READ_TEXT));
    write("jumittaa.docx", &word_of_pictures(3));
    let stuck = |fault: &str, timeout: &str| {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![bin.clone()];
        dirs.extend(std::env::split_paths(&path));
        let joined = std::env::join_paths(dirs).unwrap_or_else(|e| panic!("{e}"));
        let o = run(kooste()
            .env("PATH", joined)
            .env("KOOSTE_WORKER_FAULT", fault)
            .args(["run", "-q", "--ocr", "--timeout", timeout, "-o"])
            .arg(&out)
            .arg(&drive));
        assert!(o.status.success(), "{}", stderr(&o));
        documents(&read_json(&out.join("index.json")))["Oulu/jumittaa.docx"].clone()
    };
    let doc = stuck("copy-loop:jumittaa.docx", "1");
    assert_eq!(doc["status"], "empty", "{doc}");
    assert_eq!(
        doc["ocr"],
        "OCR failed: its pictures could not be copied within a worker's 1 s and 4096 MiB"
    );
    let again = stuck("", "1");
    assert_eq!(again["ocr"], doc["ocr"], "not copied again");
    // With more time, they are.
    let read = stuck("", "60");
    assert_eq!(read["status"], "ok", "{read}");
    assert_eq!(
        read["ocr"],
        "read by OCR (tesseract 9.9.9-stand-in, fin+eng) from its 3 pictures"
    );

    // A picture that fails is named by its place among the pictures read.
    let mut broken = page_png();
    broken[100..105].copy_from_slice(b"RIKKI");
    let good = page_png();
    let mut other = page_png();
    other[200] = 1;
    write("osin rikki.docx", &word_showing(&[&good, &broken, &other]));
    let failing = format!(
        "if grep -q RIKKI \"$1\"; then echo 'Error: cannot read' >&2; exit 1; fi; {}",
        recognise_with("95", READ_TEXT)
    );
    let failing_bin = programs(tmp.path(), RENDER, &failing);
    run_ok(&failing_bin, &drive, &out, &["--ocr"]);
    let docs = documents(&read_json(&out.join("index.json")));
    let partly = &docs["Oulu/osin rikki.docx"];
    assert_eq!(partly["status"], "ok", "{partly}");
    assert_eq!(
        partly["ocr"],
        "read by OCR (tesseract 9.9.9-stand-in, fin+eng) from its 3 pictures; not read: \
         tesseract failed on picture 2: Error: cannot read"
    );
    let bin = programs(tmp.path(), RENDER, &recognise_with("95", READ_TEXT));

    // `extract --ocr` reads them too, without the cache.
    let o = kooste_with(
        &bin,
        &[
            "extract",
            "--json",
            "--ocr",
            drive.join("Oulu/liitteet.zip").to_str().unwrap_or_default(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = json_of(&o);
    assert_eq!(doc["text"].as_str().map(str::trim), Some(READ_TEXT));
}

/// An archive may hold two members of one name: a folder `a/` holding `b.png` beside an
/// archive `a` holding its own `b.png`. Each is read for its own content, and kept so.
#[test]
fn members_of_one_name_are_told_apart_by_their_content() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let drive = tmp.path().join("drive");
    std::fs::create_dir_all(drive.join("Oulu")).unwrap_or_else(|e| panic!("{e}"));
    let picture = |words: &str| [&b"\x89PNG\r\n\x1a\n\0\0\0\r"[..], words.as_bytes()].concat();
    let first = "Ensimmäinen sivu kokous avattiin kello kymmenen";
    let second = "Toinen sivu asukkaat osallistuivat työpajaan syksyllä";
    let inner = zip_of(&[("b.png", &picture(first))]);
    let archive = zip_of(&[("a", &inner), ("a/b.png", &picture(second))]);
    std::fs::write(drive.join("Oulu/kuvat.zip"), &archive).unwrap_or_else(|e| panic!("{e}"));
    // The stand-in reads the words after the picture's 12-byte head, trusting each.
    let recognise = r#"words=$(tail -c +13 "$1"); printf '%s
' "$words" > "$2.txt"; printf 'level
' > "$2.tsv"; for w in $words; do printf '5	1	1	1	1	1	0	0	1	1	95	%s
' "$w" >> "$2.tsv"; done"#;
    let out = tmp.path().join("out");
    let texts = |out: &Path| -> Vec<String> {
        let index = read_json(&out.join("index.json"));
        let mut texts: Vec<String> = index["documents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["path"] == "Oulu/kuvat.zip/a/b.png")
            .map(|d| format!("{} {}", d["chars"], d["ocr"]))
            .collect();
        texts.sort();
        texts
    };
    let bin = programs(tmp.path(), RENDER, recognise);
    run_ok(&bin, &drive, &out, &["--ocr"]);
    let expected = vec![
        format!(
            "{} \"read by OCR (tesseract 9.9.9-stand-in, fin+eng)\"",
            first.chars().count()
        ),
        format!(
            "{} \"read by OCR (tesseract 9.9.9-stand-in, fin+eng)\"",
            second.chars().count()
        ),
    ];
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(texts(&out), expected_sorted);
    // Kept apart in the cache too: a copy of the archive reads them from there.
    std::fs::copy(drive.join("Oulu/kuvat.zip"), drive.join("Oulu/kopio.zip"))
        .unwrap_or_else(|e| panic!("{e}"));
    let bin = programs(tmp.path(), RENDER, "exit 1");
    run_ok(&bin, &drive, &out, &["--ocr"]);
    assert_eq!(texts(&out), expected_sorted);
}

/// A ZIP archive of the entries given.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    for (name, bytes) in entries {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        std::io::Write::write_all(&mut z, bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    z.finish().unwrap_or_else(|e| panic!("{e}"));
    out.into_inner()
}

/// Standard base64, as mail carries attachments.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (j, b)| n | u32::from(*b) << (16 - 8 * j));
        for j in 0..4 {
            if j <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * j) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn ocr_asked_for_without_its_programs_is_a_fatal_error() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let drive = tmp.path().join("drive");
    std::fs::create_dir_all(&drive).unwrap_or_else(|e| panic!("{e}"));
    let empty = tmp.path().join("nothing");
    std::fs::create_dir_all(&empty).unwrap_or_else(|e| panic!("{e}"));
    let o = run(kooste().env("PATH", &empty).args([
        "run",
        drive.to_str().unwrap_or_default(),
        "-o",
        tmp.path().join("out").to_str().unwrap_or_default(),
        "--ocr",
    ]));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("pdftoppm was not found on PATH; install poppler-utils"),
        "{}",
        stderr(&o)
    );
    // A tesseract without the Finnish model is refused too: Finnish scans are the point.
    let bin = programs(tmp.path(), RENDER, "exit 0");
    let lone = bin.join("tesseract");
    std::fs::write(
        &lone,
        "#!/bin/sh\ncase \"$1\" in --version) echo 'tesseract 5' ;; *) printf 'eng\\n' ;; esac\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = kooste_with(&bin, &["extract", "--ocr", "x.pdf"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("no Finnish model"), "{}", stderr(&o));
}

/// The real programs on the fixture scan: the recognised words are those of the page that
/// was rendered into it (its source in `fixtures/sharedrive-src`).
#[test]
fn tesseract_reads_the_fixture_scan() {
    let _serial = serial();
    if !real_programs() || !repo_root().join(SCAN).is_file() {
        eprintln!("skipped: tesseract with Finnish, or pdftoppm, is not installed");
        return;
    }
    let o = run(kooste().args(["extract", "--json", "--ocr", SCAN]));
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = json_of(&o);
    assert!(
        doc["ocr"]
            .as_str()
            .is_some_and(|n| n.starts_with("read by OCR (tesseract ")),
        "{doc}"
    );
    // Measured 100 % with tesseract 5.3 (fin+eng) at 300 dpi.
    assert_reads_the_source(&doc);
}

/// A page scanned upside down (from kreuzberg's tests, in the shared corpus) reads turned.
#[test]
fn tesseract_reads_a_page_scanned_upside_down() {
    let _serial = serial();
    let page = repo_root().join("../shared/corpus/pdf/kreuzberg__ocr_test_rotated_180.pdf");
    if !real_programs() || !page.is_file() {
        eprintln!("skipped: tesseract with Finnish, pdftoppm, or the shared corpus is not here");
        return;
    }
    let o = run(kooste().args(["extract", "--ocr"]).arg(&page));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("Docling bundles PDF document conversion to\nJSON and Markdown"),
        "{}",
        stdout(&o)
    );
}

/// The real programs on lecture slides (in the shared corpus) whose third slide is a comic
/// strip with no text layer: that slide alone is read, and its words join the slide.
#[test]
fn tesseract_reads_the_one_slide_of_a_deck_that_is_a_picture() {
    let _serial = serial();
    let deck = repo_root().join("../shared/corpus/pdf/ohtu17__luento1.pdf");
    if !real_programs() || !deck.is_file() {
        eprintln!("skipped: tesseract with Finnish, pdftoppm, or the shared corpus is not here");
        return;
    }
    let o = run(kooste().args(["extract", "--json", "--ocr"]).arg(&deck));
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = json_of(&o);
    assert!(
        doc["ocr"]
            .as_str()
            .is_some_and(|n| n.starts_with("read by OCR (tesseract ")
                && n.ends_with("): page 3, which shows a picture and no text")),
        "{doc}"
    );
    let page = |n: usize| {
        doc["pages"][n - 1]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    // The strip's speech bubbles, as tesseract 5.3 reads them at 300 dpi.
    let strip = page(3);
    for words in ["AGILE", "PROGRAMMING", "DOCUMENTATION"] {
        assert!(strip.contains(words), "{strip}");
    }
    // The slides around it keep their own text layer.
    let plain = run(kooste().args(["extract", "--json"]).arg(&deck));
    let before = json_of(&plain);
    assert_eq!(doc["pages"][1], before["pages"][1]);
    assert_eq!(doc["pages"][3], before["pages"][3]);
    assert_eq!(before["pages"][2]["text"], "");
}

/// The real programs on a picture of the fixture scan's page, as a scanner or a phone saves
/// it: PNG at 150 dpi, made here by pdftoppm.
#[test]
fn tesseract_reads_a_scanned_image() {
    let _serial = serial();
    if !real_programs() || !repo_root().join(SCAN).is_file() {
        eprintln!("skipped: tesseract with Finnish, or pdftoppm, is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let image = scan_as_png(tmp.path());
    let o = run(kooste().args(["extract", "--json", "--ocr"]).arg(&image));
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = json_of(&o);
    assert_eq!(doc["format"], "image");
    assert_reads_the_source(&doc);
}

/// The real programs on a Word document into which that picture was pasted, and nothing
/// else: what OCR reads of the picture is the document's text.
#[test]
fn tesseract_reads_a_scan_pasted_into_a_word_document() {
    let _serial = serial();
    if !real_programs() || !repo_root().join(SCAN).is_file() {
        eprintln!("skipped: tesseract with Finnish, or pdftoppm, is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let png = std::fs::read(scan_as_png(tmp.path())).unwrap_or_else(|e| panic!("{e}"));
    let word = tmp.path().join("allekirjoitettu.docx");
    std::fs::write(&word, word_showing(&[&png])).unwrap_or_else(|e| panic!("{e}"));
    let o = run(kooste().args(["extract", "--json", "--ocr"]).arg(&word));
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = json_of(&o);
    assert_eq!(doc["format"], "docx");
    assert!(
        doc["ocr"].as_str().is_some_and(
            |n| n.starts_with("read by OCR (tesseract ") && n.ends_with("from its picture")
        ),
        "{}",
        doc["ocr"]
    );
    assert_reads_the_source(&doc);
}

/// The fixture scan's first page as a scanner or a phone saves it: PNG at 150 dpi, made by
/// pdftoppm in `dir`.
fn scan_as_png(dir: &Path) -> PathBuf {
    let image = dir.join("sivu");
    let made = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(repo_root().join(SCAN))
        .arg(&image)
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(made.success());
    image.with_extension("png")
}

/// `doc`'s text holds at least 95 % of the words (of three letters or more) of the fixture
/// scan's source: a scan is noisy, so a few misread words are allowed.
fn assert_reads_the_source(doc: &serde_json::Value) {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() > 2)
            .map(str::to_lowercase)
            .collect()
    };
    let read = words(doc["text"].as_str().unwrap_or_default());
    let expected = words(&read_source_body());
    let found = expected.iter().filter(|w| read.contains(w)).count();
    assert!(
        found * 100 >= expected.len() * 95,
        "{found} of {} words recognised:\n{}",
        expected.len(),
        doc["text"]
    );
}

/// Whether this machine has tesseract with its Finnish model, and pdftoppm.
fn real_programs() -> bool {
    std::process::Command::new("tesseract")
        .arg("--list-langs")
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l == "fin")
        })
        && std::process::Command::new("pdftoppm")
            .arg("-v")
            .output()
            .is_ok()
}

fn read_source_body() -> String {
    let src = repo_root()
        .join("fixtures/sharedrive-src/Hankehallinto/Ohjausryhmän pöytäkirja 2_2017 allekirjoitettu.pdf.md");
    let text = read(&src);
    // The body follows the front matter's closing line.
    text.split_once("\n---\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or(text)
}

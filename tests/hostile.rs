//! `kooste run` on a drive of what share drives collect: a huge sparse file, symbolic link
//! loops and dangling links, an unreadable file, names that are not UTF-8, a truncated upload,
//! a wrong extension, a password-protected copy, an empty file, an Office lock file, an
//! archive with one damaged member and a nested archive bomb. Every file gets its status, the
//! run ends with 0 and writes all of its outputs.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use support::{documents, read, read_json, run_into};

fn write(path: &Path, bytes: &[u8]) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        z.start_file(*name, options)
            .unwrap_or_else(|e| panic!("{e}"));
        z.write_all(data).unwrap_or_else(|e| panic!("{e}"));
    }
    z.finish().unwrap_or_else(|e| panic!("{e}"));
    out.into_inner()
}

/// A ZIP whose one member is 64 MiB of zeros, a thousandfold smaller packed.
fn bomb() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.start_file("pommi.txt", options)
        .unwrap_or_else(|e| panic!("{e}"));
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        z.write_all(&zeros).unwrap_or_else(|e| panic!("{e}"));
    }
    z.finish().unwrap_or_else(|e| panic!("{e}"));
    out.into_inner()
}

fn docx(text: &str) -> Vec<u8> {
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let body = format!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"#
    );
    zip(&[
        ("_rels/.rels", rels.as_bytes()),
        ("word/document.xml", body.as_bytes()),
    ])
}

/// A one-page PDF showing `text`.
fn pdf(text: &str) -> Vec<u8> {
    let ops = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    support::pdf_of(&[
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{ops}\nendstream", ops.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ])
}

/// What Office writes for a password-protected DOCX: an OLE2 compound file whose directory
/// names an `EncryptedPackage` stream. Only the header and the directory name are needed to
/// tell it.
fn encrypted_ole() -> Vec<u8> {
    let mut out = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    out.resize(1024, 0);
    for c in "EncryptedPackage".encode_utf16() {
        out.extend_from_slice(&c.to_le_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out.resize(4096, 0);
    out
}

#[cfg(unix)]
fn non_utf8(dir: &Path, name: &[u8]) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    dir.join(std::ffi::OsStr::from_bytes(name))
}

#[cfg(unix)]
#[test]
fn every_hostile_file_gets_its_status_and_the_run_goes_on() {
    use std::os::unix::fs::{PermissionsExt, symlink};

    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let drive = tmp.path().join("asema");
    std::fs::create_dir_all(&drive).unwrap_or_else(|e| panic!("{e}"));

    // 8 GiB claimed, nothing written: the size alone refuses it, no byte is read.
    let huge = std::fs::File::create(drive.join("valtava.pdf")).unwrap_or_else(|e| panic!("{e}"));
    huge.set_len(8 << 30).unwrap_or_else(|e| panic!("{e}"));
    drop(huge);

    std::fs::create_dir_all(drive.join("silmukka")).unwrap_or_else(|e| panic!("{e}"));
    symlink("..", drive.join("silmukka/takaisin")).unwrap_or_else(|e| panic!("{e}"));
    symlink("ei-ole-olemassa.pdf", drive.join("katkennut.pdf")).unwrap_or_else(|e| panic!("{e}"));
    // The folder the drive is in: followed, it would hold the whole drive again.
    symlink("..", drive.join("ylos")).unwrap_or_else(|e| panic!("{e}"));

    let locked = drive.join("lukittu.txt");
    write(&locked, b"Turun palautekysely");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000))
        .unwrap_or_else(|e| panic!("{e}"));
    // Root (as in CI containers) reads files whatever their permission bits say.
    let permissions_bind = std::fs::File::open(&locked).is_err();

    write(
        &non_utf8(&drive, b"raportti_\xe4.txt"),
        b"Espoon asiakasraati kokoontui.",
    );
    write(
        &non_utf8(&drive, b"raportti_\xf6.txt"),
        b"Vantaan palvelumuotoilu eteni.",
    );
    // A UTF-8 name written as the escape of the first: a third material of its own.
    write(
        &drive.join("raportti_\\xe4.txt"),
        b"Oulun asiakaspalvelu uudistui.",
    );

    let whole = docx("Oulun osallisuusmalli");
    write(&drive.join("katkaistu.docx"), &whole[..whole.len() / 2]);
    write(&drive.join("esitys.docx"), &pdf("Tampereen palvelumalli"));
    write(&drive.join("salattu.docx"), &encrypted_ole());
    write(&drive.join("tyhja.pdf"), b"");
    write(&drive.join("tyhja.txt"), b"");
    write(&drive.join("~$salattu.docx"), b"\x0bKayttaja   ");

    // One member's compressed data damaged, its neighbours intact.
    let good = b"Helsingin asiakaspalvelun kehittaminen. ".repeat(20);
    let mut package = zip(&[("a.txt", &good), ("b.txt", &good), ("c.txt", &good)]);
    let b_name = package
        .windows(5)
        .position(|w| w == b"b.txt")
        .unwrap_or_else(|| panic!("b.txt's local header"));
    for byte in &mut package[b_name + 9..b_name + 29] {
        *byte ^= 0x5a;
    }
    write(&drive.join("paketti.zip"), &package);

    // An archive cut short inside its last member: the members before the cut are read.
    let cut_archive = zip(&[
        ("muistio.txt", &good),
        ("liite.docx", &docx("Turun palvelumuotoilu")),
        ("loppu.txt", &good),
    ]);
    let loppu = cut_archive
        .windows(9)
        .position(|w| w == b"loppu.txt")
        .unwrap_or_else(|| panic!("loppu.txt's local header"));
    write(&drive.join("katkennut.zip"), &cut_archive[..loppu + 9 + 30]);

    // A bomb two archives down: the archives open, the bomb is refused.
    let inner = zip(&[("pommi.zip", &bomb())]);
    write(
        &drive.join("kerrokset.zip"),
        &zip(&[("sisempi.zip", &inner)]),
    );

    // Archives inside archives past the depth limit: the innermost is refused, not opened.
    let mut nested = zip(&[("pohja.txt", b"Oulun kokeilut".as_slice())]);
    for level in (1..=3).rev() {
        nested = zip(&[(&format!("{level}.zip"), &nested)]);
    }
    write(&drive.join("syva.zip"), &nested);

    let out = tmp.path().join("out");
    run_into(&drive, &out, &[]);
    for file in [
        "index.json",
        "kooste.md",
        "kooste.html",
        "themes.csv",
        "audit.md",
    ] {
        assert!(out.join(file).is_file(), "{file} was not written");
    }
    let docs = documents(&read_json(&out.join("index.json")));
    let status = |path: &str| -> (String, Option<String>) {
        let d = docs
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not in index.json: {:?}", docs.keys()));
        (
            d["status"].as_str().unwrap_or_default().to_string(),
            d["error"]["kind"].as_str().map(str::to_string),
        )
    };
    let ok = ("ok".to_string(), None);
    let error = |kind: &str| ("error".to_string(), Some(kind.to_string()));

    assert_eq!(status("valtava.pdf"), error("too_large"));
    assert_eq!(docs["valtava.pdf"]["bytes"], 8u64 << 30);
    assert_eq!(status("silmukka/takaisin"), error("io"));
    assert!(
        docs["silmukka/takaisin"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("loop")),
        "{}",
        docs["silmukka/takaisin"]
    );
    assert_eq!(status("katkennut.pdf"), error("io"));
    if permissions_bind {
        assert_eq!(status("lukittu.txt"), error("io"));
    } else {
        eprintln!(
            "every_hostile_file_gets_its_status_and_the_run_goes_on: the unreadable-file check \
             is skipped: this user reads files whatever their permission bits (root)"
        );
        assert!(docs.contains_key("lukittu.txt"), "lukittu.txt is missing");
    }

    // Two names that differ only in a byte that is not UTF-8 stay two materials.
    assert_eq!(status("raportti_\\xe4.txt"), ok);
    assert_eq!(status("raportti_\\xf6.txt"), ok);
    assert_ne!(
        docs["raportti_\\xe4.txt"]["hash"],
        docs["raportti_\\xf6.txt"]["hash"]
    );
    assert_eq!(status("raportti_\\\\xe4.txt"), ok);
    assert_ne!(
        docs["raportti_\\xe4.txt"]["hash"],
        docs["raportti_\\\\xe4.txt"]["hash"]
    );
    assert_eq!(status("ylos"), error("io"));
    assert!(
        docs["ylos"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("symbolic link loop")),
        "{}",
        docs["ylos"]
    );

    assert_eq!(status("katkaistu.docx"), error("corrupt"));
    assert_eq!(status("esitys.docx"), ok);
    assert_eq!(docs["esitys.docx"]["format"], "pdf");
    assert_eq!(status("salattu.docx"), error("encrypted"));
    assert_eq!(status("tyhja.pdf"), error("corrupt"));
    assert!(
        docs["tyhja.pdf"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("empty file (0 bytes)")),
        "{}",
        docs["tyhja.pdf"]
    );
    // An empty text file is a text with nothing in it, not damage.
    assert_eq!(status("tyhja.txt"), ("empty".to_string(), None));
    // Listed with the files that have no text, but not taken for a scan.
    let audit = read(&out.join("audit.md"));
    assert!(
        audit.contains("- `tyhja.txt`: a text file with no text in it, not a scan\n"),
        "{audit}"
    );
    assert!(
        !docs.contains_key("~$salattu.docx"),
        "the Office lock file is summarised"
    );

    assert_eq!(status("paketti.zip/a.txt"), ok);
    assert_eq!(status("paketti.zip/b.txt"), error("corrupt"));
    assert_eq!(status("paketti.zip/c.txt"), ok);

    assert_eq!(status("katkennut.zip"), error("corrupt"));
    let note = docs["katkennut.zip"]["error"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(note.contains("2 whole entries"), "{note}");
    assert!(note.contains("loppu.txt breaks off"), "{note}");
    assert_eq!(status("katkennut.zip/muistio.txt"), ok);
    assert_eq!(status("katkennut.zip/liite.docx"), ok);
    assert!(docs["katkennut.zip/liite.docx"]["damaged"].is_null());
    assert_eq!(status("katkennut.zip/loppu.txt"), ok);
    let damaged = docs["katkennut.zip/loppu.txt"]["damaged"]
        .as_str()
        .unwrap_or_default();
    assert!(
        damaged.starts_with("the archive it is in breaks off inside it"),
        "{damaged}"
    );
    assert_eq!(
        status("kerrokset.zip/sisempi.zip/pommi.zip/pommi.txt"),
        error("too_large")
    );

    assert_eq!(status("syva.zip/1.zip/2.zip/3.zip"), error("too_large"));

    let expected = [
        "esitys.docx",
        "katkaistu.docx",
        "katkennut.pdf",
        "katkennut.zip",
        "katkennut.zip/liite.docx",
        "katkennut.zip/loppu.txt",
        "katkennut.zip/muistio.txt",
        "kerrokset.zip/sisempi.zip/pommi.zip/pommi.txt",
        "lukittu.txt",
        "paketti.zip/a.txt",
        "paketti.zip/b.txt",
        "paketti.zip/c.txt",
        "raportti_\\\\xe4.txt",
        "raportti_\\xe4.txt",
        "raportti_\\xf6.txt",
        "salattu.docx",
        "silmukka/takaisin",
        "syva.zip/1.zip/2.zip/3.zip",
        "tyhja.pdf",
        "tyhja.txt",
        "valtava.pdf",
        "ylos",
    ];
    assert_eq!(docs.keys().collect::<Vec<_>>(), expected);

    // A second run answers from the cache in OUT: the same materials with the same statuses.
    run_into(&drive, &out, &[]);
    let again = documents(&read_json(&out.join("index.json")));
    let summary = |d: &BTreeMap<String, Value>| -> Vec<(String, Value, Value)> {
        d.iter()
            .map(|(p, v)| (p.clone(), v["status"].clone(), v["error"]["kind"].clone()))
            .collect()
    };
    assert_eq!(summary(&again), summary(&docs));

    // A file whose permission is taken away after a run, its size and modification time
    // unchanged, is unreadable on the next run, not kept as read from the cache.
    let esitys = drive.join("esitys.docx");
    std::fs::set_permissions(&esitys, std::fs::Permissions::from_mode(0o000))
        .unwrap_or_else(|e| panic!("{e}"));
    run_into(&drive, &out, &[]);
    let third = documents(&read_json(&out.join("index.json")));
    if permissions_bind {
        assert_eq!(
            third["esitys.docx"]["error"]["kind"], "io",
            "{}",
            third["esitys.docx"]
        );
    } else {
        assert_eq!(third["esitys.docx"]["status"], "ok");
    }
    let _ = std::fs::set_permissions(&esitys, std::fs::Permissions::from_mode(0o600));

    // Lets the temporary folder be removed by a user that permission bits do bind.
    let _ = std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o600));
}

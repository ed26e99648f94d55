//! `kooste run` on a drive that holds saved e-mail: the message is a material with its
//! subject as title, and its attached documents are materials of their own at
//! `message.eml/attachment`, classified and linked through the message. A saved calendar
//! invitation is a material whose text is its event.

mod support;

use std::io::Write;
use support::{documents, read, read_json, run_drive};

fn docx(text: &str) -> Vec<u8> {
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let body = format!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"#
    );
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default();
    for (name, data) in [("_rels/.rels", rels), ("word/document.xml", body.as_str())] {
        z.start_file(name, options)
            .unwrap_or_else(|e| panic!("{e}"));
        z.write_all(data.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    z.finish().unwrap_or_else(|e| panic!("{e}"));
    out.into_inner()
}

/// Base64 lines of 76 characters, as mail clients write attachments.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.as_bytes()
        .chunks(76)
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
fn a_saved_message_and_its_attachments_are_materials() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let drive = tmp.path().join("drive");
    let folder = drive.join("Vantaa");
    std::fs::create_dir_all(&folder).unwrap_or_else(|e| panic!("{e}"));
    let agenda = docx(
        "Asiakasraadin työpaja: yhteiskehittäminen ja osallistava suunnittelu asukkaiden \
         kanssa. Työpajassa asukkaat osallistuvat palvelujen yhteiskehittämiseen.",
    );
    let mail = format!(
        "From: \"Liisa Esimerkki\" <liisa@vantaa.fi>\r\n\
         To: hanke@example.fi\r\n\
         Subject: =?utf-8?Q?Kutsu_ty=C3=B6pajaan?=\r\n\
         Date: Mon, 20 Mar 2017 09:15:00 +0200\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"raja\"\r\n\
         \r\n\
         --raja\r\n\
         Content-Type: text/plain; charset=iso-8859-1\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         \r\n\
         Tervetuloa asiakasraadin ty=F6pajaan. Liitteen=E4 ohjelma.\r\n\
         --raja\r\n\
         Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;\r\n\
         \tname=\"Ohjelma.docx\"\r\n\
         Content-Disposition: attachment; filename=\"Ohjelma.docx\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         {}\r\n\
         --raja\r\n\
         Content-Type: image/png; name=\"logo.png\"\r\n\
         Content-Disposition: inline; filename=\"logo.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         iVBORw0KGgo=\r\n\
         --raja--\r\n",
        base64(&agenda)
    );
    std::fs::write(folder.join("Kutsu työpajaan.eml"), mail).unwrap_or_else(|e| panic!("{e}"));

    let out = run_drive(&drive, &[]);
    let docs = documents(&read_json(&out.join("index.json")));
    let paths: Vec<&String> = docs.keys().collect();
    assert_eq!(
        paths,
        [
            "Vantaa/Kutsu työpajaan.eml",
            "Vantaa/Kutsu työpajaan.eml/Ohjelma.docx"
        ],
        "the picture is no material"
    );
    let message = &docs["Vantaa/Kutsu työpajaan.eml"];
    assert_eq!(message["format"], "eml");
    assert_eq!(message["status"], "ok");
    assert_eq!(message["title"], "Kutsu työpajaan");
    assert_eq!(message["author"], "Liisa Esimerkki");
    assert_eq!(message["created"], "2017-03-20T09:15:00+02:00");
    assert_eq!(message["city"], "Vantaa");

    let attachment = &docs["Vantaa/Kutsu työpajaan.eml/Ohjelma.docx"];
    assert_eq!(attachment["format"], "docx");
    assert_eq!(attachment["status"], "ok");
    assert_eq!(attachment["city"], "Vantaa");
    let themes: Vec<&str> = attachment["themes"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(themes, ["osallisuus"]);

    // The attachment's link opens the message, the file that is on the drive.
    let html = read(&out.join("kooste.html"));
    assert!(
        html.contains("href=\"../drive/Vantaa/Kutsu%20ty%C3%B6pajaan.eml\"")
            || html.contains("href=\"../drive/Vantaa/Kutsu%20työpajaan.eml\""),
        "no link to the message"
    );
}

#[test]
fn a_saved_invitation_is_a_material_with_its_event_as_text() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let drive = tmp.path().join("drive");
    let folder = drive.join("Oulu").join("TP2");
    std::fs::create_dir_all(&folder).unwrap_or_else(|e| panic!("{e}"));
    let ics = "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n\
VERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n\
ORGANIZER;CN=\"Koivisto, Maria\":mailto:maria.koivisto@ouka.example\r\n\
SUMMARY;LANGUAGE=fi-FI:Asukasraadin yhteiskehittämisen työpaja\r\n\
LOCATION:Oulun kaupungintalo\\, sali 2\r\n\
DESCRIPTION:Asukasraati osallistuu palvelujen yhteiskehittämiseen. Työpajassa asukkaat \r\n \
ja kaupungin työntekijät suunnittelevat yhdessä osallistavan budjetoinnin kokeilua.\r\n\
CREATED:20170302T081500Z\r\nDTSTART;TZID=FLE Standard Time:20170315T170000\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
    std::fs::write(folder.join("Asukasraati työpaja.ics"), ics).unwrap_or_else(|e| panic!("{e}"));

    let out = run_drive(&drive, &[]);
    let docs = documents(&read_json(&out.join("index.json")));
    let invitation = &docs["Oulu/TP2/Asukasraati työpaja.ics"];
    assert_eq!(invitation["format"], "ics");
    assert_eq!(invitation["status"], "ok");
    assert_eq!(
        invitation["title"],
        "Asukasraadin yhteiskehittämisen työpaja"
    );
    assert_eq!(invitation["author"], "Koivisto, Maria");
    assert_eq!(invitation["created"], "2017-03-02T08:15:00Z");
    assert_eq!(invitation["city"], "Oulu");
    let themes: Vec<&str> = invitation["themes"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(themes, ["osallisuus"]);
}

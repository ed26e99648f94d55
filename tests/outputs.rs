//! The outputs of `kooste run` read back: the summary's shape and content, annotations,
//! the audit, and the safety of document text in HTML, CSV and XLSX. The drives are built
//! here from small text files whose words the default rules know, so each expectation
//! below follows from the files' content.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use support::{kooste, read, read_json, run, run_drive, stderr, stdout, xlsx_of};

/// Writes files (path relative to the drive, content) into a fresh drive folder.
fn drive(files: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
    let root = tmp.path().join("asema");
    for (path, content) in files {
        let p = root.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&p, content).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    (tmp, root)
}

const MALLI_V01: &str = "# Yhteiskehittämisen malli\n\nYhteiskehittäminen kaupunkilaisten ja yritysten kanssa on osallisuuden ydin. Työpajoissa asukkaat ja yritykset ideoivat palveluja yhdessä palvelumuotoilun keinoin.\nMallia hyödynnetään johtamisessa innovatiivisten hankintojen valmistelussa ja strategian toimeenpanossa.\n";
const MALLI_V10: &str = "# Yhteiskehittämisen malli\n\nYhteiskehittäminen kaupunkilaisten ja yritysten kanssa on osallisuuden keskeinen osa. Työpajoissa asukkaat ja yritykset ideoivat palveluja yhdessä palvelumuotoilun keinoin.\nMallia hyödynnetään johtamisessa innovatiivisten hankintojen valmistelussa ja strategian toimeenpanossa.\nYritykset saavat tietoa kaupungin todellisista palvelutarpeista ja voivat verkostoitua.\n";
const DIGI: &str = "# Digipalveluopas\n\nDigitaaliset palvelut ja rajapinnat: avoin rajapinta mahdollistaa digitaalisen asioinnin. Rajapintojen kautta yritykset rakentavat uusia digitaalisia palveluja, ja teknologia tukee sähköistä asiointia.\n";
const MONITUOTTAJUUS: &str = "# =HYPERLINK(\"http://example.invalid\",\"Monituottajuus\")\n\nMonituottajuus ja palvelumarkkinat: kaupunki, yritykset ja kolmas sektori tuottavat palveluja yhdessä. Palveluseteli ja ostopalvelut laajentavat palvelumarkkinoita monituottajamallissa.\n";
const SCRIPT_TITLE: &str = "# <script>alert(1)</script>\n\nAsiakasymmärrys ja asiakastieto: asiakasdatan hyödyntäminen ja asiakassegmentointi auttavat tuntemaan asiakkaat. Asiakaskokemus mitataan asiakaspalautteella.\n";
const PLATFORM: &str = "Alustatalous ja ekosysteemit: kaupunki toimii alustana, jonka ekosysteemissä yritykset kehittävät liiketoimintamalleja. Alustatalouden liiketoimintamalli hyödyttää ekosysteemiä.\n";
const SHARED: &str = "# Yhteinen johtamismalli\n\nJohtamisjärjestelmä ja johtaminen: strateginen johtaminen ja tiedolla johtaminen ohjaavat palvelujen kehittämistä. Johtamisjärjestelmän mittarit tukevat päätöksentekoa.\n";

fn standard_drive() -> (tempfile::TempDir, PathBuf) {
    drive(&[
        (
            "Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v0.1.md",
            MALLI_V01.as_bytes(),
        ),
        (
            "Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v1.0.md",
            MALLI_V10.as_bytes(),
        ),
        ("Helsinki/TP2/Kopio malli.md", MALLI_V10.as_bytes()),
        ("Helsinki/digipalveluopas.md", DIGI.as_bytes()),
        (
            "Oulu/Työpaketti 5/monituottajuus.md",
            MONITUOTTAJUUS.as_bytes(),
        ),
        ("Turku/asiakastieto.md", SCRIPT_TITLE.as_bytes()),
        ("Tampere/+alusta.txt", PLATFORM.as_bytes()),
        (
            "Tampere/-alusta kopio.txt",
            format!("{PLATFORM}\nToinen painos.").as_bytes(),
        ),
        (
            "Tampere/@alusta.txt",
            format!("{PLATFORM}\nKolmas painos.").as_bytes(),
        ),
        ("Vantaa/skannattu.txt", b"   \n\n  \n"),
        ("Vantaa/rikki.docx", b"PK\x03\x04 this is not a zip archive"),
        ("Yhteiset/johtamismalli.md", SHARED.as_bytes()),
    ])
}

/// The lines of a Markdown section: from its heading to the next heading of the same or a
/// higher level.
fn section<'a>(md: &'a str, heading: &str) -> Vec<&'a str> {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let mut lines = md.lines().skip_while(|l| *l != heading);
    let mut out: Vec<&str> = lines.next().into_iter().collect();
    for l in lines {
        let l_level = l.chars().take_while(|c| *c == '#').count();
        if l_level > 0 && l_level <= level && l.chars().nth(l_level) == Some(' ') {
            break;
        }
        out.push(l);
    }
    out
}

fn table_row<'a>(lines: &[&'a str], city: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.starts_with(&format!("| {city} |")))
        .copied()
        .unwrap_or_else(|| panic!("no row for {city} in {lines:#?}"))
}

const THEMES_FI: [&str; 6] = [
    "Monitoimijuus ja uudet palvelumarkkinat",
    "Osallisuus ja yhteiskehittäminen",
    "Digitaalisuus, teknologia, rajapinnat",
    "Asiakastieto, asiakasymmärrys, segmentointi, data ja datan hyödyntäminen",
    "Alustatalous, ekosysteemit ja liiketoimintamallit",
    "Johtamisjärjestelmä",
];

const CITIES: [&str; 6] = ["Espoo", "Helsinki", "Oulu", "Tampere", "Turku", "Vantaa"];

#[test]
fn the_summary_has_the_seeds_shape() {
    let (_d, root) = standard_drive();
    let out = run_drive(&root, &[]);
    let md = read(&out.join("kooste.md"));
    assert!(md.starts_with("# Kooste esimerkeistä\n"), "{md}");
    assert!(md.contains("\n## Alustus\n\n- Taulukoihin on listattu"));
    // Every theme in the seed's order, each with its city table in the seed's order.
    let mut at = 0;
    for title in THEMES_FI {
        let heading = format!("\n## {title}\n");
        let found = md[at..]
            .find(&heading)
            .unwrap_or_else(|| panic!("{title} missing or out of order"));
        at += found + heading.len();
        let lines = section(&md, heading.trim());
        assert_eq!(
            lines.get(2),
            Some(&"| Kaupunki | Viittaus materiaaliin |"),
            "{title}"
        );
        let cities: Vec<&str> = lines
            .iter()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Kaupunki"))
            .filter_map(|l| l.split(" | ").next())
            .map(|c| c.trim_start_matches("| "))
            .collect();
        assert_eq!(cities.get(..6), Some(&CITIES[..]), "{title}: {cities:?}");
    }
    // Materials sit in their city's row, by title when they have their own, with the TP tag.
    let osallisuus = section(&md, "## Osallisuus ja yhteiskehittäminen");
    let helsinki = table_row(&osallisuus, "Helsinki");
    assert!(
        helsinki.contains("[Yhteiskehittämisen malli](../asema/Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v1.0.md) (TP2)"),
        "{helsinki}"
    );
    // The older version and the identical copy are left out, and the footer says so.
    assert!(!helsinki.contains("v0.1"), "{helsinki}");
    assert!(!helsinki.contains("Kopio"), "{helsinki}");
    assert!(md.contains("Taulukoista on jätetty pois 2 vanhempaa versiota tai kaksoiskappaletta"));
    let monitoimijuus = section(&md, "## Monitoimijuus ja uudet palvelumarkkinat");
    assert_eq!(
        table_row(&monitoimijuus, "Oulu"),
        "| Oulu | [=HYPERLINK(\"http://example.invalid\",\"Monituottajuus\")](../asema/Oulu/Työpaketti%205/monituottajuus.md) (TP5) |"
    );
    assert_eq!(table_row(&monitoimijuus, "Espoo"), "| Espoo | – |");
    let johtaminen = section(&md, "## Johtamisjärjestelmä");
    assert!(
        table_row(&johtaminen, "Yhteiset tai kaupunki ei tiedossa")
            .contains("Yhteinen johtamismalli"),
        "{johtaminen:#?}"
    );

    // Examples: Tiedosto, Teema, Kaupunki and the three questions, answered automatically.
    let examples: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("### Esimerkki: "))
        .collect();
    assert!(examples.len() >= 6, "{examples:?}");
    let first = section(&md, "### Esimerkki: Yhteiskehittämisen malli");
    let body = first.join("\n");
    let order = [
        "Tiedosto: [Helsinki\\_Yhteiskehittamisen\\_malli\\_v1.0.md](../asema/Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v1.0.md) (TP2)",
        "Teema: Osallisuus ja yhteiskehittäminen",
        "Kaupunki: Helsinki",
        "**Miksi hyvä esimerkki** *(automaattinen poiminta)*",
        "**Miten voitaisiin käyttää johtamisessa** *(automaattinen poiminta)*",
        "- Mallia hyödynnetään johtamisessa innovatiivisten hankintojen valmistelussa ja strategian toimeenpanossa.",
        "**Miksi yritykset voisivat hyötyä** *(automaattinen poiminta)*",
    ];
    let mut pos = 0;
    for part in order {
        let found = body[pos..]
            .find(part)
            .unwrap_or_else(|| panic!("{part:?} missing or out of order in\n{body}"));
        pos += found + part.len();
    }
    // Neither an older version nor a copy is ever an example.
    assert!(
        !examples
            .iter()
            .any(|e| e.contains("v0.1") || e.contains("Kopio"))
    );
}

#[test]
fn examples_and_language_follow_the_options() {
    let (_d, root) = standard_drive();
    let out = run_drive(&root, &["--examples", "1", "--lang", "en"]);
    let md = read(&out.join("kooste.md"));
    assert!(md.starts_with("# Summary of examples\n"), "{md}");
    assert!(md.contains("\n## Introduction\n"));
    assert!(md.contains("\n## Participation and co-development\n"));
    assert!(md.contains("| City | Reference to material |"));
    assert!(md.contains("**Why a good example** *(picked automatically)*"));
    assert!(
        !md.contains("Kaupunki"),
        "Finnish left in the English summary"
    );
    let mut total = 0;
    for line in md.lines().filter(|l| l.starts_with("## ")) {
        let examples = section(&md, line)
            .iter()
            .filter(|l| l.starts_with("### Example: "))
            .count();
        assert!(examples <= 1, "--examples 1, but {line} has {examples}");
        total += examples;
    }
    assert!(total >= 5, "{md}");
    let html = read(&out.join("kooste.html"));
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<th scope=\"col\">Reference to material</th>"));
    let audit = read(&out.join("audit.md"));
    assert!(audit.starts_with("# Audit\n"), "{audit}");
    let mut sheets: Vec<String> = xlsx_strings(&out.join("kooste.xlsx"))
        .into_iter()
        .map(|(sheet, ..)| sheet)
        .collect();
    sheets.dedup();
    assert_eq!(
        sheets,
        [
            "Multi-actor provision",
            "Participation",
            "Digitality",
            "Customer data",
            "Platform economy",
            "Management system",
            "Examples",
            "Materials",
            "Audit"
        ]
    );

    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let intro = tmp.path().join("alustus.txt");
    std::fs::write(&intro, "- Ensimmäinen kohta\n\nToinen kohta\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = run_drive(&root, &["--intro", &intro.display().to_string()]);
    let md = read(&out.join("kooste.md"));
    assert_eq!(
        section(&md, "## Alustus"),
        [
            "## Alustus",
            "",
            "- Ensimmäinen kohta",
            "- Toinen kohta",
            ""
        ]
    );
}

#[test]
fn annotations_answer_pin_and_correct() {
    let (_d, root) = standard_drive();
    std::fs::write(
        root.join("kooste.toml"),
        r#"
[summary]
title = "Kooste esimerkeistä 6Aika AOA yhteenvetoa varten"
subtitle = "13.3.2018 · Hankkeen toimisto"
intro = ["Taulukoihin on listattu hankkeen materiaaleja", "Lisäksi esimerkkejä"]
contacts = ["Helsingin kaupunki: etunimi.sukunimi(at)hel.fi"]

[[material]]
file = "digipalveluopas.md"
example = ["monitoimijuus"]
why = "Kuvaa, mitä tietojärjestelmiä tarvitaan, kun asiakastukea keskitetään"
leadership = ["Kuvaa tarvittavat prosessit", "ja osaamisen"]
business = "Asiakkaat voidaan ohjata myös yritysten palveluihin"
city = "Espoo"
tp = "TP3"

[[material]]
file = "Yhteiset/johtamismalli.md"
city = "-"
themes = ["johtaminen", "Osallisuus"]

[[material]]
file = "Helsinki_Yhteiskehittamisen_malli_v1.0.md"
example = false

[[material]]
file = "ei-ole.pdf"
why = "ei näy"

[[material]]
file = "Turku/asiakastieto"
tp = "TP1"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = run_drive(&root, &[]);
    let md = read(&out.join("kooste.md"));
    assert!(md.starts_with(
        "# Kooste esimerkeistä 6Aika AOA yhteenvetoa varten\n\n*13.3.2018 · Hankkeen toimisto*\n"
    ));
    assert!(md.contains(
        "## Alustus\n\n- Taulukoihin on listattu hankkeen materiaaleja\n- Lisäksi esimerkkejä\n"
    ));
    assert!(md.contains("## Lisätietoja\n\n- Helsingin kaupunki: etunimi.sukunimi(at)hel.fi\n"));

    // The pinned example stands first in its theme with the curated answers, unmarked.
    let mon = section(&md, "## Monitoimijuus ja uudet palvelumarkkinat").join("\n");
    let ex = mon
        .find("### Esimerkki: Digipalveluopas")
        .unwrap_or_else(|| panic!("pinned example missing:\n{mon}"));
    let first_example = mon.find("### Esimerkki:").unwrap_or(usize::MAX);
    assert_eq!(ex, first_example, "pinned examples come first");
    let body = &mon[ex..];
    assert!(body.contains("Kaupunki: Espoo *(käsin)*"), "{body}");
    assert!(body.contains("**Miksi hyvä esimerkki**\n\n- Kuvaa, mitä tietojärjestelmiä tarvitaan, kun asiakastukea keskitetään\n"));
    assert!(body.contains("**Miten voitaisiin käyttää johtamisessa**\n\n- Kuvaa tarvittavat prosessit\n- ja osaamisen\n"));
    assert!(body.contains("**Miksi yritykset voisivat hyötyä**\n\n- Asiakkaat voidaan ohjata myös yritysten palveluihin\n"));
    // The manual theme puts it in the theme's table, marked, under its corrected city and TP.
    assert!(
        table_row(
            &section(&md, "## Monitoimijuus ja uudet palvelumarkkinat"),
            "Espoo"
        )
        .contains("[Digipalveluopas](../asema/Helsinki/digipalveluopas.md) (TP3) *(käsin)*")
    );
    // A theme corrected by hand: the shared material now under Osallisuus, marked.
    assert!(
        table_row(
            &section(&md, "## Osallisuus ja yhteiskehittäminen"),
            "Yhteiset tai kaupunki ei tiedossa"
        )
        .contains("Yhteinen johtamismalli](../asema/Yhteiset/johtamismalli.md) *(käsin)*")
    );
    // A work package set by hand shows as manual in the tables too.
    let turku = table_row(
        &section(
            &md,
            "## Asiakastieto, asiakasymmärrys, segmentointi, data ja datan hyödyntäminen",
        ),
        "Turku",
    );
    assert!(
        turku.ends_with("/asema/Turku/asiakastieto.md) (TP1) *(käsin)* |"),
        "{turku}"
    );
    // Excluded from the examples, still in the table.
    assert!(
        !md.contains("### Esimerkki: Yhteiskehittämisen malli"),
        "{md}"
    );
    assert!(
        table_row(
            &section(&md, "## Osallisuus ja yhteiskehittäminen"),
            "Helsinki"
        )
        .contains("Yhteiskehittämisen malli")
    );

    // Every output shows the corrections as manual.
    let index = read_json(&out.join("index.json"));
    let docs = index["documents"].as_array().cloned().unwrap_or_default();
    assert!(
        !docs.iter().any(|d| d["path"] == "kooste.toml"),
        "the annotations file is no material"
    );
    let digi = docs
        .iter()
        .find(|d| d["path"] == "Helsinki/digipalveluopas.md")
        .unwrap_or_else(|| panic!("no digipalveluopas in index"));
    assert_eq!(digi["city"], "Espoo");
    assert_eq!(digi["city_source"], "manual");
    assert_eq!(digi["tp"], serde_json::json!(["TP3"]));
    assert_eq!(digi["manual"], serde_json::json!(["city", "tp", "themes"]));
    let mon_theme = digi["themes"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["id"] == "monitoimijuus").cloned())
        .unwrap_or_default();
    assert_eq!(mon_theme["manual"], true);
    let shared = docs
        .iter()
        .find(|d| d["path"] == "Yhteiset/johtamismalli.md")
        .unwrap_or_else(|| panic!("no johtamismalli"));
    assert_eq!(shared["city"], serde_json::Value::Null);
    assert_eq!(shared["city_source"], "manual");
    let ids: Vec<&str> = shared["themes"]
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, ["johtaminen", "osallisuus"]);
    let example = index["examples"]
        .as_array()
        .and_then(|e| {
            e.iter()
                .find(|e| e["path"] == "Helsinki/digipalveluopas.md")
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(example["pinned"], true);
    assert_eq!(example["why"]["automatic"], false);
    assert_eq!(
        index["annotations"]["sources"],
        serde_json::json!(["kooste.toml"])
    );

    let csv = read(&out.join("themes.csv"));
    let row = csv
        .lines()
        .find(|l| l.starts_with("Helsinki/digipalveluopas.md,") && l.contains(",monitoimijuus,"))
        .unwrap_or_else(|| panic!("no manual row in\n{csv}"));
    assert!(row.contains(",Espoo,TP3,monitoimijuus,"), "{row}");
    assert!(row.ends_with(",city;tp;themes"), "{row}");
    assert!(row.contains(",1,"), "manual flag: {row}");

    let html = read(&out.join("kooste.html"));
    assert!(html.contains("<dt>Kaupunki</dt><dd>Espoo <span class=\"manual\">käsin</span></dd>"));

    // The audit lists the corrections and the annotation that found no material; the shared
    // material, set to no city by hand, is not "without a city".
    let audit = read(&out.join("audit.md"));
    assert!(
        audit.contains("- `Helsinki/digipalveluopas.md`: kaupunki, työpaketti, teemat\n"),
        "{audit}"
    );
    assert!(
        audit.contains("no material \"ei-ole.pdf\" on the drive"),
        "{audit}"
    );
    let no_city = section(&audit, "## Materiaalit ilman kaupunkia (0)");
    assert!(!no_city.is_empty(), "{audit}");
}

#[test]
fn annotations_in_a_spreadsheet() {
    let (_d, root) = standard_drive();
    let bytes = xlsx_of(&[
        &["tiedosto", "miksi", "johtaminen", "yritykset", "kaupunki"],
        &[
            "Oulu/Työpaketti 5/monituottajuus.md",
            "Kuvaa monituottajuuden toteuttamisen\nKäyttää yleisiä käsitteitä",
            "Kaupungin roolin miettiminen",
            "Yrityksille koituvien hyötyjen sanoittaminen",
            "",
        ],
    ]);
    std::fs::write(root.join("kooste-annotations.xlsx"), bytes).unwrap_or_else(|e| panic!("{e}"));
    let out = run_drive(&root, &[]);
    let md = read(&out.join("kooste.md"));
    let mon = section(&md, "## Monitoimijuus ja uudet palvelumarkkinat").join("\n");
    assert!(
        mon.contains("**Miksi hyvä esimerkki**\n\n- Kuvaa monituottajuuden toteuttamisen\n- Käyttää yleisiä käsitteitä\n"),
        "{mon}"
    );
    assert!(mon.contains(
        "**Miksi yritykset voisivat hyötyä**\n\n- Yrityksille koituvien hyötyjen sanoittaminen\n"
    ));
    let index = read_json(&out.join("index.json"));
    let paths: Vec<&str> = index["documents"]
        .as_array()
        .map(|d| d.iter().filter_map(|d| d["path"].as_str()).collect())
        .unwrap_or_default();
    assert!(!paths.contains(&"kooste-annotations.xlsx"), "{paths:?}");
}

#[test]
fn a_broken_annotations_file_stops_the_run_and_keeps_the_old_outputs() {
    let (_d, root) = standard_drive();
    let out = run_drive(&root, &[]);
    let before = read(&out.join("kooste.md"));
    std::fs::write(
        root.join("kooste.toml"),
        "[[material]]\nfile = \"x\"\nleadrship = \"typo\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = run(kooste().arg("run").arg(&root).arg("-o").arg(&out).arg("-q"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("kooste.toml"), "{}", stderr(&o));
    assert!(stderr(&o).contains("leadrship"), "{}", stderr(&o));
    assert_eq!(read(&out.join("kooste.md")), before);
}

/// An output that cannot be replaced (a folder stands in its place) stops the run before
/// any output is replaced, and no temporary file of the run is left in OUT.
#[test]
fn an_output_that_cannot_be_replaced_leaves_the_old_outputs_and_no_temporary_files() {
    let (_d, root) = standard_drive();
    let out = run_drive(&root, &[]);
    let before = read(&out.join("kooste.md"));
    std::fs::remove_file(out.join("kooste.xlsx")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(out.join("kooste.xlsx")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(root.join("uusi.txt"), DIGI).unwrap_or_else(|e| panic!("{e}"));
    let o = run(kooste().arg("run").arg(&root).arg("-o").arg(&out).arg("-q"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("kooste.xlsx"), "{}", stderr(&o));
    assert_eq!(read(&out.join("kooste.md")), before);
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn the_audit_lists_what_needs_a_person() {
    let (_d, root) = standard_drive();
    let out = run_drive(&root, &[]);
    let audit = read(&out.join("audit.md"));
    let unreadable = section(&audit, "## Lukukelvottomat tiedostot (1)").join("\n");
    assert!(
        unreadable.contains("### Vioittuneet (1, `corrupt`)"),
        "{audit}"
    );
    assert!(unreadable.contains("- `Vantaa/rikki.docx`: "), "{audit}");
    assert!(
        section(
            &audit,
            "## Tyhjät tiedostot: todennäköisesti skannattuja, tarvitsevat tekstintunnistusta (OCR) (1)"
        )
        // A text file without text is listed here, with a note that it is no scan.
        .contains(&"- `Vantaa/skannattu.txt`: a text file with no text in it, not a scan"),
        "{audit}"
    );
    let dup = section(&audit, "## Sama sisältö eri nimillä (1)").join("\n");
    assert!(
        dup.contains("- `Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v1.0.md` = `Helsinki/TP2/Kopio malli.md`"),
        "the named file is kept, the copy listed after it: {dup}"
    );
    let versions = section(&audit, "## Saman materiaalin useat versiot (1)").join("\n");
    assert!(
        versions.contains("- `Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v0.1.md`, `Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v1.0.md` → uusin `Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v1.0.md`"),
        "{versions}"
    );
    assert!(
        audit.contains("- `Yhteiset/johtamismalli.md`"),
        "no city: {audit}"
    );
    let no_city = audit
        .lines()
        .find(|l| l.starts_with("## Materiaalit ilman kaupunkia"))
        .unwrap_or_default()
        .to_string();
    assert_eq!(no_city, "## Materiaalit ilman kaupunkia (1)");

    // `kooste audit` prints the same from the index, and --fail-on sets the exit code.
    let o = run(kooste().arg("audit").arg("-o").arg(&out));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), audit);
    let o = run(kooste()
        .args(["audit", "--fail-on", "errors", "-o"])
        .arg(&out));
    assert_eq!(o.status.code(), Some(3));
    let o = run(kooste()
        .args(["audit", "--fail-on", "untagged", "-o"])
        .arg(&out));
    assert_eq!(
        o.status.code(),
        Some(0),
        "every readable material has a theme"
    );
    let o = run(kooste()
        .args(["audit", "--fail-on", "errors", "--lang", "en"])
        .arg(&root));
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stdout(&o).contains("## Unreadable files (1)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn fail_on_untagged_counts_themeless_materials() {
    let (_d, root) = drive(&[
        (
            "Espoo/kokous.txt",
            b"Kokouksen aika ja paikka sovitaan myohemmin. Kahvia tarjolla.",
        ),
        ("Espoo/osallisuus.md", MALLI_V10.as_bytes()),
    ]);
    let o = run(kooste().args(["audit", "--fail-on", "untagged"]).arg(&root));
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(
            "## Materiaalit ilman teemaa (1)\n\nTarkista, kuuluuko materiaali hankkeen \
             teemoihin; teeman voi antaa käsin tiedostossa kooste.toml.\n\n- `Espoo/kokous.txt`"
        ),
        "{}",
        stdout(&o)
    );
    // A person's "no theme" settles it.
    std::fs::write(
        root.join("kooste.toml"),
        "[[material]]\nfile = \"kokous.txt\"\nthemes = \"-\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = run(kooste().args(["audit", "--fail-on", "untagged"]).arg(&root));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("- `Espoo/kokous.txt`: teemat"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn index_json_keeps_the_spec_shape() {
    let (_d, root) = standard_drive();
    let out = run_drive(&root, &[]);
    let text = read(&out.join("index.json"));
    let keys: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  \""))
        .filter_map(|l| l.trim().split('"').nth(1))
        .collect();
    assert_eq!(
        keys.get(..4),
        Some(&["schema", "generated", "drive", "rules"][..]),
        "{keys:?}"
    );
    let index = read_json(&out.join("index.json"));
    assert_eq!(index["schema"], 1);
    let docs = index["documents"].as_array().cloned().unwrap_or_default();
    assert_eq!(docs.len(), 12);
    for d in &docs {
        for key in [
            "path", "format", "bytes", "hash", "title", "city", "tp", "themes", "status", "error",
            "pages", "chars",
        ] {
            assert!(d.get(key).is_some(), "{key} missing in {d}");
        }
    }
    let examples = index["examples"].as_array().cloned().unwrap_or_default();
    assert!(!examples.is_empty());
    assert!(examples.iter().all(|e| e["why"]["automatic"] == true));
}

/// The cells of every sheet of an XLSX file: (sheet, row, column, text).
fn xlsx_strings(path: &Path) -> Vec<(String, usize, usize, String)> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> =
        open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if let Data::String(s) = cell {
                    out.push((name.clone(), r, c, s.clone()));
                }
            }
        }
    }
    out
}

#[test]
fn document_text_is_data_in_html_csv_and_xlsx() {
    let (_d, root) = standard_drive();
    let out = run_drive(&root, &[]);

    // HTML: the script title is text, never a tag; only the page's own script is there.
    let html = read(&out.join("kooste.html"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert"));
    assert_eq!(
        html.matches("<script").count(),
        1,
        "one script: the page's own"
    );
    assert!(html.contains("Content-Security-Policy"));
    assert!(
        html.contains("=HYPERLINK(&quot;http://example.invalid&quot;,&quot;Monituottajuus&quot;)")
    );
    // Links open the files relatively, names encoded.
    assert!(
        html.contains("href=\"../asema/Tampere/%2Balusta.txt\""),
        "plus sign encoded"
    );
    assert!(html.contains("href=\"../asema/Oulu/Työpaketti%205/monituottajuus.md\""));
    // Markdown escapes it too.
    let md = read(&out.join("kooste.md"));
    assert!(md.contains("\\<script\\>alert(1)\\</script\\>"));
    assert!(!md.contains("<script>"));

    // CSV: formula-like titles and names start with an apostrophe.
    let csv = read(&out.join("themes.csv"));
    let formula_rows: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("Oulu/Työpaketti 5/monituottajuus.md,"))
        .collect();
    assert!(!formula_rows.is_empty(), "{csv}");
    for row in &formula_rows {
        assert!(
            row.contains(
                ",\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"Monituottajuus\"\")\","
            ),
            "{row}"
        );
    }
    // Titles taken from file names that start with +, - and @.
    for (path, title) in [
        ("Tampere/+alusta.txt", "'+alusta"),
        ("Tampere/-alusta kopio.txt", "'-alusta kopio"),
        ("Tampere/@alusta.txt", "'@alusta"),
    ] {
        let prefix = format!("{path},{title},Tampere,");
        assert!(
            csv.lines().any(|l| l.starts_with(&prefix)),
            "no row starts with {prefix:?} in\n{csv}"
        );
    }
    for line in csv.lines() {
        for field in line.split(',') {
            let f = field.trim_start_matches('"');
            assert!(
                !f.starts_with(['=', '+', '-', '@']),
                "live formula field {field:?} in {line}"
            );
        }
    }

    // XLSX: no cell is a formula, and no string cell starts like one.
    let xlsx = out.join("kooste.xlsx");
    let file = std::fs::File::open(&xlsx).unwrap_or_else(|e| panic!("{e}"));
    let mut zip = zip::ZipArchive::new(file).unwrap_or_else(|e| panic!("{e}"));
    let mut sheets = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap_or_else(|e| panic!("{e}"));
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        if name.starts_with("xl/worksheets/sheet") {
            sheets += 1;
            let mut xml = String::new();
            entry
                .read_to_string(&mut xml)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(
                !xml.contains("<f>") && !xml.contains("<f "),
                "{name} holds a formula"
            );
        }
    }
    assert_eq!(
        sheets,
        6 + 3,
        "a sheet per theme, examples, materials, audit"
    );
    let cells = xlsx_strings(&xlsx);
    for (sheet, r, c, s) in &cells {
        assert!(
            !s.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{sheet}!{r},{c}: {s:?}"
        );
    }
    let materials: Vec<&(String, usize, usize, String)> =
        cells.iter().filter(|(s, ..)| s == "Materiaalit").collect();
    let title_of = |path: &str| {
        materials
            .iter()
            .find(|(_, _, c, s)| *c == 0 && s == path)
            .and_then(|(_, r, ..)| materials.iter().find(|(_, rr, cc, _)| rr == r && *cc == 2))
            .map(|(.., s)| s.as_str())
    };
    assert_eq!(
        title_of("Oulu/Työpaketti 5/monituottajuus.md"),
        Some("'=HYPERLINK(\"http://example.invalid\",\"Monituottajuus\")")
    );
    assert_eq!(title_of("Tampere/+alusta.txt"), Some("'+alusta"));
    assert_eq!(
        title_of("Tampere/-alusta kopio.txt"),
        Some("'-alusta kopio")
    );
    assert_eq!(title_of("Tampere/@alusta.txt"), Some("'@alusta"));
}

#[test]
fn a_title_longer_than_a_cell_holds_is_cut_at_excels_limit() {
    let page = format!(
        "<html><head><title>{}</title></head><body><p>Osallisuus ja yhteiskehittäminen.</p></body></html>",
        "x".repeat(40_000)
    );
    let (_d, root) = drive(&[("pitka.html", page.as_bytes())]);
    let out = run_drive(&root, &[]);
    let cells = xlsx_strings(&out.join("kooste.xlsx"));
    let long: Vec<usize> = cells
        .iter()
        .filter(|(sheet, ..)| sheet == "Materiaalit")
        .map(|(.., text)| text.chars().count())
        .filter(|n| *n > 1000)
        .collect();
    // Excel's limit, 32,767 characters; the rest of the title is in index.json.
    assert_eq!(long, [32_767], "{long:?}");
}

#[test]
fn xlsx_holds_the_theme_tables_materials_and_audit() {
    let (_d, root) = standard_drive();
    let out = run_drive(&root, &[]);
    let cells = xlsx_strings(&out.join("kooste.xlsx"));
    let sheets: Vec<String> = {
        let mut s: Vec<String> = cells.iter().map(|(s, ..)| s.clone()).collect();
        s.dedup();
        s
    };
    assert_eq!(
        sheets,
        [
            "Monitoimijuus",
            "Osallisuus",
            "Digitaalisuus",
            "Asiakastieto",
            "Alustatalous",
            "Johtaminen",
            "Esimerkit",
            "Materiaalit",
            "Auditointi"
        ]
    );
    let get = |sheet: &str, r: usize, c: usize| {
        cells
            .iter()
            .find(|(s, rr, cc, _)| s == sheet && *rr == r && *cc == c)
            .map(|(.., v)| v.as_str())
    };
    assert_eq!(
        get("Osallisuus", 0, 0),
        Some("Osallisuus ja yhteiskehittäminen")
    );
    assert_eq!(get("Osallisuus", 2, 0), Some("Kaupunki"));
    let helsinki_row = cells
        .iter()
        .find(|(s, _, c, v)| {
            s == "Osallisuus"
                && *c == 5
                && v == "Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v1.0.md"
        })
        .map(|(_, r, ..)| *r)
        .unwrap_or_else(|| panic!("no v1.0 row in Osallisuus"));
    assert_eq!(get("Osallisuus", helsinki_row, 0), Some("Helsinki"));
    assert_eq!(
        get("Osallisuus", helsinki_row, 1),
        Some("Yhteiskehittämisen malli")
    );
    assert_eq!(get("Osallisuus", helsinki_row, 2), Some("TP2"));
    // Every material, with its status; the audit names the broken file.
    let material_paths: Vec<&str> = cells
        .iter()
        .filter(|(s, r, c, _)| s == "Materiaalit" && *r > 0 && *c == 0)
        .map(|(.., v)| v.as_str())
        .collect();
    assert_eq!(material_paths.len(), 12, "{material_paths:?}");
    assert!(
        cells
            .iter()
            .any(|(s, _, c, v)| s == "Auditointi" && *c == 1 && v == "Vantaa/rikki.docx")
    );
    assert!(
        cells
            .iter()
            .any(|(s, _, c, v)| s == "Auditointi" && *c == 0 && v == "Lukukelvoton: vioittunut")
    );
}

/// Run from inside the drive (`kooste run .`), the summary names the folder, not ".".
#[test]
fn a_run_from_inside_the_drive_names_its_folder() {
    let (_d, root) = standard_drive();
    let out = root
        .parent()
        .map_or_else(|| root.join("out"), |p| p.join("out-dot"));
    let o = run(kooste()
        .current_dir(&root)
        .args(["run", ".", "-q", "-o"])
        .arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    let md = read(&out.join("kooste.md"));
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(
        md.contains(&format!("kansion {name} ")),
        "{}",
        md.lines().take(5).collect::<Vec<_>>().join("\n")
    );
    assert!(!md.contains("kansion . "));
}

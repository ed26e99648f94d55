//! The outputs for the fixture share drive (`fixtures/sharedrive`, see `fixtures/README.md`):
//! real DOCX, PPTX, XLSX, ODT and PDF files, among them a DOCX titled
//! `<script>alert(1)</script>`, a workbook titled `=HYPERLINK(...)`, a file named `+358 ...`,
//! an identical copy, two pairs of versions, and encrypted, corrupt and scanned files.

mod support;

use std::path::Path;
use support::{copy_tree, fixture_drive_or_skip, kooste, read, read_json, run, run_into, stdout};

fn outputs(test: &str, extra: &[&str]) -> Option<(tempfile::TempDir, std::path::PathBuf)> {
    let drive = fixture_drive_or_skip(test)?;
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = tmp.path().join("out");
    run_into(&drive, &out, extra);
    Some((tmp, out))
}

/// The lines of a Markdown section, from its heading to the next of the same or higher level.
fn section<'a>(md: &'a str, heading: &str) -> Vec<&'a str> {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let mut lines = md.lines().skip_while(|l| *l != heading);
    let mut out: Vec<&str> = lines.next().into_iter().collect();
    for l in lines {
        let n = l.chars().take_while(|c| *c == '#').count();
        if n > 0 && n <= level && l.chars().nth(n) == Some(' ') {
            break;
        }
        out.push(l);
    }
    out
}

fn row<'a>(lines: &[&'a str], city: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.starts_with(&format!("| {city} |")))
        .copied()
        .unwrap_or_else(|| panic!("no {city} row in {lines:#?}"))
}

fn documents(index: &serde_json::Value) -> Vec<serde_json::Value> {
    index["documents"].as_array().cloned().unwrap_or_default()
}

fn xlsx_cells(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> =
        open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("{sheet}: {e}"));
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn xlsx_text_cells(path: &Path, sheet: &str) -> Vec<String> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> =
        open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("{sheet}: {e}"));
    range
        .used_cells()
        .filter_map(|(_, _, c)| match c {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_script_title_is_text_everywhere() {
    let Some(drive) = fixture_drive_or_skip("the_script_title_is_text_everywhere") else {
        return;
    };
    // Whether the rules give the document a theme is the classifier's business; a manual
    // theme puts its title into every table of the summary, where the escaping is tested.
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let copy = tmp.path().join("drive");
    copy_tree(&drive, &copy);
    std::fs::write(
        copy.join("kooste.toml"),
        "[[material]]\nfile = \"Testitapaukset/Otsikko_script-tagi_testi.docx\"\nthemes = [\"asiakastieto\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = tmp.path().join("out");
    run_into(&copy, &out, &[]);
    let index = read_json(&out.join("index.json"));
    let doc = documents(&index)
        .into_iter()
        .find(|d| d["path"] == "Testitapaukset/Otsikko_script-tagi_testi.docx")
        .unwrap_or_else(|| panic!("the script fixture is not in the index"));
    // The test means something only if the title really came through.
    assert_eq!(doc["title"], "<script>alert(1)</script>");
    let html = read(&out.join("kooste.html"));
    assert!(
        html.contains(">&lt;script&gt;alert(1)&lt;/script&gt;</a>"),
        "title as link text"
    );
    assert!(!html.to_lowercase().contains("<script>alert"));
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    let md = read(&out.join("kooste.md"));
    assert!(
        md.contains("[\\<script\\>alert(1)\\</script\\>]("),
        "escaped in kooste.md"
    );
    assert!(!md.contains("<script>"));
}

#[test]
fn formula_titles_and_names_stay_text_in_csv_and_xlsx() {
    let Some((_t, out)) = outputs("formula_titles_and_names_stay_text_in_csv_and_xlsx", &[]) else {
        return;
    };
    let csv = read(&out.join("themes.csv"));
    let rows: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("Testitapaukset/Otsikko_kaava_testi.xlsx,"))
        .collect();
    assert!(
        !rows.is_empty(),
        "the formula-titled workbook has a theme row:\n{csv}"
    );
    for r in rows {
        assert!(
            r.starts_with(
                "Testitapaukset/Otsikko_kaava_testi.xlsx,\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"x\"\")\","
            ),
            "{r}"
        );
    }
    let xlsx = out.join("kooste.xlsx");
    let materials = xlsx_cells(&xlsx, "Materiaalit");
    let find = |path: &str| {
        materials
            .iter()
            .find(|r| r.first().map(String::as_str) == Some(path))
            .cloned()
            .unwrap_or_else(|| panic!("no row for {path}"))
    };
    let kaava = find("Testitapaukset/Otsikko_kaava_testi.xlsx");
    assert_eq!(kaava[2], "'=HYPERLINK(\"http://example.invalid\",\"x\")");
    let plus = find("Testitapaukset/+358 puhelinneuvonnan jonotusajat 2017.xlsx");
    assert_eq!(plus[1], "'+358 puhelinneuvonnan jonotusajat 2017.xlsx");
    for sheet in ["Materiaalit", "Esimerkit", "Auditointi", "Osallisuus"] {
        // Numbers (negative scores among them) are numeric cells; only text could turn
        // into a formula once the sheet is saved as CSV or retyped.
        for c in xlsx_text_cells(&xlsx, sheet) {
            assert!(!c.starts_with(['=', '+', '-', '@']), "{sheet}: {c:?}");
        }
    }
    let html = read(&out.join("kooste.html"));
    assert!(html.contains("Testitapaukset/%2B358%20puhelinneuvonnan%20jonotusajat%202017.xlsx\""));
}

#[test]
fn versions_copies_and_unreadable_files_are_audited() {
    let Some((_t, out)) = outputs("versions_copies_and_unreadable_files_are_audited", &[]) else {
        return;
    };
    let audit = read(&out.join("audit.md"));
    let expect = [
        "### Salatut (1, `encrypted`)\n\nPyydä tiedosto ilman salasanaa tai tallenna se uudelleen ilman suojausta.\n\n- `Turku/Konsulttisopimus_kokonaisarkkitehtuurityö_luottamuksellinen.pdf`: ",
        "## Osittain luetut tiedostot: vioittuneiden ehjä osa tai rajaan asti (1)\n\n- `Oulu/Asiakaspalvelupisteiden verkosto_luonnos.docx`: ",
        "(OCR) (1)\n\n`kooste run --ocr` lukee skannattujen sivujen tekstin.\n\n- `Hankehallinto/Ohjausryhmän pöytäkirja 2_2017 allekirjoitettu.pdf`\n",
        "## Sama sisältö eri nimillä (1)",
        "- `Helsinki/TP2/Lapsiperheet_Idearaati_kooste_Helsinki_1_2017.pdf` = `Yhteiset/Jaetut/Lapsiperheet_Idearaati_kooste_Helsinki_1_2017 - kopio.pdf`\n",
        "## Saman materiaalin useat versiot (2)",
        "- `Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v0.1.pptx`, `Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v1.0.pptx` → uusin `Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v1.0.pptx`\n",
        "- `Tampere/Tampere aspa_visiotyöpaja_kooste_2017-03-09.odt`, `Tampere/Tampere aspa_visiotyöpaja_kooste_2017-03-21.odt` → uusin `Tampere/Tampere aspa_visiotyöpaja_kooste_2017-03-21.odt`\n",
    ];
    for e in expect {
        assert!(audit.contains(e), "audit.md lacks {e:?}:\n{audit}");
    }
    // Lock, owner and hidden files are no materials.
    let index = read_json(&out.join("index.json"));
    let paths: Vec<String> = documents(&index)
        .iter()
        .filter_map(|d| d["path"].as_str().map(str::to_string))
        .collect();
    assert_eq!(paths.len(), 65);
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("~$") || p.contains(".~lock") || p.contains(".DS_Store"))
    );
    // The summary lists the newest version and the original, not the others.
    let md = read(&out.join("kooste.md"));
    assert!(md.contains("Helsinki_Yhteiskehittamisen_malli_v1.0.pptx"));
    assert!(!md.contains("Helsinki_Yhteiskehittamisen_malli_v0.1"));
    assert!(!md.contains("kooste_2017-03-09"));
    assert!(md.contains("kooste_2017-03-21.odt"));
    assert!(!md.contains("kopio.pdf"));
    assert!(md.contains("Taulukoista on jätetty pois 3 vanhempaa versiota tai kaksoiskappaletta"));

    // `kooste audit` on the drive agrees, and fails on errors when asked.
    let drive = fixture_drive_or_skip("versions_copies_and_unreadable_files_are_audited");
    if let Some(drive) = drive {
        let o = run(kooste().args(["audit", "--fail-on", "errors"]).arg(&drive));
        assert_eq!(o.status.code(), Some(3));
        let printed = stdout(&o);
        for e in expect {
            assert!(printed.contains(e), "kooste audit lacks {e:?}");
        }
    }
}

#[test]
fn the_summary_reads_like_the_seed() {
    let Some((_t, out)) = outputs("the_summary_reads_like_the_seed", &[]) else {
        return;
    };
    let md = read(&out.join("kooste.md"));
    let themes = [
        "## Monitoimijuus ja uudet palvelumarkkinat",
        "## Osallisuus ja yhteiskehittäminen",
        "## Digitaalisuus, teknologia, rajapinnat",
        "## Asiakastieto, asiakasymmärrys, segmentointi, data ja datan hyödyntäminen",
        "## Alustatalous, ekosysteemit ja liiketoimintamallit",
        "## Johtamisjärjestelmä",
    ];
    for theme in themes {
        let lines = section(&md, theme);
        assert_eq!(
            lines.get(2),
            Some(&"| Kaupunki | Viittaus materiaaliin |"),
            "{theme}"
        );
        let cities: Vec<&str> = lines
            .iter()
            .skip(4)
            .take_while(|l| l.starts_with("| "))
            .filter_map(|l| l.get(2..).and_then(|r| r.split(" | ").next()))
            .collect();
        assert_eq!(
            cities.get(..6),
            Some(&["Espoo", "Helsinki", "Oulu", "Tampere", "Turku", "Vantaa"][..]),
            "{theme}"
        );
        let examples = lines
            .iter()
            .filter(|l| l.starts_with("### Esimerkki: "))
            .count();
        assert_eq!(examples, 3, "{theme}: three examples by default");
    }
    // Documents named by their own titles, with the TP tag the seed writes, linked to the file.
    let osallisuus = section(&md, "## Osallisuus ja yhteiskehittäminen");
    let helsinki = row(&osallisuus, "Helsinki");
    assert!(
        helsinki.contains("[Yhteiskehittämisen malli](../../"),
        "{helsinki}"
    );
    assert!(helsinki.contains("/Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v1.0.pptx) (TP2)"));
    // A name that states its TP gets no second tag.
    let monitoimijuus = section(&md, "## Monitoimijuus ja uudet palvelumarkkinat");
    let ex = monitoimijuus
        .iter()
        .find(|l| l.starts_with("Tiedosto: [Työpaketti 5\\_Monituottajuuteen"))
        .unwrap_or_else(|| panic!("the Oulu TP5 model is no example: {monitoimijuus:#?}"));
    assert!(ex.ends_with("%28TP5%29.pdf)"), "{ex}");
    // Automatic answers are sentences, each marked.
    let auto = md.matches("** *(automaattinen poiminta)*").count();
    assert_eq!(
        auto,
        6 * 3 * 3,
        "every answer of every example is marked automatic"
    );
}

#[test]
fn curated_answers_from_the_seed_on_the_real_drive() {
    let Some(drive) = fixture_drive_or_skip("curated_answers_from_the_seed_on_the_real_drive")
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = tmp.path().join("sharedrive");
    copy_tree(&drive, &root);
    std::fs::write(
        root.join("kooste.toml"),
        r#"
[summary]
title = "Kooste esimerkeistä 6Aika AOA yhteenvetoa varten"
subtitle = "13.3.2018 · Kaija Puranen, Petri Takala, Juha Perä · Gofore Oyj"
intro = [
  "Taulukoihin on listattu hankkeen materiaaleja, joissa jokin hankkeen keskeisistä teemoista on korostetusti esillä",
  "Nostoihin on pyritty saamaan kokoelma dokumentteja, joissa on jotain erityistä teemaan liittyen",
  "Lisäksi jokaiseen teemaan on valittu esimerkkejä, jotka on esitelty taulukoiden jälkeen",
]

[[material]]
file = "Työpaketti 5_Monituottajuuteen perustuva toimintamalli (TP5).pdf"
example = ["monitoimijuus"]
why = "Kuvaa monituottajuuden toteuttamisen alustatalouden näkökulmasta käyttäen yleisiä käsitteillä"
leadership = ["Kaupungin roolin miettiminen", "Tarvearvioinnin tukena muutoksen määrittelyssä"]
business = "Yrityksille koituvien hyötyjen mahdollisuuksien sanoittaminen"

[[material]]
file = "Helsinki_Yhteiskehittamisen_malli_v1.0"
example = ["Monitoimijuus"]
why = "Konkretisoi yhden yhteiskehittämisen prosessin kokemukset ja opit organisaation käyttöön, rohkaisee kokeiluihin"
leadership = "Mallia hyödynnetään laajemminkin mm. innovatiivisissa hankinnoissa"
business = ["Yritysten osaaminen näkyviin, mahdollisuus verkostoitua muiden yritysten kanssa", "Tietoa kaupungin todellisista palvelutarpeista ja kehittämisen paikoista"]

[[material]]
file = "Turku/Konsulttisopimus_kokonaisarkkitehtuurityö_luottamuksellinen.pdf"
themes = ["johtaminen"]
tp = "TP3"

[[material]]
file = "Lue minut.txt"
themes = "-"
example = false
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = tmp.path().join("out");
    run_into(&root, &out, &[]);
    let md = read(&out.join("kooste.md"));
    assert!(md.starts_with(
        "# Kooste esimerkeistä 6Aika AOA yhteenvetoa varten\n\n*13.3.2018 · Kaija Puranen, Petri Takala, Juha Perä · Gofore Oyj*\n\n## Alustus\n\n- Taulukoihin on listattu hankkeen materiaaleja"
    ));
    let mon = section(&md, "## Monitoimijuus ja uudet palvelumarkkinat").join("\n");
    let first = mon
        .find("### Esimerkki: Monituottajuuteen perustuva toimintamalli\n\nTiedosto: [Työpaketti 5\\_Monituottajuuteen perustuva toimintamalli (TP5).pdf](../sharedrive/Oulu/Työpaketti%205_Monituottajuuteen%20perustuva%20toimintamalli%20%28TP5%29.pdf)\n")
        .unwrap_or_else(|| panic!("pinned seed example missing:\n{mon}"));
    // Pinned examples come before the automatic ones.
    assert_eq!(mon.find("### Esimerkki:"), Some(first));
    let body = &mon[first..];
    for part in [
        "Teema: Monitoimijuus ja uudet palvelumarkkinat\n\nKaupunki: Oulu\n\n",
        "**Miksi hyvä esimerkki**\n\n- Kuvaa monituottajuuden toteuttamisen alustatalouden näkökulmasta käyttäen yleisiä käsitteillä\n\n",
        "**Miten voitaisiin käyttää johtamisessa**\n\n- Kaupungin roolin miettiminen\n- Tarvearvioinnin tukena muutoksen määrittelyssä\n\n",
        "**Miksi yritykset voisivat hyötyä**\n\n- Yrityksille koituvien hyötyjen mahdollisuuksien sanoittaminen\n",
        "### Esimerkki: Yhteiskehittämisen malli\n\nTiedosto: [Helsinki\\_Yhteiskehittamisen\\_malli\\_v1.0.pptx]",
        "**Miksi yritykset voisivat hyötyä**\n\n- Yritysten osaaminen näkyviin, mahdollisuus verkostoitua muiden yritysten kanssa\n- Tietoa kaupungin todellisista palvelutarpeista ja kehittämisen paikoista\n",
    ] {
        assert!(body.contains(part), "missing {part:?} in\n{body}");
    }
    // Pinned to Monitoimijuus, the Helsinki model is listed there too, marked as manual.
    assert!(
        row(&section(&md, "## Monitoimijuus ja uudet palvelumarkkinat"), "Helsinki")
            .contains("[Yhteiskehittämisen malli](../sharedrive/Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v1.0.pptx) (TP2)")
    );
    // An unreadable file placed by hand appears where the person put it.
    let turku = row(&section(&md, "## Johtamisjärjestelmä"), "Turku");
    assert!(
        turku.contains("Konsulttisopimus_kokonaisarkkitehtuurity")
            && turku.contains("(TP3) *(käsin)*"),
        "{turku}"
    );
    let audit = read(&out.join("audit.md"));
    assert!(audit.contains("- `Lue minut.txt`: teemat\n"), "{audit}");
    assert!(audit.contains(
        "- `Turku/Konsulttisopimus_kokonaisarkkitehtuurityö_luottamuksellinen.pdf`: työpaketti, teemat\n"
    ));
    assert!(
        !audit.contains("## Huomiotiedoston ongelmat (1)"),
        "{audit}"
    );
}

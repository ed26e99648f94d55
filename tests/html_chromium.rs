//! kooste.html in a real browser: headless Chromium loads the page from disk, with filters
//! in the address as a shared link would carry them, and the test reads which rows of the
//! materials table the page's script left shown. Skips (and says why) when no Chromium is
//! installed; `.ci/run` installs Debian's.
//!
//! The expected rows are worked out here from index.json, independently of the page's
//! script, and checked against a hand-written expectation for each filter.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{fixture_drive_or_skip, read, read_json, run_drive, run_into};

/// A hung browser must not hang the test suite: it is killed after this long.
const BROWSER_GUARD: Duration = Duration::from_secs(180);

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KOOSTE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The page's DOM after its script ran, as Chromium serialises it.
fn dump_dom(browser: &Path, profile: &Path, url: &str) -> String {
    let dom_file = profile.join("dom.html");
    let out = std::fs::File::create(&dom_file).unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(url)
        .stdout(Stdio::from(out))
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                assert!(status.success(), "chromium failed on {url}: {status}");
                break;
            }
            Ok(None) if started.elapsed() > BROWSER_GUARD => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish {url}");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("waiting for chromium: {e}"),
        }
    }
    read(&dom_file)
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// (path, shown) of every row of the materials table.
fn rows(dom: &str) -> Vec<(String, bool)> {
    let table = dom
        .split("<table id=\"materials\">")
        .nth(1)
        .unwrap_or_else(|| panic!("no materials table in the DOM"));
    table
        .split("<tr data-path=\"")
        .skip(1)
        .map(|rest| {
            let path = rest.split('"').next().unwrap_or_default();
            let tag = rest.split('>').next().unwrap_or_default();
            (unescape(path), !tag.contains(" hidden"))
        })
        .collect()
}

fn shown(dom: &str) -> BTreeSet<String> {
    rows(dom)
        .into_iter()
        .filter(|(_, s)| *s)
        .map(|(p, _)| p)
        .collect()
}

fn count_line(dom: &str) -> String {
    dom.split("<p id=\"count\"")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .unwrap_or_default()
        .to_string()
}

/// The rows the filters should leave, from index.json.
fn expected(
    index: &serde_json::Value,
    keep: impl Fn(&serde_json::Value) -> bool,
) -> BTreeSet<String> {
    index["documents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| keep(d))
        .filter_map(|d| d["path"].as_str().map(str::to_string))
        .collect()
}

fn themes_of(d: &serde_json::Value) -> Vec<String> {
    d["themes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["id"].as_str().map(str::to_string))
        .collect()
}

fn set(paths: &[&str]) -> BTreeSet<String> {
    paths.iter().map(|p| p.to_string()).collect()
}

fn write(root: &Path, path: &str, content: &[u8]) {
    let p = root.join(path);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(&p, content).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_materials_table_filters_in_a_browser() {
    let Some(browser) = chromium() else {
        eprintln!(
            "the_materials_table_filters_in_a_browser: skipped: no chromium on PATH (install Debian's `chromium`, or set KOOSTE_CHROMIUM)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = tmp.path().join("asema");
    write(
        &root,
        "Helsinki/digipalveluopas.md",
        "# Digipalveluopas\n\nDigitaaliset palvelut ja rajapinnat: avoin rajapinta mahdollistaa digitaalisen asioinnin. Rajapintojen kautta yritykset rakentavat uusia digitaalisia palveluja, ja teknologia tukee sähköistä asiointia.\n".as_bytes(),
    );
    write(
        &root,
        "Helsinki/TP2/yhteiskehittaminen.md",
        "# Yhteiskehittämisen malli\n\nYhteiskehittäminen kaupunkilaisten ja yritysten kanssa on osallisuuden ydin. Työpajoissa asukkaat ideoivat palveluja yhdessä palvelumuotoilun keinoin.\n".as_bytes(),
    );
    write(
        &root,
        "Espoo/rajapinnat.md",
        "# Rajapintaohjelma\n\nRajapinnat ja digitaaliset palvelut: avoimet rajapinnat ja teknologia mahdollistavat digitaalisen asioinnin ja sähköiset palvelut.\n".as_bytes(),
    );
    write(
        &root,
        "Oulu/Työpaketti 5/monituottajuus.md",
        "# Monituottajuus\n\nMonituottajuus ja palvelumarkkinat: kaupunki, yritykset ja kolmas sektori tuottavat palveluja yhdessä. Palveluseteli ja ostopalvelut laajentavat palvelumarkkinoita.\n".as_bytes(),
    );
    write(
        &root,
        "Turku/asiakastieto.md",
        "# <script>alert(1)</script>\n\nAsiakasymmärrys ja asiakastieto: asiakasdatan hyödyntäminen ja asiakassegmentointi auttavat tuntemaan asiakkaat.\n".as_bytes(),
    );
    write(&root, "Vantaa/skannattu.txt", b"  \n\n ");
    write(&root, "Vantaa/rikki.docx", b"PK\x03\x04 not a zip archive");
    let out = run_drive(&root, &[]);
    let page = out.join("kooste.html");
    let index = read_json(&out.join("index.json"));
    let base = format!("file://{}", page.display());
    let profile = tmp.path().join("chromium");
    std::fs::create_dir_all(&profile).unwrap_or_else(|e| panic!("{e}"));
    let all = expected(&index, |_| true);
    assert_eq!(all.len(), 7);

    // Unfiltered: every row, the page's own script only, the hostile title as text.
    let dom = dump_dom(&browser, &profile, &base);
    assert_eq!(shown(&dom), all);
    assert_eq!(count_line(&dom), "Näytetään 7 / 7 materiaalia");
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "one script element: the page's own"
    );
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    // Theme and city, as the links on the page write them (after #).
    let dom = dump_dom(
        &browser,
        &profile,
        &format!("{base}#theme=digitaalisuus&city=Helsinki"),
    );
    let want = expected(&index, |d| {
        d["city"] == "Helsinki" && themes_of(d).iter().any(|t| t == "digitaalisuus")
    });
    assert_eq!(want, set(&["Helsinki/digipalveluopas.md"]));
    assert_eq!(shown(&dom), want);
    assert_eq!(count_line(&dom), "Näytetään 1 / 7 materiaalia");

    // Theme alone, after ? as a typed address would carry it.
    let dom = dump_dom(&browser, &profile, &format!("{base}?theme=digitaalisuus"));
    let want = expected(&index, |d| {
        themes_of(d).iter().any(|t| t == "digitaalisuus")
    });
    assert!(want.is_superset(&set(&[
        "Helsinki/digipalveluopas.md",
        "Espoo/rajapinnat.md"
    ])));
    assert_eq!(shown(&dom), want);

    // Status.
    let dom = dump_dom(&browser, &profile, &format!("{base}#status=error"));
    assert_eq!(shown(&dom), set(&["Vantaa/rikki.docx"]));
    let dom = dump_dom(&browser, &profile, &format!("{base}#status=empty"));
    assert_eq!(shown(&dom), set(&["Vantaa/skannattu.txt"]));

    // Work package, and "none" of it.
    let dom = dump_dom(&browser, &profile, &format!("{base}#tp=TP5"));
    assert_eq!(shown(&dom), set(&["Oulu/Työpaketti 5/monituottajuus.md"]));
    let dom = dump_dom(&browser, &profile, &format!("{base}#tp=-&status=ok"));
    let want = expected(&index, |d| {
        d["status"] == "ok" && d["tp"].as_array().is_none_or(|t| t.is_empty())
    });
    assert!(!want.contains("Oulu/Työpaketti 5/monituottajuus.md"));
    assert!(want.contains("Espoo/rajapinnat.md"));
    assert_eq!(shown(&dom), want);

    // No theme: the unreadable and the empty file.
    let dom = dump_dom(&browser, &profile, &format!("{base}#theme=-"));
    assert_eq!(
        shown(&dom),
        set(&["Vantaa/rikki.docx", "Vantaa/skannattu.txt"])
    );

    // Text search: every word, any case, over the text of the row (here the path).
    let dom = dump_dom(&browser, &profile, &format!("{base}#q=TY%C3%96PAKETTI%205"));
    assert_eq!(shown(&dom), set(&["Oulu/Työpaketti 5/monituottajuus.md"]));
    // ... and the evidence sentences, which the index holds.
    let dom = dump_dom(&browser, &profile, &format!("{base}#q=palveluseteli"));
    assert_eq!(shown(&dom), set(&["Oulu/Työpaketti 5/monituottajuus.md"]));
    let dom = dump_dom(
        &browser,
        &profile,
        &format!("{base}#q=palveluseteli%20rajapinnat"),
    );
    assert!(shown(&dom).is_empty());
    assert_eq!(count_line(&dom), "Näytetään 0 / 7 materiaalia");
}

#[test]
fn the_fixture_drive_page_filters_in_a_browser() {
    let Some(browser) = chromium() else {
        eprintln!("the_fixture_drive_page_filters_in_a_browser: skipped: no chromium on PATH");
        return;
    };
    let Some(drive) = fixture_drive_or_skip("the_fixture_drive_page_filters_in_a_browser") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = tmp.path().join("out");
    run_into(&drive, &out, &[]);
    let index = read_json(&out.join("index.json"));
    let base = format!("file://{}", out.join("kooste.html").display());
    let profile = tmp.path().join("chromium");
    std::fs::create_dir_all(&profile).unwrap_or_else(|e| panic!("{e}"));

    let dom = dump_dom(&browser, &profile, &base);
    assert_eq!(rows(&dom).len(), 65);
    assert_eq!(shown(&dom).len(), 65);
    assert_eq!(dom.matches("<script").count(), 1);
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    let dom = dump_dom(&browser, &profile, &format!("{base}#status=error"));
    assert_eq!(
        shown(&dom),
        set(&["Turku/Konsulttisopimus_kokonaisarkkitehtuurityö_luottamuksellinen.pdf"])
    );
    // The audit's "no theme" list, as the audit section's link filters it.
    let dom = dump_dom(&browser, &profile, &format!("{base}#theme=-&status=ok"));
    let want = expected(&index, |d| d["status"] == "ok" && themes_of(d).is_empty());
    assert!(want.contains("Testitapaukset/+358 puhelinneuvonnan jonotusajat 2017.xlsx"));
    assert_eq!(shown(&dom), want);
    // Theme, city and work package together.
    let dom = dump_dom(
        &browser,
        &profile,
        &format!("{base}#theme=osallisuus&city=Helsinki&tp=TP2"),
    );
    let want = expected(&index, |d| {
        d["city"] == "Helsinki"
            && themes_of(d).iter().any(|t| t == "osallisuus")
            && d["tp"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x == "TP2"))
    });
    assert!(want.contains("Helsinki/TP2/Helsinki_Yhteiskehittamisen_malli_v1.0.pptx"));
    assert_eq!(shown(&dom), want);
    // Search over titles: the museum's press release and workshop deck.
    let dom = dump_dom(&browser, &profile, &format!("{base}#q=kaupunginmuseo"));
    let found = shown(&dom);
    assert!(found.contains(
        "Espoo/Kaupunginmuseo/Espoon kaupunginmuseo_tiedote_asiakasryhmien profilointi.docx"
    ));
    assert!(
        found
            .contains("Espoo/Kaupunginmuseo/Kaupunginmuseo_asiakasryhmät_työpaja1_2017-10-24.pptx")
    );
    assert!(found.iter().all(|p| {
        let doc = index["documents"]
            .as_array()
            .and_then(|d| d.iter().find(|d| d["path"] == p.as_str()))
            .map(|d| d.to_string().to_lowercase())
            .unwrap_or_default();
        doc.contains("kaupunginmuseo")
    }));
}

//! `kooste run` end to end on the fixture drive: every file accounted for, unreadable files
//! with the right kind, materials under their theme and city, and `out/` kept current.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::{documents, fixture_drive_or_skip, read, read_json, repo_root, run_into};

/// Drive files, relative and `/`-separated.
fn drive_files(drive: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if let Ok(rel) = path.strip_prefix(base) {
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    let mut files = Vec::new();
    walk(drive, drive, &mut files);
    files.sort();
    files
}

fn fixture_outputs(test: &str) -> Option<(tempfile::TempDir, PathBuf, PathBuf)> {
    let drive = fixture_drive_or_skip(test)?;
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = tmp.path().join("out");
    run_into(&drive, &out, &[]);
    Some((tmp, drive, out))
}

#[test]
fn every_drive_file_is_in_the_index_with_a_status() {
    let Some((_tmp, drive, out)) =
        fixture_outputs("every_drive_file_is_in_the_index_with_a_status")
    else {
        return;
    };
    let docs = documents(&read_json(&out.join("index.json")));
    let files = drive_files(&drive);
    assert!(
        files.len() >= 60,
        "the fixture drive has {} files",
        files.len()
    );
    let mut skipped = Vec::new();
    for file in &files {
        let name = file.rsplit('/').next().unwrap_or(file);
        // Office owner files and hidden files (Finder's, LibreOffice's locks) are no
        // materials: they must not be summarised.
        if name.starts_with("~$") || name.starts_with('.') {
            assert!(!docs.contains_key(file), "{file} is summarised");
            skipped.push(name.to_string());
            continue;
        }
        let own: Vec<&Value> = if file.ends_with(".zip") {
            let prefix = format!("{file}/");
            docs.iter()
                .filter(|(p, _)| p.starts_with(&prefix))
                .map(|(_, d)| d)
                .collect()
        } else {
            docs.get(file).into_iter().collect()
        };
        assert!(!own.is_empty(), "{file} is not in index.json");
        for d in own {
            let status = d["status"].as_str().unwrap_or_default();
            assert!(
                ["ok", "empty", "error"].contains(&status),
                "{file}: status {:?}",
                d["status"]
            );
            assert_eq!(
                status == "error",
                !d["error"].is_null(),
                "{file}: an error exactly when the status says so: {d}"
            );
        }
    }
    skipped.sort();
    assert_eq!(
        skipped,
        [
            ".DS_Store",
            ".~lock.Munpalvelut.fi -toimintamallin pilotointi.odt#",
            "~$eisneuvonnan_järjestäminen_Helsinki.docx"
        ]
    );
    // Nothing in the index that is not on the drive: a member of an archive or an attachment
    // of a message lies below its file.
    for path in docs.keys() {
        assert!(
            files
                .iter()
                .any(|f| path == f || path.starts_with(&format!("{f}/"))),
            "{path} is not on the drive"
        );
    }
    // The saved message gives its own text and its document, not its signature logo.
    let message = "Turku/TP2/VS_ Varissuon asukastyöpajan muistio.eml";
    let below: Vec<&str> = docs
        .keys()
        .filter_map(|p| p.strip_prefix(&format!("{message}/")))
        .collect();
    assert_eq!(below, ["Varissuon_asukastyöpaja_muistio_14.9.2017.docx"]);
    assert_eq!(docs[message]["format"], "eml");
    assert_eq!(
        docs[message]["title"],
        "VS: Varissuon asukastyöpajan muistio"
    );
}

#[test]
fn unreadable_files_have_their_kind() {
    let Some((_tmp, _drive, out)) = fixture_outputs("unreadable_files_have_their_kind") else {
        return;
    };
    let docs = documents(&read_json(&out.join("index.json")));
    let get = |p: &str| {
        docs.get(p)
            .unwrap_or_else(|| panic!("{p} is not in index.json"))
    };
    let encrypted = get("Turku/Konsulttisopimus_kokonaisarkkitehtuurityö_luottamuksellinen.pdf");
    assert_eq!(encrypted["status"], "error");
    assert_eq!(encrypted["error"]["kind"], "encrypted");
    // Cut to its first 45 %: the directory is lost, the text before the cut is whole.
    let cut = get("Oulu/Asiakaspalvelupisteiden verkosto_luonnos.docx");
    assert_eq!(cut["status"], "ok");
    assert!(cut["chars"].as_u64().is_some_and(|n| n > 500), "{cut}");
    let note = cut["damaged"].as_str().unwrap_or_default();
    assert!(
        note.starts_with("the directory at the end of its ZIP container is missing")
            && note
                .ends_with("word/stylesWithEffects.xml breaks off and is read as far as it goes"),
        "{note}"
    );
    let scan = get("Hankehallinto/Ohjausryhmän pöytäkirja 2_2017 allekirjoitettu.pdf");
    assert_eq!(scan["status"], "empty");
    assert_eq!(scan["chars"], 0);
    // Exactly these two are not readable text, and only the cut one is damaged.
    let unreadable: Vec<&String> = docs
        .iter()
        .filter(|(_, d)| d["status"] != "ok")
        .map(|(p, _)| p)
        .collect();
    assert_eq!(unreadable.len(), 2, "{unreadable:?}");
    assert_eq!(docs.values().filter(|d| !d["damaged"].is_null()).count(), 1);

    let audit = read(&out.join("audit.md"));
    assert!(
        audit.contains("| Vioittuneita, luettu osittain | 1 |"),
        "{audit}"
    );
    assert!(
        audit.contains(
            "## Osittain luetut tiedostot: vioittuneiden ehjä osa tai rajaan asti (1)\n\n\
             - `Oulu/Asiakaspalvelupisteiden verkosto_luonnos.docx`: the directory at the end \
             of its ZIP container is missing"
        ),
        "{audit}"
    );
    assert!(audit.contains(
        "(1, `encrypted`)\n\nPyydä tiedosto ilman salasanaa tai tallenna se uudelleen ilman \
         suojausta.\n\n- `Turku/Konsulttisopimus_kokonaisarkkitehtuurityö_luottamuksellinen.pdf`: "
    ));
    assert!(!audit.contains("~$eisneuvonnan"));
}

/// The lines of the summary section of one theme, up to its first example.
fn theme_table<'a>(md: &'a str, heading: &str) -> Vec<&'a str> {
    md.lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| !l.starts_with('#'))
        .collect()
}

fn city_row<'a>(table: &[&'a str], city: &str) -> &'a str {
    table
        .iter()
        .find(|l| l.starts_with(&format!("| {city} |")))
        .copied()
        .unwrap_or_else(|| panic!("no {city} row in {table:#?}"))
}

#[test]
fn materials_stand_under_their_theme_and_city() {
    let Some((_tmp, _drive, out)) = fixture_outputs("materials_stand_under_their_theme_and_city")
    else {
        return;
    };
    let md = read(&out.join("kooste.md"));
    // Materials whose subject is one theme through and through: a classifier that misses
    // these misses the point of the summary.
    let cases = [
        (
            "## Osallisuus ja yhteiskehittäminen",
            "Espoo",
            "[Avoimen osallisuuden malli](",
        ),
        (
            "## Monitoimijuus ja uudet palvelumarkkinat",
            "Oulu",
            "Markkinavuoropuhelu",
        ),
        (
            "## Alustatalous, ekosysteemit ja liiketoimintamallit",
            "Espoo",
            "[Ekosysteemien innovaatiojohtamisen viitekehys](",
        ),
        (
            "## Asiakastieto, asiakasymmärrys, segmentointi, data ja datan hyödyntäminen",
            "Espoo",
            "asiakasryhmien profiloinnin",
        ),
    ];
    for (heading, city, material) in cases {
        let table = theme_table(&md, heading);
        assert!(
            table.iter().any(|l| l.starts_with("| Kaupunki |")),
            "{heading} has no table"
        );
        let row = city_row(&table, city);
        assert!(row.contains(material), "{heading} / {city}: {row}");
    }
    // The seed's city order in every table.
    let table = theme_table(&md, "## Osallisuus ja yhteiskehittäminen");
    let cities: Vec<&str> = table
        .iter()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .filter(|c| *c != "Kaupunki" && !c.starts_with("---"))
        .collect();
    assert_eq!(
        &cities[..6],
        ["Espoo", "Helsinki", "Oulu", "Tampere", "Turku", "Vantaa"]
    );

    let docs = documents(&read_json(&out.join("index.json")));
    let press = docs
        .get("Espoo/Kaupunginmuseo/Espoon kaupunginmuseo_tiedote_asiakasryhmien profilointi.docx")
        .unwrap_or_else(|| panic!("the press release is not in the index"));
    assert_eq!(press["city"], "Espoo");
    let themes: Vec<&str> = press["themes"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(themes.contains(&"asiakastieto"), "{themes:?}");
    let tp5 = docs
        .get("Oulu/Työpaketti 5_Monituottajuuteen perustuva toimintamalli (TP5).pdf")
        .unwrap_or_else(|| panic!("the Oulu TP5 model is not in the index"));
    assert_eq!(tp5["tp"], serde_json::json!(["TP5"]));
    assert_eq!(tp5["city"], "Oulu");
}

/// Removes a folder when dropped, so that a failed assertion leaves nothing behind.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What may differ between `out/` and a fresh run over the same drive: the date of the
/// run (someone may have run the README's command today) and the report of changes against
/// a previous run.
fn comparable_text(text: &str) -> String {
    let date = regex::Regex::new(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b|\d{4}-\d{2}-\d{2}T[0-9:.]+Z")
        .unwrap_or_else(|e| panic!("{e}"));
    text.lines()
        .map(|l| {
            if l.contains("Koottu") || l.contains("Compiled") || l.contains("generated") {
                date.replace_all(l, "DATE").into_owned()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn comparable_index(path: &Path) -> Value {
    let mut index = read_json(path);
    if let Some(o) = index.as_object_mut() {
        o.remove("generated");
        o.remove("changes");
    }
    index
}

fn xlsx_sheets(path: &Path) -> Vec<(String, Vec<String>)> {
    use calamine::{Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> =
        open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book
                .worksheet_range(&name)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let cells = range
                .used_cells()
                .map(|(r, c, v)| comparable_text(&format!("{r},{c}: {v}")))
                .collect();
            (name, cells)
        })
        .collect()
}

#[test]
fn the_checked_in_summary_is_current() {
    let Some(drive) = fixture_drive_or_skip("the_checked_in_summary_is_current") else {
        return;
    };
    let root = repo_root();
    let committed = root.join("out");
    // Beside `out/`, so that links to the drive read the same.
    let fresh = Scratch(root.join(format!(".out-check-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&fresh.0);
    run_into(Path::new("fixtures/sharedrive"), &fresh.0, &["--no-cache"]);
    assert!(drive.is_dir());
    let hint = "out/ is stale: regenerate it with \
                `SOURCE_DATE_EPOCH=1520899200 cargo run --release -- run fixtures/sharedrive`, \
                review the difference and commit it";
    for name in ["kooste.md", "audit.md", "themes.csv", "kooste.html"] {
        let want = comparable_text(&read(&committed.join(name)));
        let got = comparable_text(&read(&fresh.0.join(name)));
        if want != got {
            let first = want
                .lines()
                .zip(got.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(want.lines().count().min(got.lines().count()));
            panic!(
                "{name} differs from line {}: {hint}\n  out/: {:?}\n  now:  {:?}",
                first + 1,
                want.lines().nth(first),
                got.lines().nth(first)
            );
        }
    }
    assert!(
        comparable_index(&committed.join("index.json"))
            == comparable_index(&fresh.0.join("index.json")),
        "index.json: {hint}"
    );
    assert_eq!(
        xlsx_sheets(&committed.join("kooste.xlsx")),
        xlsx_sheets(&fresh.0.join("kooste.xlsx")),
        "kooste.xlsx: {hint}"
    );
}

//! Re-runs at scale: the cache, the database index, worker isolation, the change report and
//! parallel determinism, tested through the `kooste` binary on drives made in temp folders.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const EPOCH: &str = "1700000000";

fn kooste() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kooste"));
    c.env("SOURCE_DATE_EPOCH", EPOCH)
        .env_remove("KOOSTE_WORKER_FAULT");
    c
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "kooste failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn run(drive: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut c = kooste();
    c.arg("run")
        .arg(drive)
        .arg("-o")
        .arg(out)
        .arg("-q")
        .args(extra);
    ok(c.output()
        .unwrap_or_else(|e| panic!("cannot start kooste: {e}")))
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
}

/// A small drive of plain-text deliverables, each clearly about one theme.
fn make_drive(root: &Path) -> PathBuf {
    let drive = root.join("drive");
    write(
        &drive.join("Espoo/TP2/osallisuus.txt"),
        "Osallisuus ja yhteiskehittäminen\n\nAsukkaat osallistuivat yhteiskehittämisen \
         työpajoihin. Osallisuus, yhteiskehittäminen ja asukasosallisuus vahvistuivat, ja \
         osallistaminen jatkuu kaupunkilaisten kanssa.",
    );
    write(
        &drive.join("Helsinki/TP3/asiakastieto.md"),
        "# Asiakastieto ja segmentointi\n\nAsiakastiedon hyödyntäminen, asiakasymmärrys ja \
         asiakassegmentointi: data-analytiikka ja asiakasdata ohjaavat palveluja. \
         Segmentointi perustuu asiakastietoon.",
    );
    write(
        &drive.join("Vantaa/rajapinnat.txt"),
        "Rajapinnat ja digitaalisuus\n\nAvoimet rajapinnat, digitaaliset palvelut ja \
         sähköinen asiointi. Rajapinta, digitalisaatio ja teknologia.",
    );
    write(
        &drive.join("Oulu/muistio.txt"),
        "Kokousmuistio. Paikalla kuusi henkeä. Seuraava kokous sovitaan myöhemmin.",
    );
    write(
        &drive.join("Tampere/TP5/markkinat.txt"),
        "Monituottajamalli ja palvelumarkkinat\n\nPalveluseteli, monituottajuus ja \
         palvelumarkkinat: yksityinen palveluntuottaja ja kolmas sektori.",
    );
    write(
        &drive.join("Turku/johtaminen.txt"),
        "Johtamisjärjestelmä\n\nJohtaminen, tiedolla johtaminen ja strategia. \
         Johtamisjärjestelmä ja mittarit ohjaavat toimintaa.",
    );
    drive
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

fn index(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("index.json")).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

fn document<'a>(index: &'a Value, path: &str) -> &'a Value {
    index["documents"]
        .as_array()
        .and_then(|d| d.iter().find(|m| m["path"] == path))
        .unwrap_or_else(|| panic!("{path} not in index"))
}

fn theme_ids(m: &Value) -> Vec<String> {
    m["themes"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|t| t["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The last run's figures from the database.
#[derive(Debug, PartialEq)]
struct Figures {
    files: i64,
    stat_hits: i64,
    hashed: i64,
    unchanged: i64,
    reclassified: i64,
    extracted: i64,
    worker_restarts: i64,
}

fn db(out: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(out.join("kooste.db")).unwrap_or_else(|e| panic!("{e}"))
}

fn last_run(out: &Path) -> Figures {
    db(out)
        .query_row(
            "SELECT files, stat_hits, hashed, unchanged, reclassified, extracted, worker_restarts
             FROM runs ORDER BY id DESC LIMIT 1",
            [],
            |r| {
                Ok(Figures {
                    files: r.get(0)?,
                    stat_hits: r.get(1)?,
                    hashed: r.get(2)?,
                    unchanged: r.get(3)?,
                    reclassified: r.get(4)?,
                    extracted: r.get(5)?,
                    worker_restarts: r.get(6)?,
                })
            },
        )
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn warm_rerun_extracts_nothing_and_gives_the_same_index() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let out = root.path().join("out");
    run(&drive, &out, &[]);
    // A finished run leaves the database whole, without its write-ahead log beside it.
    for leftover in ["kooste.db-wal", "kooste.db-shm"] {
        assert!(!out.join(leftover).exists(), "{leftover} left in OUT");
    }
    let first = last_run(&out);
    assert_eq!(first.files, 6);
    assert_eq!(first.extracted, 6);
    assert_eq!(first.hashed, 6);
    let cold = index(&out);

    run(&drive, &out, &[]);
    assert_eq!(
        last_run(&out),
        Figures {
            files: 6,
            stat_hits: 6,
            hashed: 0,
            unchanged: 6,
            reclassified: 0,
            extracted: 0,
            worker_restarts: 0
        }
    );
    // Nothing changed, so the outputs of the first run stand, untouched.
    let warm = index(&out);
    assert_eq!(cold, warm);
    assert!(warm.get("changes").is_none());

    // The index tables answer questions with sqlite3.
    let conn = db(&out);
    let count = |sql: &str| -> i64 {
        conn.query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    assert_eq!(count("SELECT COUNT(*) FROM documents"), 6);
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM themes WHERE path = 'Espoo/TP2/osallisuus.txt'
               AND theme = 'osallisuus' AND assigned = 1"
        ),
        1
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM work_packages WHERE path = 'Tampere/TP5/markkinat.txt' AND tp = 'TP5'"
        ),
        1
    );
    assert!(count("SELECT COUNT(*) FROM terms WHERE path = 'Turku/johtaminen.txt'") > 0);
    assert_eq!(
        count("SELECT materials FROM statuses WHERE status = 'ok'"),
        6
    );
}

/// Each output's bytes and modification time.
fn outputs_state(out: &Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut state: Vec<_> = std::fs::read_dir(out)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| !p.to_string_lossy().contains("kooste.db"))
        .map(|p| {
            let time = std::fs::metadata(&p)
                .and_then(|m| m.modified())
                .unwrap_or_else(|e| panic!("{e}"));
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{e}"));
            (p.display().to_string(), bytes, time)
        })
        .collect();
    state.sort_by(|a, b| a.0.cmp(&b.0));
    state
}

fn closing_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).trim().to_string()
}

/// Real drives always hold files that cannot be read; they must not keep a re-run from
/// finding its outputs current.
#[test]
fn outputs_stand_on_a_drive_with_files_that_cannot_be_read() {
    use std::os::unix::fs::symlink;
    let root = tempdir();
    let drive = make_drive(root.path());
    symlink("ei-ole-olemassa.pdf", drive.join("Oulu/katkennut.pdf"))
        .unwrap_or_else(|e| panic!("{e}"));
    symlink("..", drive.join("Oulu/silmukka")).unwrap_or_else(|e| panic!("{e}"));
    // Sparse: over the size limit (512 MiB) without taking the disk.
    let huge =
        std::fs::File::create(drive.join("Vantaa/valtava.pdf")).unwrap_or_else(|e| panic!("{e}"));
    huge.set_len(1 << 30).unwrap_or_else(|e| panic!("{e}"));
    let out = root.path().join("out");
    // Without -q: the closing line is what this test reads.
    let run = || {
        let mut c = kooste();
        c.arg("run").arg(&drive).arg("-o").arg(&out);
        closing_line(&ok(c.output().unwrap_or_else(|e| panic!("{e}"))))
    };
    let first = run();
    let failed: Vec<String> = index(&out)["documents"]
        .as_array()
        .unwrap_or_else(|| panic!("documents"))
        .iter()
        .filter(|m| m["status"] == "error")
        .map(|m| format!("{} {}", m["path"], m["error"]["kind"]))
        .collect();
    assert!(failed.len() >= 2, "{failed:?}");
    assert!(
        failed
            .iter()
            .any(|f| f.contains("valtava.pdf") && f.contains("too_large")),
        "{failed:?}"
    );
    let state = outputs_state(&out);

    let again = run();
    assert!(again.contains("nothing changed"), "{again}");
    assert_eq!(outputs_state(&out), state);
    // The closing line still counts the failures the outputs report.
    let count = |line: &str| -> String {
        line.split([',', ';', ':'])
            .find(|part| part.contains("failed"))
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    assert_eq!(count(&again), count(&first));
    assert_eq!(count(&first), format!("{} failed", failed.len()));

    // Once the broken link leads to a file, the outputs are written again.
    write(&drive.join("Oulu/ei-ole-olemassa.pdf"), "%PDF-1.4\n");
    let line = run();
    assert!(!line.contains("nothing changed"), "{line}");
}

#[test]
fn outputs_stand_only_while_nothing_they_depend_on_changed() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let out = root.path().join("out");
    run(&drive, &out, &[]);
    let first = outputs_state(&out);
    // A different time stamp would show in the outputs if they were written again.
    let mut c = kooste();
    c.env("SOURCE_DATE_EPOCH", "1800000000");
    let again = ok(c
        .arg("run")
        .arg(&drive)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{e}")));
    assert!(
        closing_line(&again).contains("nothing changed"),
        "{}",
        closing_line(&again)
    );
    assert_eq!(outputs_state(&out), first);
    assert_eq!(last_run(&out).unchanged, 6);

    // Each of these makes the next run write the outputs again.
    let rewritten = |what: &str, extra: &[&str]| {
        let before = index(&out);
        let mut c = kooste();
        c.arg("run").arg(&drive).arg("-o").arg(&out).args(extra);
        let line = closing_line(&ok(c.output().unwrap_or_else(|e| panic!("{e}"))));
        assert!(!line.contains("nothing changed"), "{what}: {line}");
        assert!(out.join("kooste.md").is_file(), "{what}");
        let after = index(&out);
        assert_eq!(before["documents"], after["documents"], "{what}");
        assert!(
            after["changes"].is_object(),
            "{what}: the rewritten index has its changes"
        );
        // And once written, the outputs stand again.
        let mut c = kooste();
        c.arg("run").arg(&drive).arg("-o").arg(&out).args(extra);
        let line = closing_line(&ok(c.output().unwrap_or_else(|e| panic!("{e}"))));
        assert!(
            line.contains("nothing changed"),
            "{what}, second run: {line}"
        );
    };
    std::fs::remove_file(out.join("kooste.md")).unwrap_or_else(|e| panic!("{e}"));
    rewritten("an output removed", &[]);
    std::fs::write(out.join("audit.md"), "edited by hand\n").unwrap_or_else(|e| panic!("{e}"));
    rewritten("an output edited", &[]);
    rewritten("another language", &["--lang", "en"]);
    rewritten(
        "another number of examples",
        &["--lang", "en", "--examples", "1"],
    );
    write(
        &drive.join("kooste.toml"),
        "[[material]]\nfile = \"Espoo/TP2/osallisuus.txt\"\nwhy = \"Hyvä esimerkki\"\n",
    );
    rewritten("annotations added", &["--lang", "en", "--examples", "1"]);
    // No outputs to keep under --no-cache, which reads nothing of the previous run.
    let line = closing_line(&ok(kooste()
        .arg("run")
        .arg(&drive)
        .arg("-o")
        .arg(&out)
        .args(["--lang", "en", "--examples", "1", "--no-cache"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"))));
    assert!(!line.contains("nothing changed"), "{line}");
}

#[test]
fn the_database_index_follows_annotations_as_they_change() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let out = root.path().join("out");
    let city = |out: &Path| -> (String, Option<String>) {
        db(out)
            .query_row(
                "SELECT city, city_source FROM documents WHERE path = 'Espoo/TP2/osallisuus.txt'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap_or_else(|e| panic!("{e}"))
    };
    run(&drive, &out, &[]);
    assert_eq!(
        city(&out),
        ("Espoo".to_string(), Some("folder".to_string()))
    );
    // The materials themselves are unchanged; only the annotations correct one of them.
    write(
        &drive.join("kooste.toml"),
        "[[material]]\nfile = \"Espoo/TP2/osallisuus.txt\"\ncity = \"Oulu\"\n",
    );
    run(&drive, &out, &[]);
    assert_eq!(city(&out), ("Oulu".to_string(), Some("manual".to_string())));
    assert_eq!(
        document(&index(&out), "Espoo/TP2/osallisuus.txt")["city"],
        "Oulu"
    );
    std::fs::remove_file(drive.join("kooste.toml")).unwrap_or_else(|e| panic!("{e}"));
    run(&drive, &out, &[]);
    assert_eq!(
        city(&out),
        ("Espoo".to_string(), Some("folder".to_string()))
    );
    assert_eq!(last_run(&out).extracted, 0);
}

#[test]
fn the_previous_run_read_from_the_database_is_the_one_in_index_json() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let out = root.path().join("out");
    write(
        &drive.join("kooste.toml"),
        "[[material]]\nfile = \"Turku/johtaminen.txt\"\ncity = \"Oulu\"\ntp = [\"TP4\", \"TP1\"]\nthemes = [\"johtaminen\", \"osallisuus\"]\n",
    );
    run(&drive, &out, &[]);
    let bytes = std::fs::read(out.join("index.json")).unwrap_or_else(|e| panic!("{e}"));
    let from_json = kooste_report::PreviousRun::from_index_json(&bytes);
    let cache = kooste_pipeline::Cache::open(&out, true).unwrap_or_else(|e| panic!("{e}"));
    let from_db = cache.previous_run();
    assert!(from_json.as_ref().is_some_and(|p| p.documents.len() == 6));
    // The same change report from either, against a run that changes one assignment.
    let index: kooste_model::Index =
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let (Some(json), Some(db)) = (from_json, from_db) else {
        panic!("no previous run");
    };
    let mut changed = index.clone();
    changed.documents[0].city = None;
    let changes = |previous, index: &kooste_model::Index| {
        kooste_report::changes(previous, index.view()).unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(changes(&json, &changed), changes(&db, &changed));
    let none = changes(&db, &index);
    assert!(none.added.is_empty() && none.removed.is_empty() && none.modified.is_empty());
    assert!(none.reassigned.is_empty(), "{:?}", none.reassigned);
    assert_eq!(db.generated, index.generated);
}

#[test]
fn touched_file_is_hashed_again_but_not_extracted() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let out = root.path().join("out");
    run(&drive, &out, &[]);
    let file = std::fs::File::options()
        .write(true)
        .open(drive.join("Oulu/muistio.txt"))
        .unwrap_or_else(|e| panic!("{e}"));
    file.set_modified(std::time::SystemTime::now() + Duration::from_secs(3600))
        .unwrap_or_else(|e| panic!("{e}"));
    drop(file);
    run(&drive, &out, &[]);
    let f = last_run(&out);
    assert_eq!(
        (f.stat_hits, f.hashed, f.unchanged, f.extracted),
        (5, 1, 6, 0)
    );
    // The new time is remembered: the run after needs no reading at all.
    run(&drive, &out, &[]);
    assert_eq!(last_run(&out).stat_hits, 6);
}

#[test]
fn copies_of_known_content_are_not_extracted_again() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let out = root.path().join("out");
    run(&drive, &out, &[]);
    std::fs::copy(
        drive.join("Espoo/TP2/osallisuus.txt"),
        drive.join("Vantaa/osallisuus-kopio.txt"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    run(&drive, &out, &[]);
    let f = last_run(&out);
    assert_eq!((f.unchanged, f.reclassified, f.extracted), (6, 1, 0));
    let idx = index(&out);
    let copy = document(&idx, "Vantaa/osallisuus-kopio.txt");
    // Classified on its own path: the copy's folder gives its city.
    assert_eq!(copy["city"], "Vantaa");
    assert_eq!(theme_ids(copy), ["osallisuus"]);
}

#[test]
fn rules_change_reclassifies_without_extracting() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let out = root.path().join("out");
    run(&drive, &out, &[]);
    let before = index(&out);
    assert!(!theme_ids(document(&before, "Espoo/TP2/osallisuus.txt")).is_empty());

    let defaults = ok(kooste()
        .args(["rules", "--default"])
        .output()
        .unwrap_or_else(|e| panic!("{e}")));
    let text = String::from_utf8_lossy(&defaults.stdout);
    // Whatever the default threshold is, a thousand is out of every material's reach.
    let strict = regex::Regex::new(r"(?m)^threshold = [0-9.]+")
        .unwrap_or_else(|e| panic!("{e}"))
        .replacen(&text, 1, "threshold = 1000.0")
        .into_owned();
    assert_ne!(strict, text, "the default rules have no threshold line");
    let rules = root.path().join("tiukat.toml");
    write(&rules, &strict);
    run(
        &drive,
        &out,
        &["--rules", rules.to_str().unwrap_or_default()],
    );
    let f = last_run(&out);
    assert_eq!((f.unchanged, f.reclassified, f.extracted), (0, 6, 0));
    let after = index(&out);
    for m in after["documents"].as_array().into_iter().flatten() {
        assert!(theme_ids(m).is_empty(), "{} kept a theme", m["path"]);
    }
    let reassigned = after["changes"]["reassigned"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        reassigned
            .iter()
            .any(|r| r["path"] == "Espoo/TP2/osallisuus.txt"
                && r["field"] == "themes"
                && r["after"] == "")
    );
}

#[test]
fn no_cache_extracts_everything_again() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let out = root.path().join("out");
    run(&drive, &out, &[]);
    run(&drive, &out, &["--no-cache"]);
    let f = last_run(&out);
    assert_eq!((f.stat_hits, f.unchanged, f.extracted), (0, 0, 6));
}

#[test]
fn changes_report_added_removed_modified_and_reassigned() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let out = root.path().join("out");
    run(&drive, &out, &[]);
    assert!(!out.join("changes.md").exists());

    write(
        &drive.join("Helsinki/TP1/uusi.txt"),
        "Asiakaskokemus ja asiakaspalaute. Asiakasymmärrys ja asiakastieto.",
    );
    std::fs::remove_file(drive.join("Vantaa/rajapinnat.txt")).unwrap_or_else(|e| panic!("{e}"));
    // Same path, new content about another theme.
    write(
        &drive.join("Oulu/muistio.txt"),
        "Johtamisjärjestelmä\n\nJohtaminen, tiedolla johtaminen, strategia ja \
         johtamisjärjestelmä. Mittarit ohjaavat johtamista.",
    );
    let mut c = kooste();
    c.arg("run").arg(&drive).arg("-o").arg(&out);
    let output = ok(c.output().unwrap_or_else(|e| panic!("{e}")));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Not a terminal: no progress bar, only the closing line.
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains("6 files") && lines[0].contains("1 new, 1 changed, 1 removed, 0 failed"),
        "{stderr}"
    );

    let changes = std::fs::read_to_string(out.join("changes.md")).unwrap_or_else(|e| panic!("{e}"));
    let section = |title: &str| -> String {
        let start = changes
            .find(title)
            .unwrap_or_else(|| panic!("no {title} in {changes}"));
        let rest = &changes[start + title.len()..];
        rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
    };
    assert!(section("## Uudet materiaalit").contains("Helsinki/TP1/uusi.txt"));
    assert!(section("## Poistuneet materiaalit").contains("Vantaa/rajapinnat.txt"));
    assert!(section("## Muuttuneet materiaalit").contains("Oulu/muistio.txt"));
    assert!(section("## Muuttuneet luokitukset").contains("Oulu/muistio.txt"));
    assert!(!section("## Muuttuneet materiaalit").contains("Espoo"));

    let idx = index(&out);
    assert_eq!(
        idx["changes"]["added"],
        serde_json::json!(["Helsinki/TP1/uusi.txt"])
    );
    assert_eq!(
        idx["changes"]["removed"],
        serde_json::json!(["Vantaa/rajapinnat.txt"])
    );
    assert_eq!(
        idx["changes"]["modified"],
        serde_json::json!(["Oulu/muistio.txt"])
    );
    assert!(
        idx["changes"]["reassigned"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["path"] == "Oulu/muistio.txt"
                && r["field"] == "themes"
                && r["after"]
                    .as_str()
                    .is_some_and(|a| a.split(';').any(|t| t == "johtaminen"))
                && r["before"] != r["after"])
    );

    let f = last_run(&out);
    assert_eq!((f.files, f.unchanged, f.extracted), (6, 4, 2));
    // Gone from the drive, gone from the database.
    let conn = db(&out);
    let gone: i64 = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM documents WHERE path = 'Vantaa/rajapinnat.txt')
                  + (SELECT COUNT(*) FROM files WHERE path = 'Vantaa/rajapinnat.txt')",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(gone, 0);
}

/// A file moved to another folder (and so another work package) is reported as moved, with
/// what the move changed, not as one material removed and another added; also when the
/// cached run works out the changes from the differing materials alone.
#[test]
fn a_moved_file_is_reported_as_moved() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let out = root.path().join("out");
    run(&drive, &out, &[]);
    std::fs::create_dir_all(drive.join("Vantaa/TP4")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(
        drive.join("Vantaa/rajapinnat.txt"),
        drive.join("Vantaa/TP4/rajapinnat.txt"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut c = kooste();
    c.arg("run").arg(&drive).arg("-o").arg(&out);
    let output = ok(c.output().unwrap_or_else(|e| panic!("{e}")));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("0 new, 0 changed, 0 removed, 1 moved, 0 failed"),
        "{stderr}"
    );
    let changes = std::fs::read_to_string(out.join("changes.md")).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        changes.contains(
            "## Siirretyt tai uudelleen nimetyt materiaalit (1)\n\n\
             - `Vantaa/rajapinnat.txt` → `Vantaa/TP4/rajapinnat.txt`\n"
        ),
        "{changes}"
    );
    assert!(changes.contains("## Uudet materiaalit (0)"), "{changes}");
    assert!(
        changes.contains("## Poistuneet materiaalit (0)"),
        "{changes}"
    );
    assert!(
        changes.contains("- `Vantaa/TP4/rajapinnat.txt`: työpaketti – → TP4\n"),
        "{changes}"
    );
    let idx = index(&out);
    assert_eq!(
        idx["changes"]["moved"],
        serde_json::json!([{"from": "Vantaa/rajapinnat.txt", "to": "Vantaa/TP4/rajapinnat.txt"}])
    );
}

/// The corpus files of one format folder, for drives of real documents.
fn corpus_sample(per_folder: usize) -> Vec<PathBuf> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut out = Vec::new();
    for folder in ["pdf", "docx", "pptx", "xlsx", "odt", "ods", "odp"] {
        let Ok(dir) = std::fs::read_dir(corpus.join(folder)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        out.extend(files.into_iter().take(per_folder));
    }
    out
}

#[test]
fn outputs_are_identical_for_one_and_two_jobs() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let sample = corpus_sample(12);
    if sample.is_empty() {
        eprintln!("note: ../shared/corpus absent; comparing on the synthetic drive only");
    }
    let cities = ["Espoo", "Helsinki", "Oulu", "Tampere", "Turku", "Vantaa"];
    for (i, src) in sample.iter().enumerate() {
        let name = src
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let target = drive.join(format!("{}/TP{}/{name}", cities[i % 6], i % 5 + 1));
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::copy(src, &target).unwrap_or_else(|e| panic!("{e}"));
    }
    let one = root.path().join("one");
    let two = root.path().join("two");
    run(&drive, &one, &["--jobs", "1"]);
    run(&drive, &two, &["--jobs", "2"]);
    let mut compared = 0;
    for entry in std::fs::read_dir(&one).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with("kooste.db") {
            continue;
        }
        let a = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
        let b = std::fs::read(two.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(a == b, "{name} differs between --jobs 1 and --jobs 2");
        compared += 1;
    }
    assert!(compared >= 4, "only {compared} outputs compared");
    assert_eq!(
        index(&one)["documents"].as_array().map(Vec::len),
        Some(6 + sample.len())
    );
}

/// Runs kooste, failing the test if it has not ended in `limit`.
fn run_within(drive: &Path, out: &Path, extra: &[&str], limit: Duration) {
    let mut child = kooste()
        .arg("run")
        .arg(drive)
        .arg("-o")
        .arg(out)
        .arg("-q")
        .args(extra)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start kooste: {e}"));
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                assert!(status.success(), "kooste failed: {status}");
                return;
            }
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                panic!("kooste did not end in {limit:?}");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn large_documents_and_their_copies_take_turns_and_come_out_as_with_one_job() {
    // Documents of about 400 KB of text that compresses poorly: each is worked on in its
    // turn, whether it comes from a worker or from the stored extraction of a copy.
    let root = tempdir();
    let drive = root.path().join("drive");
    let words = [
        "osallisuus",
        "asukas",
        "kaupunki",
        "palvelu",
        "kehittäminen",
        "kokeilu",
        "data",
        "asiakas",
        "yhteistyö",
        "työpaja",
        "rajapinta",
        "alusta",
        "kysely",
        "mittari",
    ];
    let mut seed = 3u64;
    for doc in 0..4 {
        let mut text = String::from("Osallisuus ja yhteiskehittäminen\n\n");
        while text.len() < 400_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(words[(seed >> 33) as usize % words.len()]);
            text.push_str(&format!("{} ", (seed >> 20) % 1000));
            if (seed >> 50).is_multiple_of(12) {
                text.push_str(".\n");
            }
        }
        for (copy, city) in ["Espoo", "Oulu", "Turku"].iter().enumerate() {
            write(
                &drive.join(format!("{city}/TP{}/iso-{doc}-{copy}.txt", doc + 1)),
                &text,
            );
        }
    }
    write(
        &drive.join("Vantaa/pieni.txt"),
        "Asiakastieto ja asiakasymmärrys.",
    );
    let one = root.path().join("one");
    let two = root.path().join("two");
    run_within(&drive, &one, &["--jobs", "1"], Duration::from_secs(300));
    run_within(&drive, &two, &["--jobs", "2"], Duration::from_secs(300));
    let figures = last_run(&two);
    // One extraction per content; the copies are classified from it.
    assert_eq!((figures.extracted, figures.reclassified), (5, 8));
    for name in ["index.json", "audit.md", "kooste.md"] {
        let a = std::fs::read(one.join(name)).unwrap_or_else(|e| panic!("{e}"));
        let b = std::fs::read(two.join(name)).unwrap_or_else(|e| panic!("{e}"));
        assert!(a == b, "{name} differs between --jobs 1 and --jobs 2");
    }
    let idx = index(&two);
    assert_eq!(
        document(&idx, "Oulu/TP2/iso-1-1.txt")["status"],
        "ok",
        "{}",
        document(&idx, "Oulu/TP2/iso-1-1.txt")
    );
}

fn kind_of(idx: &Value, path: &str) -> Option<String> {
    document(idx, path)["error"]["kind"]
        .as_str()
        .map(str::to_string)
}

#[test]
fn a_copy_met_while_its_content_is_being_extracted_is_not_extracted_again() {
    let root = tempdir();
    let drive = root.path().join("drive");
    let text = "Osallisuus ja yhteiskehittäminen\n\nAsukkaat osallistuivat yhteiskehittämisen \
        työpajoihin. Osallisuus, yhteiskehittäminen ja asukasosallisuus vahvistuivat, ja \
        osallistaminen jatkuu kaupunkilaisten kanssa.";
    write(&drive.join("Espoo/alkuperainen.txt"), text);
    write(&drive.join("Vantaa/kopio.txt"), text);
    let out = root.path().join("out");
    // Each copy's extraction takes 1.5 s, so the two threads meet the content at the same
    // time: one extracts it, the other is classified from that extraction after the scan.
    ok(kooste()
        .env(
            "KOOSTE_WORKER_FAULT",
            "slow:alkuperainen.txt,slow:kopio.txt",
        )
        .arg("run")
        .arg(&drive)
        .arg("-o")
        .arg(&out)
        .args(["-q", "--jobs", "2"])
        .output()
        .unwrap_or_else(|e| panic!("{e}")));
    let figures = last_run(&out);
    assert_eq!((figures.extracted, figures.reclassified), (1, 1));
    let idx = index(&out);
    for (path, city) in [
        ("Espoo/alkuperainen.txt", "Espoo"),
        ("Vantaa/kopio.txt", "Vantaa"),
    ] {
        let d = document(&idx, path);
        assert_eq!(d["status"], "ok", "{path}");
        assert_eq!(d["city"], city, "{path}");
        assert_eq!(d["themes"][0]["id"], "osallisuus", "{path}");
    }
}

#[test]
fn worker_crashes_and_overruns_fail_only_their_file() {
    let root = tempdir();
    let drive = make_drive(root.path());
    for name in ["abort", "loop", "oom", "stack", "exit"] {
        write(
            &drive.join(format!("Espoo/{name}.txt")),
            &format!("Osallisuus ja yhteiskehittäminen, tiedosto {name}."),
        );
    }
    let out = root.path().join("out");
    let output = ok(kooste()
        .env(
            "KOOSTE_WORKER_FAULT",
            "abort:abort.txt,loop:loop.txt,oom:oom.txt,stack:stack.txt,exit:exit.txt",
        )
        .arg("run")
        .arg(&drive)
        .arg("-o")
        .arg(&out)
        .args([
            "-q",
            "--jobs",
            "2",
            "--timeout",
            "2",
            "--worker-memory",
            "512",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}")));
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let idx = index(&out);
    assert_eq!(kind_of(&idx, "Espoo/abort.txt").as_deref(), Some("corrupt"));
    assert_eq!(kind_of(&idx, "Espoo/exit.txt").as_deref(), Some("corrupt"));
    assert_eq!(kind_of(&idx, "Espoo/loop.txt").as_deref(), Some("timeout"));
    assert_eq!(kind_of(&idx, "Espoo/oom.txt").as_deref(), Some("too_large"));
    assert_eq!(
        kind_of(&idx, "Espoo/stack.txt").as_deref(),
        Some("too_large")
    );
    // A failed file still gets its city from its path; the others are untouched.
    assert_eq!(document(&idx, "Espoo/loop.txt")["city"], "Espoo");
    for path in ["Espoo/TP2/osallisuus.txt", "Turku/johtaminen.txt"] {
        assert_eq!(document(&idx, path)["status"], "ok");
    }
    assert_eq!(last_run(&out).worker_restarts, 5);

    // Without the faults and with the default budgets: the timeout and the memory failure
    // were against smaller budgets, so those files are tried again; crashes are remembered.
    run(&drive, &out, &[]);
    let idx = index(&out);
    assert_eq!(document(&idx, "Espoo/loop.txt")["status"], "ok");
    assert_eq!(document(&idx, "Espoo/oom.txt")["status"], "ok");
    assert_eq!(kind_of(&idx, "Espoo/abort.txt").as_deref(), Some("corrupt"));
    assert_eq!(last_run(&out).extracted, 2);
    run(&drive, &out, &["--no-cache"]);
    let idx = index(&out);
    for m in idx["documents"].as_array().into_iter().flatten() {
        assert_eq!(m["status"], "ok", "{}", m["path"]);
    }
}

#[test]
fn interrupted_run_keeps_previous_outputs_and_a_consistent_cache() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let out = root.path().join("out");
    run(&drive, &out, &[]);
    let before = std::fs::read(out.join("index.json")).unwrap_or_else(|e| panic!("{e}"));

    for i in 0..5 {
        write(
            &drive.join(format!("Helsinki/uusi-{i}.txt")),
            &format!("Rajapinta ja digitaalisuus, uusi toimitus {i}."),
        );
    }
    // Sorted last, and stuck: the run is killed while a worker loops on it.
    write(&drive.join("Vantaa/zz-jumissa.txt"), "Asiakastieto.");
    let mut child = kooste()
        .env("KOOSTE_WORKER_FAULT", "loop:zz-jumissa.txt")
        .arg("run")
        .arg(&drive)
        .arg("-o")
        .arg(&out)
        .args(["-q", "--jobs", "1", "--timeout", "600"])
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // Wait until the five new files are committed (the stuck worker's thread commits while
    // it waits), then kill the run.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done: i64 = db(&out)
            .query_row(
                "SELECT COUNT(*) FROM files WHERE path LIKE 'Helsinki/uusi-%'",
                [],
                |r| r.get(0),
            )
            .unwrap_or(0);
        if done == 5 {
            break;
        }
        assert!(Instant::now() < deadline, "run never committed its work");
        assert!(
            child.try_wait().ok().flatten().is_none(),
            "run ended before it was interrupted"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap_or_else(|e| panic!("{e}"));
    let _ = child.wait();

    // The previous summary is intact, and no half-written file is left in OUT.
    assert_eq!(
        std::fs::read(out.join("index.json")).unwrap_or_else(|e| panic!("{e}")),
        before
    );
    let conn = db(&out);
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(integrity, "ok");
    // The index tables still describe the last complete run.
    let documents: i64 = conn
        .query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(documents, 6);
    drop(conn);

    // The next run reuses what the interrupted one finished and extracts only the rest.
    run(&drive, &out, &[]);
    let f = last_run(&out);
    assert_eq!((f.files, f.unchanged, f.extracted), (12, 11, 1));
    let resumed = index(&out);
    let fresh_out = root.path().join("fresh");
    run(&drive, &fresh_out, &[]);
    assert_eq!(resumed["documents"], index(&fresh_out)["documents"]);
}

#[test]
fn outputs_that_fail_leave_the_database_index_of_the_last_complete_run() {
    let root = tempdir();
    let drive = make_drive(root.path());
    let out = root.path().join("out");
    run(&drive, &out, &[]);
    let runs = |out: &Path| -> i64 {
        db(out)
            .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let paths = |out: &Path| -> Vec<String> {
        let conn = db(out);
        let mut stmt = conn
            .prepare("SELECT path FROM documents ORDER BY path")
            .unwrap_or_else(|e| panic!("{e}"));
        stmt.query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect::<Result<Vec<String>, _>>())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let before = paths(&out);
    assert_eq!(before.len(), 6);
    assert_eq!(runs(&out), 1);

    // A new file, and one output that cannot be written: the run fails, and the database
    // index must go on describing the last run whose outputs stand.
    write(
        &drive.join("Helsinki/TP1/uusi.txt"),
        "Asiakastieto ja asiakasymmärrys.",
    );
    std::fs::create_dir_all(out.join(".themes.csv.tmp")).unwrap_or_else(|e| panic!("{e}"));
    let failed = kooste()
        .arg("run")
        .arg(&drive)
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(failed.status.code(), Some(1), "{failed:?}");
    assert!(
        String::from_utf8_lossy(&failed.stderr).contains(".themes.csv.tmp"),
        "{failed:?}"
    );
    assert_eq!(paths(&out), before);
    assert_eq!(runs(&out), 1);
    let integrity: String = db(&out)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(integrity, "ok");

    // The next run reports the change against the last run whose outputs stood.
    std::fs::remove_dir(out.join(".themes.csv.tmp")).unwrap_or_else(|e| panic!("{e}"));
    run(&drive, &out, &[]);
    assert_eq!(runs(&out), 2);
    assert_eq!(paths(&out).len(), 7);
    let changes = index(&out)["changes"].clone();
    assert_eq!(
        changes["added"],
        serde_json::json!(["Helsinki/TP1/uusi.txt"])
    );
    assert_eq!(changes["removed"], serde_json::json!([]));
}

//! The SPEC's command-line contract: `extract --json` line shape, exit codes.

mod support;

use serde_json::Value;
use support::{fixture_drive_or_skip, kooste, run, stderr, stdout};

#[test]
fn extract_json_prints_one_object_per_file_and_failures_are_not_fatal() {
    let Some(drive) = fixture_drive_or_skip("extract_json_prints_one_object_per_file") else {
        return;
    };
    let report = drive.join("Espoo/Avoimen osallisuuden malli.pdf");
    let locked =
        drive.join("Turku/Konsulttisopimus_kokonaisarkkitehtuurityö_luottamuksellinen.pdf");
    let o = run(kooste()
        .args(["extract", "--json"])
        .arg(&report)
        .arg(&locked));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 2);

    let doc = &lines[0];
    assert_eq!(doc["path"], report.display().to_string());
    assert_eq!(doc["format"], "pdf");
    assert!(doc["error"].is_null());
    assert_eq!(doc["meta"]["title"], "Avoimen osallisuuden malli");
    assert_eq!(doc["meta"]["author"], "Hanna Lindqvist");
    let pages = doc["pages"].as_array().cloned().unwrap_or_default();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0]["n"], 1);
    assert_eq!(pages[1]["n"], 2);
    // `text` is the pages joined by a form feed, as pdftotext writes them.
    let joined: Vec<&str> = pages.iter().filter_map(|p| p["text"].as_str()).collect();
    assert_eq!(doc["text"], joined.join("\u{c}"));
    assert!(joined[0].starts_with("Avoimen osallisuuden malli\n"));
    assert!(joined[0].contains("Make with\nEspoo"));

    let failed = &lines[1];
    assert_eq!(failed["error"]["kind"], "encrypted");
    assert!(
        failed["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("password"))
    );
    assert_eq!(failed["pages"], serde_json::json!([]));
}

#[test]
fn usage_errors_exit_2_and_fatal_errors_exit_1() {
    let o = run(kooste().args(["run"]));
    assert_eq!(o.status.code(), Some(2), "a missing DRIVE is a usage error");
    let o = run(kooste().args(["frobnicate"]));
    assert_eq!(o.status.code(), Some(2));

    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let drive = tmp.path().join("drive");
    std::fs::create_dir_all(&drive).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(drive.join("muistio.txt"), "Asukkaat osallistuvat.")
        .unwrap_or_else(|e| panic!("{e}"));
    let rules = tmp.path().join("rules.toml");
    std::fs::write(&rules, "[[theme]]\nid = ").unwrap_or_else(|e| panic!("{e}"));
    let out = tmp.path().join("out");
    let o = run(kooste()
        .arg("run")
        .arg(&drive)
        .arg("-o")
        .arg(&out)
        .arg("--rules")
        .arg(&rules)
        .arg("-q"));
    assert_eq!(o.status.code(), Some(1), "a bad rules file is fatal");
    assert!(stderr(&o).contains("rules.toml"), "{}", stderr(&o));
    assert!(
        !out.join("kooste.md").exists(),
        "nothing written on a fatal error"
    );

    // An output folder that cannot be created (a file stands in its place) is fatal.
    let blocked = tmp.path().join("blocked");
    std::fs::write(&blocked, "").unwrap_or_else(|e| panic!("{e}"));
    let o = run(kooste()
        .arg("run")
        .arg(&drive)
        .arg("-o")
        .arg(&blocked)
        .arg("-q"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));

    // Without a temporary folder to keep the run's materials in: fatal, says where, and
    // writes no output. (TMPDIR names that folder on Unix.)
    if !cfg!(unix) {
        return;
    }
    let o = run(kooste()
        .arg("run")
        .arg(&drive)
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .env("TMPDIR", tmp.path().join("no such folder")));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("TMPDIR"), "{}", stderr(&o));
    assert!(!out.join("index.json").exists(), "nothing written");
}

#[test]
fn default_rules_print_the_six_themes() {
    let o = run(kooste().args(["rules", "--default"]));
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    let ids: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("id = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .collect();
    assert_eq!(
        ids,
        [
            "monitoimijuus",
            "osallisuus",
            "digitaalisuus",
            "asiakastieto",
            "alustatalous",
            "johtaminen"
        ]
    );
}

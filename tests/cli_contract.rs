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

/// Files named on the command line are refused by what they are before anything is read: a
/// file over the size limit by its size (a sparse 3 GiB file would otherwise be read whole
/// into memory), a pipe or a device by its kind (reading one could wait for ever or never
/// end). The command answers at once.
#[cfg(unix)]
#[test]
fn named_files_over_the_limit_pipes_and_devices_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let big = dir.path().join("video.mp4");
    let file = std::fs::File::create(&big).unwrap_or_else(|e| panic!("{e}"));
    file.set_len(3 << 30).unwrap_or_else(|e| panic!("{e}"));
    drop(file);
    let pipe = dir.path().join("putki.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .is_ok_and(|s| s.success());
    let text = dir.path().join("muistio.txt");
    std::fs::write(&text, "Oulun asukastyöpaja.").unwrap_or_else(|e| panic!("{e}"));

    let mut cmd = kooste();
    cmd.args(["extract", "--json"]).arg(&big).arg(&text);
    if made {
        cmd.arg(&pipe);
    }
    cmd.arg("/dev/zero");
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    while child.try_wait().ok().flatten().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            panic!("extract did not finish: it is reading a pipe or a device");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let by_path = |p: &std::path::Path| {
        lines
            .iter()
            .find(|l| l["path"] == p.display().to_string())
            .cloned()
            .unwrap_or_else(|| panic!("no line for {}", p.display()))
    };
    assert_eq!(by_path(&big)["error"]["kind"], "too_large");
    assert_eq!(by_path(&text)["text"], "Oulun asukastyöpaja.");
    let zero = by_path(std::path::Path::new("/dev/zero"));
    assert_eq!(zero["error"]["kind"], "io");
    assert!(
        zero["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not a regular file")),
        "{zero}"
    );
    if made {
        assert_eq!(by_path(&pipe)["error"]["kind"], "io");
    }

    // A device named as the rules file is a clear error too, not a read without end.
    let o = run(kooste()
        .args(["classify", "--rules", "/dev/zero"])
        .arg(&text));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
}

/// `kooste extract … | head -1`: the reader that stops early is no failure of kooste.
#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let Some(drive) = fixture_drive_or_skip("a_reader_that_stops_early_is_not_an_error") else {
        return;
    };
    let mut child = kooste()
        .args(["extract", "--json"])
        .arg(&drive)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut first = String::new();
    if let Some(out) = child.stdout.take() {
        use std::io::BufRead;
        std::io::BufReader::new(out)
            .read_line(&mut first)
            .unwrap_or_else(|e| panic!("{e}"));
        // The rest of the output (the drive's text, far more than a pipe holds) meets a
        // closed pipe.
    }
    assert!(first.starts_with('{'), "{first}");
    let o = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

/// The closing line counts a file that could not be opened as failed, not as read from the
/// cache.
#[cfg(unix)]
#[test]
fn the_closing_line_counts_unopened_files_as_failed_only() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let drive = dir.path().join("asema");
    std::fs::create_dir_all(&drive).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(drive.join("muistio.txt"), "Oulun asukastyöpaja.")
        .unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("ei-ole.pdf", drive.join("katkennut.pdf"))
        .unwrap_or_else(|e| panic!("{e}"));
    let o = run(kooste()
        .arg("run")
        .arg(&drive)
        .arg("-o")
        .arg(dir.path().join("out")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("1 failed; 1 extracted, 0 from cache;"),
        "{err}"
    );
}

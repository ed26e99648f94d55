//! Helpers for the output tests: run the `kooste` binary on a drive into a fresh output
//! folder, and read what it wrote.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `kooste` command with a pinned time stamp (13.3.2018, the seed's date).
pub fn kooste() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kooste"));
    cmd.current_dir(repo_root())
        .env("SOURCE_DATE_EPOCH", "1520899200");
    cmd
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot start kooste: {e}"))
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `kooste run DRIVE -o <drive's parent>/out -q EXTRA...` and returns the output folder,
/// beside the drive so that links read `../<drive>/...`.
pub fn run_drive(drive: &Path, extra: &[&str]) -> PathBuf {
    let out = drive
        .parent()
        .map_or_else(|| PathBuf::from("out"), |p| p.join("out"));
    run_into(drive, &out, extra);
    out
}

/// Runs `kooste run DRIVE -o OUT -q EXTRA...`.
pub fn run_into(drive: &Path, out: &Path, extra: &[&str]) {
    let o = run(kooste()
        .arg("run")
        .arg(drive)
        .arg("-o")
        .arg(out)
        .arg("--quiet")
        .args(extra));
    assert!(o.status.success(), "kooste run failed: {}", stderr(&o));
}

/// The fixture drive, or `None` (with a note) where this checkout lacks it.
pub fn fixture_drive_or_skip(test: &str) -> Option<PathBuf> {
    let drive = repo_root().join("fixtures/sharedrive");
    if drive.is_dir() {
        Some(drive)
    } else {
        eprintln!("{test}: skipped: fixtures/sharedrive is not in this checkout");
        None
    }
}

/// Copies a folder tree (files and folders only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for e in entries.flatten() {
        let target = to.join(e.file_name());
        let kind = e.file_type().unwrap_or_else(|err| panic!("{err}"));
        if kind.is_dir() {
            copy_tree(&e.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(e.path(), &target)
                .unwrap_or_else(|err| panic!("{}: {err}", e.path().display()));
        }
    }
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path))
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The documents of an index.json by path.
pub fn documents(
    index: &serde_json::Value,
) -> std::collections::BTreeMap<String, serde_json::Value> {
    index["documents"]
        .as_array()
        .unwrap_or_else(|| panic!("index.json has no documents array"))
        .iter()
        .map(|d| {
            let path = d["path"]
                .as_str()
                .unwrap_or_else(|| panic!("a document without a path: {d}"));
            (path.to_string(), d.clone())
        })
        .collect()
}

/// A workbook of one sheet holding `rows` as text cells, as a project office's spreadsheet
/// of annotations or labels would.
pub fn xlsx_of(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if let Err(e) = sheet.write_string(r as u32, c as u16, *text) {
                panic!("cannot write a cell: {e}");
            }
        }
    }
    book.save_to_buffer()
        .unwrap_or_else(|e| panic!("cannot write a workbook: {e}"))
}

/// A PDF of the object bodies given (object n is `objects[n - 1]`, the catalog first), with a
/// correct cross-reference table.
pub fn pdf_of(objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let size = objects.len() + 1;
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

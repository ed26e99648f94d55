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
    let o = run(kooste()
        .arg("run")
        .arg(drive)
        .arg("-o")
        .arg(&out)
        .arg("--quiet")
        .args(extra));
    assert!(o.status.success(), "kooste run failed: {}", stderr(&o));
    out
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path))
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

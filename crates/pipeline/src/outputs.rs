//! Writing a run's outputs: every file rendered in memory first, then written beside its
//! target and renamed into place, so that a failed run leaves the previous summary intact
//! and no reader ever sees half a file.

use crate::PipelineError;
use kooste_model::Index;
use kooste_report::{
    SummaryOptions, audit, audit_markdown, changes, changes_markdown, index_json, summary_markdown,
    themes_csv,
};
use std::path::{Component, Path, PathBuf};

pub struct OutputOptions {
    pub summary: SummaryOptions,
}

/// Writes `kooste.md`, `index.json`, `themes.csv`, `audit.md`, and `changes.md` when OUT
/// held an index from an earlier run. Returns the paths written.
pub fn write_outputs(
    out: &Path,
    drive: &Path,
    index: &mut Index,
    options: &OutputOptions,
) -> Result<Vec<PathBuf>, PipelineError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PipelineError::Output { path, source }
    };
    std::fs::create_dir_all(out).map_err(io_err(out))?;
    let previous: Option<Index> = std::fs::read_to_string(out.join("index.json"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok());
    if let Some(prev) = &previous {
        index.changes = Some(changes(prev, index));
    }
    let mut summary = options.summary.clone();
    if summary.link_prefix.is_empty() {
        summary.link_prefix = link_prefix(out, drive);
    }
    let mut files: Vec<(&str, String)> = vec![
        ("kooste.md", summary_markdown(index, &summary)),
        ("index.json", index_json(index)),
        ("themes.csv", themes_csv(index)),
        ("audit.md", audit_markdown(&audit(index))),
    ];
    if let Some(c) = &index.changes {
        files.push(("changes.md", changes_markdown(c)));
    }
    // Write all temporaries before renaming any, so a full disk fails before anything moves.
    let mut staged = Vec::new();
    for (name, content) in &files {
        let tmp = out.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, content).map_err(io_err(&tmp))?;
        staged.push((tmp, out.join(name)));
    }
    let mut written = Vec::new();
    for (tmp, target) in staged {
        std::fs::rename(&tmp, &target).map_err(io_err(&target))?;
        written.push(target);
    }
    Ok(written)
}

/// The relative path from the output folder to the drive, with a trailing slash, so links in
/// the summary open the files wherever the two folders are moved together.
pub(crate) fn link_prefix(out: &Path, drive: &Path) -> String {
    let (Ok(out), Ok(drive)) = (out.canonicalize(), drive.canonicalize()) else {
        return format!("{}/", drive.display());
    };
    let o: Vec<Component<'_>> = out.components().collect();
    let d: Vec<Component<'_>> = drive.components().collect();
    let common = o.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); o.len() - common];
    parts.extend(
        d[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}/", parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_prefix_climbs_out_of_the_output_folder() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = root.path().join("out");
        let drive = root.path().join("fixtures/sharedrive");
        std::fs::create_dir_all(&out).unwrap_or_default();
        std::fs::create_dir_all(&drive).unwrap_or_default();
        assert_eq!(link_prefix(&out, &drive), "../fixtures/sharedrive/");
        assert_eq!(link_prefix(&drive, &drive), "");
    }
}

//! One run of kooste over a drive: walk → extract → normalise and classify → report.
//!
//! Data flows one way. Each file is read, extracted and classified on a worker thread and
//! reduced to its [`Material`] record straight away, so memory holds one document per thread,
//! not the drive. Outputs are rendered in full and then moved into place file by file.

mod material;
mod outputs;
mod walk;

pub use material::{Analysed, analyse_bytes, display_title, material_from};
pub use outputs::{OutputOptions, annotate, write_outputs};
pub use walk::{DriveEntry, walk};

use kooste_classify::{Classifier, Rules};
use kooste_extract::Limits;
use kooste_model::{INDEX_SCHEMA, Index, Material, RulesInfo};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("cannot read drive {path}: {source}")]
    Drive {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("bad annotations file {path}: {message}")]
    Annotations { path: PathBuf, message: String },
    #[error("cannot start {0} worker threads: {1}")]
    Threads(usize, String),
}

/// What a run reads and how.
pub struct ScanConfig<'a> {
    pub drive: &'a Path,
    /// Left out of the walk, so that an output folder inside the drive is not read back.
    pub exclude: Option<&'a Path>,
    pub rules: &'a Rules,
    pub rules_source: String,
    pub limits: Limits,
    /// Worker threads; `None` for all cores.
    pub jobs: Option<usize>,
    /// RFC 3339 time stamp for the index.
    pub generated: String,
}

/// Progress of a run, for the command line to show. Called from worker threads.
pub trait Progress: Sync {
    fn started(&self, _files: usize) {}
    fn file_done(&self, _path: &str) {}
}

/// A progress observer that shows nothing.
pub struct Quiet;
impl Progress for Quiet {}

/// Walks the drive and analyses every file on it into the index.
pub fn scan(config: &ScanConfig<'_>, progress: &dyn Progress) -> Result<Index, PipelineError> {
    let entries = walk(config.drive, config.exclude)?;
    progress.started(entries.len());
    let classifier = Classifier::new(config.rules);
    let work = || {
        entries
            .par_iter()
            .flat_map_iter(|entry| {
                let materials = material::analyse_entry(entry, &classifier, &config.limits);
                progress.file_done(&entry.rel_path);
                materials
            })
            .collect::<Vec<Material>>()
    };
    let mut documents = match config.jobs {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| PipelineError::Threads(n, e.to_string()))?
            .install(work),
        None => work(),
    };
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Index {
        schema: INDEX_SCHEMA,
        generated: config.generated.clone(),
        drive: config.drive.display().to_string(),
        rules: RulesInfo {
            source: config.rules_source.clone(),
            hash: config.rules.hash().to_string(),
        },
        themes: config.rules.theme_infos(),
        documents,
        changes: None,
    })
}

//! The `kooste` command: a thin layer that parses arguments, calls the library crates and
//! prints. Exit codes: 0 success, 1 fatal, 2 usage, 3 `audit --fail-on` found something.

mod commands;
mod rules_file;
mod time;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "kooste",
    version,
    about = "Turns a project's shared drive of deliverables into a themed summary, an index and an audit"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Summarise a drive: writes kooste.md, kooste.html, kooste.xlsx, index.json, themes.csv,
    /// audit.md (and changes.md). Annotations in kooste.toml or kooste-annotations.xlsx at the
    /// drive's root add curated example answers and correct themes, city and work packages.
    Run {
        /// The folder to summarise
        drive: PathBuf,
        /// Output folder
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Rules file (TOML, or XLSX/ODS/CSV with columns theme, term, weight)
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Parallel extractions: worker threads and processes (default: all cores)
        #[arg(long)]
        jobs: Option<usize>,
        /// Extract every file again instead of reusing earlier results (they are refreshed)
        #[arg(long)]
        no_cache: bool,
        /// Time allowed for extracting one file, in seconds
        #[arg(long, default_value_t = 60.0)]
        timeout: f64,
        /// Memory (address space) each extraction worker may use, in MiB
        #[arg(long, default_value_t = 4096)]
        worker_memory: u64,
        /// Language of the summary
        #[arg(long, value_enum, default_value_t = Lang::Fi)]
        lang: Lang,
        /// Examples shown per theme (default: the annotations' `examples`, else 3)
        #[arg(long)]
        examples: Option<usize>,
        /// Introduction of the summary: a text file, one bullet point per line (default: the
        /// annotations' `intro`, else a description of how the summary was made)
        #[arg(long, value_name = "FILE")]
        intro: Option<PathBuf>,
        /// No progress bar and no closing line on standard error
        #[arg(short, long)]
        quiet: bool,
        /// Read scanned PDFs (pages without text), pictures, and the pictures of documents
        /// and presentations without text by OCR, with tesseract (Finnish and English models)
        /// and pdftoppm from PATH; what was read is kept in the cache
        #[arg(long)]
        ocr: bool,
    },
    /// Serve extraction requests on stdin/stdout (started by `run`, not by people)
    #[command(name = "__worker", hide = true)]
    Worker {
        #[arg(long)]
        timeout_ms: u64,
    },
    /// Print the text of files (archives: of each member)
    Extract {
        /// Files or folders (folders are walked as `run` walks a drive)
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON object per line: path, format, text, pages, meta, error
        #[arg(long)]
        json: bool,
        /// Parallel extractions (default: all cores)
        #[arg(long)]
        jobs: Option<usize>,
        /// Read scanned PDFs (pages without text) and pictures by OCR, as `run --ocr` does
        #[arg(long)]
        ocr: bool,
    },
    /// Show the city, work packages and themes of files
    Classify {
        /// Files or folders to classify
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON object per line: path, city, tp, themes with scores and terms
        #[arg(long)]
        json: bool,
        /// Show the terms, counts, pages and sentences behind every score
        #[arg(long)]
        explain: bool,
        /// Rules file instead of the embedded default rules
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Read scanned PDFs (pages without text) and pictures by OCR, as `run --ocr` does
        #[arg(long)]
        ocr: bool,
    },
    /// List what needs a person's attention: unreadable, empty, untagged, duplicates, versions
    Audit {
        /// Audit this drive afresh; without it, the index in the output folder is audited
        drive: Option<PathBuf>,
        /// Output folder holding index.json (when no drive is given)
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Exit with status 3 when the audit finds materials of this kind
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
        /// Rules file, when a drive is audited afresh
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Parallel extractions, when a drive is audited afresh (default: all cores)
        #[arg(long)]
        jobs: Option<usize>,
        /// Language of the audit
        #[arg(long, value_enum, default_value_t = Lang::Fi)]
        lang: Lang,
        /// Read scanned PDFs and pictures by OCR, when a drive is audited afresh
        #[arg(long)]
        ocr: bool,
    },
    /// Compare classification with a labels file (path,themes,city,tp)
    Eval {
        /// Labels, CSV or spreadsheet, with the columns path,themes,city,tp (themes split by `;`)
        #[arg(long, required = true)]
        labels: PathBuf,
        /// The folder the labels' paths are relative to
        #[arg(default_value = ".")]
        drive: PathBuf,
        /// Rules file instead of the embedded default rules
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Also classify with this rules file and print how much better or worse the rules
        /// in force agree with the labels, with a paired 95 % interval
        #[arg(long, value_name = "RULES")]
        against: Option<PathBuf>,
        /// Parallel extractions (default: all cores)
        #[arg(long)]
        jobs: Option<usize>,
        /// Also list each labelled document the classifier sees otherwise: themes missed and
        /// extra, city and work packages, with every theme's score
        #[arg(long)]
        errors: bool,
        /// Read scanned PDFs (pages without text) and pictures by OCR, as `run --ocr` does
        #[arg(long)]
        ocr: bool,
    },
    /// Print rules
    Rules {
        /// The embedded default rules, to start a custom rules file from
        #[arg(long, required = true)]
        default: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Lang {
    Fi,
    En,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Readable materials with no theme
    Untagged,
    /// Files that could not be read
    Errors,
}

fn main() -> ExitCode {
    kooste_pipeline::return_large_blocks();
    // Parsers of hostile files may panic; extraction catches that and reports the file, so
    // the default hook's backtrace noise on standard error would only mislead.
    std::panic::set_hook(Box::new(|_| {}));
    let cli = Cli::parse();
    let outcome = std::panic::catch_unwind(|| commands::dispatch(cli.command));
    match outcome {
        Ok(Ok(code)) => code,
        // The reader of standard output went away (`kooste extract … | head`): what it
        // wanted, it has; that is not a failure.
        Ok(Err(e)) if closed_pipe(&e) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("kooste: error: {e:#}");
            ExitCode::from(1)
        }
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            eprintln!("kooste: internal error: {message}");
            ExitCode::from(1)
        }
    }
}

fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

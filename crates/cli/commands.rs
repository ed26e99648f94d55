//! One function per subcommand.

use crate::{Command, FailOn, Lang, rules_file, time};
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kooste_classify::{
    Classifier, Prediction, compare, disagreements, evaluate, join_repeated, labels_from_rows_at,
    parse_labels, resolve_paths, resolve_themes,
};
use kooste_extract::Limits;
use kooste_model::Index;
use kooste_pipeline::{
    Analysed, Cache, OutputOptions, OutputsCheck, Progress, Quiet, RunInfo, ScanConfig, Scanned,
    WorkerConfig, analyse_bytes, annotate, material_from, scan, scan_or_keep,
};
use kooste_report::{SummaryOptions, audit, audit_markdown};
use rayon::prelude::*;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub fn dispatch(command: Command) -> Result<ExitCode> {
    match command {
        Command::Run {
            drive,
            out,
            rules,
            jobs,
            no_cache,
            timeout,
            worker_memory,
            lang,
            examples,
            intro,
            quiet,
            ocr,
        } => run(&RunArgs {
            drive: &drive,
            out: &out,
            rules: rules.as_deref(),
            jobs,
            no_cache,
            budget: Budget::new(timeout, worker_memory)?,
            lang,
            examples,
            intro: intro.as_deref(),
            quiet,
            ocr,
        }),
        Command::Worker { timeout_ms } => worker(timeout_ms),
        Command::Extract {
            files,
            json,
            jobs,
            ocr,
        } => extract(&files, json, jobs, ocr),
        Command::Classify {
            files,
            json,
            explain,
            rules,
            ocr,
        } => classify(&files, json, explain, rules.as_deref(), ocr),
        Command::Audit {
            drive,
            out,
            fail_on,
            rules,
            jobs,
            lang,
            ocr,
        } => audit_command(
            drive.as_deref(),
            &out,
            fail_on,
            rules.as_deref(),
            jobs,
            lang,
            ocr,
        ),
        Command::Eval {
            labels,
            drive,
            rules,
            against,
            jobs,
            errors,
            ocr,
        } => eval(
            &labels,
            &drive,
            (rules.as_deref(), against.as_deref()),
            jobs,
            errors,
            ocr,
        ),
        Command::Rules { default: _ } => {
            print!("{}", kooste_classify::DEFAULT_RULES);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Time and memory each file's extraction may spend.
#[derive(Clone, Copy)]
struct Budget {
    time: Duration,
    memory_mib: u64,
}

impl Budget {
    fn new(seconds: f64, memory_mib: u64) -> Result<Budget> {
        if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
            bail!("--timeout must be a number of seconds between 0 and 86400, not {seconds}");
        }
        if memory_mib < 64 {
            bail!("--worker-memory must be at least 64 (MiB), not {memory_mib}");
        }
        Ok(Budget {
            time: Duration::from_secs_f64(seconds),
            memory_mib,
        })
    }

    fn limits(self) -> Limits {
        let mut limits = Limits::default();
        limits.time_limit = self.time;
        limits
    }

    /// Worker processes are this very program with the hidden `__worker` subcommand.
    fn workers(self) -> Result<WorkerConfig> {
        let program = std::env::current_exe().context("cannot find the kooste program")?;
        Ok(WorkerConfig {
            program,
            args: vec![
                "__worker".into(),
                "--timeout-ms".into(),
                self.time.as_millis().to_string().into(),
            ],
            memory_mib: self.memory_mib,
            time_limit: self.time,
        })
    }
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            time: Limits::default().time_limit,
            memory_mib: 4096,
        }
    }
}

/// The body of a worker process, which the pool confined as it spawned it: answer
/// requests until stdin closes.
fn worker(timeout_ms: u64) -> Result<ExitCode> {
    let mut limits = Limits::default();
    limits.time_limit = Duration::from_millis(timeout_ms);
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    kooste_pipeline::worker::serve(
        stdin.lock(),
        std::io::BufWriter::new(stdout.lock()),
        &limits,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Identifies this build, so that a rebuilt kooste classifies again rather than trust
/// classifications the old code stored. The program's size and time stamp change with every
/// build and cost nothing to read (hashing the program would cost more than a warm run).
fn build_id() -> String {
    let stamp = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}-{mtime}", m.len())
        })
        .unwrap_or_default();
    format!("{}/{stamp}", env!("CARGO_PKG_VERSION"))
}

/// A progress bar on standard error, drawn only on a terminal.
struct Bar(ProgressBar);

impl Bar {
    fn new(show: bool) -> Bar {
        if !show {
            return Bar(ProgressBar::hidden());
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(8));
        let style = ProgressStyle::with_template(
            "{spinner} {bar:32} {pos}/{len} tiedostoa  {per_sec}  {elapsed_precise} (jäljellä {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar(bar)
    }
}

impl Progress for Bar {
    fn started(&self, files: usize) {
        self.0.set_length(files as u64);
    }
    fn file_done(&self, _path: &str) {
        self.0.inc(1);
    }
}

/// Scans a drive without a cache, under `rules` (loaded from `source`).
fn scan_drive(
    drive: &Path,
    exclude: Option<&Path>,
    (rules, source): &(kooste_classify::Rules, String),
    jobs: Option<usize>,
    cache: Option<&Cache>,
    ocr: Option<&kooste_ocr::Ocr>,
) -> Result<Index> {
    let budget = Budget::default();
    let config = ScanConfig {
        drive,
        exclude,
        rules,
        rules_source: source.clone(),
        limits: budget.limits(),
        generated: time::generated(),
        cache,
        workers: Some(budget.workers()?),
        build_id: String::new(),
        ocr,
    };
    Ok(on_jobs(jobs, || scan(&config, &Quiet))??.into_index()?)
}

fn report_lang(lang: Lang) -> kooste_report::Lang {
    match lang {
        Lang::Fi => kooste_report::Lang::Fi,
        Lang::En => kooste_report::Lang::En,
    }
}

/// An introduction file: one bullet point per non-empty line, bullet marks optional.
fn read_intro(path: &Path) -> Result<Vec<String>> {
    let bytes =
        read_named(path).with_context(|| format!("cannot read introduction {}", path.display()))?;
    let text = kooste_extract::decode_text(&bytes);
    Ok(text
        .lines()
        .map(|l| {
            let l = l.trim();
            ["- ", "* ", "• "]
                .iter()
                .find_map(|m| l.strip_prefix(m))
                .unwrap_or(l)
                .trim()
                .to_string()
        })
        .filter(|l| !l.is_empty())
        .collect())
}

struct RunArgs<'a> {
    drive: &'a Path,
    out: &'a Path,
    rules: Option<&'a Path>,
    jobs: Option<usize>,
    no_cache: bool,
    budget: Budget,
    lang: Lang,
    examples: Option<usize>,
    intro: Option<&'a Path>,
    quiet: bool,
    ocr: bool,
}

/// `kooste run`: the scan and the outputs on one pool of the threads `--jobs` allows.
fn run(args: &RunArgs<'_>) -> Result<ExitCode> {
    on_jobs(args.jobs, || run_on_this_pool(args))?
}

fn run_on_this_pool(args: &RunArgs<'_>) -> Result<ExitCode> {
    let started = Instant::now();
    let intro = args.intro.map(read_intro).transpose()?;
    let (rules, rules_source) = rules_file::load(args.rules)?;
    std::fs::create_dir_all(args.out)
        .with_context(|| format!("cannot create output folder {}", args.out.display()))?;
    let ocr = ocr_reader(args.ocr)?;
    let cache = Cache::open(args.out, !args.no_cache)?;
    let bar = Bar::new(!args.quiet && std::io::stderr().is_terminal());
    let config = ScanConfig {
        drive: args.drive,
        exclude: Some(args.out),
        rules: &rules,
        rules_source,
        limits: args.budget.limits(),
        generated: time::generated(),
        cache: Some(&cache),
        workers: Some(args.budget.workers()?),
        build_id: build_id(),
        ocr: ocr.as_ref(),
    };
    let check = OutputsCheck {
        out: args.out,
        render_key: render_key(args, intro.as_deref(), &config.rules_source),
    };
    let mut scanned = match scan_or_keep(&config, &bar, &check)? {
        Scanned::Fresh(scan) => scan,
        Scanned::Current(mut stats) => {
            bar.0.finish_and_clear();
            (stats.peak_rss_kib, stats.worker_peak_rss_kib) =
                kooste_pipeline::worker::peak_rss_kib();
            stats.seconds = started.elapsed().as_secs_f64();
            let drive = config.drive.display().to_string();
            let run = RunInfo {
                generated: &config.generated,
                drive: &drive,
                rules_source: &config.rules_source,
                rules_hash: rules.hash(),
            };
            cache.record_current_run(&run, &stats)?;
            if !args.quiet {
                eprintln!(
                    "kooste: {} files, {} materials, {} failed: nothing changed since the previous run, the outputs stand; {:.2} s → {}",
                    stats.files,
                    stats.materials,
                    stats.failed,
                    started.elapsed().as_secs_f64(),
                    args.out.display()
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    bar.0.finish_and_clear();
    let curation = scanned.annotate(args.drive)?;
    if !args.quiet {
        for w in &curation.warnings {
            eprintln!("kooste: annotations: {w}");
        }
    }
    let options = OutputOptions {
        summary: SummaryOptions {
            lang: report_lang(args.lang),
            examples_per_theme: args.examples,
            intro,
            curation,
            ..SummaryOptions::default()
        },
        cache: Some(&cache),
    };
    let written = scanned.write_outputs(args.out, args.drive, &options)?;
    let mut stats = scanned.stats.clone();
    let moved = scanned.changes().map_or(0, |c| c.moved.len());
    (stats.new, stats.changed, stats.removed) =
        scanned.changes().map_or((stats.materials, 0, 0), |c| {
            (
                c.added.len() as u64,
                c.modified.len() as u64,
                c.removed.len() as u64,
            )
        });
    scanned.wait_for_workers();
    let (own, children) = kooste_pipeline::worker::peak_rss_kib();
    stats.peak_rss_kib = own;
    stats.worker_peak_rss_kib = children;
    stats.seconds = started.elapsed().as_secs_f64();
    scanned.record(&cache, &stats, args.out, &written)?;
    drop(cache);
    if !args.quiet {
        eprintln!(
            "kooste: {} files, {} materials: {} new, {} changed, {} removed{}, {} failed; {} extracted, {} from cache; {:.1} s → {}",
            stats.files,
            stats.materials,
            stats.new,
            stats.changed,
            stats.removed,
            // Said only where there are some, as the other counts were before moves were.
            if moved > 0 {
                format!(", {moved} moved")
            } else {
                String::new()
            },
            stats.failed,
            stats.extracted,
            // Files that could not be opened are neither; they count as failed.
            stats.unchanged + stats.reclassified,
            started.elapsed().as_secs_f64(),
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What the outputs depend on besides the drive's files and the classifier: the options that
/// shape them, the annotations, and where the output and drive folders are (links run from
/// one to the other).
fn render_key(args: &RunArgs<'_>, intro: Option<&[String]>, rules_source: &str) -> String {
    let place = |p: &Path| {
        p.canonicalize()
            .unwrap_or_else(|_| p.to_path_buf())
            .display()
            .to_string()
    };
    format!(
        "lang={:?}\nexamples={:?}\nintro={:?}\nannotations={}\nout={}\ndrive={}\nrules={}",
        args.lang,
        args.examples,
        intro,
        kooste_pipeline::annotations_fingerprint(args.drive),
        place(args.out),
        place(args.drive),
        rules_source,
    )
}

/// The OCR reader when `--ocr` asks for one: asked for and not possible is a fatal error, as
/// a run without it would quietly leave every scan unread.
fn ocr_reader(wanted: bool) -> Result<Option<kooste_ocr::Ocr>> {
    wanted
        .then(|| kooste_ocr::Ocr::detect(kooste_ocr::Settings::default()))
        .transpose()
        .context("--ocr")
}

/// Extracts the named files (folders are walked) in parallel, results in argument order;
/// with `ocr`, the scans among them are read by OCR, each with its note.
fn analyse_files(
    files: &[PathBuf],
    jobs: Option<usize>,
    ocr: Option<&kooste_ocr::Ocr>,
) -> Result<Vec<(Analysed, Option<String>)>> {
    let mut targets: Vec<(PathBuf, String)> = Vec::new();
    for f in files {
        if f.is_dir() {
            let walked = kooste_pipeline::walk(f, None)?;
            for e in walked.entries()? {
                targets.push((
                    e.path(f).into_owned(),
                    format!("{}/{}", f.display(), e.rel_path),
                ));
            }
        } else {
            targets.push((f.clone(), f.display().to_string()));
        }
    }
    let limits = Limits::default();
    let work = || {
        targets
            .par_iter()
            .map(|(abs, shown)| {
                let analysed = match kooste_pipeline::read_within(abs, limits.max_file_bytes) {
                    Ok(bytes) => analyse_bytes(shown, &bytes, &limits),
                    Err((kind, message)) => vec![failed(shown, kind, message)],
                };
                analysed
                    .into_iter()
                    .map(|mut a| {
                        let note = ocr.and_then(|ocr| {
                            kooste_pipeline::read_scan_file(ocr, abs, shown, &mut a, &limits)
                        });
                        (a, note)
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<Vec<_>>>()
    };
    let results = on_jobs(jobs, work)?;
    Ok(results.into_iter().flatten().collect())
}

/// A file the user names for the command (rules, labels, an introduction), read within the
/// size limit of a material: a pipe or a device named by mistake must not hang the command
/// or fill memory.
pub(crate) fn read_named(path: &Path) -> std::io::Result<Vec<u8>> {
    kooste_pipeline::read_within(path, Limits::default().max_file_bytes)
        .map_err(|(_, message)| std::io::Error::other(message))
}

/// Runs `work` on `jobs` threads, or on rayon's global pool (all cores) when not given.
fn on_jobs<T: Send>(jobs: Option<usize>, work: impl FnOnce() -> T + Send) -> Result<T> {
    Ok(match jobs {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .context("cannot start worker threads")?
            .install(work),
        None => work(),
    })
}

fn failed(path: &str, kind: kooste_model::ErrorKind, message: String) -> Analysed {
    Analysed {
        path: path.to_string(),
        format: kooste_extract::sniff(path, &[]),
        bytes: 0,
        hash: String::new(),
        result: Err(kooste_model::ExtractError::new(kind, message)),
    }
}

fn extract(files: &[PathBuf], as_json: bool, jobs: Option<usize>, ocr: bool) -> Result<ExitCode> {
    let ocr = ocr_reader(ocr)?;
    let results = analyse_files(files, jobs, ocr.as_ref())?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let several = results.len() > 1;
    for (a, ocr_note) in &results {
        if as_json {
            let value = match &a.result {
                Ok(doc) => json!({
                    "path": a.path,
                    "format": doc.format,
                    "text": doc.text(),
                    "pages": doc.pages,
                    "meta": doc.meta,
                    "error": null,
                    "damaged": doc.damaged,
                }),
                Err(e) => json!({
                    "path": a.path,
                    "format": a.format,
                    "text": "",
                    "pages": [],
                    "meta": {"title": null, "author": null, "created": null, "modified": null},
                    "error": e,
                    "damaged": null,
                }),
            };
            let mut value = value;
            if let (Some(note), Some(fields)) = (ocr_note, value.as_object_mut()) {
                fields.insert("ocr".into(), note.as_str().into());
            }
            writeln!(out, "{value}")?;
            continue;
        }
        if let Some(note) = ocr_note {
            eprintln!("kooste: {}: {note}", a.path);
        }
        match &a.result {
            Ok(doc) => {
                if let Some(note) = &doc.damaged {
                    eprintln!("kooste: {}: damaged, read in part: {note}", a.path);
                }
                if several {
                    writeln!(out, "==> {} <==", a.path)?;
                }
                out.write_all(doc.text().as_bytes())?;
                if several {
                    writeln!(out)?;
                }
            }
            Err(e) => {
                eprintln!("kooste: {}: {}: {}", a.path, e.kind, e.message);
            }
        }
    }
    out.flush()?;
    // As the command-line contract says for every command: a file that cannot be read is
    // reported (on standard error, or as `error` in JSON), not fatal.
    Ok(ExitCode::SUCCESS)
}

fn classify(
    files: &[PathBuf],
    as_json: bool,
    explain: bool,
    rules: Option<&Path>,
    ocr: bool,
) -> Result<ExitCode> {
    let (rules, _) = rules_file::load(rules)?;
    let ocr = ocr_reader(ocr)?;
    // Explanations show the evidence of every theme, not only of the assigned ones.
    let classifier = Classifier::new(&rules).with_details(explain);
    let results = analyse_files(files, None, ocr.as_ref())?;
    let titles: BTreeMap<&str, &str> = rules
        .themes
        .iter()
        .map(|t| (t.id.as_str(), t.title_fi.as_str()))
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (a, ocr_note) in &results {
        let mut m = material_from(a, &classifier);
        m.ocr = ocr_note.clone();
        if ocr.is_some() {
            m.picture_pages.clear();
        }
        if as_json {
            writeln!(out, "{}", serde_json::to_string(&m)?)?;
            continue;
        }
        writeln!(out, "{}", m.path)?;
        if let Some(e) = &m.error {
            writeln!(out, "  virhe: {}: {}", e.kind, e.message)?;
        }
        if let Some(note) = &m.ocr {
            writeln!(out, "  tekstintunnistus: {note}")?;
        }
        let city = m.city.map_or("–".to_string(), |c| {
            let source = m
                .city_source
                .map(|s| {
                    let from = match s {
                        kooste_model::CitySource::Folder => "kansion nimestä",
                        kooste_model::CitySource::FileName => "tiedoston nimestä",
                        kooste_model::CitySource::Metadata => "metatiedoista",
                        kooste_model::CitySource::Text => "tekstistä",
                        kooste_model::CitySource::Manual => "käsin",
                    };
                    format!(" ({from})")
                })
                .unwrap_or_default();
            format!("{c}{source}")
        });
        let tp: Vec<String> = m.tp.iter().map(|t| t.to_string()).collect();
        writeln!(out, "  kaupunki: {city}")?;
        writeln!(
            out,
            "  työpaketit: {}",
            if tp.is_empty() {
                "–".to_string()
            } else {
                tp.join(", ")
            }
        )?;
        if m.themes.is_empty() {
            writeln!(out, "  teemat: –")?;
        }
        for t in &m.themes {
            writeln!(
                out,
                "  teema {} ({}): {:.2}",
                t.id,
                titles.get(t.id.as_str()).unwrap_or(&""),
                t.score
            )?;
        }
        if explain {
            explain_material(&mut out, a, &classifier, &rules)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn explain_material(
    out: &mut impl Write,
    a: &Analysed,
    classifier: &Classifier,
    rules: &kooste_classify::Rules,
) -> Result<()> {
    let Ok(doc) = &a.result else { return Ok(()) };
    let c = classifier.classify(&kooste_classify::MaterialText {
        path: &a.path,
        title: doc.meta.title.as_deref(),
        author: doc.meta.author.as_deref(),
        pages: &doc.pages,
    });
    if c.city.is_none() && !c.city_contenders.is_empty() {
        let names: Vec<&str> = c.city_contenders.iter().map(|c| c.name()).collect();
        writeln!(
            out,
            "  kaupunki: ei selvää voittajaa, tekstissä mainitaan {}",
            names.join(", ")
        )?;
    }
    let share = rules.settings.share_of_top;
    let relative = if share > 0.0 {
        format!(
            " ja vähintään {:.0} % vahvimman teeman pisteistä",
            share * 100.0
        )
    } else {
        String::new()
    };
    let dense = if rules.settings.density > 0.0 {
        let of_top = rules.settings.density_share_of_top;
        format!(
            "; tai tiheys vähintään {:.0} / 1 000 sanaa ja pisteitä vähintään {:.1}{}",
            rules.settings.density,
            rules.settings.density_share * rules.settings.threshold,
            if of_top > 0.0 {
                format!(" sekä {:.0} % vahvimman teeman pisteistä", of_top * 100.0)
            } else {
                String::new()
            }
        )
    } else {
        String::new()
    };
    let section = c.themes.iter().any(|t| t.section.is_some());
    let long = if section {
        format!(
            "; pitkässä tekstissä lisäksi jossakin {:.0} sanan jaksossa teeman sanojen painoa \
             vähintään {:.0}, ellei otsikko, nimi tai työpaketti puhu teeman puolesta",
            rules.settings.section_span, rules.settings.section_weight
        )
    } else {
        String::new()
    };
    writeln!(
        out,
        "  perusteet ({} sanaa, kynnys {:.1}{relative}{dense}{long}):",
        c.words, rules.settings.threshold
    )?;
    for t in &c.themes {
        let mut parts = Vec::new();
        if t.parts.title != 0.0 {
            parts.push(format!("otsikko ja nimi {:.1}", t.parts.title));
        }
        if t.parts.text != 0.0 {
            parts.push(format!("teksti {:.1}", t.parts.text));
        }
        if t.parts.tp != 0.0 {
            parts.push(format!("työpaketti {:.1}", t.parts.tp));
        }
        writeln!(
            out,
            "    {} {:.1}{}{}",
            t.id,
            t.score,
            match (t.assigned, t.score >= rules.settings.threshold) {
                (true, true) => " ✓".to_string(),
                // Under the threshold, yet the text keeps to this theme.
                (true, false) => format!(
                    " ✓ (tiheys {:.0} / 1 000 sanaa, raja {:.0})",
                    t.density, rules.settings.density
                ),
                // Over the threshold, yet only touched in passing in a long document.
                (false, true) if t.section.is_some_and(|w| w < rules.settings.section_weight) => {
                    format!(
                        " (vain ohimennen: enintään {:.1} painoa {:.0} sanan jaksossa, raja {:.0})",
                        t.section.unwrap_or_default(),
                        rules.settings.section_span,
                        rules.settings.section_weight
                    )
                }
                // Over the threshold, yet far weaker than the document's main theme.
                (false, true) => format!(" (alle {:.0} % vahvimmasta)", share * 100.0),
                (false, false) => String::new(),
            },
            if parts.is_empty() {
                String::new()
            } else {
                format!(" = {}", parts.join(" + "))
            }
        )?;
        // Strongest evidence first: weight times occurrences.
        let mut matches: Vec<&kooste_classify::TermMatch> = t.matches.iter().collect();
        let strength = |m: &kooste_classify::TermMatch| {
            m.weight.abs() * f64::from(m.title + m.heading + m.body)
        };
        matches.sort_by(|a, b| strength(b).total_cmp(&strength(a)));
        for m in matches.iter().take(12) {
            let pages = t
                .terms
                .iter()
                .find(|c| c.term == m.term)
                .map(|c| {
                    c.pages
                        .iter()
                        .map(|p| {
                            if *p == 0 {
                                "nimi".to_string()
                            } else {
                                p.to_string()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            let mut zones = Vec::new();
            if m.title > 0 {
                zones.push("otsikossa tai nimessä".to_string());
            }
            if m.heading > 0 {
                zones.push(format!("{} otsikkorivillä", m.heading));
            }
            if m.body > 0 {
                zones.push(format!("{} tekstissä", m.body));
            }
            writeln!(
                out,
                "      {} (paino {}{}): {}{}",
                m.term,
                m.weight,
                if m.weight < 0.0 { ", vähentää" } else { "" },
                zones.join(", "),
                if pages.is_empty() {
                    String::new()
                } else {
                    format!("; s. {pages}")
                }
            )?;
        }
        if matches.len() > 12 {
            writeln!(out, "      … ja {} muuta termiä", matches.len() - 12)?;
        }
        for s in &t.snippets {
            writeln!(out, "      » {s}")?;
        }
    }
    Ok(())
}

fn audit_command(
    drive: Option<&Path>,
    out: &Path,
    fail_on: Option<FailOn>,
    rules: Option<&Path>,
    jobs: Option<usize>,
    lang: Lang,
    ocr: bool,
) -> Result<ExitCode> {
    let ocr = ocr_reader(ocr && drive.is_some())?;
    // The annotations' corrections count here as in every output: a material a person gave
    // a theme is not untagged.
    let sources: Vec<String>;
    let warnings: Vec<String>;
    let index: Index = match drive {
        Some(d) => {
            let rules = rules_file::load(rules)?;
            let mut index = scan_drive(d, Some(out), &rules, jobs, None, ocr.as_ref())?;
            let curation = annotate(&mut index, d)?;
            sources = curation.sources;
            warnings = curation.warnings;
            index
        }
        None => {
            let path = out.join("index.json");
            let text = std::fs::read_to_string(&path).with_context(|| {
                format!(
                    "no index at {}; run `kooste run DRIVE` first or name a drive",
                    path.display()
                )
            })?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let strings = |key: &str| -> Vec<String> {
                value["annotations"][key]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            sources = strings("sources");
            warnings = strings("warnings");
            serde_json::from_value(value)
                .with_context(|| format!("cannot read {}", path.display()))?
        }
    };
    let mut a = audit(index.view())?;
    a.annotation_sources = sources;
    a.annotation_warnings = warnings;
    print!("{}", audit_markdown(&a, report_lang(lang)));
    let found = match fail_on {
        Some(FailOn::Untagged) => a.untagged() > 0,
        Some(FailOn::Errors) => a.errors() > 0,
        None => false,
    };
    Ok(if found {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// A folder of this process under the system's temporary folder, removed with its contents
/// when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("kooste-eval-{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the classifier said of each material, as the labels are compared with it.
fn predictions_of(index: &Index) -> BTreeMap<String, Prediction> {
    index
        .documents
        .iter()
        .map(|m| {
            (
                m.path.clone(),
                Prediction {
                    themes: m.themes.iter().map(|t| t.id.clone()).collect(),
                    city: m.city,
                    tp: m.tp.iter().copied().collect(),
                },
            )
        })
        .collect()
}

/// `rules` are the rules in force (`None`: the default) and, when given, the rules they are
/// compared against.
fn eval(
    labels_path: &Path,
    drive: &Path,
    (rules, against): (Option<&Path>, Option<&Path>),
    jobs: Option<usize>,
    errors: bool,
    ocr: bool,
) -> Result<ExitCode> {
    let ocr = ocr_reader(ocr)?;
    let bytes = read_named(labels_path)
        .with_context(|| format!("cannot read labels {}", labels_path.display()))?;
    let labels = match kooste_extract::table_kind(&labels_path.to_string_lossy()) {
        // Labels kept in a spreadsheet: the same columns on its first sheet.
        Some(kooste_extract::TableKind::Spreadsheet) => {
            let table =
                kooste_extract::first_sheet_table(&bytes, &kooste_extract::Limits::default())
                    .with_context(|| {
                        format!("cannot read labels spreadsheet {}", labels_path.display())
                    })?;
            // Only the first sheet is read: say which, in case the labels stand on another.
            labels_from_rows_at(table.rows, table.origin.0).with_context(|| {
                format!(
                    "bad labels file {}, sheet {:?} (the first sheet holds the labels)",
                    labels_path.display(),
                    table.sheet
                )
            })
        }
        _ => parse_labels(&kooste_extract::decode_text(&bytes))
            .with_context(|| format!("bad labels file {}", labels_path.display())),
    };
    let mut labels = labels?;
    if labels.is_empty() {
        bail!("labels file {} has no rows", labels_path.display());
    }
    let mut others: BTreeMap<&str, usize> = BTreeMap::new();
    for name in labels.iter().filter_map(|l| l.other_city.as_deref()) {
        *others.entry(name).or_default() += 1;
    }
    if !others.is_empty() {
        // Not an error: the material then belongs to none of the six, which is what the
        // classifier must say. But a misspelt city would go unnoticed without this line.
        let list: Vec<String> = others.iter().map(|(c, n)| format!("{c} ({n})")).collect();
        eprintln!(
            "note: labels name cities other than the six, compared as no city: {}",
            list.join(", ")
        );
    }
    let (rules, source) = rules_file::load(rules)?;
    let settings = rules.settings.clone();
    // Before the scan: a labels file that does not fit the rules fails at once.
    resolve_themes(&mut labels, &rules.theme_infos())
        .with_context(|| format!("bad labels file {}", labels_path.display()))?;
    let against = match against {
        Some(path) => {
            let other = rules_file::load(Some(path))?;
            // In any order: predictions are compared theme by theme.
            let ids = |r: &kooste_classify::Rules| -> BTreeSet<String> {
                r.theme_infos().into_iter().map(|t| t.id).collect()
            };
            if ids(&other.0) != ids(&rules) {
                bail!(
                    "{} has other themes than the rules in force; only rules with the same \
                     themes can be compared",
                    path.display()
                );
            }
            Some(other)
        }
        None => None,
    };
    // With other rules to compare, a cache of the extracted texts for the two scans, in a
    // temporary folder (removed when `scratch` is dropped, after the cache).
    let scratch = match against {
        Some(_) => Some(Scratch::new()?),
        None => None,
    };
    let cache = scratch
        .as_ref()
        .map(|s| Cache::open(&s.0, true))
        .transpose()?;
    let index = scan_drive(
        drive,
        None,
        &(rules, source),
        jobs,
        cache.as_ref(),
        ocr.as_ref(),
    )?;
    let ambiguous = resolve_paths(&mut labels, index.documents.iter().map(|m| m.path.as_str()));
    for (name, fits) in &ambiguous {
        eprintln!(
            "note: the label {name:?} fits {} materials, so it is counted as missing; write \
             more of its path: {}",
            fits.len(),
            fits.join(", ")
        );
    }
    let repeated = join_repeated(&mut labels);
    if !repeated.is_empty() {
        eprintln!(
            "note: labelled on more than one row, so counted once with the themes and work \
             packages of all its rows and the city of the first row that names one: {}",
            repeated.join(", ")
        );
    }
    let predictions = predictions_of(&index);
    let ids: Vec<String> = index.themes.iter().map(|t| t.id.clone()).collect();
    let e = evaluate(&labels, &predictions, &ids);
    // The same drive classified by the other rules, from the texts the cache kept.
    let compared = match &against {
        Some(other) => {
            let theirs = predictions_of(&scan_drive(
                drive,
                None,
                other,
                jobs,
                cache.as_ref(),
                ocr.as_ref(),
            )?);
            Some((
                other.1.as_str(),
                compare(&labels, &predictions, &theirs, &ids),
            ))
        }
        None => None,
    };
    // The documents first: the output ends with `macro_f1`, as scripts that read it expect.
    if errors {
        print_disagreements(&index, &labels, &predictions, &settings, e.missing.len());
        println!();
    }
    for line in e.theme_table() {
        println!("{line}");
    }
    println!("documents {}", e.documents);
    if !e.missing.is_empty() {
        println!(
            "missing {} (labelled but not found on the drive): {}",
            e.missing.len(),
            e.missing.join(", ")
        );
    }
    if let Some((ok, n)) = e.city {
        println!(
            "city_accuracy {:.3} ({ok}/{n})",
            ok as f64 / n.max(1) as f64
        );
    }
    if let Some((ok, n)) = e.tp {
        println!("tp_accuracy {:.3} ({ok}/{n})", ok as f64 / n.max(1) as f64);
    }
    if let Some((name, c)) = &compared {
        // Named, like the interval line, so that no script looking for `micro_f1 ` or
        // `macro_f1 ` finds these lines.
        println!(
            "against {name}: micro {:.3} macro {:.3}",
            c.other_micro_f1, c.other_macro_f1
        );
        let bounds = |i: Option<kooste_classify::Interval>| {
            i.map(|i| format!(" ({:+.3} to {:+.3})", i.low, i.high))
                .unwrap_or_default()
        };
        println!(
            "difference micro {:+.3}{} macro {:+.3}{} (these rules minus {name}; paired \
             bootstrap, 95 %)",
            c.micro_f1,
            bounds(c.micro_interval),
            c.macro_f1,
            bounds(c.macro_interval)
        );
    }
    if let (Some(mi), Some(ma)) = (e.micro_interval, e.macro_interval) {
        // Named so that no script looking for `micro_f1 ` or `macro_f1 ` finds this line.
        println!(
            "interval_95 micro {:.3}-{:.3} macro {:.3}-{:.3} (bootstrap over the documents)",
            mi.low, mi.high, ma.low, ma.high
        );
    }
    println!("micro_f1 {:.3}", e.micro_f1);
    println!("macro_f1 {:.3}", e.macro_f1);
    Ok(ExitCode::SUCCESS)
}

/// `kooste eval --errors`: one block per labelled document the classifier sees otherwise.
fn print_disagreements(
    index: &Index,
    labels: &[kooste_classify::Label],
    predictions: &BTreeMap<String, Prediction>,
    settings: &kooste_classify::Settings,
    missing: usize,
) {
    let found = disagreements(labels, predictions);
    let dense = if settings.density > 0.0 {
        format!(
            ", or of {} or more and {} % of the strongest theme's where its terms reach {} \
             weighted occurrences per 1,000 words",
            settings.density_share * settings.threshold,
            settings.density_share_of_top * 100.0,
            settings.density
        )
    } else {
        String::new()
    };
    let long = if settings.section_weight > 0.0 {
        format!(
            "; in documents of {} words or more, only where some {} words hold {} of its term \
             weight, or its title, file name or work package names it",
            settings.long_document, settings.section_span, settings.section_weight
        )
    } else {
        String::new()
    };
    println!(
        "disagreements {} (a theme is assigned at a score of {} or more{dense}{long})",
        found.len(),
        settings.threshold
    );
    // Labelled files that are not on the drive cannot disagree; "0" alone would read as all
    // labels matched.
    if missing > 0 {
        println!(
            "not compared: {missing} labelled file{} not found on the drive (listed as missing \
             below)",
            if missing == 1 { "" } else { "s" }
        );
    }
    let list = |items: &[&str]| {
        if items.is_empty() {
            "-".to_string()
        } else {
            items.join(", ")
        }
    };
    let city = |c: Option<kooste_model::City>| c.map_or("-", |c| c.name());
    let tps = |set: &std::collections::BTreeSet<kooste_model::WorkPackage>| {
        if set.is_empty() {
            "-".to_string()
        } else {
            set.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    for d in &found {
        println!("{}", d.path);
        if !d.missed.is_empty() || !d.extra.is_empty() {
            println!("  missed: {}  extra: {}", list(&d.missed), list(&d.extra));
        }
        if let Some((want, got)) = d.city {
            let want = match d.other_city {
                Some(other) => format!("{other} (none of the six)"),
                None => city(want).to_string(),
            };
            println!("  city: label {want}, classified {}", city(got));
        }
        if let Some((want, got)) = d.tp {
            println!("  tp: label {}, classified {}", tps(want), tps(got));
        }
        // The material's own scores, strongest first: how near the threshold each theme was.
        let material = index
            .documents
            .binary_search_by(|m| m.path.as_str().cmp(d.path))
            .ok()
            .and_then(|at| index.documents.get(at));
        if let Some(m) = material {
            let mut scores: Vec<(&str, f64)> = m.scores.iter().map(|(id, s)| (id, *s)).collect();
            scores.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            let shown: Vec<String> = scores
                .iter()
                .map(|(id, s)| format!("{id} {s:.1}"))
                .collect();
            println!("  scores: {}", shown.join(", "));
        }
    }
}

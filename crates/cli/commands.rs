//! One function per subcommand.

use crate::{Command, FailOn, Lang, rules_file, time};
use anyhow::{Context, Result, bail};
use kooste_classify::{Classifier, Prediction, evaluate, parse_labels};
use kooste_extract::Limits;
use kooste_model::{Index, Status};
use kooste_pipeline::{
    Analysed, OutputOptions, Progress, Quiet, ScanConfig, analyse_bytes, annotate, material_from,
    scan, write_outputs,
};
use kooste_report::{SummaryOptions, audit, audit_markdown};
use rayon::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

pub fn dispatch(command: Command) -> Result<ExitCode> {
    match command {
        Command::Run {
            drive,
            out,
            rules,
            jobs,
            no_cache: _,
            lang,
            examples,
            intro,
            quiet,
        } => run(
            &drive,
            &out,
            rules.as_deref(),
            jobs,
            RunOutput {
                lang,
                examples,
                intro: intro.as_deref(),
            },
            quiet,
        ),
        Command::Extract { files, json, jobs } => extract(&files, json, jobs),
        Command::Classify {
            files,
            json,
            explain,
            rules,
        } => classify(&files, json, explain, rules.as_deref()),
        Command::Audit {
            drive,
            out,
            fail_on,
            rules,
            jobs,
            lang,
        } => audit_command(
            drive.as_deref(),
            &out,
            fail_on,
            rules.as_deref(),
            jobs,
            lang,
        ),
        Command::Eval {
            labels,
            drive,
            rules,
            jobs,
        } => eval(&labels, &drive, rules.as_deref(), jobs),
        Command::Rules { default: _ } => {
            print!("{}", kooste_classify::DEFAULT_RULES);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Counts files as they finish, for the closing line.
struct Counter(AtomicUsize);
impl Progress for Counter {
    fn file_done(&self, _path: &str) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn scan_drive(
    drive: &Path,
    exclude: Option<&Path>,
    rules: Option<&Path>,
    jobs: Option<usize>,
    progress: &dyn Progress,
) -> Result<Index> {
    let (rules, source) = rules_file::load(rules)?;
    let config = ScanConfig {
        drive,
        exclude,
        rules: &rules,
        rules_source: source,
        limits: Limits::default(),
        jobs,
        generated: time::generated(),
    };
    Ok(scan(&config, progress)?)
}

/// What `run` was asked about the summary's form.
struct RunOutput<'a> {
    lang: Lang,
    examples: Option<usize>,
    intro: Option<&'a Path>,
}

fn report_lang(lang: Lang) -> kooste_report::Lang {
    match lang {
        Lang::Fi => kooste_report::Lang::Fi,
        Lang::En => kooste_report::Lang::En,
    }
}

/// An introduction file: one bullet point per non-empty line, bullet marks optional.
fn read_intro(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read introduction {}", path.display()))?;
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

fn run(
    drive: &Path,
    out: &Path,
    rules: Option<&Path>,
    jobs: Option<usize>,
    output: RunOutput<'_>,
    quiet: bool,
) -> Result<ExitCode> {
    let started = Instant::now();
    let intro = output.intro.map(read_intro).transpose()?;
    let counter = Counter(AtomicUsize::new(0));
    let mut index = scan_drive(drive, Some(out), rules, jobs, &counter)?;
    let curation = annotate(&mut index, drive)?;
    if !quiet {
        for w in &curation.warnings {
            eprintln!("kooste: annotations: {w}");
        }
    }
    let options = OutputOptions {
        summary: SummaryOptions {
            lang: report_lang(output.lang),
            examples_per_theme: output.examples,
            intro,
            curation,
            ..SummaryOptions::default()
        },
    };
    write_outputs(out, drive, &mut index, &options)?;
    if !quiet {
        let count = |s: Status| index.documents.iter().filter(|m| m.status == s).count();
        let (added, removed, changed) = index
            .changes
            .as_ref()
            .map_or((index.documents.len(), 0, 0), |c| {
                (c.added.len(), c.removed.len(), c.modified.len())
            });
        eprintln!(
            "kooste: {} files, {} materials: {} read, {} empty, {} failed; {} new, {} changed, {} removed; {:.1} s → {}",
            counter.0.load(Ordering::Relaxed),
            index.documents.len(),
            count(Status::Ok),
            count(Status::Empty),
            count(Status::Error),
            added,
            changed,
            removed,
            started.elapsed().as_secs_f64(),
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Extracts the named files (folders are walked) in parallel, results in argument order.
fn analyse_files(files: &[PathBuf], jobs: Option<usize>) -> Result<Vec<Analysed>> {
    let mut targets: Vec<(PathBuf, String)> = Vec::new();
    for f in files {
        if f.is_dir() {
            for e in kooste_pipeline::walk(f, None)? {
                targets.push((e.abs_path, format!("{}/{}", f.display(), e.rel_path)));
            }
        } else {
            targets.push((f.clone(), f.display().to_string()));
        }
    }
    let limits = Limits::default();
    let work = || {
        targets
            .par_iter()
            .map(|(abs, shown)| match std::fs::read(abs) {
                Ok(bytes) if bytes.len() as u64 <= limits.max_file_bytes => {
                    analyse_bytes(shown, &bytes, &limits)
                }
                Ok(bytes) => vec![failed(
                    shown,
                    kooste_model::ErrorKind::TooLarge,
                    format!("file of {} bytes is over the limit", bytes.len()),
                )],
                Err(e) => vec![failed(shown, kooste_model::ErrorKind::Io, e.to_string())],
            })
            .collect::<Vec<Vec<Analysed>>>()
    };
    let results = match jobs {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .context("cannot start worker threads")?
            .install(work),
        None => work(),
    };
    Ok(results.into_iter().flatten().collect())
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

fn extract(files: &[PathBuf], as_json: bool, jobs: Option<usize>) -> Result<ExitCode> {
    let results = analyse_files(files, jobs)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut any_failed = false;
    let several = results.len() > 1;
    for a in &results {
        if as_json {
            let value = match &a.result {
                Ok(doc) => json!({
                    "path": a.path,
                    "format": doc.format,
                    "text": doc.text(),
                    "pages": doc.pages,
                    "meta": doc.meta,
                    "error": null,
                }),
                Err(e) => json!({
                    "path": a.path,
                    "format": a.format,
                    "text": "",
                    "pages": [],
                    "meta": {"title": null, "author": null, "created": null, "modified": null},
                    "error": e,
                }),
            };
            writeln!(out, "{value}")?;
            continue;
        }
        match &a.result {
            Ok(doc) => {
                if several {
                    writeln!(out, "==> {} <==", a.path)?;
                }
                out.write_all(doc.text().as_bytes())?;
                if several {
                    writeln!(out)?;
                }
            }
            Err(e) => {
                any_failed = true;
                eprintln!("kooste: {}: {}: {}", a.path, e.kind, e.message);
            }
        }
    }
    out.flush()?;
    // Plain-text mode is for one file at a time in scripts: failure must be visible there.
    Ok(if any_failed && !as_json {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn classify(
    files: &[PathBuf],
    as_json: bool,
    explain: bool,
    rules: Option<&Path>,
) -> Result<ExitCode> {
    let (rules, _) = rules_file::load(rules)?;
    // Explanations show the evidence of every theme, not only of the assigned ones.
    let classifier = Classifier::new(&rules).with_details(explain);
    let results = analyse_files(files, None)?;
    let titles: BTreeMap<&str, &str> = rules
        .themes
        .iter()
        .map(|t| (t.id.as_str(), t.title_fi.as_str()))
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for a in &results {
        let m = material_from(a, &classifier);
        if as_json {
            writeln!(out, "{}", serde_json::to_string(&m)?)?;
            continue;
        }
        writeln!(out, "{}", m.path)?;
        if let Some(e) = &m.error {
            writeln!(out, "  virhe: {}: {}", e.kind, e.message)?;
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
    writeln!(
        out,
        "  perusteet ({} sanaa, kynnys {:.1}):",
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
            if t.assigned { " ✓" } else { "" },
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
) -> Result<ExitCode> {
    // The annotations' corrections count here as in every output: a material a person gave
    // a theme is not untagged.
    let sources: Vec<String>;
    let warnings: Vec<String>;
    let index: Index = match drive {
        Some(d) => {
            let mut index = scan_drive(d, Some(out), rules, jobs, &Quiet)?;
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
    let mut a = audit(&index);
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

fn eval(
    labels_path: &Path,
    drive: &Path,
    rules: Option<&Path>,
    jobs: Option<usize>,
) -> Result<ExitCode> {
    let text = std::fs::read_to_string(labels_path)
        .with_context(|| format!("cannot read labels {}", labels_path.display()))?;
    let labels = parse_labels(&text)
        .with_context(|| format!("bad labels file {}", labels_path.display()))?;
    if labels.is_empty() {
        bail!("labels file {} has no rows", labels_path.display());
    }
    let index = scan_drive(drive, None, rules, jobs, &Quiet)?;
    let predictions: BTreeMap<String, Prediction> = index
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
        .collect();
    let ids: Vec<String> = index.themes.iter().map(|t| t.id.clone()).collect();
    let e = evaluate(&labels, &predictions, &ids);
    println!(
        "{:<16} {:>4} {:>4} {:>4} {:>9} {:>7} {:>6}",
        "theme", "tp", "fp", "fn", "precision", "recall", "f1"
    );
    for t in &e.themes {
        println!(
            "{:<16} {:>4} {:>4} {:>4} {:>9.3} {:>7.3} {:>6.3}",
            t.id, t.tp, t.fp, t.fn_, t.precision, t.recall, t.f1
        );
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
    println!("macro_f1 {:.3}", e.macro_f1);
    Ok(ExitCode::SUCCESS)
}

//! Development loop for the rules: classifies extracted documents (the JSON lines of
//! `kooste extract --json`) against a labels CSV without extracting again, so that scoring
//! parameters can be swept in seconds.
//!
//! cargo run --release -p kooste-classify --example dev_eval -- \
//!     --docs extracted.jsonl --labels tests/corpus-fi.labels.csv [--rules FILE]
//!     [--half a|b] [--set threshold=3.5] [--sweep threshold=2,3,4] [--errors | --all]
//!
//! `--errors` lists the documents classified wrongly with every theme's score; `--all` lists
//! every document so, each followed by its word count and per theme the density, the densest
//! section (-1: not measured) and the weight from the title and work package, for working
//! out decision rules outside this program.
//!
//! `--half` keeps the documents of one half of the source groups (the part of the file name
//! before `__`), so that copies and versions of one document never fall in both halves.

use kooste_classify::{
    Classifier, MaterialText, Morphology, Prediction, Rules, evaluate, parse_labels,
};
use kooste_model::Page;
use std::collections::BTreeMap;

struct Doc {
    path: String,
    title: Option<String>,
    author: Option<String>,
    pages: Vec<Page>,
}

/// A theme id cut to four characters, to keep a line of scores short.
fn short(id: &str) -> String {
    id.chars().take(4).collect()
}

fn main() {
    if let Err(e) = run() {
        eprintln!("dev_eval: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let mut docs_path = None;
    let mut labels_path = None;
    let mut rules_path = None;
    let mut half = None;
    let mut sets: Vec<(String, String)> = Vec::new();
    let mut sweep: Option<(String, Vec<String>)> = None;
    let mut errors = false;
    let mut dump: Option<String> = None;
    let mut all = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--docs" => docs_path = Some(value()?),
            "--labels" => labels_path = Some(value()?),
            "--rules" => rules_path = Some(value()?),
            "--half" => half = Some(value()?),
            "--set" => {
                let v = value()?;
                let (k, x) = v.split_once('=').ok_or("--set key=value")?;
                sets.push((k.to_string(), x.to_string()));
            }
            "--sweep" => {
                let v = value()?;
                let (k, xs) = v.split_once('=').ok_or("--sweep key=a,b,c")?;
                sweep = Some((k.to_string(), xs.split(',').map(str::to_string).collect()));
            }
            "--errors" => errors = true,
            "--all" => {
                errors = true;
                all = true;
            }
            "--dump" => dump = Some(value()?),
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    let docs = read_docs(&docs_path.ok_or("--docs is required")?)?;
    let labels_text = std::fs::read_to_string(labels_path.ok_or("--labels is required")?)
        .map_err(|e| e.to_string())?;
    let mut labels = parse_labels(&labels_text).map_err(|e| e.to_string())?;
    if let Some(h) = &half {
        labels.retain(|l| in_half(&l.path, h));
    }
    let base = match &rules_path {
        Some(p) => Rules::from_toml(&std::fs::read_to_string(p).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?,
        None => Rules::default_rules(),
    };
    let runs: Vec<Vec<(String, String)>> = match &sweep {
        None => vec![sets.clone()],
        Some((k, xs)) => xs
            .iter()
            .map(|x| {
                let mut s = sets.clone();
                s.push((k.clone(), x.clone()));
                s
            })
            .collect(),
    };
    for run in runs {
        let mut rules = base.clone();
        for (k, v) in &run {
            apply(&mut rules, k, v)?;
        }
        let classifier = Classifier::new(&rules).with_details(dump.is_some());
        let mut dumped = String::new();
        let mut predictions = BTreeMap::new();
        let mut scores: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
        let mut extra: BTreeMap<String, String> = BTreeMap::new();
        for d in &docs {
            let c = classifier.classify(&MaterialText {
                path: &d.path,
                title: d.title.as_deref(),
                author: d.author.as_deref(),
                pages: &d.pages,
            });
            if dump.is_some() {
                let label = labels.iter().find(|l| l.path == d.path);
                for t in &c.themes {
                    let m: Vec<serde_json::Value> = t
                        .matches
                        .iter()
                        .map(|m| serde_json::json!([m.term, m.weight, m.title, m.heading, m.body]))
                        .collect();
                    let line = serde_json::json!({
                        "path": d.path, "theme": t.id, "words": c.words,
                        "labelled": label.is_some(),
                        "label": label.is_some_and(|l| l.themes.contains(&t.id)),
                        "tp": t.tp_bonus, "matches": m,
                    });
                    dumped.push_str(&line.to_string());
                    dumped.push('\n');
                }
            }
            if all {
                let e: Vec<String> = c
                    .themes
                    .iter()
                    .map(|t| {
                        format!(
                            "{}:{:.1}:{:.1}:{:.1}",
                            short(&t.id),
                            t.density,
                            t.section.unwrap_or(-1.0),
                            t.parts.title + t.parts.tp
                        )
                    })
                    .collect();
                extra.insert(
                    d.path.clone(),
                    format!(" words={} | {}", c.words, e.join(" ")),
                );
            }
            scores.insert(
                d.path.clone(),
                c.themes.iter().map(|t| (t.id.clone(), t.score)).collect(),
            );
            predictions.insert(
                d.path.clone(),
                Prediction {
                    themes: c
                        .themes
                        .iter()
                        .filter(|t| t.assigned)
                        .map(|t| t.id.clone())
                        .collect(),
                    city: c.city.map(|(c, _)| c),
                    tp: c.tp.iter().copied().collect(),
                },
            );
        }
        if let Some(p) = &dump {
            std::fs::write(p, &dumped).map_err(|e| e.to_string())?;
        }
        let ids: Vec<String> = rules.themes.iter().map(|t| t.id.clone()).collect();
        let e = evaluate(&labels, &predictions, &ids);
        let desc: Vec<String> = run.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let (tp, fp, fn_) = e
            .themes
            .iter()
            .fold((0, 0, 0), |a, t| (a.0 + t.tp, a.1 + t.fp, a.2 + t.fn_));
        let micro = 2.0 * tp as f64 / (2 * tp + fp + fn_).max(1) as f64;
        if sweep.is_some() {
            let per: Vec<String> = e
                .themes
                .iter()
                .map(|t| t.f1.map_or("–".to_string(), |f| format!("{f:.2}")))
                .collect();
            println!(
                "{:<40} macro_f1 {:.3} micro_f1 {micro:.3} errors {}  [{}]  city {:?}",
                desc.join(" "),
                e.macro_f1,
                fp + fn_,
                per.join(" "),
                e.city
            );
            continue;
        }
        for line in e.theme_table() {
            println!("{line}");
        }
        println!("documents {} missing {}", e.documents, e.missing.len());
        if let Some((ok, n)) = e.city {
            println!(
                "city_accuracy {:.3} ({ok}/{n})",
                ok as f64 / n.max(1) as f64
            );
        }
        if let Some((ok, n)) = e.tp {
            println!("tp_accuracy {:.3} ({ok}/{n})", ok as f64 / n.max(1) as f64);
        }
        if let (Some(mi), Some(ma)) = (e.micro_interval, e.macro_interval) {
            println!(
                "interval_95 micro {:.3}-{:.3} macro {:.3}-{:.3}",
                mi.low, mi.high, ma.low, ma.high
            );
        }
        println!("micro_f1 {micro:.3} ({tp} right, {fp} false alarms, {fn_} missed)");
        println!("macro_f1 {:.3}", e.macro_f1);
        if errors {
            for l in &labels {
                let Some(p) = predictions.get(&l.path) else {
                    continue;
                };
                let s = scores.get(&l.path).cloned().unwrap_or_default();
                let fmt = |ids: &std::collections::BTreeSet<String>| {
                    ids.iter().cloned().collect::<Vec<_>>().join(";")
                };
                let city_wrong = l.city.is_some_and(|c| c != p.city);
                if all || p.themes != l.themes || city_wrong {
                    let sc: Vec<String> = s
                        .iter()
                        .map(|(id, x)| format!("{}={x:.1}", short(id)))
                        .collect();
                    println!(
                        "  {}  want [{}] got [{}]  {}{}",
                        l.path,
                        fmt(&l.themes),
                        fmt(&p.themes),
                        sc.join(" "),
                        if city_wrong {
                            format!("  city want {:?} got {:?}", l.city.flatten(), p.city)
                        } else {
                            String::new()
                        }
                    );
                    if all {
                        println!("    {}", extra.get(&l.path).cloned().unwrap_or_default());
                    }
                }
            }
        }
    }
    Ok(())
}

fn apply(rules: &mut Rules, key: &str, value: &str) -> Result<(), String> {
    let num = || value.parse::<f64>().map_err(|e| format!("{key}: {e}"));
    let s = &mut rules.settings;
    match key {
        "threshold" => s.threshold = num()?,
        "share_of_top" => s.share_of_top = num()?,
        "title_weight" => s.title_weight = num()?,
        "heading_weight" => s.heading_weight = num()?,
        "length_pivot" => s.length_pivot = num()?,
        "saturation" => s.saturation = num()?,
        "length_norm" => s.length_norm = num()?,
        "density" => s.density = num()?,
        "density_share" => s.density_share = num()?,
        "density_share_of_top" => s.density_share_of_top = num()?,
        "density_min_words" => s.density_min_words = num()?,
        "long_document" => s.long_document = num()?,
        "section_span" => s.section_span = num()?,
        "section_weight" => s.section_weight = num()?,
        "morphology" => {
            s.morphology = Morphology::parse(value).ok_or(format!("morphology {value}"))?
        }
        _ => return Err(format!("unknown setting {key}")),
    }
    Ok(())
}

fn in_half(path: &str, half: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let group = file.split("__").next().unwrap_or(file);
    // FNV-1a: a fixed, dependency-free hash so that the halves never change.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in group.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h.is_multiple_of(2) == (half == "a")
}

fn read_docs(path: &str) -> Result<Vec<Doc>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut docs = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let s = |x: &serde_json::Value| x.as_str().map(str::to_string);
        let pages: Vec<Page> = serde_json::from_value(v["pages"].clone()).unwrap_or_default();
        docs.push(Doc {
            path: s(&v["path"]).unwrap_or_default(),
            title: s(&v["meta"]["title"]),
            author: s(&v["meta"]["author"]),
            pages,
        });
    }
    Ok(docs)
}

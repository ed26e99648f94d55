//! Compares classification with a labels file (`path,themes,city,tp`), as `kooste eval`
//! reports it: precision, recall and F1 per theme, their micro and macro averages with
//! bootstrap intervals, and accuracy of city and work package where the labels give them.

use kooste_model::{City, TableColumn, ThemeInfo, WorkPackage, means_none};
use kooste_normalize::PathLookup;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, thiserror::Error)]
pub enum LabelsError {
    #[error("line {line}: {message}")]
    Invalid { line: usize, message: String },
    #[error(
        "the labels name themes the rules do not have: {unknown}; the rules' themes are {known}"
    )]
    UnknownThemes { unknown: String, known: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// The line (or row) of the labels file it was read from, for messages.
    pub line: usize,
    pub path: String,
    pub themes: BTreeSet<String>,
    /// `None` when the labels file has no city column; `Some(None)` for "no city".
    pub city: Option<Option<City>>,
    /// A city the label names that is none of the six ("Lahti"): compared as no city, and
    /// kept so that the command can say so (it may be a misspelling).
    pub other_city: Option<String>,
    pub tp: Option<BTreeSet<WorkPackage>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prediction {
    pub themes: BTreeSet<String>,
    pub city: Option<City>,
    pub tp: BTreeSet<WorkPackage>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThemeMetrics {
    pub id: String,
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
    /// `None` where neither the labels nor the predictions give the theme to any document:
    /// there is nothing to agree or disagree on, and the macro average leaves it out.
    pub f1: Option<f64>,
}

impl Evaluation {
    /// The per-theme figures as the lines `eval` prints: a heading, then one line per theme,
    /// an F1 that does not exist shown as `–`.
    pub fn theme_table(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "{:<16} {:>4} {:>4} {:>4} {:>9} {:>7} {:>6}",
            "theme", "tp", "fp", "fn", "precision", "recall", "f1"
        )];
        lines.extend(self.themes.iter().map(|t| {
            format!(
                "{:<16} {:>4} {:>4} {:>4} {:>9.3} {:>7.3} {:>6}",
                t.id,
                t.tp,
                t.fp,
                t.fn_,
                t.precision,
                t.recall,
                t.f1.map_or("–".to_string(), |f| format!("{f:.3}"))
            )
        }));
        lines
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub documents: usize,
    pub themes: Vec<ThemeMetrics>,
    pub macro_f1: f64,
    /// F1 over all (document, theme) decisions together: steadier than the macro average
    /// where a theme has few positives.
    pub micro_f1: f64,
    /// Where micro- and macro-F1 could lie on another sample of documents of the same kind:
    /// 95 % percentile-bootstrap intervals over the labelled documents. `None` for fewer than
    /// ten documents, too few to resample.
    pub micro_interval: Option<Interval>,
    pub macro_interval: Option<Interval>,
    /// (correct, total) over labelled rows with a city column.
    pub city: Option<(usize, usize)>,
    pub tp: Option<(usize, usize)>,
    /// Labelled paths with no prediction (not found on the drive).
    pub missing: Vec<String>,
}

/// The bounds of a 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// Bootstrap resamples behind [`Evaluation::micro_interval`]: enough for steady 2.5 and 97.5
/// percentiles, and cheap (a resample costs one pass over the documents' outcomes).
const RESAMPLES: usize = 1000;

/// One document's outcome for each theme, in the order of the theme ids.
#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Neither,
    Hit,
    FalseAlarm,
    Missed,
}

/// Parses a labels CSV: header `path,themes,city,tp` (city and tp optional, extra columns
/// ignored); themes separated by `;`.
pub fn parse_labels(csv: &str) -> Result<Vec<Label>, LabelsError> {
    let rows = parse_csv(csv).map_err(|(line, message)| LabelsError::Invalid { line, message })?;
    labels_of(rows)
}

/// [`parse_labels`] for the rows of a spreadsheet's first sheet; errors name the row.
pub fn labels_from_rows(rows: Vec<Vec<String>>) -> Result<Vec<Label>, LabelsError> {
    labels_from_rows_at(rows, 0)
}

/// [`labels_from_rows`] for a table whose first row is row `top` (0-based) of its sheet, so
/// that errors name the row the sheet shows.
pub fn labels_from_rows_at(rows: Vec<Vec<String>>, top: u32) -> Result<Vec<Label>, LabelsError> {
    labels_of(
        rows.into_iter()
            .enumerate()
            .map(|(i, r)| (top as usize + i + 1, r))
            .collect(),
    )
}

fn labels_of(rows: Vec<NumberedRow>) -> Result<Vec<Label>, LabelsError> {
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err(LabelsError::Invalid {
            line: 1,
            message: "empty file; expected the header path,themes,city,tp".into(),
        });
    };
    let col = |wanted: TableColumn| {
        header
            .iter()
            .position(|h| TableColumn::named(h) == Some(wanted))
    };
    let path_col = col(TableColumn::Path).ok_or(LabelsError::Invalid {
        line: 1,
        message: "no column named path (or file, tiedosto)".into(),
    })?;
    let themes_col = col(TableColumn::Themes).ok_or(LabelsError::Invalid {
        line: 1,
        message: "no column named themes (or teemat)".into(),
    })?;
    let city_col = col(TableColumn::City);
    let tp_col = col(TableColumn::Tp);
    let mut labels = Vec::new();
    for (line, row) in rows {
        let cell = |c: usize| row.get(c).map(|s| s.trim()).unwrap_or("");
        let path = cell(path_col);
        if path.is_empty() {
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            return Err(LabelsError::Invalid {
                line,
                message: "empty path".into(),
            });
        }
        // Only `;` (or a line break in a spreadsheet's cell) separates themes here: two
        // titles hold commas. resolve_themes splits a part that names no theme at its commas.
        let themes = cell(themes_col)
            .split([';', '\n'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        let (city, other_city) = match city_col.map(cell) {
            None => (None, None),
            Some(given) if means_none(given) => (Some(None), None),
            Some(given) => match City::named(given) {
                Some(city) => (Some(Some(city)), None),
                None => (Some(None), Some(given.to_string())),
            },
        };
        let tp = match tp_col {
            None => None,
            Some(c) => {
                let mut tp = BTreeSet::new();
                for given in split_list(cell(c)).filter(|t| !means_none(t)) {
                    let named = work_packages_named(given);
                    if named.is_empty() {
                        return Err(LabelsError::Invalid {
                            line,
                            message: format!(
                                "unknown work package {given:?}; expected TP1..TP5, as TP2, \
                                 TP 2, Työpaketti 2 or 2"
                            ),
                        });
                    }
                    tp.extend(named);
                }
                Some(tp)
            }
        };
        labels.push(Label {
            line,
            path: path.to_string(),
            themes,
            city,
            other_city,
            tp,
        });
    }
    Ok(labels)
}

/// The work packages a label cell gives: `TP2`, `tp 2`, `Työpaketti 2` (several in one
/// cell too), or the bare number.
fn work_packages_named(given: &str) -> Vec<WorkPackage> {
    match given.trim().parse::<u8>().ok().and_then(WorkPackage::new) {
        Some(wp) => vec![wp],
        None => crate::detect_work_packages(given),
    }
}

/// Gives every label's themes as the rules' ids, read as [`ThemeInfo::named`] reads a
/// person's name for a theme; what [`means_none`] reads as nothing ("none", "ei", a dash)
/// gives no theme. A theme the rules do not have is an error, since ignoring it would skew
/// every figure.
pub fn resolve_themes(labels: &mut [Label], themes: &[ThemeInfo]) -> Result<(), LabelsError> {
    // Each name that fits no theme, or several, with the line it is first on.
    let mut unknown: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
    for label in labels.iter_mut() {
        let mut resolved = BTreeSet::new();
        for given in &label.themes {
            // A title may hold commas; otherwise a comma separates themes.
            let parts: Vec<&str> = if ThemeInfo::named(themes, given).is_some() {
                vec![given.as_str()]
            } else {
                given.split(',').collect()
            };
            for part in parts {
                let part = part.trim();
                if means_none(part) {
                    continue;
                }
                match ThemeInfo::fitting(themes, part).as_slice() {
                    [t] => {
                        resolved.insert(t.id.clone());
                    }
                    fits => {
                        let ids = fits.iter().map(|t| t.id.clone()).collect();
                        unknown.entry(part.to_string()).or_insert((label.line, ids));
                    }
                }
            }
        }
        label.themes = resolved;
    }
    if unknown.is_empty() {
        return Ok(());
    }
    let mut named: Vec<(usize, String)> = unknown
        .into_iter()
        .map(|(name, (line, fits))| {
            let text = if fits.is_empty() {
                format!("{name:?} (line {line})")
            } else {
                format!(
                    "{name:?} (line {line}: the start of {}; write more of it)",
                    fits.join(" and ")
                )
            };
            (line, text)
        })
        .collect();
    named.sort();
    let list = |items: Vec<&str>| items.join(", ");
    Err(LabelsError::UnknownThemes {
        unknown: list(named.iter().map(|(_, t)| t.as_str()).collect()),
        known: list(themes.iter().map(|t| t.id.as_str()).collect()),
    })
}

/// Points each label at the material it names, reading the path as a person wrote it (see
/// [`PathLookup::find`]): another letter case, slashes or Unicode composition, the drive's
/// own folder in front, leading folders or the extension left out where one material fits.
/// Labels that fit no material, or several, keep their path and count as missing. Returns
/// the labels that fit several, each with the materials it fits, so that a person can
/// write more of the path.
pub fn resolve_paths<'a>(
    labels: &mut [Label],
    materials: impl IntoIterator<Item = &'a str>,
) -> Vec<(String, Vec<String>)> {
    let materials: Vec<&str> = materials.into_iter().collect();
    let exact: BTreeSet<&str> = materials.iter().copied().collect();
    let lookup = PathLookup::new(materials.iter().copied());
    let mut ambiguous = Vec::new();
    for label in labels.iter_mut() {
        if exact.contains(label.path.as_str()) {
            continue;
        }
        match lookup.find(&label.path) {
            Ok(i) => {
                if let Some(m) = materials.get(i) {
                    label.path = (*m).to_string();
                }
            }
            Err(fits) if fits.len() > 1 => {
                let names = fits
                    .iter()
                    .filter_map(|&i| materials.get(i).map(|m| m.to_string()))
                    .collect();
                ambiguous.push((label.path.clone(), names));
            }
            Err(_) => {}
        }
    }
    ambiguous
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split([';', ',']).map(str::trim).filter(|t| !t.is_empty())
}

/// Rows of a CSV text (RFC 4180; see [`parse_csv`] for separators), for rules and
/// annotations kept as CSV.
pub fn csv_rows(text: &str) -> Result<Vec<Vec<String>>, LabelsError> {
    parse_csv(text)
        .map(|rows| rows.into_iter().map(|(_, r)| r).collect())
        .map_err(|(line, message)| LabelsError::Invalid { line, message })
}

/// A CSV row with the line it starts on.
type NumberedRow = (usize, Vec<String>);

/// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks. Returns rows
/// with the 1-based line number each starts on. A spreadsheet saved as CSV in a Finnish
/// locale separates fields with `;`, and some tools with tabs: a first line with no comma
/// but a tab or `;` sets that separator. A leading byte-order mark is dropped.
fn parse_csv(text: &str) -> Result<Vec<NumberedRow>, (usize, String)> {
    let text = text.trim_start_matches('\u{feff}');
    let header = text.lines().next().unwrap_or("");
    let separator = if header.contains(',') {
        ','
    } else if header.contains('\t') {
        '\t'
    } else if header.contains(';') {
        ';'
    } else {
        ','
    };
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut row_line = 1;
    let mut chars = text.chars().peekable();
    let mut field_started = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if !field_started => {
                quoted = true;
                field_started = true;
            }
            c if c == separator => {
                row.push(std::mem::take(&mut field));
                field_started = false;
            }
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut row)));
                field_started = false;
                line += 1;
                row_line = line;
            }
            _ => {
                field.push(c);
                field_started = true;
            }
        }
    }
    if quoted {
        return Err((row_line, "unterminated quoted field".into()));
    }
    if field_started || !row.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    Ok(rows)
}

/// Joins the rows that label the same path into one, as a labels file written one row per
/// document and theme has them: the themes and work packages together, the first city
/// given. Otherwise each row would count as a document of its own that misses the other
/// rows' themes. Returns the paths that had more than one row, in the labels' order.
pub fn join_repeated(labels: &mut Vec<Label>) -> Vec<String> {
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    let mut joined: Vec<Label> = Vec::with_capacity(labels.len());
    let mut repeated = Vec::new();
    for label in labels.drain(..) {
        let Some(&at) = first.get(&label.path) else {
            first.insert(label.path.clone(), joined.len());
            joined.push(label);
            continue;
        };
        let Some(kept) = joined.get_mut(at) else {
            continue;
        };
        if !repeated.contains(&label.path) {
            repeated.push(label.path.clone());
        }
        // The rows come from one file, so all have a city column or none do.
        let names_city = |l: &Label| matches!(l.city, Some(Some(_))) || l.other_city.is_some();
        if !names_city(kept) && names_city(&label) {
            kept.city = label.city;
            kept.other_city = label.other_city;
        }
        if let (Some(tp), Some(more)) = (&mut kept.tp, label.tp) {
            tp.extend(more);
        }
        kept.themes.extend(label.themes);
    }
    *labels = joined;
    repeated
}

/// Scores predictions against labels over the given theme ids.
pub fn evaluate(
    labels: &[Label],
    predictions: &BTreeMap<String, Prediction>,
    theme_ids: &[String],
) -> Evaluation {
    let mut city = (0, 0, false);
    let mut tp = (0, 0, false);
    let mut missing = Vec::new();
    let empty = Prediction::default();
    let outcomes = outcome_table(labels, predictions, theme_ids);
    for label in labels {
        let predicted = match predictions.get(&label.path) {
            Some(p) => p,
            None => {
                missing.push(label.path.clone());
                &empty
            }
        };
        if let Some(expected) = label.city {
            city.2 = true;
            city.1 += 1;
            if expected == predicted.city {
                city.0 += 1;
            }
        }
        if let Some(expected) = &label.tp {
            tp.2 = true;
            tp.1 += 1;
            if *expected == predicted.tp {
                tp.0 += 1;
            }
        }
    }
    let mut counts = vec![(0, 0, 0); theme_ids.len()];
    for doc in &outcomes {
        tally(&mut counts, doc);
    }
    let themes: Vec<ThemeMetrics> = theme_ids
        .iter()
        .zip(&counts)
        .map(|(id, &(t_p, f_p, f_n))| {
            let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
            ThemeMetrics {
                id: id.clone(),
                tp: t_p,
                fp: f_p,
                fn_: f_n,
                precision: ratio(t_p, t_p + f_p),
                recall: ratio(t_p, t_p + f_n),
                f1: f1(t_p, f_p, f_n),
            }
        })
        .collect();
    let (micro_f1, macro_f1) = averages(&counts);
    let intervals = bootstrap([&outcomes], theme_ids.len(), |[f1s]| f1s);
    let (micro_interval, macro_interval) = (intervals.map(|i| i.0), intervals.map(|i| i.1));
    Evaluation {
        documents: labels.len(),
        themes,
        macro_f1,
        micro_f1,
        micro_interval,
        macro_interval,
        city: city.2.then_some((city.0, city.1)),
        tp: tp.2.then_some((tp.0, tp.1)),
        missing,
    }
}

/// Per labelled document, its outcome for each theme; a document with no prediction was
/// given no theme.
fn outcome_table(
    labels: &[Label],
    predictions: &BTreeMap<String, Prediction>,
    theme_ids: &[String],
) -> Vec<Vec<Outcome>> {
    let empty = Prediction::default();
    labels
        .iter()
        .map(|label| {
            let predicted = predictions.get(&label.path).unwrap_or(&empty);
            theme_ids
                .iter()
                .map(
                    |id| match (label.themes.contains(id), predicted.themes.contains(id)) {
                        (true, true) => Outcome::Hit,
                        (false, true) => Outcome::FalseAlarm,
                        (true, false) => Outcome::Missed,
                        (false, false) => Outcome::Neither,
                    },
                )
                .collect()
        })
        .collect()
}

/// How much better (above zero) or worse one classification agrees with the labels than
/// another does, on the same documents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// F1 of `b` alone, the predictions compared against.
    pub other_micro_f1: f64,
    pub other_macro_f1: f64,
    /// F1 of `a` minus F1 of `b`.
    pub micro_f1: f64,
    pub macro_f1: f64,
    /// 95 % intervals of the two differences from a paired bootstrap: each resample draws
    /// the same documents for both classifications, so what the documents have in common
    /// cancels out. `None` for fewer than ten documents.
    pub micro_interval: Option<Interval>,
    pub macro_interval: Option<Interval>,
}

/// Compares predictions `a` with predictions `b` on the same labels: F1 of `a` minus F1 of
/// `b`, micro and macro, with paired-bootstrap intervals.
pub fn compare(
    labels: &[Label],
    a: &BTreeMap<String, Prediction>,
    b: &BTreeMap<String, Prediction>,
    theme_ids: &[String],
) -> Comparison {
    let (a, b) = (
        outcome_table(labels, a, theme_ids),
        outcome_table(labels, b, theme_ids),
    );
    let f1s = |table: &[Vec<Outcome>]| {
        let mut counts = vec![(0, 0, 0); theme_ids.len()];
        for doc in table {
            tally(&mut counts, doc);
        }
        averages(&counts)
    };
    let (fa, fb) = (f1s(&a), f1s(&b));
    let intervals = bootstrap([&a, &b], theme_ids.len(), |[x, y]| (x.0 - y.0, x.1 - y.1));
    Comparison {
        other_micro_f1: fb.0,
        other_macro_f1: fb.1,
        micro_f1: fa.0 - fb.0,
        macro_f1: fa.1 - fb.1,
        micro_interval: intervals.map(|i| i.0),
        macro_interval: intervals.map(|i| i.1),
    }
}

fn tally(counts: &mut [(usize, usize, usize)], doc: &[Outcome]) {
    for (c, o) in counts.iter_mut().zip(doc) {
        match o {
            Outcome::Hit => c.0 += 1,
            Outcome::FalseAlarm => c.1 += 1,
            Outcome::Missed => c.2 += 1,
            Outcome::Neither => {}
        }
    }
}

/// F1, or `None` when there are no positives in labels or predictions: a theme nobody gave
/// and nothing predicted says nothing of the classifier, and counting it as perfect (or as
/// failed) would move the macro average by a sixth for no reason.
fn f1(t_p: usize, f_p: usize, f_n: usize) -> Option<f64> {
    (t_p + f_p + f_n > 0).then(|| (2 * t_p) as f64 / (2 * t_p + f_p + f_n) as f64)
}

/// Micro- and macro-F1 of per-theme (hits, false alarms, misses); the macro average is over
/// the themes with an F1, and both are 0 when there is none.
fn averages(counts: &[(usize, usize, usize)]) -> (f64, f64) {
    let (t_p, f_p, f_n) = counts
        .iter()
        .fold((0, 0, 0), |(a, b, c), t| (a + t.0, b + t.1, c + t.2));
    let defined: Vec<f64> = counts.iter().filter_map(|&(a, b, c)| f1(a, b, c)).collect();
    let macro_f1 = if defined.is_empty() {
        0.0
    } else {
        defined.iter().sum::<f64>() / defined.len() as f64
    };
    (f1(t_p, f_p, f_n).unwrap_or(0.0), macro_f1)
}

/// Percentile bootstrap over documents of a statistic of (micro-F1, macro-F1) of each
/// outcome table; with several tables (the same documents classified otherwise), every
/// resample draws the same documents from each. The generator has a fixed seed, so that the
/// same labels and predictions always print the same interval. `None` under ten documents.
fn bootstrap<const K: usize>(
    tables: [&[Vec<Outcome>]; K],
    themes: usize,
    stat: impl Fn([(f64, f64); K]) -> (f64, f64),
) -> Option<(Interval, Interval)> {
    let n = tables.first().map_or(0, |t| t.len());
    if n < 10 {
        return None;
    }
    let mut state: u64 = 0x6b6f_6f73_7465_2021;
    let mut firsts = Vec::with_capacity(RESAMPLES);
    let mut seconds = Vec::with_capacity(RESAMPLES);
    let mut counts = [(); K].map(|_| vec![(0, 0, 0); themes]);
    for _ in 0..RESAMPLES {
        for c in &mut counts {
            c.iter_mut().for_each(|x| *x = (0, 0, 0));
        }
        for _ in 0..n {
            // splitmix64, then a multiply-shift into 0..n.
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            let i = ((u128::from(z) * n as u128) >> 64) as usize;
            for (c, table) in counts.iter_mut().zip(tables) {
                if let Some(doc) = table.get(i) {
                    tally(c, doc);
                }
            }
        }
        let (x, y) = stat(std::array::from_fn(|k| averages(&counts[k])));
        firsts.push(x);
        seconds.push(y);
    }
    Some((percentiles(firsts), percentiles(seconds)))
}

fn percentiles(mut values: Vec<f64>) -> Interval {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let i = ((values.len() as f64 * q).ceil() as usize).saturating_sub(1);
        values.get(i).copied().unwrap_or(0.0)
    };
    Interval {
        low: at(0.025),
        high: at(0.975),
    }
}

/// A labelled document on which the classifier and the label differ: what a person checks
/// first, to correct either the label or the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement<'a> {
    pub path: &'a str,
    /// Themes the label gives and the classifier did not.
    pub missed: Vec<&'a str>,
    /// Themes the classifier gave and the label does not.
    pub extra: Vec<&'a str>,
    /// (label, prediction), when the label names a city and they differ.
    pub city: Option<(Option<City>, Option<City>)>,
    /// The label's city when it is none of the six (see [`Label::other_city`]).
    pub other_city: Option<&'a str>,
    /// (label, prediction), when the label names work packages and they differ.
    pub tp: Option<(&'a BTreeSet<WorkPackage>, &'a BTreeSet<WorkPackage>)>,
}

/// The labelled documents whose themes, city or work packages the predictions get otherwise,
/// in the labels' order. Documents without a prediction are left to
/// [`Evaluation::missing`].
pub fn disagreements<'a>(
    labels: &'a [Label],
    predictions: &'a BTreeMap<String, Prediction>,
) -> Vec<Disagreement<'a>> {
    let mut out = Vec::new();
    for label in labels {
        let Some(p) = predictions.get(&label.path) else {
            continue;
        };
        let d = Disagreement {
            path: &label.path,
            missed: label
                .themes
                .difference(&p.themes)
                .map(String::as_str)
                .collect(),
            extra: p
                .themes
                .difference(&label.themes)
                .map(String::as_str)
                .collect(),
            city: label
                .city
                .filter(|want| *want != p.city)
                .map(|want| (want, p.city)),
            other_city: label.other_city.as_deref(),
            tp: label
                .tp
                .as_ref()
                .filter(|want| **want != p.tp)
                .map(|want| (want, &p.tp)),
        };
        if !d.missed.is_empty() || !d.extra.is_empty() || d.city.is_some() || d.tp.is_some() {
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_fields_and_lists() {
        let csv = "path,themes,city,tp\n\"Helsinki/a, b.pdf\",osallisuus;digitaalisuus,Helsinki,TP2\nx.pdf,,,\n";
        let labels = parse_labels(csv).unwrap_or_default();
        assert_eq!(labels.len(), 2);
        assert_eq!(labels[0].path, "Helsinki/a, b.pdf");
        assert_eq!(labels[0].themes.len(), 2);
        assert_eq!(labels[0].city, Some(Some(City::Helsinki)));
        assert_eq!(labels[1].city, Some(None));
        assert_eq!(labels[1].tp, Some(BTreeSet::new()));
    }

    #[test]
    fn spreadsheet_csv_with_semicolons_or_tabs_and_a_byte_order_mark() {
        for csv in [
            "\u{feff}path;themes;city\nOulu/a.pdf;osallisuus,johtaminen;Oulu\n",
            "path\tthemes\tcity\nOulu/a.pdf\tosallisuus,johtaminen\tOulu\n",
        ] {
            let labels = parse_labels(csv).unwrap_or_default();
            assert_eq!(labels.len(), 1, "{csv:?}");
            assert_eq!(labels[0].path, "Oulu/a.pdf");
            assert_eq!(labels[0].city, Some(Some(City::Oulu)));
            // With ; between fields, a comma separates themes (resolve_themes splits it).
            assert_eq!(
                labels[0].themes.iter().collect::<Vec<_>>(),
                ["osallisuus,johtaminen"]
            );
        }
        assert_eq!(
            csv_rows("theme;term;weight\nosallisuus;\"työpaja; työpajat\";2\n").unwrap_or_default(),
            [
                vec!["theme", "term", "weight"],
                vec!["osallisuus", "työpaja; työpajat", "2"]
            ]
        );
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = parse_labels("path,themes,tp\na.pdf,,TP2\nb.pdf,,TP6\n")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "line 3: unknown work package \"TP6\"; expected TP1..TP5, as TP2, TP 2, \
                 Työpaketti 2 or 2"
            )
        );
        let e = parse_labels("name,themes\n").err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("line 1: no column named path (or file, tiedosto)")
        );
        assert!(parse_labels("path,themes\n\"open,x\n").is_err());
        // Finnish headings name the same columns.
        let labels =
            parse_labels("Tiedosto;Teemat;Kaupunki;Työpaketti\na.pdf;osallisuus;Oulu;TP1\n")
                .unwrap_or_default();
        assert_eq!(labels.len(), 1);
        assert_eq!(labels[0].city, Some(Some(City::Oulu)));
        assert_eq!(labels[0].tp.as_ref().map(BTreeSet::len), Some(1));
    }

    #[test]
    fn cities_and_work_packages_as_people_write_them() {
        let labels = parse_labels(
            "path,themes,city,tp\n\
             a,,Helsingin kaupunki,Työpaketti 5\n\
             b,,espoon,tp 2; TP3\n\
             c,,Åbo stad,4\n\
             d,,City of Oulu,-\n\
             e,,ei,none\n\
             f,,Lahti,\n\
             g,,VANTAA,TP1 ja TP4\n",
        )
        .unwrap_or_default();
        let wp = |n: &[u8]| -> BTreeSet<WorkPackage> {
            n.iter().filter_map(|&n| WorkPackage::new(n)).collect()
        };
        let got: Vec<_> = labels
            .iter()
            .map(|l| {
                (
                    l.path.as_str(),
                    l.city,
                    l.other_city.as_deref(),
                    l.tp.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a", Some(Some(City::Helsinki)), None, Some(wp(&[5]))),
                ("b", Some(Some(City::Espoo)), None, Some(wp(&[2, 3]))),
                ("c", Some(Some(City::Turku)), None, Some(wp(&[4]))),
                ("d", Some(Some(City::Oulu)), None, Some(wp(&[]))),
                ("e", Some(None), None, Some(wp(&[]))),
                // None of the six: compared as no city, and kept to be reported.
                ("f", Some(None), Some("Lahti"), Some(wp(&[]))),
                ("g", Some(Some(City::Vantaa)), None, Some(wp(&[1, 4]))),
            ]
        );
    }

    #[test]
    fn rows_of_one_path_are_one_document() {
        let mut labels = parse_labels(
            "path,themes,city,tp\n\
             a,osallisuus,,TP1\n\
             b,johtaminen,Oulu,\n\
             a,johtaminen,Espoo,TP2\n\
             a,,Turku,\n",
        )
        .unwrap_or_default();
        let repeated = join_repeated(&mut labels);
        assert_eq!(repeated, ["a"]);
        assert_eq!(labels.len(), 2);
        let a = &labels[0];
        let themes: Vec<&str> = a.themes.iter().map(String::as_str).collect();
        assert_eq!(themes, ["johtaminen", "osallisuus"]);
        // The first city given; work packages together.
        assert_eq!(a.city, Some(Some(City::Espoo)));
        let tp: Vec<u8> = a.tp.iter().flatten().map(|w| w.number()).collect();
        assert_eq!(tp, [1, 2]);
        assert_eq!(labels[1].path, "b");
        assert!(join_repeated(&mut labels).is_empty());
    }

    #[test]
    fn metrics_per_theme_and_macro_average() {
        let labels =
            parse_labels("path,themes,city\na,x;y,Oulu\nb,x,\nc,,Turku\n").unwrap_or_default();
        let mut predictions = BTreeMap::new();
        let pred = |themes: &[&str], city: Option<City>| Prediction {
            themes: themes.iter().map(|s| s.to_string()).collect(),
            city,
            tp: BTreeSet::new(),
        };
        predictions.insert("a".to_string(), pred(&["x"], Some(City::Oulu)));
        predictions.insert("b".to_string(), pred(&["x", "y"], None));
        let e = evaluate(&labels, &predictions, &["x".to_string(), "y".to_string()]);
        // x: tp 2; y: fp 1 (b), fn 1 (a); c is missing: counted with no prediction.
        assert_eq!(e.themes[0].f1, Some(1.0));
        assert_eq!((e.themes[1].tp, e.themes[1].fp, e.themes[1].fn_), (0, 1, 1));
        assert_eq!(e.themes[1].f1, Some(0.0));
        assert_eq!(e.macro_f1, 0.5);
        // 2 right, 1 false alarm, 1 missed: 2·2 / (2·2 + 1 + 1).
        assert_eq!(e.micro_f1, 4.0 / 6.0);
        assert_eq!(e.city, Some((2, 3)));
        assert_eq!(e.missing, ["c"]);

        // A theme that neither labels nor predictions give has no F1 and no part in the
        // macro average.
        let three: Vec<String> = ["x", "y", "z"].iter().map(|s| s.to_string()).collect();
        let e3 = evaluate(&labels, &predictions, &three);
        assert_eq!(e3.themes[2].f1, None);
        assert_eq!(e3.macro_f1, 0.5);
        assert_eq!(e3.micro_f1, e.micro_f1);
    }

    /// Labels and predictions for `n` copies of four documents with one hit, one false
    /// alarm and one miss for theme x, and theme y always right.
    fn sample(n: usize) -> (Vec<Label>, BTreeMap<String, Prediction>) {
        let mut csv = String::from("path,themes\n");
        let mut predictions = BTreeMap::new();
        for i in 0..n {
            for (doc, label, predicted) in [
                ("a", "x;y", &["x", "y"][..]),
                ("b", "", &["x"][..]),
                ("c", "x", &[][..]),
                ("d", "y", &["y"][..]),
            ] {
                let path = format!("{doc}{i}");
                csv.push_str(&format!("{path},{label}\n"));
                let themes = predicted.iter().map(|s| s.to_string()).collect();
                predictions.insert(
                    path,
                    Prediction {
                        themes,
                        ..Prediction::default()
                    },
                );
            }
        }
        (parse_labels(&csv).unwrap_or_default(), predictions)
    }

    #[test]
    fn intervals_hold_the_figures_and_narrow_with_more_documents() {
        let ids = ["x".to_string(), "y".to_string()];
        let width = |i: Option<Interval>| i.map_or(f64::NAN, |i| i.high - i.low);
        let (labels, predictions) = sample(5);
        let e = evaluate(&labels, &predictions, &ids);
        // x: 5 hits, 5 false alarms, 5 misses (F1 0.5); y: 10 hits (F1 1).
        assert_eq!((e.micro_f1, e.macro_f1), (30.0 / 40.0, 0.75));
        for (point, interval) in [
            (e.micro_f1, e.micro_interval),
            (e.macro_f1, e.macro_interval),
        ] {
            let Some(i) = interval else {
                panic!("no interval for 20 documents");
            };
            assert!(
                0.0 <= i.low && i.low < point && point < i.high && i.high <= 1.0,
                "{i:?}"
            );
        }
        // The same seed every time: the printed interval does not change from run to run.
        assert_eq!(evaluate(&labels, &predictions, &ids), e);
        let (labels, predictions) = sample(50);
        let more = evaluate(&labels, &predictions, &ids);
        assert_eq!(more.macro_f1, e.macro_f1);
        assert!(width(more.macro_interval) < width(e.macro_interval) / 2.0);
        assert!(width(more.micro_interval) < width(e.micro_interval) / 2.0);
    }

    #[test]
    fn comparison_is_paired_and_signed() {
        let ids = ["x".to_string(), "y".to_string()];
        let (labels, worse) = sample(50);
        // The same documents with the false alarms of x taken back.
        let mut better = worse.clone();
        for (path, p) in better.iter_mut() {
            if path.starts_with('b') {
                p.themes.clear();
            }
        }
        let c = compare(&labels, &better, &worse, &ids);
        let (eb, ew) = (
            evaluate(&labels, &better, &ids),
            evaluate(&labels, &worse, &ids),
        );
        assert_eq!(c.micro_f1, eb.micro_f1 - ew.micro_f1);
        assert_eq!(c.macro_f1, eb.macro_f1 - ew.macro_f1);
        assert_eq!(
            (c.other_micro_f1, c.other_macro_f1),
            (ew.micro_f1, ew.macro_f1)
        );
        // Better on every resample, since every draw of b's copies only removes errors.
        for i in [c.micro_interval, c.macro_interval] {
            let Some(i) = i else {
                panic!("no interval for 200 documents");
            };
            assert!(0.0 < i.low && i.low <= i.high, "{i:?}");
        }
        let back = compare(&labels, &worse, &better, &ids);
        assert_eq!(back.micro_f1, -c.micro_f1);
        assert!(back.micro_interval.is_some_and(|i| i.high < 0.0));
        let same = compare(&labels, &worse, &worse, &ids);
        let zero = Some(Interval {
            low: 0.0,
            high: 0.0,
        });
        assert_eq!((same.micro_f1, same.micro_interval), (0.0, zero));
    }

    #[test]
    fn intervals_of_full_agreement_and_of_too_few_documents() {
        let ids = ["x".to_string()];
        let (labels, mut predictions) = sample(3);
        for p in predictions.values_mut() {
            p.themes.clear();
        }
        for l in &labels {
            if let Some(p) = predictions.get_mut(&l.path) {
                p.themes = l.themes.clone();
            }
        }
        let e = evaluate(&labels, &predictions, &ids);
        let all = Some(Interval {
            low: 1.0,
            high: 1.0,
        });
        assert_eq!((e.micro_interval, e.macro_interval), (all, all));
        let few = evaluate(&labels[..9], &predictions, &ids);
        assert_eq!((few.micro_interval, few.macro_interval), (None, None));
    }

    #[test]
    fn disagreements_name_what_differs() {
        let labels = parse_labels("path,themes,city,tp\na,x;y,Oulu,TP5\nb,x,,\nc,,Turku,\nd,z,,\n")
            .unwrap_or_default();
        let pred = |themes: &[&str], city: Option<City>, tp: &[u8]| Prediction {
            themes: themes.iter().map(|s| s.to_string()).collect(),
            city,
            tp: tp.iter().filter_map(|n| WorkPackage::new(*n)).collect(),
        };
        let mut predictions = BTreeMap::new();
        // a: y missed, city right, TP wrong; b: agrees; c: x extra, city wrong; d: no prediction.
        predictions.insert("a".to_string(), pred(&["x"], Some(City::Oulu), &[4]));
        predictions.insert("b".to_string(), pred(&["x"], None, &[]));
        predictions.insert("c".to_string(), pred(&["x"], Some(City::Espoo), &[]));
        let d = disagreements(&labels, &predictions);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(
            (d[0].path, d[0].missed.clone(), d[0].extra.clone()),
            ("a", vec!["y"], vec![])
        );
        assert_eq!(d[0].city, None);
        let tp4: BTreeSet<WorkPackage> = WorkPackage::new(4).into_iter().collect();
        let tp5: BTreeSet<WorkPackage> = WorkPackage::new(5).into_iter().collect();
        assert_eq!(d[0].tp, Some((&tp5, &tp4)));
        assert_eq!(
            (d[1].path, d[1].missed.clone(), d[1].extra.clone()),
            ("c", vec![], vec!["x"])
        );
        assert_eq!(d[1].city, Some((Some(City::Turku), Some(City::Espoo))));
        assert_eq!(d[1].tp, None);
    }

    fn theme(id: &str, fi: &str, en: &str) -> ThemeInfo {
        ThemeInfo {
            id: id.into(),
            title_fi: fi.into(),
            title_en: en.into(),
        }
    }

    #[test]
    fn label_themes_resolve_to_ids_and_unknown_ones_are_an_error() {
        let themes = [
            theme(
                "digitaalisuus",
                "Digitaalisuus, teknologia, rajapinnat",
                "Digitality, technology, interfaces",
            ),
            theme(
                "osallisuus",
                "Osallisuus ja yhteiskehittäminen",
                "Participation and co-development",
            ),
            theme("johtaminen", "Johtamisjärjestelmä", "Management system"),
        ];
        let mut labels = parse_labels(
            "path,themes\na,Osallisuus;JOHTAMINEN\nb,Johtamisjärjestelmä\nc,none\nd,-;N/A;ei\n\
             e,\"Digitaalisuus, teknologia, rajapinnat\"\nf,\"osallisuus,johtaminen\"\n",
        )
        .unwrap_or_default();
        assert!(resolve_themes(&mut labels, &themes).is_ok());
        let ids: Vec<Vec<&str>> = labels
            .iter()
            .map(|l| l.themes.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            ids,
            [
                vec!["johtaminen", "osallisuus"],
                vec!["johtaminen"],
                vec![],
                vec![],
                vec!["digitaalisuus"],
                vec!["johtaminen", "osallisuus"],
            ]
        );
        let mut labels = parse_labels("path,themes\na,osallisuus;osalisuus\n").unwrap_or_default();
        let err = resolve_themes(&mut labels, &themes)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "the labels name themes the rules do not have: \"osalisuus\" (line 2); the \
                 rules' themes are digitaalisuus, osallisuus, johtaminen"
            )
        );
        // A start of two titles is named with the themes it fits, on the line it is on.
        let mut labels =
            parse_labels("path,themes\na,osallisuus\nb,Digi;johtaminen\nc,Digitaalis\n")
                .unwrap_or_default();
        let two = [
            themes[0].clone(),
            theme("digituki", "Digitaalistuva tuki", "Digital support"),
        ];
        let err = resolve_themes(&mut labels, &two)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "the labels name themes the rules do not have: \"osallisuus\" (line 2), \
                 \"Digi\" (line 3), \"johtaminen\" (line 3), \"Digitaalis\" (line 4: the start of digitaalisuus \
                 and digituki; write more of it); the rules' themes are digitaalisuus, digituki"
            )
        );
    }

    #[test]
    fn label_paths_find_their_material_as_a_person_wrote_them() {
        let materials = [
            "Espoo/Avoimen osallisuuden malli.pdf",
            "Oulu/TP5/raportti.docx",
            "Turku/raportti.docx",
            "Vantaa/Päätös.pdf",
        ];
        let mut labels = parse_labels(
            "path,themes\n\
             ./espoo/avoimen osallisuuden malli.PDF,x\n\
             sharedrive\\Oulu\\TP5\\raportti.docx,x\n\
             TP5/raportti.docx,x\n\
             raportti.docx,x\n\
             Vantaa/Pa\u{308}ätös.pdf,x\n\
             Tampere/puuttuu.pdf,x\n",
        )
        .unwrap_or_default();
        let ambiguous = resolve_paths(&mut labels, materials);
        let paths: Vec<&str> = labels.iter().map(|l| l.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "Espoo/Avoimen osallisuuden malli.pdf",
                "Oulu/TP5/raportti.docx",
                "Oulu/TP5/raportti.docx",
                // Two materials end so: neither is chosen.
                "raportti.docx",
                "Vantaa/Päätös.pdf",
                "Tampere/puuttuu.pdf",
            ]
        );
        // The one that fits two is told apart from the one that fits none.
        assert_eq!(
            ambiguous,
            [(
                "raportti.docx".to_string(),
                vec![
                    "Oulu/TP5/raportti.docx".to_string(),
                    "Turku/raportti.docx".to_string()
                ]
            )]
        );
    }
}

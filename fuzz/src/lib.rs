//! What the fuzz targets share: each feeds libFuzzer's bytes to a production entry point with
//! the production limits.
//!
//! `kooste_extract::extract` contains a parser's panic as `Error::Panic`, which is the
//! intended behaviour for a third-party parser that gives up on a malformed file. libFuzzer's
//! panic hook would abort on those all the same and stop every run at the first known
//! third-party panic, so the hook installed here aborts (a crash for libFuzzer) only for a
//! panic raised in kooste's own code and reports the others once per location on stderr.
//! Aborts that no hook sees (allocation failure, stack overflow) and libFuzzer's memory and
//! time limits are crashes as usual.

use kooste_extract::Limits;
use std::collections::HashSet;
use std::panic::PanicHookInfo;
use std::sync::{Mutex, Once};

static HOOK: Once = Once::new();
static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fn install_hook() {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info: &PanicHookInfo<'_>| {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            if is_own_code(&location) {
                eprintln!("panic in kooste's own code at {location}: {message}");
                std::process::abort();
            }
            let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
            if seen
                .get_or_insert_with(HashSet::new)
                .insert(location.clone())
            {
                eprintln!("contained third-party panic at {location}: {message}");
            }
        }));
    });
}

/// Sources of the workspace's crates, not a dependency from the registry or the standard
/// library (whose panics, such as a capacity overflow, are raised for their caller).
fn is_own_code(location: &str) -> bool {
    location.contains("crates/")
        && !location.contains("/.cargo/registry/")
        && !location.contains("/.cargo/git/")
}

/// Extracts `data` as a file called `name`, as the pipeline's worker does.
pub fn extract(name: &str, data: &[u8]) {
    install_hook();
    let _ = kooste_extract::extract(name, data, &Limits::default().start());
}

/// A word-processing document or a presentation is also searched for the pictures OCR
/// reads where it has no text.
pub fn extract_and_pictures(name: &str, data: &[u8]) {
    extract(name, data);
    let _ = kooste_extract::page_pictures(name, data, &Limits::default().start(), None, |_| Ok(()));
}

/// A spreadsheet is also read as a table of rules or annotations.
pub fn extract_and_table(name: &str, data: &[u8]) {
    extract(name, data);
    let _ = kooste_extract::first_sheet_rows(data, &Limits::default());
}

/// A rules file, as TOML and as a CSV table.
pub fn rules(data: &[u8]) {
    install_hook();
    let text = String::from_utf8_lossy(data);
    let _ = kooste_classify::Rules::from_toml(&text);
    if let Ok(rows) = kooste_classify::csv_rows(&text) {
        let _ = kooste_classify::Rules::from_rows(&rows);
    }
}

/// A labels CSV for the evaluation.
pub fn labels(data: &[u8]) {
    install_hook();
    let _ = kooste_classify::parse_labels(&String::from_utf8_lossy(data));
}

/// An annotations file, as `kooste.toml` and as `kooste-annotations.csv`.
pub fn annotations(data: &[u8]) {
    install_hook();
    let text = String::from_utf8_lossy(data);
    let _ = kooste_annotations::parse_toml(&text, "kooste.toml");
    if let Ok(rows) = kooste_classify::csv_rows(text.trim_start_matches('\u{feff}')) {
        let _ = kooste_annotations::parse_rows(&rows, "kooste-annotations.csv");
    }
}

/// A ZIP archive on the drive: its members listed, and each read member extracted by its
/// name, as the pipeline treats archives.
pub fn archive(data: &[u8]) {
    install_hook();
    let limits = Limits::default();
    if let Ok(archive) = kooste_extract::archive_members(data, &limits) {
        for m in archive.members {
            if let Ok(bytes) = m.bytes {
                let _ = kooste_extract::extract(&m.name, &bytes, &limits.start());
            }
        }
    }
}

/// A saved e-mail message on the drive: extracted, and each attached file extracted by its
/// name, as the pipeline treats messages.
pub fn message(name: &str, data: &[u8]) {
    install_hook();
    let limits = Limits::default();
    let Ok((_, attachments)) =
        kooste_extract::extract_with_attachments(name, data, &limits.start())
    else {
        return;
    };
    for m in attachments {
        if let Ok(bytes) = m.bytes {
            let _ = kooste_extract::extract(&m.name, &bytes, &limits.start());
        }
    }
}

/// Text as extraction delivers it (pages split at form feeds), classified with the default
/// rules: normalisation, the matcher and the scoring on any text.
pub fn classify(data: &[u8]) {
    use std::sync::OnceLock;
    static CLASSIFIER: OnceLock<kooste_classify::Classifier> = OnceLock::new();
    install_hook();
    let classifier = CLASSIFIER
        .get_or_init(|| kooste_classify::Classifier::new(&kooste_classify::Rules::default_rules()));
    let text = String::from_utf8_lossy(data);
    let pages: Vec<kooste_model::Page> = text
        .split('\u{c}')
        .zip(1u32..)
        .map(|(t, n)| kooste_model::Page::new(n, t.to_string()))
        .collect();
    let title = pages
        .first()
        .and_then(|p| p.text.lines().next())
        .map(str::to_string);
    let _ = classifier.classify(&kooste_classify::MaterialText {
        path: "Espoo/TP2/fuzz.txt",
        title: title.as_deref(),
        author: None,
        pages: &pages,
    });
}

/// A sheet of records as written: its name and rows of (kind, text) cells.
type WrittenSheet<'a> = (String, Vec<Vec<(u8, &'a str)>>);
/// A sheet as it should read back: its name and (row, column, text) cells.
type ExpectedSheet = (String, Vec<(u32, u16, String)>);

/// Any text through the workbook writer, as document titles, paths and error messages reach
/// kooste.xlsx: every sheet the writer accepts must be a workbook that reads back with each
/// text cell exactly as written (cut to what a cell holds) and each link's text in place.
///
/// The input is records split at U+001E; a record's first character picks what it becomes:
/// a sheet name, a text cell, a link (target and text), a number, or a new row.
pub fn workbook(data: &[u8]) {
    use calamine::{Data, Reader, Xlsx};
    use kooste_xlsx::{Layout, Properties, Style, Workbook, XlsxError};
    install_hook();
    let text = String::from_utf8_lossy(data);
    let mut sheets: Vec<WrittenSheet<'_>> = Vec::new();
    for record in text.split('\u{1e}') {
        let mut chars = record.chars();
        let op = chars.next().map_or(0, |c| (c as u32 % 5) as u8);
        let rest = chars.as_str();
        match op {
            0 => sheets.push((rest.to_string(), vec![Vec::new()])),
            4 => match sheets.last_mut() {
                Some((_, rows)) => rows.push(Vec::new()),
                None => sheets.push(("Taulukko".to_string(), vec![Vec::new()])),
            },
            _ => {
                if sheets.is_empty() {
                    sheets.push(("Taulukko".to_string(), vec![Vec::new()]));
                }
                if let Some(row) = sheets.last_mut().and_then(|(_, rows)| rows.last_mut()) {
                    row.push((op, rest));
                }
            }
        }
    }
    let mut book = Workbook::new(
        std::io::Cursor::new(Vec::new()),
        Properties {
            title: text.chars().take(40).collect(),
            created: Some("2018-03-13T00:00:00Z".to_string()),
        },
    );
    // What each accepted sheet should read back as: (row, column, text).
    let mut expected: Vec<ExpectedSheet> = Vec::new();
    for (name, rows) in &sheets {
        let widths = [20.0, 40.0];
        let mut sheet = match book.add_sheet(
            name,
            &Layout {
                widths: &widths,
                frozen_rows: 1,
            },
        ) {
            Ok(s) => s,
            Err(XlsxError::SheetName(_)) => continue,
            Err(e) => panic!("add_sheet: {e}"),
        };
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate().take(1_000) {
            let r = r as u32;
            for (c, (op, value)) in row.iter().enumerate().take(100) {
                let c = c as u16;
                let want: String = value.chars().take(kooste_xlsx::MAX_CELL_CHARS).collect();
                match op {
                    1 => {
                        if let Err(e) = sheet.string(r, c, value, Style::Wrap) {
                            panic!("string: {e}");
                        }
                        cells.push((r, c, want));
                    }
                    2 => {
                        let (target, shown) = value.split_once('\u{1f}').unwrap_or((value, value));
                        if let Err(e) = sheet.link(r, c, target, shown) {
                            panic!("link: {e}");
                        }
                        cells.push((
                            r,
                            c,
                            shown.chars().take(kooste_xlsx::MAX_CELL_CHARS).collect(),
                        ));
                    }
                    _ => {
                        let v = value.trim().parse::<f64>().unwrap_or(value.len() as f64);
                        if let Err(e) = sheet.number(r, c, v, Style::Plain) {
                            panic!("number: {e}");
                        }
                    }
                }
            }
        }
        sheet.autofilter(0, rows.len().saturating_sub(1) as u32, 1);
        if let Err(e) = sheet.finish() {
            panic!("finish: {e}");
        }
        expected.push((name.clone(), cells));
    }
    let bytes = match book.finish() {
        Ok(w) => w.into_inner(),
        Err(e) => panic!("finish workbook: {e}"),
    };
    let mut xlsx: Xlsx<_> = match Xlsx::new(std::io::Cursor::new(bytes)) {
        Ok(x) => x,
        Err(e) => panic!("the workbook does not open: {e}"),
    };
    for (name, cells) in expected {
        let range = match xlsx.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => panic!("sheet {name:?}: {e}"),
        };
        for (r, c, want) in cells {
            let got = range.get_value((r, u32::from(c)));
            let same = match got {
                Some(Data::String(s)) => *s == want,
                None | Some(Data::Empty) => want.is_empty(),
                _ => false,
            };
            assert!(same, "{name:?} ({r}, {c}): wrote {want:?}, read {got:?}");
        }
    }
}

//! `kooste.xlsx`: a sheet per theme table, one of the examples, one of every material with
//! its scores, and one of the audit.
//!
//! Every text is written as a string cell, never as a formula, and text that a spreadsheet
//! would take for a formula when retyped or exported (`=`, `+`, `-`, `@`, tab, carriage
//! return at its start) also gets the leading apostrophe, as in `themes.csv`.

use crate::audit::{Audit, AuditRow};
use crate::csv::neutralised;
use crate::escape::archive_file;
use crate::lang::{Lang, Text};
use crate::summary::{QUESTIONS, Summary};
use kooste_model::{CitySource, Index, Material, Stopped, ThemeInfo, View, visit_without_evidence};
use kooste_xlsx::{Layout, Properties, Style, Workbook, XlsxError};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::{Seek, Write};

/// Rows written per sheet; Excel's limit is 1,048,576. A drive that large is read from
/// index.json, and the sheet says so in its last row.
const ROWS_MAX: u32 = 1_000_000;

#[derive(Debug, thiserror::Error)]
#[error("cannot build kooste.xlsx: {0}")]
pub struct XlsxFailed(#[from] XlsxError);

impl From<XlsxFailed> for std::io::Error {
    fn from(e: XlsxFailed) -> Self {
        match e.0 {
            XlsxError::Io(io) => io,
            other => std::io::Error::other(XlsxFailed(other)),
        }
    }
}

/// `kooste.xlsx` as bytes.
pub fn summary_xlsx(
    s: &Summary,
    index: &Index,
    audit: &Audit,
    link_prefix: &str,
) -> Result<Vec<u8>, XlsxFailed> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    write_summary_xlsx(&mut bytes, s, index.view(), audit, link_prefix)?;
    Ok(bytes.into_inner())
}

/// [`summary_xlsx`] written to `w`. Every sheet is streamed row by row into the zip as it
/// is written, and its links are spooled to disk, so the workbook of a large drive is
/// never in memory whole.
pub fn write_summary_xlsx(
    w: impl Write + Seek,
    s: &Summary,
    view: View<'_>,
    audit: &Audit,
    link_prefix: &str,
) -> Result<(), XlsxFailed> {
    let lang = s.lang;
    // The run's own time, so that a re-run with the same time stamp gives the same file.
    let created = view
        .generated
        .get(..19)
        .map(|t| format!("{t}Z"))
        .filter(|_| view.generated.len() >= 19);
    let mut book = Workbook::new(
        w,
        Properties {
            title: cell(&s.title).into_owned(),
            created,
        },
    );
    let mut names: BTreeSet<String> = BTreeSet::new();

    for t in &s.themes {
        // The ids are Finnish words; an English summary names its sheets in English, by the
        // head of the title ("Participation" of "Participation and co-development").
        let base = match lang {
            Lang::Fi => t.id.as_str(),
            Lang::En => title_head(&t.title),
        };
        let name = sheet_name(base, &mut names);
        let widths = [16.0, 60.0, 10.0, 9.0, 8.0, 70.0];
        let mut sheet = book.add_sheet(&name, &layout(&widths, 3))?;
        sheet.string(0, 0, &cell(&t.title), Style::Title)?;
        let headers = [
            lang.text(Text::City),
            lang.text(Text::Material),
            "TP",
            lang.text(Text::Score),
            lang.pick("Käsin", "Manual"),
            lang.text(Text::Path),
        ];
        header(&mut sheet, 2, &headers)?;
        let mut row = 3;
        let total: usize = t.rows.iter().map(|r| r.materials.len()).sum();
        'rows: for r in &t.rows {
            for m in &r.materials {
                if row >= ROWS_MAX {
                    cut_short(
                        &mut sheet,
                        row,
                        total.saturating_sub((row - 3) as usize),
                        lang,
                    )?;
                    break 'rows;
                }
                sheet.string(row, 0, &cell(&r.label), Style::Plain)?;
                link(&mut sheet, row, 1, link_prefix, &m.path, &m.name)?;
                sheet.string(row, 2, &cell(&tps(&m.tp)), Style::Plain)?;
                sheet.number(row, 3, (m.score * 10.0).round() / 10.0, Style::Plain)?;
                if m.manual {
                    sheet.string(row, 4, &cell(lang.text(Text::Manual)), Style::Plain)?;
                }
                sheet.string(row, 5, &cell(&m.path), Style::Plain)?;
                row += 1;
            }
        }
        filter(&mut sheet, 2, row, widths.len());
        sheet.finish()?;
    }

    let name = sheet_name(lang.pick("Esimerkit", "Examples"), &mut names);
    let widths = [28.0, 36.0, 36.0, 12.0, 8.0, 50.0, 50.0, 50.0, 30.0];
    let mut sheet = book.add_sheet(&name, &layout(&widths, 1))?;
    let mut headers = vec![
        lang.text(Text::Theme),
        lang.text(Text::Example),
        lang.text(Text::File),
        lang.text(Text::City),
        "TP",
    ];
    headers.extend(QUESTIONS.iter().map(|q| lang.text(*q)));
    headers.push(lang.text(Text::Automatic));
    header(&mut sheet, 0, &headers)?;
    let mut row = 1;
    for t in &s.themes {
        for e in &t.examples {
            sheet.string(row, 0, &cell(&t.title), Style::Top)?;
            sheet.string(row, 1, &cell(&e.heading), Style::Top)?;
            link(
                &mut sheet,
                row,
                2,
                link_prefix,
                &e.material.path,
                &e.material.file_name,
            )?;
            sheet.string(row, 3, &cell(&e.city), Style::Top)?;
            sheet.string(row, 4, &cell(&tps(&e.material.tp)), Style::Top)?;
            let mut automatic = Vec::new();
            for (i, (q, a)) in QUESTIONS.iter().zip(&e.answers).enumerate() {
                let text: Vec<String> = a.lines.iter().map(|l| format!("• {l}")).collect();
                let col = 5 + i as u16;
                sheet.string(row, col, &cell(&text.join("\n")), Style::Wrap)?;
                if a.automatic {
                    automatic.push(lang.text(*q));
                }
            }
            sheet.string(row, 8, &cell(&automatic.join("; ")), Style::Wrap)?;
            row += 1;
        }
    }
    filter(&mut sheet, 0, row, widths.len());
    sheet.finish()?;

    let name = sheet_name(lang.pick("Materiaalit", "Materials"), &mut names);
    let theme_titles: Vec<String> = view
        .themes
        .iter()
        .map(|t| lang.theme_title(t).to_string())
        .collect();
    let mut widths = vec![
        60.0, 36.0, 40.0, 8.0, 11.0, 12.0, 9.0, 30.0, 9.0, 11.0, 40.0, 8.0, 10.0, 14.0,
    ];
    widths.extend(view.themes.iter().map(|_| 12.0));
    let mut sheet = book.add_sheet(&name, &layout(&widths, 1))?;
    let mut headers: Vec<&str> = vec![
        lang.text(Text::Path),
        lang.text(Text::File),
        lang.text(Text::Title),
        lang.pick("Muoto", "Format"),
        lang.text(Text::City),
        lang.pick("Kaupungin peruste", "City from"),
        "TP",
        lang.text(Text::Themes),
        lang.text(Text::Status),
        lang.pick("Virhe", "Error"),
        lang.pick("Virheilmoitus", "Error message"),
        lang.pick("Sivuja", "Pages"),
        lang.pick("Merkkejä", "Characters"),
        lang.pick("Käsin korjattu", "Corrected by hand"),
    ];
    headers.extend(theme_titles.iter().map(String::as_str));
    header(&mut sheet, 0, &headers)?;
    let mut last = 1;
    let total = view.materials.len();
    let mut row = 0u32;
    // The sheet shows no evidence.
    visit_without_evidence(view.materials, |m| {
        row = row.saturating_add(1);
        let written = match row.cmp(&ROWS_MAX) {
            std::cmp::Ordering::Less => {
                material_row(&mut sheet, row, m, view.themes, lang, link_prefix)
            }
            std::cmp::Ordering::Equal => cut_short(
                &mut sheet,
                row,
                total.saturating_sub((row - 1) as usize),
                lang,
            ),
            // Past the cut: the rest is only counted.
            std::cmp::Ordering::Greater => Ok(()),
        };
        if row < ROWS_MAX {
            last = row + 1;
        }
        written
    })
    .map_err(|stopped| match stopped {
        Stopped::Read(e) => XlsxError::Io(e),
        Stopped::By(e) => e,
    })?;
    filter(&mut sheet, 0, last, widths.len());
    sheet.finish()?;

    let name = sheet_name(lang.text(Text::Audit), &mut names);
    let widths = [26.0, 70.0, 70.0];
    let mut sheet = book.add_sheet(&name, &layout(&widths, 1))?;
    header(
        &mut sheet,
        0,
        &[
            lang.pick("Luokka", "Category"),
            lang.text(Text::Path),
            lang.pick("Lisätieto", "Detail"),
        ],
    )?;
    let mut row = 1;
    let total = audit.row_count();
    audit.each_row(
        lang,
        |AuditRow {
             category,
             path,
             detail,
         }| {
            // Past the cut the rest is only counted, once.
            match row.cmp(&ROWS_MAX) {
                std::cmp::Ordering::Less => {
                    sheet.string(row, 0, &cell(&category), Style::Plain)?;
                    sheet.string(row, 1, &cell(path), Style::Plain)?;
                    sheet.string(row, 2, &cell(&detail), Style::Plain)?;
                }
                std::cmp::Ordering::Equal => cut_short(
                    &mut sheet,
                    row,
                    total.saturating_sub((row - 1) as usize),
                    lang,
                )?,
                std::cmp::Ordering::Greater => return Ok(()),
            }
            row += 1;
            Ok::<(), XlsxError>(())
        },
    )?;
    let row = row.min(ROWS_MAX);
    filter(&mut sheet, 0, row, widths.len());
    sheet.finish()?;

    book.finish()?;
    Ok(())
}

type Sheet<'a, W> = kooste_xlsx::Sheet<'a, W>;

fn material_row<W: Write + Seek>(
    sheet: &mut Sheet<'_, W>,
    row: u32,
    m: &Material,
    themes: &[ThemeInfo],
    lang: Lang,
    link_prefix: &str,
) -> Result<(), XlsxError> {
    link(sheet, row, 0, link_prefix, &m.path, &m.path)?;
    let mut col = 1u16..;
    let mut next = || col.next().unwrap_or(u16::MAX);
    let text =
        |sheet: &mut Sheet<'_, W>, at: u16, t: &str| sheet.string(row, at, &cell(t), Style::Plain);
    text(sheet, next(), m.file_name())?;
    text(sheet, next(), &m.title)?;
    text(sheet, next(), m.format.as_str())?;
    text(sheet, next(), m.city.map_or("", |c| c.name()))?;
    let source = m.city_source.map_or("", |s| match s {
        CitySource::Folder => lang.pick("kansio", "folder"),
        CitySource::FileName => lang.pick("tiedostonimi", "file name"),
        CitySource::Metadata => lang.pick("metatiedot", "metadata"),
        CitySource::Text => lang.pick("teksti", "text"),
        CitySource::Manual => lang.pick("käsin", "manual"),
    });
    text(sheet, next(), source)?;
    text(sheet, next(), &tps(&m.tp))?;
    let ids: Vec<&str> = m.themes.iter().map(|t| t.id.as_str()).collect();
    text(sheet, next(), &ids.join("; "))?;
    text(sheet, next(), lang.status(m.status))?;
    let (kind, message) = m
        .error
        .as_ref()
        .map_or(("", ""), |e| (e.kind.as_str(), e.message.as_str()));
    text(sheet, next(), kind)?;
    text(sheet, next(), message)?;
    sheet.number(row, next(), f64::from(m.pages), Style::Plain)?;
    sheet.number(row, next(), m.chars as f64, Style::Plain)?;
    text(sheet, next(), &m.manual.join(", "))?;
    for t in themes {
        let at = next();
        let score = m
            .themes
            .iter()
            .find(|s| s.id == t.id)
            .map(|s| s.score)
            .or_else(|| m.scores.get(&t.id).copied());
        if let Some(v) = score {
            sheet.number(row, at, v, Style::Plain)?;
        }
    }
    Ok(())
}

/// The last row of a sheet that could not hold everything.
fn cut_short<W: Write + Seek>(
    sheet: &mut Sheet<'_, W>,
    row: u32,
    left: usize,
    lang: Lang,
) -> Result<(), XlsxError> {
    let note = match lang {
        Lang::Fi => format!("… ja {left} riviä lisää: katso index.json"),
        Lang::En => format!("… and {left} more rows: see index.json"),
    };
    sheet.string(row, 0, &note, Style::Plain)
}

/// Document text as cell text: formula-like starts neutralised, clipped to what a cell holds.
/// A cell's text, never read as a formula. Text longer than a cell holds is cut by the
/// writer, at Excel's limit.
fn cell(text: &str) -> Cow<'_, str> {
    neutralised(text)
}

fn tps(tp: &[kooste_model::WorkPackage]) -> String {
    tp.iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A cell that opens the material: a link relative to the output folder (or absolute,
/// when no relative way was found) when Excel can hold it, else the text alone.
fn link<W: Write + Seek>(
    sheet: &mut Sheet<'_, W>,
    row: u32,
    col: u16,
    link_prefix: &str,
    path: &str,
    text: &str,
) -> Result<(), XlsxError> {
    // An absolute prefix (when no relative way from the output folder was found) opens as
    // a file URL; a relative one is stored as it is, as spreadsheets store relative links.
    let target = if link_prefix.starts_with('/') {
        format!("file://{link_prefix}{}", archive_file(path))
    } else {
        format!("{link_prefix}{}", archive_file(path))
    };
    sheet.link(row, col, &target, &cell(text))?;
    Ok(())
}

fn header<W: Write + Seek>(
    sheet: &mut Sheet<'_, W>,
    row: u32,
    headers: &[&str],
) -> Result<(), XlsxError> {
    for (text, col) in headers.iter().zip(0u16..) {
        sheet.string(row, col, text, Style::Bold)?;
    }
    Ok(())
}

/// Column widths and the header kept in view.
fn layout(widths: &[f64], frozen_rows: u32) -> Layout<'_> {
    Layout {
        widths,
        frozen_rows,
    }
}

/// A filter on the header row when rows follow it.
fn filter<W: Write + Seek>(
    sheet: &mut Sheet<'_, W>,
    header_row: u32,
    end_row: u32,
    columns: usize,
) {
    let last_col = u16::try_from(columns.saturating_sub(1)).unwrap_or(0);
    if end_row > header_row + 1 {
        sheet.autofilter(header_row, end_row - 1, last_col);
    }
}

/// A title up to its first comma or " and ": short enough for a sheet's tab.
fn title_head(title: &str) -> &str {
    let end = [title.find(','), title.find(" and ")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(title.len());
    title.get(..end).unwrap_or(title).trim()
}

/// A sheet name Excel accepts (at most 31 characters, none of `[]:*?/\`, not quoted), unique
/// in the workbook, from a theme id or a fixed name: "osallisuus" → "Osallisuus".
fn sheet_name(base: &str, taken: &mut BTreeSet<String>) -> String {
    let cleaned: String = base
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') && !c.is_control())
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim();
    let mut chars = cleaned.chars();
    let mut name: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).take(25).collect(),
        None => "Taulukko".to_string(),
    };
    if name.eq_ignore_ascii_case("history") {
        name.push('_');
    }
    let mut candidate = name.clone();
    let mut n = 2;
    while taken.contains(&candidate.to_lowercase()) {
        candidate = format!("{name} {n}");
        n += 1;
    }
    taken.insert(candidate.to_lowercase());
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_sheets_are_named_by_the_head_of_the_title() {
        assert_eq!(
            title_head("Participation and co-development"),
            "Participation"
        );
        assert_eq!(
            title_head("Digitality, technology, interfaces"),
            "Digitality"
        );
        assert_eq!(title_head("Management system"), "Management system");
        assert_eq!(
            title_head("Customer data, insight, segmentation and data use"),
            "Customer data"
        );
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(sheet_name("osallisuus", &mut taken), "Osallisuus");
        assert_eq!(sheet_name("Osallisuus", &mut taken), "Osallisuus 2");
        let long = sheet_name(
            "a/b:c*d?e[f]g\\h-with-a-name-far-too-long-for-excel",
            &mut taken,
        );
        assert!(long.chars().count() <= 31, "{long}");
        assert!(!long.contains(['/', ':', '*', '?', '[', ']', '\\']));
        assert_eq!(sheet_name("''", &mut taken), "Taulukko");
        assert_eq!(sheet_name("History", &mut taken), "History_");
    }

    #[test]
    fn cells_neutralise_formulas() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("@import"), "'@import");
    }

    #[test]
    fn archive_members_open_their_archive() {
        assert_eq!(archive_file("a/p.ZIP/x/y.pdf"), "a/p.ZIP");
        assert_eq!(archive_file("a/p.pdf"), "a/p.pdf");
        assert_eq!(archive_file("a/p.zip"), "a/p.zip");
        assert_eq!(archive_file("a/p.zipx/y.pdf"), "a/p.zipx/y.pdf");
        // A letter whose lower case is longer than itself comes before the archive: the
        // cut is still at the archive's name (it once fell one byte late, into the member).
        assert_eq!(archive_file("İzmir/p.zip/y.pdf"), "İzmir/p.zip");
        assert_eq!(archive_file("p.zip/q.zip/y.pdf"), "p.zip");
    }
}

//! Reading annotations from `kooste.toml` and from table rows (a spreadsheet or CSV).

use crate::{Annotation, Annotations, AnnotationsError, ExampleChoice, SummarySettings, lines};
use kooste_model::{City, TableColumn, WorkPackage, heading_key, means_none};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default, alias = "kooste")]
    summary: RawSummary,
    #[serde(default, alias = "materiaali")]
    material: Vec<RawMaterial>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSummary {
    #[serde(alias = "otsikko")]
    title: Option<String>,
    #[serde(alias = "alaotsikko")]
    subtitle: Option<String>,
    #[serde(alias = "alustus")]
    intro: Option<OneOrMany>,
    #[serde(alias = "esimerkkejä")]
    examples: Option<i64>,
    #[serde(alias = "lisätietoja")]
    contacts: Option<OneOrMany>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaterial {
    #[serde(alias = "tiedosto")]
    file: String,
    #[serde(alias = "otsikko")]
    title: Option<String>,
    #[serde(alias = "teemat")]
    themes: Option<OneOrMany>,
    #[serde(alias = "kaupunki")]
    city: Option<String>,
    #[serde(alias = "työpaketti")]
    tp: Option<OneOrMany>,
    #[serde(alias = "esimerkki")]
    example: Option<RawExample>,
    #[serde(alias = "miksi")]
    why: Option<OneOrMany>,
    #[serde(alias = "johtaminen")]
    leadership: Option<OneOrMany>,
    #[serde(alias = "yritykset")]
    business: Option<OneOrMany>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawExample {
    Flag(bool),
    One(String),
    Many(Vec<String>),
}

/// Parses `kooste.toml`. Syntax errors and unknown keys are errors (a misspelt key would
/// otherwise be silently ignored); values that cannot be understood become warnings.
pub fn parse_toml(text: &str, file_name: &str) -> Result<Annotations, AnnotationsError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| AnnotationsError::Invalid {
        file: file_name.to_string(),
        message: e.to_string().trim().to_string(),
    })?;
    let mut out = Annotations {
        sources: vec![file_name.to_string()],
        ..Annotations::default()
    };
    let s = raw.summary;
    let examples = match s.examples {
        Some(n) if n >= 0 => Some(usize::try_from(n).unwrap_or(usize::MAX)),
        Some(n) => {
            out.warnings.push(format!(
                "{file_name}: [summary] examples = {n} is negative; the default is used"
            ));
            None
        }
        None => None,
    };
    out.summary = SummarySettings {
        title: s.title.filter(|t| !t.trim().is_empty()),
        subtitle: s.subtitle.filter(|t| !t.trim().is_empty()),
        intro: s.intro.map(|i| lines(&i.into_vec())),
        examples,
        contacts: s.contacts.map(|c| lines(&c.into_vec())).unwrap_or_default(),
    };
    for (n, m) in raw.material.into_iter().enumerate() {
        let origin = format!("{file_name}, [[material]] {}", n + 1);
        if m.file.trim().is_empty() {
            out.warnings
                .push(format!("{origin}: no file named; the entry is ignored"));
            continue;
        }
        let mut a = Annotation {
            file: m.file.trim().to_string(),
            title: m
                .title
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
            themes: m.themes.map(|t| list(&t.into_vec().join(";"))),
            why: lines(&m.why.map(OneOrMany::into_vec).unwrap_or_default()),
            leadership: lines(&m.leadership.map(OneOrMany::into_vec).unwrap_or_default()),
            business: lines(&m.business.map(OneOrMany::into_vec).unwrap_or_default()),
            ..Annotation::default()
        };
        if let Some(city) = m.city {
            a.city = city_value(&city, &origin, &mut out.warnings);
        }
        if let Some(tp) = m.tp {
            a.tp = tp_value(&tp.into_vec().join(";"), &origin, &mut out.warnings);
        }
        a.example = match m.example {
            None => None,
            Some(RawExample::Flag(true)) => Some(ExampleChoice::Pin(Vec::new())),
            Some(RawExample::Flag(false)) => Some(ExampleChoice::Exclude),
            Some(RawExample::One(s)) => example_value(&s),
            Some(RawExample::Many(v)) => Some(ExampleChoice::Pin(list(&v.join(";")))),
        };
        a.origin = origin;
        out.materials.push(a);
    }
    Ok(out)
}

/// The columns a table may have, with the names people may give them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    File,
    Why,
    Leadership,
    Business,
    Example,
    Themes,
    City,
    Tp,
    Title,
}

fn column(header: &str) -> Option<Column> {
    if let Some(shared) = TableColumn::named(header) {
        return Some(match shared {
            TableColumn::Path => Column::File,
            TableColumn::Themes => Column::Themes,
            TableColumn::City => Column::City,
            TableColumn::Tp => Column::Tp,
        });
    }
    Some(match heading_key(header).as_str() {
        "why" | "miksi" | "miksi hyvä esimerkki" | "why a good example" => Column::Why,
        "leadership"
        | "management"
        | "johtaminen"
        | "miten voitaisiin käyttää johtamisessa"
        | "how it could be used in management" => Column::Leadership,
        "business"
        | "yritykset"
        | "miksi yritykset voisivat hyötyä"
        | "why companies could benefit" => Column::Business,
        "example" | "esimerkki" => Column::Example,
        "title" | "otsikko" | "nimi" => Column::Title,
        _ => return None,
    })
}

/// Parses the rows of an annotations table: a header row, then one material per row.
pub fn parse_rows(rows: &[Vec<String>], file_name: &str) -> Result<Annotations, AnnotationsError> {
    parse_rows_at(rows, file_name, 0)
}

/// [`parse_rows`] for a table whose first row is row `top` (0-based) of its sheet, so that
/// notes name the rows the sheet shows.
pub fn parse_rows_at(
    rows: &[Vec<String>],
    file_name: &str,
    top: u32,
) -> Result<Annotations, AnnotationsError> {
    let mut out = Annotations {
        sources: vec![file_name.to_string()],
        ..Annotations::default()
    };
    let is_blank = |r: &Vec<String>| r.iter().all(|c| c.trim().is_empty());
    let Some(header_at) = rows.iter().position(|r| !is_blank(r)) else {
        return Ok(out);
    };
    let header: Vec<Option<Column>> = rows
        .get(header_at)
        .map(|r| r.iter().map(|h| column(h)).collect())
        .unwrap_or_default();
    if !header.contains(&Some(Column::File)) {
        return Err(AnnotationsError::Invalid {
            file: file_name.to_string(),
            message: "the first row must name the columns, one of them `file` (or `tiedosto`)"
                .to_string(),
        });
    }
    if let Some(r) = rows.get(header_at) {
        for (h, c) in r.iter().zip(&header) {
            if c.is_none() && !h.trim().is_empty() {
                out.warnings.push(format!(
                    "{file_name}: column {:?} is not one kooste reads; it is ignored",
                    h.trim()
                ));
            }
        }
    }
    for (i, row) in rows.iter().enumerate().skip(header_at + 1) {
        if is_blank(row) {
            continue;
        }
        let origin = format!("{file_name}, row {}", top as usize + i + 1);
        let cell = |col: Column| -> Option<&str> {
            header
                .iter()
                .position(|c| *c == Some(col))
                .and_then(|at| row.get(at))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let Some(file) = cell(Column::File) else {
            out.warnings
                .push(format!("{origin}: no file named; the row is ignored"));
            continue;
        };
        let mut a = Annotation {
            file: file.to_string(),
            title: cell(Column::Title).map(str::to_string),
            themes: cell(Column::Themes).map(list),
            why: lines(
                &cell(Column::Why)
                    .map(str::to_string)
                    .into_iter()
                    .collect::<Vec<_>>(),
            ),
            leadership: lines(
                &cell(Column::Leadership)
                    .map(str::to_string)
                    .into_iter()
                    .collect::<Vec<_>>(),
            ),
            business: lines(
                &cell(Column::Business)
                    .map(str::to_string)
                    .into_iter()
                    .collect::<Vec<_>>(),
            ),
            example: cell(Column::Example).and_then(example_value),
            ..Annotation::default()
        };
        if let Some(city) = cell(Column::City) {
            a.city = city_value(city, &origin, &mut out.warnings);
        }
        if let Some(tp) = cell(Column::Tp) {
            a.tp = tp_value(tp, &origin, &mut out.warnings);
        }
        a.origin = origin;
        out.materials.push(a);
    }
    Ok(out)
}

/// Items of a list written in one cell or string: separated by `;`, `,` or line breaks.
fn list(value: &str) -> Vec<String> {
    if means_none(value) {
        return Vec::new();
    }
    value
        .split([';', ',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn city_value(value: &str, origin: &str, warnings: &mut Vec<String>) -> Option<Option<City>> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if means_none(v) {
        return Some(None);
    }
    match City::named(v) {
        Some(c) => Some(Some(c)),
        None => {
            warnings.push(format!(
                "{origin}: unknown city {v:?}; expected one of Espoo, Helsinki, Oulu, Tampere, \
                 Turku, Vantaa; the city is left as the rules set it"
            ));
            None
        }
    }
}

fn tp_value(value: &str, origin: &str, warnings: &mut Vec<String>) -> Option<Vec<WorkPackage>> {
    if value.trim().is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for item in list(value) {
        let parsed = item
            .parse::<WorkPackage>()
            .ok()
            .or_else(|| item.parse::<u8>().ok().and_then(WorkPackage::new));
        match parsed {
            Some(wp) => out.push(wp),
            None => {
                warnings.push(format!(
                    "{origin}: work package {item:?} is not one of TP1..TP5; the work packages are left as the rules set them"
                ));
                return None;
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// "kyllä"/"yes" pins, "ei"/"no" excludes, anything else names the themes to pin it in.
fn example_value(value: &str) -> Option<ExampleChoice> {
    let v = value.trim().to_lowercase();
    match v.as_str() {
        "" => None,
        "kyllä" | "yes" | "x" | "1" | "true" | "tosi" => Some(ExampleChoice::Pin(Vec::new())),
        "ei" | "no" | "0" | "false" | "epätosi" | "-" | "–" => Some(ExampleChoice::Exclude),
        _ => Some(ExampleChoice::Pin(list(value))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[summary]
title = "Kooste esimerkeistä 6Aika AOA yhteenvetoa varten"
intro = ["Taulukoihin on listattu hankkeen materiaaleja", "Lisäksi esimerkkejä"]
examples = 2

[[material]]
file = "Oulu/Työpaketti 5_Monituottajuuteen perustuva toimintamalli.pdf"
example = ["monitoimijuus"]
why = "Kuvaa monituottajuuden toteuttamisen alustatalouden näkökulmasta"
leadership = ["Kaupungin roolin miettiminen", "Tarvearvioinnin tukena"]
business = """
- Yrityksille koituvien hyötyjen sanoittaminen
"""
city = "oulu"
tp = "TP5"

[[material]]
file = "luonnos.docx"
example = false
themes = "-"
city = "yhteinen"
"#;

    #[test]
    fn toml_gives_summary_settings_and_materials() {
        let a = parse_toml(SAMPLE, "kooste.toml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            a.summary.title.as_deref(),
            Some("Kooste esimerkeistä 6Aika AOA yhteenvetoa varten")
        );
        assert_eq!(a.summary.intro.as_ref().map(Vec::len), Some(2));
        assert_eq!(a.summary.examples, Some(2));
        assert_eq!(a.materials.len(), 2);
        let first = &a.materials[0];
        assert_eq!(
            first.example,
            Some(ExampleChoice::Pin(vec!["monitoimijuus".into()]))
        );
        assert_eq!(first.leadership.len(), 2);
        assert_eq!(
            first.business,
            ["Yrityksille koituvien hyötyjen sanoittaminen"]
        );
        assert_eq!(first.city, Some(Some(City::Oulu)));
        assert_eq!(
            first.tp,
            Some(vec![WorkPackage::new(5).unwrap_or_else(|| unreachable!())])
        );
        assert_eq!(first.origin, "kooste.toml, [[material]] 1");
        let second = &a.materials[1];
        assert_eq!(second.example, Some(ExampleChoice::Exclude));
        assert_eq!(second.themes, Some(vec![]));
        assert_eq!(second.city, Some(None));
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    }

    #[test]
    fn the_documented_example_file_parses_cleanly() {
        let a = parse_toml(include_str!("../kooste.example.toml"), "kooste.toml")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        assert_eq!(a.summary.intro.as_ref().map(Vec::len), Some(3));
        assert_eq!(a.summary.contacts.len(), 1);
        assert_eq!(a.materials.len(), 3);
        assert_eq!(a.materials[1].city, Some(Some(City::Helsinki)));
        assert_eq!(a.materials[2].example, Some(ExampleChoice::Exclude));
    }

    #[test]
    fn misspelt_keys_and_bad_syntax_are_errors() {
        let e = parse_toml(
            "[[material]]\nfile = \"x\"\nleadrship = \"y\"\n",
            "kooste.toml",
        );
        assert!(
            matches!(&e, Err(AnnotationsError::Invalid { message, .. }) if message.contains("leadrship")),
            "{e:?}"
        );
        assert!(parse_toml("[[material]\nfile=", "kooste.toml").is_err());
    }

    #[test]
    fn finnish_keys_are_accepted() {
        let a = parse_toml(
            "[[materiaali]]\ntiedosto = \"x.pdf\"\nmiksi = \"Hyvä\"\nkaupunki = \"Turku\"\n",
            "kooste.toml",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.materials[0].why, ["Hyvä"]);
        assert_eq!(a.materials[0].city, Some(Some(City::Turku)));
    }

    #[test]
    fn bad_values_are_warnings_not_corrections() {
        let a = parse_toml(
            "[[material]]\nfile = \"x.pdf\"\ncity = \"Lahti\"\ntp = \"TP9\"\n",
            "kooste.toml",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.materials[0].city, None);
        assert_eq!(a.materials[0].tp, None);
        assert_eq!(a.warnings.len(), 2, "{:?}", a.warnings);
        assert!(a.warnings[0].contains("Lahti"));
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn table_rows_map_by_header_in_any_order() {
        let rows = vec![
            row(&["", "", ""]),
            row(&[
                "Miksi hyvä esimerkki",
                "Tiedosto",
                "Business",
                "Huomio",
                "Esimerkki",
                "TP",
            ]),
            row(&[
                "Konkretisoi\nRohkaisee kokeiluihin",
                "a/malli.pptx",
                "Verkostoituminen",
                "x",
                "kyllä",
                "2; tp 3",
            ]),
            row(&["", "", "", "", "", ""]),
            row(&["Ilman tiedostoa", "", "", "", "", ""]),
            row(&["", "b.pdf", "", "", "ei", ""]),
        ];
        let a = parse_rows(&rows, "kooste-annotations.xlsx").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.materials.len(), 2);
        let m = &a.materials[0];
        assert_eq!(m.file, "a/malli.pptx");
        assert_eq!(m.why, ["Konkretisoi", "Rohkaisee kokeiluihin"]);
        assert_eq!(m.business, ["Verkostoituminen"]);
        assert_eq!(m.example, Some(ExampleChoice::Pin(vec![])));
        assert_eq!(
            m.tp.as_ref()
                .map(|t| t.iter().map(|w| w.number()).collect::<Vec<_>>()),
            Some(vec![2, 3])
        );
        assert_eq!(m.origin, "kooste-annotations.xlsx, row 3");
        assert_eq!(a.materials[1].example, Some(ExampleChoice::Exclude));
        // The unknown column and the row without a file are reported.
        assert_eq!(a.warnings.len(), 2, "{:?}", a.warnings);
        // The same table four rows down its sheet: the rows are named as the sheet shows.
        let lower =
            parse_rows_at(&rows, "kooste-annotations.xlsx", 4).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(lower.materials[0].origin, "kooste-annotations.xlsx, row 7");
    }

    #[test]
    fn a_table_without_a_file_column_is_an_error() {
        let rows = vec![row(&["why", "business"]), row(&["a", "b"])];
        assert!(parse_rows(&rows, "t.csv").is_err());
        assert_eq!(
            parse_rows(&[], "t.csv").map(|a| a.materials.len()).ok(),
            Some(0)
        );
    }
}

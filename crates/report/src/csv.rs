//! `themes.csv`: one row per material and assigned theme, safe to open in a spreadsheet.

use kooste_model::{Index, View};
use std::borrow::Cow;
use std::io::Write;

/// A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
/// return at its start, also after leading spaces, which some spreadsheets skip) gets a
/// leading apostrophe, the convention spreadsheets show as text.
pub fn neutralise_formula(value: &str) -> String {
    neutralised(value).into_owned()
}

/// [`neutralise_formula`], borrowing the value when it needs nothing: a workbook has tens
/// of thousands of cells.
pub(crate) fn neutralised(value: &str) -> Cow<'_, str> {
    const STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
    if value.starts_with(STARTS) || value.trim_start_matches(' ').starts_with(STARTS) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// RFC 4180 quoting of one field, after formula neutralisation.
fn field(value: &str) -> String {
    let v = neutralised(value);
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.into_owned()
    }
}

/// The SPEC's columns first; `corrected` (added) lists the material's fields a person set
/// in the annotations, such as `city;tp`.
pub fn themes_csv(index: &Index) -> String {
    let mut bytes = Vec::new();
    // Writing into memory does not fail.
    let _ = write_themes_csv(&mut bytes, index.view());
    String::from_utf8(bytes).unwrap_or_default()
}

/// [`themes_csv`] written to `w` as the materials are read.
pub fn write_themes_csv(w: &mut dyn Write, view: View<'_>) -> std::io::Result<()> {
    w.write_all(b"path,title,city,tp,theme,score,manual,terms,corrected\n")?;
    let mut out = String::new();
    view.materials.each(&mut |m| {
        out.clear();
        for t in &m.themes {
            let tp: Vec<String> = m.tp.iter().map(|w| w.to_string()).collect();
            let terms: Vec<String> = t
                .terms
                .iter()
                .map(|c| format!("{}:{}", c.term, c.count))
                .collect();
            let row = [
                field(&m.path),
                field(&m.title),
                field(m.city.map(|c| c.name()).unwrap_or("")),
                field(&tp.join(";")),
                field(&t.id),
                format!("{:.3}", t.score),
                if t.manual { "1" } else { "0" }.to_string(),
                field(&terms.join(";")),
                field(&m.manual.join(";")),
            ];
            out.push_str(&row.join(","));
            out.push('\n');
        }
        w.write_all(out.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() {
        for bad in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "  =1+1",
        ] {
            assert!(neutralise_formula(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralise_formula("Malli v1.0"), "Malli v1.0");
    }

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("sanoi \"hei\""), "\"sanoi \"\"hei\"\"\"");
        assert_eq!(field("=1,2"), "\"'=1,2\"");
    }
}

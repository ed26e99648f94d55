//! How people write the project's names in the tables they keep (labels, annotations): the
//! columns' headings and the cells that say "nothing".

/// A cell or value that gives no theme, city or work package, as people write that in labels
/// and annotations: empty, a dash, "none", "n/a", "ei" (no), "joint" and "yhteinen" (joint
/// material belongs to no city).
pub fn means_none(value: &str) -> bool {
    matches!(
        value.trim().to_lowercase().as_str(),
        "" | "-"
            | "–"
            | "—"
            | "none"
            | "n/a"
            | "ei"
            | "ei mitään"
            | "ei kaupunkia"
            | "yhteinen"
            | "joint"
    )
}

/// A column that labels and annotations tables share, by the heading people give it in
/// English or Finnish, in any letter case, with a trailing colon or question mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableColumn {
    /// The material's path on the drive.
    Path,
    Themes,
    City,
    Tp,
}

/// A column's heading as compared with the names a table may give it: trimmed, in lower
/// case, without a trailing colon or question mark ("Miksi?", "Tiedosto:").
pub fn heading_key(heading: &str) -> String {
    heading
        .trim()
        .trim_end_matches([':', '?'])
        .trim()
        .to_lowercase()
}

impl TableColumn {
    pub fn named(heading: &str) -> Option<TableColumn> {
        Some(match heading_key(heading).as_str() {
            "path" | "file" | "polku" | "tiedosto" => TableColumn::Path,
            "themes" | "theme" | "teemat" | "teema" => TableColumn::Themes,
            "city" | "kaupunki" => TableColumn::City,
            "tp" | "työpaketti" | "työpaketit" | "work package" | "work packages" => {
                TableColumn::Tp
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_in_either_language() {
        for (heading, column) in [
            ("path", Some(TableColumn::Path)),
            ("Tiedosto:", Some(TableColumn::Path)),
            (" Teemat ", Some(TableColumn::Themes)),
            ("KAUPUNKI", Some(TableColumn::City)),
            ("Työpaketti", Some(TableColumn::Tp)),
            ("miksi", None),
        ] {
            assert_eq!(TableColumn::named(heading), column, "{heading}");
        }
    }

    #[test]
    fn cells_that_say_nothing() {
        for none in ["", " - ", "None", "n/a", "EI", "yhteinen", "—"] {
            assert!(means_none(none), "{none:?}");
        }
        for value in ["Helsinki", "osallisuus", "TP2", "einen"] {
            assert!(!means_none(value), "{value:?}");
        }
    }
}

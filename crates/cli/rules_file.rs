//! Loading rules from the file a user names: TOML, a spreadsheet, or CSV.

use anyhow::{Context, Result};
use kooste_classify::Rules;
use kooste_extract::{TableKind, table_kind};
use std::path::Path;

/// The rules and how to name their source in the index.
pub fn load(path: Option<&Path>) -> Result<(Rules, String)> {
    let Some(path) = path else {
        return Ok((Rules::default_rules(), "default".to_string()));
    };
    let bytes = crate::commands::read_named(path)
        .with_context(|| format!("cannot read rules file {}", path.display()))?;
    let rules = match table_kind(&path.to_string_lossy()) {
        Some(TableKind::Spreadsheet) => {
            let table =
                kooste_extract::first_sheet_table(&bytes, &kooste_extract::Limits::default())
                    .with_context(|| format!("cannot read rules spreadsheet {}", path.display()))?;
            // Only the first sheet is read: say which, in case the rules stand on another.
            return Rules::from_rows_at(&table.rows, table.origin)
                .with_context(|| {
                    format!(
                        "bad rules file {}, sheet {:?} (the first sheet holds the rules)",
                        path.display(),
                        table.sheet
                    )
                })
                .map(|rules| (rules, path.display().to_string()));
        }
        Some(TableKind::Csv) => {
            let text = kooste_extract::decode_text(&bytes);
            let rows = kooste_classify::csv_rows(&text)
                .with_context(|| format!("bad rules CSV {}", path.display()))?;
            Rules::from_rows(&rows)
        }
        None => Rules::from_toml(&String::from_utf8_lossy(&bytes)),
    }
    .with_context(|| format!("bad rules file {}", path.display()))?;
    Ok((rules, path.display().to_string()))
}

//! Loading rules from the file a user names: TOML, a spreadsheet, or CSV.

use anyhow::{Context, Result};
use kooste_classify::Rules;
use std::path::Path;

/// The rules and how to name their source in the index.
pub fn load(path: Option<&Path>) -> Result<(Rules, String)> {
    let Some(path) = path else {
        return Ok((Rules::default_rules(), "default".to_string()));
    };
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read rules file {}", path.display()))?;
    let rules = match table_kind(path) {
        Some(Table::Spreadsheet) => {
            let rows = kooste_extract::first_sheet_rows(&bytes, &kooste_extract::Limits::default())
                .with_context(|| format!("cannot read rules spreadsheet {}", path.display()))?;
            Rules::from_rows(&rows)
        }
        Some(Table::Csv) => {
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

/// How a file that people may keep as a table is read, by its extension.
pub enum Table {
    /// XLSX, XLSM, XLS, XLSB or ODS: the first sheet.
    Spreadsheet,
    Csv,
}

pub fn table_kind(path: &Path) -> Option<Table> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Some(Table::Spreadsheet),
        "csv" => Some(Table::Csv),
        _ => None,
    }
}

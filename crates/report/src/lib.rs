//! Renderers for everything kooste writes. Each takes the index (and options) and returns
//! the whole file as a string: no I/O here, so that outputs are written whole or not at all
//! by the caller, and tests can read them directly.

mod audit;
mod changes;
mod csv;
mod lang;
mod summary;

pub use audit::{Audit, VersionGroup, audit, audit_markdown};
pub use changes::{changes, changes_markdown};
pub use csv::{neutralise_formula, themes_csv};
pub use lang::Lang;
pub use summary::{SummaryOptions, summary_markdown};

use kooste_model::Index;

/// `index.json`: the index as pretty-printed JSON with a final newline.
pub fn index_json(index: &Index) -> String {
    let mut s =
        serde_json::to_string_pretty(index).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

//! Renderers for everything kooste writes. Each takes the index (and options) and returns
//! the whole file: no I/O here, so that outputs are written whole or not at all by the
//! caller, and tests can read them directly.
//!
//! [`summary`] decides the summary's content once (tables, examples, answers); the Markdown,
//! HTML and XLSX renderers lay out that one decision.

mod audit;
mod changes;
mod csv;
mod escape;
mod html;
mod lang;
mod summary;
mod xlsx;

pub use audit::{Audit, AuditRow, VersionGroup, audit, audit_markdown};
pub use changes::{PreviousMaterial, PreviousRun, changes, changes_among, changes_markdown};
pub use csv::{neutralise_formula, themes_csv};
pub use html::{summary_html, write_summary_html};
pub use lang::{Lang, Text};
pub use summary::{
    Answer, CityRow, DEFAULT_EXAMPLES, Example, MaterialRef, Summary, SummaryOptions, ThemeSection,
    summary, summary_leaving_out, summary_markdown,
};
pub use xlsx::{XlsxFailed, summary_xlsx, write_summary_xlsx};

use kooste_model::Index;
use serde::Serialize;
use serde_json::{Value, json};

/// One example of the example index in `index.json`.
#[derive(Serialize)]
struct ExampleEntry<'a> {
    theme: &'a str,
    path: &'a str,
    heading: &'a str,
    /// Chosen in the annotations rather than by score.
    pinned: bool,
    why: &'a Answer,
    leadership: &'a Answer,
    business: &'a Answer,
}

/// The index with what the outputs add: its own fields first, in the SPEC's order.
#[derive(Serialize)]
struct IndexWithExamples<'a> {
    #[serde(flatten)]
    index: &'a Index,
    examples: Vec<ExampleEntry<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<Value>,
}

/// `index.json`: the index as pretty-printed JSON with a final newline. With a summary, the
/// example index is added as `examples` (one entry per theme and example, answers marked
/// automatic or curated), and the annotations files read with their warnings as
/// `annotations`, so that other tools need not re-derive them.
pub fn index_json(index: &Index, summary: Option<&Summary>) -> String {
    let mut bytes = Vec::new();
    // Writing into memory fails only where serialisation itself does, which the types rule
    // out; say so in the file rather than panic.
    if let Err(e) = write_index_json(&mut bytes, index, summary) {
        bytes = format!("{{\"error\": \"{e}\"}}\n").into_bytes();
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// [`index_json`] written straight to `w`, without the whole text in memory.
pub fn write_index_json(
    mut w: impl std::io::Write,
    index: &Index,
    summary: Option<&Summary>,
) -> std::io::Result<()> {
    match summary {
        None => serde_json::to_writer_pretty(&mut w, index)?,
        Some(s) => {
            let examples: Vec<ExampleEntry<'_>> = s
                .themes
                .iter()
                .flat_map(|t| t.examples.iter())
                .map(|e| {
                    let [why, leadership, business] = &e.answers;
                    ExampleEntry {
                        theme: &e.theme_id,
                        path: &e.material.path,
                        heading: &e.heading,
                        pinned: e.pinned,
                        why,
                        leadership,
                        business,
                    }
                })
                .collect();
            let annotations = (!s.sources.is_empty() || !s.warnings.is_empty())
                .then(|| json!({"sources": s.sources, "warnings": s.warnings}));
            serde_json::to_writer_pretty(
                &mut w,
                &IndexWithExamples {
                    index,
                    examples,
                    annotations,
                },
            )?;
        }
    }
    w.write_all(b"\n")
}

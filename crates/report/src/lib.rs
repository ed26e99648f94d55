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
mod rows;
mod spill;
mod summary;
mod xlsx;

pub use audit::{
    Audit, AuditRow, Positions, VersionGroup, audit, audit_markdown, write_audit_markdown,
};
pub use changes::{PreviousMaterial, PreviousRun, changes, changes_among, changes_markdown};
pub use csv::{neutralise_formula, themes_csv, write_themes_csv};
pub use html::{summary_html, write_summary_html};
pub use lang::{Lang, Text};
pub use rows::RowList;
pub use summary::{
    Answer, CityRow, DEFAULT_EXAMPLES, Example, MaterialRef, Summary, SummaryOptions, ThemeSection,
    summary, summary_leaving_out, summary_markdown,
};
pub use xlsx::{XlsxFailed, summary_xlsx, write_summary_xlsx};

use kooste_model::{Changes, INDEX_SCHEMA, Index, MaterialsSeq, RulesInfo, ThemeInfo, View};
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
    schema: u32,
    generated: &'a str,
    drive: &'a str,
    rules: &'a RulesInfo,
    themes: &'a [ThemeInfo],
    documents: MaterialsSeq<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'a Changes>,
    /// Present, if empty, whenever there is a summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    examples: Option<Vec<ExampleEntry<'a>>>,
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
    if let Err(e) = write_index_json(&mut bytes, index.view(), summary, index.changes.as_ref()) {
        bytes = format!("{{\"error\": \"{e}\"}}\n").into_bytes();
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// [`index_json`] written straight to `w` as the materials are read, without the whole text
/// in memory. `changes` are the changes since the previous run, if any.
pub fn write_index_json(
    mut w: impl std::io::Write,
    view: View<'_>,
    summary: Option<&Summary>,
    changes: Option<&Changes>,
) -> std::io::Result<()> {
    let examples: Option<Vec<ExampleEntry<'_>>> = summary.map(|s| {
        s.themes
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
            .collect()
    });
    let annotations = summary
        .filter(|s| !s.sources.is_empty() || !s.warnings.is_empty())
        .map(|s| json!({"sources": s.sources, "warnings": s.warnings}));
    serde_json::to_writer_pretty(
        &mut w,
        &IndexWithExamples {
            schema: INDEX_SCHEMA,
            generated: view.generated,
            drive: view.drive,
            rules: view.rules,
            themes: view.themes,
            documents: MaterialsSeq(view.materials),
            changes,
            examples,
            annotations,
        },
    )?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_given_beside_the_index_are_written_where_its_own_would_be() {
        let mut index: Index = serde_json::from_str(
            r#"{"schema": 1, "generated": "2018-03-14T00:00:00Z", "drive": "d",
            "rules": {"source": "default", "hash": "h"},
            "documents": [{"path": "a.txt", "format": "txt", "bytes": 1, "hash": "x",
              "title": "a", "city": null, "tp": [], "themes": [], "status": "ok",
              "error": null, "pages": 1, "chars": 1}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let changes = Changes {
            since: "2018-03-13T00:00:00Z".to_string(),
            added: vec!["a.txt".to_string()],
            ..Changes::default()
        };
        let s = summary(index.view(), &SummaryOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let write = |index: &Index, summary: Option<&Summary>, changes: Option<&Changes>| {
            let mut bytes = Vec::new();
            write_index_json(&mut bytes, index.view(), summary, changes)
                .unwrap_or_else(|e| panic!("{e}"));
            String::from_utf8(bytes).unwrap_or_else(|e| panic!("{e}"))
        };
        let beside = [
            write(&index, Some(&s), Some(&changes)),
            write(&index, None, Some(&changes)),
        ];
        index.changes = Some(changes);
        let inside = [index_json(&index, Some(&s)), index_json(&index, None)];
        assert_eq!(beside, inside);
        // Without a summary, the materials read one at a time make the index's own JSON.
        let whole = serde_json::to_string_pretty(&index).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(inside[1], format!("{whole}\n"));
        let order =
            |json: &str| ["\"documents\"", "\"changes\"", "\"examples\""].map(|k| json.find(k));
        let [documents, changes, examples] = order(&inside[0]);
        assert!(documents < changes && changes < examples, "{}", inside[0]);
        assert!(
            inside[1].contains("\"added\": [\n      \"a.txt\"\n    ]"),
            "{}",
            inside[1]
        );
        assert!(!inside[1].contains("\"examples\""), "{}", inside[1]);
    }
}

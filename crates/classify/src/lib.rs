//! The classifier: which themes a material touches, which city it belongs to and which work
//! packages it names, with the evidence for each. Pure functions over text: no I/O.

mod answers;
mod city;
mod classifier;
mod eval;
mod matcher;
mod morph;
mod rules;
mod scan_table;
mod work_package;

pub use answers::answer_hints;
pub use city::{CityDecision, detect_city};
pub use classifier::{
    Classification, Classifier, MaterialText, ScoreParts, TermMatch, ThemeResult,
};
pub use eval::{
    Comparison, Disagreement, Evaluation, Interval, Label, LabelsError, Prediction, ThemeMetrics,
    compare, csv_rows, disagreements, evaluate, join_repeated, labels_from_rows,
    labels_from_rows_at, parse_labels, resolve_paths, resolve_themes,
};
pub use morph::Morphology;
pub use rules::{DEFAULT_RULES, Rules, RulesError, Settings, Term, ThemeRules};
pub use work_package::detect_work_packages;

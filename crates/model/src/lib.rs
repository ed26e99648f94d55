//! The shared vocabulary of kooste. Every other crate speaks in these types, and `index.json`
//! is their serialised form, so field names here are part of the output contract: add fields,
//! never rename them.

mod city;
mod document;
mod error;
mod index;
mod materials;
mod names;
mod path_text;
mod picture;
mod scores;
mod work_package;

pub use city::{City, CitySource};
pub use document::{Document, Format, Meta, Page, page_runs};
pub use error::{ErrorKind, ExtractError};
pub use index::{
    AnswerHints, Changes, INDEX_SCHEMA, Index, Material, Moved, RulesInfo, Status, TermCount,
    ThemeChange, ThemeInfo, ThemeScore, file_name,
};
pub use materials::{Materials, MaterialsSeq, Stopped, View, visit, visit_without_evidence};
pub use names::{TableColumn, heading_key, means_none};
pub use path_text::{name_bytes, name_text};
pub use picture::{Picture, copy_extension};
pub use scores::Scores;
pub use work_package::WorkPackage;

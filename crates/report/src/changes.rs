//! What changed between two runs over the same drive.

use crate::escape::{code, markdown};
use crate::lang::Lang;
use kooste_model::{
    Changes, City, Index, Material, Moved, ThemeChange, ThemeInfo, View, WorkPackage,
};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a change report needs of the previous run: per material its content hash and its
/// assignments, nothing of the evidence. Read from the previous `index.json` without holding
/// that index whole, so a re-run of a large drive does not keep two indexes in memory.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PreviousRun {
    pub generated: String,
    pub documents: Vec<PreviousMaterial>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PreviousMaterial {
    pub path: String,
    pub hash: String,
    #[serde(default)]
    themes: Vec<ThemeId>,
    #[serde(default)]
    city: Option<City>,
    #[serde(default)]
    tp: Vec<WorkPackage>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct ThemeId {
    id: String,
}

impl PreviousMaterial {
    /// What the change report compares of a material.
    pub fn of(m: &Material) -> PreviousMaterial {
        PreviousMaterial {
            path: m.path.clone(),
            hash: m.hash.clone(),
            themes: m
                .themes
                .iter()
                .map(|t| ThemeId { id: t.id.clone() })
                .collect(),
            city: m.city,
            tp: m.tp.clone(),
        }
    }

    /// A material of the previous run with its assigned theme ids, city and TPs.
    pub fn new(
        path: String,
        hash: String,
        themes: Vec<String>,
        city: Option<City>,
        tp: Vec<WorkPackage>,
    ) -> PreviousMaterial {
        PreviousMaterial {
            path,
            hash,
            themes: themes.into_iter().map(|id| ThemeId { id }).collect(),
            city,
            tp,
        }
    }
}

impl PreviousRun {
    /// The previous run from the bytes of its `index.json`; `None` when they are no index.
    pub fn from_index_json(bytes: &[u8]) -> Option<PreviousRun> {
        serde_json::from_slice(bytes).ok()
    }

    pub fn of(index: &Index) -> PreviousRun {
        PreviousRun {
            generated: index.generated.clone(),
            documents: index.documents.iter().map(PreviousMaterial::of).collect(),
        }
    }
}

/// A material's assignments as the change report compares and shows them.
struct Assigned {
    themes: String,
    city: String,
    tp: String,
}

impl Assigned {
    fn new<'a>(
        themes: impl Iterator<Item = &'a str>,
        city: Option<City>,
        tp: &[WorkPackage],
    ) -> Assigned {
        let mut ids: Vec<&str> = themes.collect();
        ids.sort_unstable();
        // In order, so that the same TPs listed another way are no change.
        let mut tp = tp.to_vec();
        tp.sort_unstable();
        Assigned {
            themes: ids.join(";"),
            city: city.map(|c| c.name().to_string()).unwrap_or_default(),
            tp: tp
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(";"),
        }
    }

    fn of_previous(m: &PreviousMaterial) -> Assigned {
        Assigned::new(m.themes.iter().map(|t| t.id.as_str()), m.city, &m.tp)
    }

    fn of_current(m: &Material) -> Assigned {
        Assigned::new(m.themes.iter().map(|t| t.id.as_str()), m.city, &m.tp)
    }
}

/// The changes from the previous run to the current one, whose materials are read once.
pub fn changes(previous: &PreviousRun, current: View<'_>) -> std::io::Result<Changes> {
    // What is compared of each material, held instead of the materials themselves.
    let mut after: Vec<(String, String, Assigned)> = Vec::with_capacity(current.materials.len());
    current.materials.each_without_evidence(&mut |m| {
        after.push((m.path.clone(), m.hash.clone(), Assigned::of_current(m)));
        Ok(())
    })?;
    Ok(compare(
        previous,
        after
            .iter()
            .map(|(path, hash, a)| (path.as_str(), (hash.as_str(), a)))
            .collect(),
    ))
}

/// [`changes`] between some of the materials of each run. A caller that knows which
/// materials are the same in both (those of a file whose materials did not change) leaves
/// them out of both sides, and gets the same report for less work.
pub fn changes_among<'a>(
    previous: &PreviousRun,
    current: impl IntoIterator<Item = &'a Material>,
) -> Changes {
    let assigned: Vec<(&Material, Assigned)> = current
        .into_iter()
        .map(|m| (m, Assigned::of_current(m)))
        .collect();
    compare(
        previous,
        assigned
            .iter()
            .map(|(m, a)| (m.path.as_str(), (m.hash.as_str(), a)))
            .collect(),
    )
}

/// The changes to `after`, each material's content hash and assignments by path. A material
/// gone from one path whose content stands under a new path is moved (renamed), not removed
/// and added; its assignments are compared as if it had stayed.
fn compare(previous: &PreviousRun, after: BTreeMap<&str, (&str, &Assigned)>) -> Changes {
    let before: BTreeMap<&str, &PreviousMaterial> = previous
        .documents
        .iter()
        .map(|m| (m.path.as_str(), m))
        .collect();
    let mut c = Changes {
        since: previous.generated.clone(),
        ..Changes::default()
    };
    // The removed paths by content, each to be taken by one new path at most.
    let mut gone: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (path, m) in &before {
        if !after.contains_key(path) {
            gone.entry(m.hash.as_str()).or_default().push(path);
        }
    }
    let mut moved_from: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for (path, (hash, a)) in &after {
        let old = match before.get(path) {
            Some(old) => {
                if old.hash != *hash {
                    c.modified.push(path.to_string());
                }
                old
            }
            None => {
                let from = gone
                    .get_mut(hash)
                    .and_then(|paths| (!paths.is_empty()).then(|| paths.remove(0)));
                let Some(old) = from.and_then(|f| before.get(f)) else {
                    c.added.push(path.to_string());
                    continue;
                };
                moved_from.insert(old.path.as_str());
                c.moved.push(Moved {
                    from: old.path.clone(),
                    to: path.to_string(),
                });
                old
            }
        };
        let b = Assigned::of_previous(old);
        for (field, b, a) in [
            ("themes", b.themes, &a.themes),
            ("city", b.city, &a.city),
            ("tp", b.tp, &a.tp),
        ] {
            if b != *a {
                c.reassigned.push(ThemeChange {
                    path: path.to_string(),
                    field: field.to_string(),
                    before: b,
                    after: a.clone(),
                });
            }
        }
    }
    c.removed = before
        .keys()
        .filter(|p| !after.contains_key(*p) && !moved_from.contains(*p))
        .map(|p| p.to_string())
        .collect();
    c
}

/// `changes.md`: what changed, themes named by their titles in `themes` (an id the rules no
/// longer have stays an id).
pub fn changes_markdown(c: &Changes, themes: &[ThemeInfo], lang: Lang) -> String {
    let mut out = format!(
        "# {}\n\n{} {}\n\n",
        lang.pick("Muutokset", "Changes"),
        lang.pick("Edellinen ajo:", "Previous run:"),
        lang.date(&c.since)
    );
    if c.added.is_empty()
        && c.removed.is_empty()
        && c.modified.is_empty()
        && c.reassigned.is_empty()
        && c.moved.is_empty()
    {
        out.push_str(lang.pick(
            "Ei muutoksia edelliseen ajoon.\n",
            "No changes since the previous run.\n",
        ));
        return out;
    }
    let list = |out: &mut String, title: &str, paths: &[String]| {
        out.push_str(&format!("## {title} ({})\n\n", paths.len()));
        for p in paths {
            out.push_str(&format!("- {}\n", code(p)));
        }
        if !paths.is_empty() {
            out.push('\n');
        }
    };
    list(
        &mut out,
        lang.pick("Uudet materiaalit", "New materials"),
        &c.added,
    );
    list(
        &mut out,
        lang.pick("Poistuneet materiaalit", "Removed materials"),
        &c.removed,
    );
    list(
        &mut out,
        lang.pick("Muuttuneet materiaalit", "Changed materials"),
        &c.modified,
    );
    if !c.moved.is_empty() {
        out.push_str(&format!(
            "## {} ({})\n\n",
            lang.pick(
                "Siirretyt tai uudelleen nimetyt materiaalit",
                "Moved or renamed materials"
            ),
            c.moved.len()
        ));
        for m in &c.moved {
            out.push_str(&format!("- {} → {}\n", code(&m.from), code(&m.to)));
        }
        out.push('\n');
    }
    // The heading counts materials, as the lists above do; a material may change in several
    // fields, one line each.
    let reassigned: std::collections::BTreeSet<&str> =
        c.reassigned.iter().map(|r| r.path.as_str()).collect();
    out.push_str(&format!(
        "## {} ({})\n\n",
        lang.pick("Muuttuneet luokitukset", "Changed classifications"),
        reassigned.len()
    ));
    for r in &c.reassigned {
        let field = match r.field.as_str() {
            "themes" => lang.pick("teemat", "themes"),
            "city" => lang.pick("kaupunki", "city"),
            _ => lang.pick("työpaketti", "work package"),
        };
        let show = |s: &str| {
            if s.is_empty() {
                return "–".to_string();
            }
            if r.field != "themes" {
                return markdown(s);
            }
            let titles: Vec<&str> = s
                .split(';')
                .map(|id| {
                    themes
                        .iter()
                        .find(|t| t.id == id)
                        .map_or(id, |t| lang.theme_title(t))
                })
                .collect();
            markdown(&titles.join(", "))
        };
        out.push_str(&format!(
            "- {}: {field} {} → {}\n",
            code(&r.path),
            show(&r.before),
            show(&r.after)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kooste_model::{RulesInfo, Status};

    fn changes(previous: &PreviousRun, current: &Index) -> Changes {
        super::changes(previous, current.view()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn index(generated: &str, docs: &[(&str, &str, Option<kooste_model::City>)]) -> Index {
        Index {
            schema: 1,
            generated: generated.into(),
            drive: "d".into(),
            rules: RulesInfo {
                source: "default".into(),
                hash: String::new(),
            },
            themes: vec![],
            documents: docs
                .iter()
                .map(|(path, hash, city)| Material {
                    path: path.to_string(),
                    format: kooste_model::Format::Txt,
                    bytes: 1,
                    hash: hash.to_string(),
                    title: path.to_string(),
                    author: None,
                    created: None,
                    modified: None,
                    city: *city,
                    city_source: None,
                    tp: vec![],
                    themes: vec![],
                    scores: Default::default(),
                    status: Status::Ok,
                    error: None,
                    damaged: None,
                    ocr: None,
                    picture_pages: Vec::new(),
                    pages: 1,
                    chars: 1,
                    manual: vec![],
                    answer_hints: Default::default(),
                    city_contenders: Vec::new(),
                })
                .collect(),
            changes: None,
        }
    }

    #[test]
    fn the_previous_run_is_read_from_index_json_without_the_evidence() {
        let mut full = index(
            "2018-03-13T00:00:00Z",
            &[("a.txt", "1", Some(kooste_model::City::Oulu))],
        );
        full.documents[0].tp = vec![kooste_model::WorkPackage::new(5).unwrap_or_else(|| panic!())];
        full.documents[0].themes = vec![kooste_model::ThemeScore {
            id: "monitoimijuus".into(),
            score: 20.0,
            terms: vec![],
            snippets: vec!["Palveluseteli laajentaa markkinaa.".into()],
            manual: false,
        }];
        let json = serde_json::to_vec(&full).unwrap_or_else(|e| panic!("{e}"));
        let read = PreviousRun::from_index_json(&json).unwrap_or_else(|| panic!("not read"));
        assert_eq!(read, PreviousRun::of(&full));
        assert_eq!(changes(&read, &full).reassigned, []);
        assert_eq!(PreviousRun::from_index_json(b"{\"schema\": 1"), None);
    }

    #[test]
    fn changes_list_added_removed_modified_and_reassigned() {
        use kooste_model::City;
        let before = index(
            "2018-03-13T00:00:00Z",
            &[("a.txt", "1", None), ("b.txt", "2", Some(City::Oulu))],
        );
        let after = index(
            "2018-03-14T00:00:00Z",
            &[("b.txt", "3", Some(City::Turku)), ("c.txt", "4", None)],
        );
        let c = changes(&PreviousRun::of(&before), &after);
        assert_eq!(c.added, ["c.txt"]);
        assert_eq!(c.removed, ["a.txt"]);
        assert_eq!(c.modified, ["b.txt"]);
        assert_eq!(c.reassigned.len(), 1);
        let md = changes_markdown(&c, &[], Lang::Fi);
        assert!(md.starts_with("# Muutokset\n\nEdellinen ajo: 13.3.2018\n"));
        assert!(md.contains("- `b.txt`: kaupunki Oulu → Turku\n"), "{md}");
        let same = changes(&PreviousRun::of(&after), &after);
        assert!(
            changes_markdown(&same, &[], Lang::En).contains("No changes since the previous run.")
        );
    }

    #[test]
    fn the_heading_of_changed_classifications_counts_materials_not_fields() {
        use kooste_model::{City, WorkPackage};
        let before = index("2018-03-13T00:00:00Z", &[("b.txt", "2", Some(City::Oulu))]);
        let mut after = index("2018-03-14T00:00:00Z", &[("b.txt", "2", Some(City::Turku))]);
        after.documents[0].tp = vec![WorkPackage::new(2).unwrap_or_else(|| panic!())];
        // Themes by their titles; one the rules no longer have, by its id.
        after.documents[0].themes = ["osallisuus", "poistunut"]
            .into_iter()
            .map(|id| kooste_model::ThemeScore {
                id: id.into(),
                score: 20.0,
                terms: vec![],
                snippets: vec![],
                manual: false,
            })
            .collect();
        let themes = [ThemeInfo {
            id: "osallisuus".into(),
            title_fi: "Osallisuus ja yhteiskehittäminen".into(),
            title_en: "Participation and co-development".into(),
        }];
        let c = changes(&PreviousRun::of(&before), &after);
        assert_eq!(c.reassigned.len(), 3);
        let md = changes_markdown(&c, &themes, Lang::Fi);
        assert!(md.contains("## Muuttuneet luokitukset (1)\n"), "{md}");
        assert!(md.contains("- `b.txt`: kaupunki Oulu → Turku\n"), "{md}");
        assert!(md.contains("- `b.txt`: työpaketti – → TP2\n"), "{md}");
        assert!(
            md.contains("- `b.txt`: teemat – → Osallisuus ja yhteiskehittäminen, poistunut\n"),
            "{md}"
        );
        assert!(
            changes_markdown(&c, &themes, Lang::En)
                .contains(": themes – → Participation and co-development, poistunut\n")
        );
    }

    #[test]
    fn a_material_under_a_new_path_with_the_same_content_is_moved() {
        use kooste_model::City;
        let before = index(
            "2018-03-13T00:00:00Z",
            &[
                ("Espoo/malli.docx", "1", Some(City::Espoo)),
                // Written in decomposed Unicode: the same name to a reader.
                ("Oulu/tyo\u{308}paja.txt", "2", Some(City::Oulu)),
                ("a.txt", "3", None),
                ("b.txt", "3", None),
            ],
        );
        let after = index(
            "2018-03-14T00:00:00Z",
            &[
                ("Espoo/TP5/malli.docx", "1", Some(City::Espoo)),
                ("Oulu/työpaja.txt", "2", Some(City::Oulu)),
                ("c.txt", "3", None),
            ],
        );
        let mut after = after;
        after.documents[0].tp = vec![kooste_model::WorkPackage::new(5).unwrap_or_else(|| panic!())];
        let c = changes(&PreviousRun::of(&before), &after);
        let moved: Vec<(&str, &str)> = c
            .moved
            .iter()
            .map(|m| (m.from.as_str(), m.to.as_str()))
            .collect();
        assert_eq!(
            moved,
            [
                ("Espoo/malli.docx", "Espoo/TP5/malli.docx"),
                ("Oulu/tyo\u{308}paja.txt", "Oulu/työpaja.txt"),
                ("a.txt", "c.txt"),
            ]
        );
        // Of two copies gone, one moved; the other is removed.
        assert_eq!(c.removed, ["b.txt"]);
        assert!(c.added.is_empty(), "{:?}", c.added);
        // What the move changed of the assignments is shown under the new path.
        assert_eq!(c.reassigned.len(), 1);
        assert_eq!(c.reassigned[0].path, "Espoo/TP5/malli.docx");
        let md = changes_markdown(&c, &[], Lang::Fi);
        assert!(
            md.contains(
                "## Siirretyt tai uudelleen nimetyt materiaalit (3)\n\n\
                 - `Espoo/malli.docx` → `Espoo/TP5/malli.docx`\n"
            ),
            "{md}"
        );
        assert!(
            md.contains("- `Espoo/TP5/malli.docx`: työpaketti – → TP5\n"),
            "{md}"
        );
    }
}

//! Applying annotations to the index: corrections replace what the rules found and are
//! marked as manual; answers and example choices are kept for the summary.

use crate::{Annotation, Annotations, ExampleChoice, SummarySettings};
use kooste_model::{CitySource, Index, Material, ThemeInfo, ThemeScore, View};
use kooste_normalize::PathLookup;
use std::collections::BTreeMap;

/// A material's curated content, keyed by its path in [`Curation::materials`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Curated {
    /// Where the annotation was written.
    pub origin: String,
    /// With theme ids resolved; `Pin` always names at least one theme.
    pub example: Option<ExampleChoice>,
    pub why: Vec<String>,
    pub leadership: Vec<String>,
    pub business: Vec<String>,
}

/// What the annotations leave for the outputs once the corrections are in the index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Curation {
    /// The annotations files read.
    pub sources: Vec<String>,
    pub summary: SummarySettings,
    /// By material path.
    pub materials: BTreeMap<String, Curated>,
    /// Annotations that could not be applied, and why.
    pub warnings: Vec<String>,
}

impl Curation {
    /// Whether a person pinned the material as an example of any theme: a pin's themes are
    /// resolved against the catalogue, and it names one at least.
    pub fn pinned(&self, path: &str) -> bool {
        matches!(
            self.materials.get(path).and_then(|c| c.example.as_ref()),
            Some(ExampleChoice::Pin(_))
        )
    }

    pub fn pinned_in(&self, path: &str, theme: &str) -> bool {
        matches!(
            self.materials.get(path).and_then(|c| c.example.as_ref()),
            Some(ExampleChoice::Pin(themes)) if themes.iter().any(|t| t == theme)
        )
    }

    pub fn excluded(&self, path: &str) -> bool {
        matches!(
            self.materials.get(path).and_then(|c| c.example.as_ref()),
            Some(ExampleChoice::Exclude)
        )
    }
}

/// Applies the corrections to the index's materials and returns what the outputs need
/// besides: answers, example choices, summary settings, and warnings for annotations that
/// name no material, name several, or name an unknown theme.
pub fn apply(index: &mut Index, annotations: &Annotations) -> std::io::Result<Curation> {
    let mut corrected = Vec::new();
    let curation = apply_to(index.view(), annotations, &mut |at, m| {
        corrected.push((at, m))
    })?;
    for (at, m) in corrected {
        if let Some(slot) = index.documents.get_mut(at) {
            *slot = m;
        }
    }
    Ok(curation)
}

/// [`apply`] to materials wherever they are kept: each corrected material is given to
/// `corrected` with its position, to be put in place of the one read.
pub fn apply_to(
    view: View<'_>,
    annotations: &Annotations,
    corrected: &mut dyn FnMut(usize, Material),
) -> std::io::Result<Curation> {
    let mut curation = Curation {
        sources: annotations.sources.clone(),
        summary: annotations.summary.clone(),
        warnings: annotations.warnings.clone(),
        ..Curation::default()
    };
    // Without materials to annotate there is nothing to look up (the look-up table of a
    // large drive costs more than the rest of an unchanged re-run's bookkeeping).
    if annotations.materials.is_empty() {
        return Ok(curation);
    }
    let lookup = paths_of(view.materials)?;
    // Later annotations of the same material override earlier ones field by field.
    let mut merged: BTreeMap<usize, Annotation> = BTreeMap::new();
    for a in &annotations.materials {
        let at = match lookup.find(&a.file) {
            Ok(at) => at,
            Err(candidates) if candidates.is_empty() => {
                curation.warnings.push(format!(
                    "{}: no material {:?} on the drive; the annotation is not used",
                    a.origin, a.file
                ));
                continue;
            }
            Err(candidates) => {
                let names: Vec<String> = candidates
                    .iter()
                    .take(3)
                    .map(|i| Ok(view.materials.get(*i)?.path.clone()))
                    .collect::<std::io::Result<_>>()?;
                curation.warnings.push(format!(
                    "{}: {:?} names {} materials ({}{}); give more of the path",
                    a.origin,
                    a.file,
                    candidates.len(),
                    names.join(", "),
                    if candidates.len() > 3 { ", ..." } else { "" }
                ));
                continue;
            }
        };
        match merged.get_mut(&at) {
            Some(earlier) => {
                curation.warnings.push(format!(
                    "{}: the material was annotated already ({}); values given again replace the earlier ones",
                    a.origin, earlier.origin
                ));
                overlay(earlier, a);
            }
            None => {
                merged.insert(at, a.clone());
            }
        }
    }
    for (at, a) in merged {
        let mut m = view.materials.get(at)?.into_owned();
        let curated = correct(&mut m, &a, view.themes, &mut curation.warnings);
        curation.materials.insert(m.path.clone(), curated);
        corrected(at, m);
    }
    Ok(curation)
}

fn overlay(earlier: &mut Annotation, later: &Annotation) {
    let l = later.clone();
    earlier.origin = format!("{}; {}", earlier.origin, l.origin);
    earlier.title = l.title.or(earlier.title.take());
    earlier.themes = l.themes.or(earlier.themes.take());
    earlier.city = l.city.or(earlier.city.take());
    earlier.tp = l.tp.or(earlier.tp.take());
    earlier.example = l.example.or(earlier.example.take());
    for (mine, theirs) in [
        (&mut earlier.why, l.why),
        (&mut earlier.leadership, l.leadership),
        (&mut earlier.business, l.business),
    ] {
        if !theirs.is_empty() {
            *mine = theirs;
        }
    }
}

fn mark(m: &mut Material, field: &str) {
    if !m.manual.iter().any(|f| f == field) {
        m.manual.push(field.to_string());
    }
}

/// Applies one annotation to its material.
fn correct(
    m: &mut Material,
    a: &Annotation,
    themes: &[ThemeInfo],
    warnings: &mut Vec<String>,
) -> Curated {
    if let Some(title) = &a.title {
        m.title = title.clone();
        mark(m, "title");
    }
    if let Some(city) = a.city {
        m.city = city;
        m.city_source = Some(CitySource::Manual);
        mark(m, "city");
    }
    if let Some(tp) = &a.tp {
        m.tp = tp.clone();
        mark(m, "tp");
    }
    let mut resolve_all = |names: &[String], what: &str| -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for name in names {
            match ThemeInfo::fitting(themes, name).as_slice() {
                [t] if !ids.contains(&t.id) => ids.push(t.id.clone()),
                [_] => {}
                [] => warnings.push(format!(
                    "{}: {what} {name:?} is not a theme of the rules (ids: {})",
                    a.origin,
                    themes
                        .iter()
                        .map(|t| t.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                fits => warnings.push(format!(
                    "{}: {what} {name:?} is the start of several themes ({}); write more of it",
                    a.origin,
                    fits.iter()
                        .map(|t| t.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
        ids
    };
    if let Some(names) = &a.themes {
        let ids = resolve_all(names, "theme");
        m.themes = ids.iter().map(|id| manual_theme(m, id)).collect();
        mark(m, "themes");
    }
    let mut example = match &a.example {
        Some(ExampleChoice::Pin(names)) if !names.is_empty() => {
            let ids = resolve_all(names, "example theme");
            // Pinning a material as a theme's example says it belongs to the theme.
            for id in &ids {
                if !m.has_theme(id) {
                    let t = manual_theme(m, id);
                    m.themes.push(t);
                    mark(m, "themes");
                }
            }
            (!ids.is_empty()).then_some(ExampleChoice::Pin(ids))
        }
        other => other.clone(),
    };
    // Answers without an explicit choice pin the material, as does `example = true`: in its
    // strongest theme.
    let wants_strongest = match &example {
        Some(ExampleChoice::Pin(ids)) => ids.is_empty(),
        Some(ExampleChoice::Exclude) => false,
        None => a.has_answers(),
    };
    if wants_strongest {
        example = match m.themes.first() {
            Some(t) => Some(ExampleChoice::Pin(vec![t.id.clone()])),
            None => {
                warnings.push(format!(
                    "{}: {} has no theme to be an example of; name one with `example = [\"theme\"]` or `themes`",
                    a.origin, m.path
                ));
                None
            }
        };
    }
    Curated {
        origin: a.origin.clone(),
        example,
        why: a.why.clone(),
        leadership: a.leadership.clone(),
        business: a.business.clone(),
    }
}

/// A theme set by hand keeps the rules' evidence and score when the rules found any.
fn manual_theme(m: &Material, id: &str) -> ThemeScore {
    match m.themes.iter().find(|t| t.id == id) {
        Some(t) => ThemeScore {
            manual: true,
            ..t.clone()
        },
        None => ThemeScore {
            id: id.to_string(),
            score: m.scores.get(id).copied().unwrap_or(0.0),
            terms: Vec::new(),
            snippets: Vec::new(),
            manual: true,
        },
    }
}

/// The materials' paths, to find the one an annotation names.
fn paths_of(materials: &dyn kooste_model::Materials) -> std::io::Result<PathLookup> {
    let mut lookup = PathLookup::default();
    materials.each_without_evidence(&mut |m| {
        lookup.push(&m.path);
        Ok(())
    })?;
    Ok(lookup)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_toml;
    use kooste_model::{City, Format, RulesInfo, Status, WorkPackage};

    fn material(path: &str, themes: &[(&str, f64)]) -> Material {
        Material {
            path: path.to_string(),
            format: Format::Pdf,
            bytes: 1,
            hash: String::new(),
            title: path.to_string(),
            author: None,
            created: None,
            modified: None,
            city: Some(City::Helsinki),
            city_source: Some(CitySource::Folder),
            tp: vec![],
            themes: themes
                .iter()
                .map(|(id, score)| ThemeScore {
                    id: id.to_string(),
                    score: *score,
                    terms: vec![],
                    snippets: vec![format!("{id} lause")],
                    manual: false,
                })
                .collect(),
            scores: [("digitaalisuus".to_string(), 1.5)].into_iter().collect(),
            status: Status::Ok,
            error: None,
            damaged: None,
            ocr: None,
            picture_pages: Vec::new(),
            pages: 1,
            chars: 10,
            manual: vec![],
            answer_hints: Default::default(),
            city_contenders: Vec::new(),
        }
    }

    fn theme(id: &str, fi: &str) -> ThemeInfo {
        ThemeInfo {
            id: id.into(),
            title_fi: fi.into(),
            title_en: id.into(),
        }
    }

    fn index(documents: Vec<Material>) -> Index {
        Index {
            schema: 1,
            generated: String::new(),
            drive: String::new(),
            rules: RulesInfo {
                source: "default".into(),
                hash: String::new(),
            },
            themes: vec![
                theme("monitoimijuus", "Monitoimijuus ja uudet palvelumarkkinat"),
                theme("osallisuus", "Osallisuus ja yhteiskehittäminen"),
                theme("digitaalisuus", "Digitaalisuus, teknologia, rajapinnat"),
            ],
            documents,
            changes: None,
        }
    }

    fn annotations(toml: &str) -> Annotations {
        parse_toml(toml, "kooste.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn names_find_materials_by_path_name_or_stem() {
        let docs = vec![
            material("Helsinki/TP2/Malli_v0.1.pptx", &[]),
            material("Oulu/Työpaketti 5.pdf", &[]),
            material("Oulu/raportti.pdf", &[]),
            material("Turku/raportti.pdf", &[]),
        ];
        let l = paths_of(&docs).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.find("Helsinki/TP2/Malli_v0.1.pptx"), Ok(0));
        assert_eq!(l.find("malli_v0.1.PPTX"), Ok(0));
        assert_eq!(l.find(".\\helsinki\\tp2\\malli_v0.1"), Ok(0));
        // Decomposed ö, as a Mac writes it, finds the composed name.
        assert_eq!(l.find("Tyo\u{308}paketti 5"), Ok(1));
        assert_eq!(l.find("raportti.pdf"), Err(vec![2, 3]));
        assert_eq!(l.find("Turku/raportti.pdf"), Ok(3));
        assert_eq!(l.find("puuttuu.pdf"), Err(vec![]));
        assert_eq!(l.find("TP2/Malli_v0.1"), Ok(0));
        assert_eq!(l.find("TP2/Malli"), Err(vec![]));
        assert_eq!(l.find(""), Err(vec![]));
    }

    #[test]
    fn corrections_replace_the_rules_and_are_marked_manual() {
        let mut ix = index(vec![material(
            "Helsinki/malli.pdf",
            &[("osallisuus", 6.0), ("monitoimijuus", 4.0)],
        )]);
        let c = apply(
            &mut ix,
            &annotations(
                "[[material]]\nfile = \"malli.pdf\"\nthemes = [\"osallisuus\", \"Digitaalisuus\"]\ncity = \"Oulu\"\ntp = \"TP2\"\ntitle = \"Yhteiskehittämisen malli\"\n",
            ),
        ).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let m = &ix.documents[0];
        assert_eq!(m.title, "Yhteiskehittämisen malli");
        assert_eq!(m.city, Some(City::Oulu));
        assert_eq!(m.city_source, Some(CitySource::Manual));
        assert_eq!(m.tp, WorkPackage::new(2).into_iter().collect::<Vec<_>>());
        let ids: Vec<&str> = m.themes.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["osallisuus", "digitaalisuus"]);
        assert!(m.themes.iter().all(|t| t.manual));
        // The rules' evidence stays with a theme the person kept; a new one takes its score.
        assert_eq!(m.themes[0].snippets, ["osallisuus lause"]);
        assert_eq!(m.themes[1].score, 1.5);
        assert_eq!(m.manual, ["title", "city", "tp", "themes"]);
        // No answers and no example choice: nothing pinned.
        assert_eq!(c.materials["Helsinki/malli.pdf"].example, None);
    }

    #[test]
    fn answers_pin_in_the_strongest_theme_and_example_lists_add_themes() {
        let mut ix = index(vec![
            material("a.pdf", &[("osallisuus", 6.0), ("monitoimijuus", 4.0)]),
            material("b.pdf", &[("osallisuus", 5.0)]),
            material("c.pdf", &[("osallisuus", 5.0)]),
            material("d.pdf", &[]),
        ]);
        let c = apply(
            &mut ix,
            &annotations(
                r#"
[[material]]
file = "a.pdf"
why = "Hyvä"
[[material]]
file = "b.pdf"
example = ["Monitoimijuus"]
[[material]]
file = "c.pdf"
example = false
why = "Ei silti esimerkki"
[[material]]
file = "d.pdf"
example = true
[[material]]
file = "e.pdf"
why = "x"
"#,
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(c.pinned("a.pdf") && c.pinned("b.pdf"));
        assert!(!c.pinned("c.pdf") && !c.pinned("d.pdf") && !c.pinned("e.pdf"));
        assert!(c.pinned_in("a.pdf", "osallisuus"));
        assert!(!c.pinned_in("a.pdf", "monitoimijuus"));
        assert!(c.pinned_in("b.pdf", "monitoimijuus"));
        assert!(ix.documents[1].has_theme("monitoimijuus"));
        assert!(ix.documents[1].themes.iter().any(|t| t.manual));
        assert_eq!(ix.documents[1].manual, ["themes"]);
        assert!(c.excluded("c.pdf"));
        assert_eq!(c.materials["c.pdf"].why, ["Ei silti esimerkki"]);
        // d has no theme to be pinned in; e is not on the drive.
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(c.warnings.iter().any(|w| w.contains("d.pdf has no theme")));
        assert!(c.warnings.iter().any(|w| w.contains("\"e.pdf\"")));
    }

    #[test]
    fn a_second_annotation_of_a_material_overrides_field_by_field() {
        let mut ix = index(vec![material("a.pdf", &[("osallisuus", 6.0)])]);
        let mut a = annotations(
            "[[material]]\nfile = \"a.pdf\"\nwhy = \"Eka\"\nbusiness = \"Yrityksille\"\n",
        );
        a.merge(annotations(
            "[[material]]\nfile = \"A.PDF\"\nwhy = \"Toka\"\n",
        ));
        let c = apply(&mut ix, &a).unwrap_or_else(|e| panic!("{e}"));
        let cur = &c.materials["a.pdf"];
        assert_eq!(cur.why, ["Toka"]);
        assert_eq!(cur.business, ["Yrityksille"]);
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn unknown_themes_are_reported_not_invented() {
        let mut ix = index(vec![material("a.pdf", &[("osallisuus", 6.0)])]);
        let c = apply(
            &mut ix,
            &annotations(
                "[[material]]\nfile = \"a.pdf\"\nthemes = [\"osallisuus\", \"kestävyys\"]\n",
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<&str> = ix.documents[0]
            .themes
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(ids, ["osallisuus"]);
        assert!(c.warnings[0].contains("kestävyys"), "{:?}", c.warnings);
        // The start of two titles is neither: the warning names both.
        let mut ix = index(vec![material("a.pdf", &[("osallisuus", 6.0)])]);
        ix.themes
            .push(theme("digituki", "Digitaalistuva tuki ja neuvonta"));
        let c = apply(
            &mut ix,
            &annotations("[[material]]\nfile = \"a.pdf\"\nthemes = [\"Digitaali\"]\n"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(ix.documents[0].themes.is_empty());
        assert_eq!(
            c.warnings,
            [
                "kooste.toml, [[material]] 1: theme \"Digitaali\" is the start of several themes \
              (digitaalisuus, digituki); write more of it"
            ]
        );
    }
}

//! The summary in the shape of the 2018 hand-made one: an introduction, then per theme a
//! table of cities and their materials followed by that theme's strongest materials as
//! examples with the three questions answered.
//!
//! [`summary`] decides the content once; the Markdown, HTML and XLSX renderers only lay it
//! out, so the formats cannot disagree.

use crate::audit::Positions;
use crate::escape::{self, clip};
use crate::lang::{Lang, Text};
use kooste_annotations::{Curated, Curation};
use kooste_model::{City, Material, Status, ThemeInfo, View, WorkPackage};
use std::collections::{BTreeSet, HashMap};

/// Examples per theme when neither the command line nor the annotations say.
pub const DEFAULT_EXAMPLES: usize = 3;

/// Longest material name shown in a table; document titles can run to paragraphs.
const NAME_MAX: usize = 160;
/// Longest automatic answer: one sentence, not a page.
const ANSWER_MAX: usize = 320;

#[derive(Debug, Clone, Default)]
pub struct SummaryOptions {
    pub lang: Lang,
    /// Examples per theme; `None` takes the annotations' number, else [`DEFAULT_EXAMPLES`].
    pub examples_per_theme: Option<usize>,
    /// Bullet points of the introduction; `None` takes the annotations', else a default.
    pub intro: Option<Vec<String>>,
    /// Prefix that turns a drive-relative path into a link from the output folder.
    pub link_prefix: String,
    /// Curated answers and example choices from the drive's annotations.
    pub curation: Curation,
}

/// The summary's content, ready to lay out.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub lang: Lang,
    pub title: String,
    pub subtitle: String,
    pub intro: Vec<String>,
    pub themes: Vec<ThemeSection>,
    pub contacts: Vec<String>,
    /// How many older versions and identical copies the tables leave out (audit.md lists
    /// them).
    pub left_out: usize,
    /// The annotations files the curated content came from.
    pub sources: Vec<String>,
    /// Annotations that could not be applied.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThemeSection {
    pub id: String,
    pub title: String,
    /// The six cities in the seed's order, then joint or unknown when there are any.
    pub rows: Vec<CityRow>,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CityRow {
    pub city: Option<City>,
    pub label: String,
    pub materials: Vec<MaterialRef>,
}

/// A material as the seed cites it: its name with the work-package tag, linked to the file.
#[derive(Debug, Clone, PartialEq)]
pub struct MaterialRef {
    pub path: String,
    /// The document's title, or its file name when the title says nothing of its own.
    pub name: String,
    pub file_name: String,
    /// Relative link from the output folder.
    pub href: String,
    pub tp: Vec<WorkPackage>,
    /// A person set this table's theme, or the material's city, work packages or title.
    pub manual: bool,
    pub score: f64,
}

impl MaterialRef {
    /// " (tiedostossa viesti.eml)" for a member of an archive or an attachment of a message:
    /// its link opens the file that holds it, and the words say so.
    pub fn container_note(&self, lang: Lang) -> String {
        let container = escape::archive_file(&self.path);
        if container.len() == self.path.len() {
            return String::new();
        }
        let name = kooste_model::file_name(container);
        match lang {
            Lang::Fi => format!(" (tiedostossa {name})"),
            Lang::En => format!(" (in {name})"),
        }
    }

    /// " (TP2, TP4)" after `name`, leaving out what the name already says
    /// ("Työpaketti 5_... (TP5).pdf" needs no second "(TP5)").
    pub fn tp_tag(&self, name: &str) -> String {
        let said: String = name
            .to_uppercase()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_')
            .collect();
        let missing: Vec<WorkPackage> = self
            .tp
            .iter()
            .copied()
            .filter(|t| !said.contains(&format!("({t})")))
            .collect();
        tp_tag(&missing)
    }
}

pub(crate) fn tp_tag(tp: &[WorkPackage]) -> String {
    if tp.is_empty() {
        String::new()
    } else {
        let tags: Vec<String> = tp.iter().map(|t| t.to_string()).collect();
        format!(" ({})", tags.join(", "))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub heading: String,
    pub material: MaterialRef,
    pub theme_id: String,
    pub theme_title: String,
    pub city: String,
    pub city_manual: bool,
    /// Chosen by a person in the annotations rather than by score.
    pub pinned: bool,
    /// Why a good example, use in management, benefit to companies.
    pub answers: [Answer; 3],
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Answer {
    pub lines: Vec<String>,
    /// Picked from the material's own sentences, not written by a person.
    pub automatic: bool,
}

pub const QUESTIONS: [Text; 3] = [Text::WhyGood, Text::Leadership, Text::Business];

pub fn summary(view: View<'_>, options: &SummaryOptions) -> std::io::Result<Summary> {
    summary_leaving_out(view, options, crate::audit(view)?.superseded())
}

/// [`summary`] with the materials its tables leave out (older versions, copies) already
/// known: [`Audit::superseded`](crate::Audit::superseded) of the same index.
pub fn summary_leaving_out(
    view: View<'_>,
    options: &SummaryOptions,
    left_out: &Positions,
) -> std::io::Result<Summary> {
    let lang = options.lang;
    let curation = &options.curation;
    let per_theme = options
        .examples_per_theme
        .or(curation.summary.examples)
        .unwrap_or(DEFAULT_EXAMPLES);
    // One reading of the materials: the titles' counts, and what the tables cite of each
    // material that has a theme or is pinned as an example.
    let mut names = Names::default();
    let mut cited: Vec<Cited> = Vec::new();
    // Materials with a theme that the tables show, and that they leave out as older versions
    // or copies; one left out without a theme would not have been in a table anyway.
    let mut themed = 0;
    let mut themed_left_out = 0;
    let mut at = 0;
    view.materials.each_without_evidence(&mut |m| {
        // Titles are told apart among the materials the tables show: a title shared only
        // with older versions and copies is still the material's own.
        let shown = !left_out.contains(at);
        if shown {
            names.count(&m.title);
        }
        if !m.themes.is_empty() {
            if shown {
                themed += 1;
            } else {
                themed_left_out += 1;
            }
        }
        if !m.themes.is_empty() || curation.pinned(&m.path) {
            cited.push(Cited::of(at, m));
        }
        at += 1;
        Ok(())
    })?;
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut themes = Vec::new();
    for theme in view.themes {
        let section = theme_section(
            view, &cited, theme, options, per_theme, left_out, &names, &mut used,
        )?;
        themes.push(section);
    }
    let title = curation
        .summary
        .title
        .clone()
        .unwrap_or_else(|| lang.text(Text::SummaryTitle).to_string());
    let subtitle = curation
        .summary
        .subtitle
        .clone()
        .unwrap_or_else(|| default_subtitle(view, lang));
    let intro = options
        .intro
        .clone()
        .or_else(|| curation.summary.intro.clone())
        .unwrap_or_else(|| default_intro(view.materials.len(), themed, lang, per_theme));
    Ok(Summary {
        lang,
        title,
        subtitle,
        intro,
        themes,
        contacts: curation.summary.contacts.clone(),
        left_out: themed_left_out,
        sources: curation.sources.clone(),
        warnings: curation.warnings.clone(),
    })
}

fn drive_name(view: View<'_>) -> String {
    let d = view.drive.trim_end_matches(['/', '\\']);
    d.rsplit(['/', '\\']).next().unwrap_or(d).to_string()
}

fn default_subtitle(view: View<'_>, lang: Lang) -> String {
    let date = lang.date(view.generated);
    let drive = drive_name(view);
    let n = view.materials.len();
    match lang {
        Lang::Fi => format!("Koottu {date} kansion {drive} {n} materiaalista"),
        Lang::En => format!("Compiled on {date} from the {n} materials of the folder {drive}"),
    }
}

fn default_intro(total: usize, themed: usize, lang: Lang, per_theme: usize) -> Vec<String> {
    match lang {
        Lang::Fi => vec![
            format!(
                "Taulukoihin on listattu hankkeen materiaalit, joissa jokin hankkeen keskeisistä teemoista on korostetusti esillä: {themed} materiaalia {total} materiaalista."
            ),
            "Teemat on tunnistettu materiaalien tekstistä avainsanasäännöillä. Kunkin tunnistuksen perusteet (osumat ja lauseet) näkyvät tiedostoissa kooste.html, kooste.xlsx ja index.json.".to_string(),
            format!(
                "Jokaisen teeman taulukon jälkeen on esitelty enintään {per_theme} teeman vahvinta esimerkkiä. Käsin kirjoitetut vastaukset tulevat kansion juuressa olevasta tiedostosta kooste.toml, jos sellainen on; muut on poimittu materiaalista ja merkitty automaattisiksi."
            ),
            "Lukukelvottomat, tyhjät ja luokittelemattomat materiaalit sekä kaksoiskappaleet ja versiot on lueteltu tiedostossa audit.md.".to_string(),
        ],
        Lang::En => vec![
            format!(
                "The tables list the project's materials in which one of its key themes stands out: {themed} of {total} materials."
            ),
            "Themes were recognised in the materials' text by keyword rules. The evidence for each (matched terms and sentences) is in kooste.html, kooste.xlsx and index.json.".to_string(),
            format!(
                "Each theme's table is followed by at most {per_theme} of its strongest examples. Answers written by hand come from the file kooste.toml at the drive's root, if there is one; the others were picked from the material and are marked as automatic."
            ),
            "Unreadable, empty and unclassified materials, copies and versions are listed in audit.md.".to_string(),
        ],
    }
}

/// How each material is named in tables: by its title when the title is its own, by file
/// name when the title is only an underscored file name again or several materials share
/// it (titles copied from a template say nothing).
#[derive(Default)]
struct Names {
    title_count: HashMap<String, usize>,
}

impl Names {
    fn count(&mut self, title: &str) {
        *self
            .title_count
            .entry(title.trim().to_lowercase())
            .or_insert(0) += 1;
    }

    fn has_own_title(&self, m: &Cited) -> bool {
        let title = m.title.trim();
        if m.manual.iter().any(|f| f == "title") {
            return !title.is_empty();
        }
        // A file name that reads as a title ("Avoimen osallisuuden malli.pdf") is shown as
        // one; a name joined with underscores is shown as the file name it is.
        let file_stem = stem(m.file_name());
        !title.is_empty()
            && (title != file_stem || !file_stem.contains('_'))
            && self.title_count.get(&title.to_lowercase()).copied() == Some(1)
    }

    fn name(&self, m: &Cited) -> String {
        if self.has_own_title(m) {
            clip(&m.title, NAME_MAX)
        } else {
            clip(m.file_name(), NAME_MAX)
        }
    }

    /// An example's heading: the title, or the file name read as words.
    fn heading(&self, m: &Cited) -> String {
        if self.has_own_title(m) {
            clip(&m.title, NAME_MAX)
        } else {
            let words = stem(m.file_name()).replace('_', " ");
            clip(
                &words.split_whitespace().collect::<Vec<_>>().join(" "),
                NAME_MAX,
            )
        }
    }
}

pub(crate) fn stem(name: &str) -> &str {
    match name.rfind('.') {
        Some(dot) if dot > 0 => name.get(..dot).unwrap_or(name),
        _ => name,
    }
}

/// What the summary's tables cite of a material: all but its evidence, which only an example
/// reads (from the materials again).
struct Cited {
    /// Position among the materials, in path order.
    at: usize,
    path: String,
    title: String,
    city: Option<City>,
    tp: Vec<WorkPackage>,
    status: Status,
    /// Assigned themes: id, score, set by a person.
    themes: Vec<(String, f64, bool)>,
    manual: Vec<String>,
}

impl Cited {
    fn of(at: usize, m: &Material) -> Cited {
        Cited {
            at,
            path: m.path.clone(),
            title: m.title.clone(),
            city: m.city,
            tp: m.tp.clone(),
            status: m.status,
            themes: m
                .themes
                .iter()
                .map(|t| (t.id.clone(), t.score, t.manual))
                .collect(),
            manual: m.manual.clone(),
        }
    }

    fn file_name(&self) -> &str {
        kooste_model::file_name(&self.path)
    }

    fn has_theme(&self, id: &str) -> bool {
        self.themes.iter().any(|(t, _, _)| t == id)
    }
}

fn theme_score(m: &Cited, id: &str) -> f64 {
    m.themes
        .iter()
        .find(|(t, _, _)| t == id)
        .map_or(0.0, |(_, score, _)| *score)
}

fn material_ref(m: &Cited, theme_id: &str, names: &Names, link_prefix: &str) -> MaterialRef {
    MaterialRef {
        path: m.path.clone(),
        name: names.name(m),
        file_name: m.file_name().to_string(),
        href: escape::href(link_prefix, &m.path),
        tp: m.tp.clone(),
        manual: m
            .themes
            .iter()
            .any(|(t, _, manual)| t == theme_id && *manual)
            || m.manual
                .iter()
                .any(|f| matches!(f.as_str(), "city" | "tp" | "title")),
        score: theme_score(m, theme_id),
    }
}

fn city_label(city: Option<City>, lang: Lang) -> String {
    city.map_or_else(
        || lang.text(Text::NoCity).to_string(),
        |c| c.name().to_string(),
    )
}

#[allow(clippy::too_many_arguments)] // the summary's state, passed once per theme
fn theme_section<'a>(
    view: View<'_>,
    cited: &'a [Cited],
    theme: &ThemeInfo,
    options: &SummaryOptions,
    per_theme: usize,
    left_out: &Positions,
    names: &Names,
    used: &mut BTreeSet<&'a str>,
) -> std::io::Result<ThemeSection> {
    let lang = options.lang;
    let curation = &options.curation;
    let with_theme: Vec<&Cited> = cited.iter().filter(|m| m.has_theme(&theme.id)).collect();
    let shown = |m: &Cited| !left_out.contains(m.at) || curation.pinned_in(&m.path, &theme.id);
    let mut rows = Vec::new();
    let cities = City::ALL
        .iter()
        .map(|c| Some(*c))
        .chain(std::iter::once(None));
    for city in cities {
        let mut materials: Vec<MaterialRef> = with_theme
            .iter()
            .filter(|m| m.city == city && shown(m))
            .map(|m| material_ref(m, &theme.id, names, &options.link_prefix))
            .collect();
        // As the seed lists them: by work package, then by name.
        materials.sort_by(|a, b| {
            let wp = |r: &MaterialRef| r.tp.first().map_or(u8::MAX, |t| t.number());
            wp(a)
                .cmp(&wp(b))
                .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
                .then_with(|| a.path.cmp(&b.path))
        });
        if city.is_none() && materials.is_empty() {
            continue;
        }
        rows.push(CityRow {
            city,
            label: city_label(city, lang),
            materials,
        });
    }

    let mut pinned: Vec<&Cited> = cited
        .iter()
        .filter(|m| curation.pinned_in(&m.path, &theme.id))
        .collect();
    let rank = |list: &mut Vec<&Cited>| {
        list.sort_by(|a, b| {
            theme_score(b, &theme.id)
                .total_cmp(&theme_score(a, &theme.id))
                .then_with(|| a.path.cmp(&b.path))
        });
    };
    let candidates: Vec<&Cited> = with_theme
        .iter()
        .copied()
        .filter(|m| {
            m.status == Status::Ok
                && !left_out.contains(m.at)
                && !curation.excluded(&m.path)
                && !curation.pinned_in(&m.path, &theme.id)
        })
        .collect();
    // Materials not yet an example of another theme come first, so that the summary shows
    // as many different materials as it can; the others fill what is left.
    let (mut fresh, mut shown_before): (Vec<&Cited>, Vec<&Cited>) = candidates
        .into_iter()
        .partition(|m| !used.contains(m.path.as_str()));
    rank(&mut fresh);
    rank(&mut shown_before);
    rank(&mut pinned);
    let automatic_slots = per_theme.saturating_sub(pinned.len());
    let chosen: Vec<(&Cited, bool)> = pinned
        .into_iter()
        .map(|m| (m, true))
        .chain(
            fresh
                .into_iter()
                .chain(shown_before)
                .take(automatic_slots)
                .map(|m| (m, false)),
        )
        .collect();
    let mut examples = Vec::new();
    for (m, is_pinned) in chosen {
        used.insert(m.path.as_str());
        // The evidence the answers come from is read for the few examples only.
        let whole = view.materials.get(m.at)?;
        examples.push(example(
            m,
            &whole,
            theme,
            options,
            names,
            is_pinned,
            curation.materials.get(&m.path),
        ));
    }
    Ok(ThemeSection {
        id: theme.id.clone(),
        title: lang.theme_title(theme).to_string(),
        rows,
        examples,
    })
}

fn example(
    m: &Cited,
    whole: &Material,
    theme: &ThemeInfo,
    options: &SummaryOptions,
    names: &Names,
    pinned: bool,
    curated: Option<&Curated>,
) -> Example {
    let lang = options.lang;
    let automatic = automatic_answers(whole, &theme.id);
    let curated_lines: [Vec<String>; 3] = match curated {
        Some(c) => [c.why.clone(), c.leadership.clone(), c.business.clone()],
        None => Default::default(),
    };
    let answers = std::array::from_fn(|i| {
        let mine = curated_lines.get(i).cloned().unwrap_or_default();
        if mine.is_empty() {
            Answer {
                lines: automatic
                    .get(i)
                    .cloned()
                    .flatten()
                    .map(|s| vec![clip(&s, ANSWER_MAX)])
                    .unwrap_or_default(),
                automatic: true,
            }
        } else {
            Answer {
                lines: mine,
                automatic: false,
            }
        }
    });
    Example {
        heading: names.heading(m),
        material: material_ref(m, &theme.id, names, &options.link_prefix),
        theme_id: theme.id.clone(),
        theme_title: lang.theme_title(theme).to_string(),
        city: city_label(m.city, lang),
        city_manual: m.manual.iter().any(|f| f == "city"),
        pinned,
        answers,
    }
}

/// Without curated answers the material's own strongest sentences stand in: the theme's
/// best evidence for why it is a good example, the material's sentences about management
/// for leadership and about companies for business (found by the classifier in the whole
/// text); each sentence used once.
fn automatic_answers(m: &Material, theme_id: &str) -> [Option<String>; 3] {
    // The title is evidence for the classifier, but no answer to a question.
    let title = m.title.trim().to_lowercase();
    let not_title = |s: &&str| s.trim().to_lowercase() != title;
    let of_theme: Vec<&str> = m
        .themes
        .iter()
        .filter(|t| t.id == theme_id)
        .flat_map(|t| t.snippets.iter().map(String::as_str))
        .filter(not_title)
        .collect();
    let mut used: Vec<String> = Vec::new();
    let mut pick = |candidates: Vec<&str>| -> Option<String> {
        let found = candidates
            .into_iter()
            .find(|s| !used.iter().any(|u| u == s))?
            .to_string();
        used.push(found.clone());
        Some(found)
    };
    let why = pick(by_sentence_rank(of_theme));
    let leadership = pick(by_sentence_rank(
        m.answer_hints
            .leadership
            .iter()
            .map(String::as_str)
            .collect(),
    ));
    let business = pick(by_sentence_rank(
        m.answer_hints.business.iter().map(String::as_str).collect(),
    ));
    [why, leadership, business]
}

/// Candidates in the order they best answer a question, keeping the classifier's order within
/// a rank: a finished statement first; then a question, or a long line without a full stop,
/// which is often a table row, a form field ("Osallistujat: …") or a bullet; a heading or a
/// slide's label, which only names a thing, last.
fn by_sentence_rank(mut candidates: Vec<&str>) -> Vec<&str> {
    candidates.sort_by_key(|s| sentence_rank(s));
    candidates
}

fn sentence_rank(s: &str) -> u8 {
    let words = s.split_whitespace().count();
    let end = s.trim_end();
    let states = end.ends_with(['.', '!', '…', ')', '"', '”']);
    let asks = end.ends_with('?');
    match (states && words >= 4, (asks && words >= 4) || words >= 6) {
        (true, _) => 0,
        (false, true) => 1,
        (false, false) => 2,
    }
}

/// `kooste.md`.
pub fn summary_markdown(s: &Summary) -> String {
    let lang = s.lang;
    let md = escape::markdown;
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", md(&s.title)));
    if !s.subtitle.is_empty() {
        out.push_str(&format!("*{}*\n\n", md(&s.subtitle)));
    }
    out.push_str(&format!("## {}\n\n", lang.text(Text::Introduction)));
    for line in &s.intro {
        out.push_str(&bullet(line));
    }
    out.push('\n');
    for theme in &s.themes {
        out.push_str(&format!("## {}\n\n", md(&theme.title)));
        out.push_str(&format!(
            "| {} | {} |\n|---|---|\n",
            lang.text(Text::City),
            lang.text(Text::MaterialRef)
        ));
        for row in &theme.rows {
            let cell = if row.materials.is_empty() {
                lang.text(Text::NoMaterials).to_string()
            } else {
                row.materials
                    .iter()
                    .map(|r| reference_markdown(r, &r.name, lang))
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            out.push_str(&format!("| {} | {cell} |\n", md(&row.label)));
        }
        out.push('\n');
        if theme.examples.is_empty() {
            out.push_str(&format!("*{}*\n\n", lang.text(Text::NoExamples)));
        }
        for e in &theme.examples {
            example_markdown(e, lang, &mut out);
        }
    }
    if !s.contacts.is_empty() {
        out.push_str(&format!("## {}\n\n", lang.text(Text::Contacts)));
        for line in &s.contacts {
            out.push_str(&bullet(line));
        }
        out.push('\n');
    }
    out.push_str("---\n\n");
    if s.left_out > 0 {
        out.push_str(&format!(
            "*{}*\n\n",
            match lang {
                Lang::Fi if s.left_out == 1 => "Taulukoista on jätetty pois 1 vanhempi versio tai kaksoiskappale; se on lueteltu tiedostossa audit.md.".to_string(),
                Lang::Fi => format!(
                    "Taulukoista on jätetty pois {} vanhempaa versiota tai kaksoiskappaletta; ne on lueteltu tiedostossa audit.md.",
                    s.left_out
                ),
                Lang::En if s.left_out == 1 => "1 older version or identical copy is left out of the tables; audit.md lists it.".to_string(),
                Lang::En => format!(
                    "{} older versions or identical copies are left out of the tables; audit.md lists them.",
                    s.left_out
                ),
            }
        ));
    }
    out.push_str(&format!(
        "*{}*\n",
        lang.pick(
            "Kaikki materiaalit suodatettavana taulukkona: kooste.html ja kooste.xlsx.",
            "All materials as a filterable table: kooste.html and kooste.xlsx."
        )
    ));
    out
}

/// A list item of document or annotation text. A leading `-`, `+` or digit-and-dot would
/// make Markdown read a nested list, so it is escaped too.
fn bullet(text: &str) -> String {
    let mut body = escape::markdown(text);
    if body.starts_with(['-', '+']) {
        body.insert(0, '\\');
    } else if let Some(at) = ordered_item_mark(&body) {
        body.insert(at, '\\');
    }
    format!("- {body}\n")
}

/// Where the `.` or `)` of "2017. vuonna" is, when the text starts like a numbered item.
fn ordered_item_mark(text: &str) -> Option<usize> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && matches!(text.as_bytes().get(digits), Some(b'.' | b')'))).then_some(digits)
}

fn reference_markdown(r: &MaterialRef, name: &str, lang: Lang) -> String {
    let manual = if r.manual {
        format!(" *({})*", lang.text(Text::Manual))
    } else {
        String::new()
    };
    format!(
        "[{}]({}){}{manual}",
        escape::markdown(name),
        r.href,
        r.tp_tag(name)
    )
}

fn example_markdown(e: &Example, lang: Lang, out: &mut String) {
    let md = escape::markdown;
    out.push_str(&format!(
        "### {}: {}\n\n",
        lang.text(Text::Example),
        md(&e.heading)
    ));
    out.push_str(&format!(
        "{}: {}{}\n\n",
        lang.text(Text::File),
        reference_markdown(&e.material, &e.material.file_name, lang),
        escape::markdown(&e.material.container_note(lang))
    ));
    out.push_str(&format!(
        "{}: {}\n\n",
        lang.text(Text::Theme),
        md(&e.theme_title)
    ));
    out.push_str(&format!(
        "{}: {}{}\n\n",
        lang.text(Text::City),
        md(&e.city),
        if e.city_manual {
            format!(" *({})*", lang.text(Text::Manual))
        } else {
            String::new()
        }
    ));
    for (question, answer) in QUESTIONS.iter().zip(&e.answers) {
        let mark = if answer.automatic {
            format!(" *({})*", lang.text(Text::Automatic))
        } else {
            String::new()
        };
        out.push_str(&format!("**{}**{mark}\n\n", lang.text(*question)));
        if answer.lines.is_empty() {
            out.push_str(&format!("- {}\n", lang.text(Text::NothingPicked)));
        }
        for line in &answer.lines {
            out.push_str(&bullet(line));
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kooste_annotations::{Annotations, apply, parse_toml};
    use kooste_model::{CitySource, Format, Index, RulesInfo, ThemeScore};

    fn summary(index: &Index, options: &SummaryOptions) -> Summary {
        super::summary(index.view(), options).unwrap_or_else(|e| panic!("{e}"))
    }

    fn material(path: &str, title: &str, themes: &[(&str, f64, &[&str])]) -> Material {
        Material {
            path: path.to_string(),
            format: Format::Docx,
            bytes: 1,
            hash: format!("hash of {path}"),
            title: title.to_string(),
            author: None,
            created: None,
            modified: None,
            city: path.split('/').next().and_then(|c| c.parse().ok()),
            city_source: Some(CitySource::Folder),
            tp: vec![],
            themes: themes
                .iter()
                .map(|(id, score, snippets)| ThemeScore {
                    id: id.to_string(),
                    score: *score,
                    terms: vec![],
                    snippets: snippets.iter().map(|s| s.to_string()).collect(),
                    manual: false,
                })
                .collect(),
            scores: Default::default(),
            status: Status::Ok,
            error: None,
            damaged: None,
            ocr: None,
            picture_pages: Vec::new(),
            pages: 1,
            chars: 100,
            manual: vec![],
            answer_hints: Default::default(),
            city_contenders: Vec::new(),
        }
    }

    fn index(documents: Vec<Material>) -> Index {
        let theme = |id: &str, fi: &str| ThemeInfo {
            id: id.into(),
            title_fi: fi.into(),
            title_en: format!("{fi} (en)"),
        };
        Index {
            schema: 1,
            generated: "2018-03-13T00:00:00Z".into(),
            drive: "/x/asema".into(),
            rules: RulesInfo {
                source: "default".into(),
                hash: String::new(),
            },
            themes: vec![
                theme("osallisuus", "Osallisuus ja yhteiskehittäminen"),
                theme("digitaalisuus", "Digitaalisuus, teknologia, rajapinnat"),
            ],
            documents,
            changes: None,
        }
    }

    fn curated(ix: &mut Index, toml: &str) -> SummaryOptions {
        let a: Annotations = parse_toml(toml, "kooste.toml").unwrap_or_else(|e| panic!("{e}"));
        SummaryOptions {
            curation: apply(ix, &a).unwrap_or_else(|e| panic!("{e}")),
            ..SummaryOptions::default()
        }
    }

    fn example_paths(s: &Summary, theme: &str) -> Vec<String> {
        s.themes
            .iter()
            .find(|t| t.id == theme)
            .map(|t| t.examples.iter().map(|e| e.material.path.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn examples_rank_by_score_pinned_first_excluded_never() {
        let mut ix = index(vec![
            material("Espoo/a.docx", "A", &[("osallisuus", 9.0, &["a"])]),
            material("Espoo/b.docx", "B", &[("osallisuus", 8.0, &["b"])]),
            material("Espoo/c.docx", "C", &[("osallisuus", 7.0, &["c"])]),
            material("Espoo/d.docx", "D", &[("osallisuus", 6.0, &["d"])]),
            material("Espoo/e.docx", "Eläköön", &[("osallisuus", 5.0, &["e"])]),
        ]);
        let plain = summary(&ix, &SummaryOptions::default());
        assert_eq!(
            example_paths(&plain, "osallisuus"),
            ["Espoo/a.docx", "Espoo/b.docx", "Espoo/c.docx"]
        );
        let options = curated(
            &mut ix,
            "[[material]]\nfile = \"e.docx\"\nexample = true\n[[material]]\nfile = \"a.docx\"\nexample = false\n",
        );
        let s = summary(&ix, &options);
        assert_eq!(
            example_paths(&s, "osallisuus"),
            ["Espoo/e.docx", "Espoo/b.docx", "Espoo/c.docx"]
        );
        let e = &s.themes[0].examples[0];
        assert!(e.pinned);
        // No curated answers: the evidence stands there, marked automatic.
        assert_eq!(
            e.answers[0].lines,
            ["e"],
            "a heading stands when nothing else does"
        );
        assert!(e.answers.iter().all(|a| a.automatic));
        let fewer = summary(
            &ix,
            &SummaryOptions {
                examples_per_theme: Some(1),
                ..options.clone()
            },
        );
        assert_eq!(example_paths(&fewer, "osallisuus"), ["Espoo/e.docx"]);
    }

    #[test]
    fn another_theme_shows_another_material_when_it_can() {
        let ix = index(vec![
            material(
                "Espoo/a.docx",
                "A",
                &[
                    ("osallisuus", 9.0, &["a1"]),
                    ("digitaalisuus", 9.0, &["a2"]),
                ],
            ),
            material("Espoo/b.docx", "B", &[("digitaalisuus", 2.0, &["b"])]),
        ]);
        let s = summary(
            &ix,
            &SummaryOptions {
                examples_per_theme: Some(1),
                ..SummaryOptions::default()
            },
        );
        assert_eq!(example_paths(&s, "osallisuus"), ["Espoo/a.docx"]);
        assert_eq!(example_paths(&s, "digitaalisuus"), ["Espoo/b.docx"]);
        // With room for two, the strongest fills the second place again.
        let s = summary(&ix, &SummaryOptions::default());
        assert_eq!(
            example_paths(&s, "digitaalisuus"),
            ["Espoo/b.docx", "Espoo/a.docx"]
        );
    }

    #[test]
    fn an_attachment_as_an_example_says_which_file_holds_it() {
        let ix = index(vec![material(
            "Espoo/Kutsu.eml/muistio.docx",
            "Muistio",
            &[("osallisuus", 9.0, &["x"])],
        )]);
        let s = summary(&ix, &SummaryOptions::default());
        let md = summary_markdown(&s);
        assert!(
            md.contains("Tiedosto: [muistio.docx](") && md.contains(") (tiedostossa Kutsu.eml)\n"),
            "{md}"
        );
        let a = crate::audit(ix.view()).unwrap_or_else(|e| panic!("{e}"));
        let html = crate::summary_html(&s, &ix, &a, "");
        assert!(html.contains(" (tiedostossa Kutsu.eml)</dd>"), "{html}");
    }

    #[test]
    fn older_versions_and_copies_leave_the_tables_and_examples() {
        let mut copy = material(
            "Espoo/Kopio malli.docx",
            "Malli",
            &[("osallisuus", 9.0, &["x"])],
        );
        let newest = material(
            "Espoo/malli_v1.0.docx",
            "Malli",
            &[("osallisuus", 8.0, &["x"])],
        );
        copy.hash = newest.hash.clone();
        let ix = index(vec![
            copy,
            newest,
            material(
                "Espoo/malli_v0.1.docx",
                "Malli",
                &[("osallisuus", 9.5, &["y"])],
            ),
        ]);
        let s = summary(&ix, &SummaryOptions::default());
        // The copy and the older version.
        assert_eq!(s.left_out, 2);
        let a = crate::audit(ix.view()).unwrap_or_else(|e| panic!("{e}"));
        let left_out: Vec<&str> = a
            .superseded()
            .iter()
            .map(|at| ix.documents[at].path.as_str())
            .collect();
        assert_eq!(
            left_out,
            ["Espoo/Kopio malli.docx", "Espoo/malli_v0.1.docx"]
        );
        let espoo = &s.themes[0].rows[0];
        assert_eq!(espoo.label, "Espoo");
        let names: Vec<&str> = espoo.materials.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(names, ["Espoo/malli_v1.0.docx"]);
        // The title is shared only with what is left out, so it is the material's own.
        assert_eq!(espoo.materials[0].name, "Malli");
        assert_eq!(example_paths(&s, "osallisuus"), ["Espoo/malli_v1.0.docx"]);
        // The intro counts the materials the tables show, not those left out of them.
        assert!(
            s.intro[0].ends_with(": 1 materiaalia 3 materiaalista."),
            "{:?}",
            s.intro
        );

        // An older version without a theme was in no table: the note does not count it,
        // and one left out is said in the singular.
        let ix = index(vec![
            material(
                "Espoo/malli_v1.0.docx",
                "Malli",
                &[("osallisuus", 8.0, &["x"])],
            ),
            material("Espoo/malli_v0.1.docx", "Malli", &[]),
            material(
                "Espoo/muistio_v2.docx",
                "Muistio",
                &[("osallisuus", 8.0, &["x"])],
            ),
            material(
                "Espoo/muistio_v1.docx",
                "Muistio",
                &[("osallisuus", 9.0, &["x"])],
            ),
        ]);
        let s = summary(&ix, &SummaryOptions::default());
        assert_eq!(s.left_out, 1);
        assert!(
            summary_markdown(&s).contains(
                "*Taulukoista on jätetty pois 1 vanhempi versio tai kaksoiskappale; se on \
                 lueteltu tiedostossa audit.md.*"
            ),
            "{}",
            summary_markdown(&s)
        );
    }

    #[test]
    fn names_are_titles_unless_the_title_says_nothing_of_its_own() {
        let ix = index(vec![
            material(
                "Oulu/Työpaketti_5.docx",
                "Työpaketti_5",
                &[("osallisuus", 5.0, &[])],
            ),
            material(
                "Oulu/Avoin malli.docx",
                "Avoin malli",
                &[("osallisuus", 5.0, &[])],
            ),
            material(
                "Oulu/raportti.docx",
                "Monituottajuuden malli",
                &[("osallisuus", 5.0, &[])],
            ),
            material("Turku/a.docx", "6Aika AOA", &[("osallisuus", 5.0, &[])]),
            material("Turku/b.docx", "6Aika AOA", &[("osallisuus", 5.0, &[])]),
        ]);
        let s = summary(&ix, &SummaryOptions::default());
        let name_of = |path: &str| {
            s.themes[0]
                .rows
                .iter()
                .flat_map(|r| r.materials.iter())
                .find(|m| m.path == path)
                .map(|m| m.name.clone())
        };
        assert_eq!(
            name_of("Oulu/Työpaketti_5.docx").as_deref(),
            Some("Työpaketti_5.docx")
        );
        assert_eq!(
            name_of("Oulu/Avoin malli.docx").as_deref(),
            Some("Avoin malli")
        );
        assert_eq!(
            name_of("Oulu/raportti.docx").as_deref(),
            Some("Monituottajuuden malli")
        );
        assert_eq!(name_of("Turku/a.docx").as_deref(), Some("a.docx"));
        // Cities in the seed's order; no joint row when nothing is joint.
        let labels: Vec<&str> = s.themes[0].rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            labels,
            ["Espoo", "Helsinki", "Oulu", "Tampere", "Turku", "Vantaa"]
        );
    }

    #[test]
    fn curated_answers_replace_automatic_ones_question_by_question() {
        let mut ix = index(vec![material(
            "Espoo/a.docx",
            "A",
            &[(
                "osallisuus",
                9.0,
                &[
                    "Asukkaat kehittävät palveluja yhdessä.",
                    "Malli tukee kaupungin johtamista ja strategiaa.",
                    "Yritykset saavat tietoa palvelutarpeista.",
                ],
            )],
        )]);
        ix.documents[0].answer_hints = kooste_model::AnswerHints {
            leadership: vec!["Malli tukee kaupungin johtamista ja strategiaa.".into()],
            business: vec!["Yritykset saavat tietoa palvelutarpeista.".into()],
        };
        let automatic = summary(&ix, &SummaryOptions::default());
        let e = &automatic.themes[0].examples[0];
        assert_eq!(
            e.answers[0].lines,
            ["Asukkaat kehittävät palveluja yhdessä."]
        );
        assert_eq!(
            e.answers[1].lines,
            ["Malli tukee kaupungin johtamista ja strategiaa."]
        );
        assert_eq!(
            e.answers[2].lines,
            ["Yritykset saavat tietoa palvelutarpeista."]
        );
        let options = curated(
            &mut ix,
            "[[material]]\nfile = \"a.docx\"\nleadership = [\"Roolien miettiminen\", \"Tarvearviointi\"]\n",
        );
        let s = summary(&ix, &options);
        let e = &s.themes[0].examples[0];
        assert!(e.pinned);
        assert!(e.answers[0].automatic);
        assert!(!e.answers[1].automatic);
        assert_eq!(
            e.answers[1].lines,
            ["Roolien miettiminen", "Tarvearviointi"]
        );
        assert!(e.answers[2].automatic);
        let md = summary_markdown(&s);
        assert!(md.contains(
            "**Miten voitaisiin käyttää johtamisessa**\n\n- Roolien miettiminen\n- Tarvearviointi\n"
        ));
        assert!(md.contains("**Miksi hyvä esimerkki** *(automaattinen poiminta)*\n"));
    }

    #[test]
    fn the_tp_tag_does_not_repeat_the_name() {
        let r = MaterialRef {
            path: String::new(),
            name: String::new(),
            file_name: String::new(),
            href: String::new(),
            tp: [3, 5].into_iter().filter_map(WorkPackage::new).collect(),
            manual: false,
            score: 0.0,
        };
        assert_eq!(r.tp_tag("Malli"), " (TP3, TP5)");
        assert_eq!(r.tp_tag("Työpaketti 5_Malli (TP5).pdf"), " (TP3)");
        assert_eq!(r.tp_tag("Malli (tp 3) (TP5)"), "");
    }

    #[test]
    fn automatic_answers_are_sentences_not_headings_or_the_title() {
        let mut m = material(
            "Oulu/m.docx",
            "Markkinavuoropuhelu palveluntuottajien kanssa",
            &[
                (
                    "monitoimijuus",
                    9.0,
                    &[
                        "Markkinavuoropuhelu palveluntuottajien kanssa",
                        "Monituottajuus ja palvelumarkkinat",
                        // A form field carries more terms, but says nothing of its own.
                        "Osallistujat: kuusi palveluntuottajaa, kaksi yhdistystä ja hankintapalvelut",
                        "Palveluseteli laajentaa pienten tuottajien markkinaa kaupungissa.",
                    ],
                ),
                ("johtaminen", 4.0, &["Versio 1.0, ohjausryhmä"]),
            ],
        );
        m.answer_hints.business =
            vec!["Palveluseteli laajentaa pienten tuottajien markkinaa kaupungissa.".into()];
        let [why, leadership, business] = automatic_answers(&m, "monitoimijuus");
        assert_eq!(
            why.as_deref(),
            Some("Palveluseteli laajentaa pienten tuottajien markkinaa kaupungissa.")
        );
        // No sentence of the material speaks of management.
        assert_eq!(leadership, None);
        // The only sentence about markets is taken already.
        assert_eq!(business, None);
        assert_eq!(sentence_rank("Monituottajuus ei ole hankintakysymys."), 0);
        assert_eq!(
            sentence_rank("Osallistujat: kuusi palveluntuottajaa, kaksi yhdistystä ja kaupunki"),
            1
        );
        assert_eq!(
            sentence_rank("Mitä monituottajuus tarkoittaa kaupungille?"),
            1
        );
        assert_eq!(sentence_rank("Monituottajuus ja palvelumarkkinat"), 2);
    }

    #[test]
    fn bullets_cannot_nest_or_number() {
        assert_eq!(bullet("-20 % kuluista"), "- \\-20 % kuluista\n");
        assert_eq!(bullet("2017. vuonna"), "- 2017\\. vuonna\n");
        assert_eq!(bullet("Tavallinen"), "- Tavallinen\n");
    }
}

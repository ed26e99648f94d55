//! `kooste.md`: the summary in the shape of the 2018 hand-made one. Per theme a table of
//! cities and their materials, followed by that theme's strongest materials as examples with
//! the three questions answered.

use crate::lang::{Lang, Text};
use kooste_model::{City, Index, Material, ThemeInfo};

#[derive(Debug, Clone)]
pub struct SummaryOptions {
    pub lang: Lang,
    /// Examples shown per theme.
    pub examples_per_theme: usize,
    /// Bullet points of the introduction; a default explains how the summary was made.
    pub intro: Option<Vec<String>>,
    /// Prefix that turns a drive-relative path into a link from the output folder.
    pub link_prefix: String,
}

impl Default for SummaryOptions {
    fn default() -> SummaryOptions {
        SummaryOptions {
            lang: Lang::Fi,
            examples_per_theme: 3,
            intro: None,
            link_prefix: String::new(),
        }
    }
}

pub fn summary_markdown(index: &Index, options: &SummaryOptions) -> String {
    let lang = options.lang;
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", lang.text(Text::SummaryTitle)));
    out.push_str(&format!("# {}\n\n", lang.text(Text::Introduction)));
    let intro = options
        .intro
        .clone()
        .unwrap_or_else(|| default_intro(index, lang));
    for line in intro {
        out.push_str(&format!("- {}\n", escape_inline(&line)));
    }
    out.push('\n');
    for theme in &index.themes {
        theme_section(index, theme, options, &mut out);
    }
    out
}

fn default_intro(index: &Index, lang: Lang) -> Vec<String> {
    let total = index.documents.len();
    let themed = index
        .documents
        .iter()
        .filter(|m| !m.themes.is_empty())
        .count();
    match lang {
        Lang::Fi => vec![
            format!(
                "Taulukoihin on listattu hankkeen materiaalit, joissa teema on korostetusti esillä: {themed} materiaalia {total}:stä."
            ),
            "Teemat on tunnistettu avainsanasäännöillä; kunkin tunnistuksen perusteet näkyvät tiedostoissa index.json ja themes.csv.".to_string(),
            "Jokaisen teeman taulukon jälkeen on esitelty teeman vahvimmat esimerkit.".to_string(),
            "Luokittelemattomat ja lukukelvottomat materiaalit on lueteltu tiedostossa audit.md.".to_string(),
        ],
        Lang::En => vec![
            format!("The tables list the project's materials in which a theme stands out: {themed} of {total} materials."),
            "Themes were recognised by keyword rules; the evidence for each is in index.json and themes.csv.".to_string(),
            "Each theme's table is followed by its strongest examples.".to_string(),
            "Unclassified and unreadable materials are listed in audit.md.".to_string(),
        ],
    }
}

fn theme_section(index: &Index, theme: &ThemeInfo, options: &SummaryOptions, out: &mut String) {
    let lang = options.lang;
    out.push_str(&format!("# {}\n\n", escape_inline(lang.theme_title(theme))));
    out.push_str(&format!(
        "| {} | {} |\n|---|---|\n",
        lang.text(Text::City),
        lang.text(Text::MaterialRef)
    ));
    let with_theme: Vec<&Material> = index
        .documents
        .iter()
        .filter(|m| m.has_theme(&theme.id))
        .collect();
    let rows = City::ALL
        .iter()
        .map(|c| (c.name().to_string(), Some(*c)))
        .chain(std::iter::once((lang.text(Text::NoCity).to_string(), None)));
    for (label, city) in rows {
        let materials: Vec<String> = with_theme
            .iter()
            .filter(|m| m.city == city)
            .map(|m| material_ref(m, &options.link_prefix))
            .collect();
        if city.is_none() && materials.is_empty() {
            continue;
        }
        let cell = if materials.is_empty() {
            lang.text(Text::NoMaterials).to_string()
        } else {
            materials.join("<br>")
        };
        out.push_str(&format!("| {label} | {cell} |\n"));
    }
    out.push('\n');

    let mut ranked = with_theme.clone();
    ranked.sort_by(|a, b| {
        theme_score(b, &theme.id)
            .total_cmp(&theme_score(a, &theme.id))
            .then_with(|| a.path.cmp(&b.path))
    });
    if ranked.is_empty() {
        out.push_str(&format!("*{}*\n\n", lang.text(Text::NoExamples)));
    }
    for m in ranked.into_iter().take(options.examples_per_theme) {
        example(m, theme, options, out);
    }
}

fn theme_score(m: &Material, id: &str) -> f64 {
    m.themes
        .iter()
        .find(|t| t.id == id)
        .map_or(0.0, |t| t.score)
}

/// A material as the seed cites it: its name with the work-package tag, linked to the file.
fn material_ref(m: &Material, link_prefix: &str) -> String {
    let tp = tp_tag(m);
    format!(
        "[{}]({}){}",
        escape_inline(m.file_name()),
        link(link_prefix, &m.path),
        tp
    )
}

fn tp_tag(m: &Material) -> String {
    if m.tp.is_empty() {
        String::new()
    } else {
        let tags: Vec<String> = m.tp.iter().map(|t| t.to_string()).collect();
        format!(" ({})", tags.join(", "))
    }
}

fn link(prefix: &str, path: &str) -> String {
    let full = format!("{prefix}{path}");
    // Markdown link targets cannot hold spaces or parentheses unescaped.
    full.chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '(' => "%28".to_string(),
            ')' => "%29".to_string(),
            '<' => "%3C".to_string(),
            '>' => "%3E".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn example(m: &Material, theme: &ThemeInfo, options: &SummaryOptions, out: &mut String) {
    let lang = options.lang;
    out.push_str(&format!(
        "## {}: {}\n\n",
        lang.text(Text::Example),
        escape_inline(&m.title)
    ));
    out.push_str(&format!(
        "{}: {}{}\n\n",
        lang.text(Text::File),
        material_ref(m, &options.link_prefix),
        ""
    ));
    out.push_str(&format!(
        "{}: {}\n\n",
        lang.text(Text::Theme),
        escape_inline(lang.theme_title(theme))
    ));
    out.push_str(&format!(
        "{}: {}\n\n",
        lang.text(Text::City),
        m.city.map_or_else(
            || lang.text(Text::NoCity).to_string(),
            |c| c.name().to_string()
        )
    ));
    let answers = automatic_answers(m, &theme.id);
    let questions = [Text::WhyGood, Text::Leadership, Text::Business];
    for (question, answer) in questions.iter().zip(answers) {
        out.push_str(&format!("### {}\n\n", lang.text(*question)));
        match answer {
            Some(sentence) => out.push_str(&format!(
                "- {} *({})*\n\n",
                escape_inline(&sentence),
                lang.text(Text::Automatic)
            )),
            None => out.push_str("- –\n\n"),
        }
    }
}

/// Without curated answers, the material's own strongest sentences stand in: the theme's
/// best evidence for why it is a good example, management evidence for leadership, and a
/// sentence about companies for business, each sentence used once.
fn automatic_answers(m: &Material, theme_id: &str) -> [Option<String>; 3] {
    let snippets_of = |id: Option<&str>| -> Vec<&str> {
        m.themes
            .iter()
            .filter(|t| id.is_none_or(|id| t.id == id))
            .flat_map(|t| t.snippets.iter().map(String::as_str))
            .collect()
    };
    let mut used: Vec<String> = Vec::new();
    let mut pick = |candidates: Vec<&str>| -> Option<String> {
        let found = candidates
            .into_iter()
            .find(|s| !used.iter().any(|u| u == s))?;
        used.push(found.to_string());
        Some(found.to_string())
    };
    let why = pick(snippets_of(Some(theme_id)));
    let leadership =
        pick(snippets_of(Some("johtaminen"))).or_else(|| pick(snippets_of(Some(theme_id))));
    let business_words = [
        "yritys",
        "yritykse",
        "yrityks",
        "yritysten",
        "elinkeino",
        "compan",
        "business",
    ];
    let business = pick(
        snippets_of(None)
            .into_iter()
            .filter(|s| {
                let l = s.to_lowercase();
                business_words.iter().any(|w| l.contains(w))
            })
            .collect(),
    );
    [why, leadership, business]
}

/// Text from documents goes into Markdown as data: characters that would start markup are
/// escaped, line breaks flattened.
pub(crate) fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_document_text_is_escaped() {
        assert_eq!(
            escape_inline("<script>a|b</script>"),
            "\\<script\\>a\\|b\\</script\\>"
        );
        assert_eq!(escape_inline("rivi\nrivi"), "rivi rivi");
    }

    #[test]
    fn links_escape_spaces_and_parentheses() {
        assert_eq!(
            link("../d/", "Oulu/Työpaketti 5 (TP5).pdf"),
            "../d/Oulu/Työpaketti%205%20%28TP5%29.pdf"
        );
    }
}

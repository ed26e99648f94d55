//! Output language: Finnish as the seed summary, or English.

use kooste_model::ThemeInfo;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fi,
    En,
}

impl Lang {
    pub fn theme_title(self, theme: &ThemeInfo) -> &str {
        match self {
            Lang::Fi => &theme.title_fi,
            Lang::En => &theme.title_en,
        }
    }

    /// A fixed text of the outputs in this language.
    pub fn text(self, key: Text) -> &'static str {
        use Text::*;
        match (self, key) {
            (Lang::Fi, SummaryTitle) => "Kooste esimerkeistä",
            (Lang::En, SummaryTitle) => "Summary of examples",
            (Lang::Fi, Introduction) => "Alustus",
            (Lang::En, Introduction) => "Introduction",
            (Lang::Fi, City) => "Kaupunki",
            (Lang::En, City) => "City",
            (Lang::Fi, MaterialRef) => "Viittaus materiaaliin",
            (Lang::En, MaterialRef) => "Reference to material",
            (Lang::Fi, Example) => "Esimerkki",
            (Lang::En, Example) => "Example",
            (Lang::Fi, File) => "Tiedosto",
            (Lang::En, File) => "File",
            (Lang::Fi, Theme) => "Teema",
            (Lang::En, Theme) => "Theme",
            (Lang::Fi, WhyGood) => "Miksi hyvä esimerkki",
            (Lang::En, WhyGood) => "Why a good example",
            (Lang::Fi, Leadership) => "Miten voitaisiin käyttää johtamisessa",
            (Lang::En, Leadership) => "How it could be used in management",
            (Lang::Fi, Business) => "Miksi yritykset voisivat hyötyä",
            (Lang::En, Business) => "Why companies could benefit",
            (Lang::Fi, Automatic) => "automaattinen poiminta",
            (Lang::En, Automatic) => "picked automatically",
            (Lang::Fi, NoMaterials) => "–",
            (Lang::En, NoMaterials) => "–",
            (Lang::Fi, NoCity) => "Yhteiset tai kaupunki ei tiedossa",
            (Lang::En, NoCity) => "Joint or city unknown",
            (Lang::Fi, NoExamples) => "Teemaan ei löytynyt esimerkkejä.",
            (Lang::En, NoExamples) => "No examples were found for this theme.",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    SummaryTitle,
    Introduction,
    City,
    MaterialRef,
    Example,
    File,
    Theme,
    WhyGood,
    Leadership,
    Business,
    Automatic,
    NoMaterials,
    NoCity,
    NoExamples,
}

//! Output language: Finnish as the seed summary, or English.

use kooste_model::{ErrorKind, Status, ThemeInfo};

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
            Lang::En if theme.title_en.trim().is_empty() => &theme.title_fi,
            Lang::En => &theme.title_en,
        }
    }

    /// The Finnish or the English of a one-off text.
    pub(crate) fn pick<'a>(self, fi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fi => fi,
            Lang::En => en,
        }
    }

    /// `lang` attribute of the HTML page.
    pub(crate) fn code(self) -> &'static str {
        self.pick("fi", "en")
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
            (Lang::Fi, Themes) => "Teemat",
            (Lang::En, Themes) => "Themes",
            (Lang::Fi, WorkPackage) => "Työpaketti",
            (Lang::En, WorkPackage) => "Work package",
            (Lang::Fi, WhyGood) => "Miksi hyvä esimerkki",
            (Lang::En, WhyGood) => "Why a good example",
            (Lang::Fi, Leadership) => "Miten voitaisiin käyttää johtamisessa",
            (Lang::En, Leadership) => "How it could be used in management",
            (Lang::Fi, Business) => "Miksi yritykset voisivat hyötyä",
            (Lang::En, Business) => "Why companies could benefit",
            (Lang::Fi, Automatic) => "automaattinen poiminta",
            (Lang::En, Automatic) => "picked automatically",
            (Lang::Fi, NothingPicked) => "Materiaalista ei löytynyt tähän sopivaa lausetta.",
            (Lang::En, NothingPicked) => "No sentence of the material fits here.",
            (Lang::Fi, Manual) => "käsin",
            (Lang::En, Manual) => "manual",
            (Lang::Fi, NoMaterials) => "–",
            (Lang::En, NoMaterials) => "–",
            (Lang::Fi, NoCity) => "Yhteiset tai kaupunki ei tiedossa",
            (Lang::En, NoCity) => "Joint or city unknown",
            (Lang::Fi, NoExamples) => "Teemaan ei löytynyt esimerkkejä.",
            (Lang::En, NoExamples) => "No examples were found for this theme.",
            (Lang::Fi, Contacts) => "Lisätietoja",
            (Lang::En, Contacts) => "Further information",
            (Lang::Fi, Materials) => "Kaikki materiaalit",
            (Lang::En, Materials) => "All materials",
            (Lang::Fi, Material) => "Materiaali",
            (Lang::En, Material) => "Material",
            (Lang::Fi, Status) => "Tila",
            (Lang::En, Status) => "Status",
            (Lang::Fi, Evidence) => "Perusteet",
            (Lang::En, Evidence) => "Evidence",
            (Lang::Fi, Score) => "Pisteet",
            (Lang::En, Score) => "Score",
            (Lang::Fi, Path) => "Polku",
            (Lang::En, Path) => "Path",
            (Lang::Fi, Title) => "Otsikko",
            (Lang::En, Title) => "Title",
            (Lang::Fi, Audit) => "Auditointi",
            (Lang::En, Audit) => "Audit",
            (Lang::Fi, All) => "kaikki",
            (Lang::En, All) => "all",
            (Lang::Fi, NoTheme) => "ei teemaa",
            (Lang::En, NoTheme) => "no theme",
            (Lang::Fi, NoCityShort) => "ei kaupunkia",
            (Lang::En, NoCityShort) => "no city",
            (Lang::Fi, NoTp) => "ei työpakettia",
            (Lang::En, NoTp) => "no work package",
            (Lang::Fi, Search) => "Haku",
            (Lang::En, Search) => "Search",
        }
    }

    pub fn status(self, status: Status) -> &'static str {
        match status {
            Status::Ok => self.pick("luettu", "read"),
            Status::Empty => self.pick("tyhjä", "empty"),
            Status::Error => self.pick("lukuvirhe", "unreadable"),
        }
    }

    /// A heading for the files that failed in one way.
    pub fn error_kind(self, kind: ErrorKind) -> &'static str {
        match kind {
            ErrorKind::Encrypted => self.pick("Salatut", "Encrypted"),
            ErrorKind::Corrupt => self.pick("Vioittuneet", "Corrupt"),
            ErrorKind::Unsupported => self.pick("Tukemattomat muodot", "Unsupported formats"),
            ErrorKind::TooLarge => self.pick("Liian suuret", "Too large"),
            ErrorKind::Timeout => self.pick("Aikaraja ylittyi", "Timed out"),
            ErrorKind::Io => self.pick("Lukuvirheet", "Read errors"),
        }
    }

    /// What is wrong with one unreadable file, for a row of its own: "salattu".
    pub fn error_kind_one(self, kind: ErrorKind) -> &'static str {
        match kind {
            ErrorKind::Encrypted => self.pick("salattu", "encrypted"),
            ErrorKind::Corrupt => self.pick("vioittunut", "corrupt"),
            ErrorKind::Unsupported => self.pick("tukematon muoto", "unsupported format"),
            ErrorKind::TooLarge => self.pick("liian suuri", "too large"),
            ErrorKind::Timeout => self.pick("aikaraja ylittyi", "timed out"),
            ErrorKind::Io => self.pick("lukuvirhe", "read error"),
        }
    }

    /// What a person can do about files that could not be read for this reason.
    pub fn error_remedy(self, kind: ErrorKind) -> &'static str {
        match kind {
            ErrorKind::Encrypted => self.pick(
                "Pyydä tiedosto ilman salasanaa tai tallenna se uudelleen ilman suojausta.",
                "Ask for the file without a password, or save it again unprotected.",
            ),
            ErrorKind::Corrupt => self.pick(
                "Avaa ja tallenna tiedosto uudelleen ohjelmalla, jolla se tehtiin, tai hae ehjä kopio.",
                "Open and save the file again in the program that made it, or fetch an intact copy.",
            ),
            ErrorKind::Unsupported => self.pick(
                "Tallenna tiedosto muodossa, jonka kooste lukee (esimerkiksi PDF, DOCX, PPTX tai XLSX).",
                "Save the file in a format kooste reads (PDF, DOCX, PPTX or XLSX, for example).",
            ),
            ErrorKind::TooLarge => self.pick(
                "Jaa tiedosto pienempiin osiin.",
                "Split the file into smaller parts.",
            ),
            ErrorKind::Timeout => self.pick(
                "Aja uudelleen pidemmällä aikarajalla, esimerkiksi `kooste run --timeout 300`.",
                "Run again with a longer time limit, `kooste run --timeout 300` for example.",
            ),
            ErrorKind::Io => self.pick(
                "Tarkista, että tiedosto on luettavissa (käyttöoikeudet, synkronointi).",
                "Check that the file can be read (permissions, syncing).",
            ),
        }
    }

    /// A run's time stamp (RFC 3339) as a date a reader expects: 13.3.2018 or 2018-03-13.
    pub(crate) fn date(self, rfc3339: &str) -> String {
        let day = rfc3339.get(..10).unwrap_or(rfc3339);
        let parts: Vec<u32> = day.split('-').filter_map(|p| p.parse().ok()).collect();
        match (self, parts.as_slice()) {
            (Lang::Fi, [y, m, d]) => format!("{d}.{m}.{y}"),
            _ => day.to_string(),
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
    Themes,
    WorkPackage,
    WhyGood,
    Leadership,
    Business,
    Automatic,
    NothingPicked,
    Manual,
    NoMaterials,
    NoCity,
    NoExamples,
    Contacts,
    Materials,
    Material,
    Status,
    Evidence,
    Score,
    Path,
    Title,
    Audit,
    All,
    NoTheme,
    NoCityShort,
    NoTp,
    Search,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_in_each_language() {
        assert_eq!(Lang::Fi.date("2018-03-13T00:00:00Z"), "13.3.2018");
        assert_eq!(Lang::En.date("2018-03-13T00:00:00Z"), "2018-03-13");
        assert_eq!(Lang::Fi.date("huomenna"), "huomenna");
    }
}

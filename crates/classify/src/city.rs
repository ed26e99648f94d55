//! Which city a material belongs to: folder and file name first, then metadata, then what
//! the text mentions most, in any inflection.

use kooste_model::{City, CitySource};

/// Inflected forms of each city start with one of these (Helsinki/Helsingin/Helsingissä,
/// Turku/Turun/Turussa/Turkuun, ...). The consonant gradation of Helsinki and Turku is why
/// there are two stems each.
fn stems(city: City) -> &'static [&'static str] {
    match city {
        City::Espoo => &["espoo", "espoa"],
        City::Helsinki => &["helsink", "helsing"],
        City::Oulu => &["oulu"],
        City::Tampere => &["tampere", "tamperee"],
        City::Turku => &["turku", "turu"],
        City::Vantaa => &["vantaa", "vantaal"],
    }
}

/// Endings a city name may carry: cases, possessives, and the adjective forms
/// (helsinkiläinen, turkulaisten).
const ENDINGS: &[&str] = &[
    "", "i", "n", "ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "lle", "han", "hun",
    "seen", "un", "uun", "een", "aan", "a", "ä", "n:", "laine", "lais", "läis", "läine", "iläi",
    "ilai", "in", "iin", "issa", "issä", "ista", "istä", "ille", "ilta",
];

/// The city a single word names, if any.
pub(crate) fn city_of_word(word: &str) -> Option<City> {
    City::ALL.into_iter().find(|&city| {
        stems(city).iter().any(|stem| {
            word.strip_prefix(stem).is_some_and(|rest| {
                ENDINGS
                    .iter()
                    .any(|e| rest == *e || (e.len() >= 4 && rest.starts_with(e)))
            })
        })
    })
}

fn cities_in(text: &str) -> Vec<City> {
    crate::text::words(text)
        .into_iter()
        .filter_map(|w| city_of_word(w.text))
        .collect()
}

/// Decides the city from the strongest source that names exactly one. `path` is the
/// material's path relative to the drive; `meta` its title and author; `text` the body,
/// all normalised.
pub fn detect_city(path: &str, meta: &[&str], text: &str) -> Option<(City, CitySource)> {
    let segments: Vec<&str> = path.split('/').collect();
    let (folders, file) = match segments.split_last() {
        Some((file, folders)) => (folders, *file),
        None => (&[][..], path),
    };
    // The top-most folder naming a city owns the material.
    for folder in folders {
        if let Some(city) = single(&cities_in(folder)) {
            return Some((city, CitySource::Folder));
        }
    }
    if let Some(city) = single(&cities_in(file)) {
        return Some((city, CitySource::FileName));
    }
    let meta_cities: Vec<City> = meta.iter().flat_map(|m| cities_in(m)).collect();
    if let Some(city) = single(&meta_cities) {
        return Some((city, CitySource::Metadata));
    }
    dominant(&cities_in(text)).map(|c| (c, CitySource::Text))
}

/// The only city named, however often.
fn single(cities: &[City]) -> Option<City> {
    let first = *cities.first()?;
    cities.iter().all(|&c| c == first).then_some(first)
}

/// A clear winner among mentions: at least three, and at least twice the runner-up. Joint
/// material that names all six cities gets none.
fn dominant(cities: &[City]) -> Option<City> {
    let mut counts: Vec<(City, usize)> = City::ALL
        .iter()
        .map(|&c| (c, cities.iter().filter(|&&x| x == c).count()))
        .collect();
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    let (city, top) = counts[0];
    let second = counts[1].1;
    (top >= 3 && top >= 2 * second).then_some(city)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_city_names() {
        for (word, city) in [
            ("helsingin", City::Helsinki),
            ("helsingissä", City::Helsinki),
            ("helsinkiläinen", City::Helsinki),
            ("espoon", City::Espoo),
            ("espoossa", City::Espoo),
            ("vantaalla", City::Vantaa),
            ("vantaan", City::Vantaa),
            ("tampereen", City::Tampere),
            ("tampereella", City::Tampere),
            ("turun", City::Turku),
            ("turussa", City::Turku),
            ("turkulaisten", City::Turku),
            ("oulun", City::Oulu),
            ("oulussa", City::Oulu),
        ] {
            assert_eq!(city_of_word(word), Some(city), "{word}");
        }
        for word in [
            "oulujoki",
            "vantaanjoki",
            "espanja",
            "turvallisuus",
            "turunen",
        ] {
            assert_eq!(city_of_word(word), None, "{word}");
        }
    }

    #[test]
    fn folder_beats_file_name_beats_text() {
        assert_eq!(
            detect_city("helsinki/tp2/vantaa_vertailu.pdf", &[], "oulu oulu oulu"),
            Some((City::Helsinki, CitySource::Folder))
        );
        assert_eq!(
            detect_city("yhteiset/vantaa_asiakastuki.docx", &[], ""),
            Some((City::Vantaa, CitySource::FileName))
        );
        assert_eq!(
            detect_city("x.pdf", &["tampereen kaupunki"], ""),
            Some((City::Tampere, CitySource::Metadata))
        );
    }

    #[test]
    fn text_needs_a_clear_winner() {
        assert_eq!(
            detect_city(
                "x.pdf",
                &[],
                "oulun kaupunki. oulussa. oulun palvelut. espoo."
            ),
            Some((City::Oulu, CitySource::Text))
        );
        assert_eq!(
            detect_city(
                "x.pdf",
                &[],
                "helsinki espoo vantaa turku tampere oulu helsinki"
            ),
            None
        );
        assert_eq!(detect_city("x.pdf", &[], "oulussa kerran"), None);
    }
}

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One of the six cities of the 6Aika cooperation. A material belongs to one city or to none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum City {
    Espoo,
    Helsinki,
    Oulu,
    Tampere,
    Turku,
    Vantaa,
}

impl City {
    /// In the seed summary's row order (alphabetical).
    pub const ALL: [City; 6] = [
        City::Espoo,
        City::Helsinki,
        City::Oulu,
        City::Tampere,
        City::Turku,
        City::Vantaa,
    ];

    /// The city a person names in a labels or annotations file: the name in any letter case,
    /// or as people write it: "Helsingin kaupunki", "Espoon", "City of Turku", the Swedish
    /// name. `None` for anything else.
    pub fn named(value: &str) -> Option<City> {
        let name = value.trim().to_lowercase();
        let name = name.strip_prefix("city of ").unwrap_or(&name);
        let name = ["kaupunki", "city", "stad"]
            .iter()
            .find_map(|w| name.strip_suffix(w))
            .map_or(name, str::trim_end);
        let city = match name {
            "helsingin" | "helsingfors" => City::Helsinki,
            "espoon" | "esbo" => City::Espoo,
            "vantaan" | "vanda" => City::Vantaa,
            "tampereen" | "tammerfors" => City::Tampere,
            "turun" | "åbo" => City::Turku,
            "oulun" | "uleåborg" => City::Oulu,
            _ => return name.parse().ok(),
        };
        Some(city)
    }

    pub fn name(self) -> &'static str {
        match self {
            City::Espoo => "Espoo",
            City::Helsinki => "Helsinki",
            City::Oulu => "Oulu",
            City::Tampere => "Tampere",
            City::Turku => "Turku",
            City::Vantaa => "Vantaa",
        }
    }
}

impl fmt::Display for City {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown city {0:?}; expected one of Espoo, Helsinki, Oulu, Tampere, Turku, Vantaa")]
pub struct UnknownCity(pub String);

impl FromStr for City {
    type Err = UnknownCity;

    /// Accepts the base name in any letter case; inflected forms are the classifier's business.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_lowercase();
        City::ALL
            .into_iter()
            .find(|c| c.name().to_lowercase() == wanted)
            .ok_or_else(|| UnknownCity(s.to_string()))
    }
}

/// Which evidence decided a material's city, so that the audit can show how sure we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CitySource {
    /// A folder of the material's path names the city.
    Folder,
    /// The file name names the city.
    FileName,
    /// Document metadata (title, author, ...) names the city.
    Metadata,
    /// The text mentions the city clearly more than any other.
    Text,
    /// A person set it in the annotations file.
    Manual,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_in_any_case_and_rejects_others() {
        assert_eq!("helsinki".parse::<City>(), Ok(City::Helsinki));
        assert_eq!(" VANTAA ".parse::<City>(), Ok(City::Vantaa));
        assert!("Helsingin".parse::<City>().is_err());
        assert!("Lahti".parse::<City>().is_err());
    }

    #[test]
    fn names_as_people_write_them() {
        for (written, city) in [
            ("Helsingin kaupunki", Some(City::Helsinki)),
            (" espoon ", Some(City::Espoo)),
            ("City of Turku", Some(City::Turku)),
            ("Åbo stad", Some(City::Turku)),
            ("Tammerfors", Some(City::Tampere)),
            ("VANTAA", Some(City::Vantaa)),
            ("Oulun kaupunki", Some(City::Oulu)),
            ("Lahti", None),
            ("Lahden kaupunki", None),
            ("kaupunki", None),
            ("", None),
        ] {
            assert_eq!(City::named(written), city, "{written}");
        }
    }

    #[test]
    fn all_is_in_alphabetical_order() {
        let names: Vec<_> = City::ALL.iter().map(|c| c.name()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }
}

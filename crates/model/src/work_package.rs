use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A work package (työpaketti) of the project, `TP1` to `TP5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkPackage(u8);

impl WorkPackage {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 5;

    pub fn new(number: u8) -> Option<WorkPackage> {
        (Self::MIN..=Self::MAX)
            .contains(&number)
            .then_some(WorkPackage(number))
    }

    pub fn number(self) -> u8 {
        self.0
    }

    pub fn all() -> impl Iterator<Item = WorkPackage> {
        (Self::MIN..=Self::MAX).map(WorkPackage)
    }
}

impl fmt::Display for WorkPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TP{}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown work package {0:?}; expected TP1..TP5")]
pub struct UnknownWorkPackage(pub String);

impl FromStr for WorkPackage {
    type Err = UnknownWorkPackage;

    /// Accepts the canonical `TP2` (any case, optional space); the many spellings found in
    /// file names are recognised by the classifier, not here.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let digits = t
            .get(..2)
            .filter(|p| p.eq_ignore_ascii_case("tp"))
            .and_then(|_| t.get(2..))
            .map(str::trim)
            .ok_or_else(|| UnknownWorkPackage(s.to_string()))?;
        digits
            .parse::<u8>()
            .ok()
            .and_then(WorkPackage::new)
            .ok_or_else(|| UnknownWorkPackage(s.to_string()))
    }
}

impl Serialize for WorkPackage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for WorkPackage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_canonical_names() {
        for wp in WorkPackage::all() {
            assert_eq!(wp.to_string().parse::<WorkPackage>(), Ok(wp));
        }
        assert_eq!("tp 3".parse::<WorkPackage>().ok(), WorkPackage::new(3));
    }

    #[test]
    fn rejects_out_of_range_and_garbage() {
        for bad in ["TP0", "TP6", "TP", "3", "TPx", "T", ""] {
            assert!(bad.parse::<WorkPackage>().is_err(), "{bad}");
        }
        assert_eq!(WorkPackage::new(0), None);
        assert_eq!(WorkPackage::new(6), None);
    }
}

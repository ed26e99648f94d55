//! Every theme's score of a material. A drive of tens of thousands of materials holds one of
//! these per material for the whole run, so it is one small allocation: theme ids are
//! shared (interned), and entries sit in one sorted vector instead of a tree of nodes and
//! one string per key. It reads and writes as the JSON object a map would.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::{Arc, Mutex};

/// Theme scores by theme id, in id order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scores(Vec<(Arc<str>, f64)>);

impl Scores {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, id: &str) -> Option<&f64> {
        self.position(id).ok().map(|i| &self.0[i].1)
    }

    /// Sets a theme's score, replacing the one it had.
    pub fn insert(&mut self, id: &str, score: f64) {
        match self.position(id) {
            Ok(i) => self.0[i].1 = score,
            Err(i) => self.0.insert(i, (intern(id), score)),
        }
    }

    /// Removes every score, keeping the room they took.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &f64)> {
        self.0.iter().map(|(id, score)| (&**id, score))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn position(&self, id: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| (**k).cmp(id))
    }
}

impl<K: AsRef<str>> FromIterator<(K, f64)> for Scores {
    fn from_iter<I: IntoIterator<Item = (K, f64)>>(iter: I) -> Self {
        let mut scores = Scores::new();
        for (id, score) in iter {
            scores.insert(id.as_ref(), score);
        }
        scores.0.shrink_to_fit();
        scores
    }
}

/// Ids seen so far. Rules hold a handful of themes; ids past this many (only a hostile
/// index would carry them) are allocated each time instead of kept for the whole run.
const INTERNED_MAX: usize = 256;
static INTERNED: Mutex<Vec<Arc<str>>> = Mutex::new(Vec::new());

thread_local! {
    /// The ids this thread has interned: every output reads every material's scores, and
    /// the shared list's lock is then taken only for an id new to the thread.
    static SEEN: std::cell::RefCell<Vec<Arc<str>>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn intern(id: &str) -> Arc<str> {
    let seen = SEEN.with_borrow(|seen| seen.iter().find(|k| ***k == *id).cloned());
    if let Some(known) = seen {
        return known;
    }
    let shared = {
        // A panic elsewhere while the lock was held leaves the list whole: it only grows.
        let mut pool = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
        match pool.iter().find(|k| ***k == *id) {
            Some(known) => Some(Arc::clone(known)),
            None if pool.len() < INTERNED_MAX => {
                let id: Arc<str> = Arc::from(id);
                pool.push(Arc::clone(&id));
                Some(id)
            }
            None => None,
        }
    };
    match shared {
        Some(id) => {
            SEEN.with_borrow_mut(|seen| seen.push(Arc::clone(&id)));
            id
        }
        None => Arc::from(id),
    }
}

impl Serialize for Scores {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (id, score) in &self.0 {
            map.serialize_entry(&**id, score)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Scores {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScoresVisitor;
        impl<'de> Visitor<'de> for ScoresVisitor {
            type Value = Scores;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of theme scores")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scores, A::Error> {
                let mut scores = Scores::new();
                while let Some((id, score)) = map.next_entry::<std::borrow::Cow<'de, str>, f64>()? {
                    scores.insert(&id, score);
                }
                scores.0.shrink_to_fit();
                Ok(scores)
            }
        }
        deserializer.deserialize_map(ScoresVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_as_a_map_in_id_order() {
        let s: Scores = [
            ("osallisuus", 2.5),
            ("asiakastieto", 1.0),
            ("osallisuus", 3.0),
        ]
        .into_iter()
        .collect();
        assert_eq!(s.len(), 2);
        assert_eq!(s.get("osallisuus"), Some(&3.0), "the last value wins");
        assert_eq!(s.get("johtaminen"), None);
        let json = serde_json::to_string(&s).unwrap_or_default();
        assert_eq!(json, r#"{"asiakastieto":1.0,"osallisuus":3.0}"#);
        let back: Scores = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, s);
        // As a BTreeMap wrote and reads it.
        let map: std::collections::BTreeMap<String, f64> =
            serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(serde_json::to_string(&map).unwrap_or_default(), json);
        let unsorted: Scores =
            serde_json::from_str(r#"{"b":1.0,"a":2.0,"b":4.0}"#).unwrap_or_default();
        assert_eq!(
            unsorted.iter().collect::<Vec<_>>(),
            [("a", &2.0), ("b", &4.0)]
        );
        assert!(serde_json::from_str::<Scores>(r#"{"a":"x"}"#).is_err());
        assert!(serde_json::from_str::<Scores>("[1]").is_err());
    }

    #[test]
    fn ids_are_shared_not_copied() {
        let a: Scores = [("digitaalisuus", 1.0)].into_iter().collect();
        let b: Scores = serde_json::from_str(r#"{"digitaalisuus":2.0}"#).unwrap_or_default();
        assert!(Arc::ptr_eq(&a.0[0].0, &b.0[0].0));
    }
}

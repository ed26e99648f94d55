//! Contents being extracted right now, so that a copy met meanwhile is classified from that
//! extraction once it is stored, instead of being extracted again.
//!
//! A copy of a large file is often met while the first is still in its worker: the stored
//! extraction is not there yet, and extracting the copy as well cost 70–115 ms of worker time
//! per 5,000-file run of the scale benchmark. Waiting for it would leave a core idle, so the
//! copy is put aside instead and classified from the stored extraction after the scan.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

#[derive(Default)]
pub(crate) struct InFlight {
    /// Content hash and file extension: what a stored extraction is keyed by.
    keys: Mutex<HashSet<(String, String)>>,
}

/// The right to extract one content, given back when dropped.
pub(crate) struct Claim<'a> {
    owner: &'a InFlight,
    key: (String, String),
}

impl InFlight {
    /// The claim on `hash` as read with extension `ext`, unless another thread holds it.
    pub(crate) fn claim(&self, hash: &str, ext: &str) -> Option<Claim<'_>> {
        let key = (hash.to_string(), ext.to_string());
        let fresh = self
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone());
        // Built only when won: a Claim gives its key back when dropped, and one built for a
        // lost claim would give back the winner's.
        fresh.then(|| Claim { owner: self, key })
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        self.owner
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_is_claimed_once_at_a_time() {
        let in_flight = InFlight::default();
        let first = in_flight.claim("abc", "pdf");
        assert!(first.is_some());
        assert!(in_flight.claim("abc", "pdf").is_none());
        // A lost claim leaves the winner's standing.
        assert!(in_flight.claim("abc", "pdf").is_none());
        // Another extension is another extraction.
        assert!(in_flight.claim("abc", "docx").is_some());
        drop(first);
        assert!(in_flight.claim("abc", "pdf").is_some());
    }
}

//! The matcher's automaton re-laid for the scan loop.
//!
//! An `aho_corasick` automaton answers `next_state` through a general interface: a byte-class
//! lookup, a checked index and a test for special states per byte. The scan spends most of
//! its time in that step, so the automaton's states are copied once into a flat table made
//! for it: next states premultiplied by a power-of-two stride, the table padded to a power
//! of two so that an index masked with its length needs no bounds check, and states numbered
//! so that the match states come first (a state is a match state when its id is below one
//! limit).

use aho_corasick::Anchored;
use aho_corasick::automaton::{Automaton, StateID};

/// Tables larger than this many entries (4 bytes each, 16 MiB in all) are not made: the
/// automaton is then walked as it is. The default rules take 262,144 (6,838 states of 30
/// byte classes), so rules sixteen times as large still get a table.
const MAX_ENTRIES: usize = 1 << 22;

pub(crate) struct ScanTable {
    /// Byte to its class: bytes of one class lead from every state to the same state.
    classes: [u8; 256],
    /// Next state by `state + class`; states are premultiplied by the stride.
    trans: Vec<u32>,
    /// `trans.len() - 1`, a power of two less one.
    mask: usize,
    start: u32,
    /// Premultiplied ids below this are match states.
    match_limit: u32,
    log2_stride: u32,
    /// Per match state (in id order): its range in `patterns`.
    match_ranges: Vec<(u32, u32)>,
    patterns: Vec<u32>,
}

impl ScanTable {
    /// The automaton's states reachable from its unanchored start, or `None` when they would
    /// make a table above [`MAX_ENTRIES`] or the automaton has no unanchored start. `patterns`
    /// are the automaton's patterns: a byte in none of them leads every state back to the
    /// start, so all such bytes are one class and the rest a class each.
    pub(crate) fn new<A: Automaton>(a: &A, patterns: &[String]) -> Option<ScanTable> {
        let mut in_patterns = [false; 256];
        for b in patterns.iter().flat_map(|p| p.bytes()) {
            in_patterns[usize::from(b)] = true;
        }
        // `representatives[c]` is a byte of class c; the bytes of no pattern, if there are
        // any, are class 0.
        let mut representatives: Vec<u8> = (0..=255u8)
            .find(|&b| !in_patterns[usize::from(b)])
            .into_iter()
            .collect();
        let mut classes = [0u8; 256];
        for b in 0..=255u8 {
            if in_patterns[usize::from(b)] {
                // At most 256 classes: the index fits in a byte.
                classes[usize::from(b)] = representatives.len() as u8;
                representatives.push(b);
            }
        }
        let start = a.start_state(Anchored::No).ok()?;
        // Reachable states in breadth-first order, with every class's next state; the
        // automaton's ids are indices of `index` (u32::MAX: not seen yet).
        let mut index: Vec<u32> = Vec::new();
        let mut number = |sid: StateID, states: &mut Vec<StateID>| -> u32 {
            let i = sid.as_usize();
            if index.len() <= i {
                index.resize(i + 1, u32::MAX);
            }
            if index[i] == u32::MAX {
                index[i] = states.len() as u32;
                states.push(sid);
            }
            index[i]
        };
        let mut states = Vec::new();
        number(start, &mut states);
        let mut next: Vec<u32> = Vec::new();
        let width = representatives.len();
        let mut i = 0;
        while let Some(&sid) = states.get(i) {
            for &b in &representatives {
                let to = a.next_state(Anchored::No, sid, b);
                next.push(number(to, &mut states));
            }
            if states.len().saturating_mul(width) > MAX_ENTRIES {
                return None;
            }
            i += 1;
        }
        let log2_stride = width.next_power_of_two().trailing_zeros();
        // Match states first, each group in breadth-first order.
        let is_match: Vec<bool> = states.iter().map(|&s| a.is_match(s)).collect();
        let mut order: Vec<usize> = (0..states.len()).collect();
        order.sort_by_key(|&k| !is_match[k]);
        let entries = (states.len() << log2_stride).next_power_of_two();
        if entries > MAX_ENTRIES {
            return None;
        }
        // Below MAX_ENTRIES, every premultiplied id fits in u32.
        let mut new_id = vec![0u32; states.len()];
        for (id, &k) in order.iter().enumerate() {
            new_id[k] = (id << log2_stride) as u32;
        }
        let mut trans = vec![0u32; entries];
        let mut match_ranges = Vec::new();
        let mut patterns = Vec::new();
        for &k in &order {
            let base = new_id[k] as usize;
            for (class, &to) in next[k * width..(k + 1) * width].iter().enumerate() {
                trans[base + class] = new_id[to as usize];
            }
            if is_match[k] {
                let from = patterns.len() as u32;
                let sid = states[k];
                patterns.extend((0..a.match_len(sid)).map(|m| a.match_pattern(sid, m).as_u32()));
                match_ranges.push((from, patterns.len() as u32));
            }
        }
        let matches = is_match.iter().filter(|&&m| m).count();
        Some(ScanTable {
            classes,
            mask: entries - 1,
            trans,
            start: new_id[0],
            match_limit: (matches as u32) << log2_stride,
            log2_stride,
            match_ranges,
            patterns,
        })
    }
}

/// One step of an automaton at a time, as the scan loop needs it.
pub(crate) trait Walk {
    type State: Copy;
    fn start(&self) -> Option<Self::State>;
    /// The next state and whether it may be a match state.
    fn step(&self, state: Self::State, byte: u8) -> (Self::State, bool);
    /// The patterns that end in `state`, each with `end`.
    fn record(&self, state: Self::State, end: usize, out: &mut Vec<(u32, u32)>);
}

impl Walk for ScanTable {
    type State = u32;

    fn start(&self) -> Option<u32> {
        Some(self.start)
    }

    #[inline(always)]
    fn step(&self, state: u32, byte: u8) -> (u32, bool) {
        let trans = &self.trans[..=self.mask];
        let class = u32::from(self.classes[usize::from(byte)]);
        let next = trans[(state + class) as usize & self.mask];
        (next, next < self.match_limit)
    }

    fn record(&self, state: u32, end: usize, out: &mut Vec<(u32, u32)>) {
        if state >= self.match_limit {
            return;
        }
        let Some(&(from, to)) = self.match_ranges.get((state >> self.log2_stride) as usize) else {
            return;
        };
        if let Some(patterns) = self.patterns.get(from as usize..to as usize) {
            out.extend(patterns.iter().map(|&p| (end as u32, p)));
        }
    }
}

/// An `aho_corasick` automaton walked as it is, for rules too large for a [`ScanTable`].
pub(crate) struct Direct<A>(pub A);

impl<A: Automaton> Walk for Direct<A> {
    type State = StateID;

    fn start(&self) -> Option<StateID> {
        self.0.start_state(Anchored::No).ok()
    }

    #[inline(always)]
    fn step(&self, state: StateID, byte: u8) -> (StateID, bool) {
        let next = self.0.next_state(Anchored::No, state, byte);
        (next, self.0.is_special(next))
    }

    fn record(&self, state: StateID, end: usize, out: &mut Vec<(u32, u32)>) {
        if self.0.is_match(state) {
            for m in 0..self.0.match_len(state) {
                out.push((end as u32, self.0.match_pattern(state, m).as_u32()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{MatchKind, nfa::noncontiguous::NFA};

    fn walk<W: Walk>(w: &W, text: &[u8]) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let Some(mut state) = w.start() else {
            return out;
        };
        for (i, &b) in text.iter().enumerate() {
            let (next, special) = w.step(state, b);
            state = next;
            if special {
                w.record(state, i + 1, &mut out);
            }
        }
        out
    }

    /// The table reports what the automaton it was made from reports, at every byte.
    #[test]
    fn the_table_matches_as_the_automaton_does() {
        let patterns: Vec<String> = [
            "he",
            "she",
            "his",
            "hers",
            "ä",
            "äiti",
            "iti",
            "asiakas",
            "asiakkaa",
            "kas",
            "a",
            "tp",
            "työpaket",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        let nfa = NFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&patterns)
            .unwrap_or_else(|e| panic!("{e}"));
        let table = ScanTable::new(&nfa, &patterns).unwrap_or_else(|| panic!("no table"));
        let alphabet: Vec<&[u8]> = vec![
            b"h",
            b"e",
            b"s",
            b"r",
            b"i",
            b"t",
            b"a",
            b"k",
            b" ",
            b"p",
            b"y",
            "ä".as_bytes(),
            "ö".as_bytes(),
            b"\xff",
            b"\x00",
        ];
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..2_000 {
            let mut text = Vec::new();
            for _ in 0..60 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                text.extend_from_slice(alphabet[(rng % alphabet.len() as u64) as usize]);
            }
            assert_eq!(walk(&table, &text), walk(&Direct(&nfa), &text), "{text:?}");
        }
        // Bytes in no pattern share one class; a table is no larger than it must be.
        assert!(table.trans.len() <= MAX_ENTRIES);
        assert_eq!(
            table.classes[usize::from(b'z')],
            table.classes[usize::from(b'!')]
        );
    }
}

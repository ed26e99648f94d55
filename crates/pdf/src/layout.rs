//! From positioned glyphs to text in reading order.
//!
//! The approach is the one pdftotext takes (xpdf's TextOutputDev), so that the two agree
//! word for word: glyphs join into words where they sit next to each other on one
//! baseline; words gather into blocks (a paragraph or a table cell) of lines of similar
//! size and spacing; blocks are put in reading order by a topological sort on "above, with
//! overlapping columns" and "left of, with nothing in between" (Breuel's rules), with
//! aligned grids of blocks read as tables, row by row.
//!
//! Each writing direction (four rotations) is laid out in its own frame, in which text
//! runs left to right and lines go down: `p` is the position along the line, `s` across.

use std::collections::BTreeMap;

use crate::budget::{Budget, Stop};

/// A glyph (or a glyph's worth of text) drawn on the page, in page space: points from the
/// top-left corner of the (rotated) media box, y growing down.
pub(crate) struct Char<'a> {
    pub(crate) x: f64,
    pub(crate) y: f64,
    /// The glyph's advance, without character and word spacing.
    pub(crate) w: f64,
    pub(crate) h: f64,
    pub(crate) font_size: f64,
    pub(crate) rot: u8,
    pub(crate) diagonal: bool,
    pub(crate) text: &'a str,
    pub(crate) font: usize,
    pub(crate) ascent: f64,
    pub(crate) descent: f64,
    pub(crate) bytes: usize,
}

// Thresholds, as fractions of the font size unless said otherwise. The values are
// pdftotext's: agreeing with it is the point.
/// A gap wider than this ends a word while glyphs are collected.
const WORD_BREAK_GAP: f64 = 0.1;
/// An overlap deeper than this ends a word.
const WORD_BREAK_OVERLAP: f64 = 0.2;
/// Baselines of lines in one block lie at most this far apart.
const LINE_SPACING: f64 = 1.5;
/// Font sizes of lines above or below a block, of words beside it, and of words on its lines.
const BLOCK_SIZE_DELTA_LINES: f64 = 0.05;
const BLOCK_SIZE_DELTA_SAME_LINE: f64 = 0.6;
const BLOCK_SIZE_DELTA_BESIDE: f64 = 0.2;
/// Words on one line have baselines at most this far apart (sub- and superscripts).
const INTRA_LINE_DELTA: f64 = 0.5;
/// Words this far apart on a line are not in one line of a block.
const MAX_WORD_SPACING: f64 = 1.5;
/// Horizontal reach for pulling words on a block's lines into it.
const COL_SPACING_SAME_LINE: f64 = 0.7;
/// Minimum gap between columns.
const COL_SPACING: f64 = 1.0;
/// Blocks of one flow are at most this far apart vertically.
const BLOCK_SPACING: f64 = 2.5;
/// Words overlapping by more than this start a new line.
const MIN_CHAR_SPACING: f64 = -0.5;
/// The space threshold between words where character spacing is normal...
const MAX_CHAR_SPACING: f64 = 0.03;
/// ...and where letters are spaced out: a multiple of the smallest gap, up to a bound.
const WIDE_CHAR_SPACING_MUL: f64 = 1.3;
const MAX_WIDE_CHAR_SPACING: f64 = 0.4;
/// Duplicated text (fake bold, shadows) lies within these distances.
const DUP_PRIMARY: f64 = 0.1;
const DUP_SECONDARY: f64 = 0.2;
/// Baseline buckets, in points.
const POOL_STEP: f64 = 4.0;
/// Glyphs smaller than 3 points drawn on a page beyond this count are dropped.
const MAX_TINY_CHARS: usize = 50_000;
/// Words and glyphs per page beyond which the rest of the page is dropped: bounds memory
/// on content streams that draw millions of glyphs (plotted data, hostile files).
const MAX_WORDS: usize = 500_000;
const MAX_CHARS: usize = 8_000_000;

/// Page space to a rotation's frame.
fn to_frame(rot: u8, x: f64, y: f64) -> (f64, f64) {
    match rot {
        1 => (y, -x),
        2 => (-x, -y),
        3 => (-y, x),
        _ => (x, y),
    }
}

fn from_frame(rot: u8, p: f64, s: f64) -> (f64, f64) {
    match rot {
        1 => (-s, p),
        2 => (-p, -s),
        3 => (s, -p),
        _ => (p, s),
    }
}

#[derive(Clone, Copy, Debug)]
struct BBox {
    p0: f64,
    p1: f64,
    s0: f64,
    s1: f64,
}

impl BBox {
    fn empty() -> BBox {
        BBox {
            p0: f64::MAX,
            p1: f64::MIN,
            s0: f64::MAX,
            s1: f64::MIN,
        }
    }

    fn include(&mut self, b: &BBox) {
        self.p0 = self.p0.min(b.p0);
        self.p1 = self.p1.max(b.p1);
        self.s0 = self.s0.min(b.s0);
        self.s1 = self.s1.max(b.s1);
    }

    /// This box, drawn in frame `from`, as seen from frame `to`.
    fn reframe(&self, from: u8, to: u8) -> BBox {
        let mut out = BBox::empty();
        for (p, s) in [
            (self.p0, self.s0),
            (self.p1, self.s0),
            (self.p0, self.s1),
            (self.p1, self.s1),
        ] {
            let (x, y) = from_frame(from, p, s);
            let (p2, s2) = to_frame(to, x, y);
            out.include(&BBox {
                p0: p2,
                p1: p2,
                s0: s2,
                s1: s2,
            });
        }
        out
    }
}

#[derive(Debug)]
struct Word {
    rot: u8,
    chars: Vec<char>,
    /// Start of each glyph along the line, then the end of the last.
    edges: Vec<f64>,
    bbox: BBox,
    base: f64,
    font_size: f64,
    space_after: bool,
}

impl Word {
    fn len(&self) -> usize {
        self.chars.len()
    }
}

struct ActualText {
    text: String,
    start: Option<(f64, f64)>,
    end: (f64, f64),
    font_size: f64,
    rot: u8,
    diagonal: bool,
    font: usize,
    ascent: f64,
    descent: f64,
    bytes: usize,
}

/// Collects a page's glyphs and lays them out.
pub(crate) struct TextPage {
    width: f64,
    height: f64,
    words: Vec<Word>,
    current: Option<Word>,
    last_char_overlap: bool,
    tiny_chars: usize,
    chars: usize,
    actual: Option<ActualText>,
}

fn combining(c: char) -> Option<char> {
    Some(match c {
        '\u{60}' => '\u{300}',
        '\u{A8}' => '\u{308}',
        '\u{AF}' => '\u{304}',
        '\u{B4}' => '\u{301}',
        '\u{B8}' => '\u{327}',
        '\u{2C6}' => '\u{302}',
        '\u{2C7}' => '\u{30C}',
        '\u{2D8}' => '\u{306}',
        '\u{2D9}' => '\u{307}',
        '\u{2DA}' => '\u{30A}',
        '\u{2DC}' => '\u{303}',
        '\u{2DD}' => '\u{30B}',
        _ => return None,
    })
}

/// A letter or digit to carry an accent. Spacing modifier letters (ˆ, ˇ, ˙ ...) are
/// alphabetic to Unicode but are accents themselves, and do not take another.
fn accent_base(c: char) -> bool {
    c.is_alphanumeric() && !('\u{2B0}'..='\u{2FF}').contains(&c)
}

impl TextPage {
    pub(crate) fn new(width: f64, height: f64) -> TextPage {
        TextPage {
            width,
            height,
            words: Vec::new(),
            current: None,
            last_char_overlap: false,
            tiny_chars: 0,
            chars: 0,
            actual: None,
        }
    }

    pub(crate) fn begin_actual_text(&mut self, text: String) {
        self.actual = Some(ActualText {
            text,
            start: None,
            end: (0.0, 0.0),
            font_size: 0.0,
            rot: 0,
            diagonal: false,
            font: 0,
            ascent: 0.95,
            descent: -0.35,
            bytes: 0,
        });
    }

    /// Ends a marked-content span with replacement text: the text takes the place of the
    /// glyphs drawn inside the span, spread over their extent.
    pub(crate) fn end_actual_text(&mut self) {
        let Some(span) = self.actual.take() else {
            return;
        };
        let Some((x0, y0)) = span.start else {
            return;
        };
        let c = Char {
            x: x0,
            y: y0,
            w: span.end.0 - x0,
            h: span.end.1 - y0,
            font_size: span.font_size,
            rot: span.rot,
            diagonal: span.diagonal,
            text: &span.text,
            font: span.font,
            ascent: span.ascent,
            descent: span.descent,
            bytes: span.bytes,
        };
        self.add(&c);
    }

    pub(crate) fn add_char(&mut self, c: &Char<'_>) {
        if let Some(span) = &mut self.actual {
            if span.start.is_none() {
                span.start = Some((c.x, c.y));
                span.font_size = c.font_size;
                span.rot = c.rot;
                span.diagonal = c.diagonal;
                span.font = c.font;
                span.ascent = c.ascent;
                span.descent = c.descent;
            }
            span.end = (c.x + c.w, c.y + c.h);
            span.bytes += c.bytes;
            return;
        }
        self.add(c);
    }

    fn add(&mut self, c: &Char<'_>) {
        let (x, y, w, h) = (c.x, c.y, c.w, c.h);
        if !(x.is_finite()
            && y.is_finite()
            && w.is_finite()
            && h.is_finite()
            && c.font_size.is_finite())
        {
            return;
        }
        // Glyphs off the page are not part of its text.
        if x + w < 0.0 || x > self.width || y + h < 0.0 || y > self.height {
            return;
        }
        self.chars += 1;
        if self.chars > MAX_CHARS {
            return;
        }
        if w.abs() < 3.0 && h.abs() < 3.0 {
            self.tiny_chars += 1;
            if self.tiny_chars > MAX_TINY_CHARS {
                return;
            }
        }
        let mut chars = c.text.chars();
        let first = chars.next();
        let single = first.is_some() && chars.next().is_none();
        if single && first.is_some_and(char::is_whitespace) {
            self.end_word();
            return;
        }
        if single && first == Some('\0') {
            return;
        }
        if single
            && let Some(ch) = first
            && self.add_combining(ch, c)
        {
            return;
        }

        if let Some(word) = self.current.as_ref().filter(|w| !w.chars.is_empty()) {
            let (p, s) = to_frame(word.rot, x, y);
            let fs = word.font_size;
            let gap = p - word.bbox.p1;
            let last_start = word.edges[word.len() - 1];
            let delta = p - last_start;
            let overlap =
                delta.abs() < DUP_PRIMARY * fs && (s - word.base).abs() < DUP_SECONDARY * fs;
            if overlap
                || self.last_char_overlap
                || gap < -WORD_BREAK_OVERLAP * fs
                || gap > WORD_BREAK_GAP * fs
                || (s - word.base).abs() > 0.5
                || c.font_size != word.font_size
                || c.rot != word.rot
            {
                self.end_word();
            }
            self.last_char_overlap = overlap;
        } else {
            self.last_char_overlap = false;
        }
        if first.is_none() {
            return;
        }
        if self.current.is_none() {
            self.begin_word(c);
        }
        let rot = self.current.as_ref().map_or(c.rot, |w| w.rot);
        let (mut p, s) = to_frame(rot, x, y);
        let (mut dp, _) = to_frame(rot, w, h);
        // A transform that draws text backwards: take the glyphs one by one, in order.
        if dp < 0.0 {
            self.end_word();
            self.begin_word(c);
            p += dp;
            dp = -dp;
        }
        let n = c.text.chars().count().max(1) as f64;
        let step = dp / n;
        if let Some(word) = self.current.as_mut() {
            for (i, ch) in c.text.chars().enumerate() {
                let start = p + i as f64 * step;
                if word.chars.is_empty() {
                    word.bbox.p0 = start;
                    word.base = s;
                    word.bbox.s0 = s - c.ascent * word.font_size;
                    word.bbox.s1 = s - c.descent * word.font_size;
                    if word.bbox.s0 == word.bbox.s1 {
                        word.bbox.s1 = s + 1.0;
                        word.bbox.s0 = s;
                    }
                    word.edges.clear();
                    word.edges.push(start);
                } else if let Some(last) = word.edges.last_mut() {
                    *last = start;
                }
                word.chars.push(ch);
                word.edges.push(start + step);
                word.bbox.p1 = start + step;
            }
        }
    }

    /// pdftotext joins a spacing accent drawn over a letter (as TeX draws ä: a, then ¨ over
    /// it) into the letter followed by the combining accent.
    fn add_combining(&mut self, ch: char, c: &Char<'_>) -> bool {
        let Some(word) = self.current.as_mut() else {
            return false;
        };
        let len = word.len();
        if len == 0 {
            return false;
        }
        let (p, s) = to_frame(word.rot, c.x, c.y);
        let (dp, _) = to_frame(word.rot, c.w, c.h);
        let prev = word.chars[len - 1];
        let edge_mid = (word.edges[len - 1] + word.edges[len]) / 2.0;
        if let Some(comb) = combining(ch)
            && accent_base(prev)
        {
            let max_mid = (word.edges[len] - word.edges[len - 1]).abs() * 0.3;
            let max_base = (word.bbox.s1 - word.bbox.s0) * 0.4;
            if (p + dp / 2.0 - edge_mid).abs() >= max_mid || (s - word.base).abs() >= max_base {
                return false;
            }
            word.chars.push(comb);
            let end = word.edges[len];
            word.edges[len] = (end + word.edges[len - 1]) / 2.0;
            word.edges.push(end);
            return true;
        }
        if let Some(comb) = combining(prev)
            && accent_base(ch)
        {
            let max_base = (c.ascent - c.descent) * c.font_size * 0.4;
            let max_mid = (dp * 0.3).abs();
            if (p + dp / 2.0 - edge_mid).abs() >= max_mid || (s - word.base).abs() >= max_base {
                return false;
            }
            word.chars[len - 1] = ch;
            word.chars.push(comb);
            word.font_size = c.font_size;
            word.edges[len - 1] = p;
            word.bbox.p1 = p + dp;
            word.edges[len] = p + dp / 2.0;
            word.edges.push(p + dp);
            if len == 1 {
                word.bbox.p0 = p;
            }
            return true;
        }
        false
    }

    fn begin_word(&mut self, c: &Char<'_>) {
        self.current = Some(Word {
            rot: c.rot,
            chars: Vec::new(),
            edges: Vec::new(),
            bbox: BBox::empty(),
            base: 0.0,
            font_size: c.font_size,
            space_after: false,
        });
    }

    fn end_word(&mut self) {
        if let Some(w) = self.current.take()
            && !w.chars.is_empty()
            && self.words.len() < MAX_WORDS
        {
            self.words.push(w);
        }
    }

    /// Lays the page out and returns its text: lines end in a line feed, and a blank line
    /// ends each flow of blocks.
    pub(crate) fn finish(mut self, budget: &mut Budget) -> Result<String, Stop> {
        self.end_actual_text();
        self.end_word();
        let words = std::mem::take(&mut self.words);
        if words.is_empty() {
            return Ok(String::new());
        }
        budget.operations(words.len() as u64)?;
        let mut layout = Layout {
            words,
            blocks: Vec::new(),
            width: self.width,
            height: self.height,
        };
        layout.build_blocks(budget)?;
        let order = layout.reading_order(budget)?;
        Ok(layout.render(&order))
    }
}

/// Words bucketed by baseline, each bucket in order along the line.
#[derive(Default)]
struct Pool {
    buckets: BTreeMap<i64, Vec<usize>>,
}

fn bucket(base: f64) -> i64 {
    (base / POOL_STEP).floor().clamp(-1e15, 1e15) as i64
}

impl Pool {
    fn add(&mut self, words: &[Word], i: usize) {
        let list = self.buckets.entry(bucket(words[i].base)).or_default();
        let p0 = words[i].bbox.p0;
        let at = list.partition_point(|&j| words[j].bbox.p0 < p0);
        list.insert(at, i);
    }

    fn keys(&self, lo: f64, hi: f64) -> Vec<i64> {
        let (a, b) = (bucket(lo), bucket(hi));
        if a > b {
            return Vec::new();
        }
        self.buckets.range(a..=b).map(|(k, _)| *k).collect()
    }

    /// Removes the words of buckets `keys` (visited in that order) for which `take`
    /// returns true; `take` sees each remaining word once and may change its state.
    fn take_where(
        &mut self,
        keys: &[i64],
        mut take: impl FnMut(usize) -> bool,
        first_only: bool,
    ) -> Vec<usize> {
        let mut taken = Vec::new();
        for k in keys {
            let Some(list) = self.buckets.get_mut(k) else {
                continue;
            };
            let mut i = 0;
            while i < list.len() {
                if take(list[i]) {
                    taken.push(list.remove(i));
                    if first_only {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            if list.is_empty() {
                self.buckets.remove(k);
            }
        }
        taken
    }

    fn remove(&mut self, key: i64, word: usize) {
        if let Some(list) = self.buckets.get_mut(&key) {
            list.retain(|&w| w != word);
            if list.is_empty() {
                self.buckets.remove(&key);
            }
        }
    }

    /// The first word of the lowest bucket, or a word further left among the next three
    /// buckets (which keeps a superscript from starting a block or line).
    fn start_word(&self, words: &[Word]) -> Option<(i64, usize)> {
        let (&k0, l0) = self.buckets.iter().next()?;
        let mut best = (k0, l0[0]);
        for (&k, list) in self.buckets.range(k0 + 1..k0 + 4) {
            if words[list[0]].bbox.p0 < words[best.1].bbox.p0 {
                best = (k, list[0]);
            }
        }
        Some(best)
    }
}

struct Line {
    words: Vec<usize>,
    base: f64,
    p0: f64,
}

struct Block {
    rot: u8,
    bbox: BBox,
    lines: Vec<Line>,
    char_count: usize,
    font_size: f64,
}

struct Layout {
    words: Vec<Word>,
    blocks: Vec<Block>,
    width: f64,
    height: f64,
}

/// A block as the reading-order pass sees it, in the page's primary frame.
#[derive(Clone, Copy)]
struct Placed {
    b: BBox,
    /// Bounds extended over free space to the sides, or over the whole table.
    e: BBox,
    pri_min: f64,
    pri_max: f64,
    table: i32,
    font_size: f64,
}

impl Layout {
    fn build_blocks(&mut self, budget: &mut Budget) -> Result<(), Stop> {
        for rot in 0..4u8 {
            let mut pool = Pool::default();
            for i in 0..self.words.len() {
                if self.words[i].rot == rot {
                    pool.add(&self.words, i);
                }
            }
            while let Some((key, first)) = pool.start_word(&self.words) {
                budget.operations(1)?;
                pool.remove(key, first);
                let block_words = self.grow_block(&mut pool, first, budget)?;
                let block = self.make_block(rot, block_words, budget)?;
                self.blocks.push(block);
            }
        }
        Ok(())
    }

    /// Gathers the words of one block around `first`.
    fn grow_block(
        &self,
        pool: &mut Pool,
        first: usize,
        budget: &mut Budget,
    ) -> Result<Vec<usize>, Stop> {
        let words = &self.words;
        let w0 = &words[first];
        let fs = w0.font_size;
        let mut bbox = w0.bbox;
        let mut members = vec![first];
        let (mut min_base, mut max_base) = (w0.base, w0.base);
        let col1 = COL_SPACING_SAME_LINE * fs;
        let col2 = COL_SPACING * fs;
        let line_space = LINE_SPACING * fs;
        let intra = INTRA_LINE_DELTA * fs;
        loop {
            budget.operations(1)?;
            let mut found = false;

            // Lines just above.
            let mut keys = pool.keys(min_base - line_space, min_base);
            keys.reverse();
            let mut new_min = min_base;
            let taken = pool.take_where(
                &keys,
                |j| {
                    let w = &words[j];
                    let ok = w.base < min_base
                        && w.base >= min_base - line_space
                        && w.bbox.p0 < bbox.p1
                        && w.bbox.p1 > bbox.p0
                        && (w.font_size - fs).abs() < BLOCK_SIZE_DELTA_LINES * fs;
                    if ok {
                        bbox.include(&w.bbox);
                        new_min = w.base;
                    }
                    ok
                },
                false,
            );
            found |= !taken.is_empty();
            members.extend(taken);
            min_base = new_min;

            // Lines just below.
            let keys = pool.keys(max_base, max_base + line_space);
            let mut new_max = max_base;
            let taken = pool.take_where(
                &keys,
                |j| {
                    let w = &words[j];
                    let ok = w.base > max_base
                        && w.base <= max_base + line_space
                        && w.bbox.p0 < bbox.p1
                        && w.bbox.p1 > bbox.p0
                        && (w.font_size - fs).abs() < BLOCK_SIZE_DELTA_LINES * fs;
                    if ok {
                        bbox.include(&w.bbox);
                        new_max = w.base;
                    }
                    ok
                },
                false,
            );
            found |= !taken.is_empty();
            members.extend(taken);
            max_base = new_max;

            // Words on the block's lines, overlapping it or close to it.
            let keys = pool.keys(min_base - intra, max_base + intra);
            let taken = pool.take_where(
                &keys,
                |j| {
                    let w = &words[j];
                    let ok = w.base >= min_base - intra
                        && w.base <= max_base + intra
                        && w.bbox.p0 < bbox.p1 + col1
                        && w.bbox.p1 > bbox.p0 - col1
                        && (w.font_size - fs).abs() < BLOCK_SIZE_DELTA_SAME_LINE * fs;
                    if ok {
                        bbox.include(&w.bbox);
                    }
                    ok
                },
                false,
            );
            found |= !taken.is_empty();
            members.extend(taken);
            if found {
                continue;
            }

            // A few words just left or right of the block (a list's bullets, a column of
            // numbers): taken when there are at most three of them.
            for left in [true, false] {
                let keys = pool.keys(min_base - intra, max_base + intra);
                let near = |w: &Word, bbox: &BBox, min_base: f64, max_base: f64| {
                    w.base >= min_base - intra
                        && w.base <= max_base + intra
                        && (w.font_size - fs).abs() < BLOCK_SIZE_DELTA_BESIDE * fs
                        && if left {
                            w.bbox.p1 <= bbox.p0 && w.bbox.p1 > bbox.p0 - col2
                        } else {
                            w.bbox.p0 >= bbox.p1 && w.bbox.p0 < bbox.p1 + col2
                        }
                };
                let n = keys
                    .iter()
                    .filter(|k| {
                        pool.buckets.get(k).is_some_and(|l| {
                            l.iter()
                                .any(|&j| near(&words[j], &bbox, min_base, max_base))
                        })
                    })
                    .count();
                if n == 0 || n > 3 {
                    continue;
                }
                let taken = pool.take_where(
                    &keys,
                    |j| {
                        let w = &words[j];
                        let ok = near(w, &bbox, min_base, max_base);
                        if ok {
                            bbox.include(&w.bbox);
                            if w.base < min_base {
                                min_base = w.base;
                            } else if w.base > max_base {
                                max_base = w.base;
                            }
                        }
                        ok
                    },
                    true,
                );
                found |= !taken.is_empty();
                members.extend(taken);
            }
            if !found {
                break;
            }
        }
        Ok(members)
    }

    /// Drops duplicated words, builds the block's lines and their spacing.
    fn make_block(
        &mut self,
        rot: u8,
        mut members: Vec<usize>,
        budget: &mut Budget,
    ) -> Result<Block, Stop> {
        budget.operations(members.len() as u64)?;
        let mut bbox = BBox::empty();
        for &m in &members {
            bbox.include(&self.words[m].bbox);
        }
        self.drop_duplicates(&mut members);
        let mut pool = Pool::default();
        for &m in &members {
            pool.add(&self.words, m);
        }
        let words = &self.words;
        let mut lines: Vec<Line> = Vec::new();
        while let Some((key, first)) = pool.start_word(words) {
            budget.operations(1)?;
            pool.remove(key, first);
            let w0 = &words[first];
            let fs = w0.font_size;
            let (min_base, max_base) = (
                w0.base - INTRA_LINE_DELTA * fs,
                w0.base + INTRA_LINE_DELTA * fs,
            );
            let spacing = MAX_WORD_SPACING * fs;
            let mut line = vec![first];
            let mut last = first;
            loop {
                let mut best: Option<(i64, usize)> = None;
                let mut overlap = false;
                for (&k, list) in pool.buckets.range(bucket(min_base)..=bucket(max_base)) {
                    let Some(&j) = list
                        .iter()
                        .find(|&&j| words[j].base >= min_base && words[j].base <= max_base)
                    else {
                        continue;
                    };
                    let delta = words[j].bbox.p0 - words[last].bbox.p1;
                    if delta < MIN_CHAR_SPACING * fs {
                        overlap = true;
                        break;
                    }
                    if delta < spacing
                        && best.is_none_or(|(_, b)| words[j].bbox.p0 < words[b].bbox.p0)
                    {
                        best = Some((k, j));
                    }
                }
                let Some((k, j)) = best.filter(|_| !overlap) else {
                    break;
                };
                pool.remove(k, j);
                line.push(j);
                last = j;
            }
            lines.push(Line {
                base: w0.base,
                p0: line
                    .iter()
                    .map(|&j| words[j].bbox.p0)
                    .fold(f64::MAX, f64::min),
                words: line,
            });
        }
        lines.sort_by(|a, b| a.base.total_cmp(&b.base).then(a.p0.total_cmp(&b.p0)));
        let mut char_count = 0;
        for line in &lines {
            self.space_line(line);
            char_count += line
                .words
                .iter()
                .map(|&j| self.words[j].len())
                .sum::<usize>();
        }
        let font_size = lines
            .first()
            .and_then(|l| l.words.first())
            .map_or(0.0, |&j| self.words[j].font_size);
        Ok(Block {
            rot,
            bbox,
            lines,
            char_count,
            font_size,
        })
    }

    /// Fake bold and drop shadows draw a word twice at almost the same place: keep one.
    fn drop_duplicates(&self, members: &mut Vec<usize>) {
        if members.len() < 2 {
            return;
        }
        let words = &self.words;
        let mut keep = vec![true; members.len()];
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by(|&a, &b| {
            let (wa, wb) = (&words[members[a]], &words[members[b]]);
            wa.base.total_cmp(&wb.base)
        });
        for (oi, &a) in order.iter().enumerate() {
            if !keep[a] {
                continue;
            }
            let w0 = &words[members[a]];
            let pri = DUP_PRIMARY * w0.font_size;
            let sec = DUP_SECONDARY * w0.font_size;
            for &b in &order[oi + 1..] {
                let w1 = &words[members[b]];
                if w1.base > w0.base + sec + POOL_STEP {
                    break;
                }
                if keep[b]
                    && w1.chars == w0.chars
                    && (w0.bbox.p0 - w1.bbox.p0).abs() < pri
                    && (w0.bbox.p1 - w1.bbox.p1).abs() < pri
                    && (w0.bbox.s0 - w1.bbox.s0).abs() < sec
                    && (w0.bbox.s1 - w1.bbox.s1).abs() < sec
                {
                    keep[b] = false;
                }
            }
        }
        let mut i = 0;
        members.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }

    /// Decides where a line's words are separated by a space.
    fn space_line(&mut self, line: &Line) {
        let ids = &line.words;
        if ids.len() < 2 {
            return;
        }
        let words = &self.words;
        let fs = words[ids[0]].font_size;
        // Letter-spaced text ("H E A D I N G") is all one-glyph words: the space threshold
        // then follows the smallest gap between them.
        let mut min_space = 0.0;
        if words[ids[0]].len() == 1 && words[ids[1]].len() == 1 {
            min_space = words[ids[1]].bbox.p0 - words[ids[0]].bbox.p1;
            for pair in ids[1..].windows(2) {
                if min_space <= 0.0 {
                    break;
                }
                if words[pair[1]].len() > 1 {
                    min_space = 0.0;
                }
                let d = words[pair[1]].bbox.p0 - words[pair[0]].bbox.p1;
                if d < min_space {
                    min_space = d;
                }
            }
        }
        let space = if min_space <= 0.0 {
            MAX_CHAR_SPACING * fs
        } else {
            (WIDE_CHAR_SPACING_MUL * min_space).min(MAX_WIDE_CHAR_SPACING * fs)
        };
        let mut flags = Vec::with_capacity(ids.len());
        let mut end = words[ids[0]].bbox.p1;
        for pair in ids.windows(2) {
            let next = &words[pair[1]];
            let spaced = next.bbox.p0 - end >= space;
            flags.push(spaced);
            end = if spaced {
                next.bbox.p1
            } else {
                end.max(next.bbox.p1)
            };
        }
        for (&id, spaced) in ids.iter().zip(flags) {
            self.words[id].space_after = spaced;
        }
    }

    /// Block indexes in reading order, grouped into flows.
    fn reading_order(&self, budget: &mut Budget) -> Result<Vec<Vec<usize>>, Stop> {
        let n = self.blocks.len();
        if n == 0 {
            return Ok(Vec::new());
        }
        let mut counts = [0usize; 4];
        for b in &self.blocks {
            counts[b.rot as usize] += b.char_count;
        }
        let mut primary = 0u8;
        for rot in 1..4u8 {
            if counts[rot as usize] > counts[primary as usize] {
                primary = rot;
            }
        }
        let page = BBox {
            p0: 0.0,
            p1: self.width,
            s0: 0.0,
            s1: self.height,
        }
        .reframe(0, primary);
        let mut placed: Vec<Placed> = self
            .blocks
            .iter()
            .map(|b| {
                let bb = b.bbox.reframe(b.rot, primary);
                Placed {
                    b: bb,
                    e: bb,
                    pri_min: page.p0,
                    pri_max: page.p1,
                    table: -1,
                    font_size: b.font_size,
                }
            })
            .collect();
        budget.operations((n * n) as u64 / 16)?;

        // The free space on either side of each block, along its lines.
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    continue;
                }
                let (a, b) = (placed[i].b, placed[j].b);
                if b.s0 < a.s1 && b.s1 > a.s0 {
                    if b.p0 < a.p0 {
                        let v = b.p1.min(a.p0);
                        if v > placed[i].pri_min {
                            placed[i].pri_min = v;
                        }
                    }
                    if b.p1 > a.p1 {
                        let v = b.p0.max(a.p1);
                        if v < placed[i].pri_max {
                            placed[i].pri_max = v;
                        }
                    }
                }
            }
        }

        find_tables(&mut placed);
        extend_boxes(&mut placed, page.p0);
        let sorted = topological_order(&placed, budget)?;

        // Flows: runs of blocks that continue one another downwards.
        let mut flows: Vec<Vec<usize>> = Vec::new();
        let mut flow_bounds = (0.0, 0.0);
        for (k, &i) in sorted.iter().enumerate() {
            if k > 0 {
                let prev = &placed[sorted[k - 1]];
                let cur = &placed[i];
                let last_in_flow = flows.last().and_then(|f| f.last()).map(|&l| &placed[l]);
                let spacing = BLOCK_SPACING * prev.font_size;
                let below =
                    cur.b.p0 >= prev.pri_min && cur.b.p1 <= prev.pri_max && cur.b.s0 > prev.b.s0;
                let fits = last_in_flow.is_some_and(|l| cur.font_size <= l.font_size)
                    && cur.b.p0 >= flow_bounds.0
                    && cur.b.p1 <= flow_bounds.1;
                if cur.b.s0 - prev.b.s1 <= spacing && below && fits {
                    if let Some(f) = flows.last_mut() {
                        f.push(i);
                    }
                    continue;
                }
            }
            flows.push(vec![i]);
            flow_bounds = (placed[i].pri_min, placed[i].pri_max);
        }
        Ok(flows)
    }

    fn render(&self, flows: &[Vec<usize>]) -> String {
        let mut out = String::new();
        for flow in flows {
            for &b in flow {
                for line in &self.blocks[b].lines {
                    for &w in &line.words {
                        let word = &self.words[w];
                        out.extend(word.chars.iter());
                        if word.space_after {
                            out.push(' ');
                        }
                    }
                    out.push('\n');
                }
            }
            out.push('\n');
        }
        out
    }
}

fn overlaps_p(a: &BBox, b: &BBox) -> bool {
    a.p0 <= b.p1 && a.p1 >= b.p0
}

fn overlaps_s(a: &BBox, b: &BBox) -> bool {
    a.s0 <= b.s1 && a.s1 >= b.s0
}

/// Marks grids of aligned blocks as tables: a block, its right neighbour, the block below
/// it and the one below-right, aligned by centre or edge in both directions.
fn find_tables(placed: &mut [Placed]) {
    let n = placed.len();
    let mut tables = 0;
    for i in 0..n {
        let b1 = placed[i].b;
        let (mut right, mut below, mut diag) = (None, None, None);
        let (mut right_p, mut below_s, mut diag_p, mut diag_s) =
            (f64::MAX, f64::MAX, f64::MAX, f64::MAX);
        for (j, other) in placed.iter().enumerate() {
            if j == i {
                continue;
            }
            let b2 = other.b;
            if b2.s0 <= b1.s1 && b2.s1 >= b1.s0 && b2.p0 > b1.p1 && b2.p0 < right_p {
                right_p = b2.p0;
                right = Some(j);
            } else if b2.p0 <= b1.p1 && b2.p1 >= b1.p0 && b2.s0 > b1.s1 && b2.s0 < below_s {
                below_s = b2.s0;
                below = Some(j);
            } else if b2.p0 > b1.p1 && b2.p0 < diag_p && b2.s0 > b1.s1 && b2.s0 < diag_s {
                diag_p = b2.p0;
                diag_s = b2.s0;
                diag = Some(j);
            }
        }
        let (Some(r), Some(d), Some(g)) = (right, below, diag) else {
            continue;
        };
        let (f2, f3, f4) = (placed[r].b, placed[d].b, placed[g].b);
        let inconsistent = overlaps_p(&f3, &f4)
            || overlaps_s(&f2, &f4)
            || overlaps_p(&f2, &f3)
            || overlaps_s(&f2, &f3)
            || f4.p0 > f2.p1
            || f4.p1 < f2.p0
            || f4.s0 > f3.s1
            || f4.s1 < f3.s0;
        if inconsistent {
            continue;
        }
        let fs = [i, r, d, g]
            .iter()
            .map(|&k| placed[k].font_size)
            .fold(f64::MAX, f64::min);
        let dx = fs * COL_SPACING_SAME_LINE;
        let dy = fs * INTRA_LINE_DELTA;
        let mid_p = |b: &BBox| (b.p0 + b.p1) / 2.0;
        let mid_s = |b: &BBox| (b.s0 + b.s1) / 2.0;
        let mut along = 0;
        let mut across = 0;
        if (mid_p(&b1) - mid_p(&f3)).abs() <= dx && (mid_p(&f2) - mid_p(&f4)).abs() <= dx {
            along += 1;
        }
        if (mid_s(&b1) - mid_s(&f2)).abs() <= dy && (mid_s(&f3) - mid_s(&f4)).abs() <= dy {
            across += 1;
        }
        if (b1.p0 - f3.p0).abs() <= dx && (f2.p0 - f4.p0).abs() <= dx {
            along += 1;
        }
        if (b1.p1 - f3.p1).abs() <= dx && (f2.p1 - f4.p1).abs() <= dx {
            along += 1;
        }
        if (b1.s0 - f2.s0).abs() <= dy && (f3.s0 - f4.s0).abs() <= dy {
            across += 1;
        }
        if (b1.s1 - f2.s1).abs() <= dy && (f3.s1 - f4.s1).abs() <= dy {
            across += 1;
        }
        if along > 0 && across > 0 {
            let mut id = [i, r, d, g]
                .iter()
                .map(|&k| placed[k].table)
                .max()
                .unwrap_or(-1);
            if id < 0 {
                id = tables;
                tables += 1;
            }
            for k in [i, r, d, g] {
                placed[k].table = id;
            }
        }
    }
    // A table's cells compare with other blocks by the whole table's bounds.
    for t in 0..tables {
        let mut env = BBox::empty();
        for p in placed.iter().filter(|p| p.table == t) {
            env.include(&p.e);
        }
        for p in placed.iter_mut().filter(|p| p.table == t) {
            p.e = env;
        }
    }
}

/// Widens each block that is not in a table over the free space beside it, up to the
/// widest block below it that its neighbours allow.
fn extend_boxes(placed: &mut [Placed], page_start: f64) {
    let n = placed.len();
    for i in 0..n {
        if placed[i].table >= 0 {
            continue;
        }
        let b1 = placed[i].b;
        let mut max_p = f64::MAX;
        let mut min_p = page_start;
        for (j, other) in placed.iter().enumerate() {
            if j == i {
                continue;
            }
            let b2 = other.b;
            if b1.s0 <= b2.s1 && b1.s1 >= b2.s0 {
                if b2.p0 < max_p && b2.p0 > b1.p1 {
                    max_p = b2.p0;
                }
                if b2.p1 > min_p && b2.p1 < b1.p0 {
                    min_p = b2.p1;
                }
            }
        }
        let mut e = placed[i].e;
        for (j, other) in placed.iter().enumerate() {
            if j == i {
                continue;
            }
            let b2 = other.b;
            if b2.p1 > e.p1 && b2.p1 <= max_p && b2.s0 >= b1.s1 {
                e.p1 = b2.p1;
            }
            if b2.p0 < e.p0 && b2.p0 >= min_p && b2.s0 >= b1.s1 {
                e.p0 = b2.p0;
            }
        }
        placed[i].e = e;
    }
}

/// Rule 1: `a` is above `b` and their columns overlap.
fn before_rule1(a: &Placed, b: &Placed) -> bool {
    let overlap = (a.e.p0 <= b.e.p0 && b.e.p0 <= a.e.p1) || (b.e.p0 <= a.e.p0 && a.e.p0 <= b.e.p1);
    overlap && a.e.s0 < b.e.s0
}

/// Rule 2 (without its proviso): `a` is entirely left of `b`.
fn before_rule2(a: &Placed, b: &Placed) -> bool {
    a.e.p1 <= b.e.p0
}

/// Sorts blocks so that every block comes after those that precede it by the rules: a
/// depth-first topological sort, iterative so that no page can exhaust the stack.
fn topological_order(placed: &[Placed], budget: &mut Budget) -> Result<Vec<usize>, Stop> {
    let n = placed.len();
    let mut visited = vec![false; n];
    let mut sorted = Vec::with_capacity(n);
    // Blocks that recently broke rule 2 for a pair: checked first, as they often do again.
    let mut cache: Vec<usize> = Vec::with_capacity(4);
    let precedes =
        |b2: usize, b1: usize, cache: &mut Vec<usize>, budget: &mut Budget| -> Result<bool, Stop> {
            let (p1, p2) = (&placed[b1], &placed[b2]);
            if p1.table >= 0 && p1.table == p2.table {
                let left = p2.b.p1 <= p1.b.p0 && p2.b.s0 <= p1.b.s1 && p2.b.s1 >= p1.b.s0;
                return Ok(left || p2.b.s1 <= p1.b.s0);
            }
            if before_rule1(p2, p1) {
                return Ok(true);
            }
            if !before_rule2(p2, p1) {
                return Ok(false);
            }
            // Rule 2 holds unless some block lies below the first and above the second.
            if let Some(pos) = cache
                .iter()
                .position(|&k| before_rule1(p1, &placed[k]) && before_rule1(&placed[k], p2))
            {
                let k = cache.remove(pos);
                cache.insert(0, k);
                return Ok(false);
            }
            budget.operations(n as u64 / 32 + 1)?;
            for (k, p3) in placed.iter().enumerate() {
                if k == b1 || k == b2 {
                    continue;
                }
                if before_rule1(p1, p3) && before_rule1(p3, p2) {
                    if cache.len() == 4 {
                        cache.pop();
                    }
                    cache.insert(0, k);
                    return Ok(false);
                }
            }
            Ok(true)
        };
    for start in 0..n {
        if visited[start] {
            continue;
        }
        visited[start] = true;
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some(top) = stack.last_mut() {
            let (b1, next) = *top;
            let mut descended = false;
            let mut k = next;
            while k < n {
                let b2 = k;
                k += 1;
                if visited[b2] {
                    continue;
                }
                if precedes(b2, b1, &mut cache, budget)? {
                    if let Some(top) = stack.last_mut() {
                        top.1 = k;
                    }
                    visited[b2] = true;
                    stack.push((b2, 0));
                    descended = true;
                    break;
                }
            }
            if !descended {
                stack.pop();
                sorted.push(b1);
            }
        }
    }
    Ok(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(page: &mut TextPage, x: f64, y: f64, text: &str, size: f64) {
        let mut x = x;
        for ch in text.chars() {
            let s = ch.to_string();
            let w = size * 0.5;
            page.add_char(&Char {
                x,
                y,
                w,
                h: 0.0,
                font_size: size,
                rot: 0,
                diagonal: false,
                text: &s,
                font: 1,
                ascent: 0.8,
                descent: -0.2,
                bytes: 1,
            });
            x += w;
        }
    }

    fn layout(page: TextPage) -> String {
        let mut budget = Budget::new(&crate::Limits::default());
        page.finish(&mut budget).unwrap_or_default()
    }

    #[test]
    fn words_and_lines() {
        let mut page = TextPage::new(600.0, 800.0);
        put(&mut page, 72.0, 100.0, "Hyvää päivää", 10.0);
        put(&mut page, 72.0, 112.0, "toinen rivi", 10.0);
        assert_eq!(layout(page), "Hyvää päivää\ntoinen rivi\n\n");
    }

    #[test]
    fn gap_makes_a_space_and_order_is_by_position() {
        let mut page = TextPage::new(600.0, 800.0);
        // Drawn right word first; a gap of 3 points (0.3 em) separates the words.
        put(&mut page, 98.0, 100.0, "world", 10.0);
        put(&mut page, 70.0, 100.0, "hello", 10.0);
        assert_eq!(layout(page), "hello world\n\n");
    }

    #[test]
    fn two_columns_read_column_by_column() {
        let mut page = TextPage::new(600.0, 800.0);
        for i in 0..5 {
            let y = 100.0 + 12.0 * i as f64;
            put(&mut page, 50.0, y, &format!("left{i} text"), 10.0);
            put(&mut page, 320.0, y, &format!("right{i} text"), 10.0);
        }
        let text = layout(page);
        let left = text.find("left4").unwrap_or(usize::MAX);
        let right = text.find("right0").unwrap_or(0);
        assert!(left < right, "{text}");
    }

    #[test]
    fn duplicates_and_off_page_glyphs_are_dropped() {
        let mut page = TextPage::new(600.0, 800.0);
        put(&mut page, 72.0, 100.0, "Bold", 10.0);
        put(&mut page, 72.3, 100.0, "Bold", 10.0);
        put(&mut page, -500.0, 100.0, "hidden", 10.0);
        assert_eq!(layout(page), "Bold\n\n");
    }

    #[test]
    fn accent_over_letter_combines() {
        let mut page = TextPage::new(600.0, 800.0);
        put(&mut page, 72.0, 100.0, "pa", 10.0);
        // A spacing diaeresis drawn over the 'a'.
        put(&mut page, 77.0, 100.0, "\u{A8}", 10.0);
        put(&mut page, 82.0, 100.0, "iv", 10.0);
        assert_eq!(layout(page), "pa\u{308}iv\n\n");
    }

    #[test]
    fn actual_text_replaces_glyphs() {
        let mut page = TextPage::new(600.0, 800.0);
        page.begin_actual_text("ﬁnd".into());
        put(&mut page, 72.0, 100.0, "xy", 10.0);
        page.end_actual_text();
        assert_eq!(layout(page), "ﬁnd\n\n");
    }
}

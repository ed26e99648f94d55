//! Development aid for the morphology: which rule terms each word matches on its own.
//! Reads one word per line on stdin and prints `word<TAB>theme:term|theme:term...`, so
//! that a morphological analyser (scripts/morphology-check.py uses Voikko) can say which
//! forms the matcher misses and which it matches wrongly.
//!
//! cargo run --release -p kooste-classify --example word_matches < words.txt

use kooste_classify::{Classifier, MaterialText, Rules};
use kooste_model::Page;
use std::io::{BufRead, Write};

fn main() {
    let rules = Rules::default_rules();
    let classifier = Classifier::new(&rules).with_details(true);
    let words: Vec<String> = std::io::stdin()
        .lock()
        .lines()
        .map_while(Result::ok)
        .filter(|w| !w.trim().is_empty())
        .collect();
    let mut out = std::io::stdout().lock();
    // A material of one word per page: each term's pages say which words it matched.
    for chunk in words.chunks(5000) {
        let pages: Vec<Page> = chunk
            .iter()
            .zip(1..)
            .map(|(w, n)| Page::new(n, w.as_str()))
            .collect();
        let c = classifier.classify(&MaterialText {
            path: "x",
            title: None,
            author: None,
            pages: &pages,
        });
        let mut found: Vec<Vec<String>> = vec![Vec::new(); chunk.len()];
        for theme in &c.themes {
            for term in &theme.terms {
                for &p in &term.pages {
                    if let Some(slot) = (p as usize).checked_sub(1).and_then(|i| found.get_mut(i)) {
                        slot.push(format!("{}:{}", theme.id, term.term));
                    }
                }
            }
        }
        for (w, f) in chunk.iter().zip(found) {
            if writeln!(out, "{w}\t{}", f.join("|")).is_err() {
                return;
            }
        }
    }
}

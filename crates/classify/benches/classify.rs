//! Throughput of the classifier on one core: 10,000 documents of 5,000 words each, with the
//! embedded default rules. The text is generated (deterministically) from Finnish words in
//! many inflected forms, a share of them theme vocabulary, in sentences, lines and pages as
//! extraction delivers them; generation is not timed.
//!
//! `cargo bench -p kooste-classify --bench classify` (or `scripts/bench-classify.sh`);
//! `-- --docs N --words N` for other sizes.

use kooste_classify::{Classifier, MaterialText, Rules};
use kooste_model::Page;
use std::time::Instant;

/// Everyday Finnish of reports and memos, in the forms it takes in running text.
const COMMON: &[&str] = &[
    "ja",
    "on",
    "että",
    "se",
    "ei",
    "myös",
    "kun",
    "ovat",
    "tai",
    "sekä",
    "joka",
    "jotka",
    "voi",
    "tässä",
    "mutta",
    "kuin",
    "olla",
    "oli",
    "hankkeen",
    "hankkeessa",
    "työn",
    "vuoden",
    "aikana",
    "lisäksi",
    "esimerkiksi",
    "kanssa",
    "mukaan",
    "osana",
    "tavoitteena",
    "tulokset",
    "tuloksia",
    "kehittämisen",
    "kehitettiin",
    "toteutettiin",
    "keskeinen",
    "tärkeää",
    "uusia",
    "uuden",
    "nykyinen",
    "nykytila",
    "selvitys",
    "raportti",
    "liite",
    "taulukko",
    "kuvassa",
    "luvussa",
    "alussa",
    "lopuksi",
    "yhteenveto",
    "kevään",
    "syksyllä",
    "2017",
    "2018",
    "kokous",
    "henkilöstö",
    "työntekijät",
    "sovittiin",
    "esitettiin",
    "todettiin",
    "huomioitava",
    "vaihe",
    "vaiheessa",
    "aikataulu",
    "budjetti",
    "kustannukset",
    "rahoitus",
    "päätös",
    "lautakunta",
    "toimiala",
    "yksikkö",
    "yksikön",
    "alueella",
    "alueen",
    "kunnan",
    "kuntien",
    "valtion",
    "lain",
    "mukaisesti",
    "perusteella",
    "osalta",
    "kautta",
    "välillä",
    "yhteydessä",
    "tarkoitus",
    "tarkoituksena",
    "laatu",
    "laadun",
    "asia",
    "asiat",
    "asioiden",
    "ihmiset",
    "ihmisten",
    "lapset",
    "nuoret",
    "perheet",
    "ikääntyneet",
    "koulu",
    "koulun",
    "kirjasto",
    "kirjaston",
    "museo",
    "museon",
    "liikunta",
    "terveys",
    "terveyden",
    "sosiaali",
    "hoito",
    "hoidon",
    "ympäristö",
    "ympäristön",
    "rakentaminen",
    "kaavoitus",
    "liikenne",
    "liikenteen",
    "kartta",
    "kartalla",
    "tila",
    "tilat",
    "tiloissa",
    "laitteet",
    "kone",
    "koneen",
    "ohje",
    "ohjeet",
    "ohjeen",
    "lomake",
    "lomakkeella",
    "hakemus",
    "hakemuksen",
    "sopimus",
    "sopimuksen",
    "maksu",
    "maksut",
    "lasku",
    "laskun",
    "euroa",
    "prosenttia",
    "noin",
    "yli",
    "alle",
    "kaikki",
    "monet",
    "useita",
    "eri",
    "muut",
    "muiden",
    "oma",
    "omat",
    "omien",
    "hyvä",
    "hyvin",
    "parempi",
    "nopeasti",
    "helposti",
    "selkeästi",
    "yhdessä",
    "erikseen",
    "jatkossa",
    "nyt",
    "silloin",
];

/// Theme vocabulary in inflected forms and compounds, so that the matcher has real work.
const THEMED: &[&str] = &[
    "asiakkaiden",
    "asiakkaan",
    "asiakaskokemus",
    "asiakaspalvelun",
    "palveluiden",
    "palvelut",
    "palvelumuotoilun",
    "yhteiskehittämisen",
    "osallisuuden",
    "asukkaiden",
    "kuntalaisten",
    "työpajoissa",
    "työpajan",
    "rajapintojen",
    "rajapinnan",
    "digitaalisten",
    "sähköisen",
    "asioinnin",
    "verkkopalvelun",
    "järjestelmän",
    "tietojärjestelmien",
    "sovelluksen",
    "datan",
    "tiedon",
    "asiakastiedon",
    "palautteen",
    "kyselyn",
    "mittarit",
    "mittareiden",
    "segmentoinnin",
    "alustan",
    "ekosysteemin",
    "liiketoimintamallin",
    "yritysten",
    "yritysyhteistyön",
    "markkinoiden",
    "palveluntuottajien",
    "monituottajuuden",
    "kolmannen",
    "sektorin",
    "johtamisen",
    "johtamisjärjestelmän",
    "strategian",
    "toimintamallin",
    "ohjausryhmän",
    "prosessien",
    "kaupungin",
    "kaupunkien",
    "helsingin",
    "espoon",
    "vantaalla",
    "tampereen",
    "turun",
    "oulun",
    "tp2",
    "työpaketti",
];

fn main() {
    let mut docs = 10_000usize;
    let mut words = 5_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = args.next().and_then(|v| v.parse::<usize>().ok());
        match (a.as_str(), value) {
            ("--docs", Some(v)) => docs = v,
            ("--words", Some(v)) => words = v,
            // `cargo bench` passes --bench; nothing else is expected.
            _ => {}
        }
    }
    let rules = Rules::default_rules();
    let classifier = Classifier::new(&rules);
    let started = Instant::now();
    let corpus: Vec<Vec<Page>> = (0..docs).map(|i| document(i as u64, words)).collect();
    let bytes: usize = corpus.iter().flatten().map(|p| p.text.len()).sum();
    eprintln!(
        "generated {docs} documents of {words} words ({:.0} MB) in {:.1} s",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let paths: Vec<String> = (0..docs)
        .map(|i| format!("Kaupunki {}/TP{}/raportti_{i}.pdf", i % 7, i % 6))
        .collect();
    let started = Instant::now();
    let cpu_started = thread_cpu_seconds();
    let mut assigned = 0usize;
    for (pages, path) in corpus.iter().zip(&paths) {
        let c = classifier.classify(&MaterialText {
            path,
            title: Some("Raportti"),
            author: None,
            pages,
        });
        assigned += c.themes.iter().filter(|t| t.assigned).count();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = match (cpu_started, thread_cpu_seconds()) {
        (Some(a), Some(b)) => format!(" ({:.2} s of CPU time)", b - a),
        _ => String::new(),
    };
    println!(
        "classified {docs} documents of {words} words ({:.0} MB) in {elapsed:.2} s{cpu} on one \
         core: {:.0} documents/s, {:.0} MB/s ({assigned} theme assignments)",
        bytes as f64 / 1e6,
        docs as f64 / elapsed,
        bytes as f64 / 1e6 / elapsed
    );
}

/// CPU time this thread has run, from Linux's scheduler statistics (nanoseconds): on a
/// shared machine wall time also counts the time other processes had the core.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// A document of `words` words: sentences of 6 to 20 words, a theme word now and then, a
/// line break after most sentences, a page every 400 words.
fn document(seed: u64, words: usize) -> Vec<Page> {
    let mut rng = seed.wrapping_mul(0x9e3779b97f4a7c15) | 1;
    let mut next = move || {
        // xorshift64*: fast, deterministic, good enough for picking words.
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        rng.wrapping_mul(0x2545f4914f6cdd1d)
    };
    let mut pages = Vec::new();
    let mut text = String::with_capacity(48 * 400);
    let mut in_sentence = 0;
    let mut sentence_len = 6 + (next() % 15) as usize;
    for w in 0..words {
        let word = if next() % 12 == 0 {
            THEMED[(next() % THEMED.len() as u64) as usize]
        } else {
            COMMON[(next() % COMMON.len() as u64) as usize]
        };
        if in_sentence == 0 {
            let mut cs = word.chars();
            if let Some(first) = cs.next() {
                text.extend(first.to_uppercase());
                text.push_str(cs.as_str());
            }
        } else {
            text.push(' ');
            text.push_str(word);
        }
        in_sentence += 1;
        if in_sentence >= sentence_len {
            text.push('.');
            text.push(if next() % 3 == 0 { ' ' } else { '\n' });
            in_sentence = 0;
            sentence_len = 6 + (next() % 15) as usize;
        }
        if (w + 1) % 400 == 0 {
            pages.push(Page::new(pages.len() as u32 + 1, std::mem::take(&mut text)));
        }
    }
    if !text.is_empty() {
        pages.push(Page::new(pages.len() as u32 + 1, text));
    }
    pages
}

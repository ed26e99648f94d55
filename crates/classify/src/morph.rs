//! Just enough Finnish morphology to match a rule word in base form against the forms a text
//! uses: the stems its inflection is built on (with consonant gradation and stem-vowel
//! changes), the endings that may follow a stem, and compound boundaries.
//!
//! A rule word `rajapinta` yields the stems `rajapinta`, `rajapinto`, `rajapinna`,
//! `rajapinno`; a text word matches when it is one of these stems followed by an ending
//! (`rajapintojen` = `rajapinto` + `jen`). This is generation, not analysis: it never has to
//! guess what an unknown text word is, only whether it can be a form of a known rule word.

use std::collections::HashSet;
use std::sync::OnceLock;

/// How much of Finnish morphology the matcher applies. Each level includes the previous one;
/// the levels exist so that what each step buys can be measured (`kooste eval`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Morphology {
    /// The text word must equal the rule word.
    Exact,
    /// The Snowball stem of the text word must equal the Snowball stem of the rule word.
    Snowball,
    /// Inflection stems of the rule word (stem vowels, -nen/-s, -us/-ks, ...) followed by an
    /// ending, without consonant gradation.
    Stems,
    /// Also the stems that consonant gradation makes (rajapinta ~ rajapinnan, asiakas ~
    /// asiakkaan, kaupunki ~ kaupungin, tieto ~ tiedon).
    Gradation,
    /// Also compound parts: the rule word as first, middle or last part of a longer word
    /// (asiakas ~ asiakaskokemus, palvelu ~ asiakaspalvelun).
    #[default]
    Full,
}

impl Morphology {
    pub fn parse(s: &str) -> Option<Morphology> {
        Some(match s {
            "exact" => Morphology::Exact,
            "snowball" => Morphology::Snowball,
            "stems" => Morphology::Stems,
            "gradation" => Morphology::Gradation,
            "full" => Morphology::Full,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Morphology::Exact => "exact",
            Morphology::Snowball => "snowball",
            Morphology::Stems => "stems",
            Morphology::Gradation => "gradation",
            Morphology::Full => "full",
        }
    }

    pub(crate) fn compounds(self) -> bool {
        self == Morphology::Full
    }
}

/// Front (ä, ö, y) or back (a, o, u) vowel harmony of a word; endings follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Harmony {
    Back = 0,
    Front = 1,
    /// A compound whose last part may have only the neutral vowels e and i, so that it takes
    /// front endings though an earlier part is back: palvelu|seteli ~ palveluseteliä,
    /// palveluseteleitä.
    Either = 2,
}

/// The harmony of a word is decided by its last back or front vowel: compounds take the
/// harmony of their last part (`tietojärjestelmä` is front). After a back vowel, two or more
/// neutral vowels may be a last part of their own (`palvelu|seteli`), whose endings are
/// front; such a word takes either.
pub(crate) fn harmony(word: &str) -> Harmony {
    let mut neutral = 0;
    for (i, c) in word.char_indices().rev() {
        match c {
            'a' | 'o' | 'u' if neutral >= 2 => return Harmony::Either,
            'a' | 'o' | 'u' => return Harmony::Back,
            // Loans with y after back vowels take either ending: analyysia and analyysiä.
            'y' if word[..i].contains(['a', 'o', 'u']) && !word[..i].contains(['ä', 'ö']) => {
                return Harmony::Either;
            }
            'ä' | 'ö' | 'y' => return Harmony::Front,
            'e' | 'i' => neutral += 1,
            _ => {}
        }
    }
    Harmony::Front
}

/// A stem a text word may start with, and whether a compound may continue after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stem {
    pub text: String,
    /// The stem is a form that begins compounds: the base form (`asiakas|palvelu`) or the
    /// `-s` stem of `-nen` words (`yhteiskehittämis|malli`).
    pub compound: bool,
    /// Only the partitive (`-tta`) and clitics may follow: the base form of a noun in -e
    /// with gradation (palaute, aloite, tuote), whose other cases are built on the strong
    /// stem (palautte-en). Without this, passives of the related verbs (palautetaan,
    /// aloitetaan, tuotetaan) would read as the noun with an ending.
    pub partitive_only: bool,
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'ä' | 'ö')
}

/// The inflection stems of a base-form word, the word itself first. Words of three letters
/// or fewer get no stems: they match only whole (`api`, `ai`, `ict`).
pub(crate) fn stems(word: &str, gradation: bool) -> Vec<Stem> {
    let mut out = vec![Stem {
        text: word.to_string(),
        compound: true,
        partitive_only: false,
    }];
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    if n <= 3 || !chars.iter().all(|c| c.is_alphabetic()) {
        return out;
    }
    let mut add = |text: String, compound: bool| {
        if text.chars().count() >= 3 && !out.iter().any(|s| s.text == text) {
            out.push(Stem {
                text,
                compound,
                partitive_only: false,
            });
        }
    };
    let cut = |k: usize| -> String { chars[..n - k].iter().collect() };
    let last = chars[n - 1];
    let prev = chars[n - 2];
    if word.ends_with("nen") && n > 5 {
        // ihminen ~ ihmise-n, ihmis-tä; yhteiskehittäminen ~ yhteiskehittämis-malli
        add(format!("{}s", cut(3)), true);
        return out;
    }
    if let Some(head) = word.strip_suffix("mies") {
        // esimies ~ esimiehe-n, esimieh-iä, esimies-tä
        add(format!("{head}miehe"), false);
        add(format!("{head}mieh"), false);
        return out;
    }
    if last == 's' && is_vowel(prev) {
        let before = chars.get(n.wrapping_sub(3)).copied().unwrap_or('s');
        if matches!(prev, 'u' | 'y') && is_vowel(before) {
            // osallisuus ~ osallisuude-n, osallisuut-ta, osallisuuks-ia
            let base = cut(1);
            add(format!("{base}de"), false);
            add(format!("{base}t"), false);
            add(format!("{base}ks"), false);
        } else if matches!(prev, 'u' | 'y' | 'o' | 'ö') {
            // kokemus ~ kokemuks-en, kokemus-ta
            add(format!("{}ks", cut(1)), false);
        } else {
            // asiakas ~ asiakka-an, asiakas-ta; kallis ~ kallii-n
            // The inflection stem is the strong grade with the vowel doubled; without
            // gradation (vieras ~ viera-an) it is the weak one.
            let body = cut(2);
            match strengthen(&body) {
                Some(strong) if gradation => add(format!("{strong}{prev}"), false),
                Some(_) => {}
                None => add(format!("{body}{prev}"), false),
            }
        }
        return out;
    }
    if last == 'n' && prev == 'i' && n > 4 {
        // avoin ~ avoime-n, avoim-ia; puhelin ~ puhelime-n; palvelin ~ palvelim-ia
        add(format!("{}m", cut(1)), false);
        return out;
    }
    if !is_vowel(last) {
        return out;
    }
    let body = cut(1);
    let mut partitive_only = false;
    let mut vowel_stems: Vec<String> = vec![word.to_string()];
    match last {
        'a' => {
            // rajapinta ~ rajapinto-jen; kala ~ kalo-ja; koira ~ koiri-a
            vowel_stems.push(format!("{body}o"));
            vowel_stems.push(format!("{body}i"));
        }
        'ä' => vowel_stems.push(format!("{body}i")),
        'i' => vowel_stems.push(format!("{body}e")),
        // palaute ~ palautte-en (the base form is the weak grade here)
        'e' if gradation => {
            if let Some(strong) = strengthen(&body) {
                add(format!("{strong}e"), false);
                partitive_only = true;
            }
        }
        _ => {}
    }
    if prev == last {
        // vastuu ~ vastu-ita
        vowel_stems.push(body.clone());
    }
    for v in &vowel_stems {
        if v != word {
            add(v.clone(), false);
        }
        if gradation && last != 'e' {
            let mut vc = v.chars();
            if let Some(end) = vc.next_back()
                && let Some(weak) = weaken(vc.as_str(), end)
            {
                add(format!("{weak}{end}"), false);
            }
        }
    }
    if let Some(base) = out.first_mut() {
        base.partitive_only = partitive_only;
    }
    out
}

/// The weak grade of a stem that ends before its last vowel: the consonants at the end of
/// `stem` are those that gradation alternates (`rajapint` → `rajapinn`, `tiet` → `tied`).
/// `vowel` is the stem vowel that follows: it decides lk and rk (jälki ~ jälje-n, polku ~
/// polu-n) and k between two u or y (luku ~ luvu-n, kyky ~ kyvy-n).
fn weaken(stem: &str, vowel: char) -> Option<String> {
    let before_front = matches!(vowel, 'e' | 'i');
    for (strong, weak) in [("lk", "l"), ("rk", "r")] {
        if !before_front && let Some(head) = stem.strip_suffix(strong) {
            return Some(format!("{head}{weak}"));
        }
    }
    const PAIRS: [(&str, &str); 14] = [
        ("kk", "k"),
        ("pp", "p"),
        ("tt", "t"),
        ("nk", "ng"),
        ("mp", "mm"),
        ("nt", "nn"),
        ("lt", "ll"),
        ("rt", "rr"),
        ("ht", "hd"),
        ("lp", "lv"),
        ("rp", "rv"),
        ("lk", "lj"),
        ("rk", "rj"),
        ("hk", "h"),
    ];
    for (strong, weak) in PAIRS {
        if let Some(head) = stem.strip_suffix(strong) {
            return Some(format!("{head}{weak}"));
        }
    }
    // A single k, p or t after a vowel: tuki ~ tue-n, apu ~ avu-n, tieto ~ tiedo-n.
    let mut cs = stem.chars();
    let c = cs.next_back()?;
    let before = cs.clone().next_back()?;
    if !is_vowel(before) {
        return None;
    }
    let head = cs.as_str();
    match c {
        'k' if before == vowel && matches!(vowel, 'u' | 'y') => Some(format!("{head}v")),
        'k' => Some(head.to_string()),
        'p' => Some(format!("{head}v")),
        't' => Some(format!("{head}d")),
        _ => None,
    }
}

/// The strong grade of a stem whose base form is weak (asiakas, palaute, tavoite):
/// `asiak` → `asiakk`, `palaut` → `palautt`, `tehd` → `teht`.
fn strengthen(stem: &str) -> Option<String> {
    const PAIRS: [(&str, &str); 9] = [
        ("ng", "nk"),
        ("mm", "mp"),
        ("nn", "nt"),
        ("ll", "lt"),
        ("rr", "rt"),
        ("hd", "ht"),
        ("lv", "lp"),
        ("rv", "rp"),
        ("d", "t"),
    ];
    for (weak, strong) in PAIRS {
        if let Some(head) = stem.strip_suffix(weak) {
            return Some(format!("{head}{strong}"));
        }
    }
    let mut cs = stem.chars();
    let c = cs.next_back()?;
    let before = cs.clone().next_back()?;
    if !is_vowel(before) {
        return None;
    }
    let head = cs.as_str();
    match c {
        'k' => Some(format!("{head}kk")),
        'p' => Some(format!("{head}pp")),
        't' => Some(format!("{head}tt")),
        'v' => Some(format!("{head}p")),
        _ => None,
    }
}

/// Clitic particles, written with back vowels (kin, kaan ~ kään, ko ~ kö).
const CLITICS: &[&str] = &["", "kin", "kaan", "ko", "han", "pa", "s"];

/// Whether `rest` is what may follow the base form of a noun in -e with gradation: nothing,
/// the partitive (palaute-tta, palaute-ttamme) or a clitic (palaute-kin, aloite-kaan).
pub(crate) fn partitive_or_clitic(rest: &[u8]) -> bool {
    if rest.starts_with(b"tt") {
        return true;
    }
    // Decoded once, not once per clitic; a clitic is always whole UTF-8.
    let Ok(rest) = std::str::from_utf8(rest) else {
        return false;
    };
    let front = |ch: char| match ch {
        'a' => 'ä',
        'o' => 'ö',
        'u' => 'y',
        other => other,
    };
    CLITICS
        .iter()
        .any(|c| rest == *c || c.chars().map(front).eq(rest.chars()))
}

/// The endings that may follow an inflection stem, by harmony.
pub(crate) struct Endings {
    back: HashSet<u128, Pack>,
    front: HashSet<u128, Pack>,
}

/// Longest ending in bytes; longer remainders are never endings.
pub(crate) const MAX_ENDING: usize = 15;

impl Endings {
    pub(crate) fn get() -> &'static Endings {
        static ENDINGS: OnceLock<Endings> = OnceLock::new();
        ENDINGS.get_or_init(Endings::build)
    }

    fn build() -> Endings {
        // Case endings, singular and plural, written with back vowels.
        const CASES: &[&str] = &[
            "", "n", "a", "ta", "tta", "na", "ksi", "kse", "ssa", "sta", "lla", "lta", "lle",
            "seen", "siin", "han", "hin", "hon", "hun", "an", "en", "in", "on", "un", "t", "ne",
            "i", "ia", "ita", "ja", "jen", "ien", "iden", "itten", "ten", "den", "tten", "ihin",
            "iin", "isiin", "issa", "ista", "illa", "ilta", "ille", "ina", "iksi", "itta", "ine",
            "ineen", "de", "jo",
        ];
        const POSSESSIVES: &[&str] = &["", "ni", "si", "mme", "nne", "nsa", "an", "en", "in"];
        // English plural and verb forms, for English rule words.
        const ENGLISH: &[&str] = &["s", "es", "ed", "ing", "d", "'s"];
        const LEAD: &[&str] = &["", "a", "e", "i", "o", "u"];
        // Built without a string per ending: the sets are made on every run that
        // classifies, and twenty thousand allocations and formats cost more than the
        // classification of a few new files.
        let mut back = HashSet::with_capacity_and_hasher(1 << 15, Pack);
        let mut front = HashSet::with_capacity_and_hasher(1 << 15, Pack);
        let mut add = |parts: &[&str]| {
            let mut ending = [0u8; 4 * MAX_ENDING];
            let mut n = 0;
            for part in parts {
                let Some(slot) = ending.get_mut(n..n + part.len()) else {
                    return;
                };
                slot.copy_from_slice(part.as_bytes());
                n += part.len();
            }
            if n > MAX_ENDING {
                return;
            }
            let ending = &ending[..n];
            // Back endings keep only those without front vowels; the front form of each
            // has ä, ö, y for a, o, u (two bytes each for ä and ö).
            if !ending.iter().any(|&b| b == b'y' || b >= 0x80)
                && let Some(key) = pack(ending)
            {
                back.insert(key);
            }
            let mut fronted = [0u8; 2 * MAX_ENDING];
            let mut m = 0;
            for &b in ending {
                let bytes: &[u8] = match b {
                    b'a' => "ä".as_bytes(),
                    b'o' => "ö".as_bytes(),
                    b'u' => b"y",
                    _ => std::slice::from_ref(&b),
                };
                fronted[m..m + bytes.len()].copy_from_slice(bytes);
                m += bytes.len();
            }
            if let Some(key) = pack(&fronted[..m]) {
                front.insert(key);
            }
        };
        for lead in LEAD {
            for case in CASES {
                for poss in POSSESSIVES {
                    // A possessive replaces the genitive n and the plural t.
                    let case_base = if poss.is_empty() {
                        *case
                    } else {
                        case.strip_suffix(['n', 't']).unwrap_or(case)
                    };
                    for clitic in CLITICS {
                        add(&[lead, case_base, poss, clitic]);
                    }
                }
            }
        }
        for e in ENGLISH {
            add(&[e]);
        }
        Endings { back, front }
    }

    /// Whether `rest` can end a word whose stem has the given harmony.
    #[cfg(test)]
    pub(crate) fn accepts(&self, rest: &[u8], harmony: Harmony) -> bool {
        pack(rest).is_some_and(|key| self.accepts_packed(key, harmony))
    }

    fn accepts_packed(&self, key: u128, harmony: Harmony) -> bool {
        match harmony {
            Harmony::Back => self.back.contains(&key),
            Harmony::Front => self.front.contains(&key),
            Harmony::Either => self.back.contains(&key) || self.front.contains(&key),
        }
    }

    /// [`Endings::accepts`] through a small cache: the sets hold tens of thousands of
    /// endings, too many to stay in the processor's cache, while a text uses a few hundred.
    pub(crate) fn accepts_cached(
        &self,
        rest: &[u8],
        harmony: Harmony,
        cache: &mut EndingCache,
    ) -> bool {
        let Some(key) = pack(rest) else {
            return false;
        };
        let tagged = key ^ ((harmony as u128) << 120);
        let folded = (tagged as u64) ^ ((tagged >> 64) as u64).rotate_left(29);
        let slot = ((folded ^ (folded >> 31)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 54) as usize;
        if cache.slots.is_empty() {
            cache.slots = vec![(u128::MAX, false); 1 << 10];
        }
        match cache.slots.get(slot) {
            Some(&(k, answer)) if k == tagged => answer,
            _ => {
                let answer = self.accepts_packed(key, harmony);
                if let Some(s) = cache.slots.get_mut(slot) {
                    *s = (tagged, answer);
                }
                answer
            }
        }
    }
}

/// Recent answers of [`Endings::accepts_cached`], by a hash of the ending.
#[derive(Default)]
pub(crate) struct EndingCache {
    slots: Vec<(u128, bool)>,
}

/// An ending of at most 15 bytes as one number, its length in the last byte: set lookups
/// then hash a single integer instead of a string, which matters because every match is
/// checked.
fn pack(bytes: &[u8]) -> Option<u128> {
    if bytes.len() > MAX_ENDING {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..bytes.len()].copy_from_slice(bytes);
    buf[15] = bytes.len() as u8;
    Some(u128::from_le_bytes(buf))
}

/// A multiplicative hash for packed endings: the keys are few, fixed and well spread.
#[derive(Default, Clone, Copy)]
pub(crate) struct Pack;

impl std::hash::BuildHasher for Pack {
    type Hasher = PackHasher;
    fn build_hasher(&self) -> PackHasher {
        PackHasher(0)
    }
}

pub(crate) struct PackHasher(u64);

impl std::hash::Hasher for PackHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u128(&mut self, x: u128) {
        let folded = (x as u64) ^ ((x >> 64) as u64).rotate_left(29);
        self.0 = (folded ^ (folded >> 31)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Derivational suffixes: a remainder starting with one of these makes a new word from the
/// rule word (tieto ~ tietoinen, alusta ~ alustava), not a compound with it. So do passive
/// endings of verbs that share a stem with a noun in -e (aloite ~ aloitetaan, aloitettiin;
/// palaute ~ palautetaan): no Finnish word begins with tt, taan or tiin.
const DERIVATIONS: &[&str] = &[
    "inen", "ise", "isi", "isu", "llinen", "llis", "lainen", "läinen", "lais", "läis", "ton",
    "tön", "ttom", "ttöm", "mainen", "mäinen", "mme", "nne", "kaan", "kään", "kin", "tt", "taan",
    "tään", "tiin",
];

/// Participle and agent suffixes: with an ending they are short (alustava-sti, ohjaa-jien);
/// a longer rest that begins so is a word of its own (koodi|varasto, tieto|järjestelmä).
const SHORT_SUFFIXES: &[&str] = &["va", "vä", "ja", "jä"];

/// Whether `head` (letters before a rule word inside one word) can be the first part of a
/// compound. A Finnish word or genitive ends in a vowel or n, s, t, l or r (asiakas|,
/// kaupungin|, palvelu|), and loans in letters no Finnish syllable closes with (startup|,
/// web|); a part cut after k, h, j, m, v or d is no word but the middle of one: työk|alusta,
/// aurausk|alusto, kohd|ataan.
pub(crate) fn compound_head(head: &[u8]) -> bool {
    head.last().is_none_or(|b| !b"khjmvd".contains(b))
}

/// Two consonants that can begin a word (of loans: strategia, prosessi, kriisi, skaala).
/// Native Finnish words begin with at most one.
const ONSETS: &[&str] = &[
    "bl", "br", "ch", "dr", "fl", "fr", "gl", "gn", "gr", "kl", "kr", "kv", "ph", "pl", "pr", "ps",
    "sc", "sh", "sk", "sl", "sm", "sn", "sp", "st", "sv", "th", "tr", "ts", "wh",
];

/// Whether `rest` (letters after a stem inside one word) can be the rest of a compound: at
/// least three letters, not a derivational suffix, and beginning as a word can. The last
/// keeps short rule words from being read out of the middle of unrelated compounds:
/// tietosuo|java|ltuutettu.
pub(crate) fn compound_rest(rest: &[u8]) -> bool {
    let chars = rest.iter().filter(|&&b| (b & 0xc0) != 0x80).count();
    let starts = |list: &[&str]| list.iter().any(|d| rest.starts_with(d.as_bytes()));
    let consonant = |b: &u8| b.is_ascii_lowercase() && !b"aeiouy".contains(b);
    let onset_ok = !matches!(rest, [a, b, ..] if consonant(a) && consonant(b)) || starts(ONSETS);
    chars >= 3
        && onset_ok
        && !starts(DERIVATIONS)
        && (chars >= SHORT_SUFFIX_REST || !starts(SHORT_SUFFIXES))
}

/// Rests of at least this many letters that begin with a short suffix are compound parts.
const SHORT_SUFFIX_REST: usize = 6;

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(word: &str) -> Vec<String> {
        stems(word, true).into_iter().map(|s| s.text).collect()
    }

    fn forms_match(base: &str, forms: &[&str]) {
        let e = Endings::get();
        let h = harmony(base);
        for form in forms {
            let ok = stems(base, true).iter().any(|s| {
                form.strip_prefix(s.text.as_str())
                    .is_some_and(|rest| e.accepts(rest.as_bytes(), h))
            });
            assert!(
                ok,
                "{form} should be a form of {base}: stems {:?}",
                texts(base)
            );
        }
    }

    fn forms_do_not_match(base: &str, forms: &[&str]) {
        let e = Endings::get();
        let h = harmony(base);
        for form in forms {
            let ok = stems(base, true).iter().any(|s| {
                form.strip_prefix(s.text.as_str())
                    .is_some_and(|rest| e.accepts(rest.as_bytes(), h))
            });
            assert!(!ok, "{form} should not be a form of {base}");
        }
    }

    #[test]
    fn inflected_forms_of_the_brief() {
        forms_match(
            "asiakas",
            &[
                "asiakkaiden",
                "asiakkaan",
                "asiakasta",
                "asiakkaat",
                "asiakkaille",
                "asiakkaamme",
            ],
        );
        forms_match(
            "rajapinta",
            &[
                "rajapintojen",
                "rajapinnan",
                "rajapinnat",
                "rajapintaan",
                "rajapinnoissa",
            ],
        );
        forms_match(
            "yhteiskehittäminen",
            &[
                "yhteiskehittämisen",
                "yhteiskehittämistä",
                "yhteiskehittämiseen",
            ],
        );
        forms_match(
            "kaupunki",
            &[
                "kaupungin",
                "kaupunkia",
                "kaupungeissa",
                "kaupunkien",
                "kaupunkeja",
            ],
        );
        forms_match(
            "tieto",
            &["tiedon", "tietoa", "tietoja", "tiedoissa", "tietoihin"],
        );
        forms_match(
            "palaute",
            &["palautteen", "palautetta", "palautteita", "palautteesta"],
        );
        forms_match(
            "osallisuus",
            &["osallisuuden", "osallisuutta", "osallisuuteen"],
        );
        forms_match(
            "kokemus",
            &["kokemuksen", "kokemusta", "kokemuksia", "kokemuksista"],
        );
        forms_match(
            "digitaalinen",
            &[
                "digitaalisen",
                "digitaalista",
                "digitaalisia",
                "digitaalisten",
            ],
        );
        forms_match(
            "järjestelmä",
            &[
                "järjestelmän",
                "järjestelmiä",
                "järjestelmien",
                "järjestelmässä",
            ],
        );
        forms_match("strategia", &["strategian", "strategioita", "strategiaa"]);
        forms_match("mittari", &["mittarin", "mittareita", "mittareiden"]);
        forms_match("avoin", &["avoimen", "avointa", "avoimia", "avoimessa"]);
        forms_match(
            "palvelu",
            &[
                "palvelun",
                "palveluja",
                "palveluiden",
                "palveluun",
                "palvelustaan",
            ],
        );
        forms_match("vastuu", &["vastuun", "vastuita"]);
        forms_match("interface", &["interfaces"]);
    }

    #[test]
    fn gradation_and_stem_types_beyond_the_brief() {
        // The last part of a compound has only e and i: front endings after a back part.
        forms_match(
            "palveluseteli",
            &[
                "palveluseteliä",
                "palveluseteleitä",
                "palveluseteleillä",
                "palvelusetelin",
            ],
        );
        // -in nouns with an -ime- stem, whatever precedes the i.
        forms_match("palvelin", &["palvelimella", "palvelimet", "palvelimia"]);
        forms_match("puhelin", &["puhelimen", "puhelimeen"]);
        forms_match(
            "esimies",
            &["esimiehet", "esimiehiä", "esimiehen", "esimiestä"],
        );
        // k between two u or y is v in the weak grade; lk is l before a back vowel.
        forms_match(
            "tunnusluku",
            &["tunnusluvut", "tunnusluvuilla", "tunnuslukujen"],
        );
        forms_match("kilpailukyky", &["kilpailukyvyn", "kilpailukykyä"]);
        forms_match(
            "palvelupolku",
            &["palvelupolun", "palvelupolut", "palvelupolkuja"],
        );
        forms_match("jälki", &["jäljen", "jälkiä"]);
    }

    #[test]
    fn harmony_and_homographs() {
        // tietä (a road) is not a form of tieto; the harmony differs.
        forms_do_not_match("tieto", &["tietä", "tietävä"]);
        // alustava (preliminary) and alustus are derivations, not forms of alusta.
        forms_do_not_match("alusta", &["alustava", "alustus", "alustavasti"]);
        forms_do_not_match("data", &["datanomi"]);
        // Loans with y after a back vowel are written with either ending.
        forms_match(
            "analyysi",
            &["analyysia", "analyysiä", "analyysilla", "analyysissa"],
        );
        forms_match("kysely", &["kyselyä", "kyselyllä"]);
        forms_do_not_match("kysely", &["kyselya"]);
    }

    #[test]
    fn compound_heads() {
        for head in [
            "asiakas",
            "kaupungin",
            "palvelu",
            "kuva-",
            "yhteis",
            "startup",
            "web",
        ] {
            assert!(compound_head(head.as_bytes()), "{head}");
        }
        for head in ["työk", "aurausk", "palveluh", "kohd"] {
            assert!(!compound_head(head.as_bytes()), "{head}");
        }
        assert!(compound_head("ylläpitäjä".as_bytes()));
    }

    #[test]
    fn compound_rests() {
        assert!(compound_rest(b"kokemus"));
        assert!(compound_rest(b"malli"));
        assert!(!compound_rest(b"inen"));
        assert!(!compound_rest(b"vasti"));
        assert!(!compound_rest(b"ja"));
        assert!(!compound_rest(b"ltuutettu"));
        assert!(!compound_rest("ntekijä".as_bytes()));
        assert!(compound_rest(b"strategia"));
        assert!(compound_rest(b"prosessi"));
        assert!(compound_rest("ääni".as_bytes()));
    }

    #[test]
    fn short_words_have_no_stems() {
        assert_eq!(texts("api"), ["api"]);
        assert_eq!(texts("6aika"), ["6aika"]);
    }
}

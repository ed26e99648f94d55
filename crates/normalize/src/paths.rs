//! Material paths as people write them in annotations and labels files, matched to the
//! drive's paths.

use crate::composed;

/// A material path as people write it, for comparing paths typed on one system with paths
/// stored on another: NFC (macOS keeps file names decomposed), any letter case, either slash,
/// no leading `./` or `/`.
fn path_key(path: &str) -> String {
    let p = composed(path.trim()).to_lowercase().replace('\\', "/");
    p.trim_start_matches("./")
        .trim_start_matches('/')
        .to_string()
}

/// The drive's material paths, to find the one a person's path stands for.
#[derive(Debug, Default)]
pub struct PathLookup {
    keys: Vec<String>,
}

impl PathLookup {
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> PathLookup {
        PathLookup {
            keys: paths.into_iter().map(path_key).collect(),
        }
    }

    /// Adds the next material path; [`PathLookup::find`] answers with its position.
    pub fn push(&mut self, path: &str) {
        self.keys.push(path_key(path));
    }

    /// The position of the one material a name stands for, trying in turn: the whole path;
    /// the end of a path (a file name, or folders and file name); a path that the name ends,
    /// the longest (the name has folders in front, such as the drive's own); and the first two
    /// without the extension. `Err` holds the candidates when there are none or several.
    pub fn find(&self, name: &str) -> Result<usize, Vec<usize>> {
        let n = path_key(name);
        if n.is_empty() {
            return Err(Vec::new());
        }
        let tail = format!("/{n}");
        let is_tail_of = |long: &str, short: &str| {
            long.strip_suffix(short)
                .is_some_and(|head| head.ends_with('/'))
        };
        let hits = |test: &dyn Fn(&str) -> bool| -> Vec<usize> {
            self.keys
                .iter()
                .enumerate()
                .filter(|(_, k)| test(k))
                .map(|(i, _)| i)
                .collect()
        };
        for found in [
            hits(&|k| k == n),
            hits(&|k| k.ends_with(&tail)),
            self.longest(hits(&|k| is_tail_of(&n, k))),
            hits(&|k| {
                let s = without_extension(k);
                s == n || s.ends_with(&tail)
            }),
        ] {
            match found.as_slice() {
                [] => continue,
                [one] => return Ok(*one),
                _ => return Err(found),
            }
        }
        Err(Vec::new())
    }

    /// Of paths that all end a name, the longest, or all of the longest length.
    fn longest(&self, found: Vec<usize>) -> Vec<usize> {
        let len = |i: &usize| self.keys.get(*i).map_or(0, String::len);
        let max = found.iter().map(len).max().unwrap_or(0);
        found.into_iter().filter(|i| len(i) == max).collect()
    }
}

fn without_extension(path: &str) -> &str {
    let name_at = path.rfind('/').map_or(0, |i| i + 1);
    match path.get(name_at..).and_then(|name| name.rfind('.')) {
        Some(dot) if dot > 0 => path.get(..name_at + dot).unwrap_or(path),
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_as_a_person_wrote_it_finds_its_material() {
        let lookup = PathLookup::new([
            "Espoo/Avoimen osallisuuden malli.pdf",
            "Oulu/TP5/raportti.docx",
            "Turku/raportti.docx",
            "Vantaa/Päätös.pdf",
            "Vantaa/Päätös.docx",
        ]);
        // Case, a leading ./ and decomposed umlauts (macOS).
        assert_eq!(lookup.find("./espoo/avoimen osallisuuden malli.PDF"), Ok(0));
        assert_eq!(lookup.find("Vantaa/Pa\u{308}ätös.pdf"), Ok(3));
        // Folders in front, with backslashes; a tail of folders and file name.
        assert_eq!(lookup.find("sharedrive\\Oulu\\TP5\\raportti.docx"), Ok(1));
        assert_eq!(lookup.find("TP5/raportti.docx"), Ok(1));
        // Without the extension, where one fits.
        assert_eq!(lookup.find("Avoimen osallisuuden malli"), Ok(0));
        // Several fit, or none.
        assert_eq!(lookup.find("raportti.docx"), Err(vec![1, 2]));
        assert_eq!(lookup.find("Vantaa/Päätös"), Err(vec![3, 4]));
        assert_eq!(lookup.find("Tampere/puuttuu.pdf"), Err(vec![]));
        assert_eq!(lookup.find(" "), Err(vec![]));
    }
}

//! `kooste.html`: the summary as one self-contained page that works offline, plus a table of
//! every material that filters by theme, city, work package and status and searches the
//! text shown in each row (title, path, city, work packages, themes, status or error,
//! matched terms and evidence sentences; the index keeps no full texts).
//!
//! Every text from a document or an annotation goes through [`escape::html`]; the script is a
//! constant that reads only the page's own attributes, and a Content-Security-Policy with
//! the script's and style's hashes refuses any other script and any network access.

use crate::audit::Audit;
use crate::escape::{self, clip};
use crate::lang::{Lang, Text};
use crate::summary::{Example, MaterialRef, QUESTIONS, Summary, tp_tag};
use kooste_model::{City, Index, Material, Status, View, WorkPackage};
use sha2::{Digest, Sha256};
use std::fmt::Write;

const STYLE: &str = include_str!("page.css");
/// Above this many materials a row shows only its strongest sentence, not every theme's
/// terms and sentences, so that the page stays one a browser opens.
const FULL_EVIDENCE_MAX: usize = 5_000;
const SCRIPT: &str = include_str!("page.js");

/// Text is built in a buffer of about this size and then written out, so that a page of a
/// large drive never sits in memory whole.
const SPILL_BYTES: usize = 256 * 1024;

/// Writes the buffered text to `w` and empties the buffer.
fn spill(out: &mut String, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    w.write_all(out.as_bytes())?;
    out.clear();
    Ok(())
}

/// `kooste.html`.
pub fn summary_html(s: &Summary, index: &Index, audit: &Audit, link_prefix: &str) -> String {
    let mut bytes = Vec::new();
    // Writing into memory does not fail.
    let _ = write_summary_html(&mut bytes, s, index.view(), audit, link_prefix);
    String::from_utf8(bytes).unwrap_or_default()
}

/// [`summary_html`] written to `w` as it is made.
pub fn write_summary_html(
    w: &mut dyn std::io::Write,
    s: &Summary,
    view: View<'_>,
    audit: &Audit,
    link_prefix: &str,
) -> std::io::Result<()> {
    let lang = s.lang;
    let h = escape::html;
    let mut out = String::with_capacity(SPILL_BYTES + 64 * 1024);
    let csp = format!(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; img-src data:; form-action 'none'; base-uri 'none'",
        sha256_base64(SCRIPT),
        sha256_base64(STYLE)
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"generator\" content=\"kooste\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        lang.code(),
        h(&csp),
        h(&s.title)
    );

    // Header and table of contents.
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n<nav aria-label=\"{}\"><ul>\n<li><a href=\"#alustus\">{}</a></li>\n",
        h(&s.title),
        h(&s.subtitle),
        lang.pick("Sisällys", "Contents"),
        lang.text(Text::Introduction)
    );
    for t in &s.themes {
        let _ = writeln!(
            out,
            "<li><a href=\"#teema-{}\">{}</a></li>",
            h(&t.id),
            h(&t.title)
        );
    }
    if !s.contacts.is_empty() {
        let _ = writeln!(
            out,
            "<li><a href=\"#lisatietoja\">{}</a></li>",
            lang.text(Text::Contacts)
        );
    }
    let _ = write!(
        out,
        "<li><a href=\"#materiaalit\">{}</a></li>\n<li><a href=\"#auditointi\">{}</a></li>\n</ul></nav>\n</header>\n<main>\n",
        lang.text(Text::Materials),
        lang.text(Text::Audit)
    );

    let _ = write!(
        out,
        "<section id=\"alustus\">\n<h2>{}</h2>\n<ul>\n",
        lang.text(Text::Introduction)
    );
    for line in &s.intro {
        let _ = writeln!(out, "<li>{}</li>", h(line));
    }
    out.push_str("</ul>\n</section>\n");

    for t in &s.themes {
        let _ = write!(
            out,
            "<section class=\"theme\" id=\"teema-{}\">\n<h2>{}</h2>\n<table class=\"cities\">\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
            h(&t.id),
            h(&t.title),
            lang.text(Text::City),
            lang.text(Text::MaterialRef)
        );
        for row in &t.rows {
            let _ = write!(out, "<tr><th scope=\"row\">{}</th><td>", h(&row.label));
            if row.materials.is_empty() {
                out.push_str(lang.text(Text::NoMaterials));
            } else {
                out.push_str("<ul class=\"refs\">");
                for r in &row.materials {
                    let _ = write!(out, "<li>{}</li>", reference(r, &r.name, lang));
                }
                out.push_str("</ul>");
            }
            out.push_str("</td></tr>\n");
        }
        let _ = write!(
            out,
            "</tbody>\n</table>\n<p class=\"more\"><a href=\"#theme={}\">{}</a></p>\n",
            h(&t.id),
            lang.pick(
                "Näytä teeman materiaalit perusteineen taulukossa →",
                "Show the theme's materials with their evidence in the table →"
            )
        );
        if t.examples.is_empty() {
            let _ = writeln!(out, "<p class=\"none\">{}</p>", lang.text(Text::NoExamples));
        }
        for e in &t.examples {
            example(e, lang, &mut out);
        }
        out.push_str("</section>\n");
    }

    if !s.contacts.is_empty() {
        let _ = write!(
            out,
            "<section id=\"lisatietoja\">\n<h2>{}</h2>\n<ul>\n",
            lang.text(Text::Contacts)
        );
        for line in &s.contacts {
            let _ = writeln!(out, "<li>{}</li>", h(line));
        }
        out.push_str("</ul>\n</section>\n");
    }

    spill(&mut out, w)?;
    materials_table(view, lang, link_prefix, &mut out, w)?;
    audit_section(s, audit, lang, &mut out);

    let _ = write!(
        out,
        "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    );
    spill(&mut out, w)
}

fn reference(r: &MaterialRef, name: &str, lang: Lang) -> String {
    let h = escape::html;
    let mut s = format!(
        "<a href=\"{}\" title=\"{}\">{}</a>",
        h(&r.href),
        h(&r.path),
        h(name)
    );
    let tag = r.tp_tag(name);
    if !tag.is_empty() {
        let _ = write!(s, "<span class=\"tp\">{}</span>", h(&tag));
    }
    if r.manual {
        let _ = write!(
            s,
            " <span class=\"manual\">{}</span>",
            lang.text(Text::Manual)
        );
    }
    s
}

fn example(e: &Example, lang: Lang, out: &mut String) {
    let h = escape::html;
    let _ = write!(
        out,
        "<article class=\"example{}\" data-path=\"{}\">\n<h3>{}: {}</h3>\n<dl>\n<dt>{}</dt><dd>{}{}</dd>\n<dt>{}</dt><dd>{}</dd>\n<dt>{}</dt><dd>{}{}</dd>\n</dl>\n",
        if e.pinned { " pinned" } else { "" },
        h(&e.material.path),
        lang.text(Text::Example),
        h(&e.heading),
        lang.text(Text::File),
        reference(&e.material, &e.material.file_name, lang),
        h(&e.material.container_note(lang)),
        lang.text(Text::Theme),
        h(&e.theme_title),
        lang.text(Text::City),
        h(&e.city),
        if e.city_manual {
            format!(" <span class=\"manual\">{}</span>", lang.text(Text::Manual))
        } else {
            String::new()
        }
    );
    for (question, answer) in QUESTIONS.iter().zip(&e.answers) {
        let _ = write!(out, "<h4>{}", lang.text(*question));
        if answer.automatic {
            let _ = write!(
                out,
                " <span class=\"auto\">{}</span>",
                lang.text(Text::Automatic)
            );
        }
        out.push_str("</h4>\n<ul>");
        if answer.lines.is_empty() {
            let _ = write!(
                out,
                "<li class=\"none\">{}</li>",
                lang.text(Text::NothingPicked)
            );
        }
        for line in &answer.lines {
            let _ = write!(out, "<li>{}</li>", h(line));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</article>\n");
}

/// A score as the language writes decimals.
fn score(value: f64, lang: Lang) -> String {
    let s = format!("{value:.1}");
    match lang {
        Lang::Fi => s.replace('.', ","),
        Lang::En => s,
    }
}

/// The part of a theme title before its first comma: enough to tell themes apart in a cell.
fn short_title(title: &str) -> &str {
    title.split(',').next().unwrap_or(title).trim()
}

fn materials_table(
    view: View<'_>,
    lang: Lang,
    link_prefix: &str,
    out: &mut String,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let h = escape::html;
    let _ = write!(
        out,
        "<section id=\"materiaalit\">\n<h2>{}</h2>\n<p>{}</p>\n<form id=\"filters\" role=\"search\">\n",
        lang.text(Text::Materials),
        lang.pick(
            "Suodata teeman, kaupungin, työpaketin ja tilan mukaan; haku kohdistuu riveillä näkyvään tekstiin: otsikkoon, polkuun, teemoihin, osumiin ja perustelulauseisiin (ei asiakirjojen koko tekstiin).",
            "Filter by theme, city, work package and status; the search covers the text shown in the rows: title, path, themes, matched terms and evidence sentences (not the documents' full text)."
        )
    );
    let select = |out: &mut String, id: &str, label: &str, options: &[(String, String)]| {
        let _ = write!(
            out,
            "<label>{label} <select id=\"f-{id}\" name=\"{id}\"><option value=\"\">{}</option>",
            lang.text(Text::All)
        );
        for (value, text) in options {
            let _ = write!(out, "<option value=\"{}\">{}</option>", h(value), h(text));
        }
        out.push_str("</select></label>\n");
    };
    let mut themes: Vec<(String, String)> = view
        .themes
        .iter()
        .map(|t| (t.id.clone(), lang.theme_title(t).to_string()))
        .collect();
    themes.push(("-".into(), lang.text(Text::NoTheme).into()));
    select(out, "theme", lang.text(Text::Theme), &themes);
    let mut cities: Vec<(String, String)> = City::ALL
        .iter()
        .map(|c| (c.name().to_string(), c.name().to_string()))
        .collect();
    cities.push(("-".into(), lang.text(Text::NoCityShort).into()));
    select(out, "city", lang.text(Text::City), &cities);
    let mut tps: Vec<(String, String)> = WorkPackage::all()
        .map(|w| (w.to_string(), w.to_string()))
        .collect();
    tps.push(("-".into(), lang.text(Text::NoTp).into()));
    select(out, "tp", lang.text(Text::WorkPackage), &tps);
    let statuses: Vec<(String, String)> = [Status::Ok, Status::Empty, Status::Error]
        .iter()
        .map(|s| (status_id(*s).to_string(), lang.status(*s).to_string()))
        .collect();
    select(out, "status", lang.text(Text::Status), &statuses);
    let _ = write!(
        out,
        "<label>{} <input type=\"search\" id=\"f-q\" name=\"q\" autocomplete=\"off\"></label>\n<button type=\"reset\">{}</button>\n</form>\n",
        lang.text(Text::Search),
        lang.pick("Tyhjennä", "Clear")
    );
    let _ = writeln!(
        out,
        "<p id=\"count\" aria-live=\"polite\" data-template=\"{}\">{}</p>",
        h(lang.pick(
            "Näytetään {n} / {total} materiaalia",
            "Showing {n} of {total} materials"
        )),
        h(&lang
            .pick(
                "Näytetään {n} / {total} materiaalia",
                "Showing {n} of {total} materials"
            )
            .replace("{n}", &view.materials.len().to_string())
            .replace("{total}", &view.materials.len().to_string()))
    );
    let _ = write!(
        out,
        "<table id=\"materials\">\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">TP</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
        lang.text(Text::Material),
        lang.text(Text::City),
        lang.text(Text::Themes),
        lang.text(Text::Status),
        lang.text(Text::Evidence)
    );
    let titles: std::collections::HashMap<&str, &str> = view
        .themes
        .iter()
        .map(|t| (t.id.as_str(), lang.theme_title(t)))
        .collect();
    let full = view.materials.len() <= FULL_EVIDENCE_MAX;
    view.materials.each(&mut |m| {
        material_row(m, lang, link_prefix, &titles, full, out);
        if out.len() >= SPILL_BYTES {
            spill(out, w)?;
        }
        Ok(())
    })?;
    out.push_str("</tbody>\n</table>\n</section>\n");
    Ok(())
}

fn status_id(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Empty => "empty",
        Status::Error => "error",
    }
}

fn material_row(
    m: &Material,
    lang: Lang,
    link_prefix: &str,
    titles: &std::collections::HashMap<&str, &str>,
    full_evidence: bool,
    out: &mut String,
) {
    let h = escape::html;
    let manual = |field: &str| m.manual.iter().any(|f| f == field);
    let manual_mark = format!(" <span class=\"manual\">{}</span>", lang.text(Text::Manual));
    let theme_ids: Vec<&str> = m.themes.iter().map(|t| t.id.as_str()).collect();
    let tps: Vec<String> = m.tp.iter().map(|t| t.to_string()).collect();
    let _ = write!(
        out,
        "<tr data-path=\"{}\" data-themes=\"{}\" data-city=\"{}\" data-tp=\"{}\" data-status=\"{}\">",
        h(&m.path),
        h(&theme_ids.join("|")),
        m.city.map_or("", |c| c.name()),
        tps.join("|"),
        status_id(m.status)
    );
    let _ = write!(
        out,
        "<td><a href=\"{}\">{}</a>{}<div class=\"path\">{}</div></td>",
        h(&escape::href(link_prefix, &m.path)),
        h(&clip(&m.title, 200)),
        if manual("title") {
            manual_mark.as_str()
        } else {
            ""
        },
        h(&m.path)
    );
    let _ = write!(
        out,
        "<td>{}{}</td><td>{}{}</td>",
        m.city.map_or("–", |c| c.name()),
        if manual("city") {
            manual_mark.as_str()
        } else {
            ""
        },
        h(tp_tag(&m.tp)
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')),
        if manual("tp") {
            manual_mark.as_str()
        } else {
            ""
        }
    );
    out.push_str("<td>");
    if m.themes.is_empty() {
        out.push('–');
    } else {
        out.push_str("<ul class=\"themes\">");
        for t in &m.themes {
            let title = titles.get(t.id.as_str()).copied().unwrap_or(t.id.as_str());
            let _ = write!(
                out,
                "<li title=\"{}\">{} <span class=\"score\">{}</span>{}</li>",
                h(title),
                h(short_title(title)),
                score(t.score, lang),
                if t.manual { manual_mark.as_str() } else { "" }
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</td>");
    let status = match (&m.status, &m.error) {
        (Status::Error, Some(e)) => format!(
            "{} <span class=\"kind\">{}</span>",
            lang.status(m.status),
            e.kind.as_str()
        ),
        _ => lang.status(m.status).to_string(),
    };
    let _ = write!(
        out,
        "<td class=\"status-{}\">{status}</td><td>",
        status_id(m.status)
    );
    match (&m.status, &m.error) {
        (Status::Error, Some(e)) => {
            let _ = write!(
                out,
                "<span class=\"error\">{}</span>",
                h(&clip(&e.message, 400))
            );
        }
        // OCR ran on it: what it found, or why it could not read it.
        (Status::Empty, _) if m.ocr.is_some() => {
            out.push_str(&h(&clip(m.ocr.as_deref().unwrap_or_default(), 400)));
        }
        (Status::Empty, _) => out.push_str(lang.pick(
            "Ei tekstiä: todennäköisesti skannattu, tarvitsee tekstintunnistuksen (OCR).",
            "No text: probably scanned, needs text recognition (OCR).",
        )),
        _ if full_evidence => evidence(m, titles, out),
        _ => match m.themes.iter().flat_map(|t| t.snippets.iter()).next() {
            Some(s) => out.push_str(&h(&clip(s, 200))),
            None => out.push('–'),
        },
    }
    out.push_str("</td></tr>\n");
}

fn evidence(m: &Material, titles: &std::collections::HashMap<&str, &str>, out: &mut String) {
    let h = escape::html;
    let first = m.themes.iter().flat_map(|t| t.snippets.iter()).next();
    let Some(first) = first else {
        out.push('–');
        return;
    };
    let _ = write!(out, "<details><summary>{}</summary>", h(&clip(first, 140)));
    for t in &m.themes {
        let title = titles.get(t.id.as_str()).copied().unwrap_or(t.id.as_str());
        let terms: Vec<String> = t
            .terms
            .iter()
            .take(12)
            .map(|c| format!("{} ×{}", c.term, c.count))
            .collect();
        let _ = write!(out, "<p><b>{}</b>", h(short_title(title)));
        if !terms.is_empty() {
            let _ = write!(out, ": {}", h(&terms.join(", ")));
        }
        out.push_str("</p>");
        if !t.snippets.is_empty() {
            out.push_str("<ul>");
            for s in &t.snippets {
                let _ = write!(out, "<li>{}</li>", h(s));
            }
            out.push_str("</ul>");
        }
    }
    out.push_str("</details>");
}

fn audit_section(s: &Summary, a: &Audit, lang: Lang, out: &mut String) {
    let _ = write!(
        out,
        "<section id=\"auditointi\">\n<h2>{}</h2>\n<table class=\"counts\"><tbody>\n",
        lang.text(Text::Audit)
    );
    for row in a.count_rows(lang) {
        let (label, n) = (row.label, row.count);
        if row.filter.is_empty() || n == 0 {
            let _ = writeln!(out, "<tr><th scope=\"row\">{label}</th><td>{n}</td></tr>");
        } else {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{label}</th><td><a href=\"{}\">{n}</a></td></tr>",
                row.filter
            );
        }
    }
    out.push_str("</tbody></table>\n");
    let _ = writeln!(
        out,
        "<p>{}</p>",
        lang.pick(
            "Luettelot ja virheilmoitukset ovat tiedostossa <a href=\"audit.md\">audit.md</a>; kaikki tiedot taulukkona: <a href=\"kooste.xlsx\">kooste.xlsx</a>.",
            "The lists and error messages are in <a href=\"audit.md\">audit.md</a>; all data as a spreadsheet: <a href=\"kooste.xlsx\">kooste.xlsx</a>."
        )
    );
    if s.left_out > 0 {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            match lang {
                Lang::Fi if s.left_out == 1 =>
                    "Teemataulukoista on jätetty pois 1 vanhempi versio tai kaksoiskappale."
                        .to_string(),
                Lang::Fi => format!(
                    "Teemataulukoista on jätetty pois {} vanhempaa versiota tai kaksoiskappaletta.",
                    s.left_out
                ),
                Lang::En if s.left_out == 1 =>
                    "1 older version or identical copy is left out of the theme tables.".to_string(),
                Lang::En => format!(
                    "{} older versions or identical copies are left out of the theme tables.",
                    s.left_out
                ),
            }
        );
    }
    out.push_str("</section>\n");
}

/// The base64 SHA-256 of a text, as a Content-Security-Policy source names an inline block.
fn sha256_base64(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    base64(digest.as_slice())
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let at = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(ALPHABET[at]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn sha256_of_empty_text_is_the_known_one() {
        assert_eq!(
            sha256_base64(""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn the_script_holds_no_markup_breaking_sequence() {
        // The script is inlined: "</script" inside it would end it early.
        assert!(!SCRIPT.to_lowercase().contains("</script"));
        assert!(!STYLE.to_lowercase().contains("</style"));
    }
}

//! What changed between two runs over the same drive.

use kooste_model::{Changes, Index, Material, ThemeChange};
use std::collections::BTreeMap;

pub fn changes(previous: &Index, current: &Index) -> Changes {
    let before: BTreeMap<&str, &Material> = previous
        .documents
        .iter()
        .map(|m| (m.path.as_str(), m))
        .collect();
    let after: BTreeMap<&str, &Material> = current
        .documents
        .iter()
        .map(|m| (m.path.as_str(), m))
        .collect();
    let mut c = Changes {
        since: previous.generated.clone(),
        ..Changes::default()
    };
    for (path, m) in &after {
        let Some(old) = before.get(path) else {
            c.added.push(path.to_string());
            continue;
        };
        if old.hash != m.hash {
            c.modified.push(path.to_string());
        }
        let themes = |m: &Material| {
            let mut ids: Vec<&str> = m.themes.iter().map(|t| t.id.as_str()).collect();
            ids.sort_unstable();
            ids.join(";")
        };
        let city = |m: &Material| m.city.map(|c| c.name().to_string()).unwrap_or_default();
        let tp = |m: &Material| {
            m.tp.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(";")
        };
        for (field, b, a) in [
            ("themes", themes(old), themes(m)),
            ("city", city(old), city(m)),
            ("tp", tp(old), tp(m)),
        ] {
            if b != a {
                c.reassigned.push(ThemeChange {
                    path: path.to_string(),
                    field: field.to_string(),
                    before: b,
                    after: a,
                });
            }
        }
    }
    c.removed = before
        .keys()
        .filter(|p| !after.contains_key(*p))
        .map(|p| p.to_string())
        .collect();
    c
}

pub fn changes_markdown(c: &Changes) -> String {
    let mut out = format!("# Muutokset\n\nEdellinen ajo: {}\n\n", c.since);
    let list = |out: &mut String, title: &str, paths: &[String]| {
        out.push_str(&format!("## {title} ({})\n\n", paths.len()));
        for p in paths {
            out.push_str(&format!("- `{}`\n", p.replace('`', "'")));
        }
        if !paths.is_empty() {
            out.push('\n');
        }
    };
    list(&mut out, "Uudet materiaalit", &c.added);
    list(&mut out, "Poistuneet materiaalit", &c.removed);
    list(&mut out, "Muuttuneet materiaalit", &c.modified);
    out.push_str(&format!(
        "## Muuttuneet luokitukset ({})\n\n",
        c.reassigned.len()
    ));
    for r in &c.reassigned {
        let field = match r.field.as_str() {
            "themes" => "teemat",
            "city" => "kaupunki",
            _ => "työpaketti",
        };
        let show = |s: &str| {
            if s.is_empty() {
                "–".to_string()
            } else {
                s.to_string()
            }
        };
        out.push_str(&format!(
            "- `{}`: {field} {} → {}\n",
            r.path.replace('`', "'"),
            show(&r.before),
            show(&r.after)
        ));
    }
    out
}

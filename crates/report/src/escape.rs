//! Text from documents is data. These turn it into Markdown, HTML and link targets that
//! show it as written and can never become markup, script or another link scheme.

/// Inline Markdown: characters that would start markup are escaped, line breaks flattened.
pub(crate) fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '&' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A path as a Markdown code span, delimiters included. The delimiters are one backtick more
/// than the longest run of backticks in the path, so that a backtick of a name shows as it is
/// (`` `a` x.txt ``); a space pads a path that starts or ends with a backtick or starts and
/// ends with a space, as Markdown strips one from each end. Line breaks and other control
/// characters become spaces: a span cannot hold them.
pub(crate) fn code(path: &str) -> String {
    let text: String = path
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.len() >= 2
            && text.starts_with(' ')
            && text.ends_with(' ')
            && !text.trim().is_empty());
    let space = if pad { " " } else { "" };
    format!("{fence}{space}{text}{space}{fence}")
}

/// HTML text and attribute values (always written in double quotes).
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The link from the output folder to a material: `prefix` leads to the drive. ASCII other
/// than letters, digits, `-._~/` is percent-encoded, so no name can end the link, start a
/// query or fragment, or read as a scheme such as `javascript:`. Letters outside ASCII stay
/// as they are; browsers and Markdown viewers encode them themselves. A name's bytes that are
/// not UTF-8 (written `\xHH` in the path, see [`kooste_model::name_text`]) are
/// percent-encoded as the bytes they are, so that the link finds the file.
pub(crate) fn href(prefix: &str, path: &str) -> String {
    let target = kooste_model::name_bytes(archive_file(path));
    let mut out = String::with_capacity(prefix.len() + target.len());
    for c in prefix.chars() {
        push_link_char(&mut out, c);
    }
    for chunk in target.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_link_char(&mut out, c);
        }
        for b in chunk.invalid() {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn push_link_char(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '/') {
        out.push(c);
    } else if c.is_ascii() {
        out.push_str(&format!("%{:02X}", c as u32));
    } else {
        out.push(c);
    }
}

/// A member of an archive (`pack.zip/inner/x.pdf`) or an attachment of a saved message
/// (`viesti.msg/x.pdf`) opens through the archive or message, the file that exists on the
/// drive.
pub(crate) fn archive_file(path: &str) -> &str {
    let mut end = 0;
    for segment in path.split('/') {
        end += segment.len();
        let tail = segment.as_bytes().get(segment.len().saturating_sub(4)..);
        let container = tail.is_some_and(|t| {
            [b".zip", b".eml", b".msg"]
                .iter()
                .any(|ext| t.eq_ignore_ascii_case(*ext))
        });
        if container && end < path.len() {
            return path.get(..end).unwrap_or(path);
        }
        end += 1;
    }
    path
}

/// At most `max` characters, cut at a word boundary, with an ellipsis when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut.rfind(char::is_whitespace).filter(|&i| i > max / 2);
    let kept = at.and_then(|i| cut.get(..i)).unwrap_or(&cut);
    format!("{}…", kept.trim_end_matches([',', ';', ':', ' ', '-']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_document_text_is_escaped() {
        assert_eq!(
            markdown("<script>a|b</script>"),
            "\\<script\\>a\\|b\\</script\\>"
        );
        assert_eq!(markdown("rivi\nrivi"), "rivi rivi");
        assert_eq!(markdown("![x](y)"), "\\!\\[x\\](y)");
    }

    #[test]
    fn code_spans_show_backticks_as_they_are() {
        assert_eq!(code("Oulu/a.txt"), "`Oulu/a.txt`");
        assert_eq!(code("Oulu/`code` x.txt"), "``Oulu/`code` x.txt``");
        assert_eq!(code("``a``"), "``` ``a`` ```");
        assert_eq!(code("a\nb"), "`a b`");
        assert_eq!(code(" a "), "`  a  `");
    }

    #[test]
    fn html_escapes_every_special_character() {
        assert_eq!(
            html("<img src=x onerror='a'>&\"\u{0}"),
            "&lt;img src=x onerror=&#39;a&#39;&gt;&amp;&quot; "
        );
    }

    #[test]
    fn links_encode_what_could_break_them() {
        assert_eq!(
            href("../d/", "Oulu/Työpaketti 5 (TP5).pdf"),
            "../d/Oulu/Työpaketti%205%20%28TP5%29.pdf"
        );
        assert_eq!(href("", "javascript:alert(1)"), "javascript%3Aalert%281%29");
        assert_eq!(href("", "a\"><b>#?.pdf"), "a%22%3E%3Cb%3E%23%3F.pdf");
        // A Latin-1 name links to its own bytes; a backslash of a name is a backslash.
        assert_eq!(href("../", "Oulu/Ty\\xf6paja.txt"), "../Oulu/Ty%F6paja.txt");
        assert_eq!(href("", "a\\b.txt"), "a%5Cb.txt");
        assert_eq!(href("", "a\\\\xf6.txt"), "a%5Cxf6.txt");
    }

    #[test]
    fn archive_members_link_to_the_archive() {
        assert_eq!(
            href("../", "Tampere/paketti.ZIP/sisä/x.pdf"),
            "../Tampere/paketti.ZIP"
        );
        assert_eq!(href("", "Tampere/paketti.zip"), "Tampere/paketti.zip");
        assert_eq!(href("", "a.zipper/x.pdf"), "a.zipper/x.pdf");
        assert_eq!(href("", "Oulu/Kutsu.MSG/liite.pdf"), "Oulu/Kutsu.MSG");
        assert_eq!(href("", "Oulu/kutsu.eml/liite.pdf"), "Oulu/kutsu.eml");
    }

    #[test]
    fn clip_cuts_at_a_word() {
        assert_eq!(clip("lyhyt", 10), "lyhyt");
        assert_eq!(clip("yksi kaksi kolme neljä", 12), "yksi kaksi…");
        assert_eq!(clip("äääääääääääää", 5), "äääää…");
    }
}

use serde::{Deserialize, Serialize};
use std::fmt;

/// The file format a material was recognised as, by content first and extension second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    /// Also DOCM and DOTX: the same WordprocessingML package.
    Docx,
    /// Also PPTM, PPSX and POTX.
    Pptx,
    /// Also XLSM and XLTX.
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Odt,
    Odp,
    /// Plain text (also CSV, which is read as text).
    Txt,
    Markdown,
    Html,
    /// A ZIP archive that is not an office package; its members become materials of their own.
    Zip,
    /// Legacy binary Word.
    Doc,
    /// Legacy binary PowerPoint.
    Ppt,
    /// Rich Text Format.
    Rtf,
    /// Recognised as none of the above.
    Unknown,
    /// An e-mail message saved as MIME (`.eml`); its attachments are materials of their own.
    Eml,
    /// An Outlook message (`.msg`, an OLE2 compound file); its attachments likewise.
    Msg,
    /// An iCalendar file (`.ics`): meeting invitations and calendar exports.
    Ics,
    /// A picture (JPEG, PNG, TIFF, GIF, BMP, WebP): a photo, a logo, or a page scanned to an
    /// image file. It has no text of its own; with OCR on, a scanned page's text is read.
    Image,
}

impl Format {
    /// A presentation, whose pages are slides.
    pub fn has_slides(self) -> bool {
        matches!(self, Format::Pptx | Format::Ppt | Format::Odp)
    }

    /// Text written as characters, with no pages that could be pictures: such a file without
    /// text is empty, not scanned.
    pub fn is_plain_text(self) -> bool {
        matches!(
            self,
            Format::Txt | Format::Markdown | Format::Html | Format::Ics
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Pptx => "pptx",
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Odt => "odt",
            Format::Odp => "odp",
            Format::Txt => "txt",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Zip => "zip",
            Format::Doc => "doc",
            Format::Ppt => "ppt",
            Format::Rtf => "rtf",
            Format::Eml => "eml",
            Format::Msg => "msg",
            Format::Ics => "ics",
            Format::Image => "image",
            Format::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One page of a document: a PDF page, a slide, a spreadsheet sheet, or the whole body of a
/// flowing text document (which has no reliable pages of its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// 1-based position in reading order.
    pub n: u32,
    /// The sheet's name, or a label such as "muistiinpanot" for a section that is not a page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub text: String,
    /// A slide or sheet hidden from the reader in the original.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// A page with no words of its own that shows a picture, whose writing OCR may read: a
    /// scanned page or a screenshot. Of a PDF page, the picture covers a tenth of it or more
    /// (a page number may stand beside it); of a slide, its own shapes have no words (its
    /// layout's and its notes' may).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pictured: bool,
}

impl Page {
    pub fn new(n: u32, text: impl Into<String>) -> Page {
        Page {
            n,
            name: None,
            text: text.into(),
            hidden: false,
            pictured: false,
        }
    }
}

/// Page numbers as a reader writes them: runs of three or more consecutive pages as ranges
/// ("31, 36–40"), in the order given.
pub fn page_runs(numbers: &[u32]) -> String {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &n in numbers {
        match runs.last_mut() {
            Some((_, last)) if last.checked_add(1) == Some(n) => *last = n,
            _ => runs.push((n, n)),
        }
    }
    let runs: Vec<String> = runs
        .iter()
        .map(|&(a, b)| match b - a {
            0 => a.to_string(),
            1 => format!("{a}, {b}"),
            _ => format!("{a}\u{2013}{b}"),
        })
        .collect();
    runs.join(", ")
}

/// What the document says about itself. Dates are kept as ISO 8601 text where the source
/// allows, otherwise as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub title: Option<String>,
    pub author: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
}

/// The faithful text of one file, with its structure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub format: Format,
    pub pages: Vec<Page>,
    pub meta: Meta,
    /// Set when the file is damaged and only part of it could be read: what was wrong and
    /// what was read. The audit lists such files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub damaged: Option<String>,
}

impl Document {
    /// The numbers of the pages marked [`Page::pictured`], in order.
    pub fn pictured_pages(&self) -> Vec<u32> {
        self.pages
            .iter()
            .filter(|p| p.pictured)
            .map(|p| p.n)
            .collect()
    }

    /// Pages joined by a form feed, as pdftotext does, so page boundaries survive in plain text.
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(self.pages.iter().map(|p| p.text.len() + 1).sum());
        for (i, page) in self.pages.iter().enumerate() {
            if i > 0 {
                out.push('\u{c}');
            }
            out.push_str(&page.text);
        }
        out
    }

    /// Number of characters of text, not bytes.
    pub fn chars(&self) -> usize {
        self.pages.iter().map(|p| p.text.chars().count()).sum()
    }

    /// True when no page holds anything but white space: a scanned document, or an empty one.
    pub fn is_empty(&self) -> bool {
        self.pages.iter().all(|p| p.text.trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(pages: &[&str]) -> Document {
        Document {
            format: Format::Pdf,
            pages: pages
                .iter()
                .zip(1..)
                .map(|(t, n)| Page::new(n, *t))
                .collect(),
            meta: Meta::default(),
            damaged: None,
        }
    }

    #[test]
    fn text_joins_pages_with_form_feed() {
        assert_eq!(doc(&["yksi", "kaksi", ""]).text(), "yksi\u{c}kaksi\u{c}");
        assert_eq!(doc(&[]).text(), "");
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(doc(&["äö", "å"]).chars(), 3);
    }

    #[test]
    fn empty_means_only_white_space() {
        assert!(doc(&[" \n", "\t"]).is_empty());
        assert!(doc(&[]).is_empty());
        assert!(!doc(&["", "x"]).is_empty());
    }

    #[test]
    fn format_serialises_as_its_id() {
        for f in [Format::Pdf, Format::Pptx, Format::Markdown, Format::Unknown] {
            assert_eq!(
                serde_json::to_string(&f).ok(),
                Some(format!("\"{}\"", f.as_str()))
            );
        }
    }
}

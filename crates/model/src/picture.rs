//! Pictures told by their first bytes. Extraction marks them [`crate::Format::Image`], and
//! OCR gives tesseract only those its image library reads.

/// The extension of the file name `name` (the last part of a path, after its last dot),
/// lower-cased, where it is one a private copy may carry: up to 8 ASCII letters and digits.
/// Programs that go by extensions (tesseract, pdftoppm) get the file's own; nothing else of
/// a name from a drive reaches the copy's path.
pub fn copy_extension(name: &str) -> Option<String> {
    name.rsplit(['/', '\\'])
        .next()
        .and_then(|file| file.rsplit_once('.'))
        .map(|(_, ext)| ext)
        .filter(|ext| {
            !ext.is_empty() && ext.len() <= 8 && ext.chars().all(|c| c.is_ascii_alphanumeric())
        })
        .map(str::to_ascii_lowercase)
}

/// A kind of picture a drive holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picture {
    Png,
    Jpeg,
    Gif,
    Tiff,
    WebP,
    Bmp,
    /// Phones' own format, which tesseract's image library (leptonica) does not read.
    Heic,
}

impl Picture {
    /// The picture `head` (a file's first 16 bytes or more) begins, by its signature.
    /// BMP's two-letter signature is too weak alone and needs the extension `ext` (lower
    /// case, without the dot) too; HEIC is named by its ISO box.
    pub fn of(head: &[u8], ext: &str) -> Option<Picture> {
        Some(match head {
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Picture::Png,
            [0xFF, 0xD8, 0xFF, ..] => Picture::Jpeg,
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Picture::Gif,
            [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => Picture::Tiff,
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'E',
                b'B',
                b'P',
                ..,
            ] => Picture::WebP,
            [b'B', b'M', ..] if ext == "bmp" => Picture::Bmp,
            [
                _,
                _,
                _,
                _,
                b'f',
                b't',
                b'y',
                b'p',
                b'h',
                b'e',
                b'i',
                b'c' | b'x',
                ..,
            ]
            | [
                _,
                _,
                _,
                _,
                b'f',
                b't',
                b'y',
                b'p',
                b'm',
                b'i',
                b'f',
                b'1',
                ..,
            ] => Picture::Heic,
            _ => return None,
        })
    }

    /// What the audit calls it: "JPEG image".
    pub fn describe(self) -> &'static str {
        match self {
            Picture::Png => "PNG image",
            Picture::Jpeg => "JPEG image",
            Picture::Gif => "GIF image",
            Picture::Tiff => "TIFF image",
            Picture::WebP => "WebP image",
            Picture::Bmp => "BMP image",
            Picture::Heic => "HEIC image",
        }
    }

    /// The usual file extension of the kind, for a copy that programs recognise by its name.
    pub fn extension(self) -> &'static str {
        match self {
            Picture::Png => "png",
            Picture::Jpeg => "jpg",
            Picture::Gif => "gif",
            Picture::Tiff => "tif",
            Picture::WebP => "webp",
            Picture::Bmp => "bmp",
            Picture::Heic => "heic",
        }
    }

    /// Whether tesseract reads it.
    pub fn readable_by_ocr(self) -> bool {
        self != Picture::Heic
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_gets_the_extension_of_the_file_name_only_and_a_safe_one() {
        assert_eq!(copy_extension("/kansio.d/Sivu.JPG").as_deref(), Some("jpg"));
        assert_eq!(copy_extension("a\\b\\scan.Tif").as_deref(), Some("tif"));
        assert_eq!(copy_extension("/liitteet.zip/README"), None);
        assert_eq!(copy_extension("kuva.j p g"), None);
        assert_eq!(copy_extension("kuva.jpg/../x"), None);
        assert_eq!(copy_extension("kuva.verylongext"), None);
        assert_eq!(copy_extension("kuva."), None);
        assert_eq!(copy_extension("kuva.kääk"), None);
    }
}

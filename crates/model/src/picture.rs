//! Pictures told by their first bytes. Extraction marks them [`crate::Format::Image`], and
//! OCR gives tesseract only those its image library reads.

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

//! Refusals decided from the OLE2 container before any parser runs.

use crate::Error;
use crate::sniff::{has_ole_stream, is_ole};
use kooste_model::Format;

/// Office writes a password-protected DOCX, PPTX or XLSX as an OLE2 file holding an
/// `EncryptedPackage` stream. Without the password there is nothing to read, and calling it
/// corrupt would send people looking for damage that is not there.
pub(crate) fn refusal(format: Format, bytes: &[u8]) -> Option<Error> {
    if !is_ole(bytes) {
        return None;
    }
    if has_ole_stream(bytes, "EncryptedPackage") {
        return Some(Error::Encrypted(format!(
            "password-protected Office document ({} in an encrypted OLE package)",
            format.as_str().to_uppercase()
        )));
    }
    match format {
        // An OLE file that claims an OOXML extension but holds no encrypted package.
        Format::Docx | Format::Pptx | Format::Xlsx | Format::Xlsb => Some(Error::Corrupt(format!(
            "an OLE2 compound file, not the ZIP package a .{} should be",
            format.as_str()
        ))),
        _ => None,
    }
}

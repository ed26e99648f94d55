//! Refusals decided from the OLE2 container before any parser runs.

use crate::sniff::{has_ole_stream, is_ole};
use crate::{Error, Limits};
use kooste_model::Format;
use std::io::{Cursor, Read};

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

/// A stream of an OLE2 compound file, read whole within the part limit; `None` when absent.
pub(crate) fn read_stream(
    file: &mut cfb::CompoundFile<Cursor<&[u8]>>,
    path: &str,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, Error> {
    if !file.is_stream(path) {
        return Ok(None);
    }
    let mut s = file
        .open_stream(path)
        .map_err(|e| Error::Corrupt(format!("stream {path}: {e}")))?;
    let mut data = Vec::new();
    s.by_ref()
        .take(limits.max_part_bytes + 1)
        .read_to_end(&mut data)
        .map_err(|e| Error::Corrupt(format!("stream {path}: {e}")))?;
    if data.len() as u64 > limits.max_part_bytes {
        return Err(Error::TooLarge(format!(
            "stream {path} is over {} bytes",
            limits.max_part_bytes
        )));
    }
    Ok(Some(data))
}

/// Little-endian integers of binary records; `None` past the end.
pub(crate) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// A FILETIME (100 ns since 1601) as ISO 8601 UTC; `None` for zero or an absurd value,
/// which property sets use for "not set".
pub(crate) fn filetime_iso(ticks: u64) -> Option<String> {
    let secs = (ticks / 10_000_000) as i64 - 11_644_473_600;
    if !(0..=4_102_444_800).contains(&secs) {
        return None;
    }
    let (y, m, d) = crate::numfmt::civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    ))
}

//! Stream decoding with a hard bound on output size.
//!
//! Content streams, ToUnicode CMaps, font programs and XMP are the only streams this crate
//! reads; image codecs (DCT, JPX, JBIG2, CCITT) are never needed for text and are refused.
//! Damaged compressed data yields what decoded before the damage, as viewers do.

use std::borrow::Cow;

use flate2::{Decompress, FlushDecompress, Status};
use lopdf::{Dictionary, Document, Object, Stream};

use crate::budget::{Budget, Stop};
use crate::objects::{get, get_int, resolve};

/// Filter chains longer than this are not real documents.
const MAX_FILTERS: usize = 8;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// Output would pass the stream or document allowance.
    TooLarge,
    /// A filter this crate does not decode (image codecs, unknown names): its name.
    Unsupported(String),
}

impl DecodeError {
    /// A stream that cannot be decoded is skipped; one that is too large stops the document.
    pub(crate) fn into_stop(self) -> Option<Stop> {
        match self {
            DecodeError::TooLarge => Some(Stop::TooLarge("decompressed stream size")),
            DecodeError::Unsupported(_) => None,
        }
    }
}

/// The decoded data of a stream, counted against the budget.
pub(crate) fn decode<'a>(
    doc: &Document,
    stream: &'a Stream,
    budget: &mut Budget,
) -> Result<Cow<'a, [u8]>, DecodeError> {
    let limit = budget.stream_allowance();
    let out = decode_with_limit(doc, stream, limit)?;
    if let Cow::Owned(v) = &out {
        budget
            .add_decoded(v.len())
            .map_err(|_| DecodeError::TooLarge)?;
    }
    Ok(out)
}

pub(crate) fn decode_with_limit<'a>(
    doc: &Document,
    stream: &'a Stream,
    limit: usize,
) -> Result<Cow<'a, [u8]>, DecodeError> {
    let dict = &stream.dict;
    let filters: Vec<&[u8]> = match get(doc, dict, b"Filter") {
        None => Vec::new(),
        Some(Object::Name(n)) => vec![n.as_slice()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| match resolve(doc, o) {
                Object::Name(n) => Some(n.as_slice()),
                _ => None,
            })
            .collect(),
        Some(_) => Vec::new(),
    };
    if filters.len() > MAX_FILTERS {
        return Err(DecodeError::Unsupported(format!(
            "a chain of {} filters",
            filters.len()
        )));
    }
    let parms: Vec<Option<&Dictionary>> =
        match get(doc, dict, b"DecodeParms").or_else(|| get(doc, dict, b"DP")) {
            Some(Object::Dictionary(d)) => vec![Some(d)],
            Some(Object::Array(a)) => a
                .iter()
                .map(|o| match resolve(doc, o) {
                    Object::Dictionary(d) => Some(d),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
    if filters.is_empty() {
        if stream.content.len() > limit {
            return Err(DecodeError::TooLarge);
        }
        return Ok(Cow::Borrowed(&stream.content));
    }
    let mut data: Cow<'a, [u8]> = Cow::Borrowed(&stream.content);
    for (i, filter) in filters.iter().enumerate() {
        let parm = parms.get(i).copied().flatten();
        let next = match *filter {
            b"FlateDecode" | b"Fl" => {
                let raw = inflate(&data, limit)?;
                predict(doc, raw, parm, limit)?
            }
            b"LZWDecode" | b"LZW" => {
                let early = parm
                    .and_then(|p| get_int(doc, p, b"EarlyChange"))
                    .unwrap_or(1);
                let raw = lzw(&data, early != 0, limit)?;
                predict(doc, raw, parm, limit)?
            }
            b"ASCIIHexDecode" | b"AHx" => ascii_hex(&data),
            b"ASCII85Decode" | b"A85" => ascii85(&data),
            b"RunLengthDecode" | b"RL" => run_length(&data, limit)?,
            b"Crypt" => data.into_owned(),
            other => {
                // The name is the file's: a message shows a name's length, no more.
                let name = String::from_utf8_lossy(other);
                return Err(DecodeError::Unsupported(name.chars().take(40).collect()));
            }
        };
        if next.len() > limit {
            return Err(DecodeError::TooLarge);
        }
        data = Cow::Owned(next);
    }
    Ok(data)
}

fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    // Some producers write raw deflate data without the zlib header.
    let zlib = data.len() >= 2
        && data[0] & 0x0F == 8
        && (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 == 0;
    let mut out = inflate_with(data, limit, zlib)?;
    if out.is_empty() && zlib && data.len() > 2 {
        out = inflate_with(&data[2..], limit, false)?;
    } else if out.is_empty() && !zlib {
        out = inflate_with(data, limit, true)?;
    }
    Ok(out)
}

fn inflate_with(data: &[u8], limit: usize, zlib: bool) -> Result<Vec<u8>, DecodeError> {
    let mut d = Decompress::new(zlib);
    let mut out: Vec<u8> =
        Vec::with_capacity(data.len().saturating_mul(4).clamp(1024, limit.max(1024)));
    loop {
        if out.len() == out.capacity() {
            if out.len() >= limit {
                // Output stopped exactly at the limit: a bomb unless the stream ends here.
                let mut probe = [0u8; 1];
                let consumed = d.total_in() as usize;
                return match d.decompress(
                    &data[consumed.min(data.len())..],
                    &mut probe,
                    FlushDecompress::None,
                ) {
                    Ok(_) if d.total_out() as usize > out.len() => Err(DecodeError::TooLarge),
                    _ => Ok(out),
                };
            }
            let grow = out.len().max(4096).min(limit - out.len());
            out.reserve_exact(grow);
        }
        let consumed = (d.total_in() as usize).min(data.len());
        let before_in = d.total_in();
        let before_out = d.total_out();
        match d.decompress_vec(&data[consumed..], &mut out, FlushDecompress::None) {
            Ok(Status::StreamEnd) => return Ok(out),
            Ok(_) => {
                if d.total_in() == before_in && d.total_out() == before_out {
                    // Truncated input: keep what decoded.
                    return Ok(out);
                }
            }
            Err(_) => return Ok(out),
        }
    }
}

fn lzw(data: &[u8], early_change: bool, limit: usize) -> Result<Vec<u8>, DecodeError> {
    let mut decoder = if early_change {
        weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
    } else {
        weezl::decode::Decoder::new(weezl::BitOrder::Msb, 8)
    };
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut input = data;
    loop {
        let r = decoder.decode_bytes(input, &mut buf);
        let produced = r.consumed_out;
        if out.len() + produced > limit {
            return Err(DecodeError::TooLarge);
        }
        out.extend_from_slice(&buf[..produced]);
        input = &input[r.consumed_in.min(input.len())..];
        match r.status {
            Ok(weezl::LzwStatus::Ok) if r.consumed_in > 0 || produced > 0 => continue,
            _ => return Ok(out),
        }
    }
}

fn predict(
    doc: &Document,
    data: Vec<u8>,
    parm: Option<&Dictionary>,
    limit: usize,
) -> Result<Vec<u8>, DecodeError> {
    let Some(parm) = parm else {
        return Ok(data);
    };
    let predictor = get_int(doc, parm, b"Predictor").unwrap_or(1);
    if predictor < 2 {
        return Ok(data);
    }
    let colors = get_int(doc, parm, b"Colors").unwrap_or(1).clamp(1, 32) as usize;
    let bpc = get_int(doc, parm, b"BitsPerComponent")
        .unwrap_or(8)
        .clamp(1, 16) as usize;
    let columns = get_int(doc, parm, b"Columns")
        .unwrap_or(1)
        .clamp(1, 1 << 20) as usize;
    let bpp = (colors * bpc).div_ceil(8).max(1);
    // A row longer than the data is one partial row: no need to allocate the full width.
    let row = (colors * bpc * columns).div_ceil(8).min(data.len().max(1));
    if predictor == 2 {
        if bpc != 8 {
            return Ok(data);
        }
        let mut data = data;
        for line in data.chunks_mut(row.max(1)) {
            for i in bpp..line.len() {
                line[i] = line[i].wrapping_add(line[i - bpp]);
            }
        }
        return Ok(data);
    }
    // PNG predictors: every row starts with its own filter-type byte.
    let mut out = Vec::with_capacity(data.len().min(limit));
    let mut prev = vec![0u8; row];
    let mut cur = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        let Some((&kind, src)) = chunk.split_first() else {
            break;
        };
        cur[..src.len()].copy_from_slice(src);
        for b in cur[src.len()..].iter_mut() {
            *b = 0;
        }
        for i in 0..row {
            let left = if i >= bpp { cur[i - bpp] } else { 0 };
            let up = prev[i];
            let up_left = if i >= bpp { prev[i - bpp] } else { 0 };
            cur[i] = match kind {
                1 => cur[i].wrapping_add(left),
                2 => cur[i].wrapping_add(up),
                3 => cur[i].wrapping_add(((left as u16 + up as u16) / 2) as u8),
                4 => cur[i].wrapping_add(paeth(left, up, up_left)),
                _ => cur[i],
            };
        }
        if out.len() + src.len() > limit {
            return Err(DecodeError::TooLarge);
        }
        out.extend_from_slice(&cur[..src.len()]);
        std::mem::swap(&mut prev, &mut cur);
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let pa = (p - a as i16).abs();
    let pb = (p - b as i16).abs();
    let pc = (p - c as i16).abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

fn ascii_hex(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut high: Option<u8> = None;
    for &b in data {
        if b == b'>' {
            break;
        }
        let Some(v) = (b as char).to_digit(16) else {
            continue;
        };
        match high.take() {
            Some(h) => out.push(h << 4 | v as u8),
            None => high = Some(v as u8),
        }
    }
    if let Some(h) = high {
        out.push(h << 4);
    }
    out
}

fn ascii85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() * 4 / 5);
    let mut group = [0u32; 5];
    let mut n = 0;
    let body = data.strip_prefix(b"<~").unwrap_or(data);
    for &b in body {
        match b {
            b'~' => break,
            b'z' if n == 0 => out.extend_from_slice(&[0, 0, 0, 0]),
            b'!'..=b'u' => {
                group[n] = u32::from(b - b'!');
                n += 1;
                if n == 5 {
                    let v = group
                        .iter()
                        .fold(0u32, |acc, &d| acc.wrapping_mul(85).wrapping_add(d));
                    out.extend_from_slice(&v.to_be_bytes());
                    n = 0;
                }
            }
            _ => {}
        }
    }
    if n > 1 {
        for slot in group.iter_mut().skip(n) {
            *slot = 84;
        }
        let v = group
            .iter()
            .fold(0u32, |acc, &d| acc.wrapping_mul(85).wrapping_add(d));
        out.extend_from_slice(&v.to_be_bytes()[..n - 1]);
    }
    out
}

fn run_length(data: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        let len = data[i];
        i += 1;
        match len {
            128 => break,
            0..=127 => {
                let n = len as usize + 1;
                let end = (i + n).min(data.len());
                out.extend_from_slice(&data[i..end]);
                i = end;
            }
            _ => {
                let n = 257 - len as usize;
                if let Some(&b) = data.get(i) {
                    out.resize(out.len() + n, b);
                }
                i += 1;
            }
        }
        if out.len() > limit {
            return Err(DecodeError::TooLarge);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).ok();
        e.finish().unwrap_or_default()
    }

    #[test]
    fn inflates_and_bounds() {
        let data: Vec<u8> = (0..5000u32)
            .flat_map(|i| {
                format!("{} {} Td ({}) Tj\n", i % 97, i % 13, i * 7919 % 1000).into_bytes()
            })
            .collect();
        let z = zlib(&data);
        assert_eq!(inflate(&z, 1 << 20), Ok(data.clone()));
        assert_eq!(inflate(&z, data.len()), Ok(data.clone()));
        assert_eq!(inflate(&z, 100), Err(DecodeError::TooLarge));
        assert_eq!(inflate(&z, data.len() - 1), Err(DecodeError::TooLarge));
        // Truncated input keeps its decodable prefix.
        let partial = inflate(&z[..z.len() * 3 / 4], 1 << 20).unwrap_or_default();
        assert!(!partial.is_empty() && data.starts_with(&partial));
    }

    #[test]
    fn bomb_is_too_large() {
        let z = zlib(&vec![0u8; 50 << 20]);
        assert!(z.len() < 100_000);
        assert_eq!(inflate(&z, 1 << 20), Err(DecodeError::TooLarge));
    }

    #[test]
    fn ascii_filters() {
        assert_eq!(ascii_hex(b"48 65 6c6C 6f>"), b"Hello");
        assert_eq!(ascii_hex(b"7"), vec![0x70]);
        assert_eq!(ascii85(b"<~87cURD]i,\"Ebo80~>"), b"Hello World!");
        assert_eq!(ascii85(b"z~>"), vec![0, 0, 0, 0]);
    }

    #[test]
    fn run_length_decodes() {
        assert_eq!(
            run_length(&[2, b'a', b'b', b'c', 254, b'x', 128], 100),
            Ok(b"abcxxx".to_vec())
        );
        assert_eq!(run_length(&[129, b'x'], 10), Err(DecodeError::TooLarge));
    }

    #[test]
    fn png_up_predictor() {
        let doc = Document::new();
        let mut parm = Dictionary::new();
        parm.set("Predictor", 12);
        parm.set("Columns", 3);
        let data = vec![2, 1, 2, 3, 2, 1, 1, 1];
        assert_eq!(
            predict(&doc, data, Some(&parm), 100),
            Ok(vec![1, 2, 3, 2, 3, 4])
        );
    }
}

//! Prints a PDF's text as pdftotext does: pages in order, each followed by a form feed.
//! On failure prints `kind: message` to stderr and exits with status 1.
//!
//! Usage: pdftext FILE [--meta] [--timeout SECONDS]

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let mut path = None;
    let mut meta = false;
    let mut timeout = 60.0;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--meta" => meta = true,
            "--timeout" => timeout = args.next().and_then(|t| t.parse().ok()).unwrap_or(timeout),
            _ => path = Some(a),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: pdftext FILE [--meta] [--timeout SECONDS]");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("io: {e}");
            return ExitCode::from(1);
        }
    };
    let limits = kooste_pdf::Limits {
        deadline: Some(Instant::now() + Duration::from_secs_f64(timeout)),
        ..kooste_pdf::Limits::default()
    };
    match kooste_pdf::extract(&bytes, &limits) {
        Ok(text) => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            if meta {
                let m = &text.meta;
                let _ = writeln!(
                    out,
                    "title: {:?}\nauthor: {:?}\ncreated: {:?}\nmodified: {:?}\npages: {}",
                    m.title,
                    m.author,
                    m.created,
                    m.modified,
                    text.pages.len()
                );
                return ExitCode::SUCCESS;
            }
            for page in &text.pages {
                let _ = out.write_all(page.as_bytes());
                let _ = out.write_all(b"\x0c");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let kind = match e.kind() {
                kooste_pdf::PdfErrorKind::Encrypted => "encrypted",
                kooste_pdf::PdfErrorKind::Corrupt => "corrupt",
                kooste_pdf::PdfErrorKind::TooLarge => "too_large",
                kooste_pdf::PdfErrorKind::Timeout => "timeout",
                kooste_pdf::PdfErrorKind::Unsupported => "unsupported",
            };
            eprintln!("{kind}: {e}");
            ExitCode::from(1)
        }
    }
}

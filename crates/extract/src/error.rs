use kooste_model::{ErrorKind, ExtractError};
use std::time::Duration;

/// Everything that can go wrong while reading one file. Each variant maps to one of the
/// SPEC's error kinds through [`Error::kind`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("PDF: {0}")]
    Pdf(String, ErrorKind),
    #[error("damaged ZIP container: {0}")]
    Zip(String),
    #[error("malformed XML in part {part}: {message}")]
    Xml { part: String, message: String },
    #[error("missing part {0}")]
    MissingPart(String),
    #[error("spreadsheet: {0}")]
    Sheet(String),
    #[error("{0}")]
    Encrypted(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("time limit of {0:?} exceeded")]
    Timeout(Duration),
    #[error("{0}")]
    Corrupt(String),
    /// A parser panicked; we report the file as damaged rather than crash the run.
    #[error("parser failed on malformed input: {0}")]
    Panic(String),
    /// The file is a plain archive; read its members instead.
    #[error("ZIP archive: its members are read as materials of their own")]
    Archive,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Pdf(_, kind) => *kind,
            Error::Zip(_)
            | Error::Xml { .. }
            | Error::MissingPart(_)
            | Error::Sheet(_)
            | Error::Corrupt(_)
            | Error::Panic(_) => ErrorKind::Corrupt,
            Error::Encrypted(_) => ErrorKind::Encrypted,
            Error::Unsupported(_) | Error::Archive => ErrorKind::Unsupported,
            Error::TooLarge(_) => ErrorKind::TooLarge,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::Io(_) => ErrorKind::Io,
        }
    }
}

impl From<Error> for ExtractError {
    fn from(e: Error) -> ExtractError {
        ExtractError::new(e.kind(), e.to_string())
    }
}

impl From<zip::result::ZipError> for Error {
    fn from(e: zip::result::ZipError) -> Error {
        use zip::result::ZipError;
        match e {
            ZipError::Io(io) => Error::Zip(io.to_string()),
            ZipError::UnsupportedArchive(msg) if msg.to_lowercase().contains("password") => {
                Error::Encrypted(format!("password-protected ZIP entry: {msg}"))
            }
            ZipError::InvalidPassword => Error::Encrypted("password-protected ZIP entry".into()),
            other => Error::Zip(other.to_string()),
        }
    }
}

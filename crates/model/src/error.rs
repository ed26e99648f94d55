use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a file could not be read. The set is closed and named in the SPEC: tools downstream
/// group the audit by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Needs a password we do not have.
    Encrypted,
    /// Damaged or not what its name or signature claims.
    Corrupt,
    /// A format we recognise but do not read (legacy binary Word, say).
    Unsupported,
    /// Over a size, count or memory bound.
    TooLarge,
    /// Over the time allowed for one file.
    Timeout,
    /// The file system refused: permissions, vanished file, ...
    Io,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 6] = [
        ErrorKind::Encrypted,
        ErrorKind::Corrupt,
        ErrorKind::Unsupported,
        ErrorKind::TooLarge,
        ErrorKind::Timeout,
        ErrorKind::Io,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Encrypted => "encrypted",
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Io => "io",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure to read one file, reduced to what the outputs carry: its kind and a message a
/// person can act on. The extract crate's richer error converts into this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ExtractError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ExtractError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ExtractError {
        ExtractError {
            kind,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialise_as_the_spec_names_them() {
        for kind in ErrorKind::ALL {
            let json = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(ErrorKind::TooLarge.as_str(), "too_large");
    }
}

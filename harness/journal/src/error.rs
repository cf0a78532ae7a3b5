//! Errors with the file, the line and p4d's own message text.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::field::Digest;

/// What went wrong. Where p4d has a message for the failure (its
/// `msgdb.cc` catalogue), [`ErrorKind`]'s `Display` is that exact text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A quoted word is still open when the input ends.
    #[error("End of input in middle of word!")]
    EndOfInput,
    /// A record is longer than the reader's limit
    /// ([`crate::DEFAULT_MAX_RECORD_LEN`] unless changed).
    #[error("Word too big for buffer!")]
    WordTooBig,
    /// A bare decimal word does not fit in a 64-bit integer.
    #[error("Word too big for a number!")]
    NumberTooBig,
    /// A quote closes and is not followed by a space or the end of the
    /// line, or a bare word is neither a number nor a digest.
    #[error("Bad quoting in journal file at line {line}!")]
    BadQuoting {
        /// Line where the bad byte is (1-based).
        line: u64,
    },
    /// The first word is not a known operation marker (also an empty line).
    #[error("Bad opcode '{operation}' journal record!")]
    BadOpcode {
        /// The word found where the marker should be (lossy UTF-8, shortened).
        operation: String,
    },
    /// A data record has no integer table version after its marker.
    #[error("Missing table version in journal record!")]
    MissingTableVersion,
    /// A data record has no (non-empty, quoted) table name.
    #[error("Missing table name in journal record!")]
    MissingTableName,
    /// A note (`@nx@`) has no server version after its type and date.
    #[error("Missing version number in journal record!")]
    MissingVersionNumber,
    /// A transaction marker (`@ex@`, `@mx@`) lacks its pid and time, or a
    /// note lacks its type and date.
    #[error("Bad transaction marker!")]
    BadTransactionMarker,
    /// Two spaces in a row, or a space at the start of a record (p4d never
    /// writes either, and a round trip could not reproduce it).
    #[error("Empty word in journal record (two spaces in a row)!")]
    EmptyWord,
    /// The gzip stream is damaged or cut short.
    #[error("Corrupt gzip data: {0}")]
    Gzip(String),
    /// Reading failed.
    #[error("Read error: {0}")]
    Io(#[source] io::Error),
    /// The checkpoint's MD5 is not the one its `.md5` side file records.
    #[error("MD5 mismatch: {md5_file} records {expected}, the checkpoint's content has {actual}")]
    Md5Mismatch {
        /// The side file that holds the expected digest.
        md5_file: String,
        /// Digest recorded in the side file.
        expected: Digest,
        /// Digest of the (uncompressed) checkpoint text.
        actual: Digest,
    },
    /// The `.md5` side file cannot be read or parsed.
    #[error("Bad MD5 file {md5_file}: {reason}")]
    BadMd5File {
        /// The side file.
        md5_file: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A checkpoint starts with a checkpoint header note but does not end
    /// with a checkpoint trailer note: it was not written to the end.
    #[error("Checkpoint has no trailer note: incomplete checkpoint (header at line {header_line})")]
    MissingTrailer {
        /// Line of the checkpoint header note.
        header_line: u64,
    },
}

/// An error reading, checking or verifying a journal or checkpoint.
///
/// `Display` renders `FILE:LINE: message` (or `line N: message` without a
/// file name, or `FILE: message` without a line).
#[derive(Debug)]
pub struct Error(Box<Inner>);

/// Boxed so that `Result<_, Error>` stays small on the hot paths.
#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    file: Option<PathBuf>,
    line: Option<u64>,
    offset: Option<u64>,
}

impl Error {
    /// An error of `kind` at `line` (1-based) and byte `offset` of the
    /// uncompressed stream.
    pub fn new(kind: ErrorKind, line: Option<u64>, offset: Option<u64>) -> Error {
        Error(Box::new(Inner {
            kind,
            file: None,
            line,
            offset,
        }))
    }

    /// Names the file the error is about.
    pub fn with_file(mut self, file: impl Into<PathBuf>) -> Error {
        self.0.file = Some(file.into());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The message alone (p4d's text where it has one).
    pub fn message(&self) -> String {
        self.0.kind.to_string()
    }

    /// The file, when known.
    pub fn file(&self) -> Option<&Path> {
        self.0.file.as_deref()
    }

    /// The 1-based line, when the error is about a place in the file.
    pub fn line(&self) -> Option<u64> {
        self.0.line
    }

    /// The byte offset in the uncompressed stream, when known.
    pub fn offset(&self) -> Option<u64> {
        self.0.offset
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = &self.0.kind;
        match (&self.0.file, self.0.line) {
            (Some(file), Some(line)) => write!(f, "{}:{}: {}", file.display(), line, kind),
            (Some(file), None) => write!(f, "{}: {}", file.display(), kind),
            (None, Some(line)) => write!(f, "line {line}: {kind}"),
            (None, None) => write!(f, "{kind}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0.kind)
    }
}

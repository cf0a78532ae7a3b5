//! The validating scanner: records as borrowed byte ranges, nothing materialised.

use std::borrow::Cow;
use std::io::Read;
use std::path::PathBuf;

use crate::error::{Error, ErrorKind};
use crate::field::Digest;
use crate::op::Op;
use crate::reader::Collect;
use crate::record::{LineEnd, Position, Record};
use crate::stream::Stream;
use crate::tokenize::{Step, scan_record, unescape};

/// One record as found in the input, borrowed from the scanner's buffer.
#[derive(Clone, Copy, Debug)]
pub struct RawRecord<'a> {
    bytes: &'a [u8],
    op: Op,
    table: Option<(usize, usize, bool)>,
    position: Position,
    trailing_space: bool,
    line_end: LineEnd,
}

impl<'a> RawRecord<'a> {
    /// The record's exact bytes, line end included.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The operation marker.
    pub fn op(&self) -> Op {
        self.op
    }

    /// The table name of a data record (`@@` collapsed, which p4d's
    /// table names never need).
    pub fn table(&self) -> Option<Cow<'a, [u8]>> {
        let (start, len, escaped) = self.table?;
        let raw = &self.bytes[start..start + len];
        Some(if escaped {
            Cow::Owned(unescape(raw))
        } else {
            Cow::Borrowed(raw)
        })
    }

    /// Where the record starts.
    pub fn position(&self) -> Position {
        self.position
    }

    /// Byte offset of the record in the (uncompressed) input.
    pub fn offset(&self) -> u64 {
        self.position.offset
    }

    /// 1-based line where the record starts.
    pub fn line(&self) -> u64 {
        self.position.line
    }

    /// Whether the line had p4d's trailing space.
    pub fn trailing_space(&self) -> bool {
        self.trailing_space
    }

    /// How the record's line ended.
    pub fn line_end(&self) -> LineEnd {
        self.line_end
    }

    /// Materialises the record.
    ///
    /// The bytes were validated when scanned, so this only fails if that
    /// promise is broken; the error then names the record's line.
    pub fn decode(&self) -> Result<Record, Error> {
        let mut sink = Collect::new();
        match scan_record(self.bytes, true, &mut sink) {
            Ok(Step::Record(end)) if end.len == self.bytes.len() => Ok(Record::decoded(
                end.op,
                sink.take(),
                end.trailing_space,
                end.line_end,
                self.position,
            )),
            Ok(_) => Err(Error::new(
                ErrorKind::EndOfInput,
                Some(self.position.line),
                Some(self.position.offset),
            )),
            Err(fault) => Err(Error::new(
                fault.kind,
                Some(self.position.line + fault.newlines),
                Some(self.position.offset + fault.at as u64),
            )),
        }
    }
}

/// Validates records without materialising them: the fast path behind
/// `p4ha journal check`, `stats` and `filter`.
///
/// It runs the same tokenizer as [`crate::Reader`] (so it accepts and
/// rejects exactly the same inputs) but keeps only each record's extent,
/// marker and table name. It is a lending iterator: each [`RawRecord`]
/// borrows the scanner until the next call.
///
/// ```
/// use p4ha_journal::Scanner;
/// let text = b"@pv@ 1 @db.counters@ @change@ @538@ \n";
/// let mut scanner = Scanner::new(&text[..]);
/// let record = scanner.next_record().unwrap().unwrap();
/// assert_eq!(record.bytes(), &text[..]);
/// assert_eq!(record.table().as_deref(), Some(&b"db.counters"[..]));
/// assert!(scanner.next_record().is_none());
/// ```
pub struct Scanner<R: Read> {
    stream: Stream<R>,
}

impl<R: Read + Send + 'static> Scanner<R> {
    /// Reads (and decompresses, and hashes for [`Scanner::with_md5`]) on a
    /// background thread while this one validates; same results. It pays
    /// for gzip input and for MD5 (see [`crate::is_gzip_file`]); for plain
    /// input the inline read is as fast. Call [`Scanner::with_md5`] first
    /// if the digest is wanted.
    pub fn with_read_ahead(mut self) -> Scanner<R> {
        self.stream.read_ahead();
        self
    }
}

impl<R: Read> Scanner<R> {
    /// A scanner over `input` (plain or gzip).
    pub fn new(input: R) -> Scanner<R> {
        Scanner {
            stream: Stream::new(input),
        }
    }

    /// Names the file in errors.
    pub fn with_file_name(mut self, file: impl Into<PathBuf>) -> Scanner<R> {
        self.stream.set_file(file.into());
        self
    }

    /// Changes the longest record accepted (see [`crate::Reader::with_max_record_len`]).
    pub fn with_max_record_len(mut self, max: usize) -> Scanner<R> {
        self.stream.set_max_record_len(max);
        self
    }

    /// Also computes the MD5 of the uncompressed content while scanning
    /// (see [`Scanner::md5`]).
    pub fn with_md5(mut self) -> Scanner<R> {
        self.stream.enable_md5();
        self
    }

    /// True once the input was found to be gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        self.stream.is_gzip()
    }

    /// The file name given with [`Scanner::with_file_name`].
    pub fn file_name(&self) -> Option<&std::path::Path> {
        self.stream.file()
    }

    /// Where the next record would start: after the last record, the
    /// input's length and line count plus one.
    pub fn position(&self) -> Position {
        self.stream.position()
    }

    /// The MD5 of the uncompressed bytes read so far, upper-case as p4d
    /// writes it, when enabled with [`Scanner::with_md5`]. Once
    /// [`Scanner::next_record`] has returned `None` this is the digest of
    /// the whole content.
    pub fn md5(&self) -> Option<Digest> {
        self.stream.md5()
    }

    /// The next record, an error (after which the scanner stops), or
    /// `None` at the end of the input.
    #[inline(always)]
    pub fn next_record(&mut self) -> Option<Result<RawRecord<'_>, Error>> {
        let found = match self.stream.next_raw()? {
            Ok(found) => found,
            Err(e) => return Some(Err(e)),
        };
        let (end, position, table) = (found.end, found.position, found.table);
        let bytes = self.stream.bytes(found.at, end.len);
        Some(Ok(RawRecord {
            bytes,
            op: end.op,
            table,
            position,
            trailing_space: end.trailing_space,
            line_end: end.line_end,
        }))
    }
}

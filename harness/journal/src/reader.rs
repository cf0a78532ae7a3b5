//! The materialising reader: an iterator of owned [`Record`]s.

use std::io::Read;
use std::path::PathBuf;

use crate::error::Error;
use crate::field::{Digest, Field, Int};
use crate::op::Op;
use crate::record::Record;
use crate::stream::Stream;
use crate::tokenize::{Sink, unescape};

/// Collects the words of a record into owned fields.
pub(crate) struct Collect {
    pub(crate) op: Op,
    pub(crate) fields: Vec<Field>,
    last_len: usize,
}

impl Collect {
    pub(crate) fn new() -> Collect {
        Collect {
            op: Op::Pv,
            fields: Vec::new(),
            last_len: 8,
        }
    }

    pub(crate) fn take(&mut self) -> Vec<Field> {
        self.last_len = self.fields.len();
        std::mem::take(&mut self.fields)
    }
}

impl Sink for Collect {
    #[inline]
    fn begin(&mut self) {
        self.fields.clear();
        if self.fields.capacity() == 0 {
            self.fields.reserve(self.last_len);
        }
    }

    #[inline]
    fn op(&mut self, op: Op) {
        self.op = op;
    }

    #[inline]
    fn string(&mut self, _: usize, content: &[u8], escaped: bool) {
        let bytes = if escaped {
            unescape(content)
        } else {
            content.to_vec()
        };
        self.fields.push(Field::Str(bytes));
    }

    #[inline]
    fn int(&mut self, _: usize, literal: &[u8], value: i64) {
        self.fields
            .push(Field::Int(Int::from_parts(value, literal)));
    }

    #[inline]
    fn digest(&mut self, _: usize, hex: &[u8]) {
        self.fields.push(Field::Digest(Digest::from_validated(hex)));
    }
}

/// Reads records from any [`Read`], plain or gzip (detected from the
/// magic bytes), holding at most one record plus a 256 KiB window in memory.
///
/// Iteration stops after the first error.
///
/// ```
/// use p4ha_journal::{Op, Reader};
/// let text = b"@pv@ 1 @db.counters@ @change@ @538@ \n@ex@ 123 1600000000\n";
/// let records: Vec<_> = Reader::new(&text[..]).collect::<Result<_, _>>().unwrap();
/// assert_eq!(records[0].table(), Some("db.counters"));
/// assert_eq!(records[1].op, Op::Ex);
/// assert_eq!(records[1].line(), Some(2));
/// ```
pub struct Reader<R: Read> {
    stream: Stream<R>,
    sink: Collect,
}

impl<R: Read + Send + 'static> Reader<R> {
    /// Reads (and decompresses) on a background thread while this one
    /// decodes; same records, less waiting on large files.
    pub fn with_read_ahead(mut self) -> Reader<R> {
        self.stream.read_ahead();
        self
    }
}

impl<R: Read> Reader<R> {
    /// A reader over `input`.
    pub fn new(input: R) -> Reader<R> {
        Reader {
            stream: Stream::new(input),
            sink: Collect::new(),
        }
    }

    /// Names the file in errors (`FILE:LINE: message`).
    pub fn with_file_name(mut self, file: impl Into<PathBuf>) -> Reader<R> {
        self.stream.set_file(file.into());
        self
    }

    /// Changes the longest record accepted (default
    /// [`crate::DEFAULT_MAX_RECORD_LEN`]); a longer one fails with
    /// `Word too big for buffer!`.
    pub fn with_max_record_len(mut self, max: usize) -> Reader<R> {
        self.stream.set_max_record_len(max);
        self
    }

    /// True once the input was found to be gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        self.stream.is_gzip()
    }

    /// Reads the next record.
    pub fn read_record(&mut self) -> Option<Result<Record, Error>> {
        let (end, _, position) = match self.stream.next_with(&mut self.sink)? {
            Ok(found) => found,
            Err(e) => return Some(Err(e)),
        };
        let fields = self.sink.take();
        Some(Ok(Record::decoded(
            end.op,
            fields,
            end.trailing_space,
            end.line_end,
            position,
        )))
    }
}

impl<R: Read> Iterator for Reader<R> {
    type Item = Result<Record, Error>;

    fn next(&mut self) -> Option<Result<Record, Error>> {
        self.read_record()
    }
}

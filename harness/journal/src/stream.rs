//! Input: gzip detection and the bounded buffer records are scanned from.

use std::io::{self, BufReader, Chain, Cursor, Read};
use std::path::PathBuf;

use flate2::read::MultiGzDecoder;
use md5::{Digest as _, Md5};

use crate::error::{Error, ErrorKind};
use crate::field::Digest;
use crate::op::Op;
use crate::readahead::{Chunk, HEADROOM, ReadAhead};
use crate::record::{LineEnd, Position};
use crate::structural::{self, Index};
use crate::tokenize::{End, Sink, Step, scan_record};

/// The two magic bytes every gzip stream starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// First buffer size; small so that many small files stay cheap.
const FIRST_BUFFER: usize = 64 * 1024;
/// The buffer grows to this size for ordinary records (large reads are
/// what makes scanning run at memory speed).
const STEADY_BUFFER: usize = 256 * 1024;

/// Default limit on the length of one record: 64 MiB. p4d's own limit is
/// not documented; this is generous for the longest real values (change
/// descriptions, job text) while bounding memory on a corrupt file whose
/// quote never closes.
pub const DEFAULT_MAX_RECORD_LEN: usize = 64 * 1024 * 1024;

type Prefixed<R> = Chain<Cursor<Vec<u8>>, R>;

pub(crate) enum Source<R: Read> {
    /// Not read yet: compression is detected on the first read.
    Pending(R),
    Plain(Prefixed<R>),
    Gzip(Box<MultiGzDecoder<BufReader<Prefixed<R>>>>),
    /// Only while switching states.
    Gone,
}

impl<R: Read> Source<R> {
    pub(crate) fn new(inner: R) -> Source<R> {
        Source::Pending(inner)
    }

    pub(crate) fn is_gzip(&self) -> bool {
        matches!(self, Source::Gzip(_))
    }

    fn open(&mut self) -> io::Result<()> {
        let Source::Pending(_) = self else {
            return Ok(());
        };
        let Source::Pending(mut inner) = std::mem::replace(self, Source::Gone) else {
            return Ok(());
        };
        let mut head = [0u8; 2];
        let mut got = 0;
        while got < head.len() {
            match inner.read(&mut head[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let prefixed = Cursor::new(head[..got].to_vec()).chain(inner);
        *self = if got == 2 && head == GZIP_MAGIC {
            Source::Gzip(Box::new(MultiGzDecoder::new(BufReader::with_capacity(
                256 * 1024,
                prefixed,
            ))))
        } else {
            Source::Plain(prefixed)
        };
        Ok(())
    }

    pub(crate) fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        self.open().map_err(ErrorKind::Io)?;
        loop {
            let result = match self {
                Source::Plain(r) => r.read(buf).map_err(ErrorKind::Io),
                Source::Gzip(r) => r.read(buf).map_err(|e| match e.kind() {
                    io::ErrorKind::InvalidInput
                    | io::ErrorKind::InvalidData
                    | io::ErrorKind::UnexpectedEof => ErrorKind::Gzip(e.to_string()),
                    _ => ErrorKind::Io(e),
                }),
                Source::Pending(_) | Source::Gone => Ok(0),
            };
            match result {
                Err(ErrorKind::Io(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }
}

/// A bounded buffer over a (possibly gzip) input, cut into records by the tokenizer.
pub(crate) struct Stream<R: Read> {
    source: Source<R>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    failed: bool,
    offset: u64,
    line: u64,
    max_record: usize,
    file: Option<PathBuf>,
    md5: Option<Md5>,
    /// The structural index of `buf[index_base..]`, valid until the next fill.
    index: Index,
    index_base: usize,
    index_valid: bool,
    cursors: [usize; 3],
    /// Set when a background thread reads (and decompresses) ahead.
    ahead: Option<ReadAhead>,
    ahead_gzip: bool,
    ahead_md5: Option<Digest>,
}

/// A record found by [`Stream::next_raw`].
pub(crate) struct RawEnd {
    pub end: End,
    /// Where its bytes start in the buffer.
    pub at: usize,
    pub position: Position,
    /// Table name: start relative to the record, length, whether `@@` occurs.
    pub table: Option<(usize, usize, bool)>,
}

/// Remembers where the table name of a data record is.
struct TableSink {
    table: Option<(usize, usize, bool)>,
}

impl Sink for TableSink {
    #[inline(always)]
    fn begin(&mut self) {
        self.table = None;
    }
    #[inline(always)]
    fn op(&mut self, _: Op) {}
    #[inline(always)]
    fn string(&mut self, index: usize, content: &[u8], escaped: bool) {
        if index == 2 {
            // An address, turned into an offset once the record's start is known.
            self.table = Some((content.as_ptr() as usize, content.len(), escaped));
        }
    }
    #[inline(always)]
    fn int(&mut self, _: usize, _: &[u8], _: i64) {}
    #[inline(always)]
    fn digest(&mut self, _: usize, _: &[u8]) {}
}

impl<R: Read> Stream<R> {
    pub(crate) fn new(inner: R) -> Stream<R> {
        Stream {
            source: Source::new(inner),
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
            failed: false,
            offset: 0,
            line: 1,
            max_record: DEFAULT_MAX_RECORD_LEN,
            file: None,
            md5: None,
            index: Index::default(),
            index_base: 0,
            index_valid: false,
            cursors: [0; 3],
            ahead: None,
            ahead_gzip: false,
            ahead_md5: None,
        }
    }

    pub(crate) fn set_file(&mut self, file: PathBuf) {
        self.file = Some(file);
    }

    pub(crate) fn file(&self) -> Option<&std::path::Path> {
        self.file.as_deref()
    }

    pub(crate) fn set_max_record_len(&mut self, max: usize) {
        self.max_record = max.max(1);
    }

    pub(crate) fn enable_md5(&mut self) {
        self.md5 = Some(Md5::new());
    }

    /// MD5 of every uncompressed byte read so far (the whole content once
    /// the stream is exhausted).
    pub(crate) fn md5(&self) -> Option<Digest> {
        if self.ahead.is_some() {
            return self.ahead_md5.clone();
        }
        self.md5
            .as_ref()
            .map(|h| Digest::from_md5(h.clone().finalize().into()))
    }

    pub(crate) fn is_gzip(&self) -> bool {
        self.ahead_gzip || self.source.is_gzip()
    }

    /// Position of the next record (after the last one returned).
    pub(crate) fn position(&self) -> Position {
        Position {
            offset: self.offset,
            line: self.line,
        }
    }

    pub(crate) fn bytes(&self, at: usize, len: usize) -> &[u8] {
        &self.buf[at..at + len]
    }

    fn error(&self, kind: ErrorKind, line: u64, offset: u64) -> Error {
        let kind = match kind {
            ErrorKind::BadQuoting { .. } => ErrorKind::BadQuoting { line },
            other => other,
        };
        let err = Error::new(kind, Some(line), Some(offset));
        match &self.file {
            Some(file) => err.with_file(file.clone()),
            None => err,
        }
    }

    fn fail(&mut self, kind: ErrorKind, line: u64, offset: u64) -> Error {
        self.failed = true;
        self.error(kind, line, offset)
    }

    /// Reads more input behind the unscanned bytes.
    fn fill(&mut self) -> Result<(), ErrorKind> {
        self.index_valid = false;
        if self.ahead.is_some() {
            return self.fill_ahead();
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() || self.buf.len() < STEADY_BUFFER {
            let want = if self.buf.is_empty() {
                FIRST_BUFFER
            } else {
                self.buf.len() * 2
            };
            // Room for the longest record plus one byte to see its end.
            let cap = self.max_record.saturating_add(1).max(FIRST_BUFFER);
            let new_len = want.min(cap).max(self.end + 1);
            if new_len > self.buf.len() {
                self.buf.resize(new_len, 0);
            }
        }
        let n = self.source.read(&mut self.buf[self.end..])?;
        if n == 0 {
            self.eof = true;
        } else {
            if let Some(h) = &mut self.md5 {
                h.update(&self.buf[self.end..self.end + n]);
            }
            self.end += n;
        }
        Ok(())
    }

    /// Scans the next record into `sink`; returns how it ended, where its
    /// bytes are in the buffer and where it started in the input.
    #[inline]
    pub(crate) fn next_with<S: Sink>(
        &mut self,
        sink: &mut S,
    ) -> Option<Result<(End, usize, Position), Error>> {
        if self.failed {
            return None;
        }
        loop {
            if self.start == self.end {
                if self.eof {
                    return None;
                }
                if let Err(kind) = self.fill() {
                    let (line, offset) = (self.line, self.offset);
                    return Some(Err(self.fail(kind, line, offset)));
                }
                continue;
            }
            match scan_record(&self.buf[self.start..self.end], self.eof, sink) {
                Ok(Step::Record(end)) if end.len > self.max_record => {
                    let (line, offset) = (self.line, self.offset);
                    return Some(Err(self.fail(ErrorKind::WordTooBig, line, offset)));
                }
                Ok(Step::Record(end)) => {
                    let at = self.start;
                    let position = self.position();
                    self.start += end.len;
                    self.offset += end.len as u64;
                    self.line += end.newlines;
                    return Some(Ok((end, at, position)));
                }
                Ok(Step::Incomplete) => {
                    let (line, offset) = (self.line, self.offset);
                    if self.eof {
                        // The tokenizer never asks for more at the end of input.
                        return Some(Err(self.fail(ErrorKind::EndOfInput, line, offset)));
                    }
                    if self.end - self.start > self.max_record {
                        return Some(Err(self.fail(ErrorKind::WordTooBig, line, offset)));
                    }
                    if let Err(kind) = self.fill() {
                        return Some(Err(self.fail(kind, line, offset)));
                    }
                }
                Err(fault) => {
                    let line = self.line + fault.newlines;
                    let offset = self.offset + fault.at as u64;
                    return Some(Err(self.fail(fault.kind, line, offset)));
                }
            }
        }
    }
}

impl<R: Read + Send + 'static> Stream<R> {
    /// Moves reading (and gzip decompression, and the MD5 when enabled)
    /// to a background thread. Must be called before the first record.
    pub(crate) fn read_ahead(&mut self) {
        if self.ahead.is_some() {
            return;
        }
        let source = std::mem::replace(&mut self.source, Source::Gone);
        self.ahead = Some(ReadAhead::spawn(source, self.md5.take().is_some()));
    }
}

impl<R: Read> Stream<R> {
    /// Takes the next chunk from the read-ahead thread. The chunk's
    /// buffer becomes ours (no copy); the unscanned tail of the current
    /// buffer is copied into the headroom in front of the new data.
    fn fill_ahead(&mut self) -> Result<(), ErrorKind> {
        let Some(ahead) = &self.ahead else {
            return Ok(());
        };
        match ahead.next() {
            Chunk::Data { mut buf, len, gzip } => {
                self.ahead_gzip = gzip;
                let tail = self.end - self.start;
                if tail <= HEADROOM {
                    buf[HEADROOM - tail..HEADROOM].copy_from_slice(&self.buf[self.start..self.end]);
                    let old = std::mem::replace(&mut self.buf, buf);
                    ahead.recycle(old);
                    self.start = HEADROOM - tail;
                    self.end = HEADROOM + len;
                } else {
                    // A record longer than the headroom: grow our own buffer.
                    self.buf.copy_within(self.start..self.end, 0);
                    self.end = tail;
                    self.start = 0;
                    self.buf.truncate(tail);
                    self.buf.extend_from_slice(&buf[HEADROOM..HEADROOM + len]);
                    self.end = self.buf.len();
                    ahead.recycle(buf);
                }
                Ok(())
            }
            Chunk::End { md5, gzip } => {
                self.ahead_gzip = gzip;
                self.ahead_md5 = md5;
                self.eof = true;
                Ok(())
            }
            Chunk::Failed(kind) => Err(kind),
        }
    }
}

impl<R: Read> Stream<R> {
    /// The next record's extent, marker and table, validated: through the
    /// structural index when the record is simple, through the exact
    /// tokenizer otherwise (which also gives the errors).
    #[inline(always)]
    pub(crate) fn next_raw(&mut self) -> Option<Result<RawEnd, Error>> {
        if self.failed {
            return None;
        }
        loop {
            if self.start == self.end {
                if self.eof {
                    return None;
                }
                if let Err(kind) = self.fill() {
                    let (line, offset) = (self.line, self.offset);
                    return Some(Err(self.fail(kind, line, offset)));
                }
                continue;
            }
            match self.next_indexed() {
                Indexed::Found(found) => return Some(Ok(found)),
                Indexed::NeedMore => {
                    let (line, offset) = (self.line, self.offset);
                    if self.end - self.start > self.max_record {
                        return Some(Err(self.fail(ErrorKind::WordTooBig, line, offset)));
                    }
                    if let Err(kind) = self.fill() {
                        return Some(Err(self.fail(kind, line, offset)));
                    }
                    continue;
                }
                Indexed::Exact => {}
            }
            // The exact tokenizer decides this record.
            let mut sink = TableSink { table: None };
            let base = self.buf[self.start..].as_ptr() as usize;
            let found = self.next_with(&mut sink)?;
            return Some(found.map(|(end, at, position)| RawEnd {
                end,
                at,
                position,
                table: sink.table.and_then(|(address, len, escaped)| {
                    let start = address.checked_sub(base)?;
                    (start + len <= end.len).then_some((start, len, escaped))
                }),
            }));
        }
    }

    /// The fast path: a record the structural index vouches for.
    #[inline(always)]
    fn next_indexed(&mut self) -> Indexed {
        if self.end - self.start > u32::MAX as usize {
            return Indexed::Exact;
        }
        if !self.index_valid {
            structural::build(&self.buf[self.start..self.end], &mut self.index);
            self.index_base = self.start;
            self.index_valid = true;
            self.cursors = [0; 3];
        }
        let rel = self.start - self.index_base;
        let [_, ii, si] = &mut self.cursors;
        let Some(nl) = self.index.next_boundary(rel) else {
            return if self.eof {
                Indexed::Exact
            } else {
                Indexed::NeedMore
            };
        };
        let len = nl - rel + 1;
        let suspects = &self.index.suspects;
        while *si < suspects.len() && (suspects[*si] as usize) < rel {
            *si += 1;
        }
        if suspects.get(*si).is_some_and(|&s| s as usize <= nl) || len > self.max_record {
            return Indexed::Exact;
        }
        let at = self.start;
        let record = &self.buf[at..at + len];
        let Some((op, table_start, table_len)) = structural::simple_header(record) else {
            return Indexed::Exact;
        };
        let inner = &self.index.inner_newlines;
        while *ii < inner.len() && (inner[*ii] as usize) < rel {
            *ii += 1;
        }
        let mut newlines = 1u64;
        while *ii < inner.len() && (inner[*ii] as usize) < nl {
            newlines += 1;
            *ii += 1;
        }
        // A simple header makes the record at least 8 bytes long.
        let (line_end, before) = if record[len - 2] == b'\r' {
            (LineEnd::CrLf, len - 2)
        } else {
            (LineEnd::Lf, len - 1)
        };
        let trailing_space = record[before - 1] == b' ';
        let position = self.position();
        self.start += len;
        self.offset += len as u64;
        self.line += newlines;
        Indexed::Found(RawEnd {
            end: End {
                len,
                newlines,
                words: 0,
                op,
                trailing_space,
                line_end,
            },
            at,
            position,
            table: Some((table_start, table_len, false)),
        })
    }
}

enum Indexed {
    Found(RawEnd),
    NeedMore,
    Exact,
}

/// True when the file at `path` starts with the gzip magic bytes.
///
/// Useful to decide on read-ahead: decompression (and MD5) on a second
/// core pays; for plain files the kernel's copy is cheaper done inline.
pub fn is_gzip_file(path: &std::path::Path) -> bool {
    let mut head = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == GZIP_MAGIC)
}

/// The uncompressed content of a plain or gzip input (detected from the
/// magic bytes), as a [`Read`].
///
/// Damaged gzip data reads as an [`io::Error`] of kind `InvalidData`.
pub struct Decompressed<R: Read> {
    source: Source<R>,
}

impl<R: Read> Decompressed<R> {
    /// Wraps `input`; nothing is read until the first `read`.
    pub fn new(input: R) -> Decompressed<R> {
        Decompressed {
            source: Source::new(input),
        }
    }

    /// True once the input was found to be gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        matches!(self.source, Source::Gzip(_))
    }
}

impl<R: Read> Read for Decompressed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.source.read(buf).map_err(|kind| match kind {
            ErrorKind::Io(e) => e,
            other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
        })
    }
}

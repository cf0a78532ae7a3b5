//! Writing records in p4d's bytes.

use std::io::{self, Write};

use crate::field::Field;
use crate::note::Note;
use crate::record::Record;

/// Appends the bytes of `record` to `out`: the marker and each field
/// separated by one space, strings `@`-quoted with `@` doubled, integers
/// and digests bare, then the optional trailing space and the line end.
pub fn encode_into(record: &Record, out: &mut Vec<u8>) {
    out.push(b'@');
    out.extend_from_slice(record.op.as_str().as_bytes());
    out.push(b'@');
    for field in &record.fields {
        out.push(b' ');
        encode_field(field, out);
    }
    if record.trailing_space {
        out.push(b' ');
    }
    out.extend_from_slice(record.line_end.as_bytes());
}

/// Appends one field in journal form.
pub fn encode_field(field: &Field, out: &mut Vec<u8>) {
    match field {
        Field::Str(bytes) => {
            out.push(b'@');
            let mut rest: &[u8] = bytes;
            while let Some(at) = memchr::memchr(b'@', rest) {
                out.extend_from_slice(&rest[..=at]);
                out.push(b'@');
                rest = &rest[at + 1..];
            }
            out.extend_from_slice(rest);
            out.push(b'@');
        }
        Field::Int(int) => int.write_into(out),
        Field::Digest(digest) => out.extend_from_slice(digest.as_str().as_bytes()),
    }
}

/// Writes records to any [`Write`] in p4d's format.
///
/// Wrap the destination in a [`std::io::BufWriter`] for files; wrap it in
/// a [`crate::Md5Writer`] to get a checkpoint's digest while writing.
#[derive(Debug)]
pub struct Writer<W: Write> {
    out: W,
    scratch: Vec<u8>,
    bytes: u64,
    records: u64,
}

impl<W: Write> Writer<W> {
    /// A writer over `out`.
    pub fn new(out: W) -> Writer<W> {
        Writer {
            out,
            scratch: Vec::with_capacity(256),
            bytes: 0,
            records: 0,
        }
    }

    /// Writes one record.
    pub fn write_record(&mut self, record: &Record) -> io::Result<()> {
        self.scratch.clear();
        encode_into(record, &mut self.scratch);
        self.out.write_all(&self.scratch)?;
        self.bytes += self.scratch.len() as u64;
        self.records += 1;
        Ok(())
    }

    /// Writes a note as an `@nx@` record.
    pub fn write_note(&mut self, note: &Note) -> io::Result<()> {
        self.write_record(&note.to_record())
    }

    /// Bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.bytes
    }

    /// Records written so far.
    pub fn records_written(&self) -> u64 {
        self.records
    }

    /// Flushes the destination.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// The destination.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// The destination, mutably (writing to it directly bypasses the counters).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Flushes and returns the destination.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

//! One journal record: its marker, its words and how its line ended.

use std::io;

use crate::field::{Field, Int};
use crate::note::Note;
use crate::op::{Op, OpClass};
use crate::writer;

/// How a record's line ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum LineEnd {
    /// `\n`, as p4d writes on every platform for checkpoints and journals.
    #[default]
    Lf,
    /// `\r\n`, as found in files that passed through Windows tools.
    CrLf,
    /// No line end: the last record of a file that stops without a newline.
    Missing,
}

impl LineEnd {
    /// The bytes of this line end.
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            LineEnd::Lf => b"\n",
            LineEnd::CrLf => b"\r\n",
            LineEnd::Missing => b"",
        }
    }
}

/// Where a decoded record starts in its (uncompressed) input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    /// Byte offset of the record's first byte.
    pub offset: u64,
    /// 1-based line of the record's first byte.
    pub line: u64,
}

/// One journal or checkpoint record.
///
/// `fields` are the words after the marker. For data records (`pv rv dv
/// vv dl put del`) that is the table version, the table name, then the
/// columns; for `ex`/`mx` the pid and time; for `nx` the note type, date,
/// server version and the note's integers and strings (see [`Note`]).
///
/// Encoding a record decoded by [`crate::Reader`] reproduces its input
/// bytes exactly: the fields keep their kinds and spelling, and the
/// record keeps whether its line had p4d's trailing space and how it
/// ended. Records built with the constructors get p4d's own form: one
/// space after every word, then `\n`.
///
/// Equality compares marker, fields and line form, not the position.
#[derive(Clone, Debug, Eq)]
pub struct Record {
    /// The operation marker.
    pub op: Op,
    /// The words after the marker.
    pub fields: Vec<Field>,
    /// A space before the line end (p4d writes one after every word).
    pub trailing_space: bool,
    /// How the line ends.
    pub line_end: LineEnd,
    position: Option<Position>,
}

impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.op == other.op
            && self.fields == other.fields
            && self.trailing_space == other.trailing_space
            && self.line_end == other.line_end
    }
}

impl Record {
    /// A record from a marker and its words, in p4d's form (trailing
    /// space, `\n`). No check is made that the words fit the marker.
    pub fn new(op: Op, fields: Vec<Field>) -> Record {
        Record {
            op,
            fields,
            trailing_space: true,
            line_end: LineEnd::Lf,
            position: None,
        }
    }

    /// A data record: `@op@ version @table@ values...`.
    ///
    /// ```
    /// use p4ha_journal::{Field, Op, Record};
    /// let r = Record::data(Op::Pv, 1, "db.counters",
    ///     vec![Field::string("change"), Field::string("538")]);
    /// assert_eq!(r.to_bytes(), b"@pv@ 1 @db.counters@ @change@ @538@ \n");
    /// ```
    pub fn data(
        op: Op,
        table_version: i64,
        table: impl Into<Vec<u8>>,
        values: Vec<Field>,
    ) -> Record {
        let mut fields = Vec::with_capacity(values.len() + 2);
        fields.push(Field::int(table_version));
        fields.push(Field::Str(table.into()));
        fields.extend(values);
        Record::new(op, fields)
    }

    /// A transaction marker: `@ex@ pid time` or `@mx@ pid time`.
    pub fn marker(op: Op, pid: i64, time: i64) -> Record {
        Record::new(op, vec![Field::int(pid), Field::int(time)])
    }

    /// Sets the line form (builder style).
    pub fn with_line_form(mut self, trailing_space: bool, line_end: LineEnd) -> Record {
        self.trailing_space = trailing_space;
        self.line_end = line_end;
        self
    }

    pub(crate) fn decoded(
        op: Op,
        fields: Vec<Field>,
        trailing_space: bool,
        line_end: LineEnd,
        position: Position,
    ) -> Record {
        Record {
            op,
            fields,
            trailing_space,
            line_end,
            position: Some(position),
        }
    }

    /// True for data records (`pv rv dv vv dl put del`).
    pub fn is_data(&self) -> bool {
        self.op.is_data()
    }

    /// The table (record) version of a data record: `1` in `@pv@ 1 @db.counters@`.
    pub fn table_version(&self) -> Option<i64> {
        if !self.is_data() {
            return None;
        }
        self.fields.first().and_then(Field::as_int)
    }

    /// The table name of a data record, when it is UTF-8 (always, for p4d's tables).
    pub fn table(&self) -> Option<&str> {
        self.table_bytes().and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The table name of a data record as bytes.
    pub fn table_bytes(&self) -> Option<&[u8]> {
        if !self.is_data() {
            return None;
        }
        self.fields.get(1).and_then(Field::as_bytes)
    }

    /// The columns of a data record (the words after the table name);
    /// empty for other records.
    pub fn values(&self) -> &[Field] {
        if self.is_data() {
            self.fields.get(2..).unwrap_or(&[])
        } else {
            &[]
        }
    }

    /// The typed view of a note record (`@nx@`).
    pub fn note(&self) -> Option<Note> {
        Note::from_record(self)
    }

    /// The pid of a transaction marker (`@ex@`, `@mx@`).
    pub fn pid(&self) -> Option<i64> {
        match self.op.class() {
            OpClass::Transaction => self.fields.first().and_then(Field::as_int),
            _ => None,
        }
    }

    /// The time of a transaction marker, in epoch seconds.
    pub fn time(&self) -> Option<i64> {
        match self.op.class() {
            OpClass::Transaction => self.fields.get(1).and_then(Field::as_int),
            _ => None,
        }
    }

    /// Where the record started in its input (decoded records only).
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// Byte offset of the record in its (uncompressed) input.
    pub fn offset(&self) -> Option<u64> {
        self.position.map(|p| p.offset)
    }

    /// 1-based line where the record starts.
    pub fn line(&self) -> Option<u64> {
        self.position.map(|p| p.line)
    }

    /// The record's bytes as p4d writes them; for a decoded record, exactly
    /// the bytes it was read from.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        writer::encode_into(self, &mut out);
        out
    }

    /// Writes the record's bytes to `out`.
    pub fn write_to<W: io::Write>(&self, out: &mut W) -> io::Result<()> {
        out.write_all(&self.to_bytes())
    }
}

impl From<Note> for Record {
    fn from(note: Note) -> Record {
        note.to_record()
    }
}

impl From<&Note> for Record {
    fn from(note: &Note) -> Record {
        note.to_record()
    }
}

/// Convenience for building integer fields from literals kept elsewhere.
impl From<i64> for Field {
    fn from(value: i64) -> Field {
        Field::Int(Int::new(value))
    }
}

//! Counting records per operation and table, and finding header and trailer notes.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::note::{Note, note_type};
use crate::op::Op;
use crate::record::Position;
use crate::scanner::RawRecord;

/// Record counts for one table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableStats {
    /// Records of the table.
    pub records: u64,
    /// Records of the table per operation.
    pub by_op: BTreeMap<Op, u64>,
}

/// What a file turned out to be, from its first record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Starts with a checkpoint header note (type 0).
    Checkpoint,
    /// Starts with a journal header note (type 2).
    Journal,
    /// No header note (for instance notes stripped with `grep -v '^@nx@'`).
    Unknown,
}

/// A note and where it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocatedNote {
    /// The note.
    pub note: Note,
    /// Where its record starts.
    pub position: Position,
}

/// Totals for a journal or checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Number of records.
    pub records: u64,
    /// Uncompressed bytes.
    pub bytes: u64,
    /// Lines (newlines, plus one for a last line without newline).
    pub lines: u64,
    /// Records per operation.
    pub by_op: BTreeMap<Op, u64>,
    /// Records per table (data records only; empty unless tables are counted).
    pub by_table: BTreeMap<String, TableStats>,
    /// Notes per note type.
    pub by_note_type: BTreeMap<i64, u64>,
    /// The first record, when it is a checkpoint or journal header note.
    pub header: Option<LocatedNote>,
    /// The last record, when it is a checkpoint or journal trailer note.
    pub trailer: Option<LocatedNote>,
}

impl Summary {
    /// Checkpoint, journal or unknown, from the header note.
    pub fn kind(&self) -> FileKind {
        match self.header.as_ref().map(|h| h.note.note_type()) {
            Some(note_type::CHECKPOINT_HEADER) => FileKind::Checkpoint,
            Some(note_type::JOURNAL_HEADER) => FileKind::Journal,
            _ => FileKind::Unknown,
        }
    }

    /// True when the file starts with a checkpoint header but does not
    /// end with a checkpoint trailer: an incomplete checkpoint (KB 3193).
    pub fn is_incomplete_checkpoint(&self) -> bool {
        self.kind() == FileKind::Checkpoint
            && !self
                .trailer
                .as_ref()
                .is_some_and(|t| t.note.is_checkpoint_trailer())
    }
}

/// Builds a [`Summary`] from the records of a [`crate::Scanner`].
///
/// ```
/// use p4ha_journal::{FileKind, Scanner, Summarizer};
/// let text = b"@nx@ 0 1296517759 @30@ 2 0 0 0 0 @/p4root@ @journal@ @@ @@ @@\n\
///              @pv@ 1 @db.counters@ @change@ @538@ \n\
///              @nx@ 1 1296517767 @30@ 0 0 0 0 0 @@ @@ @@ @@ @@\n";
/// let mut scanner = Scanner::new(&text[..]);
/// let mut summarizer = Summarizer::new().count_tables(true);
/// while let Some(record) = scanner.next_record() {
///     summarizer.add(&record.unwrap()).unwrap();
/// }
/// let summary = summarizer.finish(scanner.position());
/// assert_eq!(summary.kind(), FileKind::Checkpoint);
/// assert!(!summary.is_incomplete_checkpoint());
/// assert_eq!(summary.by_table["db.counters"].records, 1);
/// ```
#[derive(Debug, Default)]
pub struct Summarizer {
    count_tables: bool,
    records: u64,
    ops: [u64; Op::ALL.len()],
    tables: Vec<(Vec<u8>, [u64; Op::ALL.len()])>,
    table_index: BTreeMap<Vec<u8>, usize>,
    last_table: Option<usize>,
    notes: BTreeMap<i64, u64>,
    header: Option<LocatedNote>,
    last_note: Option<LocatedNote>,
    last_was_note: bool,
    unterminated_last_line: bool,
}

impl Summarizer {
    /// A summarizer counting records per operation and notes.
    pub fn new() -> Summarizer {
        Summarizer::default()
    }

    /// Also count records per table.
    pub fn count_tables(mut self, yes: bool) -> Summarizer {
        self.count_tables = yes;
        self
    }

    /// Adds one record. Fails only if a note cannot be decoded (which the
    /// scanner's validation rules out).
    #[inline]
    pub fn add(&mut self, record: &RawRecord<'_>) -> Result<(), Error> {
        let op = record.op();
        self.ops[op.index()] += 1;
        self.unterminated_last_line = record.line_end() == crate::record::LineEnd::Missing;
        let first = self.records == 0;
        self.records += 1;
        if op == Op::Nx {
            let note = record.decode()?.note();
            if let Some(note) = note {
                *self.notes.entry(note.note_type()).or_insert(0) += 1;
                let located = LocatedNote {
                    note,
                    position: record.position(),
                };
                let t = located.note.note_type();
                if first && (t == note_type::CHECKPOINT_HEADER || t == note_type::JOURNAL_HEADER) {
                    self.header = Some(located.clone());
                }
                self.last_note = Some(located);
                self.last_was_note = true;
                return Ok(());
            }
        }
        self.last_was_note = false;
        if self.count_tables
            && let Some(table) = record.table()
        {
            self.count_table(&table, op);
        }
        Ok(())
    }

    fn count_table(&mut self, table: &[u8], op: Op) {
        // Checkpoints hold each table's rows together: try the last one first.
        let slot = match self.last_table {
            Some(i) if self.tables[i].0 == table => i,
            _ => match self.table_index.get(table) {
                Some(&i) => i,
                None => {
                    self.tables.push((table.to_vec(), [0; Op::ALL.len()]));
                    let i = self.tables.len() - 1;
                    self.table_index.insert(table.to_vec(), i);
                    i
                }
            },
        };
        self.last_table = Some(slot);
        self.tables[slot].1[op.index()] += 1;
    }

    /// Adds the counts of `later`, which summarised the records that
    /// follow this one's, starting at `at` (its positions are relative:
    /// offset 0, line 1 at `at`).
    pub(crate) fn append(&mut self, later: Summarizer, at: Position) {
        if later.records == 0 {
            return;
        }
        self.records += later.records;
        for (mine, theirs) in self.ops.iter_mut().zip(later.ops) {
            *mine += theirs;
        }
        for (name, counts) in later.tables {
            let slot = match self.table_index.get(&name) {
                Some(&i) => i,
                None => {
                    self.tables.push((name.clone(), [0; Op::ALL.len()]));
                    self.table_index.insert(name, self.tables.len() - 1);
                    self.tables.len() - 1
                }
            };
            for (mine, theirs) in self.tables[slot].1.iter_mut().zip(counts) {
                *mine += theirs;
            }
        }
        self.last_table = None;
        for (note_type, n) in later.notes {
            *self.notes.entry(note_type).or_insert(0) += n;
        }
        // Only the very first record can be the header: `later.header` is not one.
        if let Some(mut note) = later.last_note {
            note.position = Position {
                offset: at.offset + note.position.offset,
                line: at.line + note.position.line - 1,
            };
            self.last_note = Some(note);
        }
        self.last_was_note = later.last_was_note;
        self.unterminated_last_line = later.unterminated_last_line;
    }

    /// The summary; `end` is the scanner's position after its last record.
    pub fn finish(self, end: Position) -> Summary {
        let to_map = |counts: &[u64; Op::ALL.len()]| -> BTreeMap<Op, u64> {
            Op::ALL
                .iter()
                .zip(counts)
                .filter(|(_, n)| **n > 0)
                .map(|(op, n)| (*op, *n))
                .collect()
        };
        let by_table = self
            .tables
            .iter()
            .map(|(name, counts)| {
                let by_op = to_map(counts);
                let stats = TableStats {
                    records: by_op.values().sum(),
                    by_op,
                };
                (String::from_utf8_lossy(name).into_owned(), stats)
            })
            .collect();
        let trailer = self.last_note.filter(|n| {
            self.last_was_note
                && matches!(
                    n.note.note_type(),
                    note_type::CHECKPOINT_TRAILER | note_type::JOURNAL_TRAILER
                )
        });
        // `end.line` is the line after the last newline; it holds text
        // only when the last record had no newline.
        let lines = end.line - 1 + u64::from(self.unterminated_last_line);
        Summary {
            records: self.records,
            bytes: end.offset,
            lines,
            by_op: to_map(&self.ops),
            by_table,
            by_note_type: self.notes,
            header: self.header,
            trailer,
        }
    }
}

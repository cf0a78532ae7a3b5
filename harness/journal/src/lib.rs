//! A streaming, byte-exact codec for Perforce Helix Core (p4d) journals
//! and checkpoints.
//!
//! A journal or checkpoint is a text file of records such as
//! `@pv@ 1 @db.counters@ @change@ @538@ ` (one record may span several
//! lines when a quoted value holds newlines). This crate reads them from
//! any [`std::io::Read`] (gzip is detected and decompressed), validates
//! them with p4d's own error texts, and writes them back byte for byte.
//!
//! Entry points:
//! - [`Reader`]: an iterator of owned [`Record`]s (with [`Record::line`],
//!   [`Record::offset`]), for code that looks at values.
//! - [`Scanner`]: validation without materialising, yielding borrowed
//!   [`RawRecord`]s with their exact bytes; the fast path.
//! - [`Writer`] / [`Record::to_bytes`]: p4d's bytes. Whatever the reader
//!   accepts is written back identically.
//! - [`Note`] / [`NoteKind`]: the typed view of `@nx@` notes.
//! - [`checkpoint_md5`], [`Md5File`], [`Md5Writer`], [`find_side_file`]:
//!   checkpoint digests and `.md5` side files.
//! - [`check_file`]: the whole `p4d -jv`-style check of one file;
//!   [`summarize_file`]: its counts without the verdict.
//! - [`Summarizer`]: counts per operation and table, header and trailer.
//! - [`generate`]: realistic synthetic checkpoints of any size.
//!
//! ```
//! use p4ha_journal::{Field, Op, Reader, Record, Writer};
//!
//! let input = b"@pv@ 7 @db.user@ @bigbird@ @bigbird@@pycharmclient@ @@ 1624456923 1624456923 @bigbird@ @@ 2 @@ 0 0 0 0 0 0\n";
//! let record = Reader::new(&input[..]).next().unwrap().unwrap();
//! assert_eq!(record.table(), Some("db.user"));
//! assert_eq!(record.values()[1], Field::string("bigbird@pycharmclient"));
//! assert_eq!(record.to_bytes(), input);
//!
//! let mut out = Writer::new(Vec::new());
//! out.write_record(&Record::data(Op::Pv, 1, "db.counters",
//!     vec![Field::string("change"), Field::string("538")])).unwrap();
//! assert_eq!(out.into_inner().unwrap(), b"@pv@ 1 @db.counters@ @change@ @538@ \n");
//! ```

#![warn(missing_docs)]

mod check;
mod error;
mod field;
pub mod generate;
mod md5file;
mod note;
mod op;
mod parts;
mod readahead;
mod reader;
mod record;
mod scanner;
mod stream;
mod structural;
mod summary;
mod tokenize;
mod writer;

pub use check::{CheckOptions, CheckReport, VerifiedMd5, check_file, summarize_file};
pub use error::{Error, ErrorKind};
pub use field::{Digest, Field, Int, InvalidDigest};
pub use md5file::{
    Md5File, Md5FileError, Md5Writer, checkpoint_file_md5, checkpoint_md5, find_side_file,
    side_file_candidates,
};
pub use note::{
    ChecksumSource, JournalType, Note, NoteKind, ServerIdentity, note_type, note_type_name,
    server_level_release,
};
pub use op::{Op, OpClass, UnknownOp};
pub use reader::Reader;
pub use record::{LineEnd, Position, Record};
pub use scanner::{RawRecord, Scanner};
pub use stream::{DEFAULT_MAX_RECORD_LEN, Decompressed, is_gzip_file};
pub use summary::{FileKind, LocatedNote, Summarizer, Summary, TableStats};
pub use writer::{Writer, encode_field, encode_into};

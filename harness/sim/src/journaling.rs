//! The live journal: every committed change appended in p4d's format.
//!
//! A transaction is its data records followed by an `@ex@ pid time` marker.
//! A journal that is created (or found empty) starts with a journal header
//! note. The byte length of the journal is the "Sequence" that `p4 pull -lj`
//! and `p4 servers -J` report, and the `journal` counter numbers it.

use std::io;
use std::path::{Path, PathBuf};

use p4ha_hostfs::HostFs;
use p4ha_journal::{JournalType, Note, NoteKind, Op, Record};

use crate::version::ServerVersion;

/// How the journal header's and checkpoint header's case-handling integer is
/// written. Real Unix servers write `2` in checkpoint headers and `1` in
/// journal headers (the samples in seed 002 and KB 3211); the Windows-style
/// value is not documented, so the simulator sets the low bit for `-C1`
/// (`3` in both headers) and reads any odd value as Windows-style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseFlag {
    /// `-C0`: case-sensitive, Unix-style.
    Unix,
    /// `-C1`: case-insensitive, Windows-style.
    Windows,
}

impl CaseFlag {
    /// From the server's case handling.
    pub fn from_insensitive(insensitive: bool) -> Self {
        if insensitive {
            CaseFlag::Windows
        } else {
            CaseFlag::Unix
        }
    }

    /// The integer in a checkpoint header note.
    pub fn checkpoint_code(self) -> i64 {
        match self {
            CaseFlag::Unix => 2,
            CaseFlag::Windows => 3,
        }
    }

    /// The integer in a journal header note.
    pub fn journal_code(self) -> i64 {
        match self {
            CaseFlag::Unix => 1,
            CaseFlag::Windows => 3,
        }
    }

    /// Interprets a header note's integer.
    pub fn from_code(code: i64) -> Self {
        if code & 1 == 1 && code != 1 {
            CaseFlag::Windows
        } else {
            CaseFlag::Unix
        }
    }

    /// `Unix-style (-C0)` as p4d's mismatch message words it.
    pub fn describe(self) -> &'static str {
        match self {
            CaseFlag::Unix => "Unix-style (-C0)",
            CaseFlag::Windows => "Windows-style (-C1)",
        }
    }
}

/// Where and how a server journals.
#[derive(Debug, Clone)]
pub struct JournalLog {
    fs: HostFs,
    /// Host path of the live journal.
    path: PathBuf,
    /// P4ROOT as the server names it (written in notes).
    root_name: String,
    /// The journal's name as configured (written in notes).
    journal_name: String,
    version: ServerVersion,
    case: CaseFlag,
}

impl JournalLog {
    /// A journal at `path` for a server of `version`.
    pub fn new(
        fs: HostFs,
        path: impl Into<PathBuf>,
        root_name: impl Into<String>,
        journal_name: impl Into<String>,
        version: ServerVersion,
        case: CaseFlag,
    ) -> Self {
        JournalLog {
            fs,
            path: path.into(),
            root_name: root_name.into(),
            journal_name: journal_name.into(),
            version,
            case,
        }
    }

    /// Host path of the live journal.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The configured journal name.
    pub fn journal_name(&self) -> &str {
        &self.journal_name
    }

    /// Current length in bytes (0 when the file does not exist).
    pub fn size(&self) -> u64 {
        self.fs.metadata(&self.path).map(|m| m.len).unwrap_or(0)
    }

    /// The journal header note for a journal written now.
    pub fn header(&self, now: i64) -> Record {
        let kind = NoteKind::JournalHeader {
            case_handling: self.case.journal_code(),
            journal_type: JournalType::from_code(0),
            root: self.root_name.clone(),
            journal: self.journal_name.clone(),
            server_version: String::new(),
        };
        Note::from_kind(now, self.version.level(), &kind).to_record()
    }

    /// Appends one transaction (records then `@ex@`) and returns the
    /// journal's new length. Writes the header first into an empty journal.
    pub fn append_transaction(&self, records: &[Record], pid: u32, now: i64) -> io::Result<u64> {
        if records.is_empty() {
            return Ok(self.size());
        }
        let mut buf = Vec::new();
        if self.size() == 0 {
            self.header(now).write_to(&mut buf)?;
        }
        for r in records {
            r.write_to(&mut buf)?;
        }
        Record::marker(Op::Ex, i64::from(pid), now).write_to(&mut buf)?;
        self.fs.append(&self.path, &buf)
    }

    /// Appends raw journal bytes (records already encoded, as replication
    /// delivers them) and returns the new length.
    pub fn append_raw(&self, bytes: &[u8]) -> io::Result<u64> {
        self.fs.append(&self.path, bytes)
    }

    /// Makes sure the journal exists and carries its header (a server
    /// writes it when it starts journaling).
    pub fn ensure_header(&self, now: i64) -> io::Result<u64> {
        if self.size() == 0 {
            let mut buf = Vec::new();
            self.header(now).write_to(&mut buf)?;
            return self.fs.append(&self.path, &buf);
        }
        Ok(self.size())
    }
}

//! Journal notes (`@nx@`): a typed view of the 24 note types.
//!
//! Layout (KB 3193): `@nx@ type date @version@ i1 i2 i3 i4 i5 @s1@ @s2@ @s3@ @s4@ @s5@`.
//! `version` is the server protocol level of the p4d that wrote the note
//! (`30` = 2010.2, `31` = 2011.1, ... `57` = 2023.2). Real files do not
//! always carry five integers (a Windows 2024.x checkpoint header has four),
//! so a [`Note`] keeps the words exactly as found and the typed view
//! ([`NoteKind`]) reads the n-th integer and the n-th string, taking 0 and
//! the empty string for absent ones.

use crate::field::{Field, Int};
use crate::op::Op;
use crate::record::Record;

/// An `@nx@` record: note type, date, server version and the note's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    note_type: Int,
    date: Int,
    version: Field,
    fields: Vec<Field>,
}

/// How a journal was produced (field i2 of a journal header note).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JournalType {
    /// 0: the server's normal journal.
    Normal,
    /// 1: written by `p4d -jd`.
    Dump,
    /// 2: written by `p4d -jds`.
    DumpInFileOrder,
    /// 3: written by `p4d -xx` (`jnl.fix`).
    Fix,
    /// 4: written by `p4 journaldbchecksums -u`.
    DbChecksums,
    /// Any other value, as found.
    Other(i64),
}

impl JournalType {
    /// The type for the number stored in the note.
    pub fn from_code(code: i64) -> JournalType {
        match code {
            0 => JournalType::Normal,
            1 => JournalType::Dump,
            2 => JournalType::DumpInFileOrder,
            3 => JournalType::Fix,
            4 => JournalType::DbChecksums,
            other => JournalType::Other(other),
        }
    }

    /// The number stored in the note.
    pub fn code(self) -> i64 {
        match self {
            JournalType::Normal => 0,
            JournalType::Dump => 1,
            JournalType::DumpInFileOrder => 2,
            JournalType::Fix => 3,
            JournalType::DbChecksums => 4,
            JournalType::Other(code) => code,
        }
    }

    /// A short description (`normal`, `p4d -jd`, ...).
    pub fn describe(self) -> String {
        match self {
            JournalType::Normal => "normal".into(),
            JournalType::Dump => "p4d -jd".into(),
            JournalType::DumpInFileOrder => "p4d -jds".into(),
            JournalType::Fix => "p4d -xx (jnl.fix)".into(),
            JournalType::DbChecksums => "journaldbchecksums -u".into(),
            JournalType::Other(code) => format!("unknown ({code})"),
        }
    }
}

/// Who recorded a change checksum note (field i3 of note type 15).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChecksumSource {
    /// 0: `p4 journaldbchecksums`.
    JournalDbChecksums,
    /// 1: `p4 submit`.
    Submit,
    /// Any other value, as found.
    Other(i64),
}

impl ChecksumSource {
    /// The source for the number stored in the note.
    pub fn from_code(code: i64) -> ChecksumSource {
        match code {
            0 => ChecksumSource::JournalDbChecksums,
            1 => ChecksumSource::Submit,
            other => ChecksumSource::Other(other),
        }
    }

    /// The number stored in the note.
    pub fn code(self) -> i64 {
        match self {
            ChecksumSource::JournalDbChecksums => 0,
            ChecksumSource::Submit => 1,
            ChecksumSource::Other(code) => code,
        }
    }
}

/// Port, name and server ID carried by notes 18 to 22 (name and ID may be empty).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ServerIdentity {
    /// s1: the port.
    pub port: String,
    /// s2: the server name.
    pub name: String,
    /// s3: the server ID.
    pub server_id: String,
}

/// The typed meaning of a note, by note type (KB 3193's table).
///
/// Strings are decoded lossily as UTF-8; the exact bytes stay in the [`Note`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoteKind {
    /// 0: checkpoint header.
    CheckpointHeader {
        /// i1: case handling flags as written (real headers carry 2).
        case_handling: i64,
        /// s1: database root (P4ROOT).
        root: String,
        /// s2: journal file name (P4JOURNAL).
        journal: String,
    },
    /// 1: checkpoint trailer; its presence proves the checkpoint is complete.
    CheckpointTrailer,
    /// 2: journal header.
    JournalHeader {
        /// i1: case handling flags as written (real headers carry 1).
        case_handling: i64,
        /// i2: how the journal was produced.
        journal_type: JournalType,
        /// s1: database root.
        root: String,
        /// s2: journal file name.
        journal: String,
        /// s3: server version.
        server_version: String,
    },
    /// 3: journal trailer.
    JournalTrailer,
    /// 4: table summary.
    TableSummary {
        /// i1: table version.
        table_version: i64,
        /// i2: old version.
        old_version: i64,
        /// i3: table checksum.
        checksum: i64,
        /// i4: count of bad unlocks of the table.
        bad_unlocks: i64,
        /// s1: table name.
        table: String,
    },
    /// 5: server upgrade.
    ServerUpgrade {
        /// i1: upgrade counter before.
        from: i64,
        /// i2: upgrade counter after.
        to: i64,
    },
    /// 6: table upgrade.
    TableUpgrade {
        /// i1: the upgrade step run.
        upgrade: i64,
        /// s1: name of the upgrade function called.
        function: String,
    },
    /// 7: server startup.
    ServerStartup {
        /// s1: port.
        port: String,
        /// s2: server root.
        root: String,
        /// s3: server name.
        name: String,
        /// s4: server ID.
        server_id: String,
    },
    /// 8: server shutdown.
    ServerShutdown {
        /// s1: port.
        port: String,
    },
    /// 9: Unicode mode enabled.
    UnicodeEnabled,
    /// 10: table patched.
    TablePatched,
    /// 11: journal replayed.
    JournalReplayed {
        /// i1: options in effect during the replay.
        flags: i64,
        /// s1: the journal or checkpoint replayed.
        file: String,
    },
    /// 12: table checksum.
    TableChecksum {
        /// i1: table version.
        table_version: i64,
        /// i2: table checksum.
        checksum: i64,
        /// i3: count of bad unlocks.
        bad_unlocks: i64,
        /// i4: table generation.
        generation: i64,
        /// s1: table name.
        table: String,
    },
    /// 13: unload header.
    UnloadHeader {
        /// i1: domain type (client, label, stream).
        domain_type: i64,
        /// s1: domain name.
        domain: String,
        /// s2: file unloaded to.
        file: String,
    },
    /// 14: unload trailer.
    UnloadTrailer,
    /// 15: change checksum.
    ChangeChecksum {
        /// i1: change number.
        change: i64,
        /// i2: revision of the change.
        revision: i64,
        /// i3: recorded by journaldbchecksums or submit.
        recorded_by: ChecksumSource,
        /// s1: the change's checksum.
        checksum: String,
    },
    /// 16: table dump.
    TableDump {
        /// i1: table version.
        table_version: i64,
        /// i2: table checksum.
        checksum: i64,
        /// i3: number of records.
        records: i64,
        /// i4: whether the dump is compressed.
        compressed: bool,
        /// s1: table name.
        table: String,
        /// s2: dump file name.
        file: String,
    },
    /// 17: block checksum.
    BlockChecksum {
        /// i1: table version.
        table_version: i64,
        /// i2: block number.
        block: i64,
        /// i3: block size.
        block_size: i64,
        /// i4: dump version.
        dump_version: i64,
        /// s1: table name.
        table: String,
        /// s2: first key of the block.
        first_key: String,
        /// s3: last key of the block.
        last_key: String,
        /// s4: the block's checksum.
        checksum: String,
    },
    /// 18: master enabled.
    MasterEnabled(ServerIdentity),
    /// 19: master disabled.
    MasterDisabled(ServerIdentity),
    /// 20: master moved.
    MasterMoved(ServerIdentity),
    /// 21: standby enabled.
    StandbyEnabled(ServerIdentity),
    /// 22: workspace enabled.
    WorkspaceEnabled(ServerIdentity),
    /// 23: replica moved.
    ReplicaMoved {
        /// s1: this replica's server ID.
        server_id: String,
        /// s2: where this replica's current state file is.
        state_file: String,
        /// i1: pid of the last `@ex@`/`@mx@` seen from the target.
        pid: i64,
        /// i2: time of the last `@ex@`/`@mx@` seen from the target.
        time: i64,
    },
    /// A note type this crate does not know; the [`Note`] keeps its words.
    Unknown {
        /// The note type.
        note_type: i64,
    },
}

/// The name of a note type (`checkpoint header`, ...), `unknown` past 23.
pub fn note_type_name(note_type: i64) -> &'static str {
    const NAMES: [&str; 24] = [
        "checkpoint header",
        "checkpoint trailer",
        "journal header",
        "journal trailer",
        "table summary",
        "server upgrade",
        "table upgrade",
        "server startup",
        "server shutdown",
        "unicode enabled",
        "table patched",
        "journal replayed",
        "table checksum",
        "unload header",
        "unload trailer",
        "change checksum",
        "table dump",
        "block checksum",
        "master enabled",
        "master disabled",
        "master moved",
        "standby enabled",
        "workspace enabled",
        "replica moved",
    ];
    usize::try_from(note_type)
        .ok()
        .and_then(|i| NAMES.get(i))
        .copied()
        .unwrap_or("unknown")
}

/// Note type numbers.
pub mod note_type {
    /// Checkpoint header.
    pub const CHECKPOINT_HEADER: i64 = 0;
    /// Checkpoint trailer.
    pub const CHECKPOINT_TRAILER: i64 = 1;
    /// Journal header.
    pub const JOURNAL_HEADER: i64 = 2;
    /// Journal trailer.
    pub const JOURNAL_TRAILER: i64 = 3;
}

impl NoteKind {
    /// The note type number of this kind.
    pub fn note_type(&self) -> i64 {
        match self {
            NoteKind::CheckpointHeader { .. } => 0,
            NoteKind::CheckpointTrailer => 1,
            NoteKind::JournalHeader { .. } => 2,
            NoteKind::JournalTrailer => 3,
            NoteKind::TableSummary { .. } => 4,
            NoteKind::ServerUpgrade { .. } => 5,
            NoteKind::TableUpgrade { .. } => 6,
            NoteKind::ServerStartup { .. } => 7,
            NoteKind::ServerShutdown { .. } => 8,
            NoteKind::UnicodeEnabled => 9,
            NoteKind::TablePatched => 10,
            NoteKind::JournalReplayed { .. } => 11,
            NoteKind::TableChecksum { .. } => 12,
            NoteKind::UnloadHeader { .. } => 13,
            NoteKind::UnloadTrailer => 14,
            NoteKind::ChangeChecksum { .. } => 15,
            NoteKind::TableDump { .. } => 16,
            NoteKind::BlockChecksum { .. } => 17,
            NoteKind::MasterEnabled(_) => 18,
            NoteKind::MasterDisabled(_) => 19,
            NoteKind::MasterMoved(_) => 20,
            NoteKind::StandbyEnabled(_) => 21,
            NoteKind::WorkspaceEnabled(_) => 22,
            NoteKind::ReplicaMoved { .. } => 23,
            NoteKind::Unknown { note_type } => *note_type,
        }
    }

    /// The name of this kind (`checkpoint header`, ...).
    pub fn name(&self) -> &'static str {
        note_type_name(self.note_type())
    }

    /// The five integers and five strings this kind is written with.
    fn words(&self) -> ([i64; 5], [Vec<u8>; 5]) {
        let s = |text: &String| text.as_bytes().to_vec();
        let mut ints = [0i64; 5];
        let mut strs: [Vec<u8>; 5] = Default::default();
        match self {
            NoteKind::CheckpointHeader {
                case_handling,
                root,
                journal,
            } => {
                ints[0] = *case_handling;
                strs[0] = s(root);
                strs[1] = s(journal);
            }
            NoteKind::JournalHeader {
                case_handling,
                journal_type,
                root,
                journal,
                server_version,
            } => {
                ints[0] = *case_handling;
                ints[1] = journal_type.code();
                strs[0] = s(root);
                strs[1] = s(journal);
                strs[2] = s(server_version);
            }
            NoteKind::TableSummary {
                table_version,
                old_version,
                checksum,
                bad_unlocks,
                table,
            } => {
                ints[..4].copy_from_slice(&[*table_version, *old_version, *checksum, *bad_unlocks]);
                strs[0] = s(table);
            }
            NoteKind::ServerUpgrade { from, to } => {
                ints[0] = *from;
                ints[1] = *to;
            }
            NoteKind::TableUpgrade { upgrade, function } => {
                ints[0] = *upgrade;
                strs[0] = s(function);
            }
            NoteKind::ServerStartup {
                port,
                root,
                name,
                server_id,
            } => {
                strs[0] = s(port);
                strs[1] = s(root);
                strs[2] = s(name);
                strs[3] = s(server_id);
            }
            NoteKind::ServerShutdown { port } => strs[0] = s(port),
            NoteKind::JournalReplayed { flags, file } => {
                ints[0] = *flags;
                strs[0] = s(file);
            }
            NoteKind::TableChecksum {
                table_version,
                checksum,
                bad_unlocks,
                generation,
                table,
            } => {
                ints[..4].copy_from_slice(&[*table_version, *checksum, *bad_unlocks, *generation]);
                strs[0] = s(table);
            }
            NoteKind::UnloadHeader {
                domain_type,
                domain,
                file,
            } => {
                ints[0] = *domain_type;
                strs[0] = s(domain);
                strs[1] = s(file);
            }
            NoteKind::ChangeChecksum {
                change,
                revision,
                recorded_by,
                checksum,
            } => {
                ints[..3].copy_from_slice(&[*change, *revision, recorded_by.code()]);
                strs[0] = s(checksum);
            }
            NoteKind::TableDump {
                table_version,
                checksum,
                records,
                compressed,
                table,
                file,
            } => {
                ints[..4].copy_from_slice(&[
                    *table_version,
                    *checksum,
                    *records,
                    i64::from(*compressed),
                ]);
                strs[0] = s(table);
                strs[1] = s(file);
            }
            NoteKind::BlockChecksum {
                table_version,
                block,
                block_size,
                dump_version,
                table,
                first_key,
                last_key,
                checksum,
            } => {
                ints[..4].copy_from_slice(&[*table_version, *block, *block_size, *dump_version]);
                strs[0] = s(table);
                strs[1] = s(first_key);
                strs[2] = s(last_key);
                strs[3] = s(checksum);
            }
            NoteKind::MasterEnabled(id)
            | NoteKind::MasterDisabled(id)
            | NoteKind::MasterMoved(id)
            | NoteKind::StandbyEnabled(id)
            | NoteKind::WorkspaceEnabled(id) => {
                strs[0] = s(&id.port);
                strs[1] = s(&id.name);
                strs[2] = s(&id.server_id);
            }
            NoteKind::ReplicaMoved {
                server_id,
                state_file,
                pid,
                time,
            } => {
                ints[0] = *pid;
                ints[1] = *time;
                strs[0] = s(server_id);
                strs[1] = s(state_file);
            }
            NoteKind::CheckpointTrailer
            | NoteKind::JournalTrailer
            | NoteKind::UnicodeEnabled
            | NoteKind::TablePatched
            | NoteKind::UnloadTrailer
            | NoteKind::Unknown { .. } => {}
        }
        (ints, strs)
    }
}

impl Note {
    /// A note in p4d's full form: five integers then five strings.
    pub fn new(
        note_type: i64,
        date: i64,
        server_level: u32,
        ints: [i64; 5],
        strings: [&[u8]; 5],
    ) -> Note {
        let mut fields = Vec::with_capacity(10);
        fields.extend(ints.iter().map(|&i| Field::int(i)));
        fields.extend(strings.iter().map(|s| Field::Str(s.to_vec())));
        Note {
            note_type: Int::new(note_type),
            date: Int::new(date),
            version: Field::Str(server_level.to_string().into_bytes()),
            fields,
        }
    }

    /// A note of the given kind written at `date` by a server at `server_level`.
    ///
    /// ```
    /// use p4ha_journal::{Note, NoteKind, Record};
    /// let header = Note::from_kind(1296517759, 30, &NoteKind::CheckpointHeader {
    ///     case_handling: 2, root: "/p4root".into(), journal: "journal".into() });
    /// assert_eq!(Record::from(header).to_bytes(),
    ///     b"@nx@ 0 1296517759 @30@ 2 0 0 0 0 @/p4root@ @journal@ @@ @@ @@ \n");
    /// ```
    pub fn from_kind(date: i64, server_level: u32, kind: &NoteKind) -> Note {
        let (ints, strs) = kind.words();
        let refs: [&[u8]; 5] = [&strs[0], &strs[1], &strs[2], &strs[3], &strs[4]];
        Note::new(kind.note_type(), date, server_level, ints, refs)
    }

    /// The note of an `@nx@` record, if it has the note layout (type and
    /// date integers, then a version).
    pub fn from_record(record: &Record) -> Option<Note> {
        if record.op != Op::Nx {
            return None;
        }
        let (note_type, date, version) = match record.fields.get(..3)? {
            [
                Field::Int(t),
                Field::Int(d),
                v @ (Field::Str(_) | Field::Int(_)),
            ] => (t, d, v),
            _ => return None,
        };
        Some(Note {
            note_type: note_type.clone(),
            date: date.clone(),
            version: version.clone(),
            fields: record.fields[3..].to_vec(),
        })
    }

    /// The `@nx@` record for this note, in p4d's form (trailing space, `\n`).
    pub fn to_record(&self) -> Record {
        let mut fields = Vec::with_capacity(self.fields.len() + 3);
        fields.push(Field::Int(self.note_type.clone()));
        fields.push(Field::Int(self.date.clone()));
        fields.push(self.version.clone());
        fields.extend(self.fields.iter().cloned());
        Record::new(Op::Nx, fields)
    }

    /// The note type (0 = checkpoint header, ...).
    pub fn note_type(&self) -> i64 {
        self.note_type.value()
    }

    /// When the note was written, in epoch seconds.
    pub fn date(&self) -> i64 {
        self.date.value()
    }

    /// The server version word as written (normally the quoted level, `@30@`).
    pub fn version(&self) -> &Field {
        &self.version
    }

    /// The server protocol level (`30` in `@30@`), if the version is a number.
    pub fn server_level(&self) -> Option<u32> {
        match &self.version {
            Field::Str(bytes) => std::str::from_utf8(bytes).ok()?.parse().ok(),
            Field::Int(int) => u32::try_from(int.value()).ok(),
            Field::Digest(_) => None,
        }
    }

    /// The words after the version, as found.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The n-th integer (1-based, `int(1)` is KB 3193's `i1`); 0 if absent.
    pub fn int(&self, n: usize) -> i64 {
        self.fields
            .iter()
            .filter_map(Field::as_int)
            .nth(n.wrapping_sub(1))
            .unwrap_or(0)
    }

    /// The n-th string (1-based, `string(1)` is `s1`); empty if absent.
    pub fn string(&self, n: usize) -> &[u8] {
        self.fields
            .iter()
            .filter_map(Field::as_bytes)
            .nth(n.wrapping_sub(1))
            .unwrap_or(&[])
    }

    fn text(&self, n: usize) -> String {
        String::from_utf8_lossy(self.string(n)).into_owned()
    }

    fn identity(&self) -> ServerIdentity {
        ServerIdentity {
            port: self.text(1),
            name: self.text(2),
            server_id: self.text(3),
        }
    }

    /// True for a checkpoint header (type 0).
    pub fn is_checkpoint_header(&self) -> bool {
        self.note_type() == note_type::CHECKPOINT_HEADER
    }

    /// True for a checkpoint trailer (type 1).
    pub fn is_checkpoint_trailer(&self) -> bool {
        self.note_type() == note_type::CHECKPOINT_TRAILER
    }

    /// The typed meaning of the note.
    pub fn kind(&self) -> NoteKind {
        match self.note_type() {
            0 => NoteKind::CheckpointHeader {
                case_handling: self.int(1),
                root: self.text(1),
                journal: self.text(2),
            },
            1 => NoteKind::CheckpointTrailer,
            2 => NoteKind::JournalHeader {
                case_handling: self.int(1),
                journal_type: JournalType::from_code(self.int(2)),
                root: self.text(1),
                journal: self.text(2),
                server_version: self.text(3),
            },
            3 => NoteKind::JournalTrailer,
            4 => NoteKind::TableSummary {
                table_version: self.int(1),
                old_version: self.int(2),
                checksum: self.int(3),
                bad_unlocks: self.int(4),
                table: self.text(1),
            },
            5 => NoteKind::ServerUpgrade {
                from: self.int(1),
                to: self.int(2),
            },
            6 => NoteKind::TableUpgrade {
                upgrade: self.int(1),
                function: self.text(1),
            },
            7 => NoteKind::ServerStartup {
                port: self.text(1),
                root: self.text(2),
                name: self.text(3),
                server_id: self.text(4),
            },
            8 => NoteKind::ServerShutdown { port: self.text(1) },
            9 => NoteKind::UnicodeEnabled,
            10 => NoteKind::TablePatched,
            11 => NoteKind::JournalReplayed {
                flags: self.int(1),
                file: self.text(1),
            },
            12 => NoteKind::TableChecksum {
                table_version: self.int(1),
                checksum: self.int(2),
                bad_unlocks: self.int(3),
                generation: self.int(4),
                table: self.text(1),
            },
            13 => NoteKind::UnloadHeader {
                domain_type: self.int(1),
                domain: self.text(1),
                file: self.text(2),
            },
            14 => NoteKind::UnloadTrailer,
            15 => NoteKind::ChangeChecksum {
                change: self.int(1),
                revision: self.int(2),
                recorded_by: ChecksumSource::from_code(self.int(3)),
                checksum: self.text(1),
            },
            16 => NoteKind::TableDump {
                table_version: self.int(1),
                checksum: self.int(2),
                records: self.int(3),
                compressed: self.int(4) != 0,
                table: self.text(1),
                file: self.text(2),
            },
            17 => NoteKind::BlockChecksum {
                table_version: self.int(1),
                block: self.int(2),
                block_size: self.int(3),
                dump_version: self.int(4),
                table: self.text(1),
                first_key: self.text(2),
                last_key: self.text(3),
                checksum: self.text(4),
            },
            18 => NoteKind::MasterEnabled(self.identity()),
            19 => NoteKind::MasterDisabled(self.identity()),
            20 => NoteKind::MasterMoved(self.identity()),
            21 => NoteKind::StandbyEnabled(self.identity()),
            22 => NoteKind::WorkspaceEnabled(self.identity()),
            23 => NoteKind::ReplicaMoved {
                server_id: self.text(1),
                state_file: self.text(2),
                pid: self.int(1),
                time: self.int(2),
            },
            other => NoteKind::Unknown { note_type: other },
        }
    }
}

/// The release a server protocol level belongs to (`30` -> `2010.2`), per
/// the level table in Perforce's `msgs/p4tagl.cc` (levels 1 to 59).
pub fn server_level_release(level: u32) -> Option<&'static str> {
    const RELEASES: [&str; 59] = [
        "97.1", "97.2", "97.3", "98.2", "98.2", "99.1", "99.1", "99.2", "2000.1", "2000.2",
        "2001.1", "2001.2", "2002.1", "2002.2", "2003.1", "2003.1", "2003.2", "2004.2", "2005.1",
        "2005.2", "2006.1", "2006.2", "2007.2", "2007.3", "2008.1", "2008.2", "2009.1", "2009.2",
        "2010.1", "2010.2", "2011.1", "2012.1", "2012.2", "2013.1", "2013.2", "2013.3", "2014.1",
        "2014.2", "2015.1", "2015.2", "2016.1", "2016.2", "2017.1", "2017.2", "2018.1", "2018.2",
        "2019.1", "2019.1", "2019.2", "2020.1", "2020.2", "2021.1", "2021.2", "2022.1", "2022.2",
        "2023.1", "2023.2", "2024.1", "2024.2",
    ];
    let index = usize::try_from(level).ok()?.checked_sub(1)?;
    RELEASES.get(index).copied()
}

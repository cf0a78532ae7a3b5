//! The typed view of `@nx@` notes (KB 3193's 24 note types).

use p4ha_journal::{
    ChecksumSource, Field, JournalType, Note, NoteKind, Op, Reader, Record, ServerIdentity,
    note_type_name, server_level_release,
};

fn id(port: &str, name: &str, server_id: &str) -> ServerIdentity {
    ServerIdentity {
        port: port.into(),
        name: name.into(),
        server_id: server_id.into(),
    }
}

fn all_kinds() -> Vec<NoteKind> {
    vec![
        NoteKind::CheckpointHeader {
            case_handling: 2,
            root: "/p4root".into(),
            journal: "journal".into(),
        },
        NoteKind::CheckpointTrailer,
        NoteKind::JournalHeader {
            case_handling: 1,
            journal_type: JournalType::DumpInFileOrder,
            root: "/p4/1/root".into(),
            journal: "/p4/1/logs/journal".into(),
            server_version: "2019.1".into(),
        },
        NoteKind::JournalTrailer,
        NoteKind::TableSummary {
            table_version: 9,
            old_version: 8,
            checksum: 12345,
            bad_unlocks: 0,
            table: "db.rev".into(),
        },
        NoteKind::ServerUpgrade { from: 30, to: 33 },
        NoteKind::TableUpgrade {
            upgrade: 31,
            function: "UpgradeRevSh".into(),
        },
        NoteKind::ServerStartup {
            port: "ssl:1666".into(),
            root: "/p4/1/root".into(),
            name: "master".into(),
            server_id: "master.1".into(),
        },
        NoteKind::ServerShutdown {
            port: "1666".into(),
        },
        NoteKind::UnicodeEnabled,
        NoteKind::TablePatched,
        NoteKind::JournalReplayed {
            flags: 4,
            file: "checkpoint.9".into(),
        },
        NoteKind::TableChecksum {
            table_version: 1,
            checksum: 987654321,
            bad_unlocks: 0,
            generation: 3,
            table: "db.counters".into(),
        },
        NoteKind::UnloadHeader {
            domain_type: 99,
            domain: "old-ws".into(),
            file: "unload/old-ws.ckp".into(),
        },
        NoteKind::UnloadTrailer,
        NoteKind::ChangeChecksum {
            change: 538,
            revision: 1,
            recorded_by: ChecksumSource::Submit,
            checksum: "3141592653".into(),
        },
        NoteKind::TableDump {
            table_version: 10,
            checksum: 42,
            records: 1000,
            compressed: true,
            table: "db.rev".into(),
            file: "db.rev.ckp".into(),
        },
        NoteKind::BlockChecksum {
            table_version: 10,
            block: 7,
            block_size: 8192,
            dump_version: 1,
            table: "db.rev".into(),
            first_key: "//depot/a".into(),
            last_key: "//depot/m".into(),
            checksum: "77".into(),
        },
        NoteKind::MasterEnabled(id("ssl:1666", "master", "master.1")),
        NoteKind::MasterDisabled(id("1666", "", "")),
        NoteKind::MasterMoved(id("standby:1666", "standby", "standby.1")),
        NoteKind::StandbyEnabled(id("standby:1666", "", "standby.1")),
        NoteKind::WorkspaceEnabled(id("ws:1666", "ws", "ws.1")),
        NoteKind::ReplicaMoved {
            server_id: "edge1".into(),
            state_file: "/p4/edge1/root/state".into(),
            pid: 31337,
            time: 1571379700,
        },
    ]
}

#[test]
fn every_note_type_round_trips_through_the_file_format() {
    let kinds = all_kinds();
    assert_eq!(kinds.len(), 24);
    for (n, kind) in kinds.iter().enumerate() {
        assert_eq!(kind.note_type(), n as i64);
        assert_ne!(kind.name(), "unknown");
        let note = Note::from_kind(1_600_000_000 + n as i64, 47, kind);
        let bytes = note.to_record().to_bytes();
        let record = Reader::new(&bytes[..]).next().unwrap().unwrap();
        assert_eq!(record.op, Op::Nx);
        let back = record.note().unwrap();
        assert_eq!(back, note);
        assert_eq!(&back.kind(), kind, "{}", String::from_utf8_lossy(&bytes));
        assert_eq!(back.server_level(), Some(47));
        assert_eq!(back.date(), 1_600_000_000 + n as i64);
    }
}

#[test]
fn seed_002_samples() {
    let header = Reader::new(&b"@nx@ 0 1296517759 @30@ 2 0 0 0 0 @/p4root@ @journal@ @@ @@ @@"[..])
        .next()
        .unwrap()
        .unwrap()
        .note()
        .unwrap();
    assert!(header.is_checkpoint_header());
    assert_eq!(header.int(1), 2);
    assert_eq!(header.string(1), b"/p4root");
    assert_eq!(header.string(2), b"journal");
    assert_eq!(header.string(9), b"");
    assert_eq!(header.int(9), 0);
    assert_eq!(header.server_level(), Some(30));
    assert_eq!(server_level_release(30), Some("2010.2"));

    let trailer = Reader::new(&b"@nx@ 1 1296517767 @30@ 0 0 0 0 0 @@ @@ @@ @@ @@"[..])
        .next()
        .unwrap()
        .unwrap()
        .note()
        .unwrap();
    assert!(trailer.is_checkpoint_trailer());
    assert_eq!(trailer.kind(), NoteKind::CheckpointTrailer);
    assert_eq!(trailer.date() - header.date(), 8);
}

#[test]
fn unknown_note_types_keep_their_words() {
    let input = b"@nx@ 99 1600000000 @62@ 5 -1 @odd@ 7 @x@@y@ \n";
    let record = Reader::new(&input[..]).next().unwrap().unwrap();
    let note = record.note().unwrap();
    assert_eq!(note.kind(), NoteKind::Unknown { note_type: 99 });
    assert_eq!(note_type_name(99), "unknown");
    assert_eq!(note.int(2), -1);
    assert_eq!(note.int(3), 7);
    assert_eq!(note.string(2), b"x@y");
    assert_eq!(Record::from(note).to_bytes(), input);
}

#[test]
fn notes_with_fewer_words_read_as_zero_and_empty() {
    let note = Reader::new(&b"@nx@ 2 1783328428 @62@ 1 0 0 0 0\n"[..])
        .next()
        .unwrap()
        .unwrap()
        .note()
        .unwrap();
    assert_eq!(
        note.kind(),
        NoteKind::JournalHeader {
            case_handling: 1,
            journal_type: JournalType::Normal,
            root: String::new(),
            journal: String::new(),
            server_version: String::new(),
        }
    );
    assert_eq!(note.server_level(), Some(62));
    assert_eq!(server_level_release(62), None);
}

#[test]
fn non_note_records_have_no_note_view() {
    let r = Record::data(Op::Pv, 1, "db.counters", vec![Field::string("change")]);
    assert!(r.note().is_none());
    assert!(Note::from_record(&Record::new(Op::Nx, vec![Field::string("x")])).is_none());
}

#[test]
fn codes_round_trip() {
    for code in -1..6 {
        assert_eq!(JournalType::from_code(code).code(), code);
        assert_eq!(ChecksumSource::from_code(code).code(), code);
    }
    assert_eq!(JournalType::Dump.describe(), "p4d -jd");
    assert_eq!(server_level_release(47), Some("2019.1"));
    assert_eq!(server_level_release(59), Some("2024.2"));
    assert_eq!(server_level_release(0), None);
}

//! Round trips and expectations on every fixture under tests/fixtures/.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use p4ha_journal::{
    Decompressed, Field, FileKind, LineEnd, Note, NoteKind, Op, Reader, Record, Scanner, Summarizer,
};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "fixtures missing: {files:?}");
    files
}

fn fixture(name: &str) -> Vec<u8> {
    fs::read(fixture_dir().join(name)).unwrap()
}

fn uncompressed(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    Decompressed::new(fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn read_all(bytes: &[u8]) -> Vec<Record> {
    Reader::new(bytes)
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_fixture_reads_and_writes_back_byte_for_byte() {
    for path in fixtures() {
        let original = uncompressed(&path);
        let records: Vec<Record> = Reader::new(fs::File::open(&path).unwrap())
            .with_file_name(&path)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{e}"));
        let mut written = Vec::new();
        for record in &records {
            written.extend(record.to_bytes());
        }
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&original),
            "{}",
            path.display()
        );
        assert_eq!(written, original, "{}", path.display());
    }
}

#[test]
fn scanner_and_reader_agree_on_every_fixture() {
    for path in fixtures() {
        let original = uncompressed(&path);
        let records = read_all(&original);
        let mut scanner = Scanner::new(fs::File::open(&path).unwrap());
        let mut joined = Vec::new();
        let mut n = 0;
        while let Some(raw) = scanner.next_record() {
            let raw = raw.unwrap();
            let record = &records[n];
            assert_eq!(raw.bytes(), &record.to_bytes()[..], "{}", path.display());
            assert_eq!(raw.op(), record.op);
            assert_eq!(Some(raw.line()), record.line());
            assert_eq!(Some(raw.offset()), record.offset());
            assert_eq!(
                raw.table().map(|t| t.into_owned()),
                record.table_bytes().map(<[u8]>::to_vec)
            );
            assert_eq!(&raw.decode().unwrap(), record);
            joined.extend_from_slice(raw.bytes());
            n += 1;
        }
        assert_eq!(n, records.len(), "{}", path.display());
        assert_eq!(joined, original, "{}", path.display());
    }
}

#[test]
fn reference_lines_decode_to_the_documented_fields() {
    let records = read_all(&fixture("reference_lines.jnl"));
    let user = &records[0];
    assert_eq!(user.op, Op::Pv);
    assert_eq!(user.table_version(), Some(7));
    assert_eq!(user.table(), Some("db.user"));
    assert_eq!(user.values().len(), 15);
    assert_eq!(user.values()[1], Field::string("bigbird@pycharmclient"));
    assert_eq!(user.values()[2], Field::string(""));
    assert_eq!(user.values()[3].as_int(), Some(1624456923));
    assert!(!user.trailing_space);

    let rev = &records[1];
    assert_eq!(rev.table(), Some("db.rev"));
    assert_eq!(rev.values().len(), 14);
    assert_eq!(
        rev.values()[7].as_digest().map(|d| d.as_str()),
        Some("47D355EA47D55FAEC8C92A2ABDA980BC")
    );
    assert_eq!(rev.values()[12], Field::string("1.13"));
    assert!(rev.trailing_space, "the real db.rev line ends with a space");
    assert!(!records[2].trailing_space);

    let counter = &records[3];
    assert_eq!(
        counter.values(),
        &[Field::string("change"), Field::string("538")]
    );
    // A v0 counter written by a tool with an unquoted value.
    assert_eq!(records[9].op, Op::Rv);
    assert_eq!(records[9].values()[1], Field::int(2));
    assert_eq!(records[10].op, Op::Dv);

    // The notes: KB 3211 headers, JournalReader, the Windows header with
    // four integers, and the 100-byte-truncated p4prometheus line.
    let kb = records[11].note().unwrap();
    assert_eq!(kb.server_level(), Some(31));
    assert_eq!(
        kb.kind(),
        NoteKind::JournalHeader {
            case_handling: 1,
            journal_type: p4ha_journal::JournalType::Normal,
            root: "/perforce/p4root".into(),
            journal: "journal".into(),
            server_version: String::new(),
        }
    );
    let windows = records[14].note().unwrap();
    assert_eq!(
        windows.kind(),
        NoteKind::CheckpointHeader {
            case_handling: 2,
            root: "D:\\P4D\\Root".into(),
            journal: "journal".into(),
        }
    );
    assert_eq!(windows.server_level(), Some(58));
    let truncated = records[15].note().unwrap();
    assert_eq!(truncated.note_type(), 2);
    assert_eq!(truncated.string(1), b"");

    // gitp4transfer's multi-line records: one record over two lines.
    let desc = &records[18];
    assert_eq!(desc.table(), Some("db.desc"));
    assert_eq!(desc.values()[1], Field::string("initial\n"));
    assert_eq!(desc.line(), Some(19));
    assert_eq!(records[19].line(), Some(21));
}

#[test]
fn seed_002_checkpoint_has_header_and_trailer() {
    for name in ["seed002_checkpoint.ckp", "seed002_checkpoint.ckp.gz"] {
        let bytes = fixture(name);
        let mut scanner = Scanner::new(&bytes[..]);
        let mut summarizer = Summarizer::new().count_tables(true);
        while let Some(r) = scanner.next_record() {
            summarizer.add(&r.unwrap()).unwrap();
        }
        assert_eq!(scanner.is_gzip(), name.ends_with(".gz"));
        let summary = summarizer.finish(scanner.position());
        assert_eq!(summary.kind(), FileKind::Checkpoint);
        assert!(!summary.is_incomplete_checkpoint());
        let header = summary.header.unwrap();
        assert_eq!(header.note.date(), 1296517759);
        assert_eq!(
            header.note.kind(),
            NoteKind::CheckpointHeader {
                case_handling: 2,
                root: "/p4root".into(),
                journal: "journal".into()
            }
        );
        let trailer = summary.trailer.unwrap();
        assert_eq!(trailer.note.kind(), NoteKind::CheckpointTrailer);
        assert_eq!(trailer.note.date() - header.note.date(), 8);
        assert_eq!(summary.records, 3);
        assert_eq!(summary.lines, 3);
    }
}

#[test]
fn quotes_are_tracked_across_lines_that_start_with_markers() {
    let records = read_all(&fixture("multiline.jnl"));
    let texts: Vec<&[u8]> = records
        .iter()
        .map(|r| r.values()[1].as_bytes().unwrap())
        .collect();
    assert_eq!(
        texts,
        vec![
            &b"First line\n@pv@ 1 @db.counters@ this line looks like a record but is text\n@ex@ 1 2\n\n@\nmail: someone@example.com\n"[..],
            b"@leading at, trailing at@",
            b"\n",
            b"windows text\r\nsecond line\r\n",
            b"",
            b"@@",
        ]
    );
    assert_eq!(
        records
            .iter()
            .map(|r| r.line().unwrap())
            .collect::<Vec<_>>(),
        vec![1, 8, 9, 11, 14, 15]
    );
}

#[test]
fn crlf_line_ends_are_kept() {
    let records = read_all(&fixture("crlf.ckp"));
    assert!(records.iter().all(|r| r.line_end == LineEnd::CrLf));
    assert_eq!(
        records.iter().map(|r| r.trailing_space).collect::<Vec<_>>(),
        vec![false, true, false, true]
    );
    assert_eq!(records[2].values()[1], Field::string("two\r\nlines"));
}

#[test]
fn a_last_record_without_newline_is_accepted() {
    let records = read_all(&fixture("no_final_newline.jnl"));
    assert_eq!(records[1].line_end, LineEnd::Missing);
    assert_eq!(records[1].pid(), Some(4242));
    assert_eq!(records[1].time(), Some(1600000000));
    let records = read_all(&fixture("no_final_newline_trailing_space.jnl"));
    assert_eq!(records[0].line_end, LineEnd::Missing);
    assert!(records[0].trailing_space);
}

#[test]
fn every_marker_is_read() {
    let ops: Vec<Op> = read_all(&fixture("all_ops.jnl"))
        .iter()
        .map(|r| r.op)
        .collect();
    assert_eq!(
        ops,
        vec![
            Op::Pv,
            Op::Rv,
            Op::Dv,
            Op::Vv,
            Op::Dl,
            Op::Mx,
            Op::Ex,
            Op::Nx,
            Op::Put,
            Op::Del
        ]
    );
}

#[test]
fn numbers_keep_their_kind_and_spelling() {
    let records = read_all(&fixture("numbers.jnl"));
    let v = records[0].values();
    assert_eq!(
        v[7].as_digest().unwrap().as_str(),
        "00000000000000000000000000000000"
    );
    assert_eq!(v[8].as_int(), Some(-1));
    let v = records[1].values();
    assert_eq!(
        v[7].as_digest().unwrap().as_str(),
        "47d355ea47d55faec8c92a2abda980bc"
    );
    assert_eq!(v[8].as_int(), Some(i64::MAX));
    assert_eq!(v[9].as_int(), Some(i64::MIN));
    match &v[10] {
        Field::Int(int) => {
            assert_eq!(int.value(), 7);
            assert!(!int.is_canonical());
        }
        other => panic!("{other:?}"),
    }
    let v = records[2].values();
    assert_eq!(v[0].as_digest().unwrap().as_str().len(), 64);
    assert_eq!(v[1].as_int(), Some(0));
}

#[test]
fn two_gzip_members_read_as_one_stream() {
    let records = read_all(&fixture("two_members.jnl.gz"));
    assert_eq!(records.len(), 13);
    assert_eq!(records[10].line(), Some(11));
}

#[test]
fn journal_header_and_trailer_are_recognised() {
    let bytes = fixture("journal_transactions.jnl");
    let mut scanner = Scanner::new(&bytes[..]);
    let mut summarizer = Summarizer::new().count_tables(true);
    while let Some(r) = scanner.next_record() {
        summarizer.add(&r.unwrap()).unwrap();
    }
    let summary = summarizer.finish(scanner.position());
    assert_eq!(summary.kind(), FileKind::Journal);
    assert_eq!(
        summary.trailer.as_ref().unwrap().note.kind(),
        NoteKind::JournalTrailer
    );
    assert_eq!(summary.by_op[&Op::Ex], 2);
    assert_eq!(summary.by_table["db.config"].by_op[&Op::Dv], 1);
    assert!(!summary.is_incomplete_checkpoint());
}

#[test]
fn constructed_records_have_p4d_bytes() {
    let r = Record::data(
        Op::Pv,
        1,
        "db.counters",
        vec![Field::string("change"), Field::string("538")],
    );
    assert_eq!(r.to_bytes(), b"@pv@ 1 @db.counters@ @change@ @538@ \n");
    assert_eq!(
        Record::marker(Op::Ex, 31337, 1571379700).to_bytes(),
        b"@ex@ 31337 1571379700 \n"
    );
    let header = Note::from_kind(
        1296517759,
        30,
        &NoteKind::CheckpointHeader {
            case_handling: 2,
            root: "/p4root".into(),
            journal: "journal".into(),
        },
    );
    assert_eq!(
        Record::from(&header)
            .with_line_form(false, LineEnd::Lf)
            .to_bytes(),
        b"@nx@ 0 1296517759 @30@ 2 0 0 0 0 @/p4root@ @journal@ @@ @@ @@\n"
    );
    let email = Record::data(Op::Pv, 7, "db.user", vec![Field::string("a@b@@c")]);
    assert_eq!(email.to_bytes(), b"@pv@ 7 @db.user@ @a@@b@@@@c@ \n");
}

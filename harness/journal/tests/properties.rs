//! Property tests: write-then-read gives the same records, read-then-write
//! gives the same bytes, and no input makes the reader panic.

use std::io::{self, Read};

use p4ha_journal::generate::{GenerateOptions, generate_checkpoint};
use p4ha_journal::{Digest, Field, Int, LineEnd, Op, OpClass, Reader, Record, Scanner};
use proptest::prelude::*;

fn string_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Text rich in the characters that matter to quoting.
        proptest::collection::vec(
            prop_oneof![
                Just(b'@'),
                Just(b' '),
                Just(b'\n'),
                Just(b'\r'),
                Just(b'p'),
                Just(b'v'),
                b'a'..=b'z',
                b'0'..=b'9',
            ],
            0..24
        ),
        // Any bytes at all.
        proptest::collection::vec(any::<u8>(), 0..24),
    ]
}

fn int() -> impl Strategy<Value = Int> {
    prop_oneof![
        any::<i64>().prop_map(Int::new),
        (-1000i64..1000).prop_map(Int::new),
        // Non-canonical spellings a hand-edited file may carry.
        (0u32..1000, 1usize..3)
            .prop_map(|(v, zeros)| { Int::parse(&format!("{}{v}", "0".repeat(zeros))).unwrap() }),
        Just(Int::parse("-0").unwrap()),
    ]
}

fn digest() -> impl Strategy<Value = Digest> {
    prop_oneof![
        "[0-9A-F]{32}",
        "[0-9a-f]{32}",
        "[0-9]{32}",
        "[0-9a-fA-F]{33,64}",
    ]
    .prop_map(|hex| Digest::new(&hex).unwrap())
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        3 => string_bytes().prop_map(Field::Str),
        2 => int().prop_map(Field::Int),
        1 => digest().prop_map(Field::Digest),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    proptest::sample::select(Op::ALL.to_vec())
}

fn record(line_end: LineEnd) -> impl Strategy<Value = Record> {
    (
        op(),
        int(),
        int(),
        prop_oneof![
            string_bytes()
                .prop_filter("table names are not empty", |t| !t.is_empty())
                .prop_map(Field::Str),
            int().prop_map(Field::Int)
        ],
        proptest::collection::vec(field(), 0..8),
        any::<bool>(),
    )
        .prop_map(move |(op, a, b, third, rest, trailing_space)| {
            let mut fields = match op.class() {
                OpClass::Data => {
                    let table = match third {
                        Field::Str(t) => t,
                        _ => b"db.rev".to_vec(),
                    };
                    vec![Field::Int(a), Field::Str(table)]
                }
                OpClass::Transaction => vec![Field::Int(a), Field::Int(b)],
                OpClass::Note => vec![Field::Int(a), Field::Int(b), third],
            };
            fields.extend(rest);
            Record::new(op, fields).with_line_form(trailing_space, line_end)
        })
}

fn journal() -> impl Strategy<Value = Vec<Record>> {
    (
        proptest::collection::vec(
            prop_oneof![Just(LineEnd::Lf), Just(LineEnd::CrLf)].prop_flat_map(record),
            0..12,
        ),
        proptest::option::of(record(LineEnd::Missing)),
    )
        .prop_map(|(mut records, last)| {
            records.extend(last);
            records
        })
}

fn encode(records: &[Record]) -> Vec<u8> {
    records.iter().flat_map(Record::to_bytes).collect()
}

/// Reads `bytes` fully; returns the records or the first error's text.
fn read(bytes: &[u8]) -> Result<Vec<Record>, String> {
    Reader::new(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// A reader handing out `step` bytes per call.
struct Trickle<'a>(&'a [u8], usize);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.1.min(buf.len()).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

type RawSummary = (
    Vec<u8>,
    Op,
    Option<Vec<u8>>,
    p4ha_journal::Position,
    bool,
    LineEnd,
);

fn scan_all<R: Read>(mut scanner: Scanner<R>) -> (Vec<RawSummary>, Result<(), String>) {
    let mut raw_records = Vec::new();
    let scanned = loop {
        match scanner.next_record() {
            Some(Ok(raw)) => raw_records.push((
                raw.bytes().to_vec(),
                raw.op(),
                raw.table().map(|t| t.into_owned()),
                raw.position(),
                raw.trailing_space(),
                raw.line_end(),
            )),
            Some(Err(e)) => break Err(e.to_string()),
            None => break Ok(()),
        }
    };
    (raw_records, scanned)
}

/// Everything the reading paths say about `bytes` must agree, and what is
/// accepted must re-encode to the same bytes.
fn check_consistent(bytes: &[u8], step: usize) -> Result<(), TestCaseError> {
    let whole = read(bytes);
    let trickled = Reader::new(Trickle(bytes, step))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string());
    prop_assert_eq!(&whole, &trickled);

    let mut results = vec![
        scan_all(Scanner::new(bytes)),
        scan_all(Scanner::new(Trickle(bytes, step))),
    ];
    // A thread per case is slow: one case in eight also reads ahead
    // (tests/large.rs covers read-ahead on multi-megabyte inputs).
    if step % 8 == 1 {
        results.push(scan_all(
            Scanner::new(io::Cursor::new(bytes.to_vec())).with_read_ahead(),
        ));
    }
    for (raw_records, scanned) in results {
        match (&whole, scanned) {
            (Ok(records), Ok(())) => {
                prop_assert_eq!(encode(records), bytes.to_vec());
                prop_assert_eq!(raw_records.len(), records.len());
                for (raw, record) in raw_records.iter().zip(records) {
                    prop_assert_eq!(&raw.0, &record.to_bytes());
                    prop_assert_eq!(raw.1, record.op);
                    prop_assert_eq!(raw.2.as_deref(), record.table_bytes());
                    prop_assert_eq!(Some(raw.3), record.position());
                    prop_assert_eq!(raw.4, record.trailing_space);
                    prop_assert_eq!(raw.5, record.line_end);
                }
            }
            // Deflate data may decode to garbage before the gzip checksum
            // fails: either error may come first.
            (Err(a), Err(b))
                if a.contains("Corrupt gzip data") || b.contains("Corrupt gzip data") => {}
            (Err(a), Err(b)) => prop_assert_eq!(a, &b),
            (a, b) => prop_assert!(false, "reader {:?} vs scanner {:?}", a, b),
        }
    }
    Ok(())
}

fn sample_journal() -> &'static [u8] {
    static SAMPLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SAMPLE.get_or_init(|| {
        let mut out = Vec::new();
        generate_checkpoint(
            &mut out,
            &GenerateOptions {
                target_bytes: 6_000,
                ..GenerateOptions::default()
            },
        )
        .unwrap();
        out.extend_from_slice(
            b"@pv@ 0 @db.desc@ 9 @a\r\n@@pv@@ b\n@ \r\n@ex@ 1 2 \n@rv@ 1 @db.x@ 007 -1 @@@@\n@ex@ 3 4",
        );
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn write_then_read_gives_the_same_records(records in journal()) {
        let bytes = encode(&records);
        let read_back = read(&bytes).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&read_back, &records);
        // And the positions are those of the encoded records.
        let mut offset = 0u64;
        for (record, original) in read_back.iter().zip(&records) {
            prop_assert_eq!(record.offset(), Some(offset));
            offset += original.to_bytes().len() as u64;
        }
    }

    #[test]
    fn read_then_write_gives_the_same_bytes(records in journal(), step in 1usize..64) {
        check_consistent(&encode(&records), step)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), step in 1usize..64) {
        check_consistent(&bytes, step)?;
    }

    #[test]
    fn mutated_journals_never_panic(
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), 0u8..3, prop_oneof![
                Just(b'@'), Just(b' '), Just(b'\n'), Just(b'\r'), Just(b'-'),
                b'0'..=b'9', b'A'..=b'F', any::<u8>()
            ]),
            1..6,
        ),
        step in 1usize..4096,
    ) {
        let mut bytes = sample_journal().to_vec();
        for (at, how, byte) in edits {
            let i = at.index(bytes.len() + 1);
            match how {
                0 => bytes.insert(i, byte),
                1 if i < bytes.len() => { bytes.remove(i); }
                _ if i < bytes.len() => bytes[i] = byte,
                _ => bytes.push(byte),
            }
        }
        check_consistent(&bytes, step)?;
    }

    #[test]
    fn gzip_is_transparent(records in journal()) {
        use std::io::Write;
        let bytes = encode(&records);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&bytes).unwrap();
        let compressed = gz.finish().unwrap();
        let plain = read(&bytes);
        let unzipped = Reader::new(&compressed[..]).collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string());
        prop_assert_eq!(plain, unzipped);
    }
}

#[test]
fn sample_journal_is_valid() {
    let bytes = sample_journal();
    let records = read(bytes).unwrap();
    assert_eq!(encode(&records), bytes);
}

//! Fuzzes every reading path of p4ha-journal with the same input:
//! the materialising `Reader`, the validating `Scanner` (structural index
//! plus exact tokenizer), and the writer. It fails if any of them panics,
//! if they disagree about the input, or if an accepted input does not
//! write back byte for byte. Inputs starting with the gzip magic go
//! through the decompressor too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use p4ha_journal::{Reader, Record, Scanner};

fuzz_target!(|data: &[u8]| {
    let read: Result<Vec<Record>, String> = Reader::new(data)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string());

    let mut scanner = Scanner::new(data);
    let mut raw = Vec::new();
    let scanned = loop {
        match scanner.next_record() {
            Some(Ok(r)) => {
                raw.push((r.bytes().to_vec(), r.op(), r.position(), r.table().map(|t| t.into_owned())));
            }
            Some(Err(e)) => break Err(e.to_string()),
            None => break Ok(()),
        }
    };

    match (&read, &scanned) {
        (Ok(records), Ok(())) => {
            assert_eq!(records.len(), raw.len());
            let mut written = Vec::new();
            for (record, (bytes, op, position, table)) in records.iter().zip(&raw) {
                let encoded = record.to_bytes();
                assert_eq!(&encoded, bytes);
                assert_eq!(record.op, *op);
                assert_eq!(record.position(), Some(*position));
                assert_eq!(record.table_bytes(), table.as_deref());
                written.extend(encoded);
                // Every note has a typed view that re-encodes to the same words.
                if let Some(note) = record.note() {
                    assert_eq!(note.to_record().fields, record.fields);
                }
            }
            if !scanner.is_gzip() {
                assert_eq!(written, data);
            }
        }
        // Deflate data can decode to garbage before the gzip checksum
        // fails; which of the two errors shows first depends on how far
        // each path has read ahead, and both are right.
        (Err(a), Err(b)) if a.contains("Corrupt gzip data") || b.contains("Corrupt gzip data") => {}
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("reader {a:?} and scanner {b:?} disagree"),
    }
});

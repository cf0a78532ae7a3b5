//! One test per failure: each asserts p4d's message text and the line.

use std::io::{self, Read};

use p4ha_journal::{Error, ErrorKind, Reader, Record, Scanner};

/// Reads `input` to its first error; checks that the scanner fails the same way.
fn first_error(input: &[u8]) -> Error {
    let reader_error = Reader::new(input)
        .with_file_name("journal.7")
        .find_map(Result::err)
        .expect("input should be rejected");
    let mut scanner = Scanner::new(input).with_file_name("journal.7");
    let scanner_error = loop {
        match scanner.next_record() {
            Some(Ok(_)) => continue,
            Some(Err(e)) => break e,
            None => panic!("scanner accepted what the reader rejected"),
        }
    };
    assert_eq!(reader_error.to_string(), scanner_error.to_string());
    assert!(
        scanner.next_record().is_none(),
        "scanning stops after an error"
    );
    reader_error
}

fn assert_error(input: &[u8], line: u64, message: &str) {
    let err = first_error(input);
    assert_eq!(
        err.message(),
        message,
        "input {:?}",
        String::from_utf8_lossy(input)
    );
    assert_eq!(
        err.line(),
        Some(line),
        "input {:?}",
        String::from_utf8_lossy(input)
    );
    assert_eq!(err.to_string(), format!("journal.7:{line}: {message}"));
}

const GOOD: &[u8] = b"@pv@ 1 @db.counters@ @change@ @538@ \n";

#[test]
fn end_of_input_in_middle_of_word() {
    let mut input = GOOD.to_vec();
    input.extend_from_slice(b"@pv@ 0 @db.desc@ 1 @never closed\nsecond line\n");
    assert_error(&input, 2, "End of input in middle of word!");
}

#[test]
fn word_too_big_for_buffer() {
    let mut input = GOOD.to_vec();
    input.extend_from_slice(b"@pv@ 0 @db.desc@ 1 @");
    input.extend(std::iter::repeat_n(b'x', 5000));
    input.extend_from_slice(b"@ \n");
    let err = Reader::new(&input[..])
        .with_max_record_len(1000)
        .find_map(Result::err)
        .unwrap();
    assert_eq!(err.message(), "Word too big for buffer!");
    assert_eq!(err.line(), Some(2));
    // The same through a reader that hands out a few bytes at a time, so
    // the record is found too long before its end is seen.
    let err = Reader::new(Trickle::new(&input, 7))
        .with_max_record_len(1000)
        .find_map(Result::err)
        .unwrap();
    assert_eq!(err.message(), "Word too big for buffer!");
    assert!(matches!(err.kind(), ErrorKind::WordTooBig));
    // A complete record longer than the limit is refused too.
    let err = Reader::new(GOOD)
        .with_max_record_len(10)
        .find_map(Result::err)
        .unwrap();
    assert!(matches!(err.kind(), ErrorKind::WordTooBig));
}

#[test]
fn word_too_big_for_a_number() {
    assert_error(
        b"@pv@ 1 @db.x@ 99999999999999999999 \n",
        1,
        "Word too big for a number!",
    );
    assert_error(
        b"@pv@ 1 @db.x@ 9223372036854775808 \n",
        1,
        "Word too big for a number!",
    );
    assert_error(
        b"@pv@ 1 @db.x@ -9223372036854775809 \n",
        1,
        "Word too big for a number!",
    );
}

#[test]
fn bad_quoting_names_its_line() {
    let mut input = GOOD.to_vec();
    input.extend_from_slice(b"@pv@ 0 @db.desc@ 1 @two\nlines@x \n");
    assert_error(&input, 3, "Bad quoting in journal file at line 3!");
    // A bare word that is neither a number nor a digest.
    assert_error(
        b"@pv@ 1 @db.x@ abc \n",
        1,
        "Bad quoting in journal file at line 1!",
    );
    assert_error(
        b"@pv@ 1 @db.x@ 12@ \n",
        1,
        "Bad quoting in journal file at line 1!",
    );
    assert_error(
        b"@pv@ 1 @db.x@ 47D355EA \n",
        1,
        "Bad quoting in journal file at line 1!",
    );
    // A carriage return that does not end the line.
    assert_error(
        b"@pv@ 1 @db.x@ 12\r3 \n",
        1,
        "Bad quoting in journal file at line 1!",
    );
}

#[test]
fn bad_opcode() {
    let mut input = GOOD.to_vec();
    input.extend_from_slice(b"@zz@ 1 @db.x@ \n");
    assert_error(&input, 2, "Bad opcode 'zz' journal record!");
    assert_error(b"pv 1 @db.x@ \n", 1, "Bad opcode 'pv' journal record!");
    assert_error(
        b"@pv@@ 1 @db.x@ \n",
        1,
        "Bad opcode 'pv@ 1 ' journal record!",
    );
    // An empty line has no marker at all.
    let mut input = GOOD.to_vec();
    input.extend_from_slice(b"\n");
    input.extend_from_slice(GOOD);
    assert_error(&input, 2, "Bad opcode '' journal record!");
    // Zero bytes, as a crash can leave at the end of a journal.
    let mut input = GOOD.to_vec();
    input.extend_from_slice(&[0, 0, 0, 0]);
    assert_error(&input, 2, "Bad opcode '\0\0\0\0' journal record!");
}

#[test]
fn missing_table_version() {
    assert_error(
        b"@pv@ @db.x@ @a@ \n",
        1,
        "Missing table version in journal record!",
    );
    assert_error(b"@pv@ \n", 1, "Missing table version in journal record!");
    assert_error(b"@dv@\n", 1, "Missing table version in journal record!");
}

#[test]
fn missing_table_name() {
    assert_error(b"@pv@ 1 \n", 1, "Missing table name in journal record!");
    assert_error(
        b"@pv@ 1 2 @a@ \n",
        1,
        "Missing table name in journal record!",
    );
    assert_error(
        b"@rv@ 1 @@ @a@ \n",
        1,
        "Missing table name in journal record!",
    );
}

#[test]
fn missing_version_number_in_a_note() {
    assert_error(
        b"@nx@ 0 1296517759 \n",
        1,
        "Missing version number in journal record!",
    );
}

#[test]
fn bad_transaction_marker() {
    let mut input = GOOD.to_vec();
    input.extend_from_slice(b"@ex@ 31337\n");
    assert_error(&input, 2, "Bad transaction marker!");
    assert_error(b"@mx@ @pid@ 1 \n", 1, "Bad transaction marker!");
    assert_error(b"@nx@ 0 \n", 1, "Bad transaction marker!");
}

#[test]
fn empty_word() {
    assert_error(
        b"@pv@ 1  @db.x@ \n",
        1,
        "Empty word in journal record (two spaces in a row)!",
    );
    assert_error(
        b" @pv@ 1 @db.x@\n",
        1,
        "Empty word in journal record (two spaces in a row)!",
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn big_journal() -> Vec<u8> {
    let mut text = Vec::new();
    for i in 0..2000 {
        text.extend(
            Record::data(
                p4ha_journal::Op::Pv,
                1,
                "db.counters",
                vec![
                    p4ha_journal::Field::string(format!("counter{i}")),
                    p4ha_journal::Field::string(i.to_string()),
                ],
            )
            .to_bytes(),
        );
    }
    text
}

#[test]
fn corrupt_gzip_is_reported() {
    // A damaged checksum trailer: the data decodes but does not match.
    let mut gz = gzip(&big_journal());
    let at = gz.len() - 6;
    gz[at] ^= 0xff;
    let err = first_error(&gz);
    assert!(
        err.message().starts_with("Corrupt gzip data: "),
        "{}",
        err.message()
    );
    assert!(matches!(err.kind(), ErrorKind::Gzip(_)));
    // A damaged header (compression method byte).
    let mut gz = gzip(&big_journal());
    gz[2] = 0x07;
    let err = first_error(&gz);
    assert!(matches!(err.kind(), ErrorKind::Gzip(_)), "{err}");
}

#[test]
fn truncated_gzip_is_reported() {
    let gz = gzip(&big_journal());
    let cut = &gz[..gz.len() - 20];
    let err = first_error(cut);
    assert!(
        err.message().starts_with("Corrupt gzip data: "),
        "{}",
        err.message()
    );
}

#[test]
fn read_errors_are_reported() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }
    let err = Reader::new(Failing).find_map(Result::err).unwrap();
    assert_eq!(err.message(), "Read error: disk on fire");
    assert_eq!(err.line(), Some(1));
}

/// A reader that returns at most `step` bytes per call.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl<'a> Trickle<'a> {
    fn new(data: &'a [u8], step: usize) -> Trickle<'a> {
        Trickle { data, step }
    }
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn errors_count_lines_inside_multi_line_records() {
    let input = b"@pv@ 0 @db.desc@ 1 @a\nb\nc\n@ \n@pv@ 0 @db.desc@ 2 @d\ne@ f\n";
    assert_error(input, 6, "Bad quoting in journal file at line 6!");
    let err = first_error(input);
    assert_eq!(err.offset(), Some(input.len() as u64 - 2));
}

#[test]
fn errors_without_a_file_name() {
    let err = Reader::new(&b"@zz@\n"[..]).find_map(Result::err).unwrap();
    assert_eq!(err.to_string(), "line 1: Bad opcode 'zz' journal record!");
    assert!(err.file().is_none());
}

#[test]
fn the_first_error_wins_when_a_bad_word_straddles_64_byte_windows() {
    // Found by fuzzing: a short hex word ending just past a 64-byte
    // boundary, followed by a quoting error on the next line.
    let mut input = b"@pv@ 1 @db.rev@ @".to_vec();
    input.extend(std::iter::repeat_n(b'x', 34));
    input.extend_from_slice(b"@ 1 B72B933FC28A7696\n@ex@ 1 2 @@ 9@ \n");
    assert_error(&input, 1, "Bad quoting in journal file at line 1!");
}

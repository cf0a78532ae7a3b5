//! Multi-megabyte inputs: buffer refills, read-ahead chunk hand-over and
//! records longer than the read-ahead headroom give the same records as
//! the plain paths.

use std::io::Cursor;

use p4ha_journal::generate::{GenerateOptions, generate_checkpoint};
use p4ha_journal::{Field, Op, Reader, Record, Scanner};

fn big_input() -> Vec<u8> {
    let mut data = Vec::new();
    generate_checkpoint(
        &mut data,
        &GenerateOptions {
            target_bytes: 2_500_000,
            ..GenerateOptions::default()
        },
    )
    .unwrap();
    // Descriptions of 70 KB and 3 MB with newlines and '@', longer than
    // the read-ahead headroom and than one chunk.
    for (n, size) in [(900_001, 70_000), (900_002, 3_000_000)] {
        let text: Vec<u8> = (0..size)
            .map(|i| match i % 97 {
                0 => b'\n',
                1 => b'@',
                _ => b'a' + (i % 26) as u8,
            })
            .collect();
        data.extend(
            Record::data(Op::Pv, 1, "db.desc", vec![Field::int(n), Field::Str(text)]).to_bytes(),
        );
    }
    data.extend_from_slice(b"@ex@ 1 2\n");
    data
}

fn scan<R: std::io::Read>(mut scanner: Scanner<R>) -> Vec<(u64, u64, usize)> {
    let mut out = Vec::new();
    while let Some(r) = scanner.next_record() {
        let r = r.unwrap();
        out.push((r.offset(), r.line(), r.bytes().len()));
    }
    out
}

#[test]
fn read_ahead_matches_the_plain_scanner_and_the_reader() {
    let data = big_input();
    let plain = scan(Scanner::new(&data[..]));
    let ahead = scan(Scanner::new(Cursor::new(data.clone())).with_read_ahead());
    assert_eq!(plain, ahead);
    let reader: Vec<(u64, u64, usize)> = Reader::new(&data[..])
        .map(|r| {
            let r = r.unwrap();
            (r.offset().unwrap(), r.line().unwrap(), r.to_bytes().len())
        })
        .collect();
    assert_eq!(plain, reader);
    let reader_ahead = Reader::new(Cursor::new(data.clone()))
        .with_read_ahead()
        .map(|r| {
            let r = r.unwrap();
            (r.offset().unwrap(), r.line().unwrap(), r.to_bytes().len())
        })
        .collect::<Vec<_>>();
    assert_eq!(plain, reader_ahead);
    assert_eq!(plain.iter().map(|r| r.2).sum::<usize>(), data.len());
}

#[test]
fn read_ahead_hashes_the_content() {
    let data = big_input();
    let mut scanner = Scanner::new(Cursor::new(data.clone()))
        .with_md5()
        .with_read_ahead();
    while let Some(r) = scanner.next_record() {
        r.unwrap();
    }
    assert_eq!(
        scanner.md5(),
        Some(p4ha_journal::checkpoint_md5(&data[..]).unwrap())
    );
}

#[test]
fn read_ahead_reports_errors_like_the_plain_scanner() {
    let mut data = big_input();
    let middle = 1_500_000;
    let at = middle
        + data[middle..]
            .windows(9)
            .position(|w| w == b"@db.rev@ ")
            .unwrap();
    data.insert(at + 8, b'x');
    let error = |mut s: Scanner<Box<dyn std::io::Read + Send>>| loop {
        match s.next_record() {
            Some(Ok(_)) => continue,
            Some(Err(e)) => break e.to_string(),
            None => panic!("accepted"),
        }
    };
    let plain = error(Scanner::new(Box::new(Cursor::new(data.clone()))));
    let ahead = error(
        Scanner::new(Box::new(Cursor::new(data)) as Box<dyn std::io::Read + Send>)
            .with_read_ahead(),
    );
    assert_eq!(plain, ahead);
}

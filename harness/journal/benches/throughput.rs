//! Throughput of the materialising reader, the validating scanner and a
//! whole-file check, on a generated db.rev-heavy checkpoint.
//!
//! `cargo bench -p p4ha-journal` (set `P4HA_BENCH_MB` to change the size,
//! default 32). To compare `p4ha journal check` with `wc -l` on a 200 MB
//! file, see harness/journal/README.md.

use std::hint::black_box;
use std::io::Write;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use p4ha_journal::generate::{GenerateOptions, generate_checkpoint};
use p4ha_journal::{CheckOptions, Reader, Scanner, check_file};

fn checkpoint() -> Vec<u8> {
    let mb: u64 = std::env::var("P4HA_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let mut data = Vec::new();
    generate_checkpoint(
        &mut data,
        &GenerateOptions {
            target_bytes: mb * 1_000_000,
            ..GenerateOptions::default()
        },
    )
    .expect("generating into memory cannot fail");
    data
}

fn throughput(c: &mut Criterion) {
    let data = checkpoint();
    let mut group = c.benchmark_group("journal");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);

    group.bench_function("reader (materialise every record)", |b| {
        b.iter(|| {
            let mut n = 0u64;
            for record in Reader::new(&data[..]) {
                black_box(record.expect("generated data is valid"));
                n += 1;
            }
            n
        })
    });

    group.bench_function("scanner (validate only)", |b| {
        b.iter(|| {
            let mut scanner = Scanner::new(&data[..]);
            let mut n = 0u64;
            while let Some(record) = scanner.next_record() {
                black_box(record.expect("generated data is valid").bytes().len());
                n += 1;
            }
            n
        })
    });

    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("checkpoint.1");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&data))
        .expect("write the checkpoint");
    group.bench_function("check_file (what `p4ha journal check` runs)", |b| {
        b.iter(|| {
            check_file(&path, &CheckOptions::default())
                .expect("generated data is valid")
                .summary
                .records
        })
    });
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);

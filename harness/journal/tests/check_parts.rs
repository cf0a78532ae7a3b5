//! `check_file` scanning a plain file in parts on several threads gives
//! exactly what the scan in order gives: the same summary (counts, lines,
//! header and trailer with their positions) for a valid file, and the same
//! first error, line and offset for a damaged one, wherever the damage is.
//! `summarize_file` (what `p4ha journal stats` shows) likewise.

use std::path::{Path, PathBuf};

use p4ha_journal::generate::{GenerateOptions, generate_checkpoint};
use p4ha_journal::{CheckOptions, CheckReport, Error, check_file, summarize_file};

fn options(threads: usize) -> CheckOptions {
    CheckOptions {
        verify_md5: false,
        count_tables: true,
        threads,
        // Every file in these tests is split, however small.
        parallel_from: 0,
        ..CheckOptions::default()
    }
}

fn checkpoint(bytes: u64, seed: u64) -> Vec<u8> {
    let mut data = Vec::new();
    generate_checkpoint(
        &mut data,
        &GenerateOptions {
            target_bytes: bytes,
            seed,
            ..GenerateOptions::default()
        },
    )
    .unwrap();
    data
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path
}

/// What a check says, in a form two checks can be compared by.
fn outcome(
    result: Result<CheckReport, Error>,
) -> Result<String, (String, Option<u64>, Option<u64>)> {
    match result {
        Ok(report) => Ok(format!(
            "{:?} gzip={} md5={:?}",
            report.summary, report.gzip, report.md5
        )),
        Err(e) => Err((e.to_string(), e.line(), e.offset())),
    }
}

fn assert_same_in_parts(
    path: &Path,
    what: &str,
) -> Result<String, (String, Option<u64>, Option<u64>)> {
    let in_order = outcome(check_file(path, &options(1)));
    let summary_in_order = outcome(summarize_file(path, &options(1)));
    for threads in [2, 3, 4, 7] {
        let in_parts = outcome(check_file(path, &options(threads)));
        assert_eq!(in_parts, in_order, "{what}, {threads} threads");
        let summary_in_parts = outcome(summarize_file(path, &options(threads)));
        assert_eq!(
            summary_in_parts, summary_in_order,
            "stats: {what}, {threads} threads"
        );
    }
    in_order
}

#[test]
fn valid_files_give_the_same_summary_in_parts() {
    let dir = tempfile::tempdir().unwrap();
    let data = checkpoint(600_000, 3);
    let path = write(dir.path(), "x.ckp", &data);
    let summary = assert_same_in_parts(&path, "generated checkpoint").unwrap();
    assert!(summary.contains("trailer: Some"), "{summary}");

    // CRLF line ends from a Windows server.
    let crlf: Vec<u8> = data
        .split_inclusive(|&b| b == b'\n')
        .flat_map(|line| match line.strip_suffix(b"\n") {
            Some(body) => [body, b"\r\n"].concat(),
            None => line.to_vec(),
        })
        .collect();
    let path = write(dir.path(), "crlf.ckp", &crlf);
    assert_same_in_parts(&path, "CRLF").unwrap();

    // A journal (no checkpoint notes) whose last line has no newline.
    let body: Vec<u8> = data
        .split_inclusive(|&b| b == b'\n')
        .filter(|line| !line.starts_with(b"@nx@"))
        .flatten()
        .copied()
        .collect();
    let path = write(dir.path(), "j", &body[..body.len() - 1]);
    assert_same_in_parts(&path, "no final newline").unwrap();
}

#[test]
fn damaged_files_give_the_same_first_error_in_parts() {
    let dir = tempfile::tempdir().unwrap();
    let data = checkpoint(200_000, 11);
    let edits: [(&str, &[u8]); 5] = [
        ("a quote inserted", b"@"),
        ("a stray letter", b"x"),
        ("an empty word", b"  "),
        ("a newline", b"\n"),
        (
            "a quoted newline followed by a marker",
            b"@a\n@pv@ 1 @db.x@ @y@ \n",
        ),
    ];
    let mut errors = 0;
    for step in 0..40u64 {
        // Spread the damage over the file, near and far from the cuts.
        let at = (data.len() as u64 * (2 * step + 1) / 80) as usize;
        for (what, edit) in edits {
            let mut damaged = data[..at].to_vec();
            damaged.extend_from_slice(edit);
            damaged.extend_from_slice(&data[at..]);
            let path = write(dir.path(), "bad.ckp", &damaged);
            if assert_same_in_parts(&path, &format!("{what} at {at}")).is_err() {
                errors += 1;
            }
        }
    }
    // The edits do damage most files: the comparison is not of successes only.
    assert!(
        errors > 100,
        "only {errors} of 200 damaged files failed the check"
    );

    // A checkpoint cut short loses its trailer: the same error in parts,
    // and the same summary (with no trailer) for `stats`.
    let cut = data[..data.len() * 2 / 3]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap();
    let path = write(dir.path(), "short.ckp", &data[..=cut]);
    assert!(assert_same_in_parts(&path, "cut short").is_err());
    let summary = summarize_file(&path, &options(2)).unwrap().summary;
    assert!(summary.header.is_some() && summary.trailer.is_none());
}

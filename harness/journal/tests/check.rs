//! `check_file`: records, trailer note and `.md5` side file, as `p4d -jv` checks them.

use std::fs;
use std::io::Write;
use std::path::Path;

use p4ha_journal::{
    CheckOptions, Digest, ErrorKind, FileKind, Md5File, check_file, checkpoint_file_md5,
    checkpoint_md5,
};

const CHECKPOINT: &[u8] = b"@nx@ 0 1296517759 @30@ 2 0 0 0 0 @/p4root@ @journal@ @@ @@ @@ \n\
@pv@ 1 @db.counters@ @change@ @538@ \n\
@pv@ 0 @db.desc@ 1 @two\nlines@ \n\
@nx@ 1 1296517767 @30@ 0 0 0 0 0 @@ @@ @@ @@ @@ \n";

fn md5_of(bytes: &[u8]) -> Digest {
    checkpoint_md5(bytes).unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_complete_checkpoint_with_matching_md5_passes() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "checkpoint.93", CHECKPOINT);
    Md5File::new("checkpoint.93", md5_of(CHECKPOINT))
        .write(&dir.path().join("checkpoint.93.md5"))
        .unwrap();
    let report = check_file(&path, &CheckOptions::default()).unwrap();
    assert_eq!(report.summary.kind(), FileKind::Checkpoint);
    assert_eq!(report.summary.records, 4);
    let md5 = report.md5.unwrap();
    assert_eq!(md5.digest, md5_of(CHECKPOINT));
    assert_eq!(md5.md5_file, dir.path().join("checkpoint.93.md5"));
    assert_eq!(checkpoint_file_md5(&path).unwrap(), md5_of(CHECKPOINT));
}

#[test]
fn a_digest_mismatch_names_both_digests() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "checkpoint.93", CHECKPOINT);
    let wrong = Digest::new("0123456789ABCDEF0123456789ABCDEF").unwrap();
    write(
        dir.path(),
        "checkpoint.93.md5",
        format!("MD5 (checkpoint.93) = {wrong}\n").as_bytes(),
    );
    let err = check_file(&path, &CheckOptions::default()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Md5Mismatch { .. }));
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}: MD5 mismatch: ", path.display())),
        "{text}"
    );
    assert!(text.contains("0123456789ABCDEF0123456789ABCDEF"), "{text}");
    assert!(text.contains(md5_of(CHECKPOINT).as_str()), "{text}");
    // Skipping the side file makes the same file pass.
    let options = CheckOptions {
        verify_md5: false,
        ..CheckOptions::default()
    };
    assert!(check_file(&path, &options).unwrap().md5.is_none());
}

#[test]
fn gzip_checkpoints_are_checked_against_the_uncompressed_digest() {
    for side_name in ["x.ckp.1.gz.md5", "x.ckp.1.md5"] {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "x.ckp.1.gz", &gzip(CHECKPOINT));
        write(
            dir.path(),
            side_name,
            format!(
                "MD5 (x.ckp.1) = {}\n",
                md5_of(CHECKPOINT).as_str().to_lowercase()
            )
            .as_bytes(),
        );
        let report = check_file(&path, &CheckOptions::default()).unwrap();
        assert!(report.gzip);
        assert_eq!(report.md5.unwrap().md5_file, dir.path().join(side_name));
        assert_eq!(checkpoint_file_md5(&path).unwrap(), md5_of(CHECKPOINT));
    }
}

#[test]
fn a_checkpoint_without_trailer_is_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let trailer_at = CHECKPOINT.windows(6).rposition(|w| w == b"@nx@ 1").unwrap();
    let cut = &CHECKPOINT[..trailer_at];
    let path = write(dir.path(), "checkpoint.9", cut);
    let err = check_file(&path, &CheckOptions::default()).unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::MissingTrailer { header_line: 1 }
    ));
    assert_eq!(
        err.to_string(),
        format!(
            "{}:5: Checkpoint has no trailer note: incomplete checkpoint (header at line 1)",
            path.display()
        )
    );
}

#[test]
fn journals_need_no_trailer() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "journal",
        b"@nx@ 2 1321655625 @31@ 1 0 0 0 0 @/perforce/p4root@ @journal@ @@ @@ @@\n@ex@ 1 2\n",
    );
    let report = check_file(&path, &CheckOptions::default()).unwrap();
    assert_eq!(report.summary.kind(), FileKind::Journal);
    assert!(report.md5.is_none());
}

#[test]
fn a_bad_side_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "checkpoint.93", CHECKPOINT);
    write(
        dir.path(),
        "checkpoint.93.md5",
        b"MD5 (checkpoint.93) = 1234\n",
    );
    let err = check_file(&path, &CheckOptions::default()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::BadMd5File { .. }));
    assert!(
        err.to_string().contains("is not 32 hexadecimal digits"),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let err = check_file(
        Path::new("/nonexistent/checkpoint.1"),
        &CheckOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Io(_)));
    assert!(
        err.to_string()
            .starts_with("/nonexistent/checkpoint.1: Read error: ")
    );
}

#[test]
fn parse_errors_come_first_and_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "checkpoint.2",
        b"@nx@ 0 1 @30@ 2 0 0 0 0 @/r@ @j@ @@ @@ @@\n@pv@ 1 @db.x@ @a@b\n",
    );
    let err = check_file(&path, &CheckOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:2: Bad quoting in journal file at line 2!",
            path.display()
        )
    );
}

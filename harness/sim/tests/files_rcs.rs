//! The librarian's archive formats: RCS `,v` files as p4d writes them
//! (checked against fixtures derived by hand from the RCS file format),
//! full and compressed per-revision files, and a property test that every
//! revision written is read back identically.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use p4ha_hostfs::HostFs;
use p4ha_sim::archive::{FileType, Librarian, RcsArchive, digest};
use proptest::prelude::*;

fn librarian(dir: &Path) -> Librarian {
    let fs = HostFs::sandbox(dir, Arc::new(|| 0)).unwrap();
    Librarian::new(
        fs,
        "/p4root",
        BTreeMap::from([("depot".to_string(), "depot/...".to_string())]),
    )
}

fn host_file(dir: &Path, p: &str) -> Vec<u8> {
    std::fs::read(dir.join(p.trim_start_matches('/'))).unwrap()
}

/// Two revisions of `//depot/a.txt` (changes 1 and 3, 14:00:00 and
/// 14:01:40 JST): the head is stored in full, the older revision as the
/// reverse delta `d2 1` (delete the line "there"), in Perforce's layout.
const TWO_REVISIONS: &str = "head     1.3;
access   ;
symbols  ;
locks    ;comment  @@;


1.3
date     2019.10.18.05.01.40;  author p4;  state Exp;
branches ;
next     1.1;

1.1
date     2019.10.18.05.00.00;  author p4;  state Exp;
branches ;
next     ;


desc
@@


1.3
log
@@
text
@hello
there
world
@


1.1
log
@@
text
@d2 1
@
";

#[test]
fn text_revisions_are_written_as_p4d_writes_rcs_files() {
    let dir = tempfile::tempdir().unwrap();
    let l = librarian(dir.path());
    l.store(
        "//depot/a.txt",
        "1.1",
        FileType::TEXT,
        b"hello\nworld\n",
        1_571_374_800,
    )
    .unwrap();
    l.store(
        "//depot/a.txt",
        "1.3",
        FileType::TEXT,
        b"hello\nthere\nworld\n",
        1_571_374_900,
    )
    .unwrap();
    let written = String::from_utf8(host_file(dir.path(), "/p4root/depot/a.txt,v")).unwrap();
    assert_eq!(written, TWO_REVISIONS);
    assert_eq!(
        l.retrieve("//depot/a.txt", "1.1", FileType::TEXT).unwrap(),
        b"hello\nworld\n"
    );
    assert_eq!(
        l.retrieve("//depot/a.txt", "1.3", FileType::TEXT).unwrap(),
        b"hello\nthere\nworld\n"
    );
}

/// A single revision without a final newline and with `@` in it: the
/// text block doubles the `@` (the layout of a real depot file seen in
/// public notes: `@........hello@@world.com........@`).
#[test]
fn at_signs_are_doubled_and_missing_newlines_kept() {
    let dir = tempfile::tempdir().unwrap();
    let l = librarian(dir.path());
    l.store(
        "//depot/m.txt",
        "1.1",
        FileType::TEXT,
        b"hello@world.com",
        1_605_481_443,
    )
    .unwrap();
    let written = String::from_utf8(host_file(dir.path(), "/p4root/depot/m.txt,v")).unwrap();
    let expected = "head     1.1;
access   ;
symbols  ;
locks    ;comment  @@;


1.1
date     2020.11.15.23.04.03;  author p4;  state Exp;
branches ;
next     ;


desc
@@


1.1
log
@@
text
@hello@@world.com@
";
    assert_eq!(written, expected);
    assert_eq!(
        l.retrieve("//depot/m.txt", "1.1", FileType::TEXT).unwrap(),
        b"hello@world.com"
    );
}

#[test]
fn files_written_by_gnu_rcs_are_read() {
    // The layout GNU `ci` writes (strict locking, a comment leader, an
    // `a` and a `d` command, a log message).
    let gnu = b"head\t1.2;\naccess;\nsymbols;\nlocks; strict;\ncomment\t@# @;\n\n\n1.2\ndate\t2019.10.18.05.01.40;\tauthor root;\tstate Exp;\nbranches;\nnext\t1.1;\n\n1.1\ndate\t2019.10.18.05.00.00;\tauthor root;\tstate Exp;\nbranches;\nnext\t;\n\n\ndesc\n@@\n\n\n1.2\nlog\n@second@\ntext\n@one\nthree\n@\n\n\n1.1\nlog\n@Initial revision\n@\ntext\n@a1 1\ntwo\nd2 1\n@\n";
    let ar = RcsArchive::parse(gnu).unwrap();
    assert!(ar.strict);
    assert_eq!(ar.comment, b"# ");
    assert_eq!(ar.revision_text("1.2").unwrap(), b"one\nthree\n");
    assert_eq!(ar.revision_text("1.1").unwrap(), b"one\ntwo\n");
    assert!(ar.revision_text("1.7").is_err());
    // Re-generated in p4d's layout it still reads the same.
    let again = RcsArchive::parse(&ar.generate()).unwrap();
    assert_eq!(again.trunk_texts().unwrap(), ar.trunk_texts().unwrap());
}

#[test]
fn binary_revisions_are_full_files_or_gzip_files() {
    let dir = tempfile::tempdir().unwrap();
    let l = librarian(dir.path());
    let content = b"\x89PNG\0\0\x01binary";
    l.store("//depot/img.png", "1.4", FileType::BINARY, content, 0)
        .unwrap();
    l.store("//depot/raw.bin", "1.4", FileType::UBINARY, content, 0)
        .unwrap();
    assert_eq!(
        host_file(dir.path(), "/p4root/depot/raw.bin,d/1.4"),
        content
    );
    let gz = host_file(dir.path(), "/p4root/depot/img.png,d/1.4.gz");
    assert_eq!(&gz[..2], b"\x1f\x8b", "gzip magic");
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(plain, content);
    assert_eq!(
        l.retrieve("//depot/img.png", "1.4", FileType::BINARY)
            .unwrap(),
        content
    );
    let ctext = FileType::parse("text+C", FileType::TEXT).unwrap();
    l.store("//depot/c.txt", "1.2", ctext, b"compressed text\n", 0)
        .unwrap();
    assert!(dir.path().join("p4root/depot/c.txt,d/1.2.gz").exists());
    assert_eq!(
        digest(content),
        digest(
            &l.retrieve("//depot/raw.bin", "1.4", FileType::UBINARY)
                .unwrap()
        )
    );
}

#[test]
fn a_damaged_rcs_file_is_damaged_not_missing() {
    let dir = tempfile::tempdir().unwrap();
    let l = librarian(dir.path());
    l.store("//depot/a.txt", "1.1", FileType::TEXT, b"x\n", 0)
        .unwrap();
    std::fs::write(
        dir.path().join("p4root/depot/a.txt,v"),
        b"head 1.1;\ngarbage @unterminated",
    )
    .unwrap();
    let e = l
        .retrieve("//depot/a.txt", "1.1", FileType::TEXT)
        .unwrap_err();
    assert!(!e.is_missing(), "{e}");
    std::fs::remove_file(dir.path().join("p4root/depot/a.txt,v")).unwrap();
    assert!(
        l.retrieve("//depot/a.txt", "1.1", FileType::TEXT)
            .unwrap_err()
            .is_missing()
    );
}

/// Text made of a few distinct lines (so revisions share lines and deltas
/// are non-trivial), with `@`, empty lines and an optional final newline.
fn text() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(
            prop::sample::select(vec!["a", "b", "c@d", "", "@@", "x y", "z"]),
            0..12,
        ),
        any::<bool>(),
    )
        .prop_map(|(lines, final_nl)| {
            let mut s = lines.join("\n");
            if final_nl && !lines.is_empty() {
                s.push('\n');
            }
            s.into_bytes()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_stored_revision_reads_back(texts in prop::collection::vec(text(), 1..7), gaps in prop::collection::vec(1i64..4, 7)) {
        let dir = tempfile::tempdir().unwrap();
        let l = librarian(dir.path());
        let mut change = 0;
        let mut stored = Vec::new();
        for (t, gap) in texts.iter().zip(&gaps) {
            change += gap;
            let rev = format!("1.{change}");
            l.store("//depot/p.txt", &rev, FileType::TEXT, t, 1_571_374_800 + change).unwrap();
            stored.push((rev, t.clone()));
        }
        for (rev, t) in &stored {
            prop_assert_eq!(&l.retrieve("//depot/p.txt", rev, FileType::TEXT).unwrap(), t);
        }
        // The file parses back to itself.
        let bytes = host_file(dir.path(), "/p4root/depot/p.txt,v");
        let ar = RcsArchive::parse(&bytes).unwrap();
        prop_assert_eq!(ar.generate(), bytes);
        prop_assert_eq!(ar.head.clone(), stored.last().map(|s| s.0.clone()));
    }
}

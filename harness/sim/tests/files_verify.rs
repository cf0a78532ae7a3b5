//! `p4 verify` as the recovery chapter uses it: silent with `-q` when the
//! archives match, `MISSING!` for revisions whose archive files are gone
//! (a restore from archives older than the checkpoint), `BAD!` for altered
//! content, and `-u` filling digests that were never recorded.

mod common;

use std::path::Path;

use common::{Out, Rig};
use p4ha_sim::db::{Db, Value};

const P4: &str = "p4 -u super -p master:1666 -c ws -d /ws";

fn p4(rig: &mut Rig, args: &str) -> Out {
    rig.run("wsbox", &format!("{P4} {args}"))
}

fn db(rig: &Rig) -> Db {
    let host = rig.world.host("master").unwrap();
    Db::open(host.fs.clone(), "/master", "2019.1".parse().unwrap(), false)
}

/// A server with three submitted changes: a text file in two revisions
/// and a binary file.
fn populated() -> Rig {
    let mut rig = Rig::new(&[
        ("master", "192.168.56.114", "2019.1"),
        ("wsbox", "192.168.56.120", "2019.1"),
    ]);
    rig.start("master").ok();
    let mut d = db(&rig);
    let t = 1_571_371_200;
    d.put(
        "db.domain",
        vec![
            Value::text("ws"),
            Value::Int(99),
            Value::text(""),
            Value::text("/ws"),
            Value::text(""),
            Value::text(""),
            Value::text("super"),
            Value::Int(t),
            Value::Int(t),
            Value::Int(0),
            Value::text("Created by super.\n"),
            Value::text(""),
            Value::text(""),
            Value::Int(0),
        ],
    )
    .unwrap();
    d.put(
        "db.view",
        vec![
            Value::text("ws"),
            Value::Int(0),
            Value::Int(0),
            Value::text("//ws/..."),
            Value::text("//depot/..."),
        ],
    )
    .unwrap();
    d.take_records();
    d.flush().unwrap();
    let fs = rig.world.host("wsbox").unwrap().fs.clone();
    fs.create_dir_all(Path::new("/ws")).unwrap();
    fs.write(Path::new("/ws/a.txt"), b"a\n").unwrap();
    fs.write(Path::new("/ws/b.bin"), b"\0\x01\x02").unwrap();
    p4(&mut rig, "add a.txt b.bin").ok();
    p4(&mut rig, "submit -d one").ok();
    p4(&mut rig, "edit a.txt").ok();
    fs.write(Path::new("/ws/a.txt"), b"a\nb\n").unwrap();
    p4(&mut rig, "submit -d two").ok();
    rig
}

fn digest(b: &[u8]) -> String {
    p4ha_sim::archive::digest(b)
}

#[test]
fn verify_reports_every_revision_and_is_silent_with_q() {
    let mut rig = populated();
    let out = p4(&mut rig, "verify //...");
    assert_eq!(
        out.ok(),
        format!(
            "//depot/a.txt#2 - edit change 2 (text) {}\n//depot/a.txt#1 - add change 1 (text) {}\n//depot/b.bin#1 - add change 1 (binary) {}\n",
            digest(b"a\nb\n"),
            digest(b"a\n"),
            digest(b"\0\x01\x02")
        )
    );
    let out = p4(&mut rig, "verify -q //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let out = p4(&mut rig, "verify -q //depot/a.txt#1,#1");
    assert_eq!((out.status, out.stdout.as_str()), (0, ""));
    let out = p4(&mut rig, "verify //depot/a.txt#head");
    assert_eq!(
        out.ok(),
        format!(
            "//depot/a.txt#2 - edit change 2 (text) {}\n",
            digest(b"a\nb\n")
        )
    );
    let out = p4(&mut rig, "verify");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        "Usage: verify [ -m maxRevs ] [ -q -s ] [ -t | -u | -v | -z ] [ -X ] [ -U | -S | -A ] [ -b batch ] files...\nMissing/wrong number of arguments.\n"
    );
    assert_eq!(
        p4(&mut rig, "verify -q //depot/none").stderr,
        "//depot/none - no such file(s).\n"
    );
}

#[test]
fn lost_archives_are_missing() {
    let mut rig = populated();
    std::fs::remove_file(rig.path("master", "/master/depot/a.txt,v")).unwrap();
    std::fs::remove_dir_all(rig.path("master", "/master/depot/b.bin,d")).unwrap();
    let out = p4(&mut rig, "verify -q //...");
    assert_eq!(out.status, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        format!(
            "//depot/a.txt#2 - edit change 2 (text) {} MISSING!\n//depot/a.txt#1 - add change 1 (text) {} MISSING!\n//depot/b.bin#1 - add change 1 (binary) {} MISSING!\n",
            digest(b"a\nb\n"),
            digest(b"a\n"),
            digest(b"\0\x01\x02")
        )
    );
}

#[test]
fn archives_older_than_the_database_miss_later_revisions() {
    // An RCS file restored from a backup taken after change 1 only.
    let mut rig = populated();
    let lbr = {
        let host = rig.world.host("master").unwrap();
        p4ha_sim::archive::Librarian::new(
            host.fs.clone(),
            "/master",
            std::collections::BTreeMap::from([("depot".to_string(), "depot/...".to_string())]),
        )
    };
    std::fs::remove_file(rig.path("master", "/master/depot/a.txt,v")).unwrap();
    lbr.store(
        "//depot/a.txt",
        "1.1",
        p4ha_sim::archive::FileType::TEXT,
        b"a\n",
        1_571_371_200,
    )
    .unwrap();
    let out = p4(&mut rig, "verify -q //...");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        format!(
            "//depot/a.txt#2 - edit change 2 (text) {} MISSING!\n",
            digest(b"a\nb\n")
        )
    );
}

#[test]
fn altered_archives_are_bad() {
    let mut rig = populated();
    let gz = rig.path("master", "/master/depot/b.bin,d/1.1.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut enc, b"tampered").unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let out = p4(&mut rig, "verify -q //depot/b.bin");
    assert_eq!(
        (out.status, out.stderr.clone()),
        (
            1,
            format!(
                "//depot/b.bin#1 - add change 1 (binary) {} BAD!\n",
                digest(b"tampered")
            )
        )
    );
    // Damage inside the RCS file: the head text changes, so both
    // revisions rebuilt from it differ from their digests.
    let v = rig.path("master", "/master/depot/a.txt,v");
    let text = std::fs::read_to_string(&v)
        .unwrap()
        .replace("@a\nb\n@", "@a\nB\n@");
    std::fs::write(&v, text).unwrap();
    let out = p4(&mut rig, "verify -q //depot/a.txt");
    assert_eq!(
        (out.status, out.stderr),
        (
            1,
            format!(
                "//depot/a.txt#2 - edit change 2 (text) {} BAD!\n",
                digest(b"a\nB\n")
            )
        )
    );
}

#[test]
fn verify_u_fills_missing_digests_and_journals_them() {
    let mut rig = populated();
    // A revision whose digest was never recorded (as after an import).
    let mut d = db(&rig);
    let mut row = d
        .get("db.rev", &[Value::text("//depot/a.txt"), Value::Int(1)])
        .unwrap()
        .unwrap();
    row[7] = Value::Digest("00000000000000000000000000000000".into());
    row[8] = Value::Int(-1);
    d.put("db.rev", row).unwrap();
    d.take_records();
    d.flush().unwrap();
    let out = p4(&mut rig, "verify -q //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let out = p4(&mut rig, "verify -qu //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let journal = rig.read("master", "/master/journal");
    let last: Vec<&str> = journal.lines().rev().take(2).collect();
    assert!(last[0].starts_with("@ex@ "), "{journal}");
    assert!(
        last[1].starts_with("@rv@ 9 @db.rev@ @//depot/a.txt@ 1 0 0 1 ")
            && last[1].contains(&format!(
                " {} 2 0 0 @//depot/a.txt@ @1.1@ 0 ",
                digest(b"a\n")
            )),
        "{journal}"
    );
    // Nothing left to fill: no new transaction.
    let before = rig.read("master", "/master/journal");
    p4(&mut rig, "verify -qu //...").ok();
    assert_eq!(rig.read("master", "/master/journal"), before);
}

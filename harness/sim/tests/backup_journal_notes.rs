//! Journal notes at work (seed 002): the checkpoint header records the
//! case handling, so a server with the other case handling refuses the
//! checkpoint; a checkpoint from a newer server level is replayed with a
//! notice; stripping the notes with `grep -v '^@nx@'` leaves a replayable
//! file; the trailer proves a checkpoint complete.

mod backup_support;
mod common;

use backup_support::*;
use common::Rig;

/// Seed 002's transcript: `p4d -r /p4root -jr checkpoint.9` by a server
/// using Windows-style case handling, of a checkpoint from a Unix one.
#[test]
fn case_handling_mismatch_fails_at_the_header() {
    let mut rig = Rig::new(&[
        ("master", "192.168.56.114", "2019.1"),
        ("win", "192.168.56.120", "2019.1"),
    ]);
    rig.start("master").ok();
    workload(&rig, "master", "/master");
    rig.run("master", "p4 -u super -p master:1666 counter -f journal 8")
        .ok();
    rig.run("master", "p4d -r /master -jc").ok();
    host(&rig, "win")
        .fs
        .create_dir_all(std::path::Path::new("/p4root"))
        .unwrap();
    copy_between(
        &rig,
        "master",
        "/master/checkpoint.9",
        "win",
        "/p4root/checkpoint.9",
    );

    let out = rig.run("win", "p4d -r /p4root -C1 -jr checkpoint.9");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stdout,
        "Perforce db files in '.' will be created if missing...\nRecovering from checkpoint.9...\n"
    );
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\tJournal file 'checkpoint.9' replay failed at line 1!\n\tBad transaction marker!\n\tCase-handling mismatch: server uses Windows-style (-C1) but journal flags are Unix-style (-C0)!\n"
    );
    // Nothing was created: the administrator can retry with the right -C.
    assert!(db_files(&rig, "win", "/p4root").is_empty());
    let out = rig.run("win", "p4d -r /p4root -C0 -jr checkpoint.9");
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));

    // The other way round: a -C1 database's checkpoint on a Unix server.
    host(&rig, "win")
        .fs
        .create_dir_all(std::path::Path::new("/winroot"))
        .unwrap();
    let header = "@nx@ 0 1571371200 @47@ 3 0 0 0 0 @C:\\p4root@ @journal@ @@ @@ @@ \n@pv@ 1 @db.counters@ @journal@ @1@ \n@nx@ 1 1571371200 @47@ 0 0 0 0 0 @@ @@ @@ @@ @@ \n";
    write_bytes(&rig, "win", "/winroot/checkpoint.1", header.as_bytes());
    let out = rig.run("win", "p4d -r /winroot -jr checkpoint.1");
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\tJournal file 'checkpoint.1' replay failed at line 1!\n\tBad transaction marker!\n\tCase-handling mismatch: server uses Unix-style (-C0) but journal flags are Windows-style (-C1)!\n"
    );
    let out = rig.run("win", "p4d -r /winroot -C1 -jr checkpoint.1");
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    // The database keeps the case handling it was created with.
    let out = rig.run("win", "p4d -r /winroot -C0 -jd -");
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\tBTree Case Order Mismatch! Check p4d -Cx flag usage.\n"
    );
}

/// Seed 002: a checkpoint written by a newer server level is replayed with
/// an informational message (the wording of the 2018.1 and later
/// catalogues, `journal/checkpoint.`; the 2010-era seed ends `journal.`).
#[test]
fn a_newer_server_level_is_noted_and_replayed() {
    let mut rig = Rig::new(&[
        ("new", "192.168.56.114", "2019.2"),
        ("old", "192.168.56.115", "2019.1"),
    ]);
    rig.start("new").ok();
    rig.run("new", "p4 -u super -p new:1666 counter build 7")
        .ok();
    rig.run("new", "p4d -r /new -jc").ok();
    host(&rig, "old")
        .fs
        .create_dir_all(std::path::Path::new("/p4root"))
        .unwrap();
    copy_between(
        &rig,
        "new",
        "/new/checkpoint.1",
        "old",
        "/p4root/checkpoint.1",
    );
    let out = rig.run("old", "p4d -r /p4root -jr checkpoint.1");
    assert_eq!(
        out.stdout,
        "Perforce db files in '.' will be created if missing...\nRecovering from checkpoint.1...\n"
    );
    assert_eq!(
        out.stderr,
        "Perforce server info:\n\tServer version 47 is replaying a version 49 journal/checkpoint.\n"
    );
    assert_eq!(out.status, 0);
    let out = rig.run("old", "p4d -r /p4root -jd - db.counters");
    assert!(
        out.ok().contains("@pv@ 1 @db.counters@ @build@ @7@ \n"),
        "{}",
        out.stdout
    );
    // The same level replays silently.
    host(&rig, "new")
        .fs
        .create_dir_all(std::path::Path::new("/copy"))
        .unwrap();
    let out = rig.run("new", "p4d -r /copy -jr /new/checkpoint.1");
    assert_eq!(out.stderr, "");
}

/// A newer release's record versions cannot be read by an older one.
#[test]
fn unknown_record_versions_stop_the_replay() {
    let mut rig = Rig::new(&[
        ("new", "192.168.56.114", "2023.2"),
        ("old", "192.168.56.115", "2019.1"),
    ]);
    rig.start("new").ok();
    rig.run("new", "p4d -r /new -jc").ok();
    host(&rig, "old")
        .fs
        .create_dir_all(std::path::Path::new("/p4root"))
        .unwrap();
    copy_between(
        &rig,
        "new",
        "/new/checkpoint.1",
        "old",
        "/p4root/checkpoint.1",
    );
    let out = rig.run("old", "p4d -r /p4root -jr checkpoint.1");
    assert_eq!(out.status, 1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines[0], "Perforce server info:");
    assert_eq!(
        lines[1],
        "\tServer version 47 is replaying a version 57 journal/checkpoint."
    );
    assert_eq!(lines[2], "Perforce server error:");
    assert!(
        lines[3].starts_with("\tJournal file 'checkpoint.1' replay failed at line "),
        "{}",
        out.stderr
    );
    assert_eq!(lines[4], "\tRecord version not known in journal record!");
}

/// `grep -v '^@nx@' checkpoint.N > checkpoint.N.new` strips the notes; the
/// result still replays, but no longer proves itself complete.
#[test]
fn stripped_notes_replay_but_do_not_verify() {
    let mut rig = Rig::new(&[("master", "192.168.56.114", "2019.1")]);
    rig.start("master").ok();
    workload(&rig, "master", "/master");
    rig.run("master", "p4d -r /master -jc").ok();
    let text = String::from_utf8(read_bytes(&rig, "master", "/master/checkpoint.1")).unwrap();
    // grep works on lines; the workload's two-line description survives it.
    let stripped: String = text
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("@nx@"))
        .collect();
    write_bytes(
        &rig,
        "master",
        "/master/checkpoint.1.new",
        stripped.as_bytes(),
    );
    let out = rig.run("master", "p4d -r /master -jv checkpoint.1.new");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\tJournal file 'checkpoint.1.new' verification failed at line 1!\n\tMissing journal header note!\n"
    );
    host(&rig, "master")
        .fs
        .create_dir_all(std::path::Path::new("/again"))
        .unwrap();
    let out = rig.run("master", "p4d -r /again -jr /master/checkpoint.1.new");
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    assert_eq!(
        data_lines(&read_bytes(&rig, "master", "/master/checkpoint.1.new")),
        data_lines(text.as_bytes())
    );
}

//! Behaviour the backup and recovery scenarios (08-10, seed 001) rely on:
//! `p4 diff -s<flag>`, which after a restore from an older checkpoint
//! finds the files users submitted after the backup in their workspaces,
//! and `p4 verify -q`'s MISSING lines when the database is newer than the
//! restored versioned files.

mod common;

use std::path::Path;

use common::{Out, Rig};

const P4: &str = "p4 -u super -p master:1666 -c ws -d /ws";

fn rig() -> Rig {
    let mut rig = Rig::new(&[
        ("master", "192.168.60.10", "2019.1"),
        ("wsbox", "192.168.60.30", "2019.1"),
    ]);
    rig.start("master").ok();
    rig.world
        .host("wsbox")
        .unwrap()
        .fs
        .create_dir_all(Path::new("/ws"))
        .unwrap();
    rig.run_with(
        "wsbox",
        "p4 -u super -p master:1666 client -i",
        "Client:\tws\nRoot:\t/ws\nView:\n\t//depot/... //ws/...\n",
    )
    .ok();
    rig
}

fn p4(rig: &mut Rig, args: &str) -> Out {
    rig.run("wsbox", &format!("{P4} {args}"))
}

fn write(rig: &Rig, path: &str, bytes: &[u8]) {
    let fs = &rig.world.host("wsbox").unwrap().fs;
    if fs.exists(Path::new(path)) {
        fs.set_mode(Path::new(path), 0o644).unwrap();
    }
    fs.write(Path::new(path), bytes).unwrap();
}

/// Three files submitted in change 1.
/// Stops the master and removes its `db.*` files: the database is lost.
fn lose_database(rig: &mut Rig) {
    rig.run("master", "p4 -u super -p master:1666 admin stop")
        .ok();
    rig.sleep(1);
    let master = rig.world.host("master").unwrap();
    for f in master.fs.read_dir(Path::new("/master")).unwrap() {
        if f.starts_with("db.") {
            master
                .fs
                .remove_file(&Path::new("/master").join(f))
                .unwrap();
        }
    }
}

fn submitted(rig: &mut Rig) {
    write(rig, "/ws/a.txt", b"alpha\n");
    write(rig, "/ws/b.txt", b"bravo\n");
    write(rig, "/ws/c.txt", b"charlie\n");
    p4(rig, "add a.txt b.txt c.txt").ok();
    p4(rig, "submit -d first").ok();
}

#[test]
fn diff_s_lists_local_names_by_how_they_compare() {
    let mut rig = rig();
    submitted(&mut rig);
    // Nothing differs yet: no output at all.
    let out = p4(&mut rig, "diff -se");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );

    // a.txt changed behind Perforce's back, b.txt deleted from the disk.
    write(&rig, "/ws/a.txt", b"alpha changed\n");
    rig.world
        .host("wsbox")
        .unwrap()
        .fs
        .remove_file(Path::new("/ws/b.txt"))
        .unwrap();
    assert_eq!(p4(&mut rig, "diff -se").ok(), "/ws/a.txt\n");
    assert_eq!(p4(&mut rig, "diff -sd").ok(), "/ws/b.txt\n");
    assert_eq!(
        p4(&mut rig, "diff -sl").ok(),
        "diff /ws/a.txt\nmissing /ws/b.txt\nsame /ws/c.txt\n"
    );
    // File arguments narrow the comparison, in any syntax.
    assert_eq!(
        p4(&mut rig, "diff -se c.txt //depot/a.txt").ok(),
        "/ws/a.txt\n"
    );
    // A revision compares with that revision instead of the have one.
    assert_eq!(p4(&mut rig, "diff -se a.txt#1").ok(), "/ws/a.txt\n");

    // Opened files are left to -sa and -sr.
    p4(&mut rig, "edit a.txt c.txt").ok();
    assert_eq!(p4(&mut rig, "diff -se").ok(), "");
    assert_eq!(p4(&mut rig, "diff -sa").ok(), "/ws/a.txt\n");
    assert_eq!(p4(&mut rig, "diff -sr").ok(), "/ws/c.txt\n");
    write(&rig, "/ws/d.txt", b"delta\n");
    p4(&mut rig, "add d.txt").ok();
    // A file opened for add has no depot revision to be the same as.
    assert_eq!(p4(&mut rig, "diff -sa").ok(), "/ws/a.txt\n/ws/d.txt\n");

    // Arguments that select nothing are warnings, as for other commands.
    let out = p4(&mut rig, "diff -se //depot/nosuch.txt");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "//depot/nosuch.txt - file(s) not on client.\n")
    );
    p4(&mut rig, "revert a.txt c.txt d.txt").ok();
    let out = p4(&mut rig, "diff -sr");
    assert_eq!(out.stderr, "File(s) not opened on this client.\n");

    // Usage errors.
    let out = p4(&mut rig, "diff -sx");
    assert_eq!(out.status, 1);
    assert!(out.stderr.starts_with("Usage: diff "), "{}", out.stderr);
    let out = p4(&mut rig, "diff");
    assert_eq!(out.status, 1);
}

#[test]
fn after_a_restore_from_the_backup_diff_se_finds_the_lost_submits() {
    let mut rig = rig();
    submitted(&mut rig);
    // The nightly backup: checkpoint, and a copy of the versioned files.
    rig.run("master", "p4d -r /master -jc").ok();
    let master = rig.world.host("master").unwrap();
    let archives: Vec<(String, Vec<u8>)> = ["a.txt,v", "b.txt,v", "c.txt,v"]
        .iter()
        .map(|f| {
            let p = format!("/master/depot/{f}");
            (p.clone(), master.fs.read(Path::new(&p)).unwrap())
        })
        .collect();
    // The next day: a.txt edited and e.txt added.
    p4(&mut rig, "edit a.txt").ok();
    write(&rig, "/ws/a.txt", b"alpha 2\n");
    write(&rig, "/ws/e.txt", b"echo\n");
    p4(&mut rig, "add e.txt").ok();
    p4(&mut rig, "submit -d second").ok();

    // Database and versioned files lost; the journal survived.
    lose_database(&mut rig);
    master
        .fs
        .remove_dir_all(Path::new("/master/depot"))
        .unwrap();
    let restore_archives = |rig: &Rig| {
        let fs = &rig.world.host("master").unwrap().fs;
        fs.create_dir_all(Path::new("/master/depot")).unwrap();
        for (p, bytes) in &archives {
            fs.write(Path::new(p), bytes).unwrap();
        }
    };

    // Replaying the journal too makes the database newer than the
    // versioned files: verify reports what they lack.
    rig.run("master", "p4d -r /master -jr checkpoint.1 journal")
        .ok();
    restore_archives(&rig);
    rig.start("master").ok();
    let out = rig.run("master", "p4 -u super -p master:1666 verify -q //...");
    assert_eq!(out.status, 1);
    assert_eq!(out.stdout, "");
    let missing: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(missing.len(), 2, "{}", out.stderr);
    assert!(missing[0].starts_with("//depot/a.txt#2 - edit change 2 (text) "));
    assert!(missing[0].ends_with(" MISSING!"));
    assert!(missing[1].starts_with("//depot/e.txt#1 - add change 2 (text) "));
    assert!(missing[1].ends_with(" MISSING!"));

    // From the checkpoint alone, database and versioned files agree.
    lose_database(&mut rig);
    master.fs.remove_file(Path::new("/master/journal")).unwrap();
    rig.run("master", "p4d -r /master -jr checkpoint.1").ok();
    rig.start("master").ok();
    let out = rig.run("master", "p4 -u super -p master:1666 verify -q //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );

    // The workspace still has the newer a.txt: diff -se lists it. e.txt is
    // not in the restored have list, so diff does not look at it.
    assert_eq!(p4(&mut rig, "diff -se").ok(), "/ws/a.txt\n");
    p4(&mut rig, "edit a.txt").ok();
    p4(&mut rig, "add e.txt").ok();
    let out = p4(&mut rig, "submit -d again");
    assert!(
        out.ok().ends_with("Change 2 submitted.\n"),
        "{}",
        out.stdout
    );
    assert_eq!(p4(&mut rig, "diff -se").ok(), "");
    assert_eq!(
        rig.run(
            "master",
            "p4 -u super -p master:1666 print -q //depot/a.txt"
        )
        .ok(),
        "alpha 2\n"
    );
}

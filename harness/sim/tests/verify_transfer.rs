//! `p4 verify -t` on replicas: revisions whose archive is missing or
//! damaged have their transfer scheduled (`... MISSING! (transfer
//! scheduled)`), and the `pull -u` thread fetches them from the target.
//! The case that matters for the HA runbook (seed 000 sections 3-4): a
//! standby built from a checkpoint alone lacks the archives of every
//! revision in the checkpoint until `p4 verify -t` is run on it. On a
//! server that is not a replica, `-t` is refused.

mod common;
mod failover_support;
mod repl_support;

use std::path::Path;

use failover_support::*;

fn digest(text: &str) -> String {
    p4ha_sim::archive::digest(text.as_bytes())
}

/// The standby of seed 000 sections 1-6 built from the checkpoint only:
/// `a.txt#1` (change 1) is in the checkpoint, `b.txt#1` (change 2) came
/// after it and was fetched by `pull -u`.
fn checkpoint_only() -> common::Rig {
    build(&Setup {
        copy_archives: false,
        ..Setup::default()
    })
}

#[test]
fn archives_of_checkpointed_revisions_are_transferred_by_verify_t() {
    let mut rig = checkpoint_only();
    // The gap: nothing is scheduled, and verify finds a.txt missing.
    let out = p4(&mut rig, "standby", STANDBY, "pull -l");
    assert_eq!(out.ok(), "");
    let out = p4(&mut rig, "standby", STANDBY, "verify -q //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (
            1,
            "",
            format!(
                "//depot/a.txt#1 - add change 1 (text) {} MISSING!\n",
                digest("alpha\n")
            )
            .as_str()
        )
    );

    // verify -t schedules its transfer.
    let out = p4(&mut rig, "standby", STANDBY, "verify -t -q //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (
            1,
            "",
            format!(
                "//depot/a.txt#1 - add change 1 (text) {} MISSING! (transfer scheduled)\n",
                digest("alpha\n")
            )
            .as_str()
        )
    );

    // pull -u fetches it: nothing pending, verify is clean, the archive is
    // in the standby's depot.
    rig.sleep(3);
    let out = p4(&mut rig, "standby", STANDBY, "pull -l");
    assert_eq!(out.ok(), "");
    let out = p4(&mut rig, "standby", STANDBY, "verify -q //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    assert!(
        rig.read("standby", "/standby/depot/a.txt,v")
            .contains("alpha")
    );
    let out = p4(&mut rig, "standby", STANDBY, "print -q //depot/a.txt");
    assert_eq!(out.ok(), "alpha\n");

    // Run again, there is nothing left to schedule.
    let out = p4(&mut rig, "standby", STANDBY, "verify -qt //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );

    // The failover that follows finds nothing missing either.
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert_eq!(out.status, 0, "{}{}", out.stdout, out.stderr);
    assert!(!out.stderr.contains("MISSING!"), "{}", out.stderr);
}

#[test]
fn verify_t_prints_good_revisions_and_marks_the_scheduled_ones() {
    let mut rig = checkpoint_only();
    // A binary revision, transferred, then damaged on the standby.
    submit(&mut rig, "c.bin", "\0\u{1}\u{2}", "binary");
    rig.sleep(3);
    let dir = "/standby/depot/c.bin,d";
    let fs = rig.world.host("standby").unwrap().fs.clone();
    let names = fs.read_dir(Path::new(dir)).unwrap();
    assert_eq!(names.len(), 1, "{names:?}");
    fs.write(Path::new(&format!("{dir}/{}", names[0])), b"not gzip")
        .unwrap();

    let out = p4(&mut rig, "standby", STANDBY, "verify -t //...");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stdout,
        format!(
            "//depot/b.txt#1 - add change 2 (text) {}\n",
            digest("bravo\n")
        )
    );
    assert_eq!(
        out.stderr,
        format!(
            "//depot/a.txt#1 - add change 1 (text) {} MISSING! (transfer scheduled)\n\
             //depot/c.bin#1 - add change 3 (binary) {} BAD! (transfer scheduled)\n",
            digest("alpha\n"),
            digest("\0\u{1}\u{2}")
        )
    );
    rig.sleep(3);
    let out = p4(&mut rig, "standby", STANDBY, "pull -l");
    assert_eq!(out.ok(), "");
    let out = p4(&mut rig, "standby", STANDBY, "verify -q //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let out = p4(&mut rig, "standby", STANDBY, "print -q //depot/c.bin");
    assert_eq!(out.ok(), "\0\u{1}\u{2}");
}

#[test]
fn every_revision_of_a_lost_depot_tree_comes_back() {
    let mut rig = build(&Setup::default());
    submit(&mut rig, "a.txt", "alpha\nagain\n", "second revision");
    rig.sleep(3);
    // The standby loses its whole depot tree.
    rig.world
        .host("standby")
        .unwrap()
        .fs
        .remove_dir_all(Path::new("/standby/depot"))
        .unwrap();
    let out = p4(&mut rig, "standby", STANDBY, "verify -q -t //...");
    assert_eq!(out.status, 1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stderr);
    for (rev, what) in [
        ("a.txt#2", "edit change 3"),
        ("a.txt#1", "add change 1"),
        ("b.txt#1", "add change 2"),
    ] {
        let prefix = format!("//depot/{rev} - {what} (text) ");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&prefix) && l.ends_with(" MISSING! (transfer scheduled)")),
            "{prefix}:\n{}",
            out.stderr
        );
    }
    rig.sleep(3);
    let out = p4(&mut rig, "standby", STANDBY, "verify -q //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let out = p4(&mut rig, "standby", STANDBY, "print -q //depot/a.txt#1");
    assert_eq!(out.ok(), "alpha\n");
    let out = p4(&mut rig, "standby", STANDBY, "print -q //depot/a.txt#2");
    assert_eq!(out.ok(), "alpha\nagain\n");
}

#[test]
fn an_edge_server_schedules_transfers_too() {
    let mut rig = build(&Setup {
        edge: true,
        copy_archives: false,
        ..Setup::default()
    });
    let out = p4(&mut rig, "edge1", EDGE, "verify -q -t //depot/a.txt");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            1,
            format!(
                "//depot/a.txt#1 - add change 1 (text) {} MISSING! (transfer scheduled)\n",
                digest("alpha\n")
            )
            .as_str()
        )
    );
    rig.sleep(3);
    let out = p4(&mut rig, "edge1", EDGE, "verify -q //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn verify_t_is_refused_on_a_server_that_is_not_a_replica() {
    let mut rig = checkpoint_only();
    let out = p4(&mut rig, "master", MASTER, "verify -t -q //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (1, "", "Verify -t only allowed on replica servers.\n")
    );
    // Nothing was scheduled anywhere, and plain verify still works there.
    assert!(
        !rig.world
            .host("master")
            .unwrap()
            .fs
            .exists(Path::new("/master/rdb.lbr"))
    );
    let out = p4(&mut rig, "master", MASTER, "verify -q //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn verify_t_excludes_u_and_v() {
    let mut rig = checkpoint_only();
    for flags in ["-t -u", "-t -v"] {
        let out = p4(
            &mut rig,
            "standby",
            STANDBY,
            &format!("verify {flags} //..."),
        );
        assert_eq!(out.status, 1, "{flags}");
        assert!(
            out.stderr.starts_with("Usage: verify "),
            "{flags}: {}",
            out.stderr
        );
    }
    // -t goes with -z (2018.2 and later).
    let out = p4(&mut rig, "standby", STANDBY, "verify -qzt //...");
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.ends_with("MISSING! (transfer scheduled)\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn verify_t_retries_a_transfer_that_failed() {
    let mut rig = checkpoint_only();
    // The master has lost the archive too: the transfer fails.
    let master_fs = rig.world.host("master").unwrap().fs.clone();
    let archive = Path::new("/master/depot/a.txt,v");
    let saved = master_fs.read(archive).unwrap();
    master_fs.remove_file(archive).unwrap();
    let out = p4(&mut rig, "standby", STANDBY, "verify -t -q //...");
    assert!(
        out.stderr.ends_with("MISSING! (transfer scheduled)\n"),
        "{}",
        out.stderr
    );
    rig.sleep(3);
    let out = p4(&mut rig, "standby", STANDBY, "pull -l");
    assert!(
        out.ok().starts_with("//depot/a.txt 1.1 text failed 0 "),
        "{}",
        out.stdout
    );

    // Once the master has it again, verify -t schedules it anew.
    master_fs.write(archive, &saved).unwrap();
    let out = p4(&mut rig, "standby", STANDBY, "verify -t -q //...");
    assert!(
        out.stderr.ends_with("MISSING! (transfer scheduled)\n"),
        "{}",
        out.stderr
    );
    rig.sleep(3);
    let out = p4(&mut rig, "standby", STANDBY, "pull -l");
    assert_eq!(out.ok(), "");
    let out = p4(&mut rig, "standby", STANDBY, "verify -q //...");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
}

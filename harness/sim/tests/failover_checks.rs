//! The checks `p4 failover` makes, each triggered by the situation that
//! causes it: where it runs, its options, the master's identity, the
//! threads it needs, archive content not transferred, and the journal it
//! must move into place.

mod common;
mod failover_support;
mod repl_support;

use std::path::Path;

use failover_support::*;

const NEED_Y: &str = "After addressing any reported issues that might prevent failover, use --yes or -y to execute the failover.\n";

fn transcript(out: &common::Out) -> (&str, &str, i32) {
    (out.stdout.as_str(), out.stderr.as_str(), out.status)
}

#[test]
fn only_a_standby_fails_over_and_the_options_are_checked() {
    let mut rig = build(&Setup {
        edge: true,
        ..Setup::default()
    });
    for (host, address) in [("master", MASTER), ("edge1", EDGE)] {
        let out = p4(&mut rig, host, address, "failover");
        assert_eq!(
            transcript(&out),
            (
                "",
                "Failover command only available from standby server.\n",
                1
            )
        );
    }
    let out = p4(&mut rig, "standby", STANDBY, "failover -i -m");
    assert_eq!(
        transcript(&out),
        (
            "",
            "Invalid option supplied: cannot use -i (ignore master) and -m (require master) together.\n",
            1
        )
    );
    let out = p4(&mut rig, "standby", STANDBY, "failover -x");
    assert_eq!(
        transcript(&out),
        (
            "",
            "Usage: failover [ -y ] [ -m | [ -i ] [ -s <server ID> ] ] [ -w <quiesce wait> ] [ -v <verification time> ] [ <failover message> ]\nInvalid option: -x.\n",
            1
        )
    );
    // Only super users may fail over.
    let out = rig.run("standby", &format!("p4 -u service -p {STANDBY} failover"));
    assert_eq!(out.status, 1);
}

#[test]
fn the_masters_identity_is_checked() {
    let mut rig = build(&Setup::default());
    let out = p4(&mut rig, "standby", STANDBY, "failover -s main");
    assert_eq!(
        transcript(&out),
        (
            "",
            "ID on the server from which failover is occurring is 'master', which differs from 'main' specified in the '-s' or '--serverid' argument.\n",
            1
        )
    );
    // A master without a server ID cannot hand its identity over.
    rig.world
        .host("master")
        .unwrap()
        .fs
        .remove_file(Path::new("/master/server.id"))
        .unwrap();
    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    assert_eq!(
        transcript(&out),
        (
            "",
            "No server ID obtained for the server from which failover is occurring.\n",
            1
        )
    );
    // Nothing was done: the master still takes commands.
    p4(&mut rig, "master", MASTER, "counter still 1").ok();
}

#[test]
fn ignoring_a_master_that_answers_warns_of_a_split_brain() {
    let mut rig = build(&Setup::default());
    let out = p4(&mut rig, "standby", STANDBY, "failover -i -s master");
    assert_eq!(
        transcript(&out),
        (
            "Checking if failover might be possible ...\nChecking for archive file content not transferred ...\nVerifying content of recently updated archive files ...\n",
            "Server from which failover is to occur is to be ignored (-i or --ignore-master), but that server is still accessible. This could result in the dangerous configuration of two servers, each unaware of the other, processing divergent data.\nAfter addressing any reported issues that might prevent failover, use --yes or -y to execute the failover.\n",
            0
        )
    );
    // Carried out, it leaves two masters.
    let out = p4(&mut rig, "standby", STANDBY, "failover -i -s master -y");
    assert_eq!(out.status, 0, "{}", out.stderr);
    rig.sleep(1);
    p4(&mut rig, "master", MASTER, "counter split 1").ok();
    let out = p4(&mut rig, "standby", STANDBY, "serverid");
    assert_eq!(out.ok(), "Server ID: master\n");
}

#[test]
fn a_required_thread_that_is_not_running() {
    let mut rig = build(&Setup::default());
    p4(
        &mut rig,
        "master",
        "master:1666",
        "configure unset standby#startup.1",
    )
    .ok();
    rig.sleep(2);
    p4(&mut rig, "standby", STANDBY, "admin restart").ok();
    rig.sleep(2);
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert_eq!(
        transcript(&out),
        (
            "Checking if failover might be possible ...\nChecking for archive file content not transferred ...\nVerifying content of recently updated archive files ...\n",
            &*format!("This failover requires that 'journalcopy' must be running.\n{NEED_Y}"),
            1
        )
    );
    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    assert_eq!(
        transcript(&out),
        (
            "Starting failover process ...\n",
            "This failover requires that 'journalcopy' must be running.\nFailover was not successful.\n",
            1
        )
    );
    p4(&mut rig, "master", MASTER, "counter untouched 1").ok();
}

#[test]
fn archive_content_not_transferred() {
    // No pull -u: the content submitted after the checkpoint waits.
    let mut rig = build(&Setup {
        pull_u: false,
        ..Setup::default()
    });
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    assert_eq!(
        lines[1],
        "Checking for archive file content not transferred ..."
    );
    assert!(
        lines[2].starts_with("//depot/b.txt 1.2 text new 0 2019/10/18 13:0"),
        "{}",
        out.stdout
    );
    assert_eq!(
        lines[3],
        "Verifying content of recently updated archive files ..."
    );
    assert_eq!(
        out.stderr,
        format!(
            "The above listed archive file content transfers are pending. Pending transfers might be completed by a 'pull -u' in this standby server.\n{NEED_Y}"
        )
    );
    assert_eq!(out.status, 0);
    // `p4 pull -u` completes them.
    p4(&mut rig, "standby", STANDBY, "pull -u").ok();
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert_eq!(transcript(&out).1, NEED_Y);

    // Content the master cannot give is reported as not transferred.
    submit(&mut rig, "d.txt", "delta\n", "lost");
    let h = rig.world.host("master").unwrap();
    let archive = h.fs.read_dir(Path::new("/master/depot")).unwrap();
    assert!(
        archive.iter().any(|n| n.starts_with("d.txt")),
        "{archive:?}"
    );
    for n in archive.iter().filter(|n| n.starts_with("d.txt")) {
        h.fs.remove_file(&Path::new("/master/depot").join(n))
            .unwrap();
    }
    rig.sleep(3);
    p4(&mut rig, "standby", STANDBY, "pull -u").ok();
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("//depot/d.txt 1.3 text failed 0 ")),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stderr,
        format!(
            "The above listed archive file content was not transferred. Obtain from another server the content that was not transferred, and/or use 'p4 pull -d' to cancel a transfer.\n{NEED_Y}"
        )
    );
    assert_eq!(out.status, 1);
}

#[test]
fn recently_updated_content_that_is_missing() {
    let mut rig = build(&Setup::default());
    submit(&mut rig, "e.txt", "echo\n", "recent");
    rig.sleep(3);
    let h = rig.world.host("standby").unwrap();
    for n in
        h.fs.read_dir(Path::new("/standby/depot"))
            .unwrap()
            .iter()
            .filter(|n| n.starts_with("e.txt"))
    {
        h.fs.remove_file(&Path::new("/standby/depot").join(n))
            .unwrap();
    }
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert_eq!(out.status, 1);
    let first = out.stderr.lines().next().unwrap();
    assert!(
        first.starts_with("//depot/e.txt#1 - add change 3 (text) "),
        "{}",
        out.stderr
    );
    assert!(first.ends_with(" MISSING!"), "{}", out.stderr);
    // Outside the verification window it goes unnoticed.
    let out = p4(&mut rig, "standby", STANDBY, "failover -v 0");
    assert_eq!(transcript(&out).1, NEED_Y);
}

#[test]
fn a_numbered_journalcopy_is_moved_into_place() {
    let mut rig = build(&Setup {
        location_live: false,
        ..Setup::default()
    });
    let copy = rig.read("standby", "/standby/journal.1");
    assert_eq!(
        copy.as_bytes(),
        std::fs::read(rig.path("master", "/master/journal")).unwrap()
    );
    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    assert_eq!(out.status, 0, "{}", out.stderr);
    rig.sleep(1);
    assert!(
        !rig.world
            .host("standby")
            .unwrap()
            .fs
            .exists(Path::new("/standby/journal.1"))
    );
    assert!(rig.read("standby", "/standby/journal").starts_with(&copy));
    p4(&mut rig, "standby", STANDBY, "counter moved 1").ok();
    assert!(
        rig.read("standby", "/standby/journal")
            .contains("@moved@ @1@")
    );
}

#[test]
fn a_journal_in_the_way_or_a_journalcopy_missing() {
    let mut rig = build(&Setup {
        location_live: false,
        ..Setup::default()
    });
    write(&rig, "standby", "/standby/journal", "@ex@ 1 1571371200\n");
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        format!("Journal '/standby/journal' exists and unexpectedly not empty.\n{NEED_Y}")
    );
    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    assert_eq!(
        transcript(&out),
        (
            "Starting failover process ...\n",
            "Journal '/standby/journal' exists and unexpectedly not empty.\nFailover was not successful.\n",
            1
        )
    );
    let h = rig.world.host("standby").unwrap();
    h.fs.remove_file(Path::new("/standby/journal")).unwrap();
    // The copy is lost (journalcopy writes it again on its next change).
    h.fs.remove_file(Path::new("/standby/journal.1")).unwrap();
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert_eq!(
        out.stderr,
        format!("Journalcopy '/standby/journal.1' does not exist.\n{NEED_Y}")
    );
    // The master was never disturbed.
    p4(&mut rig, "master", MASTER, "counter untouched 1").ok();
}

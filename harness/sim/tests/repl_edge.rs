//! An edge server following its commit server (`pull -i 1`, `pull -u -i
//! 1`), keeping its own journal, forwarding what must go to the commit
//! server; and seed 000 section 9: the edge's error when its P4TARGET is
//! gone, `p4d "-cset edge1#P4TARGET=..."`, `-cshow`, and catching up.

mod common;
mod repl_support;

use p4ha_sim::db::Value;
use p4ha_sim::net::BlockMode;
use repl_support::*;

fn counter(rig: &common::Rig, host: &str, root: &str, name: &str) -> Option<String> {
    db(rig, host, root)
        .get("db.counters", &[Value::text(name)])
        .unwrap()
        .map(|r| r[1].as_str().into_owned())
}

fn build() -> common::Rig {
    let mut rig = common::Rig::new(&[
        ("master", "192.168.56.114", "2019.1"),
        ("edge1", "192.168.56.120", "2019.1"),
    ]);
    start_master(&mut rig, &[("edge1", "edge-server", false)]);
    configure_replica(
        &mut rig,
        "edge1",
        "edge1",
        &[],
        &["pull -i 1", "pull -u -i 1"],
    );
    seed_replica(&mut rig, "edge1", "edge1");
    rig
}

#[test]
fn an_edge_follows_its_commit_server_and_keeps_its_own_journal() {
    let mut rig = build();
    rig.run("master", "p4 -u super -p master:1666 counter build 42")
        .ok();
    rig.sleep(3);
    assert_eq!(
        counter(&rig, "edge1", "/edge1", "build").as_deref(),
        Some("42")
    );
    let out = rig.run("edge1", "p4 -u super -p edge1:1666 pull -lj");
    let (replica, master) = lj_positions(out.ok()).unwrap();
    assert_eq!(replica, master, "{}", out.stdout);
    // The edge journals what it applied, with its own markers.
    let journal = rig.read("edge1", "/edge1/journal");
    assert!(
        journal
            .lines()
            .any(|l| l == "@pv@ 1 @db.counters@ @build@ @42@ "),
        "{journal}"
    );
    assert_ne!(journal, rig.read("master", "/master/journal"));

    // A command that changes replicated data is forwarded to the commit
    // server, and comes back through replication.
    let out = rig.run("edge1", "p4 -u super -p edge1:1666 counter release 7");
    assert_eq!(out.ok(), "Counter release set.\n");
    assert!(
        rig.read("master", "/master/journal")
            .contains("@release@ @7@")
    );
    rig.sleep(3);
    assert_eq!(
        counter(&rig, "edge1", "/edge1", "release").as_deref(),
        Some("7")
    );
}

#[test]
fn an_edge_reports_its_lost_target_and_catches_up_after_a_retarget() {
    let mut rig = build();
    rig.sleep(2);
    // The commit server goes away (as after a failover to another machine).
    rig.run("master", "p4 -u super -p master:1666 admin stop")
        .ok();
    rig.sleep(1);
    let out = rig.run("edge1", "p4 -u super -p edge1:1666 pull -lj");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        "Replica access to P4TARGET server failed.\n\
         Remote server refused request. Please verify that service user is correctly logged in to remote server, then retry.\n\
         TCP connect to master:1666 failed.\n\
         connect: 192.168.56.114:1666: Connection refused\n"
    );
    // The same question when the machine is firewalled, or silent.
    rig.world
        .firewall("master", 1666, Some(BlockMode::Reject))
        .unwrap();
    let out = rig.run("edge1", "p4 -u super -p edge1:1666 pull -lj");
    assert!(
        out.stderr.ends_with(
            "TCP connect to master:1666 failed.\nconnect: 192.168.56.114:1666: No route to host\n"
        ),
        "{}",
        out.stderr
    );
    rig.world
        .firewall("master", 1666, Some(BlockMode::Drop))
        .unwrap();
    let out = rig.run("edge1", "p4 -u super -p edge1:1666 pull -lj");
    assert!(out.stderr.ends_with("TCP connect to master:1666 failed.\nconnect: 192.168.56.114:1666: Connection timed out\n"), "{}", out.stderr);
    rig.world.firewall("master", 1666, None).unwrap();
    // It comes back at another address, and more work is done there.
    rig.run("master", "p4d -r /master -p 18800 -d").ok();
    for i in 0..5 {
        rig.run(
            "master",
            &format!("p4 -u super -p master:18800 counter moved{i} {i}"),
        )
        .ok();
    }
    let out = rig.run(
        "edge1",
        "p4d -r /edge1 \"-cset edge1#P4TARGET=192.168.56.114:18800\"",
    );
    out.ok();
    let out = rig.run("edge1", "p4d -r /edge1 -cshow");
    assert!(
        out.ok()
            .lines()
            .any(|l| l == "edge1: P4TARGET = 192.168.56.114:18800"),
        "{}",
        out.stdout
    );
    // The service user has no ticket for the new address yet.
    let out = rig.run("edge1", "p4 -u super -p edge1:1666 pull -lj");
    assert_eq!(out.status, 1);
    assert!(out.stderr.starts_with("Perforce password (P4PASSWD) invalid or unset.\nPerforce password (P4PASSWD) invalid or unset.\n"), "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Current master journal state is:\tJournal 0,\tSequence -1.\n"),
        "{}",
        out.stdout
    );
    login_service(&mut rig, "edge1", "edge1", "192.168.56.114:18800");
    // The pull thread retries after its `-b` wait (60 seconds by default),
    // once the attempt that hung on the silent firewall (127 seconds) has
    // ended.
    rig.sleep(190);
    let out = rig.run("edge1", "p4 -u super -p edge1:1666 pull -lj");
    let (replica, master) = lj_positions(out.ok()).unwrap();
    assert_eq!(replica, master, "{}", out.stdout);
    assert_eq!(
        counter(&rig, "edge1", "/edge1", "moved4").as_deref(),
        Some("4")
    );
}

#[test]
fn replica_commands_check_where_they_run() {
    let mut rig = build();
    rig.sleep(2);
    let out = rig.run("master", "p4 -u super -p master:1666 pull -lj");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (1, "Pull only allowed on replica servers.\n")
    );
    let out = rig.run("edge1", "p4 -u super -p edge1:1666 journalcopy -l");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (1, "This command must be used with a standby replica.\n")
    );
    let out = rig.run("edge1", "p4 -u super -p edge1:1666 pull -x");
    assert_eq!(out.status, 1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(lines.contains(&"Invalid option: -x."), "{}", out.stderr);
    assert!(
        lines.contains(&"Usage: pull [ -u | -l [ -s | -j ] | -d -f file -r rev ] [ -J prefix -P filterpattern -T tableexcludelist ] [ -i <N> ] [ -L ]"),
        "{}",
        out.stderr
    );
    let out = rig.run("edge1", "p4 -u super -p edge1:1666 pull -i 1");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (1, "A pull command is already running in this server.\n")
    );
    // The tagged form p4prometheus reads.
    let out = rig.run("edge1", "p4 -u super -p edge1:1666 -ztag pull -ljv");
    let fields: Vec<&str> = out
        .ok()
        .lines()
        .filter_map(|l| l.strip_prefix("... "))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "replicaJournalCounter",
            "replicaJournalNumber",
            "replicaJournalSequence",
            "replicaStatefileModified",
            "replicaTime",
            "masterJournalNumber",
            "masterJournalSequence",
            "masterJournalNumberLEOF",
            "masterJournalSequenceLEOF",
            "journalBytesBehind",
            "journalRotationsBehind"
        ]
    );
    assert!(
        out.stdout.contains("... journalBytesBehind 0\n"),
        "{}",
        out.stdout
    );
}

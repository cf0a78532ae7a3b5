//! A journal rotation on the master followed through by a standby (the
//! finished copy becomes `journal.N`, the copy goes on in journal N+1) and
//! by a replica (its own journal rotates in step); and archive content
//! transferred by `pull -u`, its queue shown by `pull -ls` and `pull -l`.

mod common;
mod repl_support;

use std::path::Path;

use repl_support::*;

const WS: &str = "p4 -u super -p master:1666 -c ws -d /ws";

fn journal_counter(rig: &common::Rig, host: &str, root: &str) -> i64 {
    db(rig, host, root)
        .get("db.counters", &[p4ha_sim::db::Value::text("journal")])
        .unwrap()
        .map(|r| r[1].as_int())
        .unwrap_or(0)
}

fn write(rig: &common::Rig, path: &str, text: &str) {
    let fs = &rig.world.host("master").unwrap().fs;
    if fs.exists(Path::new(path)) {
        fs.set_mode(Path::new(path), 0o644).unwrap();
    }
    fs.write(Path::new(path), text.as_bytes()).unwrap();
}

#[test]
fn rotations_and_archives_are_followed_through() {
    let mut rig = common::Rig::new(&[
        ("master", "192.168.56.114", "2019.1"),
        ("standby", "192.168.56.115", "2019.1"),
        ("replica1", "192.168.56.116", "2019.1"),
    ]);
    start_master(
        &mut rig,
        &[
            ("standby", "standby", false),
            ("replica1", "replica", false),
        ],
    );
    configure_replica(
        &mut rig,
        "standby",
        "standby",
        &["lbr.replication=readonly", "rpl.journalcopy.location=1"],
        &["journalcopy -i 1", "pull -L -i 1", "pull -u -i 1"],
    );
    // No pull -u thread: its transfers wait for a `p4 pull -u`.
    configure_replica(
        &mut rig,
        "replica1",
        "replica1",
        &["lbr.replication=readonly"],
        &["pull -i 1"],
    );
    seed_replica(&mut rig, "standby", "standby");
    seed_replica(&mut rig, "replica1", "replica1");

    // Work with archive content.
    rig.world
        .host("master")
        .unwrap()
        .fs
        .create_dir_all(Path::new("/ws"))
        .unwrap();
    rig.run_with(
        "master",
        &format!("{WS} client -i"),
        "Client:\tws\nRoot:\t/ws\nView:\n\t//depot/... //ws/...\n",
    )
    .ok();
    write(&rig, "/ws/a.txt", "alpha\n");
    write(&rig, "/ws/b.bin", "bravo\n");
    rig.run("master", &format!("{WS} add a.txt b.bin")).ok();
    rig.run("master", &format!("{WS} submit -d first")).ok();
    rig.run("master", &format!("{WS} edit a.txt")).ok();
    write(&rig, "/ws/a.txt", "alpha 2\n");
    rig.run("master", &format!("{WS} submit -d second")).ok();
    rig.sleep(3);

    // The standby's pull -u fetched every revision.
    let out = rig.run("standby", "p4 -u super -p standby:1666 pull -ls");
    assert_eq!(
        out.ok(),
        "File transfers: 0 active/0 total, bytes: 0 active/0 total.\n"
    );
    let print = rig.run(
        "standby",
        "p4 -u super -p standby:1666 print -q //depot/a.txt#1",
    );
    assert_eq!(print.ok(), "alpha\n");
    // The replica's transfers wait.
    let out = rig.run("replica1", "p4 -u super -p replica1:1666 pull -ls");
    assert_eq!(
        out.ok(),
        "File transfers: 0 active/3 total, bytes: 0 active/20 total.\nOldest change with at least one pending file transfer: 1.\n"
    );
    let out = rig.run("replica1", "p4 -u super -p replica1:1666 pull -l");
    let lines: Vec<&str> = out.ok().lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(
        lines[0].starts_with("//depot/a.txt 1.1 text new 0 2019/10/18 13:0"),
        "{}",
        out.stdout
    );
    rig.run("replica1", "p4 -u super -p replica1:1666 pull -u")
        .ok();
    let out = rig.run("replica1", "p4 -u super -p replica1:1666 pull -ls");
    assert_eq!(
        out.ok(),
        "File transfers: 0 active/0 total, bytes: 0 active/0 total.\n"
    );
    let print = rig.run(
        "replica1",
        "p4 -u super -p replica1:1666 print -q //depot/a.txt#2",
    );
    assert_eq!(print.ok(), "alpha 2\n");

    // The master rotates its journal; work goes on in the next one.
    let n = journal_counter(&rig, "master", "/master");
    let out = rig.run("master", "p4 -u super -p master:1666 admin journal");
    assert_eq!(out.ok(), format!("Rotating journal to journal.{n}...\n"));
    for i in 0..3 {
        rig.run(
            "master",
            &format!("p4 -u super -p master:1666 counter next{i} {i}"),
        )
        .ok();
    }
    rig.sleep(3);

    // The standby: journal N complete under its numbered name, the copy
    // of N+1 at its P4JOURNAL, both identical to the master's.
    assert_eq!(
        std::fs::read(rig.path("standby", &format!("/standby/journal.{n}"))).unwrap(),
        std::fs::read(rig.path("master", &format!("/master/journal.{n}"))).unwrap()
    );
    assert_eq!(
        std::fs::read(rig.path("standby", "/standby/journal")).unwrap(),
        std::fs::read(rig.path("master", "/master/journal")).unwrap()
    );
    for host in ["standby", "replica1"] {
        let out = rig.run(host, &format!("p4 -u super -p {host}:1666 pull -lj"));
        let (replica, master) = lj_positions(out.ok()).unwrap();
        assert_eq!(replica, master, "{host}: {}", out.stdout);
        assert_eq!(master.0, n + 1, "{host}: {}", out.stdout);
    }
    // The replica rotated its own journal with the master's: journal N
    // ends with a journal trailer note, the new one holds the new work.
    let rotated = rig.read("replica1", &format!("/replica1/journal.{n}"));
    assert!(
        rotated.lines().last().unwrap().starts_with("@nx@ 3 "),
        "{rotated}"
    );
    let live = rig.read("replica1", "/replica1/journal");
    assert!(live.contains("@next2@ @2@"), "{live}");
    assert!(!live.contains("@next2@") || !rotated.contains("@next2@"));
}

#[test]
fn a_replica_cannot_follow_a_compressed_rotated_journal() {
    let mut rig = common::Rig::new(&[
        ("master", "192.168.56.114", "2019.1"),
        ("replica1", "192.168.56.116", "2019.1"),
    ]);
    start_master(&mut rig, &[("replica1", "replica", false)]);
    // No startup threads: `p4 pull` runs one cycle at a time.
    configure_replica(&mut rig, "replica1", "replica1", &[], &[]);
    seed_replica(&mut rig, "replica1", "replica1");
    rig.run("master", "p4 -u super -p master:1666 counter a 1")
        .ok();
    let out = rig.run("replica1", "p4 -u super -p replica1:1666 pull");
    assert_eq!(out.ok(), "");
    let out = rig.run("replica1", "p4 -u super -p replica1:1666 pull -lj");
    let (replica, master) = lj_positions(out.ok()).unwrap();
    assert_eq!(replica, master, "{}", out.stdout);

    // Rotated with -z, journal N reaches the replica only uncompressed.
    rig.run("master", "p4 -u super -p master:1666 counter b 2")
        .ok();
    let n = master.0;
    let out = rig.run("master", "p4 -u super -p master:1666 admin journal -z");
    assert_eq!(out.ok(), format!("Rotating journal to journal.{n}.gz...\n"));
    let out = rig.run("replica1", "p4 -u super -p replica1:1666 pull");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (1, format!("Journal {n} is not available\n").as_str())
    );
    let out = rig.run("replica1", "p4 -u super -p replica1:1666 pull -lj");
    let (replica, master) = lj_positions(out.ok()).unwrap();
    assert_eq!((replica.0, master.0), (n, n + 1), "{}", out.stdout);
}

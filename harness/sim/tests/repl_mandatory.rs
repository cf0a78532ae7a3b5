//! A mandatory standby holds the other replicas back: while it is cut off
//! from the master, a replica gets no journal data beyond what the standby
//! has persisted (the LEOF), and says why; once the standby is back, both
//! catch up.

mod common;
mod repl_support;

use p4ha_sim::net::BlockMode;
use repl_support::*;

#[test]
fn a_partitioned_mandatory_standby_holds_replicas_at_the_leof() {
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
        &[],
        &["journalcopy -i 1", "pull -L -i 1"],
    );
    configure_replica(&mut rig, "replica1", "replica1", &[], &["pull -i 1"]);
    seed_replica(&mut rig, "standby", "standby");
    seed_replica(&mut rig, "replica1", "replica1");
    rig.sleep(3);
    set_mandatory(&mut rig, "standby", true);
    rig.run("master", "p4 -u super -p master:1666 counter a 1")
        .ok();
    rig.sleep(3);
    let lj = |rig: &mut common::Rig, host: &str| {
        let out = rig.run(host, &format!("p4 -u super -p {host}:1666 pull -lj"));
        (
            lj_positions(&out.stdout).unwrap_or_else(|| panic!("{}{}", out.stdout, out.stderr)),
            out,
        )
    };
    let ((replica, master), out) = lj(&mut rig, "replica1");
    assert_eq!(replica, master, "{}", out.stdout);
    assert_eq!(out.stderr, "");

    // The standby is cut off; the master keeps committing.
    rig.world
        .partition("standby", "master", BlockMode::Reject)
        .unwrap();
    rig.sleep(2);
    let out = rig.run("standby", "p4 -u super -p standby:1666 journalcopy -l");
    let held = jcopy_position(out.ok()).unwrap();
    for i in 0..5 {
        rig.run(
            "master",
            &format!("p4 -u super -p master:1666 counter b{i} {i}"),
        )
        .ok();
    }
    rig.sleep(40);
    let ((replica, master), out) = lj(&mut rig, "replica1");
    assert!(replica < master, "{}", out.stdout);
    assert_eq!(
        replica, held,
        "the replica stops where the standby stopped\n{}",
        out.stdout
    );
    assert_eq!(out.status, 0);
    assert_eq!(
        out.stderr,
        "Replication to this server is stalled because one or more mandatory standby servers of this server's upstream server are not alive.\n"
    );

    // The standby comes back (its journalcopy retries after 60 seconds).
    rig.world.heal("standby", "master").unwrap();
    rig.sleep(65);
    for host in ["standby", "replica1"] {
        let ((replica, master), out) = lj(&mut rig, host);
        assert_eq!(replica, master, "{host}: {}", out.stdout);
        assert_eq!(out.stderr, "", "{host}");
    }
}

#[test]
fn long_poll_threads_show_their_flags_and_keep_up() {
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
        &[],
        &["journalcopy -i 0", "pull -L -i 0"],
    );
    configure_replica(&mut rig, "replica1", "replica1", &[], &["pull -i 0"]);
    seed_replica(&mut rig, "standby", "standby");
    seed_replica(&mut rig, "replica1", "replica1");
    rig.sleep(1);
    rig.run("master", "p4 -u super -p master:1666 counter a 1")
        .ok();
    rig.sleep(1);
    let out = rig.run("master", "p4 -u super -p master:1666 servers -J");
    let rows: Vec<&str> = out.ok().lines().collect();
    assert_eq!(rows.len(), 3, "{}", out.stdout);
    let n = std::fs::metadata(rig.path("master", "/master/journal"))
        .unwrap()
        .len();
    assert!(
        rows[1].starts_with("replica1 '")
            && rows[1].ends_with(&format!(" replica 2/{n} 2/{n} WaDl/10 1")),
        "{}",
        out.stdout
    );
    assert!(
        rows[2].starts_with("standby '") && rows[2].contains(&format!(" standby 2/{n} ")),
        "{}",
        out.stdout
    );
    assert!(rows[2].ends_with(" WAdl/12 1"), "{}", out.stdout);
}

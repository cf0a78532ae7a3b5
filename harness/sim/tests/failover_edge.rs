//! Seed 000 section 9: an edge server that followed the old master after a
//! failover. Its P4TARGET still names the old address: `p4 pull -lj`
//! reports the connection failure; `p4d "-cset edge1#P4TARGET=..."` and
//! `-cshow` retarget it; once its service user has a ticket for the new
//! master it catches up, with equal sequences.

mod common;
mod failover_support;
mod repl_support;

use failover_support::*;
use repl_support::lj_positions;

#[test]
fn section_9_the_edge_is_retargeted_to_the_new_master() {
    let mut rig = build(&Setup {
        edge: true,
        ..Setup::default()
    });
    p4(&mut rig, "master", MASTER, "counter before_failover 1").ok();
    rig.sleep(3);
    let out = p4(&mut rig, "edge1", EDGE, "pull -lj");
    let (replica, master) = lj_positions(out.ok()).unwrap();
    assert_eq!(replica, master, "{}", out.stdout);

    p4(&mut rig, "standby", STANDBY, "failover -y").ok();
    rig.sleep(1);
    assert!(
        rig.world
            .host("standby")
            .unwrap()
            .fs
            .exists(std::path::Path::new("/standby/statefailover"))
    );

    // 9.1: the edge's target is gone.
    let out = p4(&mut rig, "edge1", EDGE, "pull -lj");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        "Replica access to P4TARGET server failed.\n\
         Remote server refused request. Please verify that service user is correctly logged in to remote server, then retry.\n\
         TCP connect to 192.168.56.114:1666 failed.\n\
         connect: 192.168.56.114:1666: Connection refused\n"
    );
    // 9.2 and 9.3: retarget, and check.
    rig.run(
        "edge1",
        &format!("p4d -r /edge1 \"-cset edge1#P4TARGET={STANDBY}\""),
    )
    .ok();
    let out = rig.run("edge1", "p4d -r /edge1 -cshow");
    assert!(
        out.ok()
            .lines()
            .any(|l| l == format!("edge1: P4TARGET = {STANDBY}")),
        "{}",
        out.stdout
    );
    // The service user logs in to the new master.
    let out = rig.run_with(
        "edge1",
        &format!("p4 -p {STANDBY} -u service -E \"P4TICKETS=/edge1/.p4tickets\" login"),
        &format!("{SERVICE_PASSWORD}\n"),
    );
    assert!(
        out.ok().ends_with("User service logged in.\n"),
        "{}",
        out.stdout
    );
    // Work on the new master meanwhile.
    p4(&mut rig, "standby", STANDBY, "counter after_failover 2").ok();
    // 9.4: the pull thread retries after its -b wait (60 seconds).
    rig.sleep(65);
    let out = p4(&mut rig, "edge1", EDGE, "pull -lj");
    let (replica, master) = lj_positions(out.ok()).unwrap();
    assert_eq!(replica, master, "{}", out.stdout);
    let journal_len = std::fs::metadata(rig.path("standby", "/standby/journal"))
        .unwrap()
        .len() as i64;
    assert_eq!(master, (1, journal_len), "{}", out.stdout);
    assert_eq!(
        counter(&rig, "edge1", "/edge1", "before_failover").as_deref(),
        Some("1")
    );
    assert_eq!(
        counter(&rig, "edge1", "/edge1", "after_failover").as_deref(),
        Some("2")
    );
    // Its first request served statefailover's purpose: every standby of
    // the new master names it in ReplicatingFrom.
    assert!(
        !rig.world
            .host("standby")
            .unwrap()
            .fs
            .exists(std::path::Path::new("/standby/statefailover"))
    );
    // A command the edge forwards reaches the new master.
    let out = p4(&mut rig, "edge1", EDGE, "counter forwarded 3");
    assert_eq!(out.ok(), "Counter forwarded set.\n");
    let out = p4(&mut rig, "standby", STANDBY, "counter forwarded");
    assert_eq!(out.ok(), "3\n");
}

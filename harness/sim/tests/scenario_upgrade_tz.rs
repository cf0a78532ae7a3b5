//! Scenario 13 (rolling upgrade of the HA set): a standby upgraded with
//! `p4d -xu` before its master, as Perforce orders the upgrade of
//! replicated installations (outer servers first, the commit server last),
//! keeps copying the master's journal byte for byte: its own upgrade is not
//! journaled into the journal journalcopy writes, and the master's upgrade
//! reaches it through replication.

mod common;
mod failover_support;
mod repl_support;

use failover_support::*;
use repl_support::lj_positions;

fn install(rig: &common::Rig, host: &str, release: &str) {
    rig.world
        .host(host)
        .unwrap()
        .installed
        .set(release.parse().unwrap());
}

fn in_step(rig: &mut common::Rig) {
    let out = p4(rig, "standby", STANDBY, "pull -lj");
    let (replica, master) = lj_positions(out.ok()).unwrap_or_else(|| panic!("{}", out.stdout));
    assert_eq!(replica, master, "{}", out.stdout);
}

#[test]
fn a_standby_upgraded_before_its_master_keeps_copying_its_journal() {
    let mut rig = build(&Setup::default());
    p4(&mut rig, "standby", STANDBY, "admin stop").ok();
    install(&rig, "standby", "2023.1");
    // A new binary on the old database refuses to start.
    let out = rig.start("standby");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            1,
            "Perforce server error:\n\tDatabase is at old upgrade level 33.  Use 'p4d -r /standby -xu' to upgrade to level 50.\n"
        )
    );
    let before = rig.read("standby", "/standby/journal");
    let out = rig.run("standby", "p4d -r /standby -J journal -xu");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    assert_eq!(rig.read("standby", "/standby/journal"), before);
    rig.start("standby").ok();

    // Mixed releases: the 2023.1 standby follows the 2019.1 master.
    p4(&mut rig, "master", MASTER, "counter stage mixed").ok();
    rig.sleep(3);
    in_step(&mut rig);
    assert_eq!(
        counter(&rig, "standby", "/standby", "stage").as_deref(),
        Some("mixed")
    );
    assert_eq!(
        rig.read("standby", "/standby/journal"),
        rig.read("master", "/master/journal")
    );

    // The master last; its upgrade comes to the standby in its journal.
    p4(&mut rig, "master", MASTER, "admin stop").ok();
    install(&rig, "master", "2023.1");
    rig.run("master", "p4d -r /master -J journal -xu").ok();
    rig.start("master").ok();
    let journal = rig.read("master", "/master/journal");
    assert!(journal.contains("@nx@ 5 "), "{journal}");
    assert!(
        journal.contains("@rv@ 1 @db.counters@ @upgrade@ @50@ \n"),
        "{journal}"
    );
    p4(&mut rig, "master", MASTER, "counter stage upgraded").ok();
    rig.sleep(3);
    in_step(&mut rig);
    assert_eq!(
        rig.read("standby", "/standby/journal"),
        rig.read("master", "/master/journal")
    );
    assert_eq!(
        counter(&rig, "standby", "/standby", "upgrade").as_deref(),
        Some("50")
    );
    assert_eq!(
        counter(&rig, "standby", "/standby", "stage").as_deref(),
        Some("upgraded")
    );
}

#[test]
fn an_edge_upgraded_before_its_commit_server_journals_its_own_upgrade() {
    let mut rig = build(&Setup {
        edge: true,
        ..Setup::default()
    });
    p4(&mut rig, "edge1", EDGE, "admin stop").ok();
    install(&rig, "edge1", "2023.1");
    let out = rig.run("edge1", "p4d -r /edge1 -J journal -xu");
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    // An edge keeps a journal of its own: the upgrade is in it.
    let journal = rig.read("edge1", "/edge1/journal");
    assert!(
        journal.contains("@rv@ 1 @db.counters@ @upgrade@ @50@ \n"),
        "{journal}"
    );
    rig.start("edge1").ok();
    p4(&mut rig, "master", MASTER, "counter stage mixed").ok();
    rig.sleep(3);
    assert_eq!(
        counter(&rig, "edge1", "/edge1", "stage").as_deref(),
        Some("mixed")
    );
}

//! Seed 000 section 8: failover when the master is not running or cannot
//! be reached. `-s master` (the seed's transcript, which was taken with the
//! master still answering), the 2019.1 error without `-s`, a crashed and a
//! partitioned master, and 2020.2's use of ReplicatingFrom.

mod common;
mod failover_support;
mod repl_support;

use failover_support::*;
use p4ha_sim::net::BlockMode;

const PREVIEW: &str = "Checking if failover might be possible ...\n\
Checking for archive file content not transferred ...\n\
Verifying content of recently updated archive files ...\n";

const NEED_Y: &str = "After addressing any reported issues that might prevent failover, use --yes or -y to execute the failover.\n";

const NO_S: &str = "Server ID must be specified in the '-s' or '--serverid' argument for a failover without the participation of the server from which failover is occurring.\nEmpty identifier not allowed.\n";

/// The seed's lines for `p4 failover -s master -y`.
const SEED_EXECUTE: &str = "Starting failover process ...\n\
Refusing new commands on server from which failover is occurring ...\n\
Giving commands already running time to complete ...\n\
Stalling commands on server from which failover is occurring ...\n\
Waiting for 'journalcopy' to complete its work ...\n\
Waiting for 'pull -L' to complete its work ...\n\
Waiting for 'pull -u' to complete its work ...\n\
Checking for archive file content not transferred ...\n\
Verifying content of recently updated archive files ...\n\
Stopping server from which failover is occurring ...\n\
Moving latest journalcopy'd journal into place as the active journal ...\n\
Updating configuration of the failed-over server ...\n\
Restarting this server ...\n\
Perforce Server re-starting...\n";

/// Without the master: nothing is asked of it, nothing more can be copied
/// or fetched from it.
const ALONE_EXECUTE: &str = "Starting failover process ...\n\
Waiting for 'pull -L' to complete its work ...\n\
Checking for archive file content not transferred ...\n\
Verifying content of recently updated archive files ...\n\
Moving latest journalcopy'd journal into place as the active journal ...\n\
Updating configuration of the failed-over server ...\n\
Restarting this server ...\n\
Perforce Server re-starting...\n";

fn transcript(out: &common::Out) -> (&str, &str, i32) {
    (out.stdout.as_str(), out.stderr.as_str(), out.status)
}

#[test]
fn section_8_with_s_master_as_the_seed_ran_it() {
    let mut rig = build(&Setup::default());
    let out = p4(&mut rig, "standby", STANDBY, "failover -s master");
    assert_eq!(transcript(&out), (PREVIEW, NEED_Y, 0));
    let out = p4(&mut rig, "standby", STANDBY, "failover -s master -y");
    assert_eq!(transcript(&out), (SEED_EXECUTE, "", 0));
}

#[test]
fn section_8_crashed_master() {
    let mut rig = build(&Setup::default());
    p4(&mut rig, "master", MASTER, "counter acknowledged 7").ok();
    rig.sleep(2);
    crash(&rig, "master");

    // 2019.1: the master's ID must be given.
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert_eq!(transcript(&out), ("", NO_S, 1));
    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    assert_eq!(transcript(&out), ("", NO_S, 1));
    let out = p4(&mut rig, "standby", STANDBY, "failover -s master");
    assert_eq!(transcript(&out), (PREVIEW, NEED_Y, 0));
    let out = p4(&mut rig, "standby", STANDBY, "failover -s master -y");
    assert_eq!(transcript(&out), (ALONE_EXECUTE, "", 0));
    rig.sleep(1);

    assert_eq!(server_id(&rig, "standby", "/standby"), "master");
    let out = p4(&mut rig, "standby", STANDBY, "counter acknowledged");
    assert_eq!(out.ok(), "7\n");
    let out = p4(&mut rig, "standby", STANDBY, "print -q //depot/b.txt");
    assert_eq!(out.ok(), "bravo\n");

    // Nothing was written on the dead master: started again it runs as a
    // second master under the same ID (a split brain).
    rig.start("master").ok();
    let out = p4(&mut rig, "master", MASTER, "serverid");
    assert_eq!(out.ok(), "Server ID: master\n");
    p4(&mut rig, "master", MASTER, "counter diverged 1").ok();
    let out = p4(&mut rig, "standby", STANDBY, "counter diverged");
    assert_eq!(out.ok(), "0\n");
}

#[test]
fn section_8_partitioned_master() {
    let mut rig = build(&Setup::default());
    rig.world
        .partition("standby", "master", BlockMode::Reject)
        .unwrap();
    // -m wants the master, which cannot be reached.
    let out = p4(&mut rig, "standby", STANDBY, "failover -m");
    assert_eq!(
        transcript(&out),
        (
            "",
            "Server from which failover is to occur is required to participate (-m or --require-master), but that server is not accessible.\n",
            1
        )
    );
    let out = p4(&mut rig, "standby", STANDBY, "failover -s master -y");
    assert_eq!(transcript(&out), (ALONE_EXECUTE, "", 0));
    rig.sleep(1);
    // The old master never heard of it and still serves its clients.
    rig.world.heal("standby", "master").unwrap();
    let out = p4(&mut rig, "master", MASTER, "serverid");
    assert_eq!(out.ok(), "Server ID: master\n");
    let out = p4(&mut rig, "standby", STANDBY, "serverid");
    assert_eq!(out.ok(), "Server ID: master\n");
}

#[test]
fn from_2020_2_a_mandatory_standby_uses_its_replicating_from() {
    let mut rig = build(&Setup {
        release: "2020.2",
        ..Setup::default()
    });
    crash(&rig, "master");
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert_eq!(transcript(&out), (PREVIEW, NEED_Y, 0));
    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    assert_eq!(transcript(&out), (ALONE_EXECUTE, "", 0));
    rig.sleep(1);
    assert_eq!(server_id(&rig, "standby", "/standby"), "master");
}

#[test]
fn a_standby_that_is_not_mandatory_needs_its_master() {
    let need = "This failover requires that this server have the 'mandatory' option set since the server from which failover is to occur is not participating in the failover.\n";
    for release in ["2019.1", "2020.2"] {
        let mut rig = build(&Setup {
            release,
            mandatory: false,
            ..Setup::default()
        });
        crash(&rig, "master");
        let out = p4(&mut rig, "standby", STANDBY, "failover -s master -y");
        assert_eq!(transcript(&out), ("", need, 1), "{release}");
        if release == "2020.2" {
            let out = p4(&mut rig, "standby", STANDBY, "failover -y");
            assert_eq!(transcript(&out), ("", need, 1));
        }
        // The standby is still a standby.
        assert_eq!(server_id(&rig, "standby", "/standby"), "standby");
    }
}

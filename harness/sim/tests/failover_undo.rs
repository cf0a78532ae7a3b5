//! Failovers that fail half-way, and what they undo: before the master is
//! stopped it is given its commands back; after, the standby puts its
//! journal and configuration back and the master stays down. Before 2020.2
//! the standby's threads stay stopped until it is restarted; from 2020.2
//! they start again by themselves.

mod common;
mod failover_support;
mod repl_support;

use std::path::Path;

use failover_support::*;
use p4ha_sim::net::BlockMode;
use repl_support::lj_positions;

const PENDING: &str = "The above listed archive file content transfers are pending. Pending transfers might be completed by a 'pull -u' in this standby server.\n";
const FAILED: &str = "Failover was not successful.\n";

/// The lines up to the archive check of a participating failover.
const UP_TO_ARCHIVES: &str = "Starting failover process ...\n\
Refusing new commands on server from which failover is occurring ...\n\
Giving commands already running time to complete ...\n\
Stalling commands on server from which failover is occurring ...\n\
Waiting for 'journalcopy' to complete its work ...\n\
Waiting for 'pull -L' to complete its work ...\n\
Checking for archive file content not transferred ...\n";

const GIVEN_BACK: &str = "Resuming commands on server from which failover was to occur ...\n\
Allowing new commands on server from which failover was to occur ...\n";

fn pending_line(out: &str) -> &str {
    out.lines()
        .find(|l| l.starts_with("//depot/b.txt 1.2 text new 0 "))
        .unwrap_or_else(|| panic!("{out}"))
}

#[test]
fn a_failure_before_the_master_stops_gives_it_its_commands_back() {
    let mut rig = build(&Setup {
        pull_u: false,
        ..Setup::default()
    });
    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    let line = pending_line(&out.stdout).to_string();
    assert_eq!(out.stdout, format!("{UP_TO_ARCHIVES}{line}\n{GIVEN_BACK}"));
    assert_eq!(
        (out.stderr.as_str(), out.status),
        (&*format!("{PENDING}{FAILED}"), 1)
    );
    // The master works as before; the standby is still its standby.
    p4(&mut rig, "master", MASTER, "counter after_undo 5").ok();
    assert_eq!(server_id(&rig, "standby", "/standby"), "standby");
    // 2019.1: the standby's threads stay stopped.
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert!(
        out.stderr.starts_with(
            "This failover requires that 'journalcopy' must be running.\nThis failover requires that 'pull -L' must be running.\n"
        ),
        "{}",
        out.stderr
    );
    // The administrator transfers the content, restarts the standby, and
    // fails over.
    p4(&mut rig, "standby", STANDBY, "pull -u").ok();
    p4(&mut rig, "standby", STANDBY, "admin restart").ok();
    rig.sleep(3);
    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    assert_eq!((out.stderr.as_str(), out.status), ("", 0));
    rig.sleep(1);
    let out = p4(&mut rig, "standby", STANDBY, "counter after_undo");
    assert_eq!(out.ok(), "5\n");
}

#[test]
fn from_2020_2_the_threads_start_again_by_themselves() {
    let mut rig = build(&Setup {
        release: "2020.2",
        pull_u: false,
        ..Setup::default()
    });
    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    assert_eq!(out.status, 1);
    p4(&mut rig, "master", MASTER, "counter after_undo 5").ok();
    rig.sleep(3);
    let out = p4(&mut rig, "standby", STANDBY, "pull -lj");
    let (replica, master) = lj_positions(out.ok()).unwrap();
    assert_eq!(replica, master, "{}", out.stdout);
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert!(!out.stderr.contains("must be running"), "{}", out.stderr);
}

#[test]
fn a_failure_after_the_master_stopped_leaves_it_down() {
    let mut rig = build(&Setup::default());
    let journal = std::fs::read(rig.path("standby", "/standby/journal")).unwrap();
    let h = rig.world.host("standby").unwrap();
    h.fs.set_full(Path::new("/standby"), true);
    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    assert_eq!(
        out.stdout,
        "Starting failover process ...\n\
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
         Undoing configuration updates for the failed-over server ...\n\
         Moving journal back as the latest journalcopy'd journal ...\n"
    );
    assert_eq!(
        (out.stderr.as_str(), out.status),
        (
            "Journal file 'journal' write failed: No space left on device\nFailover was not successful.\n",
            1
        )
    );
    // The standby is as it was; the master is stopped and marked.
    assert_eq!(server_id(&rig, "standby", "/standby"), "standby");
    assert_eq!(
        std::fs::read(rig.path("standby", "/standby/journal")).unwrap(),
        journal
    );
    let out = p4(&mut rig, "master", MASTER, "info");
    assert_eq!(out.status, 1);
    let out = rig.start("master");
    assert!(
        out.stderr
            .contains("Failover has occurred from this server"),
        "{}",
        out.stderr
    );
    // Space is freed; the standby restarted (2019.1) fails over alone.
    h.fs.set_full(Path::new("/standby"), false);
    p4(&mut rig, "standby", STANDBY, "admin restart").ok();
    rig.sleep(2);
    let out = p4(&mut rig, "standby", STANDBY, "failover -s master -y");
    assert_eq!((out.stderr.as_str(), out.status), ("", 0));
    rig.sleep(1);
    assert_eq!(server_id(&rig, "standby", "/standby"), "master");
}

#[test]
fn a_standby_that_is_not_mandatory_warns_it_went_past_the_leof() {
    // standby (not mandatory) fails over; standby2 (mandatory) is cut off,
    // so the master's LEOF stays where standby2 stopped.
    let mut rig = build(&Setup {
        mandatory: false,
        second_standby: true,
        pull_u: false,
        ..Setup::default()
    });
    rig.world
        .partition("standby2", "master", BlockMode::Reject)
        .unwrap();
    rig.sleep(2);
    for i in 0..3 {
        p4(&mut rig, "master", MASTER, &format!("counter held{i} {i}")).ok();
    }
    rig.sleep(5);
    let out = p4(&mut rig, "standby", STANDBY, "pull -lj");
    let (replica, master) = lj_positions(out.ok()).unwrap();
    assert!(replica < master, "held at the LEOF:\n{}", out.stdout);
    assert_eq!(counter(&rig, "standby", "/standby", "held0"), None);

    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    let line = pending_line(&out.stdout).to_string();
    assert_eq!(out.stdout, format!("{UP_TO_ARCHIVES}{line}\n{GIVEN_BACK}"));
    assert_eq!(
        out.stderr,
        format!(
            "{PENDING}This failed failover has likely applied journalcopy'd transactions beyond the LEOF. After resolving the issues that caused this failover to fail, this standby server can be used to complete the failover. But if another standby server is instead used to complete the failover, this standby server should be rebuilt since its metadata could be inconsistent with the server to which failover occurred.\n{FAILED}"
        )
    );
    // The failover took it past the LEOF.
    assert_eq!(
        counter(&rig, "standby", "/standby", "held2").as_deref(),
        Some("2")
    );
}

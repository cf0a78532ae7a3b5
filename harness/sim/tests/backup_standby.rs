//! Seed 000, sections 3 and 4: the master's checkpoint (`p4 admin
//! checkpoint checkpoint` -> `checkpoint.ckp.1`) is copied to the standby
//! machine and restored there under p4dctl: stop, remove `db.*` and
//! `server.locks/`, set the server ID, replay, start.

mod backup_support;
mod common;

use std::path::Path;

use backup_support::*;
use common::Rig;

const STANDBY_CONF: &str = "p4d standby\n{\n    Owner    =    perforce\n    Execute  =    /opt/perforce/sbin/p4d\n    Umask    =    077\n    Environment\n    {\n        P4ROOT    =    /standby\n        P4PORT    =    1666\n        P4USER    =     super\n        P4SSLDIR  =     ssl\n        TZ        =     Asia/Tokyo\n        PATH      =     /bin:/usr/bin:/usr/local/bin:/opt/perforce/bin:/opt/perforce/sbin\n    }\n}\n";

fn rig() -> Rig {
    let mut rig = Rig::new(&[
        ("master", "192.168.56.114", "2019.1"),
        ("standby", "192.168.56.115", "2019.1"),
    ]);
    rig.start("master").ok();
    workload(&rig, "master", "/master");
    let h = host(&rig, "standby");
    h.fs.create_dir_all(Path::new("/etc/perforce/p4dctl.conf.d"))
        .unwrap();
    h.fs.write(
        Path::new("/etc/perforce/p4dctl.conf"),
        b"# p4dctl configuration\ninclude /etc/perforce/p4dctl.conf.d\n",
    )
    .unwrap();
    h.fs.write(
        Path::new("/etc/perforce/p4dctl.conf.d/standby.conf"),
        STANDBY_CONF.as_bytes(),
    )
    .unwrap();
    rig
}

#[test]
fn a_standby_is_built_from_the_masters_checkpoint() {
    let mut rig = rig();
    // The standby machine runs an empty server to begin with.
    let out = rig.run("standby", "p4dctl start standby");
    assert_eq!(
        out.ok(),
        "Started 'standby' p4d service.\nStarted 1 services.\n"
    );
    host(&rig, "standby")
        .fs
        .create_dir_all(Path::new("/standby/server.locks/clients"))
        .unwrap();

    // 3.1: checkpoint on the master.
    let out = rig.run(
        "standby",
        "p4 -u super -p 192.168.56.114:1666 admin checkpoint checkpoint",
    );
    let lines: Vec<&str> = out.ok().lines().collect();
    assert_eq!(lines[0], "Checkpointing to checkpoint.ckp.1...");
    assert!(lines[1].starts_with("MD5 = "), "{}", out.stdout);
    assert_eq!(lines[2], "Rotating journal to checkpoint.jnl.0...");
    assert!(exists(&rig, "master", "/master/checkpoint.ckp.1"));

    // 3.2: transfer to the standby's /tmp; 4.3: into P4ROOT.
    copy_between(
        &rig,
        "master",
        "/master/checkpoint.ckp.1",
        "standby",
        "/tmp/checkpoint.ckp.1",
    );
    let h = host(&rig, "standby");
    h.fs.rename(
        Path::new("/tmp/checkpoint.ckp.1"),
        Path::new("/standby/checkpoint.ckp.1"),
    )
    .unwrap();

    // 4.5: stop the service.
    let out = rig.run("standby", "p4dctl stop standby");
    assert_eq!(
        out.ok(),
        "Stopped 'standby' p4d service.\nStopped 1 services.\n"
    );
    let out = rig.run("standby", "p4dctl status standby");
    assert_eq!(
        (out.status, out.stdout.as_str()),
        (1, "'standby' p4d service not running.\n")
    );

    // 4.6: rm -f db.*; rm -fr server.locks/
    remove_db_files(&rig, "standby", "/standby");
    h.fs.remove_dir_all(Path::new("/standby/server.locks"))
        .unwrap();

    // 4.7: the server ID.
    let out = rig.run("standby", "p4d -r /standby -xD standby");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    assert_eq!(rig.read("standby", "/standby/server.id"), "standby\n");
    let out = rig.run("standby", "p4d -r /standby -xD");
    assert_eq!(out.ok(), "Server ID: standby\n");

    // 4.8: replay; the db.* files are there afterwards.
    let out = rig.run("standby", "p4d -r /standby -jr checkpoint.ckp.1");
    assert_eq!(
        out.ok(),
        "Perforce db files in '.' will be created if missing...\nRecovering from checkpoint.ckp.1...\n"
    );
    assert_eq!(out.stderr, "");
    assert!(db_files(&rig, "standby", "/standby").contains(&"db.counters".to_string()));

    // 4.9: start; the standby has the master's data.
    let out = rig.run("standby", "p4dctl start standby");
    assert_eq!(
        out.ok(),
        "Started 'standby' p4d service.\nStarted 1 services.\n"
    );
    assert_eq!(
        rig.run("master", "p4 -u super -p standby:1666 counter change")
            .ok(),
        "2\n"
    );
    assert_eq!(
        rig.run("master", "p4 -u super -p standby:1666 counter journal")
            .ok(),
        "1\n"
    );
    let info = rig
        .run("standby", "p4 -u super -p standby:1666 info")
        .ok()
        .to_string();
    assert!(info.contains("\nServerID: standby\n"), "{info}");
    let out = rig.run("standby", "p4dctl status standby");
    assert_eq!(out.ok(), "'standby' p4d service is running.\n");
}

#[test]
fn p4dctl_reports_what_it_cannot_do() {
    let mut rig = rig();
    let out = rig.run("standby", "p4dctl start standby");
    out.ok();
    let out = rig.run("standby", "p4dctl start standby");
    assert_eq!(
        (out.status, out.stdout.as_str()),
        (
            1,
            "'standby' p4d service already running.\nStarted 0 services.\n"
        )
    );
    let out = rig.run("standby", "p4dctl stop nosuch");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (1, "Service 'nosuch' not found.\n")
    );
    rig.run("standby", "p4dctl stop -a").ok();
    let out = rig.run("standby", "p4dctl stop standby");
    assert_eq!(
        (out.status, out.stdout.as_str()),
        (
            1,
            "'standby' p4d service not running.\nStopped 0 services.\n"
        )
    );
    let out = rig.run("standby", "p4dctl restart standby");
    assert_eq!(
        out.ok(),
        "Started 'standby' p4d service.\nRestarted 1 services.\n"
    );
    let out = rig.run("standby", "p4dctl");
    assert_eq!(out.status, 1);
    assert!(out.stderr.starts_with("Usage: p4dctl"), "{}", out.stderr);
    let h = host(&rig, "standby");
    h.fs.write(
        Path::new("/etc/perforce/p4dctl.conf.d/bad.conf"),
        b"p4d broken\n{\n    Colour = blue\n}\n",
    )
    .unwrap();
    let out = rig.run("standby", "p4dctl status -a");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            1,
            "/etc/perforce/p4dctl.conf.d/bad.conf:3: unknown setting 'Colour' in service 'broken'\n"
        )
    );
}

#[test]
fn a_replica_schedules_its_checkpoint_instead_of_taking_it() {
    let mut rig = rig();
    let h = host(&rig, "standby");
    h.fs.create_dir_all(Path::new("/standby")).unwrap();
    rig.run("standby", "p4d -r /standby -xD standby").ok();
    rig.run(
        "standby",
        "p4d -r /standby \"-cset standby#P4TARGET=192.168.56.114:1666\"",
    )
    .ok();
    // p4d -jc on a replica is refused (2019.1 wording).
    let out = rig.run("standby", "p4d -r /standby -jc");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (
            1,
            "",
            "Perforce server error:\n\tA replica may not be checkpointed directly using 'p4d -jc'. Use 'p4 admin checkpoint' to initiate a coordinated replica checkpoint.\n"
        )
    );
    rig.run("standby", "p4dctl start standby").ok();
    let out = rig.run("standby", "p4 -u super -p standby:1666 admin checkpoint -Z");
    assert_eq!(
        out.ok(),
        "The 'pull' command will perform the checkpoint at the next rotation of the journal on the master.\n"
    );
    let state = rig.read("standby", "/standby/stateCKP");
    assert!(state.starts_with("Checkpoint scheduled at "), "{state}");
    assert!(state.ends_with(" +0900 JST ); opts: -Z\n"), "{state}");
    let schedule =
        p4ha_sim::checkpoint::read_schedule(&host(&rig, "standby").fs, Path::new("/standby"))
            .unwrap();
    assert!(schedule.options.gzip_checkpoint && !schedule.options.gzip_journal);
    let out = rig.run(
        "standby",
        "p4 -u super -p standby:1666 journals -T type,jnum",
    );
    assert_eq!(out.ok(), "... type schedule\n... jnum 1\n\n");
    assert!(!exists(&rig, "standby", "/standby/checkpoint.1.gz"));
    let out = rig.run("standby", "p4 -u super -p standby:1666 admin journal");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (1, "Replica does not support this command.\n")
    );
}

#[test]
fn a_scheduled_replica_checkpoint_follows_the_masters_numbering() {
    let mut rig = rig();
    let h = host(&rig, "standby");
    h.fs.create_dir_all(Path::new("/standby")).unwrap();
    // The standby holds the master's data, journal counter included.
    rig.run("master", "p4d -r /master -jc").ok();
    copy_between(
        &rig,
        "master",
        "/master/checkpoint.1",
        "standby",
        "/standby/checkpoint.1",
    );
    rig.run("standby", "p4d -r /standby -jr checkpoint.1").ok();
    rig.run("standby", "p4d -r /standby -xD standby").ok();
    rig.run(
        "standby",
        "p4d -r /standby \"-cset standby#P4TARGET=192.168.56.114:1666\"",
    )
    .ok();
    rig.run("standby", "p4dctl start standby").ok();
    rig.run("standby", "p4 -u super -p standby:1666 admin checkpoint")
        .ok();
    let journal_before = rig.read("standby", "/standby/journal");

    // What the pull thread does when the master's rotation arrives.
    let site = site(&rig, "standby", "/standby");
    let schedule = p4ha_sim::checkpoint::read_schedule(&h.fs, Path::new("/standby")).unwrap();
    let mut lines = Vec::new();
    let report = p4ha_sim::checkpoint::take_replica_checkpoint(
        &site,
        &schedule.options,
        9999,
        h.clock.now(),
        &mut lines,
    )
    .unwrap();
    assert_eq!(report.number, 1);
    assert_eq!(lines[0], "Checkpointing to checkpoint.1...");
    assert!(!exists(&rig, "standby", "/standby/stateCKP"));
    // Nothing journaled, no counter moved.
    assert_eq!(rig.read("standby", "/standby/journal"), journal_before);
    assert_eq!(
        rig.run("standby", "p4 -u super -p standby:1666 counter journal")
            .ok(),
        "1\n"
    );
    let mut lines = Vec::new();
    let rotation = p4ha_sim::checkpoint::rotate_journal_to(
        &site,
        &Default::default(),
        1,
        9999,
        h.clock.now(),
        &mut lines,
    )
    .unwrap()
    .unwrap();
    assert_eq!(lines, ["Rotating journal to journal.1..."]);
    assert_eq!(rotation.name, "journal.1");
    assert_eq!(
        rig.run("standby", "p4 -u super -p standby:1666 counter journal")
            .ok(),
        "1\n"
    );
}

//! Seed 000 sections 1 to 6, through the runbook's command lines: a
//! standby built from a checkpoint of the master, its service user logged
//! in, `journalcopy -i 1`, `pull -L -i 1` and `pull -u -i 1` catching up,
//! watched with `p4 pull -lj` and `p4 servers -J`, then switched to
//! mandatory.

mod common;
mod repl_support;

use std::path::Path;

use repl_support::*;

/// The standby machine's p4dctl configuration (seed 000 section 10).
const P4DCTL_CONF: &str = "p4d standby\n{\n    Owner    =    perforce\n    Execute  =    /opt/perforce/sbin/p4d\n    Environment\n    {\n        P4ROOT = /standby\n        P4PORT = 1666\n        P4USER = super\n        TZ     = Asia/Tokyo\n    }\n}\n";

const MASTER_SPEC: &str = "ServerID:\tmaster\nType:\tserver\nServices:\tcommit-server\nOptions:\tnomandatory\nDescription:\n\tCreated by super.\n";

/// Section 1's standby spec with its DistributedConfig.
fn standby_spec(options: &str) -> String {
    format!(
        "ServerID:\tstandby\nType:\tserver\nServices:\tstandby\nOptions:\t{options}\nReplicatingFrom:\tmaster\nDescription:\n\tCreated by super.\nDistributedConfig:\n\
         \tP4TARGET=192.168.56.114:1666\n\tP4TICKETS=/standby/.p4tickets\n\tdb.replication=readonly\n\tlbr.replication=readonly\n\
         \tmonitor=2\n\trpl.journalcopy.location=1\n\tserviceUser=service\n\tstartup.1=journalcopy -i 1\n\tstartup.2=pull -L -i 1\n\tstartup.3=pull -u -i 1\n"
    )
}

const SERVICE_USER: &str =
    "User:\tservice\nType:\tservice\nEmail:\tservice@master\nFullName:\tservice\n";

const PROTECTIONS: &str = "Protections:\n\twrite user * * //...\n\tlist user * * -//spec/...\n\tsuper user super * //...\n\tsuper user service * //...\n";

/// What the runbook's transcript shows and what the test compares: every
/// command's output, in order.
struct Transcript(Vec<String>);

impl Transcript {
    fn run(&mut self, rig: &mut common::Rig, host: &str, line: &str, stdin: &str) -> common::Out {
        let out = rig.run_with(host, line, stdin);
        self.0.push(format!(
            "[{host}] {line}\n{}{}exit {}\n",
            out.stdout, out.stderr, out.status
        ));
        out
    }
}

/// Sections 1 to 5.1. The master has a workload before and after the
/// checkpoint.
fn build(seed: u64) -> (common::Rig, Transcript) {
    let mut rig = runbook_rig(seed);
    let mut t = Transcript(Vec::new());
    t.run(&mut rig, "master", "p4d -r /master -xD master", "")
        .ok();
    t.run(&mut rig, "master", "p4d -r /master -p 1666 -d", "")
        .ok();
    // Section 1: the server specs.
    t.run(
        &mut rig,
        "master",
        "p4 -u super -p master:1666 server -i",
        MASTER_SPEC,
    )
    .ok();
    let out = t.run(
        &mut rig,
        "master",
        "p4 -u super -p master:1666 server -i",
        &standby_spec("nomandatory"),
    );
    assert_eq!(out.ok(), "Server standby saved.\n");
    // Section 2: the service user, its password, its protections.
    t.run(
        &mut rig,
        "master",
        "p4 -u super -p 192.168.56.114:1666 user -f -i",
        SERVICE_USER,
    )
    .ok();
    t.run(
        &mut rig,
        "master",
        "p4 -u super -p 192.168.56.114:1666 passwd service",
        "Service#1\nService#1\n",
    )
    .ok();
    t.run(
        &mut rig,
        "master",
        "p4 -u super -p 192.168.56.114:1666 protect -i",
        PROTECTIONS,
    )
    .ok();
    for i in 0..10 {
        t.run(
            &mut rig,
            "master",
            &format!("p4 -u super -p master:1666 counter before{i} {i}"),
            "",
        )
        .ok();
    }
    // The standby machine runs its (empty) server under p4dctl.
    let h = rig.world.host("standby").unwrap();
    h.fs.create_dir_all(Path::new("/etc/perforce")).unwrap();
    h.fs.write(
        Path::new("/etc/perforce/p4dctl.conf"),
        P4DCTL_CONF.as_bytes(),
    )
    .unwrap();
    t.run(&mut rig, "standby", "p4dctl start standby", "").ok();
    // Section 3: the checkpoint, carried to the standby's /tmp.
    let out = t.run(
        &mut rig,
        "master",
        "p4 -u super -p 192.168.56.114:1666 admin checkpoint checkpoint",
        "",
    );
    assert!(
        out.ok()
            .starts_with("Checkpointing to checkpoint.ckp.1...\n"),
        "{}",
        out.stdout
    );
    transfer(
        &rig,
        "master",
        "/master/checkpoint.ckp.1",
        "standby",
        "/tmp/checkpoint.ckp.1",
    );
    // Section 4: the standby's root from the checkpoint.
    h.fs.rename(
        Path::new("/tmp/checkpoint.ckp.1"),
        Path::new("/standby/checkpoint.ckp.1"),
    )
    .unwrap();
    let out = t.run(&mut rig, "standby", "p4dctl stop standby", "");
    assert!(
        out.ok().starts_with("Stopped 'standby' p4d service.\n"),
        "{}",
        out.stdout
    );
    // rm -f db.*; rm -fr server.locks/
    for name in h.fs.read_dir(Path::new("/standby")).unwrap() {
        if name.starts_with("db.") {
            h.fs.remove_file(&Path::new("/standby").join(&name))
                .unwrap();
        }
    }
    let _ = h.fs.remove_dir_all(Path::new("/standby/server.locks"));
    t.run(&mut rig, "standby", "p4d -r /standby -xD standby", "")
        .ok();
    t.run(
        &mut rig,
        "standby",
        "p4d -r /standby -jr /standby/checkpoint.ckp.1",
        "",
    )
    .ok();
    let out = t.run(&mut rig, "standby", "p4dctl start standby", "");
    assert!(
        out.ok().starts_with("Started 'standby' p4d service.\n"),
        "{}",
        out.stdout
    );
    // The master keeps working meanwhile.
    for i in 0..10 {
        t.run(
            &mut rig,
            "master",
            &format!("p4 -u super -p master:1666 counter after{i} {i}"),
            "",
        )
        .ok();
    }
    // Section 5.1: the replication ticket.
    let out = t.run(
        &mut rig,
        "standby",
        "p4 -p 192.168.56.114:1666 -u service -E \"P4TICKETS=/standby/.p4tickets\" login",
        "Service#1\n",
    );
    assert!(
        out.ok().ends_with("User service logged in.\n"),
        "{}",
        out.stdout
    );
    (rig, t)
}

/// Section 5.3 and 6: waits for the standby (its threads retry 60 seconds
/// after the failures before the login), then checks and switches.
fn converge(rig: &mut common::Rig, t: &mut Transcript) {
    rig.sleep(65);
    let out = t.run(
        rig,
        "standby",
        "p4 -u super -p 192.168.56.115:1666 pull -lj",
        "",
    );
    let text = out.ok();
    let (replica, master) = lj_positions(text).unwrap_or_else(|| panic!("{text}"));
    assert_eq!(replica, master, "{text}");
    assert_eq!(master.0, 1, "{text}");
}

#[test]
fn a_standby_built_by_the_runbook_catches_up_and_becomes_mandatory() {
    let (mut rig, mut t) = build(0);
    converge(&mut rig, &mut t);
    let out = rig.run("standby", "p4 -u super -p 192.168.56.115:1666 pull -lj");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    assert!(
        lines[2].starts_with("The statefile was last modified at:\t2019/10/18 13:0"),
        "{}",
        out.stdout
    );
    assert!(lines[2].ends_with('.'), "{}", out.stdout);
    assert!(
        lines[3].starts_with("The replica server time is currently:\t2019/10/18 13:0"),
        "{}",
        out.stdout
    );
    assert!(lines[3].ends_with(" +0900 JST"), "{}", out.stdout);

    // rpl.journalcopy.location=1: the copy of the current journal is the
    // standby's P4JOURNAL, byte for byte the master's journal.
    let master_journal = std::fs::read(rig.path("master", "/master/journal")).unwrap();
    let copy = std::fs::read(rig.path("standby", "/standby/journal")).unwrap();
    assert_eq!(copy, master_journal);
    let n = master_journal.len();
    let out = rig.run(
        "standby",
        "p4 -u super -p 192.168.56.115:1666 journalcopy -l",
    );
    assert_eq!(
        out.ok(),
        format!("Current replica persisted journal state is:\tJournal 1,\tSequence {n}.\n")
    );
    // The standby applied the master's work, its spec included.
    let out = rig.run("standby", "p4 -u super -p 192.168.56.115:1666 counters");
    assert!(
        out.ok().lines().any(|l| l == "after9 = 9"),
        "{}",
        out.stdout
    );

    // Section 6.1: the master's view.
    let out = rig.run("master", "p4 -u super -p master:1666 servers -J");
    let rows: Vec<&str> = out.ok().lines().collect();
    assert_eq!(rows.len(), 2, "{}", out.stdout);
    assert!(
        rows[0].starts_with("master '2019/10/18 13:0"),
        "{}",
        out.stdout
    );
    assert!(
        rows[0].ends_with(&format!("' commit-server 1/{n} 1/{n} wadL/1 1")),
        "{}",
        out.stdout
    );
    assert!(
        rows[1].starts_with("standby '2019/10/18 13:0"),
        "{}",
        out.stdout
    );
    assert!(
        rows[1].ends_with(&format!("' standby 1/{n} 1/{n} wAdl/4 1")),
        "{}",
        out.stdout
    );

    // Section 6.2-6.4: Options mandatory, seen in servers -J.
    let out = rig.run("master", "p4 -u super -p master:1666 server -o standby");
    let form = out
        .ok()
        .replace("Options:\tnomandatory", "Options:\tmandatory");
    rig.run_with("master", "p4 -u super -p master:1666 server -i", &form)
        .ok();
    rig.sleep(2);
    let out = rig.run("master", "p4 -u super -p master:1666 servers -J");
    let rows: Vec<&str> = out.ok().lines().collect();
    let n = std::fs::metadata(rig.path("master", "/master/journal"))
        .unwrap()
        .len();
    assert!(
        rows[0].ends_with(&format!("' commit-server 1/{n} 1/{n} wadL/1 1")),
        "{}",
        out.stdout
    );
    assert!(
        rows[1].ends_with(&format!("' standby 1/{n} 1/{n} wAdl/4 1 mandatory")),
        "{}",
        out.stdout
    );
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let run = |seed: u64| {
        let (mut rig, mut t) = build(seed);
        converge(&mut rig, &mut t);
        t.run(
            &mut rig,
            "master",
            "p4 -u super -p master:1666 servers -J",
            "",
        );
        t.run(
            &mut rig,
            "standby",
            "p4 -u super -p 192.168.56.115:1666 journalcopy -l",
            "",
        );
        let files = [
            "/master/journal",
            "/master/checkpoint.ckp.1",
            "/master/checkpoint.jnl.0",
        ]
        .iter()
        .map(|p| rig.read("master", p))
        .chain(
            ["/standby/journal", "/standby/state", "/standby/statejcopy"]
                .iter()
                .map(|p| rig.read("standby", p)),
        )
        .collect::<Vec<_>>();
        (t.0, files)
    };
    let (a_out, a_files) = run(7);
    let (b_out, b_files) = run(7);
    assert_eq!(a_out, b_out);
    assert_eq!(a_files, b_files);
    assert!(a_files.iter().all(|f| !f.is_empty()));
}

//! Set-up shared by the failover tests: seed 000 sections 1 to 6 through
//! the runbook's command lines (the standby's spec with its
//! DistributedConfig, the `service` user, a checkpoint carried to the
//! standby, `p4d -xD`, `p4d -jr`, the service ticket, the standby started,
//! switched to mandatory), with files submitted so that archives travel
//! too; and helpers to run commands on the machines.
#![allow(dead_code)]

use std::path::Path;

use p4ha_sim::db::Value;

use crate::common::{Out, Rig};
use crate::repl_support::{db, lj_positions, transfer};

/// The master's address as the runbook writes it.
pub const MASTER: &str = "192.168.56.114:1666";
/// The standby's address.
pub const STANDBY: &str = "192.168.56.115:1666";
/// The edge's address (section 9).
pub const EDGE: &str = "192.168.56.120:1666";

const MASTER_SPEC: &str = "ServerID:\tmaster\nType:\tserver\nServices:\tcommit-server\nOptions:\tnomandatory\nDescription:\n\tCreated by super.\n";

const SERVICE_USER: &str =
    "User:\tservice\nType:\tservice\nEmail:\tservice@master\nFullName:\tservice\n";

const PROTECTIONS: &str = "Protections:\n\twrite user * * //...\n\tlist user * * -//spec/...\n\tsuper user super * //...\n\tsuper user service * //...\n";

/// The service user's password.
pub const SERVICE_PASSWORD: &str = "Service#1";

/// How the site is built.
#[derive(Debug, Clone)]
pub struct Setup {
    /// World seed.
    pub seed: u64,
    /// The release of every machine.
    pub release: &'static str,
    /// The master's release when it differs.
    pub master_release: Option<&'static str>,
    /// `Options: mandatory` at the end (section 6).
    pub mandatory: bool,
    /// `rpl.journalcopy.location=1` (the seed's setting); else 0.
    pub location_live: bool,
    /// The standby runs `pull -u -i 1` (`startup.3`).
    pub pull_u: bool,
    /// An edge server `edge1` follows the master (section 9).
    pub edge: bool,
    /// A second standby `standby2`, mandatory, on 192.168.56.116.
    pub second_standby: bool,
    /// The archives of the checkpointed revisions are copied along with
    /// the checkpoint (an rsync of the depot directory); without it the
    /// replicas have only what `pull -u` fetched after the checkpoint, as
    /// with the runbook's section 3-4.
    pub copy_archives: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            seed: 0,
            release: "2019.1",
            master_release: None,
            mandatory: true,
            location_live: true,
            pull_u: true,
            edge: false,
            second_standby: false,
            copy_archives: true,
        }
    }
}

/// Section 1's standby spec with its DistributedConfig.
pub fn standby_spec(id: &str, host_ip: &str, options: &str, setup: &Setup) -> String {
    let location = if setup.location_live { "1" } else { "0" };
    let mut s = format!(
        "ServerID:\t{id}\nType:\tserver\nServices:\tstandby\nOptions:\t{options}\nReplicatingFrom:\tmaster\nDescription:\n\tCreated by super.\nDistributedConfig:\n\
         \tP4TARGET={MASTER}\n\tP4TICKETS=/{id}/.p4tickets\n\tdb.replication=readonly\n\tlbr.replication=readonly\n\
         \tmonitor=2\n\trpl.journalcopy.location={location}\n\tserviceUser=service\n\tstartup.1=journalcopy -i 1\n\tstartup.2=pull -L -i 1\n"
    );
    if setup.pull_u {
        s.push_str("\tstartup.3=pull -u -i 1\n");
    }
    let _ = host_ip;
    s
}

fn edge_spec() -> String {
    format!(
        "ServerID:\tedge1\nType:\tserver\nServices:\tedge-server\nOptions:\tnomandatory\nReplicatingFrom:\tmaster\nDescription:\n\tCreated by super.\nDistributedConfig:\n\
         \tP4TARGET={MASTER}\n\tP4TICKETS=/edge1/.p4tickets\n\tdb.replication=readonly\n\tlbr.replication=readonly\n\
         \tserviceUser=service\n\tstartup.1=pull -i 1\n\tstartup.2=pull -u -i 1\n"
    )
}

/// `p4 -u super -p ADDRESS ARGS` on machine `host`.
pub fn p4(rig: &mut Rig, host: &str, address: &str, args: &str) -> Out {
    rig.run(host, &format!("p4 -u super -p {address} {args}"))
}

/// Same, with standard input.
pub fn p4_in(rig: &mut Rig, host: &str, address: &str, args: &str, stdin: &str) -> Out {
    rig.run_with(host, &format!("p4 -u super -p {address} {args}"), stdin)
}

/// Writes a file on a machine.
pub fn write(rig: &Rig, host: &str, path: &str, text: &str) {
    let fs = &rig.world.host(host).unwrap().fs;
    let p = Path::new(path);
    fs.create_dir_all(p.parent().unwrap()).unwrap();
    if fs.exists(p) {
        fs.set_mode(p, 0o644).unwrap();
    }
    fs.write(p, text.as_bytes()).unwrap();
}

/// The workspace on the master.
pub const WS: &str = "-c ws -d /ws";

/// Submits a change of `file` with `text` from the master's workspace.
pub fn submit(rig: &mut Rig, file: &str, text: &str, description: &str) {
    let path = format!("/ws/{file}");
    let exists = rig
        .world
        .host("master")
        .unwrap()
        .fs
        .exists(Path::new(&path));
    if exists {
        p4(rig, "master", MASTER, &format!("{WS} edit {file}")).ok();
    }
    write(rig, "master", &path, text);
    if !exists {
        p4(rig, "master", MASTER, &format!("{WS} add {file}")).ok();
    }
    p4(
        rig,
        "master",
        MASTER,
        &format!("{WS} submit -d '{description}'"),
    )
    .ok();
}

/// A counter's value in a root.
pub fn counter(rig: &Rig, host: &str, root: &str, name: &str) -> Option<String> {
    db(rig, host, root)
        .get("db.counters", &[Value::text(name)])
        .unwrap()
        .map(|r| r[1].as_str().into_owned())
}

/// Carries a checkpoint of the master to `host`, restores it as server
/// `id`, logs the service user in from there, and starts the server.
fn seed_from_checkpoint(
    rig: &mut Rig,
    host: &str,
    id: &str,
    checkpoint: &str,
    copy_archives: bool,
) {
    transfer(
        rig,
        "master",
        &format!("/master/{checkpoint}"),
        host,
        &format!("/tmp/{checkpoint}"),
    );
    let h = rig.world.host(host).unwrap();
    h.fs.rename(
        Path::new(&format!("/tmp/{checkpoint}")),
        Path::new(&format!("/{host}/{checkpoint}")),
    )
    .unwrap();
    rig.run(host, &format!("p4d -r /{host} -xD {id}")).ok();
    rig.run(host, &format!("p4d -r /{host} -jr /{host}/{checkpoint}"))
        .ok();
    // The archives of the checkpointed revisions go along (an rsync of the
    // depot directory), unless the set-up leaves them behind.
    if copy_archives {
        copy_tree(
            rig,
            "master",
            "/master/depot",
            host,
            &format!("/{host}/depot"),
        );
    }
    let out = rig.run_with(
        host,
        &format!("p4 -p {MASTER} -u service -E \"P4TICKETS=/{host}/.p4tickets\" login"),
        &format!("{SERVICE_PASSWORD}\n"),
    );
    assert!(
        out.ok().ends_with("User service logged in.\n"),
        "{}",
        out.stdout
    );
    rig.start(host).ok();
}

/// Copies a directory tree from one machine to another.
pub fn copy_tree(rig: &Rig, from: &str, from_dir: &str, to: &str, to_dir: &str) {
    let src = rig.world.host(from).unwrap();
    let dst = rig.world.host(to).unwrap();
    dst.fs.create_dir_all(Path::new(to_dir)).unwrap();
    for name in src.fs.read_dir(Path::new(from_dir)).unwrap_or_default() {
        let (s, d) = (format!("{from_dir}/{name}"), format!("{to_dir}/{name}"));
        if src.fs.metadata(Path::new(&s)).unwrap().is_dir() {
            copy_tree(rig, from, &s, to, &d);
        } else {
            dst.fs
                .write(Path::new(&d), &src.fs.read(Path::new(&s)).unwrap())
                .unwrap();
        }
    }
}

/// Builds the site of seed 000 sections 1 to 6.
pub fn build(setup: &Setup) -> Rig {
    let master_release = setup.master_release.unwrap_or(setup.release);
    let mut machines = vec![
        ("master", "192.168.56.114", master_release),
        ("standby", "192.168.56.115", setup.release),
    ];
    if setup.second_standby {
        machines.push(("standby2", "192.168.56.116", setup.release));
    }
    if setup.edge {
        machines.push(("edge1", "192.168.56.120", setup.release));
    }
    let mut rig = Rig::with_seed(&machines, setup.seed);
    rig.run("master", "p4d -r /master -xD master").ok();
    rig.start("master").ok();
    p4_in(&mut rig, "master", "master:1666", "server -i", MASTER_SPEC).ok();
    let out = p4_in(
        &mut rig,
        "master",
        "master:1666",
        "server -i",
        &standby_spec("standby", "192.168.56.115", "nomandatory", setup),
    );
    assert_eq!(out.ok(), "Server standby saved.\n");
    if setup.second_standby {
        p4_in(
            &mut rig,
            "master",
            "master:1666",
            "server -i",
            &standby_spec("standby2", "192.168.56.116", "nomandatory", setup),
        )
        .ok();
    }
    if setup.edge {
        p4_in(&mut rig, "master", "master:1666", "server -i", &edge_spec()).ok();
    }
    p4_in(&mut rig, "master", MASTER, "user -f -i", SERVICE_USER).ok();
    p4_in(
        &mut rig,
        "master",
        MASTER,
        "passwd service",
        &format!("{SERVICE_PASSWORD}\n{SERVICE_PASSWORD}\n"),
    )
    .ok();
    p4_in(&mut rig, "master", MASTER, "protect -i", PROTECTIONS).ok();
    // Work before the checkpoint: a workspace, files, counters.
    rig.world
        .host("master")
        .unwrap()
        .fs
        .create_dir_all(Path::new("/ws"))
        .unwrap();
    p4_in(
        &mut rig,
        "master",
        MASTER,
        &format!("{WS} client -i"),
        "Client:\tws\nRoot:\t/ws\nView:\n\t//depot/... //ws/...\n",
    )
    .ok();
    submit(&mut rig, "a.txt", "alpha\n", "first");
    for i in 0..3 {
        p4(
            &mut rig,
            "master",
            MASTER,
            &format!("counter before{i} {i}"),
        )
        .ok();
    }
    // Section 3: the checkpoint.
    let out = p4(&mut rig, "master", MASTER, "admin checkpoint checkpoint");
    assert!(
        out.ok()
            .starts_with("Checkpointing to checkpoint.ckp.1...\n"),
        "{}",
        out.stdout
    );
    // Section 4: the standby (and the others) from it.
    seed_from_checkpoint(
        &mut rig,
        "standby",
        "standby",
        "checkpoint.ckp.1",
        setup.copy_archives,
    );
    if setup.second_standby {
        seed_from_checkpoint(
            &mut rig,
            "standby2",
            "standby2",
            "checkpoint.ckp.1",
            setup.copy_archives,
        );
    }
    if setup.edge {
        seed_from_checkpoint(
            &mut rig,
            "edge1",
            "edge1",
            "checkpoint.ckp.1",
            setup.copy_archives,
        );
    }
    // Work after the checkpoint.
    submit(&mut rig, "b.txt", "bravo\n", "second");
    for i in 0..3 {
        p4(&mut rig, "master", MASTER, &format!("counter after{i} {i}")).ok();
    }
    rig.sleep(3);
    // Section 5.3 and 6.1: the standby has caught up.
    let out = p4(&mut rig, "standby", STANDBY, "pull -lj");
    let (replica, master) = lj_positions(out.ok()).unwrap_or_else(|| panic!("{}", out.stdout));
    assert_eq!(replica, master, "{}", out.stdout);
    // Section 6.2-6.4: mandatory.
    if setup.mandatory {
        set_options(&mut rig, "standby", "mandatory");
    }
    if setup.second_standby {
        set_options(&mut rig, "standby2", "mandatory");
    }
    rig.sleep(2);
    rig
}

/// Sets a server spec's Options through `p4 server -o` / `p4 server -i`
/// on the master.
pub fn set_options(rig: &mut Rig, id: &str, options: &str) {
    let out = p4(rig, "master", "master:1666", &format!("server -o {id}"));
    let form = out
        .ok()
        .replace("Options:\tnomandatory", &format!("Options:\t{options}"));
    p4_in(rig, "master", "master:1666", "server -i", &form).ok();
}

/// Kills the p4d listening on port 1666 of `host` (no clean shutdown).
pub fn crash(rig: &Rig, host: &str) {
    let h = rig.world.host(host).unwrap();
    let p = h.procs.borrow().by_port(1666).expect("a p4d runs there");
    p.control.kill();
    h.procs.borrow_mut().remove(p.pid);
}

/// The server ID in a root.
pub fn server_id(rig: &Rig, host: &str, root: &str) -> String {
    rig.read(host, &format!("{root}/server.id"))
        .trim()
        .to_string()
}

//! Set-up shared by the replication tests: the runbook's machines, the
//! master's specs and service users, replicas seeded from checkpoints.
#![allow(dead_code)]

use std::path::Path;

use p4ha_sim::db::{Db, Value};

use crate::common::Rig;

/// The seed's master and standby.
pub fn runbook_rig(seed: u64) -> Rig {
    Rig::with_seed(
        &[
            ("master", "192.168.56.114", "2019.1"),
            ("standby", "192.168.56.115", "2019.1"),
        ],
        seed,
    )
}

/// A database session over a machine's P4ROOT.
pub fn db(rig: &Rig, host: &str, root: &str) -> Db {
    let h = rig.world.host(host).unwrap();
    Db::open(h.fs.clone(), root, h.installed.get(), false)
}

/// Copies a file from one machine to another (what the runbook does with
/// an FTP tool).
pub fn transfer(rig: &Rig, from: &str, from_path: &str, to: &str, to_path: &str) {
    let bytes = std::fs::read(rig.path(from, from_path)).unwrap();
    let h = rig.world.host(to).unwrap();
    let p = Path::new(to_path);
    h.fs.create_dir_all(p.parent().unwrap()).unwrap();
    h.fs.write(p, &bytes).unwrap();
}

/// The lines of a `pull -lj` output's journal states: (replica, master).
pub fn lj_positions(out: &str) -> Option<((i64, i64), (i64, i64))> {
    let parse = |who: &str| -> Option<(i64, i64)> {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("Current {who} journal state is:")))?;
        let rest = line.split_once("Journal ")?.1;
        let (j, s) = rest.split_once(",\tSequence ")?;
        Some((j.parse().ok()?, s.trim_end_matches('.').parse().ok()?))
    };
    Some((parse("replica")?, parse("master")?))
}

/// The password every replica's service user gets.
pub const SERVICE_PASSWORD: &str = "Service#1";

/// The service user of replica `id` (one per replica, as sites name them).
pub fn service_user(id: &str) -> String {
    format!("svc_{id}")
}

/// Starts the master (`/master`, server ID `master`, commit-server) and,
/// through `p4 server -i`, `p4 user -i`, `p4 passwd` and `p4 protect -i`,
/// gives it the specs of the replicas to come (`(server ID, services
/// word, mandatory)`, replicating from `master`) and a service user for
/// each with `super` access.
pub fn start_master(rig: &mut Rig, replicas: &[(&str, &str, bool)]) {
    rig.run("master", "p4d -r /master -xD master").ok();
    rig.start("master").ok();
    let p4 = "p4 -u super -p master:1666";
    rig.run_with(
        "master",
        &format!("{p4} server -i"),
        "ServerID:\tmaster\nType:\tserver\nServices:\tcommit-server\nDescription:\n\tmaster\n",
    )
    .ok();
    let mut protections =
        String::from("Protections:\n\twrite user * * //...\n\tsuper user super * //...\n");
    for (id, services, mandatory) in replicas {
        let options = if *mandatory {
            "mandatory"
        } else {
            "nomandatory"
        };
        let spec = format!(
            "ServerID:\t{id}\nType:\tserver\nServices:\t{services}\nOptions:\t{options}\nReplicatingFrom:\tmaster\nDescription:\n\t{id}\n"
        );
        rig.run_with("master", &format!("{p4} server -i"), &spec)
            .ok();
        let user = service_user(id);
        rig.run_with(
            "master",
            &format!("{p4} user -f -i"),
            &format!("User:\t{user}\nType:\tservice\nEmail:\t{user}@master\nFullName:\t{user}\n"),
        )
        .ok();
        rig.run_with(
            "master",
            &format!("{p4} passwd {user}"),
            &format!("{SERVICE_PASSWORD}\n{SERVICE_PASSWORD}\n"),
        )
        .ok();
        protections.push_str(&format!("\tsuper user {user} * //...\n"));
    }
    rig.run_with("master", &format!("{p4} protect -i"), &protections)
        .ok();
}

/// `p4 configure set ID#VAR=VALUE` on the master for each setting.
pub fn configure(rig: &mut Rig, id: &str, settings: &[&str]) {
    for s in settings {
        rig.run(
            "master",
            &format!("p4 -u super -p master:1666 configure set \"{id}#{s}\""),
        )
        .ok();
    }
}

/// The usual settings of replica `id` on machine `host`: its target, its
/// service user and ticket file, then `startup` (the `startup.N` values in
/// order).
pub fn configure_replica(rig: &mut Rig, id: &str, host: &str, extra: &[&str], startup: &[&str]) {
    let mut settings = vec![
        "P4TARGET=master:1666".to_string(),
        format!("serviceUser={}", service_user(id)),
        format!("P4TICKETS=/{host}/.p4tickets"),
    ];
    settings.extend(extra.iter().map(|s| s.to_string()));
    for (i, cmd) in startup.iter().enumerate() {
        settings.push(format!("startup.{}={cmd}", i + 1));
    }
    let refs: Vec<&str> = settings.iter().map(String::as_str).collect();
    configure(rig, id, &refs);
}

/// Logs replica `id`'s service user in to the master at `port` from
/// machine `host`, into `/host/.p4tickets` (seed 000 section 5.1).
pub fn login_service(rig: &mut Rig, id: &str, host: &str, port: &str) {
    let out = rig.run_with(
        host,
        &format!(
            "p4 -p {port} -u {} -E \"P4TICKETS=/{host}/.p4tickets\" login",
            service_user(id)
        ),
        &format!("{SERVICE_PASSWORD}\n"),
    );
    assert!(out.ok().ends_with(" logged in.\n"), "{}", out.stdout);
}

/// Builds replica `id` on machine `host` (root `/host`) from a new
/// checkpoint of the master, logs its service user in, and starts it.
pub fn seed_replica(rig: &mut Rig, host: &str, id: &str) {
    rig.run("master", "p4 -u super -p master:1666 admin checkpoint")
        .ok();
    let n = db(rig, "master", "/master")
        .get("db.counters", &[Value::text("journal")])
        .unwrap()
        .map(|r| r[1].as_int())
        .unwrap();
    let name = format!("checkpoint.{n}");
    transfer(
        rig,
        "master",
        &format!("/master/{name}"),
        host,
        &format!("/{host}/{name}"),
    );
    rig.run(host, &format!("p4d -r /{host} -xD {id}")).ok();
    rig.run(host, &format!("p4d -r /{host} -jr /{host}/{name}"))
        .ok();
    login_service(rig, id, host, "master:1666");
    rig.start(host).ok();
}

/// Sets `Options: mandatory` (or not) in a server spec, through `p4 server
/// -o` and `p4 server -i` on the master.
pub fn set_mandatory(rig: &mut Rig, id: &str, mandatory: bool) {
    let out = rig.run(
        "master",
        &format!("p4 -u super -p master:1666 server -o {id}"),
    );
    let (from, to) = if mandatory {
        ("nomandatory", "mandatory")
    } else {
        ("mandatory", "nomandatory")
    };
    let form = out
        .ok()
        .replace(&format!("Options:\t{from}"), &format!("Options:\t{to}"));
    rig.run_with("master", "p4 -u super -p master:1666 server -i", &form)
        .ok();
}

/// The position `p4 journalcopy -l` prints.
pub fn jcopy_position(out: &str) -> Option<(i64, i64)> {
    let rest = out.strip_prefix("Current replica persisted journal state is:\tJournal ")?;
    let (j, s) = rest.trim_end().split_once(",\tSequence ")?;
    Some((j.parse().ok()?, s.trim_end_matches('.').parse().ok()?))
}

//! Shared by the docker tests: whether an engine answers, topologies, and
//! counting what a scenario left on the engine.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::PathBuf;

use p4ha_backend::{Exec, ExecOutput, Machine, Topology};
use p4ha_docker::cleanup::{Leftover, find_leftovers};
use p4ha_docker::{DockerBackend, DockerOptions, ImageChoice};

/// Whether the docker tests can run: an engine answers. Without one they
/// are skipped with the reason printed, except on CI (`CI=true`), where a
/// missing engine fails them.
pub fn engine_or_skip(test: &str) -> bool {
    match p4ha_docker::engine_available() {
        Ok(_) => true,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{test}: CI=true and no Docker engine: {e}");
            }
            eprintln!("skipping {test}: {e}");
            false
        }
    }
}

/// The p4ha executable under test (packaged into the simulator's image).
pub fn p4ha() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_p4ha"))
}

/// Options for the simulator's image of the p4ha under test.
pub fn sim_options() -> DockerOptions {
    DockerOptions {
        images: ImageChoice::Simulator,
        executable: Some(p4ha()),
        progress: false,
        handle_signals: false,
        ..DockerOptions::default()
    }
}

/// A machine with a root login in Tokyo.
pub fn machine(name: &str, ip: Option<Ipv4Addr>) -> Machine {
    Machine {
        name: name.to_string(),
        hostname: name.to_string(),
        ip,
        aliases: Vec::new(),
        version: "2019.1".to_string(),
        timezone: "Asia/Tokyo".to_string(),
        env: BTreeMap::from([
            ("HOME".to_string(), "/root".to_string()),
            ("USER".to_string(), "root".to_string()),
            ("PATH".to_string(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/perforce/bin:/opt/perforce/sbin".to_string()),
            ("TZ".to_string(), "Asia/Tokyo".to_string()),
        ]),
        image: None,
    }
}

/// A topology named `name`.
pub fn topology(name: &str, machines: Vec<Machine>) -> Topology {
    Topology {
        name: name.to_string(),
        seed: 0,
        start_epoch: None,
        machines,
    }
}

/// Runs a script and returns what it printed.
pub fn sh(b: &mut DockerBackend, machine: &str, script: &str) -> ExecOutput {
    use p4ha_backend::Backend;
    b.exec(
        machine,
        &Exec {
            script: script.to_string(),
            ..Exec::default()
        },
    )
    .expect("exec")
}

/// Text of an output's stdout.
pub fn stdout(o: &ExecOutput) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Text of an output's stderr.
pub fn stderr(o: &ExecOutput) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The resources on the engine that belong to runs of `scenario`.
pub fn leftovers_of(scenario: &str) -> Vec<Leftover> {
    find_leftovers()
        .expect("list the engine's resources")
        .into_iter()
        .filter(|l| l.scenario == scenario)
        .collect()
}

/// A p4dctl configuration for a server.
pub fn p4dctl_conf(name: &str, root: &str, port: u16) -> String {
    format!(
        "p4d {name}\n{{\n    Owner    =    perforce\n    Execute  =    /opt/perforce/sbin/p4d\n    Environment\n    {{\n        P4ROOT    =    {root}\n        P4PORT    =    {port}\n        TZ        =    Asia/Tokyo\n        PATH      =    /bin:/usr/bin:/usr/local/bin:/opt/perforce/bin:/opt/perforce/sbin\n    }}\n}}\n"
    )
}

//! Where each server of a scenario lives: its machine, root, port, p4dctl
//! name and journal, and the [`Topology`] handed to the backend.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use p4ha_backend::{Machine, Topology};
use p4ha_scenario::{Scenario, Server};

/// The login `PATH` of every machine: the system's folders and those of
/// Helix Core's packages.
pub const LOGIN_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/perforce/bin:/opt/perforce/sbin";

/// The `PATH` written into p4dctl configurations (seed 000's file).
pub const P4DCTL_PATH: &str = "/bin:/usr/bin:/usr/local/bin:/opt/perforce/bin:/opt/perforce/sbin";

/// First address given to a machine the scenario gives none: a private
/// range, the same on every backend, so that outputs naming addresses
/// match.
const FIRST_ADDRESS: Ipv4Addr = Ipv4Addr::new(10, 56, 0, 10);

/// Virtual start time when the scenario fixes none: 2019-10-18 13:00:00
/// JST, the day of the HA runbook's transcripts.
pub const DEFAULT_START_EPOCH: i64 = 1_571_371_200;

/// One server as the runner addresses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The server's name in the scenario.
    pub server: String,
    /// The machine it runs on (its host name).
    pub machine: String,
    /// The machine's address.
    pub ip: Ipv4Addr,
    /// P4ROOT.
    pub root: String,
    /// The port p4d listens on.
    pub port: u16,
    /// `p4dctl start NAME`.
    pub p4dctl_name: String,
    /// The live journal: P4JOURNAL if set (relative to the root when
    /// relative), else `ROOT/journal`.
    pub journal: String,
}

/// Every server's placement, by server name, and the machines.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Placements by server name.
    pub servers: BTreeMap<String, Placement>,
    /// The topology for the backend.
    pub topology: Topology,
}

impl Plan {
    /// Lays out the scenario's servers on machines: servers with the same
    /// `host` share one.
    pub fn new(scenario: &Scenario, seed: u64) -> Plan {
        let mut machines: Vec<Machine> = Vec::new();
        let mut fixed: BTreeMap<String, Ipv4Addr> = BTreeMap::new();
        for s in &scenario.servers {
            if let Some(ip) = s.ip {
                fixed.entry(s.host.clone()).or_insert(ip);
            }
        }
        let taken: Vec<Ipv4Addr> = fixed.values().copied().collect();
        let mut next = u32::from(FIRST_ADDRESS);
        let mut ips: BTreeMap<String, Ipv4Addr> = BTreeMap::new();
        for s in &scenario.servers {
            if ips.contains_key(&s.host) {
                continue;
            }
            let ip = match fixed.get(&s.host) {
                Some(ip) => *ip,
                None => {
                    while taken.contains(&Ipv4Addr::from(next)) {
                        next += 1;
                    }
                    next += 1;
                    Ipv4Addr::from(next - 1)
                }
            };
            ips.insert(s.host.clone(), ip);
            machines.push(Machine {
                name: s.host.clone(),
                hostname: s.host.clone(),
                ip: Some(ip),
                aliases: Vec::new(),
                version: s.version.to_string(),
                timezone: s.timezone.clone(),
                env: login_env(s),
                image: s.image.clone(),
            });
        }
        // Server names that differ from their host name resolve too, as an
        // administrator's /etc/hosts would have them.
        for s in &scenario.servers {
            if s.name != s.host
                && let Some(m) = machines.iter_mut().find(|m| m.name == s.host)
                && !m.aliases.contains(&s.name)
                && !ips.contains_key(&s.name)
            {
                m.aliases.push(s.name.clone());
            }
        }
        let servers = scenario
            .servers
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    Placement {
                        server: s.name.clone(),
                        machine: s.host.clone(),
                        ip: ips.get(&s.host).copied().unwrap_or(FIRST_ADDRESS),
                        root: s.root.clone(),
                        port: s.port,
                        p4dctl_name: s.p4dctl.name.clone(),
                        journal: journal_path(s),
                    },
                )
            })
            .collect();
        let topology = Topology {
            name: scenario.name.clone(),
            seed,
            start_epoch: Some(
                scenario
                    .clock
                    .map(|t| t.as_second())
                    .unwrap_or(DEFAULT_START_EPOCH),
            ),
            machines,
        };
        Plan { servers, topology }
    }

    /// The placement of a server named in the scenario.
    pub fn get(&self, server: &str) -> Option<&Placement> {
        self.servers.get(server)
    }

    /// The server a p4 port string names, as seen from `machine`:
    /// `1666`, `host:1666`, `192.168.56.114:1666`, `tcp:host:1666`,
    /// `localhost:1666`.
    pub fn server_at(&self, machine: &str, port: &str) -> Option<&Placement> {
        let mut rest = port.trim();
        for proto in [
            "tcp4:", "tcp6:", "tcp:", "ssl4:", "ssl6:", "ssl:", "tcp46:", "ssl46:",
        ] {
            if let Some(r) = rest.strip_prefix(proto) {
                rest = r;
                break;
            }
        }
        let (host, number) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, p),
            None => ("", rest),
        };
        let number: u16 = number.parse().ok()?;
        let local = host.is_empty() || host == "localhost" || host == "127.0.0.1";
        let target_machine = if local {
            machine.to_string()
        } else {
            self.topology
                .machines
                .iter()
                .find(|m| {
                    m.name == host
                        || m.hostname == host
                        || m.aliases.iter().any(|a| a == host)
                        || m.ip.is_some_and(|ip| ip.to_string() == host)
                })?
                .name
                .clone()
        };
        self.servers
            .values()
            .find(|p| p.machine == target_machine && p.port == number)
    }

    /// The server whose root is `root` on `machine`.
    pub fn server_with_root(&self, machine: &str, root: &str) -> Option<&Placement> {
        let root = root.trim_end_matches('/');
        self.servers
            .values()
            .find(|p| p.machine == machine && p.root.trim_end_matches('/') == root)
    }
}

/// The login environment of a server's machine: a root login in the
/// machine's time zone. Identical on every backend so that outputs match.
fn login_env(s: &Server) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("HOME".to_string(), "/root".to_string()),
        ("USER".to_string(), "root".to_string()),
        ("LOGNAME".to_string(), "root".to_string()),
        ("SHELL".to_string(), "/bin/sh".to_string()),
        ("PATH".to_string(), LOGIN_PATH.to_string()),
        ("TZ".to_string(), s.timezone.clone()),
    ])
}

/// The live journal of a server.
fn journal_path(s: &Server) -> String {
    match &s.journal {
        Some(j) if j.starts_with('/') => j.clone(),
        Some(j) => format!("{}/{}", s.root.trim_end_matches('/'), j),
        None => format!("{}/journal", s.root.trim_end_matches('/')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(text: &str) -> Scenario {
        p4ha_scenario::load_str("t.yaml", text).expect("valid scenario")
    }

    #[test]
    fn machines_addresses_and_ports() {
        let s = scenario(
            r#"
servers:
  master: {version: "2019.1", services: commit-server, ip: 192.168.56.114}
  standby: {version: "2019.1", services: standby}
  edge1: {version: "2019.1", services: edge-server, host: standby, port: 1667, journal: jnl/journal}
steps:
  - {on: master, run: "true"}
"#,
        );
        let plan = Plan::new(&s, 3);
        let names: Vec<&str> = plan
            .topology
            .machines
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(names, ["master", "standby"]);
        assert_eq!(
            plan.get("standby").unwrap().ip,
            Ipv4Addr::new(10, 56, 0, 10)
        );
        assert_eq!(plan.topology.machines[1].aliases, ["edge1"]);
        assert_eq!(plan.get("edge1").unwrap().journal, "/edge1/jnl/journal");
        assert_eq!(plan.get("master").unwrap().journal, "/master/journal");
        assert_eq!(plan.server_at("standby", "1667").unwrap().server, "edge1");
        assert_eq!(
            plan.server_at("master", "192.168.56.114:1666")
                .unwrap()
                .server,
            "master"
        );
        assert_eq!(
            plan.server_at("master", "tcp:standby:1666").unwrap().server,
            "standby"
        );
        assert_eq!(
            plan.server_at("standby", "localhost:1666").unwrap().server,
            "standby"
        );
        assert!(plan.server_at("master", "elsewhere:1666").is_none());
        assert_eq!(
            plan.server_with_root("standby", "/edge1/").unwrap().server,
            "edge1"
        );
    }
}

//! Network faults of a run: which paths are cut and which ports blocked,
//! and how each machine is told.
//!
//! A machine of a real p4d image gets iptables rules (its container has
//! `NET_ADMIN`): `refuse` is a TCP reset (`Connection refused`), `reject`
//! an ICMP host-prohibited answer (`No route to host`, as p4 prints it in
//! seed 000 section 10), `drop` silence (the connection times out). A
//! machine of the simulator's image has no firewall: the backend writes
//! the rules that concern it into its [`p4ha_sim::net::FAULTS_FILE`], which
//! the simulator's programs consult before each outgoing connection;
//! connections that are allowed still go over the real network.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};

use p4ha_backend::CutMode;
use p4ha_sim::net::{BlockMode, NetFaults};

/// The cuts and blocks in force, by machine name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetState {
    /// Cut paths: the pair in name order, and how they fail.
    pub partitions: BTreeMap<(String, String), CutMode>,
    /// Blocked inbound ports: machine and port.
    pub blocks: BTreeMap<(String, u16), CutMode>,
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

fn block_mode(mode: CutMode) -> BlockMode {
    match mode {
        CutMode::Refuse => BlockMode::Refuse,
        CutMode::Drop => BlockMode::Drop,
        CutMode::Reject => BlockMode::Reject,
    }
}

impl NetState {
    /// Cuts the path between two machines (replacing an earlier cut).
    pub fn partition(&mut self, a: &str, b: &str, mode: CutMode) -> Option<CutMode> {
        self.partitions.insert(pair(a, b), mode)
    }

    /// Restores it; the mode it had.
    pub fn heal(&mut self, a: &str, b: &str) -> Option<CutMode> {
        self.partitions.remove(&pair(a, b))
    }

    /// Blocks a port of a machine (replacing an earlier block).
    pub fn block(&mut self, machine: &str, port: u16, mode: CutMode) -> Option<CutMode> {
        self.blocks.insert((machine.to_string(), port), mode)
    }

    /// Lifts a block; the mode it had.
    pub fn unblock(&mut self, machine: &str, port: u16) -> Option<CutMode> {
        self.blocks.remove(&(machine.to_string(), port))
    }

    /// The rules file of `machine`: cuts to its partition peers, blocks of
    /// other machines' ports. `ips` gives every machine's address.
    pub fn rules_for(&self, machine: &str, ips: &BTreeMap<String, Ipv4Addr>) -> NetFaults {
        let mut rules = NetFaults::default();
        for ((a, b), mode) in &self.partitions {
            let peer = if a == machine {
                b
            } else if b == machine {
                a
            } else {
                continue;
            };
            if let Some(ip) = ips.get(peer) {
                rules.cuts.insert((*ip).into(), block_mode(*mode));
            }
        }
        for ((m, port), mode) in &self.blocks {
            if m != machine
                && let Some(ip) = ips.get(m)
            {
                rules
                    .blocks
                    .insert(SocketAddr::new((*ip).into(), *port), block_mode(*mode));
            }
        }
        rules
    }
}

/// The iptables target of a mode.
fn target(mode: CutMode) -> &'static str {
    match mode {
        CutMode::Refuse => "-p tcp -j REJECT --reject-with tcp-reset",
        CutMode::Reject => "-j REJECT --reject-with icmp-host-prohibited",
        CutMode::Drop => "-j DROP",
    }
}

/// Whether a rule is added or deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `-I` (first in the chain).
    Add,
    /// `-D`.
    Delete,
}

fn verb(change: Change) -> &'static str {
    match change {
        Change::Add => "-I",
        Change::Delete => "-D",
    }
}

/// The iptables commands, run on one end, that cut (or restore) the path
/// to `peer`: nothing from it comes in, nothing to it goes out.
pub fn iptables_partition(peer: Ipv4Addr, mode: CutMode, change: Change) -> String {
    let v = verb(change);
    let t = target(mode);
    format!("iptables -w {v} INPUT -s {peer} {t} && iptables -w {v} OUTPUT -d {peer} {t}")
}

/// The iptables command that blocks (or unblocks) connections to a port
/// from other machines (the machine itself still reaches it, as on a host
/// whose firewall leaves loopback alone).
pub fn iptables_block(port: u16, mode: CutMode, change: Change) -> String {
    let v = verb(change);
    match mode {
        CutMode::Refuse => format!(
            "iptables -w {v} INPUT ! -i lo -p tcp --dport {port} -j REJECT --reject-with tcp-reset"
        ),
        CutMode::Reject => {
            format!(
                "iptables -w {v} INPUT ! -i lo -p tcp --dport {port} -j REJECT --reject-with icmp-host-prohibited"
            )
        }
        CutMode::Drop => format!("iptables -w {v} INPUT ! -i lo -p tcp --dport {port} -j DROP"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_machine_gets_the_rules_that_concern_it() {
        let ips = BTreeMap::from([
            ("master".to_string(), Ipv4Addr::new(192, 168, 56, 114)),
            ("standby".to_string(), Ipv4Addr::new(192, 168, 56, 115)),
            ("edge".to_string(), Ipv4Addr::new(192, 168, 56, 116)),
        ]);
        let mut s = NetState::default();
        s.partition("standby", "master", CutMode::Reject);
        s.block("master", 1666, CutMode::Refuse);
        let master = s.rules_for("master", &ips);
        assert_eq!(
            master.render(),
            "# p4ha network faults: consulted before every outgoing connection\ncut 192.168.56.115 reject\n"
        );
        let edge = s.rules_for("edge", &ips);
        assert_eq!(
            edge.blocked("192.168.56.114:1666".parse().unwrap()),
            Some(BlockMode::Refuse)
        );
        assert_eq!(edge.blocked("192.168.56.115:1666".parse().unwrap()), None);
        assert_eq!(s.heal("master", "standby"), Some(CutMode::Reject));
        assert!(s.rules_for("master", &ips).cuts.is_empty());
    }

    #[test]
    fn iptables_rules_match_the_modes() {
        assert_eq!(
            iptables_partition(Ipv4Addr::new(10, 0, 0, 2), CutMode::Reject, Change::Add),
            "iptables -w -I INPUT -s 10.0.0.2 -j REJECT --reject-with icmp-host-prohibited && iptables -w -I OUTPUT -d 10.0.0.2 -j REJECT --reject-with icmp-host-prohibited"
        );
        assert!(
            iptables_block(1666, CutMode::Refuse, Change::Delete)
                .starts_with("iptables -w -D INPUT ! -i lo -p tcp --dport 1666")
        );
    }
}

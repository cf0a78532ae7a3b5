//! The `Services` of a server spec and their bit masks in `db.server`.

use std::fmt;
use std::str::FromStr;

/// What a server is for (`Services:` in its spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Services {
    /// A standalone server.
    Standard,
    /// A read-only replica (`pull`).
    Replica,
    /// A replica that forwards commands upstream.
    ForwardingReplica,
    /// A build-farm replica.
    BuildServer,
    /// An edge server.
    EdgeServer,
    /// The commit server of a commit/edge installation.
    CommitServer,
    /// A standby (`journalcopy` + `pull -L`).
    Standby,
    /// A forwarding standby.
    ForwardingStandby,
}

impl Services {
    /// Every kind, for listing.
    pub const ALL: [Services; 8] = [
        Services::Standard,
        Services::Replica,
        Services::ForwardingReplica,
        Services::BuildServer,
        Services::EdgeServer,
        Services::CommitServer,
        Services::Standby,
        Services::ForwardingStandby,
    ];

    /// The spec word (`commit-server`).
    pub fn as_str(self) -> &'static str {
        match self {
            Services::Standard => "standard",
            Services::Replica => "replica",
            Services::ForwardingReplica => "forwarding-replica",
            Services::BuildServer => "build-server",
            Services::EdgeServer => "edge-server",
            Services::CommitServer => "commit-server",
            Services::Standby => "standby",
            Services::ForwardingStandby => "forwarding-standby",
        }
    }

    /// The `db.server.services` bit mask (reference 2.2).
    pub fn bits(self) -> u32 {
        match self {
            Services::Standard => 0x0903,
            Services::Replica => 0x0945,
            Services::ForwardingReplica => 0x09E5,
            Services::BuildServer => 0x094D,
            Services::EdgeServer => 0x19ED,
            Services::CommitServer => 0x2F03,
            Services::Standby => 0x8945,
            Services::ForwardingStandby => 0x89E5,
        }
    }

    /// The kind a bit mask stands for (standard when unknown).
    pub fn from_bits(bits: u32) -> Services {
        Self::ALL
            .into_iter()
            .find(|s| s.bits() == bits)
            .unwrap_or(Services::Standard)
    }

    /// True for servers that replicate metadata from a target.
    pub fn is_replica(self) -> bool {
        self.bits() & 0x4 != 0
    }

    /// True for standbys (journalcopy).
    pub fn is_standby(self) -> bool {
        self.bits() & 0x8000 != 0
    }

    /// True for servers that forward commands upstream.
    pub fn forwards(self) -> bool {
        self.bits() & 0x20 != 0
    }

    /// True for an edge server.
    pub fn is_edge(self) -> bool {
        self == Services::EdgeServer
    }
}

impl fmt::Display for Services {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Services {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| s.trim().to_string())
    }
}

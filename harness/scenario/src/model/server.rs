//! The servers of a scenario's topology.

use std::fmt;
use std::net::Ipv4Addr;

use super::location::Location;
use super::version::Version;

/// A p4d server's `Services` field (its role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Services {
    /// A stand-alone server (p4d's default).
    Standard,
    /// The commit server (the master of a replicated installation).
    CommitServer,
    /// A standby: a read-only replica that journalcopies, ready for failover.
    Standby,
    /// A standby that also forwards commands.
    ForwardingStandby,
    /// An edge server.
    EdgeServer,
    /// A read-only replica.
    Replica,
    /// A replica that forwards commands that write.
    ForwardingReplica,
    /// A build server.
    BuildServer,
}

impl Services {
    /// Every value, in documentation order.
    pub const ALL: [Services; 8] = [
        Services::Standard,
        Services::CommitServer,
        Services::Standby,
        Services::ForwardingStandby,
        Services::EdgeServer,
        Services::Replica,
        Services::ForwardingReplica,
        Services::BuildServer,
    ];

    /// The value as p4d writes it in the server spec.
    pub fn as_str(self) -> &'static str {
        match self {
            Services::Standard => "standard",
            Services::CommitServer => "commit-server",
            Services::Standby => "standby",
            Services::ForwardingStandby => "forwarding-standby",
            Services::EdgeServer => "edge-server",
            Services::Replica => "replica",
            Services::ForwardingReplica => "forwarding-replica",
            Services::BuildServer => "build-server",
        }
    }

    /// The value for a spec text, if it is one.
    pub fn from_name(name: &str) -> Option<Services> {
        Services::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether the server is a standby (a failover target).
    pub fn is_standby(self) -> bool {
        matches!(self, Services::Standby | Services::ForwardingStandby)
    }

    /// Whether the server is the master of its installation.
    pub fn is_master(self) -> bool {
        matches!(self, Services::Standard | Services::CommitServer)
    }
}

impl fmt::Display for Services {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What exists on a server's host when the scenario starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServerState {
    /// p4d installed, an empty root, started through p4dctl (the default).
    #[default]
    Running,
    /// p4d installed and configured, not started.
    Stopped,
    /// Only the machine: no root directory, no p4dctl configuration.
    Empty,
}

impl ServerState {
    /// The value as written in a scenario.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerState::Running => "running",
            ServerState::Stopped => "stopped",
            ServerState::Empty => "empty",
        }
    }
}

/// How p4d compares file names (the `-C` flag of a fresh server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseHandling {
    /// Case-sensitive, `-C0` (the default on Unix).
    #[default]
    Unix,
    /// Case-insensitive, `-C1`.
    Windows,
}

impl CaseHandling {
    /// The value as written in a scenario.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseHandling::Unix => "unix",
            CaseHandling::Windows => "windows",
        }
    }

    /// The p4d flag that selects it.
    pub fn flag(self) -> &'static str {
        match self {
            CaseHandling::Unix => "-C0",
            CaseHandling::Windows => "-C1",
        }
    }
}

/// The p4dctl configuration written for a server
/// (`/etc/perforce/p4dctl.conf.d/NAME.conf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct P4dctl {
    /// The p4dctl server name (`p4dctl start NAME`); default: the server's name.
    pub name: String,
    /// Extra `VAR = value` lines of its environment block, in file order
    /// (P4ROOT, P4PORT, P4JOURNAL come from the server's own keys).
    pub environment: Vec<(String, String)>,
}

/// One server of the topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// The name steps use for it (its key under `servers:`).
    pub name: String,
    /// Where it is defined.
    pub location: Location,
    /// The host name on the scenario's network (default: the name).
    pub host: String,
    /// A fixed IPv4 address, if the scenario gives one.
    pub ip: Option<Ipv4Addr>,
    /// The port p4d listens on (default 1666).
    pub port: u16,
    /// P4ROOT (default `/NAME`).
    pub root: String,
    /// The server ID (`p4d -xD`; default: the name).
    pub server_id: String,
    /// The server's role.
    pub services: Services,
    /// The p4d release it runs.
    pub version: Version,
    /// IANA time zone of the host and p4d (default `UTC`).
    pub timezone: String,
    /// Case handling of a fresh server.
    pub case: CaseHandling,
    /// P4JOURNAL, when set.
    pub journal: Option<String>,
    /// What exists when the scenario starts.
    pub state: ServerState,
    /// Its p4dctl configuration.
    pub p4dctl: P4dctl,
    /// Default environment for commands run on its host, in order
    /// (P4PORT defaults to [`Server::address`]).
    pub env: Vec<(String, String)>,
    /// Container image override for the docker backend.
    pub image: Option<String>,
}

impl Server {
    /// `host:port`, the address clients on the network use.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

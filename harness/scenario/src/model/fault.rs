//! Faults a scenario injects: network cuts, crashes, full disks, damaged
//! files, clocks and time zones.

use std::fmt;

/// How a cut network path or a blocked port fails a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetMode {
    /// The peer answers with a reset: `connect: ...: Connection refused`.
    Refuse,
    /// Packets vanish: connections hang until they time out.
    Drop,
    /// An ICMP error comes back: `connect: ...: No route to host`.
    Reject,
}

impl NetMode {
    /// Every mode, in documentation order.
    pub const ALL: [NetMode; 3] = [NetMode::Refuse, NetMode::Drop, NetMode::Reject];

    /// The mode as written in a scenario.
    pub fn as_str(self) -> &'static str {
        match self {
            NetMode::Refuse => "refuse",
            NetMode::Drop => "drop",
            NetMode::Reject => "reject",
        }
    }
}

impl fmt::Display for NetMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fault, injected at the point of the scenario where its step stands.
///
/// Server names refer to [`Server::name`](super::Server::name); the loader has
/// checked that they exist. Paths are absolute paths on the server's host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Cut the network between two servers' hosts, both directions.
    Partition {
        /// The two servers.
        between: [String; 2],
        /// How connections fail (default [`NetMode::Drop`]).
        mode: NetMode,
    },
    /// Restore the network between two servers, or everywhere when `None`.
    Heal {
        /// The two servers, or `None` for every partition.
        between: Option<[String; 2]>,
    },
    /// Kill the server's p4d without a clean shutdown.
    Crash {
        /// The server.
        server: String,
    },
    /// Shut the server down cleanly.
    Stop {
        /// The server.
        server: String,
    },
    /// Start the server's p4d.
    Start {
        /// The server.
        server: String,
    },
    /// Block incoming connections to a port on the server's host, as a
    /// firewall does.
    BlockPort {
        /// The server whose host gets the firewall rule.
        server: String,
        /// The blocked port (default: the server's port).
        port: u16,
        /// How connections fail (default [`NetMode::Reject`]).
        mode: NetMode,
    },
    /// Remove a port block, or every block on the host when `port` is `None`.
    UnblockPort {
        /// The server.
        server: String,
        /// The port, or `None` for every blocked port.
        port: Option<u16>,
    },
    /// The file system holding `path` refuses to grow (writes fail with "No
    /// space left on device").
    DiskFull {
        /// The server.
        server: String,
        /// A path on the full file system (default: the server's root).
        path: String,
    },
    /// The file system holding `path` has room again.
    DiskFree {
        /// The server.
        server: String,
        /// A path on that file system (default: the server's root).
        path: String,
    },
    /// Cut a file to `size` bytes.
    Truncate {
        /// The server.
        server: String,
        /// The file.
        path: String,
        /// The new length in bytes.
        size: u64,
    },
    /// Flip the bits of one byte of a file.
    Corrupt {
        /// The server.
        server: String,
        /// The file.
        path: String,
        /// Offset of the byte; a negative offset counts from the end (-1 is
        /// the last byte).
        offset: i64,
    },
    /// Move the host's clock by a number of seconds (negative: back).
    ClockSkew {
        /// The server.
        server: String,
        /// The offset in seconds.
        seconds: i64,
    },
    /// Change the time zone the server's p4d runs in (takes effect as the
    /// process reads it, as `TZ` does).
    Timezone {
        /// The server.
        server: String,
        /// The IANA name of the new zone.
        timezone: String,
    },
    /// Freeze the server's p4d (a hung server: connections open, nothing
    /// answers).
    Pause {
        /// The server.
        server: String,
    },
    /// Let a paused p4d run again.
    Resume {
        /// The server.
        server: String,
    },
}

impl Fault {
    /// Every `fault:` name, in documentation order.
    pub const NAMES: [&'static str; 15] = [
        "partition",
        "heal",
        "crash",
        "stop",
        "start",
        "block-port",
        "unblock-port",
        "disk-full",
        "disk-free",
        "truncate",
        "corrupt",
        "clock-skew",
        "timezone",
        "pause",
        "resume",
    ];

    /// The fault's name as written after `fault:`.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Partition { .. } => "partition",
            Fault::Heal { .. } => "heal",
            Fault::Crash { .. } => "crash",
            Fault::Stop { .. } => "stop",
            Fault::Start { .. } => "start",
            Fault::BlockPort { .. } => "block-port",
            Fault::UnblockPort { .. } => "unblock-port",
            Fault::DiskFull { .. } => "disk-full",
            Fault::DiskFree { .. } => "disk-free",
            Fault::Truncate { .. } => "truncate",
            Fault::Corrupt { .. } => "corrupt",
            Fault::ClockSkew { .. } => "clock-skew",
            Fault::Timezone { .. } => "timezone",
            Fault::Pause { .. } => "pause",
            Fault::Resume { .. } => "resume",
        }
    }

    /// The servers the fault acts on.
    pub fn servers(&self) -> Vec<&str> {
        match self {
            Fault::Partition { between, .. } => between.iter().map(String::as_str).collect(),
            Fault::Heal { between } => between
                .iter()
                .flat_map(|pair| pair.iter().map(String::as_str))
                .collect(),
            Fault::Crash { server }
            | Fault::Stop { server }
            | Fault::Start { server }
            | Fault::BlockPort { server, .. }
            | Fault::UnblockPort { server, .. }
            | Fault::DiskFull { server, .. }
            | Fault::DiskFree { server, .. }
            | Fault::Truncate { server, .. }
            | Fault::Corrupt { server, .. }
            | Fault::ClockSkew { server, .. }
            | Fault::Timezone { server, .. }
            | Fault::Pause { server }
            | Fault::Resume { server } => vec![server.as_str()],
        }
    }
}

impl fmt::Display for Fault {
    /// A one-line summary for progress lines and reports.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Partition { between, mode } => {
                write!(f, "partition {} <-> {} ({mode})", between[0], between[1])
            }
            Fault::Heal { between: Some(b) } => write!(f, "heal {} <-> {}", b[0], b[1]),
            Fault::Heal { between: None } => f.write_str("heal every partition"),
            Fault::BlockPort { server, port, mode } => {
                write!(f, "block-port {server}:{port} ({mode})")
            }
            Fault::UnblockPort {
                server,
                port: Some(port),
            } => {
                write!(f, "unblock-port {server}:{port}")
            }
            Fault::UnblockPort { server, port: None } => write!(f, "unblock-port {server} (all)"),
            Fault::DiskFull { server, path } | Fault::DiskFree { server, path } => {
                write!(f, "{} {server}:{path}", self.name())
            }
            Fault::Truncate { server, path, size } => {
                write!(f, "truncate {server}:{path} to {size} bytes")
            }
            Fault::Corrupt {
                server,
                path,
                offset,
            } => {
                write!(f, "corrupt {server}:{path} at byte {offset}")
            }
            Fault::ClockSkew { server, seconds } => {
                write!(f, "clock-skew {server} by {seconds:+}s")
            }
            Fault::Timezone { server, timezone } => write!(f, "timezone {server} {timezone}"),
            Fault::Crash { server }
            | Fault::Stop { server }
            | Fault::Start { server }
            | Fault::Pause { server }
            | Fault::Resume { server } => write!(f, "{} {server}", self.name()),
        }
    }
}

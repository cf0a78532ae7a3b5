//! The contract between the scenario runner and whatever runs the servers.
//!
//! A scenario never knows which backend runs it. The runner asks a
//! [`Backend`] to bring up machines, run shell command lines on them, move
//! files, inject faults and let time pass; the embedded simulator and the
//! Docker backend both implement it. Everything a runbook does to a server
//! (installing it, `p4dctl start`, `p4d -jr`) goes through [`Backend::exec`],
//! so both backends see the same command lines.
//!
//! This crate is an API boundary: it holds only the types of that contract.

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::time::Duration;

/// The machines of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    /// A name for the run (scenario name), used for labels and folders.
    pub name: String,
    /// Seed of every random choice the backend makes.
    pub seed: u64,
    /// Virtual start time (epoch seconds) for backends with virtual time.
    pub start_epoch: Option<i64>,
    /// The machines, one per server.
    pub machines: Vec<Machine>,
}

/// One machine and the p4d installed on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    /// Name used by steps (`on: master`), also the server's name.
    pub name: String,
    /// Host name on the network.
    pub hostname: String,
    /// Fixed IPv4 address, if the scenario gives one.
    pub ip: Option<Ipv4Addr>,
    /// Other names that resolve to this machine.
    pub aliases: Vec<String>,
    /// p4d release installed (`2019.1`).
    pub version: String,
    /// The machine's time zone (its `TZ`).
    pub timezone: String,
    /// Login environment for commands run on it.
    pub env: BTreeMap<String, String>,
    /// Container image to use, when the backend has images.
    pub image: Option<String>,
}

/// One shell command line to run on a machine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exec {
    /// The command line (a POSIX shell script; may span lines).
    pub script: String,
    /// Standard input.
    pub stdin: Vec<u8>,
    /// Extra environment.
    pub env: BTreeMap<String, String>,
    /// Working directory (default: the user's home).
    pub cwd: Option<String>,
    /// Longest the command may run (in the backend's time).
    pub timeout: Duration,
}

/// What a command printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecOutput {
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
    /// Exit status (`None` when it did not finish in time).
    pub status: Option<i32>,
}

/// How a cut network path fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CutMode {
    /// `Connection refused`.
    Refuse,
    /// Packets dropped: connections time out.
    Drop,
    /// `No route to host`.
    Reject,
}

impl fmt::Display for CutMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CutMode::Refuse => "refuse",
            CutMode::Drop => "drop",
            CutMode::Reject => "reject",
        })
    }
}

/// A fault to inject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Kill the p4d serving `root` on `machine` (no clean shutdown).
    Crash { machine: String, root: String },
    /// Stop it cleanly.
    Stop { machine: String, root: String },
    /// Start it again with its p4dctl configuration `name`.
    Start {
        machine: String,
        p4dctl_name: String,
    },
    /// Freeze the p4d (a hung server).
    Pause { machine: String, root: String },
    /// Thaw it.
    Resume { machine: String, root: String },
    /// Cut the network between two machines.
    Partition { a: String, b: String, mode: CutMode },
    /// Restore it.
    Heal { a: String, b: String },
    /// Firewall a machine's inbound port.
    BlockPort {
        machine: String,
        port: u16,
        mode: CutMode,
    },
    /// Remove that rule.
    UnblockPort { machine: String, port: u16 },
    /// The file system under `path` refuses to grow.
    DiskFull { machine: String, path: String },
    /// It accepts writes again.
    DiskFree { machine: String, path: String },
    /// Truncate a file to `size` bytes.
    Truncate {
        machine: String,
        path: String,
        size: u64,
    },
    /// Flip the byte at `offset` of a file; a negative offset counts from
    /// the end (`-1` is the last byte).
    Corrupt {
        machine: String,
        path: String,
        offset: i64,
    },
    /// Move a machine's clock by `seconds`.
    ClockSkew { machine: String, seconds: i64 },
}

/// What went wrong in a backend (not in the command it ran: a failing
/// command is an [`ExecOutput`] with a non-zero status).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The machine is not part of the topology.
    #[error("no machine named '{0}' in this scenario")]
    UnknownMachine(String),
    /// The backend cannot be used (no Docker engine, image missing...).
    #[error("{0}")]
    Unavailable(String),
    /// The backend does not support this operation.
    #[error("the {backend} backend cannot {what}")]
    Unsupported {
        /// Backend name.
        backend: &'static str,
        /// What was asked.
        what: String,
    },
    /// A file operation on a machine failed.
    #[error("{machine}:{path}: {reason}")]
    File {
        /// Machine.
        machine: String,
        /// Path on it.
        path: String,
        /// Why.
        reason: String,
    },
    /// Anything else, with context.
    #[error("{0}")]
    Other(String),
}

/// Runs machines for a scenario.
pub trait Backend {
    /// `sim` or `docker`.
    fn name(&self) -> &'static str;

    /// Creates the machines of the topology (nothing installed on them yet
    /// beyond what the backend's image provides).
    fn up(&mut self, topology: &Topology) -> Result<(), BackendError>;

    /// Runs a shell command line on a machine.
    fn exec(&mut self, machine: &str, exec: &Exec) -> Result<ExecOutput, BackendError>;

    /// Reads a file of a machine.
    fn read_file(&mut self, machine: &str, path: &str) -> Result<Vec<u8>, BackendError>;

    /// Writes a file on a machine (parents created), with permission bits.
    fn write_file(
        &mut self,
        machine: &str,
        path: &str,
        data: &[u8],
        mode: u32,
    ) -> Result<(), BackendError>;

    /// Injects a fault.
    fn fault(&mut self, fault: &Fault) -> Result<(), BackendError>;

    /// Lets `d` of the backend's time pass.
    fn sleep(&mut self, d: Duration) -> Result<(), BackendError>;

    /// The backend's current time, epoch seconds.
    fn now(&self) -> i64;

    /// Replaces the p4d release installed on a machine (a new binary or
    /// image); running servers keep running until restarted.
    fn install(
        &mut self,
        machine: &str,
        version: &str,
        image: Option<&str>,
    ) -> Result<(), BackendError>;

    /// Tears everything down. Called once, also after failures.
    fn down(&mut self) -> Result<(), BackendError>;
}

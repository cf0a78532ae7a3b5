//! How a p4d process is configured at start: its command line and
//! environment (P4ROOT, P4PORT, P4JOURNAL, P4NAME, TZ...).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::net::split_port;
use crate::version::ServerVersion;

/// The journal setting of a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalSetting {
    /// Not set on the command line or in the environment: `db.config`'s
    /// `P4JOURNAL`, else `journal` in P4ROOT.
    Default,
    /// `-J file` or `P4JOURNAL=file` (relative to P4ROOT when relative).
    Path(String),
    /// `P4JOURNAL=off`: journaling disabled.
    Off,
}

/// A p4d process's start-up configuration.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// P4ROOT, absolute host path.
    pub root: PathBuf,
    /// P4ROOT as given (written in journal notes).
    pub root_name: String,
    /// P4PORT as given (`1666`, `master:1666`).
    pub port: String,
    /// The TCP port listened on.
    pub listen_port: u16,
    /// P4JOURNAL.
    pub journal: JournalSetting,
    /// P4LOG, if set.
    pub log: Option<String>,
    /// `-C0`/`-C1` when given.
    pub case_insensitive: Option<bool>,
    /// P4NAME, if set.
    pub name: Option<String>,
    /// The process environment (TZ, P4TICKETS, ...).
    pub env: BTreeMap<String, String>,
    /// The release of the p4d binary.
    pub version: ServerVersion,
}

impl ServerConfig {
    /// A configuration for `root` listening on `port`, with defaults.
    pub fn new(root: impl Into<PathBuf>, port: &str, version: ServerVersion) -> Self {
        let root = root.into();
        ServerConfig {
            root_name: root.display().to_string(),
            root,
            port: port.to_string(),
            listen_port: split_port(port).map(|(_, p)| p).unwrap_or(1666),
            journal: JournalSetting::Default,
            log: None,
            case_insensitive: None,
            name: None,
            env: BTreeMap::new(),
            version,
        }
    }

    /// Resolves a path the way p4d does: relative paths are relative to
    /// P4ROOT (p4d changes into P4ROOT at start-up).
    pub fn in_root(&self, p: &str) -> PathBuf {
        resolve_in_root(&self.root, p)
    }

    /// The process's `TZ`.
    pub fn tz(&self) -> Option<&str> {
        self.env.get("TZ").map(String::as_str)
    }
}

/// Resolves `p` against `root` unless it is absolute.
pub fn resolve_in_root(root: &Path, p: &str) -> PathBuf {
    p4ha_hostfs::resolve(root, p)
}

//! A machine: its file system, clock, network, environment, installed p4d
//! release and the p4d processes running on it.
//!
//! The same `Host` type serves the in-process simulation (a sandboxed file
//! system, virtual clock and turmoil network) and the daemon inside a
//! container (the real file system, clock and sockets).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::rc::Rc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use p4ha_hostfs::HostFs;

use crate::clock::{Clock, Zone};
use crate::net::Net;
use crate::process::{ProcessTable, Processes};
use crate::version::ServerVersion;

/// Whether this host lives inside a simulation or is the real machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostMode {
    /// Inside the in-process simulation (turmoil, virtual time).
    Simulated,
    /// A real machine (daemon and clients as real processes).
    Native,
}

/// A machine.
pub struct Host {
    /// Host name (what `hostname` prints, what tickets and `p4 info` show).
    pub name: String,
    /// The host's address.
    pub ip: IpAddr,
    /// Its file system.
    pub fs: HostFs,
    /// Its clock (shared time source plus this host's skew).
    pub clock: Clock,
    /// Its view of the network.
    pub net: Rc<dyn Net>,
    /// Simulated or native.
    pub mode: HostMode,
    /// Login environment of commands run on the host (`HOME`, `USER`,
    /// `TZ`, `P4PORT`, `P4USER`...).
    pub env: RefCell<BTreeMap<String, String>>,
    /// The p4d release installed on the host (`p4d`, `p4`, `p4dctl`).
    pub installed: Cell<ServerVersion>,
    /// p4d processes running on the host.
    pub procs: Processes,
    rng: RefCell<ChaCha8Rng>,
    next_pid: Cell<u32>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("name", &self.name)
            .field("ip", &self.ip)
            .finish()
    }
}

/// What a host is made of.
pub struct HostParts {
    /// Host name.
    pub name: String,
    /// Address.
    pub ip: IpAddr,
    /// File system.
    pub fs: HostFs,
    /// Clock.
    pub clock: Clock,
    /// Network.
    pub net: Rc<dyn Net>,
    /// Simulated or native.
    pub mode: HostMode,
    /// Initial login environment.
    pub env: BTreeMap<String, String>,
    /// Installed p4d release.
    pub installed: ServerVersion,
    /// Seed for the host's random numbers (tickets, ids).
    pub seed: u64,
}

impl Host {
    /// Builds a host.
    pub fn new(parts: HostParts) -> Rc<Host> {
        // Process ids start at a plausible value and differ per host so
        // journals of different servers do not look alike.
        let pid_base = 1000 + (parts.seed % 7919) as u32;
        Rc::new(Host {
            name: parts.name,
            ip: parts.ip,
            fs: parts.fs,
            clock: parts.clock,
            net: parts.net,
            mode: parts.mode,
            env: RefCell::new(parts.env),
            installed: Cell::new(parts.installed),
            procs: Rc::new(RefCell::new(ProcessTable::default())),
            rng: RefCell::new(ChaCha8Rng::seed_from_u64(parts.seed)),
            next_pid: Cell::new(pid_base),
        })
    }

    /// A new process id.
    pub fn next_pid(&self) -> u32 {
        let pid = self.next_pid.get();
        self.next_pid.set(pid + 1);
        pid
    }

    /// `count` random upper-case hex digits (tickets, ids).
    pub fn random_hex(&self, count: usize) -> String {
        const HEX: &[u8] = b"0123456789ABCDEF";
        let mut rng = self.rng.borrow_mut();
        (0..count)
            .map(|_| HEX[rng.random_range(0..16)] as char)
            .collect()
    }

    /// A random integer in `0..n`.
    pub fn random_below(&self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        self.rng.borrow_mut().random_range(0..n)
    }

    /// An environment variable of the host's login environment.
    pub fn env_var(&self, name: &str) -> Option<String> {
        self.env.borrow().get(name).cloned()
    }

    /// The host's default time zone (its `TZ`).
    pub fn zone(&self) -> Zone {
        Zone::from_tz(self.env_var("TZ").as_deref())
    }
}

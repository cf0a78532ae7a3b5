//! The p4d simulator: one node's tables, journal, checkpoints, specs,
//! users and archives; the `p4`, `p4d` and `p4dctl` command surfaces;
//! replication and failover between nodes; and the in-process world that
//! runs several machines under virtual time.
//!
//! The crate knows nothing of scenarios. The same node code serves the
//! in-process simulation ([`world::SimWorld`]) and the daemon in a
//! container ([`daemon`]).

pub mod archive;
pub mod auth;
pub mod backend;
pub mod checkpoint;
pub mod client;
pub mod clock;
pub mod commands;
pub mod db;
pub mod failover;
pub mod host;
pub mod journal_files;
pub mod journaling;
pub mod mapping;
pub mod native;
pub mod net;
pub mod p4d;
pub mod p4d_offline;
pub mod p4dctl;
pub mod process;
pub mod program;
pub mod protocol;
pub mod replication;
pub mod replwire;
pub mod schema;
pub mod server;
pub mod services;
pub mod spec;
pub mod version;
pub mod world;

pub use version::ServerVersion;

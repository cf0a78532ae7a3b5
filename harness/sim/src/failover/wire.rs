//! What a standby failing over says to the server it fails over from, and
//! the answers. They travel as [`crate::replwire::ReplRequest::Failover`]
//! and [`crate::replwire::ReplResponse::Failover`] over the standby's
//! replication link (its P4TARGET, as its service user), so a server that
//! refuses commands still hears them.

use serde::{Deserialize, Serialize};

use crate::replwire::TargetState;

/// A request from the standby.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum MasterRequest {
    /// Who are you? (server ID, release, address, journal state).
    Probe,
    /// Refuse new commands with `message`; the standby `standby_id` is the
    /// one failing over (it is served journal data past the LEOF).
    Refuse {
        /// The standby's server ID.
        standby_id: String,
        /// What clients are told.
        message: String,
    },
    /// Undo of `Refuse`.
    Allow,
    /// Wait at most `wait_secs` for running commands to finish.
    Quiesce {
        /// `-w`.
        wait_secs: u64,
    },
    /// Stall the commands still running.
    Stall,
    /// Undo of `Stall`.
    Resume,
    /// Mark yourself as failed over from, and stop.
    Stop,
}

/// The server's answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum MasterAnswer {
    /// The answer to `Probe`.
    Probe(MasterInfo),
    /// The request was carried out.
    Done,
    /// The answer to `Quiesce`: commands still running when the wait ended.
    Quiesced {
        /// How many.
        still_running: u32,
    },
}

/// What a probe learns of the server failed over from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MasterInfo {
    /// Its server ID (`server.id`), if it has one.
    pub server_id: Option<String>,
    /// Its release (`2019.1`).
    pub release: String,
    /// Its address (P4PORT with host name).
    pub address: String,
    /// Its Services word.
    pub services: String,
    /// Its journal position and LEOF.
    pub state: TargetState,
}

//! Replication between servers: `journalcopy`, `pull -L`, `pull -u`,
//! `pull`, edge servers, and the target side that serves them.
//!
//! One implementation serves the in-process simulation and the daemon:
//! threads sleep with `tokio::time::sleep` (virtual time in the world)
//! and talk to their target over the host's [`crate::net::Net`] (turmoil's
//! network in the world, real sockets in a daemon).
//!
//! - [`threads`]: the `startup.N` threads, their loop, wake-ups and waits.
//! - [`journalcopy`]: a standby's byte-identical copy of the target's
//!   journal (`statejcopy`).
//! - [`pull`]: applying journals (`pull -L` from the copy, `pull` from the
//!   target), following rotations (`state`).
//! - [`transfers`]: the archive transfer queue (`rdb.lbr`) and `pull -u`.
//! - [`target`]: the serving side: authentication, `servers -J` records,
//!   journal data up to the LEOF of mandatory standbys, archive content.
//! - [`forward`]: forwarding replicas and edges passing commands upstream.
//! - [`report`]: `servers -J`, `pull -lj`, `journalcopy -l`, `pull -l[s]`.
//! - [`link`], [`crate::replwire`]: one request and one answer per
//!   connection, frames of [`crate::protocol`].
//!
//! # Positions and state files
//!
//! Every position is `journal/sequence` in the *target's* journal
//! history (journal number, byte offset). A standby's `statejcopy` holds
//! how far journalcopy has persisted, its `state` how far `pull -L` has
//! applied; a `pull` replica has only `state`. Each file is one line
//! `JOURNAL/SEQUENCE`. Without a state file a replica starts at offset 0
//! of the journal its `journal` counter names (the journal after the
//! checkpoint it was built from).
//!
//! # LEOF
//!
//! A journalcopy request acknowledges the position it has persisted; the
//! target keeps it per replica (`servers -J`). The LEOF is the smallest
//! position acknowledged by the mandatory standbys replicating from the
//! target (spec `Options: mandatory`, `ReplicatingFrom` naming it). Every
//! other replica is served no further, so none gets ahead of a server that
//! may become the master. A mandatory standby that has not asked for
//! [`target::ALIVE_GRACE_SECS`] past its interval is not alive: the LEOF
//! stays where it stopped and the held-back replicas report
//! [`target::STALLED`].
//!
//! # For failover
//!
//! - [`stop_threads`] / [`start_threads`]: stop and (re)start the threads.
//! - [`is_thread_running`], [`thread_report`]: whether a thread
//!   (`journalcopy`, `pull -L`, `pull -u`, `pull`) runs, and what its last
//!   cycle did (caught up, error).
//! - [`wait_for_thread`]: wakes a thread and waits until a cycle that began
//!   after the call found nothing left to do ("Waiting for 'journalcopy'
//!   to complete its work ...").
//! - [`positions`]: persisted (`statejcopy`) and applied (`state`)
//!   positions.
//! - [`latest_journalcopy`]: which file holds the journal journalcopy is
//!   writing (to move into place as the active journal).
//! - [`target_state`]: the target's journal position and LEOF.
//! - [`pending_transfers`]: archive content not transferred yet.

pub mod apply;
pub mod forward;
pub mod journalcopy;
pub mod link;
pub mod pull;
pub mod report;
pub mod settings;
pub mod state;
pub mod target;
pub mod threads;
pub mod transfers;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::task::AbortHandle;

use crate::protocol::Request;
use crate::replwire::{Position, ReplRequest, ReplResponse, TargetState};
use crate::server::Server;

pub use link::LinkError;
pub use settings::{CopyLocation, Settings};
pub use threads::{
    CycleReport, JOURNALCOPY, PULL, PULL_ARCHIVE, PULL_LOCAL, ThreadKind, ThreadRegistry, WaitError,
};
pub use transfers::Transfer;

/// Starts the background threads its `startup.N` configurables name
/// (stopping those it ran before). The server calls this after every
/// (re)start and aborts the returned tasks when it stops.
pub fn start_threads(server: &Server) -> Vec<AbortHandle> {
    threads::start(server)
}

/// Stops every replication thread of the server.
pub fn stop_threads(server: &Server) {
    threads::stop(server)
}

/// Serves a replica's request.
pub async fn serve(
    server: &Server,
    req: &Request,
    repl: ReplRequest,
    _peer: SocketAddr,
) -> ReplResponse {
    target::serve(server, req, repl).await
}

/// True while thread `name` (`journalcopy`, `pull -L`, `pull -u`, `pull`)
/// runs on the server.
pub fn is_thread_running(server: &Server, name: &str) -> bool {
    threads::is_running(server, name)
}

/// What thread `name`'s last cycle did.
pub fn thread_report(server: &Server, name: &str) -> Option<CycleReport> {
    threads::report(server, name)
}

/// Wakes thread `name` and waits, at most `limit`, until it has completed
/// its work: `journalcopy` has copied everything its target has,
/// `pull -L` has applied everything copied, `pull -u` has no transfer
/// pending, `pull` has applied everything its target has.
pub async fn wait_for_thread(
    server: &Server,
    name: &str,
    limit: Duration,
) -> Result<(), WaitError> {
    threads::wait_caught_up(server, name, limit).await
}

/// A replica's positions in its target's journal history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaPositions {
    /// How far journalcopy has persisted (`statejcopy`); `None` on a
    /// replica that is not a standby.
    pub persisted: Option<Position>,
    /// How far the replica has applied (`state`).
    pub applied: Position,
}

/// The replica's persisted and applied positions.
pub fn positions(server: &Server) -> ReplicaPositions {
    let (applied, persisted) = threads::positions(server);
    ReplicaPositions { persisted, applied }
}

/// The journal journalcopy is writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedJournal {
    /// Its number (the target's journal number).
    pub number: i64,
    /// How far it has been copied.
    pub position: Position,
    /// The file (host path): the numbered journal (`journal.N`,
    /// `prefix.jnl.N`), or the server's P4JOURNAL with
    /// `rpl.journalcopy.location=1`.
    pub path: PathBuf,
    /// True when `path` is the server's P4JOURNAL already.
    pub at_live_journal: bool,
    /// True when the file exists.
    pub exists: bool,
}

/// The latest journalcopy'd journal of a standby.
pub fn latest_journalcopy(server: &Server) -> CopiedJournal {
    let s = Settings::read(server);
    let position = journalcopy::persisted(server, &s);
    let path = journalcopy::copy_file(&s, position.journal, position);
    CopiedJournal {
        number: position.journal,
        position,
        at_live_journal: s.live_journal.as_deref() == Some(path.as_path()),
        exists: server.host().fs.exists(&path),
        path,
    }
}

/// Asks the server's P4TARGET for its journal state.
pub async fn target_state(server: &Server) -> Result<TargetState, LinkError> {
    let s = Settings::read(server);
    let req = ReplRequest::Status {
        server_id: s.server_id.clone().unwrap_or_default(),
    };
    match link::call(server, &s, req).await? {
        ReplResponse::Status(t) => Ok(t),
        _ => Err(LinkError::Broken),
    }
}

/// Archive transfers scheduled and not done (failed ones included).
pub fn pending_transfers(server: &Server) -> Vec<Transfer> {
    transfers::load(&server.host().fs, server.root())
}

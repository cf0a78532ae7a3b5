//! The side of the server failed over from: what it does when the standby
//! asks (refuse new commands, let running ones finish, stall the rest,
//! stop), the stall running commands wait in, and the mark it leaves.

use std::time::Duration;

use super::messages;
use super::wire::{MasterAnswer, MasterInfo, MasterRequest};
use crate::db::{Db, DbError, Value};
use crate::process::StopRequest;
use crate::replwire::ReplResponse;
use crate::server::Server;

/// The runtime note naming the standby a failover from this server is
/// going to.
const NOTE_TARGET: &str = "failover.to";

/// How often waits on this side look again (running commands, the stall).
const POLL: Duration = Duration::from_millis(100);

/// Serves a standby's failover request (already authenticated as its
/// service user). `from` is the requesting server's ID.
pub async fn serve(
    server: &Server,
    from: Option<&str>,
    req: MasterRequest,
) -> Result<ReplResponse, Vec<String>> {
    let answer = match req {
        MasterRequest::Probe => {
            // A failover to another standby is under way: this one is told
            // what clients are told.
            let other = server.runtime().notes.get(NOTE_TARGET).cloned();
            if let Some(other) = other
                && Some(other.as_str()) != from
            {
                return Err(vec![messages::REFUSED.to_string()]);
            }
            let (state, _) = crate::replication::target::target_state(server)?;
            MasterAnswer::Probe(MasterInfo {
                server_id: server.server_id(),
                release: server.version().to_string(),
                address: server.address(),
                services: server.services().as_str().to_string(),
                state,
            })
        }
        MasterRequest::Refuse {
            standby_id,
            message,
        } => {
            let mut rt = server.runtime();
            rt.refusing = Some(message);
            rt.notes.insert(NOTE_TARGET.to_string(), standby_id);
            MasterAnswer::Done
        }
        MasterRequest::Allow => {
            let mut rt = server.runtime();
            rt.refusing = None;
            rt.notes.remove(NOTE_TARGET);
            MasterAnswer::Done
        }
        MasterRequest::Quiesce { wait_secs } => {
            let limit = Duration::from_secs(wait_secs);
            let mut waited = Duration::ZERO;
            loop {
                let running = server.runtime().running_commands;
                if running == 0 || waited >= limit {
                    break MasterAnswer::Quiesced {
                        still_running: running,
                    };
                }
                tokio::time::sleep(POLL).await;
                waited += POLL;
            }
        }
        MasterRequest::Stall => {
            server.runtime().stalled = true;
            MasterAnswer::Done
        }
        MasterRequest::Resume => {
            server.runtime().stalled = false;
            MasterAnswer::Done
        }
        MasterRequest::Stop => {
            mark_failed_over(server).map_err(|e| vec![e.to_string()])?;
            // The answer goes out before the listener closes; commands
            // still stalled end with the process.
            server.control().request(StopRequest::Stop);
            MasterAnswer::Done
        }
    };
    Ok(ReplResponse::Failover(answer))
}

/// Writes the failover mark (MsgServer2 49) into this server's own
/// `db.server` row, creating a minimal row when it has no spec. The mark
/// is local: it is not journaled, since journalcopy has already taken the
/// last of this server's journal and the new master must not inherit it.
pub fn mark_failed_over(server: &Server) -> Result<(), DbError> {
    let Some(id) = server.server_id() else {
        return Ok(());
    };
    let mut db = server.db();
    let mark = messages::failover_mark(&id, &server.address());
    let row = match db.get("db.server", &[Value::text(&id)])? {
        Some(mut row) => {
            row[10] = Value::text(mark);
            row
        }
        None => vec![
            Value::text(&id),
            Value::Int(0),
            Value::text(""),
            Value::text(""),
            Value::text(""),
            Value::Int(i64::from(crate::services::Services::Standard.bits())),
            Value::text(""),
            Value::text(""),
            Value::Int(0),
            Value::text(""),
            Value::text(mark),
        ],
    };
    db.apply(p4ha_journal::Op::Pv, "db.server", row)?;
    db.flush()
}

/// The failover mark on row `id` of a database (`db.server.failoverSeen`),
/// if set.
pub fn failover_mark(db: &mut Db, id: &str) -> Result<Option<String>, DbError> {
    crate::server::identity::failover_seen(db, id)
}

/// True when `server_id` is the standby a failover from `server` is going
/// to: it is served journal data past the LEOF, like a mandatory standby,
/// so that it can take everything before the server stops.
pub fn is_failover_target(server: &Server, server_id: &str) -> bool {
    !server_id.is_empty()
        && server.runtime().notes.get(NOTE_TARGET).map(String::as_str) == Some(server_id)
}

/// The server stopped while a command was stalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server stopped while the command was stalled")]
pub struct StoppedWhileStalled;

/// Where a running command stops while a failover stalls this server's
/// commands: it waits until the stall is lifted (the failover was undone)
/// or fails when the server stops (the failover went ahead; the client
/// sees its connection end). Returns at once when nothing is stalled.
pub async fn stall_point(server: &Server) -> Result<(), StoppedWhileStalled> {
    loop {
        if !server.runtime().stalled {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = server.control().stopped() => return Err(StoppedWhileStalled),
        }
    }
}

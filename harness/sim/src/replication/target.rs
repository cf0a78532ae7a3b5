//! The target side of replication: what a master (or commit server) does
//! when a replica's thread asks it for journal data, its journal state or
//! archive content.
//!
//! Every request is authenticated as its service user (a ticket from the
//! replica's P4TICKETS file, or a password) and needs `super` access, as
//! the service user of the runbook is granted. Journal requests are
//! recorded per replica (what `p4 servers -J` shows) and answered from the
//! live journal or a rotated one. Replicas that are not mandatory standbys
//! are served only up to the LEOF: the position every mandatory standby of
//! this server has persisted, so that none of them can get ahead of a
//! server that may become the master.

use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::{self, Perm};
use crate::db::{Db, Value};
use crate::protocol::Request;
use crate::replwire::{
    JournalChunk, JournalRequest, Position, ReplRequest, ReplResponse, TargetState, flags,
};
use crate::server::{ReplicaSeen, Server};
use crate::services::Services;

/// How long past its polling interval a replica that has stopped asking
/// still counts as alive. p4d does not document its threshold; 30 seconds
/// tolerates a slow cycle without hiding a replica that is gone.
pub const ALIVE_GRACE_SECS: i64 = 30;

/// How long a long-poll request (`-i 0`) is held when there is nothing to
/// send, before an empty answer.
pub const LONG_POLL_HOLD: Duration = Duration::from_secs(10);

/// How often a held long-poll request looks for new journal data.
const LONG_POLL_STEP: Duration = Duration::from_millis(100);

/// What replicas held back by a dead mandatory standby report.
pub const STALLED: &str = "Replication to this server is stalled because one or more mandatory standby servers of this server's upstream server are not alive.";

/// Answers one replication request.
pub async fn serve(server: &Server, req: &Request, repl: ReplRequest) -> ReplResponse {
    if let Err(lines) = authenticate(server, req) {
        return ReplResponse::Refused { lines };
    }
    let result = match repl {
        ReplRequest::Journal(j) => serve_journal(server, j).await,
        ReplRequest::Status { .. } => target_state(server).map(|(s, _)| ReplResponse::Status(s)),
        ReplRequest::Archive {
            file,
            rev,
            lbr_type,
            ..
        } => serve_archive(server, &file, &rev, lbr_type),
        ReplRequest::Failover(f) => {
            crate::failover::serve_master(server, req.from_server.as_deref(), f).await
        }
    };
    result.unwrap_or_else(|lines| ReplResponse::Refused { lines })
}

/// Checks the requesting service user's ticket (or password) and access.
fn authenticate(server: &Server, req: &Request) -> Result<(), Vec<String>> {
    let mut db = server.db();
    let ticket = req.ticket_for(&server.address());
    auth::check_credentials(
        &mut db,
        &req.user,
        req.password.as_deref(),
        ticket,
        server.now(),
    )
    .map_err(|f| vec![f.message().to_string()])?;
    match auth::max_perm(&mut db, &req.user) {
        Ok(Some(Perm::Super)) => Ok(()),
        Ok(Some(_)) => Err(vec![
            "You don't have permission for this operation.".to_string(),
        ]),
        Ok(None) => Err(vec![format!(
            "Access for user '{}' has not been enabled by 'p4 protect'.",
            req.user
        )]),
        Err(e) => Err(vec![e.to_string()]),
    }
}

/// True when a replica last seen as `seen` still counts as running at
/// `now`.
pub fn is_alive(seen: &ReplicaSeen, now: i64) -> bool {
    now - seen.last_seen <= seen.interval as i64 + ALIVE_GRACE_SECS
}

/// Server IDs of the mandatory standbys replicating from `server` (from
/// the server specs: `Options: mandatory`, standby services,
/// `ReplicatingFrom` naming this server).
pub fn mandatory_standbys(server: &Server, db: &mut Db) -> Vec<String> {
    let Some(me) = server.server_id() else {
        return Vec::new();
    };
    db.rows("db.server")
        .unwrap_or_default()
        .into_iter()
        .filter(|row| {
            row[8].as_int() & 1 != 0
                && Services::from_bits(row[5].as_int() as u32).is_standby()
                && row[9].as_str() == me.as_str()
                && row[0].as_str() != me.as_str()
        })
        .map(|row| row[0].as_str().into_owned())
        .collect()
}

/// This server's journal state, and the mandatory standbys that are not
/// alive (which hold the LEOF where they stopped).
pub fn target_state(server: &Server) -> Result<(TargetState, Vec<String>), Vec<String>> {
    let Some(journal) = server.journal() else {
        return Err(vec![
            "Replication requires that journaling be enabled.".to_string(),
        ]);
    };
    let current = Position::new(server.journal_number(), journal.size() as i64);
    let mut db = server.db();
    let mandatory = mandatory_standbys(server, &mut db);
    let now = server.now();
    let rt = server.runtime();
    let mut leof = current;
    let mut dead = Vec::new();
    for id in mandatory {
        match rt.replicas.get(&id) {
            Some(seen) => {
                leof = leof.min(Position::new(seen.persisted.0, seen.persisted.1));
                if !is_alive(seen, now) {
                    dead.push(id);
                }
            }
            // Never heard from since this server started: nothing it has
            // persisted is known, so nothing may be handed on.
            None => {
                leof = Position::default();
                dead.push(id);
            }
        }
    }
    Ok((TargetState { current, leof }, dead))
}

async fn serve_journal(server: &Server, j: JournalRequest) -> Result<ReplResponse, Vec<String>> {
    let now = server.now();
    if !j.server_id.is_empty() {
        server.runtime().replicas.insert(
            j.server_id.clone(),
            ReplicaSeen {
                server_id: j.server_id.clone(),
                last_seen: now,
                persisted: (j.persisted.journal, j.persisted.sequence),
                applied: (j.applied.journal, j.applied.sequence),
                flags: j.flags,
                interval: j.interval,
                services: j.services.clone(),
            },
        );
    }
    crate::failover::note_replica_request(server);
    // The standby a failover is going to takes everything, LEOF or not.
    let is_mandatory = {
        let mut db = server.db();
        mandatory_standbys(server, &mut db).contains(&j.server_id)
    } || crate::failover::is_failover_target(server, &j.server_id);
    let mut waited = Duration::ZERO;
    loop {
        let (state, dead) = target_state(server)?;
        let limit = if is_mandatory {
            state.current
        } else {
            state.leof
        };
        let (bytes, complete) = read_range(server, j.from, limit, state.current, j.max)?;
        let nothing = bytes.is_empty() && !complete;
        if nothing && j.flags & flags::LONG_POLL != 0 && waited < LONG_POLL_HOLD {
            tokio::time::sleep(LONG_POLL_STEP).await;
            waited += LONG_POLL_STEP;
            continue;
        }
        let reached = Position::new(j.from.journal, j.from.sequence + bytes.len() as i64);
        let held = limit < state.current && reached >= limit;
        let stalled = (!is_mandatory && held && !dead.is_empty()).then(|| STALLED.to_string());
        return Ok(ReplResponse::Journal(JournalChunk {
            from: j.from,
            bytes,
            complete,
            state,
            stalled,
        }));
    }
}

/// The bytes of the journal history from `from`, no further than `limit`,
/// at most `max` of them; and whether they finish a rotated journal.
fn read_range(
    server: &Server,
    from: Position,
    limit: Position,
    current: Position,
    max: u64,
) -> Result<(Vec<u8>, bool), Vec<String>> {
    let past = || vec![format!("Pull request for {from} is past LEOF {current}")];
    if from > current {
        return Err(past());
    }
    let max = max.max(1);
    if from.journal == current.journal {
        let end = if limit.journal == from.journal {
            limit.sequence.min(current.sequence)
        } else {
            from.sequence
        };
        let end = end.max(from.sequence);
        let take = ((end - from.sequence) as u64).min(max);
        let path = server
            .journal()
            .map(|j| j.path().to_path_buf())
            .ok_or_else(past)?;
        let bytes = read_at(server, &path, from.sequence as u64, take).map_err(|e| vec![e])?;
        return Ok((bytes, false));
    }
    let content = rotated_journal(server, from.journal)?;
    let size = content.len() as i64;
    if from.sequence > size {
        return Err(past());
    }
    let end = if limit.journal > from.journal {
        size
    } else if limit.journal == from.journal {
        limit.sequence.min(size)
    } else {
        from.sequence
    };
    let end = end.max(from.sequence);
    let take = ((end - from.sequence) as u64).min(max) as usize;
    let start = from.sequence as usize;
    let bytes = content[start..start + take].to_vec();
    let complete = start + take == content.len() && end == size;
    Ok((bytes, complete))
}

fn read_at(
    server: &Server,
    path: &std::path::Path,
    offset: u64,
    len: u64,
) -> Result<Vec<u8>, String> {
    if len == 0 {
        return Ok(Vec::new());
    }
    let fs = &server.host().fs;
    let mut f = fs.open(path).map_err(|e| {
        format!(
            "open for read: {}: {}",
            path.display(),
            crate::client::os_error(&e)
        )
    })?;
    f.seek(SeekFrom::Start(offset)).map_err(|e| e.to_string())?;
    let mut buf = Vec::with_capacity(len as usize);
    f.take(len)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    Ok(buf)
}

/// The content of rotated journal `n`: found through the server's
/// checkpoint history, else by the journalPrefix naming. A journal rotated
/// with `-z` is not served: replication cannot use compressed journals
/// (Server Admin Guide, replica metadata recovery; `-Z` exists so that
/// replicas can keep reading rotated journals).
fn rotated_journal(server: &Server, n: i64) -> Result<Vec<u8>, Vec<String>> {
    let fs = &server.host().fs;
    let naming = crate::journal_files::Naming::for_server(server, None);
    let mut candidates: Vec<PathBuf> = Vec::new();
    let mut db = server.db();
    if let Ok(events) = crate::checkpoint::history(&mut db) {
        for e in events {
            let is_journal = matches!(
                e.kind,
                crate::checkpoint::EventKind::Journal | crate::checkpoint::EventKind::Checkpoint
            );
            if e.jnum == n && is_journal && e.jdigest.is_none() && !e.failed && !e.jfile.is_empty()
            {
                candidates.push(naming.path(&e.jfile));
            }
        }
    }
    candidates.push(naming.path(&naming.journal_name(n, false)));
    let unavailable = || vec![format!("Journal {n} is not available")];
    let path = candidates
        .into_iter()
        .find(|p| fs.exists(p))
        .ok_or_else(unavailable)?;
    let raw = fs.read(&path).map_err(|_| unavailable())?;
    if crate::checkpoint::is_gzip(&raw) {
        return Err(unavailable());
    }
    Ok(raw)
}

fn serve_archive(
    server: &Server,
    file: &str,
    rev: &str,
    lbr_type: i64,
) -> Result<ReplResponse, Vec<String>> {
    let mut db = server.db();
    let lbr =
        crate::archive::Librarian::for_server(server, &mut db).map_err(|e| vec![e.to_string()])?;
    let bytes = lbr
        .retrieve(file, rev, crate::archive::FileType::from_code(lbr_type))
        .map_err(|e| vec![e.to_string()])?;
    Ok(ReplResponse::Archive { bytes })
}

/// The `servers -J` row data of this server's replicas: every replica that
/// has asked for journal data, and every server whose spec names this
/// server in ReplicatingFrom, by server ID.
pub fn known_replicas(
    server: &Server,
) -> Vec<(String, Option<ReplicaSeen>, Option<crate::db::Row>)> {
    let mut db = server.db();
    let me = server.server_id();
    let specs: std::collections::BTreeMap<String, crate::db::Row> = db
        .rows("db.server")
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r[0].as_str().into_owned(), r))
        .collect();
    let seen = server.runtime().replicas.clone();
    let mut ids: std::collections::BTreeSet<String> = seen.keys().cloned().collect();
    if let Some(me) = &me {
        for (id, row) in &specs {
            if row[9].as_str() == me.as_str() && id != me {
                ids.insert(id.clone());
            }
        }
    }
    ids.into_iter()
        .filter(|id| Some(id) != me.as_ref())
        .map(|id| {
            let s = seen.get(&id).cloned();
            let spec = specs.get(&id).cloned();
            (id, s, spec)
        })
        .collect()
}

/// The services word of a spec row.
pub fn spec_services(row: &crate::db::Row) -> Services {
    Services::from_bits(row[5].as_int() as u32)
}

/// True when a spec row has `Options: mandatory`.
pub fn spec_mandatory(row: &crate::db::Row) -> bool {
    row[8].as_int() & 1 != 0
}

/// Reads the server's spec row.
pub fn own_spec(server: &Server) -> Option<crate::db::Row> {
    let id = server.server_id()?;
    server
        .db()
        .get("db.server", &[Value::text(id)])
        .ok()
        .flatten()
}

//! What replication looks like from the command line: `p4 servers -J`,
//! `p4 pull -lj`, `p4 journalcopy -l`, `p4 pull -ls`, `p4 pull -l`.

use crate::commands::{CmdError, CmdResult, Cx};
use crate::db::Value;
use crate::replwire::{Position, ReplRequest, ReplResponse, TargetState, flags};
use crate::server::Server;

use super::journalcopy;
use super::link::{self, LinkError};
use super::pull;
use super::settings::Settings;
use super::state;
use super::target::{self, is_alive};
use super::threads;
use super::transfers;

/// `Pull only allowed on replica servers.` (MsgServer::PullNotReplica)
pub const NOT_REPLICA: &str = "Pull only allowed on replica servers.";

/// `This command must be used with a standby replica.`
/// (MsgServer::JournalCopyBadJnlState)
pub const NOT_STANDBY: &str = "This command must be used with a standby replica.";

/// `Current %server% journal state is:\tJournal %journal%,\tSequence %sequence%.`
pub fn journal_state_line(who: &str, pos: Position) -> String {
    format!(
        "Current {who} journal state is:\tJournal {},\tSequence {}.",
        pos.journal, pos.sequence
    )
}

/// `p4 servers -J`: this server's own row, then a row per replica (every
/// replica that has asked for journal data since this server started, and
/// every server whose spec names it in ReplicatingFrom), by server ID:
/// `ID 'LAST UPDATE' SERVICES PERSISTED APPLIED FLAGS ALIVE[ mandatory]`.
pub async fn servers_j(cx: &mut Cx<'_>) -> CmdResult {
    let srv = cx.srv;
    let zone = srv.zone();
    let now = cx.now();
    let mut rows: Vec<Row> = Vec::new();
    if let Some(id) = srv.server_id() {
        let spec = target::own_spec(srv);
        let (persisted, applied) = own_positions(srv);
        rows.push(Row {
            id,
            last_update: Some(now),
            services: srv.services().as_str().to_string(),
            persisted,
            applied,
            flags: flags::LOCAL,
            alive: true,
            mandatory: spec.as_ref().is_some_and(target::spec_mandatory),
        });
    }
    for (id, seen, spec) in target::known_replicas(srv) {
        let services = match (&spec, &seen) {
            (Some(row), _) => target::spec_services(row).as_str().to_string(),
            (None, Some(s)) => s.services.clone(),
            (None, None) => String::new(),
        };
        let pos = |p: (i64, i64)| Position::new(p.0, p.1);
        rows.push(Row {
            id,
            last_update: seen.as_ref().map(|s| s.last_seen),
            services,
            persisted: seen.as_ref().map(|s| pos(s.persisted)).unwrap_or_default(),
            applied: seen.as_ref().map(|s| pos(s.applied)).unwrap_or_default(),
            flags: seen.as_ref().map(|s| s.flags).unwrap_or(0),
            alive: seen.as_ref().is_some_and(|s| is_alive(s, now)),
            mandatory: spec.as_ref().is_some_and(target::spec_mandatory),
        });
    }
    for r in rows {
        let last = r.last_update.map(|t| zone.datetime(t)).unwrap_or_default();
        if cx.is_tagged() {
            let mut rec = vec![
                ("serverID".to_string(), r.id.clone()),
                ("lastUpdate".to_string(), last),
                ("serverType".to_string(), r.services.clone()),
                ("persistedJnl".to_string(), r.persisted.journal.to_string()),
                ("persistedPos".to_string(), r.persisted.sequence.to_string()),
                ("appliedJnl".to_string(), r.applied.journal.to_string()),
                ("appliedPos".to_string(), r.applied.sequence.to_string()),
                ("jaFlags".to_string(), flags::render(r.flags)),
                ("isAlive".to_string(), u8::from(r.alive).to_string()),
            ];
            if r.mandatory {
                rec.push(("mandatory".to_string(), "mandatory".to_string()));
            }
            cx.tagged(rec);
        } else {
            // Seed 000 shows no trailing space on a row without `mandatory`.
            let mandatory = if r.mandatory { " mandatory" } else { "" };
            cx.info(format!(
                "{} '{last}' {} {} {} {} {}{mandatory}",
                r.id,
                r.services,
                r.persisted,
                r.applied,
                flags::render(r.flags),
                u8::from(r.alive)
            ));
        }
    }
    Ok(())
}

struct Row {
    id: String,
    last_update: Option<i64>,
    services: String,
    persisted: Position,
    applied: Position,
    flags: u32,
    alive: bool,
    mandatory: bool,
}

/// A server's own persisted and applied positions: a replica's from its
/// state files, anyone else's the end of its live journal.
fn own_positions(srv: &Server) -> (Position, Position) {
    let s = Settings::read(srv);
    if s.services.is_replica() {
        let applied = pull::applied(srv, &s);
        let persisted = if s.services.is_standby() {
            journalcopy::persisted(srv, &s)
        } else {
            applied
        };
        return (persisted, applied);
    }
    let size = srv.journal().map(|j| j.size() as i64).unwrap_or(0);
    let current = Position::new(srv.journal_number(), size);
    (current, current)
}

/// `p4 pull -lj` (`-ljv` tagged with `-ztag`): the replica's applied
/// position, its target's, when the state file was last written, and the
/// replica's time.
///
/// When the target cannot be reached the command fails with the error
/// chain of seed 000 section 9. When the target refuses the service user,
/// the refusal is printed (once for the target's position and once for its
/// LEOF, as p4d does) followed by the lines with `Sequence -1` for what is
/// unknown (reference 4.5), and the command fails.
pub async fn pull_lj(cx: &mut Cx<'_>, verbose: bool) -> CmdResult {
    let srv = cx.srv;
    let s = Settings::read(srv);
    if !s.services.is_replica() {
        return Err(CmdError::failed(NOT_REPLICA));
    }
    let replica = pull::applied(srv, &s);
    let modified = state::modified(&srv.host().fs, &s.state_path);
    let target = match link::call(
        srv,
        &s,
        ReplRequest::Status {
            server_id: s.server_id.clone().unwrap_or_default(),
        },
    )
    .await
    {
        Ok(ReplResponse::Status(t)) => Ok(t),
        Ok(_) => Err(LinkError::Broken),
        Err(e) => Err(e),
    };
    let target = match target {
        Ok(t) => t,
        Err(LinkError::Refused(lines)) => {
            let text = lines.join("\n");
            cx.error(text.clone());
            cx.error(text);
            let unknown = TargetState {
                current: Position::new(replica.journal, -1),
                leof: Position::new(0, -1),
            };
            lj_lines(cx, replica, unknown, true, modified, verbose);
            return Ok(());
        }
        Err(e) => return Err(CmdError::failed(e.text())),
    };
    for name in [threads::PULL, threads::JOURNALCOPY] {
        if let Some(msg) = threads::report(srv, name).and_then(|r| r.stalled) {
            cx.warn(msg);
        }
    }
    lj_lines(cx, replica, target, false, modified, verbose);
    Ok(())
}

fn lj_lines(
    cx: &mut Cx<'_>,
    replica: Position,
    target: TargetState,
    degraded: bool,
    modified: Option<i64>,
    verbose: bool,
) {
    let srv = cx.srv;
    let zone = srv.zone();
    let now = cx.now();
    if cx.is_tagged() && verbose {
        let counter = srv
            .db()
            .get("db.counters", &[Value::text("journal")])
            .ok()
            .flatten()
            .map(|r| r[1].as_int())
            .unwrap_or(0);
        let behind = if degraded {
            -1
        } else if target.current.journal == replica.journal {
            (target.current.sequence - replica.sequence).max(0)
        } else {
            target.current.sequence
        };
        let mut rec = vec![
            ("replicaJournalCounter".to_string(), counter.to_string()),
            (
                "replicaJournalNumber".to_string(),
                replica.journal.to_string(),
            ),
            (
                "replicaJournalSequence".to_string(),
                replica.sequence.to_string(),
            ),
            (
                "replicaStatefileModified".to_string(),
                modified.unwrap_or(0).to_string(),
            ),
            ("replicaTime".to_string(), now.to_string()),
            (
                "masterJournalNumber".to_string(),
                target.current.journal.to_string(),
            ),
            (
                "masterJournalSequence".to_string(),
                target.current.sequence.to_string(),
            ),
            (
                "masterJournalNumberLEOF".to_string(),
                target.leof.journal.to_string(),
            ),
            (
                "masterJournalSequenceLEOF".to_string(),
                target.leof.sequence.to_string(),
            ),
            ("journalBytesBehind".to_string(), behind.to_string()),
            (
                "journalRotationsBehind".to_string(),
                (target.current.journal - replica.journal)
                    .max(0)
                    .to_string(),
            ),
        ];
        if degraded {
            rec.extend([
                ("currentJournalNumber".to_string(), "0".to_string()),
                ("currentJournalSequence".to_string(), "-1".to_string()),
                ("currentJournalNumberLEOF".to_string(), "0".to_string()),
                ("currentJournalSequenceLEOF".to_string(), "-1".to_string()),
            ]);
        }
        cx.tagged(rec);
        return;
    }
    cx.info(journal_state_line("replica", replica));
    cx.info(journal_state_line("master", target.current));
    if degraded {
        cx.info(journal_state_line("master", target.leof));
    }
    if let Some(t) = modified {
        cx.info(format!(
            "The statefile was last modified at:\t{}.",
            zone.datetime(t)
        ));
    }
    cx.info(format!(
        "The replica server time is currently:\t{}",
        zone.datetime_with_zone(now)
    ));
}

/// `p4 journalcopy -l`: how far journalcopy has persisted.
pub fn journalcopy_l(cx: &mut Cx<'_>) -> CmdResult {
    let s = Settings::read(cx.srv);
    if !s.services.is_standby() {
        return Err(CmdError::failed(NOT_STANDBY));
    }
    let pos = journalcopy::persisted(cx.srv, &s);
    if cx.is_tagged() {
        cx.tagged(vec![
            ("replicaJournalNumber".to_string(), pos.journal.to_string()),
            (
                "replicaJournalSequence".to_string(),
                pos.sequence.to_string(),
            ),
        ]);
    } else {
        cx.info(journal_state_line("replica persisted", pos));
    }
    Ok(())
}

/// `p4 pull -ls`: the transfer queue summed up.
pub fn pull_ls(cx: &mut Cx<'_>) -> CmdResult {
    let srv = cx.srv;
    if !Settings::read(srv).services.is_replica() {
        return Err(CmdError::failed(NOT_REPLICA));
    }
    let all = transfers::load(&srv.host().fs, srv.root());
    let bytes: i64 = all.iter().map(|t| t.size.max(0)).sum();
    let oldest = all.iter().map(|t| t.change).min();
    if cx.is_tagged() {
        let mut rec = vec![
            ("replicaTransfersActive".to_string(), "0".to_string()),
            ("replicaTransfersTotal".to_string(), all.len().to_string()),
            ("replicaBytesActive".to_string(), "0".to_string()),
            ("replicaBytesTotal".to_string(), bytes.to_string()),
        ];
        if let Some(c) = oldest {
            rec.push(("replicaOldestChange".to_string(), c.to_string()));
        }
        cx.tagged(rec);
        return Ok(());
    }
    cx.info(format!(
        "File transfers: 0 active/{} total, bytes: 0 active/{bytes} total.",
        all.len()
    ));
    if let Some(c) = oldest {
        cx.info(format!(
            "Oldest change with at least one pending file transfer: {c}."
        ));
    }
    Ok(())
}

/// `p4 pull -l`: one line per scheduled transfer,
/// `FILE REV TYPE STATE PROCESS TIMESTAMP` (MsgServer::PullTransferPending).
/// STATE is `new` or `failed`; PROCESS is 0 (no transfer is in flight
/// between cycles); TIMESTAMP is when the transfer was scheduled.
pub fn pull_l(cx: &mut Cx<'_>) -> CmdResult {
    let srv = cx.srv;
    if !Settings::read(srv).services.is_replica() {
        return Err(CmdError::failed(NOT_REPLICA));
    }
    let zone = srv.zone();
    for t in transfers::load(&srv.host().fs, srv.root()) {
        let ty = crate::archive::FileType::from_code(t.lbr_type).name();
        let state = if t.failed { "failed" } else { "new" };
        if cx.is_tagged() {
            cx.tagged(vec![
                ("file".to_string(), t.lbr_file.clone()),
                ("rev".to_string(), t.lbr_rev.clone()),
                ("type".to_string(), ty),
                ("state".to_string(), state.to_string()),
                ("process".to_string(), "0".to_string()),
                ("timestamp".to_string(), zone.datetime(t.queued)),
            ]);
        } else {
            cx.info(format!(
                "{} {} {ty} {state} 0 {}",
                t.lbr_file,
                t.lbr_rev,
                zone.datetime(t.queued)
            ));
        }
    }
    Ok(())
}

//! "Updating configuration of the failed-over server": the standby takes
//! the identity of the server it failed over from.
//!
//! The evidence that the identity moves: p4d refuses to start the old
//! master until its server ID is changed (MsgServer2 50) and refuses the
//! old ID later (51); the `failed-over` trigger's `%standbyserverid%` is
//! "the serverID of the standby before failover"; `p4d -Fm master standby`
//! turns the old master into the restricted standby `standby`. So:
//!
//! - `server.id` becomes the old master's ID. The old master's server spec
//!   (Services `commit-server`, say) and its `ID#` configurables now apply
//!   to this server; the pre-failover standby's spec and `standby#`
//!   configurables (P4TARGET, `startup.N` journalcopy / `pull -L` /
//!   `pull -u`, `db.replication`, `lbr.replication`, serviceUser) no longer
//!   apply to anything, so the new master runs no replication threads and
//!   uses no P4TARGET. They are kept (2022.1's failback uses them to turn
//!   the old master into that standby).
//! - The pre-failover standby's spec loses `Options: mandatory` (the
//!   simulator's choice): no server answers to that ID now, and a mandatory
//!   standby that never asks would hold every other replica of the new
//!   master at the LEOF (seed 000 section 9 shows the edge catching up).
//! - The `journal` counter is set to the number of the journal moved into
//!   place (normally it already is: the master journals its counter).
//!
//! These database changes are one transaction journaled into the moved
//! journal, so replicas of the new master apply them too. `statefailover`
//! is written in P4ROOT (the help describes it; its content is not
//! documented: the simulator writes `JOURNAL/SEQUENCE OLDID STANDBYID`).

use std::path::{Path, PathBuf};

use super::journal::JournalPlan;
use crate::db::{Row, Value};
use crate::journaling::{CaseFlag, JournalLog};
use crate::replwire::Position;
use crate::server::{Server, identity};

/// The file a failover leaves in the new master's P4ROOT.
pub const STATEFAILOVER: &str = "statefailover";
/// The file 2022.1+ failovers write for a later failback.
pub const FAILOVERCONFIGS: &str = "failoverconfigs";

/// What the configuration update changed, to undo it.
#[derive(Debug, Clone)]
pub struct Updated {
    /// Rows as they were: `(table, key, old row or None when new)`.
    old_rows: Vec<(&'static str, Vec<Value>, Option<Row>)>,
    /// The live journal and its length before the update.
    journal: Option<(PathBuf, u64)>,
    /// `server.id` before.
    old_id: Option<String>,
    /// True once `statefailover` was written.
    statefailover: bool,
}

/// Applies the new identity and configuration.
pub fn update(
    server: &Server,
    plan: &JournalPlan,
    new_id: &str,
    pid: u32,
) -> Result<Updated, String> {
    let fs = server.host().fs.clone();
    let root = server.root().to_path_buf();
    let old_id = server.server_id();
    let mut db = server.db();
    let mut old_rows = Vec::new();
    let dberr = |e: crate::db::DbError| e.to_string();
    if let Some(standby) = &old_id
        && let Some(row) = db
            .get("db.server", &[Value::text(standby)])
            .map_err(dberr)?
        && row[8].as_int() & 1 != 0
    {
        let mut new = row.clone();
        new[8] = Value::Int(row[8].as_int() & !1);
        old_rows.push(("db.server", vec![Value::text(standby)], Some(row)));
        db.put("db.server", new).map_err(dberr)?;
    }
    let key = vec![Value::text("journal")];
    let old_counter = db.get("db.counters", &key).map_err(dberr)?;
    if old_counter.as_ref().map(|r| r[1].as_int()) != Some(plan.number) {
        old_rows.push(("db.counters", key.clone(), old_counter));
        db.put(
            "db.counters",
            vec![Value::text("journal"), Value::text(plan.number.to_string())],
        )
        .map_err(dberr)?;
    }
    let records = db.take_records();
    let mut journal = None;
    if let Some(live) = &plan.live {
        let before = fs.metadata(live).map(|m| m.len).unwrap_or(0);
        journal = Some((live.clone(), before));
        let log = JournalLog::new(
            fs.clone(),
            live.clone(),
            server.config().root_name.clone(),
            journal_name(server, live),
            server.version(),
            CaseFlag::from_insensitive(server.fold_case()),
        );
        if let Err(e) = log.append_transaction(&records, pid, server.now()) {
            let _ = fs.set_len(live, before);
            return Err(format!(
                "Journal file '{}' write failed: {}",
                log.journal_name(),
                crate::client::os_error(&e)
            ));
        }
    }
    let mut updated = Updated {
        old_rows,
        journal,
        old_id: old_id.clone(),
        statefailover: false,
    };
    if let Err(e) = db.flush() {
        let _ = undo(server, &updated);
        return Err(e.to_string());
    }
    if let Err(e) = identity::write_server_id(&fs, &root, new_id) {
        let _ = undo(server, &updated);
        return Err(format!(
            "open for write: server.id: {}",
            crate::client::os_error(&e)
        ));
    }
    let position = Position::new(
        plan.number,
        fs.metadata(plan.live.as_deref().unwrap_or(Path::new("")))
            .map(|m| m.len as i64)
            .unwrap_or(0),
    );
    let text = format!("{position} {new_id} {}\n", old_id.unwrap_or_default());
    if let Err(e) = fs.write(&root.join(STATEFAILOVER), text.as_bytes()) {
        let _ = undo(server, &updated);
        return Err(format!(
            "open for write: {STATEFAILOVER}: {}",
            crate::client::os_error(&e)
        ));
    }
    updated.statefailover = true;
    Ok(updated)
}

/// The journal's name as notes record it: relative to P4ROOT when inside.
fn journal_name(server: &Server, live: &Path) -> String {
    live.strip_prefix(server.root())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| live.display().to_string())
}

/// Puts everything back as it was before [`update`].
pub fn undo(server: &Server, u: &Updated) -> Result<(), String> {
    let fs = server.host().fs.clone();
    let root = server.root().to_path_buf();
    let mut db = server.db();
    for (table, key, old) in u.old_rows.iter().rev() {
        let r = match old {
            Some(row) => db.apply(p4ha_journal::Op::Pv, table, row.clone()),
            None => db.apply(p4ha_journal::Op::Dv, table, key.clone()),
        };
        r.map_err(|e| e.to_string())?;
    }
    db.flush().map_err(|e| e.to_string())?;
    if let Some((live, len)) = &u.journal
        && fs.metadata(live).is_ok_and(|m| m.len > *len)
    {
        fs.set_len(live, *len).map_err(|e| {
            format!(
                "truncate: {}: {}",
                live.display(),
                crate::client::os_error(&e)
            )
        })?;
    }
    match &u.old_id {
        Some(id) => identity::write_server_id(&fs, &root, id),
        None => fs.remove_file(&root.join("server.id")).or_else(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Ok(())
            } else {
                Err(e)
            }
        }),
    }
    .map_err(|e| format!("server.id: {}", crate::client::os_error(&e)))?;
    if u.statefailover {
        let _ = fs.remove_file(&root.join(STATEFAILOVER));
    }
    Ok(())
}

/// Writes `failoverconfigs` (2022.1+): what a failback needs to put the
/// servers back. Its format is not documented; the simulator writes
/// `name=value` lines: the pre-failover IDs and addresses, and the
/// position the failover happened at.
pub fn write_failoverconfigs(
    server: &Server,
    standby_id: &str,
    master_id: &str,
    master_address: &str,
    at: Position,
) -> Result<(), String> {
    let text = format!(
        "standby.serverid={standby_id}\nstandby.address={}\nmaster.serverid={master_id}\nmaster.address={master_address}\nposition={at}\n",
        server.address()
    );
    server
        .host()
        .fs
        .write(&server.root().join(FAILOVERCONFIGS), text.as_bytes())
        .map_err(|e| {
            format!(
                "open for write: {FAILOVERCONFIGS}: {}",
                crate::client::os_error(&e)
            )
        })
}

/// Removes `failoverconfigs` (undo of [`write_failoverconfigs`]).
pub fn remove_failoverconfigs(server: &Server) {
    let _ = server
        .host()
        .fs
        .remove_file(&server.root().join(FAILOVERCONFIGS));
}

/// Called when a replica asks a server for journal data: a `statefailover`
/// left by a failover is removed once every standby of this server names
/// it in ReplicatingFrom (the help: it is deleted automatically when all
/// standbys have ReplicatingFrom; it serves standbys that do not).
pub fn note_replica_request(server: &Server) {
    let path = server.root().join(STATEFAILOVER);
    let fs = &server.host().fs;
    if !fs.exists(&path) {
        return;
    }
    let me = server.server_id();
    let mut db = server.db();
    let all_named = db.rows("db.server").unwrap_or_default().iter().all(|row| {
        let standby = crate::services::Services::from_bits(row[5].as_int() as u32).is_standby();
        !standby || me.as_deref() == Some(row[0].as_str().as_ref()) || !row[9].as_str().is_empty()
    });
    if all_named {
        let _ = fs.remove_file(&path);
    }
}

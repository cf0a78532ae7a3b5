//! What a replica's threads read from its configuration on every cycle:
//! `P4TARGET`, `serviceUser` and its ticket, `statefile`,
//! `rpl.journalcopy.location`, `journalPrefix`, `lbr.replication`.
//!
//! Everything is read afresh each time, so `p4 configure set` on the
//! master (replicated), `p4d "-cset edge1#P4TARGET=..."` on the replica
//! itself, or a new ticket in the P4TICKETS file takes effect at the next
//! cycle without a restart.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::db::Value;
use crate::journal_files::Naming;
use crate::server::Server;
use crate::services::Services;

/// Where journalcopy keeps the journal it is copying
/// (`rpl.journalcopy.location`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyLocation {
    /// `0` (default): written directly as the numbered journal in
    /// journalPrefix (`journal.N`, `prefix.jnl.N`).
    Numbered,
    /// `1`: written at the server's P4JOURNAL and rotated into
    /// journalPrefix when the target rotates its journal.
    Rotated,
}

/// A replica's replication settings, as read at one moment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Its server ID (`server.id`), if any.
    pub server_id: Option<String>,
    /// Its services, from its server spec.
    pub services: Services,
    /// `P4TARGET`, if set.
    pub target: Option<String>,
    /// `serviceUser` (the process's `P4USER` when unset).
    pub service_user: String,
    /// The service user's tickets from the P4TICKETS file, by the server
    /// identity they are stored under.
    pub tickets: BTreeMap<String, String>,
    /// The `state` file (`statefile`, default `state` in P4ROOT).
    pub state_path: PathBuf,
    /// The `statejcopy` file: the state file's name with `jcopy` appended.
    pub jcopy_state_path: PathBuf,
    /// `rpl.journalcopy.location`.
    pub location: CopyLocation,
    /// How rotated journals are named here (`journalPrefix`).
    pub naming: Naming,
    /// The server's live journal (P4JOURNAL), `None` when journaling is off.
    pub live_journal: Option<PathBuf>,
    /// `lbr.replication` (`readonly` when unset).
    pub lbr_replication: String,
}

impl Settings {
    /// Reads the settings of `server` now.
    pub fn read(server: &Server) -> Settings {
        let fs = &server.host().fs;
        let root = server.root().to_path_buf();
        let mut db = server.db();
        let mut get = |var: &str| {
            server
                .configurable(&mut db, var)
                .ok()
                .flatten()
                .filter(|v| !v.is_empty())
        };
        let target = get("P4TARGET");
        let service_user = get("serviceUser")
            .or_else(|| server.config().env.get("P4USER").cloned())
            .unwrap_or_default();
        let tickets_file = get("P4TICKETS");
        let statefile = get("statefile").unwrap_or_else(|| "state".to_string());
        let location = match get("rpl.journalcopy.location").as_deref().map(str::trim) {
            Some("1") => CopyLocation::Rotated,
            _ => CopyLocation::Numbered,
        };
        let prefix = get("journalPrefix");
        let lbr_replication = get("lbr.replication").unwrap_or_else(|| "readonly".to_string());

        let state_path = server.config().in_root(&statefile);
        let mut jcopy = state_path.clone().into_os_string();
        jcopy.push("jcopy");
        let tickets_path = ticket_file(server, tickets_file);
        let tickets = crate::client::tickets::load(fs, &tickets_path)
            .into_iter()
            .filter(|t| t.user == service_user)
            .map(|t| (t.key, t.ticket))
            .collect();
        let server_id = server.server_id();
        let services = server_id
            .as_ref()
            .and_then(|id| db.get("db.server", &[Value::text(id)]).ok().flatten())
            .map(|row| Services::from_bits(row[5].as_int() as u32))
            .unwrap_or(Services::Standard);
        Settings {
            server_id,
            services,
            target,
            service_user,
            tickets,
            state_path,
            jcopy_state_path: PathBuf::from(jcopy),
            location,
            naming: Naming::new(root, prefix.as_deref()),
            live_journal: server.journal().map(|j| j.path().to_path_buf()),
            lbr_replication,
        }
    }

    /// The file journalcopy writes journal `n` into while `n` is the
    /// journal being copied.
    pub fn active_copy(&self, n: i64) -> PathBuf {
        match (self.location, &self.live_journal) {
            (CopyLocation::Rotated, Some(live)) => live.clone(),
            _ => self.numbered_copy(n),
        }
    }

    /// Where copied journal `n` lives once the target has rotated it.
    pub fn numbered_copy(&self, n: i64) -> PathBuf {
        self.naming.path(&self.naming.journal_name(n, false))
    }

    /// True when archive content is copied by `pull -u` (not shared with
    /// the target, not fetched on demand).
    pub fn transfers_archives(&self) -> bool {
        !matches!(
            self.lbr_replication.as_str(),
            "shared" | "ondemand" | "cache" | "none"
        )
    }
}

/// The P4TICKETS file the server's threads read: the `P4TICKETS`
/// configurable, else the process environment's `P4TICKETS`, else
/// `$HOME/.p4tickets`. Relative names are relative to P4ROOT (p4d runs
/// there).
fn ticket_file(server: &Server, configured: Option<String>) -> PathBuf {
    let env = &server.config().env;
    let name = configured
        .or_else(|| env.get("P4TICKETS").filter(|v| !v.is_empty()).cloned())
        .unwrap_or_else(|| {
            let home = env
                .get("HOME")
                .cloned()
                .or_else(|| server.host().env_var("HOME"))
                .unwrap_or_else(|| "/root".to_string());
            format!("{home}/.p4tickets")
        });
    server.config().in_root(&name)
}

//! A running p4d: start-up checks, the listener, one task per connection,
//! the background threads `startup.N` names, clean stop and restart.
//!
//! The same code runs inside the simulation (one turmoil host per machine)
//! and as the daemon in a container (tokio on real sockets): only the
//! [`Host`]'s file system, clock and network differ.

pub mod config;
pub mod identity;
mod startup;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::rc::Rc;

use crate::clock::Zone;
use crate::db::{Db, DbError, Value};
use crate::host::Host;
use crate::journaling::{CaseFlag, JournalLog};
use crate::net::Conn;
use crate::process::{ProcControl, Process, StopRequest};
use crate::protocol::{ClientMsg, ServerMsg, read_frame, write_frame};
use crate::services::Services;
use crate::version::ServerVersion;

pub use config::{JournalSetting, ServerConfig, resolve_in_root};
pub use startup::{StartError, start_process};

/// What a replica last told this server about itself (for `p4 servers -J`
/// and the mandatory-standby LEOF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSeen {
    /// Server ID of the replica.
    pub server_id: String,
    /// Last request time (epoch seconds).
    pub last_seen: i64,
    /// Persisted journal position (journal number, offset).
    pub persisted: (i64, i64),
    /// Applied journal position.
    pub applied: (i64, i64),
    /// Request flags (`W`=8 long-poll, `A`=4 acknowledging, `D`=2 durable
    /// only, `L`=1 local).
    pub flags: u32,
    /// How often the replica polls, in seconds (0 = long poll).
    pub interval: u64,
    /// The replica's Services word, as it reported it.
    pub services: String,
}

/// State of one background thread (`journalcopy`, `pull -L`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThreadState {
    /// The command line from `startup.N`.
    pub command: String,
    /// True while the thread runs.
    pub running: bool,
    /// The last error it hit, if its last cycle failed.
    pub last_error: Option<String>,
    /// True when it has no work pending (caught up).
    pub idle: bool,
}

/// What changes while a server runs.
#[derive(Debug, Default)]
pub struct Runtime {
    /// Set during a failover from this server: new commands are refused
    /// with this message.
    pub refusing: Option<String>,
    /// Set when commands must wait (failover stalls them).
    pub stalled: bool,
    /// Replicas that have contacted this server, by server ID.
    pub replicas: BTreeMap<String, ReplicaSeen>,
    /// Background threads by name.
    pub threads: BTreeMap<String, ThreadState>,
    /// Commands currently running.
    pub running_commands: u32,
    /// Free-form per-server facts other modules keep (failover progress).
    pub notes: BTreeMap<String, String>,
    /// The replication threads' handles (wake-ups, cycle reports).
    pub repl: crate::replication::ThreadRegistry,
}

/// A running server. Cheap to clone.
#[derive(Clone)]
pub struct Server {
    inner: Rc<Inner>,
}

struct Inner {
    host: Rc<Host>,
    cfg: ServerConfig,
    pid: u32,
    control: ProcControl,
    started_at: i64,
    fold_case: bool,
    rt: RefCell<Runtime>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("host", &self.inner.host.name)
            .field("root", &self.inner.cfg.root)
            .field("port", &self.inner.cfg.port)
            .finish()
    }
}

impl Server {
    pub(crate) fn new(
        host: Rc<Host>,
        cfg: ServerConfig,
        pid: u32,
        control: ProcControl,
        fold_case: bool,
    ) -> Server {
        let started_at = host.clock.now();
        Server {
            inner: Rc::new(Inner {
                host,
                cfg,
                pid,
                control,
                started_at,
                fold_case,
                rt: RefCell::new(Runtime::default()),
            }),
        }
    }

    /// The machine it runs on.
    pub fn host(&self) -> &Rc<Host> {
        &self.inner.host
    }

    /// The identity the server gives clients (`p4 info`'s "Server
    /// address", and the key p4 stores tickets under): its P4PORT, with the
    /// host name when P4PORT is only a port number.
    pub fn address(&self) -> String {
        let port = &self.inner.cfg.port;
        if port.contains(':') {
            port.clone()
        } else {
            format!("{}:{}", self.inner.host.name, port)
        }
    }

    /// Its start-up configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.cfg
    }

    /// P4ROOT (host path).
    pub fn root(&self) -> &std::path::Path {
        &self.inner.cfg.root
    }

    /// Process id.
    pub fn pid(&self) -> u32 {
        self.inner.pid
    }

    /// Its process control (stop, restart, pause).
    pub fn control(&self) -> &ProcControl {
        &self.inner.control
    }

    /// The release it runs.
    pub fn version(&self) -> ServerVersion {
        self.inner.cfg.version
    }

    /// True on a case-insensitive (`-C1`) server.
    pub fn fold_case(&self) -> bool {
        self.inner.fold_case
    }

    /// When it started (epoch seconds).
    pub fn started_at(&self) -> i64 {
        self.inner.started_at
    }

    /// Now, by the host's clock.
    pub fn now(&self) -> i64 {
        self.inner.host.clock.now()
    }

    /// The time zone its dates are printed in (its process's `TZ`, else the
    /// host's).
    pub fn zone(&self) -> Zone {
        match self.inner.cfg.tz() {
            Some(tz) => Zone::from_tz(Some(tz)),
            None => self.inner.host.zone(),
        }
    }

    /// Mutable runtime state.
    pub fn runtime(&self) -> std::cell::RefMut<'_, Runtime> {
        self.inner.rt.borrow_mut()
    }

    /// A new database session.
    pub fn db(&self) -> Db {
        Db::open(
            self.inner.host.fs.clone(),
            self.root().to_path_buf(),
            self.version(),
            self.fold_case(),
        )
    }

    /// The server ID from `server.id`, if set.
    pub fn server_id(&self) -> Option<String> {
        identity::read_server_id(&self.inner.host.fs, self.root())
    }

    /// The name configurables are scoped by: P4NAME, else the server ID.
    pub fn config_name(&self) -> Option<String> {
        self.inner.cfg.name.clone().or_else(|| self.server_id())
    }

    /// A configurable's value as this server sees it: `name#var` for its own
    /// name, else `any#var`.
    pub fn configurable(&self, db: &mut Db, var: &str) -> Result<Option<String>, DbError> {
        if let Some(me) = self.config_name()
            && let Some(row) = db.get("db.config", &[Value::text(me), Value::text(var)])?
        {
            return Ok(Some(row[2].as_str().into_owned()));
        }
        Ok(db
            .get("db.config", &[Value::text("any"), Value::text(var)])?
            .map(|r| r[2].as_str().into_owned()))
    }

    /// A configurable read in a fresh session, with a default.
    pub fn configurable_or(&self, var: &str, default: &str) -> String {
        let mut db = self.db();
        self.configurable(&mut db, var)
            .ok()
            .flatten()
            .unwrap_or_else(|| default.to_string())
    }

    /// The services this server provides, from its server spec (standard
    /// when it has none).
    pub fn services(&self) -> Services {
        let Some(id) = self.server_id() else {
            return Services::Standard;
        };
        let mut db = self.db();
        match db.get("db.server", &[Value::text(id)]) {
            Ok(Some(row)) => Services::from_bits(row[5].as_int() as u32),
            _ => Services::Standard,
        }
    }

    /// Where the live journal is, or `None` when journaling is off.
    pub fn journal(&self) -> Option<JournalLog> {
        let cfg = &self.inner.cfg;
        let name = match &cfg.journal {
            JournalSetting::Off => return None,
            JournalSetting::Path(p) => p.clone(),
            JournalSetting::Default => {
                let v = self.configurable_or("P4JOURNAL", "journal");
                if v == "off" {
                    return None;
                }
                v
            }
        };
        Some(JournalLog::new(
            self.inner.host.fs.clone(),
            cfg.in_root(&name),
            cfg.root_name.clone(),
            name,
            self.version(),
            CaseFlag::from_insensitive(self.fold_case()),
        ))
    }

    /// The `journal` counter: the number of the current journal.
    pub fn journal_number(&self) -> i64 {
        let mut db = self.db();
        db.get("db.counters", &[Value::text("journal")])
            .ok()
            .flatten()
            .map(|r| r[1].as_int())
            .unwrap_or(0)
    }

    /// Journals the session's changes (one transaction) and writes its
    /// tables back. Returns the journal's length after the commit.
    pub fn commit(&self, db: &mut Db, pid: u32) -> Result<u64, CommitError> {
        let records = db.take_records();
        let mut size = 0;
        if !records.is_empty()
            && let Some(j) = self.journal()
        {
            {
                size = j
                    .append_transaction(&records, pid, self.now())
                    .map_err(|e| CommitError::Journal {
                        path: j.path().to_path_buf(),
                        source: e,
                    })?;
            }
        }
        db.flush().map_err(CommitError::Db)?;
        Ok(size)
    }

    /// Registers itself in its host's process table.
    pub(crate) fn register(&self) {
        self.inner.host.procs.borrow_mut().insert(Process {
            pid: self.pid(),
            root: self.root().to_path_buf(),
            port: self.inner.cfg.listen_port,
            control: self.inner.control.clone(),
        });
    }
}

/// Why a commit failed.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// The journal could not be written (a full disk, for instance).
    /// p4d's catalogue has no message of its own for this; the reason is
    /// the OS's text as p4d prints it (`No space left on device`), without
    /// Rust's `(os error N)`.
    #[error("Journal file '{}' write failed: {}", path.display(), crate::client::os_error(source))]
    Journal {
        /// Journal path.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A table could not be written.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Serves connections until a stop or restart is requested.
pub(crate) async fn serve(
    server: Server,
    mut listener: Box<dyn crate::net::Listener>,
) -> StopRequest {
    let control = server.control().clone();
    loop {
        tokio::select! {
            biased;
            req = control.stopped() => return req,
            conn = listener.accept() => {
                match conn {
                    Ok(conn) => {
                        let s = server.clone();
                        let task = tokio::task::spawn_local(async move { handle_conn(s, conn).await });
                        control.adopt(task.abort_handle());
                    }
                    Err(_) => continue,
                }
            }
        }
    }
}

async fn handle_conn(server: Server, conn: Conn) {
    let Conn { mut stream, peer } = conn;
    let first: ClientMsg = match read_frame(&mut stream).await {
        Ok(Some(m)) => m,
        _ => return,
    };
    server.control().running().await;
    match first {
        ClientMsg::Request(req) => {
            crate::commands::serve_request(&server, *req, peer, &mut stream).await;
        }
        ClientMsg::Replication(req, repl) => {
            let reply = crate::replication::serve(&server, &req, *repl, peer).await;
            let _ = write_frame(&mut stream, &ServerMsg::Replication(Box::new(reply))).await;
            let _ = write_frame(&mut stream, &ServerMsg::Done { status: 0 }).await;
        }
        _ => {}
    }
}

/// The peer address of a client, as a server reports it.
pub fn peer_ip(peer: &SocketAddr) -> String {
    peer.ip().to_string()
}

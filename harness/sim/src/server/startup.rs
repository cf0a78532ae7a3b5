//! Starting a p4d process: the checks p4d makes before it listens, then the
//! process's life (serve, stop, restart in place).

use std::rc::Rc;

use super::{Server, ServerConfig, identity, serve};
use crate::db::{Db, Value};
use crate::host::Host;
use crate::process::{ProcControl, StopRequest};

/// Why a server did not start. The text is what p4d prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StartError {
    /// Lines p4d prints before exiting.
    pub message: String,
}

impl StartError {
    fn server_error(lines: &[String]) -> StartError {
        let mut message = String::from("Perforce server error:");
        for l in lines {
            for part in l.lines() {
                message.push_str("\n\t");
                message.push_str(part);
            }
        }
        StartError { message }
    }
}

/// A started p4d process.
pub struct Started {
    /// Its process id.
    pub pid: u32,
    /// What it printed while starting.
    pub output: Vec<String>,
    /// Its control handle.
    pub control: ProcControl,
    /// Resolves when the process has exited.
    pub exited: tokio::sync::oneshot::Receiver<()>,
}

/// Runs p4d's start-up checks, binds the port, and spawns the process on
/// the current host's runtime. Returns once it listens (or failed to).
pub async fn start_process(host: &Rc<Host>, cfg: ServerConfig) -> Result<Started, StartError> {
    let pid = host.next_pid();
    let control = ProcControl::new();
    let mut output = Vec::new();
    let (server, listener) = prepare(host, &cfg, pid, &control, &mut output).await?;
    output.push("Perforce Server starting...".to_string());
    let (tx, rx) = tokio::sync::oneshot::channel();
    let supervisor = {
        let host = host.clone();
        let control = control.clone();
        tokio::task::spawn_local(async move {
            let mut server = server;
            let mut listener = listener;
            loop {
                let threads = crate::replication::start_threads(&server);
                let req = serve(server.clone(), listener).await;
                for t in threads {
                    t.abort();
                }
                host.procs.borrow_mut().remove(server.pid());
                if req != StopRequest::Restart {
                    break;
                }
                // Restart in place: same pid, configuration read again.
                let fresh = ProcControl::new();
                let mut out = Vec::new();
                match prepare(&host, &cfg, pid, &fresh, &mut out).await {
                    Ok((s, l)) => {
                        server = s;
                        listener = l;
                    }
                    Err(_) => break,
                }
            }
            control.mark_exited();
            let _ = tx.send(());
        })
    };
    control.adopt(supervisor.abort_handle());
    Ok(Started {
        pid,
        output,
        control,
        exited: rx,
    })
}

/// The checks of a (re)start; returns the server and its bound listener.
async fn prepare(
    host: &Rc<Host>,
    cfg: &ServerConfig,
    pid: u32,
    control: &ProcControl,
    output: &mut Vec<String>,
) -> Result<(Server, Box<dyn crate::net::Listener>), StartError> {
    let fs = &host.fs;
    match fs.metadata(&cfg.root) {
        Ok(m) if m.is_dir() => {}
        _ => {
            return Err(StartError::server_error(&[format!(
                "chdir {}: No such file or directory",
                cfg.root_name
            )]));
        }
    }
    let existing_case = crate::db::stored_case(fs, &cfg.root);
    let fold_case = match (existing_case, cfg.case_insensitive) {
        (Some(stored), Some(asked)) if stored != asked => {
            return Err(StartError::server_error(&[format!(
                "Case-handling mismatch: server uses {} but database is {}!",
                crate::journaling::CaseFlag::from_insensitive(asked).describe(),
                crate::journaling::CaseFlag::from_insensitive(stored).describe()
            )]));
        }
        (Some(stored), _) => stored,
        (None, asked) => asked.unwrap_or(false),
    };
    let mut db = Db::open(fs.clone(), cfg.root.clone(), cfg.version, fold_case);
    if let Some(id) = identity::read_server_id(fs, &cfg.root)
        && identity::failover_seen(&mut db, &id)
            .map_err(|e| StartError::server_error(&[e.to_string()]))?
            .is_some()
    {
        return Err(StartError::server_error(&[
            "Failover has occurred from this server, and the server ID must be changed. Use 'p4d -xD' to change the server ID."
                .to_string(),
        ]));
    }
    if db.is_new() {
        output.push(format!(
            "Perforce db files in '{}' will be created if missing...",
            cfg.root_name
        ));
        crate::db::initialize(&mut db, cfg.version)
            .map_err(|e| StartError::server_error(&[e.to_string()]))?;
        crate::db::record_default_depot(&mut db, host.clock.now())
            .map_err(|e| StartError::server_error(&[e.to_string()]))?;
    }
    let upgrade = db
        .get("db.counters", &[Value::text("upgrade")])
        .map_err(|e| StartError::server_error(&[e.to_string()]))?
        .map(|r| r[1].as_int())
        .unwrap_or(0);
    let needed = i64::from(cfg.version.upgrade_level());
    if upgrade < needed {
        return Err(StartError::server_error(&[format!(
            "Database is at old upgrade level {upgrade}.  Use 'p4d -r {} -xu' to upgrade to level {needed}.",
            cfg.root_name
        )]));
    }
    let listener = host.net.listen(cfg.listen_port).await.map_err(|e| {
        StartError::server_error(&[
            format!("Listen {} failed.", cfg.port),
            format!("bind: 0.0.0.0:{}: {}", cfg.listen_port, io_reason(&e)),
        ])
    })?;
    let server = Server::new(host.clone(), cfg.clone(), pid, control.clone(), fold_case);
    server.register();
    Ok((server, listener))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => "Address already in use".to_string(),
        _ => e.to_string(),
    }
}

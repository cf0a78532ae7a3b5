//! The background threads `startup.N` starts: their commands, their loop
//! (a cycle, then a sleep of `-i N` seconds, or `-b N` after a failure),
//! and the handles through which others wake them, wait for them and stop
//! them.
//!
//! Sleeps are `tokio::time::sleep`: virtual time inside the simulated
//! world, real time in a daemon. Each thread records its state in the
//! server's [`crate::server::Runtime::threads`] under its name
//! (`journalcopy`, `pull -L`, `pull -u`, `pull`).

use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::AbortHandle;

use super::journalcopy::{self, CopyOptions};
use super::link::LinkError;
use super::pull::{self, PullOptions, PullSession};
use super::settings::Settings;
use super::transfers;
use crate::server::{Server, ThreadState};

/// Name of the journalcopy thread.
pub const JOURNALCOPY: &str = "journalcopy";
/// Name of the thread applying journalcopy'd journals.
pub const PULL_LOCAL: &str = "pull -L";
/// Name of the archive transfer thread.
pub const PULL_ARCHIVE: &str = "pull -u";
/// Name of the thread pulling and applying the target's journal.
pub const PULL: &str = "pull";

/// Default `-b N`: seconds to wait after a failed cycle (command
/// reference, p4 journalcopy and p4 pull).
pub const DEFAULT_RETRY_SECS: u64 = 60;

/// How often a local thread (`pull -L`, `pull -u`) started with `-i 0`
/// looks for work when nothing wakes it.
const LOCAL_LONG_POLL: Duration = Duration::from_secs(1);

/// What a thread does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadKind {
    /// `journalcopy -i N [-b N] [--durable-only] [--non-acknowledging]`.
    JournalCopy {
        /// Request options.
        opts: CopyOptions,
        /// `-b N`.
        retry: u64,
    },
    /// `pull -L -i N`.
    PullLocal {
        /// `-i N`.
        interval: u64,
        /// `-b N`.
        retry: u64,
    },
    /// `pull -u -i N [-b N]`.
    PullArchive {
        /// `-i N`.
        interval: u64,
        /// `-b N`.
        retry: u64,
    },
    /// `pull -i N [-b N]`.
    Pull {
        /// Request options.
        opts: PullOptions,
        /// `-b N`.
        retry: u64,
    },
}

impl ThreadKind {
    /// The thread's name (what failover's `Waiting for '%thread%'` says).
    pub fn name(&self) -> &'static str {
        match self {
            ThreadKind::JournalCopy { .. } => JOURNALCOPY,
            ThreadKind::PullLocal { .. } => PULL_LOCAL,
            ThreadKind::PullArchive { .. } => PULL_ARCHIVE,
            ThreadKind::Pull { .. } => PULL,
        }
    }

    fn interval(&self) -> u64 {
        match self {
            ThreadKind::JournalCopy { opts, .. } => opts.interval,
            ThreadKind::Pull { opts, .. } => opts.interval,
            ThreadKind::PullLocal { interval, .. } | ThreadKind::PullArchive { interval, .. } => {
                *interval
            }
        }
    }

    fn retry(&self) -> u64 {
        match self {
            ThreadKind::JournalCopy { retry, .. }
            | ThreadKind::PullLocal { retry, .. }
            | ThreadKind::PullArchive { retry, .. }
            | ThreadKind::Pull { retry, .. } => *retry,
        }
    }

    /// Parses a `startup.N` value (or a command line): `journalcopy -i 1`,
    /// `pull -L -i 1`, `pull -u -i 1`, `pull -i 1 -b 30`. Options the
    /// simulator does not model (`-T`, `-P`, `-J`, `--batch=N`...) are
    /// accepted and ignored.
    pub fn parse(text: &str) -> Result<ThreadKind, String> {
        let invalid = || format!("Startup command '{}' is unknown or invalid.", text.trim());
        let words: Vec<&str> = text.split_whitespace().collect();
        let (cmd, args) = words.split_first().ok_or_else(invalid)?;
        let mut interval: Option<u64> = None;
        let mut retry = DEFAULT_RETRY_SECS;
        let (mut local, mut archive, mut durable, mut nonack) = (false, false, false, false);
        let mut i = 0;
        while i < args.len() {
            let a = args[i];
            let mut number = |flag: &str| -> Result<u64, String> {
                let v = match a.strip_prefix(flag).filter(|v| !v.is_empty()) {
                    Some(v) => v,
                    None => {
                        i += 1;
                        args.get(i).copied().ok_or_else(invalid)?
                    }
                };
                v.parse().map_err(|_| invalid())
            };
            match a {
                _ if a.starts_with("-i") => interval = Some(number("-i")?),
                _ if a.starts_with("-b") => retry = number("-b")?,
                "-L" => local = true,
                "-u" => archive = true,
                "--durable-only" => durable = true,
                "--non-acknowledging" => nonack = true,
                "-T" | "-P" | "-J" | "-t" => i += 1,
                _ if a.starts_with("--") => {}
                _ => return Err(invalid()),
            }
            i += 1;
        }
        let interval = interval.unwrap_or(0);
        match *cmd {
            "journalcopy" if !local && !archive => Ok(ThreadKind::JournalCopy {
                opts: CopyOptions {
                    interval,
                    durable_only: durable,
                    acknowledging: !nonack,
                },
                retry,
            }),
            "pull" if local && !archive => Ok(ThreadKind::PullLocal { interval, retry }),
            "pull" if archive && !local => Ok(ThreadKind::PullArchive { interval, retry }),
            "pull" if !local && !archive => Ok(ThreadKind::Pull {
                opts: PullOptions { interval },
                retry,
            }),
            _ => Err(invalid()),
        }
    }
}

/// What a thread reported after its last cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CycleReport {
    /// Cycles finished since the thread started.
    pub cycles: u64,
    /// True while a cycle runs.
    pub busy: bool,
    /// True when the last cycle found no work (caught up).
    pub idle: bool,
    /// The last cycle's error chain, if it failed.
    pub error: Option<Vec<String>>,
    /// The target's stall message from the last cycle (mandatory standby
    /// not alive), if any.
    pub stalled: Option<String>,
}

#[derive(Debug)]
struct Handle {
    abort: AbortHandle,
    wake: Rc<Notify>,
    report: watch::Sender<CycleReport>,
}

/// The running threads of one server, by name.
#[derive(Debug, Default)]
pub struct ThreadRegistry {
    threads: BTreeMap<String, Handle>,
}

/// The `startup.N` commands of a server, by N: its own (`name#startup.N`)
/// over the global ones (`any#startup.N`).
pub fn startup_commands(server: &Server) -> Vec<(u32, String)> {
    let mut db = server.db();
    let me = server.config_name();
    let mut found: BTreeMap<u32, (bool, String)> = BTreeMap::new();
    for row in db.rows("db.config").unwrap_or_default() {
        let scope = row[0].as_str();
        let own = me.as_deref() == Some(scope.as_ref());
        if !own && scope != "any" {
            continue;
        }
        let Some(n) = row[1]
            .as_str()
            .strip_prefix("startup.")
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let value = row[2].as_str().into_owned();
        match found.get(&n) {
            Some((true, _)) if !own => {}
            _ => {
                found.insert(n, (own, value));
            }
        }
    }
    found
        .into_iter()
        .map(|(n, (_, v))| (n, v.trim().to_string()))
        .collect()
}

/// Starts the threads of the server's `startup.N` configurables (stopping
/// any it was running). Returns their abort handles; aborting one ends
/// its thread at once.
pub fn start(server: &Server) -> Vec<AbortHandle> {
    stop(server);
    server.runtime().threads.clear();
    let mut handles = Vec::new();
    for (n, text) in startup_commands(server) {
        match ThreadKind::parse(&text) {
            Ok(kind) => {
                let mut name = kind.name().to_string();
                if server.runtime().threads.contains_key(&name) {
                    name = format!("{name} (startup.{n})");
                }
                handles.push(spawn(server, name, text, kind));
            }
            Err(message) => {
                server.runtime().threads.insert(
                    format!("startup.{n}"),
                    ThreadState {
                        command: text,
                        running: false,
                        last_error: Some(message),
                        idle: false,
                    },
                );
            }
        }
    }
    handles
}

/// Starts one thread named `name`.
pub fn spawn(server: &Server, name: String, command: String, kind: ThreadKind) -> AbortHandle {
    let wake = Rc::new(Notify::new());
    let (report, _) = watch::channel(CycleReport::default());
    server.runtime().threads.insert(
        name.clone(),
        ThreadState {
            command,
            running: true,
            last_error: None,
            idle: false,
        },
    );
    let task = {
        let server = server.clone();
        let wake = wake.clone();
        let report = report.clone();
        let name = name.clone();
        tokio::task::spawn_local(async move { run(server, name, kind, wake, report).await })
    };
    let abort = task.abort_handle();
    server.control().adopt(abort.clone());
    server.runtime().repl.threads.insert(
        name,
        Handle {
            abort: abort.clone(),
            wake,
            report,
        },
    );
    abort
}

/// Stops every replication thread of the server.
pub fn stop(server: &Server) {
    let handles: Vec<(String, Handle)> = std::mem::take(&mut server.runtime().repl.threads)
        .into_iter()
        .collect();
    for (name, h) in handles {
        h.abort.abort();
        if let Some(t) = server.runtime().threads.get_mut(&name) {
            t.running = false;
        }
    }
}

/// Wakes a thread so that it runs a cycle now instead of finishing its
/// sleep. Unknown names are ignored.
pub fn wake(server: &Server, name: &str) {
    if let Some(h) = server.runtime().repl.threads.get(name) {
        h.wake.notify_one();
    }
}

/// The last report of a thread.
pub fn report(server: &Server, name: &str) -> Option<CycleReport> {
    server
        .runtime()
        .repl
        .threads
        .get(name)
        .map(|h| h.report.borrow().clone())
}

/// Why waiting for a thread ended without it being caught up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WaitError {
    /// No such thread runs on the server.
    #[error("This failover requires that '{0}' must be running.")]
    NotRunning(String),
    /// Its last cycle failed; the error chain.
    #[error("{}", .0.join("\n"))]
    Failed(Vec<String>),
    /// It did not catch up in time.
    #[error("'{0}' did not complete its work in time.")]
    TimedOut(String),
}

/// Waits until thread `name` has completed its work: it is woken, and the
/// wait ends after a cycle that started after the call found nothing more
/// to do. Fails when the thread does not run, when a cycle fails, or after
/// `limit`.
pub async fn wait_caught_up(server: &Server, name: &str, limit: Duration) -> Result<(), WaitError> {
    let (mut rx, wake) = {
        let rt = server.runtime();
        let h = rt
            .repl
            .threads
            .get(name)
            .ok_or_else(|| WaitError::NotRunning(name.to_string()))?;
        if h.abort.is_finished() {
            return Err(WaitError::NotRunning(name.to_string()));
        }
        (h.report.subscribe(), h.wake.clone())
    };
    let work = async {
        let start = rx.borrow_and_update().clone();
        // A cycle already running may have started before what we wait for.
        let mut need = start.cycles + if start.busy { 2 } else { 1 };
        wake.notify_one();
        loop {
            if rx.changed().await.is_err() {
                return Err(WaitError::NotRunning(name.to_string()));
            }
            let r = rx.borrow_and_update().clone();
            if r.busy || r.cycles < need {
                continue;
            }
            if let Some(e) = r.error {
                return Err(WaitError::Failed(e));
            }
            if r.idle {
                return Ok(());
            }
            need = r.cycles + 1;
            wake.notify_one();
        }
    };
    match tokio::time::timeout(limit, work).await {
        Ok(r) => r,
        Err(_) => Err(WaitError::TimedOut(name.to_string())),
    }
}

/// What one cycle of a thread did.
struct Outcome {
    idle: bool,
    stalled: Option<String>,
}

async fn run(
    server: Server,
    name: String,
    kind: ThreadKind,
    wake: Rc<Notify>,
    report: watch::Sender<CycleReport>,
) {
    let pid = server.host().next_pid();
    let mut session = PullSession::default();
    loop {
        server.control().running().await;
        report.send_modify(|r| r.busy = true);
        let result = cycle(&server, &kind, pid, &mut session).await;
        let (idle, error, stalled) = match result {
            Ok(o) => (o.idle, None, o.stalled),
            Err(e) => (false, Some(e.lines()), None),
        };
        if let Some(t) = server.runtime().threads.get_mut(&name) {
            t.running = true;
            t.idle = idle;
            t.last_error = error.as_ref().map(|l| l.join("\n"));
        }
        let failed = error.is_some();
        report.send_modify(|r| {
            r.cycles += 1;
            r.busy = false;
            r.idle = idle;
            r.error = error;
            r.stalled = stalled;
        });
        let pause = if failed {
            Duration::from_secs(kind.retry())
        } else if kind.interval() == 0 {
            match kind {
                ThreadKind::PullLocal { .. } | ThreadKind::PullArchive { .. } => LOCAL_LONG_POLL,
                // The target holds a long-poll request until it has data.
                _ => Duration::ZERO,
            }
        } else {
            Duration::from_secs(kind.interval())
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = wake.notified() => {}
            _ = server.control().stopped() => break,
        }
    }
    if let Some(t) = server.runtime().threads.get_mut(&name) {
        t.running = false;
    }
}

async fn cycle(
    server: &Server,
    kind: &ThreadKind,
    pid: u32,
    session: &mut PullSession,
) -> Result<Outcome, LinkError> {
    let s = Settings::read(server);
    let plain = |idle| Outcome {
        idle,
        stalled: None,
    };
    match kind {
        ThreadKind::JournalCopy { opts, .. } => {
            if !s.services.is_standby() {
                return Err(LinkError::Refused(vec![
                    "This command must be used with a standby replica.".to_string(),
                ]));
            }
            let c = journalcopy::cycle(server, &s, opts).await?;
            Ok(Outcome {
                idle: c.idle,
                stalled: c.stalled,
            })
        }
        _ if !s.services.is_replica() => Err(LinkError::Refused(vec![
            "Pull only allowed on replica servers.".to_string(),
        ])),
        ThreadKind::PullLocal { .. } => pull::local_cycle(server, &s).map(plain),
        ThreadKind::PullArchive { .. } => transfers::cycle(server, &s).await.map(plain),
        ThreadKind::Pull { opts, .. } => {
            let idle = pull::remote_cycle(server, &s, opts, session, pid).await?;
            Ok(Outcome {
                idle,
                stalled: session.stalled.clone(),
            })
        }
    }
}

/// True while thread `name` runs on the server.
pub fn is_running(server: &Server, name: &str) -> bool {
    server
        .runtime()
        .repl
        .threads
        .get(name)
        .is_some_and(|h| !h.abort.is_finished())
}

/// The replica's applied position (`state`) and, on a standby, its
/// persisted position (`statejcopy`).
pub fn positions(
    server: &Server,
) -> (crate::replwire::Position, Option<crate::replwire::Position>) {
    let s = Settings::read(server);
    let applied = pull::applied(server, &s);
    let persisted = s
        .services
        .is_standby()
        .then(|| journalcopy::persisted(server, &s));
    (applied, persisted)
}

impl ThreadRegistry {
    /// Names of the registered threads.
    pub fn names(&self) -> Vec<String> {
        self.threads.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_commands_parse_like_p4d() {
        assert_eq!(
            ThreadKind::parse("journalcopy -i 1"),
            Ok(ThreadKind::JournalCopy {
                opts: CopyOptions {
                    interval: 1,
                    durable_only: false,
                    acknowledging: true
                },
                retry: DEFAULT_RETRY_SECS
            })
        );
        assert_eq!(
            ThreadKind::parse("journalcopy -i 0 -b 30 --non-acknowledging"),
            Ok(ThreadKind::JournalCopy {
                opts: CopyOptions {
                    interval: 0,
                    durable_only: false,
                    acknowledging: false
                },
                retry: 30
            })
        );
        assert_eq!(
            ThreadKind::parse("pull -L -i 1"),
            Ok(ThreadKind::PullLocal {
                interval: 1,
                retry: DEFAULT_RETRY_SECS
            })
        );
        assert_eq!(
            ThreadKind::parse("pull -u -i1 -b2"),
            Ok(ThreadKind::PullArchive {
                interval: 1,
                retry: 2
            })
        );
        assert_eq!(
            ThreadKind::parse("pull -i 1 -T db.have"),
            Ok(ThreadKind::Pull {
                opts: PullOptions { interval: 1 },
                retry: DEFAULT_RETRY_SECS
            })
        );
        assert_eq!(ThreadKind::parse("pull -L -i 1").unwrap().name(), "pull -L");
        for bad in [
            "",
            "sync -i 1",
            "pull -u -L",
            "pull -i",
            "pull -i x",
            "journalcopy -L",
            "pull -q",
        ] {
            assert!(ThreadKind::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            ThreadKind::parse("verify -q"),
            Err("Startup command 'verify -q' is unknown or invalid.".to_string())
        );
    }
}

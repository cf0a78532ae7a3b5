//! Processes on a host: the p4d servers running there, and how to stop,
//! kill, pause and resume them.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

use tokio::sync::watch;
use tokio::task::AbortHandle;

/// The process table of a host, shared by everything on it.
pub type Processes = Rc<RefCell<ProcessTable>>;

/// Running processes by pid.
#[derive(Default)]
pub struct ProcessTable {
    procs: BTreeMap<u32, Process>,
}

/// One running p4d.
#[derive(Clone)]
pub struct Process {
    /// Process id.
    pub pid: u32,
    /// P4ROOT (host path).
    pub root: PathBuf,
    /// Listening port.
    pub port: u16,
    /// Control handle.
    pub control: ProcControl,
}

impl ProcessTable {
    /// Registers a process.
    pub fn insert(&mut self, p: Process) {
        self.procs.insert(p.pid, p);
    }

    /// Forgets a process (it exited).
    pub fn remove(&mut self, pid: u32) -> Option<Process> {
        self.procs.remove(&pid)
    }

    /// The process serving `root`, if one runs.
    pub fn by_root(&self, root: &std::path::Path) -> Option<Process> {
        self.procs.values().find(|p| p.root == root).cloned()
    }

    /// The process listening on `port`, if one runs.
    pub fn by_port(&self, port: u16) -> Option<Process> {
        self.procs.values().find(|p| p.port == port).cloned()
    }

    /// All processes, by pid.
    pub fn all(&self) -> Vec<Process> {
        self.procs.values().cloned().collect()
    }
}

/// How a server was asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRequest {
    /// Keep running.
    None,
    /// Shut down cleanly (`p4 admin stop`, SIGTERM, `p4dctl stop`).
    Stop,
    /// Shut down and start again in place (`p4 admin restart`, failover).
    Restart,
}

/// Controls one process: stop requests, pausing, and killing its tasks.
#[derive(Clone)]
pub struct ProcControl {
    inner: Rc<ControlInner>,
}

struct ControlInner {
    stop: watch::Sender<StopRequest>,
    paused: watch::Sender<bool>,
    tasks: RefCell<Vec<AbortHandle>>,
    exited: Cell<bool>,
}

impl Default for ProcControl {
    fn default() -> Self {
        Self::new()
    }
}

impl ProcControl {
    /// A control for a new process.
    pub fn new() -> Self {
        ProcControl {
            inner: Rc::new(ControlInner {
                stop: watch::channel(StopRequest::None).0,
                paused: watch::channel(false).0,
                tasks: RefCell::new(Vec::new()),
                exited: Cell::new(false),
            }),
        }
    }

    /// Asks the process to stop (or restart).
    pub fn request(&self, req: StopRequest) {
        self.inner.stop.send_replace(req);
    }

    /// The pending stop request.
    pub fn stop_request(&self) -> StopRequest {
        *self.inner.stop.borrow()
    }

    /// Waits until a stop or restart is requested.
    pub async fn stopped(&self) -> StopRequest {
        let mut rx = self.inner.stop.subscribe();
        loop {
            let v = *rx.borrow_and_update();
            if v != StopRequest::None {
                return v;
            }
            if rx.changed().await.is_err() {
                return StopRequest::Stop;
            }
        }
    }

    /// Freezes or thaws the process (a hung server).
    pub fn set_paused(&self, paused: bool) {
        self.inner.paused.send_replace(paused);
    }

    /// True while frozen.
    pub fn is_paused(&self) -> bool {
        *self.inner.paused.borrow()
    }

    /// Waits while the process is frozen.
    pub async fn running(&self) {
        let mut rx = self.inner.paused.subscribe();
        while *rx.borrow_and_update() {
            if rx.changed().await.is_err() {
                return;
            }
        }
    }

    /// Registers a task of the process, so that killing the process ends it.
    pub fn adopt(&self, task: AbortHandle) {
        let mut tasks = self.inner.tasks.borrow_mut();
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }

    /// Kills every task at once: no clean shutdown (SIGKILL).
    pub fn kill(&self) {
        for t in self.inner.tasks.borrow_mut().drain(..) {
            t.abort();
        }
        self.inner.exited.set(true);
    }

    /// Marks the process as exited.
    pub fn mark_exited(&self) {
        self.inner.exited.set(true);
    }

    /// True once the process has exited.
    pub fn has_exited(&self) -> bool {
        self.inner.exited.get()
    }
}

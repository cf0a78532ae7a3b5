//! The in-process simulation: machines on a simulated network under
//! virtual time, driven by turmoil.
//!
//! Each machine is a turmoil host whose software is an *agent*: it takes
//! jobs (a shell command line, a program, a fault) from a queue the world
//! fills and runs each as a task on that host, so every network connection
//! starts from the right machine and partitions apply to it. The world steps
//! the simulation until the job has finished; p4d processes, replication
//! threads and everything else the jobs started keep running on their
//! hosts between jobs. Time only moves while the world steps, by turmoil's
//! tick, so waiting a simulated minute costs a few milliseconds.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use p4ha_hostfs::HostFs;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::host::{Host, HostMode, HostParts};
use crate::net::{BlockMode, Fabric, LocalBoxFuture, SimNet};
use crate::program::{Invocation, ProgramOutput};
use crate::version::ServerVersion;

/// How the world is set up.
#[derive(Debug, Clone)]
pub struct WorldConfig {
    /// Seed of every random choice (network latency, tickets, ids).
    pub seed: u64,
    /// Virtual time at the start, epoch seconds.
    pub start_epoch: i64,
    /// Folder holding every machine's file system.
    pub dir: PathBuf,
    /// Simulation step.
    pub tick: Duration,
}

impl WorldConfig {
    /// Defaults: seed 0, 2019-10-18 13:00:00 JST, 10 ms steps.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        WorldConfig {
            seed: 0,
            start_epoch: 1_571_371_200,
            dir: dir.into(),
            tick: Duration::from_millis(10),
        }
    }
}

/// A machine to add.
#[derive(Debug, Clone)]
pub struct HostSpec {
    /// Host name.
    pub name: String,
    /// Address.
    pub ip: IpAddr,
    /// Other names that resolve to it.
    pub aliases: Vec<String>,
    /// Login environment.
    pub env: BTreeMap<String, String>,
    /// Installed p4d release.
    pub installed: ServerVersion,
}

/// Why a job did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    /// No such machine.
    #[error("no machine named '{0}'")]
    NoHost(String),
    /// The machine already exists.
    #[error("a machine named '{0}' or with address {1} already exists")]
    Duplicate(String, IpAddr),
    /// The job ran past its time limit (simulated time).
    #[error("did not finish within {0:?} of simulated time")]
    Timeout(Duration),
    /// The machine is down.
    #[error("machine '{0}' is down")]
    HostDown(String),
    /// The simulation itself failed.
    #[error("simulation failed: {0}")]
    Sim(String),
    /// A machine's file system could not be created.
    #[error("cannot create the file system of '{0}': {1}")]
    Fs(String, String),
}

type Job = Box<dyn FnOnce(Rc<Host>) -> LocalBoxFuture<'static, ()>>;

#[derive(Default)]
struct JobQueue {
    jobs: RefCell<VecDeque<Job>>,
    ready: Notify,
}

struct Machine {
    host: Rc<Host>,
    queue: Rc<JobQueue>,
}

/// The simulated world.
pub struct SimWorld {
    sim: turmoil::Sim<'static>,
    fabric: Rc<RefCell<Fabric>>,
    elapsed_ms: Arc<AtomicI64>,
    start_ms: i64,
    machines: BTreeMap<String, Machine>,
    cfg: WorldConfig,
}

impl SimWorld {
    /// An empty world.
    pub fn new(cfg: WorldConfig) -> Self {
        let sim = turmoil::Builder::new()
            .tick_duration(cfg.tick)
            .simulation_duration(Duration::from_secs(100 * 365 * 86_400))
            .min_message_latency(Duration::from_millis(0))
            .max_message_latency(Duration::from_millis(1))
            .rng_seed(cfg.seed)
            .build();
        SimWorld {
            sim,
            fabric: Rc::new(RefCell::new(Fabric::default())),
            elapsed_ms: Arc::new(AtomicI64::new(0)),
            start_ms: cfg.start_epoch * 1000,
            machines: BTreeMap::new(),
            cfg,
        }
    }

    /// The shared time source: start time plus simulated time elapsed.
    fn clock(&self) -> Clock {
        let elapsed = self.elapsed_ms.clone();
        let start = self.start_ms;
        Clock::new(Arc::new(move || start + elapsed.load(Ordering::Relaxed)))
    }

    /// Adds a machine.
    pub fn add_host(&mut self, spec: HostSpec) -> Result<Rc<Host>, WorldError> {
        if self.machines.contains_key(&spec.name)
            || self.machines.values().any(|m| m.host.ip == spec.ip)
        {
            return Err(WorldError::Duplicate(spec.name, spec.ip));
        }
        let clock = self.clock();
        let fs_clock = clock.clone();
        let root = self.cfg.dir.join("hosts").join(&spec.name);
        let fs = HostFs::sandbox(root, Arc::new(move || fs_clock.now()))
            .map_err(|e| WorldError::Fs(spec.name.clone(), e.to_string()))?;
        fs.set_default_owner("perforce", "perforce");
        {
            let mut fabric = self.fabric.borrow_mut();
            fabric.names.insert(spec.name.clone(), spec.ip);
            for a in &spec.aliases {
                fabric.names.insert(a.clone(), spec.ip);
            }
        }
        let net = Rc::new(SimNet {
            fabric: self.fabric.clone(),
            me: spec.ip,
        });
        let host_seed = self.cfg.seed ^ fxhash(&spec.name);
        let host = Host::new(HostParts {
            name: spec.name.clone(),
            ip: spec.ip,
            fs,
            clock,
            net,
            mode: HostMode::Simulated,
            env: spec.env,
            installed: spec.installed,
            seed: host_seed,
        });
        let queue = Rc::new(JobQueue::default());
        {
            let host = host.clone();
            let queue = queue.clone();
            self.sim
                .host(spec.ip, move || agent(host.clone(), queue.clone()));
        }
        self.machines.insert(
            spec.name,
            Machine {
                host: host.clone(),
                queue,
            },
        );
        Ok(host)
    }

    /// A machine by name.
    pub fn host(&self, name: &str) -> Option<Rc<Host>> {
        self.machines.get(name).map(|m| m.host.clone())
    }

    /// Names of all machines.
    pub fn host_names(&self) -> Vec<String> {
        self.machines.keys().cloned().collect()
    }

    /// Simulated time elapsed.
    pub fn elapsed(&self) -> Duration {
        self.sim.elapsed()
    }

    /// Current virtual time, epoch seconds.
    pub fn now(&self) -> i64 {
        (self.start_ms + self.elapsed_ms.load(Ordering::Relaxed)) / 1000
    }

    fn step(&mut self) -> Result<(), WorldError> {
        self.sim
            .step()
            .map_err(|e| WorldError::Sim(e.to_string()))?;
        self.elapsed_ms
            .store(self.sim.elapsed().as_millis() as i64, Ordering::Relaxed);
        Ok(())
    }

    /// Lets `d` of simulated time pass.
    pub fn advance(&mut self, d: Duration) -> Result<(), WorldError> {
        let end = self.sim.elapsed() + d;
        while self.sim.elapsed() < end {
            self.step()?;
        }
        Ok(())
    }

    /// Runs `job` on machine `name` and steps the world until it finishes
    /// or `limit` of simulated time has passed (the job is then aborted).
    pub fn run_on<T, F>(&mut self, name: &str, limit: Duration, job: F) -> Result<T, WorldError>
    where
        T: 'static,
        F: FnOnce(Rc<Host>) -> LocalBoxFuture<'static, T> + 'static,
    {
        let machine = self
            .machines
            .get(name)
            .ok_or_else(|| WorldError::NoHost(name.to_string()))?;
        if !self.sim.is_host_running(machine.host.ip) {
            return Err(WorldError::HostDown(name.to_string()));
        }
        let slot: Rc<RefCell<Option<T>>> = Rc::new(RefCell::new(None));
        let abort: Rc<RefCell<Option<tokio::task::AbortHandle>>> = Rc::new(RefCell::new(None));
        {
            let slot = slot.clone();
            let abort = abort.clone();
            machine
                .queue
                .jobs
                .borrow_mut()
                .push_back(Box::new(move |host| {
                    Box::pin(async move {
                        let task = tokio::task::spawn_local(async move {
                            let v = job(host).await;
                            *slot.borrow_mut() = Some(v);
                        });
                        *abort.borrow_mut() = Some(task.abort_handle());
                    })
                }));
            machine.queue.ready.notify_one();
        }
        let deadline = self.sim.elapsed() + limit;
        loop {
            if let Some(v) = slot.borrow_mut().take() {
                return Ok(v);
            }
            if self.sim.elapsed() >= deadline {
                if let Some(a) = abort.borrow_mut().take() {
                    a.abort();
                }
                return Err(WorldError::Timeout(limit));
            }
            self.step()?;
        }
    }

    /// Runs a program (`p4`, `p4d`, `p4dctl`) on a machine.
    pub fn run_program(
        &mut self,
        name: &str,
        inv: Invocation,
        limit: Duration,
    ) -> Result<ProgramOutput, WorldError> {
        self.run_on(name, limit, move |host| {
            Box::pin(async move {
                let argv0 = inv.argv.first().cloned().unwrap_or_default();
                match crate::program::run_program(&host, inv).await {
                    Some(out) => out,
                    None => ProgramOutput::failure(format!("sh: 1: {argv0}: not found\n"), 127),
                }
            })
        })
    }

    /// Cuts the network between two machines.
    pub fn partition(&mut self, a: &str, b: &str, mode: BlockMode) -> Result<(), WorldError> {
        let (ia, ib) = (self.ip_of(a)?, self.ip_of(b)?);
        self.fabric.borrow_mut().partition(ia, ib, mode);
        Ok(())
    }

    /// Restores the network between two machines.
    pub fn heal(&mut self, a: &str, b: &str) -> Result<(), WorldError> {
        let (ia, ib) = (self.ip_of(a)?, self.ip_of(b)?);
        self.fabric.borrow_mut().heal(ia, ib);
        Ok(())
    }

    /// Puts a firewall rule on a machine's inbound port (`None` removes it).
    pub fn firewall(
        &mut self,
        name: &str,
        port: u16,
        mode: Option<BlockMode>,
    ) -> Result<(), WorldError> {
        let ip = self.ip_of(name)?;
        let mut f = self.fabric.borrow_mut();
        match mode {
            Some(m) => {
                f.firewalls.insert((ip, port), m);
            }
            None => {
                f.firewalls.remove(&(ip, port));
            }
        }
        Ok(())
    }

    fn ip_of(&self, name: &str) -> Result<IpAddr, WorldError> {
        self.machines
            .get(name)
            .map(|m| m.host.ip)
            .ok_or_else(|| WorldError::NoHost(name.to_string()))
    }

    /// The real directory holding machine `name`'s file system.
    pub fn host_dir(&self, name: &str) -> PathBuf {
        self.cfg.dir.join("hosts").join(name)
    }

    /// The world's folder.
    pub fn dir(&self) -> &Path {
        &self.cfg.dir
    }
}

/// The software of every simulated machine: run queued jobs as tasks.
async fn agent(host: Rc<Host>, queue: Rc<JobQueue>) -> turmoil::Result {
    loop {
        let job = queue.jobs.borrow_mut().pop_front();
        match job {
            Some(job) => job(host.clone()).await,
            None => queue.ready.notified().await,
        }
    }
}

/// A small stable hash of a name (for per-host seeds).
fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
